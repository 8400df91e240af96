/*
 * Heap objects and type descriptors: allocation, reference counting and the
 * pointer maps that drive initmem/freeptrs/incmem (Dis spec, "Type
 * descriptors"; Inferno libinterp/heap.c). Cycles are gc.c's; freeing is
 * iterative (drain).
 */
#include "vm/vm_impl.h"

#include <stdlib.h>

/* Adds t to vm's table; its id is its index. */
static VmType *
type_enter(Vm *vm, VmType *t)
{
	if (vm->ntypes == vm->captypes) {
		uint32_t cap = vm->captypes ? vm->captypes * 2 : 64;
		VmType **nt = realloc(vm->types, (size_t)cap * sizeof *nt);
		if (nt == NULL) {
			free(t);
			return NULL;
		}
		if (vm->ntypes == 0)
			nt[vm->ntypes++] = NULL;  /* id 0: no type */
		vm->types = nt;
		vm->captypes = cap;
	}
	t->id = vm->ntypes;
	vm->types[vm->ntypes++] = t;
	return t;
}

VmType *
vm_type_new(Vm *vm, int32_t size, int32_t np, const uint8_t *map)
{
	VmType *t;

	if (size < 0 || size > DIS_MAX_DISP || np < 0 || np > (size + 31) / 32 + 1)
		return NULL;
	t = malloc(sizeof(VmType) + (size_t)np);
	if (t == NULL)
		return NULL;
	t->size = size;
	t->np = np;
	t->hooked = 0;
	if (np > 0)
		memcpy(t->map, map, (size_t)np);
	/* A map whose bits are all clear needs no walking. */
	while (t->np > 0 && t->map[t->np - 1] == 0)
		t->np--;
	if (type_enter(vm, t) == NULL)
		return NULL;
	t->regtyp = t->id | (t->np > 0 ? VM_REGTYP_PTRS : 0);
	return t;
}

VmType *
vm_type_sized(Vm *vm, int32_t size)
{
	uint32_t h;

	if (vm->nsized * 2 >= vm->capsized) {
		uint32_t cap = vm->capsized ? vm->capsized * 2 : 16;
		struct VmSized *ns = calloc(cap, sizeof *ns);
		if (ns == NULL)
			return NULL;
		for (uint32_t i = 0; i < vm->capsized; i++) {
			if (vm->sized[i].t == NULL)
				continue;
			for (h = (uint32_t)vm->sized[i].size * 2654435761u & (cap - 1); ns[h].t != NULL; h = (h + 1) & (cap - 1))
				;
			ns[h] = vm->sized[i];
		}
		free(vm->sized);
		vm->sized = ns;
		vm->capsized = cap;
	}
	for (h = (uint32_t)size * 2654435761u & (vm->capsized - 1); vm->sized[h].t != NULL; h = (h + 1) & (vm->capsized - 1))
		if (vm->sized[h].size == size)
			return vm->sized[h].t;
	VmType *t = vm_type_new(vm, size, 0, NULL);
	if (t != NULL) {
		vm->sized[h].size = size;
		vm->sized[h].t = t;
		vm->nsized++;
	}
	return t;
}

void
vm_types_fini(Vm *vm)
{
	for (uint32_t i = 1; i < vm->ntypes; i++)
		free(vm->types[i]);
	free(vm->types);
	free(vm->sized);
	vm->types = NULL;
	vm->sized = NULL;
	vm->ntypes = vm->captypes = vm->nsized = vm->capsized = 0;
}

void
vm_type_initmem(const VmType *t, void *p)
{
	uint32_t *w = p;

	for (int32_t i = 0; i < t->np; i++) {
		uint8_t b = t->map[i];
		for (int j = 0; b != 0; j++, b <<= 1)
			if (b & 0x80)
				w[i * 8 + j] = VM_H;
	}
}

void
vm_type_freeptrs(Vm *vm, const VmType *t, void *p)
{
	uint32_t *w = p;

	for (int32_t i = 0; i < t->np; i++) {
		uint8_t b = t->map[i];
		for (int j = 0; b != 0; j++, b <<= 1) {
			if (b & 0x80) {
				uint32_t v = w[i * 8 + j];
				w[i * 8 + j] = VM_H;
				vm_destroy(vm, v);
			}
		}
	}
}

