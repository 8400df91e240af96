/*
 * Losses (nn/loss.c): forward values against PyTorch 1.13 on small
 * literal inputs, every backward against f64 central differences of its
 * forward, f32 against f64, and the one-line errors.
 *
 * The expected values were printed by /usr/bin/python3 with torch 1.13
 * from f64 tensors holding the literals below, e.g.
 *   nn.MSELoss(reduction='none')(x, y), nn.BCELoss(weight=w)(p, yb),
 *   nn.CrossEntropyLoss(weight=cw, label_smoothing=0.1)(lx, t),
 * each value written with "%.17g".
 */
#include "tests/nn/nntest.h"

#include <stdlib.h>

/* The inputs the PyTorch values were computed on. */
static const double X[6] = {0.2, -1.3, 0.7, 1.5, 0.1, -0.4};   /* [2,3] */
static const double Y[6] = {0.5, -0.8, 1.9, 1.0, 0.1, 0.3};
static const double P[6] = {0.2, 0.7, 0.9, 0.45, 0.05, 0.6};   /* probabilities */
static const double YB[6] = {0, 1, 1, 0.3, 0, 1};              /* BCE targets */
static const double KT[6] = {0.2, 0, 0.8, 0.5, 0.25, 0.25};    /* KLDiv targets */
static const double W3[3] = {0.5, 2.0, 1.0};                   /* BCE weight */
static const double PW3[3] = {3.0, 0.5, 1.5};                  /* pos_weight */
static const double LX[12] = {0.2, -1.3, 0.7, 0.1, 1.5, 0.1, -0.4, 2.0,
                              -0.3, 0.8, 0.0, -1.1};             /* logits [3,4] */
static const double CW[4] = {1.0, 0.5, 2.0, 1.5};               /* class weight */

static MlTensor *
tens(MlDtype dt, int ndim, const int64_t *ne, const double *vals)
{
	MlTensor *t = t64(ndim, ne, vals), *c;

	if (dt == ML_F64)
		return t;
	c = ml_cast(t, dt, NULL);
	assert_non_null(c);
	ml_tensor_unref(t);
	return c;
}

static MlTensor *
classes(int ndim, const int64_t *ne, const int64_t *vals)
{
	MlTensor *t = ml_tensor_zeros(ML_I64, ndim, ne, NULL);

	assert_non_null(t);
	memcpy(t->data, vals, (size_t)ml_tensor_numel(t) * sizeof *vals);
	return t;
}

static double
elt(const MlTensor *t, int64_t i)
{
	return t->dtype == ML_F32 ? ML_F32(t)[i] : D64(t)[i];
}

/* Runs loss forward and compares the output with want[0..n-1] and the
 * value with their sum (none) or want[0]. Takes ownership of loss. */
static void
expect(NnLoss *loss, MlTensor *x, MlTensor *y, const double *want, int n, double rtol)
{
	AcErr err = {0};
	double value = NAN, sum = 0;
	MlTensor *out;

	assert_non_null(loss);
	out = nn_loss_forward(loss, x, y, &value, &err);
	if (out == NULL)
		print_error("%s: %s\n", nn_loss_type(loss), err.msg);
	assert_non_null(out);
	assert_int_equal(ml_tensor_numel(out), n);
	assert_int_equal(out->dtype, x->dtype);
	for (int i = 0; i < n; i++) {
		assert_close(elt(out, i), want[i], 1e-15 + rtol, rtol);
		sum += want[i];
	}
	assert_close(value, sum, 1e-15 + rtol, rtol);
	nn_loss_free(loss);
}

