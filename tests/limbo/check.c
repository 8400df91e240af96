/*
 * The Limbo type checker: every Inferno program we ship the source of
 * checks without errors; the signatures it computes for each module's
 * exports and for the functions it uses from other modules equal those in
 * the shipped .dis files (read back with bin/dis-dis, which prints the link
 * and import sections dis_module_load parsed); bad programs give the exact
 * "FILE:LINE: message"; several errors come out of one run; random
 * mutations of a real source never crash or hang bin/limbo (checker and
 * code generator).
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"

#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <sys/stat.h>

#include "limbo/limbo.h"

#define DISDIS "bin/dis-dis"
#define DIR "build/tests/limbo/check"

static void
setup_dirs(void)
{
	corpus_dirs(DIR);
}

static int
checks(const char *path)
{
	return limbo_clean("--check-only", path);
}

static void
find_sources(void)
{
	char dir[1024];

	snprintf(dir, sizeof dir, "%s/appl", inferno_dir());
	find_files(dir, ".b");
}

static void
test_inferno_appl(void **state)
{
	int ok = 0, progs = 0;

	(void)state;
	setup_dirs();
	find_sources();
	assert_true(nfound >= 44);
	for (int i = 0; i < nfound; i++) {
		if (!is_program(found[i]))
			continue;
		progs++;
		ok += checks(found[i]);
	}
	print_message("# type-checked %d of %d Inferno appl programs (%d .b files, the rest included by them)\n",
	              ok, progs, nfound);
	assert_true(progs >= 30);
	assert_int_equal(ok, progs);
}

static void
test_project_sources(void **state)
{
	int n, ok;

	(void)state;
	setup_dirs();
	ok = limbo_clean_project("--check-only", &n);
	print_message("# type-checked %d of %d project .b files\n", ok, n);
	assert_true(n >= 10);
	assert_int_equal(ok, n);
}

/* The sig of name among the unit's signatures (exported or not). */
static int
find_sig(const LimboUnit *u, int exported, const char *name, uint32_t sig, const char **got)
{
	*got = NULL;
	for (int i = 0; i < limbo_unit_nsigs(u); i++) {
		const LimboSig *s = limbo_unit_sig(u, i);
		if (s->exported != exported || strcmp(s->name, name) != 0)
			continue;
		*got = s->str;
		if (s->sig == sig)
			return 1;
	}
	return 0;
}

/* Compares one .dis with its source; returns matches, adds to *total. */
static int
oracle_one(const char *dis, const char *src, int *total, int *exports, int *imports)
{
	const char *incs[] = {moddir};
	LimboOptions opt = {incs, 1, 0};
	const char *args[] = {dis, NULL};
	LimboUnit *u;
	RunResult r;
	AcErr err;
	int ok = 0;

	u = limbo_parse_file(src, &opt, &err);
	assert_non_null(u);
	assert_int_equal(limbo_check(u, &err), AC_OK);
	assert_int_equal(limbo_unit_nerrors(u), 0);
	r = run_prog(DISDIS, args);
	if (r.status != 0)
		print_message("# %s: %s needs building (make %s): %s\n", dis, DISDIS, DISDIS, r.err);
	assert_int_equal(r.status, 0);
	/* "\tlink\tDESC,PC,0xSIG,\"NAME\"" and "\text\t@ldt+N,0xSIG,\"NAME\"" */
	for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char name[256];
		unsigned sig;
		int exported, d, p, o;
		const char *got;
		if (sscanf(line, "\tlink\t%d,%d,0x%x,\"%255[^\"]\"", &d, &p, &sig, name) == 4)
			exported = 1;
		else if (sscanf(line, "\text\t@ldt+%d,0x%x,\"%255[^\"]\"", &o, &sig, name) == 3)
			exported = 0;
		else
			continue;
		(*total)++;
		*(exported ? exports : imports) += 1;
		if (find_sig(u, exported, name, sig, &got))
			ok++;
		else
			print_message("# %s: %s %s: want 0x%08x, computed %s\n", dis, exported ? "export" : "import",
			              name, sig, got != NULL ? got : "nothing");
	}
	run_free(&r);
	limbo_unit_free(u);
	return ok;
}

