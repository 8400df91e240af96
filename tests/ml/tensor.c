/* ml tensors: construction, layout, reference counts, shape queries. */
#include "tests/ml/mltest.h"

#include <stdint.h>

static void
test_new_layout(void **state)
{
	int64_t shape[3] = {2, 3, 5};
	AcErr err;
	MlTensor *t = ml_tensor_new(3, shape, &err);

	assert_non_null(t);
	assert_int_equal(t->ndim, 3);
	assert_int_equal(t->ne[0], 2);
	assert_int_equal(t->ne[1], 3);
	assert_int_equal(t->ne[2], 5);
	assert_int_equal(t->ne[3], 1);
	assert_int_equal(t->nb[2], 4);
	assert_int_equal(t->nb[1], 20);
	assert_int_equal(t->nb[0], 60);
	assert_int_equal(t->nb[3], 0);
	assert_int_equal((uintptr_t)ML_F32(t) % 64, 0);
	assert_int_equal(ml_tensor_rows(t), 2);
	assert_int_equal(ml_tensor_cols(t), 15);
	assert_int_equal(ml_tensor_numel(t), 30);
	for (int i = 0; i < 30; i++)
		assert_close(ML_F32(t)[i], 0.0, 0, 0);
	ml_tensor_unref(t);
}

static void
test_one_dim(void **state)
{
	int64_t shape[1] = {7};
	MlTensor *t = ml_tensor_new(1, shape, NULL);

	assert_non_null(t);
	assert_int_equal(ml_tensor_rows(t), 7);
	assert_int_equal(ml_tensor_cols(t), 1);
	assert_int_equal(ml_tensor_numel(t), 7);
	assert_int_equal(t->nb[0], 4);
	ml_tensor_unref(t);
}

static void
test_four_dims(void **state)
{
	int64_t shape[4] = {2, 3, 4, 5};
	MlTensor *t = ml_tensor_new(4, shape, NULL);

	assert_non_null(t);
	assert_int_equal(ml_tensor_cols(t), 60);
	assert_int_equal(t->nb[0], 240);
	assert_int_equal(t->nb[3], 4);
	ml_tensor_unref(t);
}

static void
test_new_errors(void **state)
{
	int64_t bad[2] = {3, 0}, neg[2] = {-1, 4}, huge[2] = {65536, 65536};
	AcErr err;

	assert_null(ml_tensor_new(0, bad, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "tensor_new: ndim 0 is not in 1..6");
	assert_null(ml_tensor_new(7, bad, &err));
	assert_string_equal(err.msg, "tensor_new: ndim 7 is not in 1..6");
	assert_null(ml_tensor_new(2, bad, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "tensor_new: shape[1] = 0 is not positive");
	assert_null(ml_tensor_new(2, neg, &err));
	assert_string_equal(err.msg, "tensor_new: shape[0] = -1 is not positive");
	assert_null(ml_tensor_new(2, huge, &err));
	assert_int_equal(err.code, AC_ERANGE);
	assert_string_equal(err.msg, "tensor_new: shape exceeds 2147483647 elements");
	assert_null(ml_tensor_new(2, huge, NULL));  /* a NULL err is allowed */
}

static void
test_refcount(void **state)
{
	MlTensor *t = mat(2, 2, NULL);

	assert_ptr_equal(ml_tensor_ref(t), t);
	assert_int_equal(atomic_load(&t->refs), 2);
	ml_tensor_unref(t);
	assert_int_equal(atomic_load(&t->refs), 1);
	ML_F32(t)[3] = 1;  /* still alive */
	ml_tensor_unref(t);
	ml_tensor_unref(NULL);
	assert_null(ml_tensor_ref(NULL));
}

static void
test_randn(void **state)
{
	int64_t shape[2] = {1, 4}, big[1] = {100001};
	/* From an independent Python transcription of splitmix64, xoshiro256**
	 * and Box-Muller (seed 1, std 0.5). */
	const float want[4] = {-0.772611419f, -0.0997576528f, -0.50682382f, 0.412203419f};
	AcErr err;
	MlTensor *a = ml_tensor_randn(2, shape, 0.5, 1, &err);
	MlTensor *b, *c;
	double s = 0, s2 = 0;

	assert_non_null(a);
	assert_all_close(a, want, 1e-6, 1e-6);
	b = ml_tensor_randn(1, big, 2.0, 99, &err);
	c = ml_tensor_randn(1, big, 2.0, 99, &err);
	assert_non_null(b);
	assert_non_null(c);
	assert_memory_equal(ML_F32(b), ML_F32(c), sizeof(float) * 100001);
	for (int i = 0; i < 100001; i++) {
		s += ML_F32(b)[i];
		s2 += (double)ML_F32(b)[i] * ML_F32(b)[i];
	}
	/* mean 0 (se 0.0063), std 2 (se 0.0045) */
	assert_close(s / 100001, 0.0, 0.03, 0);
	assert_close(sqrt(s2 / 100001), 2.0, 0.03, 0);
	assert_null(ml_tensor_randn(2, shape, -1, 1, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "tensor_randn: std -1 is not a finite value >= 0");
	ml_tensor_unref(a);
	ml_tensor_unref(b);
	ml_tensor_unref(c);
}

TEST_MAIN("ml/tensor",
          cmocka_unit_test(test_new_layout),
          cmocka_unit_test(test_one_dim),
          cmocka_unit_test(test_four_dims),
          cmocka_unit_test(test_new_errors),
          cmocka_unit_test(test_refcount),
          cmocka_unit_test(test_randn))
