/*
 * Inferno's print formatting, in two steps as Inferno does it:
 *
 *  1. Walk the Limbo format string. Plain text is copied; at '%' the
 *     conversion is collected up to a verb (libinterp/runt.c xprint: any
 *     other character, including unknown letters, extends it), with '*'
 *     replaced by the decimal value of the next int argument and 'b'
 *     turned into "ll" (big). The verb decides which argument is fetched
 *     from the frame and how it is aligned.
 *  2. Format that one argument as lib9's fmt would: flags, width,
 *     precision, then the verb (integers as lib9 _ifmt, strings as
 *     fmtstrcpy and fmtquote, reals as libmath gfltconv and g_fmt).
 *
 * Reals need correctly rounded decimal digits (Gay's dtoa in Inferno).
 * C's printf already rounds correctly, so digits come from "%.*e" and
 * "%.*f"; the shortest round-trip digits (dtoa mode 0) are found by trying
 * 1..17 significant digits.
 */
#include "vm/fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conversion flags, as lib9 fmt keeps them. */
enum {
	FL_WIDTH = 1 << 0,
	FL_PREC = 1 << 1,
	FL_LEFT = 1 << 2,
	FL_ZERO = 1 << 3,
	FL_SIGN = 1 << 4,
	FL_SPACE = 1 << 5,
	FL_SHARP = 1 << 6,
	FL_COMMA = 1 << 7,
	FL_UNSIGNED = 1 << 8,
	FL_LONG = 1 << 9,
	FL_VLONG = 1 << 10,
	FL_SHORT = 1 << 11,
	FL_BYTE = 1 << 12,
};

enum {
	SPEC_MAX = 64,   /* bytes of one conversion kept (Inferno: 32, unchecked) */
	FLT_MAXPREC = 20, /* gfltconv FDIGIT: precision of %e %f %g is clamped */
	FLT_DEFPREC = 6,  /* gfltconv FDEFLT */
	INT_BUF = 70,     /* _ifmt's buffer: bounds zero padding to 66 characters */
};

typedef struct Spec {
	unsigned flags;
	int width; /* in runes; 0 when not given */
	int prec;  /* 0 when not given */
} Spec;

/* Output with a sticky out-of-memory flag. */
typedef struct Out {
	VmFmtBuf *b;
	int oom;
} Out;

