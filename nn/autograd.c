/*
 * The autograd tape: variables, the nodes recorded in creation order,
 * and the reverse walk that accumulates gradients. The gradient of each
 * op is in grad.c.
 */
#include "nn/nn_impl.h"

#include <stdlib.h>
#include <string.h>

struct NnVar {
	NnTape *tape;
	MlTensor *value;           /* one reference */
	MlTensor *grad;            /* one reference, or NULL */
	bool requires_grad;
	int node;                  /* index of the node that made it, -1 for a leaf */
};

/* One recorded op: out = op(in[..]; params). */
typedef struct Node {
	MlOp op;
	int nin;
	NnVar *in[ML_OP_MAX_INPUTS];   /* NULL for an absent optional input */
	MlOpParams params;
	NnVar *out;
} Node;

struct NnTape {
	NnVar **vars;              /* owned, in creation order */
	int nvars, capvars;
	Node *nodes;               /* in creation order: a topological order */
	int nnodes, capnodes;
	bool no_grad;
};

NnTape *
nn_tape_new(AcErr *err)
{
	return ac_calloc(1, sizeof(NnTape), "tape", err);
}

void
nn_tape_clear(NnTape *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nvars; i++) {
		ml_tensor_unref(t->vars[i]->value);
		ml_tensor_unref(t->vars[i]->grad);
		free(t->vars[i]);
	}
	t->nvars = 0;
	t->nnodes = 0;
}

void
nn_tape_free(NnTape *t)
{
	if (t == NULL)
		return;
	nn_tape_clear(t);
	free(t->vars);
	free(t->nodes);
	free(t);
}

static bool
is_float(MlDtype dt)
{
	return ml_dtype_kind(dt) == ML_KIND_FLOAT;
}

/* A new variable over value (reference taken) on t. */
static NnVar *
var_new(NnTape *t, MlTensor *value, bool requires_grad, AcErr *err)
{
	NnVar *v;

	if (t->nvars == t->capvars) {
		int cap = t->capvars ? 2 * t->capvars : 64;
		NnVar **nv = ac_realloc(t->vars, (size_t)cap * sizeof *nv, "tape", err);
		if (nv == NULL)
			return NULL;
		t->vars = nv;
		t->capvars = cap;
	}
	if ((v = ac_calloc(1, sizeof *v, "tape", err)) == NULL)
		return NULL;
	v->tape = t;
	v->value = ml_tensor_ref(value);
	v->requires_grad = requires_grad;
	v->node = -1;
	t->vars[t->nvars++] = v;
	return v;
}

NnVar *
nn_var(NnTape *t, MlTensor *value, bool requires_grad, AcErr *err)
{
	if (t == NULL || value == NULL) {
		ac_err_set(err, AC_EINVAL, "autograd: nil %s", t == NULL ? "tape" : "value");
		return NULL;
	}
	if (requires_grad && !is_float(value->dtype)) {
		ac_err_set(err, AC_EDTYPE, "autograd: only floating-point values can require grad (%s)",
		           ml_dtype_name(value->dtype));
		return NULL;
	}
	return var_new(t, value, requires_grad, err);
}

NnVar *
nn_var_param(NnTape *t, NnParam *p, AcErr *err)
{
	NnVar *v;

	if (p == NULL || p->grad == NULL) {
		ac_err_set(err, AC_EINVAL, "autograd: %s%s is not a parameter", p ? "buffer " : "nil",
		           p ? p->name : "");
		return NULL;
	}
	if (!ml_same_shape(p->value, p->grad) || p->value->dtype != p->grad->dtype ||
	    !ml_tensor_is_contiguous(p->grad)) {
		ac_err_set(err, AC_ESHAPE, "autograd: parameter %s: grad unlike value", p->name);
		return NULL;
	}
	if ((v = nn_var(t, p->value, true, err)) != NULL)
		v->grad = ml_tensor_ref(p->grad);
	return v;
}

NnVar *
nn_var_detach(NnTape *t, NnVar *v, AcErr *err)
{
	if (t == NULL || v == NULL || v->tape != t) {
		ac_err_set(err, AC_EINVAL, "autograd: detach of a variable of another tape");
		return NULL;
	}
	return var_new(t, v->value, false, err);
}

