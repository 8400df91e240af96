/* dis-sched's option values: integers, job ids, sizes, durations, strategies. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/cli.h"

int
sched_cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == 0 || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
sched_cli_parse_job(const char *s, uint64_t *id)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != 0 || v == 0)
		return -1;
	*id = v;
	return 0;
}

int
sched_cli_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	double v;
	int shift = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != 0)
		return -1;
	v = ldexp(v, shift);
	if (!(v >= 1) || v > ldexp(1, 62))
		return -1;
	*bytes = (uint64_t)v;
	return 0;
}

int
sched_cli_parse_seconds(const char *s, uint32_t *ms)
{
	char *end;
	double v, unit = 1000;

	if (s == NULL || ((*s < '0' || *s > '9') && *s != '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 's': end++; break;
	case 'm': unit = 60e3; end++; break;
	case 'h': unit = 3600e3; end++; break;
	case 'd': unit = 86400e3; end++; break;
	}
	if (*end != 0)
		return -1;
	v = ceil(v * unit);
	if (!(v >= 1) || v > (double)UINT32_MAX)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

static const char *const strategies[] = {
	[ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN] = "round-robin",
	[ACHERON__STRATEGY__STRATEGY_LEAST_LOADED] = "least-loaded",
	[ACHERON__STRATEGY__STRATEGY_RANDOM] = "random",
	[ACHERON__STRATEGY__STRATEGY_CAPABILITY] = "capability",
};

int
sched_cli_parse_strategy(const char *s, int *strategy)
{
	for (int i = 1; i < (int)(sizeof strategies / sizeof strategies[0]); i++)
		if (strcmp(s, strategies[i]) == 0) {
			*strategy = i;
			return 0;
		}
	return -1;
}

const char *
sched_cli_strategy(int strategy)
{
	if (strategy == ACHERON__STRATEGY__STRATEGY_UNSPECIFIED)
		strategy = ACHERON__STRATEGY__STRATEGY_LEAST_LOADED;
	if (strategy > 0 && strategy < (int)(sizeof strategies / sizeof strategies[0]))
		return strategies[strategy];
	return "?";
}
