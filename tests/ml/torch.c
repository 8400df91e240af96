/* ml against PyTorch: each case loads the inputs and PyTorch's output
 * that tests/fixtures/torch_gen.py wrote under tests/data/torch/ (torch
 * 1.13; `make torch-fixtures` regenerates them), runs our op and compares
 * |got - want| <= atol + rtol * |want| element by element, printing one
 * line per case.  For the losses it also compares ml_*_backward with
 * PyTorch's autograd gradient.  Run from the repository root.  The
 * parameters here repeat the script's. */
#include "tests/ml/mltest.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#define DIR "tests/data/torch/"

typedef struct Case {
	const char *name;      /* fixture prefix */
	const char *op;        /* ops.def name */
	MlOpParams p;
	double rtol, atol;     /* 0, 0: f32 1e-5 / 1e-6, f64 1e-12 / 1e-12 */
	const char *why;       /* why the tolerance is what it is, when not the default */
} Case;

#define II .has_ignore_index = true, .ignore_index

static const Case cases[] = {
	{"gelu", "gelu", {.mode = 0}, 0, 0, NULL},
	{"gelu_f64", "gelu", {.mode = 0}, 0, 0, NULL},
	{"gelu_tanh", "gelu_tanh", {.mode = 0}, 0, 0, NULL},
	{"silu", "silu", {.mode = 0}, 0, 0, NULL},
	{"mish", "mish", {.mode = 0}, 0, 0, NULL},
	{"softplus", "softplus", {.mode = 0}, 0, 0, NULL},
	{"elu", "elu", {.p = {1.0}}, 0, 0, NULL},
	{"selu", "selu", {.mode = 0}, 0, 0, NULL},
	{"hardswish", "hardswish", {.mode = 0}, 0, 0, NULL},
	{"hardsigmoid", "hardsigmoid", {.mode = 0}, 0, 0, NULL},
	{"leaky_relu", "leaky_relu", {.p = {0.01}}, 0, 0, NULL},
	{"clamp", "clamp", {.p = {-0.5, 1.25}}, 0, 0, NULL},
	{"rms_norm", "rms_norm", {.axis = -1, .eps = 1e-6}, 0, 0, NULL},
	{"layer_norm", "layer_norm", {.axis = -1, .eps = 1e-5}, 0, 0, NULL},
	{"group_norm", "group_norm", {.groups = 3, .eps = 1e-5}, 0, 0, NULL},
	{"log_softmax", "log_softmax", {.axis = -1}, 0, 0, NULL},
	{"log_softmax_dim1", "log_softmax", {.axis = 1}, 0, 0, NULL},
	{"nll_mean", "nll_loss", {.mode = 1, II = -100}, 0, 0, NULL},
	{"nll_weight_mean", "nll_loss", {.mode = 1, II = -100}, 0, 0, NULL},
	{"nll_weight_ii_sum", "nll_loss", {.mode = 2, II = 2}, 0, 0, NULL},
	{"nll_weight_ii_mean", "nll_loss", {.mode = 1, II = 2}, 0, 0, NULL},
	{"nll_d1_none", "nll_loss", {.mode = 0, II = -100}, 0, 0, NULL},
	{"ce_mean", "cross_entropy", {.mode = 1, II = -100}, 0, 0, NULL},
	{"ce_weight_ii_ls", "cross_entropy", {.mode = 1, II = 1, .label_smoothing = 0.1}, 0, 0, NULL},
	{"ce_ls_sum", "cross_entropy", {.mode = 2, II = -100, .label_smoothing = 0.25}, 0, 0, NULL},
	{"ce_d1_none_ls", "cross_entropy", {.mode = 0, II = -100, .label_smoothing = 0.15}, 0, 0,
	 NULL},
	{"ce_probs_mean", "cross_entropy", {.mode = 1}, 0, 0, NULL},
	{"ce_probs_weight_ls", "cross_entropy", {.mode = 1, .label_smoothing = 0.2}, 0, 0, NULL},
	{"ce_probs_d1_none", "cross_entropy", {.mode = 0}, 0, 0, NULL},
	{"ce_f64_weight", "cross_entropy", {.mode = 1, II = -100, .label_smoothing = 0.05}, 0, 0,
	 NULL},
	{"rope_llama", "rope", {.mode = 0}, 0, 0, NULL},
	{"rope_neox", "rope", {.mode = 2, .p = {0, 5}}, 0, 0, NULL},
	{"rope_neox_partial", "rope", {.mode = 2, .k = 4, .p = {500}}, 0, 0, NULL},
	{"sdpa", "scaled_dot_product_attention", {.mode = 0}, 0, 0, NULL},
	{"sdpa_addmask", "scaled_dot_product_attention", {.mode = 0}, 0, 0, NULL},
	{"sdpa_boolmask", "scaled_dot_product_attention", {.mode = 0}, 0, 0, NULL},
	{"sdpa_causal", "scaled_dot_product_attention", {.causal = true}, 0, 0, NULL},
	{"sdpa_causal_kv", "scaled_dot_product_attention", {.causal = true, .scale = 0.3}, 0, 0,
	 NULL},
	{"cumsum", "cumsum", {.axis = 1}, 0, 0, NULL},
	{"topk", "topk", {.axis = 1, .k = 3, .largest = true, .sorted = true}, 0, 0, NULL},
};

