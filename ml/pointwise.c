/* Element-wise and row kernels: bias add and its gradient, ReLU and its
 * gradient, scaling.  Plain loops over contiguous rows that gcc -O2
 * vectorises. */
#include "ml/ml_impl.h"

/* Checks that row is one row of cols(m): [1, C] against [N, C]. */
static int
check_row(const char *fn, const char *rn, const MlTensor *row, const char *mn,
          const MlTensor *m, AcErr *err)
{
	char rs[ML_SHAPE_BYTES], ms[ML_SHAPE_BYTES];

	if (row == NULL || m == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor %s", fn, row == NULL ? rn : mn);
	{
		int rc;
		if ((rc = ml_check_f32(fn, rn, row, err)) != AC_OK || (rc = ml_check_f32(fn, mn, m, err)) != AC_OK)
			return rc;
	}
	if (ml_tensor_rows(row) != 1 || ml_tensor_cols(row) != ml_tensor_cols(m))
		return ac_err_set(err, AC_ESHAPE, "%s: %s %s is not one row of %s %s", fn, rn,
		                  ml_shape_fmt(row, rs), mn, ml_shape_fmt(m, ms));
	return AC_OK;
}

int
ml_add_row(MlTensor *y, const MlTensor *b, AcErr *err)
{
	int rc = check_row("add_row", "b", b, "y", y, err);
	int64_t n, c;

	if (rc != AC_OK)
		return rc;
	n = ml_tensor_rows(y);
	c = ml_tensor_cols(y);
	for (int64_t i = 0; i < n; i++) {
		float *restrict yi = ML_F32(y) + i * c;
		const float *restrict bj = ML_F32(b);

		for (int64_t j = 0; j < c; j++)
			yi[j] += bj[j];
	}
	return AC_OK;
}

int
ml_sum_rows(MlTensor *db, const MlTensor *dy, float beta, AcErr *err)
{
	int rc = check_row("sum_rows", "db", db, "dy", dy, err);
	int64_t n, c;

	if (rc != AC_OK)
		return rc;
	n = ml_tensor_rows(dy);
	c = ml_tensor_cols(dy);
	for (int64_t j = 0; j < c; j++) {
		double s = beta != 0 ? (double)beta * ML_F32(db)[j] : 0;

		for (int64_t i = 0; i < n; i++)
			s += ML_F32(dy)[i * c + j];
		ML_F32(db)[j] = (float)s;
	}
	return AC_OK;
}

int
ml_relu(MlTensor *y, const MlTensor *x, AcErr *err)
{
	int rc = ml_check_agree("relu", "y", y, "x", x, err);
	int64_t n;

	if (rc != AC_OK)
		return rc;
	n = ml_tensor_numel(x);
	for (int64_t i = 0; i < n; i++)
		ML_F32(y)[i] = ML_F32(x)[i] > 0 ? ML_F32(x)[i] : 0;
	return AC_OK;
}

int
ml_relu_grad(MlTensor *dx, const MlTensor *dy, const MlTensor *x, AcErr *err)
{
	int rc = ml_check_agree("relu_grad", "dx", dx, "dy", dy, err);
	int64_t n;

	if (rc == AC_OK)
		rc = ml_check_agree("relu_grad", "dy", dy, "x", x, err);
	if (rc != AC_OK)
		return rc;
	n = ml_tensor_numel(x);
	for (int64_t i = 0; i < n; i++)
		ML_F32(dx)[i] = ML_F32(x)[i] > 0 ? ML_F32(dy)[i] : 0;
	return AC_OK;
}

int
ml_scale(MlTensor *t, float a, AcErr *err)
{
	int64_t n;

	int rc = ml_check_f32("scale", "t", t, err);

	if (rc != AC_OK)
		return rc;
	n = ml_tensor_numel(t);
	for (int64_t i = 0; i < n; i++)
		ML_F32(t)[i] *= a;
	return AC_OK;
}
