/* ml/cpu/quant.h: f16/bf16 conversion by hand cases and against F16C,
 * q8_0/q4_0 quantizers fast against ref (byte-identical) at every SIMD
 * level, round-trip error bounds, dot products fast against ref, ml_mul_mat_q
 * against a double-precision product, the thread pool, and everything
 * against ggml's own libggml-base.so (dlopen'd; skipped when absent unless
 * ACHERON_REQUIRE_GGML=1). */
#include "tests/test.h"
#include "ml/ml.h"
#include "ml/cpu/quant_impl.h"  /* the internal q8x4 row and the dispatch table */

#include <dlfcn.h>
#include <float.h>
#include <immintrin.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float
unif(uint64_t *s)
{
	return (float)((double)(rnd(s) >> 11) * 0x1p-53 * 2 - 1);
}

static float
bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t
f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

enum { NKINDS = 12 };

/* Fills one 32-element block of kind `kind`: random at many scales, and the
 * edges (zeros, one huge value, a negative max, +-ties of the max, f16
 * overflow of d, tiny values, exact .5 ties of the rounding). */
static void
fill_block(float *x, int kind, uint64_t *s)
{
	float scale = powf(10.0f, (float)(int)(rnd(s) % 41) - 20);  /* 1e-20..1e20 */
	int at = (int)(rnd(s) % 32);

	for (int j = 0; j < 32; j++)
		x[j] = unif(s) * scale;
	switch (kind) {
	case 1: memset(x, 0, 32 * sizeof *x); break;
	case 2: x[at] = 1e30f; break;
	case 3: x[at] = -2 * scale; break;
	case 4:  /* equal |x| of both signs: the first decides q4_0's sign */
		x[at] = -3 * scale;
		x[(at + 7) % 32] = 3 * scale;
		break;
	case 5:  /* d overflows f16 */
		for (int j = 0; j < 32; j++)
			x[j] = unif(s) * 1e38f;
		break;
	case 6:  /* d near f16's subnormal range, and +-tiny */
		for (int j = 0; j < 32; j++)
			x[j] = unif(s) * 1e-30f;
		break;
	case 7:  /* q8_0 with d = 1: exact .5 ties for roundf */
		for (int j = 0; j < 32; j++)
			x[j] = (float)((int)(rnd(s) % 253) - 126) + ((rnd(s) & 1) ? 0.5f : 0);
		x[at] = (rnd(s) & 1) ? 127 : -127;
		break;
	case 8:  /* q4_0 with d = 1 (max -8): ties of x + 8.5 */
		for (int j = 0; j < 32; j++)
			x[j] = (float)((int)(rnd(s) % 15) - 7) + ((rnd(s) & 1) ? 0.5f : 0);
		x[at] = -8;
		break;
	case 9:  /* signed zeros and one value */
		for (int j = 0; j < 32; j++)
			x[j] = (rnd(s) & 1) ? -0.0f : 0.0f;
		x[at] = unif(s);
		break;
	case 10:  /* f16's range edge */
		for (int j = 0; j < 32; j++)
			x[j] = unif(s) * 65504 * 127;
		break;
	default: break;
	}
}

static float *
random_row(int64_t n, uint64_t seed, int kinds)
{
	float *x = malloc((size_t)n * sizeof *x);
	uint64_t s = seed;

	assert_non_null(x);
	for (int64_t b = 0; b < n / 32; b++)
		fill_block(x + 32 * b, kinds ? (int)(rnd(&s) % NKINDS) : 0, &s);
	return x;
}

/* ---- f16 / bf16 ---- */

