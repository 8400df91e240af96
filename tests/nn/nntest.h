/*
 * Helpers shared by the tests/nn files: f64 tensors from literals and from
 * a seed, and the finite-difference gradient check of Torch7's
 * jac.testJacobian / PyTorch's gradcheck, run in f64.
 *
 * nn_check_grads(m, x): with y = m(x) and a fixed random r of y's shape,
 * the scalar L = sum(r * y) has dL/dx = update_grad_input(x, r) and
 * dL/dp = acc_grad_parameters(x, r, 1) for each parameter p. Each element
 * of x and of every parameter is moved by +-h and L recomputed; the
 * central difference must agree with the analytic gradient within
 * atol + rtol * |analytic|.
 */
#ifndef TESTS_NN_NNTEST_H
#define TESTS_NN_NNTEST_H

#include "tests/test.h"
#include "nn/nn.h"

#include <string.h>

/* An f64 tensor of shape ne holding vals (zeros when vals is NULL). */
static inline MlTensor *
t64(int ndim, const int64_t *ne, const double *vals)
{
	MlTensor *t = ml_tensor_zeros(ML_F64, ndim, ne, NULL);

	assert_non_null(t);
	if (vals != NULL)
		memcpy(t->data, vals, (size_t)ml_tensor_numel(t) * sizeof(double));
	return t;
}

/* An f64 tensor of shape ne with elements U(lo, hi) from seed. */
static inline MlTensor *
t64_rand(int ndim, const int64_t *ne, double lo, double hi, uint64_t seed)
{
	MlTensor *t = t64(ndim, ne, NULL);
	MlRng r;

	ml_rng_seed(&r, seed);
	for (int64_t i = 0; i < ml_tensor_numel(t); i++)
		((double *)(void *)t->data)[i] = lo + (hi - lo) * ml_rng_uniform(&r);
	return t;
}

#define D64(t) ((double *)(void *)(t)->data)

/* sum(r * m(x)), or NaN when the forward fails. */
static inline double
nn_test_loss(NnModule *m, MlTensor *x, const MlTensor *r)
{
	AcErr err = {0};
	MlTensor *y = nn_forward(m, x, &err);
	MlTensor *yc;
	double s = 0;

	if (y == NULL) {
		print_error("forward: %s\n", err.msg);
		return NAN;
	}
	yc = ml_tensor_contiguous(y, NULL);
	for (int64_t i = 0; i < ml_tensor_numel(yc); i++)
		s += D64(yc)[i] * D64(r)[i];
	ml_tensor_unref(yc);
	return s;
}

/* Compares one analytic gradient element with its central difference. */
static inline int
nn_test_close(const char *what, int64_t i, double analytic, double numeric, double atol, double rtol)
{
	if (fabs(analytic - numeric) <= atol + rtol * fabs(analytic))
		return 1;
	print_error("%s[%lld]: analytic %.10g, numeric %.10g\n", what, (long long)i, analytic, numeric);
	return 0;
}

/*
 * Checks m's gradients at x (f64, contiguous; m converted to f64 first).
 * m runs in its current mode; a layer that draws random numbers in
 * training mode must draw the same ones each call for the check to hold.
 */
static inline void
nn_check_grads_tol(NnModule *m, MlTensor *x, double atol, double rtol)
{
	const double h = 1e-6;
	AcErr err = {0};
	MlTensor *y, *r, *gx;
	int ok = 1;

	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	assert_int_equal(x->dtype, ML_F64);
	y = nn_forward(m, x, &err);
	if (y == NULL)
		print_error("forward: %s\n", err.msg);
	assert_non_null(y);
	r = t64_rand(y->ndim, y->ne, -1, 1, 0x5eed);
	nn_zero_grad(m);
	gx = nn_backward(m, x, r, 1.0, &err);
	if (gx == NULL)
		print_error("backward: %s\n", err.msg);
	assert_non_null(gx);
	gx = ml_tensor_contiguous(gx, NULL);
	assert_true(ml_same_shape(gx, x));
	for (int64_t i = 0; i < ml_tensor_numel(x) && ok; i++) {
		double v = D64(x)[i], lp, lm;
		D64(x)[i] = v + h;
		lp = nn_test_loss(m, x, r);
		D64(x)[i] = v - h;
		lm = nn_test_loss(m, x, r);
		D64(x)[i] = v;
		ok = nn_test_close("grad_input", i, D64(gx)[i], (lp - lm) / (2 * h), atol, rtol);
	}
	ml_tensor_unref(gx);
	/* Parameters: every NnParam with a gradient, in m and its children. */
	for (int pass = 0; ok; pass++) {
		NnParam *p = NULL;
		int k = 0;
		/* the pass-th parameter, depth first */
		NnModule *stack[64];
		int sp = 0;
		stack[sp++] = m;
		while (sp > 0 && p == NULL) {
			NnModule *c = stack[--sp];
			for (int j = 0; j < c->nparams && p == NULL; j++)
				if (c->param[j].grad != NULL && k++ == pass)
					p = &c->param[j];
			for (int j = c->nchildren - 1; j >= 0 && sp < 64; j--)
				stack[sp++] = c->children[j];
		}
		if (p == NULL)
			break;
		for (int64_t i = 0; i < ml_tensor_numel(p->value) && ok; i++) {
			double v = D64(p->value)[i], lp, lm;
			D64(p->value)[i] = v + h;
			lp = nn_test_loss(m, x, r);
			D64(p->value)[i] = v - h;
			lm = nn_test_loss(m, x, r);
			D64(p->value)[i] = v;
			ok = nn_test_close(p->name, i, D64(p->grad)[i], (lp - lm) / (2 * h), atol, rtol);
		}
	}
	ml_tensor_unref(r);
	assert_true(ok);
}

#define nn_check_grads(m, x) nn_check_grads_tol((m), (x), 1e-6, 1e-5)

#endif
