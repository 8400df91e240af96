/*
 * The gradient of each op of ml/ops.def for the autograd tape: one table
 * built from the op list, so that a new op does not compile until it is
 * given a backward (or NOGRAD / CONST). Gradients are ml ops in the
 * values' dtype where the math is linear (broadcast sums, matmul,
 * softmax, the norms); the element-wise derivatives of the other unary
 * and binary ops are taken in double, one element at a time, and
 * converted back.
 *
 * Follows: PyTorch tools/autograd/derivatives.yaml for every formula
 * and its choices at kinks (relu' (0) = 0, ties of maximum split evenly,
 * amax's gradient shared among the maxima).
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <string.h>

enum { NTMP = 64 };

/* One backward call: its arguments, and the temporaries it made. Every
 * helper returns NULL once something failed and leaves the first error
 * in err, so a formula can be written as a chain of calls. */
typedef struct G {
	MlOp op;
	MlTensor *const *in;
	int nin;
	const MlOpParams *p;
	MlTensor *y, *gy;
	const bool *needs;
	MlTensor **gin;
	AcErr *err;
	int rc;
	int ntmp;
	MlTensor *tmp[NTMP];
} G;

typedef int (*Backward)(G *g);
/* dy/dx of a unary op at x, where y = f(x); p: MlOpParams.p. */
typedef double (*D1)(double x, double y, const double *p);
/* The partial derivatives of a binary op y = f(a, b). */
typedef void (*D2)(double a, double b, double y, double *da, double *db);

typedef struct Grad {
	int kind;                  /* NN_GRAD_* */
	Backward backward;
	D1 d1;
	D2 d2;
} Grad;

/* Registers t as a temporary freed at the end of the call. */
static MlTensor *
keep(G *g, MlTensor *t)
{
	if (t == NULL) {
		if (g->rc == AC_OK)
			g->rc = g->err->code != AC_OK ? g->err->code : AC_ENOMEM;
		return NULL;
	}
	if (g->ntmp == NTMP) {
		ml_tensor_unref(t);
		g->rc = ac_err_set(g->err, AC_ENOMEM, "autograd: %s: too many temporaries",
		                   ml_op_name(g->op));
		return NULL;
	}
	return g->tmp[g->ntmp++] = t;
}

static MlTensor *
op1p(G *g, MlOp op, MlTensor *a, const MlOpParams *p)
{
	if (g->rc != AC_OK || a == NULL)
		return NULL;
	return keep(g, ml_op(op, (MlTensor *[]){a}, p, g->err));
}

static MlTensor *
op1(G *g, MlOp op, MlTensor *a)
{
	return op1p(g, op, a, NULL);
}

static MlTensor *
op2(G *g, MlOp op, MlTensor *a, MlTensor *b)
{
	if (g->rc != AC_OK || a == NULL || b == NULL)
		return NULL;
	return keep(g, ml_op(op, (MlTensor *[]){a, b}, NULL, g->err));
}

/* op reducing a over axes (0: all), keeping the dimensions. */
static MlTensor *
reduce(G *g, MlOp op, MlTensor *a, uint32_t axes)
{
	MlOpParams p = {.axes = axes, .keepdim = true};

	return op1p(g, op, a, &p);
}

/* A 0-d tensor of dtype dt holding v. */
static MlTensor *
scalar(G *g, MlDtype dt, double v)
{
	MlTensor *s;

	if (g->rc != AC_OK)
		return NULL;
	s = keep(g, ml_tensor_zeros(dt, 0, NULL, g->err));
	if (s != NULL && (g->rc = ml_fill(s, v, g->err)) != AC_OK)
		return NULL;
	return s;
}

static MlTensor *
reshape(G *g, MlTensor *a, int ndim, const int64_t *ne)
{
	if (g->rc != AC_OK || a == NULL)
		return NULL;
	return keep(g, ml_tensor_reshape_copy(a, ndim, ne, g->err));
}

static MlTensor *
transpose(G *g, MlTensor *a)
{
	if (g->rc != AC_OK || a == NULL)
		return NULL;
	return keep(g, ml_view_transpose(a, -2, -1, g->err));
}

static MlTensor *
cast(G *g, MlTensor *a, MlDtype dt)
{
	if (g->rc != AC_OK || a == NULL)
		return NULL;
	return keep(g, ml_cast(a, dt, g->err));
}

