/*
 * Convolution (ops.def family CONV): conv and conv_transpose over 1 to 3
 * spatial dimensions, one n-d formulation (a missing dimension is one of
 * size 1 with kernel 1), with stride, dilation, asymmetric padding,
 * groups and an optional bias.
 *
 * Fast path (f32, f64): per batch image and group, im2col of a tile of
 * output positions into a bounded scratch (COL_BYTES) and one sgemm/dgemm
 * through OpenBLAS, w_g [O/g, C/g*K] x col [C/g*K, tile], written straight
 * into the output rows (ldc = the output plane); a 1x1 kernel of stride 1
 * and no padding multiplies the input itself.  The bias is written first
 * and the product added (beta 1).  conv_transpose is the adjoint: col =
 * w_g^T x_g for a tile of input positions, then col2im adds each column
 * into the output.  im2col and col2im are split among the pool's threads
 * when the tile is large; the gemm runs on OpenBLAS's threads, never at
 * the same time (ml_pool_run's rule).  f16 and bf16 run the f32 path on
 * f32 copies of the operands and round once at the end.
 * Scalar twin: the direct loops in double over any strides.
 *
 * Follows: PyTorch torch.nn.functional.conv{1,2,3}d and
 * conv_transpose{1,2,3}d (weight layouts, output sizes); Caffe's im2col
 * and col2im (Jia et al. 2014); Chellapilla et al. 2006 (convolution as
 * matrix product).
 */
#include "ml/ml_impl.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

enum {
	COL_BYTES = 8 << 20,          /* most bytes of im2col scratch per tile */
	PAR_ELEMS = 1 << 16,          /* tiles smaller than this stay on one thread */
};

/* The geometry of one call: every spatial quantity has 3 entries, the
 * missing outer ones of size 1 (nsp real ones last). */
typedef struct Geo {
	int nsp;                      /* spatial dimensions, 1..3 */
	int64_t n, c, o, g;           /* batch, input and output channels, groups */
	int64_t in[3], k[3], out[3];  /* input, kernel and output extents */
	int64_t s[3], d[3], pb[3];    /* stride, dilation, padding before */
	int64_t isz, ksz, osz;        /* elements of an input plane, a kernel, an output plane */
} Geo;

