/*
 * Matrix products (ops.def family MATMUL): numpy.matmul semantics with
 * broadcast batch dimensions.  f32 and f64 go to OpenBLAS one matrix at
 * a time, straight from the operands when each matrix has a unit stride
 * along one of its two dimensions (BLAS's lda), else through a contiguous
 * copy of that operand.  f16 and bf16 multiply in f32 with f32
 * accumulation, converting one 64-column panel of B at a time (a bounded
 * scratch, not a copy of the operand).  The scalar twin accumulates every
 * dot product in double.
 */
#include "ml/ml_impl.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

/* Shapes: a [.., M, K], b [.., K, N] (1-d a is [1, K] with M dropped, 1-d b
 * [K, 1] with N dropped). */
static int
mm_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
         AcErr *err)
{
	const MlTensor *a = in[0], *b = in[1];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	int64_t m, ka, kb, n;

	if (a->ndim == 0 || b->ndim == 0)
		return ac_err_set(err, AC_ESHAPE, "matmul: a scalar operand (%s and %s)",
		                  ml_shape_fmt(a, s0), ml_shape_fmt(b, s1));
	m = a->ndim >= 2 ? a->ne[a->ndim - 2] : 1;
	ka = a->ne[a->ndim - 1];
	kb = b->ndim >= 2 ? b->ne[b->ndim - 2] : b->ne[0];
	n = b->ndim >= 2 ? b->ne[b->ndim - 1] : 1;
	if (ka != kb)
		return ac_err_set(err, AC_ESHAPE, "matmul: %s and %s do not agree", ml_shape_fmt(a, s0),
		                  ml_shape_fmt(b, s1));
	/* batch dimensions broadcast */
	int na = a->ndim > 2 ? a->ndim - 2 : 0, nb = b->ndim > 2 ? b->ndim - 2 : 0;
	int nd = na > nb ? na : nb;
	for (int i = 0; i < nd; i++) {
		int ia = i - (nd - na), ib = i - (nd - nb);
		int64_t da = ia >= 0 ? a->ne[ia] : 1, db = ib >= 0 ? b->ne[ib] : 1;
		if (da != db && da != 1 && db != 1)
			return ac_err_set(err, AC_ESHAPE, "matmul: batch dimensions of %s and %s do not broadcast",
			                  ml_shape_fmt(a, s0), ml_shape_fmt(b, s1));
		ne[i] = da == 1 ? db : da;
	}
	if (a->ndim >= 2)
		ne[nd++] = m;
	if (b->ndim >= 2)
		ne[nd++] = n;
	*ndim = nd;
	return AC_OK;
}

/* One matrix of an operand: element (i, j) at p + i*rs + j*cs. */
typedef struct Mat {
	const uint8_t *p;
	int64_t rs, cs;
} Mat;

static double
ld(MlDtype dt, const uint8_t *p)
{
	return ml_load_f64(dt, p);
}

/* c[m, n] = a[m, k] b[k, n], in double. */
static void
mm_ref(MlDtype dt, uint8_t *c, int64_t crs, int64_t ccs, Mat a, Mat b, int64_t m, int64_t n,
       int64_t k)
{
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			for (int64_t q = 0; q < k; q++)
				s += ld(dt, a.p + i * a.rs + q * a.cs) * ld(dt, b.p + q * b.rs + j * b.cs);
			ml_store_f64(dt, c + i * crs + j * ccs, s);
		}
}

