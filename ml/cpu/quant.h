/*
 * ml/cpu quant: ggml's q8_0 and q4_0 block formats, IEEE half (f16) and
 * bfloat16 (bf16) conversion, quantized dot products, a matrix product with
 * quantized or half-precision weights, and the persistent thread pool those
 * kernels run on.  The functions work on raw rows (pointer + element count),
 * not MlTensor; to be folded into ml/ml.h once MlTensor carries dtypes.
 *
 * Conventions (besides ml/ml.h's):
 * - A "row" of n elements of a block type is n/32 consecutive blocks; n must
 *   be a multiple of 32 (ML_QK8_0 == ML_QK4_0 == 32).  Functions that take
 *   n do not check it beyond what their contract says: a caller that passes
 *   another n gets the first n/32 blocks' worth (the row functions) or an
 *   AC_EINVAL status (ml_mul_mat_q, which checks its arguments).
 * - f16 and bf16 values are uint16_t bit patterns.
 * - Every optimised kernel has a scalar `_ref` twin with the same contract.
 *   The quantizers' fast paths give the same bytes as their refs; the dot
 *   products' fast paths differ from the refs only in the order of the f32
 *   additions (so within a few ulp of the sum of |terms|).
 * - The fast path is chosen once, at first use, by CPUID
 *   (__builtin_cpu_supports): AVX-512 F+BW+VNNI, else AVX2+FMA+F16C, else
 *   the portable C (the refs).  ml_simd_level says which; ml_simd_cap lowers
 *   it for tests and benchmarks.
 * - Thread safety: unless noted, a function touches only its arguments and
 *   may run concurrently with any other on disjoint outputs.
 *
 * Follows: ggml ggml-common.h (block_q8_0, block_q4_0) and ggml-quants.c
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref, dequantize_row_*),
 * ggml-cpu's quants.c (ggml_vec_dot_q8_0_q8_0, ggml_vec_dot_q4_0_q8_0) and
 * ggml-impl.h (ggml_compute_fp32_to_fp16, ggml_compute_fp32_to_bf16);
 * ggml_compute_forward_mul_mat for ml_mul_mat_q.
 */
#ifndef ML_CPU_QUANT_H
#define ML_CPU_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

enum {
	ML_QK8_0 = 32,  /* elements per q8_0 block */
	ML_QK4_0 = 32,  /* elements per q4_0 block */
};

/*
 * 32 elements x[j] = d * qs[j], qs in -127..127 (what the quantizer makes;
 * -128 is outside the dot products' contract).
 * Follows: ggml block_q8_0.
 */
typedef struct MlBlockQ8_0 {
	uint16_t d;          /* scale, f16 bits: max |x| / 127 */
	int8_t qs[ML_QK8_0]; /* quants, element j at qs[j] */
} MlBlockQ8_0;
_Static_assert(sizeof(MlBlockQ8_0) == 2 + ML_QK8_0, "MlBlockQ8_0 is 34 bytes, as ggml's");

/*
 * 32 elements x[j] = d * (q[j] - 8), q in 0..15: element j (j < 16) is the
 * low nibble of qs[j], element j + 16 the high nibble of qs[j].
 * Follows: ggml block_q4_0.
 */
typedef struct MlBlockQ4_0 {
	uint16_t d;              /* scale, f16 bits: (the x of largest |x|) / -8 */
	uint8_t qs[ML_QK4_0 / 2]; /* two 4-bit quants per byte */
} MlBlockQ4_0;
_Static_assert(sizeof(MlBlockQ4_0) == 2 + ML_QK4_0 / 2, "MlBlockQ4_0 is 18 bytes, as ggml's");

/* Weight types ml_mul_mat_q accepts.  Placeholder names until ml/ml.h's
 * dtype list (ML_TYPE_*) exists; the integrator maps them. */
typedef enum MlQuantType {
	ML_QUANT_F16 = 1,  /* IEEE binary16 */
	ML_QUANT_BF16 = 2, /* bfloat16 */
	ML_QUANT_Q8_0 = 3, /* MlBlockQ8_0 blocks */
	ML_QUANT_Q4_0 = 4, /* MlBlockQ4_0 blocks */
} MlQuantType;

