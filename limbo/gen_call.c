/*
 * Calls: of this module's functions (frame + call), of a loaded module's
 * (mframe + mcall, or frame with a descriptor of its own for a varargs
 * function such as sys->print), and of adt member functions, whose self
 * argument is the value before the dot. The import table (ldt) is built as
 * calls are generated: Inferno's loader checks each imported function's
 * signature, and limbo imports only what is called.
 *
 * Follows: inferno-os limbo/ecom.b (callcom), the Dis VM specification
 * (frame, mframe, call, mcall; the result's address in REGRET), and
 * shared/dis-facts.md (the import section).
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"
#include "limbo/poly.h"

uint32_t
limbo_cg_sig(G *g, const char *module, const char *name, int exported, int *found)
{
	for (int i = 0; i < limbo_unit_nsigs(g->u); i++) {
		const LimboSig *s = limbo_unit_sig(g->u, i);
		if (s->exported == exported && strcmp(s->name, name) == 0 &&
		    (exported || strcmp(s->module, module) == 0)) {
			*found = 1;
			return s->sig;
		}
	}
	*found = 0;
	return 0;
}

int
limbo_cg_ldt(G *g, LimboType *mod, const char *fn, uint32_t sig, const LimboNode *at)
{
	GMod *mo = g->m;
	GImport *im = NULL;
	int i, k;

	(void)at;
	for (i = 0; i < mo->nimp; i++)
		if (mo->imp[i].mod == mod ||
		    (mo->imp[i].mod->decl != NULL && mod->decl != NULL &&
		     strcmp(mo->imp[i].mod->decl->name, mod->decl->name) == 0))
			break;
	if (i == mo->nimp) {
		if (mo->nimp == mo->capimp) {
			int nc = mo->capimp ? mo->capimp * 2 : 8;
			GImport *p = realloc(mo->imp, (size_t)nc * sizeof *p);
			if (p == NULL) {
				g->nomem = g->failed = 1;
				return 0;
			}
			mo->imp = p;
			mo->capimp = nc;
		}
		mo->imp[mo->nimp++] = (GImport){mod, NULL, 0, 0};
	}
	im = &mo->imp[i];
	if (fn == NULL)
		return i;
	for (k = 0; k < im->nfn; k++)
		if (strcmp(im->fn[k].name, fn) == 0)
			return k;
	if (im->nfn == im->capfn) {
		int nc = im->capfn ? im->capfn * 2 : 8;
		GImpFn *p = realloc(im->fn, (size_t)nc * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return 0;
		}
		im->fn = p;
		im->capfn = nc;
	}
	im->fn[im->nfn] = (GImpFn){fn, sig};
	return im->nfn++;
}

GFn *
limbo_cg_fn(G *g, LimboDecl *d)
{
	for (int i = 0; i < g->nfns; i++)
		if (g->fns[i].decl == d)
			return &g->fns[i];
	if (g->nfns == g->capfns) {
		int nc = g->capfns ? g->capfns * 2 : 32;
		GFn *p = realloc(g->fns, (size_t)nc * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return NULL;
		}
		g->fns = p;
		g->capfns = nc;
	}
	g->fns[g->nfns] = (GFn){.decl = d, .pc = -1, .desc = limbo_cg_newdesc(g, 0)};
	return &g->fns[g->nfns++];
}

GFn *
limbo_cg_ours(G *g, LimboDecl *d)
{
	for (int i = 0; i < g->nfns; i++)
		if (g->fns[i].decl == d && g->fns[i].def != NULL)
			return &g->fns[i];
	return NULL;
}

/* The module value through which an adt's member functions are called:
 * the expression of the `import` that brought the adt in, at file scope
 * or inside a function. */
static const LimboNode *
find_import(const LimboNode *n, LimboDecl *adt, int depth)
{
	if (n == NULL || depth > 200)
		return NULL;
	if (n->kind == LIMBO_N_IMPORTDECL) {
		for (int j = 0; j < n->kids[0]->nkids; j++) {
			const LimboNode *id = n->kids[0]->kids[j];
			if (id != NULL && id->decl != NULL && id->decl->imp == adt)
				return n->kids[1];
		}
		return NULL;
	}
	if (n->kind != LIMBO_N_PROGRAM && n->kind != LIMBO_N_FNDEF && n->kind != LIMBO_N_BLOCK)
		return NULL;
	for (int i = 0; i < n->nkids; i++) {
		const LimboNode *r = find_import(n->kids[i], adt, depth + 1);
		if (r != NULL)
			return r;
	}
	return NULL;
}

