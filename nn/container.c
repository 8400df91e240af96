/*
 * Containers: Sequential, Concat, Parallel (Torch7 nn's) and Residual.
 * Their steps run the children's: update_grad_input walks them in
 * reverse, each given the input it saw in the forward pass and the
 * gradient of its output; acc_grad_parameters walks them again with the
 * same pairs and the caller's scale (Torch7 Sequential.lua, Concat.lua,
 * Parallel.lua).
 *
 * Outputs: Sequential's output and grad_input are its first and last
 * children's tensors, borrowed by taking a reference (no copy); Concat,
 * Parallel and Residual combine their children's tensors into their own.
 */
#include "nn/nn_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct Dims {
	int dim;         /* Concat: the concatenation dimension */
	int input_dim;   /* Parallel: the dimension the input is split along */
	int output_dim;  /* Parallel: the dimension outputs are joined along */
} Dims;

static int seq_output(NnModule *, MlTensor *, AcErr *);
static int seq_grad_input(NnModule *, MlTensor *, MlTensor *, AcErr *);
static int seq_acc(NnModule *, MlTensor *, MlTensor *, double, AcErr *);
static int cat_output(NnModule *, MlTensor *, AcErr *);
static int cat_grad_input(NnModule *, MlTensor *, MlTensor *, AcErr *);
static int cat_acc(NnModule *, MlTensor *, MlTensor *, double, AcErr *);
static int par_output(NnModule *, MlTensor *, AcErr *);
static int par_grad_input(NnModule *, MlTensor *, MlTensor *, AcErr *);
static int par_acc(NnModule *, MlTensor *, MlTensor *, double, AcErr *);
static int res_output(NnModule *, MlTensor *, AcErr *);
static int res_grad_input(NnModule *, MlTensor *, MlTensor *, AcErr *);
static int res_acc(NnModule *, MlTensor *, MlTensor *, double, AcErr *);
static NnModule *seq_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *cat_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *par_create(const NnHparams *hp, uint64_t seed, AcErr *err);
static NnModule *res_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_sequential_class = {.type = "Sequential", .update_output = seq_output,
                                         .update_grad_input = seq_grad_input,
                                         .acc_grad_parameters = seq_acc, .create = seq_create};
const NnClass nn_concat_class = {.type = "Concat", .update_output = cat_output,
                                     .update_grad_input = cat_grad_input,
                                     .acc_grad_parameters = cat_acc, .create = cat_create};
const NnClass nn_parallel_class = {.type = "Parallel", .update_output = par_output,
                                       .update_grad_input = par_grad_input,
                                       .acc_grad_parameters = par_acc, .create = par_create};
const NnClass nn_residual_class = {.type = "Residual", .update_output = res_output,
                                       .update_grad_input = res_grad_input,
                                       .acc_grad_parameters = res_acc, .create = res_create};

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

/* Replaces *slot by a new reference to t. */
static void
borrow(MlTensor **slot, MlTensor *t)
{
	MlTensor *old = *slot;

	*slot = ml_tensor_ref(t);
	ml_tensor_unref(old);
}

/* A dimension counted from the end when negative, or -1 outside ndim. */
static int
norm_dim(int d, int ndim)
{
	if (d < 0)
		d += ndim;
	return d >= 0 && d < ndim ? d : -1;
}

/* ---- the chain Sequential and Residual share ---- */

static int
chain_output(NnModule *m, MlTensor *input, MlTensor **out, AcErr *err)
{
	MlTensor *cur = input;

	for (int i = 0; i < m->nchildren; i++) {
		NnModule *c = m->children[i];
		if (c->cls->update_output(c, cur, err) != AC_OK)
			return code(err, AC_EINVAL);
		cur = c->output;
	}
	*out = cur;
	return AC_OK;
}

/* Child i's input in the last forward pass. */
static MlTensor *
chain_input(NnModule *m, MlTensor *input, int i)
{
	return i == 0 ? input : m->children[i - 1]->output;
}

static int
chain_grad(NnModule *m, MlTensor *input, MlTensor *grad_output, MlTensor **gin, AcErr *err)
{
	MlTensor *g = grad_output;

	for (int i = m->nchildren - 1; i >= 0; i--) {
		NnModule *c = m->children[i];
		if (c->output == NULL)
			return nn_err(m, err, AC_EINVAL, "backward before forward");
		if (c->cls->update_grad_input(c, chain_input(m, input, i), g, err) != AC_OK)
			return code(err, AC_EINVAL);
		g = c->grad_input;
	}
	*gin = g;
	return AC_OK;
}

