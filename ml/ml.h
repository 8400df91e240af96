/*
 * ml: the tensor library under $Tensor and nn/.  An MlTensor is an n-d
 * strided view (up to ML_MAX_DIMS dimensions) of a reference-counted
 * storage, of any dtype in ml/dtype.def; the operations of ml/ops.def run
 * on any strides with NumPy broadcasting; matrix products go through
 * OpenBLAS for f32/f64.  File formats: IDX.
 *
 * Conventions for the whole header:
 * - Shapes are written `x: [N, C] f32`, outermost dimension first (PyTorch
 *   order): ne[0] is the outermost.  ggml writes ne[] innermost first;
 *   ml/io/gguf.c reverses at the file boundary, and only there.
 * - Units: MlTensor.ne is in elements, MlTensor.nb in bytes (ggml's nb),
 *   signed: an expanded dimension has stride 0, a reversed one a negative
 *   stride.  For a block-quantized dtype (q8_0, q4_0) the innermost
 *   dimension is a multiple of 32 elements, contiguous, and nb of the
 *   next dimension out counts whole blocks.
 * - Errors: functions return AC_OK or a negative AC_E*, constructors a
 *   pointer or NULL, and both fill a nullable AcErr * with one line that
 *   names the function and the shapes ("add: a [64,784] and b [256,10] do
 *   not broadcast").  A function that fails has written nothing.  A NULL
 *   tensor is AC_EINVAL.  No function exits or aborts.
 * - Outputs come first (Torch7 THNN order).
 * - Thread safety: unless noted, a function touches only its arguments;
 *   calls on disjoint tensors may run concurrently, calls that write the
 *   same storage may not.  Reference counts are atomic.
 *
 * Follows: house style (shared/style.md); ggml ggml_tensor (ne/nb, type
 * traits); PyTorch TensorIterator (broadcast views, coalesced loops) and
 * its operator names; Torch7 THNN argument order.
 */
#ifndef ML_ML_H
#define ML_ML_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

enum {
	ML_MAX_DIMS = 6,                     /* most dimensions a tensor has */
	ML_DATA_ALIGN_BYTES = 64,            /* alignment of a new storage */
	ML_QK = 32,                          /* elements per q8_0 / q4_0 block */
};

/* Most elements one tensor may hold (2^31 - 1, 8 GiB of f32): keeps rows,
 * cols and leading dimensions inside BLAS's 32-bit int. */
#define ML_TENSOR_MAX_NUMEL ((int64_t)INT32_MAX)

/* Most elements ml_idx_load accepts (2^28, 1 GiB of f32), so that a corrupt
 * header cannot ask for an absurd allocation. */
#define ML_IDX_MAX_NUMEL ((int64_t)1 << 28)

/* ---- Dtypes (dtype.c; the list is ml/dtype.def) ---- */

typedef enum MlDtype {
#define X(id, name, block, bytes, kind) ML_##id,
#include "ml/dtype.def"
#undef X
	ML_DTYPE_COUNT
} MlDtype;

enum MlKind { ML_KIND_FLOAT, ML_KIND_INT, ML_KIND_UINT, ML_KIND_BOOL, ML_KIND_QUANT };

/* Masks of dtypes (bit 1 << MlDtype), as ops.def's dtypes column uses. */
#define ML_DT(id) (1u << ML_##id)
#define ML_DTS_FLOAT (ML_DT(F64) | ML_DT(F32) | ML_DT(F16) | ML_DT(BF16))
#define ML_DTS_SINT (ML_DT(I64) | ML_DT(I32) | ML_DT(I8))
#define ML_DTS_SIGNED (ML_DTS_FLOAT | ML_DTS_SINT)
#define ML_DTS_NUM (ML_DTS_SIGNED | ML_DT(U8))
#define ML_DTS_BOOL ML_DT(BOOL)
#define ML_DTS_QUANT (ML_DT(Q8_0) | ML_DT(Q4_0))
#define ML_DTS_ALL ((1u << ML_DTYPE_COUNT) - 1)

/* The dtype's name ("f32", "q4_0"); "?" for a value outside the enum. */
const char *ml_dtype_name(MlDtype dt);
/* The dtype named name, or -1 (no error set) if none is. */
int ml_dtype_from_name(const char *name);
/* Elements per block (1, or ML_QK for q8_0 and q4_0) and bytes per block.
 * The element size of a non-block dtype is ml_dtype_bytes. */
int ml_dtype_block(MlDtype dt);
int ml_dtype_bytes(MlDtype dt);
enum MlKind ml_dtype_kind(MlDtype dt);


/* ---- Tensors and views (tensor.c) ---- */

/* The memory behind one or more tensors; private to ml/ (ml_impl.h). */
typedef struct MlStorage MlStorage;

typedef enum MlDevice { ML_CPU = 0 } MlDevice;

/*
 * An n-d view of a storage.  Element [i0, .., i{ndim-1}] is at byte
 * data + sum(i_k * nb[k]).  Views (slice, permute, expand, reshape) share
 * the storage and copy nothing.  ndim 0 is a scalar (one element).
 * Unused entries (k >= ndim) hold ne 1 and nb 0.  Treat every field as
 * read-only except the elements behind data.
 *
 * Follows: ggml ggml_tensor (ne in elements, nb in bytes, view_src and
 * view_offs), with PyTorch's dimension order and a storage shared by
 * reference count as torch.Tensor's.
 */
typedef struct MlTensor {
	uint8_t *data;                 /* element 0 (storage base + offset) */
	MlDtype dtype;
	MlDevice device;
	int ndim;                      /* dimensions in use, 0..ML_MAX_DIMS */
	int64_t ne[ML_MAX_DIMS];       /* elements along each dimension, outermost first */
	int64_t nb[ML_MAX_DIMS];       /* bytes between neighbours along each dimension */
	MlStorage *storage;            /* shared by views; owned by reference */
	size_t offset;                 /* bytes from the storage's base to data */
	atomic_int refs;               /* reference count; freed when it reaches 0 */
} MlTensor;

/* The f32 elements of a contiguous f32 tensor (the matrix kernels below). */
#define ML_F32(t) ((float *)(void *)(t)->data)

