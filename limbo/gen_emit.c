/*
 * The generator's machinery: instructions and branches, operands, type
 * descriptors and moves by type, frame temporaries, module data, and
 * constant folding.
 *
 * Follows: the Dis VM specification (doc/dis.ms: operand modes, the move
 * instructions, type descriptors); inferno-os limbo/gen.b (temporaries are
 * per statement) and optim.b; limbo.ms for constant expressions.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

const GOpd limbo_cg_none = {G_NONE, 0, 0, 0, 0};

/* Grows a malloc'd array to hold one more element. */
static int
grow(G *g, void **p, int n, int *cap, size_t sz)
{
	void *np;
	int nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	np = realloc(*p, (size_t)nc * sz);
	if (np == NULL) {
		g->nomem = g->failed = 1;
		return -1;
	}
	*p = np;
	*cap = nc;
	return 0;
}

GOpd
limbo_cg_opd(int mode, int32_t a, int32_t b)
{
	GOpd o = {mode, a, b, 0, 0};
	return o;
}

int
limbo_cg_pc(G *g)
{
	return g->m->ninst;
}

/* Arithmetic whose middle operand may be left out when it is the
 * destination (d = d op s), as Inferno's compiler writes it. */
static int
twoform(int op)
{
	switch (op) {
	case DIS_OP_ADDB: case DIS_OP_ADDW: case DIS_OP_ADDL: case DIS_OP_ADDF: case DIS_OP_ADDC:
	case DIS_OP_SUBB: case DIS_OP_SUBW: case DIS_OP_SUBL: case DIS_OP_SUBF:
	case DIS_OP_MULB: case DIS_OP_MULW: case DIS_OP_MULL: case DIS_OP_MULF:
	case DIS_OP_DIVB: case DIS_OP_DIVW: case DIS_OP_DIVL: case DIS_OP_DIVF:
	case DIS_OP_MODB: case DIS_OP_MODW: case DIS_OP_MODL:
	case DIS_OP_ANDB: case DIS_OP_ANDW: case DIS_OP_ANDL:
	case DIS_OP_ORB: case DIS_OP_ORW: case DIS_OP_ORL:
	case DIS_OP_XORB: case DIS_OP_XORW: case DIS_OP_XORL:
	case DIS_OP_SHLB: case DIS_OP_SHLW: case DIS_OP_SHLL:
	case DIS_OP_SHRB: case DIS_OP_SHRW: case DIS_OP_SHRL:
	case DIS_OP_LSRW: case DIS_OP_LSRL: case DIS_OP_EXPW: case DIS_OP_EXPL: case DIS_OP_EXPF:
		return 1;
	}
	return 0;
}

int
limbo_cg_emit(G *g, int op, GOpd s, GOpd m, GOpd d)
{
	GMod *mo = g->m;

	if (twoform(op) && limbo_cg_same(m, d))
		m = limbo_cg_none;
	if (grow(g, (void **)&mo->inst, mo->ninst, &mo->capinst, sizeof *mo->inst) < 0)
		return 0;
	mo->inst[mo->ninst] = (GInst){op, s, m, d};
	return mo->ninst++;
}

int
limbo_cg_branch(G *g, int op, GOpd s, GOpd m)
{
	return limbo_cg_emit(g, op, s, m, limbo_cg_opd(G_IMM, -1, 0));
}

void
limbo_cg_patch(G *g, int at, int pc)
{
	if (at >= 0 && at < g->m->ninst)
		g->m->inst[at].d = limbo_cg_opd(G_IMM, pc, 0);
}

void
limbo_cg_jumps_add(G *g, GJumps *j, int at)
{
	if (grow(g, (void **)&j->at, j->n, &j->cap, sizeof *j->at) == 0)
		j->at[j->n++] = at;
}

void
limbo_cg_jumps_patch(G *g, GJumps *j, int pc)
{
	for (int i = 0; i < j->n; i++)
		limbo_cg_patch(g, j->at[i], pc);
	free(j->at);
	*j = (GJumps){0};
}

void
limbo_cg_notimpl(G *g, const LimboNode *n, const char *what)
{
	if (g->failed)
		return;
	limbo_diag(g->u, n->file, n->line, "not implemented yet: %s", what);
	g->failed = 1;
}

