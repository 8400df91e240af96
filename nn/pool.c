/*
 * Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d, one
 * implementation over 1 or 2 spatial dimensions (a 1-d layer is a 2-d one
 * of height 1 inside).
 *
 * MaxPool's forward is ml's max_pool_indices, the values then gathered
 * from the input at those indices, and the indices kept: backward adds
 * each grad_output element to the input element it came from (THNN's
 * SpatialDilatedMaxPooling). AvgPool and AdaptiveAvgPool run ml's ops;
 * backward spreads each grad_output element evenly over its window with
 * the forward's divisor, which factors per dimension: the window's taps
 * inside the input, or inside the padded input for count_include_pad
 * (PyTorch's avg_pool2d), or the adaptive window [floor(i*m/n),
 * ceil((i+1)*m/n)).
 *
 * Follows: PyTorch torch.nn.MaxPool{1,2}d, AvgPool{1,2}d,
 * AdaptiveAvgPool2d; Torch7 THNN SpatialDilatedMaxPooling,
 * SpatialAveragePooling.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX, AVG, ADAPTIVE };

typedef struct Pool {
	int kind;
	int nsp;                         /* spatial dimensions as the user sees them, 1 or 2 */
	/* per spatial dimension, height first; a 1-d layer has height 1 */
	int64_t k[2], s[2], p[2], d[2];  /* ADAPTIVE: k is the output size */
	bool ceil_mode, count_include_pad;
	MlTensor *indices;               /* MAX: the argmax of the last forward, i64 */
} Pool;

static void
pool_free(NnModule *m)
{
	Pool *pl = m->priv;

	if (pl != NULL)
		ml_tensor_unref(pl->indices);
	free(pl);
}

static void
pool_params(const Pool *pl, MlOpParams *p)
{
	memset(p, 0, sizeof *p);
	for (int j = 0; j < pl->nsp; j++) {
		int i = j + 2 - pl->nsp;
		p->kernel[j] = pl->k[i];
		p->stride[j] = pl->s[i];
		p->dilation[j] = pl->d[i];
		p->pad[j] = p->pad[pl->nsp + j] = pl->p[i];
	}
	p->ceil_mode = pl->ceil_mode;
	p->count_include_pad = pl->count_include_pad;
}

static int
run_op(NnModule *m, MlOp op, MlTensor **slot, MlTensor *x, const MlOpParams *p, AcErr *err)
{
	AcErr e = {0};
	int64_t ne[ML_MAX_DIMS];
	int nd;

	if (ml_op_shape(op, &x, p, &nd, ne, &e) != AC_OK ||
	    nn_ensure(slot, ml_op_dtype(op, &x, p), nd, ne, &e) != AC_OK ||
	    ml_op_into(op, *slot, &x, p, &e) != AC_OK)
		return nn_err(m, err, e.code, "%s", e.msg);
	return AC_OK;
}

static int
pool_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Pool *pl = m->priv;
	MlOpParams p;
	MlTensor *x = NULL;
	AcErr e = {0};
	int rc = nn_check_input(m, input, pl->nsp + 2, pl->nsp + 2, err);

	if (rc != AC_OK)
		return rc;
	pool_params(pl, &p);
	if (pl->kind != MAX)
		return run_op(m, pl->kind == AVG ? ML_OP_AVG_POOL : ML_OP_ADAPTIVE_AVG_POOL, &m->output, input,
		              &p, err);
	if ((rc = run_op(m, ML_OP_MAX_POOL_INDICES, &pl->indices, input, &p, err)) != AC_OK)
		return rc;
	if ((x = ml_tensor_contiguous(input, &e)) == NULL ||
	    nn_ensure(&m->output, input->dtype, input->ndim, pl->indices->ne, &e) != AC_OK) {
		ml_tensor_unref(x);
		return nn_err(m, err, e.code != AC_OK ? e.code : AC_ENOMEM, "%s", e.msg);
	}
	int64_t planes = x->ne[0] * x->ne[1], isz = ml_tensor_numel(x) / (planes > 0 ? planes : 1);
	int64_t osz = ml_tensor_numel(pl->indices) / (planes > 0 ? planes : 1);
	const int64_t *idx = (const int64_t *)(const void *)pl->indices->data;
	bool f32 = x->dtype == ML_F32;
	for (int64_t pi = 0; pi < planes; pi++)
		for (int64_t q = 0; q < osz; q++) {
			int64_t at = idx[pi * osz + q];
			/* padding at most half the kernel leaves every window an input tap */
			if (f32)
				ML_F32(m->output)[pi * osz + q] = at >= 0 ? ML_F32(x)[pi * isz + at] : -INFINITY;
			else
				((double *)(void *)m->output->data)[pi * osz + q] =
					at >= 0 ? ((double *)(void *)x->data)[pi * isz + at] : -INFINITY;
		}
	ml_tensor_unref(x);
	return AC_OK;
}

