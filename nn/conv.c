/*
 * Convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d,
 * one implementation over 1 or 2 spatial dimensions (a 1-d layer is a
 * 2-d one of height 1 inside).
 *
 * Forward is ml's conv / conv_transpose op. The input gradient of each is
 * the other op with the same stride, padding, dilation and groups: for
 * Conv, conv_transpose with the output_padding that gives back the input's
 * extent (the rows a strided window never reached); for ConvTranspose,
 * conv, cropped when its output_padding reaches a whole stride further.
 * The weight gradient is one gemm per image and group over im2col tiles:
 * Conv's dW_g [O/g, C/g*K] += gy_g [O/g, P] x col(x_g)' [P, C/g*K];
 * ConvTranspose's dW_g [C/g, O/g*K] += x_g [C/g, P] x col(gy_g)', the
 * columns gathered from grad_output at the positions each input element
 * was scattered to (the same im2col with the roles of the extents
 * swapped).
 *
 * Follows: PyTorch torch.nn.Conv{1,2}d, ConvTranspose{1,2}d (arguments,
 * weight layouts, init); Torch7 THNN SpatialConvolutionMM (im2col + gemm
 * for accGradParameters); Caffe's im2col (Jia et al. 2014).
 */
#include "nn/nn_impl.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COL_BYTES = 4 << 20 };  /* most bytes of im2col scratch per tile */

typedef struct Conv {
	bool transposed, bias;
	int nsp;                   /* spatial dimensions as the user sees them, 1 or 2 */
	int64_t in, out, groups;   /* channels */
	/* per spatial dimension, height first; a 1-d layer has height 1 */
	int64_t k[2], s[2], p[2], d[2], op[2];
	uint8_t *col;              /* im2col scratch */
	size_t col_bytes;
} Conv;

static void
conv_free(NnModule *m)
{
	Conv *c = m->priv;

	if (c != NULL)
		free(c->col);
	free(c);
}

/* ml's parameters for c: the real spatial dimensions only. */
static void
conv_params(const Conv *c, MlOpParams *p)
{
	memset(p, 0, sizeof *p);
	for (int j = 0; j < c->nsp; j++) {
		int i = j + 2 - c->nsp;
		p->stride[j] = c->s[i];
		p->dilation[j] = c->d[i];
		p->pad[j] = p->pad[c->nsp + j] = c->p[i];
		p->output_padding[j] = c->transposed ? c->op[i] : 0;
	}
	p->groups = (int)c->groups;
}

static int
check(NnModule *m, MlTensor *x, AcErr *err)
{
	Conv *c = m->priv;
	char s[ML_SHAPE_BYTES];
	int rc = nn_check_input(m, x, c->nsp + 2, c->nsp + 2, err);

	if (rc != AC_OK)
		return rc;
	if (x->ne[1] != c->in)
		return nn_err(m, err, AC_ESHAPE, "input %s has %lld channels, want %lld", ml_shape_fmt(x, s),
		              (long long)x->ne[1], (long long)c->in);
	return AC_OK;
}

/* Runs op into *slot, sized by the op; ml's message gets the layer's name. */
static int
run_op(NnModule *m, MlOp op, MlTensor **slot, MlTensor *const *in, const MlOpParams *p,
       AcErr *err)
{
	AcErr e = {0};
	int64_t ne[ML_MAX_DIMS];
	int nd;

	if (ml_op_shape(op, in, p, &nd, ne, &e) != AC_OK ||
	    nn_ensure(slot, in[0]->dtype, nd, ne, &e) != AC_OK ||
	    ml_op_into(op, *slot, in, p, &e) != AC_OK)
		return nn_err(m, err, e.code, "%s", e.msg);
	return AC_OK;
}

static int
conv_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Conv *c = m->priv;
	MlOpParams p;
	MlTensor *in[3] = {input, m->param[0].value, c->bias ? m->param[1].value : NULL};
	int rc = check(m, input, err);

	if (rc != AC_OK)
		return rc;
	conv_params(c, &p);
	return run_op(m, c->transposed ? ML_OP_CONV_TRANSPOSE : ML_OP_CONV, &m->output, in, &p, err);
}