/* Child i's grad_output is child i+1's grad_input, left by chain_grad. */
static int
chain_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	for (int i = m->nchildren - 1; i >= 0; i--) {
		NnModule *c = m->children[i];
		MlTensor *g = i == m->nchildren - 1 ? grad_output : m->children[i + 1]->grad_input;
		if (c->cls->acc_grad_parameters == NULL)
			continue;
		if (g == NULL)
			return nn_err(m, err, AC_EINVAL, "acc_grad_parameters before update_grad_input");
		if (c->cls->acc_grad_parameters(c, chain_input(m, input, i), g, scale, err) != AC_OK)
			return code(err, AC_EINVAL);
	}
	return AC_OK;
}

/* ---- Sequential ---- */

static int
seq_output(NnModule *m, MlTensor *input, AcErr *err)
{
	MlTensor *out;

	if (chain_output(m, input, &out, err) != AC_OK)
		return code(err, AC_EINVAL);
	borrow(&m->output, out);
	return AC_OK;
}

static int
seq_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	MlTensor *g;

	if (chain_grad(m, input, grad_output, &g, err) != AC_OK)
		return code(err, AC_EINVAL);
	borrow(&m->grad_input, g);
	return AC_OK;
}

static int
seq_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	return chain_acc(m, input, grad_output, scale, err);
}

/* ---- Residual ---- */

