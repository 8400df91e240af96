/*
 * The autograd tape (nn/autograd.c) and the gradient of each op
 * (nn/grad.c): every op with a gradient against central differences in
 * f64, broadcasting, reductions over axes, batched matmul; accumulation,
 * no_grad, detach, the errors; a tiny model trained on the leaves.
 */
#include "tests/nn/nntest.h"

#include <stdlib.h>

/* One finite-difference case: op on inputs of the given shapes, drawn
 * from U(lo, hi). */
typedef struct Case {
	MlOp op;
	int nin;
	int ndim[3];              /* -1: the input is absent (NULL) */
	int64_t ne[3][4];
	double lo, hi;
	MlOpParams p;
} Case;

/* sum(r * op(in)) computed directly by ml. */
static double
direct_loss(const Case *c, MlTensor **in, const MlTensor *r)
{
	AcErr err = {0};
	MlTensor *y = ml_op(c->op, in, &c->p, &err), *yc;
	double s = 0;

	if (y == NULL) {
		print_error("%s: %s\n", ml_op_name(c->op), err.msg);
		return NAN;
	}
	yc = ml_tensor_contiguous(y, NULL);
	for (int64_t i = 0; i < ml_tensor_numel(yc); i++)
		s += D64(yc)[i] * D64(r)[i];
	ml_tensor_unref(yc);
	ml_tensor_unref(y);
	return s;
}

/* Checks the tape's gradient of sum(r * op(in)) with respect to every
 * input with want[i] (f64, contiguous) against central differences;
 * returns 1 when all agree. */
static int
check_grads(MlOp op, MlTensor **in, const bool *want, int nin, const MlOpParams *p, uint64_t seed)
{
	const double h = 1e-6;
	Case c = {.op = op, .nin = nin, .p = *p};
	MlTensor *r;
	NnVar *v[ML_OP_MAX_INPUTS] = {NULL}, *y;
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};
	int ok = 1;
	char what[64];

	assert_non_null(t);
	for (int i = 0; i < nin; i++) {
		if (in[i] == NULL)
			continue;
		v[i] = nn_var(t, in[i], want[i], &err);
		assert_non_null(v[i]);
	}
	y = nn_var_op(t, op, v, nin, p, &err);
	if (y == NULL)
		print_error("%s: %s\n", ml_op_name(op), err.msg);
	assert_non_null(y);
	assert_true(nn_var_requires_grad(y));
	r = t64_rand(nn_var_value(y)->ndim, nn_var_value(y)->ne, -1, 1, seed ^ 0x5eed);
	if (nn_tape_backward(t, y, r, &err) != AC_OK)
		print_error("%s backward: %s\n", ml_op_name(op), err.msg);
	assert_int_equal(err.code, AC_OK);
	for (int i = 0; i < nin && ok; i++) {
		MlTensor *gx;
		if (in[i] == NULL || !want[i])
			continue;
		gx = nn_var_grad(v[i]);
		assert_non_null(gx);
		assert_true(ml_same_shape(gx, in[i]));
		assert_int_equal(gx->dtype, ML_F64);
		snprintf(what, sizeof what, "%s input %d", ml_op_name(op), i + 1);
		for (int64_t j = 0; j < ml_tensor_numel(in[i]) && ok; j++) {
			double x = D64(in[i])[j], lp, lm;
			D64(in[i])[j] = x + h;
			lp = direct_loss(&c, in, r);
			D64(in[i])[j] = x - h;
			lm = direct_loss(&c, in, r);
			D64(in[i])[j] = x;
			ok = nn_test_close(what, j, D64(gx)[j], (lp - lm) / (2 * h), 1e-6, 1e-5);
		}
	}
	ml_tensor_unref(r);
	nn_tape_free(t);
	return ok;
}

/* check_grads on inputs drawn from the case's shapes and range. */
static int
check_case(const Case *c, uint64_t seed)
{
	MlTensor *in[ML_OP_MAX_INPUTS] = {NULL};
	bool want[ML_OP_MAX_INPUTS] = {false};
	int ok;

	for (int i = 0; i < c->nin; i++) {
		if (c->ndim[i] < 0)
			continue;
		in[i] = t64_rand(c->ndim[i], c->ne[i], c->lo, c->hi, seed + (uint64_t)i);
		want[i] = true;
	}
	ok = check_grads(c->op, in, want, c->nin, &c->p, seed);
	for (int i = 0; i < c->nin; i++)
		ml_tensor_unref(in[i]);
	return ok;
}

