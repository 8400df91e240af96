/*
 * Every command on a bad command line: an unknown option or an option
 * without its value is named on one line, and the exit status is 2.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "tests/run.h"

typedef struct Case {
	const char *want;   /* standard error, whole */
	char *argv[6];
} Case;

static void
run_cases(const Case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		RunResult r = run_cmd(c[i].argv, NULL, 10000);
		if (r.status != 2 || strcmp(r.err, c[i].want) != 0)
			print_error("%s %s: status %d, stderr '%s'\n", c[i].argv[0],
			            c[i].argv[1] ? c[i].argv[1] : "", r.status, r.err);
		assert_int_equal(r.status, 2);
		assert_string_equal(r.err, c[i].want);
		run_free(&r);
	}
}

static void
test_unknown_option(void **state)
{
	static const Case c[] = {
		{"dis-as: unknown option --bogus (see dis-as --help)\n", {"bin/dis-as", "--bogus", "x.s"}},
		{"dis-dis: unknown option --bogus (see dis-dis --help)\n", {"bin/dis-dis", "--bogus", "x.dis"}},
		{"dis-run: unknown option --bogus (see dis-run --help)\n", {"bin/dis-run", "--bogus", "x.dis"}},
		{"limbo: unknown option --bogus (see limbo --help)\n", {"bin/limbo", "--bogus", "x.b"}},
		{"dis-sign: unknown option --bogus (see dis-sign --help)\n", {"bin/dis-sign", "--bogus", "x.dis"}},
		{"dis-verify: unknown option --bogus (see dis-verify --help)\n", {"bin/dis-verify", "--bogus", "x.dis"}},
		{"dis-keygen: unknown option --bogus (see dis-keygen --help)\n", {"bin/dis-keygen", "--bogus"}},
		{"dis-node: unknown option --bogus (see dis-node --help)\n", {"bin/dis-node", "join", "--bogus"}},
		{"dis-sched serve: unknown option '--bogus' (see dis-sched serve --help)\n",
		 {"bin/dis-sched", "serve", "--bogus"}},
		{"dis-sched status: unknown option '--bogus' (see dis-sched status --help)\n",
		 {"bin/dis-sched", "status", "--bogus"}},
	};

	(void)state;
	run_cases(c, sizeof c / sizeof c[0]);
}

static void
test_missing_value(void **state)
{
	static const Case c[] = {
		{"dis-as: option -o needs a value (see dis-as --help)\n", {"bin/dis-as", "x.s", "-o"}},
		{"dis-dis: option -o needs a value (see dis-dis --help)\n", {"bin/dis-dis", "x.dis", "-o"}},
		{"dis-run: option -r needs a value (see dis-run --help)\n", {"bin/dis-run", "-r"}},
		{"dis-run: option --trust needs a value (see dis-run --help)\n", {"bin/dis-run", "--trust"}},
		{"dis-sign: option -k needs a value (see dis-sign --help)\n", {"bin/dis-sign", "x.dis", "-k"}},
		{"dis-sign: option -o needs a value (see dis-sign --help)\n", {"bin/dis-sign", "x.dis", "-o"}},
		{"dis-verify: option --trust needs a value (see dis-verify --help)\n",
		 {"bin/dis-verify", "x.dis", "--trust"}},
		{"dis-keygen: option -o needs a value (see dis-keygen --help)\n", {"bin/dis-keygen", "-o"}},
		{"dis-node: option --slots needs a value (see dis-node --help)\n", {"bin/dis-node", "join", "--slots"}},
		{"dis-sched serve: --db needs a value (see dis-sched serve --help)\n",
		 {"bin/dis-sched", "serve", "--db"}},
	};

	(void)state;
	run_cases(c, sizeof c / sizeof c[0]);
}

TEST_MAIN("tools/options",
	cmocka_unit_test(test_unknown_option),
	cmocka_unit_test(test_missing_value))
