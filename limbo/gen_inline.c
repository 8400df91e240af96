/*
 * Inlining of small functions, as Inferno's compiler does it, so that a
 * program behaves the same whichever compiler made it (an exception value
 * is caught by its type only in the frame that raised it and the caller:
 * a call that Inferno inlines is not a frame).
 *
 * A function of this file is inlined at its calls when its body is
 *   return e;                              or
 *   if(c) return e1; else return e2;       or
 *   if(c) return e1; return e2;
 * (e1 and e2 of the same type), it has a result, no type variables, no
 * assignments in those expressions, fewer than 100 nodes, is never used
 * as a value, and does not reach itself through its own or other inlined
 * bodies. An argument with side effects whose parameter does not occur
 * exactly once is evaluated into a temporary first (the last parameter's
 * first); any other argument replaces its parameter where it occurs.
 *
 * Follows: inferno-os limbo/typecheck.b (fninline), com.b (ckinline),
 * ecom.b (inline), nodes.b (hasside, hasasgns, occurs).
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

enum { MAXNODES = 100 };

static int
count_nodes(const LimboNode *n)
{
	int k = 1;

	if (n == NULL)
		return 0;
	for (int i = 0; i < n->nkids; i++)
		k += count_nodes(n->kids[i]);
	return k;
}

/* Assignments of any kind (Inferno's isused but calls). */
static int
has_assign(const LimboNode *n)
{
	if (n == NULL)
		return 0;
	switch (n->kind) {
	case LIMBO_N_ASSIGN: case LIMBO_N_DECLAS: case LIMBO_N_POSTOP: case LIMBO_N_SEND:
		return 1;
	case LIMBO_N_UNOP:
		if (n->op == LIMBO_T_INC || n->op == LIMBO_T_DEC || n->op == LIMBO_T_COMM)
			return 1;
		break;
	}
	for (int i = 0; i < n->nkids; i++)
		if (has_assign(n->kids[i]))
			return 1;
	return 0;
}

/* Could evaluating n do anything but compute a value (or raise)? As
 * Inferno's hasside(n, 0): dereference and address-of do not count. */
static int
has_side(const LimboNode *n)
{
	if (n == NULL)
		return 0;
	switch (n->kind) {
	case LIMBO_N_ASSIGN: case LIMBO_N_DECLAS: case LIMBO_N_POSTOP: case LIMBO_N_SEND:
	case LIMBO_N_CALL: case LIMBO_N_ARRAYNEW: case LIMBO_N_CAST: case LIMBO_N_CHANNEW:
	case LIMBO_N_DOT: case LIMBO_N_INDEX: case LIMBO_N_LOAD: case LIMBO_N_LISTNEW:
		return 1;
	case LIMBO_N_UNOP:
		if (n->op != LIMBO_T_MUL && n->op != LIMBO_T_SUB && n->op != LIMBO_T_NOT &&
		    n->op != LIMBO_T_TILDE && n->op != LIMBO_T_ADD && n->op != LIMBO_T_HD &&
		    n->op != LIMBO_T_TL && n->op != LIMBO_T_TAGOF)
			return 1;
		break;
	case LIMBO_N_BINOP:
		if (n->op == LIMBO_T_CONS || n->op == LIMBO_T_DIV || n->op == LIMBO_T_MOD)
			return 1;
		break;
	}
	for (int i = 0; i < n->nkids; i++)
		if (has_side(n->kids[i]))
			return 1;
	return 0;
}

static int
occurs(const LimboNode *n, LimboDecl *d)
{
	int k;

	if (n == NULL)
		return 0;
	k = n->kind == LIMBO_N_NAME && n->decl == d;
	for (int i = 0; i < n->nkids; i++)
		k += occurs(n->kids[i], d);
	return k;
}

