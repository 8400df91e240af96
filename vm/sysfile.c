/*
 * $Sys files: open, create, read, write, seek, stat and friends. A
 * `ref Sys->FD` names an entry of the program's own file table (Inferno's
 * fd group, SysState.files), never a host descriptor: the number Dis code sees
 * (and may overwrite) is only shown. An entry's host descriptor is closed
 * when its last FD goes (the type's destroy hook), except 0, 1 and 2.
 * Absolute Inferno paths resolve under the runtime's root (emu -r),
 * relative ones against the working directory. Failures return Inferno's
 * value (nil, -1) and leave the reason in the thread's errstr for %r.
 *
 * Follows: Inferno emu/port/inferno.c (Sys_open ... Sys_dirread), man/2
 * sys-open, sys-read, sys-seek, sys-stat, sys-dirread, sys-dup, sys-pipe.
 */
#include "vm/sys_impl.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* Inferno open modes and permission bits (module/sys.m) */
enum {
	SYS_OREAD = 0, SYS_OWRITE = 1, SYS_ORDWR = 2, SYS_OEXEC = 3,
	SYS_OTRUNC = 16, SYS_ORCLOSE = 64, SYS_OEXCL = 0x1000,
	SYS_QTDIR = 0x80,
};
#define SYS_DMDIR 0x80000000u

#define ARG(k) vm_builtin_arg(fp, SPEC, (k))
#define AW(k) (*(int32_t *)ARG(k))
#define AP(k) (*(uint32_t *)ARG(k))
#define AL(k) (*(int64_t *)ARG(k))

void
vm_sys_errno(VmThread *t, int e)
{
	const char *s;

	switch (e) {
	case ENOENT: s = SYS_ENONEXIST; break;
	case EACCES: case EPERM: s = SYS_EPERM; break;
	case EEXIST: s = SYS_EEXIST; break;
	case EISDIR: s = SYS_EISDIR; break;
	case ENOTDIR: s = SYS_ENOTDIR; break;
	case EBADF: s = SYS_EBADFD; break;
	case EBUSY: s = SYS_EINUSE; break;
	case ENOTEMPTY: s = SYS_ENOTEMPTY; break;
	default: s = strerror(e); break;
	}
	snprintf(t->errstr, sizeof t->errstr, "%s", s);
}

enum { MAX_FILES = 256 };  /* the program's table: numbers 0 to 255 */

/* Drops one reference to entry n of the program's table; the last one
 * closes its host descriptor (0-2 never: they are the process's). */
static void
file_unref(Vm *vm, int n)
{
	SysState *s = vm_sys_state(vm);
	SysFile *e;

	if (s == NULL || s->files == NULL || n < 0 || n >= s->nfiles || s->files[n].refs <= 0)
		return;
	e = &s->files[n];
	if (--e->refs == 0) {
		if (n > 2)
			s->nopen--;
		if (e->dir != NULL)
			closedir(e->dir);  /* closes its own dup of the file */
		e->dir = NULL;
		if (e->host > 2)
			close(e->host);
		e->host = -1;
	}
}

static void
fd_destroy(Vm *vm, void *p)
{
	SysFD *f = p;

	file_unref(vm, f->slot);
}

