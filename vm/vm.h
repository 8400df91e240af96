/*
 * vm: the Dis virtual machine. Loads modules parsed by dis/, links them
 * against builtin modules ($Sys, $Tensor) and runs them.
 *
 * Follows: Dis VM Specification (doc/dis.ms in inferno-os/inferno-os):
 * instruction semantics, frames (REGLINK..REGRET, MaxTemp 32), module
 * data (mp), type descriptors, load/mframe/mcall; shared/dis-facts.md for
 * what Inferno's interpreter does where the spec is silent.
 *
 * Memory safety model (a module may be written by an attacker). All that
 * Dis code can read or write -- module data, frames, heap objects and
 * their headers, anything a forged word can name -- lies in one arena per
 * runtime, and a Dis pointer is an offset into it, never a host address.
 * The arena holds only Dis values: no code or function address, no type
 * descriptor, module instance, channel queue, stack record, instruction,
 * file descriptor or tensor pointer; those live in host memory, and the
 * arena names them by number (type ids, handles, file-table slots, tensor
 * slots), checked against the runtime's own tables on every use. A pointer
 * is checked against the arena's size where it is dereferenced, copies
 * whose length comes from the arena are checked whole, and what an
 * instruction may add to a checked pointer (DIS_MAX_DISP) lands at worst
 * in an unmapped guard, which ends the program with a fault. So a forged
 * pointer, or a module type whose data does not match the loaded module's,
 * can confuse only the program's own values, and Dis code never observes a
 * host address. Budgets, limits and tables are in struct Vm, outside the
 * arena. See vm/vm_impl.h ("Memory model") for the mechanics.
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef struct Vm Vm;
typedef struct VmThread VmThread;

/* Runtime options. Zero values mean the defaults. */
typedef struct VmOptions {
	const char *root;          /* Inferno root for absolute module paths (emu -r); NULL: "/" */
	size_t heap_max_bytes;     /* Dis heap quota; 0: 2 GiB */
	uint64_t max_instructions; /* stop with AC_EBUDGET after this many; 0: no limit */
	/* Stop with AC_ETIMEOUT once the program has run this long (wall
	 * clock, from the start of init); sleep and waits for an fd wake for
	 * it. 0: no limit. */
	int64_t timeout_ms;
	/* Resource limits; 0: none. Passing one raises a Dis exception named
	 * after it ("thread limit exceeded", "file limit exceeded", "output
	 * limit exceeded") that, like the budget and the deadline, no handler
	 * sees: the program ends with AC_ELIMIT, and vm_limit_hit says which.
	 * A limit is the host's decision, not an error for the program to
	 * recover from. */
	uint32_t max_threads;      /* spawned threads alive at once (init's not counted) */
	uint32_t max_files;        /* entries open in the program's file table
	                              beyond 0-2 (open, create, pipe, dup); the
	                              table holds 256 in any case */
	uint64_t max_output_bytes; /* bytes written to the process's standard output
	                              and error, through any entry naming them (dup,
	                              fildes, /dev/stdout); the write that passes it
	                              writes up to the limit */
	const char *dis_path;      /* colon-separated directories searched for relative module paths; NULL: none */
	/* When set, every .dis module (the one run and each one `load`ed; not
	 * the builtins) must pass this check before it is used: return AC_OK,
	 * or an error whose message names the file. dis-run uses it for
	 * --require-signed (dis_module_verify). */
	int (*verify)(void *ctx, const struct DisModule *m, const char *path, AcErr *err);
	void *verify_ctx;
	/* The TCP endpoints Sys->dial may reach, NULL-terminated "HOST:PORT"
	 * ("[V6]:PORT" for an IPv6 literal; vm_tcp_grant_parse). vm_new
	 * resolves each HOST once (getaddrinfo) and fails if one does not
	 * resolve; a dial is then let through only to one of a grant's
	 * addresses on its port, or to its HOST by name. NULL: dial is
	 * always refused ("permission denied"). */
	const char *const *allow_tcp;
} VmOptions;

/* A builtin function. fp is the callee frame: arguments at fp+32 laid out as
 * Limbo lays them (each aligned to its size), and the 32-bit word at fp+16
 * (REGRET) points to where the result goes. Raise Dis exceptions with
 * vm_raise (vm_impl.h); never longjmp otherwise. */
typedef void (*VmBuiltinFn)(VmThread *t, uint8_t *fp);

/* Creates a runtime: maps the arena (below 4 GiB) and registers the
 * builtin modules ($Sys, $Math, $Crypt, $Tensor; vm/builtin.h). Caller
 * owns; free with vm_free. NULL with err on failure. */
Vm *vm_new(const VmOptions *opt, AcErr *err);

/* Frees the runtime and every object in it. Accepts NULL. */
void vm_free(Vm *vm);

/* Loads the module at path and runs its init(ctxt, argv) with argv the
 * strings argv[0..argc-1] (argv[0] the module path, as Inferno's shell
 * passes it); init's ctxt is nil. Returns AC_OK when init returns,
 * AC_EEXCEPT for an uncaught exception ("uncaught exception: TEXT (module M,
 * pc N)"), AC_EFORMAT for a bad module, AC_ENOMEM, AC_EBUDGET. */
