/*
 * Normalisation layers (nn/norm.c): BatchNorm1d/2d (a training step with
 * its running statistics, then evaluation), LayerNorm, GroupNorm and
 * RMSNorm against PyTorch (forward and every gradient, fixtures of
 * tests/fixtures/nn_gen.py); finite-difference gradient checks in
 * training and evaluation mode, with and without affine parameters; the
 * machine-epsilon default of RMSNorm; the errors.
 */
#include "tests/nn/nnfix.h"

#include <float.h>

static void
test_batch_norm_torch(void **state)
{
	NnModule *m = nn_batch_norm2d(3, 1e-5, 0.25, true, true, NULL);
	MlTensor *want, *x2;
	AcErr err = {0};

	nn_fixture_check(m, "bn2d", 1e-10);
	want = nn_fixture("bn2d", "running_mean");
	nn_fixture_compare("bn2d", "running_mean", nn_find_param(m, "running_mean")->value, want, 1e-12);
	ml_tensor_unref(want);
	want = nn_fixture("bn2d", "running_var");
	nn_fixture_compare("bn2d", "running_var", nn_find_param(m, "running_var")->value, want, 1e-12);
	ml_tensor_unref(want);
	nn_train(m, false);
	x2 = nn_fixture("bn2d", "in2");
	want = nn_fixture("bn2d", "out2");
	assert_non_null(nn_forward(m, x2, &err));
	nn_fixture_compare("bn2d", "out2", m->output, want, 1e-10);
	ml_tensor_unref(want);
	ml_tensor_unref(x2);
	nn_free(m);

	m = nn_batch_norm1d(5, 1e-5, 0.1, true, true, NULL);
	nn_fixture_check(m, "bn1d", 1e-10);
	want = nn_fixture("bn1d", "running_var");
	nn_fixture_compare("bn1d", "running_var", nn_find_param(m, "running_var")->value, want, 1e-12);
	ml_tensor_unref(want);
	nn_free(m);
}

static void
test_row_norms_torch(void **state)
{
	NnModule *m;

	m = nn_layer_norm(2, (const int64_t[]){3, 4}, 1e-5, true, NULL);
	nn_fixture_check(m, "layernorm", 1e-10);
	nn_free(m);
	m = nn_group_norm(2, 6, 1e-5, true, NULL);
	nn_fixture_check(m, "groupnorm", 1e-10);
	nn_free(m);
	m = nn_rms_norm(1, (const int64_t[]){5}, 1e-6, true, NULL);
	nn_fixture_check(m, "rmsnorm", 1e-10);
	nn_free(m);
}

static void
check(NnModule *m, bool training, int ndim, const int64_t *ne, uint64_t seed)
{
	MlTensor *x = t64_rand(ndim, ne, -2, 3, seed);

	assert_non_null(m);
	nn_train(m, training);
	nn_check_grads(m, x);
	ml_tensor_unref(x);
	nn_free(m);
}

/* Moves a BatchNorm's running statistics off their initial 0 and 1 with
 * a training step, so evaluation mode is checked on real values. */
static NnModule *
stepped(NnModule *m, int ndim, const int64_t *ne)
{
	MlTensor *x = t64_rand(ndim, ne, -1, 4, 99);

	assert_int_equal(nn_to_dtype(m, ML_F64, NULL), AC_OK);
	assert_non_null(nn_forward(m, x, NULL));
	ml_tensor_unref(x);
	assert_true(D64(nn_find_param(m, "running_mean")->value)[0] != 0);
	return m;
}

static void
test_batch_norm_grads(void **state)
{
	const int64_t x2[2] = {5, 3}, x3[3] = {3, 4, 5}, x4[4] = {3, 2, 4, 3};

	check(nn_batch_norm1d(3, 1e-5, 0.1, true, true, NULL), true, 2, x2, 1);
	check(nn_batch_norm1d(4, 1e-3, 0.1, true, true, NULL), true, 3, x3, 2);
	check(nn_batch_norm2d(2, 1e-5, 0.1, true, true, NULL), true, 4, x4, 3);
	check(nn_batch_norm2d(2, 1e-5, 0.1, false, true, NULL), true, 4, x4, 4);
	/* evaluation: the running statistics, a fixed affine map */
	check(stepped(nn_batch_norm2d(2, 1e-5, 0.5, true, true, NULL), 4, x4), false, 4, x4, 5);
	check(stepped(nn_batch_norm1d(4, 1e-5, 0.5, true, true, NULL), 3, x3), false, 3, x3, 6);
	/* without running statistics evaluation normalises by the batch's */
	check(nn_batch_norm1d(4, 1e-5, 0.1, true, false, NULL), false, 3, x3, 7);
}

static void
test_row_norm_grads(void **state)
{
	const int64_t x3[3] = {3, 4, 5}, x4[4] = {2, 6, 3, 2};

	check(nn_layer_norm(1, (const int64_t[]){5}, 1e-5, true, NULL), true, 3, x3, 1);
	check(nn_layer_norm(2, (const int64_t[]){4, 5}, 1e-5, true, NULL), true, 3, x3, 2);
	check(nn_layer_norm(1, (const int64_t[]){5}, 1e-5, false, NULL), true, 3, x3, 3);
	check(nn_rms_norm(1, (const int64_t[]){5}, 1e-6, true, NULL), true, 3, x3, 4);
	check(nn_rms_norm(2, (const int64_t[]){4, 5}, -1, false, NULL), true, 3, x3, 5);
	check(nn_group_norm(2, 6, 1e-5, true, NULL), true, 4, x4, 6);
	check(nn_group_norm(1, 6, 1e-5, true, NULL), true, 4, x4, 7);
	check(nn_group_norm(6, 6, 1e-5, false, NULL), true, 4, x4, 8);
	check(nn_group_norm(3, 6, 1e-5, true, NULL), true, 2, (const int64_t[]){4, 6}, 9);
}

