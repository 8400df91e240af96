/*
 * Sys->dial and its grants: a Limbo program (tests/vm/limbo/dialer.b)
 * dials listeners this test opens on 127.0.0.1 (ephemeral ports) and
 * writes a line on each connection. It reaches only what dis-run
 * --allow-tcp granted, host and port; under --sandbox too, where the
 * seccomp filter lets a TCP client through and Landlock refuses a connect
 * to any other port even to code that bypasses the VM's check. --timeout
 * ends a dial whose connect hangs and a read its peer never answers
 * (tests/vm/limbo/silent.b).
 */
#include "tests/test.h"
#include "tests/run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>

#include "dis/dis.h"
#include "vm/vm.h"

#define DIALER "build/tests/vm/dialer.dis"

/* A listener on 127.0.0.1 at an ephemeral port, put in *port. */
static int
listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* The first connection waiting on listener l (the kernel has completed it
 * and holds what was sent, the dialer being gone) and what it carried, up
 * to end of file: at most n - 1 bytes and 5 seconds. NULL if none is
 * waiting within wait_ms. */
static char *
received(int l, int wait_ms, char *buf, size_t n)
{
	struct pollfd p = {l, POLLIN, 0};
	long deadline = run_now_ms() + 5000;
	size_t got = 0;
	int c;

	buf[0] = 0;
	if (poll(&p, 1, wait_ms) != 1)
		return NULL;
	c = accept(l, NULL, NULL);
	assert_true(c >= 0);
	while (got < n - 1 && run_now_ms() < deadline) {
		struct pollfd q = {c, POLLIN, 0};
		ssize_t r;
		if (poll(&q, 1, (int)(deadline - run_now_ms())) != 1)
			break;
		r = read(c, buf + got, n - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = 0;
	close(c);
	return buf;
}

static void
compile_dialer(void)
{
	char *c[] = {"bin/limbo", "-I", "module", "-o", DIALER, "tests/vm/limbo/dialer.b", NULL};
	RunResult r = run_cmd(c, NULL, 20000);

	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* dis-run [--sandbox] [--allow-tcp grant] dialer.dis addr1 [addr2]. */
static RunResult
dial(int sandbox, const char *grant, const char *addr1, const char *addr2)
{
	char *argv[10];
	int k = 0;

	argv[k++] = "bin/dis-run";
	if (sandbox)
		argv[k++] = "--sandbox";
	if (grant != NULL) {
		argv[k++] = "--allow-tcp";
		argv[k++] = (char *)grant;
	}
	argv[k++] = DIALER;
	argv[k++] = (char *)addr1;
	if (addr2 != NULL)
		argv[k++] = (char *)addr2;
	argv[k] = NULL;
	return run_cmd(argv, NULL, 30000);
}

/* Granted 127.0.0.1:P1 (plain, or with --sandbox): P1 is reached and gets
 * the bytes; P2, another listener of ours, is refused and sees nothing. */
static void
granted_one_port(int sandbox)
{
	char grant[64], a1[64], a2[64], want[256], buf[256];
	int p1, p2, l1 = listener(&p1), l2 = listener(&p2);
	RunResult r;

	compile_dialer();
	snprintf(grant, sizeof grant, "127.0.0.1:%d", p1);
	snprintf(a1, sizeof a1, "tcp!127.0.0.1!%d", p1);
	snprintf(a2, sizeof a2, "tcp!127.0.0.1!%d", p2);
	r = dial(sandbox, grant, a1, a2);
	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want, "%s: ok /net/tcp/0\n%s: permission denied\n", a1, a2);
	assert_string_equal(r.out, want);
	run_free(&r);
	snprintf(want, sizeof want, "hello %s\n", a1);
	assert_string_equal(received(l1, 5000, buf, sizeof buf), want);
	assert_null(received(l2, 0, buf, sizeof buf));
	close(l1);
	close(l2);
}

static void
test_dial_granted(void **state)
{
	granted_one_port(0);
}

static void
test_dial_sandboxed(void **state)
{
	granted_one_port(1);
}

/* No grant, or one for another host: refused, and nothing connects. */
static void
test_dial_refused(void **state)
{
	char grant[64], a[64], want[128], buf[64];
	int p, l = listener(&p);
	RunResult r;

	compile_dialer();
	snprintf(a, sizeof a, "tcp!127.0.0.1!%d", p);
	snprintf(want, sizeof want, "%s: permission denied\n", a);
	r = dial(0, NULL, a, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	run_free(&r);
	r = dial(1, NULL, a, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	run_free(&r);
	snprintf(grant, sizeof grant, "127.0.0.2:%d", p);
	r = dial(0, grant, a, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	run_free(&r);
	assert_null(received(l, 0, buf, sizeof buf));
	close(l);
}

/* A granted host name, resolved at start, dialled by name or by one of
 * its addresses ("net" is TCP, as is a two-field address); malformed
 * addresses and grants say what is wrong. */
static void
test_dial_names(void **state)
{
	char grant[64], a1[64], a2[64], want[256], buf[256];
	int p, l = listener(&p);
	RunResult r;

	compile_dialer();
	snprintf(grant, sizeof grant, "localhost:%d", p);
	snprintf(a1, sizeof a1, "net!localhost!%d", p);
	snprintf(a2, sizeof a2, "127.0.0.1!%d", p);
	r = dial(0, grant, a1, a2);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want, "%s: ok /net/tcp/0\n%s: ok /net/tcp/1\n", a1, a2);
	assert_string_equal(r.out, want);
	run_free(&r);
	snprintf(want, sizeof want, "hello %s\n", a1);
	assert_string_equal(received(l, 5000, buf, sizeof buf), want);
	snprintf(want, sizeof want, "hello %s\n", a2);
	assert_string_equal(received(l, 5000, buf, sizeof buf), want);
	r = dial(0, grant, "udp!localhost!53", "tcp!localhost!http");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "udp!localhost!53: network udp not supported: tcp only\n"
	                           "tcp!localhost!http: bad port: http\n");
	run_free(&r);
	r = dial(0, "localhost", "x!1", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "HOST:PORT"));
	run_free(&r);
	r = dial(0, "no-such-host.invalid:1", "x!1", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no-such-host.invalid"));
	run_free(&r);
	close(l);
}

#define SILENT "build/tests/vm/silent.dis"

/* dis-run --timeout 1000 --allow-tcp 127.0.0.1:port silent.dis mode
 * tcp!127.0.0.1!port: exit 5 with the runtime's own message (not the
 * backstop's, a second later), well before the 10 s allowed. */
static void
dial_times_out(const char *mode, int port)
{
	char grant[64], a[64];
	char *argv[] = {"bin/dis-run", "--timeout", "1000", "--allow-tcp", grant, SILENT, (char *)mode, a, NULL};
	char *c[] = {"bin/limbo", "-I", "module", "-o", SILENT, "tests/vm/limbo/silent.b", NULL};
	const char *want = "dis-run: " SILENT ": wall-clock limit of 1000 ms exceeded\n";
	RunResult r = run_cmd(c, NULL, 20000);
	long t0, ms;

	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(grant, sizeof grant, "127.0.0.1:%d", port);
	snprintf(a, sizeof a, "tcp!127.0.0.1!%d", port);
	t0 = run_now_ms();
	r = run_cmd(argv, NULL, 10000);
	ms = run_now_ms() - t0;
	if (r.status != 5 || strcmp(r.err, want) != 0 || strcmp(r.out, "") != 0 || ms > 5000) {
		print_error("%s: status %d after %ld ms\n--- stdout:\n%s--- stderr:\n%s", mode, r.status, ms, r.out, r.err);
		fail();
	}
	run_free(&r);
}

/* --timeout bounds a dial's connect as well as its own 10 s limit does,
 * the sooner winning: a listener whose backlog is full (listen(0), filled
 * by connects of the test's own that nobody accepts) lets a connect hang,
 * SYNs dropped. And a read of a connection whose peer never writes. */
static void
test_dial_timeout(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port, c[4], ok;

	assert_true(l >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 0), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	for (int i = 0; i < 4; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		assert_true(c[i] >= 0);
		ok = connect(c[i], (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS;
		assert_true(ok);
	}
	dial_times_out("dial", port);
	for (int i = 0; i < 4; i++)
		close(c[i]);
	close(l);

	l = listener(&port);  /* completes connects, never accepts nor writes */
	dial_times_out("dialread", port);
	close(l);
}

static void
test_help(void **state)
{
	char *a[] = {"bin/dis-run", "--help", NULL};
	RunResult r = run_cmd(a, NULL, 10000);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--allow-tcp HOST:PORT"));
	run_free(&r);
}

/* A connect to 127.0.0.1:port from the host side: 0, or errno. */
static int
raw_connect(int family, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(family, SOCK_STREAM, 0), e = 0;

	if (fd < 0)
		return errno;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		e = errno;
	close(fd);
	return e;
}

/* In a child confined with one granted port, as code that escaped the VM:
 * exit 0 if all is as expected, else the failed check's number. */
static int
escaped(int p1, int p2)
{
	int granted[1] = {p1};
	VmSandbox sb = {NULL, NULL, granted, 1};
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct io_uring_params up;
	AcErr err;
	int fd;

	if (vm_sandbox_enter(&sb, &err) != AC_OK)
		return 1;
	if (raw_connect(AF_INET, p1) != 0)
		return 2;
	/* the VM's host check bypassed: Landlock still refuses the port */
	if (vm_sandbox_net() == 1 ? raw_connect(AF_INET, p2) != EACCES : vm_sandbox_net() != 0)
		return 3;
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP)) < 0)
		return 4;
	close(fd);
	if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 5;
	if (socket(AF_INET, SOCK_DGRAM, 0) >= 0 || errno != EPERM)
		return 6;
	if (socket(AF_INET, SOCK_RAW, IPPROTO_RAW) >= 0 || errno != EPERM)
		return 7;
	if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || errno != EPERM)
		return 8;
	if (socket(AF_PACKET, SOCK_RAW, 0) >= 0 || errno != EPERM)
		return 9;
	if (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) >= 0 || errno != EPERM)
		return 10;
	/* a task serves nothing */
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 11;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 || errno != EPERM)
		return 12;
	if (listen(fd, 1) == 0 || errno != EPERM)
		return 13;
	if (accept(fd, NULL, NULL) >= 0 || errno != EPERM)
		return 14;
	close(fd);
	memset(&up, 0, sizeof up);
	if (syscall(SYS_io_uring_setup, 4, &up) >= 0 || errno != EPERM)
		return 15;
	return 0;
}

static void
test_sandbox_ports(void **state)
{
	int p1, p2, l1 = listener(&p1), l2 = listener(&p2), st;
	char buf[16];
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(escaped(p1, p2));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		print_error("check %d failed\n", WEXITSTATUS(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the granted connect arrived, the other did not */
	assert_non_null(received(l1, 5000, buf, sizeof buf));
	assert_null(received(l2, 0, buf, sizeof buf));
	close(l1);
	close(l2);
}

TEST_MAIN("vm net", cmocka_unit_test(test_help), cmocka_unit_test(test_dial_granted),
          cmocka_unit_test(test_dial_refused), cmocka_unit_test(test_dial_names),
          cmocka_unit_test(test_dial_sandboxed), cmocka_unit_test(test_sandbox_ports),
          cmocka_unit_test(test_dial_timeout))
