/*
 * ml: f32 tensors and the CPU kernels that train a small network on them:
 * matrix multiply through OpenBLAS, broadcast add, ReLU, softmax
 * cross-entropy, SGD and Adam, seeded permutations and row gathers, and an
 * IDX (MNIST) reader.  The VM's $Tensor module (module/tensor.m) is glue over
 * these functions.
 *
 * Conventions for the whole header:
 * - Shapes are written `x: [N, C] f32`, outermost dimension first (PyTorch
 *   order).  ggml writes ne[] innermost first; reverse at any file boundary
 *   that uses ggml order.
 * - Kernels see a tensor as a row-major matrix: rows = shape[0], cols = the
 *   product of the other dimensions (an [N, 28, 28] tensor is N x 784).  Two
 *   tensors "agree" when their rows and cols agree.
 * - Units: MlTensor.shape is in elements, MlTensor.stride in bytes (ggml nb).
 * - Errors: functions return AC_OK or a negative AC_E*, constructors a
 *   pointer or NULL, and both fill a nullable AcErr * with one line that
 *   names the function and the shapes ("gemm: a [64,784] and b [256,10] do
 *   not agree").  A kernel that fails has written nothing.  Passing a NULL
 *   tensor is AC_EINVAL.  No function exits or aborts.
 * - Outputs come first (Torch7 THNN order).
 * - Thread safety: unless noted, a function touches only its arguments;
 *   calls on disjoint tensors may run concurrently, calls that write the same
 *   tensor may not.  Reference counts are atomic.
 *
 * Follows: house style (shared/style.md); ggml ggml_tensor (ne/nb);
 * Torch7 THNN argument order; PyTorch torch.optim.SGD and torch.optim.Adam.
 */
#ifndef ML_ML_H
#define ML_ML_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

enum {
	ML_MAX_DIMS = 4,                     /* most dimensions a tensor has */
	ML_DATA_ALIGN_BYTES = 64,            /* alignment of MlTensor.data */
};

/* Most elements one tensor may hold (2^31 - 1, 8 GiB of f32): keeps rows,
 * cols and leading dimensions inside BLAS's 32-bit int. */
#define ML_TENSOR_MAX_NUMEL ((int64_t)INT32_MAX)

/* Most elements ml_idx_load accepts (2^28, 1 GiB of f32), so that a corrupt
 * header cannot ask for an absurd allocation. */
#define ML_IDX_MAX_NUMEL ((int64_t)1 << 28)

/*
 * An f32 tensor of 1..4 dimensions, contiguous and row-major, its elements
 * 64-byte aligned.  Header and elements are one allocation, freed when the
 * last reference is dropped with ml_tensor_unref.  Treat every field as
 * read-only except the elements behind data.
 *
 * Units: shape[] in elements, stride[] in bytes, outermost dimension first:
 * stride[ndim-1] == sizeof(float), stride[i] == stride[i+1] * shape[i+1].
 * Unused entries (i >= ndim) hold shape 1 and stride sizeof(float), so the
 * product of all ML_MAX_DIMS shapes is the element count.
 *
 * Follows: ggml ggml_tensor (ne[] in elements, nb[] in bytes), with the
 * dimension order reversed to PyTorch's.
 */
typedef struct MlTensor {
	float *data;                   /* numel elements, ML_DATA_ALIGN_BYTES aligned */
	int ndim;                      /* dimensions in use, 1..ML_MAX_DIMS */
	int64_t shape[ML_MAX_DIMS];    /* elements along each dimension, outermost first */
	size_t stride[ML_MAX_DIMS];    /* bytes between neighbours along each dimension */
	atomic_int refs;               /* reference count; freed when it reaches 0 */
} MlTensor;

/* ---- Tensors (tensor.c) ---- */

/*
 * Makes a zero-filled tensor of the given shape.
 * Shapes/dtypes: shape[0..ndim-1] elements, outermost first; f32.
 * Ownership: shape is borrowed.  Caller owns the one reference returned;
 *   drop it with ml_tensor_unref.
 * Errors: NULL with AC_EINVAL if ndim is not 1..4 or a dimension is not
 *   positive, AC_ERANGE if the element count exceeds ML_TENSOR_MAX_NUMEL,
 *   AC_ENOMEM if allocation fails.
 * Thread safety: safe.
 */
