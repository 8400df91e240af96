/*
 * fuzz/dis_run: runs the input as a module. What the loader and verifier
 * accept, the VM runs with a small heap quota, instruction budget and
 * deadline, its path calls confined to an empty directory (vm_confine);
 * whatever the code does, the VM must hold: a fault may only be the
 * program's own (in its arena or the guard after it, "at Dis address"),
 * never one in the runtime's memory, and nothing may crash the harness
 * (ASan and UBSan watch every access the VM makes).
 */
#include "fuzz/fuzz.h"
#include "dis/dis.h"
#include "vm/vm.h"

#include <string.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Faults poison a runtime, which then keeps what it cannot walk safely. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static char dir[64], path[96];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(p);
	return 0;
}

/* The directory and whatever the programs made in it go with the run. */
static void
rm_dir(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[2];
	VmOptions opt;
	VmSandbox fs;
	AcErr err;
	Vm *vm;
	FILE *f;
	char *argv[1];
	int rc;

	if (dir[0] == 0) {
		snprintf(dir, sizeof dir, "/tmp/acheron-fuzz-run.%d", (int)getpid());
		if (mkdir(dir, 0700) != 0)
			fuzz_fail("mkdir %s", dir);
		snprintf(path, sizeof path, "%s/in.dis", dir);
		paths[0] = dir;
		atexit(rm_dir);
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_fail("cannot write %s", path);
	memset(&opt, 0, sizeof opt);
	opt.heap_max_bytes = 16 << 20;
	opt.max_instructions = 200000;
	opt.timeout_ms = 200;
	opt.root = dir;
	vm = vm_new(&opt, &err);
	if (vm == NULL)
		fuzz_fail("vm_new: %s", err.msg);
	fs.read = paths;
	fs.write = paths;
	if (vm_confine(vm, &fs, &err) != AC_OK)
		fuzz_fail("vm_confine: %s", err.msg);
	argv[0] = path;
	ac_err_clear(&err);
	rc = vm_run_file(vm, path, 1, argv, &err);
	/* vm_sched_run's words for a hardware fault: "fault: WHAT at Dis
	 * address N (...)" for the program's memory, "fault: WHAT in the
	 * runtime (...)" for the VM's own. */
	if (rc != AC_OK && strncmp(err.msg, "fault: ", 7) == 0 && strstr(err.msg, " in the runtime (") != NULL)
		fuzz_fail("a fault outside the program's memory: %s", err.msg);
	vm_free(vm);
	return 0;
}
