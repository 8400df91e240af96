/*
 * Element-wise kernels of one input (ops.def family UNARY, and NOT).
 * Each (op, dtype) has a scalar _ref loop over any byte strides and a fast
 * loop for contiguous rows (target_clones: AVX-512, AVX2, x86-64 by
 * CPUID) that falls back to the scalar one on strided rows.  f16 and bf16
 * compute in f32; f64 in double; integers in i64, wrapping on store.
 * Parameters come from MlOpParams.p (ops.def says which).
 */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

/* abs and sign of u8 compare an unsigned value with 0 */
#pragma GCC diagnostic ignored "-Wtype-limits"

#include "ml/cpu/elem.h"

/* PyTorch's SELU constants (Klambauer et al. 2017). */
#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946

/* Float ops written once for float and double through tgmath-like pairs. */
#define FDEF(name, T, SUF, body) static inline T name##_##SUF(T a, const double *p) body
#define FBOTH(name, bodyf, bodyd) FDEF(name, float, F, bodyf) FDEF(name, double, D, bodyd)

FBOTH(sigmoid, { return a >= 0 ? 1 / (1 + expf(-a)) : expf(a) / (1 + expf(a)); },
      { return a >= 0 ? 1 / (1 + exp(-a)) : exp(a) / (1 + exp(a)); })
FBOTH(softplus, { return fmaxf(a, 0) + log1pf(expf(-fabsf(a))); },
      { return fmax(a, 0) + log1p(exp(-fabs(a))); })
FBOTH(sign, { return a != a ? a : (float)((a > 0) - (a < 0)); },
      { return a != a ? a : (double)((a > 0) - (a < 0)); })
FBOTH(relu, { return a < 0 ? 0 : a; }, { return a < 0 ? 0 : a; })
FBOTH(leaky, { return a < 0 ? a * (float)p[0] : a; }, { return a < 0 ? a * p[0] : a; })
FBOTH(elu, { return a > 0 ? a : (float)p[0] * expm1f(a); }, { return a > 0 ? a : p[0] * expm1(a); })
FBOTH(celu, { return fmaxf(a, 0) + fminf(0, (float)p[0] * expm1f(a / (float)p[0])); },
      { return fmax(a, 0) + fmin(0, p[0] * expm1(a / p[0])); })
static inline float
selu_F(float a, const double *p)
{
	float al = p[0] != 0 ? (float)p[0] : (float)SELU_ALPHA;
	float sc = p[1] != 0 ? (float)p[1] : (float)SELU_SCALE;
	return sc * (a > 0 ? a : al * expm1f(a));
}
static inline double
selu_D(double a, const double *p)
{
	double al = p[0] != 0 ? p[0] : SELU_ALPHA, sc = p[1] != 0 ? p[1] : SELU_SCALE;
	return sc * (a > 0 ? a : al * expm1(a));
}
FBOTH(gelu, { return 0.5f * a * (1 + erff(a * (float)M_SQRT1_2)); },
      { return 0.5 * a * (1 + erf(a * M_SQRT1_2)); })
FBOTH(gelu_tanh,
      { return 0.5f * a * (1 + tanhf((float)(M_2_SQRTPI * M_SQRT1_2) * (a + 0.044715f * a * a * a))); },
      { return 0.5 * a * (1 + tanh(M_2_SQRTPI * M_SQRT1_2 * (a + 0.044715 * a * a * a))); })
