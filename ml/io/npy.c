/*
 * NPY files (NumPy's .npy): read versions 1.0, 2.0 and 3.0, write 1.0 (2.0
 * when the header needs more than 65535 bytes).  The header is a Python
 * dict literal; it is parsed here by a small scanner that accepts exactly
 * the three keys NumPy writes, never evaluated.  Every field is checked
 * against the file's size before anything is allocated.
 *
 * Follows: NumPy's format description (numpy/lib/format.py, NEP 1).
 */
#include "ml/io/io_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	MAGIC_BYTES = 6,
	HEADER_ALIGN = 64,           /* NumPy pads magic + header to this */
	MAX_HEADER_BYTES = 1 << 20,  /* a longer header is refused before it is read */
};

static const uint8_t magic[MAGIC_BYTES] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_ORDER '>'
#else
#define HOST_ORDER '<'
#endif

/* Where the bytes come from: a file or a buffer. */
typedef struct Src {
	const char *name;
	FILE *f;              /* NULL for memory */
	const uint8_t *mem;
	uint64_t size;        /* bytes in the file or buffer */
} Src;

/* Reads n bytes at offset off (already checked to be inside). */
static int
src_read(Src *s, uint64_t off, void *dst, size_t n, AcErr *err)
{
	if (n == 0)
		return AC_OK;
	if (s->f == NULL) {
		memcpy(dst, s->mem + off, n);
		return AC_OK;
	}
	if (fseeko(s->f, (off_t)off, SEEK_SET) != 0 || fread(dst, 1, n, s->f) != n)
		return ac_err_set(err, AC_EIO, "%s: %s", s->name,
		                  ferror(s->f) ? strerror(errno) : "file shrank while read");
	return AC_OK;
}

/* The header's fields. */
typedef struct Hdr {
	char descr[16];
	int fortran;          /* -1 unset */
	int ndim;             /* -1 unset */
	int64_t ne[ML_MAX_DIMS];
} Hdr;

/* The dict scanner: p over [0, n) of the header text, base its offset in
 * the file (for messages). */
typedef struct Scan {
	const char *s;
	size_t n, i;
	uint64_t base;
	const char *name;
	AcErr *err;
} Scan;

static void
ws(Scan *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
	                       c->s[c->i] == '\r'))
		c->i++;
}

static int
bad(Scan *c, const char *what)
{
	return ac_err_set(c->err, AC_EFORMAT, "%s: offset %" PRIu64 ": header: %s", c->name,
	                  c->base + c->i, what);
}

static int
expect(Scan *c, char ch, const char *what)
{
	ws(c);
	if (c->i >= c->n || c->s[c->i] != ch)
		return bad(c, what);
	c->i++;
	return AC_OK;
}

/* A quoted string ('..' or ".."), no escapes (NumPy's keys and dtype
 * strings have none), copied into out of outsize bytes. */
static int
str(Scan *c, char *out, size_t outsize)
{
	char q;
	size_t k = 0;

	ws(c);
	if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
		return bad(c, "expected a quoted string");
	q = c->s[c->i++];
	while (c->i < c->n && c->s[c->i] != q) {
		if (c->s[c->i] == '\\' || k + 1 >= outsize)
			return bad(c, "string too long or escaped");
		out[k++] = c->s[c->i++];
	}
	if (c->i >= c->n)
		return bad(c, "unterminated string");
	c->i++;
	out[k] = 0;
	return AC_OK;
}

static int
word(Scan *c, const char *w)
{
	size_t k = strlen(w);

	if (c->n - c->i >= k && memcmp(c->s + c->i, w, k) == 0) {
		c->i += k;
		return 1;
	}
	return 0;
}

