/*
 * The index ops (ops.def family INDEX): gather along an axis (ONNX Gather,
 * torch.index_select with an index of any shape), gather_elements
 * (torch.gather), scatter with a reduction and scatter_add
 * (torch.scatter_reduce with include_self, ONNX ScatterElements),
 * embedding (ggml get_rows, quantized tables dequantized row by row),
 * triu/tril, cumsum, sort and argsort (stable, NaN largest), and topk
 * (a function: two outputs).
 *
 * Every op validates its index tensor before it writes: an index outside
 * [-n, n) is AC_ERANGE naming the op, the index's flat position and its
 * value.  Indices are read through a contiguous i64 copy.  Elements move
 * as bytes (every non-block dtype), so one kernel serves all of them; the
 * fast paths copy whole contiguous rows with memcpy, the scalar twins one
 * element at a time through the strides.
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* Byte offset of element idx[0..nd-1] through strides nb. */
static inline int64_t
off_at(int nd, const int64_t *idx, const int64_t *nb)
{
	int64_t o = 0;

	for (int d = 0; d < nd; d++)
		o += idx[d] * nb[d];
	return o;
}

/* Advances the row-major counter idx over ne; false after the last. */
static inline bool
next_idx(int nd, const int64_t *ne, int64_t *idx)
{
	for (int d = nd - 1; d >= 0; d--) {
		if (++idx[d] < ne[d])
			return true;
		idx[d] = 0;
	}
	return false;
}

/* The index tensor t as a contiguous i64 tensor, each value checked
 * against [-n, n) and made non-negative; NULL with AC_ERANGE "op: index V
 * at position P is out of range for dimension D of size N". */
static MlTensor *
load_index(MlOp op, const MlTensor *t, int dim, int64_t n, AcErr *err)
{
	MlTensor *c = ml_cast(t, ML_I64, err);
	int64_t m;

	if (c == NULL)
		return NULL;
	m = ml_tensor_numel(c);
	for (int64_t i = 0; i < m; i++) {
		int64_t *v = (int64_t *)(void *)c->data + i;
		if (*v < -n || *v >= n) {
			ac_err_set(err, AC_ERANGE,
			           "%s: index %lld at position %lld is out of range for dimension %d of size %lld",
			           ml_op_name(op), (long long)*v, (long long)i, dim, (long long)n);
			ml_tensor_unref(c);
			return NULL;
		}
		if (*v < 0)
			*v += n;
	}
	return c;
}

static bool
is_index_dtype(MlDtype dt)
{
	return dt == ML_I64 || dt == ML_I32;
}

static int
check_index_dtype(MlOp op, const MlTensor *t, AcErr *err)
{
	if (!is_index_dtype(t->dtype))
		return ac_err_set(err, AC_EDTYPE, "%s: index is %s, want i64 or i32", ml_op_name(op),
		                  ml_dtype_name(t->dtype));
	return AC_OK;
}

/* ---- shapes ---- */

