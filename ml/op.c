/* Operations: the table from ops.def, shape and dtype checks, and dispatch
 * to the family kernels through the strided loop driver. */
#include "ml/ml_impl.h"

#include <inttypes.h>
#include <string.h>

/* The element-wise and reduction families live here; every other family
 * F in ops.def is the MlFamily ml_family_F its kernel file defines, found
 * by name, so a new family touches ops.def and its own file only. */
enum Family { BINARY, COMPARE, LOGIC, UNARY, REDUCE, INDEX_REDUCE, OTHER };
#define X(id, name, family, arity, dtypes) extern const MlFamily ml_family_##family;
#include "ml/ops.def"
#undef X
/* markers: the built-in families run no MlFamily code */
const MlFamily ml_family_BINARY, ml_family_COMPARE, ml_family_LOGIC, ml_family_UNARY,
	ml_family_REDUCE, ml_family_INDEX_REDUCE;

static const struct {
	const char *name;
	int arity;
	uint32_t dtypes;
	const MlFamily *fam;  /* the family's checks and kernels (OTHER) */
} ops[] = {
#define X(id, name, family, arity, dtypes) [ML_OP_##id] = {name, arity, dtypes, &ml_family_##family},
#include "ml/ops.def"
#undef X
};
_Static_assert(sizeof ops / sizeof ops[0] == ML_OP_COUNT, "ops.def and MlOp");
#define X(id, name, family, arity, dtypes)                                              \
	_Static_assert((arity) >= 1 && (arity) <= ML_OP_MAX_INPUTS, #id ": arity");      \
	_Static_assert(((dtypes) & ~ML_DTS_ALL) == 0, #id ": dtypes outside dtype.def");
#include "ml/ops.def"
#undef X

static enum Family
family(MlOp op)
{
	const MlFamily *f = ops[op].fam;

	return f == &ml_family_BINARY ? BINARY : f == &ml_family_COMPARE ? COMPARE
	       : f == &ml_family_LOGIC ? LOGIC : f == &ml_family_UNARY ? UNARY
	       : f == &ml_family_REDUCE ? REDUCE : f == &ml_family_INDEX_REDUCE ? INDEX_REDUCE
	                                                                        : OTHER;
}

const char *
ml_op_name(MlOp op)
{
	return (unsigned)op < ML_OP_COUNT ? ops[op].name : "?";
}

int
ml_op_from_name(const char *name)
{
	for (int i = 0; i < ML_OP_COUNT; i++)
		if (strcmp(ops[i].name, name) == 0)
			return i;
	return -1;
}

int
ml_op_arity(MlOp op)
{
	return (unsigned)op < ML_OP_COUNT ? ops[op].arity : 0;
}

uint32_t
ml_op_dtypes(MlOp op)
{
	return (unsigned)op < ML_OP_COUNT ? ops[op].dtypes : 0;
}

static MlDtype
out_dtype(MlOp op, MlTensor *const *ins, const MlOpParams *p)
{
	MlDtype in = ins[0]->dtype;

	switch (family(op)) {
	case OTHER:
		return ops[op].fam->out_dtype != NULL ? ops[op].fam->out_dtype(op, ins, p) : in;
	case COMPARE:
	case LOGIC:
		return ML_BOOL;
	case INDEX_REDUCE:
		return ML_I64;
	default:
		return op == ML_OP_ISNAN ? ML_BOOL : in;
	}
}

/* Checks op, the inputs and their dtypes. */
static int
check_inputs(MlOp op, MlTensor *const *in, AcErr *err)
{
	if ((unsigned)op >= ML_OP_COUNT)
		return ac_err_set(err, AC_EINVAL, "op: unknown op %d", (int)op);
	if (in == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil inputs", ops[op].name);
	for (int k = 0; k < ops[op].arity; k++) {
		if (in[k] == NULL && family(op) == OTHER && (ops[op].fam->optional & (1u << k)))
			continue; /* optional */
		if (in[k] == NULL)
			return ac_err_set(err, AC_EINVAL, "%s: input %d is nil", ops[op].name, k + 1);
		if (family(op) == OTHER && ops[op].fam->mixed)
			continue; /* its family checks the mix of dtypes */
		if (in[k]->dtype != in[0]->dtype)
			return ac_err_set(err, AC_EDTYPE, "%s: input %d is %s, input 1 %s", ops[op].name,
			                  k + 1, ml_dtype_name(in[k]->dtype), ml_dtype_name(in[0]->dtype));
	}
	{
		const MlTensor *t = family(op) == OTHER ? in[ops[op].fam->dtype_input] : in[0];
		if (!(ops[op].dtypes & (1u << t->dtype)))
			return ac_err_set(err, AC_EDTYPE, "%s: no kernel for %s", ops[op].name,
			                  ml_dtype_name(t->dtype));
	}
	return AC_OK;
}

/* The reduced shape, in keepdim form (kne) and as asked (ne). */
static int
reduce_shape(MlOp op, const MlTensor *x, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
             int64_t kne[ML_MAX_DIMS], AcErr *err)
{
	uint32_t axes = p != NULL ? p->axes : 0;
	bool keep = p != NULL && p->keepdim;
	int n = 0;

	if (axes >> x->ndim)
		return ac_err_set(err, AC_ERANGE, "%s: axes 0x%x of a %d-d tensor", ops[op].name,
		                  (unsigned)axes, x->ndim);
	if (axes == 0)
		axes = (1u << x->ndim) - 1;
	if (family(op) == INDEX_REDUCE && x->ndim > 0 && (axes & (axes - 1)) != 0 &&
	    axes != (1u << x->ndim) - 1)
		return ac_err_set(err, AC_EINVAL, "%s: reduces one axis or all", ops[op].name);
	for (int i = 0; i < x->ndim; i++) {
		bool r = axes & (1u << i);
		if (r && x->ne[i] == 0 && (op == ML_OP_AMAX || op == ML_OP_AMIN ||
		                           family(op) == INDEX_REDUCE)) {
			char a[ML_SHAPE_BYTES];
			return ac_err_set(err, AC_ESHAPE, "%s: cannot reduce the empty dimension %d of %s",
			                  ops[op].name, i, ml_shape_fmt(x, a));
		}
		kne[i] = r ? 1 : x->ne[i];
		if (!r || keep)
			ne[n++] = kne[i];
	}
	*ndim = n;
	return AC_OK;
}

static const MlFamily *
family_of(MlOp op)
{
	return family(op) == OTHER ? ops[op].fam : NULL;
}

MlDtype
ml_op_dtype(MlOp op, MlTensor *const *in, const MlOpParams *params)
{
	MlOpParams none = {0};

	return out_dtype(op, in, params != NULL ? params : &none);
}

int
ml_op_shape(MlOp op, MlTensor *const *in, const MlOpParams *params, int *ndim,
            int64_t ne[ML_MAX_DIMS], AcErr *err)
{
	int64_t kne[ML_MAX_DIMS];
	int rc = check_inputs(op, in, err);

	if (rc != AC_OK)
		return rc;
	if (family_of(op) != NULL)
		return family_of(op)->shape(op, in, params != NULL ? params : &(MlOpParams){0}, ndim,
		                            ne, err);
	if (family(op) == REDUCE || family(op) == INDEX_REDUCE)
		return reduce_shape(op, in[0], params, ndim, ne, kne, err);
	return ml_broadcast_shape(ops[op].name, ops[op].arity, (const MlTensor *const *)in, ndim,
	                          ne, err);
}

static int
op_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *params, bool ref,
       AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], kne[ML_MAX_DIMS], st[ML_ITER_MAX_OPS][ML_MAX_DIMS];
	uint8_t *base[ML_ITER_MAX_OPS];
	MlOpParams none = {0};
	const MlKernel *k;
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int nd, rc = check_inputs(op, in, err);

	if (rc != AC_OK)
		return rc;
	if (out == NULL)
		return ac_err_set(err, AC_EINVAL, "%s: nil output", ops[op].name);
	if (out->dtype != out_dtype(op, in, params))
		return ac_err_set(err, AC_EDTYPE, "%s: output is %s, want %s", ops[op].name,
		                  ml_dtype_name(out->dtype), ml_dtype_name(out_dtype(op, in, params)));
	if (params == NULL)
		params = &none;
	if (family_of(op) != NULL) {
		if ((rc = family_of(op)->shape(op, in, params, &nd, ne, err)) != AC_OK)
			return rc;
		if (out->ndim != nd || memcmp(out->ne, ne, sizeof(int64_t) * (size_t)nd) != 0) {
			MlTensor s = {.ndim = nd};
			memcpy(s.ne, ne, sizeof ne);
			return ac_err_set(err, AC_ESHAPE, "%s: output %s, want %s", ops[op].name,
			                  ml_shape_fmt(out, a), ml_shape_fmt(&s, b));
		}
		return family_of(op)->run(op, out, in, params, ref, err);
	}
	if (family(op) == REDUCE || family(op) == INDEX_REDUCE) {
		MlTensor *kv;
		if ((rc = reduce_shape(op, in[0], params, &nd, ne, kne, err)) != AC_OK)
			return rc;
		if (out->ndim != nd || memcmp(out->ne, ne, sizeof(int64_t) * (size_t)nd) != 0) {
			MlTensor s = {.ndim = nd};
			memcpy(s.ne, ne, sizeof ne);
			return ac_err_set(err, AC_ESHAPE, "%s: output %s, want %s", ops[op].name,
			                  ml_shape_fmt(out, a), ml_shape_fmt(&s, b));
		}
		kv = ml_view_reshape(out, in[0]->ndim, kne, err);
		if (kv == NULL)
			return err ? err->code : AC_ENOMEM;
		rc = ml_reduce_run(op, kv, in[0], params, ref, err);
		ml_tensor_unref(kv);
		return rc;
	}
	if ((rc = ml_broadcast_shape(ops[op].name, ops[op].arity, (const MlTensor *const *)in, &nd,
	                             ne, err)) != AC_OK)
		return rc;
	if (out->ndim != nd || memcmp(out->ne, ne, sizeof(int64_t) * (size_t)nd) != 0) {
		MlTensor s = {.ndim = nd};
		memcpy(s.ne, ne, sizeof ne);
		return ac_err_set(err, AC_ESHAPE, "%s: output %s, want %s", ops[op].name,
		                  ml_shape_fmt(out, a), ml_shape_fmt(&s, b));
	}
	k = family(op) == UNARY ? ml_unary_kernel(op, in[0]->dtype)
	    : family(op) == LOGIC && ops[op].arity == 1 ? ml_unary_kernel(op, in[0]->dtype)
	                                                      : ml_binary_kernel(op, in[0]->dtype);
	if (k == NULL || k->ref == NULL)
		return ac_err_set(err, AC_EDTYPE, "%s: no kernel for %s", ops[op].name,
		                  ml_dtype_name(in[0]->dtype));
	memcpy(st[0], out->nb, sizeof st[0]);
	base[0] = out->data;
	for (int i = 0; i < ops[op].arity; i++) {
		ml_broadcast_strides(in[i], nd, ne, st[i + 1]);
		base[i + 1] = in[i]->data;
	}
	{
		/* fast kernels take the SIMD path on rows where every operand
		 * steps one element, and their scalar loop elsewhere */
		MlLoopFn fn = !ref && k->fast != NULL ? k->fast : k->ref;
		ml_iter(ops[op].arity + 1, base, nd, ne, (const int64_t(*)[ML_MAX_DIMS])st, fn,
		        (void *)params);
	}
	return AC_OK;
}

int
ml_op_into(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *params, AcErr *err)
{
	return op_run(op, out, in, params, false, err);
}

int
ml_op_into_ref(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *params,
               AcErr *err)
{
	return op_run(op, out, in, params, true, err);
}

MlTensor *
ml_op(MlOp op, MlTensor *const *in, const MlOpParams *params, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS];
	int nd;
	MlTensor *out;

	if (ml_op_shape(op, in, params, &nd, ne, err) != AC_OK)
		return NULL;
	out = ml_tensor_empty(out_dtype(op, in, params), nd, ne, err);
	if (out != NULL && op_run(op, out, in, params, false, err) != AC_OK) {
		ml_tensor_unref(out);
		out = NULL;
	}
	return out;
}
