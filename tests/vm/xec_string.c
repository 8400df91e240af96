/*
 * String instructions: addc, lenc, indc, insc (append `s[len s] = c`,
 * runes >= 0x80 widening the string, copy of a shared string), slicec,
 * the string comparison branches, cvtca/cvtac (UTF-8, bad bytes, an
 * incomplete tail), and the bounds and nil errors. Semantics: Inferno
 * libinterp/string.c and dis-facts.md "Strings".
 */
#include "tests/vm/xec.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* addc d = m + s; nil is ""; a wide operand makes a wide result. */
static void
test_addc(void **state)
{
	XEC(.body =
	    "\taddc 28(mp),24(mp),40(fp)\n" PS("40(fp)")
	    "\taddc 28(mp),124(mp),40(fp)\n" PS("40(fp)")
	    "\taddc 124(mp),24(mp),40(fp)\n" PS("40(fp)")
	    "\taddc 124(mp),124(mp),40(fp)\n" PS("40(fp)")
	    "\tlenc 40(fp),104(fp)\n" PW("104(fp)")
	    "\taddc 36(mp),32(mp),44(fp)\n" PS("44(fp)")
	    "\tlenc 44(fp),104(fp)\n" PW("104(fp)")
	    "\tmovp 24(mp),48(fp)\n"
	    "\taddc 28(mp),48(fp)\n"
	    "\taddc 32(mp),48(fp)\n" PS("48(fp)")
	    PS("24(mp)"),
	    .data =
	    "\tstring @mp+24,\"foo\"\n"
	    "\tstring @mp+28,\"bar\"\n"
	    "\tstring @mp+32,\"h\xc3\xa9llo\"\n"
	    "\tstring @mp+36,\"\xe2\x82\xac\"\n",
	    .out = "foobar\nbar\nfoo\n\n0\nh\xc3\xa9llo\xe2\x82\xac\n6\nfoobarh\xc3\xa9llo\nfoo\n");
}

/* lenc counts runes; indc gives the rune. */
static void
test_lenc_indc(void **state)
{
	XEC(.body =
	    "\tlenc 24(mp),104(fp)\n" PW("104(fp)")
	    "\tlenc 28(mp),104(fp)\n" PW("104(fp)")
	    "\tlenc 124(mp),104(fp)\n" PW("104(fp)")
	    "\tindc 24(mp),$1,104(fp)\n" PW("104(fp)")
	    "\tindc 28(mp),$1,104(fp)\n" PW("104(fp)")
	    "\tindc 28(mp),$5,104(fp)\n" PW("104(fp)")
	    "\tmovw $6,108(fp)\n"
	    "\tindc 28(mp),108(fp),104(fp)\n" PW("104(fp)"),
	    .data =
	    "\tstring @mp+24,\"hello\"\n"
	    "\tstring @mp+28,\"h\xc3\xa9llo\xe2\x82\xac\xf0\x90\x8d\x88\"\n",
	    .out = "5\n7\n0\n101\n233\n8364\n66376\n");
}

static void
test_indc_errors(void **state)
{
	XEC(.body = "bad:\tindc 24(mp),$5,104(fp)\n", .data = "\tstring @mp+24,\"hello\"\n",
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tindc 24(mp),$-1,104(fp)\n", .data = "\tstring @mp+24,\"h\xc3\xa9\"\n",
	    .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tindc 24(mp),$2,104(fp)\n", .data = "\tstring @mp+24,\"h\xc3\xa9\"\n",
	    .exc = "array bounds error", .at = "bad");
	/* Inferno: indc of nil is a nil dereference, not a bounds error. */
	XEC(.body = "bad:\tindc 124(mp),$0,104(fp)\n", .exc = "dereference of nil", .at = "bad");
}

/* insc d[m] = s: appending at len builds a string from nil; replacing;
 * a rune >= 0x80 widens an ASCII string; a string shared through movp is
 * copied before it changes. */