static void
test_half_hand(void **state)
{
	static const struct {
		float f;
		uint16_t h;
	} c[] = {
		{0.0f, 0x0000}, {-0.0f, 0x8000}, {1.0f, 0x3c00}, {-2.0f, 0xc000},
		{65504.0f, 0x7bff}, {65519.996f, 0x7bff}, {65520.0f, 0x7c00}, {1e6f, 0x7c00},
		{-1e30f, 0xfc00}, {0x1p-24f, 0x0001}, {0x1p-25f, 0x0000},
		{0x1.000002p-25f, 0x0001}, {0x1.8p-24f, 0x0002}, {0x1p-14f, 0x0400},
		{0x1.ff8p-15f, 0x03ff}, {0x1.ffcp-15f, 0x0400}, {0x1.ff4p-15f, 0x03fe}, {0x1p-149f, 0x0000},
		{1.0f + 0x1p-11f, 0x3c00}, {1.0f + 0x3p-11f, 0x3c02}, {1.0f + 0x1.004p-11f, 0x3c01},
		{0.33333334f, 0x3555}, {-65504.0f, 0xfbff},
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		uint16_t h = ml_fp32_to_fp16(c[i].f);

		if (h != c[i].h) {
			print_error("fp32_to_fp16(%a) = 0x%04x, want 0x%04x\n", (double)c[i].f, h, c[i].h);
			fail();
		}
	}
	assert_int_equal(ml_fp32_to_fp16(bits_f32(0x7f800000)), 0x7c00);
	assert_int_equal(ml_fp32_to_fp16(bits_f32(0xff800000)), 0xfc00);
	assert_int_equal(ml_fp32_to_fp16(bits_f32(0x7fc00000)), 0x7e00);
	assert_int_equal(ml_fp32_to_fp16(bits_f32(0xffc00000)), 0xfe00);
	assert_int_equal(ml_fp32_to_fp16(bits_f32(0x7f800001)) & 0x7e00, 0x7e00);  /* sNaN quieted */
	/* Every f16 survives the round trip, NaNs as NaNs. */
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = ml_fp16_to_fp32((uint16_t)h);
		int nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;

		if (nan ? !isnan(f) || ml_fp32_to_fp16(f) != (h | 0x200)
		        : ml_fp32_to_fp16(f) != h) {
			print_error("f16 0x%04x -> %a -> 0x%04x\n", h, (double)f, ml_fp32_to_fp16(f));
			fail();
		}
	}
	assert_true(ml_fp16_to_fp32(0x0001) == 0x1p-24f);
	assert_true(ml_fp16_to_fp32(0x7bff) == 65504.0f);
	assert_true(isinf(ml_fp16_to_fp32(0xfc00)) && ml_fp16_to_fp32(0xfc00) < 0);
	assert_true(signbit(ml_fp16_to_fp32(0x8000)));

	/* bf16 */
	assert_int_equal(ml_fp32_to_bf16(1.0f), 0x3f80);
	assert_int_equal(ml_fp32_to_bf16(1.0f + 0x1p-8f), 0x3f80);      /* tie to even */
	assert_int_equal(ml_fp32_to_bf16(1.0f + 0x3p-8f), 0x3f82);      /* tie to even, up */
	assert_int_equal(ml_fp32_to_bf16(1.0f + 0x1.002p-8f), 0x3f81);
	assert_int_equal(ml_fp32_to_bf16(-0.0f), 0x8000);
	assert_int_equal(ml_fp32_to_bf16(FLT_MAX), 0x7f80);              /* overflow to inf */
	assert_int_equal(ml_fp32_to_bf16(bits_f32(0x00018000)), 0x0002); /* subnormal kept */
	assert_int_equal(ml_fp32_to_bf16(bits_f32(0x7f800001)), 0x7fc0); /* NaN quieted */
	assert_int_equal(ml_fp32_to_bf16(bits_f32(0xffc12345)), 0xffc1);
	assert_int_equal(ml_fp32_to_bf16(bits_f32(0x7f800000)), 0x7f80);
	assert_true(ml_bf16_to_fp32(0x3f80) == 1.0f);
	assert_true(ml_bf16_to_fp32(0xc040) == -3.0f);
}

/* F16C itself, when the CPU has it: the scalar code must give its bits for
 * every class of input, NaNs included. */
__attribute__((target("avx2,f16c"))) static uint16_t
f16c_cvt(float f)
{
	return _cvtss_sh(f, 0);
}

static void
test_half_f16c(void **state)
{
	uint64_t s = 1;

	if (ml_simd_cap(ML_SIMD_AVX512) < ML_SIMD_AVX2) {
		fprintf(stderr, "# no F16C on this CPU: compared against nothing\n");
		return;
	}
	for (int i = 0; i < 4000000; i++) {
		uint32_t u = (uint32_t)rnd(&s);

		if (i & 1)  /* half the draws near f16's range: exponents 100..145 */
			u = (u & 0x807fffff) | (uint32_t)(100 + (u >> 8) % 46) << 23;
		float f = bits_f32(u);

		if (ml_fp32_to_fp16(f) != f16c_cvt(f)) {
			print_error("fp32_to_fp16(0x%08x) = 0x%04x, F16C 0x%04x\n", u, ml_fp32_to_fp16(f),
			            f16c_cvt(f));
			fail();
		}
	}
}

static void
test_half_rows(void **state)
{
	enum { N = 4099 };
	static float x[N], yf[N], yr[N];
	static uint16_t h[N], hr[N];
	uint64_t s = 2;

	for (int i = 0; i < N; i++) {
		uint32_t u = (uint32_t)rnd(&s);

		x[i] = bits_f32((i & 1) ? (u & 0x807fffff) | (uint32_t)(100 + (u >> 8) % 46) << 23 : u);
	}
	for (int lv = ML_SIMD_SCALAR; lv <= ML_SIMD_AVX512; lv++) {
		ml_simd_cap(lv);
		ml_fp32_to_fp16_row(x, h, N);
		ml_fp32_to_fp16_row_ref(x, hr, N);
		assert_memory_equal(h, hr, sizeof h);
		ml_fp16_to_fp32_row(h, yf, N);
		ml_fp16_to_fp32_row_ref(h, yr, N);
		assert_memory_equal(yf, yr, sizeof yf);
		ml_fp32_to_bf16_row(x, h, N);
		ml_fp32_to_bf16_row_ref(x, hr, N);
		assert_memory_equal(h, hr, sizeof h);
		ml_bf16_to_fp32_row(h, yf, N);
		ml_bf16_to_fp32_row_ref(h, yr, N);
		assert_memory_equal(yf, yr, sizeof yf);
	}
	ml_simd_cap(ML_SIMD_AVX512);
}