static int
grow(Out *o, size_t n)
{
	VmFmtBuf *b = o->b;
	size_t cap;
	char *p;

	if (o->oom)
		return -1;
	if (b->len + n < b->cap)
		return 0;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap <= b->len + n) {
		if (cap > SIZE_MAX / 2) {
			o->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (p == NULL) {
		o->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void
put(Out *o, const char *s, size_t n)
{
	if (n == 0 || grow(o, n) < 0)
		return;
	memcpy(o->b->p + o->b->len, s, n);
	o->b->len += n;
	o->b->p[o->b->len] = '\0';
}

static void
putch(Out *o, char c)
{
	put(o, &c, 1);
}

static void
pad(Out *o, long n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < (long)(sizeof spaces - 1) ? (size_t)n : sizeof spaces - 1;
		put(o, spaces, k);
		n -= (long)k;
	}
}

/* Encodes rune r as UTF-8; out of range or surrogate becomes U+FFFD. */
static size_t
rune_utf8(char *s, uint32_t r)
{
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		s[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		s[0] = (char)(0xC0 | r >> 6);
		s[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		s[0] = (char)(0xE0 | r >> 12);
		s[1] = (char)(0x80 | (r >> 6 & 0x3F));
		s[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	s[0] = (char)(0xF0 | r >> 18);
	s[1] = (char)(0x80 | (r >> 12 & 0x3F));
	s[2] = (char)(0x80 | (r >> 6 & 0x3F));
	s[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

/* Runes in n bytes of UTF-8 (counting every byte that does not continue a
 * sequence). */
static size_t
utf8_nrunes(const char *s, size_t n)
{
	size_t i, nr = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			nr++;
	return nr;
}

/* Bytes taken by the first nr runes of s[0..n). */
static size_t
utf8_prefix(const char *s, size_t n, size_t nr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (nr == 0)
				break;
			nr--;
		}
	return i;
}

/* Writes s (n bytes) truncated to the precision, if one is set, and padded
 * with spaces to the width, both counted in runes (lib9 _fmtcpy). */
static void
put_field(Out *o, const Spec *sp, const char *s, size_t n)
{
	size_t nr = utf8_nrunes(s, n);
	long padn;

	if ((sp->flags & FL_PREC) && nr > (size_t)sp->prec) {
		n = utf8_prefix(s, n, (size_t)sp->prec);
		nr = (size_t)sp->prec;
	}
	padn = (long)sp->width - (long)nr;
	if (!(sp->flags & FL_LEFT))
		pad(o, padn);
	put(o, s, n);
	if (sp->flags & FL_LEFT)
		pad(o, padn);
}

/*
 * Step 2: parse a conversion (the characters between '%' and the verb,
 * with the verb last) as lib9 _fmtdispatch does. Returns the index of the
 * first character that is not a flag, width or precision: n-1 (the verb)
 * normally.
 */
static size_t
parse_spec(const char *s, size_t n, Spec *sp)
{
	size_t i = 0;

	sp->flags = 0;
	sp->width = sp->prec = 0;
	while (i < n) {
		char c = s[i];

		switch (c) {
		case '.':
			sp->flags |= FL_WIDTH | FL_PREC;
			i++;
			continue;
		case '0':
			if (!(sp->flags & FL_WIDTH)) {
				sp->flags |= FL_ZERO;
				i++;
				continue;
			}
			/* fall through */
		case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9': {
			long v = 0;

			while (i < n && s[i] >= '0' && s[i] <= '9') {
				v = v * 10 + (s[i] - '0');
				if (v > 1000000)
					v = 1000000; /* keep the padding sane; Inferno overflows */
				i++;
			}
			if (sp->flags & FL_WIDTH) {
				sp->flags |= FL_PREC;
				sp->prec = (int)v;
			} else {
				sp->flags |= FL_WIDTH;
				sp->width = (int)v;
			}
			continue;
		}
		case ',': sp->flags |= FL_COMMA; break;
		case '-': sp->flags |= FL_LEFT; break;
		case '+': sp->flags |= FL_SIGN; break;
		case '#': sp->flags |= FL_SHARP; break;
		case ' ': sp->flags |= FL_SPACE; break;
		case 'u': sp->flags |= FL_UNSIGNED; break;
		case 'h':
			if (sp->flags & FL_SHORT)
				sp->flags |= FL_BYTE;
			sp->flags |= FL_SHORT;
			break;
		case 'l':
			if (sp->flags & FL_LONG)
				sp->flags |= FL_VLONG;
			sp->flags |= FL_LONG;
			break;
		default:
			return i;
		}
		i++;
	}
	return i;
}

/* lib9 _badfmt for the character at s[i] (a whole UTF-8 sequence): prints
 * "%c%" in the field, then the rest of the conversion as plain text. */
static void
bad_verb(Out *o, const Spec *sp, const char *s, size_t i, size_t n)
{
	char x[8];
	size_t k = 1, nx = 0;
	Spec bs = *sp;

	if ((unsigned char)s[i] >= 0xC0)
		while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80 && k < 4)
			k++;
	x[nx++] = '%';
	memcpy(x + nx, s + i, k);
	nx += k;
	x[nx++] = '%';
	bs.prec = 3;
	put_field(o, &bs, x, nx);
	put(o, s + i + k, n - i - k);
}

/* An integer as lib9 _ifmt: v holds an int (isbig 0) or a big. */
static void
fmt_int(Out *o, Spec *sp, char verb, int64_t v, int isbig)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *conv = lower;
	char buf[INT_BUF];
	unsigned fl = sp->flags;
	uint64_t u;
	int neg = 0, base, n = 0, p = INT_BUF - 1;

	if (isbig && (fl & FL_VLONG)) {
		u = (uint64_t)v;
		if (!(fl & FL_UNSIGNED) && v < 0) {
			u = 0 - u;
			neg = 1;
		}
	} else {
		int32_t w = (int32_t)v;
		int64_t s;

		if (fl & FL_LONG || !(fl & (FL_BYTE | FL_SHORT)))
			s = (fl & FL_UNSIGNED) ? (int64_t)(uint32_t)w : (int64_t)w;
		else if (fl & FL_BYTE)
			s = (fl & FL_UNSIGNED) ? (int64_t)(uint8_t)w : (int64_t)(int8_t)w;
		else
			s = (fl & FL_UNSIGNED) ? (int64_t)(uint16_t)w : (int64_t)(int16_t)w;
		if (s < 0) {
			u = (uint64_t)(-s);
			neg = 1;
		} else
			u = (uint64_t)s;
	}
	switch (verb) {
	case 'd': base = 10; break;
	case 'o': base = 8; break;
	case 'X': base = 16; conv = upper; break;
	default: base = 16; break;
	}
	while (u != 0) {
		if ((fl & FL_COMMA) && n % 4 == 3) {
			buf[p--] = ',';
			n++;
		}
		buf[p--] = conv[u % (unsigned)base];
		u /= (unsigned)base;
		n++;
	}
	if (n == 0) {
		buf[p--] = '0';
		n = 1;
	}
	while (n < sp->prec && p > 3) {
		buf[p--] = '0';
		n++;
	}
	if (neg || (fl & (FL_SIGN | FL_SPACE)))
		n++;
	if (fl & FL_SHARP) {
		if (base == 16)
			n += 2;
		else if (base == 8) {
			if (buf[p + 1] == '0')
				fl &= ~(unsigned)FL_SHARP;
			else
				n++;
		}
	}
	if ((fl & FL_ZERO) && !(fl & FL_LEFT)) {
		while (n < sp->width && p > 3) {
			buf[p--] = '0';
			n++;
		}
		sp->width = 0;
	}
	if (fl & FL_SHARP) {
		if (base == 16)
			buf[p--] = verb;
		if (base == 16 || base == 8)
			buf[p--] = '0';
	}
	if (neg)
		buf[p--] = '-';
	else if (fl & FL_SIGN)
		buf[p--] = '+';
	else if (fl & FL_SPACE)
		buf[p--] = ' ';
	sp->flags &= ~(unsigned)FL_PREC;
	put_field(o, sp, buf + p + 1, (size_t)n);
}

/* A string as lib9 fmtstrcpy: stops at a NUL, as Inferno's C strings do. */
static void
fmt_str(Out *o, const Spec *sp, const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n);

	if (z != NULL)
		n = (size_t)(z - s);
	put_field(o, sp, s, n);
}

/* %q as lib9 fmtquote: quoted when '#' is given, the string is empty, or it
 * holds a space, control character or quote; quotes inside are doubled.
 * A precision limits the runes taken from s. */
static void
fmt_quote(Out *o, const Spec *sp, const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n);
	size_t i, nout;
	int quoted;

	if (z != NULL)
		n = (size_t)(z - s);
	if (sp->flags & FL_PREC)
		n = utf8_prefix(s, n, (size_t)sp->prec);
	quoted = (sp->flags & FL_SHARP) || n == 0;
	nout = n;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '\'')
			quoted = 1;
		if (c == '\'')
			nout++;
	}
	if (!quoted) {
		put_field(o, sp, s, n);
		return;
	}
	nout += 2;
	/* lib9 qstrfmt pads by output bytes, not runes. */
	if (!(sp->flags & FL_LEFT))
		pad(o, (long)sp->width - (long)nout);
	putch(o, '\'');
	for (i = 0; i < n; i++) {
		const char *q = memchr(s + i, '\'', n - i);
		size_t k = q != NULL ? (size_t)(q - (s + i)) + 1 : n - i;

		put(o, s + i, k);
		if (q != NULL)
			putch(o, '\'');
		i += k - 1;
	}
	putch(o, '\'');
	if (sp->flags & FL_LEFT)
		pad(o, (long)sp->width - (long)nout);
}

