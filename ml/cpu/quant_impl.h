/*
 * ml/cpu quant, private: the SIMD variants of the kernels in quant.h and the
 * dispatch table that picks among them.  Not for nn/ or vm/.
 */
#ifndef ML_CPU_QUANT_IMPL_H
#define ML_CPU_QUANT_IMPL_H

#include "ml/ml.h"

/*
 * q8x4: an internal activation layout for q4_0 weights (matmul_q.c), four
 * q8_0 blocks regrouped to match one 512-bit register of four q4_0 blocks'
 * nibbles, with ggml's q8_1 idea (the activation carries its own sums) done
 * in integers: lane l = 4i + t (block i, bytes 4t..4t+3 of its 16 low and
 * 16 high quants) starts from off[l] = -8 * (the sum of the 8 activation
 * quants that lane multiplies), so VPDPBUSD can take the unsigned nibbles
 * 0..15 as they are and still end with the exact sum of (q - 8) * a.
 * A converted activation row of nb blocks is the plain q8_0 row (nb blocks,
 * padded to 64 bytes: ml_q8x4_offset) followed by nb/4 MlQ8x4 groups; the
 * nb % 4 last blocks are read from the q8_0 row.
 */
typedef struct MlQ8x4 {
	int8_t lo[64];    /* block i's quants 0..15 at lo[16i..16i+15] */
	int8_t hi[64];    /* block i's quants 16..31 at hi[16i..16i+15] */
	int32_t off[16];  /* lane 4i+t: -8 * sum(lo[16i+4t..+3] and hi[16i+4t..+3]) */
	float d[16];      /* block i's scale, f32 of its f16, in lanes 4i..4i+3 */
} MlQ8x4;
_Static_assert(sizeof(MlQ8x4) == 256, "MlQ8x4 is four 64-byte lines");

/* Bytes from a converted row's start to its first MlQ8x4 group. */
static inline size_t
ml_q8x4_offset(int64_t nb)
{
	return ((size_t)nb * sizeof(MlBlockQ8_0) + 63) / 64 * 64;
}

/* Fills the nb/4 groups after the q8_0 row y of nb blocks (row as above). */
void ml_q8x4_fill(void *row, int64_t nb);

/* q4_0 row x (n/32 blocks) times a converted q8x4 row: the same *s as
 * ml_vec_dot_q4_0_q8_0 of x and the row's q8_0 blocks (the _ref bit for
 * bit, the fast path within its tolerance). */
void ml_vec_dot_q4_0_q8x4_ref(int64_t n, float *s, const void *x, const void *row);
void ml_vec_dot_q4_0_q8x4_avx512(int64_t n, float *s, const void *x, const void *row);

/* Two rows at once: s[0] for the q4_0 row at x, s[1] for the one xstride
 * bytes further, each as ml_vec_dot_q4_0_q8x4 (the _ref is two calls). */
void ml_vec_dot2_q4_0_q8x4_ref(int64_t n, float *s, const void *x, size_t xstride, const void *row);
void ml_vec_dot2_q4_0_q8x4_avx512(int64_t n, float *s, const void *x, size_t xstride, const void *row);

/* The kernels the fast names call, filled once by ml_quant_kernels(). */
typedef struct MlQuantKernels {
	int level;  /* MlSimd in force */
	void (*quantize_q8_0)(const float *x, MlBlockQ8_0 *y, int64_t n);
	void (*quantize_q4_0)(const float *x, MlBlockQ4_0 *y, int64_t n);
	void (*dot_q8_0_q8_0)(int64_t n, float *s, const void *x, const void *y);
	void (*dot_q4_0_q8_0)(int64_t n, float *s, const void *x, const void *y);
	/* q4_0 times a q8x4 row (NULL: no such path, use dot_q4_0_q8_0) */
	void (*dot_q4_0_q8x4)(int64_t n, float *s, const void *x, const void *row);
	void (*dot2_q4_0_q8x4)(int64_t n, float *s, const void *x, size_t xstride, const void *row);
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
#define ML_TARGET_AVX512VBMI \
	__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

#endif