int vm_run_file(Vm *vm, const char *path, int argc, char **argv, AcErr *err);

/* Finishes the runtime (it can run nothing more) and returns how many bytes
 * of the Dis heap are still allocated: 0 unless something leaked (and 0
 * after a fault, when the heap is dropped whole). For leak checks; call
 * vm_free afterwards as usual. */
size_t vm_heap_leaked(Vm *vm);

/* Which limit ended the program (its run returned AC_ELIMIT):
 * VM_LIMIT_THREADS, VM_LIMIT_FILES, VM_LIMIT_OUTPUT; VM_LIMIT_NONE if none. */
enum { VM_LIMIT_NONE, VM_LIMIT_THREADS, VM_LIMIT_FILES, VM_LIMIT_OUTPUT };
int vm_limit_hit(const Vm *vm);

/* Instructions executed so far by this runtime. */
uint64_t vm_instructions(const Vm *vm);

/* Confines the calling process (every thread), for good, with a seccomp
 * filter (libseccomp; no_new_privs is set first) that is an allow-list:
 * only the system calls the VM, glibc and OpenBLAS make run (memory,
 * file and descriptor calls, time, futex, threads, its own signals);
 * ioctl only as TCGETS (never TIOCSTI), fcntl only on the descriptor's
 * flags, clone only with CLONE_THREAD and no namespace, kill/tgkill only
 * to this process, prlimit64 only to read its own limits. execve, fork,
 * sockets, io_uring, ptrace and cross-process memory, pidfds, mounts and
 * namespaces, module loading, bpf, perf, keyrings, prctl fail with EPERM;
 * every other call with ENOSYS (clone3 too, so threads fall back to
 * clone; a newer glibc to an older call).
 * With fs (Landlock, where the kernel has it), the file system is
 * reduced to reading beneath fs->read's paths and reading and writing
 * beneath fs->write's (a path that does not exist is skipped); files
 * already open (standard input and output) stay usable. Threads
 * (OpenBLAS's) still start. Call once, before running untrusted code.
 * TCP: with fs->ntcp_ports > 0 (the ports of VmOptions.allow_tcp's
 * grants) a TCP client is allowed: socket(AF_INET or AF_INET6,
 * SOCK_STREAM, 0 or IPPROTO_TCP), connect, get/setsockopt,
 * getsockname/getpeername, send/recv calls and shutdown; never bind,
 * listen, accept, socketpair, another family (unix, netlink, packet) or
 * type (UDP, raw), nor io_uring. Landlock (ABI 4 or later) then lets
 * connect reach only those ports and bind nothing; it refuses every TCP
 * connect and bind when no port is given. Which host is the VM's own
 * check (Sys->dial), as Landlock's rules know only ports; without
 * Landlock's network rules, that check is all (vm_sandbox_net).
 * Returns AC_OK or AC_EINVAL naming the failure. */
typedef struct VmSandbox {
	const char *const *read;  /* NULL-terminated: read files and list
	                             directories beneath each */
	const char *const *write; /* NULL-terminated: also create, write and
	                             remove beneath each */
	const int *tcp_ports;     /* ntcp_ports TCP ports a client may connect to;
	                             0 ports: no sockets at all */
	int ntcp_ports;
} VmSandbox;
int vm_sandbox_enter(const VmSandbox *fs, AcErr *err);
/* Confines vm's path builtins (open, create, stat, wstat, remove, chdir) to
 * fs's read and write sets, as vm_sandbox_enter confines the process, for
 * the calls Landlock does not cover (stat): a name must resolve (realpath:
 * "..", symbolic links) beneath an entry, else "permission denied". Call
 * before vm_sandbox_enter. AC_OK, or AC_ENOMEM. */
int vm_confine(Vm *vm, const VmSandbox *fs, AcErr *err);
/* Splits grant spec "HOST:PORT" or "[V6]:PORT" into host (a C string of
 * at most hostn - 1 bytes, the brackets dropped) and port (1 to 65535).
 * AC_OK, or AC_EINVAL naming spec. */
int vm_tcp_grant_parse(const char *spec, char *host, size_t hostn, int *port, AcErr *err);
/* Leaves the controlling terminal before vm_sandbox_enter, so that the
 * confined code cannot type into it (TIOCSTI) or get its signals: a new
 * session (setsid). A process-group leader with a terminal cannot, so it
 * forks: the child, in a new session and killed if the parent dies,
 * returns AC_OK and goes on; the parent waits and returns 1 with
 * *exit_status the child's (128 + signal if killed), for the caller to
 * exit with. Call before starting threads. AC_OK, 1, or AC_EINVAL. */
int vm_sandbox_session(int *exit_status, AcErr *err);
/* After vm_sandbox_enter: 1 the file system is confined to fs's paths
 * (Landlock), 0 the kernel has no Landlock (files are not confined), -1
 * not asked. */
int vm_sandbox_files(void);
/* After vm_sandbox_enter with TCP ports: 1 connects are confined to them
 * (Landlock's network rules), 0 the kernel has none (only the VM checks
 * the endpoints), -1 no ports were given. */
int vm_sandbox_net(void);

#endif
