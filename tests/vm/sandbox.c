/*
 * vm_sandbox_enter: after it, starting programs, forking, sockets and
 * signalling other processes fail with EPERM, while threads, files and the
 * VM itself (dis-run --sandbox running real modules) still work; with
 * Landlock, dis-run --sandbox reads only beneath the module's directory,
 * the root and --allow-read, and writes only beneath its working directory
 * and --allow-write.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
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

	if (vm_sandbox_enter(NULL, &err) != AC_OK)
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

/* /proc/self/status's line for key ("NoNewPrivs:"), as a number. */
static long
status_field(const char *key)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, key);
	return p != NULL ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* What an escape from the VM would try, each refused by the allow-list
 * (before it, a deny-list let io_uring open a TCP connection and TIOCSTI
 * type into the terminal); then what the VM and OpenBLAS need, still
 * there. Exit status: 0 all as expected, else the failed check's number. */
static int
attacks(void)
{
	struct io_uring_params up;
	struct rlimit rl = {1, 1};
	pthread_t th;
	AcErr err;
	char c = 'x', *slave;
	int v = 0, master, tty, p[2];
	long r;
	void *m;

	/* a terminal to type into, opened before the sandbox as one
	 * inherited would be */
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || (slave = ptsname(master)) == NULL ||
	    (tty = open(slave, O_RDWR | O_NOCTTY)) < 0)
		return 1;
	if (vm_sandbox_enter(NULL, &err) != AC_OK)
		return 2;
	if (status_field("NoNewPrivs:") != 1 || status_field("Seccomp:") != 2)
		return 3;
	memset(&up, 0, sizeof up);
	if (syscall(SYS_io_uring_setup, 4, &up) >= 0 || errno != EPERM)
		return 4;
	if (ioctl(tty, TIOCSTI, &c) == 0 || errno != EPERM)
		return 5;
	/* TIOCSTI with high bits set, which the kernel truncates away */
	if (syscall(SYS_ioctl, tty, 0xffffffff00000000ul | TIOCSTI, &c) == 0)
		return 6;
	if (!isatty(tty))
		return 7;
	r = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
	if (r == 0)
		_exit(0);
	if (r >= 0 || errno != EPERM)
		return 8;
	/* a thread's flags, but in a new network namespace */
	r = syscall(SYS_clone, (long)(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWNET), 0L, 0L, 0L, 0L);
	if (r >= 0)
		return 9;
	if (ptrace(PTRACE_ATTACH, getppid(), 0, 0) == 0 || errno != EPERM)
		return 10;
	if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 11;
	/* on no list at all: refused by default */
	if (syscall(SYS_memfd_create, "x", 0) >= 0 || errno != ENOSYS)
		return 12;
	if (fcntl(tty, F_SETOWN, getppid()) == 0)
		return 13;
	if (prlimit(getppid(), RLIMIT_NOFILE, &rl, NULL) == 0 || setrlimit(RLIMIT_CORE, &rl) == 0)
		return 14;
	if (syscall(SYS_tkill, getppid(), 0) == 0 || kill(0, 0) == 0)
		return 15;
	/* still there: memory, threads and their futexes, pipes, time */
	if ((m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED ||
	    munmap(m, 1 << 20) != 0)
		return 16;
	if (pthread_create(&th, NULL, thread_main, &v) != 0 || pthread_join(th, NULL) != 0 || v != 42)
		return 17;
	if (pipe2(p, O_CLOEXEC) != 0 || write(p[1], "y", 1) != 1 || read(p[0], &c, 1) != 1 || c != 'y')
		return 18;
	if (nanosleep(&(struct timespec){0, 1000}, NULL) != 0 || getrlimit(RLIMIT_STACK, &rl) != 0)
		return 19;
	return 0;
}

