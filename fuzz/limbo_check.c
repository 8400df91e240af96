/*
 * fuzz/limbo_check: the Limbo front end (limbo_parse_buf, then limbo_check)
 * on the input as a .b source. The source is named as if it lay in the
 * project's module/ (FUZZ_MODULE_DIR, set by the Makefile), and module/ is
 * the -I directory, so `include "sys.m";` finds the real declarations.
 * As bin/limbo (and Inferno's compiler), only a unit that parsed without
 * errors is checked.
 * An input naming an absolute path or a parent directory is skipped: an
 * include of /dev/zero would read forever, and nothing outside module/ is
 * the front end's business here.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "limbo/limbo.h"

#ifndef FUZZ_MODULE_DIR
#define FUZZ_MODULE_DIR "module"
#endif

/* 1 if the n bytes at s hold the string pat. */
static int
has(const uint8_t *s, size_t n, const char *pat)
{
	size_t k = strlen(pat);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, pat, k) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const incdirs[] = {FUZZ_MODULE_DIR};
	LimboOptions opt = {.incdirs = incdirs, .nincdirs = 1};
	LimboUnit *u;
	AcErr err;

	if (has(data, size, "\"/") || has(data, size, ".."))
		return 0;
	u = limbo_parse_buf(FUZZ_MODULE_DIR "/fuzz.b", (const char *)data, size, &opt, &err);
	if (u == NULL)
		return 0;
	if (limbo_unit_nerrors(u) == 0)
		limbo_check(u, &err);
	limbo_unit_free(u);
	return 0;
}
