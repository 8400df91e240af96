/*
 * Types: construction, structural equality, assignment compatibility, the
 * spelling used in diagnostics, Dis sizes and alignment, and type signatures.
 *
 * Follows: inferno-os limbo/types.b: rtequal (adts, tuples and modules are
 * equal when their fields are, names included; a pair already being compared
 * is assumed equal, which ends the walk through recursive types), sizetype
 * (IBY2WD = 4: every pointer one word; big and real 8 aligned 8) and
 * sign/rtsign/idsign (see vm/sig.h for the letters).
 */
#include <stdio.h>
#include <string.h>

#include "limbo/check.h"
#include "limbo/poly.h"

LimboType *
limbo_ty_new(LimboChecker *c, int kind, LimboType *of)
{
	LimboType *t = limbo_arena_alloc(c->a, sizeof *t);

	if (t == NULL)
		return c->t_error;
	t->kind = kind;
	t->of = of;
	return t;
}

LimboDecl *
limbo_decl_new(LimboChecker *c, const char *name, int store, LimboType *ty, const LimboNode *at)
{
	LimboDecl *d = limbo_arena_alloc(c->a, sizeof *d);

	if (d == NULL)
		return NULL;
	d->name = name;
	d->store = store;
	d->ty = ty;
	d->node = at;
	if (at != NULL) {
		d->file = at->file;
		d->line = at->line;
	}
	return d;
}

/* Fields that take space: what equality and signatures compare (Inferno's
 * storespace: fields, arguments, globals, locals). */
static int
storespace(const LimboDecl *d)
{
	return d->store == LIMBO_D_FIELD || d->store == LIMBO_D_ARG || d->store == LIMBO_D_GLOBAL ||
	       d->store == LIMBO_D_LOCAL;
}

/* Pairs assumed equal while comparing recursive types. */
typedef struct Assume {
	const LimboType *a[64], *b[64];
	int n;
	int sig;    /* comparing for signatures: no wildcards */
} Assume;

static int requal(const LimboType *a, const LimboType *b, Assume *as);

static int
idsequal(const LimboDecl *x, const LimboDecl *y, int names, int space, Assume *as)
{
	for (;;) {
		while (space && x != NULL && !storespace(x))
			x = x->next;
		while (space && y != NULL && !storespace(y))
			y = y->next;
		if (x == NULL || y == NULL)
			return x == y;
		if (names && (x->name == NULL) != (y->name == NULL))
			return 0;
		if (names && x->name != NULL && strcmp(x->name, y->name) != 0)
			return 0;
		if (x->self != y->self || x->cyc != y->cyc || !requal(x->ty, y->ty, as))
			return 0;
		x = x->next;
		y = y->next;
	}
}

/* Two instances of one polymorphic adt are the same type when their type
 * arguments are (Stack[string] is not Stack[ref R]); the adt itself, as
 * its own functions name it, matches any of its instances. */
static int
inst_equal(const LimboType *a, const LimboType *b)
{
	const LimboDecl *x, *y;

	if (!limbo_poly_isinst(a) || !limbo_poly_isinst(b))
		return 1;
	for (x = a->polys, y = b->polys; x != NULL && y != NULL; x = x->next, y = y->next)
		if (!limbo_ty_equal(x->ty, y->ty))
			return 0;
	return x == NULL && y == NULL;
}