/* a broadcast to shape ne, materialised in f64. */
static MlTensor *
expand64(G *g, MlTensor *a, int ndim, const int64_t *ne)
{
	MlTensor *v;

	if (g->rc != AC_OK || a == NULL)
		return NULL;
	v = keep(g, ml_view_expand(a, ndim, ne, g->err));
	return cast(g, v, ML_F64);
}

/* The gradient gy of a broadcast result summed back to the shape of x
 * (NumPy broadcasting in reverse). */
static MlTensor *
unbroadcast(G *g, MlTensor *gy, const MlTensor *x)
{
	uint32_t axes = 0;
	int lead;

	if (g->rc != AC_OK || gy == NULL)
		return NULL;
	lead = gy->ndim - x->ndim;
	for (int d = 0; d < gy->ndim; d++)
		if (d < lead || (x->ne[d - lead] == 1 && gy->ne[d] != 1))
			axes |= 1u << d;
	if (axes == 0 && lead == 0)
		return gy;
	if (axes != 0)
		gy = reduce(g, ML_OP_SUM, gy, axes);
	return reshape(g, gy, x->ndim, x->ne);
}

/* Sets the gradient of input i (a new reference). */
static void
out(G *g, int i, MlTensor *t)
{
	if (g->rc == AC_OK && t != NULL)
		g->gin[i] = ml_tensor_ref(t);
}

/* The reduced axes of a reduction of x (0 meaning all), as a mask. */
static uint32_t
axes_of(const G *g, const MlTensor *x)
{
	return g->p->axes != 0 ? g->p->axes : (1u << x->ndim) - 1;
}

/* t (a reduction's output or its gradient) with x's rank, the reduced
 * dimensions of size 1, so that it broadcasts against x. */
static MlTensor *
keepdim(G *g, MlTensor *t, const MlTensor *x)
{
	int64_t ne[ML_MAX_DIMS];
	uint32_t axes = axes_of(g, x);

	if (g->rc != AC_OK || t == NULL || t->ndim == x->ndim)
		return t;
	for (int d = 0; d < x->ndim; d++)
		ne[d] = axes & (1u << d) ? 1 : x->ne[d];
	return reshape(g, t, x->ndim, ne);
}

/* The element count the reduction of x folds into one. */
static double
reduced_count(const G *g, const MlTensor *x)
{
	uint32_t axes = axes_of(g, x);
	double n = 1;

	for (int d = 0; d < x->ndim; d++)
		if (axes & (1u << d))
			n *= (double)x->ne[d];
	return n;
}

/* ---- Element-wise: binary ---- */

static int
add_backward(G *g)
{
	MlTensor *a = g->in[0], *b = g->in[1];

	if (g->needs[0])
		out(g, 0, unbroadcast(g, g->gy, a));
	if (g->needs[1])
		out(g, 1, unbroadcast(g, g->op == ML_OP_SUB ? op1(g, ML_OP_NEG, g->gy) : g->gy, b));
	return g->rc;
}

static int
mul_backward(G *g)
{
	MlTensor *a = g->in[0], *b = g->in[1];

	if (g->needs[0])
		out(g, 0, unbroadcast(g, op2(g, ML_OP_MUL, g->gy, b), a));
	if (g->needs[1])
		out(g, 1, unbroadcast(g, op2(g, ML_OP_MUL, g->gy, a), b));
	return g->rc;
}

/* y = a / b: da = gy / b, db = -(gy / b) y. */
static int
div_backward(G *g)
{
	MlTensor *a = g->in[0], *b = g->in[1], *q = op2(g, ML_OP_DIV, g->gy, b);

	if (g->needs[0])
		out(g, 0, unbroadcast(g, q, a));
	if (g->needs[1])
		out(g, 1, unbroadcast(g, op1(g, ML_OP_NEG, op2(g, ML_OP_MUL, q, g->y)), b));
	return g->rc;
}

