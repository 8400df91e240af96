/*
 * Reductions over a set of axes (ops.def families REDUCE and
 * INDEX_REDUCE).  For each output element the reduced sub-tensor is walked
 * in row-major order, its dimensions merged where the strides allow, and
 * each row handed to the accumulator.  Floating sums, means, variances
 * and norms accumulate in double (the scalar twin element by element; the
 * fast path sums contiguous f32 rows in eight f32 lanes per 256-element
 * block, then in double); integer sums and products in i64, wrapping.
 * Variance and logsumexp take two passes (mean or maximum first), so
 * large offsets do not cancel.  amax/amin propagate NaN; argmax/argmin
 * return the first extreme, a NaN counting as the extreme (torch.argmax).
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

typedef struct Acc {
	MlOp op;
	MlDtype dt;
	bool isint, fast;
	int pass;          /* 0, or 1 for the second pass of var and logsumexp */
	double s, m;       /* sum; mean or maximum from the first pass */
	int64_t is;        /* integer sum, product, extreme */
	double best;       /* float extreme */
	int64_t idx, n;    /* index of the extreme; elements seen */
	bool nan;
} Acc;

static void
acc_init(Acc *a)
{
	a->s = 0;
	a->n = 0;
	a->idx = 0;
	a->nan = false;
	a->is = a->op == ML_OP_PROD ? 1 : 0;
	a->best = 0;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static double
sum_f32(const float *x, int64_t n, bool sq)
{
	double total = 0;

	for (int64_t i = 0; i < n; i += 256) {
		int64_t m = n - i < 256 ? n - i : 256;
		float lane[8] = {0};
		int64_t j = 0;
		if (sq)
			for (; j + 8 <= m; j += 8)
				for (int l = 0; l < 8; l++)
					lane[l] += x[i + j + l] * x[i + j + l];
		else
			for (; j + 8 <= m; j += 8)
				for (int l = 0; l < 8; l++)
					lane[l] += x[i + j + l];
		double part = 0;
		for (int l = 0; l < 8; l++)
			part += lane[l];
		for (; j < m; j++)
			part += sq ? (double)x[i + j] * x[i + j] : x[i + j];
		total += part;
	}
	return total;
}

/* Takes one row of n elements at p, step s bytes. */
static void
acc_row(Acc *a, const uint8_t *p, int64_t n, int64_t s)
{
	if (a->fast && a->dt == ML_F32 && s == 4 && a->pass == 0 &&
	    (a->op == ML_OP_SUM || a->op == ML_OP_MEAN || a->op == ML_OP_SUMSQ || a->op == ML_OP_NORM2)) {
		a->s += sum_f32((const float *)(const void *)p, n, a->op == ML_OP_SUMSQ || a->op == ML_OP_NORM2);
		a->n += n;
		return;
	}
	for (int64_t i = 0; i < n; i++, p += s, a->n++) {
		if (a->isint) {
			int64_t v = ml_load_i64(a->dt, p);
			switch (a->op) {
			case ML_OP_SUM: a->is = (int64_t)((uint64_t)a->is + (uint64_t)v); break;
			case ML_OP_PROD: a->is = (int64_t)((uint64_t)a->is * (uint64_t)v); break;
			case ML_OP_NORM1: a->is = (int64_t)((uint64_t)a->is + (uint64_t)(v < 0 ? -v : v)); break;
			case ML_OP_SUMSQ: a->is = (int64_t)((uint64_t)a->is + (uint64_t)v * (uint64_t)v); break;
			case ML_OP_AMAX: case ML_OP_ARGMAX:
				if (a->n == 0 || v > a->is) { a->is = v; a->idx = a->n; }
				break;
			case ML_OP_AMIN: case ML_OP_ARGMIN:
				if (a->n == 0 || v < a->is) { a->is = v; a->idx = a->n; }
				break;
			default: break;
			}
			continue;
		}
		double v = ml_load_f64(a->dt, p);
		switch (a->op) {
		case ML_OP_SUM: case ML_OP_MEAN: a->s += v; break;
		case ML_OP_PROD: a->s = a->n == 0 ? v : a->s * v; break;
		case ML_OP_NORM1: a->s += fabs(v); break;
		case ML_OP_SUMSQ: case ML_OP_NORM2: a->s += v * v; break;
		case ML_OP_VAR: case ML_OP_STD:
			if (a->pass == 0)
				a->s += v;
			else
				a->s += (v - a->m) * (v - a->m);
			break;
		case ML_OP_LOGSUMEXP:
			if (a->pass == 0) {
				if (a->n == 0 || v > a->best || v != v)
					a->best = a->nan ? a->best : v;
				if (v != v)
					a->nan = true;
			} else
				a->s += exp(v - a->m);
			break;
		case ML_OP_AMAX: case ML_OP_ARGMAX:
			if (a->nan)
				break;
			if (v != v) { a->nan = true; a->best = v; a->idx = a->n; }
			else if (a->n == 0 || v > a->best) { a->best = v; a->idx = a->n; }
			break;
		case ML_OP_AMIN: case ML_OP_ARGMIN:
			if (a->nan)
				break;
			if (v != v) { a->nan = true; a->best = v; a->idx = a->n; }
			else if (a->n == 0 || v < a->best) { a->best = v; a->idx = a->n; }
			break;
		default: break;
		}
	}
}

/* The reduced sub-tensor: nr merged dimensions, sizes rn, strides rs. */
typedef struct Sub {
	int nr;
	int64_t rn[ML_MAX_DIMS], rs[ML_MAX_DIMS];
} Sub;

static void
walk(Acc *a, const Sub *r, const uint8_t *base)
{
	int64_t idx[ML_MAX_DIMS] = {0};

	if (r->nr == 0) {
		acc_row(a, base, 1, 0);
		return;
	}
	for (;;) {
		const uint8_t *p = base;
		for (int d = 0; d < r->nr - 1; d++)
			p += idx[d] * r->rs[d];
		acc_row(a, p, r->rn[r->nr - 1], r->rs[r->nr - 1]);
		int d = r->nr - 2;
		while (d >= 0 && ++idx[d] == r->rn[d])
			idx[d--] = 0;
		if (d < 0)
			return;
	}
}

int
ml_reduce_run(MlOp op, MlTensor *out, const MlTensor *in, const MlOpParams *params, bool ref,
              AcErr *err)
{
	Sub r = {0};
	int64_t kn[ML_MAX_DIMS], ks[ML_MAX_DIMS], kos[ML_MAX_DIMS], idx[ML_MAX_DIMS] = {0};
	int nk = 0, corr = params->correction;
	Acc a = {.op = op, .dt = in->dtype, .fast = !ref};

	a.isint = ml_dtype_kind(in->dtype) != ML_KIND_FLOAT;
	for (int d = 0; d < in->ndim; d++) {
		if (in->ne[d] == 0 && out->ne[d] == 0)
			return AC_OK; /* nothing to write */
		if (out->ne[d] == 1 && in->ne[d] != 1) {
			/* reduced: merge with the previous reduced dimension when
			 * the strides make them one */
			if (r.nr > 0 && r.rs[r.nr - 1] == in->nb[d] * in->ne[d] && r.rn[r.nr - 1] != 0) {
				r.rn[r.nr - 1] *= in->ne[d];
				r.rs[r.nr - 1] = in->nb[d];
			} else {
				r.rn[r.nr] = in->ne[d];
				r.rs[r.nr++] = in->nb[d];
			}
		} else if (in->ne[d] != 1) {
			kn[nk] = in->ne[d];
			ks[nk] = in->nb[d];
			kos[nk++] = out->nb[d];
		}
	}
	for (;;) {
		const uint8_t *ip = in->data;
		uint8_t *op_ = out->data;
		for (int d = 0; d < nk; d++) {
			ip += idx[d] * ks[d];
			op_ += idx[d] * kos[d];
		}
		acc_init(&a);
		a.pass = 0;
		for (int d = 0; d < r.nr; d++)
			if (r.rn[d] == 0)
				goto done;
		walk(&a, &r, ip);
		if (op == ML_OP_VAR || op == ML_OP_STD) {
			a.m = a.s / (double)a.n;
			a.s = 0;
			a.pass = 1;
			int64_t n = a.n;
			a.n = 0;
			walk(&a, &r, ip);
			a.n = n;
		} else if (op == ML_OP_LOGSUMEXP && !a.nan && isfinite(a.best)) {
			a.m = a.best;
			a.pass = 1;
			a.s = 0;
			int64_t n = a.n;
			a.n = 0;
			walk(&a, &r, ip);
			a.n = n;
		}
	done:
		switch (op) {
		case ML_OP_ARGMAX:
		case ML_OP_ARGMIN:
			ml_store_i64(ML_I64, op_, a.idx);
			break;
		case ML_OP_MEAN:
			ml_store_f64(out->dtype, op_, a.n ? a.s / (double)a.n : NAN);
			break;
		case ML_OP_VAR:
		case ML_OP_STD: {
			double v = a.n - corr > 0 ? a.s / (double)(a.n - corr) : NAN;
			ml_store_f64(out->dtype, op_, op == ML_OP_STD ? sqrt(v) : v);
			break;
		}
		case ML_OP_NORM2:
			ml_store_f64(out->dtype, op_, sqrt(a.s));
			break;
		case ML_OP_LOGSUMEXP:
			ml_store_f64(out->dtype, op_,
			             a.n == 0 ? -INFINITY : a.nan ? NAN : !isfinite(a.best) ? a.best + 0.0 * (a.best < 0 ? 0 : 1) : a.m + log(a.s));
			break;
		case ML_OP_AMAX:
		case ML_OP_AMIN:
			if (a.isint)
				ml_store_i64(out->dtype, op_, a.is);
			else
				ml_store_f64(out->dtype, op_, a.best);
			break;
		default:
			if (a.isint)
				ml_store_i64(out->dtype, op_, a.is);
			else
				ml_store_f64(out->dtype, op_, op == ML_OP_PROD && a.n == 0 ? 1 : a.s);
			break;
		}
		int d = nk - 1;
		while (d >= 0 && ++idx[d] == kn[d])
			idx[d--] = 0;
		if (d < 0)
			break;
	}
	(void)err;
	return AC_OK;
}
