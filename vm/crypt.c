/*
 * $Crypt: the digests of Inferno's crypt module (module/crypt.m) that
 * programs such as limbo use: md5 and sha1 (through libmd), and
 * DigestState.copy. A `ref DigestState` is a heap object whose Limbo-
 * visible part is one int; the hash context follows it, hidden.
 *
 * md5(buf, n, digest, state): adds buf[0:n] (n clipped to len buf) to
 * state (a fresh one when nil); when digest is not nil, writes the final
 * value there and starts the state afresh. Returns the state.
 *
 * Follows: Inferno libinterp/crypt.c (crypt_digest_x, DigestState_copy);
 * man/2 keyring-sha1.
 */
#include "vm/vm_impl.h"

#include <md5.h>
#include <sha1.h>

#define ARG(k) vm_builtin_arg(fp, SPEC, (k))
#define AW(k) (*(int32_t *)ARG(k))
#define AP(k) (*(uint32_t *)ARG(k))

enum { DIGEST_MD5 = 1, DIGEST_SHA1 = 2 };

typedef struct DigestState {
	int32_t x;             /* Limbo-visible dummy (crypt.m) */
	int32_t kind;          /* DIGEST_*, 0 until first use */
	union {
		MD5_CTX md5;
		SHA1_CTX sha1;
	} u;
} DigestState;

static DigestState *
state_of(VmThread *t, uint32_t w)
{
	if (w == VM_H)
		return NULL;
	if (vm_ptr_bad(w) || VM_D2H(VM_PTR(w))->tid != t->vm->t_digest->id)
		vm_raise(t, "type not constructed correctly");
	return VM_PTR(w);
}

static DigestState *
state_new(VmThread *t)
{
	DigestState *s = vm_heap_new(t->vm, t->vm->t_digest);

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	return s;
}

static void
state_init(DigestState *s, int kind)
{
	s->kind = kind;
	if (kind == DIGEST_MD5)
		MD5Init(&s->u.md5);
	else
		SHA1Init(&s->u.sha1);
}

#define SPEC "pwpp"
static void
digest(VmThread *t, uint8_t *fp, int kind, uint32_t dlen)
{
	VmArray *buf, *dig;
	uint8_t *bufd = vm_array_check(t, AP(0), &buf, 1), *digd = vm_array_check(t, AP(2), &dig, 1);
	int32_t n = AW(1);
	DigestState *s = state_of(t, AP(3));
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (buf != NULL) {
		if (n < 0)
			vm_raise(t, VM_EX_BOUNDS);
		if ((uint32_t)n > buf->len)
			n = (int32_t)buf->len;
	} else if (n != 0) {
		vm_raise(t, "invalid argument");
	}
	if (dig != NULL && dig->len < dlen)
		vm_raise(t, "bad digest size");
	if (s == NULL)
		s = state_new(t);
	else
		vm_incref(VM_WORD(s));  /* the result takes a reference */
	if (s->kind != kind)
		state_init(s, kind);
	if (n > 0) {
		if (kind == DIGEST_MD5)
			MD5Update(&s->u.md5, bufd, (size_t)n);
		else
			SHA1Update(&s->u.sha1, bufd, (size_t)n);
	}
	if (dig != NULL) {
		if (kind == DIGEST_MD5)
			MD5Final(digd, &s->u.md5);
		else
			SHA1Final(digd, &s->u.sha1);
		state_init(s, kind);
	}
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(s));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(s));
}

static void
crypt_md5(VmThread *t, uint8_t *fp)
{
	digest(t, fp, DIGEST_MD5, MD5_DIGEST_LENGTH);
}

static void
crypt_sha1(VmThread *t, uint8_t *fp)
{
	digest(t, fp, DIGEST_SHA1, SHA1_DIGEST_LENGTH);
}
#undef SPEC

#define SPEC "p"
static void
crypt_digest_copy(VmThread *t, uint8_t *fp)
{
	DigestState *s = state_of(t, AP(0)), *c = NULL;
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (s != NULL) {
		c = state_new(t);
		memcpy(c, s, sizeof *c);
	}
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(c));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(c));
}
#undef SPEC

/* Hashes of the signature strings in the comments (vm/sig.c
 * vm_sig_crypt); an adt's methods are not part of its signature. */
static const VmBuiltinFunc crypt_funcs[] = {
	{"DigestState.copy", 0x6f7650ef, crypt_digest_copy, "p"},  /* f(Ra(x:i))R@1 */
	{"md5", 0x07656377, crypt_md5, "pwpp"},    /* f(Ab,i,Ab,Ra(x:i))R@1 */
	{"sha1", 0x07656377, crypt_sha1, "pwpp"},  /* f(Ab,i,Ab,Ra(x:i))R@1 */
};

void
vm_crypt_register(Vm *vm)
{
	vm->t_digest = vm_type_new(vm, (int32_t)sizeof(DigestState), 0, NULL);
	vm_builtin_register(vm, "$Crypt", crypt_funcs, (int)(sizeof crypt_funcs / sizeof crypt_funcs[0]), NULL);
}
