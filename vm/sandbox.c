/* The process a task runs in gives up what a Dis program never needs, so
 * that code escaping the VM (a forged pointer, a bug in a builtin) still
 * cannot start programs, reach the network (beyond the TCP ports a task was
 * granted) or touch other processes; with
 * Landlock it also sees only the files it was given.
 *
 * Follows: seccomp(2) through libseccomp; landlock(7) (ABI 1 to 5; ABI 4's
 * TCP port rules). */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <unistd.h>

#include "dis/dis.h"
#include "vm/vm.h"

/* The seccomp filter is an allow-list: a system call runs only if it is
 * named below, so a call nobody thought of (io_uring, which does its own
 * socket and connect) is refused too. The set is what the VM, glibc and
 * OpenBLAS (dlopen'd at the first matrix multiply, with its threads) were
 * seen to make under `strace -f` on the test suite's dis-run workloads
 * (train.dis, the xec and sandbox tests), plus the calls behind the file
 * operations Sys offers (create, remove, wstat, dirread, fd2path, pipe).
 *
 * Anything else fails with ENOSYS, not a kill: a newer glibc that tries a
 * new call first (clone3, faccessat2, fchmodat2) falls back to the old one
 * listed here as on an older kernel, and the task lives to report a clean
 * error instead of dying by SIGSYS with nothing said. The calls an escape
 * would want (deny_eperm) fail with EPERM, "permission denied". */
static const int allowed[] = {
	/* memory: malloc, dlopen, the arena */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(mprotect),
	SCMP_SYS(madvise), SCMP_SYS(mbind),
	/* files, confined by Landlock where paths are involved */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
	SCMP_SYS(pwrite64), SCMP_SYS(lseek), SCMP_SYS(openat), SCMP_SYS(close), SCMP_SYS(newfstatat),
	SCMP_SYS(fstat), SCMP_SYS(statx), SCMP_SYS(getdents64), SCMP_SYS(access), SCMP_SYS(faccessat),
	SCMP_SYS(faccessat2), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(rmdir), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(truncate),
	SCMP_SYS(ftruncate), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(utimensat),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(readlink),
	SCMP_SYS(readlinkat), SCMP_SYS(getcwd), SCMP_SYS(chdir), SCMP_SYS(fchdir), SCMP_SYS(dup),
	SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(pipe2), SCMP_SYS(poll), SCMP_SYS(ppoll),
	/* time */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	/* threads (clone is below, with its flags checked) */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(set_tid_address),
	SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(gettid), SCMP_SYS(getpid),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* signals: the VM's fault handlers, siglongjmp's mask */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	/* glibc's malloc seeds itself */
	SCMP_SYS(getrandom),
};

/* Refused with EPERM, so the failure reads as a refusal: what an escaped
 * program would reach for first. */
static const int deny_eperm[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(socketpair), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(tkill),
	SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_getfd), SCMP_SYS(pidfd_send_signal),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(setns), SCMP_SYS(unshare),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(userfaultfd), SCMP_SYS(personality), SCMP_SYS(prctl), SCMP_SYS(seccomp),
};

/* What a TCP client does with the socket dial made: allowed only when
 * the task was granted endpoints (then Landlock limits connect to their
 * ports), else refused with EPERM as the socket itself is. Never bind,
 * listen or accept (deny_eperm): a task serves nothing. */
static const int tcp_client[] = {
	SCMP_SYS(connect), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(shutdown),
};

/* socket(2) with grants: AF_INET or AF_INET6, SOCK_STREAM (the type's
 * low four bits; SOCK_NONBLOCK and SOCK_CLOEXEC may be set), protocol 0
 * or TCP. libseccomp takes one condition per argument in a rule and ORs
 * rules, so the complement is refused value by value and range by range:
 * no unix, netlink, packet, raw, UDP, SCTP or MPTCP socket. */