static void
test_signature_oracle(void **state)
{
	char pat[1024];
	glob_t g;
	int total = 0, ok = 0, mods = 0, exports = 0, imports = 0;

	(void)state;
	setup_dirs();
	find_sources();
	for (int pass = 0; pass < 2; pass++) {
		snprintf(pat, sizeof pat, pass == 0 ? "%s/dis/*.dis" : "%s/dis/lib/*.dis", inferno_dir());
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *base = strrchr(g.gl_pathv[i], '/') + 1;
			char want[256];
			const char *src = NULL;
			snprintf(want, sizeof want, "/%.*s.b", (int)(strlen(base) - 4), base);
			for (int k = 0; k < nfound && src == NULL; k++) {
				size_t n = strlen(found[k]), w = strlen(want);
				if (n > w && strcmp(found[k] + n - w, want) == 0)
					src = found[k];
			}
			if (src == NULL)
				continue;
			mods++;
			ok += oracle_one(g.gl_pathv[i], src, &total, &exports, &imports);
		}
		globfree(&g);
	}
	print_message("# signatures: %d of %d match the shipped .dis (%d modules; %d exports, %d imports)\n",
	              ok, total, mods, exports, imports);
	assert_true(mods >= 30);
	assert_true(total >= 390);
	assert_int_equal(ok, total);
}

/* Known values through the library: Sys->print is 0xac849033 (sysmod.h). */
static void
test_signature_api(void **state)
{
	static const char src[] =
		"implement T;\n"
		"include \"sys.m\";\n"
		"\tsys: Sys;\n"
		"T: module {\n\tf: fn(a: int, b: string): (int, string);\n"
		"\tA: adt { x: int; g: fn(a: self ref A, b: ref A): ref A; };\n};\n"
		"f(a: int, b: string): (int, string)\n{\n\tsys->print(\"%d\", a);\n\treturn (a, b);\n}\n"
		"A.g(a: self ref A, b: ref A): ref A\n{\n\treturn b;\n}\n";
	const char *incs[] = {moddir};
	LimboOptions opt = {incs, 1, 0};
	AcErr err;
	LimboUnit *u;
	const char *got;

	(void)state;
	setup_dirs();
	u = limbo_parse_buf("api.b", src, strlen(src), &opt, &err);
	assert_non_null(u);
	assert_int_equal(limbo_check(u, &err), AC_OK);
	for (int i = 0; i < limbo_unit_nerrors(u); i++)
		print_message("# %s\n", limbo_unit_error(u, i));
	assert_int_equal(limbo_unit_nerrors(u), 0);
	assert_true(find_sig(u, 0, "print", 0xac849033, &got));
	assert_string_equal(got, "f*(s)i");
	find_sig(u, 1, "f", 0, &got);
	assert_non_null(got);
	assert_string_equal(got, "f(i,s)t(i,s)");
	find_sig(u, 1, "A.g", 0, &got);
	assert_non_null(got);
	assert_string_equal(got, "f(SRa(x:i),R@1)R@1");
	/* a second check is refused, not repeated */
	assert_int_equal(limbo_check(u, &err), AC_EINVAL);
	limbo_unit_free(u);
}

typedef struct Bad {
	const char *name;   /* DIR/NAME.b */
	const char *body;   /* after the common header (5 lines) */
	const char *err;    /* exact standard error, without "DIR/NAME.b:" */
} Bad;

#define HDR "implement T;\ninclude \"sys.m\";\n\tsys: Sys;\nT: module { f: fn(a, b: int): int; };\nA: adt { x: int; m: fn(a: self ref A): int; };\n"