MlTensor *ml_tensor_new(int ndim, const int64_t *shape, AcErr *err);

/*
 * Makes a tensor of Normal(0, std) elements, the same for the same seed on
 * every machine (up to libm's log/cos/sin rounding).
 * The generator is an MlRng seeded with seed; elements are produced in
 * row-major order, two at a time by Box-Muller on u1 = 1 - ml_rng_uniform,
 * u2 = ml_rng_uniform: sqrt(-2 ln u1) * (cos 2 pi u2, sin 2 pi u2), computed
 * in double and scaled by std.
 * Shapes/dtypes: as ml_tensor_new; std >= 0.
 * Ownership: as ml_tensor_new.
 * Errors: as ml_tensor_new; AC_EINVAL if std is negative or not finite.
 * Thread safety: safe.
 * Follows: Box & Muller 1958; Blackman & Vigna xoshiro256**.
 */
MlTensor *ml_tensor_randn(int ndim, const int64_t *shape, double std, uint64_t seed,
                          AcErr *err);

/*
 * Gives a tensor a new shape with the same number of elements, in place
 * (the elements are contiguous, so this is a view change, as PyTorch's view).
 * Shapes/dtypes: shape[0..ndim-1] elements, outermost first; f32.
 * Ownership: t and shape are borrowed.
 * Errors: AC_EINVAL for ndim outside 1..4 or a non-positive dimension,
 *   AC_ESHAPE if the element counts differ; t is unchanged on error.
 * Thread safety: not with other users of t.
 */
int ml_tensor_reshape(MlTensor *t, int ndim, const int64_t *shape, AcErr *err);

/* Adds a reference to t and returns t.  t may be NULL (returns NULL).
 * Thread safety: atomic; safe while the caller holds a reference. */
MlTensor *ml_tensor_ref(MlTensor *t);

/* Drops a reference; frees the tensor when the count reaches zero.  Accepts
 * NULL.  Thread safety: atomic; the last unref must not race a ref. */
void ml_tensor_unref(MlTensor *t);

/* Rows of the matrix view: shape[0].  t must not be NULL (as for cols and
 * numel).  Thread safety: safe. */
int64_t ml_tensor_rows(const MlTensor *t);

/* Cols of the matrix view: the product of shape[1..ndim-1], 1 for a 1-D
 * tensor.  Thread safety: safe. */
int64_t ml_tensor_cols(const MlTensor *t);

/* Element count: the product of all dimensions.  Thread safety: safe. */
int64_t ml_tensor_numel(const MlTensor *t);

/* ---- Random numbers (random.c) ---- */

/*
 * A seeded pseudo-random generator: xoshiro256** whose 256-bit state is four
 * successive splitmix64 outputs starting from the seed.  Fields are private.
 * Thread safety: one generator per thread.
 * Follows: Blackman & Vigna, xoshiro256** 1.0 and splitmix64 (prng.di.unimi.it).
 */
typedef struct MlRng {
	uint64_t s[4];  /* xoshiro256** state, never all zero */
} MlRng;