void
limbo_cg_error(G *g, const LimboNode *n, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (g->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	limbo_diag(g->u, n->file, n->line, "%s", buf);
	g->failed = 1;
}

int
limbo_cg_same(GOpd a, GOpd b)
{
	return a.mode == b.mode && a.a == b.a && (a.b == b.b || (a.mode != G_IMP && a.mode != G_IFP));
}

int
limbo_cg_isind(GOpd o)
{
	return o.mode == G_IMP || o.mode == G_IFP;
}

GOpd
limbo_cg_ind(GOpd p, int off)
{
	return limbo_cg_opd(p.mode == G_MP ? G_IMP : G_IFP, p.a, off);
}

GOpd
limbo_cg_offset(GOpd o, int off)
{
	if (o.mode == G_IMP || o.mode == G_IFP)
		o.b += off;
	else
		o.a += off;
	return o;
}

/* Types. */

int
limbo_cg_isptr(const LimboType *t)
{
	return t != NULL && limbo_ty_isptr(t) && t->kind != LIMBO_TY_EXCEPTION;
}

int
limbo_cg_size(LimboType *t)
{
	limbo_ty_size(t);
	return t->size;
}

int
limbo_cg_movop(const LimboType *t)
{
	switch (t->kind) {
	case LIMBO_TY_BYTE: return DIS_OP_MOVB;
	case LIMBO_TY_INT: case LIMBO_TY_FIXED: return DIS_OP_MOVW;
	case LIMBO_TY_BIG: return DIS_OP_MOVL;
	case LIMBO_TY_REAL: return DIS_OP_MOVF;
	case LIMBO_TY_ADT: case LIMBO_TY_ADTPICK: case LIMBO_TY_TUPLE: case LIMBO_TY_EXCEPTION:
		return DIS_OP_MOVM;
	default: return DIS_OP_MOVP;
	}
}

void
limbo_cg_markptr(G *g, GDesc *d, int off)
{
	int w = off / 4, need = w / 8 + 1;

	if (need > d->nmap) {
		int nn = need * 2;
		uint8_t *p = realloc(d->map, (size_t)nn);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return;
		}
		memset(p + d->nmap, 0, (size_t)(nn - d->nmap));
		d->map = p;
		d->nmap = nn;
	}
	d->map[w / 8] |= (uint8_t)(0x80 >> (w % 8));
}

void
limbo_cg_ptrmap(G *g, GDesc *d, LimboType *t, int off)
{
	if (t == NULL)
		return;
	switch (t->kind) {
	case LIMBO_TY_ADT: case LIMBO_TY_TUPLE: case LIMBO_TY_ADTPICK: case LIMBO_TY_EXCEPTION:
		limbo_ty_size(t);
		if (t->kind == LIMBO_TY_ADTPICK && t->of != NULL)
			limbo_cg_ptrmap(g, d, t->of, off);
		if (t->kind == LIMBO_TY_EXCEPTION)
			limbo_cg_markptr(g, d, off); /* the exception's name */
		for (LimboDecl *f = t->ids; f != NULL; f = f->next)
			if (f->store == LIMBO_D_FIELD && f->ty != NULL)
				limbo_cg_ptrmap(g, d, f->ty, off + f->offset);
		return;
	default:
		if (limbo_cg_isptr(t))
			limbo_cg_markptr(g, d, off);
	}
}

int
limbo_cg_newdesc(G *g, int size)
{
	GMod *mo = g->m;

	if (grow(g, (void **)&mo->desc, mo->ndesc, &mo->capdesc, sizeof *mo->desc) < 0)
		return 0;
	mo->desc[mo->ndesc] = (GDesc){size, 0, NULL};
	return mo->ndesc++;
}

static int
mapbytes(const GDesc *d)
{
	int n = 0;

	for (int i = 0; i < d->nmap; i++)
		if (d->map[i] != 0)
			n = i + 1;
	return n;
}

int
limbo_cg_typemaps_equal(const GDesc *a, const GDesc *b)
{
	int n = mapbytes(a);

	return a->size == b->size && n == mapbytes(b) && (n == 0 || memcmp(a->map, b->map, (size_t)n) == 0);
}

