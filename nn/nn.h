/*
 * nn: layers, containers, losses and optimizers on the tensor library
 * (ml/ml.h), with Torch7's split of every layer into three steps:
 *
 *   update_output(m, input)                      m->output = f(input)
 *   update_grad_input(m, input, grad_output)     m->grad_input = df/dinput' grad_output
 *   acc_grad_parameters(m, input, grad_output, scale)
 *                                                each grad += scale * df/dparam' grad_output
 *
 * composed by nn_forward and nn_backward. A layer owns its output and
 * grad_input and reuses them from call to call while the shape holds, so
 * a training step allocates nothing once warm; what they return is
 * borrowed and valid until the layer's next call or nn_free.
 *
 * Conventions (those of ml/ml.h, plus):
 * - Shapes are PyTorch's, outermost first: a batch of images is
 *   [N, C, H, W], a batch of vectors [N, F]. Layers run on f32 and f64
 *   (the dtype of their parameters; nn_to_dtype converts a whole model,
 *   as the f64 gradient checks do); input and parameters share a dtype.
 * - Parameters and buffers are named as PyTorch's named_parameters and
 *   state_dict name them: a layer's own are "weight", "bias",
 *   "running_mean"; inside containers the path of child names joined by
 *   '.': "0.weight", "layers.3.bias".
 * - Initialisation is PyTorch's default for each layer (Linear and conv:
 *   kaiming_uniform with a = sqrt(5), that is U(-1/sqrt(fan_in),
 *   1/sqrt(fan_in)) for weight and bias), drawn from an MlRng seeded by
 *   the constructor's seed argument, so a model is the same on every
 *   machine for the same seed (not PyTorch's numbers: its generator
 *   differs).
 * - Errors: functions return AC_OK or a negative AC_E* and fill a
 *   nullable AcErr with one line naming the layer by its type and path
 *   ("Linear 0: input [64,785] f32, want [*,784]"). Constructors return
 *   NULL on error. Nothing exits or aborts.
 * - Thread safety: a module and its children are used by one thread at
 *   a time; kernels may use ml's thread pool inside a call.
 *
 * Follows: Torch7 nn (Module.lua: updateOutput, updateGradInput,
 * accGradParameters, zeroGradParameters; Sequential, Concat, Parallel);
 * THNN's argument order; PyTorch torch.nn for names, shapes, defaults
 * and update rules.
 */
#ifndef NN_NN_H
#define NN_NN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"
#include "ml/ml.h"

enum {
	NN_NAME_BYTES = 64,       /* a child's name or a parameter's local name, NUL included */
	NN_PATH_BYTES = 256,      /* a full dotted name ("layers.3.attn.q.weight"), NUL included */
	NN_MAX_PARAMS = 8,        /* parameters and buffers a single layer holds */
	NN_MAX_HPARAMS = 16,      /* hyper-parameters a single layer records */
	NN_HPARAM_INTS = 6,       /* ints one hyper-parameter holds (a shape, a kernel) */
};

typedef struct NnModule NnModule;

/* One parameter or buffer of a layer. A parameter has a gradient of its
 * shape and dtype; a buffer (BatchNorm's running statistics) has none and
 * is saved with the model but never updated by an optimizer. */
typedef struct NnParam {
	char name[NN_NAME_BYTES];  /* local name: "weight" */
	MlTensor *value;           /* owned */
	MlTensor *grad;            /* owned; NULL for a buffer */
} NnParam;

/* A hyper-parameter as the constructor took it, recorded so that summary
 * can print it and a model file can rebuild the layer (nn_create). */
typedef struct NnHparam {
	char name[NN_NAME_BYTES];  /* PyTorch's argument name: "in_features", "kernel_size" */
	int n;                     /* ints used in i[], 0 for a real */
	int64_t i[NN_HPARAM_INTS];
	double f;                  /* the value when n == 0 */
} NnHparam;

typedef struct NnHparams {
	int n;
	NnHparam h[NN_MAX_HPARAMS];
} NnHparams;

