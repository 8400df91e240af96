/*
 * Running our real commands from a test: run_cmd starts argv[0] with the
 * given standard input, collects standard output and error, and kills it
 * after timeout_ms (a test never hangs). Header-only; include once per test,
 * after tests/test.h.
 */
#ifndef TESTS_RUN_H
#define TESTS_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct RunResult {
	char *out;      /* NUL-terminated standard output (malloc'd) */
	size_t outlen;
	char *err;      /* NUL-terminated standard error */
	size_t errlen;
	int status;     /* exit status, or 128+signal, or -1 on timeout */
} RunResult;

static inline void
run_append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = 0;
}

static inline long
run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs argv (argv[0] a path) with `in` (may be NULL) on standard input. */
static inline RunResult
run_cmd(char *const argv[], const char *in, long timeout_ms)
{
	RunResult r = {calloc(1, 1), 0, calloc(1, 1), 0, -1};
	int po[2], pe[2], pi[2];
	pid_t pid;
	long deadline = run_now_ms() + timeout_ms;
	int open_fds = 2, st;

	if (pipe(po) < 0 || pipe(pe) < 0 || pipe(pi) < 0)
		return r;
	pid = fork();
	if (pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(pi[1]); close(po[0]); close(pe[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pi[0]); close(po[1]); close(pe[1]);
	if (in != NULL) {
		ssize_t w = write(pi[1], in, strlen(in));
		(void)w;
	}
	close(pi[1]);
	while (open_fds > 0) {
		struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
		long left = deadline - run_now_ms();
		char buf[4096];
		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(fds, 2, (int)left) <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t n = read(fds[k].fd, buf, sizeof buf);
			if (n <= 0) {
				close(k == 0 ? po[0] : pe[0]);
				if (k == 0) po[0] = -1; else pe[0] = -1;
				open_fds--;
			} else if (k == 0) {
				run_append(&r.out, &r.outlen, buf, (size_t)n);
			} else {
				run_append(&r.err, &r.errlen, buf, (size_t)n);
			}
		}
	}
	if (po[0] >= 0) close(po[0]);
	if (pe[0] >= 0) close(pe[0]);
	waitpid(pid, &st, 0);
	if (open_fds > 0)
		r.status = -1;
	else if (WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	else
		r.status = 128 + WTERMSIG(st);
	return r;
}

static inline void
run_free(RunResult *r)
{
	free(r->out);
	free(r->err);
}

/*
 * Inferno's shipped files (dis/, module/, appl/ of inferno-os) are a
 * conformance oracle the repository does not carry: ACHERON_INFERNO names
 * them, relative to the repository root where prove runs. Without them a
 * test that needs them is a TAP skip, or a failure when
 * ACHERON_REQUIRE_INFERNO=1 (CI), so a lone clone still tests itself and
 * CI cannot lose the oracle silently.
 */
#define INFERNO_MISSING "Inferno's files not found: set ACHERON_INFERNO to a copy of inferno-os " \
	"(dis, module, appl; default ../shared/inferno)"

static inline const char *
inferno_dir(void)
{
	const char *d = getenv("ACHERON_INFERNO");
	return d != NULL && *d != 0 ? d : "../shared/inferno";
}

/* echo.dis is in every copy and in nothing else we might be pointed at. */
static inline int
inferno_present(void)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/dis/echo.dis", inferno_dir());
	return access(path, R_OK) == 0;
}

static inline int
inferno_required(void)
{
	const char *r = getenv("ACHERON_REQUIRE_INFERNO");
	return r != NULL && strcmp(r, "1") == 0;
}

static inline void
inferno_missing(void **state)
{
	(void)state;
	print_error("%s: no %s/dis/echo.dis\n", INFERNO_MISSING, inferno_dir());
	fail();
}

static inline int
inferno_no_setup(void **state)
{
	(void)state;
	return 0;
}

/* A test that cannot run here (no Landlock, no oracle tree), as a TAP skip
 * decided before the run: the reason goes in the name, where prove reads
 * the directive, and once on stderr, so make check's output shows it. */
static inline void
test_skipped(void **state)
{
	static int said;

	if (!said++)
		fprintf(stderr, "# SKIP %s: %s\n", program_invocation_name, (const char *)*state);
}

#define skipped_unit_test(f, reason)                                                     \
	{                                                                                  \
		.name = #f " # SKIP " reason, .test_func = test_skipped,                   \
		.initial_state = (void *)(reason),                                         \
	}

/*
 * cmocka_unit_test_setup and cmocka_unit_test for a test that needs
 * Inferno's files. cmocka 1.1's own skip() prints "not ok N # SKIP", which
 * prove counts as a failure; a passing test whose name carries the
 * directive prints "ok N - f # SKIP reason", which prove counts as skipped.
 */
#define inferno_unit_test_setup(f, setup)                                                  \
	{                                                                                  \
		.name = inferno_present() || inferno_required() ? #f : #f " # SKIP " INFERNO_MISSING, \
		.test_func = inferno_present() ? (f) : inferno_required() ? inferno_missing     \
		                                                           : test_skipped,     \
		.setup_func = inferno_present() ? (setup) : inferno_no_setup,                  \
		.initial_state = inferno_present() ? NULL : (void *)INFERNO_MISSING,           \
	}
#define inferno_unit_test(f) inferno_unit_test_setup(f, inferno_no_setup)

#endif
