/* Dtypes: the table from dtype.def, f16 and bf16 bits, element loads and
 * stores, and copy/cast between any two dtypes over any strides. */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int block, bytes;
	enum MlKind kind;
} dtypes[] = {
#define X(id, name, block, bytes, kind) [ML_##id] = {name, block, bytes, kind},
#include "ml/dtype.def"
#undef X
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == ML_DTYPE_COUNT, "dtype.def and MlDtype");
_Static_assert(ML_DTYPE_COUNT <= 32, "dtype masks are 32 bits");
#define X(id, name, block, bytes, kind)                                                  \
	_Static_assert((block) == 1 || (kind) == ML_KIND_QUANT, #id ": only quantized dtypes have blocks"); \
	_Static_assert((bytes) > 0, #id ": bytes per block");
#include "ml/dtype.def"
#undef X
_Static_assert(ML_QK == 32, "q8_0 and q4_0 hold 32 values a block");

const char *
ml_dtype_name(MlDtype dt)
{
	return (unsigned)dt < ML_DTYPE_COUNT ? dtypes[dt].name : "?";
}

int
ml_dtype_from_name(const char *name)
{
	for (int i = 0; i < ML_DTYPE_COUNT; i++)
		if (strcmp(dtypes[i].name, name) == 0)
			return i;
	return -1;
}

int
ml_dtype_block(MlDtype dt)
{
	return (unsigned)dt < ML_DTYPE_COUNT ? dtypes[dt].block : 1;
}

int
ml_dtype_bytes(MlDtype dt)
{
	return (unsigned)dt < ML_DTYPE_COUNT ? dtypes[dt].bytes : 1;
}

enum MlKind
ml_dtype_kind(MlDtype dt)
{
	return (unsigned)dt < ML_DTYPE_COUNT ? dtypes[dt].kind : ML_KIND_QUANT;
}

/* ---- Loads and stores ---- */

/* Float to integer: truncate toward zero, saturate, NaN gives 0. */
static int64_t
sat_i64(double v, double lo, double hi)
{
	if (v != v)
		return 0;
	if (v <= lo)
		return (int64_t)lo;
	if (v >= hi)
		return v >= 9223372036854775807.0 ? INT64_MAX : (int64_t)hi;
	return (int64_t)v;
}

double
ml_load_f64(MlDtype dt, const uint8_t *p)
{
	switch (dt) {
	case ML_F64: { double v; memcpy(&v, p, 8); return v; }
	case ML_F32: { float v; memcpy(&v, p, 4); return v; }
	case ML_F16: { uint16_t v; memcpy(&v, p, 2); return ml_fp16_to_fp32(v); }
	case ML_BF16: { uint16_t v; memcpy(&v, p, 2); return ml_bf16_to_fp32(v); }
	case ML_I64: { int64_t v; memcpy(&v, p, 8); return (double)v; }
	case ML_I32: { int32_t v; memcpy(&v, p, 4); return v; }
	case ML_I8: return (int8_t)*p;
	case ML_U8: return *p;
	case ML_BOOL: return *p != 0;
	default: return 0;
	}
}

int64_t
ml_load_i64(MlDtype dt, const uint8_t *p)
{
	switch (dt) {
	case ML_I64: { int64_t v; memcpy(&v, p, 8); return v; }
	case ML_I32: { int32_t v; memcpy(&v, p, 4); return v; }
	case ML_I8: return (int8_t)*p;
	case ML_U8: return *p;
	case ML_BOOL: return *p != 0;
	default: return sat_i64(ml_load_f64(dt, p), -9223372036854775808.0, 9223372036854775807.0);
	}
}

void
ml_store_f64(MlDtype dt, uint8_t *p, double v)
{
	switch (dt) {
	case ML_F64: memcpy(p, &v, 8); break;
	case ML_F32: { float f = (float)v; memcpy(p, &f, 4); break; }
	case ML_F16: { uint16_t h = ml_fp32_to_fp16((float)v); memcpy(p, &h, 2); break; }
	case ML_BF16: { uint16_t h = ml_fp32_to_bf16((float)v); memcpy(p, &h, 2); break; }
	case ML_I64: { int64_t i = sat_i64(v, -9223372036854775808.0, 9223372036854775807.0); memcpy(p, &i, 8); break; }
	case ML_I32: { int32_t i = (int32_t)sat_i64(v, INT32_MIN, INT32_MAX); memcpy(p, &i, 4); break; }
	case ML_I8: *(int8_t *)p = (int8_t)sat_i64(v, INT8_MIN, INT8_MAX); break;
	case ML_U8: *p = (uint8_t)sat_i64(v, 0, UINT8_MAX); break;
	case ML_BOOL: *p = v != 0; break;
	default: break;
	}
}

void
ml_store_i64(MlDtype dt, uint8_t *p, int64_t v)
{
	switch (dt) {
	case ML_I64: memcpy(p, &v, 8); break;
	/* integer to narrower integer wraps, as C and PyTorch casts do */
	case ML_I32: { int32_t i = (int32_t)(uint32_t)v; memcpy(p, &i, 4); break; }
	case ML_I8: *(int8_t *)p = (int8_t)(uint8_t)v; break;
	case ML_U8: *p = (uint8_t)v; break;
	case ML_BOOL: *p = v != 0; break;
	default: ml_store_f64(dt, p, (double)v); break;
	}
}

/* ---- Copy and cast ---- */

typedef struct CopyCtx {
	MlDtype dd, sd;
} CopyCtx;

static void
copy_same(int64_t n, uint8_t *const *p, const int64_t *s, void *ctx)
{
	int64_t es = ml_esize(((CopyCtx *)ctx)->dd);

	if (s[0] == es && s[1] == es) {
		memmove(p[0], p[1], (size_t)(n * es));
		return;
	}
	for (int64_t i = 0; i < n; i++)
		memcpy(p[0] + i * s[0], p[1] + i * s[1], (size_t)es);
}

static void
copy_convert(int64_t n, uint8_t *const *p, const int64_t *s, void *ctx)
{
	CopyCtx *c = ctx;
	enum MlKind dk = ml_dtype_kind(c->dd), sk = ml_dtype_kind(c->sd);

	/* between integers (and bool) through i64, so large i64 stay exact */
	if (dk != ML_KIND_FLOAT && sk != ML_KIND_FLOAT) {
		for (int64_t i = 0; i < n; i++)
			ml_store_i64(c->dd, p[0] + i * s[0], ml_load_i64(c->sd, p[1] + i * s[1]));
		return;
	}
	if (c->sd == ML_F32 && c->dd == ML_F16 && s[0] == 2 && s[1] == 4) {
		const float *x = (const float *)(const void *)p[1];
		uint16_t *y = (uint16_t *)(void *)p[0];
		for (int64_t i = 0; i < n; i++)
			y[i] = ml_fp32_to_fp16(x[i]);
		return;
	}
	for (int64_t i = 0; i < n; i++)
		ml_store_f64(c->dd, p[0] + i * s[0], ml_load_f64(c->sd, p[1] + i * s[1]));
}

/* Copy with a quantized side: row by row through f32. */
static int
copy_quant(MlTensor *dst, const MlTensor *src, AcErr *err)
{
	const MlTensor *q = ml_dtype_block(dst->dtype) > 1 ? dst : src;
	int64_t rowlen = q->ne[q->ndim - 1], nrows = ml_tensor_numel(q) / (rowlen ? rowlen : 1);
	int64_t rne[1] = {rowlen};
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor *row;
	int rc = AC_OK;

	if (!ml_same_shape(dst, src))
		return ac_err_set(err, AC_ESHAPE, "copy: %s %s to %s %s needs equal shapes",
		                  ml_dtype_name(src->dtype), ml_shape_fmt(src, a),
		                  ml_dtype_name(dst->dtype), ml_shape_fmt(dst, b));
	if (q->nb[q->ndim - 1] != ml_dtype_bytes(q->dtype))
		return ac_err_set(err, AC_EINVAL, "copy: %s rows are not contiguous",
		                  ml_dtype_name(q->dtype));
	row = ml_tensor_empty(ML_F32, 1, rne, err);
	if (row == NULL)
		return err ? err->code : AC_ENOMEM;
	for (int64_t r = 0; r < nrows && rc == AC_OK; r++) {
		/* the r-th row of each side, by its own strides */
		int64_t rem = r, qoff = 0, ooff = 0;
		const MlTensor *o = q == dst ? src : dst;
		for (int d = q->ndim - 2; d >= 0; d--) {
			int64_t i = rem % q->ne[d];
			rem /= q->ne[d];
			qoff += i * q->nb[d];
			ooff += i * o->nb[d];
		}
		MlTensor *ov = ml_view_slice(o, 0, 0, o->ne[0], 1, err); /* a view to point at */
		if (ov == NULL)
			rc = err ? err->code : AC_ENOMEM;
		else {
			ov->ndim = 1;
			ov->ne[0] = rowlen;
			ov->nb[0] = o->nb[o->ndim - 1];
			ov->data = o->data + ooff;
			if (q == dst) {
				rc = ml_copy(row, ov, err);
				ml_quantize_row(q->dtype, ML_F32(row), dst->data + qoff, rowlen);
			} else {
				ml_dequantize_row(q->dtype, src->data + qoff, ML_F32(row), rowlen);
				rc = ml_copy(ov, row, err);
			}
			ml_tensor_unref(ov);
		}
	}
	ml_tensor_unref(row);
	return rc;
}

int
ml_copy(MlTensor *dst, const MlTensor *src, AcErr *err)
{
	int64_t st[2][ML_MAX_DIMS];
	uint8_t *base[2];
	CopyCtx c;

	if (dst == NULL || src == NULL)
		return ac_err_set(err, AC_EINVAL, "copy: nil tensor");
	if (ml_dtype_block(dst->dtype) > 1 || ml_dtype_block(src->dtype) > 1) {
		if (dst->dtype == src->dtype && ml_same_shape(dst, src) &&
		    ml_tensor_is_contiguous(dst) && ml_tensor_is_contiguous(src)) {
			memmove(dst->data, src->data, ml_tensor_nbytes(dst));
			return AC_OK;
		}
		if (ml_dtype_block(dst->dtype) > 1 && ml_dtype_block(src->dtype) > 1) {
			MlTensor *f = ml_cast(src, ML_F32, err);
			int rc = f != NULL ? copy_quant(dst, f, err) : (err ? err->code : AC_ENOMEM);
			ml_tensor_unref(f);
			return rc;
		}
		return copy_quant(dst, src, err);
	}
	{
		const MlTensor *both[2] = {dst, src};
		int nd;
		int64_t ne[ML_MAX_DIMS];
		char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
		if (ml_broadcast_shape("copy", 2, both, &nd, ne, NULL) != AC_OK || nd != dst->ndim ||
		    memcmp(ne, dst->ne, sizeof(int64_t) * (size_t)nd) != 0)
			return ac_err_set(err, AC_ESHAPE, "copy: %s does not broadcast to %s",
			                  ml_shape_fmt(src, a), ml_shape_fmt(dst, b));
	}
	memcpy(st[0], dst->nb, sizeof st[0]);
	ml_broadcast_strides(src, dst->ndim, dst->ne, st[1]);
	base[0] = dst->data;
	base[1] = src->data;
	c.dd = dst->dtype;
	c.sd = src->dtype;
	ml_iter(2, base, dst->ndim, dst->ne, (const int64_t(*)[ML_MAX_DIMS])st,
	        dst->dtype == src->dtype ? copy_same : copy_convert, &c);
	return AC_OK;
}

MlTensor *
ml_cast(const MlTensor *src, MlDtype dt, AcErr *err)
{
	MlTensor *t;

	if (src == NULL) {
		ac_err_set(err, AC_EINVAL, "cast: nil tensor");
		return NULL;
	}
	t = ml_tensor_empty(dt, src->ndim, src->ne, err);
	if (t != NULL && ml_copy(t, src, err) != AC_OK) {
		ml_tensor_unref(t);
		t = NULL;
	}
	return t;
}

/* ---- Elements ---- */

static int
elem_at(const char *fn, const MlTensor *t, const int64_t *idx, const uint8_t **p, AcErr *err)
{
	const uint8_t *q = t->data;

	if (t == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor", fn);
	for (int i = 0; i < t->ndim; i++) {
		if (idx[i] < 0 || idx[i] >= t->ne[i])
			return ac_err_set(err, AC_ERANGE, "%s: index %" PRId64 " of dimension %d (size %" PRId64 ")",
			                  fn, idx[i], i, t->ne[i]);
		if (ml_dtype_block(t->dtype) > 1 && i == t->ndim - 1)
			q += idx[i] / ML_QK * t->nb[i];
		else
			q += idx[i] * t->nb[i];
	}
	*p = q;
	return AC_OK;
}

int
ml_get(const MlTensor *t, const int64_t *idx, double *v, AcErr *err)
{
	const uint8_t *p;
	int rc = elem_at("get", t, idx, &p, err);

	if (rc != AC_OK)
		return rc;
	if (ml_dtype_block(t->dtype) > 1) {
		float row[ML_QK];
		ml_dequantize_row(t->dtype, p, row, ML_QK);
		*v = row[idx[t->ndim - 1] % ML_QK];
	} else
		*v = ml_load_f64(t->dtype, p);
	return AC_OK;
}

int
ml_get_i64(const MlTensor *t, const int64_t *idx, int64_t *v, AcErr *err)
{
	const uint8_t *p;
	double d;
	int rc;

	if (t != NULL && ml_dtype_block(t->dtype) > 1) {
		rc = ml_get(t, idx, &d, err);
		if (rc == AC_OK)
			*v = (int64_t)d;
		return rc;
	}
	rc = elem_at("get", t, idx, &p, err);
	if (rc == AC_OK)
		*v = ml_load_i64(t->dtype, p);
	return rc;
}

int
ml_set(MlTensor *t, const int64_t *idx, double v, AcErr *err)
{
	const uint8_t *p;
	int rc = elem_at("set", t, idx, &p, err);

	if (rc != AC_OK)
		return rc;
	if (ml_dtype_block(t->dtype) > 1)
		return ac_err_set(err, AC_EDTYPE, "set: %s elements are read-only", ml_dtype_name(t->dtype));
	ml_store_f64(t->dtype, (uint8_t *)p, v);
	return AC_OK;
}

int
ml_set_i64(MlTensor *t, const int64_t *idx, int64_t v, AcErr *err)
{
	const uint8_t *p;
	int rc = elem_at("set", t, idx, &p, err);

	if (rc != AC_OK)
		return rc;
	if (ml_dtype_block(t->dtype) > 1)
		return ac_err_set(err, AC_EDTYPE, "set: %s elements are read-only", ml_dtype_name(t->dtype));
	ml_store_i64(t->dtype, (uint8_t *)p, v);
	return AC_OK;
}

int
ml_fill(MlTensor *t, double v, AcErr *err)
{
	uint8_t one[8];
	MlTensor *s;
	int rc;

	if (t == NULL)
		return ac_err_set(err, AC_EINVAL, "fill: nil tensor");
	if (ml_dtype_block(t->dtype) > 1) {
		MlTensor *f = ml_tensor_empty(ML_F32, t->ndim, t->ne, err);
		if (f == NULL)
			return err ? err->code : AC_ENOMEM;
		rc = ml_fill(f, v, err);
		if (rc == AC_OK)
			rc = ml_copy(t, f, err);
		ml_tensor_unref(f);
		return rc;
	}
	ml_store_f64(t->dtype, one, v);
	/* zeroing a contiguous tensor (every gradient, every step) is one
	 * memset when the value's bytes are all zero */
	if (ml_tensor_is_contiguous(t)) {
		int es = ml_dtype_bytes(t->dtype);
		bool zero = true;
		for (int i = 0; i < es; i++)
			zero = zero && one[i] == 0;
		if (zero) {
			memset(t->data, 0, ml_tensor_nbytes(t));
			return AC_OK;
		}
	}
	s = ml_tensor_wrap(t->dtype, 0, NULL, NULL, one, sizeof one, NULL, NULL, err);
	if (s == NULL)
		return err ? err->code : AC_ENOMEM;
	rc = ml_copy(t, s, err);
	ml_tensor_unref(s);
	return rc;
}