static const LimboNode *
adt_module_value(G *g, LimboDecl *fn)
{
	return fn->dot != NULL ? find_import(g->root, fn->dot, 0) : NULL;
}

/* The module value an import names: an expression the checker resolved
 * by name only, so it may carry no type; a global module variable. */
static GOpd
module_value(G *g, const LimboNode *m)
{
	if (m->ty != NULL)
		return limbo_cg_exp(g, m, NULL);
	if (m->kind == LIMBO_N_NAME)
		for (int i = 0; i < g->root->nkids; i++) {
			const LimboNode *n = g->root->kids[i];
			if (n == NULL || n->kind != LIMBO_N_VARDECL)
				continue;
			for (int j = 0; j < n->kids[0]->nkids; j++) {
				const LimboNode *id = n->kids[0]->kids[j];
				if (id != NULL && id->decl != NULL && id->decl->store == LIMBO_D_GLOBAL &&
				    strcmp(id->name, m->name) == 0)
					return limbo_cg_opd(G_MP, id->decl->offset, 0);
			}
		}
	limbo_cg_notimpl(g, m, "this module value in an import");
	return limbo_cg_none;
}

/* The module type a function declaration belongs to. */
static LimboType *
fn_module(LimboDecl *d)
{
	LimboDecl *o = d->dot;

	if (o != NULL && o->ty != NULL && o->ty->kind == LIMBO_TY_ADT)
		o = o->dot;
	return o != NULL && o->ty != NULL && o->ty->kind == LIMBO_TY_MODULE ? o->ty : NULL;
}

/* The name an adt's function is imported or exported under. */
static const char *
fn_name(G *g, LimboDecl *d)
{
	LimboDecl *o = d->dot;
	char *s;
	size_t n;

	if (o == NULL || o->ty == NULL || o->ty->kind != LIMBO_TY_ADT)
		return d->name;
	n = strlen(o->name) + strlen(d->name) + 2;
	s = limbo_arena_alloc(&g->u->arena, n);
	if (s == NULL)
		return d->name;
	snprintf(s, n, "%s.%s", o->name, d->name);
	return s;
}

/* Stores the arguments of call n (from kid `first`) into the frame at fr,
 * by the parameters of fnty; with self, the value of selfn goes first.
 * Varargs beyond the parameters go on at aligned offsets (*end). */
void
limbo_cg_store_args(G *g, const LimboNode *n, int first, LimboType *fnty, const LimboNode *selfn, GOpd fr)
{
	LimboDecl *p = fnty->ids;
	int off = LIMBO_MAXTEMP;

	if (selfn != NULL && p != NULL) {
		limbo_cg_expt(g, selfn, p->ty, &(GOpd){G_IFP, fr.a, p->offset, 0, 0});
		off = p->offset + limbo_cg_size(p->ty);
		p = p->next;
	}
	for (int i = first; i < n->nkids && !g->failed; i++) {
		LimboType *t = p != NULL ? p->ty : n->kids[i]->ty;
		int o;
		if (p != NULL) {
			o = p->offset;
		} else {
			if (t->kind == LIMBO_TY_NIL)
				t = n->kids[i]->ty;
			limbo_ty_size(t);
			o = (off + (t->align > 0 ? t->align : 4) - 1) / (t->align > 0 ? t->align : 4) *
			    (t->align > 0 ? t->align : 4);
		}
		limbo_cg_expt(g, n->kids[i], t, &(GOpd){G_IFP, fr.a, o, 0, 0});
		off = o + (t->size > 0 ? t->size : 4);
		if (p != NULL)
			p = p->next;
	}
}

/* A frame descriptor for a varargs call: the fixed parameters and the
 * arguments given. */
static int
varargs_desc(G *g, const LimboNode *n, int first, LimboType *fnty)
{
	GDesc d = {0, 0, NULL};
	LimboDecl *p = fnty->ids;
	int off = LIMBO_MAXTEMP;

	for (int i = first; i < n->nkids; i++) {
		LimboType *t = p != NULL ? p->ty : n->kids[i]->ty;
		int al;
		limbo_ty_size(t);
		al = t->align > 0 ? t->align : 4;
		off = p != NULL ? p->offset : (off + al - 1) / al * al;
		limbo_cg_ptrmap(g, &d, t, off);
		off += t->size > 0 ? t->size : 4;
		if (p != NULL)
			p = p->next;
	}
	d.size = (off + 7) & ~7;
	return limbo_cg_desc_intern(g, &d);
}

