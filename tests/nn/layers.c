/*
 * The first layers (nn/linear.c, activation.c, shape.c, embedding.c):
 * forward values against PyTorch 1.13's (literals below), every backward
 * against f64 finite differences, Dropout's mask, Embedding's scatter,
 * hyper-parameters rebuilding a layer, and the one-line errors.
 */
#include "tests/nn/nntest.h"
#include "nn/nn_impl.h"

#include <stdlib.h>

/* f64 literals of a tensor, flat, within 1e-12. */
static void
assert_values(const MlTensor *t, const double *want, int64_t n)
{
	MlTensor *c = ml_tensor_contiguous(t, NULL);

	assert_non_null(c);
	assert_int_equal(c->dtype, ML_F64);
	assert_int_equal(ml_tensor_numel(c), n);
	for (int64_t i = 0; i < n; i++)
		assert_close(D64(c)[i], want[i], 1e-12, 1e-12);
	ml_tensor_unref(c);
}

static void
set_param(NnModule *m, int k, const double *v)
{
	memcpy(m->param[k].value->data, v, (size_t)ml_tensor_numel(m->param[k].value) * sizeof(double));
}

/* Linear(3, 2) with set weights, by hand: [1,-1,2] -> [1-2+6+0.5, -1-0.5+0.5-1]. */
static void
test_linear_forward(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_linear(3, 2, true, 1, &err);
	MlTensor *x = t64(2, (int64_t[]){2, 3}, (double[]){1, -1, 2, 0.5, 0.25, -4}), *y;

	assert_non_null(m);
	assert_string_equal(m->param[0].name, "weight");
	assert_int_equal(m->param[0].value->ne[0], 2);
	assert_int_equal(m->param[0].value->ne[1], 3);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	set_param(m, 0, (double[]){1, 2, 3, -1, 0.5, 0.25});
	set_param(m, 1, (double[]){0.5, -1});
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 2);
	assert_values(y, (double[]){5.5, -2, -10.5, -2.375}, 4);
	ml_tensor_unref(x);
	nn_free(m);
}

/* Initialisation is U(-1/sqrt(in), 1/sqrt(in)), the same for a seed. */
static void
test_linear_init(void **state)
{
	NnModule *a = nn_linear(16, 8, true, 42, NULL), *b = nn_linear(16, 8, true, 42, NULL),
	         *c = nn_linear(16, 8, true, 43, NULL);
	double lo = 1, hi = -1;
	bool differ = false;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	for (int k = 0; k < 2; k++)
		for (int64_t i = 0; i < ml_tensor_numel(a->param[k].value); i++) {
			float v = ML_F32(a->param[k].value)[i];
			assert_true(v == ML_F32(b->param[k].value)[i]);
			differ |= v != ML_F32(c->param[k].value)[i];
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	assert_true(differ);
	assert_true(lo >= -0.25 && hi <= 0.25);
	assert_true(lo < -0.2 && hi > 0.2);
	nn_free(a);
	nn_free(b);
	nn_free(c);
}

static void
test_linear_grads(void **state)
{
	NnModule *m = nn_linear(4, 3, true, 7, NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){5, 4}, -1, 1, 1);
	MlTensor *x3 = t64_rand(3, (int64_t[]){2, 3, 4}, -1, 1, 2);
	MlTensor *x1 = t64_rand(1, (int64_t[]){4}, -1, 1, 3);

	nn_check_grads(m, x);
	nn_check_grads(m, x3);
	nn_check_grads(m, x1);
	nn_free(m);
	m = nn_linear(4, 3, false, 7, NULL);
	assert_int_equal(m->nparams, 1);
	nn_check_grads(m, x);
	nn_free(m);
	ml_tensor_unref(x);
	ml_tensor_unref(x3);
	ml_tensor_unref(x1);
}