FBOTH(silu, { return a * sigmoid_F(a, p); }, { return a * sigmoid_D(a, p); })
FBOTH(mish, { return a * tanhf(softplus_F(a, p)); }, { return a * tanh(softplus_D(a, p)); })
FBOTH(softsign, { return a / (1 + fabsf(a)); }, { return a / (1 + fabs(a)); })
/* p[0] alpha, p[1] beta; both 0 means PyTorch's 1/6 and 1/2 */
static inline float
hardsigmoid_F(float a, const double *p)
{
	bool given = p[0] != 0 || p[1] != 0;
	float al = given ? (float)p[0] : 1.0f / 6, be = given ? (float)p[1] : 0.5f;
	return fmaxf(0, fminf(1, al * a + be));
}
static inline double
hardsigmoid_D(double a, const double *p)
{
	bool given = p[0] != 0 || p[1] != 0;
	double al = given ? p[0] : 1.0 / 6, be = given ? p[1] : 0.5;
	return fmax(0, fmin(1, al * a + be));
}
FBOTH(hardswish, { return a * fmaxf(0, fminf(6, a + 3)) / 6; },
      { return a * fmax(0, fmin(6, a + 3)) / 6; })
/* clamp: NaN passes; p[0] min, p[1] max (use -inf / inf for none) */
FBOTH(clamp, { return a != a ? a : fminf(fmaxf(a, (float)p[0]), (float)p[1]); },
      { return a != a ? a : fmin(fmax(a, p[0]), p[1]); })

static inline int64_t
clampi(int64_t a, const double *p)
{
	double lo = ceil(p[0]), hi = floor(p[1]);
	if ((double)a < lo)
		return (int64_t)lo;
	if ((double)a > hi)
		return (int64_t)hi;
	return a;
}

/* Expressions by op and compute class (F float, D double, I i64). */
#define U_NEG_F(a) (-(a))
#define U_NEG_D(a) (-(a))
#define U_NEG_I(a) ((int64_t)(0 - (uint64_t)(a)))
#define U_ABS_F(a) fabsf(a)
#define U_ABS_D(a) fabs(a)
#define U_ABS_I(a) ((a) < 0 ? U_NEG_I(a) : (a))
#define U_SIGN_F(a) sign_F(a, p)
#define U_SIGN_D(a) sign_D(a, p)
#define U_SIGN_I(a) ((int64_t)(((a) > 0) - ((a) < 0)))
#define U_FLOOR_F(a) floorf(a)
#define U_FLOOR_D(a) floor(a)
#define U_CEIL_F(a) ceilf(a)
#define U_CEIL_D(a) ceil(a)
#define U_ROUND_F(a) nearbyintf(a)
#define U_ROUND_D(a) nearbyint(a)
#define U_EXP_F(a) expf(a)
#define U_EXP_D(a) exp(a)
#define U_LOG_F(a) logf(a)
#define U_LOG_D(a) log(a)
#define U_SQRT_F(a) sqrtf(a)
#define U_SQRT_D(a) sqrt(a)
#define U_RSQRT_F(a) (1 / sqrtf(a))
#define U_RSQRT_D(a) (1 / sqrt(a))
#define U_RECIPROCAL_F(a) (1 / (a))
#define U_RECIPROCAL_D(a) (1 / (a))
#define U_SIN_F(a) sinf(a)
#define U_SIN_D(a) sin(a)
#define U_COS_F(a) cosf(a)
#define U_COS_D(a) cos(a)
#define U_TAN_F(a) tanf(a)
#define U_TAN_D(a) tan(a)
#define U_ASIN_F(a) asinf(a)
#define U_ASIN_D(a) asin(a)
#define U_ACOS_F(a) acosf(a)
#define U_ACOS_D(a) acos(a)
#define U_ATAN_F(a) atanf(a)
#define U_ATAN_D(a) atan(a)
#define U_SINH_F(a) sinhf(a)
#define U_SINH_D(a) sinh(a)
#define U_COSH_F(a) coshf(a)
#define U_COSH_D(a) cosh(a)
#define U_ASINH_F(a) asinhf(a)
#define U_ASINH_D(a) asinh(a)
#define U_ACOSH_F(a) acoshf(a)
#define U_ACOSH_D(a) acosh(a)
#define U_ATANH_F(a) atanhf(a)
#define U_ATANH_D(a) atanh(a)
#define U_TANH_F(a) tanhf(a)
#define U_TANH_D(a) tanh(a)
#define U_ERF_F(a) erff(a)
#define U_ERF_D(a) erf(a)
#define U_SIGMOID_F(a) sigmoid_F(a, p)
#define U_SIGMOID_D(a) sigmoid_D(a, p)
#define U_RELU_F(a) relu_F(a, p)
#define U_RELU_D(a) relu_D(a, p)
#define U_RELU_I(a) ((a) < 0 ? 0 : (a))
#define U_LEAKY_RELU_F(a) leaky_F(a, p)
#define U_LEAKY_RELU_D(a) leaky_D(a, p)
#define U_ELU_F(a) elu_F(a, p)
#define U_ELU_D(a) elu_D(a, p)
#define U_CELU_F(a) celu_F(a, p)
#define U_CELU_D(a) celu_D(a, p)
#define U_SELU_F(a) selu_F(a, p)
#define U_SELU_D(a) selu_D(a, p)
#define U_GELU_F(a) gelu_F(a, p)
#define U_GELU_D(a) gelu_D(a, p)
#define U_GELU_TANH_F(a) gelu_tanh_F(a, p)
#define U_GELU_TANH_D(a) gelu_tanh_D(a, p)
#define U_SILU_F(a) silu_F(a, p)
#define U_SILU_D(a) silu_D(a, p)
#define U_MISH_F(a) mish_F(a, p)
#define U_MISH_D(a) mish_D(a, p)
#define U_SOFTPLUS_F(a) softplus_F(a, p)
#define U_SOFTPLUS_D(a) softplus_D(a, p)
#define U_SOFTSIGN_F(a) softsign_F(a, p)
#define U_SOFTSIGN_D(a) softsign_D(a, p)
#define U_HARDSIGMOID_F(a) hardsigmoid_F(a, p)
#define U_HARDSIGMOID_D(a) hardsigmoid_D(a, p)
#define U_HARDSWISH_F(a) hardswish_F(a, p)
#define U_HARDSWISH_D(a) hardswish_D(a, p)
#define U_CLAMP_F(a) clamp_F(a, p)
#define U_CLAMP_D(a) clamp_D(a, p)
#define U_CLAMP_I(a) clampi(a, p)
#define U_ISNAN_F(a) ((a) != (a))
#define U_ISNAN_D(a) ((a) != (a))
#define U_NOT_I(a) (!(a))

