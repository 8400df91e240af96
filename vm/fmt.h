/*
 * Inferno's print formatting (Sys->print, sprint, fprint, aprint) and the
 * real-to-string conversion of `string r`, as pure functions: no VM state,
 * strings reached through a callback.
 *
 * Follows: inferno-os libinterp/runt.c xprint() (walking the Limbo
 * varargs), lib9 fmt (flags, width, precision, %d %x %o %c %s), lib9
 * fmtquote (%q), libmath/gfltconv.c and g_fmt.c (%e %f %g, installed by
 * libinterp/math.c), man/2/sys-print.
 */
#ifndef VM_FMT_H
#define VM_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* Growable UTF-8 output. Start zeroed; vm_fmt appends and keeps p
 * NUL-terminated (the NUL is not counted in len) once anything has been
 * appended. Caller owns p; free with free(). */
typedef struct VmFmtBuf {
	char *p;    /* bytes, or NULL while empty */
	size_t len; /* bytes used */
	size_t cap; /* bytes allocated */
} VmFmtBuf;

/* Resolves a Dis string pointer word (the 32-bit value stored in the frame
 * at byte offset `at`) to UTF-8 bytes: sets *s and *len, and *tofree to a
 * buffer vm_fmt frees after use (or NULL). Returns 0, or -1 for a bad
 * pointer: the format is data a program may build at run time, so a %s may
 * meet an int, and the callback must check the word (the frame's pointer
 * map, the object's type) before it dereferences it. vm_fmt never calls it
 * for H (0), which prints as the empty string. */
typedef int (*VmFmtStrFn)(void *ctx, size_t at, uint32_t ptr, const char **s, size_t *len, char **tofree);

/* Formats fmt (fmtlen UTF-8 bytes, a Limbo format string) with the Limbo
 * varargs that start at args, and appends the result to out.
 *
 * Frame layout: args is at byte offset args_off of the callee frame, and
 * args_len bytes are readable there. Each argument sits at the next offset
 * aligned to its size, the alignment counted from the frame start: int
 * (%d %o %x %X %c, and each '*' width or precision) 4 bytes; string
 * (%s %q) a 4-byte pointer word; big (%bd %bx ...) and real (%e %f %g)
 * 8 bytes aligned to 8. An argument past args_len reads as 0 (nil).
 *
 * Verbs as Inferno prints them: flags '-' '+' ' ' '#' '0' ',' 'u' 'h' 'l',
 * width, precision, '*'; %d %o %x %X (signed unless 'u': %x of -1 is "-1",
 * %ux "ffffffff"), 'b' for big; %c a rune; %s (precision and width in
 * runes); %q quoted with '...' when empty or holding a quote, space or
 * control character, quotes doubled; %e %E %f %g %G with precision at most
 * 20 and padding always with spaces; plain %g or %G (no width, no
 * precision) the shortest round-trip form with no leading zero (see
 * vm_fmt_real); %r the string lasterr (may be NULL), consuming no argument;
 * %% a percent sign. Characters that are not verbs keep the conversion
 * going until a verb ("% d" is the space flag); a spec cut short by the end
 * of fmt prints nothing. An unexpected character inside a conversion prints
 * as lib9 does: "%z%" followed by the rest of the conversion.
 *
 * Ownership: fmt, args and lasterr are borrowed; out->p is the caller's.
 * Errors: AC_ENOMEM if the output cannot grow; AC_ERANGE if getstr rejects
 * a string pointer ("print: bad string pointer 0x... at frame offset N").
 * out keeps what was appended before the failure.
 * Thread safety: touches only out, err and what getstr touches. */
int vm_fmt(VmFmtBuf *out, const char *fmt, size_t fmtlen, const uint8_t *args, size_t args_len,
           size_t args_off, VmFmtStrFn getstr, void *ctx, const char *lasterr, AcErr *err);

/* Writes r as Inferno's plain %g does (and `string r`, cvtfc): the
 * shortest digits that read back as r, with no leading zero, and an
 * exponent when the decimal point is 4 or more places left of the first
 * digit or more than 5 places right of the last: ".1", "-.5",
 * ".3333333333333333", "1e+06", "1e-05", "6.02214076e+23", "100000",
 * "1152921504606847000", "0", "-0", "Infinity", "-Infinity", "NaN".
 * buf gets a NUL-terminated string, truncated to bufsz-1 bytes (32 bytes
 * always suffice). Pure; thread safe. Follows: libmath/g_fmt.c. */
void vm_fmt_real(char *buf, size_t bufsz, double r);

#endif
