/*
 * The builtin modules' registry: each module registers the table limbo -t
 * made from its .m file (vm/builtin.h); vm_builtin_module (module.c) makes
 * a module of it on first load.
 */
#include "vm/vm_impl.h"

#include <string.h>

int
vm_builtin_register(Vm *vm, const VmBuiltinDef *def, AcErr *err)
{
	VmBuiltinMod *b;

	if (vm->nbuiltins == (int)(sizeof vm->builtins / sizeof vm->builtins[0]))
		return ac_err_set(err, AC_EINVAL, "too many builtin modules (registering %s)", def->path);
	b = &vm->builtins[vm->nbuiltins++];
	memset(b, 0, sizeof *b);
	b->def = def;
	b->path = def->path;
	b->funcs = def->funcs;
	b->nfuncs = def->nfuncs;
	return def->init != NULL ? def->init(vm, &b->state, err) : AC_OK;
}

int
vm_builtins_init(Vm *vm, AcErr *err)
{
	static const VmBuiltinDef *const all[] = {&vm_sys_def, &vm_math_def, &vm_crypt_def, &vm_tensor_def, &vm_nn_def};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		int rc = vm_builtin_register(vm, all[i], err);
		if (rc != AC_OK)
			return rc;
	}
	return AC_OK;
}

void *
vm_builtin_state(const Vm *vm, const VmBuiltinDef *def)
{
	for (int i = 0; i < vm->nbuiltins; i++)
		if (vm->builtins[i].def == def)
			return vm->builtins[i].state;
	return NULL;
}

void
vm_builtin_release(Vm *vm)
{
	for (int i = vm->nbuiltins - 1; i >= 0; i--) {
		VmBuiltinMod *b = &vm->builtins[i];
		if (!b->released && b->def->release != NULL && b->state != NULL)
			b->def->release(vm, b->state);
		b->released = 1;
	}
}

void
vm_builtin_free(Vm *vm)
{
	for (int i = vm->nbuiltins - 1; i >= 0; i--) {
		VmBuiltinMod *b = &vm->builtins[i];
		if (b->def->fini != NULL && b->state != NULL)
			b->def->fini(vm, b->state);
		b->state = NULL;
	}
}

const VmBuiltinFunc *
vm_builtin_funcs(const Vm *vm, const char *path, int *n)
{
	for (int i = 0; i < vm->nbuiltins; i++) {
		if (strcmp(vm->builtins[i].path, path) == 0) {
			*n = vm->builtins[i].nfuncs;
			return vm->builtins[i].funcs;
		}
	}
	*n = 0;
	return NULL;
}

int
vm_builtin_adt(Vm *vm, const char *path, const VmBuiltinType *adt, VmType *t)
{
	for (int i = 0; i < vm->nbuiltins; i++) {
		VmBuiltinMod *b = &vm->builtins[i];
		if (strcmp(b->path, path) != 0)
			continue;
		if (b->nadts == (int)(sizeof b->adts / sizeof b->adts[0]))
			return AC_EINVAL;
		b->adts[b->nadts].bt = adt;
		b->adts[b->nadts].t = t;
		b->nadts++;
		return AC_OK;
	}
	return AC_EINVAL;
}

/* ---- the marshaller ---- */

/* How deep the check follows adts inside adts (by value or by ref). */
enum { MAX_DEPTH = 4 };

typedef struct Check {
	VmThread *t;
	Vm *vm;
	const VmBuiltinMod *mod;
	const VmBuiltinFunc *f;
	int arg;                   /* argument being checked, from 0 */
	char path[96];             /* "field qid: " inside an adt or tuple */
} Check;

static const char *
modname(const VmBuiltinMod *b)
{
	return b->path[0] == '$' ? b->path + 1 : b->path;
}

