/*
 * vm_sandbox_enter: after it, starting programs, forking, sockets and
 * signalling other processes fail with EPERM, while threads, files and the
 * VM itself (dis-run --sandbox running real modules) still work.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dis/dis.h"
#include "vm/vm.h"

static void *
thread_main(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

/* Each check in a child of its own, so the filter dies with it. Exit
 * status: 0 all as expected, else the number of the check that failed. */
static int
confined(void)
{
	AcErr err;
	char *const args[] = {"/bin/true", NULL};
	pthread_t th;
	int v = 0, fd;
	pid_t p;

	if (vm_sandbox_enter(&err) != AC_OK)
		return 1;
	if (execv("/bin/true", args) == 0 || errno != EPERM)
		return 2;
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 3;
	p = fork();
	if (p == 0)
		_exit(0);
	if (p >= 0 || errno != EPERM)
		return 4;
	if (kill(getppid(), 0) == 0 || errno != EPERM)
		return 5;
	if (pthread_create(&th, NULL, thread_main, &v) != 0 || pthread_join(th, NULL) != 0 || v != 42)
		return 6;
	if ((fd = open("/dev/null", O_WRONLY)) < 0 || write(fd, "x", 1) != 1)
		return 7;
	close(fd);
	if (kill(getpid(), 0) != 0)
		return 8;
	return 0;
}

static void
test_confined(void **state)
{
	int st;
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(confined());
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		print_error("check %d failed\n", WEXITSTATUS(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_dis_run_sandboxed(void **state)
{
	char echo[512], wc[512], root[512];
	RunResult r;

	snprintf(echo, sizeof echo, "%s/dis/echo.dis", inferno_dir());
	char *a1[] = {"bin/dis-run", "--sandbox", echo, "hello", "sandbox", NULL};
	r = run_cmd(a1, NULL, 10000);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello sandbox\n");
	run_free(&r);
	/* A program that loads libraries and reads a file. */
	snprintf(root, sizeof root, "%s", inferno_dir());
	snprintf(wc, sizeof wc, "/dis/wc.dis");
	char *a2[] = {"bin/dis-run", "--sandbox", "-r", root, wc, "/dev/null", NULL};
	r = run_cmd(a2, NULL, 10000);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

TEST_MAIN("vm sandbox", cmocka_unit_test(test_confined), cmocka_unit_test(test_dis_run_sandboxed))
