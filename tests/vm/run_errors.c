/*
 * dis-run on real and broken modules: our examples/hello/hello.dis and
 * Inferno's echo.dis run; every truncation, random corruption and
 * hand-broken header (of hello.dis, which the build makes) gives one line
 * "dis-run: FILE: reason" and a non-zero exit, never a crash or a hang.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <stdint.h>
#include <sys/stat.h>

#define DISRUN "bin/dis-run"

static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static void
spit(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

#define HELLO "examples/hello/hello.dis"

static const char *
echo_path(void)
{
	static char p[512];

	snprintf(p, sizeof p, "%s/dis/echo.dis", inferno_dir());
	return p;
}

/* dis-run's own report is one last line "dis-run: FILE: reason"; the
 * program may have written to stderr before it. */
static void
assert_last_line_error(const RunResult *r, const char *file)
{
	char prefix[600];
	const char *last;

	snprintf(prefix, sizeof prefix, "dis-run: %s: ", file);
	if (r->errlen == 0 || r->err[r->errlen - 1] != '\n') {
		print_error("stderr was [%s], status %d\n", r->err, r->status);
		fail();
	}
	for (last = r->err + r->errlen - 1; last > r->err && last[-1] != '\n'; last--)
		;
	if (strncmp(last, prefix, strlen(prefix)) != 0) {
		print_error("stderr was [%s], status %d\n", r->err, r->status);
		fail();
	}
}

/* Exactly one line on stderr that starts with "dis-run: FILE: ". */
static void
assert_one_line_error(const RunResult *r, const char *file)
{
	char prefix[600];

	snprintf(prefix, sizeof prefix, "dis-run: %s: ", file);
	if (strncmp(r->err, prefix, strlen(prefix)) != 0 || r->errlen == 0 ||
	    strchr(r->err, '\n') != r->err + r->errlen - 1) {
		print_error("stderr was [%s], status %d\n", r->err, r->status);
		fail();
	}
}

static void
test_echo_runs(void **state)
{
	char *argv[] = {DISRUN, (char *)echo_path(), "hello", "dis", "world", NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello dis world\n");
	assert_string_equal(r.err, "");
	run_free(&r);
}

static void
test_hello_runs(void **state)
{
	char *argv[] = {DISRUN, HELLO, "dis", NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello, dis\n");
	assert_string_equal(r.err, "");
	run_free(&r);
}

static void
test_missing_file(void **state)
{
	char *argv[] = {DISRUN, "/nonexistent/x.dis", NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "dis-run: /nonexistent/x.dis: No such file or directory\n");
	run_free(&r);
}

static void
test_usage(void **state)
{
	char *argv[] = {DISRUN, NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "usage: dis-run"));
	run_free(&r);
	char *argv2[] = {DISRUN, "--help", NULL};
	r = run_cmd(argv2, NULL, 10000);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: dis-run"));
	run_free(&r);
}

static void
test_bad_magic(void **state)
{
	const char *p = "build/tests/vm/badmagic.dis";
	const uint8_t b[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05};
	char *argv[] = {DISRUN, (char *)p, NULL};
	RunResult r;

	spit(p, b, sizeof b);
	r = run_cmd(argv, NULL, 10000);
	assert_int_equal(r.status, 1);
	assert_one_line_error(&r, p);
	assert_non_null(strstr(r.err, "bad magic"));
	run_free(&r);
}

/* Every prefix of a real module is refused cleanly. */
static void
test_truncations(void **state)
{
	const char *p = "build/tests/vm/trunc.dis";
	size_t n;
	uint8_t *b = slurp(HELLO, &n);
	char *argv[] = {DISRUN, (char *)p, NULL};

	for (size_t k = 0; k < n; k++) {
		spit(p, b, k);
		RunResult r = run_cmd(argv, NULL, 10000);
		if (r.status != 1) {
			print_error("prefix %zu of %zu: status %d, stderr [%s]\n", k, n, r.status, r.err);
			fail();
		}
		assert_one_line_error(&r, p);
		run_free(&r);
	}
	free(b);
}

/* Random byte changes: whatever the loader accepts runs within a budget;
 * nothing crashes or hangs. */
static void
test_corruptions(void **state)
{
	const char *p = "build/tests/vm/corrupt.dis";
	size_t n;
	uint8_t *b = slurp(HELLO, &n), *c = malloc(n);
	char *argv[] = {DISRUN, "--max-instructions", "2000000", (char *)p, "x", NULL};
	uint64_t seed = 12345;
	int ran = 0, refused = 0;

	for (int iter = 0; iter < 300; iter++) {
		memcpy(c, b, n);
		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			c[(seed >> 33) % n] ^= (uint8_t)(1u << ((seed >> 20) % 8));
		}
		spit(p, c, n);
		RunResult r = run_cmd(argv, NULL, 10000);
		/* 4: a leak check (make check-leaks) found the Dis heap not empty,
		 * which a corrupted type map can cause without any crash. */
		if (r.status < 0 || r.status > 4) {
			print_error("mutation %d: status %d, stderr [%s]\n", iter, r.status, r.err);
			fail();
		}
		if (r.status != 0) {
			/* dis-run's report, or the program's own for a fail:
			 * it raised (which dis-run keeps quiet about) */
			if (r.errlen == 0 || strstr(r.err, "uncaught exception: fail:") != NULL)
				print_error("mutation %d: status %d, stderr [%s]\n", iter, r.status, r.err);
			assert_true(r.errlen > 0 && strstr(r.err, "uncaught exception: fail:") == NULL);
			if (strncmp(r.err, "dis-run: ", 9) == 0 || strstr(r.err, "\ndis-run: ") != NULL)
				assert_last_line_error(&r, p);
			refused++;
		} else {
			ran++;
		}
		run_free(&r);
	}
	print_message("# %d corrupted modules ran, %d refused\n", ran, refused);
	free(b);
	free(c);
}