/* A tuple of non-negative integers: () (a scalar), (n,), (a, b, ..). */
static int
shape(Scan *c, Hdr *h)
{
	if (expect(c, '(', "shape: expected '('") != AC_OK)
		return c->err ? c->err->code : AC_EFORMAT;
	h->ndim = 0;
	for (;;) {
		int64_t v = 0;
		size_t start;

		ws(c);
		if (c->i < c->n && c->s[c->i] == ')') {
			c->i++;
			return AC_OK;
		}
		start = c->i;
		while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
			int d = c->s[c->i] - '0';
			if (v > (INT64_MAX - d) / 10)
				return bad(c, "shape: dimension too large");
			v = v * 10 + d;
			c->i++;
		}
		if (c->i == start)
			return bad(c, "shape: expected a non-negative integer");
		if (c->i < c->n && c->s[c->i] == 'L')  /* Python 2's long */
			c->i++;
		if (h->ndim == ML_MAX_DIMS)
			return ac_err_set(c->err, AC_ESHAPE, "%s: offset %" PRIu64
			                  ": header: shape has more than %d dimensions", c->name,
			                  c->base + start, ML_MAX_DIMS);
		h->ne[h->ndim++] = v;
		ws(c);
		if (c->i < c->n && c->s[c->i] == ',') {
			c->i++;
			continue;
		}
		if (c->i < c->n && c->s[c->i] == ')') {
			if (h->ndim == 1 && c->s[c->i - 1] != ',') {
				/* (5) is not a tuple in Python; NumPy never writes it */
				return bad(c, "shape: (n) is not a tuple, want (n,)");
			}
			c->i++;
			return AC_OK;
		}
		return bad(c, "shape: expected ',' or ')'");
	}
}

static int
dict(Scan *c, Hdr *h)
{
	char key[32];
	size_t kat;
	int rc;

	h->descr[0] = 0;
	h->fortran = -1;
	h->ndim = -1;
	if (expect(c, '{', "expected '{'") != AC_OK)
		return AC_EFORMAT;
	for (;;) {
		ws(c);
		if (c->i < c->n && c->s[c->i] == '}') {
			c->i++;
			break;
		}
		kat = c->i;
		if ((rc = str(c, key, sizeof key)) != AC_OK)
			return rc;
		if (expect(c, ':', "expected ':'") != AC_OK)
			return AC_EFORMAT;
		ws(c);
		if (strcmp(key, "descr") == 0 && h->descr[0] == 0) {
			if (c->i < c->n && c->s[c->i] == '[')
				return ac_err_set(c->err, AC_EDTYPE,
				                  "%s: offset %" PRIu64 ": structured dtypes are not supported",
				                  c->name, c->base + c->i);
			if ((rc = str(c, h->descr, sizeof h->descr)) != AC_OK)
				return rc;
			if (h->descr[0] == 0)
				return bad(c, "empty descr");
		} else if (strcmp(key, "fortran_order") == 0 && h->fortran < 0) {
			if (word(c, "True"))
				h->fortran = 1;
			else if (word(c, "False"))
				h->fortran = 0;
			else
				return bad(c, "fortran_order: expected True or False");
		} else if (strcmp(key, "shape") == 0 && h->ndim < 0) {
			if ((rc = shape(c, h)) != AC_OK)
				return rc;
		} else {
			c->i = kat;
			return bad(c, "unknown or repeated key");
		}
		ws(c);
		if (c->i < c->n && c->s[c->i] == ',') {
			c->i++;
			continue;
		}
		if (expect(c, '}', "expected ',' or '}'") != AC_OK)
			return AC_EFORMAT;
		break;
	}
	ws(c);
	if (c->i != c->n)
		return bad(c, "text after the dict");
	if (h->descr[0] == 0 || h->fortran < 0 || h->ndim < 0)
		return bad(c, h->descr[0] == 0 ? "no 'descr'" : h->fortran < 0 ? "no 'fortran_order'"
		                                                               : "no 'shape'");
	return AC_OK;
}

/*
 * The dtype a descr reads as: *fbytes the element size in the file, *dt
 * ours, *conv set when the values are widened (i2, u2 to i32; u4 to i64).
 */
