/*
 * Containers (nn/container.c) with real children, checked by f64 finite
 * differences; their names, outputs, scale and errors; nn_summary's
 * table (nn/summary.c).
 */
#include "tests/nn/nntest.h"

#include <stdlib.h>

static NnModule *
seq_of(NnModule *c0, NnModule *c1, NnModule *c2)
{
	NnModule *s = nn_sequential(NULL);
	NnModule *c[3] = {c0, c1, c2};

	assert_non_null(s);
	for (int i = 0; i < 3; i++)
		if (c[i] != NULL)
			assert_int_equal(nn_add(s, c[i], NULL, NULL), AC_OK);
	return s;
}

static int
collect(void *ctx, const char *name, NnParam *p)
{
	(void)p;
	strcat(ctx, name);
	strcat(ctx, " ");
	return 0;
}

/* Sequential(Linear, Tanh, Linear): gradients, names, borrowed output. */
static void
test_sequential(void **state)
{
	AcErr err = {0};
	NnModule *s = seq_of(nn_linear(4, 5, true, 1, NULL), nn_tanh(NULL), nn_linear(5, 3, true, 2, NULL));
	MlTensor *x = t64_rand(2, (int64_t[]){3, 4}, -1, 1, 1), *y;
	char names[128] = "";

	nn_named_parameters(s, false, collect, names);
	assert_string_equal(names, "0.weight 0.bias 2.weight 2.bias ");
	assert_int_equal(nn_num_parameters(s), 4 * 5 + 5 + 5 * 3 + 3);
	nn_check_grads(s, x);
	y = nn_forward(s, x, &err);
	assert_ptr_equal(y, s->children[2]->output);  /* borrowed, not copied */
	nn_backward(s, x, y, 1, &err);
	assert_ptr_equal(s->grad_input, s->children[0]->grad_input);
	nn_free(s);
	ml_tensor_unref(x);
}

/* An empty Sequential passes its input through. */
static void
test_sequential_empty(void **state)
{
	AcErr err = {0};
	NnModule *s = nn_sequential(NULL);
	MlTensor *x = t64_rand(1, (int64_t[]){3}, -1, 1, 1);

	assert_ptr_equal(nn_forward(s, x, &err), x);
	nn_check_grads(s, x);
	nn_free(s);
	ml_tensor_unref(x);
}

/* acc_grad_parameters's scale reaches the children. */
static void
test_scale(void **state)
{
	AcErr err = {0};
	NnModule *s = seq_of(nn_linear(3, 2, true, 1, NULL), nn_relu(NULL), nn_linear(2, 2, true, 2, NULL));
	MlTensor *x = t64_rand(2, (int64_t[]){4, 3}, -1, 1, 2), *g = t64_rand(2, (int64_t[]){4, 2}, -1, 1, 3);
	MlTensor *g1;

	assert_int_equal(nn_to_dtype(s, ML_F64, &err), AC_OK);
	assert_non_null(nn_forward(s, x, &err));
	assert_non_null(nn_backward(s, x, g, 1, &err));
	g1 = ml_cast(s->children[0]->param[0].grad, ML_F64, NULL);
	nn_zero_grad(s);
	assert_non_null(nn_backward(s, x, g, 0.25, &err));
	for (int i = 0; i < 6; i++)
		assert_close(D64(s->children[0]->param[0].grad)[i], 0.25 * D64(g1)[i], 1e-14, 1e-12);
	ml_tensor_unref(g1);
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	nn_free(s);
}

