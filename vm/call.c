/*
 * Frames on segmented stacks, calls and returns across modules, `load`,
 * and exceptions: raise, the handler search that unwinds frames, and the
 * text of an uncaught exception. Follows the Dis spec ("frame", "mcall",
 * "ret", "load", "raise") and Inferno's handler tables (dis-facts.md).
 */
#include "vm/vm_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define P(p) (*(uint32_t *)(p))
#define FW(f, r) (*(uint32_t *)((uint8_t *)(f) + (r) * 4))

_Noreturn void
vm_raise(VmThread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->exmsg, sizeof t->exmsg, fmt, ap);
	va_end(ap);
	if (t->exval != VM_H)
		vm_ptr_set(t->vm, &t->exval, VM_H);  /* a runtime error: no exception value */
	siglongjmp(*t->ex, 1);
}

static VmStack *
stack_new(VmThread *t, size_t need)
{
	size_t bytes = VM_STACK_SEG_BYTES;
	VmStack *s;

	if (need > bytes)
		bytes = (need + 4095) & ~(size_t)4095;
	s = malloc(sizeof *s);
	if (s == NULL)
		return NULL;
	s->base = vm_arena_alloc(t->vm, bytes);
	if (s->base == NULL) {
		free(s);
		return NULL;
	}
	s->prev = t->stack;
	s->bytes = bytes;
	s->limit = s->base + bytes;
	s->saved_sp = t->sp;
	return s;
}

/* A new stack segment for t holding a frame of type ft and n bytes, or
 * NULL when the arena has no room. */
static uint8_t *
frame_new_segment(VmThread *t, VmType *ft, size_t n)
{
	VmStack *s = stack_new(t, n);
	uint8_t *f;

	if (s == NULL)
		return NULL;
	t->stack = s;
	f = s->base;
	t->sp = f + n;
	FW(f, DIS_REGTYP) = ft->regtyp;
	FW(f, DIS_REGMOD) = VM_H;
	vm_type_initmem(ft, f);
	return f;
}

uint8_t *
vm_frame_alloc_slow(VmThread *t, VmType *ft, size_t n)
{
	uint8_t *f = frame_new_segment(t, ft, n);

	if (f == NULL)
		vm_raise(t, VM_EX_NOMEM);
	return f;
}

uint8_t *
vm_frame_alloc_first(VmThread *t, VmType *ft)
{
	size_t n = ((size_t)ft->size + 7) & ~(size_t)7;

	return frame_new_segment(t, ft, n < DIS_MAXTEMP ? DIS_MAXTEMP : n);
}

/* Pops frame f (the top one) and releases what its type says it holds. */
void
vm_frame_pop(VmThread *t, uint8_t *f)
{
	VmType *ft = vm_frame_type(t->vm, FW(f, DIS_REGTYP));

	t->sp = f;
	if (ft != NULL && ft->np > 0)
		vm_type_freeptrs(t->vm, ft, f);
	if (t->stack != NULL && f == t->stack->base && t->stack->prev != NULL) {
		VmStack *s = t->stack;
		t->stack = s->prev;
		t->sp = s->saved_sp;
		vm_arena_free(t->vm, s->base, s->bytes);
		free(s);
	}
}

static void
enter_module(VmThread *t, VmModlink *ml)
{
	VmModlink *old = t->ml;

	vm_modlink_hold(ml);
	t->ml = ml;
	t->m = ml->m;
	t->mp = ml->mp != VM_H ? VM_PTR(ml->mp) : NULL;
	if (old != NULL)
		vm_modlink_release(t->vm, old);
}

void
vm_frame_leave(VmThread *t)
{
	uint8_t *f = t->fp;
	uint32_t mr = FW(f, DIS_REGMOD);
	uint32_t caller = FW(f, DIS_REGFRAME);

	t->fp = vm_ptr_bad(caller) ? NULL : VM_PTR(caller);
	vm_frame_pop(t, f);
	/* The caller's frame lies below in this thread's stack: one Dis code
	 * rewrote to point elsewhere ends the thread (fp NULL), or unwinding
	 * and frame walks would wander the arena. */
	if (t->fp != NULL && (t->stack == NULL || t->fp < t->stack->base || t->fp >= t->sp))
		t->fp = NULL;
	if (mr != VM_H) {
		/* A frame Dis code rewrote may name no module instance: then
		 * the thread stays in this one (the pc is checked against it). */
		VmModlink *ml = vm_modlink_get(t->vm, mr);
		if (ml != NULL) {
			uint32_t old = t->ml->word;
			enter_module(t, ml);
			vm_destroy(t->vm, old);
		}
	}
}

void
vm_op_ret(VmThread *t)
{
	uint8_t *f = t->fp;
	uint32_t caller = FW(f, DIS_REGFRAME);
	int32_t lr = (int32_t)FW(f, DIS_REGLINK);

	if (vm_ptr_bad(caller)) {
		t->exiting = 1;  /* the first frame (or one Dis code rewrote) */
		return;
	}
	vm_frame_leave(t);
	if (t->fp == NULL) {
		t->exiting = 1;
		return;
	}
	if ((uint32_t)lr >= (uint32_t)t->m->ninst)
		vm_raise(t, "return to bad pc %d", (int)lr);
	t->ip = t->m->inst + lr;
}

