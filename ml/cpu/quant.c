/*
 * q8_0 and q4_0 blocks: the reference quantizers, dequantizers and dot
 * products (the _ref twins every fast path is tested against), the f16 and
 * bf16 reference dots, and the run-time choice of fast path.
 * The quantizers follow ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref
 * step for step (same f32 operations in the same order), which is what
 * makes their bytes equal to ggml's.
 */
#include "ml/cpu/quant_impl.h"

#include <math.h>
#include <pthread.h>

void
ml_quantize_row_q8_0_ref(const float *x, MlBlockQ8_0 *y, int64_t n)
{
	int64_t nb = n / ML_QK8_0;

	for (int64_t b = 0; b < nb; b++, x += ML_QK8_0) {
		float amax = 0;

		for (int j = 0; j < ML_QK8_0; j++) {
			float a = fabsf(x[j]);

			amax = a > amax ? a : amax;
		}
		float d = amax / 127;
		float id = d != 0 ? 1.0f / d : 0.0f;

		y[b].d = ml_fp32_to_fp16(d);
		for (int j = 0; j < ML_QK8_0; j++)
			y[b].qs[j] = (int8_t)roundf(x[j] * id);
	}
}

void
ml_quantize_row_q4_0_ref(const float *x, MlBlockQ4_0 *y, int64_t n)
{
	int64_t nb = n / ML_QK4_0;

	for (int64_t b = 0; b < nb; b++, x += ML_QK4_0) {
		float amax = 0, max = 0;

		for (int j = 0; j < ML_QK4_0; j++) {
			if (amax < fabsf(x[j])) {  /* strict: the first of equal |x| wins */
				amax = fabsf(x[j]);
				max = x[j];
			}
		}
		float d = max / -8;
		float id = d != 0 ? 1.0f / d : 0.0f;

		y[b].d = ml_fp32_to_fp16(d);
		for (int j = 0; j < ML_QK4_0 / 2; j++) {
			int q0 = (int8_t)(x[j] * id + 8.5f);
			int q1 = (int8_t)(x[j + ML_QK4_0 / 2] * id + 8.5f);

			q0 = q0 < 15 ? q0 : 15;
			q1 = q1 < 15 ? q1 : 15;
			y[b].qs[j] = (uint8_t)(q0 | q1 << 4);
		}
	}
}

void
ml_dequantize_row_q8_0(const MlBlockQ8_0 *x, float *y, int64_t n)
{
	int64_t nb = n / ML_QK8_0;

	for (int64_t b = 0; b < nb; b++) {
		float d = ml_fp16_to_fp32(x[b].d);

		for (int j = 0; j < ML_QK8_0; j++)
			y[b * ML_QK8_0 + j] = x[b].qs[j] * d;
	}
}

void
ml_dequantize_row_q4_0(const MlBlockQ4_0 *x, float *y, int64_t n)
{
	int64_t nb = n / ML_QK4_0;

	for (int64_t b = 0; b < nb; b++) {
		float d = ml_fp16_to_fp32(x[b].d);

		for (int j = 0; j < ML_QK4_0 / 2; j++) {
			y[b * ML_QK4_0 + j] = ((x[b].qs[j] & 0x0f) - 8) * d;
			y[b * ML_QK4_0 + j + ML_QK4_0 / 2] = ((x[b].qs[j] >> 4) - 8) * d;
		}
	}
}

void
ml_vec_dot_q8_0_q8_0_ref(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ8_0 *x = vx, *y = vy;
	int64_t nb = n / ML_QK8_0;
	float sum = 0;

	for (int64_t b = 0; b < nb; b++) {
		int32_t si = 0;

		for (int j = 0; j < ML_QK8_0; j++)
			si += x[b].qs[j] * y[b].qs[j];
		sum += (float)si * (ml_fp16_to_fp32(x[b].d) * ml_fp16_to_fp32(y[b].d));
	}
	*s = sum;
}

void
ml_vec_dot_q4_0_q8_0_ref(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ4_0 *x = vx;
	const MlBlockQ8_0 *y = vy;
	int64_t nb = n / ML_QK8_0;
	float sum = 0;

	for (int64_t b = 0; b < nb; b++) {
		int32_t si = 0;

		for (int j = 0; j < ML_QK4_0 / 2; j++) {
			si += ((x[b].qs[j] & 0x0f) - 8) * y[b].qs[j];
			si += ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + ML_QK4_0 / 2];
		}
		sum += (float)si * (ml_fp16_to_fp32(x[b].d) * ml_fp16_to_fp32(y[b].d));
	}
	*s = sum;
}

