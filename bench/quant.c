/*
 * quant: the quantized kernels against the machine and against OpenBLAS,
 * in the same run.
 *  - read bandwidth, measured here: a 1 GiB buffer summed with AVX2 loads
 *    on every pool thread (the ceiling a matrix-vector product can reach);
 *  - matrix-vector (batch 1), q8_0 and q4_0 weights [n, k] of LLaMA-7B's
 *    shapes: GB/s of weight bytes read and the ratio to the bandwidth (aim:
 *    >= 0.8) of a plain streaming read of the same weight copies, measured
 *    between the matvec's samples (then, in brackets, the ratio to the
 *    1 GiB figure taken at the start).  Several copies of W are cycled so
 *    the weights come from memory, not from the caches;
 *  - matrix-matrix with batch 64: GFLOP/s against cblas_sgemm of the same
 *    shape in f32 (x [64, k] times W^T).
 * ACHERON_SIMD=avx2 (or scalar) caps the kernels' code path.
 * Timing: best of SAMPLES samples on the monotonic clock, each about
 * SAMPLE_NS long.  No assertion: it prints, the reader judges.
 */
#include "base/base.h"
#include "ml/ml.h"

#include <cblas.h>
#include <immintrin.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

enum {
	SAMPLES = 5,
	SAMPLE_NS = 200 * 1000 * 1000,
};

#define BW_BYTES ((size_t)1 << 30)
#define COLD_BYTES ((size_t)384 << 20)  /* weight copies in all, beyond any L3 */

static void *
xalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) / 64 * 64);

	if (p == NULL) {
		fprintf(stderr, "quant: cannot allocate %zu bytes\n", n);
		exit(1);
	}
	return p;
}

/* ---- bandwidth ---- */

typedef struct BwJob {
	const uint8_t *buf;
	size_t len;    /* bytes in all, a multiple of 128 */
	size_t chunk;  /* bytes per task, a multiple of 128 */
	double sums[256];
} BwJob;

__attribute__((target("avx2"))) static void
bw_task(void *arg, int task, int nthreads)
{
	BwJob *j = arg;
	size_t o = (size_t)task * j->chunk, e = o + j->chunk < j->len ? o + j->chunk : j->len;
	const __m256i *p = (const __m256i *)(j->buf + o);
	size_t n = (e - o) / 32;
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;

	for (size_t i = 0; i < n; i += 4) {
		a0 = _mm256_add_epi64(a0, _mm256_load_si256(p + i));
		a1 = _mm256_add_epi64(a1, _mm256_load_si256(p + i + 1));
		a2 = _mm256_add_epi64(a2, _mm256_load_si256(p + i + 2));
		a3 = _mm256_add_epi64(a3, _mm256_load_si256(p + i + 3));
	}
	a0 = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
	j->sums[task % 256] += (double)_mm256_extract_epi64(a0, 0);
}

/* One streaming read of len bytes at buf (64-aligned) on the pool: ns. */
static int64_t
read_pass(const uint8_t *buf, size_t len, size_t chunk)
{
	BwJob j = {.buf = buf, .len = len / 128 * 128, .chunk = chunk};
	int64_t t0 = ac_clock_ns();

	ml_pool_run((int)((j.len + chunk - 1) / chunk), bw_task, &j);
	return ac_clock_ns() - t0;
}

static double
bandwidth(void)
{
	uint8_t *buf = xalloc(BW_BYTES);
	double best = 0;

	memset(buf, 1, BW_BYTES);
	for (int s = 0; s < SAMPLES; s++) {
		double gbs = (double)BW_BYTES / (double)read_pass(buf, BW_BYTES, (size_t)4 << 20);

		best = gbs > best ? gbs : best;
	}
	free(buf);
	return best;
}

/* ---- matrix-vector and matrix-matrix ---- */

static size_t
w_bytes(int wt, int64_t n, int64_t k)
{
	return (size_t)n * (size_t)(k / 32) * (wt == ML_Q8_0 ? 34 : 18);
}

