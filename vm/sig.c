/*
 * Limbo type-signature hashes and the signature strings of $Sys and $Tensor.
 * See vm/sig.h for the encoding.
 */
#include "vm/sig.h"
#include "base/base.h"

#include <md5.h>
#include <string.h>

/* Sys->FD and Tensor->T as they appear, fields named, at their first use in
 * a signature; later uses in the same signature are "@1" (the adt is the
 * first adt or tuple visited in every signature below that repeats it). */
#define SYS_FD "a(fd:i)"
#define TENSOR_T "a(rows:i,cols:i)"

const VmSigEntry vm_sig_sys[] = {
	{"aprint", "f*(s)Ab"},               /* fn(s: string, *): array of byte */
	{"fildes", "f(i)R" SYS_FD},          /* fn(fd: int): ref FD */
	{"fprint", "f*(R" SYS_FD ",s)i"},    /* fn(fd: ref FD, s: string, *): int */
	{"millisec", "f()i"},                /* fn(): int */
	{"print", "f*(s)i"},                 /* fn(s: string, *): int */
	{"sprint", "f*(s)s"},                /* fn(s: string, *): string */
	{"write", "f(R" SYS_FD ",Ab,i)i"},   /* fn(fd: ref FD, buf: array of byte, n: int): int */
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
	MD5_CTX ctx;
	uint8_t d[MD5_DIGEST_LENGTH];
	uint32_t h = 0;
	int i;

	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)sigstr, strlen(sigstr));
	MD5Final(d, &ctx);
	for (i = 0; i < MD5_DIGEST_LENGTH; i += 4)
		h ^= (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 |
		     (uint32_t)d[i + 3] << 24;
	return h;
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