static int
ix_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	const MlTensor *x = in[0];
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int d, rc;

	switch (op) {
	case ML_OP_GATHER:
	case ML_OP_EMBEDDING: {
		const MlTensor *ix = in[1];
		d = op == ML_OP_EMBEDDING ? 0 : ml_norm_dim(p->axis, x->ndim);
		if ((rc = check_index_dtype(op, ix, err)) != AC_OK)
			return rc;
		if (op == ML_OP_EMBEDDING && x->ndim != 2)
			return ac_err_set(err, AC_ESHAPE, "embedding: table %s is not [V, D]",
			                  ml_shape_fmt(x, a));
		if (d < 0)
			return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", ml_op_name(op),
			                  p->axis, x->ndim);
		if (x->ndim - 1 + ix->ndim > ML_MAX_DIMS)
			return ac_err_set(err, AC_ESHAPE, "%s: %s indexed by %s has more than %d dimensions",
			                  ml_op_name(op), ml_shape_fmt(x, a), ml_shape_fmt(ix, b),
			                  ML_MAX_DIMS);
		if (ml_dtype_block(x->dtype) > 1 && op == ML_OP_GATHER)
			return ac_err_set(err, AC_EDTYPE, "gather: no kernel for %s", ml_dtype_name(x->dtype));
		*ndim = 0;
		for (int i = 0; i < d; i++)
			ne[(*ndim)++] = x->ne[i];
		for (int i = 0; i < ix->ndim; i++)
			ne[(*ndim)++] = ix->ne[i];
		for (int i = d + 1; i < x->ndim; i++)
			ne[(*ndim)++] = x->ne[i];
		return AC_OK;
	}
	case ML_OP_GATHER_ELEMENTS:
	case ML_OP_SCATTER:
	case ML_OP_SCATTER_ADD: {
		const MlTensor *ix = in[1];
		d = ml_norm_dim(p->axis, x->ndim);
		if ((rc = check_index_dtype(op, ix, err)) != AC_OK)
			return rc;
		if (d < 0)
			return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", ml_op_name(op),
			                  p->axis, x->ndim);
		if (ix->ndim != x->ndim)
			return ac_err_set(err, AC_ESHAPE, "%s: index %s and input %s differ in rank",
			                  ml_op_name(op), ml_shape_fmt(ix, a), ml_shape_fmt(x, b));
		for (int i = 0; i < x->ndim; i++)
			if (i != d && ix->ne[i] > x->ne[i])
				return ac_err_set(err, AC_ESHAPE,
				                  "%s: index %s is larger than input %s at dimension %d",
				                  ml_op_name(op), ml_shape_fmt(ix, a), ml_shape_fmt(x, b), i);
		if (op != ML_OP_GATHER_ELEMENTS) {
			const MlTensor *s = in[2];
			if (s->dtype != x->dtype)
				return ac_err_set(err, AC_EDTYPE, "%s: src is %s, input %s", ml_op_name(op),
				                  ml_dtype_name(s->dtype), ml_dtype_name(x->dtype));
			if (s->ndim != x->ndim)
				return ac_err_set(err, AC_ESHAPE, "%s: src %s and input %s differ in rank",
				                  ml_op_name(op), ml_shape_fmt(s, a), ml_shape_fmt(x, b));
			for (int i = 0; i < x->ndim; i++)
				if (ix->ne[i] > s->ne[i])
					return ac_err_set(err, AC_ESHAPE,
					                  "%s: index %s is larger than src %s at dimension %d",
					                  ml_op_name(op), ml_shape_fmt(ix, a), ml_shape_fmt(s, b), i);
			if (op == ML_OP_SCATTER && (p->mode < 0 || p->mode > 4))
				return ac_err_set(err, AC_EINVAL, "scatter: reduction %d, want 0..4", p->mode);
			*ndim = x->ndim;
			memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
		} else {
			*ndim = ix->ndim;
			memcpy(ne, ix->ne, sizeof(int64_t) * ML_MAX_DIMS);
		}
		return AC_OK;
	}
	case ML_OP_TRIU:
	case ML_OP_TRIL:
		if (x->ndim < 2)
			return ac_err_set(err, AC_ESHAPE, "%s: input %s is not a matrix", ml_op_name(op),
			                  ml_shape_fmt(x, a));
		break;
	default: /* cumsum, sort, argsort */
		if (ml_norm_dim(p->axis, x->ndim > 0 ? x->ndim : 1) < 0)
			return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", ml_op_name(op),
			                  p->axis, x->ndim);
		break;
	}
	*ndim = x->ndim;
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	return AC_OK;
}

static MlDtype
ix_out_dtype(MlOp op, MlTensor *const *in, const MlOpParams *p)
{
	if (op == ML_OP_ARGSORT)
		return ML_I64;
	if (op == ML_OP_EMBEDDING && ml_dtype_block(in[0]->dtype) > 1)
		return ML_F32;
	return in[0]->dtype;
}

/* ---- gather and embedding ---- */

/* out[i.., j.., k..] = x[i.., ix[j..], k..]; ix already checked. */
static int
gather_run(MlTensor *out, const MlTensor *x, const MlTensor *ix, int d, bool ref)
{
	int64_t es = ml_dtype_bytes(x->dtype), inner = 1, outer = 1, m = ml_tensor_numel(ix);
	const int64_t *iv = (const int64_t *)(const void *)ix->data;
	int jd = ix->ndim;

	for (int i = d + 1; i < x->ndim; i++)
		inner *= x->ne[i];
	for (int i = 0; i < d; i++)
		outer *= x->ne[i];
	if (ml_tensor_numel(out) == 0)
		return AC_OK;
	if (!ref && ml_tensor_is_contiguous(x) && ml_tensor_is_contiguous(out)) {
		int64_t n = x->ne[d], row = inner * es;
		for (int64_t o = 0; o < outer; o++)
			for (int64_t j = 0; j < m; j++)
				memcpy(out->data + (o * m + j) * row, x->data + (o * n + iv[j]) * row,
				       (size_t)row);
		return AC_OK;
	}
	/* element by element: out's counter split into (i.., j.., k..) */
	int64_t idx[ML_MAX_DIMS] = {0}, xi[ML_MAX_DIMS];
	do {
		int64_t flat = 0;
		for (int k = 0; k < jd; k++)
			flat = flat * ix->ne[k] + idx[d + k];
		for (int k = 0; k < d; k++)
			xi[k] = idx[k];
		xi[d] = iv[flat];
		for (int k = d + 1; k < x->ndim; k++)
			xi[k] = idx[k - 1 + jd];
		memcpy(out->data + off_at(out->ndim, idx, out->nb),
		       x->data + off_at(x->ndim, xi, x->nb), (size_t)es);
	} while (next_idx(out->ndim, out->ne, idx));
	return AC_OK;
}

