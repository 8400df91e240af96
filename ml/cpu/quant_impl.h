/*
 * ml/cpu quant, private: the SIMD variants of the kernels in quant.h and the
 * dispatch table that picks among them.  Not for nn/ or vm/.
 */
#ifndef ML_CPU_QUANT_IMPL_H
#define ML_CPU_QUANT_IMPL_H

#include "ml/ml.h"

/* The kernels the fast names call, filled once by ml_quant_kernels(). */
typedef struct MlQuantKernels {
	int level;  /* MlSimd in force */
	void (*quantize_q8_0)(const float *x, MlBlockQ8_0 *y, int64_t n);
	void (*quantize_q4_0)(const float *x, MlBlockQ4_0 *y, int64_t n);
	void (*dot_q8_0_q8_0)(int64_t n, float *s, const void *x, const void *y);
	void (*dot_q4_0_q8_0)(int64_t n, float *s, const void *x, const void *y);
	void (*dot_f16)(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
	void (*dot_bf16)(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
	void (*fp32_to_fp16_row)(const float *x, uint16_t *y, int64_t n);
	void (*fp16_to_fp32_row)(const uint16_t *x, float *y, int64_t n);
	void (*fp32_to_bf16_row)(const float *x, uint16_t *y, int64_t n);
	void (*bf16_to_fp32_row)(const uint16_t *x, float *y, int64_t n);
} MlQuantKernels;

/* The table in force (made on first call).  Thread safety: safe. */
const MlQuantKernels *ml_quant_kernels(void);

/* The highest MlSimd this CPU runs. */
int ml_simd_cpu_level(void);

/* AVX2 + FMA + F16C (quant_avx2.c, half.c). */
void ml_quantize_row_q8_0_avx2(const float *x, MlBlockQ8_0 *y, int64_t n);
void ml_quantize_row_q4_0_avx2(const float *x, MlBlockQ4_0 *y, int64_t n);
void ml_vec_dot_q8_0_q8_0_avx2(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_q4_0_q8_0_avx2(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_f16_avx2(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_vec_dot_bf16_avx2(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_fp32_to_fp16_row_avx2(const float *x, uint16_t *y, int64_t n);
void ml_fp16_to_fp32_row_avx2(const uint16_t *x, float *y, int64_t n);
void ml_fp32_to_bf16_row_avx2(const float *x, uint16_t *y, int64_t n);
void ml_bf16_to_fp32_row_avx2(const uint16_t *x, float *y, int64_t n);

/* AVX-512 F + BW + VL + VNNI (quant_avx512.c, half.c). */
void ml_vec_dot_q8_0_q8_0_avx512(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_q4_0_q8_0_avx512(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_f16_avx512(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_fp32_to_fp16_row_avx512(const float *x, uint16_t *y, int64_t n);
void ml_fp16_to_fp32_row_avx512(const uint16_t *x, float *y, int64_t n);

#define ML_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define ML_TARGET_AVX512 \
	__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

#endif