/* The window of output o along one dimension of input extent n: taps
 * [*lo, *hi) inside the input (stride-1 windows: dilation is MaxPool's
 * only) and the divisor factor. */
static void
window(const Pool *pl, int i, int64_t o, int64_t n, int64_t nout, int64_t *lo, int64_t *hi,
       int64_t *div)
{
	if (pl->kind == ADAPTIVE) {
		*lo = o * n / nout;
		*hi = ((o + 1) * n + nout - 1) / nout;
		*div = *hi - *lo;
		return;
	}
	int64_t a = o * pl->s[i] - pl->p[i], b = a + pl->k[i];
	int64_t bp = b < n + pl->p[i] ? b : n + pl->p[i];  /* inside the padded input */
	*lo = a > 0 ? a : 0;
	*hi = b < n ? b : n;
	*div = pl->count_include_pad ? bp - a : *hi - *lo;
}

static int
pool_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Pool *pl = m->priv;
	MlTensor *gy = NULL;
	AcErr e = {0};
	int rc = nn_check_input(m, input, pl->nsp + 2, pl->nsp + 2, err);

	if (rc != AC_OK)
		return rc;
	if (pl->kind == MAX && (pl->indices == NULL || !ml_same_shape(pl->indices, grad_output)))
		return nn_err(m, err, AC_EINVAL, "backward before forward");
	if (nn_ensure_like(&m->grad_input, input, &e) != AC_OK ||
	    (gy = ml_tensor_contiguous(grad_output, &e)) == NULL)
		return nn_err(m, err, e.code != AC_OK ? e.code : AC_ENOMEM, "%s", e.msg);
	ml_fill(m->grad_input, 0, NULL);

	int64_t in[2] = {1, 1}, out[2] = {1, 1};
	for (int j = 0; j < pl->nsp; j++) {
		in[j + 2 - pl->nsp] = input->ne[2 + j];
		out[j + 2 - pl->nsp] = gy->ne[2 + j];
	}
	int64_t planes = input->ne[0] * input->ne[1], isz = in[0] * in[1], osz = out[0] * out[1];
	bool f32 = input->dtype == ML_F32;
	float *gx32 = ML_F32(m->grad_input), *gy32 = ML_F32(gy);
	double *gx64 = (double *)(void *)m->grad_input->data, *gy64 = (double *)(void *)gy->data;

	if (pl->kind == MAX) {
		const int64_t *idx = (const int64_t *)(const void *)pl->indices->data;
		for (int64_t pi = 0; pi < planes; pi++)
			for (int64_t q = 0; q < osz; q++) {
				int64_t at = idx[pi * osz + q];
				if (at < 0)
					continue;
				if (f32)
					gx32[pi * isz + at] += gy32[pi * osz + q];
				else
					gx64[pi * isz + at] += gy64[pi * osz + q];
			}
		ml_tensor_unref(gy);
		return AC_OK;
	}
	for (int64_t oh = 0; oh < out[0]; oh++) {
		int64_t h0, h1, dh;
		window(pl, 0, oh, in[0], out[0], &h0, &h1, &dh);
		for (int64_t ow = 0; ow < out[1]; ow++) {
			int64_t w0, w1, dw;
			window(pl, 1, ow, in[1], out[1], &w0, &w1, &dw);
			if (dh * dw <= 0)
				continue;
			double inv = 1.0 / (double)(dh * dw);
			for (int64_t pi = 0; pi < planes; pi++) {
				int64_t q = pi * osz + oh * out[1] + ow;
				double g = (f32 ? gy32[q] : gy64[q]) * inv;
				for (int64_t h = h0; h < h1; h++)
					for (int64_t w = w0; w < w1; w++) {
						int64_t at = pi * isz + h * in[1] + w;
						if (f32)
							gx32[at] += (float)g;
						else
							gx64[at] += g;
					}
			}
		}
	}
	ml_tensor_unref(gy);
	return AC_OK;
}