int
limbo_cg_desc_intern(G *g, GDesc *d)
{
	int id;

	/* module data ($0) and frames are descriptors of their own */
	for (int i = 1; i < g->m->ndesc; i++) {
		int isframe = i == g->framedesc;
		for (int k = 0; k < g->nfns && !isframe; k++)
			isframe = g->fns[k].desc == i;
		if (!isframe && limbo_cg_typemaps_equal(&g->m->desc[i], d)) {
			free(d->map);
			return i;
		}
	}
	id = limbo_cg_newdesc(g, d->size);
	if (!g->failed) {
		g->m->desc[id].map = d->map;
		g->m->desc[id].nmap = d->nmap;
	} else {
		free(d->map);
	}
	return id;
}

int
limbo_cg_tydesc(G *g, LimboType *t)
{
	GDesc d = {limbo_cg_size(t), 0, NULL};

	limbo_cg_ptrmap(g, &d, t, 0);
	return limbo_cg_desc_intern(g, &d);
}

int
limbo_cg_hasptrs(G *g, LimboType *t)
{
	GDesc d = {0, 0, NULL};
	int n;

	limbo_cg_ptrmap(g, &d, t, 0);
	n = mapbytes(&d);
	free(d.map);
	return n > 0;
}

void
limbo_cg_move(G *g, LimboType *t, GOpd s, GOpd d)
{
	int op;

	if (limbo_cg_same(s, d) || d.mode == G_NONE || g->failed)
		return;
	op = limbo_cg_movop(t);
	if (op != DIS_OP_MOVM) {
		limbo_cg_emit(g, op, s, limbo_cg_none, d);
		return;
	}
	if (limbo_cg_size(t) == 0)
		return;
	if (limbo_cg_hasptrs(g, t))
		limbo_cg_emit(g, DIS_OP_MOVMP, s, limbo_cg_opd(G_IMM, limbo_cg_tydesc(g, t), 0), d);
	else
		limbo_cg_emit(g, DIS_OP_MOVM, s, limbo_cg_opd(G_IMM, limbo_cg_size(t), 0), d);
}

/* Frame slots. */

static int
frame_alloc(G *g, int size, int align)
{
	int off;

	if (align < 4)
		align = size >= 4 ? 4 : 1;
	off = (g->frameoff + align - 1) / align * align;
	g->frameoff = off + size;
	return off;
}

int
limbo_cg_local(G *g, LimboType *t, const LimboNode *at)
{
	int off;

	(void)at;
	limbo_ty_size(t);
	off = frame_alloc(g, t->size > 0 ? t->size : 4, t->align > 0 ? t->align : 4);
	limbo_cg_ptrmap(g, &g->m->desc[g->framedesc], t, off);
	return off;
}

static uint32_t
ptrprint(G *g, LimboType *t)
{
	GDesc d = {0, 0, NULL};
	uint32_t h = 2166136261u;

	limbo_cg_ptrmap(g, &d, t, 0);
	for (int i = 0; i < mapbytes(&d); i++)
		h = (h ^ d.map[i]) * 16777619u;
	free(d.map);
	return h;
}

GOpd
limbo_cg_tmp(G *g, LimboType *t)
{
	int size = limbo_cg_size(t), i;
	uint32_t pp;
	GTmp *x;

	if (size <= 0)
		size = 4;
	if (size < 4 && t->kind != LIMBO_TY_BYTE)
		size = 4;
	pp = ptrprint(g, t);
	for (i = 0; i < g->ntmp; i++)
		if (!g->tmp[i].busy && g->tmp[i].size == size && g->tmp[i].ptrs == pp)
			break;
	if (i == g->ntmp) {
		if (grow(g, (void **)&g->tmp, g->ntmp, &g->captmp, sizeof *g->tmp) < 0)
			return limbo_cg_opd(G_FP, DIS_MAXTEMP, 0);
		x = &g->tmp[g->ntmp++];
		x->size = size;
		x->ptrs = pp;
		x->t = t;
		x->off = frame_alloc(g, size, t->align > 0 ? t->align : 4);
		limbo_cg_ptrmap(g, &g->m->desc[g->framedesc], t, x->off);
	}
	x = &g->tmp[i];
	x->busy = 1;
	if (grow(g, (void **)&g->busy, g->nbusy, &g->capbusy, sizeof *g->busy) == 0)
		g->busy[g->nbusy++] = i;
	return limbo_cg_opd(G_FP, x->off, 0);
}

LimboType limbo_cg_t_int = {.kind = LIMBO_TY_INT, .size = 4, .align = 4};
LimboType limbo_cg_t_ptr = {.kind = LIMBO_TY_STRING, .size = 4, .align = 4};