/*
 * Caps the bytes the calling thread's new storages (ml_tensor_zeros,
 * _empty, and every op's outputs and temporaries) may take from now on,
 * together: past it they fail with AC_ENOMEM before allocating. Frees do
 * not give budget back, so it bounds what one call may allocate. SIZE_MAX
 * removes the cap. Returns the budget left of the previous cap. The VM
 * sets it to its heap quota's room around each builtin call into nn/, so
 * that a hostile size is refused before it is allocated.
 * Thread safety: per thread.
 */
size_t ml_alloc_limit(size_t bytes);

/*
 * Makes a tensor of the given dtype and shape in a new storage, contiguous
 * row-major, 64-byte aligned: zero-filled (ml_tensor_zeros) or with
 * unspecified contents (ml_tensor_empty, for outputs a kernel overwrites).
 * Shapes/dtypes: ne[0..ndim-1] elements, outermost first, each >= 0 (a
 *   0-length dimension makes an empty tensor); ndim 0..ML_MAX_DIMS; for a
 *   quantized dtype ne[ndim-1] is a multiple of 32 (ndim >= 1).
 * Ownership: ne is borrowed.  Caller owns the one reference returned.
 * Errors: NULL with AC_EINVAL (ndim, a negative dimension, a quantized
 *   row not of whole blocks, an unknown dtype), AC_ERANGE past
 *   ML_TENSOR_MAX_NUMEL elements, AC_ENOMEM.
 */
MlTensor *ml_tensor_zeros(MlDtype dt, int ndim, const int64_t *ne, AcErr *err);
MlTensor *ml_tensor_empty(MlDtype dt, int ndim, const int64_t *ne, AcErr *err);

/* ml_tensor_zeros(ML_F32, ...), for the f32 matrix kernels; ndim >= 1 and
 * every dimension positive, as before n-d tensors. */
MlTensor *ml_tensor_new(int ndim, const int64_t *shape, AcErr *err);

/*
 * Makes a tensor over memory someone else owns (a mapped file): data is
 * used in place; release(ctx) runs when the last view of it goes (NULL for
 * none).  nb may be NULL for contiguous row-major.
 * Ownership: the new tensor's storage takes over release/ctx, even on
 *   failure (release runs then).
 * Errors: as ml_tensor_zeros; AC_ERANGE if a view would reach outside
 *   [data, data + bytes).
 */
MlTensor *ml_tensor_wrap(MlDtype dt, int ndim, const int64_t *ne, const int64_t *nb,
                         void *data, size_t bytes, void (*release)(void *ctx), void *ctx,
                         AcErr *err);

/* Adds a reference to t and returns t.  t may be NULL (returns NULL). */
MlTensor *ml_tensor_ref(MlTensor *t);

/* Drops a reference; frees the view, and the storage with its last view,
 * when the count reaches zero.  Accepts NULL. */
void ml_tensor_unref(MlTensor *t);

/* Element count: the product of all dimensions (1 for a scalar). */
int64_t ml_tensor_numel(const MlTensor *t);
/* Bytes of the elements when contiguous (numel / block * block bytes). */
size_t ml_tensor_nbytes(const MlTensor *t);
/* Rows of the matrix view: ne[0] (1 for a scalar). */
int64_t ml_tensor_rows(const MlTensor *t);
/* Cols of the matrix view: the product of ne[1..ndim-1]. */
int64_t ml_tensor_cols(const MlTensor *t);
/* Whether t is row-major with no gaps (the layout ml_tensor_empty makes). */
bool ml_tensor_is_contiguous(const MlTensor *t);
/* Bytes of storage this tensor's storage holds, and whether the storage is
 * memory mapped from a file (counted apart from heap memory). */
size_t ml_tensor_storage_bytes(const MlTensor *t, bool *mapped);
/* Whether a and b have the same shape. */
bool ml_same_shape(const MlTensor *a, const MlTensor *b);
/* How many tensors (views) hold t's storage now, t included: 1 when t is
 * its last view.  Thread safety: a snapshot; exact when no other thread
 * makes or drops views of the storage. */
int ml_tensor_storage_views(const MlTensor *t);
/* Whether a and b are views of one storage. */
bool ml_tensor_same_storage(const MlTensor *a, const MlTensor *b);

/*
 * Views: a new tensor (one reference, owned by the caller) sharing t's
 * storage, or NULL with the error.  t is borrowed and unchanged.
 *
 * slice: along dim, indices start, start+step, .. before stop (Python's
 *   t[start:stop:step] after the caller has clamped negative and
 *   out-of-range bounds); step may be negative (then start > stop).
 *   AC_ERANGE if the bounds are outside the dimension, AC_EINVAL for step
 *   0 or (quantized) a slice inside a row.
 * permute: dimension k of the view is perm[k] of t (torch.permute).
 * transpose: swaps dimensions d0 and d1.
 * expand: broadcasts t to shape ne (NumPy rules; new outer dimensions and
 *   dimensions of size 1 get stride 0) (torch.expand).
 * reshape_view: the same elements in shape ne without a copy, or NULL with
 *   AC_ESHAPE when the strides do not allow it (torch.view); one entry may
 *   be -1 (inferred).  ml_tensor_reshape_copy copies in that case (torch.reshape).
 * squeeze: drops dimension dim of size 1 (dim -1: every size-1 dimension);
 *   unsqueeze inserts a size-1 dimension at dim (0..ndim).
 * Dimensions are 0..ndim-1; a negative dim counts from the end.
 */
MlTensor *ml_view_slice(const MlTensor *t, int dim, int64_t start, int64_t stop, int64_t step,
                        AcErr *err);
MlTensor *ml_view_permute(const MlTensor *t, const int *perm, AcErr *err);
MlTensor *ml_view_transpose(const MlTensor *t, int d0, int d1, AcErr *err);
MlTensor *ml_view_expand(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err);
MlTensor *ml_view_reshape(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err);
MlTensor *ml_view_squeeze(const MlTensor *t, int dim, AcErr *err);
MlTensor *ml_view_unsqueeze(const MlTensor *t, int dim, AcErr *err);
MlTensor *ml_tensor_reshape_copy(const MlTensor *t, int ndim, const int64_t *ne, AcErr *err);

