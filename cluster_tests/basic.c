/*
 * A scheduler and two nodes on 127.0.0.1, used as a user uses them: a job
 * runs and its output, result files and state come back; unsigned and
 * tampered modules are refused with a clear error; a client whose
 * certificate is not allowed is refused; cancel, timeout and a CPU limit stop
 * a running task; logs --follow streams; a drained node gets no work; a job needing a capability no node has waits until such a node
 * joins; garbage and truncated frames leave the scheduler serving.
 */
#include "tests/test.h"
#include "cluster_tests/cluster.h"

#include <zmq.h>

#include "proto/proto.h"

static Cluster cl;

static int
setup(void **state)
{
	cluster_init(&cl, "basic");
	if (cluster_start_sched(&cl, "tcp://127.0.0.1:0") != 0)
		return -1;
	cluster_start_node(&cl, "n1", 2, NULL);
	cluster_start_node(&cl, "n2", 2, NULL);
	return cluster_node_ready(&cl, 0, 5000) && cluster_node_ready(&cl, 1, 5000) ? 0 : -1;
}

static int
teardown(void **state)
{
	cluster_stop(&cl);
	return 0;
}

static void
test_job_runs(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--", "10", "hello", "world", NULL);
	char ids[32];
	RunResult r;

	assert_true(id > 0);
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(20000, "wait", ids, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = cluster_client(10000, "logs", ids, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "slept 10 hello world\n");
	run_free(&r);

	json_t *j = cluster_status(id), *job;
	assert_non_null(j);
	job = cluster_job(j);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "COMPLETED");
	assert_int_equal(json_integer_value(json_object_get(job, "exit_code")), 0);
	json_decref(j);
}

static void
test_submit_wait_and_result_files(void **state)
{
	char out[400], file[500];
	RunResult r;
	unsigned long id = cluster_submit(&cl, "files.dis", "--", "alpha", "beta", NULL);
	char ids[32];

	assert_true(id > 0);
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(20000, "wait", ids, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(out, sizeof out, "%s/results", cl.dir);
	r = cluster_client(10000, "result", ids, "-o", out, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(file, sizeof file, "%s/result.txt", out);
	char *text = cluster_slurp(file);
	assert_string_equal(text, "alpha\nbeta\n");
	free(text);
}

static void
test_unsigned_refused(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep-unsigned.dis", NULL);
	json_t *j;
	const char *e;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "FAILED", 10000));
	j = cluster_status(id);
	e = json_string_value(json_object_get(cluster_job(j), "error"));
	assert_non_null(e);
	assert_non_null(strstr(e, "not signed"));
	json_decref(j);
}

static void
test_tampered_refused(void **state)
{
	char path[400];
	unsigned long id;
	FILE *f;
	long size;
	int ch;

	/* Change one byte near the end (the data section) of a signed copy. */
	cluster_sh("cp %s/sleep.dis %s/tampered.dis", cl.dir, cl.dir);
	snprintf(path, sizeof path, "%s/tampered.dis", cl.dir);
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size - 3, SEEK_SET);
	ch = fgetc(f);
	fseek(f, size - 3, SEEK_SET);
	fputc(ch ^ 0x20, f);
	fclose(f);
	id = cluster_submit(&cl, "tampered.dis", NULL);
	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "FAILED", 10000));
	json_t *j = cluster_status(id);
	const char *e = json_string_value(json_object_get(cluster_job(j), "error"));
	assert_non_null(e);
	assert_true(strstr(e, "signature") != NULL || strstr(e, "sign") != NULL);
	json_decref(j);
}

static void
test_client_not_allowed(void **state)
{
	char cert[400], saved[400], log[400];
	RunResult r;

	snprintf(saved, sizeof saved, "%s", getenv("ACHERON_CERT"));
	snprintf(cert, sizeof cert, "%s/other/stranger.curve", cl.dir);
	setenv("ACHERON_CERT", cert, 1);
	r = cluster_client(10000, "nodes", "--request-timeout", "700", NULL);
	setenv("ACHERON_CERT", saved, 1);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "no answer"));
	run_free(&r);
	snprintf(log, sizeof log, "%s/sched.log", cl.dir);
	assert_true(cluster_wait_file(log, "not in the allow list", 2000));
}

static void
test_cancel_running(void **state)
{
	unsigned long id = cluster_submit(&cl, "spin.dis", NULL);
	char ids[32];
	RunResult r;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "RUNNING", 10000));
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(10000, "cancel", ids, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_true(cluster_wait_state(id, "CANCELLED", 5000));
	/* The task's process is gone: no dis-run is left spinning. */
	long end = run_now_ms() + 5000;
	int left;
	do {
		left = cluster_count_procs("dis-run", "/basic/n1/") + cluster_count_procs("dis-run", "/basic/n2/");
		if (left)
			usleep(50000);
	} while (left && run_now_ms() < end);
	assert_false(left);
	/* A cancelled job cannot be cancelled again. */
	r = cluster_client(10000, "cancel", ids, NULL);
	assert_int_equal(r.status, 1);
	run_free(&r);
}

static void
test_timeout(void **state)
{
	unsigned long id = cluster_submit(&cl, "spin.dis", "--timeout", "1", NULL);
	char ids[32];
	RunResult r;

	assert_true(id > 0);
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(20000, "wait", ids, NULL);
	assert_int_equal(r.status, 1);
	run_free(&r);
	assert_string_equal(cluster_state(id), "TIMED_OUT");
}

