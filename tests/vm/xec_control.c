/*
 * Control instructions: every comparison branch for bytes, words, bigs,
 * reals (NaN included), jmp, the jump tables case/casel/casec/goto laid out
 * as limbo's asm.b writes them, frame/call/ret recursion, mframe/mcall into
 * a Dis module (self, load "$self"), load of a missing module, raise with
 * handlers (exceptions/exception/exctab) and uncaught, exit, and the
 * instruction budget. Semantics: Dis spec and Inferno libinterp/xec.c.
 */
#include "tests/vm/xec.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void
test_branch_word(void **state)
{
	static const XecOp ops[] = {
		{"beqw", "5", "5", "1"}, {"beqw", "5", "6", "0"},
		{"bnew", "5", "6", "1"}, {"bnew", "5", "5", "0"},
		{"bltw", "-1", "0", "1"}, {"bltw", "0", "-1", "0"}, {"bltw", "3", "3", "0"},
		{"blew", "3", "3", "1"}, {"blew", "4", "3", "0"}, {"blew", "-2147483648", "2147483647", "1"},
		{"bgtw", "0", "-1", "1"}, {"bgtw", "-2147483648", "2147483647", "0"}, {"bgtw", "3", "3", "0"},
		{"bgew", "3", "3", "1"}, {"bgew", "2", "3", "0"},
	};

	XEC_TABLE(xec_branches, 'w', ops, N(ops));
}

/* Bytes compare unsigned. */
static void
test_branch_byte(void **state)
{
	static const XecOp ops[] = {
		{"beqb", "7", "7", "1"}, {"beqb", "1", "2", "0"},
		{"bneb", "1", "2", "1"}, {"bneb", "7", "7", "0"},
		{"bltb", "1", "255", "1"}, {"bltb", "5", "5", "0"},
		{"bleb", "5", "5", "1"}, {"bleb", "200", "100", "0"},
		{"bgtb", "255", "1", "1"}, {"bgtb", "5", "5", "0"},
		{"bgeb", "200", "100", "1"}, {"bgeb", "4", "5", "0"},
	};

	XEC_TABLE(xec_branches, 'b', ops, N(ops));
}

/* Bigs compare all 64 bits (the low words alone would give the wrong answer). */
static void
test_branch_big(void **state)
{
	static const XecOp ops[] = {
		{"beql", "4294967296", "4294967296", "1"}, {"beql", "4294967296", "0", "0"},
		{"bnel", "4294967296", "0", "1"}, {"bnel", "-1", "-1", "0"},
		{"bltl", "-1", "0", "1"}, {"bltl", "4294967296", "1", "0"},
		{"blel", "-9223372036854775808", "9223372036854775807", "1"}, {"blel", "1", "0", "0"},
		{"bgtl", "4294967296", "1", "1"}, {"bgtl", "0", "0", "0"},
		{"bgel", "0", "0", "1"}, {"bgel", "-1", "0", "0"},
	};

	XEC_TABLE(xec_branches, 'l', ops, N(ops));
}

/* Every comparison with NaN is false except !=; -0 == 0. */
static void
test_branch_real(void **state)
{
	static const XecOp ops[] = {
		{"beqf", "0.5", "0.5", "1"}, {"beqf", "0", "-0", "1"}, {"beqf", "NaN", "NaN", "0"},
		{"bnef", "NaN", "NaN", "1"}, {"bnef", "1", "1", "0"},
		{"bltf", "-Inf", "0", "1"}, {"bltf", "NaN", "1", "0"}, {"bltf", "1", "1", "0"},
		{"blef", "1", "1", "1"}, {"blef", "NaN", "NaN", "0"},
		{"bgtf", "2", "1", "1"}, {"bgtf", "NaN", "1", "0"},
		{"bgef", "1", "1", "1"}, {"bgef", "0.5", "1", "0"}, {"bgef", "Inf", "1e308", "1"},
	};

	XEC_TABLE(xec_branches, 'f', ops, N(ops));
}

