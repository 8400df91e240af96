/*
 * A transformer's blocks: MultiheadAttention (self-attention, PyTorch's
 * torch.nn.MultiheadAttention with batch_first=True, optionally causal)
 * and SwiGLU (LLaMA's feed-forward, Shazeer 2020). Forward and backward
 * are plain loops accumulating in double over contiguous f32/f64 data:
 * correctness first, the sizes a test or a small model uses; the
 * intermediate results the backward needs are kept in f64 scratch.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The data of an f64 scratch tensor. */
#define D(t) ((double *)(void *)(t)->data)

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

/* y[r, o] = b[o] + sum_i x[r, i] w[o, i] for r < rows: w [O, I], b [O] or
 * NULL, all contiguous f32/f64; y written in its own dtype. */
static void
affine(const MlTensor *x, const MlTensor *w, const MlTensor *b, MlTensor *y, int64_t rows)
{
	int64_t O = w->ne[0], I = w->ne[1];

	for (int64_t r = 0; r < rows; r++)
		for (int64_t o = 0; o < O; o++) {
			double acc = b != NULL ? nn_ld(b, o) : 0;
			for (int64_t i = 0; i < I; i++)
				acc += nn_ld(x, r * I + i) * nn_ld(w, o * I + i);
			nn_st(y, r * O + o, acc);
		}
}

/* dx[r, i] = (dx[r, i] when add) + sum_o g[r, o] w[o, i]. */
static void
affine_dx(const MlTensor *g, const MlTensor *w, MlTensor *dx, int64_t rows, bool add)
{
	int64_t O = w->ne[0], I = w->ne[1];

	for (int64_t r = 0; r < rows; r++)
		for (int64_t i = 0; i < I; i++) {
			double acc = add ? nn_ld(dx, r * I + i) : 0;
			for (int64_t o = 0; o < O; o++)
				acc += nn_ld(g, r * O + o) * nn_ld(w, o * I + i);
			nn_st(dx, r * I + i, acc);
		}
}

/* gradW[o, i] += scale * sum_r g[r, o] x[r, i]; gradB[o] += scale * sum_r
 * g[r, o] (b NULL: no bias). */
static void
affine_dw(const MlTensor *g, const MlTensor *x, NnParam *w, NnParam *b, int64_t rows, double scale)
{
	int64_t O = w->value->ne[0], I = w->value->ne[1];

	for (int64_t o = 0; o < O; o++) {
		for (int64_t i = 0; i < I; i++) {
			double acc = 0;
			for (int64_t r = 0; r < rows; r++)
				acc += nn_ld(g, r * O + o) * nn_ld(x, r * I + i);
			nn_st(w->grad, o * I + i, nn_ld(w->grad, o * I + i) + scale * acc);
		}
		if (b != NULL) {
			double acc = 0;
			for (int64_t r = 0; r < rows; r++)
				acc += nn_ld(g, r * O + o);
			nn_st(b->grad, o, nn_ld(b->grad, o) + scale * acc);
		}
	}
}

/* Registers a zeroed f32 parameter of shape ne, U(-bound, bound) from r
 * when bound > 0. */
static int
add_param(NnModule *m, const char *name, int ndim, const int64_t *ne, double bound, MlRng *r,
          AcErr *err)
{
	int rc;

	if ((rc = nn_param_add(m, name, ml_tensor_zeros(ML_F32, ndim, ne, err), true, err)) != AC_OK)
		return rc;
	return bound > 0 ? nn_init_uniform(m->param[m->nparams - 1].value, bound, r, err) : AC_OK;
}

/* Checks input [*, want] and makes *x a contiguous reference to it; *rows
 * the product of the leading dimensions. */
static int
rows_of(NnModule *m, MlTensor *input, int min_ndim, int max_ndim, const char *want_fmt,
        int64_t want, MlTensor **x, int64_t *rows, AcErr *err)
{
	char a[ML_SHAPE_BYTES];
	int rc;

	*x = NULL;
	if ((rc = nn_check_input(m, input, min_ndim, max_ndim, err)) != AC_OK)
		return rc;
	if (input->ne[input->ndim - 1] != want)
		return nn_err(m, err, AC_ESHAPE, "input %s %s, want %s%lld]", ml_shape_fmt(input, a),
		              ml_dtype_name(input->dtype), want_fmt, (long long)want);
	*rows = 1;
	for (int k = 0; k < input->ndim - 1; k++)
		*rows *= input->ne[k];
	if ((*x = ml_tensor_contiguous(input, err)) == NULL)
		return code(err, AC_ENOMEM);
	return AC_OK;
}

