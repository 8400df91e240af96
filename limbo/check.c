/*
 * The type checker's entry: sets up the basic types, checks the file-scope
 * declarations, then global initialisers and every function body in file
 * order, and keeps the signatures it computed in the unit.
 *
 * Follows: inferno-os limbo/limbo.b (the order of its passes) and
 * typecheck.b.
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"

static LimboType *
basic(LimboChecker *c, int kind)
{
	LimboType *t = limbo_arena_alloc(c->a, sizeof *t);

	if (t != NULL) {
		t->kind = kind;
		limbo_ty_size(t);
	}
	return t;
}

static void
global_var(LimboChecker *c, const LimboNode *n)
{
	const LimboNode *ids = n->kids[0];

	if (n->kids[2] == NULL)
		return;
	/* the names were entered and typed with the declarations */
	for (int i = 0; ids != NULL && i < ids->nkids; i++) {
		LimboDecl *d = ids->kids[i] != NULL ? limbo_lookup(c, ids->kids[i]->name) : NULL;
		if (d != NULL && d->store == LIMBO_D_GLOBAL) {
			limbo_exp_want(c, n->kids[2], d->ty, "initial value");
			return;
		}
	}
}

int
limbo_check(LimboUnit *u, AcErr *err)
{
	LimboChecker *c;
	const LimboNode *root;
	int rc = AC_OK;

	if (u == NULL || u->checked) {
		ac_err_set(err, AC_EINVAL, "limbo_check: no unit, or checked already");
		return AC_EINVAL;
	}
	u->checked = 1;
	c = ac_calloc(1, sizeof *c, "limbo checker", err);
	if (c == NULL)
		return AC_ENOMEM;
	c->u = u;
	c->a = &u->arena;
	c->iota = -1;
	c->t_error = basic(c, LIMBO_TY_ERROR);
	c->t_none = basic(c, LIMBO_TY_NONE);
	c->t_int = basic(c, LIMBO_TY_INT);
	c->t_big = basic(c, LIMBO_TY_BIG);
	c->t_byte = basic(c, LIMBO_TY_BYTE);
	c->t_real = basic(c, LIMBO_TY_REAL);
	c->t_string = basic(c, LIMBO_TY_STRING);
	c->t_nil = basic(c, LIMBO_TY_NIL);
	c->t_any = basic(c, LIMBO_TY_ANY);
	c->t_exception = basic(c, LIMBO_TY_EXCEPTION);
	if (c->a->nomem)
		goto fail;
	root = limbo_unit_root(u);
	limbo_check_decls(c, root);
	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *n = root->kids[i];
		int k;
		if (n == NULL)
			continue;
		if (n->kind == LIMBO_N_VARDECL)
			global_var(c, n);
		else if (n->kind == LIMBO_N_DECLAS || n->kind == LIMBO_N_ASSIGN)
			(void)limbo_exp(c, n, &k); /* `x = v;` at file scope: x's initial value */
	}
	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *n = root->kids[i];
		if (n != NULL && n->kind == LIMBO_N_FNDEF)
			limbo_check_fn(c, n);
	}
	limbo_check_returns(c, root);
	if (c->a->nomem || u->nomem)
		goto fail;
	u->sigs = c->sigs;
	u->nsigs = c->nsigs;
	free(c);
	return AC_OK;
fail:
	free(c->sigs);
	free(c);
	ac_err_set(err, AC_ENOMEM, "out of memory type checking");
	rc = AC_ENOMEM;
	return rc;
}

int
limbo_unit_nsigs(const LimboUnit *u)
{
	return u != NULL ? u->nsigs : 0;
}

const LimboSig *
limbo_unit_sig(const LimboUnit *u, int i)
{
	return u != NULL && i >= 0 && i < u->nsigs ? &u->sigs[i] : NULL;
}
