/*
 * Statements and function bodies: blocks open scopes; conditions are int;
 * return matches the function's result; case labels match the value; pick
 * binds its name to the picked case; exception handlers bind theirs.
 *
 * Follows: limbo.ms §"Statements"; inferno-os limbo/typecheck.b (scheck).
 */
#include <string.h>

#include "limbo/check.h"

#define TS(t, b) limbo_ty_str((t), (b), sizeof(b))

static void stmt(LimboChecker *c, const LimboNode *n);

static int
iserr(const LimboType *t)
{
	return t == NULL || t->kind == LIMBO_TY_ERROR || t->kind == LIMBO_TY_ANY || t->kind == LIMBO_TY_POLY;
}

static void
cond(LimboChecker *c, const LimboNode *n)
{
	if (n != NULL)
		limbo_exp_want(c, n, c->t_int, "condition");
}

static void
block(LimboChecker *c, const LimboNode *n)
{
	LimboSym *mark;

	/* only braces open a scope: `for(i := 0; ...)` leaves i declared after
	 * the loop, as Limbo has it */
	if (n == NULL || n->kind != LIMBO_N_BLOCK) {
		stmt(c, n);
		return;
	}
	limbo_scope_push(c, &mark);
	for (int i = 0; i < n->nkids; i++)
		stmt(c, n->kids[i]);
	limbo_scope_pop(c, mark);
}

static void
local_vars(LimboChecker *c, const LimboNode *n)
{
	LimboType *t = limbo_type_resolve(c, n->kids[1]);
	const LimboNode *ids = n->kids[0];

	if (n->kids[2] != NULL)
		limbo_exp_want(c, n->kids[2], t, "initial value");
	for (int i = 0; ids != NULL && i < ids->nkids; i++) {
		const LimboNode *k = ids->kids[i];
		LimboDecl *d;
		if (k == NULL || k->kind != LIMBO_N_NAME)
			continue;
		d = limbo_decl_new(c, k->name, LIMBO_D_LOCAL, t, k);
		((LimboNode *)k)->decl = d;
		if (d == NULL)
			return;
		d->state = 2;
		limbo_declare(c, d, 0);
	}
}

static void
local_cons(LimboChecker *c, const LimboNode *n, int store)
{
	const LimboNode *ids = n->kids[0];

	for (int i = 0; ids != NULL && i < ids->nkids; i++) {
		const LimboNode *k = ids->kids[i];
		LimboDecl *d;
		if (k == NULL || k->kind != LIMBO_N_NAME)
			continue;
		d = limbo_decl_new(c, k->name, store, NULL, n->kids[1]);
		((LimboNode *)k)->decl = d;
		if (d == NULL)
			return;
		d->file = k->file;
		d->line = k->line;
		d->ival = i;
		limbo_decl_resolve(c, d);
		limbo_declare(c, d, 0);
	}
}

static void
case_stmt(LimboChecker *c, const LimboNode *n)
{
	int k = 0;
	LimboType *t = limbo_exp(c, n->kids[0], &k);
	char b[128];

	if (!iserr(t) && t->kind != LIMBO_TY_INT && t->kind != LIMBO_TY_BIG && t->kind != LIMBO_TY_BYTE &&
	    t->kind != LIMBO_TY_STRING) {
		CK_ERR(c, n, "case on a value of type %s: want int, big, byte or string", TS(t, b));
		t = c->t_error;
	}
	for (int i = 1; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			if (x == NULL || x->kind == LIMBO_N_WILD)
				continue;
			if (x->kind == LIMBO_N_RANGE) {
				limbo_exp_want(c, x->kids[0], t, "case label");
				limbo_exp_want(c, x->kids[1], t, "case label");
			} else {
				limbo_exp_want(c, x, t, "case label");
			}
		}
		block(c, cl->kids[1]);
	}
}

static void
alt_stmt(LimboChecker *c, const LimboNode *n)
{
	for (int i = 0; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		LimboSym *mark;
		if (cl == NULL)
			continue;
		limbo_scope_push(c, &mark);
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			int k;
			if (x == NULL || x->kind == LIMBO_N_WILD)
				continue;
			(void)limbo_exp(c, x, &k);
		}
		block(c, cl->kids[1]);
		limbo_scope_pop(c, mark);
	}
}

