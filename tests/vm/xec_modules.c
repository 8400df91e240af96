/*
 * Two modules: the test module (A, from the Xec wrapper) loads a library
 * module B written next to it (build/tests/vm/xec_modb.dis), by relative
 * path (found beside the loader) and by absolute path under -r, and calls
 * B's functions with arguments and results. Each load is a separate
 * module instance with its own data; a load whose import signature does
 * not match B's export gives nil and the reason through %r.
 * Semantics: Dis spec ("load", "mframe", "mcall"), Inferno libinterp
 * xec.c iload and load.c linkmod.
 */
#include "tests/vm/xec.h"

#define MODB "build/tests/vm/xec_modb"

/* B: inc(n): int adds n to a global counter (128(mp)) and returns it;
 * add(a, b): int; greet(s): string returns "hello, " + s. No entry. */
static const char modb[] =
    "inc:\taddw 32(fp),128(mp)\n"
    "\tmovw 128(mp),0(16(fp))\n"
    "\tret\n"
    "add:\taddw 32(fp),36(fp),0(16(fp))\n"
    "\tret\n"
    "greet:\taddc 32(fp),4(mp),0(16(fp))\n"
    "\tret\n"
    "\tdesc $0,256,\"c0\"\n"
    "\tdesc $1,40,\"\"\n"
    "\tdesc $2,40,\"0080\"\n"
    "\tvar @mp,256\n"
    "\tstring @mp+4,\"hello, \"\n"
    "\tmodule ModB\n"
    "\tlink 1,0,0x1001,\"inc\"\n"
    "\tlink 1,3,0x1002,\"add\"\n"
    "\tlink 2,5,0x1003,\"greet\"\n"
    "\tsource \"modb.s\"\n";

static void
build_modb(void)
{
	char *as[] = {DISAS, MODB ".s", "-o", MODB ".dis", NULL};
	FILE *f = fopen(MODB ".s", "w");
	RunResult r;

	assert_non_null(f);
	fputs(modb, f);
	assert_int_equal(fclose(f), 0);
	r = run_cmd(as, NULL, XEC_TIMEOUT_MS);
	if (r.status != 0) {
		print_error("modb: dis-as status %d: %s", r.status, r.err);
		fail();
	}
	run_free(&r);
}

/* Import lists in A: 1 = B as it is, 2 = B with inc's signature wrong,
 * 3 = B with a function it does not have, 4 = $Sys with print's signature
 * wrong. */
#define IMPORTS \
	"\tword @ldt+12,3\n" \
	"\text @ldt+16,0x1001,\"inc\"\n" \
	"\text @ldt+28,0x1002,\"add\"\n" \
	"\text @ldt+40,0x1003,\"greet\"\n" \
	"\tword @ldt+52,1\n" \
	"\text @ldt+56,0xbad,\"inc\"\n" \
	"\tword @ldt+68,1\n" \
	"\text @ldt+72,0x1004,\"dec\"\n" \
	"\tword @ldt+84,1\n" \
	"\text @ldt+88,0xbad,\"print\"\n"

/* inc(N) through the instance at MOD, result printed */
#define INC(mod, n) \
	"\tmframe " mod ",$0,104(fp)\n\tmovw $" n ",32(104(fp))\n" \
	"\tlea 108(fp),16(104(fp))\n\tmcall 104(fp),$0," mod "\n" PW("108(fp)")

/* Calls with arguments and results; two loads (relative, found beside
 * the loader, and absolute under -r) are separate instances: B's counter
 * goes 5, 8, 9 in one and 100, 101 in the other. */
static void
test_two_modules(void **state)
{
	build_modb();
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    "\tload 28(mp),$1,44(fp)\n"
	    INC("40(fp)", "5") INC("40(fp)", "3")
	    INC("44(fp)", "100")
	    INC("40(fp)", "1")
	    INC("44(fp)", "1")
	    "\tmframe 40(fp),$1,104(fp)\n\tmovw $20,32(104(fp))\n\tmovw $22,36(104(fp))\n"
	    "\tlea 108(fp),16(104(fp))\n\tmcall 104(fp),$1,40(fp)\n" PW("108(fp)")
	    "\tmframe 44(fp),$2,104(fp)\n\tmovp 32(mp),32(104(fp))\n"
	    "\tlea 48(fp),16(104(fp))\n\tmcall 104(fp),$2,44(fp)\n" PS("48(fp)")
	    /* a third load of the same file: a fresh counter again */
	    "\tload 24(mp),$1,52(fp)\n"
	    INC("52(fp)", "7")
	    INC("40(fp)", "0"),
	    .data = IMPORTS
	    "\tstring @mp+24,\"xec_modb.dis\"\n"
	    "\tstring @mp+28,\"/xec_modb.dis\"\n"
	    "\tstring @mp+32,\"world\"\n",
	    .args = "-r build/tests/vm",
	    .out = "5\n8\n100\n9\n101\n42\nhello, world\n7\n9\n");
}