/*
 * Gives a contiguous tensor a new shape with the same number of elements,
 * in place (as before views; the matrix kernels use it).
 * Errors: AC_EINVAL for ndim outside 1..ML_MAX_DIMS or a non-positive
 *   dimension, AC_ESHAPE if the element counts differ or t is not
 *   contiguous; t is unchanged on error.
 * Thread safety: not with other users of t.
 */
int ml_tensor_reshape(MlTensor *t, int ndim, const int64_t *shape, AcErr *err);

/* A contiguous tensor with t's values: t itself (a new reference) when it
 * already is, else a copy. */
MlTensor *ml_tensor_contiguous(const MlTensor *t, AcErr *err);

/*
 * dst = src converted to dst's dtype, src broadcast to dst's shape, any
 * strides on either side (torch.Tensor.copy_).  Conversions: float to int
 * truncates toward zero and saturates at the type's range (NaN gives 0);
 * to bool is x != 0; between floats rounds to nearest even; to q8_0 / q4_0
 * quantizes each row as ggml's quantize_row_*_ref; from them dequantizes.
 * dst must not overlap src unless they are the same view.
 * Errors: AC_ESHAPE if src does not broadcast to dst; AC_EINVAL if a
 *   quantized side is not contiguous in its rows.
 */
int ml_copy(MlTensor *dst, const MlTensor *src, AcErr *err);
/* A new contiguous tensor of dtype dt with src's shape and values. */
MlTensor *ml_cast(const MlTensor *src, MlDtype dt, AcErr *err);

/* Element access by index (idx[0..ndim-1]), through double (exact for
 * every dtype but i64 beyond 2^53: use the i64 forms). Quantized dtypes
 * read the dequantized value and refuse writes (AC_EDTYPE).
 * Errors: AC_ERANGE naming the dimension of an index out of bounds. */
int ml_get(const MlTensor *t, const int64_t *idx, double *v, AcErr *err);
int ml_set(MlTensor *t, const int64_t *idx, double v, AcErr *err);
int ml_get_i64(const MlTensor *t, const int64_t *idx, int64_t *v, AcErr *err);
int ml_set_i64(MlTensor *t, const int64_t *idx, int64_t v, AcErr *err);
/* Fills every element with v (converted as ml_copy converts). */
int ml_fill(MlTensor *t, double v, AcErr *err);

/* Writes t's shape as "[64,784]" into buf of bufsize bytes and returns buf
 * ("nil" for NULL, "[]" for a scalar). */
enum { ML_SHAPE_BYTES = 6 * 21 + 8 };
char *ml_shape_fmt(const MlTensor *t, char buf[ML_SHAPE_BYTES]);

/* ---- Operations (op.c; the list is ml/ops.def) ---- */

typedef enum MlOp {
#define X(id, name, family, arity, dtypes) ML_OP_##id,
#include "ml/ops.def"
#undef X
	ML_OP_COUNT
} MlOp;

/* Most tensor inputs an op takes. */
enum { ML_OP_MAX_INPUTS = 5 };

/* Parameters of the ops that take them; unused fields are ignored.
 * p[]: the op's scalars, in the order ops.def's comments give.
 * axes: bit k set reduces dimension k (0 means every dimension).
 * keepdim: reduced dimensions stay, with size 1 (PyTorch's keepdim).
 * correction: var and std divide by N - correction (PyTorch's
 *   correction; 1 is Bessel's).
 * axis, eps, groups: as ops.def says for the op. */
typedef struct MlOpParams {
	double p[2];
	uint32_t axes;
	bool keepdim;
	int correction;
	int axis;      /* softmax, log_softmax, layer_norm, rms_norm, the index ops: a
	                * dimension, negative from the end */
	double eps;    /* the norms' epsilon */
	int groups;    /* group_norm, conv */
	/* convolution and pooling, per spatial dimension (up to 3): */
	int64_t kernel[3], stride[3], dilation[3], output_padding[3];
	int64_t pad[6];        /* begin of each spatial dimension, then end of each */
	bool ceil_mode, count_include_pad;
	/* the index ops and losses: */
	int64_t k;             /* topk */
	bool largest, sorted, causal;
	int mode;              /* pad: 0 constant, 1 reflect, 2 edge (replicate), 3 wrap;
	                        * scatter: 0 none, 1 add, 2 mul, 3 max, 4 min;
	                        * loss reduction: 0 none, 1 mean, 2 sum */
	int64_t ignore_index;
	double label_smoothing, scale;
	uint64_t seed;         /* random */
	bool has_ignore_index; /* losses: ignore_index is in force (zero-initialised
	                        * params ignore no class; PyTorch's default is -100) */
} MlOpParams;

/* The op's name in ops.def ("add"), and the op with a name (-1 if none). */
const char *ml_op_name(MlOp op);
int ml_op_from_name(const char *name);
/* Number of tensor inputs; the mask of input dtypes with kernels. */
int ml_op_arity(MlOp op);
uint32_t ml_op_dtypes(MlOp op);

/*
 * Runs op into out: out = op(in[0], ..): the element-wise families
 * broadcast the inputs to out's shape (NumPy rules) over any strides;
 * the reductions reduce in[0] over params->axes into out's shape.
 * out may be one of the inputs when they have the same shape and layout
 * (in place).  No allocation for contiguous or broadcast operands.
 * Shapes/dtypes: the inputs share one dtype the op lists; out has the
 *   op's output dtype (the inputs', bool for COMPARE and LOGIC, i64 for
 *   argmax/argmin) and the broadcast or reduced shape.
 * Errors: AC_EDTYPE naming the op and dtype without a kernel or a
 *   mismatch; AC_ESHAPE naming the op and the shapes; nothing written.
 */
int ml_op_into(MlOp op, MlTensor *out, MlTensor *const *in, const MlOpParams *params,
               AcErr *err);
/* Runs op into a new contiguous output of the right shape and dtype. */
MlTensor *ml_op(MlOp op, MlTensor *const *in, const MlOpParams *params, AcErr *err);
/* The dtype of op's output for these inputs. */
MlDtype ml_op_dtype(MlOp op, MlTensor *const *in, const MlOpParams *params);
/* The shape op would give (broadcast, or reduced); AC_ESHAPE as above. */
int ml_op_shape(MlOp op, MlTensor *const *in, const MlOpParams *params, int *ndim,
                int64_t ne[ML_MAX_DIMS], AcErr *err);

