/*
 * Fixed-point instructions (Inferno libinterp/xec.c mulx..cvtxf): the
 * products and quotients are formed in 64 bits and scaled by a shift p
 * (p >= 0: left, p < 0: arithmetic right) held in the frame temporary
 * Dtmp (fp+28) for mulx, divx and their 0 and 1 forms, and in the middle
 * operand for cvtxx*. The *0 and *1 forms then divide by the scale factor
 * in Stmp (fp+20); the *1 forms also take two rounding flags in the low
 * bits of p (bit 1: add a-1 / 1 away from zero, bit 0: bias by
 * (1 << -p) - 1 before the shift) and shift by p >> 2. Every expected
 * value below is worked out by hand from those definitions.
 */
#include "tests/vm/xec.h"

/* One row: `op s, m, 104(fp)` with m and s words (reals where the op
 * takes them), Dtmp = p and Stmp = a set first. */
typedef struct FixRow {
	const char *op;
	const char *m, *s;
	int p, a;
	const char *want;
} FixRow;

/* Operand kinds of an op: m, s and the result ('w' word, 'f' real). */
static void
kinds(const char *op, int *mk, int *sk, int *dk)
{
	*mk = *sk = *dk = 'w';
	if (strcmp(op, "cvtfx") == 0)
		*mk = *sk = 'f';
	if (strcmp(op, "cvtxf") == 0)
		*mk = *dk = 'f';
}

static void
fix_rows(const char *name, const FixRow *rows, int n)
{
	XecBuf body = {calloc(1, 1), 0}, data = {calloc(1, 1), 0}, out = {calloc(1, 1), 0};

	assert_true(n <= 56);
	for (int i = 0; i < n; i++) {
		int mo = 128 + 16 * i, so = mo + 8, mk, sk, dk;
		kinds(rows[i].op, &mk, &sk, &dk);
		xec_printf(&data, "\t%s\t@mp+%d,%s\n", xec_directive(mk), mo, rows[i].m);
		xec_printf(&data, "\t%s\t@mp+%d,%s\n", xec_directive(sk), so, rows[i].s);
		xec_printf(&body, "\tmovw\t$%d,28(fp)\n\tmovw\t$%d,20(fp)\n\t%s\t%d(mp),%d(mp),104(fp)\n%s",
		           rows[i].p, rows[i].a, rows[i].op, so, mo, xec_printer(dk));
		xec_printf(&out, "%s\n", rows[i].want);
	}
	xec_check(name, &(XecCase){.body = body.p, .data = data.p, .out = out.p});
	free(body.p);
	free(data.p);
	free(out.p);
}

#define FIX(rows) fix_rows(__func__, rows, (int)(sizeof rows / sizeof rows[0]))

/* mulx: (m*s) scaled by Dtmp; divx: (m scaled by Dtmp) / s; cvtxx: s
 * scaled by m. The 64-bit intermediate keeps 2^32 before the shift
 * back; the result is its low 32 bits. */
static void
test_plain(void **state)
{
	static const FixRow rows[] = {
		{"mulx", "3", "5", 2, 0, "60"},                  /* 15 << 2 */
		{"mulx", "-7", "3", -1, 0, "-11"},               /* -21 >> 1, arithmetic */
		{"mulx", "65536", "65536", -16, 0, "65536"},     /* 2^32 >> 16 */
		{"mulx", "1073741824", "4", 0, 0, "0"},          /* 2^32, low word */
		{"mulx", "-1", "1", 64, 0, "-1"},                /* count mod 64: no shift */
		{"divx", "7", "2", 4, 0, "56"},                  /* 112 / 2 */
		{"divx", "-7", "2", 0, 0, "-3"},                 /* truncates */
		{"divx", "1", "3", 16, 0, "21845"},              /* 65536 / 3 */
		{"divx", "-100", "7", -2, 0, "-3"},              /* -25 / 7 */
		{"divx", "65536", "1", 16, 0, "0"},              /* 2^32, low word */
		{"divx", "-2147483648", "-1", 0, 0, "-2147483648"},
		{"cvtxx", "4", "3", 0, 0, "48"},                 /* 3 << 4 */
		{"cvtxx", "-4", "-48", 0, 0, "-3"},              /* -48 >> 4 */
		{"cvtxx", "-40", "-1", 0, 0, "-1"},
		{"cvtxx", "-1", "5", 0, 0, "2"},
	};

	FIX(rows);
}

/* The *0 forms divide by the scale Stmp: mulx0 (m*s scaled) / a, divx0
 * (a*m scaled) / s, cvtxx0 (s scaled by m) / a. A zero operand gives 0
 * before any division. */
static void
test_form0(void **state)
{
	static const FixRow rows[] = {
		{"mulx0", "6", "7", 0, 4, "10"},                 /* 42 / 4 */
		{"mulx0", "-6", "7", 1, 5, "-16"},               /* -84 / 5 */
		{"mulx0", "0", "5", 0, 0, "0"},                  /* no division */
		{"mulx0", "100000", "100000", -3, 1000, "1250000"}, /* 10^10 >> 3 = 1250000000 */
		{"divx0", "10", "4", 0, 3, "7"},                 /* 30 / 4 */
		{"divx0", "-10", "4", 2, 3, "-30"},              /* -120 / 4 */
		{"divx0", "0", "0", 0, 3, "0"},                  /* x == 0: no division */
		{"divx0", "7", "-2", -1, 1, "-1"},               /* (7 >> 1) / -2 */
		{"cvtxx0", "3", "100", 0, 10, "80"},             /* 800 / 10 */
		{"cvtxx0", "-2", "-100", 0, 3, "-8"},            /* -25 / 3 */
		{"cvtxx0", "0", "0", 0, 0, "0"},
	};

	FIX(rows);
}