/* f16/bf16: B converted a panel of up to 64 columns at a time. */
enum { PANEL = 64 };
static void
mm_half(MlDtype dt, uint8_t *c, int64_t crs, int64_t ccs, Mat a, Mat b, int64_t m, int64_t n,
        int64_t k, float *panel, float *arow)
{
	for (int64_t j0 = 0; j0 < n; j0 += PANEL) {
		int64_t nj = n - j0 < PANEL ? n - j0 : PANEL;
		for (int64_t q = 0; q < k; q++)
			for (int64_t j = 0; j < nj; j++)
				panel[q * PANEL + j] = (float)ld(dt, b.p + q * b.rs + (j0 + j) * b.cs);
		for (int64_t i = 0; i < m; i++) {
			float acc[PANEL] = {0};
			for (int64_t q = 0; q < k; q++)
				arow[q] = (float)ld(dt, a.p + i * a.rs + q * a.cs);
			for (int64_t q = 0; q < k; q++) {
				float av = arow[q];
				const float *pr = panel + q * PANEL;
				for (int64_t j = 0; j < nj; j++)
					acc[j] += av * pr[j];
			}
			for (int64_t j = 0; j < nj; j++)
				ml_store_f64(dt, c + i * crs + (j0 + j) * ccs, acc[j]);
		}
	}
}

/* BLAS takes a matrix whose column stride is one element (then lda is the
 * row stride) or whose row stride is (transposed). */
static bool
blas_layout(const Mat *x, int64_t es, int64_t rows, int64_t cols, bool *trans, int64_t *ld_)
{
	if ((x->cs == es || cols == 1) && x->rs % es == 0 && x->rs / es >= (cols > 1 ? cols : 1)) {
		*trans = false;
		*ld_ = x->rs / es > 0 ? x->rs / es : 1;
		if (*ld_ < cols)
			*ld_ = cols;
		return true;
	}
	if ((x->rs == es || rows == 1) && x->cs % es == 0 && x->cs / es >= (rows > 1 ? rows : 1)) {
		*trans = true;
		*ld_ = x->cs / es > 0 ? x->cs / es : 1;
		if (*ld_ < rows)
			*ld_ = rows;
		return true;
	}
	return false;
}

