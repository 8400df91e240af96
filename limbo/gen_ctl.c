/*
 * case, alt, spawn, channels, exceptions and function values.
 *
 * case: a table in module data that case/casel/casec search (n, then the
 * sorted (lo, hi, pc) entries, then the default pc); its pcs are written
 * once the arms are generated. alt: a table in the frame (nsend, nrecv,
 * then (channel, value address) pairs, sends first) for alt or nbalt,
 * then goto through a table of the arms' pcs indexed by the case chosen.
 * Exception handlers are entries of the module's handler table: the pcs
 * of the protected block, the frame word the exception is stored in, the
 * labels (exception types first) and their pcs. A function value is a
 * heap pair (module, link index) called with mframe and mcall; a function
 * of this module is reached through the module loaded as "$self".
 *
 * Follows: inferno-os limbo/ecom.b and gen.b (casecom, altcom, excom,
 * raise, spawn; function values), the Dis VM specification (case, alt,
 * goto, newc, send, recv, spawn, mspawn, raise), libinterp/xec.c for the
 * case tables and shared/dis-facts.md for the handler section.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"


static int64_t *
words(G *g, int n)
{
	int64_t *w = calloc((size_t)(n > 0 ? n : 1), sizeof *w);

	if (w == NULL)
		g->nomem = g->failed = 1;
	return w;
}

static void
data_words(G *g, int off, int64_t *w, int n)
{
	if (w != NULL)
		limbo_cg_data(g, (GData){.kind = GD_WORDS, .off = off, .w = w, .len = (size_t)n});
}

static void
data_word(G *g, int off, int64_t v)
{
	int64_t *w = words(g, 1);

	if (w != NULL) {
		w[0] = v;
		data_words(g, off, w, 1);
	}
}

/* case */

typedef struct Lab {
	LimboConst lo, hi;
	int range;
	int arm;
	int pc;
} Lab;

