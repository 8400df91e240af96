/*
 * What the node tells the scheduler about its machine: cores, memory, GPUs
 * and the capabilities it can detect by itself, and the memory rule for the
 * tasks it runs.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/node.h"

static void
add_cap(NodeSysinfo *si, const char *cap)
{
	if (si->ncaps < sizeof si->caps / sizeof si->caps[0])
		snprintf(si->caps[si->ncaps++], sizeof si->caps[0], "%s", cap);
}

/* NVIDIA's driver makes one /dev/nvidiaN per GPU (besides nvidiactl,
 * nvidia-uvm, ...): counting them needs no driver library. */
static uint32_t
count_gpus(void)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	uint32_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		if (strncmp(s, "nvidia", 6) != 0 || s[6] < '0' || s[6] > '9')
			continue;
		s += 6;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == 0)
			n++;
	}
	closedir(d);
	return n;
}

void
node_sysinfo_get(NodeSysinfo *si)
{
	cpu_set_t set;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	memset(si, 0, sizeof *si);
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		si->cores = (uint32_t)CPU_COUNT(&set);
	else if (sysconf(_SC_NPROCESSORS_ONLN) > 0)
		si->cores = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	else
		si->cores = 1;
	if (pages > 0 && psize > 0)
		si->memory_bytes = (uint64_t)pages * (uint64_t)psize;
	si->gpus = count_gpus();
	if (si->gpus > 0)
		add_cap(si, "gpu");
	/* cuda: a GPU and the driver's library, which CUDA programs need. */
	if (si->gpus > 0) {
		void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
		if (h != NULL) {
			add_cap(si, "cuda");
			dlclose(h);
		}
	}
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		add_cap(si, "avx2");
	if (__builtin_cpu_supports("avx512f"))
		add_cap(si, "avx512f");
#endif
}

int
node_capability_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != 0; n++) {
		char ch = s[n];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return 0;
	}
	return n >= 1 && n <= 64;
}

uint64_t
node_task_as_bytes(uint64_t memory_bytes, uint32_t blas_threads)
{
	const uint64_t mib = 1u << 20;
	uint64_t extra = blas_threads > 1 ? (uint64_t)(blas_threads - 1) * 160 * mib : 0;
	uint64_t base;

	if (memory_bytes == 0)
		return 0;

	if (memory_bytes > (UINT64_MAX - extra - 768 * mib) / 2)
		return 0;  /* beyond any address space: no limit */
	/* OpenBLAS retries a failed allocation of its work buffers forever
	 * instead of failing, so a limit below what it needs hangs the task
	 * until its timeout: never go below the floor it was seen to need. */
	base = 2 * memory_bytes + 256 * mib;
	return (base < 768 * mib ? 768 * mib : base) + extra;
}