static int
geo_make(MlOp op, MlTensor *const *in, const MlOpParams *p, Geo *g, AcErr *err)
{
	const MlTensor *x = in[0], *w = in[1], *b = in[2];
	const char *fn = ml_op_name(op);
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	bool tr = op == ML_OP_CONV_TRANSPOSE;

	memset(g, 0, sizeof *g);
	if (x->ndim < 3 || x->ndim > 5)
		return ac_err_set(err, AC_ESHAPE, "%s: input %s is not [N, C, 1 to 3 spatial dimensions]",
		                  fn, ml_shape_fmt(x, s0));
	if (w->ndim != x->ndim)
		return ac_err_set(err, AC_ESHAPE, "%s: weight %s does not match input %s", fn,
		                  ml_shape_fmt(w, s1), ml_shape_fmt(x, s0));
	g->nsp = x->ndim - 2;
	g->n = x->ne[0];
	g->c = x->ne[1];
	g->g = p->groups > 0 ? p->groups : 1;
	if (g->c % g->g != 0)
		return ac_err_set(err, AC_ESHAPE, "%s: %lld groups do not divide the %lld channels of input %s",
		                  fn, (long long)g->g, (long long)g->c, ml_shape_fmt(x, s0));
	if (!tr) {
		g->o = w->ne[0];
		if (w->ne[1] * g->g != g->c || g->o % g->g != 0)
			return ac_err_set(err, AC_ESHAPE,
			                  "%s: input %s and weight %s do not agree in %lld groups", fn,
			                  ml_shape_fmt(x, s0), ml_shape_fmt(w, s1), (long long)g->g);
	} else {
		g->o = w->ne[1] * g->g;
		if (w->ne[0] != g->c)
			return ac_err_set(err, AC_ESHAPE,
			                  "%s: input %s and weight %s do not agree in %lld groups", fn,
			                  ml_shape_fmt(x, s0), ml_shape_fmt(w, s1), (long long)g->g);
	}
	if (b != NULL && ml_tensor_numel(b) != g->o)
		return ac_err_set(err, AC_ESHAPE, "%s: bias %s does not hold %lld values", fn,
		                  ml_shape_fmt(b, s0), (long long)g->o);
	g->isz = g->ksz = g->osz = 1;
	for (int i = 0; i < 3; i++) {
		int j = i - (3 - g->nsp); /* the spatial dimension, or < 0 for a missing one */
		int64_t s = j >= 0 ? p->stride[j] : 1, d = j >= 0 ? p->dilation[j] : 1;
		int64_t pb = j >= 0 ? p->pad[j] : 0, pe = j >= 0 ? p->pad[g->nsp + j] : 0;
		int64_t opad = j >= 0 && tr ? p->output_padding[j] : 0;
		g->in[i] = j >= 0 ? x->ne[2 + j] : 1;
		g->k[i] = j >= 0 ? w->ne[2 + j] : 1;
		g->s[i] = s == 0 ? 1 : s;
		g->d[i] = d == 0 ? 1 : d;
		g->pb[i] = pb;
		if (s < 0 || d < 0 || pb < 0 || pe < 0 || opad < 0)
			return ac_err_set(err, AC_EINVAL,
			                  "%s: negative stride %lld, dilation %lld, padding %lld/%lld or output padding %lld in spatial dimension %d",
			                  fn, (long long)s, (long long)d, (long long)pb, (long long)pe,
			                  (long long)opad, j);
		int64_t span = g->d[i] * (g->k[i] - 1) + 1;
		if (!tr) {
			if (g->in[i] + pb + pe < span)
				return ac_err_set(err, AC_ESHAPE,
				                  "%s: kernel %lld (dilation %lld) exceeds the padded input %lld in spatial dimension %d of %s",
				                  fn, (long long)g->k[i], (long long)g->d[i],
				                  (long long)(g->in[i] + pb + pe), j, ml_shape_fmt(x, s0));
			g->out[i] = (g->in[i] + pb + pe - span) / g->s[i] + 1;
		} else {
			g->out[i] = (g->in[i] - 1) * g->s[i] - pb - pe + span + opad;
			if (g->out[i] < 1)
				return ac_err_set(err, AC_ESHAPE,
				                  "%s: output size %lld in spatial dimension %d of input %s and weight %s",
				                  fn, (long long)g->out[i], j, ml_shape_fmt(x, s0),
				                  ml_shape_fmt(w, s1));
		}
		g->isz *= g->in[i];
		g->ksz *= g->k[i];
		g->osz *= g->out[i];
	}
	return AC_OK;
}

static int
cv_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	Geo g;
	int rc = geo_make(op, in, p, &g, err);

	if (rc != AC_OK)
		return rc;
	*ndim = in[0]->ndim;
	ne[0] = g.n;
	ne[1] = g.o;
	for (int j = 0; j < g.nsp; j++)
		ne[2 + j] = g.out[3 - g.nsp + j];
	return AC_OK;
}

/* ---- the scalar twin: direct loops in double over any strides ---- */

/* Byte strides of t's spatial dimensions in Geo's 3-entry order (0 for a
 * missing one). */
static void
sp_strides(const MlTensor *t, int nsp, int64_t st[3])
{
	for (int i = 0; i < 3; i++) {
		int j = i - (3 - nsp);
		st[i] = j >= 0 ? t->nb[2 + j] : 0;
	}
}