static int
requal(const LimboType *a, const LimboType *b, Assume *as)
{
	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	/* a type variable or an unknown type matches anything */
	if (a->kind == LIMBO_TY_POLY || b->kind == LIMBO_TY_POLY || a->kind == LIMBO_TY_ANY ||
	    b->kind == LIMBO_TY_ANY || a->kind == LIMBO_TY_ERROR || b->kind == LIMBO_TY_ERROR)
		return as->sig == 0;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case LIMBO_TY_REF: case LIMBO_TY_ARRAY: case LIMBO_TY_LIST: case LIMBO_TY_CHAN:
		return requal(a->of, b->of, as);
	case LIMBO_TY_FN:
		if (a->varargs != b->varargs || !idsequal(a->ids, b->ids, 0, 1, as))
			return 0;
		return requal(a->of, b->of, as);
	case LIMBO_TY_POLY:
		return a->decl != NULL && b->decl != NULL && strcmp(a->decl->name, b->decl->name) == 0;
	case LIMBO_TY_TUPLE: case LIMBO_TY_EXCEPTION: case LIMBO_TY_ADT: case LIMBO_TY_ADTPICK:
	case LIMBO_TY_MODULE:
		for (int i = 0; i < as->n; i++)
			if ((as->a[i] == a && as->b[i] == b) || (as->a[i] == b && as->b[i] == a))
				return 1;
		if (as->n == 64)
			return 0;
		as->a[as->n] = a;
		as->b[as->n] = b;
		as->n++;
		if (a->kind == LIMBO_TY_TUPLE || a->kind == LIMBO_TY_EXCEPTION)
			return idsequal(a->ids, b->ids, 0, 1, as);
		if (a->kind == LIMBO_TY_MODULE)
			return idsequal(a->ids, b->ids, 1, 0, as);
		if (as->sig == 0 && !inst_equal(a, b))
			return 0;
		if (a->kind == LIMBO_TY_ADTPICK && !requal(a->of, b->of, as))
			return 0;
		if (!idsequal(a->tags, b->tags, 1, 0, as))
			return 0;
		return idsequal(a->ids, b->ids, 1, 1, as);
	default:
		return 0; /* basic kinds are singletons: a == b caught them */
	}
}

int
limbo_ty_equal(const LimboType *a, const LimboType *b)
{
	Assume as;

	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	if (a->kind == LIMBO_TY_ERROR || b->kind == LIMBO_TY_ERROR || a->kind == LIMBO_TY_ANY ||
	    b->kind == LIMBO_TY_ANY || a->kind == LIMBO_TY_POLY || b->kind == LIMBO_TY_POLY)
		return 1;
	/* Named types (adts, picks, modules) are the same declaration: checking
	 * by identity keeps two unrelated adts with equal fields apart in
	 * diagnostics; signatures use the structural test below. */
	if ((a->kind == LIMBO_TY_ADT || a->kind == LIMBO_TY_ADTPICK) && a->kind == b->kind)
		return (a->decl == b->decl || (a->decl != NULL && b->decl != NULL &&
		        a->decl->node == b->decl->node)) && inst_equal(a, b);
	as.n = 0;
	as.sig = 0;
	return requal(a, b, &as);
}

int
limbo_ty_isptr(const LimboType *t)
{
	switch (t->kind) {
	case LIMBO_TY_STRING: case LIMBO_TY_REF: case LIMBO_TY_ARRAY: case LIMBO_TY_LIST:
	case LIMBO_TY_CHAN: case LIMBO_TY_MODULE: case LIMBO_TY_NIL: case LIMBO_TY_FN:
	case LIMBO_TY_POLY: case LIMBO_TY_ANY: case LIMBO_TY_ERROR: case LIMBO_TY_EXCEPTION:
		return 1;
	}
	return 0;
}

int
limbo_ty_isnum(const LimboType *t)
{
	return t->kind == LIMBO_TY_INT || t->kind == LIMBO_TY_BIG || t->kind == LIMBO_TY_BYTE ||
	       t->kind == LIMBO_TY_REAL || t->kind == LIMBO_TY_FIXED;
}

