/*
 * Element-wise kernels of two inputs (ops.def families BINARY, COMPARE,
 * LOGIC) and where.  Each (op, dtype) has a scalar _ref loop over any byte
 * strides and a fast loop for rows where every operand is contiguous,
 * compiled for AVX-512, AVX2 and plain x86-64 and chosen at load time by
 * CPUID (gcc's target_clones); the fast loop falls back to the scalar one
 * on strided rows.  f16 and bf16 compute in f32 element by element (no
 * copy of the operands); i32, i8 and u8 compute in i64 and wrap on store;
 * integer division and remainder by zero give 0.
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

#include "ml/cpu/elem.h"

/* ---- the ops on compute values a and b ---- */
static inline int64_t iadd(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t isub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t imul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static inline int64_t
idiv(int64_t a, int64_t b)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return (int64_t)(0 - (uint64_t)a);
	return a / b;
}
static inline int64_t
ifmod(int64_t a, int64_t b)
{
	return b == 0 || b == -1 ? 0 : a % b;
}
static inline int64_t
imod(int64_t a, int64_t b)
{
	int64_t r = ifmod(a, b);
	return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}
static inline int64_t
ipow(int64_t a, int64_t b)
{
	uint64_t r = 1, x = (uint64_t)a;
	if (b < 0)
		return a == 1 ? 1 : a == -1 ? (b & 1 ? -1 : 1) : 0;
	for (; b > 0; b >>= 1, x *= x)
		if (b & 1)
			r *= x;
	return (int64_t)r;
}
static inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

#define FMOD_D(a, b) fmod(a, b)
static inline double
dmod(double a, double b)
{
	double r = fmod(a, b);
	if (r != 0 && (r < 0) != (b < 0))
		r += b;
	else if (r == 0)
		r = copysign(0.0, b);
	return r;
}
static inline float
fmodr(float a, float b)
{
	float r = fmodf(a, b);
	if (r != 0 && (r < 0) != (b < 0))
		r += b;
	else if (r == 0)
		r = copysignf(0.0f, b);
	return r;
}
/* maximum and minimum propagate NaN (torch.maximum) */
#define FMAXN(a, b) ((a) != (a) || (b) != (b) ? (a) + (b) : (a) > (b) ? (a) : (b))
#define FMINN(a, b) ((a) != (a) || (b) != (b) ? (a) + (b) : (a) < (b) ? (a) : (b))

/* The expression of op OP for compute class K (F: float, D: double, I: i64). */
#define E_ADD_F(a, b) ((a) + (b))
#define E_ADD_D E_ADD_F
#define E_ADD_I(a, b) iadd(a, b)
#define E_SUB_F(a, b) ((a) - (b))
#define E_SUB_D E_SUB_F
#define E_SUB_I(a, b) isub(a, b)
#define E_MUL_F(a, b) ((a) * (b))
#define E_MUL_D E_MUL_F
#define E_MUL_I(a, b) imul(a, b)
#define E_DIV_F(a, b) ((a) / (b))
#define E_DIV_D E_DIV_F
#define E_DIV_I(a, b) idiv(a, b)
#define E_POW_F(a, b) powf(a, b)
#define E_POW_D(a, b) pow(a, b)
#define E_POW_I(a, b) ipow(a, b)
#define E_MOD_F(a, b) fmodr(a, b)
#define E_MOD_D(a, b) dmod(a, b)
#define E_MOD_I(a, b) imod(a, b)
#define E_FMOD_F(a, b) fmodf(a, b)
#define E_FMOD_D(a, b) fmod(a, b)
#define E_FMOD_I(a, b) ifmod(a, b)
#define E_MAXIMUM_F(a, b) FMAXN(a, b)
#define E_MAXIMUM_D E_MAXIMUM_F
#define E_MAXIMUM_I(a, b) imax(a, b)
#define E_MINIMUM_F(a, b) FMINN(a, b)
#define E_MINIMUM_D E_MINIMUM_F
#define E_MINIMUM_I(a, b) imin(a, b)
#define E_EQ_F(a, b) ((a) == (b))
#define E_EQ_D E_EQ_F
#define E_EQ_I E_EQ_F
#define E_NE_F(a, b) ((a) != (b))
#define E_NE_D E_NE_F
#define E_NE_I E_NE_F
#define E_LT_F(a, b) ((a) < (b))
#define E_LT_D E_LT_F
#define E_LT_I E_LT_F
#define E_LE_F(a, b) ((a) <= (b))
#define E_LE_D E_LE_F
#define E_LE_I E_LE_F
#define E_GT_F(a, b) ((a) > (b))
#define E_GT_D E_GT_F
#define E_GT_I E_GT_F
#define E_GE_F(a, b) ((a) >= (b))
#define E_GE_D E_GE_F
#define E_GE_I E_GE_F
#define E_AND_I(a, b) ((a) && (b))
#define E_OR_I(a, b) ((a) || (b))
#define E_XOR_I(a, b) (!(a) != !(b))

