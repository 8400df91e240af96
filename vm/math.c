/*
 * $Math: Inferno's math module (module/math.m): the C library's elementary
 * functions, IEEE bit conversions, big-endian import/export of arrays,
 * floating-point control words, and dot/gemm through OpenBLAS. Arrays of
 * real hold f64; gemm is column-major with Fortran's leading dimensions,
 * as Inferno's is.
 *
 * The table is made from module/math.m by limbo -t (gen/vm/mathmod.h);
 * tests/vm/sig.c holds it to Inferno's libinterp/mathmod.h.
 *
 * Follows: Inferno libinterp/math.c (behaviour, the "invalid math
 * argument" checks);
 * man/2 math-elem, math-fp, math-linalg, math-export.
 */
#include "vm/vm_impl.h"
#include "gen/vm/mathmod.h"
#include "ml/ml.h"

#include <cblas.h>
#include <fenv.h>
#include <math.h>
#include <stdlib.h>

#define EX_MATHIA "invalid math argument"

#define ARG(k) vm_builtin_arg(fp, SPEC, (k))
#define AW(k) (*(int32_t *)ARG(k))
#define AF(k) (*(double *)ARG(k))
#define AL(k) (*(int64_t *)ARG(k))
/* Argument k, an array of es-byte elements (or nil), checked. */
#define AA(k, es) math_array(t, *(uint32_t *)ARG(k), (es))
/* An array's elements in host memory (checked by math_array). */
#define AD(a) ((uint8_t *)VM_PTR((a)->data))

static VmArray *
math_array(VmThread *t, uint32_t w, int32_t es)
{
	VmArray *a;

	vm_array_check(t, w, &a, es);
	return a;
}

static void
ret_real(uint8_t *fp, double v)
{
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (r != NULL)
		*(double *)r = v;
}

static void
ret_int(uint8_t *fp, int32_t v)
{
	uint8_t *r = VM_BUILTIN_RET(fp);

	if (r != NULL)
		*(int32_t *)r = v;
}

static VmArray *
array_arg(VmThread *t, VmArray *a)
{
	if (a == NULL)
		vm_raise(t, VM_EX_NILREF);
	return a;
}

/* fn(x: real): real */
#define SPEC "f"
#define R_R(name, expr)                                          \
	void vm_Math_##name(VmThread *t, uint8_t *fp)        \
	{                                                        \
		double x = AF(0);                                \
		(void)t;                                         \
		ret_real(fp, (expr));                            \
	}
R_R(acos, acos(x))
R_R(acosh, acosh(x))
R_R(asin, asin(x))
R_R(asinh, asinh(x))
R_R(atan, atan(x))
R_R(atanh, atanh(x))
R_R(cbrt, cbrt(x))
R_R(ceil, ceil(x))
R_R(cos, cos(x))
R_R(cosh, cosh(x))
R_R(erf, erf(x))
R_R(erfc, erfc(x))
R_R(exp, exp(x))
R_R(expm1, expm1(x))
R_R(fabs, fabs(x))
R_R(floor, floor(x))
R_R(j0, j0(x))
R_R(j1, j1(x))
R_R(log, log(x))
R_R(log10, log10(x))
R_R(log1p, log1p(x))
R_R(rint, rint(x))
R_R(sin, sin(x))
R_R(sinh, sinh(x))
R_R(sqrt, sqrt(x))
R_R(tan, tan(x))
R_R(tanh, tanh(x))
R_R(y0, y0(x))
R_R(y1, y1(x))

/* fn(x: real): int */
#define R_I(name, expr)                                          \
	void vm_Math_##name(VmThread *t, uint8_t *fp)        \
	{                                                        \
		double x = AF(0);                                \
		(void)t;                                         \
		ret_int(fp, (expr));                             \
	}
R_I(finite, isfinite(x) ? 1 : 0)
R_I(ilogb, ilogb(x))
R_I(isnan, isnan(x) ? 1 : 0)

void
vm_Math_realbits32(VmThread *t, uint8_t *fp)
{
	float f = (float)AF(0);
	int32_t u;

	(void)t;
	memcpy(&u, &f, 4);
	ret_int(fp, u);
}

void
vm_Math_realbits64(VmThread *t, uint8_t *fp)
{
	double x = AF(0);
	uint8_t *r = VM_BUILTIN_RET(fp);

	(void)t;
	if (r != NULL)
		memcpy(r, &x, 8);
}

