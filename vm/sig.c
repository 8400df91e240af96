/*
 * Limbo type-signature hashes and the signature strings of $Sys, $Math,
 * $Crypt and $Tensor.
 * See vm/sig.h for the encoding.
 */
#include "vm/sig.h"
#include "base/base.h"

#include <string.h>

/* Sys->FD and Tensor->T as they appear, fields named, at their first use in
 * a signature; later uses in the same signature are "@1" (the adt is the
 * first adt or tuple visited in every signature below that repeats it). */
#define SYS_FD "a(fd:i)"
#define TENSOR_T "a(rows:i,cols:i)"
/* Sys->Dir, with Sys->Qid inside it. */
#define SYS_DIR "a(name:s,uid:s,gid:s,muid:s,qid:a(path:B,vers:i,qtype:i),mode:i,atime:i," \
                "mtime:i,length:B,dtype:i,dev:i)"
/* Crypt->DigestState: its method copy is not part of the signature. */
#define CRYPT_DS "a(x:i)"

const VmSigEntry vm_sig_sys[] = {
	{"aprint", "f*(s)Ab"},                        /* fn(s: string, *): array of byte */
	{"byte2char", "f(Ab,i)t(i,i,i)"},             /* fn(buf: array of byte, n: int): (int, int, int) */
	{"char2byte", "f(i,Ab,i)i"},                  /* fn(c: int, buf: array of byte, n: int): int */
	{"chdir", "f(s)i"},                           /* fn(path: string): int */
	{"create", "f(s,i,i)R" SYS_FD},               /* fn(s: string, mode, perm: int): ref FD */
	{"dirread", "f(R" SYS_FD ")t(i,A" SYS_DIR ")"}, /* fn(fd: ref FD): (int, array of Dir) */
	{"dup", "f(i,i)i"},                           /* fn(old, new: int): int */
	{"fd2path", "f(R" SYS_FD ")s"},               /* fn(fd: ref FD): string */
	{"fildes", "f(i)R" SYS_FD},                   /* fn(fd: int): ref FD */
	{"fprint", "f*(R" SYS_FD ",s)i"},             /* fn(fd: ref FD, s: string, *): int */
	{"fstat", "f(R" SYS_FD ")t(i," SYS_DIR ")"},  /* fn(fd: ref FD): (int, Dir) */
	{"fwstat", "f(R" SYS_FD "," SYS_DIR ")i"},    /* fn(fd: ref FD, d: Dir): int */
	{"iounit", "f(R" SYS_FD ")i"},                /* fn(fd: ref FD): int */
	{"millisec", "f()i"},                         /* fn(): int */
	{"open", "f(s,i)R" SYS_FD},                   /* fn(s: string, mode: int): ref FD */
	{"pctl", "f(i,Li)i"},                         /* fn(flags: int, movefd: list of int): int */
	{"pipe", "f(AR" SYS_FD ")i"},                 /* fn(fds: array of ref FD): int */
	{"pread", "f(R" SYS_FD ",Ab,i,B)i"},          /* fn(fd: ref FD, buf: array of byte, n: int, off: big): int */
	{"print", "f*(s)i"},                          /* fn(s: string, *): int */
	{"pwrite", "f(R" SYS_FD ",Ab,i,B)i"},         /* as pread */
	{"read", "f(R" SYS_FD ",Ab,i)i"},             /* fn(fd: ref FD, buf: array of byte, n: int): int */
	{"remove", "f(s)i"},                          /* fn(s: string): int */
	{"seek", "f(R" SYS_FD ",B,i)B"},              /* fn(fd: ref FD, off: big, start: int): big */
	{"sleep", "f(i)i"},                           /* fn(period: int): int */
	{"sprint", "f*(s)s"},                         /* fn(s: string, *): string */
	{"stat", "f(s)t(i," SYS_DIR ")"},             /* fn(s: string): (int, Dir) */
	{"stream", "f(R" SYS_FD ",R@1,i)i"},          /* fn(src, dst: ref FD, bufsiz: int): int */
	{"tokenize", "f(s,s)t(i,Ls)"},                /* fn(s, delim: string): (int, list of string) */
	{"utfbytes", "f(Ab,i)i"},                     /* fn(buf: array of byte, n: int): int */
	{"werrstr", "f(s)i"},                         /* fn(s: string): int */
	{"write", "f(R" SYS_FD ",Ab,i)i"},            /* fn(fd: ref FD, buf: array of byte, n: int): int */
	{"wstat", "f(s," SYS_DIR ")i"},               /* fn(s: string, d: Dir): int */
	{NULL, NULL},
};

