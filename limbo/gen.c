/*
 * Code generation for a checked unit: module data for the globals (with
 * their constant initial values), every function of the file in order,
 * the links (exports) of the implemented module's functions and of the
 * functions of its adts, and the entry point (init).
 *
 * A construct the generator does not handle is a "not implemented yet"
 * diagnostic, never wrong code.
 *
 * Follows: inferno-os limbo/gen.b and com.b (frames: registers and
 * temporaries below MaxTemp, then arguments, then locals); the object file
 * as shared/dis-facts.md describes it.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

static void
global(G *g, LimboDecl *d, const LimboNode *init)
{
	LimboType *t = d->ty;

	limbo_ty_size(t);
	d->offset = limbo_cg_mpalloc(g, t->size > 0 ? t->size : 4, t->align > 0 ? t->align : 4);
	limbo_cg_ptrmap(g, &g->m->desc[0], t, d->offset);
	if (init != NULL && !limbo_cg_global_init(g, init, t, d->offset))
		limbo_cg_error(g, init, "initializer of global %s is not a constant expression", d->name);
}

void
limbo_cg_modvars(LimboType *mod)
{
	LimboDecl *vars[LIMBO_MAX_IFACE];
	int off = 0, n = limbo_iface(mod, LIMBO_D_GLOBAL, vars, LIMBO_MAX_IFACE);

	/* sorted by name, as Inferno's modglobals lays them out (its
	 * interface is name-sorted), so a module built by either compiler
	 * finds another's variables where they are */
	for (int i = 0; i < n; i++) {
		LimboDecl *d = vars[i];
		int al;
		limbo_ty_size(d->ty);
		al = d->ty->align > 0 ? d->ty->align : 4;
		off = (off + al - 1) / al * al;
		d->offset = off;
		off += d->ty->size > 0 ? d->ty->size : 4;
	}
}

static void
globals(G *g)
{
	/* the implemented module's own variables come first, where its
	 * importers find them */
	if (g->impl != NULL) {
		limbo_cg_modvars(g->impl);
		for (LimboDecl *d = g->impl->ids; d != NULL; d = d->next)
			if (d->store == LIMBO_D_GLOBAL && d->ty != NULL) {
				int end = d->offset + (d->ty->size > 0 ? d->ty->size : 4);
				if (end > g->m->mpsize)
					g->m->mpsize = end;
				limbo_cg_ptrmap(g, &g->m->desc[0], d->ty, d->offset);
			}
	}
	for (int i = 0; i < g->root->nkids && !g->failed; i++) {
		const LimboNode *n = g->root->kids[i];
		if (n == NULL)
			continue;
		if (n->kind == LIMBO_N_VARDECL) {
			for (int j = 0; j < n->kids[0]->nkids; j++) {
				const LimboNode *id = n->kids[0]->kids[j];
				if (id != NULL && id->decl != NULL && id->decl->store == LIMBO_D_GLOBAL)
					global(g, id->decl, n->kids[2]);
			}
		} else if (n->kind == LIMBO_N_DECLAS) {
			const LimboNode *l = n->kids[0];
			if (l->kind != LIMBO_N_NAME || l->decl == NULL) {
				limbo_cg_notimpl(g, n, "global := of several names");
				return;
			}
			global(g, l->decl, n->kids[1]);
		}
	}
	/* `name = value;` at file scope: the initial value of a variable
	 * declared before (in the module, say), once every one has its place */
	for (int i = 0; i < g->root->nkids && !g->failed; i++) {
		const LimboNode *n = g->root->kids[i], *l;
		if (n == NULL || n->kind != LIMBO_N_ASSIGN)
			continue;
		l = n->kids[0];
		if (n->op != LIMBO_T_ASSIGN || l->kind != LIMBO_N_NAME || l->decl == NULL ||
		    l->decl->store != LIMBO_D_GLOBAL) {
			limbo_cg_notimpl(g, n, "this assignment at file scope");
			return;
		}
		if (!limbo_cg_global_init(g, n->kids[1], l->decl->ty, l->decl->offset))
			limbo_cg_error(g, n->kids[1], "initializer of global %s is not a constant expression", l->decl->name);
	}
}

