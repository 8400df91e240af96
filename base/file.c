/* Whole-file reads and atomic writes: a failed write never leaves a partial file. */
#define _POSIX_C_SOURCE 200809L
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
ac_file_read(const char *path, uint8_t **bufp, size_t *lenp, AcErr *err)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	*bufp = NULL;
	*lenp = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return ac_err_set(err, AC_ENOMEM, "%s: out of memory reading file", path);
			}
			buf = nb;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(buf);
		fclose(f);
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e ? e : EIO));
	}
	fclose(f);
	buf[len] = 0;
	*bufp = buf;
	*lenp = len;
	return AC_OK;
}

int
ac_file_write_atomic(const char *path, const void *buf, size_t len, AcErr *err)
{
	return ac_file_write_atomic_mode(path, buf, len, 0644, err);
}

/* Writes into an existing device or FIFO (limbo -o /dev/null, dis-as -o
 * /dev/stdout): it has no partial state to protect, and a temporary renamed
 * over it would replace the node itself (run as root, /dev/null became a
 * regular file for every program on the machine). */
static int
write_in_place(const char *path, const void *buf, size_t len, AcErr *err)
{
	const uint8_t *p = buf;
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;

	if (fd < 0)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			close(fd);
			return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e));
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	return AC_OK;
}

/* Writes a temporary beside path, then publishes it: rename (replacing), or
 * when exclusive link, which fails if path exists, so nothing is replaced
 * even by a file created after any check a caller made. A path that names
 * a device or FIFO is written in place instead. */
static int
write_publish(const char *path, const void *buf, size_t len, unsigned mode, int exclusive, AcErr *err)
{
	size_t plen = strlen(path);
	char *tmp;
	const uint8_t *p = buf;
	struct stat st;
	int fd, e;

	if (!exclusive && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return ac_err_set(err, AC_EINVAL, "%s: is a directory", path);
		return write_in_place(path, buf, len, err);
	}
	tmp = malloc(plen + 16);
	if (tmp == NULL)
		return ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		free(tmp);
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e));
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (exclusive) {
		if (link(tmp, path) < 0) {
			e = errno;
			unlink(tmp);
			free(tmp);
			if (e == EEXIST)
				return ac_err_set(err, AC_EINVAL, "%s: exists", path);
			return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e));
		}
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		goto fail;
	}
	free(tmp);
	return AC_OK;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(e));
}

int
ac_file_write_atomic_mode(const char *path, const void *buf, size_t len, unsigned mode, AcErr *err)
{
	return write_publish(path, buf, len, mode, 0, err);
}

int
ac_file_write_new_mode(const char *path, const void *buf, size_t len, unsigned mode, AcErr *err)
{
	return write_publish(path, buf, len, mode, 1, err);
}