/* module/math.m, in mathmod.h's order. */
const VmSigEntry vm_sig_math[] = {
	{"FPcontrol", "f(i,i)i"}, {"FPstatus", "f(i,i)i"},
	{"acos", "f(r)r"}, {"acosh", "f(r)r"}, {"asin", "f(r)r"}, {"asinh", "f(r)r"},
	{"atan", "f(r)r"}, {"atan2", "f(r,r)r"}, {"atanh", "f(r)r"},
	{"bits32real", "f(i)r"}, {"bits64real", "f(B)r"},
	{"cbrt", "f(r)r"}, {"ceil", "f(r)r"}, {"copysign", "f(r,r)r"}, {"cos", "f(r)r"},
	{"cosh", "f(r)r"}, {"dot", "f(Ar,Ar)r"}, {"erf", "f(r)r"}, {"erfc", "f(r)r"},
	{"exp", "f(r)r"}, {"expm1", "f(r)r"},
	{"export_int", "f(Ab,Ai)n"}, {"export_real", "f(Ab,Ar)n"}, {"export_real32", "f(Ab,Ar)n"},
	{"fabs", "f(r)r"}, {"fdim", "f(r,r)r"}, {"finite", "f(r)i"}, {"floor", "f(r)r"},
	{"fmax", "f(r,r)r"}, {"fmin", "f(r,r)r"}, {"fmod", "f(r,r)r"},
	{"gemm", "f(i,i,i,i,i,r,Ar,i,Ar,i,r,Ar,i)n"},
	{"getFPcontrol", "f()i"}, {"getFPstatus", "f()i"},
	{"hypot", "f(r,r)r"}, {"iamax", "f(Ar)i"}, {"ilogb", "f(r)i"},
	{"import_int", "f(Ab,Ai)n"}, {"import_real", "f(Ab,Ar)n"}, {"import_real32", "f(Ab,Ar)n"},
	{"isnan", "f(r)i"}, {"j0", "f(r)r"}, {"j1", "f(r)r"}, {"jn", "f(i,r)r"},
	{"lgamma", "f(r)t(i,r)"}, {"log", "f(r)r"}, {"log10", "f(r)r"}, {"log1p", "f(r)r"},
	{"modf", "f(r)t(i,r)"}, {"nextafter", "f(r,r)r"}, {"norm1", "f(Ar)r"}, {"norm2", "f(Ar)r"},
	{"pow", "f(r,r)r"}, {"pow10", "f(i)r"}, {"realbits32", "f(r)i"}, {"realbits64", "f(r)B"},
	{"remainder", "f(r,r)r"}, {"rint", "f(r)r"}, {"scalbn", "f(r,i)r"}, {"sin", "f(r)r"},
	{"sinh", "f(r)r"}, {"sort", "f(Ar,Ai)n"}, {"sqrt", "f(r)r"}, {"tan", "f(r)r"},
	{"tanh", "f(r)r"}, {"y0", "f(r)r"}, {"y1", "f(r)r"}, {"yn", "f(i,r)r"},
	{NULL, NULL},
};

