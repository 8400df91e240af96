/* Matrix multiply through OpenBLAS, and the operand checks gemm shares with
 * its scalar twin. */
#include "ml/ml_impl.h"

#include <cblas.h>

int
ml_gemm_check(const char *fn, const MlTensor *c, const MlTensor *a, const MlTensor *b,
              int transa, int transb, int64_t *m, int64_t *n, int64_t *k, AcErr *err)
{
	char as[ML_SHAPE_BYTES], bs[ML_SHAPE_BYTES], cs[ML_SHAPE_BYTES];
	int64_t ka, kb;
	const char *ta = transa ? " (transposed)" : "";
	const char *tb = transb ? " (transposed)" : "";

	if (c == NULL || a == NULL || b == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor %s", fn,
		                  c == NULL ? "c" : a == NULL ? "a" : "b");
	if ((ka = ml_check_f32(fn, "c", c, err)) != AC_OK || (ka = ml_check_f32(fn, "a", a, err)) != AC_OK ||
	    (ka = ml_check_f32(fn, "b", b, err)) != AC_OK)
		return (int)ka;
	if (c == a || c == b || c->storage == a->storage || c->storage == b->storage)
		return ac_err_set(err, AC_EINVAL, "%s: c is the same tensor as %s", fn,
		                  c == a ? "a" : "b");
	*m = transa ? ml_tensor_cols(a) : ml_tensor_rows(a);
	ka = transa ? ml_tensor_rows(a) : ml_tensor_cols(a);
	kb = transb ? ml_tensor_cols(b) : ml_tensor_rows(b);
	*n = transb ? ml_tensor_rows(b) : ml_tensor_cols(b);
	*k = ka;
	if (ka != kb)
		return ac_err_set(err, AC_ESHAPE, "%s: a %s%s and b %s%s do not agree", fn,
		                  ml_shape_fmt(a, as), ta, ml_shape_fmt(b, bs), tb);
	if (ml_tensor_rows(c) != *m || ml_tensor_cols(c) != *n)
		return ac_err_set(err, AC_ESHAPE,
		                  "%s: c %s does not hold a %s%s times b %s%s = [%lld,%lld]", fn,
		                  ml_shape_fmt(c, cs), ml_shape_fmt(a, as), ta, ml_shape_fmt(b, bs),
		                  tb, (long long)*m, (long long)*n);
	return AC_OK;
}

int
ml_gemm(MlTensor *c, const MlTensor *a, const MlTensor *b, int transa, int transb,
        float alpha, float beta, AcErr *err)
{
	int64_t m = 0, n = 0, k = 0;
	int rc = ml_gemm_check("gemm", c, a, b, transa, transb, &m, &n, &k, err);

	if (rc != AC_OK)
		return rc;
	const MlBlas *bl = ml_blas(err);
	if (bl == NULL)
		return AC_EDEVICE;
	/* Every extent is at most ML_TENSOR_MAX_NUMEL, so fits BLAS's int. */
	bl->sgemm(CblasRowMajor, transa ? CblasTrans : CblasNoTrans, transb ? CblasTrans : CblasNoTrans,
	          (int)m, (int)n, (int)k, alpha, ML_F32(a), (int)ml_tensor_cols(a), ML_F32(b),
	          (int)ml_tensor_cols(b), beta, ML_F32(c), (int)n);
	return AC_OK;
}