static int
conv_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Conv *c = m->priv;
	MlOpParams p;
	MlTensor *in[3] = {grad_output, m->param[0].value, NULL}, *full = NULL, *v = NULL;
	AcErr e = {0};
	int rc = check(m, input, err);

	if (rc != AC_OK)
		return rc;
	conv_params(c, &p);
	if (!c->transposed) {
		/* the input positions past the last window's reach */
		for (int j = 0; j < c->nsp; j++) {
			int i = j + 2 - c->nsp;
			int64_t span = c->d[i] * (c->k[i] - 1) + 1;
			p.output_padding[j] = input->ne[2 + j] + 2 * c->p[i] - span -
			                      (grad_output->ne[2 + j] - 1) * c->s[i];
		}
		return run_op(m, ML_OP_CONV_TRANSPOSE, &m->grad_input, in, &p, err);
	}
	memset(p.output_padding, 0, sizeof p.output_padding);
	if ((rc = run_op(m, ML_OP_CONV, &full, in, &p, err)) != AC_OK)
		return rc;
	if (ml_same_shape(full, input)) {
		ml_tensor_unref(m->grad_input);
		m->grad_input = full;
		return AC_OK;
	}
	/* output_padding of a stride or more: conv sees extra positions */
	v = ml_tensor_ref(full);
	for (int j = 0; j < c->nsp && v != NULL; j++) {
		MlTensor *t = ml_view_slice(v, 2 + j, 0, input->ne[2 + j], 1, &e);
		ml_tensor_unref(v);
		v = t;
	}
	if (v == NULL || nn_ensure_like(&m->grad_input, input, &e) != AC_OK ||
	    ml_copy(m->grad_input, v, &e) != AC_OK)
		rc = nn_err(m, err, e.code != AC_OK ? e.code : AC_ENOMEM, "%s", e.msg);
	ml_tensor_unref(v);
	ml_tensor_unref(full);
	return rc;
}

/* The geometry of one weight-gradient im2col: columns gathered from a
 * source of ch channels and extent se[] at the np[] positions a kernel
 * window starts from. */
typedef struct Cols {
	int64_t ch, se[2], np[2], npos, rows;  /* rows = ch * K */
	const Conv *c;
	int es;                                  /* element bytes, 4 or 8 */
} Cols;

/* col[r, q - q0] for positions q0..q1-1 of the source plane group src. */
static void
im2col(const Cols *g, const uint8_t *src, uint8_t *col, int64_t q0, int64_t q1)
{
	const Conv *c = g->c;
	int64_t t = q1 - q0, ssz = g->se[0] * g->se[1];

	for (int64_t r = 0; r < g->rows; r++) {
		int64_t kw = r % c->k[1], kh = r / c->k[1] % c->k[0], ch = r / (c->k[0] * c->k[1]);
		const uint8_t *plane = src + ch * ssz * g->es;
		uint8_t *dst = col + r * t * g->es;
		int64_t qh = q0 / g->np[1], qw = q0 % g->np[1];
		for (int64_t q = 0; q < t; q++) {
			int64_t ih = qh * c->s[0] - c->p[0] + kh * c->d[0];
			int64_t iw = qw * c->s[1] - c->p[1] + kw * c->d[1];
			bool in = ih >= 0 && ih < g->se[0] && iw >= 0 && iw < g->se[1];
			int64_t at = ih * g->se[1] + iw;
			if (g->es == 4)
				((uint32_t *)(void *)dst)[q] = in ? ((const uint32_t *)(const void *)plane)[at] : 0;
			else
				((uint64_t *)(void *)dst)[q] = in ? ((const uint64_t *)(const void *)plane)[at] : 0;
			if (++qw == g->np[1]) {
				qw = 0;
				qh++;
			}
		}
	}
}

