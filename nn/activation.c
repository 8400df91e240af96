/*
 * Activations: ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, Sigmoid, Softmax,
 * LogSoftmax (torch.nn's modules of those names). The forward pass is
 * ml's op of the same name; the backward pass is here, each derivative
 * written once in deriv() (element-wise) or row_grad() (along a
 * dimension), on contiguous f32 or f64 with sums in double.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* X(id, lower, type, op): the one list of activations. */
#define ACTIVATIONS(X)                                       \
	X(RELU, relu, "ReLU", ML_OP_RELU)                    \
	X(LEAKY_RELU, leaky_relu, "LeakyReLU", ML_OP_LEAKY_RELU) \
	X(ELU, elu, "ELU", ML_OP_ELU)                        \
	X(GELU, gelu, "GELU", ML_OP_GELU)                    \
	X(SILU, silu, "SiLU", ML_OP_SILU)                    \
	X(TANH, tanh, "Tanh", ML_OP_TANH)                    \
	X(SIGMOID, sigmoid, "Sigmoid", ML_OP_SIGMOID)        \
	X(SOFTMAX, softmax, "Softmax", ML_OP_SOFTMAX)        \
	X(LOG_SOFTMAX, log_softmax, "LogSoftmax", ML_OP_LOG_SOFTMAX)

enum {
#define X(id, lower, type, op) ACT_##id,
	ACTIVATIONS(X)
#undef X
	ACT_COUNT
};

static const MlOp act_op[ACT_COUNT] = {
#define X(id, lower, type, op) [ACT_##id] = op,
	ACTIVATIONS(X)
#undef X
};

typedef struct Act {
	int kind;    /* ACT_* */
	double a;    /* LeakyReLU's negative_slope, ELU's alpha */
	bool tanh;   /* GELU: the tanh approximation */
	int dim;     /* Softmax, LogSoftmax */
} Act;

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

static MlOpParams
params(const Act *a)
{
	MlOpParams p = {.p = {a->a, 0}, .axis = a->dim};

	return p;
}