/* Is the function d exported: a member of the implemented module, or of
 * an adt declared in it? */
static int
exported(G *g, LimboDecl *d)
{
	LimboDecl *o = d->dot, *m;

	if (g->impl == NULL)
		return 0;
	if (o == NULL) {
		/* a function at file scope: exported when the module declares it */
		m = limbo_member(g->impl, d->name);
		if (m != NULL && m->store == LIMBO_D_FN)
			return 1;
		/* or used as a value: the checker exported it (gen_ctl.c) */
		int found;
		(void)limbo_cg_sig(g, NULL, d->name, 1, &found);
		return found;
	}
	if (o->ty != NULL && o->ty->kind == LIMBO_TY_ADT) {
		if (o->dot == NULL) {
			/* a file-scope adt's function passed for a constraint:
			 * the checker exported it (gen_call.c) */
			char s[256];
			int found;
			snprintf(s, sizeof s, "%s.%s", o->name, d->name);
			(void)limbo_cg_sig(g, NULL, s, 1, &found);
			return found;
		}
		o = o->dot;
	}
	return o != NULL && o->ty == g->impl;
}

static void
function(G *g, GFn *fn)
{
	const LimboNode *n = fn->def;
	LimboType *t = n->ty;
	int end;

	if (t == NULL || t->kind != LIMBO_TY_FN) {
		limbo_cg_notimpl(g, n, "a function the checker did not type");
		return;
	}
	fn->pc = limbo_cg_pc(g);
	if (g->m->nfnstart == g->m->capfnstart) {
		int nc = g->m->capfnstart ? g->m->capfnstart * 2 : 32;
		void *p = realloc(g->m->fnstart, (size_t)nc * sizeof *g->m->fnstart);
		if (p == NULL) {
			g->nomem = g->failed = 1;
			return;
		}
		g->m->fnstart = p;
		g->m->capfnstart = nc;
	}
	g->m->fnstart[g->m->nfnstart].pc = fn->pc;
	g->m->fnstart[g->m->nfnstart++].name = fn->decl->name;
	g->cur = fn;
	g->fnty = t;
	g->framedesc = fn->desc;
	end = limbo_fn_frame(t);
	for (LimboDecl *p = t->ids; p != NULL; p = p->next)
		limbo_cg_ptrmap(g, &g->m->desc[fn->desc], p->ty, p->offset);
	end = limbo_cg_hidden_args(g, fn->decl, t, end);
	g->frameoff = end > LIMBO_MAXTEMP ? end : LIMBO_MAXTEMP;
	g->ntmp = 0;
	g->nbusy = 0;
	g->nloops = 0;
	limbo_cg_stmt(g, n->kids[2]);
	/* always: a branch may target the end even after a return */
	limbo_cg_emit(g, DIS_OP_RET, limbo_cg_none, limbo_cg_none, limbo_cg_none);
	g->m->desc[fn->desc].size = (g->frameoff + 7) & ~7;
	if (exported(g, fn->decl)) {
		GMod *mo = g->m;
		const char *name = fn->decl->name;
		int found;
		uint32_t sig;
		if (fn->decl->dot != NULL && fn->decl->dot->ty != NULL && fn->decl->dot->ty->kind == LIMBO_TY_ADT) {
			size_t k = strlen(fn->decl->dot->name) + strlen(name) + 2;
			char *s = limbo_arena_alloc(&g->u->arena, k);
			if (s == NULL) {
				g->nomem = g->failed = 1;
				return;
			}
			snprintf(s, k, "%s.%s", fn->decl->dot->name, name);
			name = s;
		}
		sig = limbo_cg_sig(g, NULL, name, 1, &found);
		if (!found) {
			limbo_cg_notimpl(g, n, "a function whose signature the checker did not record");
			return;
		}
		if (mo->nlink == mo->caplink) {
			int nc = mo->caplink ? mo->caplink * 2 : 16;
			GLink *p = realloc(mo->link, (size_t)nc * sizeof *p);
			if (p == NULL) {
				g->nomem = g->failed = 1;
				return;
			}
			mo->link = p;
			mo->caplink = nc;
		}
		mo->link[mo->nlink++] = (GLink){name, fn->pc, fn->desc, sig};
		if (strcmp(name, "init") == 0) {
			mo->entry_pc = fn->pc;
			mo->entry_desc = fn->desc;
		}
	}
}