static NnModule *max1d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *max2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *avg1d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *avg2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *adaptive2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_max_pool1d_class = {"MaxPool1d", pool_output, pool_grad_input, NULL, pool_free,
                                    max1d_create};
const NnClass nn_max_pool2d_class = {"MaxPool2d", pool_output, pool_grad_input, NULL, pool_free,
                                    max2d_create};
const NnClass nn_avg_pool1d_class = {"AvgPool1d", pool_output, pool_grad_input, NULL, pool_free,
                                    avg1d_create};
const NnClass nn_avg_pool2d_class = {"AvgPool2d", pool_output, pool_grad_input, NULL, pool_free,
                                    avg2d_create};
const NnClass nn_adaptive_avg_pool2d_class = {"AdaptiveAvgPool2d", pool_output, pool_grad_input, NULL,
                                         pool_free, adaptive2d_create};

/* v's nsp entries (height first) into out[2], def for a NULL v or a 0
 * stride (1-d: stride 0 is None); a 1-d layer's height is one row. */
static void
dims(int nsp, const int64_t *v, int64_t def, int64_t out[2])
{
	for (int i = 0; i < 2; i++)
		out[i] = v != NULL ? v[nsp == 1 ? 0 : i] : def;
	if (nsp == 1)
		out[0] = def == 0 ? 0 : 1;
}

static NnModule *
pool_new(int kind, int nsp, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
         const int64_t *dilation, bool ceil_mode, bool count_include_pad, AcErr *err)
{
	const NnClass *cls = kind == ADAPTIVE ? &nn_adaptive_avg_pool2d_class
	                     : kind == MAX    ? (nsp == 1 ? &nn_max_pool1d_class : &nn_max_pool2d_class)
	                                      : (nsp == 1 ? &nn_avg_pool1d_class : &nn_avg_pool2d_class);
	int64_t k[2], s[2], p[2], d[2];
	NnModule *m;
	Pool *pl;

	if (kernel == NULL) {
		ac_err_set(err, AC_EINVAL, "%s: no %s", cls->type,
		           kind == ADAPTIVE ? "output_size" : "kernel_size");
		return NULL;
	}
	dims(nsp, kernel, 1, k);
	dims(nsp, stride, 1, s);
	dims(nsp, padding, 0, p);
	dims(nsp, dilation, 1, d);
	for (int i = 0; i < 2; i++) {
		if (stride == NULL || s[i] == 0)
			s[i] = k[i];  /* PyTorch's stride=None */
		if (k[i] < 1 || s[i] < 1 || d[i] < 1 || p[i] < 0) {
			ac_err_set(err, AC_EINVAL, "%s: %s %lld, stride %lld, dilation %lld, padding %lld out of range",
			           cls->type, kind == ADAPTIVE ? "output_size" : "kernel_size", (long long)k[i],
			           (long long)s[i], (long long)d[i], (long long)p[i]);
			return NULL;
		}
		if (kind != ADAPTIVE && p[i] > k[i] / 2) {
			ac_err_set(err, AC_EINVAL, "%s: padding %lld exceeds half the kernel_size %lld", cls->type,
			           (long long)p[i], (long long)k[i]);
			return NULL;
		}
	}
	if ((m = nn_module_new(cls, sizeof(Pool), err)) == NULL)
		return NULL;
	pl = m->priv;
	*pl = (Pool){.kind = kind, .nsp = nsp, .ceil_mode = ceil_mode,
	             .count_include_pad = count_include_pad};
	memcpy(pl->k, k, sizeof k);
	memcpy(pl->s, s, sizeof s);
	memcpy(pl->p, p, sizeof p);
	memcpy(pl->d, d, sizeof d);

	int o = 2 - nsp;
	if (kind == ADAPTIVE) {
		nn_hparam_ints(m, "output_size", nsp, k + o);
		return m;
	}
	nn_hparam_ints(m, "kernel_size", nsp, k + o);
	nn_hparam_ints(m, "stride", nsp, s + o);
	nn_hparam_ints(m, "padding", nsp, p + o);
	if (kind == MAX)
		nn_hparam_ints(m, "dilation", nsp, d + o);
	nn_hparam_int(m, "ceil_mode", ceil_mode);
	if (kind == AVG)
		nn_hparam_int(m, "count_include_pad", count_include_pad);
	return m;
}

