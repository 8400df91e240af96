/*
 * The Limbo corpus (tests/limbo/progs/NAME.b, one language theme each)
 * compiled by bin/limbo and run with bin/dis-run: standard output and exit
 * status must be NAME.out and NAME.status (0 when absent), which
 * tests/limbo/progs/regen.sh made with Inferno's own compiler. Every
 * program must compile ("not implemented yet" fails too). A NAME.b with a
 * NAME.m beside it is a helper module that programs with its numeric prefix load; a
 * program with no .out is one our VM gets wrong (see the "# vm-bug:" line
 * or regen.sh). A program that includes a module neither beside it nor in
 * module/ (bufio.m) needs Inferno's files and is skipped, by name, without
 * them. The last test prints how many programs pass and how many of those
 * are byte-identical to what limbo.dis makes (Inferno's files again).
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"
#include "tests/limbo/oracle.h"

#include <glob.h>
#include <sys/stat.h>

#define DISRUN "bin/dis-run"
#define SRCDIR "tests/limbo/progs"
#define OUT "build/tests/limbo/progs"
#define ROOT OUT "/root"
#define ORACLE OUT "/oracle"
#define RUN_TIMEOUT_MS 20000

static int nprog, npass, nsame, nskip;
static char nyi_prefix[64][8];  /* numeric prefixes of helpers not compiled */
static int nnyi_prefix;

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* NAME of tests/limbo/progs/NAME.b */
static void
base(const char *path, char *name, size_t n)
{
	const char *s = strrchr(path, '/') + 1;

	snprintf(name, n, "%.*s", (int)(strlen(s) - 2), s);
}

static void
prefix(const char *name, char *p)
{
	size_t k = strspn(name, "0123456789");

	snprintf(p, 8, "%.*s", (int)(k < 7 ? k : 7), name);
}

/* The first module NAME.b includes that is neither in SRCDIR nor in our
 * module/ (so only Inferno's module/ has it), into inc; 0 if none. */
