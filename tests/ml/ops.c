/* ml ops: every (op, dtype) ops.def lists against its scalar _ref twin on
 * odd shapes, strided and broadcast views; broadcasting and reduction
 * semantics on hand cases; views against copies; dtype conversions. */
#include "tests/ml/mltest.h"
#include "ml/ml_impl.h"

#include <math.h>
#include <stdio.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double
urand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Random values suited to the op's domain. */
static void
fill_random(MlTensor *t, MlOp op, int which)
{
	int64_t n = ml_tensor_numel(t), idx[ML_MAX_DIMS];

	for (int64_t i = 0; i < n; i++) {
		int64_t r = i;
		for (int d = t->ndim - 1; d >= 0; d--) {
			idx[d] = r % t->ne[d];
			r /= t->ne[d];
		}
		double v;
		switch (ml_dtype_kind(t->dtype)) {
		case ML_KIND_BOOL: v = urand() < 0.5; break;
		case ML_KIND_UINT: v = floor(urand() * 20); break;
		case ML_KIND_INT: v = floor(urand() * 21) - 10; break;
		default:
			v = urand() * 4 - 2;
			if (op == ML_OP_LOG || op == ML_OP_SQRT || op == ML_OP_RSQRT || op == ML_OP_ACOSH)
				v = urand() * 4 + 1;
			if (op == ML_OP_ASIN || op == ML_OP_ACOS || op == ML_OP_ATANH)
				v = urand() * 1.8 - 0.9;
			if (op == ML_OP_POW && which == 0)
				v = urand() * 2 + 0.1;
			break;
		}
		if ((op == ML_OP_DIV || op == ML_OP_MOD || op == ML_OP_FMOD) && which == 1 && v == 0)
			v = 3;
		if (op == ML_OP_POW && which == 1 && ml_dtype_kind(t->dtype) != ML_KIND_FLOAT)
			v = fabs(v) > 5 ? 5 : fabs(v);
		assert_int_equal(ml_set(t, idx, v, NULL), AC_OK);
	}
}

/* max |a-b| / (1 + |b|) over all elements, through double. */
static double
max_rel(const MlTensor *a, const MlTensor *b)
{
	int64_t n = ml_tensor_numel(a), idx[ML_MAX_DIMS];
	double worst = 0;

	for (int64_t i = 0; i < n; i++) {
		int64_t r = i;
		double x, y;
		for (int d = a->ndim - 1; d >= 0; d--) {
			idx[d] = r % a->ne[d];
			r /= a->ne[d];
		}
		ml_get(a, idx, &x, NULL);
		ml_get(b, idx, &y, NULL);
		if (isnan(x) && isnan(y))
			continue;
		if (x == y)
			continue;
		double e = fabs(x - y) / (1 + fabs(y));
		if (!(e <= worst))
			worst = isnan(e) ? INFINITY : e;
	}
	return worst;
}

/* A [rows, cols] tensor seen through a transposed, strided view of a
 * larger one, so no dimension is contiguous. */
static MlTensor *
strided(MlDtype dt, int64_t rows, int64_t cols)
{
	int64_t big[2] = {cols * 2, rows + 3};
	MlTensor *b = ml_tensor_zeros(dt, 2, big, NULL), *s, *t;

	assert_non_null(b);
	s = ml_view_slice(b, 0, 1, 1 + cols * 2 - 1, 2, NULL);
	assert_non_null(s);
	t = ml_view_transpose(s, 0, 1, NULL);
	assert_non_null(t);
	ml_tensor_unref(b);
	ml_tensor_unref(s);
	return t; /* [rows + 3, cols]: callers slice rows */
}

/* The index ops' index inputs: i64 in [-n, n) (negative from the end). */
static MlTensor *
index_input(int nd, const int64_t *ne, int64_t n)
{
	MlTensor *t = ml_tensor_zeros(ML_I64, nd, ne, NULL);

	assert_non_null(t);
	for (int64_t i = 0; i < ml_tensor_numel(t); i++)
		((int64_t *)(void *)t->data)[i] = (int64_t)floor(urand() * 2 * (double)n) - n;
	return t;
}

