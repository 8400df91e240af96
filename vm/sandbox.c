/* The process a task runs in gives up what a Dis program never needs, so
 * that code escaping the VM (a forged pointer, a bug in a builtin) still
 * cannot start programs, reach the network or touch other processes; with
 * Landlock it also sees only the files it was given.
 *
 * Follows: seccomp(2) through libseccomp; landlock(7) (ABI 1 to 5). */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dis/dis.h"
#include "vm/vm.h"

/* Denied with EPERM outright. */
static const int denied[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(tkill),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(setns), SCMP_SYS(unshare),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(kexec_load),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(userfaultfd), SCMP_SYS(personality),
};

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

static int
landlock(const VmSandbox *fs, AcErr *err)
{
	struct landlock_ruleset_attr attr;
	uint64_t all, read;
	int abi, rs, rc = AC_OK;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		sandbox_files = 0;
		return AC_OK;
	}
	all = fs_rights(abi);
	read = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = all;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (rs < 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: landlock ruleset: %s", strerror(errno));
	for (size_t i = 0; fs->read != NULL && fs->read[i] != NULL && rc == AC_OK; i++)
		rc = allow(rs, fs->read[i], read, err);
	for (size_t i = 0; fs->write != NULL && fs->write[i] != NULL && rc == AC_OK; i++)
		rc = allow(rs, fs->write[i], all, err);
	if (rc == AC_OK && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = ac_err_set(err, AC_EINVAL, "sandbox: no_new_privs: %s", strerror(errno));
	if (rc == AC_OK && syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		rc = ac_err_set(err, AC_EINVAL, "sandbox: landlock: %s", strerror(errno));
	close(rs);
	if (rc == AC_OK)
		sandbox_files = 1;
	return rc;
}

int
vm_sandbox_files(void)
{
	return sandbox_files;
}

int
vm_sandbox_enter(const VmSandbox *fs, AcErr *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	scmp_datum_t self = (scmp_datum_t)getpid();
	int rc = 0;

	if (fs != NULL && landlock(fs, err) != AC_OK) {
		if (ctx != NULL)
			seccomp_release(ctx);
		return err->code;
	}
	if (ctx == NULL)
		return ac_err_set(err, AC_EINVAL, "sandbox: seccomp_init failed");
	for (size_t i = 0; i < sizeof denied / sizeof denied[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
	/* Threads (OpenBLAS's) yes, new processes no. glibc tries clone3 first,
	 * whose flags a filter cannot see; ENOSYS sends it back to clone. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* Signals only to itself (raise, abort). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_NE, self));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_NE, self));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return ac_err_set(err, AC_EINVAL, "sandbox: cannot install the seccomp filter: %s", strerror(-rc));
	return AC_OK;
}