int
limbo_ty_assignable(const LimboType *to, const LimboType *from)
{
	if (to == NULL || from == NULL)
		return 0;
	if (from->kind == LIMBO_TY_NIL)
		return to->kind == LIMBO_TY_REF || to->kind == LIMBO_TY_ARRAY || to->kind == LIMBO_TY_LIST ||
		       to->kind == LIMBO_TY_CHAN || to->kind == LIMBO_TY_STRING ||
		       to->kind == LIMBO_TY_MODULE || to->kind == LIMBO_TY_NIL ||
		       to->kind == LIMBO_TY_ERROR || to->kind == LIMBO_TY_ANY || to->kind == LIMBO_TY_POLY ||
		       to->kind == LIMBO_TY_EXCEPTION || to->kind == LIMBO_TY_FN;
	/* A ref to a pick case may go where a ref to its adt is wanted. */
	if (to->kind == LIMBO_TY_REF && from->kind == LIMBO_TY_REF && from->of != NULL &&
	    from->of->kind == LIMBO_TY_ADTPICK && to->of != NULL && to->of->kind == LIMBO_TY_ADT)
		return limbo_ty_equal(to->of, from->of->of);
	/* A function name is a value of type ref fn. */
	if (to->kind == LIMBO_TY_REF && to->of != NULL && to->of->kind == LIMBO_TY_FN && from->kind == LIMBO_TY_FN)
		return limbo_ty_equal(to->of, from);
	/* A tuple and an adt with the same field types convert to each other. */
	if ((to->kind == LIMBO_TY_ADT && from->kind == LIMBO_TY_TUPLE) ||
	    (to->kind == LIMBO_TY_TUPLE && from->kind == LIMBO_TY_ADT)) {
		const LimboDecl *x = to->ids, *y = from->ids;
		for (;;) {
			while (x != NULL && !storespace(x))
				x = x->next;
			while (y != NULL && !storespace(y))
				y = y->next;
			if (x == NULL || y == NULL)
				return x == y;
			if (!limbo_ty_assignable(x->ty, y->ty))
				return 0;
			x = x->next;
			y = y->next;
		}
	}
	/* array of (tuple) initialises array of adt */
	if (to->kind == LIMBO_TY_ARRAY && from->kind == LIMBO_TY_ARRAY && to->of != NULL && from->of != NULL &&
	    to->of->kind == LIMBO_TY_ADT && from->of->kind == LIMBO_TY_TUPLE)
		return limbo_ty_assignable(to->of, from->of);
	/* Tuples with nil or polymorphic parts match element by element. */
	if (to->kind == LIMBO_TY_TUPLE && from->kind == LIMBO_TY_TUPLE) {
		const LimboDecl *x = to->ids, *y = from->ids;
		for (; x != NULL && y != NULL; x = x->next, y = y->next)
			if (!limbo_ty_assignable(x->ty, y->ty))
				return 0;
		return x == NULL && y == NULL;
	}
	/* Any module value goes into a variable of the same module type; a
	 * module's own interface may be narrower (Inferno compares members). */
	if (to->kind == LIMBO_TY_MODULE && from->kind == LIMBO_TY_MODULE)
		return 1;
	return limbo_ty_equal(to, from);
}

/* A growing string in a fixed buffer (diagnostics truncate). */
typedef struct Str {
	char *p;
	size_t n, len;
} Str;

static void
puts_(Str *s, const char *t)
{
	size_t k = strlen(t);

	if (s->n == 0)
		return;
	if (s->len + k >= s->n)
		k = s->n - 1 - s->len;
	memcpy(s->p + s->len, t, k);
	s->len += k;
	s->p[s->len] = 0;
}

static void
tystr(Str *s, const LimboType *t, int depth)
{
	static const char *const basic[] = {
		[LIMBO_TY_ERROR] = "<error>", [LIMBO_TY_NONE] = "no type", [LIMBO_TY_INT] = "int",
		[LIMBO_TY_BIG] = "big", [LIMBO_TY_BYTE] = "byte", [LIMBO_TY_REAL] = "real",
		[LIMBO_TY_STRING] = "string", [LIMBO_TY_NIL] = "nil", [LIMBO_TY_ANY] = "any",
		[LIMBO_TY_EXCEPTION] = "exception", [LIMBO_TY_FIXED] = "fixed",
	};

	if (t == NULL) {
		puts_(s, "no type");
		return;
	}
	if (depth > 8) {
		puts_(s, "...");
		return;
	}
	switch (t->kind) {
	case LIMBO_TY_ADT: case LIMBO_TY_MODULE: case LIMBO_TY_POLY:
		puts_(s, t->decl != NULL ? t->decl->name : "adt");
		if (limbo_poly_isinst(t)) {
			/* an instance: its type arguments, as Inferno writes them */
			puts_(s, "[");
			for (const LimboDecl *x = t->polys; x != NULL; x = x->next) {
				tystr(s, x->ty, depth + 1);
				if (x->next != NULL)
					puts_(s, ", ");
			}
			puts_(s, "]");
		}
		break;
	case LIMBO_TY_ADTPICK:
		tystr(s, t->of, depth + 1);
		puts_(s, ".");
		puts_(s, t->decl != NULL ? t->decl->name : "?");
		break;
	case LIMBO_TY_REF:
		puts_(s, "ref ");
		tystr(s, t->of, depth + 1);
		break;
	case LIMBO_TY_ARRAY: case LIMBO_TY_LIST: case LIMBO_TY_CHAN:
		puts_(s, t->kind == LIMBO_TY_ARRAY ? "array of " : t->kind == LIMBO_TY_LIST ? "list of " : "chan of ");
		tystr(s, t->of, depth + 1);
		break;
	case LIMBO_TY_TUPLE: case LIMBO_TY_FN:
		puts_(s, t->kind == LIMBO_TY_FN ? "fn(" : "(");
		for (const LimboDecl *d = t->ids; d != NULL; d = d->next) {
			tystr(s, d->ty, depth + 1);
			if (d->next != NULL)
				puts_(s, ", ");
		}
		if (t->varargs)
			puts_(s, t->ids != NULL ? ", *" : "*");
		puts_(s, ")");
		if (t->kind == LIMBO_TY_FN && t->of != NULL && t->of->kind != LIMBO_TY_NONE) {
			puts_(s, ": ");
			tystr(s, t->of, depth + 1);
		}
		break;
	default:
		puts_(s, t->kind < (int)(sizeof basic / sizeof basic[0]) && basic[t->kind] ? basic[t->kind] : "?");
	}
}