/* Inputs of the INDEX family (cpu/index.c): x [7, 37] as the walk makes it
 * (strided in layout 1), an i64 index, scatter's src; embedding's table
 * [7, 64] so that q8_0 / q4_0 rows are whole blocks.  1 if op is one. */
static int
index_op_input(MlOp op, int k, MlDtype dt, MlOpParams *p, MlTensor **in)
{
	switch (op) {
	case ML_OP_GATHER: case ML_OP_GATHER_ELEMENTS: case ML_OP_SCATTER: case ML_OP_SCATTER_ADD:
	case ML_OP_EMBEDDING: case ML_OP_TRIU: case ML_OP_TRIL: case ML_OP_CUMSUM: case ML_OP_SORT:
	case ML_OP_ARGSORT:
		break;
	default:
		return 0;
	}
	p->axis = 1;
	p->k = 1;
	p->mode = 1;
	if (op == ML_OP_EMBEDDING && k == 0) {
		MlTensor *f = ml_tensor_zeros(ML_F32, 2, (int64_t[]){7, 64}, NULL);
		fill_random(f, op, k);
		*in = ml_cast(f, dt, NULL);
		ml_tensor_unref(f);
		return 1;
	}
	if (k == 1) {
		int64_t ne[2] = {op == ML_OP_GATHER || op == ML_OP_EMBEDDING ? 3 : 7, 5};
		*in = index_input(2, ne, op == ML_OP_EMBEDDING ? 7 : 37);
		return 1;
	}
	if (k == 2) { /* src */
		*in = ml_tensor_zeros(dt, 2, (int64_t[]){7, 6}, NULL);
		fill_random(*in, op, k);
		return 1;
	}
	return 0; /* x: the walk's own */
}

/* The inputs of the convolution and pooling ops: x [2, 4, 7, 6] (layout
 * 1: a transposed view; layout 2: 1-d [3, 4, 11]), stride, padding,
 * dilation and groups all in play. */
static MlTensor *
conv_input(MlOp op, MlDtype dt, int layout, int k, MlOpParams *p)
{
	bool tr = op == ML_OP_CONV_TRANSPOSE;
	int nsp = layout == 2 ? 1 : 2;
	int64_t ne[4];
	MlTensor *t;

	*p = (MlOpParams){.groups = 2, .stride = {2, 1}, .dilation = {1, 2},
	                  .kernel = {3, 2}, .ceil_mode = layout != 1,
	                  .count_include_pad = layout == 1};
	if (nsp == 2) {
		int64_t pads[4] = {1, 0, 1, 1};
		memcpy(p->pad, pads, sizeof pads);
		p->output_padding[0] = 1;
	} else {
		p->pad[0] = 1;
		p->pad[1] = 2;
		p->stride[0] = 2;
		p->dilation[0] = 2;
		p->output_padding[0] = 1;
	}
	if (op == ML_OP_ADAPTIVE_AVG_POOL || op == ML_OP_ADAPTIVE_MAX_POOL) {
		p->kernel[0] = nsp == 2 ? 3 : 4;
		p->kernel[1] = 4;
	}
	if (k == 2 && layout == 0)
		return NULL; /* no bias */
	if (k == 0) {
		ne[0] = nsp == 2 ? 2 : 3;
		ne[1] = 4;
		ne[2] = nsp == 2 ? 7 : 11;
		ne[3] = 6;
	} else if (k == 1) {
		ne[0] = tr ? 4 : 6;    /* conv: [O 6, C/g 2, k]; transposed: [C 4, O/g 3, k] */
		ne[1] = tr ? 3 : 2;
		ne[2] = 3;
		ne[3] = 2;
	} else
		ne[0] = 6;
	int nd = k == 2 ? 1 : 2 + nsp;
	if (layout == 1 && k == 0) {
		int64_t sw[4] = {ne[0], ne[1], ne[3], ne[2]};
		MlTensor *b = ml_tensor_zeros(dt, 4, sw, NULL);
		assert_non_null(b);
		t = ml_view_transpose(b, 2, 3, NULL);
		ml_tensor_unref(b);
	} else
		t = ml_tensor_zeros(dt, nd, ne, NULL);
	assert_non_null(t);
	fill_random(t, op, k);
	return t;
}