void
vm_type_incmem(const VmType *t, void *p)
{
	const uint32_t *w = p;

	for (int32_t i = 0; i < t->np; i++) {
		uint8_t b = t->map[i];
		for (int j = 0; b != 0; j++, b <<= 1)
			if (b & 0x80)
				vm_incref(w[i * 8 + j]);
	}
}

void *
vm_heap_alloc(Vm *vm, VmType *t, size_t n)
{
	VmHeap *h;

	if (n > 0x7FFFFFF0u - sizeof(VmHeap))
		return NULL;
	h = vm_arena_alloc(vm, sizeof(VmHeap) + n);
	if (h == NULL)
		return NULL;
	/* Filling or copying it is work (Vm.nwork). Once the budget is spent
	 * nothing more is allocated: the instruction raises, and the scheduler
	 * ends the program for the budget before any handler could run, so a
	 * quantum of 4 MB newa's stops after the first. */
	vm->nwork += n >> 6;
	if (vm->opt.max_instructions != 0 && vm->ninstr + vm->nwork >= vm->opt.max_instructions)
		return NULL;
	h->ref = 1;
	h->size = (uint32_t)n;
	h->tid = t != NULL ? t->id : 0;
	h->color = VM_GC_BLACK;
	h->buffered = 0;
	h->dead = 0;
	return VM_H2D(h);
}

int
vm_heap_charge(Vm *vm, size_t n)
{
	size_t used = vm->heap_used + vm->heap_ext_bytes;

	if (n > vm->opt.heap_max_bytes || used > vm->opt.heap_max_bytes - n)
		return -1;
	vm->nwork += n >> 6;
	if (vm->opt.max_instructions != 0 && vm->ninstr + vm->nwork >= vm->opt.max_instructions)
		return -1;
	vm->heap_ext_bytes += n;
	return 0;
}

void
vm_heap_uncharge(Vm *vm, size_t n)
{
	vm->heap_ext_bytes -= n < vm->heap_ext_bytes ? n : vm->heap_ext_bytes;
}

void *
vm_heap_new(Vm *vm, VmType *t)
{
	void *p = vm_heap_alloc(vm, t, (size_t)t->size);

	if (p != NULL)
		memset(p, 0, (size_t)t->size);  /* H is 0: this is initmem too */
	return p;
}

static void
heap_free(Vm *vm, VmHeap *h)
{
	vm_arena_free(vm, h, sizeof(VmHeap) + h->size);
}

/* Can this object be part of a reference cycle? */
static int
may_cycle(Vm *vm, VmHeap *h)
{
	VmType *t = vm_heap_type(vm, h);

	if (t == NULL || t == vm->t_string)
		return 0;
	if (t == vm->t_array) {
		VmArray *a = VM_H2D(h);
		VmType *et = vm_type_at(vm, a->tid);
		return a->root != VM_H || (et != NULL && et->np > 0);
	}
	return t->np > 0 || t == vm->t_list || t == vm->t_modlink || t == vm->t_chan;
}

void
vm_type_set_destroy(Vm *vm, VmType *t, VmDestroyFn fn)
{
	t->hooked = 1;
	for (int i = 0; i < vm->nhooks; i++) {
		if (vm->hooks[i].t == t) {
			vm->hooks[i].fn = fn;
			return;
		}
	}
	if (vm->nhooks < (int)(sizeof vm->hooks / sizeof vm->hooks[0])) {
		vm->hooks[vm->nhooks].t = t;
		vm->hooks[vm->nhooks++].fn = fn;
	}
}

/* The clean-up registered for t, found by the descriptor's identity (the
 * flag only spares the search for the many types that have none). */
static VmDestroyFn
hook(Vm *vm, const VmType *t)
{
	if (!t->hooked)
		return NULL;
	for (int i = 0; i < vm->nhooks; i++)
		if (vm->hooks[i].t == t)
			return vm->hooks[i].fn;
	return NULL;
}

/* Releases what an object holds; returns the next list cell to drop (lists
 * go iteratively so a long one does not recurse per cell). */
