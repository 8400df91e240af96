/*
 * onnx: the graph interpreter.  Each node's inputs are looked up by name
 * in an environment, its op is mapped onto ml (ops[] below), and its
 * output joins the environment.  Tensors are never written after they
 * are made, so views may share storage freely.
 */
#include "onnx/onnx_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	MAX_IN = 64,                   /* most inputs one node may have (Concat, Max) */
	MAX_INTS = 16,                 /* most entries of a shape or axes list */
	MAX_OUT = 16,                  /* most outputs one node may have (Split) */
};

typedef struct Env {
	int n, cap;
	const char **name;             /* borrowed from the model */
	MlTensor **t;                  /* one reference each */
} Env;

typedef struct Ctx {
	const OnnxModel *m;
	const Onnx__NodeProto *n;
	int64_t opset;
	int nin;                       /* node->n_input */
	MlTensor *in[MAX_IN];          /* borrowed from env; NULL for an absent optional input */
	char *unsup;                   /* ONNX_NAME_BYTES or NULL */
	AcErr *err;
	MlTensor *extra[MAX_OUT];      /* outputs 1.. of a multi-output op; owned */
} Ctx;

typedef struct OpDef OpDef;
typedef int (*OpFn)(Ctx *c, const OpDef *d, MlTensor **out);
struct OpDef {
	const char *name;              /* ONNX op_type */
	OpFn fn;
	int ml;                        /* MlOp, where one maps */
	const char *attrs;             /* the attributes understood, space separated */
};

/* ---- helpers ---- */

static int
unsupported(Ctx *c, const char *fmt, ...)
{
	char msg[AC_ERR_MSG_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->unsup != NULL)
		snprintf(c->unsup, ONNX_NAME_BYTES, "%s", c->n->op_type);
	return ac_err_set(c->err, AC_EDTYPE, "%s: %s", c->n->op_type, msg);
}

static int
fail_code(Ctx *c)
{
	return c->err != NULL && c->err->code != AC_OK ? c->err->code : AC_EINVAL;
}

static const Onnx__AttributeProto *
attr(const Ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n->n_attribute; i++)
		if (strcmp(c->n->attribute[i]->name, name) == 0)
			return c->n->attribute[i];
	return NULL;
}

static int64_t
attr_i(const Ctx *c, const char *name, int64_t def)
{
	const Onnx__AttributeProto *a = attr(c, name);

	return a != NULL ? a->i : def;
}

static double
attr_f(const Ctx *c, const char *name, double def)
{
	const Onnx__AttributeProto *a = attr(c, name);

	return a != NULL ? (double)a->f : def;
}

/* Whether string attribute name equals s (def when absent). */
static int
attr_s_is(const Ctx *c, const char *name, const char *s, int def)
{
	const Onnx__AttributeProto *a = attr(c, name);

	if (a == NULL)
		return def;
	return a->s.len == strlen(s) && memcmp(a->s.data, s, a->s.len) == 0;
}

/* The ints of an i64 (or i32) tensor, at most MAX_INTS. */
static int
tensor_ints(Ctx *c, const MlTensor *t, int64_t *v, int *n)
{
	MlTensor *x;
	int64_t numel = ml_tensor_numel(t);

	if (ml_dtype_kind(t->dtype) != ML_KIND_INT)
		return unsupported(c, "index input of dtype %s", ml_dtype_name(t->dtype));
	if (numel > MAX_INTS)
		return unsupported(c, "index input of %" PRId64 " entries", numel);
	x = ml_cast(t, ML_I64, c->err);
	if (x == NULL)
		return fail_code(c);
	memcpy(v, x->data, (size_t)numel * sizeof *v);
	*n = (int)numel;
	ml_tensor_unref(x);
	return AC_OK;
}

/* The ints of attribute name, or of input k from opset `from` on; *n = -1
 * when neither is given. */
static int
ints_arg(Ctx *c, const char *name, int k, int64_t from, int64_t *v, int *n)
{
	*n = -1;
	if (c->opset >= from) {
		if (k < c->nin && c->in[k] != NULL)
			return tensor_ints(c, c->in[k], v, n);
		return AC_OK;
	}
	const Onnx__AttributeProto *a = attr(c, name);
	if (a == NULL)
		return AC_OK;
	if (a->n_ints > MAX_INTS)
		return unsupported(c, "attribute %s of %zu entries", name, a->n_ints);
	for (size_t i = 0; i < a->n_ints; i++)
		v[i] = a->ints[i];
	*n = (int)a->n_ints;
	return AC_OK;
}

/* Normalizes axis a (negative counts from the end) for rank r. */
static int
norm_axis(Ctx *c, int64_t a, int r, int *out)
{
	if (a < -r || a >= (r > 0 ? r : 1)) {
		ac_err_set(c->err, AC_ERANGE, "%s: axis %" PRId64 " of a rank-%d tensor", c->n->op_type, a, r);
		return AC_ERANGE;
	}
	*out = (int)(a < 0 ? a + r : a);
	return AC_OK;
}

static MlTensor *
scalar(MlDtype dt, double v, AcErr *err)
{
	MlTensor *t = ml_tensor_empty(dt, 0, NULL, err);

	if (t != NULL && ml_fill(t, v, err) != AC_OK) {
		ml_tensor_unref(t);
		return NULL;
	}
	return t;
}

/* NumPy broadcast of two shapes. */
static int
bcast(Ctx *c, int na, const int64_t *a, int nb, const int64_t *b, int *nout, int64_t *out)
{
	int n = na > nb ? na : nb;

	if (n > ML_MAX_DIMS)
		return unsupported(c, "rank %d", n);
	for (int k = 0; k < n; k++) {
		int64_t x = k - (n - na) >= 0 ? a[k - (n - na)] : 1;
		int64_t y = k - (n - nb) >= 0 ? b[k - (n - nb)] : 1;

		if (x != y && x != 1 && y != 1)
			return ac_err_set(c->err, AC_ESHAPE, "%s: shapes do not broadcast at dimension %d (%" PRId64 " and %" PRId64 ")",
			                  c->n->op_type, k, x, y);
		out[k] = x == 1 ? y : x;
	}
	*nout = n;
	return AC_OK;
}

static int
done(Ctx *c, MlTensor *t, MlTensor **out)
{
	*out = t;
	return t != NULL ? AC_OK : fail_code(c);
}

/* ---- element-wise ---- */

static int
op_binary(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOp op = (MlOp)d->ml;
	MlTensor *acc, *b = NULL, *in[2];
	int n = 0;

	if (strcmp(d->name, "Mod") == 0 && attr_i(c, "fmod", 0) != 0)
		op = ML_OP_FMOD;
	for (int k = 0; k < c->nin; k++)
		if (c->in[k] != NULL)
			n++;
	if (n == 0 || c->in[0] == NULL)
		return ac_err_set(c->err, AC_EINVAL, "%s: no inputs", d->name);
	acc = ml_tensor_ref(c->in[0]);
	for (int k = 1; k < c->nin; k++) {
		MlTensor *r;

		if (c->in[k] == NULL)
			continue;
		b = ml_tensor_ref(c->in[k]);
		if (strcmp(d->name, "Pow") == 0 && b->dtype != acc->dtype) {
			MlTensor *cb = ml_cast(b, acc->dtype, c->err);

			ml_tensor_unref(b);
			if ((b = cb) == NULL)
				goto fail;
		}
		in[0] = acc;
		in[1] = b;
		r = ml_op(op, in, NULL, c->err);
		ml_tensor_unref(b);
		b = NULL;
		ml_tensor_unref(acc);
		if ((acc = r) == NULL)
			goto fail;
	}
	if (strcmp(d->name, "Mean") == 0 && n > 1) {
		MlTensor *r;

		if ((b = scalar(acc->dtype, n, c->err)) == NULL)
			goto fail;
		in[0] = acc;
		in[1] = b;
		r = ml_op(ML_OP_DIV, in, NULL, c->err);
		ml_tensor_unref(b);
		ml_tensor_unref(acc);
		if ((acc = r) == NULL)
			goto fail;
	}
	*out = acc;
	return AC_OK;
fail:
	ml_tensor_unref(acc);
	return fail_code(c);
}

static int
op_unary(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {0};
	MlOp op = (MlOp)d->ml;
	const char *nm = d->name;
	MlTensor *in[2] = {c->in[0], NULL};

	if (strcmp(nm, "LeakyRelu") == 0)
		p.p[0] = attr_f(c, "alpha", 0.01);
	else if (strcmp(nm, "Elu") == 0 || strcmp(nm, "Celu") == 0)
		p.p[0] = attr_f(c, "alpha", 1.0);
	else if (strcmp(nm, "HardSigmoid") == 0) {
		p.p[0] = attr_f(c, "alpha", 0.2);
		p.p[1] = attr_f(c, "beta", 0.5);
	} else if (strcmp(nm, "HardSwish") == 0) {
		p.p[0] = 1.0 / 6;
		p.p[1] = 0.5;
	} else if (strcmp(nm, "Gelu") == 0) {
		if (attr_s_is(c, "approximate", "tanh", 0))
			op = ML_OP_GELU_TANH;
		else if (!attr_s_is(c, "approximate", "none", 1))
			return unsupported(c, "approximate is neither none nor tanh");
	} else if (strcmp(nm, "Selu") == 0) {
		/* gamma * elu_alpha(x), so that any alpha and gamma work */
		MlTensor *e, *g, *r;

		p.p[0] = attr_f(c, "alpha", 1.67326319217681884765625);
		if ((e = ml_op(ML_OP_ELU, in, &p, c->err)) == NULL)
			return fail_code(c);
		if ((g = scalar(e->dtype, attr_f(c, "gamma", 1.05070102214813232421875), c->err)) == NULL) {
			ml_tensor_unref(e);
			return fail_code(c);
		}
		in[0] = e;
		in[1] = g;
		r = ml_op(ML_OP_MUL, in, NULL, c->err);
		ml_tensor_unref(e);
		ml_tensor_unref(g);
		return done(c, r, out);
	}
	return done(c, ml_op(op, in, &p, c->err), out);
}

