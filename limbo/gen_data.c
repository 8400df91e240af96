/*
 * Adts, tuples, pick, ref, arrays, slices, lists and strings: member
 * access (value adts and tuples by offset, ref adts through their pointer),
 * indexing (ind[bwlfx] leave the element's address in a word; strings
 * read with indc and store with insc), slices (slicea, slicec, slicela),
 * building tuples, adt values, pick cases and `ref` values (new, then the
 * fields), arrays (newa/newaz and their initialisers), lists (cons), and
 * the pick statement (a case on the tag word).
 *
 * Follows: the Dis VM specification (doc/dis.ms: indx, slicea, slicela,
 * insc, cons, new, newa, case); inferno-os limbo/ecom.b and com.b for how
 * Inferno's compiler maps these constructs (arrays: the `*` value first,
 * then the listed ones, a range's value evaluated for each element; pick:
 * `case` on word 0 of the referenced adt, with a jump table in module
 * data).
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

/* A direct slot for a value being built: dst itself when it is one. */
static GOpd
direct_target(G *g, const GOpd *dst, LimboType *t)
{
	return dst != NULL && !limbo_cg_isind(*dst) && dst->mode != G_NONE ? *dst : limbo_cg_tmp(g, t);
}

/* An int operand usable as a middle operand. */
static GOpd
int_direct(G *g, const LimboNode *n)
{
	return limbo_cg_direct(g, &limbo_cg_t_int, limbo_cg_expt(g, n, &limbo_cg_t_int, NULL));
}

/* The i'th field (store FIELD) of an adt, pick case or tuple. */
static LimboDecl *
nth_field(LimboDecl *f, int i)
{
	for (; f != NULL; f = f->next)
		if (f->store == LIMBO_D_FIELD && i-- == 0)
			return f;
	return NULL;
}

/* The field that DOT n names, with its type's layout computed. */
static LimboDecl *
dot_field(const LimboNode *n)
{
	LimboType *t = n->kids[0]->ty;
	const char *name = n->kids[1] != NULL ? n->kids[1]->name : NULL;

	if (t != NULL && t->kind == LIMBO_TY_REF)
		t = t->of;
	if (t == NULL || name == NULL)
		return NULL;
	limbo_ty_size(t);
	if (t->kind == LIMBO_TY_ADTPICK)
		limbo_ty_size(t->of);
	if ((t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_EXCEPTION) && name[0] == 't' &&
	    (n->decl == NULL || n->decl->store != LIMBO_D_FIELD)) {
		char *end;
		long i = strtol(name + 1, &end, 10);
		LimboDecl *e = t->ids;
		if (*end != 0 || end == name + 1)
			return NULL;
		for (; e != NULL && i > 0; i--)
			e = e->next;
		return e;
	}
	if (n->decl == NULL || n->decl->store != LIMBO_D_FIELD)
		return NULL;
	return n->decl;
}

/* Where the field n (a DOT) is: lval asks for an assignable place. */
static GOpd
dot_place(G *g, const LimboNode *n, int lval)
{
	const LimboNode *x = n->kids[0];
	LimboDecl *f = dot_field(n);
	GOpd v;

	if (f == NULL) {
		limbo_cg_notimpl(g, n, "this member access");
		return limbo_cg_none;
	}
	if (x->ty->kind == LIMBO_TY_REF) {
		v = limbo_cg_base(g, limbo_cg_exp(g, x, NULL));
		return limbo_cg_ind(v, f->offset);
	}
	if (lval)
		v = limbo_cg_lval(g, x);
	else
		v = limbo_cg_exp(g, x, NULL);
	if (v.mode == G_NONE || v.mode == G_IMM)
		return limbo_cg_none;
	return limbo_cg_offset(v, f->offset);
}

GOpd
limbo_cg_dot(G *g, const LimboNode *n, const GOpd *dst)
{
	GOpd v = dot_place(g, n, 0);

	if (g->failed)
		return limbo_cg_none;
	return limbo_cg_deliver(g, n->ty, v, dst);
}

