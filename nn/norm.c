/*
 * Normalisation layers: BatchNorm1d/2d, LayerNorm, RMSNorm, GroupNorm.
 *
 * One engine serves them all: a layer normalises segments of its input,
 * each a set of runs (len elements each, rstride apart) that share one
 * mean and one inverse standard deviation, and scales element j of a run
 * by the affine entry aoff + j / aspan:
 *   LayerNorm, RMSNorm  a row of the normalized_shape: one run, the
 *                       affine entry the position in it;
 *   GroupNorm           the group's channels of one image: one run of
 *                       C/G * spatial elements, the entry the channel;
 *   BatchNorm           one channel across the batch: N runs of spatial
 *                       elements, C * spatial apart, the entry the channel.
 * RMSNorm's segments have mean 0 by definition.
 *
 * The statistics are computed in double by our own loops rather than
 * ml's norm ops, because backward needs them: with xhat = (x - mean) *
 * invstd and ghat = grad_output * weight, a segment of M elements
 * normalised by its own statistics has
 *   grad_input = invstd * (ghat - mean(ghat) - xhat * mean(ghat * xhat))
 * (the mean(ghat) term absent for RMSNorm, whose mean is not subtracted);
 * with fixed statistics (BatchNorm in evaluation mode) grad_input =
 * invstd * ghat. grad_weight += sum(grad_output * xhat), grad_bias +=
 * sum(grad_output) per affine entry.
 *
 * Follows: PyTorch torch.nn.BatchNorm{1,2}d, LayerNorm, RMSNorm, GroupNorm
 * (arguments, defaults, the biased / unbiased variances of BatchNorm);
 * Torch7 THNN BatchNormalization (the backward formula); Ioffe & Szegedy
 * 2015; Ba et al. 2016; Wu & He 2018; Zhang & Sennrich 2019.
 */
#include "nn/nn_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH, LAYER, RMS, GROUP };

typedef struct Norm {
	int kind;
	int ndim;                    /* LAYER, RMS: dimensions of normalized_shape */
	int min_ndim, max_ndim;      /* the input's rank */
	int64_t shape[ML_MAX_DIMS];  /* LAYER, RMS: normalized_shape */
	int64_t c, groups;           /* BATCH, GROUP: channels; GROUP: groups */
	double eps, momentum;        /* eps < 0 (RMS): the dtype's machine epsilon */
	bool affine, track;
	int iw, ib, irm, irv;        /* param[] slots of weight, bias, running_mean, running_var; -1 */
	bool batch_stats;            /* the last forward normalised by the segment's own statistics */
	double *mean, *invstd;       /* per segment, of the last forward */
	int64_t nseg, cap;
} Norm;

/* A segment: runs of len elements rstride apart from base; the affine
 * entry of element j of a run is aoff + j / aspan. */
typedef struct Seg {
	int64_t base, nrun, len, rstride, aoff, aspan;
} Seg;

static void
norm_free(NnModule *m)
{
	Norm *n = m->priv;

	if (n != NULL) {
		free(n->mean);
		free(n->invstd);
	}
	free(n);
}

/* A tensor's elements as f32 or f64, held in locals so that the loops
 * below test the dtype once, not per element. */
typedef struct V {
	float *f;
	double *d;
} V;

static inline V
view(const MlTensor *t)
{
	V v = {NULL, NULL};

	if (t != NULL && t->dtype == ML_F32)
		v.f = ML_F32(t);
	else if (t != NULL)
		v.d = (double *)(void *)t->data;
	return v;
}

static inline double
ld(V v, int64_t i)
{
	return v.f != NULL ? v.f[i] : v.d[i];
}

static inline void
st(V v, int64_t i, double x)
{
	if (v.f != NULL)
		v.f[i] = (float)x;
	else
		v.d[i] = x;
}

static MlTensor *
param(NnModule *m, int slot, bool grad)
{
	return slot < 0 ? NULL : grad ? m->param[slot].grad : m->param[slot].value;
}