/*
 * One (op, dtype) pair: OP the ops.def id, DT the dtype id, T storage,
 * C compute type, K compute class, LD/ST the conversions, OT/OST the
 * output storage type and store (the input's, or bool).
 */
#define PAIR(OP, DT, T, C, K, LD, ST, OT, OST)                                           \
	static void OP##_##DT##_ref(int64_t n, uint8_t *const *p, const int64_t *s,      \
	                            void *ctx)                                            \
	{                                                                                 \
		for (int64_t i = 0; i < n; i++) {                                         \
			T a, b;                                                           \
			memcpy(&a, p[1] + i * s[1], sizeof a);                            \
			memcpy(&b, p[2] + i * s[2], sizeof b);                            \
			OT o = OST(E_##OP##_##K((C)LD(a), (C)LD(b)));                     \
			memcpy(p[0] + i * s[0], &o, sizeof o);                            \
		}                                                                         \
	}                                                                                 \
	SIMD static void OP##_##DT##_vec(int64_t n, OT *restrict o, const T *restrict a,  \
	                                 const T *restrict b)                             \
	{                                                                                 \
		for (int64_t i = 0; i < n; i++)                                           \
			o[i] = OST(E_##OP##_##K((C)LD(a[i]), (C)LD(b[i])));               \
	}                                                                                 \
	SIMD static void OP##_##DT##_vecs(int64_t n, OT *restrict o, const T *restrict a, \
	                                  T bs)                                           \
	{                                                                                 \
		C b = (C)LD(bs);                                                          \
		for (int64_t i = 0; i < n; i++)                                           \
			o[i] = OST(E_##OP##_##K((C)LD(a[i]), b));                         \
	}                                                                                 \
	static void OP##_##DT##_fast(int64_t n, uint8_t *const *p, const int64_t *s,     \
	                             void *ctx)                                           \
	{                                                                                 \
		if (s[0] == sizeof(OT) && s[1] == sizeof(T) && s[2] == sizeof(T))         \
			OP##_##DT##_vec(n, (OT *)(void *)p[0], (const T *)(const void *)p[1], \
			                (const T *)(const void *)p[2]);                   \
		else if (s[0] == sizeof(OT) && s[1] == sizeof(T) && s[2] == 0) {          \
			T b;                                                              \
			memcpy(&b, p[2], sizeof b);                                       \
			OP##_##DT##_vecs(n, (OT *)(void *)p[0], (const T *)(const void *)p[1], b); \
		} else                                                                    \
			OP##_##DT##_ref(n, p, s, ctx);                                    \
	}

/* The numeric dtypes of one op, output of the input's type or bool. */
#define NUM_PAIRS(OP, BO)                                                                 \
	PAIR(OP, F64, double, double, D, LD_F64, ST_F64, BO(double), BO(ST_F64))          \
	PAIR(OP, F32, float, float, F, LD_F32, ST_F32, BO(float), BO(ST_F32))             \
	PAIR(OP, F16, uint16_t, float, F, LD_F16, ST_F16, BO(uint16_t), BO(ST_F16))       \
	PAIR(OP, BF16, uint16_t, float, F, LD_BF16, ST_BF16, BO(uint16_t), BO(ST_BF16))   \
	PAIR(OP, I64, int64_t, int64_t, I, LD_INT, ST_I64, BO(int64_t), BO(ST_I64))       \
	PAIR(OP, I32, int32_t, int64_t, I, LD_INT, ST_I32, BO(int32_t), BO(ST_I32))       \
	PAIR(OP, I8, int8_t, int64_t, I, LD_INT, ST_I8, BO(int8_t), BO(ST_I8))            \
	PAIR(OP, U8, uint8_t, int64_t, I, LD_INT, ST_U8, BO(uint8_t), BO(ST_U8))
#define SAME(x) x
#define TOBOOL_T(x) uint8_t
#define TOBOOL_ST(x) ST_BOOL
/* BO picks the output: SAME keeps the type, BOOLOUT gives bool */
#define BOOLOUT(x) BOOLOUT_##x
#define BOOLOUT_double uint8_t
#define BOOLOUT_float uint8_t
#define BOOLOUT_uint16_t uint8_t
#define BOOLOUT_int64_t uint8_t
#define BOOLOUT_int32_t uint8_t
#define BOOLOUT_int8_t uint8_t
#define BOOLOUT_uint8_t uint8_t
#define BOOLOUT_ST_F64 ST_BOOL
#define BOOLOUT_ST_F32 ST_BOOL
#define BOOLOUT_ST_F16 ST_BOOL
#define BOOLOUT_ST_BF16 ST_BOOL
#define BOOLOUT_ST_I64 ST_BOOL
#define BOOLOUT_ST_I32 ST_BOOL
#define BOOLOUT_ST_I8 ST_BOOL
#define BOOLOUT_ST_U8 ST_BOOL