static int
cmpconst(const LimboConst *a, const LimboConst *b)
{
	if (a->kind == LIMBO_C_STRING) {
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, n);
		if (c != 0)
			return c;
		return a->len < b->len ? -1 : a->len > b->len;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
cmplab(const void *x, const void *y)
{
	const Lab *a = x, *b = y;
	int c = cmpconst(&a->lo, &b->lo);

	return c != 0 ? c : a->arm - b->arm;
}

/* A case label's constant value; 0 and a diagnostic if it is none. */
static int
label_const(G *g, const LimboNode *q, int kind, LimboConst *c)
{
	if (!limbo_cg_fold(g, q, c) || (kind == LIMBO_TY_STRING ? c->kind != LIMBO_C_STRING : c->kind != LIMBO_C_INT)) {
		limbo_cg_notimpl(g, q, "a case label that is not a constant");
		return 0;
	}
	if (kind == LIMBO_TY_INT)
		c->i = (int32_t)(uint32_t)c->i;
	return 1;
}

static void
case_string_data(G *g, int off, Lab *lab, int n, int dflt)
{
	data_word(g, off, n);
	for (int i = 0; i < n; i++) {
		int e = off + 4 + 12 * i;
		/* single values leave hi nil */
		limbo_cg_markptr(g, &g->m->desc[0], e);
		limbo_cg_markptr(g, &g->m->desc[0], e + 4);
		limbo_cg_data(g, (GData){.kind = GD_STRING, .off = e, .s = lab[i].lo.s, .len = lab[i].lo.len});
		if (lab[i].range)
			limbo_cg_data(g, (GData){.kind = GD_STRING, .off = e + 4, .s = lab[i].hi.s, .len = lab[i].hi.len});
		data_word(g, e + 8, lab[i].pc);
	}
	data_word(g, off + 4 + 12 * n, dflt);
}

static void
case_big_data(G *g, int off, Lab *lab, int n, int dflt)
{
	data_word(g, off, n);
	for (int i = 0; i < n; i++) {
		int e = off + 8 + 24 * i;
		limbo_cg_data(g, (GData){.kind = GD_BIG, .off = e, .v = lab[i].lo.i});
		limbo_cg_data(g, (GData){.kind = GD_BIG, .off = e + 8, .v = lab[i].hi.i});
		data_word(g, e + 16, lab[i].pc);
	}
	data_word(g, off + 8 + 24 * n, dflt);
}

void
limbo_cg_case(G *g, const LimboNode *n)
{
	LimboType *t = n->kids[0]->ty;
	Lab *lab = NULL;
	int nlab = 0, cap = 0, kind, op, off, dflt = -1, end, *armpc;
	GJumps out = {0};
	GOpd v;

	if (t == NULL) {
		limbo_cg_notimpl(g, n, "case of an untyped value");
		return;
	}
	kind = t->kind == LIMBO_TY_BYTE ? LIMBO_TY_INT : t->kind;
	if (kind != LIMBO_TY_INT && kind != LIMBO_TY_BIG && kind != LIMBO_TY_STRING) {
		limbo_cg_notimpl(g, n, "case of a value of this type");
		return;
	}
	/* the labels */
	for (int i = 1; i < n->nkids && !g->failed; i++) {
		const LimboNode *qs = n->kids[i]->kids[0];
		for (int j = 0; qs != NULL && j < qs->nkids && !g->failed; j++) {
			const LimboNode *q = qs->kids[j];
			Lab l = {.arm = i};
			if (q->kind == LIMBO_N_WILD) {
				dflt = i;
				continue;
			}
			if (q->kind == LIMBO_N_RANGE) {
				if (!label_const(g, q->kids[0], kind, &l.lo) || !label_const(g, q->kids[1], kind, &l.hi))
					break;
				l.range = 1;
				if (cmpconst(&l.lo, &l.hi) > 0)
					continue; /* an empty range */
				if (kind != LIMBO_TY_STRING) {
					/* the table's hi is exclusive */
					if ((kind == LIMBO_TY_INT && l.hi.i == INT32_MAX) ||
					    (kind == LIMBO_TY_BIG && l.hi.i == INT64_MAX)) {
						limbo_cg_notimpl(g, q, "a case range up to the largest value");
						break;
					}
					l.hi.i++;
				}
			} else {
				if (!label_const(g, q, kind, &l.lo))
					break;
				l.hi = l.lo;
				if (kind != LIMBO_TY_STRING)
					l.hi.i++;
			}
			if (nlab == cap) {
				int nc = cap ? cap * 2 : 16;
				Lab *p = realloc(lab, (size_t)nc * sizeof *p);
				if (p == NULL) {
					g->nomem = g->failed = 1;
					break;
				}
				lab = p;
				cap = nc;
			}
			lab[nlab++] = l;
		}
	}
	armpc = calloc((size_t)n->nkids, sizeof *armpc);
	if (armpc == NULL)
		g->nomem = g->failed = 1;
	if (g->failed) {
		free(lab);
		free(armpc);
		return;
	}
	if (nlab > 0)
		qsort(lab, (size_t)nlab, sizeof *lab, cmplab);
	/* the value and the table */
	if (kind == LIMBO_TY_STRING) {
		off = limbo_cg_mpalloc(g, 4 + 12 * nlab + 4, 4);
		op = DIS_OP_CASEC;
		v = limbo_cg_exp(g, n->kids[0], NULL);
	} else if (kind == LIMBO_TY_BIG) {
		off = limbo_cg_mpalloc(g, 8 + 24 * nlab + 8, 8);
		op = DIS_OP_CASEL;
		v = limbo_cg_exp(g, n->kids[0], NULL);
	} else {
		off = limbo_cg_mpalloc(g, 4 + 12 * nlab + 4, 4);
		op = DIS_OP_CASE;
		if (t->kind == LIMBO_TY_BYTE) {
			GOpd b = limbo_cg_exp(g, n->kids[0], NULL);
			v = limbo_cg_tmp(g, &limbo_cg_t_int);
			limbo_cg_emit(g, DIS_OP_CVTBW, b, limbo_cg_none, v);
		} else {
			v = limbo_cg_expt(g, n->kids[0], &limbo_cg_t_int, NULL);
		}
	}
	limbo_cg_emit(g, op, v, limbo_cg_none, limbo_cg_opd(G_MP, off, 0));
	/* the arms */
	limbo_cg_loop_begin(g, n);
	for (int i = 1; i < n->nkids && !g->failed; i++) {
		armpc[i] = limbo_cg_pc(g);
		limbo_cg_stmt(g, n->kids[i]->kids[1]);
		if (i < n->nkids - 1)
			limbo_cg_jumps_add(g, &out, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
	}
	end = limbo_cg_pc(g);
	limbo_cg_jumps_patch(g, &out, end);
	limbo_cg_loop_end(g);
	for (int i = 0; i < nlab; i++)
		lab[i].pc = armpc[lab[i].arm];
	dflt = dflt > 0 ? armpc[dflt] : end;
	if (!g->failed) {
		if (kind == LIMBO_TY_STRING) {
			case_string_data(g, off, lab, nlab, dflt);
		} else if (kind == LIMBO_TY_BIG) {
			case_big_data(g, off, lab, nlab, dflt);
		} else {
			int64_t *w = words(g, 3 * nlab + 2);
			if (w != NULL) {
				w[0] = nlab;
				for (int i = 0; i < nlab; i++) {
					w[1 + 3 * i] = lab[i].lo.i;
					w[2 + 3 * i] = (int32_t)(uint32_t)lab[i].hi.i;
					w[3 + 3 * i] = lab[i].pc;
				}
				w[3 * nlab + 1] = dflt;
				data_words(g, off, w, 3 * nlab + 2);
			}
		}
	}
	free(lab);
	free(armpc);
}

/* Channels. */

GOpd
limbo_cg_channew(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *et = n->ty != NULL && n->ty->kind == LIMBO_TY_CHAN ? n->ty->of : NULL;
	GOpd d, sz = limbo_cg_none, s = limbo_cg_none;
	int op;

	if (et == NULL) {
		limbo_cg_notimpl(g, n, "chan of an untyped element");
		return limbo_cg_none;
	}
	switch (et->kind) {
	case LIMBO_TY_BYTE: op = DIS_OP_NEWCB; break;
	case LIMBO_TY_INT: case LIMBO_TY_FIXED: op = DIS_OP_NEWCW; break;
	case LIMBO_TY_BIG: op = DIS_OP_NEWCL; break;
	case LIMBO_TY_REAL: op = DIS_OP_NEWCF; break;
	default:
		if (limbo_cg_movop(et) != DIS_OP_MOVM) {
			op = DIS_OP_NEWCP;
		} else if (limbo_cg_hasptrs(g, et)) {
			op = DIS_OP_NEWCMP;
			s = limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, et), 0);
		} else {
			op = DIS_OP_NEWCM;
			s = limbo_cg_opd(G_IMM, limbo_cg_size(et), 0);
		}
	}
	if (n->kids[0] != NULL)
		sz = limbo_cg_direct(g, &limbo_cg_t_int, limbo_cg_expt(g, n->kids[0], &limbo_cg_t_int, NULL));
	d = dst != NULL ? *dst : limbo_cg_tmp(g, n->ty);
	limbo_cg_emit(g, op, s, sz, d);
	return d;
}