/* The body of a pick or exception arm, in a scope of its own where the
 * statement's name (if any) is bound to the arm's type. */
static void
arm_body(LimboChecker *c, const LimboNode *name, LimboType *bound, const LimboNode *body)
{
	LimboSym *mark;

	limbo_scope_push(c, &mark);
	if (name != NULL && name->name != NULL) {
		LimboDecl *d = limbo_decl_new(c, name->name, LIMBO_D_LOCAL, bound, name);
		if (body != NULL)
			((LimboNode *)body)->decl = d;
		if (d != NULL) {
			d->state = 2;
			limbo_declare(c, d, 0);
		}
	}
	block(c, body);
	limbo_scope_pop(c, mark);
}

static void
pick_stmt(LimboChecker *c, const LimboNode *n)
{
	int k = 0;
	LimboType *t = limbo_exp(c, n->kids[1], &k), *adt = NULL;
	char b[128];

	if (!iserr(t)) {
		if (t->kind == LIMBO_TY_REF && t->of != NULL && t->of->kind == LIMBO_TY_ADT && t->of->tags != NULL)
			adt = t->of;
		else
			CK_ERR(c, n, "pick on a value of type %s: want a ref to an adt with pick cases", TS(t, b));
	}
	for (int i = 2; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		LimboType *bound = adt != NULL ? t : c->t_error;
		LimboDecl *first = NULL;
		int ntags = 0;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			LimboDecl *g = NULL;
			if (x == NULL || x->kind == LIMBO_N_WILD) {
				ntags = 2;
				first = NULL;
				continue;
			}
			if (adt == NULL)
				continue;
			if (x->kind == LIMBO_N_NAME)
				for (g = adt->tags; g != NULL; g = g->next)
					if (strcmp(g->name, x->name) == 0)
						break;
			if (g == NULL) {
				CK_ERR(c, x, "%s is not a pick tag of %s", x->kind == LIMBO_N_NAME ? x->name : "expression",
				       TS(adt, b));
				continue;
			}
			if (++ntags == 1) {
				bound = limbo_ty_new(c, LIMBO_TY_REF, g->ty);
				first = g;
			} else if (first != NULL && g->ty->ids != first->ty->ids) {
				/* as Inferno: an arm's tags must share one case's fields */
				char b2[128];
				CK_ERR(c, x, "type clash in pick qualifiers '%s' of type %s and '%s' of type %s", first->name,
				       TS(first->ty, b), g->name, TS(g->ty, b2));
				first = NULL;
			}
		}
		/* one tag, or tags declared together (`A or B => fields`): the
		 * name is a ref to that case; other sets: to the adt */
		if (ntags != 1 && first == NULL && adt != NULL)
			bound = t;
		arm_body(c, n->kids[0], bound, cl->kids[1]);
	}
}

static void
except_stmt(LimboChecker *c, const LimboNode *n)
{
	block(c, n->kids[0]);
	for (int i = 2; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		LimboType *bound = c->t_string;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			LimboDecl *d;
			if (x == NULL)
				continue;
			if (x->kind == LIMBO_N_WILD) {
				bound = c->t_exception;
				continue;
			}
			if (x->kind == LIMBO_N_SCONST)
				continue;
			if (x->kind == LIMBO_N_NAME && (d = limbo_lookup(c, x->name)) != NULL) {
				limbo_decl_resolve(c, d);
				((LimboNode *)x)->decl = d; /* for the code generator */
				if (d->store == LIMBO_D_EXC) {
					bound = d->ty;
					continue;
				}
				if (d->store == LIMBO_D_CONST && d->ty == c->t_string)
					continue;
			}
			if (x->kind == LIMBO_N_NAME && limbo_lookup(c, x->name) == NULL)
				CK_ERR(c, x, "undefined name %s", x->name);
			else
				CK_ERR(c, x, "exception handler label is not a string or an exception");
		}
		arm_body(c, n->kids[1], bound, cl->kids[1]);
	}
}

/* Loops, case, alt and pick are what break leaves; continue goes on with
 * a loop. Returns 1 if n was pushed as a target. */
