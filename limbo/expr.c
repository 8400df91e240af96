/*
 * Expressions: the type of each, checked against Limbo's rules. There are
 * no implicit conversions, except that a constant takes the numeric type the
 * other operand wants (1 + big x, 2.0 * r, byte b == 'a'); string indexing
 * yields int; nil goes where a ref, list, array, chan, string or module is.
 *
 * Follows: limbo.ms §"Expressions"; inferno-os limbo/typecheck.b (echeck)
 * for which operand types each operator takes.
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"
#include "limbo/poly.h"

#define TS(t, b) limbo_ty_str((t), (b), sizeof(b))

static int
iserr(const LimboType *t)
{
	return t == NULL || t->kind == LIMBO_TY_ERROR || t->kind == LIMBO_TY_ANY || t->kind == LIMBO_TY_POLY;
}

static int
isintlike(const LimboType *t)
{
	return t->kind == LIMBO_TY_INT || t->kind == LIMBO_TY_BIG || t->kind == LIMBO_TY_BYTE;
}

/* May a constant of type from stand for a value of numeric type to: an
 * integer constant may be any number, a real one only real or fixed. */
static int
const_fits(const LimboType *from, const LimboType *to)
{
	if (!limbo_ty_isnum(from) || !limbo_ty_isnum(to))
		return 0;
	if (from->kind == LIMBO_TY_REAL || from->kind == LIMBO_TY_FIXED)
		return to->kind == LIMBO_TY_REAL || to->kind == LIMBO_TY_FIXED;
	return 1;
}

/* The common type of two operands, letting a constant adopt the other's
 * numeric type; NULL when they do not agree. */
static LimboType *
unify(LimboChecker *c, LimboType *l, int lc, LimboType *r, int rc)
{
	if (iserr(l))
		return r;
	if (iserr(r))
		return l;
	if (limbo_ty_equal(l, r))
		return l;
	if (lc && const_fits(l, r))
		return r;
	if (rc && const_fits(r, l))
		return l;
	if (l->kind == LIMBO_TY_NIL && limbo_ty_assignable(r, l))
		return r;
	if (r->kind == LIMBO_TY_NIL && limbo_ty_assignable(l, r))
		return l;
	if (limbo_ty_assignable(l, r))
		return l;
	if (limbo_ty_assignable(r, l))
		return r;
	return NULL;
}

static void
mismatch(LimboChecker *c, const LimboNode *n, LimboType *l, LimboType *r, const char *op)
{
	char b1[128], b2[128];

	CK_ERR(c, n, "type mismatch: %s and %s in %s", TS(l, b1), TS(r, b2), op);
}

/* Records the signature of a function of another module that is used. */
static void
use_fn(LimboChecker *c, LimboDecl *mod, const char *adt, LimboDecl *fn)
{
	char buf[256];
	size_t n;
	char *name;

	if (mod == NULL || fn == NULL || fn->ty == NULL || fn->ty->kind != LIMBO_TY_FN || fn->store != LIMBO_D_FN)
		return;
	for (int i = 0; i < c->nimpl; i++)
		if (c->impl[i] == mod->ty)
			return;
	if (adt != NULL)
		snprintf(buf, sizeof buf, "%s.%s", adt, fn->name);
	else
		snprintf(buf, sizeof buf, "%s", fn->name);
	n = strlen(buf);
	name = limbo_arena_strndup(c->a, buf, n);
	if (name != NULL)
		limbo_sig_add(c, mod->name, name, fn->ty, 0);
	if (c->nused == c->capused) {
		int nc = c->capused ? c->capused * 2 : 32;
		LimboType **p = realloc(c->used, (size_t)nc * sizeof *p);
		if (p == NULL) {
			c->a->nomem = 1;
			return;
		}
		c->used = p;
		c->capused = nc;
	}
	c->used[c->nused++] = fn->ty;
}

/* A function of this module used as a value (a ref fn) is called through
 * the module's own link: Inferno's limbo exports it and has the module
 * import itself, with every function of its interface. */
static void
fn_value(LimboChecker *c, LimboDecl *d)
{
	LimboType *m = c->impl[0];

	if (d->ty == NULL || d->ty->kind != LIMBO_TY_FN)
		return;
	limbo_sig_add(c, m->decl->name, d->name, d->ty, 1);
	limbo_sig_add(c, m->decl->name, d->name, d->ty, 0);
	if (c->selfimport)
		return;
	c->selfimport = 1;
	for (LimboDecl *x = m->ids; x != NULL; x = x->next)
		if (x->store == LIMBO_D_FN && x->ty != NULL && x->ty->kind == LIMBO_TY_FN)
			limbo_sig_add(c, m->decl->name, x->name, x->ty, 0);
}

/* The module an adt was declared in, if any. */
static LimboDecl *
adt_module(LimboType *adt)
{
	LimboDecl *d = adt != NULL ? adt->decl : NULL;

	while (d != NULL && d->dot != NULL) {
		d = d->dot;
		if (d->ty != NULL && d->ty->kind == LIMBO_TY_MODULE)
			return d;
	}
	return NULL;
}

static LimboType *
binop(LimboChecker *c, const LimboNode *n, int *isconst)
{
	int lc = 0, rc = 0, op = n->op;
	LimboType *l = limbo_exp(c, n->kids[0], &lc);
	LimboType *r = limbo_exp(c, n->kids[1], &rc);
	LimboType *t;
	const char *ops = limbo_tok_text(op);

	*isconst = lc && rc;
	switch (op) {
	case LIMBO_T_ANDAND: case LIMBO_T_OROR:
		if (!iserr(l) && l->kind != LIMBO_TY_INT)
			mismatch(c, n, l, r, ops);
		else if (!iserr(r) && r->kind != LIMBO_TY_INT)
			mismatch(c, n, l, r, ops);
		return c->t_int;
	case LIMBO_T_CONS:
		if (iserr(r))
			return limbo_ty_new(c, LIMBO_TY_LIST, l);
		if (r->kind == LIMBO_TY_NIL) {
			if (l->kind == LIMBO_TY_NIL) {
				CK_ERR(c, n, "type of nil :: nil is unknown");
				return c->t_error;
			}
			/* a function named as a value is a ref fn */
			return limbo_ty_new(c, LIMBO_TY_LIST, l->kind == LIMBO_TY_FN ? limbo_ty_new(c, LIMBO_TY_REF, l) : l);
		}
		if (r->kind != LIMBO_TY_LIST) {
			mismatch(c, n, l, r, ops);
			return c->t_error;
		}
		if (!limbo_ty_assignable(r->of, l) && !(lc && const_fits(l, r->of)))
			mismatch(c, n, l, r, ops);
		return r;
	case LIMBO_T_LSH: case LIMBO_T_RSH:
		if (!iserr(l) && !isintlike(l))
			mismatch(c, n, l, r, ops);
		else if (!iserr(r) && r->kind != LIMBO_TY_INT && !(rc && isintlike(r)))
			mismatch(c, n, l, r, ops);
		return l;
	case LIMBO_T_EXP:
		if (!iserr(l) && !limbo_ty_isnum(l))
			mismatch(c, n, l, r, ops);
		else if (!iserr(r) && r->kind != LIMBO_TY_INT && !rc)
			mismatch(c, n, l, r, ops);
		return l;
	}
	t = unify(c, l, lc, r, rc);
	if (t == NULL) {
		mismatch(c, n, l, r, ops);
		return c->t_error;
	}
	switch (op) {
	case LIMBO_T_EQ: case LIMBO_T_NEQ:
		if (!iserr(t) && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADTPICK))
			mismatch(c, n, l, r, ops);
		return c->t_int;
	case LIMBO_T_LT: case LIMBO_T_GT: case LIMBO_T_LEQ: case LIMBO_T_GEQ:
		if (!iserr(t) && !limbo_ty_isnum(t) && t->kind != LIMBO_TY_STRING)
			mismatch(c, n, l, r, ops);
		return c->t_int;
	case LIMBO_T_ADD:
		if (!iserr(t) && !limbo_ty_isnum(t) && t->kind != LIMBO_TY_STRING)
			mismatch(c, n, l, r, ops);
		return t;
	case LIMBO_T_SUB: case LIMBO_T_MUL: case LIMBO_T_DIV:
		if (!iserr(t) && !limbo_ty_isnum(t))
			mismatch(c, n, l, r, ops);
		return t;
	case LIMBO_T_MOD: case LIMBO_T_AND: case LIMBO_T_OR1: case LIMBO_T_XOR:
		if (!iserr(t) && !isintlike(t))
			mismatch(c, n, l, r, ops);
		return t;
	}
	return t;
}

