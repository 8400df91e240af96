/*
 * Conversion instructions cvt*: between bytes, words, shorts, bigs, reals
 * and short reals, real -> integer rounding half away from zero, and
 * number <-> string as Inferno's emu does them (libinterp/string.c and
 * xec.c, glibc strtol, lib9/strtoll.c, libmath/dtoa.c): int "s" saturates,
 * big "s" wraps, real "s" is Gay's strtod ("inf" is 0, "-" is -0), and
 * string r is the shortest %g form without a leading zero.
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

/* xec_unops takes at most 24 cases a program. */
static void
unops(const char *name, int skind, int dkind, const XecOp *ops, int n)
{
	for (int i = 0; i < n; i += 24)
		xec_unops(name, skind, dkind, ops + i, n - i < 24 ? n - i : 24);
}

/*
 * int "s" is glibc strtol on Inferno's 32-bit hosts: blanks are
 * " \t\n\v\f\r", one sign, decimal digits to the first non-digit, no 0x or
 * 16r prefix, saturation at the int range.  nil is "".  A rune >= 0x80 or
 * NUL stops the scan like any non-digit.
 */
static void
test_string_to_int(void **state)
{
	static const XecOp cw[] = {
		{"cvtcw", NULL, "\"  -123abc\"", "-123"},
		{"cvtcw", NULL, "\"+7\"", "7"},
		{"cvtcw", NULL, "\"\\t42\"", "42"},
		{"cvtcw", NULL, "\"\\v\\f\\r\\n 9\"", "9"},
		{"cvtcw", NULL, "\"+-5\"", "0"},
		{"cvtcw", NULL, "\"-+5\"", "0"},
		{"cvtcw", NULL, "\"--5\"", "0"},
		{"cvtcw", NULL, "\"- 5\"", "0"},
		{"cvtcw", NULL, "\"16rff\"", "16"},
		{"cvtcw", NULL, "\"0x1f\"", "0"},
		{"cvtcw", NULL, "\"abc\"", "0"},
		{"cvtcw", NULL, "\"\"", "0"},
		{"cvtcw", NULL, NULL, "0"},
		{"cvtcw", NULL, "\"2147483647\"", "2147483647"},
		{"cvtcw", NULL, "\"2147483648\"", "2147483647"},
		{"cvtcw", NULL, "\"99999999999\"", "2147483647"},
		{"cvtcw", NULL, "\"999999999999999999999999999999\"", "2147483647"},
		{"cvtcw", NULL, "\"-2147483648\"", "-2147483648"},
		{"cvtcw", NULL, "\"-2147483649\"", "-2147483648"},
		{"cvtcw", NULL, "\"-99999999999\"", "-2147483648"},
		{"cvtcw", NULL, "\"0000000000000000000000042\"", "42"},
		{"cvtcw", NULL, "\"1€\"", "1"},
		{"cvtcw", NULL, "\"€1\"", "0"},
		{"cvtcw", NULL, "\"\xc2\xa0" "1\"", "0"},  /* no-break space is no blank */
		{"cvtcw", NULL, "\"1\\02\"", "1"},
		{"cvtcw", NULL, "\"٣\"", "0"},             /* only ASCII digits */
		{"cvtcw", NULL, "\"-0\"", "0"},
	};

	unops("cvtcw", 'c', 'w', cw, N(cw));
}

/* big "s" is lib9/strtoll.c: int's syntax, but it wraps modulo 2^64. */
static void
test_string_to_big(void **state)
{
	static const XecOp cl[] = {
		{"cvtcl", NULL, "\"-9223372036854775808\"", "-9223372036854775808"},
		{"cvtcl", NULL, "\"9223372036854775807\"", "9223372036854775807"},
		{"cvtcl", NULL, "\"9223372036854775808\"", "-9223372036854775808"},
		{"cvtcl", NULL, "\"99999999999999999999\"", "7766279631452241919"},
		{"cvtcl", NULL, "\"-99999999999999999999\"", "-7766279631452241919"},
		{"cvtcl", NULL, "\"18446744073709551616\"", "0"},
		{"cvtcl", NULL, "\"18446744073709551617\"", "1"},
		{"cvtcl", NULL, "\" 12x\"", "12"},
		{"cvtcl", NULL, "\"\\r\\n\\v\\f\\t 5\"", "5"},
		{"cvtcl", NULL, "\"+-1\"", "0"},
		{"cvtcl", NULL, "\"0x10\"", "0"},
		{"cvtcl", NULL, "\"16r10\"", "16"},
		{"cvtcl", NULL, "\"4294967296\"", "4294967296"},
		{"cvtcl", NULL, "\"+00012\"", "12"},
		{"cvtcl", NULL, "\"7€\"", "7"},
		{"cvtcl", NULL, "\"\"", "0"},
		{"cvtcl", NULL, NULL, "0"},
	};

	unops("cvtcl", 'c', 'l', cl, N(cl));
}