/* Any other binary op, through its partial derivatives in double. */
static int
binary_backward(G *g, D2 d2)
{
	MlTensor *y = g->y, *a, *b, *gy, *ga, *gb;
	int64_t n = ml_tensor_numel(y);

	a = expand64(g, g->in[0], y->ndim, y->ne);
	b = expand64(g, g->in[1], y->ndim, y->ne);
	gy = cast(g, g->gy, ML_F64);
	ga = keep(g, ml_tensor_empty(ML_F64, y->ndim, y->ne, g->err));
	gb = keep(g, ml_tensor_empty(ML_F64, y->ndim, y->ne, g->err));
	MlTensor *y64 = cast(g, y, ML_F64);
	if (g->rc != AC_OK)
		return g->rc;
	const double *pa = (const double *)(void *)a->data, *pb = (const double *)(void *)b->data;
	const double *py = (const double *)(void *)y64->data, *pg = (const double *)(void *)gy->data;
	double *qa = (double *)(void *)ga->data, *qb = (double *)(void *)gb->data;
	for (int64_t i = 0; i < n; i++) {
		double da, db;
		d2(pa[i], pb[i], py[i], &da, &db);
		qa[i] = pg[i] * da;
		qb[i] = pg[i] * db;
	}
	for (int k = 0; k < 2; k++)
		if (g->needs[k])
			out(g, k, cast(g, unbroadcast(g, k ? gb : ga, g->in[k]), g->in[k]->dtype));
	return g->rc;
}

static void
d_pow(double a, double b, double y, double *da, double *db)
{
	*da = b == 0 ? 0 : b * pow(a, b - 1);
	/* PyTorch: 0^b for b >= 0 gets no exponent gradient */
	*db = a == 0 && b >= 0 ? 0 : y * log(a);
}

static void
d_maximum(double a, double b, double y, double *da, double *db)
{
	(void)y;
	*da = a > b ? 1 : a == b ? 0.5 : 0;
	*db = 1 - *da;
}

static void
d_minimum(double a, double b, double y, double *da, double *db)
{
	(void)y;
	*da = a < b ? 1 : a == b ? 0.5 : 0;
	*db = 1 - *da;
}

/* remainder: a - b floor(a/b); fmod: a - b trunc(a/b) */
static void
d_mod(double a, double b, double y, double *da, double *db)
{
	(void)y;
	*da = 1;
	*db = -floor(a / b);
}

static void
d_fmod(double a, double b, double y, double *da, double *db)
{
	(void)y;
	*da = 1;
	*db = -trunc(a / b);
}

/* ---- Element-wise: unary ---- */

static int
unary_backward(G *g, D1 d1)
{
	MlTensor *x = cast(g, g->in[0], ML_F64), *y = cast(g, g->y, ML_F64);
	MlTensor *gy = cast(g, g->gy, ML_F64);
	MlTensor *gx = keep(g, ml_tensor_empty(ML_F64, g->y->ndim, g->y->ne, g->err));
	int64_t n = ml_tensor_numel(g->y);

	if (g->rc != AC_OK)
		return g->rc;
	const double *px = (const double *)(void *)x->data, *py = (const double *)(void *)y->data;
	const double *pg = (const double *)(void *)gy->data;
	double *q = (double *)(void *)gx->data;
	for (int64_t i = 0; i < n; i++)
		q[i] = pg[i] * d1(px[i], py[i], g->p->p);
	out(g, 0, cast(g, gx, g->in[0]->dtype));
	return g->rc;
}