/* dw [m, g->rows] += scale * a [m, npos] x col(src)' over position tiles. */
static int
grad_weight_group(NnModule *m, const MlBlas *bl, const Cols *g, const uint8_t *src,
                  const uint8_t *a, int64_t rows_a, uint8_t *dw, double scale, AcErr *err)
{
	Conv *c = m->priv;
	int64_t tile = COL_BYTES / (g->rows * g->es);

	if (tile < 1)
		tile = 1;
	if (tile > g->npos)
		tile = g->npos;
	size_t need = (size_t)(tile * g->rows * g->es);
	if (need > c->col_bytes) {
		uint8_t *p = realloc(c->col, need);
		if (p == NULL)
			return nn_err(m, err, AC_ENOMEM, "out of memory for %zu bytes of im2col", need);
		c->col = p;
		c->col_bytes = need;
	}
	for (int64_t q0 = 0; q0 < g->npos; q0 += tile) {
		int64_t q1 = q0 + tile < g->npos ? q0 + tile : g->npos, t = q1 - q0;
		im2col(g, src, c->col, q0, q1);
		if (g->es == 4)
			bl->sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows_a, (int)g->rows, (int)t,
			          (float)scale, (const float *)(const void *)a + q0, (int)g->npos,
			          (const float *)(const void *)c->col, (int)t, 1.0f, (float *)(void *)dw,
			          (int)g->rows);
		else
			bl->dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows_a, (int)g->rows, (int)t, scale,
			          (const double *)(const void *)a + q0, (int)g->npos,
			          (const double *)(const void *)c->col, (int)t, 1.0, (double *)(void *)dw,
			          (int)g->rows);
	}
	return AC_OK;
}