/* Branches whose first operand is indirect (an array element, a field):
 * the interpreter's specialised handlers for the shapes P M I, P I I and
 * P F I give what the generic decode gives, and a nil pointer still
 * raises. */
#define BR(op, s, m, l) "\tmovw $1,104(fp)\n\t" op " " s "," m "," l "\n\tmovw $0,104(fp)\n" l ":" PW("104(fp)")
static void
test_branch_indirect(void **state)
{
	XEC(.body =
	    "\tlea 208(fp),120(fp)\n"
	    "\tmovw $5,208(fp)\n\tmovw $7,212(fp)\n\tmovw $5,300(mp)\n\tmovw $9,304(mp)\n"
	    BR("beqw", "0(120(fp))", "300(mp)", "a") BR("bnew", "0(120(fp))", "300(mp)", "b")
	    BR("bltw", "0(120(fp))", "$6", "c") BR("bltw", "4(120(fp))", "$6", "d")
	    BR("bgtw", "4(120(fp))", "208(fp)", "e") BR("bgtw", "0(120(fp))", "212(fp)", "f")
	    BR("bneb", "0(120(fp))", "304(mp)", "g") BR("bgeb", "0(120(fp))", "304(mp)", "h")
	    "\tmovw $0,120(fp)\n"
	    "bad:\tbeqw 0(120(fp)),$1,z\n"
	    "z:\tmovw $0,104(fp)\n",
	    .out = "1\n0\n1\n0\n1\n0\n1\n0\n", .exc = "dereference of nil", .at = "bad");
}

/* jmp, the no-ops nop/runt/eclr, movpc (a pc is an instruction index in
 * this VM). */
static void
test_jmp(void **state)
{
	XEC(.body =
	    "\tnop\n"
	    "\trunt\n"
	    "\teclr\n"
	    "\tjmp over\n"
	    PW("$1")
	    "over:\tmovpc $3,104(fp)\n" PW("104(fp)")
	    "\tmovw $0,108(fp)\n"
	    "back:\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$5,back\n" PW("108(fp)"),
	    .out = "3\n5\n");
}

/* case: n, then n (lo, hi+1, pc) sorted, then the default pc. Five
 * entries, so the binary search takes every path. */
static void
test_case(void **state)
{
	XEC(.body =
	    "\tlea 512(mp),200(fp)\n"
	    "\tmovw $0,108(fp)\n"
	    "loop:\tmovw 0(200(fp)),104(fp)\n"
	    "\tcase 104(fp),128(mp)\n"
	    "c0:\tmovw $0,112(fp)\n\tjmp next\n"
	    "c1:\tmovw $1,112(fp)\n\tjmp next\n"
	    "c2:\tmovw $2,112(fp)\n\tjmp next\n"
	    "c10:\tmovw $10,112(fp)\n\tjmp next\n"
	    "c20:\tmovw $20,112(fp)\n\tjmp next\n"
	    "c100:\tmovw $100,112(fp)\n"
	    "next:" PW("112(fp)")
	    "\taddw $4,200(fp)\n"
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$14,loop\n",
	    .data =
	    "\tword @mp+128,5,1,2,{c1},2,5,{c2},10,11,{c10},20,30,{c20},100,101,{c100},{c0}\n"
	    "\tword @mp+512,-5,0,1,2,4,5,10,11,19,20,29,30,100,-2147483648\n",
	    .out = "0\n0\n1\n2\n2\n0\n10\n0\n0\n20\n20\n0\n100\n0\n");
}

/* casel: n and a pad word, then n (lo, hi+1 as bigs, pc, pad), then the
 * default pc. */
