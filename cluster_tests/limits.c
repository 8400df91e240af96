/*
 * Node defaults: a job that sets no limits still runs under the node's
 * (dis-node join --default-timeout, --default-max-instructions,
 * --default-max-threads, --default-max-output), so no task runs
 * unbounded. A real scheduler and node on 127.0.0.1.
 */
#include "tests/test.h"
#include "cluster_tests/cluster.h"

static Cluster cl;

static int
setup(void **state)
{
	cluster_init(&cl, "limits");
	cl.node_args[0] = "--default-timeout";
	cl.node_args[1] = "1";
	cl.node_args[2] = "--default-max-instructions";
	cl.node_args[3] = "100000";
	cl.node_args[4] = "--default-max-threads";
	cl.node_args[5] = "4";
	cl.node_args[6] = "--default-max-output";
	cl.node_args[7] = "1m";
	if (cluster_start_sched(&cl, "tcp://127.0.0.1:0") != 0)
		return -1;
	cluster_start_node(&cl, "l1", 2, NULL);
	return cluster_node_ready(&cl, 0, 5000) ? 0 : -1;
}

static int
teardown(void **state)
{
	cluster_stop(&cl);
	return 0;
}

static char *
reason_of(unsigned long id)
{
	json_t *j = cluster_status(id);
	const char *e = j != NULL ? json_string_value(json_object_get(cluster_job(j), "reason")) : NULL;
	char *s = strdup(e != NULL ? e : "");

	json_decref(j);
	return s;
}

/* A job with no timeout that sleeps 5 s ends TIMED_OUT after the node's
 * default of 1 s. */
static void
test_default_timeout(void **state)
{
	unsigned long id = cluster_submit(&cl, "sleep.dis", "--", "5000", NULL);
	long t0 = run_now_ms();
	char *why;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "TIMED_OUT", 10000));
	assert_true(run_now_ms() - t0 < 4500);
	why = reason_of(id);
	assert_string_equal(why, "timeout after 1000 ms");
	free(why);
}

/* A spinning job ends FAILED on the node's instruction budget, long
 * before the wall clock. */
static void
test_default_budget(void **state)
{
	unsigned long id = cluster_submit(&cl, "spin.dis", NULL);
	char *why;

	assert_true(id > 0);
	assert_true(cluster_wait_state(id, "FAILED", 10000));
	why = reason_of(id);
	fprintf(stderr, "# reason: %s\n", why);
	assert_non_null(strstr(why, "instruction budget of 100000 exhausted"));
	free(why);
}

/* A job that spawns 100 threads, and one that prints without end, end
 * FAILED on the node's thread and output limits. */
static void
test_default_threads_and_output(void **state)
{
	static const char *const mode[2] = {"threads", "output"};
	static const char *const want[2] = {"thread limit of 4 exceeded", "output limit of 1048576 bytes exceeded"};

	for (int k = 0; k < 2; k++) {
		unsigned long id = cluster_submit(&cl, "hog.dis", "--", mode[k], NULL);
		char *why;
		assert_true(id > 0);
		assert_true(cluster_wait_state(id, "FAILED", 10000));
		why = reason_of(id);
		fprintf(stderr, "# reason: %s\n", why);
		assert_non_null(strstr(why, want[k]));
		free(why);
	}
}

TEST_MAIN("cluster/limits",
          cmocka_unit_test_setup_teardown(test_default_timeout, setup, teardown),
          cmocka_unit_test_setup_teardown(test_default_budget, setup, teardown),
          cmocka_unit_test_setup_teardown(test_default_threads_and_output, setup, teardown))