/* ---- blocks ---- */

enum { NB = 4096 };  /* blocks per quantizer test row */

static void
test_quantize_fast_vs_ref(void **state)
{
	float *x = random_row(NB * 32, 3, 1);
	MlBlockQ8_0 *q8 = malloc(NB * sizeof *q8), *q8r = malloc(NB * sizeof *q8r);
	MlBlockQ4_0 *q4 = malloc(NB * sizeof *q4), *q4r = malloc(NB * sizeof *q4r);

	assert_true(q8 && q8r && q4 && q4r);
	ml_quantize_row_q8_0_ref(x, q8r, NB * 32);
	ml_quantize_row_q4_0_ref(x, q4r, NB * 32);
	for (int lv = ML_SIMD_SCALAR; lv <= ML_SIMD_AVX512; lv++) {
		ml_simd_cap(lv);
		memset(q8, 0x55, NB * sizeof *q8);
		memset(q4, 0x55, NB * sizeof *q4);
		ml_quantize_row_q8_0(x, q8, NB * 32);
		ml_quantize_row_q4_0(x, q4, NB * 32);
		for (int b = 0; b < NB; b++) {
			if (memcmp(&q8[b], &q8r[b], sizeof q8[b]) != 0 ||
			    memcmp(&q4[b], &q4r[b], sizeof q4[b]) != 0) {
				print_error("level %s: block %d differs from ref (q8_0 %d, q4_0 %d)\n",
				            ml_simd_name(lv), b, memcmp(&q8[b], &q8r[b], sizeof q8[b]) != 0,
				            memcmp(&q4[b], &q4r[b], sizeof q4[b]) != 0);
				fail();
			}
		}
	}
	ml_simd_cap(ML_SIMD_AVX512);
	/* Hand blocks: all zero; q4_0's d is -0 there, as ggml's. */
	float z[32] = {0};

	ml_quantize_row_q4_0_ref(z, q4, 32);
	assert_int_equal(q4[0].d, 0x8000);
	for (int j = 0; j < 16; j++)
		assert_int_equal(q4[0].qs[j], 0x88);
	ml_quantize_row_q8_0_ref(z, q8, 32);
	assert_int_equal(q8[0].d, 0x0000);
	/* 0..31 with max 31: q8 d = 31/127, qs[j] = round(j * 127 / 31). */
	for (int j = 0; j < 32; j++)
		z[j] = (float)j;
	ml_quantize_row_q8_0_ref(z, q8, 32);
	assert_int_equal(q8[0].qs[31], 127);
	assert_int_equal(q8[0].qs[1], 4);   /* 4.0968 */
	ml_quantize_row_q4_0_ref(z, q4, 32);
	assert_int_equal(q4[0].d, ml_fp32_to_fp16(31.0f / -8));
	assert_int_equal(q4[0].qs[15] >> 4, 0);  /* element 31, the max, is q 0 = -8 d */
	assert_int_equal(q4[0].qs[0] & 15, 8);   /* element 0 */
	free(x);
	free(q8);
	free(q8r);
	free(q4);
	free(q4r);
}

/* The round trip's error, against the bound quant.h states. */
static void
test_dequantize_bounds(void **state)
{
	float *x = random_row(NB * 32, 4, 0);
	float *y = malloc(NB * 32 * sizeof *y);
	MlBlockQ8_0 *q8 = malloc(NB * sizeof *q8);
	MlBlockQ4_0 *q4 = malloc(NB * sizeof *q4);

	assert_true(y && q8 && q4);
	ml_quantize_row_q8_0(x, q8, NB * 32);
	ml_dequantize_row_q8_0(q8, y, NB * 32);
	for (int b = 0; b < NB; b++) {
		float amax = 0;

		for (int j = 0; j < 32; j++)
			amax = fmaxf(amax, fabsf(x[32 * b + j]));
		double dx = amax / 127.0, d = ml_fp16_to_fp32(q8[b].d);
		if (dx < 0x1p-14 || dx > 65504)  /* d not a normal f16 */
			continue;
		double bound = dx / 2 * (1 + 1e-6) + 127 * fabs(d - dx);

		for (int j = 0; j < 32; j++)
			assert_close(y[32 * b + j], x[32 * b + j], bound, 0);
	}
	ml_quantize_row_q4_0(x, q4, NB * 32);
	ml_dequantize_row_q4_0(q4, y, NB * 32);
	for (int b = 0; b < NB; b++) {
		float amax = 0, max = 0;

		for (int j = 0; j < 32; j++)
			if (fabsf(x[32 * b + j]) > amax) {
				amax = fabsf(x[32 * b + j]);
				max = x[32 * b + j];
			}
		double dx = fabs(max / 8.0), d = fabs(ml_fp16_to_fp32(q4[b].d));
		if (dx < 0x1p-14 || dx > 65504)
			continue;
		for (int j = 0; j < 32; j++) {
			double v = x[32 * b + j] / (max / -8.0);  /* in [-8, 8] */
			/* q clamps at 15 (+7 d): the far end is off by up to d */
			double bound = (v > 7.5 ? dx : dx / 2) * (1 + 1e-6) + 8 * fabs(d - dx);

			assert_close(y[32 * b + j], x[32 * b + j], bound, 0);
		}
	}
	free(x);
	free(y);
	free(q8);
	free(q4);
}

