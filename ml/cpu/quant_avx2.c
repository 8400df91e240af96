/*
 * AVX2 + FMA + F16C variants of the quantizers and dot products.  Compiled
 * for any x86-64 (the target attribute enables the instructions per
 * function); called only where CPUID says they run.
 *
 * The quantizers repeat the _ref arithmetic lane by lane (the same f32
 * multiply by the same scalar id, then the same rounding), so their bytes
 * equal the refs': q8_0 rounds half away from zero (roundf) by truncating
 * and stepping away when the exact remainder is >= 0.5, not with
 * _mm256_round_ps's ties-to-even, which is where ggml's own AVX2 quantizer
 * parts from its ref.  The file relies on no FMA contraction of separate
 * multiplies and adds (gcc's -std=c11 default, -ffp-contract=off).
 */
#include "ml/cpu/quant_impl.h"

#include <immintrin.h>

ML_TARGET_AVX2 static inline float
hmax8(__m256 v)
{
	__m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	m = _mm_max_ps(m, _mm_movehl_ps(m, m));
	m = _mm_max_ss(m, _mm_movehdup_ps(m));
	return _mm_cvtss_f32(m);
}

ML_TARGET_AVX2 static inline float
hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* roundf on 8 lanes: trunc, then one step away from zero when the exact
 * remainder |v - trunc(v)| is >= 0.5. */
ML_TARGET_AVX2 static inline __m256i
roundf_epi32(__m256 v)
{
	const __m256 signbit = _mm256_set1_ps(-0.0f);
	__m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
	__m256 rem = _mm256_andnot_ps(signbit, _mm256_sub_ps(v, t));
	__m256 away = _mm256_cmp_ps(rem, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
	__m256 step = _mm256_or_ps(_mm256_and_ps(v, signbit), _mm256_set1_ps(1.0f));

	t = _mm256_add_ps(t, _mm256_and_ps(away, step));
	return _mm256_cvtps_epi32(t);
}

ML_TARGET_AVX2 void
ml_quantize_row_q8_0_avx2(const float *x, MlBlockQ8_0 *y, int64_t n)
{
	const __m256 signbit = _mm256_set1_ps(-0.0f);
	const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	int64_t nb = n / ML_QK8_0;

	for (int64_t b = 0; b < nb; b++, x += ML_QK8_0) {
		__m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
		__m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
		__m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signbit, v0),
		                                       _mm256_andnot_ps(signbit, v1)),
		                         _mm256_max_ps(_mm256_andnot_ps(signbit, v2),
		                                       _mm256_andnot_ps(signbit, v3)));
		float amax = hmax8(m);
		float d = amax / 127;
		float id = d != 0 ? 1.0f / d : 0.0f;
		__m256 idv = _mm256_set1_ps(id);

		y[b].d = ml_fp32_to_fp16(d);
		__m256i i0 = roundf_epi32(_mm256_mul_ps(v0, idv));
		__m256i i1 = roundf_epi32(_mm256_mul_ps(v1, idv));
		__m256i i2 = roundf_epi32(_mm256_mul_ps(v2, idv));
		__m256i i3 = roundf_epi32(_mm256_mul_ps(v3, idv));
		/* |q| <= 127: the saturating packs are exact; they interleave the
		 * 128-bit lanes, which the permute undoes. */
		__m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));

		_mm256_storeu_si256((__m256i *)y[b].qs, _mm256_permutevar8x32_epi32(p, perm));
	}
}

ML_TARGET_AVX2 void
ml_quantize_row_q4_0_avx2(const float *x, MlBlockQ4_0 *y, int64_t n)
{
	const __m256 signbit = _mm256_set1_ps(-0.0f);
	const __m256i fifteen = _mm256_set1_epi32(15);
	int64_t nb = n / ML_QK4_0;

	for (int64_t b = 0; b < nb; b++, x += ML_QK4_0) {
		__m256 v[4], a[4];

		for (int i = 0; i < 4; i++) {
			v[i] = _mm256_loadu_ps(x + 8 * i);
			a[i] = _mm256_andnot_ps(signbit, v[i]);
		}
		float amax = hmax8(_mm256_max_ps(_mm256_max_ps(a[0], a[1]), _mm256_max_ps(a[2], a[3])));
		float max = 0;

		if (amax > 0) {  /* the first element of largest |x|, as the ref's strict < */
			__m256 am = _mm256_set1_ps(amax);
			uint32_t mask = 0;

			for (int i = 0; i < 4; i++)
				mask |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a[i], am, _CMP_EQ_OQ))
				        << (8 * i);
			max = x[__builtin_ctz(mask)];
		}
		float d = max / -8;
		float id = d != 0 ? 1.0f / d : 0.0f;
		__m256 idv = _mm256_set1_ps(id), half = _mm256_set1_ps(8.5f);
		__m256i q[4];

		y[b].d = ml_fp32_to_fp16(d);
		for (int i = 0; i < 4; i++) {
			/* x*id + 8.5 >= 0 here, so truncation is the ref's (int8_t) cast. */
			__m256 t = _mm256_add_ps(_mm256_mul_ps(v[i], idv), half);

			q[i] = _mm256_min_epi32(_mm256_cvttps_epi32(t), fifteen);
		}
		/* Elements 0..15 and 16..31 as 16-bit lanes in order. */
		__m256i lo = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xd8);
		__m256i hi = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[2], q[3]), 0xd8);
		__m256i c = _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));

		_mm_storeu_si128((__m128i *)y[b].qs,
		                 _mm_packus_epi16(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1)));
	}
}

