/* Checked allocation: failures become AC_ENOMEM with the name of what was wanted. */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

void *
ac_malloc(size_t n, const char *what, AcErr *err)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ac_err_set(err, AC_ENOMEM, "out of memory allocating %zu bytes for %s", n, what);
	return p;
}

void *
ac_calloc(size_t n, size_t size, const char *what, AcErr *err)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		ac_err_set(err, AC_ENOMEM, "out of memory allocating %zu x %zu bytes for %s", n, size, what);
	return p;
}

void *
ac_realloc(void *old, size_t n, const char *what, AcErr *err)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		ac_err_set(err, AC_ENOMEM, "out of memory growing %s to %zu bytes", what, n);
	return p;
}

char *
ac_strdup(const char *s, AcErr *err)
{
	size_t n = strlen(s) + 1;
	char *p = ac_malloc(n, "string", err);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}
