/*
 * Pooling (ops.def family POOLING): max and average pooling with kernel,
 * stride, padding, dilation and ceil_mode; max_pool_indices, the argmax
 * max_pool takes its values from; adaptive average and max pooling
 * (global pooling is output size 1).  1 to 3 spatial dimensions in one
 * n-d formulation (a missing dimension is one of size 1).
 *
 * Output size per spatial dimension: (in + pad_before + pad_after -
 * dilation*(kernel-1) - 1) / stride + 1, rounded down or (ceil_mode) up;
 * in ceil_mode a last window that would start in the trailing padding is
 * dropped (PyTorch's pooling_output_shape).  Max pooling ignores the
 * padding and propagates NaN; an index is the position in the input plane,
 * row-major (PyTorch's return_indices).  Average pooling divides by the
 * window's elements inside the input, or (count_include_pad) inside the
 * padded input, so a window reaching past the trailing padding in
 * ceil_mode counts only up to it (PyTorch avg_pool2d's divisor).
 * Adaptive pooling: output i of n over an input of m pools [floor(i*m/n),
 * ceil((i+1)*m/n)).
 *
 * Fast path: a contiguous copy of the input, the planes (N*C) split among
 * the pool's threads, f32 and f64 loaded directly.  Scalar twin: one
 * thread, any strides, every element loaded through double.  Both
 * accumulate in double.
 *
 * Follows: PyTorch torch.nn.functional.max_pool2d, avg_pool2d,
 * adaptive_avg_pool2d (aten/src/ATen/native/Pool.h and
 * AdaptiveAveragePooling.cpp start_index/end_index).
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

enum { PAR_ELEMS = 1 << 15 };   /* window reads below which one thread does it all */

typedef struct PGeo {
	int nsp;                      /* spatial dimensions, 1..3 */
	int64_t n, c;                 /* batch, channels */
	int64_t in[3], k[3], out[3];  /* input, window and output extents (missing ones 1) */
	int64_t s[3], d[3], pb[3], pe[3];
	int64_t isz, osz;             /* elements of an input and an output plane */
	bool adaptive;
} PGeo;

static bool
is_adaptive(MlOp op)
{
	return op == ML_OP_ADAPTIVE_AVG_POOL || op == ML_OP_ADAPTIVE_MAX_POOL;
}

static int
geo_make(MlOp op, const MlTensor *x, const MlOpParams *p, PGeo *g, AcErr *err)
{
	const char *fn = ml_op_name(op);
	char s0[ML_SHAPE_BYTES];

	memset(g, 0, sizeof *g);
	if (x->ndim < 3 || x->ndim > 5)
		return ac_err_set(err, AC_ESHAPE, "%s: input %s is not [N, C, 1 to 3 spatial dimensions]",
		                  fn, ml_shape_fmt(x, s0));
	g->nsp = x->ndim - 2;
	g->n = x->ne[0];
	g->c = x->ne[1];
	g->adaptive = is_adaptive(op);
	g->isz = g->osz = 1;
	for (int i = 0; i < 3; i++) {
		int j = i - (3 - g->nsp);
		g->in[i] = j >= 0 ? x->ne[2 + j] : 1;
		g->k[i] = j >= 0 ? p->kernel[j] : 1;
		g->s[i] = j >= 0 ? (p->stride[j] != 0 ? p->stride[j] : g->k[i]) : 1;
		g->d[i] = j >= 0 && p->dilation[j] != 0 ? p->dilation[j] : 1;
		g->pb[i] = j >= 0 ? p->pad[j] : 0;
		g->pe[i] = j >= 0 ? p->pad[g->nsp + j] : 0;
		if (g->k[i] < 1)
			return ac_err_set(err, AC_EINVAL, "%s: %s %lld in spatial dimension %d", fn,
			                  g->adaptive ? "output size" : "kernel", (long long)g->k[i], j);
		if (g->adaptive) {
			g->out[i] = g->k[i];
			g->s[i] = g->d[i] = 1;
			g->pb[i] = g->pe[i] = 0;
		} else {
			if (g->s[i] < 0 || g->d[i] < 0 || g->pb[i] < 0 || g->pe[i] < 0)
				return ac_err_set(err, AC_EINVAL,
				                  "%s: negative stride %lld, dilation %lld or padding %lld/%lld in spatial dimension %d",
				                  fn, (long long)g->s[i], (long long)g->d[i], (long long)g->pb[i],
				                  (long long)g->pe[i], j);
			int64_t num = g->in[i] + g->pb[i] + g->pe[i] - (g->d[i] * (g->k[i] - 1) + 1);
			if (num < 0)
				return ac_err_set(err, AC_ESHAPE,
				                  "%s: kernel %lld (dilation %lld) exceeds the padded input %lld in spatial dimension %d of %s",
				                  fn, (long long)g->k[i], (long long)g->d[i],
				                  (long long)(g->in[i] + g->pb[i] + g->pe[i]), j, ml_shape_fmt(x, s0));
			g->out[i] = (p->ceil_mode ? (num + g->s[i] - 1) / g->s[i] : num / g->s[i]) + 1;
			if (p->ceil_mode && (g->out[i] - 1) * g->s[i] >= g->in[i] + g->pb[i])
				g->out[i]--;
		}
		g->isz *= g->in[i];
		g->osz *= g->out[i];
	}
	return AC_OK;
}