/* A layer from a model file or $Nn: its class says the kind. */
static NnModule *
pool_create_as(int kind, int nsp, const NnHparams *hp, AcErr *err)
{
	int64_t kv[2], sv[2], pv[2], dv[2];
	bool bad = false;
	const int64_t *k = nn_hparam_spatial(hp, kind == ADAPTIVE ? "output_size" : "kernel_size", nsp, kv, &bad);
	const int64_t *s = nn_hparam_spatial(hp, "stride", nsp, sv, &bad);
	const int64_t *p = nn_hparam_spatial(hp, "padding", nsp, pv, &bad);
	const int64_t *d = nn_hparam_spatial(hp, "dilation", nsp, dv, &bad);

	if (k == NULL || bad) {
		ac_err_set(err, AC_EINVAL, "pool: bad %s, stride, padding or dilation",
		           kind == ADAPTIVE ? "output_size" : "kernel_size");
		return NULL;
	}
	if (kind == ADAPTIVE)
		return pool_new(ADAPTIVE, nsp, k, NULL, NULL, NULL, false, false, err);
	return pool_new(kind, nsp, k, s, p, d, nn_hparam_geti(hp, "ceil_mode", 0) != 0,
	                nn_hparam_geti(hp, "count_include_pad", 1) != 0, err);
}

static NnModule *
max1d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return pool_create_as(MAX, 1, hp, err);
}

static NnModule *
max2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return pool_create_as(MAX, 2, hp, err);
}

static NnModule *
avg1d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return pool_create_as(AVG, 1, hp, err);
}

static NnModule *
avg2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return pool_create_as(AVG, 2, hp, err);
}

static NnModule *
adaptive2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return pool_create_as(ADAPTIVE, 2, hp, err);
}

NnModule *
nn_max_pool1d(int64_t kernel_size, int64_t stride, int64_t padding, int64_t dilation,
              bool ceil_mode, AcErr *err)
{
	return pool_new(MAX, 1, &kernel_size, &stride, &padding, &dilation, ceil_mode, false, err);
}

NnModule *
nn_max_pool2d(const int64_t kernel_size[2], const int64_t stride[2], const int64_t padding[2],
              const int64_t dilation[2], bool ceil_mode, AcErr *err)
{
	return pool_new(MAX, 2, kernel_size, stride, padding, dilation, ceil_mode, false, err);
}

NnModule *
nn_avg_pool1d(int64_t kernel_size, int64_t stride, int64_t padding, bool ceil_mode,
              bool count_include_pad, AcErr *err)
{
	return pool_new(AVG, 1, &kernel_size, &stride, &padding, NULL, ceil_mode, count_include_pad,
	                err);
}

NnModule *
nn_avg_pool2d(const int64_t kernel_size[2], const int64_t stride[2], const int64_t padding[2],
              bool ceil_mode, bool count_include_pad, AcErr *err)
{
	return pool_new(AVG, 2, kernel_size, stride, padding, NULL, ceil_mode, count_include_pad, err);
}

NnModule *
nn_adaptive_avg_pool2d(const int64_t output_size[2], AcErr *err)
{
	return pool_new(ADAPTIVE, 2, output_size, NULL, NULL, NULL, false, false, err);
}