/* The scale of acc_grad_parameters multiplies, and gradients add up. */
static void
test_linear_scale(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_linear(2, 1, true, 7, NULL);
	MlTensor *x = t64(2, (int64_t[]){2, 2}, (double[]){1, 2, 3, 4});
	MlTensor *g = t64(2, (int64_t[]){2, 1}, (double[]){1, -1});

	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	assert_non_null(nn_forward(m, x, &err));
	assert_non_null(nn_backward(m, x, g, 0.5, &err));
	assert_non_null(nn_backward(m, x, g, 0.5, &err));
	/* gradW = g' x = [1-3, 2-4], gradB = 1-1 */
	assert_values(m->param[0].grad, (double[]){-2, -2}, 2);
	assert_values(m->param[1].grad, (double[]){0}, 1);
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	nn_free(m);
}

/* f32 runs the same layer (BLAS sgemm) close to f64's values. */
static void
test_linear_f32(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_linear(3, 2, true, 5, NULL);
	MlTensor *x = ml_tensor_zeros(ML_F32, 2, (int64_t[]){2, 3}, NULL), *y, *g, *gx;
	MlTensor *x64, *y64;

	for (int i = 0; i < 6; i++)
		ML_F32(x)[i] = (float)(i - 2) / 3;
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	assert_int_equal(y->dtype, ML_F32);
	g = ml_tensor_zeros(ML_F32, 2, (int64_t[]){2, 2}, NULL);
	ml_fill(g, 1, NULL);
	gx = nn_backward(m, x, g, 1, &err);
	assert_non_null(gx);
	/* grad_input rows are the column sums of W */
	for (int j = 0; j < 3; j++)
		assert_close(ML_F32(gx)[j], ML_F32(m->param[0].value)[j] + ML_F32(m->param[0].value)[3 + j], 1e-6, 1e-6);
	y = ml_cast(y, ML_F64, NULL);
	x64 = ml_cast(x, ML_F64, NULL);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	y64 = nn_forward(m, x64, &err);
	assert_non_null(y64);
	for (int i = 0; i < 4; i++)
		assert_close(D64(y)[i], D64(y64)[i], 1e-6, 1e-6);
	ml_tensor_unref(x);
	ml_tensor_unref(x64);
	ml_tensor_unref(y);
	ml_tensor_unref(g);
	nn_free(m);
}

