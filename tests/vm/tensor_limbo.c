/*
 * $Tensor used from Limbo: Inferno's compiler computes the type signatures
 * of module/tensor.m, so a successful load proves ours match; a shape
 * error raises "tensor: gemm: ..." naming the shapes, with module and pc.
 */
#include "tests/vm/limbo.h"

static void
test_tensor_from_limbo(void **state)
{
	RunResult r;

	limbo_compile("tensorerr");
	{
		char *argv[] = {"bin/dis-run", LIMBO_ROOT "/tensorerr.dis", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "c 2 x 4\n");
	assert_non_null(strstr(r.err, "dis-run: " LIMBO_ROOT "/tensorerr.dis: uncaught exception: tensor: gemm: "
	                              "a [2,3] and b [5,5] do not agree (module TensorErr, pc "));
	run_free(&r);
}

TEST_MAIN("vm/tensor from Limbo",
          cmocka_unit_test(test_tensor_from_limbo))