static const Bad bads[] = {
	{"mismatch", "g()\n{\n\tx := 1 + \"s\";\n}\n", ":8: type mismatch: int and string in +\n"},
	{"undef", "g()\n{\n\ty = 3;\n}\n", ":8: undefined name y\n"},
	{"pickclash", "S: adt { pick { C => r: real; E => } };\ng(s: ref S)\n{\n\tpick x := s {\n\tC or E =>\n\t\t;\n\t}\n}\n",
	 ":10: type clash in pick qualifiers 'C' of type S.C and 'E' of type S.E\n"},
	{"polyinst", "R: adt { x: int; };\nStk: adt[T] { items: list of T; };\ng()\n{\n\ta := ref Stk[string](nil);\n"
	 "\tb := ref Stk[ref R](nil);\n\ta = b;\n}\n", ":12: type mismatch: ref Stk[string] = ref Stk[ref R]\n"},
	{"breaklabel", "g()\n{\n\tfor(;;)\n\t\tbreak out;\n}\n", ":9: no appropriate target for 'break out'\n"},
	{"continuecase", "g(i: int)\n{\n\tcase i {\n\t0 => continue;\n\t}\n}\n",
	 ":9: no appropriate target for 'continue'\n"},
	{"nargs", "g()\n{\n\tf(1, 2, 3);\n}\n", ":8: function f takes 2 arguments, given 3\n"},
	{"argtype", "g()\n{\n\tf(1, \"x\");\n}\n",
	 ":8: type mismatch: argument 2 of function f is string, want int\n"},
	{"init", "g()\n{\n\ts: string = 5;\n}\n", ":8: type mismatch: initial value is int, want string\n"},
	{"assign", "g()\n{\n\ts := \"a\";\n\ts = 4;\n}\n", ":9: type mismatch: string = int\n"},
	{"realint", "g(r: real, i: int)\n{\n\tr = r + i;\n}\n", ":8: type mismatch: real and int in +\n"},
	{"member", "g()\n{\n\tsys->nosuch();\n}\n", ":8: nosuch is not a member of module Sys\n"},
	{"nildecl", "g()\n{\n\tz := nil;\n}\n", ":8: cannot declare z with nil: its type is unknown\n"},
	{"refint", "g()\n{\n\tq := ref 5;\n}\n", ":8: ref of a value of type int: only adts can be referenced\n"},
	{"retval", "g()\n{\n\treturn 1;\n}\n", ":8: return of a value in a function with no result\n"},
	{"noret", "f(a, b: int): int\n{\n\treturn;\n}\n", ":8: return with no value in a function returning int\n"},
	{"field", "g(a: ref A)\n{\n\ta.y = 1;\n}\n", ":8: y is not a member of A\n"},
	{"hd", "g()\n{\n\tx := hd \"abc\";\n}\n", ":8: hd of a value of type string\n"},
	{"index", "g(x: int)\n{\n\ty := x[0];\n}\n", ":8: cannot index a value of type int\n"},
	{"cond", "g(s: string)\n{\n\tif(s)\n\t\t;\n}\n", ":8: type mismatch: condition is string, want int\n"},
	{"notfn", "g(x: int)\n{\n\tx(1);\n}\n", ":8: cannot call x: it is int, not a function\n"},
	{"cast", "g(a: ref A)\n{\n\tx := int a;\n}\n", ":8: cannot convert ref A to int\n"},
	{"send", "g(c: chan of int)\n{\n\tc <-= \"s\";\n}\n", ":8: type mismatch: value sent is string, want int\n"},
	{"recv", "g(x: int)\n{\n\ty := <-x;\n}\n", ":8: <- of a value of type int\n"},
	{"cons", "g(l: list of string)\n{\n\tl = 1 :: l;\n}\n", ":8: type mismatch: int and list of string in ::\n"},
	{"tagof", "g(x: int)\n{\n\ty := tagof x;\n}\n", ":8: tagof of a value of type int\n"},
	{"notype", "g(x: Nosuch)\n{\n}\n", ":6: undefined type Nosuch\n"},
	{"fndecl", "f(a: int, b: string): int\n{\n\treturn a;\n}\n",
	 ":6: function f has type fn(int, string): int, but module T declares fn(int, int): int\n"},
	{"load", "g()\n{\n\tm := load A \"x\";\n}\n", ":8: load of A, which is not a module type\n"},
	{"self", "g(a: ref A)\n{\n\tx := a.m(1);\n}\n", ":8: function m takes 0 arguments, given 1\n"},
	{"redecl", "x: int;\nx: string;\n", ":7: x redeclared (previous declaration at " DIR "/redecl.b:6)\n"},
	{"typeval", "g()\n{\n\tx := A;\n}\n", ":8: A is a type, not a value\n"},
	{"slice", "g(l: list of int)\n{\n\tm := l[1:];\n}\n", ":8: cannot slice a value of type list of int\n"},
	{"raise", "g()\n{\n\traise 1;\n}\n", ":8: raise of a value of type int: want string or exception\n"},
	{"realconst", "g()\n{\n\ti: int = 2.5;\n}\n", ":8: type mismatch: initial value is real, want int\n"},
	{"bigint", "g(b: big, i: int)\n{\n\tb = b * i;\n}\n", ":8: type mismatch: big and int in *\n"},
	/* polymorphism: instantiation and for { } constraints, Inferno's messages */
	{"polynotptr", "S: adt[X] { x: X; };\ng()\n{\n\ts: ref S[int];\n}\n", ":9: int is not a pointer type\n"},
	{"polycall", "rev[X](l: list of X): list of X\n{\n\treturn l;\n}\ng()\n{\n\trev(1 :: nil);\n}\n",
	 ":12: function call type mismatch (fn[X](l: list of X): list of X vs fn[X](nil: list of int): list of X)\n"},
	{"polymember", "pf[X](x: X): int\n\tfor { X => eq: fn(a, b: X): int; }\n{\n\treturn X.foo(x, x);\n}\n",
	 ":9: 'foo' is not a member of 'X' of type X\n"},
	{"polyvalue", "pf[X](x: X): int\n{\n\treturn x.eq(x);\n}\n", ":8: 'eq' is not a member of 'x' of type X\n"},
	{"polynotpoly", "pf[X](x: X): int\n\tfor { A => eq: fn(a, b: X): int; }\n{\n\treturn 0;\n}\n",
	 ":7: type A is not a polymorphic type\n"},
	{"polyfnonly", "pf[X](x: X): int\n\tfor { X => x: int; }\n{\n\treturn 0;\n}\n", ":7: only function types expected\n"},
	{"polynofn", "pf[X](x: X): int\n\tfor { X => eq: fn(a, b: X): int; }\n{\n\treturn 0;\n}\ng(a: ref A)\n{\n\tpf(a);\n}\n",
	 ":13: function call type mismatch (fn[X](x: X): int vs fn[X](nil: ref A): int)\n"},
	/* the instantiated types: of a field, of a call's result */
	{"polyfield", "S: adt[X] { x: X; };\ng(s: ref S[string])\n{\n\ts.x = 1;\n}\n", ":9: type mismatch: string = int\n"},
	{"polyresult", "id[X](x: X): X\n{\n\treturn x;\n}\ng()\n{\n\tx := id(\"s\");\n\tx = 1;\n}\n",
	 ":13: type mismatch: string = int\n"},
	/* statement rules, each message as Inferno's limbo gives it */
	{"case", "g(r: real)\n{\n\tcase r { * => ; }\n}\n",
	 ":8: case argument 'r' of type real is not an int or big or string\n"},
	{"pick", "g(a: ref A)\n{\n\tpick b := a { * => ; }\n}\n",
	 ":8: pick argument 'a' of type ref A is not a ref adt with pick tags\n"},
	{"casedup", "g(i: int)\n{\n\tcase i {\n\t1 => ;\n\t1 => ;\n\t}\n}\n",
	 ":10: case qualifier '1' overlaps with '1' on line " DIR "/casedup.b:9\n"},
	{"caserange", "g(i: int)\n{\n\tcase i {\n\t1 to 5 => ;\n\t3 => ;\n\t}\n}\n",
	 ":10: case qualifier '3' overlaps with '1 to 5' on line " DIR "/caserange.b:9\n"},
	{"casestr", "g(s: string)\n{\n\tcase s {\n\t\"a\" => ;\n\t\"b\" or \"a\" => ;\n\t}\n}\n",
	 ":10: case qualifier '\"b\" or \"a\"' overlaps with '\"a\"' on line " DIR "/casestr.b:9\n"},
	{"casecon", "K: con 2;\ng(i: int)\n{\n\tcase i {\n\tK => ;\n\t1 to 3 => ;\n\t}\n}\n",
	 ":10: case qualifier 'K' overlaps with '1 to 3' on line " DIR "/casecon.b:11\n"},
	{"casevar", "g(i, j: int)\n{\n\tcase i {\n\tj+(1+2) => ;\n\t}\n}\n",
	 ":9: case qualifier 'j+(3)' is not constant\n"},
	{"caserangevar", "g(i, j: int)\n{\n\tcase i {\n\t1 to j => ;\n\t}\n}\n",
	 ":9: case range '1 to j' is not constant\n"},
	{"casewild", "g(i: int)\n{\n\tcase i {\n\t* => ;\n\t1 => ;\n\t* => ;\n\t}\n}\n",
	 ":11: case qualifier * duplicated on line " DIR "/casewild.b:9\n"},
	{"caseclash", "g(b: big)\n{\n\tcase b {\n\t1 => ;\n\t}\n}\n",
	 ":9: case qualifier '1' of type int clashes with 'b' of type big\n"},
	{"casebyte", "g(c: byte)\n{\n\tcase c {\n\t'a' => ;\n\t}\n}\n",
	 ":8: case argument 'c' of type byte is not an int or big or string\n"},
	{"caseempty", "g(i: int)\n{\n\tcase i {\n\t3 to 1 => ;\n\t}\n}\n",
	 ":9: unmatchable case qualifier '3 to 1 =>scope'\n"},
	{"caserangetype", "g(i: int)\n{\n\tcase i {\n\t1 to \"b\" => ;\n\t}\n}\n",
	 ":9: range '1' of type int to '\"b\"' of type string is not an int or string range\n" DIR "/caserangetype.b:9: case qualifier '1 to \"b\"' of type nothing clashes with 'i' of type int\n"},
	{"altwild", "g(c: chan of int)\n{\n\talt {\n\t<-c => ;\n\t* => ;\n\t* => ;\n\t}\n}\n",
	 ":11: alt guard * duplicated on line " DIR "/altwild.b:10\n"},
	{"altcomm", "g(c: chan of int, i: int)\n{\n\talt {\n\ti => ;\n\t}\n}\n",
	 ":9: alt guard 'i' has no communication\n"},
	{"pickdup", "S: adt { pick { C => r: real; E => } };\ng(s: ref S)\n{\n\tpick x := s {\n\tC => ;\n\tE => ;\n\tC => ;\n\t}\n}\n",
	 ":12: pick qualifier 'C' duplicated on line " DIR "/pickdup.b:10\n"},
	{"pickwild", "S: adt { pick { C => r: real; E => } };\ng(s: ref S)\n{\n\tpick x := s {\n\t* => ;\n\tC => ;\n\t* => ;\n\t}\n}\n",
	 ":12: pick qualifier * duplicated on line " DIR "/pickwild.b:10\n"},
	{"picktag", "S: adt { pick { C => r: real; E => } };\ng(s: ref S)\n{\n\tpick x := s {\n\tC => ;\n\tD => ;\n\t}\n}\n",
	 ":11: pick qualifier 'D' is not a member of 'x' of type ref S.C\n"},
	{"excdup", "g()\n{\n\t{\n\t\t;\n\t} exception {\n\t\"a*\" => ;\n\t\"b\" or \"a*\" => ;\n\t}\n}\n",
	 ":12: exception qualifier '\"b\" or \"a*\"' overlaps with '\"a*\"' on line " DIR "/excdup.b:11\n"},
	{"excname", "X: exception;\ng()\n{\n\t{\n\t\t;\n\t} exception {\n\tX => ;\n\tX => ;\n\t}\n}\n",
	 ":13: exception qualifier 'X' overlaps with 'X' on line " DIR "/excname.b:12\n"},
	{"excwild", "g()\n{\n\t{\n\t\t;\n\t} exception {\n\t* => ;\n\t* => ;\n\t}\n}\n",
	 ":12: exception qualifier * duplicated on line " DIR "/excwild.b:11\n"},
	{"excvar", "g(s: string)\n{\n\t{\n\t\t;\n\t} exception {\n\ts => ;\n\t}\n}\n",
	 ":11: exception qualifier 's' is not constant\n"},
	{"exctype", "g()\n{\n\t{\n\t\t;\n\t} exception {\n\t1 => ;\n\t}\n}\n",
	 ":11: exception qualifier '1' of type int is not a string or exception\n"},
	{"excrange", "g()\n{\n\t{\n\t\t;\n\t} exception {\n\t\"a\" to \"b\" => ;\n\t}\n}\n",
	 ":11: exception qualifier '\"a\" to \"b\"' is illegal\n"},
	{"raisenone", "g()\n{\n\t{\n\t\traise;\n\t} exception {\n\t* => raise;\n\t}\n}\n",
	 ":9: 'raise ': empty raise not in exception handler\n"},
	{"noreturn", "f(a, b: int): int\n{\n\tif(a)\n\t\treturn b;\n\tcase b {\n\t1 => return a;\n\t}\n}\n",
	 ":13: no return at end of function f\n"},
	{"noreturnloop", "f(a, b: int): int\n{\n\tfor(;;) {\n\t\tif(a)\n\t\t\tbreak;\n\t\treturn b;\n\t}\n}\n",
	 ":13: no return at end of function f\n"},
	{"labeldup", "g(i: int)\n{\nl:\tfor(;;) {\n\tl:\twhile(i)\n\t\t\t;\n\t}\n}\n",
	 ":9: label l duplicated on line " DIR "/labeldup.b:8\n"},
	{"spawnval", "g()\n{\n\tspawn f(1, 2);\n}\n",
	 ":8: cannot spawn functions which return values, such as 'f(1, 2)' of type int\n"},
	{"spawncall", "g()\n{\n\tspawn 1;\n}\n",
	 ":8: cannot spawn '1'\n"},
};