static void
test_casel(void **state)
{
	XEC(.body =
	    "\tlea 512(mp),200(fp)\n"
	    "\tmovw $0,108(fp)\n"
	    "loop:\tmovl 0(200(fp)),120(fp)\n"
	    "\tcasel 120(fp),128(mp)\n"
	    "c0:\tmovw $0,112(fp)\n\tjmp next\n"
	    "c1:\tmovw $1,112(fp)\n\tjmp next\n"
	    "c2:\tmovw $2,112(fp)\n\tjmp next\n"
	    "c3:\tmovw $3,112(fp)\n"
	    "next:" PW("112(fp)")
	    "\taddw $8,200(fp)\n"
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$10,loop\n",
	    .data =
	    "\tword @mp+128,3,0\n"
	    "\tlong @mp+136,-5,0\n"
	    "\tword @mp+152,{c1},0\n"
	    "\tlong @mp+160,4294967296,4294967301\n"
	    "\tword @mp+176,{c2},0\n"
	    "\tlong @mp+184,9223372036854775800,9223372036854775807\n"
	    "\tword @mp+200,{c3},0\n"
	    "\tword @mp+208,{c0}\n"
	    "\tlong @mp+512,-6,-5,-1,0,4294967296,4294967300,4294967301,3,9223372036854775806,"
	    "9223372036854775807\n",
	    .out = "0\n1\n1\n0\n2\n2\n0\n0\n3\n0\n");
}

/* casec: n, then n (lo string, hi string or nil, pc), then the default:
 * single labels and a range "b" to "d". The strings are pointers in module
 * data, so the pointer map of mp follows the table. */
static void
test_casec(void **state)
{
	XEC(.body =
	    "\tlea 24(mp),200(fp)\n"
	    "\tmovw $0,108(fp)\n"
	    "loop:\tmovp 0(200(fp)),40(fp)\n"
	    "\tcasec 40(fp),128(mp)\n"
	    "c0:\tmovw $0,112(fp)\n\tjmp next\n"
	    "c1:\tmovw $1,112(fp)\n\tjmp next\n"
	    "c2:\tmovw $2,112(fp)\n\tjmp next\n"
	    "c3:\tmovw $3,112(fp)\n"
	    "next:" PW("112(fp)")
	    "\taddw $4,200(fp)\n"
	    "\taddw $1,108(fp)\n"
	    "\tbltw 108(fp),$9,loop\n",
	    .mpmap = "ffffffff6d80",
	    .data =
	    "\tword @mp+128,3\n"
	    "\tstring @mp+132,\"apple\"\n"
	    "\tword @mp+140,{c1}\n"
	    "\tstring @mp+144,\"b\"\n"
	    "\tstring @mp+148,\"d\"\n"
	    "\tword @mp+152,{c2}\n"
	    "\tstring @mp+156,\"zoo\"\n"
	    "\tword @mp+164,{c3}\n"
	    "\tword @mp+168,{c0}\n"
	    "\tstring @mp+24,\"apple\"\n"
	    "\tstring @mp+28,\"banana\"\n"
	    "\tstring @mp+32,\"d\"\n"
	    "\tstring @mp+36,\"dog\"\n"
	    "\tstring @mp+40,\"zoo\"\n"
	    "\tstring @mp+48,\"b\"\n"
	    "\tstring @mp+52,\"a\"\n"
	    "\tstring @mp+56,\"appl\"\n",
	    .out = "1\n2\n2\n0\n3\n0\n2\n0\n0\n");
}

/* goto: the pc at table + 4*index. */
static void
test_goto(void **state)
{
	XEC(.body =
	    "\tmovw $2,104(fp)\n"
	    "loop:\tgoto 104(fp),128(mp)\n"
	    "g0:" PW("$10") "\tjmp next\n"
	    "g1:" PW("$11") "\tjmp next\n"
	    "g2:" PW("$12")
	    "next:\tsubw $1,104(fp)\n"
	    "\tbgew 104(fp),$0,loop\n",
	    .data = "\tword @mp+128,{g0},{g1},{g2}\n",
	    .out = "12\n11\n10\n");
}

/* frame/call/ret: recursive factorial (wrapping past 12!), Fibonacci, a
 * 20000-deep recursion that spans many stack segments, and a function
 * with a string argument and result. */
