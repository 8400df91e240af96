/*
 * conv: GFLOP/s of ml's conv2d (im2col + sgemm) on a ResNet-style layer,
 * x [N, 64, 56, 56] * w [64, 64, 3, 3], padding 1, against cblas_sgemm of
 * the im2col shape it reduces to (per image [64, 576] x [576, 3136]) timed
 * in the same run: the ratio conv/sgemm is the share of the time spent in
 * the product (1.0 would be a free im2col).  N is argv[1] (default 32).
 *
 * Timing: best of SAMPLES samples on the monotonic clock (ac_clock_ns),
 * one call each, conv and sgemm alternating.
 */
#include "base/base.h"
#include "ml/ml.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

enum { SAMPLES = 3, C = 64, O = 64, HW = 56, K = 3 };

static MlTensor *
randn(int ndim, const int64_t *ne, uint64_t seed)
{
	AcErr err;
	MlTensor *t = ml_tensor_randn(ndim, ne, 1, seed, &err);

	if (t == NULL) {
		fprintf(stderr, "conv: %s\n", err.msg);
		exit(1);
	}
	return t;
}

int
main(int argc, char **argv)
{
	int64_t n = argc > 1 ? atoll(argv[1]) : 32;
	int64_t xne[4] = {n, C, HW, HW}, wne[4] = {O, C, K, K};
	int64_t ane[2] = {O, C * K * K}, bne[2] = {C * K * K, HW * HW}, cne[2] = {O, HW * HW};
	MlTensor *x = randn(4, xne, 1), *w = randn(4, wne, 2), *y;
	MlTensor *a = randn(2, ane, 3), *b = randn(2, bne, 4), *c = randn(2, cne, 5);
	MlOpParams p = {.pad = {1, 1, 1, 1}};
	double flop = 2.0 * (double)n * O * HW * HW * C * K * K, best_conv = 1e30, best_gemm = 1e30;
	AcErr err;

	if (n < 1) {
		fprintf(stderr, "conv: batch %s, want >= 1\n", argv[1]);
		return 2;
	}
	y = ml_op(ML_OP_CONV, (MlTensor *[]){x, w, NULL}, &p, &err); /* warm up */
	if (y == NULL) {
		fprintf(stderr, "conv: %s\n", err.msg);
		return 1;
	}
	for (int s = 0; s < SAMPLES; s++) {
		int64_t t0 = ac_clock_ns();
		if (ml_op_into(ML_OP_CONV, y, (MlTensor *[]){x, w, NULL}, &p, &err) != AC_OK) {
			fprintf(stderr, "conv: %s\n", err.msg);
			return 1;
		}
		int64_t t1 = ac_clock_ns();
		for (int64_t i = 0; i < n; i++)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, O, HW * HW, C * K * K, 1,
			            ML_F32(a), C * K * K, ML_F32(b), HW * HW, 0, ML_F32(c), HW * HW);
		int64_t t2 = ac_clock_ns();
		best_conv = (double)(t1 - t0) < best_conv ? (double)(t1 - t0) : best_conv;
		best_gemm = (double)(t2 - t1) < best_gemm ? (double)(t2 - t1) : best_gemm;
	}
	printf("conv: conv2d vs sgemm of its im2col shape, best of %d, OpenBLAS core %s, %d threads\n",
	       SAMPLES, openblas_get_corename(), openblas_get_num_threads());
	printf("%-34s %10s %10s %6s\n", "case", "conv GF/s", "sgemm GF/s", "ratio");
	printf("[%lld,%d,%d,%d] * [%d,%d,%d,%d] pad 1   %10.2f %10.2f %6.3f\n", (long long)n, C, HW,
	       HW, O, C, K, K, flop / best_conv, flop / best_gemm, best_gemm / best_conv);
	MlTensor *ms[] = {x, w, y, a, b, c};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		ml_tensor_unref(ms[i]);
	return 0;
}