static void
fill(float *x, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (float)((double)(seed >> 11) * 0x1p-53 * 2 - 1);
	}
}

static void
check(int rc, const AcErr *err)
{
	if (rc != AC_OK) {
		fprintf(stderr, "quant: %s\n", err->msg);
		exit(1);
	}
}

static void
matvec(int wt, int64_t n, int64_t k, double bw)
{
	size_t wb = w_bytes(wt, n, k);
	int copies = (int)((COLD_BYTES + wb - 1) / wb);
	uint8_t *w = xalloc(wb * (size_t)copies);
	float *wf = xalloc((size_t)k * 4), *x = xalloc((size_t)k * 4), *y = xalloc((size_t)n * 4);
	size_t sb = ml_mul_mat_q_scratch_bytes(wt, k, 1);
	void *scratch = xalloc(sb);
	double best = 1e30;
	AcErr err;

	for (int64_t r = 0; r < n; r++) {
		fill(wf, (size_t)k, (uint64_t)r + 1);
		if (wt == ML_Q8_0)
			ml_quantize_row_q8_0(wf, (MlBlockQ8_0 *)(w + (size_t)r * (wb / n)), k);
		else
			ml_quantize_row_q4_0(wf, (MlBlockQ4_0 *)(w + (size_t)r * (wb / n)), k);
	}
	for (int c = 1; c < copies; c++)
		memcpy(w + (size_t)c * wb, w, wb);
	fill(x, (size_t)k, 99);
	int64_t one = ac_clock_ns();
	check(ml_mul_mat_q(wt, w, n, k, x, 1, y, scratch, sb, &err), &err);
	one = ac_clock_ns() - one;
	int reps = one > 0 ? (int)(SAMPLE_NS / one) : 100;
	reps = reps < copies ? copies : reps;
	/* Each sample is followed by streaming reads of the same copies, about
	 * as many bytes, so the ratio compares the two at the same moment of a
	 * shared machine (a bandwidth taken once at the start drifted 22-38 GB/s
	 * between runs and gave ratios above 1). */
	int passes = (reps + copies - 1) / copies;
	double best_rd = 1e30;

	for (int s = 0, c = 0; s < SAMPLES; s++) {
		int64_t t0 = ac_clock_ns();

		for (int r = 0; r < reps; r++, c = (c + 1) % copies)
			check(ml_mul_mat_q(wt, w + (size_t)c * wb, n, k, x, 1, y, scratch, sb, &err), &err);
		double t = (double)(ac_clock_ns() - t0) / reps;

		best = t < best ? t : best;
		t0 = ac_clock_ns();
		for (int p = 0; p < passes; p++)
			read_pass(w, wb * (size_t)copies, (size_t)1 << 20);
		t = (double)(ac_clock_ns() - t0) / passes / copies;
		best_rd = t < best_rd ? t : best_rd;
	}
	double rd = wb / best_rd;
	printf("matvec %-5s [%5lld,%5lld] x [%lld]  %6.2f MB  %6.3f ms  %6.2f GB/s  %4.2f of bw %5.2f "
	       "(%4.2f of %.2f)\n",
	       wt == ML_Q8_0 ? "q8_0" : "q4_0", (long long)n, (long long)k, (long long)k, wb / 1e6,
	       best / 1e6, wb / best, wb / best / rd, rd, wb / best / bw, bw);
	free(w);
	free(wf);
	free(x);
	free(y);
	free(scratch);
}

