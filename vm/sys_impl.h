/*
 * $Sys internals shared by its files: sys.c (print family, the function
 * table, process-ish calls), sysfile.c (files and directories), sysstr.c
 * (tokenize and UTF-8 helpers). Private to vm/.
 *
 * Each function is a VmBuiltinFn: arguments in the callee frame as Limbo
 * lays them out (module/sys.m), result through REGRET.
 * Follows: Inferno emu/port/inferno.c and libinterp/runt.c (behaviour),
 * libinterp/sysmod.h (signatures, frame sizes and pointer maps).
 */
#ifndef VM_SYS_IMPL_H
#define VM_SYS_IMPL_H

#include <sys/types.h>
#include <dirent.h>

#include "vm/vm_impl.h"
/* The table limbo -t makes from module/sys.m, and the prototype of every
 * function in it (vm_Sys_open, ...): sys.c, sysfile.c and sysstr.c
 * define them. */
#include "gen/vm/sysmod.h"

/* $Sys's state in a runtime (vm_builtin_state): the program's file table
 * and the path confinement. */
typedef struct SysFile {
	int host;              /* -1: free */
	int refs;              /* Sys->FDs naming it, plus one for 0-2 and dup's numbers */
	void *dir;             /* dirread's DIR over a dup of host, or NULL: not in
	                          the arena, where the Sys->FD is */
} SysFile;
/* One TCP endpoint the program may dial (VmOptions.allow_tcp): the host
 * as granted and the addresses it resolved to when the runtime started. */
typedef struct SysAddr {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t a[16];         /* the address, network order (4 bytes for IPv4) */
} SysAddr;
typedef struct SysTcpGrant {
	char *host;
	int port;
	int naddr;
	SysAddr *addr;
} SysTcpGrant;
typedef struct SysState {
	/* The program's file table (Inferno's fd group): its number n is
	 * files[n], 0-2 its standard input, output and error. An entry holds
	 * its host descriptor while refs is above 0. Dis code names files
	 * only through it, never a host descriptor. */
	SysFile *files;
	int nfiles;
	/* With --sandbox (vm_confine): the canonical directories and files
	 * the path builtins (and Tensor->readidx) may read beneath, and
	 * write beneath; NULL: not confined. NULL-terminated. */
	char **confine_read, **confine_write;
	/* The TCP endpoints dial may reach; none: dial is refused. */
	SysTcpGrant *tcp;
	int ntcp;
	int ndial;             /* connections made, for Connection.dir's name */
	VmType *t_fd;          /* Sys->FD (its destroy hook drops the table entry) */
	uint32_t nopen;        /* entries open beyond 0-2, for max_files */
	uint64_t out_bytes;    /* written to standard output and error, for max_output_bytes */
	struct {
		dev_t dev;
		ino_t ino;
		int ok;
	} out[2];              /* the files of host descriptors 1 and 2 at the start */
	VmType *t_dir;         /* Sys->Dir, for dirread's arrays */
} SysState;

/* $Sys as it registers (sys.c), and its state in vm (never NULL while vm
 * runs). */
extern const VmBuiltinDef vm_sys_def;
static inline SysState *
vm_sys_state(const Vm *vm)
{
	return vm_builtin_state(vm, &vm_sys_def);
}

/* Sys->FD. Limbo sees only fd, and may write it: it is what printing and
 * fildes show, never trusted. The file is the program's table entry slot
 * (SysState.files), which Dis code cannot reach; the host descriptor is
 * there. */
typedef struct SysFD {
	int32_t fd;            /* the program's number, as Dis code last set it */
	int32_t slot;          /* the program's number, as the VM gave it */
} SysFD;

/* Sys->Qid and Sys->Dir exactly as Limbo lays them out (big aligned 8). */
typedef struct SysQid {
	int64_t path;
	int32_t vers;
	int32_t qtype;
} SysQid;

typedef struct SysDir {
	uint32_t name, uid, gid, muid;  /* strings */
	SysQid qid;                     /* at 16 */
	int32_t mode;
	int32_t atime;
	int32_t mtime;
	int32_t pad;
	int64_t length;                 /* at 48 */
	int32_t dtype;
	int32_t dev;
} SysDir;
_Static_assert(sizeof(SysDir) == 64, "Sys->Dir is 64 bytes (sysmod.h fwstat frame 104 = 40 + 64)");
_Static_assert(offsetof(SysDir, length) == 48, "Dir.length at 48");

/* Inferno's error texts (emu/port/error.h) */
#define SYS_ENONEXIST "file does not exist"
#define SYS_EPERM "permission denied"
#define SYS_EEXIST "file already exists"
#define SYS_EISDIR "file is a directory"
#define SYS_ENOTDIR "not a directory"
#define SYS_EBADFD "fd out of range or not open"
#define SYS_EINUSE "file in use"
#define SYS_ENOTEMPTY "directory not empty"

/* Sets t->errstr from errno value e, in Inferno's words where it has them. */
void vm_sys_errno(VmThread *t, int e);
/* A new Sys->FD for host descriptor fd, which the program's table then
 * owns under the lowest free number; raises on no memory. Returns the Dis
 * pointer, or H (fd closed, errstr set) when the table is full. */
uint32_t vm_sys_fd_new(VmThread *t, int fd);
/* The host descriptor of ref FD w, through the program's table; -1 (errstr
 * set) for nil or a closed entry. w is an argument the marshaller let
 * through: an FD this module made, never one Dis code forged. */
int vm_sys_fd_of(VmThread *t, uint32_t w);
/* Writes all n bytes at p to entry slot of the program's file table
 * (Inferno's write: a pipe or file takes it whole). Returns n, or -1 with
 * errstr set; when a limit ends the call, *limit is the exception for
 * the caller to raise once it has freed what it holds (the deadline
 * while waiting on a full pipe). */
int32_t vm_sys_write(VmThread *t, int slot, const void *p, size_t n, const char **limit);
/* Stores int v at REGRET, if there is a result slot. */
void vm_sys_ret_int(uint8_t *fp, int32_t v);
/* Drops the pointer at REGRET and sets it to v (taking v's reference). */
void vm_sys_ret_ptr(VmThread *t, uint8_t *fp, uint32_t v);

/* sysfile.c: makes the file table and the types of s; AC_OK or AC_ENOMEM. */
int vm_sysfile_init(Vm *vm, SysState *s, AcErr *err);
/* Closes what is left in the program's table and frees it, and the
 * confinement lists (vm_free). */
void vm_sysfile_fini(Vm *vm, SysState *s);

/* sysnet.c: resolves vm's VmOptions.allow_tcp into s's grants; AC_OK,
 * AC_EINVAL (a grant that does not parse or resolve) or AC_ENOMEM. */
int vm_sysnet_init(Vm *vm, SysState *s, AcErr *err);
/* Frees the grants (vm_free). */
void vm_sysnet_fini(SysState *s);

#endif