NUM_PAIRS(ADD, SAME)
NUM_PAIRS(SUB, SAME)
NUM_PAIRS(MUL, SAME)
NUM_PAIRS(DIV, SAME)
NUM_PAIRS(POW, SAME)
NUM_PAIRS(MOD, SAME)
NUM_PAIRS(FMOD, SAME)
NUM_PAIRS(MAXIMUM, SAME)
NUM_PAIRS(MINIMUM, SAME)
NUM_PAIRS(EQ, BOOLOUT)
NUM_PAIRS(NE, BOOLOUT)
NUM_PAIRS(LT, BOOLOUT)
NUM_PAIRS(LE, BOOLOUT)
NUM_PAIRS(GT, BOOLOUT)
NUM_PAIRS(GE, BOOLOUT)
PAIR(EQ, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)
PAIR(NE, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)
PAIR(AND, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)
PAIR(OR, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)
PAIR(XOR, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)

#define K(OP, DT) [ML_OP_##OP][ML_##DT] = {OP##_##DT##_ref, OP##_##DT##_fast}
#define KNUM(OP) K(OP, F64), K(OP, F32), K(OP, F16), K(OP, BF16), K(OP, I64), K(OP, I32), \
	K(OP, I8), K(OP, U8)

static const MlKernel kernels[ML_OP_COUNT][ML_DTYPE_COUNT] = {
	KNUM(ADD), KNUM(SUB), KNUM(MUL), KNUM(DIV), KNUM(POW), KNUM(MOD), KNUM(FMOD),
	KNUM(MAXIMUM), KNUM(MINIMUM),
	KNUM(EQ), KNUM(NE), KNUM(LT), KNUM(LE), KNUM(GT), KNUM(GE),
	K(EQ, BOOL), K(NE, BOOL), K(AND, BOOL), K(OR, BOOL), K(XOR, BOOL),
};

const MlKernel *
ml_binary_kernel(MlOp op, MlDtype dt)
{
	if ((unsigned)op >= ML_OP_COUNT || (unsigned)dt >= ML_DTYPE_COUNT ||
	    kernels[op][dt].ref == NULL)
		return NULL;
	return &kernels[op][dt];
}

/* ---- where ---- */

static void
where_loop(int64_t n, uint8_t *const *p, const int64_t *s, void *ctx)
{
	size_t es = (size_t)*(const int64_t *)ctx;

	for (int64_t i = 0; i < n; i++)
		memcpy(p[0] + i * s[0], p[1][i * s[1]] ? p[2] + i * s[2] : p[3] + i * s[3], es);
}

int
ml_where(MlTensor *out, const MlTensor *cond, const MlTensor *a, const MlTensor *b, AcErr *err)
{
	const MlTensor *in[3] = {cond, a, b};
	int64_t ne[ML_MAX_DIMS], st[4][ML_MAX_DIMS], es;
	uint8_t *base[4];
	char s0[ML_SHAPE_BYTES], s1[ML_SHAPE_BYTES];
	int nd, rc;

	if (out == NULL || cond == NULL || a == NULL || b == NULL)
		return ac_err_set(err, AC_EINVAL, "where: nil tensor");
	if (cond->dtype != ML_BOOL)
		return ac_err_set(err, AC_EDTYPE, "where: condition is %s, want bool",
		                  ml_dtype_name(cond->dtype));
	if (a->dtype != out->dtype || b->dtype != out->dtype || ml_dtype_block(out->dtype) > 1)
		return ac_err_set(err, AC_EDTYPE, "where: %s and %s into %s", ml_dtype_name(a->dtype),
		                  ml_dtype_name(b->dtype), ml_dtype_name(out->dtype));
	if ((rc = ml_broadcast_shape("where", 3, in, &nd, ne, err)) != AC_OK)
		return rc;
	if (out->ndim != nd || memcmp(out->ne, ne, sizeof(int64_t) * (size_t)nd) != 0) {
		MlTensor s = {.ndim = nd};
		memcpy(s.ne, ne, sizeof ne);
		return ac_err_set(err, AC_ESHAPE, "where: output %s, want %s", ml_shape_fmt(out, s0),
		                  ml_shape_fmt(&s, s1));
	}
	memcpy(st[0], out->nb, sizeof st[0]);
	base[0] = out->data;
	for (int i = 0; i < 3; i++) {
		ml_broadcast_strides(in[i], nd, ne, st[i + 1]);
		base[i + 1] = in[i]->data;
	}
	es = ml_esize(out->dtype);
	ml_iter(4, base, nd, ne, (const int64_t(*)[ML_MAX_DIMS])st, where_loop, &es);
	return AC_OK;
}