static void
conv_ref(MlOp op, const Geo *g, MlTensor *y, const MlTensor *x, const MlTensor *w,
         const MlTensor *b)
{
	MlDtype dt = x->dtype;
	int64_t xs[3], ws[3], ys[3], cg = g->c / g->g, og = g->o / g->g;
	bool tr = op == ML_OP_CONV_TRANSPOSE;

	sp_strides(x, g->nsp, xs);
	sp_strides(w, g->nsp, ws);
	sp_strides(y, g->nsp, ys);
	for (int64_t n = 0; n < g->n; n++)
		for (int64_t o = 0; o < g->o; o++)
			for (int64_t q = 0; q < g->osz; q++) {
				int64_t qi[3] = {q / (g->out[1] * g->out[2]), q / g->out[2] % g->out[1],
				                 q % g->out[2]};
				int64_t gi = o / og;
				double acc = b != NULL ? ml_load_f64(b->dtype, b->data + o * b->nb[b->ndim - 1]) : 0;
				for (int64_t ci = 0; ci < cg; ci++) {
					int64_t c = gi * cg + ci;
					for (int64_t kk = 0; kk < g->ksz; kk++) {
						int64_t ki[3] = {kk / (g->k[1] * g->k[2]), kk / g->k[2] % g->k[1],
						                 kk % g->k[2]};
						int64_t xo = n * x->nb[0] + c * x->nb[1], wo;
						bool ok = true;
						for (int i = 0; i < 3 && ok; i++) {
							int64_t pos;
							if (!tr)
								pos = qi[i] * g->s[i] - g->pb[i] + ki[i] * g->d[i];
							else {
								/* out q takes input i where i*s - pb + k*d == q */
								int64_t t = qi[i] + g->pb[i] - ki[i] * g->d[i];
								ok = t >= 0 && t % g->s[i] == 0;
								pos = t / g->s[i];
							}
							ok = ok && pos >= 0 && pos < g->in[i];
							xo += pos * xs[i];
						}
						if (!ok)
							continue;
						wo = !tr ? o * w->nb[0] + ci * w->nb[1] : c * w->nb[0] + (o % og) * w->nb[1];
						for (int i = 0; i < 3; i++)
							wo += ki[i] * ws[i];
						acc += ml_load_f64(dt, x->data + xo) * ml_load_f64(dt, w->data + wo);
					}
				}
				int64_t yo = n * y->nb[0] + o * y->nb[1];
				for (int i = 0; i < 3; i++)
					yo += qi[i] * ys[i];
				ml_store_f64(dt, y->data + yo, acc);
			}
}

/* ---- the fast path: im2col / col2im and BLAS ---- */

/* Copies n elements of size es from src stepping st elements. */
static void
copy_strided(uint8_t *dst, const uint8_t *src, int64_t n, int64_t st, int64_t es)
{
	if (st == 1) {
		memcpy(dst, src, (size_t)(n * es));
		return;
	}
	if (es == 4) {
		float *d = (float *)(void *)dst;
		const float *s = (const float *)(const void *)src;
		for (int64_t t = 0; t < n; t++)
			d[t] = s[t * st];
	} else {
		double *d = (double *)(void *)dst;
		const double *s = (const double *)(const void *)src;
		for (int64_t t = 0; t < n; t++)
			d[t] = s[t * st];
	}
}