/* Inputs of the loss, rope, attention and random ops (cpu/loss.c,
 * rope.c, attention.c, random.c) for layout 0..2: operand k, or NULL for
 * an optional one left out; sets the op's params. */
static MlTensor *
lra_input(MlOp op, MlDtype dt, int layout, int k, MlOpParams *p)
{
	int64_t ne[4] = {4, 5, 3};
	int nd = 3;
	MlDtype kdt = dt;
	MlTensor *t;

	switch (op) {
	case ML_OP_NLL_LOSS:
	case ML_OP_CROSS_ENTROPY:
		/* x [4, 5, 3], target [4, 3] i64, weight [5] (not in layout 0);
		 * reduction none, mean, sum by layout */
		p->mode = layout;
		p->has_ignore_index = true;
		p->ignore_index = 1;
		p->label_smoothing = op == ML_OP_CROSS_ENTROPY ? 0.1 : 0;
		if (k == 1) {
			ne[1] = 3;
			nd = 2;
			kdt = ML_I64;
		} else if (k == 2) {
			if (layout == 0)
				return NULL;
			ne[0] = 5;
			nd = 1;
		}
		break;
	case ML_OP_ROPE:
		/* x [2, 5, 3, 8], pos [5] i64 (not in layout 0); pairs, halves,
		 * partial halves */
		p->mode = layout == 0 ? 0 : 2;
		p->k = layout == 2 ? 4 : 0;
		p->p[0] = 0;
		p->p[1] = 3;
		if (k == 0) {
			ne[0] = 2; ne[1] = 5; ne[2] = 3; ne[3] = 8; nd = 4;
		} else {
			if (layout == 0)
				return NULL;
			ne[0] = 5;
			nd = 1;
			kdt = ML_I64;
		}
		break;
	case ML_OP_ATTENTION:
		/* q [2, 3, 4], k [2, 5, 4], v [2, 5, 6]; no mask, a bool mask
		 * [3, 5], an additive mask [2, 1, 5] with causal */
		p->causal = layout == 2;
		p->scale = 0;
		ne[0] = 2;
		ne[1] = k == 0 ? 3 : 5;
		ne[2] = k == 2 ? 6 : 4;
		if (k == 3) {
			if (layout == 0)
				return NULL;
			ne[0] = layout == 1 ? 3 : 2;
			ne[1] = layout == 1 ? 5 : 1;
			ne[2] = 5;
			nd = layout == 1 ? 2 : 3;
			kdt = layout == 1 ? ML_BOOL : dt;
		}
		break;
	default: /* random: [7, 37]; probabilities for bernoulli */
		p->seed = 42 + (uint64_t)layout;
		p->p[0] = -1;
		p->p[1] = 2;
		ne[0] = 7;
		ne[1] = 37;
		nd = 2;
		break;
	}
	t = ml_tensor_zeros(kdt, nd, ne, NULL);
	assert_non_null(t);
	fill_random(t, op, k);
	if (kdt == ML_I64) {
		int64_t n = ml_tensor_numel(t), *v = (int64_t *)(void *)t->data;
		for (int64_t i = 0; i < n; i++)
			v[i] = op == ML_OP_ROPE ? 2 * i - 3 : (int64_t)floor(urand() * 5);
	}
	if (op == ML_OP_BERNOULLI)
		for (int64_t i = 0; i < ne[0] * ne[1]; i++)
			assert_int_equal(ml_set(t, (int64_t[]){i / ne[1], i % ne[1]}, urand(), NULL), AC_OK);
	return t;
}

