/* Status codes and one-line error messages. */
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
ac_err_set(AcErr *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	/* One line: a message must never break the caller's output format. */
	for (char *p = err->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

void
ac_err_clear(AcErr *err)
{
	if (err == NULL)
		return;
	err->code = AC_OK;
	err->msg[0] = '\0';
}

const char *
ac_strerror(int code)
{
	switch (code) {
	case AC_OK: return "ok";
	case AC_EINVAL: return "invalid argument";
	case AC_ENOMEM: return "out of memory";
	case AC_EFORMAT: return "format error";
	case AC_ESHAPE: return "shape mismatch";
	case AC_EDTYPE: return "unsupported dtype";
	case AC_ESIG: return "signature mismatch";
	case AC_EPROTO: return "protocol error";
	case AC_ETIMEOUT: return "timed out";
	case AC_EDEVICE: return "device error";
	case AC_EBUDGET: return "budget exhausted";
	case AC_EIO: return "i/o error";
	case AC_ERANGE: return "out of range";
	case AC_EEXCEPT: return "uncaught exception";
	case AC_ELIMIT: return "limit exceeded";
	}
	return "unknown error";
}