/* Adds n elements of src to dst stepping st elements of dst. */
static void
add_strided(uint8_t *dst, const uint8_t *src, int64_t n, int64_t st, int64_t es)
{
	if (es == 4) {
		float *d = (float *)(void *)dst;
		const float *s = (const float *)(const void *)src;
		for (int64_t t = 0; t < n; t++)
			d[t * st] += s[t];
	} else {
		double *d = (double *)(void *)dst;
		const double *s = (const double *)(const void *)src;
		for (int64_t t = 0; t < n; t++)
			d[t * st] += s[t];
	}
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

/*
 * im2col rows r0..r1-1 of a tile: row r = (ci, kk) holds, for the ns
 * output positions from s0, the input element that kernel tap kk of
 * channel ci meets (0 in the padding).  x is one group's [C/g, isz].
 */
static void
im2col(const Geo *g, const uint8_t *x, uint8_t *col, int64_t es, int64_t s0, int64_t ns,
       int64_t r0, int64_t r1)
{
	for (int64_t r = r0; r < r1; r++) {
		int64_t ci = r / g->ksz, kk = r % g->ksz;
		int64_t k0 = kk / (g->k[1] * g->k[2]), k1 = kk / g->k[2] % g->k[1], k2 = kk % g->k[2];
		const uint8_t *xc = x + ci * g->isz * es;
		uint8_t *dst = col + r * ns * es;
		int64_t o0 = s0 / (g->out[1] * g->out[2]), o1 = s0 / g->out[2] % g->out[1];
		int64_t o2 = s0 % g->out[2];
		for (int64_t j = 0; j < ns;) {
			int64_t len = g->out[2] - o2 < ns - j ? g->out[2] - o2 : ns - j;
			int64_t i0 = o0 * g->s[0] - g->pb[0] + k0 * g->d[0];
			int64_t i1 = o1 * g->s[1] - g->pb[1] + k1 * g->d[1];
			int64_t i2 = o2 * g->s[2] - g->pb[2] + k2 * g->d[2], lo, hi;
			uint8_t *dp = dst + j * es;
			if (i0 < 0 || i0 >= g->in[0] || i1 < 0 || i1 >= g->in[1])
				memset(dp, 0, (size_t)(len * es));
			else {
				const uint8_t *row = xc + (i0 * g->in[1] + i1) * g->in[2] * es;
				valid_range(i2, g->s[2], len, g->in[2], &lo, &hi);
				memset(dp, 0, (size_t)(lo * es));
				copy_strided(dp + lo * es, row + (i2 + lo * g->s[2]) * es, hi - lo, g->s[2], es);
				memset(dp + hi * es, 0, (size_t)((len - hi) * es));
			}
			j += len;
			o2 = 0;
			if (++o1 == g->out[1]) {
				o1 = 0;
				o0++;
			}
		}
	}
}

/*
 * col2im for output channels o_lo..o_hi-1 of a group: adds row (o, kk) of
 * col, the ns input positions from s0, into output plane o at the
 * positions kernel tap kk sends them to.  Channels write disjoint planes.
 */
static void
col2im(const Geo *g, const uint8_t *col, uint8_t *y, int64_t es, int64_t s0, int64_t ns,
       int64_t o_lo, int64_t o_hi)
{
	for (int64_t o = o_lo; o < o_hi; o++)
		for (int64_t kk = 0; kk < g->ksz; kk++) {
			int64_t k0 = kk / (g->k[1] * g->k[2]), k1 = kk / g->k[2] % g->k[1], k2 = kk % g->k[2];
			const uint8_t *src = col + (o * g->ksz + kk) * ns * es;
			uint8_t *yo = y + o * g->osz * es;
			int64_t i0 = s0 / (g->in[1] * g->in[2]), i1 = s0 / g->in[2] % g->in[1];
			int64_t i2 = s0 % g->in[2];
			for (int64_t j = 0; j < ns;) {
				int64_t len = g->in[2] - i2 < ns - j ? g->in[2] - i2 : ns - j;
				int64_t q0 = i0 * g->s[0] - g->pb[0] + k0 * g->d[0];
				int64_t q1 = i1 * g->s[1] - g->pb[1] + k1 * g->d[1];
				int64_t q2 = i2 * g->s[2] - g->pb[2] + k2 * g->d[2], lo, hi;
				if (q0 >= 0 && q0 < g->out[0] && q1 >= 0 && q1 < g->out[1]) {
					uint8_t *row = yo + (q0 * g->out[1] + q1) * g->out[2] * es;
					valid_range(q2, g->s[2], len, g->out[2], &lo, &hi);
					add_strided(row + (q2 + lo * g->s[2]) * es, src + (j + lo) * es, hi - lo,
					            g->s[2], es);
				}
				j += len;
				i2 = 0;
				if (++i1 == g->in[1]) {
					i1 = 0;
					i0++;
				}
			}
		}
}

/* One tile's im2col or col2im, split among the pool's threads. */
typedef struct Tile {
	const Geo *g;
	bool tr;                      /* col2im (conv_transpose) */
	const uint8_t *x;             /* im2col: the group's input */
	uint8_t *col, *y;             /* col2im: the group's output */
	int64_t es, s0, ns;
	int64_t rows;                 /* im2col rows, or col2im output channels */
	int ntasks;
} Tile;

static void
tile_task(void *ctx, int task, int nthreads)
{
	const Tile *t = ctx;
	int64_t r0 = t->rows * task / t->ntasks, r1 = t->rows * (task + 1) / t->ntasks;

	if (t->tr)
		col2im(t->g, t->col, t->y, t->es, t->s0, t->ns, r0, r1);
	else
		im2col(t->g, t->x, t->col, t->es, t->s0, t->ns, r0, r1);
}

static void
tile_run(Tile *t, int64_t work)
{
	int nth = work >= PAR_ELEMS ? ml_pool_threads() : 1;

	t->ntasks = (int)(t->rows < 4 * (int64_t)nth ? t->rows : 4 * (int64_t)nth);
	if (t->ntasks <= 1) {
		t->ntasks = 1;
		tile_task(t, 0, 1);
	} else
		ml_pool_run(t->ntasks, tile_task, t);
}

static void
gemm(const MlBlas *bl, MlDtype dt, bool ta, int64_t m, int64_t n, int64_t k, const uint8_t *a,
     int64_t lda, const uint8_t *b, int64_t ldb, double beta, uint8_t *c, int64_t ldc)
{
	if (dt == ML_F32)
		bl->sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, (int)m, (int)n,
		          (int)k, 1.0f, (const float *)(const void *)a, (int)lda,
		          (const float *)(const void *)b, (int)ldb, (float)beta, (float *)(void *)c,
		          (int)ldc);
	else
		bl->dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, (int)m, (int)n,
		          (int)k, 1.0, (const double *)(const void *)a, (int)lda,
		          (const double *)(const void *)b, (int)ldb, beta, (double *)(void *)c, (int)ldc);
}

