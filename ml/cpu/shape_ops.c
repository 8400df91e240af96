/*
 * The shape ops that do not fit ml_op's fixed arity or whose parameters
 * are per dimension: concat, stack, split, pad, tile, one_hot, arange.
 * Each checks everything before it writes; the copies go through ml_copy
 * into slice views (any strides, every dtype ml_copy converts), pad and
 * tile through a per-element source map.
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
next_idx(int nd, const int64_t *ne, int64_t *idx)
{
	for (int d = nd - 1; d >= 0; d--) {
		if (++idx[d] < ne[d])
			return true;
		idx[d] = 0;
	}
	return false;
}

static int64_t
off_at(int nd, const int64_t *idx, const int64_t *nb)
{
	int64_t o = 0;

	for (int d = 0; d < nd; d++)
		o += idx[d] * nb[d];
	return o;
}

/* ---- concat, stack, split ---- */

/* Checks the inputs of concat along axis and gives the output shape. */
static int
concat_shape(const char *fn, MlTensor *const *in, int n, int axis, int *d, int64_t ne[ML_MAX_DIMS],
             AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

	if (in == NULL || n < 1)
		return ac_err_set(err, AC_EINVAL, "%s: no inputs", fn);
	for (int k = 0; k < n; k++)
		if (in[k] == NULL)
			return ac_err_set(err, AC_EINVAL, "%s: input %d is nil", fn, k + 1);
	const MlTensor *x = in[0];
	if ((*d = ml_norm_dim(axis, x->ndim)) < 0)
		return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", fn, axis, x->ndim);
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	ne[*d] = 0;
	for (int k = 0; k < n; k++) {
		const MlTensor *y = in[k];
		if (y->dtype != x->dtype)
			return ac_err_set(err, AC_EDTYPE, "%s: input %d is %s, input 1 %s", fn, k + 1,
			                  ml_dtype_name(y->dtype), ml_dtype_name(x->dtype));
		bool ok = y->ndim == x->ndim;
		for (int j = 0; ok && j < x->ndim; j++)
			ok = j == *d || y->ne[j] == x->ne[j];
		if (!ok)
			return ac_err_set(err, AC_ESHAPE, "%s: input %d %s does not match input 1 %s",
			                  fn, k + 1, ml_shape_fmt(y, a), ml_shape_fmt(x, b));
		ne[*d] += y->ne[*d];
	}
	return AC_OK;
}

static int
concat_into(const char *fn, MlTensor *out, MlTensor *const *in, int n, int d, AcErr *err)
{
	int64_t off = 0;

	for (int k = 0; k < n; k++) {
		MlTensor *v;
		int rc;
		if (in[k]->ne[d] == 0)
			continue;
		if ((v = ml_view_slice(out, d, off, off + in[k]->ne[d], 1, err)) == NULL)
			return err != NULL ? err->code : AC_ENOMEM;
		rc = ml_copy(v, in[k], err);
		ml_tensor_unref(v);
		if (rc != AC_OK)
			return rc;
		off += in[k]->ne[d];
	}
	(void)fn;
	return AC_OK;
}

static int
check_out(const char *fn, const MlTensor *out, MlDtype dt, int nd, const int64_t *ne, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor s = {.ndim = nd};

	if (out == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil output", fn);
	if (out->dtype != dt)
		return ac_err_set(err, AC_EDTYPE, "%s: output is %s, want %s", fn,
		                  ml_dtype_name(out->dtype), ml_dtype_name(dt));
	memcpy(s.ne, ne, sizeof(int64_t) * (size_t)nd);
	if (out->ndim != nd || memcmp(out->ne, ne, sizeof(int64_t) * (size_t)nd) != 0)
		return ac_err_set(err, AC_ESHAPE, "%s: output %s, want %s", fn, ml_shape_fmt(out, a),
		                  ml_shape_fmt(&s, b));
	return AC_OK;
}

int
ml_concat(MlTensor *out, MlTensor *const *in, int n, int axis, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS];
	int d, rc;

	if ((rc = concat_shape("concat", in, n, axis, &d, ne, err)) != AC_OK ||
	    (rc = check_out("concat", out, in[0]->dtype, in[0]->ndim, ne, err)) != AC_OK)
		return rc;
	return concat_into("concat", out, in, n, d, err);
}

MlTensor *
ml_concat_new(MlTensor *const *in, int n, int axis, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS];
	int d;
	MlTensor *out;

	if (concat_shape("concat", in, n, axis, &d, ne, err) != AC_OK)
		return NULL;
	if ((out = ml_tensor_empty(in[0]->dtype, in[0]->ndim, ne, err)) == NULL)
		return NULL;
	if (concat_into("concat", out, in, n, d, err) != AC_OK) {
		ml_tensor_unref(out);
		return NULL;
	}
	return out;
}

