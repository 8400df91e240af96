/*
 * Softmax and log-softmax along one dimension (ops.def family SOFTMAX):
 * y = exp(x - max) / sum(exp(x - max)), log-softmax x - max - log(sum).
 * The input is seen as [outer, n, inner] (a contiguous copy first when
 * its strides do not allow that); the fast path for inner == 1 works in
 * f32 on contiguous f32 rows (AVX-512 or AVX2 with a polynomial exp where
 * the CPU has it: Cephes' expf, within 2 ulp; rows split over the thread pool),
 * the scalar twin in double on any dtype.
 * A row of all -inf gives NaN (as PyTorch); NaN propagates.
 */
#include "ml/ml_impl.h"

#include <immintrin.h>
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

/* exp of 8 floats: n = round(x log2 e), r = x - n ln 2 (in two parts),
 * e^r by Cephes' degree-6 polynomial, times 2^n; below -87.3 gives 0.
 * Follows: Moshier, Cephes expf.c. */
__attribute__((target("avx2,fma"))) static inline __m256
exp8(__m256 x)
{
	const __m256 lo = _mm256_set1_ps(-87.33654f);
	__m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
	__m256 xc = _mm256_max_ps(x, lo);
	xc = _mm256_min_ps(xc, _mm256_set1_ps(88.3762626647949f));
	__m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
	                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
	r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
	__m256 p = _mm256_set1_ps(1.9875691500e-4f);
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
	p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
	__m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
	__m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
	/* NaN in, NaN out; under the range, 0 */
	y = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
	return _mm256_andnot_ps(under, y);
}

__attribute__((target("avx2,fma"))) static void
row_f32_avx2(float *restrict y, const float *restrict x, int64_t n, bool lg)
{
	__m256 vmx = _mm256_set1_ps(-INFINITY), nan = _mm256_setzero_ps();
	float mx, s;
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256 v = _mm256_loadu_ps(x + i);
		nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
		vmx = _mm256_max_ps(vmx, v);
	}
	float lane[8];
	_mm256_storeu_ps(lane, vmx);
	mx = -INFINITY;
	for (int l = 0; l < 8; l++)
		mx = lane[l] > mx ? lane[l] : mx;
	for (; i < n; i++)
		mx = x[i] > mx || x[i] != x[i] ? x[i] : mx;
	if (_mm256_movemask_ps(nan) != 0)
		mx = NAN;
	__m256 vm = _mm256_set1_ps(mx), acc = _mm256_setzero_ps();
	for (i = 0; i + 8 <= n; i += 8) {
		__m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
		acc = _mm256_add_ps(acc, e);
		if (!lg)
			_mm256_storeu_ps(y + i, e);
	}
	_mm256_storeu_ps(lane, acc);
	s = 0;
	for (int l = 0; l < 8; l++)
		s += lane[l];
	for (; i < n; i++) {
		float e = expf(x[i] - mx);
		s += e;
		if (!lg)
			y[i] = e;
	}
	if (lg) {
		__m256 l = _mm256_set1_ps(mx + logf(s));
		for (i = 0; i + 8 <= n; i += 8)
			_mm256_storeu_ps(y + i, _mm256_sub_ps(_mm256_loadu_ps(x + i), l));
		for (; i < n; i++)
			y[i] = x[i] - (mx + logf(s));
		return;
	}
	__m256 rs = _mm256_set1_ps(1 / s);
	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), rs));
	for (; i < n; i++)
		y[i] *= 1 / s;
}

/* exp8's polynomial on 16 lanes. */
__attribute__((target("avx512f"))) static inline __m512
exp16(__m512 x)
{
	const __m512 lo = _mm512_set1_ps(-87.33654f);
	__mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
	__mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
	__m512 xc = _mm512_min_ps(_mm512_max_ps(x, lo), _mm512_set1_ps(88.3762626647949f));
	__m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
	                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
	r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
	__m512 p = _mm512_set1_ps(1.9875691500e-4f);
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
	p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
	__m512 y = _mm512_scalef_ps(p, n);
	y = _mm512_mask_mov_ps(y, nan, x);
	return _mm512_maskz_mov_ps((__mmask16)~under, y);
}