static int
mm_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlTensor *a = in[0], *b = in[1], *ac = NULL, *bc = NULL, *cc = NULL;
	MlDtype dt = a->dtype;
	int64_t es = ml_dtype_bytes(dt);
	int64_t m = a->ndim >= 2 ? a->ne[a->ndim - 2] : 1, k = a->ne[a->ndim - 1];
	int64_t n = b->ndim >= 2 ? b->ne[b->ndim - 1] : 1;
	int nbatch_d = out->ndim - (a->ndim >= 2) - (b->ndim >= 2);
	float *panel = NULL, *arow = NULL;
	const MlBlas *bl = NULL;
	int rc = AC_OK;

	if (ml_tensor_numel(out) == 0)
		return AC_OK;
	if (k == 0)
		return ml_fill(out, 0, err);
	if (!ref && (dt == ML_F32 || dt == ML_F64)) {
		bl = ml_blas(err);
		if (bl == NULL)
			return AC_EDEVICE;
	}
	if (!ref && (dt == ML_F16 || dt == ML_BF16)) {
		panel = malloc(sizeof(float) * (size_t)(k * PANEL));
		arow = malloc(sizeof(float) * (size_t)k);
		if (panel == NULL || arow == NULL) {
			rc = ac_err_set(err, AC_ENOMEM, "matmul: out of memory for a %lld-row panel", (long long)k);
			goto done;
		}
	}
	/* the output: BLAS writes rows with a unit column stride */
	MlTensor *c = out;
	if (bl != NULL && !ml_tensor_is_contiguous(out)) {
		cc = ml_tensor_empty(dt, out->ndim, out->ne, err);
		if (cc == NULL) {
			rc = AC_ENOMEM;
			goto done;
		}
		c = cc;
	}
	int64_t nbatch = 1;
	for (int i = 0; i < nbatch_d; i++)
		nbatch *= out->ne[i];
	int64_t crs = out->ndim >= 2 && a->ndim >= 2 ? c->nb[c->ndim - 1 - (b->ndim >= 2)] : 0;
	int64_t ccs = b->ndim >= 2 ? c->nb[c->ndim - 1] : 0;
	for (int64_t bi = 0; bi < nbatch; bi++) {
		/* the batch index in each operand, by broadcasting */
		int64_t r = bi, aoff = 0, boff = 0, coff = 0;
		for (int d = nbatch_d - 1; d >= 0; d--) {
			int64_t i = r % out->ne[d];
			r /= out->ne[d];
			int da = d - (nbatch_d - (a->ndim - 2)), db = d - (nbatch_d - (b->ndim - 2));
			if (a->ndim > 2 && da >= 0 && a->ne[da] != 1)
				aoff += i * a->nb[da];
			if (b->ndim > 2 && db >= 0 && b->ne[db] != 1)
				boff += i * b->nb[db];
			coff += i * c->nb[d];
		}
		Mat am = {a->data + aoff, a->ndim >= 2 ? a->nb[a->ndim - 2] : 0, a->nb[a->ndim - 1]};
		Mat bm = {b->data + boff, b->ndim >= 2 ? b->nb[b->ndim - 2] : b->nb[0],
		          b->ndim >= 2 ? b->nb[b->ndim - 1] : 0};
		uint8_t *cp = c->data + coff;
		if (ref) {
			mm_ref(dt, cp, crs, ccs, am, bm, m, n, k);
			continue;
		}
		if (panel != NULL) {
			mm_half(dt, cp, crs, ccs, am, bm, m, n, k, panel, arow);
			continue;
		}
		bool ta, tb;
		int64_t lda, ldb, ldc = n;
		if (!blas_layout(&am, es, m, k, &ta, &lda) || !blas_layout(&bm, es, k, n, &tb, &ldb)) {
			/* an operand BLAS cannot read: copy them all once */
			if (ac == NULL) {
				ac = ml_tensor_contiguous(a, err);
				bc = ml_tensor_contiguous(b, err);
				if (ac == NULL || bc == NULL) {
					rc = AC_ENOMEM;
					goto done;
				}
				MlTensor *ins[2] = {ac, bc};
				rc = mm_run(op, c, ins, p, false, err);
				goto copyback;
			}
		}
		if (n == 1 && crs != 0)
			ldc = crs / es;
		if (dt == ML_F32)
			bl->sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
			          (int)m, (int)n, (int)k, 1.0f, (const float *)(const void *)am.p, (int)lda,
			          (const float *)(const void *)bm.p, (int)ldb, 0.0f, (float *)(void *)cp,
			          (int)(ldc > 0 ? ldc : 1));
		else
			bl->dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
			          (int)m, (int)n, (int)k, 1.0, (const double *)(const void *)am.p, (int)lda,
			          (const double *)(const void *)bm.p, (int)ldb, 0.0, (double *)(void *)cp,
			          (int)(ldc > 0 ? ldc : 1));
	}
copyback:
	if (rc == AC_OK && cc != NULL)
		rc = ml_copy(out, cc, err);
done:
	ml_tensor_unref(ac);
	ml_tensor_unref(bc);
	ml_tensor_unref(cc);
	free(panel);
	free(arow);
	return rc;
}

const MlFamily ml_family_MATMUL = {.shape = mm_shape, .run = mm_run};

/* ---- linear: x weight^T + bias ---- */

static int
lin_shape(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim, int64_t ne[ML_MAX_DIMS],
          AcErr *err)
{
	const MlTensor *x = in[0], *w = in[1], *b = in[2];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	bool lowp = w->dtype != ML_F32 && w->dtype != ML_F64;

	if (x->dtype != (lowp ? ML_F32 : w->dtype))
		return ac_err_set(err, AC_EDTYPE, "linear: input is %s, want %s for a %s weight",
		                  ml_dtype_name(x->dtype), ml_dtype_name(lowp ? ML_F32 : w->dtype),
		                  ml_dtype_name(w->dtype));
	if (w->ndim != 2 || x->ndim < 1 || x->ne[x->ndim - 1] != w->ne[1])
		return ac_err_set(err, AC_ESHAPE, "linear: input %s and weight %s do not agree",
		                  ml_shape_fmt(x, s0), ml_shape_fmt(w, s1));
	if (b != NULL && (b->dtype != x->dtype || ml_tensor_numel(b) != w->ne[0]))
		return ac_err_set(err, AC_ESHAPE, "linear: bias %s %s does not hold %lld %s values",
		                  ml_dtype_name(b->dtype), ml_shape_fmt(b, s0), (long long)w->ne[0],
		                  ml_dtype_name(x->dtype));
	*ndim = x->ndim;
	memcpy(ne, x->ne, sizeof(int64_t) * ML_MAX_DIMS);
	ne[x->ndim - 1] = w->ne[0];
	return AC_OK;
}