/* RMSNorm's eps < 0 is the dtype's machine epsilon: an all-zero row
 * stays 0 and a row of tiny values is scaled by 1/sqrt(ms + eps). */
static void
test_rms_eps(void **state)
{
	NnModule *m = nn_rms_norm(1, (const int64_t[]){2}, -1, false, NULL);
	const double v[2] = {1e-4, -1e-4};
	MlTensor *x = t64(2, (const int64_t[]){1, 2}, v), *x32 = ml_cast(x, ML_F32, NULL), *y;
	AcErr err = {0};

	y = nn_forward(m, x32, &err);
	assert_non_null(y);
	assert_close(ML_F32(y)[0], 1e-4 / sqrt(1e-8 + FLT_EPSILON), 1e-7, 1e-5);
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	assert_close(D64(y)[0], 1e-4 / sqrt(1e-8 + DBL_EPSILON), 0, 1e-12);
	assert_int_equal(m->nparams, 0);
	ml_tensor_unref(x);
	ml_tensor_unref(x32);
	nn_free(m);
}

/* Buffers are PyTorch's: running_mean and running_var saved, without
 * gradients; the create hook rebuilds each layer from its hyper-
 * parameters; f32 runs as f64 does. */
static void
test_buffers_and_create(void **state)
{
	NnModule *ms[4] = {nn_batch_norm2d(3, 1e-3, 0.2, true, true, NULL),
	                   nn_layer_norm(2, (const int64_t[]){3, 2}, 1e-4, true, NULL),
	                   nn_rms_norm(1, (const int64_t[]){2}, -1, true, NULL),
	                   nn_group_norm(3, 3, 1e-5, false, NULL)};
	const int64_t ne[4] = {2, 3, 3, 2};
	MlTensor *x = t64_rand(4, ne, -1, 1, 3), *x32 = ml_cast(x, ML_F32, NULL);
	AcErr err = {0};

	assert_int_equal(nn_num_parameters(ms[0]), 6);
	assert_null(nn_find_param(ms[0], "running_var")->grad);
	assert_true(ML_F32(nn_find_param(ms[0], "running_var")->value)[2] == 1);
	assert_null(nn_find_param(ms[2], "bias"));
	for (int i = 0; i < 4; i++) {
		NnModule *c = ms[i]->cls->create(&ms[i]->hp, 0, &err);
		MlTensor *y32;
		assert_non_null(c);
		assert_string_equal(c->cls->type, ms[i]->cls->type);
		assert_int_equal(c->nparams, ms[i]->nparams);
		y32 = nn_forward(c, x32, &err);
		assert_non_null(y32);
		y32 = ml_cast(y32, ML_F64, NULL);
		assert_int_equal(nn_to_dtype(ms[i], ML_F64, &err), AC_OK);
		assert_non_null(nn_forward(ms[i], x, &err));
		nn_fixture_compare(c->cls->type, "out", y32, ms[i]->output, 1e-5);
		ml_tensor_unref(y32);
		nn_free(c);
		nn_free(ms[i]);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(x32);
}

static void
test_errors(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_batch_norm2d(3, 1e-5, 0.1, true, true, NULL);
	MlTensor *x = ml_tensor_zeros(ML_F32, 4, (const int64_t[]){2, 4, 2, 2}, NULL);
	MlTensor *one = ml_tensor_zeros(ML_F32, 2, (const int64_t[]){1, 4}, NULL);

	snprintf(m->name, sizeof m->name, "bn");
	assert_null(nn_forward(m, x, &err));
	assert_string_equal(err.msg, "BatchNorm2d bn: input [2,4,2,2] has 4 channels, want 3");
	nn_free(m);
	m = nn_batch_norm1d(4, 1e-5, 0.1, true, true, NULL);
	assert_null(nn_forward(m, one, &err));
	assert_string_equal(err.msg,
	                    "BatchNorm1d: expected more than 1 value per channel when training, got input [1,4]");
	nn_train(m, false);
	assert_non_null(nn_forward(m, one, &err));
	nn_free(m);
	m = nn_layer_norm(1, (const int64_t[]){3}, 1e-5, true, NULL);
	assert_null(nn_forward(m, x, &err));
	assert_string_equal(err.msg, "LayerNorm: input [2,4,2,2] does not end in normalized_shape");
	nn_free(m);
	m = nn_group_norm(2, 4, 1e-5, true, NULL);
	assert_non_null(nn_forward(m, x, &err));
	nn_free(m);
	assert_null(nn_group_norm(3, 4, 1e-5, true, &err));
	assert_string_equal(err.msg, "GroupNorm: num_groups 3 does not divide num_channels 4");
	assert_null(nn_batch_norm1d(4, 1e-5, 1.5, true, true, &err));
	assert_int_equal(err.code, AC_EINVAL);
	ml_tensor_unref(x);
	ml_tensor_unref(one);
}

TEST_MAIN("nn normalisation", cmocka_unit_test(test_batch_norm_torch),
          cmocka_unit_test(test_row_norms_torch), cmocka_unit_test(test_batch_norm_grads),
          cmocka_unit_test(test_row_norm_grads), cmocka_unit_test(test_rms_eps),
          cmocka_unit_test(test_buffers_and_create), cmocka_unit_test(test_errors))
