/*
 * The arena: one mapping that holds everything a 32-bit Dis pointer can
 * name (Dis words are offsets into it), with a small allocator on top. Small blocks come
 * from per-size-class free lists (16-byte classes up to 2 KiB), larger ones
 * from page-rounded blocks kept on a first-fit list when freed.
 */
#include "vm/vm_impl.h"

#include <errno.h>
#include <sys/mman.h>

#define SMALL_MAX 2048
#define CLASS_BYTES 16
#define PAGE 4096

/* Free blocks link through their first words as Dis addresses: free
 * memory is arena memory Dis code may reach, so it holds no host address,
 * and a link is checked before it is followed. */
typedef struct BigFree {
	uint32_t next;         /* Dis address of the next free block, or 0 */
	uint32_t bytes;
} BigFree;

uint8_t *vm_mem;
uint32_t vm_mem_bytes;
uint32_t vm_mem_lim;

/* The mapping: VM_ARENA_LOW bytes unmapped (H and what lies near it),
 * max_bytes of arena, VM_GUARD_BYTES unmapped; anywhere in the address
 * space, since Dis words are offsets from its start. */
int
vm_arena_init(Vm *vm, size_t max_bytes, AcErr *err)
{
	size_t n = (max_bytes + PAGE - 1) & ~(size_t)(PAGE - 1);
	size_t total;
	uint8_t *p;

	if (n > 0xF0000000u - VM_ARENA_LOW)
		n = 0xF0000000u - VM_ARENA_LOW;  /* offsets stay 32-bit */
	total = VM_ARENA_LOW + n + VM_GUARD_BYTES;
	p = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return ac_err_set(err, AC_ENOMEM, "cannot map the Dis heap (%zu bytes): %s", total, strerror(errno));
	if (mprotect(p + VM_ARENA_LOW, n, PROT_READ | PROT_WRITE) != 0) {
		int e = errno;
		munmap(p, total);
		return ac_err_set(err, AC_ENOMEM, "cannot map the Dis heap (%zu bytes): %s", n, strerror(e));
	}
	vm->arena = p;
	vm->arena_bytes = VM_ARENA_LOW + n;
	vm->bump = p + VM_ARENA_LOW;
	vm_enter(vm);
	return AC_OK;
}

void
vm_arena_fini(Vm *vm)
{
	if (vm->arena != NULL)
		munmap(vm->arena, vm->arena_bytes + VM_GUARD_BYTES);
	if (vm_mem == vm->arena) {
		vm_mem = NULL;
		vm_mem_bytes = 0;
		vm_mem_lim = 0;
	}
	vm->arena = NULL;
}

static void *
bump(Vm *vm, size_t n)
{
	uint8_t *p = vm->bump;

	if ((size_t)(vm->arena + vm->arena_bytes - p) < n)
		return NULL;
	vm->bump = p + n;
	return p;
}

/* The free block at Dis address w, or NULL when w is no block the
 * allocator handed out (a forged link): the list is dropped from there. */
static void *
free_link(const Vm *vm, uint32_t w, size_t align)
{
	if (w < VM_ARENA_LOW || vm->arena + w >= vm->bump || (w & (align - 1)) != 0)
		return NULL;
	return vm->arena + w;
}

void *
vm_arena_alloc(Vm *vm, size_t n)
{
	void *p;

	if (n == 0)
		n = CLASS_BYTES;
	if (n <= SMALL_MAX) {
		size_t c = (n + CLASS_BYTES - 1) / CLASS_BYTES;
		if (vm->heap_used + vm->heap_ext_bytes + c * CLASS_BYTES > vm->opt.heap_max_bytes)
			return NULL;
		p = vm->freelist[c];
		if (p != NULL)
			vm->freelist[c] = free_link(vm, *(uint32_t *)p, 8);
		else if ((p = bump(vm, c * CLASS_BYTES)) == NULL)
			return NULL;
		vm->heap_used += c * CLASS_BYTES;
		return p;
	}
	n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (vm->heap_used + vm->heap_ext_bytes + n > vm->opt.heap_max_bytes)
		return NULL;
	for (BigFree *b = vm->bigfree, *prev = NULL; b != NULL;
	     prev = b, b = free_link(vm, b->next, 8)) {
		if (b->bytes > (size_t)(vm->bump - (uint8_t *)b))
			break;  /* a forged size: leave the rest of the list alone */
		if (b->bytes == n || (b->bytes > n && b->bytes - n >= PAGE)) {
			if (b->bytes == n) {
				void *next = free_link(vm, b->next, 8);
				if (prev == NULL)
					vm->bigfree = next;
				else
					prev->next = next != NULL ? b->next : 0;
			} else {
				/* Split: hand out the tail, keep the head on the list. */
				b->bytes -= n;
				b = (BigFree *)((uint8_t *)b + b->bytes);
			}
			vm->heap_used += n;
			return b;
		}
	}
	if ((p = bump(vm, n)) == NULL)
		return NULL;
	vm->heap_used += n;
	return p;
}

void *
vm_arena_zalloc(Vm *vm, size_t n)
{
	void *p = vm_arena_alloc(vm, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

void
vm_arena_free(Vm *vm, void *p, size_t n)
{
	if (p == NULL)
		return;
	if (n == 0)
		n = CLASS_BYTES;
	if (n <= SMALL_MAX) {
		size_t c = (n + CLASS_BYTES - 1) / CLASS_BYTES;
		*(uint32_t *)p = vm->freelist[c] != NULL ? VM_WORD(vm->freelist[c]) : 0;
		vm->freelist[c] = p;
		vm->heap_used -= c * CLASS_BYTES < vm->heap_used ? c * CLASS_BYTES : vm->heap_used;
		return;
	}
	n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
	/* n comes from a heap header Dis code could have forged: never
	 * below zero, and never past the arena. */
	if (n > (size_t)(vm->bump - (uint8_t *)p))
		return;
	vm->heap_used -= n < vm->heap_used ? n : vm->heap_used;
	if (n >= (1u << 20))
		madvise(p, n, MADV_DONTNEED);  /* give big blocks' pages back */
	BigFree *b = p;
	b->bytes = (uint32_t)n;
	b->next = vm->bigfree != NULL ? VM_WORD(vm->bigfree) : 0;
	vm->bigfree = b;
}