/* Is n something that can be assigned to. */
int
limbo_exp_islval(LimboChecker *c, const LimboNode *n)
{
	LimboDecl *d;

	if (n == NULL)
		return 0;
	switch (n->kind) {
	case LIMBO_N_NAME:
		d = limbo_lookup(c, n->name);
		return d == NULL || d->store == LIMBO_D_GLOBAL || d->store == LIMBO_D_LOCAL || d->store == LIMBO_D_ARG ||
		       (d->store == LIMBO_D_IMPORT && d->imp != NULL && d->imp->store == LIMBO_D_GLOBAL);
	case LIMBO_N_NIL:
		return 1;
	case LIMBO_N_INDEX: case LIMBO_N_DOT: case LIMBO_N_MDOT: case LIMBO_N_UNOP:
		return 1; /* a[i], r.f, m->v, *r: the operand decides, checked above */
	case LIMBO_N_TUPLE:
		for (int i = 0; i < n->nkids; i++)
			if (!limbo_exp_islval(c, n->kids[i]))
				return 0;
		return 1;
	case LIMBO_N_SLICE:
		return 1; /* a[i:] = b copies into an array */
	}
	return 0;
}

/* An assignment target: like an expression, but nil means "discard". */
static LimboType *
lval(LimboChecker *c, const LimboNode *n)
{
	int k;

	if (n == NULL)
		return c->t_error;
	if (n->kind == LIMBO_N_NIL)
		return c->t_any;
	if (n->kind == LIMBO_N_TUPLE) {
		LimboType *t = limbo_ty_new(c, LIMBO_TY_TUPLE, NULL);
		LimboDecl **tail = &t->ids;
		for (int i = 0; i < n->nkids; i++) {
			LimboDecl *e = limbo_decl_new(c, NULL, LIMBO_D_FIELD, lval(c, n->kids[i]), n);
			if (e == NULL)
				break;
			*tail = e;
			tail = &e->next;
		}
		return t;
	}
	if (!limbo_exp_islval(c, n)) {
		CK_ERR(c, n, "cannot assign to %s", n->kind == LIMBO_N_NAME ? n->name : limbo_node_name(n->kind));
		(void)limbo_exp(c, n, &k);
		return c->t_error;
	}
	return limbo_exp(c, n, &k);
}

static int
assignable_c(LimboType *to, LimboType *from, int isconst)
{
	if (iserr(to) || iserr(from))
		return 1;
	if (isconst && const_fits(from, to))
		return 1;
	return limbo_ty_assignable(to, from);
}

void
limbo_exp_want(LimboChecker *c, const LimboNode *n, LimboType *want, const char *what)
{
	int k = 0;
	LimboType *t = limbo_exp(c, n, &k);
	char b1[128], b2[128];

	if (!assignable_c(want, t, k))
		CK_ERR(c, n, "type mismatch: %s is %s, want %s", what, TS(t, b1), TS(want, b2));
}

void
limbo_declas(LimboChecker *c, const LimboNode *left, LimboType *t)
{
	LimboDecl *d;

	if (left == NULL)
		return;
	if (left->kind == LIMBO_N_NIL)
		return;
	if (left->kind == LIMBO_N_TUPLE) {
		/* from a tuple, or an adt's fields in order */
		int istup = t != NULL && (t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADT ||
		                          t->kind == LIMBO_TY_EXCEPTION);
		const LimboDecl *e = istup ? t->ids : NULL;
		int n = 0;
		for (const LimboDecl *x = e; x != NULL; x = x->next)
			n += x->store == LIMBO_D_FIELD;
		if (!iserr(t) && (t == NULL || !istup || n != left->nkids)) {
			char b[128];
			CK_ERR(c, left, "cannot declare %d names from a value of type %s", left->nkids, TS(t, b));
			e = NULL;
			t = c->t_error;
		}
		for (int i = 0; i < left->nkids; i++) {
			while (e != NULL && e->store != LIMBO_D_FIELD)
				e = e->next;
			limbo_declas(c, left->kids[i], e != NULL ? e->ty : c->t_error);
			if (e != NULL)
				e = e->next;
		}
		return;
	}
	if (left->kind != LIMBO_N_NAME) {
		CK_ERR(c, left, "only names may be declared with :=");
		return;
	}
	if (t != NULL && t->kind == LIMBO_TY_NIL) {
		CK_ERR(c, left, "cannot declare %s with nil: its type is unknown", left->name);
		t = c->t_error;
	}
	if (t != NULL && t->kind == LIMBO_TY_NONE) {
		CK_ERR(c, left, "cannot declare %s from an expression with no value", left->name);
		t = c->t_error;
	}
	d = limbo_decl_new(c, left->name, c->fnty != NULL ? LIMBO_D_LOCAL : LIMBO_D_GLOBAL, t, left);
	((LimboNode *)left)->decl = d;
	if (d != NULL) {
		d->state = 2;
		limbo_declare(c, d, c->fnty == NULL);
	}
}