/* A load whose import does not match: nil, with the reason in %r in
 * Inferno's words (libinterp/link.c linkm: the callee's signature, then
 * the importer's, in bare hex; a function the callee lacks has signature
 * 0 there, the terminator of its export table); a good load afterwards
 * still works. */
static void
test_signature_mismatch(void **state)
{
	build_modb();
	XEC(.body =
	    "\tload 24(mp),$2,40(fp)\n"
	    "\tmovw $1,112(fp)\n"
	    "\tbeqw 40(fp),124(mp),n1\n"
	    "\tmovw $0,112(fp)\n"
	    "n1:" PW("112(fp)")
	    "\tframe $4,96(fp)\n\tmovp 28(mp),32(96(fp))\n" PCALL
	    "\tload 24(mp),$3,44(fp)\n"
	    "\tmovw $1,112(fp)\n"
	    "\tbeqw 44(fp),124(mp),n2\n"
	    "\tmovw $0,112(fp)\n"
	    "n2:" PW("112(fp)")
	    "\tframe $4,96(fp)\n\tmovp 28(mp),32(96(fp))\n" PCALL
	    "\tload 24(mp),$1,48(fp)\n"
	    INC("48(fp)", "2"),
	    .data = IMPORTS
	    "\tstring @mp+24,\"" MODB ".dis\"\n"
	    "\tstring @mp+28,\"%r\\n\"\n",
	    .out = "1\nlink typecheck ModB->inc() 1001/bad\n"
	           "1\nlink typecheck ModB->dec() 0/1004\n"
	           "2\n");
}

/* A builtin module is linked the same way: Inferno names it by its path. */
static void
test_builtin_mismatch(void **state)
{
	XEC(.body =
	    "\tload 4(mp),$4,40(fp)\n"
	    "\tmovw $1,112(fp)\n"
	    "\tbeqw 40(fp),124(mp),n1\n"
	    "\tmovw $0,112(fp)\n"
	    "n1:" PW("112(fp)")
	    "\tframe $4,96(fp)\n\tmovp 28(mp),32(96(fp))\n" PCALL,
	    .data = IMPORTS
	    "\tstring @mp+28,\"%r\\n\"\n",
	    .out = "1\nlink typecheck $Sys->print() ac849033/bad\n");
}

/* A link index past the modlink's links (B loaded through import table 1
 * has 3) raises rather than read past them, whether it is an immediate
 * or comes from a register; so does a negative one (Inferno would take
 * it as an index into the callee's exports, unchecked). mframe's text is
 * Inferno's; Inferno checks neither mcall nor mspawn. */
static void
test_link_index_range(void **state)
{
	build_modb();
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    PW("$1")
	    "bad:\tmframe 40(fp),$3,104(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .out = "1\n", .exc = "invalid mframe", .at = "bad");
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    "\tmframe 40(fp),$0,104(fp)\n\tmovw $5,32(104(fp))\n"
	    "\tlea 108(fp),16(104(fp))\n"
	    "bad:\tmcall 104(fp),$3,40(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .exc = "invalid mcall", .at = "bad");
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    "\tmovw $-1,200(fp)\n"
	    "\tmframe 40(fp),$0,104(fp)\n\tmovw $5,32(104(fp))\n"
	    "\tlea 108(fp),16(104(fp))\n"
	    "bad:\tmcall 104(fp),200(fp),40(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .exc = "invalid mcall", .at = "bad");
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    "\tmovw $1000000,200(fp)\n"
	    "bad:\tmframe 40(fp),200(fp),104(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .exc = "invalid mframe", .at = "bad");
	XEC(.body =
	    "\tload 24(mp),$1,40(fp)\n"
	    "\tmframe 40(fp),$0,104(fp)\n\tmovw $5,32(104(fp))\n"
	    "bad:\tmspawn 104(fp),$3,40(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .exc = "invalid mspawn", .at = "bad");
}

/* A load from a register naming an import table the module lacks raises.
 * (An immediate one is refused when the module is read: dis-as will not
 * write it; tests/dis/load_errors.c.) */
static void
test_load_import_index(void **state)
{
	XEC(.body =
	    "\tmovw $5,200(fp)\n"
	    "bad:\tload 24(mp),200(fp),40(fp)\n",
	    .data = IMPORTS "\tstring @mp+24,\"" MODB ".dis\"\n",
	    .exc = "load: bad import table index 5", .at = "bad");
}

TEST_MAIN("dis modules: two-module programs",
          cmocka_unit_test(test_two_modules),
          cmocka_unit_test(test_signature_mismatch),
          cmocka_unit_test(test_builtin_mismatch),
          cmocka_unit_test(test_link_index_range),
          cmocka_unit_test(test_load_import_index))