void
ml_q8x4_fill(void *row, int64_t nb)
{
	const MlBlockQ8_0 *y = row;
	MlQ8x4 *g = (MlQ8x4 *)((uint8_t *)row + ml_q8x4_offset(nb));

	for (int64_t G = 0; G < nb / 4; G++, g++, y += 4)
		for (int i = 0; i < 4; i++) {
			float d = ml_fp16_to_fp32(y[i].d);

			for (int j = 0; j < 16; j++) {
				g->lo[16 * i + j] = y[i].qs[j];
				g->hi[16 * i + j] = y[i].qs[16 + j];
			}
			for (int t = 0; t < 4; t++) {
				int32_t sum = 0;

				for (int u = 0; u < 4; u++)
					sum += y[i].qs[4 * t + u] + y[i].qs[16 + 4 * t + u];
				g->off[4 * i + t] = -8 * sum;
				g->d[4 * i + t] = d;
			}
		}
}

void
ml_vec_dot_q4_0_q8x4_ref(int64_t n, float *s, const void *vx, const void *row)
{
	const MlBlockQ4_0 *x = vx;
	int64_t nb = n / ML_QK4_0, b = 0;
	const MlQ8x4 *g = (const MlQ8x4 *)((const uint8_t *)row + ml_q8x4_offset(nb));
	float sum = 0;

	for (; b + 4 <= nb; b += 4, g++)
		for (int i = 0; i < 4; i++) {
			int32_t si = 0;

			for (int l = 4 * i; l < 4 * i + 4; l++)
				si += g->off[l];
			for (int j = 0; j < 16; j++)
				si += (x[b + i].qs[j] & 0x0f) * g->lo[16 * i + j] +
				      (x[b + i].qs[j] >> 4) * g->hi[16 * i + j];
			sum += (float)si * (ml_fp16_to_fp32(x[b + i].d) * g->d[4 * i]);
		}
	for (const MlBlockQ8_0 *y = row; b < nb; b++) {  /* the tail, from the q8_0 row */
		int32_t si = 0;

		for (int j = 0; j < ML_QK4_0 / 2; j++)
			si += ((x[b].qs[j] & 0x0f) - 8) * y[b].qs[j] +
			      ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + ML_QK4_0 / 2];
		sum += (float)si * (ml_fp16_to_fp32(x[b].d) * ml_fp16_to_fp32(y[b].d));
	}
	*s = sum;
}

void
ml_vec_dot2_q4_0_q8x4_ref(int64_t n, float *s, const void *x, size_t xstride, const void *row)
{
	ml_vec_dot_q4_0_q8x4_ref(n, s, x, row);
	ml_vec_dot_q4_0_q8x4_ref(n, s + 1, (const uint8_t *)x + xstride, row);
}

void
ml_vec_dot_f16_ref(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	float sum = 0;

	for (int64_t i = 0; i < n; i++)
		sum += ml_fp16_to_fp32(x[i]) * ml_fp16_to_fp32(y[i]);
	*s = sum;
}

void
ml_vec_dot_bf16_ref(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	float sum = 0;

	for (int64_t i = 0; i < n; i++)
		sum += ml_bf16_to_fp32(x[i]) * ml_bf16_to_fp32(y[i]);
	*s = sum;
}

/* ---- Dispatch ---- */

static MlQuantKernels kernels;
static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

int
ml_simd_cpu_level(void)
{
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return ML_SIMD_SCALAR;
	/* gcc 12's __builtin_cpu_supports has no "f16c"; every AVX2 CPU has it
	 * (Haswell and later, Zen), so AVX2 + FMA stands for it. */
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"))
		return ML_SIMD_AVX512;
	return ML_SIMD_AVX2;
}

