/* ml_gemm (OpenBLAS) and ml_gemm_ref: hand values, the four transpose
 * combinations against each other, shape errors. */
#include "tests/ml/mltest.h"

static void
test_gemm_hand(void **state)
{
	const float a[6] = {1, 2, 3, 4, 5, 6};         /* [2,3] */
	const float b[6] = {7, 8, 9, 10, 11, 12};      /* [3,2] */
	const float c0[4] = {1, 1, 1, 1};
	/* 2 * [58 64; 139 154] + 0.5 */
	const float want[4] = {116.5f, 128.5f, 278.5f, 308.5f};
	MlTensor *ta = mat(2, 3, a), *tb = mat(3, 2, b), *c = mat(2, 2, c0), *r = mat(2, 2, c0);

	assert_int_equal(ml_gemm(c, ta, tb, 0, 0, 2, 0.5f, NULL), AC_OK);
	assert_all_close(c, want, 0, 1e-6);
	assert_int_equal(ml_gemm_ref(r, ta, tb, 0, 0, 2, 0.5f, NULL), AC_OK);
	assert_all_close(r, want, 0, 1e-6);
	ml_tensor_unref(ta);
	ml_tensor_unref(tb);
	ml_tensor_unref(c);
	ml_tensor_unref(r);
}

static void
test_gemm_trans_hand(void **state)
{
	/* a' b with a [3,2] = [1 4; 2 5; 3 6] (so a' = [1 2 3; 4 5 6]) and
	 * b' with b [2,3] = [7 9 11; 8 10 12]: the same product as above. */
	const float a[6] = {1, 4, 2, 5, 3, 6};
	const float b[6] = {7, 9, 11, 8, 10, 12};
	const float want[4] = {58, 64, 139, 154};
	MlTensor *ta = mat(3, 2, a), *tb = mat(2, 3, b), *c = mat(2, 2, NULL);

	assert_int_equal(ml_gemm(c, ta, tb, 1, 1, 1, 0, NULL), AC_OK);
	assert_all_close(c, want, 0, 1e-6);
	ml_tensor_unref(ta);
	ml_tensor_unref(tb);
	ml_tensor_unref(c);
}

static void
check_combo(int64_t m, int64_t n, int64_t k, int transa, int transb, uint64_t seed)
{
	int64_t as[2] = {transa ? k : m, transa ? m : k};
	int64_t bs[2] = {transb ? n : k, transb ? k : n};
	int64_t cs[2] = {m, n};
	MlTensor *a = ml_tensor_randn(2, as, 1, seed, NULL);
	MlTensor *b = ml_tensor_randn(2, bs, 1, seed + 1, NULL);
	MlTensor *c = ml_tensor_randn(2, cs, 1, seed + 2, NULL);
	MlTensor *r = ml_tensor_randn(2, cs, 1, seed + 2, NULL);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(r);
	assert_int_equal(ml_gemm(c, a, b, transa, transb, 1.5f, -0.5f, NULL), AC_OK);
	assert_int_equal(ml_gemm_ref(r, a, b, transa, transb, 1.5f, -0.5f, NULL), AC_OK);
	/* Sums of k products of N(0,1): magnitude ~ sqrt(k). */
	for (int64_t i = 0; i < m * n; i++)
		assert_close(ML_F32(c)[i], ML_F32(r)[i], 1e-5 * k, 1e-5);
	ml_tensor_unref(a);
	ml_tensor_unref(b);
	ml_tensor_unref(c);
	ml_tensor_unref(r);
}

static void
test_gemm_vs_ref(void **state)
{
	for (int ta = 0; ta < 2; ta++)
		for (int tb = 0; tb < 2; tb++) {
			check_combo(7, 5, 11, ta, tb, 10);
			check_combo(33, 17, 29, ta, tb, 20);
			check_combo(1, 13, 3, ta, tb, 30);
			check_combo(65, 1, 127, ta, tb, 40);
		}
}