/* --- reals --------------------------------------------------------------- */

/* Parses "D.DDDe+XX" (from "%.*e") into digits and the exponent. */
static int
parse_e(const char *s, char *dig, int *exp10)
{
	int nd = 0;

	for (; *s != '\0' && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			dig[nd++] = *s;
	dig[nd] = '\0';
	*exp10 = *s == 'e' ? atoi(s + 1) : 0;
	return nd;
}

static int
reads_back(uint64_t m, int exp10, double x)
{
	char buf[48];

	snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)m, exp10);
	return strtod(buf, NULL) == x;
}

/* The shortest digits that read back as x (finite, > 0) and, among those,
 * the nearest to x (dtoa mode 0). Sets dig (NUL-terminated, no trailing
 * zeros) and *decpt (value = 0.DIG * 10^decpt); returns the digit count. */
static int
digits_shortest(double x, char *dig, int *decpt)
{
	static const uint64_t pow10[] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull,
	};
	char buf[48];
	uint64_t m = 0;
	int p, e = 0, nd;

	for (p = 1; p <= 17; p++) {
		int i;

		snprintf(buf, sizeof buf, "%.*e", p - 1, x);
		nd = parse_e(buf, dig, &e);
		m = 0;
		for (i = 0; i < nd; i++)
			m = m * 10 + (uint64_t)(dig[i] - '0');
		if (reads_back(m, e - (p - 1), x))
			break;
		/* The nearest p-digit decimal misses; the one on x's other side
		 * may still be inside x's rounding interval (at a power of 2). */
		if (strtod(buf, NULL) < x) {
			if (++m == pow10[p]) {
				m = pow10[p - 1];
				e++;
			}
		} else if (m == pow10[p - 1]) {
			m = pow10[p] - 1;
			e--;
		} else
			m--;
		if (reads_back(m, e - (p - 1), x))
			break;
	}
	if (p > 17)
		p = 17; /* not reached: 17 digits always read back */
	snprintf(dig, 24, "%0*llu", p, (unsigned long long)m);
	nd = p;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = '\0';
	*decpt = e + 1;
	return nd;
}