static int
pl_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	PGeo g;
	int rc = geo_make(op, in[0], p, &g, err);

	if (rc != AC_OK)
		return rc;
	*ndim = in[0]->ndim;
	ne[0] = g.n;
	ne[1] = g.c;
	for (int j = 0; j < g.nsp; j++)
		ne[2 + j] = g.out[3 - g.nsp + j];
	return AC_OK;
}

static MlDtype
pl_out_dtype(MlOp op, MlTensor *const *in, const MlOpParams *p)
{
	return op == ML_OP_MAX_POOL_INDICES ? ML_I64 : in[0]->dtype;
}

/* Of the len positions a + t*s (t = 0..len-1), the first and one past the
 * last that fall in [0, n). */
static void
valid_range(int64_t a, int64_t s, int64_t len, int64_t n, int64_t *lo, int64_t *hi)
{
	int64_t l = a >= 0 ? 0 : (-a + s - 1) / s;
	int64_t h = a >= n ? 0 : (n - a + s - 1) / s;

	*lo = l < len ? l : len;
	*hi = h < len ? h : len;
	if (*hi < *lo)
		*hi = *lo;
}

static double
load(MlDtype dt, const uint8_t *p, bool fast)
{
	if (fast && dt == ML_F32)
		return *(const float *)(const void *)p;
	if (fast && dt == ML_F64)
		return *(const double *)(const void *)p;
	return ml_load_f64(dt, p);
}

/* Pools one plane: x with byte strides xs per spatial dimension into y
 * with ys. */
/* The planes CNNs pool: f32, one or two spatial dimensions, no padding or
 * dilation, every window inside the input; contiguous planes (the fast
 * path's copy). Same results as the general loop, without its per-output
 * index arithmetic. */
static bool
plane_simple(MlOp op, const PGeo *g, MlDtype dt, bool fast)
{
	if (!fast || dt != ML_F32 || g->adaptive || g->k[0] != 1 || g->in[0] != 1 ||
	    (op != ML_OP_MAX_POOL && op != ML_OP_MAX_POOL_INDICES && op != ML_OP_AVG_POOL))
		return false;
	for (int i = 1; i < 3; i++)
		if (g->pb[i] != 0 || g->pe[i] != 0 || g->d[i] != 1 || (g->out[i] - 1) * g->s[i] + g->k[i] > g->in[i])
			return false;
	return true;
}