/* embedding of a q8_0 / q4_0 table: each row dequantized into out. */
static int
embed_quant(MlTensor *out, const MlTensor *w, const MlTensor *ix, bool ref, AcErr *err)
{
	int64_t dim = w->ne[1], m = ml_tensor_numel(ix);
	const int64_t *iv = (const int64_t *)(const void *)ix->data;
	int64_t rowb = dim / ML_QK * ml_dtype_bytes(w->dtype);
	float *tmp = NULL;
	bool direct = !ref && out->nb[out->ndim - 1] == (int64_t)sizeof(float);

	if (!direct && (tmp = ac_malloc((size_t)dim * sizeof *tmp, "embedding", err)) == NULL)
		return AC_ENOMEM;
	int64_t idx[ML_MAX_DIMS] = {0};
	for (int64_t j = 0; j < m; j++) {
		uint8_t *orow = out->data + off_at(out->ndim - 1, idx, out->nb);
		const uint8_t *wrow = w->data + iv[j] * w->nb[0];
		(void)rowb;
		if (direct)
			ml_dequantize_row(w->dtype, wrow, (float *)(void *)orow, dim);
		else {
			ml_dequantize_row(w->dtype, wrow, tmp, dim);
			for (int64_t c = 0; c < dim; c++)
				ml_store_f64(ML_F32, orow + c * out->nb[out->ndim - 1], tmp[c]);
		}
		if (out->ndim > 1)
			next_idx(out->ndim - 1, out->ne, idx);
	}
	free(tmp);
	return AC_OK;
}

/* ---- gather_elements and scatter ---- */

static void
gather_elements_run(MlTensor *out, const MlTensor *x, const MlTensor *ix, int d)
{
	const int64_t *iv = (const int64_t *)(const void *)ix->data;
	int64_t es = ml_dtype_bytes(x->dtype), idx[ML_MAX_DIMS] = {0}, xi[ML_MAX_DIMS], flat = 0;

	if (ml_tensor_numel(out) == 0)
		return;
	do {
		memcpy(xi, idx, sizeof xi);
		xi[d] = iv[flat++];
		memcpy(out->data + off_at(out->ndim, idx, out->nb),
		       x->data + off_at(x->ndim, xi, x->nb), (size_t)es);
	} while (next_idx(out->ndim, out->ne, idx));
}

/* dst = reduce(dst, src) for one element of dtype dt. */
static void
reduce_elem(MlDtype dt, int mode, uint8_t *dst, const uint8_t *src)
{
	enum MlKind k = ml_dtype_kind(dt);

	if (mode == 0) {
		memcpy(dst, src, (size_t)ml_dtype_bytes(dt));
		return;
	}
	if (k == ML_KIND_FLOAT) {
		double a = ml_load_f64(dt, dst), b = ml_load_f64(dt, src), r;
		switch (mode) {
		case 1: r = a + b; break;
		case 2: r = a * b; break;
		case 3: r = a > b || a != a ? a : b; break;
		default: r = a < b || a != a ? a : b; break;
		}
		if (mode >= 3 && b != b)
			r = b;
		ml_store_f64(dt, dst, r);
		return;
	}
	int64_t a = ml_load_i64(dt, dst), b = ml_load_i64(dt, src), r;
	switch (mode) {
	case 1: r = (int64_t)((uint64_t)a + (uint64_t)b); break;
	case 2: r = (int64_t)((uint64_t)a * (uint64_t)b); break;
	case 3: r = a > b ? a : b; break;
	default: r = a < b ? a : b; break;
	}
	if (k == ML_KIND_BOOL)
		r = r != 0;
	ml_store_i64(dt, dst, r);
}