static void
test_linear_errors(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_linear(784, 10, true, 1, NULL);
	MlTensor *x = ml_tensor_zeros(ML_F32, 2, (int64_t[]){64, 785}, NULL);
	MlTensor *xd = ml_tensor_zeros(ML_F64, 2, (int64_t[]){64, 784}, NULL);

	snprintf(m->name, sizeof m->name, "0");
	assert_null(nn_forward(m, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "Linear 0: input [64,785] f32, want [*,784]");
	assert_null(nn_forward(m, xd, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	assert_string_equal(err.msg, "Linear 0: input is f64, parameters f32");
	assert_null(nn_linear(-1, 3, true, 1, &err));
	assert_int_equal(err.code, AC_EINVAL);
	ml_tensor_unref(x);
	ml_tensor_unref(xd);
	nn_free(m);
}

/* Hyper-parameters rebuild the layer through its class's create. */
static void
test_create(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_linear(5, 2, false, 3, NULL), *r;
	NnModule *b = nn_bilinear(2, 3, 4, true, 3, NULL), *rb;
	NnModule *l = nn_leaky_relu(0.2, NULL), *rl;
	NnModule *s = nn_reshape(2, (int64_t[]){-1, 4}, NULL), *rs;

	r = m->cls->create(&m->hp, 3, &err);
	assert_non_null(r);
	assert_ptr_equal(r->cls, &nn_linear_class);
	assert_int_equal(r->nparams, 1);
	assert_int_equal(nn_hparam_geti(&r->hp, "in_features", 0), 5);
	assert_true(ML_F32(r->param[0].value)[7] == ML_F32(m->param[0].value)[7]);
	rb = b->cls->create(&b->hp, 3, &err);
	assert_non_null(rb);
	assert_int_equal(rb->param[0].value->ne[2], 3);
	rl = l->cls->create(&l->hp, 0, &err);
	assert_non_null(rl);
	assert_string_equal(rl->cls->type, "LeakyReLU");
	assert_true(nn_hparam_getf(&rl->hp, "negative_slope", 0) == 0.2);
	rs = s->cls->create(&s->hp, 0, &err);
	assert_non_null(rs);
	assert_int_equal(nn_hparam_get(&rs->hp, "shape")->n, 2);
	nn_free(m);
	nn_free(r);
	nn_free(b);
	nn_free(rb);
	nn_free(l);
	nn_free(rl);
	nn_free(s);
	nn_free(rs);
}

/* Bilinear(2, 2, 1): x1' A x2 + b = [1,-1] [[1,2],[3,4]] [2,0.5] + 0.5. */
static void
test_bilinear(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_bilinear(2, 2, 1, true, 1, &err);
	MlTensor *x = t64(2, (int64_t[]){1, 4}, (double[]){1, -1, 2, 0.5}), *y;
	MlTensor *xr = t64_rand(2, (int64_t[]){4, 5}, -1, 1, 9);

	assert_non_null(m);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	set_param(m, 0, (double[]){1, 2, 3, 4});
	set_param(m, 1, (double[]){0.5});
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	assert_values(y, (double[]){-4.5}, 1);
	nn_free(m);
	m = nn_bilinear(2, 3, 4, true, 11, NULL);
	nn_check_grads(m, xr);
	nn_free(m);
	ml_tensor_unref(x);
	ml_tensor_unref(xr);
}

typedef struct Act {
	const char *type;
	NnModule *(*make)(void);
	double want[5];  /* torch.nn's module on [-2, -0.5, 0, 0.5, 2], PyTorch 1.13 in f64 */
} Act;

static NnModule *mk_relu(void) { return nn_relu(NULL); }
static NnModule *mk_leaky(void) { return nn_leaky_relu(0.1, NULL); }
static NnModule *mk_elu(void) { return nn_elu(1.5, NULL); }
static NnModule *mk_gelu(void) { return nn_gelu(false, NULL); }
static NnModule *mk_gelu_tanh(void) { return nn_gelu(true, NULL); }
static NnModule *mk_silu(void) { return nn_silu(NULL); }
static NnModule *mk_tanh(void) { return nn_tanh(NULL); }
static NnModule *mk_sigmoid(void) { return nn_sigmoid(NULL); }
static NnModule *mk_softmax(void) { return nn_softmax(1, NULL); }
static NnModule *mk_log_softmax(void) { return nn_log_softmax(-1, NULL); }

static const Act acts[] = {
	{"ReLU", mk_relu, {0, 0, 0, 0.5, 2}},
	{"LeakyReLU", mk_leaky, {-0.2, -0.05, 0, 0.5, 2}},
	{"ELU", mk_elu, {-1.296997075145081, -0.5902040104310499, 0, 0.5, 2}},
	{"GELU", mk_gelu, {-0.04550026389635842, -0.15426876936299344, 0, 0.34573123063700656,
	                   1.9544997361036416}},
	{"GELU", mk_gelu_tanh, {-0.04540230591222494, -0.15428599017485606, 0, 0.34571400982514394,
	                        1.954597694087775}},
	{"SiLU", mk_silu, {-0.2384058440442351, -0.1887703343990727, 0, 0.3112296656009273,
	                   1.7615941559557646}},
	{"Tanh", mk_tanh, {-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974,
	                   0.9640275800758169}},
	{"Sigmoid", mk_sigmoid, {0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546,
	                         0.8807970779778823}},
	{"Softmax", mk_softmax, {0.012554708844463722, 0.056266301409509716, 0.09276744795748326,
	                         0.1529476646760698, 0.6854638771124734}},
	{"LogSoftmax", mk_log_softmax, {-4.37765947704661, -2.8776594770466097, -2.3776594770466097,
	                                -1.8776594770466097, -0.3776594770466098}},
};

static void
test_activation_values(void **state)
{
	MlTensor *x = t64(2, (int64_t[]){1, 5}, (double[]){-2, -0.5, 0, 0.5, 2});

	for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
		AcErr err = {0};
		NnModule *m = acts[k].make();
		MlTensor *y;
		assert_non_null(m);
		assert_string_equal(m->cls->type, acts[k].type);
		assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
		y = nn_forward(m, x, &err);
		assert_non_null(y);
		for (int i = 0; i < 5; i++)
			assert_close(D64(y)[i], acts[k].want[i], 1e-12, 1e-12);
		nn_free(m);
	}
	ml_tensor_unref(x);
}

/* Every activation's backward, on values away from the kinks (ReLU's 0). */
static void
test_activation_grads(void **state)
{
	MlTensor *x = t64_rand(3, (int64_t[]){2, 3, 4}, -2, 2, 21);
	MlTensor *x0 = t64(0, NULL, (double[]){0.7});

	for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
		NnModule *m = acts[k].make();
		nn_check_grads(m, x);
		nn_free(m);
	}
	/* Softmax along a middle dimension, and an element-wise one on a scalar */
	NnModule *m = nn_softmax(1, NULL);
	nn_check_grads(m, x);
	nn_free(m);
	m = nn_log_softmax(0, NULL);
	nn_check_grads(m, x);
	nn_free(m);
	m = nn_silu(NULL);
	nn_check_grads(m, x0);
	nn_free(m);
	ml_tensor_unref(x);
	ml_tensor_unref(x0);
}

/* A strided grad_output (a transposed view) gives the same grad_input. */
static void
test_activation_strided(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_tanh(NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){3, 2}, -1, 1, 4);
	MlTensor *gt = t64_rand(2, (int64_t[]){2, 3}, -1, 1, 5), *g, *v, *gx;

	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	v = ml_view_transpose(gt, 0, 1, NULL);
	g = ml_tensor_contiguous(v, NULL);
	assert_non_null(nn_forward(m, x, &err));
	gx = ml_tensor_contiguous(nn_backward(m, x, v, 1, &err), NULL);
	assert_non_null(gx);
	for (int i = 0; i < 6; i++) {
		double y = tanh(D64(x)[i]);
		assert_close(D64(gx)[i], D64(g)[i] * (1 - y * y), 1e-12, 1e-12);
	}
	ml_tensor_unref(gx);
	ml_tensor_unref(g);
	ml_tensor_unref(v);
	ml_tensor_unref(gt);
	ml_tensor_unref(x);
	nn_free(m);
}

