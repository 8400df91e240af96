/*
 * Code generation, first slice: a module with functions whose values are
 * int, string, list, ref and module values (one word each); locals declared
 * with :=; assignments and += on them; hd, tl, int/string casts, + on
 * strings and arithmetic on ints; if, for and while with comparisons as
 * conditions; `load M M->PATH`; calls of functions of a loaded module
 * (varargs too, as sys->print). Anything else is a "not implemented yet"
 * diagnostic: never wrong code.
 *
 * Runs on a checked unit without errors, so the types it recomputes from the
 * syntax (for the few kinds above) are known to be consistent.
 *
 * Follows: inferno-os limbo/gen.b, ecom.b, com.b (instruction selection:
 * operand order "op src, mid, dst" with dst = mid op src, frames, mframe /
 * frame + mcall, `lea` of the result into REGRET); shared/dis-facts.md.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

enum { T_INT = 1, T_STRING, T_LIST, T_REF, T_MOD, T_NIL };

typedef struct GTy {
	int kind;
	const struct GTy *of;    /* LIST: element */
	const LimboNode *mod;    /* MOD: the MODDECL */
} GTy;

typedef struct GVar {
	const char *name;
	const GTy *ty;
	int off;
	int global;
} GVar;

enum { MAXVARS = 512, MAXTYS = 512 };

typedef struct G {
	LimboUnit *u;
	GMod *m;
	const LimboNode *root;
	GTy tys[MAXTYS];
	int ntys;
	GVar globals[MAXVARS];
	int nglobals;
	GVar locals[MAXVARS];
	int nlocals;
	int framedesc;       /* frame descriptor of the function being generated */
	int frameoff;        /* next free frame byte */
	int nilmp;           /* mp offset of a nil word, or -1 */
	int failed;
	int nomem;
} G;

static const GTy tint = {T_INT, NULL, NULL}, tstring = {T_STRING, NULL, NULL},
	tnil = {T_NIL, NULL, NULL}, tref = {T_REF, NULL, NULL};

static int
isptr(const GTy *t)
{
	return t->kind != T_INT;
}

static void
notimpl(G *g, const LimboNode *n, const char *what)
{
	if (g->failed)
		return;
	limbo_diag(g->u, n->file, n->line, "not implemented yet: %s", what);
	g->failed = 1;
}

static GOpd
opd(int mode, int32_t a, int32_t b)
{
	GOpd o = {mode, a, b};
	return o;
}

static const GOpd none = {G_NONE, 0, 0};

static int
emit(G *g, int op, GOpd s, GOpd m, GOpd d)
{
	GMod *mo = g->m;

	if (mo->ninst == mo->capinst) {
		int cap = mo->capinst ? mo->capinst * 2 : 256;
		GInst *p = realloc(mo->inst, (size_t)cap * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return 0;
		}
		mo->inst = p;
		mo->capinst = cap;
	}
	mo->inst[mo->ninst] = (GInst){op, s, m, d};
	return mo->ninst++;
}

static void
patch(G *g, int at, int pc)
{
	if (!g->failed)
		g->m->inst[at].d = opd(G_IMM, pc, 0);
}

static int
newdesc(G *g, int size)
{
	GMod *mo = g->m;

	if (mo->ndesc == mo->capdesc) {
		int cap = mo->capdesc ? mo->capdesc * 2 : 16;
		GDesc *p = realloc(mo->desc, (size_t)cap * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return -1;
		}
		mo->desc = p;
		mo->capdesc = cap;
	}
	memset(&mo->desc[mo->ndesc], 0, sizeof mo->desc[0]);
	mo->desc[mo->ndesc].size = size;
	return mo->ndesc++;
}

static void
markptr(GDesc *d, int off)
{
	int w = off / 4;

	if (w < G_MAXWORDS)
		d->ptr[w / 8] |= (uint8_t)(0x80 >> (w % 8));
}

/* One word of module data. */
static int
mpword(G *g, int ptr)
{
	int off = g->m->mpsize;

	g->m->mpsize += 4;
	if (ptr)
		markptr(&g->m->desc[0], off);
	return off;
}

