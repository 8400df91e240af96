/*
 * Builtins that block (sys->sleep, sys->read on an empty pipe) suspend
 * only their own Dis thread: the others go on. The program is Limbo
 * (tests/vm/limbo/sleepy.b), compiled by Inferno's limbo.dis on this VM
 * and by bin/limbo.
 */
#include "tests/vm/limbo.h"

static void
run_sleepy(const char *dis)
{
	RunResult r;

	{
		char *argv[] = {"bin/dis-run", (char *)dis, NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	if (r.status != 0)
		print_error("%s: %s\n", dis, r.err);
	assert_int_equal(r.status, 0);
	/* worker's 2 arrives while sleeper sleeps; reader waits for writer */
	assert_string_equal(r.out, "worker\n2 1\nwriter\nreader got hi\nread 2\n");
	run_free(&r);
}

static void
test_sleep_and_read_release_other_threads(void **state)
{
	(void)state;
	limbo_compile("sleepy");
	run_sleepy(LIMBO_ROOT "/sleepy.dis");
}

static void
test_sleep_and_read_release_other_threads_ours(void **state)
{
	(void)state;
	limbo_compile_ours("sleepy");
	run_sleepy(LIMBO_OURS "/sleepy.dis");
}

TEST_MAIN("vm/blocking",
          inferno_unit_test(test_sleep_and_read_release_other_threads),
          cmocka_unit_test(test_sleep_and_read_release_other_threads_ours))