static void
test_call(void **state)
{
	XEC(.body =
	    "\tframe $5,104(fp)\n\tmovw $10,32(104(fp))\n\tlea 108(fp),16(104(fp))\n\tcall 104(fp),fact\n"
	    PW("108(fp)")
	    "\tframe $5,104(fp)\n\tmovw $13,32(104(fp))\n\tlea 108(fp),16(104(fp))\n\tcall 104(fp),fact\n"
	    PW("108(fp)")
	    "\tframe $5,104(fp)\n\tmovw $20,32(104(fp))\n\tlea 108(fp),16(104(fp))\n\tcall 104(fp),fib\n"
	    PW("108(fp)")
	    "\tframe $5,104(fp)\n\tmovw $20000,32(104(fp))\n\tlea 108(fp),16(104(fp))\n\tcall 104(fp),sum\n"
	    PW("108(fp)")
	    "\tframe $6,104(fp)\n\tmovp 24(mp),32(104(fp))\n\tlea 40(fp),16(104(fp))\n\tcall 104(fp),dbl\n"
	    PS("40(fp)")
	    PS("24(mp)"),
	    .funcs =
	    "fact:\tbgtw 32(fp),$1,frec\n"
	    "\tmovw $1,0(16(fp))\n"
	    "\tret\n"
	    "frec:\tframe $5,40(fp)\n"
	    "\tsubw $1,32(fp),32(40(fp))\n"
	    "\tlea 36(fp),16(40(fp))\n"
	    "\tcall 40(fp),fact\n"
	    "\tmulw 32(fp),36(fp),0(16(fp))\n"
	    "\tret\n"
	    "fib:\tbgew 32(fp),$2,brec\n"
	    "\tmovw 32(fp),0(16(fp))\n"
	    "\tret\n"
	    "brec:\tframe $5,40(fp)\n"
	    "\tsubw $1,32(fp),32(40(fp))\n"
	    "\tlea 36(fp),16(40(fp))\n"
	    "\tcall 40(fp),fib\n"
	    "\tframe $5,40(fp)\n"
	    "\tsubw $2,32(fp),32(40(fp))\n"
	    "\tlea 44(fp),16(40(fp))\n"
	    "\tcall 40(fp),fib\n"
	    "\taddw 36(fp),44(fp),0(16(fp))\n"
	    "\tret\n"
	    "sum:\tbnew 32(fp),$0,srec\n"
	    "\tmovw $0,0(16(fp))\n"
	    "\tret\n"
	    "srec:\tframe $5,40(fp)\n"
	    "\tsubw $1,32(fp),32(40(fp))\n"
	    "\tlea 36(fp),16(40(fp))\n"
	    "\tcall 40(fp),sum\n"
	    "\taddw 32(fp),36(fp),0(16(fp))\n"
	    "\tret\n"
	    "dbl:\taddc 32(fp),32(fp),0(16(fp))\n"
	    "\tret\n",
	    .data =
	    "\tdesc $5,48,\"\"\n"
	    "\tdesc $6,40,\"0080\"\n"
	    "\tstring @mp+24,\"ab\"\n",
	    .out = "3628800\n1932053504\n6765\n200010000\nabab\nab\n");
}

/* mframe/mcall into a Dis function: through `self`, and through `load
 * "$self"` with its own import list; the callee sees the same module data
 * and the caller's mp is back after ret. */