void
vm_op_mcall(VmThread *t, uint8_t *f, int32_t o, uint8_t *d, const VmInst *next)
{
	VmModlink *ml = vm_modlink_get(t->vm, P(d));
	const VmLink *l;

	if (ml == NULL)
		vm_raise(t, VM_EX_MODULE);
	if ((uint32_t)o >= (uint32_t)ml->nlinks)
		vm_raise(t, "invalid mcall");
	l = &ml->links[o];
	FW(f, DIS_REGLINK) = (uint32_t)(next - t->m->inst);
	FW(f, DIS_REGFRAME) = VM_WORD(t->fp);
	if (l->fn != NULL) {
		/* A builtin runs on the caller's stack; its frame is popped at once.
		 * While it runs t->ip stays at the mcall, so an exception it raises
		 * is reported at, and caught by a handler covering, the mcall (as
		 * Inferno's handler(), which takes R.PC - 1). */
		t->bframe = f;
		vm_builtin_check(t, ml, l, f);
		l->fn(t, f);
		t->bframe = NULL;
		if (t->block == VM_BLOCK_RETRY) {
			/* t->ip is still this mcall; the frame stays for the retry. */
			return;
		}
		vm_frame_pop(t, f);
		t->ip = next;
		return;
	}
	FW(f, DIS_REGMOD) = t->ml->word;
	vm_incref(ml->word);
	t->fp = f;
	enter_module(t, ml);
	if ((uint32_t)l->pc >= (uint32_t)ml->m->ninst)
		vm_raise(t, "invalid mcall: pc %d", (int)l->pc);
	t->ip = ml->m->inst + l->pc;
}

void
vm_op_load(VmThread *t, uint8_t *d, uint32_t wpath, int32_t ldt)
{
	AcErr err;
	char *path = vm_string_utf8(wpath, NULL);
	const DisModule *cur = t->m->dis;
	VmModule *m = NULL;
	VmModlink *ml = NULL;
	uint32_t old;

	if (path == NULL)
		vm_raise(t, VM_EX_NOMEM);
	ac_err_clear(&err);
	if (cur == NULL || ldt < 0 || ldt >= cur->nimport) {
		free(path);
		vm_raise(t, "load: bad import table index %d", (int)ldt);
	}
	if (strcmp(path, "$self") == 0) {
		m = t->m;
		m->ref++;
	} else {
		m = vm_module_load_path(t->vm, path, t->m->path, &err);
	}
	if (m != NULL) {
		ml = vm_modlink_new(t->vm, m, &cur->import[ldt], &err);
		if (ml != NULL && strcmp(path, "$self") == 0 && t->mp != NULL) {
			/* $self shares the loader's module data. */
			if (ml->mp != VM_H)
				vm_destroy(t->vm, ml->mp);
			vm_modlink_set_mp(ml, VM_WORD(t->mp));
			vm_incref(ml->mp);
		}
		vm_module_unref(t->vm, m);
	}
	if (ml == NULL)
		snprintf(t->errstr, sizeof t->errstr, "%s", err.msg);
	free(path);
	old = P(d);
	P(d) = ml != NULL ? ml->word : VM_H;
	vm_destroy(t->vm, old);
}

_Noreturn void
vm_op_raise(VmThread *t, uint32_t v)
{
	const VmHeap *h;
	char *s;

	if (vm_ptr_bad(v))
		vm_raise(t, VM_EX_NILREF);
	h = VM_D2H(VM_PTR(v));
	/* A string, or an exception adt whose first word is its name. */
	s = vm_string_utf8(h->tid == t->vm->t_string->id ? v : P(VM_PTR(v)), NULL);
	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	snprintf(t->exmsg, sizeof t->exmsg, "%s", s);
	free(s);
	vm_incref(v);
	vm_ptr_set(t->vm, &t->exval, v);
	siglongjmp(*t->ex, 1);
}

/* Does exception text e match handler label pat? A trailing '*' in the
 * label matches any rest ("fail:*"; "*" matches everything), as
 * Inferno's ematch. */
static int
exmatch(const char *pat, const char *e)
{
	size_t n = strlen(pat);

	if (strcmp(pat, e) == 0)
		return 1;
	return n > 0 && pat[n - 1] == '*' && strncmp(pat, e, n - 1) == 0;
}

/* Bytes a frame occupies on the stack (as vm_frame_alloc rounds it). */
static size_t
frame_bytes(const Vm *vm, const uint8_t *f)
{
	const VmType *ft = vm_frame_type(vm, FW(f, DIS_REGTYP));
	size_t n = ft != NULL ? ((size_t)ft->size + 7) & ~(size_t)7 : 0;

	return n < DIS_MAXTEMP ? DIS_MAXTEMP : n;
}

/* Releases frames built by frame/mframe above fp but never called (the
 * exception came while arguments were being evaluated), newest first. */