static int
res_output(NnModule *m, MlTensor *input, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor *body;

	if (chain_output(m, input, &body, err) != AC_OK)
		return code(err, AC_EINVAL);
	if (!ml_same_shape(body, input) || body->dtype != input->dtype)
		return nn_err(m, err, AC_ESHAPE, "body output %s %s, input %s %s", ml_shape_fmt(body, a),
		              ml_dtype_name(body->dtype), ml_shape_fmt(input, b), ml_dtype_name(input->dtype));
	if (nn_ensure_like(&m->output, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(ML_OP_ADD, m->output, (MlTensor *[]){input, body}, NULL, err);
}

static int
res_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	MlTensor *g;

	if (chain_grad(m, input, grad_output, &g, err) != AC_OK)
		return code(err, AC_EINVAL);
	if (nn_ensure_like(&m->grad_input, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_op_into(ML_OP_ADD, m->grad_input, (MlTensor *[]){grad_output, g}, NULL, err);
}

static int
res_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	return chain_acc(m, input, grad_output, scale, err);
}

/* ---- Concat and Parallel: outputs joined along a dimension ---- */

/* Joins the children's outputs along dim (negative from the end) into
 * m->output. */
static int
join_outputs(NnModule *m, int dim, AcErr *err)
{
	MlTensor **outs;
	const MlTensor *o0;
	int rc;
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int64_t ne[ML_MAX_DIMS];
	int d;

	if (m->nchildren == 0)
		return nn_err(m, err, AC_EINVAL, "no children");
	o0 = m->children[0]->output;
	if ((d = norm_dim(dim, o0->ndim)) < 0)
		return nn_err(m, err, AC_ERANGE, "dimension %d of output %s", dim, ml_shape_fmt(o0, a));
	memcpy(ne, o0->ne, sizeof ne);
	ne[d] = 0;
	for (int i = 0; i < m->nchildren; i++) {
		const MlTensor *o = m->children[i]->output;
		for (int k = 0; k < o0->ndim; k++)
			if (o->ndim != o0->ndim || (k != d && o->ne[k] != o0->ne[k]) || o->dtype != o0->dtype)
				return nn_err(m, err, AC_ESHAPE, "output %d %s %s does not join output 0 %s %s along %d",
				              i, ml_shape_fmt(o, a), ml_dtype_name(o->dtype), ml_shape_fmt(o0, b),
				              ml_dtype_name(o0->dtype), d);
		ne[d] += o->ne[d];
	}
	if (nn_ensure(&m->output, o0->dtype, o0->ndim, ne, err) != AC_OK)
		return code(err, AC_ENOMEM);
	if ((outs = malloc((size_t)m->nchildren * sizeof *outs)) == NULL)
		return nn_err(m, err, AC_ENOMEM, "out of memory");
	for (int i = 0; i < m->nchildren; i++)
		outs[i] = m->children[i]->output;
	rc = ml_concat(m->output, outs, m->nchildren, d, err);
	free(outs);
	return rc;
}

/* Child i's part of grad_output along dim, contiguous (children may
 * assume it); *offset advances past it. Caller unrefs *g. */
static int
grad_part(NnModule *m, MlTensor *grad_output, int dim, int i, int64_t *offset, MlTensor **g,
          AcErr *err)
{
	int d = norm_dim(dim, grad_output->ndim);
	int64_t n = m->children[i]->output->ne[d];
	MlTensor *v = ml_view_slice(grad_output, d, *offset, *offset + n, 1, err);

	*g = NULL;
	if (v == NULL)
		return code(err, AC_ESHAPE);
	*g = ml_tensor_contiguous(v, err);
	ml_tensor_unref(v);
	*offset += n;
	return *g != NULL ? AC_OK : code(err, AC_ENOMEM);
}

static int
cat_output(NnModule *m, MlTensor *input, AcErr *err)
{
	const Dims *dm = m->priv;

	for (int i = 0; i < m->nchildren; i++) {
		NnModule *c = m->children[i];
		if (c->cls->update_output(c, input, err) != AC_OK)
			return code(err, AC_EINVAL);
	}
	return join_outputs(m, dm->dim, err);
}

/* grad_input = the sum of the children's grad_inputs, each for its part
 * of grad_output. */
static int
cat_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	const Dims *dm = m->priv;
	int64_t off = 0;
	int rc = AC_OK;

	if (nn_ensure_like(&m->grad_input, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	for (int i = 0; i < m->nchildren && rc == AC_OK; i++) {
		NnModule *c = m->children[i];
		MlTensor *g;
		if ((rc = grad_part(m, grad_output, dm->dim, i, &off, &g, err)) != AC_OK)
			break;
		rc = c->cls->update_grad_input(c, input, g, err);
		if (rc == AC_OK && i == 0)
			rc = ml_copy(m->grad_input, c->grad_input, err);
		else if (rc == AC_OK)
			rc = nn_axpy(m->grad_input, 1, c->grad_input, err);
		ml_tensor_unref(g);
	}
	return rc;
}

static int
cat_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	const Dims *dm = m->priv;
	int64_t off = 0;
	int rc = AC_OK;

	for (int i = 0; i < m->nchildren && rc == AC_OK; i++) {
		NnModule *c = m->children[i];
		MlTensor *g;
		if ((rc = grad_part(m, grad_output, dm->dim, i, &off, &g, err)) != AC_OK)
			break;
		if (c->cls->acc_grad_parameters != NULL)
			rc = c->cls->acc_grad_parameters(c, input, g, scale, err);
		ml_tensor_unref(g);
	}
	return rc;
}

/* Slice i of input along d with d removed, contiguous; the same tensor
 * values for the forward and both backward steps. */
static int
par_slice(NnModule *m, MlTensor *input, int i, MlTensor **x, AcErr *err)
{
	const Dims *dm = m->priv;
	int d = norm_dim(dm->input_dim, input->ndim);
	MlTensor *v = ml_view_slice(input, d, i, i + 1, 1, err), *s = NULL;

	*x = NULL;
	if (v != NULL)
		s = ml_view_squeeze(v, d, err);
	if (s != NULL)
		*x = ml_tensor_contiguous(s, err);
	ml_tensor_unref(v);
	ml_tensor_unref(s);
	return *x != NULL ? AC_OK : code(err, AC_ENOMEM);
}

static int
par_check(NnModule *m, MlTensor *input, AcErr *err)
{
	const Dims *dm = m->priv;
	char a[ML_SHAPE_BYTES];
	int d = norm_dim(dm->input_dim, input->ndim);

	if (d < 0)
		return nn_err(m, err, AC_ESHAPE, "input %s has no dimension %d", ml_shape_fmt(input, a),
		              dm->input_dim);
	if (input->ne[d] != m->nchildren)
		return nn_err(m, err, AC_ESHAPE, "input %s has %lld slices along %d, want %d (one per child)",
		              ml_shape_fmt(input, a), (long long)input->ne[d], d, m->nchildren);
	return AC_OK;
}

static int
par_output(NnModule *m, MlTensor *input, AcErr *err)
{
	const Dims *dm = m->priv;
	int rc;

	if ((rc = par_check(m, input, err)) != AC_OK)
		return rc;
	for (int i = 0; i < m->nchildren && rc == AC_OK; i++) {
		NnModule *c = m->children[i];
		MlTensor *x;
		if ((rc = par_slice(m, input, i, &x, err)) != AC_OK)
			break;
		rc = c->cls->update_output(c, x, err);
		ml_tensor_unref(x);
	}
	return rc == AC_OK ? join_outputs(m, dm->output_dim, err) : rc;
}

static int
par_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	const Dims *dm = m->priv;
	int d = norm_dim(dm->input_dim, input->ndim);
	int64_t off = 0;
	int rc;

	if ((rc = par_check(m, input, err)) != AC_OK)
		return rc;
	if (nn_ensure_like(&m->grad_input, input, err) != AC_OK)
		return code(err, AC_ENOMEM);
	for (int i = 0; i < m->nchildren && rc == AC_OK; i++) {
		NnModule *c = m->children[i];
		MlTensor *x = NULL, *g = NULL, *v = NULL, *s = NULL;
		if ((rc = par_slice(m, input, i, &x, err)) == AC_OK &&
		    (rc = grad_part(m, grad_output, dm->output_dim, i, &off, &g, err)) == AC_OK &&
		    (rc = c->cls->update_grad_input(c, x, g, err)) == AC_OK) {
			/* child i's grad_input fills slice i of ours */
			if ((v = ml_view_slice(m->grad_input, d, i, i + 1, 1, err)) == NULL ||
			    (s = ml_view_squeeze(v, d, err)) == NULL)
				rc = code(err, AC_ENOMEM);
			else
				rc = ml_copy(s, c->grad_input, err);
		}
		ml_tensor_unref(x);
		ml_tensor_unref(g);
		ml_tensor_unref(v);
		ml_tensor_unref(s);
	}
	return rc;
}

static int
par_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	const Dims *dm = m->priv;
	int64_t off = 0;
	int rc;

	if ((rc = par_check(m, input, err)) != AC_OK)
		return rc;
	for (int i = 0; i < m->nchildren && rc == AC_OK; i++) {
		NnModule *c = m->children[i];
		MlTensor *x = NULL, *g = NULL;
		if ((rc = par_slice(m, input, i, &x, err)) == AC_OK &&
		    (rc = grad_part(m, grad_output, dm->output_dim, i, &off, &g, err)) == AC_OK &&
		    c->cls->acc_grad_parameters != NULL)
			rc = c->cls->acc_grad_parameters(c, x, g, scale, err);
		ml_tensor_unref(x);
		ml_tensor_unref(g);
	}
	return rc;
}

