/*
 * Polymorphism in the checker: instances of polymorphic adts, binding
 * type variables at calls, substitution. See limbo/poly.h.
 *
 * Follows: inferno-os limbo/types.b (Tinst, expandtype, tunify) and
 * typecheck.b; only reference types may instantiate a type variable
 * ("int is not a pointer type").
 */
#include <string.h>

#include "limbo/poly.h"

int
limbo_poly_isinst(const LimboType *t)
{
	return t != NULL && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_ADTPICK) && t->decl != NULL &&
	       t->decl->ty != t && t->polys != NULL;
}

LimboType *
limbo_poly_inst(LimboChecker *c, LimboType *adt, LimboType **args, int nargs, const LimboNode *at)
{
	LimboDecl *head = NULL, **tail = &head, *p;
	LimboType *t;
	int i, bad = 0;
	char b[128];

	if (adt == NULL || adt->kind == LIMBO_TY_ERROR || nargs == 0)
		return adt;
	for (i = 0; i < nargs; i++)
		if (args[i] != NULL && !limbo_ty_isptr(args[i]) && at != NULL) {
			CK_ERR(c, at, "%s is not a pointer type", limbo_ty_str(args[i], b, sizeof b));
			bad = 1;
		}
	if (bad)
		return c->t_error;
	if (adt->kind != LIMBO_TY_ADT || adt->polys == NULL)
		return adt; /* Inferno lets it pass: nothing to instantiate */
	for (i = 0, p = adt->polys; p != NULL; p = p->next, i++) {
		LimboDecl *d = limbo_decl_new(c, p->name, LIMBO_D_TYPE, i < nargs && args[i] != NULL ? args[i] : p->ty, p->node);
		if (d == NULL)
			return adt;
		d->state = 2;
		d->dot = p->dot;
		*tail = d;
		tail = &d->next;
	}
	t = limbo_ty_new(c, LIMBO_TY_ADT, NULL);
	if (t == NULL)
		return adt;
	t->decl = adt->decl;
	t->ids = adt->ids;
	t->tags = adt->tags;
	t->polys = head;
	return t;
}

LimboType *
limbo_poly_bound(const LimboBinds *b, const LimboDecl *poly)
{
	for (int i = 0; i < b->n; i++)
		if (b->poly[i] == poly)
			return b->ty[i];
	return NULL;
}

void
limbo_poly_instbinds(const LimboType *inst, LimboBinds *b)
{
	const LimboDecl *g, *x;

	b->n = 0;
	if (!limbo_poly_isinst(inst) || inst->decl->ty == NULL)
		return;
	for (g = inst->decl->ty->polys, x = inst->polys; g != NULL && x != NULL && b->n < LIMBO_MAXBINDS;
	     g = g->next, x = x->next) {
		b->poly[b->n] = g;
		b->ty[b->n++] = x->ty;
	}
}

int
limbo_poly_bind(LimboType *pt, LimboType *at, LimboBinds *b, int depth)
{
	if (pt == NULL || at == NULL || depth > 64)
		return 1;
	if (at->kind == LIMBO_TY_ERROR || at->kind == LIMBO_TY_ANY)
		return 1;
	if (pt->kind == LIMBO_TY_POLY) {
		LimboType *old = limbo_poly_bound(b, pt->decl);
		if (at->kind == LIMBO_TY_NIL)
			return 1;
		if (!limbo_ty_isptr(at))
			return 0;
		if (old != NULL)
			return limbo_ty_equal(old, at) || limbo_ty_assignable(old, at);
		if (b->n == LIMBO_MAXBINDS)
			return 1;
		b->poly[b->n] = pt->decl;
		b->ty[b->n++] = at;
		return 1;
	}
	if (at->kind == LIMBO_TY_NIL)
		return 1;
	switch (pt->kind) {
	case LIMBO_TY_REF: case LIMBO_TY_LIST: case LIMBO_TY_ARRAY: case LIMBO_TY_CHAN:
		return at->kind != pt->kind || limbo_poly_bind(pt->of, at->of, b, depth + 1);
	case LIMBO_TY_ADT:
		/* Stack[T] against Stack[string]: their bindings pairwise */
		if (limbo_poly_isinst(pt) && limbo_poly_isinst(at) && pt->decl == at->decl)
			for (LimboDecl *x = pt->polys, *y = at->polys; x != NULL && y != NULL; x = x->next, y = y->next)
				if (!limbo_poly_bind(x->ty, y->ty, b, depth + 1))
					return 0;
		return 1;
	case LIMBO_TY_TUPLE: case LIMBO_TY_FN: {
		LimboDecl *x = pt->ids, *y = at->ids;
		if (at->kind != pt->kind)
			return 1;
		for (; x != NULL && y != NULL; x = x->next, y = y->next)
			if (!limbo_poly_bind(x->ty, y->ty, b, depth + 1))
				return 0;
		return pt->kind == LIMBO_TY_FN ? limbo_poly_bind(pt->of, at->of, b, depth + 1) : 1;
	}
	}
	return 1;
}

LimboType *
limbo_poly_subst(LimboChecker *c, LimboType *t, const LimboBinds *b, int depth)
{
	LimboType *x, *n;

	if (t == NULL || depth > 64 || b->n == 0)
		return t;
	switch (t->kind) {
	case LIMBO_TY_POLY:
		x = limbo_poly_bound(b, t->decl);
		return x != NULL ? x : t;
	case LIMBO_TY_REF: case LIMBO_TY_LIST: case LIMBO_TY_ARRAY: case LIMBO_TY_CHAN:
		x = limbo_poly_subst(c, t->of, b, depth + 1);
		if (x == t->of)
			return t;
		n = limbo_ty_new(c, t->kind, x);
		return n != NULL ? n : t;
	case LIMBO_TY_ADT: {
		LimboType *args[LIMBO_MAXBINDS];
		int na = 0, changed = 0;
		if (!limbo_poly_isinst(t))
			return t;
		for (LimboDecl *p = t->polys; p != NULL && na < LIMBO_MAXBINDS; p = p->next) {
			args[na] = limbo_poly_subst(c, p->ty, b, depth + 1);
			changed |= args[na++] != p->ty;
		}
		return changed ? limbo_poly_inst(c, t->decl->ty, args, na, NULL) : t;
	}
	case LIMBO_TY_TUPLE: {
		LimboDecl *head = NULL, **tail = &head;
		int changed = 0;
		for (LimboDecl *e = t->ids; e != NULL; e = e->next) {
			LimboDecl *d;
			x = limbo_poly_subst(c, e->ty, b, depth + 1);
			changed |= x != e->ty;
			d = limbo_decl_new(c, e->name, e->store, x, e->node);
			if (d == NULL)
				return t;
			d->state = 2;
			*tail = d;
			tail = &d->next;
		}
		if (!changed)
			return t;
		n = limbo_ty_new(c, LIMBO_TY_TUPLE, NULL);
		if (n == NULL)
			return t;
		n->ids = head;
		return n;
	}
	}
	return t;
}
