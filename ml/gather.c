/* Row gather: copies a shuffled mini-batch out of a data set. */
#include "ml/ml_impl.h"

#include <string.h>

int
ml_gather_rows(MlTensor *out, const MlTensor *src, const int32_t *idx, int64_t nidx,
               int64_t start, AcErr *err)
{
	char os[ML_SHAPE_BYTES], ss[ML_SHAPE_BYTES];
	int64_t b, r, c;

	if (out == NULL || src == NULL || idx == NULL)
		return ac_err_set(err, AC_EINVAL, "gather_rows: nil %s",
		                  out == NULL ? "out" : src == NULL ? "src" : "idx");
	{
		int rc;
		if ((rc = ml_check_f32("gather_rows", "out", out, err)) != AC_OK ||
		    (rc = ml_check_f32("gather_rows", "src", src, err)) != AC_OK)
			return rc;
	}
	b = ml_tensor_rows(out);
	r = ml_tensor_rows(src);
	c = ml_tensor_cols(src);
	if (ml_tensor_cols(out) != c)
		return ac_err_set(err, AC_ESHAPE, "gather_rows: out %s and src %s do not agree",
		                  ml_shape_fmt(out, os), ml_shape_fmt(src, ss));
	if (start < 0 || nidx < 0 || start > nidx || b > nidx - start)
		return ac_err_set(err, AC_ERANGE,
		                  "gather_rows: start %lld + %lld rows exceeds %lld indices",
		                  (long long)start, (long long)b, (long long)nidx);
	for (int64_t i = 0; i < b; i++) {
		int32_t k = idx[start + i];

		if (k < 0 || k >= r)
			return ac_err_set(err, AC_ERANGE,
			                  "gather_rows: idx[%lld] = %d is outside src rows 0..%lld",
			                  (long long)(start + i), (int)k, (long long)(r - 1));
	}
	for (int64_t i = 0; i < b; i++)
		memcpy(ML_F32(out) + i * c, ML_F32(src) + (int64_t)idx[start + i] * c,
		       (size_t)c * sizeof(float));
	return AC_OK;
}