int
vm_sysfile_init(Vm *vm, SysState *s, AcErr *err)
{
	static const uint8_t dirmap[1] = {0xf0};  /* name, uid, gid, muid */

	s->t_fd = vm_type_new(vm, (int32_t)sizeof(SysFD), 0, NULL);
	s->t_dir = vm_type_new(vm, (int32_t)sizeof(SysDir), 1, dirmap);
	s->files = malloc(MAX_FILES * sizeof s->files[0]);
	if (s->t_fd == NULL || s->t_dir == NULL || s->files == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Sys: out of memory");
	vm_type_set_destroy(vm, s->t_fd, fd_destroy);
	s->nfiles = MAX_FILES;
	for (int i = 0; i < s->nfiles; i++)
		s->files[i] = (SysFile){i <= 2 ? i : -1, i <= 2, NULL};
	for (int i = 0; i < 2; i++) {
		struct stat st;
		s->out[i].ok = fstat(1 + i, &st) == 0;
		s->out[i].dev = st.st_dev;
		s->out[i].ino = st.st_ino;
	}
	return AC_OK;
}

void
vm_sysfile_fini(Vm *vm, SysState *s)
{
	(void)vm;
	for (int i = 0; i < s->nfiles; i++) {
		if (s->files[i].dir != NULL)
			closedir(s->files[i].dir);
		if (s->files[i].refs > 0 && s->files[i].host > 2)
			close(s->files[i].host);
	}
	free(s->files);
	s->files = NULL;
	s->nfiles = 0;
	for (int k = 0; k < 2; k++) {
		char **l = k == 0 ? s->confine_read : s->confine_write;
		for (size_t i = 0; l != NULL && l[i] != NULL; i++)
			free(l[i]);
		free(l);
	}
	s->confine_read = s->confine_write = NULL;
}

/* Counts one more entry open beyond 0-2; past max_files it closes host
 * descriptor fd and raises the file limit (the program ends). */
static void
file_count(VmThread *t, int fd)
{
	SysState *s = vm_sys_state(t->vm);

	if (t->vm->opt.max_files != 0 && s->nopen >= t->vm->opt.max_files) {
		if (fd > 2)
			close(fd);
		vm_limit_raise(t, VM_LIMIT_FILES);
	}
	s->nopen++;
}

/* The lowest free number of the program's table for host descriptor fd,
 * with refs references; -1 (fd closed, errstr set) when it is full. */
static int
file_add(VmThread *t, int fd, int refs)
{
	SysState *s = vm_sys_state(t->vm);

	for (int n = 0; n < s->nfiles; n++)
		if (s->files[n].refs == 0) {
			if (n > 2)
				file_count(t, fd);
			s->files[n] = (SysFile){fd, refs, NULL};
			return n;
		}
	if (fd > 2)
		close(fd);
	snprintf(t->errstr, sizeof t->errstr, "no free file descriptors");
	return -1;
}

/* A new Sys->FD naming entry n of the table (which it takes a reference
 * to); raises on no memory. */
static uint32_t
fd_for(VmThread *t, int n)
{
	SysFD *f = vm_heap_new(t->vm, vm_sys_state(t->vm)->t_fd);

	if (f == NULL)
		vm_raise(t, VM_EX_NOMEM);
	vm_sys_state(t->vm)->files[n].refs++;
	f->fd = n;
	f->slot = n;
	return VM_WORD(f);
}

uint32_t
vm_sys_fd_new(VmThread *t, int fd)
{
	int n = file_add(t, fd, 1);  /* the reference held while the FD is made */
	SysFD *f;

	if (n < 0)
		return VM_H;
	f = vm_heap_new(t->vm, vm_sys_state(t->vm)->t_fd);
	if (f == NULL) {
		file_unref(t->vm, n);
		vm_raise(t, VM_EX_NOMEM);
	}
	f->fd = n;
	f->slot = n;
	return VM_WORD(f);
}

/* The ref FD w as ours: nil, or a closed entry, is EBADFD. An object of
 * another type never gets here: the marshaller admits only FDs this
 * module made (vm_builtin_adt). */
static SysFD *
fd_check(VmThread *t, uint32_t w)
{
	SysFD *f = VM_PTR(w);

	if (vm_ptr_bad(w) || f->slot < 0 || f->slot >= vm_sys_state(t->vm)->nfiles ||
	    vm_sys_state(t->vm)->files[f->slot].refs <= 0) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EBADFD);
		return NULL;
	}
	return f;
}

int
vm_sys_fd_of(VmThread *t, uint32_t w)
{
	SysFD *f = fd_check(t, w);

	return f != NULL ? vm_sys_state(t->vm)->files[f->slot].host : -1;
}

void
vm_sys_ret_int(uint8_t *fp, int32_t v)
{
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (r != NULL)
		*(int32_t *)r = v;
}

void
vm_sys_ret_ptr(VmThread *t, uint8_t *fp, uint32_t v)
{
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (r == NULL) {
		vm_destroy(t->vm, v);
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, v);
}

enum { P_READ = 0, P_WRITE = 1, P_FOLLOW = 2 };  /* host_path's how */

/* The host path for Inferno path string w, into buf, for a call that
 * reads or writes (how: P_READ or P_WRITE, | P_FOLLOW when it follows a
 * symbolic link in the last element). Returns 0, or -1 (errstr set) when
 * it does not fit or, under --sandbox, lies outside the allowed files. */