static MlTensor *
load(const char *name, const char *what)
{
	char path[256];
	MlTensor *t = NULL;
	AcErr err;

	snprintf(path, sizeof path, DIR "%s.%s.npy", name, what);
	if (access(path, R_OK) != 0)
		return NULL;
	if (ml_npy_load(path, &t, &err) != AC_OK)
		fail_msg("%s", err.msg);
	return t;
}

/* The largest |got - want| over atol + rtol |want| (<= 1 passes). */
static double
worst(const MlTensor *got, const MlTensor *want, double rtol, double atol, double *maxabs)
{
	int64_t n = ml_tensor_numel(want), idx[ML_MAX_DIMS];
	double w = 0;

	*maxabs = 0;
	if (!ml_same_shape(got, want))
		return INFINITY;
	for (int64_t i = 0; i < n; i++) {
		int64_t r = i;
		double g, v;
		for (int d = want->ndim - 1; d >= 0; d--) {
			idx[d] = r % want->ne[d];
			r /= want->ne[d];
		}
		ml_get(got, idx, &g, NULL);
		ml_get(want, idx, &v, NULL);
		if ((isnan(g) && isnan(v)) || g == v)
			continue;
		double e = fabs(g - v) / (atol + rtol * fabs(v));
		if (fabs(g - v) > *maxabs || isnan(g))
			*maxabs = isnan(g) ? INFINITY : fabs(g - v);
		if (!(e <= w))
			w = isnan(e) ? INFINITY : e;
	}
	return w;
}

static void
test_torch(void **state)
{
	int run = 0, skipped = 0, bad = 0;

	if (access(DIR "gelu.out.npy", R_OK) != 0) {
		printf("# skip: " DIR " is missing (make torch-fixtures)\n");
		return;
	}
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const Case *k = &cases[c];
		int op = ml_op_from_name(k->op);
		MlTensor *in[ML_OP_MAX_INPUTS] = {NULL}, *want, *got, *grad, *gout;
		double e, ma;
		AcErr err;

		if (op < 0) {
			printf("# skip %-20s %s is not in ops.def in this build\n", k->name, k->op);
			skipped++;
			continue;
		}
		if (strcmp(k->op, "topk") == 0) {
			printf("# skip %-20s topk has two outputs: compare values and indices "
			       "(topk.out.npy, topk.idx.npy) once its API is known\n", k->name);
			skipped++;
			continue;
		}
		for (int i = 0; i < ml_op_arity(op); i++) {
			char w[8];
			snprintf(w, sizeof w, "in%d", i);
			in[i] = load(k->name, w);
		}
		want = load(k->name, "out");
		assert_non_null(in[0]);
		assert_non_null(want);
		bool f64 = want->dtype == ML_F64;
		double rtol = k->rtol != 0 ? k->rtol : f64 ? 1e-12 : 1e-5;
		double atol = k->atol != 0 ? k->atol : f64 ? 1e-12 : 1e-6;
		got = ml_op(op, in, &k->p, &err);
		if (got == NULL)
			fail_msg("%s: %s", k->name, err.msg);
		e = worst(got, want, rtol, atol, &ma);
		printf("# %-4s %-20s %-28s %s max |diff| %.3g (rtol %g, atol %g)\n",
		       e <= 1 ? "ok" : "FAIL", k->name, k->op, ml_dtype_name(want->dtype), ma, rtol,
		       atol);
		bad += !(e <= 1);
		if ((grad = load(k->name, "grad")) != NULL) {
			MlTensor *gi = ml_tensor_zeros(in[0]->dtype, in[0]->ndim, in[0]->ne, NULL);
			gout = load(k->name, "gout");
			int rc = strcmp(k->op, "nll_loss") == 0
			             ? ml_nll_loss_backward(gi, gout, in[0], in[1], in[2], &k->p, &err)
			             : ml_cross_entropy_backward(gi, gout, in[0], in[1], in[2], &k->p, &err);
			if (rc != AC_OK)
				fail_msg("%s backward: %s", k->name, err.msg);
			e = worst(gi, grad, rtol, atol, &ma);
			printf("# %-4s %-20s %-28s %s max |diff| %.3g (rtol %g, atol %g)\n",
			       e <= 1 ? "ok" : "FAIL", k->name, "  backward (autograd)",
			       ml_dtype_name(grad->dtype), ma, rtol, atol);
			bad += !(e <= 1);
			ml_tensor_unref(gi);
			ml_tensor_unref(gout);
			ml_tensor_unref(grad);
		}
		run++;
		ml_tensor_unref(got);
		ml_tensor_unref(want);
		for (int i = 0; i < ML_OP_MAX_INPUTS; i++)
			ml_tensor_unref(in[i]);
	}
	printf("# torch: %d cases run, %d skipped, %d comparisons failed\n", run, skipped, bad);
	assert_int_equal(bad, 0);
}

TEST_MAIN("ml/torch", cmocka_unit_test(test_torch))