/* The *1 forms. Dtmp (mulx1, divx1) or m (cvtxx1) is p<<2 | flags:
 * 2 = (0<<2)|2, -7 = (-2<<2)|1, -5 = (-2<<2)|3. */
static void
test_form1(void **state)
{
	static const FixRow rows[] = {
		/* mulx1: r = ((x*y + w) scaled by p) + v, then / a */
		{"mulx1", "7", "3", 0, 2, "10"},                 /* 21 / 2 */
		{"mulx1", "7", "3", 2, 2, "11"},                 /* v = a-1 = 1: 22 / 2 */
		{"mulx1", "-7", "3", 2, 2, "-11"},               /* v = -1: -22 / 2 */
		{"mulx1", "7", "-3", -7, 1, "-5"},               /* w = 3: (-21+3) >> 2 = -5 */
		{"mulx1", "7", "3", -7, 1, "5"},                 /* same signs: no w; 21 >> 2 */
		{"mulx1", "7", "3", -5, 3, "2"},                 /* w = 3, v = 2: (24>>2)+2 = 8; / 3 */
		{"mulx1", "-7", "3", -5, 3, "-2"},               /* no w, v = -2: -6-2 = -8; / 3 */
		{"mulx1", "0", "3", 2, 0, "0"},
		/* divx1: s = (b*x + w) scaled by p, then s / y + v */
		{"divx1", "7", "2", 0, 1, "3"},
		{"divx1", "7", "2", 2, 1, "4"},                  /* v = 1 */
		{"divx1", "-7", "2", 2, 1, "-4"},                /* v = -1 */
		{"divx1", "-7", "2", -7, 3, "-2"},               /* x <= 0: w = 3; -18 >> 2 = -5; / 2 */
		{"divx1", "7", "2", -7, 3, "2"},                 /* 21 >> 2 = 5; / 2 */
		{"divx1", "0", "0", 2, 1, "0"},                  /* x == 0: no division */
		/* cvtxx1: r = ((x + w) scaled by p) + v, then / a */
		{"cvtxx1", "0", "10", 0, 3, "3"},
		{"cvtxx1", "2", "10", 0, 3, "4"},                /* v = 2: 12 / 3 */
		{"cvtxx1", "2", "-10", 0, 3, "-4"},              /* v = -2 */
		{"cvtxx1", "-7", "-10", 0, 1, "-2"},             /* w = 3: -7 >> 2 */
		{"cvtxx1", "-7", "10", 0, 1, "2"},               /* 10 >> 2 */
		{"cvtxx1", "-5", "10", 0, 3, "1"},               /* w = 3, v = 2: (13>>2)+2 = 5; / 3 */
		{"cvtxx1", "2", "0", 0, 0, "0"},
	};

	FIX(rows);
}

/* cvtfx: s*m rounded half away from zero; cvtxf: s*m as a real. */
static void
test_real(void **state)
{
	static const FixRow rows[] = {
		{"cvtfx", "4.0", "2.5", 0, 0, "10"},
		{"cvtfx", "2.0", "1.25", 0, 0, "3"},             /* 2.5 */
		{"cvtfx", "2.0", "-1.25", 0, 0, "-3"},           /* -2.5 */
		{"cvtfx", "1000.0", "0.1", 0, 0, "100"},
		{"cvtfx", "0.5", "-0.5", 0, 0, "0"},             /* -.25 */
		{"cvtxf", "0.5", "3", 0, 0, "1.5"},
		{"cvtxf", "0.25", "-3", 0, 0, "-.75"},
		{"cvtxf", "1.0", "2147483647", 0, 0, "2147483647"},
	};

	FIX(rows);
}

/* A zero scale or divisor raises "zero divide" (uncaught here: the report
 * names the instruction). */
static void
test_zero_divide(void **state)
{
	static const struct {
		const char *op;
		int p, a, m, s;
	} z[] = {
		{"divx", 0, 0, 1, 0},
		{"mulx0", 0, 0, 3, 5},
		{"divx0", 0, 3, 1, 0},
		{"cvtxx0", 0, 0, 0, 5},
		{"mulx1", 0, 0, 1, 1},
		{"divx1", 2, 1, 1, 0},
		{"cvtxx1", 0, 0, 0, 1},
	};

	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++) {
		char body[512], data[128];
		snprintf(body, sizeof body,
		         "\tmovw $%d,28(fp)\n\tmovw $%d,20(fp)\n" PW("$1")
		         "bad:\t%s 136(mp),128(mp),104(fp)\n" PW("$2"),
		         z[i].p, z[i].a, z[i].op);
		snprintf(data, sizeof data, "\tword @mp+128,%d\n\tword @mp+136,%d\n", z[i].m, z[i].s);
		XEC(.body = body, .data = data, .out = "1\n", .exc = "zero divide", .at = "bad");
	}
}

TEST_MAIN("dis instructions: fixed point",
          cmocka_unit_test(test_plain),
          cmocka_unit_test(test_form0),
          cmocka_unit_test(test_form1),
          cmocka_unit_test(test_real),
          cmocka_unit_test(test_zero_divide))
