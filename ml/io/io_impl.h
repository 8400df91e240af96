/*
 * ml/io private helpers: a file written through a temporary beside it,
 * published by rename only when complete (the house rule: never a partial
 * file).  Not installed.
 */
#ifndef ML_IO_IO_IMPL_H
#define ML_IO_IO_IMPL_H

#include "ml/ml_impl.h"

/* A file being written: bytes are buffered, then go to path.tmpXXXXXX;
 * ml_wfile_commit fsyncs and renames it over path, ml_wfile_abort removes
 * it.  Fields are private. */
typedef struct MlWfile {
	const char *path;    /* borrowed: the name published */
	char *tmp;           /* the temporary's name (heap) */
	int fd;              /* the temporary, -1 when closed */
	int failed;          /* errno of the first failed write, 0 if none */
	uint64_t written;    /* bytes accepted so far */
	size_t n;            /* bytes in buf */
	uint8_t buf[1 << 16];
} MlWfile;

/* Creates the temporary (0644).  AC_EIO "PATH: strerror"; AC_ENOMEM. */
int ml_wfile_open(MlWfile *w, const char *path, AcErr *err);
/* Appends n bytes; errors are kept until commit (returns nothing). */
void ml_wfile_write(MlWfile *w, const void *p, size_t n);
/* Appends zero bytes until the size is a multiple of align. */
void ml_wfile_pad(MlWfile *w, uint64_t align);
/* Flushes, fsyncs, renames over path; on any error (a write's included)
 * removes the temporary and returns AC_EIO naming path. */
int ml_wfile_commit(MlWfile *w, AcErr *err);
/* Removes the temporary (after an error elsewhere). */
void ml_wfile_abort(MlWfile *w);

#endif