static void
pool_plane_simple(MlOp op, const PGeo *g, const float *x, uint8_t *y)
{
	const int64_t kh = g->k[1], kw = g->k[2], sh = g->s[1], sw = g->s[2], iw = g->in[2];
	float *yf = (float *)(void *)y;
	int64_t *yi = (int64_t *)(void *)y;

	for (int64_t oy = 0; oy < g->out[1]; oy++)
		for (int64_t ox = 0; ox < g->out[2]; ox++) {
			const float *w = x + oy * sh * iw + ox * sw;
			int64_t q = oy * g->out[2] + ox;
			if (op == ML_OP_AVG_POOL) {
				double acc = 0;
				for (int64_t a = 0; a < kh; a++)
					for (int64_t b = 0; b < kw; b++)
						acc += w[a * iw + b];
				yf[q] = (float)(acc / (double)(kh * kw));
				continue;
			}
			float best = w[0];
			int64_t arg = 0;
			for (int64_t a = 0; a < kh; a++)
				for (int64_t b = 0; b < kw; b++) {
					float v = w[a * iw + b];
					if (v > best || (isnan(v) && !isnan(best))) {
						best = v;
						arg = a * iw + b;
					}
				}
			if (op == ML_OP_MAX_POOL_INDICES)
				yi[q] = (oy * sh * iw + ox * sw) + arg;
			else
				yf[q] = best;
		}
}

static void
pool_plane(MlOp op, const MlOpParams *p, const PGeo *g, MlDtype dt, const uint8_t *x,
           const int64_t xs[3], uint8_t *y, const int64_t ys[3], bool fast)
{
	bool is_max = op == ML_OP_MAX_POOL || op == ML_OP_MAX_POOL_INDICES ||
	              op == ML_OP_ADAPTIVE_MAX_POOL;

	if (plane_simple(op, g, dt, fast) && xs[2] == 4 && xs[1] == 4 * g->in[2] &&
	    ys[2] == (op == ML_OP_MAX_POOL_INDICES ? 8 : 4) && ys[1] == ys[2] * g->out[2]) {
		pool_plane_simple(op, g, (const float *)(const void *)x, y);
		return;
	}

	for (int64_t q = 0; q < g->osz; q++) {
		int64_t qi[3] = {q / (g->out[1] * g->out[2]), q / g->out[2] % g->out[1], q % g->out[2]};
		int64_t st[3], lo[3], hi[3], incl = 1, yo = 0;
		for (int i = 0; i < 3; i++) {
			if (g->adaptive) {
				st[i] = qi[i] * g->in[i] / g->out[i];
				lo[i] = 0;
				hi[i] = ((qi[i] + 1) * g->in[i] + g->out[i] - 1) / g->out[i] - st[i];
				incl *= hi[i];
			} else {
				int64_t a, b;
				st[i] = qi[i] * g->s[i] - g->pb[i];
				valid_range(st[i], g->d[i], g->k[i], g->in[i], &lo[i], &hi[i]);
				/* taps inside the padded input, for count_include_pad */
				valid_range(st[i] + g->pb[i], g->d[i], g->k[i], g->in[i] + g->pb[i] + g->pe[i],
				            &a, &b);
				incl *= b - a;
			}
			yo += qi[i] * ys[i];
		}
		double acc = is_max ? -INFINITY : 0;
		int64_t cnt = 0, arg = -1;
		for (int64_t j0 = lo[0]; j0 < hi[0]; j0++)
			for (int64_t j1 = lo[1]; j1 < hi[1]; j1++)
				for (int64_t j2 = lo[2]; j2 < hi[2]; j2++) {
					int64_t i0 = st[0] + j0 * g->d[0], i1 = st[1] + j1 * g->d[1];
					int64_t i2 = st[2] + j2 * g->d[2];
					double v = load(dt, x + i0 * xs[0] + i1 * xs[1] + i2 * xs[2], fast);
					if (!is_max)
						acc += v;
					else if (arg < 0 || v > acc || (isnan(v) && !isnan(acc))) {
						acc = v;
						arg = (i0 * g->in[1] + i1) * g->in[2] + i2;
					}
					cnt++;
				}
		if (op == ML_OP_MAX_POOL_INDICES)
			ml_store_i64(ML_I64, y + yo, arg);
		else if (is_max)
			ml_store_f64(dt, y + yo, acc);
		else {
			int64_t div = p->count_include_pad && !g->adaptive ? incl : cnt;
			ml_store_f64(dt, y + yo, div > 0 ? acc / (double)div : NAN);
		}
	}
}

