/*
 * Exception handlers as Inferno's handler() (emu/port/exception.c) finds
 * them: handlers tried in table order (limbo lists inner blocks first), a
 * covering handler with no matching label and no default letting the next
 * one try, label patterns ("fail:*", "*") and the "*" default, the first
 * ne labels matching only exception values (adts) and the rest only
 * strings, an exception value that becomes its name string in the
 * raiser's caller, the value stored at eoff (the adt itself, or the
 * string), the zeroing descriptor, and frames built but never called.
 * Handler tables are written as limbo -S does (asm.b asmexc):
 *   exception pc1, pc2, eoff, descid, nlab, ne
 *   exctab "label", pc   (nlab of them)
 *   exctab *, pc         (the default, -1 for none)
 */
#include "tests/vm/xec.h"

/* Builds an exception value in 60(fp): an adt whose first word is the
 * name at 24(mp), then a word 0 and one int field 42 (limbo's layout,
 * mkexbasetype). Type 5 describes it. */
#define NEWEXC "\tnew $5,60(fp)\n\tmovp 24(mp),0(60(fp))\n\tmovw $42,8(60(fp))\n"
#define EXCDESC "\tdesc $5,12,\"80\"\n"

/* Nested ranges in one frame: the first covering handler in the table
 * wins; when it has no label for the exception and no default, the next
 * covering one (the outer block) catches it. */
static void
test_nested(void **state)
{
	XEC(.body =
	    "a1:\traise 24(mp)\n"
	    "\tjmp b1\n"
	    "ai:" PW("$1") PS("40(fp)") "\tjmp b1\n"
	    "ao:" PW("$2") PS("44(fp)")
	    "b1:\traise 28(mp)\n"
	    "\tjmp c1\n"
	    "bi:" PW("$1") PS("40(fp)") "\tjmp c1\n"
	    "bo:" PW("$2") PS("44(fp)")
	    "c1:\traise 24(mp)\n"
	    "\tjmp done\n"
	    "ci:" PW("$1") PS("40(fp)") "\tjmp done\n"
	    "co:" PW("$2") PS("44(fp)")
	    "done:" PW("$3"),
	    .data =
	    "\tstring @mp+24,\"fail:inner\"\n"
	    "\tstring @mp+28,\"other\"\n"
	    "\texceptions 6\n"
	    /* a: inner first, it matches */
	    "\texception {a1},{ai},40,-1,1,0\n\texctab \"fail:*\",{ai}\n\texctab *,-1\n"
	    "\texception {a1},{ao},44,-1,1,0\n\texctab \"*\",{ao}\n\texctab *,-1\n"
	    /* b: inner first, no label for "other": the outer one catches */
	    "\texception {b1},{bi},40,-1,1,0\n\texctab \"fail:*\",{bi}\n\texctab *,-1\n"
	    "\texception {b1},{bo},44,-1,1,0\n\texctab \"*\",{bo}\n\texctab *,-1\n"
	    /* c: outer listed first: table order decides */
	    "\texception {c1},{co},44,-1,1,0\n\texctab \"*\",{co}\n\texctab *,-1\n"
	    "\texception {c1},{ci},40,-1,1,0\n\texctab \"fail:*\",{ci}\n\texctab *,-1\n",
	    .out = "1\nfail:inner\n2\nother\n2\nfail:inner\n3\n");
}

/* Labels are tried in order: an exact name, a "prefix*" pattern, "*"
 * (any string); with none matching, the default. */
static void
test_labels(void **state)
{
	static const char *const raised[] = {"fail:x", "fail:y", "boom"};
	static const char *const want[] = {"1\nfail:x\n", "2\nfail:y\n", "3\nboom\n"};

	for (int i = 0; i < 3; i++) {
		char data[512], out[64];
		snprintf(data, sizeof data,
		         "\tstring @mp+24,\"%s\"\n"
		         "\texceptions 1\n"
		         "\texception {r},{h1},40,-1,3,0\n"
		         "\texctab \"fail:x\",{h1}\n"
		         "\texctab \"fail:*\",{h2}\n"
		         "\texctab \"*\",{h3}\n"
		         "\texctab *,{h4}\n", raised[i]);
		snprintf(out, sizeof out, "%s9\n", want[i]);
		XEC(.body =
		    "r:\traise 24(mp)\n"
		    "h1:" PW("$1") "\tjmp out\n"
		    "h2:" PW("$2") "\tjmp out\n"
		    "h3:" PW("$3") "\tjmp out\n"
		    "h4:" PW("$4")
		    "out:" PS("40(fp)") PW("$9"),
		    .data = data, .out = out);
	}
	/* Only a default: it takes runtime exceptions too. */
	XEC(.body =
	    "\tmovw $0,112(fp)\n"
	    "r:\tdivw 112(fp),$1,116(fp)\n"
	    PW("$1")
	    "h:" PS("40(fp)"),
	    .data = "\texceptions 1\n\texception {r},{h},40,-1,0,0\n\texctab *,{h}\n",
	    .out = "zero divide\n");
}