static void
test_activation_errors(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_softmax(2, NULL);
	MlTensor *x = t64(2, (int64_t[]){2, 3}, NULL);
	MlTensor *xi = ml_tensor_zeros(ML_I32, 1, (int64_t[]){3}, NULL);

	assert_null(nn_forward(m, x, &err));
	assert_int_equal(err.code, AC_ERANGE);
	assert_string_equal(err.msg, "Softmax: dim 2 of input [2,3]");
	nn_free(m);
	m = nn_relu(NULL);
	assert_null(nn_forward(m, xi, &err));
	assert_string_equal(err.msg, "ReLU: input is i32, want f32 or f64");
	nn_free(m);
	ml_tensor_unref(x);
	ml_tensor_unref(xi);
}

static void
test_flatten_reshape(void **state)
{
	AcErr err = {0};
	NnModule *f = nn_flatten(1, -1, NULL), *r = nn_reshape(2, (int64_t[]){3, -1}, NULL);
	NnModule *f2 = nn_flatten(0, 1, NULL);
	MlTensor *x = t64_rand(4, (int64_t[]){2, 3, 2, 2}, -1, 1, 6), *y;

	y = nn_forward(f, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 2);
	assert_int_equal(y->ne[1], 12);
	assert_true(ml_tensor_same_storage(y, x));  /* a view, no copy */
	nn_check_grads(f, x);
	y = nn_forward(f2, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 3);
	assert_int_equal(y->ne[0], 6);
	nn_check_grads(f2, x);
	y = nn_forward(r, x, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 3);
	assert_int_equal(y->ne[0], 2);
	assert_int_equal(y->ne[1], 3);
	assert_int_equal(y->ne[2], 4);
	nn_check_grads(r, x);
	nn_free(r);
	r = nn_reshape(1, (int64_t[]){5}, NULL);
	assert_null(nn_forward(r, x, &err));
	assert_string_equal(err.msg, "Reshape: input [2,3,2,2]: 12 elements per sample do not fill [*]+[5]");
	assert_null(nn_reshape(2, (int64_t[]){-1, -1}, &err));
	assert_int_equal(err.code, AC_EINVAL);
	nn_free(f);
	nn_free(f2);
	nn_free(r);
	f = nn_flatten(4, -1, NULL);
	assert_null(nn_forward(f, x, &err));
	assert_string_equal(err.msg, "Flatten: start_dim 4, end_dim -1 of input [2,3,2,2]");
	nn_free(f);
	ml_tensor_unref(x);
}

