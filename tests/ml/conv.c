/* ml conv, conv_transpose and the pools: tiny cases computed by hand
 * (stride, dilation, asymmetric padding, groups, ceil_mode,
 * count_include_pad, adaptive bins), the adjoint identity <conv(x, w), y>
 * = <x, conv_transpose(y, w)>, the one-line errors, and the fast path
 * against its double twin on odd shapes and on tiles larger than the
 * im2col scratch. */
#include "tests/ml/mltest.h"
#include "ml/ml_impl.h"

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
randn(MlDtype dt, int ndim, const int64_t *ne, uint64_t seed)
{
	MlTensor *r = ml_tensor_randn(ndim, ne, 1, seed, NULL), *t;

	assert_non_null(r);
	t = ml_cast(r, dt, NULL);
	assert_non_null(t);
	ml_tensor_unref(r);
	return t;
}

/* Runs op and checks the f32 result against want (n values). */
static void
check_op(MlOp op, MlTensor *const *in, const MlOpParams *p, int ndim, const int64_t *ne,
         const float *want)
{
	AcErr err;
	MlTensor *y = ml_op(op, in, p, &err);

	if (y == NULL)
		fail_msg("%s: %s", ml_op_name(op), err.msg);
	assert_int_equal(y->ndim, ndim);
	for (int i = 0; i < ndim; i++)
		assert_int_equal(y->ne[i], ne[i]);
	if (y->dtype == ML_I64) {
		for (int64_t i = 0; i < ml_tensor_numel(y); i++)
			assert_close((double)((int64_t *)(void *)y->data)[i], want[i], 0, 0);
	} else
		assert_all_close(y, want, 1e-6, 0);
	/* and the twin agrees */
	MlTensor *r = ml_tensor_zeros(y->dtype, y->ndim, y->ne, NULL);
	assert_int_equal(ml_op_into_ref(op, r, in, p, &err), AC_OK);
	if (r->dtype == ML_I64)
		assert_memory_equal(r->data, y->data, ml_tensor_nbytes(y));
	else
		assert_all_close(r, want, 1e-6, 0);
	ml_tensor_unref(r);
	ml_tensor_unref(y);
}

