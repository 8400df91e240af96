/*
 * What a user is told, and when: submit refuses what the cluster could
 * never run (a text file, a truncated or unsigned module) before any job
 * exists, and the scheduler refuses it too when a client skips the check
 * (serve --require-signed); every job that ends FAILED, TIMED_OUT or
 * NODE_FAIL says why in status (REASON) and status --json ("reason"); a
 * second scheduler on the same database is refused while the first serves
 * on; nodes --wait N waits for N nodes, and gives up after --timeout.
 */
#include "tests/test.h"
#include "cluster_tests/cluster.h"

#include "scheduler/sched.h"

static Cluster cl;
static char trust[300];

static int
setup(void **state)
{
	cluster_init(&cl, "reasons");
	snprintf(trust, sizeof trust, "%s/trust", cl.dir);
	cl.sched_args[0] = "--require-signed";
	cl.sched_args[1] = "--trust";
	cl.sched_args[2] = trust;
	if (cluster_start_sched(&cl, "tcp://127.0.0.1:0") != 0)
		return -1;
	cluster_start_node(&cl, "r1", 2, NULL);
	cluster_start_node(&cl, "r2", 2, NULL);
	return cluster_node_ready(&cl, 0, 5000) && cluster_node_ready(&cl, 1, 5000) ? 0 : -1;
}

static int
teardown(void **state)
{
	cluster_stop(&cl);
	return 0;
}

/* Exactly one line on stderr that starts with prefix and contains want. */
static void
assert_one_line(const RunResult *r, const char *prefix, const char *want)
{
	if (strncmp(r->err, prefix, strlen(prefix)) != 0 || strchr(r->err, '\n') != r->err + r->errlen - 1 ||
	    strstr(r->err, want) == NULL) {
		print_error("stderr was [%s], status %d; want one line [%s...%s]\n", r->err, r->status, prefix, want);
		fail();
	}
}

/* How many jobs the scheduler has. */
static size_t
job_count(void)
{
	RunResult r = cluster_client(10000, "status", "--json", NULL);
	json_t *j = r.status == 0 ? json_loads(r.out, 0, NULL) : NULL;
	size_t n;

	assert_non_null(j);
	n = json_array_size(json_object_get(j, "jobs"));
	json_decref(j);
	run_free(&r);
	return n;
}

static void
test_submit_refuses_bad_modules(void **state)
{
	const char *const files[][3] = {
		/* file, --trust or NULL, what the line says */
		{"train.txt", NULL, "not a Dis module: offset 0x0: bad magic"},
		{"trunc.dis", NULL, "not a Dis module: offset 0x"},
		{"sleep-unsigned.dis", "--trust", "not signed"},
	};
	size_t before = job_count();

	cluster_sh("echo 'epochs 3' > %s/train.txt && head -c 100 %s/sleep.dis > %s/trunc.dis", cl.dir, cl.dir,
		   cl.dir);
	for (size_t i = 0; i < 3; i++) {
		char path[400], prefix[500];
		RunResult r;
		snprintf(path, sizeof path, "%s/%s", cl.dir, files[i][0]);
		if (files[i][1] != NULL)
			r = cluster_client(10000, "submit", "--trust", trust, path, NULL);
		else
			r = cluster_client(10000, "submit", path, NULL);
		assert_int_equal(r.status, 1);
		snprintf(prefix, sizeof prefix, "dis-sched: %s: ", path);
		assert_one_line(&r, prefix, files[i][2]);
		assert_string_equal(r.out, "");
		run_free(&r);
	}
	assert_int_equal(job_count(), before);
}

/* The scheduler's policy holds without the client's help: an unsigned
 * module submitted without --trust, and a text file sent past the
 * client's check, are refused with the reason the client prints. */
static void
test_scheduler_checks_too(void **state)
{
	char path[400];
	size_t before = job_count();
	RunResult r;

	snprintf(path, sizeof path, "%s/sleep-unsigned.dis", cl.dir);
	r = cluster_client(10000, "submit", path, NULL);
	assert_int_equal(r.status, 1);
	assert_one_line(&r, "dis-sched: sleep-unsigned.dis: ", "not signed");
	run_free(&r);

	SchedClient *c = sched_client_open(cl.endpoint, getenv("ACHERON_CERT"), getenv("ACHERON_SERVER_KEY"), 5000,
					   NULL);
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	Acheron__SubmitRequest sr = ACHERON__SUBMIT_REQUEST__INIT;
	uint8_t token[16] = {7, 7, 7};
	char text[] = "not a module at all\n";
	AcErr err;

	assert_non_null(c);
	sr.module.data = (uint8_t *)text;
	sr.module.len = strlen(text);
	sr.module_name = "notes.txt";
	sr.token.data = token;
	sr.token.len = sizeof token;
	req.body_case = ACHERON__MSG__BODY_SUBMIT;
	req.submit = &sr;
	m = sched_client_call(c, &req, &err);
	assert_non_null(m);
	assert_int_equal(m->body_case, ACHERON__MSG__BODY_REPLY);
	assert_false(m->reply->ok);
	assert_non_null(strstr(m->reply->error, "notes.txt: not a Dis module"));
	acheron__msg__free_unpacked(m, NULL);
	sched_client_close(c);
	assert_int_equal(job_count(), before);
}

