/*
 * Losses over class scores (ops.def family LOSS): nll_loss and
 * cross_entropy, with their gradients w.r.t. the input
 * (ml_nll_loss_backward, ml_cross_entropy_backward) for nn/.
 *
 * Both are one sum: at each position (n, j) of the input seen as
 * [N, C, inner] the loss is -sum_c a[c] * logp[n, c, j], where logp is the
 * input (nll_loss) or log_softmax(logits) along C (cross_entropy), and a
 * the position's target weights:
 *   class target t:  a[c] = (1 - ls) * w[t] * (c == t) + ls / C * w[c]
 *   probabilities q: a[c] = w[c] * ((1 - ls) * q[c] + ls / C)
 * (ls the label smoothing, 0 for nll_loss; w 1 without weights).  A
 * class target equal to ignore_index gives 0 and no weight.  The mean
 * divides by the sum of w[t] over the class targets not ignored, or by the
 * number of positions for probability targets: PyTorch's definitions
 * (aten/src/ATen/native/LossNLL.cpp: nll_loss, cross_entropy_loss_prob_target,
 * cross_entropy_loss_label_smoothing), which ONNX's NegativeLogLikelihoodLoss
 * and SoftmaxCrossEntropyLoss share.  The gradient of position (n, j) is
 * g * (-a[c] + sum(a) * softmax[c]) for cross_entropy and g * -a[c] for
 * nll_loss, g the incoming gradient over the mean's divisor.
 *
 * Everything accumulates in double.  The fast path reads contiguous f32 or
 * f64 directly; the scalar twin loads each element through ml_load_f64.
 * The work is O(N C) and memory-bound, so neither uses SIMD.
 */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The operands seen as [N, C, inner], every tensor contiguous. */
typedef struct Loss {
	MlOp op;
	MlTensor *x, *t, *w;       /* contiguous references (w may be NULL) */
	bool probs;                /* target holds probabilities */
	int64_t n, c, inner;
	double ls;                 /* label smoothing */
	bool ignore;
	int64_t ignore_index;
	bool ref;
} Loss;

static const char *
lname(MlOp op)
{
	return ml_op_name(op);
}

static double
ld(const Loss *L, const MlTensor *t, int64_t i)
{
	if (!L->ref) {
		if (t->dtype == ML_F32)
			return ((const float *)(const void *)t->data)[i];
		if (t->dtype == ML_F64)
			return ((const double *)(const void *)t->data)[i];
	}
	return ml_load_f64(t->dtype, t->data + i * ml_dtype_bytes(t->dtype));
}

static int64_t
ld_class(const MlTensor *t, int64_t i)
{
	return ml_load_i64(t->dtype, t->data + i * ml_dtype_bytes(t->dtype));
}