static void
test_conv_by_hand(void **state)
{
	float xv[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	MlTensor *x = f32(4, (int64_t[]){1, 1, 3, 3}, xv);
	/* the diagonal 2x2 kernel: x[i,j] + x[i+1,j+1], plus a bias */
	MlTensor *w = f32(4, (int64_t[]){1, 1, 2, 2}, (float[]){1, 0, 0, 1});
	MlTensor *b = f32(1, (int64_t[]){1}, (float[]){0.5f});
	check_op(ML_OP_CONV, (MlTensor *[]){x, w, b}, &(MlOpParams){0}, 4, (int64_t[]){1, 1, 2, 2},
	         (float[]){6.5f, 8.5f, 12.5f, 14.5f});
	/* a 3x3 box, stride 2, padding 1 */
	MlTensor *box = f32(4, (int64_t[]){1, 1, 3, 3}, (float[]){1, 1, 1, 1, 1, 1, 1, 1, 1});
	MlOpParams p = {.stride = {2, 2}, .pad = {1, 1, 1, 1}};
	check_op(ML_OP_CONV, (MlTensor *[]){x, box, NULL}, &p, 4, (int64_t[]){1, 1, 2, 2},
	         (float[]){12, 16, 24, 28});
	/* 1-d, dilation 2: x[i] + x[i+2] */
	MlTensor *x1 = f32(3, (int64_t[]){1, 1, 5}, (float[]){1, 2, 3, 4, 5});
	MlTensor *w1 = f32(3, (int64_t[]){1, 1, 2}, (float[]){1, 1});
	p = (MlOpParams){.dilation = {2}};
	check_op(ML_OP_CONV, (MlTensor *[]){x1, w1, NULL}, &p, 3, (int64_t[]){1, 1, 3},
	         (float[]){4, 6, 8});
	/* asymmetric padding: two zeros before, none after */
	p = (MlOpParams){.pad = {2, 0}};
	check_op(ML_OP_CONV, (MlTensor *[]){x1, w1, NULL}, &p, 3, (int64_t[]){1, 1, 6},
	         (float[]){0, 1, 3, 5, 7, 9});
	/* groups: two channels, each scaled by its own weight */
	MlTensor *x2 = f32(3, (int64_t[]){1, 2, 1}, (float[]){1, 2});
	MlTensor *w2 = f32(3, (int64_t[]){2, 1, 1}, (float[]){3, 5});
	p = (MlOpParams){.groups = 2};
	check_op(ML_OP_CONV, (MlTensor *[]){x2, w2, NULL}, &p, 3, (int64_t[]){1, 2, 1},
	         (float[]){3, 10});
	/* conv_transpose of one input spreads the kernel: stride 2 and
	 * output_padding 1 on [1, 2] with kernel [1, 10] */
	MlTensor *xt = f32(3, (int64_t[]){1, 1, 2}, (float[]){1, 2});
	MlTensor *wt = f32(3, (int64_t[]){1, 1, 2}, (float[]){1, 10});
	p = (MlOpParams){.stride = {2}, .output_padding = {1}};
	check_op(ML_OP_CONV_TRANSPOSE, (MlTensor *[]){xt, wt, NULL}, &p, 3, (int64_t[]){1, 1, 5},
	         (float[]){1, 10, 2, 20, 0});
	/* overlapping taps add, padding crops: stride 1, pad 1 each side */
	p = (MlOpParams){.pad = {1, 1}};
	check_op(ML_OP_CONV_TRANSPOSE, (MlTensor *[]){xt, wt, NULL}, &p, 3, (int64_t[]){1, 1, 1},
	         (float[]){12});
	MlTensor *ms[] = {x, w, b, box, x1, w1, x2, w2, xt, wt};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

/* sum(a * b) in double. */
static double
dot(const MlTensor *a, const MlTensor *b)
{
	double s = 0;

	assert_int_equal(ml_tensor_numel(a), ml_tensor_numel(b));
	for (int64_t i = 0; i < ml_tensor_numel(a); i++)
		s += ((double *)(void *)a->data)[i] * ((double *)(void *)b->data)[i];
	return s;
}

static void
test_adjoint(void **state)
{
	/* 2-d and 3-d, groups, stride, dilation, asymmetric padding */
	for (int c3 = 0; c3 < 2; c3++) {
		int nd = c3 ? 5 : 4;
		int64_t xne[5] = {2, 4, 7, 6, 5}, wne[5] = {6, 2, 3, 2, 2};
		MlOpParams p = {.groups = 2, .stride = {2, 1, 2}, .dilation = {1, 2, 1}};
		int64_t pads2[4] = {1, 0, 1, 1}, pads3[6] = {1, 0, 0, 0, 1, 1};
		memcpy(p.pad, c3 ? pads3 : pads2, c3 ? sizeof pads3 : sizeof pads2);
		MlTensor *x = randn(ML_F64, nd, xne, 1), *w = randn(ML_F64, nd, wne, 2);
		AcErr err;
		MlTensor *cx = ml_op(ML_OP_CONV, (MlTensor *[]){x, w, NULL}, &p, &err);
		if (cx == NULL)
			fail_msg("%s", err.msg);
		/* output_padding so conv_transpose gives x's extent back */
		for (int i = 0; i < nd - 2; i++) {
			int64_t back = (cx->ne[2 + i] - 1) * p.stride[i] - p.pad[i] - p.pad[nd - 2 + i] +
			               p.dilation[i] * (wne[2 + i] - 1) + 1;
			p.output_padding[i] = xne[2 + i] - back;
			assert_true(p.output_padding[i] >= 0);
		}
		MlTensor *y = randn(ML_F64, nd, cx->ne, 3);
		for (int ref = 0; ref < 2; ref++) {
			MlTensor *ty = ml_tensor_zeros(ML_F64, nd, xne, NULL);
			MlTensor *cxr = ml_tensor_zeros(ML_F64, cx->ndim, cx->ne, NULL);
			int rc = ref ? ml_op_into_ref(ML_OP_CONV_TRANSPOSE, ty, (MlTensor *[]){y, w, NULL}, &p, &err)
			             : ml_op_into(ML_OP_CONV_TRANSPOSE, ty, (MlTensor *[]){y, w, NULL}, &p, &err);
			if (rc != AC_OK)
				fail_msg("%s", err.msg);
			rc = ref ? ml_op_into_ref(ML_OP_CONV, cxr, (MlTensor *[]){x, w, NULL}, &p, &err)
			         : ml_op_into(ML_OP_CONV, cxr, (MlTensor *[]){x, w, NULL}, &p, &err);
			assert_int_equal(rc, AC_OK);
			double l = dot(cxr, y), r = dot(x, ty);
			printf("# %dd %s: <conv(x), y> %.12g, <x, conv_transpose(y)> %.12g\n", nd - 2,
			       ref ? "ref" : "fast", l, r);
			assert_close(l, r, 1e-9, 1e-12);
			ml_tensor_unref(ty);
			ml_tensor_unref(cxr);
		}
		MlTensor *ms[] = {x, w, cx, y};
		for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
			ml_tensor_unref(ms[k]);
	}
}

static void
test_pool_by_hand(void **state)
{
	float v16[16];
	for (int i = 0; i < 16; i++)
		v16[i] = (float)i;
	MlTensor *x = f32(4, (int64_t[]){1, 1, 4, 4}, v16);
	MlOpParams p = {.kernel = {2, 2}}; /* stride defaults to the kernel */
	check_op(ML_OP_MAX_POOL, &x, &p, 4, (int64_t[]){1, 1, 2, 2}, (float[]){5, 7, 13, 15});
	check_op(ML_OP_MAX_POOL_INDICES, &x, &p, 4, (int64_t[]){1, 1, 2, 2},
	         (float[]){5, 7, 13, 15});
	check_op(ML_OP_AVG_POOL, &x, &p, 4, (int64_t[]){1, 1, 2, 2},
	         (float[]){2.5f, 4.5f, 10.5f, 12.5f});
	/* ceil_mode keeps the partial last window */
	MlTensor *x5 = f32(3, (int64_t[]){1, 1, 5}, (float[]){1, 2, 3, 4, 5});
	p = (MlOpParams){.kernel = {2}};
	check_op(ML_OP_MAX_POOL, &x5, &p, 3, (int64_t[]){1, 1, 2}, (float[]){2, 4});
	p.ceil_mode = true;
	check_op(ML_OP_MAX_POOL, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){2, 4, 5});
	check_op(ML_OP_MAX_POOL_INDICES, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){1, 3, 4});
	/* ...but not one that would start in the trailing padding: 5 + 1 pad,
	 * kernel 2, stride 2 gives 3 windows from -1, not a fourth from 5 */
	p = (MlOpParams){.kernel = {2}, .pad = {1, 1}, .ceil_mode = true};
	check_op(ML_OP_MAX_POOL, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){1, 3, 5});
	/* dilation: taps 0 and 2 */
	p = (MlOpParams){.kernel = {2}, .stride = {1}, .dilation = {2}};
	check_op(ML_OP_MAX_POOL, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){3, 4, 5});
	/* average with padding, with and without the padding in the count */
	MlTensor *x4 = f32(3, (int64_t[]){1, 1, 4}, (float[]){1, 2, 3, 4});
	p = (MlOpParams){.kernel = {3}, .stride = {2}, .pad = {1, 1}, .ceil_mode = true};
	check_op(ML_OP_AVG_POOL, &x4, &p, 3, (int64_t[]){1, 1, 3}, (float[]){1.5f, 3, 4});
	p.count_include_pad = true; /* the last window reaches past the padding: 2 taps count */
	check_op(ML_OP_AVG_POOL, &x4, &p, 3, (int64_t[]){1, 1, 3}, (float[]){1, 3, 2});
	/* adaptive bins [0,2) [1,4) [3,5), and global (size 1) */
	p = (MlOpParams){.kernel = {3}};
	check_op(ML_OP_ADAPTIVE_AVG_POOL, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){1.5f, 3, 4.5f});
	check_op(ML_OP_ADAPTIVE_MAX_POOL, &x5, &p, 3, (int64_t[]){1, 1, 3}, (float[]){2, 4, 5});
	p = (MlOpParams){.kernel = {1, 1}};
	check_op(ML_OP_ADAPTIVE_AVG_POOL, &x, &p, 4, (int64_t[]){1, 1, 1, 1}, (float[]){7.5f});
	check_op(ML_OP_ADAPTIVE_MAX_POOL, &x, &p, 4, (int64_t[]){1, 1, 1, 1}, (float[]){15});
	/* max propagates NaN */
	MlTensor *xn = f32(3, (int64_t[]){1, 1, 3}, (float[]){1, NAN, 0});
	p = (MlOpParams){.kernel = {3}};
	MlTensor *mn = ml_op(ML_OP_MAX_POOL, &xn, &p, NULL);
	assert_non_null(mn);
	assert_true(isnan(ML_F32(mn)[0]));
	MlTensor *ms[] = {x, x5, x4, xn, mn};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