/* fn(x: real): (int, real) */
void
vm_Math_lgamma(VmThread *t, uint8_t *fp)
{
	uint8_t *r = VM_BUILTIN_RET(fp);
	int sign = 1;
	double v = lgamma_r(AF(0), &sign);

	(void)t;
	if (r != NULL) {
		*(int32_t *)r = sign;
		*(double *)(r + 8) = v;
	}
}

void
vm_Math_modf(VmThread *t, uint8_t *fp)
{
	uint8_t *r = VM_BUILTIN_RET(fp);
	double ip, frac = modf(AF(0), &ip);

	(void)t;
	if (r != NULL) {
		/* The integer part as an int, rounded like Limbo's int cast. */
		*(int32_t *)r = (int32_t)ip;
		*(double *)(r + 8) = frac;
	}
}
#undef SPEC

/* fn(x, y: real): real */
#define SPEC "ff"
#define RR_R(name, expr)                                         \
	void vm_Math_##name(VmThread *t, uint8_t *fp)        \
	{                                                        \
		double x = AF(0), y = AF(1);                     \
		(void)t;                                         \
		ret_real(fp, (expr));                            \
	}
RR_R(atan2, atan2(x, y))
RR_R(copysign, copysign(x, y))
RR_R(fdim, fdim(x, y))
RR_R(fmax, fmax(x, y))
RR_R(fmin, fmin(x, y))
RR_R(fmod, fmod(x, y))
RR_R(hypot, hypot(x, y))
RR_R(nextafter, nextafter(x, y))
RR_R(pow, pow(x, y))
RR_R(remainder, remainder(x, y))
#undef SPEC

#define SPEC "wf"
void
vm_Math_jn(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_real(fp, jn(AW(0), AF(1)));
}

void
vm_Math_yn(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_real(fp, yn(AW(0), AF(1)));
}
#undef SPEC

#define SPEC "fw"
void
vm_Math_scalbn(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_real(fp, scalbn(AF(0), AW(1)));
}
#undef SPEC

#define SPEC "w"
void
vm_Math_pow10(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_real(fp, pow(10.0, (double)AW(0)));
}

void
vm_Math_bits32real(VmThread *t, uint8_t *fp)
{
	int32_t u = AW(0);
	float f;

	(void)t;
	memcpy(&f, &u, 4);
	ret_real(fp, (double)f);
}
#undef SPEC

#define SPEC "l"
void
vm_Math_bits64real(VmThread *t, uint8_t *fp)
{
	int64_t u = AL(0);
	double x;

	(void)t;
	memcpy(&x, &u, 8);
	ret_real(fp, x);
}
#undef SPEC

/* Floating-point control and status words, in Math's bit layout:
 * exceptions INVAL ZDIV OVFL UNFL INEX in bits 0-4 (for control words a
 * set bit enables the trap), rounding mode in bits 8-9. */
enum {
	M_INVAL = 1 << 0, M_ZDIV = 1 << 1, M_OVFL = 1 << 2, M_UNFL = 1 << 3, M_INEX = 1 << 4,
	M_RND_NR = 0 << 8, M_RND_NINF = 1 << 8, M_RND_PINF = 2 << 8, M_RND_Z = 3 << 8,
	M_RND_MASK = 3 << 8,
};

static const struct {
	int math, host;
} fp_excepts[] = {
	{M_INVAL, FE_INVALID}, {M_ZDIV, FE_DIVBYZERO}, {M_OVFL, FE_OVERFLOW},
	{M_UNFL, FE_UNDERFLOW}, {M_INEX, FE_INEXACT},
};

/* Traps stay disabled (a host SIGFPE would end the VM), so the control
 * word reports only the rounding mode; Inferno programs such as limbo
 * call FPcontrol(0, INEX|OVFL|UNFL|ZDIV|INVAL) to turn traps off. */
static int
fp_control(void)
{
	switch (fegetround()) {
	case FE_DOWNWARD: return M_RND_NINF;
	case FE_UPWARD: return M_RND_PINF;
	case FE_TOWARDZERO: return M_RND_Z;
	default: return M_RND_NR;
	}
}

static int
fp_status(void)
{
	int s = 0;

	for (size_t i = 0; i < sizeof fp_excepts / sizeof fp_excepts[0]; i++)
		if (fetestexcept(fp_excepts[i].host))
			s |= fp_excepts[i].math;
	return s;
}

#define SPEC ""
void
vm_Math_getFPcontrol(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_int(fp, fp_control());
}

void
vm_Math_getFPstatus(VmThread *t, uint8_t *fp)
{
	(void)t;
	ret_int(fp, fp_status());
}
#undef SPEC

