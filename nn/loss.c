/*
 * Losses as Torch7 criterions (nn.h "Losses"). The element-wise losses
 * run here in double, one formula per loss giving the value and its
 * derivative together; NLLLoss and CrossEntropyLoss run ml's nll_loss and
 * cross_entropy ops and their backward functions.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { MSE, L1, SMOOTH_L1, BCE, BCE_LOGITS, KL_DIV, NLL, CROSS_ENTROPY };

static const char *const type_names[] = {
	[MSE] = "MSELoss", [L1] = "L1Loss", [SMOOTH_L1] = "SmoothL1Loss", [BCE] = "BCELoss",
	[BCE_LOGITS] = "BCEWithLogitsLoss", [KL_DIV] = "KLDivLoss", [NLL] = "NLLLoss",
	[CROSS_ENTROPY] = "CrossEntropyLoss",
};

struct NnLoss {
	int kind;
	NnReduction reduction;
	double beta;              /* SmoothL1Loss */
	bool log_target;          /* KLDivLoss */
	int64_t ignore_index;     /* NLLLoss, CrossEntropyLoss */
	double label_smoothing;   /* CrossEntropyLoss */
	MlTensor *weight;         /* owned reference or NULL; cast to the input's dtype when used */
	MlTensor *pos_weight;     /* BCEWithLogitsLoss; owned reference or NULL */
	MlTensor *output;         /* owned */
	MlTensor *grad_input;     /* owned */
	/* f64 scratch for the element-wise losses, reused: */
	MlTensor *x, *y, *w, *pw, *g;
};