const char *
limbo_ty_str(const LimboType *t, char *buf, size_t n)
{
	Str s = {buf, n, 0};

	if (n > 0)
		buf[0] = 0;
	tystr(&s, t, 0);
	return buf;
}

enum { IBY2WD = 4 };

static int
align_up(int off, int al)
{
	return al > 1 ? (off + al - 1) / al * al : off;
}

/* Lays out a list of fields from offset off; returns the end and the
 * largest alignment in *al. Only fields that take space are placed. */
static int
layout(LimboDecl *d, int off, int *al)
{
	for (; d != NULL; d = d->next) {
		if (!storespace(d) || d->ty == NULL)
			continue;
		limbo_ty_size(d->ty);
		off = align_up(off, d->ty->align);
		d->offset = off;
		off += d->ty->size;
		if (d->ty->align > *al)
			*al = d->ty->align;
	}
	return off;
}

void
limbo_ty_size(LimboType *t)
{
	int al = 1, end;

	if (t == NULL || t->size > 0 || t->sizing)
		return;
	switch (t->kind) {
	case LIMBO_TY_BYTE:
		t->size = t->align = 1;
		return;
	case LIMBO_TY_BIG: case LIMBO_TY_REAL:
		t->size = t->align = 8;
		return;
	case LIMBO_TY_TUPLE: case LIMBO_TY_ADT: case LIMBO_TY_ADTPICK: case LIMBO_TY_EXCEPTION:
		break;
	case LIMBO_TY_NONE:
		t->align = 1;
		return;
	default:
		/* int, fixed and every pointer: one word */
		t->size = t->align = IBY2WD;
		return;
	}
	t->sizing = 1;
	end = 0;
	if (t->kind == LIMBO_TY_ADTPICK && t->of != NULL) {
		/* a pick case follows its adt's common fields */
		limbo_ty_size(t->of);
		end = t->of->size;
		al = t->of->align;
	} else if (t->kind == LIMBO_TY_ADT && t->tags != NULL) {
		end = IBY2WD; /* the tag word comes first */
		al = IBY2WD;
	} else if (t->kind == LIMBO_TY_EXCEPTION) {
		end = 2 * IBY2WD; /* the name, then a word Inferno leaves 0 */
		al = IBY2WD;
	}
	end = layout(t->ids, end, &al);
	t->align = al;
	t->size = align_up(end, al);
	if (t->size == 0)
		t->size = 0; /* an empty adt occupies nothing */
	t->sizing = 0;
	for (LimboDecl *g = t->tags; g != NULL; g = g->next)
		limbo_ty_size(g->ty);
}

/* A stable sort by name (Inferno's namesort: a merge that keeps equal
 * names in the order they came). */