/* The code paths the dispatcher chooses between, lowest first. */
typedef enum MlSimd {
	ML_SIMD_SCALAR = 0, /* portable C: the _ref functions */
	ML_SIMD_AVX2 = 1,   /* AVX2 + FMA + F16C */
	ML_SIMD_AVX512 = 2, /* AVX-512 F + BW + VL + VNNI (and AVX2's set) */
} MlSimd;

/* ---- Half precision (half.c) ---- */

/*
 * One f32 to f16: round to nearest, ties to even; values >= 65520 in
 * magnitude become inf, those below 2^-25 become (signed) zero, subnormals
 * are kept; a NaN stays NaN: sign, exponent all ones, the quiet bit set and
 * the top 9 of the remaining payload bits.  Bit for bit what x86's F16C
 * VCVTPS2PH with imm 0 gives; on non-NaN inputs also what ggml's portable
 * ggml_compute_fp32_to_fp16 gives (that one maps every NaN to 0x7e00 with
 * the sign).
 * Thread safety: pure.
 */
uint16_t ml_fp32_to_fp16(float f);

/* One f16 to f32, exact (every f16 is an f32; NaN payloads are kept).
 * Thread safety: pure. */
float ml_fp16_to_fp32(uint16_t h);

/*
 * One f32 to bf16: round to nearest, ties to even, subnormals kept (not
 * flushed); a NaN keeps its top 16 bits with the quiet bit (0x40) set.
 * Follows: ggml_compute_fp32_to_bf16 (and PyTorch's round_to_nearest_even).
 * Thread safety: pure.
 */
uint16_t ml_fp32_to_bf16(float f);

/* One bf16 to f32, exact (the 16 bits become the f32's top half). */
float ml_bf16_to_fp32(uint16_t h);

/*
 * Row conversions: n elements from x to y, each as the scalar function.
 * The plain names take the fast path (F16C / AVX-512F for f16, AVX2
 * integer code for bf16), the _ref twins a scalar loop; the results are
 * identical.  n >= 0; x and y must not overlap.
 * Shapes/dtypes: x: [n], y: [n].  Ownership: borrowed.
 */
void ml_fp32_to_fp16_row(const float *x, uint16_t *y, int64_t n);
void ml_fp32_to_fp16_row_ref(const float *x, uint16_t *y, int64_t n);
void ml_fp16_to_fp32_row(const uint16_t *x, float *y, int64_t n);
void ml_fp16_to_fp32_row_ref(const uint16_t *x, float *y, int64_t n);
void ml_fp32_to_bf16_row(const float *x, uint16_t *y, int64_t n);
void ml_fp32_to_bf16_row_ref(const float *x, uint16_t *y, int64_t n);
void ml_bf16_to_fp32_row(const uint16_t *x, float *y, int64_t n);
void ml_bf16_to_fp32_row_ref(const uint16_t *x, float *y, int64_t n);

/* ---- Blocks (quant.c, quant_avx2.c, quant_avx512.c) ---- */

/*
 * Quantizes n f32 values (n a multiple of 32) to n/32 q8_0 blocks.  Per
 * block: amax = max |x|, d = amax / 127 (f32), id = d != 0 ? 1/d : 0,
 * qs[j] = roundf(x[j] * id) (half away from zero), and the block stores
 * d rounded to f16.  Inputs must be finite (a NaN or inf gives unspecified
 * quants, as in ggml).  The fast variant gives the same bytes as _ref,
 * which gives the same bytes as ggml's quantize_row_q8_0_ref.
 * Shapes/dtypes: x: [n] f32, y: [n/32] MlBlockQ8_0.  Ownership: borrowed.
 * Follows: ggml quantize_row_q8_0_ref.
 */
void ml_quantize_row_q8_0(const float *x, MlBlockQ8_0 *y, int64_t n);
void ml_quantize_row_q8_0_ref(const float *x, MlBlockQ8_0 *y, int64_t n);

