/*
 * y = x W^T with W quantized (q8_0, q4_0) or in half precision (f16,
 * bf16): ggml's vec_dot path.  The activations x are first converted to the
 * weights' dot type (q8_0 for both block types, f16 or bf16 for the half
 * types) into scratch, then each y[i][r] is one dot product of W's row r
 * with converted row i.  The rows of W are cut into chunks handed out by
 * the pool; a chunk's W rows are read once each and dotted with every x
 * row while they sit in L1, so W streams from memory once per call.
 */
#include "ml/cpu/quant_impl.h"

#include <stdlib.h>

enum { SCRATCH_ALIGN = 64 };

typedef void (*DotFn)(int64_t n, float *s, const void *x, const void *y);
typedef void (*ConvFn)(const float *x, void *y, int64_t n);
typedef void (*Dot2Fn)(int64_t n, float *s, const void *x, size_t xstride, const void *y);

/* What one call shares with its tasks. */
typedef struct Job {
	DotFn dot;
	Dot2Fn dot2;          /* two W rows per pass, or NULL */
	ConvFn conv;
	const uint8_t *w;
	size_t w_row_bytes;   /* bytes of one row of W */
	const float *x;
	uint8_t *xc;          /* converted x: m rows of xc_row_bytes */
	size_t xc_row_bytes;
	float *y;
	int64_t n, k, m;
	int64_t rows_per_task; /* rows of W per task */
} Job;

static size_t
row_bytes(MlDtype wtype, int64_t k)
{
	switch (wtype) {
	case ML_Q8_0: return (size_t)(k / ML_QK8_0) * sizeof(MlBlockQ8_0);
	case ML_Q4_0: return (size_t)(k / ML_QK4_0) * sizeof(MlBlockQ4_0);
	case ML_F16:
	case ML_BF16: return (size_t)k * sizeof(uint16_t);
	default: return 0;
	}
}

