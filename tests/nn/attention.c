/*
 * The transformer blocks (nn/attention.c): MultiheadAttention's and
 * SwiGLU's forward values against PyTorch 1.13's (literals below), their
 * backward against f64 finite differences, PyTorch's parameter names and
 * initialisation, rebuilding from hyper-parameters, and the errors.
 */
#include "tests/nn/nntest.h"

#include <stdlib.h>
#include <unistd.h>

/* The literals: a*sin(b*(k+1)) rounded to 4 places, k = 0, 1, ... */
static const double X[24] = {0.6442, 0.9854, 0.8632, 0.335, -0.3508, -0.8716, -0.9825, -0.6313,
                             0.0168, 0.657, 0.9882, 0.8546, 0.3191, -0.3665, -0.8797, -0.9792,
                             -0.6181, 0.0336, 0.6696, 0.9906, 0.8457, 0.3031, -0.3821, -0.8876};
static const double WIN[48] = {
	0.4818, 0.2578, -0.3439, -0.4417, 0.1076, 0.4993, 0.1595, -0.4139, -0.381, 0.2101,
	0.4934, 0.0539, -0.4646, -0.3024, 0.3028, 0.4644, -0.0543, -0.4935, -0.2097, 0.3813,
	0.4137, -0.16, -0.4992, -0.1071, 0.4419, 0.3436, -0.2581, -0.4817, 0.0004, 0.4819,
	0.2574, -0.3442, -0.4415, 0.108, 0.4993, 0.1591, -0.4142, -0.3807, 0.2105, 0.4933,
	0.0534, -0.4647, -0.3021, 0.3031, 0.4642, -0.0548, -0.4935, -0.2093};
static const double BIN[12] = {0.1726, -0.1743, 0.0034, 0.1709, -0.1759, 0.0067,
                               0.1691, -0.1775, 0.0101, 0.1673, -0.179, 0.0134};
static const double WOUT[16] = {0.47, 0.5843, 0.2564, -0.2655, -0.5865, -0.4637, 0.0101, 0.4762,
                                0.5819, 0.2473, -0.2745, -0.5886, -0.4572, 0.0202, 0.4823, 0.5794};
static const double BOUT[4] = {0.2975, -0.0767, -0.2777, 0.1482};

/*
 * /usr/bin/python3, torch 1.13, float64:
 *   m = torch.nn.MultiheadAttention(4, 2, batch_first=True), its
 *   in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias set to
 *   WIN, BIN, WOUT, BOUT; x = X as [2, 3, 4];
 *   mask = torch.triu(torch.full((3, 3), float('-inf')), diagonal=1)
 *   m(x, x, x, need_weights=False)[0]                 -> PLAIN
 *   m(x, x, x, attn_mask=mask, need_weights=False)[0] -> CAUSAL
 */
static const double PLAIN[24] = {
	0.36886076947003393, -0.2415493182142755, -0.053411419687576817, -0.08923112966126634,
	0.48659647679813955, -0.39211564558846213, 0.098896001212029905, -0.21183503169154727,
	0.43758608466721222, -0.36596161376517461, 0.10099926601074255, -0.24176886609130305,
	0.29155747226761164, -0.11814288231781214, -0.19743232639508218, 0.045683729022651665,
	0.014346548503970824, 0.26874159929028751, -0.61411981371976865, 0.40608453316027593,
	0.13479177685933669, 0.052830316285119402, -0.3473051966141657, 0.14350686489465928};
static const double CAUSAL[24] = {
	0.23937640276599992, -0.32392186196400002, 0.22382320943600004, -0.504135218464,
	0.16012956706698428, 0.04503082783380094, -0.35866288147668612, 0.17165552038238446,
	0.43758608466721222, -0.36596161376517461, 0.10099926601074255, -0.24176886609130305,
	-0.57433023892299995, 0.99164811202599989, -1.3219680927540001, 0.95273205842400011,
	0.51561458000219307, -0.21147947108062676, -0.25411671371003947, 0.24066541442688141,
	0.13479177685933669, 0.052830316285119402, -0.3473051966141657, 0.14350686489465928};

static void
set_param(NnModule *m, int k, const double *v)
{
	memcpy(m->param[k].value->data, v, (size_t)ml_tensor_numel(m->param[k].value) * sizeof(double));
}