static int
mpstring(G *g, const char *s, size_t len)
{
	GMod *mo = g->m;

	for (int i = 0; i < mo->nstr; i++)
		if (mo->str[i].len == len && memcmp(mo->str[i].s, s, len) == 0)
			return mo->str[i].off;
	if (mo->nstr == (int)(sizeof mo->str / sizeof mo->str[0])) {
		g->failed = 1;
		limbo_diag(g->u, g->root->file, 1, "not implemented yet: more than %d string constants",
		           mo->nstr);
		return 0;
	}
	mo->str[mo->nstr] = (GStr){s, len, mpword(g, 1)};
	return mo->str[mo->nstr++].off;
}

static GOpd
nilopd(G *g)
{
	if (g->nilmp < 0)
		g->nilmp = mpword(g, 1);
	return opd(G_MP, g->nilmp, 0);
}

/* A fresh frame word (temporaries are not reused in this slice). */
static int
frameword(G *g, int ptr, const LimboNode *at)
{
	int off = g->frameoff;

	if (off + 4 > G_MAXWORDS * 4) {
		notimpl(g, at, "a frame this large");
		return DIS_MAXTEMP;
	}
	g->frameoff += 4;
	if (ptr)
		markptr(&g->m->desc[g->framedesc], off);
	return off;
}

static const GTy *
mkty(G *g, int kind, const GTy *of, const LimboNode *mod)
{
	if (g->ntys == MAXTYS) {
		g->failed = 1;
		return &tint;
	}
	g->tys[g->ntys] = (GTy){kind, of, mod};
	return &g->tys[g->ntys++];
}

static const LimboNode *
find_module(G *g, const char *name)
{
	for (int i = 0; i < g->root->nkids; i++) {
		const LimboNode *n = g->root->kids[i];
		if (n != NULL && n->kind == LIMBO_N_MODDECL && n->kids[0] != NULL &&
		    n->kids[0]->nkids > 0 && n->kids[0]->kids[0] != NULL &&
		    strcmp(n->kids[0]->kids[0]->name, name) == 0)
			return n;
	}
	return NULL;
}

/* The type written by type syntax n, for the kinds this slice handles. */
static const GTy *
tysyn(G *g, const LimboNode *n)
{
	const GTy *of;
	const LimboNode *mod;

	if (n == NULL)
		return NULL;
	switch (n->kind) {
	case LIMBO_N_TBASIC:
		if (n->op == LIMBO_T_INT)
			return &tint;
		if (n->op == LIMBO_T_STRING)
			return &tstring;
		notimpl(g, n, limbo_tok_text(n->op));
		return NULL;
	case LIMBO_N_TLIST:
		of = tysyn(g, n->kids[0]);
		return of != NULL ? mkty(g, T_LIST, of, NULL) : NULL;
	case LIMBO_N_TREF:
		return &tref; /* only moved around */
	case LIMBO_N_TNAME:
		if (n->nkids == 0 && (mod = find_module(g, n->name)) != NULL)
			return mkty(g, T_MOD, NULL, mod);
		notimpl(g, n, "values of this type");
		return NULL;
	default:
		notimpl(g, n, "values of this type");
		return NULL;
	}
}

static GVar *
lookup(G *g, const char *name)
{
	for (int i = g->nlocals - 1; i >= 0; i--)
		if (strcmp(g->locals[i].name, name) == 0)
			return &g->locals[i];
	for (int i = 0; i < g->nglobals; i++)
		if (strcmp(g->globals[i].name, name) == 0)
			return &g->globals[i];
	return NULL;
}

static GVar *
newlocal(G *g, const LimboNode *at, const char *name, const GTy *t)
{
	GVar *v;

	if (g->nlocals == MAXVARS) {
		notimpl(g, at, "this many locals");
		return NULL;
	}
	v = &g->locals[g->nlocals++];
	*v = (GVar){name, t, frameword(g, isptr(t), at), 0};
	return v;
}

/* A module member (con, fn) of the MODDECL mod, or NULL. */
static const LimboNode *
member(const LimboNode *mod, const char *name, int kind)
{
	for (int i = 1; i < mod->nkids; i++) {
		const LimboNode *k = mod->kids[i];
		const LimboNode *ids;
		if (k == NULL || k->kind != kind || (ids = k->kids[0]) == NULL)
			continue;
		for (int j = 0; j < ids->nkids; j++)
			if (ids->kids[j] != NULL && ids->kids[j]->name != NULL &&
			    strcmp(ids->kids[j]->name, name) == 0)
				return k;
	}
	return NULL;
}

static const char *
modname(const LimboNode *mod)
{
	return mod->kids[0]->kids[0]->name;
}