/* What a name stands for, as an expression. */
static LimboType *
name_exp(LimboChecker *c, const LimboNode *n, int *isconst)
{
	LimboDecl *d;

	if (strcmp(n->name, "iota") == 0 && c->iota >= 0) {
		*isconst = 1;
		return c->t_int;
	}
	d = limbo_lookup(c, n->name);
	if (d == NULL) {
		CK_ERR(c, n, "undefined name %s", n->name);
		return c->t_error;
	}
	limbo_decl_resolve(c, d);
	((LimboNode *)n)->decl = d;
	switch (d->store) {
	case LIMBO_D_TYPE:
		CK_ERR(c, n, "%s is a type, not a value", n->name);
		return c->t_error;
	case LIMBO_D_CONST:
		*isconst = 1;
		break;
	case LIMBO_D_FN:
		if (!c->callee && c->nimpl > 0 && (d->dot == NULL || d->dot->ty == c->impl[0]))
			fn_value(c, d);
		break;
	case LIMBO_D_IMPORT:
		if (d->imp != NULL && d->impmod != NULL) {
			if (d->imp->store == LIMBO_D_TYPE) {
				CK_ERR(c, n, "%s is a type, not a value", n->name);
				return c->t_error;
			}
			*isconst = d->imp->store == LIMBO_D_CONST;
			use_fn(c, d->impmod->decl, NULL, d->imp);
		}
		break;
	}
	return d->ty != NULL ? d->ty : c->t_error;
}

/* The adt a value of type t gives access to (through ref too), or NULL. */
static LimboType *
adt_of(LimboType *t)
{
	if (t == NULL)
		return NULL;
	if (t->kind == LIMBO_TY_REF)
		t = t->of;
	if (t != NULL && (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_ADTPICK))
		return t;
	return NULL;
}

/* The declaration a type expression in value position names (a NAME or
 * m->T or Adt.Tag), or NULL if n is not one. */
static LimboDecl *
type_named(LimboChecker *c, const LimboNode *n)
{
	LimboDecl *d = NULL;

	if (n == NULL)
		return NULL;
	if (n->kind == LIMBO_N_NAME) {
		d = limbo_lookup(c, n->name);
		if (d != NULL && d->store == LIMBO_D_IMPORT) {
			limbo_decl_resolve(c, d);
			d = d->imp;
		}
	} else if (n->kind == LIMBO_N_MDOT && n->kids[1] != NULL && n->kids[1]->kind == LIMBO_N_NAME) {
		int k;
		LimboType *m;
		LimboDecl *l = type_named(c, n->kids[0]);
		if (l != NULL && l->store == LIMBO_D_TYPE)
			m = l->ty;
		else {
			/* a module value: its members are still types */
			const LimboNode *mn = n->kids[0];
			LimboDecl *v = mn->kind == LIMBO_N_NAME ? limbo_lookup(c, mn->name) : NULL;
			if (v == NULL)
				return NULL;
			limbo_decl_resolve(c, v);
			m = v->ty;
			(void)k;
		}
		if (m == NULL || m->kind != LIMBO_TY_MODULE)
			return NULL;
		d = limbo_member(m, n->kids[1]->name);
	} else if (n->kind == LIMBO_N_INDEX && n->nkids >= 2) {
		/* P[int]: a polymorphic adt with its type arguments */
		d = type_named(c, n->kids[0]);
		for (int i = 1; d != NULL && i < n->nkids; i++)
			if (n->kids[i] != NULL && n->kids[i]->kind == LIMBO_N_TYPEEXP)
				(void)limbo_type_resolve(c, n->kids[i]->kids[0]);
		return d;
	} else if (n->kind == LIMBO_N_DOT && n->kids[1] != NULL) {
		LimboDecl *l = type_named(c, n->kids[0]);
		if (l == NULL || l->store != LIMBO_D_TYPE || l->ty == NULL || l->ty->kind != LIMBO_TY_ADT)
			return NULL;
		for (LimboDecl *g = l->ty->tags; g != NULL; g = g->next)
			if (strcmp(g->name, n->kids[1]->name) == 0)
				return g;
		return NULL;
	}
	if (d != NULL)
		limbo_decl_resolve(c, d);
	if (d != NULL && (d->store == LIMBO_D_TYPE || d->store == LIMBO_D_TAG))
		return d;
	return NULL;
}

/* T.f or v.f for a type variable T (v of type T): one of the functions its
 * `for` constraint requires; v becomes the argument only of a self
 * parameter. Inferno: typecheck.b (Odot of a Tpoly), its message. */
static LimboType *
poly_member(LimboChecker *c, const LimboNode *n, LimboType *t, const char *what, int isval, int *self)
{
	const LimboNode *nm = n->kids[1];
	LimboDecl *m = limbo_member(t, nm->name);
	char b[128];

	if (m == NULL || m->store != LIMBO_D_FN) {
		CK_ERR(c, nm, "'%s' is not a member of '%s' of type %s", nm->name, what, TS(t, b));
		return c->t_error;
	}
	((LimboNode *)n)->decl = m;
	*self = isval && m->ty != NULL && m->ty->ids != NULL && m->ty->ids->self;
	return m->ty != NULL ? m->ty : c->t_error;
}

/* Member access exp.name: a field, or a method (*self set when the value
 * becomes its self argument). Also Adt.f and Adt.CONST. */
