/*
 * AVX-512 (F, BW, VL, VNNI) dot products: two 32-element blocks per 512-bit
 * register, the integer dot by VPDPBUSD (unsigned |x| times y carrying x's
 * sign, as in the AVX2 code), the per-block scales blended into one vector.
 * The quantizers stay on AVX2 (they are not on the matvec's critical path).
 */
#include "ml/cpu/quant_impl.h"

#include <immintrin.h>

ML_TARGET_AVX512 static inline __m512
mul_sum_i8x64(__m512i x, __m512i y)
{
	__m512i ax = _mm512_abs_epi8(x);
	__m512i sy = _mm512_mask_sub_epi8(y, _mm512_movepi8_mask(x), _mm512_setzero_si512(), y);

	return _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), ax, sy));
}

ML_TARGET_AVX512 static inline __m512i
load2x256(const void *a, const void *b)
{
	return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)a)),
	                          _mm256_loadu_si256((const __m256i *)b), 1);
}

/* The two blocks' scales, the first in lanes 0..7, the second in 8..15. */
ML_TARGET_AVX512 static inline __m512
scale2(uint16_t xa, uint16_t ya, uint16_t xb, uint16_t yb)
{
	return _mm512_mask_blend_ps(0xff00, _mm512_set1_ps(_cvtsh_ss(xa) * _cvtsh_ss(ya)),
	                            _mm512_set1_ps(_cvtsh_ss(xb) * _cvtsh_ss(yb)));
}

ML_TARGET_AVX512 void
ml_vec_dot_q8_0_q8_0_avx512(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ8_0 *x = vx, *y = vy;
	int64_t nb = n / ML_QK8_0, b = 0;
	__m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();

	for (; b + 4 <= nb; b += 4) {
		__m512 p0 = mul_sum_i8x64(load2x256(x[b].qs, x[b + 1].qs), load2x256(y[b].qs, y[b + 1].qs));
		__m512 p1 = mul_sum_i8x64(load2x256(x[b + 2].qs, x[b + 3].qs),
		                          load2x256(y[b + 2].qs, y[b + 3].qs));

		acc0 = _mm512_fmadd_ps(scale2(x[b].d, y[b].d, x[b + 1].d, y[b + 1].d), p0, acc0);
		acc1 = _mm512_fmadd_ps(scale2(x[b + 2].d, y[b + 2].d, x[b + 3].d, y[b + 3].d), p1, acc1);
	}
	float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));

	if (b < nb) {
		float t;

		ml_vec_dot_q8_0_q8_0_avx2((nb - b) * ML_QK8_0, &t, x + b, y + b);
		sum += t;
	}
	*s = sum;
}

/*
 * q4_0 times q8_0, four blocks per step: the four blocks' 16 quant bytes
 * fill one register, their low and high nibbles two (unsigned 0..15, lanes
 * 4b..4b+3 block b), y's halves are permuted to match, and VPDPBUSD takes
 * sum q*y; the -8 offset is subtracted as 8 * sum y (a second VPDPBUSD
 * pair), so no sign trick is needed.  The four scales are converted with
 * one VCVTPH2PS and spread to their lanes by one permute.
 */
ML_TARGET_AVX512 void
ml_vec_dot_q4_0_q8_0_avx512(int64_t n, float *s, const void *vx, const void *vy)
{
	const MlBlockQ4_0 *x = vx;
	const MlBlockQ8_0 *y = vy;
	int64_t nb = n / ML_QK8_0, b = 0;
	const __m512i m4 = _mm512_set1_epi8(0x0f), eight = _mm512_set1_epi8(8);
	const __m512i idx_lo = _mm512_setr_epi64(0, 1, 4, 5, 8, 9, 12, 13);
	const __m512i idx_hi = _mm512_setr_epi64(2, 3, 6, 7, 10, 11, 14, 15);
	const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
	__m512 acc = _mm512_setzero_ps();

	for (; b + 4 <= nb; b += 4) {
		__m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)x[b].qs));

		v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)x[b + 1].qs), 1);
		v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)x[b + 2].qs), 2);
		v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)x[b + 3].qs), 3);
		__m512i lo = _mm512_and_si512(v, m4);
		__m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
		__m512i yab = load2x256(y[b].qs, y[b + 1].qs), ycd = load2x256(y[b + 2].qs, y[b + 3].qs);
		__m512i ylo = _mm512_permutex2var_epi64(yab, idx_lo, ycd);
		__m512i yhi = _mm512_permutex2var_epi64(yab, idx_hi, ycd);
		__m512i z = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, ylo), hi, yhi);
		__m512i o = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, ylo), eight, yhi);
		__m128i dh = _mm_setr_epi16((short)x[b].d, (short)x[b + 1].d, (short)x[b + 2].d,
		                            (short)x[b + 3].d, (short)y[b].d, (short)y[b + 1].d,
		                            (short)y[b + 2].d, (short)y[b + 3].d);
		__m256 df = _mm256_cvtph_ps(dh);
		__m128 d4 = _mm_mul_ps(_mm256_castps256_ps128(df), _mm256_extractf128_ps(df, 1));
		__m512 dv = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(d4));

		acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(z, o)), dv, acc);
	}
	float sum = _mm512_reduce_add_ps(acc);

	if (b < nb) {
		float t;

		ml_vec_dot_q4_0_q8_0_avx2((nb - b) * ML_QK8_0, &t, x + b, y + b);
		sum += t;
	}
	*s = sum;
}