/* The address operand of a value of type t to send: not an immediate. */
static GOpd
sendable(G *g, LimboType *t, GOpd v)
{
	GOpd x;

	if (v.mode != G_IMM)
		return v;
	x = limbo_cg_tmp(g, t);
	limbo_cg_move(g, t, v, x);
	return x;
}

void
limbo_cg_send(G *g, const LimboNode *n)
{
	LimboType *ct = n->kids[0]->ty;
	GOpd c, v;

	if (ct == NULL || ct->kind != LIMBO_TY_CHAN) {
		limbo_cg_notimpl(g, n, "send on this value");
		return;
	}
	c = limbo_cg_exp(g, n->kids[0], NULL);
	v = sendable(g, ct->of, limbo_cg_expt(g, n->kids[1], ct->of, NULL));
	limbo_cg_emit(g, DIS_OP_SEND, v, limbo_cg_none, c);
}

GOpd
limbo_cg_recv(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboType *ct = n->kids[0]->ty;
	GOpd c, d;

	if (ct != NULL && ct->kind == LIMBO_TY_ARRAY) {
		/* <-a on an array of channels: an alt of one receive whose
		 * channel is the array; the VM stores (index, value) */
		LimboType tabty = {.kind = LIMBO_TY_INT, .size = 16, .align = 4};
		int tab = limbo_cg_local(g, &tabty, n);
		c = limbo_cg_exp(g, n->kids[0], NULL);
		d = limbo_cg_tmp(g, n->ty);
		limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, 0, 0), limbo_cg_none, limbo_cg_opd(G_FP, tab, 0));
		limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, 1, 0), limbo_cg_none, limbo_cg_opd(G_FP, tab + 4, 0));
		limbo_cg_emit(g, DIS_OP_MOVW, c, limbo_cg_none, limbo_cg_opd(G_FP, tab + 8, 0));
		limbo_cg_emit(g, DIS_OP_LEA, d, limbo_cg_none, limbo_cg_opd(G_FP, tab + 12, 0));
		limbo_cg_emit(g, DIS_OP_ALT, limbo_cg_opd(G_FP, tab, 0), limbo_cg_none, limbo_cg_tmp(g, &limbo_cg_t_int));
		if (dst != NULL) {
			limbo_cg_move(g, n->ty, d, *dst);
			return *dst;
		}
		return d;
	}
	if (ct == NULL || ct->kind != LIMBO_TY_CHAN) {
		limbo_cg_notimpl(g, n, "receive from this value");
		return limbo_cg_none;
	}
	c = limbo_cg_exp(g, n->kids[0], NULL);
	d = dst != NULL ? *dst : limbo_cg_tmp(g, ct->of);
	limbo_cg_emit(g, DIS_OP_RECV, c, limbo_cg_none, d);
	return d;
}

