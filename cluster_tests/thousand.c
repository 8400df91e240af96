/*
 * 1,000 small jobs through one scheduler and three nodes: every job
 * completes, once (one attempt each), and every node takes a share.
 */
#include "tests/test.h"
#include "cluster_tests/cluster.h"

#include "scheduler/sched.h"

#define JOBS 1000

static Cluster cl;

static void
test_thousand_jobs(void **state)
{
	SchedClient *c;
	AcErr err;
	uint8_t *mod;
	size_t modlen;
	char path[400], cert[400], key[400], tag[32];
	uint64_t ids[JOBS];
	long t0;

	cluster_init(&cl, "thousand");
	assert_int_equal(cluster_start_sched(&cl, "tcp://127.0.0.1:0"), 0);
	for (int k = 0; k < 3; k++) {
		char id[8];
		snprintf(id, sizeof id, "t%d", k + 1);
		cluster_start_node(&cl, id, 2, NULL);
	}
	for (int k = 0; k < 3; k++)
		assert_true(cluster_node_ready(&cl, k, 5000));
	snprintf(path, sizeof path, "%s/sleep.dis", cl.dir);
	assert_int_equal(ac_file_read(path, &mod, &modlen, &err), AC_OK);
	snprintf(cert, sizeof cert, "%s/client.curve", cl.dir);
	snprintf(key, sizeof key, "%s/sched.curve.pub", cl.dir);
	c = sched_client_open(cl.endpoint, cert, key, 10000, &err);
	assert_non_null(c);
	t0 = run_now_ms();
	for (int i = 0; i < JOBS; i++) {
		Acheron__Msg m, *reply;
		Acheron__SubmitRequest s;
		uint8_t token[16] = {0};
		char *args[2] = {"0", tag};
		acheron__msg__init(&m);
		acheron__submit_request__init(&s);
		m.body_case = ACHERON__MSG__BODY_SUBMIT;
		m.submit = &s;
		s.module.data = mod;
		s.module.len = modlen;
		s.module_name = "sleep.dis";
		snprintf(tag, sizeof tag, "job%d", i);
		s.args = args;
		s.n_args = 2;
		s.retries = 3;
		memcpy(token, &t0, sizeof t0);
		memcpy(token + 8, &i, sizeof i);
		s.token.data = token;
		s.token.len = 16;
		reply = sched_client_call(c, &m, &err);
		if (reply == NULL)
			print_error("submit %d: %s\n", i, err.msg);
		assert_non_null(reply);
		assert_int_equal(reply->body_case, ACHERON__MSG__BODY_SUBMIT_REPLY);
		ids[i] = reply->submit_reply->job_id;
		assert_true(ids[i] > 0);
		assert_true(i == 0 || ids[i] != ids[i - 1]);
		acheron__msg__free_unpacked(reply, NULL);
	}
	fprintf(stderr, "# submitted %d jobs in %ld ms\n", JOBS, run_now_ms() - t0);

	int done = 0, completed = 0, once = 0, per_node[3] = {0, 0, 0};
	long end = run_now_ms() + 180000;
	while (done < JOBS && run_now_ms() < end) {
		Acheron__Msg m, *reply;
		Acheron__StatusRequest s;
		acheron__msg__init(&m);
		acheron__status_request__init(&s);
		m.body_case = ACHERON__MSG__BODY_STATUS;
		m.status = &s;
		s.limit = 2 * JOBS;
		reply = sched_client_call(c, &m, &err);
		assert_non_null(reply);
		assert_int_equal(reply->body_case, ACHERON__MSG__BODY_STATUS_REPLY);
		done = completed = once = 0;
		per_node[0] = per_node[1] = per_node[2] = 0;
		for (size_t k = 0; k < reply->status_reply->n_jobs; k++) {
			Acheron__JobInfo *j = reply->status_reply->jobs[k];
			if (j->state >= ACHERON__JOB_STATE__JOB_COMPLETED)
				done++;
			if (j->state == ACHERON__JOB_STATE__JOB_COMPLETED && j->exit_code == 0)
				completed++;
			if (j->attempts == 1)
				once++;
			if (strlen(j->node_id) == 2 && j->node_id[0] == 't' && j->node_id[1] >= '1' && j->node_id[1] <= '3')
				per_node[j->node_id[1] - '1']++;
		}
		acheron__msg__free_unpacked(reply, NULL);
		if (done < JOBS)
			usleep(200000);
	}
	fprintf(stderr, "# %d of %d done in %ld ms; per node %d %d %d\n", done, JOBS, run_now_ms() - t0, per_node[0],
		per_node[1], per_node[2]);
	assert_int_equal(done, JOBS);
	assert_int_equal(completed, JOBS);
	assert_int_equal(once, JOBS);
	for (int k = 0; k < 3; k++)
		assert_true(per_node[k] > 0);
	sched_client_close(c);
	free(mod);
	cluster_stop(&cl);
}

TEST_MAIN("cluster 1000 jobs", cmocka_unit_test(test_thousand_jobs))