#define UPAIR(OP, DT, T, C, K, LD, ST, OT, OST)                                          \
	static void OP##_##DT##_ref(int64_t n, uint8_t *const *pp, const int64_t *s,     \
	                            void *ctx)                                            \
	{                                                                                 \
		const double *p = ((const MlOpParams *)ctx)->p;                           \
		(void)p;                                                                  \
		for (int64_t i = 0; i < n; i++) {                                         \
			T a;                                                              \
			memcpy(&a, pp[1] + i * s[1], sizeof a);                           \
			OT o = OST(U_##OP##_##K((C)LD(a)));                               \
			memcpy(pp[0] + i * s[0], &o, sizeof o);                           \
		}                                                                         \
	}                                                                                 \
	SIMD static void OP##_##DT##_vec(int64_t n, OT *restrict o, const T *restrict x,  \
	                                 const double *p)                                 \
	{                                                                                 \
		(void)p;                                                                  \
		for (int64_t i = 0; i < n; i++)                                           \
			o[i] = OST(U_##OP##_##K((C)LD(x[i])));                            \
	}                                                                                 \
	static void OP##_##DT##_fast(int64_t n, uint8_t *const *pp, const int64_t *s,    \
	                             void *ctx)                                           \
	{                                                                                 \
		if (s[0] == sizeof(OT) && s[1] == sizeof(T))                              \
			OP##_##DT##_vec(n, (OT *)(void *)pp[0], (const T *)(const void *)pp[1], \
			                ((const MlOpParams *)ctx)->p);                    \
		else                                                                      \
			OP##_##DT##_ref(n, pp, s, ctx);                                   \
	}