/* The ldt entry for module type mod; with fn, also that function's index. */
static int
import(G *g, const LimboNode *at, const LimboNode *mod, const char *fn, int *fnidx)
{
	GMod *mo = g->m;
	const char *mname = modname(mod);
	GImport *im = NULL;
	int i;

	for (i = 0; i < mo->nimp; i++)
		if (strcmp(mo->imp[i].module, mname) == 0) {
			im = &mo->imp[i];
			break;
		}
	if (im == NULL) {
		if (mo->nimp == (int)(sizeof mo->imp / sizeof mo->imp[0])) {
			notimpl(g, at, "this many loaded modules");
			return 0;
		}
		im = &mo->imp[mo->nimp++];
		memset(im, 0, sizeof *im);
		im->module = mname;
	}
	if (fn != NULL) {
		int k;
		for (k = 0; k < im->nfn; k++)
			if (strcmp(im->fn[k].name, fn) == 0)
				break;
		if (k == im->nfn) {
			int s;
			if (im->nfn == (int)(sizeof im->fn / sizeof im->fn[0])) {
				notimpl(g, at, "this many functions from one module");
				return 0;
			}
			for (s = 0; s < limbo_unit_nsigs(g->u); s++) {
				const LimboSig *sg = limbo_unit_sig(g->u, s);
				if (!sg->exported && strcmp(sg->module, mname) == 0 &&
				    strcmp(sg->name, fn) == 0)
					break;
			}
			if (s == limbo_unit_nsigs(g->u)) {
				notimpl(g, at, "a call whose signature is unknown");
				return 0;
			}
			im->fn[im->nfn++] = (GImpFn){fn, limbo_unit_sig(g->u, s)->sig};
		}
		*fnidx = k;
	}
	return i;
}

static const GTy *exp_to(G *g, const LimboNode *n, const GOpd *dst, GOpd *res);

/* Evaluates n; *res is where its value is (an existing operand or a temp). */
static const GTy *
ev(G *g, const LimboNode *n, GOpd *res)
{
	return exp_to(g, n, NULL, res);
}

static void
move(G *g, const GTy *t, GOpd s, GOpd d)
{
	if (s.mode == d.mode && s.a == d.a && s.b == d.b)
		return;
	emit(g, isptr(t) ? DIS_OP_MOVP : DIS_OP_MOVW, s, none, d);
}

/* A middle operand cannot be indirect: copy such a value to a temp. */
static GOpd
direct(G *g, const GTy *t, GOpd o, const LimboNode *at)
{
	GOpd tmp;

	if (o.mode != G_IMP && o.mode != G_IFP)
		return o;
	tmp = opd(G_FP, frameword(g, isptr(t), at), 0);
	move(g, t, o, tmp);
	return tmp;
}

/* Where a computed value goes: dst, or a new temp. */
static GOpd
target(G *g, const GOpd *dst, const GTy *t, const LimboNode *at)
{
	return dst != NULL ? *dst : opd(G_FP, frameword(g, isptr(t), at), 0);
}

