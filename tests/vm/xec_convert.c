/*
 * Conversion instructions cvt*: between bytes, words, shorts, bigs, reals
 * and short reals, real -> integer rounding half away from zero, and
 * number <-> string as dis-facts.md records Inferno: int "s" stops at the
 * first non-digit and saturates, real "inf" is 0, string r is the shortest
 * %g form without a leading zero. Inferno libinterp/xec.c and string.c.
 */
#include "tests/vm/xec.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void
test_int_conversions(void **state)
{
	static const XecOp bw[] = {{"cvtbw", NULL, "200", "200"}, {"cvtbw", NULL, "0", "0"}};
	static const XecOp wb[] = {{"cvtwb", NULL, "300", "44"}, {"cvtwb", NULL, "-1", "255"}};
	static const XecOp wl[] = {{"cvtwl", NULL, "-5", "-5"}, {"cvtwl", NULL, "2147483647", "2147483647"}};
	static const XecOp lw[] = {
		{"cvtlw", NULL, "4294967301", "5"},
		{"cvtlw", NULL, "-1", "-1"},
		{"cvtlw", NULL, "2147483648", "-2147483648"},
	};

	xec_unops("cvtbw", 'b', 'w', bw, N(bw));
	xec_unops("cvtwb", 'w', 'b', wb, N(wb));
	xec_unops("cvtwl", 'w', 'l', wl, N(wl));
	xec_unops("cvtlw", 'l', 'w', lw, N(lw));
}

/* real -> int/big rounds half away from zero (int 2.5 = 3, int -2.5 = -3). */
static void
test_real_conversions(void **state)
{
	static const XecOp wf[] = {{"cvtwf", NULL, "-7", "-7"}, {"cvtwf", NULL, "2147483647", "2147483647"}};
	static const XecOp fw[] = {
		{"cvtfw", NULL, "2.5", "3"},
		{"cvtfw", NULL, "-2.5", "-3"},
		{"cvtfw", NULL, "2.4999", "2"},
		{"cvtfw", NULL, "-1.5", "-2"},
		{"cvtfw", NULL, "0.5", "1"},
		{"cvtfw", NULL, "-0.4", "0"},
		{"cvtfw", NULL, "3.5", "4"},
		{"cvtfw", NULL, "2147483646.5", "2147483647"},
		{"cvtfw", NULL, "-2147483648.4", "-2147483648"},
	};
	static const XecOp lf[] = {
		{"cvtlf", NULL, "9007199254740993", "9007199254740992"},
		{"cvtlf", NULL, "-3", "-3"},
	};
	static const XecOp fl[] = {
		{"cvtfl", NULL, "2.5", "3"},
		{"cvtfl", NULL, "-2.5", "-3"},
		{"cvtfl", NULL, "-0.5", "-1"},
		{"cvtfl", NULL, "1e18", "1000000000000000000"},
		{"cvtfl", NULL, "4503599627370495.5", "4503599627370496"},
	};

	xec_unops("cvtwf", 'w', 'f', wf, N(wf));
	xec_unops("cvtfw", 'f', 'w', fw, N(fw));
	xec_unops("cvtlf", 'l', 'f', lf, N(lf));
	xec_unops("cvtfl", 'f', 'l', fl, N(fl));
}

/* Short reals (4-byte IEEE) and shorts (2 bytes), as Inferno's SREAL/SHORT. */
static void
test_short_conversions(void **state)
{
	XEC(.body =
	    "\tcvtfr 128(mp),104(fp)\n"
	    "\tcvtrf 104(fp),112(fp)\n" PF("112(fp)")
	    "\tcvtfr 136(mp),104(fp)\n"
	    "\tcvtrf 104(fp),112(fp)\n" PF("112(fp)")
	    "\tcvtws 144(mp),120(fp)\n"
	    "\tcvtsw 120(fp),124(fp)\n" PW("124(fp)")
	    "\tcvtws 148(mp),120(fp)\n"
	    "\tcvtsw 120(fp),124(fp)\n" PW("124(fp)")
	    "\tcvtws $-7,120(fp)\n"
	    "\tcvtsw 120(fp),124(fp)\n" PW("124(fp)"),
	    .data = "\treal @mp+128,1.1,-0.25\n\tword @mp+144,70000,40000\n",
	    .out = "1.100000023841858\n-.25\n4464\n-25536\n-7\n");
}

