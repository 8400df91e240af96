/*
 * $Sys string helpers: tokenize, and the UTF-8 conversions bufio uses
 * (byte2char, char2byte, utfbytes).
 *
 * Follows: Inferno libinterp/runt.c (Sys_tokenize, Sys_utfbytes,
 * Sys_byte2char, Sys_char2byte) and Plan 9's fullrune/chartorune rules;
 * man/2 sys-tokenize, sys-byte2char.
 */
#include "vm/sys_impl.h"

#include <stdlib.h>

#define ARG(k) vm_builtin_arg(fp, SPEC, (k))
#define AW(k) (*(int32_t *)ARG(k))
#define AP(k) (*(uint32_t *)ARG(k))

enum { RUNE_ERROR = 0xFFFD, RUNE_MAX = 0x10FFFF, UTF_MAX = 4 };

/* Plan 9 fullrune: do the n bytes at p hold a whole rune (or an error)? */
static int
full_rune(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (n == 1)
		return 0;
	if (p[0] < 0xE0)
		return 1;
	if (n == 2)
		return 0;
	return p[0] < 0xF0 || n > 3;
}

/* Decodes one rune from p (at least UTF_MAX bytes readable or a full rune);
 * a bad sequence is RUNE_ERROR of width 1. Returns the width. */
static int
char_to_rune(uint32_t *r, const uint8_t *p, size_t n)
{
	uint32_t c = p[0], v;
	int w, i;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC0 && c < 0xE0)
		w = 2, v = c & 0x1F;
	else if (c >= 0xE0 && c < 0xF0)
		w = 3, v = c & 0x0F;
	else if (c >= 0xF0 && c < 0xF8)
		w = 4, v = c & 0x07;
	else
		goto bad;
	if ((size_t)w > n)
		goto bad;
	for (i = 1; i < w; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		v = v << 6 | (p[i] & 0x3F);
	}
	if ((w == 2 && v < 0x80) || (w == 3 && v < 0x800) || (w == 4 && v < 0x10000) || v > RUNE_MAX)
		goto bad;
	*r = v;
	return w;
bad:
	*r = RUNE_ERROR;
	return 1;
}

