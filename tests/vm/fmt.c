/* vm_fmt and vm_fmt_real: Inferno's print formatting, checked against the
 * strings Inferno prints (shared/dis-facts.md, lib9 fmt, libmath g_fmt). */
#include "tests/test.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "vm/fmt.h"

/* One Limbo vararg: 'i' int, 'b' big, 'r' real, 's' string ('n' nil). */
typedef struct Arg {
	char kind;
	int64_t i;
	double r;
	const char *s;
	size_t slen; /* for strings with a NUL inside; 0: strlen */
} Arg;

#define I(v) ((Arg){'i', (v), 0, NULL, 0})
#define B(v) ((Arg){'b', (v), 0, NULL, 0})
#define R(v) ((Arg){'r', 0, (v), NULL, 0})
#define S(v) ((Arg){'s', 0, 0, (v), 0})
#define SN(v, n) ((Arg){'s', 0, 0, (v), (n)})
#define NIL ((Arg){'n', 0, 0, NULL, 0})

enum { STR_BASE = 0x1000, STR_STEP = 0x10, MAXSTR = 16 };

/* The strings of the current call, reached through fake pointer words. */
static const Arg *strs[MAXSTR];
static int nstrs;

static int
getstr(void *ctx, size_t at, uint32_t ptr, const char **s, size_t *len, char **tofree)
{
	(void)at;
	uint32_t k = (ptr - STR_BASE) / STR_STEP;
	const Arg *a;
	char *copy;

	assert_int_not_equal(ptr, 0); /* vm_fmt handles H itself */
	if (ptr < STR_BASE || (ptr - STR_BASE) % STR_STEP != 0 || k >= (uint32_t)nstrs)
		return -1;
	a = strs[k];
	*len = a->slen != 0 ? a->slen : strlen(a->s);
	copy = malloc(*len + 1); /* handed back through tofree: vm_fmt frees it */
	assert_non_null(copy);
	memcpy(copy, a->s, *len);
	*s = copy;
	*tofree = copy;
	return 0;
}

/* Lays the args out as Limbo does in a frame whose varargs begin at
 * args_off, formats, and returns the output (caller frees). */
static char *
run_at(size_t args_off, const char *lasterr, const char *fmt, const Arg *args, size_t nargs)
{
	uint8_t frame[512];
	size_t off = args_off, k;
	VmFmtBuf out = {0};
	AcErr err;
	char *s;

	memset(frame, 0xAA, sizeof frame);
	nstrs = 0;
	for (k = 0; k < nargs; k++) {
		const Arg *a = &args[k];
		int32_t w;
		uint32_t p;

		switch (a->kind) {
		case 'i':
			w = (int32_t)a->i;
			memcpy(frame + off, &w, 4);
			off += 4;
			break;
		case 'b':
			off = (off + 7) & ~(size_t)7;
			memcpy(frame + off, &a->i, 8);
			off += 8;
			break;
		case 'r':
			off = (off + 7) & ~(size_t)7;
			memcpy(frame + off, &a->r, 8);
			off += 8;
			break;
		case 's':
			assert_true(nstrs < MAXSTR);
			strs[nstrs] = a;
			p = STR_BASE + STR_STEP * (uint32_t)nstrs++;
			memcpy(frame + off, &p, 4);
			off += 4;
			break;
		default:
			p = 0;
			memcpy(frame + off, &p, 4);
			off += 4;
		}
	}
	assert_int_equal(vm_fmt(&out, fmt, strlen(fmt), frame + args_off, off - args_off, args_off,
	                        getstr, NULL, lasterr, &err),
	                 AC_OK);
	s = out.p != NULL ? out.p : strdup("");
	assert_int_equal(strlen(s), out.len);
	return s;
}

/* print(fmt, ...): varargs start at frame offset 36. */
#define CHECK(want, fmt, ...)                                                              \
	do {                                                                               \
		const Arg args_[] = {__VA_ARGS__};                                         \
		char *got_ = run_at(36, NULL, fmt, args_, sizeof args_ / sizeof args_[0]); \
		assert_string_equal(got_, want);                                           \
		free(got_);                                                                \
	} while (0)