static void
test_identity(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_identity(NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){2, 3}, -1, 1, 8);

	assert_ptr_equal(nn_forward(m, x, &err), x);
	nn_check_grads(m, x);
	nn_free(m);
	ml_tensor_unref(x);
}

/* Evaluation mode: the identity (checked by finite differences too). */
static void
test_dropout_eval(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_dropout(0.5, 3, NULL);
	MlTensor *x = t64_rand(2, (int64_t[]){4, 5}, -1, 1, 8);

	nn_train(m, false);
	assert_ptr_equal(nn_forward(m, x, &err), x);
	nn_check_grads(m, x);
	assert_null(nn_dropout(1.5, 3, &err));
	assert_int_equal(err.code, AC_EINVAL);
	nn_free(m);
	ml_tensor_unref(x);
}

/* Training mode: a fraction p dropped, the rest scaled by 1/(1-p); the
 * same seed gives the same mask, the next forward another; backward
 * multiplies by the forward's mask. */
static void
test_dropout_train(void **state)
{
	enum { N = 100000 };
	AcErr err = {0};
	NnModule *m = nn_dropout(0.3, 77, NULL), *m2 = nn_dropout(0.3, 77, NULL);
	MlTensor *x = t64(1, (int64_t[]){N}, NULL), *g = t64_rand(1, (int64_t[]){N}, -1, 1, 9);
	MlTensor *y, *y2, *gx;
	int64_t dropped = 0, same = 0;

	ml_fill(x, 2, NULL);
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	y2 = nn_forward(m2, x, &err);
	assert_non_null(y2);
	for (int64_t i = 0; i < N; i++) {
		assert_true(D64(y)[i] == D64(y2)[i]);
		if (D64(y)[i] == 0)
			dropped++;
		else
			assert_close(D64(y)[i], 2 / 0.7, 1e-12, 1e-12);
	}
	/* binomial: sd of the fraction is sqrt(0.21 / N) = 0.00145 */
	assert_close((double)dropped / N, 0.3, 0.01, 0);
	gx = nn_backward(m, x, g, 1, &err);
	assert_non_null(gx);
	for (int64_t i = 0; i < N; i++)
		assert_close(D64(gx)[i], D64(g)[i] * D64(y)[i] / 2, 1e-12, 1e-12);
	/* the generator advances: m2's next mask differs from its first */
	y = ml_tensor_contiguous(y, NULL);
	y2 = nn_forward(m2, x, &err);
	for (int64_t i = 0; i < N; i++)
		same += D64(y)[i] == D64(y2)[i];
	assert_true(same < N * 0.7);
	/* back to evaluation: no longer masked, input passed by reference */
	nn_train(m, false);
	assert_ptr_equal(nn_forward(m, x, &err), x);
	ml_tensor_unref(y);
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	nn_free(m);
	nn_free(m2);
}

/* Eval then training mode must not write into the input it borrowed. */
static void
test_dropout_no_alias(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_dropout(0.9, 1, NULL);
	MlTensor *x = t64(1, (int64_t[]){64}, NULL);

	ml_fill(x, 1, NULL);
	nn_train(m, false);
	assert_non_null(nn_forward(m, x, &err));
	nn_train(m, true);
	assert_non_null(nn_forward(m, x, &err));
	for (int i = 0; i < 64; i++)
		assert_true(D64(x)[i] == 1);
	ml_tensor_unref(x);
	nn_free(m);
}