static void
test_cpu_limit(void **state)
{
	unsigned long id = cluster_submit(&cl, "spin.dis", "--cpu", "1", NULL);
	json_t *j;
	const char *e;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "FAILED", 15000));
	j = cluster_status(id);
	e = json_string_value(json_object_get(cluster_job(j), "error"));
	assert_non_null(e);
	assert_non_null(strstr(e, "CPU time limit"));
	json_decref(j);
}

/* The main job, with a memory limit: dis-run's heap quota and the address
 * space rule of dis-node(1) leave it enough. */
static void
test_fashion_with_memory_limit(void **state)
{
	unsigned long id = cluster_submit(&cl, "train.dis", "--memory", "256m", "--", "-e", "1", "-n", "2000",
					  "/usr/share/datasets/fashion-mnist", NULL);
	char ids[32];
	RunResult r;

	assert_true(id > 0);
	snprintf(ids, sizeof ids, "%lu", id);
	r = cluster_client(60000, "wait", ids, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = cluster_client(10000, "logs", ids, NULL);
	assert_non_null(strstr(r.out, "epoch 1  loss"));
	run_free(&r);
}

static void
test_logs_follow(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--", "600", "streamed", NULL);
	char ids[32];
	RunResult r;
	long t0 = run_now_ms();

	assert_true(id > 0);
	snprintf(ids, sizeof ids, "%lu", id);
	/* Started before the job has printed anything; ends when it finishes. */
	r = cluster_client(20000, "logs", "--follow", ids, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "slept 600 streamed\n");
	assert_true(run_now_ms() - t0 >= 500);
	run_free(&r);
}

static void
test_drain(void **state)
{
	unsigned long ids[4];
	RunResult r = cluster_client(10000, "drain", "n2", NULL);

	assert_int_equal(r.status, 0);
	run_free(&r);
	for (int i = 0; i < 4; i++)
		assert_true((ids[i] = cluster_submit(&cl, "sleep.dis", "--", "50", NULL)) > 0);
	for (int i = 0; i < 4; i++) {
		json_t *j;
		assert_true(cluster_wait_state(ids[i], "COMPLETED", 10000));
		j = cluster_status(ids[i]);
		assert_string_equal(json_string_value(json_object_get(cluster_job(j), "node")), "n1");
		json_decref(j);
	}
	r = cluster_client(10000, "drain", "n2", "--resume", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = cluster_client(10000, "drain", "nosuchnode", NULL);
	assert_int_equal(r.status, 1);
	run_free(&r);
}

static void
test_capability_waits(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--require", "gpu", "--", "0", NULL);
	const char *caps[] = {"gpu", NULL};
	int k;
	json_t *j;

	assert_true(id > 0);
	usleep(1000000);
	assert_string_equal(cluster_state(id), "PENDING");
	k = cluster_start_node(&cl, "g1", 1, caps);
	assert_true(cluster_node_ready(&cl, k, 5000));
	assert_true(cluster_wait_state(id, "COMPLETED", 10000));
	j = cluster_status(id);
	assert_string_equal(json_string_value(json_object_get(cluster_job(j), "node")), "g1");
	json_decref(j);
}

static void
test_garbage_frames(void **state)
{
	void *ctx = zmq_ctx_new(), *s;
	ProtoCert mine, server;
	AcErr err;
	char path[400];
	uint8_t junk[300];

	snprintf(path, sizeof path, "%s/client.curve", cl.dir);
	assert_int_equal(proto_cert_load(&mine, path, &err), AC_OK);
	snprintf(path, sizeof path, "%s/sched.curve.pub", cl.dir);
	assert_int_equal(proto_cert_load(&server, path, &err), AC_OK);
	s = proto_client_socket(ctx, cl.endpoint, &mine, server.public_key, NULL, &err);
	assert_non_null(s);
	srand(11);
	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(rand() % (int)sizeof junk);
		for (size_t k = 0; k < n; k++)
			junk[k] = (uint8_t)rand();
		if (i % 7 == 0)
			zmq_send(s, junk, n, ZMQ_SNDMORE);  /* extra frames */
		zmq_send(s, junk, n, 0);
	}
	{
		/* A valid envelope cut short, and node messages from a stranger. */
		Acheron__Msg m;
		Acheron__TaskResult tr;
		uint8_t buf[128];
		size_t n;
		acheron__msg__init(&m);
		acheron__task_result__init(&tr);
		m.version = PROTO_VERSION;
		m.body_case = ACHERON__MSG__BODY_TASK_RESULT;
		m.task_result = &tr;
		tr.job_id = 1;
		tr.attempt = 1;
		tr.status = ACHERON__TASK_STATUS__TASK_EXITED;
		n = acheron__msg__pack(&m, buf);
		for (size_t cut = 1; cut < n; cut++)
			zmq_send(s, buf, cut, 0);
		zmq_send(s, buf, n, 0);
	}
	usleep(300000);
	zmq_close(s);
	zmq_ctx_term(ctx);
	/* Still serving, and what was done is intact. */
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--", "0", "after", NULL);
	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "COMPLETED", 10000));
	assert_int_equal(waitpid(cl.sched, NULL, WNOHANG), 0);
	snprintf(path, sizeof path, "%s/sched.log", cl.dir);
	assert_true(cluster_wait_file(path, "malformed", 1000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_runs),
		cmocka_unit_test(test_submit_wait_and_result_files),
		cmocka_unit_test(test_unsigned_refused),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_client_not_allowed),
		cmocka_unit_test(test_cancel_running),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_fashion_with_memory_limit),
		cmocka_unit_test(test_logs_follow),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_capability_waits),
		cmocka_unit_test(test_garbage_frames),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("cluster basic", tests, setup, teardown);
}
