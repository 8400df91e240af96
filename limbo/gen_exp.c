/*
 * Expressions: names and constants, arithmetic by type, conversions,
 * conditions (comparisons, && || !), assignments and op=, ++/--, :=,
 * len/hd/tl, calls of this module's functions, of loaded modules' and of
 * adt member functions, and load.
 *
 * Three-operand instructions compute d = m op s; the middle operand must be
 * direct (n(fp), n(mp) or $n), so values found behind a pointer are copied
 * to a temporary first. Branches are "if s op m goto d".
 *
 * Follows: the Dis VM specification (doc/dis.ms) for the instructions;
 * inferno-os limbo/ecom.b for how Limbo expressions map onto them (calls:
 * frame/mframe, arguments stored into the new frame, the result's address
 * in its REGRET word, call/mcall).
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"


enum { K_B, K_W, K_L, K_F, K_C, K_P, K_N };

/* The operand class of a value type: byte, word, big, real, string,
 * pointer; -1 for others. */
static int
kclass(const LimboType *t)
{
	if (t == NULL)
		return -1;
	switch (t->kind) {
	case LIMBO_TY_BYTE: return K_B;
	case LIMBO_TY_INT: return K_W;
	case LIMBO_TY_BIG: return K_L;
	case LIMBO_TY_REAL: return K_F;
	case LIMBO_TY_STRING: return K_C;
	default: return limbo_cg_isptr(t) ? K_P : -1;
	}
}

/* Arithmetic: op per class (byte, word, big, real); 0 where none. */
static const struct {
	int tok;
	int op[4];
} arith[] = {
	{LIMBO_T_ADD, {DIS_OP_ADDB, DIS_OP_ADDW, DIS_OP_ADDL, DIS_OP_ADDF}},
	{LIMBO_T_SUB, {DIS_OP_SUBB, DIS_OP_SUBW, DIS_OP_SUBL, DIS_OP_SUBF}},
	{LIMBO_T_MUL, {DIS_OP_MULB, DIS_OP_MULW, DIS_OP_MULL, DIS_OP_MULF}},
	{LIMBO_T_DIV, {DIS_OP_DIVB, DIS_OP_DIVW, DIS_OP_DIVL, DIS_OP_DIVF}},
	{LIMBO_T_MOD, {DIS_OP_MODB, DIS_OP_MODW, DIS_OP_MODL, 0}},
	{LIMBO_T_AND, {DIS_OP_ANDB, DIS_OP_ANDW, DIS_OP_ANDL, 0}},
	{LIMBO_T_OR1, {DIS_OP_ORB, DIS_OP_ORW, DIS_OP_ORL, 0}},
	{LIMBO_T_XOR, {DIS_OP_XORB, DIS_OP_XORW, DIS_OP_XORL, 0}},
	{LIMBO_T_LSH, {DIS_OP_SHLB, DIS_OP_SHLW, DIS_OP_SHLL, 0}},
	{LIMBO_T_RSH, {DIS_OP_SHRB, DIS_OP_SHRW, DIS_OP_SHRL, 0}},
	{LIMBO_T_EXP, {0, DIS_OP_EXPW, DIS_OP_EXPL, DIS_OP_EXPF}},
};

/* Branches: op per class (byte, word, big, real, string); pointers
 * compare as words. */
static const struct {
	int tok, neg;
	int op[5];
} cmps[] = {
	{LIMBO_T_EQ, LIMBO_T_NEQ, {DIS_OP_BEQB, DIS_OP_BEQW, DIS_OP_BEQL, DIS_OP_BEQF, DIS_OP_BEQC}},
	{LIMBO_T_NEQ, LIMBO_T_EQ, {DIS_OP_BNEB, DIS_OP_BNEW, DIS_OP_BNEL, DIS_OP_BNEF, DIS_OP_BNEC}},
	{LIMBO_T_LT, LIMBO_T_GEQ, {DIS_OP_BLTB, DIS_OP_BLTW, DIS_OP_BLTL, DIS_OP_BLTF, DIS_OP_BLTC}},
	{LIMBO_T_LEQ, LIMBO_T_GT, {DIS_OP_BLEB, DIS_OP_BLEW, DIS_OP_BLEL, DIS_OP_BLEF, DIS_OP_BLEC}},
	{LIMBO_T_GT, LIMBO_T_LEQ, {DIS_OP_BGTB, DIS_OP_BGTW, DIS_OP_BGTL, DIS_OP_BGTF, DIS_OP_BGTC}},
	{LIMBO_T_GEQ, LIMBO_T_LT, {DIS_OP_BGEB, DIS_OP_BGEW, DIS_OP_BGEL, DIS_OP_BGEF, DIS_OP_BGEC}},
};

