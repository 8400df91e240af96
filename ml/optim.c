/* Optimiser steps: SGD with momentum and Adam, in PyTorch's forms. */
#include "ml/ml_impl.h"

#include <math.h>

int
ml_sgd(MlTensor *p, const MlTensor *g, MlTensor *v, double lr, double momentum, AcErr *err)
{
	float lr_f = (float)lr, mom_f = (float)momentum;
	int rc = ml_check_agree("sgd", "p", p, "g", g, err);
	int64_t n;

	if (rc == AC_OK)
		rc = ml_check_agree("sgd", "p", p, "v", v, err);
	if (rc != AC_OK)
		return rc;
	n = ml_tensor_numel(p);
	for (int64_t i = 0; i < n; i++) {
		float vi = mom_f * ML_F32(v)[i] + ML_F32(g)[i];

		ML_F32(v)[i] = vi;
		ML_F32(p)[i] -= lr_f * vi;
	}
	return AC_OK;
}

int
ml_adam(MlTensor *p, const MlTensor *g, MlTensor *m, MlTensor *v, int64_t step, double lr,
        double beta1, double beta2, double eps, AcErr *err)
{
	int rc = ml_check_agree("adam", "p", p, "g", g, err);
	int64_t n;
	float b1, omb1, b2, omb2, eps_f, step_size, bc2_sqrt;

	if (rc == AC_OK)
		rc = ml_check_agree("adam", "p", p, "m", m, err);
	if (rc == AC_OK)
		rc = ml_check_agree("adam", "p", p, "v", v, err);
	if (rc != AC_OK)
		return rc;
	if (step < 1)
		return ac_err_set(err, AC_EINVAL, "adam: step %lld is not >= 1", (long long)step);
	if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
		return ac_err_set(err, AC_EINVAL, "adam: betas (%g, %g) are not in [0, 1)",
		                  beta1, beta2);
	/* Coefficients in double, as PyTorch computes them in Python floats,
	 * then rounded once to f32. */
	b1 = (float)beta1;
	omb1 = (float)(1 - beta1);
	b2 = (float)beta2;
	omb2 = (float)(1 - beta2);
	eps_f = (float)eps;
	step_size = (float)(lr / (1 - pow(beta1, (double)step)));
	bc2_sqrt = (float)sqrt(1 - pow(beta2, (double)step));
	n = ml_tensor_numel(p);
	for (int64_t i = 0; i < n; i++) {
		float gi = ML_F32(g)[i];
		float mi = b1 * ML_F32(m)[i] + omb1 * gi;
		float vi = b2 * ML_F32(v)[i] + omb2 * gi * gi;

		ML_F32(m)[i] = mi;
		ML_F32(v)[i] = vi;
		ML_F32(p)[i] -= step_size * mi / (sqrtf(vi) / bc2_sqrt + eps_f);
	}
	return AC_OK;
}
