/*
 * $Sys: the part of Inferno's system module ordinary programs need first
 * (module/sys.m). Type-signature hashes are Inferno's (libinterp/sysmod.h;
 * tests/vm/sig.c recomputes them from the signature strings).
 */
#include "vm/vm_impl.h"
#include "vm/fmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#define ARG(fp, off) ((fp) + DIS_MAXTEMP + (off))
#define RET(fp) ((uint8_t *)VM_PTR(*(uint32_t *)((fp) + DIS_REGRET * 4)))

/* Sys->FD as Limbo sees it: one int. */
typedef struct SysFD {
	int32_t fd;
} SysFD;

static int
getstr(void *ctx, uint32_t ptr, const char **s, size_t *len, char **tofree)
{
	char *u = vm_string_utf8(ptr, len);

	(void)ctx;
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
	const VmType *ft = VM_PTR(*(uint32_t *)(fp + DIS_REGTYP * 4));
	size_t flen, off = (size_t)DIS_MAXTEMP + (size_t)fmtoff + 4;
	size_t size = ft != NULL ? (size_t)ft->size : off;
	char *fmt = vm_string_utf8(*(uint32_t *)ARG(fp, fmtoff), &flen);
	AcErr err;
	int rc;

	if (fmt == NULL)
		vm_raise(t, VM_EX_NOMEM);
	memset(out, 0, sizeof *out);
	rc = vm_fmt(out, fmt, flen, fp + off, size > off ? size - off : 0, off, getstr, NULL, t->errstr, &err);
	free(fmt);
	if (rc != AC_OK) {
		free(out->p);
		vm_raise(t, "%s", err.msg);
	}
}

static int32_t
write_all(int fd, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (int32_t)done;
}

static void
set_int(uint8_t *fp, int32_t v)
{
	uint8_t *r = RET(fp);

	if (r != NULL)
		*(int32_t *)r = v;
}

static void
sys_print(VmThread *t, uint8_t *fp)
{
	VmFmtBuf b;

	format(t, fp, 0, &b);
	set_int(fp, write_all(1, b.p, b.len));
	free(b.p);
}

static void
sys_fprint(VmThread *t, uint8_t *fp)
{
	SysFD *fd = VM_PTR(*(uint32_t *)ARG(fp, 0));
	VmFmtBuf b;

	if (fd == NULL)
		vm_raise(t, VM_EX_NILREF);
	format(t, fp, 4, &b);
	set_int(fp, write_all(fd->fd, b.p, b.len));
	free(b.p);
}

static void
sys_sprint(VmThread *t, uint8_t *fp)
{
	VmFmtBuf b;
	uint8_t *r = RET(fp);

	format(t, fp, 0, &b);
	if (r != NULL)
		vm_string_store_utf8(t, (uint32_t *)r, b.p != NULL ? b.p : "", b.len);
	free(b.p);
}

static void
sys_aprint(VmThread *t, uint8_t *fp)
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
		memcpy(a->data, b.p, b.len);
	free(b.p);
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(a));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(a));
}

static void
sys_fildes(VmThread *t, uint8_t *fp)
{
	int32_t n = *(int32_t *)ARG(fp, 0);
	uint8_t *r = RET(fp);
	SysFD *fd;

	if (r == NULL)
		return;
	vm_ptr_set(t->vm, (uint32_t *)r, VM_H);
	if (n < 0 || fcntl(n, F_GETFD) < 0)
		return;  /* nil, as Inferno returns for a closed descriptor */
	fd = vm_heap_new(t->vm, t->vm->t_fd);
	if (fd == NULL)
		vm_raise(t, VM_EX_NOMEM);
	fd->fd = n;
	*(uint32_t *)r = VM_WORD(fd);
}

static void
sys_millisec(VmThread *t, uint8_t *fp)
{
	(void)t;
	set_int(fp, (int32_t)ac_clock_ms());
}

static void
sys_write(VmThread *t, uint8_t *fp)
{
	SysFD *fd = VM_PTR(*(uint32_t *)ARG(fp, 0));
	VmArray *buf = VM_PTR(*(uint32_t *)ARG(fp, 4));
	int32_t n = *(int32_t *)ARG(fp, 8);

	if (fd == NULL)
		vm_raise(t, VM_EX_NILREF);
	if (n < 0 || (buf == NULL && n > 0) || (buf != NULL && (uint32_t)n > buf->len)) {
		/* Inferno's write refuses a count beyond the array. */
		snprintf(t->errstr, sizeof t->errstr, "write: count %d outside array", (int)n);
		set_int(fp, -1);
		return;
	}
	int32_t w = write_all(fd->fd, buf != NULL ? (const char *)buf->data : "", (size_t)n);
	if (w < 0)
		snprintf(t->errstr, sizeof t->errstr, "%s", strerror(errno));
	set_int(fp, w);
}

static const VmBuiltinFunc sys_funcs[] = {
	{"aprint", 0x77442d46, sys_aprint, "p*"},
	{"fildes", 0x1478f993, sys_fildes, "w"},
	{"fprint", 0xf46486c8, sys_fprint, "pp*"},
	{"millisec", 0x616977e8, sys_millisec, ""},
	{"print", 0xac849033, sys_print, "p*"},
	{"sprint", 0x4c0624b6, sys_sprint, "p*"},
	{"write", 0x7cfef557, sys_write, "ppw"},
};

void
vm_sys_register(Vm *vm)
{
	vm->t_fd = vm_type_new(vm, 4, 0, NULL);
	vm_builtin_register(vm, "$Sys", sys_funcs, (int)(sizeof sys_funcs / sizeof sys_funcs[0]), NULL);
}