static double
sigmoid(double x)
{
	return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

#define D1F(name, expr)                                            \
	static double name(double x, double y, const double *p)   \
	{                                                          \
		(void)x, (void)y, (void)p;                         \
		return (expr);                                     \
	}

/* PyTorch's SELU constants (as ml/cpu/unary.c). */
#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946
#define GELU_K 0.7978845608028654 /* sqrt(2/pi) */

D1F(d_neg, -1)
D1F(d_abs, x > 0 ? 1 : x < 0 ? -1 : 0)
D1F(d_exp, y)
D1F(d_log, 1 / x)
D1F(d_sqrt, 0.5 / y)
D1F(d_rsqrt, -0.5 * y * y * y)
D1F(d_reciprocal, -y * y)
D1F(d_sin, cos(x))
D1F(d_cos, -sin(x))
D1F(d_tan, 1 + y * y)
D1F(d_asin, 1 / sqrt(1 - x * x))
D1F(d_acos, -1 / sqrt(1 - x * x))
D1F(d_atan, 1 / (1 + x * x))
D1F(d_sinh, cosh(x))
D1F(d_cosh, sinh(x))
D1F(d_asinh, 1 / sqrt(x * x + 1))
D1F(d_acosh, 1 / sqrt(x * x - 1))
D1F(d_atanh, 1 / (1 - x * x))
D1F(d_tanh, 1 - y * y)
D1F(d_erf, M_2_SQRTPI * exp(-x * x))
D1F(d_sigmoid, y * (1 - y))
D1F(d_relu, x > 0 ? 1 : 0)
D1F(d_leaky_relu, x > 0 ? 1 : p[0])
D1F(d_elu, x > 0 ? 1 : p[0] * exp(x))
D1F(d_celu, x > 0 ? 1 : exp(x / p[0]))
D1F(d_selu,
    (p[1] != 0 ? p[1] : SELU_SCALE) * (x > 0 ? 1 : (p[0] != 0 ? p[0] : SELU_ALPHA) * exp(x)))
D1F(d_gelu, 0.5 * (1 + erf(x * M_SQRT1_2)) + x * exp(-0.5 * x * x) * (0.5 * M_2_SQRTPI * M_SQRT1_2))
D1F(d_silu, sigmoid(x) * (1 + x * (1 - sigmoid(x))))
D1F(d_softplus, sigmoid(x))
D1F(d_softsign, 1 / ((1 + fabs(x)) * (1 + fabs(x))))
D1F(d_hardswish, x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6)
D1F(d_clamp, x >= p[0] && x <= p[1] ? 1 : 0)

static double
d_gelu_tanh(double x, double y, const double *p)
{
	double u = GELU_K * (x + 0.044715 * x * x * x), t = tanh(u);

	(void)y, (void)p;
	return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * x * x);
}

static double
d_mish(double x, double y, const double *p)
{
	double sp = fmax(x, 0) + log1p(exp(-fabs(x))), t = tanh(sp);

	(void)y, (void)p;
	return t + x * (1 - t * t) * sigmoid(x);
}

static double
d_hardsigmoid(double x, double y, const double *p)
{
	bool given = p[0] != 0 || p[1] != 0;
	double al = given ? p[0] : 1.0 / 6, be = given ? p[1] : 0.5, u = al * x + be;

	(void)y;
	return u > 0 && u < 1 ? al : 0;
}

/* ---- Reductions ---- */

/* sum and mean: gy spread over the reduced dimensions. */
static int
sum_backward(G *g)
{
	MlTensor *x = g->in[0], *gy = keepdim(g, g->gy, x);

	if (g->op == ML_OP_MEAN)
		gy = op2(g, ML_OP_DIV, gy, scalar(g, x->dtype, reduced_count(g, x)));
	out(g, 0, gy);
	return g->rc;
}

/* amax, amin: gy shared evenly among the elements equal to the extremum. */
static int
amax_backward(G *g)
{
	MlTensor *x = g->in[0], *y = keepdim(g, g->y, x), *gy = keepdim(g, g->gy, x);
	MlTensor *mask = cast(g, op2(g, ML_OP_EQ, x, y), x->dtype);
	MlTensor *cnt = reduce(g, ML_OP_SUM, mask, g->p->axes);

	out(g, 0, op2(g, ML_OP_MUL, mask, op2(g, ML_OP_DIV, gy, cnt)));
	return g->rc;
}

/* var: 2 (x - mean) / (N - correction); std: that over 2 std. */
static int
var_backward(G *g)
{
	MlTensor *x = g->in[0], *gy = keepdim(g, g->gy, x);
	MlTensor *xc = op2(g, ML_OP_SUB, x, reduce(g, ML_OP_MEAN, x, g->p->axes));
	double n = reduced_count(g, x) - g->p->correction;

	if (g->op == ML_OP_VAR)
		gy = op2(g, ML_OP_MUL, gy, scalar(g, x->dtype, 2 / n));
	else
		gy = op2(g, ML_OP_DIV, gy, op2(g, ML_OP_MUL, keepdim(g, g->y, x), scalar(g, x->dtype, n)));
	out(g, 0, op2(g, ML_OP_MUL, gy, xc));
	return g->rc;
}

/* logsumexp: gy exp(x - y), the softmax over the reduced axes. */
static int
logsumexp_backward(G *g)
{
	MlTensor *x = g->in[0];
	MlTensor *sm = op1(g, ML_OP_EXP, op2(g, ML_OP_SUB, x, keepdim(g, g->y, x)));

	out(g, 0, op2(g, ML_OP_MUL, keepdim(g, g->gy, x), sm));
	return g->rc;
}

