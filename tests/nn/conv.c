/*
 * Convolution layers (nn/conv.c): Conv1d, Conv2d, ConvTranspose1d,
 * ConvTranspose2d against PyTorch (forward and every gradient, fixtures
 * of tests/fixtures/nn_gen.py), finite-difference gradient checks over
 * stride, padding, dilation, groups, output_padding and no bias, the
 * default init's bounds, f32 against f64, rebuilding from the recorded
 * hyper-parameters, and the errors.
 */
#include "tests/nn/nnfix.h"

#define I2(a, b) ((const int64_t[]){(a), (b)})

static void
test_torch(void **state)
{
	NnModule *m;

	m = nn_conv2d(4, 6, I2(3, 2), I2(2, 1), I2(1, 1), I2(1, 2), 2, true, 1, NULL);
	nn_fixture_check(m, "conv2d", 1e-10);
	nn_free(m);
	m = nn_conv2d(3, 4, I2(3, 3), NULL, I2(2, 2), I2(2, 2), 1, false, 1, NULL);
	nn_fixture_check(m, "conv2d_nobias", 1e-10);
	nn_free(m);
	m = nn_conv1d(2, 4, 3, 2, 1, 1, 1, true, 1, NULL);
	nn_fixture_check(m, "conv1d", 1e-10);
	nn_free(m);
	m = nn_conv_transpose2d(4, 6, I2(3, 3), I2(2, 2), I2(1, 1), I2(1, 1), 2, true, NULL, 1, NULL);
	nn_fixture_check(m, "convt2d", 1e-10);
	nn_free(m);
	m = nn_conv_transpose2d(2, 3, I2(2, 3), I2(1, 2), I2(0, 1), I2(1, 0), 1, true, I2(2, 1), 1, NULL);
	nn_fixture_check(m, "convt2d_dil", 1e-10);
	nn_free(m);
	m = nn_conv_transpose1d(2, 3, 3, 3, 1, 2, 1, true, 1, 1, NULL);
	nn_fixture_check(m, "convt1d", 1e-10);
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
test_conv_grads(void **state)
{
	const int64_t x2[4] = {2, 4, 6, 5}, x1[3] = {2, 4, 9};

	check(nn_conv2d(4, 3, I2(3, 3), NULL, NULL, NULL, 1, true, 2, NULL), 4, x2, 1);
	check(nn_conv2d(4, 4, I2(3, 2), I2(2, 2), I2(1, 1), NULL, 1, true, 3, NULL), 4, x2, 2);
	check(nn_conv2d(4, 2, I2(2, 2), NULL, I2(1, 0), I2(2, 2), 1, false, 4, NULL), 4, x2, 3);
	check(nn_conv2d(4, 6, I2(3, 1), I2(1, 2), I2(1, 1), I2(2, 1), 2, true, 5, NULL), 4, x2, 4);
	check(nn_conv1d(4, 2, 3, 2, 1, 1, 1, true, 6, NULL), 3, x1, 5);
	check(nn_conv1d(4, 4, 2, 1, 2, 3, 2, false, 7, NULL), 3, x1, 6);
}

static void
test_conv_transpose_grads(void **state)
{
	const int64_t x2[4] = {2, 4, 3, 4}, x1[3] = {2, 4, 5};

	check(nn_conv_transpose2d(4, 3, I2(3, 3), NULL, NULL, NULL, 1, true, NULL, 2, NULL), 4, x2, 1);
	check(nn_conv_transpose2d(4, 2, I2(3, 2), I2(2, 2), I2(1, 0), I2(1, 1), 1, true, NULL, 3, NULL),
	      4, x2, 2);
	check(nn_conv_transpose2d(4, 6, I2(2, 3), I2(2, 1), I2(1, 1), NULL, 2, false, I2(1, 2), 4, NULL),
	      4, x2, 3);
	/* output_padding past the stride (dilation allows it): grad_input cropped */
	check(nn_conv_transpose2d(4, 2, I2(2, 2), I2(1, 1), NULL, I2(2, 1), 2, true, I2(3, 2), 5, NULL), 4,
	      x2, 4);
	check(nn_conv_transpose1d(4, 2, 3, 2, 1, 1, 1, true, 1, 6, NULL), 3, x1, 5);
	check(nn_conv_transpose1d(4, 4, 2, 3, 0, 2, 4, false, 1, 7, NULL), 3, x1, 6);
}

/* kaiming_uniform(a = sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
 * weight and bias, reproducible from the seed. */
static void
test_init(void **state)
{
	NnModule *a = nn_conv2d(6, 4, I2(3, 2), NULL, NULL, NULL, 2, true, 9, NULL);
	NnModule *b = nn_conv2d(6, 4, I2(3, 2), NULL, NULL, NULL, 2, true, 9, NULL);
	NnModule *t = nn_conv_transpose2d(6, 4, I2(3, 2), NULL, NULL, NULL, 2, true, NULL, 9, NULL);
	double bound = 1 / sqrt(3.0 * 6), tbound = 1 / sqrt(2.0 * 6), lo = 1, hi = -1;

	assert_non_null(a);
	assert_non_null(t);
	assert_int_equal(a->param[0].value->ne[0], 4);
	assert_int_equal(a->param[0].value->ne[1], 3);
	assert_int_equal(t->param[0].value->ne[0], 6);
	assert_int_equal(t->param[0].value->ne[1], 2);
	for (int p = 0; p < 2; p++)
		for (int64_t i = 0; i < ml_tensor_numel(a->param[p].value); i++) {
			double v = ML_F32(a->param[p].value)[i];
			assert_true(fabs(v) <= bound);
			assert_true(v == ML_F32(b->param[p].value)[i]);
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	assert_true(hi - lo > bound);  /* spread over the interval, not constant */
	for (int p = 0; p < 2; p++)
		for (int64_t i = 0; i < ml_tensor_numel(t->param[p].value); i++)
			assert_true(fabs(ML_F32(t->param[p].value)[i]) <= tbound);
	assert_true(nn_find_param(a, "bias") != NULL);
	assert_int_equal(nn_num_parameters(a), 4 * 3 * 3 * 2 + 4);
	nn_free(a);
	nn_free(b);
	nn_free(t);
}

/* The f32 path (sgemm) agrees with f64 to f32 rounding; the create hook
 * rebuilds an equal layer from the recorded hyper-parameters. */
static void
test_f32_and_create(void **state)
{
	NnModule *m = nn_conv_transpose2d(4, 6, I2(3, 2), I2(2, 1), I2(1, 0), I2(1, 0), 2, true, I2(1, 2),
	                                  11, NULL), *c;
	const int64_t ne[4] = {3, 4, 5, 4};
	MlTensor *x64 = t64_rand(4, ne, -1, 1, 3), *x32 = ml_cast(x64, ML_F32, NULL), *y32, *g32, *g64;
	MlTensor *gy, *dw32;
	AcErr err = {0};

	y32 = nn_forward(m, x32, &err);
	assert_non_null(y32);
	gy = ml_tensor_empty(ML_F32, y32->ndim, y32->ne, NULL);
	ml_fill(gy, 0.5, NULL);
	g32 = ml_cast(nn_backward(m, x32, gy, 1, &err), ML_F64, NULL);
	dw32 = ml_cast(m->param[0].grad, ML_F64, NULL);
	y32 = ml_cast(m->output, ML_F64, NULL);
	nn_zero_grad(m);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	MlTensor *gy64 = ml_cast(gy, ML_F64, NULL);
	nn_fixture_compare("f32", "out", y32, nn_forward(m, x64, &err), 1e-5);
	g64 = nn_backward(m, x64, gy64, 1, &err);
	nn_fixture_compare("f32", "gin", g32, g64, 1e-5);
	nn_fixture_compare("f32", "gweight", dw32, m->param[0].grad, 1e-5);

	c = m->cls->create(&m->hp, 11, &err);
	assert_non_null(c);
	assert_string_equal(c->cls->type, "ConvTranspose2d");
	assert_int_equal(c->hp.n, m->hp.n);
	assert_int_equal(nn_to_dtype(c, ML_F64, &err), AC_OK);
	assert_non_null(nn_forward(c, x64, &err));
	nn_fixture_compare("create", "out", c->output, m->output, 1e-12);
	nn_free(c);
	c = nn_conv1d(3, 2, 4, 2, 1, 2, 1, false, 1, NULL);
	NnModule *c2 = c->cls->create(&c->hp, 1, &err);
	assert_non_null(c2);
	assert_string_equal(c2->cls->type, "Conv1d");
	assert_int_equal(c2->nparams, 1);
	assert_int_equal(c2->param[0].value->ndim, 3);
	assert_int_equal(c2->param[0].value->ne[2], 4);
	nn_free(c);
	nn_free(c2);
	for (MlTensor **t = (MlTensor *[]){x64, x32, y32, g32, gy, gy64, dw32, NULL}; *t != NULL; t++)
		ml_tensor_unref(*t);
	nn_free(m);
}

static void
test_errors(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_conv2d(3, 4, I2(3, 3), NULL, NULL, NULL, 1, true, 1, &err);
	MlTensor *x = ml_tensor_zeros(ML_F32, 4, (const int64_t[]){2, 4, 5, 5}, NULL);
	MlTensor *x3 = ml_tensor_zeros(ML_F32, 3, (const int64_t[]){3, 5, 5}, NULL);
	MlTensor *small = ml_tensor_zeros(ML_F32, 4, (const int64_t[]){1, 3, 2, 5}, NULL);

	snprintf(m->name, sizeof m->name, "0");
	assert_null(nn_forward(m, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Conv2d 0: input [2,4,5,5] has 4 channels, want 3");
	assert_null(nn_forward(m, x3, &err));
	assert_string_equal(err.msg, "Conv2d 0: input [3,5,5] has 3 dimensions, want 4 to 4");
	assert_null(nn_forward(m, small, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_non_null(strstr(err.msg, "Conv2d 0: conv: kernel 3"));
	nn_free(m);

	assert_null(nn_conv2d(4, 6, I2(3, 3), NULL, NULL, NULL, 3, true, 1, &err));
	assert_string_equal(err.msg, "Conv2d: groups 3 do not divide in_channels 4 and out_channels 6");
	assert_null(nn_conv1d(4, 6, 0, 1, 0, 1, 1, true, 1, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_null(nn_conv_transpose2d(4, 6, I2(3, 3), I2(2, 2), NULL, I2(2, 0), 1, true, NULL, 1, &err));
	assert_string_equal(err.msg,
	                    "ConvTranspose2d: output_padding 2 must be smaller than stride 2 or dilation 1");
	ml_tensor_unref(x);
	ml_tensor_unref(x3);
	ml_tensor_unref(small);
}

TEST_MAIN("nn convolution", cmocka_unit_test(test_torch), cmocka_unit_test(test_conv_grads),
          cmocka_unit_test(test_conv_transpose_grads), cmocka_unit_test(test_init),
          cmocka_unit_test(test_f32_and_create), cmocka_unit_test(test_errors))
