/*
 * Modules: turning a parsed .dis file into executable form (decoded
 * operands, type descriptors in the arena, initial module data), module
 * instances (Modlink) whose links follow an importer's import table, and
 * the `load` path rules.
 */
#include "vm/vm_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint8_t
src_mode(int m)
{
	switch (m) {
	case DIS_AMP: return VM_OP_MP;
	case DIS_AFP: return VM_OP_FP;
	case DIS_AIMM: return VM_OP_IMM;
	case DIS_AIND | DIS_AMP: return VM_OP_IMP;
	case DIS_AIND | DIS_AFP: return VM_OP_IFP;
	}
	return VM_OP_NONE;
}

static uint8_t
mid_mode(int m)
{
	switch (m) {
	case DIS_AXIMM: return VM_OP_IMM;
	case DIS_AXINF: return VM_OP_FP;
	case DIS_AXINM: return VM_OP_MP;
	}
	return VM_OP_NONE;
}

/* Is the word at byte offset off of an object of type t a pointer? */
static int
ptr_word(const VmType *t, size_t off)
{
	size_t w;

	if (t->size > 0)
		off %= (size_t)t->size;
	w = off / 4;
	return off % 4 == 0 && (int32_t)(w / 8) < t->np && (t->map[w / 8] & (0x80 >> (w % 8)));
}

/* Does [off, off+n) overlap a pointer word of t? */
static int
overlaps_ptr(const VmType *t, size_t off, size_t n)
{
	for (size_t o = off & ~(size_t)3; o < off + n; o += 4)
		if (ptr_word(t, o))
			return 1;
	return 0;
}

/* Where each instruction falls through to: past any unconditional jmps
 * that follow it (a few hops, so a jmp to itself stays a jmp), which saves
 * a dispatch per loop iteration. Not after call and mcall: an exception
 * unwinding to the caller finds the call at the return pc - 1. */
static void
thread_jumps(VmModule *m)
{
	for (int32_t k = 0; k < m->ninst; k++) {
		VmInst *in = &m->inst[k];
		const VmInst *nx = in + 1;
		if (in->op != DIS_OP_CALL && in->op != DIS_OP_MCALL) {
			for (int hops = 0; hops < 4 && nx < m->inst + m->ninst && nx->op == DIS_OP_JMP; hops++)
				nx = m->inst + nx->dimm;
		}
		in->next = nx;
	}
	m->inst[m->ninst].next = &m->inst[m->ninst];
}

/* The fast-path form of one operand: base and offset, the immediate's
 * value kept in *imm and its address as the offset. */
static uint32_t
operand_slot(const VmInst *inst0, uint8_t mode, int32_t a, int32_t *imm, uint8_t *base)
{
	switch (mode) {
	case VM_OP_MP: *base = VM_BASE_MP; return (uint32_t)a;
	case VM_OP_FP: *base = VM_BASE_FP; return (uint32_t)a;
	case VM_OP_IMM:
		*imm = a;
		*base = VM_BASE_ABS;
		return (uint32_t)((const uint8_t *)imm - (const uint8_t *)inst0);
	case VM_OP_IMP: case VM_OP_IFP: *base = VM_BASE_ABS; return (uint32_t)a;
	}
	*base = VM_BASE_ABS;
	return 0;
}

/* Data items may nest (DEFA/DIND/DAPOP); base and limit track where the
 * current item's offsets point. */