/*
 * What a layer type does; one const instance per type. A container's
 * steps run its children. acc_grad_parameters is NULL for a layer with
 * no parameters; update_grad_input is never NULL.
 */
typedef struct NnClass {
	const char *type;  /* PyTorch's class name: "Linear", "Conv2d", "Sequential" */
	int (*update_output)(NnModule *m, MlTensor *input, AcErr *err);
	int (*update_grad_input)(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err);
	int (*acc_grad_parameters)(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale,
	                           AcErr *err);
	/* Frees priv (NULL: free(priv)). */
	void (*free_priv)(NnModule *m);
	/* Rebuilds the layer from its hyper-parameters (model files), with
	 * parameters initialised as a new one; NULL for a container, which
	 * nn_create builds from its children. */
	NnModule *(*create)(const NnHparams *hp, uint64_t seed, AcErr *err);
} NnClass;

struct NnModule {
	const NnClass *cls;
	char name[NN_NAME_BYTES];  /* name within the parent ("0", "fc1"); "" at the root */
	MlTensor *output;          /* owned; valid after update_output */
	MlTensor *grad_input;      /* owned; valid after update_grad_input */
	bool training;             /* training mode (Dropout drops, BatchNorm uses batch statistics) */
	int nparams;
	NnParam param[NN_MAX_PARAMS];
	NnHparams hp;
	int nchildren;
	NnModule **children;       /* owned */
	void *priv;                /* the type's own state */
};

/* ---- Running a module (module.c) ---- */

/*
 * output = m(input): update_output. Returns m->output (borrowed), NULL on
 * error. input is borrowed and must stay unchanged until the backward
 * that uses it.
 */
MlTensor *nn_forward(NnModule *m, MlTensor *input, AcErr *err);

/*
 * The backward pass of the last forward of input: update_grad_input, then
 * acc_grad_parameters with scale (1 for an ordinary step), which adds to
 * the parameters' gradients (nn_zero_grad clears them). Returns
 * m->grad_input (borrowed), NULL on error.
 * Shapes/dtypes: grad_output has m->output's shape and dtype.
 */
MlTensor *nn_backward(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale,
                      AcErr *err);

/* Sets every parameter gradient of m and its children to 0. */
void nn_zero_grad(NnModule *m);

/* Training (true) or evaluation mode for m and its children. */
void nn_train(NnModule *m, bool training);

/* Frees m, its children, parameters and outputs. NULL is a no-op. */
void nn_free(NnModule *m);

/*
 * Converts every parameter and buffer of m (and its children) to dtype
 * (f32 or f64), dropping outputs. Errors: AC_EDTYPE for another dtype.
 */
int nn_to_dtype(NnModule *m, MlDtype dtype, AcErr *err);

/*
 * Calls fn for each parameter (grad non-NULL) and, when buffers is set,
 * each buffer, depth first in registration order, with its full dotted
 * name (PyTorch's named_parameters / state_dict order and names). Stops
 * and returns fn's value when it is nonzero; 0 otherwise.
 */
int nn_named_parameters(NnModule *m, bool buffers,
                        int (*fn)(void *ctx, const char *name, NnParam *p), void *ctx);

/* The parameter or buffer with a full dotted name, or NULL. */
NnParam *nn_find_param(NnModule *m, const char *name);

/* Number of parameter elements (buffers excluded) in m and its children. */
int64_t nn_num_parameters(NnModule *m);

/*
 * Prints one line per layer (its path, type, output shape for an input of
 * shape ne[0..ndim-1] and dtype, and its parameter count) and the totals,
 * as torchinfo's summary does. Runs a forward pass in evaluation mode on
 * zeros, restoring the mode after.
 */
int nn_summary(NnModule *m, int ndim, const int64_t *ne, MlDtype dtype, FILE *out, AcErr *err);

/* ---- Containers (container.c) ---- */

/* An empty Sequential: children run in order, each on the previous one's
 * output; named "0", "1", ... as added. */