static void
assert_values(const MlTensor *t, const double *want, int64_t n, double tol)
{
	assert_int_equal(t->dtype, ML_F64);
	assert_int_equal(ml_tensor_numel(t), n);
	for (int64_t i = 0; i < n; i++)
		assert_close(D64(t)[i], want[i], tol, tol);
}

static NnModule *
mha_set(bool causal)
{
	AcErr err = {0};
	NnModule *m = nn_multihead_attention(4, 2, true, causal, 1, &err);

	assert_non_null(m);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	set_param(m, 0, WIN);
	set_param(m, 1, BIN);
	set_param(m, 2, WOUT);
	set_param(m, 3, BOUT);
	return m;
}

static void
test_mha_forward(void **state)
{
	AcErr err = {0};
	MlTensor *x = t64(3, (int64_t[]){2, 3, 4}, X), *x1, *y;

	for (int causal = 0; causal < 2; causal++) {
		NnModule *m = mha_set(causal);
		y = nn_forward(m, x, &err);
		assert_non_null(y);
		assert_int_equal(y->ndim, 3);
		assert_int_equal(y->ne[1], 3);
		assert_values(y, causal ? CAUSAL : PLAIN, 24, 1e-12);
		/* unbatched [L, E] is the batch's second sequence */
		x1 = t64(2, (int64_t[]){3, 4}, X + 12);
		y = nn_forward(m, x1, &err);
		assert_non_null(y);
		assert_int_equal(y->ndim, 2);
		assert_values(y, (causal ? CAUSAL : PLAIN) + 12, 12, 1e-12);
		ml_tensor_unref(x1);
		nn_free(m);
	}
	ml_tensor_unref(x);
}