static int
load_data(Vm *vm, VmModule *m, uint8_t *mp, AcErr *err)
{
	const DisModule *dm = m->dis;
	uint8_t *stack[8], *base = mp;
	size_t lstack[8], limit = (size_t)dm->data_size;
	const VmType *tstack[8], *bt = m->type[0];
	int depth = 0;

	for (int32_t i = 0; i < dm->ndata; i++) {
		const DisData *d = &dm->data[i];
		size_t off = (size_t)d->offset, need = 0;

		switch (d->kind) {
		case DIS_DEFB: need = (size_t)d->count; break;
		case DIS_DEFW: need = 4 * (size_t)d->count; break;
		case DIS_DEFS: case DIS_DEFA: case DIS_DIND: need = 4; break;
		case DIS_DEFF: case DIS_DEFL: need = 8 * (size_t)d->count; break;
		}
		if (d->kind != DIS_DAPOP && (d->offset < 0 || off + need > limit))
			return ac_err_set(err, AC_EFORMAT, "%s: data item %d: offset %d outside its object", m->path, (int)i, (int)d->offset);
		/* Pointers only where the type map says, and only pointers there:
		 * otherwise a data item could forge a heap reference. */
		if ((d->kind == DIS_DEFS || d->kind == DIS_DEFA || d->kind == DIS_DIND) ? !ptr_word(bt, off)
		    : (d->kind != DIS_DAPOP && overlaps_ptr(bt, off, need)))
			return ac_err_set(err, AC_EFORMAT, "%s: data item %d: offset %d does not match the type's pointer map",
			                  m->path, (int)i, (int)d->offset);
		switch (d->kind) {
		case DIS_DEFB:
			memcpy(base + off, d->u.bytes, (size_t)d->count);
			break;
		case DIS_DEFW:
			memcpy(base + off, d->u.words, 4 * (size_t)d->count);
			break;
		case DIS_DEFF:
			memcpy(base + off, d->u.reals, 8 * (size_t)d->count);
			break;
		case DIS_DEFL:
			memcpy(base + off, d->u.bigs, 8 * (size_t)d->count);
			break;
		case DIS_DEFS: {
			VmString *s = vm_string_new_utf8(vm, (const char *)d->u.bytes, (size_t)d->count);
			if (s == NULL)
				return ac_err_set(err, AC_ENOMEM, "%s: out of memory for module data", m->path);
			vm_destroy(vm, *(uint32_t *)(base + off));
			*(uint32_t *)(base + off) = VM_WORD(s);
			break;
		}
		case DIS_DEFA: {
			VmArray *a;
			if (d->u.array.type < 0 || d->u.array.type >= m->ntype || d->u.array.len < 0)
				return ac_err_set(err, AC_EFORMAT, "%s: data item %d: bad array type or length", m->path, (int)i);
			a = vm_array_new(vm, m->type[d->u.array.type], d->u.array.len, 1);
			if (a == NULL)
				return ac_err_set(err, AC_ENOMEM, "%s: out of memory for module data", m->path);
			vm_destroy(vm, *(uint32_t *)(base + off));
			*(uint32_t *)(base + off) = VM_WORD(a);
			break;
		}
		case DIS_DIND: {
			uint32_t aw = *(uint32_t *)(base + off);
			VmArray *a = VM_PTR(aw);
			VmType *et;
			size_t nb;
			uint8_t *ad;
			if (aw == VM_H || depth == 8 || d->u.index < 0 || (uint32_t)d->u.index >= a->len ||
			    (ad = vm_array_bytes(vm, a, &et, &nb)) == NULL)
				return ac_err_set(err, AC_EFORMAT, "%s: data item %d: bad array index", m->path, (int)i);
			stack[depth] = base;
			tstack[depth] = bt;
			lstack[depth++] = limit;
			bt = et;
			base = ad + (size_t)d->u.index * (size_t)et->size;
			limit = (size_t)(a->len - (uint32_t)d->u.index) * (size_t)et->size;
			break;
		}
		case DIS_DAPOP:
			if (depth == 0)
				return ac_err_set(err, AC_EFORMAT, "%s: data item %d: apop without indir", m->path, (int)i);
			base = stack[--depth];
			limit = lstack[depth];
			bt = tstack[depth];
			break;
		default:
			return ac_err_set(err, AC_EFORMAT, "%s: data item %d: unknown kind %d", m->path, (int)i, d->kind);
		}
	}
	return AC_OK;
}

static void
module_free(Vm *vm, VmModule *m)
{
	if (m == NULL)
		return;
	if (m->origmp != NULL)
		vm_destroy(vm, VM_WORD(m->origmp));  /* an arena object */
	free(m->type);  /* the types stay in vm's table: objects may still name them */
	free(m->inst);
	free(m->link);
	free(m->path);
	dis_module_free(m->dis);
	free(m);
}

