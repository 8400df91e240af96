/*
 * Statements and function bodies: blocks open scopes; conditions are int;
 * return matches the function's result; case labels are constants of the
 * value's type that do not overlap; pick binds its name to the picked
 * case; exception handlers bind theirs; a function with a result does not
 * run off its end.
 *
 * The rules and their messages are Inferno's, so one bad program gives the
 * same diagnostics from both compilers: expressions in messages are
 * printed as Inferno's expconv prints them (constants folded, no spaces
 * around binary operators), and labels are checked as checklabels does
 * (sorted, overlaps reported in that order).
 *
 * Follows: limbo.ms §"Statements"; inferno-os limbo/typecheck.b (scheck,
 * casecheck, pickcheck, exccheck, altcheck, checklabels), nodes.b
 * (expconv, fold), com.b and gen.b (the reachability behind "no return at
 * end of function").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"

#define TS(t, b) limbo_ty_str((t), (b), sizeof(b))

static void stmt(LimboChecker *c, const LimboNode *n);

static int
iserr(const LimboType *t)
{
	return t == NULL || t->kind == LIMBO_TY_ERROR || t->kind == LIMBO_TY_ANY || t->kind == LIMBO_TY_POLY;
}

/*
 * Labels of case and exception statements, checked as Inferno's
 * checklabels does: sorted (stably), a range whose start is after its end
 * is unmatchable, a label at or before the end of the one before it
 * overlaps. Exception labels compare as matchcmp: exceptions first, then
 * strings, then patterns ending in `*` (longer first).
 */
typedef struct Label {
	LimboConst lo, hi;
	const LimboNode *lon, *hin; /* the qualifier's ends (one node if not a range) */
	const LimboNode *arm;       /* CLAUSE */
	int isexc;                  /* an exception, not a string (exception labels) */
	int konst;                  /* the checker found it constant */
} Label;

enum { L_INT, L_STRING, L_EXC };

/* A label that is not a string (`4 to 9` in a case on a string, already
 * reported) has no bytes: s is NULL and len 0, which memcmp may not see. */
static int
strcmp_n(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	return c != 0 ? c : (la > lb) - (la < lb);
}

static int
labcmp(int kind, const Label *x, const LimboConst *a, const LimboConst *b, const Label *y)
{
	if (kind == L_INT)
		return (a->i > b->i) - (a->i < b->i);
	if (kind == L_EXC) {
		int sa = a->len > 0 && a->s[a->len - 1] == '*', sb = b->len > 0 && b->s[b->len - 1] == '*';
		if (sa != sb)
			return sa ? 1 : -1;
		if (sa && a->len != b->len)
			return (int)b->len - (int)a->len;
		if (!sa && x->isexc != y->isexc)
			return x->isexc ? -1 : 1;
	}
	return strcmp_n(a->s, a->len, b->s, b->len);
}

static void
check_labels(LimboChecker *c, Label *labs, int nlab, int kind, const char *title)
{
	char b1[256], b2[256], b3[256];

	/* insertion sort: stable, as Inferno's merge sort */
	for (int i = 1; i < nlab; i++) {
		Label l = labs[i];
		int j = i;
		while (j > 0 && labcmp(kind, &labs[j - 1], &labs[j - 1].lo, &l.lo, &l) > 0) {
			labs[j] = labs[j - 1];
			j--;
		}
		labs[j] = l;
	}
	for (int i = 0; i < nlab; i++) {
		const LimboConst *p = &labs[i].hi;
		const LimboNode *pn = labs[i].hin;
		int e;
		if (labcmp(kind, &labs[i], &labs[i].lo, p, &labs[i]) > 0) {
			CK_ERR(c, labs[i].lon, "unmatchable %s %s", title, limbo_armstr(labs[i].arm, b1, sizeof b1));
		}
		for (e = i + 1; e < nlab; e++) {
			if (labcmp(kind, &labs[e], &labs[e].lo, p, &labs[i]) <= 0)
				CK_ERR(c, labs[e].lon, "%s '%s' overlaps with '%s' on line %s", title,
				       limbo_qualstr(labs[e].arm->kids[0], b1, sizeof b1),
				       limbo_qualstr(labs[e - 1].arm->kids[0], b2, sizeof b2), limbo_where(pn, b3, sizeof b3));
			/* runs of one arm's consecutive ints merge */
			if (kind != L_INT || labs[e].lo.i != p->i + 1 || labs[e].arm != labs[i].arm)
				break;
			p = &labs[e].hi;
			pn = labs[e].hin;
		}
		if (e != i + 1) {
			labs[i].hi = *p;
			labs[i].hin = pn;
			memmove(&labs[i + 1], &labs[e], (size_t)(nlab - e) * sizeof labs[0]);
			nlab -= e - (i + 1);
		}
	}
}

