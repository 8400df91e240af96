/*
 * The runtime: creating and freeing a Vm, and running a module's init as
 * Inferno's shell does (init(ctxt, argv) with argv[0] the module path),
 * on the thread scheduler (sched.c).
 */
#include "vm/vm_impl.h"
#include "vm/sys_impl.h"

#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>


#define DEFAULT_HEAP_MAX ((size_t)2 << 30)

Vm *
vm_new(const VmOptions *opt, AcErr *err)
{
	Vm *vm = calloc(1, sizeof *vm);

	if (vm == NULL) {
		ac_err_set(err, AC_ENOMEM, "out of memory");
		return NULL;
	}
	if (opt != NULL)
		vm->opt = *opt;
	if (vm->opt.heap_max_bytes == 0)
		vm->opt.heap_max_bytes = DEFAULT_HEAP_MAX;
	if (vm_arena_init(vm, vm->opt.heap_max_bytes + ((size_t)64 << 20), err) != AC_OK) {
		free(vm);
		return NULL;
	}
	vm_heap_init_types(vm);
	vm_chan_init_type(vm);
	if (vm_builtins_init(vm, err) != AC_OK) {
		vm_builtin_free(vm);
		vm_arena_fini(vm);
		free(vm);
		return NULL;
	}
	return vm;
}

static void
release_objects(Vm *vm)
{
	vm_builtin_fini(vm);
	while (vm->modules != NULL) {
		VmModule *m = vm->modules;
		m->ref = 1;
		vm_module_unref(vm, m);
	}
	/* Objects that died while the collector held them as candidates
	 * wait for it to free their memory. */
	vm_gc_collect(vm);
}

/* Frees every module and type the runtime made; what is left in the Dis
 * heap after that was leaked. */
static size_t
release_all(Vm *vm)
{
	VmType **base[] = {&vm->t_string, &vm->t_array, &vm->t_list, &vm->t_modlink, &vm->t_byte,
	                   &vm->t_word, &vm->t_big, &vm->t_real, &vm->t_ptr, &vm->t_chan};

	if (vm->released)
		return vm->heap_used;
	vm->released = 1;
	vm_guarded(vm, release_objects);
	free(vm->gc_roots);
	vm->gc_roots = NULL;
	vm->gc_nroots = vm->gc_cap = 0;
	if (vm->poisoned)
		return vm->heap_used;
	vm_builtin_release(vm);  /* the builtin modules' own types */
	(void)base;
	return vm->heap_used;
}

size_t
vm_heap_leaked(Vm *vm)
{
	size_t left;

	vm_enter(vm);
	left = release_all(vm);

	/* After a fault the arena is dropped whole, not freed object by object. */
	return vm->poisoned ? 0 : left;
}

void
vm_free(Vm *vm)
{
	if (vm == NULL)
		return;
	vm_enter(vm);
	release_all(vm);
	vm_builtin_free(vm);
	vm_handles_fini(vm);
	vm_types_fini(vm);
	vm_arena_fini(vm);
	free(vm);
}

uint64_t
vm_instructions(const Vm *vm)
{
	return vm->ninstr;
}

/* Builds argv as a Limbo list of strings, first element first. */
static uint32_t
make_argv(VmThread *t, int argc, char **argv)
{
	uint32_t list = VM_H;

	for (int i = argc - 1; i >= 0; i--) {
		VmString *s = vm_string_new_utf8(t->vm, argv[i], strlen(argv[i]));
		VmList *l = vm_heap_alloc(t->vm, t->vm->t_list, sizeof(VmList) + 4);
		if (s == NULL || l == NULL)
			vm_raise(t, VM_EX_NOMEM);
		l->tail = list;
		l->tid = t->vm->t_ptr->id;
		*(uint32_t *)l->data = VM_WORD(s);
		list = VM_WORD(l);
	}
	return list;
}

/* Sets up init's frame on t: init(nil, argv). */
static int
start_init(VmThread *t, const VmLink *init, int argc, char **argv, AcErr *err)
{
	sigjmp_buf jb;
	uint8_t *volatile f = NULL;

	/* Frame and argv allocation raise on exhaustion; catch that here. */
	t->ex = &jb;
	if (sigsetjmp(jb, 0) != 0) {
		t->ex = NULL;
		return ac_err_set(err, AC_ENOMEM, "cannot start %s: %s", t->m->name, t->exmsg);
	}
	f = vm_frame_alloc(t, init->frame);
	*(uint32_t *)(f + DIS_REGLINK * 4) = 0;
	*(uint32_t *)(f + DIS_REGFRAME * 4) = VM_H;
	*(uint32_t *)(f + DIS_REGRET * 4) = VM_H;
	if (init->frame->size >= DIS_MAXTEMP + 8)
		*(uint32_t *)(f + DIS_MAXTEMP + 4) = make_argv(t, argc, argv);
	t->fp = f;
	t->ip = t->m->inst + init->pc;
	t->ex = NULL;
	return AC_OK;
}

int
vm_run_file(Vm *vm, const char *path, int argc, char **argv, AcErr *err)
{
	VmModule *m;
	VmModlink *ml;
	const VmLink *init = NULL;
	VmThread *t;
	int rc, path_is_host = 0;

	vm_enter(vm);

	/* With a root, the command's own path is an Inferno path too, as in
	 * `emu -r ROOT /dis/wc.dis`; a host path outside the root still works. */
	if (path[0] == '/' && vm->opt.root != NULL && strcmp(vm->opt.root, "/") != 0) {
		char under[4096];
		snprintf(under, sizeof under, "%s%s", vm->opt.root, path);
		if (access(under, R_OK) != 0)
			path_is_host = 1;
	}
	m = path_is_host ? vm_module_load_host(vm, path, err) : vm_module_load_path(vm, path, NULL, err);
	if (m == NULL)
		return err != NULL && err->code != AC_OK ? err->code : AC_EFORMAT;
	if (m->builtin != NULL) {
		vm_module_unref(vm, m);
		return ac_err_set(err, AC_EINVAL, "%s: a builtin module cannot be run", path);
	}
	ml = vm_modlink_new(vm, m, NULL, err);
	vm_module_unref(vm, m);
	if (ml == NULL)
		return err->code;
	for (int32_t i = 0; i < ml->nlinks; i++)
		if (strcmp(ml->links[i].name, "init") == 0)
			init = &ml->links[i];
	if (init == NULL || init->frame == NULL || init->pc < 0 || init->pc >= m->ninst) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: module %s has no init function", path, m->name);
		vm_destroy(vm, ml->word);
		return rc;
	}
	t = vm_thread_new(vm, ml);
	vm_destroy(vm, ml->word);  /* the thread holds it now */
	if (t == NULL)
		return ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
	rc = start_init(t, init, argc, argv, err);
	if (rc != AC_OK) {
		vm_thread_free(t);
		return rc;
	}
	return vm_sched_run(vm, t, err);
}