GOpd
limbo_cg_dot_lval(G *g, const LimboNode *n)
{
	return dot_place(g, n, 1);
}

/* The instruction that leaves the address of an element of type t. */
static int
index_op(LimboType *t)
{
	switch (t->kind) {
	case LIMBO_TY_BYTE: return DIS_OP_INDB;
	case LIMBO_TY_INT: case LIMBO_TY_FIXED: return DIS_OP_INDW;
	case LIMBO_TY_BIG: return DIS_OP_INDL;
	case LIMBO_TY_REAL: return DIS_OP_INDF;
	case LIMBO_TY_ADT: case LIMBO_TY_ADTPICK: case LIMBO_TY_TUPLE: case LIMBO_TY_EXCEPTION:
		return DIS_OP_INDX;
	default: return DIS_OP_INDW; /* pointers are words */
	}
}

/* The element at index i of array a, as an operand through a word that
 * holds its address. */
static GOpd
element(G *g, LimboType *at, GOpd a, GOpd i)
{
	GOpd addr = limbo_cg_tmpword(g, 0);

	limbo_cg_emit(g, index_op(at->of), a, addr, i);
	return limbo_cg_ind(addr, 0);
}

static GOpd
index_place(G *g, const LimboNode *n)
{
	const LimboNode *x = n->kids[0];
	GOpd a, i;

	if (n->nkids != 2 || x->ty == NULL || x->ty->kind != LIMBO_TY_ARRAY) {
		limbo_cg_notimpl(g, n, "indexing of this");
		return limbo_cg_none;
	}
	a = limbo_cg_exp(g, x, NULL);
	i = limbo_cg_expt(g, n->kids[1], &limbo_cg_t_int, NULL);
	if (g->failed)
		return limbo_cg_none;
	return element(g, x->ty, a, i);
}

GOpd
limbo_cg_index(G *g, const LimboNode *n, const GOpd *dst)
{
	const LimboNode *x = n->kids[0];

	if (g->failed)
		return limbo_cg_none;
	if (n->nkids == 2 && x->ty != NULL && x->ty->kind == LIMBO_TY_STRING) {
		GOpd s = limbo_cg_exp(g, x, NULL), i = int_direct(g, n->kids[1]);
		GOpd d = dst != NULL ? *dst : limbo_cg_tmp(g, &limbo_cg_t_int);
		limbo_cg_emit(g, DIS_OP_INDC, s, i, d);
		return d;
	}
	return limbo_cg_deliver(g, n->ty, index_place(g, n), dst);
}

GOpd
limbo_cg_index_lval(G *g, const LimboNode *n)
{
	return index_place(g, n);
}

void
limbo_cg_string_store(G *g, const LimboNode *l, GOpd c)
{
	GOpd i, s;

	if (g->failed)
		return;
	if (l->nkids != 2) {
		limbo_cg_notimpl(g, l, "this string element assignment");
		return;
	}
	i = int_direct(g, l->kids[1]);
	s = limbo_cg_lval(g, l->kids[0]);
	limbo_cg_emit(g, DIS_OP_INSC, c, i, s);
}

GOpd
limbo_cg_slice(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *t = n->ty;
	int isstr = t->kind == LIMBO_TY_STRING;
	GOpd v, lo, hi, d;

	if (g->failed)
		return limbo_cg_none;
	if (!isstr && t->kind != LIMBO_TY_ARRAY) {
		limbo_cg_notimpl(g, n, "slices of this type");
		return limbo_cg_none;
	}
	v = limbo_cg_exp(g, n->kids[0], NULL);
	lo = n->kids[1] != NULL ? int_direct(g, n->kids[1]) : limbo_cg_opd(G_IMM, 0, 0);
	if (n->kids[2] != NULL) {
		hi = int_direct(g, n->kids[2]);
	} else {
		hi = limbo_cg_tmp(g, &limbo_cg_t_int);
		limbo_cg_emit(g, isstr ? DIS_OP_LENC : DIS_OP_LENA, v, limbo_cg_none, hi);
	}
	d = dst != NULL ? *dst : limbo_cg_tmp(g, t);
	limbo_cg_move(g, t, v, d);
	limbo_cg_emit(g, isstr ? DIS_OP_SLICEC : DIS_OP_SLICEA, lo, hi, d);
	return d;
}