/*
 * Polymorphic functions with `for` constraints (Inferno: decls.b
 * addfnptrs, typecheck.b passfns, ecom.b Ofnptr). After the declared
 * arguments come two hidden words for each function each type variable
 * must have (the function's type variables, then its adt's): the module
 * the function is in (a pointer) and its index in that module's link
 * table as the caller imports it; T.f(...) is an mcall through them. The
 * caller passes an adt's function of this module through "$self" (the
 * function is exported), another module's through that module's value,
 * and its own hidden pair for a type variable of its own.
 */
static LimboDecl *
enc_polys(LimboDecl *fn)
{
	LimboDecl *o = fn != NULL ? fn->dot : NULL;

	return o != NULL && o->ty != NULL && o->ty->kind == LIMBO_TY_ADT ? o->ty->polys : NULL;
}

GOpd
limbo_cg_self_module(G *g, int ldt)
{
	GOpd path = limbo_cg_mpstring(g, "$self", 5), slot = limbo_cg_none;
	int skip;

	for (int i = 0; i < g->m->ninst; i++) {
		const GInst *in = &g->m->inst[i];
		if (in->op == DIS_OP_LOAD && limbo_cg_same(in->s, path) && in->m.mode == G_IMM && in->m.a == ldt &&
		    in->m.ldt == G_LDT_MOD && in->d.mode == G_MP) {
			slot = in->d;
			break;
		}
	}
	if (slot.mode == G_NONE) {
		slot = limbo_cg_opd(G_MP, limbo_cg_mpalloc(g, 4, 4), 0);
		limbo_cg_markptr(g, &g->m->desc[0], slot.a);
	}
	skip = limbo_cg_branch(g, DIS_OP_BNEW, slot, limbo_cg_nil(g));
	limbo_cg_emit(g, DIS_OP_LOAD, path, limbo_cg_ldtmod(ldt), slot);
	limbo_cg_patch(g, skip, limbo_cg_pc(g));
	return slot;
}

/* The frame offset of constraint function want's pair in a frame of fnty
 * (fn its declaration), -1 if it has none; with want NULL, the end of the
 * pairs. */
static int
hidden_off(LimboType *fnty, LimboDecl *fn, const LimboDecl *want)
{
	int off = (limbo_fn_frame(fnty) + 3) & ~3;
	LimboDecl *lists[2] = {fnty->polys, enc_polys(fn)};

	for (int k = 0; k < 2; k++)
		for (LimboDecl *p = lists[k]; p != NULL; p = p->next)
			for (LimboDecl *f = p->ty != NULL ? p->ty->ids : NULL; f != NULL; f = f->next) {
				if (f == want)
					return off;
				off += 8;
			}
	return want == NULL ? off : -1;
}

int
limbo_cg_hidden_args(G *g, LimboDecl *fn, LimboType *t, int end)
{
	int off = (limbo_fn_frame(t) + 3) & ~3, e = hidden_off(t, fn, NULL);

	for (; off < e; off += 8)
		limbo_cg_markptr(g, &g->m->desc[g->framedesc], off);
	return e > end ? e : end;
}

/* Stores the hidden pairs of call n (callee d of type fnty) in the frame
 * at fr. */
