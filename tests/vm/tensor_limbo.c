/*
 * $Tensor used from Limbo: Inferno's compiler computes the type signatures
 * of module/tensor.m, so a successful load proves ours match (bin/limbo's
 * program must load too); a shape error raises "tensor: gemm: ..." naming
 * the shapes, with module and pc.
 */
#include "tests/vm/limbo.h"

static void
run_tensorerr(const char *dis)
{
	RunResult r;
	char want[512];

	{
		char *argv[] = {"bin/dis-run", (char *)dis, NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "c 2 x 4\n");
	snprintf(want, sizeof want,
	         "dis-run: %s: uncaught exception: tensor: gemm: a [2,3] and b [5,5] do not agree (module TensorErr, pc ",
	         dis);
	if (strstr(r.err, want) == NULL)
		print_error("stderr [%s]\nwant   [%s...]\n", r.err, want);
	assert_non_null(strstr(r.err, want));
	run_free(&r);
}

static void
test_tensor_from_limbo(void **state)
{
	(void)state;
	limbo_compile("tensorerr");
	run_tensorerr(LIMBO_ROOT "/tensorerr.dis");
}

static void
test_tensor_from_limbo_ours(void **state)
{
	(void)state;
	limbo_compile_ours("tensorerr");
	run_tensorerr(LIMBO_OURS "/tensorerr.dis");
}

TEST_MAIN("vm/tensor from Limbo",
          inferno_unit_test(test_tensor_from_limbo),
          cmocka_unit_test(test_tensor_from_limbo_ours))