MlTensor *
nn_var_value(const NnVar *v)
{
	return v != NULL ? v->value : NULL;
}

MlTensor *
nn_var_grad(const NnVar *v)
{
	return v != NULL ? v->grad : NULL;
}

bool
nn_var_requires_grad(const NnVar *v)
{
	return v != NULL && v->requires_grad;
}

bool
nn_tape_no_grad(NnTape *t, bool on)
{
	bool was = t->no_grad;

	t->no_grad = on;
	return was;
}

bool
nn_op_has_grad(MlOp op)
{
	return nn_grad_kind(op) == NN_GRAD_FN;
}

/* A new variable over y (the caller's reference is consumed), recorded
 * as op(in..) when need is set. */
static NnVar *
record(NnTape *t, MlOp op, NnVar *const *in, int nin, const MlOpParams *params, MlTensor *y,
       bool need, AcErr *err)
{
	NnVar *v;

	if (need && t->nnodes == t->capnodes) {
		int cap = t->capnodes ? 2 * t->capnodes : 64;
		Node *nn = ac_realloc(t->nodes, (size_t)cap * sizeof *nn, "tape", err);
		if (nn == NULL) {
			ml_tensor_unref(y);
			return NULL;
		}
		t->nodes = nn;
		t->capnodes = cap;
	}
	v = var_new(t, y, need, err);
	ml_tensor_unref(y);
	if (v == NULL || !need)
		return v;
	Node *n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof *n);
	n->op = op;
	n->nin = nin;
	for (int i = 0; i < nin; i++)
		n->in[i] = in[i];
	n->params = *params;
	n->out = v;
	v->node = t->nnodes++;
	return v;
}

NnVar *
nn_var_op(NnTape *t, MlOp op, NnVar *const *in, int nin, const MlOpParams *params, AcErr *err)
{
	MlTensor *vals[ML_OP_MAX_INPUTS] = {NULL}, *y;
	MlOpParams none = {0};
	bool need = false;

	if (t == NULL || (unsigned)op >= ML_OP_COUNT || nin < 1 || nin > ML_OP_MAX_INPUTS ||
	    in == NULL) {
		ac_err_set(err, AC_EINVAL, "autograd: bad op, tape or input count %d", nin);
		return NULL;
	}
	for (int i = 0; i < nin; i++) {
		if (in[i] == NULL)
			continue;
		if (in[i]->tape != t) {
			ac_err_set(err, AC_EINVAL, "autograd: %s: input %d is of another tape",
			           ml_op_name(op), i + 1);
			return NULL;
		}
		vals[i] = in[i]->value;
		need |= in[i]->requires_grad;
	}
	need &= !t->no_grad;
	if (need && nn_grad_kind(op) == NN_GRAD_NONE) {
		ac_err_set(err, AC_EINVAL, "autograd: no gradient for op '%s'", ml_op_name(op));
		return NULL;
	}
	if (params == NULL)
		params = &none;
	if ((y = ml_op(op, vals, params, err)) == NULL)
		return NULL;
	need &= nn_grad_kind(op) == NN_GRAD_FN && is_float(y->dtype);
	return record(t, op, in, nin, params, y, need, err);
}

/* Reshapes are not ml ops: their nodes carry this op number. */
#define OP_RESHAPE ML_OP_COUNT

NnVar *
nn_var_reshape(NnTape *t, NnVar *v, int ndim, const int64_t *ne, AcErr *err)
{
	MlTensor *y;

	if (t == NULL || v == NULL || v->tape != t) {
		ac_err_set(err, AC_EINVAL, "autograd: reshape of a variable of another tape");
		return NULL;
	}
	if ((y = ml_tensor_reshape_copy(v->value, ndim, ne, err)) == NULL)
		return NULL;
	return record(t, OP_RESHAPE, &v, 1, &(MlOpParams){0}, y,
	              v->requires_grad && !t->no_grad, err);
}

