/*
 * PyTorch fixtures for the layer tests: tests/fixtures/nn_gen.py ran each
 * case in float64 and wrote tests/data/nn/NAME.WHAT.npy (in, out, gout,
 * gin, and each parameter P with its gradient gP). nn_fixture_check loads
 * the case's parameters into m (converted to f64), runs forward and
 * backward and compares every tensor PyTorch wrote.
 */
#ifndef TESTS_NN_NNFIX_H
#define TESTS_NN_NNFIX_H

#include "tests/nn/nntest.h"

#include <unistd.h>

#define NN_FIXTURE_DIR "tests/data/nn/"

/* NAME.WHAT.npy, or NULL when the case has no such file. */
static inline MlTensor *
nn_fixture(const char *name, const char *what)
{
	char path[256];
	MlTensor *t = NULL;
	AcErr err = {0};

	snprintf(path, sizeof path, NN_FIXTURE_DIR "%s.%s.npy", name, what);
	if (access(path, R_OK) != 0)
		return NULL;
	if (ml_npy_load(path, &t, &err) != AC_OK)
		fail_msg("%s", err.msg);
	return t;
}

/* Every element of got within atol + rtol * |want| of want's. */
static inline void
nn_fixture_compare(const char *name, const char *what, const MlTensor *got, const MlTensor *want,
                   double tol)
{
	MlTensor *g, *w;
	int bad = 0;

	assert_non_null(got);
	assert_non_null(want);
	if (!ml_same_shape(got, want)) {
		char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
		fail_msg("%s.%s: shape %s, want %s", name, what, ml_shape_fmt(got, a), ml_shape_fmt(want, b));
	}
	g = ml_cast(got, ML_F64, NULL);
	w = ml_cast(want, ML_F64, NULL);
	for (int64_t i = 0; i < ml_tensor_numel(w) && bad < 5; i++)
		if (!(fabs(D64(g)[i] - D64(w)[i]) <= tol + tol * fabs(D64(w)[i]))) {
			print_error("%s.%s[%lld] = %.12g, want %.12g (atol = rtol = %g)\n", name, what, (long long)i,
			            D64(g)[i], D64(w)[i], tol);
			bad++;
		}
	ml_tensor_unref(g);
	ml_tensor_unref(w);
	if (bad)
		fail_msg("%s.%s differs from PyTorch", name, what);
}

/* Loads the case's parameters into m, then checks out, gin and each
 * parameter's gradient; m stays in f64 with those parameters. */
static inline void
nn_fixture_check(NnModule *m, const char *name, double tol)
{
	MlTensor *x = nn_fixture(name, "in"), *gout = nn_fixture(name, "gout"), *want, *y, *gx;
	AcErr err = {0};

	assert_non_null(m);
	if (x == NULL)
		fail_msg("no fixture %s.in: run /usr/bin/python3 tests/fixtures/nn_gen.py", name);
	assert_int_equal(nn_to_dtype(m, ML_F64, &err), AC_OK);
	for (int i = 0; i < m->nparams; i++) {
		MlTensor *p;
		if (m->param[i].grad == NULL)
			continue;  /* a buffer: PyTorch's file holds it after the step */
		if ((p = nn_fixture(name, m->param[i].name)) == NULL)
			fail_msg("no fixture %s.%s", name, m->param[i].name);
		assert_true(ml_same_shape(p, m->param[i].value));
		assert_int_equal(ml_copy(m->param[i].value, p, &err), AC_OK);
		ml_tensor_unref(p);
	}
	y = nn_forward(m, x, &err);
	if (y == NULL)
		fail_msg("%s: forward: %s", name, err.msg);
	want = nn_fixture(name, "out");
	nn_fixture_compare(name, "out", y, want, tol);
	ml_tensor_unref(want);
	nn_zero_grad(m);
	gx = nn_backward(m, x, gout, 1, &err);
	if (gx == NULL)
		fail_msg("%s: backward: %s", name, err.msg);
	want = nn_fixture(name, "gin");
	nn_fixture_compare(name, "gin", gx, want, tol);
	ml_tensor_unref(want);
	for (int i = 0; i < m->nparams; i++) {
		char what[NN_NAME_BYTES + 1];
		if (m->param[i].grad == NULL)
			continue;
		snprintf(what, sizeof what, "g%s", m->param[i].name);
		want = nn_fixture(name, what);
		if (want == NULL)
			fail_msg("no fixture %s.%s", name, what);
		nn_fixture_compare(name, what, m->param[i].grad, want, tol);
		ml_tensor_unref(want);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(gout);
}

#endif
