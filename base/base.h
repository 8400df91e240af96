/*
 * base: what every Acheron component shares: status codes with a one-line
 * message (AcErr), checked allocation, a monotonic clock and logging.
 *
 * Follows: house style (shared/style.md, "Errors"); Inferno's kwerrstr strings.
 */
#ifndef AC_BASE_H
#define AC_BASE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes: AC_OK, or a negative AC_E*. */
enum {
	AC_OK = 0,
	AC_EINVAL = -1,   /* bad argument or usage */
	AC_ENOMEM = -2,   /* allocation failed or a quota was exceeded */
	AC_EFORMAT = -3,  /* malformed input file or text */
	AC_ESHAPE = -4,   /* tensor shapes do not agree */
	AC_EDTYPE = -5,   /* unsupported element type */
	AC_ESIG = -6,     /* signature or type-signature mismatch */
	AC_EPROTO = -7,   /* malformed protocol message */
	AC_ETIMEOUT = -8, /* deadline passed */
	AC_EDEVICE = -9,  /* accelerator failure */
	AC_EBUDGET = -10, /* instruction or memory budget exhausted */
	AC_EIO = -11,     /* read/write/open failed (errno in the message) */
	AC_ERANGE = -12,  /* operand or index out of range */
	AC_EEXCEPT = -13, /* uncaught Dis exception */
	AC_ELIMIT = -14,  /* a resource limit was passed (threads, files, output) */
};

#define AC_ERR_MSG_BYTES 512

/* An error: a code and a one-line message naming the file, offset or field.
 * No newline, no program name: the command-line tool adds those. */
typedef struct AcErr {
	int code;                    /* AC_OK or AC_E* */
	char msg[AC_ERR_MSG_BYTES];  /* NUL-terminated, one line */
} AcErr;

/* Sets err (if not NULL) to code and a printf-formatted message; returns code
 * so callers can write `return ac_err_set(err, AC_EINVAL, "...")`.
 * Does not allocate. Thread safety: touches only *err. */
int ac_err_set(AcErr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Resets err (if not NULL) to AC_OK and an empty message. */
void ac_err_clear(AcErr *err);

/* Short name of a status code ("format error", ...). Static storage. */
const char *ac_strerror(int code);

/* malloc/calloc/realloc that set err to AC_ENOMEM (naming `what`) on failure
 * and return NULL. Caller owns the result; free with free(). */
void *ac_malloc(size_t n, const char *what, AcErr *err);
void *ac_calloc(size_t n, size_t size, const char *what, AcErr *err);
void *ac_realloc(void *p, size_t n, const char *what, AcErr *err);
char *ac_strdup(const char *s, AcErr *err);

/* Monotonic clock (CLOCK_MONOTONIC) in nanoseconds and milliseconds; never
 * goes backwards, unrelated to wall time. Thread safe. */
int64_t ac_clock_ns(void);
int64_t ac_clock_ms(void);
/* CPU time used by this process, in nanoseconds (CLOCK_PROCESS_CPUTIME_ID). */
int64_t ac_cpu_ns(void);

/* Log levels for ac_log; messages at or above ac_log_level go to stderr. */
enum { AC_LOG_DEBUG, AC_LOG_INFO, AC_LOG_WARN, AC_LOG_ERROR };
extern int ac_log_level;

/* Writes "[level] message\n" to stderr when level >= ac_log_level.
 * Thread safe (one fprintf per call). */
void ac_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole file into a fresh buffer (NUL-terminated for convenience; the
 * NUL is not counted in *len). Caller owns *buf; free with free().
 * Returns AC_EIO with "path: strerror" on failure. */
int ac_file_read(const char *path, uint8_t **buf, size_t *len, AcErr *err);

/* Writes len bytes to path atomically: to "path.tmpXXXXXX" in the same
 * directory, fsync, then rename. On failure nothing is left behind and the
 * old file, if any, is untouched. Returns AC_EIO naming the path. */
int ac_file_write_atomic(const char *path, const void *buf, size_t len, AcErr *err);
/* The same with the file's permission bits: the temporary is created 0600
 * and given mode before the rename, so a secret is never readable by others. */
int ac_file_write_atomic_mode(const char *path, const void *buf, size_t len, unsigned mode, AcErr *err);
/* The same, but never replaces: if path exists (even if it appeared while
 * writing) nothing changes and AC_EINVAL says "PATH: exists". For secrets
 * that must not overwrite another. */
int ac_file_write_new_mode(const char *path, const void *buf, size_t len, unsigned mode, AcErr *err);

/* The 32-bit hash of a Dis type-signature string ("f*(s)i" for
 * Sys->print gives 0xac849033): MD5 of the string, its four little-endian
 * words exclusive-or'ed. What the link and import sections of a .dis file
 * carry, and what the loader compares (dis-facts.md, "Type signatures"). */
uint32_t ac_sig_hash(const char *sigstr);

#endif