/* spawn */

static GOpd fncall(G *g, const LimboNode *n, const GOpd *dst, int spawn);

void
limbo_cg_spawn(G *g, const LimboNode *n)
{
	const LimboNode *c = n->kids[0], *f;
	LimboDecl *d;

	if (c == NULL || c->kind != LIMBO_N_CALL) {
		limbo_cg_notimpl(g, n, "spawn of this expression");
		return;
	}
	f = c->kids[0];
	d = f->decl;
	if (d != NULL && (d->store == LIMBO_D_FN ||
	                  (d->store == LIMBO_D_IMPORT && d->imp != NULL && d->imp->store == LIMBO_D_FN))) {
		g->spawn = 1;
		(void)limbo_cg_call(g, c, NULL);
		g->spawn = 0;
		return;
	}
	if (d != NULL && (d->store == LIMBO_D_TYPE || d->store == LIMBO_D_TAG || d->store == LIMBO_D_EXC)) {
		limbo_cg_notimpl(g, n, "spawn of a constructor");
		return;
	}
	(void)fncall(g, c, NULL, 1);
}

/* alt */

typedef struct Arm {
	const LimboNode *q;     /* the qualifier: SEND, <-c, x = <-c, x := <-c */
	const LimboNode *recv;  /* its <-c */
	int clause;             /* kid index of the clause */
	GOpd val;               /* where a received value lands */
	LimboType *t;
} Arm;

static const LimboNode *
alt_recv(const LimboNode *q)
{
	if (q->kind == LIMBO_N_UNOP && q->op == LIMBO_T_COMM)
		return q;
	if ((q->kind == LIMBO_N_ASSIGN && q->op == LIMBO_T_ASSIGN) || q->kind == LIMBO_N_DECLAS) {
		const LimboNode *r = q->kids[1];
		if (r->kind == LIMBO_N_UNOP && r->op == LIMBO_T_COMM)
			return r;
	}
	return NULL;
}

