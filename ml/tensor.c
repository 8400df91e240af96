/* Tensors: storage, constructors, reference counts, views. */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks dt, ndim and ne, and returns the element count in *numel. */
static int
check_shape(const char *fn, MlDtype dt, int ndim, const int64_t *ne, int64_t *numel,
            AcErr *err)
{
	int64_t n = 1;

	if ((unsigned)dt >= ML_DTYPE_COUNT)
		return ac_err_set(err, AC_EINVAL, "%s: unknown dtype %d", fn, (int)dt);
	if (ndim < 0 || ndim > ML_MAX_DIMS)
		return ac_err_set(err, AC_EINVAL, "%s: ndim %d is not in 0..%d", fn, ndim, ML_MAX_DIMS);
	if (ndim > 0 && ne == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil shape", fn);
	for (int i = 0; i < ndim; i++) {
		if (ne[i] < 0)
			return ac_err_set(err, AC_EINVAL, "%s: shape[%d] = %" PRId64 " is negative", fn, i,
			                  ne[i]);
		if (ne[i] > 0 && n > ML_TENSOR_MAX_NUMEL / ne[i])
			return ac_err_set(err, AC_ERANGE, "%s: shape exceeds %" PRId64 " elements", fn,
			                  ML_TENSOR_MAX_NUMEL);
		n *= ne[i];
	}
	if (ml_dtype_block(dt) > 1 && (ndim == 0 || ne[ndim - 1] % ml_dtype_block(dt) != 0))
		return ac_err_set(err, AC_EINVAL, "%s: a %s row must be a multiple of %d elements", fn,
		                  ml_dtype_name(dt), ml_dtype_block(dt));
	*numel = n;
	return AC_OK;
}

/* Row-major strides in bytes for dt and ne. */
static void
set_contiguous(MlTensor *t, MlDtype dt, int ndim, const int64_t *ne)
{
	int64_t step;

	t->dtype = dt;
	t->ndim = ndim;
	for (int i = 0; i < ML_MAX_DIMS; i++) {
		t->ne[i] = i < ndim ? ne[i] : 1;
		t->nb[i] = 0;
	}
	if (ndim == 0)
		return;
	/* a block row: the innermost stride is a block's bytes per block, so
	 * nb of the next dimension out counts whole blocks */
	step = ml_dtype_bytes(dt);
	t->nb[ndim - 1] = step;
	step = ml_dtype_block(dt) > 1 ? t->ne[ndim - 1] / ml_dtype_block(dt) * step
	                              : t->ne[ndim - 1] * step;
	for (int i = ndim - 2; i >= 0; i--) {
		t->nb[i] = step;
		step *= t->ne[i];
	}
}

static MlTensor *
view_new(MlStorage *s, size_t offset)
{
	MlTensor *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	t->storage = s;
	t->offset = offset;
	t->data = s->base != NULL ? s->base + offset : NULL;
	t->device = ML_CPU;
	atomic_init(&t->refs, 1);
	return t;
}

static void
storage_unref(MlStorage *s)
{
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (s->release != NULL)
		s->release(s->ctx);
	else if (!s->mapped)
		free(s->base);
	free(s);
}

/* ml_alloc_limit's budget for the calling thread: bytes new storages may
 * still take (SIZE_MAX: no limit). */
static _Thread_local size_t alloc_left = SIZE_MAX;

size_t
ml_alloc_limit(size_t bytes)
{
	size_t old = alloc_left;

	alloc_left = bytes;
	return old;
}

static MlTensor *
tensor_alloc(const char *fn, MlDtype dt, int ndim, const int64_t *ne, bool zero, AcErr *err)
{
	int64_t numel;
	size_t bytes;
	MlStorage *s;
	MlTensor *t;

	if (check_shape(fn, dt, ndim, ne, &numel, err) != AC_OK)
		return NULL;
	bytes = (size_t)(numel / ml_dtype_block(dt)) * (size_t)ml_dtype_bytes(dt);
	if (alloc_left != SIZE_MAX) {
		if (bytes > alloc_left)
			goto nomem;
		alloc_left -= bytes;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		goto nomem;
	/* rounded up to the alignment, at least one line, so that SIMD tails
	 * may load a whole vector inside the allocation */
	s->bytes = bytes;
	s->base = aligned_alloc(ML_DATA_ALIGN_BYTES,
	                        (bytes + ML_DATA_ALIGN_BYTES - 1) / ML_DATA_ALIGN_BYTES *
	                                ML_DATA_ALIGN_BYTES + ML_DATA_ALIGN_BYTES);
	if (s->base == NULL) {
		free(s);
		goto nomem;
	}
	if (zero)
		memset(s->base, 0, bytes);
	atomic_init(&s->refs, 0);
	t = view_new(s, 0);
	if (t == NULL) {
		free(s->base);
		free(s);
		goto nomem;
	}
	set_contiguous(t, dt, ndim, ne);
	return t;
nomem:
	ac_err_set(err, AC_ENOMEM, "%s: out of memory for %" PRId64 " %s elements", fn, numel,
	           ml_dtype_name(dt));
	return NULL;
}

MlTensor *
ml_tensor_zeros(MlDtype dt, int ndim, const int64_t *ne, AcErr *err)
{
	return tensor_alloc("zeros", dt, ndim, ne, true, err);
}

MlTensor *
ml_tensor_empty(MlDtype dt, int ndim, const int64_t *ne, AcErr *err)
{
	return tensor_alloc("empty", dt, ndim, ne, false, err);
}

MlTensor *
ml_tensor_new(int ndim, const int64_t *shape, AcErr *err)
{
	if (ndim < 1 || ndim > ML_MAX_DIMS) {
		ac_err_set(err, AC_EINVAL, "tensor_new: ndim %d is not in 1..%d", ndim, ML_MAX_DIMS);
		return NULL;
	}
	if (shape == NULL) {
		ac_err_set(err, AC_EINVAL, "tensor_new: nil shape");
		return NULL;
	}
	for (int i = 0; i < ndim; i++)
		if (shape[i] < 1) {
			ac_err_set(err, AC_EINVAL, "tensor_new: shape[%d] = %" PRId64 " is not positive",
			           i, shape[i]);
			return NULL;
		}
	return tensor_alloc("tensor_new", ML_F32, ndim, shape, true, err);
}

/* Whether every element of t lies in [0, bytes) of its storage. */
static bool
view_in_bounds(const MlTensor *t, size_t bytes)
{
	int64_t lo = (int64_t)t->offset, hi = (int64_t)t->offset;
	int64_t last = ml_dtype_bytes(t->dtype);

	for (int i = 0; i < t->ndim; i++) {
		if (t->ne[i] == 0)
			return true;
		int64_t span = (t->ne[i] - 1) * t->nb[i];
		if (ml_dtype_block(t->dtype) > 1 && i == t->ndim - 1)
			span = (t->ne[i] / ml_dtype_block(t->dtype) - 1) * t->nb[i];
		if (span < 0)
			lo += span;
		else
			hi += span;
	}
	return lo >= 0 && hi + last <= (int64_t)bytes;
}

MlTensor *
ml_tensor_wrap(MlDtype dt, int ndim, const int64_t *ne, const int64_t *nb, void *data,
               size_t bytes, void (*release)(void *ctx), void *ctx, AcErr *err)
{
	int64_t numel;
	MlStorage *s = NULL;
	MlTensor *t = NULL;

	if (check_shape("wrap", dt, ndim, ne, &numel, err) != AC_OK)
		goto fail;
	s = calloc(1, sizeof *s);
	if (s != NULL)
		s->base = data; /* before the view, which points into it */
	if (s == NULL || (t = view_new(s, 0)) == NULL) {
		ac_err_set(err, AC_ENOMEM, "wrap: out of memory");
		goto fail;
	}
	s->bytes = bytes;
	s->mapped = true;
	s->release = release;
	s->ctx = ctx;
	set_contiguous(t, dt, ndim, ne);
	if (nb != NULL)
		for (int i = 0; i < ndim; i++)
			t->nb[i] = nb[i];
	if (!view_in_bounds(t, bytes)) {
		char sb[ML_SHAPE_BYTES];
		ac_err_set(err, AC_ERANGE, "wrap: %s %s reaches past its %zu bytes",
		           ml_dtype_name(dt), ml_shape_fmt(t, sb), bytes);
		ml_tensor_unref(t); /* runs release */
		return NULL;
	}
	return t;
fail:
	if (t != NULL)
		ml_tensor_unref(t);
	else {
		free(s);
		if (release != NULL)
			release(ctx);
	}
	return NULL;
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
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) {
		storage_unref(t->storage);
		free(t);
	}
}

int64_t
ml_tensor_rows(const MlTensor *t)
{
	return t->ndim > 0 ? t->ne[0] : 1;
}

int64_t
ml_tensor_cols(const MlTensor *t)
{
	int64_t n = 1;

	for (int i = 1; i < t->ndim; i++)
		n *= t->ne[i];
	return n;
}

int64_t
ml_tensor_numel(const MlTensor *t)
{
	int64_t n = 1;

	for (int i = 0; i < t->ndim; i++)
		n *= t->ne[i];
	return n;
}

size_t
ml_tensor_nbytes(const MlTensor *t)
{
	return (size_t)(ml_tensor_numel(t) / ml_dtype_block(t->dtype)) *
	       (size_t)ml_dtype_bytes(t->dtype);
}

bool
ml_tensor_is_contiguous(const MlTensor *t)
{
	MlTensor c;

	set_contiguous(&c, t->dtype, t->ndim, t->ne);
	for (int i = 0; i < t->ndim; i++)
		if (t->ne[i] != 1 && t->nb[i] != c.nb[i])
			return false;
	return true;
}

size_t
ml_tensor_storage_bytes(const MlTensor *t, bool *mapped)
{
	if (mapped != NULL)
		*mapped = t->storage->mapped;
	return t->storage->bytes;
}

int
ml_tensor_storage_views(const MlTensor *t)
{
	return atomic_load_explicit(&t->storage->refs, memory_order_acquire);
}

bool
ml_tensor_same_storage(const MlTensor *a, const MlTensor *b)
{
	return a->storage == b->storage;
}

bool
ml_same_shape(const MlTensor *a, const MlTensor *b)
{
	if (a->ndim != b->ndim)
		return false;
	for (int i = 0; i < a->ndim; i++)
		if (a->ne[i] != b->ne[i])
			return false;
	return true;
}

/* ---- Views ---- */

static MlTensor *
view_of(const MlTensor *t, AcErr *err)
{
	MlTensor *v = view_new(t->storage, t->offset);

	if (v == NULL) {
		ac_err_set(err, AC_ENOMEM, "view: out of memory");
		return NULL;
	}
	v->dtype = t->dtype;
	v->device = t->device;
	v->ndim = t->ndim;
	memcpy(v->ne, t->ne, sizeof v->ne);
	memcpy(v->nb, t->nb, sizeof v->nb);
	return v;
}

/* dim counted from the end when negative; -1 when outside 0..ndim-1. */
static int
norm_dim(int dim, int ndim)
{
	if (dim < 0)
		dim += ndim;
	return dim >= 0 && dim < ndim ? dim : -1;
}

MlTensor *
ml_view_slice(const MlTensor *t, int dim, int64_t start, int64_t stop, int64_t step, AcErr *err)
{
	int d = norm_dim(dim, t->ndim);
	int64_t n;
	MlTensor *v;

	if (d < 0) {
		ac_err_set(err, AC_ERANGE, "slice: dimension %d of a %d-d tensor", dim, t->ndim);
		return NULL;
	}
	if (step == 0) {
		ac_err_set(err, AC_EINVAL, "slice: step 0");
		return NULL;
	}
	if (step > 0) {
		if (start < 0 || stop < start || stop > t->ne[d]) {
			ac_err_set(err, AC_ERANGE, "slice: %" PRId64 ":%" PRId64 " of dimension %d (size %" PRId64 ")",
			           start, stop, d, t->ne[d]);
			return NULL;
		}
		n = (stop - start + step - 1) / step;
	} else {
		if (start >= t->ne[d] || stop > start || stop < -1 || (start < 0 && t->ne[d] > 0)) {
			ac_err_set(err, AC_ERANGE, "slice: %" PRId64 ":%" PRId64 ":%" PRId64 " of dimension %d (size %" PRId64 ")",
			           start, stop, step, d, t->ne[d]);
			return NULL;
		}
		n = (start - stop + (-step) - 1) / (-step);
	}
	if (ml_dtype_block(t->dtype) > 1 && d == t->ndim - 1) {
		ac_err_set(err, AC_EINVAL, "slice: inside a %s row", ml_dtype_name(t->dtype));
		return NULL;
	}
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	if (n > 0) {
		v->offset = (size_t)((int64_t)t->offset + start * t->nb[d]);
		v->data = t->storage->base + v->offset;
	}
	v->ne[d] = n;
	v->nb[d] = t->nb[d] * step;
	return v;
}

MlTensor *
ml_view_permute(const MlTensor *t, const int *perm, AcErr *err)
{
	unsigned seen = 0;
	MlTensor *v;

	for (int i = 0; i < t->ndim; i++) {
		int p = norm_dim(perm[i], t->ndim);
		if (p < 0 || (seen & (1u << p))) {
			ac_err_set(err, AC_EINVAL, "permute: entry %d (%d) is not a new dimension of %d", i,
			           perm[i], t->ndim);
			return NULL;
		}
		seen |= 1u << p;
	}
	if (ml_dtype_block(t->dtype) > 1 && t->ndim > 0 && norm_dim(perm[t->ndim - 1], t->ndim) != t->ndim - 1) {
		ac_err_set(err, AC_EINVAL, "permute: would move a %s row", ml_dtype_name(t->dtype));
		return NULL;
	}
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	for (int i = 0; i < t->ndim; i++) {
		int p = norm_dim(perm[i], t->ndim);
		v->ne[i] = t->ne[p];
		v->nb[i] = t->nb[p];
	}
	return v;
}

MlTensor *
ml_view_transpose(const MlTensor *t, int d0, int d1, AcErr *err)
{
	int perm[ML_MAX_DIMS], a = norm_dim(d0, t->ndim), b = norm_dim(d1, t->ndim);

	if (a < 0 || b < 0) {
		ac_err_set(err, AC_ERANGE, "transpose: dimensions %d, %d of a %d-d tensor", d0, d1,
		           t->ndim);
		return NULL;
	}
	for (int i = 0; i < t->ndim; i++)
		perm[i] = i;
	perm[a] = b;
	perm[b] = a;
	return ml_view_permute(t, perm, err);
}

MlTensor *
ml_view_expand(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err)
{
	MlTensor *v;
	int off = ndim - t->ndim;
	char a[ML_SHAPE_BYTES];

	if (ndim < t->ndim || ndim > ML_MAX_DIMS)
		goto bad;
	for (int i = 0; i < t->ndim; i++)
		if (t->ne[i] != ne[i + off] && t->ne[i] != 1)
			goto bad;
	if (ml_dtype_block(t->dtype) > 1 && (t->ndim == 0 || ne[ndim - 1] != t->ne[t->ndim - 1]))
		goto bad;
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	v->ndim = ndim;
	for (int i = 0; i < ndim; i++) {
		int j = i - off;
		if (ne[i] < 0)
			goto badv;
		v->ne[i] = ne[i];
		v->nb[i] = j >= 0 && t->ne[j] == ne[i] ? t->nb[j] : 0;
	}
	for (int i = ndim; i < ML_MAX_DIMS; i++) {
		v->ne[i] = 1;
		v->nb[i] = 0;
	}
	return v;
badv:
	ml_tensor_unref(v);
bad:
	{
		MlTensor s = {.ndim = ndim < 0 || ndim > ML_MAX_DIMS ? 0 : ndim};
		char b[ML_SHAPE_BYTES];
		for (int i = 0; i < s.ndim; i++)
			s.ne[i] = ne[i];
		ac_err_set(err, AC_ESHAPE, "expand: %s cannot broadcast to %s", ml_shape_fmt(t, a),
		           ml_shape_fmt(&s, b));
	}
	return NULL;
}

/* Fills want[] from ne[] with at most one -1 inferred from numel. */
static int
infer_shape(const char *fn, const MlTensor *t, int ndim, const int64_t *ne,
            int64_t want[ML_MAX_DIMS], AcErr *err)
{
	int64_t numel = ml_tensor_numel(t), known = 1;
	int infer = -1;

	if (ndim < 0 || ndim > ML_MAX_DIMS)
		return ac_err_set(err, AC_EINVAL, "%s: ndim %d is not in 0..%d", fn, ndim, ML_MAX_DIMS);
	for (int i = 0; i < ndim; i++) {
		want[i] = ne[i];
		if (ne[i] == -1 && infer < 0)
			infer = i;
		else if (ne[i] < 0)
			return ac_err_set(err, AC_EINVAL, "%s: shape[%d] = %" PRId64, fn, i, ne[i]);
		else if (ne[i] > 0 && known > ML_TENSOR_MAX_NUMEL / ne[i])
			return ac_err_set(err, AC_ESHAPE, "%s: shape too large", fn);
		else
			known *= ne[i];
	}
	if (infer >= 0) {
		if (known == 0 || numel % known != 0)
			return ac_err_set(err, AC_ESHAPE, "%s: %" PRId64 " elements cannot be split by %" PRId64,
			                  fn, numel, known);
		want[infer] = numel / known;
		known = numel;
	}
	if (known != numel) {
		char a[ML_SHAPE_BYTES];
		return ac_err_set(err, AC_ESHAPE, "%s: %s (%" PRId64 " elements) cannot take a shape of %" PRId64 " elements",
		                  fn, ml_shape_fmt(t, a), numel, known);
	}
	return AC_OK;
}

/*
 * Strides for viewing t as want[0..ndim-1] without a copy, in nb; false
 * when t's layout does not allow it.  PyTorch's computeStride: t's
 * dimensions fall into chunks that are contiguous with one another; each
 * chunk must be covered exactly by consecutive new dimensions.  A
 * quantized row is counted in blocks, and must stay whole.
 */
static bool
view_strides(const MlTensor *t, int ndim, const int64_t *want, int64_t nb[ML_MAX_DIMS])
{
	int64_t one = 1, ostride = ml_dtype_bytes(t->dtype);
	int64_t blk = ml_dtype_block(t->dtype);
	int64_t oshape[ML_MAX_DIMS], ostr[ML_MAX_DIMS], nshape[ML_MAX_DIMS];
	int on = t->ndim;

	for (int i = 0; i < on; i++) {
		oshape[i] = t->ne[i];
		ostr[i] = t->nb[i];
	}
	if (on == 0) {
		oshape[0] = one;
		ostr[0] = ostride;
		on = 1;
	}
	for (int i = 0; i < ndim; i++)
		nshape[i] = want[i];
	if (blk > 1) {
		oshape[on - 1] /= blk;
		nshape[ndim - 1] /= blk;
	}
	int vd = ndim - 1;
	int64_t base = ostr[on - 1], tn = 1, vn = 1;
	for (int td = on - 1; td >= 0; td--) {
		tn *= oshape[td];
		if (td == 0 || (oshape[td - 1] != 1 && ostr[td - 1] != tn * base)) {
			while (vd >= 0 && (vn < tn || nshape[vd] == 1)) {
				nb[vd] = vn * base;
				vn *= nshape[vd];
				vd--;
			}
			if (vn != tn)
				return false;
			if (td > 0) {
				base = ostr[td - 1];
				tn = 1;
				vn = 1;
			}
		}
	}
	return vd == -1;
}

MlTensor *
ml_view_reshape(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err)
{
	int64_t want[ML_MAX_DIMS], nb[ML_MAX_DIMS];
	MlTensor *v;

	if (infer_shape("view", t, ndim, ne, want, err) != AC_OK)
		return NULL;
	if (ml_dtype_block(t->dtype) > 1 &&
	    (ndim == 0 || want[ndim - 1] != t->ne[t->ndim - 1])) {
		ac_err_set(err, AC_ESHAPE, "view: would change a %s row", ml_dtype_name(t->dtype));
		return NULL;
	}
	if (ml_tensor_numel(t) == 0) {
		MlTensor c;
		set_contiguous(&c, t->dtype, ndim, want);
		memcpy(nb, c.nb, sizeof nb);
	} else if (!view_strides(t, ndim, want, nb)) {
		char a[ML_SHAPE_BYTES];
		ac_err_set(err, AC_ESHAPE, "view: the strides of %s do not allow this shape; copy first",
		           ml_shape_fmt(t, a));
		return NULL;
	}
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	v->ndim = ndim;
	for (int k = 0; k < ML_MAX_DIMS; k++) {
		v->ne[k] = k < ndim ? want[k] : 1;
		v->nb[k] = k < ndim ? nb[k] : 0;
	}
	return v;
}

MlTensor *
ml_view_squeeze(const MlTensor *t, int dim, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], nb[ML_MAX_DIMS];
	int n = 0, d = dim == -1 ? -1 : norm_dim(dim, t->ndim);
	MlTensor *v;

	if (dim != -1 && d < 0) {
		ac_err_set(err, AC_ERANGE, "squeeze: dimension %d of a %d-d tensor", dim, t->ndim);
		return NULL;
	}
	for (int i = 0; i < t->ndim; i++) {
		if (t->ne[i] == 1 && (d < 0 || i == d) &&
		    !(ml_dtype_block(t->dtype) > 1 && i == t->ndim - 1))
			continue;
		ne[n] = t->ne[i];
		nb[n++] = t->nb[i];
	}
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	v->ndim = n;
	for (int i = 0; i < ML_MAX_DIMS; i++) {
		v->ne[i] = i < n ? ne[i] : 1;
		v->nb[i] = i < n ? nb[i] : 0;
	}
	return v;
}