#define CHECK0(want, fmt) CHECK(want, fmt, NIL) /* one unused nil */

static void
test_text(void **state)
{
	CHECK0("hello, world\n", "hello, world\n");
	CHECK0("100%", "100%%");
	CHECK0("abc", "abc%");      /* cut short: prints nothing */
	CHECK0("abc", "abc%-08.3"); /* likewise */
	CHECK0("h\xc3\xa9llo \xe2\x98\xba", "h\xc3\xa9llo \xe2\x98\xba");
	CHECK("h\xc3\xa9 1 \xc3\xa9", "h\xc3\xa9 %d \xc3\xa9", I(1));
	/* Anything that is not a verb extends the conversion: "% d" is the
	 * space flag, as in Inferno. */
	CHECK("50 7one", "50% done", I(7));
	/* %r takes no argument. */
	{
		const Arg a[] = {I(3)};
		char *s = run_at(36, "file does not exist", "open: %r (%d)", a, 1);

		assert_string_equal(s, "open: file does not exist (3)");
		free(s);
		s = run_at(36, NULL, "[%r]", a, 1);
		assert_string_equal(s, "[]");
		free(s);
	}
}

static void
test_int(void **state)
{
	CHECK("0 -5 2147483647 -2147483648", "%d %d %d %d", I(0), I(-5), I(2147483647),
	      I(-2147483647 - 1));
	CHECK("[   42][42   ][00042][+42][ 42][-42]", "[%5d][%-5d][%05d][%+d][% d][%+d]", I(42),
	      I(42), I(42), I(42), I(42), I(-42));
	CHECK("[042][00007][  007][-0042]", "[%.3d][%05.3d][%5.3d][%05d]", I(42), I(7), I(7),
	      I(-42));
	CHECK("1,234,567 -1,000", "%,d %,d", I(1234567), I(-1000));
	CHECK("4294967295", "%ud", I(-1));
	CHECK("[    42][42  ]", "[%*d][%*d]", I(6), I(42), I(-4), I(42));
	CHECK("[  0042]", "[%*.*d]", I(6), I(4), I(42));
	CHECK("5 1 -1 255", "%ld %hd %hhd %uhhd", I(5), I(65537), I(255), I(255));
}

static void
test_hex(void **state)
{
	CHECK("ff FF -1 ffffffff 7fffffff", "%x %X %x %ux %x", I(255), I(255), I(-1), I(-1),
	      I(0x7fffffff));
	CHECK("0xff 0XFF 0x0", "%#x %#X %#x", I(255), I(255), I(0));
	CHECK("10 010 0 0", "%o %#o %#o %o", I(8), I(8), I(0), I(0));
	CHECK("0000beef 0x0000ff", "%08x %#08x", I(0xbeef), I(255));
	CHECK("-80000000 80000000", "%x %ux", I(-2147483647 - 1), I(-2147483647 - 1));
}

static void
test_big(void **state)
{
	CHECK("1099511627776", "%bd", B(1099511627776LL));
	CHECK("-9223372036854775808 9223372036854775807", "%bd %bd", B(INT64_MIN), B(INT64_MAX));
	CHECK("-6e8875127811a14f", "%bx", B(-0x6e8875127811a14fLL));
	CHECK("ffffffffffffffff 18446744073709551615", "%bux %bud", B(-1), B(-1));
	/* An int at 36, then a big aligned to 40. */
	CHECK("1 2 3", "%d %bd %d", I(1), B(2), I(3));
	CHECK("[   -00000000012]", "[%15.11bd]", B(-12));
	CHECK("0X1F", "%#bX", B(31));
}

