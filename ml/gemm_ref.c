/* The scalar twin of ml_gemm: plain loops, dot products in double. */
#include "ml/ml_impl.h"

int
ml_gemm_ref(MlTensor *c, const MlTensor *a, const MlTensor *b, int transa, int transb,
            float alpha, float beta, AcErr *err)
{
	int64_t m = 0, n = 0, k = 0;
	int rc = ml_gemm_check("gemm_ref", c, a, b, transa, transb, &m, &n, &k, err);
	int64_t lda, ldb;

	if (rc != AC_OK)
		return rc;
	lda = ml_tensor_cols(a);
	ldb = ml_tensor_cols(b);
	for (int64_t i = 0; i < m; i++) {
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			float *cij = &ML_F32(c)[i * n + j];

			for (int64_t p = 0; p < k; p++) {
				float aip = transa ? ML_F32(a)[p * lda + i] : ML_F32(a)[i * lda + p];
				float bpj = transb ? ML_F32(b)[j * ldb + p] : ML_F32(b)[p * ldb + j];

				s += (double)aip * bpj;
			}
			s *= alpha;
			if (beta != 0)
				s += (double)beta * *cij;
			*cij = (float)s;
		}
	}
	return AC_OK;
}
