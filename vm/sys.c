/*
 * $Sys: Inferno's system module (module/sys.m) as ordinary programs use
 * it. This file holds the function table, the print family and the
 * process-ish calls (millisec, sleep, pctl, werrstr); files are in
 * sysfile.c, tokenize and UTF-8 in sysstr.c. The table, with the
 * signatures and frame layouts, is made from module/sys.m by limbo -t
 * (gen/vm/sysmod.h, through sys_impl.h); tests/vm/sig.c holds it to
 * Inferno's libinterp/sysmod.h.
 */
#include "vm/sys_impl.h"
#include "vm/fmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define ARG(fp, off) ((fp) + DIS_MAXTEMP + (off))
#define RET(fp) VM_BUILTIN_RET(fp)

/* What getstr needs to judge a word: the runtime and the frame's type. */
typedef struct StrCtx {
	Vm *vm;
	const VmType *ft;
} StrCtx;

/* Is the word at frame offset `at` a pointer by the frame's type map? */
static int
is_ptr_slot(const VmType *ft, size_t at)
{
	size_t w = at / 4;

	return ft != NULL && at % 4 == 0 && w / 8 < (size_t)ft->np && (ft->map[w / 8] & (0x80 >> (w % 8))) != 0;
}

/* A format built at run time can put %s where the caller passed an int
 * (Inferno's xprint would dereference it): the word is used only if the
 * frame's pointer map, written by the compiler for this call, says it is a
 * pointer, and it names a string object lying wholly inside the arena. */
static int
getstr(void *ctx, size_t at, uint32_t ptr, const char **s, size_t *len, char **tofree)
{
	StrCtx *c = ctx;
	const VmString *vs;
	const VmHeap *h;
	char *u;

	if (!is_ptr_slot(c->ft, at) || ptr % 8 != 0 || ptr < VM_ARENA_LOW + sizeof(VmHeap) ||
	    (vs = vm_string_at(ptr)) == NULL)
		return -1;
	h = VM_D2H(vs);
	if (h->tid != c->vm->t_string->id || h->size < sizeof(VmString) ||
	    (size_t)vm_string_len(vs) * (vs->len < 0 ? 4 : 1) > h->size - sizeof(VmString))
		return -1;
	u = vm_string_utf8(ptr, len);
	if (u == NULL)
		return -1;
	*s = u;
	*tofree = u;
	return 0;
}

/* Formats fmt (a Dis string word) with the varargs that follow it at frame
 * offset `off`; raises on failure. Caller frees out->p. */
static void
format(VmThread *t, uint8_t *fp, int32_t fmtoff, VmFmtBuf *out)
{
	const VmType *ft = vm_frame_type(t->vm, *(uint32_t *)(fp + DIS_REGTYP * 4));
	size_t flen, off = (size_t)DIS_MAXTEMP + (size_t)fmtoff + 4;
	size_t size = ft != NULL ? (size_t)ft->size : off;
	char *fmt = vm_string_utf8(*(uint32_t *)ARG(fp, fmtoff), &flen);
	StrCtx sc = {t->vm, ft};
	AcErr err;
	int rc;

	if (fmt == NULL)
		vm_raise(t, VM_EX_NOMEM);
	memset(out, 0, sizeof *out);
	rc = vm_fmt(out, fmt, flen, fp + off, size > off ? size - off : 0, off, getstr, &sc, t->errstr, &err);
	free(fmt);
	if (rc != AC_OK) {
		free(out->p);
		vm_raise(t, "%s", err.msg);
	}
}

static void
set_int(uint8_t *fp, int32_t v)
{
	uint8_t *r = RET(fp);

	if (r != NULL)
		*(int32_t *)r = v;
}

/* print and fprint: b's bytes to entry slot of the file table, freed
 * before a limit that ends the call is raised. */
static void
write_out(VmThread *t, uint8_t *fp, int slot, VmFmtBuf *b)
{
	const char *limit;
	int32_t r = vm_sys_write(t, slot, b->p, b->len, &limit);

	free(b->p);
	if (limit != NULL)
		vm_raise(t, "%s", limit);
	set_int(fp, r);
}

