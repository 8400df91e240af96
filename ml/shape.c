/* Shapes: formatting, NumPy broadcasting, the strided loop driver, and the
 * argument checks the matrix kernels share. */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *
ml_shape_fmt(const MlTensor *t, char buf[ML_SHAPE_BYTES])
{
	size_t n = 0;

	if (t == NULL) {
		snprintf(buf, ML_SHAPE_BYTES, "nil");
		return buf;
	}
	buf[n++] = '[';
	for (int i = 0; i < t->ndim && i < ML_MAX_DIMS; i++)
		n += (size_t)snprintf(buf + n, ML_SHAPE_BYTES - n, "%s%" PRId64, i ? "," : "",
		                      t->ne[i]);
	snprintf(buf + n, ML_SHAPE_BYTES - n, "]");
	return buf;
}

int
ml_broadcast_shape(const char *fn, int n, const MlTensor *const *t, int *ndim,
                   int64_t ne[ML_MAX_DIMS], AcErr *err)
{
	int nd = 0;

	for (int k = 0; k < n; k++)
		if (t[k]->ndim > nd)
			nd = t[k]->ndim;
	for (int i = 0; i < nd; i++)
		ne[i] = 1;
	for (int k = 0; k < n; k++) {
		int off = nd - t[k]->ndim;
		for (int i = 0; i < t[k]->ndim; i++) {
			int64_t a = ne[i + off], b = t[k]->ne[i];
			if (a == b || b == 1)
				continue;
			if (a == 1) {
				ne[i + off] = b;
				continue;
			}
			char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
			int j = 0;
			while (j < k && t[j]->ndim - (nd - (i + off)) < 0)
				j++;
			return ac_err_set(err, AC_ESHAPE, "%s: %s and %s do not broadcast", fn,
			                  ml_shape_fmt(t[k == 0 ? 0 : j == k ? 0 : j], s0),
			                  ml_shape_fmt(t[k], s1));
		}
	}
	*ndim = nd;
	return AC_OK;
}

void
ml_broadcast_strides(const MlTensor *t, int ndim, const int64_t *ne, int64_t st[ML_MAX_DIMS])
{
	int off = ndim - t->ndim;

	for (int i = 0; i < ndim; i++) {
		int j = i - off;
		st[i] = j >= 0 && t->ne[j] == ne[i] ? t->nb[j] : 0;
	}
}

void
ml_iter(int nops, uint8_t *const *base, int ndim, const int64_t *ne,
        const int64_t (*st)[ML_MAX_DIMS], MlLoopFn fn, void *ctx)
{
	int64_t n[ML_MAX_DIMS], s[ML_ITER_MAX_OPS][ML_MAX_DIMS], idx[ML_MAX_DIMS];
	int64_t is[ML_ITER_MAX_OPS];
	uint8_t *p[ML_ITER_MAX_OPS];
	int nd = 0;

	for (int d = 0; d < ndim; d++) {
		if (ne[d] == 0)
			return;
		if (ne[d] == 1)
			continue;
		/* merge d into the dimension before it when every operand
		 * steps across both as one */
		bool merge = nd > 0;
		for (int k = 0; k < nops && merge; k++)
			merge = s[k][nd - 1] == st[k][d] * ne[d];
		if (merge) {
			n[nd - 1] *= ne[d];
			for (int k = 0; k < nops; k++)
				s[k][nd - 1] = st[k][d];
			continue;
		}
		n[nd] = ne[d];
		for (int k = 0; k < nops; k++)
			s[k][nd] = st[k][d];
		nd++;
	}
	if (nd == 0) {
		n[0] = 1;
		for (int k = 0; k < nops; k++)
			s[k][0] = 0;
		nd = 1;
	}
	for (int k = 0; k < nops; k++)
		is[k] = s[k][nd - 1];
	memset(idx, 0, sizeof idx);
	for (;;) {
		for (int k = 0; k < nops; k++) {
			uint8_t *q = base[k];
			for (int d = 0; d < nd - 1; d++)
				q += idx[d] * s[k][d];
			p[k] = q;
		}
		fn(n[nd - 1], p, is, ctx);
		int d = nd - 2;
		while (d >= 0 && ++idx[d] == n[d])
			idx[d--] = 0;
		if (d < 0)
			return;
	}
}

int
ml_same_view(const MlTensor *a, const MlTensor *b)
{
	return ml_tensor_rows(a) == ml_tensor_rows(b) && ml_tensor_cols(a) == ml_tensor_cols(b);
}

int
ml_check_f32(const char *fn, const char *name, const MlTensor *t, AcErr *err)
{
	if (t == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor %s", fn, name);
	if (t->dtype != ML_F32)
		return ac_err_set(err, AC_EDTYPE, "%s: %s is %s, want f32", fn, name,
		                  ml_dtype_name(t->dtype));
	if (!ml_tensor_is_contiguous(t))
		return ac_err_set(err, AC_EINVAL, "%s: %s is not contiguous", fn, name);
	return AC_OK;
}

int
ml_check_agree(const char *fn, const char *xn, const MlTensor *x, const char *yn,
               const MlTensor *y, AcErr *err)
{
	char xs[ML_SHAPE_BYTES], ys[ML_SHAPE_BYTES];
	int rc;

	if ((rc = ml_check_f32(fn, xn, x, err)) != AC_OK ||
	    (rc = ml_check_f32(fn, yn, y, err)) != AC_OK)
		return rc;
	if (!ml_same_view(x, y))
		return ac_err_set(err, AC_ESHAPE, "%s: %s %s and %s %s do not agree", fn, xn,
		                  ml_shape_fmt(x, xs), yn, ml_shape_fmt(y, ys));
	return AC_OK;
}