static int
arith_op(int tok, const LimboType *t)
{
	int k = kclass(t);

	if (k < 0 || k > K_F)
		return 0;
	for (size_t i = 0; i < sizeof arith / sizeof arith[0]; i++)
		if (arith[i].tok == tok)
			return arith[i].op[k];
	return 0;
}

static int
commutes(int tok)
{
	return tok == LIMBO_T_ADD || tok == LIMBO_T_MUL || tok == LIMBO_T_AND || tok == LIMBO_T_OR1 ||
	       tok == LIMBO_T_XOR;
}

static int
iscmp(int tok)
{
	return tok == LIMBO_T_EQ || tok == LIMBO_T_NEQ || tok == LIMBO_T_LT || tok == LIMBO_T_LEQ ||
	       tok == LIMBO_T_GT || tok == LIMBO_T_GEQ;
}

/* The op= token's operator. */
static int
assign_binop(int tok)
{
	switch (tok) {
	case LIMBO_T_ANDEQ: return LIMBO_T_AND;
	case LIMBO_T_OREQ: return LIMBO_T_OR1;
	case LIMBO_T_XOREQ: return LIMBO_T_XOR;
	case LIMBO_T_LSHEQ: return LIMBO_T_LSH;
	case LIMBO_T_RSHEQ: return LIMBO_T_RSH;
	case LIMBO_T_ADDEQ: return LIMBO_T_ADD;
	case LIMBO_T_SUBEQ: return LIMBO_T_SUB;
	case LIMBO_T_MULEQ: return LIMBO_T_MUL;
	case LIMBO_T_DIVEQ: return LIMBO_T_DIV;
	case LIMBO_T_MODEQ: return LIMBO_T_MOD;
	case LIMBO_T_EXPEQ: return LIMBO_T_EXP;
	}
	return 0;
}

/* Where the result of a computation goes. */
static GOpd
target(G *g, const GOpd *dst, LimboType *t)
{
	return dst != NULL ? *dst : limbo_cg_tmp(g, t);
}

GOpd
limbo_cg_deliver(G *g, LimboType *t, GOpd v, const GOpd *dst)
{
	if (dst == NULL)
		return v;
	limbo_cg_move(g, t, v, *dst);
	return *dst;
}

/* The type both sides of a comparison are compared as. */
static LimboType *
cmptype(const LimboNode *n)
{
	LimboType *l = n->kids[0]->ty, *r = n->kids[1]->ty;

	if (l == NULL || l->kind == LIMBO_TY_NIL)
		return r;
	if (r == NULL || r->kind == LIMBO_TY_NIL)
		return l;
	/* an int constant against a big or byte or real takes the other's type */
	if (n->kids[0]->kind == LIMBO_N_ICONST || n->kids[0]->kind == LIMBO_N_RCONST)
		return r;
	return l;
}

void
limbo_cg_cond(G *g, const LimboNode *n, int tf, GJumps *j)
{
	LimboConst c;
	GJumps skip = {0};

	if (g->failed)
		return;
	if (limbo_cg_fold(g, n, &c) && c.kind == LIMBO_C_INT) {
		if ((c.i != 0) == tf)
			limbo_cg_jumps_add(g, j, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
		return;
	}
	if (n->kind == LIMBO_N_UNOP && n->op == LIMBO_T_NOT) {
		limbo_cg_cond(g, n->kids[0], !tf, j);
		return;
	}
	if (n->kind == LIMBO_N_BINOP && (n->op == LIMBO_T_ANDAND || n->op == LIMBO_T_OROR)) {
		int isand = n->op == LIMBO_T_ANDAND;
		if (isand == tf) {
			/* both must hold (and, true) or both fail (or, false) */
			limbo_cg_cond(g, n->kids[0], !tf, &skip);
			limbo_cg_cond(g, n->kids[1], tf, j);
			limbo_cg_jumps_patch(g, &skip, limbo_cg_pc(g));
		} else {
			limbo_cg_cond(g, n->kids[0], tf, j);
			limbo_cg_cond(g, n->kids[1], tf, j);
		}
		return;
	}
	if (n->kind == LIMBO_N_BINOP && iscmp(n->op)) {
		LimboType *t = cmptype(n);
		int k = kclass(t), tok = n->op, op = 0;
		GOpd a, b;
		int mark = limbo_cg_tmpmark(g);
		if (k < 0) {
			limbo_cg_notimpl(g, n, "comparison of values of this type");
			return;
		}
		if (k == K_P)
			k = K_W;
		for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
			if (cmps[i].tok == tok)
				op = tf ? cmps[i].op[k] : 0;
		if (!tf)
			for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
				if (cmps[i].tok == tok)
					for (size_t x = 0; x < sizeof cmps / sizeof cmps[0]; x++)
						if (cmps[x].tok == cmps[i].neg)
							op = cmps[x].op[k];
		/* a real comparison's negation is not its complement (NaN),
		 * but Inferno's compiler negates the same way */
		a = limbo_cg_expt(g, n->kids[0], t, NULL);
		b = limbo_cg_expt(g, n->kids[1], t, NULL);
		if (a.mode == G_IMM && k != K_W && k != K_B)
			a = limbo_cg_direct(g, t, a);
		b = limbo_cg_direct(g, t, b);
		limbo_cg_jumps_add(g, j, limbo_cg_branch(g, op, a, b));
		limbo_cg_tmprelease(g, mark);
		return;
	}
	{
		/* any other int value: true when not zero */
		GOpd v = limbo_cg_expt(g, n, &limbo_cg_t_int, NULL);
		v = limbo_cg_direct(g, &limbo_cg_t_int, v);
		limbo_cg_jumps_add(g, j, limbo_cg_branch(g, tf ? DIS_OP_BNEW : DIS_OP_BEQW, v, limbo_cg_opd(G_IMM, 0, 0)));
	}
}

/* A condition as an int value 0 or 1. */
static GOpd
cond_value(G *g, const LimboNode *n, const GOpd *dst)
{
	GJumps f = {0};
	GOpd d = dst != NULL && !limbo_cg_isind(*dst) ? *dst : limbo_cg_tmp(g, &limbo_cg_t_int);
	int end;

	limbo_cg_cond(g, n, 0, &f);
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, 1, 0), limbo_cg_none, d);
	end = limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none);
	limbo_cg_jumps_patch(g, &f, limbo_cg_pc(g));
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, 0, 0), limbo_cg_none, d);
	limbo_cg_patch(g, end, limbo_cg_pc(g));
	return limbo_cg_deliver(g, &limbo_cg_t_int, d, dst);
}