NnModule *nn_sequential(AcErr *err);
/* Concat(dim): every child runs on the same input; outputs concatenated
 * along dim (Torch7 nn.Concat). */
NnModule *nn_concat(int dim, AcErr *err);
/* Parallel(input_dim, output_dim): child i runs on slice i of the input
 * along input_dim (that dimension removed); outputs concatenated along
 * output_dim (Torch7 nn.Parallel). */
NnModule *nn_parallel(int input_dim, int output_dim, AcErr *err);
/* Residual: output = input + body(input), body the children run in order
 * (a ResNet block's skip connection). */
NnModule *nn_residual(AcErr *err);
/* Adds child to a container, taking ownership on success; name NULL
 * gives the next index. Errors: AC_EINVAL if m is not a container or the
 * name is bad or taken; child then stays the caller's. */
int nn_add(NnModule *m, NnModule *child, const char *name, AcErr *err);
/* Whether m is one of the containers above (NULL is not). */
bool nn_is_container(const NnModule *m);
/*
 * Containers and their outputs: Sequential's output and grad_input are
 * its last and first children's (an extra reference, no copy; an empty
 * Sequential passes its input and grad_output through the same way);
 * Concat, Parallel and Residual own theirs. Concat and Parallel give
 * each child its part of grad_output as a contiguous copy; Parallel
 * gives child i slice i of the input, contiguous. Errors: AC_ESHAPE
 * naming the container when the children's outputs do not join along
 * the dimension, Parallel's input does not hold one slice per child, or
 * Residual's body changes the shape; a child's own error otherwise.
 * Follows: Torch7 nn Sequential.lua, Concat.lua, Parallel.lua (dims
 * counted from 0, negative from the end, as PyTorch's).
 */

/* ---- Building by name, and model files (model.c) ---- */

/* The class of every type in nn/layers.def. */
#define X(sym) extern const NnClass sym;
#include "nn/layers.def"
#undef X

/* The class named type ("Linear"), or NULL. */
const NnClass *nn_class_find(const char *type);

/*
 * Parses hyper-parameters written as `name=value ...` separated by
 * blanks: a value of comma-separated integers is ints ("kernel_size=3,3",
 * "bias=1"), anything else a real ("eps=1e-5"; true/false read as 1/0).
 * Errors: AC_EINVAL naming the word that is not name=value, an unknown
 * number, or more than NN_MAX_HPARAMS names or NN_HPARAM_INTS ints.
 */
int nn_hparams_parse(NnHparams *hp, const char *opts, AcErr *err);

/*
 * A new module of type with hyper-parameters hp, parameters initialised
 * from seed as its constructor does (containers start empty).
 * Errors: AC_EINVAL "Linear: no type 'Lineer'" or the constructor's own.
 */
NnModule *nn_create(const char *type, const NnHparams *hp, uint64_t seed, AcErr *err);

/*
 * Saves m as a GGUF v3 file: its architecture as metadata and every
 * parameter and buffer as a tensor named by its dotted name, in m's
 * dtype. The file is written beside path and renamed into place, so a
 * crash mid-save leaves any old file whole. Metadata keys:
 *   general.architecture  "acheron"
 *   acheron.arch          arch, a free-form name of the model ("mlp")
 *   acheron.module_count  u32: modules in depth-first order, root first
 *   acheron.module.I.type    the class name ("Linear")
 *   acheron.module.I.name    the name within its parent ("" for the root)
 *   acheron.module.I.parent  i32: the parent's I, -1 for the root
 *   acheron.module.I.HP      each hyper-parameter: an i64 array or an f64
 * Errors: AC_EIO naming path; those of ml_gguf_writer_*.
 */
int nn_save(NnModule *m, const char *arch, const char *path, AcErr *err);

/*
 * Loads a model nn_save wrote: rebuilds the modules from the metadata,
 * then copies each parameter and buffer from its tensor (converted to the
 * layer's dtype, f32). arch, when not NULL, receives acheron.arch
 * (truncated to archbytes). A file from anything else is refused with
 * one line: missing keys, an unknown type, a parent out of order, a
 * missing or extra tensor, a shape that differs.
 * Errors: AC_EIO, AC_EFORMAT "PATH: acheron.module.3.type: no type
 *   'Lineer'", "PATH: tensor '0.weight' is [10,784], the model wants
 *   [256,784]".
 */
