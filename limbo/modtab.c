/*
 * limbo -t: the runtime table of a builtin module, written as a C header
 * for Acheron's VM from the module's own .m declaration, as Inferno's
 * mkfiles run `limbo -t Sys` to make libinterp/sysmod.h. The names,
 * signatures and frame layouts are the ones this compiler computes for an
 * importer, so the VM's tables cannot drift from what programs link
 * against; the argument types go with them for the VM's marshaller
 * (vm/builtin.c), which checks every argument before a builtin runs.
 *
 * Follows: inferno-os limbo/stubs.c modtab() (what an entry holds and in
 * which order), mkdesc() (frame size and map: arguments from MaxTemp, the
 * size rounded to MaxAlign); vm/builtin.h for the structures written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limbo/check.h"

/* Most distinct types one table may describe. */
enum { MAX_TYPES = 512, MAXALIGN = 8 };

typedef struct Tab {
	LimboChecker c;          /* signature strings need the unit's arena */
	FILE *out;
	const char *mod;         /* "Sys" */
	LimboType *ty[MAX_TYPES]; /* every type described, in first-use order */
	int nty;
	int full;                /* more than MAX_TYPES */
	int bad;                 /* a name the header cannot quote */
} Tab;

/* Types that differ only in identity (type variables, function and
 * exception types) are not merged: only equal adts, tuples and the
 * constructed types over them are. */
static int
same(const LimboType *a, const LimboType *b)
{
	if (a == b)
		return 1;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case LIMBO_TY_POLY: case LIMBO_TY_ANY: case LIMBO_TY_ERROR: case LIMBO_TY_FN:
	case LIMBO_TY_EXCEPTION: case LIMBO_TY_MODULE:
		return 0;
	}
	return limbo_ty_equal(a, b);
}

static int
isfield(const LimboDecl *d)
{
	return d->store == LIMBO_D_FIELD && d->ty != NULL;
}

/* The number of t in the table, adding it and what it refers to. */
static int
collect(Tab *tb, LimboType *t)
{
	int k;

	for (k = 0; k < tb->nty; k++)
		if (same(tb->ty[k], t))
			return k;
	if (tb->nty == MAX_TYPES) {
		tb->full = 1;
		return 0;
	}
	limbo_ty_size(t);
	k = tb->nty++;
	tb->ty[k] = t;
	switch (t->kind) {
	case LIMBO_TY_REF: case LIMBO_TY_ARRAY: case LIMBO_TY_LIST: case LIMBO_TY_CHAN:
		if (t->of != NULL)
			(void)collect(tb, t->of);
		break;
	case LIMBO_TY_ADT: case LIMBO_TY_TUPLE: case LIMBO_TY_ADTPICK:
		for (LimboDecl *f = t->ids; f != NULL; f = f->next)
			if (isfield(f))
				(void)collect(tb, f->ty);
		break;
	}
	return k;
}

static int
tyindex(Tab *tb, const LimboType *t)
{
	for (int k = 0; k < tb->nty; k++)
		if (same(tb->ty[k], t))
			return k;
	return 0;
}

/* Sets the bits of t's pointer words, t laid at byte off, in map (MSB
 * first, one bit a word); nmap bytes. A pick adt's tag cases differ in
 * layout, so only its common fields count. */
static void
ptrmap(const LimboType *t, int off, uint8_t *map, int nmap)
{
	switch (t->kind) {
	case LIMBO_TY_ADT: case LIMBO_TY_TUPLE: case LIMBO_TY_ADTPICK:
		if (t->kind == LIMBO_TY_ADTPICK && t->of != NULL)
			ptrmap(t->of, off, map, nmap);
		for (const LimboDecl *f = t->ids; f != NULL; f = f->next)
			if (isfield(f))
				ptrmap(f->ty, off + f->offset, map, nmap);
		return;
	default:
		if (limbo_ty_isptr(t) && off / 4 / 8 < nmap)
			map[off / 4 / 8] |= (uint8_t)(0x80 >> (off / 4 % 8));
	}
}

/* Does a value of type t hold a pointer? */
static int
hasptr(const LimboType *t, int depth)
{
	if (limbo_ty_isptr(t) || depth > LIMBO_MAX_DEPTH)
		return 1;
	if (t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADTPICK)
		for (const LimboDecl *f = t->ids; f != NULL; f = f->next)
			if (isfield(f) && hasptr(f->ty, depth + 1))
				return 1;
	return 0;
}

/* Bytes of map that matter: up to the last with a bit set. */
static int
maplen(const uint8_t *map, int nmap)
{
	while (nmap > 0 && map[nmap - 1] == 0)
		nmap--;
	return nmap;
}

