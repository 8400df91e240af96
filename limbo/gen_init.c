/*
 * Initial values of globals, written into the module data the loader
 * builds: numbers, strings, tuples and adts of constants, and arrays of
 * them (`tab := array[] of {"a", "b"}`, `count := array[N] of big`,
 * `{0 to 9 => 1, * => 0}`), nested arrays too. Inside an array the items'
 * offsets count from its first element (DEFA, DIND ... DAPOP).
 *
 * Follows: shared/dis-facts.md (the data section); inferno-os
 * limbo/gen.b and dis.b (which global initialisers are constant: what a
 * data item can hold).
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/gen.h"

static int value(G *g, const LimboNode *e, LimboType *t, int off, int nested);

static int
scalar(G *g, const LimboConst *c, LimboType *t, int off, int nested)
{
	int64_t *w;

	switch (t->kind) {
	case LIMBO_TY_INT: case LIMBO_TY_BYTE:
		if (c->kind != LIMBO_C_INT && c->kind != LIMBO_C_REAL)
			return 0;
		if ((w = malloc(sizeof *w)) == NULL) {
			g->nomem = g->failed = 1;
			return 1;
		}
		*w = c->kind == LIMBO_C_REAL ? (int64_t)(c->r < 0 ? c->r - 0.5 : c->r + 0.5) : c->i;
		*w = t->kind == LIMBO_TY_BYTE ? (uint8_t)*w : (int32_t)(uint32_t)*w;
		limbo_cg_data(g, (GData){.kind = t->kind == LIMBO_TY_BYTE ? GD_BYTES : GD_WORDS, .off = off,
		                  .w = w, .len = 1, .nested = nested, .isvar = 1});
		return 1;
	case LIMBO_TY_BIG:
		if (c->kind != LIMBO_C_INT)
			return 0;
		limbo_cg_data(g, (GData){.kind = GD_BIG, .off = off, .v = c->i, .nested = nested, .isvar = 1});
		return 1;
	case LIMBO_TY_REAL:
		if (c->kind != LIMBO_C_INT && c->kind != LIMBO_C_REAL)
			return 0;
		limbo_cg_data(g, (GData){.kind = GD_REAL, .off = off, .r = c->kind == LIMBO_C_REAL ? c->r : (double)c->i,
		                  .nested = nested, .isvar = 1});
		return 1;
	case LIMBO_TY_STRING:
		if (c->kind != LIMBO_C_STRING)
			return 0;
		if (c->len > 0)
			limbo_cg_data(g, (GData){.kind = GD_STRING, .off = off, .s = c->s, .len = c->len,
			                  .nested = nested, .isvar = 1});
		return 1;
	}
	return 0;
}

/* The fields of an adt or tuple value from the expressions kids[first..]. */
static int
fields(G *g, const LimboNode *n, int first, LimboType *t, int off, int nested)
{
	LimboDecl *f = t->ids;

	limbo_ty_size(t);
	for (int i = first; i < n->nkids; i++, f = f->next) {
		while (f != NULL && f->store != LIMBO_D_FIELD)
			f = f->next;
		if (f == NULL || !value(g, n->kids[i], f->ty, off + f->offset, nested))
			return 0;
	}
	return 1;
}

/* Sets *lo..*hi (inclusive) from an element qualifier; 0 if not constant. */
static int
qualifier(G *g, const LimboNode *q, int64_t *lo, int64_t *hi)
{
	LimboConst a, b;

	if (q->kind == LIMBO_N_RANGE) {
		if (!limbo_cg_fold(g, q->kids[0], &a) || !limbo_cg_fold(g, q->kids[1], &b) || a.kind != LIMBO_C_INT ||
		    b.kind != LIMBO_C_INT)
			return 0;
		*lo = a.i;
		*hi = b.i;
		return 1;
	}
	if (!limbo_cg_fold(g, q, &a) || a.kind != LIMBO_C_INT)
		return 0;
	*lo = *hi = a.i;
	return 1;
}