static int
lerr(const NnLoss *l, AcErr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
lerr(const NnLoss *l, AcErr *err, int code, const char *fmt, ...)
{
	char msg[AC_ERR_MSG_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ac_err_set(err, code, "%s: %s", type_names[l->kind], msg);
}

/* Renames an error of ml's ("cross_entropy: target ..") after the loss. */
static int
rename_err(const NnLoss *l, AcErr *err, int code)
{
	char msg[AC_ERR_MSG_BYTES];
	const char *s;

	if (err == NULL)
		return code;
	s = strstr(err->msg, ": ");
	snprintf(msg, sizeof msg, "%s", s != NULL ? s + 2 : err->msg);
	return lerr(l, err, code, "%s", msg);
}

static NnLoss *
loss_new(int kind, NnReduction reduction, AcErr *err)
{
	NnLoss *l;

	if (reduction < NN_REDUCTION_NONE || reduction > NN_REDUCTION_BATCHMEAN ||
	    (reduction == NN_REDUCTION_BATCHMEAN && kind != KL_DIV)) {
		ac_err_set(err, AC_EINVAL, "%s: reduction %d, want none, mean or sum%s", type_names[kind],
		           (int)reduction, kind == KL_DIV ? " or batchmean" : "");
		return NULL;
	}
	if ((l = calloc(1, sizeof *l)) == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", type_names[kind]);
		return NULL;
	}
	l->kind = kind;
	l->reduction = reduction;
	l->ignore_index = -100;
	return l;
}

NnLoss *
nn_mse_loss(NnReduction reduction, AcErr *err)
{
	return loss_new(MSE, reduction, err);
}

NnLoss *
nn_l1_loss(NnReduction reduction, AcErr *err)
{
	return loss_new(L1, reduction, err);
}

NnLoss *
nn_smooth_l1_loss(NnReduction reduction, double beta, AcErr *err)
{
	NnLoss *l;

	if (!(beta >= 0)) {
		ac_err_set(err, AC_EINVAL, "SmoothL1Loss: beta %g, want >= 0", beta);
		return NULL;
	}
	if ((l = loss_new(SMOOTH_L1, reduction, err)) != NULL)
		l->beta = beta;
	return l;
}

NnLoss *
nn_bce_loss(NnReduction reduction, MlTensor *weight, AcErr *err)
{
	NnLoss *l = loss_new(BCE, reduction, err);

	if (l != NULL)
		l->weight = ml_tensor_ref(weight);
	return l;
}

NnLoss *
nn_bce_with_logits_loss(NnReduction reduction, MlTensor *weight, MlTensor *pos_weight, AcErr *err)
{
	NnLoss *l = loss_new(BCE_LOGITS, reduction, err);

	if (l != NULL) {
		l->weight = ml_tensor_ref(weight);
		l->pos_weight = ml_tensor_ref(pos_weight);
	}
	return l;
}

NnLoss *
nn_kl_div_loss(NnReduction reduction, bool log_target, AcErr *err)
{
	NnLoss *l = loss_new(KL_DIV, reduction, err);

	if (l != NULL)
		l->log_target = log_target;
	return l;
}

NnLoss *
nn_nll_loss(NnReduction reduction, MlTensor *weight, int64_t ignore_index, AcErr *err)
{
	NnLoss *l = loss_new(NLL, reduction, err);

	if (l != NULL) {
		l->weight = ml_tensor_ref(weight);
		l->ignore_index = ignore_index;
	}
	return l;
}

NnLoss *
nn_cross_entropy_loss(NnReduction reduction, MlTensor *weight, int64_t ignore_index,
                      double label_smoothing, AcErr *err)
{
	NnLoss *l;

	if (!(label_smoothing >= 0 && label_smoothing <= 1)) {
		ac_err_set(err, AC_EINVAL, "CrossEntropyLoss: label_smoothing %g is outside [0, 1]",
		           label_smoothing);
		return NULL;
	}
	if ((l = loss_new(CROSS_ENTROPY, reduction, err)) != NULL) {
		l->weight = ml_tensor_ref(weight);
		l->ignore_index = ignore_index;
		l->label_smoothing = label_smoothing;
	}
	return l;
}

const char *
nn_loss_type(const NnLoss *loss)
{
	return type_names[loss->kind];
}

void
nn_loss_free(NnLoss *l)
{
	if (l == NULL)
		return;
	ml_tensor_unref(l->weight);
	ml_tensor_unref(l->pos_weight);
	ml_tensor_unref(l->output);
	ml_tensor_unref(l->grad_input);
	ml_tensor_unref(l->x);
	ml_tensor_unref(l->y);
	ml_tensor_unref(l->w);
	ml_tensor_unref(l->pw);
	ml_tensor_unref(l->g);
	free(l);
}

/* ---- the element-wise losses ---- */

static double
sign(double d)
{
	return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/* The loss at one element (x input, y target, w weight, pw pos_weight,
 * both 1 when absent) and its derivative in x, *dx. */
static double
elem(const NnLoss *l, double x, double y, double w, double pw, double *dx)
{
	double d = x - y, ad = fabs(d), v, s, lw;

	switch (l->kind) {
	case MSE:
		*dx = 2 * d;
		return d * d;
	case L1:
		*dx = sign(d);
		return ad;
	case SMOOTH_L1:
		if (ad < l->beta) {
			*dx = d / l->beta;
			return 0.5 * d * d / l->beta;
		}
		*dx = sign(d);
		return ad - 0.5 * l->beta;
	case BCE:
		/* PyTorch clamps the logs at -100 so that x = 0 or 1 stays finite,
		 * and bounds the backward's denominator by 1e-12 likewise. */
		*dx = w * (x - y) / fmax((1 - x) * x, 1e-12);
		return -w * (y * fmax(log(x), -100) + (1 - y) * fmax(log1p(-x), -100));
	case BCE_LOGITS:
		/* log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0) never overflows */
		lw = 1 + (pw - 1) * y;
		v = (1 - y) * x + lw * (log1p(exp(-fabs(x))) + fmax(-x, 0));
		s = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
		*dx = w * (lw * s - pw * y);
		return w * v;
	case KL_DIV:
		if (l->log_target) {
			*dx = -exp(y);
			return exp(y) * (y - x);
		}
		*dx = -y;
		return (y == 0 ? 0 : y * log(y)) - y * x;  /* xlogy(y, y) - y x */
	}
	*dx = 0;
	return NAN;
}

/* *slot = t converted to f64 and broadcast to like's shape, contiguous. */
static int
to_f64(const NnLoss *l, MlTensor **slot, const MlTensor *t, const MlTensor *like, const char *what,
       AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int rc;

	if ((rc = nn_ensure(slot, ML_F64, like->ndim, like->ne, err)) != AC_OK)
		return rc;
	if (ml_copy(*slot, t, NULL) != AC_OK)
		return lerr(l, err, AC_ESHAPE, "%s %s does not broadcast to input %s", what,
		            ml_shape_fmt(t, a), ml_shape_fmt(like, b));
	return AC_OK;
}

static int
check_pair(const NnLoss *l, const MlTensor *x, const MlTensor *y, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

	if (x == NULL || y == NULL)
		return lerr(l, err, AC_EINVAL, "no input or no target");
	if (x->dtype != ML_F32 && x->dtype != ML_F64)
		return lerr(l, err, AC_EDTYPE, "input is %s, want f32 or f64", ml_dtype_name(x->dtype));
	if (y->dtype != x->dtype)
		return lerr(l, err, AC_EDTYPE, "target is %s, input %s", ml_dtype_name(y->dtype),
		            ml_dtype_name(x->dtype));
	if (!ml_same_shape(x, y))
		return lerr(l, err, AC_ESHAPE, "input %s and target %s differ in shape",
		            ml_shape_fmt(x, a), ml_shape_fmt(y, b));
	return AC_OK;
}

/* Loads input, target and the weights into the f64 scratch. */
static int
load(NnLoss *l, const MlTensor *x, const MlTensor *y, AcErr *err)
{
	int rc;

	if ((rc = check_pair(l, x, y, err)) != AC_OK ||
	    (rc = to_f64(l, &l->x, x, x, "input", err)) != AC_OK ||
	    (rc = to_f64(l, &l->y, y, x, "target", err)) != AC_OK)
		return rc;
	if (l->weight != NULL && (rc = to_f64(l, &l->w, l->weight, x, "weight", err)) != AC_OK)
		return rc;
	if (l->pos_weight != NULL &&
	    (rc = to_f64(l, &l->pw, l->pos_weight, x, "pos_weight", err)) != AC_OK)
		return rc;
	return AC_OK;
}

/* What the sum is divided by. */
static double
divisor(const NnLoss *l, const MlTensor *x)
{
	if (l->reduction == NN_REDUCTION_MEAN)
		return (double)ml_tensor_numel(x);
	if (l->reduction == NN_REDUCTION_BATCHMEAN)
		return x->ndim > 0 ? (double)x->ne[0] : 1;
	return 1;
}

static void
store(MlTensor *t, int64_t i, double v)
{
	if (t->dtype == ML_F32)
		ML_F32(t)[i] = (float)v;
	else
		((double *)(void *)t->data)[i] = v;
}

static double
sum_output(const MlTensor *t)
{
	double s = 0;

	for (int64_t i = 0; i < ml_tensor_numel(t); i++)
		s += t->dtype == ML_F32 ? ML_F32(t)[i] : ((const double *)(const void *)t->data)[i];
	return s;
}

static MlTensor *
elem_forward(NnLoss *l, MlTensor *x, MlTensor *y, double *value, AcErr *err)
{
	const double *xs, *ys, *ws, *pws;
	int64_t n = ml_tensor_numel(x);
	double sum = 0, dx;
	int rc;

	if (load(l, x, y, err) != AC_OK)
		return NULL;
	rc = l->reduction == NN_REDUCTION_NONE ? nn_ensure_like(&l->output, x, err)
	                                       : nn_ensure(&l->output, x->dtype, 0, NULL, err);
	if (rc != AC_OK)
		return NULL;
	xs = (const double *)(const void *)l->x->data;
	ys = (const double *)(const void *)l->y->data;
	ws = l->weight != NULL ? (const double *)(const void *)l->w->data : NULL;
	pws = l->pos_weight != NULL ? (const double *)(const void *)l->pw->data : NULL;
	for (int64_t i = 0; i < n; i++) {
		double v = elem(l, xs[i], ys[i], ws != NULL ? ws[i] : 1, pws != NULL ? pws[i] : 1, &dx);
		if (l->reduction == NN_REDUCTION_NONE)
			store(l->output, i, v);
		sum += v;
	}
	if (l->reduction != NN_REDUCTION_NONE) {
		sum /= divisor(l, x);
		store(l->output, 0, sum);
	}
	if (value != NULL)
		*value = sum;
	return l->output;
}

/* grad_output as f64 in l->g: the output's shape, or NULL for ones. */
static int
load_grad_output(NnLoss *l, const MlTensor *go, int ndim, const int64_t *ne, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor want = {.ndim = ndim};
	int rc;

	memcpy(want.ne, ne, (size_t)ndim * sizeof *ne);
	if (go == NULL)
		return AC_OK;
	if (!ml_same_shape(go, &want))
		return lerr(l, err, AC_ESHAPE, "grad_output %s, want %s", ml_shape_fmt(go, a),
		            ml_shape_fmt(&want, b));
	if (ml_dtype_kind(go->dtype) != ML_KIND_FLOAT)
		return lerr(l, err, AC_EDTYPE, "grad_output is %s, want a float",
		            ml_dtype_name(go->dtype));
	if ((rc = nn_ensure(&l->g, ML_F64, ndim, ne, err)) != AC_OK)
		return rc;
	return ml_copy(l->g, go, err);
}

static MlTensor *
elem_backward(NnLoss *l, MlTensor *x, MlTensor *y, MlTensor *go, AcErr *err)
{
	const double *xs, *ys, *ws, *pws, *gs;
	int64_t n = ml_tensor_numel(x);
	double scale, dx;

	if (load(l, x, y, err) != AC_OK)
		return NULL;
	if (load_grad_output(l, go, l->reduction == NN_REDUCTION_NONE ? x->ndim : 0, x->ne, err) !=
	        AC_OK ||
	    nn_ensure_like(&l->grad_input, x, err) != AC_OK)
		return NULL;
	xs = (const double *)(const void *)l->x->data;
	ys = (const double *)(const void *)l->y->data;
	ws = l->weight != NULL ? (const double *)(const void *)l->w->data : NULL;
	pws = l->pos_weight != NULL ? (const double *)(const void *)l->pw->data : NULL;
	gs = go != NULL ? (const double *)(const void *)l->g->data : NULL;
	scale = 1 / divisor(l, x);
	if (gs != NULL && l->reduction != NN_REDUCTION_NONE)
		scale *= gs[0];
	for (int64_t i = 0; i < n; i++) {
		double g = gs != NULL && l->reduction == NN_REDUCTION_NONE ? gs[i] : 1;
		elem(l, xs[i], ys[i], ws != NULL ? ws[i] : 1, pws != NULL ? pws[i] : 1, &dx);
		store(l->grad_input, i, g * scale * dx);
	}
	return l->grad_input;
}

/* ---- the class losses, through ml's ops ---- */

static MlOpParams
class_params(const NnLoss *l)
{
	MlOpParams p = {0};

	p.mode = (int)l->reduction;
	p.has_ignore_index = true;
	p.ignore_index = l->ignore_index;
	p.label_smoothing = l->label_smoothing;
	return p;
}

/* The weight in the input's dtype (converted once, when they differ). */
static int
class_weight(NnLoss *l, const MlTensor *x, AcErr *err)
{
	MlTensor *c;

	if (x == NULL)
		return lerr(l, err, AC_EINVAL, "no input");
	if (l->weight == NULL || l->weight->dtype == x->dtype ||
	    (x->dtype != ML_F32 && x->dtype != ML_F64))
		return AC_OK;
	if ((c = ml_cast(l->weight, x->dtype, err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	ml_tensor_unref(l->weight);
	l->weight = c;
	return AC_OK;
}

static MlTensor *
class_forward(NnLoss *l, MlTensor *x, MlTensor *y, double *value, AcErr *err)
{
	MlOp op = l->kind == NLL ? ML_OP_NLL_LOSS : ML_OP_CROSS_ENTROPY;
	MlOpParams p = class_params(l);
	int64_t ne[ML_MAX_DIMS];
	MlTensor *in[3];
	int nd, rc;

	if ((rc = class_weight(l, x, err)) != AC_OK)
		return NULL;
	if (y == NULL) {
		lerr(l, err, AC_EINVAL, "no target");
		return NULL;
	}
	in[0] = x, in[1] = y, in[2] = l->weight;
	if ((rc = ml_op_shape(op, in, &p, &nd, ne, err)) != AC_OK ||
	    (rc = nn_ensure(&l->output, x->dtype, nd, ne, err)) != AC_OK ||
	    (rc = ml_op_into(op, l->output, in, &p, err)) != AC_OK) {
		rename_err(l, err, rc);
		return NULL;
	}
	if (value != NULL)
		*value = sum_output(l->output);
	return l->output;
}

static MlTensor *
class_backward(NnLoss *l, MlTensor *x, MlTensor *y, MlTensor *go, AcErr *err)
{
	MlOpParams p = class_params(l);
	int rc;

	if ((rc = class_weight(l, x, err)) != AC_OK)
		return NULL;
	if (y == NULL) {
		lerr(l, err, AC_EINVAL, "no target");
		return NULL;
	}
	if ((rc = nn_ensure_like(&l->grad_input, x, err)) != AC_OK)
		return NULL;
	rc = l->kind == NLL ? ml_nll_loss_backward(l->grad_input, go, x, y, l->weight, &p, err)
	                    : ml_cross_entropy_backward(l->grad_input, go, x, y, l->weight, &p, err);
	if (rc != AC_OK) {
		rename_err(l, err, rc);
		return NULL;
	}
	return l->grad_input;
}

MlTensor *
nn_loss_forward(NnLoss *l, MlTensor *input, MlTensor *target, double *value, AcErr *err)
{
	if (l == NULL) {
		ac_err_set(err, AC_EINVAL, "loss forward: no loss");
		return NULL;
	}
	if (l->kind == NLL || l->kind == CROSS_ENTROPY)
		return class_forward(l, input, target, value, err);
	return elem_forward(l, input, target, value, err);
}

MlTensor *
nn_loss_backward(NnLoss *l, MlTensor *input, MlTensor *target, MlTensor *grad_output, AcErr *err)
{
	if (l == NULL) {
		ac_err_set(err, AC_EINVAL, "loss backward: no loss");
		return NULL;
	}
	if (l->kind == NLL || l->kind == CROSS_ENTROPY)
		return class_backward(l, input, target, grad_output, err);
	return elem_backward(l, input, target, grad_output, err);
}
