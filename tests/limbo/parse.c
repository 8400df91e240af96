/*
 * The Limbo front end's lexer and parser: every Limbo source we have parses
 * (Inferno's appl/ including its own compiler, every module declaration in
 * module/, the project's programs); bad programs give the exact
 * "FILE:LINE: message"; several errors are all reported; random mutations
 * of a real source never crash or hang bin/limbo; --dump-ast is stable.
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"

#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <sys/stat.h>

#include "limbo/limbo.h"

#define DIR "build/tests/limbo"

static void
setup_dirs(void)
{
	corpus_dirs(DIR);
	mkdir(DIR "/bad", 0777);
}

static int
parses(const char *path)
{
	return limbo_clean("--parse-only", path);
}

static void
test_inferno_appl(void **state)
{
	char dir[1024];
	int ok = 0;

	(void)state;
	setup_dirs();
	snprintf(dir, sizeof dir, "%s/appl", inferno_dir());
	find_files(dir, ".b");
	assert_true(nfound >= 44);
	for (int i = 0; i < nfound; i++)
		ok += parses(found[i]);
	print_message("# parsed %d of %d Inferno appl .b files (its compiler included)\n", ok, nfound);
	assert_int_equal(ok, nfound);
}

static void
test_inferno_modules(void **state)
{
	int ok = 0, progs = 0;

	(void)state;
	setup_dirs();
	find_files(moddir, ".m");
	assert_true(nfound >= 150);
	for (int i = 0; i < nfound; i++) {
		char text[2048];
		if (is_program(found[i])) {
			progs++;
			ok += parses(found[i]);
			continue;
		}
		snprintf(text, sizeof text, "implement W;\ninclude \"%s\";\n", found[i] + strlen(moddir) + 1);
		write_file(DIR "/wrap.b", text);
		ok += parses(DIR "/wrap.b");
	}
	print_message("# parsed %d of %d module .m files (%d as programs)\n", ok, nfound, progs);
	assert_int_equal(ok, nfound);
}

static void
test_project_sources(void **state)
{
	int n, ok;

	(void)state;
	setup_dirs();
	ok = limbo_clean_project("--parse-only", &n);
	print_message("# parsed %d of %d project .b files\n", ok, n);
	assert_true(n >= 10);
	assert_int_equal(ok, n);
}

typedef struct Bad {
	const char *name;   /* DIR/bad/NAME.b */
	const char *src;
	const char *err;    /* exact standard error; FILE is DIR/bad/NAME.b */
} Bad;