/* ty as Limbo spells it ("array of byte", "ref Sys->FD") into buf. */
static void
spell(const Check *c, const VmBuiltinType *ty, char *buf, size_t n, int depth)
{
	static const char *const basic[] = {
		[VM_BT_NONE] = "nothing", [VM_BT_INT] = "int", [VM_BT_BIG] = "big", [VM_BT_BYTE] = "byte",
		[VM_BT_REAL] = "real", [VM_BT_FIXED] = "fixed", [VM_BT_STRING] = "string",
		[VM_BT_MODULE] = "module", [VM_BT_FN] = "fn", [VM_BT_ANY] = "value",
	};
	char of[128];

	if (depth > MAX_DEPTH) {
		snprintf(buf, n, "...");
		return;
	}
	switch (ty->kind) {
	case VM_BT_ARRAY: case VM_BT_LIST: case VM_BT_CHAN:
		spell(c, ty->of, of, sizeof of, depth + 1);
		snprintf(buf, n, "%s of %s", ty->kind == VM_BT_ARRAY ? "array" : ty->kind == VM_BT_LIST ? "list" : "chan",
		         of);
		return;
	case VM_BT_REF:
		spell(c, ty->of, of, sizeof of, depth + 1);
		snprintf(buf, n, "ref %s", of);
		return;
	case VM_BT_ADT: case VM_BT_PICK:
		snprintf(buf, n, "%s->%s", modname(c->mod), ty->name != NULL ? ty->name : "?");
		return;
	case VM_BT_TUPLE:
		snprintf(buf, n, "tuple");
		return;
	}
	snprintf(buf, n, "%s", ty->kind >= 0 && ty->kind < (int)(sizeof basic / sizeof basic[0]) &&
	                       basic[ty->kind] != NULL ? basic[ty->kind] : "value");
}

/* Raises "Sys->read: argument 2 (buf): not an array of byte". */
static _Noreturn void
reject(const Check *c, const VmBuiltinType *ty)
{
	char what[160];
	const char *name = c->f->args[c->arg].name;

	spell(c, ty, what, sizeof what, 0);
	vm_raise(c->t, "%s->%s: argument %d%s%s%s: %snot %s %s", modname(c->mod), c->f->name, c->arg + 1,
	         name != NULL ? " (" : "", name != NULL ? name : "", name != NULL ? ")" : "", c->path,
	         strchr("aeiou", what[0]) != NULL ? "an" : "a", what);
}

/* Do n bytes at p lie in the arena's allocated part? */
static int
in_arena(const Vm *vm, const void *p, size_t n)
{
	const uint8_t *b = p;

	return b >= vm->arena + VM_ARENA_LOW && b <= vm->bump && (size_t)(vm->bump - b) >= n;
}

/* The heap object Dis pointer w names, with at least n data bytes, or NULL
 * when w cannot name one: every object's data is 8-aligned in the arena,
 * so a word that is not, or lies outside it, is forged. */
static const VmHeap *
object(const Vm *vm, uint32_t w, size_t n)
{
	const uint8_t *p = VM_PTR(w);
	const VmHeap *h;

	if (w % 8 != 0 || !in_arena(vm, p - sizeof(VmHeap), sizeof(VmHeap) + n))
		return NULL;
	h = VM_D2H(p);
	return h->size >= n ? h : NULL;
}

/* A type descriptor: they live in host memory, and an object names one
 * by id (vm_type_at), so whatever was found is one. */
static const VmType *
descriptor(const Vm *vm, const VmType *t)
{
	(void)vm;
	return t;
}

static int
is_ptr(const VmBuiltinType *ty)
{
	switch (ty->kind) {
	case VM_BT_STRING: case VM_BT_ARRAY: case VM_BT_LIST: case VM_BT_CHAN: case VM_BT_REF:
	case VM_BT_MODULE: case VM_BT_FN:
		return 1;
	}
	return 0;
}

static int
is_aggregate(const VmBuiltinType *ty)
{
	return ty->kind == VM_BT_ADT || ty->kind == VM_BT_PICK || ty->kind == VM_BT_TUPLE;
}

static int
mapbit(int32_t np, const uint8_t *map, int32_t word)
{
	return word >= 0 && word / 8 < np && (map[word / 8] & (0x80 >> (word % 8))) != 0;
}

/* Do the VM type vt's size and pointer words say it holds values of ty? A
 * declared pointer must be a pointer word, anything else must not be. */