static void
drop_uncalled(VmThread *t)
{
	/* Each segment is walked once, its frames popped newest first: a
	 * program can leave hundreds of thousands of them (frame in a loop,
	 * then raise), which one walk per pop would make quadratic. */
	while (t->stack != NULL) {
		VmStack *s = t->stack;
		int here = t->fp >= s->base && t->fp < s->limit;
		uint8_t *f = here ? t->fp + frame_bytes(t->vm, t->fp) : s->base, **v = NULL;
		size_t n = 0, cap = 0;

		for (; f < t->sp; f += frame_bytes(t->vm, f)) {
			if (n == cap) {
				uint8_t **nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
				if (nv == NULL)
					break;  /* pops what it has; the next turn goes on */
				v = nv;
			}
			v[n++] = f;
		}
		if (n == 0) {
			free(v);
			return;
		}
		while (n > 0)
			vm_frame_pop(t, v[--n]);
		free(v);
		if (here && t->stack == s && t->sp <= t->fp + frame_bytes(t->vm, t->fp))
			return;
	}
}

/* The exception value `raise` raised (the reference moves to the caller),
 * or H for a runtime error, whose exception is its string. */
static uint32_t
raised_value(VmThread *t)
{
	uint32_t v = t->exval;

	t->exval = VM_H;
	return v;
}

/* Looks for a handler for t->exmsg as Inferno's handler() does, unwinding
 * frames until one covers the pc. In each frame the handlers are tried in
 * table order (limbo lists inner blocks first); a handler whose range
 * covers the pc but has no matching label and no "*" default lets the
 * next one try. The first ne labels of a handler name exception types and
 * match only a raised exception value (an adt), the others only strings.
 * An exception value is matched as such in the raising frame and its
 * caller; from the caller on it is the string of its name. The handler's
 * zeroing descriptor (descid) resets the block's pointer locals, and the
 * exception (the raised value itself, or a new string for a runtime
 * error) is stored at eoff. Returns 1 with t ready to continue at the
 * handler, 0 if uncaught. */
int
vm_handle_exception(VmThread *t)
{
	uint32_t exval;
	int str, top = 1;
	const DisHandler *h = NULL;
	int32_t target = -1;

	/* A builtin that raised leaves its frame above fp: release it first. */
	if (t->bframe != NULL) {
		vm_frame_pop(t, t->bframe);
		t->bframe = NULL;
	}
	drop_uncalled(t);
	if (t->exmsg[0] == 0)
		return 0;  /* Inferno: an empty exception only ends the thread */
	exval = raised_value(t);
	str = exval == VM_H || VM_D2H(VM_PTR(exval))->tid == t->vm->t_string->id;
	for (;;) {
		const DisModule *dm = t->m->dis;
		int32_t pc = (int32_t)(t->ip - t->m->inst);

		for (int32_t k = 0; dm != NULL && k < dm->nhandler; k++) {
			h = &dm->handler[k];
			target = -1;
			if (pc < h->pc1 || pc >= h->pc2)
				continue;
			for (int32_t j = 0; j < h->nlab && target < 0; j++)
				if ((str ? j >= h->ne : j < h->ne) && exmatch(h->lab[j].name, t->exmsg))
					target = h->lab[j].pc;
			if (target < 0)
				target = h->wildpc;
			if (target >= 0 && target < t->m->ninst)
				goto found;
		}
		if (!str && !top) {
			/* Becomes the string of its name in the immediate caller. */
			uint32_t name = P(VM_PTR(exval));
			vm_incref(name);
			vm_destroy(t->vm, exval);
			exval = name;
			str = 1;
			continue;
		}
		top = 0;
		/* Not here: return to the caller as if the frame had finished. */
		int32_t lr = (int32_t)FW(t->fp, DIS_REGLINK);
		if (vm_ptr_bad(FW(t->fp, DIS_REGFRAME)))
			break;
		vm_frame_leave(t);
		if (t->fp == NULL || lr <= 0 || lr > t->m->ninst)
			break;
		t->ip = t->m->inst + lr - 1;  /* the call instruction */
	}
	vm_destroy(t->vm, exval);
	return 0;
found:
	{
		const VmType *ft = vm_frame_type(t->vm, FW(t->fp, DIS_REGTYP));
		int32_t fsize = ft != NULL ? ft->size : DIS_MAXTEMP;

		if (h->descid >= 0 && h->descid < t->m->ntype && t->m->type[h->descid]->size <= fsize)
			vm_type_freeptrs(t->vm, t->m->type[h->descid], t->fp);
		if (h->eoff >= 0 && h->eoff <= fsize - 4 && (h->eoff & 3) == 0) {
			if (exval == VM_H) {
				VmString *s = vm_string_new_utf8(t->vm, t->exmsg, strlen(t->exmsg));
				exval = VM_WORDN(s);
			}
			vm_ptr_set(t->vm, (uint32_t *)(t->fp + h->eoff), exval);
			exval = VM_H;
		}
		vm_destroy(t->vm, exval);
	}
	t->ip = t->m->inst + target;
	return 1;
}
