/*
 * Linear and Bilinear layers (torch.nn.Linear, torch.nn.Bilinear; Torch7
 * THNN Linear's three steps). The products go through ml's linear and
 * matmul ops (OpenBLAS for f32 and f64); Bilinear's contraction with x1
 * and its outer products are plain loops over rows.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Scratch kept between calls so that a warm step allocates no tensor
 * data. */
typedef struct Scratch {
	MlTensor *dw;  /* weight-shaped product before it is scaled into the gradient */
	MlTensor *db;  /* bias-shaped row sums */
	MlTensor *u;   /* Bilinear: x2 A^T, [R, out*in1] */
	MlTensor *v;   /* Bilinear: g (x) x1, [R, out*in1] */
	MlTensor *t;   /* Bilinear: v A, [R, in2] */
} Scratch;

static void
scratch_free(NnModule *m)
{
	Scratch *s = m->priv;

	if (s == NULL)
		return;
	ml_tensor_unref(s->dw);
	ml_tensor_unref(s->db);
	ml_tensor_unref(s->u);
	ml_tensor_unref(s->v);
	ml_tensor_unref(s->t);
	free(s);
}

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

/* t (any strides) as a contiguous [rows, cols] matrix, cols its last
 * dimension. Caller unrefs *out. */
static int
as_rows(const MlTensor *t, MlTensor **out, AcErr *err)
{
	int64_t ne[2] = {1, t->ne[t->ndim - 1]};
	MlTensor *c = ml_tensor_contiguous(t, err);

	*out = NULL;
	if (c == NULL)
		return code(err, AC_ENOMEM);
	for (int k = 0; k < t->ndim - 1; k++)
		ne[0] *= t->ne[k];
	*out = ml_view_reshape(c, 2, ne, err);
	ml_tensor_unref(c);
	return *out != NULL ? AC_OK : code(err, AC_ESHAPE);
}