/* out = cond ? a : b, broadcasting all three (torch.where); cond is bool,
 * a and b share out's dtype. */
int ml_where(MlTensor *out, const MlTensor *cond, const MlTensor *a, const MlTensor *b,
             AcErr *err);

/* ---- Index and shape ops outside ml_op (cpu/index.c, cpu/shape_ops.c) ----
 *
 * The ops that fit ml_op (gather, gather_elements, scatter, scatter_add,
 * embedding, triu, tril, cumsum, sort, argsort) are in ops.def with their
 * semantics; these take a variable number of tensors or per-dimension
 * parameters.  Each checks every argument before it writes anything.
 */

/*
 * out = the inputs joined along axis (torch.cat, ONNX Concat).
 * Shapes/dtypes: in[0..n-1] share one dtype (any, quantized ones where
 *   the axis is not the innermost) and rank, and agree on every dimension
 *   but axis; out has their shape with ne[axis] the sum; any strides.
 * Ownership: all borrowed; ml_concat_new returns a new contiguous tensor
 *   the caller owns.
 * Errors: AC_EINVAL for n < 1 or a nil tensor; AC_ERANGE "concat: axis 3
 *   of a 2-d tensor"; AC_EDTYPE "concat: input 2 is i32, input 1 f32";
 *   AC_ESHAPE "concat: input 2 [2,4] does not match input 1 [2,3]" (a
 *   dimension other than axis, or the rank) or "concat: output [..],
 *   want [..]".
 * Follows: numpy.concatenate, torch.cat.
 */
int ml_concat(MlTensor *out, MlTensor *const *in, int n, int axis, AcErr *err);
MlTensor *ml_concat_new(MlTensor *const *in, int n, int axis, AcErr *err);

/* A new tensor of n (1..64) same-shaped inputs stacked along a new
 * dimension axis (0..ndim, negative from the end of the result)
 * (torch.stack).  Errors as ml_concat, with "stack: ..." messages. */
MlTensor *ml_stack_new(MlTensor *const *in, int n, int axis, AcErr *err);

/*
 * Splits x along axis into n parts of sizes[0..n-1] elements (torch.split
 * with a list, ONNX Split): out[k] is a view of x (shares its storage; no
 * copy).
 * Ownership: x and sizes borrowed; the caller owns each out[k] (unref each).
 * Errors: AC_EINVAL for a negative size; AC_ERANGE for the axis; AC_ESHAPE
 *   "split: sizes add to 5, dimension 0 of [6,2] is 6"; out[] all NULL then.
 */
int ml_split(MlTensor **out, const MlTensor *x, const int64_t *sizes, int n, int axis,
             AcErr *err);

/* Pad modes (MlOpParams.mode's numbering). */
enum { ML_PAD_CONSTANT = 0, ML_PAD_REFLECT = 1, ML_PAD_EDGE = 2, ML_PAD_WRAP = 3 };

/*
 * out = x padded: pads[d] elements before and pads[ndim + d] after
 * dimension d (ONNX's order: all begins, then all ends); a negative pad
 * crops.  The new elements are value (converted to x's dtype) for
 * ML_PAD_CONSTANT, the mirror image without the edge for ML_PAD_REFLECT
 * (numpy "reflect", repeated when the pad exceeds the dimension), the
 * edge element for ML_PAD_EDGE (torch "replicate"), the other end for
 * ML_PAD_WRAP (numpy "wrap", torch "circular").
 * Shapes/dtypes: x any non-quantized dtype and strides; out: x's dtype,
 *   shape ne[d] + pads[d] + pads[ndim + d].
 * Ownership: borrowed; ml_pad_new returns a new tensor the caller owns.
 * Errors: AC_EINVAL for a mode outside 0..3; AC_EDTYPE for q8_0/q4_0;
 *   AC_ESHAPE "pad: pads -3, 0 crop past dimension 1 of [2,2]", "pad:
 *   cannot reflect-pad the empty dimension 0 of [0,3]", or a wrong out.
 * Follows: numpy.pad, ONNX Pad-18, torch.nn.functional.pad.
 */
int ml_pad(MlTensor *out, const MlTensor *x, const int64_t *pads, int mode, double value,
           AcErr *err);
MlTensor *ml_pad_new(const MlTensor *x, const int64_t *pads, int mode, double value,
                     AcErr *err);

/* A new tensor of x repeated repeats[d] (>= 0) times along each dimension
 * d (numpy.tile with one repeat per dimension, ONNX Tile).  Errors:
 * AC_EINVAL for a negative repeat, AC_EDTYPE for q8_0/q4_0, AC_ERANGE past
 * ML_TENSOR_MAX_NUMEL. */
MlTensor *ml_tile_new(const MlTensor *x, const int64_t *repeats, AcErr *err);

/*
 * A new tensor of dtype dt: indices with a dimension of depth inserted at
 * axis (-1: the last), holding on where the position equals the index
 * and off elsewhere (torch.nn.functional.one_hot, ONNX OneHot).  Indices
 * of any integer or float dtype (floats truncated); negative counts from
 * the end (ONNX).
 * Errors: AC_ERANGE "one_hot: index 5 at position 2 is out of range for
 *   depth 4"; AC_EINVAL for depth < 1; AC_ERANGE for the axis.
 */
MlTensor *ml_one_hot_new(const MlTensor *indices, int64_t depth, double off, double on, int axis,
                         MlDtype dt, AcErr *err);

/*
 * A new 1-d tensor of dtype dt (f32, f64, i32, i64) holding start + i *
 * delta for i in 0..max(ceil((limit - start) / delta), 0) - 1
 * (numpy.arange, torch.arange, ONNX Range).
 * Errors: AC_EDTYPE for another dtype; AC_EINVAL for delta 0, a value
 *   that is not finite, or fractional bounds for an integer dtype;
 *   AC_ERANGE past ML_TENSOR_MAX_NUMEL.
 */
MlTensor *ml_arange_new(MlDtype dt, double start, double limit, double delta, AcErr *err);

