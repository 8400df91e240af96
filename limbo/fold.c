/*
 * Constant folding, for the checker (case labels, conditions, messages)
 * and the code generator (operands): integer arithmetic wraps to the
 * width of the expression's type, shifts take their count modulo the
 * width, reals follow IEEE, strings concatenate and compare byte-wise,
 * comparisons and && || give 0 or 1, `len` of a string counts runes,
 * `tagof Adt.Tag` is the tag's number, and a named constant folds its
 * declaration's expression with iota its position.
 *
 * Follows: limbo.ms ("Constant expressions"); inferno-os limbo/nodes.b
 * (fold, foldc, foldr).
 */
#include <math.h>
#include <string.h>

#include "limbo/check.h"

static int fold(LimboArena *a, const LimboNode *n, LimboConst *v, int iota, int depth);

static int
isint(const LimboType *t)
{
	return t != NULL && (t->kind == LIMBO_TY_INT || t->kind == LIMBO_TY_BYTE || t->kind == LIMBO_TY_BIG);
}

/* An integer constant cut to the width of t (int when t is unknown). */
static int64_t
wrap(const LimboType *t, int64_t v)
{
	if (t == NULL || t->kind == LIMBO_TY_INT)
		return (int32_t)(uint32_t)v;
	if (t->kind == LIMBO_TY_BYTE)
		return (uint8_t)v;
	return v;
}

static int64_t
round_half_away(double r)
{
	return (int64_t)(r < 0 ? r - 0.5 : r + 0.5);
}

static int
fold_decl(LimboArena *a, LimboDecl *d, LimboConst *v, int depth)
{
	if (d->store == LIMBO_D_IMPORT && d->imp != NULL)
		d = d->imp;
	if (d->store != LIMBO_D_CONST || d->node == NULL)
		return 0;
	return fold(a, d->node, v, (int)d->ival, depth + 1);
}

static int
compare(int op, int cmp, LimboConst *v)
{
	v->kind = LIMBO_C_INT;
	switch (op) {
	case LIMBO_T_EQ: v->i = cmp == 0; return 1;
	case LIMBO_T_NEQ: v->i = cmp != 0; return 1;
	case LIMBO_T_LT: v->i = cmp < 0; return 1;
	case LIMBO_T_GT: v->i = cmp > 0; return 1;
	case LIMBO_T_LEQ: v->i = cmp <= 0; return 1;
	case LIMBO_T_GEQ: v->i = cmp >= 0; return 1;
	}
	return 0;
}

static int
fold_ints(const LimboNode *n, int64_t x, int64_t y, LimboConst *v)
{
	int64_t r;

	v->kind = LIMBO_C_INT;
	switch (n->op) {
	case LIMBO_T_ADD: r = (int64_t)((uint64_t)x + (uint64_t)y); break;
	case LIMBO_T_SUB: r = (int64_t)((uint64_t)x - (uint64_t)y); break;
	case LIMBO_T_MUL: r = (int64_t)((uint64_t)x * (uint64_t)y); break;
	case LIMBO_T_DIV: if (y == 0) return 0; r = y == -1 ? (int64_t)(0 - (uint64_t)x) : x / y; break;
	case LIMBO_T_MOD: if (y == 0) return 0; r = y == -1 ? 0 : x % y; break;
	case LIMBO_T_AND: r = x & y; break;
	case LIMBO_T_OR1: r = x | y; break;
	case LIMBO_T_XOR: r = x ^ y; break;
	case LIMBO_T_LSH: r = (int64_t)((uint64_t)x << (y & 63)); break;
	case LIMBO_T_RSH:
		r = n->ty != NULL && n->ty->kind == LIMBO_TY_INT ? (int32_t)x >> (y & 31) : x >> (y & 63);
		break;
	case LIMBO_T_EXP:
		if (y < 0)
			return 0;
		r = 1;
		for (int64_t k = 0; k < y && k < 64; k++)
			r = (int64_t)((uint64_t)r * (uint64_t)x);
		break;
	case LIMBO_T_ANDAND: v->i = x != 0 && y != 0; return 1;
	case LIMBO_T_OROR: v->i = x != 0 || y != 0; return 1;
	default:
		return compare(n->op, (x > y) - (x < y), v);
	}
	v->i = wrap(n->ty, r);
	return 1;
}

static int
fold_binop(LimboArena *ar, const LimboNode *n, const LimboConst *a, const LimboConst *b, LimboConst *v)
{
	if (a->kind == LIMBO_C_STRING && b->kind == LIMBO_C_STRING) {
		int cmp;
		if (n->op == LIMBO_T_ADD) {
			char *s = ar != NULL ? limbo_arena_alloc(ar, a->len + b->len + 1) : NULL;
			if (s == NULL)
				return 0;
			memcpy(s, a->s, a->len);
			memcpy(s + a->len, b->s, b->len);
			v->kind = LIMBO_C_STRING;
			v->s = s;
			v->len = a->len + b->len;
			return 1;
		}
		cmp = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (cmp == 0)
			cmp = (a->len > b->len) - (a->len < b->len);
		return compare(n->op, cmp, v);
	}
	if (a->kind == LIMBO_C_INT && b->kind == LIMBO_C_INT &&
	    (isint(n->ty) || (n->ty != NULL && n->ty->kind != LIMBO_TY_REAL)))
		return fold_ints(n, a->i, b->i, v);
	if ((a->kind == LIMBO_C_REAL || a->kind == LIMBO_C_INT) && (b->kind == LIMBO_C_REAL || b->kind == LIMBO_C_INT)) {
		double x = a->kind == LIMBO_C_REAL ? a->r : (double)a->i;
		double y = b->kind == LIMBO_C_REAL ? b->r : (double)b->i;
		v->kind = LIMBO_C_REAL;
		switch (n->op) {
		case LIMBO_T_ADD: v->r = x + y; return 1;
		case LIMBO_T_SUB: v->r = x - y; return 1;
		case LIMBO_T_MUL: v->r = x * y; return 1;
		case LIMBO_T_DIV: v->r = x / y; return 1;
		case LIMBO_T_EXP:
			if (b->kind != LIMBO_C_INT)
				return 0;
			v->r = pow(x, (double)b->i);
			return 1;
		}
		return compare(n->op, (x > y) - (x < y), v);
	}
	return 0;
}

