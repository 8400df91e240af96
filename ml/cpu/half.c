/*
 * f32 <-> f16 (IEEE binary16) and f32 <-> bf16, one value and whole rows.
 * The scalar code is bit manipulation, written to give exactly what x86's
 * F16C instructions give (f16) and what ggml's ggml_compute_fp32_to_bf16
 * gives (bf16), so the row fast paths below agree with it bit for bit.
 */
#include "ml/cpu/quant_impl.h"

#include <immintrin.h>
#include <string.h>

static uint32_t
f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

static float
bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

uint16_t
ml_fp32_to_fp16(float f)
{
	uint32_t w = f32_bits(f);
	uint16_t sign = (uint16_t)((w >> 16) & 0x8000);
	uint32_t a = w & 0x7fffffff;

	if (a > 0x7f800000)  /* NaN: quiet it, keep the top payload bits */
		return (uint16_t)(sign | 0x7e00 | ((a >> 13) & 0x3ff));
	if (a >= 0x477ff000)  /* >= 65520: past the last tie below inf */
		return (uint16_t)(sign | 0x7c00);
	if (a >= 0x38800000) {  /* a normal f16 (>= 2^-14) */
		uint32_t r = a + 0xfff + ((a >> 13) & 1);  /* ties to even */

		/* Rebias 127 -> 15; a carry into the exponent is right. */
		return (uint16_t)(sign | ((r - 0x38000000) >> 13));
	}
	/* Subnormal f16: count units of 2^-24. */
	uint32_t e = a >> 23;
	if (e < 102)  /* below 2^-25 (or an f32 subnormal): rounds to zero */
		return sign;
	uint32_t mant = (a & 0x7fffff) | 0x800000;  /* value = mant * 2^(e - 150) */
	uint32_t shift = 126 - e;                   /* 14..24 */
	uint32_t q = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);

	if (rem > half || (rem == half && (q & 1)))
		q++;  /* may reach 0x400, the smallest normal: still the right bits */
	return (uint16_t)(sign | q);
}

float
ml_fp16_to_fp32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;

	if (e == 0x1f)
		return bits_f32(sign | 0x7f800000 | (m << 13));
	if (e == 0) {
		float v = (float)m * 0x1p-24f;  /* exact: m < 2^10 */

		return bits_f32(sign | f32_bits(v));
	}
	return bits_f32(sign | ((e + 112) << 23) | (m << 13));
}

uint16_t
ml_fp32_to_bf16(float f)
{
	uint32_t u = f32_bits(f);

	if ((u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((u >> 16) | 64);  /* quiet NaN */
	return (uint16_t)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
}

float
ml_bf16_to_fp32(uint16_t h)
{
	return bits_f32((uint32_t)h << 16);
}

void
ml_fp32_to_fp16_row_ref(const float *x, uint16_t *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = ml_fp32_to_fp16(x[i]);
}

void
ml_fp16_to_fp32_row_ref(const uint16_t *x, float *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = ml_fp16_to_fp32(x[i]);
}

void
ml_fp32_to_bf16_row_ref(const float *x, uint16_t *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = ml_fp32_to_bf16(x[i]);
}

void
ml_bf16_to_fp32_row_ref(const uint16_t *x, float *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = ml_bf16_to_fp32(x[i]);
}

/* ---- AVX2 + F16C ---- */

ML_TARGET_AVX2 void
ml_fp32_to_fp16_row_avx2(const float *x, uint16_t *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(y + i),
		                 _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
	for (; i < n; i++)
		y[i] = ml_fp32_to_fp16(x[i]);
}

ML_TARGET_AVX2 void
ml_fp16_to_fp32_row_avx2(const uint16_t *x, float *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
	for (; i < n; i++)
		y[i] = ml_fp16_to_fp32(x[i]);
}

/* ml_fp32_to_bf16 on 8 lanes, in integers (AVX512-BF16's VCVTNEPS2BF16
 * flushes subnormals, so it is not used). */
ML_TARGET_AVX2 static inline __m128i
bf16_from_f32x8(__m256 v)
{
	__m256i u = _mm256_castps_si256(v);
	__m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
	__m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff))), 16);
	__m256i nanv = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(64));
	__m256i isnan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7fffffff)),
	                                   _mm256_set1_epi32(0x7f800000));
	__m256i h = _mm256_blendv_epi8(r, nanv, isnan);
	/* Lanes hold 0..0xffff: pack (signed in, unsigned saturate) is exact. */
	__m256i p = _mm256_packus_epi32(h, h);

	p = _mm256_permute4x64_epi64(p, 0x08);  /* 64-bit lanes 0 and 2 */
	return _mm256_castsi256_si128(p);
}

ML_TARGET_AVX2 void
ml_fp32_to_bf16_row_avx2(const float *x, uint16_t *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(y + i), bf16_from_f32x8(_mm256_loadu_ps(x + i)));
	for (; i < n; i++)
		y[i] = ml_fp32_to_bf16(x[i]);
}

ML_TARGET_AVX2 void
ml_bf16_to_fp32_row_avx2(const uint16_t *x, float *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));

		_mm256_storeu_ps(y + i, _mm256_castsi256_ps(_mm256_slli_epi32(u, 16)));
	}
	for (; i < n; i++)
		y[i] = ml_bf16_to_fp32(x[i]);
}

/* ---- AVX-512F ---- */

ML_TARGET_AVX512 void
ml_fp32_to_fp16_row_avx512(const float *x, uint16_t *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 16 <= n; i += 16)
		_mm256_storeu_si256((__m256i *)(y + i),
		                    _mm512_cvtps_ph(_mm512_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
	ml_fp32_to_fp16_row_avx2(x + i, y + i, n - i);
}

ML_TARGET_AVX512 void
ml_fp16_to_fp32_row_avx512(const uint16_t *x, float *y, int64_t n)
{
	int64_t i = 0;

	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(y + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))));
	ml_fp16_to_fp32_row_avx2(x + i, y + i, n - i);
}

void
ml_fp32_to_fp16_row(const float *x, uint16_t *y, int64_t n)
{
	ml_quant_kernels()->fp32_to_fp16_row(x, y, n);
}

void
ml_fp16_to_fp32_row(const uint16_t *x, float *y, int64_t n)
{
	ml_quant_kernels()->fp16_to_fp32_row(x, y, n);
}

void
ml_fp32_to_bf16_row(const float *x, uint16_t *y, int64_t n)
{
	ml_quant_kernels()->fp32_to_bf16_row(x, y, n);
}

void
ml_bf16_to_fp32_row(const uint16_t *x, float *y, int64_t n)
{
	ml_quant_kernels()->bf16_to_fp32_row(x, y, n);
}