static int
host_path(VmThread *t, uint32_t w, char *buf, size_t n, int how)
{
	size_t len;
	char *s = vm_string_utf8(w, &len);
	const char *root = t->vm->opt.root;
	int k;

	if (s == NULL)
		vm_raise(t, VM_EX_NOMEM);
	if (s[0] == '/')
		vm_path_clean(s);  /* an absolute name stays under the root */
	if (s[0] == '/' && root != NULL && strcmp(root, "/") != 0)
		k = snprintf(buf, n, "%s%s", root, s);
	else
		k = snprintf(buf, n, "%s", len > 0 ? s : "");
	free(s);
	if (k < 0 || (size_t)k >= n) {
		snprintf(t->errstr, sizeof t->errstr, "file name too long");
		return -1;
	}
	if (!vm_path_confined(t->vm, buf, n, how & P_WRITE, (how & P_FOLLOW) != 0)) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EPERM);
		return -1;
	}
	return 0;
}

static int
host_flags(int32_t mode)
{
	int f;

	switch (mode & 3) {
	case SYS_OWRITE: f = O_WRONLY; break;
	case SYS_ORDWR: f = O_RDWR; break;
	default: f = O_RDONLY; break;
	}
	if (mode & SYS_OTRUNC)
		f |= O_TRUNC;
	if (mode & SYS_OEXCL)
		f |= O_EXCL;
	return f | O_CLOEXEC;
}

/* Opens a FIFO without blocking in open(2), where neither the scheduler
 * nor the deadline could reach the thread: for writing, retried every
 * 20 ms while no reader has it open; for reading, opened at once and
 * returned once a writer has written or come and gone (POLLIN or
 * POLLHUP: Linux shows no writer that has only opened it), the wait kept
 * in the thread (held_fd) while others run. Returns the descriptor, in
 * blocking mode again; -1 with errno; or -2 when the thread waits and the
 * call will be made again. The wall-clock exception ends the waits. */