static void
pass_fns(G *g, const LimboNode *n, LimboDecl *d, LimboType *fnty, const LimboNode *selfn, GOpd fr)
{
	LimboDecl *lists[2] = {fnty->polys, enc_polys(d)};
	LimboBinds b;
	LimboDecl *p = fnty->ids;

	b.n = 0;
	if (selfn != NULL && selfn->ty != NULL) {
		/* a function of an instance: s.f() for s: ref Tab[ref Word] */
		LimboType *st = selfn->ty->kind == LIMBO_TY_REF ? selfn->ty->of : selfn->ty;
		if (limbo_poly_isinst(st))
			limbo_poly_instbinds(st, &b);
		if (p != NULL) {
			(void)limbo_poly_bind(p->ty, selfn->ty, &b, 0);
			p = p->next;
		}
	}
	for (int i = 1; i < n->nkids && p != NULL; i++, p = p->next)
		(void)limbo_poly_bind(p->ty, n->kids[i]->ty, &b, 0);
	for (int k = 0; k < 2 && !g->failed; k++)
		for (LimboDecl *v = lists[k]; v != NULL && !g->failed; v = v->next) {
			LimboType *bt = limbo_poly_bound(&b, v);
			const LimboDecl *argp = NULL;
			if (v->ty == NULL || v->ty->ids == NULL)
				continue;
			for (p = fnty->ids; p != NULL; p = p->next)
				if (p->ty != NULL && p->ty->kind == LIMBO_TY_POLY && p->ty->decl == v)
					argp = p;
			if (bt == NULL) {
				limbo_cg_notimpl(g, n, "a type variable with constraints bound by no argument");
				return;
			}
			for (LimboDecl *f = v->ty->ids; f != NULL && !g->failed; f = f->next) {
				int off = hidden_off(fnty, d, f);
				GOpd mslot = limbo_cg_opd(G_IFP, fr.a, off), islot = limbo_cg_opd(G_IFP, fr.a, off + 4);
				if (bt->kind == LIMBO_TY_POLY) {
					/* our own type variable: pass on our pair */
					LimboDecl *qf = limbo_member(bt, f->name);
					int qo = qf != NULL && g->fnty != NULL ? hidden_off(g->fnty, g->cur->decl, qf) : -1;
					if (qo < 0) {
						limbo_cg_notimpl(g, n, "this type variable's function");
						return;
					}
					limbo_cg_emit(g, DIS_OP_MOVP, limbo_cg_opd(G_FP, qo, 0), limbo_cg_none, mslot);
					limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_opd(G_FP, qo + 4, 0), limbo_cg_none, islot);
				} else if (bt->kind == LIMBO_TY_MODULE) {
					/* a module value: the argument itself, already in the frame */
					LimboDecl *m = limbo_member(bt, f->name);
					int found;
					uint32_t sig = 0;
					if (m != NULL && bt->decl != NULL)
						sig = limbo_cg_sig(g, bt->decl->name, m->name, 0, &found);
					if (m == NULL || bt->decl == NULL || !found || argp == NULL ||
					    argp->ty == NULL || argp->ty->kind != LIMBO_TY_POLY) {
						limbo_cg_notimpl(g, n, "this module's function for a constraint");
						return;
					}
					limbo_cg_emit(g, DIS_OP_MOVP, limbo_cg_opd(G_IFP, fr.a, argp->offset), limbo_cg_none, mslot);
					limbo_cg_emit(g, DIS_OP_MOVW,
					              limbo_cg_ldtfn(limbo_cg_ldt(g, bt, NULL, 0, n),
					                             limbo_cg_ldt(g, bt, m->name, sig, n)),
					              limbo_cg_none, islot);
				} else if (bt->kind == LIMBO_TY_REF && bt->of != NULL &&
				           (bt->of->kind == LIMBO_TY_ADT || bt->of->kind == LIMBO_TY_ADTPICK)) {
					LimboType *adt = bt->of->kind == LIMBO_TY_ADTPICK ? bt->of->of : bt->of;
					LimboDecl *m = limbo_member(bt->of, f->name);
					LimboType *mt;
					const char *name;
					int found, idx, ldt;
					uint32_t sig;
					GOpd mod;
					if (m == NULL && bt->of != adt)
						m = limbo_member(adt, f->name);
					if (m == NULL || m->store != LIMBO_D_FN) {
						limbo_cg_notimpl(g, n, "this adt's function for a constraint");
						return;
					}
					name = fn_name(g, m);
					if (limbo_cg_ours(g, m) != NULL || fn_module(m) == NULL || fn_module(m) == g->impl) {
						mt = g->impl;
						if (mt == NULL || mt->decl == NULL) {
							limbo_cg_notimpl(g, n, "a constraint in a module of no name");
							return;
						}
						sig = limbo_cg_sig(g, mt->decl->name, name, 0, &found);
						if (!found) {
							limbo_cg_notimpl(g, n, "a constraint's function the checker did not record");
							return;
						}
						idx = limbo_cg_ldt(g, mt, name, sig, n);
						ldt = limbo_cg_ldt(g, mt, NULL, 0, n);
						mod = limbo_cg_self_module(g, ldt);
					} else {
						const LimboNode *modv = adt_module_value(g, m);
						mt = fn_module(m);
						sig = limbo_cg_sig(g, mt->decl->name, name, 0, &found);
						if (modv == NULL || !found) {
							limbo_cg_notimpl(g, n, "another module's adt function for a constraint");
							return;
						}
						mod = module_value(g, modv);
						ldt = limbo_cg_ldt(g, mt, NULL, 0, n);
						idx = limbo_cg_ldt(g, mt, name, sig, n);
					}
					limbo_cg_emit(g, DIS_OP_MOVP, mod, limbo_cg_none, mslot);
					limbo_cg_emit(g, DIS_OP_MOVW, limbo_cg_ldtfn(ldt, idx), limbo_cg_none, islot);
				} else {
					limbo_cg_notimpl(g, n, "this type for a type variable with constraints");
					return;
				}
			}
		}
}