static const GTy *
call(G *g, const LimboNode *n, const GOpd *dst, GOpd *res)
{
	const LimboNode *f = n->kids[0], *fn, *tfn, *params;
	GVar *mv;
	GOpd modo, fr;
	const GTy *rt = NULL;
	int ldt, idx, varargs, off, fdesc = -1, start;
	GOpd argv[64];
	const GTy *argt[64];
	int nargs = n->nkids - 1;

	if (f == NULL || f->kind != LIMBO_N_MDOT || f->kids[0]->kind != LIMBO_N_NAME ||
	    (mv = lookup(g, f->kids[0]->name)) == NULL || mv->ty->kind != T_MOD) {
		notimpl(g, n, "calls other than module->function(...)");
		return NULL;
	}
	fn = member(mv->ty->mod, f->kids[1]->name, LIMBO_N_VARDECL);
	if (fn == NULL || (tfn = fn->kids[1]) == NULL || tfn->kind != LIMBO_N_TFN) {
		notimpl(g, n, "this call");
		return NULL;
	}
	if (nargs > 64) {
		notimpl(g, n, "calls with more than 64 arguments");
		return NULL;
	}
	params = tfn->kids[0];
	varargs = (tfn->flags & LIMBO_F_VARARGS) != 0;
	if (tfn->kids[1] != NULL && (rt = tysyn(g, tfn->kids[1])) == NULL)
		return NULL;
	modo = mv->global ? opd(G_MP, mv->off, 0) : opd(G_FP, mv->off, 0);
	ldt = import(g, n, mv->ty->mod, f->kids[1]->name, &idx);
	(void)ldt;
	/* arguments first, into temps where they are computed */
	for (int i = 0; i < nargs; i++) {
		argt[i] = ev(g, n->kids[i + 1], &argv[i]);
		if (argt[i] == NULL)
			return NULL;
	}
	/* the declared parameters fix the types of all but the varargs */
	{
		int np = 0;
		for (int i = 0; params != NULL && i < params->nkids; i++) {
			const LimboNode *p = params->kids[i];
			const GTy *pt = tysyn(g, p->kids[1]);
			if (pt == NULL)
				return NULL;
			for (int j = 0; j < p->kids[0]->nkids; j++, np++)
				if (np < nargs && argt[np]->kind == T_NIL)
					argt[np] = pt;
		}
	}
	for (int i = 0; i < nargs; i++)
		if (argt[i]->kind == T_NIL)
			argt[i] = &tref;
	fr = opd(G_FP, frameword(g, 0, n), 0);
	start = g->m->ninst;
	(void)start;
	if (varargs) {
		off = DIS_MAXTEMP + 4 * nargs;
		fdesc = newdesc(g, (off + 7) & ~7);
		if (fdesc < 0)
			return NULL;
		for (int i = 0; i < nargs; i++)
			if (isptr(argt[i]))
				markptr(&g->m->desc[fdesc], DIS_MAXTEMP + 4 * i);
		emit(g, DIS_OP_FRAME, opd(G_IMM, fdesc, 0), none, fr);
	} else {
		emit(g, DIS_OP_MFRAME, modo, opd(G_IMM, idx, 0), fr);
	}
	for (int i = 0; i < nargs; i++)
		move(g, argt[i], argv[i], opd(G_IFP, fr.a, DIS_MAXTEMP + 4 * i));
	if (rt != NULL) {
		*res = target(g, dst, rt, n);
		if (res->mode == G_FP || res->mode == G_MP)
			emit(g, DIS_OP_LEA, *res, none, opd(G_IFP, fr.a, DIS_REGRET * 4));
		else {
			notimpl(g, n, "a call result stored indirectly");
			return NULL;
		}
	} else {
		int t = frameword(g, 0, n);
		emit(g, DIS_OP_LEA, opd(G_FP, t, 0), none, opd(G_IFP, fr.a, DIS_REGRET * 4));
		*res = opd(G_FP, t, 0);
		rt = &tint;
	}
	emit(g, DIS_OP_MCALL, fr, opd(G_IMM, idx, 0), modo);
	return rt;
}

/* A module constant M->NAME (string or int). */
static const GTy *
modcon(G *g, const LimboNode *n, GOpd *res)
{
	const LimboNode *mod = NULL, *c, *v;
	GVar *mv;

	if (n->kids[0]->kind == LIMBO_N_NAME) {
		mod = find_module(g, n->kids[0]->name);
		if (mod == NULL && (mv = lookup(g, n->kids[0]->name)) != NULL && mv->ty->kind == T_MOD)
			mod = mv->ty->mod;
	}
	if (mod == NULL || (c = member(mod, n->kids[1]->name, LIMBO_N_CONDECL)) == NULL) {
		notimpl(g, n, "this -> expression");
		return NULL;
	}
	v = c->kids[1];
	if (v->kind == LIMBO_N_SCONST) {
		*res = v->len == 0 ? nilopd(g) : opd(G_MP, mpstring(g, v->str, v->len), 0);
		return &tstring;
	}
	if (v->kind == LIMBO_N_ICONST && v->ival >= -(1 << 29) && v->ival < (1 << 29)) {
		*res = opd(G_IMM, (int32_t)v->ival, 0);
		return &tint;
	}
	notimpl(g, n, "this constant");
	return NULL;
}