static void
test_self_mcall(void **state)
{
	XEC(.body =
	    "\tself 40(fp)\n"
	    "\tmframe 40(fp),$1,104(fp)\n"
	    "\tmovw $6,32(104(fp))\n"
	    "\tlea 108(fp),16(104(fp))\n"
	    "\tmcall 104(fp),$1,40(fp)\n"
	    PW("108(fp)")
	    "\tload 28(mp),$1,44(fp)\n"
	    "\tmframe 44(fp),$0,104(fp)\n"
	    "\tmovw $7,32(104(fp))\n"
	    "\tlea 108(fp),16(104(fp))\n"
	    "\tmcall 104(fp),$0,44(fp)\n"
	    PW("108(fp)")
	    PS("24(mp)"),
	    .funcs =
	    "f:" PS("24(mp)")
	    "\tmulw 32(fp),32(fp),0(16(fp))\n"
	    "\tret\n",
	    .data =
	    "\tdesc $5,1024,\"\"\n"
	    "\tlink 5,{f},0x12345678,\"f\"\n"
	    "\tword @ldt+12,1\n"
	    "\text @ldt+16,0x12345678,\"f\"\n"
	    "\tstring @mp+24,\"in f\"\n"
	    "\tstring @mp+28,\"$self\"\n",
	    .out = "in f\n36\nin f\n49\nin f\n");
}

/* load of a module that does not exist gives nil; using it raises. */
static void
test_load_missing(void **state)
{
	XEC(.body =
	    "\tload 24(mp),$0,40(fp)\n"
	    "\tmovw $1,104(fp)\n"
	    "\tbeqw 40(fp),124(mp),isnil\n"
	    "\tmovw $0,104(fp)\n"
	    "isnil:" PW("104(fp)")
	    "bad:\tmframe 40(fp),$0,104(fp)\n",
	    .data = "\tstring @mp+24,\"/nonexistent/nothing.dis\"\n",
	    .out = "1\n", .exc = "module not loaded", .at = "bad");
}

/* A string raised inside a handler's range lands at the matching label
 * with the text in the frame slot; the rest of the range is skipped. */
static void
test_raise_caught(void **state)
{
	XEC(.body =
	    PW("$1")
	    "r1:\traise 24(mp)\n"
	    PW("$2")
	    "\tjmp done\n"
	    "h1:" PS("40(fp)")
	    "done:" PW("$3"),
	    .data =
	    "\tstring @mp+24,\"fail:oops\"\n"
	    "\texceptions 1\n"
	    "\texception {r1},{h1},40,-1,1,0\n"
	    "\texctab \"fail:*\",{h1}\n"
	    "\texctab *,-1\n",
	    .out = "1\nfail:oops\n3\n");
}

/* An exception raised two calls down unwinds to init's handler: a label
 * that does not match falls to the handler's default; runtime exceptions
 * ("zero divide", "array bounds error") are caught by name. Calls work
 * again afterwards. */
static void
test_raise_unwinds(void **state)
{
	XEC(.body =
	    "c1:\tframe $5,104(fp)\n\tmovw $3,32(104(fp))\n\tcall 104(fp),down\n"
	    PW("$99")
	    "h1:" PS("40(fp)")
	    "c2:\tmovw $0,112(fp)\n"
	    "\tdivw 112(fp),$1,116(fp)\n"
	    PW("$98")
	    "h2:" PS("44(fp)")
	    "c3:\tindw 48(fp),200(fp),$0\n"
	    PW("$97")
	    "h3:" PS("44(fp)")
	    "\tframe $5,104(fp)\n\tmovw $0,32(104(fp))\n\tcall 104(fp),down\n"
	    PW("$4"),
	    .funcs =
	    "down:\tbeqw 32(fp),$0,leave\n"
	    "\tbeqw 32(fp),$1,up\n"
	    "\tframe $5,40(fp)\n"
	    "\tsubw $1,32(fp),32(40(fp))\n"
	    "\tcall 40(fp),down\n"
	    "leave:\tret\n"
	    "up:\traise 24(mp)\n",
	    .data =
	    "\tdesc $5,48,\"\"\n"
	    "\tstring @mp+24,\"deep\"\n"
	    "\texceptions 3\n"
	    "\texception {c1},{h1},40,-1,1,0\n"
	    "\texctab \"other\",{c1}\n"
	    "\texctab *,{h1}\n"
	    "\texception {c2},{h2},44,-1,1,0\n"
	    "\texctab \"zero divide\",{h2}\n"
	    "\texctab *,-1\n"
	    "\texception {c3},{h3},44,-1,2,0\n"
	    "\texctab \"zero*\",{c1}\n"
	    "\texctab \"array bounds error\",{h3}\n"
	    "\texctab *,-1\n",
	    .out = "deep\nzero divide\narray bounds error\n4\n");
}