/*
 * real "s" is Gay's strtod in libmath/dtoa.c: the same blanks, one sign
 * that applies to every result (-0 included), digits with one optional
 * '.', an exponent only when a digit follows e[+-], correct rounding; with
 * no digit at all only "infinity" and "nan" (any case) are words, so "inf"
 * is 0; no hex floats.
 */
static void
test_string_to_real(void **state)
{
	static const XecOp syntax[] = {
		{"cvtcf", NULL, "\"3.25\"", "3.25"},
		{"cvtcf", NULL, "\" -1e3\"", "-1000"},
		{"cvtcf", NULL, "\"1.5abc\"", "1.5"},
		{"cvtcf", NULL, "\".5\"", ".5"},
		{"cvtcf", NULL, "\"5.\"", "5"},
		{"cvtcf", NULL, "\"1.2.3\"", "1.2"},
		{"cvtcf", NULL, "\".\"", "0"},
		{"cvtcf", NULL, "\"-.\"", "-0"},
		{"cvtcf", NULL, "\"-\"", "-0"},
		{"cvtcf", NULL, "\"+\"", "0"},
		{"cvtcf", NULL, "\"-x\"", "-0"},
		{"cvtcf", NULL, "\"+-1\"", "0"},
		{"cvtcf", NULL, "\"-+1\"", "-0"},
		{"cvtcf", NULL, "\"- 1\"", "-0"},
		{"cvtcf", NULL, "\" \\t\\n\\v\\f\\r2.5\"", "2.5"},
		{"cvtcf", NULL, "\"-0\"", "-0"},
		{"cvtcf", NULL, "\"-0.000\"", "-0"},
		{"cvtcf", NULL, "\"\"", "0"},
		{"cvtcf", NULL, NULL, "0"},
		{"cvtcf", NULL, "\"x\"", "0"},
		{"cvtcf", NULL, "\"1.5€\"", "1.5"},
		{"cvtcf", NULL, "\"€1\"", "0"},
		{"cvtcf", NULL, "\"2\\03\"", "2"},
	};
	static const XecOp words[] = {
		{"cvtcf", NULL, "\"inf\"", "0"},
		{"cvtcf", NULL, "\"-inf\"", "-0"},
		{"cvtcf", NULL, "\"Inf\"", "0"},
		{"cvtcf", NULL, "\"infinit\"", "0"},
		{"cvtcf", NULL, "\"infinity\"", "Infinity"},
		{"cvtcf", NULL, "\"INFINITY\"", "Infinity"},
		{"cvtcf", NULL, "\"-Infinity\"", "-Infinity"},
		{"cvtcf", NULL, "\"infinityx\"", "Infinity"},
		{"cvtcf", NULL, "\".infinity\"", "Infinity"},
		{"cvtcf", NULL, "\"1infinity\"", "1"},
		{"cvtcf", NULL, "\"0infinity\"", "0"},
		{"cvtcf", NULL, "\"nan\"", "NaN"},
		{"cvtcf", NULL, "\"NaN\"", "NaN"},
		{"cvtcf", NULL, "\"nAn(12)\"", "NaN"},
		{"cvtcf", NULL, "\"-nan\"", "-NaN"},
		{"cvtcf", NULL, "\"na\"", "0"},
		{"cvtcf", NULL, "\"0x1p3\"", "0"},
		{"cvtcf", NULL, "\"0x10\"", "0"},
		{"cvtcf", NULL, "\"-0x10\"", "-0"},
		{"cvtcf", NULL, "\"16r10\"", "16"},
	};
	static const XecOp exponents[] = {
		{"cvtcf", NULL, "\"1e\"", "1"},
		{"cvtcf", NULL, "\"1e+\"", "1"},
		{"cvtcf", NULL, "\"1e-\"", "1"},
		{"cvtcf", NULL, "\"1ex\"", "1"},
		{"cvtcf", NULL, "\"1E2\"", "100"},
		{"cvtcf", NULL, "\"1e+2\"", "100"},
		{"cvtcf", NULL, "\"1e-2\"", ".01"},
		{"cvtcf", NULL, "\"1e0002\"", "100"},
		{"cvtcf", NULL, "\"e5\"", "0"},
		{"cvtcf", NULL, "\".e5\"", "0"},
		{"cvtcf", NULL, "\"0e5\"", "0"},
		{"cvtcf", NULL, "\"5.e1\"", "50"},
		{"cvtcf", NULL, "\".5e1\"", "5"},
		{"cvtcf", NULL, "\"1e400\"", "Infinity"},
		{"cvtcf", NULL, "\"-1e400\"", "-Infinity"},
		{"cvtcf", NULL, "\"1e-400\"", "0"},
		{"cvtcf", NULL, "\"-1e-400\"", "-0"},
		{"cvtcf", NULL, "\"1e99999999999\"", "Infinity"},
		{"cvtcf", NULL, "\"1e-99999999999\"", "0"},
		{"cvtcf", NULL, "\"0.0001e19999999\"", "Infinity"},
	};
	/* correct rounding, to nearest even, at the range's ends too */
	static const XecOp rounding[] = {
		{"cvtcf", NULL, "\"0.1\"", ".1"},
		{"cvtcf", NULL, "\"9007199254740993\"", "9007199254740992"},
		{"cvtcf", NULL, "\"9007199254740995\"", "9007199254740996"},
		{"cvtcf", NULL, "\"9007199254740993.0000000000000000000001\"", "9007199254740994"},
		{"cvtcf", NULL, "\"1.7976931348623157e308\"", "1.7976931348623157e+308"},
		{"cvtcf", NULL, "\"1.7976931348623158e308\"", "1.7976931348623157e+308"},
		{"cvtcf", NULL, "\"1.7976931348623159e308\"", "Infinity"},
		{"cvtcf", NULL, "\"2.2250738585072011e-308\"", "2.225073858507201e-308"},
		{"cvtcf", NULL, "\"2.2250738585072012e-308\"", "2.2250738585072014e-308"},
		{"cvtcf", NULL, "\"4.9406564584124654e-324\"", "5e-324"},
		{"cvtcf", NULL, "\"2.4703282292062327e-324\"", "0"},
		{"cvtcf", NULL, "\"2.4703282292062328e-324\"", "5e-324"},
		{"cvtcf", NULL, "\"1e-320\"", "1e-320"},
		{"cvtcf", NULL, "\"123456789012345678901234567890\"", "1.2345678901234568e+29"},
		{"cvtcf", NULL, "\"0.000000000000000000000000000001\"", "1e-30"},
	};

	unops("cvtcf", 'c', 'f', syntax, N(syntax));
	unops("cvtcf", 'c', 'f', words, N(words));
	unops("cvtcf", 'c', 'f', exponents, N(exponents));
	unops("cvtcf", 'c', 'f', rounding, N(rounding));
}