/*
 * The k largest (largest true) or smallest elements of x along axis,
 * sorted (largest first, or smallest first), ties in index order, NaN
 * above every number: values[.., j, ..] and their positions
 * indices[.., j, ..] along axis (torch.topk, ONNX TopK).
 * Shapes/dtypes: x any numeric dtype (not bool or quantized), any
 *   strides; values: x's dtype and shape with ne[axis] = k; indices: i64,
 *   the same shape.  0 <= k <= ne[axis].
 * Ownership: borrowed.
 * Errors: AC_ERANGE for the axis or "topk: k 5 outside 0..4"; AC_EDTYPE,
 *   AC_ESHAPE for the outputs; AC_ENOMEM for the row scratch.
 * Follows: torch.topk; the order of ONNX TopK-11.
 */
int ml_topk(MlTensor *values, MlTensor *indices, const MlTensor *x, int64_t k, int axis,
            bool largest, AcErr *err);

/*
 * Convolution and pooling (cpu/conv.c, cpu/pooling.c): ops run through
 * ml_op / ml_op_into with the MlOpParams fields below.
 *
 * What they do:
 *   ML_OP_CONV: out = bias + cross-correlation of x with weight per group
 *     (torch.nn.functional.conv1d/2d/3d).
 *   ML_OP_CONV_TRANSPOSE: its adjoint, <conv(x, w), y> = <x,
 *     conv_transpose(y, w)> for the same parameters, plus the bias
 *     (torch.nn.functional.conv_transpose1d/2d/3d).
 *   ML_OP_MAX_POOL, ML_OP_AVG_POOL: max and mean over each window
 *     (max_pool2d, avg_pool2d).  Max ignores the padding and propagates
 *     NaN; avg divides by the window's taps inside the input or, with
 *     count_include_pad, inside the padded input (so a ceil_mode window
 *     past the trailing padding counts only up to it).
 *   ML_OP_MAX_POOL_INDICES: where each max_pool value comes from: i64,
 *     the row-major index in its input plane (max_pool2d's
 *     return_indices); -1 for a window wholly in the padding.  ONNX's
 *     Indices add (n*C + c) * plane size (onnx/run.c).
 *   ML_OP_ADAPTIVE_AVG_POOL, ML_OP_ADAPTIVE_MAX_POOL: output i of n over
 *     an input extent m pools [floor(i*m/n), ceil((i+1)*m/n))
 *     (adaptive_avg_pool2d); output size 1 is global pooling.
 * Shapes/dtypes: x: [N, C, *in] with 1 to 3 spatial dimensions (nsp);
 *   conv weight: [O, C/groups, *k], conv_transpose weight: [C, O/groups,
 *   *k]; bias [O] (any shape of O elements) or NULL; out [N, O, *out] or,
 *   pooling, [N, C, *out].  conv, conv_transpose: f32, f64 (BLAS), f16,
 *   bf16 (through f32 copies); avg pools: floats; max pools: every
 *   numeric dtype; all inputs of one dtype.
 * Parameters, per spatial dimension i: stride[i] (0 means 1; pooling: 0
 *   means the kernel, PyTorch's stride=None), dilation[i] (0 means 1),
 *   pad[i] before and pad[nsp + i] after (ONNX's pads order: the ends
 *   follow the nsp begins), output_padding[i] (conv_transpose: added
 *   after, any value >= 0), kernel[i] (pooling window, >= 1; the output
 *   size for the adaptive pools), groups (0 means 1), ceil_mode,
 *   count_include_pad.  No padding mode other than zeros (max: -inf).
 * Units: extents in elements.  Output extent: conv and pooling (in +
 *   before + after - dilation*(k-1) - 1) / stride + 1, rounded down, or
 *   up in ceil_mode with a last window starting in the trailing padding
 *   dropped; conv_transpose (in-1)*stride - before - after +
 *   dilation*(k-1) + 1 + output_padding.
 * Ownership: inputs borrowed; ml_op returns a new tensor the caller owns.
 * Errors: AC_ESHAPE "conv: input [..] is not [N, C, 1 to 3 spatial
 *   dimensions]", "conv: 2 groups do not divide the 3 channels of input
 *   [..]", "conv: input [..] and weight [..] do not agree in G groups",
 *   "conv: bias [..] does not hold O values", "max_pool: kernel 5
 *   (dilation 1) exceeds the padded input 4 in spatial dimension 0 of
 *   [..]", a conv_transpose output extent below 1; AC_EINVAL for a
 *   negative stride, dilation or padding, or a pooling kernel below 1;
 *   AC_EDTYPE for a dtype without a kernel; AC_EDEVICE without OpenBLAS;
 *   AC_ENOMEM.
 * Thread safety: as the header; the fast paths use ml_pool_run and
 *   OpenBLAS's threads, one after the other.
 * Follows: PyTorch torch.nn.functional (conv*, conv_transpose*,
 *   max_pool*, avg_pool*, adaptive_*_pool*; ATen Pool.h output sizes);
 *   Caffe im2col/col2im; ONNX Conv, ConvTranspose, MaxPool, AveragePool
 *   for the pads order.
 */

/* ---- Random numbers (random.c) ---- */

/*
 * Makes an f32 tensor of Normal(0, std) elements, the same for the same
 * seed on every machine (up to libm's log/cos/sin rounding).
 * The generator is an MlRng seeded with seed; elements are produced in
 * row-major order, two at a time by Box-Muller on u1 = 1 - ml_rng_uniform,
 * u2 = ml_rng_uniform: sqrt(-2 ln u1) * (cos 2 pi u2, sin 2 pi u2), computed
 * in double and scaled by std.
 * Shapes/dtypes: as ml_tensor_new; std >= 0.
 * Ownership: as ml_tensor_new.
 * Errors: as ml_tensor_new; AC_EINVAL if std is negative or not finite.
 * Follows: Box & Muller 1958; Blackman & Vigna xoshiro256**.
 */
MlTensor *ml_tensor_randn(int ndim, const int64_t *shape, double std, uint64_t seed,
                          AcErr *err);

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
 * 0x0E f64; DD the dimension count, 1..6), then DD big-endian u32
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
 *   "PATH: N dimensions, want 1..6", "PATH: truncated header ...",
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

/* ---- Loss gradients (cpu/loss.c; the forward losses are ops.def's
 * nll_loss and cross_entropy, run through ml_op) ---- */

