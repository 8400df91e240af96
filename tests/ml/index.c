/* ml index and shape ops: hand cases for gather, gather_elements,
 * scatter, scatter_add, embedding, triu/tril, cumsum, sort/argsort, topk,
 * concat, stack, split, pad, tile, one_hot and arange, with negative
 * indices, strided and empty inputs, and each error's exact message. */
#include "tests/ml/mltest.h"
#include "ml/ml_impl.h"

#include <math.h>

/* A contiguous tensor of dtype dt holding v (row-major). */
static MlTensor *
mk(MlDtype dt, int nd, const int64_t *ne, const double *v)
{
	MlTensor *f = ml_tensor_zeros(ML_F64, nd, ne, NULL), *t;

	assert_non_null(f);
	if (v != NULL)
		memcpy(f->data, v, (size_t)ml_tensor_numel(f) * sizeof(double));
	t = ml_cast(f, dt, NULL);
	assert_non_null(t);
	ml_tensor_unref(f);
	return t;
}

/* Asserts t has shape ne[0..nd-1] and the values want (row-major). */
static void
expect(const MlTensor *t, int nd, const int64_t *ne, const double *want)
{
	assert_non_null(t);
	assert_int_equal(t->ndim, nd);
	for (int d = 0; d < nd; d++)
		assert_int_equal(t->ne[d], ne[d]);
	MlTensor *f = ml_cast(t, ML_F64, NULL);
	assert_non_null(f);
	for (int64_t i = 0; i < ml_tensor_numel(f); i++) {
		double g = ((double *)(void *)f->data)[i];
		if (isnan(want[i]) && isnan(g))
			continue;
		assert_close(g, want[i], 0, 0);
	}
	ml_tensor_unref(f);
}

#define D(...) ((const double[]){__VA_ARGS__})
#define N(...) ((const int64_t[]){__VA_ARGS__})