/* ---- MultiheadAttention ---- */

typedef struct Mha {
	int64_t heads;
	bool causal;
	int win, bin, wout, bout;  /* parameter indices; -1 without bias */
	/* From the last forward, for the backward: */
	MlTensor *qkv;   /* [R, 3E] f64: q, k, v side by side, head h at columns h*d.. */
	MlTensor *p;     /* [N, H, L, L] f64: attention probabilities, 0 where masked */
	MlTensor *ctx;   /* [R, E] f64: the heads' outputs concatenated, out_proj's input */
	/* From the last update_grad_input, for acc_grad_parameters: */
	MlTensor *dctx;  /* [R, E] f64 */
	MlTensor *dqkv;  /* [R, 3E] f64 */
	MlTensor *dp;    /* [L] f64: one row of dP */
	bool have_dqkv;  /* dqkv is grad_output's of the last forward */
} Mha;

static void
mha_free(NnModule *m)
{
	Mha *s = m->priv;

	if (s == NULL)
		return;
	ml_tensor_unref(s->qkv);
	ml_tensor_unref(s->p);
	ml_tensor_unref(s->ctx);
	ml_tensor_unref(s->dctx);
	ml_tensor_unref(s->dqkv);
	ml_tensor_unref(s->dp);
	free(s);
}

/* Input [N, L, E] or unbatched [L, E]: *x contiguous, *n and *l. */
static int
mha_input(NnModule *m, MlTensor *input, MlTensor **x, int64_t *n, int64_t *l, AcErr *err)
{
	int64_t rows;
	int rc;

	if ((rc = rows_of(m, input, 2, 3, "[N,L,", m->param[0].value->ne[1], x, &rows, err)) != AC_OK)
		return rc;
	*n = input->ndim == 3 ? input->ne[0] : 1;
	*l = input->ne[input->ndim - 2];
	return AC_OK;
}

static int
mha_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Mha *s = m->priv;
	const MlTensor *win = m->param[s->win].value;
	int64_t E = win->ne[1], H = s->heads, d = E / H, N, L, R;
	double scale = 1 / sqrt((double)d);
	MlTensor *x;
	int rc;

	if ((rc = mha_input(m, input, &x, &N, &L, err)) != AC_OK)
		return rc;
	R = N * L;
	s->have_dqkv = false;
	if ((rc = nn_ensure(&s->qkv, ML_F64, 2, (int64_t[]){R, 3 * E}, err)) != AC_OK ||
	    (rc = nn_ensure(&s->p, ML_F64, 4, (int64_t[]){N, H, L, L}, err)) != AC_OK ||
	    (rc = nn_ensure(&s->ctx, ML_F64, 2, (int64_t[]){R, E}, err)) != AC_OK ||
	    (rc = nn_ensure_like(&m->output, input, err)) != AC_OK)
		goto done;
	affine(x, win, s->bin >= 0 ? m->param[s->bin].value : NULL, s->qkv, R);
	const double *qkv = D(s->qkv);
	double *p = D(s->p), *ctx = D(s->ctx);
	for (int64_t n = 0; n < N; n++)
		for (int64_t h = 0; h < H; h++)
			for (int64_t i = 0; i < L; i++) {
				const double *q = qkv + (n * L + i) * 3 * E + h * d;
				double *pi = p + ((n * H + h) * L + i) * L, mx = -INFINITY, sum = 0;
				int64_t jn = s->causal ? i + 1 : L;  /* -inf above the diagonal */
				for (int64_t j = 0; j < L; j++) {
					const double *k = qkv + (n * L + j) * 3 * E + E + h * d;
					double dot = 0;
					if (j >= jn) {
						pi[j] = 0;
						continue;
					}
					for (int64_t c = 0; c < d; c++)
						dot += q[c] * k[c];
					pi[j] = dot * scale;
					mx = pi[j] > mx ? pi[j] : mx;
				}
				for (int64_t j = 0; j < jn; j++)
					sum += pi[j] = exp(pi[j] - mx);
				for (int64_t j = 0; j < jn; j++)
					pi[j] /= sum;
				for (int64_t c = 0; c < d; c++) {
					double acc = 0;
					for (int64_t j = 0; j < jn; j++)
						acc += pi[j] * qkv[(n * L + j) * 3 * E + 2 * E + h * d + c];
					ctx[(n * L + i) * E + h * d + c] = acc;
				}
			}
	affine(s->ctx, m->param[s->wout].value, s->bout >= 0 ? m->param[s->bout].value : NULL,
	       m->output, R);
