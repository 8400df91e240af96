/*
 * The Limbo code generator through bin/limbo's options: cluster_tests/jobs/
 * sleep.b and bench/cluster/noop.b compiled and run under bin/dis-run; -S
 * writes assembly that dis-as turns into the very bytes bin/limbo wrote; a
 * real value printed. (The language itself: tests/limbo/progs.c; Inferno's
 * programs: appl.c and selfhost.c.)
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define DISRUN "bin/dis-run"
#define DISAS "bin/dis-as"
#define DIR "build/tests/limbo/gen"

static void
setup_dirs(void)
{
	corpus_dirs(DIR);
}

/* Compiles src into out (with -S when asm_only); asserts success. */
static void
compile(const char *src, const char *out, int asm_only)
{
	const char *args[] = {"-I", moddir, "-I", "module", "-o", out, asm_only ? "-S" : src,
	                      asm_only ? src : NULL, NULL};
	RunResult r = limbo(args);

	if (r.status != 0)
		print_message("# limbo %s: status %d: %s", src, r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.errlen, 0);
	run_free(&r);
}

/* Runs dis with args under dis-run; returns its output (caller frees). */
static char *
run_dis(const char *dis, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = {dis, a1, a2, a3, NULL};
	RunResult r = run_prog(DISRUN, args);
	char *out;

	if (r.status != 0)
		print_message("# dis-run %s: status %d: %s", dis, r.status, r.err);
	assert_int_equal(r.status, 0);
	out = strdup(r.out);
	run_free(&r);
	return out;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
test_sleep(void **state)
{
	(void)state;
	setup_dirs();
	compile("cluster_tests/jobs/sleep.b", DIR "/sleep.dis", 0);
	{
		char *out = run_dis(DIR "/sleep.dis", NULL, NULL, NULL);
		assert_string_equal(out, "slept 0\n");
		free(out);
	}
	{
		char *out = run_dis(DIR "/sleep.dis", "3", "x", "y");
		assert_string_equal(out, "slept 3 x y\n");
		free(out);
	}
	/* -S: the assembly dis-as reads, assembling to the same bytes */
	compile("cluster_tests/jobs/sleep.b", DIR "/sleep.s", 1);
	{
		const char *args[] = {DIR "/sleep.s", "-o", DIR "/sleep-as.dis", NULL};
		RunResult r = run_prog(DISAS, args);
		size_t n1, n2;
		char *a, *b;
		assert_int_equal(r.status, 0);
		run_free(&r);
		a = slurp(DIR "/sleep.dis", &n1);
		b = slurp(DIR "/sleep-as.dis", &n2);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, n1);
		free(a);
		free(b);
	}
}

static void
test_noop(void **state)
{
	(void)state;
	setup_dirs();
	compile("bench/cluster/noop.b", DIR "/noop.dis", 0);
	{
		char *out = run_dis(DIR "/noop.dis", "a", NULL, NULL);
		assert_string_equal(out, "");
		free(out);
	}
}

static void
test_real(void **state)
{
	(void)state;
	setup_dirs();
	write_file(DIR "/real.b", "implement R;\n"
	                          "include \"sys.m\";\n"
	                          "\tsys: Sys;\n"
	                          "include \"draw.m\";\n"
	                          "R: module { init: fn(ctxt: ref Draw->Context, argv: list of string); };\n"
	                          "init(nil: ref Draw->Context, nil: list of string)\n"
	                          "{\n"
	                          "\tsys = load Sys Sys->PATH;\n"
	                          "\tx := 1.5;\n"
	                          "\tsys->print(\"%g\\n\", x);\n"
	                          "}\n");
	unlink(DIR "/real.dis");
	compile(DIR "/real.b", DIR "/real.dis", 0);
	{
		char *out = run_dis(DIR "/real.dis", NULL, NULL, NULL);
		assert_string_equal(out, "1.5\n");
		free(out);
	}
}

TEST_MAIN("limbo/gen",
          cmocka_unit_test(test_sleep),
          cmocka_unit_test(test_noop),
          cmocka_unit_test(test_real))
