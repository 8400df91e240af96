/* Tensors: allocation, reference counts, shape queries, shape checks. */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shape and contiguous row-major strides (bytes). */
static void
set_shape(MlTensor *t, int ndim, const int64_t *shape)
{
	t->ndim = ndim;
	for (int i = 0; i < ML_MAX_DIMS; i++) {
		t->shape[i] = i < ndim ? shape[i] : 1;
		t->stride[i] = sizeof(float);
	}
	for (int i = ndim - 2; i >= 0; i--)
		t->stride[i] = t->stride[i + 1] * (size_t)t->shape[i + 1];
}

MlTensor *
ml_tensor_new(int ndim, const int64_t *shape, AcErr *err)
{
	MlTensor *t;
	int64_t numel = 1;
	size_t bytes;
	uintptr_t p;

	if (ndim < 1 || ndim > ML_MAX_DIMS) {
		ac_err_set(err, AC_EINVAL, "tensor_new: ndim %d is not in 1..%d", ndim, ML_MAX_DIMS);
		return NULL;
	}
	if (shape == NULL) {
		ac_err_set(err, AC_EINVAL, "tensor_new: nil shape");
		return NULL;
	}
	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 1) {
			ac_err_set(err, AC_EINVAL, "tensor_new: shape[%d] = %" PRId64 " is not positive",
			           i, shape[i]);
			return NULL;
		}
		if (shape[i] > ML_TENSOR_MAX_NUMEL / numel) {
			ac_err_set(err, AC_ERANGE, "tensor_new: shape exceeds %" PRId64 " elements",
			           ML_TENSOR_MAX_NUMEL);
			return NULL;
		}
		numel *= shape[i];
	}
	/* Header, padding to the alignment, elements: one block.  calloc of a
	 * large block maps zero pages lazily. */
	bytes = sizeof(MlTensor) + ML_DATA_ALIGN_BYTES - 1 + (size_t)numel * sizeof(float);
	t = ac_calloc(1, bytes, "tensor", err);
	if (t == NULL)
		return NULL;
	p = (uintptr_t)(t + 1);
	p = (p + ML_DATA_ALIGN_BYTES - 1) & ~(uintptr_t)(ML_DATA_ALIGN_BYTES - 1);
	t->data = (float *)p;
	set_shape(t, ndim, shape);
	atomic_init(&t->refs, 1);
	return t;
}

int
ml_tensor_reshape(MlTensor *t, int ndim, const int64_t *shape, AcErr *err)
{
	int64_t numel = 1;

	if (t == NULL || ndim < 1 || ndim > ML_MAX_DIMS)
		return ac_err_set(err, AC_EINVAL, "reshape: bad tensor or ndim %d", ndim);
	for (int i = 0; i < ndim; i++) {
		if (shape[i] <= 0)
			return ac_err_set(err, AC_EINVAL, "reshape: dimension %d is %lld", i, (long long)shape[i]);
		numel *= shape[i];
	}
	if (numel != ml_tensor_numel(t))
		return ac_err_set(err, AC_ESHAPE, "reshape: %lld elements cannot take a shape of %lld",
		                  (long long)ml_tensor_numel(t), (long long)numel);
	set_shape(t, ndim, shape);
	return AC_OK;
}

MlTensor *
ml_tensor_ref(MlTensor *t)
{
	if (t != NULL)
		atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void
ml_tensor_unref(MlTensor *t)
{
	if (t == NULL)
		return;
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
		free(t);
}

int64_t
ml_tensor_rows(const MlTensor *t)
{
	return t->shape[0];
}

int64_t
ml_tensor_cols(const MlTensor *t)
{
	int64_t n = 1;

	for (int i = 1; i < t->ndim; i++)
		n *= t->shape[i];
	return n;
}

int64_t
ml_tensor_numel(const MlTensor *t)
{
	return t->shape[0] * ml_tensor_cols(t);
}

char *
ml_shape_fmt(const MlTensor *t, char buf[ML_SHAPE_BYTES])
{
	size_t n = 0;

	if (t == NULL) {
		snprintf(buf, ML_SHAPE_BYTES, "nil");
		return buf;
	}
	buf[n++] = '[';
	for (int i = 0; i < t->ndim; i++)
		n += (size_t)snprintf(buf + n, ML_SHAPE_BYTES - n, "%s%" PRId64, i ? "," : "",
		                      t->shape[i]);
	snprintf(buf + n, ML_SHAPE_BYTES - n, "]");
	return buf;
}

int
ml_same_view(const MlTensor *a, const MlTensor *b)
{
	return ml_tensor_rows(a) == ml_tensor_rows(b) && ml_tensor_cols(a) == ml_tensor_cols(b);
}

int
ml_check_agree(const char *fn, const char *xn, const MlTensor *x, const char *yn,
               const MlTensor *y, AcErr *err)
{
	char xs[ML_SHAPE_BYTES], ys[ML_SHAPE_BYTES];

	if (x == NULL || y == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor %s", fn, x == NULL ? xn : yn);
	if (!ml_same_view(x, y))
		return ac_err_set(err, AC_ESHAPE, "%s: %s %s and %s %s do not agree", fn, xn,
		                  ml_shape_fmt(x, xs), yn, ml_shape_fmt(y, ys));
	return AC_OK;
}