/* One program using most of the language checks clean. */
static void
test_good_program(void **state)
{
	static const char src[] =
		"implement T;\n"
		"include \"sys.m\";\n\tsys: Sys;\ninclude \"draw.m\";\n"
		"T: module { init: fn(nil: ref Draw->Context, a: list of string); };\n"
		"A: adt {\n\tx: int;\n\tpick { L => v: int; R => s: string; }\n};\n"
		"P: adt[T] { v: T; get: fn(p: self ref P[T]): T; };\n"
		"E: exception(int, string);\nK: con 10;\nB: con big 1 << 40;\nC0, C1, C2: con iota;\n"
		"init(nil: ref Draw->Context, args: list of string)\n{\n"
		"\ta: ref A = ref A.L(1, 2);\n\tb := big 3 + B;\n\tc := byte 'a';\n"
		"\tif(c == 'b' || tagof a == C1)\n\t\t;\n"
		"\tr := 2.0 * real K;\n\ts := string r + string b;\n\tba := array of byte s;\n"
		"\ts = string ba[1:];\n\tn := len s + len ba;\n"
		"\tpick p := a { L => n += p.v; R => s += p.s; }\n"
		"\tx := s[0];\n\tx++;\n\t(i, t) := sys->tokenize(s, \" \");\n"
		"\tfor(; t != nil; t = tl t)\n\t\ts = hd t;\n"
		"\tch := chan[2] of (int, string);\n\tch <-= (1, \"a\");\n\t(n, s) = <-ch;\n"
		"\t{\n\t\traise E(1, \"x\");\n\t} exception e {\n\tE => n = e.t0;\n\t\"*\" => s = e;\n\t}\n"
		"\tl := list of {1, 2, 3};\n\tm := load Sys Sys->PATH;\n\tif(m == nil)\n\t\treturn;\n"
		"\tf := sys->fildes(1);\n\tsys->fprint(f, \"%d %s %d\\n\", n, s, i);\n"
		"\tpp := ref P[string](s);\n\ts = pp.v;\n\tq := array[10] of {* => 0};\n\tq[1:] = q[2:4];\n"
		"\tcase s { \"a\" or \"b\" => ; * => ; }\n\tcase n { 1 to 3 => ; * => ; }\n"
		"\tspawn f2(ch);\n\talt { v := <-ch => s = v.t1; * => ; }\n"
		"\tl = n :: l;\n\tbb := b ** 2;\n\tcmp: ref fn(a, b: int): int;\n\tcmp = f3;\n\tn = cmp(1, 2);\n}\n"
		"f2(c: chan of (int, string)) { c <-= (0, nil); }\n"
		"f3(a, b: int): int { return a - b; }\n"
		"P[T].get(p: self ref P[T]): T { return p.v; }\n";
	const char *incs[] = {moddir};
	LimboOptions opt = {incs, 1, 0};
	AcErr err;
	LimboUnit *u;

	(void)state;
	setup_dirs();
	u = limbo_parse_buf("good.b", src, strlen(src), &opt, &err);
	assert_non_null(u);
	assert_int_equal(limbo_check(u, &err), AC_OK);
	for (int i = 0; i < limbo_unit_nerrors(u); i++)
		print_message("# %s\n", limbo_unit_error(u, i));
	assert_int_equal(limbo_unit_nerrors(u), 0);
	limbo_unit_free(u);
}