/* T.f(...) or v.f(...) for a type variable T: an mcall through the
 * function's hidden pair in this frame. */
static GOpd
poly_call(G *g, const LimboNode *n, LimboDecl *d, const GOpd *dst, int spawn)
{
	const LimboNode *f = n->kids[0], *selfn = NULL;
	LimboType *fnty = d->ty, *rt;
	int o = g->fnty != NULL && g->cur != NULL ? hidden_off(g->fnty, g->cur->decl, d) : -1;
	GOpd fr, r, mod, idx;

	if (o < 0 || fnty == NULL || fnty->kind != LIMBO_TY_FN) {
		limbo_cg_notimpl(g, n, "a call of a type variable's function outside its function");
		return limbo_cg_none;
	}
	(void)limbo_fn_frame(fnty);
	rt = fnty->of;
	if (f->kind == LIMBO_N_DOT && fnty->ids != NULL && fnty->ids->self &&
	    (f->kids[0]->decl == NULL || f->kids[0]->decl->store != LIMBO_D_TYPE))
		selfn = f->kids[0];
	mod = limbo_cg_opd(G_FP, o, 0);
	idx = limbo_cg_opd(G_FP, o + 4, 0);
	fr = limbo_cg_tmpword(g, 0);
	limbo_cg_emit(g, DIS_OP_MFRAME, mod, idx, fr);
	limbo_cg_store_args(g, n, 1, fnty, selfn, fr);
	if (spawn) {
		limbo_cg_emit(g, DIS_OP_MSPAWN, fr, idx, mod);
		return limbo_cg_none;
	}
	r = limbo_cg_result_slot(g, rt, dst, fr);
	limbo_cg_emit(g, DIS_OP_MCALL, fr, idx, mod);
	return limbo_cg_call_result(g, rt, r, dst);
}

GOpd
limbo_cg_result_slot(G *g, LimboType *rt, const GOpd *dst, GOpd fr)
{
	GOpd r;

	if (rt == NULL || rt->kind == LIMBO_TY_NONE) {
		/* the callee may still store through REGRET: point it at a temp */
		r = limbo_cg_tmpword(g, 0);
	} else {
		r = dst != NULL && !limbo_cg_isind(*dst) ? *dst : limbo_cg_tmp(g, rt);
	}
	limbo_cg_emit(g, DIS_OP_LEA, r, limbo_cg_none, limbo_cg_opd(G_IFP, fr.a, DIS_REGRET * 4));
	return r;
}

GOpd
limbo_cg_call_result(G *g, LimboType *rt, GOpd r, const GOpd *dst)
{
	if (rt == NULL || rt->kind == LIMBO_TY_NONE)
		return limbo_cg_none;
	if (dst != NULL && !limbo_cg_same(*dst, r)) {
		limbo_cg_move(g, rt, r, *dst);
		return *dst;
	}
	return r;
}