/* A relative module path is searched along DIS_PATH, in order. */
static void
test_dis_path(void **state)
{
	size_t n;
	uint8_t *b = slurp(HELLO, &n);
	char *argv[] = {DISRUN, "hello-on-path.dis", "found", NULL};
	RunResult r;

	mkdir("build/tests/vm/dispath", 0755);
	spit("build/tests/vm/dispath/hello-on-path.dis", b, n);
	free(b);
	setenv("DIS_PATH", "/nonexistent:build/tests/vm/dispath", 1);
	r = run_cmd(argv, NULL, 10000);
	unsetenv("DIS_PATH");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "hello, found\n");
	run_free(&r);
	r = run_cmd(argv, NULL, 10000);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "dis-run: hello-on-path.dis: No such file or directory\n");
	run_free(&r);
}

/* Code that falls off its last instruction stops with an error. */
static void
test_falls_off_the_end(void **state)
{
	const char *src = "build/tests/vm/off.s", *dis = "build/tests/vm/off.dis";
	FILE *f = fopen(src, "w");
	RunResult r;

	assert_non_null(f);
	/* the frame declares init's two pointer arguments (32 and 36), so the
	 * argv dis-run passes is released with it (make check-leaks) */
	fputs("\tmovw\t$1,40(fp)\n\tentry\t0,0\n\tdesc\t$0,48,\"00c0\"\n\tmodule\tOff\n"
	      "\tlink\t0,0,0x4244b354,\"init\"\n", f);
	fclose(f);
	{
		char *argv[] = {"bin/dis-as", (char *)src, "-o", (char *)dis, NULL};
		r = run_cmd(argv, NULL, 10000);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	{
		char *argv[] = {DISRUN, (char *)dis, NULL};
		r = run_cmd(argv, NULL, 10000);
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "dis-run: build/tests/vm/off.dis: uncaught exception: "
	                           "execution ran past the last instruction (module Off, pc 1)\n");
	run_free(&r);
}

/* An attacker's module (tests/data/map_past_size.s): a pointer map that
 * runs past its type's size made the loader's clean-up walk into the next
 * heap object and crash (SIGSEGV) before any code ran. Now refused. */
static void
test_map_past_size(void **state)
{
	char *argv[] = {DISRUN, "tests/data/map_past_size.dis", NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "dis-run: tests/data/map_past_size.dis: offset 0xf: "
	                           "type 0: pointer map marks word 2, outside size 8\n");
	run_free(&r);
}

TEST_MAIN("dis-run errors",
          cmocka_unit_test(test_map_past_size),
          cmocka_unit_test(test_falls_off_the_end),
          cmocka_unit_test(test_dis_path),
          cmocka_unit_test(test_hello_runs),
          inferno_unit_test(test_echo_runs),
          cmocka_unit_test(test_missing_file),
          cmocka_unit_test(test_usage),
          cmocka_unit_test(test_bad_magic),
          cmocka_unit_test(test_truncations),
          cmocka_unit_test(test_corruptions))
