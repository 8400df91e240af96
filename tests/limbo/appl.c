/*
 * Inferno's own commands and library modules ($ACHERON_INFERNO/appl/cmd and
 * appl/lib) compiled by bin/limbo into a root that mirrors Inferno's
 * (build/tests/limbo/appl/root: dis/, dis/lib/, module/), then run on the
 * command cases of tests/vm/inferno_cmds.c (tests/vm/cmd_cases.h). A file
 * whose compile says "not implemented yet" is noted and, for a library,
 * replaced by a link to the shipped .dis; a compiled command that misbehaves
 * fails. The last test prints how many files compile, how many cases pass
 * and how many compiled files are byte-identical to the shipped .dis.
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"
#include "tests/limbo/oracle.h"

#define CMDDIR "build/tests/limbo/appl/cmds"
#include "tests/vm/cmd_cases.h"

#include <glob.h>

#define OUT "build/tests/limbo/appl"
#define ROOT OUT "/root"

static int nfiles, ncompiled, nsame, ncases, ncases_ok;
static char compiled_cmd[64][256];
static int ncompiled_cmd;

/* Compiles src into out: 1 done, 0 not implemented yet (noted), -1 failed. */
static int
compile_one(const char *src, const char *out, const char *ref)
{
	const char *args[] = {"-I", moddir, "-I", "module", "-o", out, src, NULL};
	RunResult r;
	int res = 1;

	unlink(out);
	r = limbo(args);
	nfiles++;
	if (r.status == 1 && strstr(r.err, "not implemented yet") != NULL) {
		char *nl = strchr(r.err, '\n');
		if (nl != NULL)
			*nl = 0;
		print_message("# appl: %s: not implemented yet: %s\n", src, r.err);
		res = 0;
	} else if (r.status != 0 || r.errlen != 0) {
		print_error("%s: bin/limbo status %d: %.1000s\n", src, r.status, r.err);
		res = -1;
	} else {
		ncompiled++;
		nsame += same_dis(out, ref);
	}
	run_free(&r);
	return res;
}

/* Compiles every .b of appl/SUB into ROOT/DISDIR; a library that does not
 * compile is linked to the shipped one. Returns the number of failures. */
static int
compile_dir(const char *sub, const char *disdir, int is_cmd)
{
	char pat[1100];
	glob_t g;
	int failed = 0;

	snprintf(pat, sizeof pat, "%s/appl/%s/*.b", inferno_dir(), sub);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *s = strrchr(g.gl_pathv[i], '/') + 1;
		char name[256], out[600], ref[1400];
		int c;

		snprintf(name, sizeof name, "%.*s", (int)(strlen(s) - 2), s);
		snprintf(out, sizeof out, ROOT "/%s/%s.dis", disdir, name);
		snprintf(ref, sizeof ref, "%s/%s/%s.dis", inferno_dir(), disdir, name);
		c = compile_one(g.gl_pathv[i], out, ref);
		if (c < 0)
			failed++;
		if (c <= 0 && !is_cmd) {
			char lib[700];
			snprintf(lib, sizeof lib, ROOT "/%s", disdir);
			unlink(out);
			oracle_link(lib, strrchr(out, '/') + 1, ref);
		}
		if (c > 0 && is_cmd && ncompiled_cmd < 64)
			snprintf(compiled_cmd[ncompiled_cmd++], sizeof compiled_cmd[0], "%s", name);
	}
	globfree(&g);
	return failed;
}

static void
test_compile(void **state)
{
	char d[1100];
	int failed;

	(void)state;
	corpus_dirs(OUT);
	mkdir(ROOT, 0777);
	mkdir(ROOT "/dis", 0777);
	mkdir(ROOT "/dis/lib", 0777);
	snprintf(d, sizeof d, "%s/module", inferno_dir());
	oracle_link(ROOT, "module", d);
	snprintf(d, sizeof d, "%s/appl", inferno_dir());
	oracle_link(ROOT, "appl", d);
	failed = compile_dir("lib", "dis/lib", 0);
	failed += compile_dir("cmd", "dis", 1);
	assert_int_equal(failed, 0);
}

static void
test_cases(void **state)
{
	int failed = 0;

	(void)state;
	for (int i = 0; i < NCASES; i++) {
		char dis[512];
		int have = 0;
		for (int k = 0; k < ncompiled_cmd; k++)
			have |= strcmp(compiled_cmd[k], cases[i].cmd) == 0;
		if (!have)
			continue;
		ncases++;
		snprintf(dis, sizeof dis, ROOT "/dis/%s.dis", cases[i].cmd);
		if (cmd_case_check(&cases[i], ROOT, dis))
			ncases_ok++;
		else
			failed++;
	}
	assert_int_equal(failed, 0);
}

static void
test_summary(void **state)
{
	(void)state;
	print_message("# appl: %d of %d programs compile; %d of %d cases pass; %d byte-identical to the shipped .dis\n",
	              ncompiled, nfiles, ncases_ok, ncases, nsame);
	assert_true(nfiles >= 30);
	assert_int_equal(ncompiled, nfiles);
	assert_int_equal(ncases_ok, ncases);
	assert_true(ncases >= 30);
}

TEST_MAIN("limbo/appl",
          inferno_unit_test(test_compile),
          inferno_unit_test(test_cases),
          inferno_unit_test(test_summary))