/* Bytes of one converted x row (the dot type), rounded up to the alignment. */
static size_t
xc_row_bytes(MlDtype wtype, int64_t k)
{
	size_t b = row_bytes(wtype == ML_Q4_0 ? ML_Q8_0 : wtype, k);

	b = (b + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
	if (wtype == ML_Q4_0)  /* room for the q8x4 groups after the q8_0 row */
		b += (size_t)(k / ML_QK8_0 / 4) * sizeof(MlQ8x4);
	return b;
}

size_t
ml_mul_mat_q_scratch_bytes(MlDtype wtype, int64_t k, int64_t m)
{
	if (k <= 0 || k % 32 != 0 || m <= 0 || row_bytes(wtype, k) == 0)
		return 0;
	return xc_row_bytes(wtype, k) * (size_t)m;
}

/* Conversions with the ConvFn shape. */
static void
conv_q8_0(const float *x, void *y, int64_t n)
{
	ml_quantize_row_q8_0(x, y, n);
}

/* q8_0, then the q8x4 groups (quant_impl.h) for dot_q4_0_q8x4. */
static void
conv_q8x4(const float *x, void *y, int64_t n)
{
	ml_quantize_row_q8_0(x, y, n);
	ml_q8x4_fill(y, n / ML_QK8_0);
}

static void
conv_q8_0_ref(const float *x, void *y, int64_t n)
{
	ml_quantize_row_q8_0_ref(x, y, n);
}

static void
conv_f16(const float *x, void *y, int64_t n)
{
	ml_fp32_to_fp16_row(x, y, n);
}

static void
conv_f16_ref(const float *x, void *y, int64_t n)
{
	ml_fp32_to_fp16_row_ref(x, y, n);
}

static void
conv_bf16(const float *x, void *y, int64_t n)
{
	ml_fp32_to_bf16_row(x, y, n);
}

static void
conv_bf16_ref(const float *x, void *y, int64_t n)
{
	ml_fp32_to_bf16_row_ref(x, y, n);
}

static void
dot_f16(int64_t n, float *s, const void *x, const void *y)
{
	ml_vec_dot_f16(n, s, x, y);
}

static void
dot_f16_ref(int64_t n, float *s, const void *x, const void *y)
{
	ml_vec_dot_f16_ref(n, s, x, y);
}

static void
dot_bf16(int64_t n, float *s, const void *x, const void *y)
{
	ml_vec_dot_bf16(n, s, x, y);
}

static void
dot_bf16_ref(int64_t n, float *s, const void *x, const void *y)
{
	ml_vec_dot_bf16_ref(n, s, x, y);
}

static void
convert_task(void *arg, int i, int nthreads)
{
	Job *j = arg;

	j->conv(j->x + i * j->k, j->xc + (size_t)i * j->xc_row_bytes, j->k);
}

static void
dot_task(void *arg, int task, int nthreads)
{
	Job *j = arg;
	int64_t r0 = task * j->rows_per_task;
	int64_t r1 = r0 + j->rows_per_task < j->n ? r0 + j->rows_per_task : j->n;

	int64_t r = r0;

	if (j->dot2 != NULL)
		for (; r + 2 <= r1; r += 2) {
			const uint8_t *wr = j->w + (size_t)r * j->w_row_bytes;

			for (int64_t i = 0; i < j->m; i++)
				j->dot2(j->k, j->y + i * j->n + r, wr, j->w_row_bytes,
				        j->xc + (size_t)i * j->xc_row_bytes);
		}
	for (; r < r1; r++) {
		const uint8_t *wr = j->w + (size_t)r * j->w_row_bytes;

		for (int64_t i = 0; i < j->m; i++)
			j->dot(j->k, j->y + i * j->n + r, wr, j->xc + (size_t)i * j->xc_row_bytes);
	}
}

static int
setup(const char *fn, Job *j, MlDtype wtype, const void *w, int64_t n, int64_t k, const float *x,
      int64_t m, float *y, int ref, AcErr *err)
{
	const MlQuantKernels *kn = ml_quant_kernels();

	if (w == NULL || x == NULL || y == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil %s", fn, w == NULL ? "w" : x == NULL ? "x" : "y");
	if (row_bytes(wtype, 32) == 0)
		return ac_err_set(err, AC_EDTYPE, "%s: unknown weight type %d", fn, wtype);
	if (n < 1 || m < 1 || m > INT32_MAX || k < 1 || k % 32 != 0)
		return ac_err_set(err, AC_EINVAL,
		                  "%s: w [%lld,%lld] x [%lld,%lld]: want n >= 1, m in 1..2^31-1 and k a positive multiple of 32",
		                  fn, (long long)n, (long long)k, (long long)m, (long long)k);
	*j = (Job){.w = w, .w_row_bytes = row_bytes(wtype, k), .x = x,
	           .xc_row_bytes = xc_row_bytes(wtype, k), .y = y, .n = n, .k = k, .m = m};
	switch (wtype) {
	case ML_Q8_0:
		j->dot = ref ? ml_vec_dot_q8_0_q8_0_ref : kn->dot_q8_0_q8_0;
		j->conv = ref ? conv_q8_0_ref : conv_q8_0;
		break;
	case ML_Q4_0:
		j->dot = ref ? ml_vec_dot_q4_0_q8_0_ref : kn->dot_q4_0_q8_0;
		j->conv = ref ? conv_q8_0_ref : conv_q8_0;
		if (!ref && kn->dot_q4_0_q8x4 != NULL) {
			j->dot = kn->dot_q4_0_q8x4;
			j->dot2 = kn->dot2_q4_0_q8x4;
			j->conv = conv_q8x4;
		}
		break;
	case ML_F16:
		j->dot = ref ? dot_f16_ref : dot_f16;
		j->conv = ref ? conv_f16_ref : conv_f16;
		break;
	default:
		j->dot = ref ? dot_bf16_ref : dot_bf16;
		j->conv = ref ? conv_bf16_ref : conv_bf16;
		break;
	}
	return AC_OK;
}

int
ml_mul_mat_q(MlDtype wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m, float *y,
             void *scratch, size_t scratch_bytes, AcErr *err)
{
	Job j;
	int rc = setup("mul_mat_q", &j, wtype, w, n, k, x, m, y, 0, err);
	void *own = NULL;

	if (rc != AC_OK)
		return rc;
	size_t need = ml_mul_mat_q_scratch_bytes(wtype, k, m);
	if (scratch == NULL) {
		own = aligned_alloc(SCRATCH_ALIGN, need);
		if (own == NULL)
			return ac_err_set(err, AC_ENOMEM, "mul_mat_q: scratch of %zu bytes", need);
		scratch = own;
	} else if (scratch_bytes < need || (uintptr_t)scratch % SCRATCH_ALIGN != 0) {
		return ac_err_set(err, AC_EINVAL,
		                  "mul_mat_q: scratch of %zu bytes at %p: want %zu bytes, %d-aligned",
		                  scratch_bytes, scratch, need, SCRATCH_ALIGN);
	}
	j.xc = scratch;
	/* Two W rows per pass pays with several x rows (batch 64: 1.3-1.7x);
	 * for one x row, streaming two W rows at once measured half the GB/s
	 * of one (bench/quant on an AMD EPYC with AVX-512), so it is not used. */
	if (m == 1)
		j.dot2 = NULL;
	int nth = ml_pool_threads();

	ml_pool_run(m >= 2 * nth ? (int)m : 1, convert_task, &j);
	if (m < 2 * nth)  /* too few rows to share: the caller converts them all */
		for (int64_t i = 1; i < m; i++)
			convert_task(&j, (int)i, 1);
	/* Enough tasks for the faster threads to take more (8 per thread), each
	 * at most 64 rows, so a loaded core does not hold the call up. */
	j.rows_per_task = n / (8 * (int64_t)nth);
	j.rows_per_task = j.rows_per_task < 1 ? 1 : j.rows_per_task > 64 ? 64 : j.rows_per_task;
	int64_t ntasks = (n + j.rows_per_task - 1) / j.rows_per_task;
	if (ntasks > INT32_MAX) {
		j.rows_per_task = (n + INT32_MAX - 1) / INT32_MAX;
		ntasks = (n + j.rows_per_task - 1) / j.rows_per_task;
	}
	ml_pool_run((int)ntasks, dot_task, &j);
	free(own);
	return AC_OK;
}

int
ml_mul_mat_q_ref(MlDtype wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m,
                 float *y, AcErr *err)
{
	Job j;
	int rc = setup("mul_mat_q_ref", &j, wtype, w, n, k, x, m, y, 1, err);

	if (rc != AC_OK)
		return rc;
	size_t need = ml_mul_mat_q_scratch_bytes(wtype, k, m);
	j.xc = aligned_alloc(SCRATCH_ALIGN, need);
	if (j.xc == NULL)
		return ac_err_set(err, AC_ENOMEM, "mul_mat_q_ref: scratch of %zu bytes", need);
	for (int64_t i = 0; i < m; i++)
		convert_task(&j, (int)i, 1);
	j.rows_per_task = n;
	dot_task(&j, 0, 1);
	free(j.xc);
	return AC_OK;
}