static uint32_t
release_contents(Vm *vm, VmHeap *h)
{
	VmType *t = vm_heap_type(vm, h);
	void *p = VM_H2D(h);
	uint32_t next = VM_H;

	if (t == vm->t_list) {
		VmList *l = p;
		VmType *et = vm_type_at(vm, l->tid);
		if (et != NULL)
			vm_type_freeptrs(vm, et, l->data);
		l->tid = 0;
		next = l->tail;
		l->tail = VM_H;
	} else if (t != NULL) {
		VmDestroyFn fn = hook(vm, t);
		if (fn != NULL)
			fn(vm, p);
		else if (t->np > 0)
			vm_type_freeptrs(vm, t, p);
	}
	return next;
}

/* Frees an object whose contents went, or marks it for the collector. */
static void
finish(Vm *vm, VmHeap *h)
{
	if (h->buffered)
		h->dead = 1;  /* the collector's buffer still names it */
	else
		heap_free(vm, h);
}

/* Releasing an object drops what it holds, and recursing into each child
 * whose count reaches 0 would let a hostile program exhaust the host stack
 * with a long chain of ref adts (a list's tail, an array of arrays, ...).
 * So a dead object is only linked onto vm->pending, through its own header
 * (the worklist needs no memory, and cannot fail), and the outermost call
 * releases the objects one at a time: any shape of garbage frees in
 * constant host stack. Inferno's destroy recurses instead. */
static void
drain(Vm *vm)
{
	vm->freeing = 1;
	while (vm->pending != VM_H) {
		VmHeap *h = VM_D2H(VM_PTR(vm->pending));
		uint32_t next;

		vm->pending = h->pending;
		next = release_contents(vm, h);
		finish(vm, h);
		vm_destroy(vm, next);  /* queues it if its count reaches 0 */
	}
	vm->freeing = 0;
}

void
vm_heap_release(Vm *vm, VmHeap *h)
{
	uint32_t next;

	if (h->dead) {
		heap_free(vm, h);  /* contents went when its count reached 0 */
		return;
	}
	if (vm->freeing) {
		h->pending = vm->pending;
		vm->pending = VM_WORD(VM_H2D(h));
		return;
	}
	vm->freeing = 1;
	next = release_contents(vm, h);
	finish(vm, h);
	vm_destroy(vm, next);
	drain(vm);
}

void
vm_destroy(Vm *vm, uint32_t w)
{
	VmHeap *h;

	if (vm_ptr_bad(w))
		return;
	h = VM_D2H(VM_PTR(w));
	if (--h->ref > 0) {
		if (may_cycle(vm, h))
			vm_gc_candidate(vm, h);
		return;
	}
	h->pending = vm->pending;
	vm->pending = w;
	if (!vm->freeing)
		drain(vm);
}

static void
slot_words(Vm *vm, const VmType *t, uint8_t *p, VmSlotFn fn, void *ctx)
{
	uint32_t *w = (uint32_t *)p;

	for (int32_t i = 0; i < t->np; i++) {
		uint8_t b = t->map[i];
		for (int j = 0; b != 0; j++, b <<= 1)
			if (b & 0x80)
				fn(vm, &w[i * 8 + j], ctx);
	}
}

void
vm_heap_slots(Vm *vm, VmHeap *h, VmSlotFn fn, void *ctx)
{
	VmType *t = vm_heap_type(vm, h);
	void *p = VM_H2D(h);

	if (t == NULL || t == vm->t_string || h->dead)
		return;
	if (t == vm->t_list) {
		VmList *l = p;
		VmType *et = vm_type_at(vm, l->tid);
		fn(vm, &l->tail, ctx);
		if (et != NULL)
			slot_words(vm, et, l->data, fn, ctx);
	} else if (t == vm->t_array) {
		VmArray *a = p;
		VmType *et;
		size_t nb;
		uint8_t *d;
		if (a->root != VM_H) {
			fn(vm, &a->root, ctx);
			if (a->root == VM_H)
				a->len = 0;  /* forgotten slice: its elements are the root's */
		} else if ((d = vm_array_bytes(vm, a, &et, &nb)) != NULL && et->np > 0) {
			for (uint32_t i = 0; i < a->len; i++)
				slot_words(vm, et, d + (size_t)i * (size_t)et->size, fn, ctx);
		}
	} else if (t == vm->t_modlink) {
		VmModlink *ml = vm_handle_get(vm, VM_WORD(p), VM_HK_MODLINK);
		if (ml != NULL)
			fn(vm, &ml->mp, ctx);
	} else if (t == vm->t_chan) {
		vm_chan_slots(vm, p, fn, ctx);
	} else if (hook(vm, t) == NULL && t->np > 0) {
		slot_words(vm, t, p, fn, ctx);
	}
}