/* Names. */

static GOpd
name_opd(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboDecl *d = n->decl;
	LimboConst c;

	if (d == NULL) {
		limbo_cg_notimpl(g, n, "this name");
		return limbo_cg_none;
	}
	if (d->store == LIMBO_D_ARG && g->nsubst > 0) {
		/* a parameter of a call being inlined */
		const GSubst *s = limbo_cg_subst_of(g, d);
		if (s != NULL)
			return s->hastmp ? limbo_cg_deliver(g, s->t, s->tmp, dst) : limbo_cg_expt(g, s->arg, s->t, dst);
	}
	switch (d->store) {
	case LIMBO_D_LOCAL: case LIMBO_D_ARG:
		return limbo_cg_deliver(g, n->ty, limbo_cg_opd(G_FP, d->offset, 0), dst);
	case LIMBO_D_GLOBAL:
		return limbo_cg_deliver(g, n->ty, limbo_cg_opd(G_MP, d->offset, 0), dst);
	case LIMBO_D_FN:
		return limbo_cg_fnref(g, n, dst);
	case LIMBO_D_IMPORT:
		if (d->imp != NULL && d->imp->store == LIMBO_D_FN)
			return limbo_cg_fnref(g, n, dst);
		break;
	}
	if (limbo_cg_fold(g, n, &c))
		return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
	limbo_cg_notimpl(g, n, "this name as a value");
	return limbo_cg_none;
}

GOpd
limbo_cg_expt(G *g, const LimboNode *n, LimboType *t, const GOpd *dst)
{
	LimboConst c;

	if (g->failed)
		return limbo_cg_none;
	if (t != NULL && n->ty != NULL && n->ty->kind != t->kind && limbo_cg_fold(g, n, &c) &&
	    (c.kind == LIMBO_C_INT || c.kind == LIMBO_C_REAL))
		return limbo_cg_deliver(g, t, limbo_cg_constopd(g, &c, t), dst);
	if (t != NULL && n->ty != NULL && n->ty->kind == LIMBO_TY_NIL) {
		GOpd nl = limbo_cg_nil(g);
		if (dst != NULL && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE))
			return *dst;
		return limbo_cg_deliver(g, n->ty, nl, dst);
	}
	return limbo_cg_exp(g, n, dst);
}