/* Counts the qualifiers of the arms kids[from..]; NULL if there are none
 * or no memory. */
static Label *
labels_new(const LimboNode *n, int from, int *count)
{
	int k = 0;

	for (int i = from; i < n->nkids; i++)
		if (n->kids[i] != NULL && n->kids[i]->kids[0] != NULL)
			k += n->kids[i]->kids[0]->nkids;
	*count = 0;
	return k > 0 ? calloc((size_t)k, sizeof(Label)) : NULL;
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

/* A range qualifier: both ends int or both string (Inferno's echeck of
 * Orange). Returns its type, NULL if it is not a range of either. */
static LimboType *
range_exp(LimboChecker *c, const LimboNode *x, int *klo, int *khi)
{
	LimboType *lo = limbo_exp(c, x->kids[0], klo), *hi = limbo_exp(c, x->kids[1], khi);
	char b1[256], b2[256];

	if (iserr(lo) || iserr(hi))
		return c->t_error;
	if (lo->kind != hi->kind || (lo->kind != LIMBO_TY_INT && lo->kind != LIMBO_TY_STRING)) {
		CK_ERR(c, x->kids[0], "range %s to %s is not an int or string range", limbo_etstr(x->kids[0], lo, b1, sizeof b1),
		       limbo_etstr(x->kids[1], hi, b2, sizeof b2));
		return NULL;
	}
	return lo;
}

/* One end of a case label: its value into *v; 0 if it is not constant. */
static int
case_value(const LimboNode *x, LimboConst *v, int kind)
{
	return limbo_fold(NULL, x, v) && v->kind == (kind == LIMBO_TY_STRING ? LIMBO_C_STRING : LIMBO_C_INT);
}

static void
case_stmt(LimboChecker *c, const LimboNode *n)
{
	int k = 0, ok = 1, nlab = 0, nq = 0;
	LimboType *t = limbo_exp(c, n->kids[0], &k);
	const LimboNode *wild = NULL;
	Label *labs;
	char b1[256], b2[256];

	/* the arms first, as Inferno: their labels' own errors and bodies */
	labs = labels_new(n, 1, &nq);
	nq = 0;
	for (int i = 1; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			int k2 = 1;
			if (x == NULL || x->kind == LIMBO_N_WILD)
				continue;
			if (x->kind == LIMBO_N_RANGE) {
				((LimboNode *)x)->ty = range_exp(c, x, &k, &k2);
				k = k && k2;
			} else {
				(void)limbo_exp(c, x, &k);
			}
			if (labs != NULL)
				labs[nq].konst = k;
			nq++;
		}
		block(c, cl->kids[1]);
	}
	if (iserr(t))
		goto out;
	if (t->kind != LIMBO_TY_INT && t->kind != LIMBO_TY_BIG && t->kind != LIMBO_TY_STRING) {
		CK_ERR(c, n, "case argument %s is not an int or big or string", limbo_etstr(n->kids[0], t, b1, sizeof b1));
		goto out;
	}
	nq = 0;
	for (int i = 1; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			int konst, isrange, lok, clash;
			Label *l;
			if (x == NULL)
				continue;
			if (x->kind == LIMBO_N_WILD) {
				if (wild != NULL)
					CK_ERR(c, x, "case qualifier * duplicated on line %s", limbo_where(wild, b1, sizeof b1));
				wild = x;
				continue;
			}
			konst = labs != NULL && labs[nq].konst;
			nq++;
			l = labs != NULL ? &labs[nlab] : NULL; /* nlab < nq: konst read first */
			isrange = x->kind == LIMBO_N_RANGE;
			if (x->ty != NULL && x->ty->kind == LIMBO_TY_ERROR) {
				ok = 0; /* reported already */
				continue;
			}
			clash = x->ty == NULL || x->ty->kind != t->kind;
			if (clash) {
				CK_ERR(c, x, "case qualifier %s clashes with %s", limbo_etstr(x, x->ty, b1, sizeof b1),
				       limbo_etstr(n->kids[0], t, b2, sizeof b2));
				/* as Inferno: a range that clashes is still a label */
				if (!isrange || x->ty == NULL) {
					ok = 0;
					continue;
				}
			}
			if (l == NULL) {
				ok = 0;
				continue;
			}
			lok = isrange ? case_value(x->kids[0], &l->lo, clash ? x->ty->kind : t->kind) &&
			                    case_value(x->kids[1], &l->hi, clash ? x->ty->kind : t->kind)
			              : case_value(x, &l->lo, t->kind);
			if (!lok && !konst && !clash) {
				CK_ERR(c, x, isrange ? "case range %s is not constant" : "case qualifier %s is not constant",
				       limbo_expstr(x, b1, sizeof b1));
				ok = 0;
				continue;
			}
			if (!lok) {
				ok = 0; /* constant, but not one this folder knows: no overlap check */
				continue;
			}
			if (!isrange)
				l->hi = l->lo;
			l->lon = isrange ? x->kids[0] : x;
			l->hin = isrange ? x->kids[1] : x;
			l->arm = cl;
			nlab++;
		}
	}
	if (ok && labs != NULL)
		check_labels(c, labs, nlab, t->kind == LIMBO_TY_STRING ? L_STRING : L_INT, "case qualifier");
