/* ml_softmax_xent and ml_correct: hand values, stability, the gradient
 * against central differences, label checks. */
#include "tests/ml/mltest.h"

static void
test_xent_hand(void **state)
{
	const float x0[6] = {1, 2, 3, 0, 0, 0}, y0[2] = {2, 0};
	/* softmax([1,2,3]) = [0.0900305732 0.244728471 0.665240956];
	 * loss = (logsumexp([1,2,3]) - 3 + ln 3) / 2. */
	const float want[6] = {0.0450152866f, 0.122364236f, -0.167379522f,
	                       -1.0f / 3, 1.0f / 6, 1.0f / 6};
	MlTensor *x = mat(2, 3, x0), *y = mat(2, 1, y0), *d = mat(2, 3, NULL);
	double loss = -1;

	assert_int_equal(ml_softmax_xent(d, x, y, &loss, NULL), AC_OK);
	assert_close(loss, 0.753109127, 1e-8, 1e-8);
	assert_all_close(d, want, 1e-7, 1e-6);
	loss = -1;
	assert_int_equal(ml_softmax_xent(NULL, x, y, &loss, NULL), AC_OK);  /* loss only */
	assert_close(loss, 0.753109127, 1e-8, 1e-8);
	assert_int_equal(ml_softmax_xent(x, x, y, &loss, NULL), AC_OK);  /* in place */
	assert_all_close(x, want, 1e-7, 1e-6);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(d);
}

static void
test_xent_two_equal(void **state)
{
	const float x0[2] = {0, 0}, y0[1] = {0}, want[2] = {-0.5f, 0.5f};
	MlTensor *x = mat(1, 2, x0), *d = mat(1, 2, NULL);
	int64_t ys[1] = {1};
	MlTensor *y = ml_tensor_new(1, ys, NULL);  /* labels as [N] */
	double loss;

	ML_F32(y)[0] = y0[0];
	assert_int_equal(ml_softmax_xent(d, x, y, &loss, NULL), AC_OK);
	assert_close(loss, log(2.0), 1e-12, 0);
	assert_all_close(d, want, 0, 1e-7);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(d);
}

static void
test_xent_stable(void **state)
{
	const float x0[4] = {1000, 0, -1000, -1000}, y0[2] = {1, 0};
	/* Row 0: loss 1000, softmax [1, 0]; row 1: loss ln 2, softmax [.5, .5]. */
	const float want[4] = {0.5f, -0.5f, -0.25f, 0.25f};
	MlTensor *x = mat(2, 2, x0), *y = mat(2, 1, y0), *d = mat(2, 2, NULL);
	double loss;

	assert_int_equal(ml_softmax_xent(d, x, y, &loss, NULL), AC_OK);
	assert_close(loss, (1000 + log(2.0)) / 2, 1e-9, 1e-12);
	assert_all_close(d, want, 1e-7, 0);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(d);
}

