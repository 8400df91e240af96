/*
 * Compiling the Limbo test programs in tests/vm/limbo with Inferno's own
 * compiler (limbo.dis) running on our VM, the reference for what code the
 * VM must run, or with bin/limbo, which needs nothing of Inferno's. For
 * limbo.dis a scratch root holds links to Inferno's /dis and /module, the
 * project's module/ as /acheron, and the sources as /src. Header-only;
 * include once per test.
 */
#ifndef TESTS_VM_LIMBO_H
#define TESTS_VM_LIMBO_H

#include "tests/test.h"
#include "tests/run.h"

#include <sys/stat.h>

#define LIMBO_ROOT "build/tests/vm/lroot"
#define LIMBO_OURS "build/tests/vm/lours"

static inline void
limbo_link(const char *name, const char *target)
{
	char path[512];

	snprintf(path, sizeof path, LIMBO_ROOT "/%s", name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

/* Compiles tests/vm/limbo/NAME.b to LIMBO_ROOT/NAME.dis; asserts success. */
static inline void
limbo_compile(const char *name)
{
	char cwd[1024], inf[1200], tgt[1300], bin[1100], root[1100], src[256];
	RunResult r;

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(inf, sizeof inf, "%s%s%s", inferno_dir()[0] == '/' ? "" : cwd, inferno_dir()[0] == '/' ? "" : "/",
	         inferno_dir());
	mkdir(LIMBO_ROOT, 0755);
	snprintf(tgt, sizeof tgt, "%s/module", inf);
	limbo_link("module", tgt);
	snprintf(tgt, sizeof tgt, "%s/dis", inf);
	limbo_link("dis", tgt);
	snprintf(tgt, sizeof tgt, "%s/module", cwd);
	limbo_link("acheron", tgt);
	snprintf(tgt, sizeof tgt, "%s/tests/vm/limbo", cwd);
	limbo_link("src", tgt);
	snprintf(bin, sizeof bin, "%s/bin/dis-run", cwd);
	snprintf(root, sizeof root, "%s/" LIMBO_ROOT, cwd);
	snprintf(src, sizeof src, "/src/%s.b", name);
	assert_int_equal(chdir(LIMBO_ROOT), 0);
	{
		char *argv[] = {bin, "-r", root, "/dis/limbo.dis", "-I/acheron", "-I/module", "-gw", src, NULL};
		r = run_cmd(argv, NULL, 60000);
	}
	assert_int_equal(chdir(cwd), 0);
	if (r.status != 0)
		print_error("limbo %s: %s%s\n", src, r.out, r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* Compiles tests/vm/limbo/NAME.b with bin/limbo to LIMBO_OURS/NAME.dis. */
static inline void
limbo_compile_ours(const char *name)
{
	char src[256], out[256];
	RunResult r;

	mkdir(LIMBO_OURS, 0755);
	snprintf(src, sizeof src, "tests/vm/limbo/%s.b", name);
	snprintf(out, sizeof out, LIMBO_OURS "/%s.dis", name);
	{
		char *argv[] = {"bin/limbo", "-I", "module", "-o", out, src, NULL};
		r = run_cmd(argv, NULL, 60000);
	}
	if (r.status != 0)
		print_error("bin/limbo %s: %s%s\n", src, r.out, r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

#endif
