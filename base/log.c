/* Leveled logging to stderr. */
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>

int ac_log_level = AC_LOG_WARN;

void
ac_log(int level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char line[1024];
	va_list ap;

	if (level < ac_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "[%s] %s\n", names[level & 3], line);
}