out:
	free(labs);
}

/* Has the guard a send or receive in it (Inferno's hascomm)? */
static int
hascomm(const LimboNode *n)
{
	if (n == NULL)
		return 0;
	if (n->kind == LIMBO_N_SEND || (n->kind == LIMBO_N_UNOP && n->op == LIMBO_T_COMM))
		return 1;
	for (int i = 0; i < n->nkids; i++)
		if (hascomm(n->kids[i]))
			return 1;
	return 0;
}

static void
alt_stmt(LimboChecker *c, const LimboNode *n)
{
	const LimboNode *wild = NULL;
	char b1[256];

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
			if (x == NULL || x->kind == LIMBO_N_WILD || x->kind == LIMBO_N_RANGE)
				continue;
			(void)limbo_exp(c, x, &k);
		}
		block(c, cl->kids[1]);
		limbo_scope_pop(c, mark);
	}
	for (int i = 0; i < n->nkids; i++) {
		const LimboNode *q = n->kids[i] != NULL ? n->kids[i]->kids[0] : NULL;
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			if (x == NULL)
				continue;
			if (x->kind == LIMBO_N_WILD) {
				if (wild != NULL)
					CK_ERR(c, x, "alt guard * duplicated on line %s", limbo_where(wild, b1, sizeof b1));
				wild = x;
			} else if (x->kind == LIMBO_N_RANGE) {
				CK_ERR(c, x, "alt guard %s is illegal", limbo_expstr(x, b1, sizeof b1));
			} else if (!hascomm(x)) {
				CK_ERR(c, x, "alt guard %s has no communication", limbo_expstr(x, b1, sizeof b1));
			}
		}
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
	int k = 0, ntag = 0;
	LimboType *t = limbo_exp(c, n->kids[1], &k), *adt = NULL, *shown;
	const LimboNode *wild = NULL, **seen = NULL;
	char b[128], b1[256];

	if (!iserr(t)) {
		if (t->kind == LIMBO_TY_REF && t->of != NULL && t->of->kind == LIMBO_TY_ADT && t->of->tags != NULL)
			adt = t->of;
		else
			CK_ERR(c, n->kids[1], "pick argument %s is not a ref adt with pick tags",
			       limbo_etstr(n->kids[1], t, b1, sizeof b1));
	}
	if (adt != NULL) {
		for (LimboDecl *g = adt->tags; g != NULL; g = g->next)
			ntag++;
		seen = calloc((size_t)ntag + 1, sizeof *seen);
	}
	/* the type Inferno shows for the name: the previous arm's case */
	shown = adt;
	for (int i = 2; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		LimboType *bound = adt != NULL ? t : c->t_error, *armty = NULL;
		LimboDecl *first = NULL;
		int ntags = 0;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			LimboDecl *g = NULL;
			int tag = 0;
			if (x == NULL)
				continue;
			if (x->kind == LIMBO_N_WILD) {
				if (adt != NULL && wild != NULL)
					CK_ERR(c, x, "pick qualifier * duplicated on line %s", limbo_where(wild, b1, sizeof b1));
				wild = x;
				if (armty == NULL)
					armty = adt;
				ntags = 2;
				first = NULL;
				continue;
			}
			if (adt == NULL)
				continue;
			if (x->kind == LIMBO_N_NAME)
				for (g = adt->tags; g != NULL; g = g->next, tag++)
					if (strcmp(g->name, x->name) == 0)
						break;
			if (g == NULL) {
				char b2[128];
				LimboType rt = {.kind = LIMBO_TY_REF, .of = shown};
				snprintf(b2, sizeof b2, "%s", TS(&rt, b));
				CK_ERR(c, x, "pick qualifier %s is not a member of '%s' of type %s", limbo_expstr(x, b1, sizeof b1),
				       n->kids[0] != NULL && n->kids[0]->name != NULL ? n->kids[0]->name : "?", b2);
				continue;
			}
			if (seen != NULL && tag < ntag) {
				if (seen[tag] != NULL)
					CK_ERR(c, x, "pick qualifier %s duplicated on line %s", limbo_expstr(x, b1, sizeof b1),
					       limbo_where(seen[tag], b, sizeof b));
				seen[tag] = x;
			}
			if (armty == NULL)
				armty = g->ty;
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
		shown = armty != NULL ? armty : adt;
	}
	free(seen);
}