static int
open_fifo(VmThread *t, const char *path, int flags)
{
	int fd;

	if (t->held_fd >= 0) {
		fd = t->held_fd;  /* the retry of a read open: its wait is over */
		t->held_fd = -1;
	} else {
		for (;;) {
			fd = open(path, flags | O_NONBLOCK);
			if (fd >= 0 || errno != ENXIO)
				break;
			if (vm_wait_retry(t, 20))
				return -2;
		}
		if (fd < 0)
			return -1;
		if ((flags & O_ACCMODE) == O_RDONLY) {
			t->held_fd = fd;  /* until the thread is freed, should the deadline end it */
			if (!vm_wait_fd(t, fd, POLLIN))
				return -2;
			t->held_fd = -1;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

#define SPEC "pw"
void
vm_Sys_open(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	vm_sys_ret_ptr(t, fp, VM_H);
	if (host_path(t, AP(0), path, sizeof path,
	              ((AW(1) & 3) == SYS_OWRITE || (AW(1) & 3) == SYS_ORDWR || (AW(1) & (SYS_OTRUNC | SYS_ORCLOSE))
	                   ? P_WRITE : P_READ) | P_FOLLOW) < 0)
		return;
	if (t->held_fd >= 0 || (!vm_may_block(t) && stat(path, &st) == 0 && S_ISFIFO(st.st_mode)))
		fd = open_fifo(t, path, host_flags(AW(1)));
	else
		fd = open(path, host_flags(AW(1)));
	if (fd == -2)
		return;
	if (fd < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	if (AW(1) & SYS_ORCLOSE)
		unlink(path);
	vm_sys_ret_ptr(t, fp, vm_sys_fd_new(t, fd));
}
#undef SPEC

#define SPEC "pww"
void
vm_Sys_create(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];
	int32_t mode = AW(1);
	uint32_t perm = (uint32_t)AW(2);
	int fd;

	vm_sys_ret_ptr(t, fp, VM_H);
	if (host_path(t, AP(0), path, sizeof path, P_WRITE | P_FOLLOW) < 0)
		return;
	if (perm & SYS_DMDIR) {
		/* A directory: made, then opened for reading as Inferno does. */
		if (mkdir(path, perm & 0777) < 0 && !(errno == EEXIST && !(mode & SYS_OEXCL))) {
			vm_sys_errno(t, errno);
			return;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		fd = open(path, host_flags(mode) | O_CREAT | O_TRUNC, perm & 0777);
	}
	if (fd < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	if (mode & SYS_ORCLOSE)
		unlink(path);
	vm_sys_ret_ptr(t, fp, vm_sys_fd_new(t, fd));
}
#undef SPEC

/* The array's bytes and the count Inferno uses: n clipped to the array,
 * 0 for a nil array or a negative n. */
static size_t
io_count(VmThread *t, uint32_t wbuf, int32_t n, uint8_t **data)
{
	VmArray *a;
	uint8_t *p = vm_array_check(t, wbuf, &a, 1);

	*data = NULL;
	if (a == NULL || n < 0)
		return 0;
	*data = p;
	return (uint32_t)n > a->len ? a->len : (size_t)n;
}

static int32_t
io_result(VmThread *t, ssize_t r)
{
	if (r < 0)
		vm_sys_errno(t, errno);
	return (int32_t)r;
}

#define SPEC "ppw"
/* read and write (fd, buf, n): the descriptor and the bytes, once fd is
 * ready for events. Returns -1 when the call is over already: its result
 * is set, or the thread waits for fd and the call will be made again. */
static int
io_begin(VmThread *t, uint8_t *fp, int events, uint8_t **data, size_t *n)
{
	int fd = vm_sys_fd_of(t, AP(0));

	*n = io_count(t, AP(1), AW(2), data);
	if (*data == NULL || fd < 0) {
		vm_sys_ret_int(fp, *data == NULL ? 0 : -1);
		return -1;
	}
	return vm_wait_fd(t, fd, events) ? fd : -1;
}

void
vm_Sys_read(VmThread *t, uint8_t *fp)
{
	uint8_t *data;
	size_t n;
	int fd = io_begin(t, fp, POLLIN, &data, &n);
	ssize_t r;

	if (fd < 0)
		return;
	do
		r = read(fd, data, n);
	while (r < 0 && errno == EINTR);
	vm_sys_ret_int(fp, io_result(t, r));
}

/* With --max-output: is host descriptor fd the process's standard output
 * or error, however reached (a dup, fildes, /dev/stdout)? Then n is cut
 * to what the limit leaves, counted, and 1 returned when it was cut:
 * the caller writes n and raises the output limit. */
static int
output_cut(VmThread *t, int fd, size_t *n)
{
	SysState *s = vm_sys_state(t->vm);
	uint64_t max = t->vm->opt.max_output_bytes;
	struct stat st;
	int out = 0;

	if (max == 0 || fstat(fd, &st) != 0)
		return 0;
	for (int i = 0; i < 2; i++)
		out |= s->out[i].ok && s->out[i].dev == st.st_dev && s->out[i].ino == st.st_ino;
	if (!out)
		return 0;
	if (s->out_bytes + *n > max) {
		*n = (size_t)(max - s->out_bytes);
		s->out_bytes = max;
		return 1;
	}
	s->out_bytes += *n;
	return 0;
}

int32_t
vm_sys_write(VmThread *t, int slot, const void *p, size_t n, const char **limit)
{
	SysState *s = vm_sys_state(t->vm);
	const uint8_t *b = p;
	size_t done = 0, piece = n;
	struct stat st;
	int fd, cut;

	*limit = NULL;
	if (s->files == NULL || slot < 0 || slot >= s->nfiles || s->files[slot].refs <= 0) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EBADFD);
		return -1;
	}
	fd = s->files[slot].host;
	cut = output_cut(t, fd, &n);
	/* A pipe takes PIPE_BUF bytes without blocking once poll says it can
	 * be written, so a write to one that fills goes in such pieces, each
	 * waited for where the deadline can end the wait (one write(2) of
	 * the whole would block in the host once the pipe was full). */
	if (!vm_may_block(t) && fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		piece = PIPE_BUF;
	while (done < n) {
		size_t k = n - done < piece ? n - done : piece;
		ssize_t w;
		if (done > 0 && piece < n && vm_wait_fd_here(t, fd, POLLOUT, -1) == 0) {
			*limit = "wall-clock limit exceeded";
			return -1;
		}
		w = write(fd, b + done, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			vm_sys_errno(t, errno);
			return -1;
		}
		done += (size_t)w;
	}
	if (cut) {
		/* what the limit left is written; the program ends */
		t->vm->limit_hit = VM_LIMIT_OUTPUT;
		*limit = "output limit exceeded";
		return -1;
	}
	return (int32_t)done;
}

void
vm_Sys_write(VmThread *t, uint8_t *fp)
{
	uint8_t *data;
	size_t n;
	int fd = io_begin(t, fp, POLLOUT, &data, &n);
	const char *limit;
	int32_t r;

	if (fd < 0)
		return;
	r = vm_sys_write(t, fd_check(t, AP(0))->slot, data, n, &limit);
	if (limit != NULL)
		vm_raise(t, "%s", limit);
	vm_sys_ret_int(fp, r);
}
#undef SPEC

#define SPEC "ppwl"
/* pread and pwrite: n bytes of the array at a file offset. */
static void
positional_io(VmThread *t, uint8_t *fp, int writing)
{
	uint8_t *data;
	size_t n = io_count(t, AP(1), AW(2), &data);
	int fd = vm_sys_fd_of(t, AP(0));
	ssize_t r;

	if (data == NULL || fd < 0) {
		vm_sys_ret_int(fp, data == NULL ? 0 : -1);
		return;
	}
	if (writing && output_cut(t, fd, &n)) {
		if (pwrite(fd, data, n, (off_t)AL(3)) < 0)
			vm_sys_errno(t, errno);
		vm_limit_raise(t, VM_LIMIT_OUTPUT);
	}
	r = writing ? pwrite(fd, data, n, (off_t)AL(3)) : pread(fd, data, n, (off_t)AL(3));
	vm_sys_ret_int(fp, io_result(t, r));
}

void vm_Sys_pread(VmThread *t, uint8_t *fp) { positional_io(t, fp, 0); }
void vm_Sys_pwrite(VmThread *t, uint8_t *fp) { positional_io(t, fp, 1); }
#undef SPEC

#define SPEC "plw"
void
vm_Sys_seek(VmThread *t, uint8_t *fp)
{
	int fd = vm_sys_fd_of(t, AP(0));
	int whence = AW(2) == 1 ? SEEK_CUR : AW(2) == 2 ? SEEK_END : SEEK_SET;
	off_t r = -1;
	uint8_t *ret = VM_BUILTIN_RET(fp);

	if (fd >= 0) {
		r = lseek(fd, (off_t)AL(1), whence);
		if (r < 0)
			vm_sys_errno(t, errno);
	}
	if (ret != NULL)
		*(int64_t *)ret = (int64_t)r;
}
#undef SPEC

#define SPEC "p"
void
vm_Sys_remove(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];
	struct stat st;
	int r;

	if (host_path(t, AP(0), path, sizeof path, P_WRITE) < 0) {
		vm_sys_ret_int(fp, -1);
		return;
	}
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		r = rmdir(path);
	else
		r = unlink(path);
	if (r < 0)
		vm_sys_errno(t, errno);
	vm_sys_ret_int(fp, r < 0 ? -1 : 0);
}

void
vm_Sys_chdir(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];
	int r = -1;

	if (host_path(t, AP(0), path, sizeof path, P_READ | P_FOLLOW) == 0) {
		r = chdir(path);
		if (r < 0)
			vm_sys_errno(t, errno);
	}
	vm_sys_ret_int(fp, r < 0 ? -1 : 0);
}
#undef SPEC

/* Fills Dir d (dropping the strings it held) from st; name is the last
 * element of the path. */
static void
fill_dir(VmThread *t, SysDir *d, const struct stat *st, const char *name)
{
	char ubuf[32], gbuf[32];
	const char *uid, *gid;
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);

	if (pw != NULL) {
		uid = pw->pw_name;
	} else {
		snprintf(ubuf, sizeof ubuf, "%u", (unsigned)st->st_uid);
		uid = ubuf;
	}
	if (gr != NULL) {
		gid = gr->gr_name;
	} else {
		snprintf(gbuf, sizeof gbuf, "%u", (unsigned)st->st_gid);
		gid = gbuf;
	}
	vm_string_store_utf8(t, &d->name, name, strlen(name));
	vm_string_store_utf8(t, &d->uid, uid, strlen(uid));
	vm_string_store_utf8(t, &d->gid, gid, strlen(gid));
	vm_string_store_utf8(t, &d->muid, "", 0);
	d->qid.path = (int64_t)st->st_ino;
	d->qid.vers = (int32_t)st->st_mtime;
	d->qid.qtype = S_ISDIR(st->st_mode) ? SYS_QTDIR : 0;
	d->mode = (int32_t)((st->st_mode & 0777) | (S_ISDIR(st->st_mode) ? SYS_DMDIR : 0));
	d->atime = (int32_t)st->st_atime;
	d->mtime = (int32_t)st->st_mtime;
	d->pad = 0;
	d->length = S_ISDIR(st->st_mode) ? 0 : (int64_t)st->st_size;
	d->dtype = 'U';  /* emu's host file system device */
	d->dev = (int32_t)st->st_dev;
}

/* Last path element of host path p ("/" for the root). */
static const char *
base_name(const char *p)
{
	size_t n = strlen(p);
	const char *s;

	while (n > 1 && p[n - 1] == '/')
		n--;
	for (s = p + n; s > p && s[-1] != '/'; s--)
		;
	return *s != 0 ? s : "/";
}

/* (int, Dir) result: the int at 0, the Dir at 8. */
static SysDir *
ret_dir(uint8_t *fp, int32_t v)
{
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (r == NULL)
		return NULL;
	*(int32_t *)r = v;
	return (SysDir *)(r + 8);
}

#define SPEC "p"
void
vm_Sys_stat(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];
	struct stat st;
	SysDir *d;
	char *slash;

	ret_dir(fp, -1);
	if (host_path(t, AP(0), path, sizeof path, P_READ | P_FOLLOW) < 0)
		return;
	if (stat(path, &st) < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	d = ret_dir(fp, 0);
	if (d == NULL)
		return;
	/* A trailing-slash path names the directory itself. */
	slash = path + strlen(path);
	while (slash > path + 1 && slash[-1] == '/')
		*--slash = 0;
	fill_dir(t, d, &st, base_name(path));
}

void
vm_Sys_fstat(VmThread *t, uint8_t *fp)
{
	char link[64], path[PATH_MAX];
	int fd = vm_sys_fd_of(t, AP(0));
	struct stat st;
	SysDir *d;
	ssize_t n;

	ret_dir(fp, -1);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	d = ret_dir(fp, 0);
	if (d == NULL)
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	path[n > 0 ? n : 0] = 0;
	fill_dir(t, d, &st, n > 0 && path[0] == '/' ? base_name(path) : "");
}
#undef SPEC

/* Applies the fields of d that are not "don't touch" (~0, nil) to the file
 * at path or descriptor fd (-1: use path). Returns 0 or -1 (errstr set). */
static int
apply_wstat(VmThread *t, const char *path, int fd, const SysDir *d)
{
	char *name = NULL;
	size_t nlen = 0;
	int r = 0;

	if (d->mode != -1 && (fd >= 0 ? fchmod(fd, (mode_t)d->mode & 0777) : chmod(path, (mode_t)d->mode & 0777)) < 0)
		goto fail;
	if (d->length != -1 && (fd >= 0 ? ftruncate(fd, (off_t)d->length) : truncate(path, (off_t)d->length)) < 0)
		goto fail;
	if (d->mtime != -1) {
		struct timespec ts[2] = {{0, UTIME_OMIT}, {d->mtime, 0}};
		if ((fd >= 0 ? futimens(fd, ts) : utimensat(AT_FDCWD, path, ts, 0)) < 0)
			goto fail;
	}
	if (vm_string_len(vm_string_at(d->name)) > 0) {
		char from[PATH_MAX], to[PATH_MAX], link[64];
		const char *base;
		name = vm_string_utf8(d->name, &nlen);
		if (name == NULL)
			vm_raise(t, VM_EX_NOMEM);
		if (strchr(name, '/') != NULL) {
			snprintf(t->errstr, sizeof t->errstr, "bad character in file name");
			free(name);
			return -1;
		}
		if (fd >= 0) {
			ssize_t n;
			snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
			n = readlink(link, from, sizeof from - 1);
			if (n < 0)
				goto fail;
			from[n] = 0;
		} else {
			snprintf(from, sizeof from, "%s", path);
		}
		base = base_name(from);
		if (strcmp(base, name) != 0) {
			snprintf(to, sizeof to, "%.*s%s", (int)(base - from), from, name);
			if (access(to, F_OK) == 0) {
				snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EEXIST);
				free(name);
				return -1;
			}
			if (rename(from, to) < 0)
				goto fail;
		}
	}
	free(name);
	return r;
fail:
	vm_sys_errno(t, errno);
	free(name);
	return -1;
}