static GOpd
binop(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *t = n->ty;
	GOpd a, b, d;
	int op, mark;

	if (iscmp(n->op) || n->op == LIMBO_T_ANDAND || n->op == LIMBO_T_OROR)
		return cond_value(g, n, dst);
	if (n->op == LIMBO_T_CONS)
		return limbo_cg_cons(g, n, dst);
	if (t->kind == LIMBO_TY_STRING && n->op == LIMBO_T_ADD)
		op = DIS_OP_ADDC;
	else
		op = arith_op(n->op, t);
	if (op == 0) {
		limbo_cg_notimpl(g, n, "this operator on values of this type");
		return limbo_cg_none;
	}
	mark = limbo_cg_tmpmark(g);
	a = limbo_cg_expt(g, n->kids[0], t, NULL);
	if (n->op == LIMBO_T_LSH || n->op == LIMBO_T_RSH || n->op == LIMBO_T_EXP)
		b = limbo_cg_expt(g, n->kids[1], &limbo_cg_t_int, NULL);
	else
		b = limbo_cg_expt(g, n->kids[1], t, NULL);
	if (limbo_cg_isind(a) && !limbo_cg_isind(b) && commutes(n->op) && op != DIS_OP_ADDC) {
		/* the indirect operand as the source, which may be one */
		GOpd x = a;
		a = b;
		b = x;
	}
	a = limbo_cg_direct(g, t, a);
	if (a.mode == G_IMM && kclass(t) != K_W)
		a = limbo_cg_direct(g, t, limbo_cg_constopd(g, &(LimboConst){LIMBO_C_INT, a.a, 0, NULL, 0}, t));
	/* a temporary of this expression's own takes the result: the
	 * two-operand form, which the interpreter runs faster */
	if (dst == NULL && limbo_cg_tmp_since(g, mark, a))
		d = a;
	else
		d = target(g, dst, t);
	limbo_cg_emit(g, op, b, a, d);
	return d;
}

static GOpd
unop(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *t = n->ty, *kt = n->kids[0]->ty;
	GOpd a, d;
	int op;

	switch (n->op) {
	case LIMBO_T_NOT:
		return cond_value(g, n, dst);
	case LIMBO_T_ADD:
		return limbo_cg_expt(g, n->kids[0], t, dst);
	case LIMBO_T_SUB:
		if (t->kind == LIMBO_TY_REAL) {
			a = limbo_cg_exp(g, n->kids[0], NULL);
			d = target(g, dst, t);
			limbo_cg_emit(g, DIS_OP_NEGF, a, limbo_cg_none, d);
			return d;
		}
		op = arith_op(LIMBO_T_SUB, t);
		if (op == 0)
			break;
		a = limbo_cg_exp(g, n->kids[0], NULL);
		d = target(g, dst, t);
		limbo_cg_emit(g, op, a, limbo_cg_direct(g, t, limbo_cg_constopd(g, &(LimboConst){LIMBO_C_INT, 0, 0, NULL, 0}, t)), d);
		return d;
	case LIMBO_T_TILDE:
		op = arith_op(LIMBO_T_XOR, t);
		if (op == 0)
			break;
		a = limbo_cg_exp(g, n->kids[0], NULL);
		d = target(g, dst, t);
		limbo_cg_emit(g, op, a, limbo_cg_direct(g, t, limbo_cg_constopd(g, &(LimboConst){LIMBO_C_INT, -1, 0, NULL, 0}, t)), d);
		return d;
	case LIMBO_T_LEN:
		switch (kt->kind) {
		case LIMBO_TY_STRING: op = DIS_OP_LENC; break;
		case LIMBO_TY_ARRAY: op = DIS_OP_LENA; break;
		case LIMBO_TY_LIST: op = DIS_OP_LENL; break;
		default: op = 0;
		}
		if (op == 0)
			break;
		a = limbo_cg_exp(g, n->kids[0], NULL);
		d = target(g, dst, t);
		limbo_cg_emit(g, op, a, limbo_cg_none, d);
		return d;
	case LIMBO_T_HD: {
		static const int hop[] = {DIS_OP_HEADB, DIS_OP_HEADW, DIS_OP_HEADL, DIS_OP_HEADF,
		                          DIS_OP_HEADP, DIS_OP_HEADP};
		int k = kclass(t);
		a = limbo_cg_exp(g, n->kids[0], NULL);
		d = target(g, dst, t);
		if (k >= 0)
			limbo_cg_emit(g, hop[k], a, limbo_cg_none, d);
		else if (limbo_cg_movop(t) == DIS_OP_MOVM) {
			if (limbo_cg_hasptrs(g, t))
				limbo_cg_emit(g, DIS_OP_HEADMP, a, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, t), 0), d);
			else
				limbo_cg_emit(g, DIS_OP_HEADM, a, limbo_cg_opd(G_IMM, limbo_cg_size(t), 0), d);
		} else
			limbo_cg_notimpl(g, n, "hd of a list of this type");
		return d;
	}
	case LIMBO_T_TL:
		a = limbo_cg_exp(g, n->kids[0], NULL);
		d = target(g, dst, t);
		limbo_cg_emit(g, DIS_OP_TAIL, a, limbo_cg_none, d);
		return d;
	case LIMBO_T_INC: case LIMBO_T_DEC: {
		GOpd l = limbo_cg_lval(g, n->kids[0]);
		op = arith_op(n->op == LIMBO_T_INC ? LIMBO_T_ADD : LIMBO_T_SUB, t);
		if (op == 0)
			break;
		limbo_cg_emit(g, op, limbo_cg_constopd(g, &(LimboConst){LIMBO_C_INT, 1, 0, NULL, 0}, t), l, l); /* d op= s: the middle is d */
		return limbo_cg_deliver(g, t, l, dst);
	}
	case LIMBO_T_MUL: {
		GOpd p = limbo_cg_base(g, limbo_cg_exp(g, n->kids[0], NULL));
		GOpd v = limbo_cg_ind(p, 0);
		return limbo_cg_deliver(g, t, v, dst);
	}
	case LIMBO_T_REF:
		return limbo_cg_ref(g, n, dst);
	case LIMBO_T_COMM:
		return limbo_cg_recv(g, n, dst);
	case LIMBO_T_TAGOF: {
		GOpd p = limbo_cg_base(g, limbo_cg_exp(g, n->kids[0], NULL));
		return limbo_cg_deliver(g, t, limbo_cg_ind(p, 0), dst);
	}
	}
	limbo_cg_notimpl(g, n, limbo_tok_text(n->op));
	return limbo_cg_none;
}