static int
rune_len(uint32_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

static int
rune_to_char(uint8_t *p, uint32_t c)
{
	switch (rune_len(c)) {
	case 1: p[0] = (uint8_t)c; return 1;
	case 2: p[0] = (uint8_t)(0xC0 | c >> 6); p[1] = (uint8_t)(0x80 | (c & 0x3F)); return 2;
	case 3:
		p[0] = (uint8_t)(0xE0 | c >> 12);
		p[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	default:
		p[0] = (uint8_t)(0xF0 | c >> 18);
		p[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
		p[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		p[3] = (uint8_t)(0x80 | (c & 0x3F));
		return 4;
	}
}

static uint32_t
str_at(const VmString *s, int32_t i)
{
	return s->len < 0 ? ((const uint32_t *)s->data)[i] : s->data[i];
}

static int
is_delim(uint32_t c, const VmString *d)
{
	int32_t n = vm_string_len(d);

	for (int32_t i = 0; i < n; i++)
		if (str_at(d, i) == c)
			return 1;
	return 0;
}

/* A new Dis string holding runes [first, last) of s. */
static uint32_t
substring(VmThread *t, const VmString *s, int32_t first, int32_t last)
{
	size_t cap = (size_t)(last - first) * UTF_MAX, n = 0;
	uint8_t *buf = malloc(cap > 0 ? cap : 1);
	VmString *r;

	if (buf == NULL)
		vm_raise(t, VM_EX_NOMEM);
	for (int32_t i = first; i < last; i++)
		n += (size_t)rune_to_char(buf + n, str_at(s, i));
	r = vm_string_new_utf8(t->vm, (const char *)buf, n);
	free(buf);
	if (r == NULL)
		vm_raise(t, VM_EX_NOMEM);
	return VM_WORD(r);
}

/* tokenize(s, delim): (n, list of the non-empty runs of s between runes
 * of delim), in order. */
#define SPEC "pp"
void
vm_Sys_tokenize(VmThread *t, uint8_t *fp)
{
	const VmString *s = vm_string_at(AP(0)), *d = vm_string_at(AP(1));
	uint8_t *r = VM_BUILTIN_RET(fp);
	uint32_t head = VM_H, *tailp = &head;
	int32_t n = 0, first = 0, nc = vm_string_len(s);

	if (r == NULL)
		return;
	if (s == NULL || d == NULL) {
		*(int32_t *)r = 0;
		vm_ptr_set(t->vm, (uint32_t *)(r + 4), VM_H);
		return;
	}
	while (first < nc) {
		int32_t last;
		VmList *l;

		while (first < nc && is_delim(str_at(s, first), d))
			first++;
		for (last = first; last < nc && !is_delim(str_at(s, last), d); last++)
			;
		if (first == last)
			break;
		l = vm_heap_alloc(t->vm, t->vm->t_list, sizeof(VmList) + 4);
		if (l == NULL) {
			vm_destroy(t->vm, head);
			vm_raise(t, VM_EX_NOMEM);
		}
		l->tail = VM_H;
		l->tid = t->vm->t_ptr->id;
		*(uint32_t *)l->data = VM_H;
		*tailp = VM_WORD(l);
		tailp = &l->tail;
		*(uint32_t *)l->data = substring(t, s, first, last);
		first = last;
		n++;
	}
	*(int32_t *)r = n;
	vm_ptr_set(t->vm, (uint32_t *)(r + 4), head);
}
#undef SPEC

/* utfbytes(buf, n): how many of the first n bytes form whole runes. */
#define SPEC "pw"
void
vm_Sys_utfbytes(VmThread *t, uint8_t *fp)
{
	VmArray *a;
	const uint8_t *data = vm_array_check(t, AP(0), &a, 1);
	int32_t n = AW(1);
	size_t i = 0;

	if (a == NULL || (uint32_t)n > a->len)
		vm_raise(t, VM_EX_BOUNDS);
	while (i < (size_t)n && full_rune(data + i, (size_t)n - i)) {
		uint32_t r;
		i += (size_t)char_to_rune(&r, data + i, (size_t)n - i);
	}
	vm_sys_ret_int(fp, (int32_t)i);
}

/* byte2char(buf, n): (rune, bytes used, 1), (Runeerror, 1, 0) for a bad
 * byte, (Runeerror, 0, 0) when the rune is cut off at the end of buf. */
void
vm_Sys_byte2char(VmThread *t, uint8_t *fp)
{
	VmArray *a;
	const uint8_t *data = vm_array_check(t, AP(0), &a, 1);
	int32_t n = AW(1);
	int32_t *r = (int32_t *)VM_BUILTIN_RET(fp);
	uint32_t c;
	int w;

	if (a == NULL || (uint32_t)n >= a->len)
		vm_raise(t, VM_EX_BOUNDS);
	if (r == NULL)
		return;
	if (!full_rune(data + n, a->len - (uint32_t)n)) {
		r[0] = RUNE_ERROR, r[1] = 0, r[2] = 0;
		return;
	}
	w = char_to_rune(&c, data + n, a->len - (uint32_t)n);
	if (c == RUNE_ERROR && w == 1) {
		r[0] = RUNE_ERROR, r[1] = 1, r[2] = 0;
		return;
	}
	r[0] = (int32_t)c, r[1] = w, r[2] = 1;
}
#undef SPEC

/* char2byte(c, buf, n): writes rune c's UTF-8 at buf[n]; returns its
 * length, or 0 when it does not fit. */
#define SPEC "wpw"
void
vm_Sys_char2byte(VmThread *t, uint8_t *fp)
{
	int32_t c = AW(0), n = AW(2);
	VmArray *a;
	uint8_t *data = vm_array_check(t, AP(1), &a, 1);

	if (a == NULL || (uint32_t)n >= a->len)
		vm_raise(t, VM_EX_BOUNDS);
	if (c < 0 || c >= RUNE_MAX)
		c = RUNE_ERROR;
	if ((uint32_t)rune_len((uint32_t)c) > a->len - (uint32_t)n) {
		vm_sys_ret_int(fp, 0);
		return;
	}
	vm_sys_ret_int(fp, rune_to_char(data + n, (uint32_t)c));
}
#undef SPEC