static int
conv_acc_grad(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Conv *c = m->priv;
	MlTensor *x = NULL, *gy = NULL, *dw = m->param[0].grad;
	const MlBlas *bl;
	AcErr e = {0};
	int rc = check(m, input, err);
	Cols g = {.c = c};

	if (rc != AC_OK)
		return rc;
	if ((bl = ml_blas(&e)) == NULL)
		return nn_err(m, err, e.code, "%s", e.msg);
	x = ml_tensor_contiguous(input, &e);
	gy = ml_tensor_contiguous(grad_output, &e);
	if (x == NULL || gy == NULL) {
		rc = nn_err(m, err, AC_ENOMEM, "%s", e.msg);
		goto done;
	}
	g.es = ml_dtype_bytes(x->dtype);
	int64_t xe[2] = {1, 1}, ye[2] = {1, 1}, n = x->ne[0], G = c->groups;
	for (int j = 0; j < c->nsp; j++) {
		xe[j + 2 - c->nsp] = x->ne[2 + j];
		ye[j + 2 - c->nsp] = gy->ne[2 + j];
	}
	int64_t xsz = xe[0] * xe[1], ysz = ye[0] * ye[1], cg = c->in / G, og = c->out / G;
	int64_t K = c->k[0] * c->k[1];
	/* Conv gathers input windows at the output positions; ConvTranspose
	 * gathers output windows at the input positions. */
	const uint8_t *srcb = c->transposed ? gy->data : x->data, *ab = c->transposed ? x->data : gy->data;
	int64_t sch = c->transposed ? og : cg, ach = c->transposed ? cg : og;
	int64_t ssz = c->transposed ? ysz : xsz, asz = c->transposed ? xsz : ysz;
	int64_t stot = c->transposed ? c->out : c->in, atot = c->transposed ? c->in : c->out;
	g.ch = sch;
	g.rows = sch * K;
	memcpy(g.se, c->transposed ? ye : xe, sizeof g.se);
	memcpy(g.np, c->transposed ? xe : ye, sizeof g.np);
	g.npos = g.np[0] * g.np[1];
	for (int64_t i = 0; i < n && rc == AC_OK; i++)
		for (int64_t gi = 0; gi < G && rc == AC_OK; gi++)
			rc = grad_weight_group(m, bl, &g, srcb + ((i * stot + gi * sch) * ssz) * g.es,
			                       ab + ((i * atot + gi * ach) * asz) * g.es, ach,
			                       dw->data + gi * ach * g.rows * g.es, scale, err);
	if (rc == AC_OK && c->bias) {
		MlTensor *db = m->param[1].grad;
		for (int64_t o = 0; o < c->out; o++) {
			double s = 0;
			for (int64_t i = 0; i < n; i++) {
				int64_t b = (i * c->out + o) * ysz;
				if (g.es == 4)
					for (int64_t q = 0; q < ysz; q++)
						s += ML_F32(gy)[b + q];
				else
					for (int64_t q = 0; q < ysz; q++)
						s += ((double *)(void *)gy->data)[b + q];
			}
			if (g.es == 4)
				ML_F32(db)[o] += (float)(scale * s);
			else
				((double *)(void *)db->data)[o] += scale * s;
		}
	}
done:
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static NnModule *conv1d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *conv2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *convt1d_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *convt2d_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_conv1d_class = {"Conv1d", conv_output, conv_grad_input, conv_acc_grad,
                                 conv_free, conv1d_create};
const NnClass nn_conv2d_class = {"Conv2d", conv_output, conv_grad_input, conv_acc_grad,
                                 conv_free, conv2d_create};
const NnClass nn_conv_transpose1d_class = {"ConvTranspose1d", conv_output, conv_grad_input,
                                           conv_acc_grad, conv_free, convt1d_create};
const NnClass nn_conv_transpose2d_class = {"ConvTranspose2d", conv_output, conv_grad_input,
                                           conv_acc_grad, conv_free, convt2d_create};

/* The per-dimension arguments, height first, as the user gave them (nsp
 * entries) with NULL for the default def. */
static void
dims(int nsp, const int64_t *v, int64_t def, int64_t out[2])
{
	for (int i = 0; i < 2; i++)
		out[i] = v != NULL ? v[nsp == 1 ? 0 : i] : def;
	if (nsp == 1)
		out[0] = def == 0 ? 0 : 1;  /* the height of a 1-d layer: one row, no padding */
}

static NnModule *
conv_new(bool transposed, int nsp, int64_t in, int64_t out, const int64_t *kernel,
         const int64_t *stride, const int64_t *padding, const int64_t *output_padding,
         int64_t groups, bool bias, const int64_t *dilation, uint64_t seed, AcErr *err)
{
	const NnClass *cls = transposed ? (nsp == 1 ? &nn_conv_transpose1d_class : &nn_conv_transpose2d_class)
	                                : (nsp == 1 ? &nn_conv1d_class : &nn_conv2d_class);
	const char *type = cls->type;
	int64_t k[2], s[2], p[2], d[2], op[2];
	NnModule *m;
	Conv *c;
	MlRng r;

	if (kernel == NULL) {
		ac_err_set(err, AC_EINVAL, "%s: no kernel_size", type);
		return NULL;
	}
	dims(nsp, kernel, 1, k);
	dims(nsp, stride, 1, s);
	dims(nsp, padding, 0, p);
	dims(nsp, dilation, 1, d);
	dims(nsp, output_padding, 0, op);
	if (in < 1 || out < 1 || groups < 1) {
		ac_err_set(err, AC_EINVAL, "%s: in_channels %lld, out_channels %lld, groups %lld: want >= 1",
		           type, (long long)in, (long long)out, (long long)groups);
		return NULL;
	}
	if (in % groups != 0 || out % groups != 0) {
		ac_err_set(err, AC_EINVAL, "%s: groups %lld do not divide in_channels %lld and out_channels %lld",
		           type, (long long)groups, (long long)in, (long long)out);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		if (k[i] < 1 || s[i] < 1 || d[i] < 1 || p[i] < 0 || op[i] < 0) {
			ac_err_set(err, AC_EINVAL,
			           "%s: kernel_size %lld, stride %lld, dilation %lld, padding %lld, output_padding %lld out of range",
			           type, (long long)k[i], (long long)s[i], (long long)d[i], (long long)p[i],
			           (long long)op[i]);
			return NULL;
		}
		if (op[i] > 0 && op[i] >= s[i] && op[i] >= d[i]) {
			ac_err_set(err, AC_EINVAL,
			           "%s: output_padding %lld must be smaller than stride %lld or dilation %lld", type,
			           (long long)op[i], (long long)s[i], (long long)d[i]);
			return NULL;
		}
	}
	if ((m = nn_module_new(cls, sizeof(Conv), err)) == NULL)
		return NULL;
	c = m->priv;
	*c = (Conv){.transposed = transposed, .bias = bias, .nsp = nsp, .in = in, .out = out,
	            .groups = groups};
	memcpy(c->k, k, sizeof k);
	memcpy(c->s, s, sizeof s);
	memcpy(c->p, p, sizeof p);
	memcpy(c->d, d, sizeof d);
	memcpy(c->op, op, sizeof op);

	int64_t wne[4] = {transposed ? in : out, transposed ? out / groups : in / groups, k[0], k[1]};
	int64_t bne[1] = {out};
	int wnd = nsp + 2;
	if (nsp == 1)
		wne[2] = k[1];
	double fan_in = (double)(wne[1] * k[0] * k[1]), bound = 1 / sqrt(fan_in);
	ml_rng_seed(&r, seed);
	if (nn_param_add(m, "weight", ml_tensor_empty(ML_F32, wnd, wne, err), true, err) != AC_OK ||
	    nn_init_uniform(m->param[0].value, bound, &r, err) != AC_OK)
		goto fail;
	if (bias && (nn_param_add(m, "bias", ml_tensor_empty(ML_F32, 1, bne, err), true, err) != AC_OK ||
	             nn_init_uniform(m->param[1].value, bound, &r, err) != AC_OK))
		goto fail;

	int o = 2 - nsp;
	nn_hparam_int(m, "in_channels", in);
	nn_hparam_int(m, "out_channels", out);
	nn_hparam_ints(m, "kernel_size", nsp, k + o);
	nn_hparam_ints(m, "stride", nsp, s + o);
	nn_hparam_ints(m, "padding", nsp, p + o);
	if (transposed)
		nn_hparam_ints(m, "output_padding", nsp, op + o);
	nn_hparam_int(m, "groups", groups);
	nn_hparam_int(m, "bias", bias);
	nn_hparam_ints(m, "dilation", nsp, d + o);
	return m;
fail:
	nn_free(m);
	return NULL;
}

/* A layer from a model file or $Nn: its class says the kind. */
static NnModule *
conv_create_as(bool transposed, int nsp, const NnHparams *hp, uint64_t seed, AcErr *err)
{
	int64_t kv[2], sv[2], pv[2], dv[2], ov[2];
	bool bad = false;
	const int64_t *k = nn_hparam_spatial(hp, "kernel_size", nsp, kv, &bad);
	const int64_t *st = nn_hparam_spatial(hp, "stride", nsp, sv, &bad);
	const int64_t *p = nn_hparam_spatial(hp, "padding", nsp, pv, &bad);
	const int64_t *d = nn_hparam_spatial(hp, "dilation", nsp, dv, &bad);
	const int64_t *op = nn_hparam_spatial(hp, "output_padding", nsp, ov, &bad);

	if (k == NULL || bad || (!transposed && op != NULL)) {
		ac_err_set(err, AC_EINVAL, "%s: bad kernel_size, stride, padding, dilation or output_padding",
		           transposed ? (nsp == 1 ? "ConvTranspose1d" : "ConvTranspose2d")
		                      : (nsp == 1 ? "Conv1d" : "Conv2d"));
		return NULL;
	}
	return conv_new(transposed, nsp, nn_hparam_geti(hp, "in_channels", 0),
	                nn_hparam_geti(hp, "out_channels", 0), k, st, p, op,
	                nn_hparam_geti(hp, "groups", 1), nn_hparam_geti(hp, "bias", 1) != 0, d, seed, err);
}

static NnModule *
conv1d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return conv_create_as(false, 1, hp, seed, err);
}