/* The im2col scratch, kept by each calling thread from call to call, at
 * most COL_BYTES: a fresh malloc of megabytes is an mmap whose pages
 * fault in again on every product, most of a small CNN's step. */
static _Thread_local uint8_t *col_buf;
static _Thread_local size_t col_buf_bytes;

static uint8_t *
col_scratch(size_t bytes)
{
	if (bytes > col_buf_bytes) {
		uint8_t *p = realloc(col_buf, bytes);
		if (p == NULL)
			return NULL;
		col_buf = p;
		col_buf_bytes = bytes;
	}
	return col_buf;
}

/* y = conv(x, w) + b on contiguous operands of one dtype, f32 or f64; y
 * contiguous. */
static int
conv_fast(MlOp op, const Geo *g, MlTensor *y, const MlTensor *x, const MlTensor *w,
          const MlTensor *b, AcErr *err)
{
	const MlBlas *bl = ml_blas(err);
	MlDtype dt = x->dtype;
	int64_t es = ml_dtype_bytes(dt), cg = g->c / g->g, og = g->o / g->g;
	bool tr = op == ML_OP_CONV_TRANSPOSE;
	uint8_t *col = NULL;

	if (bl == NULL)
		return AC_EDEVICE;
	/* the bias (or zeros) first; the products add to it */
	for (int64_t n = 0; n < g->n; n++)
		for (int64_t o = 0; o < g->o; o++) {
			uint8_t *yp = y->data + (n * g->o + o) * g->osz * es;
			double v = b != NULL ? ml_load_f64(dt, b->data + o * es) : 0;
			if (v == 0)
				memset(yp, 0, (size_t)(g->osz * es));
			else if (dt == ML_F32)
				for (int64_t q = 0; q < g->osz; q++)
					((float *)(void *)yp)[q] = (float)v;
			else
				for (int64_t q = 0; q < g->osz; q++)
					ml_store_f64(dt, yp + q * es, v);
		}
	int64_t rows = tr ? og * g->ksz : cg * g->ksz, cols = tr ? g->isz : g->osz;
	if (g->n == 0 || rows == 0 || og == 0 || cg == 0)
		return AC_OK;
	bool direct = !tr && g->ksz == 1;
	for (int i = 0; i < 3; i++)
		direct = direct && g->s[i] == 1 && g->pb[i] == 0 && g->out[i] == g->in[i];
	int64_t tile = COL_BYTES / (rows * es);
	tile = direct || tile > cols ? cols : tile < 1 ? 1 : tile;
	if (!direct && (col = col_scratch((size_t)(rows * tile * es))) == NULL)
		return ac_err_set(err, AC_ENOMEM, "%s: out of memory for a %lld x %lld column tile",
		                  ml_op_name(op), (long long)rows, (long long)tile);
	for (int64_t n = 0; n < g->n; n++)
		for (int64_t gi = 0; gi < g->g; gi++) {
			const uint8_t *xg = x->data + (n * g->c + gi * cg) * g->isz * es;
			uint8_t *yg = y->data + (n * g->o + gi * og) * g->osz * es;
			for (int64_t s0 = 0; s0 < cols; s0 += tile) {
				int64_t ns = cols - s0 < tile ? cols - s0 : tile;
				Tile t = {.g = g, .tr = tr, .x = xg, .col = col, .y = yg, .es = es, .s0 = s0,
				          .ns = ns, .rows = tr ? og : rows};
				if (!tr) {
					/* y_g[:, s0:s0+ns] += w_g [og, rows] col [rows, ns] */
					if (!direct)
						tile_run(&t, rows * ns);
					gemm(bl, dt, false, og, ns, rows, w->data + gi * og * rows * es, rows,
					     direct ? xg + s0 * es : col, direct ? g->isz : ns, 1.0,
					     yg + s0 * es, g->osz);
				} else {
					/* col [rows, ns] = w_g^T (w_g: [cg, og*K]) x_g[:, s0:s0+ns] */
					gemm(bl, dt, true, rows, ns, cg, w->data + gi * cg * rows * es, rows,
					     xg + s0 * es, g->isz, 0.0, col, ns);
					tile_run(&t, rows * ns);
				}
			}
		}
	return AC_OK;
}