NnModule *nn_load(const char *path, char *arch, size_t archbytes, AcErr *err);

/* ---- Layers: Linear, Bilinear, activations, Flatten, Reshape, Identity,
 * Dropout, Embedding (linear.c, activation.c, shape.c, embedding.c) ---- */

/*
 * Common to these layers: constructors return a new module in training
 * mode with f32 parameters (nn_to_dtype converts), or NULL with AC_EINVAL
 * for a bad hyper-parameter; input and parameters share a dtype, f32 or
 * f64, any strides; output and grad_input are the layer's own, except
 * where said. Each layer's hyper-parameters are recorded under PyTorch's
 * argument names and its class (below) has a create that rebuilds it
 * from them. Errors of the steps: AC_EDTYPE, or AC_ESHAPE naming the
 * layer and the shapes: "Linear 0: input [64,785] f32, want [*,784]".
 */

/*
 * Linear: y = x W' + b (torch.nn.Linear; Torch7 THNN Linear).
 * Shapes/dtypes: x [*, in_features] (at least 1-d), weight [out_features,
 *   in_features], bias [out_features] when bias is set, y [*, out_features].
 * Init: weight and bias U(-1/sqrt(in_features), 1/sqrt(in_features)), in
 *   that order from an MlRng seeded with seed.
 * Gradients: grad_input = grad_output W; weight.grad += scale *
 *   grad_output' x and bias.grad += scale * the sums of grad_output's rows,
 *   leading dimensions flattened into rows.
 * Hyper-parameters: in_features, out_features, bias (0 or 1).
 */
NnModule *nn_linear(int64_t in_features, int64_t out_features, bool bias, uint64_t seed,
                    AcErr *err);

/*
 * Bilinear: y[o] = x1' A[o] x2 + b[o] (torch.nn.Bilinear). A module takes
 * one input, so Bilinear's is x1 and x2 side by side: the input [*,
 * in1_features + in2_features] holds x1 in its first in1_features columns
 * and x2 in the rest (torch.cat([x1, x2], -1)); grad_input is laid out
 * the same way.
 * Shapes/dtypes: weight [out_features, in1_features, in2_features], bias
 *   [out_features]; y [*, out_features].
 * Init: weight and bias U(-1/sqrt(in1_features), 1/sqrt(in1_features)), as
 *   PyTorch's reset_parameters.
 * Hyper-parameters: in1_features, in2_features, out_features, bias.
 */
NnModule *nn_bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias,
                      uint64_t seed, AcErr *err);

/*
 * Element-wise activations, any shape (0-d included), forward by ml's op
 * of the same name (ops.def), backward from x and y = f(x):
 * ReLU max(x, 0) (gradient 0 at 0, as PyTorch); LeakyReLU x or
 * negative_slope x (PyTorch default 0.01); ELU x or alpha (e^x - 1)
 * (default 1); GELU x Phi(x), or with tanh_approx PyTorch's
 * approximate='tanh' form (hyper-parameter approximate 0 or 1); SiLU x
 * sigmoid(x); Tanh; Sigmoid.
 * Softmax and LogSoftmax along dim (negative from the end; input at least
 * 1-d; AC_ERANGE naming the layer when dim is outside the input).
 * Follows: torch.nn ReLU, LeakyReLU, ELU, GELU, SiLU, Tanh, Sigmoid,
 * Softmax, LogSoftmax.
 */
NnModule *nn_relu(AcErr *err);
NnModule *nn_leaky_relu(double negative_slope, AcErr *err);
NnModule *nn_elu(double alpha, AcErr *err);
NnModule *nn_gelu(bool tanh_approx, AcErr *err);
NnModule *nn_silu(AcErr *err);
NnModule *nn_tanh(AcErr *err);
NnModule *nn_sigmoid(AcErr *err);
NnModule *nn_softmax(int dim, AcErr *err);
NnModule *nn_log_softmax(int dim, AcErr *err);