static const GTy *
exp_to(G *g, const LimboNode *n, const GOpd *dst, GOpd *res)
{
	const GTy *t, *t2;
	GOpd a, b;
	GVar *v;

	if (g->failed)
		return NULL;
	switch (n->kind) {
	case LIMBO_N_NAME:
		v = lookup(g, n->name);
		if (v == NULL) {
			notimpl(g, n, "this name as a value");
			return NULL;
		}
		a = v->global ? opd(G_MP, v->off, 0) : opd(G_FP, v->off, 0);
		t = v->ty;
		break;
	case LIMBO_N_ICONST:
		if (n->ival < -(1 << 29) || n->ival >= (1 << 29)) {
			notimpl(g, n, "integer constants beyond 30 bits");
			return NULL;
		}
		a = opd(G_IMM, (int32_t)n->ival, 0);
		t = &tint;
		break;
	case LIMBO_N_SCONST:
		a = n->len == 0 ? nilopd(g) : opd(G_MP, mpstring(g, n->str, n->len), 0);
		t = &tstring;
		break;
	case LIMBO_N_NIL:
		a = nilopd(g);
		t = &tnil;
		break;
	case LIMBO_N_MDOT:
		if ((t = modcon(g, n, &a)) == NULL)
			return NULL;
		break;
	case LIMBO_N_UNOP:
		if (n->op != LIMBO_T_HD && n->op != LIMBO_T_TL) {
			notimpl(g, n, "this unary operator");
			return NULL;
		}
		if ((t2 = ev(g, n->kids[0], &b)) == NULL)
			return NULL;
		if (t2->kind != T_LIST) {
			notimpl(g, n, "hd/tl of this type");
			return NULL;
		}
		if (n->op == LIMBO_T_TL) {
			t = t2;
			a = target(g, dst, t, n);
			emit(g, DIS_OP_TAIL, b, none, a);
		} else {
			t = t2->of;
			if (t->kind != T_INT && t->kind != T_STRING && t->kind != T_REF &&
			    t->kind != T_LIST) {
				notimpl(g, n, "hd of this type");
				return NULL;
			}
			a = target(g, dst, t, n);
			emit(g, isptr(t) ? DIS_OP_HEADP : DIS_OP_HEADW, b, none, a);
		}
		*res = a;
		return t;
	case LIMBO_N_CAST: {
		const GTy *to = tysyn(g, n->kids[0]);
		int op = -1;
		if (to == NULL || (t2 = ev(g, n->kids[1], &b)) == NULL)
			return NULL;
		if (to->kind == t2->kind && to->kind != T_LIST) {
			a = b;
			t = to;
			break;
		}
		if (to->kind == T_INT && t2->kind == T_STRING)
			op = DIS_OP_CVTCW;
		else if (to->kind == T_STRING && t2->kind == T_INT)
			op = DIS_OP_CVTWC;
		if (op < 0) {
			notimpl(g, n, "this conversion");
			return NULL;
		}
		a = target(g, dst, to, n);
		emit(g, op, b, none, a);
		*res = a;
		return to;
	}
	case LIMBO_N_BINOP: {
		int op = -1;
		if ((t = ev(g, n->kids[0], &a)) == NULL || (t2 = ev(g, n->kids[1], &b)) == NULL)
			return NULL;
		if (t->kind == T_STRING && t2->kind == T_STRING && n->op == LIMBO_T_ADD)
			op = DIS_OP_ADDC;
		else if (t->kind == T_INT && t2->kind == T_INT) {
			switch (n->op) {
			case LIMBO_T_ADD: op = DIS_OP_ADDW; break;
			case LIMBO_T_SUB: op = DIS_OP_SUBW; break;
			case LIMBO_T_MUL: op = DIS_OP_MULW; break;
			case LIMBO_T_DIV: op = DIS_OP_DIVW; break;
			case LIMBO_T_MOD: op = DIS_OP_MODW; break;
			default: break;
			}
		}
		if (op < 0) {
			notimpl(g, n, "this binary operator as a value");
			return NULL;
		}
		a = direct(g, t, a, n);
		*res = target(g, dst, t, n);
		emit(g, op, b, a, *res); /* res = a op b */
		return t;
	}
	case LIMBO_N_CALL:
		return call(g, n, dst, res);
	case LIMBO_N_RCONST:
		notimpl(g, n, "real values");
		return NULL;
	case LIMBO_N_LOAD: {
		const GTy *mt = tysyn(g, n->kids[0]);
		int ldt;
		if (mt == NULL || (t2 = ev(g, n->kids[1], &b)) == NULL)
			return NULL;
		if (mt->kind != T_MOD || t2->kind != T_STRING) {
			notimpl(g, n, "this load");
			return NULL;
		}
		ldt = import(g, n, mt->mod, NULL, NULL);
		*res = target(g, dst, mt, n);
		emit(g, DIS_OP_LOAD, b, opd(G_IMM, ldt, 0), *res);
		return mt;
	}
	default:
		notimpl(g, n, limbo_node_name(n->kind));
		return NULL;
	}
	if (dst != NULL && !g->failed) {
		move(g, t->kind == T_NIL ? &tref : t, a, *dst);
		a = *dst;
	}
	*res = a;
	return t;
}