static int
inferno_include(const char *name, char *inc, size_t n)
{
	char path[512], line[512];
	FILE *f;
	int hit = 0;

	snprintf(path, sizeof path, SRCDIR "/%s.b", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (!hit && fgets(line, sizeof line, f) != NULL) {
		char m[256], here[600], ours[600];
		if (sscanf(line, " include \"%255[^\"]\"", m) != 1)
			continue;
		snprintf(here, sizeof here, SRCDIR "/%s", m);
		snprintf(ours, sizeof ours, "module/%s", m);
		if (!exists(here) && !exists(ours)) {
			snprintf(inc, n, "%s", m);
			hit = 1;
		}
	}
	fclose(f);
	return hit;
}

/* Compiles NAME.b with bin/limbo into OUT: 1 done, 0 not implemented yet
 * (noted), -1 failed (printed). */
static int
compile_ours(const char *name)
{
	char src[512], out[512];
	RunResult r;
	int res = 1;

	snprintf(src, sizeof src, SRCDIR "/%s.b", name);
	snprintf(out, sizeof out, OUT "/%s.dis", name);
	unlink(out);
	{
		const char *args[] = {"-I", moddir, "-I", "module", "-o", out, src, NULL};
		r = limbo(args);
	}
	if (r.status == 1 && strstr(r.err, "not implemented yet") != NULL) {
		char *nl = strchr(r.err, '\n');
		if (nl != NULL)
			*nl = 0;
		print_message("# progs: %s: not implemented yet: %s\n", name, r.err);
		res = 0;
	} else if (r.status != 0 || r.errlen != 0) {
		print_error("%s: bin/limbo status %d: %.1000s\n", name, r.status, r.err);
		res = -1;
	}
	run_free(&r);
	return res;
}

static void
setup(void)
{
	char cwd[1024];

	corpus_dirs(OUT);
	mkdir(ROOT, 0777);
	mkdir(ORACLE, 0777);
	assert_non_null(getcwd(cwd, sizeof cwd));
	{
		char d[1100];
		snprintf(d, sizeof d, "%s/dis", inferno_dir());
		oracle_link(ROOT, "dis", d);
		snprintf(d, sizeof d, "%s/module", inferno_dir());
		oracle_link(ROOT, "module", d);
	}
	oracle_link(ROOT, "progs", SRCDIR);
}

/* Runs our NAME.dis; 1 if output and status are the expected ones. */
static int
run_matches(const char *name, const char *want, int want_status)
{
	char dis[512];
	char *argv[] = {DISRUN, "-r", (char *)inferno_dir(), dis, NULL};
	RunResult r;
	int ok;

	snprintf(dis, sizeof dis, OUT "/%s.dis", name);
	if (!inferno_present()) {   /* no root: nothing it loads is Inferno's */
		argv[1] = dis;
		argv[2] = NULL;
	}
	r = run_cmd(argv, "", RUN_TIMEOUT_MS);
	ok = r.status == want_status && strcmp(r.out, want) == 0;
	if (!ok)
		print_error("%s: dis-run status %d (want %d)\nstdout [%s]\nwant   [%s]\nstderr [%.1000s]\n", name,
		            r.status, want_status, r.out, want, r.err);
	run_free(&r);
	return ok;
}

/* Compiles NAME with limbo.dis into ORACLE; 1 if ours is the same module. */
static int
byte_identical(const char *name)
{
	char src[512], a[512], b[512];

	snprintf(src, sizeof src, "/progs/%s.b", name);
	snprintf(a, sizeof a, OUT "/%s.dis", name);
	snprintf(b, sizeof b, ORACLE "/%s.dis", name);
	unlink(b);
	if (oracle_compile(ROOT, ORACLE, src, NULL) != 0)
		return 0;
	return same_dis(a, b);
}

static void
test_programs(void **state)
{
	glob_t g;
	int failed = 0;

	(void)state;
	setup();
	assert_int_equal(glob(SRCDIR "/*.b", 0, NULL, &g), 0);
	/* helpers first: programs load them from OUT by relative path */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char name[256], m[600];
		base(g.gl_pathv[i], name, sizeof name);
		snprintf(m, sizeof m, SRCDIR "/%s.m", name);
		if (!exists(m))
			continue;
		int c = compile_ours(name);
		if (c < 0)
			failed++;
		if (c <= 0 && nnyi_prefix < 64)
			prefix(name, nyi_prefix[nnyi_prefix++]);
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char name[256], path[600], p[8];
		char *want, *st;
		int want_status = 0, c, blocked = 0;

		base(g.gl_pathv[i], name, sizeof name);
		snprintf(path, sizeof path, SRCDIR "/%s.m", name);
		if (exists(path))
			continue;
		nprog++;
		if (!inferno_present()) {
			char inc[256];
			if (inferno_include(name, inc, sizeof inc)) {
				if (inferno_required()) {
					print_error("%s: includes %s: %s\n", name, inc, INFERNO_MISSING);
					failed++;
				} else {
					print_message("# progs: %s: SKIP: includes %s: %s\n", name, inc, INFERNO_MISSING);
					fprintf(stderr, "# SKIP progs %s: includes %s: %s\n", name, inc, INFERNO_MISSING);
					nskip++;
				}
				continue;
			}
		}
		snprintf(path, sizeof path, SRCDIR "/%s.out", name);
		want = read_text(path);
		if (want == NULL) {
			print_message("# progs: %s: no .out (our VM gets it wrong; see the .b and regen.sh)\n", name);
			continue;
		}
		snprintf(path, sizeof path, SRCDIR "/%s.status", name);
		if ((st = read_text(path)) != NULL)
			want_status = atoi(st);
		free(st);
		c = compile_ours(name);
		prefix(name, p);
		for (int k = 0; k < nnyi_prefix; k++)
			if (p[0] != 0 && strcmp(p, nyi_prefix[k]) == 0)
				blocked = 1;
		if (c > 0 && blocked) {
			print_message("# progs: %s: its helper module is not implemented yet\n", name);
			c = 0;
		}
		if (c <= 0) {
			if (c == 0)
				print_error("%s: every program of the corpus must compile\n", name);
			failed++;
		} else if (c > 0) {
			if (run_matches(name, want, want_status)) {
				npass++;
				if (inferno_present())
					nsame += byte_identical(name);
			} else {
				failed++;
			}
		}
		free(want);
	}
	globfree(&g);
	assert_int_equal(failed, 0);
}

static void
test_summary(void **state)
{
	(void)state;
	if (inferno_present())
		print_message("# progs: %d of %d programs compile and match; %d of them byte-identical to limbo.dis's\n",
		              npass, nprog, nsame);
	else
		print_message("# progs: %d of %d programs compile and match; %d skipped and none compared with "
		              "limbo.dis's: %s\n", npass, nprog, nskip, INFERNO_MISSING);
	assert_true(nprog >= 30);
}

TEST_MAIN("limbo/progs",
          cmocka_unit_test(test_programs),
          cmocka_unit_test(test_summary))