#define SPEC "pD"
void
vm_Sys_wstat(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX];

	if (host_path(t, AP(0), path, sizeof path, P_WRITE | P_FOLLOW) < 0) {
		vm_sys_ret_int(fp, -1);
		return;
	}
	vm_sys_ret_int(fp, apply_wstat(t, path, -1, (const SysDir *)ARG(1)));
}

void
vm_Sys_fwstat(VmThread *t, uint8_t *fp)
{
	int fd = vm_sys_fd_of(t, AP(0));

	vm_sys_ret_int(fp, fd < 0 ? -1 : apply_wstat(t, NULL, fd, (const SysDir *)ARG(1)));
}
#undef SPEC

/* dirread: every remaining entry of the directory in one array, then 0
 * at the end (Inferno returns them in chunks; programs loop until 0). */
#define SPEC "p"
void
vm_Sys_dirread(VmThread *t, uint8_t *fp)
{
	uint8_t *r = VM_BUILTIN_RET(fp);
	SysFD *f;
	struct dirent *e;
	VmArray *a;
	DIR *dir;
	long start;
	int32_t n = 0, i = 0;

	if (r == NULL)
		return;
	*(int32_t *)r = -1;
	vm_ptr_set(t->vm, (uint32_t *)(r + 4), VM_H);
	if ((f = fd_check(t, AP(0))) == NULL)
		return;
	if ((dir = vm_sys_state(t->vm)->files[f->slot].dir) == NULL) {
		int fd2 = fcntl(vm_sys_state(t->vm)->files[f->slot].host, F_DUPFD_CLOEXEC, 0);
		if (fd2 < 0 || (dir = fdopendir(fd2)) == NULL) {
			vm_sys_errno(t, errno);
			if (fd2 >= 0)
				close(fd2);
			return;
		}
		vm_sys_state(t->vm)->files[f->slot].dir = dir;
	}
	start = telldir(dir);
	while ((e = readdir(dir)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (n == 0) {
		*(int32_t *)r = 0;
		return;
	}
	seekdir(dir, start);
	a = vm_array_new(t->vm, vm_sys_state(t->vm)->t_dir, n, 1);
	if (a == NULL)
		vm_raise(t, VM_EX_NOMEM);
	*(uint32_t *)(r + 4) = VM_WORD(a);
	while (i < n && (e = readdir(dir)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), e->d_name, &st, 0) < 0 &&
		    fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;  /* vanished */
		fill_dir(t, (SysDir *)(a + 1) + i, &st, e->d_name);
		i++;
	}
	while (readdir(dir) != NULL)
		;
	a->len = (uint32_t)i;
	*(int32_t *)r = i;
}

/* The Inferno name of the file open on fd: the host path with the root
 * prefix taken off when it lies under the root. */
void
vm_Sys_fd2path(VmThread *t, uint8_t *fp)
{
	char link[64], path[PATH_MAX], root[PATH_MAX];
	int fd = vm_sys_fd_of(t, AP(0));
	const char *p = path;
	ssize_t n;

	vm_sys_ret_ptr(t, fp, VM_H);
	if (fd < 0)
		return;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	path[n] = 0;
	if (t->vm->opt.root != NULL && strcmp(t->vm->opt.root, "/") != 0 &&
	    realpath(t->vm->opt.root, root) != NULL) {
		size_t rl = strlen(root);
		if (strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == 0))
			p = path[rl] == 0 ? "/" : path + rl;
	}
	if (VM_BUILTIN_RET(fp) != NULL)
		vm_string_store_utf8(t, (uint32_t *)VM_BUILTIN_RET(fp), p, strlen(p));
}
#undef SPEC