/* A runtime exception is stored at eoff as a string also when the handler
 * has a zeroing descriptor; the descriptor resets the block's pointer
 * locals (52(fp)) and leaves the others (56(fp)) alone. */
static void
test_eoff_and_zeroing(void **state)
{
	XEC(.body =
	    "\tmovp 24(mp),52(fp)\n"
	    "\tmovp 24(mp),56(fp)\n"
	    "\tmovw $0,112(fp)\n"
	    "r:\tdivw 112(fp),$1,116(fp)\n"
	    PW("$1")
	    "h:" PS("44(fp)")
	    "\tlenc 52(fp),104(fp)\n" PW("104(fp)")
	    PS("56(fp)"),
	    .data =
	    "\tdesc $5,56,\"0004\"\n"
	    "\tstring @mp+24,\"kept\"\n"
	    "\texceptions 1\n"
	    "\texception {r},{h},44,5,1,0\n"
	    "\texctab \"zero*\",{h}\n"
	    "\texctab *,-1\n",
	    .out = "zero divide\n0\nkept\n");
}

/* An exception value raised in the handler's own frame: a string label of
 * its name does not match it (labels past ne are for strings), an
 * exception label does, and the value itself lands at eoff; the "*"
 * default takes it too, also as the value. A string with the same name
 * does not match an exception label. */
static void
test_adt_same_frame(void **state)
{
	XEC(.body =
	    NEWEXC
	    "r1:\traise 60(fp)\n"
	    "\tjmp x2\n"
	    "s1:" PW("$1") "\tjmp x2\n"
	    "e1:" PW("$2") "\tmovw 8(44(fp)),104(fp)\n" PW("104(fp)") PS("0(44(fp))")
	    "x2:" NEWEXC
	    "r2:\traise 60(fp)\n"
	    "\tjmp x3\n"
	    "s2:" PW("$3") "\tjmp x3\n"
	    "d2:" PW("$4") "\tmovw 8(48(fp)),104(fp)\n" PW("104(fp)")
	    "x3:\n"
	    "r3:\traise 24(mp)\n"
	    "\tjmp done\n"
	    "e3:" PW("$5") "\tjmp done\n"
	    "d3:" PW("$6") PS("52(fp)")
	    "done:" PW("$9"),
	    .data =
	    EXCDESC
	    "\tstring @mp+24,\"Xec.0.Bad\"\n"
	    "\texceptions 3\n"
	    "\texception {r1},{s1},44,-1,3,1\n"
	    "\texctab \"Xec.0.Other\",{s1}\n"
	    "\texctab \"Xec.0.Bad\",{s1}\n"
	    "\texctab \"*\",{s1}\n"
	    "\texctab *,{e1}\n"
	    "\texception {r2},{s2},48,-1,2,1\n"
	    "\texctab \"Xec.0.Bad\",{d2}\n"
	    "\texctab \"Xec.0.Bad\",{s2}\n"
	    "\texctab *,-1\n"
	    "\texception {r3},{e3},52,-1,1,1\n"
	    "\texctab \"Xec.0.Bad\",{e3}\n"
	    "\texctab *,{d3}\n",
	    .out = "2\n42\nXec.0.Bad\n4\n42\n6\nXec.0.Bad\n9\n");
}

/* In the raiser's immediate caller an exception label still matches the
 * value (eoff gets the adt); when none does there, it becomes the string
 * of its name, which a string label of the caller then matches. Further
 * up only strings are seen: an exception label never matches. */