/* Byte strides of t's spatial dimensions in PGeo's 3-entry order. */
static void
sp_strides(const MlTensor *t, int nsp, int64_t st[3])
{
	for (int i = 0; i < 3; i++) {
		int j = i - (3 - nsp);
		st[i] = j >= 0 ? t->nb[2 + j] : 0;
	}
}

typedef struct Job {
	MlOp op;
	const MlOpParams *p;
	const PGeo *g;
	const MlTensor *x;
	MlTensor *y;
	int64_t xs[3], ys[3];
	int ntasks;
	bool fast;
} Job;

static void
job_task(void *ctx, int task, int nthreads)
{
	const Job *jb = ctx;
	int64_t planes = jb->g->n * jb->g->c;
	int64_t p0 = planes * task / jb->ntasks, p1 = planes * (task + 1) / jb->ntasks;

	for (int64_t pl = p0; pl < p1; pl++) {
		int64_t n = pl / jb->g->c, c = pl % jb->g->c;
		pool_plane(jb->op, jb->p, jb->g, jb->x->dtype,
		           jb->x->data + n * jb->x->nb[0] + c * jb->x->nb[1], jb->xs,
		           jb->y->data + n * jb->y->nb[0] + c * jb->y->nb[1], jb->ys, jb->fast);
	}
}

static int
pl_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	PGeo g;
	Job jb = {.op = op, .p = p, .g = &g, .fast = !ref};
	MlTensor *x = NULL, *y = NULL;
	int rc = geo_make(op, in[0], p, &g, err);

	if (rc != AC_OK)
		return rc;
	if (ref) {
		jb.x = in[0];
		jb.y = out;
		jb.ntasks = 1;
		sp_strides(in[0], g.nsp, jb.xs);
		sp_strides(out, g.nsp, jb.ys);
		job_task(&jb, 0, 1);
		return AC_OK;
	}
	x = ml_tensor_contiguous(in[0], err);
	y = ml_tensor_is_contiguous(out) ? ml_tensor_ref(out)
	                                 : ml_tensor_empty(out->dtype, out->ndim, out->ne, err);
	if (x == NULL || y == NULL) {
		rc = err != NULL && err->code != AC_OK ? err->code : AC_ENOMEM;
		goto done;
	}
	jb.x = x;
	jb.y = y;
	sp_strides(x, g.nsp, jb.xs);
	sp_strides(y, g.nsp, jb.ys);
	{
		int64_t planes = g.n * g.c, win = 1;
		for (int i = 0; i < 3; i++)
			win *= g.adaptive ? (g.in[i] + g.out[i] - 1) / g.out[i] + 1 : g.k[i];
		int nth = planes * g.osz * win >= PAR_ELEMS ? ml_pool_threads() : 1;
		jb.ntasks = (int)(planes < 4 * (int64_t)nth ? planes : 4 * (int64_t)nth);
		if (jb.ntasks <= 1) {
			jb.ntasks = 1;
			job_task(&jb, 0, 1);
		} else
			ml_pool_run(jb.ntasks, job_task, &jb);
	}
	if (y != out)
		rc = ml_copy(out, y, err);
done:
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	return rc;
}

const MlFamily ml_family_POOLING = {.shape = pl_shape, .run = pl_run, .out_dtype = pl_out_dtype};