static void
test_char(void **state)
{
	CHECK("A \xe2\x98\xba \xef\xbf\xbd \xef\xbf\xbd", "%c %c %c %c", I('A'), I(0x263A),
	      I(0x110000), I(-1));
	CHECK("[  A][A  ][]", "[%3c][%-3c][%.0c]", I('A'), I('A'), I('A'));
	CHECK("\xf0\x9f\x98\x80", "%c", I(0x1F600));
}

static void
test_string(void **state)
{
	CHECK("abc||x", "%s|%s|%s", S("abc"), NIL, S("x"));
	CHECK("[  abc][abc  ][ab][abc]", "[%5s][%-5s][%.2s][%.5s]", S("abc"), S("abc"), S("abc"),
	      S("abc"));
	/* Precision and width count runes. */
	CHECK("[h\xc3\xa9][   h\xc3\xa9]", "[%.2s][%5s]", S("h\xc3\xa9llo"), S("h\xc3\xa9"));
	/* Inferno's C strings end at a NUL. */
	CHECK("[a]", "[%s]", SN("a\0b", 3));
	CHECK("[     ]", "[%5s]", NIL);
}

static void
test_quote(void **state)
{
	CHECK("abc '' '' 'a b' 'it''s' 'tab\t'", "%q %q %q %q %q %q", S("abc"), S(""), NIL,
	      S("a b"), S("it's"), S("tab\t"));
	CHECK("'abc' h\xc3\xa9", "%#q %q", S("abc"), S("h\xc3\xa9"));
	CHECK("[ 'a b'][dir   ]['a b' ]", "[%6q][%-6q][%-6q]", S("a b"), S("dir"), S("a b"));
	CHECK("[ab]['a ']", "[%.2q][%.2q]", S("abc"), S("a bc"));
}

static void
test_real_plain(void **state)
{
	/* dis-facts.md: plain %g is g_fmt, shortest digits, no leading zero. */
	CHECK(".1 -.5 .3333333333333333", "%g %g %g", R(0.1), R(-0.5), R(1.0 / 3));
	CHECK("1e+06 1e-05 6.02214076e+23", "%g %g %g", R(1e6), R(1e-5), R(6.02214076e23));
	CHECK("100000 123456789 1152921504606847000", "%g %g %g", R(100000), R(123456789),
	      R(1152921504606846976.0));
	CHECK("0 -0 1.5 .001 .0001 1e+21 100.25", "%g %g %g %g %g %g %g", R(0), R(-0.0), R(1.5),
	      R(0.001), R(0.0001), R(1e21), R(100.25));
	CHECK("5e-324 1.7976931348623157e+308 2.2250738585072014e-308", "%g %g %g",
	      R(4.9406564584124654e-324), R(DBL_MAX), R(DBL_MIN));
	CHECK("Infinity -Infinity NaN", "%g %g %g", R(INFINITY), R(-INFINITY), R(NAN));
	CHECK("1E+06 1e+100 1.2345e-100", "%G %g %g", R(1e6), R(1e100), R(1.2345e-100));
	CHECK("1234567 12345678 123456789012 1.23456789012e+17", "%g %g %g %g", R(1234567),
	      R(12345678), R(123456789012.0), R(123456789012e6));
	/* Flags other than '-' and width do not reach g_fmt. */
	CHECK("1 1 1", "%+g % g %#g", R(1), R(1), R(1));
	/* A real after the fmt string at 32: the int at 36, the real at 40. */
	CHECK("7 .25", "%d %g", I(7), R(0.25));
	CHECK(".25 7 .5", "%g %d %g", R(0.25), I(7), R(0.5));
}