static void
test_attacks(void **state)
{
	int st;
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(attacks());
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		print_error("check %d failed\n", WEXITSTATUS(st));
	assert_int_equal(WEXITSTATUS(st), 0);
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

/* Landlock does not cover stat: under --sandbox the VM checks every path
 * builtin against the same allow-lists itself. tests/vm/limbo/statprobe.b
 * stats each argument: outside (directly, by "..", by a symbolic link in
 * the module's directory) is refused as a Landlock-refused open is; the
 * module's own file is seen. */
static void
test_dis_run_sandboxed_stat(void **state)
{
	char *c[] = {"bin/limbo", "-I", "module", "-o", "build/tests/vm/statprobe.dis", "tests/vm/limbo/statprobe.b", NULL};
	char *a[] = {"bin/dis-run", "--sandbox", "build/tests/vm/statprobe.dis", "/etc/passwd",
	             "build/tests/vm/statprobe.dis", "build/tests/vm/../../../../../../../../etc/passwd",
	             "build/tests/vm/statprobe-link", "..", NULL};
	RunResult r = run_cmd(c, NULL, 10000);

	(void)state;
	assert_int_equal(r.status, 0);
	run_free(&r);
	unlink("build/tests/vm/statprobe-link");
	assert_int_equal(symlink("/etc/passwd", "build/tests/vm/statprobe-link"), 0);
	r = run_cmd(a, NULL, 10000);
	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "/etc/passwd: permission denied\n"
	                           "build/tests/vm/statprobe.dis: ok\n"
	                           "build/tests/vm/../../../../../../../../etc/passwd: permission denied\n"
	                           "build/tests/vm/statprobe-link: permission denied\n"
	                           "..: permission denied\n");
	run_free(&r);
	/* Tensor->readidx's test for a regular file told what lay outside */
	{
		char *i[] = {"bin/dis-run", "--sandbox", "build/tests/vm/statprobe.dis", "-i", "/etc", NULL};
		r = run_cmd(i, NULL, 10000);
	}
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "/etc: /etc: permission denied\n");
	run_free(&r);
}

static void
test_dis_run_sandboxed(void **state)
{
	char *a[] = {"bin/dis-run", "--sandbox", "examples/hello/hello.dis", "sandbox", NULL};
	RunResult r = run_cmd(a, NULL, 10000);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello, sandbox\n");
	run_free(&r);
}

static void
test_dis_run_sandboxed_inferno(void **state)
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

/* dis-run --sandbox [extra1 extra2] [-r ROOT] CMD ARG, standard input
 * empty. With root, Inferno paths (/dis/lib/...) resolve under it. */
static RunResult
sandboxed(const char *extra1, const char *extra2, int root, const char *cmd, const char *arg)
{
	char rootdir[512], path[600];
	char *argv[10];
	int k = 0;

	snprintf(rootdir, sizeof rootdir, "%s", inferno_dir());
	snprintf(path, sizeof path, "%s%s", root ? "" : rootdir, cmd);
	argv[k++] = "bin/dis-run";
	argv[k++] = "--sandbox";
	if (extra1 != NULL) {
		argv[k++] = (char *)extra1;
		argv[k++] = (char *)extra2;
	}
	if (root) {
		argv[k++] = "-r";
		argv[k++] = rootdir;
	}
	argv[k++] = path;
	argv[k++] = (char *)arg;
	argv[k] = NULL;
	return run_cmd(argv, NULL, 10000);
}

static void
test_files_confined(void **state)
{
	/* relative: with -r, absolute paths are Inferno's, under the root */
	const char *outside = "../acheron-sandbox-escape.txt", *inside = "build/tests/vm/sandbox-tee.txt";
	RunResult r;

	/* reading outside what it was given: refused, with the reason */
	r = sandboxed(NULL, NULL, 0, "/dis/cat.dis", "/etc/passwd");
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "permission denied"));
	run_free(&r);
	r = sandboxed("--allow-read", "/etc", 0, "/dis/cat.dis", "/etc/passwd");
	assert_int_equal(r.status, 0);
	assert_true(r.outlen > 0);
	run_free(&r);
	/* writing: beneath the working directory yes, elsewhere no */
	unlink(outside);
	r = sandboxed(NULL, NULL, 1, "/dis/tee.dis", outside);
	assert_int_not_equal(r.status, 0);
	assert_int_not_equal(access(outside, F_OK), 0);
	run_free(&r);
	unlink(inside);
	r = sandboxed(NULL, NULL, 1, "/dis/tee.dis", inside);
	assert_int_equal(r.status, 0);
	assert_int_equal(access(inside, F_OK), 0);
	run_free(&r);
}

