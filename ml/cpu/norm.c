/*
 * Normalisations (ops.def family NORM): layer, RMS, group (and instance,
 * groups = C) and batch norm in evaluation mode.  Statistics accumulate in
 * double over a contiguous copy of the input when it is not contiguous;
 * the variance is the biased one (divide by N), as the papers and PyTorch
 * define these layers.  The fast path and the scalar twin differ only in
 * the f32 row loops (the twin loads every element through double).
 * Follows: Ba et al. 2016 (layer norm), Zhang & Sennrich 2019 (RMS norm),
 * Wu & He 2018 (group norm), Ioffe & Szegedy 2015 (batch norm).
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

static int
check_vec(MlOp op, const char *name, const MlTensor *v, int64_t want, AcErr *err)
{
	char s[ML_SHAPE_BYTES];

	if (v == NULL)
		return AC_OK;
	if (ml_tensor_numel(v) != want)
		return ac_err_set(err, AC_ESHAPE, "%s: %s %s does not hold %lld values", ml_op_name(op),
		                  name, ml_shape_fmt(v, s), (long long)want);
	return AC_OK;
}

/* rows x cols: the normalised groups; chan: per-row channel count for the
 * affine (group, batch norm) or 0 when the affine runs along cols. */
static int
nm_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	const MlTensor *x = in[0];
	char s[ML_SHAPE_BYTES];
	int rc = AC_OK;

	*ndim = x->ndim;
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	if (op == ML_OP_LAYER_NORM || op == ML_OP_RMS_NORM) {
		int d = ml_norm_dim(p->axis, x->ndim);
		if (d < 0)
			return ac_err_set(err, AC_ERANGE, "%s: axis %d of a %d-d tensor", ml_op_name(op),
			                  p->axis, x->ndim);
		int64_t cols = 1;
		for (int i = d; i < x->ndim; i++)
			cols *= x->ne[i];
		if ((rc = check_vec(op, "weight", in[1], cols, err)) == AC_OK && op == ML_OP_LAYER_NORM)
			rc = check_vec(op, "bias", in[2], cols, err);
		return rc;
	}
	if (x->ndim < 2)
		return ac_err_set(err, AC_ESHAPE, "%s: input %s has no channel dimension",
		                  ml_op_name(op), ml_shape_fmt(x, s));
	int64_t c = x->ne[1];
	if (op == ML_OP_GROUP_NORM && (p->groups < 1 || c % p->groups != 0))
		return ac_err_set(err, AC_EINVAL, "group_norm: %d groups do not divide %lld channels",
		                  p->groups, (long long)c);
	for (int k = 1; k < (op == ML_OP_GROUP_NORM ? 3 : 5) && rc == AC_OK; k++) {
		static const char *const bn[] = {"", "mean", "var", "weight", "bias"};
		static const char *const gn[] = {"", "weight", "bias"};
		rc = check_vec(op, op == ML_OP_GROUP_NORM ? gn[k] : bn[k], in[k], c, err);
	}
	if (rc == AC_OK && op == ML_OP_BATCH_NORM && (in[1] == NULL || in[2] == NULL))
		return ac_err_set(err, AC_EINVAL, "batch_norm: needs the running mean and var");
	return rc;
}

/* The i-th value of an optional per-channel vector, or dflt. */
static double
vec_at(const MlTensor *v, int64_t i, double dflt)
{
	return v == NULL ? dflt : ml_load_f64(v->dtype, v->data + i * ml_dtype_bytes(v->dtype));
}