/* Segment s of input x, and the count of segments. */
static int64_t
segments(const Norm *n, const MlTensor *x, int64_t s, Seg *g)
{
	int64_t numel = ml_tensor_numel(x), N = x->ndim > 0 ? x->ne[0] : 1;

	memset(g, 0, sizeof *g);
	g->nrun = 1;
	g->aspan = 1;
	switch (n->kind) {
	case BATCH: {
		int64_t sp = numel / (N * n->c > 0 ? N * n->c : 1);
		g->base = s * sp;
		g->nrun = N;
		g->len = sp;
		g->rstride = n->c * sp;
		g->aoff = s;
		g->aspan = sp > 0 ? sp : 1;
		return n->c;
	}
	case GROUP: {
		int64_t cg = n->c / n->groups, sp = numel / (N * n->c > 0 ? N * n->c : 1);
		g->len = cg * sp;
		g->base = s * g->len;
		g->aoff = s % n->groups * cg;
		g->aspan = sp > 0 ? sp : 1;
		return N * n->groups;
	}
	default: {
		int64_t d = 1;
		for (int i = 0; i < n->ndim; i++)
			d *= n->shape[i];
		g->len = d;
		g->base = s * d;
		return numel / d;
	}
	}
}

/* The segment's mean and biased variance (RMS: mean 0, mean of squares). */
static void
seg_stats(const Norm *n, V x, const Seg *g, double *mean, double *var)
{
	double s = 0, ss = 0, cnt = (double)(g->nrun * g->len), mu;

	if (n->kind == RMS) {
		for (int64_t r = 0; r < g->nrun; r++)
			for (int64_t j = 0; j < g->len; j++) {
				double v = ld(x, g->base + r * g->rstride + j);
				ss += v * v;
			}
		*mean = 0;
		*var = ss / cnt;
		return;
	}
	for (int64_t r = 0; r < g->nrun; r++)
		for (int64_t j = 0; j < g->len; j++)
			s += ld(x, g->base + r * g->rstride + j);
	mu = s / cnt;
	/* two passes: the variance of data far from 0 stays exact */
	for (int64_t r = 0; r < g->nrun; r++)
		for (int64_t j = 0; j < g->len; j++) {
			double v = ld(x, g->base + r * g->rstride + j) - mu;
			ss += v * v;
		}
	*mean = mu;
	*var = ss / cnt;
}

static double
eps_of(const Norm *n, MlDtype dt)
{
	if (n->eps >= 0)
		return n->eps;
	return dt == ML_F32 ? FLT_EPSILON : DBL_EPSILON;
}

static int
check(NnModule *m, MlTensor *x, AcErr *err)
{
	Norm *n = m->priv;
	char s[ML_SHAPE_BYTES];
	int rc;

	if ((rc = nn_check_input(m, x, n->min_ndim, n->max_ndim, err)) != AC_OK)
		return rc;
	if (n->kind == LAYER || n->kind == RMS) {
		for (int i = 0; i < n->ndim; i++)
			if (x->ne[x->ndim - n->ndim + i] != n->shape[i])
				return nn_err(m, err, AC_ESHAPE, "input %s does not end in normalized_shape",
				              ml_shape_fmt(x, s));
		return AC_OK;
	}
	if (x->ne[1] != n->c)
		return nn_err(m, err, AC_ESHAPE, "input %s has %lld channels, want %lld", ml_shape_fmt(x, s),
		              (long long)x->ne[1], (long long)n->c);
	return AC_OK;
}

