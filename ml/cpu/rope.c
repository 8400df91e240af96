/*
 * Rotary position embedding (ops.def family ROPE), Su et al. 2021
 * (RoFormer): x [.., T, H, D], the layout of llama's xq/xk before the
 * head transpose and ggml's rope input (ne [D, H, T, ..] innermost
 * first).  The first n_dims of each head vector turn pairwise by
 * pos * base^(-2i / n_dims), i < n_dims / 2; the rest pass through:
 *   mode 0 pairs (x[2i], x[2i+1]): GPT-J, Meta's llama (apply_rotary_emb
 *     on complex pairs), ggml GGML_ROPE_TYPE_NORM;
 *   mode 2 halves (x[i], x[i + n_dims/2]): GPT-NeoX, Hugging Face's
 *     llama (rotate_half), ggml GGML_ROPE_TYPE_NEOX.
 * (y0, y1) = (x0 cos - x1 sin, x0 sin + x1 cos).  The gradient is the
 * same rotation by the negated positions.  The angles are computed in
 * double (theta = pos * base^(-2i/n_dims), then cos and sin), as
 * torch.polar on float64 frequencies would; the fast path rotates f32 in
 * f32 with the angles' cos/sin rounded to f32, the twin in double.
 */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
rope_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
           AcErr *err)
{
	const MlTensor *x = in[0], *pos = in[1];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	int64_t d, nd;

	if (x->ndim < 3)
		return ac_err_set(err, AC_ESHAPE, "rope: x %s, want [.., T, H, D]", ml_shape_fmt(x, s0));
	d = x->ne[x->ndim - 1];
	nd = p->k != 0 ? p->k : d;
	if (nd <= 0 || nd > d || nd % 2 != 0)
		return ac_err_set(err, AC_EINVAL, "rope: n_dims %" PRId64 " of head size %" PRId64
		                  ", want even and at most the head size", nd, d);
	if (p->mode != 0 && p->mode != 2)
		return ac_err_set(err, AC_EINVAL, "rope: mode %d, want 0 (pairs) or 2 (halves)", p->mode);
	if (pos != NULL) {
		if (pos->dtype != ML_I64 && pos->dtype != ML_I32)
			return ac_err_set(err, AC_EDTYPE, "rope: pos is %s, want i64 or i32",
			                  ml_dtype_name(pos->dtype));
		if (pos->ndim != 1 || pos->ne[0] != x->ne[x->ndim - 3])
			return ac_err_set(err, AC_ESHAPE, "rope: pos %s, want [T] of x %s",
			                  ml_shape_fmt(pos, s1), ml_shape_fmt(x, s0));
	}
	if (!(p->p[0] >= 0) || !isfinite(p->p[0]))
		return ac_err_set(err, AC_EINVAL, "rope: base %g", p->p[0]);
	*ndim = x->ndim;
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	return AC_OK;
}

static int
rope_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlTensor *x = ml_tensor_contiguous(in[0], err), *y = out, *yc = NULL;
	int64_t d, nd, half, t, rows, hd;
	double base = p->p[0] != 0 ? p->p[0] : 10000;
	double *cs = NULL;
	int rc = AC_OK;

	if (x == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	d = x->ne[x->ndim - 1];
	nd = p->k != 0 ? p->k : d;
	half = nd / 2;
	t = x->ne[x->ndim - 3];
	hd = x->ne[x->ndim - 2] * d;
	rows = ml_tensor_numel(x) / (hd > 0 ? hd : 1);
	if (!ml_tensor_is_contiguous(out)) {
		if ((yc = ml_tensor_empty(out->dtype, out->ndim, out->ne, err)) == NULL) {
			rc = AC_ENOMEM;
			goto done;
		}
		y = yc;
	}
	/* cos and sin of every (t, i) */
	cs = ac_malloc(sizeof *cs * 2 * (size_t)(t * half + 1), "rope angles", err);
	if (cs == NULL) {
		rc = AC_ENOMEM;
		goto done;
	}
	for (int64_t k = 0; k < t; k++) {
		double ps = in[1] != NULL ? (double)ml_load_i64(in[1]->dtype, in[1]->data + k * in[1]->nb[0])
		                          : p->p[1] + (double)k;
		for (int64_t i = 0; i < half; i++) {
			double th = ps * pow(base, -2.0 * (double)i / (double)nd);
			cs[2 * (k * half + i)] = cos(th);
			cs[2 * (k * half + i) + 1] = sin(th);
		}
	}
	int64_t es = ml_dtype_bytes(x->dtype), nh = x->ne[x->ndim - 2];
	for (int64_t r = 0; r < rows; r++) {
		const double *c0 = cs + 2 * ((r % t) * half);
		for (int64_t h = 0; h < nh; h++) {
			int64_t off = (r * hd + h * d);
			if (!ref && x->dtype == ML_F32) {
				const float *xs = (const float *)(const void *)x->data + off;
				float *ys = (float *)(void *)y->data + off;
				for (int64_t i = 0; i < half; i++) {
					int64_t a = p->mode == 2 ? i : 2 * i, b = p->mode == 2 ? i + half : 2 * i + 1;
					float c = (float)c0[2 * i], s = (float)c0[2 * i + 1], x0 = xs[a], x1 = xs[b];
					ys[a] = x0 * c - x1 * s;
					ys[b] = x0 * s + x1 * c;
				}
				for (int64_t i = nd; i < d; i++)
					ys[i] = xs[i];
				continue;
			}
			const uint8_t *xs = x->data + off * es;
			uint8_t *ys = y->data + off * es;
			for (int64_t i = 0; i < half; i++) {
				int64_t a = p->mode == 2 ? i : 2 * i, b = p->mode == 2 ? i + half : 2 * i + 1;
				double c = c0[2 * i], s = c0[2 * i + 1];
				double x0 = ml_load_f64(x->dtype, xs + a * es), x1 = ml_load_f64(x->dtype, xs + b * es);
				ml_store_f64(y->dtype, ys + a * es, x0 * c - x1 * s);
				ml_store_f64(y->dtype, ys + b * es, x0 * s + x1 * c);
			}
			for (int64_t i = nd; i < d; i++)
				ml_store_f64(y->dtype, ys + i * es, ml_load_f64(x->dtype, xs + i * es));
		}
	}
	if (yc != NULL)
		rc = ml_copy(out, yc, err);
done:
	free(cs);
	ml_tensor_unref(yc);
	ml_tensor_unref(x);
	return rc;
}

const MlFamily ml_family_ROPE = {
	.shape = rope_shape, .run = rope_run, .optional = 0x2, .mixed = true, .dtype_input = 0,
};