/*
 * Quantizes n f32 values (n a multiple of 32) to n/32 q4_0 blocks.  Per
 * block: max = the first x of largest |x| (its sign kept), d = max / -8,
 * id = d != 0 ? 1/d : 0, q[j] = min(15, (int8_t)(x[j] * id + 8.5f)) (so the
 * max itself maps to q 0, i.e. -8 * d), the block stores d rounded to f16
 * (an all-zero block stores -0, 0x8000, as ggml does).  Inputs must be
 * finite.  Byte-identical fast variant, and to ggml's quantize_row_q4_0_ref.
 * Shapes/dtypes: x: [n] f32, y: [n/32] MlBlockQ4_0.  Ownership: borrowed.
 * Follows: ggml quantize_row_q4_0_ref.
 */
void ml_quantize_row_q4_0(const float *x, MlBlockQ4_0 *y, int64_t n);
void ml_quantize_row_q4_0_ref(const float *x, MlBlockQ4_0 *y, int64_t n);

/*
 * Dequantizes n/32 blocks to n f32 values: y = f32(d) * qs (q8_0),
 * y = f32(d) * (q - 8) (q4_0).  Exact in f32 (a product of an f16 and a
 * small integer).  Error of a round trip, per element, against the input
 * x of its block (dx = the f32 scale before its f16 rounding): q8_0
 * |x - y| <= dx/2 + 127 * |d - dx|; q4_0 |x - y| <= dx/2 for elements in
 * the block's range, dx for the far end (q clamps at 15, i.e. +7 d, while
 * the opposite extreme is +8 d), each plus 8 * |d - dx| from rounding d.
 * Shapes/dtypes: x: [n/32] blocks, y: [n] f32.  Ownership: borrowed.
 * Follows: ggml dequantize_row_q8_0, dequantize_row_q4_0.
 */
void ml_dequantize_row_q8_0(const MlBlockQ8_0 *x, float *y, int64_t n);
void ml_dequantize_row_q4_0(const MlBlockQ4_0 *x, float *y, int64_t n);

/* ---- Dot products (quant.c, quant_avx2.c, quant_avx512.c) ---- */

/*
 * *s = sum over the n/32 block pairs of d_x * d_y * (integer dot of the
 * quants): the dot of x and y dequantized, with the integer sums exact and
 * the block sums added in f32.  n a multiple of 32.
 * Shapes/dtypes: x: [n/32] MlBlockQ8_0 (or MlBlockQ4_0), y: [n/32]
 *   MlBlockQ8_0, *s: one f32.  Ownership: borrowed.
 * Follows: ggml ggml_vec_dot_q8_0_q8_0 and ggml_vec_dot_q4_0_q8_0 (nrc 1).
 */