static void
test_real_width_prec(void **state)
{
	/* With a width, %g is C-like with precision 6, padded with spaces. */
	CHECK("[     0.1][     1e+06][1.5     ][     1.5][1.23457e+06]",
	      "[%8g][%10g][%-8g][%08g][%5g]", R(0.1), R(1e6), R(1.5), R(1.5), R(1234567));
	CHECK("0.333 1.23e+06 0.1 1.00 0.0001 1e-05", "%.3g %.3g %.10g %#.3g %.2g %.2g",
	      R(1.0 / 3), R(1234567), R(0.1), R(1), R(0.0001), R(0.00001));
	/* %.0g: shortest digits, then %g's choice of form. */
	CHECK("0.1 1e+05 1000 123456 1e+06", "%.0g %.0g %.0g %.0g %.0g", R(0.1), R(100000), R(1000),
	      R(123456), R(1e6));
	CHECK("-2.5E-07 +3.5", "%.3G %+.3g", R(-2.5e-7), R(3.5));
	CHECK("Infinity +Infinity", "%.3g %+5g", R(INFINITY), R(INFINITY));
}

static void
test_real_fe(void **state)
{
	CHECK("3.141590 3.14 2.67 2 4 -0", "%f %.2f %.2f %.0f %.0f %.0f", R(3.14159), R(3.14159),
	      R(2.675), R(2.5), R(3.5), R(-0.4));
	CHECK("[  -1.500][1.50    ][+2.0][ 2.0][2.][    1.50]", "[%8.3f][%-8.2f][%+.1f][% .1f][%#.0f][%08.2f]",
	      R(-1.5), R(1.5), R(2), R(2), R(2), R(1.5));
	CHECK("100000000000000000000.000000", "%f", R(1e20));
	CHECK("0.10000000000000000555", "%.30f", R(0.1)); /* precision at most 20 */
	CHECK("Infinity -Infinity NaN", "%f %.2f %e", R(INFINITY), R(-INFINITY), R(NAN));
	CHECK("1.234568e+04 0.00e+00 1.000000E-10 5e+00 5.e+00", "%e %.2e %E %.0e %#.0e",
	      R(12345.678), R(0), R(1e-10), R(5), R(5));
	CHECK("1.000000e+100 [   1.234e+03] -1.0e-05", "%e [%12.3e] %.1e", R(1e100), R(1234),
	      R(-1e-5));
	CHECK("0.333", "%.3f", R(1.0 / 3));
}

static void
test_args_exhausted(void **state)
{
	/* Missing arguments read as zero / nil, never past args_len. */
	VmFmtBuf out = {0};
	const char *fmt = "%d %s %g %bd %q %c|";
	uint8_t frame[40];
	int32_t one = 1;

	assert_int_equal(vm_fmt(&out, fmt, strlen(fmt), NULL, 0, 36, getstr, NULL, NULL, NULL), AC_OK);
	assert_int_equal(out.len, 12); /* %c of 0 is a NUL byte */
	assert_memory_equal(out.p, "0  0 0 '' \0|", 12);
	free(out.p);

	memset(&out, 0, sizeof out);
	memcpy(frame + 36, &one, 4);
	assert_int_equal(vm_fmt(&out, "%d %d %g", 8, frame + 36, 4, 36, getstr, NULL, NULL, NULL),
	                 AC_OK);
	assert_string_equal(out.p, "1 0 0");
	free(out.p);
}

static void
test_odd_verbs(void **state)
{
	CHECK("%z%d", "%zd", I(5));         /* lib9 _badfmt, then the rest */
	CHECK("  %z%d|", "%5zd|", I(5));
	CHECK("%d", "%y%d", NIL);           /* "%y%" is a percent sign */
	CHECK("[]", "[%H]", I(5));          /* debugging verb: consumes a word */
	CHECK("1 %\xc3\xa9%d 2", "%d %\xc3\xa9" "d %d", I(1), I(99), I(2));
}

