/*
 * Scopes and file-scope declarations: modules, adts (fields, methods, pick
 * tags, constants), type aliases, constants (with iota), globals, imports,
 * exceptions, function definitions; and turning type syntax into types.
 *
 * Declarations are entered first and resolved on demand, so a name may be
 * used before the line that declares it, as Limbo allows; a type being
 * resolved that needs itself again (T: type T;) is reported once.
 *
 * Follows: limbo.ms §"Declarations", §"Modules", §"Adts";
 * inferno-os limbo/decls.b and types.b (installids, bindtype, mkiface).
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"
#include "limbo/poly.h"

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % LIMBO_GLOBAL_BUCKETS;
}

void
limbo_scope_push(LimboChecker *c, LimboSym **mark)
{
	*mark = c->local;
}

void
limbo_scope_pop(LimboChecker *c, LimboSym *mark)
{
	c->local = mark;
}

void
limbo_declare(LimboChecker *c, LimboDecl *d, int global)
{
	LimboSym *s;

	if (d == NULL || d->name == NULL)
		return;
	s = limbo_arena_alloc(c->a, sizeof *s);
	if (s == NULL)
		return;
	s->name = d->name;
	s->d = d;
	if (global) {
		unsigned h = hash(d->name);
		for (LimboSym *o = c->global[h]; o != NULL; o = o->next)
			if (strcmp(o->name, d->name) == 0) {
				limbo_diag(c->u, d->file, d->line, "%s redeclared (previous declaration at %s:%d)",
				           d->name, o->d->file, o->d->line);
				return;
			}
		s->next = c->global[h];
		c->global[h] = s;
	} else {
		s->next = c->local;
		c->local = s;
	}
}

static LimboSym *
global_sym(LimboChecker *c, const char *name)
{
	for (LimboSym *s = c->global[hash(name)]; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

LimboDecl *
limbo_lookup(LimboChecker *c, const char *name)
{
	LimboSym *s;

	if (name == NULL)
		return NULL;
	for (s = c->local; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s->d;
	/* inside a module or adt declaration its members come next */
	if (c->nctx > 0)
		for (LimboDecl *x = c->ctx[c->nctx - 1]; x != NULL; x = x->dot) {
			LimboDecl *d = limbo_member(x->ty, name);
			if (d != NULL)
				return d;
		}
	s = global_sym(c, name);
	return s != NULL ? s->d : NULL;
}