/* Clip: max(x, min) then min(., max), the bounds attributes before opset
 * 11 and optional inputs after. */
static int
op_clip(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *x = ml_tensor_ref(c->in[0]), *bound[2] = {NULL, NULL}, *in[2], *r;
	static const MlOp ops[2] = {ML_OP_MAXIMUM, ML_OP_MINIMUM};

	if (c->opset < 11) {
		if (attr(c, "min") != NULL)
			bound[0] = scalar(x->dtype, attr_f(c, "min", 0), c->err);
		if (attr(c, "max") != NULL)
			bound[1] = scalar(x->dtype, attr_f(c, "max", 0), c->err);
	} else {
		for (int k = 0; k < 2; k++)
			if (k + 1 < c->nin && c->in[k + 1] != NULL)
				bound[k] = ml_tensor_ref(c->in[k + 1]);
	}
	for (int k = 0; k < 2; k++) {
		if (bound[k] == NULL)
			continue;
		in[0] = x;
		in[1] = bound[k];
		r = ml_op(ops[k], in, NULL, c->err);
		ml_tensor_unref(x);
		if ((x = r) == NULL)
			break;
	}
	ml_tensor_unref(bound[0]);
	ml_tensor_unref(bound[1]);
	return done(c, x, out);
}

static int
op_where(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t ne[ML_MAX_DIMS], ne2[ML_MAX_DIMS];
	int n, n2;
	MlTensor *r;

	if (bcast(c, c->in[0]->ndim, c->in[0]->ne, c->in[1]->ndim, c->in[1]->ne, &n, ne) != AC_OK ||
	    bcast(c, n, ne, c->in[2]->ndim, c->in[2]->ne, &n2, ne2) != AC_OK)
		return fail_code(c);
	if ((r = ml_tensor_empty(c->in[1]->dtype, n2, ne2, c->err)) == NULL)
		return fail_code(c);
	if (ml_where(r, c->in[0], c->in[1], c->in[2], c->err) != AC_OK) {
		ml_tensor_unref(r);
		return fail_code(c);
	}
	*out = r;
	return AC_OK;
}

/* ---- reductions ---- */

static int
op_reduce(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t axes[MAX_INTS];
	int n, a, r = c->in[0]->ndim;
	MlOpParams p = {0};

	if (ints_arg(c, "axes", 1, strcmp(d->name, "ReduceSum") == 0 ? 13 : 18, axes, &n) != AC_OK)
		return fail_code(c);
	p.keepdim = attr_i(c, "keepdims", 1) != 0;
	if (n <= 0) {
		if (attr_i(c, "noop_with_empty_axes", 0) != 0)
			return done(c, ml_tensor_ref(c->in[0]), out);
		p.axes = 0;
		if (r == 0)
			p.axes = 0;
	} else {
		for (int k = 0; k < n; k++) {
			if (norm_axis(c, axes[k], r, &a) != AC_OK)
				return fail_code(c);
			p.axes |= 1u << a;
		}
	}
	if (r > 0 && p.axes == 0)
		p.axes = (1u << r) - 1;
	return done(c, ml_op((MlOp)d->ml, c->in, &p, c->err), out);
}

static int
op_argreduce(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {0};
	MlTensor *x = c->in[0], *rev, *idx, *last, *in[2];
	int a;

	if (norm_axis(c, attr_i(c, "axis", 0), x->ndim, &a) != AC_OK)
		return fail_code(c);
	p.axes = x->ndim > 0 ? 1u << a : 0;
	p.keepdim = attr_i(c, "keepdims", 1) != 0;
	if (attr_i(c, "select_last_index", 0) == 0 || x->ndim == 0 || x->ne[a] == 0)
		return done(c, ml_op((MlOp)d->ml, c->in, &p, c->err), out);
	/* the last extreme: the first one along the reversed axis, at n-1-i */
	if ((rev = ml_view_slice(x, a, x->ne[a] - 1, -1, -1, c->err)) == NULL)
		return fail_code(c);
	idx = ml_op((MlOp)d->ml, &rev, &p, c->err);
	ml_tensor_unref(rev);
	if (idx == NULL)
		return fail_code(c);
	if ((last = scalar(ML_I64, (double)(x->ne[a] - 1), c->err)) == NULL) {
		ml_tensor_unref(idx);
		return fail_code(c);
	}
	in[0] = last;
	in[1] = idx;
	*out = ml_op(ML_OP_SUB, in, NULL, c->err);
	ml_tensor_unref(last);
	ml_tensor_unref(idx);
	return *out != NULL ? AC_OK : fail_code(c);
}

/* ---- shapes, views and copies ---- */

static int
op_identity(Ctx *c, const OpDef *d, MlTensor **out)
{
	return done(c, ml_tensor_ref(c->in[0]), out);
}

static int
op_cast(Ctx *c, const OpDef *d, MlTensor **out)
{
	int dt;

	if (strcmp(d->name, "CastLike") == 0)
		dt = c->in[1]->dtype;
	else if ((dt = onnx_dtype(attr_i(c, "to", 0))) < 0)
		return unsupported(c, "to ONNX data type %" PRId64, attr_i(c, "to", 0));
	return done(c, ml_cast(c->in[0], (MlDtype)dt, c->err), out);
}

static int
reshape_to(Ctx *c, int n, const int64_t *ne, MlTensor **out)
{
	if (n > ML_MAX_DIMS)
		return unsupported(c, "rank %d", n);
	return done(c, ml_tensor_reshape_copy(c->in[0], n, ne, c->err), out);
}

static int
op_reshape(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t ne[MAX_INTS], known = 1, numel = ml_tensor_numel(c->in[0]);
	int n, infer = -1, allowzero = attr_i(c, "allowzero", 0) != 0;

	if (c->opset < 5)
		return unsupported(c, "shape as an attribute (opset %" PRId64 ")", c->opset);
	if (tensor_ints(c, c->in[1], ne, &n) != AC_OK)
		return fail_code(c);
	for (int k = 0; k < n; k++) {
		if (ne[k] == 0 && !allowzero) {
			if (k >= c->in[0]->ndim)
				return ac_err_set(c->err, AC_ESHAPE, "Reshape: 0 at %d past the input's rank", k);
			ne[k] = c->in[0]->ne[k];
		}
		if (ne[k] == -1) {
			if (infer >= 0)
				return ac_err_set(c->err, AC_ESHAPE, "Reshape: two -1 in the shape");
			infer = k;
		} else
			known *= ne[k];
	}
	if (infer >= 0) {
		if (known == 0 || numel % known != 0)
			return ac_err_set(c->err, AC_ESHAPE, "Reshape: cannot infer dimension %d", infer);
		ne[infer] = numel / known;
	}
	return reshape_to(c, n, ne, out);
}