ML_TARGET_AVX512 static inline __m512
f16x16(const uint16_t *p)
{
	return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

ML_TARGET_AVX512 void
ml_vec_dot_f16_avx512(int64_t n, float *s, const uint16_t *x, const uint16_t *y)
{
	__m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
	int64_t i = 0;

	for (; i + 64 <= n; i += 64) {
		a0 = _mm512_fmadd_ps(f16x16(x + i), f16x16(y + i), a0);
		a1 = _mm512_fmadd_ps(f16x16(x + i + 16), f16x16(y + i + 16), a1);
		a2 = _mm512_fmadd_ps(f16x16(x + i + 32), f16x16(y + i + 32), a2);
		a3 = _mm512_fmadd_ps(f16x16(x + i + 48), f16x16(y + i + 48), a3);
	}
	float sum = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));

	if (i < n) {
		float t;

		ml_vec_dot_f16_avx2(n - i, &t, x + i, y + i);
		sum += t;
	}
	*s = sum;
}

/*
 * q4_0 times a q8x4 row (quant_impl.h), four blocks (72 bytes of x) per
 * step with no scalar work: two 32-byte loads and one 8-byte load, VPERMT2B
 * gathers the four blocks' 16 quant bytes into the four 128-bit lanes,
 * VPERMW spreads their four f16 scales (bytes 0, 18, 36, 54 of the first
 * load) to lanes 4i..4i+3 for one VCVTPH2PS; the unsigned nibbles go
 * straight into VPDPBUSD, whose accumulator starts at the row's -8 * sum
 * offsets, so each int32 lane ends as its part of sum (q - 8) * y.
 * The 64 bytes are two 32-byte loads joined, not one 512-bit load: the
 * 72-byte step leaves that load across two lines 7 times in 8, and from
 * memory such split loads cost this Zen 5 (AMD EPYC) a sixth of the matvec
 * GB/s (0.65 -> 0.78 of a streaming read, one thread, k 4096 and 11008).
 */
static const uint8_t q4x4_bytes[64] = {
	2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
	38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
	56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,
};
static const uint16_t q4x4_scales[32] = {0, 0, 0, 0, 9, 9, 9, 9, 18, 18, 18, 18, 27, 27, 27, 27};

ML_TARGET_AVX512VBMI static inline __m512
q4x4_step(const uint8_t *p, const MlQ8x4 *g, __m512i bidx, __m512i sidx, __m512 acc)
{
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	__m512i v0 = load2x256(p, p + 32);
	__m512i v = _mm512_permutex2var_epi8(v0, bidx,
	                                     _mm512_castsi128_si512(_mm_loadl_epi64((const __m128i *)(p + 64))));
	__m512i lo = _mm512_and_si512(v, m4);
	__m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
	__m512i z = _mm512_dpbusd_epi32(_mm512_load_si512(g->off), lo, _mm512_load_si512(g->lo));
	__m512 dx = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(sidx, v0)));

	z = _mm512_dpbusd_epi32(z, hi, _mm512_load_si512(g->hi));
	return _mm512_fmadd_ps(_mm512_cvtepi32_ps(z), _mm512_mul_ps(dx, _mm512_load_ps(g->d)), acc);
}