static int
act_output(NnModule *m, MlTensor *input, AcErr *err)
{
	const Act *a = m->priv;
	bool rows = a->kind == ACT_SOFTMAX || a->kind == ACT_LOG_SOFTMAX;
	MlOp op = a->kind == ACT_GELU && a->tanh ? ML_OP_GELU_TANH : act_op[a->kind];
	MlOpParams p = params(a);
	int rc;

	if ((rc = nn_check_input(m, input, rows ? 1 : 0, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	if (rows && (a->dim < -input->ndim || a->dim >= input->ndim)) {
		char s[ML_SHAPE_BYTES];
		return nn_err(m, err, AC_ERANGE, "dim %d of input %s", a->dim, ml_shape_fmt(input, s));
	}
	if (nn_ensure_like(&m->output, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(op, m->output, (MlTensor *[]){input}, &p, err);
}

/* d activation / dx at x, y = f(x): the element-wise derivatives. */
static double
deriv(const Act *a, double x, double y)
{
	static const double k = 0.7978845608028654;  /* sqrt(2 / pi) */
	static const double c = 0.044715;

	switch (a->kind) {
	case ACT_RELU:
		return x > 0 ? 1 : 0;
	case ACT_LEAKY_RELU:
		return x > 0 ? 1 : a->a;
	case ACT_ELU:
		return x > 0 ? 1 : a->a * exp(x);
	case ACT_GELU:
		if (a->tanh) {
			double t = tanh(k * (x + c * x * x * x));
			return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x);
		}
		return 0.5 * (1 + erf(x * M_SQRT1_2)) + x * exp(-0.5 * x * x) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
	case ACT_SILU: {
		double s = 1 / (1 + exp(-x));
		return s * (1 + x * (1 - s));
	}
	case ACT_TANH:
		return 1 - y * y;
	case ACT_SIGMOID:
		return y * (1 - y);
	}
	return 0;
}

/* Softmax: dx = y (g - sum(g y)); LogSoftmax: dx = g - exp(y) sum(g),
 * the sums along dim, for each of the outer * inner rows of n. */
static void
row_grad(const Act *a, MlTensor *dx, const MlTensor *g, const MlTensor *y)
{
	int d = a->dim < 0 ? a->dim + y->ndim : a->dim;
	int64_t outer = 1, inner = 1, n = y->ne[d];

	for (int k = 0; k < d; k++)
		outer *= y->ne[k];
	for (int k = d + 1; k < y->ndim; k++)
		inner *= y->ne[k];
	for (int64_t o = 0; o < outer; o++)
		for (int64_t in = 0; in < inner; in++) {
			int64_t base = o * n * inner + in;
			double s = 0;
			for (int64_t j = 0; j < n; j++) {
				int64_t i = base + j * inner;
				s += a->kind == ACT_SOFTMAX ? nn_ld(g, i) * nn_ld(y, i) : nn_ld(g, i);
			}
			for (int64_t j = 0; j < n; j++) {
				int64_t i = base + j * inner;
				nn_st(dx, i, a->kind == ACT_SOFTMAX ? nn_ld(y, i) * (nn_ld(g, i) - s)
				                                 : nn_ld(g, i) - exp(nn_ld(y, i)) * s);
			}
		}
}

static int
act_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	const Act *a = m->priv;
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	MlTensor *x = NULL, *g = NULL;
	int rc;

	if ((rc = nn_check_input(m, input, 0, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	if (m->output == NULL || !ml_same_shape(m->output, input) || !ml_same_shape(grad_output, input) ||
	    grad_output->dtype != input->dtype)
		return nn_err(m, err, AC_ESHAPE, "grad_output %s, input %s: want one shape after a forward",
		              ml_shape_fmt(grad_output, s0), ml_shape_fmt(input, s1));
	if ((x = ml_tensor_contiguous(input, err)) == NULL ||
	    (g = ml_tensor_contiguous(grad_output, err)) == NULL ||
	    nn_ensure_like(&m->grad_input, input, err) != AC_OK) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	if (a->kind == ACT_SOFTMAX || a->kind == ACT_LOG_SOFTMAX) {
		row_grad(a, m->grad_input, g, m->output);
	} else if (a->kind == ACT_RELU && x->dtype == ML_F32) {
		/* the CNN's and MLP's backward, vectorised: the same products
		 * as the general loop (g * 1 or g * 0, exact in f32) */
		const float *xf = (const float *)(const void *)x->data, *gf = (const float *)(const void *)g->data;
		float *o = (float *)(void *)m->grad_input->data;
		int64_t n = ml_tensor_numel(x);
		for (int64_t i = 0; i < n; i++)
			o[i] = gf[i] * (xf[i] > 0 ? 1.0f : 0.0f);
	} else {
		int64_t n = ml_tensor_numel(x);
		for (int64_t i = 0; i < n; i++)
			nn_st(m->grad_input, i, nn_ld(g, i) * deriv(a, nn_ld(x, i), nn_ld(m->output, i)));
	}
done:
	ml_tensor_unref(x);
	ml_tensor_unref(g);
	return rc;
}

static NnModule *act_new(int kind, double a, bool tanh_approx, int dim, AcErr *err);

static NnModule *
act_create(int kind, const NnHparams *hp, AcErr *err)
{
	double a = kind == ACT_LEAKY_RELU ? nn_hparam_getf(hp, "negative_slope", 0.01)
	                                  : nn_hparam_getf(hp, "alpha", 1.0);

	return act_new(kind, a, nn_hparam_geti(hp, "approximate", 0) != 0,
	               (int)nn_hparam_geti(hp, "dim", -1), err);
}

#define X(id, lower, name, op)                                                           \
	static NnModule *create_##lower(const NnHparams *hp, uint64_t seed, AcErr *err)   \
	{                                                                                 \
		(void)seed;                                                               \
		return act_create(ACT_##id, hp, err);                                     \
	}                                                                                 \
	const NnClass nn_##lower##_class = {.type = name, .update_output = act_output,    \
	                                    .update_grad_input = act_grad_input,          \
	                                    .create = create_##lower};
ACTIVATIONS(X)
#undef X

static const NnClass *const act_class[ACT_COUNT] = {
#define X(id, lower, type, op) [ACT_##id] = &nn_##lower##_class,
	ACTIVATIONS(X)
#undef X
};

static NnModule *
act_new(int kind, double a, bool tanh_approx, int dim, AcErr *err)
{
	NnModule *m = nn_module_new(act_class[kind], sizeof(Act), err);
	Act *p;

	if (m == NULL)
		return NULL;
	p = m->priv;
	p->kind = kind;
	p->a = a;
	p->tanh = tanh_approx;
	p->dim = dim;
	switch (kind) {
	case ACT_LEAKY_RELU:
		nn_hparam_real(m, "negative_slope", a);
		break;
	case ACT_ELU:
		nn_hparam_real(m, "alpha", a);
		break;
	case ACT_GELU:
		nn_hparam_int(m, "approximate", tanh_approx);
		break;
	case ACT_SOFTMAX:
	case ACT_LOG_SOFTMAX:
		nn_hparam_int(m, "dim", dim);
		break;
	}
	return m;
}

NnModule *
nn_relu(AcErr *err)
{
	return act_new(ACT_RELU, 0, false, 0, err);
}

NnModule *
nn_leaky_relu(double negative_slope, AcErr *err)
{
	return act_new(ACT_LEAKY_RELU, negative_slope, false, 0, err);
}

NnModule *
nn_elu(double alpha, AcErr *err)
{
	return act_new(ACT_ELU, alpha, false, 0, err);
}

NnModule *
nn_gelu(bool tanh_approx, AcErr *err)
{
	return act_new(ACT_GELU, 0, tanh_approx, 0, err);
}

NnModule *
nn_silu(AcErr *err)
{
	return act_new(ACT_SILU, 0, false, 0, err);
}

NnModule *
nn_tanh(AcErr *err)
{
	return act_new(ACT_TANH, 0, false, 0, err);
}

NnModule *
nn_sigmoid(AcErr *err)
{
	return act_new(ACT_SIGMOID, 0, false, 0, err);
}

NnModule *
nn_softmax(int dim, AcErr *err)
{
	return act_new(ACT_SOFTMAX, 0, false, dim, err);
}

NnModule *
nn_log_softmax(int dim, AcErr *err)
{
	return act_new(ACT_LOG_SOFTMAX, 0, false, dim, err);
}