/* Jumps when the condition n is false; returns the branch to patch. */
static int
cond_false(G *g, const LimboNode *n)
{
	const GTy *t, *t2;
	GOpd a, b;
	int op = -1, str, word;

	if (n->kind != LIMBO_N_BINOP) {
		notimpl(g, n, "this condition");
		return -1;
	}
	if ((t = ev(g, n->kids[0], &a)) == NULL || (t2 = ev(g, n->kids[1], &b)) == NULL)
		return -1;
	str = t->kind == T_STRING && t2->kind == T_STRING;
	word = (t->kind == T_INT && t2->kind == T_INT) ||
	       ((t->kind == T_LIST || t->kind == T_NIL || t->kind == T_REF) &&
	        (t2->kind == T_LIST || t2->kind == T_NIL || t2->kind == T_REF));
	if (!str && !word) {
		notimpl(g, n, "comparison of these types");
		return -1;
	}
	if (!str && t->kind != T_INT && n->op != LIMBO_T_EQ && n->op != LIMBO_T_NEQ) {
		notimpl(g, n, "this comparison");
		return -1;
	}
	/* branch on the negation: if a op b is false */
	switch (n->op) {
	case LIMBO_T_EQ: op = str ? DIS_OP_BNEC : DIS_OP_BNEW; break;
	case LIMBO_T_NEQ: op = str ? DIS_OP_BEQC : DIS_OP_BEQW; break;
	case LIMBO_T_LT: op = str ? DIS_OP_BGEC : DIS_OP_BGEW; break;
	case LIMBO_T_LEQ: op = str ? DIS_OP_BGTC : DIS_OP_BGTW; break;
	case LIMBO_T_GT: op = str ? DIS_OP_BLEC : DIS_OP_BLEW; break;
	case LIMBO_T_GEQ: op = str ? DIS_OP_BLTC : DIS_OP_BLTW; break;
	default:
		notimpl(g, n, "this condition");
		return -1;
	}
	b = direct(g, t2, b, n);
	return emit(g, op, a, b, opd(G_IMM, -1, 0)); /* if a op' b goto */
}

static void stmt(G *g, const LimboNode *n);

static void
assign(G *g, const LimboNode *n)
{
	const LimboNode *l = n->kids[0];
	GVar *v;
	GOpd dst, r, res;
	const GTy *t;

	if (l->kind != LIMBO_N_NAME || (v = lookup(g, l->name)) == NULL) {
		notimpl(g, n, "assignment to this");
		return;
	}
	dst = v->global ? opd(G_MP, v->off, 0) : opd(G_FP, v->off, 0);
	if (n->op == LIMBO_T_ASSIGN) {
		(void)exp_to(g, n->kids[1], &dst, &res);
		return;
	}
	if ((t = ev(g, n->kids[1], &r)) == NULL)
		return;
	if (v->ty->kind == T_STRING && t->kind == T_STRING && n->op == LIMBO_T_ADDEQ) {
		emit(g, DIS_OP_ADDC, r, dst, dst);
		return;
	}
	if (v->ty->kind == T_INT && t->kind == T_INT) {
		int op = -1;
		switch (n->op) {
		case LIMBO_T_ADDEQ: op = DIS_OP_ADDW; break;
		case LIMBO_T_SUBEQ: op = DIS_OP_SUBW; break;
		case LIMBO_T_MULEQ: op = DIS_OP_MULW; break;
		case LIMBO_T_DIVEQ: op = DIS_OP_DIVW; break;
		case LIMBO_T_MODEQ: op = DIS_OP_MODW; break;
		default: break;
		}
		if (op >= 0) {
			emit(g, op, r, dst, dst);
			return;
		}
	}
	notimpl(g, n, limbo_tok_text(n->op));
}