static int
norm_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Norm *n = m->priv;
	MlTensor *x = NULL, *w = param(m, n->iw, false), *b = param(m, n->ib, false);
	MlTensor *rm = param(m, n->irm, false), *rv = param(m, n->irv, false);
	char s[ML_SHAPE_BYTES];
	AcErr e = {0};
	Seg g;
	int rc = check(m, input, err);

	if (rc != AC_OK)
		return rc;
	if ((x = ml_tensor_contiguous(input, &e)) == NULL || nn_ensure_like(&m->output, x, &e) != AC_OK) {
		ml_tensor_unref(x);
		return nn_err(m, err, e.code != AC_OK ? e.code : AC_ENOMEM, "%s", e.msg);
	}
	int64_t nseg = segments(n, x, 0, &g);
	if (nseg > n->cap) {
		double *a = realloc(n->mean, (size_t)nseg * sizeof *a), *c;
		if (a != NULL)
			n->mean = a;
		if (a == NULL || (c = realloc(n->invstd, (size_t)nseg * sizeof *c)) == NULL) {
			ml_tensor_unref(x);
			return nn_err(m, err, AC_ENOMEM, "out of memory for %lld statistics", (long long)nseg);
		}
		n->invstd = c;
		n->cap = nseg;
	}
	n->nseg = nseg;
	n->batch_stats = n->kind != BATCH || m->training || !n->track;
	if (n->kind == BATCH && n->batch_stats && g.nrun * g.len <= 1) {
		ml_tensor_unref(x);
		return nn_err(m, err, AC_ESHAPE,
		              "expected more than 1 value per channel when training, got input %s",
		              ml_shape_fmt(input, s));
	}
	double eps = eps_of(n, x->dtype);
	V vx = view(x), vy = view(m->output), vw = view(w), vb = view(b);
	for (int64_t si = 0; si < nseg; si++) {
		double mean, var;
		segments(n, x, si, &g);
		if (n->batch_stats) {
			seg_stats(n, vx, &g, &mean, &var);
			if (n->kind == BATCH && n->track && m->training) {
				double cnt = (double)(g.nrun * g.len), mo = n->momentum;
				st(view(rm), si, (1 - mo) * ld(view(rm), si) + mo * mean);
				st(view(rv), si, (1 - mo) * ld(view(rv), si) + mo * var * cnt / (cnt - 1));
			}
		} else {
			mean = ld(view(rm), si);
			var = ld(view(rv), si);
		}
		n->mean[si] = mean;
		n->invstd[si] = 1 / sqrt(var + eps);
		for (int64_t r = 0; r < g.nrun; r++)
			for (int64_t j0 = 0, a = g.aoff; j0 < g.len; j0 += g.aspan, a++) {
				/* the elements j0.. share affine entry a */
				double sc = n->invstd[si] * (w != NULL ? ld(vw, a) : 1), sh = b != NULL ? ld(vb, a) : 0;
				int64_t at = g.base + r * g.rstride, j1 = j0 + g.aspan < g.len ? j0 + g.aspan : g.len;
				for (int64_t j = j0; j < j1; j++)
					st(vy, at + j, (ld(vx, at + j) - mean) * sc + sh);
			}
	}
	ml_tensor_unref(x);
	return AC_OK;
}

/* Contiguous copies of input and grad_output, checked against the last
 * forward. */
static int
backward_args(NnModule *m, MlTensor *input, MlTensor *grad_output, MlTensor **x, MlTensor **gy,
              AcErr *err)
{
	Norm *n = m->priv;
	AcErr e = {0};
	Seg g;
	int rc = check(m, input, err);

	*x = *gy = NULL;
	if (rc != AC_OK)
		return rc;
	if (n->mean == NULL || segments(n, input, 0, &g) != n->nseg)
		return nn_err(m, err, AC_EINVAL, "backward before forward");
	if ((*x = ml_tensor_contiguous(input, &e)) == NULL ||
	    (*gy = ml_tensor_contiguous(grad_output, &e)) == NULL) {
		ml_tensor_unref(*x);
		*x = NULL;
		return nn_err(m, err, e.code != AC_OK ? e.code : AC_ENOMEM, "%s", e.msg);
	}
	return AC_OK;
}