MlTensor *
ml_stack_new(MlTensor *const *in, int n, int axis, AcErr *err)
{
	MlTensor *v[64] = {NULL}, *out = NULL;
	int d;

	if (in == NULL || n < 1 || n > 64)
		return ac_err_set(err, AC_EINVAL, "stack: %d inputs, want 1..64", n), NULL;
	for (int k = 0; k < n; k++)
		if (in[k] == NULL)
			return ac_err_set(err, AC_EINVAL, "stack: input %d is nil", k + 1), NULL;
	if ((d = ml_norm_dim(axis, in[0]->ndim + 1)) < 0)
		return ac_err_set(err, AC_ERANGE, "stack: axis %d of a %d-d result", axis,
		                  in[0]->ndim + 1), NULL;
	if (in[0]->ndim + 1 > ML_MAX_DIMS)
		return ac_err_set(err, AC_ESHAPE, "stack: result has more than %d dimensions",
		                  ML_MAX_DIMS), NULL;
	for (int k = 0; k < n; k++) {
		if (!ml_same_shape(in[k], in[0]) || in[k]->ndim != in[0]->ndim) {
			char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
			ac_err_set(err, AC_ESHAPE, "stack: input %d %s does not match input 1 %s", k + 1,
			           ml_shape_fmt(in[k], a), ml_shape_fmt(in[0], b));
			goto done;
		}
		if ((v[k] = ml_view_unsqueeze(in[k], d, err)) == NULL)
			goto done;
	}
	out = ml_concat_new(v, n, d, err);
done:
	for (int k = 0; k < n; k++)
		ml_tensor_unref(v[k]);
	return out;
}

int
ml_split(MlTensor **out, const MlTensor *x, const int64_t *sizes, int n, int axis, AcErr *err)
{
	int64_t sum = 0, off = 0;
	int d;

	if (out == NULL || x == NULL || sizes == NULL || n < 1)
		return ac_err_set(err, AC_EINVAL, "split: nil argument or no parts");
	for (int k = 0; k < n; k++)
		out[k] = NULL;
	if ((d = ml_norm_dim(axis, x->ndim)) < 0)
		return ac_err_set(err, AC_ERANGE, "split: axis %d of a %d-d tensor", axis, x->ndim);
	for (int k = 0; k < n; k++) {
		if (sizes[k] < 0)
			return ac_err_set(err, AC_EINVAL, "split: size %d is %lld", k + 1,
			                  (long long)sizes[k]);
		sum += sizes[k];
	}
	if (sum != x->ne[d]) {
		char a[ML_SHAPE_BYTES];
		return ac_err_set(err, AC_ESHAPE, "split: sizes add to %lld, dimension %d of %s is %lld",
		                  (long long)sum, d, ml_shape_fmt(x, a), (long long)x->ne[d]);
	}
	for (int k = 0; k < n; k++) {
		if ((out[k] = ml_view_slice(x, d, off, off + sizes[k], 1, err)) == NULL) {
			for (int j = 0; j < k; j++) {
				ml_tensor_unref(out[j]);
				out[j] = NULL;
			}
			return err != NULL ? err->code : AC_ENOMEM;
		}
		off += sizes[k];
	}
	return AC_OK;
}

/* ---- pad and tile ---- */

/* The source index of output index i along a dimension of n elements with
 * b padded before, or -1 for the constant. */
static int64_t
pad_src(int64_t i, int64_t b, int64_t n, int mode)
{
	int64_t s = i - b;

	if (s >= 0 && s < n)
		return s;
	switch (mode) {
	case ML_PAD_REFLECT: {
		if (n == 1)
			return 0;
		int64_t per = 2 * (n - 1), m = ((s % per) + per) % per;
		return m < n ? m : per - m;
	}
	case ML_PAD_EDGE:
		return s < 0 ? 0 : n - 1;
	case ML_PAD_WRAP:
		return ((s % n) + n) % n;
	default:
		return -1;
	}
}