static int
descr_dtype(const char *d, MlDtype *dt, int *fbytes, int *conv, char *order)
{
	static const struct {
		const char *s;
		MlDtype dt;
		int bytes, conv;
	} tab[] = {
		{"f8", ML_F64, 8, 0}, {"f4", ML_F32, 4, 0}, {"f2", ML_F16, 2, 0},
		{"i8", ML_I64, 8, 0}, {"i4", ML_I32, 4, 0}, {"i1", ML_I8, 1, 0},
		{"u1", ML_U8, 1, 0},  {"b1", ML_BOOL, 1, 0}, {"i2", ML_I32, 2, 1},
		{"u2", ML_I32, 2, 1}, {"u4", ML_I64, 4, 1},
	};

	if (strchr("<>|=", d[0]) == NULL)
		return -1;
	*order = d[0] == '=' ? HOST_ORDER : d[0];
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(d + 1, tab[i].s) == 0) {
			if (*order == '|' && tab[i].bytes > 1)
				return -1;
			*dt = tab[i].dt;
			*fbytes = tab[i].bytes;
			*conv = tab[i].conv;
			return 0;
		}
	return -1;
}

static void
swap_bytes(uint8_t *p, int64_t n, int w)
{
	for (int64_t i = 0; i < n; i++, p += w)
		for (int a = 0, b = w - 1; a < b; a++, b--) {
			uint8_t x = p[a];
			p[a] = p[b];
			p[b] = x;
		}
}

static uint64_t
le16(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8;
}

