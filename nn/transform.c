/*
 * Image transforms on whole batches (torchvision's Normalize, RandomCrop,
 * RandomHorizontalFlip), each image drawing its own random choices from
 * the caller's MlRng in a documented order, so a loader can replay them.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <string.h>

static const char *const kind_name[] = {
	[NN_NORMALIZE] = "Normalize",
	[NN_RANDOM_CROP] = "RandomCrop",
	[NN_RANDOM_HORIZONTAL_FLIP] = "RandomHorizontalFlip",
};

static const char *
kind_of(const NnTransform *t)
{
	return (unsigned)t->kind < sizeof kind_name / sizeof kind_name[0] ? kind_name[t->kind] : "transform";
}

int
nn_transform_normalize(NnTransform *t, int channels, const double *mean, const double *std,
                       AcErr *err)
{
	if (channels < 1 || channels > NN_TRANSFORM_MAX_CHANNELS)
		return ac_err_set(err, AC_EINVAL, "Normalize: %d channels, want 1..%d", channels,
		                  NN_TRANSFORM_MAX_CHANNELS);
	for (int c = 0; c < channels; c++)
		if (!(std[c] != 0) || !isfinite(std[c]) || !isfinite(mean[c]))
			return ac_err_set(err, AC_EINVAL, "Normalize: mean[%d] %g, std[%d] %g", c, mean[c], c,
			                  std[c]);
	memset(t, 0, sizeof *t);
	t->kind = NN_NORMALIZE;
	t->channels = channels;
	memcpy(t->mean, mean, (size_t)channels * sizeof *mean);
	memcpy(t->std, std, (size_t)channels * sizeof *std);
	return AC_OK;
}

int
nn_transform_random_crop(NnTransform *t, int64_t h, int64_t w, int64_t padding, AcErr *err)
{
	if (h < 1 || w < 1)
		return ac_err_set(err, AC_EINVAL, "RandomCrop: size %lldx%lld", (long long)h, (long long)w);
	if (padding < 0 || padding > (1 << 20))
		return ac_err_set(err, AC_EINVAL, "RandomCrop: padding %lld", (long long)padding);
	memset(t, 0, sizeof *t);
	t->kind = NN_RANDOM_CROP;
	t->size[0] = h;
	t->size[1] = w;
	t->padding = padding;
	return AC_OK;
}

int
nn_transform_random_horizontal_flip(NnTransform *t, double p, AcErr *err)
{
	if (!(p >= 0 && p <= 1))
		return ac_err_set(err, AC_EINVAL, "RandomHorizontalFlip: p %g outside [0, 1]", p);
	memset(t, 0, sizeof *t);
	t->kind = NN_RANDOM_HORIZONTAL_FLIP;
	t->p = p;
	return AC_OK;
}

int
nn_transform_shape(const NnTransform *t, int ndim, const int64_t *ne, int64_t *out_ne, AcErr *err)
{
	const char *name = kind_of(t);
	char buf[ML_SHAPE_BYTES];
	MlTensor shape = {.ndim = ndim};
	int64_t c, h, w;

	if (ndim != 3 && ndim != 4)
		return ac_err_set(err, AC_ESHAPE, "%s: input has %d dimensions, want [N,C,H,W] or [N,H,W]",
		                  name, ndim);
	memcpy(shape.ne, ne, (size_t)ndim * sizeof *ne);
	c = ndim == 4 ? ne[1] : 1;
	h = ne[ndim - 2];
	w = ne[ndim - 1];
	memcpy(out_ne, ne, (size_t)ndim * sizeof *ne);
	switch (t->kind) {
	case NN_NORMALIZE:
		if (t->channels != 1 && t->channels != c)
			return ac_err_set(err, AC_ESHAPE, "Normalize: input %s has %lld channels, mean and std %d",
			                  ml_shape_fmt(&shape, buf), (long long)c, t->channels);
		return AC_OK;
	case NN_RANDOM_CROP:
		if (t->size[0] > h + 2 * t->padding || t->size[1] > w + 2 * t->padding)
			return ac_err_set(err, AC_ESHAPE,
			                  "RandomCrop: input %s: window %lldx%lld larger than %lldx%lld padded by %lld",
			                  ml_shape_fmt(&shape, buf), (long long)t->size[0], (long long)t->size[1],
			                  (long long)h, (long long)w, (long long)t->padding);
		out_ne[ndim - 2] = t->size[0];
		out_ne[ndim - 1] = t->size[1];
		return AC_OK;
	case NN_RANDOM_HORIZONTAL_FLIP:
		return AC_OK;
	}
	return ac_err_set(err, AC_EINVAL, "transform: kind %d", (int)t->kind);
}

/* (x - mean) / std per channel plane, as torchvision's F.normalize. */
static void
normalize(const NnTransform *t, float *out, const float *in, int64_t n, int64_t c, int64_t hw)
{
	for (int64_t i = 0; i < n; i++)
		for (int64_t k = 0; k < c; k++) {
			int ch = t->channels == 1 ? 0 : (int)k;
			float m = (float)t->mean[ch], s = (float)t->std[ch];
			const float *src = in + (i * c + k) * hw;
			float *dst = out + (i * c + k) * hw;
			for (int64_t j = 0; j < hw; j++)
				dst[j] = (src[j] - m) / s;
		}
}