/* A case literal: op, input count, ranks, shapes, range, then params. */
#define CASE(op_, nin_, ndim_, ne_, lo_, hi_, ...) \
	{.op = ML_OP_##op_, .nin = nin_, .ndim = ndim_, .ne = ne_, .lo = lo_, .hi = hi_, \
	 .p = {__VA_ARGS__}}
#define L(...) {__VA_ARGS__}

/* The binary ops, each on several broadcasting patterns. */
static const struct { MlOp op; double lo, hi; } binops[] = {
	{ML_OP_ADD, -2, 2}, {ML_OP_SUB, -2, 2}, {ML_OP_MUL, -2, 2}, {ML_OP_DIV, 0.5, 2},
	{ML_OP_POW, 0.5, 1.5}, {ML_OP_MAXIMUM, -2, 2}, {ML_OP_MINIMUM, -2, 2},
	{ML_OP_MOD, 0.3, 1.9}, {ML_OP_FMOD, 0.3, 1.9},
};

static const struct { int na; int64_t a[3]; int nb; int64_t b[3]; } bshapes[] = {
	{2, {3, 1}, 2, {1, 4}},        /* both broadcast */
	{3, {2, 3, 4}, 1, {4}},        /* new leading dimensions */
	{2, {2, 3}, 2, {2, 3}},        /* same shape */
	{0, {0}, 2, {2, 3}},           /* a 0-d scalar */
	{3, {2, 1, 4}, 2, {3, 1}},
};

static void
test_binary(void **state)
{
	for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
		for (size_t s = 0; s < sizeof bshapes / sizeof bshapes[0]; s++) {
			Case c = {.op = binops[i].op, .nin = 2, .lo = binops[i].lo, .hi = binops[i].hi};
			c.ndim[0] = bshapes[s].na;
			c.ndim[1] = bshapes[s].nb;
			memcpy(c.ne[0], bshapes[s].a, sizeof bshapes[s].a);
			memcpy(c.ne[1], bshapes[s].b, sizeof bshapes[s].b);
			if (!check_case(&c, 10 * i + s)) {
				print_error("binary %s, shape case %zu\n", ml_op_name(c.op), s);
				fail();
			}
		}
}

/* Every unary op with a gradient, on a domain where it is smooth. */
static const struct { MlOp op; double lo, hi, p0, p1; } unops[] = {
	{ML_OP_NEG, -2, 2, 0, 0}, {ML_OP_ABS, -2, 2, 0, 0}, {ML_OP_EXP, -2, 2, 0, 0},
	{ML_OP_LOG, 0.5, 2, 0, 0}, {ML_OP_SQRT, 0.5, 2, 0, 0}, {ML_OP_RSQRT, 0.5, 2, 0, 0},
	{ML_OP_RECIPROCAL, 0.5, 2, 0, 0}, {ML_OP_SIN, -2, 2, 0, 0}, {ML_OP_COS, -2, 2, 0, 0},
	{ML_OP_TAN, -1, 1, 0, 0}, {ML_OP_ASIN, -0.8, 0.8, 0, 0}, {ML_OP_ACOS, -0.8, 0.8, 0, 0},
	{ML_OP_ATAN, -2, 2, 0, 0}, {ML_OP_SINH, -2, 2, 0, 0}, {ML_OP_COSH, -2, 2, 0, 0},
	{ML_OP_ASINH, -2, 2, 0, 0}, {ML_OP_ACOSH, 1.5, 3, 0, 0}, {ML_OP_ATANH, -0.8, 0.8, 0, 0},
	{ML_OP_TANH, -2, 2, 0, 0}, {ML_OP_ERF, -2, 2, 0, 0}, {ML_OP_SIGMOID, -3, 3, 0, 0},
	{ML_OP_RELU, -2, 2, 0, 0}, {ML_OP_LEAKY_RELU, -2, 2, 0.1, 0}, {ML_OP_ELU, -2, 2, 1.3, 0},
	{ML_OP_CELU, -2, 2, 0.7, 0}, {ML_OP_SELU, -2, 2, 0, 0}, {ML_OP_GELU, -3, 3, 0, 0},
	{ML_OP_GELU_TANH, -3, 3, 0, 0}, {ML_OP_SILU, -3, 3, 0, 0}, {ML_OP_MISH, -3, 3, 0, 0},
	{ML_OP_SOFTPLUS, -3, 3, 0, 0}, {ML_OP_SOFTSIGN, -3, 3, 0, 0},
	{ML_OP_HARDSIGMOID, -4, 4, 0, 0}, {ML_OP_HARDSWISH, -4, 4, 0, 0},
	{ML_OP_CLAMP, -2, 2, -0.5, 0.7},
};