#define FLOAT_PAIRS(OP, OT1, OST1)                                                        \
	UPAIR(OP, F64, double, double, D, LD_F64, ST_F64, OT1(double), OST1(ST_F64))      \
	UPAIR(OP, F32, float, float, F, LD_F32, ST_F32, OT1(float), OST1(ST_F32))         \
	UPAIR(OP, F16, uint16_t, float, F, LD_F16, ST_F16, OT1(uint16_t), OST1(ST_F16))   \
	UPAIR(OP, BF16, uint16_t, float, F, LD_BF16, ST_BF16, OT1(uint16_t), OST1(ST_BF16))
#define SINT_PAIRS(OP)                                                                    \
	UPAIR(OP, I64, int64_t, int64_t, I, LD_INT, ST_I64, int64_t, ST_I64)              \
	UPAIR(OP, I32, int32_t, int64_t, I, LD_INT, ST_I32, int32_t, ST_I32)              \
	UPAIR(OP, I8, int8_t, int64_t, I, LD_INT, ST_I8, int8_t, ST_I8)
#define U8_PAIR(OP) UPAIR(OP, U8, uint8_t, int64_t, I, LD_INT, ST_U8, uint8_t, ST_U8)
#define ID(x) x
#define BOOLT(x) uint8_t
#define BOOLST(x) ST_BOOL

#define FLOAT_OPS(X)                                                                     \
	X(FLOOR) X(CEIL) X(ROUND) X(EXP) X(LOG) X(SQRT) X(RSQRT) X(RECIPROCAL) X(SIN) X(COS) \
	X(TAN) X(ASIN) X(ACOS) X(ATAN) X(SINH) X(COSH) X(ASINH) X(ACOSH) X(ATANH) X(TANH)     \
	X(ERF) X(SIGMOID) X(LEAKY_RELU) X(ELU) X(CELU) X(SELU) X(GELU) X(GELU_TANH) X(SILU)  \
	X(MISH) X(SOFTPLUS) X(SOFTSIGN) X(HARDSIGMOID) X(HARDSWISH)
#define DEF_FLOAT(OP) FLOAT_PAIRS(OP, ID, ID)
FLOAT_OPS(DEF_FLOAT)
/* the ops on signed integers too, and on all numbers */
FLOAT_PAIRS(NEG, ID, ID) SINT_PAIRS(NEG)
FLOAT_PAIRS(RELU, ID, ID) SINT_PAIRS(RELU)
FLOAT_PAIRS(ABS, ID, ID) SINT_PAIRS(ABS) U8_PAIR(ABS)
FLOAT_PAIRS(SIGN, ID, ID) SINT_PAIRS(SIGN) U8_PAIR(SIGN)
FLOAT_PAIRS(CLAMP, ID, ID) SINT_PAIRS(CLAMP) U8_PAIR(CLAMP)
FLOAT_PAIRS(ISNAN, BOOLT, BOOLST)
UPAIR(NOT, BOOL, uint8_t, int64_t, I, LD_INT, ST_BOOL, uint8_t, ST_BOOL)

#define K(OP, DT) [ML_OP_##OP][ML_##DT] = {OP##_##DT##_ref, OP##_##DT##_fast}
#define KF(OP) K(OP, F64), K(OP, F32), K(OP, F16), K(OP, BF16),
#define KS(OP) K(OP, I64), K(OP, I32), K(OP, I8),

static const MlKernel kernels[ML_OP_COUNT][ML_DTYPE_COUNT] = {
	FLOAT_OPS(KF)
	KF(NEG) KS(NEG) KF(RELU) KS(RELU)
	KF(ABS) KS(ABS) K(ABS, U8), KF(SIGN) KS(SIGN) K(SIGN, U8), KF(CLAMP) KS(CLAMP) K(CLAMP, U8),
	KF(ISNAN) K(NOT, BOOL),
};

const MlKernel *
ml_unary_kernel(MlOp op, MlDtype dt)
{
	if ((unsigned)op >= ML_OP_COUNT || (unsigned)dt >= ML_DTYPE_COUNT ||
	    kernels[op][dt].ref == NULL)
		return NULL;
	return &kernels[op][dt];
}