/* dup(old, new): number new (the lowest free one if new < 0) of the
 * program's table names a copy of its file old, as in Inferno's fd group;
 * FDs already naming new name the copy from then on. The number stays
 * open until the program ends. Host descriptors are not touched: the copy
 * is a fresh one. */
#define SPEC "ww"
void
vm_Sys_dup(VmThread *t, uint8_t *fp)
{
	SysState *s = vm_sys_state(t->vm);
	int old = AW(0), new = AW(1), host;

	vm_sys_ret_int(fp, -1);
	if (old < 0 || old >= s->nfiles || s->files[old].refs <= 0 || new >= s->nfiles) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EBADFD);
		return;
	}
	if (old == new) {
		vm_sys_ret_int(fp, new);
		return;
	}
	host = fcntl(s->files[old].host, F_DUPFD_CLOEXEC, 3);
	if (host < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	if (new < 0) {
		new = file_add(t, host, 1);
	} else if (s->files[new].refs > 0) {
		if (s->files[new].dir != NULL)
			closedir(s->files[new].dir);
		s->files[new].dir = NULL;
		if (s->files[new].host > 2)
			close(s->files[new].host);
		s->files[new].host = host;
		s->files[new].refs++;  /* the table's own */
	} else {
		if (new > 2)
			file_count(t, host);
		s->files[new] = (SysFile){host, 1, NULL};
	}
	vm_sys_ret_int(fp, new);
}
#undef SPEC