static void
putmap(Tab *tb, const uint8_t *map, int n)
{
	if (n == 0) {
		fputs("NULL", tb->out);
		return;
	}
	fputs("(const uint8_t[]){", tb->out);
	for (int i = 0; i < n; i++)
		fprintf(tb->out, "%s0x%02x", i > 0 ? ", " : "", map[i]);
	fputc('}', tb->out);
}

/* A C string literal of s (names and signatures: letters, digits and
 * punctuation that needs no escape); NULL as NULL. */
static void
putstr(Tab *tb, const char *s)
{
	if (s == NULL) {
		fputs("NULL", tb->out);
		return;
	}
	for (const char *p = s; *p != 0; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\' || (*p == '?' && p[1] == '?'))
			tb->bad = 1;
	fprintf(tb->out, "\"%s\"", s);
}

static const char *
kindname(const LimboType *t)
{
	switch (t->kind) {
	case LIMBO_TY_NONE: return "VM_BT_NONE";
	case LIMBO_TY_INT: return "VM_BT_INT";
	case LIMBO_TY_BIG: return "VM_BT_BIG";
	case LIMBO_TY_BYTE: return "VM_BT_BYTE";
	case LIMBO_TY_REAL: return "VM_BT_REAL";
	case LIMBO_TY_FIXED: return "VM_BT_FIXED";
	case LIMBO_TY_STRING: return "VM_BT_STRING";
	case LIMBO_TY_ARRAY: return "VM_BT_ARRAY";
	case LIMBO_TY_LIST: return "VM_BT_LIST";
	case LIMBO_TY_CHAN: return "VM_BT_CHAN";
	case LIMBO_TY_REF: return "VM_BT_REF";
	case LIMBO_TY_MODULE: return "VM_BT_MODULE";
	case LIMBO_TY_TUPLE: return "VM_BT_TUPLE";
	case LIMBO_TY_ADT: return t->tags != NULL ? "VM_BT_PICK" : "VM_BT_ADT";
	case LIMBO_TY_ADTPICK: return "VM_BT_PICK";
	case LIMBO_TY_FN: return "VM_BT_FN";
	}
	return "VM_BT_ANY"; /* type variables, exceptions: not checked */
}

static int
nfields(const LimboType *t)
{
	int n = 0;

	for (const LimboDecl *f = t->ids; f != NULL; f = f->next)
		n += isfield(f);
	return n;
}

static void
put_type(Tab *tb, int k)
{
	const LimboType *t = tb->ty[k];
	FILE *o = tb->out;
	char buf[256];
	int aggregate = t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_TUPLE || t->kind == LIMBO_TY_ADTPICK;

	fprintf(o, "static const VmBuiltinType %s_t%d = {.kind = %s, .size = %d", tb->mod, k, kindname(t),
	        t->kind == LIMBO_TY_NONE ? 0 : t->size);
	if (t->of != NULL && t->kind != LIMBO_TY_ADTPICK && t->kind != LIMBO_TY_FN)
		fprintf(o, ", .of = &%s_t%d", tb->mod, tyindex(tb, t->of));
	if ((t->kind == LIMBO_TY_ADT || t->kind == LIMBO_TY_ADTPICK) && t->decl != NULL) {
		fputs(", .name = ", o);
		putstr(tb, t->decl->name);
	}
	if (aggregate) {
		int nm = (t->size / 4 + 7) / 8;
		uint8_t *map = calloc((size_t)nm + 1, 1);
		if (map == NULL) {
			tb->c.a->nomem = 1;
			return;
		}
		if (nfields(t) > 0)
			fprintf(o, ", .fields = %s_f%d, .nfields = %d", tb->mod, k, nfields(t));
		ptrmap(t, 0, map, nm);
		nm = maplen(map, nm);
		if (nm > 0) {
			fprintf(o, ", .np = %d, .map = ", nm);
			putmap(tb, map, nm);
		}
		free(map);
	}
	fprintf(o, "}; /* %s */\n", limbo_ty_str(t, buf, sizeof buf));
}

static void
put_fields(Tab *tb, int k)
{
	const LimboType *t = tb->ty[k];

	if (nfields(t) == 0)
		return;
	fprintf(tb->out, "static const VmBuiltinField %s_f%d[] = {\n", tb->mod, k);
	for (const LimboDecl *f = t->ids; f != NULL; f = f->next) {
		if (!isfield(f))
			continue;
		fputs("\t{", tb->out);
		putstr(tb, f->name);
		fprintf(tb->out, ", %d, &%s_t%d},\n", f->offset, tb->mod, tyindex(tb, f->ty));
	}
	fputs("};\n", tb->out);
}

/* Module_fn, or Adt_fn for a function of one of the module's adts
 * (Inferno's C names, stubs.c modtab); `dotted` is "Adt.fn" or "fn". */
static void
names(const LimboDecl *f, const char *mod, char *cname, size_t ncname, char *dotted, size_t ndotted)
{
	int adt = f->dot != NULL && f->dot->ty != NULL && f->dot->ty->kind == LIMBO_TY_ADT;

	snprintf(cname, ncname, "%s_%s", adt ? f->dot->name : mod, f->name);
	if (adt)
		snprintf(dotted, ndotted, "%s.%s", f->dot->name, f->name);
	else
		snprintf(dotted, ndotted, "%s", f->name);
}

/* The module's PATH constant ("$Sys"), or NULL. */
static const char *
modpath(Tab *tb, const LimboType *mod)
{
	for (const LimboDecl *d = mod->ids; d != NULL; d = d->next) {
		LimboConst v;
		if (d->store == LIMBO_D_CONST && strcmp(d->name, "PATH") == 0 && d->node != NULL &&
		    limbo_fold(tb->c.a, d->node, &v) && v.kind == LIMBO_C_STRING) {
			char *s = limbo_arena_strndup(tb->c.a, v.s, v.len);
			return s;
		}
	}
	return NULL;
}

static const LimboType *
find_module(const LimboUnit *u, const char *name)
{
	const LimboNode *root = limbo_unit_root(u);

	for (int i = 0; i < root->nkids; i++) {
		const LimboNode *n = root->kids[i];
		const LimboNode *id;
		if (n == NULL || n->kind != LIMBO_N_MODDECL || n->kids[0] == NULL || n->kids[0]->nkids < 1)
			continue;
		id = n->kids[0]->kids[0];
		if (id != NULL && id->decl != NULL && id->decl->ty != NULL &&
		    id->decl->ty->kind == LIMBO_TY_MODULE && strcmp(id->name, name) == 0)
			return id->decl->ty;
	}
	return NULL;
}

static void
upper(char *dst, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i] != 0; i++)
		dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	dst[i] = 0;
}

