/* ml_gather_rows: mini-batch row copies and their bounds checks. */
#include "tests/ml/mltest.h"

static void
test_gather(void **state)
{
	const float s[8] = {0, 1, 10, 11, 20, 21, 30, 31};
	const int32_t idx[5] = {3, 0, 2, 1, 3};
	const float want[6] = {20, 21, 10, 11, 30, 31};
	MlTensor *src = mat(4, 2, s), *out = mat(3, 2, NULL);
	AcErr err;

	assert_int_equal(ml_gather_rows(out, src, idx, 5, 2, &err), AC_OK);
	assert_all_close(out, want, 0, 0);
	ml_tensor_unref(src);
	ml_tensor_unref(out);
}

static void
test_gather_3d(void **state)
{
	/* [3, 2, 2] images gathered by row into [2, 4]. */
	int64_t shape[3] = {3, 2, 2};
	MlTensor *src = ml_tensor_new(3, shape, NULL), *out = mat(2, 4, NULL);
	const int32_t idx[2] = {2, 0};
	const float want[8] = {8, 9, 10, 11, 0, 1, 2, 3};

	for (int i = 0; i < 12; i++)
		ML_F32(src)[i] = (float)i;
	assert_int_equal(ml_gather_rows(out, src, idx, 2, 0, NULL), AC_OK);
	assert_all_close(out, want, 0, 0);
	ml_tensor_unref(src);
	ml_tensor_unref(out);
}

static void
test_gather_errors(void **state)
{
	MlTensor *src = mat(4, 2, NULL), *out = mat(3, 2, NULL), *wide = mat(3, 3, NULL);
	const int32_t idx[4] = {0, 1, 4, -1};
	AcErr err;

	ML_F32(out)[0] = 7;
	assert_err(ml_gather_rows(out, src, idx, 4, 2, &err), err, AC_ERANGE,
	           "gather_rows: start 2 + 3 rows exceeds 4 indices");
	assert_err(ml_gather_rows(out, src, idx, 4, -1, &err), err, AC_ERANGE,
	           "gather_rows: start -1 + 3 rows exceeds 4 indices");
	assert_err(ml_gather_rows(out, src, idx, 4, 0, &err), err, AC_ERANGE,
	           "gather_rows: idx[2] = 4 is outside src rows 0..3");
	assert_err(ml_gather_rows(out, src, idx, 4, 1, &err), err, AC_ERANGE,
	           "gather_rows: idx[2] = 4 is outside src rows 0..3");
	assert_close(ML_F32(out)[0], 7, 0, 0);  /* nothing written on error */
	assert_err(ml_gather_rows(wide, src, idx, 4, 0, &err), err, AC_ESHAPE,
	           "gather_rows: out [3,3] and src [4,2] do not agree");
	assert_err(ml_gather_rows(out, src, NULL, 4, 0, &err), err, AC_EINVAL,
	           "gather_rows: nil idx");
	ml_tensor_unref(src);
	ml_tensor_unref(out);
	ml_tensor_unref(wide);
}

TEST_MAIN("ml/gather",
          cmocka_unit_test(test_gather),
          cmocka_unit_test(test_gather_3d),
          cmocka_unit_test(test_gather_errors))
