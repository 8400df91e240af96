/*
 * $Tensor used from Limbo: Inferno's compiler computes the type signatures
 * of module/tensor.m, so a successful load proves ours match (bin/limbo's
 * program must load too); a shape error raises "tensor: gemm: ..." naming
 * the shapes, with module and pc; tensorapi.b walks the n-d API (views,
 * dtypes, the generic op path, NPY and GGUF files). Tensors are metered like the Dis heap:
 * their bytes count against --heap-max and their work against
 * --max-instructions.
 */
#include "tests/vm/limbo.h"

#include <sys/resource.h>

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
	         "dis-run: %s: uncaught exception: tensor: matmul: [2,3] and [5,5] do not agree (module TensorErr, pc ",
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

/* Tensors kept alive under --heap-max 16m stop at the Dis heap's own
 * catchable "out of memory: heap" (the attacker reached 4.7 GB), and the
 * process never holds much more than the quota. */
static void
test_tensor_heap_quota(void **state)
{
	RunResult r;
	struct rusage ru;
	long t0;

	(void)state;
	limbo_compile_ours("tensorhog");
	t0 = run_now_ms();
	{
		char *argv[] = {"bin/dis-run", "--heap-max", "16m", LIMBO_OURS "/tensorhog.dis", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	if (r.status != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "caught out of memory: heap after "));
	assert_non_null(strstr(r.out, "again 1024 x 1024\n"));
	assert_true(run_now_ms() - t0 < 10000);
	/* The largest child waited for: dis-run or the compiler before it. */
	assert_int_equal(getrusage(RUSAGE_CHILDREN, &ru), 0);
	if (ru.ru_maxrss >= 200 * 1024)
		print_error("peak RSS %ld KiB\n", ru.ru_maxrss);
	assert_true(ru.ru_maxrss < 200 * 1024);
	run_free(&r);
}

/* A gemm counts M*N*K/64 instructions, charged before it runs: under
 * --max-instructions 1000 a loop of 64x64 gemms (4096 each) completes
 * none, and under 10^6 a loop of 1024x1024 ones (2^24 each) ends at once
 * instead of running 10^6 billion-flop gemms. */
static void
test_tensor_gemm_budget(void **state)
{
	RunResult r;
	long t0;

	(void)state;
	limbo_compile_ours("gemmloop");
	{
		char *argv[] = {"bin/dis-run", "--max-instructions", "1000", LIMBO_OURS "/gemmloop.dis", "64", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "instruction budget of 1000 exhausted"));
	run_free(&r);
	t0 = run_now_ms();
	{
		char *argv[] = {"bin/dis-run", "--max-instructions", "1000000", LIMBO_OURS "/gemmloop.dis", "1024", NULL};
		r = run_cmd(argv, NULL, 10000);
	}
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "instruction budget of 1000000 exhausted"));
	assert_true(run_now_ms() - t0 < 5000);
	run_free(&r);
}

/* The n-d API from Limbo, compiled by our limbo and by Inferno's (whose
 * signatures must match module/tensor.m's table). */
static void
run_tensorapi(const char *dis)
{
	RunResult r;
	char dir[] = "/tmp/tensorapiXXXXXX";

	assert_non_null(mkdtemp(dir));
	{
		char *argv[] = {"bin/dis-run", (char *)dis, dir, NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	if (r.status != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out,
	                    "x [2,3] f32 1 2 3 4 5 6\n"
	                    "xt [3,2] f32 1 4 2 5 3 60; x[1,2] 60\n"
	                    "x+row 11 22 33 14 25 90\n"
	                    "sum [2,1] f32 6 69\n"
	                    "softmax [2] f64 .5 .5\n"
	                    "argmax [2] i64 2 2\n"
	                    "reversed [2,3] f32 3 2 1 60 5 4\n"
	                    "view [3,2] f32\n"
	                    "q [2,32] q8_0 numel 64 [1,31] .499969482421875\n"
	                    "npy   1 2 3 4 5 60\n"
	                    "gguf   2 b [3] f32 10 20 30\n"
	                    "missing: 1\n"
	                    "caught tensor: add: [2,3] and [4] do not broadcast\n"
	                    "caught tensor: sum: bad value \"x\" for option axis\n"
	                    "caught tensor: op: no op named \"nosuch\"\n"
	                    "1 ops\n");
	run_free(&r);
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void
test_tensor_api(void **state)
{
	(void)state;
	limbo_compile_ours("tensorapi");
	run_tensorapi(LIMBO_OURS "/tensorapi.dis");
}

static void
test_tensor_api_inferno(void **state)
{
	(void)state;
	limbo_compile("tensorapi");
	run_tensorapi(LIMBO_ROOT "/tensorapi.dis");
}

TEST_MAIN("vm/tensor from Limbo",
          cmocka_unit_test(test_tensor_api),
          inferno_unit_test(test_tensor_api_inferno),
          inferno_unit_test(test_tensor_from_limbo),
          cmocka_unit_test(test_tensor_from_limbo_ours),
          cmocka_unit_test(test_tensor_heap_quota),
          cmocka_unit_test(test_tensor_gemm_budget))
