/*
 * The runtime: creating and freeing a Vm, and running a module's init as
 * Inferno's shell does (init(ctxt, argv) with argv[0] the module path),
 * one quantum at a time under a setjmp that catches Dis exceptions.
 */
#include "vm/vm_impl.h"

#include <stdlib.h>
#include <stdio.h>


#define DEFAULT_HEAP_MAX ((size_t)2 << 30)

/* The thread being interpreted, for the fault handler only. */
static _Thread_local VmThread *running;

/* A Dis program can forge a pointer (Dis has no verifier); its dereference
 * faults like Inferno's emu does and becomes an error instead of a crash.
 * The arena may be inconsistent afterwards, so nothing in it is freed. */
static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	VmThread *t = running;

	(void)uc;
	if (t == NULL || t->ex == NULL) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	t->fault = 1;
	snprintf(t->exmsg, sizeof t->exmsg, "%s at address %p",
	         sig == SIGFPE ? "arithmetic fault" : sig == SIGILL ? "illegal instruction" : "segmentation violation",
	         si->si_addr);
	siglongjmp(*t->ex, 1);
}

static void
faults_catch(struct sigaction *old)
{
	static const int sigs[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
}

static void
faults_restore(const struct sigaction *old)
{
	static const int sigs[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};

	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
}

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
	vm_sys_register(vm);
	vm_tensor_register(vm);
	return vm;
}

void
vm_free(Vm *vm)
{
	if (vm == NULL)
		return;
	if (vm->poisoned) {
		/* Everything a fault could have damaged is in the arena. */
		vm_arena_fini(vm);
		free(vm);
		return;
	}
	vm_builtin_fini(vm);
	while (vm->modules != NULL) {
		VmModule *m = vm->modules;
		m->ref = 1;
		vm_module_unref(vm, m);
	}
	vm_arena_fini(vm);
	free(vm);
}

uint64_t
vm_instructions(const Vm *vm)
{
	return vm->ninstr;
}

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
		l->pad = 0;
		l->t = t->vm->t_ptr;
		t->vm->t_ptr->ref++;
		*(uint32_t *)l->data = VM_WORD(s);
		list = VM_WORD(l);
	}
	return list;
}

/* Pops every frame left on t's stack (after exit or an uncaught exception). */
static void
unwind_all(VmThread *t)
{
	while (t->fp != NULL) {
		uint8_t *f = t->fp;
		uint32_t caller = *(uint32_t *)(f + DIS_REGFRAME * 4);
		uint32_t mr = *(uint32_t *)(f + DIS_REGMOD * 4);
		t->fp = VM_PTR(caller);
		vm_frame_pop(t, f);
		if (mr != VM_H) {
			VmModlink *old = t->ml;
			t->ml = VM_PTR(mr);
			vm_destroy(t->vm, VM_WORD(old));
		}
	}
	while (t->stack != NULL) {
		VmStack *s = t->stack;
		t->stack = s->prev;
		vm_arena_free(t->vm, s, s->bytes);
	}
}

static int
run_thread(VmThread *t, VmModlink *ml, const VmLink *init, int argc, char **argv, AcErr *err)
{
	sigjmp_buf jb;
	volatile int started = 0;
	int rc = AC_OK;
	struct sigaction old[4];

	faults_catch(old);
	running = t;
	t->ex = &jb;
	if (sigsetjmp(jb, 0) != 0) {
		const char *mod = t->m != NULL ? t->m->name : "?";
		int32_t pc = t->ip != NULL && t->m != NULL ? (int32_t)(t->ip - t->m->inst) : -1;
		char where[160];

		if (!started) {
			rc = ac_err_set(err, AC_ENOMEM, "cannot start %s: %s", ml->m->name, t->exmsg);
			goto done;
		}
		snprintf(where, sizeof where, "module %s, pc %d", mod, (int)pc);
		if (t->fault) {
			t->vm->poisoned = 1;
			rc = ac_err_set(err, AC_EEXCEPT, "fault: %s (%s)", t->exmsg, where);
			goto done;
		}
		if (vm_handle_exception(t))
			goto resume;
		rc = ac_err_set(err, AC_EEXCEPT, "uncaught exception: %s (%s)", t->exmsg, where);
		goto done;
	}
	if (!started) {
		uint8_t *f = vm_frame_alloc(t, init->frame);
		*(uint32_t *)(f + DIS_REGLINK * 4) = 0;
		*(uint32_t *)(f + DIS_REGFRAME * 4) = VM_H;
		*(uint32_t *)(f + DIS_REGRET * 4) = VM_H;
		if (init->frame->size >= DIS_MAXTEMP + 8)
			*(uint32_t *)(f + DIS_MAXTEMP + 4) = make_argv(t, argc, argv);
		t->fp = f;
		t->ml = ml;
		t->m = ml->m;
		t->mp = ml->mp;
		t->ip = ml->m->inst + init->pc;
		started = 1;
	}
resume:
	for (;;) {
		if (vm_xec(t))
			break;
		if (t->vm->opt.max_instructions != 0 && t->vm->ninstr >= t->vm->opt.max_instructions) {
			rc = ac_err_set(err, AC_EBUDGET, "instruction budget of %llu exhausted",
			                (unsigned long long)t->vm->opt.max_instructions);
			break;
		}
	}
done:
	/* Clean-up walks frames a forged pointer may have damaged: it runs
	 * under the fault handler too. */
	if (!t->vm->poisoned) {
		t->fault = 0;
		if (sigsetjmp(jb, 0) == 0) {
			unwind_all(t);
			vm_destroy(t->vm, VM_WORD(t->ml != NULL ? t->ml : ml));
		}
		if (t->fault) {
			t->vm->poisoned = 1;
			if (rc == AC_OK)
				rc = ac_err_set(err, AC_EEXCEPT, "fault: %s (releasing the stack)", t->exmsg);
		}
	}
	t->ex = NULL;
	running = NULL;
	faults_restore(old);
	return rc;
}

int
vm_run_file(Vm *vm, const char *path, int argc, char **argv, AcErr *err)
{
	VmModule *m;
	VmModlink *ml;
	const VmLink *init = NULL;
	VmThread t;
	int rc;

	m = vm_module_load_path(vm, path, NULL, err);
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
		vm_destroy(vm, VM_WORD(ml));
		return rc;
	}
	memset(&t, 0, sizeof t);
	t.vm = vm;
	return run_thread(&t, ml, init, argc, argv, err);
}