/* norm1: gy sign(x); norm2: gy x / y (0 where y is 0); sumsq: 2 gy x. */
static int
norm_backward(G *g)
{
	MlTensor *x = g->in[0], *gy = keepdim(g, g->gy, x), *d = NULL;

	switch (g->op) {
	case ML_OP_NORM1:
		d = op1(g, ML_OP_SIGN, x);
		break;
	case ML_OP_NORM2: {
		/* where y is 0, x is 0 too: dividing by max(y, tiny) gives 0 */
		MlTensor *y = keepdim(g, g->y, x);
		y = op2(g, ML_OP_MAXIMUM, y, scalar(g, x->dtype, 1e-300));
		d = op2(g, ML_OP_DIV, x, y);
		break;
	}
	default:
		d = op2(g, ML_OP_MUL, x, scalar(g, x->dtype, 2));
		break;
	}
	out(g, 0, op2(g, ML_OP_MUL, gy, d));
	return g->rc;
}

/* ---- Matrix products ---- */

/*
 * y = a @ b with NumPy's 1-d promotion: ga = gy b^T, gb = a^T gy on the
 * promoted [.., M, K] and [.., K, N] operands, then summed over the
 * broadcast batch dimensions.
 */
static int
matmul_backward(G *g)
{
	MlTensor *a = g->in[0], *b = g->in[1], *gy = g->gy;
	int64_t ne[ML_MAX_DIMS];
	int nd = gy->ndim;

	if (a->ndim == 1)
		a = reshape(g, a, 2, (int64_t[]){1, a->ne[0]});
	if (b->ndim == 1)
		b = reshape(g, b, 2, (int64_t[]){b->ne[0], 1});
	/* gy in [.., M, N] form */
	memcpy(ne, gy->ne, sizeof ne);
	if (g->in[0]->ndim == 1) {
		ne[nd] = nd > 0 ? ne[nd - 1] : 1;
		if (nd > 0)
			ne[nd - 1] = 1;
		else
			ne[0] = 1;
		nd++;
	}
	if (g->in[1]->ndim == 1)
		ne[nd++] = 1;
	if (nd != gy->ndim)
		gy = reshape(g, gy, nd, ne);
	if (g->needs[0])
		out(g, 0, reshape(g, unbroadcast(g, op2(g, ML_OP_MATMUL, gy, transpose(g, b)), a),
		                  g->in[0]->ndim, g->in[0]->ne));
	if (g->needs[1])
		out(g, 1, reshape(g, unbroadcast(g, op2(g, ML_OP_MATMUL, transpose(g, a), gy), b),
		                  g->in[1]->ndim, g->in[1]->ne));
	return g->rc;
}

/* y = x w^T + bias: gx = gy w, gw = gy^T x over all rows, gbias = the
 * sum of gy's rows. A weight of another dtype (quantized) is converted to
 * x's for gx. */
static int
linear_backward(G *g)
{
	MlTensor *x = g->in[0], *w = g->in[1], *gy = g->gy;
	int64_t n = w->ne[0], k = w->ne[1], rows = ml_tensor_numel(x) / (k ? k : 1);

	if (g->needs[0]) {
		MlTensor *wx = w->dtype == x->dtype ? w : cast(g, w, x->dtype);
		out(g, 0, op2(g, ML_OP_MATMUL, gy, wx));
	}
	if (g->needs[1]) {
		MlTensor *g2 = reshape(g, gy, 2, (int64_t[]){rows, n});
		MlTensor *x2 = reshape(g, x, 2, (int64_t[]){rows, k});
		out(g, 1, op2(g, ML_OP_MATMUL, transpose(g, g2), x2));
	}
	if (g->nin > 2 && g->in[2] != NULL && g->needs[2]) {
		MlTensor *s = reduce(g, ML_OP_SUM, reshape(g, gy, 2, (int64_t[]){rows, n}), 1);
		out(g, 2, reshape(g, s, g->in[2]->ndim, g->in[2]->ne));
	}
	return g->rc;
}

/* ---- Softmax and normalisation ---- */

static int
norm_axis(int axis, int ndim)
{
	return axis < 0 ? axis + ndim : axis;
}