static void
test_bad_programs(void **state)
{
	(void)state;
	setup_dirs();
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		char path[256], src[2048], want[1024];
		snprintf(path, sizeof path, DIR "/%s.b", bads[i].name);
		snprintf(src, sizeof src, HDR "%s", bads[i].body);
		snprintf(want, sizeof want, "%s%s", path, bads[i].err);
		write_file(path, src);
		const char *args[] = {"--check-only", "-I", moddir, path, NULL};
		RunResult r = limbo(args);
		if (strcmp(r.err, want) != 0 || r.status != 1)
			print_message("# %s: status %d, got:\n%s# want:\n%s", bads[i].name, r.status, r.err, want);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, want);
		assert_int_equal(r.outlen, 0);
		run_free(&r);
	}
}

/* A file with no declaration is a syntax error at its end, on the line
 * Inferno's limbo names (the one after the last newline), and no module
 * is written; it used to reach the assembler and fail at line 4 of the
 * generated text. */
static void
test_no_declarations(void **state)
{
	static const struct {
		const char *name, *src, *line;
	} c[] = {
		{"empty", "", "1"},
		{"comments", "# only\n\n# comments\n\n", "5"},
		{"blank", "\n\n\n", "4"},
		{"implonly", "implement T;\n", "2"},
	};

	(void)state;
	setup_dirs();
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char path[256], out[256], want[512];
		snprintf(path, sizeof path, DIR "/%s.b", c[i].name);
		snprintf(out, sizeof out, DIR "/%s.dis", c[i].name);
		snprintf(want, sizeof want, "%s:%s: syntax error near `end of file`: expected a declaration\n", path,
		         c[i].line);
		write_file(path, c[i].src);
		unlink(out);
		const char *args[] = {"-o", out, path, NULL};
		RunResult r = limbo(args);
		if (strcmp(r.err, want) != 0 || r.status != 1)
			print_message("# %s: status %d, got:\n%s# want:\n%s", c[i].name, r.status, r.err, want);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, want);
		assert_int_equal(access(out, F_OK), -1);
		run_free(&r);
	}
}