done:
	ml_tensor_unref(x);
	return rc;
}

/* dctx = gy Wout; then through the heads into dqkv: with P = softmax(S),
 * dV = P' dC, dP = dC V', dS = P * (dP - rowsum(dP * P)), dQ = dS K / sqrt(d),
 * dK = dS' Q / sqrt(d). Needs the last forward's qkv and p. */
static int
mha_backprop(NnModule *m, MlTensor *grad_output, AcErr *err)
{
	Mha *s = m->priv;
	int64_t E = m->param[s->win].value->ne[1], H = s->heads, d = E / H;
	int64_t N = s->p->ne[0], L = s->p->ne[2], R = N * L;
	double scale = 1 / sqrt((double)d);
	MlTensor *gy;
	int rc;

	if ((gy = ml_tensor_contiguous(grad_output, err)) == NULL)
		return code(err, AC_ENOMEM);
	if ((rc = nn_ensure(&s->dctx, ML_F64, 2, (int64_t[]){R, E}, err)) != AC_OK ||
	    (rc = nn_ensure(&s->dqkv, ML_F64, 2, (int64_t[]){R, 3 * E}, err)) != AC_OK ||
	    (rc = nn_ensure(&s->dp, ML_F64, 1, &L, err)) != AC_OK)
		goto done;
	affine_dx(gy, m->param[s->wout].value, s->dctx, R, false);
	const double *qkv = D(s->qkv), *p = D(s->p), *dctx = D(s->dctx);
	double *dqkv = D(s->dqkv), *dp = D(s->dp);
	memset(dqkv, 0, (size_t)(R * 3 * E) * sizeof *dqkv);
	for (int64_t n = 0; n < N; n++)
		for (int64_t h = 0; h < H; h++)
			for (int64_t i = 0; i < L; i++) {
				const double *pi = p + ((n * H + h) * L + i) * L, *dc = dctx + (n * L + i) * E + h * d;
				const double *q = qkv + (n * L + i) * 3 * E + h * d;
				double *dq = dqkv + (n * L + i) * 3 * E + h * d, t = 0;
				int64_t jn = s->causal ? i + 1 : L;
				for (int64_t j = 0; j < jn; j++) {
					const double *v = qkv + (n * L + j) * 3 * E + 2 * E + h * d;
					double *dv = dqkv + (n * L + j) * 3 * E + 2 * E + h * d;
					dp[j] = 0;
					for (int64_t c = 0; c < d; c++) {
						dp[j] += dc[c] * v[c];
						dv[c] += pi[j] * dc[c];
					}
					t += dp[j] * pi[j];
				}
				for (int64_t j = 0; j < jn; j++) {
					const double *k = qkv + (n * L + j) * 3 * E + E + h * d;
					double *dk = dqkv + (n * L + j) * 3 * E + E + h * d;
					double ds = pi[j] * (dp[j] - t) * scale;
					for (int64_t c = 0; c < d; c++) {
						dq[c] += ds * k[c];
						dk[c] += ds * q[c];
					}
				}
			}
	s->have_dqkv = true;
done:
	ml_tensor_unref(gy);
	return rc;
}

