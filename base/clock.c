/* Monotonic and CPU clocks. Heartbeats and timeouts never use wall time. */
#define _POSIX_C_SOURCE 200809L
#include "base/base.h"

#include <time.h>

static int64_t
read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t ac_clock_ns(void) { return read_clock(CLOCK_MONOTONIC); }
int64_t ac_clock_ms(void) { return read_clock(CLOCK_MONOTONIC) / 1000000; }
int64_t ac_cpu_ns(void) { return read_clock(CLOCK_PROCESS_CPUTIME_ID); }