static uint64_t
le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static int
load(Src *s, MlTensor **out, AcErr *err)
{
	uint8_t pre[12];
	uint64_t prefix, hlen, off, want;
	char *text = NULL, order;
	Hdr h;
	Scan c;
	MlDtype dt;
	int fbytes, conv, rc, ndim;
	int64_t numel = 1, ne[ML_MAX_DIMS];
	MlTensor *t = NULL, *v = NULL;
	uint8_t *raw = NULL;

	*out = NULL;
	if (s->size < 10) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: truncated header: %" PRIu64 " of 10 bytes",
		                s->name, s->size);
		goto fail;
	}
	if ((rc = src_read(s, 0, pre, s->size < 12 ? 10 : 12, err)) != AC_OK)
		goto fail;
	if (memcmp(pre, magic, MAGIC_BYTES) != 0) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: offset 0: bad magic (not an NPY file)", s->name);
		goto fail;
	}
	if ((pre[6] != 1 && pre[6] != 2 && pre[6] != 3) || pre[7] != 0) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: offset 6: version %d.%d, want 1.0, 2.0 or 3.0",
		                s->name, pre[6], pre[7]);
		goto fail;
	}
	if (pre[6] == 1) {
		prefix = 10;
		hlen = le16(pre + 8);
	} else {
		if (s->size < 12) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: truncated header: %" PRIu64 " of 12 bytes",
			                s->name, s->size);
			goto fail;
		}
		prefix = 12;
		hlen = le32(pre + 8);
	}
	if (hlen > s->size - prefix || hlen > MAX_HEADER_BYTES) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: offset 8: header length %" PRIu64
		                " exceeds the file's %" PRIu64 " bytes or %d", s->name, hlen,
		                s->size - prefix, MAX_HEADER_BYTES);
		goto fail;
	}
	if ((text = ac_malloc(hlen + 1, "npy header", err)) == NULL) {
		rc = AC_ENOMEM;
		goto fail;
	}
	if ((rc = src_read(s, prefix, text, hlen, err)) != AC_OK)
		goto fail;
	text[hlen] = 0;
	c = (Scan){text, hlen, 0, prefix, s->name, err};
	if ((rc = dict(&c, &h)) != AC_OK)
		goto fail;
	if (descr_dtype(h.descr, &dt, &fbytes, &conv, &order) != 0) {
		rc = ac_err_set(err, AC_EDTYPE, "%s: dtype '%s' has no ml dtype", s->name, h.descr);
		goto fail;
	}
	for (int i = 0; i < h.ndim; i++) {
		if (h.ne[i] != 0 && numel > ML_TENSOR_MAX_NUMEL / h.ne[i]) {
			rc = ac_err_set(err, AC_ERANGE, "%s: shape exceeds %" PRId64 " elements", s->name,
			                ML_TENSOR_MAX_NUMEL);
			goto fail;
		}
		numel *= h.ne[i];
	}
	if (numel > ML_TENSOR_MAX_NUMEL) {
		rc = ac_err_set(err, AC_ERANGE, "%s: shape exceeds %" PRId64 " elements", s->name,
		                ML_TENSOR_MAX_NUMEL);
		goto fail;
	}
	off = prefix + hlen;
	want = (uint64_t)numel * (uint64_t)fbytes;
	if (s->size - off < want) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: truncated data: got %" PRIu64 " of %" PRIu64
		                " bytes", s->name, s->size - off, want);
		goto fail;
	}
	if (s->size - off > want) {
		rc = ac_err_set(err, AC_EFORMAT, "%s: size mismatch: data continues past %" PRIu64
		                " bytes", s->name, want);
		goto fail;
	}
	/* Fortran order: the file holds the transpose, C order. */
	ndim = h.ndim;
	for (int i = 0; i < ndim; i++)
		ne[i] = h.fortran ? h.ne[ndim - 1 - i] : h.ne[i];
	if ((t = ml_tensor_empty(dt, ndim, ne, err)) == NULL) {
		rc = err ? err->code : AC_ENOMEM;
		goto fail;
	}
	if (!conv) {
		if ((rc = src_read(s, off, t->data, (size_t)want, err)) != AC_OK)
			goto fail;
		if (order != '|' && order != HOST_ORDER)
			swap_bytes(t->data, numel, fbytes);
	} else {
		if ((raw = ac_malloc(want ? (size_t)want : 1, "npy data", err)) == NULL) {
			rc = AC_ENOMEM;
			goto fail;
		}
		if ((rc = src_read(s, off, raw, (size_t)want, err)) != AC_OK)
			goto fail;
		if (order != HOST_ORDER)
			swap_bytes(raw, numel, fbytes);
		for (int64_t i = 0; i < numel; i++) {
			int64_t x;
			if (h.descr[1] == 'i') {
				int16_t y;
				memcpy(&y, raw + 2 * i, 2);
				x = y;
			} else if (fbytes == 2) {
				uint16_t y;
				memcpy(&y, raw + 2 * i, 2);
				x = y;
			} else {
				uint32_t y;
				memcpy(&y, raw + 4 * i, 4);
				x = y;
			}
			ml_store_i64(dt, t->data + i * ml_esize(dt), x);
		}
	}
	if (h.fortran && ndim > 1) {
		int perm[ML_MAX_DIMS];
		for (int i = 0; i < ndim; i++)
			perm[i] = ndim - 1 - i;
		if ((v = ml_view_permute(t, perm, err)) == NULL) {
			rc = err ? err->code : AC_ENOMEM;
			goto fail;
		}
		ml_tensor_unref(t);
		t = ml_tensor_contiguous(v, err);
		ml_tensor_unref(v);
		if (t == NULL) {
			rc = err ? err->code : AC_ENOMEM;
			goto fail;
		}
	}
	free(raw);
	free(text);
	*out = t;
	return AC_OK;
fail:
	ml_tensor_unref(t);
	free(raw);
	free(text);
	return rc;
}

int
ml_npy_load(const char *path, MlTensor **t, AcErr *err)
{
	Src s = {path, NULL, NULL, 0};
	struct stat st;
	int rc;

	if (t != NULL)
		*t = NULL;
	if (path == NULL || t == NULL)
		return ac_err_set(err, AC_EINVAL, "npy_load: nil %s", t == NULL ? "result" : "path");
	if ((s.f = fopen(path, "rb")) == NULL)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fileno(s.f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = ac_err_set(err, AC_EIO, "%s: not a regular file", path);
		fclose(s.f);
		return rc;
	}
	s.size = (uint64_t)st.st_size;
	rc = load(&s, t, err);
	fclose(s.f);
	return rc;
}