GOpd
limbo_cg_tmpword(G *g, int ptr)
{
	return limbo_cg_tmp(g, ptr ? &limbo_cg_t_ptr : &limbo_cg_t_int);
}

int
limbo_cg_tmpmark(G *g)
{
	return g->nbusy;
}

int
limbo_cg_tmp_since(G *g, int mark, GOpd o)
{
	if (o.mode != G_FP)
		return 0;
	for (int i = mark; i < g->nbusy; i++)
		if (g->tmp[g->busy[i]].off == o.a)
			return 1;
	return 0;
}

/* Released temporaries that hold references are set to nil, as Inferno's
 * compiler does: the last reference going is what closes a file or frees
 * a big structure, and programs rely on when that happens. */
void
limbo_cg_tmprelease(G *g, int mark)
{
	while (g->nbusy > mark) {
		GTmp *x = &g->tmp[g->busy[--g->nbusy]];
		GDesc d = {0, 0, NULL};
		x->busy = 0;
		if (g->failed)
			continue;
		limbo_cg_ptrmap(g, &d, x->t, 0);
		for (int i = 0; i < d.nmap * 8; i++)
			if (d.map[i / 8] & (0x80 >> (i % 8)))
				limbo_cg_emit(g, DIS_OP_MOVP, limbo_cg_nil(g), limbo_cg_none, limbo_cg_opd(G_FP, x->off + 4 * i, 0));
		free(d.map);
	}
}

GOpd
limbo_cg_direct(G *g, LimboType *t, GOpd o)
{
	GOpd x;

	if (!limbo_cg_isind(o))
		return o;
	x = limbo_cg_tmp(g, t);
	limbo_cg_move(g, t, o, x);
	return x;
}

GOpd
limbo_cg_base(G *g, GOpd o)
{
	GOpd x;

	if (o.mode == G_FP || o.mode == G_MP)
		return o;
	x = limbo_cg_tmpword(g, 1);
	limbo_cg_emit(g, DIS_OP_MOVP, o, limbo_cg_none, x);
	return x;
}

/* Module data. */

void
limbo_cg_data(G *g, GData d)
{
	GMod *mo = g->m;
	GData *p = mo->ndata > 0 ? &mo->data[mo->ndata - 1] : NULL;

	/* runs of bytes or words in an array's initial value: one item */
	if (d.nested && p != NULL && p->nested && p->kind == d.kind && d.len == 1 &&
	    (d.kind == GD_BYTES || d.kind == GD_WORDS) &&
	    d.off == p->off + (int)p->len * (d.kind == GD_BYTES ? 1 : 4)) {
		int64_t *w = realloc(p->w, (p->len + 1) * sizeof *w);
		if (w == NULL) {
			g->nomem = g->failed = 1;
		} else {
			w[p->len++] = d.w[0];
			p->w = w;
		}
		free(d.w);
		return;
	}
	if (grow(g, (void **)&mo->data, mo->ndata, &mo->capdata, sizeof *mo->data) == 0)
		mo->data[mo->ndata++] = d;
	else
		free(d.w);
}

int
limbo_cg_mpalloc(G *g, int size, int align)
{
	int off = (g->m->mpsize + align - 1) / align * align;

	g->m->mpsize = off + size;
	return off;
}

GOpd
limbo_cg_nil(G *g)
{
	if (g->nilmp < 0) {
		g->nilmp = limbo_cg_mpalloc(g, 4, 4);
		limbo_cg_markptr(g, &g->m->desc[0], g->nilmp);
	}
	return limbo_cg_opd(G_MP, g->nilmp, 0);
}

/* Is the data item a shareable constant equal to want (one word for
 * WORDS)? Globals' initial values and tables are never shared. */
static int
same_const(const GData *a, const GData *want, int64_t word)
{
	if (a->isvar || a->kind != want->kind)
		return 0;
	switch (want->kind) {
	case GD_STRING: return a->len == want->len && memcmp(a->s, want->s, want->len) == 0;
	case GD_REAL: return memcmp(&a->r, &want->r, sizeof a->r) == 0;
	case GD_BIG: return a->v == want->v;
	case GD_WORDS: return a->len == 1 && a->w[0] == word;
	}
	return 0;
}