/* x++ and x-- as values: the old value. */
static GOpd
postop(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *t = n->ty;
	GOpd l = limbo_cg_lval(g, n->kids[0]), old;
	int op = arith_op(n->op == LIMBO_T_INC ? LIMBO_T_ADD : LIMBO_T_SUB, t);

	if (op == 0) {
		limbo_cg_notimpl(g, n, "++/-- on values of this type");
		return limbo_cg_none;
	}
	old = target(g, dst, t);
	limbo_cg_move(g, t, l, old);
	limbo_cg_emit(g, op, limbo_cg_constopd(g, &(LimboConst){LIMBO_C_INT, 1, 0, NULL, 0}, t), l, l); /* d op= s: the middle is d */
	return old;
}

/* Conversions: the instruction from one class to another, or two. */
static GOpd
cast(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *to = n->ty, *from = n->kids[1]->ty;
	int a = kclass(from), b = kclass(to), op = 0, op2 = 0;
	GOpd v, d;
	LimboConst c;

	if (limbo_cg_fold(g, n, &c))
		return limbo_cg_deliver(g, to, limbo_cg_constopd(g, &c, to), dst);
	if (from->kind == LIMBO_TY_NIL)
		return limbo_cg_deliver(g, to, limbo_cg_nil(g), dst);
	if (a == b || limbo_ty_equal(to, from) || (a == K_P && b == K_P))
		return limbo_cg_expt(g, n->kids[1], to, dst);
	if (from->kind == LIMBO_TY_ARRAY && to->kind == LIMBO_TY_STRING)
		op = DIS_OP_CVTAC;
	else if (from->kind == LIMBO_TY_STRING && to->kind == LIMBO_TY_ARRAY)
		op = DIS_OP_CVTCA;
	else {
		/* by class: rows from, columns to (byte word big real string) */
		static const int tab[5][5][2] = {
			/* from byte */ {{0, 0}, {DIS_OP_CVTBW, 0}, {DIS_OP_CVTBW, DIS_OP_CVTWL},
			                 {DIS_OP_CVTBW, DIS_OP_CVTWF}, {DIS_OP_CVTBW, DIS_OP_CVTWC}},
			/* from int */ {{DIS_OP_CVTWB, 0}, {0, 0}, {DIS_OP_CVTWL, 0}, {DIS_OP_CVTWF, 0},
			                {DIS_OP_CVTWC, 0}},
			/* from big */ {{DIS_OP_CVTLW, DIS_OP_CVTWB}, {DIS_OP_CVTLW, 0}, {0, 0},
			                {DIS_OP_CVTLF, 0}, {DIS_OP_CVTLC, 0}},
			/* from real */ {{DIS_OP_CVTFW, DIS_OP_CVTWB}, {DIS_OP_CVTFW, 0}, {DIS_OP_CVTFL, 0},
			                 {0, 0}, {DIS_OP_CVTFC, 0}},
			/* from string */ {{DIS_OP_CVTCW, DIS_OP_CVTWB}, {DIS_OP_CVTCW, 0},
			                   {DIS_OP_CVTCL, 0}, {DIS_OP_CVTCF, 0}, {0, 0}},
		};
		if (a >= 0 && a <= K_C && b >= 0 && b <= K_C) {
			op = tab[a][b][0];
			op2 = tab[a][b][1];
		}
	}
	if (op == 0) {
		if (to->kind == LIMBO_TY_ADT || to->kind == LIMBO_TY_TUPLE)
			return limbo_cg_expt(g, n->kids[1], to, dst); /* same layout */
		limbo_cg_notimpl(g, n, "this conversion");
		return limbo_cg_none;
	}
	v = limbo_cg_exp(g, n->kids[1], NULL);
	d = target(g, dst, to);
	if (op2 != 0) {
		GOpd w = limbo_cg_tmp(g, &limbo_cg_t_int);
		limbo_cg_emit(g, op, v, limbo_cg_none, w);
		limbo_cg_emit(g, op2, w, limbo_cg_none, d);
	} else {
		limbo_cg_emit(g, op, v, limbo_cg_none, d);
	}
	return d;
}

