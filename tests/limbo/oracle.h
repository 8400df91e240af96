/*
 * What progs.c, appl.c and bench/limbo.sh share about Inferno's compiler
 * as an oracle: running limbo.dis on our VM under a scratch root, and
 * comparing two .dis files but for the source path each records.
 * Header-only; include once per test, after tests/limbo/corpus.h.
 */
#ifndef TESTS_LIMBO_ORACLE_H
#define TESTS_LIMBO_ORACLE_H

#include <limits.h>
#include <unistd.h>

#include "dis/dis.h"

#define ORACLE_TIMEOUT_MS 120000

/* Makes dir/NAME -> target (absolute) unless it is there. */
static inline void
oracle_link(const char *dir, const char *name, const char *target)
{
	char path[2048], abs[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (realpath(target, abs) == NULL)
		return;
	unlink(path);
	assert_int_equal(symlink(abs, path), 0);
}

/* Runs limbo.dis (-I/module -gw, plus extra when not NULL) on Inferno path
 * src under root, in directory outdir; returns its exit status. */
static inline int
oracle_compile(const char *root, const char *outdir, const char *src, const char *extra)
{
	char cwd[1024], bin[1100], aroot[PATH_MAX];
	char *argv[10];
	int n = 0;
	RunResult r;

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_non_null(realpath(root, aroot));
	snprintf(bin, sizeof bin, "%s/bin/dis-run", cwd);
	argv[n++] = bin;
	argv[n++] = "-r";
	argv[n++] = aroot;
	argv[n++] = "/dis/limbo.dis";
	argv[n++] = "-I/module";
	argv[n++] = "-gw";
	if (extra != NULL)
		argv[n++] = (char *)extra;
	argv[n++] = (char *)src;
	argv[n] = NULL;
	assert_int_equal(chdir(outdir), 0);
	r = run_cmd(argv, NULL, ORACLE_TIMEOUT_MS);
	assert_int_equal(chdir(cwd), 0);
	if (r.status != 0)
		print_message("# limbo.dis %s: status %d: %.500s\n", src, r.status, r.err);
	run_free(&r);
	return r.status;
}

/* 1 if the .dis files a and b are the same module byte for byte once a's
 * source path is taken to be b's (it records where each was compiled). */
static inline int
same_dis(const char *a, const char *b)
{
	DisModule *ma, *mb;
	uint8_t *ba = NULL, *bb = NULL;
	size_t la = 0, lb = 0;
	AcErr err;
	int same = 0;

	ma = dis_module_load(a, &err);
	mb = dis_module_load(b, &err);
	if (ma != NULL && mb != NULL) {
		free(ma->srcpath);
		ma->srcpath = strdup(mb->srcpath);
		same = dis_module_write(ma, &ba, &la, &err) == AC_OK &&
		       dis_module_write(mb, &bb, &lb, &err) == AC_OK && la == lb &&
		       memcmp(ba, bb, la) == 0;
	}
	free(ba);
	free(bb);
	dis_module_free(ma);
	dis_module_free(mb);
	return same;
}

/* Reads a whole small file (caller frees), or NULL. */
static inline char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;

	if (f == NULL)
		return NULL;
	b = calloc(1, 1 << 20);
	n = fread(b, 1, (1 << 20) - 1, f);
	b[n] = 0;
	fclose(f);
	return b;
}

#endif
