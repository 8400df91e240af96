/* Helpers shared by the tests/ml files: tensors from literals, comparisons
 * that print decimals. */
#ifndef TESTS_ML_MLTEST_H
#define TESTS_ML_MLTEST_H

#include "tests/test.h"
#include "ml/ml.h"

#include <string.h>

/* A 2-D rows x cols tensor holding vals (or zeros when vals is NULL). */
static inline MlTensor *
mat(int64_t rows, int64_t cols, const float *vals)
{
	int64_t shape[2] = {rows, cols};
	MlTensor *t = ml_tensor_new(2, shape, NULL);

	assert_non_null(t);
	if (vals != NULL)
		memcpy(ML_F32(t), vals, (size_t)(rows * cols) * sizeof(float));
	return t;
}

/* Asserts every element of t is within atol + rtol*|want| of want[]. */
#define assert_all_close(t, want, atol, rtol)                                   \
	do {                                                                    \
		for (int64_t i_ = 0; i_ < ml_tensor_numel(t); i_++)             \
			assert_close(ML_F32(t)[i_], (want)[i_], atol, rtol);     \
	} while (0)

/* Asserts status rc with code want and the exact one-line message. */
#define assert_err(rc, err, want_code, want_msg)                                \
	do {                                                                    \
		assert_int_equal((rc), (want_code));                            \
		assert_int_equal((err).code, (want_code));                      \
		assert_string_equal((err).msg, (want_msg));                     \
	} while (0)

#endif