/* Does evaluating n write its destination before it has read all of its
 * operands? Such values are built in a temporary first. */
static int
builds_in_place(const LimboNode *n)
{
	switch (n->kind) {
	case LIMBO_N_TUPLE: case LIMBO_N_ARRAYNEW: case LIMBO_N_LISTNEW:
		return 1;
	case LIMBO_N_CALL:
		return n->kids[0]->decl != NULL &&
		       (n->kids[0]->decl->store == LIMBO_D_TYPE || n->kids[0]->decl->store == LIMBO_D_TAG ||
		        n->kids[0]->decl->store == LIMBO_D_EXC);
	case LIMBO_N_UNOP:
		return n->op == LIMBO_T_REF;
	case LIMBO_N_BINOP:
		return n->op == LIMBO_T_CONS;
	}
	return 0;
}

/* m->v, a variable of a loaded module: its data through the module
 * handle's first word (Inferno's Modlink begins with MP). */
static GOpd
modvar(G *g, const LimboNode *n)
{
	GOpd m = limbo_cg_base(g, limbo_cg_exp(g, n->kids[0], NULL)), p = limbo_cg_tmpword(g, 0);
	LimboDecl *d = n->decl;

	if (d->dot == NULL || d->dot->ty == NULL) {
		limbo_cg_notimpl(g, n, "this module variable");
		return limbo_cg_none;
	}
	limbo_cg_modvars(d->dot->ty);
	if (d->dot->ty->decl != NULL) {
		/* the import that checks the data's layout: ".mp" */
		int found;
		uint32_t sig = limbo_cg_sig(g, d->dot->ty->decl->name, ".mp", 0, &found);
		if (found)
			(void)limbo_cg_ldt(g, d->dot->ty, ".mp", sig, n);
	}
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_ind(m, 0), limbo_cg_none, p);
	return limbo_cg_opd(G_IFP, p.a, d->offset);
}

GOpd
limbo_cg_lval(G *g, const LimboNode *n)
{
	switch (n->kind) {
	case LIMBO_N_MDOT:
		if (n->decl != NULL && n->decl->store == LIMBO_D_GLOBAL)
			return modvar(g, n);
		break;
	case LIMBO_N_NAME:
		if (n->decl != NULL && (n->decl->store == LIMBO_D_LOCAL || n->decl->store == LIMBO_D_ARG))
			return limbo_cg_opd(G_FP, n->decl->offset, 0);
		if (n->decl != NULL && n->decl->store == LIMBO_D_GLOBAL)
			return limbo_cg_opd(G_MP, n->decl->offset, 0);
		break;
	case LIMBO_N_DOT:
		return limbo_cg_dot_lval(g, n);
	case LIMBO_N_INDEX:
		return limbo_cg_index_lval(g, n);
	case LIMBO_N_UNOP:
		if (n->op == LIMBO_T_MUL) {
			GOpd p = limbo_cg_base(g, limbo_cg_exp(g, n->kids[0], NULL));
			return limbo_cg_ind(p, 0);
		}
		break;
	}
	limbo_cg_notimpl(g, n, "assignment to this");
	return limbo_cg_none;
}

void
limbo_cg_assign_to(G *g, const LimboNode *l, LimboType *t, GOpd r)
{
	if (l->kind == LIMBO_N_NIL)
		return;
	if (l->kind == LIMBO_N_TUPLE) {
		LimboDecl *e = t != NULL && (t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADT) ? t->ids : NULL;
		limbo_ty_size(t);
		for (int i = 0; i < l->nkids; i++, e = e->next) {
			while (e != NULL && e->store != LIMBO_D_FIELD)
				e = e->next;
			if (e == NULL) {
				limbo_cg_notimpl(g, l, "this tuple assignment");
				return;
			}
			limbo_cg_assign_to(g, l->kids[i], e->ty, limbo_cg_offset(r, e->offset));
		}
		return;
	}
	if (l->kind == LIMBO_N_INDEX && l->kids[0]->ty != NULL && l->kids[0]->ty->kind == LIMBO_TY_STRING) {
		limbo_cg_string_store(g, l, limbo_cg_direct(g, t, r));
		return;
	}
	limbo_cg_move(g, t, r, limbo_cg_lval(g, l));
}