static void
array_destroy(Vm *vm, void *p)
{
	VmArray *a = p;
	VmType *et;
	size_t nb;
	uint8_t *d;

	if (a->root != VM_H) {
		vm_destroy(vm, a->root);
	} else if ((d = vm_array_bytes(vm, a, &et, &nb)) != NULL && et->np > 0) {
		for (uint32_t i = 0; i < a->len; i++)
			vm_type_freeptrs(vm, et, d + (size_t)i * (size_t)et->size);
	}
}

uint8_t *
vm_array_check(VmThread *t, uint32_t w, VmArray **ap, int32_t esize)
{
	VmArray *a = VM_PTR(w);
	VmType *et;
	size_t n;
	uint8_t *d;

	*ap = NULL;
	if (w == VM_H)
		return NULL;
	if (vm_ptr_bad(w) || VM_D2H(a)->tid != t->vm->t_array->id ||
	    (d = vm_array_bytes(t->vm, a, &et, &n)) == NULL || (esize >= 0 && et->size != esize))
		vm_raise(t, "not an array%s", esize == 1 ? " of byte" : "");
	*ap = a;
	return d;
}

uint8_t *
vm_array_bytes(const Vm *vm, const VmArray *a, VmType **et, size_t *nbytes)
{
	VmType *t = vm_type_at(vm, a->tid);
	uint64_t n;

	if (t == NULL)
		return NULL;
	n = (uint64_t)a->len * (uint64_t)t->size;
	if (!vm_span_ok(a->data, n) && !(n == 0 && a->data == VM_H))
		return NULL;
	*et = t;
	*nbytes = (size_t)n;
	return VM_PTR(a->data);
}

VmArray *
vm_array_new(Vm *vm, VmType *elem, int32_t len, int zero)
{
	size_t n = (size_t)len * (size_t)elem->size;
	VmArray *a;

	if (len < 0 || (elem->size > 0 && (size_t)len > (0x7FFFFFF0u - sizeof(VmArray)) / (size_t)elem->size))
		return NULL;
	a = vm_heap_alloc(vm, vm->t_array, sizeof(VmArray) + n);
	if (a == NULL)
		return NULL;
	a->len = (uint32_t)len;
	a->root = VM_H;
	a->tid = elem->id;
	a->data = VM_WORD(a + 1);
	/* newa need not zero non-pointer elements (dis-facts.md); zeroing is
	 * allowed and keeps runs deterministic. */
	(void)zero;
	memset(a + 1, 0, n);
	return a;
}

void vm_heap_init_types(Vm *vm);
void
vm_heap_init_types(Vm *vm)
{
	static const uint8_t ptrmap[1] = {0x80};

	/* Created first, in this order, so each has a known id. */
	vm->t_string = vm_type_new(vm, 0, 0, NULL);
	vm->t_array = vm_type_new(vm, 0, 0, NULL);
	vm_type_set_destroy(vm, vm->t_array, array_destroy);
	vm->t_list = vm_type_new(vm, 0, 0, NULL);
	vm->t_modlink = vm_type_new(vm, 0, 0, NULL);
	vm->t_byte = vm_type_new(vm, 1, 0, NULL);
	vm->t_word = vm_type_new(vm, 4, 0, NULL);
	vm->t_big = vm_type_new(vm, 8, 0, NULL);
	vm->t_real = vm_type_new(vm, 8, 0, NULL);
	vm->t_ptr = vm_type_new(vm, 4, 1, ptrmap);
}