/* fildes(n): a ref FD for number n of the program's table (0-2 and what
 * it opened or dup'd), nil for any other: never a host descriptor. */
#define SPEC "w"
void
vm_Sys_fildes(VmThread *t, uint8_t *fp)
{
	int32_t n = AW(0);

	vm_sys_ret_ptr(t, fp, VM_H);
	if (n < 0 || n >= vm_sys_state(t->vm)->nfiles || vm_sys_state(t->vm)->files[n].refs <= 0) {
		snprintf(t->errstr, sizeof t->errstr, "%s", SYS_EBADFD);
		return;
	}
	vm_sys_ret_ptr(t, fp, fd_for(t, n));
}
#undef SPEC

#define SPEC "p"
void
vm_Sys_pipe(VmThread *t, uint8_t *fp)
{
	VmArray *a;
	uint32_t *slot = (uint32_t *)vm_array_check(t, AP(0), &a, 4);
	int p[2];

	vm_sys_ret_int(fp, -1);
	if (a == NULL)
		vm_raise(t, VM_EX_NILREF);
	if (a->len < 2)
		return;
	if (pipe2(p, O_CLOEXEC) < 0) {
		vm_sys_errno(t, errno);
		return;
	}
	vm_ptr_set(t->vm, &slot[0], vm_sys_fd_new(t, p[0]));
	vm_ptr_set(t->vm, &slot[1], vm_sys_fd_new(t, p[1]));
	if (slot[0] != VM_H && slot[1] != VM_H)
		vm_sys_ret_int(fp, 0);
}