GOpd
limbo_cg_call(G *g, const LimboNode *n, const GOpd *dst)
{
	const LimboNode *f = n->kids[0], *selfn = NULL, *modv = NULL;
	LimboDecl *d = f->decl;
	LimboType *fnty, *rt;
	GOpd fr, r, modo;
	int local, spawn = g->spawn;

	g->spawn = 0; /* not the calls in the arguments */
	if (d != NULL && (d->store == LIMBO_D_TYPE || d->store == LIMBO_D_TAG || d->store == LIMBO_D_EXC))
		return limbo_cg_construct(g, n, dst);
	if (d != NULL && d->store == LIMBO_D_IMPORT && d->imp != NULL && d->imp->store == LIMBO_D_FN) {
		modv = d->node;
		d = d->imp;
	} else if (f->kind == LIMBO_N_MDOT && d != NULL && d->store == LIMBO_D_FN) {
		modv = f->kids[0];
	} else if (f->kind == LIMBO_N_DOT && d != NULL && d->store == LIMBO_D_FN) {
		if (f->kids[0]->ty != NULL && d->ty != NULL && d->ty->ids != NULL && d->ty->ids->self)
			selfn = f->kids[0];
	} else if (!(f->kind == LIMBO_N_NAME && d != NULL && d->store == LIMBO_D_FN)) {
		return limbo_cg_fnref(g, n, dst); /* a call through a function value */
	}
	if (d != NULL && d->store == LIMBO_D_FN && d->dot != NULL && d->dot->ty != NULL &&
	    d->dot->ty->kind == LIMBO_TY_POLY)
		return poly_call(g, n, d, dst, spawn);
	fnty = d->ty;
	if (fnty == NULL || fnty->kind != LIMBO_TY_FN) {
		limbo_cg_notimpl(g, n, "this call");
		return limbo_cg_none;
	}
	/* Type variables stand for reference types only (addendum.ms): one
	 * compiled body serves every instantiation, its values one word. */
	(void)limbo_fn_frame(fnty);
	rt = fnty->of;
	local = modv == NULL && limbo_cg_ours(g, d) != NULL;
	if (local && limbo_cg_inline_call(g, n, d, selfn, dst, &r))
		return r;
	if (!local && modv == NULL && f->kind == LIMBO_N_DOT) {
		modv = adt_module_value(g, d);
		if (modv == NULL) {
			limbo_cg_notimpl(g, n, "a call of an adt function without an import of its adt");
			return limbo_cg_none;
		}
	}
	if (local || (modv == NULL && f->kind == LIMBO_N_NAME)) {
		GFn *fn = limbo_cg_fn(g, d);
		if (fn == NULL)
			return limbo_cg_none;
		fr = limbo_cg_tmpword(g, 0);
		limbo_cg_emit(g, DIS_OP_FRAME, limbo_cg_opd(G_IMM, fn->desc, 0), limbo_cg_none, fr);
		limbo_cg_store_args(g, n, 1, fnty, selfn, fr);
		pass_fns(g, n, d, fnty, selfn, fr);
		r = spawn ? limbo_cg_none : limbo_cg_result_slot(g, rt, dst, fr);
		{
			int at = limbo_cg_emit(g, spawn ? DIS_OP_SPAWN : DIS_OP_CALL, fr, limbo_cg_none, limbo_cg_opd(G_IMM, fn->pc, 0));
			if (fn->pc < 0 && !g->failed) {
				if (g->nfix == g->capfix) {
					int nc = g->capfix ? g->capfix * 2 : 64;
					GFix *p = realloc(g->fix, (size_t)nc * sizeof *p);
					if (p == NULL) {
						g->nomem = g->failed = 1;
						return limbo_cg_none;
					}
					g->fix = p;
					g->capfix = nc;
				}
				g->fix[g->nfix++] = (GFix){at, fn};
			}
		}
		return limbo_cg_call_result(g, rt, r, dst);
	}
	{
		LimboType *mt = fn_module(d);
		const char *name = fn_name(g, d);
		int found, idx, ldt;
		uint32_t sig;
		if (mt == NULL || mt->decl == NULL) {
			limbo_cg_notimpl(g, n, "a call of a function of no module");
			return limbo_cg_none;
		}
		sig = limbo_cg_sig(g, mt->decl->name, name, 0, &found);
		if (!found) {
			limbo_cg_notimpl(g, n, "a call whose signature the checker did not record");
			return limbo_cg_none;
		}
		modo = limbo_cg_base(g, module_value(g, modv));
		ldt = limbo_cg_ldt(g, mt, NULL, 0, n);
		idx = limbo_cg_ldt(g, mt, name, sig, n);
		fr = limbo_cg_tmpword(g, 0);
		if (fnty->varargs)
			limbo_cg_emit(g, DIS_OP_FRAME, limbo_cg_opd(G_IMM, varargs_desc(g, n, 1, fnty), 0), limbo_cg_none, fr);
		else
			limbo_cg_emit(g, DIS_OP_MFRAME, modo, limbo_cg_ldtfn(ldt, idx), fr);
		limbo_cg_store_args(g, n, 1, fnty, selfn, fr);
		pass_fns(g, n, d, fnty, selfn, fr);
		r = spawn ? limbo_cg_none : limbo_cg_result_slot(g, rt, dst, fr);
		limbo_cg_emit(g, spawn ? DIS_OP_MSPAWN : DIS_OP_MCALL, fr, limbo_cg_ldtfn(ldt, idx), modo);
		return limbo_cg_call_result(g, rt, r, dst);
	}
}

GOpd
limbo_cg_ldtmod(int ldt)
{
	GOpd o = limbo_cg_opd(G_IMM, ldt, 0);

	o.ldt = G_LDT_MOD;
	return o;
}