static void
namesort(LimboDecl **v, int n)
{
	for (int i = 1; i < n; i++) {
		LimboDecl *x = v[i];
		int j = i;
		while (j > 0 && strcmp(v[j - 1]->name, x->name) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

int
limbo_iface(const LimboType *mod, int store, LimboDecl **out, int max)
{
	int n = 0;

	for (LimboDecl *d = mod->ids; d != NULL && n < max; d = d->next) {
		if (d->store == store && d->ty != NULL && (store != LIMBO_D_FN || d->ty->kind == LIMBO_TY_FN)) {
			out[n++] = d;
			continue;
		}
		/* an adt's functions stand where the adt is declared */
		if (store != LIMBO_D_FN || d->store != LIMBO_D_TYPE || d->ty == NULL ||
		    d->ty->kind != LIMBO_TY_ADT || d->ty->decl != d)
			continue;
		for (LimboDecl *f = d->ty->ids; f != NULL && n < max; f = f->next)
			if (f->store == LIMBO_D_FN && f->ty != NULL && f->ty->kind == LIMBO_TY_FN)
				out[n++] = f;
	}
	namesort(out, n);
	return n;
}

/* Signature strings. */
typedef struct Sig {
	LimboChecker *c;
	char *p;
	size_t len, cap;
	const LimboType *seen[256]; /* adts, picks, tuples, modules visited */
	int nseen;
	int bad;
} Sig;

static void
sput(Sig *s, const char *t, size_t k)
{
	if (s->len + k + 1 > s->cap) {
		size_t ncap = (s->cap + k + 1) * 2;
		char *np = limbo_arena_alloc(s->c->a, ncap);
		if (np == NULL) {
			s->bad = 1;
			return;
		}
		if (s->len > 0)
			memcpy(np, s->p, s->len);
		s->p = np;
		s->cap = ncap;
	}
	memcpy(s->p + s->len, t, k);
	s->len += k;
	s->p[s->len] = 0;
}

static void sputs(Sig *s, const char *t) { sput(s, t, strlen(t)); }
static void sputc(Sig *s, char ch) { sput(s, &ch, 1); }

static void rtsign(Sig *s, const LimboType *t, int depth);

static void
idsign1(Sig *s, const LimboDecl *d, int names, int depth)
{
	if (names) {
		sputs(s, d->name != NULL ? d->name : "nil");
		sputc(s, ':');
	}
	if (d->self)
		sputc(s, 'S');
	if (d->cyc)
		sputc(s, 'y');
	rtsign(s, d->ty, depth + 1);
}

static void
idsign(Sig *s, const LimboDecl *d, int names, int depth)
{
	int first = 1;

	sputc(s, '(');
	for (; d != NULL; d = d->next) {
		if (!storespace(d))
			continue;
		if (!first)
			sputc(s, ',');
		idsign1(s, d, names, depth);
		first = 0;
	}
	sputc(s, ')');
}

static void
rtsign(Sig *s, const LimboType *t, int depth)
{
	static const char kinds[] = {
		[LIMBO_TY_NONE] = 'n', [LIMBO_TY_ADT] = 'a', [LIMBO_TY_ADTPICK] = 'p',
		[LIMBO_TY_ARRAY] = 'A', [LIMBO_TY_BIG] = 'B', [LIMBO_TY_BYTE] = 'b',
		[LIMBO_TY_CHAN] = 'C', [LIMBO_TY_REAL] = 'r', [LIMBO_TY_FN] = 'f',
		[LIMBO_TY_INT] = 'i', [LIMBO_TY_LIST] = 'L', [LIMBO_TY_MODULE] = 'm',
		[LIMBO_TY_REF] = 'R', [LIMBO_TY_STRING] = 's', [LIMBO_TY_TUPLE] = 't',
		[LIMBO_TY_EXCEPTION] = 'e', [LIMBO_TY_FIXED] = 'x', [LIMBO_TY_POLY] = 'P',
		[LIMBO_TY_ANY] = 0,
	};

	if (t == NULL)
		return;
	if (depth > 200) {
		s->bad = 1;
		return;
	}
	if (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_ADTPICK || t->kind == LIMBO_TY_TUPLE ||
	    t->kind == LIMBO_TY_MODULE || t->kind == LIMBO_TY_EXCEPTION) {
		/* a type equal to one already signed is written @N */
		for (int i = 0; i < s->nseen; i++) {
			Assume as = {.n = 0, .sig = 1};
			if (s->seen[i] == t || requal(s->seen[i], t, &as)) {
				char num[16];
				snprintf(num, sizeof num, "@%d", i + 1);
				sputs(s, num);
				return;
			}
		}
		if (s->nseen < 256)
			s->seen[s->nseen++] = t;
	}
	if (t->kind >= (int)sizeof kinds || kinds[t->kind] == 0) {
		sputc(s, 'n'); /* error or unknown: nothing better to say */
		return;
	}
	sputc(s, kinds[t->kind]);
	switch (t->kind) {
	case LIMBO_TY_REF: case LIMBO_TY_LIST: case LIMBO_TY_ARRAY: case LIMBO_TY_CHAN:
		rtsign(s, t->of, depth + 1);
		break;
	case LIMBO_TY_FN:
		if (t->varargs)
			sputc(s, '*');
		if (t->polys != NULL)
			idsign(s, t->polys, 0, depth);
		idsign(s, t->ids, 0, depth);
		if (t->raises != NULL) {
			sputc(s, '(');
			for (int i = 0; i < t->raises->nkids; i++) {
				const LimboNode *r = t->raises->kids[i];
				if (i > 0)
					sputc(s, ',');
				sputs(s, r != NULL && r->name != NULL ? r->name : "nil");
			}
			sputc(s, ')');
		}
		rtsign(s, t->of, depth + 1);
		break;
	case LIMBO_TY_TUPLE:
		idsign(s, t->ids, 0, depth);
		break;
	case LIMBO_TY_ADT:
		if (t->polys != NULL)
			idsign(s, t->polys, 0, depth);
		if (limbo_poly_isinst(t) && s->c != NULL) {
			/* Stack[string]: its fields as instantiated (Inferno signs
			 * the expanded type) */
			LimboBinds b;
			int first = 1;
			limbo_poly_instbinds(t, &b);
			sputc(s, '(');
			for (const LimboDecl *d = t->ids; d != NULL; d = d->next) {
				LimboDecl x;
				if (!storespace(d))
					continue;
				if (!first)
					sputc(s, ',');
				x = *d;
				x.ty = limbo_poly_subst(s->c, d->ty, &b, 0);
				idsign1(s, &x, 1, depth);
				first = 0;
			}
			sputc(s, ')');
		} else {
			idsign(s, t->ids, 1, depth);
		}
		if (t->tags != NULL) {
			/* the closing ) becomes a , and the tags follow */
			s->p[s->len - 1] = ',';
			for (const LimboDecl *g = t->tags; g != NULL; g = g->next) {
				sputs(s, g->name);
				sputs(s, "=>");
				rtsign(s, g->ty, depth + 1);
				if (g->next != NULL)
					sputc(s, ',');
			}
			sputc(s, ')');
		}
		break;
	case LIMBO_TY_ADTPICK:
		idsign(s, t->ids, 1, depth);
		rtsign(s, t->of, depth + 1);
		break;
	case LIMBO_TY_MODULE: {
		/* the interface as Inferno's mkiface lists it: the data first,
		 * then every function, its adts' included, each sorted by name */
		LimboDecl *fns[LIMBO_MAX_IFACE];
		int n;
		sputc(s, '{');
		n = limbo_iface(t, LIMBO_D_GLOBAL, fns, LIMBO_MAX_IFACE);
		for (int i = 0; i < n; i++) {
			idsign1(s, fns[i], 1, depth);
			sputc(s, ';');
		}
		n = limbo_iface(t, LIMBO_D_FN, fns, LIMBO_MAX_IFACE);
		if (n == LIMBO_MAX_IFACE)
			s->bad = 1;
		for (int i = 0; i < n; i++) {
			idsign1(s, fns[i], 1, depth);
			sputc(s, ';');
		}
		sputc(s, '}');
		break;
	}
	}
}

const char *
limbo_mp_sigstr(LimboChecker *c, const LimboType *mod)
{
	LimboDecl *vars[LIMBO_MAX_IFACE];
	int n = limbo_iface(mod, LIMBO_D_GLOBAL, vars, LIMBO_MAX_IFACE);
	Sig *s;

	if (n == 0)
		return NULL;
	s = limbo_arena_alloc(c->a, sizeof *s);
	if (s == NULL)
		return NULL;
	s->c = c;
	sput(s, "", 0);
	for (int i = 0; i < n; i++) {
		idsign1(s, vars[i], 1, 0);
		sputc(s, ';');
	}
	return s->p;
}

const char *
limbo_ty_sigstr(LimboChecker *c, const LimboType *t)
{
	Sig *s = limbo_arena_alloc(c->a, sizeof *s);

	if (s == NULL)
		return "";
	s->c = c;
	sput(s, "", 0);
	rtsign(s, t, 0);
	return s->p != NULL ? s->p : "";
}

int
limbo_fn_frame(LimboType *fn)
{
	int al = 1;

	/* arguments follow the registers and temporaries (MaxTemp) */
	return layout(fn->ids, LIMBO_MAXTEMP, &al);
}