static int
lin_run(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref, AcErr *err)
{
	MlTensor *x = ml_tensor_contiguous(in[0], err), *w = ml_tensor_contiguous(in[1], err);
	MlTensor *y = out, *yc = NULL;
	int64_t n = in[1]->ne[0], k = in[1]->ne[1], m = k ? ml_tensor_numel(in[0]) / k : 0;
	MlDtype wt = in[1]->dtype;
	int rc = AC_OK;

	if (x == NULL || w == NULL) {
		rc = err ? err->code : AC_ENOMEM;
		goto done;
	}
	if (!ml_tensor_is_contiguous(out)) {
		if ((yc = ml_tensor_empty(out->dtype, out->ndim, out->ne, err)) == NULL) {
			rc = AC_ENOMEM;
			goto done;
		}
		y = yc;
	}
	if (m == 0 || n == 0)
		goto bias;
	if (k == 0) {
		rc = ml_fill(y, 0, err);
		goto bias;
	}
	if (wt == ML_F32 || wt == ML_F64 || ((wt == ML_F16 || wt == ML_BF16) && (ref || k % 32 != 0))) {
		/* y[m, n] = x[m, k] w[n, k]^T: BLAS, or (ref, or half weights of
		 * odd width) the loops above */
		Mat am = {x->data, k * ml_dtype_bytes(x->dtype), ml_dtype_bytes(x->dtype)};
		Mat bm = {w->data, ml_dtype_bytes(wt), k * ml_dtype_bytes(wt)};
		int64_t es = ml_dtype_bytes(y->dtype);
		if (ref || (wt != ML_F32 && wt != ML_F64)) {
			/* x is f32 for half weights: load each side by its own dtype */
			for (int64_t i = 0; i < m; i++)
				for (int64_t j = 0; j < n; j++) {
					double s = 0;
					for (int64_t q = 0; q < k; q++)
						s += ml_load_f64(x->dtype, am.p + i * am.rs + q * am.cs) *
						     ml_load_f64(wt, bm.p + q * bm.rs + j * bm.cs);
					ml_store_f64(y->dtype, y->data + (i * n + j) * es, s);
				}
		} else {
			const MlBlas *bl = ml_blas(err);
			if (bl == NULL) {
				rc = AC_EDEVICE;
				goto done;
			}
			if (wt == ML_F32)
				bl->sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1.0f,
				          ML_F32(x), (int)k, ML_F32(w), (int)k, 0.0f, ML_F32(y), (int)n);
			else
				bl->dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)k, 1.0,
				          (const double *)(const void *)x->data, (int)k,
				          (const double *)(const void *)w->data, (int)k, 0.0,
				          (double *)(void *)y->data, (int)n);
		}
	} else if (ref)
		rc = ml_mul_mat_q_ref(wt, w->data, n, k, ML_F32(x), m, ML_F32(y), err);
	else
		rc = ml_mul_mat_q(wt, w->data, n, k, ML_F32(x), m, ML_F32(y), NULL, 0, err);
bias:
	if (rc == AC_OK && in[2] != NULL) {
		MlTensor *ins[2] = {y, in[2]};
		rc = ref ? ml_op_into_ref(ML_OP_ADD, y, ins, NULL, err) : ml_op_into(ML_OP_ADD, y, ins, NULL, err);
	}
	if (rc == AC_OK && yc != NULL)
		rc = ml_copy(out, yc, err);
done:
	ml_tensor_unref(yc);
	ml_tensor_unref(x);
	ml_tensor_unref(w);
	return rc;
}

const MlFamily ml_family_LINEAR = {.shape = lin_shape, .run = lin_run, .optional = 1u << 2, .mixed = true, .dtype_input = 1};