static void
test_insc(void **state)
{
	XEC(.body =
	    "\tmovw $97,104(fp)\n"
	    "loop:\tlenc 40(fp),108(fp)\n"
	    "\tinsc 104(fp),108(fp),40(fp)\n"
	    "\taddw $1,104(fp)\n"
	    "\tblew 104(fp),$101,loop\n" PS("40(fp)")
	    "\tmovp 40(fp),44(fp)\n"
	    "\tinsc $88,$0,44(fp)\n" PS("44(fp)") PS("40(fp)")
	    "\tinsc $0x263a,$5,44(fp)\n" PS("44(fp)")
	    "\tlenc 44(fp),104(fp)\n" PW("104(fp)")
	    "\tinsc $0xe9,$1,44(fp)\n" PS("44(fp)")
	    "\tinsc $0x10348,$6,44(fp)\n" PS("44(fp)")
	    "\tinsc $122,$2,44(fp)\n" PS("44(fp)")
	    "\tindc 44(fp),$6,104(fp)\n" PW("104(fp)")
	    "\tmovp 24(mp),48(fp)\n"
	    "\tinsc $0xf6,$1,48(fp)\n" PS("48(fp)") PS("24(mp)")
	    "\tmovw $0,112(fp)\n"
	    "big:\tlenc 52(fp),108(fp)\n"
	    "\tinsc $0x3b1,108(fp),52(fp)\n"
	    "\taddw $1,112(fp)\n"
	    "\tbltw 112(fp),$1000,big\n"
	    "\tlenc 52(fp),104(fp)\n" PW("104(fp)")
	    "\tindc 52(fp),$999,104(fp)\n" PW("104(fp)"),
	    .data = "\tstring @mp+24,\"abc\"\n",
	    .out = "abcde\nXbcde\nabcde\nXbcde\xe2\x98\xba\n6\nX\xc3\xa9" "cde\xe2\x98\xba\n"
	           "X\xc3\xa9" "cde\xe2\x98\xba\xf0\x90\x8d\x88\nX\xc3\xa9zde\xe2\x98\xba\xf0\x90\x8d\x88\n"
	           "66376\na\xc3\xb6" "c\nabc\n1000\n945\n");
}

static void
test_insc_errors(void **state)
{
	XEC(.body = "\tmovp 24(mp),40(fp)\nbad:\tinsc $120,$4,40(fp)\n",
	    .data = "\tstring @mp+24,\"abc\"\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tmovp 24(mp),40(fp)\nbad:\tinsc $120,$-1,40(fp)\n",
	    .data = "\tstring @mp+24,\"abc\"\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tinsc $120,$1,40(fp)\n", .exc = "array bounds error", .at = "bad");
}

/* slicec d = d[s:m], ASCII and wide; nil[0:0] is nil. */
static void
test_slicec(void **state)
{
	XEC(.body =
	    "\tmovp 24(mp),40(fp)\n\tslicec $1,$3,40(fp)\n" PS("40(fp)")
	    "\tmovp 24(mp),40(fp)\n\tslicec $0,$5,40(fp)\n" PS("40(fp)")
	    "\tmovp 24(mp),40(fp)\n\tslicec $5,$5,40(fp)\n" PS("40(fp)")
	    "\tlenc 40(fp),104(fp)\n" PW("104(fp)")
	    "\tmovp 28(mp),40(fp)\n\tslicec $1,$6,40(fp)\n" PS("40(fp)")
	    "\tlenc 40(fp),104(fp)\n" PW("104(fp)")
	    "\tslicec $0,$1,40(fp)\n" PS("40(fp)")
	    "\tslicec $0,$0,44(fp)\n" PS("44(fp)")
	    PS("24(mp)") PS("28(mp)"),
	    .data = "\tstring @mp+24,\"hello\"\n\tstring @mp+28,\"h\xc3\xa9llo\xe2\x82\xac\"\n",
	    .out = "el\nhello\n\n0\n\xc3\xa9llo\xe2\x82\xac\n5\n\xc3\xa9\n\nhello\nh\xc3\xa9llo\xe2\x82\xac\n");
}

static void
test_slicec_errors(void **state)
{
	XEC(.body = "\tmovp 24(mp),40(fp)\nbad:\tslicec $2,$1,40(fp)\n",
	    .data = "\tstring @mp+24,\"hello\"\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tmovp 24(mp),40(fp)\nbad:\tslicec $0,$6,40(fp)\n",
	    .data = "\tstring @mp+24,\"hello\"\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "\tmovp 24(mp),40(fp)\nbad:\tslicec $-1,$2,40(fp)\n",
	    .data = "\tstring @mp+24,\"hello\"\n", .exc = "array bounds error", .at = "bad");
	XEC(.body = "bad:\tslicec $0,$1,40(fp)\n", .exc = "array bounds error", .at = "bad");
}