/* The element-wise losses, every reduction, against PyTorch. */
static void
elementwise_values(MlDtype dt, double rtol)
{
	int64_t ne[2] = {2, 3}, ne3[1] = {3};
	MlTensor *x = tens(dt, 2, ne, X), *y = tens(dt, 2, ne, Y), *p = tens(dt, 2, ne, P),
	         *yb = tens(dt, 2, ne, YB), *kt = tens(dt, 2, ne, KT), *w = t64(1, ne3, W3),
	         *pw = tens(dt, 1, ne3, PW3), *ylog;
	static const double mse[6] = {0.089999999999999997, 0.25, 1.4399999999999999, 0.25, 0,
	                              0.48999999999999994};
	static const double l1[6] = {0.29999999999999999, 0.5, 1.2, 0.5, 0, 0.69999999999999996};
	static const double sl1[6] = {0.074999999999999997, 0.20833333333333334, 0.89999999999999991,
	                              0.20833333333333334, 0, 0.39999999999999997};
	static const double bce[6] = {0.22314355131420971, 0.35667494393873245, 0.10536051565782628,
	                              0.65803820939426572, 0.051293294387550578, 0.51082562376599072};
	static const double bcew[6] = {0.11157177565710485, 0.71334988787746489, 0.10536051565782628,
	                               0.32901910469713286, 0.10258658877510116, 0.51082562376599072};
	static const double bcel[6] = {0.79813886938159184, 1.5410084538329922, 0.40318604888545784,
	                               1.2514132779827523, 0.74439666007357086, 0.91301525239995251};
	static const double bcelpw[6] = {0.39906943469079592, 1.5410084538329922, 0.60477907332818681,
	                                 0.68613062238620193, 1.4887933201471417, 1.3695228785999287};
	static const double kl[6] = {-0.36188758248682007, 0, -0.73851484105136778,
	                             -1.0965735902799727, -0.37157359027997267, -0.24657359027997264};
	double kly[6];

	expect(nn_mse_loss(NN_REDUCTION_NONE, NULL), x, y, mse, 6, rtol);
	expect(nn_mse_loss(NN_REDUCTION_MEAN, NULL), x, y, (double[]){0.41999999999999998}, 1, rtol);
	expect(nn_mse_loss(NN_REDUCTION_SUM, NULL), x, y, (double[]){2.52}, 1, rtol);
	expect(nn_l1_loss(NN_REDUCTION_NONE, NULL), x, y, l1, 6, rtol);
	expect(nn_l1_loss(NN_REDUCTION_MEAN, NULL), x, y, (double[]){0.53333333333333333}, 1, rtol);
	expect(nn_l1_loss(NN_REDUCTION_SUM, NULL), x, y, (double[]){3.2000000000000002}, 1, rtol);
	expect(nn_smooth_l1_loss(NN_REDUCTION_NONE, 0.6, NULL), x, y, sl1, 6, rtol);
	expect(nn_smooth_l1_loss(NN_REDUCTION_MEAN, 0.6, NULL), x, y, (double[]){0.2986111111111111},
	       1, rtol);
	expect(nn_smooth_l1_loss(NN_REDUCTION_SUM, 0.6, NULL), x, y, (double[]){1.7916666666666665},
	       1, rtol);
	expect(nn_bce_loss(NN_REDUCTION_NONE, NULL, NULL), p, yb, bce, 6, rtol);
	expect(nn_bce_loss(NN_REDUCTION_MEAN, NULL, NULL), p, yb, (double[]){0.31755602307642922}, 1,
	       rtol);
	expect(nn_bce_loss(NN_REDUCTION_SUM, NULL, NULL), p, yb, (double[]){1.9053361384585754}, 1,
	       rtol);
	/* the weight is f64 even on the f32 path: the loss converts it */
	expect(nn_bce_loss(NN_REDUCTION_NONE, w, NULL), p, yb, bcew, 6, rtol);
	expect(nn_bce_loss(NN_REDUCTION_MEAN, w, NULL), p, yb, (double[]){0.31211891607177017}, 1,
	       rtol);
	expect(nn_bce_with_logits_loss(NN_REDUCTION_NONE, NULL, NULL, NULL), x, yb, bcel, 6, rtol);
	expect(nn_bce_with_logits_loss(NN_REDUCTION_MEAN, NULL, NULL, NULL), x, yb,
	       (double[]){0.94185976042605313}, 1, rtol);
	expect(nn_bce_with_logits_loss(NN_REDUCTION_NONE, w, pw, NULL), x, yb, bcelpw, 6, rtol);
	expect(nn_bce_with_logits_loss(NN_REDUCTION_SUM, w, pw, NULL), x, yb,
	       (double[]){6.0893037829852474}, 1, rtol);
	expect(nn_kl_div_loss(NN_REDUCTION_NONE, false, NULL), x, kt, kl, 6, rtol);
	expect(nn_kl_div_loss(NN_REDUCTION_MEAN, false, NULL), x, kt, (double[]){-0.46918719906301765},
	       1, rtol);
	expect(nn_kl_div_loss(NN_REDUCTION_BATCHMEAN, false, NULL), x, kt,
	       (double[]){-1.4075615971890529}, 1, rtol);
	/* nn.KLDivLoss(reduction='sum', log_target=True)(x, torch.log(kt + 0.1)) */
	for (int i = 0; i < 6; i++)
		kly[i] = log(KT[i] + 0.1);
	ylog = tens(dt, 2, ne, kly);
	expect(nn_kl_div_loss(NN_REDUCTION_SUM, true, NULL), x, ylog, (double[]){-3.082645676097898},
	       1, rtol);
	ml_tensor_unref(ylog);
	ml_tensor_unref(x), ml_tensor_unref(y), ml_tensor_unref(p), ml_tensor_unref(yb);
	ml_tensor_unref(kt), ml_tensor_unref(w), ml_tensor_unref(pw);
}

