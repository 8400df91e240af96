/*
 * $Nn used from Limbo (tests/vm/limbo/nnapi.b): compiled by our limbo and
 * by Inferno's, whose signatures for module/nn.m (with its Tensor->T
 * arguments) must match the table generated from module/runt.m. A small
 * model is built by name, trained until its loss falls tenfold, saved and
 * loaded with the same outputs; a child's handle keeps the tree alive; a
 * line is fitted through an autograd tape on a layer's parameters; every
 * error is one "nn: ..." line. Model memory counts against
 * --heap-max.
 */
#include "tests/vm/limbo.h"

#include <stdlib.h>
#include <sys/resource.h>

static const char want_out[] =
	"nparams 33\n"
	"names 0.weight 0.bias out.weight out.bias\n"
	"loss fell tenfold 1\n"
	"lr .25\n"
	"loaded xor, same outputs 1\n"
	"out.weight [1,8]\n"
	"out.bias .5\n"
	"no child 1, no param 1\n"
	"child alone [3,1]\n"
	"Layer   Type    Output shape  Param #\n"
	"(root)  Linear  [3,1]         9\n"
	"Input: [3,8] f32\n"
	"Total params: 9\n"
	"Buffer elements: 0\n"
	"fit w 2.00 b 1.00\n"
	"d(x*x)/dx 0 2 4 6\n"
	"nn: argument 1: its tape was cleared or is gone\n"
	"nn: autograd: no gradient for op 'prod'\n"
	"block [2,5,8] [2,5,8], 672 parameters\n"
	"depth 63: nn: add: the model would nest deeper than 64\n"
	"nn: no type 'Lineer'\n"
	"nn: Linear: in_features 3, out_features -1\n"
	"nn: hyper-parameters: out_features=x is not a number\n"
	"nn: Linear out: not a container\n"
	"nn: Linear out: input [2,5] f32, want [*,8]\n"
	"nn: no loss 'HingeLoss' (CrossEntropyLoss NLLLoss MSELoss L1Loss SmoothL1Loss BCELoss BCEWithLogitsLoss KLDivLoss)\n"
	"nn: Adam: no option 'momentum' (it takes: lr beta1 beta2 eps weight_decay amsgrad maximize)\n";

static void
run_nnapi(const char *dis)
{
	RunResult r;
	char dir[] = "/tmp/nnapiXXXXXX", want[4096], cmd[300];

	assert_non_null(mkdtemp(dir));
	{
		char *argv[] = {"bin/dis-run", (char *)dis, dir, NULL};
		r = run_cmd(argv, NULL, 30000);
	}
	if (r.status != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want, "%snn: %s/none.gguf: No such file or directory\n"
	         "nn: %s/bad.gguf: offset 4: version 1953849888, want 2 or 3\n", want_out, dir, dir);
	assert_string_equal(r.out, want);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_nn_ours(void **state)
{
	(void)state;
	limbo_compile_ours("nnapi");
	run_nnapi(LIMBO_OURS "/nnapi.dis");
}

static void
test_nn_inferno(void **state)
{
	(void)state;
	limbo_compile("nnapi");
	run_nnapi(LIMBO_ROOT "/nnapi.dis");
}

/* A layer whose parameters pass --heap-max, or whose activations do,
 * raises the heap's own exception, refused before it is allocated (the
 * process stays small), and the program goes on. */
static void
test_nn_heap_quota(void **state)
{
	RunResult r;
	struct rusage ru;

	(void)state;
	limbo_compile_ours("nnhog");
	{
		char *argv[] = {"bin/dis-run", "--heap-max", "16m", LIMBO_OURS "/nnhog.dis", NULL};
		r = run_cmd(argv, NULL, 20000);
	}
	if (r.status != 0)
		print_error("status %d stderr [%s]\n", r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "small ok\ncaught out of memory: heap\nsmall ok\ncaught out of memory: heap\n"
	                           "caught out of memory: heap\nsmall ok\n");
	/* the largest child waited for: dis-run or the compiler before it */
	assert_int_equal(getrusage(RUSAGE_CHILDREN, &ru), 0);
	if (ru.ru_maxrss >= 200 * 1024)
		print_error("peak RSS %ld KiB\n", ru.ru_maxrss);
	assert_true(ru.ru_maxrss < 200 * 1024);
	run_free(&r);
}

TEST_MAIN("$Nn from Limbo", cmocka_unit_test(test_nn_ours), inferno_unit_test(test_nn_inferno),
          cmocka_unit_test(test_nn_heap_quota))