static int
scatter_run(MlTensor *out, const MlTensor *x, const MlTensor *ix, const MlTensor *src, int d,
            int mode, AcErr *err)
{
	const int64_t *iv = (const int64_t *)(const void *)ix->data;
	int64_t idx[ML_MAX_DIMS] = {0}, oi[ML_MAX_DIMS], flat = 0;
	int rc;

	if (out->data != x->data || !ml_same_view(out, x))
		if ((rc = ml_copy(out, x, err)) != AC_OK)
			return rc;
	if (ml_tensor_numel(ix) == 0)
		return AC_OK;
	do {
		memcpy(oi, idx, sizeof oi);
		oi[d] = iv[flat++];
		reduce_elem(out->dtype, mode, out->data + off_at(out->ndim, oi, out->nb),
		            src->data + off_at(src->ndim, idx, src->nb));
	} while (next_idx(ix->ndim, ix->ne, idx));
	return AC_OK;
}

/* ---- triu / tril ---- */

static void
tri_run(MlOp op, MlTensor *out, const MlTensor *x, int64_t k, bool ref)
{
	int nd = x->ndim;
	int64_t es = ml_dtype_bytes(x->dtype), rows = x->ne[nd - 2], cols = x->ne[nd - 1];
	int64_t idx[ML_MAX_DIMS] = {0};
	bool up = op == ML_OP_TRIU;
	bool rowfast = !ref && x->nb[nd - 1] == es && out->nb[nd - 1] == es;

	if (ml_tensor_numel(x) == 0)
		return;
	do { /* idx over the batch dimensions, with idx[nd-2..] = 0 */
		for (int64_t i = 0; i < rows; i++) {
			idx[nd - 2] = i;
			idx[nd - 1] = 0;
			uint8_t *o = out->data + off_at(nd, idx, out->nb);
			const uint8_t *s = x->data + off_at(nd, idx, x->nb);
			/* kept: j - i >= k (triu) or j - i <= k (tril) */
			int64_t lo = up ? i + k : 0, hi = up ? cols : i + k + 1;
			lo = lo < 0 ? 0 : lo > cols ? cols : lo;
			hi = hi < 0 ? 0 : hi > cols ? cols : hi;
			if (hi < lo)
				hi = lo;
			if (rowfast) {
				if (o != s)
					memmove(o + lo * es, s + lo * es, (size_t)((hi - lo) * es));
				memset(o, 0, (size_t)(lo * es));
				memset(o + hi * es, 0, (size_t)((cols - hi) * es));
				continue;
			}
			for (int64_t j = 0; j < cols; j++) {
				uint8_t *oj = o + j * out->nb[nd - 1];
				if (j >= lo && j < hi)
					memmove(oj, s + j * x->nb[nd - 1], (size_t)es);
				else
					memset(oj, 0, (size_t)es);
			}
		}
		idx[nd - 2] = idx[nd - 1] = 0;
	} while (nd > 2 && next_idx(nd - 2, x->ne, idx));
}

/* ---- cumsum ---- */

static void
cumsum_run(MlTensor *out, const MlTensor *x, int d, bool exclusive, bool reverse)
{
	int nd = x->ndim > 0 ? x->ndim : 1;
	int64_t n = x->ndim > 0 ? x->ne[d] : 1, sx = x->ndim > 0 ? x->nb[d] : 0;
	int64_t so = out->ndim > 0 ? out->nb[d] : 0, idx[ML_MAX_DIMS] = {0}, ne[ML_MAX_DIMS];
	bool fl = ml_dtype_kind(x->dtype) == ML_KIND_FLOAT;

	if (ml_tensor_numel(x) == 0)
		return;
	for (int i = 0; i < nd; i++)
		ne[i] = x->ndim > 0 ? x->ne[i] : 1;
	ne[d] = 1;
	do {
		const uint8_t *s = x->data + off_at(x->ndim, idx, x->nb);
		uint8_t *o = out->data + off_at(out->ndim, idx, out->nb);
		double af = 0;
		uint64_t ai = 0;
		for (int64_t t = 0; t < n; t++) {
			int64_t j = reverse ? n - 1 - t : t;
			double vf = fl ? ml_load_f64(x->dtype, s + j * sx) : 0;
			uint64_t vi = fl ? 0 : (uint64_t)ml_load_i64(x->dtype, s + j * sx);
			if (!exclusive) {
				af += vf;
				ai += vi;
			}
			if (fl)
				ml_store_f64(out->dtype, o + j * so, af);
			else
				ml_store_i64(out->dtype, o + j * so, (int64_t)ai);
			if (exclusive) {
				af += vf;
				ai += vi;
			}
		}
	} while (next_idx(nd, ne, idx));
}