ML_TARGET_AVX512VBMI void
ml_vec_dot_q4_0_q8x4_avx512(int64_t n, float *s, const void *vx, const void *row)
{
	const MlBlockQ4_0 *x = vx;
	int64_t nb = n / ML_QK4_0, b = 0;
	const MlQ8x4 *g = (const MlQ8x4 *)((const uint8_t *)row + ml_q8x4_offset(nb));
	const __m512i bidx = _mm512_loadu_si512(q4x4_bytes), sidx = _mm512_loadu_si512(q4x4_scales);
	__m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();

	for (; b + 8 <= nb; b += 8, g += 2) {
		acc0 = q4x4_step((const uint8_t *)(x + b), g, bidx, sidx, acc0);
		acc1 = q4x4_step((const uint8_t *)(x + b + 4), g + 1, bidx, sidx, acc1);
	}
	if (b + 4 <= nb) {
		acc0 = q4x4_step((const uint8_t *)(x + b), g, bidx, sidx, acc0);
		b += 4;
	}
	float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));

	if (b < nb) {
		float t;

		ml_vec_dot_q4_0_q8_0_avx2((nb - b) * ML_QK8_0, &t, x + b, (const MlBlockQ8_0 *)row + b);
		sum += t;
	}
	*s = sum;
}

/* Two q4_0 rows (x and x + xstride bytes) against one q8x4 row: s[0], s[1].
 * Each group of the activation row is loaded once for both rows, which
 * halves its L1/L2 traffic (it is 256 bytes per 72 of weights). */
ML_TARGET_AVX512VBMI void
ml_vec_dot2_q4_0_q8x4_avx512(int64_t n, float *s, const void *vx, size_t xstride, const void *row)
{
	const uint8_t *x0 = vx, *x1 = x0 + xstride;
	int64_t nb = n / ML_QK4_0, b = 0;
	const MlQ8x4 *g = (const MlQ8x4 *)((const uint8_t *)row + ml_q8x4_offset(nb));
	const __m512i bidx = _mm512_loadu_si512(q4x4_bytes), sidx = _mm512_loadu_si512(q4x4_scales);
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	__m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();

	for (; b + 4 <= nb; b += 4, g++) {
		size_t o = (size_t)b * sizeof(MlBlockQ4_0);
		__m512i off = _mm512_load_si512(g->off), ylo = _mm512_load_si512(g->lo);
		__m512i yhi = _mm512_load_si512(g->hi);
		__m512 dy = _mm512_load_ps(g->d);
		__m512i v0 = load2x256(x0 + o, x0 + o + 32), u0 = load2x256(x1 + o, x1 + o + 32);
		__m512i v = _mm512_permutex2var_epi8(
			v0, bidx, _mm512_castsi128_si512(_mm_loadl_epi64((const __m128i *)(x0 + o + 64))));
		__m512i u = _mm512_permutex2var_epi8(
			u0, bidx, _mm512_castsi128_si512(_mm_loadl_epi64((const __m128i *)(x1 + o + 64))));
		__m512i zv = _mm512_dpbusd_epi32(off, _mm512_and_si512(v, m4), ylo);
		__m512i zu = _mm512_dpbusd_epi32(off, _mm512_and_si512(u, m4), ylo);
		__m512 dv = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(sidx, v0)));
		__m512 du = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(sidx, u0)));

		zv = _mm512_dpbusd_epi32(zv, _mm512_and_si512(_mm512_srli_epi16(v, 4), m4), yhi);
		zu = _mm512_dpbusd_epi32(zu, _mm512_and_si512(_mm512_srli_epi16(u, 4), m4), yhi);
		acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(zv), _mm512_mul_ps(dv, dy), acc0);
		acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(zu), _mm512_mul_ps(du, dy), acc1);
	}
	s[0] = _mm512_reduce_add_ps(acc0);
	s[1] = _mm512_reduce_add_ps(acc1);
	if (b < nb) {
		float t0, t1;
		const MlBlockQ8_0 *y = (const MlBlockQ8_0 *)row + b;

		ml_vec_dot_q4_0_q8_0_avx2((nb - b) * ML_QK8_0, &t0, (const MlBlockQ4_0 *)x0 + b, y);
		ml_vec_dot_q4_0_q8_0_avx2((nb - b) * ML_QK8_0, &t1, (const MlBlockQ4_0 *)x1 + b, y);
		s[0] += t0;
		s[1] += t1;
	}
}