static void
test_unary(void **state)
{
	for (size_t i = 0; i < sizeof unops / sizeof unops[0]; i++) {
		Case c = {.op = unops[i].op, .nin = 1, .ndim = {2}, .ne = {{3, 4}}, .lo = unops[i].lo,
		          .hi = unops[i].hi};
		c.p.p[0] = unops[i].p0;
		c.p.p[1] = unops[i].p1;
		if (!check_case(&c, 100 + i))
			fail();
	}
}

/* The reductions over all axes, one axis, two axes with keepdim. */
static void
test_reduce(void **state)
{
	static const MlOp ops[] = {ML_OP_SUM, ML_OP_MEAN, ML_OP_AMAX, ML_OP_AMIN, ML_OP_VAR,
	                           ML_OP_STD, ML_OP_LOGSUMEXP, ML_OP_NORM1, ML_OP_NORM2,
	                           ML_OP_SUMSQ};
	static const struct { uint32_t axes; bool keep; int corr; } how[] = {
		{0, false, 0}, {0x2, false, 1}, {0x5, true, 0}, {0x4, true, 1},
	};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		for (size_t k = 0; k < sizeof how / sizeof how[0]; k++) {
			Case c = {.op = ops[i], .nin = 1, .ndim = {3}, .ne = {{2, 3, 4}}, .lo = -2, .hi = 2};
			c.p.axes = how[k].axes;
			c.p.keepdim = how[k].keep;
			c.p.correction = how[k].corr;
			if (!check_case(&c, 200 + 10 * i + k)) {
				print_error("reduce %s, axes 0x%x keepdim %d\n", ml_op_name(c.op),
				            how[k].axes, how[k].keep);
				fail();
			}
		}
}

/* amax's gradient is shared among tied maxima (PyTorch's choice). */
static void
test_amax_ties(void **state)
{
	MlTensor *x = t64(1, (int64_t[]){4}, (double[]){1, 3, 3, 2});
	NnTape *t = nn_tape_new(NULL);
	NnVar *v = nn_var(t, x, true, NULL), *y;

	y = nn_var_op(t, ML_OP_AMAX, &v, 1, NULL, NULL);
	assert_int_equal(nn_tape_backward(t, y, NULL, NULL), AC_OK);
	assert_close(D64(nn_var_grad(v))[0], 0, 0, 0);
	assert_close(D64(nn_var_grad(v))[1], 0.5, 0, 0);
	assert_close(D64(nn_var_grad(v))[2], 0.5, 0, 0);
	assert_close(D64(nn_var_grad(v))[3], 0, 0, 0);
	nn_tape_free(t);
	ml_tensor_unref(x);
}

/* matmul: plain, batched with broadcast batch dimensions, 1-d operands;
 * linear with and without bias, batched and 1-d. */