/* ndigits significant digits of x (finite, >= 0), correctly rounded,
 * trailing zeros removed (dtoa mode 2). */
static int
digits_prec(double x, int ndigits, char *dig, int *decpt)
{
	char buf[64];
	int nd, e;

	if (x == 0) {
		strcpy(dig, "0");
		*decpt = 1;
		return 1;
	}
	snprintf(buf, sizeof buf, "%.*e", ndigits - 1, x);
	nd = parse_e(buf, dig, &e);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = '\0';
	*decpt = e + 1;
	return nd;
}

/* Digits of |x| for g_fmt and %.0g: "0" for zero, else shortest. */
static int
digits_any(double x, char *dig, int *decpt)
{
	x = fabs(x);
	if (x == 0) {
		strcpy(dig, "0");
		*decpt = 1;
		return 1;
	}
	return digits_shortest(x, dig, decpt);
}

/* Appends "e+XX"-style exponent: echr, sign, at least two digits. */
static char *
put_exp(char *p, int echr, int e)
{
	*p++ = (char)echr;
	if (e < 0) {
		*p++ = '-';
		e = -e;
	} else
		*p++ = '+';
	return p + sprintf(p, "%02d", e);
}

/* libmath g_fmt: b needs 32 bytes. Returns the length. */
static size_t
g_fmt(char *b, double x, int echr)
{
	char dig[24], *p = b;
	int nd, decpt, i;

	if (signbit(x))
		*p++ = '-';
	if (isnan(x) || isinf(x)) {
		strcpy(p, isnan(x) ? "NaN" : "Infinity");
		return strlen(b);
	}
	nd = digits_any(x, dig, &decpt);
	if (decpt <= -4 || decpt > nd + 5) {
		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		p = put_exp(p, echr, decpt - 1);
	} else if (decpt <= 0) {
		*p++ = '.';
		for (i = decpt; i < 0; i++)
			*p++ = '0';
		memcpy(p, dig, (size_t)nd);
		p += nd;
	} else {
		for (i = 0; i < nd; i++) {
			*p++ = dig[i];
			if (i + 1 == decpt && i + 1 < nd)
				*p++ = '.';
		}
		for (; i < decpt; i++)
			*p++ = '0';
	}
	*p = '\0';
	return (size_t)(p - b);
}