static int
nm_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlTensor *x = ml_tensor_contiguous(in[0], err), *y = out, *yc = NULL;
	MlTensor *vec[ML_OP_MAX_INPUTS] = {NULL};
	int rc = AC_OK;
	double eps = p->eps;

	if (x == NULL)
		return err ? err->code : AC_ENOMEM;
	for (int k = 1; k < ml_op_arity(op); k++)
		if (in[k] != NULL && (vec[k] = ml_tensor_contiguous(in[k], err)) == NULL)
			rc = AC_ENOMEM;
	if (rc == AC_OK && !ml_tensor_is_contiguous(out)) {
		if ((yc = ml_tensor_empty(out->dtype, out->ndim, out->ne, err)) == NULL)
			rc = AC_ENOMEM;
		y = yc;
	}
	if (rc != AC_OK)
		goto done;
	MlDtype dt = x->dtype;
	int64_t es = ml_dtype_bytes(dt), numel = ml_tensor_numel(x);
	if (op == ML_OP_LAYER_NORM || op == ML_OP_RMS_NORM) {
		int d = ml_norm_dim(p->axis, x->ndim);
		int64_t cols = 1;
		for (int i = d; i < x->ndim; i++)
			cols *= x->ne[i];
		int64_t rows = cols ? numel / cols : 0;
		for (int64_t r = 0; r < rows; r++) {
			const uint8_t *xp = x->data + r * cols * es;
			uint8_t *yp = y->data + r * cols * es;
			double mean = 0, var = 0;
			if (!ref && dt == ML_F32) {
				const float *xf = (const float *)(const void *)xp;
				for (int64_t j = 0; j < cols; j++)
					mean += xf[j];
			} else
				for (int64_t j = 0; j < cols; j++)
					mean += ml_load_f64(dt, xp + j * es);
			mean /= (double)cols;
			if (op == ML_OP_RMS_NORM)
				mean = 0;
			for (int64_t j = 0; j < cols; j++) {
				double v = ml_load_f64(dt, xp + j * es) - mean;
				var += v * v;
			}
			double rstd = 1 / sqrt(var / (double)cols + eps);
			for (int64_t j = 0; j < cols; j++) {
				double v = (ml_load_f64(dt, xp + j * es) - mean) * rstd;
				v = v * vec_at(vec[1], j, 1) + (op == ML_OP_LAYER_NORM ? vec_at(vec[2], j, 0) : 0);
				ml_store_f64(dt, yp + j * es, v);
			}
		}
		goto done;
	}
	int64_t n = x->ne[0], c = x->ne[1], sp = 1;
	for (int i = 2; i < x->ndim; i++)
		sp *= x->ne[i];
	if (op == ML_OP_BATCH_NORM) {
		for (int64_t b = 0; b < n; b++)
			for (int64_t ch = 0; ch < c; ch++) {
				double sc = vec_at(vec[3], ch, 1) / sqrt(vec_at(vec[2], ch, 1) + eps);
				double sh = vec_at(vec[4], ch, 0) - vec_at(vec[1], ch, 0) * sc;
				int64_t base = (b * c + ch) * sp;
				for (int64_t s = 0; s < sp; s++)
					ml_store_f64(dt, y->data + (base + s) * es,
					             ml_load_f64(dt, x->data + (base + s) * es) * sc + sh);
			}
		goto done;
	}
	int g = p->groups;
	int64_t cg = c / g, len = cg * sp;
	for (int64_t b = 0; b < n; b++)
		for (int gi = 0; gi < g; gi++) {
			int64_t base = (b * c + gi * cg) * sp;
			double mean = 0, var = 0;
			for (int64_t j = 0; j < len; j++)
				mean += ml_load_f64(dt, x->data + (base + j) * es);
			mean /= (double)(len ? len : 1);
			for (int64_t j = 0; j < len; j++) {
				double v = ml_load_f64(dt, x->data + (base + j) * es) - mean;
				var += v * v;
			}
			double rstd = 1 / sqrt(var / (double)(len ? len : 1) + eps);
			for (int64_t j = 0; j < len; j++) {
				int64_t ch = gi * cg + j / sp;
				double v = (ml_load_f64(dt, x->data + (base + j) * es) - mean) * rstd;
				ml_store_f64(dt, y->data + (base + j) * es,
				             v * vec_at(vec[1], ch, 1) + vec_at(vec[2], ch, 0));
			}
		}
done:
	if (rc == AC_OK && yc != NULL)
		rc = ml_copy(out, yc, err);
	ml_tensor_unref(yc);
	for (int k = 0; k < ML_OP_MAX_INPUTS; k++)
		ml_tensor_unref(vec[k]);
	ml_tensor_unref(x);
	return rc;
}

const MlFamily ml_family_NORM = {.shape = nm_shape, .run = nm_run, .optional = 0x1e};