/* Several errors in one run, each at its line; code generation is not
 * attempted after errors. */
static void
test_many_errors(void **state)
{
	RunResult r;

	(void)state;
	setup_dirs();
	write_file(DIR "/several.b", HDR
	           "g(a: ref A)\n{\n"
	           "\tx := 1 + \"s\";\n"   /* 8 */
	           "\ty = 2;\n"            /* 9 */
	           "\tf(1);\n"             /* 10 */
	           "\tx = a.x;\n"          /* 11: fine */
	           "\ta.x = \"s\";\n"      /* 12 */
	           "}\n");
	{
		const char *args[] = {"-I", moddir, DIR "/several.b", NULL};
		r = limbo(args);
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err,
	                    DIR "/several.b:8: type mismatch: int and string in +\n"
	                    DIR "/several.b:9: undefined name y\n"
	                    DIR "/several.b:10: function f takes 2 arguments, given 1\n"
	                    DIR "/several.b:12: type mismatch: int = string\n");
	run_free(&r);
}

/* a fixed sequence, so a failure reproduces */
static uint64_t rng = 0x2545F4914F6CDD1Dull;

/* Mutations that keep the text parseable most of the time (swapped names,
 * operators and literals), so the checker, not the parser, sees them; the
 * whole compiler runs, so the code generator sees what still checks. */