GOpd
limbo_cg_slice_assign(G *g, const LimboNode *l, const LimboNode *r)
{
	GOpd s, lo, a;

	if (g->failed)
		return limbo_cg_none;
	if (l->kids[0]->ty == NULL || l->kids[0]->ty->kind != LIMBO_TY_ARRAY || l->kids[2] != NULL) {
		limbo_cg_notimpl(g, l, "this slice assignment");
		return limbo_cg_none;
	}
	s = limbo_cg_expt(g, r, l->kids[0]->ty, NULL);
	lo = l->kids[1] != NULL ? int_direct(g, l->kids[1]) : limbo_cg_opd(G_IMM, 0, 0);
	a = limbo_cg_exp(g, l->kids[0], NULL);
	limbo_cg_emit(g, DIS_OP_SLICELA, s, lo, a);
	return a;
}

/* Stores the values kids[first..] of n into the fields of d (fields). */
static void
fill(G *g, const LimboNode *n, int first, LimboDecl *fields, GOpd d)
{
	for (int i = first; i < n->nkids && !g->failed; i++) {
		LimboDecl *f = nth_field(fields, 0);
		GOpd fd;
		int mark;
		if (f == NULL) {
			limbo_cg_notimpl(g, n, "more values than fields");
			return;
		}
		fd = limbo_cg_offset(d, f->offset);
		mark = limbo_cg_tmpmark(g);
		limbo_cg_expt(g, n->kids[i], f->ty, &fd);
		limbo_cg_tmprelease(g, mark);
		fields = f->next;
	}
}

GOpd
limbo_cg_tuple(G *g, const LimboNode *n, LimboType *t, const GOpd *dst)
{
	GOpd d;

	if (g->failed)
		return limbo_cg_none;
	if (t == NULL || (t->kind != LIMBO_TY_TUPLE && t->kind != LIMBO_TY_ADT)) {
		limbo_cg_notimpl(g, n, "a tuple of this type");
		return limbo_cg_none;
	}
	limbo_ty_size(t);
	d = dst != NULL && dst->mode != G_NONE ? *dst : limbo_cg_tmp(g, t);
	fill(g, n, 0, t->ids, d);
	return d;
}

GOpd
limbo_cg_construct(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboDecl *td = n->kids[0]->decl;
	LimboType *t = td != NULL ? td->ty : NULL;
	GOpd d;

	if (g->failed)
		return limbo_cg_none;
	if (td != NULL && td->store == LIMBO_D_EXC) {
		limbo_cg_notimpl(g, n, "exception values E(...)");
		return limbo_cg_none;
	}
	if (td == NULL || t == NULL ||
	    !((td->store == LIMBO_D_TYPE && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE)) ||
	      (td->store == LIMBO_D_TAG && t->kind == LIMBO_TY_ADTPICK && t->of != NULL))) {
		limbo_cg_notimpl(g, n, "this value constructor");
		return limbo_cg_none;
	}
	limbo_ty_size(t);
	d = dst != NULL && dst->mode != G_NONE ? *dst : limbo_cg_tmp(g, t);
	if (t->kind == LIMBO_TY_ADTPICK) {
		/* the tag word, the adt's common fields, then the case's */
		int ncommon = 0;
		limbo_ty_size(t->of);
		for (LimboDecl *f = t->of->ids; f != NULL; f = f->next)
			ncommon += f->store == LIMBO_D_FIELD;
		if (n->nkids - 1 < ncommon) {
			limbo_cg_notimpl(g, n, "fewer values than fields");
			return limbo_cg_none;
		}
		limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, t->tag, 0), limbo_cg_none, limbo_cg_offset(d, 0));
		{
			LimboNode part = *n;
			part.nkids = 1 + ncommon;
			fill(g, &part, 1, t->of->ids, d);
		}
		for (int i = 1 + ncommon; i < n->nkids && !g->failed; i++) {
			LimboDecl *f = nth_field(t->ids, i - 1 - ncommon);
			GOpd fd;
			if (f == NULL) {
				limbo_cg_notimpl(g, n, "more values than fields");
				return limbo_cg_none;
			}
			fd = limbo_cg_offset(d, f->offset);
			limbo_cg_expt(g, n->kids[i], f->ty, &fd);
		}
		return d;
	}
	fill(g, n, 1, t->ids, d);
	return d;
}