#define B DIR "/bad/"
static const Bad bads[] = {
	{"token", "implement T;\nf()\n{\n\tx := 1 +;\n}\n",
	 B "token.b:4: syntax error near `;`: expected an expression\n"},
	{"semi", "implement T;\nf()\n{\n\tx := 1\n\ty := 2;\n}\n",
	 B "semi.b:5: syntax error near `y`: expected ;\n"},
	{"string", "implement T;\nf()\n{\n\ts := \"abc;\n}\n",
	 B "string.b:4: newline in string constant\n" B "string.b:5: syntax error near `}`: expected ;\n"},
	{"eofstring", "implement T;\ns := \"abc",
	 B "eofstring.b:2: end of file in string constant\n" B "eofstring.b:2: syntax error near `end of file`: expected ;\n"},
	{"raw", "implement T;\ns := `abc\n\n",
	 B "raw.b:2: end of file in raw string constant\n" B "raw.b:4: syntax error near `end of file`: expected ;\n"},
	{"radix", "implement T;\nx := 16r1G;\n", B "radix.b:2: digit 'G' is not radix 16\n"},
	{"radix2", "implement T;\nx := 40r1;\n", B "radix2.b:2: radix '40' is not between 2 and 36\n"},
	{"exp", "implement T;\nx := 1e+;\n", B "exp.b:2: malformed numerical constant '1e+'\n"},
	{"escape", "implement T;\nx := \"a\\qb\";\n", B "escape.b:2: unrecognized escape \\q\n"},
	{"uescape", "implement T;\nx := \"\\u12\";\n", B "uescape.b:2: malformed \\u escape sequence\n"},
	{"char", "implement T;\nx := 'ab';\n",
	 B "char.b:2: more than one character in a character constant\n"},
	{"char2", "implement T;\nx := 'a;\n", B "char2.b:2: missing closing '\n"},
	{"unknown", "implement T;\nx := 1 $ 2;\n",
	 B "unknown.b:2: unknown character '$'\n" B "unknown.b:2: syntax error near `2`: expected ;\n"},
	{"noinclude", "implement T;\ninclude \"nosuch.m\";\nx: int;\n",
	 B "noinclude.b:2: can't include \"nosuch.m\": file not found\n"},
	{"inclerr", "implement T;\ninclude \"badinc.m\";\nx: int;\n",
	 B "badinc.m:3: syntax error near `int`: expected ;\n"},
	{"afterinc", "implement T;\ninclude \"okinc.m\";\nx: int;\ny := ;\n",
	 B "afterinc.b:4: syntax error near `;`: expected an expression\n"},
	{"decl", "implement T;\n1 + 2;\n", B "decl.b:2: syntax error near `1`: expected a declaration\n"},
	{"adtmember", "implement T;\nA: adt {\n\tx: int;\n\t3;\n\ty: int;\n};\n",
	 B "adtmember.b:4: syntax error near `3`: expected an adt member\n"},
	{"rparen", "implement T;\nf()\n{\n\tif(x {\n\t\ty = 1;\n\t}\n\tz = 2;\n}\n",
	 B "rparen.b:4: syntax error near `{`: expected )\n"},
	{"eof", "implement T;\nf()\n{\n\tx = 1;\n",
	 B "eof.b:5: syntax error near `end of file`: expected }\n"},
	{"fnlit", "implement T;\nf()\n{\n\tg := fn(x: int) { };\n}\n",
	 B "fnlit.b:4: function literals are not supported\n"},
	{"nest", "implement T;\nf()\n{\n\tx := a[1:2:3];\n}\n",
	 B "nest.b:4: syntax error near `:`: expected ]\n"},
};

static void
test_bad_programs(void **state)
{
	(void)state;
	setup_dirs();
	write_file(B "okinc.m", "Ok: module\n{\n\tf: fn(x: int): int;\n\tg: fn();\n};\n\n\n");
	write_file(B "badinc.m", "Bad: module\n{\n\tf: fn(x: int) int;\n};\n");
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, B "%s.b", bads[i].name);
		write_file(path, bads[i].src);
		const char *args[] = {"--parse-only", path, NULL};
		RunResult r = limbo(args);
		if (strcmp(r.err, bads[i].err) != 0 || r.status != 1)
			print_message("# %s: status %d, got:\n%s# want:\n%s", bads[i].name, r.status, r.err, bads[i].err);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, bads[i].err);
		assert_int_equal(r.outlen, 0);
		run_free(&r);
	}
}

/* Errors on separate lines are all reported, each at its line; past the
 * cap the parse stops with one "too many errors" line. */
static void
test_many_errors(void **state)
{
	char *src;
	size_t n = 0;
	RunResult r;
	int lines = 0;

	(void)state;
	setup_dirs();
	write_file(B "several.b",
	           "implement T;\n"
	           "f()\n{\n"
	           "\tx := 1 +;\n"          /* 4 */
	           "\ty := 2;\n"
	           "\tz := (3;\n"           /* 6 */
	           "\tif (x) y = 1 else z = 2;\n" /* 7 */
	           "\tw := \"ok\";\n"
	           "}\n"
	           "g(: int)\n"             /* 10 */
	           "{\n}\n"
	           "h: fn(a: int): ;\n"     /* 13 */
	           "k := 5;\n");
	{
		const char *args[] = {"--parse-only", B "several.b", NULL};
		r = limbo(args);
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
	                    B "several.b:4: syntax error near `;`: expected an expression\n"
	                    B "several.b:6: syntax error near `;`: expected )\n"
	                    B "several.b:7: syntax error near `else`: expected ;\n"
	                    B "several.b:10: syntax error near `:`: expected an identifier\n"
	                    B "several.b:13: syntax error near `;`: expected a type\n");
	run_free(&r);

	src = malloc(200 * 32 + 64);
	assert_non_null(src);
	n += (size_t)sprintf(src, "implement T;\nf()\n{\n");
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(src + n, "\tx := 1 +;\n");
	sprintf(src + n, "}\n");
	write_file(B "many.b", src);
	free(src);
	{
		const char *args[] = {"--parse-only", B "many.b", NULL};
		r = limbo(args);
	}
	assert_int_equal(r.status, 1);
	for (char *c = r.err; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, LIMBO_MAX_ERRORS + 1);
	assert_non_null(strstr(r.err, B "many.b:54: too many errors, stopping\n"));
	run_free(&r);
}

