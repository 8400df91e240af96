/*
 * Scaled dot-product attention (ops.def family ATTENTION), fused: for each
 * query row, the scores q . k_j * scale + mask, a softmax over the keys
 * (from the row maximum), and the weighted sum of the value rows; no
 * [Tq, Tk] matrix is kept.  causal masks key j > i + Tk - Tq, aligned to
 * the bottom right (flash-attention 2.1's convention, the one a KV cache
 * needs; torch.nn.functional.scaled_dot_product_attention's is_causal
 * aligns to the top left, the same when Tq == Tk).  A row whose keys are
 * all masked gives NaN, as PyTorch's softmax of all -inf does.  The fast
 * path works in f32 on f32 operands (dot products and sums in f32, the
 * softmax's exp in f32); the scalar twin in double.
 * Follows: Vaswani et al. 2017 (eq. 1); PyTorch 2.x
 * scaled_dot_product_attention's math reference.
 */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
at_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	const MlTensor *q = in[0], *k = in[1], *v = in[2], *m = in[3];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES], s2[ML_SHAPE_BYTES];
	int nd = q->ndim;
	bool ok = nd >= 2 && k->ndim == nd && v->ndim == nd;

	for (int i = 0; ok && i < nd - 2; i++)
		ok = k->ne[i] == q->ne[i] && v->ne[i] == q->ne[i];
	if (ok)
		ok = k->ne[nd - 1] == q->ne[nd - 1] && v->ne[nd - 2] == k->ne[nd - 2];
	if (!ok)
		return ac_err_set(err, AC_ESHAPE,
		                  "scaled_dot_product_attention: q %s, k %s, v %s do not agree "
		                  "(want [.., Tq, D], [.., Tk, D], [.., Tk, Dv])",
		                  ml_shape_fmt(q, s0), ml_shape_fmt(k, s1), ml_shape_fmt(v, s2));
	if (k->dtype != q->dtype || v->dtype != q->dtype)
		return ac_err_set(err, AC_EDTYPE, "scaled_dot_product_attention: q %s, k %s, v %s",
		                  ml_dtype_name(q->dtype), ml_dtype_name(k->dtype),
		                  ml_dtype_name(v->dtype));
	memcpy(ne, q->ne, sizeof(int64_t) * ML_MAX_DIMS);
	ne[nd - 1] = v->ne[nd - 1];
	*ndim = nd;
	if (m != NULL) {
		MlTensor s = {.ndim = nd};
		memcpy(s.ne, q->ne, sizeof s.ne);
		s.ne[nd - 1] = k->ne[nd - 2];
		if (m->dtype != ML_BOOL && m->dtype != q->dtype)
			return ac_err_set(err, AC_EDTYPE,
			                  "scaled_dot_product_attention: mask is %s, want bool or %s",
			                  ml_dtype_name(m->dtype), ml_dtype_name(q->dtype));
		bool b = m->ndim <= nd;
		for (int i = 0; b && i < m->ndim; i++) {
			int64_t me = m->ne[m->ndim - 1 - i], se = s.ne[nd - 1 - i];
			b = me == se || me == 1;
		}
		if (!b)
			return ac_err_set(err, AC_ESHAPE,
			                  "scaled_dot_product_attention: mask %s does not broadcast to %s",
			                  ml_shape_fmt(m, s0), ml_shape_fmt(&s, s1));
	}
	if (!isfinite(p->scale))
		return ac_err_set(err, AC_EINVAL, "scaled_dot_product_attention: scale %g", p->scale);
	return AC_OK;
}

/* Byte offset of batch index b (over the leading nd - 2 dimensions) in t
 * whose strides are st. */
static int64_t
boff(int64_t b, int nd, const int64_t *ne, const int64_t *st)
{
	int64_t o = 0;

	for (int i = nd - 3; i >= 0; i--) {
		o += (b % ne[i]) * st[i];
		b /= ne[i];
	}
	return o;
}