/* dis-run --sandbox running tests/vm/limbo/ttyprobe.b in a session whose
 * controlling terminal is a pty: as the session (and group) leader, where
 * setsid fails, with leader, else as a member. Returns its output. */
static char *
probe_tty(int leader)
{
	static char out[256];
	char *argv[] = {"bin/dis-run", "--sandbox", "--allow-read", "/dev/tty", "build/tests/vm/ttyprobe.dis", NULL};
	int master, p[2], st, n = 0;
	struct pollfd pf;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		/* the pty becomes the new session's controlling terminal */
		if (setsid() < 0 || open(ptsname(master), O_RDWR) < 0 || nul < 0)
			_exit(120);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (!leader) {
			pid_t c = fork();
			if (c != 0)
				_exit(c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) ? WEXITSTATUS(st) : 121);
		}
		execv(argv[0], argv);
		_exit(122);
	}
	close(p[1]);
	pf.fd = p[0];
	pf.events = POLLIN;
	while (n < (int)sizeof out - 1 && poll(&pf, 1, 10000) == 1) {
		ssize_t r = read(p[0], out + n, sizeof out - 1 - (size_t)n);
		if (r <= 0)
			break;
		n += (int)r;
	}
	out[n] = 0;
	close(p[0]);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(master);
	return out;
}

static void
test_no_terminal(void **state)
{
	char *a[] = {"bin/limbo", "-I", "module", "-o", "build/tests/vm/ttyprobe.dis", "tests/vm/limbo/ttyprobe.b", NULL};
	RunResult r = run_cmd(a, NULL, 10000);

	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_string_equal(probe_tty(0), "notty: No such device or address\n");
	assert_string_equal(probe_tty(1), "notty: No such device or address\n");
}

/* The main job, confined: its threads (OpenBLAS's, started at the first
 * matrix multiply) and files still work under the allow-list. */
static void
test_train_sandboxed(void **state)
{
	char *a[] = {"bin/dis-run", "--sandbox", "--allow-read", "/usr/share/datasets/fashion-mnist",
	             "examples/fashion/train.dis", "-e", "1", "-n", "640", "/usr/share/datasets/fashion-mnist", NULL};
	RunResult r;

	if (access("/usr/share/datasets/fashion-mnist", R_OK) != 0) {
		print_message("no Fashion-MNIST (make deps)\n");
		assert_true(0);
	}
	r = run_cmd(a, NULL, 60000);
	if (r.status != 0)
		print_error("%s%s\n", r.out, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "epoch 1"));
	run_free(&r);
}

/* test_files_confined runs Inferno's cat and tee. */
/* Without Landlock in the kernel files are not confined, and the test is a
 * TAP skip (cmocka's skip() prints "not ok … # SKIP", a failure to prove). */
static int
have_landlock(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* VERSION */) >= 1;
}

TEST_MAIN("vm sandbox", cmocka_unit_test(test_confined), cmocka_unit_test(test_attacks), cmocka_unit_test(test_no_terminal),
          cmocka_unit_test(test_train_sandboxed), cmocka_unit_test(test_dis_run_sandboxed),
          cmocka_unit_test(test_dis_run_sandboxed_stat),
          inferno_unit_test(test_dis_run_sandboxed_inferno),
          have_landlock() ? (struct CMUnitTest)inferno_unit_test(test_files_confined)
                          : (struct CMUnitTest)skipped_unit_test(test_files_confined, "no Landlock in this kernel"))
