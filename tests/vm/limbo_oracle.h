/*
 * A Limbo compiler as a .dis (Inferno's own limbo.dis, or the one bin/limbo
 * makes from Inferno's compiler sources) running on our VM, checked against
 * the shipped files: compiling every appl/cmd and appl/lib source must give
 * the shipped .dis byte for byte, and compiling the compiler's own source
 * must give the shipped limbo.dis (all but the source path, which records
 * where it was built). The including test defines OUTDIR and ORACLE_NAME
 * and fills oracle_root (the -r root whose /dis/limbo.dis is used, with
 * /dis/lib, /module and /appl as Inferno has them).
 */
#ifndef TESTS_VM_LIMBO_ORACLE_H
#define TESTS_VM_LIMBO_ORACLE_H

#include <dirent.h>
#include <sys/stat.h>

#include "dis/dis.h"

/* The shipped uniq.dis was built from an older uniq.b (it lacks the -c
 * option the shipped source has), so it cannot match. */
static const char *const known_stale[] = {"uniq", NULL};

static int
stale(const char *name)
{
	for (int i = 0; known_stale[i] != NULL; i++)
		if (strcmp(known_stale[i], name) == 0)
			return 1;
	return 0;
}

/* The root (-r) whose /dis/limbo.dis compiles: absolute, set by the test. */
static char oracle_root[2200];

/* Compiles Inferno path src (e.g. /appl/cmd/wc.b) into OUTDIR. */
static int
compile(const char *src)
{
	char cwd[1024], bin[1100];
	RunResult r;

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(bin, sizeof bin, "%s/bin/dis-run", cwd);
	mkdir(OUTDIR, 0755);
	assert_int_equal(chdir(OUTDIR), 0);
	char *argv[] = {bin, "-r", oracle_root, "/dis/limbo.dis", "-I/module", "-gw", (char *)src, NULL};
	r = run_cmd(argv, NULL, 120000);
	assert_int_equal(chdir(cwd), 0);
	if (r.status != 0)
		print_error("limbo %s: status %d: %s\n", src, r.status, r.err);
	run_free(&r);
	return r.status;
}

static int
same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa != NULL && fb != NULL;

	while (same) {
		int ca = fgetc(fa), cb = fgetc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa != NULL)
		fclose(fa);
	if (fb != NULL)
		fclose(fb);
	return same;
}

static void
compile_dir(const char *sub, const char *disdir, int *nsame, int *n)
{
	char path[1024], src[512], out[512], ref[1024];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/appl/%s", inferno_dir(), sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".b") != 0)
			continue;
		snprintf(src, sizeof src, "/appl/%s/%s", sub, e->d_name);
		snprintf(out, sizeof out, OUTDIR "/%.*s.dis", (int)len - 2, e->d_name);
		snprintf(ref, sizeof ref, "%s/%s/%.*s.dis", inferno_dir(), disdir, (int)len - 2, e->d_name);
		unlink(out);
		(*n)++;
		assert_int_equal(compile(src), 0);
		if (same_file(out, ref)) {
			(*nsame)++;
		} else {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)len - 2, e->d_name);
			if (!stale(name)) {
				print_error("%s differs from %s\n", out, ref);
				fail();
			}
		}
	}
	closedir(d);
}

static void
test_shipped_sources(void **state)
{
	(void)state;
	int nsame = 0, n = 0;

	compile_dir("cmd", "dis", &nsame, &n);
	compile_dir("lib", "dis/lib", &nsame, &n);
	print_message("# %s: %d of %d files byte-identical to the shipped .dis\n", ORACLE_NAME, nsame, n);
	assert_true(n >= 30);
	assert_int_equal(nsame, n - 1);
}

/* The compiler compiles itself. */
static void
test_self_compile(void **state)
{
	(void)state;
	char ref[1024];
	DisModule *a, *b;
	uint8_t *ba, *bb;
	size_t la, lb;
	AcErr err;

	assert_int_equal(compile("/appl/cmd/limbo/limbo.b"), 0);
	snprintf(ref, sizeof ref, "%s/dis/limbo.dis", inferno_dir());
	a = dis_module_load(OUTDIR "/limbo.dis", &err);
	b = dis_module_load(ref, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->srcpath, "/appl/cmd/limbo/limbo.b");
	free(a->srcpath);
	a->srcpath = strdup(b->srcpath);
	assert_int_equal(dis_module_write(a, &ba, &la, &err), AC_OK);
	assert_int_equal(dis_module_write(b, &bb, &lb, &err), AC_OK);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);
	dis_module_free(a);
	dis_module_free(b);
}

#endif