static void
test_errors(void **state)
{
	AcErr err;
	MlTensor *x = f32(4, (int64_t[]){1, 3, 4, 4}, NULL);
	MlTensor *w = f32(4, (int64_t[]){4, 1, 3, 3}, NULL);
	MlTensor *w5 = f32(4, (int64_t[]){2, 3, 5, 5}, NULL);
	MlTensor *b = f32(1, (int64_t[]){3}, NULL);
	MlTensor *x2 = f32(2, (int64_t[]){3, 4}, NULL);

	assert_null(ml_op(ML_OP_CONV, (MlTensor *[]){x, w, NULL}, &(MlOpParams){.groups = 2}, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg, "conv: 2 groups do not divide the 3 channels of input [1,3,4,4]");
	assert_null(ml_op(ML_OP_CONV, (MlTensor *[]){x, w, NULL}, NULL, &err));
	assert_string_equal(err.msg, "conv: input [1,3,4,4] and weight [4,1,3,3] do not agree in 1 groups");
	assert_null(ml_op(ML_OP_CONV, (MlTensor *[]){x, w5, NULL}, NULL, &err));
	assert_string_equal(err.msg,
	                    "conv: kernel 5 (dilation 1) exceeds the padded input 4 in spatial dimension 0 of [1,3,4,4]");
	assert_null(ml_op(ML_OP_CONV, (MlTensor *[]){x, w5, b}, &(MlOpParams){.pad = {1, 1, 1, 1}}, &err));
	assert_string_equal(err.msg, "conv: bias [3] does not hold 2 values");
	assert_null(ml_op(ML_OP_CONV, (MlTensor *[]){x2, w, NULL}, NULL, &err));
	assert_string_equal(err.msg, "conv: input [3,4] is not [N, C, 1 to 3 spatial dimensions]");
	assert_null(ml_op(ML_OP_MAX_POOL, &x, &(MlOpParams){.kernel = {5, 2}}, &err));
	assert_int_equal(err.code, AC_ESHAPE);
	assert_string_equal(err.msg,
	                    "max_pool: kernel 5 (dilation 1) exceeds the padded input 4 in spatial dimension 0 of [1,3,4,4]");
	assert_null(ml_op(ML_OP_AVG_POOL, &x, &(MlOpParams){.kernel = {2}}, &err));
	assert_int_equal(err.code, AC_EINVAL);
	assert_string_equal(err.msg, "avg_pool: kernel 0 in spatial dimension 1");
	MlTensor *xi = ml_cast(x, ML_I32, NULL);
	assert_null(ml_op(ML_OP_AVG_POOL, &xi, &(MlOpParams){.kernel = {2, 2}}, &err));
	assert_int_equal(err.code, AC_EDTYPE);
	MlTensor *ms[] = {x, w, w5, b, x2, xi};
	for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
		ml_tensor_unref(ms[k]);
}

/* max |a-b| / (1 + |b|) over two contiguous tensors of one float dtype. */
static double
max_rel(const MlTensor *a, const MlTensor *b)
{
	double worst = 0;

	for (int64_t i = 0; i < ml_tensor_numel(a); i++) {
		double x = ml_load_f64(a->dtype, a->data + i * ml_dtype_bytes(a->dtype));
		double y = ml_load_f64(b->dtype, b->data + i * ml_dtype_bytes(b->dtype));
		double e = fabs(x - y) / (1 + fabs(y));
		if (!(e <= worst))
			worst = isnan(e) ? INFINITY : e;
	}
	return worst;
}

static void
fast_vs_ref(MlOp op, MlDtype dt, int nd, const int64_t *xne, const int64_t *wne,
            const MlOpParams *p, double tol)
{
	AcErr err;
	MlTensor *x = randn(dt, nd, xne, 5), *w = wne != NULL ? randn(dt, nd, wne, 6) : NULL;
	MlTensor *b = NULL;
	if (w != NULL) {
		int64_t o = op == ML_OP_CONV ? wne[0] : wne[1] * (p->groups > 0 ? p->groups : 1);
		b = randn(dt, 1, &o, 7);
	}
	MlTensor *in[3] = {x, w, b};
	MlTensor *y = ml_op(op, in, p, &err);
	if (y == NULL)
		fail_msg("%s: %s", ml_op_name(op), err.msg);
	MlTensor *r = ml_tensor_zeros(y->dtype, y->ndim, y->ne, NULL);
	assert_int_equal(ml_op_into_ref(op, r, in, p, &err), AC_OK);
	double e = max_rel(y, r);
	char s[ML_SHAPE_BYTES];
	printf("# %s %s x %s: fast and ref differ by %.3g (tol %g)\n", ml_op_name(op),
	       ml_dtype_name(dt), ml_shape_fmt(x, s), e, tol);
	if (!(e <= tol))
		fail_msg("%s: fast and ref differ by %g", ml_op_name(op), e);
	ml_tensor_unref(x);
	ml_tensor_unref(w);
	ml_tensor_unref(b);
	ml_tensor_unref(y);
	ml_tensor_unref(r);
}

static void
test_fast_vs_ref(void **state)
{
	/* 3-d with everything in play; f32 tolerances allow for OpenBLAS's
	 * summation order, which differs between CPUs */
	MlOpParams p = {.groups = 3, .stride = {1, 2, 3}, .dilation = {2, 1, 1},
	                .pad = {1, 0, 2, 0, 1, 1}, .output_padding = {1, 0, 2}};
	fast_vs_ref(ML_OP_CONV, ML_F32, 5, (int64_t[]){2, 6, 5, 7, 9}, (int64_t[]){9, 2, 2, 3, 2}, &p, 5e-5);
	fast_vs_ref(ML_OP_CONV_TRANSPOSE, ML_F32, 5, (int64_t[]){2, 6, 5, 7, 9}, (int64_t[]){6, 3, 2, 3, 2}, &p, 5e-5);
	fast_vs_ref(ML_OP_CONV, ML_F64, 5, (int64_t[]){2, 6, 5, 7, 9}, (int64_t[]){9, 2, 2, 3, 2}, &p, 1e-12);
	fast_vs_ref(ML_OP_CONV, ML_BF16, 5, (int64_t[]){1, 6, 5, 7, 9}, (int64_t[]){9, 2, 2, 3, 2}, &p, 8e-2);
	/* a 1x1 convolution multiplies the input itself */
	fast_vs_ref(ML_OP_CONV, ML_F32, 4, (int64_t[]){3, 5, 9, 11}, (int64_t[]){7, 5, 1, 1}, &(MlOpParams){0}, 5e-5);
	/* tiles: an im2col of 8 x 9 rows by 29929 columns passes the 8 MiB scratch */
	p = (MlOpParams){.pad = {1, 1, 1, 1}};
	fast_vs_ref(ML_OP_CONV, ML_F32, 4, (int64_t[]){1, 8, 173, 173}, (int64_t[]){4, 8, 3, 3}, &p, 5e-5);
	p = (MlOpParams){.stride = {2, 2}, .output_padding = {1, 1}};
	fast_vs_ref(ML_OP_CONV_TRANSPOSE, ML_F32, 4, (int64_t[]){1, 4, 150, 150}, (int64_t[]){4, 16, 3, 3}, &p, 5e-5);
	/* pools, threaded over planes */
	p = (MlOpParams){.kernel = {3, 2, 2}, .stride = {2, 1, 2}, .pad = {1, 0, 1, 1, 1, 0},
	                 .dilation = {1, 2, 1}, .ceil_mode = true};
	fast_vs_ref(ML_OP_MAX_POOL, ML_F32, 5, (int64_t[]){3, 5, 9, 8, 7}, NULL, &p, 0);
	fast_vs_ref(ML_OP_MAX_POOL_INDICES, ML_F32, 5, (int64_t[]){3, 5, 9, 8, 7}, NULL, &p, 0);
	p.count_include_pad = true;
	fast_vs_ref(ML_OP_AVG_POOL, ML_F32, 5, (int64_t[]){3, 5, 9, 8, 7}, NULL, &p, 1e-6);
	p = (MlOpParams){.kernel = {4, 5}};
	fast_vs_ref(ML_OP_ADAPTIVE_AVG_POOL, ML_F64, 4, (int64_t[]){16, 32, 13, 17}, NULL, &p, 1e-12);
	/* the plain windows CNNs use (no padding or dilation, all inside):
	 * the simple plane loop, 2-d and 1-d, square and not, overlapping */
	p = (MlOpParams){.kernel = {2, 2}};
	fast_vs_ref(ML_OP_MAX_POOL, ML_F32, 4, (int64_t[]){4, 8, 28, 28}, NULL, &p, 0);
	fast_vs_ref(ML_OP_MAX_POOL_INDICES, ML_F32, 4, (int64_t[]){4, 8, 28, 28}, NULL, &p, 0);
	fast_vs_ref(ML_OP_AVG_POOL, ML_F32, 4, (int64_t[]){4, 8, 28, 28}, NULL, &p, 0);
	p = (MlOpParams){.kernel = {3, 2}, .stride = {2, 1}};
	fast_vs_ref(ML_OP_MAX_POOL_INDICES, ML_F32, 4, (int64_t[]){2, 3, 11, 9}, NULL, &p, 0);
	fast_vs_ref(ML_OP_AVG_POOL, ML_F32, 4, (int64_t[]){2, 3, 11, 9}, NULL, &p, 0);
	p = (MlOpParams){.kernel = {3}, .stride = {2}};
	fast_vs_ref(ML_OP_MAX_POOL, ML_F32, 3, (int64_t[]){2, 3, 17}, NULL, &p, 0);
}

TEST_MAIN("ml/conv", cmocka_unit_test(test_conv_by_hand), cmocka_unit_test(test_adjoint),
          cmocka_unit_test(test_pool_by_hand), cmocka_unit_test(test_errors),
          cmocka_unit_test(test_fast_vs_ref))
