/*
 * Self-hosting: bin/limbo compiles Inferno's own compiler (appl/cmd/limbo,
 * about 22,000 lines with its includes) into a limbo.dis; that limbo.dis,
 * run on our VM, must then do what Inferno's shipped one does
 * (tests/vm/limbo_oracle.h): compile every appl/cmd and appl/lib source to
 * the shipped .dis byte for byte, and itself to the shipped limbo.dis but
 * for the source path.
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"

#include <unistd.h>

#define OUTDIR "build/tests/limbo/selfhost/out"
#define ROOT "build/tests/limbo/selfhost/root"
#define ORACLE_NAME "limbo.dis made by bin/limbo"
#include "tests/vm/limbo_oracle.h"

/* A root like Inferno's: /dis/limbo.dis is ours, the rest is shipped. */
static int
setup(void **state)
{
	char cwd[1024], target[2400], link[2400];
	static const char *const shared[][2] = {
		{"dis/lib", ROOT "/dis/lib"}, {"module", ROOT "/module"}, {"appl", ROOT "/appl"},
	};

	(void)state;
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	corpus_dirs("build/tests/limbo/selfhost");
	mkdir(ROOT, 0755);
	mkdir(ROOT "/dis", 0755);
	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
		if (inferno_dir()[0] == '/')
			snprintf(target, sizeof target, "%s/%s", inferno_dir(), shared[i][0]);
		else
			snprintf(target, sizeof target, "%s/%s/%s", cwd, inferno_dir(), shared[i][0]);
		snprintf(link, sizeof link, "%s", shared[i][1]);
		unlink(link);
		if (symlink(target, link) != 0)
			return -1;
	}
	snprintf(oracle_root, sizeof oracle_root, "%s/" ROOT, cwd);
	return 0;
}

static void
test_compile_compiler(void **state)
{
	char src[1024];
	RunResult r;

	(void)state;
	snprintf(src, sizeof src, "%s/appl/cmd/limbo/limbo.b", inferno_dir());
	unlink(ROOT "/dis/limbo.dis");
	{
		const char *args[] = {"-I", moddir, "-o", ROOT "/dis/limbo.dis", src, NULL};
		r = limbo(args);
	}
	if (r.status != 0)
		print_error("bin/limbo %s: status %d: %.2000s\n", src, r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.errlen, 0);
	run_free(&r);
}

TEST_MAIN("limbo self-hosting",
          inferno_unit_test_setup(test_compile_compiler, setup),
          inferno_unit_test_setup(test_shipped_sources, setup),
          inferno_unit_test_setup(test_self_compile, setup))