/* Is x (checked, of exception type) a declared exception, not a value? */
static int
isexcname(const LimboNode *x)
{
	const LimboDecl *d = x->decl;

	if (d != NULL && d->store == LIMBO_D_IMPORT && d->imp != NULL)
		d = d->imp;
	if (x->kind == LIMBO_N_MDOT || x->kind == LIMBO_N_DOT)
		return d == NULL || d->store == LIMBO_D_EXC;
	return x->kind == LIMBO_N_NAME && d != NULL && d->store == LIMBO_D_EXC;
}

static void
except_stmt(LimboChecker *c, const LimboNode *n)
{
	const LimboNode *wild = NULL;
	int ok = 1, nlab = 0, nq;
	Label *labs;
	char b1[256];

	block(c, n->kids[0]);
	/* the arms are a break target, and where `raise;` re-raises */
	if (c->ntargets < LIMBO_MAX_DEPTH) {
		c->targets[c->ntargets].label = NULL;
		c->targets[c->ntargets].loop = LIMBO_TGT_HANDLER;
		c->targets[c->ntargets].node = n;
	}
	c->ntargets++;
	labs = labels_new(n, 2, &nq);
	for (int i = 2; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		LimboType *bound = NULL;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++) {
			const LimboNode *x = q->kids[j];
			LimboType *xt;
			Label *l;
			int k = 0;
			if (x == NULL)
				continue;
			if (x->kind == LIMBO_N_WILD) {
				if (wild != NULL)
					CK_ERR(c, x, "exception qualifier * duplicated on line %s", limbo_where(wild, b1, sizeof b1));
				wild = x;
				xt = c->t_exception;
			} else if (x->kind == LIMBO_N_RANGE) {
				CK_ERR(c, x, "exception qualifier %s is illegal", limbo_expstr(x, b1, sizeof b1));
				ok = 0;
				xt = c->t_none;
			} else {
				xt = limbo_exp(c, x, &k);
				if (iserr(xt)) {
					ok = 0;
					xt = c->t_exception;
				} else if (xt->kind != LIMBO_TY_STRING && xt->kind != LIMBO_TY_EXCEPTION) {
					CK_ERR(c, x, "exception qualifier %s is not a string or exception",
					       limbo_etstr(x, xt, b1, sizeof b1));
					ok = 0;
				} else if (xt->kind == LIMBO_TY_STRING ? !k : !isexcname(x)) {
					CK_ERR(c, x, "exception qualifier %s is not constant", limbo_expstr(x, b1, sizeof b1));
					ok = 0;
				} else if (labs != NULL) {
					l = &labs[nlab];
					if (xt->kind == LIMBO_TY_STRING && !case_value(x, &l->lo, LIMBO_TY_STRING)) {
						ok = 0; /* constant, but not one this folder knows */
					} else {
						if (xt->kind == LIMBO_TY_EXCEPTION) {
							const char *nm = xt->decl != NULL && xt->decl->name != NULL ? xt->decl->name : "";
							l->lo.kind = LIMBO_C_STRING;
							l->lo.s = nm;
							l->lo.len = strlen(nm);
							l->isexc = 1;
						}
						l->hi = l->lo;
						l->lon = l->hin = x;
						l->arm = cl;
						nlab++;
					}
				}
			}
			/* the name's type: the arm's one type, else exception */
			if (bound == NULL)
				bound = xt;
			else if (!limbo_ty_equal(bound, xt))
				bound = c->t_exception;
		}
		arm_body(c, n->kids[1], bound != NULL && bound->kind != LIMBO_TY_NONE ? bound : c->t_exception,
		         cl->kids[1]);
	}
	c->ntargets--;
	if (ok && labs != NULL)
		check_labels(c, labs, nlab, L_EXC, "exception qualifier");
	free(labs);
}