static void
matmat(int64_t m, int64_t n, int64_t k)
{
	float *wf = xalloc((size_t)(n * k) * 4), *x = xalloc((size_t)(m * k) * 4);
	float *y = xalloc((size_t)(m * n) * 4);
	uint8_t *w8 = xalloc(w_bytes(ML_Q8_0, n, k)), *w4 = xalloc(w_bytes(ML_Q4_0, n, k));
	/* one scratch for both types: q4_0's (q8_0 rows and q8x4 groups) is larger */
	size_t sb8 = ml_mul_mat_q_scratch_bytes(ML_Q8_0, k, m), sb4 = ml_mul_mat_q_scratch_bytes(ML_Q4_0, k, m);
	size_t sb = sb8 > sb4 ? sb8 : sb4;
	void *scratch = xalloc(sb);
	double flop = 2.0 * (double)m * (double)n * (double)k, best[3] = {1e30, 1e30, 1e30};
	AcErr err;

	fill(wf, (size_t)(n * k), 1);
	fill(x, (size_t)(m * k), 2);
	for (int64_t r = 0; r < n; r++) {
		ml_quantize_row_q8_0(wf + r * k, (MlBlockQ8_0 *)(w8 + (size_t)r * (size_t)(k / 32) * 34), k);
		ml_quantize_row_q4_0(wf + r * k, (MlBlockQ4_0 *)(w4 + (size_t)r * (size_t)(k / 32) * 18), k);
	}
	/* warm up OpenBLAS's threads and the pool */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1, x, (int)k, wf,
	            (int)k, 0, y, (int)n);
	int64_t one = ac_clock_ns();
	check(ml_mul_mat_q(ML_Q4_0, w4, n, k, x, m, y, scratch, sb, &err), &err);
	one = ac_clock_ns() - one;
	int reps = one > 0 ? (int)(SAMPLE_NS / 2 / one) : 10;
	reps = reps < 1 ? 1 : reps;
	for (int s = 0; s < SAMPLES; s++)
		for (int v = 0; v < 3; v++) {
			int64_t t0 = ac_clock_ns();

			for (int r = 0; r < reps; r++) {
				if (v == 0)
					cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k,
					            1, x, (int)k, wf, (int)k, 0, y, (int)n);
				else
					check(ml_mul_mat_q(v == 1 ? ML_Q8_0 : ML_Q4_0,
					                   v == 1 ? (void *)w8 : (void *)w4, n, k, x, m, y, scratch,
					                   sb, &err),
					      &err);
			}
			double t = (double)(ac_clock_ns() - t0) / reps;

			best[v] = t < best[v] ? t : best[v];
		}
	printf("matmat [%lld,%lld] x [%lld,%lld]^T: sgemm f32 %7.2f GFLOP/s, q8_0 %7.2f (%.2f of sgemm), "
	       "q4_0 %7.2f (%.2f)\n",
	       (long long)m, (long long)k, (long long)n, (long long)k, flop / best[0],
	       flop / best[1], best[0] / best[1], flop / best[2], best[0] / best[2]);
	free(wf);
	free(x);
	free(y);
	free(w8);
	free(w4);
	free(scratch);
}

int
main(void)
{
	int64_t t0 = ac_clock_ns();
	const char *simd = getenv("ACHERON_SIMD");  /* scalar, avx2: cap the path */

	if (simd != NULL && strcmp(simd, "avx2") == 0)
		ml_simd_cap(ML_SIMD_AVX2);
	else if (simd != NULL && strcmp(simd, "scalar") == 0)
		ml_simd_cap(ML_SIMD_SCALAR);
	printf("quant: ml_mul_mat_q, simd %s, %d pool threads; OpenBLAS core %s, %d threads\n",
	       ml_simd_name(ml_simd_level()), ml_pool_threads(), openblas_get_corename(),
	       openblas_get_num_threads());
	double bw = bandwidth();

	printf("read bandwidth (1 GiB, AVX2 loads, %d threads): %.2f GB/s\n", ml_pool_threads(), bw);
	matvec(ML_Q8_0, 4096, 4096, bw);
	matvec(ML_Q4_0, 4096, 4096, bw);
	matvec(ML_Q8_0, 11008, 4096, bw);
	matvec(ML_Q4_0, 11008, 4096, bw);
	matvec(ML_Q8_0, 4096, 11008, bw);
	matvec(ML_Q4_0, 4096, 11008, bw);
	matmat(64, 4096, 4096);
	printf("(%.1f s)\n", (double)(ac_clock_ns() - t0) / 1e9);
	return 0;
}