static void
gmod_free(GMod *m)
{
	for (int i = 0; i < m->ndesc; i++)
		free(m->desc[i].map);
	for (int i = 0; i < m->ndata; i++)
		free(m->data[i].w);
	for (int i = 0; i < m->nimp; i++)
		free(m->imp[i].fn);
	for (int i = 0; i < m->nhand; i++) {
		free(m->hand[i].lab);
		free(m->hand[i].labpc);
	}
	free(m->inst);
	free(m->desc);
	free(m->data);
	free(m->link);
	free(m->imp);
	free(m->hand);
	free(m->fnstart);
	free(m);
}

static void
generate(G *g)
{
	const LimboNode *root = g->root;

	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *n = root->kids[i];
		if (n != NULL && n->kind == LIMBO_N_IMPLEMENT) {
			const LimboNode *id = n->kids[0]->nkids == 1 ? n->kids[0]->kids[0] : NULL;
			if (id == NULL) {
				limbo_cg_notimpl(g, n, "implementing several modules");
				return;
			}
			g->m->name = id->name;
			if (id->decl != NULL)
				g->impl = id->decl->ty;
		}
	}
	if (g->impl == NULL) {
		/* the IMPLEMENT names are not annotated: find the module type */
		for (int i = 0; i < root->nkids; i++) {
			const LimboNode *n = root->kids[i];
			if (n != NULL && n->kind == LIMBO_N_MODDECL && n->kids[0]->nkids > 0 &&
			    n->kids[0]->kids[0]->decl != NULL && strcmp(n->kids[0]->kids[0]->name, g->m->name) == 0)
				g->impl = n->kids[0]->kids[0]->decl->ty;
		}
	}
	/* every function first, so calls forward and back are known ours */
	for (int i = 0; i < root->nkids && !g->failed; i++) {
		const LimboNode *n = root->kids[i];
		GFn *fn;
		if (n == NULL || n->kind != LIMBO_N_FNDEF)
			continue;
		if (n->decl == NULL) {
			limbo_cg_notimpl(g, n, "a function the checker did not resolve");
			return;
		}
		if ((fn = limbo_cg_fn(g, n->decl)) != NULL)
			fn->def = n;
	}
	globals(g);
	limbo_cg_inline_prepare(g);
	for (int i = 0; i < g->nfns && !g->failed; i++)
		if (g->fns[i].def != NULL)
			function(g, &g->fns[i]);
	for (int i = 0; i < g->nfix && !g->failed; i++) {
		if (g->fix[i].fn->pc < 0) {
			limbo_cg_error(g, g->root, "function %s is called but not defined", g->fix[i].fn->decl->name);
			return;
		}
		limbo_cg_patch(g, g->fix[i].inst, g->fix[i].fn->pc);
	}
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
	(void)limbo_cg_newdesc(g, 0); /* $0: module data */
	generate(g);
	if (!g->failed)
		limbo_cg_ldt_order(g);
	if (!g->failed)
		limbo_cg_link_order(g);
	if (g->nomem) {
		rc = ac_err_set(err, AC_ENOMEM, "out of memory generating code");
	} else if (g->failed) {
		rc = ac_err_set(err, AC_EFORMAT, "code generation failed");
	} else {
		if (m->mpsize == 0)
			(void)limbo_cg_nil(g); /* as Inferno's limbo: module data is never empty */
		m->desc[0].size = (m->mpsize + 3) & ~3;
		if (asmout != NULL)
			rc = limbo_gen_asm(m, asmout);
		if (rc == AC_OK && dis != NULL)
			rc = limbo_gen_dis(m, dis, dislen, err);
		else if (rc != AC_OK)
			ac_err_set(err, rc, "writing the assembly: output error");
	}
	gmod_free(m);
	for (int i = 0; i < g->nloops; i++) {
		free(g->loops[i].brk.at);
		free(g->loops[i].cont.at);
	}
	free(g->fns);
	free(g->fix);
	free(g->tmp);
	free(g->busy);
	free(g);
	return rc;
}
