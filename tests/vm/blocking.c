/*
 * Builtins that block (sys->sleep, sys->read on an empty pipe) suspend
 * only their own Dis thread: the others go on. The program is Limbo
 * (tests/vm/limbo/sleepy.b), compiled by Inferno's limbo.dis on this VM.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <sys/stat.h>

#define ROOT "build/tests/vm/lroot"

static void
link_into_root(const char *name, const char *target)
{
	char path[512];

	snprintf(path, sizeof path, ROOT "/%s", name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static void
test_sleep_and_read_release_other_threads(void **state)
{
	char cwd[1024], inf[1200], tgt[1300], bin[1100], root[1100];
	RunResult r;

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(inf, sizeof inf, "%s%s%s", inferno_dir()[0] == '/' ? "" : cwd, inferno_dir()[0] == '/' ? "" : "/",
	         inferno_dir());
	mkdir(ROOT, 0755);
	snprintf(tgt, sizeof tgt, "%s/module", inf);
	link_into_root("module", tgt);
	snprintf(tgt, sizeof tgt, "%s/dis", inf);
	link_into_root("dis", tgt);
	snprintf(tgt, sizeof tgt, "%s/tests/vm/limbo", cwd);
	link_into_root("src", tgt);
	snprintf(bin, sizeof bin, "%s/bin/dis-run", cwd);
	snprintf(root, sizeof root, "%s/" ROOT, cwd);
	assert_int_equal(chdir(ROOT), 0);
	{
		char *argv[] = {bin, "-r", root, "/dis/limbo.dis", "-I/module", "-gw", "/src/sleepy.b", NULL};
		r = run_cmd(argv, NULL, 60000);
	}
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	{
		char *argv[] = {bin, ROOT "/sleepy.dis", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	assert_int_equal(r.status, 0);
	/* worker's 2 arrives while sleeper sleeps; reader waits for writer */
	assert_string_equal(r.out, "worker\n2 1\nwriter\nreader got hi\nread 2\n");
	run_free(&r);
}

TEST_MAIN("vm/blocking",
          cmocka_unit_test(test_sleep_and_read_release_other_threads))