/* a fixed sequence, so a failure reproduces */
static uint64_t rng = 0x9E3779B97F4A7C15ull;

/* Random bytes, punctuation, deletions and truncations of a real source:
 * never a crash or a hang, always a status and a message. */
static void
mutate(const char *path, int runs)
{
	static const char pieces[] = "{}()[];:=,.\"'`#*-<>r\n \\0x9";
	uint8_t *src;
	size_t len;
	AcErr err;
	int crashed = 0, rejected = 0, accepted = 0;

	setup_dirs();
	if (ac_file_read(path, &src, &len, &err) != AC_OK) {
		print_error("%s\n", err.msg);
		fail();
	}
	for (int i = 0; i < runs; i++) {
		char *m = malloc(len + 64);
		size_t n = len;
		assert_non_null(m);
		memcpy(m, src, len);
		for (int k = 0, nmut = 1 + (int)(corpus_rand(&rng) % 4); k < nmut; k++) {
			size_t at = (size_t)(corpus_rand(&rng) % n);
			switch (corpus_rand(&rng) % 4) {
			case 0: /* a random byte */
				m[at] = (char)(corpus_rand(&rng) & 0xFF);
				break;
			case 1: /* a piece of Limbo punctuation */
				m[at] = pieces[corpus_rand(&rng) % (sizeof pieces - 1)];
				break;
			case 2: { /* delete a run */
				size_t d = 1 + (size_t)(corpus_rand(&rng) % 64);
				if (at + d > n)
					d = n - at;
				memmove(m + at, m + at + d, n - at - d);
				n -= d;
				break;
			}
			default: /* truncate */
				n = at + 1;
				break;
			}
			if (n == 0)
				n = 1;
		}
		write_file(DIR "/mut.b", "");
		FILE *f = fopen(DIR "/mut.b", "wb");
		assert_non_null(f);
		fwrite(m, 1, n, f);
		fclose(f);
		free(m);
		const char *args[] = {"--parse-only", "-I", moddir, DIR "/mut.b", NULL};
		RunResult r = limbo(args);
		if (r.status == 0)
			accepted++;
		else if (r.status == 1 && r.errlen > 0)
			rejected++;
		else {
			crashed++;
			print_message("# mutation %d: status %d\n", i, r.status);
		}
		run_free(&r);
	}
	free(src);
	print_message("# %s: %d mutations: %d rejected with errors, %d still parse, %d crashed or hung\n",
	              path, runs, rejected, accepted, crashed);
	assert_int_equal(crashed, 0);
}

static void
test_mutations(void **state)
{
	(void)state;
	mutate("tests/limbo/progs/30_bigprog.b", 150);
}