static int
op_flatten(Ctx *c, const OpDef *d, MlTensor **out)
{
	int r = c->in[0]->ndim, a;
	int64_t ax = attr_i(c, "axis", 1), ne[2] = {1, 1};

	if (ax < -r || ax > r)
		return ac_err_set(c->err, AC_ERANGE, "Flatten: axis %" PRId64 " of rank %d", ax, r);
	a = (int)(ax < 0 ? ax + r : ax);
	for (int k = 0; k < r; k++)
		ne[k < a ? 0 : 1] *= c->in[0]->ne[k];
	return reshape_to(c, 2, ne, out);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
op_squeeze(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t axes[MAX_INTS];
	int n, a, r = c->in[0]->ndim;
	MlTensor *t, *v;

	if (ints_arg(c, "axes", 1, 13, axes, &n) != AC_OK)
		return fail_code(c);
	if (n < 0)
		return done(c, ml_view_squeeze(c->in[0], -1, c->err), out);
	for (int k = 0; k < n; k++) {
		if (norm_axis(c, axes[k], r, &a) != AC_OK)
			return fail_code(c);
		axes[k] = a;
	}
	qsort(axes, (size_t)n, sizeof *axes, cmp_i64);
	t = ml_tensor_ref(c->in[0]);
	for (int k = n - 1; k >= 0; k--) {
		if (k + 1 < n && axes[k] == axes[k + 1])
			continue;
		if (t->ne[axes[k]] != 1) {
			ml_tensor_unref(t);
			return ac_err_set(c->err, AC_ESHAPE, "Squeeze: dimension %" PRId64 " has size %" PRId64,
			                  axes[k], c->in[0]->ne[axes[k]]);
		}
		v = ml_view_squeeze(t, (int)axes[k], c->err);
		ml_tensor_unref(t);
		if ((t = v) == NULL)
			return fail_code(c);
	}
	*out = t;
	return AC_OK;
}

static int
op_unsqueeze(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t axes[MAX_INTS];
	int n, a, r;
	MlTensor *t, *v;

	if (ints_arg(c, "axes", 1, 13, axes, &n) != AC_OK)
		return fail_code(c);
	if (n < 0)
		return ac_err_set(c->err, AC_EINVAL, "Unsqueeze: no axes");
	r = c->in[0]->ndim + n;
	if (r > ML_MAX_DIMS)
		return unsupported(c, "rank %d", r);
	for (int k = 0; k < n; k++) {
		if (norm_axis(c, axes[k], r, &a) != AC_OK)
			return fail_code(c);
		axes[k] = a;
	}
	qsort(axes, (size_t)n, sizeof *axes, cmp_i64);
	t = ml_tensor_ref(c->in[0]);
	for (int k = 0; k < n; k++) {
		v = ml_view_unsqueeze(t, (int)axes[k], c->err);
		ml_tensor_unref(t);
		if ((t = v) == NULL)
			return fail_code(c);
	}
	*out = t;
	return AC_OK;
}

static int
op_transpose(Ctx *c, const OpDef *d, MlTensor **out)
{
	const Onnx__AttributeProto *a = attr(c, "perm");
	int r = c->in[0]->ndim, perm[ML_MAX_DIMS];

	for (int k = 0; k < r; k++)
		perm[k] = r - 1 - k;
	if (a != NULL) {
		if ((int)a->n_ints != r)
			return ac_err_set(c->err, AC_ESHAPE, "Transpose: perm of %zu for rank %d", a->n_ints, r);
		for (int k = 0; k < r; k++)
			perm[k] = (int)a->ints[k];
	}
	return done(c, ml_view_permute(c->in[0], perm, c->err), out);
}

static int
op_expand(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t shape[MAX_INTS], ne[ML_MAX_DIMS];
	int n, nout;

	if (tensor_ints(c, c->in[1], shape, &n) != AC_OK ||
	    bcast(c, c->in[0]->ndim, c->in[0]->ne, n, shape, &nout, ne) != AC_OK)
		return fail_code(c);
	return done(c, ml_view_expand(c->in[0], nout, ne, c->err), out);
}

static int
op_slice(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t st[MAX_INTS], en[MAX_INTS], ax[MAX_INTS], sp[MAX_INTS];
	int ns, ne_, na = -1, np = -1, r = c->in[0]->ndim, a;
	MlTensor *t, *v;

	if (c->opset < 10) {
		if (ints_arg(c, "starts", 1, 99, st, &ns) != AC_OK ||
		    ints_arg(c, "ends", 1, 99, en, &ne_) != AC_OK ||
		    ints_arg(c, "axes", 1, 99, ax, &na) != AC_OK)
			return fail_code(c);
	} else {
		if (ints_arg(c, "starts", 1, 10, st, &ns) != AC_OK ||
		    ints_arg(c, "ends", 2, 10, en, &ne_) != AC_OK ||
		    ints_arg(c, "axes", 3, 10, ax, &na) != AC_OK ||
		    ints_arg(c, "steps", 4, 10, sp, &np) != AC_OK)
			return fail_code(c);
	}
	if (ns != ne_ || (na >= 0 && na != ns) || (np >= 0 && np != ns))
		return ac_err_set(c->err, AC_ESHAPE, "Slice: starts, ends, axes and steps differ in length");
	t = ml_tensor_ref(c->in[0]);
	for (int k = 0; k < ns; k++) {
		int64_t step = np >= 0 ? sp[k] : 1, dim, s = st[k], e = en[k];

		if (norm_axis(c, na >= 0 ? ax[k] : k, r, &a) != AC_OK)
			goto fail;
		if (step == 0) {
			ac_err_set(c->err, AC_EINVAL, "Slice: step 0");
			goto fail;
		}
		dim = t->ne[a];
		if (s < 0)
			s += dim;
		if (e < 0)
			e += dim;
		if (step > 0) {
			s = s < 0 ? 0 : s > dim ? dim : s;
			e = e < 0 ? 0 : e > dim ? dim : e;
			if (e < s)
				e = s;
		} else {
			s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
			e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
			if (e > s)
				e = s;
		}
		v = ml_view_slice(t, a, s, e, step, c->err);
		ml_tensor_unref(t);
		if ((t = v) == NULL)
			return fail_code(c);
	}
	*out = t;
	return AC_OK;
fail:
	ml_tensor_unref(t);
	return fail_code(c);
}

static int
op_shape(Ctx *c, const OpDef *d, MlTensor **out)
{
	int r = c->in[0]->ndim;
	int64_t s = attr_i(c, "start", 0), e = attr_i(c, "end", r), n;
	MlTensor *t;

	if (s < 0)
		s += r;
	if (e < 0)
		e += r;
	s = s < 0 ? 0 : s > r ? r : s;
	e = e < 0 ? 0 : e > r ? r : e;
	n = e > s ? e - s : 0;
	if ((t = ml_tensor_empty(ML_I64, 1, &n, c->err)) == NULL)
		return fail_code(c);
	for (int64_t k = 0; k < n; k++)
		((int64_t *)(void *)t->data)[k] = c->in[0]->ne[s + k];
	*out = t;
	return AC_OK;
}

static int
op_size(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *t = ml_tensor_empty(ML_I64, 0, NULL, c->err);

	if (t != NULL)
		*(int64_t *)(void *)t->data = ml_tensor_numel(c->in[0]);
	return done(c, t, out);
}

static int
op_concat(Ctx *c, const OpDef *d, MlTensor **out)
{
	const MlTensor *x = c->in[0];
	int64_t ne[ML_MAX_DIMS], off = 0;
	int a;
	MlTensor *t, *v;

	if (norm_axis(c, attr_i(c, "axis", 0), x->ndim, &a) != AC_OK)
		return fail_code(c);
	memcpy(ne, x->ne, sizeof ne);
	ne[a] = 0;
	for (int k = 0; k < c->nin; k++) {
		const MlTensor *y = c->in[k];

		if (y == NULL)
			continue;
		if (y->ndim != x->ndim || y->dtype != x->dtype)
			return ac_err_set(c->err, AC_ESHAPE, "Concat: input %d differs in rank or dtype", k);
		for (int j = 0; j < x->ndim; j++)
			if (j != a && y->ne[j] != x->ne[j])
				return ac_err_set(c->err, AC_ESHAPE, "Concat: input %d differs at dimension %d", k, j);
		ne[a] += y->ne[a];
	}
	if ((t = ml_tensor_empty(x->dtype, x->ndim, ne, c->err)) == NULL)
		return fail_code(c);
	for (int k = 0; k < c->nin; k++) {
		const MlTensor *y = c->in[k];
		int rc;

		if (y == NULL || y->ne[a] == 0)
			continue;
		if ((v = ml_view_slice(t, a, off, off + y->ne[a], 1, c->err)) == NULL)
			goto fail;
		rc = ml_copy(v, y, c->err);
		ml_tensor_unref(v);
		if (rc != AC_OK)
			goto fail;
		off += y->ne[a];
	}
	*out = t;
	return AC_OK;
fail:
	ml_tensor_unref(t);
	return fail_code(c);
}

static int
op_constant(Ctx *c, const OpDef *d, MlTensor **out)
{
	const Onnx__AttributeProto *a;
	MlTensor *t;

	if ((a = attr(c, "value")) != NULL)
		return onnx_tensor_from_pb(a->t, "Constant value", out, c->err);
	if ((a = attr(c, "value_float")) != NULL)
		return done(c, scalar(ML_F32, a->f, c->err), out);
	if ((a = attr(c, "value_int")) != NULL) {
		if ((t = ml_tensor_empty(ML_I64, 0, NULL, c->err)) != NULL)
			*(int64_t *)(void *)t->data = a->i;
		return done(c, t, out);
	}
	if ((a = attr(c, "value_floats")) != NULL || (a = attr(c, "value_ints")) != NULL) {
		int isf = strcmp(a->name, "value_floats") == 0;
		int64_t n = isf ? (int64_t)a->n_floats : (int64_t)a->n_ints;

		if ((t = ml_tensor_empty(isf ? ML_F32 : ML_I64, 1, &n, c->err)) == NULL)
			return fail_code(c);
		for (int64_t k = 0; k < n; k++) {
			if (isf)
				((float *)(void *)t->data)[k] = a->floats[k];
			else
				((int64_t *)(void *)t->data)[k] = a->ints[k];
		}
		*out = t;
		return AC_OK;
	}
	return unsupported(c, "no value, value_float(s) or value_int(s) attribute");
}

static int
op_constant_of_shape(Ctx *c, const OpDef *d, MlTensor **out)
{
	const Onnx__AttributeProto *a = attr(c, "value");
	int64_t ne[MAX_INTS];
	int n, rc;
	MlTensor *v = NULL, *s, *t;

	if (tensor_ints(c, c->in[0], ne, &n) != AC_OK)
		return fail_code(c);
	if (n > ML_MAX_DIMS)
		return unsupported(c, "rank %d", n);
	if (a != NULL) {
		if (onnx_tensor_from_pb(a->t, "ConstantOfShape value", &v, c->err) != AC_OK)
			return fail_code(c);
	} else if ((v = scalar(ML_F32, 0, c->err)) == NULL)
		return fail_code(c);
	s = ml_view_reshape(v, 0, NULL, c->err);
	if (s == NULL || (t = ml_tensor_empty(v->dtype, n, ne, c->err)) == NULL) {
		ml_tensor_unref(s);
		ml_tensor_unref(v);
		return fail_code(c);
	}
	rc = ml_copy(t, s, c->err);
	ml_tensor_unref(s);
	ml_tensor_unref(v);
	if (rc != AC_OK) {
		ml_tensor_unref(t);
		return rc;
	}
	*out = t;
	return AC_OK;
}

/* Softmax (d->ml 0) and LogSoftmax (1) along one axis, from the row
 * maximum; before opset 13 over the 2-D view [prod(:axis), prod(axis:)]. */
static int
op_softmax(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *x = c->in[0], *x2 = NULL, *mx = NULL, *y = NULL, *e = NULL, *sum = NULL, *r = NULL,
	         *in[2];
	MlOpParams p = {.keepdim = true};
	int a, r0 = x->ndim, rc = AC_OK;

	if (r0 == 0)
		return unsupported(c, "a scalar input");
	if (c->opset < 13) {
		int64_t ax = attr_i(c, "axis", 1), ne[2] = {1, 1};

		if (ax < -r0 || ax > r0)
			return ac_err_set(c->err, AC_ERANGE, "%s: axis %" PRId64 " of rank %d", d->name, ax, r0);
		ax = ax < 0 ? ax + r0 : ax;
		for (int k = 0; k < r0; k++)
			ne[k < ax ? 0 : 1] *= x->ne[k];
		if ((x2 = ml_tensor_reshape_copy(x, 2, ne, c->err)) == NULL)
			return fail_code(c);
		a = 1;
	} else {
		if (norm_axis(c, attr_i(c, "axis", -1), r0, &a) != AC_OK)
			return fail_code(c);
		x2 = ml_tensor_ref(x);
	}
	p.axes = 1u << a;
	in[0] = x2;
	if ((mx = ml_op(ML_OP_AMAX, in, &p, c->err)) == NULL)
		goto fail;
	in[1] = mx;
	if ((y = ml_op(ML_OP_SUB, in, NULL, c->err)) == NULL)
		goto fail;
	in[0] = y;
	if ((e = ml_op(ML_OP_EXP, in, NULL, c->err)) == NULL)
		goto fail;
	in[0] = e;
	if ((sum = ml_op(ML_OP_SUM, in, &p, c->err)) == NULL)
		goto fail;
	if (d->ml == 0) {
		in[0] = e;
		in[1] = sum;
		r = ml_op(ML_OP_DIV, in, NULL, c->err);
	} else {
		MlTensor *ls;

		in[0] = sum;
		if ((ls = ml_op(ML_OP_LOG, in, NULL, c->err)) == NULL)
			goto fail;
		in[0] = y;
		in[1] = ls;
		r = ml_op(ML_OP_SUB, in, NULL, c->err);
		ml_tensor_unref(ls);
	}
	if (r == NULL)
		goto fail;
	if (c->opset < 13) {
		MlTensor *v = ml_tensor_reshape_copy(r, r0, x->ne, c->err);

		ml_tensor_unref(r);
		if ((r = v) == NULL)
			goto fail;
	}
	*out = r;
	goto done;
fail:
	rc = fail_code(c);
done:
	ml_tensor_unref(x2);
	ml_tensor_unref(mx);
	ml_tensor_unref(y);
	ml_tensor_unref(e);
	ml_tensor_unref(sum);
	return rc;
}

/* Dropout at inference: the identity (training mode draws random masks). */
static int
op_dropout(Ctx *c, const OpDef *d, MlTensor **out)
{
	if (c->nin > 2 && c->in[2] != NULL) {
		double v = 0;
		int64_t idx[ML_MAX_DIMS] = {0};

		if (ml_get(c->in[2], idx, &v, c->err) != AC_OK)
			return fail_code(c);
		if (v != 0)
			return unsupported(c, "training_mode (random masks)");
	}
	if (c->opset < 7 && attr_i(c, "is_test", 0) == 0)
		return unsupported(c, "training mode (is_test = 0)");
	return done(c, ml_tensor_ref(c->in[0]), out);
}

/* ---- index, shape and matrix ops (ml/cpu/index.c, shape_ops.c, matmul.c, norm.c) ---- */

/* The integer value of a scalar (or one-element) input k, or def when absent. */
static int
scalar_i(Ctx *c, int k, int64_t def, int64_t *v)
{
	int64_t vals[MAX_INTS];
	int n;

	*v = def;
	if (k >= c->nin || c->in[k] == NULL)
		return AC_OK;
	if (tensor_ints(c, c->in[k], vals, &n) != AC_OK)
		return fail_code(c);
	if (n != 1)
		return ac_err_set(c->err, AC_ESHAPE, "%s: input %d holds %d values, want 1",
		                  c->n->op_type, k + 1, n);
	*v = vals[0];
	return AC_OK;
}

/* Extra output k (1..) of a node with several, or an error if it is asked
 * for and the op has not made it. */
static void
put_extra(Ctx *c, int k, MlTensor *t)
{
	if (k < MAX_OUT)
		c->extra[k] = t;
	else
		ml_tensor_unref(t);
}

/* Gather (d->ml ML_OP_GATHER), GatherElements, ScatterElements and Scatter
 * (ML_OP_SCATTER). */
static int
op_index(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {.axis = (int)attr_i(c, "axis", 0)};

	if (d->ml == ML_OP_SCATTER) {
		static const char *const red[] = {"none", "add", "mul", "max", "min"};
		int found = 0;

		for (int m = 0; m < 5 && !found; m++)
			if (attr_s_is(c, "reduction", red[m], m == 0)) {
				p.mode = m;
				found = 1;
			}
		if (!found)
			return unsupported(c, "reduction attribute");
	}
	return done(c, ml_op((MlOp)d->ml, c->in, &p, c->err), out);
}

static int
op_split(Ctx *c, const OpDef *d, MlTensor **out)
{
	const MlTensor *x = c->in[0];
	int64_t sizes[MAX_OUT];
	MlTensor *parts[MAX_OUT];
	int n = (int)c->n->n_output, ns = -1, a;

	if (norm_axis(c, attr_i(c, "axis", 0), x->ndim, &a) != AC_OK)
		return fail_code(c);
	if (n > MAX_OUT || n > MAX_INTS)
		return unsupported(c, "%d outputs", n);
	if (ints_arg(c, "split", 1, 13, sizes, &ns) != AC_OK)
		return fail_code(c);
	if (ns < 0) {
		int64_t parts_n = attr_i(c, "num_outputs", n), len = x->ne[a];
		int64_t each = parts_n > 0 ? (len + parts_n - 1) / parts_n : 0;

		if (parts_n != n)
			return ac_err_set(c->err, AC_EINVAL, "Split: num_outputs %" PRId64 " and %d outputs",
			                  parts_n, n);
		if (attr(c, "num_outputs") == NULL && len % n != 0)
			return ac_err_set(c->err, AC_ESHAPE, "Split: %" PRId64 " does not split in %d", len, n);
		for (int k = 0; k < n; k++) {
			sizes[k] = len - k * each < each ? len - k * each : each;
			if (sizes[k] < 0)
				sizes[k] = 0;
		}
		ns = n;
	}
	if (ns != n)
		return ac_err_set(c->err, AC_EINVAL, "Split: %d sizes for %d outputs", ns, n);
	if (ml_split(parts, x, sizes, n, a, c->err) != AC_OK)
		return fail_code(c);
	*out = parts[0];
	for (int k = 1; k < n; k++)
		put_extra(c, k, parts[k]);
	return AC_OK;
}

static int
op_pad(Ctx *c, const OpDef *d, MlTensor **out)
{
	static const char *const modes[] = {"constant", "reflect", "edge", "wrap"};
	const MlTensor *x = c->in[0];
	int64_t pads[MAX_INTS], axes[MAX_INTS], full[2 * ML_MAX_DIMS] = {0};
	int np = -1, na = -1, mode = -1, r = x->ndim;
	double value = 0;

	for (int m = 0; m < 4 && mode < 0; m++)
		if (attr_s_is(c, "mode", modes[m], m == 0))
			mode = m;
	if (mode < 0)
		return unsupported(c, "mode attribute");
	if (c->opset < 11) {
		if (ints_arg(c, c->opset < 2 ? "paddings" : "pads", 1, 99, pads, &np) != AC_OK)
			return fail_code(c);
		value = attr_f(c, "value", 0);
	} else {
		if (ints_arg(c, "pads", 1, 11, pads, &np) != AC_OK ||
		    ints_arg(c, "axes", 3, 18, axes, &na) != AC_OK)
			return fail_code(c);
		if (c->nin > 2 && c->in[2] != NULL && ml_tensor_numel(c->in[2]) > 0) {
			int64_t idx[ML_MAX_DIMS] = {0};

			if (ml_get(c->in[2], idx, &value, c->err) != AC_OK)
				return fail_code(c);
		}
	}
	if (na < 0) {
		na = r;
		for (int k = 0; k < r; k++)
			axes[k] = k;
	}
	if (np != 2 * na)
		return ac_err_set(c->err, AC_ESHAPE, "Pad: %d pads for %d axes", np, na);
	for (int k = 0; k < na; k++) {
		int a;

		if (norm_axis(c, axes[k], r, &a) != AC_OK)
			return fail_code(c);
		full[a] = pads[k];
		full[r + a] = pads[na + k];
	}
	return done(c, ml_pad_new(x, full, mode, value, c->err), out);
}

static int
op_tile(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t rep[MAX_INTS];
	int n;

	if (c->opset < 6)
		return unsupported(c, "tiles and axis inputs (opset %" PRId64 ")", c->opset);
	if (tensor_ints(c, c->in[1], rep, &n) != AC_OK)
		return fail_code(c);
	if (n != c->in[0]->ndim)
		return ac_err_set(c->err, AC_ESHAPE, "Tile: %d repeats for rank %d", n, c->in[0]->ndim);
	return done(c, ml_tile_new(c->in[0], rep, c->err), out);
}

static int
op_trilu(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {0};

	if (scalar_i(c, 1, 0, &p.k) != AC_OK)
		return fail_code(c);
	return done(c, ml_op(attr_i(c, "upper", 1) ? ML_OP_TRIU : ML_OP_TRIL, c->in, &p, c->err),
	            out);
}

static int
op_range(Ctx *c, const OpDef *d, MlTensor **out)
{
	double v[3];
	int64_t idx[ML_MAX_DIMS] = {0};

	for (int k = 0; k < 3; k++) {
		if (c->nin <= k || c->in[k] == NULL || ml_tensor_numel(c->in[k]) != 1)
			return ac_err_set(c->err, AC_ESHAPE, "Range: input %d is not a scalar", k + 1);
		if (c->in[k]->dtype != c->in[0]->dtype)
			return ac_err_set(c->err, AC_EDTYPE, "Range: inputs differ in dtype");
		if (ml_get(c->in[k], idx, &v[k], c->err) != AC_OK)
			return fail_code(c);
	}
	if (c->in[0]->dtype != ML_F32 && c->in[0]->dtype != ML_F64 && c->in[0]->dtype != ML_I32 &&
	    c->in[0]->dtype != ML_I64)
		return unsupported(c, "dtype %s", ml_dtype_name(c->in[0]->dtype));
	return done(c, ml_arange_new(c->in[0]->dtype, v[0], v[1], v[2], c->err), out);
}

static int
op_one_hot(Ctx *c, const OpDef *d, MlTensor **out)
{
	int64_t idx[ML_MAX_DIMS] = {0}, i1[ML_MAX_DIMS] = {0};
	double depth, off, on;

	if (c->nin < 3 || c->in[1] == NULL || c->in[2] == NULL || ml_tensor_numel(c->in[1]) != 1 ||
	    ml_tensor_numel(c->in[2]) != 2)
		return ac_err_set(c->err, AC_ESHAPE, "OneHot: depth or values of the wrong size");
	i1[0] = 1;
	if (ml_get(c->in[1], idx, &depth, c->err) != AC_OK ||
	    ml_get(c->in[2], idx, &off, c->err) != AC_OK || ml_get(c->in[2], i1, &on, c->err) != AC_OK)
		return fail_code(c);
	return done(c, ml_one_hot_new(c->in[0], (int64_t)depth, off, on, (int)attr_i(c, "axis", -1),
	                              c->in[2]->dtype, c->err), out);
}

static int
op_cumsum(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {0};
	int64_t ax;

	if (scalar_i(c, 1, 0, &ax) != AC_OK)
		return fail_code(c);
	p.axis = (int)ax;
	p.p[0] = (double)attr_i(c, "exclusive", 0);
	p.p[1] = (double)attr_i(c, "reverse", 0);
	return done(c, ml_op(ML_OP_CUMSUM, c->in, &p, c->err), out);
}

static int
op_topk(Ctx *c, const OpDef *d, MlTensor **out)
{
	const MlTensor *x = c->in[0];
	int64_t k, ne[ML_MAX_DIMS];
	int a;
	MlTensor *v = NULL, *ix = NULL;

	if (c->opset < 10)
		k = attr_i(c, "k", -1);
	else if (scalar_i(c, 1, -1, &k) != AC_OK)
		return fail_code(c);
	if (norm_axis(c, attr_i(c, "axis", -1), x->ndim, &a) != AC_OK)
		return fail_code(c);
	if (k < 0 || k > x->ne[a])
		return ac_err_set(c->err, AC_ERANGE, "TopK: k %" PRId64 " outside 0..%" PRId64, k, x->ne[a]);
	memcpy(ne, x->ne, sizeof ne);
	ne[a] = k;
	if ((v = ml_tensor_empty(x->dtype, x->ndim, ne, c->err)) == NULL ||
	    (ix = ml_tensor_empty(ML_I64, x->ndim, ne, c->err)) == NULL ||
	    ml_topk(v, ix, x, k, a, attr_i(c, "largest", 1) != 0, c->err) != AC_OK) {
		ml_tensor_unref(v);
		ml_tensor_unref(ix);
		return fail_code(c);
	}
	*out = v;
	put_extra(c, 1, ix);
	return AC_OK;
}

static int
op_matmul(Ctx *c, const OpDef *d, MlTensor **out)
{
	return done(c, ml_op(ML_OP_MATMUL, c->in, NULL, c->err), out);
}

/* Gemm: alpha op(A) op(B) + beta C, op a transposing view. */
static int
op_gemm(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *a = NULL, *b = NULL, *y = NULL, *s = NULL, *t = NULL, *in[2];
	double alpha = attr_f(c, "alpha", 1), beta = attr_f(c, "beta", 1);

	if (c->in[0]->ndim != 2 || c->nin < 2 || c->in[1] == NULL || c->in[1]->ndim != 2)
		return ac_err_set(c->err, AC_ESHAPE, "Gemm: A and B must be matrices");
	a = attr_i(c, "transA", 0) ? ml_view_transpose(c->in[0], 0, 1, c->err) : ml_tensor_ref(c->in[0]);
	b = attr_i(c, "transB", 0) ? ml_view_transpose(c->in[1], 0, 1, c->err) : ml_tensor_ref(c->in[1]);
	if (a == NULL || b == NULL)
		goto fail;
	in[0] = a;
	in[1] = b;
	if ((y = ml_op(ML_OP_MATMUL, in, NULL, c->err)) == NULL)
		goto fail;
	if (alpha != 1) {
		if ((s = scalar(y->dtype, alpha, c->err)) == NULL)
			goto fail;
		in[0] = y;
		in[1] = s;
		t = ml_op(ML_OP_MUL, in, NULL, c->err);
		ml_tensor_unref(s);
		s = NULL;
		ml_tensor_unref(y);
		if ((y = t) == NULL)
			goto fail;
	}
	if (c->nin > 2 && c->in[2] != NULL && beta != 0) {
		MlTensor *cc = ml_tensor_ref(c->in[2]);

		if (beta != 1) {
			if ((s = scalar(cc->dtype, beta, c->err)) == NULL) {
				ml_tensor_unref(cc);
				goto fail;
			}
			in[0] = cc;
			in[1] = s;
			t = ml_op(ML_OP_MUL, in, NULL, c->err);
			ml_tensor_unref(s);
			ml_tensor_unref(cc);
			if ((cc = t) == NULL)
				goto fail;
		}
		in[0] = y;
		in[1] = cc;
		t = ml_op(ML_OP_ADD, in, NULL, c->err);
		ml_tensor_unref(cc);
		ml_tensor_unref(y);
		if ((y = t) == NULL)
			goto fail;
	}
	ml_tensor_unref(a);
	ml_tensor_unref(b);
	*out = y;
	return AC_OK;
fail:
	ml_tensor_unref(a);
	ml_tensor_unref(b);
	ml_tensor_unref(y);
	return fail_code(c);
}

/* LayerNormalization-17: layer_norm from axis on; Mean and InvStdDev, when
 * asked for, as mean and 1/sqrt(var + eps) in keepdim form. */
static int
op_layer_norm(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {.eps = attr_f(c, "epsilon", 1e-5), .keepdim = true};
	MlTensor *in[3] = {c->in[0], c->nin > 1 ? c->in[1] : NULL, c->nin > 2 ? c->in[2] : NULL};
	int a, r = c->in[0]->ndim;

	if (attr_i(c, "stash_type", 1) != 1)
		return unsupported(c, "stash_type %" PRId64, attr_i(c, "stash_type", 1));
	if (norm_axis(c, attr_i(c, "axis", -1), r, &a) != AC_OK)
		return fail_code(c);
	p.axis = a;
	for (int k = 1; k < (int)c->n->n_output && k < 3; k++)
		if (c->n->output[k][0] != 0 && ml_dtype_kind(c->in[0]->dtype) != ML_KIND_FLOAT)
			return unsupported(c, "Mean and InvStdDev of %s", ml_dtype_name(c->in[0]->dtype));
	for (int i = a; i < r; i++)
		p.axes |= 1u << i;
	for (int k = 1; k < (int)c->n->n_output && k < 3; k++) {
		MlTensor *m, *e, *s, *two[2];

		if (c->n->output[k][0] == 0)
			continue;
		if (k == 1) {
			m = ml_op(ML_OP_MEAN, in, &p, c->err);
			if (m == NULL)
				return fail_code(c);
			put_extra(c, 1, m);
			continue;
		}
		p.correction = 0;
		if ((m = ml_op(ML_OP_VAR, in, &p, c->err)) == NULL)
			return fail_code(c);
		if ((e = scalar(m->dtype, p.eps, c->err)) == NULL) {
			ml_tensor_unref(m);
			return fail_code(c);
		}
		two[0] = m;
		two[1] = e;
		s = ml_op(ML_OP_ADD, two, NULL, c->err);
		ml_tensor_unref(m);
		ml_tensor_unref(e);
		if (s == NULL)
			return fail_code(c);
		m = ml_op(ML_OP_RSQRT, &s, NULL, c->err);
		ml_tensor_unref(s);
		if (m == NULL)
			return fail_code(c);
		put_extra(c, 2, m);
	}
	return done(c, ml_op(ML_OP_LAYER_NORM, in, &p, c->err), out);
}

/* BatchNormalization in inference mode; InstanceNormalization as
 * group_norm with one group per channel. */
static int
op_batch_norm(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlOpParams p = {.eps = attr_f(c, "epsilon", 1e-5)};

	if (d->ml == ML_OP_GROUP_NORM) {
		MlTensor *in[3] = {c->in[0], c->nin > 1 ? c->in[1] : NULL, c->nin > 2 ? c->in[2] : NULL};

		if (c->in[0]->ndim < 2)
			return ac_err_set(c->err, AC_ESHAPE, "InstanceNormalization: input of rank %d",
			                  c->in[0]->ndim);
		p.groups = (int)c->in[0]->ne[1];
		return done(c, ml_op(ML_OP_GROUP_NORM, in, &p, c->err), out);
	}
	if (attr_i(c, "training_mode", 0) != 0 || c->n->n_output > 1)
		return unsupported(c, "training mode (batch statistics)");
	if (c->opset < 6 || c->nin < 5)
		return unsupported(c, "opset %" PRId64 " form", c->opset);
	if (c->opset < 7 && attr_i(c, "is_test", 0) == 0)
		return unsupported(c, "training mode (is_test = 0)");
	if (attr_i(c, "spatial", 1) != 1)
		return unsupported(c, "spatial 0");
	MlTensor *in[5] = {c->in[0], c->in[3], c->in[4], c->in[1], c->in[2]};
	return done(c, ml_op(ML_OP_BATCH_NORM, in, &p, c->err), out);
}

/* ---- convolution and pooling ---- */

/* The ints of attribute name (want entries), or def for each when absent. */
static int
conv_ints(Ctx *c, const char *name, int want, int64_t def, int64_t *v)
{
	const Onnx__AttributeProto *a = attr(c, name);

	for (int i = 0; i < want; i++)
		v[i] = def;
	if (a == NULL)
		return AC_OK;
	if ((int)a->n_ints != want)
		return ac_err_set(c->err, AC_EINVAL, "%s: %s has %zu entries, want %d", c->n->op_type,
		                  name, a->n_ints, want);
	for (int i = 0; i < want; i++)
		v[i] = a->ints[i];
	return AC_OK;
}

/* MlOpParams from strides, dilations, pads and auto_pad for nsp spatial
 * dimensions of extents in[] and kernel k[] (Conv, MaxPool, AveragePool):
 * SAME_UPPER and SAME_LOWER pad so the output is ceil(in / stride), the
 * odd element at the end (UPPER) or the beginning (LOWER); VALID pads
 * nothing. */
static int
conv_params(Ctx *c, int nsp, const int64_t *in, const int64_t *k, MlOpParams *p)
{
	int64_t pads[6];

	if (conv_ints(c, "strides", nsp, 1, p->stride) != AC_OK ||
	    conv_ints(c, "dilations", nsp, 1, p->dilation) != AC_OK ||
	    conv_ints(c, "pads", 2 * nsp, 0, pads) != AC_OK)
		return fail_code(c);
	memcpy(p->pad, pads, sizeof pads);
	if (attr(c, "auto_pad") == NULL || attr_s_is(c, "auto_pad", "NOTSET", 1))
		return AC_OK;
	memset(p->pad, 0, sizeof p->pad);
	if (attr_s_is(c, "auto_pad", "VALID", 0))
		return AC_OK;
	if (!attr_s_is(c, "auto_pad", "SAME_UPPER", 0) && !attr_s_is(c, "auto_pad", "SAME_LOWER", 0))
		return unsupported(c, "auto_pad %.*s", (int)attr(c, "auto_pad")->s.len,
		                   (const char *)attr(c, "auto_pad")->s.data);
	for (int i = 0; i < nsp; i++) {
		int64_t s = p->stride[i] > 0 ? p->stride[i] : 1, out = (in[i] + s - 1) / s;
		int64_t total = (out - 1) * s + (k[i] - 1) * p->dilation[i] + 1 - in[i];
		if (total < 0)
			total = 0;
		bool upper = attr_s_is(c, "auto_pad", "SAME_UPPER", 0);
		p->pad[i] = upper ? total / 2 : total - total / 2;
		p->pad[nsp + i] = total - p->pad[i];
	}
	return AC_OK;
}

/* Conv (d->ml conv) and ConvTranspose (conv_transpose): the kernel from W
 * (kernel_shape, when given, must agree); ConvTranspose's output_shape
 * and SAME auto_pad set the pads as the spec's total_padding formula
 * does, a negative total going to output_padding. */
static int
op_conv(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *x = c->in[0], *w = c->nin > 1 ? c->in[1] : NULL, *b = c->nin > 2 ? c->in[2] : NULL;
	MlOpParams p = {.groups = (int)attr_i(c, "group", 1)};
	int64_t in[3], k[3], ks[3];
	int nsp = x->ndim - 2;
	bool tr = d->ml == ML_OP_CONV_TRANSPOSE;

	if (w == NULL)
		return ac_err_set(c->err, AC_EINVAL, "%s: no weight", d->name);
	if (nsp < 1 || nsp > 3 || w->ndim != x->ndim)
		return unsupported(c, "input of rank %d, weight of rank %d", x->ndim, w->ndim);
	for (int i = 0; i < nsp; i++) {
		in[i] = x->ne[2 + i];
		k[i] = w->ne[2 + i];
	}
	if (conv_ints(c, "kernel_shape", nsp, 0, ks) != AC_OK)
		return fail_code(c);
	for (int i = 0; i < nsp; i++)
		if (ks[i] != 0 && ks[i] != k[i])
			return ac_err_set(c->err, AC_ESHAPE, "%s: kernel_shape %" PRId64 " and weight %" PRId64 " differ in spatial dimension %d",
			                  d->name, ks[i], k[i], i);
	if (!tr) {
		if (conv_params(c, nsp, in, k, &p) != AC_OK)
			return fail_code(c);
	} else {
		const Onnx__AttributeProto *os = attr(c, "output_shape");
		bool same = attr(c, "auto_pad") != NULL && (attr_s_is(c, "auto_pad", "SAME_UPPER", 0) ||
		                                             attr_s_is(c, "auto_pad", "SAME_LOWER", 0));
		int64_t pads[6], want[3];

		if (conv_ints(c, "strides", nsp, 1, p.stride) != AC_OK ||
		    conv_ints(c, "dilations", nsp, 1, p.dilation) != AC_OK ||
		    conv_ints(c, "pads", 2 * nsp, 0, pads) != AC_OK ||
		    conv_ints(c, "output_padding", nsp, 0, p.output_padding) != AC_OK)
			return fail_code(c);
		memcpy(p.pad, pads, sizeof pads);
		if (attr(c, "auto_pad") != NULL && !same && !attr_s_is(c, "auto_pad", "NOTSET", 0)) {
			if (!attr_s_is(c, "auto_pad", "VALID", 0))
				return unsupported(c, "auto_pad %.*s", (int)attr(c, "auto_pad")->s.len,
				                   (const char *)attr(c, "auto_pad")->s.data);
			memset(p.pad, 0, sizeof p.pad);
		}
		if (os != NULL || same) {
			if (os != NULL && (int)os->n_ints != nsp && (int)os->n_ints != nsp + 2)
				return ac_err_set(c->err, AC_EINVAL, "%s: output_shape has %zu entries", d->name,
				                  os->n_ints);
			for (int i = 0; i < nsp; i++) {
				want[i] = os != NULL ? os->ints[(int)os->n_ints - nsp + i] : in[i] * p.stride[i];
				int64_t total = p.stride[i] * (in[i] - 1) + p.output_padding[i] +
				                (k[i] - 1) * p.dilation[i] + 1 - want[i];
				if (total < 0) {
					p.output_padding[i] -= total;
					total = 0;
				}
				bool upper = attr_s_is(c, "auto_pad", "SAME_UPPER", 0);
				p.pad[i] = upper ? total / 2 : total - total / 2;
				p.pad[nsp + i] = total - p.pad[i];
			}
		}
	}
	return done(c, ml_op(d->ml, (MlTensor *[]){x, w, b}, &p, c->err), out);
}

/* MaxPool, AveragePool (kernel_shape, strides default 1) and the global
 * pools (adaptive to size 1).  MaxPool's Indices, when asked for, are
 * flattened over the whole input as ONNX defines them: the plane's index
 * plus (n*C + c) * plane size, the plane's index row-major, or
 * column-major for storage_order 1. */
static int
op_pool(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *x = c->in[0];
	MlOpParams p = {.ceil_mode = attr_i(c, "ceil_mode", 0) != 0,
	                .count_include_pad = attr_i(c, "count_include_pad", 0) != 0};
	int64_t in[3];
	int nsp = x->ndim - 2;
	bool global = d->ml == ML_OP_ADAPTIVE_AVG_POOL || d->ml == ML_OP_ADAPTIVE_MAX_POOL;
	bool want_idx = c->n->n_output > 1 && c->n->output[1][0] != 0;

	if (nsp < 1 || nsp > 3)
		return unsupported(c, "input of rank %d", x->ndim);
	for (int i = 0; i < nsp; i++)
		in[i] = x->ne[2 + i];
	if (global) {
		for (int i = 0; i < nsp; i++)
			p.kernel[i] = 1;
		return done(c, ml_op(d->ml, &x, &p, c->err), out);
	}
	if (attr(c, "kernel_shape") == NULL)
		return ac_err_set(c->err, AC_EINVAL, "%s: no kernel_shape", d->name);
	if (conv_ints(c, "kernel_shape", nsp, 1, p.kernel) != AC_OK ||
	    conv_params(c, nsp, in, p.kernel, &p) != AC_OK)
		return fail_code(c);
	MlTensor *y = ml_op(d->ml, &x, &p, c->err);
	if (y == NULL || !want_idx)
		return done(c, y, out);
	MlTensor *idx = ml_op(ML_OP_MAX_POOL_INDICES, &x, &p, c->err);
	if (idx == NULL) {
		ml_tensor_unref(y);
		return fail_code(c);
	}
	int64_t isz = 1, osz = 1, n = ml_tensor_numel(idx);
	for (int i = 0; i < nsp; i++) {
		isz *= in[i];
		osz *= idx->ne[2 + i];
	}
	int64_t *iv = (int64_t *)(void *)idx->data;
	bool colmajor = attr_i(c, "storage_order", 0) != 0;
	for (int64_t e = 0; e < n; e++) {
		int64_t r = iv[e], cm = 0;
		if (colmajor && r >= 0) {
			/* row-major r in the plane to column-major: the first
			 * spatial dimension varies fastest */
			int64_t stride = 1;
			for (int i = 0; i < nsp; i++) {
				int64_t after = 1;
				for (int j = i + 1; j < nsp; j++)
					after *= in[j];
				cm += r / after % in[i] * stride;
				stride *= in[i];
			}
			r = cm;
		}
		iv[e] = r + e / osz * isz;
	}
	c->extra[1] = idx;
	return done(c, y, out);
}

/* ---- losses (ml/cpu/loss.c) ---- */

/* reduction and ignore_index of NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss into p. */
static int
loss_params(Ctx *c, MlOpParams *p)
{
	const Onnx__AttributeProto *ii = attr(c, "ignore_index");

	if (attr_s_is(c, "reduction", "none", 0))
		p->mode = 0;
	else if (attr_s_is(c, "reduction", "sum", 0))
		p->mode = 2;
	else if (attr_s_is(c, "reduction", "mean", 1))
		p->mode = 1;
	else
		return unsupported(c, "reduction other than none, sum, mean");
	p->has_ignore_index = ii != NULL;
	p->ignore_index = ii != NULL ? ii->i : 0;
	return AC_OK;
}

/* NegativeLogLikelihoodLoss(input, target, weight?) and
 * SoftmaxCrossEntropyLoss(scores, labels, weights?) -> (loss, log_prob?):
 * both are PyTorch's nll_loss / cross_entropy, as ml/ has them. */
static int
op_loss(Ctx *c, const OpDef *d, MlTensor **out)
{
	MlTensor *in[3] = {c->in[0], c->nin > 1 ? c->in[1] : NULL, c->nin > 2 ? c->in[2] : NULL};
	MlOpParams p = {0};

	if (in[1] == NULL)
		return ac_err_set(c->err, AC_EINVAL, "%s: no target", d->name);
	if (loss_params(c, &p) != AC_OK)
		return fail_code(c);
	if (d->ml == ML_OP_CROSS_ENTROPY && c->n->n_output > 1 && c->n->output[1][0] != 0) {
		MlOpParams lp = {.axis = 1};
		if (in[0]->ndim < 2)
			return unsupported(c, "scores of rank %d", in[0]->ndim);
		if ((c->extra[1] = ml_op(ML_OP_LOG_SOFTMAX, in, &lp, c->err)) == NULL)
			return fail_code(c);
	}
	return done(c, ml_op((MlOp)d->ml, in, &p, c->err), out);
}

/* ---- the op table ---- */

static const OpDef ops[] = {
	{"Add", op_binary, ML_OP_ADD, ""},
	{"Sub", op_binary, ML_OP_SUB, ""},
	{"Mul", op_binary, ML_OP_MUL, ""},
	{"Div", op_binary, ML_OP_DIV, ""},
	{"Pow", op_binary, ML_OP_POW, ""},
	{"Mod", op_binary, ML_OP_MOD, "fmod"},
	{"Max", op_binary, ML_OP_MAXIMUM, ""},
	{"Min", op_binary, ML_OP_MINIMUM, ""},
	{"Sum", op_binary, ML_OP_ADD, ""},
	{"Mean", op_binary, ML_OP_ADD, ""},
	{"Equal", op_binary, ML_OP_EQ, ""},
	{"Less", op_binary, ML_OP_LT, ""},
	{"LessOrEqual", op_binary, ML_OP_LE, ""},
	{"Greater", op_binary, ML_OP_GT, ""},
	{"GreaterOrEqual", op_binary, ML_OP_GE, ""},
	{"And", op_binary, ML_OP_AND, ""},
	{"Or", op_binary, ML_OP_OR, ""},
	{"Xor", op_binary, ML_OP_XOR, ""},
	{"Not", op_unary, ML_OP_NOT, ""},
	{"Where", op_where, 0, ""},
	{"Neg", op_unary, ML_OP_NEG, ""},
	{"Abs", op_unary, ML_OP_ABS, ""},
	{"Sign", op_unary, ML_OP_SIGN, ""},
	{"Floor", op_unary, ML_OP_FLOOR, ""},
	{"Ceil", op_unary, ML_OP_CEIL, ""},
	{"Round", op_unary, ML_OP_ROUND, ""},
	{"Exp", op_unary, ML_OP_EXP, ""},
	{"Log", op_unary, ML_OP_LOG, ""},
	{"Sqrt", op_unary, ML_OP_SQRT, ""},
	{"Reciprocal", op_unary, ML_OP_RECIPROCAL, ""},
	{"Sin", op_unary, ML_OP_SIN, ""},
	{"Cos", op_unary, ML_OP_COS, ""},
	{"Tan", op_unary, ML_OP_TAN, ""},
	{"Asin", op_unary, ML_OP_ASIN, ""},
	{"Acos", op_unary, ML_OP_ACOS, ""},
	{"Atan", op_unary, ML_OP_ATAN, ""},
	{"Sinh", op_unary, ML_OP_SINH, ""},
	{"Cosh", op_unary, ML_OP_COSH, ""},
	{"Asinh", op_unary, ML_OP_ASINH, ""},
	{"Acosh", op_unary, ML_OP_ACOSH, ""},
	{"Atanh", op_unary, ML_OP_ATANH, ""},
	{"Tanh", op_unary, ML_OP_TANH, ""},
	{"Erf", op_unary, ML_OP_ERF, ""},
	{"Sigmoid", op_unary, ML_OP_SIGMOID, ""},
	{"Relu", op_unary, ML_OP_RELU, ""},
	{"LeakyRelu", op_unary, ML_OP_LEAKY_RELU, "alpha"},
	{"Elu", op_unary, ML_OP_ELU, "alpha"},
	{"Celu", op_unary, ML_OP_CELU, "alpha"},
	{"Selu", op_unary, ML_OP_SELU, "alpha gamma"},
	{"Gelu", op_unary, ML_OP_GELU, "approximate"},
	{"Softplus", op_unary, ML_OP_SOFTPLUS, ""},
	{"Softsign", op_unary, ML_OP_SOFTSIGN, ""},
	{"HardSigmoid", op_unary, ML_OP_HARDSIGMOID, "alpha beta"},
	{"HardSwish", op_unary, ML_OP_HARDSWISH, ""},
	{"Mish", op_unary, ML_OP_MISH, ""},
	{"IsNaN", op_unary, ML_OP_ISNAN, ""},
	{"Clip", op_clip, 0, "min max"},
	{"ReduceSum", op_reduce, ML_OP_SUM, "axes keepdims noop_with_empty_axes"},
	{"ReduceMean", op_reduce, ML_OP_MEAN, "axes keepdims noop_with_empty_axes"},
	{"ReduceMax", op_reduce, ML_OP_AMAX, "axes keepdims noop_with_empty_axes"},
	{"ReduceMin", op_reduce, ML_OP_AMIN, "axes keepdims noop_with_empty_axes"},
	{"ReduceProd", op_reduce, ML_OP_PROD, "axes keepdims noop_with_empty_axes"},
	{"ReduceL1", op_reduce, ML_OP_NORM1, "axes keepdims noop_with_empty_axes"},
	{"ReduceL2", op_reduce, ML_OP_NORM2, "axes keepdims noop_with_empty_axes"},
	{"ReduceLogSumExp", op_reduce, ML_OP_LOGSUMEXP, "axes keepdims noop_with_empty_axes"},
	{"ReduceSumSquare", op_reduce, ML_OP_SUMSQ, "axes keepdims noop_with_empty_axes"},
	{"ArgMax", op_argreduce, ML_OP_ARGMAX, "axis keepdims select_last_index"},
	{"ArgMin", op_argreduce, ML_OP_ARGMIN, "axis keepdims select_last_index"},
	{"Identity", op_identity, 0, ""},
	{"Cast", op_cast, 0, "to saturate"},
	{"CastLike", op_cast, 0, "saturate"},
	{"Reshape", op_reshape, 0, "allowzero"},
	{"Flatten", op_flatten, 0, "axis"},
	{"Squeeze", op_squeeze, 0, "axes"},
	{"Unsqueeze", op_unsqueeze, 0, "axes"},
	{"Transpose", op_transpose, 0, "perm"},
	{"Expand", op_expand, 0, ""},
	{"Slice", op_slice, 0, "starts ends axes"},
	{"Shape", op_shape, 0, "start end"},
	{"Size", op_size, 0, ""},
	{"Concat", op_concat, 0, "axis"},
	{"Constant", op_constant, 0, "value value_float value_floats value_int value_ints"},
	{"ConstantOfShape", op_constant_of_shape, 0, "value"},
	{"Softmax", op_softmax, 0, "axis"},
	{"LogSoftmax", op_softmax, 1, "axis"},
	{"Dropout", op_dropout, 0, "seed ratio is_test"},
	/* index, shape and matrix ops */
	{"Gather", op_index, ML_OP_GATHER, "axis"},
	{"GatherElements", op_index, ML_OP_GATHER_ELEMENTS, "axis"},
	{"ScatterElements", op_index, ML_OP_SCATTER, "axis reduction"},
	{"Scatter", op_index, ML_OP_SCATTER, "axis"},
	{"Split", op_split, 0, "axis split num_outputs"},
	{"Pad", op_pad, 0, "mode pads paddings value"},
	{"Tile", op_tile, 0, ""},
	{"Trilu", op_trilu, 0, "upper"},
	{"Range", op_range, 0, ""},
	{"OneHot", op_one_hot, 0, "axis"},
	{"CumSum", op_cumsum, 0, "exclusive reverse"},
	{"TopK", op_topk, 0, "axis k largest sorted"},
	{"MatMul", op_matmul, 0, ""},
	{"Gemm", op_gemm, 0, "alpha beta transA transB broadcast"},
	{"LayerNormalization", op_layer_norm, 0, "axis epsilon stash_type"},
	{"BatchNormalization", op_batch_norm, ML_OP_BATCH_NORM,
	 "epsilon momentum training_mode spatial is_test consumed_inputs"},
	{"InstanceNormalization", op_batch_norm, ML_OP_GROUP_NORM, "epsilon"},
	/* convolution and pooling */
	{"Conv", op_conv, ML_OP_CONV, "auto_pad dilations group kernel_shape pads strides"},
	{"ConvTranspose", op_conv, ML_OP_CONV_TRANSPOSE,
	 "auto_pad dilations group kernel_shape output_padding output_shape pads strides"},
	{"MaxPool", op_pool, ML_OP_MAX_POOL,
	 "auto_pad ceil_mode dilations kernel_shape pads storage_order strides"},
	{"AveragePool", op_pool, ML_OP_AVG_POOL,
	 "auto_pad ceil_mode count_include_pad dilations kernel_shape pads strides"},
	{"GlobalAveragePool", op_pool, ML_OP_ADAPTIVE_AVG_POOL, ""},
	{"GlobalMaxPool", op_pool, ML_OP_ADAPTIVE_MAX_POOL, ""},
	{"NegativeLogLikelihoodLoss", op_loss, ML_OP_NLL_LOSS, "reduction ignore_index"},
	{"SoftmaxCrossEntropyLoss", op_loss, ML_OP_CROSS_ENTROPY, "reduction ignore_index"},
};

/* Most outputs a node of op d may have: one, but for the ops that make
 * several (the optional ones they cannot make are refused per node). */
static size_t
max_outputs(const OpDef *d)
{
	return d->fn == op_split ? MAX_OUT : d->fn == op_topk ? 2 : d->fn == op_layer_norm ? 3
	       : d->fn == op_batch_norm ? 5 : d->fn == op_pool || d->fn == op_loss ? 2 : 1;
}

static const OpDef *
find_op(const char *name)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

int
onnx_op_known(const char *op_type, int64_t opset)
{
	return op_type != NULL && find_op(op_type) != NULL;
}

/* Whether every attribute of the node is one the op understands. */
static const char *
unknown_attr(const Ctx *c, const OpDef *d)
{
	for (size_t i = 0; i < c->n->n_attribute; i++) {
		const char *a = c->n->attribute[i]->name, *p = d->attrs;
		size_t len = strlen(a);
		int found = 0;

		while (*p != 0 && !found) {
			size_t w = strcspn(p, " ");

			found = w == len && strncmp(p, a, len) == 0;
			p += w;
			p += *p == ' ';
		}
		if (!found)
			return a;
	}
	return NULL;
}

/* ---- the environment and the run ---- */

static MlTensor *
env_get(const Env *e, const char *name)
{
	for (int i = e->n - 1; i >= 0; i--)
		if (strcmp(e->name[i], name) == 0)
			return e->t[i];
	return NULL;
}

/* Adds name -> t; takes ownership of t's reference. */
static int
env_put(Env *e, const char *name, MlTensor *t, AcErr *err)
{
	if (e->n == e->cap) {
		int cap = e->cap ? 2 * e->cap : 32;
		const char **nn = ac_realloc(e->name, (size_t)cap * sizeof *nn, "onnx env", err);

		if (nn == NULL)
			goto fail;
		e->name = nn;
		MlTensor **nt = ac_realloc(e->t, (size_t)cap * sizeof *nt, "onnx env", err);
		if (nt == NULL)
			goto fail;
		e->t = nt;
		e->cap = cap;
	}
	e->name[e->n] = name;
	e->t[e->n++] = t;
	return AC_OK;
fail:
	ml_tensor_unref(t);
	return AC_ENOMEM;
}

static void
env_free(Env *e)
{
	for (int i = 0; i < e->n; i++)
		ml_tensor_unref(e->t[i]);
	free(e->name);
	free(e->t);
}

static int
run_node(const OnnxModel *m, Env *env, size_t i, char *unsup, AcErr *err)
{
	Ctx c = {.m = m, .n = m->g->node[i], .opset = m->opset, .unsup = unsup, .err = err};
	const OpDef *d = find_op(c.n->op_type);
	const char *bad;
	MlTensor *out = NULL;
	AcErr e2;
	int rc;

	if (d == NULL)
		return unsupported(&c, "no mapping");
	if ((bad = unknown_attr(&c, d)) != NULL)
		return unsupported(&c, "attribute %s", bad);
	if (c.n->n_input > MAX_IN)
		return unsupported(&c, "%zu inputs", c.n->n_input);
	if (c.n->n_output < 1 || c.n->n_output > max_outputs(d))
		return unsupported(&c, "%zu outputs", c.n->n_output);
	c.nin = (int)c.n->n_input;
	for (int k = 0; k < c.nin; k++) {
		const char *name = c.n->input[k];

		c.in[k] = NULL;
		if (name[0] == 0)
			continue;
		if ((c.in[k] = env_get(env, name)) == NULL)
			return ac_err_set(err, AC_EINVAL, "node %zu (%s): input %s is not defined",
			                  i, c.n->op_type, name);
	}
	if (d->fn != op_constant && (c.nin == 0 || c.in[0] == NULL))
		return ac_err_set(err, AC_EINVAL, "node %zu (%s): no first input", i, c.n->op_type);
	ac_err_clear(err);
	rc = d->fn(&c, d, &out);
	for (size_t k = 1; rc == AC_OK && k < c.n->n_output; k++)
		if (c.n->output[k][0] != 0 && c.extra[k] == NULL) {
			ml_tensor_unref(out);
			rc = unsupported(&c, "output %zu", k + 1);
		}
	if (rc != AC_OK) {
		for (int k = 0; k < MAX_OUT; k++)
			ml_tensor_unref(c.extra[k]);
		if (rc == AC_EDTYPE && unsup != NULL && unsup[0] == 0)
			snprintf(unsup, ONNX_NAME_BYTES, "%s", c.n->op_type);
		if (err != NULL) {
			e2 = *err;
			ac_err_set(err, rc, "node %zu (%s): %s", i, c.n->op_type, e2.msg);
		}
		return rc;
	}
	rc = env_put(env, c.n->output[0], out, err);
	for (size_t k = 1; k < MAX_OUT; k++) {
		if (rc == AC_OK && k < c.n->n_output && c.n->output[k][0] != 0 && c.extra[k] != NULL)
			rc = env_put(env, c.n->output[k], c.extra[k], err);
		else
			ml_tensor_unref(c.extra[k]);
	}
	return rc;
}

int
onnx_run(const OnnxModel *m, MlTensor *const *inputs, MlTensor **outputs, int64_t deadline_ns,
         char *unsupported_op, AcErr *err)
{
	const Onnx__GraphProto *g = m->g;
	Env env = {0};
	AcErr local;
	int rc;

	if (err == NULL)
		err = &local;
	for (size_t i = 0; i < g->n_output; i++)
		outputs[i] = NULL;
	if ((rc = onnx_model_check(m, unsupported_op, err)) != AC_OK)
		return rc;
	for (size_t i = 0; i < g->n_initializer; i++)
		if ((rc = env_put(&env, g->initializer[i]->name, ml_tensor_ref(m->init[i]), err)) != AC_OK)
			goto fail;
	for (int i = 0; i < m->ninputs; i++) {
		if (inputs[i] == NULL) {
			rc = ac_err_set(err, AC_EINVAL, "input %s is NULL", m->input[i]);
			goto fail;
		}
		if ((rc = env_put(&env, m->input[i], ml_tensor_ref(inputs[i]), err)) != AC_OK)
			goto fail;
	}
	for (size_t i = 0; i < g->n_node; i++) {
		if (deadline_ns != 0 && ac_clock_ns() > deadline_ns) {
			rc = ac_err_set(err, AC_ETIMEOUT, "deadline passed before node %zu (%s)", i,
			                g->node[i]->op_type);
			goto fail;
		}
		if ((rc = run_node(m, &env, i, unsupported_op, err)) != AC_OK)
			goto fail;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		MlTensor *t = env_get(&env, g->output[i]->name);

		if (t == NULL) {
			rc = ac_err_set(err, AC_EINVAL, "output %s is not defined", g->output[i]->name);
			goto fail;
		}
		outputs[i] = ml_tensor_ref(t);
	}
	env_free(&env);
	return AC_OK;
fail:
	for (size_t i = 0; i < g->n_output; i++) {
		ml_tensor_unref(outputs[i]);
		outputs[i] = NULL;
	}
	env_free(&env);
	return rc;
}
