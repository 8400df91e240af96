/*
 * onnx private: the loaded model and the conversions the interpreter
 * shares with the loader.  Not installed.
 */
#ifndef ONNX_ONNX_IMPL_H
#define ONNX_ONNX_IMPL_H

#include "onnx/onnx.h"
#include "onnx/onnx.pb-c.h"

struct OnnxModel {
	Onnx__ModelProto *pb;          /* the whole file, unpacked */
	const Onnx__GraphProto *g;     /* pb->graph */
	int64_t opset;                 /* version of the default domain */
	int ninputs;                   /* graph inputs that are not initializers */
	const char **input;            /* their names, borrowed from pb */
	MlTensor **init;               /* g->initializer[i] as tensors */
};

/* The tensor of a TensorProto; `what` names it in errors (a path, a
 * node).  Caller owns *t. */
int onnx_tensor_from_pb(const Onnx__TensorProto *tp, const char *what, MlTensor **t,
                        AcErr *err);

/* The ml dtype of an ONNX TensorProto.DataType, or -1. */
int onnx_dtype(int64_t onnx_type);

/* Whether the interpreter maps op_type (default domain) at opset. */
int onnx_op_known(const char *op_type, int64_t opset);

#endif
