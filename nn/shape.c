/*
 * Layers that move or mask values without parameters: Flatten, Reshape
 * (views of the input where its strides allow, PyTorch's view/reshape),
 * Identity (the input itself, by reference) and Dropout (torch.nn's
 * modules of those names; Reshape after Torch7 nn.Reshape in batch mode).
 */
#include "nn/nn_impl.h"

#include <stdlib.h>
#include <string.h>

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

/* Replaces *slot by new (ownership taken). */
static void
put(MlTensor **slot, MlTensor *t)
{
	ml_tensor_unref(*slot);
	*slot = t;
}

/* *slot as a view of t in shape ne (a copy when t's strides cannot give
 * one). */
static int
reshape_into(MlTensor **slot, const MlTensor *t, int ndim, const int64_t *ne, AcErr *err)
{
	MlTensor *v = ml_tensor_reshape_copy(t, ndim, ne, err);

	if (v == NULL)
		return code(err, AC_ESHAPE);
	put(slot, v);
	return AC_OK;
}

/* grad_input: grad_output in the input's shape (Flatten and Reshape). */
static int
view_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

	if (ml_tensor_numel(grad_output) != ml_tensor_numel(input))
		return nn_err(m, err, AC_ESHAPE, "grad_output %s does not hold input %s",
		              ml_shape_fmt(grad_output, a), ml_shape_fmt(input, b));
	return reshape_into(&m->grad_input, grad_output, input->ndim, input->ne, err);
}

/* ---- Flatten ---- */

typedef struct Dims {
	int start_dim, end_dim;  /* Flatten */
	int ndim;                /* Reshape: dimensions of a sample */
	int64_t ne[ML_MAX_DIMS]; /* Reshape: a sample's shape, one entry maybe -1 */
} Dims;