/* PyTorch's names, shapes and initialisation. */
static void
test_mha_params(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_multihead_attention(8, 2, true, false, 7, &err), *nb;
	const char *names[] = {"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"};
	double lo = 1, hi = -1, bound = sqrt(6.0 / 32);

	assert_non_null(m);
	assert_int_equal(m->nparams, 4);
	for (int k = 0; k < 4; k++)
		assert_string_equal(m->param[k].name, names[k]);
	assert_int_equal(m->param[0].value->ne[0], 24);
	assert_int_equal(m->param[0].value->ne[1], 8);
	assert_int_equal(nn_num_parameters(m), 24 * 8 + 24 + 64 + 8);
	assert_non_null(nn_find_param(m, "out_proj.weight"));
	for (int64_t i = 0; i < 24 * 8; i++) {
		float v = ML_F32(m->param[0].value)[i];
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	/* xavier_uniform on [24, 8]: U(-sqrt(6/32), sqrt(6/32)) */
	assert_true(lo >= -bound && hi <= bound && lo < -0.8 * bound && hi > 0.8 * bound);
	for (int64_t i = 0; i < 64; i++)
		assert_true(fabs(ML_F32(m->param[2].value)[i]) <= 1 / sqrt(8.0));
	for (int64_t i = 0; i < 24; i++)
		assert_true(ML_F32(m->param[1].value)[i] == 0);
	for (int64_t i = 0; i < 8; i++)
		assert_true(ML_F32(m->param[3].value)[i] == 0);
	nb = nn_multihead_attention(8, 2, false, false, 7, &err);
	assert_non_null(nb);
	assert_int_equal(nb->nparams, 2);
	assert_string_equal(nb->param[1].name, "out_proj.weight");
	nn_free(nb);
	nn_free(m);
}

static void
test_mha_grads(void **state)
{
	for (int causal = 0; causal < 2; causal++)
		for (int bias = 0; bias < 2; bias++) {
			NnModule *m = nn_multihead_attention(4, 2, bias, causal, 3 + causal, NULL);
			MlTensor *x = t64_rand(3, (int64_t[]){2, 3, 4}, -1, 1, 11 + causal);
			assert_non_null(m);
			nn_check_grads(m, x);
			ml_tensor_unref(x);
			nn_free(m);
		}
}

/* The scale of acc_grad_parameters, and a backward through the values
 * set from PyTorch (bias gradients are the column sums of grad_output). */
static void
test_mha_scale(void **state)
{
	AcErr err = {0};
	NnModule *m = mha_set(true);
	MlTensor *x = t64(3, (int64_t[]){2, 3, 4}, X), *g = t64_rand(3, (int64_t[]){2, 3, 4}, -1, 1, 5);

	assert_non_null(nn_forward(m, x, &err));
	nn_zero_grad(m);
	assert_non_null(nn_backward(m, x, g, 0.5, &err));
	for (int o = 0; o < 4; o++) {
		double s = 0;
		for (int r = 0; r < 6; r++)
			s += D64(g)[r * 4 + o];
		assert_close(D64(m->param[3].grad)[o], 0.5 * s, 1e-12, 1e-12);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	nn_free(m);
}

static void
test_mha_create_errors(void **state)
{
	AcErr err = {0};
	NnHparams hp;
	NnModule *a = nn_multihead_attention(4, 2, true, true, 9, &err), *b;
	MlTensor *x = t64(3, (int64_t[]){2, 3, 5}, NULL), *x1 = t64(1, (int64_t[]){4}, NULL);

	assert_non_null(a);
	assert_int_equal(nn_hparams_parse(&hp, "embed_dim=4 num_heads=2 bias=1 causal=1", &err), AC_OK);
	b = nn_create("MultiheadAttention", &hp, 9, &err);
	assert_non_null(b);
	assert_int_equal(b->nparams, 4);
	for (int k = 0; k < 4; k++) {
		assert_string_equal(a->param[k].name, b->param[k].name);
		assert_true(ml_same_shape(a->param[k].value, b->param[k].value));
		assert_memory_equal(a->param[k].value->data, b->param[k].value->data,
		                    (size_t)ml_tensor_numel(a->param[k].value) * sizeof(float));
	}
	/* the recorded hyper-parameters rebuild it too */
	nn_free(b);
	b = nn_create("MultiheadAttention", &a->hp, 9, &err);
	assert_non_null(b);
	assert_int_equal(b->hp.n, 4);
	assert_int_equal(b->nparams, 4);
	nn_free(b);

	assert_int_equal(nn_to_dtype(a, ML_F64, &err), AC_OK);
	assert_null(nn_forward(a, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "MultiheadAttention: input [2,3,5] f64, want [N,L,4]");
	assert_null(nn_forward(a, x1, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_null(nn_multihead_attention(5, 2, true, false, 1, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "MultiheadAttention: embed_dim 5, num_heads 2: want embed_dim a "
	                             "positive multiple of num_heads");
	ml_tensor_unref(x);
	ml_tensor_unref(x1);
	nn_free(a);
}

/*
 * /usr/bin/python3, torch 1.13, float64: x [2, 3], w1, w3 [4, 3], w2
 * [3, 4] as below;
 *   (F.silu(x @ w1.T) * (x @ w3.T)) @ w2.T
 */
static void
test_swiglu_forward(void **state)
{
	AcErr err = {0};
	NnModule *m = nn_swiglu(3, 4, false, 1, &err);
	MlTensor *x = t64(2, (int64_t[]){2, 3}, (double[]){0.7833, 0.9738, 0.4274, -0.4425, -0.9775, -0.7728});
	MlTensor *y;

	assert_non_null(m);
	assert_int_equal(m->nparams, 3);
	assert_string_equal(m->param[0].name, "w1.weight");
	assert_string_equal(m->param[1].name, "w2.weight");
	assert_string_equal(m->param[2].name, "w3.weight");
	assert_int_equal(m->param[1].value->ne[0], 3);
	assert_int_equal(m->param[1].value->ne[1], 4);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	set_param(m, 0, (double[]){0.6238, 0.5659, -0.1104, -0.6661, -0.4939, 0.2181, 0.6917, 0.4094,
	                           -0.3203, -0.7, -0.3148, 0.4145});
	set_param(m, 1, (double[]){0.4304, 0.5997, 0.4053, -0.035, -0.4541, -0.5977, -0.3788, 0.0699,
	                           0.4762, 0.5936, 0.351, -0.1046});
	set_param(m, 2, (double[]){0.4732, -0.3059, -0.2753, 0.484, -0.0376, -0.4597, 0.3348, 0.2432,
	                           -0.492, 0.0749, 0.4436, -0.3617});
	y = nn_forward(m, x, &err);
	assert_non_null(y);
	assert_values(y,
	              (double[]){0.030797321658635479, -0.028531974913111706, 0.026174979812504204,
	                         0.012404595526633706, -0.011634318380221388, 0.010824979387771024},
	              6, 1e-12);
	ml_tensor_unref(x);
	nn_free(m);
}

static void
test_swiglu_grads(void **state)
{
	for (int bias = 0; bias < 2; bias++) {
		NnModule *m = nn_swiglu(3, 5, bias, 2, NULL);
		MlTensor *x = t64_rand(3, (int64_t[]){2, 2, 3}, -2, 2, 21);
		assert_non_null(m);
		assert_int_equal(m->nparams, bias ? 6 : 3);
		nn_check_grads(m, x);
		ml_tensor_unref(x);
		nn_free(m);
	}
}

static void
test_swiglu_create_errors(void **state)
{
	AcErr err = {0};
	NnHparams hp;
	NnModule *a = nn_swiglu(4, 6, true, 5, &err), *b;
	MlTensor *x = t64(2, (int64_t[]){2, 5}, NULL);

	assert_non_null(a);
	assert_int_equal(nn_hparams_parse(&hp, "in_features=4 hidden_features=6 bias=1", &err), AC_OK);
	b = nn_create("SwiGLU", &hp, 5, &err);
	assert_non_null(b);
	assert_int_equal(b->nparams, 6);
	for (int k = 0; k < 6; k++) {
		assert_string_equal(a->param[k].name, b->param[k].name);
		assert_memory_equal(a->param[k].value->data, b->param[k].value->data,
		                    (size_t)ml_tensor_numel(a->param[k].value) * sizeof(float));
	}
	assert_string_equal(b->param[3].name, "w2.bias");
	nn_free(b);
	assert_int_equal(nn_to_dtype(a, ML_F64, &err), AC_OK);
	assert_null(nn_forward(a, x, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "SwiGLU: input [2,5] f64, want [*,4]");
	assert_null(nn_swiglu(0, 6, false, 1, &err));
	assert_int_equal(err.code, AC_EINVAL);
	ml_tensor_unref(x);
	nn_free(a);
}

/* A model of both blocks survives nn_save and nn_load: the types rebuild
 * from their hyper-parameters and the dotted names find their tensors. */
static void
test_save_load(void **state)
{
	AcErr err = {0};
	char path[] = "/tmp/nn-attention-XXXXXX";
	int fd = mkstemp(path);
	NnModule *m = nn_sequential(&err), *l;
	MlTensor *x = ml_tensor_zeros(ML_F32, 3, (int64_t[]){2, 3, 4}, NULL), *y, *y2;

	assert_true(fd >= 0);
	close(fd);
	assert_non_null(m);
	for (int64_t i = 0; i < 24; i++)
		ML_F32(x)[i] = (float)X[i];
	assert_int_equal(nn_add(m, nn_multihead_attention(4, 2, true, true, 1, NULL), "attn", &err), AC_OK);
	assert_int_equal(nn_add(m, nn_swiglu(4, 6, false, 2, NULL), "ffn", &err), AC_OK);
	assert_int_equal(nn_save(m, "tiny", path, &err), AC_OK);
	l = nn_load(path, NULL, 0, &err);
	if (l == NULL)
		fail_msg("nn_load: %s", err.msg);
	assert_non_null(nn_find_param(l, "attn.out_proj.bias"));
	assert_non_null(nn_find_param(l, "ffn.w3.weight"));
	y = ml_tensor_contiguous(nn_forward(m, x, &err), NULL);
	y2 = nn_forward(l, x, &err);
	assert_non_null(y);
	assert_non_null(y2);
	assert_memory_equal(y->data, y2->data, 24 * sizeof(float));
	ml_tensor_unref(y);
	ml_tensor_unref(x);
	nn_free(m);
	nn_free(l);
	unlink(path);
}

TEST_MAIN("nn attention", cmocka_unit_test(test_mha_forward), cmocka_unit_test(test_mha_params),
          cmocka_unit_test(test_mha_grads), cmocka_unit_test(test_mha_scale),
          cmocka_unit_test(test_mha_create_errors), cmocka_unit_test(test_swiglu_forward),
          cmocka_unit_test(test_swiglu_grads), cmocka_unit_test(test_swiglu_create_errors),
          cmocka_unit_test(test_save_load))
