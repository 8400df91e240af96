/*
 * Pooling layers (nn/pool.c): MaxPool1d/2d, AvgPool1d/2d,
 * AdaptiveAvgPool2d against PyTorch (forward and grad_input, fixtures of
 * tests/fixtures/nn_gen.py), finite-difference gradient checks over
 * stride, padding, dilation, ceil_mode and count_include_pad, f32 input,
 * rebuilding from the hyper-parameters, and the errors.
 */
#include "tests/nn/nnfix.h"

#define I2(a, b) ((const int64_t[]){(a), (b)})

static void
test_torch(void **state)
{
	NnModule *m;

	m = nn_max_pool2d(I2(3, 3), I2(2, 2), I2(1, 1), NULL, true, NULL);
	nn_fixture_check(m, "maxpool2d", 1e-12);
	nn_free(m);
	m = nn_max_pool2d(I2(2, 3), I2(1, 2), I2(1, 1), I2(2, 1), false, NULL);
	nn_fixture_check(m, "maxpool2d_dil", 1e-12);
	nn_free(m);
	m = nn_max_pool1d(2, 2, 0, 1, true, NULL);
	nn_fixture_check(m, "maxpool1d", 1e-12);
	nn_free(m);
	m = nn_avg_pool2d(I2(3, 3), I2(2, 2), I2(1, 1), true, false, NULL);
	nn_fixture_check(m, "avgpool2d", 1e-12);
	nn_free(m);
	m = nn_avg_pool2d(I2(2, 3), I2(2, 2), I2(1, 1), true, true, NULL);
	nn_fixture_check(m, "avgpool2d_incl", 1e-12);
	nn_free(m);
	m = nn_avg_pool1d(3, 2, 1, false, true, NULL);
	nn_fixture_check(m, "avgpool1d", 1e-12);
	nn_free(m);
	m = nn_adaptive_avg_pool2d(I2(3, 2), NULL);
	nn_fixture_check(m, "adaptive", 1e-12);
	nn_free(m);
}

static void
check(NnModule *m, int ndim, const int64_t *ne, uint64_t seed)
{
	MlTensor *x = t64_rand(ndim, ne, -1, 1, seed);

	assert_non_null(m);
	nn_check_grads(m, x);
	ml_tensor_unref(x);
	nn_free(m);
}

static void
test_grads(void **state)
{
	const int64_t x2[4] = {2, 3, 7, 6}, x1[3] = {2, 3, 11};

	check(nn_max_pool2d(I2(2, 2), NULL, NULL, NULL, false, NULL), 4, x2, 1);
	check(nn_max_pool2d(I2(3, 2), I2(2, 1), I2(1, 1), I2(2, 1), true, NULL), 4, x2, 2);
	check(nn_max_pool1d(3, 2, 1, 2, true, NULL), 3, x1, 3);
	check(nn_avg_pool2d(I2(3, 2), I2(2, 2), I2(1, 1), true, true, NULL), 4, x2, 4);
	check(nn_avg_pool2d(I2(3, 3), I2(2, 3), I2(1, 0), true, false, NULL), 4, x2, 5);
	check(nn_avg_pool1d(4, 3, 2, true, false, NULL), 3, x1, 6);
	check(nn_avg_pool1d(2, 0, 0, false, true, NULL), 3, x1, 7);
	check(nn_adaptive_avg_pool2d(I2(4, 4), NULL), 4, x2, 8);
	check(nn_adaptive_avg_pool2d(I2(1, 1), NULL), 4, x2, 9);
}

/* f32 input: the same values as f64 (max pooling exactly); MaxPool's
 * gradient lands on the argmax only. */