/* softmax: y (gy - sum(gy y)); log_softmax: gy - exp(y) sum(gy). */
static int
softmax_backward(G *g)
{
	MlTensor *y = g->y, *gy = g->gy;
	uint32_t ax = 1u << norm_axis(g->p->axis, y->ndim);

	if (y->ndim == 0)
		ax = 0;
	if (g->op == ML_OP_SOFTMAX)
		out(g, 0, op2(g, ML_OP_MUL, y,
		              op2(g, ML_OP_SUB, gy, reduce(g, ML_OP_SUM, op2(g, ML_OP_MUL, gy, y), ax))));
	else
		out(g, 0, op2(g, ML_OP_SUB, gy,
		              op2(g, ML_OP_MUL, op1(g, ML_OP_EXP, y), reduce(g, ML_OP_SUM, gy, ax))));
	return g->rc;
}

/*
 * layer_norm and rms_norm over the dimensions from axis on, with x̂ the
 * normalised input and r = 1/sqrt(var + eps):
 *   gx = r (gx̂ - mean(gx̂) - x̂ mean(gx̂ x̂)), gx̂ = gy weight
 * (rms_norm: no mean(gx̂) term, x̂ = x r); gweight = sum over the rows
 * of gy x̂, gbias = that of gy. The weight may be any shape of the
 * normalised size, as the op allows.
 */
static int
layer_norm_backward(G *g)
{
	MlTensor *x = g->in[0], *w = g->nin > 1 ? g->in[1] : NULL, *b = g->nin > 2 ? g->in[2] : NULL;
	MlTensor *gy = g->gy, *xc = x, *xh, *r, *gxh;
	bool ln = g->op == ML_OP_LAYER_NORM;
	int d = norm_axis(g->p->axis, x->ndim);
	uint32_t ax = 0;
	int64_t cols = 1, rows;

	for (int i = d; i < x->ndim; i++) {
		ax |= 1u << i;
		cols *= x->ne[i];
	}
	rows = ml_tensor_numel(x) / (cols ? cols : 1);
	if (ln)
		xc = op2(g, ML_OP_SUB, x, reduce(g, ML_OP_MEAN, x, ax));
	r = reduce(g, ML_OP_MEAN, op2(g, ML_OP_MUL, xc, xc), ax);
	r = op1(g, ML_OP_RSQRT, op2(g, ML_OP_ADD, r, scalar(g, x->dtype, g->p->eps)));
	xh = op2(g, ML_OP_MUL, xc, r);
	gxh = gy;
	if (w != NULL)
		gxh = op2(g, ML_OP_MUL, gy, reshape(g, w, x->ndim - d, x->ne + d));
	if (g->needs[0]) {
		MlTensor *t = op2(g, ML_OP_MUL, xh, reduce(g, ML_OP_MEAN, op2(g, ML_OP_MUL, gxh, xh), ax));
		t = op2(g, ML_OP_SUB, gxh, t);
		if (ln)
			t = op2(g, ML_OP_SUB, t, reduce(g, ML_OP_MEAN, gxh, ax));
		out(g, 0, op2(g, ML_OP_MUL, t, r));
	}
	if (w != NULL && g->needs[1]) {
		MlTensor *s = reshape(g, op2(g, ML_OP_MUL, gy, xh), 2, (int64_t[]){rows, cols});
		out(g, 1, reshape(g, reduce(g, ML_OP_SUM, s, 1), w->ndim, w->ne));
	}
	if (b != NULL && g->needs[2]) {
		MlTensor *s = reshape(g, gy, 2, (int64_t[]){rows, cols});
		out(g, 2, reshape(g, reduce(g, ML_OP_SUM, s, 1), b->ndim, b->ne));
	}
	return g->rc;
}

/* ---- Losses ---- */

/*
 * nll_loss and cross_entropy: the input's gradient is ml's own
 * (ml_nll_loss_backward, ml_cross_entropy_backward). A probability target
 * of cross_entropy gets -(1 - ls) w[c] log_softmax(x)[c] g, g the
 * position's incoming gradient over the mean's divisor (the number of
 * positions). The class weights get none (PyTorch has none either).
 */