/* Seeds r from seed (any value, 0 included). */
void ml_rng_seed(MlRng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t ml_rng_next(MlRng *r);

/* A uniform integer in [0, n), unbiased (rejection on the low remainder);
 * n must be >= 1 (0 returns 0). */
uint64_t ml_rng_below(MlRng *r, uint64_t n);

/* A uniform double in [0, 1): the top 53 bits of ml_rng_next times 2^-53. */
double ml_rng_uniform(MlRng *r);

/*
 * Writes a uniformly random permutation of 0..n-1 to out, Fisher-Yates from
 * an MlRng seeded with seed: out[i] = i, then for i = n-1 down to 1 swap
 * out[i] with out[ml_rng_below(r, i + 1)].
 * Shapes/dtypes: out: [n] int32.
 * Ownership: out is borrowed and written.
 * Errors: AC_EINVAL if n < 0 or out is NULL with n > 0.
 * Thread safety: safe.
 * Follows: Knuth TAOCP 3.4.2 Algorithm P.
 */
int ml_perm(int32_t n, uint64_t seed, int32_t *out, AcErr *err);

/* ---- Files (idx.c) ---- */

/*
 * Reads an IDX file (the MNIST / Fashion-MNIST format) through zlib, so gzip
 * and plain files both work.  The header is a big-endian magic 0x0000TTDD
 * (TT the element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
 * 0x0E f64; DD the dimension count, 1..4), then DD big-endian u32
 * dimensions, then the elements, big-endian, row-major, exactly filling the
 * rest of the file.  Every type is converted to f32 values (u8 becomes
 * 0..255; f64 is rounded).
 * Shapes/dtypes: *t has the file's shape: [60000, 28, 28] f32 for the
 *   Fashion-MNIST training images, [60000] for their labels.
 * Ownership: path is borrowed.  On success the caller owns *t (one
 *   reference; drop with ml_tensor_unref); on failure *t is NULL.
 * Errors: AC_EIO naming the path and errno or zlib's message if the file
 *   cannot be opened or read; AC_EFORMAT naming the path and the fault:
 *   "PATH: bad magic 0x...", "PATH: unknown element type 0x..",
 *   "PATH: N dimensions, want 1..4", "PATH: truncated header ...",
 *   "PATH: dimension I is 0", "PATH: shape [..] exceeds N elements"
 *   (ML_IDX_MAX_NUMEL, checked without overflow),
 *   "PATH: truncated data: got X of Y bytes",
 *   "PATH: size mismatch: data continues past Y bytes",
 *   "PATH: gzip: MESSAGE" for a corrupt gzip stream; AC_ENOMEM.  Garbage
 *   input yields one of these, never a crash; memory touched is bounded by
 *   what the file really holds plus a 64 KiB heap buffer.
 * Thread safety: safe.
 * Follows: LeCun et al., "THE MNIST DATABASE" file format description.
 */
int ml_idx_load(const char *path, MlTensor **t, AcErr *err);
/* ml_idx_load with a caller's cap on the elements as well: a header whose
 * shape holds more than max_numel fails with AC_ENOMEM ("PATH: shape [..]
 * exceeds the limit of N elements") before anything is allocated or read,
 * so a small gzip file cannot unpack past a memory quota. */
int ml_idx_load_max(const char *path, int64_t max_numel, MlTensor **t, AcErr *err);

/* ---- Matrix multiply (blas.c, gemm_ref.c) ---- */

/*
 * The BLAS routines Acheron uses, from OpenBLAS loaded on first call (a
 * program that multiplies no matrix never starts OpenBLAS's threads).
 * Signatures are CBLAS's (cblas.h). corename may be NULL.
 * Ownership: static; valid for the life of the process.
 * Errors: NULL with AC_EDEVICE if libopenblas.so.0 cannot be loaded.
 * Thread safety: safe (loads once).
 */
typedef struct MlBlas {
	void (*sgemm)(int order, int transa, int transb, int m, int n, int k, float alpha,
	              const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
	void (*dgemm)(int order, int transa, int transb, int m, int n, int k, double alpha,
	              const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);
	double (*ddot)(int n, const double *x, int incx, const double *y, int incy);
	double (*dnrm2)(int n, const double *x, int incx);
	char *(*corename)(void);
} MlBlas;
const MlBlas *ml_blas(AcErr *err);

/*
 * c = alpha * op(a) * op(b) + beta * c, op(x) = x' when trans is nonzero,
 * through OpenBLAS cblas_sgemm.  When beta is 0, c is overwritten (its old
 * NaNs do not propagate).
 * Shapes/dtypes: op(a): [M, K], op(b): [K, N], c: [M, N], all f32 matrix
 *   views (a is [K, M] when transa is set, b is [N, K] when transb is set).
 * Ownership: all borrowed; c is written.
 * Errors: AC_ESHAPE naming the shapes if op(a), op(b) and c do not agree;
 *   AC_EINVAL if c is the same tensor as a or b, or a tensor is NULL.
 * Thread safety: as the header says; OpenBLAS (pthread build) is reentrant
 *   and may use its own threads.
 * Follows: BLAS sgemm; ggml ggml_mul_mat with a BLAS backend.
 */
int ml_gemm(MlTensor *c, const MlTensor *a, const MlTensor *b, int transa, int transb,
            float alpha, float beta, AcErr *err);

/*
 * The scalar twin of ml_gemm, for tests: the same contract, computed with
 * plain loops, each dot product accumulated in double.  Error messages name
 * "gemm_ref".
 * Follows: ggml's rule that every optimised kernel has a _ref twin.
 */
int ml_gemm_ref(MlTensor *c, const MlTensor *a, const MlTensor *b, int transa, int transb,
                float alpha, float beta, AcErr *err);

/* ---- Element-wise and row kernels (pointwise.c) ---- */

/*
 * y[i][j] += b[0][j] for every row i: the broadcast add of a bias row.
 * Shapes/dtypes: y: [N, C] f32, b: [1, C] f32.
 * Ownership: borrowed; y is written.
 * Errors: AC_ESHAPE if b is not one row of cols(y).
 * Thread safety: as the header says.
 * Follows: Torch7 THNN Linear updateOutput (addr of the bias).
 */
int ml_add_row(MlTensor *y, const MlTensor *b, AcErr *err);

/*
 * db[0][j] = sum over i of dy[i][j] + beta * db[0][j]: the bias gradient of
 * ml_add_row.  When beta is 0, db is overwritten.  Sums run in double.
 * Shapes/dtypes: db: [1, C] f32, dy: [N, C] f32.
 * Ownership: borrowed; db is written.
 * Errors: AC_ESHAPE if db is not one row of cols(dy).
 * Thread safety: as the header says.
 * Follows: Torch7 THNN Linear accGradParameters (gradBias).
 */
int ml_sum_rows(MlTensor *db, const MlTensor *dy, float beta, AcErr *err);

/*
 * y = max(x, 0) element-wise.  y may be x.  NaN inputs give 0.
 * Shapes/dtypes: y, x: [N, C] f32, agreeing.
 * Ownership: borrowed; y is written.
 * Errors: AC_ESHAPE if y and x do not agree.
 * Thread safety: as the header says.
 * Follows: Torch7 THNN Threshold(0, 0) updateOutput.
 */
int ml_relu(MlTensor *y, const MlTensor *x, AcErr *err);

/*
 * dx = dy where x > 0, else 0: the gradient of ml_relu.  dx may be dy.
 * Shapes/dtypes: dx, dy, x: [N, C] f32, agreeing.
 * Ownership: borrowed; dx is written.
 * Errors: AC_ESHAPE if the three do not agree.
 * Thread safety: as the header says.
 * Follows: Torch7 THNN Threshold updateGradInput.
 */
int ml_relu_grad(MlTensor *dx, const MlTensor *dy, const MlTensor *x, AcErr *err);

/*
 * t *= a element-wise.
 * Shapes/dtypes: t: any shape, f32.
 * Ownership: borrowed; t is written.
 * Errors: AC_EINVAL if t is NULL.
 * Thread safety: as the header says.
 * Follows: BLAS sscal.
 */
int ml_scale(MlTensor *t, float a, AcErr *err);

/* ---- Loss (loss.c) ---- */

/*
 * Mean softmax cross-entropy of logits against class labels:
 * *loss = (1/N) sum_i (logsumexp(logits[i]) - logits[i][labels[i]]), with
 * logsumexp computed from the row maximum (stable for any finite logits),
 * in double.  Writes the gradient dlogits = (softmax(logits) - onehot) / N
 * unless dlogits is NULL.  dlogits may be logits.
 * Shapes/dtypes: dlogits: [N, C] f32 or NULL, logits: [N, C] f32,
 *   labels: [N, 1] (or [N]) f32 holding class indices 0..C-1.
 * Ownership: borrowed; dlogits and *loss are written.
 * Errors: AC_ESHAPE if the shapes do not agree; AC_EINVAL naming the row
 *   if a label is not an integer in 0..C-1 ("softmax_xent: labels[3] = 10
 *   is not a class in 0..9"), or if loss is NULL; labels are checked
 *   before anything is written.
 * Thread safety: as the header says.
 * Follows: Torch7 THNN CrossEntropyCriterion (LogSoftMax + ClassNLL,
 *   sizeAverage); PyTorch F.cross_entropy(reduction="mean").
 */
int ml_softmax_xent(MlTensor *dlogits, const MlTensor *logits, const MlTensor *labels,
                    double *loss, AcErr *err);

/*
 * *count = the number of rows i whose largest logit is at labels[i] (the
 * first maximum wins ties): the numerator of accuracy.
 * Shapes/dtypes: logits: [N, C] f32, labels: [N, 1] (or [N]) f32 classes.
 * Ownership: borrowed; *count is written.
 * Errors: AC_ESHAPE as ml_softmax_xent; AC_EINVAL naming the row of a label
 *   that is not a class.
 * Thread safety: as the header says.
 * Follows: torch.argmax(logits, 1) == labels, summed.
 */
int ml_correct(const MlTensor *logits, const MlTensor *labels, int64_t *count, AcErr *err);

/* ---- Optimisers (optim.c) ---- */

/*
 * One step of SGD with momentum, PyTorch's form (no dampening, no weight
 * decay): v = momentum * v + g; p -= lr * v.  Start with v zero.
 * Shapes/dtypes: p, g, v: the same matrix view, f32; lr and momentum are
 *   rounded to f32 once.
 * Ownership: borrowed; p and v are written.
 * Errors: AC_ESHAPE if p, g and v do not agree.
 * Thread safety: as the header says.
 * Follows: PyTorch torch.optim.SGD (momentum, dampening=0, nesterov=False).
 */
int ml_sgd(MlTensor *p, const MlTensor *g, MlTensor *v, double lr, double momentum,
           AcErr *err);

/*
 * One step of Adam with bias correction, PyTorch's form:
 * m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g*g;
 * p -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
 * Start with m and v zero and step 1; step counts from 1.
 * Shapes/dtypes: p, g, m, v: the same matrix view, f32.  The coefficients
 *   (1 - beta, lr / (1 - beta1^step), sqrt(1 - beta2^step)) are computed in
 *   double from the double arguments, then rounded to f32 once.
 * Ownership: borrowed; p, m and v are written.
 * Errors: AC_ESHAPE if the four do not agree; AC_EINVAL if step < 1 or a
 *   beta is not in [0, 1).
 * Thread safety: as the header says.
 * Follows: Kingma & Ba 2015 Algorithm 1; PyTorch torch.optim.Adam
 *   (amsgrad=False, weight_decay=0).
 */
int ml_adam(MlTensor *p, const MlTensor *g, MlTensor *m, MlTensor *v, int64_t step, double lr,
            double beta1, double beta2, double eps, AcErr *err);

/* ---- Batching (gather.c) ---- */

/*
 * out[i, :] = src[idx[start + i], :] for each row i < rows(out): copies a
 * (shuffled) mini-batch out of a data set.
 * Shapes/dtypes: out: [B, ...] f32, src: [R, ...] f32 with cols(out) ==
 *   cols(src); idx: [nidx] int32 row numbers of src.
 * Ownership: borrowed; out is written.
 * Errors: AC_ESHAPE if cols differ; AC_ERANGE if start < 0, if
 *   start + rows(out) > nidx, or naming the position if an index is outside
 *   0..R-1 (all checked before anything is copied); AC_EINVAL if idx is
 *   NULL.
 * Thread safety: as the header says.
 * Follows: torch.index_select(src, 0, idx[start:start+B]).
 */
int ml_gather_rows(MlTensor *out, const MlTensor *src, const int32_t *idx, int64_t nidx,
                   int64_t start, AcErr *err);

#endif