void ml_vec_dot_q8_0_q8_0(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_q8_0_q8_0_ref(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_q4_0_q8_0(int64_t n, float *s, const void *x, const void *y);
void ml_vec_dot_q4_0_q8_0_ref(int64_t n, float *s, const void *x, const void *y);

/*
 * *s = sum of f32(x[i]) * f32(y[i]) over n elements (any n >= 0), products
 * and sums in f32 (the _ref adds in order, the fast path in 8 or 16 lanes).
 * Shapes/dtypes: x, y: [n] f16 (or bf16) bits.  Ownership: borrowed.
 * Follows: ggml ggml_vec_dot_f16, ggml_vec_dot_bf16.
 */
void ml_vec_dot_f16(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_vec_dot_f16_ref(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_vec_dot_bf16(int64_t n, float *s, const uint16_t *x, const uint16_t *y);
void ml_vec_dot_bf16_ref(int64_t n, float *s, const uint16_t *x, const uint16_t *y);

/* ---- Dispatch (quant.c) ---- */

/* The code path the fast functions use now (MlSimd).  Thread safety: safe. */
int ml_simd_level(void);

/* Its name: "scalar", "avx2" or "avx512-vnni". */
const char *ml_simd_name(int level);

/*
 * Lowers (or restores) the path the fast functions use to at most cap,
 * never above what the CPU has; returns the level now in force.  For tests
 * and benchmarks that compare the variants.
 * Thread safety: not with concurrent calls of the fast functions.
 */
int ml_simd_cap(int cap);

/* ---- Matrix product with quantized weights (matmul_q.c) ---- */

/*
 * Bytes of scratch ml_mul_mat_q needs for m activation rows of k elements
 * against weights of type wtype: the activations converted to the dot
 * product's type (q8_0 blocks for q8_0/q4_0 weights, as ggml's vec_dot_type;
 * f16 or bf16 for f16/bf16 weights), rows 64-byte aligned.  0 for a bad
 * wtype or k.
 */
size_t ml_mul_mat_q_scratch_bytes(int wtype, int64_t k, int64_t m);

/*
 * y = x W^T: y[i][r] = dot(x[i], W[r]) for i < m, r < n, with x's rows first
 * converted to W's dot type (q8_0 for q8_0 and q4_0 W, f16 / bf16 for f16 /
 * bf16 W) and each dot taken by the matching ml_vec_dot_* fast path, so
 * y[i][r] is exactly ml_vec_dot_*(k, ..., W[r], converted x[i]).  Rows of W
 * are split among the pool's threads (ml_pool_run) in chunks of rows; each
 * row of W is dotted with every x row while it is in L1, so W is read from
 * memory once per call.
 * Shapes/dtypes: w: [n, k] of wtype, each row k/32 blocks (q8_0, q4_0) or k
 *   16-bit values (f16, bf16), rows contiguous; x: [m, k] f32 row-major;
 *   y: [m, n] f32 row-major, overwritten.  k a positive multiple of 32,
 *   n >= 1, 1 <= m < 2^31.
 * Units: scratch_bytes in bytes; scratch 64-byte aligned.
 * Ownership: all borrowed.  scratch may be NULL: then one buffer of
 *   ml_mul_mat_q_scratch_bytes is allocated for the call and freed before
 *   it returns (never inside the kernel loop).
 * Errors: AC_EINVAL for a NULL operand, n or m out of range, k not a
 *   positive multiple of 32, or scratch too small or misaligned; AC_EDTYPE for an unknown
 *   wtype; AC_ENOMEM if the scratch allocation fails.  y is untouched on
 *   error.
 * Thread safety: safe (y must not be shared); concurrent calls from several
 *   threads are correct, the second running on its own thread while the
 *   pool is busy (see ml_pool_run).
 * Follows: ggml ggml_compute_forward_mul_mat (vec_dot path, src1 converted
 *   to vec_dot_type first).
 */
int ml_mul_mat_q(int wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m,
                 float *y, void *scratch, size_t scratch_bytes, AcErr *err);

/* The same computed by the _ref dot products and conversions on the calling
 * thread only; for tests. */
int ml_mul_mat_q_ref(int wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m,
                     float *y, AcErr *err);

/* ---- Thread pool (pool.c) ---- */

/*
 * Runs fn(ctx, task, nthreads) once for each task in 0..ntasks-1 and
 * returns when all have returned.  Tasks are taken in increasing order by
 * whichever thread is free, the caller's thread included, so fn must not
 * depend on which thread runs it; nthreads is how many threads share this
 * call (1 when it runs inline), for sizing per-thread work.  ntasks <= 0
 * returns at once.
 * The pool is made on first use: ACHERON_THREADS threads if that is set to
 * 1..256, else the online CPU count, less one for the caller.  Threads
 * sleep on a condition variable between calls (no spinning), so they use
 * no CPU outside ml calls and do not compete with OpenBLAS's own threads,
 * which run only inside its sgemm calls: ml never runs a pool job and an
 * sgemm at once from one thread.  Callers that run both concurrently from
 * several threads oversubscribe the cores; set ACHERON_THREADS or
 * OPENBLAS_NUM_THREADS to divide them.
 * No allocation per call.  If thread creation fails the pool has fewer
 * (or no) workers and calls run on the caller's thread.
 * Ownership: ctx is borrowed for the call.
 * Thread safety: safe; one call runs on the pool at a time, and a call made
 *   while the pool is busy (from another thread, or from inside fn) runs
 *   all its tasks inline on its own thread instead of waiting.
 * Follows: ggml's ggml_threadpool (the caller is thread 0), OpenMP's
 *   dynamic schedule.
 */
void ml_pool_run(int ntasks, void (*fn)(void *ctx, int task, int nthreads), void *ctx);

/* Threads a pool call may use, the caller's included (>= 1).  Makes the
 * pool if it does not exist yet.  Thread safety: safe. */
int ml_pool_threads(void);

#endif