static int
target_push(LimboChecker *c, const LimboNode *n)
{
	int loop = n->kind == LIMBO_N_FOR || n->kind == LIMBO_N_WHILE || n->kind == LIMBO_N_DO;

	if (!loop && n->kind != LIMBO_N_CASE && n->kind != LIMBO_N_ALT && n->kind != LIMBO_N_PICK)
		return 0;
	if (c->ntargets == LIMBO_MAX_DEPTH)
		return 0;
	c->targets[c->ntargets].label = n->name;
	c->targets[c->ntargets].loop = loop;
	c->ntargets++;
	return 1;
}

static void
jump_target(LimboChecker *c, const LimboNode *n)
{
	int iscont = n->kind == LIMBO_N_CONTINUE;

	for (int i = c->ntargets - 1; i >= 0; i--) {
		if (n->name != NULL && (c->targets[i].label == NULL || strcmp(c->targets[i].label, n->name) != 0))
			continue;
		if (iscont && !c->targets[i].loop) {
			if (n->name != NULL)
				break; /* continue to a labelled case: no such target */
			continue;
		}
		return;
	}
	if (n->name != NULL)
		CK_ERR(c, n, "no appropriate target for '%s %s'", iscont ? "continue" : "break", n->name);
	else
		CK_ERR(c, n, "no appropriate target for '%s'", iscont ? "continue" : "break");
}

static void
stmt(LimboChecker *c, const LimboNode *n)
{
	int k = 0, pushed;
	LimboType *t;
	char b1[128], b2[128];

	if (n == NULL)
		return;
	if (c->depth > LIMBO_MAX_DEPTH) {
		CK_ERR(c, n, "statements nested too deeply");
		return;
	}
	c->depth++;
	pushed = target_push(c, n);
	switch (n->kind) {
	case LIMBO_N_BLOCK:
		block(c, n);
		break;
	case LIMBO_N_BREAK: case LIMBO_N_CONTINUE:
		jump_target(c, n);
		break;
	case LIMBO_N_EMPTY: case LIMBO_N_EXIT:
		break;
	case LIMBO_N_VARDECL:
		local_vars(c, n);
		break;
	case LIMBO_N_CONDECL:
		local_cons(c, n, LIMBO_D_CONST);
		break;
	case LIMBO_N_TYPEDECL:
		local_cons(c, n, LIMBO_D_TYPE);
		break;
	case LIMBO_N_IMPORTDECL:
		local_cons(c, n, LIMBO_D_IMPORT);
		break;
	case LIMBO_N_IF:
		cond(c, n->kids[0]);
		block(c, n->kids[1]);
		block(c, n->kids[2]);
		break;
	case LIMBO_N_FOR:
		if (n->kids[0] != NULL)
			(void)limbo_exp(c, n->kids[0], &k);
		cond(c, n->kids[1]);
		if (n->kids[2] != NULL)
			(void)limbo_exp(c, n->kids[2], &k);
		block(c, n->kids[3]);
		break;
	case LIMBO_N_WHILE:
		cond(c, n->kids[0]);
		block(c, n->kids[1]);
		break;
	case LIMBO_N_DO:
		block(c, n->kids[0]);
		cond(c, n->kids[1]);
		break;
	case LIMBO_N_RETURN: {
		LimboType *want = c->fnty != NULL && c->fnty->of != NULL ? c->fnty->of : c->t_none;
		if (n->kids[0] == NULL) {
			if (want->kind != LIMBO_TY_NONE && !iserr(want))
				CK_ERR(c, n, "return with no value in a function returning %s", TS(want, b1));
			break;
		}
		if (want->kind == LIMBO_TY_NONE) {
			CK_ERR(c, n, "return of a value in a function with no result");
			(void)limbo_exp(c, n->kids[0], &k);
			break;
		}
		limbo_exp_want(c, n->kids[0], want, "return value");
		break;
	}
	case LIMBO_N_SPAWN:
		if (n->kids[0] == NULL || n->kids[0]->kind != LIMBO_N_CALL)
			CK_ERR(c, n, "spawn needs a function call");
		else
			(void)limbo_exp(c, n->kids[0], &k);
		break;
	case LIMBO_N_RAISE:
		if (n->kids[0] != NULL) {
			t = limbo_exp(c, n->kids[0], &k);
			if (!iserr(t) && t->kind != LIMBO_TY_STRING && t->kind != LIMBO_TY_EXCEPTION)
				CK_ERR(c, n, "raise of a value of type %s: want string or exception", TS(t, b1));
		}
		break;
	case LIMBO_N_CASE:
		case_stmt(c, n);
		break;
	case LIMBO_N_ALT:
		alt_stmt(c, n);
		break;
	case LIMBO_N_PICK:
		pick_stmt(c, n);
		break;
	case LIMBO_N_EXCEPT:
		except_stmt(c, n);
		break;
	default:
		t = limbo_exp(c, n, &k);
		(void)t;
		(void)b2;
		break;
	}
	c->ntargets -= pushed;
	c->depth--;
}