/* The mp operand of constant want, shared by every use of the value. */
static GOpd
mpconst(G *g, GData want, int64_t word)
{
	GMod *mo = g->m;

	for (int i = 0; i < mo->ndata; i++)
		if (same_const(&mo->data[i], &want, word))
			return limbo_cg_opd(G_MP, mo->data[i].off, 0);
	return limbo_cg_none;
}

GOpd
limbo_cg_mpstring(G *g, const char *s, size_t len)
{
	GData d = {.kind = GD_STRING, .s = s, .len = len};
	GOpd o;

	if (len == 0)
		return limbo_cg_nil(g);
	if ((o = mpconst(g, d, 0)).mode != G_NONE)
		return o;
	d.off = limbo_cg_mpalloc(g, 4, 4);
	limbo_cg_markptr(g, &g->m->desc[0], d.off);
	limbo_cg_data(g, d);
	return limbo_cg_opd(G_MP, d.off, 0);
}

/* A real or big constant: 8 bytes, 8-aligned. */
static GOpd
mpconst8(G *g, GData d)
{
	GOpd o = mpconst(g, d, 0);

	if (o.mode != G_NONE)
		return o;
	d.off = limbo_cg_mpalloc(g, 8, 8);
	limbo_cg_data(g, d);
	return limbo_cg_opd(G_MP, d.off, 0);
}

GOpd
limbo_cg_mpreal(G *g, double r)
{
	return mpconst8(g, (GData){.kind = GD_REAL, .r = r});
}

GOpd
limbo_cg_mpbig(G *g, int64_t v)
{
	return mpconst8(g, (GData){.kind = GD_BIG, .v = v});
}

static GOpd
mpwords(G *g, const int64_t *w, int n, int isvar)
{
	int off = limbo_cg_mpalloc(g, 4 * n, 4);
	int64_t *c = malloc((size_t)(n > 0 ? n : 1) * sizeof *c);

	if (c == NULL) {
		g->nomem = g->failed = 1;
		return limbo_cg_opd(G_MP, off, 0);
	}
	memcpy(c, w, (size_t)n * sizeof *c);
	limbo_cg_data(g, (GData){.kind = GD_WORDS, .off = off, .w = c, .len = (size_t)n, .isvar = isvar});
	return limbo_cg_opd(G_MP, off, 0);
}

/* Tables (case, goto) are patched after they are made: never shared. */
GOpd
limbo_cg_mpwords(G *g, const int64_t *w, int n)
{
	return mpwords(g, w, n, 1);
}

GOpd
limbo_cg_mpword(G *g, int32_t w)
{
	GOpd o = mpconst(g, (GData){.kind = GD_WORDS}, w);
	int64_t v = w;

	return o.mode != G_NONE ? o : mpwords(g, &v, 1, 0);
}

/* Constants. */

int
limbo_cg_fold(G *g, const LimboNode *n, LimboConst *c)
{
	return limbo_fold(&g->u->arena, n, c);
}

GOpd
limbo_cg_constopd(G *g, const LimboConst *c, LimboType *t)
{
	int k = t != NULL ? t->kind : LIMBO_TY_INT;

	switch (c->kind) {
	case LIMBO_C_STRING:
		return limbo_cg_mpstring(g, c->s, c->len);
	case LIMBO_C_REAL:
		if (k == LIMBO_TY_INT || k == LIMBO_TY_BYTE || k == LIMBO_TY_BIG) {
			LimboConst i = {LIMBO_C_INT, (int64_t)(c->r < 0 ? c->r - 0.5 : c->r + 0.5), 0, NULL, 0};
			return limbo_cg_constopd(g, &i, t);
		}
		return limbo_cg_mpreal(g, c->r);
	case LIMBO_C_INT:
		if (k == LIMBO_TY_REAL)
			return limbo_cg_mpreal(g, (double)c->i);
		if (k == LIMBO_TY_BIG)
			return limbo_cg_mpbig(g, c->i);
		if (k == LIMBO_TY_BYTE)
			return limbo_cg_opd(G_IMM, (uint8_t)c->i, 0);
		{
			int32_t w = (int32_t)(uint32_t)c->i;
			if (w >= -(1 << 29) && w < (1 << 29))
				return limbo_cg_opd(G_IMM, w, 0);
			return limbo_cg_mpword(g, w);
		}
	}
	return limbo_cg_nil(g);
}