void
limbo_cg_alt(G *g, const LimboNode *n)
{
	Arm *arm;
	int narm = 0, nsend = 0, nrecv = 0, wild = 0, tab, tabpc, *armpc, k;
	GOpd res;
	GJumps out = {0};
	LimboType tabty = {.kind = LIMBO_TY_INT, .align = 4};

	arm = calloc((size_t)n->nkids + 1, sizeof *arm);
	armpc = calloc((size_t)n->nkids + 1, sizeof *armpc);
	if (arm == NULL || armpc == NULL) {
		free(arm);
		free(armpc);
		g->nomem = g->failed = 1;
		return;
	}
	for (int i = 0; i < n->nkids && !g->failed; i++) {
		const LimboNode *qs = n->kids[i]->kids[0];
		if (qs == NULL || qs->nkids != 1) {
			limbo_cg_notimpl(g, n->kids[i], "an alt arm of several qualifiers");
			break;
		}
		if (qs->kids[0]->kind == LIMBO_N_WILD) {
			wild = i + 1;
			continue;
		}
		arm[narm].q = qs->kids[0];
		arm[narm].clause = i;
		if (qs->kids[0]->kind == LIMBO_N_SEND) {
			nsend++;
		} else if ((arm[narm].recv = alt_recv(qs->kids[0])) != NULL) {
			nrecv++;
		} else {
			limbo_cg_notimpl(g, qs->kids[0], "this alt qualifier");
			break;
		}
		{
			const LimboNode *c = (arm[narm].recv != NULL ? arm[narm].recv : qs->kids[0])->kids[0];
			int chans = arm[narm].recv != NULL && c->ty != NULL && c->ty->kind == LIMBO_TY_ARRAY &&
			            c->ty->of != NULL && c->ty->of->kind == LIMBO_TY_CHAN;
			if (!chans && (c->ty == NULL || c->ty->kind != LIMBO_TY_CHAN)) {
				limbo_cg_notimpl(g, qs->kids[0], "alt on an array of channels");
				break;
			}
		}
		narm++;
	}
	if (g->failed) {
		free(arm);
		free(armpc);
		return;
	}
	/* the table: sends first, then receives, each in the order written */
	tabty.size = 8 + 8 * narm;
	tab = limbo_cg_local(g, &tabty, n);
	k = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < narm && !g->failed; i++) {
			const LimboNode *q = arm[i].q;
			int e = tab + 8 + 8 * k;
			LimboType *ct;
			GOpd c, v;
			if ((pass == 0) != (arm[i].recv == NULL))
				continue;
			k++;
			if (arm[i].recv == NULL) {
				ct = q->kids[0]->ty;
				c = limbo_cg_exp(g, q->kids[0], NULL);
				v = limbo_cg_expt(g, q->kids[1], ct->of, NULL);
				if (v.mode == G_IMM || limbo_cg_isind(v)) {
					GOpd x = limbo_cg_tmp(g, ct->of);
					limbo_cg_move(g, ct->of, v, x);
					v = x;
				}
			} else {
				/* a channel's element, or (index, element) from an
				 * array of channels: the type of <-c */
				LimboType *rt = arm[i].recv->ty;
				c = limbo_cg_exp(g, arm[i].recv->kids[0], NULL);
				v = limbo_cg_tmp(g, rt);
				arm[i].val = v;
				arm[i].t = rt;
			}
			limbo_cg_emit(g, DIS_OP_MOVW, c, limbo_cg_none, limbo_cg_opd(G_FP, e, 0));
			limbo_cg_emit(g, DIS_OP_LEA, v, limbo_cg_none, limbo_cg_opd(G_FP, e + 4, 0));
		}
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, nsend, 0), limbo_cg_none, limbo_cg_opd(G_FP, tab, 0));
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_IMM, nrecv, 0), limbo_cg_none, limbo_cg_opd(G_FP, tab + 4, 0));
	res = limbo_cg_tmp(g, &limbo_cg_t_int);
	limbo_cg_emit(g, wild ? DIS_OP_NBALT : DIS_OP_ALT, limbo_cg_opd(G_FP, tab, 0), limbo_cg_none, res);
	tabpc = limbo_cg_mpalloc(g, 4 * (narm + (wild ? 1 : 0)), 4);
	limbo_cg_emit(g, DIS_OP_GOTO, res, limbo_cg_none, limbo_cg_opd(G_MP, tabpc, 0));
	/* the arms, in the order written */
	limbo_cg_loop_begin(g, n);
	for (int i = 0; i < n->nkids && !g->failed; i++) {
		armpc[i] = limbo_cg_pc(g);
		for (int a = 0; a < narm; a++) {
			const LimboNode *q = arm[a].q;
			if (arm[a].clause != i || arm[a].recv == NULL || q == arm[a].recv)
				continue;
			if (q->kind == LIMBO_N_DECLAS)
				limbo_cg_declare(g, q->kids[0], arm[a].t, arm[a].val);
			else
				limbo_cg_assign_to(g, q->kids[0], arm[a].t, arm[a].val);
		}
		limbo_cg_stmt(g, n->kids[i]->kids[1]);
		if (i < n->nkids - 1)
			limbo_cg_jumps_add(g, &out, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
	}
	limbo_cg_jumps_patch(g, &out, limbo_cg_pc(g));
	limbo_cg_loop_end(g);
	if (!g->failed) {
		int64_t *w = words(g, narm + 1);
		if (w != NULL) {
			k = 0;
			for (int pass = 0; pass < 2; pass++)
				for (int i = 0; i < narm; i++)
					if ((pass == 0) == (arm[i].recv == NULL))
						w[k++] = armpc[arm[i].clause];
			if (wild)
				w[k++] = armpc[wild - 1];
			if (k > 0)
				data_words(g, tabpc, w, k);
			else
				free(w);
		}
	}
	free(arm);
	free(armpc);
}