/* Uncaught: the report names the raising instruction, also when the
 * handler's range does not cover it or no label matches. */
static void
test_raise_uncaught(void **state)
{
	XEC(.body =
	    PW("$1")
	    "bad:\traise 24(mp)\n"
	    "h1:" PW("$2"),
	    .data =
	    "\tstring @mp+24,\"fail:boom\"\n"
	    "\texceptions 2\n"
	    "\texception {h1},{h1},40,-1,1,0\n"
	    "\texctab \"*\",{h1}\n"
	    "\texctab *,-1\n"
	    "\texception {bad},{h1},40,-1,1,0\n"
	    "\texctab \"fail:bang\",{h1}\n"
	    "\texctab *,-1\n",
	    .out = "1\n", .exc = "fail:boom", .at = "bad");
	/* raised two calls down: the report names the raise, not init's call */
	XEC(.body = "\tframe $5,104(fp)\n\tcall 104(fp),f\n" PW("$2"),
	    .funcs = "f:\tframe $5,40(fp)\n\tcall 40(fp),g\n\tret\n"
	             "g:" PW("$1") "bad:\traise 24(mp)\n\tret\n",
	    .data = "\tdesc $5,48,\"\"\n\tstring @mp+24,\"fail:deep\"\n",
	    .out = "1\n", .exc = "fail:deep", .at = "bad");
}

/* An exception raised in a function reached by mcall unwinds back into
 * the caller's module instance: its handler runs with its own mp, and
 * calls work afterwards. */
static void
test_raise_across_mcall(void **state)
{
	XEC(.body =
	    "\tself 40(fp)\n"
	    "c1:\tmframe 40(fp),$1,104(fp)\n"
	    "\tmovw $1,32(104(fp))\n"
	    "\tmcall 104(fp),$1,40(fp)\n"
	    PW("$99")
	    "h1:" PS("44(fp)")
	    PS("28(mp)")
	    "\tmframe 40(fp),$1,104(fp)\n"
	    "\tmovw $0,32(104(fp))\n"
	    "\tmcall 104(fp),$1,40(fp)\n"
	    PW("$3"),
	    .funcs =
	    "f:\tbeqw 32(fp),$0,quiet\n"
	    "\tframe $5,40(fp)\n"
	    "\tcall 40(fp),g\n"
	    "quiet:" PS("24(mp)")
	    "\tret\n"
	    "g:\traise 24(mp)\n",
	    .data =
	    "\tdesc $5,1024,\"\"\n"
	    "\tlink 5,{f},0x12345678,\"f\"\n"
	    "\tstring @mp+24,\"fail:from f\"\n"
	    "\tstring @mp+28,\"back in init\"\n"
	    "\texceptions 1\n"
	    "\texception {c1},{h1},44,-1,1,0\n"
	    "\texctab \"fail:*\",{h1}\n"
	    "\texctab *,-1\n",
	    .out = "fail:from f\nback in init\nfail:from f\n3\n");
}

/* raise of an exception value (an adt whose first word is its name), and
 * of nil. */
static void
test_raise_adt(void **state)
{
	XEC(.body =
	    "\tnew $5,40(fp)\n"
	    "\tmovp 24(mp),0(40(fp))\n"
	    "\tmovw $7,4(40(fp))\n"
	    "bad:\traise 40(fp)\n",
	    .data = "\tdesc $5,8,\"80\"\n\tstring @mp+24,\"fail:adt\"\n",
	    .exc = "fail:adt", .at = "bad");
	XEC(.body = "bad:\traise 124(mp)\n", .exc = "dereference of nil", .at = "bad");
}