static void
loop(G *g, const LimboNode *n, const LimboNode *init, const LimboNode *c,
     const LimboNode *step, const LimboNode *body)
{
	int top, br = -1;

	if (n->name != NULL) {
		notimpl(g, n, "labelled loops");
		return;
	}
	if (init != NULL)
		stmt(g, init);
	top = g->m->ninst;
	if (c != NULL)
		br = cond_false(g, c);
	stmt(g, body);
	if (step != NULL)
		stmt(g, step);
	emit(g, DIS_OP_JMP, none, none, opd(G_IMM, top, 0));
	if (br >= 0)
		patch(g, br, g->m->ninst);
}

static void
stmt(G *g, const LimboNode *n)
{
	GOpd res;
	int br, j;

	if (n == NULL || g->failed)
		return;
	switch (n->kind) {
	case LIMBO_N_BLOCK: {
		int mark = g->nlocals;
		for (int i = 0; i < n->nkids; i++)
			stmt(g, n->kids[i]);
		g->nlocals = mark; /* names go out of scope; their words stay */
		break;
	}
	case LIMBO_N_EMPTY:
		break;
	case LIMBO_N_DECLAS: {
		const GTy *t;
		GVar *v;
		if (n->kids[0]->kind != LIMBO_N_NAME) {
			notimpl(g, n, ":= of several names");
			return;
		}
		if ((t = ev(g, n->kids[1], &res)) == NULL)
			return;
		if (t->kind == T_NIL) {
			notimpl(g, n, ":= nil");
			return;
		}
		if ((v = newlocal(g, n, n->kids[0]->name, t)) != NULL)
			move(g, t, res, opd(G_FP, v->off, 0));
		break;
	}
	case LIMBO_N_ASSIGN:
		assign(g, n);
		break;
	case LIMBO_N_CALL:
		(void)ev(g, n, &res);
		break;
	case LIMBO_N_IF:
		br = cond_false(g, n->kids[0]);
		stmt(g, n->kids[1]);
		if (n->kids[2] != NULL) {
			j = emit(g, DIS_OP_JMP, none, none, opd(G_IMM, -1, 0));
			if (br >= 0)
				patch(g, br, g->m->ninst);
			stmt(g, n->kids[2]);
			patch(g, j, g->m->ninst);
		} else if (br >= 0) {
			patch(g, br, g->m->ninst);
		}
		break;
	case LIMBO_N_FOR:
		loop(g, n, n->kids[0], n->kids[1], n->kids[2], n->kids[3]);
		break;
	case LIMBO_N_WHILE:
		loop(g, n, NULL, n->kids[0], NULL, n->kids[1]);
		break;
	case LIMBO_N_RETURN:
		if (n->kids[0] != NULL) {
			notimpl(g, n, "return with a value");
			return;
		}
		emit(g, DIS_OP_RET, none, none, none);
		break;
	default:
		notimpl(g, n, limbo_node_name(n->kind));
		break;
	}
}

/* The signature of fn exported by the implemented module. */
static int
export_sig(G *g, const char *name, uint32_t *sig)
{
	for (int i = 0; i < limbo_unit_nsigs(g->u); i++) {
		const LimboSig *s = limbo_unit_sig(g->u, i);
		if (s->exported && strcmp(s->name, name) == 0) {
			*sig = s->sig;
			return 1;
		}
	}
	return 0;
}

static void
function(G *g, const LimboNode *n)
{
	const LimboNode *tfn = n->kids[1], *params = tfn->kids[0];
	int desc, pc = g->m->ninst;
	uint32_t sig;

	if (n->kids[0]->kind != LIMBO_N_NAME || n->kids[0]->kids[0] != NULL) {
		notimpl(g, n, "functions of adts");
		return;
	}
	for (int i = 1; i < tfn->nkids; i++)
		if (tfn->kids[i] != NULL) {
			notimpl(g, n, i == 1 ? "functions with results" : "polymorphic or raising functions");
			return;
		}
	if (tfn->flags & LIMBO_F_VARARGS) {
		notimpl(g, n, "varargs functions");
		return;
	}
	if (!export_sig(g, n->kids[0]->name, &sig)) {
		notimpl(g, n, "functions the module does not export");
		return;
	}
	if ((desc = newdesc(g, 0)) < 0)
		return;
	g->framedesc = desc;
	g->frameoff = DIS_MAXTEMP;
	g->nlocals = 0;
	for (int i = 0; params != NULL && i < params->nkids; i++) {
		const LimboNode *p = params->kids[i];
		const GTy *t = tysyn(g, p->kids[1]);
		if (t == NULL)
			return;
		for (int j = 0; j < p->kids[0]->nkids; j++) {
			const LimboNode *id = p->kids[0]->kids[j];
			if (id->kind == LIMBO_N_NAME)
				(void)newlocal(g, id, id->name, t);
			else
				(void)frameword(g, isptr(t), id);
		}
	}
	stmt(g, n->kids[2]);
	/* always: a branch may target the end even after a return */
	emit(g, DIS_OP_RET, none, none, none);
	if (g->failed)
		return;
	g->m->desc[desc].size = (g->frameoff + 7) & ~7;
	if (g->m->nlink == (int)(sizeof g->m->link / sizeof g->m->link[0])) {
		notimpl(g, n, "this many functions");
		return;
	}
	g->m->link[g->m->nlink++] = (GLink){n->kids[0]->name, pc, desc, sig};
	if (strcmp(n->kids[0]->name, "init") == 0 || g->m->entry_pc < 0) {
		g->m->entry_pc = pc;
		g->m->entry_desc = desc;
	}
}

