/* ml's loss, rope, attention and random ops on hand-worked cases, with
 * the exact error messages (cpu/loss.c, rope.c, attention.c, random.c). */
#include "tests/ml/mltest.h"

#include <math.h>
#include <stdio.h>

static MlTensor *
f32(int ndim, const int64_t *ne, const float *v)
{
	MlTensor *t = ml_tensor_zeros(ML_F32, ndim, ne, NULL);

	assert_non_null(t);
	if (v != NULL)
		memcpy(t->data, v, ml_tensor_nbytes(t));
	return t;
}

static MlTensor *
i64(int ndim, const int64_t *ne, const int64_t *v)
{
	MlTensor *t = ml_tensor_zeros(ML_I64, ndim, ne, NULL);

	assert_non_null(t);
	memcpy(t->data, v, ml_tensor_nbytes(t));
	return t;
}

static void
test_nll_loss(void **state)
{
	MlTensor *x = f32(2, (int64_t[]){2, 3}, (float[]){-1, -2, -3, -4, -5, -6});
	MlTensor *t = i64(1, (int64_t[]){2}, (int64_t[]){0, 2});
	MlTensor *w = f32(1, (int64_t[]){3}, (float[]){1, 10, 3});
	MlOpParams p = {.mode = 1};
	AcErr err;

	/* mean: (1 + 6) / 2; weighted: (1*1 + 3*6) / (1 + 3) */
	MlTensor *l = ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, NULL}, &p, &err);
	assert_non_null(l);
	assert_int_equal(l->ndim, 0);
	assert_close(ML_F32(l)[0], 3.5, 0, 0);
	MlTensor *lw = ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, w}, &p, &err);
	assert_close(ML_F32(lw)[0], 19.0 / 4, 1e-6, 0);
	/* ignore class 2: only row 0 is left */
	p.has_ignore_index = true;
	p.ignore_index = 2;
	MlTensor *li = ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, w}, &p, &err);
	assert_close(ML_F32(li)[0], 1, 0, 0);
	/* none: per row, weighted, the ignored row 0 */
	p.mode = 0;
	MlTensor *ln = ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, w}, &p, &err);
	assert_int_equal(ln->ndim, 1);
	assert_all_close(ln, ((float[]){1, 0}), 0, 0);
	/* every target ignored: the mean is 0/0 (NaN), as PyTorch */
	p = (MlOpParams){.mode = 1, .has_ignore_index = true, .ignore_index = 0};
	MlTensor *t0 = i64(1, (int64_t[]){2}, (int64_t[]){0, 0});
	MlTensor *lnan = ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t0, NULL}, &p, &err);
	assert_true(isnan(ML_F32(lnan)[0]));
	/* the gradient of the weighted mean: -w[t] / sum(w[t]) at the target */
	p = (MlOpParams){.mode = 1};
	MlTensor *g = f32(2, (int64_t[]){2, 3}, NULL);
	assert_int_equal(ml_nll_loss_backward(g, NULL, x, t, w, &p, &err), AC_OK);
	assert_all_close(g, ((float[]){-0.25f, 0, 0, 0, 0, -0.75f}), 1e-7, 0);

	/* errors, with nothing written */
	MlTensor *bad = i64(1, (int64_t[]){2}, (int64_t[]){0, 3});
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, bad, NULL}, &p, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "nll_loss: target[1] = 3 is not a class in 0..2");
	MlTensor *t3 = i64(1, (int64_t[]){3}, (int64_t[]){0, 1, 2});
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t3, NULL}, &p, &err));
	assert_string_equal(err.msg, "nll_loss: target [3] does not match input [2,3]");
	MlTensor *w2 = f32(1, (int64_t[]){2}, (float[]){1, 1});
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, w2}, &p, &err));
	assert_string_equal(err.msg, "nll_loss: weight [2], want [3]");
	MlTensor *tf = ml_cast(t, ML_F32, NULL);
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, tf, NULL}, &p, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	assert_string_equal(err.msg, "nll_loss: target is f32, want i64 or i32");
	p.mode = 3;
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, NULL}, &p, &err));
	assert_string_equal(err.msg, "nll_loss: reduction 3, want 0 none, 1 mean or 2 sum");
	p = (MlOpParams){.mode = 1, .label_smoothing = 0.1};
	assert_null(ml_op(ML_OP_NLL_LOSS, (MlTensor *[]){x, t, NULL}, &p, &err));
	assert_string_equal(err.msg, "nll_loss: label_smoothing is cross_entropy's");
	p = (MlOpParams){.mode = 0};
	assert_int_equal(ml_nll_loss_backward(g, lw, x, t, NULL, &p, &err), AC_ESHAPE);
	assert_string_equal(err.msg, "nll_loss_backward: grad_output [], want [2]");
	MlTensor *ms[] = {x, t, w, l, lw, li, ln, t0, lnan, g, bad, t3, w2, tf};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_cross_entropy(void **state)
{
	/* logits [2] (1-d, a 0-d target): softmax (1/4, 3/4) */
	MlTensor *x = f32(1, (int64_t[]){2}, (float[]){0, (float)log(3.0)});
	MlTensor *t = i64(0, NULL, (int64_t[]){1});
	MlOpParams p = {.mode = 1};
	AcErr err;

	MlTensor *l = ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, t, NULL}, &p, &err);
	if (l == NULL)
		fail_msg("%s", err.msg);
	assert_close(ML_F32(l)[0], log(4.0 / 3), 1e-7, 0);
	MlTensor *g = f32(1, (int64_t[]){2}, NULL);
	assert_int_equal(ml_cross_entropy_backward(g, NULL, x, t, NULL, &p, &err), AC_OK);
	assert_all_close(g, ((float[]){0.25f, -0.25f}), 1e-7, 0);
	/* label smoothing 0.5 makes the target (1/4, 3/4): the softmax, so the
	 * loss is its entropy and the gradient 0 */
	p.label_smoothing = 0.5;
	MlTensor *ls = ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, t, NULL}, &p, &err);
	assert_close(ML_F32(ls)[0], -(0.75 * log(0.75) + 0.25 * log(0.25)), 1e-6, 0);
	assert_int_equal(ml_cross_entropy_backward(g, NULL, x, t, NULL, &p, &err), AC_OK);
	assert_all_close(g, ((float[]){0, 0}), 1e-7, 0);
	/* probability targets of the same shape: the same loss */
	MlTensor *q = f32(1, (int64_t[]){2}, (float[]){0.25f, 0.75f});
	p.label_smoothing = 0;
	MlTensor *lq = ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, q, NULL}, &p, &err);
	assert_close(ML_F32(lq)[0], ML_F32(ls)[0], 1e-6, 0);

	p.label_smoothing = 1.5;
	assert_null(ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, t, NULL}, &p, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "cross_entropy: label_smoothing 1.5 is outside [0, 1]");
	p.label_smoothing = 0;
	MlTensor *q3 = f32(1, (int64_t[]){3}, NULL);
	assert_null(ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, q3, NULL}, &p, &err));
	assert_string_equal(err.msg,
	                    "cross_entropy: probability target [3], want the input's shape [2]");
	MlTensor *tb = ml_tensor_zeros(ML_BOOL, 0, NULL, NULL);
	assert_null(ml_op(ML_OP_CROSS_ENTROPY, (MlTensor *[]){x, tb, NULL}, &p, &err));
	assert_string_equal(err.msg,
	                    "cross_entropy: target is bool, want i64 or i32 classes or probabilities");
	MlTensor *g3 = f32(1, (int64_t[]){3}, NULL);
	assert_int_equal(ml_cross_entropy_backward(g3, NULL, x, t, NULL, &p, &err), AC_ESHAPE);
	assert_string_equal(err.msg, "cross_entropy_backward: grad_input [3] f32, want [2] f32");
	MlTensor *ms[] = {x, t, l, g, ls, q, lq, q3, tb, g3};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_rope(void **state)
{
	MlTensor *x = f32(4, (int64_t[]){1, 1, 1, 4}, (float[]){1, 0, 1, 0});
	MlTensor *pos = i64(1, (int64_t[]){1}, (int64_t[]){1});
	MlOpParams p = {.mode = 0};
	AcErr err;

	/* pairs: (1, 0) turns by 1 rad, (1, 0) by 10000^(-1/2) = 0.01 rad */
	MlTensor *y = ml_op(ML_OP_ROPE, (MlTensor *[]){x, pos}, &p, &err);
	assert_non_null(y);
	assert_all_close(y, ((float[]){(float)cos(1), (float)sin(1), (float)cos(0.01),
	                              (float)sin(0.01)}), 1e-7, 0);
	/* halves: (x0, x2) = (1, 1) turns by 1 rad; (x1, x3) = (0, 0) stays */
	p.mode = 2;
	MlTensor *h = ml_op(ML_OP_ROPE, (MlTensor *[]){x, pos}, &p, &err);
	assert_all_close(h, ((float[]){(float)(cos(1) - sin(1)), 0, (float)(sin(1) + cos(1)), 0}),
	                 1e-7, 0);
	/* positions from p[1] when pos is NULL; the negated position undoes it */
	p.p[1] = 1;
	MlTensor *h2 = ml_op(ML_OP_ROPE, (MlTensor *[]){x, NULL}, &p, &err);
	assert_all_close(h2, ML_F32(h), 0, 0);
	p.p[1] = -1;
	MlTensor *back = ml_op(ML_OP_ROPE, (MlTensor *[]){h, NULL}, &p, &err);
	assert_all_close(back, ML_F32(x), 3e-7, 0);

	p = (MlOpParams){.k = 3};
	assert_null(ml_op(ML_OP_ROPE, (MlTensor *[]){x, NULL}, &p, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg,
	                    "rope: n_dims 3 of head size 4, want even and at most the head size");
	p = (MlOpParams){.mode = 1};
	assert_null(ml_op(ML_OP_ROPE, (MlTensor *[]){x, NULL}, &p, &err));
	assert_string_equal(err.msg, "rope: mode 1, want 0 (pairs) or 2 (halves)");
	p.mode = 0;
	MlTensor *m = f32(2, (int64_t[]){4, 4}, NULL);
	assert_null(ml_op(ML_OP_ROPE, (MlTensor *[]){m, NULL}, &p, &err));
	assert_string_equal(err.msg, "rope: x [4,4], want [.., T, H, D]");
	MlTensor *p2 = i64(1, (int64_t[]){2}, (int64_t[]){0, 1});
	assert_null(ml_op(ML_OP_ROPE, (MlTensor *[]){x, p2}, &p, &err));
	assert_string_equal(err.msg, "rope: pos [2], want [T] of x [1,1,1,4]");
	MlTensor *ms[] = {x, pos, y, h, h2, back, m, p2};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_attention(void **state)
{
	MlTensor *q = f32(3, (int64_t[]){1, 2, 2}, (float[]){1, 0, 1, 0});
	MlTensor *k = f32(3, (int64_t[]){1, 2, 2}, (float[]){1, 0, 0, 1});
	MlTensor *v = f32(3, (int64_t[]){1, 2, 1}, (float[]){10, 20});
	MlOpParams p = {.scale = 1};
	AcErr err;
	double e = exp(1.0), want = (10 * e + 20) / (e + 1);

	/* scores (1, 0): weights e/(e+1), 1/(e+1) */
	MlTensor *o = ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, k, v, NULL}, &p, &err);
	assert_non_null(o);
	assert_int_equal(o->ne[2], 1);
	assert_all_close(o, ((float[]){(float)want, (float)want}), 1e-5, 0);
	/* causal: query 0 sees key 0 only */
	p.causal = true;
	MlTensor *c = ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, k, v, NULL}, &p, &err);
	assert_all_close(c, ((float[]){10, (float)want}), 1e-5, 0);
	/* bottom-right: one query against two keys sees both */
	MlTensor *q1 = f32(3, (int64_t[]){1, 1, 2}, (float[]){1, 0});
	MlTensor *c1 = ml_op(ML_OP_ATTENTION, (MlTensor *[]){q1, k, v, NULL}, &p, &err);
	assert_all_close(c1, ((float[]){(float)want}), 1e-5, 0);
	/* a bool mask hiding key 0; an all-false row gives NaN */
	p.causal = false;
	MlTensor *bm = ml_tensor_zeros(ML_BOOL, 2, (int64_t[]){2, 2}, NULL);
	bm->data[1] = 1;
	MlTensor *b = ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, k, v, bm}, &p, &err);
	assert_close(ML_F32(b)[0], 20, 1e-5, 0);
	assert_true(isnan(ML_F32(b)[1]));
	/* the default scale is 1/sqrt(D) */
	p.scale = 0;
	MlTensor *d = ml_op(ML_OP_ATTENTION, (MlTensor *[]){q1, k, v, NULL}, &p, &err);
	double es = exp(1 / sqrt(2.0));
	assert_close(ML_F32(d)[0], (10 * es + 20) / (es + 1), 1e-5, 0);

	assert_null(ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, v, v, NULL}, &p, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "scaled_dot_product_attention: q [1,2,2], k [1,2,1], v "
	                             "[1,2,1] do not agree (want [.., Tq, D], [.., Tk, D], "
	                             "[.., Tk, Dv])");
	MlTensor *im = ml_tensor_zeros(ML_I32, 2, (int64_t[]){2, 2}, NULL);
	assert_null(ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, k, v, im}, &p, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	assert_string_equal(err.msg, "scaled_dot_product_attention: mask is i32, want bool or f32");
	MlTensor *m3 = f32(2, (int64_t[]){3, 2}, NULL);
	assert_null(ml_op(ML_OP_ATTENTION, (MlTensor *[]){q, k, v, m3}, &p, &err));
	assert_string_equal(err.msg,
	                    "scaled_dot_product_attention: mask [3,2] does not broadcast to [1,2,2]");
	MlTensor *ms[] = {q, k, v, o, c, q1, c1, bm, b, d, im, m3};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		ml_tensor_unref(ms[i]);
}

