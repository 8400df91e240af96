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
#include "gen/vm/cryptmod.h"

#include <md5.h>
#include <stdlib.h>
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

/* $Crypt's state in a runtime (vm_builtin_state). */
typedef struct CryptState {
	VmType *t_digest;      /* Crypt->DigestState, hash context included */
} CryptState;

/* A `ref DigestState` argument: nil, or one this module made (the
 * marshaller admits no other object, vm_builtin_adt). */
static DigestState *
state_of(VmThread *t, uint32_t w)
{
	const CryptState *cs = vm_builtin_state(t->vm, &vm_crypt_def);

	/* The marshaller admits nothing else; checked again, as cheap. */
	if (w == VM_H)
		return NULL;
	if (vm_ptr_bad(w) || VM_D2H(VM_PTR(w))->tid != cs->t_digest->id)
		vm_raise(t, "type not constructed correctly");
	return VM_PTR(w);
}

static DigestState *
state_new(VmThread *t)
{
	const CryptState *cs = vm_builtin_state(t->vm, &vm_crypt_def);
	DigestState *s = vm_heap_new(t->vm, cs->t_digest);

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

void
vm_Crypt_md5(VmThread *t, uint8_t *fp)
{
	digest(t, fp, DIGEST_MD5, MD5_DIGEST_LENGTH);
}

void
vm_Crypt_sha1(VmThread *t, uint8_t *fp)
{
	digest(t, fp, DIGEST_SHA1, SHA1_DIGEST_LENGTH);
}
#undef SPEC

#define SPEC "p"
void
vm_DigestState_copy(VmThread *t, uint8_t *fp)
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

static int
crypt_init(Vm *vm, void **state, AcErr *err)
{
	CryptState *cs = ac_calloc(1, sizeof *cs, "$Crypt", err);

	*state = cs;
	if (cs == NULL)
		return AC_ENOMEM;
	cs->t_digest = vm_type_new(vm, (int32_t)sizeof(DigestState), 0, NULL);
	if (cs->t_digest == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Crypt: out of memory");
	/* the state is hidden: only this module makes one */
	return vm_builtin_adt(vm, VM_CRYPT_PATH, VM_CRYPT_ADT_DigestState, cs->t_digest);
}

static void
crypt_release(Vm *vm, void *state)
{
	CryptState *cs = state;

	vm_type_unref(vm, cs->t_digest);
	cs->t_digest = NULL;
}

static void
crypt_fini(Vm *vm, void *state)
{
	(void)vm;
	free(state);
}

const VmBuiltinDef vm_crypt_def = {
	VM_CRYPT_PATH, vm_Crypt_tab, VM_CRYPT_NFUNCS, crypt_init, crypt_release, crypt_fini,
};