/* ---- dot products ---- */

static void
test_vec_dot_fast_vs_ref(void **state)
{
	static const int64_t ns[] = {32, 64, 96, 128, 160, 4096, 11008, 32 * 37};
	uint64_t s = 5;

	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		int64_t n = ns[t];
		float *a = random_row(n, 6 + t, 0), *b = random_row(n, 60 + t, 0);
		MlBlockQ8_0 *qa = malloc((size_t)n / 32 * sizeof *qa), *qb = malloc((size_t)n / 32 * sizeof *qb);
		MlBlockQ4_0 *q4 = malloc((size_t)n / 32 * sizeof *q4);
		uint16_t *ha = malloc((size_t)n * 2), *hb = malloc((size_t)n * 2);
		float ref, got;
		double mag8 = 0, mag4 = 0, magh = 0, magb = 0;

		assert_true(qa && qb && q4 && ha && hb);
		for (int64_t i = 0; i < n; i++) {
			a[i] = unif(&s);
			b[i] = unif(&s);
		}
		ml_quantize_row_q8_0(a, qa, n);
		ml_quantize_row_q8_0(b, qb, n);
		ml_quantize_row_q4_0(a, q4, n);
		/* Sum of |terms|, bounding the reordering error. */
		{
			float *da = malloc((size_t)n * 4), *db = malloc((size_t)n * 4), *d4 = malloc((size_t)n * 4);

			ml_dequantize_row_q8_0(qa, da, n);
			ml_dequantize_row_q8_0(qb, db, n);
			ml_dequantize_row_q4_0(q4, d4, n);
			for (int64_t i = 0; i < n; i++) {
				mag8 += fabs(da[i] * db[i]);
				mag4 += fabs(d4[i] * db[i]);
				magh += fabs(a[i] * b[i]);
			}
			magb = magh;
			free(da);
			free(db);
			free(d4);
		}
		ml_fp32_to_fp16_row(a, ha, n);
		ml_fp32_to_fp16_row(b, hb, n);
		for (int lv = ML_SIMD_SCALAR; lv <= ML_SIMD_AVX512; lv++) {
			ml_simd_cap(lv);
			ml_vec_dot_q8_0_q8_0_ref(n, &ref, qa, qb);
			ml_vec_dot_q8_0_q8_0(n, &got, qa, qb);
			assert_close(got, ref, 1e-6 * mag8, 0);
			ml_vec_dot_q4_0_q8_0_ref(n, &ref, q4, qb);
			ml_vec_dot_q4_0_q8_0(n, &got, q4, qb);
			assert_close(got, ref, 1e-6 * mag4, 0);
			ml_vec_dot_f16_ref(n - 3, &ref, ha + 1, hb + 2);  /* odd n, unaligned */
			ml_vec_dot_f16(n - 3, &got, ha + 1, hb + 2);
			assert_close(got, ref, 1e-5 * magh, 0);
			ml_fp32_to_bf16_row(a, ha, n);
			ml_fp32_to_bf16_row(b, hb, n);
			ml_vec_dot_bf16_ref(n - 5, &ref, ha + 3, hb);
			ml_vec_dot_bf16(n - 5, &got, ha + 3, hb);
			assert_close(got, ref, 1e-5 * magb, 0);
			ml_fp32_to_fp16_row(a, ha, n);
			ml_fp32_to_fp16_row(b, hb, n);
		}
		ml_simd_cap(ML_SIMD_AVX512);
		/* The q8x4 row (quant_impl.h): its _ref is the q8_0 _ref bit for
		 * bit, the AVX-512 VBMI kernel within the reordering bound. */
		{
			int64_t nb = n / ML_QK8_0;
			size_t rb = ml_q8x4_offset(nb) + (size_t)(nb / 4) * sizeof(MlQ8x4);
			uint8_t *row = aligned_alloc(64, (rb + 63) / 64 * 64);

			assert_non_null(row);
			memcpy(row, qb, (size_t)nb * sizeof(MlBlockQ8_0));
			ml_q8x4_fill(row, nb);
			ml_vec_dot_q4_0_q8_0_ref(n, &ref, q4, qb);
			ml_vec_dot_q4_0_q8x4_ref(n, &got, q4, row);
			assert_true(got == ref);
			if (ml_quant_kernels()->dot_q4_0_q8x4 != NULL) {
				ml_quant_kernels()->dot_q4_0_q8x4(n, &got, q4, row);
				assert_close(got, ref, 1e-6 * mag4, 0);
			}
			/* Two rows: q4 and, one row further, q4 with other nibbles. */
			{
				MlBlockQ4_0 *two = malloc(2 * (size_t)nb * sizeof *two);
				float *d2 = malloc((size_t)n * 4), *dy = malloc((size_t)n * 4);
				float s2[2], r2[2], want[2];
				double mag2[2] = {mag4, 0};

				assert_true(two && d2 && dy);
				memcpy(two, q4, (size_t)nb * sizeof *two);
				memcpy(two + nb, q4, (size_t)nb * sizeof *two);
				for (int64_t bi = 0; bi < nb; bi++)
					for (int j = 0; j < 16; j++)
						two[nb + bi].qs[j] ^= 0x5a;
				ml_dequantize_row_q4_0(two + nb, d2, n);
				ml_dequantize_row_q8_0(qb, dy, n);
				for (int64_t i = 0; i < n; i++)
					mag2[1] += fabs(d2[i] * dy[i]);
				ml_vec_dot_q4_0_q8_0_ref(n, &want[0], two, qb);
				ml_vec_dot_q4_0_q8_0_ref(n, &want[1], two + nb, qb);
				ml_vec_dot2_q4_0_q8x4_ref(n, r2, two, (size_t)nb * sizeof *two, row);
				assert_true(r2[0] == want[0] && r2[1] == want[1]);
				if (ml_quant_kernels()->dot2_q4_0_q8x4 != NULL) {
					ml_quant_kernels()->dot2_q4_0_q8x4(n, s2, two, (size_t)nb * sizeof *two, row);
					for (int u = 0; u < 2; u++)
						assert_close(s2[u], want[u], 1e-6 * mag2[u], 0);
				}
				free(two);
				free(d2);
				free(dy);
			}
			free(row);
		}
		/* The q8_0 dot against the double dot of the dequantized rows. */
		{
			float *da = malloc((size_t)n * 4), *db = malloc((size_t)n * 4);
			double want = 0;

			ml_dequantize_row_q4_0(q4, da, n);
			ml_dequantize_row_q8_0(qb, db, n);
			for (int64_t i = 0; i < n; i++)
				want += (double)da[i] * db[i];
			ml_vec_dot_q4_0_q8_0(n, &got, q4, qb);
			assert_close(got, want, 1e-6 * mag4, 0);
			free(da);
			free(db);
		}
		free(a);
		free(b);
		free(qa);
		free(qb);
		free(q4);
		free(ha);
		free(hb);
	}
}