static void
put_header(Tab *tb, const LimboType *mod, const char *src, LimboDecl **fns, int n)
{
	FILE *o = tb->out;
	const char *path = modpath(tb, mod);
	char up[128], cname[256], dotted[256], buf[512];

	upper(up, sizeof up, tb->mod);
	fprintf(o, "/* Generated by limbo -t %s from %s: the table of builtin module %s\n"
	           " * for vm/builtin.h. Do not edit; change the .m file. */\n",
	        tb->mod, src, tb->mod);
	fprintf(o, "#ifndef VM_GEN_%s_H\n#define VM_GEN_%s_H\n\n#include \"vm/builtin.h\"\n\n", up, up);
	if (path != NULL) {
		fprintf(o, "#define VM_%s_PATH ", up);
		putstr(tb, path);
		fputc('\n', o);
	}
	fprintf(o, "#define VM_%s_NFUNCS %d\n\n", up, n);
	fputs("/* The C functions, by Inferno's names after vm_. One the VM does not\n"
	      " * provide is defined as NULL before this header is included: it is left\n"
	      " * out of the module, and importing it fails to link. */\n", o);
	for (int i = 0; i < n; i++) {
		names(fns[i], tb->mod, cname, sizeof cname, dotted, sizeof dotted);
		fprintf(o, "#ifndef vm_%s\nvoid vm_%s(VmThread *t, uint8_t *fp);\n#endif\n", cname, cname);
	}
	/* types: declared first, as adts may refer to themselves */
	fputc('\n', o);
	for (int k = 0; k < tb->nty; k++)
		fprintf(o, "static const VmBuiltinType %s_t%d;\n", tb->mod, k);
	for (int k = 0; k < tb->nty; k++)
		put_fields(tb, k);
	for (int k = 0; k < tb->nty; k++)
		put_type(tb, k);
	/* each adt the module declares, for vm_builtin_adt */
	for (const LimboDecl *d = mod->ids; d != NULL; d = d->next)
		if (d->store == LIMBO_D_TYPE && d->ty != NULL && d->ty->kind == LIMBO_TY_ADT && d->ty->decl == d) {
			fprintf(o, "#define VM_%s_ADT_%s (&%s_t%d)\n", up, d->name, tb->mod, tyindex(tb, d->ty));
		}
	/* arguments, frame offsets */
	for (int i = 0; i < n; i++) {
		const LimboType *ft = fns[i]->ty;
		names(fns[i], tb->mod, cname, sizeof cname, dotted, sizeof dotted);
		if (ft->ids == NULL)
			continue;
		fprintf(o, "\nstatic const VmBuiltinField %s_args[] = {\n", cname);
		for (const LimboDecl *a = ft->ids; a != NULL; a = a->next) {
			fputc('\t', o);
			fputc('{', o);
			putstr(tb, a->name);
			fprintf(o, ", %d, &%s_t%d},\n", a->offset, tb->mod, tyindex(tb, a->ty));
		}
		fputs("};", o);
	}
	/* the table, in the interface's order */
	fprintf(o, "\n\n__attribute__((unused)) static const VmBuiltinFunc vm_%s_tab[] = {\n", tb->mod);
	for (int i = 0; i < n; i++) {
		LimboType *ft = fns[i]->ty;
		const char *sig = limbo_ty_sigstr(&tb->c, ft);
		int end = limbo_fn_frame(ft), size = ft->varargs ? 0 : (end + MAXALIGN - 1) / MAXALIGN * MAXALIGN;
		int nm = (size / 4 + 7) / 8, nargs = 0, ptrargs = 0;
		uint8_t *map = calloc((size_t)nm + 1, 1);

		if (map == NULL) {
			tb->c.a->nomem = 1;
			return;
		}
		for (const LimboDecl *a = ft->ids; a != NULL; a = a->next) {
			nargs++;
			ptrargs += hasptr(a->ty, 0);
			if (!ft->varargs)
				ptrmap(a->ty, a->offset, map, nm);
		}
		nm = maplen(map, nm);
		names(fns[i], tb->mod, cname, sizeof cname, dotted, sizeof dotted);
		fprintf(o, "\t/* %s: %s */\n\t{.name = ", dotted, limbo_ty_str(ft, buf, sizeof buf));
		putstr(tb, dotted);
		fprintf(o, ", .sig = 0x%08x, .fn = vm_%s,\n\t .sigstr = ", (unsigned)ac_sig_hash(sig), cname);
		putstr(tb, sig);
		fprintf(o, ",\n\t .size = %d, .np = %d, .map = ", size, nm);
		putmap(tb, map, nm);
		free(map);
		fprintf(o, ", .varargs = %d, .argend = %d,\n\t .nargs = %d, .ptrargs = %d, .args = ", ft->varargs, end,
		        nargs, ptrargs);
		if (nargs > 0)
			fprintf(o, "%s_args", cname);
		else
			fputs("NULL", o);
		fprintf(o, ", .ret = &%s_t%d},\n", tb->mod, tyindex(tb, ft->of));
	}
	fputs("};\n\n#endif\n", o);
}