GOpd
limbo_cg_ldtfn(int ldt, int k)
{
	GOpd o = limbo_cg_opd(G_IMM, k, 0);

	o.ldt = G_LDT_FN;
	o.ldtmod = ldt;
	return o;
}

/* Where function name ("f" or "Adt.f") stands in a module's interface
 * fns (its functions sorted by name, Inferno's mkiface), or -1. */
static int
iface_pos(LimboDecl **fns, int nfns, const char *name)
{
	for (int i = 0; i < nfns; i++) {
		const char *adt = fns[i]->dot != NULL && fns[i]->dot->ty != NULL &&
		                  fns[i]->dot->ty->kind == LIMBO_TY_ADT ? fns[i]->dot->name : NULL;
		size_t k = adt != NULL ? strlen(adt) : 0;
		if (adt != NULL ? strncmp(name, adt, k) == 0 && name[k] == '.' && strcmp(name + k + 1, fns[i]->name) == 0
		                : strcmp(name, fns[i]->name) == 0)
			return i;
	}
	return -1;
}

/* The new place of each of names[0..n) (sorted into perm): first those in
 * the interface, in its order; then the others (functions of this module
 * used as values, which Inferno's addiface appends), sorted by name. */
static void
iface_order(LimboType *mt, const char *const *names, int n, int *perm)
{
	LimboDecl *fns[LIMBO_MAX_IFACE];
	int nfns = mt != NULL ? limbo_iface(mt, LIMBO_D_FN, fns, LIMBO_MAX_IFACE) : 0;
	int *rank = calloc((size_t)n + 1, sizeof *rank);

	for (int k = 0; k < n; k++) {
		int p = strcmp(names[k], ".mp") == 0 ? -1 : iface_pos(fns, nfns, names[k]);
		if (p == -1 && names[k][0] == '.')
			p = -2; /* the data first */
		else if (p < 0 && rank != NULL) {
			p = nfns;
			for (int j = 0; j < n; j++)
				if (iface_pos(fns, nfns, names[j]) < 0 && strcmp(names[j], ".mp") != 0 &&
				    strcmp(names[j], names[k]) < 0)
					p++;
		}
		if (rank != NULL)
			rank[k] = p;
	}
	for (int k = 0; k < n; k++) {
		int r = 0;
		for (int j = 0; rank != NULL && j < n; j++)
			if (rank[j] < rank[k] || (rank[j] == rank[k] && j < k))
				r++;
		perm[k] = rank != NULL ? r : k;
	}
	free(rank);
}

static int
linkall(G *g, const char *mod)
{
	for (int i = 0; i < g->u->nlinkall; i++)
		if (strcmp(g->u->linkall[i], mod) == 0)
			return 1;
	return 0;
}