static int
array(G *g, const LimboNode *n, LimboType *t, int off, int nested)
{
	LimboType *et = t->of;
	const LimboNode **at;
	const LimboNode *star = NULL;
	LimboConst c;
	int64_t len = 0, pos = 0;
	int esize, ok = 1;

	if (n->kids[0] != NULL) {
		if (!limbo_cg_fold(g, n->kids[0], &c) || c.kind != LIMBO_C_INT || c.i < 0 || c.i > (1 << 24))
			return 0;
		len = c.i;
	} else {
		/* array[] of {...}: as many as given, or the highest index + 1 */
		for (int i = 2; i < n->nkids; i++) {
			const LimboNode *e = n->kids[i];
			if (e->kind == LIMBO_N_ELEM && e->kids[0] != NULL) {
				for (int k = 0; k < e->kids[0]->nkids; k++) {
					int64_t lo, hi;
					if (e->kids[0]->kids[k]->kind == LIMBO_N_WILD)
						continue;
					if (!qualifier(g, e->kids[0]->kids[k], &lo, &hi))
						return 0;
					if (hi + 1 > len)
						len = hi + 1;
				}
			} else {
				len = ++pos > len ? pos : len;
			}
		}
		pos = 0;
	}
	if (len > (1 << 24))
		return 0;
	at = calloc((size_t)(len > 0 ? len : 1), sizeof *at);
	if (at == NULL) {
		g->nomem = g->failed = 1;
		return 1;
	}
	for (int i = 2; i < n->nkids && ok; i++) {
		const LimboNode *e = n->kids[i];
		if (e->kind == LIMBO_N_ELEM && e->kids[0] != NULL) {
			for (int k = 0; k < e->kids[0]->nkids && ok; k++) {
				const LimboNode *q = e->kids[0]->kids[k];
				int64_t lo, hi;
				if (q->kind == LIMBO_N_WILD) {
					star = e->kids[1];
					continue;
				}
				ok = qualifier(g, q, &lo, &hi) && lo >= 0 && hi < len;
				for (int64_t x = lo; ok && x <= hi; x++)
					at[x] = e->kids[1];
			}
		} else {
			const LimboNode *v = e->kind == LIMBO_N_ELEM ? e->kids[1] : e;
			ok = pos < len;
			if (ok)
				at[pos++] = v;
		}
	}
	if (!ok) {
		free(at);
		return 0;
	}
	limbo_cg_data(g, (GData){.kind = GD_ARRAY, .off = off, .v = len, .desc = limbo_cg_tydesc(g, et),
	                  .nested = nested, .isvar = 1});
	{
		int any = star != NULL;
		for (int64_t i = 0; i < len && !any; i++)
			any = at[i] != NULL;
		if (!any) {
			free(at);
			return 1;
		}
	}
	limbo_cg_data(g, (GData){.kind = GD_INDIR, .off = off, .v = 0, .nested = nested, .isvar = 1});
	esize = limbo_cg_size(et);
	for (int64_t i = 0; i < len && ok; i++) {
		const LimboNode *v = at[i] != NULL ? at[i] : star;
		if (v != NULL)
			ok = value(g, v, et, (int)(i * esize), 1);
	}
	limbo_cg_data(g, (GData){.kind = GD_APOP, .nested = nested, .isvar = 1});
	free(at);
	return ok;
}

static int
value(G *g, const LimboNode *e, LimboType *t, int off, int nested)
{
	LimboConst c;

	if (g->failed)
		return 1;
	if (e->kind == LIMBO_N_NIL)
		return 1;
	if (limbo_cg_fold(g, e, &c))
		return scalar(g, &c, t, off, nested);
	switch (e->kind) {
	case LIMBO_N_ARRAYNEW:
		return t->kind == LIMBO_TY_ARRAY && array(g, e, t, off, nested);
	case LIMBO_N_TUPLE:
		return (t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADT) && fields(g, e, 0, t, off, nested);
	case LIMBO_N_CAST:
		return value(g, e->kids[1], t, off, nested);
	case LIMBO_N_CALL:
		/* Adt(a, b): an adt value made of constants */
		return e->kids[0]->decl != NULL && e->kids[0]->decl->store == LIMBO_D_TYPE &&
		       t->kind == LIMBO_TY_ADT && fields(g, e, 1, t, off, nested);
	}
	return 0;
}

int
limbo_cg_global_init(G *g, const LimboNode *e, LimboType *t, int off)
{
	return value(g, e, t, off, 0);
}
