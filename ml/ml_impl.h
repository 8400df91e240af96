/*
 * ml private helpers shared by the kernel files: storage, the strided
 * loop driver, dtype loads and stores, the common argument checks.  Not
 * installed; not for nn/ or vm/.
 */
#ifndef ML_ML_IMPL_H
#define ML_ML_IMPL_H

#include "ml/ml.h"

/* The memory behind tensors: heap memory ml/ allocated, or someone else's
 * (a mapped file) with the hook that gives it back. */
struct MlStorage {
	uint8_t *base;
	size_t bytes;
	atomic_int refs;
	bool mapped;                 /* memory from ml_tensor_wrap */
	void (*release)(void *ctx);
	void *ctx;
};

/* Element bytes of a non-block dtype. */
static inline int64_t
ml_esize(MlDtype dt)
{
	return ml_dtype_bytes(dt);
}

/*
 * The strided loop driver (PyTorch's TensorIterator, reduced): nops
 * operands already of one shape ne[0..ndim-1] (inputs broadcast by
 * expanded views), byte strides st[op][dim].  Dimensions that can be
 * merged are, so the inner loop is as long as the layout allows; then
 * fn runs once per inner row: n elements, p[op] the first element of each
 * operand, s[op] the byte step along the row.
 */
enum { ML_ITER_MAX_OPS = 4 };
typedef void (*MlLoopFn)(int64_t n, uint8_t *const *p, const int64_t *s, void *ctx);
void ml_iter(int nops, uint8_t *const *base, int ndim, const int64_t *ne,
             const int64_t (*st)[ML_MAX_DIMS], MlLoopFn fn, void *ctx);

/* Broadcasts the shapes of n tensors (NumPy rules) into ndim/ne; AC_ESHAPE
 * "fn: a [..] and b [..] do not broadcast". */
int ml_broadcast_shape(const char *fn, int n, const MlTensor *const *t, int *ndim,
                       int64_t ne[ML_MAX_DIMS], AcErr *err);
/* The strides of t seen at shape ndim/ne (which t broadcasts to): 0 on
 * broadcast dimensions. */
void ml_broadcast_strides(const MlTensor *t, int ndim, const int64_t *ne,
                          int64_t st[ML_MAX_DIMS]);

/* Loads element p of dtype dt as a double or int64 (non-block dtypes), and
 * stores one, converting as ml_copy does. */
double ml_load_f64(MlDtype dt, const uint8_t *p);
int64_t ml_load_i64(MlDtype dt, const uint8_t *p);
void ml_store_f64(MlDtype dt, uint8_t *p, double v);
void ml_store_i64(MlDtype dt, uint8_t *p, int64_t v);

/* Whether a and b have the same matrix view (rows and cols). */
int ml_same_view(const MlTensor *a, const MlTensor *b);

/* Checks that x agrees with y (same matrix view); else AC_ESHAPE
 * "fn: x [..] and y [..] do not agree", using the names xn and yn. */
int ml_check_agree(const char *fn, const char *xn, const MlTensor *x, const char *yn,
                   const MlTensor *y, AcErr *err);

/* Checks that t is a contiguous f32 tensor, as the matrix kernels need:
 * AC_EDTYPE "fn: name is i32, want f32", AC_EINVAL "fn: name is not
 * contiguous". */
int ml_check_f32(const char *fn, const char *name, const MlTensor *t, AcErr *err);

/* Checks the operands of gemm (and gemm_ref) and returns M, N, K. */
int ml_gemm_check(const char *fn, const MlTensor *c, const MlTensor *a, const MlTensor *b,
                  int transa, int transb, int64_t *m, int64_t *n, int64_t *k, AcErr *err);

/* Checks that labels is [N, 1] or [N] against logits [N, C] and that every
 * label is an integer class in 0..C-1. */
int ml_check_labels(const char *fn, const MlTensor *logits, const MlTensor *labels,
                    AcErr *err);

/* The quantized rows of dtype dt (q8_0, q4_0): n elements from f32 and
 * back.  Set by cpu/quant.c's kernels when they are built in. */
void ml_quantize_row(MlDtype dt, const float *x, void *y, int64_t n);
void ml_dequantize_row(MlDtype dt, const void *x, float *y, int64_t n);

/* ---- Op families (op.c dispatches to them) ---- */

/* A kernel and its scalar twin: ref takes any strides; fast, where a
 * family has one, is used when every operand is contiguous along the
 * row (s[k] == element size) and may use SIMD.  NULL fast means ref
 * serves both. */
typedef struct MlKernel {
	MlLoopFn ref, fast;
} MlKernel;

/* The element-wise kernel for op on input dtype dt (BINARY, COMPARE,
 * LOGIC, UNARY families), or NULL.  ctx is the MlOpParams. */
const MlKernel *ml_binary_kernel(MlOp op, MlDtype dt);
const MlKernel *ml_unary_kernel(MlOp op, MlDtype dt);

/* Reduces in over params->axes into out (REDUCE and INDEX_REDUCE), shapes
 * already checked: out has in's shape with the reduced dimensions of size
 * 1 (keepdim form; the caller views it so).  ref selects the scalar path. */
int ml_reduce_run(MlOp op, MlTensor *out, const MlTensor *in, const MlOpParams *params,
                  bool ref, AcErr *err);

/*
 * The other families: the family F of ops.def is `const MlFamily
 * ml_family_F` in its kernel file.  shape checks the operands and computes
 * the output shape; run runs into an output of that shape (ref selects the
 * scalar twin).  op.c has already checked: each non-optional input is
 * there; unless mixed, all inputs share one dtype; the dtype of input
 * dtype_input is in the op's mask.  out_dtype, when set, gives the
 * output's dtype from the inputs (else it is input 0's).
 */
typedef struct MlFamily {
	int (*shape)(MlOp op, MlTensor *const *in, const MlOpParams *p, int *ndim,
	             int64_t ne[ML_MAX_DIMS], AcErr *err);
	int (*run)(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *p, bool ref,
	           AcErr *err);
	uint32_t optional;   /* bit k: input k may be NULL */
	bool mixed;          /* the inputs' dtypes differ; shape checks them */
	int dtype_input;     /* the input whose dtype ops.def's mask lists */
	MlDtype (*out_dtype)(MlOp op, MlTensor *const *in, const MlOpParams *p);
} MlFamily;

/* A dimension counted from the end when negative; -1 when outside. */
static inline int
ml_norm_dim(int dim, int ndim)
{
	if (dim < 0)
		dim += ndim;
	return dim >= 0 && dim < ndim ? dim : -1;
}

/* ml_op_into with the scalar _ref kernels only: the twin the ops test
 * compares with. */
int ml_op_into_ref(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *params,
                   AcErr *err);

#endif
