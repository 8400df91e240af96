/* ml random numbers: the generator, permutations. */
#include "tests/ml/mltest.h"

static void
test_rng_known_values(void **state)
{
	MlRng r;

	/* Seed 0: state[0] is splitmix64's published first output. */
	ml_rng_seed(&r, 0);
	assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
	/* Seed 42, from an independent Python transcription of xoshiro256**. */
	ml_rng_seed(&r, 42);
	assert_true(ml_rng_next(&r) == 0x15780b2e0c2ec716ULL);
	assert_true(ml_rng_next(&r) == 0x6104d9866d113a7eULL);
	assert_true(ml_rng_next(&r) == 0xae17533239e499a1ULL);
}

static void
test_rng_ranges(void **state)
{
	MlRng r;
	int hist[7] = {0};

	ml_rng_seed(&r, 5);
	for (int i = 0; i < 70000; i++) {
		uint64_t x = ml_rng_below(&r, 7);
		double u = ml_rng_uniform(&r);

		assert_true(x < 7);
		assert_true(u >= 0 && u < 1);
		hist[x]++;
	}
	for (int i = 0; i < 7; i++)  /* 10000 expected, sd ~93 */
		assert_in_range(hist[i], 9500, 10500);
	assert_int_equal(ml_rng_below(&r, 1), 0);
	assert_int_equal(ml_rng_below(&r, 0), 0);
}

static void
test_perm_known(void **state)
{
	/* Fisher-Yates as documented, from the Python transcription. */
	const int32_t want[10] = {8, 3, 9, 0, 7, 2, 1, 6, 5, 4};
	int32_t got[10];

	assert_int_equal(ml_perm(10, 7, got, NULL), AC_OK);
	assert_memory_equal(got, want, sizeof want);
}

static void
test_perm_is_permutation(void **state)
{
	enum { N = 1000 };
	int32_t a[N], b[N];
	char seen[N] = {0};
	int same = 1;

	assert_int_equal(ml_perm(N, 123, a, NULL), AC_OK);
	for (int i = 0; i < N; i++) {
		assert_in_range(a[i], 0, N - 1);
		assert_int_equal(seen[a[i]], 0);
		seen[a[i]] = 1;
	}
	assert_int_equal(ml_perm(N, 123, b, NULL), AC_OK);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(ml_perm(N, 124, b, NULL), AC_OK);
	for (int i = 0; i < N; i++)
		same &= a[i] == b[i];
	assert_false(same);
}

static void
test_perm_edges(void **state)
{
	int32_t one[1] = {5};
	AcErr err;

	assert_int_equal(ml_perm(0, 1, NULL, &err), AC_OK);
	assert_int_equal(ml_perm(1, 1, one, &err), AC_OK);
	assert_int_equal(one[0], 0);
	assert_err(ml_perm(-3, 1, one, &err), err, AC_EINVAL, "perm: n = -3 is negative");
	assert_err(ml_perm(4, 1, NULL, &err), err, AC_EINVAL, "perm: nil output");
}

TEST_MAIN("ml/random",
          cmocka_unit_test(test_rng_known_values),
          cmocka_unit_test(test_rng_ranges),
          cmocka_unit_test(test_perm_known),
          cmocka_unit_test(test_perm_is_permutation),
          cmocka_unit_test(test_perm_edges))