GOpd
limbo_cg_ref(G *g, const LimboNode *n, const GOpd *dst)
{
	const LimboNode *x = n->kids[0];
	LimboType *t = n->ty->of;
	GOpd p, v = limbo_cg_none;
	int inplace;

	if (g->failed)
		return limbo_cg_none;
	if (t == NULL || (t->kind != LIMBO_TY_ADT && t->kind != LIMBO_TY_ADTPICK)) {
		limbo_cg_notimpl(g, n, "ref of this type");
		return limbo_cg_none;
	}
	limbo_ty_size(t);
	/* Adt(...) and Tag(...) are built in the new object; other values
	 * are evaluated first */
	inplace = x->ty == NULL ||
	          (x->kind == LIMBO_N_CALL && x->kids[0]->decl != NULL &&
	           (x->kids[0]->decl->store == LIMBO_D_TYPE || x->kids[0]->decl->store == LIMBO_D_TAG));
	if (!inplace)
		v = limbo_cg_exp(g, x, NULL);
	p = direct_target(g, dst, n->ty);
	limbo_cg_emit(g, DIS_OP_NEW, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, t), 0), limbo_cg_none, p);
	if (x->ty == NULL) {
		/* ref Adt: zeroed (a pick case's tag set) */
		if (t->kind == LIMBO_TY_ADTPICK)
			limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, t->tag, 0), limbo_cg_none, limbo_cg_ind(p, 0));
	} else if (inplace) {
		GOpd o = limbo_cg_ind(p, 0);
		limbo_cg_construct(g, x, &o);
	} else {
		limbo_cg_move(g, t, v, limbo_cg_ind(p, 0));
	}
	return limbo_cg_deliver(g, n->ty, p, dst);
}

/* Sets *v to the constant int n; 0 if it is not one. */
static int
const_int(G *g, const LimboNode *n, int64_t *v)
{
	LimboConst c;

	if (!limbo_cg_fold(g, n, &c) || c.kind != LIMBO_C_INT)
		return 0;
	*v = c.i;
	return 1;
}

/* Stores the value e into element i (an int operand) of array a. */
static void
store_elem(G *g, LimboType *at, GOpd a, GOpd i, const LimboNode *e)
{
	int mark = limbo_cg_tmpmark(g);
	GOpd addr = limbo_cg_tmpword(g, 0), d;

	limbo_cg_emit(g, index_op(at->of), a, addr, i);
	d = limbo_cg_ind(addr, 0);
	limbo_cg_expt(g, e, at->of, &d);
	limbo_cg_tmprelease(g, mark);
}