static void
test_gather(void **state)
{
	AcErr err;
	MlTensor *x = mk(ML_F32, 2, N(3, 2), D(1, 2, 3, 4, 5, 6));
	MlTensor *ix = mk(ML_I64, 2, N(2, 2), D(0, 1, -1, 0));
	MlOpParams p = {.axis = 0};
	MlTensor *y = ml_op(ML_OP_GATHER, (MlTensor *[]){x, ix}, &p, &err);
	expect(y, 3, N(2, 2, 2), D(1, 2, 3, 4, 5, 6, 1, 2));
	ml_tensor_unref(y);
	/* axis 1 with an i32 index, on a transposed (strided) view */
	MlTensor *xt = ml_view_transpose(x, 0, 1, NULL);  /* [2,3]: 1 3 5 / 2 4 6 */
	MlTensor *i1 = mk(ML_I32, 1, N(2), D(2, -3));
	p.axis = -1;
	y = ml_op(ML_OP_GATHER, (MlTensor *[]){xt, i1}, &p, &err);
	expect(y, 2, N(2, 2), D(5, 1, 6, 2));
	MlTensor *yr = ml_tensor_zeros(ML_F32, 2, N(2, 2), NULL);
	assert_int_equal(ml_op_into_ref(ML_OP_GATHER, yr, (MlTensor *[]){xt, i1}, &p, &err), AC_OK);
	expect(yr, 2, N(2, 2), D(5, 1, 6, 2));
	ml_tensor_unref(y);
	ml_tensor_unref(yr);
	/* a scalar index drops the axis; an empty index empties it */
	MlTensor *i0 = mk(ML_I64, 0, NULL, D(1));
	p.axis = 0;
	y = ml_op(ML_OP_GATHER, (MlTensor *[]){x, i0}, &p, &err);
	expect(y, 1, N(2), D(3, 4));
	ml_tensor_unref(y);
	MlTensor *ie = mk(ML_I64, 1, N(0), NULL);
	y = ml_op(ML_OP_GATHER, (MlTensor *[]){x, ie}, &p, &err);
	expect(y, 2, N(0, 2), D(0));
	ml_tensor_unref(y);
	/* out of range: nothing written */
	MlTensor *bad = mk(ML_I64, 1, N(2), D(0, 3));
	MlTensor *out = ml_tensor_zeros(ML_F32, 2, N(2, 2), NULL);
	assert_err(ml_op_into(ML_OP_GATHER, out, (MlTensor *[]){x, bad}, &p, &err), err, AC_ERANGE,
	           "index_select: index 3 at position 1 is out of range for dimension 0 of size 3");
	expect(out, 2, N(2, 2), D(0, 0, 0, 0));
	MlTensor *fi = mk(ML_F32, 1, N(1), D(0));
	assert_null(ml_op(ML_OP_GATHER, (MlTensor *[]){x, fi}, &p, &err));
	assert_string_equal(err.msg, "index_select: index is f32, want i64 or i32");
	p.axis = 2;
	assert_null(ml_op(ML_OP_GATHER, (MlTensor *[]){x, ix}, &p, &err));
	assert_string_equal(err.msg, "index_select: axis 2 of a 2-d tensor");
	MlTensor *ms[] = {x, ix, xt, i1, i0, ie, bad, out, fi};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_gather_scatter_elements(void **state)
{
	AcErr err;
	MlTensor *x = mk(ML_I64, 2, N(2, 2), D(1, 2, 3, 4));
	MlTensor *ix = mk(ML_I64, 2, N(2, 2), D(0, 0, 1, -2));
	MlOpParams p = {.axis = 1};
	MlTensor *y = ml_op(ML_OP_GATHER_ELEMENTS, (MlTensor *[]){x, ix}, &p, &err);
	expect(y, 2, N(2, 2), D(1, 1, 4, 3));
	ml_tensor_unref(y);
	/* scatter: replace, add, mul, max, min; duplicates reduce in order */
	MlTensor *z = mk(ML_F32, 2, N(2, 3), D(0, 0, 0, 0, 0, 0));
	MlTensor *si = mk(ML_I64, 2, N(2, 2), D(1, 1, 0, -1));
	MlTensor *src = mk(ML_F32, 2, N(2, 2), D(1, 2, 3, 4));
	static const double want[5][6] = {
		{0, 2, 0, 3, 0, 4}, {0, 3, 0, 3, 0, 4}, {0, 0, 0, 0, 0, 0}, {0, 2, 0, 3, 0, 4},
		{0, 0, 0, 0, 0, 0},
	};
	for (int m = 0; m < 5; m++) {
		p.mode = m;
		y = ml_op(ML_OP_SCATTER, (MlTensor *[]){z, si, src}, &p, &err);
		expect(y, 2, N(2, 3), want[m]);
		ml_tensor_unref(y);
	}
	y = ml_op(ML_OP_SCATTER_ADD, (MlTensor *[]){z, si, src}, &p, &err);
	expect(y, 2, N(2, 3), want[1]);
	ml_tensor_unref(y);
	/* in place */
	p.mode = 0;
	assert_int_equal(ml_op_into(ML_OP_SCATTER, z, (MlTensor *[]){z, si, src}, &p, &err), AC_OK);
	expect(z, 2, N(2, 3), want[0]);
	MlTensor *bad = mk(ML_I64, 2, N(1, 1), D(-4));
	assert_err(ml_op_into(ML_OP_SCATTER, z, (MlTensor *[]){z, bad, src}, &p, &err), err,
	           AC_ERANGE, "scatter_reduce: index -4 at position 0 is out of range for dimension 1 of size 3");
	MlTensor *i3 = mk(ML_I64, 1, N(2), D(0, 1));
	assert_null(ml_op(ML_OP_GATHER_ELEMENTS, (MlTensor *[]){x, i3}, &p, &err));
	assert_string_equal(err.msg, "gather: index [2] and input [2,2] differ in rank");
	MlTensor *s64 = mk(ML_F64, 2, N(2, 2), D(0, 0, 0, 0));
	assert_null(ml_op(ML_OP_SCATTER, (MlTensor *[]){z, si, s64}, &p, &err));
	assert_string_equal(err.msg, "scatter_reduce: src is f64, input f32");
	MlTensor *ms[] = {x, ix, z, si, src, bad, i3, s64};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_embedding(void **state)
{
	AcErr err;
	double v[4 * 32];
	for (int i = 0; i < 4 * 32; i++)
		v[i] = (i % 7) - 3;
	MlTensor *w = mk(ML_F32, 2, N(4, 32), v);
	MlTensor *ix = mk(ML_I32, 2, N(1, 2), D(3, -4));
	MlTensor *y = ml_op(ML_OP_EMBEDDING, (MlTensor *[]){w, ix}, NULL, &err);
	assert_non_null(y);
	assert_int_equal(y->ndim, 3);
	assert_int_equal(y->ne[2], 32);
	assert_close(ML_F32(y)[0], v[96], 0, 0);
	assert_close(ML_F32(y)[32 + 5], v[5], 0, 0);
	/* q8_0 and q4_0 tables: rows dequantized (small integers are exact in q8_0) */
	for (MlDtype dt = ML_Q8_0; dt <= ML_Q4_0; dt++) {
		MlTensor *q = ml_cast(w, dt, NULL), *yq, *yr;
		yq = ml_op(ML_OP_EMBEDDING, (MlTensor *[]){q, ix}, NULL, &err);
		assert_non_null(yq);
		assert_int_equal(yq->dtype, ML_F32);
		yr = ml_tensor_zeros(ML_F32, 3, N(1, 2, 32), NULL);
		assert_int_equal(ml_op_into_ref(ML_OP_EMBEDDING, yr, (MlTensor *[]){q, ix}, NULL, &err),
		                 AC_OK);
		for (int i = 0; i < 64; i++) {
			assert_close(ML_F32(yq)[i], ML_F32(yr)[i], 0, 0);
			assert_close(ML_F32(yq)[i], ML_F32(y)[i], dt == ML_Q8_0 ? 0.02 : 0.5, 0);
		}
		ml_tensor_unref(q);
		ml_tensor_unref(yq);
		ml_tensor_unref(yr);
	}
	MlTensor *v1 = mk(ML_F32, 1, N(3), D(1, 2, 3));
	assert_null(ml_op(ML_OP_EMBEDDING, (MlTensor *[]){v1, ix}, NULL, &err));
	assert_string_equal(err.msg, "embedding: table [3] is not [V, D]");
	MlTensor *big = mk(ML_I64, 1, N(1), D(4));
	assert_null(ml_op(ML_OP_EMBEDDING, (MlTensor *[]){w, big}, NULL, &err));
	assert_string_equal(err.msg, "embedding: index 4 at position 0 is out of range for dimension 0 of size 4");
	MlTensor *ms[] = {w, ix, y, v1, big};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_tri_cumsum_sort(void **state)
{
	AcErr err;
	MlTensor *x = mk(ML_I32, 2, N(2, 3), D(1, 2, 3, 4, 5, 6));
	MlOpParams p = {.k = 0};
	MlTensor *y = ml_op(ML_OP_TRIU, &x, &p, &err);
	expect(y, 2, N(2, 3), D(1, 2, 3, 0, 5, 6));
	ml_tensor_unref(y);
	p.k = -1;
	y = ml_op(ML_OP_TRIL, &x, &p, &err);
	expect(y, 2, N(2, 3), D(0, 0, 0, 4, 0, 0));
	ml_tensor_unref(y);
	p.k = 1;
	y = ml_op(ML_OP_TRIU, &x, &p, &err);
	expect(y, 2, N(2, 3), D(0, 2, 3, 0, 0, 6));
	ml_tensor_unref(y);
	MlTensor *v = mk(ML_I32, 1, N(3), D(1, 2, 3));
	assert_null(ml_op(ML_OP_TRIU, &v, &p, &err));
	assert_string_equal(err.msg, "triu: input [3] is not a matrix");
	/* cumsum: inclusive, exclusive, reverse */
	p = (MlOpParams){.axis = 1};
	y = ml_op(ML_OP_CUMSUM, &x, &p, &err);
	expect(y, 2, N(2, 3), D(1, 3, 6, 4, 9, 15));
	ml_tensor_unref(y);
	p.p[0] = 1;
	p.p[1] = 1;
	y = ml_op(ML_OP_CUMSUM, &x, &p, &err);
	expect(y, 2, N(2, 3), D(5, 3, 0, 11, 6, 0));
	ml_tensor_unref(y);
	p = (MlOpParams){.axis = -3};
	assert_null(ml_op(ML_OP_CUMSUM, &x, &p, &err));
	assert_string_equal(err.msg, "cumsum: axis -3 of a 2-d tensor");
	/* sort: stable, NaN last ascending and first descending */
	MlTensor *f = mk(ML_F32, 1, N(6), D(3, NAN, 1, 3, -2, 1));
	p = (MlOpParams){.axis = 0};
	y = ml_op(ML_OP_SORT, &f, &p, &err);
	expect(y, 1, N(6), D(-2, 1, 1, 3, 3, NAN));
	ml_tensor_unref(y);
	y = ml_op(ML_OP_ARGSORT, &f, &p, &err);
	assert_int_equal(y->dtype, ML_I64);
	expect(y, 1, N(6), D(4, 2, 5, 0, 3, 1));
	ml_tensor_unref(y);
	p.largest = true;
	y = ml_op(ML_OP_ARGSORT, &f, &p, &err);
	expect(y, 1, N(6), D(1, 0, 3, 2, 5, 4));
	ml_tensor_unref(y);
	/* topk along a strided axis */
	MlTensor *xt = ml_view_transpose(x, 0, 1, NULL);  /* [3,2] */
	MlTensor *tv = ml_tensor_zeros(ML_I32, 2, N(3, 1), NULL);
	MlTensor *ti = ml_tensor_zeros(ML_I64, 2, N(3, 1), NULL);
	assert_int_equal(ml_topk(tv, ti, xt, 1, 1, true, &err), AC_OK);
	expect(tv, 2, N(3, 1), D(4, 5, 6));
	expect(ti, 2, N(3, 1), D(1, 1, 1));
	MlTensor *tv2 = ml_tensor_zeros(ML_I32, 2, N(2, 2), NULL);
	MlTensor *ti2 = ml_tensor_zeros(ML_I64, 2, N(2, 2), NULL);
	assert_int_equal(ml_topk(tv2, ti2, x, 2, -1, false, &err), AC_OK);
	expect(tv2, 2, N(2, 2), D(1, 2, 4, 5));
	expect(ti2, 2, N(2, 2), D(0, 1, 0, 1));
	assert_err(ml_topk(tv2, ti2, x, 4, 1, true, &err), err, AC_ERANGE, "topk: k 4 outside 0..3");
	MlTensor *ms[] = {x, v, f, xt, tv, ti, tv2, ti2};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_concat_stack_split(void **state)
{
	AcErr err;
	MlTensor *a = mk(ML_F32, 2, N(2, 2), D(1, 2, 3, 4));
	MlTensor *b = mk(ML_F32, 2, N(2, 1), D(5, 6));
	MlTensor *e = mk(ML_F32, 2, N(2, 0), NULL);
	MlTensor *y = ml_concat_new((MlTensor *[]){a, e, b}, 3, -1, &err);
	expect(y, 2, N(2, 3), D(1, 2, 5, 3, 4, 6));
	MlTensor *parts[3];
	assert_int_equal(ml_split(parts, y, N(1, 0, 2), 3, 1, &err), AC_OK);
	expect(parts[0], 2, N(2, 1), D(1, 3));
	assert_int_equal(parts[1]->ne[1], 0);
	expect(parts[2], 2, N(2, 2), D(2, 5, 4, 6));
	for (int k = 0; k < 3; k++)
		ml_tensor_unref(parts[k]);
	assert_err(ml_split(parts, y, N(1, 1), 2, 1, &err), err, AC_ESHAPE,
	           "split: sizes add to 2, dimension 1 of [2,3] is 3");
	assert_null(parts[0]);
	ml_tensor_unref(y);
	assert_null(ml_concat_new((MlTensor *[]){a, b}, 2, 0, &err));
	assert_string_equal(err.msg, "concat: input 2 [2,1] does not match input 1 [2,2]");
	MlTensor *out = ml_tensor_zeros(ML_F32, 2, N(2, 2), NULL);
	assert_err(ml_concat(out, (MlTensor *[]){a, b}, 2, 1, &err), err, AC_ESHAPE,
	           "concat: output [2,2], want [2,3]");
	MlTensor *i = mk(ML_I32, 2, N(2, 2), NULL);
	assert_err(ml_concat(out, (MlTensor *[]){a, i}, 2, 1, &err), err, AC_EDTYPE,
	           "concat: input 2 is i32, input 1 f32");
	y = ml_stack_new((MlTensor *[]){a, a}, 2, -1, &err);
	expect(y, 3, N(2, 2, 2), D(1, 1, 2, 2, 3, 3, 4, 4));
	ml_tensor_unref(y);
	assert_null(ml_stack_new((MlTensor *[]){a, b}, 2, 0, &err));
	assert_string_equal(err.msg, "stack: input 2 [2,1] does not match input 1 [2,2]");
	MlTensor *ms[] = {a, b, e, out, i};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_pad_tile(void **state)
{
	AcErr err;
	MlTensor *x = mk(ML_F64, 1, N(3), D(1, 2, 3));
	static const double want[4][8] = {
		{9, 9, 1, 2, 3, 9, 9, 9}, {3, 2, 1, 2, 3, 2, 1, 2}, {1, 1, 1, 2, 3, 3, 3, 3},
		{2, 3, 1, 2, 3, 1, 2, 3},
	};
	for (int m = 0; m < 4; m++) {
		MlTensor *y = ml_pad_new(x, N(2, 3), m, 9, &err);
		expect(y, 1, N(8), want[m]);
		ml_tensor_unref(y);
	}
	/* negative pads crop */
	MlTensor *y = ml_pad_new(x, N(-1, 1), ML_PAD_CONSTANT, 0, &err);
	expect(y, 1, N(3), D(2, 3, 0));
	ml_tensor_unref(y);
	assert_null(ml_pad_new(x, N(-4, 0), ML_PAD_CONSTANT, 0, &err));
	assert_string_equal(err.msg, "pad: pads -4, 0 crop past dimension 0 of [3]");
	MlTensor *e = mk(ML_F64, 2, N(0, 2), NULL);
	assert_null(ml_pad_new(e, N(1, 0, 1, 0), ML_PAD_REFLECT, 0, &err));
	assert_string_equal(err.msg, "pad: cannot reflect-pad the empty dimension 0 of [0,2]");
	y = ml_pad_new(e, N(1, 0, 0, 0), ML_PAD_CONSTANT, 7, &err);
	expect(y, 2, N(1, 2), D(7, 7));
	ml_tensor_unref(y);
	MlTensor *m2 = mk(ML_U8, 2, N(1, 2), D(1, 2));
	y = ml_tile_new(m2, N(2, 2), &err);
	expect(y, 2, N(2, 4), D(1, 2, 1, 2, 1, 2, 1, 2));
	ml_tensor_unref(y);
	y = ml_tile_new(m2, N(0, 1), &err);
	expect(y, 2, N(0, 2), D(0));
	ml_tensor_unref(y);
	assert_null(ml_tile_new(m2, N(1, -1), &err));
	assert_string_equal(err.msg, "tile: repeat -1 for dimension 1");
	MlTensor *ms[] = {x, e, m2};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_one_hot_arange(void **state)
{
	AcErr err;
	MlTensor *ix = mk(ML_I64, 1, N(3), D(0, 2, -1));
	MlTensor *y = ml_one_hot_new(ix, 3, 0, 1, -1, ML_F32, &err);
	expect(y, 2, N(3, 3), D(1, 0, 0, 0, 0, 1, 0, 0, 1));
	ml_tensor_unref(y);
	y = ml_one_hot_new(ix, 3, -1, 5, 0, ML_I32, &err);
	expect(y, 2, N(3, 3), D(5, -1, -1, -1, -1, -1, -1, 5, 5));
	ml_tensor_unref(y);
	assert_null(ml_one_hot_new(ix, 2, 0, 1, -1, ML_F32, &err));
	assert_string_equal(err.msg, "one_hot: index 2 at position 1 is out of range for depth 2");
	y = ml_arange_new(ML_F32, 1, 2, 0.25, &err);
	expect(y, 1, N(4), D(1, 1.25, 1.5, 1.75));
	ml_tensor_unref(y);
	y = ml_arange_new(ML_I32, 10, 4, -3, &err);
	expect(y, 1, N(2), D(10, 7));
	ml_tensor_unref(y);
	y = ml_arange_new(ML_I64, 4, 4, 1, &err);
	expect(y, 1, N(0), D(0));
	ml_tensor_unref(y);
	assert_null(ml_arange_new(ML_F32, 0, 1, 0, &err));
	assert_string_equal(err.msg, "arange: start 0, limit 1, delta 0");
	assert_null(ml_arange_new(ML_U8, 0, 1, 1, &err));
	assert_string_equal(err.msg, "arange: no kernel for u8");
	ml_tensor_unref(ix);
}

TEST_MAIN("ml/index", cmocka_unit_test(test_gather), cmocka_unit_test(test_gather_scatter_elements),
          cmocka_unit_test(test_embedding), cmocka_unit_test(test_tri_cumsum_sort),
          cmocka_unit_test(test_concat_stack_split), cmocka_unit_test(test_pad_tile),
          cmocka_unit_test(test_one_hot_arange))