/* ---- matrix product ---- */

static size_t
wrow_bytes(int wt, int64_t k)
{
	return wt == ML_Q8_0 ? (size_t)k / 32 * 34 : wt == ML_Q4_0 ? (size_t)k / 32 * 18 : (size_t)k * 2;
}

/* W [n, k] f32 to wtype, and back to f32 (what the product really uses). */
static void *
make_w(int wt, const float *wf, int64_t n, int64_t k, float *wd)
{
	uint8_t *w = malloc(wrow_bytes(wt, k) * (size_t)n);

	assert_non_null(w);
	for (int64_t r = 0; r < n; r++) {
		uint8_t *row = w + (size_t)r * wrow_bytes(wt, k);
		const float *src = wf + r * k;
		float *dst = wd + r * k;

		switch (wt) {
		case ML_Q8_0:
			ml_quantize_row_q8_0(src, (MlBlockQ8_0 *)row, k);
			ml_dequantize_row_q8_0((MlBlockQ8_0 *)row, dst, k);
			break;
		case ML_Q4_0:
			ml_quantize_row_q4_0(src, (MlBlockQ4_0 *)row, k);
			ml_dequantize_row_q4_0((MlBlockQ4_0 *)row, dst, k);
			break;
		case ML_F16:
			ml_fp32_to_fp16_row(src, (uint16_t *)row, k);
			ml_fp16_to_fp32_row((uint16_t *)row, dst, k);
			break;
		default:
			ml_fp32_to_bf16_row(src, (uint16_t *)row, k);
			ml_bf16_to_fp32_row((uint16_t *)row, dst, k);
			break;
		}
	}
	return w;
}

