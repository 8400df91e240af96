/*
 * dis-sched as a user meets it before any scheduler runs: --help for the
 * command and each subcommand, usage errors (exit 2, one line), the
 * message that says which option or variable names a missing certificate,
 * and exit 3 with "no answer" against an endpoint where nothing listens.
 * Also the option-value parsers and the JSON a job becomes.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "scheduler/cli.h"
#include "scheduler/sched.h"

#define SCHED "bin/dis-sched"

static char dir[] = "/tmp/acheron-cli-XXXXXX";
static char cert[300], server_pub[300], dead_ep[64];
static int dead_fd = -1;

/* A port that is bound (so nobody else takes it) but not listening: a
 * connection to it is refused, as to a scheduler that is not running. */
static int
setup(void **state)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	char cmd[600];

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd,
		 "bin/dis-keygen --curve -o %s/client >/dev/null && bin/dis-keygen --curve -o %s/sched >/dev/null", dir,
		 dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(cert, sizeof cert, "%s/client.curve", dir);
	snprintf(server_pub, sizeof server_pub, "%s/sched.curve.pub", dir);
	dead_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (dead_fd < 0 || bind(dead_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(dead_fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	snprintf(dead_ep, sizeof dead_ep, "tcp://127.0.0.1:%u", ntohs(a.sin_port));
	/* The tests choose their own environment. */
	unsetenv("ACHERON_SCHEDULER");
	unsetenv("ACHERON_CERT");
	unsetenv("ACHERON_SERVER_KEY");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];

	if (dead_fd >= 0)
		close(dead_fd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Exactly one line on stderr, starting with prefix and containing want. */
static void
assert_one_line(const RunResult *r, const char *prefix, const char *want)
{
	if (strncmp(r->err, prefix, strlen(prefix)) != 0 || r->errlen == 0 ||
	    strchr(r->err, '\n') != r->err + r->errlen - 1 || (want != NULL && strstr(r->err, want) == NULL)) {
		print_error("stderr was [%s], status %d; want one line [%s...%s]\n", r->err, r->status, prefix,
			    want ? want : "");
		fail();
	}
}

static void
test_help(void **state)
{
	static const char *const cmds[] = {"serve", "submit", "status", "wait", "logs",
					   "cancel", "nodes", "drain", "result"};
	char *argv[] = {SCHED, "--help", NULL, NULL};
	RunResult r = run_cmd(argv, NULL, 10000);
	char want[64];

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: dis-sched"));
	assert_string_equal(r.err, "");
	run_free(&r);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		argv[1] = (char *)cmds[i];
		argv[2] = "--help";
		r = run_cmd(argv, NULL, 10000);
		snprintf(want, sizeof want, "usage: dis-sched %s", cmds[i]);
		if (r.status != 0 || strstr(r.out, want) == NULL || r.errlen != 0) {
			print_error("%s --help: status %d, out [%s], err [%s]\n", cmds[i], r.status, r.out, r.err);
			fail();
		}
		run_free(&r);
	}
}

static void
test_usage_errors(void **state)
{
	static const char *const cases[][5] = {
		/* prefix, then argv[1..] */
		{"dis-sched: unknown command", "frobnicate", NULL},
		{"dis-sched status: unknown option '--bogus'", "status", "--bogus", NULL},
		{"dis-sched submit: unknown option '--colour'", "submit", "--colour", "x.dis", NULL},
		{"dis-sched submit: missing FILE.dis", "submit", NULL},
		{"dis-sched submit: --strategy: 'fastest'", "submit", "--strategy", "fastest", "x.dis"},
		{"dis-sched submit: --memory: '12q'", "submit", "--memory", "12q", "x.dis"},
		{"dis-sched submit: --timeout needs a value", "submit", "--timeout", NULL},
		{"dis-sched wait: missing JOB", "wait", NULL},
		{"dis-sched wait: 'seven' is not a job id", "wait", "seven", NULL},
		{"dis-sched logs: unexpected argument '2'", "logs", "1", "2", NULL},
		{"dis-sched drain: missing NODE", "drain", NULL},
		{"dis-sched cancel: --request-timeout: 'soon'", "cancel", "1", "--request-timeout", "soon"},
		{"dis-sched serve: --db FILE is required", "serve", NULL},
		{"dis-sched serve: --require-signed and --trust DIR go together", "serve", "--db", "x.db",
		 "--require-signed"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[7] = {SCHED};
		int n = 1;
		for (int k = 1; k < 5 && cases[i][k] != NULL; k++)
			argv[n++] = (char *)cases[i][k];
		argv[n] = NULL;
		RunResult r = run_cmd(argv, NULL, 10000);
		if (r.status != 2) {
			print_error("case %zu: status %d, err [%s]\n", i, r.status, r.err);
			fail();
		}
		assert_one_line(&r, cases[i][0], NULL);
		assert_string_equal(r.out, "");
		run_free(&r);
	}
}

static void
test_missing_certificates(void **state)
{
	char *no_cert[] = {SCHED, "nodes", "--server-key", server_pub, NULL};
	char *no_key[] = {SCHED, "status", "--cert", cert, NULL};
	char *pub_as_cert[] = {SCHED, "nodes", "--cert", server_pub, "--server-key", server_pub, NULL};
	char *absent[] = {SCHED, "nodes", "--cert", "/nonexistent/me.curve", "--server-key", server_pub, NULL};
	RunResult r;

	r = run_cmd(no_cert, NULL, 10000);
	assert_int_equal(r.status, 2);
	assert_one_line(&r, "dis-sched nodes: no client certificate", "--cert");
	assert_non_null(strstr(r.err, "ACHERON_CERT"));
	run_free(&r);

	r = run_cmd(no_key, NULL, 10000);
	assert_int_equal(r.status, 2);
	assert_one_line(&r, "dis-sched status: no scheduler key", "--server-key");
	assert_non_null(strstr(r.err, "ACHERON_SERVER_KEY"));
	run_free(&r);

	/* The environment serves as well as the options. */
	setenv("ACHERON_CERT", cert, 1);
	r = run_cmd(no_key, NULL, 10000);
	unsetenv("ACHERON_CERT");
	assert_int_equal(r.status, 2);
	assert_one_line(&r, "dis-sched status: no scheduler key", "ACHERON_SERVER_KEY");
	run_free(&r);

	r = run_cmd(pub_as_cert, NULL, 10000);
	assert_int_equal(r.status, 1);
	assert_one_line(&r, "dis-sched: ", "no secret key");
	assert_non_null(strstr(r.err, server_pub));
	run_free(&r);

	r = run_cmd(absent, NULL, 10000);
	assert_int_equal(r.status, 1);
	assert_one_line(&r, "dis-sched: /nonexistent/me.curve: ", NULL);
	run_free(&r);
}

/* Every client command gives up with exit 3 when nothing answers. */
static void
test_unreachable(void **state)
{
	static const char *const cmds[][3] = {
		{"nodes", NULL}, {"status", NULL}, {"status", "4"}, {"cancel", "4"}, {"drain", "n1"},
		{"result", "4"}, {"wait", "4"},   {"logs", "4"},   {"submit", NULL},
	};
	char want[128];
	/* A module submit's own check passes (built by `make`). */
	char module[] = "examples/fashion/train.dis";

	snprintf(want, sizeof want, "dis-sched: no answer from %s in 300 ms", dead_ep);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char *argv[12];
		int n = 0;
		long t0 = run_now_ms();
		argv[n++] = SCHED;
		argv[n++] = (char *)cmds[i][0];
		argv[n++] = "--scheduler";
		argv[n++] = dead_ep;
		argv[n++] = "--cert";
		argv[n++] = cert;
		argv[n++] = "--server-key";
		argv[n++] = server_pub;
		argv[n++] = "--request-timeout";
		argv[n++] = "300";
		if (cmds[i][1] != NULL)
			argv[n++] = (char *)cmds[i][1];
		if (strcmp(cmds[i][0], "submit") == 0)
			argv[n++] = module;
		argv[n] = NULL;
		RunResult r = run_cmd(argv, NULL, 15000);
		if (r.status != 3) {
			print_error("%s: status %d after %ld ms, err [%s]\n", cmds[i][0], r.status, run_now_ms() - t0,
				    r.err);
			fail();
		}
		assert_one_line(&r, want, "is the scheduler running");
		run_free(&r);
	}
}

/* The library's own error names the file. */
/* What the scheduler could never run is refused by submit itself: exit 1,
 * one line that names the file and says what is wrong, and nothing sent
 * (the endpoint is dead: a request would end in "no answer", exit 3). */
static void
test_submit_checks_module(void **state)
{
	char text[300], trunc[300], empty[300], unsigned_[300], trust[300], missing[300], cmd[2400];
	static const char *const why[] = {"not a Dis module: offset 0x0: bad magic", "not a Dis module: offset 0x",
					  "not a Dis module: offset 0x0: truncated header", "not signed",
					  "No such file"};
	const char *files[5];

	snprintf(text, sizeof text, "%s/train.txt", dir);
	snprintf(trunc, sizeof trunc, "%s/trunc.dis", dir);
	snprintf(empty, sizeof empty, "%s/empty.dis", dir);
	snprintf(unsigned_, sizeof unsigned_, "%s/unsigned.dis", dir);
	snprintf(missing, sizeof missing, "%s/missing.dis", dir);
	snprintf(trust, sizeof trust, "%s/trust", dir);
	snprintf(cmd, sizeof cmd,
		 "echo 'epochs 3' > %s && head -c 100 examples/fashion/train.dis > %s && : > %s &&"
		 " cp examples/fashion/train.dis %s && mkdir -p %s && bin/dis-keygen -o %s/k >/dev/null",
		 text, trunc, empty, unsigned_, trust, trust);
	assert_int_equal(system(cmd), 0);
	files[0] = text;
	files[1] = trunc;
	files[2] = empty;
	files[3] = unsigned_;
	files[4] = missing;
	for (size_t i = 0; i < 5; i++) {
		char *argv[16], prefix[400];
		int n = 0;
		argv[n++] = SCHED;
		argv[n++] = "submit";
		argv[n++] = "--scheduler";
		argv[n++] = dead_ep;
		argv[n++] = "--cert";
		argv[n++] = cert;
		argv[n++] = "--server-key";
		argv[n++] = server_pub;
		argv[n++] = "--request-timeout";
		argv[n++] = "300";
		if (i == 3) {
			argv[n++] = "--trust";
			argv[n++] = trust;
		}
		argv[n++] = (char *)files[i];
		argv[n++] = "1";
		argv[n] = NULL;
		RunResult r = run_cmd(argv, NULL, 10000);
		if (r.status != 1) {
			print_error("%s: status %d, err [%s]\n", files[i], r.status, r.err);
			fail();
		}
		snprintf(prefix, sizeof prefix, "dis-sched: %s: ", files[i]);
		assert_one_line(&r, prefix, why[i]);
		assert_string_equal(r.out, "");
		run_free(&r);
	}
}

/* Reasons come from nodes and tasks: one printable line, bounded, never
 * half a UTF-8 sequence. */
static void
test_reason_clean(void **state)
{
	char out[8], big[SCHED_MAX_REASON_BYTES], line[3000];

	sched_reason_clean("a\nb\tc  \n", out, sizeof out);
	assert_string_equal(out, "a b c");
	sched_reason_clean(NULL, out, sizeof out);
	assert_string_equal(out, "");
	sched_reason_clean("abcd\xc3\xa9xyz", out, 6);  /* é cut in two */
	assert_string_equal(out, "abcd");
	sched_reason_clean("ab\xc3\xa9", out, sizeof out);
	assert_string_equal(out, "ab\xc3\xa9");
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = 0;
	sched_reason_clean(line, big, sizeof big);
	assert_int_equal(strlen(big), SCHED_MAX_REASON_BYTES - 1);
}

static void
test_client_open_errors(void **state)
{
	AcErr err;
	SchedClient *c;

	c = sched_client_open("tcp://127.0.0.1:1", "/nonexistent/x.curve", server_pub, 100, &err);
	assert_null(c);
	assert_non_null(strstr(err.msg, "/nonexistent/x.curve"));
	c = sched_client_open("tcp://127.0.0.1:1", cert, "/nonexistent/s.curve.pub", 100, &err);
	assert_null(c);
	assert_non_null(strstr(err.msg, "/nonexistent/s.curve.pub"));
	c = sched_client_open(dead_ep, cert, server_pub, 300, &err);
	assert_non_null(c);
	{
		Acheron__Msg req = ACHERON__MSG__INIT;
		Acheron__NodesRequest nr = ACHERON__NODES_REQUEST__INIT;
		long t0 = run_now_ms();
		req.body_case = ACHERON__MSG__BODY_NODES;
		req.nodes = &nr;
		assert_null(sched_client_call(c, &req, &err));
		assert_int_equal(err.code, AC_ETIMEOUT);
		assert_non_null(strstr(err.msg, dead_ep));
		assert_true(run_now_ms() - t0 < 5000);
	}
	sched_client_close(c);
}

static void
test_parsers(void **state)
{
	uint64_t b, id;
	uint32_t ms;
	int64_t v;
	int st;
	char buf[32];

	assert_int_equal(sched_cli_parse_size("4096", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(sched_cli_parse_size("512m", &b), 0);
	assert_int_equal(b, 512ull << 20);
	assert_int_equal(sched_cli_parse_size("2G", &b), 0);
	assert_int_equal(b, 2ull << 30);
	assert_int_equal(sched_cli_parse_size("1.5k", &b), 0);
	assert_int_equal(b, 1536);
	assert_int_equal(sched_cli_parse_size("0", &b), -1);
	assert_int_equal(sched_cli_parse_size("12q", &b), -1);
	assert_int_equal(sched_cli_parse_size("-1", &b), -1);

	assert_int_equal(sched_cli_parse_seconds("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(sched_cli_parse_seconds("1.5", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(sched_cli_parse_seconds("10m", &ms), 0);
	assert_int_equal(ms, 600000);
	assert_int_equal(sched_cli_parse_seconds("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(sched_cli_parse_seconds("0", &ms), -1);
	assert_int_equal(sched_cli_parse_seconds("60d", &ms), -1);  /* past 2^32 ms */
	assert_int_equal(sched_cli_parse_seconds("soon", &ms), -1);

	assert_int_equal(sched_cli_parse_job("42", &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(sched_cli_parse_job("0", &id), -1);
	assert_int_equal(sched_cli_parse_job("4x", &id), -1);
	assert_int_equal(sched_cli_parse_job("-4", &id), -1);
	assert_int_equal(sched_cli_parse_int("-7", -10, 10, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(sched_cli_parse_int("11", -10, 10, &v), -1);

	assert_int_equal(sched_cli_parse_strategy("capability", &st), 0);
	assert_int_equal(st, ACHERON__STRATEGY__STRATEGY_CAPABILITY);
	assert_int_equal(sched_cli_parse_strategy("fastest", &st), -1);
	assert_string_equal(sched_cli_strategy(0), "least-loaded");

	sched_cli_duration(400, buf, sizeof buf);
	assert_string_equal(buf, "400ms");
	sched_cli_duration(1500, buf, sizeof buf);
	assert_string_equal(buf, "1.5s");
	sched_cli_duration(42000, buf, sizeof buf);
	assert_string_equal(buf, "42s");
	sched_cli_duration(185000, buf, sizeof buf);
	assert_string_equal(buf, "3m05s");
	sched_cli_duration(7620000, buf, sizeof buf);
	assert_string_equal(buf, "2h07m");
	sched_cli_duration(273600000, buf, sizeof buf);
	assert_string_equal(buf, "3d04h");
}

static void
test_job_json(void **state)
{
	Acheron__JobInfo j = ACHERON__JOB_INFO__INIT;
	char *args[] = {"10", "hello"};
	json_t *o;

	j.job_id = 7;
	j.state = ACHERON__JOB_STATE__JOB_TIMED_OUT;
	j.module_name = "sleep.dis";
	j.args = args;
	j.n_args = 2;
	j.node_id = "n1";
	j.attempts = 2;
	j.exit_code = 3;
	j.start_time_ms = 1000;
	j.end_time_ms = 3500;
	o = sched_cli_job_json(&j);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "job_id")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "TIMED_OUT");
	assert_string_equal(json_string_value(json_object_get(o, "node")), "n1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "args"), 1)), "hello");
	assert_int_equal(json_integer_value(json_object_get(o, "attempts")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "exit_code")), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "elapsed_ms")), 2500);
	assert_true(json_is_null(json_object_get(o, "submit_time_ms")));
	json_decref(o);
	for (int s = ACHERON__JOB_STATE__JOB_PENDING; s <= ACHERON__JOB_STATE__JOB_NODE_FAIL; s++)
		assert_int_equal(sched_cli_job_final(s), s >= ACHERON__JOB_STATE__JOB_COMPLETED);
	assert_string_equal(sched_cli_job_state(ACHERON__JOB_STATE__JOB_NODE_FAIL), "NODE_FAIL");
	assert_string_equal(sched_cli_node_state(ACHERON__NODE_STATE__NODE_DRAINING), "DRAINING");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_missing_certificates),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_submit_checks_module),
		cmocka_unit_test(test_reason_clean),
		cmocka_unit_test(test_client_open_errors),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_job_json),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("scheduler/cli", tests, setup, teardown);
}