static void
test_adt_callers(void **state)
{
	/* g raises; init (the caller) catches it by exception label. */
	XEC(.body =
	    "c1:\tframe $6,104(fp)\n\tcall 104(fp),g\n"
	    PW("$1")
	    "h1:\tmovw 8(44(fp)),108(fp)\n" PW("108(fp)") PS("0(44(fp))"),
	    .funcs = "g:" NEWEXC "\traise 60(fp)\n\tret\n",
	    .data =
	    EXCDESC "\tdesc $6,64,\"0001\"\n"
	    "\tstring @mp+24,\"Xec.0.Bad\"\n"
	    "\texceptions 1\n"
	    "\texception {c1},{h1},44,-1,1,1\n"
	    "\texctab \"Xec.0.Bad\",{h1}\n"
	    "\texctab *,-1\n",
	    .out = "42\nXec.0.Bad\n");
	/* g raises; f (the caller) has only a string label: it matches. */
	XEC(.body =
	    "\tframe $7,104(fp)\n\tcall 104(fp),f\n"
	    PW("$2"),
	    .funcs =
	    "f:\n"
	    "c1:\tframe $6,64(fp)\n\tcall 64(fp),g\n"
	    "\tret\n"
	    "h1:" PS("44(fp)")
	    "\tret\n"
	    "g:" NEWEXC "\traise 60(fp)\n\tret\n",
	    .data =
	    EXCDESC "\tdesc $6,64,\"0001\"\n\tdesc $7,128,\"00f0\"\n"
	    "\tstring @mp+24,\"Xec.0.Bad\"\n"
	    "\texceptions 1\n"
	    "\texception {c1},{h1},44,-1,1,0\n"
	    "\texctab \"Xec.0.Bad\",{h1}\n"
	    "\texctab *,-1\n",
	    .out = "Xec.0.Bad\n2\n");
	/* g raises, f passes it on; init, two frames up, sees a string: its
	 * exception label does not match, its default gets the string. */
	XEC(.body =
	    "c1:\tframe $7,104(fp)\n\tcall 104(fp),f\n"
	    PW("$1")
	    "h1:" PW("$2") "\tjmp out\n"
	    "h2:" PW("$3")
	    "out:" PS("44(fp)"),
	    .funcs =
	    "f:\tframe $6,64(fp)\n\tcall 64(fp),g\n\tret\n"
	    "g:" NEWEXC "\traise 60(fp)\n\tret\n",
	    .data =
	    EXCDESC "\tdesc $6,64,\"0001\"\n\tdesc $7,128,\"00f0\"\n"
	    "\tstring @mp+24,\"Xec.0.Bad\"\n"
	    "\texceptions 1\n"
	    "\texception {c1},{h1},44,-1,1,1\n"
	    "\texctab \"Xec.0.Bad\",{h1}\n"
	    "\texctab *,{h2}\n",
	    .out = "3\nXec.0.Bad\n");
}

/* A frame built by `frame` but never called when the exception comes is
 * released: 2000 caught exceptions, each leaving a 16 KiB frame behind,
 * would otherwise exhaust a 1 MiB heap. */
static void
test_uncalled_frame(void **state)
{
	XEC(.body =
	    "\tmovw $0,112(fp)\n"
	    "loop:\tbgew 112(fp),$2000,done\n"
	    "\taddw $1,112(fp)\n"
	    "\tframe $6,104(fp)\n"
	    "\tmovp 24(mp),32(104(fp))\n"
	    "r:\traise 24(mp)\n"
	    "h:\tjmp loop\n"
	    "done:" PW("112(fp)"),
	    .data =
	    "\tdesc $5,32,\"\"\n"
	    "\tdesc $6,16384,\"0080\"\n"
	    "\tstring @mp+24,\"again\"\n"
	    "\texceptions 1\n"
	    "\texception {r},{h},40,-1,1,0\n"
	    "\texctab \"again\",{h}\n"
	    "\texctab *,-1\n",
	    .args = "--heap-max 1m",
	    .out = "2000\n");
}

TEST_MAIN("dis exceptions: handlers",
          cmocka_unit_test(test_nested),
          cmocka_unit_test(test_labels),
          cmocka_unit_test(test_eoff_and_zeroing),
          cmocka_unit_test(test_adt_same_frame),
          cmocka_unit_test(test_adt_callers),
          cmocka_unit_test(test_uncalled_frame))