/* x as the product sees it: each row through the dot type and back. */
static void
x_as_dot_type(int wt, const float *x, int64_t m, int64_t k, float *xd)
{
	uint8_t *tmp = malloc((size_t)k * 2 + 64);

	assert_non_null(tmp);
	for (int64_t i = 0; i < m; i++) {
		if (wt == ML_Q8_0 || wt == ML_Q4_0) {
			ml_quantize_row_q8_0(x + i * k, (MlBlockQ8_0 *)tmp, k);
			ml_dequantize_row_q8_0((MlBlockQ8_0 *)tmp, xd + i * k, k);
		} else if (wt == ML_F16) {
			ml_fp32_to_fp16_row(x + i * k, (uint16_t *)tmp, k);
			ml_fp16_to_fp32_row((uint16_t *)tmp, xd + i * k, k);
		} else {
			ml_fp32_to_bf16_row(x + i * k, (uint16_t *)tmp, k);
			ml_bf16_to_fp32_row((uint16_t *)tmp, xd + i * k, k);
		}
	}
	free(tmp);
}

static void
check_mul_mat(int wt, int64_t n, int64_t k, int64_t m, uint64_t seed)
{
	float *wf = malloc((size_t)(n * k) * 4), *wd = malloc((size_t)(n * k) * 4);
	float *x = malloc((size_t)(m * k) * 4), *xd = malloc((size_t)(m * k) * 4);
	float *y = malloc((size_t)(m * n) * 4), *yr = malloc((size_t)(m * n) * 4);
	uint64_t s = seed;
	double num = 0, den = 0;
	AcErr err;

	assert_true(wf && wd && x && xd && y && yr);
	for (int64_t i = 0; i < n * k; i++)
		wf[i] = unif(&s);
	for (int64_t i = 0; i < m * k; i++)
		x[i] = unif(&s);
	void *w = make_w(wt, wf, n, k, wd);

	x_as_dot_type(wt, x, m, k, xd);
	assert_int_equal(ml_mul_mat_q(wt, w, n, k, x, m, y, NULL, 0, &err), AC_OK);
	assert_int_equal(ml_mul_mat_q_ref(wt, w, n, k, x, m, yr, &err), AC_OK);
	for (int64_t i = 0; i < m; i++)
		for (int64_t r = 0; r < n; r++) {
			double want = 0, mag = 0, plain = 0;

			for (int64_t j = 0; j < k; j++) {
				want += (double)xd[i * k + j] * wd[r * k + j];
				mag += fabs((double)xd[i * k + j] * wd[r * k + j]);
				plain += (double)x[i * k + j] * wf[r * k + j];
			}
			assert_close(y[i * n + r], want, 1e-5 * mag, 0);
			assert_close(yr[i * n + r], want, 1e-5 * mag, 0);
			num += (y[i * n + r] - plain) * (y[i * n + r] - plain);
			den += plain * plain;
		}
	/* Against the plain f32 product: the quantization's relative error
	 * (q4_0 keeps ~3 bits, so its error is the largest). */
	double rel = sqrt(num / den), tol = wt == ML_Q4_0 ? 0.12 : wt == ML_BF16 ? 0.01 : 0.02;

	if (!(rel < tol)) {
		print_error("type %d [%lld,%lld]x[%lld,%lld]': relative error %g, want < %g\n", wt,
		            (long long)m, (long long)k, (long long)n, (long long)k, rel, tol);
		fail();
	}
	free(w);
	free(wf);
	free(wd);
	free(x);
	free(xd);
	free(y);
	free(yr);
}

static void
test_mul_mat_q(void **state)
{
	static const int64_t shapes[][3] = {  /* n, k, m */
		{1, 32, 1}, {7, 64, 3}, {33, 256, 5}, {129, 96, 1}, {65, 512, 17}, {300, 1024, 2},
	};

	for (int wt = 0; wt < ML_DTYPE_COUNT; wt++) if (wt == ML_F16 || wt == ML_BF16 || wt == ML_Q8_0 || wt == ML_Q4_0)
		for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
			check_mul_mat(wt, shapes[i][0], shapes[i][1], shapes[i][2], 100 + i);
}