/*
 * grad_input = d loss / d input for the op's loss with the same operands
 * and params (reduction MlOpParams.mode, has_ignore_index and
 * ignore_index, label_smoothing for cross_entropy), times grad_output:
 *   nll_loss:      grad[n, c, ..] = -g * a[c], a the target weights
 *                  (w[t] at c == t, 0 elsewhere and where ignored);
 *   cross_entropy: grad[n, c, ..] = g * (sum(a) * softmax(logits)[c] - a[c]),
 *                  a as ops.def's comment and cpu/loss.c define it
 *                  (smoothed, weighted; probability targets included);
 * g is grad_output at the position (reduction none) or the scalar, over
 * the mean's divisor for mean.  Accumulated in double.
 * Shapes/dtypes: grad_input: the input's shape and dtype (f32 or f64),
 *   overwritten; grad_output: the loss's shape (the target's [N, d..] for
 *   none, a scalar otherwise) of any float dtype, or NULL for 1; logp /
 *   logits, target, weight: as the ops take them.
 * Ownership: all borrowed; grad_input is written.  grad_input may not
 *   overlap the other operands.
 * Errors: the forward op's (AC_ESHAPE, AC_EDTYPE, AC_EINVAL "nll_loss:
 *   target[3] = 10 is not a class in 0..4"); AC_ESHAPE "nll_loss_backward:
 *   grad_input [..] f32, want [..] f32" or "...: grad_output [..], want
 *   [..]"; AC_EINVAL for a nil tensor; nothing written on error.
 * Thread safety: as the header says.
 * Follows: PyTorch nll_loss_backward and the autograd of cross_entropy
 *   (aten/src/ATen/native/LossNLL.cpp); Torch7 THNN ClassNLLCriterion
 *   updateGradInput.
 */
int ml_nll_loss_backward(MlTensor *grad_input, const MlTensor *grad_output, const MlTensor *logp,
                         const MlTensor *target, const MlTensor *weight, const MlOpParams *params,
                         AcErr *err);
int ml_cross_entropy_backward(MlTensor *grad_input, const MlTensor *grad_output,
                              const MlTensor *logits, const MlTensor *target,
                              const MlTensor *weight, const MlOpParams *params, AcErr *err);

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

/* ---- Quantized blocks, half floats, dot products, thread pool (cpu/half.c,
 * cpu/quant*.c, cpu/matmul_q.c, cpu/pool.c): ggml's q8_0 and q4_0 block formats, IEEE half (f16) and
 * bfloat16 (bf16) conversion, quantized dot products, a matrix product with
 * quantized or half-precision weights, and the persistent thread pool those
 * kernels run on.  These work on raw rows (pointer + element count); the tensor
 * ops (matmul, copy to and from q8_0/q4_0) call them.
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
 * - ml_mul_mat_q with q4_0 weights on AVX-512 with VBMI uses an internal
 *   activation layout, q8x4 (ml/cpu/quant_impl.h): each q8_0 row is followed
 *   by groups of four of its blocks regrouped to the nibble order of four
 *   q4_0 blocks, each 4-byte lane carrying -8 * the sum of the quants it
 *   multiplies (ggml's q8_1 idea, kept in integers: the -8 offset of q4_0
 *   costs nothing in the loop and the sums stay exact) and the blocks'
 *   scales as f32.  The quants and scales are those of the q8_0 row, so the
 *   result is ml_vec_dot_q4_0_q8_0's within the same reordering bound.
 *
 * Follows: ggml ggml-common.h (block_q8_0, block_q4_0) and ggml-quants.c
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref, dequantize_row_*),
 * ggml-cpu's quants.c (ggml_vec_dot_q8_0_q8_0, ggml_vec_dot_q4_0_q8_0) and
 * ggml-impl.h (ggml_compute_fp32_to_fp16, ggml_compute_fp32_to_bf16);
 * ggml_compute_forward_mul_mat for ml_mul_mat_q.
 */

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
 * f16 or bf16 for f16/bf16 weights), rows 64-byte aligned; for q4_0 each row
 * also has room for its q8x4 groups (k/128 of 256 bytes, see above), so
 * q4_0 needs more than q8_0 for the same k and m.  0 for a bad wtype or k.
 */
size_t ml_mul_mat_q_scratch_bytes(MlDtype wtype, int64_t k, int64_t m);

/*
 * y = x W^T: y[i][r] = dot(x[i], W[r]) for i < m, r < n, with x's rows first
 * converted to W's dot type (q8_0 for q8_0 and q4_0 W, f16 / bf16 for f16 /
 * bf16 W) and each dot taken by the matching ml_vec_dot_* fast path, so
 * y[i][r] is exactly ml_vec_dot_*(k, ..., W[r], converted x[i]) (q4_0 on
 * AVX-512 VBMI: the q8x4 kernel on the same q8_0 quants, within the dot
 * products' reordering bound of it).  Rows of W
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
int ml_mul_mat_q(MlDtype wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m,
                 float *y, void *scratch, size_t scratch_bytes, AcErr *err);

/* The same computed by the _ref dot products and conversions on the calling
 * thread only; for tests. */