static void
kernels_set(int level)
{
	MlQuantKernels k = {
		.level = ML_SIMD_SCALAR,
		.quantize_q8_0 = ml_quantize_row_q8_0_ref,
		.quantize_q4_0 = ml_quantize_row_q4_0_ref,
		.dot_q8_0_q8_0 = ml_vec_dot_q8_0_q8_0_ref,
		.dot_q4_0_q8_0 = ml_vec_dot_q4_0_q8_0_ref,
		.dot_q4_0_q8x4 = NULL,
		.dot2_q4_0_q8x4 = NULL,
		.dot_f16 = ml_vec_dot_f16_ref,
		.dot_bf16 = ml_vec_dot_bf16_ref,
		.fp32_to_fp16_row = ml_fp32_to_fp16_row_ref,
		.fp16_to_fp32_row = ml_fp16_to_fp32_row_ref,
		.fp32_to_bf16_row = ml_fp32_to_bf16_row_ref,
		.bf16_to_fp32_row = ml_bf16_to_fp32_row_ref,
	};

	if (level >= ML_SIMD_AVX2) {
		k.level = ML_SIMD_AVX2;
		k.quantize_q8_0 = ml_quantize_row_q8_0_avx2;
		k.quantize_q4_0 = ml_quantize_row_q4_0_avx2;
		k.dot_q8_0_q8_0 = ml_vec_dot_q8_0_q8_0_avx2;
		k.dot_q4_0_q8_0 = ml_vec_dot_q4_0_q8_0_avx2;
		k.dot_f16 = ml_vec_dot_f16_avx2;
		k.dot_bf16 = ml_vec_dot_bf16_avx2;
		k.fp32_to_fp16_row = ml_fp32_to_fp16_row_avx2;
		k.fp16_to_fp32_row = ml_fp16_to_fp32_row_avx2;
		k.fp32_to_bf16_row = ml_fp32_to_bf16_row_avx2;
		k.bf16_to_fp32_row = ml_bf16_to_fp32_row_avx2;
	}
	if (level >= ML_SIMD_AVX512) {
		k.level = ML_SIMD_AVX512;
		k.dot_q8_0_q8_0 = ml_vec_dot_q8_0_q8_0_avx512;
		k.dot_q4_0_q8_0 = ml_vec_dot_q4_0_q8_0_avx512;
		/* gcc 12 knows "avx512vbmi" (VPERMB / VPERMT2B) */
		if (__builtin_cpu_supports("avx512vbmi"))
		{
			k.dot_q4_0_q8x4 = ml_vec_dot_q4_0_q8x4_avx512;
			k.dot2_q4_0_q8x4 = ml_vec_dot2_q4_0_q8x4_avx512;
		}
		k.dot_f16 = ml_vec_dot_f16_avx512;
		k.fp32_to_fp16_row = ml_fp32_to_fp16_row_avx512;
		k.fp16_to_fp32_row = ml_fp16_to_fp32_row_avx512;
	}
	kernels = k;
}

static void
kernels_init(void)
{
	kernels_set(ml_simd_cpu_level());
}

const MlQuantKernels *
ml_quant_kernels(void)
{
	pthread_once(&kernels_once, kernels_init);
	return &kernels;
}

int
ml_simd_level(void)
{
	return ml_quant_kernels()->level;
}

const char *
ml_simd_name(int level)
{
	switch (level) {
	case ML_SIMD_AVX2: return "avx2";
	case ML_SIMD_AVX512: return "avx512-vnni";
	default: return "scalar";
	}
}

int
ml_simd_cap(int cap)
{
	int cpu = ml_simd_cpu_level();

	ml_quant_kernels();
	kernels_set(cap < cpu ? cap : cpu);
	return kernels.level;
}

void
ml_quantize_row_q8_0(const float *x, MlBlockQ8_0 *y, int64_t n)
{
	ml_quant_kernels()->quantize_q8_0(x, y, n);
}

void
ml_quantize_row_q4_0(const float *x, MlBlockQ4_0 *y, int64_t n)
{
	ml_quant_kernels()->quantize_q4_0(x, y, n);
}

void
ml_vec_dot_q8_0_q8_0(int64_t n, float *s, const void *x, const void *y)
{
	ml_quant_kernels()->dot_q8_0_q8_0(n, s, x, y);
}

void
ml_vec_dot_q4_0_q8_0(int64_t n, float *s, const void *x, const void *y)
{
	ml_quant_kernels()->dot_q4_0_q8_0(n, s, x, y);
}

void
ml_vec_dot_f16(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	ml_quant_kernels()->dot_f16(n, s, x, y);
}

void
ml_vec_dot_bf16(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	ml_quant_kernels()->dot_bf16(n, s, x, y);
}