static int
fold_cast(LimboArena *ar, const LimboNode *n, LimboConst *v, int iota, int depth)
{
	LimboConst a;

	if (n->ty == NULL || !fold(ar, n->kids[1], &a, iota, depth + 1))
		return 0;
	if (isint(n->ty) && (a.kind == LIMBO_C_INT || a.kind == LIMBO_C_REAL)) {
		v->kind = LIMBO_C_INT;
		v->i = wrap(n->ty, a.kind == LIMBO_C_INT ? a.i : round_half_away(a.r));
		return 1;
	}
	if (n->ty->kind == LIMBO_TY_REAL && (a.kind == LIMBO_C_INT || a.kind == LIMBO_C_REAL)) {
		v->kind = LIMBO_C_REAL;
		v->r = a.kind == LIMBO_C_INT ? (double)a.i : a.r;
		return 1;
	}
	if (n->ty->kind == LIMBO_TY_STRING && a.kind == LIMBO_C_STRING) {
		*v = a;
		return 1;
	}
	return 0;
}

static int
fold_unop(LimboArena *ar, const LimboNode *n, LimboConst *v, int iota, int depth)
{
	LimboConst a;

	if (n->op == LIMBO_T_TAGOF && n->kids[0]->decl != NULL && n->kids[0]->decl->store == LIMBO_D_TAG &&
	    n->kids[0]->decl->ty != NULL) {
		v->kind = LIMBO_C_INT;
		v->i = n->kids[0]->decl->ty->tag;
		return 1;
	}
	if (!fold(ar, n->kids[0], &a, iota, depth + 1))
		return 0;
	*v = a;
	switch (n->op) {
	case LIMBO_T_SUB:
		if (a.kind == LIMBO_C_INT)
			v->i = wrap(n->ty, (int64_t)(0 - (uint64_t)a.i));
		else
			v->r = -a.r;
		return a.kind != LIMBO_C_STRING;
	case LIMBO_T_ADD:
		return a.kind != LIMBO_C_STRING;
	case LIMBO_T_TILDE:
		v->i = wrap(n->ty, ~a.i);
		return a.kind == LIMBO_C_INT;
	case LIMBO_T_NOT:
		v->i = !a.i;
		return a.kind == LIMBO_C_INT;
	case LIMBO_T_LEN:
		if (a.kind != LIMBO_C_STRING)
			return 0;
		v->kind = LIMBO_C_INT;
		v->i = 0;
		for (size_t i = 0; i < a.len; i++)
			v->i += ((unsigned char)a.s[i] & 0xc0) != 0x80; /* runes */
		return 1;
	}
	return 0;
}

static int
fold(LimboArena *ar, const LimboNode *n, LimboConst *v, int iota, int depth)
{
	LimboConst a, b;

	memset(v, 0, sizeof *v);
	if (n == NULL || depth > 64)
		return 0;
	switch (n->kind) {
	case LIMBO_N_ICONST:
		v->kind = LIMBO_C_INT;
		v->i = n->ival;
		return 1;
	case LIMBO_N_RCONST:
		v->kind = LIMBO_C_REAL;
		v->r = n->rval;
		return 1;
	case LIMBO_N_SCONST:
		v->kind = LIMBO_C_STRING;
		v->s = n->str;
		v->len = n->len;
		return 1;
	case LIMBO_N_NAME:
		if (n->decl == NULL && n->name != NULL && strcmp(n->name, "iota") == 0 && iota >= 0) {
			v->kind = LIMBO_C_INT;
			v->i = iota;
			return 1;
		}
		return n->decl != NULL && fold_decl(ar, n->decl, v, depth);
	case LIMBO_N_DOT: case LIMBO_N_MDOT:
		return n->decl != NULL && n->decl->store == LIMBO_D_CONST && fold_decl(ar, n->decl, v, depth);
	case LIMBO_N_CAST:
		return fold_cast(ar, n, v, iota, depth);
	case LIMBO_N_UNOP:
		return fold_unop(ar, n, v, iota, depth);
	case LIMBO_N_BINOP:
		if (!fold(ar, n->kids[0], &a, iota, depth + 1) || !fold(ar, n->kids[1], &b, iota, depth + 1))
			return 0;
		return fold_binop(ar, n, &a, &b, v);
	}
	return 0;
}

int
limbo_fold(LimboArena *a, const LimboNode *n, LimboConst *v)
{
	return fold(a, n, v, -1, 0);
}