GOpd
limbo_cg_arraynew(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *at = n->ty, *et = at->of;
	GOpd len, a, i;
	const LimboNode *star = NULL;
	int64_t pos = 0, nlen = 0;

	if (g->failed)
		return limbo_cg_none;
	if (et == NULL || et->kind == LIMBO_TY_ERROR) {
		limbo_cg_notimpl(g, n, "an array of this type");
		return limbo_cg_none;
	}
	limbo_ty_size(et);
	/* the length: given, or the number of values, or the highest index + 1 */
	if (n->kids[0] != NULL) {
		len = limbo_cg_expt(g, n->kids[0], &limbo_cg_t_int, NULL);
	} else {
		for (int k = 2; k < n->nkids; k++) {
			const LimboNode *e = n->kids[k];
			if (e->kind == LIMBO_N_ELEM && e->kids[0] != NULL) {
				for (int q = 0; q < e->kids[0]->nkids; q++) {
					const LimboNode *x = e->kids[0]->kids[q];
					int64_t hi;
					if (x->kind == LIMBO_N_WILD)
						continue;
					if (!const_int(g, x->kind == LIMBO_N_RANGE ? x->kids[1] : x, &hi)) {
						limbo_cg_notimpl(g, n, "array[] of {...} with an index that is not constant");
						return limbo_cg_none;
					}
					if (hi + 1 > nlen)
						nlen = hi + 1;
				}
			} else {
				pos++;
				if (pos > nlen)
					nlen = pos;
			}
		}
		len = limbo_cg_opd(G_IMM, (int32_t)nlen, 0);
		if (nlen >= (1 << 29))
			len = limbo_cg_mpword(g, (int32_t)nlen);
	}
	a = direct_target(g, dst, at);
	limbo_cg_emit(g, DIS_OP_NEWAZ, len, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, et), 0), a);
	/* `* => v` first, for every element, last to first */
	for (int k = 2; k < n->nkids; k++) {
		const LimboNode *e = n->kids[k];
		if (e->kind == LIMBO_N_ELEM && e->kids[0] != NULL)
			for (int q = 0; q < e->kids[0]->nkids; q++)
				if (e->kids[0]->kids[q]->kind == LIMBO_N_WILD)
					star = e->kids[1];
	}
	if (star != NULL) {
		int top, out;
		i = limbo_cg_tmp(g, &limbo_cg_t_int);
		limbo_cg_emit(g, DIS_OP_LENA, a, limbo_cg_none, i);
		top = limbo_cg_pc(g);
		out = limbo_cg_branch(g, DIS_OP_BEQW, limbo_cg_opd(G_IMM, 0, 0), i);
		limbo_cg_emit(g, DIS_OP_SUBW, limbo_cg_opd(G_IMM, 1, 0), i, i);
		store_elem(g, at, a, i, star);
		limbo_cg_emit(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none, limbo_cg_opd(G_IMM, top, 0));
		limbo_cg_patch(g, out, limbo_cg_pc(g));
	}
	pos = 0;
	for (int k = 2; k < n->nkids && !g->failed; k++) {
		const LimboNode *e = n->kids[k];
		if (e->kind != LIMBO_N_ELEM || e->kids[0] == NULL) {
			const LimboNode *v = e->kind == LIMBO_N_ELEM ? e->kids[1] : e;
			store_elem(g, at, a, limbo_cg_opd(G_IMM, (int32_t)pos++, 0), v);
			continue;
		}
		for (int q = 0; q < e->kids[0]->nkids && !g->failed; q++) {
			const LimboNode *x = e->kids[0]->kids[q];
			if (x->kind == LIMBO_N_WILD)
				continue;
			if (x->kind == LIMBO_N_RANGE) {
				GOpd hi;
				int top, out;
				i = limbo_cg_tmp(g, &limbo_cg_t_int);
				limbo_cg_expt(g, x->kids[0], &limbo_cg_t_int, &i);
				hi = limbo_cg_expt(g, x->kids[1], &limbo_cg_t_int, NULL);
				if (limbo_cg_isind(hi) || (hi.mode == G_FP && !limbo_cg_same(hi, i))) {
					GOpd h = limbo_cg_tmp(g, &limbo_cg_t_int);
					limbo_cg_move(g, &limbo_cg_t_int, hi, h);
					hi = h;
				}
				top = limbo_cg_pc(g);
				out = limbo_cg_branch(g, DIS_OP_BLTW, hi, i);
				store_elem(g, at, a, i, e->kids[1]);
				limbo_cg_emit(g, DIS_OP_ADDW, limbo_cg_opd(G_IMM, 1, 0), i, i);
				limbo_cg_emit(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none, limbo_cg_opd(G_IMM, top, 0));
				limbo_cg_patch(g, out, limbo_cg_pc(g));
			} else {
				GOpd ix = limbo_cg_expt(g, x, &limbo_cg_t_int, NULL);
				store_elem(g, at, a, ix, e->kids[1]);
			}
		}
	}
	return limbo_cg_deliver(g, at, a, dst);
}

