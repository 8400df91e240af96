/*
 * Arithmetic instructions on bytes, words, bigs and reals (d = m op s),
 * with wrap-around, INT_MIN / -1, shifts, lsr, exp*, the two-operand and
 * indirect forms, and "zero divide" for every integer divide and modulo.
 * Semantics: Dis spec (doc/dis.ms) and Inferno libinterp/xec.c.
 */
#include "tests/vm/xec.h"

static void
test_word(void **state)
{
	static const XecOp ops[] = {
		{"addw", "7", "5", "12"},
		{"addw", "2147483647", "1", "-2147483648"},
		{"subw", "7", "5", "2"},
		{"subw", "-2147483648", "1", "2147483647"},
		{"mulw", "7", "-5", "-35"},
		{"mulw", "65536", "65536", "0"},
		{"mulw", "2147483647", "2", "-2"},
		{"divw", "7", "2", "3"},
		{"divw", "-7", "2", "-3"},
		{"divw", "7", "-2", "-3"},
		{"divw", "-2147483648", "-1", "-2147483648"},
		{"divw", "-2147483648", "1", "-2147483648"},
		{"modw", "7", "2", "1"},
		{"modw", "-7", "2", "-1"},
		{"modw", "7", "-2", "1"},
		{"modw", "-2147483648", "-1", "0"},
		{"andw", "0xff0", "0x0ff", "240"},
		{"orw", "0xf00", "0x00f", "3855"},
		{"xorw", "-1", "0x0f0f", "-3856"},
	};

	XEC_TABLE(xec_binops, 'w', ops, (int)(sizeof ops / sizeof ops[0]));
}

static void
test_word_shift_exp(void **state)
{
	static const XecOp ops[] = {
		{"shlw", "1", "31", "-2147483648"},
		{"shlw", "3", "4", "48"},
		{"shlw", "-1", "0", "-1"},
		{"shrw", "-256", "4", "-16"},
		{"shrw", "256", "4", "16"},
		{"shrw", "-1", "31", "-1"},
		{"lsrw", "-1", "28", "15"},
		{"lsrw", "-256", "4", "268435440"},
		{"lsrw", "-2147483648", "31", "1"},
		{"expw", "3", "4", "81"},
		{"expw", "-2", "3", "-8"},
		{"expw", "2", "0", "1"},
		{"expw", "0", "0", "1"},
		{"expw", "2", "-1", "0"},
		{"expw", "1", "-5", "1"},
		{"expw", "-1", "-3", "-1"},
		{"expw", "2", "31", "-2147483648"},
		{"expw", "3", "21", "1870418611"},
	};

	XEC_TABLE(xec_binops, 'w', ops, (int)(sizeof ops / sizeof ops[0]));
}

static void
test_byte(void **state)
{
	static const XecOp ops[] = {
		{"addb", "250", "10", "4"},
		{"subb", "3", "5", "254"},
		{"mulb", "16", "16", "0"},
		{"mulb", "15", "17", "255"},
		{"divb", "200", "7", "28"},
		{"modb", "200", "7", "4"},
		{"andb", "0xf0", "0x3c", "48"},
		{"orb", "0xf0", "0x0f", "255"},
		{"xorb", "0xff", "0x0f", "240"},
		{"shlb", "0x81", "1", "2"},
		{"shlb", "1", "7", "128"},
		{"shrb", "0x80", "7", "1"},
		{"shrb", "255", "4", "15"},
	};

	XEC_TABLE(xec_binops, 'b', ops, (int)(sizeof ops / sizeof ops[0]));
}

static void
test_big(void **state)
{
	static const XecOp ops[] = {
		{"addl", "9223372036854775807", "1", "-9223372036854775808"},
		{"addl", "4294967295", "1", "4294967296"},
		{"subl", "-9223372036854775808", "1", "9223372036854775807"},
		{"subl", "0", "4294967296", "-4294967296"},
		{"mull", "4294967296", "4294967296", "0"},
		{"mull", "3037000499", "3037000499", "9223372030926249001"},
		{"mull", "-3", "1000000000000", "-3000000000000"},
		{"divl", "9223372036854775807", "10", "922337203685477580"},
		{"divl", "-7", "2", "-3"},
		{"divl", "-9223372036854775808", "-1", "-9223372036854775808"},
		{"modl", "-7", "2", "-1"},
		{"modl", "9223372036854775807", "10", "7"},
		{"modl", "-9223372036854775808", "-1", "0"},
		{"andl", "0xff00ff00ff00ff00", "0x0ff00ff00ff00ff0", "1080880403494997760"},
		{"orl", "0xff00ff00ff00ff00", "0x0ff00ff00ff00ff0", "-4222189076152336"},
		{"xorl", "0xff00ff00ff00ff00", "0x0ff00ff00ff00ff0", "-1085102592571150096"},
		{"shll", "1", "63", "-9223372036854775808"},
		{"shll", "1", "32", "4294967296"},
		{"shrl", "-9223372036854775808", "63", "-1"},
		{"shrl", "4294967296", "31", "2"},
		{"lsrl", "-1", "60", "15"},
		{"lsrl", "-9223372036854775808", "63", "1"},
		{"expl", "2", "62", "4611686018427387904"},
		{"expl", "-3", "3", "-27"},
		{"expl", "10", "18", "1000000000000000000"},
		{"expl", "2", "-2", "0"},
		{"expl", "-1", "-1", "-1"},
	};

	XEC_TABLE(xec_binops, 'l', ops, (int)(sizeof ops / sizeof ops[0]));
}

