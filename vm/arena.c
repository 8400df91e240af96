/*
 * The low arena: one mapping below 4 GiB that holds everything a 32-bit Dis
 * pointer can name, with a small allocator on top of it. Small blocks come
 * from per-size-class free lists (16-byte classes up to 2 KiB), larger ones
 * from page-rounded blocks kept on a first-fit list when freed.
 */
#include "vm/vm_impl.h"

#include <errno.h>
#include <sys/mman.h>

#define SMALL_MAX 2048
#define CLASS_BYTES 16
#define PAGE 4096

typedef struct BigFree {
	struct BigFree *next;
	size_t bytes;
} BigFree;

int
vm_arena_init(Vm *vm, size_t max_bytes, AcErr *err)
{
	/* Candidate bases leave the first 256 MiB alone (the executable may sit
	 * there when built non-PIE) and keep the top page of 4 GiB unmapped. */
	static const uintptr_t bases[] = {0x10000000, 0x20000000, 0x40000000, 0x80000000};
	size_t want = max_bytes;

	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		uintptr_t b = bases[i];
		size_t n = want;
		if (b + n > 0xFFFF0000u)
			n = 0xFFFF0000u - b;
		for (; n >= (64u << 20); n /= 2) {
			void *p = mmap((void *)b, n, PROT_READ | PROT_WRITE,
			               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED)
				continue;
			if ((uintptr_t)p != b || (uintptr_t)p + n > 0xFFFF0000u) {
				munmap(p, n);  /* kernel ignored the hint (pre-4.17) */
				continue;
			}
			vm->arena = p;
			vm->arena_bytes = n;
			vm->bump = p;
			return AC_OK;
		}
	}
	return ac_err_set(err, AC_ENOMEM, "cannot map the Dis heap below 4 GiB: %s", strerror(errno));
}

void
vm_arena_fini(Vm *vm)
{
	if (vm->arena != NULL)
		munmap(vm->arena, vm->arena_bytes);
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
		if (p != NULL) {
			void *next = *(void **)p;
			/* A forged pointer can have overwritten a free block's link. */
			if (next != NULL && ((uint8_t *)next < vm->arena || (uint8_t *)next >= vm->bump))
				next = NULL;
			vm->freelist[c] = next;
		}
		else if ((p = bump(vm, c * CLASS_BYTES)) == NULL)
			return NULL;
		vm->heap_used += c * CLASS_BYTES;
		return p;
	}
	n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (vm->heap_used + vm->heap_ext_bytes + n > vm->opt.heap_max_bytes)
		return NULL;
	for (BigFree **bp = (BigFree **)&vm->bigfree; *bp != NULL; bp = &(*bp)->next) {
		BigFree *b = *bp;
		if ((uint8_t *)b < vm->arena || (uint8_t *)b >= vm->bump) {
			*bp = NULL;  /* damaged list: forget the rest */
			break;
		}
		if (b->bytes == n || (b->bytes > n && b->bytes - n >= PAGE)) {
			if (b->bytes == n) {
				*bp = b->next;
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
		*(void **)p = vm->freelist[c];
		vm->freelist[c] = p;
		vm->heap_used -= c * CLASS_BYTES;
		return;
	}
	n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
	vm->heap_used -= n;
	if (n >= (1u << 20))
		madvise(p, n, MADV_DONTNEED);  /* give big blocks' pages back */
	BigFree *b = p;
	b->bytes = n;
	b->next = vm->bigfree;
	vm->bigfree = b;
}