/* Checks shapes and dtypes; the output shape of reduction mode. */
static int
loss_check(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
           AcErr *err)
{
	const MlTensor *x = in[0], *t = in[1], *w = in[2];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	bool probs = false;
	int64_t c;

	if (x->ndim < 1)
		return ac_err_set(err, AC_ESHAPE, "%s: input %s has no class dimension", lname(op),
		                  ml_shape_fmt(x, s0));
	c = x->ndim == 1 ? x->ne[0] : x->ne[1];
	if (ml_dtype_kind(t->dtype) == ML_KIND_FLOAT && op == ML_OP_CROSS_ENTROPY) {
		if (t->dtype != x->dtype)
			return ac_err_set(err, AC_EDTYPE, "%s: target is %s, input %s", lname(op),
			                  ml_dtype_name(t->dtype), ml_dtype_name(x->dtype));
		if (!ml_same_shape(x, t))
			return ac_err_set(err, AC_ESHAPE,
			                  "%s: probability target %s, want the input's shape %s",
			                  lname(op), ml_shape_fmt(t, s1), ml_shape_fmt(x, s0));
		probs = true;
	} else if (t->dtype != ML_I64 && t->dtype != ML_I32) {
		return ac_err_set(err, AC_EDTYPE, "%s: target is %s, want i64 or i32%s", lname(op),
		                  ml_dtype_name(t->dtype),
		                  op == ML_OP_CROSS_ENTROPY ? " classes or probabilities" : "");
	} else {
		bool ok = t->ndim == (x->ndim == 1 ? 0 : x->ndim - 1);
		for (int i = 0, k = 0; ok && x->ndim > 1 && i < x->ndim; i++)
			if (i != 1)
				ok = t->ne[k++] == x->ne[i];
		if (!ok)
			return ac_err_set(err, AC_ESHAPE, "%s: target %s does not match input %s",
			                  lname(op), ml_shape_fmt(t, s1), ml_shape_fmt(x, s0));
	}
	if (w != NULL) {
		if (w->dtype != x->dtype)
			return ac_err_set(err, AC_EDTYPE, "%s: weight is %s, input %s", lname(op),
			                  ml_dtype_name(w->dtype), ml_dtype_name(x->dtype));
		if (w->ndim != 1 || w->ne[0] != c)
			return ac_err_set(err, AC_ESHAPE, "%s: weight %s, want [%" PRId64 "]", lname(op),
			                  ml_shape_fmt(w, s1), c);
	}
	if (p->mode < 0 || p->mode > 2)
		return ac_err_set(err, AC_EINVAL, "%s: reduction %d, want 0 none, 1 mean or 2 sum",
		                  lname(op), p->mode);
	if (op == ML_OP_CROSS_ENTROPY && !(p->label_smoothing >= 0 && p->label_smoothing <= 1))
		return ac_err_set(err, AC_EINVAL, "%s: label_smoothing %g is outside [0, 1]",
		                  lname(op), p->label_smoothing);
	if (op == ML_OP_NLL_LOSS && p->label_smoothing != 0)
		return ac_err_set(err, AC_EINVAL, "nll_loss: label_smoothing is cross_entropy's");
	*ndim = 0;
	if (p->mode == 0) {
		for (int i = 0; i < x->ndim; i++)
			if (i != 1 && x->ndim > 1)
				ne[(*ndim)++] = x->ne[i];
	}
	(void)probs;
	return AC_OK;
}

static int
loss_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
           AcErr *err)
{
	return loss_check(op, in, p, ndim, ne, err);
}

static void
loss_release(Loss *L)
{
	ml_tensor_unref(L->x);
	ml_tensor_unref(L->t);
	ml_tensor_unref(L->w);
}

/* Makes contiguous operands and checks every class target. */
static int
loss_open(Loss *L, MlOp op, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	memset(L, 0, sizeof *L);
	L->op = op;
	L->ref = ref;
	L->probs = ml_dtype_kind(in[1]->dtype) == ML_KIND_FLOAT;
	L->ls = op == ML_OP_CROSS_ENTROPY ? p->label_smoothing : 0;
	L->ignore = p->has_ignore_index && !L->probs;
	L->ignore_index = p->ignore_index;
	L->n = in[0]->ndim == 1 ? 1 : in[0]->ne[0];
	L->c = in[0]->ndim == 1 ? in[0]->ne[0] : in[0]->ne[1];
	L->inner = 1;
	for (int i = 2; i < in[0]->ndim; i++)
		L->inner *= in[0]->ne[i];
	if ((L->x = ml_tensor_contiguous(in[0], err)) == NULL ||
	    (L->t = ml_tensor_contiguous(in[1], err)) == NULL ||
	    (in[2] != NULL && (L->w = ml_tensor_contiguous(in[2], err)) == NULL)) {
		loss_release(L);
		return err != NULL && err->code != AC_OK ? err->code : AC_ENOMEM;
	}
	if (!L->probs) {
		int64_t m = L->n * L->inner;
		for (int64_t i = 0; i < m; i++) {
			int64_t k = ld_class(L->t, i);
			if (L->ignore && k == L->ignore_index)
				continue;
			if (k < 0 || k >= L->c) {
				loss_release(L);
				return ac_err_set(err, AC_EINVAL,
				                  "%s: target[%" PRId64 "] = %" PRId64
				                  " is not a class in 0..%" PRId64,
				                  lname(op), i, k, L->c - 1);
			}
		}
	}
	return AC_OK;
}

static double
weight_of(const Loss *L, int64_t c)
{
	return L->w != NULL ? ld(L, L->w, c) : 1;
}

/*
 * Position i = n * inner + j: fills lp[0..C-1] with the log-probabilities
 * and a[0..C-1] with the target weights, and returns the position's weight
 * in the mean's divisor (0 when ignored: then a is all 0).
 */