/* Inferno's bufio: a real library, written by others. */
static void
test_mutations_inferno(void **state)
{
	char path[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/appl/lib/bufio.b", inferno_dir());
	mutate(path, 150);
}

/* Deep nesting is an error, not a stack overflow. */
static void
test_deep_nesting(void **state)
{
	size_t n = 100000;
	char *src = malloc(n * 2 + 64);
	RunResult r;

	(void)state;
	setup_dirs();
	assert_non_null(src);
	strcpy(src, "implement T;\nx := ");
	memset(src + strlen(src), '(', n);
	strcpy(src + 18 + n, "1;\n");
	write_file(B "deep.b", src);
	free(src);
	const char *args[] = {"--parse-only", B "deep.b", NULL};
	r = limbo(args);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, B "deep.b:2: program too deeply nested (more than 1000 levels)\n");
	run_free(&r);

	/* A long left-associative chain is a loop, not recursion: 5000 terms
	 * parse; past 10000 it is an error. */
	for (int terms = 5000; terms <= 20000; terms += 15000) {
		src = malloc((size_t)terms * 2 + 64);
		assert_non_null(src);
		char *e = src + sprintf(src, "implement T;\nx := 1");
		for (int i = 1; i < terms; i++)
			e += sprintf(e, "+1");
		strcpy(e, ";\n");
		write_file(B "chain.b", src);
		free(src);
		const char *cargs[] = {"--dump-ast", B "chain.b", NULL};
		r = limbo(cargs);
		if (terms == 5000) {
			assert_int_equal(r.status, 0);
		} else {
			assert_int_equal(r.status, 1);
			assert_string_equal(r.err, B "chain.b:2: expression too long (more than 10000 operators in a chain)\n");
		}
		run_free(&r);
	}
}

