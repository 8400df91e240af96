/* Softmax cross-entropy (loss and gradient) and argmax accuracy. */
#include "ml/ml_impl.h"

#include <math.h>

int
ml_check_labels(const char *fn, const MlTensor *logits, const MlTensor *labels, AcErr *err)
{
	char ls[ML_SHAPE_BYTES], ys[ML_SHAPE_BYTES];
	int64_t n, c;

	if (logits == NULL || labels == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor %s", fn,
		                  logits == NULL ? "logits" : "labels");
	{
		int rc;
		if ((rc = ml_check_f32(fn, "logits", logits, err)) != AC_OK ||
		    (rc = ml_check_f32(fn, "labels", labels, err)) != AC_OK)
			return rc;
	}
	n = ml_tensor_rows(logits);
	c = ml_tensor_cols(logits);
	if (ml_tensor_rows(labels) != n || ml_tensor_cols(labels) != 1)
		return ac_err_set(err, AC_ESHAPE,
		                  "%s: labels %s do not match logits %s (want [%lld,1])", fn,
		                  ml_shape_fmt(labels, ys), ml_shape_fmt(logits, ls), (long long)n);
	for (int64_t i = 0; i < n; i++) {
		float y = ML_F32(labels)[i];

		/* NaN fails the range test. */
		if (!(y >= 0 && y < (float)c && y == floorf(y)))
			return ac_err_set(err, AC_EINVAL, "%s: labels[%lld] = %g is not a class in 0..%lld",
			                  fn, (long long)i, (double)y, (long long)(c - 1));
	}
	return AC_OK;
}

int
ml_softmax_xent(MlTensor *dlogits, const MlTensor *logits, const MlTensor *labels,
                double *loss, AcErr *err)
{
	int rc = ml_check_labels("softmax_xent", logits, labels, err);
	int64_t n, c;
	double total = 0;

	if (rc == AC_OK && dlogits != NULL)
		rc = ml_check_agree("softmax_xent", "dlogits", dlogits, "logits", logits, err);
	if (rc == AC_OK && loss == NULL)
		rc = ac_err_set(err, AC_EINVAL, "softmax_xent: nil loss");
	if (rc != AC_OK)
		return rc;
	n = ml_tensor_rows(logits);
	c = ml_tensor_cols(logits);
	for (int64_t i = 0; i < n; i++) {
		const float *x = ML_F32(logits) + i * c;
		int64_t y = (int64_t)ML_F32(labels)[i];
		float mx = x[0];
		double s = 0, lse;

		for (int64_t j = 1; j < c; j++)
			mx = x[j] > mx ? x[j] : mx;
		for (int64_t j = 0; j < c; j++)
			s += exp((double)x[j] - mx);
		lse = mx + log(s);
		total += lse - x[y];
		if (dlogits != NULL) {
			/* Reads x[j] before writing d[j]: dlogits may be logits. */
			float *d = ML_F32(dlogits) + i * c;

			for (int64_t j = 0; j < c; j++)
				d[j] = (float)((exp((double)x[j] - lse) - (j == y)) / (double)n);
		}
	}
	*loss = total / (double)n;
	return AC_OK;
}

int
ml_correct(const MlTensor *logits, const MlTensor *labels, int64_t *count, AcErr *err)
{
	int rc = ml_check_labels("correct", logits, labels, err);
	int64_t n, c, hits = 0;

	if (rc == AC_OK && count == NULL)
		rc = ac_err_set(err, AC_EINVAL, "correct: nil count");
	if (rc != AC_OK)
		return rc;
	n = ml_tensor_rows(logits);
	c = ml_tensor_cols(logits);
	for (int64_t i = 0; i < n; i++) {
		const float *x = ML_F32(logits) + i * c;
		int64_t best = 0;

		for (int64_t j = 1; j < c; j++)
			if (x[j] > x[best])
				best = j;
		hits += best == (int64_t)ML_F32(labels)[i];
	}
	*count = hits;
	return AC_OK;
}