MlTensor *
ml_view_unsqueeze(const MlTensor *t, int dim, AcErr *err)
{
	int d = dim < 0 ? dim + t->ndim + 1 : dim;
	MlTensor *v;

	if (d < 0 || d > t->ndim || t->ndim == ML_MAX_DIMS) {
		ac_err_set(err, AC_ERANGE, "unsqueeze: dimension %d of a %d-d tensor", dim, t->ndim);
		return NULL;
	}
	v = view_of(t, err);
	if (v == NULL)
		return NULL;
	for (int i = t->ndim; i > d; i--) {
		v->ne[i] = t->ne[i - 1];
		v->nb[i] = t->nb[i - 1];
	}
	v->ne[d] = 1;
	v->nb[d] = d < t->ndim ? t->nb[d] * t->ne[d] : (t->ndim > 0 ? t->nb[t->ndim - 1] : 0);
	v->ndim = t->ndim + 1;
	return v;
}

MlTensor *
ml_tensor_contiguous(const MlTensor *t, AcErr *err)
{
	MlTensor *c;

	if (ml_tensor_is_contiguous(t))
		return ml_tensor_ref((MlTensor *)t);
	c = ml_tensor_empty(t->dtype, t->ndim, t->ne, err);
	if (c != NULL && ml_copy(c, t, err) != AC_OK) {
		ml_tensor_unref(c);
		c = NULL;
	}
	return c;
}

MlTensor *
ml_tensor_reshape_copy(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err)
{
	MlTensor *v = ml_view_reshape(t, ndim, ne, NULL), *c;

	if (v != NULL)
		return v;
	c = ml_tensor_contiguous(t, err);
	if (c == NULL)
		return NULL;
	v = ml_view_reshape(c, ndim, ne, err);
	ml_tensor_unref(c);
	return v;
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
	if (!ml_tensor_is_contiguous(t))
		return ac_err_set(err, AC_ESHAPE, "reshape: not contiguous");
	set_contiguous(t, t->dtype, ndim, shape);
	return AC_OK;
}