int ml_mul_mat_q_ref(MlDtype wtype, const void *w, int64_t n, int64_t k, const float *x, int64_t m,
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

/* ---- Files: NPY and GGUF (io/npy.c, io/gguf.c) ---- */

/*
 * Reads a NumPy .npy file: format versions 1.0, 2.0 and 3.0; descr '<f8'
 * '<f4' '<f2' '<i8' '<i4' '|i1' '|u1' '|b1' as f64 f32 f16 i64 i32 i8 u8
 * bool, and widened exactly: '<i2' and '<u2' to i32, '<u4' to i64 ('<u8',
 * complex, strings and structured dtypes are refused).  Big-endian ('>')
 * data is byte-swapped; fortran_order True is made C-contiguous.  The
 * data must fill the rest of the file exactly.
 * ml_npy_load_mem reads the same bytes from buf (len bytes; name is used
 * in messages, "npy" when NULL).
 * Shapes/dtypes: *t has the file's shape, outermost first (shape () is a
 *   scalar, 0-length dimensions give an empty tensor), contiguous.
 * Ownership: path, buf, name borrowed.  On success the caller owns *t (one
 *   reference); on failure *t is NULL.
 * Errors: AC_EIO "PATH: strerror"; AC_EFORMAT naming the path, the byte
 *   offset and the fault: "PATH: offset 0: bad magic (not an NPY file)",
 *   "PATH: offset 6: version 4.0, want 1.0, 2.0 or 3.0", "PATH: offset
 *   8: header length .. exceeds ..", "PATH: offset N: header: ...",
 *   "PATH: truncated data: got X of Y bytes", "PATH: size mismatch: data
 *   continues past Y bytes"; AC_EDTYPE "PATH: dtype '<u8' has no ml
 *   dtype"; AC_ESHAPE past ML_MAX_DIMS dimensions; AC_ERANGE past
 *   ML_TENSOR_MAX_NUMEL elements; AC_ENOMEM.  Sizes are checked against
 *   the file before anything is allocated; garbage never crashes.
 * Thread safety: safe.
 * Follows: NumPy numpy/lib/format.py (NEP 1).
 */
int ml_npy_load(const char *path, MlTensor **t, AcErr *err);
int ml_npy_load_mem(const void *buf, size_t len, const char *name, MlTensor **t, AcErr *err);

/*
 * Writes t as a .npy file, version 1.0, C order, in the host's byte order
 * (descr '<f4' on x86), the header padded to 64 bytes as NumPy does.  The
 * file is written to a temporary beside path, fsynced and renamed: either
 * the whole file appears or nothing changes.
 * Shapes/dtypes: t: any shape and strides (copied through
 *   ml_tensor_contiguous when not contiguous); f64 f32 f16 i64 i32 i8 u8
 *   bool.  bf16, q8_0 and q4_0 have no NumPy dtype and are refused rather
 *   than widened behind the caller's back: ml_cast them to f32 first.
 * Ownership: borrowed.
 * Errors: AC_EDTYPE "PATH: bf16 has no NPY dtype (cast it first)"; AC_EIO
 *   "PATH: strerror"; AC_ENOMEM.
 * Thread safety: safe while no one writes t.
 * Follows: NumPy numpy/lib/format.py write_array.
 */
int ml_npy_save(const char *path, const MlTensor *t, AcErr *err);

/* GGUF metadata value types (the numbers are the file's). */
typedef enum MlGgufType {
	ML_GGUF_U8 = 0, ML_GGUF_I8 = 1, ML_GGUF_U16 = 2, ML_GGUF_I16 = 3,
	ML_GGUF_U32 = 4, ML_GGUF_I32 = 5, ML_GGUF_F32 = 6, ML_GGUF_BOOL = 7,
	ML_GGUF_STR = 8, ML_GGUF_ARR = 9, ML_GGUF_U64 = 10, ML_GGUF_I64 = 11,
	ML_GGUF_F64 = 12,
} MlGgufType;

/* ggml type ids (enum ggml_type) with an ml dtype. */
enum {
	ML_GGML_F32 = 0, ML_GGML_F16 = 1, ML_GGML_Q4_0 = 2, ML_GGML_Q8_0 = 8,
	ML_GGML_I8 = 24, ML_GGML_I16 = 25, ML_GGML_I32 = 26, ML_GGML_I64 = 27,
	ML_GGML_F64 = 28, ML_GGML_BF16 = 30,
};

/* An open GGUF file; fields are private. */
typedef struct MlGguf MlGguf;

/* One tensor's entry in the file.  ne[] is outermost first: the reverse
 * of the file's (ggml's ne[0] is the innermost; this is the one place
 * ml/ reverses it).  name points into g and lives as long as g. */
typedef struct MlGgufTensorInfo {
	const char *name;
	uint32_t ggml_type;            /* enum ggml_type */
	const char *type_name;         /* ggml's name of it: "f32", "q4_K" */
	int ndim;                      /* the file's n_dimensions, 0..ML_MAX_DIMS */
	int64_t ne[ML_MAX_DIMS];       /* elements, outermost first */
	uint64_t offset;               /* bytes from the start of the file */
	uint64_t bytes;                /* bytes of data */
} MlGgufTensorInfo;

/*
 * Opens a GGUF version 3 file (2 is read too: the same layout) by mmap:
 * the header, every metadata pair (u8 i8 u16 i16 u32 i32 f32 bool string
 * u64 i64 f64, and arrays of any of these, strings included; nested arrays
 * are refused), the tensor infos and general.alignment (u32, a power of
 * two, default 32).  Tensor data stays in the mapping (private,
 * copy-on-write: writing a tensor never changes the file) until
 * ml_gguf_tensor views it.  Checked at open: every count and length
 * against the bytes left before anything is allocated, keys and tensor
 * names unique, dimensions non-negative, rows of whole blocks, ggml type
 * ids known, each tensor's data aligned, inside the file, and not
 * overlapping another's.  ml_gguf_open_mem copies buf (len bytes) and
 * reads the copy (name is used in messages, "gguf" when NULL).
 * Ownership: path borrowed.  Caller owns the result: ml_gguf_close.  The
 *   mapping is unmapped when the file object is closed and the last
 *   tensor from it is gone (a shared reference count).
 * Errors: NULL with AC_EIO "PATH: strerror"; AC_EFORMAT as one line naming
 *   the path, the byte offset and the field, e.g. "model.gguf: offset 8:
 *   tensor count 1099511627776 exceeds what 200 bytes can hold",
 *   "PATH: offset 0: bad magic 0x..", "PATH: offset 4: version 4, want 2
 *   or 3", "PATH: offset N: key 'k': duplicate", "PATH: offset N: tensor
 *   'w': data [A, B) overlaps tensor 'v'"; AC_ENOMEM.  A hostile file
 *   yields one of these, never a crash or a read outside the mapping.
 * Thread safety: the lookups below may run concurrently on one MlGguf;
 *   ml_gguf_close may not run with them.
 * Follows: ggml docs/gguf.md (GGUF v3), ggml/src/gguf.cpp's checks.
 */
MlGguf *ml_gguf_open(const char *path, AcErr *err);
MlGguf *ml_gguf_open_mem(const void *buf, size_t len, const char *name, AcErr *err);

/* Drops the file object's reference (tensors from it stay valid).
 * Accepts NULL. */
void ml_gguf_close(MlGguf *g);

/* The file's version (2 or 3), and general.alignment in bytes. */
uint32_t ml_gguf_version(const MlGguf *g);
uint64_t ml_gguf_alignment(const MlGguf *g);

/*
 * Metadata: kv_count pairs, in file order.  key(i) is the i-th key (NULL
 * when i is out of range), borrowed from g; find gives the index of a key
 * or -1; kv_type the value's type (-1 out of range).
 */
int64_t ml_gguf_kv_count(const MlGguf *g);
const char *ml_gguf_key(const MlGguf *g, int64_t i);
int64_t ml_gguf_find(const MlGguf *g, const char *key);
int ml_gguf_kv_type(const MlGguf *g, int64_t i);

/*
 * Typed getters: *v = the value of key.  get_str gives a NUL-terminated
 * copy borrowed from g (a string holding a NUL byte reads shorter; *len,
 * when not NULL, is the stored length).  get_arr gives the element type,
 * the count, and data: for numbers and bool the packed little-endian
 * elements (borrowed from g, possibly unaligned: read them with memcpy);
 * for strings an array of n NUL-terminated strings (const char *const *).
 * Errors: AC_EINVAL "PATH: no key 'k'"; AC_EDTYPE "PATH: key 'k' is u32,
 *   not i64" if the stored type differs (no conversion is made).
 * Thread safety: safe.
 */
int ml_gguf_get_u8(const MlGguf *g, const char *key, uint8_t *v, AcErr *err);
int ml_gguf_get_i8(const MlGguf *g, const char *key, int8_t *v, AcErr *err);
int ml_gguf_get_u16(const MlGguf *g, const char *key, uint16_t *v, AcErr *err);
int ml_gguf_get_i16(const MlGguf *g, const char *key, int16_t *v, AcErr *err);
int ml_gguf_get_u32(const MlGguf *g, const char *key, uint32_t *v, AcErr *err);
int ml_gguf_get_i32(const MlGguf *g, const char *key, int32_t *v, AcErr *err);
int ml_gguf_get_u64(const MlGguf *g, const char *key, uint64_t *v, AcErr *err);
int ml_gguf_get_i64(const MlGguf *g, const char *key, int64_t *v, AcErr *err);
int ml_gguf_get_f32(const MlGguf *g, const char *key, float *v, AcErr *err);
int ml_gguf_get_f64(const MlGguf *g, const char *key, double *v, AcErr *err);
int ml_gguf_get_bool(const MlGguf *g, const char *key, bool *v, AcErr *err);
int ml_gguf_get_str(const MlGguf *g, const char *key, const char **v, uint64_t *len,
                    AcErr *err);
int ml_gguf_get_arr(const MlGguf *g, const char *key, MlGgufType *elem, uint64_t *n,
                    const void **data, AcErr *err);

/* Tensors: the count, and the i-th tensor's entry (AC_ERANGE out of
 * range).  Thread safety: safe. */
int64_t ml_gguf_tensor_count(const MlGguf *g);
int ml_gguf_tensor_info(const MlGguf *g, int64_t i, MlGgufTensorInfo *info, AcErr *err);

/*
 * A tensor viewing the named tensor's data in the mapping, in place (no
 * copy), with the file's shape reversed to outermost first, contiguous.
 * Shapes/dtypes: ggml F32 F16 BF16 F64 I8 I32 I64 Q8_0 Q4_0 map to f32 f16
 *   bf16 f64 i8 i32 i64 q8_0 q4_0.
 * Ownership: g borrowed.  Caller owns the new reference; it keeps the
 *   mapping alive after ml_gguf_close.
 * Errors: NULL with AC_EINVAL "PATH: no tensor 'w'"; AC_EDTYPE "PATH:
 *   tensor 'w' is q4_K (ggml type 12), which ml/ has no dtype for" (i16
 *   and every other ggml type); AC_EFORMAT if its data is not aligned to
 *   its element size; AC_ERANGE past ML_TENSOR_MAX_NUMEL; AC_ENOMEM.
 * Thread safety: safe.
 */
MlTensor *ml_gguf_tensor(MlGguf *g, const char *name, AcErr *err);

/*
 * Writing: a writer collects metadata and tensors, then writes one GGUF
 * v3 file: header, metadata in the order set, tensor infos (shape
 * reversed to ggml's innermost-first ne[]), then the data of each tensor
 * in the order added, each at an offset that is a multiple of the
 * alignment (32, or general.alignment when set as a u32 power of two),
 * zero-padded: the layout ggml's gguf_write_to_file makes and its reader
 * demands.  The file goes to a temporary beside path, fsync, rename.
 *
 * set: one scalar; val points to a value of the type (for ML_GGUF_STR,
 *   val is the const char * itself).  set_arr: n elements of type elem
 *   packed in vals (ML_GGUF_STR: vals is a const char *const *; bool is one
 *   byte each).  A key may be set once.
 * add_tensor: takes a new reference to t (the data is read at write); t
 *   may have any strides.  Names are 1..63 bytes (ggml's GGML_MAX_NAME)
 *   and unique.  dtypes: every one but u8 and bool (ggml has no type for
 *   them).  A scalar is written with n_dimensions 0.
 * Errors: AC_EINVAL for a duplicate or empty key or name, a bad type, an
 *   alignment that is not a power of two; AC_EDTYPE "gguf: tensor 'w':
 *   u8 has no ggml type"; AC_EIO "PATH: strerror" from write; AC_ENOMEM.
 * Ownership: key, val, vals, name are copied.  Caller owns the writer:
 *   ml_gguf_writer_free (accepts NULL; drops the tensor references).
 * Thread safety: one thread per writer.
 * Follows: ggml docs/gguf.md; ggml/src/gguf.cpp gguf_write_to_file.
 */
typedef struct MlGgufWriter MlGgufWriter;
MlGgufWriter *ml_gguf_writer_new(AcErr *err);
int ml_gguf_writer_set(MlGgufWriter *w, const char *key, MlGgufType type, const void *val,
                       AcErr *err);
int ml_gguf_writer_set_arr(MlGgufWriter *w, const char *key, MlGgufType elem,
                           const void *vals, uint64_t n, AcErr *err);
int ml_gguf_writer_add_tensor(MlGgufWriter *w, const char *name, MlTensor *t, AcErr *err);
int ml_gguf_writer_write(MlGgufWriter *w, const char *path, AcErr *err);
void ml_gguf_writer_free(MlGgufWriter *w);

#endif
