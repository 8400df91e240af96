/*
 * The cycle collector. Reference counting frees everything but cycles; a
 * cycle is found by trial deletion (Bacon and Rajan, "Concurrent Cycle
 * Collection in Reference Counted Systems", ECOOP 2001, the synchronous
 * algorithm): an object whose count dropped without reaching 0 is a
 * candidate; from the candidates, subtract the counts that references
 * inside the candidate subgraph account for (mark gray); whatever still has
 * a count is referenced from outside and is live again with everything it
 * reaches (scan black); the rest (white) is garbage. The Dis spec asks for
 * reference counting plus a collector for cycles; Inferno uses mark and
 * sweep, which needs roots; trial deletion needs none, since frames and
 * module data hold counted references.
 *
 * The graph walks use an explicit stack: a long list must not recurse.
 */
#include "vm/vm_impl.h"

#include <stdlib.h>

#define GC_ROOTS_TRIGGER 8192  /* collect when this many candidates wait */

typedef struct Stack {
	VmHeap **v;
	size_t n, cap;
	int failed;
} Stack;

static void
push(Stack *s, VmHeap *h)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		VmHeap **nv = realloc(s->v, cap * sizeof *nv);
		if (nv == NULL) {
			s->failed = 1;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = h;
}

static VmHeap *
pop(Stack *s)
{
	return s->n > 0 ? s->v[--s->n] : NULL;
}

void
vm_gc_candidate(Vm *vm, VmHeap *h)
{
	if (h->color == VM_GC_PURPLE)
		return;
	h->color = VM_GC_PURPLE;
	if (h->buffered)
		return;
	if (vm->gc_nroots == vm->gc_cap) {
		size_t cap = vm->gc_cap ? vm->gc_cap * 2 : 1024;
		VmHeap **nv = realloc(vm->gc_roots, cap * sizeof *nv);
		if (nv == NULL)
			return;  /* not a candidate: a cycle through it stays until the next chance */
		vm->gc_roots = nv;
		vm->gc_cap = cap;
	}
	h->buffered = 1;
	vm->gc_roots[vm->gc_nroots++] = h;
}

static VmHeap *
child(uint32_t w)
{
	return vm_ptr_bad(w) ? NULL : VM_D2H(VM_PTR(w));
}

/* mark gray: take away the references the subgraph holds on itself */
static void
gray_slot(Vm *vm, uint32_t *slot, void *ctx)
{
	VmHeap *c = child(*slot);

	(void)vm;
	if (c != NULL) {
		c->ref--;
		if (c->color != VM_GC_GRAY)
			push(ctx, c);
	}
}

static void
mark_gray(Vm *vm, VmHeap *root, Stack *s)
{
	push(s, root);
	for (VmHeap *h; (h = pop(s)) != NULL;) {
		if (h->color == VM_GC_GRAY)
			continue;
		h->color = VM_GC_GRAY;
		vm_heap_slots(vm, h, gray_slot, s);
	}
}

/* scan black: live after all; give back the counts taken away */
static void
black_slot(Vm *vm, uint32_t *slot, void *ctx)
{
	VmHeap *c = child(*slot);

	(void)vm;
	if (c != NULL) {
		c->ref++;
		if (c->color != VM_GC_BLACK) {
			c->color = VM_GC_BLACK;
			push(ctx, c);
		}
	}
}

static void
scan_black(Vm *vm, VmHeap *h, Stack *s)
{
	h->color = VM_GC_BLACK;
	push(s, h);
	while ((h = pop(s)) != NULL)
		vm_heap_slots(vm, h, black_slot, s);
}

typedef struct ScanCtx {
	Stack *todo, *black;
} ScanCtx;

static void
scan_slot(Vm *vm, uint32_t *slot, void *ctx)
{
	VmHeap *c = child(*slot);

	(void)vm;
	if (c != NULL)
		push(((ScanCtx *)ctx)->todo, c);
}

static void
scan(Vm *vm, VmHeap *root, ScanCtx *sc)
{
	push(sc->todo, root);
	for (VmHeap *h; (h = pop(sc->todo)) != NULL;) {
		if (h->color != VM_GC_GRAY)
			continue;
		if (h->ref > 0) {
			scan_black(vm, h, sc->black);
		} else {
			h->color = VM_GC_WHITE;
			vm_heap_slots(vm, h, scan_slot, sc);
		}
	}
}

static void
white_slot(Vm *vm, uint32_t *slot, void *ctx)
{
	VmHeap *c = child(*slot);

	(void)vm;
	if (c != NULL && c->color == VM_GC_WHITE && !c->buffered) {
		c->color = VM_GC_BLACK;
		push(ctx, c);
	}
}

/* The white objects' references are already accounted for by mark gray:
 * drop them without counting, so freeing runs only resource clean-up. */
static void
forget_slot(Vm *vm, uint32_t *slot, void *ctx)
{
	(void)vm;
	(void)ctx;
	*slot = VM_H;
}

static void
collect_white(Vm *vm, VmHeap *root, Stack *s, Stack *garbage)
{
	root->color = VM_GC_BLACK;
	push(s, root);
	for (VmHeap *h; (h = pop(s)) != NULL;) {
		push(garbage, h);
		vm_heap_slots(vm, h, white_slot, s);
	}
}

void
vm_gc_collect(Vm *vm)
{
	Stack s = {0}, black = {0}, garbage = {0};
	ScanCtx sc = {&s, &black};
	size_t n = 0;

	/* mark roots: drop the candidates that died or went live again */
	for (size_t i = 0; i < vm->gc_nroots; i++) {
		VmHeap *h = vm->gc_roots[i];
		if (h->color == VM_GC_PURPLE && h->ref > 0 && !h->dead) {
			mark_gray(vm, h, &s);
			vm->gc_roots[n++] = h;
		} else {
			h->buffered = 0;
			if (h->dead)
				vm_heap_release(vm, h);  /* memory only: contents went already */
		}
	}
	vm->gc_nroots = n;
	for (size_t i = 0; i < n; i++)
		scan(vm, vm->gc_roots[i], &sc);
	for (size_t i = 0; i < n; i++) {
		VmHeap *h = vm->gc_roots[i];
		h->buffered = 0;
		if (h->color == VM_GC_WHITE)
			collect_white(vm, h, &s, &garbage);
	}
	vm->gc_nroots = 0;
	if (s.failed || black.failed || garbage.failed) {
		/* Out of memory part way: counts may be off, so free nothing. */
		free(s.v);
		free(black.v);
		free(garbage.v);
		return;
	}
	for (size_t i = 0; i < garbage.n; i++)
		vm_heap_slots(vm, garbage.v[i], forget_slot, NULL);
	for (size_t i = 0; i < garbage.n; i++) {
		garbage.v[i]->ref = 0;
		vm_heap_release(vm, garbage.v[i]);
	}
	vm->gc_cycles_freed += garbage.n;
	free(s.v);
	free(black.v);
	free(garbage.v);
}

void
vm_gc_maybe(Vm *vm)
{
	if (vm->gc_nroots >= GC_ROOTS_TRIGGER)
		vm_gc_collect(vm);
}
