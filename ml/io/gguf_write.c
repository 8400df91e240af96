/*
 * GGUF v3 writer: metadata serialized as it is set, tensors held by
 * reference until the write, which lays them out one after another at
 * multiples of the alignment (what ggml's reader expects: each offset is
 * the padded end of the one before).  Shapes are reversed here to ggml's
 * innermost-first ne[].
 *
 * Follows: ggml docs/gguf.md; ggml/src/gguf.cpp (gguf_write_to_file).
 */
#include "ml/io/gguf_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct WTensor {
	char *name;
	MlTensor *t;            /* one reference */
} WTensor;

struct MlGgufWriter {
	uint8_t *kv;            /* the serialized pairs */
	size_t kv_len, kv_cap;
	uint64_t nkv;
	char **keys;            /* for the duplicate check */
	uint32_t alignment;     /* bytes, a power of two */
	WTensor *ts;
	size_t nt, tcap;
};

MlGgufWriter *
ml_gguf_writer_new(AcErr *err)
{
	MlGgufWriter *w = ac_calloc(1, sizeof *w, "gguf_writer", err);

	if (w != NULL)
		w->alignment = 32;
	return w;
}

void
ml_gguf_writer_free(MlGgufWriter *w)
{
	if (w == NULL)
		return;
	for (uint64_t i = 0; i < w->nkv; i++)
		free(w->keys[i]);
	for (size_t i = 0; i < w->nt; i++) {
		free(w->ts[i].name);
		ml_tensor_unref(w->ts[i].t);
	}
	free(w->keys);
	free(w->ts);
	free(w->kv);
	free(w);
}

/* Appends n bytes to the serialized metadata; 0 or -1 (out of memory). */
static int
put(MlGgufWriter *w, const void *p, size_t n)
{
	if (n > w->kv_cap - w->kv_len) {
		size_t cap = w->kv_cap ? w->kv_cap : 256;
		uint8_t *q;
		while (cap - w->kv_len < n) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		if ((q = realloc(w->kv, cap)) == NULL)
			return -1;
		w->kv = q;
		w->kv_cap = cap;
	}
	memcpy(w->kv + w->kv_len, p, n);
	w->kv_len += n;
	return 0;
}

static int
put_str(MlGgufWriter *w, const char *s)
{
	uint64_t n = strlen(s);

	return put(w, &n, 8) | put(w, s, (size_t)n);
}

/* Checks key and starts its pair (key and type); the caller appends the
 * value.  On error nothing is appended. */
static int
begin(MlGgufWriter *w, const char *key, uint32_t type, AcErr *err)
{
	char **k;

	if (key == NULL || key[0] == 0)
		return ac_err_set(err, AC_EINVAL, "gguf: empty key");
	for (uint64_t i = 0; i < w->nkv; i++)
		if (strcmp(w->keys[i], key) == 0)
			return ac_err_set(err, AC_EINVAL, "gguf: key '%.200s' is already set", key);
	if ((k = realloc(w->keys, (w->nkv + 1) * sizeof *k)) == NULL)
		return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
	w->keys = k;
	if ((k[w->nkv] = strdup(key)) == NULL)
		return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
	if (put_str(w, key) != 0 || put(w, &type, 4) != 0) {
		free(k[w->nkv]);
		return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
	}
	w->nkv++;
	return AC_OK;
}

/* Drops the pair begun at kv_len mark (after a failed append). */
static int
undo(MlGgufWriter *w, size_t mark, AcErr *err)
{
	w->kv_len = mark;
	free(w->keys[--w->nkv]);
	return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
}

int
ml_gguf_writer_set(MlGgufWriter *w, const char *key, MlGgufType type, const void *val,
                   AcErr *err)
{
	size_t mark = w->kv_len;
	int rc, bad;

	if (type > ML_GGUF_F64 || type == ML_GGUF_ARR || val == NULL)
		return ac_err_set(err, AC_EINVAL, "gguf: key '%.200s': %s", key ? key : "",
		                  val == NULL ? "nil value" : "bad value type");
	if (key != NULL && strcmp(key, "general.alignment") == 0) {
		uint32_t a = 0;
		if (type == ML_GGUF_U32)
			memcpy(&a, val, 4);
		if (a == 0 || (a & (a - 1)) != 0)
			return ac_err_set(err, AC_EINVAL,
			                  "gguf: general.alignment must be a u32 power of two");
	}
	if ((rc = begin(w, key, (uint32_t)type, err)) != AC_OK)
		return rc;
	if (type == ML_GGUF_STR)
		bad = put_str(w, val);
	else if (type == ML_GGUF_BOOL)
		bad = put(w, &(uint8_t){*(const bool *)val ? 1 : 0}, 1);
	else
		bad = put(w, val, (size_t)ml_gguf_scalar_bytes(type));
	if (bad)
		return undo(w, mark, err);
	if (strcmp(key, "general.alignment") == 0)
		memcpy(&w->alignment, val, 4);
	return AC_OK;
}