#define SPEC "ww"
/* FPcontrol(r, mask): sets the bits of mask to those of r; returns the
 * old word. Only the rounding mode takes effect. */
void
vm_Math_FPcontrol(VmThread *t, uint8_t *fp)
{
	int old = fp_control(), r = AW(0), mask = AW(1);
	int neu = (old & ~mask) | (r & mask);

	(void)t;
	if (mask & M_RND_MASK) {
		static const int modes[4] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
		fesetround(modes[(neu & M_RND_MASK) >> 8]);
	}
	ret_int(fp, old);
}

/* FPstatus(r, mask): sets (or clears) the sticky flags in mask to r's. */
void
vm_Math_FPstatus(VmThread *t, uint8_t *fp)
{
	int old = fp_status(), r = AW(0), mask = AW(1);

	(void)t;
	for (size_t i = 0; i < sizeof fp_excepts / sizeof fp_excepts[0]; i++) {
		if (!(mask & fp_excepts[i].math))
			continue;
		if (r & fp_excepts[i].math)
			feraiseexcept(fp_excepts[i].host);
		else
			feclearexcept(fp_excepts[i].host);
	}
	ret_int(fp, old);
}
#undef SPEC

/* import/export: b holds the values big-endian, 4 or 8 bytes each, and
 * must be exactly that long. */
#define SPEC "pp"
static void
check_io(VmThread *t, VmArray *b, VmArray *x, uint32_t width)
{
	array_arg(t, b);
	array_arg(t, x);
	if (b->len != width * x->len)
		vm_raise(t, EX_MATHIA);
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t u = 0;

	for (int i = 0; i < n; i++)
		u = u << 8 | p[i];
	return u;
}

static void
put_be(uint8_t *p, uint64_t u, int n)
{
	for (int i = n - 1; i >= 0; i--, u >>= 8)
		p[i] = (uint8_t)u;
}

void
vm_Math_import_int(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 4);

	check_io(t, b, x, 4);
	for (uint32_t i = 0; i < x->len; i++)
		((int32_t *)AD(x))[i] = (int32_t)(uint32_t)get_be(AD(b) + 4 * i, 4);
}

void
vm_Math_import_real32(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 8);

	check_io(t, b, x, 4);
	for (uint32_t i = 0; i < x->len; i++) {
		uint32_t u = (uint32_t)get_be(AD(b) + 4 * i, 4);
		float f;
		memcpy(&f, &u, 4);
		((double *)AD(x))[i] = f;
	}
}

void
vm_Math_import_real(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 8);

	check_io(t, b, x, 8);
	for (uint32_t i = 0; i < x->len; i++) {
		uint64_t u = get_be(AD(b) + 8 * i, 8);
		memcpy((double *)AD(x) + i, &u, 8);
	}
}

void
vm_Math_export_int(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 4);

	check_io(t, b, x, 4);
	for (uint32_t i = 0; i < x->len; i++)
		put_be(AD(b) + 4 * i, (uint32_t)((int32_t *)AD(x))[i], 4);
}

void
vm_Math_export_real32(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 8);

	check_io(t, b, x, 4);
	for (uint32_t i = 0; i < x->len; i++) {
		float f = (float)((double *)AD(x))[i];
		uint32_t u;
		memcpy(&u, &f, 4);
		put_be(AD(b) + 4 * i, u, 4);
	}
}

void
vm_Math_export_real(VmThread *t, uint8_t *fp)
{
	VmArray *b = AA(0, 1), *x = AA(1, 8);

	check_io(t, b, x, 8);
	for (uint32_t i = 0; i < x->len; i++) {
		uint64_t u;
		memcpy(&u, (double *)AD(x) + i, 8);
		put_be(AD(b) + 8 * i, u, 8);
	}
}

/* OpenBLAS, loaded on first use (ml_blas). */
static const MlBlas *
blas(VmThread *t)
{
	AcErr err;
	const MlBlas *b = ml_blas(&err);

	if (b == NULL)
		vm_raise(t, "math: %s", err.msg);
	return b;
}

void
vm_Math_dot(VmThread *t, uint8_t *fp)
{
	VmArray *x = array_arg(t, AA(0, 8)), *y = array_arg(t, AA(1, 8));

	if (x->len != y->len)
		vm_raise(t, EX_MATHIA);
	ret_real(fp, x->len == 0 ? 0.0 : blas(t)->ddot((int)x->len, (double *)AD(x), 1, (double *)AD(y), 1));
}

