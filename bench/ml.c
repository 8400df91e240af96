/*
 * make bench-ml: ml/'s f32 matmul against a direct cblas_sgemm of the same
 * shape (target >= 0.95), and element-wise add and softmax over 64 MiB into
 * preallocated outputs against memcpy's bandwidth (target >= 0.7), each
 * reference timed in the same run.  Prints openblas_get_corename() and
 * the SIMD level the kernels chose.  Not a test: it never fails on a ratio.
 *   build/bench/ml [REPS]
 */
#include "ml/ml.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *openblas_get_corename(void);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static MlTensor *
randt(int nd, const int64_t *ne)
{
	MlTensor *t = ml_tensor_empty(ML_F32, nd, ne, NULL);
	float *f;

	if (t == NULL) {
		fprintf(stderr, "bench/ml: out of memory\n");
		exit(1);
	}
	f = ML_F32(t);
	for (int64_t i = 0; i < ml_tensor_numel(t); i++)
		f[i] = (float)((i * 2654435761u % 1000) / 500.0 - 1.0);
	return t;
}

/* Best of reps timings of fn. */
#define BEST(reps, secs, body)                                                  \
	do {                                                                    \
		secs = 1e30;                                                    \
		for (int r_ = 0; r_ < (reps); r_++) {                            \
			double t0_ = now();                                     \
			body;                                                   \
			double d_ = now() - t0_;                                \
			if (d_ < secs)                                          \
				secs = d_;                                      \
		}                                                               \
	} while (0)

int
main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	AcErr err;
	double ts, tm;

	if (reps < 1)
		reps = 1;
	printf("ml bench: openblas core %s, kernels %s, %d pool threads, best of %d\n",
	       openblas_get_corename(), ml_simd_name(ml_simd_level()), ml_pool_threads(), reps);
	printf("%-28s %12s %12s %8s\n", "case", "ml", "reference", "ratio");
	for (int64_t n = 256; n <= 2048; n *= 2) {
		int64_t ne[2] = {n, n};
		MlTensor *a = randt(2, ne), *b = randt(2, ne), *c = randt(2, ne), *in[2] = {a, b};
		int r = n >= 2048 ? (reps + 1) / 2 : reps;
		double gf = 2.0 * (double)n * (double)n * (double)n / 1e9;

		BEST(r, tm, if (ml_op_into(ML_OP_MATMUL, c, in, NULL, &err) != AC_OK) {
			fprintf(stderr, "bench/ml: %s\n", err.msg);
			return 1;
		});
		BEST(r, ts, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n,
		                        1, ML_F32(a), (int)n, ML_F32(b), (int)n, 0, ML_F32(c), (int)n));
		printf("matmul f32 %-17lld %8.1f GF/s %8.1f GF/s %8.3f\n", (long long)n, gf / tm, gf / ts,
		       ts / tm);
		ml_tensor_unref(a);
		ml_tensor_unref(b);
		ml_tensor_unref(c);
	}
	{
		/* 64 MiB of f32 per operand */
		int64_t ne[2] = {4096, 4096};
		MlTensor *a = randt(2, ne), *b = randt(2, ne), *c = randt(2, ne), *in[2] = {a, b};
		size_t bytes = ml_tensor_nbytes(a);
		MlOpParams sp = {.axis = -1};
		double tc, ta, tsm;

		BEST(reps, tc, memcpy(ML_F32(c), ML_F32(a), bytes));
		BEST(reps, ta, ml_op_into(ML_OP_ADD, c, in, NULL, &err));
		BEST(reps, tsm, ml_op_into(ML_OP_SOFTMAX, c, in, &sp, &err));
		/* bandwidth: memcpy and softmax move 2 x 64 MiB, add 3 x 64 MiB */
		double bw = 2.0 * (double)bytes / tc;
		printf("%-28s %8.2f GB/s %8.2f GB/s %8.3f\n", "add f32 64 MiB", 3.0 * (double)bytes / ta / 1e9,
		       bw / 1e9, 3.0 * (double)bytes / ta / bw);
		printf("%-28s %8.2f GB/s %8.2f GB/s %8.3f\n", "softmax f32 64 MiB (rows 4096)",
		       2.0 * (double)bytes / tsm / 1e9, bw / 1e9, 2.0 * (double)bytes / tsm / bw);
		ml_tensor_unref(a);
		ml_tensor_unref(b);
		ml_tensor_unref(c);
	}
	return 0;
}