/* CrossEntropyLoss and NLLLoss against PyTorch. */
static void
class_values(MlDtype dt, double rtol)
{
	int64_t ne[2] = {3, 4}, nt[1] = {3}, nc[1] = {4}, ne3[3] = {2, 3, 4}, nt3[2] = {2, 4};
	MlTensor *lx = tens(dt, 2, ne, LX), *t = classes(1, nt, (int64_t[]){2, 0, 3}),
	         *t2 = classes(1, nt, (int64_t[]){2, -100, 3}), *t3 = classes(1, nt, (int64_t[]){2, 1, 3}),
	         *cw = tens(dt, 1, nc, CW), *pr, *x3, *tt3;
	static const double ce[3] = {0.82884765984560249, 1.1134637424630673, 2.5584359910632086};
	static const double cew[3] = {1.6555317452027849, 1.2350503360246439, 3.6749430868182325};
	static const double nll[3] = {-0.69999999999999996, -1.5, 1.1000000000000001};
	static const double ce3[8] = {1.4251958174228057, 1.0260790847095265, 1.6194598832593856,
	                              0.58092859507666772, 0.42893555976526482, 0.6015685049828331,
	                              0.43393553802443496, 1.1048316676922423};
	double prv[12], x3v[24];

	expect(nn_cross_entropy_loss(NN_REDUCTION_NONE, NULL, -100, 0, NULL), lx, t, ce, 3, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL), lx, t,
	       (double[]){1.5002491311239596}, 1, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_SUM, NULL, -100, 0, NULL), lx, t,
	       (double[]){4.5007473933718787}, 1, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_NONE, cw, -100, 0.1, NULL), lx, t, cew, 3, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, cw, -100, 0.1, NULL), lx, t,
	       (double[]){1.4590055928990362}, 1, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL), lx, t2,
	       (double[]){1.6936418254544057}, 1, rtol);
	expect(nn_nll_loss(NN_REDUCTION_NONE, NULL, -100, NULL), lx, t, nll, 3, rtol);
	expect(nn_nll_loss(NN_REDUCTION_MEAN, NULL, -100, NULL), lx, t, (double[]){-0.36666666666666664},
	       1, rtol);
	expect(nn_nll_loss(NN_REDUCTION_MEAN, cw, 1, NULL), lx, t3, (double[]){0.071428571428571494},
	       1, 10 * rtol);
	/* probabilities: softmax([[.1,.2,.3,.4],[1,0,0,0],[0,0,2,0]], 1) */
	{
		static const double z[12] = {0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0, 0, 0, 2, 0};
		for (int r = 0; r < 3; r++) {
			double s = 0;
			for (int c = 0; c < 4; c++)
				s += exp(z[r * 4 + c]);
			for (int c = 0; c < 4; c++)
				prv[r * 4 + c] = exp(z[r * 4 + c]) / s;
		}
	}
	pr = tens(dt, 2, ne, prv);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL), lx, pr,
	       (double[]){1.5669745217075919}, 1, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0.2, NULL), lx, pr,
	       (double[]){1.5886294435908652}, 1, rtol);
	/* [N, C, d]: torch.arange(24).reshape(2,3,4).sin() */
	for (int i = 0; i < 24; i++)
		x3v[i] = sin((double)i);
	x3 = tens(dt, 3, ne3, x3v);
	tt3 = classes(2, nt3, (int64_t[]){0, 2, 1, 1, 2, 2, 0, 1});
	expect(nn_cross_entropy_loss(NN_REDUCTION_NONE, NULL, -100, 0, NULL), x3, tt3, ce3, 8, rtol);
	expect(nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL), x3, tt3,
	       (double[]){0.90261683136664494}, 1, rtol);
	ml_tensor_unref(lx), ml_tensor_unref(t), ml_tensor_unref(t2), ml_tensor_unref(t3);
	ml_tensor_unref(cw), ml_tensor_unref(pr), ml_tensor_unref(x3), ml_tensor_unref(tt3);
}