static void
test_random(void **state)
{
	int64_t ne[2] = {100, 101};
	MlTensor *x = f32(2, ne, NULL), *y = f32(2, ne, NULL);
	MlOpParams p = {.seed = 7, .p = {-1, 3}};
	AcErr err;
	double s = 0, s2 = 0;
	int64_t n = ne[0] * ne[1];

	/* uniform: in [lo, hi), the same for the same seed, else not */
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, x, &x, &p, &err), AC_OK);
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, y, &y, &p, &err), AC_OK);
	assert_memory_equal(x->data, y->data, ml_tensor_nbytes(x));
	for (int64_t i = 0; i < n; i++) {
		assert_true(ML_F32(x)[i] >= -1 && ML_F32(x)[i] < 3);
		s += ML_F32(x)[i];
	}
	assert_close(s / (double)n, 1, 0.05, 0);
	p.seed = 8;
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, y, &y, &p, &err), AC_OK);
	assert_true(memcmp(x->data, y->data, ml_tensor_nbytes(x)) != 0);
	/* a transposed output gets the same values in its own row-major order */
	MlTensor *z = f32(2, (int64_t[]){101, 100}, NULL), *zt = ml_view_transpose(z, 0, 1, NULL);
	MlTensor *w = f32(2, (int64_t[]){100, 101}, NULL);
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, zt, &zt, &p, &err), AC_OK);
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, w, &w, &p, &err), AC_OK);
	MlTensor *zc = ml_tensor_contiguous(zt, NULL);
	assert_memory_equal(zc->data, w->data, ml_tensor_nbytes(w));
	/* normal: mean 2, std 0.5 */
	p.p[0] = 2;
	p.p[1] = 0.5;
	assert_int_equal(ml_op_into(ML_OP_NORMAL, x, &x, &p, &err), AC_OK);
	s = 0;
	for (int64_t i = 0; i < n; i++) {
		s += ML_F32(x)[i];
		s2 += (ML_F32(x)[i] - 2.0) * (ML_F32(x)[i] - 2.0);
	}
	assert_close(s / (double)n, 2, 0.02, 0);
	assert_close(sqrt(s2 / (double)n), 0.5, 0.02, 0);
	/* bernoulli: probabilities 0 and 1 are certain; 0.3 about 30% */
	assert_int_equal(ml_fill(y, 0.3, NULL), AC_OK);
	ML_F32(y)[0] = 0;
	ML_F32(y)[1] = 1;
	assert_int_equal(ml_op_into(ML_OP_BERNOULLI, x, &y, &p, &err), AC_OK);
	assert_close(ML_F32(x)[0], 0, 0, 0);
	assert_close(ML_F32(x)[1], 1, 0, 0);
	s = 0;
	for (int64_t i = 2; i < n; i++)
		s += ML_F32(x)[i];
	assert_close(s / (double)(n - 2), 0.3, 0.02, 0);

	p.p[0] = 2;
	p.p[1] = 1;
	assert_int_equal(ml_op_into(ML_OP_UNIFORM, x, &x, &p, &err), AC_EINVAL);
	assert_string_equal(err.msg, "uniform: bounds [2, 1)");
	p.p[1] = -1;
	assert_int_equal(ml_op_into(ML_OP_NORMAL, x, &x, &p, &err), AC_EINVAL);
	assert_string_equal(err.msg, "normal: mean 2, std -1");
	ML_F32(y)[5] = 1.5f;
	assert_int_equal(ml_op_into(ML_OP_BERNOULLI, x, &y, &p, &err), AC_EINVAL);
	assert_string_equal(err.msg, "bernoulli: probs[5] = 1.5 is outside [0, 1]");
	MlTensor *ms[] = {x, y, z, zt, w, zc};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		ml_tensor_unref(ms[i]);
}

TEST_MAIN("ml/nnops", cmocka_unit_test(test_nll_loss), cmocka_unit_test(test_cross_entropy),
          cmocka_unit_test(test_rope), cmocka_unit_test(test_attention),
          cmocka_unit_test(test_random))