static int
socket_rules(scmp_filter_ctx ctx)
{
	static const int fam[] = {AF_INET, AF_INET6}, proto[] = {0, IPPROTO_TCP};
	const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
	int rc = 0;

	for (int f = 0; f < 2 && rc == 0; f++)
		for (int p = 0; p < 2 && rc == 0; p++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 3, SCMP_A0(SCMP_CMP_EQ, fam[f]),
			                      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_STREAM),
			                      SCMP_A2(SCMP_CMP_EQ, proto[p]));
	/* families: below AF_INET (2), between it and AF_INET6 (10), above */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_LT, AF_INET));
	for (int v = AF_INET + 1; v < AF_INET6 && rc == 0; v++)
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, v));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, AF_INET6));
	/* types */
	for (int v = 0; v <= 0xf && rc == 0; v++)
		if (v != SOCK_STREAM)
			rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, v));
	/* protocols */
	for (int v = 1; v < IPPROTO_TCP && rc == 0; v++)
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A2(SCMP_CMP_EQ, v));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, eperm, SCMP_SYS(socket), 1, SCMP_A2(SCMP_CMP_GT, IPPROTO_TCP));
	return rc;
}

/* A thread is never a new namespace either. */
#define CLONE_NS_FLAGS \
	(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

/* fcntl's commands that only touch the descriptor; not F_SETOWN/F_SETSIG
 * (SIGIO to another process), leases or notifications. */
static const int fcntl_cmds[] = {F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC};

/* The only ioctl: TCGETS, which isatty and stdio's buffering choice make.
 * Not TIOCSTI (typing into a terminal), nor anything else. The compare is
 * on all 64 bits, so high bits set to slip past a 32-bit check make a
 * different, refused request. */
static int
rules(scmp_filter_ctx ctx, scmp_datum_t self, int tcp)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (size_t i = 0; i < sizeof deny_eperm / sizeof deny_eperm[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny_eperm[i], 0);
	for (size_t i = 0; i < sizeof tcp_client / sizeof tcp_client[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, tcp ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), tcp_client[i], 0);
	if (rc == 0)
		rc = tcp ? socket_rules(ctx) : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 0);
	for (size_t i = 0; i < sizeof fcntl_cmds / sizeof fcntl_cmds[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
				      SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)fcntl_cmds[i]));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_NE, TCGETS));
	/* Threads (OpenBLAS's) yes: CLONE_THREAD set and no namespace flag.
	 * New processes no. glibc tries clone3 first, whose flags lie in
	 * memory a filter cannot read: it gets the default, ENOSYS, which sends
	 * glibc back to clone. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_NS_FLAGS, CLONE_THREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	/* Signals only to itself (raise, abort, pthread_kill). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_EQ, self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_NE, self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_NE, self));
	/* Its own limits, read only (getrlimit; pthread_create reads the
	 * stack's): never another process's, never raised or lowered. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 2, SCMP_A0(SCMP_CMP_EQ, 0),
				      SCMP_A2(SCMP_CMP_EQ, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_NE, 0));
	return rc;
}

/* Landlock's network rules (ABI 4), which older kernel headers lack. */
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LANDLOCK_RULE_NET_PORT 2
struct landlock_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};
#endif
/* The ruleset's attributes up to ABI 4's handled_access_net, whatever the
 * header's struct holds. */
typedef struct RulesetAttr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
} RulesetAttr;

/* Every file system right the kernel's Landlock ABI knows, so that none
 * is left unconfined. */
static uint64_t
fs_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	             LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	             LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	             LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	             LANDLOCK_ACCESS_FS_MAKE_SYM;

#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
	(void)abi;
	return r;
}

/* Rights that apply to a file, not a directory (the kernel refuses the
 * others in a rule for a file). */
static uint64_t
file_rights(uint64_t r)
{
	uint64_t f = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE;

#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	f |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	f |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
	return r & f;
}

/* Allows rights beneath path; a path that does not exist is skipped. */
static int
allow(int ruleset, const char *path, uint64_t rights, AcErr *err)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return AC_OK;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights = file_rights(rights);
	memset(&pb, 0, sizeof pb);
	pb.allowed_access = rights;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
		int e = errno;
		close(fd);
		return ac_err_set(err, AC_EINVAL, "sandbox: %s: landlock rule: %s", path, strerror(e));
	}
	close(fd);
	return AC_OK;
}

/* Confines the file system to fs's directories. Without Landlock in the
 * kernel (ENOSYS, EOPNOTSUPP) nothing is confined and vm_sandbox_files
 * says so. */