/* Loops, case, alt and pick are what break leaves; continue goes on with
 * a loop. A label may not name two statements one inside the other.
 * Returns 1 if n was pushed as a target. */
static int
target_push(LimboChecker *c, const LimboNode *n)
{
	int loop = n->kind == LIMBO_N_FOR || n->kind == LIMBO_N_WHILE || n->kind == LIMBO_N_DO;
	char b[256];

	if (!loop && n->kind != LIMBO_N_CASE && n->kind != LIMBO_N_ALT && n->kind != LIMBO_N_PICK)
		return 0;
	if (c->ntargets >= LIMBO_MAX_DEPTH)
		return 0;
	if (n->name != NULL)
		for (int i = 0; i < c->ntargets; i++)
			if (c->targets[i].label != NULL && strcmp(c->targets[i].label, n->name) == 0) {
				CK_ERR(c, n, "label %s duplicated on line %s", n->name, limbo_where(c->targets[i].node, b, sizeof b));
				break;
			}
	c->targets[c->ntargets].label = n->name;
	c->targets[c->ntargets].loop = loop ? LIMBO_TGT_LOOP : LIMBO_TGT_SWITCH;
	c->targets[c->ntargets].node = n;
	c->ntargets++;
	return 1;
}

static void
jump_target(LimboChecker *c, const LimboNode *n)
{
	int iscont = n->kind == LIMBO_N_CONTINUE;

	for (int i = c->ntargets - 1; i >= 0; i--) {
		if (i >= LIMBO_MAX_DEPTH)
			continue;
		if (n->name != NULL && (c->targets[i].label == NULL || strcmp(c->targets[i].label, n->name) != 0))
			continue;
		if (iscont && c->targets[i].loop != LIMBO_TGT_LOOP) {
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

static int
in_handler(const LimboChecker *c)
{
	for (int i = 0; i < c->ntargets && i < LIMBO_MAX_DEPTH; i++)
		if (c->targets[i].loop == LIMBO_TGT_HANDLER)
			return 1;
	return 0;
}

static void
stmt(LimboChecker *c, const LimboNode *n)
{
	int k = 0, pushed;
	LimboType *t;
	char b1[256];

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
		if (n->kids[0] == NULL || n->kids[0]->kind != LIMBO_N_CALL) {
			CK_ERR(c, n->kids[0] != NULL ? n->kids[0] : n, "cannot spawn %s", limbo_expstr(n->kids[0], b1, sizeof b1));
			break;
		}
		t = limbo_exp(c, n->kids[0], &k);
		if (!iserr(t) && t->kind != LIMBO_TY_NONE)
			CK_ERR(c, n->kids[0], "cannot spawn functions which return values, such as %s",
			       limbo_etstr(n->kids[0], t, b1, sizeof b1));
		break;
	case LIMBO_N_RAISE:
		if (n->kids[0] == NULL) {
			if (!in_handler(c))
				CK_ERR(c, n, "%s: empty raise not in exception handler", limbo_expstr(n, b1, sizeof b1));
			break;
		}
		t = limbo_exp(c, n->kids[0], &k);
		if (!iserr(t) && t->kind != LIMBO_TY_STRING && t->kind != LIMBO_TY_EXCEPTION)
			CK_ERR(c, n, "raise of a value of type %s: want string or exception", TS(t, b1));
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
		(void)limbo_exp(c, n, &k);
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
