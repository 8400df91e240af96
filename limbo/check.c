/*
 * The type checker's entry: sets up the basic types, checks the file-scope
 * declarations, then global initialisers and every function body in file
 * order, and keeps the signatures it computed in the unit.
 *
 * Follows: inferno-os limbo/limbo.b (the order of its passes) and
 * typecheck.b.
 */
#include <stdio.h>
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

/* Modules reachable from a type (Inferno's modrefable): a module value
 * passed, returned or stored may be called through any of its functions,
 * so the caller imports its whole interface (linkall). */
typedef struct Reach {
	const LimboType **seen;
	int nseen, capseen;
	int bad;
} Reach;

static void
reach(LimboChecker *c, Reach *r, const LimboType *t, int depth)
{
	if (t == NULL || depth > 200)
		return;
	for (int i = 0; i < r->nseen; i++)
		if (r->seen[i] == t)
			return;
	if (r->nseen == r->capseen) {
		int nc = r->capseen ? r->capseen * 2 : 64;
		const LimboType **p = realloc(r->seen, (size_t)nc * sizeof *p);
		if (p == NULL) {
			r->bad = 1;
			return;
		}
		r->seen = p;
		r->capseen = nc;
	}
	r->seen[r->nseen++] = t;
	switch (t->kind) {
	case LIMBO_TY_REF: case LIMBO_TY_ARRAY: case LIMBO_TY_LIST: case LIMBO_TY_CHAN:
	case LIMBO_TY_ADTPICK:
		reach(c, r, t->of, depth + 1);
		break;
	case LIMBO_TY_MODULE: {
		int self = 0;
		for (int i = 0; i < c->nimpl; i++)
			self |= c->impl[i] == t;
		if (t->decl != NULL && !self) {
			const char **p = realloc(c->u->linkall, (size_t)(c->u->nlinkall + 1) * sizeof *p);
			if (p == NULL) {
				r->bad = 1;
				return;
			}
			c->u->linkall = p;
			p[c->u->nlinkall++] = t->decl->name;
		}
		for (const LimboDecl *d = t->ids; d != NULL; d = d->next) {
			if (d->store == LIMBO_D_FN || d->store == LIMBO_D_GLOBAL)
				reach(c, r, d->ty, depth + 1);
			else if (d->store == LIMBO_D_TYPE && d->ty != NULL && d->ty->kind == LIMBO_TY_ADT &&
			         d->ty->decl == d)
				for (const LimboDecl *f = d->ty->ids; f != NULL; f = f->next)
					if (f->store == LIMBO_D_FN)
						reach(c, r, f->ty, depth + 1);
		}
		/* its functions are all imported: their signatures too */
		if (t->decl != NULL && !self) {
			LimboDecl *fns[LIMBO_MAX_IFACE];
			int n = limbo_iface(t, LIMBO_D_FN, fns, LIMBO_MAX_IFACE);
			for (int i = 0; i < n; i++) {
				const char *name = fns[i]->name;
				if (fns[i]->dot != NULL && fns[i]->dot->ty != NULL && fns[i]->dot->ty->kind == LIMBO_TY_ADT) {
					size_t k = strlen(fns[i]->dot->name) + strlen(name) + 2;
					char *s = limbo_arena_alloc(c->a, k);
					if (s == NULL)
						return;
					snprintf(s, k, "%s.%s", fns[i]->dot->name, name);
					name = s;
				}
				limbo_sig_add(c, t->decl->name, name, fns[i]->ty, 0);
			}
		}
		break;
	}
	case LIMBO_TY_FN: case LIMBO_TY_ADT: case LIMBO_TY_TUPLE: case LIMBO_TY_EXCEPTION:
		for (const LimboDecl *d = t->ids; d != NULL; d = d->next)
			if (d->store != LIMBO_D_FN)
				reach(c, r, d->ty, depth + 1);
		for (const LimboDecl *g = t->tags; g != NULL; g = g->next)
			if (g->ty != NULL)
				for (const LimboDecl *d = g->ty->ids; d != NULL; d = d->next)
					reach(c, r, d->ty, depth + 1);
		for (const LimboDecl *d = t->polys; d != NULL; d = d->next)
			reach(c, r, d->ty, depth + 1);
		if (t->kind == LIMBO_TY_FN)
			reach(c, r, t->of, depth + 1);
		break;
	default:
		break;
	}
}

/* The modules imported whole: reachable from the types of the implemented
 * modules' members and of the other modules' functions used. */
static void
linkall(LimboChecker *c)
{
	Reach r = {NULL, 0, 0, 0};
	int nused = c->nused;

	for (int i = 0; i < c->nimpl; i++)
		for (const LimboDecl *d = c->impl[i]->ids; d != NULL; d = d->next) {
			if (d->store == LIMBO_D_FN || d->store == LIMBO_D_GLOBAL)
				reach(c, &r, d->ty, 0);
			else if (d->store == LIMBO_D_TYPE && d->ty != NULL && d->ty->kind == LIMBO_TY_ADT &&
			         d->ty->decl == d)
				for (const LimboDecl *f = d->ty->ids; f != NULL; f = f->next)
					if (f->store == LIMBO_D_FN)
						reach(c, &r, f->ty, 0);
		}
	for (int i = 0; i < nused; i++)
		reach(c, &r, c->used[i], 0);
	/* each module's data, for its ".mp" link */
	for (int i = 0; i < LIMBO_GLOBAL_BUCKETS; i++)
		for (LimboSym *s = c->global[i]; s != NULL; s = s->next) {
			LimboDecl *d = s->d;
			const char *str;
			int self = 0;
			if (d->store != LIMBO_D_TYPE || d->ty == NULL || d->ty->kind != LIMBO_TY_MODULE ||
			    d->ty->decl != d || (str = limbo_mp_sigstr(c, d->ty)) == NULL)
				continue;
			for (int k = 0; k < c->nimpl; k++)
				self |= c->impl[k] == d->ty;
			limbo_sig_addstr(c, d->name, ".mp", NULL, str, 0);
			if (self)
				limbo_sig_addstr(c, d->name, ".mp", NULL, str, 1);
		}
	if (r.bad)
		c->a->nomem = 1;
	free(r.seen);
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
	if (limbo_unit_nerrors(u) == 0)
		linkall(c);
	if (c->a->nomem || u->nomem)
		goto fail;
	u->sigs = c->sigs;
	u->nsigs = c->nsigs;
	free(c->used);
	free(c);
	return AC_OK;
fail:
	free(c->sigs);
	free(c->used);
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