static int
norm_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Norm *n = m->priv;
	MlTensor *x, *gy, *w = param(m, n->iw, false);
	AcErr e = {0};
	Seg g;
	int rc = backward_args(m, input, grad_output, &x, &gy, err);

	if (rc != AC_OK)
		return rc;
	if (nn_ensure_like(&m->grad_input, x, &e) != AC_OK) {
		rc = nn_err(m, err, e.code, "%s", e.msg);
		goto done;
	}
	V vx = view(x), vgy = view(gy), vw = view(w), vgx = view(m->grad_input);
	for (int64_t si = 0; si < n->nseg; si++) {
		double mean = n->mean[si], is = n->invstd[si], sg = 0, sgx = 0, cnt;
		segments(n, x, si, &g);
		cnt = (double)(g.nrun * g.len);
		if (n->batch_stats)
			for (int64_t r = 0; r < g.nrun; r++)
				for (int64_t j0 = 0, a = g.aoff; j0 < g.len; j0 += g.aspan, a++) {
					double wa = w != NULL ? ld(vw, a) : 1, s = 0, sx = 0;
					int64_t at = g.base + r * g.rstride, j1 = j0 + g.aspan < g.len ? j0 + g.aspan : g.len;
					for (int64_t j = j0; j < j1; j++) {
						double gv = ld(vgy, at + j);
						s += gv;
						sx += gv * (ld(vx, at + j) - mean);
					}
					sg += wa * s;
					sgx += wa * sx * is;
				}
		double mg = n->kind == RMS ? 0 : sg / cnt, mgx = sgx / cnt;
		if (!n->batch_stats)
			mg = mgx = 0;  /* fixed statistics: only the affine map */
		for (int64_t r = 0; r < g.nrun; r++)
			for (int64_t j0 = 0, a = g.aoff; j0 < g.len; j0 += g.aspan, a++) {
				double wa = w != NULL ? ld(vw, a) : 1;
				int64_t at = g.base + r * g.rstride, j1 = j0 + g.aspan < g.len ? j0 + g.aspan : g.len;
				for (int64_t j = j0; j < j1; j++) {
					double xh = (ld(vx, at + j) - mean) * is;
					st(vgx, at + j, is * (ld(vgy, at + j) * wa - mg - xh * mgx));
				}
			}
	}