static int
at_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	const MlTensor *q = in[0], *k = in[1], *v = in[2], *m = in[3];
	int nd = q->ndim;
	int64_t tq = q->ne[nd - 2], tk = k->ne[nd - 2], d = q->ne[nd - 1], dv = v->ne[nd - 1];
	int64_t batch = 1, mst[ML_MAX_DIMS] = {0}, sne[ML_MAX_DIMS];
	double scale = p->scale != 0 ? p->scale : 1 / sqrt((double)(d > 0 ? d : 1));
	double *s = NULL, *acc;
	MlDtype dt = q->dtype;

	for (int i = 0; i < nd - 2; i++)
		batch *= q->ne[i];
	memcpy(sne, q->ne, sizeof sne);
	sne[nd - 1] = tk;
	if (m != NULL)
		ml_broadcast_strides(m, nd, sne, mst);
	s = ac_malloc(sizeof *s * (size_t)(tk + dv + 1), "attention row", err);
	if (s == NULL)
		return AC_ENOMEM;
	acc = s + tk;
	for (int64_t b = 0; b < batch; b++) {
		const uint8_t *qb = q->data + boff(b, nd, q->ne, q->nb);
		const uint8_t *kb = k->data + boff(b, nd, k->ne, k->nb);
		const uint8_t *vb = v->data + boff(b, nd, v->ne, v->nb);
		const uint8_t *mb = m != NULL ? m->data + boff(b, nd, sne, mst) : NULL;
		uint8_t *ob = out->data + boff(b, nd, out->ne, out->nb);
		bool f32 = !ref && dt == ML_F32 && q->nb[nd - 1] == 4 && k->nb[nd - 1] == 4 &&
		           v->nb[nd - 1] == 4;
		for (int64_t i = 0; i < tq; i++) {
			const uint8_t *qi = qb + i * q->nb[nd - 2];
			double mx = -INFINITY, sum = 0;
			for (int64_t j = 0; j < tk; j++) {
				const uint8_t *kj = kb + j * k->nb[nd - 2];
				double dot = 0;
				if (p->causal && j > i + tk - tq) {
					s[j] = -INFINITY;
					continue;
				}
				if (f32) {
					const float *a = (const float *)(const void *)qi, *c = (const float *)(const void *)kj;
					float fd = 0;
					for (int64_t e = 0; e < d; e++)
						fd += a[e] * c[e];
					dot = fd;
				} else {
					for (int64_t e = 0; e < d; e++)
						dot += ml_load_f64(dt, qi + e * q->nb[nd - 1]) *
						       ml_load_f64(dt, kj + e * k->nb[nd - 1]);
				}
				dot *= scale;
				if (mb != NULL) {
					const uint8_t *mp = mb + i * mst[nd - 2] + j * mst[nd - 1];
					if (m->dtype == ML_BOOL)
						dot = *mp ? dot : -INFINITY;
					else
						dot += ml_load_f64(dt, mp);
				}
				s[j] = dot;
			}
			for (int64_t j = 0; j < tk; j++)
				mx = s[j] > mx || s[j] != s[j] ? s[j] : mx;
			for (int64_t j = 0; j < tk; j++) {
				s[j] = f32 ? (double)expf((float)(s[j] - mx)) : exp(s[j] - mx);
				sum += s[j];
			}
			for (int64_t e = 0; e < dv; e++)
				acc[e] = 0;
			for (int64_t j = 0; j < tk; j++) {
				const uint8_t *vj = vb + j * v->nb[nd - 2];
				double w = s[j] / sum;
				if (w == 0)
					continue;
				if (f32) {
					const float *c = (const float *)(const void *)vj;
					for (int64_t e = 0; e < dv; e++)
						acc[e] += (float)w * c[e];
				} else {
					for (int64_t e = 0; e < dv; e++)
						acc[e] += w * ml_load_f64(dt, vj + e * v->nb[nd - 1]);
				}
			}
			if (tk == 0 || !(sum > 0))
				for (int64_t e = 0; e < dv; e++)
					acc[e] = NAN;
			uint8_t *oi = ob + i * out->nb[nd - 2];
			for (int64_t e = 0; e < dv; e++)
				ml_store_f64(dt, oi + e * out->nb[nd - 1], acc[e]);
		}
	}
	free(s);
	return AC_OK;
}

const MlFamily ml_family_ATTENTION = {
	.shape = at_shape, .run = at_run, .optional = 0x8, .mixed = true, .dtype_input = 0,
};
