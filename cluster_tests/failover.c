/*
 * Failures: a node killed with SIGKILL mid-task has its task finished by
 * another; a stopped node (SIGSTOP) is declared dead within liveness x
 * interval + 1 s and comes back when continued; a scheduler killed with
 * SIGKILL mid-queue and restarted on the same database loses no job and
 * runs none twice.
 */
#include "tests/test.h"
#include "cluster_tests/cluster.h"

static Cluster cl;

static int
setup(void **state)
{
	cluster_init(&cl, "failover");
	if (cluster_start_sched(&cl, "tcp://127.0.0.1:0") != 0)
		return -1;
	cluster_start_node(&cl, "f1", 1, NULL);
	cluster_start_node(&cl, "f2", 1, NULL);
	return cluster_node_ready(&cl, 0, 5000) && cluster_node_ready(&cl, 1, 5000) ? 0 : -1;
}

static int
teardown(void **state)
{
	cluster_stop(&cl);
	return 0;
}

static int
node_index(const char *id)
{
	for (int k = 0; k < cl.n_nodes; k++)
		if (strcmp(cl.node_ids[k], id) == 0)
			return k;
	return -1;
}

/* The state of node id in `nodes --json`, or "" (static buffer). */
static const char *
node_state(const char *id)
{
	static char st[32];
	RunResult r = cluster_client(5000, "nodes", "--json", NULL);
	json_t *j = r.status == 0 ? json_loads(r.out, 0, NULL) : NULL;
	json_t *nodes = json_is_array(j) ? j : json_object_get(j, "nodes");
	size_t i;
	json_t *n;

	st[0] = 0;
	json_array_foreach(nodes, i, n) {
		const char *nid = json_string_value(json_object_get(n, "node"));
		if (nid == NULL)
			nid = json_string_value(json_object_get(n, "node_id"));
		if (nid != NULL && strcmp(nid, id) == 0)
			snprintf(st, sizeof st, "%s", json_string_value(json_object_get(n, "state")));
	}
	json_decref(j);
	run_free(&r);
	return st;
}

static void
test_node_killed_mid_task(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--", "1500", "survivor", NULL);
	json_t *j;
	char node[64];
	int k;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "RUNNING", 10000));
	j = cluster_status(id);
	snprintf(node, sizeof node, "%s", json_string_value(json_object_get(cluster_job(j), "node")));
	json_decref(j);
	k = node_index(node);
	assert_true(k >= 0);
	kill(cl.nodes[k], SIGKILL);
	waitpid(cl.nodes[k], NULL, 0);
	cl.nodes[k] = 0;
	assert_true(cluster_wait_state(id, "COMPLETED", 20000));
	j = cluster_status(id);
	assert_string_not_equal(json_string_value(json_object_get(cluster_job(j), "node")), node);
	assert_int_equal(json_integer_value(json_object_get(cluster_job(j), "attempts")), 2);
	json_decref(j);
	{
		char ids[32];
		RunResult r;
		snprintf(ids, sizeof ids, "%lu", id);
		r = cluster_client(10000, "logs", ids, NULL);
		assert_string_equal(r.out, "slept 1500 survivor\n");
		run_free(&r);
	}
	/* Bring the lost node back for the next tests, under a new id. */
	k = cluster_start_node(&cl, "f3", 1, NULL);
	assert_true(cluster_node_ready(&cl, k, 5000));
}

static void
test_stopped_node_declared_dead(void **state)
{
	int k = node_index("f3");
	long t0, dead_ms = -1, limit = CLUSTER_HEARTBEAT_MS * CLUSTER_LIVENESS + 1000;
	char log[400];

	assert_true(k >= 0);
	assert_string_equal(node_state("f3"), "IDLE");
	kill(cl.nodes[k], SIGSTOP);
	t0 = run_now_ms();
	while (run_now_ms() - t0 < limit + 2000) {
		if (strcmp(node_state("f3"), "DEAD") == 0) {
			dead_ms = run_now_ms() - t0;
			break;
		}
		usleep(20000);
	}
	fprintf(stderr, "# declared dead after %ld ms (limit %ld)\n", dead_ms, limit);
	assert_true(dead_ms >= 0);
	assert_true(dead_ms <= limit);
	kill(cl.nodes[k], SIGCONT);
	/* Continued, it finds itself forgotten and registers again. */
	snprintf(log, sizeof log, "%s/f3.log", cl.dir);
	long end = run_now_ms() + 10000;
	while (strcmp(node_state("f3"), "IDLE") != 0 && run_now_ms() < end)
		usleep(50000);
	assert_string_equal(node_state("f3"), "IDLE");
}

#define RESTART_JOBS 24

static void
test_scheduler_killed_and_restarted(void **state)
{
	unsigned long ids[RESTART_JOBS];
	char tag[16];

	for (int i = 0; i < RESTART_JOBS; i++) {
		snprintf(tag, sizeof tag, "r%d", i);
		ids[i] = cluster_submit(&cl, "sleep.dis", "--", "150", tag, NULL);
		assert_true(ids[i] > 0);
	}
	usleep(700000);  /* some done, some running, some queued */
	kill(cl.sched, SIGKILL);
	waitpid(cl.sched, NULL, 0);
	cl.sched = 0;
	usleep(300000);
	assert_int_equal(cluster_start_sched(&cl, cl.endpoint), 0);
	for (int i = 0; i < RESTART_JOBS; i++) {
		json_t *j;
		assert_true(cluster_wait_state(ids[i], "COMPLETED", 30000));
		j = cluster_status(ids[i]);
		/* No node was lost: a second attempt would mean a second run. */
		assert_int_equal(json_integer_value(json_object_get(cluster_job(j), "attempts")), 1);
		json_decref(j);
	}
	/* Each job's output once. */
	for (int i = 0; i < RESTART_JOBS; i += 5) {
		char ids_s[32], want[64];
		RunResult r;
		snprintf(ids_s, sizeof ids_s, "%lu", ids[i]);
		snprintf(want, sizeof want, "slept 150 r%d\n", i);
		r = cluster_client(10000, "logs", ids_s, NULL);
		assert_string_equal(r.out, want);
		run_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_killed_mid_task),
		cmocka_unit_test(test_stopped_node_declared_dead),
		cmocka_unit_test(test_scheduler_killed_and_restarted),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("cluster failover", tests, setup, teardown);
}