done:
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static int
norm_acc_grad(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Norm *n = m->priv;
	MlTensor *x, *gy, *dw = param(m, n->iw, true), *db = param(m, n->ib, true);
	Seg g;
	int rc;

	if (dw == NULL && db == NULL)
		return AC_OK;
	if ((rc = backward_args(m, input, grad_output, &x, &gy, err)) != AC_OK)
		return rc;
	/* accumulated in double, then added once: a BatchNorm channel sums a
	 * whole batch */
	int64_t na = ml_tensor_numel(dw != NULL ? dw : db);
	double *acc = calloc((size_t)(2 * na), sizeof *acc);
	if (acc == NULL) {
		rc = nn_err(m, err, AC_ENOMEM, "out of memory");
		goto done;
	}
	V vx = view(x), vgy = view(gy);
	for (int64_t si = 0; si < n->nseg; si++) {
		double mean = n->mean[si], is = n->invstd[si];
		segments(n, x, si, &g);
		for (int64_t r = 0; r < g.nrun; r++)
			for (int64_t j0 = 0, a = g.aoff; j0 < g.len; j0 += g.aspan, a++) {
				double s = 0, sx = 0;
				int64_t at = g.base + r * g.rstride, j1 = j0 + g.aspan < g.len ? j0 + g.aspan : g.len;
				for (int64_t j = j0; j < j1; j++) {
					double gv = ld(vgy, at + j);
					s += gv;
					sx += gv * (ld(vx, at + j) - mean);
				}
				acc[a] += sx * is;
				acc[na + a] += s;
			}
	}
	for (int64_t a = 0; a < na; a++) {
		if (dw != NULL)
			st(view(dw), a, ld(view(dw), a) + scale * acc[a]);
		if (db != NULL)
			st(view(db), a, ld(view(db), a) + scale * acc[na + a]);
	}
	free(acc);
done:
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static NnModule *bn1d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *bn2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *ln_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *rms_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *gn_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_batch_norm1d_class = {"BatchNorm1d", norm_output, norm_grad_input, norm_acc_grad,
                                   norm_free, bn1d_create};
const NnClass nn_batch_norm2d_class = {"BatchNorm2d", norm_output, norm_grad_input, norm_acc_grad,
                                   norm_free, bn2d_create};
const NnClass nn_layer_norm_class = {"LayerNorm", norm_output, norm_grad_input, norm_acc_grad,
                                 norm_free, ln_create};
const NnClass nn_rms_norm_class = {"RMSNorm", norm_output, norm_grad_input, norm_acc_grad,
                                  norm_free, rms_create};
const NnClass nn_group_norm_class = {"GroupNorm", norm_output, norm_grad_input, norm_acc_grad,
                                 norm_free, gn_create};

/* Registers an f32 parameter or buffer of shape ne filled with v; its
 * slot in *slot. */
static int
add(NnModule *m, const char *name, int ndim, const int64_t *ne, double v, bool grad, int *slot,
    AcErr *err)
{
	MlTensor *t = ml_tensor_empty(ML_F32, ndim, ne, err);

	if (t != NULL)
		ml_fill(t, v, NULL);
	*slot = m->nparams;
	return nn_param_add(m, name, t, grad, err);
}

static NnModule *
norm_new(const NnClass *cls, int kind, int ndim, const int64_t *shape, int64_t groups, double eps,
         double momentum, bool affine, bool track, AcErr *err)
{
	NnModule *m;
	Norm *n;
	int64_t ne[ML_MAX_DIMS];

	if (ndim < 1 || ndim > NN_HPARAM_INTS || shape == NULL) {
		ac_err_set(err, AC_EINVAL, "%s: normalized_shape of %d dimensions, want 1 to %d", cls->type,
		           ndim, NN_HPARAM_INTS);
		return NULL;
	}
	for (int i = 0; i < ndim; i++)
		if (shape[i] < 1) {
			ac_err_set(err, AC_EINVAL, "%s: size %lld below 1", cls->type, (long long)shape[i]);
			return NULL;
		}
	if ((kind == RMS ? isnan(eps) : !(eps >= 0)) || !(momentum >= 0 && momentum <= 1)) {
		ac_err_set(err, AC_EINVAL, "%s: eps %g, momentum %g out of range", cls->type, eps, momentum);
		return NULL;
	}
	if (kind == GROUP && (groups < 1 || shape[0] % groups != 0)) {
		ac_err_set(err, AC_EINVAL, "%s: num_groups %lld does not divide num_channels %lld", cls->type,
		           (long long)groups, (long long)shape[0]);
		return NULL;
	}
	if ((m = nn_module_new(cls, sizeof(Norm), err)) == NULL)
		return NULL;
	n = m->priv;
	*n = (Norm){.kind = kind, .ndim = ndim, .min_ndim = ndim, .max_ndim = ML_MAX_DIMS,
	            .c = shape[0], .groups = groups, .eps = eps,
	            .momentum = momentum, .affine = affine, .track = track, .iw = -1, .ib = -1,
	            .irm = -1, .irv = -1};
	memcpy(n->shape, shape, (size_t)ndim * sizeof *shape);
	if (kind == BATCH || kind == GROUP)
		n->min_ndim = 2;
	if (kind == BATCH)
		n->max_ndim = cls == &nn_batch_norm1d_class ? 3 : 4;
	if (cls == &nn_batch_norm2d_class)
		n->min_ndim = 4;
	memcpy(ne, shape, (size_t)ndim * sizeof *shape);
	if (affine && add(m, "weight", ndim, ne, 1, true, &n->iw, err) != AC_OK)
		goto fail;
	if (affine && kind != RMS && add(m, "bias", ndim, ne, 0, true, &n->ib, err) != AC_OK)
		goto fail;
	if (kind == BATCH && track &&
	    (add(m, "running_mean", 1, ne, 0, false, &n->irm, err) != AC_OK ||
	     add(m, "running_var", 1, ne, 1, false, &n->irv, err) != AC_OK))
		goto fail;

	switch (kind) {
	case BATCH:
		nn_hparam_int(m, "num_features", shape[0]);
		nn_hparam_real(m, "eps", eps);
		nn_hparam_real(m, "momentum", momentum);
		nn_hparam_int(m, "affine", affine);
		nn_hparam_int(m, "track_running_stats", track);
		break;
	case GROUP:
		nn_hparam_int(m, "num_groups", groups);
		nn_hparam_int(m, "num_channels", shape[0]);
		nn_hparam_real(m, "eps", eps);
		nn_hparam_int(m, "affine", affine);
		break;
	default:
		nn_hparam_ints(m, "normalized_shape", ndim, shape);
		nn_hparam_real(m, "eps", eps);
		nn_hparam_int(m, "elementwise_affine", affine);
	}
	return m;
fail:
	nn_free(m);
	return NULL;
}

static NnModule *
bn_create(const NnClass *cls, const NnHparams *hp, AcErr *err)
{
	int64_t c = nn_hparam_geti(hp, "num_features", 0);

	return norm_new(cls, BATCH, 1, &c, 0, nn_hparam_getf(hp, "eps", 1e-5),
	                nn_hparam_getf(hp, "momentum", 0.1), nn_hparam_geti(hp, "affine", 1) != 0,
	                nn_hparam_geti(hp, "track_running_stats", 1) != 0, err);
}

static NnModule *
bn1d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return bn_create(&nn_batch_norm1d_class, hp, err);
}