/* The reason of job id, from status --json; asserts it is in the table too. */
static char *
reason_of(unsigned long id)
{
	char ids[32];
	json_t *j = cluster_status(id);
	const char *e = j != NULL ? json_string_value(json_object_get(cluster_job(j), "reason")) : NULL;
	char *s = strdup(e != NULL ? e : "");
	RunResult r;

	json_decref(j);
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(10000, "status", ids, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "REASON"));
	if (s[0] && strstr(r.out, s) == NULL) {
		print_error("status table [%s] lacks the reason [%s]\n", r.out, s);
		fail();
	}
	run_free(&r);
	return s;
}

static void
test_failed_job_says_why(void **state)
{
	/* The main job, pointed at a dataset directory that is not there:
	 * its own error line (the line before its usage) is the reason, with
	 * the node's cache path written as the name submitted. */
	unsigned long id = cluster_submit(&cl, "train.dis", "--", "-e", "1", "/nonexistent-data", NULL);
	char *why;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "FAILED", 20000));
	why = reason_of(id);
	fprintf(stderr, "# reason: %s\n", why);
	assert_int_equal(strncmp(why, "train: ", 7), 0);
	assert_non_null(strstr(why, "/nonexistent-data"));
	assert_true(strlen(why) < SCHED_MAX_REASON_BYTES);
	free(why);

	id = cluster_submit(&cl, "sleep.dis", "--timeout", "0.3", "--", "5000", NULL);
	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "TIMED_OUT", 10000));
	why = reason_of(id);
	assert_string_equal(why, "timeout after 300 ms");
	free(why);
}

static void
test_node_fail_says_which_node(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--retries", "0", "--", "8000", NULL);
	json_t *j;
	const char *node;
	char *why, want[128];
	int k = -1;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "RUNNING", 10000));
	j = cluster_status(id);
	node = json_string_value(json_object_get(cluster_job(j), "node"));
	assert_non_null(node);
	for (int i = 0; i < cl.n_nodes; i++)
		if (strcmp(cl.node_ids[i], node) == 0)
			k = i;
	snprintf(want, sizeof want, "node %s missed heartbeats", node);
	json_decref(j);
	assert_true(k >= 0);
	kill(cl.nodes[k], SIGSTOP);
	assert_true(cluster_wait_state(id, "NODE_FAIL", 5000));
	kill(cl.nodes[k], SIGCONT);
	why = reason_of(id);
	assert_non_null(strstr(why, want));
	free(why);
}

static void
test_second_scheduler_refused(void **state)
{
	char db[300], cert[300], allow[300], want[64];
	RunResult r;

	snprintf(db, sizeof db, "%s/sched.db", cl.dir);
	snprintf(cert, sizeof cert, "%s/sched.curve", cl.dir);
	snprintf(allow, sizeof allow, "%s/allow", cl.dir);
	char *argv[] = {"bin/dis-sched", "serve", "--bind", "tcp://127.0.0.1:0", "--db", db, "--cert", cert,
			"--allow", allow, NULL};
	r = run_cmd(argv, NULL, 10000);
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof want, "(pid %d)", (int)cl.sched);
	assert_one_line(&r, "dis-sched: ", "sched.db: in use by another scheduler");
	assert_non_null(strstr(r.err, want));
	run_free(&r);
	/* The first serves on. */
	r = cluster_client(10000, "nodes", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void
test_nodes_wait(void **state)
{
	RunResult r;
	long t0;

	r = cluster_client(15000, "nodes", "--wait", "2", "--timeout", "10000", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "NODE "));
	run_free(&r);
	t0 = run_now_ms();
	r = cluster_client(15000, "nodes", "--wait", "5", "--timeout", "600", NULL);
	assert_int_equal(r.status, 1);
	assert_one_line(&r, "dis-sched: ", "of 5 nodes registered after 600 ms");
	assert_true(run_now_ms() - t0 < 5000);
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_refuses_bad_modules),
		cmocka_unit_test(test_scheduler_checks_too),
		cmocka_unit_test(test_failed_job_says_why),
		cmocka_unit_test(test_second_scheduler_refused),
		cmocka_unit_test(test_nodes_wait),
		cmocka_unit_test(test_node_fail_says_which_node),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("cluster/reasons", tests, setup, teardown);
}