static LimboType *
dot_exp(LimboChecker *c, const LimboNode *n, int *isconst, int *self)
{
	const LimboNode *nm = n->kids[1];
	LimboDecl *td = type_named(c, n->kids[0]), *m = NULL;
	LimboType *t, *adt;
	int k = 0;
	char b[128];

	*self = 0;
	if (nm == NULL || nm->name == NULL)
		return c->t_error;
	if (td != NULL && td->ty != NULL && td->ty->kind == LIMBO_TY_POLY)
		return poly_member(c, n, td->ty, td->name, 0, self);
	if (td != NULL && td->ty != NULL && (td->ty->kind == LIMBO_TY_ADT || td->ty->kind == LIMBO_TY_ADTPICK)) {
		adt = td->ty;
		m = limbo_member(adt, nm->name);
		if (m == NULL && adt->kind == LIMBO_TY_ADTPICK)
			m = limbo_member(adt->of, nm->name);
		if (m == NULL) {
			CK_ERR(c, nm, "%s is not a member of %s", nm->name, TS(adt, b));
			return c->t_error;
		}
		limbo_decl_resolve(c, m);
		((LimboNode *)n)->decl = m;
		if (m->store == LIMBO_D_CONST)
			*isconst = 1;
		else if (m->store == LIMBO_D_FN)
			use_fn(c, adt_module(adt), adt->kind == LIMBO_TY_ADTPICK ? adt->of->decl->name : adt->decl->name, m);
		else if (m->store != LIMBO_D_TYPE) {
			CK_ERR(c, nm, "%s.%s is a field: it needs a value of type %s", TS(adt, b), nm->name, TS(adt, b));
			return c->t_error;
		}
		return m->ty;
	}
	t = limbo_exp(c, n->kids[0], &k);
	if (t != NULL && t->kind == LIMBO_TY_POLY)
		return poly_member(c, n, t, n->kids[0]->kind == LIMBO_N_NAME ? n->kids[0]->name : "expression", 1, self);
	if (iserr(t))
		return c->t_error;
	if ((t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_EXCEPTION) && nm->name[0] == 't') {
		/* tuple.t0, tuple.t1, ...: its elements */
		char *end;
		long i = strtol(nm->name + 1, &end, 10);
		LimboDecl *e = t->ids;
		if (*end == 0 && end != nm->name + 1) {
			for (; e != NULL && i > 0; i--)
				e = e->next;
			if (e != NULL && i == 0)
				return e->ty;
		}
	}
	adt = adt_of(t);
	if (adt == NULL) {
		CK_ERR(c, nm, "%s has no member %s: it is %s, not an adt", n->kids[0]->kind == LIMBO_N_NAME ? n->kids[0]->name : "expression",
		       nm->name, TS(t, b));
		return c->t_error;
	}
	m = limbo_member(adt, nm->name);
	if (m == NULL && adt->kind == LIMBO_TY_ADTPICK)
		m = limbo_member(adt->of, nm->name);
	if (m == NULL) {
		CK_ERR(c, nm, "%s is not a member of %s", nm->name, TS(adt, b));
		return c->t_error;
	}
	limbo_decl_resolve(c, m);
	((LimboNode *)n)->decl = m;
	if (m->store == LIMBO_D_FN) {
		LimboType *base = adt->kind == LIMBO_TY_ADTPICK ? adt->of : adt;
		use_fn(c, adt_module(base), base->decl->name, m);
		*self = m->ty != NULL && m->ty->kind == LIMBO_TY_FN && m->ty->ids != NULL;
	}
	if (m->store == LIMBO_D_CONST)
		*isconst = 1;
	if (m->store == LIMBO_D_FIELD && limbo_poly_isinst(adt)) {
		/* a field of Stack[string]: its type with string for T */
		LimboBinds bb;
		limbo_poly_instbinds(adt, &bb);
		return limbo_poly_subst(c, m->ty, &bb, 0);
	}
	return m->ty != NULL ? m->ty : c->t_error;
}

static LimboType *
mdot_exp(LimboChecker *c, const LimboNode *n, int *isconst)
{
	const LimboNode *l = n->kids[0], *nm = n->kids[1];
	LimboDecl *td = type_named(c, l), *m, *mod;
	LimboType *t;
	int k = 0;
	char b[128];

	if (nm == NULL || nm->name == NULL)
		return c->t_error;
	if (td != NULL && td->store == LIMBO_D_TYPE)
		t = td->ty;
	else
		t = limbo_exp(c, l, &k);
	if (iserr(t))
		return c->t_error;
	if (t->kind != LIMBO_TY_MODULE) {
		CK_ERR(c, n, "%s is not a module: it is %s", l->kind == LIMBO_N_NAME ? l->name : "expression", TS(t, b));
		return c->t_error;
	}
	mod = t->decl;
	m = limbo_member(t, nm->name);
	if (m == NULL) {
		CK_ERR(c, nm, "%s is not a member of module %s", nm->name, mod->name);
		return c->t_error;
	}
	limbo_decl_resolve(c, m);
	((LimboNode *)n)->decl = m;
	if (m->store == LIMBO_D_TYPE) {
		CK_ERR(c, nm, "%s->%s is a type, not a value", mod->name, nm->name);
		return c->t_error;
	}
	if (m->store == LIMBO_D_CONST)
		*isconst = 1;
	use_fn(c, mod, NULL, m);
	return m->ty != NULL ? m->ty : c->t_error;
}

/* Checks arguments against the fields or parameters ps (skipping the first
 * when self is bound); what names the callee in messages. */
static void
args(LimboChecker *c, const LimboNode *n, int first, LimboDecl *ps, int space, int self, int varargs,
     const char *what)
{
	int np = 0, na = n->nkids - first, i;
	LimboDecl *p;

	for (p = ps; p != NULL; p = p->next)
		if (!space || p->store == LIMBO_D_FIELD || p->store == LIMBO_D_ARG)
			np++;
	if (self && np > 0) {
		np--;
		for (ps = ps != NULL ? ps->next : NULL; ps != NULL && space && ps->store != LIMBO_D_FIELD &&
		     ps->store != LIMBO_D_ARG; ps = ps->next)
			;
	}
	if (na != np && !(varargs && na >= np)) {
		CK_ERR(c, n, "%s takes %d argument%s, given %d", what, np, np == 1 ? "" : "s", na);
		for (i = first; i < n->nkids; i++) {
			int k;
			(void)limbo_exp(c, n->kids[i], &k);
		}
		return;
	}
	p = ps;
	for (i = first; i < n->nkids; i++) {
		int k = 0;
		LimboType *t;
		while (p != NULL && space && p->store != LIMBO_D_FIELD && p->store != LIMBO_D_ARG)
			p = p->next;
		t = limbo_exp(c, n->kids[i], &k);
		if (p == NULL)
			continue; /* varargs tail: anything goes */
		if (!assignable_c(p->ty, t, k)) {
			char b1[128], b2[128];
			CK_ERR(c, n->kids[i], "type mismatch: argument %d of %s is %s, want %s", i - first + 1, what,
			       TS(t, b1), TS(p->ty, b2));
		}
		p = p->next;
	}
}

/* Instantiation of a polymorphic function at a call: each type variable
 * is bound to the type of the arguments in its place (only a reference
 * type: one word). Inferno: types.b (tunify, expandtype), typecheck.b
 * (Ocall of a polymorphic function, passfns). */
/* "fn[T](x: T, l: list of T): int" as Inferno writes a type in its
 * message; with args, the arguments' types in place of the parameters. */
static const char *
callty_str(const LimboType *t, const LimboNode *n, int first, char *buf, size_t len)
{
	size_t k = 0;
	char b[128];

	k += (size_t)snprintf(buf + k, len - k, "fn");
	if (t->polys != NULL) {
		for (LimboDecl *p = t->polys; p != NULL && k < len; p = p->next)
			k += (size_t)snprintf(buf + k, len - k, "%s%s", p == t->polys ? "[" : ", ", p->name);
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, "]");
	}
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, "(");
	if (n != NULL) {
		for (int i = first; i < n->nkids && k < len; i++)
			k += (size_t)snprintf(buf + k, len - k, "%snil: %s", i == first ? "" : ", ",
			                      n->kids[i]->ty != NULL ? TS(n->kids[i]->ty, b) : "?");
	} else {
		for (LimboDecl *p = t->ids; p != NULL && k < len; p = p->next)
			k += (size_t)snprintf(buf + k, len - k, "%s%s: %s", p == t->ids ? "" : ", ",
			                      p->name != NULL ? p->name : "nil", TS(p->ty, b));
	}
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, ")");
	if (k < len && t->of != NULL && t->of->kind != LIMBO_TY_NONE)
		snprintf(buf + k, len - k, ": %s", TS(t->of, b));
	return buf;
}

