/* ml_sgd and ml_adam: single steps against hand-computed numbers. */
#include "tests/ml/mltest.h"

static void
test_sgd_step(void **state)
{
	const float p0[2] = {1, 2}, g0[2] = {0.5f, -1}, v0[2] = {0.1f, 0.2f};
	/* v = 0.9 v + g = [0.59, -0.82]; p -= 0.1 v. */
	const float want_v[2] = {0.59f, -0.82f}, want_p[2] = {0.941f, 2.082f};
	MlTensor *p = mat(1, 2, p0), *g = mat(1, 2, g0), *v = mat(1, 2, v0);

	assert_int_equal(ml_sgd(p, g, v, 0.1, 0.9, NULL), AC_OK);
	assert_all_close(v, want_v, 1e-7, 1e-6);
	assert_all_close(p, want_p, 1e-7, 1e-6);
	ml_tensor_unref(p);
	ml_tensor_unref(g);
	ml_tensor_unref(v);
}

static void
test_sgd_plain(void **state)
{
	const float p0[3] = {1, 2, 3}, g0[3] = {1, -1, 10}, want[3] = {0.5f, 2.5f, -2};
	MlTensor *p = mat(3, 1, p0), *g = mat(3, 1, g0), *v = mat(3, 1, NULL);
	MlTensor *bad = mat(1, 3, NULL);
	AcErr err;

	assert_int_equal(ml_sgd(p, g, v, 0.5, 0, &err), AC_OK);
	assert_all_close(p, want, 0, 1e-7);
	assert_err(ml_sgd(p, g, bad, 0.5, 0, &err), err, AC_ESHAPE,
	           "sgd: p [3,1] and v [1,3] do not agree");
	ml_tensor_unref(p);
	ml_tensor_unref(g);
	ml_tensor_unref(v);
	ml_tensor_unref(bad);
}

static void
test_adam_two_steps(void **state)
{
	const float p0[2] = {1, 2}, g1[2] = {0.5f, -2}, g2[2] = {0.1f, 0.3f};
	/* Step 1 from zero moments moves each p by lr * sign(g). */
	const float p1[2] = {0.99f, 2.01f}, m1[2] = {0.05f, -0.2f}, v1[2] = {0.00025f, 0.004f};
	/* Step 2: m = .9 m + .1 g, v = .999 v + .001 g^2,
	 * p -= 0.01/(1-.81) * m / (sqrt(v)/sqrt(1-.998001) + 1e-8). */
	const float p2[2] = {0.981969591f, 2.01552198f};
	const float m2[2] = {0.055f, -0.15f}, v2[2] = {0.00025975f, 0.004086f};
	MlTensor *p = mat(1, 2, p0), *g = mat(1, 2, g1), *m = mat(1, 2, NULL), *v = mat(1, 2, NULL);

	assert_int_equal(ml_adam(p, g, m, v, 1, 0.01, 0.9, 0.999, 1e-8, NULL), AC_OK);
	assert_all_close(p, p1, 1e-6, 1e-6);
	assert_all_close(m, m1, 1e-8, 1e-6);
	assert_all_close(v, v1, 1e-10, 1e-5);
	memcpy(ML_F32(g), g2, sizeof g2);
	assert_int_equal(ml_adam(p, g, m, v, 2, 0.01, 0.9, 0.999, 1e-8, NULL), AC_OK);
	assert_all_close(m, m2, 1e-8, 1e-6);
	assert_all_close(v, v2, 1e-10, 1e-5);
	assert_all_close(p, p2, 1e-6, 1e-6);
	ml_tensor_unref(p);
	ml_tensor_unref(g);
	ml_tensor_unref(m);
	ml_tensor_unref(v);
}

static void
test_adam_errors(void **state)
{
	MlTensor *p = mat(2, 2, NULL), *g = mat(2, 2, NULL), *m = mat(2, 2, NULL);
	MlTensor *v = mat(2, 2, NULL), *bad = mat(4, 1, NULL);
	AcErr err;

	assert_err(ml_adam(p, g, m, v, 0, 0.01, 0.9, 0.999, 1e-8, &err), err, AC_EINVAL,
	           "adam: step 0 is not >= 1");
	assert_err(ml_adam(p, g, m, v, 1, 0.01, 1, 0.999, 1e-8, &err), err, AC_EINVAL,
	           "adam: betas (1, 0.999) are not in [0, 1)");
	assert_err(ml_adam(p, g, bad, v, 1, 0.01, 0.9, 0.999, 1e-8, &err), err, AC_ESHAPE,
	           "adam: p [2,2] and m [4,1] do not agree");
	ml_tensor_unref(p);
	ml_tensor_unref(g);
	ml_tensor_unref(m);
	ml_tensor_unref(v);
	ml_tensor_unref(bad);
}

TEST_MAIN("ml/optim",
          cmocka_unit_test(test_sgd_step),
          cmocka_unit_test(test_sgd_plain),
          cmocka_unit_test(test_adam_two_steps),
          cmocka_unit_test(test_adam_errors))