/* sum(r * m(idx)) by central differences over each weight element. */
static void
test_embedding(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_embedding(5, 3, 2, 13, NULL);
	MlTensor *idx = ml_tensor_zeros(ML_I64, 2, (int64_t[]){2, 3}, NULL), *y, *r, *gx;
	const int64_t iv[6] = {0, 2, 4, 4, 1, 2};
	NnParam *w;
	int ok = 1;

	assert_non_null(m);
	for (int j = 0; j < 3; j++)
		assert_true(ML_F32(m->param[0].value)[2 * 3 + j] == 0);  /* padding row */
	memcpy(idx->data, iv, sizeof iv);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	w = &m->param[0];
	y = nn_forward(m, idx, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 3);
	assert_int_equal(y->ne[2], 3);
	for (int k = 0; k < 6; k++)
		for (int j = 0; j < 3; j++)
			assert_true(D64(y)[k * 3 + j] == D64(w->value)[iv[k] * 3 + j]);
	r = t64_rand(3, y->ne, -1, 1, 3);
	nn_zero_grad(m);
	gx = nn_backward(m, idx, r, 1, &err);
	assert_non_null(gx);
	assert_int_equal(gx->dtype, ML_F64);
	assert_true(ml_same_shape(gx, idx));
	for (int i = 0; i < 6; i++)
		assert_true(D64(gx)[i] == 0);
	for (int64_t i = 0; i < 15 && ok; i++) {
		const double h = 1e-6;
		double v = D64(w->value)[i], lp, lm, num;
		D64(w->value)[i] = v + h;
		lp = nn_test_loss(m, idx, r);
		D64(w->value)[i] = v - h;
		lm = nn_test_loss(m, idx, r);
		D64(w->value)[i] = v;
		/* padding_idx's row gets no gradient though it is used */
		num = i / 3 == 2 ? 0 : (lp - lm) / (2 * h);
		ok = nn_test_close("weight", i, D64(w->grad)[i], num, 1e-6, 1e-5);
	}
	assert_true(ok);
	/* row 4 picked twice: its gradient is the sum of the two rows of r */
	assert_close(D64(w->grad)[12], D64(r)[2 * 3] + D64(r)[3 * 3], 1e-12, 1e-12);
	ml_tensor_unref(r);

	/* i32 indices, and an index out of range */
	MlTensor *i32 = ml_tensor_zeros(ML_I32, 1, (int64_t[]){3}, NULL);
	((int32_t *)(void *)i32->data)[1] = 3;
	y = nn_forward(m, i32, &err);
	assert_non_null(y);
	assert_true(D64(y)[3] == D64(w->value)[9]);
	((int32_t *)(void *)i32->data)[2] = 5;
	assert_null(nn_forward(m, i32, &err));
	assert_int_equal(err.code, AC_ERANGE);
	assert_string_equal(err.msg, "Embedding: index 5 at position 2 is outside [0, 5)");
	assert_null(nn_forward(m, y, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	ml_tensor_unref(i32);
	ml_tensor_unref(idx);
	nn_free(m);
}

TEST_MAIN("nn layers", cmocka_unit_test(test_linear_forward), cmocka_unit_test(test_linear_init),
          cmocka_unit_test(test_linear_grads), cmocka_unit_test(test_linear_scale),
          cmocka_unit_test(test_linear_f32), cmocka_unit_test(test_linear_errors),
          cmocka_unit_test(test_create), cmocka_unit_test(test_bilinear),
          cmocka_unit_test(test_activation_values), cmocka_unit_test(test_activation_grads),
          cmocka_unit_test(test_activation_strided), cmocka_unit_test(test_activation_errors),
          cmocka_unit_test(test_flatten_reshape), cmocka_unit_test(test_identity),
          cmocka_unit_test(test_dropout_eval), cmocka_unit_test(test_dropout_train),
          cmocka_unit_test(test_dropout_no_alias), cmocka_unit_test(test_embedding))