static int sandbox_files = -1;
static int sandbox_net = -1;

/* Handles TCP bind and connect, allowing connect to fs's ports only, so
 * that a connect elsewhere fails (EACCES) even from code that escaped the
 * VM's own check of the host. */
static int
allow_tcp(int ruleset, const VmSandbox *fs, AcErr *err)
{
	for (int i = 0; i < fs->ntcp_ports; i++) {
		struct landlock_net_port_attr np = {LANDLOCK_ACCESS_NET_CONNECT_TCP, (uint64_t)fs->tcp_ports[i]};
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT, &np, 0) != 0)
			return ac_err_set(err, AC_EINVAL, "sandbox: tcp port %d: landlock rule: %s", fs->tcp_ports[i],
			                  strerror(errno));
	}
	return AC_OK;
}

static int
landlock(const VmSandbox *fs, AcErr *err)
{
	RulesetAttr attr;
	uint64_t all, read;
	int abi, rs, rc = AC_OK;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		sandbox_files = 0;
		sandbox_net = fs->ntcp_ports > 0 ? 0 : -1;
		return AC_OK;
	}
	all = fs_rights(abi);
	read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = all;
	/* No TCP at all unless granted, where the kernel can tell ports */
	if (abi >= 4)
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	                  abi >= 4 ? sizeof attr : sizeof attr.handled_access_fs, 0);
	if (rs < 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: landlock ruleset: %s", strerror(errno));
	for (size_t i = 0; fs->read != NULL && fs->read[i] != NULL && rc == AC_OK; i++)
		rc = allow(rs, fs->read[i], read, err);
	for (size_t i = 0; fs->write != NULL && fs->write[i] != NULL && rc == AC_OK; i++)
		rc = allow(rs, fs->write[i], all, err);
	if (rc == AC_OK && abi >= 4)
		rc = allow_tcp(rs, fs, err);
	if (rc == AC_OK && syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		rc = ac_err_set(err, AC_EINVAL, "sandbox: landlock: %s", strerror(errno));
	close(rs);
	if (rc == AC_OK) {
		sandbox_files = 1;
		sandbox_net = fs->ntcp_ports == 0 ? -1 : abi >= 4;
	}
	return rc;
}

int
vm_sandbox_files(void)
{
	return sandbox_files;
}

int
vm_sandbox_net(void)
{
	return sandbox_net;
}

int
vm_sandbox_enter(const VmSandbox *fs, AcErr *err)
{
	scmp_filter_ctx ctx;
	int rc;

	/* Landlock and seccomp both need it (libseccomp would set it too):
	 * nothing run later may gain privileges through set-user-ID files. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: no_new_privs: %s", strerror(errno));
	if (fs != NULL && landlock(fs, err) != AC_OK)
		return err->code;
	ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (ctx == NULL)
		return ac_err_set(err, AC_EINVAL, "sandbox: seccomp_init failed");
	/* Every thread, should one have started already. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = rules(ctx, (scmp_datum_t)getpid(), fs != NULL && fs->ntcp_ports > 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: cannot install the seccomp filter: %s", strerror(-rc));
	return AC_OK;
}

/* A task keeps no controlling terminal: with one, TIOCSTI (or a newer
 * ioctl) could type commands into the user's shell, and the terminal's
 * signals would reach it. setsid leaves it, except in a process-group
 * leader (a shell's job): that one, if it has a terminal at all, goes on
 * in a child it waits for, the child leaving the terminal and dying with
 * it (Ctrl-C still ends the pair). */
int
vm_sandbox_session(int *exit_status, AcErr *err)
{
	pid_t pid, parent = getpid();
	int fd, st;

	if (setsid() >= 0)
		return AC_OK;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return AC_OK; /* no terminal to leave */
	close(fd);
	pid = fork();
	if (pid < 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: fork: %s", strerror(errno));
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || setsid() < 0)
			return ac_err_set(err, AC_EINVAL, "sandbox: cannot leave the terminal: %s", strerror(errno));
		return AC_OK;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ac_err_set(err, AC_EINVAL, "sandbox: wait: %s", strerror(errno));
	*exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 1;
}