/* grad_input = dqkv Win. */
static int
mha_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Mha *s = m->priv;
	int64_t N, L;
	MlTensor *x;
	int rc;

	if ((rc = mha_input(m, input, &x, &N, &L, err)) != AC_OK)
		return rc;
	if (s->p == NULL || s->p->ne[0] != N || s->p->ne[2] != L) {
		rc = nn_err(m, err, AC_EINVAL, "backward before forward");
		goto done;
	}
	if ((rc = mha_backprop(m, grad_output, err)) != AC_OK ||
	    (rc = nn_ensure_like(&m->grad_input, input, err)) != AC_OK)
		goto done;
	affine_dx(s->dqkv, m->param[s->win].value, m->grad_input, N * L, false);
done:
	ml_tensor_unref(x);
	return rc;
}

/* gradWin += dqkv' x, gradWout += gy' ctx, the biases the column sums. */
static int
mha_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Mha *s = m->priv;
	int64_t N, L;
	MlTensor *x, *gy = NULL;
	int rc;

	if ((rc = mha_input(m, input, &x, &N, &L, err)) != AC_OK)
		return rc;
	if (s->p == NULL || s->p->ne[0] != N || s->p->ne[2] != L) {
		rc = nn_err(m, err, AC_EINVAL, "backward before forward");
		goto done;
	}
	if (!s->have_dqkv && (rc = mha_backprop(m, grad_output, err)) != AC_OK)
		goto done;
	if ((gy = ml_tensor_contiguous(grad_output, err)) == NULL) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	affine_dw(s->dqkv, x, &m->param[s->win], s->bin >= 0 ? &m->param[s->bin] : NULL, N * L, scale);
	affine_dw(gy, s->ctx, &m->param[s->wout], s->bout >= 0 ? &m->param[s->bout] : NULL, N * L,
	          scale);
	s->have_dqkv = false;
done:
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static NnModule *mha_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_multihead_attention_class = {
	.type = "MultiheadAttention", .update_output = mha_output,
	.update_grad_input = mha_grad_input, .acc_grad_parameters = mha_acc, .free_priv = mha_free,
	.create = mha_create};

NnModule *
nn_multihead_attention(int64_t embed_dim, int64_t num_heads, bool bias, bool causal,
                       uint64_t seed, AcErr *err)
{
	NnModule *m;
	Mha *s;
	MlRng r;
	int64_t E = embed_dim;

	if (embed_dim < 1 || num_heads < 1 || embed_dim % num_heads != 0) {
		ac_err_set(err, AC_EINVAL,
		           "MultiheadAttention: embed_dim %lld, num_heads %lld: want embed_dim a positive "
		           "multiple of num_heads",
		           (long long)embed_dim, (long long)num_heads);
		return NULL;
	}
	if ((m = nn_module_new(&nn_multihead_attention_class, sizeof(Mha), err)) == NULL)
		return NULL;
	s = m->priv;
	s->heads = num_heads;
	s->causal = causal;
	nn_hparam_int(m, "embed_dim", embed_dim);
	nn_hparam_int(m, "num_heads", num_heads);
	nn_hparam_int(m, "bias", bias);
	nn_hparam_int(m, "causal", causal);
	ml_rng_seed(&r, seed);
	/* PyTorch's _reset_parameters: xavier_uniform_ on [3E, E], zero
	 * biases; out_proj.weight keeps Linear's U(-1/sqrt(E), 1/sqrt(E)). */
	s->win = 0;
	if (add_param(m, "in_proj_weight", 2, (int64_t[]){3 * E, E}, sqrt(6.0 / (double)(4 * E)), &r,
	              err) != AC_OK)
		goto fail;
	s->bin = bias ? m->nparams : -1;
	if (bias && add_param(m, "in_proj_bias", 1, (int64_t[]){3 * E}, 0, &r, err) != AC_OK)
		goto fail;
	s->wout = m->nparams;
	if (add_param(m, "out_proj.weight", 2, (int64_t[]){E, E}, 1 / sqrt((double)E), &r, err) != AC_OK)
		goto fail;
	s->bout = bias ? m->nparams : -1;
	if (bias && add_param(m, "out_proj.bias", 1, &E, 0, &r, err) != AC_OK)
		goto fail;
	return m;
fail:
	nn_free(m);
	return NULL;
}

static NnModule *
mha_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_multihead_attention(nn_hparam_geti(hp, "embed_dim", -1),
	                              nn_hparam_geti(hp, "num_heads", -1),
	                              nn_hparam_geti(hp, "bias", 1) != 0,
	                              nn_hparam_geti(hp, "causal", 0) != 0, seed, err);
}