static void
test_matmul_linear(void **state)
{
	static const Case cases[] = {
		CASE(MATMUL, 2, L(2, 2), L({2, 3}, {3, 4}), -1, 1, .axes = 0),
		CASE(MATMUL, 2, L(4, 3), L({2, 1, 3, 4}, {3, 4, 5}), -1, 1, .axes = 0),
		CASE(MATMUL, 2, L(1, 2), L({3}, {3, 4}), -1, 1, .axes = 0),
		CASE(MATMUL, 2, L(3, 1), L({2, 3, 4}, {4}), -1, 1, .axes = 0),
		CASE(MATMUL, 2, L(1, 1), L({4}, {4}), -1, 1, .axes = 0),
		CASE(MATMUL, 2, L(1, 3), L({3}, {2, 3, 4}), -1, 1, .axes = 0),
		CASE(LINEAR, 3, L(3, 2, 1), L({2, 3, 4}, {5, 4}, {5}), -1, 1, .axes = 0),
		CASE(LINEAR, 3, L(2, 2, -1), L({3, 4}, {5, 4}, {0}), -1, 1, .axes = 0),
		CASE(LINEAR, 3, L(1, 2, 1), L({4}, {2, 4}, {2}), -1, 1, .axes = 0),
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (!check_case(&cases[i], 300 + i)) {
			print_error("case %zu\n", i);
			fail();
		}
}

static void
test_softmax_norm(void **state)
{
	Case cases[] = {
		CASE(SOFTMAX, 1, L(3), L({2, 3, 4}), -2, 2, .axis = 1),
		CASE(SOFTMAX, 1, L(2), L({3, 4}), -2, 2, .axis = -1),
		CASE(LOG_SOFTMAX, 1, L(3), L({2, 3, 4}), -2, 2, .axis = 0),
		CASE(LOG_SOFTMAX, 1, L(2), L({3, 4}), -2, 2, .axis = -1),
		CASE(LAYER_NORM, 3, L(3, 1, 1), L({2, 3, 4}, {4}, {4}), -2, 2, .axis = -1, .eps = 1e-5),
		CASE(LAYER_NORM, 3, L(3, 2, 1), L({2, 3, 4}, {3, 4}, {12}), -2, 2, .axis = 1, .eps = 1e-3),
		CASE(LAYER_NORM, 3, L(2, -1, -1), L({3, 5}), -2, 2, .axis = -1, .eps = 1e-5),
		CASE(RMS_NORM, 2, L(3, 1), L({2, 3, 4}, {4}), -2, 2, .axis = -1, .eps = 1e-5),
		CASE(RMS_NORM, 2, L(2, -1), L({3, 4}), -2, 2, .axis = 0, .eps = 1e-5),
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (!check_case(&cases[i], 400 + i)) {
			print_error("case %zu\n", i);
			fail();
		}
}

/* nll_loss and cross_entropy: class targets (with weights, an ignored
 * class, label smoothing, every reduction, [N, C, d] inputs, a 1-d
 * input) and probability targets, whose gradient is checked too. */
static void
test_losses(void **state)
{
	MlTensor *t2 = ml_tensor_zeros(ML_I64, 1, (int64_t[]){4}, NULL);
	MlTensor *t3 = ml_tensor_zeros(ML_I64, 2, (int64_t[]){2, 3}, NULL);
	MlTensor *t0 = ml_tensor_zeros(ML_I64, 0, NULL, NULL);
	MlTensor *w = t64(1, (int64_t[]){3}, (double[]){0.5, 1.0, 2.0});
	const int64_t cls2[] = {0, 2, 1, 2}, cls3[] = {1, 0, 2, 2, 1, 0};

	memcpy(t2->data, cls2, sizeof cls2);
	memcpy(t3->data, cls3, sizeof cls3);
	ml_set_i64(t0, NULL, 2, NULL);
	for (int op = 0; op < 2; op++)
		for (int mode = 0; mode < 3; mode++)
			for (int k = 0; k < 4; k++) {
				MlOp o = op ? ML_OP_CROSS_ENTROPY : ML_OP_NLL_LOSS;
				MlOpParams p = {.mode = mode};
				MlTensor *x, *in[3];
				uint64_t seed = 500 + 20 * (uint64_t)op + 4 * (uint64_t)mode + (uint64_t)k;
				bool want[3] = {true, false, false};
				switch (k) {
				case 0: /* [N, C] with weights */
					x = t64_rand(2, (int64_t[]){4, 3}, -2, 0, seed);
					in[1] = t2;
					in[2] = w;
					p.label_smoothing = op ? 0.2 : 0;
					break;
				case 1: /* [N, C, d], class 2 ignored */
					x = t64_rand(3, (int64_t[]){2, 3, 3}, -2, 0, seed);
					in[1] = t3;
					in[2] = NULL;
					p.has_ignore_index = true;
					p.ignore_index = 2;
					break;
				case 2: /* a 1-d input, 0-d target */
					x = t64_rand(1, (int64_t[]){3}, -2, 0, seed);
					in[1] = t0;
					in[2] = w;
					break;
				default: /* probabilities (cross_entropy only) */
					if (!op)
						continue;
					x = t64_rand(2, (int64_t[]){4, 3}, -2, 2, seed);
					in[1] = t64_rand(2, (int64_t[]){4, 3}, 0, 1, seed + 1);
					in[2] = w;
					want[1] = true;
					p.label_smoothing = 0.1;
					break;
				}
				in[0] = x;
				if (!check_grads(o, in, want, 3, &p, seed)) {
					print_error("%s mode %d case %d\n", ml_op_name(o), mode, k);
					fail();
				}
				if (k == 3)
					ml_tensor_unref(in[1]);
				ml_tensor_unref(x);
			}
	/* the class weights get no gradient */
	{
		NnTape *t = nn_tape_new(NULL);
		MlTensor *x = t64_rand(2, (int64_t[]){4, 3}, -1, 1, 9);
		NnVar *v[3] = {nn_var(t, x, false, NULL), nn_var(t, t2, false, NULL),
		               nn_var(t, w, true, NULL)};
		AcErr err = {0};
		NnVar *y = nn_var_op(t, ML_OP_NLL_LOSS, v, 3, &(MlOpParams){.mode = 1}, &err);
		assert_non_null(y);
		assert_int_equal(nn_tape_backward(t, y, NULL, &err), AC_EINVAL);
		assert_string_equal(err.msg, "autograd: no gradient for op 'nll_loss' input 3 (weight)");
		nn_tape_free(t);
		ml_tensor_unref(x);
	}
	ml_tensor_unref(t0);
	ml_tensor_unref(t2);
	ml_tensor_unref(t3);
	ml_tensor_unref(w);
}

/* reshape passes the gradient back in the input's shape. */
static void
test_reshape(void **state)
{
	MlTensor *x = t64_rand(3, (int64_t[]){2, 3, 2}, -1, 1, 21);
	MlTensor *c = t64_rand(2, (int64_t[]){4, 3}, -1, 1, 22);
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};
	NnVar *vx = nn_var(t, x, true, &err), *vc = nn_var(t, c, false, &err), *y, *s;

	y = nn_var_reshape(t, vx, 2, (int64_t[]){-1, 3}, &err);
	assert_non_null(y);
	assert_true(nn_var_requires_grad(y));
	assert_int_equal(nn_var_value(y)->ne[0], 4);
	y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){y, vc}, 2, NULL, &err);
	s = nn_var_op(t, ML_OP_SUM, &y, 1, NULL, &err);
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
	assert_true(ml_same_shape(nn_var_grad(vx), x));
	for (int i = 0; i < 12; i++)
		assert_close(D64(nn_var_grad(vx))[i], D64(c)[i], 0, 0);
	assert_null(nn_var_reshape(t, vx, 2, (int64_t[]){5, 3}, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	nn_tape_free(t);
	ml_tensor_unref(x);
	ml_tensor_unref(c);
}

/* Every op that claims a gradient is one the tests above check: a new
 * gradient cannot land untested. */
static void
test_every_gradient_checked(void **state)
{
	static const MlOp other[] = {ML_OP_SUM, ML_OP_MEAN, ML_OP_AMAX, ML_OP_AMIN, ML_OP_VAR,
	                             ML_OP_STD, ML_OP_LOGSUMEXP, ML_OP_NORM1, ML_OP_NORM2,
	                             ML_OP_SUMSQ, ML_OP_MATMUL, ML_OP_LINEAR, ML_OP_SOFTMAX,
	                             ML_OP_LOG_SOFTMAX, ML_OP_LAYER_NORM, ML_OP_RMS_NORM,
	                             ML_OP_NLL_LOSS, ML_OP_CROSS_ENTROPY};

	for (int op = 0; op < ML_OP_COUNT; op++) {
		bool found = false;
		for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
			found |= binops[i].op == (MlOp)op;
		for (size_t i = 0; i < sizeof unops / sizeof unops[0]; i++)
			found |= unops[i].op == (MlOp)op;
		for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
			found |= other[i] == (MlOp)op;
		if (nn_op_has_grad((MlOp)op) != found) {
			print_error("op %s: has_grad %d, tested %d\n", ml_op_name((MlOp)op),
			            nn_op_has_grad((MlOp)op), found);
			fail();
		}
	}
}

/* sum(x * x): backward twice adds up (2x twice), zero_grad clears; a
 * leaf over a parameter accumulates into the parameter's grad. */
static void
test_accumulate(void **state)
{
	MlTensor *x = t64(1, (int64_t[]){3}, (double[]){1, -2, 3});
	MlTensor *pg = t64(1, (int64_t[]){3}, (double[]){10, 10, 10});
	NnParam p = {.name = "weight", .value = x, .grad = pg};
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};
	NnVar *v = nn_var(t, x, true, &err), *w = nn_var_param(t, &p, &err), *y, *s;

	assert_non_null(v);
	assert_non_null(w);
	assert_ptr_equal(nn_var_grad(w), pg);
	y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){v, w}, 2, NULL, &err);
	s = nn_var_op(t, ML_OP_SUM, &y, 1, NULL, &err);
	assert_non_null(s);
	assert_int_equal(nn_var_value(s)->ndim, 0);
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
	for (int i = 0; i < 3; i++) {
		assert_close(D64(nn_var_grad(v))[i], 2 * D64(x)[i], 0, 0);
		assert_close(D64(pg)[i], 10 + 2 * D64(x)[i], 0, 0);
	}
	/* the intermediate holds one backward's gradient: r = 1 */
	assert_close(D64(nn_var_grad(y))[1], 1, 0, 0);
	nn_tape_zero_grad(t);
	assert_close(D64(nn_var_grad(v))[0], 0, 0, 0);
	assert_close(D64(pg)[2], 0, 0, 0);
	assert_null(nn_var_grad(y));
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
	assert_close(D64(nn_var_grad(v))[2], 3, 0, 0); /* w, once */
	/* the same variable twice in one op: both paths add */
	nn_tape_clear(t);
	v = nn_var(t, x, true, &err);
	y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){v, v}, 2, NULL, &err);
	y = nn_var_op(t, ML_OP_ADD, (NnVar *[]){y, v}, 2, NULL, &err);
	MlTensor *ones = t64(1, (int64_t[]){3}, (double[]){1, 1, 1});
	assert_int_equal(nn_tape_backward(t, y, ones, &err), AC_OK);
	assert_close(D64(nn_var_grad(v))[1], 2 * -2 + 1, 0, 0);
	ml_tensor_unref(ones);
	nn_tape_free(t);
	ml_tensor_unref(x);
	ml_tensor_unref(pg);
}

