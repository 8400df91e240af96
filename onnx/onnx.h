/*
 * onnx: reads ONNX models and tensors (the protobuf files of onnx.ai) and
 * runs a model's graph on ml/'s tensors, node by node: the outside
 * reference that ONNX's own backend tests give ml/.
 *
 * Conventions, as ml/ml.h: shapes outermost first; functions return AC_OK
 * or a negative AC_E*, constructors a pointer or NULL, and both fill a
 * nullable AcErr * with one line naming the file, node or field.
 * A model needs something this interpreter lacks (an op, an attribute
 * value, a dtype, a non-tensor value) is AC_EDTYPE, and the functions that
 * can say so name the ONNX op in an `unsupported` buffer, so a caller can
 * tell "not done here" from a wrong answer.
 *
 * Data types: FLOAT DOUBLE FLOAT16 BFLOAT16 INT64 INT32 INT8 UINT8 BOOL
 * become ml's f32 f64 f16 bf16 i64 i32 i8 u8 bool; the others are
 * unsupported.
 *
 * Follows: onnx/onnx.proto (IR version 9) and docs/Operators.md of ONNX;
 * house style (shared/style.md).
 */
#ifndef ONNX_ONNX_H
#define ONNX_ONNX_H

#include <stdint.h>

#include "base/base.h"
#include "ml/ml.h"

enum {
	ONNX_NAME_BYTES = 64,          /* an op name in an `unsupported` buffer, NUL included */
};

/* A loaded model: its graph, opset and the names of its inputs and
 * outputs.  Private to onnx/ (onnx_impl.h). */
typedef struct OnnxModel OnnxModel;

/*
 * Reads one TensorProto file (a test's input_K.pb / output_K.pb) into a
 * new contiguous tensor of the matching ml dtype: from raw_data (little
 * endian) or the typed repeated fields (float_data, int32_data for the
 * narrow types and the f16/bf16 bit patterns, int64_data, double_data).
 * Shapes/dtypes: dims as stored, outermost first; 0 dims is a scalar.
 * Ownership: caller owns *t (one reference); free with ml_tensor_unref.
 *   *t is NULL on error.
 * Errors: AC_EIO naming the path; AC_EFORMAT "PATH: not a TensorProto" or
 *   naming the field whose length disagrees with the dims; AC_EDTYPE
 *   naming the ONNX data type without an ml dtype, or data kept outside
 *   the file; AC_ESHAPE for more than ML_MAX_DIMS dimensions.
 * Thread safety: touches only its arguments.
 */
int onnx_tensor_load(const char *path, MlTensor **t, AcErr *err);

/*
 * Reads an ONNX model file (ModelProto) and indexes its graph: the opset
 * of the default domain, the inputs the caller feeds (graph inputs that
 * are not initializers), the outputs, and each initializer as a tensor.
 * Loading does not judge the ops; onnx_model_check does.
 * Ownership: caller owns the model; free with onnx_model_free.
 * Errors: NULL with AC_EIO naming the path, AC_EFORMAT "PATH: not a
 *   ModelProto" or naming a missing graph, or an initializer's error as
 *   onnx_tensor_load gives it (AC_EDTYPE for an unsupported dtype).
 * Thread safety: touches only its arguments.
 */
OnnxModel *onnx_model_load(const char *path, AcErr *err);

/* Frees a model and its initializers.  Accepts NULL. */
void onnx_model_free(OnnxModel *m);

/*
 * Queries: the opset version of the default ONNX domain the model imports;
 * the number and names of the inputs the caller feeds and of the graph's
 * outputs (in graph order, which is the order of input_K.pb/output_K.pb);
 * the number of nodes and the op_type of node i.
 * Ownership: the strings are borrowed; valid until onnx_model_free.
 * Thread safety: read only; safe on one model from many threads.
 */
int64_t onnx_model_opset(const OnnxModel *m);
int onnx_model_ninputs(const OnnxModel *m);
const char *onnx_model_input_name(const OnnxModel *m, int i);
int onnx_model_noutputs(const OnnxModel *m);
const char *onnx_model_output_name(const OnnxModel *m, int i);
int onnx_model_nnodes(const OnnxModel *m);
const char *onnx_model_node_op(const OnnxModel *m, int i);

/*
 * Checks, before anything runs, that every node's op (in the default
 * domain) has a mapping onto ml at the model's opset, and that every input
 * and output the caller sees is a tensor of a supported data type.
 * Ownership: m borrowed; unsupported (ONNX_NAME_BYTES, may be NULL) is
 *   written: "" when the model is supported, else the op (for a
 *   non-tensor or unsupported input or output: the op of the first node
 *   that reads or writes it).
 * Errors: AC_EDTYPE naming the node, the op and the reason.
 * Thread safety: read only.
 */
int onnx_model_check(const OnnxModel *m, char *unsupported, AcErr *err);

/*
 * Runs the model's graph: the nodes in order (ONNX stores them sorted
 * topologically) over an environment of named tensors that starts with
 * the initializers and the inputs; Constant nodes add theirs.  Each node
 * maps to ml: element-wise ops by ml_op (NumPy broadcasting), reductions
 * over MlOpParams.axes, shape ops by views and ml_copy.  Attributes and
 * optional inputs are read as the model's opset defines them (Squeeze
 * axes as an attribute before opset 13 and an input after, and so on).
 * Shapes/dtypes: inputs[0..onnx_model_ninputs-1] in the model's input
 *   order, of the dtypes the model declares; outputs[0..noutputs-1].
 * Ownership: inputs borrowed; the caller owns each outputs[i] (one
 *   reference; ml_tensor_unref), all NULL on error.  unsupported
 *   (ONNX_NAME_BYTES, may be NULL) is "" unless the result is AC_EDTYPE
 *   for a lack of ours, when it names the op.
 * Errors: onnx_model_check's; AC_EDTYPE for an attribute value or dtype
 *   without a mapping (ml's own AC_EDTYPE counts so); AC_EINVAL naming a
 *   node whose input is missing; AC_ETIMEOUT when deadline_ns (an
 *   ac_clock_ns time; 0 for none) passes between two nodes; ml's errors
 *   with the node's name and op in front.
 * Thread safety: read only on m; runs on disjoint tensors may overlap.
 */
int onnx_run(const OnnxModel *m, MlTensor *const *inputs, MlTensor **outputs,
             int64_t deadline_ns, char *unsupported, AcErr *err);

#endif