void
vm_Sys_iounit(VmThread *t, uint8_t *fp)
{
	(void)t;
	vm_sys_ret_int(fp, 0);  /* no limit known, as for most Inferno files */
}
#undef SPEC

#define SPEC "ppw"
void
vm_Sys_stream(VmThread *t, uint8_t *fp)
{
	int src = vm_sys_fd_of(t, AP(0)), dst = vm_sys_fd_of(t, AP(1));
	int32_t bufsiz = AW(2), total = 0;
	const char *limit;
	char *buf;

	if (src < 0 || dst < 0 || bufsiz <= 0) {
		vm_sys_ret_int(fp, -1);
		return;
	}
	/* The first read waits through the scheduler as Sys->read does (nothing
	 * is done yet, so the call can be made again); the later ones, the call
	 * begun, wait where they are. The deadline ends both. */
	if (!vm_wait_fd(t, src, POLLIN))
		return;
	buf = malloc((size_t)bufsiz);
	if (buf == NULL) {
		snprintf(t->errstr, sizeof t->errstr, "no memory");
		vm_sys_ret_int(fp, -1);
		return;
	}
	for (int first = 1;; first = 0) {
		ssize_t n, done;
		if (!first && !vm_may_block(t) && vm_wait_fd_here(t, src, POLLIN, -1) == 0) {
			free(buf);
			vm_raise(t, "wall-clock limit exceeded");
		}
		n = read(src, buf, (size_t)bufsiz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* through write's path: the output limit and a full pipe's wait */
		done = vm_sys_write(t, fd_check(t, AP(1))->slot, buf, (size_t)n, &limit);
		if (limit != NULL) {
			free(buf);
			vm_raise(t, "%s", limit);
		}
		if (done < n)
			break;
		total += (int32_t)done;
	}
	free(buf);
	vm_sys_ret_int(fp, total);
}
#undef SPEC
