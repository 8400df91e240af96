/*
 * What the element-wise kernel files (binary.c, unary.c) share: the SIMD
 * clones they compile each fast loop for, and each dtype's load into its
 * compute type and store back (f16/bf16 through f32, integers through
 * i64, wrapping on store).  Private to ml/cpu.
 */
#ifndef ML_CPU_ELEM_H
#define ML_CPU_ELEM_H

#include "ml/ml_impl.h"

#define SIMD __attribute__((target_clones("avx512f", "avx2", "default")))

#define LD_F64(x) (x)
#define ST_F64(x) (x)
#define LD_F32(x) (x)
#define ST_F32(x) (x)
#define LD_F16(x) ml_fp16_to_fp32(x)
#define ST_F16(x) ml_fp32_to_fp16(x)
#define LD_BF16(x) ml_bf16_to_fp32(x)
#define ST_BF16(x) ml_fp32_to_bf16(x)
#define LD_INT(x) ((int64_t)(x))
#define ST_I64(x) (x)
#define ST_I32(x) ((int32_t)(uint32_t)(uint64_t)(x))
#define ST_I8(x) ((int8_t)(uint8_t)(uint64_t)(x))
#define ST_U8(x) ((uint8_t)(uint64_t)(x))
#define ST_BOOL(x) ((uint8_t)((x) != 0))

#endif