/* Exceptions. */

/* The name an exception type is raised and caught by: Inferno's
 * "Module.0.Name". */
static const char *
exc_name(G *g, LimboDecl *d)
{
	const char *mod = g->m->name;
	char *s;
	size_t k;

	if (d->dot != NULL && d->dot->ty != NULL && d->dot->ty->kind == LIMBO_TY_MODULE)
		mod = d->dot->name;
	k = strlen(mod) + strlen(d->name) + 4;
	s = limbo_arena_alloc(&g->u->arena, k);
	if (s == NULL) {
		g->nomem = g->failed = 1;
		return d->name;
	}
	snprintf(s, k, "%s.0.%s", mod, d->name);
	return s;
}

/* A new exception value of type d (E or E(args)) in a pointer temp. */
static GOpd
exc_value(G *g, const LimboNode *n, LimboDecl *d)
{
	LimboType *t = d->ty;
	const char *name = exc_name(g, d);
	GOpd p = limbo_cg_tmpword(g, 1);
	LimboDecl *f = t->ids;

	limbo_cg_size(t);
	limbo_cg_emit(g, DIS_OP_NEW, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, t), 0), limbo_cg_none, p);
	limbo_cg_emit(g, DIS_OP_MOVP, limbo_cg_mpstring(g, name, strlen(name)), limbo_cg_none, limbo_cg_ind(p, 0));
	for (int i = 1; n->kind == LIMBO_N_CALL && i < n->nkids && !g->failed; i++) {
		if (f == NULL) {
			limbo_cg_notimpl(g, n, "exception arguments beyond its values");
			break;
		}
		limbo_cg_expt(g, n->kids[i], f->ty, &(GOpd){G_IFP, p.a, f->offset, 0, 0});
		f = f->next;
	}
	return p;
}

void
limbo_cg_raise(G *g, const LimboNode *n)
{
	const LimboNode *e = n->kids[0];
	LimboDecl *d;
	GOpd v;

	if (e == NULL) {
		if (g->nexc == 0) {
			limbo_cg_notimpl(g, n, "raise outside an exception handler");
			return;
		}
		limbo_cg_emit(g, DIS_OP_RAISE, limbo_cg_opd(G_FP, g->exc[g->nexc - 1].eoff, 0), limbo_cg_none, limbo_cg_none);
		return;
	}
	d = e->kind == LIMBO_N_CALL ? e->kids[0]->decl : e->decl;
	if (d != NULL && d->store == LIMBO_D_EXC) {
		v = exc_value(g, e, d);
	} else if (e->ty != NULL && e->ty->kind == LIMBO_TY_STRING) {
		v = limbo_cg_exp(g, e, NULL);
	} else if (e->kind == LIMBO_N_NAME && d != NULL && e->ty != NULL && e->ty->kind == LIMBO_TY_EXCEPTION) {
		/* a handler's exception: the value the handler caught */
		int k;
		for (k = g->nexc - 1; k >= 0 && g->exc[k].bound != d; k--)
			;
		if (k < 0) {
			limbo_cg_notimpl(g, n, "raise of this exception value");
			return;
		}
		v = limbo_cg_opd(G_FP, g->exc[k].eoff, 0);
	} else {
		limbo_cg_notimpl(g, n, "raise of this value");
		return;
	}
	limbo_cg_emit(g, DIS_OP_RAISE, v, limbo_cg_none, limbo_cg_none);
}