void
vm_fmt_real(char *buf, size_t bufsz, double r)
{
	char tmp[40];
	size_t n = g_fmt(tmp, r, 'e');

	if (bufsz == 0)
		return;
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

/* %e %E %f %g %G as libmath gfltconv. */
static void
fmt_real(Out *o, Spec *sp, char verb, double d)
{
	char dig[40], out[400], *p = out;
	unsigned fl = sp->flags;
	int prec = FLT_DEFPREC, echr = 'e', form = verb, nd, decpt, neg = signbit(d) != 0, i;
	int special = isnan(d) || isinf(d);

	if (fl & FL_PREC)
		prec = sp->prec;
	if (prec > FLT_MAXPREC)
		prec = FLT_MAXPREC;
	sp->flags &= FL_WIDTH | FL_LEFT; /* reals pad with spaces only */
	if (verb == 'E' || verb == 'G')
		echr = 'E';
	if ((verb == 'g' || verb == 'G') && !(fl & (FL_WIDTH | FL_PREC))) {
		size_t n = g_fmt(out, d, echr);
		put_field(o, sp, out, n);
		return;
	}
	if (special) {
		strcpy(dig, isnan(d) ? "NaN" : "Infinity");
		nd = (int)strlen(dig);
		decpt = nd;
		prec = 0;
		form = 'f';
	} else if (verb == 'f') {
		/* dtoa mode 3 is C's %.*f; only the sign needs care (-0.0). */
		if (neg)
			*p++ = '-';
		else if (fl & FL_SIGN)
			*p++ = '+';
		else if (fl & FL_SPACE)
			*p++ = ' ';
		p += snprintf(p, sizeof out - 2, (fl & FL_SHARP) ? "%#.*f" : "%.*f", prec, fabs(d));
		put_field(o, sp, out, (size_t)(p - out));
		return;
	} else if (verb == 'e' || verb == 'E') {
		nd = digits_prec(fabs(d), 1 + prec, dig, &decpt);
		form = 'e';
	} else {
		if (prec > 0)
			nd = digits_prec(fabs(d), prec, dig, &decpt);
		else {
			nd = digits_any(d, dig, &decpt);
			prec = nd;
			if (decpt > prec && decpt <= prec + 4)
				prec = decpt;
		}
		if (decpt >= -3 && decpt <= prec) {
			form = 'f';
			prec -= decpt;
		} else {
			form = 'e';
			prec--;
		}
	}
	if ((verb == 'g' || verb == 'G') && !(fl & FL_SHARP)) {
		/* knock off trailing zeros */
		if (form == 'f') {
			if (prec + decpt > nd) {
				prec = nd - decpt;
				if (prec < 0)
					prec = 0;
			}
		} else if (prec > nd - 1)
			prec = nd - 1;
	}
	if (neg)
		*p++ = '-';
	else if (fl & FL_SIGN)
		*p++ = '+';
	else if (fl & FL_SPACE)
		*p++ = ' ';
	if (form == 'f') {
		for (i = 0; i < decpt; i++)
			*p++ = i < nd ? dig[i] : '0';
		if (i == 0)
			*p++ = '0';
		if (prec > 0 || (fl & FL_SHARP))
			*p++ = '.';
		for (i = 0; i < prec; i++)
			*p++ = (i + decpt >= 0 && i + decpt < nd) ? dig[i + decpt] : '0';
	} else {
		*p++ = dig[0];
		if (prec > 0 || (fl & FL_SHARP))
			*p++ = '.';
		for (i = 0; i < prec; i++)
			*p++ = i < nd - 1 ? dig[i + 1] : '0';
		p = put_exp(p, echr, decpt - 1);
	}
	put_field(o, sp, out, (size_t)(p - out));
}

/* --- step 1: the Limbo side ---------------------------------------------- */

typedef struct Args {
	const uint8_t *p;
	size_t len; /* readable bytes at p */
	size_t off; /* frame offset of p, for alignment */
	size_t pos; /* next argument, bytes from p */
} Args;

static void
arg_align(Args *a, size_t n)
{
	while ((a->off + a->pos) & (n - 1))
		a->pos++;
}

/* Reads n bytes of the next argument (zero past the end) and advances. */
static void
arg_read(Args *a, void *v, size_t n)
{
	if (a->pos <= a->len && a->len - a->pos >= n)
		memcpy(v, a->p + a->pos, n);
	else
		memset(v, 0, n);
	a->pos += n;
}

static int32_t
arg_int(Args *a)
{
	int32_t v;

	arg_read(a, &v, 4);
	return v;
}

/* Is c a verb that ends a conversion in Inferno's xprint? */
static int
is_verb(char c)
{
	return c != '\0' && strchr("%qsEefgGdoxXcrH", c) != NULL;
}

int
vm_fmt(VmFmtBuf *out, const char *fmt, size_t fmtlen, const uint8_t *args, size_t args_len,
       size_t args_off, VmFmtStrFn getstr, void *ctx, const char *lasterr, AcErr *err)
{
	Out o = {out, 0};
	Args a = {args, args_len, args_off, 0};
	size_t i = 0;

	while (i < fmtlen) {
		const char *pct = memchr(fmt + i, '%', fmtlen - i);
		char spec[SPEC_MAX + 1], verb = 0;
		size_t ns = 0, vi;
		int isbig = 0;
		Spec sp;

		if (pct == NULL) {
			put(&o, fmt + i, fmtlen - i);
			break;
		}
		put(&o, fmt + i, (size_t)(pct - (fmt + i)));
		i = (size_t)(pct - fmt) + 1;
		while (i < fmtlen) {
			char c = fmt[i++];

			if (c == '*') {
				char num[16];
				int k = snprintf(num, sizeof num, "%d", (int)arg_int(&a));

				if (ns + (size_t)k < SPEC_MAX) {
					memcpy(spec + ns, num, (size_t)k);
					ns += (size_t)k;
				}
			} else if (c == 'b') {
				isbig = 1;
				if (ns + 2 < SPEC_MAX) {
					spec[ns++] = 'l';
					spec[ns++] = 'l';
				}
			} else if (is_verb(c)) {
				verb = c;
				break;
			} else if (ns + 1 < SPEC_MAX)
				spec[ns++] = c;
		}
		if (verb == 0)
			break; /* the format ended inside a conversion */
		spec[ns++] = verb;
		vi = parse_spec(spec, ns, &sp);

		switch (verb) {
		case '%':
			putch(&o, '%');
			break;
		case 'r':
			if (lasterr != NULL)
				put(&o, lasterr, strlen(lasterr));
			break;
		case 'H':
			(void)arg_int(&a); /* Inferno's debugging verb: heap header */
			break;
		case 's':
		case 'q': {
			size_t at = a.off + a.pos, len = 0;
			uint32_t ptr = (uint32_t)arg_int(&a);
			const char *s = "";
			char *tofree = NULL;

			if (ptr != 0 && (getstr == NULL || getstr(ctx, at, ptr, &s, &len, &tofree) != 0)) {
				free(tofree);
				return ac_err_set(err, AC_ERANGE,
				                  "print: bad string pointer 0x%x at frame offset %zu",
				                  (unsigned)ptr, at);
			}
			if (vi + 1 != ns)
				bad_verb(&o, &sp, spec, vi, ns);
			else if (verb == 's')
				fmt_str(&o, &sp, s, len);
			else
				fmt_quote(&o, &sp, s, len);
			free(tofree);
			break;
		}
		case 'e':
		case 'E':
		case 'f':
		case 'g':
		case 'G': {
			double d;

			arg_align(&a, 8);
			arg_read(&a, &d, 8);
			if (vi + 1 != ns)
				bad_verb(&o, &sp, spec, vi, ns);
			else
				fmt_real(&o, &sp, verb, d);
			break;
		}
		default: { /* d o x X c */
			int64_t v;

			if (isbig) {
				arg_align(&a, 8);
				arg_read(&a, &v, 8);
			} else
				v = arg_int(&a);
			if (vi + 1 != ns)
				bad_verb(&o, &sp, spec, vi, ns);
			else if (verb == 'c' && !isbig) {
				/* %C: a rune, lib9 _runefmt */
				char r[4];
				size_t n = rune_utf8(r, (uint32_t)v);

				put_field(&o, &sp, r, n);
			} else if (verb == 'c') {
				/* "%llc": lib9 _charfmt, one byte */
				char c = (char)(v & 0xFF);

				sp.flags |= FL_PREC;
				sp.prec = 1;
				if ((unsigned char)c < 0x80)
					put_field(&o, &sp, &c, 1);
				else
					pad(&o, sp.width - 1); /* lib9 drops the broken byte */
			} else
				fmt_int(&o, &sp, verb, v, isbig);
			break;
		}
		}
		if (o.oom)
			break;
	}
	if (o.oom)
		return ac_err_set(err, AC_ENOMEM, "print: out of memory after %zu bytes of output", out->len);
	return AC_OK;
}