/* The function that type bt has for constraint f (a type variable's
 * member): an adt's (through ref), a module's, or another type
 * variable's. */
static LimboDecl *
inst_member(LimboType *bt, const char *name)
{
	LimboDecl *m = NULL;

	if (bt == NULL)
		return NULL;
	if (bt->kind == LIMBO_TY_REF && bt->of != NULL) {
		LimboType *a = bt->of;
		if (a->kind == LIMBO_TY_ADT || a->kind == LIMBO_TY_ADTPICK) {
			m = limbo_member(a, name);
			if (m == NULL && a->kind == LIMBO_TY_ADTPICK)
				m = limbo_member(a->of, name);
		}
	} else if (bt->kind == LIMBO_TY_MODULE || bt->kind == LIMBO_TY_POLY) {
		m = limbo_member(bt, name);
	}
	return m != NULL && m->store == LIMBO_D_FN ? m : NULL;
}

static LimboDecl *adt_module(LimboType *adt);

/* A function of this module's adt passed for a constraint is called
 * through the module's own link (as a function value is): exported, and
 * imported by "$self". */
static void
pass_fn(LimboChecker *c, LimboType *bt, LimboDecl *m)
{
	char buf[256];
	char *name;
	LimboDecl *mod;
	LimboType *adt;

	if (m->ty == NULL || m->ty->kind != LIMBO_TY_FN)
		return;
	if (bt->kind == LIMBO_TY_MODULE) {
		use_fn(c, bt->decl, NULL, m);
		return;
	}
	if (bt->kind != LIMBO_TY_REF)
		return;
	adt = bt->of->kind == LIMBO_TY_ADTPICK ? bt->of->of : bt->of;
	mod = adt_module(adt);
	for (int i = 0; mod != NULL && i < c->nimpl; i++)
		if (c->impl[i] == mod->ty)
			mod = NULL;
	if (mod != NULL) {
		use_fn(c, mod, adt->decl->name, m);
		return;
	}
	snprintf(buf, sizeof buf, "%s.%s", adt->decl->name, m->name);
	name = limbo_arena_strndup(c->a, buf, strlen(buf));
	if (name == NULL || c->nimpl == 0)
		return;
	limbo_sig_add(c, c->impl[0]->decl->name, name, m->ty, 1);
	limbo_sig_add(c, c->impl[0]->decl->name, name, m->ty, 0);
	if (c->selfimport)
		return;
	c->selfimport = 1;
	for (LimboDecl *x = c->impl[0]->ids; x != NULL; x = x->next)
		if (x->store == LIMBO_D_FN && x->ty != NULL && x->ty->kind == LIMBO_TY_FN)
			limbo_sig_add(c, c->impl[0]->decl->name, x->name, x->ty, 0);
}

/* Checks a call of polymorphic function type t (arguments from kid first,
 * self the value before the dot) and returns its instantiated result. */
static LimboType *
poly_call(LimboChecker *c, const LimboNode *n, int first, LimboType *t, int self, const LimboNode *selfn)
{
	LimboDecl *fd = n->kids[0]->decl, *encp = NULL;
	LimboBinds b;
	LimboDecl *p = t->ids;
	int ok = 1;
	char b1[512], b2[512];

	b.n = 0;
	if (fd != NULL && fd->store == LIMBO_D_FN && fd->dot != NULL && fd->dot->ty != NULL &&
	    fd->dot->ty->kind == LIMBO_TY_ADT)
		encp = fd->dot->ty->polys; /* the adt's type variables */
	if (selfn != NULL && selfn->ty != NULL) {
		/* a function of an instance (s.pop() for s: ref Stack[string]) */
		LimboType *st = selfn->ty->kind == LIMBO_TY_REF ? selfn->ty->of : selfn->ty;
		if (limbo_poly_isinst(st))
			limbo_poly_instbinds(st, &b);
	}
	if (self && p != NULL) {
		if (selfn != NULL && selfn->ty != NULL)
			ok = limbo_poly_bind(p->ty, selfn->ty, &b, 0);
		p = p->next;
	}
	for (int i = first; ok && i < n->nkids && p != NULL; i++, p = p->next)
		ok = limbo_poly_bind(p->ty, n->kids[i]->ty, &b, 0);
	/* each constrained type variable's instantiation has its functions */
	for (int k = 0; k < 2; k++) {
		for (LimboDecl *v = k == 0 ? t->polys : encp; ok && v != NULL; v = v->next) {
			LimboType *bt = limbo_poly_bound(&b, v);
			for (LimboDecl *f = v->ty->ids; ok && bt != NULL && f != NULL; f = f->next) {
				LimboDecl *m = inst_member(bt, f->name);
				if (m == NULL) {
					ok = 0;
					break;
				}
				limbo_decl_resolve(c, m);
				pass_fn(c, bt, m);
			}
		}
	}
	if (!ok) {
		CK_ERR(c, n, "function call type mismatch (%s vs %s)", callty_str(t, NULL, 0, b1, sizeof b1),
		       callty_str(t, n, first, b2, sizeof b2));
		return c->t_error;
	}
	return limbo_poly_subst(c, t->of != NULL ? t->of : c->t_none, &b, 0);
}

/* A type argument written in an expression (Stack[ref Pt](...)): a type
 * expression, a type's name, or ref of one. */
static LimboType *
type_arg(LimboChecker *c, const LimboNode *a)
{
	LimboDecl *d;

	if (a == NULL)
		return c->t_error;
	if (a->kind == LIMBO_N_TYPEEXP)
		return limbo_type_resolve(c, a->kids[0]);
	if (a->kind == LIMBO_N_UNOP && a->op == LIMBO_T_REF) {
		LimboType *t = type_arg(c, a->kids[0]);
		return t->kind == LIMBO_TY_ERROR ? t : limbo_ty_new(c, LIMBO_TY_REF, t);
	}
	d = type_named(c, a);
	if (d != NULL && d->store == LIMBO_D_TYPE && d->ty != NULL)
		return d->ty;
	CK_ERR(c, a, "type argument expected");
	return c->t_error;
}