static void
test_values_f64(void **state)
{
	elementwise_values(ML_F64, 1e-13);
	class_values(ML_F64, 1e-13);
}

static void
test_values_f32(void **state)
{
	elementwise_values(ML_F32, 2e-6);
	class_values(ML_F32, 2e-6);
}

/* PyTorch's clamp of BCELoss's logs at -100, and BCEWithLogitsLoss at
 * logits of +-800 (torch gives 800, 800, 9.3480778673433814e-14). */
static void
test_extremes(void **state)
{
	int64_t ne[1] = {3};
	MlTensor *p = t64(1, ne, (double[]){0, 1, 0.5}), *y = t64(1, ne, (double[]){1, 0, 0.5}),
	         *x = t64(1, ne, (double[]){800, -800, 30}), *yl = t64(1, ne, (double[]){0, 1, 1});

	expect(nn_bce_loss(NN_REDUCTION_NONE, NULL, NULL), p, y,
	       (double[]){100, 100, 0.69314718055994529}, 3, 1e-14);
	expect(nn_bce_with_logits_loss(NN_REDUCTION_NONE, NULL, NULL, NULL), x, yl,
	       (double[]){800, 800, 9.3480778673433814e-14}, 3, 1e-12);
	ml_tensor_unref(p), ml_tensor_unref(y), ml_tensor_unref(x), ml_tensor_unref(yl);
}

/* ---- gradients ---- */

/* The scalar the check differentiates: sum(r * out) for NONE, the value
 * otherwise. */
static double
scalar_loss(NnLoss *l, MlTensor *x, MlTensor *y, const MlTensor *r)
{
	AcErr err = {0};
	double v;
	MlTensor *out = nn_loss_forward(l, x, y, &v, &err);

	if (out == NULL) {
		print_error("forward: %s\n", err.msg);
		return NAN;
	}
	if (r == NULL)
		return v;
	v = 0;
	for (int64_t i = 0; i < ml_tensor_numel(out); i++)
		v += D64(out)[i] * D64(r)[i];
	return v;
}

/* nntest.h's nn_check_grads for a loss: grad_input against central
 * differences of the forward in f64. Takes ownership of l. */
static void
check_loss_grads(NnLoss *l, MlTensor *x, MlTensor *y)
{
	const double h = 1e-6;
	AcErr err = {0};
	MlTensor *out, *r = NULL, *gx;
	int ok = 1;

	assert_non_null(l);
	out = nn_loss_forward(l, x, y, NULL, &err);
	if (out == NULL)
		print_error("forward: %s\n", err.msg);
	assert_non_null(out);
	if (out->ndim > 0)
		r = t64_rand(out->ndim, out->ne, -1, 1, 0x5eed);
	else
		r = t64(0, NULL, (double[]){0.7});  /* a scalar grad_output scales the gradient */
	gx = nn_loss_backward(l, x, y, r, &err);
	if (gx == NULL)
		print_error("backward: %s\n", err.msg);
	assert_non_null(gx);
	assert_true(ml_same_shape(gx, x));
	for (int64_t i = 0; i < ml_tensor_numel(x) && ok; i++) {
		double v = D64(x)[i], lp, lm;
		D64(x)[i] = v + h;
		lp = scalar_loss(l, x, y, r);
		D64(x)[i] = v - h;
		lm = scalar_loss(l, x, y, r);
		D64(x)[i] = v;
		ok = nn_test_close(nn_loss_type(l), i, D64(gx)[i], (lp - lm) / (2 * h), 1e-7, 1e-5);
	}
	/* grad_output NULL is 1 everywhere */
	if (ok && out->ndim == 0) {
		gx = nn_loss_backward(l, x, y, NULL, &err);
		assert_non_null(gx);
		for (int64_t i = 0; i < ml_tensor_numel(x); i++) {
			double v = D64(x)[i], lp, lm;
			D64(x)[i] = v + h;
			lp = scalar_loss(l, x, y, NULL);
			D64(x)[i] = v - h;
			lm = scalar_loss(l, x, y, NULL);
			D64(x)[i] = v;
			ok = ok && nn_test_close(nn_loss_type(l), i, D64(gx)[i], (lp - lm) / (2 * h), 1e-7,
			                         1e-5);
		}
	}
	ml_tensor_unref(r);
	nn_loss_free(l);
	assert_true(ok);
}

