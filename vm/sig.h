/*
 * Limbo type signatures: the 32-bit hash Inferno's limbo compiler stores for
 * every export and import of a .dis module. The builtin modules' signature
 * strings and hashes are not written here: limbo -t computes them from
 * the module/ declarations at build time (vm/builtin.h).
 *
 * A signature string encodes a type (limbo/types.c rtsign): one letter per
 * kind (i int, B big, b byte, r real, s string, n none, f fn, t tuple,
 * a adt, R ref, A array, L list, C chan, m module), a function as
 * "f" ["*" if varargs] "(" args ")" result with args unnamed and comma
 * separated, an adt as "a(" name ":" type "," ... ")", a tuple as
 * "t(" types ")", and a second occurrence of the same adt or tuple inside
 * one signature as "@N" (N its first-visit number, counting from 1).
 * Example: Sys->fprint, fn(fd: ref FD, s: string, *): int, is
 * "f*(Ra(fd:i),s)i".
 *
 * Follows: inferno-os limbo/types.c sign(), rtsign(), idsign().
 */
#ifndef VM_SIG_H
#define VM_SIG_H

#include <stdint.h>

/* The 32-bit hash of a signature string: MD5 of its bytes (no NUL), the
 * 16-byte digest read as four little-endian words XORed together.
 * Pure; thread safe. Follows: limbo/types.c sign(). */
uint32_t vm_sig_hash(const char *sigstr);

#endif