/*
 * Digit strings longer than the 800 digits the conversion keeps: the
 * dropped tail still decides halfway cases, and dtoa.c caps an exponent
 * at 19999 before adding the fraction's length.
 */
static void
test_string_to_real_long(void **state)
{
	enum { Z = 20010 };
	static char ones[1100], half[1100], tie[1100], frac[1100], capped[Z + 32];
	const char *want[5] = {"1", "9007199254740994", "9007199254740992", "1", "1e-12"};
	int n;

	/* 1 and 1000 zeros, then e-1000 */
	n = snprintf(ones, sizeof ones, "1");
	memset(ones + n, '0', 1000);
	strcpy(ones + n + 1000, "e-1000");
	/* 2^53 + 1 = ...993, 900 zeros, then a 1: just past halfway */
	n = snprintf(half, sizeof half, "9007199254740993.");
	memset(half + n, '0', 900);
	strcpy(half + n + 900, "1");
	/* the same without the 1: exactly halfway, to even */
	n = snprintf(tie, sizeof tie, "9007199254740993.");
	memset(tie + n, '0', 901);
	tie[n + 901] = '\0';
	/* .000…1e1001 */
	n = snprintf(frac, sizeof frac, "0.");
	memset(frac + n, '0', 1000);
	strcpy(frac + n + 1000, "1e1001");
	/* 20010 fraction zeros then 1e20010: the cap makes it 1e-12, not .1 */
	n = snprintf(capped, sizeof capped, "0.");
	memset(capped + n, '0', Z);
	snprintf(capped + n + Z, sizeof capped - n - Z, "1e%d", Z);

	/* xec_printf takes short lines only: build the program by hand */
	const char *src[5] = {ones, half, tie, frac, capped};
	char body[1024] = "", out[256] = "";
	size_t dn = 0, dmax = 5 * (Z + 64);
	char *data = malloc(dmax);

	assert_non_null(data);
	for (int i = 0; i < 5; i++) {
		dn += (size_t)snprintf(data + dn, dmax - dn, "\tstring\t@mp+%d,\"%s\"\n", 28 + 4 * i, src[i]);
		snprintf(body + strlen(body), sizeof body - strlen(body), "\tcvtcf\t%d(mp),104(fp)\n%s", 28 + 4 * i,
		         PF("104(fp)"));
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s\n", want[i]);
	}
	XEC(.body = body, .data = data, .out = out);
	free(data);
}

TEST_MAIN("dis instructions: conversions",
          cmocka_unit_test(test_int_conversions),
          cmocka_unit_test(test_real_conversions),
          cmocka_unit_test(test_short_conversions),
          cmocka_unit_test(test_to_string),
          cmocka_unit_test(test_string_to_int),
          cmocka_unit_test(test_string_to_big),
          cmocka_unit_test(test_string_to_real),
          cmocka_unit_test(test_string_to_real_long))