static int
loss_backward(G *g)
{
	MlTensor *x = g->in[0], *t = g->in[1], *w = g->nin > 2 ? g->in[2] : NULL;

	if (w != NULL && g->needs[2])
		return g->rc = ac_err_set(g->err, AC_EINVAL,
		                          "autograd: no gradient for op '%s' input 3 (weight)",
		                          ml_op_name(g->op));
	if (g->needs[0]) {
		MlTensor *gx = keep(g, ml_tensor_empty(x->dtype, x->ndim, x->ne, g->err));
		if (gx != NULL)
			g->rc = g->op == ML_OP_NLL_LOSS
			                ? ml_nll_loss_backward(gx, g->gy, x, t, w, g->p, g->err)
			                : ml_cross_entropy_backward(gx, g->gy, x, t, w, g->p, g->err);
		out(g, 0, gx);
	}
	if (g->needs[1]) {
		/* only a probability target requires grad: class indices are integers */
		int ca = x->ndim == 1 ? 0 : 1;
		int64_t ne[ML_MAX_DIMS];
		MlOpParams sp = {.axis = ca};
		MlTensor *gy = g->gy, *lp = op1p(g, ML_OP_LOG_SOFTMAX, x, &sp);
		double scale = -(1 - g->p->label_smoothing);

		if (g->p->mode == 0 && gy->ndim > 0) {
			/* [N, d..] -> [N, 1, d..] against [N, C, d..] */
			int k = 0;
			for (int d = 0; d < x->ndim; d++)
				ne[d] = d == ca ? 1 : gy->ne[k++];
			gy = reshape(g, gy, x->ndim, ne);
		} else if (g->p->mode == 1) {
			scale /= (double)(ml_tensor_numel(x) / (x->ne[ca] ? x->ne[ca] : 1));
		}
		lp = op2(g, ML_OP_MUL, lp, op2(g, ML_OP_MUL, gy, scalar(g, x->dtype, scale)));
		if (w != NULL) {
			for (int d = 0; d < x->ndim; d++)
				ne[d] = d == ca ? x->ne[ca] : 1;
			lp = op2(g, ML_OP_MUL, lp, reshape(g, w, x->ndim, ne));
		}
		out(g, 1, lp);
	}
	return g->rc;
}

/* ---- The table ---- */

#define NOGRAD {NN_GRAD_NONE, NULL, NULL, NULL}
#define CONST {NN_GRAD_CONST, NULL, NULL, NULL}
#define FN(f) {NN_GRAD_FN, f, NULL, NULL}
#define UN(f) {NN_GRAD_FN, NULL, f, NULL}
#define BIN(f) {NN_GRAD_FN, NULL, NULL, f}