static int
pad_shape(const MlTensor *x, const int64_t *pads, int mode, int64_t ne[ML_MAX_DIMS], AcErr *err)
{
	char a[ML_SHAPE_BYTES];

	if (x == NULL || (pads == NULL && x->ndim > 0))
		return ac_err_set(err, AC_EINVAL, "pad: nil argument");
	if (mode < ML_PAD_CONSTANT || mode > ML_PAD_WRAP)
		return ac_err_set(err, AC_EINVAL, "pad: mode %d, want 0..3", mode);
	if (ml_dtype_block(x->dtype) > 1)
		return ac_err_set(err, AC_EDTYPE, "pad: no kernel for %s", ml_dtype_name(x->dtype));
	for (int d = 0; d < x->ndim; d++) {
		int64_t b = pads[d], e = pads[x->ndim + d];
		ne[d] = x->ne[d] + b + e;
		if (ne[d] < 0 || (b < 0 && -b > x->ne[d]) || (e < 0 && -e > x->ne[d]))
			return ac_err_set(err, AC_ESHAPE, "pad: pads %lld, %lld crop past dimension %d of %s",
			                  (long long)b, (long long)e, d, ml_shape_fmt(x, a));
		if (mode != ML_PAD_CONSTANT && x->ne[d] == 0 && ne[d] > 0)
			return ac_err_set(err, AC_ESHAPE, "pad: cannot %s-pad the empty dimension %d of %s",
			                  mode == ML_PAD_REFLECT ? "reflect" : mode == ML_PAD_EDGE ? "edge"
			                                                                          : "wrap",
			                  d, ml_shape_fmt(x, a));
	}
	return AC_OK;
}

int
ml_pad(MlTensor *out, const MlTensor *x, const int64_t *pads, int mode, double value, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], idx[ML_MAX_DIMS] = {0}, si[ML_MAX_DIMS];
	int64_t es;
	int rc;
	uint8_t cv[16];

	if ((rc = pad_shape(x, pads, mode, ne, err)) != AC_OK ||
	    (rc = check_out("pad", out, x->dtype, x->ndim, ne, err)) != AC_OK)
		return rc;
	if (ml_tensor_numel(out) == 0)
		return AC_OK;
	es = ml_dtype_bytes(x->dtype);
	ml_store_f64(x->dtype, cv, value);
	do {
		bool in = true;
		for (int d = 0; d < x->ndim; d++) {
			si[d] = pad_src(idx[d], pads[d], x->ne[d], mode);
			in = in && si[d] >= 0;
		}
		memcpy(out->data + off_at(out->ndim, idx, out->nb),
		       in ? x->data + off_at(x->ndim, si, x->nb) : cv, (size_t)es);
	} while (next_idx(out->ndim, out->ne, idx));
	return AC_OK;
}

MlTensor *
ml_pad_new(const MlTensor *x, const int64_t *pads, int mode, double value, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS];
	MlTensor *out;

	if (pad_shape(x, pads, mode, ne, err) != AC_OK)
		return NULL;
	if ((out = ml_tensor_empty(x->dtype, x->ndim, ne, err)) == NULL)
		return NULL;
	if (ml_pad(out, x, pads, mode, value, err) != AC_OK) {
		ml_tensor_unref(out);
		return NULL;
	}
	return out;
}

MlTensor *
ml_tile_new(const MlTensor *x, const int64_t *repeats, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], idx[ML_MAX_DIMS] = {0}, si[ML_MAX_DIMS];
	MlTensor *out;

	if (x == NULL || (repeats == NULL && x->ndim > 0))
		return ac_err_set(err, AC_EINVAL, "tile: nil argument"), NULL;
	if (ml_dtype_block(x->dtype) > 1)
		return ac_err_set(err, AC_EDTYPE, "tile: no kernel for %s", ml_dtype_name(x->dtype)),
		       NULL;
	for (int d = 0; d < x->ndim; d++) {
		if (repeats[d] < 0)
			return ac_err_set(err, AC_EINVAL, "tile: repeat %lld for dimension %d",
			                  (long long)repeats[d], d), NULL;
		if (repeats[d] > 0 && x->ne[d] > ML_TENSOR_MAX_NUMEL / repeats[d])
			return ac_err_set(err, AC_ERANGE, "tile: dimension %d too large", d), NULL;
		ne[d] = x->ne[d] * repeats[d];
	}
	if ((out = ml_tensor_empty(x->dtype, x->ndim, ne, err)) == NULL)
		return NULL;
	if (ml_tensor_numel(out) == 0)
		return out;
	int64_t es = ml_dtype_bytes(x->dtype);
	do {
		for (int d = 0; d < x->ndim; d++)
			si[d] = idx[d] % x->ne[d];
		memcpy(out->data + off_at(out->ndim, idx, out->nb), x->data + off_at(x->ndim, si, x->nb),
		       (size_t)es);
	} while (next_idx(out->ndim, out->ne, idx));
	return out;
}

/* ---- one_hot and arange ---- */