/* Element i of t in row-major order, through double (t any strides). */
static double
elem_at(const MlTensor *t, int64_t i)
{
	int64_t off = 0;

	for (int d = t->ndim - 1; d >= 0; d--) {
		off += i % t->ne[d] * t->nb[d];
		i /= t->ne[d];
	}
	return ml_load_f64(t->dtype, t->data + off);
}

static int
cv_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlDtype dt = in[0]->dtype, ct = dt == ML_F64 ? ML_F64 : ML_F32;
	MlTensor *x = NULL, *w = NULL, *b = NULL, *y = NULL;
	Geo g;
	int rc = geo_make(op, in, p, &g, err);

	if (rc != AC_OK)
		return rc;
	if (ref) {
		if (in[2] == NULL) {
			conv_ref(op, &g, out, in[0], in[1], NULL);
			return AC_OK;
		}
		/* the bias as a contiguous [O] vector of its dtype */
		if ((b = ml_tensor_empty(ML_F64, 1, &g.o, err)) == NULL)
			return AC_ENOMEM;
		for (int64_t o = 0; o < g.o; o++)
			((double *)(void *)b->data)[o] = elem_at(in[2], o);
		conv_ref(op, &g, out, in[0], in[1], b);
		ml_tensor_unref(b);
		return AC_OK;
	}
	/* f16 and bf16 run the f32 path on converted copies */
	x = dt == ct ? ml_tensor_contiguous(in[0], err) : ml_cast(in[0], ct, err);
	w = dt == ct ? ml_tensor_contiguous(in[1], err) : ml_cast(in[1], ct, err);
	if (in[2] != NULL) {
		MlTensor *bv = ml_view_reshape(in[2], 1, &g.o, NULL);
		b = bv != NULL && bv->dtype == ct ? ml_tensor_contiguous(bv, err) : NULL;
		if (b == NULL) {
			/* another dtype or layout: converted element by element */
			b = ml_tensor_empty(ct, 1, &g.o, err);
			if (b != NULL)
				for (int64_t o = 0; o < g.o; o++)
					ml_store_f64(ct, b->data + o * ml_dtype_bytes(ct), elem_at(in[2], o));
		}
		ml_tensor_unref(bv);
	}
	if (dt == ct && ml_tensor_is_contiguous(out))
		y = ml_tensor_ref(out);
	else
		y = ml_tensor_empty(ct, out->ndim, out->ne, err);
	if (x == NULL || w == NULL || y == NULL || (in[2] != NULL && b == NULL)) {
		rc = err != NULL && err->code != AC_OK ? err->code : AC_ENOMEM;
		goto done;
	}
	rc = conv_fast(op, &g, y, x, w, b, err);
	if (rc == AC_OK && y != out)
		rc = ml_copy(out, y, err);
done:
	ml_tensor_unref(x);
	ml_tensor_unref(w);
	ml_tensor_unref(b);
	ml_tensor_unref(y);
	return rc;
}

const MlFamily ml_family_CONV = {.shape = cv_shape, .run = cv_run, .optional = 1u << 2};