static int
layout_fits(const VmType *vt, const VmBuiltinType *ty)
{
	int32_t words;

	if (vt->size != ty->size)
		return 0;
	if (is_ptr(ty))
		return mapbit(vt->np, vt->map, 0);
	if (!is_aggregate(ty))
		return vt->np == 0;
	words = (ty->size + 3) / 4;
	for (int32_t w = 0; w < words; w++)
		if (mapbit(vt->np, vt->map, w) != mapbit(ty->np, ty->map, w))
			return 0;
	return 1;
}

/* The VM type registered for builtin adt ty (Sys->FD), or NULL. */
static const VmType *
registered(const VmBuiltinMod *b, const VmBuiltinType *ty)
{
	for (int i = 0; i < b->nadts; i++)
		if (b->adts[i].bt == ty)
			return b->adts[i].t;
	return NULL;
}

static void value(Check *c, const VmBuiltinType *ty, const uint8_t *p, int depth);

/* The fields of an adt or tuple laid at p. */
static void
fields(Check *c, const VmBuiltinType *ty, const uint8_t *p, int depth)
{
	size_t len = strlen(c->path);

	if (depth > MAX_DEPTH)
		return;
	for (int32_t i = 0; i < ty->nfields; i++) {
		const VmBuiltinField *f = &ty->fields[i];
		if (f->name != NULL)
			snprintf(c->path + len, sizeof c->path - len, "field %s: ", f->name);
		else
			snprintf(c->path + len, sizeof c->path - len, "element %d: ", (int)i + 1);
		value(c, f->type, p + f->off, depth + 1);
	}
	c->path[len] = 0;
}

/* The object ref ty names: the builtin's own type where the module
 * registered one (an FD made by Sys, not `ref Sys->FD(3)`), else any
 * object laid out as the adt, whose fields are checked in turn. */
static void
ref(Check *c, const VmBuiltinType *ty, uint32_t w, int depth)
{
	const VmBuiltinType *adt = ty->of;
	const VmType *want = registered(c->mod, adt), *vt;
	const VmHeap *h = object(c->vm, w, 0);

	if (h == NULL)
		reject(c, ty);
	vt = vm_heap_type(c->vm, h);
	if (want != NULL) {
		if (vt != want)
			reject(c, ty);
		return;
	}
	vt = descriptor(c->vm, vt);
	if (vt == NULL || vt == c->vm->t_string || vt == c->vm->t_array || vt == c->vm->t_list ||
	    vt == c->vm->t_modlink || vt == c->vm->t_chan || h->size < (uint32_t)adt->size)
		reject(c, ty);
	if (adt->kind == VM_BT_PICK)
		return;  /* its cases differ in layout */
	if (!layout_fits(vt, adt))
		reject(c, ty);
	fields(c, adt, VM_H2D(h), depth);
}

static void
value(Check *c, const VmBuiltinType *ty, const uint8_t *p, int depth)
{
	Vm *vm = c->vm;
	uint32_t w = is_ptr(ty) ? *(const uint32_t *)p : VM_H;
	const VmHeap *h;

	if (is_ptr(ty) && w == VM_H)
		return;  /* nil: the builtin's own decision */
	switch (ty->kind) {
	case VM_BT_STRING: {
		const VmString *s;
		h = object(vm, w, sizeof(VmString));
		if (h == NULL || vm_heap_type(vm, h) != vm->t_string)
			reject(c, ty);
		s = VM_H2D(h);
		if ((size_t)vm_string_len(s) * (s->len < 0 ? 4 : 1) > h->size - sizeof(VmString))
			reject(c, ty);
		return;
	}
	case VM_BT_ARRAY: {
		const VmArray *a;
		const VmType *et;
		h = object(vm, w, sizeof(VmArray));
		if (h == NULL || vm_heap_type(vm, h) != vm->t_array)
			reject(c, ty);
		a = VM_H2D(h);
		et = vm_type_at(vm, a->tid);
		if (et == NULL || !layout_fits(et, ty->of) ||
		    (a->len > 0 && !in_arena(vm, VM_PTR(a->data), (size_t)a->len * (size_t)et->size)))
			reject(c, ty);
		return;
	}
	case VM_BT_LIST: {
		const VmList *l;
		const VmType *et;
		h = object(vm, w, sizeof(VmList));
		if (h == NULL || vm_heap_type(vm, h) != vm->t_list || h->size < sizeof(VmList) + (size_t)ty->of->size)
			reject(c, ty);
		l = VM_H2D(h);
		/* the first cell; the rest are made by the same instructions */
		et = vm_type_at(vm, l->tid);
		if (is_ptr(ty->of) ? et == NULL || !mapbit(et->np, et->map, 0)
		                   : (l->tid != 0 && (et == NULL || (!is_aggregate(ty->of) && et->np != 0))))
			reject(c, ty);
		return;
	}
	case VM_BT_CHAN:
		h = object(vm, w, 0);
		if (h == NULL || vm_heap_type(vm, h) != vm->t_chan)
			reject(c, ty);
		return;
	case VM_BT_MODULE:
		h = object(vm, w, 0);
		if (h == NULL || vm_heap_type(vm, h) != vm->t_modlink)
			reject(c, ty);
		return;
	case VM_BT_REF:
		if (depth <= MAX_DEPTH)
			ref(c, ty, w, depth);
		return;
	case VM_BT_ADT: case VM_BT_PICK: case VM_BT_TUPLE:
		fields(c, ty, p, depth);
		return;
	}
	/* int, big, byte, real, fixed: any bits will do; fn and type
	 * variables are not checked */
}

