/*
 * The builtin modules' registry: each module registers the table limbo -t
 * made from its .m file (vm/builtin.h); vm_builtin_module (module.c) makes
 * a module of it on first load.
 */
#include "vm/vm_impl.h"

#include <string.h>

int
vm_builtin_register(Vm *vm, const char *path, const VmBuiltinFunc *funcs, int n, AcErr *err)
{
	if (vm->nbuiltins == (int)(sizeof vm->builtins / sizeof vm->builtins[0]))
		return ac_err_set(err, AC_EINVAL, "too many builtin modules (registering %s)", path);
	vm->builtins[vm->nbuiltins].path = path;
	vm->builtins[vm->nbuiltins].funcs = funcs;
	vm->builtins[vm->nbuiltins].nfuncs = n;
	vm->builtins[vm->nbuiltins].mod = NULL;
	vm->nbuiltins++;
	return AC_OK;
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