static void
test_mul_mat_q_errors(void **state)
{
	float x[64] = {0}, y[4];
	MlBlockQ8_0 w[4];
	_Alignas(64) uint8_t scratch[256];
	AcErr err;

	memset(w, 0, sizeof w);
	assert_int_equal(ml_mul_mat_q(99, w, 2, 64, x, 1, y, NULL, 0, &err), AC_EDTYPE);
	assert_string_equal(err.msg, "mul_mat_q: unknown weight type 99");
	assert_int_equal(ml_mul_mat_q(ML_Q8_0, w, 2, 48, x, 1, y, NULL, 0, &err), AC_EINVAL);
	assert_string_equal(err.msg, "mul_mat_q: w [2,48] x [1,48]: want n >= 1, m in 1..2^31-1 "
	                             "and k a positive multiple of 32");
	assert_int_equal(ml_mul_mat_q(ML_Q8_0, NULL, 2, 64, x, 1, y, NULL, 0, &err), AC_EINVAL);
	assert_string_equal(err.msg, "mul_mat_q: nil w");
	assert_int_equal(ml_mul_mat_q(ML_Q8_0, w, 2, 64, x, 1, y, scratch, 8, &err), AC_EINVAL);
	assert_int_equal(ml_mul_mat_q(ML_Q8_0, w, 2, 64, x, 1, y, scratch + 1, 128, &err),
	                 AC_EINVAL);
	assert_int_equal(ml_mul_mat_q_scratch_bytes(ML_Q4_0, 64, 1), 128);
	assert_int_equal(ml_mul_mat_q(ML_Q8_0, w, 2, 64, x, 1, y, scratch, 128, &err), AC_OK);
	assert_true(y[0] == 0 && y[1] == 0);
}

/* ---- pool ---- */

typedef struct PoolCtx {
	atomic_int hits[1000];
	atomic_int nested;
} PoolCtx;

static void
nested_task(void *arg, int task, int nthreads)
{
	atomic_fetch_add(&((PoolCtx *)arg)->nested, 1);
}

static void
pool_task(void *arg, int task, int nthreads)
{
	PoolCtx *c = arg;

	atomic_fetch_add(&c->hits[task], 1);
	if (task % 100 == 0)  /* a call from inside a task runs inline */
		ml_pool_run(3, nested_task, c);
}

static void
test_pool(void **state)
{
	static PoolCtx c;

	assert_true(ml_pool_threads() >= 1);
	for (int rep = 0; rep < 50; rep++) {
		memset(&c, 0, sizeof c);
		ml_pool_run(1000, pool_task, &c);
		for (int i = 0; i < 1000; i++)
			assert_int_equal(atomic_load(&c.hits[i]), 1);
		assert_int_equal(atomic_load(&c.nested), 30);
	}
	ml_pool_run(0, pool_task, &c);
}

/* ---- ggml ---- */

typedef struct {
	uint16_t bits;
} GgmlBf16;

static struct {
	void *h;
	char path[1024];
	char why[1400];
	void (*q8)(const float *, void *, int64_t);
	void (*q4)(const float *, void *, int64_t);
	void (*dq8)(const void *, float *, int64_t);
	void (*dq4)(const void *, float *, int64_t);
	uint16_t (*f16)(float);
	GgmlBf16 (*bf16)(float);
} gg;

#define GGML_DEFAULT "build/npm/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so"

/* Loads ggml once; 0 with gg.why set if it cannot. */
static int
ggml_load(void)
{
	static int tried, ok;
	const char *p = getenv("ACHERON_GGML_LIB");

	if (tried)
		return ok;
	tried = 1;
	snprintf(gg.path, sizeof gg.path, "%s", p != NULL && *p ? p : GGML_DEFAULT);
	if (access(gg.path, R_OK) != 0) {
		snprintf(gg.why, sizeof gg.why,
		         "ggml's library not found at %s (set ACHERON_GGML_LIB, or make build/npm/.ggml)",
		         gg.path);
		return 0;
	}
	gg.h = dlopen(gg.path, RTLD_LAZY | RTLD_LOCAL);
	if (gg.h == NULL) {
		snprintf(gg.why, sizeof gg.why, "cannot load %s: %s", gg.path, dlerror());
		return 0;
	}
	*(void **)&gg.q8 = dlsym(gg.h, "quantize_row_q8_0_ref");
	*(void **)&gg.q4 = dlsym(gg.h, "quantize_row_q4_0_ref");
	*(void **)&gg.dq8 = dlsym(gg.h, "dequantize_row_q8_0");
	*(void **)&gg.dq4 = dlsym(gg.h, "dequantize_row_q4_0");
	*(void **)&gg.f16 = dlsym(gg.h, "ggml_fp32_to_fp16");
	*(void **)&gg.bf16 = dlsym(gg.h, "ggml_fp32_to_bf16");
	if (!gg.q8 || !gg.q4 || !gg.dq8 || !gg.dq4 || !gg.f16 || !gg.bf16) {
		snprintf(gg.why, sizeof gg.why, "%s lacks a function this test calls", gg.path);
		return 0;
	}
	return ok = 1;
}

static int
ggml_required(void)
{
	const char *r = getenv("ACHERON_REQUIRE_GGML");

	return r != NULL && strcmp(r, "1") == 0;
}

static void
ggml_missing(void **state)
{
	print_error("%s\n", gg.why);
	fail();
}

static void
ggml_skipped(void **state)
{
	static int said;

	if (!said++)
		fprintf(stderr, "# SKIP quant: %s\n", gg.why);
}