/* Does the caller's frame type ft hold a pointer in every word where the
 * argument of type ty at offset off has one? */
static int
frame_fits(const VmType *ft, const VmBuiltinType *ty, int32_t off)
{
	if (is_ptr(ty))
		return mapbit(ft->np, ft->map, off / 4);
	if (is_aggregate(ty))
		for (int32_t w = 0; w < (ty->size + 3) / 4; w++)
			if (mapbit(ty->np, ty->map, w) && !mapbit(ft->np, ft->map, off / 4 + w))
				return 0;
	return 1;
}

/* Everything but the common case: a caller-made frame, or arguments that
 * hold pointers. */
static void
check_args(VmThread *t, const VmModlink *ml, const VmLink *l, uint8_t *fp, const VmType *ft)
{
	const VmBuiltinFunc *f = l->bf;
	Check c;

	c.t = t;
	c.vm = t->vm;
	c.mod = ml->m->builtin;
	c.f = f;
	c.arg = 0;
	c.path[0] = 0;
	/* A frame the VM made from the table (mframe) has the declared
	 * layout; one the caller made (varargs, or `frame` with a type of its
	 * own) must be as large and hold pointers where the arguments are. */
	if (ft != l->frame || ft == NULL) {
		ft = descriptor(c.vm, ft);
		if (ft == NULL || ft->size < f->argend)
			vm_raise(t, "%s->%s: frame of %d bytes, the arguments need %d", modname(c.mod), f->name,
			         ft != NULL ? (int)ft->size : 0, (int)f->argend);
		for (c.arg = 0; c.arg < f->nargs; c.arg++)
			if (!frame_fits(ft, f->args[c.arg].type, f->args[c.arg].off))
				reject(&c, f->args[c.arg].type);
	}
	if (f->ptrargs > 0)
		for (c.arg = 0; c.arg < f->nargs; c.arg++)
			value(&c, f->args[c.arg].type, fp + f->args[c.arg].off, 0);
}

void
vm_builtin_check_slow(VmThread *t, const VmModlink *ml, const VmLink *l, uint8_t *fp)
{
	const VmBuiltinFunc *f = l->bf;
	const VmType *ft = vm_frame_type(t->vm, *(const uint32_t *)(fp + DIS_REGTYP * 4));
	uint32_t ret = *(const uint32_t *)(fp + DIS_REGRET * 4);

	if (ml->m->builtin == NULL)
		return;  /* not from a generated table */
	if (ft != l->frame || ft == NULL || f->ptrargs > 0)
		check_args(t, ml, l, fp, ft);
	/* The result goes where the caller's REGRET points: into its own
	 * memory, never past the arena. */
	if (ret != VM_H && f->ret->kind != VM_BT_NONE &&
	    (ret % 4 != 0 || !in_arena(t->vm, VM_PTR(ret), (size_t)f->ret->size)))
		vm_raise(t, "%s->%s: result outside the program's memory", modname(ml->m->builtin), f->name);
}