static void
test_kernels_match_ref(void **state)
{
	int checked = 0;

	for (int op = 0; op < ML_OP_COUNT; op++) {
		for (int dt = 0; dt < ML_DTYPE_COUNT; dt++) {
			if (!(ml_op_dtypes(op) & (1u << dt)))
				continue;
			for (int layout = 0; layout < 3; layout++) {
				int64_t rows = 7, cols = 37;
				MlTensor *in[ML_OP_MAX_INPUTS] = {NULL}, *raw[ML_OP_MAX_INPUTS] = {NULL};
				MlOpParams p = {.p = {0.25, 1.5}, .axes = layout == 2 ? 1u : 2u};
				if (op == ML_OP_CLAMP) {
					p.p[0] = -1;
					p.p[1] = 1.5;
				}
				for (int k = 0; k < ml_op_arity(op); k++) {
					if (op >= ML_OP_CONV && op <= ML_OP_ADAPTIVE_MAX_POOL) {
						in[k] = conv_input(op, dt, layout, k, &p);
						continue;
					}
					int64_t ne[3] = {rows, cols, 1};
					int nd = 2;
					if (op >= ML_OP_NLL_LOSS && op <= ML_OP_BERNOULLI) {
						in[k] = lra_input(op, dt, layout, k, &p);
						continue;
					}
					if (op == ML_OP_MATMUL && k == 1) {
						ne[0] = cols;
						ne[1] = 5;
					}
					if (op == ML_OP_MATMUL && k == 0 && layout == 2) {
						ne[0] = 3; ne[1] = rows; ne[2] = cols; nd = 3;
					}
					if (op >= ML_OP_LAYER_NORM && op <= ML_OP_BATCH_NORM) {
						p.eps = 1e-5;
						p.axis = -1;
						p.groups = 2;
						if (k == 0) {
							ne[0] = 4; ne[1] = 6; ne[2] = 5; nd = 3;
						} else {
							ne[0] = op == ML_OP_LAYER_NORM || op == ML_OP_RMS_NORM ? 5 : 6;
							nd = 1;
						}
					}
					MlDtype kdt = dt;
					if (index_op_input(op, k, dt, &p, &in[k])) {
						assert_non_null(in[k]);
						continue;
					}
					if (op == ML_OP_LINEAR) {
						/* x [rows, 64], weight [5, 64], bias [5] */
						bool lowp = dt != ML_F32 && dt != ML_F64;
						kdt = k == 1 || !lowp ? dt : ML_F32;
						ne[0] = k == 0 ? rows : 5;
						ne[1] = 64;
						nd = k == 2 ? 1 : 2;
						if (k == 2 && layout == 0) {
							in[k] = NULL;
							continue;
						}
						if (ml_dtype_block(kdt) > 1 || k == 2) {
							MlTensor *f = ml_tensor_zeros(ML_F32, nd, ne, NULL);
							fill_random(f, op, k);
							in[k] = ml_cast(f, kdt, NULL);
							ml_tensor_unref(f);
							continue;
						}
					}
					if (layout == 1 && nd == 2) {
						raw[k] = strided(kdt, ne[0], ne[1]);
						in[k] = ml_view_slice(raw[k], 0, 0, ne[0], 1, NULL);
					} else if (layout == 2 && k == 1 && ml_op_arity(op) == 2 &&
					           op != ML_OP_MATMUL && op != ML_OP_RMS_NORM) {
						/* broadcast a row: [1, cols] */
						int64_t one[2] = {1, cols};
						in[k] = ml_tensor_zeros(dt, 2, one, NULL);
					} else
						in[k] = ml_tensor_zeros(kdt, nd, ne, NULL);
					assert_non_null(in[k]);
					fill_random(in[k], op, k);
					if (op == ML_OP_BATCH_NORM && k == 2)
						ml_op_into(ML_OP_ABS, in[k], &in[k], NULL, NULL);
				}
				AcErr err;
				MlTensor *fast = ml_op(op, in, &p, &err);
				if (fast == NULL)
					fail_msg("%s %s: %s", ml_op_name(op), ml_dtype_name(dt), err.msg);
				MlTensor *ref = ml_tensor_zeros(fast->dtype, fast->ndim, fast->ne, NULL);
				assert_int_equal(ml_op_into_ref(op, ref, in, &p, &err), AC_OK);
				double e = max_rel(fast, ref);
				double tol = dt == ML_F16 ? 1e-3 : dt == ML_BF16 ? 1e-2 : dt == ML_F32 ? 1e-5 : 0;
				if ((op == ML_OP_MATMUL || op == ML_OP_LINEAR) && (dt == ML_F16 || dt == ML_BF16))
					tol *= 8; /* f32 accumulation against double, then rounded */
				if (op == ML_OP_LINEAR && dt != ML_F64)
					tol = dt == ML_BF16 ? 5e-2 : 2e-2; /* x in q8_0 / f16 / bf16 for the dot, as ggml */
				if ((op == ML_OP_CONV || op == ML_OP_CONV_TRANSPOSE) && (dt == ML_F16 || dt == ML_BF16))
					tol *= 8; /* f32 accumulation against double, then rounded */ /* f32 accumulation against double, then rounded */
				if (dt == ML_F64)
					tol = 1e-12;
				if (!(e <= tol))
					fail_msg("%s %s layout %d: fast and ref differ by %g", ml_op_name(op),
					         ml_dtype_name(dt), layout, e);
				checked++;
				ml_tensor_unref(fast);
				ml_tensor_unref(ref);
				for (int k = 0; k < ML_OP_MAX_INPUTS; k++) {
					ml_tensor_unref(in[k]);
					ml_tensor_unref(raw[k]);
				}
			}
		}
	}
	printf("# %d (op, dtype, layout) kernels matched their _ref twins\n", checked);
	assert_true(checked > 300);
}