void
limbo_cg_ldt_order(G *g)
{
	GMod *mo = g->m;
	int n = mo->nimp, *modnew, **fnnew, *loaded = NULL, nloaded = 0, unloaded = 0;
	GImport *imp;

	/* A module imported whole: every function of its interface. This
	 * module loading itself ("$self") imports all it exports (Inferno's
	 * typecheck references every member of the implemented module). */
	for (int i = 0; i < n; i++) {
		const char *name = mo->imp[i].mod->decl != NULL ? mo->imp[i].mod->decl->name : NULL;
		int self = name != NULL && g->impl != NULL && g->impl->decl != NULL &&
		           strcmp(g->impl->decl->name, name) == 0;
		if (name == NULL || (!self && !linkall(g, name)))
			continue;
		for (int k = 0; k < limbo_unit_nsigs(g->u); k++) {
			const LimboSig *s = limbo_unit_sig(g->u, k);
			if (s->exported == self && (self || strcmp(s->module, name) == 0))
				(void)limbo_cg_ldt(g, mo->imp[i].mod, s->name, s->sig, NULL);
		}
	}
	modnew = calloc((size_t)n + 1, sizeof *modnew);
	fnnew = calloc((size_t)n + 1, sizeof *fnnew);
	imp = calloc((size_t)n + 1, sizeof *imp);
	if (modnew == NULL || fnnew == NULL || imp == NULL) {
		g->nomem = g->failed = 1;
		goto out;
	}
	/* Only a module this one loads has an entry (the .m.NAME global
	 * Inferno's load makes): one reached through a value another module
	 * loaded is called by its place in its whole interface. */
	loaded = calloc((size_t)n + 1, sizeof *loaded);
	if (loaded == NULL) {
		g->nomem = g->failed = 1;
		goto out;
	}
	for (int i = 0; i < mo->ninst; i++)
		if (mo->inst[i].op == DIS_OP_LOAD && mo->inst[i].m.ldt == G_LDT_MOD && mo->inst[i].m.a >= 0 &&
		    mo->inst[i].m.a < n)
			loaded[mo->inst[i].m.a] = 1;
	for (int i = 0; i < n; i++)
		nloaded += loaded[i];
	/* the modules by name (Inferno sorts the .m.NAME globals) */
	for (int i = 0; i < n; i++) {
		const char *a = mo->imp[i].mod->decl != NULL ? mo->imp[i].mod->decl->name : "";
		int r = 0;
		for (int j = 0; j < n; j++) {
			const char *b = mo->imp[j].mod->decl != NULL ? mo->imp[j].mod->decl->name : "";
			int c = strcmp(b, a);
			if (loaded[j] && (c < 0 || (c == 0 && j < i)))
				r++;
		}
		modnew[i] = loaded[i] ? r : nloaded + unloaded++;
	}
	for (int i = 0; i < n; i++) {
		GImport *im = &mo->imp[i];
		const char **names = calloc((size_t)im->nfn + 1, sizeof *names);
		GImpFn *fn = calloc((size_t)im->nfn + 1, sizeof *fn);

		fnnew[i] = calloc((size_t)im->nfn + 1, sizeof **fnnew);
		if (fnnew[i] == NULL || names == NULL || fn == NULL) {
			free(names);
			free(fn);
			g->nomem = g->failed = 1;
			goto out;
		}
		for (int k = 0; k < im->nfn; k++)
			names[k] = im->fn[k].name;
		iface_order(im->mod, names, im->nfn, fnnew[i]);
		for (int k = 0; k < im->nfn; k++)
			fn[fnnew[i][k]] = im->fn[k];
		memcpy(im->fn, fn, (size_t)im->nfn * sizeof *fn);
		free(fn);
		free(names);
		imp[modnew[i]] = *im;
	}
	memcpy(mo->imp, imp, (size_t)n * sizeof *imp);
	for (int i = nloaded; i < n; i++)
		free(mo->imp[i].fn);
	mo->nimp = nloaded;
	for (int i = 0; i < mo->ninst; i++) {
		GOpd *o[3] = {&mo->inst[i].s, &mo->inst[i].m, &mo->inst[i].d};
		for (int k = 0; k < 3; k++) {
			if (o[k]->ldt == G_LDT_MOD && o[k]->a >= 0 && o[k]->a < n)
				o[k]->a = modnew[o[k]->a];
			else if (o[k]->ldt == G_LDT_FN && o[k]->ldtmod >= 0 && o[k]->ldtmod < n && o[k]->a >= 0 &&
			         o[k]->a < imp[modnew[o[k]->ldtmod]].nfn)
				o[k]->a = fnnew[o[k]->ldtmod][o[k]->a];
			o[k]->ldt = 0;
		}
	}
out:
	for (int i = 0; fnnew != NULL && i < n; i++)
		free(fnnew[i]);
	free(fnnew);
	free(modnew);
	free(imp);
	free(loaded);
}

void
limbo_cg_link_order(G *g)
{
	GMod *mo = g->m;
	int found;
	uint32_t mpsig = limbo_cg_sig(g, NULL, ".mp", 1, &found);

	/* the module's data, if it has any: ".mp", no pc, no frame */
	if (found) {
		GLink *p = realloc(mo->link, (size_t)(mo->nlink + 1) * sizeof *p);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return;
		}
		mo->link = p;
		mo->caplink = mo->nlink + 1;
		mo->link[mo->nlink++] = (GLink){".mp", -1, -1, mpsig};
	}
	const char **names = calloc((size_t)mo->nlink + 1, sizeof *names);
	int *perm = calloc((size_t)mo->nlink + 1, sizeof *perm);
	GLink *l = calloc((size_t)mo->nlink + 1, sizeof *l);

	if (names == NULL || perm == NULL || l == NULL) {
		g->nomem = g->failed = 1;
	} else {
		for (int k = 0; k < mo->nlink; k++)
			names[k] = mo->link[k].name;
		iface_order(g->impl, names, mo->nlink, perm);
		for (int k = 0; k < mo->nlink; k++)
			l[perm[k]] = mo->link[k];
		memcpy(mo->link, l, (size_t)mo->nlink * sizeof *l);
	}
	free(names);
	free(perm);
	free(l);
}