/* Row y of the window is row top + y - pad of the image, zero outside;
 * likewise the columns. */
static void
crop(const NnTransform *t, float *out, const float *in, int64_t n, int64_t c, int64_t h,
     int64_t w, MlRng *r)
{
	int64_t oh = t->size[0], ow = t->size[1], pad = t->padding;

	for (int64_t i = 0; i < n; i++) {
		int64_t top = (int64_t)ml_rng_below(r, (uint64_t)(h + 2 * pad - oh + 1)) - pad;
		int64_t left = (int64_t)ml_rng_below(r, (uint64_t)(w + 2 * pad - ow + 1)) - pad;
		/* columns of the window that fall inside the image */
		int64_t x0 = left < 0 ? -left : 0, x1 = w - left < ow ? w - left : ow;
		for (int64_t k = 0; k < c; k++) {
			const float *src = in + (i * c + k) * h * w;
			float *dst = out + (i * c + k) * oh * ow;
			for (int64_t y = 0; y < oh; y++) {
				float *d = dst + y * ow;
				int64_t sy = top + y;
				if (sy < 0 || sy >= h || x1 <= x0) {
					memset(d, 0, (size_t)ow * sizeof *d);
					continue;
				}
				memset(d, 0, (size_t)x0 * sizeof *d);
				memcpy(d + x0, src + sy * w + left + x0, (size_t)(x1 - x0) * sizeof *d);
				memset(d + x1, 0, (size_t)(ow - x1) * sizeof *d);
			}
		}
	}
}

static void
hflip(const NnTransform *t, float *out, const float *in, int64_t n, int64_t rows, int64_t w,
      MlRng *r)
{
	for (int64_t i = 0; i < n; i++) {
		bool flip = ml_rng_uniform(r) < t->p;
		const float *src = in + i * rows * w;
		float *dst = out + i * rows * w;
		for (int64_t y = 0; y < rows; y++, src += w, dst += w) {
			if (!flip) {
				if (dst != src)
					memcpy(dst, src, (size_t)w * sizeof *dst);
				continue;
			}
			/* in place too: swap the ends toward the middle */
			for (int64_t a = 0, b = w - 1; a <= b; a++, b--) {
				float va = src[a], vb = src[b];
				dst[a] = vb;
				dst[b] = va;
			}
		}
	}
}

int
nn_transform_apply(const NnTransform *t, MlTensor *out, const MlTensor *in, MlRng *r, AcErr *err)
{
	const char *name = kind_of(t);
	int64_t want[ML_MAX_DIMS], n, c, h, w;
	char bi[ML_SHAPE_BYTES], bo[ML_SHAPE_BYTES], bw[ML_SHAPE_BYTES];
	int rc;

	if (in == NULL || out == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil tensor", name);
	if (in->dtype != ML_F32 || out->dtype != ML_F32)
		return ac_err_set(err, AC_EDTYPE, "%s: input %s, output %s, want f32", name,
		                  ml_dtype_name(in->dtype), ml_dtype_name(out->dtype));
	if (!ml_tensor_is_contiguous(in) || !ml_tensor_is_contiguous(out))
		return ac_err_set(err, AC_EINVAL, "%s: tensors must be contiguous", name);
	if ((rc = nn_transform_shape(t, in->ndim, in->ne, want, err)) != AC_OK)
		return rc;
	if (out->ndim != in->ndim || memcmp(out->ne, want, (size_t)in->ndim * sizeof *want) != 0) {
		MlTensor ws = {.ndim = in->ndim};
		memcpy(ws.ne, want, sizeof want);
		return ac_err_set(err, AC_ESHAPE, "%s: output %s for input %s, want %s", name,
		                  ml_shape_fmt(out, bo), ml_shape_fmt(in, bi), ml_shape_fmt(&ws, bw));
	}
	if (t->kind == NN_RANDOM_CROP && out->data == in->data)
		return ac_err_set(err, AC_EINVAL, "RandomCrop: output is the input");
	n = in->ne[0];
	c = in->ndim == 4 ? in->ne[1] : 1;
	h = in->ne[in->ndim - 2];
	w = in->ne[in->ndim - 1];
	switch (t->kind) {
	case NN_NORMALIZE:
		normalize(t, ML_F32(out), ML_F32(in), n, c, h * w);
		break;
	case NN_RANDOM_CROP:
		crop(t, ML_F32(out), ML_F32(in), n, c, h, w, r);
		break;
	case NN_RANDOM_HORIZONTAL_FLIP:
		hflip(t, ML_F32(out), ML_F32(in), n, c * h, w, r);
		break;
	}
	return AC_OK;
}