void
vm_Sys_print(VmThread *t, uint8_t *fp)
{
	VmFmtBuf b;

	format(t, fp, 0, &b);
	write_out(t, fp, 1, &b);
}

void
vm_Sys_fprint(VmThread *t, uint8_t *fp)
{
	/* Inferno: writing to nil fails, it does not raise. */
	int fd = vm_sys_fd_of(t, *(uint32_t *)ARG(fp, 0));
	VmFmtBuf b;

	format(t, fp, 4, &b);
	if (fd < 0) {
		free(b.p);
		set_int(fp, -1);
		return;
	}
	write_out(t, fp, ((SysFD *)VM_PTR(*(uint32_t *)ARG(fp, 0)))->slot, &b);
}

void
vm_Sys_sprint(VmThread *t, uint8_t *fp)
{
	VmFmtBuf b;
	uint8_t *r = RET(fp);

	format(t, fp, 0, &b);
	if (r != NULL)
		vm_string_store_utf8(t, (uint32_t *)r, b.p != NULL ? b.p : "", b.len);
	free(b.p);
}

void
vm_Sys_aprint(VmThread *t, uint8_t *fp)
{
	VmFmtBuf b;
	uint8_t *r = RET(fp);
	VmArray *a;

	format(t, fp, 0, &b);
	a = vm_array_new(t->vm, t->vm->t_byte, (int32_t)b.len, 1);
	if (a == NULL) {
		free(b.p);
		vm_raise(t, VM_EX_NOMEM);
	}
	if (b.len > 0)
		memcpy(a + 1, b.p, b.len);
	free(b.p);
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(a));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(a));
}

void
vm_Sys_millisec(VmThread *t, uint8_t *fp)
{
	(void)t;
	set_int(fp, (int32_t)ac_clock_ms());
}

void
vm_Sys_sleep(VmThread *t, uint8_t *fp)
{
	int32_t ms = *(int32_t *)ARG(fp, 0);

	set_int(fp, 0);
	if (ms > 0)
		vm_sleep(t, ms);
}

/* pctl(flags, movefd): the process id. The name space, environment and
 * descriptor-group flags change nothing here: every Dis thread shares the
 * host process's descriptors and name space. */
void
vm_Sys_pctl(VmThread *t, uint8_t *fp)
{
	set_int(fp, t->id);
}

void
vm_Sys_werrstr(VmThread *t, uint8_t *fp)
{
	size_t n;
	char *s = vm_string_utf8(*(uint32_t *)ARG(fp, 0), &n);

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	snprintf(t->errstr, sizeof t->errstr, "%s", s);
	free(s);
	set_int(fp, 0);
}

static int
sys_init(Vm *vm, void **state, AcErr *err)
{
	SysState *s = ac_calloc(1, sizeof *s, "$Sys", err);
	int rc;

	*state = s;
	if (s == NULL)
		return AC_ENOMEM;
	if (vm_sysfile_init(vm, s, err) != AC_OK)
		return AC_ENOMEM;
	if ((rc = vm_sysnet_init(vm, s, err)) != AC_OK)
		return rc;
	/* files only through the table: an FD is one this module made */
	return vm_builtin_adt(vm, VM_SYS_PATH, VM_SYS_ADT_FD, s->t_fd);
}

static void
sys_release(Vm *vm, void *state)
{
	SysState *s = state;

	vm_type_unref(vm, s->t_fd);
	vm_type_unref(vm, s->t_dir);
	s->t_fd = s->t_dir = NULL;
}

static void
sys_fini(Vm *vm, void *state)
{
	vm_sysfile_fini(vm, state);
	vm_sysnet_fini(state);
	free(state);
}

const VmBuiltinDef vm_sys_def = {
	VM_SYS_PATH, vm_Sys_tab, VM_SYS_NFUNCS, sys_init, sys_release, sys_fini,
};