/* v->grad += g, g of v's dtype and a shape that broadcasts to v's. */
static int
accumulate(NnVar *v, MlTensor *g, AcErr *err)
{
	MlTensor *c = NULL;
	int rc;

	if (v->grad == NULL &&
	    (v->grad = ml_tensor_zeros(v->value->dtype, v->value->ndim, v->value->ne, err)) == NULL)
		return err->code;
	if (g->dtype != v->grad->dtype) {
		if ((c = ml_cast(g, v->grad->dtype, err)) == NULL)
			return err->code;
		g = c;
	}
	rc = ml_op_into(ML_OP_ADD, v->grad, (MlTensor *[]){v->grad, g}, NULL, err);
	ml_tensor_unref(c);
	return rc;
}

int
nn_tape_backward(NnTape *t, NnVar *root, const MlTensor *grad_root, AcErr *err)
{
	AcErr local;
	MlTensor *seed = NULL;
	char s[ML_SHAPE_BYTES], s2[ML_SHAPE_BYTES];
	int rc;

	if (err == NULL)
		err = &local;
	if (t == NULL || root == NULL || root->tape != t)
		return ac_err_set(err, AC_EINVAL, "autograd: backward from a variable of another tape");
	if (!root->requires_grad)
		return ac_err_set(err, AC_EINVAL, "autograd: root does not require grad");
	if (grad_root == NULL) {
		if (ml_tensor_numel(root->value) != 1)
			return ac_err_set(err, AC_EINVAL, "autograd: grad_root is needed for a root of shape %s",
			                  ml_shape_fmt(root->value, s));
		seed = ml_tensor_zeros(root->value->dtype, root->value->ndim, root->value->ne, err);
		if (seed == NULL || ml_fill(seed, 1, err) != AC_OK) {
			ml_tensor_unref(seed);
			return err->code;
		}
	} else if (!ml_same_shape(grad_root, root->value)) {
		return ac_err_set(err, AC_ESHAPE, "autograd: grad_root %s, root %s",
		                  ml_shape_fmt(grad_root, s), ml_shape_fmt(root->value, s2));
	} else if (grad_root->dtype != root->value->dtype) {
		return ac_err_set(err, AC_EDTYPE, "autograd: grad_root %s, root %s",
		                  ml_dtype_name(grad_root->dtype), ml_dtype_name(root->value->dtype));
	}
	/* Intermediate gradients hold one backward's sums only. */
	for (int i = 0; i < t->nnodes; i++) {
		ml_tensor_unref(t->nodes[i].out->grad);
		t->nodes[i].out->grad = NULL;
	}
	rc = accumulate(root, seed != NULL ? seed : (MlTensor *)grad_root, err);
	ml_tensor_unref(seed);
	for (int i = root->node; i >= 0 && rc == AC_OK; i--) {
		Node *n = &t->nodes[i];
		MlTensor *vals[ML_OP_MAX_INPUTS] = {NULL}, *gin[ML_OP_MAX_INPUTS] = {NULL};
		bool needs[ML_OP_MAX_INPUTS] = {false}, any = false;

		if (n->out->grad == NULL)
			continue; /* root does not depend on it */
		for (int k = 0; k < n->nin; k++) {
			if (n->in[k] == NULL)
				continue;
			vals[k] = n->in[k]->value;
			needs[k] = n->in[k]->requires_grad;
			any |= needs[k];
		}
		if (!any)
			continue;
		if (n->op == OP_RESHAPE)
			rc = (gin[0] = ml_tensor_reshape_copy(n->out->grad, vals[0]->ndim, vals[0]->ne,
			                                      err)) != NULL ? AC_OK : err->code;
		else
			rc = nn_grad_backward(n->op, vals, n->nin, &n->params, n->out->value,
			                      n->out->grad, needs, gin, err);
		for (int k = 0; k < n->nin; k++) {
			if (rc == AC_OK && gin[k] != NULL)
				rc = accumulate(n->in[k], gin[k], err);
			ml_tensor_unref(gin[k]);
		}
	}
	return rc;
}

void
nn_tape_zero_grad(NnTape *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nvars; i++) {
		NnVar *v = t->vars[i];
		if (v->grad == NULL)
			continue;
		if (v->node < 0) {
			ml_fill(v->grad, 0, NULL);
		} else {
			ml_tensor_unref(v->grad);
			v->grad = NULL;
		}
	}
}