static void
globals(G *g)
{
	for (int i = 0; i < g->root->nkids && !g->failed; i++) {
		const LimboNode *n = g->root->kids[i];
		const GTy *t;
		if (n == NULL)
			continue;
		if (n->kind == LIMBO_N_IMPLEMENT) {
			if (n->kids[0]->nkids != 1) {
				notimpl(g, n, "implementing several modules");
				return;
			}
			g->m->name = n->kids[0]->kids[0]->name;
		} else if (n->kind == LIMBO_N_VARDECL) {
			if (n->kids[2] != NULL) {
				notimpl(g, n, "initialised global variables");
				return;
			}
			if ((t = tysyn(g, n->kids[1])) == NULL)
				return;
			for (int j = 0; j < n->kids[0]->nkids; j++) {
				if (g->nglobals == MAXVARS) {
					notimpl(g, n, "this many globals");
					return;
				}
				g->globals[g->nglobals++] =
					(GVar){n->kids[0]->kids[j]->name, t, mpword(g, isptr(t)), 1};
			}
		} else if (n->kind == LIMBO_N_DECLAS) {
			notimpl(g, n, "global :=");
			return;
		}
	}
}

static void
gmod_free(GMod *m)
{
	free(m->inst);
	free(m->desc);
	free(m);
}

int
limbo_gen(LimboUnit *u, const char *srcpath, FILE *asmout, uint8_t **dis, size_t *dislen,
          AcErr *err)
{
	G *g;
	GMod *m;
	int rc = AC_OK;

	if (u == NULL || !u->checked || limbo_unit_nerrors(u) > 0)
		return ac_err_set(err, AC_EINVAL, "limbo_gen: the unit is not checked, or has errors");
	g = calloc(1, sizeof *g);
	m = calloc(1, sizeof *m);
	if (g == NULL || m == NULL) {
		free(g);
		free(m);
		return ac_err_set(err, AC_ENOMEM, "out of memory generating code");
	}
	g->u = u;
	g->m = m;
	g->root = limbo_unit_root(u);
	g->nilmp = -1;
	m->entry_pc = -1;
	m->entry_desc = -1;
	m->srcpath = srcpath;
	m->name = "";
	(void)newdesc(g, 0); /* $0: module data */
	globals(g);
	for (int i = 0; i < g->root->nkids && !g->failed; i++) {
		const LimboNode *n = g->root->kids[i];
		if (n != NULL && n->kind == LIMBO_N_FNDEF)
			function(g, n);
	}
	if (g->nomem) {
		rc = ac_err_set(err, AC_ENOMEM, "out of memory generating code");
	} else if (g->failed) {
		rc = ac_err_set(err, AC_EFORMAT, "code generation failed");
	} else {
		if (m->mpsize == 0)
			(void)nilopd(g); /* as Inferno's limbo: module data is never empty */
		m->desc[0].size = m->mpsize;
		if (asmout != NULL)
			rc = limbo_gen_asm(m, asmout);
		if (rc == AC_OK && dis != NULL)
			rc = limbo_gen_dis(m, dis, dislen, err);
		else if (rc != AC_OK)
			ac_err_set(err, rc, "writing the assembly: output error");
	}
	gmod_free(m);
	free(g);
	return rc;
}