void
limbo_cg_except(G *g, const LimboNode *n)
{
	GHandler h = {0};
	GJumps out = {0};
	int eoff, nl = 0, k;
	const char **lab;
	int *labpc;

	eoff = limbo_cg_local(g, &limbo_cg_t_ptr, n);
	h.pc1 = limbo_cg_pc(g);
	limbo_cg_stmt(g, n->kids[0]);
	h.pc2 = limbo_cg_pc(g);
	limbo_cg_jumps_add(g, &out, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
	for (int i = 2; i < n->nkids; i++)
		if (n->kids[i]->kids[0] != NULL)
			nl += n->kids[i]->kids[0]->nkids;
	lab = calloc((size_t)nl + 1, sizeof *lab);
	labpc = calloc((size_t)nl + 1, sizeof *labpc);
	if (lab == NULL || labpc == NULL || g->nexc == G_MAXEXC) {
		free(lab);
		free(labpc);
		if (g->nexc == G_MAXEXC)
			limbo_cg_notimpl(g, n, "exception handlers nested this deeply");
		else
			g->nomem = g->failed = 1;
		return;
	}
	h.lab = lab;
	h.labpc = labpc;
	h.dflt = -1;
	/* exception types first, then strings, each in the order written */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 2; i < n->nkids && !g->failed; i++) {
			const LimboNode *qs = n->kids[i]->kids[0];
			for (int j = 0; qs != NULL && j < qs->nkids; j++) {
				const LimboNode *q = qs->kids[j];
				LimboConst c;
				int isexc = q->kind == LIMBO_N_NAME && q->decl != NULL && q->decl->store == LIMBO_D_EXC;
				if (q->kind == LIMBO_N_WILD || (pass == 0) != isexc)
					continue;
				if (isexc) {
					lab[h.nlab] = exc_name(g, q->decl);
					h.ne++;
				} else if (limbo_cg_fold(g, q, &c) && c.kind == LIMBO_C_STRING) {
					char *s = limbo_arena_alloc(&g->u->arena, c.len + 1);
					if (s == NULL) {
						g->nomem = g->failed = 1;
						break;
					}
					memcpy(s, c.s, c.len);
					s[c.len] = 0;
					lab[h.nlab] = s;
				} else {
					limbo_cg_notimpl(g, q, "this exception label");
					break;
				}
				labpc[h.nlab++] = i; /* the clause, for now */
			}
		}
	/* the arms; `break` in one leaves the handler (Inferno's break target),
	 * `continue` goes on with the loop around it */
	limbo_cg_loop_begin(g, n);
	for (int i = 2; i < n->nkids && !g->failed; i++) {
		const LimboNode *body = n->kids[i]->kids[1], *qs = n->kids[i]->kids[0];
		LimboDecl *d = body->decl;
		int pc = limbo_cg_pc(g);
		for (k = 0; k < h.nlab; k++)
			if (labpc[k] == i)
				labpc[k] = -pc - 1;
		for (int j = 0; qs != NULL && j < qs->nkids; j++)
			if (qs->kids[j]->kind == LIMBO_N_WILD)
				h.dflt = pc;
		g->exc[g->nexc].eoff = eoff;
		g->exc[g->nexc].bound = NULL;
		if (d != NULL) {
			LimboType *t = d->ty;
			if (t != NULL && t->kind == LIMBO_TY_EXCEPTION && t->ids != NULL) {
				/* an exception with values: a copy of it in the frame */
				d->offset = limbo_cg_local(g, t, body);
				limbo_cg_move(g, t, limbo_cg_opd(G_IFP, eoff, 0), limbo_cg_opd(G_FP, d->offset, 0));
				g->exc[g->nexc].bound = d;
			} else {
				d->offset = eoff;
				if (t != NULL && t->kind == LIMBO_TY_EXCEPTION)
					g->exc[g->nexc].bound = d;
			}
		}
		g->nexc++;
		limbo_cg_stmt(g, body);
		g->nexc--;
		if (i < n->nkids - 1)
			limbo_cg_jumps_add(g, &out, limbo_cg_branch(g, DIS_OP_JMP, limbo_cg_none, limbo_cg_none));
	}
	limbo_cg_jumps_patch(g, &out, limbo_cg_pc(g));
	limbo_cg_loop_end(g);
	for (k = 0; k < h.nlab; k++)
		labpc[k] = -labpc[k] - 1;
	h.eoff = eoff;
	h.desc = -1;
	if (g->failed) {
		free(lab);
		free(labpc);
		return;
	}
	if (g->m->nhand == g->m->caphand) {
		int nc = g->m->caphand ? g->m->caphand * 2 : 8;
		GHandler *p = realloc(g->m->hand, (size_t)nc * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			free(lab);
			free(labpc);
			return;
		}
		g->m->hand = p;
		g->m->caphand = nc;
	}
	g->m->hand[g->m->nhand++] = h;
}

/* Function values. */

static int
fnval_desc(G *g)
{
	GDesc d = {8, 0, NULL};

	limbo_cg_markptr(g, &d, 0);
	return limbo_cg_desc_intern(g, &d);
}