MlTensor *
ml_one_hot_new(const MlTensor *indices, int64_t depth, double off, double on, int axis,
               MlDtype dt, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], idx[ML_MAX_DIMS] = {0}, n;
	MlTensor *ix, *out;
	int d, nd;

	if (indices == NULL)
		return ac_err_set(err, AC_EINVAL, "one_hot: nil indices"), NULL;
	if (ml_dtype_kind(indices->dtype) != ML_KIND_INT && ml_dtype_kind(indices->dtype) != ML_KIND_UINT
	    && ml_dtype_kind(indices->dtype) != ML_KIND_FLOAT)
		return ac_err_set(err, AC_EDTYPE, "one_hot: indices are %s",
		                  ml_dtype_name(indices->dtype)), NULL;
	if (ml_dtype_block(dt) > 1 || (unsigned)dt >= ML_DTYPE_COUNT)
		return ac_err_set(err, AC_EDTYPE, "one_hot: no kernel for %s", ml_dtype_name(dt)), NULL;
	if (depth < 1)
		return ac_err_set(err, AC_EINVAL, "one_hot: depth %lld", (long long)depth), NULL;
	nd = indices->ndim + 1;
	if (nd > ML_MAX_DIMS)
		return ac_err_set(err, AC_ESHAPE, "one_hot: result has more than %d dimensions",
		                  ML_MAX_DIMS), NULL;
	if ((d = ml_norm_dim(axis, nd)) < 0)
		return ac_err_set(err, AC_ERANGE, "one_hot: axis %d of a %d-d result", axis, nd), NULL;
	for (int i = 0, j = 0; i < nd; i++)
		ne[i] = i == d ? depth : indices->ne[j++];
	if ((ix = ml_cast(indices, ML_I64, err)) == NULL)
		return NULL;
	n = ml_tensor_numel(ix);
	for (int64_t i = 0; i < n; i++) {
		int64_t *v = (int64_t *)(void *)ix->data + i;
		if (*v < -depth || *v >= depth) {
			ac_err_set(err, AC_ERANGE,
			           "one_hot: index %lld at position %lld is out of range for depth %lld",
			           (long long)*v, (long long)i, (long long)depth);
			ml_tensor_unref(ix);
			return NULL;
		}
		if (*v < 0)
			*v += depth;
	}
	if ((out = ml_tensor_empty(dt, nd, ne, err)) == NULL || ml_fill(out, off, err) != AC_OK) {
		ml_tensor_unref(out);
		ml_tensor_unref(ix);
		return NULL;
	}
	if (n > 0) {
		int64_t es = ml_dtype_bytes(dt), oi[ML_MAX_DIMS], flat = 0;
		uint8_t cv[16];
		ml_store_f64(dt, cv, on);
		do {
			for (int i = 0, j = 0; i < nd; i++)
				oi[i] = i == d ? ((int64_t *)(void *)ix->data)[flat] : idx[j++];
			flat++;
			memcpy(out->data + off_at(nd, oi, out->nb), cv, (size_t)es);
		} while (next_idx(indices->ndim, indices->ne, idx));
	}
	ml_tensor_unref(ix);
	return out;
}

MlTensor *
ml_arange_new(MlDtype dt, double start, double limit, double delta, AcErr *err)
{
	bool fl = ml_dtype_kind(dt) == ML_KIND_FLOAT;
	int64_t n;
	MlTensor *out;

	if (dt != ML_F32 && dt != ML_F64 && dt != ML_I32 && dt != ML_I64)
		return ac_err_set(err, AC_EDTYPE, "arange: no kernel for %s", ml_dtype_name(dt)), NULL;
	if (delta == 0 || !isfinite(start) || !isfinite(limit) || !isfinite(delta))
		return ac_err_set(err, AC_EINVAL, "arange: start %g, limit %g, delta %g", start, limit,
		                  delta), NULL;
	if (!fl && (start != trunc(start) || limit != trunc(limit) || delta != trunc(delta)))
		return ac_err_set(err, AC_EINVAL, "arange: %s with fractional start, limit or delta",
		                  ml_dtype_name(dt)), NULL;
	double c = ceil((limit - start) / delta);
	if (c > (double)ML_TENSOR_MAX_NUMEL)
		return ac_err_set(err, AC_ERANGE, "arange: %g elements", c), NULL;
	n = c > 0 ? (int64_t)c : 0;
	if ((out = ml_tensor_empty(dt, 1, &n, err)) == NULL)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		uint8_t *p = out->data + i * ml_dtype_bytes(dt);
		if (fl)
			ml_store_f64(dt, p, start + (double)i * delta);
		else
			ml_store_i64(dt, p, (int64_t)start + i * (int64_t)delta);
	}
	return out;
}