static void
test_ggml_quantize(void **state)
{
	enum { N = 16384 };  /* blocks */
	float *x = random_row(N * 32, 7, 1), *y = malloc(N * 32 * 4), *yg = malloc(N * 32 * 4);
	MlBlockQ8_0 *a8 = malloc(N * sizeof *a8), *g8 = malloc(N * sizeof *g8);
	MlBlockQ4_0 *a4 = malloc(N * sizeof *a4), *g4 = malloc(N * sizeof *g4);

	assert_true(y && yg && a8 && g8 && a4 && g4);
	gg.q8(x, g8, N * 32);
	gg.q4(x, g4, N * 32);
	for (int lv = ML_SIMD_SCALAR; lv <= ML_SIMD_AVX512; lv++) {
		ml_simd_cap(lv);
		ml_quantize_row_q8_0(x, a8, N * 32);
		ml_quantize_row_q4_0(x, a4, N * 32);
		for (int b = 0; b < N; b++)
			if (memcmp(&a8[b], &g8[b], sizeof a8[b]) != 0 || memcmp(&a4[b], &g4[b], sizeof a4[b]) != 0) {
				print_error("level %s: block %d (first x %g) differs from ggml's (q8_0 %d, q4_0 %d)\n",
				            ml_simd_name(lv), b, (double)x[32 * b],
				            memcmp(&a8[b], &g8[b], sizeof a8[b]) != 0,
				            memcmp(&a4[b], &g4[b], sizeof a4[b]) != 0);
				fail();
			}
	}
	ml_simd_cap(ML_SIMD_AVX512);
	ml_dequantize_row_q8_0(a8, y, N * 32);
	gg.dq8(g8, yg, N * 32);
	assert_memory_equal(y, yg, (size_t)N * 32 * 4);
	ml_dequantize_row_q4_0(a4, y, N * 32);
	gg.dq4(g4, yg, N * 32);
	assert_memory_equal(y, yg, (size_t)N * 32 * 4);
	free(x);
	free(y);
	free(yg);
	free(a8);
	free(g8);
	free(a4);
	free(g4);
}

static void
test_ggml_half(void **state)
{
	uint64_t s = 8;

	for (int i = 0; i < 2000000; i++) {
		uint32_t u = (uint32_t)rnd(&s);

		if (i & 1)
			u = (u & 0x807fffff) | (uint32_t)(100 + (u >> 8) % 46) << 23;
		if (i < 1 << 16)  /* every f16 value's f32, and its neighbours */
			u = f32_bits(ml_fp16_to_fp32((uint16_t)i)) + (uint32_t)(int)(rnd(&s) % 3) - 1;
		float f = bits_f32(u);

		if (isnan(f)) {  /* ggml maps every NaN to 0x7e00 | sign; F16C keeps payload */
			assert_int_equal(gg.f16(f) & 0x7e00, ml_fp32_to_fp16(f) & 0x7e00);
		} else if (gg.f16(f) != ml_fp32_to_fp16(f)) {
			print_error("fp32_to_fp16(0x%08x): ours 0x%04x, ggml 0x%04x\n", u, ml_fp32_to_fp16(f),
			            gg.f16(f));
			fail();
		}
		if (gg.bf16(f).bits != ml_fp32_to_bf16(f)) {
			print_error("fp32_to_bf16(0x%08x): ours 0x%04x, ggml 0x%04x\n", u, ml_fp32_to_bf16(f),
			            gg.bf16(f).bits);
			fail();
		}
	}
}

/* A test that needs ggml: it runs, fails (ACHERON_REQUIRE_GGML=1) or is a
 * TAP skip with the reason in its name (cmocka's skip() prints "not ok"). */
static struct CMUnitTest
ggml_test(const char *name, void (*f)(void **))
{
	static char names[4][1600];
	static int used;
	struct CMUnitTest t = {.name = name, .test_func = f};

	if (ggml_load())
		return t;
	if (ggml_required()) {
		t.test_func = ggml_missing;
		return t;
	}
	snprintf(names[used], sizeof names[used], "%s # SKIP %s", name, gg.why);
	t.name = names[used++];
	t.test_func = ggml_skipped;
	return t;
}

TEST_MAIN("ml/quant",
          cmocka_unit_test(test_half_hand),
          cmocka_unit_test(test_half_f16c),
          cmocka_unit_test(test_half_rows),
          cmocka_unit_test(test_quantize_fast_vs_ref),
          cmocka_unit_test(test_dequantize_bounds),
          cmocka_unit_test(test_vec_dot_fast_vs_ref),
          cmocka_unit_test(test_mul_mat_q),
          cmocka_unit_test(test_mul_mat_q_errors),
          cmocka_unit_test(test_pool),
          ggml_test("test_ggml_quantize", test_ggml_quantize),
          ggml_test("test_ggml_half", test_ggml_half))
