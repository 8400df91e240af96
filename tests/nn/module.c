/*
 * The module core (nn/module.c): parameters by dotted name, zero_grad,
 * modes, dtype conversion, and the errors of forward and backward.
 */
#include "tests/nn/nntest.h"
#include "nn/nn_impl.h"

#include <stdlib.h>

static int
noop_output(NnModule *m, MlTensor *input, AcErr *err)
{
	return nn_ensure_like(&m->output, input, err);
}

static int
noop_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	return nn_ensure_like(&m->grad_input, input, err);
}

static const NnClass noop = {.type = "Noop", .update_output = noop_output,
                             .update_grad_input = noop_grad_input};

static NnModule *
noop_with(const char *name, int nparams)
{
	NnModule *m = nn_module_new(&noop, 0, NULL);
	int64_t ne[1] = {3};

	assert_non_null(m);
	snprintf(m->name, sizeof m->name, "%s", name);
	for (int i = 0; i < nparams; i++) {
		char pn[16];
		snprintf(pn, sizeof pn, i == 0 ? "weight" : "bias");
		assert_int_equal(nn_param_add(m, pn, ml_tensor_zeros(ML_F32, 1, ne, NULL), true, NULL), AC_OK);
	}
	return m;
}

static int
collect(void *ctx, const char *name, NnParam *p)
{
	char *buf = ctx;

	(void)p;
	strcat(buf, name);
	strcat(buf, " ");
	return 0;
}

/* Children's parameters are named by the dotted path, depth first. */
static void
test_named_parameters(void **state)
{
	NnModule *root = noop_with("", 0), *a = noop_with("0", 2), *b = noop_with("layers", 0),
	         *c = noop_with("3", 2);
	char names[256] = "";

	root->children = calloc(2, sizeof *root->children);
	root->children[0] = a;
	root->children[1] = b;
	root->nchildren = 2;
	b->children = calloc(1, sizeof *b->children);
	b->children[0] = c;
	b->nchildren = 1;
	assert_int_equal(nn_param_add(c, "running_mean", ml_tensor_zeros(ML_F32, 1, (int64_t[]){3}, NULL),
	                              false, NULL), AC_OK);
	nn_named_parameters(root, false, collect, names);
	assert_string_equal(names, "0.weight 0.bias layers.3.weight layers.3.bias ");
	names[0] = 0;
	nn_named_parameters(root, true, collect, names);
	assert_string_equal(names, "0.weight 0.bias layers.3.weight layers.3.bias layers.3.running_mean ");
	assert_int_equal(nn_num_parameters(root), 12);
	assert_ptr_equal(nn_find_param(root, "layers.3.bias"), &c->param[1]);
	assert_null(nn_find_param(root, "layers.3.gamma"));

	ML_F32(c->param[1].grad)[2] = 5;
	nn_zero_grad(root);
	assert_true(ML_F32(c->param[1].grad)[2] == 0);
	nn_train(root, false);
	assert_false(c->training);
	assert_int_equal(nn_to_dtype(root, ML_F64, NULL), AC_OK);
	assert_int_equal(c->param[1].grad->dtype, ML_F64);
	assert_int_equal(c->param[2].value->dtype, ML_F64);
	nn_free(root);
}

/* backward checks grad_output against the output, and needs a forward. */
static void
test_backward_errors(void **state)
{
	NnModule *m = noop_with("fc", 0);
	MlTensor *x = t64(2, (int64_t[]){2, 3}, NULL), *g = t64(2, (int64_t[]){3, 2}, NULL);
	AcErr err = {0};

	assert_null(nn_backward(m, x, g, 1, &err));
	assert_string_equal(err.msg, "Noop fc: backward before forward");
	assert_non_null(nn_forward(m, x, &err));
	assert_null(nn_backward(m, x, g, 1, &err));
	assert_string_equal(err.msg, "Noop fc: grad_output [3,2] f64, output [2,3] f64");
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	nn_free(m);
}

/* A model file that nests too deep or holds too many modules is refused
 * before it is built (a hostile file must not ask for gigabytes, or
 * recurse past the stack). */
static void
test_load_bounds(void **state)
{
	const char *path = "build/tests/nn/bounds.gguf";
	struct {
		uint32_t count;
		int chain;  /* module i's parent is i-1, else 0 */
		const char *want;
	} cases[] = {
		{65, 1, "build/tests/nn/bounds.gguf: module 64 nests deeper than 64"},
		{NN_MAX_MODULES + 1, 0, "build/tests/nn/bounds.gguf: acheron.module_count: missing or not 1 to 4096"},
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		MlGgufWriter *w = ml_gguf_writer_new(NULL);
		uint32_t n = cases[c].count;
		AcErr err = {0};
		char key[64];

		assert_non_null(w);
		assert_int_equal(ml_gguf_writer_set(w, "general.architecture", ML_GGUF_STR, "acheron", NULL), AC_OK);
		assert_int_equal(ml_gguf_writer_set(w, "acheron.module_count", ML_GGUF_U32, &n, NULL), AC_OK);
		for (uint32_t i = 0; i < n && i < 70; i++) {
			int32_t parent = i == 0 ? -1 : cases[c].chain ? (int32_t)i - 1 : 0;
			snprintf(key, sizeof key, "acheron.module.%u.type", i);
			assert_int_equal(ml_gguf_writer_set(w, key, ML_GGUF_STR, "Sequential", NULL), AC_OK);
			snprintf(key, sizeof key, "acheron.module.%u.name", i);
			assert_int_equal(ml_gguf_writer_set(w, key, ML_GGUF_STR, i == 0 ? "" : "m", NULL), AC_OK);
			snprintf(key, sizeof key, "acheron.module.%u.parent", i);
			assert_int_equal(ml_gguf_writer_set(w, key, ML_GGUF_I32, &parent, NULL), AC_OK);
		}
		assert_int_equal(ml_gguf_writer_write(w, path, NULL), AC_OK);
		ml_gguf_writer_free(w);
		assert_null(nn_load(path, NULL, 0, &err));
		assert_int_equal(err.code, AC_EFORMAT);
		assert_string_equal(err.msg, cases[c].want);
	}
}

TEST_MAIN("nn module core", cmocka_unit_test(test_load_bounds), cmocka_unit_test(test_named_parameters), cmocka_unit_test(test_backward_errors))
