/*
 * matmul: GFLOP/s of ml_gemm against a direct cblas_sgemm call on the same
 * operands, in the same run, at the sizes a Fashion-MNIST MLP trains with
 * (batch 64, 784-256-128-10) and at 1024^3.  The ratio ml/cblas should be
 * >= 0.95: ml_gemm adds only its shape checks.
 *
 * Timing: best of SAMPLES samples on the monotonic clock (ac_clock_ns); a
 * sample repeats the call enough times to last about SAMPLE_NS, and ml and
 * cblas samples alternate so both see the same machine.
 */
#include "base/base.h"
#include "ml/ml.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

/* OpenBLAS extensions; declared here in case cblas.h is another vendor's. */
char *openblas_get_corename(void);
int openblas_get_num_threads(void);

enum {
	SAMPLES = 7,
	SAMPLE_NS = 20 * 1000 * 1000,
};

typedef struct Case {
	const char *what;   /* the training step it stands for */
	int64_t m, n, k;    /* c: [m, n], inner dimension k */
	int transa, transb;
} Case;

static const Case cases[] = {
	{"fc1 forward", 64, 256, 784, 0, 0},
	{"fc2 forward", 64, 128, 256, 0, 0},
	{"fc1 dW = x'dy", 784, 256, 64, 1, 0},
	{"fc2 dx = dy W'", 64, 256, 128, 0, 1},
	{"square", 1024, 1024, 1024, 0, 0},
};

static MlTensor *
randn2(int64_t rows, int64_t cols, uint64_t seed)
{
	int64_t shape[2] = {rows, cols};
	AcErr err;
	MlTensor *t = ml_tensor_randn(2, shape, 1, seed, &err);

	if (t == NULL) {
		fprintf(stderr, "matmul: %s\n", err.msg);
		exit(1);
	}
	return t;
}

/* Seconds per call of one sample of reps calls. */
static double
sample(int use_ml, const Case *cs, MlTensor *c, MlTensor *a, MlTensor *b, int reps)
{
	int64_t t0 = ac_clock_ns();

	for (int r = 0; r < reps; r++) {
		if (use_ml) {
			AcErr err;

			if (ml_gemm(c, a, b, cs->transa, cs->transb, 1, 0, &err) != AC_OK) {
				fprintf(stderr, "matmul: %s\n", err.msg);
				exit(1);
			}
		} else {
			cblas_sgemm(CblasRowMajor, cs->transa ? CblasTrans : CblasNoTrans,
			            cs->transb ? CblasTrans : CblasNoTrans, (int)cs->m, (int)cs->n,
			            (int)cs->k, 1, ML_F32(a), (int)ml_tensor_cols(a), ML_F32(b),
			            (int)ml_tensor_cols(b), 0, ML_F32(c), (int)cs->n);
		}
	}
	return (double)(ac_clock_ns() - t0) / 1e9 / reps;
}

int
main(void)
{
	printf("matmul: ml_gemm vs cblas_sgemm, best of %d, OpenBLAS core %s, %d threads\n",
	       SAMPLES, openblas_get_corename(), openblas_get_num_threads());
	printf("%-16s %5s %5s %5s %3s  %10s %10s %6s\n", "case", "M", "N", "K", "op",
	       "ml GF/s", "cblas GF/s", "ratio");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const Case *cs = &cases[i];
		MlTensor *a = cs->transa ? randn2(cs->k, cs->m, 1) : randn2(cs->m, cs->k, 1);
		MlTensor *b = cs->transb ? randn2(cs->n, cs->k, 2) : randn2(cs->k, cs->n, 2);
		MlTensor *c = randn2(cs->m, cs->n, 3);
		double flop = 2.0 * cs->m * cs->n * cs->k, best_ml = 1e30, best_ref = 1e30, one;
		int reps;

		sample(1, cs, c, a, b, 1);  /* warm caches and OpenBLAS threads */
		one = sample(0, cs, c, a, b, 1);
		reps = one > 0 ? (int)(SAMPLE_NS / 1e9 / one) : 1000;
		reps = reps < 1 ? 1 : reps > 100000 ? 100000 : reps;
		for (int s = 0; s < SAMPLES; s++) {
			double tm = sample(1, cs, c, a, b, reps), tr = sample(0, cs, c, a, b, reps);

			best_ml = tm < best_ml ? tm : best_ml;
			best_ref = tr < best_ref ? tr : best_ref;
		}
		printf("%-16s %5lld %5lld %5lld %c%c   %10.2f %10.2f %6.3f\n", cs->what,
		       (long long)cs->m, (long long)cs->n, (long long)cs->k, cs->transa ? 'T' : 'N',
		       cs->transb ? 'T' : 'N', flop / best_ml / 1e9, flop / best_ref / 1e9,
		       best_ref / best_ml);
		ml_tensor_unref(a);
		ml_tensor_unref(b);
		ml_tensor_unref(c);
	}
	return 0;
}
