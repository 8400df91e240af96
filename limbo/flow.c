/*
 * The checker's flow rule: a function with a result must not run off its
 * end ("no return at end of function f"). Inferno's compiler finds this
 * while generating code, so the rule follows what its code does: constant
 * conditions pick their branch, loops without a condition end only by a
 * break, and code after return, raise or exit is not reached.
 *
 * Follows: inferno-os limbo/com.b (the reachability its fncom finds).
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"

/*
 * Can control run off the end of a statement? As Inferno finds it from the
 * code it generates: a constant condition picks its branch, `for(;;)` and
 * `while(1)` end only by a break, return, raise and exit end, and code
 * after them is not reached (so its breaks do not count).
 */
typedef struct Flow {
	struct {
		const LimboNode *n;
		const char *label;
		int loop;        /* T_* */
		int broke, cont; /* a reachable break, continue leaves it */
	} t[LIMBO_MAX_DEPTH];
	int nt, depth;
} Flow;

static int flows(Flow *f, const LimboNode *n);

/* A constant int condition: 1 true, 0 false, -1 not constant. */
static int
constcond(const LimboNode *n)
{
	LimboConst v;

	if (n == NULL)
		return 1;
	if (!limbo_fold(NULL, n, &v) || v.kind != LIMBO_C_INT)
		return -1;
	return v.i != 0;
}

/* Enters a target; returns its index, or -1. */
static int
flow_push(Flow *f, const LimboNode *n, int loop)
{
	if (f->nt == LIMBO_MAX_DEPTH)
		return -1;
	memset(&f->t[f->nt], 0, sizeof f->t[0]);
	f->t[f->nt].n = n;
	f->t[f->nt].label = loop == LIMBO_TGT_HANDLER ? NULL : n->name;
	f->t[f->nt].loop = loop;
	return f->nt++;
}

static void
flow_jump(Flow *f, const LimboNode *n)
{
	int iscont = n->kind == LIMBO_N_CONTINUE;

	for (int i = f->nt - 1; i >= 0; i--) {
		if (n->name != NULL && (f->t[i].label == NULL || strcmp(f->t[i].label, n->name) != 0))
			continue;
		if (iscont && f->t[i].loop != LIMBO_TGT_LOOP)
			continue;
		if (iscont)
			f->t[i].cont = 1;
		else
			f->t[i].broke = 1;
		return;
	}
}

/* The arms of a case, pick or alt: does one end normally? Also says if a
 * `*` arm is among them. */
static int
flow_arms(Flow *f, const LimboNode *n, int from, int *wild)
{
	int any = 0;

	*wild = 0;
	for (int i = from; i < n->nkids; i++) {
		const LimboNode *cl = n->kids[i], *q;
		if (cl == NULL)
			continue;
		q = cl->kids[0];
		for (int j = 0; q != NULL && j < q->nkids; j++)
			if (q->kids[j] != NULL && q->kids[j]->kind == LIMBO_N_WILD)
				*wild = 1;
		any |= flows(f, cl->kids[1]);
	}
	return any;
}

static int
flow_loop(Flow *f, const LimboNode *n, const LimboNode *c, const LimboNode *body, int isdo)
{
	int k = constcond(c), t, out;

	if (!isdo && k == 0)
		return 1; /* never entered: Inferno generates nothing */
	t = flow_push(f, n, LIMBO_TGT_LOOP);
	if (t < 0)
		return 1;
	out = flows(f, body);
	f->nt--;
	if (f->t[t].broke)
		return 1;
	if (!isdo)
		return k != 1;
	return k != 1 && (out || f->t[t].cont);
}