static void
test_to_string(void **state)
{
	static const XecOp wc[] = {
		{"cvtwc", NULL, "0", "0"},
		{"cvtwc", NULL, "-42", "-42"},
		{"cvtwc", NULL, "-2147483648", "-2147483648"},
		{"cvtwc", NULL, "2147483647", "2147483647"},
	};
	static const XecOp lc[] = {
		{"cvtlc", NULL, "-9223372036854775808", "-9223372036854775808"},
		{"cvtlc", NULL, "1099511627776", "1099511627776"},
	};
	/* Gay's g_fmt: shortest round trip, no leading zero, exponent when
	 * decpt <= -4 or decpt > ndigits + 5. */
	static const XecOp fc[] = {
		{"cvtfc", NULL, "0.1", ".1"},
		{"cvtfc", NULL, "-0.5", "-.5"},
		{"cvtfc", NULL, "0.3333333333333333", ".3333333333333333"},
		{"cvtfc", NULL, "2.5", "2.5"},
		{"cvtfc", NULL, "1e6", "1e+06"},
		{"cvtfc", NULL, "100000", "100000"},
		{"cvtfc", NULL, "123456789", "123456789"},
		{"cvtfc", NULL, "1152921504606846976", "1152921504606847000"},
		{"cvtfc", NULL, "1e21", "1e+21"},
		{"cvtfc", NULL, "6.02214076e23", "6.02214076e+23"},
		{"cvtfc", NULL, "1e-5", "1e-05"},
		{"cvtfc", NULL, "0.0001", ".0001"},
		{"cvtfc", NULL, "0", "0"},
		{"cvtfc", NULL, "-0", "-0"},
		{"cvtfc", NULL, "NaN", "NaN"},
		{"cvtfc", NULL, "Inf", "Infinity"},
		{"cvtfc", NULL, "-Inf", "-Infinity"},
	};

	xec_unops("cvtwc", 'w', 'c', wc, N(wc));
	xec_unops("cvtlc", 'l', 'c', lc, N(lc));
	xec_unops("cvtfc", 'f', 'c', fc, N(fc));
}

/* int "s": blanks, optional sign, decimal digits up to the first
 * non-digit; no 0x or 16r prefixes; saturates. nil is "". */
static void
test_from_string(void **state)
{
	static const XecOp cw[] = {
		{"cvtcw", NULL, "\"  -123abc\"", "-123"},
		{"cvtcw", NULL, "\"+7\"", "7"},
		{"cvtcw", NULL, "\"\\t42\"", "42"},
		{"cvtcw", NULL, "\"16rff\"", "16"},
		{"cvtcw", NULL, "\"0x1f\"", "0"},
		{"cvtcw", NULL, "\"abc\"", "0"},
		{"cvtcw", NULL, "\"\"", "0"},
		{"cvtcw", NULL, NULL, "0"},
		{"cvtcw", NULL, "\"2147483647\"", "2147483647"},
		{"cvtcw", NULL, "\"99999999999\"", "2147483647"},
		{"cvtcw", NULL, "\"-99999999999\"", "-2147483648"},
		{"cvtcw", NULL, "\"-2147483648\"", "-2147483648"},
		{"cvtcw", NULL, "\"1€\"", "1"},
	};
	static const XecOp cl[] = {
		{"cvtcl", NULL, "\"-9223372036854775808\"", "-9223372036854775808"},
		{"cvtcl", NULL, "\"99999999999999999999\"", "9223372036854775807"},
		{"cvtcl", NULL, "\"-99999999999999999999\"", "-9223372036854775808"},
		{"cvtcl", NULL, "\" 12x\"", "12"},
		{"cvtcl", NULL, "\"4294967296\"", "4294967296"},
		{"cvtcl", NULL, NULL, "0"},
	};
	static const XecOp cf[] = {
		{"cvtcf", NULL, "\"3.25\"", "3.25"},
		{"cvtcf", NULL, "\" -1e3\"", "-1000"},
		{"cvtcf", NULL, "\"1.5abc\"", "1.5"},
		{"cvtcf", NULL, "\".5\"", ".5"},
		{"cvtcf", NULL, "\"inf\"", "0"},
		{"cvtcf", NULL, "\"nan\"", "NaN"},
		{"cvtcf", NULL, "\"\"", "0"},
		{"cvtcf", NULL, NULL, "0"},
		{"cvtcf", NULL, "\"x\"", "0"},
	};

	xec_unops("cvtcw", 'c', 'w', cw, N(cw));
	xec_unops("cvtcl", 'c', 'l', cl, N(cl));
	xec_unops("cvtcf", 'c', 'f', cf, N(cf));
}

TEST_MAIN("dis instructions: conversions",
          cmocka_unit_test(test_int_conversions),
          cmocka_unit_test(test_real_conversions),
          cmocka_unit_test(test_short_conversions),
          cmocka_unit_test(test_to_string),
          cmocka_unit_test(test_from_string))