LimboDecl *
limbo_member(LimboType *t, const char *name)
{
	if (t == NULL || name == NULL)
		return NULL;
	for (LimboDecl *d = t->ids; d != NULL; d = d->next)
		if (d->name != NULL && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* The adt or module a declaration sits in gives the scope its type names
 * are looked up in first (Sys's FD inside Sys), then its type variables. */

static LimboDecl *
lookup_type_name(LimboChecker *c, const char *name)
{
	LimboDecl *d;

	for (int i = c->nctx - 1; i >= 0; i--) {
		for (LimboDecl *x = c->ctx[i]; x != NULL; x = x->dot) {
			LimboType *t = x->ty;
			if (t == NULL)
				continue;
			for (LimboDecl *p = t->polys; p != NULL; p = p->next)
				if (strcmp(p->name, name) == 0)
					return p;
			d = limbo_member(t, name);
			if (d != NULL && d->store == LIMBO_D_TYPE)
				return d;
		}
		break; /* only the innermost context */
	}
	return limbo_lookup(c, name);
}

static LimboType *
basic(LimboChecker *c, int op)
{
	switch (op) {
	case LIMBO_T_INT: return c->t_int;
	case LIMBO_T_BIG: return c->t_big;
	case LIMBO_T_BYTE: return c->t_byte;
	case LIMBO_T_REAL: return c->t_real;
	case LIMBO_T_STRING: return c->t_string;
	}
	return c->t_error;
}

static LimboType *
named_type(LimboChecker *c, const LimboNode *n, LimboDecl *d)
{
	if (d == NULL) {
		CK_ERR(c, n, "undefined type %s", n->name);
		return c->t_error;
	}
	if (d->store != LIMBO_D_TYPE) {
		if (d->store == LIMBO_D_IMPORT) {
			limbo_decl_resolve(c, d);
			if (d->imp != NULL && d->imp->store == LIMBO_D_TYPE) {
				limbo_decl_resolve(c, d->imp);
				return d->imp->ty;
			}
		}
		CK_ERR(c, n, "%s is not a type", n->name);
		return c->t_error;
	}
	limbo_decl_resolve(c, d);
	return d->ty != NULL ? d->ty : c->t_error;
}

/* Type variables [T, U] of an adt or fn: POLY types, declared locally. */
static LimboDecl *
mkpolys(LimboChecker *c, const LimboNode *ids, LimboDecl *dot)
{
	LimboDecl *head = NULL, **tail = &head;

	if (ids == NULL)
		return NULL;
	for (int i = 0; i < ids->nkids; i++) {
		const LimboNode *k = ids->kids[i];
		LimboType *t;
		LimboDecl *d;
		if (k == NULL || k->name == NULL)
			continue;
		t = limbo_ty_new(c, LIMBO_TY_POLY, NULL);
		d = limbo_decl_new(c, k->name, LIMBO_D_TYPE, t, k);
		if (d == NULL)
			break;
		d->state = 2;
		d->dot = dot;
		t->decl = d;
		*tail = d;
		tail = &d->next;
	}
	return head;
}

/* for { T => f: fn(...); ... }: the functions a type variable's
 * instantiation must have, as the POLY type's members (store FN, dot the
 * type variable). The type variables are in scope. Inferno: decls.b
 * (fielddecled of a Tpoly's ids), with its messages. */
static void
constraints(LimboChecker *c, const LimboNode *cons, LimboDecl *polys)
{
	if (cons == NULL)
		return;
	for (int i = 0; i < cons->nkids; i++) {
		const LimboNode *pc = cons->kids[i];
		if (pc == NULL || pc->kind != LIMBO_N_POLYCON || pc->nkids < 1 || pc->kids[0] == NULL)
			continue;
		for (int j = 0; j < pc->kids[0]->nkids; j++) {
			const LimboNode *id = pc->kids[0]->kids[j];
			LimboDecl *p, **tail;
			if (id == NULL || id->name == NULL)
				continue;
			for (p = polys; p != NULL; p = p->next)
				if (strcmp(p->name, id->name) == 0)
					break;
			if (p == NULL) {
				LimboDecl *d = limbo_lookup(c, id->name);
				if (d == NULL)
					CK_ERR(c, id, "%s is not declared", id->name);
				else if (d->store != LIMBO_D_TYPE)
					CK_ERR(c, id, "%s is not a type", id->name);
				else
					CK_ERR(c, id, "type %s is not a polymorphic type", id->name);
				break;
			}
			if (p->ty->ids != NULL) {
				CK_ERR(c, id, "type %s redefined", id->name);
				break;
			}
			tail = &p->ty->ids;
			for (int k = 1; k < pc->nkids; k++) {
				const LimboNode *f = pc->kids[k];
				LimboType *ft;
				if (f == NULL || f->kind != LIMBO_N_FIELD || f->kids[0] == NULL)
					continue;
				ft = limbo_type_resolve(c, f->kids[1]);
				for (int m = 0; m < f->kids[0]->nkids; m++) {
					const LimboNode *fid = f->kids[0]->kids[m];
					LimboDecl *d;
					if (fid == NULL || fid->name == NULL)
						continue;
					if (ft->kind != LIMBO_TY_FN) {
						CK_ERR(c, fid, "only function types expected");
						continue;
					}
					d = limbo_decl_new(c, fid->name, LIMBO_D_FN, ft, fid);
					if (d == NULL)
						return;
					d->state = 2;
					d->dot = p;
					*tail = d;
					tail = &d->next;
				}
			}
		}
	}
}

static LimboType *
fn_type(LimboChecker *c, const LimboNode *n)
{
	LimboType *t = limbo_ty_new(c, LIMBO_TY_FN, NULL);
	const LimboNode *params = n->kids[0];
	LimboDecl **tail = &t->ids;
	LimboSym *mark;

	t->varargs = (n->flags & LIMBO_F_VARARGS) != 0;
	t->raises = n->nkids > 4 ? n->kids[4] : NULL;
	limbo_scope_push(c, &mark);
	if (n->nkids > 2 && n->kids[2] != NULL) {
		t->polys = mkpolys(c, n->kids[2], NULL);
		for (LimboDecl *p = t->polys; p != NULL; p = p->next)
			limbo_declare(c, p, 0);
	}
	for (int i = 0; params != NULL && i < params->nkids; i++) {
		const LimboNode *p = params->kids[i];
		LimboType *pt;
		if (p == NULL || p->kind != LIMBO_N_PARAM || p->kids[0] == NULL)
			continue;
		pt = limbo_type_resolve(c, p->kids[1]);
		for (int j = 0; j < p->kids[0]->nkids; j++) {
			const LimboNode *id = p->kids[0]->kids[j];
			LimboDecl *d;
			if (id == NULL)
				continue;
			d = limbo_decl_new(c, id->kind == LIMBO_N_NAME ? id->name : NULL, LIMBO_D_ARG, pt, id);
			if (d == NULL)
				break;
			d->state = 2;
			/* a self parameter is marked in signatures (letter S) */
			d->self = (p->flags & LIMBO_F_SELF) != 0;
			*tail = d;
			tail = &d->next;
		}
	}
	t->of = n->kids[1] != NULL ? limbo_type_resolve(c, n->kids[1]) : c->t_none;
	if (n->nkids > 3)
		constraints(c, n->kids[3], t->polys);
	limbo_scope_pop(c, mark);
	return t;
}

LimboType *
limbo_type_resolve(LimboChecker *c, const LimboNode *n)
{
	LimboType *t, *l;
	LimboDecl *d;

	if (n == NULL)
		return c->t_error;
	if (c->depth > LIMBO_MAX_DEPTH) {
		CK_ERR(c, n, "type nested too deeply");
		return c->t_error;
	}
	c->depth++;
	switch (n->kind) {
	case LIMBO_N_TBASIC:
		t = basic(c, n->op);
		break;
	case LIMBO_N_TNAME:
		t = named_type(c, n, lookup_type_name(c, n->name));
		/* [type arguments] instantiate a polymorphic adt (limbo/poly.c) */
		if (n->nkids > 0) {
			LimboType *args[LIMBO_MAXBINDS];
			int na = 0;
			for (int i = 0; i < n->nkids && na < LIMBO_MAXBINDS; i++)
				if (n->kids[i] != NULL)
					args[na++] = limbo_type_resolve(c, n->kids[i]);
			t = limbo_poly_inst(c, t, args, na, n);
		}
		break;
	case LIMBO_N_TDOT: case LIMBO_N_TARROW:
		d = n->kids[0] != NULL && n->kids[0]->kind == LIMBO_N_TNAME ? lookup_type_name(c, n->kids[0]->name) : NULL;
		if (d != NULL && d->store != LIMBO_D_TYPE && d->store != LIMBO_D_IMPORT) {
			/* sys->Dir: a module variable names its module's types too */
			limbo_decl_resolve(c, d);
			l = d->ty;
		} else {
			l = limbo_type_resolve(c, n->kids[0]);
		}
		t = c->t_error;
		if (l->kind == LIMBO_TY_ERROR)
			break;
		if (l->kind == LIMBO_TY_ADT && n->kind == LIMBO_N_TDOT) {
			for (d = l->tags; d != NULL; d = d->next)
				if (strcmp(d->name, n->name) == 0)
					break;
			if (d != NULL) {
				t = d->ty;
				break;
			}
		}
		if (l->kind != LIMBO_TY_MODULE && l->kind != LIMBO_TY_ADT) {
			char b[128];
			CK_ERR(c, n, "%s is not a module or adt: no type %s in it", limbo_ty_str(l, b, sizeof b), n->name);
			break;
		}
		d = limbo_member(l, n->name);
		if (d == NULL || d->store != LIMBO_D_TYPE) {
			CK_ERR(c, n, "%s is not a type in %s", n->name, l->decl != NULL ? l->decl->name : "?");
			break;
		}
		t = named_type(c, n, d);
		break;
	case LIMBO_N_TREF: case LIMBO_N_TCHAN: case LIMBO_N_TARRAY: case LIMBO_N_TLIST:
		l = limbo_type_resolve(c, n->kids[0]);
		t = limbo_ty_new(c, n->kind == LIMBO_N_TREF ? LIMBO_TY_REF : n->kind == LIMBO_N_TCHAN ? LIMBO_TY_CHAN :
		                 n->kind == LIMBO_N_TARRAY ? LIMBO_TY_ARRAY : LIMBO_TY_LIST, l);
		if (n->kind == LIMBO_N_TREF && l->kind != LIMBO_TY_ADT && l->kind != LIMBO_TY_ADTPICK &&
		    l->kind != LIMBO_TY_ERROR && l->kind != LIMBO_TY_POLY && l->kind != LIMBO_TY_FN) {
			char b[128];
			CK_ERR(c, n, "ref of a non-adt type %s", limbo_ty_str(l, b, sizeof b));
		}
		break;
	case LIMBO_N_TTUPLE: {
		LimboDecl **tail;
		t = limbo_ty_new(c, LIMBO_TY_TUPLE, NULL);
		tail = &t->ids;
		for (int i = 0; i < n->nkids; i++) {
			LimboDecl *e = limbo_decl_new(c, NULL, LIMBO_D_FIELD, limbo_type_resolve(c, n->kids[i]), n);
			if (e == NULL)
				break;
			e->state = 2;
			*tail = e;
			tail = &e->next;
		}
		break;
	}
	case LIMBO_N_TFN:
		t = fn_type(c, n);
		break;
	case LIMBO_N_TFIXED:
		t = limbo_ty_new(c, LIMBO_TY_FIXED, NULL);
		break;
	default:
		CK_ERR(c, n, "expected a type, found %s", limbo_node_name(n->kind));
		t = c->t_error;
	}
	c->depth--;
	return t;
}

/* Resolves a type in the context of the adt or module a decl sits in. */
static LimboType *
resolve_in(LimboChecker *c, LimboDecl *ctx, const LimboNode *n)
{
	LimboType *t;

	if (c->nctx == LIMBO_MAX_DEPTH)
		return c->t_error;
	c->ctx[c->nctx++] = ctx;
	t = limbo_type_resolve(c, n);
	c->nctx--;
	return t;
}

static void
resolve_import(LimboChecker *c, LimboDecl *d)
{
	const LimboNode *m = d->node; /* the module expression */
	LimboDecl *md = NULL, *mem;
	LimboType *mt = NULL;

	if (m != NULL && m->kind == LIMBO_N_NAME)
		md = limbo_lookup(c, m->name);
	if (md != NULL) {
		limbo_decl_resolve(c, md);
		mt = md->ty;
		if (md->store != LIMBO_D_TYPE && mt != NULL && mt->kind == LIMBO_TY_MODULE) {
			/* the module value adt functions are called through */
			((LimboNode *)m)->decl = md;
			((LimboNode *)m)->ty = mt;
		}
	}
	if (mt == NULL || mt->kind != LIMBO_TY_MODULE) {
		if (mt == NULL || mt->kind != LIMBO_TY_ERROR)
			limbo_diag(c->u, d->file, d->line, "cannot import %s: %s is not a module", d->name,
			           m != NULL && m->name != NULL ? m->name : "expression");
		d->ty = c->t_error;
		return;
	}
	mem = limbo_member(mt, d->name);
	if (mem == NULL) {
		limbo_diag(c->u, d->file, d->line, "%s is not a member of %s", d->name, mt->decl->name);
		d->ty = c->t_error;
		return;
	}
	limbo_decl_resolve(c, mem);
	d->imp = mem;
	d->impmod = mt;
	d->ty = mem->ty;
}

void
limbo_decl_resolve(LimboChecker *c, LimboDecl *d)
{
	const LimboNode *n;
	int isconst = 0;

	if (d == NULL || d->state == 2)
		return;
	if (d->state == 1) {
		if (d->store == LIMBO_D_TYPE)
			limbo_diag(c->u, d->file, d->line, "type %s refers to itself", d->name);
		else
			limbo_diag(c->u, d->file, d->line, "%s is used in its own declaration", d->name);
		d->ty = c->t_error;
		d->state = 2;
		return;
	}
	d->state = 1;
	n = d->node;
	switch (d->store) {
	case LIMBO_D_IMPORT:
		resolve_import(c, d);
		break;
	case LIMBO_D_TYPE:
		/* adts and modules were made when declared; aliases are resolved */
		if (d->ty == NULL)
			d->ty = n != NULL ? resolve_in(c, d->dot, n) : c->t_error;
		break;
	case LIMBO_D_CONST:
		if (n == NULL) {
			d->ty = c->t_error;
			break;
		}
		{
			LimboDecl *save = c->fnadt;
			int siota = c->iota;
			c->iota = (int)d->ival; /* ival holds the position until folded */
			if (c->nctx < LIMBO_MAX_DEPTH)
				c->ctx[c->nctx++] = d->dot;
			d->ty = limbo_exp(c, n, &isconst);
			if (c->nctx > 0)
				c->nctx--;
			c->iota = siota;
			c->fnadt = save;
		}
		if (!isconst && d->ty->kind != LIMBO_TY_ERROR && d->ty->kind != LIMBO_TY_ADT &&
		    d->ty->kind != LIMBO_TY_TUPLE)
			limbo_diag(c->u, d->file, d->line, "%s: con value is not a constant", d->name);
		break;
	case LIMBO_D_EXC:
		d->ty = limbo_ty_new(c, LIMBO_TY_EXCEPTION, NULL);
		d->ty->decl = d;
		if (n != NULL) {
			LimboType *tu = resolve_in(c, d->dot, n);
			d->ty->ids = tu->ids;
		}
		break;
	default:
		/* fields, globals, fns, args: n is the type syntax */
		if (d->ty == NULL)
			d->ty = n != NULL ? resolve_in(c, d->dot, n) : c->t_error;
		break;
	}
	if (d->ty == NULL)
		d->ty = c->t_error;
	d->state = 2;
}

/* Adds the decls of IDS to *tail, each with store, node and dot. */
static LimboDecl **
ids_decls(LimboChecker *c, const LimboNode *ids, int store, const LimboNode *tynode, LimboDecl *dot,
          LimboDecl **tail, int global)
{
	if (ids == NULL)
		return tail;
	for (int i = 0; i < ids->nkids; i++) {
		const LimboNode *k = ids->kids[i];
		LimboDecl *d;
		if (k == NULL || k->kind != LIMBO_N_NAME)
			continue;
		d = limbo_decl_new(c, k->name, store, NULL, tynode);
		if (d == NULL)
			break;
		((LimboNode *)k)->decl = d; /* for the code generator */
		d->file = k->file;
		d->line = k->line;
		d->dot = dot;
		d->ival = i; /* a constant's position, for iota */
		if (tail != NULL) {
			*tail = d;
			tail = &d->next;
		}
		if (global)
			limbo_declare(c, d, 1);
	}
	return tail;
}

static LimboDecl *mkadt(LimboChecker *c, const LimboNode *n, LimboDecl *dot, int global);

/* The members of a module or adt, in order. */
static void
members(LimboChecker *c, const LimboNode *n, int first, LimboDecl *owner)
{
	LimboType *t = owner->ty;
	LimboDecl **tail = &t->ids, **ttail = &t->tags;
	int ntag = 0;

	for (int i = first; i < n->nkids; i++) {
		const LimboNode *m = n->kids[i];
		if (m == NULL)
			continue;
		switch (m->kind) {
		case LIMBO_N_VARDECL: case LIMBO_N_FIELD: {
			const LimboNode *ty = m->kids[1];
			int store = ty != NULL && ty->kind == LIMBO_N_TFN ? LIMBO_D_FN :
			            t->kind == LIMBO_TY_MODULE ? LIMBO_D_GLOBAL : LIMBO_D_FIELD;
			LimboDecl **start = tail;
			tail = ids_decls(c, m->kids[0], store, ty, owner, tail, 0);
			for (LimboDecl *d = *start; d != NULL; d = d->next)
				d->cyc = (m->flags & LIMBO_F_CYCLIC) != 0;
			break;
		}
		case LIMBO_N_CONDECL:
			tail = ids_decls(c, m->kids[0], LIMBO_D_CONST, m->kids[1], owner, tail, 0);
			break;
		case LIMBO_N_TYPEDECL:
			tail = ids_decls(c, m->kids[0], LIMBO_D_TYPE, m->kids[1], owner, tail, 0);
			break;
		case LIMBO_N_EXCDECL:
			tail = ids_decls(c, m->kids[0], LIMBO_D_EXC, m->kids[1], owner, tail, 0);
			break;
		case LIMBO_N_ADTDECL: {
			LimboDecl *d = mkadt(c, m, owner, 0);
			if (d != NULL) {
				*tail = d;
				tail = &d->next;
			}
			break;
		}
		case LIMBO_N_PICKDECL:
			for (int j = 0; j < m->nkids; j++) {
				const LimboNode *pc = m->kids[j];
				LimboType *shared = NULL;
				if (pc == NULL || pc->kids[0] == NULL)
					continue;
				for (int k = 0; k < pc->kids[0]->nkids; k++) {
					const LimboNode *tg = pc->kids[0]->kids[k];
					LimboType *pt = limbo_ty_new(c, LIMBO_TY_ADTPICK, t);
					LimboDecl *g = limbo_decl_new(c, tg->name, LIMBO_D_TAG, pt, tg);
					if (g == NULL)
						return;
					pt->decl = g;
					pt->tag = ntag++;
					g->dot = owner;
					g->state = 2;
					/* `A or B => fields`: each tag gets the same fields */
					if (shared == NULL) {
						LimboDecl **ft = &pt->ids;
						for (int f = 1; f < pc->nkids; f++) {
							const LimboNode *fl = pc->kids[f];
							if (fl == NULL || fl->kind != LIMBO_N_FIELD)
								continue;
							LimboDecl **start = ft;
							ft = ids_decls(c, fl->kids[0], LIMBO_D_FIELD, fl->kids[1], owner, ft, 0);
							for (LimboDecl *d = *start; d != NULL; d = d->next)
								d->cyc = (fl->flags & LIMBO_F_CYCLIC) != 0;
						}
						shared = pt;
					} else {
						pt->ids = shared->ids;
					}
					*ttail = g;
					ttail = &g->next;
				}
			}
			break;
		default:
			break;
		}
	}
}

static LimboDecl *
mkadt(LimboChecker *c, const LimboNode *n, LimboDecl *dot, int global)
{
	const LimboNode *ids = n->kids[0];
	LimboType *t;
	LimboDecl *d;

	if (ids == NULL || ids->nkids < 1 || ids->kids[0] == NULL)
		return NULL;
	t = limbo_ty_new(c, LIMBO_TY_ADT, NULL);
	d = limbo_decl_new(c, ids->kids[0]->name, LIMBO_D_TYPE, t, n);
	if (d == NULL)
		return NULL;
	d->dot = dot;
	d->state = 2;
	t->decl = d;
	t->polys = mkpolys(c, n->kids[1], d);
	members(c, n, 3, d);
	if (n->kids[2] != NULL && t->polys != NULL && c->nctx < LIMBO_MAX_DEPTH) {
		/* the adt's type variables are in scope in its constraints */
		c->ctx[c->nctx++] = d;
		constraints(c, n->kids[2], t->polys);
		c->nctx--;
	}
	if (global)
		limbo_declare(c, d, 1);
	return d;
}

static LimboDecl *
mkmodule(LimboChecker *c, const LimboNode *n)
{
	const LimboNode *ids = n->kids[0];
	LimboType *t;
	LimboDecl *d;

	if (ids == NULL || ids->nkids < 1 || ids->kids[0] == NULL)
		return NULL;
	t = limbo_ty_new(c, LIMBO_TY_MODULE, NULL);
	d = limbo_decl_new(c, ids->kids[0]->name, LIMBO_D_TYPE, t, n);
	if (d == NULL)
		return NULL;
	((LimboNode *)ids->kids[0])->decl = d; /* for the code generator */
	d->state = 2;
	t->decl = d;
	members(c, n, 1, d);
	limbo_declare(c, d, 1);
	return d;
}

/* Resolves every member of an adt or module (and of adts inside it). */
static void
resolve_members(LimboChecker *c, LimboType *t)
{
	for (LimboDecl *d = t->ids; d != NULL; d = d->next) {
		limbo_decl_resolve(c, d);
		if (d->store == LIMBO_D_TYPE && d->ty != NULL && d->ty->kind == LIMBO_TY_ADT && d->ty->decl == d)
			resolve_members(c, d->ty);
	}
	for (LimboDecl *g = t->tags; g != NULL; g = g->next)
		for (LimboDecl *d = g->ty->ids; d != NULL; d = d->next)
			limbo_decl_resolve(c, d);
}

void
limbo_sig_add(LimboChecker *c, const char *module, const char *name, LimboType *fnty, int exported)
{
	limbo_sig_addstr(c, module, name, fnty, NULL, exported);
}

void
limbo_sig_addstr(LimboChecker *c, const char *module, const char *name, LimboType *fnty, const char *str,
                 int exported)
{
	LimboSigRec *r;

	for (int i = 0; i < c->nsigs; i++)
		if (c->sigs[i].exported == exported && strcmp(c->sigs[i].name, name) == 0 &&
		    strcmp(c->sigs[i].module, module) == 0)
			return;
	if (c->nsigs == c->capsigs) {
		int ncap = c->capsigs ? c->capsigs * 2 : 64;
		LimboSigRec *ns = realloc(c->sigs, (size_t)ncap * sizeof *ns);
		if (ns == NULL)
			return;
		c->sigs = ns;
		c->capsigs = ncap;
	}
	r = &c->sigs[c->nsigs++];
	r->module = module;
	r->name = name;
	r->str = str != NULL ? str : limbo_ty_sigstr(c, fnty);
	r->sig = ac_sig_hash(r->str);
	r->exported = exported;
}

static const char *
dotname(LimboChecker *c, const char *adt, const char *fn)
{
	size_t a = strlen(adt), f = strlen(fn);
	char *s = limbo_arena_alloc(c->a, a + f + 2);

	if (s == NULL)
		return fn;
	memcpy(s, adt, a);
	s[a] = '.';
	memcpy(s + a + 1, fn, f + 1);
	return s;
}

/* The implemented modules' members become file-scope names; a function
 * defined at file scope must match its declaration in the module. */
static void
install_impl(LimboChecker *c)
{
	for (int i = 0; i < c->nimpl; i++) {
		LimboType *m = c->impl[i];
		for (LimboDecl *d = m->ids; d != NULL; d = d->next) {
			LimboSym *s = global_sym(c, d->name);
			if (s == NULL) {
				limbo_declare(c, d, 1);
				continue;
			}
			if (s->d == d)
				continue;
			if (s->d->store == LIMBO_D_FN && d->store == LIMBO_D_FN) {
				limbo_decl_resolve(c, s->d);
				limbo_decl_resolve(c, d);
				if (!limbo_ty_equal(s->d->ty, d->ty)) {
					char b1[160], b2[160];
					limbo_diag(c->u, s->d->file, s->d->line,
					           "function %s has type %s, but module %s declares %s", d->name,
					           limbo_ty_str(s->d->ty, b1, sizeof b1), m->decl->name,
					           limbo_ty_str(d->ty, b2, sizeof b2));
				}
				continue;
			}
			limbo_diag(c->u, s->d->file, s->d->line, "%s redeclares a member of module %s", d->name,
			           m->decl->name);
		}
	}
}

static void
export_sigs(LimboChecker *c)
{
	for (int i = 0; i < c->nimpl; i++) {
		LimboType *m = c->impl[i];
		for (LimboDecl *d = m->ids; d != NULL; d = d->next) {
			if (d->store == LIMBO_D_FN && d->ty != NULL && d->ty->kind == LIMBO_TY_FN)
				limbo_sig_add(c, m->decl->name, d->name, d->ty, 1);
			if (d->store == LIMBO_D_TYPE && d->ty != NULL && d->ty->kind == LIMBO_TY_ADT && d->ty->decl == d)
				for (LimboDecl *f = d->ty->ids; f != NULL; f = f->next)
					if (f->store == LIMBO_D_FN && f->ty != NULL && f->ty->kind == LIMBO_TY_FN)
						limbo_sig_add(c, m->decl->name, dotname(c, d->name, f->name), f->ty, 1);
		}
	}
}

void
limbo_check_decls(LimboChecker *c, const LimboNode *root)
{
	const LimboNode *impl = NULL;

	/* 1: enter every file-scope name */
	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *n = root->kids[i];
		if (n == NULL)
			continue;
		switch (n->kind) {
		case LIMBO_N_IMPLEMENT:
			impl = n;
			break;
		case LIMBO_N_MODDECL:
			mkmodule(c, n);
			break;
		case LIMBO_N_ADTDECL:
			mkadt(c, n, NULL, 1);
			break;
		case LIMBO_N_TYPEDECL:
			ids_decls(c, n->kids[0], LIMBO_D_TYPE, n->kids[1], NULL, NULL, 1);
			break;
		case LIMBO_N_CONDECL:
			ids_decls(c, n->kids[0], LIMBO_D_CONST, n->kids[1], NULL, NULL, 1);
			break;
		case LIMBO_N_EXCDECL:
			ids_decls(c, n->kids[0], LIMBO_D_EXC, n->kids[1], NULL, NULL, 1);
			break;
		case LIMBO_N_VARDECL:
			ids_decls(c, n->kids[0], LIMBO_D_GLOBAL, n->kids[1], NULL, NULL, 1);
			break;
		case LIMBO_N_IMPORTDECL:
			ids_decls(c, n->kids[0], LIMBO_D_IMPORT, n->kids[1], NULL, NULL, 1);
			break;
		case LIMBO_N_FNDEF: {
			const LimboNode *nm = n->kids[0];
			LimboDecl *d;
			if (nm == NULL || nm->kind != LIMBO_N_NAME)
				break; /* Adt.f: checked against the adt's member later */
			d = limbo_decl_new(c, nm->name, LIMBO_D_FN, NULL, n->kids[1]);
			if (d != NULL)
				limbo_declare(c, d, 1);
			break;
		}
		default:
			break; /* DECLAS globals are entered when checked, in order */
		}
	}
	/* 2: the implemented modules */
	for (int i = 0; impl != NULL && i < impl->kids[0]->nkids; i++) {
		const LimboNode *k = impl->kids[0]->kids[i];
		LimboDecl *d = k != NULL ? limbo_lookup(c, k->name) : NULL;
		if (k == NULL)
			continue;
		if (d == NULL || d->ty == NULL || d->ty->kind != LIMBO_TY_MODULE) {
			CK_ERR(c, k, "implemented module %s is not declared", k->name);
			continue;
		}
		if (c->nimpl < 8)
			c->impl[c->nimpl++] = d->ty;
	}
	install_impl(c);
	/* 3: resolve the declarations, in file order */
	for (int i = 0; i < LIMBO_GLOBAL_BUCKETS; i++)
		for (LimboSym *s = c->global[i]; s != NULL; s = s->next) {
			limbo_decl_resolve(c, s->d);
			if (s->d->store == LIMBO_D_TYPE && s->d->ty != NULL && s->d->ty->decl == s->d &&
			    (s->d->ty->kind == LIMBO_TY_ADT || s->d->ty->kind == LIMBO_TY_MODULE))
				resolve_members(c, s->d->ty);
		}
	export_sigs(c);
}