/* ---- sort, argsort, topk ---- */

/* One row's keys: doubles for float dtypes (NaN ranks above +inf), i64
 * otherwise. */
typedef struct Keys {
	bool fl, desc;
	const double *f;
	const int64_t *i;
} Keys;

/* Whether row element a goes strictly before b. */
static inline bool
before(const Keys *k, int64_t a, int64_t b)
{
	if (k->fl) {
		double x = k->f[a], y = k->f[b];
		bool xn = x != x, yn = y != y;
		if (xn || yn)
			return k->desc ? xn && !yn : !xn && yn;
		return k->desc ? x > y : x < y;
	}
	return k->desc ? k->i[a] > k->i[b] : k->i[a] < k->i[b];
}

/* Stable merge sort of the permutation p[0..n-1] (tmp as scratch). */
static void
msort(const Keys *k, int64_t *p, int64_t *tmp, int64_t n)
{
	if (n < 2)
		return;
	if (n <= 16) { /* insertion sort: stable */
		for (int64_t i = 1; i < n; i++) {
			int64_t v = p[i], j = i;
			while (j > 0 && before(k, v, p[j - 1])) {
				p[j] = p[j - 1];
				j--;
			}
			p[j] = v;
		}
		return;
	}
	int64_t h = n / 2, a = 0, b = h, o = 0;
	msort(k, p, tmp, h);
	msort(k, p + h, tmp, n - h);
	while (a < h && b < n)
		tmp[o++] = before(k, p[b], p[a]) ? p[b++] : p[a++];
	while (a < h)
		tmp[o++] = p[a++];
	while (b < n)
		tmp[o++] = p[b++];
	memcpy(p, tmp, (size_t)n * sizeof *p);
}

/*
 * Sorts x along d and writes the first kk of each row: values (x's dtype)
 * and/or indices (i64) along d of their outputs, either may be NULL.
 */
static int
sort_rows(MlTensor *values, MlTensor *indices, const MlTensor *x, int d, int64_t kk, bool desc,
          AcErr *err)
{
	int nd = x->ndim > 0 ? x->ndim : 1;
	int64_t n = x->ndim > 0 ? x->ne[d] : 1, sx = x->ndim > 0 ? x->nb[d] : 0;
	int64_t es = ml_dtype_bytes(x->dtype), idx[ML_MAX_DIMS] = {0}, ne[ML_MAX_DIMS];
	Keys k = {.fl = ml_dtype_kind(x->dtype) == ML_KIND_FLOAT, .desc = desc};
	int64_t *p, *tmp;
	void *key;

	if (ml_tensor_numel(x) == 0 || kk == 0)
		return AC_OK;
	p = ac_malloc((size_t)(2 * n) * sizeof *p, "sort", err);
	key = ac_malloc((size_t)n * 8, "sort", err);
	if (p == NULL || key == NULL) {
		free(p);
		free(key);
		return AC_ENOMEM;
	}
	tmp = p + n;
	k.f = key;
	k.i = key;
	for (int i = 0; i < nd; i++)
		ne[i] = x->ndim > 0 ? x->ne[i] : 1;
	ne[d] = 1;
	do {
		const uint8_t *s = x->data + off_at(x->ndim, idx, x->nb);
		for (int64_t j = 0; j < n; j++) {
			p[j] = j;
			if (k.fl)
				((double *)key)[j] = ml_load_f64(x->dtype, s + j * sx);
			else
				((int64_t *)key)[j] = ml_load_i64(x->dtype, s + j * sx);
		}
		msort(&k, p, tmp, n);
		if (values != NULL) {
			uint8_t *o = values->data + off_at(values->ndim, idx, values->nb);
			int64_t so = values->ndim > 0 ? values->nb[d] : 0;
			for (int64_t j = 0; j < kk; j++)
				memcpy(o + j * so, s + p[j] * sx, (size_t)es);
		}
		if (indices != NULL) {
			uint8_t *o = indices->data + off_at(indices->ndim, idx, indices->nb);
			int64_t so = indices->ndim > 0 ? indices->nb[d] : 0;
			for (int64_t j = 0; j < kk; j++)
				memcpy(o + j * so, &p[j], sizeof p[j]);
		}
	} while (next_idx(nd, ne, idx));
	free(p);
	free(key);
	return AC_OK;
}