static GOpd
assign(G *g, const LimboNode *n, const GOpd *dst)
{
	const LimboNode *l = n->kids[0], *r = n->kids[1];
	LimboType *t = l->ty;
	GOpd d, v;

	if (n->op != LIMBO_T_ASSIGN) {
		int tok = assign_binop(n->op), op;
		op = t->kind == LIMBO_TY_STRING && tok == LIMBO_T_ADD ? DIS_OP_ADDC : arith_op(tok, t);
		if (op == 0) {
			limbo_cg_notimpl(g, n, "this assignment operator on values of this type");
			return limbo_cg_none;
		}
		if (l->kind == LIMBO_N_INDEX && l->kids[0]->ty->kind == LIMBO_TY_STRING) {
			/* s[i] op= v: the character out (indc), back in (insc) */
			GOpd str = limbo_cg_lval(g, l->kids[0]);
			GOpd i = limbo_cg_direct(g, &limbo_cg_t_int, limbo_cg_expt(g, l->kids[1], &limbo_cg_t_int, NULL));
			GOpd ch = limbo_cg_tmp(g, &limbo_cg_t_int);
			limbo_cg_emit(g, DIS_OP_INDC, str, i, ch);
			v = limbo_cg_expt(g, r, tok == LIMBO_T_LSH || tok == LIMBO_T_RSH || tok == LIMBO_T_EXP ? &limbo_cg_t_int : t, NULL);
			limbo_cg_emit(g, op, v, ch, ch);
			limbo_cg_emit(g, DIS_OP_INSC, ch, i, str);
			return limbo_cg_deliver(g, t, ch, dst);
		}
		v = limbo_cg_expt(g, r, tok == LIMBO_T_LSH || tok == LIMBO_T_RSH || tok == LIMBO_T_EXP ? &limbo_cg_t_int : t, NULL);
		d = limbo_cg_lval(g, l);
		limbo_cg_emit(g, op, v, d, d); /* two operands: d may be indirect */
		return limbo_cg_deliver(g, t, d, dst);
	}
	if (l->kind == LIMBO_N_SLICE) /* its value is the array sliced (Inferno's slicelcom) */
		return limbo_cg_deliver(g, l->kids[0]->ty, limbo_cg_slice_assign(g, l, r), dst);
	if (l->kind == LIMBO_N_TUPLE || (l->kind == LIMBO_N_INDEX && l->kids[0]->ty->kind == LIMBO_TY_STRING)) {
		v = limbo_cg_expt(g, r, l->kind == LIMBO_N_TUPLE ? r->ty : t, NULL);
		if (l->kind == LIMBO_N_TUPLE && limbo_cg_isind(v) == 0 && v.mode != G_FP) {
			GOpd x = limbo_cg_tmp(g, r->ty);
			limbo_cg_move(g, r->ty, v, x);
			v = x;
		}
		limbo_cg_assign_to(g, l, l->kind == LIMBO_N_TUPLE ? r->ty : t, v);
		return dst != NULL && l->kind != LIMBO_N_TUPLE ? limbo_cg_deliver(g, t, v, dst) : v;
	}
	if (l->kind == LIMBO_N_NAME && !builds_in_place(r)) {
		d = limbo_cg_lval(g, l);
		limbo_cg_expt(g, r, t, &d);
		return limbo_cg_deliver(g, t, d, dst);
	}
	/* the value first: the lvalue's address must not be held across
	 * code that may move what it points into */
	v = limbo_cg_expt(g, r, t, NULL);
	if (r->kind == LIMBO_N_NIL || (v.mode == G_MP && r->ty->kind == LIMBO_TY_NIL))
		v = limbo_cg_nil(g);
	if (builds_in_place(r) && v.mode != G_FP && !limbo_cg_isind(v)) {
		GOpd x = limbo_cg_tmp(g, t);
		limbo_cg_move(g, t, v, x);
		v = x;
	}
	d = limbo_cg_lval(g, l);
	if (r->ty->kind == LIMBO_TY_NIL && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE)) {
		limbo_cg_notimpl(g, n, "nil assigned to this");
		return limbo_cg_none;
	}
	limbo_cg_move(g, t, v, d);
	return limbo_cg_deliver(g, t, d, dst);
}

void
limbo_cg_declare(G *g, const LimboNode *l, LimboType *t, GOpd r)
{
	if (l->kind == LIMBO_N_NIL)
		return;
	if (l->kind == LIMBO_N_TUPLE) {
		LimboDecl *e = t->ids;
		limbo_ty_size(t);
		for (int i = 0; i < l->nkids; i++, e = e->next) {
			while (e != NULL && e->store != LIMBO_D_FIELD)
				e = e->next;
			if (e == NULL)
				break;
			limbo_cg_declare(g, l->kids[i], e->ty, limbo_cg_offset(r, e->offset));
		}
		return;
	}
	if (l->decl == NULL) {
		limbo_cg_notimpl(g, l, "this declaration");
		return;
	}
	if (l->decl->store == LIMBO_D_GLOBAL) {
		limbo_cg_move(g, l->decl->ty, r, limbo_cg_opd(G_MP, l->decl->offset, 0));
		return;
	}
	l->decl->offset = limbo_cg_local(g, l->decl->ty, l);
	limbo_cg_move(g, l->decl->ty, r, limbo_cg_opd(G_FP, l->decl->offset, 0));
}