int
limbo_modtab(LimboUnit *u, const char *module, const char *srcname, FILE *out, AcErr *err)
{
	LimboDecl *fns[LIMBO_MAX_IFACE];
	const LimboType *mod;
	Tab *tb;
	int n, rc = AC_OK;

	if (u == NULL || !u->checked || limbo_unit_nerrors(u) > 0)
		return ac_err_set(err, AC_EINVAL, "limbo_modtab: the unit is not checked, or has errors");
	mod = find_module(u, module);
	if (mod == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: no module %s declared", srcname, module);
	tb = ac_calloc(1, sizeof *tb, "module table", err);
	if (tb == NULL)
		return AC_ENOMEM;
	tb->c.u = u;
	tb->c.a = &u->arena;
	tb->out = out;
	tb->mod = module;
	n = limbo_iface(mod, LIMBO_D_FN, fns, LIMBO_MAX_IFACE);
	if (n == LIMBO_MAX_IFACE)
		tb->full = 1;
	for (int i = 0; i < n; i++) {
		LimboType *ft = fns[i]->ty;
		(void)limbo_fn_frame(ft);
		for (LimboDecl *a = ft->ids; a != NULL; a = a->next)
			if (a->ty != NULL)
				(void)collect(tb, a->ty);
		if (ft->of == NULL)
			tb->full = 1; /* cannot happen: a checked fn has a result type */
		else
			(void)collect(tb, ft->of);
	}
	if (!tb->full)
		put_header(tb, mod, srcname, fns, n);
	if (tb->full)
		rc = ac_err_set(err, AC_EINVAL, "%s: module %s has too many functions or types for a table", srcname,
		                module);
	else if (tb->bad)
		rc = ac_err_set(err, AC_EINVAL, "%s: module %s: a name or signature the header cannot quote", srcname,
		                module);
	else if (tb->c.a->nomem)
		rc = ac_err_set(err, AC_ENOMEM, "out of memory writing the table of %s", module);
	else if (ferror(out))
		rc = ac_err_set(err, AC_EIO, "writing the table of %s: output error", module);
	free(tb);
	return rc;
}