/* Residual(Linear(4, 4)): output = x + Linear(x), and its gradients. */
static void
test_residual(void **state)
{
	AcErr err = {0};
	NnModule *r = nn_residual(NULL), *lin = nn_linear(4, 4, true, 3, NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){2, 4}, -1, 1, 4), *y, *ly;

	assert_int_equal(nn_add(r, lin, NULL, &err), AC_OK);
	assert_int_equal(nn_to_dtype(r, ML_F64, &err), AC_OK);
	y = nn_forward(r, x, &err);
	assert_non_null(y);
	ly = lin->output;
	for (int i = 0; i < 8; i++)
		assert_close(D64(y)[i], D64(x)[i] + D64(ly)[i], 1e-15, 0);
	nn_check_grads(r, x);
	nn_free(r);
	/* a body that changes the shape */
	r = nn_residual(NULL);
	assert_int_equal(nn_add(r, nn_linear(4, 3, true, 3, NULL), "fc", &err), AC_OK);
	assert_int_equal(nn_to_dtype(r, ML_F64, &err), AC_OK);
	assert_null(nn_forward(r, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Residual: body output [2,3] f64, input [2,4] f64");
	nn_free(r);
	ml_tensor_unref(x);
}

/* Concat(1) of Linear(4, 2) and Linear(4, 3): [N, 5]; and along dim 0. */
static void
test_concat(void **state)
{
	AcErr err = {0};
	NnModule *c = nn_concat(1, NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){3, 4}, -1, 1, 5), *x2, *y;

	assert_int_equal(nn_add(c, nn_linear(4, 2, true, 1, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_add(c, nn_linear(4, 3, true, 2, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_to_dtype(c, ML_F64, &err), AC_OK);
	y = nn_forward(c, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ne[0], 3);
	assert_int_equal(y->ne[1], 5);
	for (int i = 0; i < 3; i++) {
		assert_true(D64(y)[i * 5 + 1] == D64(c->children[0]->output)[i * 2 + 1]);
		assert_true(D64(y)[i * 5 + 4] == D64(c->children[1]->output)[i * 3 + 2]);
	}
	nn_check_grads(c, x);
	nn_free(c);
	c = nn_concat(-2, NULL);  /* dim 0 of a 2-d output */
	assert_int_equal(nn_add(c, nn_linear(3, 3, true, 1, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_add(c, nn_tanh(NULL), NULL, &err), AC_OK);
	x2 = t64_rand(2, (int64_t[]){2, 3}, -1, 1, 6);
	assert_int_equal(nn_to_dtype(c, ML_F64, &err), AC_OK);
	y = nn_forward(c, x2, &err);
	assert_non_null(y);
	assert_int_equal(y->ne[0], 4);
	nn_check_grads(c, x2);
	ml_tensor_unref(x2);
	/* outputs that do not join */
	nn_free(c);
	c = nn_concat(0, NULL);
	assert_int_equal(nn_add(c, nn_linear(4, 3, true, 1, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_add(c, nn_linear(4, 2, true, 1, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_to_dtype(c, ML_F64, &err), AC_OK);
	assert_null(nn_forward(c, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Concat: output 1 [3,2] f64 does not join output 0 [3,3] f64 along 0");
	nn_free(c);
	ml_tensor_unref(x);
}

/* Parallel(1, 1): child i runs on x[:, i, :]; outputs joined along 1. */
static void
test_parallel(void **state)
{
	AcErr err = {0};
	NnModule *p = nn_parallel(1, 1, NULL);
	MlTensor *x = t64_rand(3, (int64_t[]){3, 2, 4}, -1, 1, 7), *y;
	MlTensor *x3 = t64_rand(3, (int64_t[]){3, 3, 4}, -1, 1, 7);

	assert_int_equal(nn_add(p, nn_linear(4, 3, true, 1, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_add(p, seq_of(nn_linear(4, 2, true, 2, NULL), nn_sigmoid(NULL), NULL), NULL,
	                        &err), AC_OK);
	assert_int_equal(nn_to_dtype(p, ML_F64, &err), AC_OK);
	y = nn_forward(p, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 2);
	assert_int_equal(y->ne[1], 5);
	/* child 0 saw x[:, 0, :]: its output row 2, by hand */
	{
		const MlTensor *w = p->children[0]->param[0].value, *b = p->children[0]->param[1].value;
		double s = D64(b)[1];
		for (int j = 0; j < 4; j++)
			s += D64(w)[4 + j] * D64(x)[2 * 8 + j];
		assert_close(D64(y)[2 * 5 + 1], s, 1e-14, 1e-12);
	}
	nn_check_grads(p, x);
	assert_null(nn_forward(p, x3, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Parallel: input [3,3,4] has 3 slices along 1, want 2 (one per child)");
	nn_free(p);
	ml_tensor_unref(x);
	ml_tensor_unref(x3);
}

/* Containers inside containers, with a layer's error naming it. */
static void
test_nested(void **state)
{
	AcErr err = {0};
	NnModule *res = nn_residual(NULL), *cat = nn_concat(-1, NULL);
	NnModule *s;
	MlTensor *x = t64_rand(2, (int64_t[]){2, 4}, -1, 1, 8), *bad = t64(2, (int64_t[]){2, 5}, NULL);

	assert_int_equal(nn_add(res, seq_of(nn_linear(4, 4, true, 1, NULL), nn_gelu(false, NULL), NULL),
	                        NULL, &err), AC_OK);
	assert_int_equal(nn_add(cat, nn_linear(4, 2, true, 2, NULL), NULL, &err), AC_OK);
	assert_int_equal(nn_add(cat, nn_identity(NULL), NULL, &err), AC_OK);
	s = seq_of(res, cat, nn_linear(6, 2, true, 3, NULL));
	nn_check_grads(s, x);
	assert_non_null(nn_find_param(s, "0.0.0.weight"));
	assert_non_null(nn_find_param(s, "1.0.bias"));
	assert_null(nn_forward(s, bad, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Linear 0: input [2,5] f64, want [*,4]");
	nn_free(s);
	ml_tensor_unref(x);
	ml_tensor_unref(bad);
}

static void
test_add_errors(void **state)
{
	AcErr err = {0};
	NnModule *s = nn_sequential(NULL), *lin = nn_linear(2, 2, true, 1, NULL), *r = nn_relu(NULL);

	assert_int_equal(nn_add(s, nn_relu(NULL), "act", &err), AC_OK);
	assert_string_equal(s->children[0]->name, "act");
	/* a refused child stays the caller's */
	assert_int_equal(nn_add(s, r, "act", &err), AC_EINVAL);
	assert_string_equal(err.msg, "Sequential: child name 'act' is taken");
	assert_int_equal(nn_add(s, r, "a.b", &err), AC_EINVAL);
	assert_int_equal(nn_add(lin, r, NULL, &err), AC_EINVAL);
	assert_string_equal(err.msg, "Linear: not a container");
	assert_int_equal(nn_add(s, r, NULL, &err), AC_OK);
	assert_string_equal(s->children[1]->name, "1");
	assert_int_equal(s->nchildren, 2);
	assert_true(nn_is_container(s));
	assert_false(nn_is_container(lin));
	nn_free(s);
	nn_free(lin);
}

static char *
summary_of(NnModule *m, int ndim, const int64_t *ne, MlDtype dt, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	AcErr err = {0};

	assert_non_null(f);
	*rc = nn_summary(m, ndim, ne, dt, f, &err);
	fclose(f);
	if (*rc != AC_OK)
		print_message("# summary: %s\n", err.msg);
	return buf;
}

static void
test_summary(void **state)
{
	NnModule *res = nn_residual(NULL), *drop = nn_dropout(0.5, 1, NULL), *s = nn_sequential(NULL);
	char *out;
	int rc;

	assert_int_equal(nn_add(s, nn_linear(4, 8, true, 1, NULL), NULL, NULL), AC_OK);
	assert_int_equal(nn_add(res, nn_linear(8, 8, true, 2, NULL), NULL, NULL), AC_OK);
	assert_int_equal(nn_add(s, res, "block", NULL), AC_OK);
	assert_int_equal(nn_add(s, drop, NULL, NULL), AC_OK);
	assert_int_equal(nn_add(s, nn_linear(8, 3, true, 3, NULL), NULL, NULL), AC_OK);
	out = summary_of(s, 2, (int64_t[]){2, 4}, ML_F32, &rc);
	assert_int_equal(rc, AC_OK);
	assert_string_equal(out,
		"Layer    Type        Output shape  Param #\n"
		"(root)   Sequential  [2,3]         139\n"
		"0        Linear      [2,8]         40\n"
		"block    Residual    [2,8]         72\n"
		"block.0  Linear      [2,8]         72\n"
		"2        Dropout     [2,8]         0\n"
		"3        Linear      [2,3]         27\n"
		"Input: [2,4] f32\n"
		"Total params: 139\n"
		"Buffer elements: 0\n");
	free(out);
	/* modes come back as they were, each its own */
	assert_true(s->training);
	nn_train(drop, false);
	out = summary_of(s, 2, (int64_t[]){2, 4}, ML_F32, &rc);
	free(out);
	assert_true(s->training);
	assert_false(drop->training);
	/* a wrong input: the layer's error, nothing printed */
	out = summary_of(s, 2, (int64_t[]){2, 5}, ML_F32, &rc);
	assert_int_equal(rc, AC_ESHAPE);
	assert_string_equal(out, "");
	free(out);
	nn_free(s);
}

TEST_MAIN("nn containers", cmocka_unit_test(test_sequential), cmocka_unit_test(test_sequential_empty),
          cmocka_unit_test(test_scale), cmocka_unit_test(test_residual), cmocka_unit_test(test_concat),
          cmocka_unit_test(test_parallel), cmocka_unit_test(test_nested),
          cmocka_unit_test(test_add_errors), cmocka_unit_test(test_summary))