/* ---- SwiGLU ---- */

typedef struct Swiglu {
	int w1, b1, w2, b2, w3, b3;  /* parameter indices; -1 without bias */
	MlTensor *a;   /* [R, H] f64: x W1' + b1, from the last forward */
	MlTensor *c;   /* [R, H] f64: x W3' + b3 */
	MlTensor *g;   /* [R, H] f64: silu(a) * c, w2's input */
	MlTensor *dg;  /* [R, H] f64: gy W2 */
	MlTensor *da;  /* [R, H] f64 */
	MlTensor *dc;  /* [R, H] f64 */
} Swiglu;

static void
swiglu_free(NnModule *m)
{
	Swiglu *s = m->priv;

	if (s == NULL)
		return;
	ml_tensor_unref(s->a);
	ml_tensor_unref(s->c);
	ml_tensor_unref(s->g);
	ml_tensor_unref(s->dg);
	ml_tensor_unref(s->da);
	ml_tensor_unref(s->dc);
	free(s);
}

static double
sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

#define PARAM(m, k) ((k) >= 0 ? (m)->param[k].value : NULL)

static int
swiglu_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Swiglu *s = m->priv;
	const MlTensor *w1 = m->param[s->w1].value;
	int64_t H = w1->ne[0], R = 0;
	MlTensor *x;
	int rc;

	if ((rc = rows_of(m, input, 1, ML_MAX_DIMS, "[*,", w1->ne[1], &x, &R, err)) != AC_OK)
		return rc;
	if ((rc = nn_ensure(&s->a, ML_F64, 2, (int64_t[]){R, H}, err)) != AC_OK ||
	    (rc = nn_ensure_like(&s->c, s->a, err)) != AC_OK ||
	    (rc = nn_ensure_like(&s->g, s->a, err)) != AC_OK ||
	    (rc = nn_ensure_like(&m->output, input, err)) != AC_OK)
		goto done;
	affine(x, w1, PARAM(m, s->b1), s->a, R);
	affine(x, m->param[s->w3].value, PARAM(m, s->b3), s->c, R);
	for (int64_t i = 0; i < R * H; i++) {
		double a = D(s->a)[i];
		D(s->g)[i] = a * sigmoid(a) * D(s->c)[i];
	}
	affine(s->g, m->param[s->w2].value, PARAM(m, s->b2), m->output, R);
done:
	ml_tensor_unref(x);
	return rc;
}

/* dg = gy W2; da = dg * c * silu'(a); dc = dg * silu(a), silu'(a) =
 * sigmoid(a) (1 + a (1 - sigmoid(a))). Needs the last forward's a and c. */
static int
swiglu_backprop(NnModule *m, MlTensor *input, MlTensor *grad_output, MlTensor **x, MlTensor **gy,
                int64_t *rows, AcErr *err)
{
	Swiglu *s = m->priv;
	const MlTensor *w1 = m->param[s->w1].value;
	int64_t H = w1->ne[0];
	int rc;

	*gy = NULL;
	if ((rc = rows_of(m, input, 1, ML_MAX_DIMS, "[*,", w1->ne[1], x, rows, err)) != AC_OK)
		return rc;
	if (s->a == NULL || s->a->ne[0] != *rows)
		return nn_err(m, err, AC_EINVAL, "backward before forward");
	if ((*gy = ml_tensor_contiguous(grad_output, err)) == NULL)
		return code(err, AC_ENOMEM);
	if ((rc = nn_ensure_like(&s->dg, s->a, err)) != AC_OK ||
	    (rc = nn_ensure_like(&s->da, s->a, err)) != AC_OK ||
	    (rc = nn_ensure_like(&s->dc, s->a, err)) != AC_OK)
		return rc;
	affine_dx(*gy, m->param[s->w2].value, s->dg, *rows, false);
	for (int64_t i = 0; i < *rows * H; i++) {
		double a = D(s->a)[i], sg = sigmoid(a), dg = D(s->dg)[i];
		D(s->da)[i] = dg * D(s->c)[i] * sg * (1 + a * (1 - sg));
		D(s->dc)[i] = dg * a * sg;
	}
	return AC_OK;
}