/* beqc..bgec compare rune by rune; a prefix sorts first; nil == "". */
static void
test_branch_string(void **state)
{
	static const XecOp ops[] = {
		{"beqc", "\"abc\"", "\"abc\"", "1"},
		{"beqc", NULL, "\"\"", "1"},
		{"bnec", "\"abc\"", "\"abd\"", "1"},
		{"bnec", "\"\xc3\xa9\"", "\"\xc3\xa9\"", "0"},
		{"bltc", "\"ab\"", "\"abc\"", "1"},
		{"bltc", "\"abd\"", "\"abc\"", "0"},
		{"blec", "\"abc\"", "\"abc\"", "1"},
		{"blec", "\"\xc3\xa9\"", "\"z\"", "0"},
		{"bgtc", "\"\xc3\xa9\"", "\"z\"", "1"},
		{"bgtc", NULL, "\"a\"", "0"},
		{"bgec", "\"b\"", "\"abc\"", "1"},
		{"bgec", "\"a\"", "\"a\xe2\x82\xac\"", "0"},
	};

	XEC_TABLE(xec_branches, 'c', ops, N(ops));
}

/* cvtca: string -> UTF-8 bytes; cvtac: bytes -> string, a bad byte is
 * U+FFFD and a sequence cut off by the end of the array ends the string
 * (dis-facts.md: {0xff,'a'} -> ""). Arrays of bytes come from the data. */
static void
test_cvtca_cvtac(void **state)
{
	XEC(.body =
	    "\tcvtca 24(mp),40(fp)\n"
	    "\tlena 40(fp),104(fp)\n" PW("104(fp)")
	    "\tindb 40(fp),200(fp),$1\n" PB("0(200(fp))")
	    "\tindb 40(fp),200(fp),$2\n" PB("0(200(fp))")
	    "\tcvtac 40(fp),44(fp)\n" PS("44(fp)")
	    "\tlenc 44(fp),104(fp)\n" PW("104(fp)")
	    "\tcvtca 124(mp),40(fp)\n"
	    "\tlena 40(fp),104(fp)\n" PW("104(fp)")
	    "\tmovw $1,104(fp)\n"
	    "\tbnew 40(fp),124(mp),notnil\n"
	    "\tmovw $0,104(fp)\n"
	    "notnil:" PW("104(fp)")
	    "\tcvtac 124(mp),44(fp)\n"
	    "\tmovw $1,104(fp)\n"
	    "\tbeqw 44(fp),124(mp),isnil\n"
	    "\tmovw $0,104(fp)\n"
	    "isnil:" PW("104(fp)")
	    "\tcvtac 28(mp),44(fp)\n" PS("44(fp)")
	    "\tcvtac 32(mp),44(fp)\n" PS("44(fp)")
	    "\tcvtac 36(mp),44(fp)\n" PS("44(fp)")
	    "\tlenc 44(fp),104(fp)\n" PW("104(fp)")
	    "\tcvtac 40(mp),44(fp)\n" PS("44(fp)")
	    "\tcvtac 44(mp),44(fp)\n" PS("44(fp)")
	    "\tlenc 44(fp),104(fp)\n" PW("104(fp)")
	    "\tcvtac 48(mp),44(fp)\n" PS("44(fp)"),
	    .data =
	    "\tdesc $5,1,\"\"\n"
	    "\tstring @mp+24,\"h\xc3\xa9llo\"\n"
	    "\tarray @mp+28,$5,3\n\tindir @mp+28,0\n\tbyte @mp+0,0xe2,0x82,0xac\n\tapop\n"
	    "\tarray @mp+32,$5,3\n\tindir @mp+32,0\n\tbyte @mp+0,0x61,0xe2,0x82\n\tapop\n"
	    "\tarray @mp+36,$5,2\n\tindir @mp+36,0\n\tbyte @mp+0,0xc3,0x28\n\tapop\n"
	    "\tarray @mp+40,$5,2\n\tindir @mp+40,0\n\tbyte @mp+0,0xff,0x61\n\tapop\n"
	    "\tarray @mp+44,$5,5\n\tindir @mp+44,0\n\tbyte @mp+0,0xff,0x61,0x62,0x63,0x64\n\tapop\n"
	    "\tarray @mp+48,$5,2\n\tindir @mp+48,0\n\tbyte @mp+0,0x61,0x80\n\tapop\n",
	    .out = "6\n195\n169\nh\xc3\xa9llo\n5\n0\n1\n1\n\xe2\x82\xac\na\n\xef\xbf\xbd(\n2\n\n"
	           "\xef\xbf\xbd" "abcd\n5\na\n");
}

TEST_MAIN("dis instructions: strings",
          cmocka_unit_test(test_addc),
          cmocka_unit_test(test_lenc_indc),
          cmocka_unit_test(test_indc_errors),
          cmocka_unit_test(test_insc),
          cmocka_unit_test(test_insc_errors),
          cmocka_unit_test(test_slicec),
          cmocka_unit_test(test_slicec_errors),
          cmocka_unit_test(test_branch_string),
          cmocka_unit_test(test_cvtca_cvtac))