static void
test_errors_and_append(void **state)
{
	VmFmtBuf out = {0};
	uint8_t frame[48];
	uint32_t bad = 0xdead;
	AcErr err;

	memcpy(frame + 36, &bad, 4);
	assert_int_equal(vm_fmt(&out, "x=%s", 4, frame + 36, 4, 36, getstr, NULL, NULL, &err),
	                 AC_ERANGE);
	assert_int_equal(err.code, AC_ERANGE);
	assert_string_equal(err.msg, "print: bad string pointer 0xdead at frame offset 36");
	free(out.p);

	/* Output appends to what is there. */
	memset(&out, 0, sizeof out);
	assert_int_equal(vm_fmt(&out, "ab", 2, NULL, 0, 36, getstr, NULL, NULL, NULL), AC_OK);
	assert_int_equal(vm_fmt(&out, "cd", 2, NULL, 0, 36, getstr, NULL, NULL, NULL), AC_OK);
	assert_string_equal(out.p, "abcd");
	free(out.p);

	/* Long output grows the buffer. */
	{
		const Arg a[] = {I(5000), S("x")};
		char *s = run_at(36, NULL, "%*s", a, 2);

		assert_int_equal(strlen(s), 5000);
		assert_int_equal(s[4999], 'x');
		assert_int_equal(s[0], ' ');
		free(s);
	}
}

static void
test_fprint_offset(void **state)
{
	/* fprint(fd, fmt, ...): varargs at 40, so a real needs no padding. */
	const Arg a[] = {R(0.5), I(3)};
	char *s = run_at(40, NULL, "%g %d", a, 2);

	assert_string_equal(s, ".5 3");
	free(s);
}

static void
test_fmt_real(void **state)
{
	static const struct {
		double r;
		const char *want;
	} cases[] = {
		{0.1, ".1"}, {-0.5, "-.5"}, {1.0 / 3, ".3333333333333333"}, {1e6, "1e+06"},
		{1e-5, "1e-05"}, {6.02214076e23, "6.02214076e+23"}, {100000, "100000"},
		{123456789, "123456789"}, {1152921504606846976.0, "1152921504606847000"},
		{0, "0"}, {-0.0, "-0"}, {1, "1"}, {-2.5, "-2.5"}, {3.14159, "3.14159"},
		{0.3, ".3"}, {0.1 + 0.2, ".30000000000000004"}, {1e22, "1e+22"},
		{9007199254740993.0, "9007199254740992"}, {2.0 / 3, ".6666666666666666"},
		{1e23, "1e+23"}, {5e-324, "5e-324"}, {-INFINITY, "-Infinity"},
		/* powers of two */
		{9007199254740992.0, "9007199254740992"}, {1.4411518807585587e17, "144115188075855870"},
	};
	char buf[32];

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		vm_fmt_real(buf, sizeof buf, cases[k].r);
		assert_string_equal(buf, cases[k].want);
	}
	vm_fmt_real(buf, 4, 123456.0);
	assert_string_equal(buf, "123");
}

/* Every shortest string reads back exactly and no shorter one does. */
static void
test_fmt_real_roundtrip(void **state)
{
	uint64_t x = 88172645463325252ull;
	char buf[32];

	for (int k = 0; k < 20000; k++) {
		double r;
		uint64_t bits;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bits = x;
		memcpy(&r, &bits, 8);
		if (isnan(r) || isinf(r))
			continue;
		vm_fmt_real(buf, sizeof buf, r);
		if (strtod(buf, NULL) != r) {
			print_error("%s does not read back as %.17g\n", buf, r);
			fail();
		}
	}
}

TEST_MAIN("vm/fmt",
          cmocka_unit_test(test_text),
          cmocka_unit_test(test_int),
          cmocka_unit_test(test_hex),
          cmocka_unit_test(test_big),
          cmocka_unit_test(test_char),
          cmocka_unit_test(test_string),
          cmocka_unit_test(test_quote),
          cmocka_unit_test(test_real_plain),
          cmocka_unit_test(test_real_width_prec),
          cmocka_unit_test(test_real_fe),
          cmocka_unit_test(test_args_exhausted),
          cmocka_unit_test(test_odd_verbs),
          cmocka_unit_test(test_errors_and_append),
          cmocka_unit_test(test_fprint_offset),
          cmocka_unit_test(test_fmt_real),
          cmocka_unit_test(test_fmt_real_roundtrip))