static int
flows(Flow *f, const LimboNode *n)
{
	int r = 1, t, wild, k;

	if (n == NULL)
		return 1;
	if (f->depth > LIMBO_MAX_DEPTH)
		return 0; /* reported by the checker */
	f->depth++;
	switch (n->kind) {
	case LIMBO_N_BLOCK:
		for (int i = 0; i < n->nkids && r; i++)
			r = flows(f, n->kids[i]);
		break;
	case LIMBO_N_RETURN: case LIMBO_N_RAISE: case LIMBO_N_EXIT:
		r = 0;
		break;
	case LIMBO_N_BREAK: case LIMBO_N_CONTINUE:
		flow_jump(f, n);
		r = 0;
		break;
	case LIMBO_N_IF:
		k = constcond(n->kids[0]);
		if (k >= 0)
			r = flows(f, n->kids[k ? 1 : 2]);
		else
			r = flows(f, n->kids[1]) | flows(f, n->kids[2]);
		break;
	case LIMBO_N_FOR:
		r = flow_loop(f, n, n->kids[1], n->kids[3], 0);
		break;
	case LIMBO_N_WHILE:
		r = flow_loop(f, n, n->kids[0], n->kids[1], 0);
		break;
	case LIMBO_N_DO:
		r = flow_loop(f, n, n->kids[1], n->kids[0], 1);
		break;
	case LIMBO_N_CASE: case LIMBO_N_PICK: case LIMBO_N_ALT:
		if ((t = flow_push(f, n, LIMBO_TGT_SWITCH)) < 0)
			break;
		r = flow_arms(f, n, n->kind == LIMBO_N_CASE ? 1 : n->kind == LIMBO_N_PICK ? 2 : 0, &wild);
		f->nt--;
		/* without `*`, case and pick go on when nothing matches; alt waits */
		r = r || f->t[t].broke || (n->kind != LIMBO_N_ALT && !wild) || (n->kind == LIMBO_N_ALT && n->nkids == 0);
		break;
	case LIMBO_N_EXCEPT:
		r = flows(f, n->kids[0]);
		if ((t = flow_push(f, n, LIMBO_TGT_HANDLER)) < 0) {
			r = 1;
			break;
		}
		r |= flow_arms(f, n, 2, &wild);
		f->nt--;
		r = r || f->t[t].broke;
		break;
	}
	f->depth--;
	return r;
}

/* Is d named anywhere in n (its uses: calls, values)? */
static int
named(const LimboNode *n, const LimboDecl *d, int depth)
{
	if (n == NULL || depth > 4 * LIMBO_MAX_DEPTH)
		return 0;
	if (n->kind == LIMBO_N_FNDEF)
		return named(n->kids[2], d, depth + 1);
	if ((n->kind == LIMBO_N_NAME || n->kind == LIMBO_N_DOT || n->kind == LIMBO_N_MDOT) && n->decl == d)
		return 1;
	for (int i = 0; i < n->nkids; i++)
		if (named(n->kids[i], d, depth + 1))
			return 1;
	return 0;
}

void
limbo_check_returns(LimboChecker *c, const LimboNode *root)
{
	Flow *f;

	/* Inferno's code generator finds these, so they come after all
	 * other errors and only when there are none; it compiles only the
	 * functions the module exports or some code names */
	if (limbo_unit_nerrors(c->u) > 0)
		return;
	f = malloc(sizeof *f);
	if (f == NULL)
		return;
	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *fn = root->kids[i], *body, *nm, *adt = NULL;
		const LimboDecl *d;
		int exported = 0;
		if (fn == NULL || fn->kind != LIMBO_N_FNDEF || fn->ty == NULL || fn->ty->kind != LIMBO_TY_FN ||
		    fn->ty->of == NULL || fn->ty->of->kind == LIMBO_TY_NONE || (d = fn->decl) == NULL)
			continue;
		body = fn->kids[2];
		f->nt = f->depth = 0;
		if (body == NULL || !flows(f, body))
			continue;
		nm = fn->kids[0];
		if (nm != NULL && nm->kind == LIMBO_N_DOT) {
			adt = nm->kids[0];
			nm = nm->kids[1];
		}
		if (nm == NULL || nm->name == NULL || (adt != NULL && adt->name == NULL))
			continue;
		/* exported: the function, or its adt, is a member of a module
		 * implemented here */
		for (int m = 0; m < c->nimpl; m++) {
			LimboDecl *e = limbo_member(c->impl[m], adt != NULL ? adt->name : nm->name);
			if (e != NULL && e->store == (adt != NULL ? LIMBO_D_TYPE : LIMBO_D_FN))
				exported = 1;
		}
		if (!exported && !named(root, d, 0))
			continue;
		limbo_diag(c->u, body->file, body->ival > 0 ? (int)body->ival : body->line,
		           "no return at end of function %s%s%s", adt != NULL ? adt->name : "", adt != NULL ? "." : "",
		           nm->name);
	}
	free(f);
}