__attribute__((target("avx512f"))) static void
row_f32_avx512(float *restrict y, const float *restrict x, int64_t n, bool lg)
{
	__m512 vmx = _mm512_set1_ps(-INFINITY);
	__mmask16 nan = 0;
	float mx, s;
	int64_t i = 0;

	for (; i + 16 <= n; i += 16) {
		__m512 v = _mm512_loadu_ps(x + i);
		nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
		vmx = _mm512_max_ps(vmx, v);
	}
	mx = _mm512_reduce_max_ps(vmx);
	for (; i < n; i++)
		mx = x[i] > mx || x[i] != x[i] ? x[i] : mx;
	if (nan != 0)
		mx = NAN;
	__m512 vm = _mm512_set1_ps(mx), acc = _mm512_setzero_ps();
	for (i = 0; i + 16 <= n; i += 16) {
		__m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(x + i), vm));
		acc = _mm512_add_ps(acc, e);
		if (!lg)
			_mm512_storeu_ps(y + i, e);
	}
	s = _mm512_reduce_add_ps(acc);
	for (; i < n; i++) {
		float e = expf(x[i] - mx);
		s += e;
		if (!lg)
			y[i] = e;
	}
	if (lg) {
		float l = mx + logf(s);
		__m512 vl = _mm512_set1_ps(l);
		for (i = 0; i + 16 <= n; i += 16)
			_mm512_storeu_ps(y + i, _mm512_sub_ps(_mm512_loadu_ps(x + i), vl));
		for (; i < n; i++)
			y[i] = x[i] - l;
		return;
	}
	__m512 rs = _mm512_set1_ps(1 / s);
	/* rows longer than L1 leave by non-temporal stores: the output is
	 * not read again here, and memory sees one write instead of a read
	 * for ownership and a write */
	if (((uintptr_t)y & 63) == 0 && n >= 2048) {
		for (i = 0; i + 16 <= n; i += 16)
			_mm512_stream_ps(y + i, _mm512_mul_ps(_mm512_load_ps(y + i), rs));
		_mm_sfence();
	} else
		for (i = 0; i + 16 <= n; i += 16)
			_mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(y + i), rs));
	for (; i < n; i++)
		y[i] *= 1 / s;
}

static void
row_f32_c(float *restrict y, const float *restrict x, int64_t n, bool lg)
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

/* The contiguous f32 rows, split over the pool. */
typedef struct Rows {
	float *y;
	const float *x;
	int64_t rows, n;
	bool lg;
	int simd;  /* ml_simd_level() */
} Rows;

static void
rows_task(void *ctx, int task, int ntasks)
{
	Rows *r = ctx;
	int64_t lo = r->rows * task / ntasks, hi = r->rows * (task + 1) / ntasks;

	for (int64_t i = lo; i < hi; i++) {
		if (r->simd >= ML_SIMD_AVX512)
			row_f32_avx512(r->y + i * r->n, r->x + i * r->n, r->n, r->lg);
		else if (r->simd >= ML_SIMD_AVX2)
			row_f32_avx2(r->y + i * r->n, r->x + i * r->n, r->n, r->lg);
		else
			row_f32_c(r->y + i * r->n, r->x + i * r->n, r->n, r->lg);
	}
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
	if (!ref && x->dtype == ML_F32 && inner == 1 && n > 0) {
		Rows r = {ML_F32(y), ML_F32(x), outer, n, lg, ml_simd_level()};
		int tasks = outer * n >= 65536 ? ml_pool_threads() : 1;
		ml_pool_run(tasks < outer ? tasks : (int)outer, rows_task, &r);
		goto done;
	}
	for (int64_t o = 0; o < outer && n > 0; o++)
		for (int64_t j = 0; j < inner; j++) {
			const uint8_t *xp = x->data + (o * n * inner + j) * es;
			uint8_t *yp = y->data + (o * n * inner + j) * es;
			int64_t st = inner * es;
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
done:
	if (yc != NULL)
		rc = ml_copy(out, yc, err);
	ml_tensor_unref(yc);
	ml_tensor_unref(x);
	return rc;
}

const MlFamily ml_family_SOFTMAX = {.shape = sm_shape, .run = sm_run};
