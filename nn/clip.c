/*
 * Gradient clipping (nn.h "Optimizers, schedules and gradient clipping"):
 * PyTorch's clip_grad_norm_ and clip_grad_value_, accumulated in double.
 */
#include "nn/nn_impl.h"

#include <math.h>

static int
check_grads(NnParam *const *params, int n, const char *fn, AcErr *err)
{
	for (int i = 0; i < n; i++) {
		const MlTensor *g = params[i] != NULL ? params[i]->grad : NULL;
		if (g == NULL || (g->dtype != ML_F32 && g->dtype != ML_F64) || !ml_tensor_is_contiguous(g))
			return ac_err_set(err, AC_EDTYPE, "%s: parameter %d has no contiguous f32 or f64 grad",
			                  fn, i);
	}
	return AC_OK;
}

int
nn_clip_grad_norm(NnParam *const *params, int n, double max_norm, double norm_type,
                  double *total_norm, AcErr *err)
{
	double total = 0, coef;
	int rc;

	if (!(norm_type > 0))
		return ac_err_set(err, AC_EINVAL, "clip_grad_norm: norm_type %g, want > 0", norm_type);
	if (!(max_norm >= 0))
		return ac_err_set(err, AC_EINVAL, "clip_grad_norm: max_norm %g, want >= 0", max_norm);
	if ((rc = check_grads(params, n, "clip_grad_norm", err)) != AC_OK)
		return rc;
	for (int k = 0; k < n; k++) {
		const MlTensor *g = params[k]->grad;
		for (int64_t i = 0; i < ml_tensor_numel(g); i++) {
			double a = fabs(nn_ld(g, i));
			if (isinf(norm_type))
				total = fmax(total, a);
			else if (norm_type == 2)
				total += a * a;
			else if (norm_type == 1)
				total += a;
			else
				total += pow(a, norm_type);
		}
	}
	if (!isinf(norm_type) && norm_type != 1)
		total = norm_type == 2 ? sqrt(total) : pow(total, 1 / norm_type);
	if (total_norm != NULL)
		*total_norm = total;
	coef = max_norm / (total + 1e-6);
	if (coef < 1)
		for (int k = 0; k < n; k++) {
			MlTensor *g = params[k]->grad;
			for (int64_t i = 0; i < ml_tensor_numel(g); i++)
				nn_st(g, i, nn_ld(g, i) * coef);
		}
	return AC_OK;
}

int
nn_clip_grad_value(NnParam *const *params, int n, double clip_value, AcErr *err)
{
	int rc;

	if (!(clip_value >= 0))
		return ac_err_set(err, AC_EINVAL, "clip_grad_value: clip_value %g, want >= 0", clip_value);
	if ((rc = check_grads(params, n, "clip_grad_value", err)) != AC_OK)
		return rc;
	for (int k = 0; k < n; k++) {
		MlTensor *g = params[k]->grad;
		for (int64_t i = 0; i < ml_tensor_numel(g); i++) {
			double v = nn_ld(g, i);  /* NaN stays NaN, as torch.clamp keeps it */
			if (v > clip_value)
				nn_st(g, i, clip_value);
			else if (v < -clip_value)
				nn_st(g, i, -clip_value);
		}
	}
	return AC_OK;
}
