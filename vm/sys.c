/*
 * $Sys: Inferno's system module (module/sys.m) as ordinary programs use
 * it. This file holds the function table, the print family and the
 * process-ish calls (millisec, sleep, pctl, werrstr); files are in
 * sysfile.c, tokenize and UTF-8 in sysstr.c. Type-signature hashes are
 * Inferno's (libinterp/sysmod.h; tests/vm/sig.c recomputes them from the
 * signature strings in vm/sig.c).
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
	set_int(fp, write_all(t->vm->files != NULL && t->vm->files[1].refs > 0 ? t->vm->files[1].host : -1,
	                      b.p, b.len));
	free(b.p);
}

static void
sys_fprint(VmThread *t, uint8_t *fp)
{
	/* Inferno: writing to nil fails, it does not raise. */
	int fd = vm_sys_fd_of(t, *(uint32_t *)ARG(fp, 0));
	VmFmtBuf b;

	format(t, fp, 4, &b);
	set_int(fp, fd < 0 ? -1 : write_all(fd, b.p, b.len));
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
		memcpy(a + 1, b.p, b.len);
	free(b.p);
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(a));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(a));
}

static void
sys_millisec(VmThread *t, uint8_t *fp)
{
	(void)t;
	set_int(fp, (int32_t)ac_clock_ms());
}

static void
sys_sleep(VmThread *t, uint8_t *fp)
{
	int32_t ms = *(int32_t *)ARG(fp, 0);

	set_int(fp, 0);
	if (ms > 0)
		vm_sleep(t, ms);
}

/* pctl(flags, movefd): the process id. The name space, environment and
 * descriptor-group flags change nothing here: every Dis thread shares the
 * host process's descriptors and name space. */
static void
sys_pctl(VmThread *t, uint8_t *fp)
{
	set_int(fp, t->id);
}

static void
sys_werrstr(VmThread *t, uint8_t *fp)
{
	size_t n;
	char *s = vm_string_utf8(*(uint32_t *)ARG(fp, 0), &n);

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	snprintf(t->errstr, sizeof t->errstr, "%s", s);
	free(s);
	set_int(fp, 0);
}

/* Sorted by name. The hash is of the signature string in the comment
 * (vm/sig.c vm_sig_sys has the same strings); FD is a(fd:i) and DIR is
 * a(name:s,uid:s,gid:s,muid:s,qid:a(path:B,vers:i,qtype:i),mode:i,
 * atime:i,mtime:i,length:B,dtype:i,dev:i). */
static const VmBuiltinFunc sys_funcs[] = {
	{"aprint", 0x77442d46, sys_aprint, "p*"},             /* f*(s)Ab */
	{"byte2char", 0x3d6094f9, vm_sys_byte2char, "pw"},    /* f(Ab,i)t(i,i,i) */
	{"char2byte", 0x2ba5ab41, vm_sys_char2byte, "wpw"},   /* f(i,Ab,i)i */
	{"chdir", 0xc6935858, vm_sys_chdir, "p"},             /* f(s)i */
	{"create", 0x54db77d9, vm_sys_create, "pww"},         /* f(s,i,i)RFD */
	{"dirread", 0x72210d71, vm_sys_dirread, "p"},         /* f(RFD)t(i,ADIR) */
	{"dup", 0x6584767b, vm_sys_dup, "ww"},                /* f(i,i)i */
	{"fd2path", 0x749c6042, vm_sys_fd2path, "p"},         /* f(RFD)s */
	{"fildes", 0x1478f993, vm_sys_fildes, "w"},           /* f(i)RFD */
	{"fprint", 0xf46486c8, sys_fprint, "pp*"},            /* f*(RFD,s)i */
	{"fstat", 0xda4499c2, vm_sys_fstat, "p"},             /* f(RFD)t(i,DIR) */
	{"fwstat", 0x50a6c7e0, vm_sys_fwstat, "pD"},          /* f(RFD,DIR)i */
	{"iounit", 0x5583b730, vm_sys_iounit, "p"},           /* f(RFD)i */
	{"millisec", 0x616977e8, sys_millisec, ""},           /* f()i */
	{"open", 0x8f477f99, vm_sys_open, "pw"},              /* f(s,i)RFD */
	{"pctl", 0x05df27fb, sys_pctl, "wp"},                 /* f(i,Li)i */
	{"pipe", 0x1f2c52ea, vm_sys_pipe, "p"},               /* f(ARFD)i */
	{"pread", 0x09d8aac6, vm_sys_pread, "ppwl"},          /* f(RFD,Ab,i,B)i */
	{"print", 0xac849033, sys_print, "p*"},               /* f*(s)i */
	{"pwrite", 0x09d8aac6, vm_sys_pwrite, "ppwl"},        /* f(RFD,Ab,i,B)i */
	{"read", 0x7cfef557, vm_sys_read, "ppw"},             /* f(RFD,Ab,i)i */
	{"remove", 0xc6935858, vm_sys_remove, "p"},           /* f(s)i */
	{"seek", 0xaeccaddb, vm_sys_seek, "plw"},             /* f(RFD,B,i)B */
	{"sleep", 0xe67bf126, sys_sleep, "w"},                /* f(i)i */
	{"sprint", 0x4c0624b6, sys_sprint, "p*"},             /* f*(s)s */
	{"stat", 0x319328dd, vm_sys_stat, "p"},               /* f(s)t(i,DIR) */
	{"stream", 0xb9e8f9ea, vm_sys_stream, "ppw"},         /* f(RFD,R@1,i)i */
	{"tokenize", 0x57338f20, vm_sys_tokenize, "pp"},      /* f(s,s)t(i,Ls) */
	{"utfbytes", 0x01d4a1f4, vm_sys_utfbytes, "pw"},      /* f(Ab,i)i */
	{"werrstr", 0xc6935858, sys_werrstr, "p"},            /* f(s)i */
	{"write", 0x7cfef557, vm_sys_write, "ppw"},           /* f(RFD,Ab,i)i */
	{"wstat", 0x56b02096, vm_sys_wstat, "pD"},            /* f(s,DIR)i */
};

void
vm_sys_register(Vm *vm)
{
	vm_sysfile_init(vm);
	vm_builtin_register(vm, "$Sys", sys_funcs, (int)(sizeof sys_funcs / sizeof sys_funcs[0]), NULL);
}