static int
check_features(NnModule *m, MlTensor *input, int64_t want, AcErr *err)
{
	char a[ML_SHAPE_BYTES];
	int rc;

	if ((rc = nn_check_input(m, input, 1, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	if (input->ne[input->ndim - 1] != want)
		return nn_err(m, err, AC_ESHAPE, "input %s %s, want [*,%lld]", ml_shape_fmt(input, a),
		              ml_dtype_name(input->dtype), (long long)want);
	return AC_OK;
}

/* gradB += scale * the sum of g's rows ([R, out] contiguous). */
static int
acc_bias(NnModule *m, MlTensor *g2, double scale, AcErr *err)
{
	Scratch *s = m->priv;
	NnParam *b = &m->param[1];
	MlOpParams p = {.axes = 1};

	if (nn_ensure_like(&s->db, b->value, err) != AC_OK ||
	    ml_op_into(ML_OP_SUM, s->db, (MlTensor *[]){g2}, &p, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return nn_axpy(b->grad, scale, s->db, err);
}

/* ---- Linear ---- */

static int
linear_output(NnModule *m, MlTensor *input, AcErr *err)
{
	MlTensor *w = m->param[0].value, *b = m->nparams > 1 ? m->param[1].value : NULL;
	int64_t ne[ML_MAX_DIMS];
	int rc;

	if ((rc = check_features(m, input, w->ne[1], err)) != AC_OK)
		return rc;
	memcpy(ne, input->ne, sizeof ne);
	ne[input->ndim - 1] = w->ne[0];
	if (nn_ensure(&m->output, input->dtype, input->ndim, ne, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(ML_OP_LINEAR, m->output, (MlTensor *[]){input, w, b}, NULL, err);
}

/* grad_input = grad_output W. */
static int
linear_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	MlTensor *w = m->param[0].value;
	int rc;

	if ((rc = check_features(m, input, w->ne[1], err)) != AC_OK)
		return rc;
	if (nn_ensure_like(&m->grad_input, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(ML_OP_MATMUL, m->grad_input, (MlTensor *[]){grad_output, w}, NULL, err);
}

/* gradW += scale * grad_output' input over the flattened rows; gradB +=
 * scale * the column sums of grad_output. */
static int
linear_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Scratch *s = m->priv;
	NnParam *w = &m->param[0];
	MlTensor *g2 = NULL, *x2 = NULL, *gt = NULL;
	int rc;

	if ((rc = check_features(m, input, w->value->ne[1], err)) != AC_OK)
		return rc;
	if ((rc = as_rows(grad_output, &g2, err)) != AC_OK || (rc = as_rows(input, &x2, err)) != AC_OK)
		goto done;
	if ((gt = ml_view_transpose(g2, 0, 1, err)) == NULL) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	if ((rc = nn_ensure_like(&s->dw, w->value, err)) != AC_OK ||
	    (rc = ml_op_into(ML_OP_MATMUL, s->dw, (MlTensor *[]){gt, x2}, NULL, err)) != AC_OK ||
	    (rc = nn_axpy(w->grad, scale, s->dw, err)) != AC_OK)
		goto done;
	if (m->nparams > 1)
		rc = acc_bias(m, g2, scale, err);
done:
	ml_tensor_unref(g2);
	ml_tensor_unref(x2);
	ml_tensor_unref(gt);
	return rc;
}

static NnModule *linear_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_linear_class = {.type = "Linear", .update_output = linear_output,
                                 .update_grad_input = linear_grad_input,
                                 .acc_grad_parameters = linear_acc, .free_priv = scratch_free,
                                 .create = linear_create};

/* The weight and bias of a new layer, U(-bound, bound) in that order. */
static int
add_params(NnModule *m, int ndim, const int64_t *wne, int64_t out, bool bias, double bound,
           uint64_t seed, AcErr *err)
{
	MlRng r;
	int rc;

	ml_rng_seed(&r, seed);
	if ((rc = nn_param_add(m, "weight", ml_tensor_zeros(ML_F32, ndim, wne, err), true, err)) != AC_OK ||
	    (rc = nn_init_uniform(m->param[0].value, bound, &r, err)) != AC_OK)
		return rc;
	if (!bias)
		return AC_OK;
	if ((rc = nn_param_add(m, "bias", ml_tensor_zeros(ML_F32, 1, &out, err), true, err)) != AC_OK)
		return rc;
	return nn_init_uniform(m->param[1].value, bound, &r, err);
}

NnModule *
nn_linear(int64_t in_features, int64_t out_features, bool bias, uint64_t seed, AcErr *err)
{
	NnModule *m;

	if (in_features < 0 || out_features < 0) {
		ac_err_set(err, AC_EINVAL, "Linear: in_features %lld, out_features %lld",
		           (long long)in_features, (long long)out_features);
		return NULL;
	}
	if ((m = nn_module_new(&nn_linear_class, sizeof(Scratch), err)) == NULL)
		return NULL;
	nn_hparam_int(m, "in_features", in_features);
	nn_hparam_int(m, "out_features", out_features);
	nn_hparam_int(m, "bias", bias);
	if (add_params(m, 2, (int64_t[]){out_features, in_features}, out_features, bias,
	               in_features > 0 ? 1 / sqrt((double)in_features) : 0, seed, err) != AC_OK) {
		nn_free(m);
		return NULL;
	}
	return m;
}

static NnModule *
linear_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_linear(nn_hparam_geti(hp, "in_features", -1), nn_hparam_geti(hp, "out_features", -1),
	                 nn_hparam_geti(hp, "bias", 1) != 0, seed, err);
}

/* ---- Bilinear ---- */

/* The weight [out, in1, in2] as the matrix [out*in1, in2]. */
static MlTensor *
weight2(NnModule *m, AcErr *err)
{
	const MlTensor *w = m->param[0].value;

	return ml_view_reshape(w, 2, (int64_t[]){w->ne[0] * w->ne[1], w->ne[2]}, err);
}

/* The input as rows [R, in1+in2], x2 its last in2 columns, and u = x2
 * A^T, [R, out*in1]: u[r, o*in1 + i] = sum_j A[o, i, j] x2[r, j]. */
static int
bilinear_u(NnModule *m, MlTensor *input, MlTensor **x, MlTensor **x2, AcErr *err)
{
	Scratch *s = m->priv;
	const MlTensor *w = m->param[0].value;
	int64_t in1 = w->ne[1], in2 = w->ne[2], ne[2];
	MlTensor *a2 = NULL;
	int rc;

	*x = *x2 = NULL;
	if ((rc = check_features(m, input, in1 + in2, err)) != AC_OK ||
	    (rc = as_rows(input, x, err)) != AC_OK)
		return rc;
	if ((*x2 = ml_view_slice(*x, 1, in1, in1 + in2, 1, err)) == NULL || (a2 = weight2(m, err)) == NULL)
		return code(err, AC_ENOMEM);
	ne[0] = (*x)->ne[0];
	ne[1] = w->ne[0] * in1;
	if ((rc = nn_ensure(&s->u, input->dtype, 2, ne, err)) == AC_OK)
		rc = ml_op_into(ML_OP_LINEAR, s->u, (MlTensor *[]){*x2, a2, NULL}, NULL, err);
	ml_tensor_unref(a2);
	return rc;
}

/* y[r, o] = b[o] + sum_i x1[r, i] u[r, o*in1 + i]. */
static int
bilinear_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Scratch *s = m->priv;
	const MlTensor *w = m->param[0].value, *b = m->nparams > 1 ? m->param[1].value : NULL;
	int64_t out = w->ne[0], in1 = w->ne[1], ne[ML_MAX_DIMS], rows;
	MlTensor *x, *x2;
	int rc;

	if ((rc = bilinear_u(m, input, &x, &x2, err)) != AC_OK)
		goto done;
	memcpy(ne, input->ne, sizeof ne);
	ne[input->ndim - 1] = out;
	if ((rc = nn_ensure(&m->output, input->dtype, input->ndim, ne, err)) != AC_OK)
		goto done;
	rows = x->ne[0];
	for (int64_t r = 0; r < rows; r++)
		for (int64_t o = 0; o < out; o++) {
			double acc = b != NULL ? nn_ld(b, o) : 0;
			for (int64_t i = 0; i < in1; i++)
				acc += nn_ld(x, r * x->ne[1] + i) * nn_ld(s->u, (r * out + o) * in1 + i);
			nn_st(m->output, r * out + o, acc);
		}
done:
	ml_tensor_unref(x);
	ml_tensor_unref(x2);
	return rc;
}

/* v[r, o*in1 + i] = g[r, o] x1[r, i], the outer product both gradients
 * of A's side share. */
static int
bilinear_v(NnModule *m, const MlTensor *x, const MlTensor *g2, AcErr *err)
{
	Scratch *s = m->priv;
	int64_t out = g2->ne[1], in1 = m->param[0].value->ne[1], rows = x->ne[0];

	if (nn_ensure_like(&s->v, s->u, err) != AC_OK)
		return code(err, AC_ENOMEM);
	for (int64_t r = 0; r < rows; r++)
		for (int64_t o = 0; o < out; o++) {
			double go = nn_ld(g2, r * out + o);
			for (int64_t i = 0; i < in1; i++)
				nn_st(s->v, (r * out + o) * in1 + i, go * nn_ld(x, r * x->ne[1] + i));
		}
	return AC_OK;
}

/* dx1[r, i] = sum_o g[r, o] u[r, o*in1 + i]; dx2 = v A2, A2 the weight as
 * [out*in1, in2]. */
static int
bilinear_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Scratch *s = m->priv;
	int64_t out = m->param[0].value->ne[0], in1 = m->param[0].value->ne[1];
	int64_t in2 = m->param[0].value->ne[2], rows;
	MlTensor *x = NULL, *x2 = NULL, *g2 = NULL, *a2 = NULL;
	int rc;

	if ((rc = bilinear_u(m, input, &x, &x2, err)) != AC_OK ||
	    (rc = as_rows(grad_output, &g2, err)) != AC_OK || (rc = bilinear_v(m, x, g2, err)) != AC_OK)
		goto done;
	rows = x->ne[0];
	if ((a2 = weight2(m, err)) == NULL) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	if ((rc = nn_ensure(&s->t, input->dtype, 2, (int64_t[]){rows, in2}, err)) != AC_OK ||
	    (rc = ml_op_into(ML_OP_MATMUL, s->t, (MlTensor *[]){s->v, a2}, NULL, err)) != AC_OK ||
	    (rc = nn_ensure_like(&m->grad_input, input, err)) != AC_OK)
		goto done;
	for (int64_t r = 0; r < rows; r++) {
		for (int64_t i = 0; i < in1; i++) {
			double acc = 0;
			for (int64_t o = 0; o < out; o++)
				acc += nn_ld(g2, r * out + o) * nn_ld(s->u, (r * out + o) * in1 + i);
			nn_st(m->grad_input, r * (in1 + in2) + i, acc);
		}
		for (int64_t j = 0; j < in2; j++)
			nn_st(m->grad_input, r * (in1 + in2) + in1 + j, nn_ld(s->t, r * in2 + j));
	}
done:
	ml_tensor_unref(x);
	ml_tensor_unref(x2);
	ml_tensor_unref(g2);
	ml_tensor_unref(a2);
	return rc;
}

/* gradA (as [out*in1, in2]) += scale * v' x2; gradB += scale * row sums. */
static int
bilinear_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	Scratch *s = m->priv;
	NnParam *w = &m->param[0];
	MlTensor *x = NULL, *x2 = NULL, *g2 = NULL, *vt = NULL, *dw2 = NULL;
	int rc;

	if ((rc = bilinear_u(m, input, &x, &x2, err)) != AC_OK ||
	    (rc = as_rows(grad_output, &g2, err)) != AC_OK || (rc = bilinear_v(m, x, g2, err)) != AC_OK ||
	    (rc = nn_ensure_like(&s->dw, w->value, err)) != AC_OK)
		goto done;
	if ((vt = ml_view_transpose(s->v, 0, 1, err)) == NULL ||
	    (dw2 = ml_view_reshape(s->dw, 2, (int64_t[]){s->v->ne[1], x2->ne[1]}, err)) == NULL) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	if ((rc = ml_op_into(ML_OP_MATMUL, dw2, (MlTensor *[]){vt, x2}, NULL, err)) != AC_OK ||
	    (rc = nn_axpy(w->grad, scale, s->dw, err)) != AC_OK)
		goto done;
	if (m->nparams > 1)
		rc = acc_bias(m, g2, scale, err);
done:
	ml_tensor_unref(x);
	ml_tensor_unref(x2);
	ml_tensor_unref(g2);
	ml_tensor_unref(vt);
	ml_tensor_unref(dw2);
	return rc;
}

static NnModule *bilinear_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_bilinear_class = {.type = "Bilinear", .update_output = bilinear_output,
                                   .update_grad_input = bilinear_grad_input,
                                   .acc_grad_parameters = bilinear_acc, .free_priv = scratch_free,
                                   .create = bilinear_create};

NnModule *
nn_bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias,
            uint64_t seed, AcErr *err)
{
	NnModule *m;

	if (in1_features < 0 || in2_features < 0 || out_features < 0) {
		ac_err_set(err, AC_EINVAL, "Bilinear: in1_features %lld, in2_features %lld, out_features %lld",
		           (long long)in1_features, (long long)in2_features, (long long)out_features);
		return NULL;
	}
	if ((m = nn_module_new(&nn_bilinear_class, sizeof(Scratch), err)) == NULL)
		return NULL;
	nn_hparam_int(m, "in1_features", in1_features);
	nn_hparam_int(m, "in2_features", in2_features);
	nn_hparam_int(m, "out_features", out_features);
	nn_hparam_int(m, "bias", bias);
	if (add_params(m, 3, (int64_t[]){out_features, in1_features, in2_features}, out_features, bias,
	               in1_features > 0 ? 1 / sqrt((double)in1_features) : 0, seed, err) != AC_OK) {
		nn_free(m);
		return NULL;
	}
	return m;
}

static NnModule *
bilinear_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_bilinear(nn_hparam_geti(hp, "in1_features", -1), nn_hparam_geti(hp, "in2_features", -1),
	                   nn_hparam_geti(hp, "out_features", -1), nn_hparam_geti(hp, "bias", 1) != 0,
	                   seed, err);
}