/* The cons instruction for elements of type t (CONSM/CONSMP take a
 * size or descriptor as their middle operand). */
static void
cons(G *g, LimboType *t, GOpd v, GOpd l)
{
	switch (t->kind) {
	case LIMBO_TY_BYTE: limbo_cg_emit(g, DIS_OP_CONSB, v, limbo_cg_none, l); return;
	case LIMBO_TY_INT: case LIMBO_TY_FIXED: limbo_cg_emit(g, DIS_OP_CONSW, v, limbo_cg_none, l); return;
	case LIMBO_TY_BIG: limbo_cg_emit(g, DIS_OP_CONSL, v, limbo_cg_none, l); return;
	case LIMBO_TY_REAL: limbo_cg_emit(g, DIS_OP_CONSF, v, limbo_cg_none, l); return;
	case LIMBO_TY_ADT: case LIMBO_TY_ADTPICK: case LIMBO_TY_TUPLE: case LIMBO_TY_EXCEPTION:
		if (limbo_cg_hasptrs(g, t))
			limbo_cg_emit(g, DIS_OP_CONSMP, v, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, t), 0), l);
		else
			limbo_cg_emit(g, DIS_OP_CONSM, v, limbo_cg_opd(G_IMM, limbo_cg_size(t), 0), l);
		return;
	default:
		limbo_cg_emit(g, DIS_OP_CONSP, v, limbo_cg_none, l);
	}
}

static GOpd
cons_value(G *g, const LimboNode *e, LimboType *t)
{
	return limbo_cg_expt(g, e, t, NULL);
}

GOpd
limbo_cg_listnew(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *lt = n->ty, *et = lt->of;
	GOpd l;

	if (g->failed)
		return limbo_cg_none;
	if (et == NULL) {
		limbo_cg_notimpl(g, n, "a list of this type");
		return limbo_cg_none;
	}
	l = dst != NULL && dst->mode != G_NONE ? *dst : limbo_cg_tmp(g, lt);
	limbo_cg_move(g, lt, limbo_cg_nil(g), l);
	for (int i = n->nkids - 1; i >= 0 && !g->failed; i--) {
		int mark = limbo_cg_tmpmark(g);
		cons(g, et, cons_value(g, n->kids[i], et), l);
		limbo_cg_tmprelease(g, mark);
	}
	return l;
}

GOpd
limbo_cg_cons(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *lt = n->ty, *et = lt->of;
	GOpd l, v;

	if (g->failed)
		return limbo_cg_none;
	if (et == NULL) {
		limbo_cg_notimpl(g, n, ":: on this type");
		return limbo_cg_none;
	}
	l = dst != NULL && dst->mode != G_NONE ? *dst : limbo_cg_tmp(g, lt);
	v = cons_value(g, n->kids[0], et);
	if (limbo_cg_isind(v)) {
		/* the head must not move while the tail is evaluated into l */
		GOpd x = limbo_cg_tmp(g, et);
		limbo_cg_move(g, et, v, x);
		v = x;
	}
	limbo_cg_expt(g, n->kids[1], lt, &l);
	cons(g, et, v, l);
	return l;
}

