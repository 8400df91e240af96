/* Files written whole or not at all: a temporary in the same directory,
 * fsync, rename (as base/file.c's ac_file_write_atomic, but streamed, so a
 * tensor file need not be built in memory first). */
#include "ml/io/io_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
ml_wfile_open(MlWfile *w, const char *path, AcErr *err)
{
	size_t plen = strlen(path);
	int e;

	w->path = path;
	w->fd = -1;
	w->failed = 0;
	w->written = 0;
	w->n = 0;
	w->tmp = malloc(plen + 16);
	if (w->tmp == NULL)
		return ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
	snprintf(w->tmp, plen + 16, "%s.tmpXXXXXX", path);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0) {
		e = errno;
		free(w->tmp);
		w->tmp = NULL;
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e));
	}
	return AC_OK;
}

static void
flush(MlWfile *w)
{
	const uint8_t *p = w->buf;
	size_t len = w->n;

	while (len > 0 && w->failed == 0) {
		ssize_t r = write(w->fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			w->failed = r < 0 ? errno : EIO;
			break;
		}
		p += r;
		len -= (size_t)r;
	}
	w->n = 0;
}

void
ml_wfile_write(MlWfile *w, const void *p, size_t n)
{
	const uint8_t *s = p;

	w->written += n;
	while (n > 0 && w->failed == 0) {
		size_t k = sizeof w->buf - w->n;
		if (k > n)
			k = n;
		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		n -= k;
		if (w->n == sizeof w->buf)
			flush(w);
	}
}

void
ml_wfile_pad(MlWfile *w, uint64_t align)
{
	static const uint8_t zero[64];

	while (w->written % align != 0) {
		uint64_t k = align - w->written % align;
		ml_wfile_write(w, zero, k > sizeof zero ? sizeof zero : (size_t)k);
	}
}

void
ml_wfile_abort(MlWfile *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp != NULL) {
		unlink(w->tmp);
		free(w->tmp);
		w->tmp = NULL;
	}
}

int
ml_wfile_commit(MlWfile *w, AcErr *err)
{
	int e;

	flush(w);
	if (w->failed != 0) {
		e = w->failed;
		goto fail;
	}
	if (fchmod(w->fd, 0644) < 0 || fsync(w->fd) < 0) {
		e = errno;
		goto fail;
	}
	e = close(w->fd);
	w->fd = -1;
	if (e < 0 || rename(w->tmp, w->path) < 0) {
		e = errno;
		goto fail;
	}
	free(w->tmp);
	w->tmp = NULL;
	return AC_OK;
fail:
	ml_wfile_abort(w);
	return ac_err_set(err, AC_EIO, "%s: %s", w->path, strerror(e));
}
