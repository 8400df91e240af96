/*
 * Verification without running, as a user runs it: dis-run --verify (and
 * --json, --trust, --require-signed) on good, attacker-made and signed
 * modules; dis-sign refusing a module that would not load, leaving no
 * output file.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <stdlib.h>
#include <string.h>

#define D "build/tests/dis/verify"
#define HELLO "examples/hello/hello.dis"
#define BAD "tests/data/map_past_size.dis"

static RunResult
run(char *const argv[])
{
	return run_cmd(argv, NULL, 20000);
}

static void
test_verify_ok(void **state)
{
	char *a[] = {"bin/dis-run", "--verify", HELLO, NULL};
	char *b[] = {"bin/dis-run", "--verify", "--json", HELLO, NULL};
	RunResult r;

	(void)state;
	r = run(a);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, HELLO ": ok\n");
	assert_string_equal(r.err, "");
	run_free(&r);
	r = run(b);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "{\"file\":\"" HELLO "\",\"module\":\"Hello\",\"code\":15,"
	                           "\"types\":3,\"links\":1,\"imports\":1,\"signer\":null}\n");
	run_free(&r);
}

/* Refused with the loader's one line, and nothing runs (hello would print). */
static void
test_verify_refuses(void **state)
{
	char *a[] = {"bin/dis-run", "--verify", BAD, NULL};
	char *b[] = {"bin/dis-run", "--verify", HELLO, "extra", NULL};
	char *c[] = {"bin/dis-run", "--json", HELLO, NULL};
	char *d[] = {"bin/dis-run", "--verify", "/nonexistent/x.dis", NULL};
	RunResult r;

	(void)state;
	r = run(a);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "dis-run: " BAD ": offset 0xf: type 0: pointer map marks word 2, "
	                           "outside size 8\n");
	run_free(&r);
	r = run(b);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run(c);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run(d);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "dis-run: /nonexistent/x.dis: No such file or directory\n");
	run_free(&r);
}

/* With a trust store the signature is checked too; dis-sign signs only
 * what would load. */
static void
test_signed(void **state)
{
	RunResult r;

	(void)state;
	assert_int_equal(system("rm -rf " D " && mkdir -p " D "/trust " D "/other"), 0);
	{
		char *a[] = {"bin/dis-keygen", "-o", D "/trust/alice", NULL};
		char *b[] = {"bin/dis-keygen", "-o", D "/other/mallory", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		r = run(b);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-sign", "-k", D "/trust/alice.key", "-o", D "/hello.dis", HELLO, NULL};
		char *b[] = {"bin/dis-sign", "-k", D "/other/mallory.key", "-o", D "/mallory.dis", HELLO, NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		r = run(b);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--verify", "--json", "--trust", D "/trust", D "/hello.dis", NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, "{\"file\":\"" D "/hello.dis\",\"module\":\"Hello\",\"code\":15,"
		                           "\"types\":3,\"links\":1,\"imports\":1,\"signer\":\"alice\"}\n");
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-run", "--verify", "--trust", D "/trust", D "/mallory.dis", NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "signed by unknown key"));
		assert_true(r.errlen > 0 && strchr(r.err, '\n') == r.err + r.errlen - 1);
		run_free(&r);
	}
	{
		/* Unsigned: fine with --trust alone, refused with --require-signed. */
		char *a[] = {"bin/dis-run", "--verify", "--trust", D "/trust", HELLO, NULL};
		char *b[] = {"bin/dis-run", "--verify", "--require-signed", "--trust", D "/trust", HELLO, NULL};
		r = run(a);
		assert_int_equal(r.status, 0);
		run_free(&r);
		r = run(b);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, "dis-run: " HELLO ": not signed\n");
		run_free(&r);
	}
	{
		char *a[] = {"bin/dis-sign", "-k", D "/trust/alice.key", "-o", D "/bad.dis", BAD, NULL};
		r = run(a);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		assert_string_equal(r.err, "dis-sign: " BAD ": offset 0xf: type 0: pointer map marks word 2, "
		                           "outside size 8\n");
		assert_int_equal(access(D "/bad.dis", F_OK), -1);
		run_free(&r);
	}
}

TEST_MAIN("dis/verify_cli",
          cmocka_unit_test(test_verify_ok),
          cmocka_unit_test(test_verify_refuses),
          cmocka_unit_test(test_signed))
