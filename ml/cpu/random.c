/*
 * Random fills (ops.def family RANDOM): uniform, normal, bernoulli.  The
 * generator is one MlRng (xoshiro256**, ml/random.c) seeded with
 * MlOpParams.seed; the output's elements are drawn in row-major order of
 * its shape on the calling thread, so a seed gives the same tensor on
 * every run, thread count and stride layout:
 *   uniform:   lo + (hi - lo) * u, u = ml_rng_uniform (53 bits), in double,
 *              then rounded to the dtype (a value that rounds up to hi is
 *              replaced by the largest value below hi);
 *   normal:    Box-Muller pairs as ml_tensor_randn: u1 = 1 - uniform,
 *              u2 = uniform, r = sqrt(-2 ln u1), elements 2i and 2i+1 are
 *              mean + std * r cos(2 pi u2) and mean + std * r sin(2 pi u2);
 *   bernoulli: 1 when uniform < probs[i], else 0 (one draw per element).
 * There is no fast path: the twin is the same code.
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

static int
rnd_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
          AcErr *err)
{
	if (op == ML_OP_UNIFORM && !(p->p[0] <= p->p[1] && isfinite(p->p[0]) && isfinite(p->p[1])))
		return ac_err_set(err, AC_EINVAL, "uniform: bounds [%g, %g)", p->p[0], p->p[1]);
	if (op == ML_OP_NORMAL && !(p->p[1] >= 0 && isfinite(p->p[1]) && isfinite(p->p[0])))
		return ac_err_set(err, AC_EINVAL, "normal: mean %g, std %g", p->p[0], p->p[1]);
	*ndim = in[0]->ndim;
	memcpy(ne, in[0]->ne, sizeof(int64_t) * ML_MAX_DIMS);
	return AC_OK;
}

/* Byte offset of row-major element i of t. */
static int64_t
off_of(const MlTensor *t, int64_t i)
{
	int64_t o = 0;

	for (int d = t->ndim - 1; d >= 0; d--) {
		o += (i % t->ne[d]) * t->nb[d];
		i /= t->ne[d];
	}
	return o;
}

static int
rnd_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	int64_t n = ml_tensor_numel(out);
	MlDtype dt = out->dtype;
	MlRng r;

	if (op == ML_OP_BERNOULLI)
		for (int64_t i = 0; i < n; i++) {
			double pr = ml_load_f64(in[0]->dtype, in[0]->data + off_of(in[0], i));
			if (!(pr >= 0 && pr <= 1))
				return ac_err_set(err, AC_EINVAL,
				                  "bernoulli: probs[%lld] = %g is outside [0, 1]",
				                  (long long)i, pr);
		}
	ml_rng_seed(&r, p->seed);
	for (int64_t i = 0; i < n; i++) {
		double v;
		if (op == ML_OP_UNIFORM) {
			double lo = p->p[0], hi = p->p[1];
			v = lo + (hi - lo) * ml_rng_uniform(&r);
			uint8_t tmp[8];
			ml_store_f64(dt, tmp, v);
			if (ml_load_f64(dt, tmp) >= hi && hi > lo) {
				/* rounding reached hi: step down one value of the dtype */
				double w = v;
				do {
					w = nextafter(w, -INFINITY);
					ml_store_f64(dt, tmp, w);
				} while (ml_load_f64(dt, tmp) >= hi);
				v = ml_load_f64(dt, tmp);
			}
		} else if (op == ML_OP_NORMAL) {
			double u1 = 1 - ml_rng_uniform(&r), u2 = ml_rng_uniform(&r);
			double rr = sqrt(-2 * log(u1)), a = 2 * M_PI * u2;
			ml_store_f64(dt, out->data + off_of(out, i), p->p[0] + p->p[1] * rr * cos(a));
			if (++i == n)
				break;
			v = p->p[0] + p->p[1] * rr * sin(a);
		} else {
			double pr = ml_load_f64(in[0]->dtype, in[0]->data + off_of(in[0], i));
			v = ml_rng_uniform(&r) < pr ? 1 : 0;
		}
		ml_store_f64(dt, out->data + off_of(out, i), v);
	}
	return AC_OK;
}

const MlFamily ml_family_RANDOM = {.shape = rnd_shape, .run = rnd_run};