static void
mutate(const char *path, int runs)
{
	static const char *const words[] = {"nil", "0", "\"s\"", "1.5", "big 1", "sys", "b", "len", "hd",
	                                    "ref", "tl", "Iobuf", "int", "string", "self", "array of byte"};
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
		char *m = malloc(len + 1024);
		size_t n = len;
		assert_non_null(m);
		memcpy(m, src, len);
		for (int k = 0, nmut = 1 + (int)(corpus_rand(&rng) % 4); k < nmut; k++) {
			size_t at = (size_t)(corpus_rand(&rng) % n), e = at;
			/* replace the identifier or number at `at` by a word */
			while (e < n && (isalnum((unsigned char)m[e]) || m[e] == '_'))
				e++;
			if (e == at)
				e = at + 1 <= n ? at + 1 : n;
			const char *w = words[corpus_rand(&rng) % (sizeof words / sizeof words[0])];
			size_t wl = strlen(w);
			if (n - (e - at) + wl > len + 1000)
				continue;
			memmove(m + at + wl, m + e, n - e);
			memcpy(m + at, w, wl);
			n = n - (e - at) + wl;
		}
		FILE *f = fopen(DIR "/mut.b", "wb");
		assert_non_null(f);
		fwrite(m, 1, n, f);
		fclose(f);
		free(m);
		const char *args[] = {"-I", moddir, "-o", DIR "/mut.dis", DIR "/mut.b", NULL};
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
	print_message("# %s: %d mutations: %d rejected with errors, %d still compile, %d crashed or hung\n", path,
	              runs, rejected, accepted, crashed);
	assert_int_equal(crashed, 0);
	assert_true(rejected > runs / 4);
}