/* grad_input = da W1 + dc W3. */
static int
swiglu_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Swiglu *s = m->priv;
	MlTensor *x = NULL, *gy = NULL;
	int64_t R;
	int rc;

	if ((rc = swiglu_backprop(m, input, grad_output, &x, &gy, &R, err)) == AC_OK &&
	    (rc = nn_ensure_like(&m->grad_input, input, err)) == AC_OK) {
		affine_dx(s->da, m->param[s->w1].value, m->grad_input, R, false);
		affine_dx(s->dc, m->param[s->w3].value, m->grad_input, R, true);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static int
swiglu_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Swiglu *s = m->priv;
	MlTensor *x = NULL, *gy = NULL;
	int64_t R;
	int rc;

	if ((rc = swiglu_backprop(m, input, grad_output, &x, &gy, &R, err)) == AC_OK) {
		affine_dw(s->da, x, &m->param[s->w1], s->b1 >= 0 ? &m->param[s->b1] : NULL, R, scale);
		affine_dw(gy, s->g, &m->param[s->w2], s->b2 >= 0 ? &m->param[s->b2] : NULL, R, scale);
		affine_dw(s->dc, x, &m->param[s->w3], s->b3 >= 0 ? &m->param[s->b3] : NULL, R, scale);
	}
	ml_tensor_unref(x);
	ml_tensor_unref(gy);
	return rc;
}

static NnModule *swiglu_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_swiglu_class = {.type = "SwiGLU", .update_output = swiglu_output,
                                 .update_grad_input = swiglu_grad_input,
                                 .acc_grad_parameters = swiglu_acc, .free_priv = swiglu_free,
                                 .create = swiglu_create};

/* A Linear's weight [out, in] and bias (U(-1/sqrt(in), 1/sqrt(in))) named
 * prefix.weight, prefix.bias; their indices in *w, *b. */
static int
add_linear(NnModule *m, const char *prefix, int64_t in, int64_t out, bool bias, MlRng *r, int *w,
           int *b, AcErr *err)
{
	char name[NN_NAME_BYTES];
	double bound = 1 / sqrt((double)in);
	int rc;

	*w = m->nparams;
	*b = -1;
	snprintf(name, sizeof name, "%s.weight", prefix);
	if ((rc = add_param(m, name, 2, (int64_t[]){out, in}, bound, r, err)) != AC_OK || !bias)
		return rc;
	*b = m->nparams;
	snprintf(name, sizeof name, "%s.bias", prefix);
	return add_param(m, name, 1, &out, bound, r, err);
}

NnModule *
nn_swiglu(int64_t in_features, int64_t hidden_features, bool bias, uint64_t seed, AcErr *err)
{
	NnModule *m;
	Swiglu *s;
	MlRng r;

	if (in_features < 1 || hidden_features < 1) {
		ac_err_set(err, AC_EINVAL, "SwiGLU: in_features %lld, hidden_features %lld",
		           (long long)in_features, (long long)hidden_features);
		return NULL;
	}
	if ((m = nn_module_new(&nn_swiglu_class, sizeof(Swiglu), err)) == NULL)
		return NULL;
	s = m->priv;
	nn_hparam_int(m, "in_features", in_features);
	nn_hparam_int(m, "hidden_features", hidden_features);
	nn_hparam_int(m, "bias", bias);
	ml_rng_seed(&r, seed);
	/* LLaMA's FeedForward registers w1, w2, w3 in that order. */
	if (add_linear(m, "w1", in_features, hidden_features, bias, &r, &s->w1, &s->b1, err) != AC_OK ||
	    add_linear(m, "w2", hidden_features, in_features, bias, &r, &s->w2, &s->b2, err) != AC_OK ||
	    add_linear(m, "w3", in_features, hidden_features, bias, &r, &s->w3, &s->b3, err) != AC_OK) {
		nn_free(m);
		return NULL;
	}
	return m;
}

static NnModule *
swiglu_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_swiglu(nn_hparam_geti(hp, "in_features", -1),
	                 nn_hparam_geti(hp, "hidden_features", -1), nn_hparam_geti(hp, "bias", 0) != 0,
	                 seed, err);
}