/* no_grad records nothing; detach stops the gradient. */
static void
test_no_grad_detach(void **state)
{
	MlTensor *x = t64(1, (int64_t[]){2}, (double[]){3, -1});
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};
	NnVar *v = nn_var(t, x, true, &err), *y, *d, *z, *s;

	assert_false(nn_tape_no_grad(t, true));
	y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){v, v}, 2, NULL, &err);
	assert_non_null(y);
	assert_false(nn_var_requires_grad(y));
	assert_close(D64(nn_var_value(y))[0], 9, 0, 0);
	s = nn_var_op(t, ML_OP_SUM, &y, 1, NULL, &err);
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_EINVAL);
	assert_string_equal(err.msg, "autograd: root does not require grad");
	/* even an op without a gradient runs under no_grad */
	assert_non_null(nn_var_op(t, ML_OP_CUMSUM, &v, 1, NULL, &err));
	assert_true(nn_tape_no_grad(t, false));

	/* z = sum(detach(x * x) * x): dz/dx = x * x, not 3 x^2 */
	y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){v, v}, 2, NULL, &err);
	assert_true(nn_var_requires_grad(y));
	d = nn_var_detach(t, y, &err);
	assert_false(nn_var_requires_grad(d));
	assert_ptr_equal(nn_var_value(d), nn_var_value(y));
	z = nn_var_op(t, ML_OP_MUL, (NnVar *[]){d, v}, 2, NULL, &err);
	s = nn_var_op(t, ML_OP_SUM, &z, 1, NULL, &err);
	assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
	assert_close(D64(nn_var_grad(v))[0], 9, 0, 0);
	assert_close(D64(nn_var_grad(v))[1], 1, 0, 0);
	assert_null(nn_var_grad(d));
	nn_tape_free(t);
	ml_tensor_unref(x);
}