static void
test_xent_finite_diff(void **state)
{
	enum { N = 4, C = 5 };
	int64_t shape[2] = {N, C};
	MlTensor *x = ml_tensor_randn(2, shape, 2, 11, NULL);
	MlTensor *d = mat(N, C, NULL);
	const float y0[N] = {0, 4, 2, 2};
	MlTensor *y = mat(N, 1, y0);
	const float h = 1e-2f;
	double loss;

	assert_int_equal(ml_softmax_xent(d, x, y, &loss, NULL), AC_OK);
	for (int i = 0; i < N * C; i++) {
		float x0 = ML_F32(x)[i], xp = x0 + h, xm = x0 - h;
		double fp, fm;

		ML_F32(x)[i] = xp;
		assert_int_equal(ml_softmax_xent(NULL, x, y, &fp, NULL), AC_OK);
		ML_F32(x)[i] = xm;
		assert_int_equal(ml_softmax_xent(NULL, x, y, &fm, NULL), AC_OK);
		ML_F32(x)[i] = x0;
		/* Central difference: error O(h^2) ~ 1e-5 here. */
		assert_close(ML_F32(d)[i], (fp - fm) / ((double)xp - xm), 2e-5, 1e-3);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(d);
}

static void
test_xent_errors(void **state)
{
	const float x0[6] = {0};
	const float bad3[2] = {0, 3}, badneg[2] = {-1, 0}, badfrac[2] = {1.5f, 0}, badnan[2] = {0, NAN};
	MlTensor *x = mat(2, 3, x0), *d = mat(2, 3, NULL), *y = mat(2, 1, NULL);
	MlTensor *y2 = mat(2, 2, NULL), *d2 = mat(3, 2, NULL);
	AcErr err;
	double loss;

	memcpy(ML_F32(y), bad3, sizeof bad3);
	ML_F32(d)[0] = 42;
	assert_err(ml_softmax_xent(d, x, y, &loss, &err), err, AC_EINVAL,
	           "softmax_xent: labels[1] = 3 is not a class in 0..2");
	assert_close(ML_F32(d)[0], 42, 0, 0);  /* nothing written */
	memcpy(ML_F32(y), badneg, sizeof badneg);
	assert_err(ml_softmax_xent(d, x, y, &loss, &err), err, AC_EINVAL,
	           "softmax_xent: labels[0] = -1 is not a class in 0..2");
	memcpy(ML_F32(y), badfrac, sizeof badfrac);
	assert_err(ml_softmax_xent(d, x, y, &loss, &err), err, AC_EINVAL,
	           "softmax_xent: labels[0] = 1.5 is not a class in 0..2");
	memcpy(ML_F32(y), badnan, sizeof badnan);
	assert_err(ml_softmax_xent(d, x, y, &loss, &err), err, AC_EINVAL,
	           "softmax_xent: labels[1] = nan is not a class in 0..2");
	assert_err(ml_softmax_xent(d, x, y2, &loss, &err), err, AC_ESHAPE,
	           "softmax_xent: labels [2,2] do not match logits [2,3] (want [2,1])");
	memset(ML_F32(y), 0, 2 * sizeof(float));
	assert_err(ml_softmax_xent(d2, x, y, &loss, &err), err, AC_ESHAPE,
	           "softmax_xent: dlogits [3,2] and logits [2,3] do not agree");
	assert_err(ml_correct(x, y2, NULL, &err), err, AC_ESHAPE,
	           "correct: labels [2,2] do not match logits [2,3] (want [2,1])");
	ml_tensor_unref(x);
	ml_tensor_unref(d);
	ml_tensor_unref(y);
	ml_tensor_unref(y2);
	ml_tensor_unref(d2);
}

static void
test_correct(void **state)
{
	/* Row 0 argmax 1 (hit), row 1 argmax 0 (miss), row 2 a tie: first wins (hit). */
	const float x0[9] = {1, 3, 2, 5, 0, 0, 0, 0, 0}, y0[3] = {1, 1, 0};
	MlTensor *x = mat(3, 3, x0), *y = mat(3, 1, y0);
	int64_t count = -1;
	AcErr err;

	assert_int_equal(ml_correct(x, y, &count, &err), AC_OK);
	assert_int_equal(count, 2);
	ML_F32(y)[2] = 9;
	assert_err(ml_correct(x, y, &count, &err), err, AC_EINVAL,
	           "correct: labels[2] = 9 is not a class in 0..2");
	ml_tensor_unref(x);
	ml_tensor_unref(y);
}

TEST_MAIN("ml/loss",
          cmocka_unit_test(test_xent_hand),
          cmocka_unit_test(test_xent_two_equal),
          cmocka_unit_test(test_xent_stable),
          cmocka_unit_test(test_xent_finite_diff),
          cmocka_unit_test(test_xent_errors),
          cmocka_unit_test(test_correct))