int
ml_npy_load_mem(const void *buf, size_t len, const char *name, MlTensor **t, AcErr *err)
{
	Src s = {name ? name : "npy", NULL, buf, len};

	if (t != NULL)
		*t = NULL;
	if ((buf == NULL && len > 0) || t == NULL)
		return ac_err_set(err, AC_EINVAL, "npy_load: nil %s", t == NULL ? "result" : "buffer");
	return load(&s, t, err);
}

/* The NPY descr of dt in host byte order, or NULL if NumPy has none. */
static const char *
npy_descr(MlDtype dt, char buf[8])
{
	const char *k;

	switch (dt) {
	case ML_F64: k = "f8"; break;
	case ML_F32: k = "f4"; break;
	case ML_F16: k = "f2"; break;
	case ML_I64: k = "i8"; break;
	case ML_I32: k = "i4"; break;
	case ML_I8: k = "i1"; break;
	case ML_U8: k = "u1"; break;
	case ML_BOOL: k = "b1"; break;
	default: return NULL;
	}
	snprintf(buf, 8, "%c%s", k[1] == '1' ? '|' : HOST_ORDER, k);
	return buf;
}

int
ml_npy_save(const char *path, const MlTensor *t, AcErr *err)
{
	char descr[8], hdr[512];
	uint8_t pre[12];
	size_t n, prefix;
	MlTensor *c;
	MlWfile *w;
	int rc;

	if (path == NULL || t == NULL)
		return ac_err_set(err, AC_EINVAL, "npy_save: nil %s", t == NULL ? "tensor" : "path");
	if (npy_descr(t->dtype, descr) == NULL)
		return ac_err_set(err, AC_EDTYPE, "%s: %s has no NPY dtype (cast it first)", path,
		                  ml_dtype_name(t->dtype));
	n = (size_t)snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (",
	                     descr);
	for (int i = 0; i < t->ndim; i++)
		n += (size_t)snprintf(hdr + n, sizeof hdr - n, "%s%" PRId64, i ? ", " : "", t->ne[i]);
	n += (size_t)snprintf(hdr + n, sizeof hdr - n, "%s), }", t->ndim == 1 ? "," : "");
	/* Version 1.0: NumPy moves to 2.0 when the padded header passes 65535
	 * bytes, which ML_MAX_DIMS dimensions never reach (hdr is < 512). */
	_Static_assert(sizeof hdr + HEADER_ALIGN < 65535, "an NPY 1.0 header");
	prefix = 10;
	while ((prefix + n + 1) % HEADER_ALIGN != 0 && n < sizeof hdr - 2)
		hdr[n++] = ' ';
	hdr[n++] = '\n';
	memcpy(pre, magic, MAGIC_BYTES);
	pre[6] = prefix == 10 ? 1 : 2;
	pre[7] = 0;
	for (size_t i = 0; i < prefix - 8; i++)
		pre[8 + i] = (uint8_t)(n >> (8 * i));
	if ((c = ml_tensor_contiguous(t, err)) == NULL)
		return err ? err->code : AC_ENOMEM;
	if ((w = ac_malloc(sizeof *w, "npy_save", err)) == NULL) {
		ml_tensor_unref(c);
		return AC_ENOMEM;
	}
	if ((rc = ml_wfile_open(w, path, err)) == AC_OK) {
		ml_wfile_write(w, pre, prefix);
		ml_wfile_write(w, hdr, n);
		ml_wfile_write(w, c->data, ml_tensor_nbytes(c));
		rc = ml_wfile_commit(w, err);
	}
	free(w);
	ml_tensor_unref(c);
	return rc;
}