static double
position(const Loss *L, int64_t i, double *lp, double *a)
{
	int64_t n = i / L->inner, j = i % L->inner, c = L->c;
	int64_t base = n * c * L->inner + j;
	double w = 1;

	for (int64_t k = 0; k < c; k++)
		lp[k] = ld(L, L->x, base + k * L->inner);
	if (L->op == ML_OP_CROSS_ENTROPY) {
		double mx = -INFINITY, s = 0;
		for (int64_t k = 0; k < c; k++)
			mx = lp[k] > mx || lp[k] != lp[k] ? lp[k] : mx;
		for (int64_t k = 0; k < c; k++)
			s += exp(lp[k] - mx);
		double l = mx + log(s);
		for (int64_t k = 0; k < c; k++)
			lp[k] -= l;
	}
	if (L->probs) {
		for (int64_t k = 0; k < c; k++)
			a[k] = weight_of(L, k) * ((1 - L->ls) * ld(L, L->t, base + k * L->inner) +
			                          L->ls / (double)c);
		return 1;
	}
	int64_t t = ld_class(L->t, i);
	if (L->ignore && t == L->ignore_index) {
		memset(a, 0, sizeof *a * (size_t)c);
		return 0;
	}
	w = weight_of(L, t);
	for (int64_t k = 0; k < c; k++)
		a[k] = L->ls != 0 ? L->ls / (double)c * weight_of(L, k) : 0;
	a[t] += (1 - L->ls) * w;
	return w;
}

/* The mean's divisor (1 for none and sum). */
static double
divisor(const Loss *L, int mode, double *lp, double *a)
{
	int64_t m = L->n * L->inner;
	double d = 0;

	if (mode != 1)
		return 1;
	if (L->probs)
		return (double)m;
	for (int64_t i = 0; i < m; i++) {
		int64_t t = ld_class(L->t, i);
		if (!(L->ignore && t == L->ignore_index))
			d += weight_of(L, t);
	}
	(void)lp;
	(void)a;
	return d;
}

static int
loss_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	Loss L;
	MlTensor *y = out, *yc = NULL;
	double *lp = NULL, *a, sum = 0;
	int64_t m;
	int rc;

	if ((rc = loss_open(&L, op, in, p, ref, err)) != AC_OK)
		return rc;
	m = L.n * L.inner;
	lp = ac_malloc(sizeof *lp * 2 * (size_t)(L.c > 0 ? L.c : 1), "loss row", err);
	if (lp == NULL) {
		rc = AC_ENOMEM;
		goto done;
	}
	a = lp + L.c;
	if (p->mode == 0 && !ml_tensor_is_contiguous(out)) {
		if ((yc = ml_tensor_empty(out->dtype, out->ndim, out->ne, err)) == NULL) {
			rc = AC_ENOMEM;
			goto done;
		}
		y = yc;
	}
	for (int64_t i = 0; i < m; i++) {
		double l = 0;
		position(&L, i, lp, a);
		for (int64_t k = 0; k < L.c; k++)
			if (a[k] != 0)
				l -= a[k] * lp[k];
		if (p->mode == 0)
			ml_store_f64(y->dtype, y->data + i * ml_dtype_bytes(y->dtype), l);
		else
			sum += l;
	}
	if (p->mode != 0)
		ml_store_f64(out->dtype, out->data, sum / divisor(&L, p->mode, lp, a));
	if (yc != NULL)
		rc = ml_copy(out, yc, err);
done:
	free(lp);
	ml_tensor_unref(yc);
	loss_release(&L);
	return rc;
}

static MlOpParams
params_of(const MlOpParams *p)
{
	return p != NULL ? *p : (MlOpParams){0};
}

