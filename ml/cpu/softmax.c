/*
 * Softmax and log-softmax along one dimension (ops.def family SOFTMAX):
 * y = exp(x - max) / sum(exp(x - max)), log-softmax x - max - log(sum).
 * The input is seen as [outer, n, inner] (a contiguous copy first when
 * its strides do not allow that); the fast path for inner == 1 works in
 * f32 on contiguous f32 rows, the scalar twin in double on any dtype.
 * A row of all -inf gives NaN (as PyTorch); NaN propagates.
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

static int
sm_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	const MlTensor *x = in[0];
	int d = ml_norm_dim(p->axis, x->ndim > 0 ? x->ndim : 1);

	if (d < 0)
		return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", ml_op_name(op),
		                  p->axis, x->ndim);
	*ndim = x->ndim;
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	return AC_OK;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void
row_f32(float *restrict y, const float *restrict x, int64_t n, bool lg)
{
	float mx = -INFINITY, s = 0;

	for (int64_t i = 0; i < n; i++)
		mx = x[i] > mx || x[i] != x[i] ? x[i] : mx;
	if (lg) {
		for (int64_t i = 0; i < n; i++)
			s += expf(x[i] - mx);
		float l = mx + logf(s);
		for (int64_t i = 0; i < n; i++)
			y[i] = x[i] - l;
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		y[i] = expf(x[i] - mx);
		s += y[i];
	}
	float r = 1 / s;
	for (int64_t i = 0; i < n; i++)
		y[i] *= r;
}

static int
sm_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlTensor *x = ml_tensor_contiguous(in[0], err), *y = out, *yc = NULL;
	int d = ml_norm_dim(p->axis, in[0]->ndim > 0 ? in[0]->ndim : 1);
	bool lg = op == ML_OP_LOG_SOFTMAX;
	int64_t outer = 1, n = in[0]->ndim > 0 ? in[0]->ne[d] : 1, inner = 1, es;
	int rc = AC_OK;

	if (x == NULL)
		return err ? err->code : AC_ENOMEM;
	if (!ml_tensor_is_contiguous(out)) {
		yc = ml_tensor_empty(out->dtype, out->ndim, out->ne, err);
		if (yc == NULL) {
			ml_tensor_unref(x);
			return AC_ENOMEM;
		}
		y = yc;
	}
	for (int i = 0; i < x->ndim; i++) {
		if (i < d)
			outer *= x->ne[i];
		else if (i > d)
			inner *= x->ne[i];
	}
	es = ml_dtype_bytes(x->dtype);
	for (int64_t o = 0; o < outer && n > 0; o++)
		for (int64_t j = 0; j < inner; j++) {
			const uint8_t *xp = x->data + (o * n * inner + j) * es;
			uint8_t *yp = y->data + (o * n * inner + j) * es;
			int64_t st = inner * es;
			if (!ref && x->dtype == ML_F32 && inner == 1) {
				row_f32((float *)(void *)yp, (const float *)(const void *)xp, n, lg);
				continue;
			}
			double mx = -INFINITY, s = 0;
			for (int64_t i = 0; i < n; i++) {
				double v = ml_load_f64(x->dtype, xp + i * st);
				mx = v > mx || v != v ? v : mx;
			}
			for (int64_t i = 0; i < n; i++)
				s += exp(ml_load_f64(x->dtype, xp + i * st) - mx);
			for (int64_t i = 0; i < n; i++) {
				double v = ml_load_f64(x->dtype, xp + i * st) - mx;
				ml_store_f64(x->dtype, yp + i * st, lg ? v - log(s) : exp(v) / s);
			}
		}
	if (yc != NULL)
		rc = ml_copy(out, yc, err);
	ml_tensor_unref(yc);
	ml_tensor_unref(x);
	return rc;
}

const MlFamily ml_family_SOFTMAX = {.shape = sm_shape, .run = sm_run};