#define G_ADD FN(add_backward)
#define G_SUB FN(add_backward)
#define G_MUL FN(mul_backward)
#define G_DIV FN(div_backward)
#define G_POW BIN(d_pow)
#define G_MOD BIN(d_mod)
#define G_FMOD BIN(d_fmod)
#define G_MAXIMUM BIN(d_maximum)
#define G_MINIMUM BIN(d_minimum)
#define G_EQ CONST
#define G_NE CONST
#define G_LT CONST
#define G_LE CONST
#define G_GT CONST
#define G_GE CONST
#define G_AND CONST
#define G_OR CONST
#define G_XOR CONST
#define G_NOT CONST
#define G_NEG UN(d_neg)
#define G_ABS UN(d_abs)
#define G_SIGN CONST
#define G_FLOOR CONST
#define G_CEIL CONST
#define G_ROUND CONST
#define G_EXP UN(d_exp)
#define G_LOG UN(d_log)
#define G_SQRT UN(d_sqrt)
#define G_RSQRT UN(d_rsqrt)
#define G_RECIPROCAL UN(d_reciprocal)
#define G_SIN UN(d_sin)
#define G_COS UN(d_cos)
#define G_TAN UN(d_tan)
#define G_ASIN UN(d_asin)
#define G_ACOS UN(d_acos)
#define G_ATAN UN(d_atan)
#define G_SINH UN(d_sinh)
#define G_COSH UN(d_cosh)
#define G_ASINH UN(d_asinh)
#define G_ACOSH UN(d_acosh)
#define G_ATANH UN(d_atanh)
#define G_TANH UN(d_tanh)
#define G_ERF UN(d_erf)
#define G_SIGMOID UN(d_sigmoid)
#define G_RELU UN(d_relu)
#define G_LEAKY_RELU UN(d_leaky_relu)
#define G_ELU UN(d_elu)
#define G_CELU UN(d_celu)
#define G_SELU UN(d_selu)
#define G_GELU UN(d_gelu)
#define G_GELU_TANH UN(d_gelu_tanh)
#define G_SILU UN(d_silu)
#define G_MISH UN(d_mish)
#define G_SOFTPLUS UN(d_softplus)
#define G_SOFTSIGN UN(d_softsign)
#define G_HARDSIGMOID UN(d_hardsigmoid)
#define G_HARDSWISH UN(d_hardswish)
#define G_CLAMP UN(d_clamp)
#define G_ISNAN CONST
#define G_SUM FN(sum_backward)
#define G_MEAN FN(sum_backward)
#define G_PROD NOGRAD
#define G_AMAX FN(amax_backward)
#define G_AMIN FN(amax_backward)
#define G_VAR FN(var_backward)
#define G_STD FN(var_backward)
#define G_LOGSUMEXP FN(logsumexp_backward)
#define G_NORM1 FN(norm_backward)
#define G_NORM2 FN(norm_backward)
#define G_SUMSQ FN(norm_backward)
#define G_ARGMAX CONST
#define G_ARGMIN CONST
#define G_MATMUL FN(matmul_backward)
#define G_LINEAR FN(linear_backward)
#define G_SOFTMAX FN(softmax_backward)
#define G_LOG_SOFTMAX FN(softmax_backward)
#define G_LAYER_NORM FN(layer_norm_backward)
#define G_RMS_NORM FN(layer_norm_backward)
#define G_GROUP_NORM NOGRAD
#define G_BATCH_NORM NOGRAD
#define G_GATHER NOGRAD
#define G_GATHER_ELEMENTS NOGRAD
#define G_SCATTER NOGRAD
#define G_SCATTER_ADD NOGRAD
#define G_EMBEDDING NOGRAD
#define G_TRIU NOGRAD
#define G_TRIL NOGRAD
#define G_CUMSUM NOGRAD
#define G_SORT NOGRAD
#define G_ARGSORT CONST
#define G_CONV NOGRAD
#define G_CONV_TRANSPOSE NOGRAD
#define G_MAX_POOL NOGRAD
#define G_MAX_POOL_INDICES CONST
#define G_AVG_POOL NOGRAD
#define G_ADAPTIVE_AVG_POOL NOGRAD
#define G_ADAPTIVE_MAX_POOL NOGRAD
#define G_NLL_LOSS FN(loss_backward)
#define G_CROSS_ENTROPY FN(loss_backward)
#define G_ROPE NOGRAD
#define G_ATTENTION NOGRAD
#define G_UNIFORM CONST
#define G_NORMAL CONST
#define G_BERNOULLI CONST

static const Grad grads[] = {
#define X(id, name, family, arity, dtypes) [ML_OP_##id] = G_##id,
#include "ml/ops.def"
#undef X
};

_Static_assert(sizeof grads / sizeof grads[0] == ML_OP_COUNT, "grad.c: one entry per op");

int
nn_grad_kind(MlOp op)
{
	return (unsigned)op < ML_OP_COUNT ? grads[op].kind : NN_GRAD_NONE;
}

int
nn_grad_backward(MlOp op, MlTensor *const *in, int nin, const MlOpParams *p, MlTensor *y,
                 MlTensor *gy, const bool *needs, MlTensor **gin, AcErr *err)
{
	G g = {.op = op, .in = in, .nin = nin, .p = p, .y = y, .gy = gy, .needs = needs,
	       .gin = gin, .err = err};
	const Grad *e = (unsigned)op < ML_OP_COUNT ? &grads[op] : NULL;
	int rc;

	for (int i = 0; i < nin; i++)
		gin[i] = NULL;
	if (e == NULL || e->kind != NN_GRAD_FN)
		return ac_err_set(err, AC_EINVAL, "autograd: no gradient for op '%s'",
		                  (unsigned)op < ML_OP_COUNT ? ml_op_name(op) : "?");
	if (e->backward != NULL)
		rc = e->backward(&g);
	else if (e->d1 != NULL)
		rc = unary_backward(&g, e->d1);
	else
		rc = binary_backward(&g, e->d2);
	for (int i = 0; i < g.ntmp; i++)
		ml_tensor_unref(g.tmp[i]);
	if (rc != AC_OK)
		for (int i = 0; i < nin; i++) {
			ml_tensor_unref(gin[i]);
			gin[i] = NULL;
		}
	return rc;
}