/* ---- constructors ---- */

NnModule *
nn_sequential(AcErr *err)
{
	return nn_module_new(&nn_sequential_class, 0, err);
}

NnModule *
nn_residual(AcErr *err)
{
	return nn_module_new(&nn_residual_class, 0, err);
}

NnModule *
nn_concat(int dim, AcErr *err)
{
	NnModule *m = nn_module_new(&nn_concat_class, sizeof(Dims), err);

	if (m == NULL)
		return NULL;
	((Dims *)m->priv)->dim = dim;
	nn_hparam_int(m, "dim", dim);
	return m;
}

NnModule *
nn_parallel(int input_dim, int output_dim, AcErr *err)
{
	NnModule *m = nn_module_new(&nn_parallel_class, sizeof(Dims), err);
	Dims *dm;

	if (m == NULL)
		return NULL;
	dm = m->priv;
	dm->input_dim = input_dim;
	dm->output_dim = output_dim;
	nn_hparam_int(m, "input_dim", input_dim);
	nn_hparam_int(m, "output_dim", output_dim);
	return m;
}

bool
nn_is_container(const NnModule *m)
{
	return m != NULL && (m->cls == &nn_sequential_class || m->cls == &nn_concat_class ||
	                     m->cls == &nn_parallel_class || m->cls == &nn_residual_class);
}

int
nn_add(NnModule *m, NnModule *child, const char *name, AcErr *err)
{
	char idx[NN_NAME_BYTES];
	NnModule **c;

	if (child == NULL)
		return ac_err_set(err, AC_EINVAL, "add: no child");
	if (!nn_is_container(m)) {
		if (m == NULL)
			return ac_err_set(err, AC_EINVAL, "add: no container");
		return nn_err(m, err, AC_EINVAL, "not a container");
	}
	if (name == NULL) {
		snprintf(idx, sizeof idx, "%d", m->nchildren);
		name = idx;
	}
	if (name[0] == 0 || strlen(name) >= NN_NAME_BYTES || strchr(name, '.') != NULL)
		return nn_err(m, err, AC_EINVAL, "bad child name '%.*s'", NN_NAME_BYTES, name);
	for (int i = 0; i < m->nchildren; i++)
		if (strcmp(m->children[i]->name, name) == 0)
			return nn_err(m, err, AC_EINVAL, "child name '%s' is taken", name);
	if ((c = realloc(m->children, (size_t)(m->nchildren + 1) * sizeof *c)) == NULL)
		return nn_err(m, err, AC_ENOMEM, "out of memory");
	m->children = c;
	snprintf(child->name, sizeof child->name, "%s", name);
	c[m->nchildren++] = child;
	return AC_OK;
}

/* Containers start empty: their children are added after (nn_load adds
 * them from the file). */
static NnModule *
seq_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)hp;
	(void)seed;
	return nn_sequential(err);
}

static NnModule *
res_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)hp;
	(void)seed;
	return nn_residual(err);
}

static NnModule *
cat_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return nn_concat((int)nn_hparam_geti(hp, "dim", 1), err);
}

static NnModule *
par_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	(void)seed;
	return nn_parallel((int)nn_hparam_geti(hp, "input_dim", 1), (int)nn_hparam_geti(hp, "output_dim", 1), err);
}