/* The corpus program that uses the most of the language: its mutations
 * often still compile, so the code generator sees them. */
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

/* -o naming a FIFO or device writes into it: a temporary renamed over it
 * replaced the node (limbo -o /dev/null, run as root, left /dev/null a
 * regular file for the whole machine). */
static void
test_output_to_fifo(void **state)
{
	const char *fifo = DIR "/out.fifo";
	const char *args[] = {"-o", fifo, "examples/hello/hello.b", NULL};
	char buf[4096];
	struct stat st;
	RunResult r;
	int rd;

	(void)state;
	setup_dirs();
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	r = limbo(args);
	assert_int_equal(r.status, 0);
	assert_true(read(rd, buf, sizeof buf) > 4);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	close(rd);
	unlink(fifo);
	run_free(&r);
}

static void
test_usage(void **state)
{
	(void)state;
	setup_dirs();
	{
		const char *args[] = {"--help", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "--check-only"));
		run_free(&r);
	}
	{
		const char *args[] = {"--check-only", "-I", moddir, "bench/vm/fib.b", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 0);
		assert_int_equal(r.errlen, 0);
		run_free(&r);
	}
	{
		/* without --check-only: checked, then compiled */
		const char *args[] = {"-I", moddir, "-o", DIR "/fib.dis", "bench/vm/fib.b", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 0);
		assert_int_equal(r.errlen, 0);
		assert_int_equal(access(DIR "/fib.dis", F_OK), 0);
		run_free(&r);
	}
	{
		/* the signatures Inferno's sysmod.h and wc.dis have, from our own
		 * module/sys.m and module/draw.m */
		const char *args[] = {"--sigs", "-I", "module", "examples/hello/hello.b", NULL};
		RunResult r = limbo(args);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "import Sys print 0xac849033 f*(s)i\n"));
		assert_non_null(strstr(r.out, "export Hello init 0x4244b354 "));
		run_free(&r);
	}
}

/* Our module/draw.m gives a command's init the signature Inferno's own
 * draw.m gives it: hello.b compiled against module/ alone exports init
 * with the hash the shipped echo.dis exports. */
static void
test_draw_m_oracle(void **state)
{
	const char *args[] = {"--sigs", "-I", "module", "examples/hello/hello.b", NULL};
	char echo[1024], *ours, *theirs;
	RunResult r, d;

	(void)state;
	setup_dirs();
	snprintf(echo, sizeof echo, "%s/dis/echo.dis", inferno_dir());
	{
		const char *dargs[] = {echo, NULL};
		d = run_prog(DISDIS, dargs);
	}
	r = limbo(args);
	assert_int_equal(r.status, 0);
	assert_int_equal(d.status, 0);
	ours = strstr(r.out, "export Hello init 0x");
	assert_non_null(ours);
	ours += strlen("export Hello init ");
	/* dis-dis: link	PC,DESC,0xHASH,"init" */
	theirs = strstr(d.out, ",\"init\"\n");
	assert_non_null(theirs);
	assert_true(theirs - d.out >= 10);
	theirs -= 10;
	print_message("# init: ours %.10s, echo.dis %.10s\n", ours, theirs);
	assert_memory_equal(ours, theirs, 10);
	run_free(&r);
	run_free(&d);
}

TEST_MAIN("limbo/check",
          inferno_unit_test(test_draw_m_oracle),
          inferno_unit_test(test_inferno_appl),
          cmocka_unit_test(test_project_sources),
          inferno_unit_test(test_signature_oracle),
          cmocka_unit_test(test_signature_api),
          cmocka_unit_test(test_good_program),
          cmocka_unit_test(test_bad_programs),
          cmocka_unit_test(test_no_declarations),
          cmocka_unit_test(test_many_errors),
          cmocka_unit_test(test_mutations),
          inferno_unit_test(test_mutations_inferno),
          cmocka_unit_test(test_output_to_fifo),
          cmocka_unit_test(test_usage))