/* An exception raised inside a builtin ($Tensor->perm with a negative
 * length) names the mcall, and a handler whose range ends with the mcall
 * catches it. */
static void
test_raise_in_builtin(void **state)
{
	static const char *imports =
	    "\tword @ldt+12,1\n"
	    "\text @ldt+16,0xbb0a363f,\"perm\"\n"
	    "\tstring @mp+28,\"$Tensor\"\n";
	char data[512];

	snprintf(data, sizeof data, "%s"
	         "\texceptions 1\n"
	         "\texception {c1},{h1},48,-1,1,0\n"
	         "\texctab \"tensor:*\",{h1}\n"
	         "\texctab *,-1\n", imports);
	XEC(.body =
	    "\tload 28(mp),$1,24(mp)\n"
	    "c1:\tmframe 24(mp),$0,104(fp)\n"
	    "\tmovw $-1,32(104(fp))\n"
	    "\tlea 44(fp),16(104(fp))\n"
	    "\tmcall 104(fp),$0,24(mp)\n"
	    "h1:" PS("48(fp)"),
	    .data = data,
	    .out = "tensor: perm: negative length -1\n");
	XEC(.body =
	    "\tload 28(mp),$1,24(mp)\n"
	    "\tmframe 24(mp),$0,104(fp)\n"
	    "\tmovw $-1,32(104(fp))\n"
	    "\tlea 44(fp),16(104(fp))\n"
	    "bad:\tmcall 104(fp),$0,24(mp)\n"
	    PW("$1"),
	    .data = imports,
	    .exc = "tensor: perm: negative length -1", .at = "bad");
}

/* exit ends the program at once, from any depth, with status 0. */
static void
test_exit(void **state)
{
	XEC(.body = PW("$1") "\texit\n" PW("$2"), .out = "1\n");
	XEC(.body =
	    "\tframe $5,104(fp)\n\tcall 104(fp),f\n" PW("$3"),
	    .funcs = "f:\tframe $5,40(fp)\n\tcall 40(fp),g\n\tret\ng:\texit\n",
	    .data = "\tdesc $5,48,\"\"\n",
	    .out = "");
}

/* An indirect operand through a nil pointer raises "dereference of nil". */
static void
test_nil_indirect(void **state)
{
	XEC(.body = PW("$1") "bad:\tmovw 0(40(fp)),104(fp)\n", .out = "1\n",
	    .exc = "dereference of nil", .at = "bad");
	XEC(.body = "bad:\tmovw $1,8(124(mp))\n", .exc = "dereference of nil", .at = "bad");
}

/* --max-instructions stops an infinite loop: exit status 3. */
static void
test_budget(void **state)
{
	XEC(.body = PW("$1") "loop:\tjmp loop\n",
	    .args = "--max-instructions 100000",
	    .out = "1\n", .status = 3,
	    .err = "dis-run: %s: instruction budget of 100000 exhausted\n");
}

TEST_MAIN("dis instructions: control",
          cmocka_unit_test(test_branch_word),
          cmocka_unit_test(test_branch_byte),
          cmocka_unit_test(test_branch_big),
          cmocka_unit_test(test_branch_real),
          cmocka_unit_test(test_branch_indirect),
          cmocka_unit_test(test_jmp),
          cmocka_unit_test(test_case),
          cmocka_unit_test(test_casel),
          cmocka_unit_test(test_casec),
          cmocka_unit_test(test_goto),
          cmocka_unit_test(test_call),
          cmocka_unit_test(test_self_mcall),
          cmocka_unit_test(test_load_missing),
          cmocka_unit_test(test_raise_caught),
          cmocka_unit_test(test_raise_unwinds),
          cmocka_unit_test(test_raise_uncaught),
          cmocka_unit_test(test_raise_across_mcall),
          cmocka_unit_test(test_raise_in_builtin),
          cmocka_unit_test(test_raise_adt),
          cmocka_unit_test(test_exit),
          cmocka_unit_test(test_nil_indirect),
          cmocka_unit_test(test_budget))