/* The body's parts: *c NULL for `return e`. 0 if not of an inlined form. */
static int
body_form(const LimboNode *def, const LimboNode **c, const LimboNode **e1, const LimboNode **e2)
{
	const LimboNode *b = def->kids[2], *s;

	*c = *e1 = *e2 = NULL;
	if (b == NULL || b->kind != LIMBO_N_BLOCK)
		return 0;
	if (b->nkids == 1 && (s = b->kids[0]) != NULL) {
		if (s->kind == LIMBO_N_RETURN && s->kids[0] != NULL) {
			*e1 = s->kids[0];
			return 1;
		}
		if (s->kind == LIMBO_N_IF && s->kids[1] != NULL && s->kids[2] != NULL &&
		    s->kids[1]->kind == LIMBO_N_RETURN && s->kids[2]->kind == LIMBO_N_RETURN &&
		    s->kids[1]->kids[0] != NULL && s->kids[2]->kids[0] != NULL) {
			*c = s->kids[0];
			*e1 = s->kids[1]->kids[0];
			*e2 = s->kids[2]->kids[0];
		}
	} else if (b->nkids == 2 && (s = b->kids[0]) != NULL && b->kids[1] != NULL &&
	           s->kind == LIMBO_N_IF && s->kids[2] == NULL && s->kids[1] != NULL &&
	           s->kids[1]->kind == LIMBO_N_RETURN && s->kids[1]->kids[0] != NULL &&
	           b->kids[1]->kind == LIMBO_N_RETURN && b->kids[1]->kids[0] != NULL) {
		*c = s->kids[0];
		*e1 = s->kids[1]->kids[0];
		*e2 = b->kids[1]->kids[0];
	}
	if (*c == NULL)
		return 0;
	return (*e1)->ty != NULL && (*e2)->ty != NULL && limbo_ty_equal((*e1)->ty, (*e2)->ty);
}

/* Does the expression n reach function fn (itself, or through the bodies
 * of inlinable functions)? */
static int reaches(G *g, const LimboNode *n, LimboDecl *fn, int depth);

static int
inlinable0(G *g, GFn *f)
{
	const LimboNode *c, *e1, *e2, *def = f->def;
	LimboType *t = def != NULL ? def->ty : NULL;

	LimboDecl *o = f->decl->dot;

	/* as Inferno's ispoly(): a function of a polymorphic adt is not
	 * inlined either */
	if (o != NULL && o->ty != NULL && o->ty->kind == LIMBO_TY_ADT && o->ty->polys != NULL)
		return 0;
	if (def == NULL || f->asvalue || t == NULL || t->kind != LIMBO_TY_FN || t->polys != NULL ||
	    t->of == NULL || t->of->kind == LIMBO_TY_NONE || count_nodes(def->kids[2]) >= MAXNODES ||
	    !body_form(def, &c, &e1, &e2))
		return 0;
	if (has_assign(c) || has_assign(e1) || has_assign(e2))
		return 0;
	f->inl_c = c;
	f->inl_e1 = e1;
	f->inl_e2 = e2;
	return 1;
}

static int
inlinable(G *g, GFn *f, int depth)
{
	if (f->inl == 0) {
		f->inl = inlinable0(g, f) ? 1 : -1;
		if (f->inl == 1 && (reaches(g, f->inl_c, f->decl, depth) || reaches(g, f->inl_e1, f->decl, depth) ||
		                    reaches(g, f->inl_e2, f->decl, depth)))
			f->inl = -1;
	}
	return f->inl == 1;
}

static int
reaches(G *g, const LimboNode *n, LimboDecl *fn, int depth)
{
	GFn *f;

	if (n == NULL)
		return 0;
	if (depth > 32)
		return 1; /* too deep to tell: do not inline */
	if ((n->kind == LIMBO_N_NAME || n->kind == LIMBO_N_DOT) && n->decl != NULL &&
	    n->decl->store == LIMBO_D_FN) {
		if (n->decl == fn)
			return 1;
		if ((f = limbo_cg_ours(g, n->decl)) != NULL && f->inl != -1 && inlinable0(g, f) &&
		    (reaches(g, f->inl_c, fn, depth + 1) || reaches(g, f->inl_e1, fn, depth + 1) ||
		     reaches(g, f->inl_e2, fn, depth + 1)))
			return 1;
	}
	for (int i = 0; i < n->nkids; i++)
		if (reaches(g, n->kids[i], fn, depth))
			return 1;
	return 0;
}