static LimboType *
call_exp(LimboChecker *c, const LimboNode *n)
{
	const LimboNode *f = n->kids[0];
	LimboDecl *td = type_named(c, f);
	LimboType *t;
	int self = 0, k = 0;
	char what[160], b[128];

	if (f == NULL)
		return c->t_error;
	if (td != NULL) {
		/* Adt(fields...) makes a value; an exception name makes one too */
		((LimboNode *)f)->decl = td;
		t = td->ty;
		if (t != NULL && t->kind == LIMBO_TY_ADTPICK)
			t = t->of; /* pick cases are made with ref Adt.Tag(...) below */
		if (t == NULL || (t->kind != LIMBO_TY_ADT && t->kind != LIMBO_TY_TUPLE && td->ty->kind != LIMBO_TY_ADTPICK)) {
			CK_ERR(c, f, "%s is a type that cannot be called", TS(td->ty, b));
			return c->t_error;
		}
		if (f->kind == LIMBO_N_INDEX && t->kind == LIMBO_TY_ADT && t->polys != NULL) {
			/* Stack[string](...): an instance */
			LimboType *targs[LIMBO_MAXBINDS];
			int na = 0;
			for (int i = 1; i < f->nkids && na < LIMBO_MAXBINDS; i++)
				targs[na++] = type_arg(c, f->kids[i]);
			t = limbo_poly_inst(c, t, targs, na, f);
			if (t->kind == LIMBO_TY_ERROR)
				return t;
			snprintf(what, sizeof what, "%s", TS(td->ty, b));
			args(c, n, 1, t->ids, 1, 0, 0, what);
			return t;
		}
		snprintf(what, sizeof what, "%s", TS(td->ty, b));
		if (td->ty->kind == LIMBO_TY_ADTPICK) {
			/* the adt's common fields, then the tag's */
			LimboDecl *all = NULL, **tail = &all;
			for (LimboDecl *x = td->ty->of->ids; x != NULL; x = x->next) {
				LimboDecl *cp = limbo_decl_new(c, x->name, x->store, x->ty, NULL);
				if (cp == NULL)
					break;
				*tail = cp;
				tail = &cp->next;
			}
			*tail = td->ty->ids;
			args(c, n, 1, all, 1, 0, 0, what);
			return td->ty;
		}
		args(c, n, 1, t->ids, 1, 0, 0, what);
		return t;
	}
	if (f->kind == LIMBO_N_NAME) {
		LimboDecl *d = limbo_lookup(c, f->name);
		if (d != NULL && d->store == LIMBO_D_EXC) {
			limbo_decl_resolve(c, d);
			((LimboNode *)f)->decl = d;
			args(c, n, 1, d->ty->ids, 1, 0, 0, f->name);
			return d->ty;
		}
	}
	if (f->kind == LIMBO_N_DOT) {
		t = dot_exp(c, f, &k, &self);
		if (f->decl != NULL && f->decl->store == LIMBO_D_FIELD)
			((LimboNode *)f)->ty = t; /* a call through a field: for the code generator */
	} else {
		c->callee = f->kind == LIMBO_N_NAME;
		t = limbo_exp(c, f, &k);
		c->callee = 0;
	}
	if (iserr(t)) {
		for (int i = 1; i < n->nkids; i++)
			(void)limbo_exp(c, n->kids[i], &k);
		return c->t_error;
	}
	if (t->kind == LIMBO_TY_REF && t->of != NULL && t->of->kind == LIMBO_TY_FN)
		t = t->of;
	if (t->kind != LIMBO_TY_FN) {
		CK_ERR(c, f, "cannot call %s: it is %s, not a function", f->name != NULL ? f->name :
		       f->kind == LIMBO_N_MDOT || f->kind == LIMBO_N_DOT ? f->kids[1]->name : "expression", TS(t, b));
		return c->t_error;
	}
	if (f->kind == LIMBO_N_NAME)
		snprintf(what, sizeof what, "function %s", f->name);
	else if ((f->kind == LIMBO_N_MDOT || f->kind == LIMBO_N_DOT) && f->kids[1] != NULL && f->kids[1]->name)
		snprintf(what, sizeof what, "function %s", f->kids[1]->name);
	else
		snprintf(what, sizeof what, "function");
	{
		int before = limbo_unit_nerrors(c->u);
		args(c, n, 1, t->ids, 1, self, t->varargs, what);
		if (limbo_unit_nerrors(c->u) == before &&
		    (t->polys != NULL || (f->kind == LIMBO_N_DOT && f->kids[0]->ty != NULL &&
		                          (limbo_poly_isinst(f->kids[0]->ty) ||
		                           (f->kids[0]->ty->kind == LIMBO_TY_REF && limbo_poly_isinst(f->kids[0]->ty->of))))))
			return poly_call(c, n, 1, t, self, f->kind == LIMBO_N_DOT ? f->kids[0] : NULL);
	}
	return t->of != NULL ? t->of : c->t_none;
}

static int
cast_ok(const LimboType *to, const LimboType *from, int isconst)
{
	if (iserr(to) || iserr(from) || limbo_ty_equal(to, from))
		return 1;
	if (limbo_ty_isnum(to) && limbo_ty_isnum(from))
		return 1;
	if (to->kind == LIMBO_TY_STRING && (limbo_ty_isnum(from) || (from->kind == LIMBO_TY_ARRAY &&
	    from->of->kind == LIMBO_TY_BYTE)))
		return 1;
	if (from->kind == LIMBO_TY_STRING && (limbo_ty_isnum(to) || (to->kind == LIMBO_TY_ARRAY &&
	    to->of->kind == LIMBO_TY_BYTE)))
		return 1;
	if (from->kind == LIMBO_TY_NIL && limbo_ty_assignable(to, from))
		return 1;
	/* a tuple of constants or an adt value may be cast to an equal adt */
	if ((to->kind == LIMBO_TY_ADT || to->kind == LIMBO_TY_TUPLE) && from->kind == LIMBO_TY_TUPLE)
		return 1;
	return limbo_ty_assignable(to, from);
}

/* Refs to different pick cases of one adt (or to a case and the adt) in
 * one array or list: the element type is a ref to the adt. */
static LimboType *
pick_base(LimboChecker *c, LimboType *a, LimboType *b)
{
	LimboType *x, *y;

	if (a == NULL || b == NULL || a->kind != LIMBO_TY_REF || b->kind != LIMBO_TY_REF || a->of == NULL ||
	    b->of == NULL || limbo_ty_equal(a, b))
		return NULL;
	x = a->of->kind == LIMBO_TY_ADTPICK ? a->of->of : a->of;
	y = b->of->kind == LIMBO_TY_ADTPICK ? b->of->of : b->of;
	if (x == NULL || x != y || x->kind != LIMBO_TY_ADT)
		return NULL;
	return a->of == x ? a : b->of == x ? b : limbo_ty_new(c, LIMBO_TY_REF, x);
}