/* 32 signed bytes times 32 signed bytes, summed in pairs of int32, as f32:
 * |x| times y with x's sign (maddubs wants one unsigned operand). */
ML_TARGET_AVX2 static inline __m256
mul_sum_i8(__m256i x, __m256i y)
{
	__m256i ax = _mm256_sign_epi8(x, x);
	__m256i sy = _mm256_sign_epi8(y, x);
	__m256i dot = _mm256_maddubs_epi16(ax, sy);

	return _mm256_cvtepi32_ps(_mm256_madd_epi16(dot, _mm256_set1_epi16(1)));
}

/* A q4_0 block's 32 quants as signed bytes q - 8, in element order. */
ML_TARGET_AVX2 static inline __m256i
q4_bytes(const uint8_t *qs)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);
	__m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);

	return _mm256_sub_epi8(_mm256_and_si256(b, _mm256_set1_epi8(0x0f)), _mm256_set1_epi8(8));
}

ML_TARGET_AVX2 static inline float
scale(uint16_t a, uint16_t b)
{
	return _cvtsh_ss(a) * _cvtsh_ss(b);
}

ML_TARGET_AVX2 void
ml_vec_dot_q8_0_q8_0_avx2(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ8_0 *x = vx, *y = vy;
	int64_t nb = n / ML_QK8_0, b = 0;
	__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();

	for (; b + 2 <= nb; b += 2) {
		__m256 p0 = mul_sum_i8(_mm256_loadu_si256((const __m256i *)x[b].qs),
		                       _mm256_loadu_si256((const __m256i *)y[b].qs));
		__m256 p1 = mul_sum_i8(_mm256_loadu_si256((const __m256i *)x[b + 1].qs),
		                       _mm256_loadu_si256((const __m256i *)y[b + 1].qs));

		acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b].d, y[b].d)), p0, acc0);
		acc1 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b + 1].d, y[b + 1].d)), p1, acc1);
	}
	for (; b < nb; b++) {
		__m256 p = mul_sum_i8(_mm256_loadu_si256((const __m256i *)x[b].qs),
		                      _mm256_loadu_si256((const __m256i *)y[b].qs));

		acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b].d, y[b].d)), p, acc0);
	}
	*s = hsum8(_mm256_add_ps(acc0, acc1));
}

ML_TARGET_AVX2 void
ml_vec_dot_q4_0_q8_0_avx2(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ4_0 *x = vx;
	const MlBlockQ8_0 *y = vy;
	int64_t nb = n / ML_QK8_0, b = 0;
	__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();

	for (; b + 2 <= nb; b += 2) {
		__m256 p0 = mul_sum_i8(q4_bytes(x[b].qs), _mm256_loadu_si256((const __m256i *)y[b].qs));
		__m256 p1 = mul_sum_i8(q4_bytes(x[b + 1].qs),
		                       _mm256_loadu_si256((const __m256i *)y[b + 1].qs));

		acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b].d, y[b].d)), p0, acc0);
		acc1 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b + 1].d, y[b + 1].d)), p1, acc1);
	}
	for (; b < nb; b++) {
		__m256 p = mul_sum_i8(q4_bytes(x[b].qs), _mm256_loadu_si256((const __m256i *)y[b].qs));

		acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scale(x[b].d, y[b].d)), p, acc0);
	}
	*s = hsum8(_mm256_add_ps(acc0, acc1));
}

ML_TARGET_AVX2 static inline __m256
bf16x8(const uint16_t *p)
{
	__m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));

	return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
}

ML_TARGET_AVX2 static inline __m256
f16x8(const uint16_t *p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

ML_TARGET_AVX2 void
ml_vec_dot_f16_avx2(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
	int64_t i = 0;

	for (; i + 32 <= n; i += 32) {
		a0 = _mm256_fmadd_ps(f16x8(x + i), f16x8(y + i), a0);
		a1 = _mm256_fmadd_ps(f16x8(x + i + 8), f16x8(y + i + 8), a1);
		a2 = _mm256_fmadd_ps(f16x8(x + i + 16), f16x8(y + i + 16), a2);
		a3 = _mm256_fmadd_ps(f16x8(x + i + 24), f16x8(y + i + 24), a3);
	}
	for (; i + 8 <= n; i += 8)
		a0 = _mm256_fmadd_ps(f16x8(x + i), f16x8(y + i), a0);
	float sum = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));

	for (; i < n; i++)
		sum += _cvtsh_ss(x[i]) * _cvtsh_ss(y[i]);
	*s = sum;
}

ML_TARGET_AVX2 void
ml_vec_dot_bf16_avx2(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
	int64_t i = 0;

	for (; i + 32 <= n; i += 32) {
		a0 = _mm256_fmadd_ps(bf16x8(x + i), bf16x8(y + i), a0);
		a1 = _mm256_fmadd_ps(bf16x8(x + i + 8), bf16x8(y + i + 8), a1);
		a2 = _mm256_fmadd_ps(bf16x8(x + i + 16), bf16x8(y + i + 16), a2);
		a3 = _mm256_fmadd_ps(bf16x8(x + i + 24), bf16x8(y + i + 24), a3);
	}
	for (; i + 8 <= n; i += 8)
		a0 = _mm256_fmadd_ps(bf16x8(x + i), bf16x8(y + i), a0);
	float sum = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));

	for (; i < n; i++)
		sum += ml_bf16_to_fp32(x[i]) * ml_bf16_to_fp32(y[i]);
	*s = sum;
}