/* The parameter declarations the body uses (by name; NULL where unused). */
static LimboDecl *
body_param(const LimboNode *n, const char *name)
{
	LimboDecl *d;

	if (n == NULL || name == NULL)
		return NULL;
	if (n->kind == LIMBO_N_NAME && n->decl != NULL && n->decl->store == LIMBO_D_ARG &&
	    strcmp(n->decl->name, name) == 0)
		return n->decl;
	for (int i = 0; i < n->nkids; i++)
		if ((d = body_param(n->kids[i], name)) != NULL)
			return d;
	return NULL;
}

static void
mark_values(G *g, const LimboNode *n, int callee)
{
	GFn *f;

	if (n == NULL)
		return;
	if (!callee && (n->kind == LIMBO_N_NAME || n->kind == LIMBO_N_DOT) && n->decl != NULL &&
	    n->decl->store == LIMBO_D_FN && (f = limbo_cg_ours(g, n->decl)) != NULL)
		f->asvalue = 1;
	for (int i = 0; i < n->nkids; i++)
		mark_values(g, n->kids[i], n->kind == LIMBO_N_CALL && i == 0);
}

void
limbo_cg_inline_prepare(G *g)
{
	mark_values(g, g->root, 0);
}

int
limbo_cg_inline_call(G *g, const LimboNode *n, LimboDecl *d, const LimboNode *selfn, const GOpd *dst,
                     GOpd *res)
{
	GFn *f = limbo_cg_ours(g, d);
	LimboType *fnty = d->ty, *rt;
	const LimboNode *args[64], *all;
	LimboDecl *params[64];
	int np = 0, na = 0, base = g->nsubst;

	if (f == NULL || g->spawn || !inlinable(g, f, 0))
		return 0;
	all = f->def->kids[2];
	rt = fnty->of;
	if (selfn != NULL)
		args[na++] = selfn;
	for (int i = 1; i < n->nkids && na < 64; i++)
		args[na++] = n->kids[i];
	for (LimboDecl *p = fnty->ids; p != NULL && np < 64; p = p->next)
		params[np++] = p;
	if (np != na || g->nsubst + np > G_MAXSUBST)
		return 0;
	/* the parameters as the body names them */
	for (int i = 0; i < np; i++) {
		GSubst *s = &g->subst[g->nsubst + i];
		s->d = body_param(all, params[i]->name);
		s->arg = args[i];
		s->t = params[i]->ty;
		s->hastmp = 0;
	}
	/* arguments with side effects that are not used exactly once: into
	 * temporaries, the last parameter's first (Inferno nests them so) */
	for (int i = np - 1; i >= 0; i--) {
		GSubst *s = &g->subst[g->nsubst + i];
		if (has_side(s->arg) && (s->d == NULL || occurs(all, s->d) != 1)) {
			s->tmp = limbo_cg_tmp(g, s->t);
			limbo_cg_expt(g, s->arg, s->t, &s->tmp);
			s->hastmp = 1;
		}
	}
	g->nsubst += np;
	/* the value is built in a temporary: an argument may name the
	 * destination (l = push(l, i) makes ref Node(i, l)) */
	if (f->inl_c == NULL) {
		*res = limbo_cg_expt(g, f->inl_e1, rt, NULL);
	} else {
		GJumps no = {0};
		GOpd r = limbo_cg_tmp(g, rt);
		int end;
		limbo_cg_cond(g, f->inl_c, 0, &no);
		limbo_cg_expt(g, f->inl_e1, rt, &r);
		end = limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none);
		limbo_cg_jumps_patch(g, &no, limbo_cg_pc(g));
		limbo_cg_expt(g, f->inl_e2, rt, &r);
		limbo_cg_patch(g, end, limbo_cg_pc(g));
		*res = r;
	}
	g->nsubst = base;
	*res = limbo_cg_deliver(g, rt, *res, dst);
	return 1;
}

const GSubst *
limbo_cg_subst_of(G *g, LimboDecl *d)
{
	for (int i = g->nsubst - 1; i >= 0; i--)
		if (g->subst[i].d == d)
			return &g->subst[i];
	return NULL;
}
