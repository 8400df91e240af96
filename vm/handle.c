/*
 * Handles: the host records (module instances, channels) that an arena
 * object names by number. The object is a VmHobj whose id indexes
 * vm->handles; an entry also records the object's own Dis address and
 * kind, so a forged object, a stale id or one of another kind finds
 * nothing (wasm's tables of references play the same part).
 */
#include "vm/vm_impl.h"

#include <stdlib.h>

int
vm_handle_new(Vm *vm, void *p, int kind, uint32_t w)
{
	uint32_t id;

	if (vm->hfree != 0) {
		id = vm->hfree - 1;
		vm->hfree = vm->handles[id].word;
	} else {
		if (vm->nhandles == vm->caphandles) {
			uint32_t cap = vm->caphandles ? vm->caphandles * 2 : 64;
			struct VmHandle *nh = realloc(vm->handles, (size_t)cap * sizeof *nh);
			if (nh == NULL)
				return -1;
			vm->handles = nh;
			vm->caphandles = cap;
		}
		id = vm->nhandles++;
	}
	vm->handles[id].word = w;
	vm->handles[id].kind = (uint32_t)kind;
	vm->handles[id].p = p;
	((VmHobj *)VM_PTR(w))->id = id;
	return AC_OK;
}

void
vm_handle_free(Vm *vm, uint32_t w, int kind)
{
	uint32_t id;

	if (vm_handle_get(vm, w, kind) == NULL)
		return;
	id = ((const VmHobj *)VM_PTR(w))->id;
	vm->handles[id].kind = VM_HK_FREE;
	vm->handles[id].p = NULL;
	vm->handles[id].word = vm->hfree;
	vm->hfree = id + 1;
}

void
vm_handles_fini(Vm *vm)
{
	for (uint32_t i = 0; i < vm->nhandles; i++)
		if (vm->handles[i].kind != VM_HK_FREE)
			free(vm->handles[i].p);
	free(vm->handles);
	vm->handles = NULL;
	vm->nhandles = vm->caphandles = vm->hfree = 0;
}
