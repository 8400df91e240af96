/*
 * Builtins that block (sys->sleep, sys->read on an empty pipe) suspend
 * only their own Dis thread: the others go on. The program is Limbo
 * (tests/vm/limbo/sleepy.b), compiled by Inferno's limbo.dis on this VM.
 */
#include "tests/vm/limbo.h"

static void
test_sleep_and_read_release_other_threads(void **state)
{
	RunResult r;

	limbo_compile("sleepy");
	{
		char *argv[] = {"bin/dis-run", LIMBO_ROOT "/sleepy.dis", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	assert_int_equal(r.status, 0);
	/* worker's 2 arrives while sleeper sleeps; reader waits for writer */
	assert_string_equal(r.out, "worker\n2 1\nwriter\nreader got hi\nread 2\n");
	run_free(&r);
}

TEST_MAIN("vm/blocking",
          cmocka_unit_test(test_sleep_and_read_release_other_threads))