static void
test_f32(void **state)
{
	NnModule *mp = nn_max_pool2d(I2(2, 2), NULL, NULL, NULL, false, NULL);
	NnModule *ap = nn_avg_pool2d(I2(2, 2), I2(1, 1), NULL, false, true, NULL);
	const int64_t ne[4] = {1, 1, 2, 4};
	const double v[8] = {1, 5, -2, 0, 3, 2, 7, 7.5};
	MlTensor *x = t64(4, ne, v), *x32 = ml_cast(x, ML_F32, NULL), *y, *g;
	AcErr err = {0};

	y = nn_forward(mp, x32, &err);
	assert_non_null(y);
	assert_int_equal(y->dtype, ML_F32);
	assert_int_equal(y->ne[3], 2);
	assert_true(ML_F32(y)[0] == 5 && ML_F32(y)[1] == 7.5);
	MlTensor *gy = ml_tensor_empty(ML_F32, 4, y->ne, NULL);
	ML_F32(gy)[0] = 2;
	ML_F32(gy)[1] = -1;
	g = nn_backward(mp, x32, gy, 1, &err);
	assert_non_null(g);
	for (int i = 0; i < 8; i++)
		assert_true(ML_F32(g)[i] == (i == 1 ? 2 : i == 7 ? -1 : 0));
	y = nn_forward(ap, x32, &err);
	assert_non_null(y);
	assert_int_equal(y->ne[3], 3);
	assert_close(ML_F32(y)[0], (1 + 5 + 3 + 2) / 4.0, 1e-6, 0);
	assert_close(ML_F32(y)[2], (0 - 2 + 7 + 7.5) / 4.0, 1e-6, 0);
	ml_tensor_unref(gy);
	ml_tensor_unref(x);
	ml_tensor_unref(x32);
	nn_free(mp);
	nn_free(ap);
}

static void
test_create(void **state)
{
	NnModule *ms[3] = {nn_max_pool2d(I2(3, 2), I2(2, 1), I2(1, 1), I2(2, 1), true, NULL),
	                   nn_avg_pool1d(3, 0, 1, true, false, NULL),
	                   nn_adaptive_avg_pool2d(I2(2, 3), NULL)};
	const int64_t ne2[4] = {2, 3, 7, 6}, ne1[3] = {2, 3, 8};
	AcErr err = {0};

	for (int i = 0; i < 3; i++) {
		MlTensor *x = i == 1 ? t64_rand(3, ne1, -1, 1, 1) : t64_rand(4, ne2, -1, 1, 1);
		NnModule *c = ms[i]->cls->create(&ms[i]->hp, 0, &err);
		assert_non_null(c);
		assert_string_equal(c->cls->type, ms[i]->cls->type);
		assert_non_null(nn_forward(ms[i], x, &err));
		assert_non_null(nn_forward(c, x, &err));
		nn_fixture_compare(c->cls->type, "out", c->output, ms[i]->output, 0);
		ml_tensor_unref(x);
		nn_free(c);
		nn_free(ms[i]);
	}
}

static void
test_errors(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_max_pool2d(I2(2, 2), NULL, NULL, NULL, false, &err);
	MlTensor *x = ml_tensor_zeros(ML_F32, 3, (const int64_t[]){3, 4, 4}, NULL);
	MlTensor *xi = ml_tensor_zeros(ML_I32, 4, (const int64_t[]){1, 3, 4, 4}, NULL);

	assert_null(nn_forward(m, x, &err));
	assert_string_equal(err.msg, "MaxPool2d: input [3,4,4] has 3 dimensions, want 4 to 4");
	assert_null(nn_forward(m, xi, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	nn_free(m);
	assert_null(nn_max_pool2d(I2(2, 2), NULL, I2(2, 0), NULL, false, &err));
	assert_string_equal(err.msg, "MaxPool2d: padding 2 exceeds half the kernel_size 2");
	assert_null(nn_adaptive_avg_pool2d(I2(0, 2), &err));
	assert_int_equal(err.code, AC_EINVAL);
	ml_tensor_unref(x);
	ml_tensor_unref(xi);
}

TEST_MAIN("nn pooling", cmocka_unit_test(test_torch), cmocka_unit_test(test_grads),
          cmocka_unit_test(test_f32), cmocka_unit_test(test_create), cmocka_unit_test(test_errors))