/*
 * Flatten: dimensions start_dim..end_dim (negative from the end; PyTorch's
 * defaults 1 and -1) merged into one: [N, C, H, W] -> [N, C*H*W]
 * (torch.nn.Flatten). Output and grad_input are views of the input and
 * grad_output where their strides allow (copies otherwise).
 * Errors: AC_ERANGE naming the layer when the dims fall outside the input.
 */
NnModule *nn_flatten(int start_dim, int end_dim, AcErr *err);

/*
 * Reshape: [N, *] -> [N, shape[0], .., shape[ndim-1]]: the first (batch)
 * dimension is kept and each sample's elements take shape, one entry of
 * which may be -1 (inferred), as x.view(x.size(0), *shape) (Torch7
 * nn.Reshape in batch mode; torch.nn.Unflatten(1, shape) on a flat [N,
 * F] input). Views as Flatten. ndim 0..ML_MAX_DIMS-1.
 * Errors: AC_EINVAL for a dimension below -1 or more than one -1;
 *   AC_ESHAPE naming the layer when a sample's element count does not fit.
 * Hyper-parameters: shape.
 */
NnModule *nn_reshape(int ndim, const int64_t *shape, AcErr *err);

/* Identity: output is the input and grad_input the grad_output, by
 * reference (torch.nn.Identity); any dtype. */
NnModule *nn_identity(AcErr *err);

/*
 * Dropout(p): in training mode each element is zeroed with probability p
 * and the rest scaled by 1/(1-p) (torch.nn.Dropout); the mask is drawn from
 * an MlRng seeded with seed at construction and advanced by each training
 * forward, so a model is reproducible, and backward multiplies by the
 * mask of the last forward. In evaluation mode (or p = 0) output and
 * grad_input are the input and grad_output by reference. p = 1 zeroes
 * everything. Errors: NULL with AC_EINVAL for p outside [0, 1].
 * Hyper-parameters: p.
 */
NnModule *nn_dropout(double p, uint64_t seed, AcErr *err);

/*
 * Embedding: rows of weight [num_embeddings, embedding_dim] picked by
 * indices (torch.nn.Embedding; Torch7 LookupTable).
 * Shapes/dtypes: input any shape [*] of i64 or i32 indices (at most
 *   ML_MAX_DIMS-1 dimensions); output [*, embedding_dim] of the weight's
 *   dtype.
 * Init: weight N(0, 1) (ml_tensor_randn with seed), the padding_idx row
 *   zeroed; padding_idx -1 for none.
 * Gradients: indices have none (PyTorch gives None): grad_input is zeros
 *   of the input's shape in the weight's dtype, so containers can pass
 *   it on. acc_grad_parameters adds scale * each grad_output row to the
 *   row of weight.grad its index picked, skipping padding_idx.
 * Errors: AC_EDTYPE for non-integer input; AC_ERANGE naming the layer,
 *   the index and its position: "Embedding: index 12 at position 3 is
 *   outside [0, 10)".
 * Hyper-parameters: num_embeddings, embedding_dim, padding_idx.
 */
NnModule *nn_embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx,
                       uint64_t seed, AcErr *err);

/* The classes of these layers (m->cls of what the constructors return),
 * for model files: their create rebuilds a layer from its hyper-parameters. */
/* Their classes (nn_linear_class, ...) are declared from nn/layers.def above. */


/* ---- Layers: convolution, pooling and normalisation (conv.c, pool.c,
 * norm.c) ---- */


/* ---- Losses (loss.c) ---- */


/* ---- Optimizers, schedules and gradient clipping (optim.c, schedule.c) ---- */


/* ---- Autograd: a reverse-mode tape over ml's ops (autograd.c, grad.c) ---- */


/* ---- Data: datasets, the data loader and image transforms (data.c,
 * loader.c, transform.c) ---- */


#endif