/* The backward of either loss: grad_input = d loss / d input. */
static int
loss_backward(MlOp op, MlTensor *grad_input, const MlTensor *grad_out, const MlTensor *input,
              const MlTensor *target, const MlTensor *weight, const MlOpParams *params,
              AcErr *err)
{
	MlTensor *in[3] = {(MlTensor *)input, (MlTensor *)target, (MlTensor *)weight};
	MlOpParams p = params_of(params);
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	int64_t ne[ML_MAX_DIMS];
	MlTensor *g = NULL, *gi = grad_input, *gc = NULL;
	double *lp = NULL, *a, div;
	Loss L;
	int nd, rc;
	const char *fn = op == ML_OP_NLL_LOSS ? "nll_loss_backward" : "cross_entropy_backward";

	if (grad_input == NULL || input == NULL || target == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor", fn);
	if (input->dtype != ML_F32 && input->dtype != ML_F64)
		return ac_err_set(err, AC_EDTYPE, "%s: no kernel for %s", fn,
		                  ml_dtype_name(input->dtype));
	if ((rc = loss_check(op, in, &p, &nd, ne, err)) != AC_OK)
		return rc;
	if (grad_input->dtype != input->dtype || !ml_same_shape(grad_input, input))
		return ac_err_set(err, AC_ESHAPE, "%s: grad_input %s %s, want %s %s", fn,
		                  ml_shape_fmt(grad_input, s0), ml_dtype_name(grad_input->dtype),
		                  ml_shape_fmt(input, s1), ml_dtype_name(input->dtype));
	if (grad_out != NULL) {
		MlTensor want = {.ndim = nd};
		memcpy(want.ne, ne, sizeof ne);
		if (!ml_same_shape(grad_out, &want))
			return ac_err_set(err, AC_ESHAPE, "%s: grad_output %s, want %s", fn,
			                  ml_shape_fmt(grad_out, s0), ml_shape_fmt(&want, s1));
		if ((g = ml_cast(grad_out, ML_F64, err)) == NULL)
			return err != NULL ? err->code : AC_ENOMEM;
	}
	if ((rc = loss_open(&L, op, in, &p, false, err)) != AC_OK)
		goto done;
	lp = ac_malloc(sizeof *lp * 2 * (size_t)(L.c > 0 ? L.c : 1), "loss row", err);
	if (lp == NULL) {
		rc = AC_ENOMEM;
		goto release;
	}
	a = lp + L.c;
	if (!ml_tensor_is_contiguous(grad_input)) {
		if ((gc = ml_tensor_empty(input->dtype, input->ndim, input->ne, err)) == NULL) {
			rc = AC_ENOMEM;
			goto release;
		}
		gi = gc;
	}
	div = divisor(&L, p.mode, lp, a);
	for (int64_t i = 0, m = L.n * L.inner; i < m; i++) {
		int64_t n = i / L.inner, j = i % L.inner, base = n * L.c * L.inner + j;
		double gs = g == NULL ? 1 : ((double *)(void *)g->data)[p.mode == 0 ? i : 0], sa = 0;
		gs /= div;
		position(&L, i, lp, a);
		for (int64_t k = 0; k < L.c; k++)
			sa += a[k];
		for (int64_t k = 0; k < L.c; k++) {
			double d = -a[k];
			if (op == ML_OP_CROSS_ENTROPY)
				d += sa * exp(lp[k]);
			ml_store_f64(gi->dtype, gi->data + (base + k * L.inner) * ml_dtype_bytes(gi->dtype),
			             gs * d);
		}
	}
	if (gc != NULL)
		rc = ml_copy(grad_input, gc, err);
release:
	loss_release(&L);
done:
	free(lp);
	ml_tensor_unref(gc);
	ml_tensor_unref(g);
	return rc;
}

int
ml_nll_loss_backward(MlTensor *grad_input, const MlTensor *grad_output, const MlTensor *logp,
                     const MlTensor *target, const MlTensor *weight, const MlOpParams *params,
                     AcErr *err)
{
	return loss_backward(ML_OP_NLL_LOSS, grad_input, grad_output, logp, target, weight, params,
	                     err);
}

int
ml_cross_entropy_backward(MlTensor *grad_input, const MlTensor *grad_output,
                          const MlTensor *logits, const MlTensor *target, const MlTensor *weight,
                          const MlOpParams *params, AcErr *err)
{
	return loss_backward(ML_OP_CROSS_ENTROPY, grad_input, grad_output, logits, target, weight,
	                     params, err);
}

const MlFamily ml_family_LOSS = {
	.shape = loss_shape, .run = loss_run, .optional = 0x4, .mixed = true, .dtype_input = 0,
};