/* The part of module/crypt.m this VM provides. */
const VmSigEntry vm_sig_crypt[] = {
	{"DigestState.copy", "f(R" CRYPT_DS ")R@1"},  /* fn(d: self ref DigestState): ref DigestState */
	/* fn(buf: array of byte, n: int, digest: array of byte, state: ref DigestState): ref DigestState */
	{"md5", "f(Ab,i,Ab,R" CRYPT_DS ")R@1"},
	{"sha1", "f(Ab,i,Ab,R" CRYPT_DS ")R@1"},
	{NULL, NULL},
};

const VmSigEntry vm_sig_tensor[] = {
	/* fn(p, g, m, v: ref T, step: int, lr, beta1, beta2, eps: real) */
	{"adam", "f(R" TENSOR_T ",R@1,R@1,R@1,i,r,r,r,r)n"},
	{"addrow", "f(R" TENSOR_T ",R@1)n"},               /* fn(y, b: ref T) */
	{"correct", "f(R" TENSOR_T ",R@1)i"},              /* fn(logits, labels: ref T): int */
	/* fn(out, src: ref T, idx: array of int, start: int) */
	{"gather", "f(R" TENSOR_T ",R@1,Ai,i)n"},
	/* fn(c, a, b: ref T, transa, transb: int, alpha, beta: real) */
	{"gemm", "f(R" TENSOR_T ",R@1,R@1,i,i,r,r)n"},
	{"perm", "f(i,i)Ai"},                             /* fn(n, seed: int): array of int */
	{"progress", "f(s,i,i)n"},                        /* fn(label: string, done, total: int) */
	{"randn", "f(i,i,r,i)R" TENSOR_T},                /* fn(rows, cols: int, std: real, seed: int): ref T */
	{"readidx", "f(s)t(R" TENSOR_T ",s)"},            /* fn(path: string): (ref T, string) */
	{"relu", "f(R" TENSOR_T ",R@1)n"},                 /* fn(y, x: ref T) */
	{"relugrad", "f(R" TENSOR_T ",R@1,R@1)n"},         /* fn(dx, dy, x: ref T) */
	{"scale", "f(R" TENSOR_T ",r)n"},                  /* fn(t: ref T, a: real) */
	{"sgd", "f(R" TENSOR_T ",R@1,R@1,r,r)n"},          /* fn(p, g, v: ref T, lr, momentum: real) */
	{"sumrows", "f(R" TENSOR_T ",R@1,r)n"},            /* fn(db, dy: ref T, beta: real) */
	{"xent", "f(R" TENSOR_T ",R@1,R@1)r"},             /* fn(dlogits, logits, labels: ref T): real */
	{"zeros", "f(i,i)R" TENSOR_T},                    /* fn(rows, cols: int): ref T */
	{NULL, NULL},
};

uint32_t
vm_sig_hash(const char *sigstr)
{
	return ac_sig_hash(sigstr);
}

static const VmSigEntry *
table(const char *module)
{
	if (module == NULL)
		return NULL;
	if (module[0] == '$')
		module++;
	if (strcmp(module, "Sys") == 0)
		return vm_sig_sys;
	if (strcmp(module, "Tensor") == 0)
		return vm_sig_tensor;
	if (strcmp(module, "Math") == 0)
		return vm_sig_math;
	if (strcmp(module, "Crypt") == 0)
		return vm_sig_crypt;
	return NULL;
}

const char *
vm_sig_string(const char *module, const char *fn)
{
	const VmSigEntry *e = table(module);

	if (e == NULL || fn == NULL)
		return NULL;
	for (; e->name != NULL; e++)
		if (strcmp(e->name, fn) == 0)
			return e->sig;
	return NULL;
}

int
vm_sig_lookup(const char *module, const char *fn, uint32_t *hash)
{
	const char *s = vm_sig_string(module, fn);

	if (s == NULL)
		return AC_EINVAL;
	if (hash != NULL)
		*hash = vm_sig_hash(s);
	return AC_OK;
}