static int
cmp_perm(const void *a, const void *b, void *ctx)
{
	const double *x = ctx;
	double u = x[*(const int32_t *)a], v = x[*(const int32_t *)b];

	return u == v ? 0 : u < v ? -1 : 1;
}

/* sort(x, pi): permutes pi so that x[pi[i]] ascend; x is unchanged. */
void
vm_Math_sort(VmThread *t, uint8_t *fp)
{
	VmArray *x = array_arg(t, AA(0, 8)), *p = array_arg(t, AA(1, 4));
	int32_t *pi = (int32_t *)AD(p);

	for (uint32_t i = 0; i < p->len; i++)
		if (pi[i] < 0 || (uint32_t)pi[i] >= x->len)
			vm_raise(t, EX_MATHIA);
	qsort_r(pi, p->len, sizeof(int32_t), cmp_perm, AD(x));
}
#undef SPEC

#define SPEC "p"
void
vm_Math_iamax(VmThread *t, uint8_t *fp)
{
	VmArray *x = array_arg(t, AA(0, 8));
	const double *v = (const double *)AD(x);
	uint32_t best = 0;

	/* Inferno's iamax: first index of the largest |x[i]|, 0 if empty. */
	for (uint32_t i = 1; i < x->len; i++)
		if (fabs(v[i]) > fabs(v[best]))
			best = i;
	ret_int(fp, (int32_t)best);
}

void
vm_Math_norm1(VmThread *t, uint8_t *fp)
{
	VmArray *x = array_arg(t, AA(0, 8));
	double s = 0;

	for (uint32_t i = 0; i < x->len; i++)
		s += fabs(((double *)AD(x))[i]);
	ret_real(fp, s);
}

void
vm_Math_norm2(VmThread *t, uint8_t *fp)
{
	VmArray *x = array_arg(t, AA(0, 8));

	ret_real(fp, x->len == 0 ? 0.0 : blas(t)->dnrm2((int)x->len, (double *)AD(x), 1));
}
#undef SPEC

/* gemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
 * C = alpha op(A) op(B) + beta C, column-major; trans is 'N', 'T' or 'C'.
 * A nil a or b counts as zeros (only beta C remains). */
#define SPEC "wwwwwfpwpwfpw"
static int
check_matrix(VmThread *t, VmArray *a, int32_t ld, int32_t rows, int32_t cols)
{
	if (a == NULL)
		return 0;
	if (ld < rows || ld < 1 || (cols > 0 && (int64_t)ld * (cols - 1) + rows > (int64_t)a->len))
		vm_raise(t, VM_EX_BOUNDS);
	return 1;
}

void
vm_Math_gemm(VmThread *t, uint8_t *fp)
{
	int32_t ta = AW(0), tb = AW(1), m = AW(2), n = AW(3), k = AW(4);
	int32_t lda = AW(7), ldb = AW(9), ldc = AW(12);
	double alpha = AF(5), beta = AF(10);
	VmArray *a = AA(6, 8), *b = AA(8, 8), *c = array_arg(t, AA(11, 8));
	int nota = ta == 'N', notb = tb == 'N';
	int have;

	if ((!nota && ta != 'T' && ta != 'C') || (!notb && tb != 'T' && tb != 'C') || m < 0 || n < 0 || k < 0)
		vm_raise(t, EX_MATHIA);
	have = check_matrix(t, a, lda, nota ? m : k, nota ? k : m);
	have &= check_matrix(t, b, ldb, notb ? k : n, notb ? n : k);
	check_matrix(t, c, ldc, m, n);
	if (m == 0 || n == 0)
		return;
	if (have && k > 0) {
		blas(t)->dgemm(CblasColMajor, nota ? CblasNoTrans : CblasTrans, notb ? CblasNoTrans : CblasTrans,
		            m, n, k, alpha, (double *)AD(a), lda, (double *)AD(b), ldb, beta,
		            (double *)AD(c), ldc);
		return;
	}
	for (int32_t j = 0; j < n; j++)
		for (int32_t i = 0; i < m; i++) {
			double *e = (double *)AD(c) + (size_t)j * (size_t)ldc + (size_t)i;
			*e = beta == 0 ? 0 : beta * *e;
		}
}
#undef SPEC

/* No state: the floating-point control words are the thread's. */
const VmBuiltinDef vm_math_def = {VM_MATH_PATH, vm_Math_tab, VM_MATH_NFUNCS, NULL, NULL, NULL};