void
limbo_check_fn(LimboChecker *c, const LimboNode *fn)
{
	const LimboNode *nm = fn->kids[0];
	LimboDecl *adt = NULL, *decl = NULL;
	LimboType *t;
	LimboSym *mark;
	const char *name;

	if (nm == NULL)
		return;
	if (nm->kind == LIMBO_N_DOT) {
		const LimboNode *an = nm->kids[0], *fnn = nm->kids[1];
		adt = an != NULL ? limbo_lookup(c, an->name) : NULL;
		if (adt != NULL && adt->store == LIMBO_D_IMPORT) {
			limbo_decl_resolve(c, adt);
			adt = adt->imp;
		}
		if (adt == NULL || adt->store != LIMBO_D_TYPE || adt->ty == NULL || adt->ty->kind != LIMBO_TY_ADT) {
			CK_ERR(c, nm, "%s is not an adt", an != NULL && an->name != NULL ? an->name : "?");
			return;
		}
		name = fnn != NULL ? fnn->name : "?";
		decl = limbo_member(adt->ty, name);
		if (decl == NULL || decl->store != LIMBO_D_FN) {
			CK_ERR(c, nm, "%s is not a function of adt %s", name, adt->name);
			return;
		}
	} else {
		name = nm->name;
		decl = limbo_lookup(c, name);
	}
	((LimboNode *)fn)->decl = decl;
	if (adt == NULL && decl != NULL && decl->node == fn->kids[1]) {
		/* entered with the file-scope names: resolved already */
		limbo_decl_resolve(c, decl);
		t = decl->ty;
		decl = NULL;
	} else {
		c->ctx[0] = adt;
		c->nctx = adt != NULL ? 1 : 0;
		t = limbo_type_resolve(c, fn->kids[1]);
		c->nctx = 0;
	}
	if (t == NULL || t->kind != LIMBO_TY_FN) {
		CK_ERR(c, nm, "%s is not a function", name);
		return;
	}
	if (decl != NULL) {
		limbo_decl_resolve(c, decl);
		if (decl->store == LIMBO_D_FN && decl->ty != NULL && !limbo_ty_equal(decl->ty, t)) {
			char b1[160], b2[160];
			CK_ERR(c, nm, "function %s has type %s, but is declared %s", name, TS(t, b1), TS(decl->ty, b2));
		}
	}
	(void)limbo_fn_frame(t);
	((LimboNode *)fn)->ty = t;
	c->fnty = t;
	c->fnadt = adt;
	limbo_scope_push(c, &mark);
	for (LimboDecl *p = t->ids; p != NULL; p = p->next) {
		LimboDecl *d;
		if (p->name == NULL)
			continue;
		d = limbo_decl_new(c, p->name, LIMBO_D_ARG, p->ty, p->node);
		if (d == NULL)
			break;
		d->offset = p->offset;
		d->self = p->self;
		d->state = 2;
		limbo_declare(c, d, 0);
	}
	/* the function's own type variables are types in its body */
	for (LimboDecl *p = t->polys; p != NULL; p = p->next)
		limbo_declare(c, p, 0);
	if (adt != NULL)
		for (LimboDecl *p = adt->ty->polys; p != NULL; p = p->next)
			limbo_declare(c, p, 0);
	block(c, fn->kids[2]);
	limbo_scope_pop(c, mark);
	c->fnty = NULL;
	c->fnadt = NULL;
}
