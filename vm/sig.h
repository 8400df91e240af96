/*
 * Limbo type signatures: the 32-bit hash Inferno's limbo compiler stores for
 * every export and import of a .dis module, and the signature strings of the
 * builtin modules this VM provides.
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
 * Follows: inferno-os limbo/types.c sign(), rtsign(), idsign();
 * libinterp/sysmod.h and mathmod.h for the known values.
 */
#ifndef VM_SIG_H
#define VM_SIG_H

#include <stdint.h>

/* One function of a builtin module and its signature string. */
typedef struct VmSigEntry {
	const char *name; /* function name as in the .m file ("print") */
	const char *sig;  /* signature string ("f*(s)i") */
} VmSigEntry;

/* Signature strings of $Sys (Inferno's module/sys.m, the functions this VM
 * provides) and $Tensor (module/tensor.m). Each table ends with a
 * {NULL, NULL} entry. Static storage; thread safe. */
extern const VmSigEntry vm_sig_sys[];
extern const VmSigEntry vm_sig_tensor[];
/* The same for $Math (Inferno's module/math.m, all of it) and $Crypt
 * (module/crypt.m: md5, sha1, DigestState.copy). */
extern const VmSigEntry vm_sig_math[];
extern const VmSigEntry vm_sig_crypt[];

/* The 32-bit hash of a signature string: MD5 of its bytes (no NUL), the
 * 16-byte digest read as four little-endian words XORed together.
 * Example: vm_sig_hash("f*(s)i") == 0xac849033 (Sys->print).
 * Pure; thread safe. Follows: limbo/types.c sign(). */
uint32_t vm_sig_hash(const char *sigstr);

/* Finds function fn of builtin module `module` ("Sys", "Math", "Crypt" or
 * "Tensor", with or without the leading "$") and stores its hash in *hash (may be NULL).
 * Returns AC_OK, or AC_EINVAL if the module or function is unknown.
 * Thread safe. */
int vm_sig_lookup(const char *module, const char *fn, uint32_t *hash);

/* As vm_sig_lookup, but returns the signature string (static storage), or
 * NULL if unknown. */
const char *vm_sig_string(const char *module, const char *fn);

#endif
