/*
 * What the limbo tests share: running a command over the Limbo corpus
 * ($ACHERON_INFERNO and the project's own sources), collecting files, and
 * telling programs from pieces they include. Header-only; include once per
 * test, after tests/test.h and tests/run.h.
 */
#ifndef TESTS_LIMBO_CORPUS_H
#define TESTS_LIMBO_CORPUS_H

#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <sys/stat.h>

#define LIMBO "bin/limbo"
#define CORPUS_TIMEOUT_MS 10000

/* The include directory: Inferno's module declarations, or without them
 * the project's own module/ (sys.m, draw.m, math.m), which is all that a
 * test not about Inferno's sources includes. */
static char moddir[1024];

/* Makes a test's scratch directory (under build/tests/limbo) and finds
 * moddir. */
static inline void
corpus_dirs(const char *dir)
{
	mkdir("build", 0777);
	mkdir("build/tests", 0777);
	mkdir("build/tests/limbo", 0777);
	mkdir(dir, 0777);
	if (inferno_present())
		snprintf(moddir, sizeof moddir, "%s/module", inferno_dir());
	else
		snprintf(moddir, sizeof moddir, "module");
}

/* Runs prog with args (NULL-terminated, after the program name). */
static inline RunResult
run_prog(const char *prog, const char *const *args)
{
	char *argv[32];
	int n = 0;

	argv[n++] = (char *)prog;
	while (*args != NULL && n < 31)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return run_cmd(argv, NULL, CORPUS_TIMEOUT_MS);
}

static inline RunResult
limbo(const char *const *args)
{
	return run_prog(LIMBO, args);
}

static inline void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Runs bin/limbo with flag ("--parse-only", "--check-only") on path, the
 * include path being Inferno's module/ and ours; 1 if it is clean (exit 0,
 * nothing on stderr), else 0 with its errors printed. */
static inline int
limbo_clean(const char *flag, const char *path)
{
	const char *args[] = {flag, "-I", moddir, "-I", "module", path, NULL};
	RunResult r = limbo(args);
	int ok = r.status == 0 && r.errlen == 0;

	if (!ok)
		print_message("# %s: status %d: %.2000s", path, r.status, r.err);
	run_free(&r);
	return ok;
}

/* limbo_clean over the project's own Limbo sources; *n gets how many
 * there are, the result how many were clean. */
static inline int
limbo_clean_project(const char *flag, int *n)
{
	static const char *const pats[] = {"bench/vm/*.b", "bench/cluster/*.b", "cluster_tests/jobs/*.b",
	                                   "tests/vm/limbo/*.b", "examples/*/*.b"};
	int ok = 0;

	*n = 0;
	for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
		glob_t g;
		if (glob(pats[k], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			(*n)++;
			ok += limbo_clean(flag, g.gl_pathv[i]);
		}
		globfree(&g);
	}
	return ok;
}

/* Files under a directory ending in an extension, sorted. */
static char *found[1024];
static int nfound;
static const char *want_ext;

static inline int
collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t n = strlen(path), e = strlen(want_ext);

	(void)st;
	(void)ftw;
	if (flag == FTW_F && n > e && strcmp(path + n - e, want_ext) == 0 && nfound < 1024)
		found[nfound++] = strdup(path);
	return 0;
}

static inline int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void
find_files(const char *dir, const char *ext)
{
	for (int i = 0; i < nfound; i++)
		free(found[i]);
	nfound = 0;
	want_ext = ext;
	nftw(dir, collect, 16, FTW_PHYS);
	qsort(found, (size_t)nfound, sizeof found[0], cmpstr);
}

/* A program starts with `implement`; other files are pieces a program
 * includes (the limbo compiler's types.b, most .m files). */
static inline int
is_program(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int prog = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		char *s = line + strspn(line, " \t\r\n");
		if (*s == 0 || *s == '#')
			continue;
		prog = strncmp(s, "implement", 9) == 0;
		break;
	}
	fclose(f);
	return prog;
}

/* xorshift64: the next number of the sequence *state holds. */
static inline uint64_t
corpus_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
