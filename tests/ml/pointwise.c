/* ml element-wise and row kernels: add_row, sum_rows, relu, relu_grad,
 * scale; relu's gradient against central differences. */
#include "tests/ml/mltest.h"

static void
test_add_row(void **state)
{
	const float y0[4] = {1, 2, 3, 4}, b0[2] = {10, 20}, want[4] = {11, 22, 13, 24};
	MlTensor *y = mat(2, 2, y0), *b = mat(1, 2, b0), *bad = mat(2, 3, NULL);
	AcErr err;

	assert_int_equal(ml_add_row(y, b, &err), AC_OK);
	assert_all_close(y, want, 0, 0);
	assert_err(ml_add_row(y, bad, &err), err, AC_ESHAPE,
	           "add_row: b [2,3] is not one row of y [2,2]");
	assert_err(ml_add_row(NULL, b, &err), err, AC_EINVAL, "add_row: nil tensor y");
	ml_tensor_unref(y);
	ml_tensor_unref(b);
	ml_tensor_unref(bad);
}

static void
test_sum_rows(void **state)
{
	const float dy0[6] = {1, 2, 3, 4, 5, 6}, db0[2] = {2, 2};
	const float want_acc[2] = {10, 13}, want[2] = {9, 12};
	MlTensor *dy = mat(3, 2, dy0), *db = mat(1, 2, db0), *bad = mat(1, 3, NULL);
	AcErr err;

	assert_int_equal(ml_sum_rows(db, dy, 0.5f, &err), AC_OK);
	assert_all_close(db, want_acc, 0, 0);
	ML_F32(db)[0] = NAN;  /* beta 0 overwrites */
	assert_int_equal(ml_sum_rows(db, dy, 0, &err), AC_OK);
	assert_all_close(db, want, 0, 0);
	assert_err(ml_sum_rows(bad, dy, 0, &err), err, AC_ESHAPE,
	           "sum_rows: db [1,3] is not one row of dy [3,2]");
	ml_tensor_unref(dy);
	ml_tensor_unref(db);
	ml_tensor_unref(bad);
}

static void
test_relu(void **state)
{
	const float x0[4] = {-1, 0, 2, -3.5f}, want[4] = {0, 0, 2, 0};
	MlTensor *x = mat(2, 2, x0), *y = mat(2, 2, NULL), *bad = mat(1, 4, NULL);
	AcErr err;

	assert_int_equal(ml_relu(y, x, &err), AC_OK);
	assert_all_close(y, want, 0, 0);
	assert_int_equal(ml_relu(x, x, &err), AC_OK);  /* in place */
	assert_all_close(x, want, 0, 0);
	assert_err(ml_relu(y, bad, &err), err, AC_ESHAPE, "relu: y [2,2] and x [1,4] do not agree");
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(bad);
}

static void
test_relu_grad(void **state)
{
	const float dy0[4] = {1, 2, 3, 4}, x0[4] = {-1, 0, 2, 5}, want[4] = {0, 0, 3, 4};
	MlTensor *dy = mat(2, 2, dy0), *x = mat(2, 2, x0), *dx = mat(2, 2, NULL);
	MlTensor *bad = mat(4, 1, NULL);
	AcErr err;

	assert_int_equal(ml_relu_grad(dx, dy, x, &err), AC_OK);
	assert_all_close(dx, want, 0, 0);
	assert_int_equal(ml_relu_grad(dy, dy, x, &err), AC_OK);  /* in place */
	assert_all_close(dy, want, 0, 0);
	assert_err(ml_relu_grad(dx, dy, bad, &err), err, AC_ESHAPE,
	           "relu_grad: dy [2,2] and x [4,1] do not agree");
	assert_err(ml_relu_grad(bad, dy, x, &err), err, AC_ESHAPE,
	           "relu_grad: dx [4,1] and dy [2,2] do not agree");
	ml_tensor_unref(dy);
	ml_tensor_unref(x);
	ml_tensor_unref(dx);
	ml_tensor_unref(bad);
}

/* f(x) = sum w * relu(x), in double from relu's f32 output. */
static double
relu_objective(MlTensor *y, const MlTensor *x, const MlTensor *w)
{
	double f = 0;

	assert_int_equal(ml_relu(y, x, NULL), AC_OK);
	for (int64_t i = 0; i < ml_tensor_numel(y); i++)
		f += (double)ML_F32(w)[i] * ML_F32(y)[i];
	return f;
}

static void
test_relu_grad_finite_diff(void **state)
{
	int64_t shape[2] = {5, 7};
	MlTensor *x = ml_tensor_randn(2, shape, 1, 3, NULL);
	MlTensor *w = ml_tensor_randn(2, shape, 1, 4, NULL);
	MlTensor *y = mat(5, 7, NULL), *dx = mat(5, 7, NULL);
	const float h = 1e-3f;

	/* Keep every x at least 2h from the kink at 0. */
	for (int i = 0; i < 35; i++)
		if (fabsf(ML_F32(x)[i]) < 4 * h)
			ML_F32(x)[i] = ML_F32(x)[i] < 0 ? -0.5f : 0.5f;
	assert_int_equal(ml_relu_grad(dx, w, x, NULL), AC_OK);
	for (int i = 0; i < 35; i++) {
		float x0 = ML_F32(x)[i], xp = x0 + h, xm = x0 - h;
		double fp, fm;

		ML_F32(x)[i] = xp;
		fp = relu_objective(y, x, w);
		ML_F32(x)[i] = xm;
		fm = relu_objective(y, x, w);
		ML_F32(x)[i] = x0;
		assert_close(ML_F32(dx)[i], (fp - fm) / ((double)xp - xm), 1e-3, 1e-3);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(w);
	ml_tensor_unref(y);
	ml_tensor_unref(dx);
}

static void
test_scale(void **state)
{
	const float t0[3] = {1, -2, 0.5f}, want[3] = {3, -6, 1.5f};
	MlTensor *t = mat(1, 3, t0);
	AcErr err;

	assert_int_equal(ml_scale(t, 3, &err), AC_OK);
	assert_all_close(t, want, 0, 0);
	assert_err(ml_scale(NULL, 3, &err), err, AC_EINVAL, "scale: nil tensor t");
	ml_tensor_unref(t);
}

TEST_MAIN("ml/pointwise",
          cmocka_unit_test(test_add_row),
          cmocka_unit_test(test_sum_rows),
          cmocka_unit_test(test_relu),
          cmocka_unit_test(test_relu_grad),
          cmocka_unit_test(test_relu_grad_finite_diff),
          cmocka_unit_test(test_scale))