static MlTensor *
f32(int ndim, const int64_t *ne, const float *v)
{
	MlTensor *t = ml_tensor_zeros(ML_F32, ndim, ne, NULL);

	assert_non_null(t);
	memcpy(t->data, v, ml_tensor_nbytes(t));
	return t;
}

static void
test_broadcast(void **state)
{
	int64_t a_ne[2] = {2, 3}, b_ne[1] = {3}, c_ne[2] = {2, 1}, bad_ne[1] = {2};
	float av[6] = {1, 2, 3, 4, 5, 6}, bv[3] = {10, 20, 30}, cv[2] = {100, 200};
	MlTensor *a = f32(2, a_ne, av), *b = f32(1, b_ne, bv), *c = f32(2, c_ne, cv);
	MlTensor *bad = f32(1, bad_ne, cv);
	AcErr err;

	MlTensor *ab = ml_op(ML_OP_ADD, (MlTensor *[]){a, b}, NULL, &err);
	float want[6] = {11, 22, 33, 14, 25, 36};
	assert_non_null(ab);
	assert_all_close(ab, want, 0, 0);
	/* [3] and [2,1] broadcast to [2,3] */
	MlTensor *bc = ml_op(ML_OP_SUB, (MlTensor *[]){b, c}, NULL, &err);
	float want2[6] = {-90, -80, -70, -190, -180, -170};
	assert_non_null(bc);
	assert_int_equal(bc->ndim, 2);
	assert_all_close(bc, want2, 0, 0);
	assert_null(ml_op(ML_OP_MUL, (MlTensor *[]){a, bad}, NULL, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "mul: [2,3] and [2] do not broadcast");
	/* a comparison gives bool */
	MlTensor *gt = ml_op(ML_OP_GT, (MlTensor *[]){a, c}, NULL, &err);
	assert_non_null(gt);
	assert_int_equal(gt->dtype, ML_BOOL);
	/* mismatched dtypes are refused, naming both */
	MlTensor *i = ml_cast(a, ML_I32, NULL);
	assert_null(ml_op(ML_OP_ADD, (MlTensor *[]){a, i}, NULL, &err));
	assert_string_equal(err.msg, "add: input 2 is i32, input 1 f32");
	MlTensor *ms[] = {a, b, c, bad, ab, bc, gt, i};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_reduce(void **state)
{
	int64_t ne[3] = {2, 3, 4};
	float v[24];
	for (int i = 0; i < 24; i++)
		v[i] = (float)i;
	MlTensor *x = f32(3, ne, v);
	AcErr err;

	MlOpParams p = {.axes = 2}; /* dim 1 */
	MlTensor *s = ml_op(ML_OP_SUM, &x, &p, &err);
	assert_non_null(s);
	assert_int_equal(s->ndim, 2);
	float want[8] = {12, 15, 18, 21, 48, 51, 54, 57};
	assert_all_close(s, want, 0, 0);
	p.keepdim = true;
	p.axes = 5; /* dims 0 and 2 */
	MlTensor *m = ml_op(ML_OP_MEAN, &x, &p, &err);
	assert_non_null(m);
	assert_int_equal(m->ndim, 3);
	assert_int_equal(m->ne[0], 1);
	assert_int_equal(m->ne[1], 3);
	float want_m[3] = {7.5f, 11.5f, 15.5f};
	assert_all_close(m, want_m, 1e-6, 0);
	p = (MlOpParams){.axes = 4};
	MlTensor *am = ml_op(ML_OP_ARGMAX, &x, &p, &err);
	assert_non_null(am);
	assert_int_equal(am->dtype, ML_I64);
	assert_int_equal(((int64_t *)(void *)am->data)[0], 3);
	p = (MlOpParams){.correction = 1};
	MlTensor *var = ml_op(ML_OP_VAR, &x, &p, &err);
	assert_non_null(var);
	assert_int_equal(var->ndim, 0);
	assert_close(ML_F32(var)[0], 50.0, 1e-5, 0);
	/* a large offset does not cancel */
	int64_t n3[1] = {3};
	MlTensor *big = f32(1, n3, (float[]){1e6f + 1, 1e6f + 2, 1e6f + 3});
	MlTensor *bv = ml_op(ML_OP_VAR, &big, &p, &err);
	assert_close(ML_F32(bv)[0], 1.0, 1e-6, 0);
	MlTensor *lse = ml_op(ML_OP_LOGSUMEXP, &big, NULL, &err);
	assert_close(ML_F32(lse)[0], 1e6 + 3 + log(1 + exp(-1) + exp(-2)), 0, 1e-6);
	p = (MlOpParams){.axes = 8};
	assert_null(ml_op(ML_OP_SUM, &x, &p, &err));
	assert_int_equal(err.code, AC_ERANGE);
	MlTensor *ms[] = {x, s, m, am, var, big, bv, lse};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_views(void **state)
{
	int64_t ne[3] = {2, 3, 4};
	float v[24];
	for (int i = 0; i < 24; i++)
		v[i] = (float)i;
	MlTensor *x = f32(3, ne, v);
	AcErr err;

	/* permute then copy: element [k, i, j] of the view is x[i, j, k] */
	MlTensor *p = ml_view_permute(x, (int[]){2, 0, 1}, &err);
	assert_non_null(p);
	assert_false(ml_tensor_is_contiguous(p));
	MlTensor *c = ml_tensor_contiguous(p, &err);
	assert_true(ml_tensor_is_contiguous(c));
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++)
				assert_close(ML_F32(c)[k * 6 + i * 3 + j], v[i * 12 + j * 4 + k], 0, 0);
	/* a view cannot flatten a permuted tensor; a reshape copies */
	assert_null(ml_view_reshape(p, 1, (int64_t[]){24}, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	MlTensor *r = ml_tensor_reshape_copy(p, 2, (int64_t[]){4, -1}, &err);
	assert_non_null(r);
	assert_int_equal(r->ne[1], 6);
	/* a view of contiguous data shares it */
	MlTensor *f = ml_view_reshape(x, 2, (int64_t[]){6, -1}, &err);
	assert_non_null(f);
	assert_ptr_equal(f->data, x->data);
	/* reversed slice */
	MlTensor *rev = ml_view_slice(x, 2, 3, -1, -1, &err);
	assert_non_null(rev);
	assert_int_equal(rev->ne[2], 4);
	double d;
	assert_int_equal(ml_get(rev, (int64_t[]){0, 0, 0}, &d, NULL), AC_OK);
	assert_close(d, 3, 0, 0);
	/* expand: stride 0 and a copy into a bigger tensor */
	MlTensor *e = ml_view_expand(x, 4, (int64_t[]){5, 2, 3, 4}, &err);
	assert_non_null(e);
	assert_int_equal(e->nb[0], 0);
	assert_null(ml_view_expand(x, 3, (int64_t[]){2, 4, 4}, &err));
	assert_string_equal(err.msg, "expand: [2,3,4] cannot broadcast to [2,4,4]");
	/* squeeze / unsqueeze */
	MlTensor *u = ml_view_unsqueeze(x, 1, &err), *s = ml_view_squeeze(u, 1, &err);
	assert_int_equal(u->ndim, 4);
	assert_true(ml_same_shape(s, x));
	MlTensor *ms[] = {x, p, c, r, f, rev, e, u, s};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_conversions(void **state)
{
	assert_int_equal(ml_fp32_to_fp16(1.0f), 0x3c00);
	assert_int_equal(ml_fp32_to_fp16(65504.0f), 0x7bff);
	assert_int_equal(ml_fp32_to_fp16(65520.0f), 0x7c00); /* rounds to inf */
	assert_int_equal(ml_fp32_to_fp16(-0.0f), 0x8000);
	assert_int_equal(ml_fp32_to_fp16(5.9604645e-8f), 0x0001); /* smallest subnormal */
	assert_int_equal(ml_fp32_to_fp16(2.98023224e-8f), 0x0000); /* a tie rounds to even */
	assert_true(isnan(ml_fp16_to_fp32(ml_fp32_to_fp16(NAN))));
	assert_int_equal(ml_fp32_to_bf16(1.0f), 0x3f80);
	assert_close(ml_bf16_to_fp32(ml_fp32_to_bf16(3.14159f)), 3.140625, 0, 0);
	/* every f16 bit pattern survives f16 -> f32 -> f16 */
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = ml_fp16_to_fp32((uint16_t)h);
		if (!isnan(f))
			assert_int_equal(ml_fp32_to_fp16(f), h);
	}
	/* float to int saturates and truncates; NaN gives 0 */
	int64_t n4[1] = {4};
	MlTensor *x = f32(1, n4, (float[]){3.9f, -3.9f, 1e10f, NAN});
	MlTensor *i = ml_cast(x, ML_I32, NULL), *u = ml_cast(x, ML_U8, NULL);
	int32_t *iv = (int32_t *)(void *)i->data;
	assert_int_equal(iv[0], 3);
	assert_int_equal(iv[1], -3);
	assert_int_equal(iv[2], INT32_MAX);
	assert_int_equal(iv[3], 0);
	assert_int_equal(u->data[1], 0);
	assert_int_equal(u->data[2], 255);
	/* q8_0 round trip within half a step of the block's scale */
	int64_t n64[1] = {64};
	MlTensor *r = ml_tensor_zeros(ML_F32, 1, n64, NULL);
	for (int k = 0; k < 64; k++)
		ML_F32(r)[k] = (float)sin(k);
	MlTensor *q = ml_cast(r, ML_Q8_0, NULL), *back = ml_cast(q, ML_F32, NULL);
	assert_non_null(back);
	assert_int_equal(ml_tensor_nbytes(q), 68);
	for (int k = 0; k < 64; k++)
		assert_close(ML_F32(back)[k], ML_F32(r)[k], 1.0 / 127 / 2 + 1e-3, 0);
	MlTensor *ms[] = {x, i, u, r, q, back};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_matmul_softmax_norm(void **state)
{
	AcErr err;
	/* [2,2,3] x [3,2]: the second operand broadcasts over the batch */
	float av[12] = {1, 2, 3, 4, 5, 6, -1, 0, 1, 2, 2, 2}, bv[6] = {1, 0, 0, 1, 1, 1};
	MlTensor *a = f32(3, (int64_t[]){2, 2, 3}, av), *b = f32(2, (int64_t[]){3, 2}, bv);
	MlTensor *c = ml_op(ML_OP_MATMUL, (MlTensor *[]){a, b}, NULL, &err);
	assert_non_null(c);
	assert_int_equal(c->ndim, 3);
	float want[8] = {4, 5, 10, 11, 0, 1, 4, 4};
	assert_all_close(c, want, 0, 0);
	/* a transposed view goes to BLAS without a copy and gives the same */
	MlTensor *b_t = ml_view_transpose(b, 0, 1, NULL), *bt = ml_tensor_contiguous(b_t, NULL);
	ml_tensor_unref(b_t);
	MlTensor *btt = ml_view_transpose(bt, 0, 1, NULL);
	MlTensor *c2 = ml_op(ML_OP_MATMUL, (MlTensor *[]){a, btt}, NULL, &err);
	assert_all_close(c2, want, 0, 0);
	/* 1-d operands: [3] x [3,2] -> [2] */
	MlTensor *v = f32(1, (int64_t[]){3}, (float[]){1, 1, 1});
	MlTensor *vb = ml_op(ML_OP_MATMUL, (MlTensor *[]){v, b}, NULL, &err);
	assert_int_equal(vb->ndim, 1);
	assert_all_close(vb, ((float[]){2, 2}), 0, 0);
	assert_null(ml_op(ML_OP_MATMUL, (MlTensor *[]){b, b}, NULL, &err));
	assert_string_equal(err.msg, "matmul: [3,2] and [3,2] do not agree");
	/* softmax along dim 0 of [2,2] */
	MlTensor *x = f32(2, (int64_t[]){2, 2}, (float[]){0, 1, 0, 3});
	MlOpParams p = {.axis = 0};
	MlTensor *sm = ml_op(ML_OP_SOFTMAX, &x, &p, &err);
	assert_all_close(sm, ((float[]){0.5f, 1 / (1 + expf(2)), 0.5f, 1 / (1 + expf(-2))}), 1e-6, 0);
	p.axis = -1;
	MlTensor *ls = ml_op(ML_OP_LOG_SOFTMAX, &x, &p, &err);
	assert_close(ML_F32(ls)[1], -log1p(exp(-1)), 1e-6, 0);
	/* long rows take the streaming-store path: against the scalar twin */
	{
		int64_t lne[2] = {3, 4099};
		MlTensor *big = ml_tensor_zeros(ML_F32, 2, lne, NULL);
		fill_random(big, ML_OP_SOFTMAX, 0);
		for (int op = ML_OP_SOFTMAX; op <= ML_OP_LOG_SOFTMAX; op++) {
			MlTensor *fast = ml_op(op, &big, &p, &err), *ref = ml_tensor_zeros(ML_F32, 2, lne, NULL);
			assert_non_null(fast);
			assert_int_equal(ml_op_into_ref(op, ref, &big, &p, &err), AC_OK);
			assert_true(max_rel(fast, ref) < 1e-5);
			ml_tensor_unref(fast);
			ml_tensor_unref(ref);
		}
		int64_t ane[2] = {2, 4096};
		MlTensor *al = ml_tensor_zeros(ML_F32, 2, ane, NULL);
		fill_random(al, ML_OP_SOFTMAX, 0);
		MlTensor *fast = ml_op(ML_OP_SOFTMAX, &al, &p, &err), *ref = ml_tensor_zeros(ML_F32, 2, ane, NULL);
		assert_int_equal(ml_op_into_ref(ML_OP_SOFTMAX, ref, &al, &p, &err), AC_OK);
		assert_true(max_rel(fast, ref) < 1e-5);
		ml_tensor_unref(fast);
		ml_tensor_unref(ref);
		ml_tensor_unref(al);
		ml_tensor_unref(big);
	}
	/* layer norm of a row has mean 0 and variance 1 (biased) */
	MlTensor *row = f32(2, (int64_t[]){1, 4}, (float[]){1, 2, 3, 4});
	p = (MlOpParams){.axis = -1, .eps = 0};
	MlTensor *ln = ml_op(ML_OP_LAYER_NORM, (MlTensor *[]){row, NULL, NULL}, &p, &err);
	assert_non_null(ln);
	assert_close(ML_F32(ln)[0], -1.5 / sqrt(1.25), 1e-6, 0);
	MlTensor *ms[] = {a, b, c, bt, btt, c2, v, vb, x, sm, ls, row, ln};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

TEST_MAIN("ml/ops", cmocka_unit_test(test_matmul_softmax_norm), cmocka_unit_test(test_kernels_match_ref), cmocka_unit_test(test_broadcast),
          cmocka_unit_test(test_reduce), cmocka_unit_test(test_views),
          cmocka_unit_test(test_conversions))