/* Precedence and forms, through the library and the dumper. */
static char *
dump_of(const char *src)
{
	AcErr err;
	LimboUnit *u = limbo_parse_buf("t.b", src, strlen(src), NULL, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(u);
	for (int i = 0; i < limbo_unit_nerrors(u); i++)
		print_message("# %s\n", limbo_unit_error(u, i));
	assert_int_equal(limbo_unit_nerrors(u), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(limbo_unit_dump(u, f), AC_OK);
	fclose(f);
	limbo_unit_free(u);
	return buf;
}

static void
test_forms(void **state)
{
	char *d;

	(void)state;
	d = dump_of("x = a + b * c ** d ** e;\n");
	assert_string_equal(d,
	                    "PROGRAM @t.b:1\n"
	                    "  ASSIGN = @1\n"
	                    "    NAME x @1\n"
	                    "    BINOP + @1\n"
	                    "      NAME a @1\n"
	                    "      BINOP * @1\n"
	                    "        NAME b @1\n"
	                    "        BINOP ** @1\n"
	                    "          NAME c @1\n"
	                    "          BINOP ** @1\n"
	                    "            NAME d @1\n"
	                    "            NAME e @1\n");
	free(d);
	/* -3**4 is (-3)**4; :: is right-associative; m->a.b(1) calls m->(a.b) */
	d = dump_of("f()\n{\n\ty := -3 ** 4;\n\tl := 1 :: 2 :: nil;\n\tm->a.b(1);\n\tc <-= v;\n\tv = <-c;\n}\n");
	assert_non_null(strstr(d, "        BINOP ** @3\n          UNOP - @3\n            ICONST 3 @3\n          ICONST 4 @3\n"));
	assert_non_null(strstr(d, "        BINOP :: @4\n          ICONST 1 @4\n          BINOP :: @4\n"));
	assert_non_null(strstr(d, "      CALL @5\n        MDOT @5\n          NAME m @5\n          DOT @5\n"));
	assert_non_null(strstr(d, "      SEND @6\n        NAME c @6\n        NAME v @6\n"));
	assert_non_null(strstr(d, "        UNOP <- @7\n"));
	free(d);
	/* literals: radix, character escapes, \u, reals in a radix */
	d = dump_of("x := (16r1F, 'a', '\\n', \"\\u00e9\", 2r101.1, 1.5e3, `a\\n`);\n");
	assert_non_null(strstr(d, "ICONST 31 @1\n"));
	assert_non_null(strstr(d, "ICONST 97 @1\n"));
	assert_non_null(strstr(d, "ICONST 10 @1\n"));
	assert_non_null(strstr(d, "SCONST \"\xc3\xa9\" @1\n"));
	assert_non_null(strstr(d, "RCONST 5.5 @1\n"));
	assert_non_null(strstr(d, "RCONST 1500 @1\n"));
	assert_non_null(strstr(d, "SCONST \"a\\\\n\" @1\n"));
	free(d);
	/* case with ranges and or; exception handler; labelled loop; pick adt */
	d = dump_of("A: adt { pick { X or Y => i: int; Z => } };\n"
	            "f()\n{\n"
	            "\tcase x { 1 or 2 => ; 3 to 5 => y = 1; * => ; }\n"
	            "\t{ raise \"e\"; } exception e { \"e*\" => exit; }\n"
	            "\tl: for(;;) break l;\n"
	            "\ta := array[] of {* => 0, 2 => 1};\n"
	            "}\n");
	assert_non_null(strstr(d, "PICKDECL @1\n"));
	assert_non_null(strstr(d, "            RANGE @4\n              ICONST 3 @4\n              ICONST 5 @4\n"));
	assert_non_null(strstr(d, "            WILD @4\n"));
	assert_non_null(strstr(d, "      EXCEPT @5\n"));
	assert_non_null(strstr(d, "      FOR l @6\n"));
	assert_non_null(strstr(d, "ARRAYNEW inits @7\n"));
	free(d);
}

/* --dump-ast of path twice: the same bytes, at least min_bytes of them. */
static void
dump_twice(const char *path, size_t min_bytes)
{
	setup_dirs();
	const char *args[] = {"--dump-ast", "-I", moddir, path, NULL};
	RunResult a = limbo(args), b = limbo(args);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_true(a.outlen > min_bytes);
	assert_int_equal(a.outlen, b.outlen);
	assert_memory_equal(a.out, b.out, a.outlen);
	print_message("# %s (with its includes): %zu bytes of tree\n", path, a.outlen);
	run_free(&a);
	run_free(&b);
}

/* The largest program of ours. */
static void
test_dump_deterministic(void **state)
{
	(void)state;
	dump_twice("examples/fashion/train.b", 40000);
}

/* The largest program we have: Inferno's own compiler. */
static void
test_dump_deterministic_inferno(void **state)
{
	char path[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/appl/cmd/limbo/limbo.b", inferno_dir());
	dump_twice(path, 100000);
}

static void
test_usage(void **state)
{
	(void)state;
	setup_dirs();
	{
		const char *args[] = {NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 2);
		run_free(&r);
	}
	{
		const char *args[] = {"--bogus", "x.b", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 2);
		run_free(&r);
	}
	{
		const char *args[] = {"--help", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "not implemented yet: CONSTRUCT"));
		run_free(&r);
	}
	{
		const char *args[] = {"-I", moddir, "-o", DIR "/poly.dis", DIR "/poly.b", NULL};
		RunResult r;
		write_file(DIR "/poly.b", "implement P;\nP: module { f: fn(); };\n"
		                          "g(): int { return 1; }\nx := g();\nf() { }\n");
		r = limbo(args);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, DIR "/poly.b:4: initializer of global x is not a constant expression\n");
		assert_int_equal(access(DIR "/poly.dis", F_OK), -1);
		run_free(&r);
	}
	{
		const char *args[] = {"--parse-only", DIR "/nosuch.b", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, "limbo: " DIR "/nosuch.b: No such file or directory\n");
		run_free(&r);
	}
}

TEST_MAIN("limbo/parse",
          inferno_unit_test(test_inferno_appl),
          inferno_unit_test(test_inferno_modules),
          cmocka_unit_test(test_project_sources),
          cmocka_unit_test(test_bad_programs),
          cmocka_unit_test(test_many_errors),
          cmocka_unit_test(test_mutations),
          inferno_unit_test(test_mutations_inferno),
          cmocka_unit_test(test_deep_nesting),
          cmocka_unit_test(test_forms),
          cmocka_unit_test(test_dump_deterministic),
          inferno_unit_test(test_dump_deterministic_inferno),
          cmocka_unit_test(test_usage))