static void
test_grads_elementwise(void **state)
{
	int64_t ne[2] = {4, 3}, nw[1] = {3};
	MlTensor *x = t64_rand(2, ne, -2, 2, 1), *y = t64_rand(2, ne, -2, 2, 2),
	         *p = t64_rand(2, ne, 0.05, 0.95, 3), *yb = t64_rand(2, ne, 0, 1, 4),
	         *kt = t64_rand(2, ne, 0.01, 1, 5), *w = t64_rand(1, nw, 0.2, 2, 6),
	         *pw = t64_rand(1, nw, 0.2, 3, 7);

	for (NnReduction r = NN_REDUCTION_NONE; r <= NN_REDUCTION_SUM; r++) {
		check_loss_grads(nn_mse_loss(r, NULL), x, y);
		check_loss_grads(nn_l1_loss(r, NULL), x, y);
		check_loss_grads(nn_smooth_l1_loss(r, 1.0, NULL), x, y);
		check_loss_grads(nn_smooth_l1_loss(r, 0.3, NULL), x, y);
		check_loss_grads(nn_bce_loss(r, NULL, NULL), p, yb);
		check_loss_grads(nn_bce_loss(r, w, NULL), p, yb);
		check_loss_grads(nn_bce_with_logits_loss(r, NULL, NULL, NULL), x, yb);
		check_loss_grads(nn_bce_with_logits_loss(r, w, pw, NULL), x, yb);
		check_loss_grads(nn_kl_div_loss(r, false, NULL), x, kt);
		check_loss_grads(nn_kl_div_loss(r, true, NULL), x, y);
	}
	check_loss_grads(nn_kl_div_loss(NN_REDUCTION_BATCHMEAN, false, NULL), x, kt);
	ml_tensor_unref(x), ml_tensor_unref(y), ml_tensor_unref(p), ml_tensor_unref(yb);
	ml_tensor_unref(kt), ml_tensor_unref(w), ml_tensor_unref(pw);
}

static void
test_grads_classes(void **state)
{
	int64_t ne[2] = {5, 4}, nt[1] = {5}, nc[1] = {4}, ne3[3] = {2, 4, 3}, nt3[2] = {2, 3};
	MlTensor *x = t64_rand(2, ne, -2, 2, 11), *t = classes(1, nt, (int64_t[]){3, 0, 1, 3, 2}),
	         *ti = classes(1, nt, (int64_t[]){3, -100, 1, 3, 2}), *w = t64_rand(1, nc, 0.2, 2, 12),
	         *pr = t64_rand(2, ne, 0, 1, 13), *x3 = t64_rand(3, ne3, -2, 2, 14),
	         *t3 = classes(2, nt3, (int64_t[]){0, 3, 1, 2, 2, -100});

	for (NnReduction r = NN_REDUCTION_NONE; r <= NN_REDUCTION_SUM; r++) {
		check_loss_grads(nn_cross_entropy_loss(r, NULL, -100, 0, NULL), x, t);
		check_loss_grads(nn_cross_entropy_loss(r, w, -100, 0.15, NULL), x, ti);
		check_loss_grads(nn_cross_entropy_loss(r, w, -100, 0.1, NULL), x, pr);
		check_loss_grads(nn_cross_entropy_loss(r, NULL, -100, 0, NULL), x3, t3);
		check_loss_grads(nn_nll_loss(r, w, 1, NULL), x, t);
		check_loss_grads(nn_nll_loss(r, NULL, -100, NULL), x3, t3);
	}
	ml_tensor_unref(x), ml_tensor_unref(t), ml_tensor_unref(ti), ml_tensor_unref(w);
	ml_tensor_unref(pr), ml_tensor_unref(x3), ml_tensor_unref(t3);
}

