/* IDX reader (the MNIST file format), through zlib so gzip and plain files
 * both work.  Every field is checked before it is used; memory touched is
 * bounded by what the file really holds. */
#include "ml/ml_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
	CHUNK_BYTES = 1 << 16,  /* read buffer; a multiple of every element size */
};
_Static_assert(CHUNK_BYTES % 8 == 0, "CHUNK_BYTES holds whole elements");

/* Size in bytes of an IDX element type, 0 if unknown. */
static int
type_bytes(int type)
{
	switch (type) {
	case 0x08: return 1;  /* u8 */
	case 0x09: return 1;  /* i8 */
	case 0x0B: return 2;  /* i16 */
	case 0x0C: return 4;  /* i32 */
	case 0x0D: return 4;  /* f32 */
	case 0x0E: return 8;  /* f64 */
	}
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads up to n bytes; returns how many were read (short at end of data), or
 * a negative AC_E* after setting err for an I/O or gzip error. */
static int64_t
read_some(gzFile gz, const char *path, uint8_t *buf, size_t n, AcErr *err)
{
	size_t got = 0;
	int errnum;
	const char *msg;

	while (got < n) {
		unsigned want = n - got > CHUNK_BYTES ? CHUNK_BYTES : (unsigned)(n - got);
		int r = gzread(gz, buf + got, want);

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		msg = gzerror(gz, &errnum);
		if (errnum == Z_OK || errnum == Z_BUF_ERROR)  /* end of data, or a cut gzip stream */
			break;
		if (errnum == Z_ERRNO)
			return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
		if (errnum == Z_MEM_ERROR)
			return ac_err_set(err, AC_ENOMEM, "%s: gzip: out of memory", path);
		/* zlib's message already starts "path: "; name the file once. */
		if (strncmp(msg, path, strlen(path)) == 0 && strncmp(msg + strlen(path), ": ", 2) == 0)
			msg += strlen(path) + 2;
		return ac_err_set(err, AC_EFORMAT, "%s: gzip: %s", path, msg);
	}
	return (int64_t)got;
}

/* Converts n big-endian elements of the given type to f32. */
static void
convert(float *out, const uint8_t *in, size_t n, int type)
{
	size_t i;

	switch (type) {
	case 0x08:
		for (i = 0; i < n; i++)
			out[i] = in[i];
		break;
	case 0x09:
		for (i = 0; i < n; i++)
			out[i] = (int8_t)in[i];
		break;
	case 0x0B:
		for (i = 0; i < n; i++)
			out[i] = (int16_t)(uint16_t)(in[2 * i] << 8 | in[2 * i + 1]);
		break;
	case 0x0C:
		for (i = 0; i < n; i++)
			out[i] = (float)(int32_t)be32(in + 4 * i);
		break;
	case 0x0D:
		for (i = 0; i < n; i++) {
			uint32_t u = be32(in + 4 * i);

			memcpy(&out[i], &u, 4);
		}
		break;
	case 0x0E:
		for (i = 0; i < n; i++) {
			uint64_t u = (uint64_t)be32(in + 8 * i) << 32 | be32(in + 8 * i + 4);
			double d;

			memcpy(&d, &u, 8);
			out[i] = (float)d;
		}
		break;
	}
}

int
ml_idx_load(const char *path, MlTensor **t, AcErr *err)
{
	return ml_idx_load_max(path, ML_IDX_MAX_NUMEL, t, err);
}

int
ml_idx_load_max(const char *path, int64_t max_numel, MlTensor **t, AcErr *err)
{
	gzFile gz = NULL;
	MlTensor *x = NULL;
	uint8_t hdr[4 + 4 * ML_MAX_DIMS], *buf = NULL;
	int64_t shape[ML_MAX_DIMS], numel = 1, nbytes, done, got;
	int type, ndim, esz, rc;
	size_t hlen;

	if (t == NULL || path == NULL)
		return ac_err_set(err, AC_EINVAL, "idx_load: nil %s", t == NULL ? "result" : "path");
	*t = NULL;
	errno = 0;
	gz = gzopen(path, "rb");
	if (gz == NULL) {
		if (errno == 0)
			return ac_err_set(err, AC_ENOMEM, "%s: gzip: out of memory", path);
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	}
	gzbuffer(gz, CHUNK_BYTES);

	got = read_some(gz, path, hdr, 4, err);
	if (got < 0) {
		rc = (int)got;
		goto fail;
	}
	if (got < 4) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: truncated header: %d of 4 bytes", path, (int)got);
		goto fail;
	}
	if (hdr[0] != 0 || hdr[1] != 0) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: bad magic 0x%08" PRIx32, path, be32(hdr));
		goto fail;
	}
	type = hdr[2];
	ndim = hdr[3];
	esz = type_bytes(type);
	if (esz == 0) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: unknown element type 0x%02x", path, type);
		goto fail;
	}
	if (ndim < 1 || ndim > ML_MAX_DIMS) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: %d dimensions, want 1..%d", path, ndim,
		                ML_MAX_DIMS);
		goto fail;
	}
	hlen = 4 + 4 * (size_t)ndim;
	got = read_some(gz, path, hdr + 4, hlen - 4, err);
	if (got < 0) {
		rc = (int)got;
		goto fail;
	}
	if ((size_t)got < hlen - 4) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: truncated header: %d of %zu bytes", path,
		                (int)(got + 4), hlen);
		goto fail;
	}
	for (int i = 0; i < ndim; i++) {
		shape[i] = be32(hdr + 4 + 4 * i);
		if (shape[i] == 0) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: dimension %d is 0", path, i);
			goto fail;
		}
	}
	/* Every dimension is below 2^32, so a product that stays under the cap
	 * (< 2^31) times the next dimension fits in int64. */
	for (int i = 0; i < ndim; i++) {
		numel *= shape[i];
		if (numel > ML_IDX_MAX_NUMEL || numel > max_numel) {
			char s[ML_SHAPE_BYTES];
			size_t n = 0;

			s[n++] = '[';
			for (int j = 0; j < ndim; j++)
				n += (size_t)snprintf(s + n, sizeof s - n, "%s%" PRId64, j ? "," : "",
				                      shape[j]);
			snprintf(s + n, sizeof s - n, "]");
			if (max_numel < ML_IDX_MAX_NUMEL && numel > max_numel) {
				rc = ac_err_set(err, AC_ENOMEM, "%s: shape %s exceeds the limit of %" PRId64
				                " elements", path, s, max_numel);
				goto fail;
			}
			rc = ac_err_set(err, AC_EFORMAT, "%s: shape %s exceeds %" PRId64 " elements",
			                path, s, ML_IDX_MAX_NUMEL);
			goto fail;
		}
	}
	x = ml_tensor_new(ndim, shape, err);
	if (x == NULL) {
		rc = AC_ENOMEM;  /* numel is within the cap */
		goto fail;
	}
	buf = ac_malloc(CHUNK_BYTES, "idx read buffer", err);  /* not on the caller's stack */
	if (buf == NULL) {
		rc = AC_ENOMEM;
		goto fail;
	}
	nbytes = numel * esz;
	for (done = 0; done < nbytes; done += got) {
		size_t want = nbytes - done > CHUNK_BYTES ? CHUNK_BYTES : (size_t)(nbytes - done);

		got = read_some(gz, path, buf, want, err);
		if (got < 0) {
			rc = (int)got;
			goto fail;
		}
		if ((size_t)got < want) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: truncated data: got %" PRId64 " of %" PRId64
			                " bytes", path, done + got, nbytes);
			goto fail;
		}
		convert(ML_F32(x) + done / esz, buf, want / (size_t)esz, type);
	}
	got = read_some(gz, path, buf, 1, err);
	if (got < 0) {
		rc = (int)got;
		goto fail;
	}
	if (got > 0) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: size mismatch: data continues past %" PRId64
		                " bytes", path, nbytes);
		goto fail;
	}
	free(buf);
	gzclose(gz);
	*t = x;
	return AC_OK;

fail:
	free(buf);
	ml_tensor_unref(x);
	if (gz != NULL)
		gzclose(gz);
	return rc;
}