static GOpd
declas(G *g, const LimboNode *n, const GOpd *dst)
{
	const LimboNode *l = n->kids[0], *r = n->kids[1];
	GOpd v;

	if (l->kind == LIMBO_N_NAME && l->decl != NULL && l->decl->store == LIMBO_D_LOCAL) {
		GOpd d;
		l->decl->offset = limbo_cg_local(g, l->decl->ty, l);
		d = limbo_cg_opd(G_FP, l->decl->offset, 0);
		return limbo_cg_deliver(g, l->decl->ty, limbo_cg_expt(g, r, l->decl->ty, &d), dst);
	}
	v = limbo_cg_exp(g, r, NULL);
	if (l->kind == LIMBO_N_TUPLE && v.mode != G_FP && !limbo_cg_isind(v)) {
		GOpd x = limbo_cg_tmp(g, r->ty);
		limbo_cg_move(g, r->ty, v, x);
		v = x;
	}
	limbo_cg_declare(g, l, r->ty, v);
	return limbo_cg_deliver(g, r->ty, v, dst);
}

static GOpd
load(G *g, const LimboNode *n, const GOpd *dst)
{
	GOpd path = limbo_cg_exp(g, n->kids[1], NULL), d;
	int ldt = limbo_cg_ldt(g, n->ty, NULL, 0, n);

	d = target(g, dst, n->ty);
	limbo_cg_emit(g, DIS_OP_LOAD, path, limbo_cg_ldtmod(ldt), d);
	return d;
}

GOpd
limbo_cg_exp(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboConst c;

	if (g->failed || n == NULL)
		return limbo_cg_none;
	if (n->ty == NULL) {
		limbo_cg_notimpl(g, n, "an expression the checker did not type");
		return limbo_cg_none;
	}
	switch (n->kind) {
	case LIMBO_N_NAME:
		return name_opd(g, n, dst);
	case LIMBO_N_NIL:
		return limbo_cg_deliver(g, n->ty, limbo_cg_nil(g), dst);
	case LIMBO_N_ICONST: case LIMBO_N_RCONST: case LIMBO_N_SCONST:
		(void)limbo_cg_fold(g, n, &c);
		return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
	case LIMBO_N_BINOP:
		if (limbo_cg_fold(g, n, &c))
			return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
		return binop(g, n, dst);
	case LIMBO_N_UNOP:
		if (n->op != LIMBO_T_LEN && n->op != LIMBO_T_INC && n->op != LIMBO_T_DEC && limbo_cg_fold(g, n, &c))
			return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
		if (n->op == LIMBO_T_LEN && limbo_cg_fold(g, n, &c))
			return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
		return unop(g, n, dst);
	case LIMBO_N_POSTOP:
		return postop(g, n, dst);
	case LIMBO_N_ASSIGN:
		return assign(g, n, dst);
	case LIMBO_N_DECLAS:
		return declas(g, n, dst);
	case LIMBO_N_CAST:
		return cast(g, n, dst);
	case LIMBO_N_CALL:
		return limbo_cg_call(g, n, dst);
	case LIMBO_N_LOAD:
		return load(g, n, dst);
	case LIMBO_N_MDOT:
		if (limbo_cg_fold(g, n, &c))
			return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
		if (n->decl != NULL && n->decl->store == LIMBO_D_FN)
			return limbo_cg_fnref(g, n, dst);
		if (n->decl != NULL && n->decl->store == LIMBO_D_GLOBAL)
			return limbo_cg_deliver(g, n->ty, modvar(g, n), dst);
		break;
	case LIMBO_N_DOT:
		if (limbo_cg_fold(g, n, &c))
			return limbo_cg_deliver(g, n->ty, limbo_cg_constopd(g, &c, n->ty), dst);
		return limbo_cg_dot(g, n, dst);
	case LIMBO_N_INDEX:
		return limbo_cg_index(g, n, dst);
	case LIMBO_N_SLICE:
		return limbo_cg_slice(g, n, dst);
	case LIMBO_N_TUPLE:
		return limbo_cg_tuple(g, n, n->ty, dst);
	case LIMBO_N_ARRAYNEW:
		return limbo_cg_arraynew(g, n, dst);
	case LIMBO_N_LISTNEW:
		return limbo_cg_listnew(g, n, dst);
	case LIMBO_N_CHANNEW:
		return limbo_cg_channew(g, n, dst);
	case LIMBO_N_SEND:
		limbo_cg_send(g, n);
		return limbo_cg_none;
	}
	limbo_cg_notimpl(g, n, limbo_node_name(n->kind));
	return limbo_cg_none;
}
