/*
 * Dis strings (Dis spec "string instructions"; Inferno libinterp/string.c):
 * ASCII strings keep one byte per character, any wider rune makes the
 * string hold 32-bit runes. nil (H) behaves as "".
 */
#include "vm/vm_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNEERROR 0xFFFD

static VmString *
string_alloc(Vm *vm, int32_t n, int runes)
{
	/* Spare room makes `s[len s] = c` amortised O(1), as in Inferno's insc. */
	size_t unit = runes ? 4 : 1;
	VmString *s = vm_heap_alloc(vm, vm->t_string, sizeof(VmString) + (size_t)n * unit);

	if (s == NULL)
		return NULL;
	s->len = runes ? -n : n;
	s->max = n;
	return s;
}

static uint32_t
string_at(const VmString *s, int32_t i)
{
	if (s->len < 0)
		return ((const uint32_t *)s->data)[i];
	return s->data[i];
}

/* Decodes one UTF-8 sequence; returns bytes used, 0 when the input ends
 * before the sequence its first byte announces (the caller drops such a
 * tail, as Inferno's c2string does: lib9 fullrune judges by the first byte
 * alone, so {0xff,'a'} ends there too). */
static size_t
utf8_decode(const uint8_t *p, size_t n, uint32_t *r)
{
	uint8_t c = p[0];
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (n < (c < 0xE0 ? 2u : c < 0xF0 ? 3u : 4u))
		return 0;
	if (c >= 0xC2 && c < 0xE0) { need = 2; v = c & 0x1F; }
	else if (c >= 0xE0 && c < 0xF0) { need = 3; v = c & 0x0F; }
	else if (c >= 0xF0 && c < 0xF5) { need = 4; v = c & 0x07; }
	else { *r = RUNEERROR; return 1; }
	for (size_t i = 1; i < need; i++) {
		if (i >= n)
			return 0;
		if ((p[i] & 0xC0) != 0x80) {
			*r = RUNEERROR;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((need == 3 && v < 0x800) || (need == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		v = RUNEERROR;
	*r = v;
	return need;
}

static size_t
utf8_encode(uint32_t r, uint8_t *out)
{
	if (r < 0x80) { out[0] = (uint8_t)r; return 1; }
	if (r < 0x800) { out[0] = (uint8_t)(0xC0 | r >> 6); out[1] = (uint8_t)(0x80 | (r & 0x3F)); return 2; }
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = RUNEERROR;
	if (r < 0x10000) {
		out[0] = (uint8_t)(0xE0 | r >> 12); out[1] = (uint8_t)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | r >> 18); out[1] = (uint8_t)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((r >> 6) & 0x3F)); out[3] = (uint8_t)(0x80 | (r & 0x3F));
	return 4;
}

VmString *
vm_string_new_utf8(Vm *vm, const char *src, size_t n)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t i, nr = 0;
	int wide = 0;
	VmString *s;

	for (i = 0; i < n;) {
		uint32_t r;
		size_t k = utf8_decode(p + i, n - i, &r);
		if (k == 0)
			break;
		if (r >= 0x80)
			wide = 1;
		nr++;
		i += k;
	}
	if (nr > 0x7FFFFFF0u / 4)
		return NULL;
	s = string_alloc(vm, (int32_t)nr, wide);
	if (s == NULL)
		return NULL;
	nr = 0;
	for (i = 0; i < n;) {
		uint32_t r;
		size_t k = utf8_decode(p + i, n - i, &r);
		if (k == 0)
			break;
		if (wide)
			((uint32_t *)s->data)[nr++] = r;
		else
			s->data[nr++] = (uint8_t)r;
		i += k;
	}
	return s;
}

char *
vm_string_utf8(uint32_t w, size_t *lenp)
{
	const VmString *s = vm_string_at(w);
	int32_t n = vm_string_len(s);
	char *out = malloc((size_t)n * 4 + 1);
	size_t len = 0;

	if (out == NULL)
		return NULL;
	for (int32_t i = 0; i < n; i++)
		len += utf8_encode(string_at(s, i), (uint8_t *)out + len);
	out[len] = 0;
	if (lenp != NULL)
		*lenp = len;
	return out;
}

int
vm_string_cmp(uint32_t a, uint32_t b)
{
	const VmString *sa = vm_string_at(a), *sb = vm_string_at(b);
	int32_t na = vm_string_len(sa), nb = vm_string_len(sb);
	int32_t n = na < nb ? na : nb;

	if (sa != NULL && sb != NULL && sa->len >= 0 && sb->len >= 0) {
		int c = memcmp(sa->data, sb->data, (size_t)n);
		if (c != 0)
			return c;
	} else {
		for (int32_t i = 0; i < n; i++) {
			uint32_t ca = string_at(sa, i), cb = string_at(sb, i);
			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
	}
	return na < nb ? -1 : na > nb;
}

/* Stores string s (new reference) into the pointer word at dst. */
static void
store(VmThread *t, uint32_t *dst, VmString *s)
{
	uint32_t old = *dst;

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	*dst = VM_WORD(s);
	vm_destroy(t->vm, old);
}

void
vm_op_addc(VmThread *t, uint32_t *d, uint32_t ws, uint32_t wm)
{
	const VmString *s = vm_string_at(ws), *m = vm_string_at(wm);
	int32_t ns = vm_string_len(s), nm = vm_string_len(m);
	int wide = (s != NULL && s->len < 0) || (m != NULL && m->len < 0);
	VmString *r;

	if ((int64_t)ns + nm > 0x7FFFFFF0 / 4)
		vm_raise(t, VM_EX_NOMEM);
	r = string_alloc(t->vm, ns + nm, wide);
	if (r == NULL)
		vm_raise(t, VM_EX_NOMEM);
	for (int32_t i = 0; i < nm + ns; i++) {
		uint32_t c = i < nm ? string_at(m, i) : string_at(s, i - nm);
		if (wide)
			((uint32_t *)r->data)[i] = c;
		else
			r->data[i] = (uint8_t)c;
	}
	store(t, d, r);
}

int32_t
vm_op_indc(VmThread *t, uint32_t ws, int32_t i)
{
	const VmString *s = vm_string_at(ws);

	if (s == NULL)
		vm_raise(t, VM_EX_NILREF);  /* Inferno string.c indc */
	if ((uint32_t)i >= (uint32_t)vm_string_len(s))
		vm_raise(t, VM_EX_BOUNDS);
	return (int32_t)string_at(s, i);
}

void
vm_op_insc(VmThread *t, uint32_t *d, int32_t i, uint32_t c)
{
	VmString *s = vm_string_at(*d);
	int32_t n = vm_string_len(s);
	int wide = s != NULL && s->len < 0;

	if (i < 0 || i > n)
		vm_raise(t, VM_EX_BOUNDS);
	/* Write in place when we hold the only reference and it fits. */
	if (s == NULL || VM_D2H(s)->ref > 1 || (i == n && n >= s->max) || (!wide && c >= 0x80)) {
		int32_t cap = i == n ? (n < 16 ? 16 : n + n / 2) : n;
		int nw = wide || c >= 0x80;
		VmString *r = string_alloc(t->vm, cap, nw);
		if (r == NULL)
			vm_raise(t, VM_EX_NOMEM);
		for (int32_t k = 0; k < n; k++) {
			if (nw)
				((uint32_t *)r->data)[k] = string_at(s, k);
			else
				r->data[k] = (uint8_t)string_at(s, k);
		}
		r->len = nw ? -n : n;
		store(t, d, r);
		s = r;
		wide = nw;
	}
	if (i == n)
		s->len += wide ? -1 : 1;
	if (wide)
		((uint32_t *)s->data)[i] = c;
	else
		s->data[i] = (uint8_t)c;
}

void
vm_op_slicec(VmThread *t, uint32_t *d, int32_t start, int32_t end)
{
	const VmString *s = vm_string_at(*d);
	int32_t n = vm_string_len(s);
	int wide = s != NULL && s->len < 0;
	VmString *r;

	if (start < 0 || end < start || end > n)
		vm_raise(t, VM_EX_BOUNDS);
	if (start == 0 && end == n)
		return;
	r = string_alloc(t->vm, end - start, wide);
	if (r == NULL)
		vm_raise(t, VM_EX_NOMEM);
	memcpy(r->data, s->data + (size_t)start * (wide ? 4 : 1), (size_t)(end - start) * (wide ? 4 : 1));
	store(t, d, r);
}

void
vm_string_store_utf8(VmThread *t, uint32_t *d, const char *p, size_t n)
{
	store(t, d, vm_string_new_utf8(t->vm, p, n));
}

/* cvtca: string -> array of byte (UTF-8) */
void
vm_op_cvtca(VmThread *t, uint32_t *d, uint32_t ws)
{
	size_t n;
	char *u = vm_string_utf8(ws, &n);
	VmArray *a;
	uint32_t old = *d;

	if (u == NULL)
		vm_raise(t, VM_EX_NOMEM);
	a = vm_array_new(t->vm, t->vm->t_byte, (int32_t)n, 1);
	if (a == NULL) {
		free(u);
		vm_raise(t, VM_EX_NOMEM);
	}
	memcpy(a + 1, u, n);
	free(u);
	*d = VM_WORD(a);
	vm_destroy(t->vm, old);
}

/* cvtac: array of byte -> string (UTF-8; bad bytes become U+FFFD) */
void
vm_op_cvtac(VmThread *t, uint32_t *d, uint32_t wa)
{
	const VmArray *a = VM_PTR(wa);
	VmType *et;
	size_t n;
	const uint8_t *p;

	if (vm_ptr_bad(wa)) {
		uint32_t old = *d;
		*d = VM_H;
		vm_destroy(t->vm, old);
		return;
	}
	if ((p = vm_array_bytes(t->vm, a, &et, &n)) == NULL)
		vm_raise(t, VM_EX_BOUNDS);
	store(t, d, vm_string_new_utf8(t->vm, (const char *)p, n));
}

/*
 * String -> number, as Inferno's emu does it (libinterp/string.c hands the
 * string, runes encoded as UTF-8, to a C routine):
 *
 *  int s   (cvtcw) glibc strtol(s, nil, 10) on emu's ILP32 hosts: skips
 *          ' ' \t \n \v \f \r, takes one optional sign, then decimal digits
 *          up to the first non-digit; saturates at -2^31 and 2^31-1.
 *  big s   (cvtcl) lib9/strtoll.c: same blanks, sign and digits, but no
 *          overflow check: the value wraps modulo 2^64.
 *  real s  (cvtcf) libmath/dtoa.c strtod, Gay's correctly rounded one:
 *          the same blanks; one sign, which must not end the string; decimal
 *          digits with an optional '.', then an optional exponent e[+-]ddd
 *          (dropped when no digit follows; more than 8 significant digits or
 *          a value over 19999 read as 19999).  With no mantissa digit at all,
 *          case-insensitive "infinity" gives Inf and "nan" NaN (so "inf" and
 *          "Infin" give 0, "nan(1)" gives NaN); otherwise the result is 0.
 *          No hex, no "0x" (it reads as 0).  The sign is applied to every
 *          result, so "-", "-x" and "-1e-400" give -0.
 *
 * None of them knows a base prefix ("16rff" is 16).  A rune >= 0x80 is
 * never a blank, sign or digit, and a NUL rune ends the C string, so both
 * stop the scan.  nil converts like "".
 */

/* The string's characters up to its first NUL, read past the end as 0. */
typedef struct {
	const VmString *s;
	int32_t n;
} Chars;

static Chars
chars(uint32_t ws)
{
	Chars c = {vm_string_at(ws), 0};
	int32_t n = vm_string_len(c.s);

	while (c.n < n && string_at(c.s, c.n) != 0)
		c.n++;
	return c;
}

static uint32_t
char_at(const Chars *c, int32_t i)
{
	return i < c->n ? string_at(c->s, i) : 0;
}

static int
isblank_c(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int
isdigit_c(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* Blanks and one sign, shared by int and big: returns the first digit's
 * index and sets *neg. */
static int32_t
int_prefix(const Chars *c, int *neg)
{
	int32_t i = 0;

	while (isblank_c(char_at(c, i)))
		i++;
	*neg = char_at(c, i) == '-';
	if (char_at(c, i) == '-' || char_at(c, i) == '+')
		i++;
	return i;
}

int32_t
vm_string_to_int(uint32_t ws)
{
	Chars c = chars(ws);
	int neg;
	int32_t i = int_prefix(&c, &neg);
	uint64_t v = 0, lim;

	/* strtol clamps to LONG_MIN / LONG_MAX, 32 bits on Inferno's hosts */
	lim = neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX;
	for (; isdigit_c(char_at(&c, i)); i++) {
		v = v * 10 + (char_at(&c, i) - '0');
		if (v > lim)
			v = lim;
	}
	return neg ? (int32_t)(0 - v) : (int32_t)v;
}

int64_t
vm_string_to_big(uint32_t ws)
{
	Chars c = chars(ws);
	int neg;
	int32_t i = int_prefix(&c, &neg);
	uint64_t v = 0;

	/* lib9's strtoll never checks for overflow: unsigned arithmetic gives
	 * its two's complement wrap without C's signed-overflow trap */
	for (; isdigit_c(char_at(&c, i)); i++)
		v = v * 10 + (char_at(&c, i) - '0');
	return (int64_t)(neg ? 0 - v : v);
}

/* Case-insensitive match of word at i (word is lower case). */
static int
match_word(const Chars *c, int32_t i, const char *word)
{
	for (; *word != '\0'; word++, i++) {
		uint32_t ch = char_at(c, i);
		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		if (ch != (unsigned char)*word)
			return 0;
	}
	return 1;
}

/*
 * Digits kept for the rounding.  A double's halfway points have at most
 * 767 significant digits, so the first REAL_DIGITS digits plus a sticky
 * nonzero digit standing for any nonzero tail round exactly as the whole
 * string does, and the buffer need not grow with the input.
 */
enum { REAL_DIGITS = 800 };

double
vm_string_to_real(uint32_t ws)
{
	Chars c = chars(ws);
	char buf[REAL_DIGITS + 32];
	int32_t i = 0;
	int neg = 0, seen = 0, sticky = 0;
	size_t nd = 0;          /* significant digits kept in buf */
	int64_t dexp = 0;       /* value = buf * 10^dexp, before the e part */
	int64_t e = 0;
	uint32_t ch;
	double r;

	while (isblank_c(char_at(&c, i)))
		i++;
	ch = char_at(&c, i);
	if (ch == '-' || ch == '+') {
		neg = ch == '-';
		i++;
		if (char_at(&c, i) == 0)
			return neg ? -0.0 : 0.0;
	}
	for (int frac = 0;; i++) {
		ch = char_at(&c, i);
		if (ch == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (!isdigit_c(ch))
			break;
		seen = 1;
		if (nd == 0 && ch == '0') {
			dexp -= frac;   /* leading zeros only move the point */
			continue;
		}
		if (nd < REAL_DIGITS) {
			buf[nd++] = (char)ch;
			dexp -= frac;
		} else {
			sticky |= ch != '0';
			dexp += !frac;  /* dropped integer digits still scale */
		}
	}
	if (!seen) {
		/* dtoa.c looks for these words only where no digit came */
		if ((ch == 'i' || ch == 'I') && match_word(&c, i + 1, "nfinity"))
			return neg ? -HUGE_VAL : HUGE_VAL;
		if ((ch == 'n' || ch == 'N') && match_word(&c, i + 1, "an")) {
			uint64_t bits = 0x7ff8000000000000ull | (uint64_t)neg << 63;
			memcpy(&r, &bits, sizeof r);
			return r;
		}
		return neg ? -0.0 : 0.0;
	}
	if (nd == 0)
		return neg ? -0.0 : 0.0;
	if (ch == 'e' || ch == 'E') {
		int32_t j = i + 1;
		int eneg = char_at(&c, j) == '-';
		if (char_at(&c, j) == '-' || char_at(&c, j) == '+')
			j++;
		for (; isdigit_c(char_at(&c, j)); j++) {
			e = e * 10 + (char_at(&c, j) - '0');
			if (e > 19999)
				e = 19999;  /* dtoa.c's cap; past it the result is 0 or Inf anyway */
		}
		if (eneg)
			e = -e;
	}
	if (sticky) {
		buf[nd++] = '1';
		dexp--;
	}
	snprintf(buf + nd, sizeof buf - nd, "e%lld", (long long)(dexp + e));
	/* the decimal value is exact now; libc's strtod rounds it correctly,
	 * as dtoa.c does */
	r = strtod(buf, NULL);
	return neg ? -r : r;
}

void
vm_str_arg(VmThread *t, uint32_t w, char *buf, size_t bufsize, const char *module, const char *what)
{
	size_t n = 0;
	char *s = vm_string_utf8(w, &n);

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	if (n >= bufsize) {
		free(s);
		vm_raise(t, "%s: %s longer than %zu bytes", module, what, bufsize - 1);
	}
	memcpy(buf, s, n + 1);
	free(s);
}