int
ml_gguf_writer_set_arr(MlGgufWriter *w, const char *key, MlGgufType elem, const void *vals,
                       uint64_t n, AcErr *err)
{
	size_t mark = w->kv_len;
	uint32_t e = (uint32_t)elem;
	int rc, bad;

	if (elem > ML_GGUF_F64 || elem == ML_GGUF_ARR || (vals == NULL && n > 0))
		return ac_err_set(err, AC_EINVAL, "gguf: key '%.200s': %s", key ? key : "",
		                  vals == NULL ? "nil values" : "bad array element type");
	if (key != NULL && strcmp(key, "general.alignment") == 0)
		return ac_err_set(err, AC_EINVAL, "gguf: general.alignment must be a u32 power of two");
	if ((rc = begin(w, key, ML_GGUF_ARR, err)) != AC_OK)
		return rc;
	bad = put(w, &e, 4) | put(w, &n, 8);
	for (uint64_t i = 0; i < n && !bad; i++) {
		if (elem == ML_GGUF_STR)
			bad = put_str(w, ((const char *const *)vals)[i]);
		else if (elem == ML_GGUF_BOOL)
			bad = put(w, &(uint8_t){((const bool *)vals)[i] ? 1 : 0}, 1);
	}
	if (!bad && elem != ML_GGUF_STR && elem != ML_GGUF_BOOL) {
		uint64_t b = (uint64_t)ml_gguf_scalar_bytes(elem);
		bad = n > SIZE_MAX / b || put(w, vals, (size_t)(n * b));
	}
	if (bad)
		return undo(w, mark, err);
	return AC_OK;
}

int
ml_gguf_writer_add_tensor(MlGgufWriter *w, const char *name, MlTensor *t, AcErr *err)
{
	WTensor *ts;
	size_t len = name ? strlen(name) : 0;

	if (t == NULL)
		return ac_err_set(err, AC_EINVAL, "gguf: nil tensor");
	if (len == 0 || len > ML_GGUF_MAX_NAME)
		return ac_err_set(err, AC_EINVAL, "gguf: tensor name of %zu bytes, want 1..%d", len,
		                  ML_GGUF_MAX_NAME);
	if (ml_ggml_type_of(t->dtype) < 0)
		return ac_err_set(err, AC_EDTYPE, "gguf: tensor '%s': %s has no ggml type", name,
		                  ml_dtype_name(t->dtype));
	for (size_t i = 0; i < w->nt; i++)
		if (strcmp(w->ts[i].name, name) == 0)
			return ac_err_set(err, AC_EINVAL, "gguf: tensor '%s' is already added", name);
	if (w->nt == w->tcap) {
		size_t cap = w->tcap ? 2 * w->tcap : 8;
		if ((ts = realloc(w->ts, cap * sizeof *ts)) == NULL)
			return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
		w->ts = ts;
		w->tcap = cap;
	}
	if ((w->ts[w->nt].name = strdup(name)) == NULL)
		return ac_err_set(err, AC_ENOMEM, "gguf: out of memory");
	w->ts[w->nt++].t = ml_tensor_ref(t);
	return AC_OK;
}

int
ml_gguf_writer_write(MlGgufWriter *w, const char *path, AcErr *err)
{
	static const uint32_t head[2] = {0x46554747u, 3};  /* "GGUF", version 3 */
	uint64_t nt = w->nt, off = 0, a = w->alignment;
	MlWfile *f;
	int rc;

	if (path == NULL)
		return ac_err_set(err, AC_EINVAL, "gguf: nil path");
	if ((f = ac_malloc(sizeof *f, "gguf_write", err)) == NULL)
		return AC_ENOMEM;
	if ((rc = ml_wfile_open(f, path, err)) != AC_OK) {
		free(f);
		return rc;
	}
	ml_wfile_write(f, head, 8);
	ml_wfile_write(f, &nt, 8);
	ml_wfile_write(f, &w->nkv, 8);
	ml_wfile_write(f, w->kv, w->kv_len);
	for (size_t i = 0; i < w->nt; i++) {
		const MlTensor *t = w->ts[i].t;
		uint64_t n = strlen(w->ts[i].name), ne;
		uint32_t nd = (uint32_t)t->ndim, type = (uint32_t)ml_ggml_type_of(t->dtype);

		ml_wfile_write(f, &n, 8);
		ml_wfile_write(f, w->ts[i].name, (size_t)n);
		ml_wfile_write(f, &nd, 4);
		for (int d = t->ndim - 1; d >= 0; d--) {  /* ggml's ne[]: innermost first */
			ne = (uint64_t)t->ne[d];
			ml_wfile_write(f, &ne, 8);
		}
		ml_wfile_write(f, &type, 4);
		ml_wfile_write(f, &off, 8);
		off = (off + ml_tensor_nbytes(t) + a - 1) / a * a;
	}
	ml_wfile_pad(f, a);
	for (size_t i = 0; i < w->nt; i++) {
		MlTensor *c = ml_tensor_contiguous(w->ts[i].t, err);
		if (c == NULL) {
			ml_wfile_abort(f);
			free(f);
			return err ? err->code : AC_ENOMEM;
		}
		ml_wfile_write(f, c->data, ml_tensor_nbytes(c));
		ml_wfile_pad(f, a);
		ml_tensor_unref(c);
	}
	rc = ml_wfile_commit(f, err);
	free(f);
	return rc;
}