static int
flatten_output(NnModule *m, MlTensor *input, AcErr *err)
{
	const Dims *d = m->priv;
	char a[ML_SHAPE_BYTES];
	int nd = input->ndim > 0 ? input->ndim : 1;
	int s = d->start_dim < 0 ? d->start_dim + nd : d->start_dim;
	int e = d->end_dim < 0 ? d->end_dim + nd : d->end_dim;
	int64_t ne[ML_MAX_DIMS];
	int n = 0, rc;

	if ((rc = nn_check_input(m, input, 0, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	if (s < 0 || s >= nd || e < 0 || e >= nd || s > e)
		return nn_err(m, err, AC_ERANGE, "start_dim %d, end_dim %d of input %s", d->start_dim,
		              d->end_dim, ml_shape_fmt(input, a));
	if (input->ndim == 0)
		return reshape_into(&m->output, input, 1, (int64_t[]){1}, err);
	for (int k = 0; k < s; k++)
		ne[n++] = input->ne[k];
	ne[n] = 1;
	for (int k = s; k <= e; k++)
		ne[n] *= input->ne[k];
	n++;
	for (int k = e + 1; k < input->ndim; k++)
		ne[n++] = input->ne[k];
	return reshape_into(&m->output, input, n, ne, err);
}

static NnModule *flatten_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_flatten_class = {.type = "Flatten", .update_output = flatten_output,
                                  .update_grad_input = view_grad_input, .create = flatten_create};

NnModule *
nn_flatten(int start_dim, int end_dim, AcErr *err)
{
	NnModule *m = nn_module_new(&nn_flatten_class, sizeof(Dims), err);
	Dims *d;

	if (m == NULL)
		return NULL;
	d = m->priv;
	d->start_dim = start_dim;
	d->end_dim = end_dim;
	nn_hparam_int(m, "start_dim", start_dim);
	nn_hparam_int(m, "end_dim", end_dim);
	return m;
}

static NnModule *
flatten_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_flatten((int)nn_hparam_geti(hp, "start_dim", 1), (int)nn_hparam_geti(hp, "end_dim", -1),
	                  err);
}

/* ---- Reshape ---- */

static int
reshape_output(NnModule *m, MlTensor *input, AcErr *err)
{
	const Dims *d = m->priv;
	char a[ML_SHAPE_BYTES];
	int64_t ne[ML_MAX_DIMS], per = 1, known = 1;
	int free_k = -1, rc;

	if ((rc = nn_check_input(m, input, 1, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	for (int k = 1; k < input->ndim; k++)
		per *= input->ne[k];
	ne[0] = input->ne[0];
	for (int k = 0; k < d->ndim; k++) {
		ne[k + 1] = d->ne[k];
		if (d->ne[k] == -1)
			free_k = k + 1;
		else
			known *= d->ne[k];
	}
	if (free_k >= 0 && known > 0 && per % known == 0)
		ne[free_k] = per / known;
	else if (free_k >= 0 || known != per) {
		char want[ML_SHAPE_BYTES];
		MlTensor shape = {.ndim = d->ndim};
		memcpy(shape.ne, d->ne, sizeof d->ne);
		return nn_err(m, err, AC_ESHAPE, "input %s: %lld elements per sample do not fill [*]+%s",
		              ml_shape_fmt(input, a), (long long)per, ml_shape_fmt(&shape, want));
	}
	return reshape_into(&m->output, input, d->ndim + 1, ne, err);
}

static NnModule *reshape_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_reshape_class = {.type = "Reshape", .update_output = reshape_output,
                                  .update_grad_input = view_grad_input, .create = reshape_create};

NnModule *
nn_reshape(int ndim, const int64_t *shape, AcErr *err)
{
	NnModule *m;
	Dims *d;
	int nfree = 0;

	if (ndim < 0 || ndim > ML_MAX_DIMS - 1 || (ndim > 0 && shape == NULL)) {
		ac_err_set(err, AC_EINVAL, "Reshape: %d dimensions, want 0 to %d", ndim, ML_MAX_DIMS - 1);
		return NULL;
	}
	for (int k = 0; k < ndim; k++) {
		if (shape[k] < -1) {
			ac_err_set(err, AC_EINVAL, "Reshape: dimension %d is %lld", k, (long long)shape[k]);
			return NULL;
		}
		nfree += shape[k] == -1;
	}
	if (nfree > 1) {
		ac_err_set(err, AC_EINVAL, "Reshape: %d dimensions are -1, want at most one", nfree);
		return NULL;
	}
	if ((m = nn_module_new(&nn_reshape_class, sizeof(Dims), err)) == NULL)
		return NULL;
	d = m->priv;
	d->ndim = ndim;
	for (int k = 0; k < ML_MAX_DIMS; k++)
		d->ne[k] = k < ndim ? shape[k] : 1;
	if (ndim > 0)
		nn_hparam_ints(m, "shape", ndim, shape);
	return m;
}

static NnModule *
reshape_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	const NnHparam *h = nn_hparam_get(hp, "shape");

	return h != NULL ? nn_reshape(h->n, h->i, err) : nn_reshape(0, NULL, err);
}

/* ---- Identity ---- */

static void
borrow(MlTensor **slot, MlTensor *t)
{
	put(slot, ml_tensor_ref(t));
}

static int
identity_output(NnModule *m, MlTensor *input, AcErr *err)
{
	borrow(&m->output, input);
	return AC_OK;
}

static int
identity_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	borrow(&m->grad_input, grad_output);
	return AC_OK;
}

static NnModule *
identity_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_identity(err);
}

const NnClass nn_identity_class = {.type = "Identity", .update_output = identity_output,
                                   .update_grad_input = identity_grad_input,
                                   .create = identity_create};

NnModule *
nn_identity(AcErr *err)
{
	return nn_module_new(&nn_identity_class, 0, err);
}

/* ---- Dropout ---- */

typedef struct Drop {
	double p;        /* probability of an element being zeroed */
	MlRng rng;       /* seeded at construction, advanced by each training forward */
	MlTensor *mask;  /* 0 or 1/(1-p) per element, from the last training forward */
	bool masked;     /* the last forward was in training mode */
} Drop;

static void
drop_free(NnModule *m)
{
	Drop *d = m->priv;

	if (d != NULL)
		ml_tensor_unref(d->mask);
	free(d);
}

/* Makes *slot a tensor of its own, never one borrowed in evaluation mode
 * (which nn_ensure would reuse and overwrite). */
static int
own_like(MlTensor **slot, const MlTensor *like, AcErr *err)
{
	if (*slot != NULL && atomic_load(&(*slot)->refs) > 1)
		put(slot, NULL);
	return nn_ensure_like(slot, like, err);
}

static int
dropout_output(NnModule *m, MlTensor *input, AcErr *err)
{
	Drop *d = m->priv;
	double keep = d->p < 1 ? 1 / (1 - d->p) : 0;
	int64_t n;
	int rc;

	if ((rc = nn_check_input(m, input, 0, ML_MAX_DIMS, err)) != AC_OK)
		return rc;
	d->masked = m->training && d->p > 0;
	if (!d->masked) {
		borrow(&m->output, input);
		return AC_OK;
	}
	if (nn_ensure_like(&d->mask, input, err) != AC_OK || own_like(&m->output, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	n = ml_tensor_numel(input);
	for (int64_t i = 0; i < n; i++) {
		double v = ml_rng_uniform(&d->rng) < d->p ? 0 : keep;
		if (d->mask->dtype == ML_F32)
			ML_F32(d->mask)[i] = (float)v;
		else
			((double *)(void *)d->mask->data)[i] = v;
	}
	return ml_op_into(ML_OP_MUL, m->output, (MlTensor *[]){input, d->mask}, NULL, err);
}

static int
dropout_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	Drop *d = m->priv;
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

	if (!d->masked) {
		borrow(&m->grad_input, grad_output);
		return AC_OK;
	}
	if (!ml_same_shape(grad_output, d->mask) || grad_output->dtype != d->mask->dtype)
		return nn_err(m, err, AC_ESHAPE, "grad_output %s %s, mask %s %s", ml_shape_fmt(grad_output, a),
		              ml_dtype_name(grad_output->dtype), ml_shape_fmt(d->mask, b),
		              ml_dtype_name(d->mask->dtype));
	if (own_like(&m->grad_input, grad_output, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(ML_OP_MUL, m->grad_input, (MlTensor *[]){grad_output, d->mask}, NULL, err);
}

static NnModule *
dropout_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_dropout(nn_hparam_getf(hp, "p", 0.5), seed, err);
}

const NnClass nn_dropout_class = {.type = "Dropout", .update_output = dropout_output,
                                  .update_grad_input = dropout_grad_input, .free_priv = drop_free,
                                  .create = dropout_create};

NnModule *
nn_dropout(double p, uint64_t seed, AcErr *err)
{
	NnModule *m;
	Drop *d;

	if (!(p >= 0 && p <= 1)) {
		ac_err_set(err, AC_EINVAL, "Dropout: p %g outside [0, 1]", p);
		return NULL;
	}
	if ((m = nn_module_new(&nn_dropout_class, sizeof(Drop), err)) == NULL)
		return NULL;
	d = m->priv;
	d->p = p;
	ml_rng_seed(&d->rng, seed);
	nn_hparam_real(m, "p", p);
	return m;
}