static LimboType *
arraynew(LimboChecker *c, const LimboNode *n)
{
	LimboType *et = NULL;
	int k = 0;

	if (n->kids[0] != NULL)
		limbo_exp_want(c, n->kids[0], c->t_int, "array size");
	if (n->kids[1] != NULL)
		et = limbo_type_resolve(c, n->kids[1]);
	for (int i = 2; i < n->nkids; i++) {
		const LimboNode *e = n->kids[i];
		LimboType *t;
		if (e == NULL)
			continue;
		if (e->kind == LIMBO_N_ELEM) {
			const LimboNode *q = e->kids[0];
			for (int j = 0; q != NULL && j < q->nkids; j++) {
				const LimboNode *x = q->kids[j];
				if (x == NULL || x->kind == LIMBO_N_WILD)
					continue;
				if (x->kind == LIMBO_N_RANGE) {
					limbo_exp_want(c, x->kids[0], c->t_int, "array index");
					limbo_exp_want(c, x->kids[1], c->t_int, "array index");
				} else {
					limbo_exp_want(c, x, c->t_int, "array index");
				}
			}
			e = e->kids[1];
		}
		k = 0;
		t = limbo_exp(c, e, &k);
		if (et == NULL || (n->kids[1] == NULL && et->kind == LIMBO_TY_NIL && limbo_ty_assignable(t, et))) {
			et = t; /* nil first: a later element gives the type */
		} else if (n->kids[1] == NULL && pick_base(c, et, t) != NULL) {
			et = pick_base(c, et, t);
		} else if (!assignable_c(et, t, k)) {
			char b1[128], b2[128];
			CK_ERR(c, e, "type mismatch: array element is %s, want %s", TS(t, b1), TS(et, b2));
		}
	}
	return limbo_ty_new(c, LIMBO_TY_ARRAY, et != NULL && et->kind != LIMBO_TY_NIL ? et : c->t_error);
}

static LimboType *
unop(LimboChecker *c, const LimboNode *n, int *isconst)
{
	int k = 0;
	LimboType *t;
	char b[128];
	const char *ops = limbo_tok_text(n->op);

	if (n->op == LIMBO_T_REF) {
		LimboDecl *td = type_named(c, n->kids[0]);
		if (td != NULL && td->ty != NULL) {
			/* ref Adt: a new zeroed adt */
			t = td->ty;
			if (t->kind != LIMBO_TY_ADT && t->kind != LIMBO_TY_ADTPICK) {
				CK_ERR(c, n, "ref of a non-adt type %s", TS(t, b));
				return c->t_error;
			}
			return limbo_ty_new(c, LIMBO_TY_REF, t);
		}
		t = limbo_exp(c, n->kids[0], &k);
		if (iserr(t))
			return c->t_error;
		if (t->kind != LIMBO_TY_ADT && t->kind != LIMBO_TY_ADTPICK) {
			CK_ERR(c, n, "ref of a value of type %s: only adts can be referenced", TS(t, b));
			return c->t_error;
		}
		return limbo_ty_new(c, LIMBO_TY_REF, t);
	}
	if (n->op == LIMBO_T_TAGOF) {
		/* tagof Adt.Tag: the tag's number, a constant */
		LimboDecl *td = type_named(c, n->kids[0]);
		if (td != NULL && td->store == LIMBO_D_TAG) {
			((LimboNode *)n->kids[0])->decl = td;
			*isconst = 1;
			return c->t_int;
		}
	}
	t = limbo_exp(c, n->kids[0], &k);
	*isconst = k && (n->op == LIMBO_T_SUB || n->op == LIMBO_T_NOT || n->op == LIMBO_T_TILDE ||
	           n->op == LIMBO_T_LEN);
	if (iserr(t))
		return n->op == LIMBO_T_LEN || n->op == LIMBO_T_TAGOF || n->op == LIMBO_T_NOT ? c->t_int : c->t_error;
	switch (n->op) {
	case LIMBO_T_SUB: case LIMBO_T_ADD:
		if (!limbo_ty_isnum(t))
			break;
		return t;
	case LIMBO_T_NOT:
		if (t->kind != LIMBO_TY_INT)
			break;
		return t;
	case LIMBO_T_TILDE:
		if (!isintlike(t))
			break;
		return t;
	case LIMBO_T_INC: case LIMBO_T_DEC:
		if (!limbo_ty_isnum(t))
			break;
		return t;
	case LIMBO_T_MUL:
		if (t->kind != LIMBO_TY_REF)
			break;
		return t->of;
	case LIMBO_T_COMM:
		if (t->kind == LIMBO_TY_CHAN)
			return t->of;
		if (t->kind == LIMBO_TY_ARRAY && t->of->kind == LIMBO_TY_CHAN) {
			/* receive on an array of channels: (index, value) */
			LimboType *tu = limbo_ty_new(c, LIMBO_TY_TUPLE, NULL);
			tu->ids = limbo_decl_new(c, NULL, LIMBO_D_FIELD, c->t_int, n);
			if (tu->ids != NULL)
				tu->ids->next = limbo_decl_new(c, NULL, LIMBO_D_FIELD, t->of->of, n);
			return tu;
		}
		break;
	case LIMBO_T_HD:
		if (t->kind != LIMBO_TY_LIST)
			break;
		return t->of;
	case LIMBO_T_TL:
		if (t->kind != LIMBO_TY_LIST)
			break;
		return t;
	case LIMBO_T_LEN:
		if (t->kind != LIMBO_TY_STRING && t->kind != LIMBO_TY_ARRAY && t->kind != LIMBO_TY_LIST)
			break;
		return c->t_int;
	case LIMBO_T_TAGOF:
		if (adt_of(t) == NULL)
			break;
		return c->t_int;
	}
	CK_ERR(c, n, "%s of a value of type %s", ops, TS(t, b));
	return c->t_error;
}

static LimboType *
assign_exp(LimboChecker *c, const LimboNode *n)
{
	LimboType *l = lval(c, n->kids[0]), *r;
	int k = 0;
	char b1[128], b2[128];

	if (n->op != LIMBO_T_ASSIGN) {
		/* a op= b is a = a op b without evaluating a twice */
		LimboNode fake = *n;
		fake.kind = LIMBO_N_BINOP;
		switch (n->op) {
		case LIMBO_T_ANDEQ: fake.op = LIMBO_T_AND; break;
		case LIMBO_T_OREQ: fake.op = LIMBO_T_OR1; break;
		case LIMBO_T_XOREQ: fake.op = LIMBO_T_XOR; break;
		case LIMBO_T_LSHEQ: fake.op = LIMBO_T_LSH; break;
		case LIMBO_T_RSHEQ: fake.op = LIMBO_T_RSH; break;
		case LIMBO_T_ADDEQ: fake.op = LIMBO_T_ADD; break;
		case LIMBO_T_SUBEQ: fake.op = LIMBO_T_SUB; break;
		case LIMBO_T_MULEQ: fake.op = LIMBO_T_MUL; break;
		case LIMBO_T_DIVEQ: fake.op = LIMBO_T_DIV; break;
		case LIMBO_T_MODEQ: fake.op = LIMBO_T_MOD; break;
		case LIMBO_T_EXPEQ: fake.op = LIMBO_T_EXP; break;
		}
		r = binop(c, &fake, &k);
		if (!iserr(r) && !assignable_c(l, r, 0))
			CK_ERR(c, n, "type mismatch: %s and %s in %s", TS(l, b1), TS(r, b2), limbo_tok_text(n->op));
		return l;
	}
	r = limbo_exp(c, n->kids[1], &k);
	if (!assignable_c(l, r, k))
		CK_ERR(c, n, "type mismatch: %s = %s", TS(l, b1), TS(r, b2));
	return l;
}