static NnModule *
bn2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return bn_create(&nn_batch_norm2d_class, hp, err);
}

static NnModule *
row_create(const NnClass *cls, int kind, const NnHparams *hp, AcErr *err)
{
	const NnHparam *ns = nn_hparam_get(hp, "normalized_shape");

	if (ns == NULL) {
		ac_err_set(err, AC_EINVAL, "%s: no normalized_shape", cls->type);
		return NULL;
	}
	return norm_new(cls, kind, ns->n, ns->i, 0, nn_hparam_getf(hp, "eps", kind == RMS ? -1 : 1e-5), 0,
	                nn_hparam_geti(hp, "elementwise_affine", 1) != 0, false, err);
}

static NnModule *
ln_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return row_create(&nn_layer_norm_class, LAYER, hp, err);
}

static NnModule *
rms_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return row_create(&nn_rms_norm_class, RMS, hp, err);
}

static NnModule *
gn_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	int64_t c = nn_hparam_geti(hp, "num_channels", 0);

	(void)seed;
	return norm_new(&nn_group_norm_class, GROUP, 1, &c, nn_hparam_geti(hp, "num_groups", 0),
	                nn_hparam_getf(hp, "eps", 1e-5), 0, nn_hparam_geti(hp, "affine", 1) != 0, false,
	                err);
}

NnModule *
nn_batch_norm1d(int64_t num_features, double eps, double momentum, bool affine,
                bool track_running_stats, AcErr *err)
{
	return norm_new(&nn_batch_norm1d_class, BATCH, 1, &num_features, 0, eps, momentum, affine,
	                track_running_stats, err);
}

NnModule *
nn_batch_norm2d(int64_t num_features, double eps, double momentum, bool affine,
                bool track_running_stats, AcErr *err)
{
	return norm_new(&nn_batch_norm2d_class, BATCH, 1, &num_features, 0, eps, momentum, affine,
	                track_running_stats, err);
}

NnModule *
nn_layer_norm(int ndim, const int64_t *normalized_shape, double eps, bool elementwise_affine,
              AcErr *err)
{
	return norm_new(&nn_layer_norm_class, LAYER, ndim, normalized_shape, 0, eps, 0, elementwise_affine, false,
	                err);
}

NnModule *
nn_rms_norm(int ndim, const int64_t *normalized_shape, double eps, bool elementwise_affine,
            AcErr *err)
{
	return norm_new(&nn_rms_norm_class, RMS, ndim, normalized_shape, 0, eps, 0, elementwise_affine, false,
	                err);
}

NnModule *
nn_group_norm(int64_t num_groups, int64_t num_channels, double eps, bool affine, AcErr *err)
{
	return norm_new(&nn_group_norm_class, GROUP, 1, &num_channels, num_groups, eps, 0, affine, false, err);
}