static void
test_real(void **state)
{
	static const XecOp ops[] = {
		{"addf", "1.5", "2.25", "3.75"},
		{"addf", "0.1", "0.2", ".30000000000000004"},
		{"subf", "1", "0.75", ".25"},
		{"subf", "1", "3", "-2"},
		{"mulf", "1.5", "-4", "-6"},
		{"mulf", "1e200", "1e200", "Infinity"},
		{"mulf", "-1e200", "1e200", "-Infinity"},
		{"divf", "1", "3", ".3333333333333333"},
		{"divf", "1", "0", "Infinity"},
		{"divf", "-1", "0", "-Infinity"},
		{"divf", "1e6", "1", "1e+06"},
		{"expf", "2", "10", "1024"},
		{"expf", "2", "-2", ".25"},
		{"expf", "10", "-1", ".1"},
		{"expf", "1.5", "0", "1"},
		{"expf", "-2", "3", "-8"},
	};

	XEC_TABLE(xec_binops, 'f', ops, (int)(sizeof ops / sizeof ops[0]));
}

/* negf; the two-operand form (d = d op s); operands through pointers. */
static void
test_forms(void **state)
{
	XEC(.body =
	    "\tnegf 128(mp),104(fp)\n" PF("104(fp)")
	    "\tnegf 136(mp),104(fp)\n" PF("104(fp)")
	    "\tmovw $10,112(fp)\n"
	    "\taddw $5,112(fp)\n" PW("112(fp)")
	    "\tsubw $3,112(fp)\n" PW("112(fp)")
	    "\tmulw $4,112(fp)\n" PW("112(fp)")
	    "\tdivw $5,112(fp)\n" PW("112(fp)")
	    "\tmodw $4,112(fp)\n" PW("112(fp)")
	    "\tshlw $3,112(fp)\n" PW("112(fp)")
	    "\tmovl 144(mp),120(fp)\n"
	    "\taddl 144(mp),120(fp)\n" PL("120(fp)")
	    "\tmovf 128(mp),128(fp)\n"
	    "\tmulf 128(mp),128(fp)\n" PF("128(fp)")
	    "\tmovb 152(mp),136(fp)\n"
	    "\taddb 152(mp),136(fp)\n" PB("136(fp)")
	    /* through pointers: lea, then n(m(fp)) operands */
	    "\tlea 160(mp),200(fp)\n"
	    "\tlea 112(fp),204(fp)\n"
	    "\tmovw 0(200(fp)),208(fp)\n"
	    "\taddw 4(200(fp)),208(fp),0(204(fp))\n" PW("112(fp)")
	    "\tmulw $3,0(204(fp))\n" PW("0(204(fp))")
	    "\tsubw 4(200(fp)),$100,112(fp)\n" PW("112(fp)"),
	    .data =
	    "\treal @mp+128,2.5,-0\n"
	    "\tlong @mp+144,4000000000\n"
	    "\tbyte @mp+152,200\n"
	    "\tword @mp+160,1000,234\n",
	    .out = "-2.5\n0\n15\n12\n48\n9\n1\n8\n8000000000\n6.25\n144\n1234\n3702\n-134\n");
}

static void
zero_divide(const char *name, const char *op, const char *dir)
{
	char body[512];

	snprintf(body, sizeof body,
	         "\t%s $7,104(fp)\n\t%s $0,112(fp)\n" PW("$1")
	         "bad:\t%s 112(fp),104(fp),120(fp)\n" PW("$2"),
	         dir, dir, op);
	xec_check(name, &(XecCase){.body = body, .out = "1\n", .exc = "zero divide", .at = "bad"});
}

/* Integer division and modulo by zero raise "zero divide"; uncaught, it
 * ends dis-run with status 1 and the one-line report. */
static void
test_zero_divide(void **state)
{
	zero_divide("zdiv_divw", "divw", "movw");
	zero_divide("zdiv_modw", "modw", "movw");
	zero_divide("zdiv_divb", "divb", "movb");
	zero_divide("zdiv_modb", "modb", "movb");
	zero_divide("zdiv_divl", "divl", "cvtwl");
	zero_divide("zdiv_modl", "modl", "cvtwl");
}

TEST_MAIN("dis instructions: arithmetic",
          cmocka_unit_test(test_word),
          cmocka_unit_test(test_word_shift_exp),
          cmocka_unit_test(test_byte),
          cmocka_unit_test(test_big),
          cmocka_unit_test(test_real),
          cmocka_unit_test(test_forms),
          cmocka_unit_test(test_zero_divide))