void
vm_module_unref(Vm *vm, VmModule *m)
{
	if (m == NULL || --m->ref > 0)
		return;
	for (VmModule **pp = &vm->modules; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	module_free(vm, m);
}

VmModule *
vm_module_from_dis(Vm *vm, DisModule *dm, const char *path, AcErr *err)
{
	VmModule *m = calloc(1, sizeof *m);

	if (m == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
		dis_module_free(dm);
		return NULL;
	}
	m->ref = 1;
	m->dis = dm;
	m->name = dm->name;
	m->path = strdup(path);
	m->ninst = dm->ninst;
	m->ntype = dm->ntype;
	m->nlink = dm->nlink;
	/* Host memory: Dis code cannot reach it. */
	m->inst = calloc((size_t)dm->ninst + 1, sizeof(VmInst));
	m->type = calloc((size_t)dm->ntype + 1, sizeof(VmType *));
	m->link = calloc((size_t)dm->nlink + 1, sizeof(VmLink));
	if (m->path == NULL || m->inst == NULL || m->type == NULL || m->link == NULL)
		goto nomem;
	for (int32_t i = 0; i < dm->ntype; i++) {
		const DisType *dt = &dm->type[i];
		m->type[i] = vm_type_new(vm, dt->size, dt->nmap, dt->map);
		if (m->type[i] == NULL)
			goto nomem;
	}
	for (int32_t i = 0; i < dm->ninst; i++) {
		const DisInst *di = &dm->inst[i];
		VmInst *vi = &m->inst[i];
		vi->op = di->op;
		vi->sm = src_mode(DIS_USRC(di->add));
		vi->mm = mid_mode(DIS_UMID(di->add));
		vi->dm = src_mode(DIS_UDST(di->add));
		vi->s2 = di->s.b;
		vi->d2 = di->d.b;
		vi->s = operand_slot(m->inst, vi->sm, di->s.a, &vi->simm, &vi->sb);
		vi->m = operand_slot(m->inst, vi->mm, di->m.a, &vi->mimm, &vi->mb);
		vi->d = operand_slot(m->inst, vi->dm, di->d.a, &vi->dimm, &vi->db);
		vi->ind = vi->sm >= VM_OP_IMP || vi->dm >= VM_OP_IMP;
		if (vi->mm == VM_OP_NONE) {
			/* An absent middle operand is the destination (Inferno). */
			vi->m = vi->d;
			vi->mb = vi->db;
		}
		vi->h = vm_fast_handler(vi);
	}
	thread_jumps(m);
	for (int32_t i = 0; i < dm->nlink; i++) {
		const DisLink *dl = &dm->link[i];
		m->link[i].pc = dl->pc;
		m->link[i].frame = dl->desc >= 0 && dl->desc < dm->ntype ? m->type[dl->desc] : NULL;
		m->link[i].sig = dl->sig;
		m->link[i].name = dl->name;
	}
	if (dm->ntype > 0) {
		m->origmp = vm_heap_new(vm, m->type[0]);
		if (m->origmp == NULL)
			goto nomem;
		if (load_data(vm, m, m->origmp, err) != AC_OK) {
			module_free(vm, m);
			return NULL;
		}
	}
	return m;
nomem:
	ac_err_set(err, AC_ENOMEM, "%s: out of memory loading module", path);
	module_free(vm, m);
	return NULL;
}

static void
modlink_final(Vm *vm, VmModlink *ml)
{
	if (ml->mp != VM_H)
		vm_destroy(vm, ml->mp);
	vm_module_unref(vm, ml->m);
	free(ml);
}

static void
modlink_destroy(Vm *vm, void *p)
{
	uint32_t w = VM_WORD(p);
	VmModlink *ml = vm_modlink_get(vm, w);

	if (ml == NULL)
		return;  /* a forged header's: names no instance */
	vm_handle_free(vm, w, VM_HK_MODLINK);
	ml->dead = 1;
	if (ml->hold == 0)
		modlink_final(vm, ml);
}

void
vm_modlink_release(Vm *vm, VmModlink *ml)
{
	if (--ml->hold == 0 && ml->dead)
		modlink_final(vm, ml);
}

void
vm_modlink_set_mp(VmModlink *ml, uint32_t mp)
{
	ml->mp = mp;
	((VmHobj *)VM_PTR(ml->word))->mp = mp;
}

static VmModlink *
modlink_alloc(Vm *vm, VmModule *m, int32_t nlinks)
{
	VmModlink *ml;
	VmHobj *o;

	vm_type_set_destroy(vm, vm->t_modlink, modlink_destroy);
	ml = calloc(1, sizeof(VmModlink) + (size_t)nlinks * sizeof(VmLink));
	if (ml == NULL)
		return NULL;
	o = vm_heap_alloc(vm, vm->t_modlink, sizeof(VmHobj));
	if (o == NULL || vm_handle_new(vm, ml, VM_HK_MODLINK, VM_WORD(o)) != AC_OK) {
		if (o != NULL)
			vm_destroy(vm, VM_WORD(o));
		free(ml);
		return NULL;
	}
	o->mp = VM_H;
	ml->word = VM_WORD(o);
	ml->m = m;
	m->ref++;
	ml->mp = VM_H;
	ml->nlinks = nlinks;
	ml->links = ml->link0;
	return ml;
}

VmModlink *
vm_modlink_new(Vm *vm, VmModule *m, const DisImportModule *imp, AcErr *err)
{
	int32_t n = imp != NULL ? imp->nfunc : m->nlink;
	VmModlink *ml = modlink_alloc(vm, m, n);

	if (ml == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", m->path);
		return NULL;
	}
	for (int32_t i = 0; i < n; i++) {
		const VmLink *l = NULL;
		if (imp == NULL) {
			l = &m->link[i];
		} else {
			for (int32_t j = 0; j < m->nlink; j++) {
				if (strcmp(m->link[j].name, imp->func[i].name) == 0) {
					l = &m->link[j];
					break;
				}
			}
			/* Inferno's words (libinterp/link.c linkm): the callee's
			 * signature, then the importer's, bare hex. A function the
			 * callee lacks reads as signature 0, the terminator of its
			 * export table there (linkm's "not implemented" message is
			 * unreachable). */
			if (l == NULL || l->sig != imp->func[i].sig) {
				ac_err_set(err, AC_ESIG, "link typecheck %s->%s() %x/%x", m->name, imp->func[i].name,
				           l != NULL ? l->sig : 0u, imp->func[i].sig);
				goto fail;
			}
		}
		ml->links[i] = *l;
	}
	if (m->origmp != NULL) {
		/* One module data instance per load: a copy of the initial data,
		 * sharing its strings and arrays as Inferno's newmp does. */
		uint8_t *mp = vm_heap_alloc(vm, m->type[0], (size_t)m->type[0]->size);
		if (mp == NULL) {
			ac_err_set(err, AC_ENOMEM, "%s: out of memory", m->path);
			goto fail;
		}
		memcpy(mp, m->origmp, (size_t)m->type[0]->size);
		vm_type_incmem(m->type[0], mp);
		vm_modlink_set_mp(ml, VM_WORD(mp));
	}
	return ml;
fail:
	vm_destroy(vm, ml->word);
	return NULL;
}

/* One argument letter of a builtin's frame: 'w' int, 'p' pointer, 'f'
 * real, 'l' big, 'D' a Sys->Dir by value (64 bytes, its four strings
 * first). Size and alignment in bytes; pointer words at the front. */
static void
arg_layout(char c, int32_t *size, int32_t *align, int *nptr)
{
	*size = *align = 4;
	*nptr = 0;
	switch (c) {
	case 'p': *nptr = 1; break;
	case 'f': case 'l': *size = *align = 8; break;
	case 'D': *size = 64; *align = 8; *nptr = 4; break;
	}
}

/* Offset of argument k (k < 0: the end of the arguments). */
static int32_t
arg_offset(const char *spec, int k)
{
	int32_t off = DIS_MAXTEMP, size, align;
	int nptr;

	for (int i = 0; spec[i] != 0 && spec[i] != '*'; i++) {
		arg_layout(spec[i], &size, &align, &nptr);
		off = (off + align - 1) & ~(align - 1);
		if (i == k)
			return off;
		off += size;
	}
	return off;
}

uint8_t *
vm_builtin_arg(uint8_t *fp, const char *spec, int k)
{
	return fp + arg_offset(spec, k);
}

VmModule *
vm_builtin_module(Vm *vm, const char *path, AcErr *err)
{
	for (int i = 0; i < vm->nbuiltins; i++) {
		VmBuiltinMod *b = &vm->builtins[i];
		VmModule *m;
		if (strcmp(b->path, path) != 0)
			continue;
		if (b->mod != NULL) {
			b->mod->ref++;
			return b->mod;
		}
		m = calloc(1, sizeof *m);
		if (m == NULL || (m->link = calloc((size_t)b->nfuncs + 1, sizeof(VmLink))) == NULL) {
			free(m);
			ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
			return NULL;
		}
		m->ref = 2;  /* one for the registry */
		m->name = (char *)b->path;  /* "$Sys", as Inferno's builtinmod */
		m->path = strdup(b->path);
		m->builtin = b;
		for (int j = 0; j < b->nfuncs; j++) {
			const VmBuiltinFunc *f = &b->funcs[j];
			VmLink *l = &m->link[m->nlink];
			if (f->fn == NULL)
				continue;  /* declared, not provided: importing it fails to link */
			l->pc = -1;
			l->fn = f->fn;
			l->sig = f->sig;
			l->name = f->name;
			l->bf = f;
			/* the generated layout; a variadic one's caller builds the frame */
			l->frame = f->varargs ? NULL : vm_type_new(vm, f->size, f->np, f->map);
			m->nlink++;
		}
		b->mod = m;
		return m;
	}
	ac_err_set(err, AC_EINVAL, "no builtin module %s", path);
	return NULL;
}


void
vm_builtin_fini(Vm *vm)
{
	for (int i = 0; i < vm->nbuiltins; i++) {
		VmModule *m = vm->builtins[i].mod;
		if (m == NULL)
			continue;
		for (int j = 0; j < m->nlink; j++)
			vm_type_unref(vm, m->link[j].frame);
		free(m->link);
		free(m->path);
		free(m);
		vm->builtins[i].mod = NULL;
	}
}

VmModule *
vm_module_load_path(Vm *vm, const char *path, const char *from, AcErr *err)
{
	char full[4096];

	if (path[0] == '$')
		return vm_builtin_module(vm, path, err);
	/* Absolute Inferno paths live under the root (emu -r); relative ones
	 * are tried in the working directory, then beside the loader. */
	if (path[0] == '/') {
		const char *root = vm->opt.root != NULL ? vm->opt.root : "";
		char name[2048];
		snprintf(name, sizeof name, "%s", path);
		vm_path_clean(name);  /* "/../x" is "/x": a name stays under the root */
		snprintf(full, sizeof full, "%s%s", strcmp(root, "/") == 0 ? "" : root, name);
	} else {
		snprintf(full, sizeof full, "%s", path);
		if (from != NULL && access(full, R_OK) != 0) {
			const char *slash = strrchr(from, '/');
			if (slash != NULL)
				snprintf(full, sizeof full, "%.*s/%s", (int)(slash - from), from, path);
		}
		/* Then each directory of the search path (DIS_PATH), in order. */
		for (const char *dp = vm->opt.dis_path; dp != NULL && *dp != 0 && access(full, R_OK) != 0;) {
			const char *colon = strchr(dp, ':');
			size_t n = colon != NULL ? (size_t)(colon - dp) : strlen(dp);
			if (n > 0)
				snprintf(full, sizeof full, "%.*s/%s", (int)n, dp, path);
			dp = colon != NULL ? colon + 1 : dp + n;
		}
		if (access(full, R_OK) != 0)
			snprintf(full, sizeof full, "%s", path);  /* report the name as given */
	}
	return vm_module_load_host(vm, full, err);
}

VmModule *
vm_module_load_host(Vm *vm, const char *full, AcErr *err)
{
	DisModule *dm;
	VmModule *m;

	for (m = vm->modules; m != NULL; m = m->next) {
		if (strcmp(m->path, full) == 0) {
			m->ref++;
			return m;
		}
	}
	dm = dis_module_load(full, err);
	if (dm == NULL)
		return NULL;
	if (vm->opt.verify != NULL && vm->opt.verify(vm->opt.verify_ctx, dm, full, err) != AC_OK) {
		dis_module_free(dm);
		return NULL;
	}
	m = vm_module_from_dis(vm, dm, full, err);
	if (m == NULL)
		return NULL;
	m->next = vm->modules;
	vm->modules = m;
	return m;
}