static NnModule *
conv2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return conv_create_as(false, 2, hp, seed, err);
}

static NnModule *
convt1d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return conv_create_as(true, 1, hp, seed, err);
}

static NnModule *
convt2d_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return conv_create_as(true, 2, hp, seed, err);
}

NnModule *
nn_conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
          int64_t padding, int64_t dilation, int64_t groups, bool bias, uint64_t seed, AcErr *err)
{
	return conv_new(false, 1, in_channels, out_channels, &kernel_size, &stride, &padding, NULL,
	                groups, bias, &dilation, seed, err);
}

NnModule *
nn_conv2d(int64_t in_channels, int64_t out_channels, const int64_t kernel_size[2],
          const int64_t stride[2], const int64_t padding[2], const int64_t dilation[2],
          int64_t groups, bool bias, uint64_t seed, AcErr *err)
{
	return conv_new(false, 2, in_channels, out_channels, kernel_size, stride, padding, NULL, groups,
	                bias, dilation, seed, err);
}

NnModule *
nn_conv_transpose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
                    int64_t padding, int64_t output_padding, int64_t groups, bool bias,
                    int64_t dilation, uint64_t seed, AcErr *err)
{
	return conv_new(true, 1, in_channels, out_channels, &kernel_size, &stride, &padding,
	                &output_padding, groups, bias, &dilation, seed, err);
}

NnModule *
nn_conv_transpose2d(int64_t in_channels, int64_t out_channels, const int64_t kernel_size[2],
                    const int64_t stride[2], const int64_t padding[2],
                    const int64_t output_padding[2], int64_t groups, bool bias,
                    const int64_t dilation[2], uint64_t seed, AcErr *err)
{
	return conv_new(true, 2, in_channels, out_channels, kernel_size, stride, padding, output_padding,
	                groups, bias, dilation, seed, err);
}