static void
test_gemm_beta_zero_overwrites(void **state)
{
	const float a[2] = {1, 2}, b[2] = {3, 4};
	const float want[1] = {11};
	MlTensor *ta = mat(1, 2, a), *tb = mat(2, 1, b), *c = mat(1, 1, NULL), *r = mat(1, 1, NULL);

	ML_F32(c)[0] = NAN;
	ML_F32(r)[0] = NAN;
	assert_int_equal(ml_gemm(c, ta, tb, 0, 0, 1, 0, NULL), AC_OK);
	assert_int_equal(ml_gemm_ref(r, ta, tb, 0, 0, 1, 0, NULL), AC_OK);
	assert_all_close(c, want, 0, 0);
	assert_all_close(r, want, 0, 0);
	ml_tensor_unref(ta);
	ml_tensor_unref(tb);
	ml_tensor_unref(c);
	ml_tensor_unref(r);
}

static void
test_gemm_3d_view(void **state)
{
	/* x: [2, 2, 2] is a 2 x 4 matrix. */
	int64_t xs[3] = {2, 2, 2};
	MlTensor *x = ml_tensor_new(3, xs, NULL), *w = mat(4, 1, NULL), *y = mat(2, 1, NULL);
	const float want[2] = {0 + 1 + 2 + 3, 4 + 5 + 6 + 7};

	for (int i = 0; i < 8; i++)
		ML_F32(x)[i] = (float)i;
	for (int i = 0; i < 4; i++)
		ML_F32(w)[i] = 1;
	assert_int_equal(ml_gemm(y, x, w, 0, 0, 1, 0, NULL), AC_OK);
	assert_all_close(y, want, 0, 0);
	ml_tensor_unref(x);
	ml_tensor_unref(w);
	ml_tensor_unref(y);
}

static void
test_gemm_errors(void **state)
{
	MlTensor *a = mat(64, 784, NULL), *b = mat(256, 10, NULL), *w = mat(784, 10, NULL);
	MlTensor *c = mat(64, 20, NULL), *sq = mat(3, 3, NULL);
	AcErr err;

	assert_err(ml_gemm(c, a, b, 0, 0, 1, 0, &err), err, AC_ESHAPE,
	           "gemm: a [64,784] and b [256,10] do not agree");
	assert_err(ml_gemm_ref(c, a, b, 0, 0, 1, 0, &err), err, AC_ESHAPE,
	           "gemm_ref: a [64,784] and b [256,10] do not agree");
	assert_err(ml_gemm(c, a, w, 1, 0, 1, 0, &err), err, AC_ESHAPE,
	           "gemm: a [64,784] (transposed) and b [784,10] do not agree");
	assert_err(ml_gemm(c, a, w, 0, 1, 1, 0, &err), err, AC_ESHAPE,
	           "gemm: a [64,784] and b [784,10] (transposed) do not agree");
	assert_err(ml_gemm(c, a, w, 0, 0, 1, 0, &err), err, AC_ESHAPE,
	           "gemm: c [64,20] does not hold a [64,784] times b [784,10] = [64,10]");
	assert_err(ml_gemm(sq, sq, sq, 0, 0, 1, 0, &err), err, AC_EINVAL,
	           "gemm: c is the same tensor as a");
	assert_err(ml_gemm(c, a, NULL, 0, 0, 1, 0, &err), err, AC_EINVAL, "gemm: nil tensor b");
	ml_tensor_unref(a);
	ml_tensor_unref(b);
	ml_tensor_unref(w);
	ml_tensor_unref(c);
	ml_tensor_unref(sq);
}

TEST_MAIN("ml/gemm",
          cmocka_unit_test(test_gemm_hand),
          cmocka_unit_test(test_gemm_trans_hand),
          cmocka_unit_test(test_gemm_vs_ref),
          cmocka_unit_test(test_gemm_beta_zero_overwrites),
          cmocka_unit_test(test_gemm_3d_view),
          cmocka_unit_test(test_gemm_errors))