LimboType *
limbo_exp(LimboChecker *c, const LimboNode *n, int *isconst)
{
	LimboType *t = c->t_error, *l;
	int k = 0, self;
	char b[128];

	*isconst = 0;
	if (n == NULL)
		return c->t_error;
	if (c->depth > LIMBO_MAX_DEPTH) {
		CK_ERR(c, n, "expression nested too deeply");
		return c->t_error;
	}
	c->depth++;
	switch (n->kind) {
	case LIMBO_N_NAME:
		t = name_exp(c, n, isconst);
		break;
	case LIMBO_N_NIL:
		t = c->t_nil;
		*isconst = 1;
		break;
	case LIMBO_N_ICONST:
		t = c->t_int;
		*isconst = 1;
		break;
	case LIMBO_N_RCONST:
		t = c->t_real;
		*isconst = 1;
		break;
	case LIMBO_N_SCONST:
		t = c->t_string;
		*isconst = 1;
		break;
	case LIMBO_N_BINOP:
		t = binop(c, n, isconst);
		break;
	case LIMBO_N_ASSIGN:
		t = assign_exp(c, n);
		break;
	case LIMBO_N_DECLAS:
		t = limbo_exp(c, n->kids[1], &k);
		limbo_declas(c, n->kids[0], t);
		break;
	case LIMBO_N_SEND:
		l = limbo_exp(c, n->kids[0], &k);
		if (!iserr(l) && l->kind != LIMBO_TY_CHAN) {
			CK_ERR(c, n, "send on a value of type %s, not a channel", TS(l, b));
			(void)limbo_exp(c, n->kids[1], &k);
		} else {
			limbo_exp_want(c, n->kids[1], iserr(l) ? c->t_error : l->of, "value sent");
		}
		t = iserr(l) ? c->t_error : l->of;
		break;
	case LIMBO_N_UNOP:
		t = unop(c, n, isconst);
		break;
	case LIMBO_N_POSTOP:
		t = limbo_exp(c, n->kids[0], &k);
		if (!iserr(t) && !limbo_ty_isnum(t))
			CK_ERR(c, n, "%s of a value of type %s", limbo_tok_text(n->op), TS(t, b));
		break;
	case LIMBO_N_CALL:
		t = call_exp(c, n);
		break;
	case LIMBO_N_DOT:
		t = dot_exp(c, n, isconst, &self);
		break;
	case LIMBO_N_MDOT:
		t = mdot_exp(c, n, isconst);
		break;
	case LIMBO_N_INDEX:
		l = limbo_exp(c, n->kids[0], &k);
		if (n->nkids > 2 || (n->nkids == 2 && n->kids[1] != NULL && n->kids[1]->kind == LIMBO_N_TYPEEXP)) {
			/* f[T, U]: instantiating a polymorphic function */
			t = l;
			break;
		}
		if (n->nkids == 2)
			limbo_exp_want(c, n->kids[1], c->t_int, "index");
		if (iserr(l))
			t = c->t_error;
		else if (l->kind == LIMBO_TY_STRING)
			t = c->t_int;
		else if (l->kind == LIMBO_TY_ARRAY)
			t = l->of;
		else if (l->kind == LIMBO_TY_FN)
			t = l; /* f[T] with a type name argument */
		else {
			CK_ERR(c, n, "cannot index a value of type %s", TS(l, b));
			t = c->t_error;
		}
		break;
	case LIMBO_N_SLICE:
		l = limbo_exp(c, n->kids[0], &k);
		if (n->kids[1] != NULL)
			limbo_exp_want(c, n->kids[1], c->t_int, "slice index");
		if (n->kids[2] != NULL)
			limbo_exp_want(c, n->kids[2], c->t_int, "slice index");
		if (!iserr(l) && l->kind != LIMBO_TY_STRING && l->kind != LIMBO_TY_ARRAY) {
			CK_ERR(c, n, "cannot slice a value of type %s", TS(l, b));
			t = c->t_error;
		} else {
			t = l;
		}
		break;
	case LIMBO_N_TUPLE: {
		LimboDecl **tail;
		int all = 1;
		t = limbo_ty_new(c, LIMBO_TY_TUPLE, NULL);
		tail = &t->ids;
		for (int i = 0; i < n->nkids; i++) {
			LimboDecl *e = limbo_decl_new(c, NULL, LIMBO_D_FIELD, limbo_exp(c, n->kids[i], &k), n);
			all &= k;
			if (e == NULL)
				break;
			*tail = e;
			tail = &e->next;
		}
		*isconst = all;
		break;
	}
	case LIMBO_N_CAST:
		t = limbo_type_resolve(c, n->kids[0]);
		l = limbo_exp(c, n->kids[1], &k);
		*isconst = k && limbo_ty_isnum(t);
		if (!cast_ok(t, l, k)) {
			char b2[128];
			CK_ERR(c, n, "cannot convert %s to %s", TS(l, b), TS(t, b2));
		}
		break;
	case LIMBO_N_LOAD:
		t = limbo_type_resolve(c, n->kids[0]);
		limbo_exp_want(c, n->kids[1], c->t_string, "load path");
		if (!iserr(t) && t->kind != LIMBO_TY_MODULE) {
			CK_ERR(c, n, "load of %s, which is not a module type", TS(t, b));
			t = c->t_error;
		}
		break;
	case LIMBO_N_ARRAYNEW:
		t = arraynew(c, n);
		break;
	case LIMBO_N_LISTNEW:
		l = NULL;
		for (int i = 0; i < n->nkids; i++) {
			LimboType *e = limbo_exp(c, n->kids[i], &k);
			if (l == NULL || iserr(l) || (l->kind == LIMBO_TY_NIL && limbo_ty_assignable(e, l)))
				l = e; /* nil first: a later element gives the type */
			else if (pick_base(c, l, e) != NULL)
				l = pick_base(c, l, e);
			else if (!assignable_c(l, e, k))
				mismatch(c, n->kids[i], l, e, "list of {...}");
		}
		t = limbo_ty_new(c, LIMBO_TY_LIST, l != NULL && l->kind != LIMBO_TY_NIL ? l : c->t_error);
		break;
	case LIMBO_N_CHANNEW:
		if (n->kids[0] != NULL)
			limbo_exp_want(c, n->kids[0], c->t_int, "channel buffer size");
		t = limbo_ty_new(c, LIMBO_TY_CHAN, limbo_type_resolve(c, n->kids[1]));
		break;
	case LIMBO_N_TYPEEXP:
		(void)limbo_type_resolve(c, n->kids[0]);
		t = c->t_any;
		break;
	case LIMBO_N_FNEXP:
		t = c->t_error; /* the parser said so */
		break;
	default:
		CK_ERR(c, n, "%s is not an expression", limbo_node_name(n->kind));
		t = c->t_error;
	}
	c->depth--;
	if (t == NULL)
		t = c->t_error;
	((LimboNode *)n)->ty = t; /* for the code generator */
	return t;
}