/* A function used as a value: a new (module, link index) pair. */
static GOpd
fnvalue(G *g, const LimboNode *n, const GOpd *dst)
{
	LimboDecl *d = n->decl;
	const LimboNode *modv = NULL;
	LimboType *mt = NULL;
	GOpd mod, p;
	uint32_t sig;
	int found, idx;

	if (d != NULL && d->store == LIMBO_D_IMPORT && d->imp != NULL) {
		modv = d->node;
		d = d->imp;
	} else if (n->kind == LIMBO_N_MDOT) {
		modv = n->kids[0];
	}
	if (d == NULL || d->store != LIMBO_D_FN || (d->dot != NULL && d->dot->ty != NULL &&
	                                             d->dot->ty->kind == LIMBO_TY_ADT)) {
		limbo_cg_notimpl(g, n, "this function as a value");
		return limbo_cg_none;
	}
	if (modv != NULL) {
		mt = d->dot != NULL ? d->dot->ty : NULL;
		if (mt == NULL || mt->kind != LIMBO_TY_MODULE || mt->decl == NULL || modv->ty == NULL) {
			limbo_cg_notimpl(g, n, "this module's function as a value");
			return limbo_cg_none;
		}
	} else {
		mt = g->impl;
		if (mt == NULL || mt->decl == NULL) {
			limbo_cg_notimpl(g, n, "a function value in a module of no name");
			return limbo_cg_none;
		}
	}
	sig = limbo_cg_sig(g, mt->decl->name, d->name, 0, &found);
	if (!found) {
		limbo_cg_notimpl(g, n, "a function value whose signature the checker did not record");
		return limbo_cg_none;
	}
	idx = limbo_cg_ldt(g, mt, d->name, sig, n);
	p = limbo_cg_tmpword(g, 1);
	limbo_cg_emit(g, DIS_OP_NEW, limbo_cg_opd(G_IMM, fnval_desc(g), 0), limbo_cg_none, p);
	if (modv != NULL)
		mod = limbo_cg_exp(g, modv, NULL);
	else
		mod = limbo_cg_self_module(g, limbo_cg_ldt(g, mt, NULL, 0, n));
	limbo_cg_emit(g, DIS_OP_MOVP, mod, limbo_cg_none, limbo_cg_ind(p, 0));
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_ldtfn(limbo_cg_ldt(g, mt, NULL, 0, n), idx), limbo_cg_none,
	              limbo_cg_ind(p, 4));
	if (dst != NULL) {
		limbo_cg_emit(g, DIS_OP_MOVP, p, limbo_cg_none, *dst);
		return *dst;
	}
	return p;
}

/* A call (or spawn) through a function value. */
static GOpd
fncall(G *g, const LimboNode *n, const GOpd *dst, int spawn)
{
	const LimboNode *f = n->kids[0];
	LimboType *fnty = f->ty, *rt;
	GOpd p, idx, fr, r;

	if (fnty == NULL && f->decl != NULL && f->decl->store == LIMBO_D_FIELD)
		fnty = f->decl->ty; /* a call through an adt's field */
	if (fnty != NULL && fnty->kind == LIMBO_TY_REF)
		fnty = fnty->of;
	if (fnty == NULL || fnty->kind != LIMBO_TY_FN) {
		limbo_cg_notimpl(g, n, "this call");
		return limbo_cg_none;
	}
	(void)limbo_fn_frame(fnty);
	rt = fnty->of;
	p = limbo_cg_base(g, limbo_cg_exp(g, f, NULL));
	idx = limbo_cg_tmpword(g, 0);
	fr = limbo_cg_tmpword(g, 0);
	limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_ind(p, 4), limbo_cg_none, idx);
	limbo_cg_emit(g, DIS_OP_MFRAME, limbo_cg_ind(p, 0), idx, fr);
	limbo_cg_store_args(g, n, 1, fnty, NULL, fr);
	if (spawn) {
		limbo_cg_emit(g, DIS_OP_MSPAWN, fr, idx, limbo_cg_ind(p, 0));
		return limbo_cg_none;
	}
	r = limbo_cg_result_slot(g, rt, dst, fr);
	limbo_cg_emit(g, DIS_OP_MCALL, fr, idx, limbo_cg_ind(p, 0));
	return limbo_cg_call_result(g, rt, r, dst);
}

GOpd
limbo_cg_fnref(G *g, const LimboNode *n, const GOpd *dst)
{
	if (n->kind == LIMBO_N_CALL)
		return fncall(g, n, dst, 0);
	return fnvalue(g, n, dst);
}