void
limbo_cg_pick(G *g, const LimboNode *n)
{
	LimboType *rt = n->kids[1]->ty, *adt;
	GOpd p;
	int ntags = 0, *tagpc, dflt = -1, tabat, end;
	GJumps out = {0};
	GOpd tab;

	if (g->failed)
		return;
	if (rt == NULL || rt->kind != LIMBO_TY_REF || rt->of == NULL || rt->of->kind != LIMBO_TY_ADT ||
	    rt->of->tags == NULL) {
		limbo_cg_notimpl(g, n, "pick on this");
		return;
	}
	adt = rt->of;
	limbo_ty_size(adt);
	for (LimboDecl *t = adt->tags; t != NULL; t = t->next)
		ntags++;
	tagpc = calloc((size_t)ntags + 1, sizeof *tagpc);
	if (tagpc == NULL) {
		g->nomem = g->failed = 1;
		return;
	}
	for (int i = 0; i < ntags; i++)
		tagpc[i] = -1;
	p = limbo_cg_tmpword(g, 1);
	limbo_cg_expt(g, n->kids[1], rt, &p);
	{
		/* n, then (lo, hi, pc) triples, then the default: patched below */
		int64_t *w = calloc((size_t)ntags * 3 + 2, sizeof *w);
		if (w == NULL) {
			free(tagpc);
			g->nomem = g->failed = 1;
			return;
		}
		tab = limbo_cg_mpwords(g, w, ntags * 3 + 2);
		tabat = g->m->ndata - 1;
		free(w);
	}
	limbo_cg_emit(g, DIS_OP_CASE, limbo_cg_ind(p, 0), limbo_cg_none, tab);
	limbo_cg_loop_begin(g, n);
	for (int k = 2; k < n->nkids && !g->failed; k++) {
		const LimboNode *cl = n->kids[k], *q = cl->kids[0], *body = cl->kids[1];
		int pc = limbo_cg_pc(g);
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			int tn = 0;
			LimboDecl *t;
			if (x->kind == LIMBO_N_WILD) {
				dflt = pc;
				continue;
			}
			for (t = adt->tags; t != NULL; t = t->next, tn++)
				if (x->kind == LIMBO_N_NAME && strcmp(t->name, x->name) == 0)
					break;
			if (t == NULL) {
				limbo_cg_notimpl(g, x, "this pick qualifier");
				break;
			}
			if (tagpc[tn] < 0)
				tagpc[tn] = pc;
		}
		if (body != NULL && body->decl != NULL) {
			LimboDecl *d = body->decl;
			d->offset = limbo_cg_local(g, d->ty, body);
			limbo_cg_emit(g, DIS_OP_MOVP, p, limbo_cg_none, limbo_cg_opd(G_FP, d->offset, 0));
		}
		limbo_cg_stmt(g, body);
		limbo_cg_jumps_add(g, &out, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
	}
	end = limbo_cg_pc(g);
	limbo_cg_jumps_patch(g, &out, end);
	limbo_cg_loop_end(g);
	if (!g->failed) {
		GData *dd = &g->m->data[tabat];
		int nt = 0;
		for (int i = 0; i < ntags; i++) {
			int pc = tagpc[i] >= 0 ? tagpc[i] : dflt >= 0 ? dflt : end;
			if (nt > 0 && dd->w[1 + (nt - 1) * 3 + 2] == pc && dd->w[1 + (nt - 1) * 3 + 1] == i) {
				dd->w[1 + (nt - 1) * 3 + 1] = i + 1;
				continue;
			}
			dd->w[1 + nt * 3] = i;
			dd->w[1 + nt * 3 + 1] = i + 1;
			dd->w[1 + nt * 3 + 2] = pc;
			nt++;
		}
		dd->w[0] = nt;
		dd->w[1 + nt * 3] = dflt >= 0 ? dflt : end;
		/* the rest of the table is not read */
		for (int i = 1 + nt * 3 + 1; i < ntags * 3 + 2; i++)
			dd->w[i] = 0;
	}
	free(tagpc);
}