static void
test_errors(void **state)
{
	MlTensor *x = t64(2, (int64_t[]){2, 3}, NULL);
	MlTensor *i = ml_tensor_zeros(ML_I64, 1, (int64_t[]){2}, NULL);
	NnTape *t = nn_tape_new(NULL), *t2 = nn_tape_new(NULL);
	AcErr err = {0};
	NnVar *v = nn_var(t, x, true, &err), *c, *y;

	assert_null(nn_var(t, i, true, &err));
	assert_string_equal(err.msg, "autograd: only floating-point values can require grad (i64)");
	assert_null(nn_var_op(t, ML_OP_CUMSUM, &v, 1, NULL, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "autograd: no gradient for op 'cumsum'");
	assert_null(nn_var_op(t, ML_OP_PROD, &v, 1, NULL, &err));
	assert_string_equal(err.msg, "autograd: no gradient for op 'prod'");
	assert_false(nn_op_has_grad(ML_OP_CONV));
	/* a comparison's result carries no gradient */
	c = nn_var_op(t, ML_OP_GT, (NnVar *[]){v, v}, 2, NULL, &err);
	assert_non_null(c);
	assert_false(nn_var_requires_grad(c));
	/* a root of many elements needs grad_root */
	y = nn_var_op(t, ML_OP_EXP, &v, 1, NULL, &err);
	assert_int_equal(nn_tape_backward(t, y, NULL, &err), AC_EINVAL);
	assert_string_equal(err.msg, "autograd: grad_root is needed for a root of shape [2,3]");
	assert_int_equal(nn_tape_backward(t, y, i, &err), AC_ESHAPE);
	assert_int_equal(nn_tape_backward(t2, y, NULL, &err), AC_EINVAL);
	assert_null(nn_var_op(t2, ML_OP_EXP, &v, 1, NULL, &err));
	assert_string_equal(err.msg, "autograd: exp: input 1 is of another tape");
	/* ml's own errors come through */
	assert_null(nn_var_op(t, ML_OP_MATMUL, (NnVar *[]){v, v}, 2, NULL, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	nn_tape_free(t);
	nn_tape_free(t2);
	ml_tensor_unref(x);
	ml_tensor_unref(i);
}

/* f32 values get f32 gradients, close to the f64 ones. */
static void
test_f32(void **state)
{
	MlTensor *x64 = t64_rand(2, (int64_t[]){3, 4}, -1, 1, 7);
	MlTensor *w64 = t64_rand(1, (int64_t[]){4}, -1, 1, 8);
	double g64[12];
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};

	for (int pass = 0; pass < 2; pass++) {
		MlDtype dt = pass ? ML_F32 : ML_F64;
		MlTensor *x = ml_cast(x64, dt, NULL), *w = ml_cast(w64, dt, NULL);
		NnVar *vx = nn_var(t, x, true, &err), *vw = nn_var(t, w, false, &err), *y, *s;
		y = nn_var_op(t, ML_OP_MUL, (NnVar *[]){vx, vw}, 2, NULL, &err);
		y = nn_var_op(t, ML_OP_TANH, &y, 1, NULL, &err);
		s = nn_var_op(t, ML_OP_MEAN, &y, 1, NULL, &err);
		assert_non_null(s);
		assert_int_equal(nn_tape_backward(t, s, NULL, &err), AC_OK);
		assert_null(nn_var_grad(vw));
		MlTensor *g = nn_var_grad(vx);
		assert_int_equal(g->dtype, dt);
		for (int k = 0; k < 12; k++) {
			double gv;
			assert_int_equal(ml_get(g, (int64_t[]){k / 4, k % 4}, &gv, NULL), AC_OK);
			if (pass == 0)
				g64[k] = gv;
			else
				assert_close(gv, g64[k], 1e-6, 1e-5);
		}
		ml_tensor_unref(x);
		ml_tensor_unref(w);
		nn_tape_clear(t);
	}
	nn_tape_free(t);
	ml_tensor_unref(x64);
	ml_tensor_unref(w64);
}

/* y = tanh(x W + b), loss = mean((y - target)^2), 50 steps of SGD on the
 * leaves W and b, a new tape each step. */
static void
test_train(void **state)
{
	MlTensor *x = t64_rand(2, (int64_t[]){16, 3}, -1, 1, 11);
	MlTensor *wt = t64(2, (int64_t[]){3, 2}, (double[]){0.8, -0.5, 0.3, 0.9, -0.7, 0.2});
	MlTensor *w = t64_rand(2, (int64_t[]){3, 2}, -0.1, 0.1, 12), *b = t64(1, (int64_t[]){2}, NULL);
	MlTensor *target = ml_op(ML_OP_MATMUL, (MlTensor *[]){x, wt}, NULL, NULL);
	NnTape *t = nn_tape_new(NULL);
	AcErr err = {0};
	double first = 0, last = 0;

	assert_non_null(target);
	assert_int_equal(ml_op_into(ML_OP_TANH, target, (MlTensor *[]){target}, NULL, NULL), AC_OK);
	for (int step = 0; step < 50; step++) {
		NnVar *vx = nn_var(t, x, false, &err), *vt = nn_var(t, target, false, &err);
		NnVar *vw = nn_var(t, w, true, &err), *vb = nn_var(t, b, true, &err), *y, *d, *l;
		y = nn_var_op(t, ML_OP_MATMUL, (NnVar *[]){vx, vw}, 2, NULL, &err);
		y = nn_var_op(t, ML_OP_ADD, (NnVar *[]){y, vb}, 2, NULL, &err);
		y = nn_var_op(t, ML_OP_TANH, &y, 1, NULL, &err);
		d = nn_var_op(t, ML_OP_SUB, (NnVar *[]){y, vt}, 2, NULL, &err);
		d = nn_var_op(t, ML_OP_MUL, (NnVar *[]){d, d}, 2, NULL, &err);
		l = nn_var_op(t, ML_OP_MEAN, &d, 1, NULL, &err);
		if (l == NULL)
			print_error("%s\n", err.msg);
		assert_non_null(l);
		if (step == 0)
			first = D64(nn_var_value(l))[0];
		last = D64(nn_var_value(l))[0];
		assert_int_equal(nn_tape_backward(t, l, NULL, &err), AC_OK);
		for (int i = 0; i < 6; i++)
			D64(w)[i] -= 2.0 * D64(nn_var_grad(vw))[i];
		for (int i = 0; i < 2; i++)
			D64(b)[i] -= 2.0 * D64(nn_var_grad(vb))[i];
		nn_tape_clear(t);
	}
	print_message("# loss %.6g -> %.6g\n", first, last);
	assert_true(first > 0);
	assert_true(last < 0.5 * first);
	nn_tape_free(t);
	ml_tensor_unref(x);
	ml_tensor_unref(wt);
	ml_tensor_unref(w);
	ml_tensor_unref(b);
	ml_tensor_unref(target);
}

TEST_MAIN("nn autograd", cmocka_unit_test(test_binary), cmocka_unit_test(test_unary),
          cmocka_unit_test(test_reduce), cmocka_unit_test(test_amax_ties),
          cmocka_unit_test(test_matmul_linear), cmocka_unit_test(test_softmax_norm),
          cmocka_unit_test(test_losses), cmocka_unit_test(test_reshape),
          cmocka_unit_test(test_every_gradient_checked), cmocka_unit_test(test_accumulate),
          cmocka_unit_test(test_no_grad_detach), cmocka_unit_test(test_errors),
          cmocka_unit_test(test_f32), cmocka_unit_test(test_train))