/* The f32 path's gradient is the f64 one rounded. */
static void
test_grad_f32(void **state)
{
	int64_t ne[2] = {3, 4};
	MlTensor *x = t64_rand(2, ne, 0.1, 0.9, 21), *y = t64_rand(2, ne, 0, 1, 22);
	MlTensor *xf = ml_cast(x, ML_F32, NULL), *yf = ml_cast(y, ML_F32, NULL), *g64, *g32;
	NnLoss *a = nn_bce_loss(NN_REDUCTION_MEAN, NULL, NULL), *b = nn_bce_loss(NN_REDUCTION_MEAN, NULL, NULL);

	g64 = nn_loss_backward(a, x, y, NULL, NULL);
	g32 = nn_loss_backward(b, xf, yf, NULL, NULL);
	assert_non_null(g64);
	assert_non_null(g32);
	assert_int_equal(g32->dtype, ML_F32);
	for (int i = 0; i < 12; i++)
		assert_close(ML_F32(g32)[i], D64(g64)[i], 1e-6, 1e-5);
	nn_loss_free(a), nn_loss_free(b);
	ml_tensor_unref(x), ml_tensor_unref(y), ml_tensor_unref(xf), ml_tensor_unref(yf);
}

/* Input and target of different shapes or dtypes give one line naming the
 * loss and both. */
static void
test_errors(void **state)
{
	int64_t a[2] = {2, 3}, b[2] = {3, 2}, nl[2] = {3, 5}, nt[1] = {4};
	MlTensor *x = t64(2, a, NULL), *y = t64(2, b, NULL), *yf = ml_tensor_zeros(ML_F32, 2, a, NULL),
	         *lx = t64(2, nl, NULL), *t = classes(1, nt, (int64_t[]){0, 1, 2, 3}),
	         *bad = classes(1, (int64_t[]){3}, (int64_t[]){0, 7, 1}), *g = t64(1, (int64_t[]){3}, NULL);
	NnLoss *mse = nn_mse_loss(NN_REDUCTION_MEAN, NULL), *bce = nn_bce_loss(NN_REDUCTION_NONE, NULL, NULL),
	       *ce = nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL);
	AcErr err = {0};

	assert_null(nn_loss_forward(mse, x, y, NULL, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "MSELoss: input [2,3] and target [3,2] differ in shape");
	assert_null(nn_loss_backward(mse, x, y, NULL, &err));
	assert_string_equal(err.msg, "MSELoss: input [2,3] and target [3,2] differ in shape");
	assert_null(nn_loss_forward(bce, x, yf, NULL, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	assert_string_equal(err.msg, "BCELoss: target is f32, input f64");
	assert_null(nn_loss_backward(bce, x, x, g, &err));
	assert_string_equal(err.msg, "BCELoss: grad_output [3], want [2,3]");
	assert_null(nn_loss_forward(ce, lx, t, NULL, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "CrossEntropyLoss: target [4] does not match input [3,5]");
	assert_null(nn_loss_backward(ce, lx, t, NULL, &err));
	assert_string_equal(err.msg, "CrossEntropyLoss: target [4] does not match input [3,5]");
	assert_null(nn_loss_forward(ce, lx, bad, NULL, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "CrossEntropyLoss: target[1] = 7 is not a class in 0..4");
	assert_null(nn_smooth_l1_loss(NN_REDUCTION_MEAN, -1, &err));
	assert_string_equal(err.msg, "SmoothL1Loss: beta -1, want >= 0");
	assert_null(nn_mse_loss(NN_REDUCTION_BATCHMEAN, &err));
	assert_string_equal(err.msg, "MSELoss: reduction 3, want none, mean or sum");
	nn_loss_free(mse), nn_loss_free(bce), nn_loss_free(ce);
	ml_tensor_unref(x), ml_tensor_unref(y), ml_tensor_unref(yf), ml_tensor_unref(lx);
	ml_tensor_unref(t), ml_tensor_unref(bad), ml_tensor_unref(g);
}

TEST_MAIN("nn losses", cmocka_unit_test(test_values_f64), cmocka_unit_test(test_values_f32),
          cmocka_unit_test(test_extremes), cmocka_unit_test(test_grads_elementwise),
          cmocka_unit_test(test_grads_classes), cmocka_unit_test(test_grad_f32),
          cmocka_unit_test(test_errors))