int
ml_topk(MlTensor *values, MlTensor *indices, const MlTensor *x, int64_t k, int axis,
        bool largest, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int d;

	if (values == NULL || indices == NULL || x == NULL)
		return ac_err_set(err, AC_EINVAL, "topk: nil tensor");
	if (ml_dtype_block(x->dtype) > 1 || x->dtype == ML_BOOL)
		return ac_err_set(err, AC_EDTYPE, "topk: no kernel for %s", ml_dtype_name(x->dtype));
	if ((d = ml_norm_dim(axis, x->ndim)) < 0)
		return ac_err_set(err, AC_ERANGE, "topk: axis %d of a %d-d tensor", axis, x->ndim);
	if (k < 0 || k > x->ne[d])
		return ac_err_set(err, AC_ERANGE, "topk: k %lld outside 0..%lld", (long long)k,
		                  (long long)x->ne[d]);
	if (values->dtype != x->dtype || indices->dtype != ML_I64)
		return ac_err_set(err, AC_EDTYPE, "topk: outputs are %s and %s, want %s and i64",
		                  ml_dtype_name(values->dtype), ml_dtype_name(indices->dtype),
		                  ml_dtype_name(x->dtype));
	bool ok = values->ndim == x->ndim && indices->ndim == x->ndim;
	for (int i = 0; ok && i < x->ndim; i++) {
		int64_t want = i == d ? k : x->ne[i];
		ok = values->ne[i] == want && indices->ne[i] == want;
	}
	if (!ok)
		return ac_err_set(err, AC_ESHAPE, "topk: outputs %s and %s for input %s and k %lld",
		                  ml_shape_fmt(values, a), ml_shape_fmt(indices, b),
		                  ml_shape_fmt(x, (char[ML_SHAPE_BYTES]){0}), (long long)k);
	return sort_rows(values, indices, x, d, k, largest, err);
}

/* ---- run ---- */

static int
ix_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	const MlTensor *x = in[0];
	MlTensor *ix = NULL;
	int d = ml_norm_dim(op == ML_OP_EMBEDDING ? 0 : p->axis, x->ndim > 0 ? x->ndim : 1), rc;

	switch (op) {
	case ML_OP_GATHER:
	case ML_OP_EMBEDDING:
		if ((ix = load_index(op, in[1], d, x->ne[d], err)) == NULL)
			return err != NULL ? err->code : AC_ERANGE;
		if (ml_dtype_block(x->dtype) > 1)
			rc = embed_quant(out, x, ix, ref, err);
		else
			rc = gather_run(out, x, ix, d, ref);
		break;
	case ML_OP_GATHER_ELEMENTS:
		if ((ix = load_index(op, in[1], d, x->ne[d], err)) == NULL)
			return err != NULL ? err->code : AC_ERANGE;
		gather_elements_run(out, x, ix, d);
		rc = AC_OK;
		break;
	case ML_OP_SCATTER:
	case ML_OP_SCATTER_ADD:
		if ((ix = load_index(op, in[1], d, x->ne[d], err)) == NULL)
			return err != NULL ? err->code : AC_ERANGE;
		rc = scatter_run(out, x, ix, in[2], d, op == ML_OP_SCATTER_ADD ? 1 : p->mode, err);
		break;
	case ML_OP_TRIU:
	case ML_OP_TRIL:
		tri_run(op, out, x, p->k, ref);
		return AC_OK;
	case ML_OP_CUMSUM:
		cumsum_run(out, x, d, p->p[0] != 0, p->p[1] != 0);
		return AC_OK;
	case ML_OP_SORT:
		return sort_rows(out, NULL, x, d, x->ndim > 0 ? x->ne[d] : 1, p->largest, err);
	case ML_OP_ARGSORT:
		return sort_rows(NULL, out, x, d, x->ndim > 0 ? x->ne[d] : 1, p->largest, err);
	default:
		return ac_err_set(err, AC_EINVAL, "%s: not an index op", ml_op_name(op));
	}
	ml_tensor_unref(ix);
	return rc;
}

const MlFamily ml_family_INDEX = {
	.shape = ix_shape,
	.run = ix_run,
	.mixed = true,
	.dtype_input = 0,
	.out_dtype = ix_out_dtype,
};
