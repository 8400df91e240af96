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
	NN_MAX_DEPTH = 64,        /* levels of nesting a model file or $Nn may build */
	NN_MAX_MODULES = 4096,    /* modules a model file may hold */
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
 * Errors: AC_EINVAL "no type 'Lineer'" or the constructor's own.
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
 * missing or extra tensor, a shape that differs. Keys it does not read
 * and tensors named optim.* (a checkpoint's optimizer state) are
 * ignored, so a checkpoint (nn_checkpoint_save) loads as its model; the
 * extra-tensor check counts the tensors not named optim.*.
 * Errors: AC_EIO, AC_EFORMAT "PATH: acheron.module.3.type: no type
 *   'Lineer'", "PATH: tensor '0.weight' is [10,784], the model wants
 *   [256,784]".
 */
NnModule *nn_load(const char *path, char *arch, size_t archbytes, AcErr *err);

/*
 * Training checkpoints (checkpoint.c): one GGUF file from which training
 * resumes bit for bit, holding the model as nn_save writes it, the
 * optimizer (its type, options, step count and every state tensor) and
 * where the training loop stood. Keys and tensors besides nn_save's:
 *   acheron.optim.type    "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"
 *                         (absent when saved without an optimizer)
 *   acheron.optim.step    i64: nn_optim_get_step
 *   acheron.optim.NAME    every field of NnOptimOptions by its name: f64
 *                         lr weight_decay momentum dampening beta1 beta2
 *                         eps alpha lr_decay initial_accumulator_value;
 *                         bool maximize nesterov amsgrad centered
 *   acheron.train.epoch   i64: NnCheckpointInfo's fields
 *   acheron.train.seed    i64
 *   acheron.train.batch   i64
 *   acheron.train.extra   f64 array of NN_CHECKPOINT_EXTRA
 *   tensor optim.P.S      state S of parameter P (its dotted name), as
 *                         nn_optim_state names it: "optim.1.weight.exp_avg";
 *                         every state the options use, in the state's dtype
 * Tensor names are at most 63 bytes (GGUF's), which bounds P.
 */
enum { NN_CHECKPOINT_EXTRA = 4 };

typedef struct NnOptim NnOptim;  /* under "Optimizers" below */

typedef struct NnCheckpointInfo {
	int64_t epoch;  /* epochs completed */
	int64_t seed;   /* the data order's seed */
	int64_t batch;  /* batches done in the current epoch; 0 at an epoch boundary */
	double extra[NN_CHECKPOINT_EXTRA];  /* the caller's numbers: the best accuracy, ... */
} NnCheckpointInfo;

/*
 * Saves m (as nn_save), opt and info to path, written beside it and
 * renamed into place as nn_save's file is, so a failed or interrupted
 * save leaves any old file whole. opt NULL saves no optimizer; info NULL
 * saves zeros. opt must be over m's parameters in nn_parameters' order
 * (nn_optim_new(.., m, ..)). Makes any state tensor opt has not yet made
 * (as nn_optim_state does), which changes no later step.
 * Errors: AC_EINVAL "checkpoint: the optimizer's parameter 2 is not the
 *   model's parameter 2 ('1.weight')", "checkpoint: tensor name
 *   'optim....' is over 63 bytes"; AC_EIO naming path; nn_save's.
 */
int nn_checkpoint_save(NnModule *m, NnOptim *opt, const NnCheckpointInfo *info,
                       const char *arch, const char *path, AcErr *err);

/*
 * Loads a checkpoint: *m the model (as nn_load; arch likewise), *opt (opt
 * may be NULL: none is built) a new optimizer of the saved type and
 * options over *m's parameters with the saved step and state, or NULL
 * when the file holds no optimizer; *info (info may be NULL) the saved
 * info. Both are the caller's: nn_optim_free, then nn_free. A file is
 * refused with one line: nn_load's reasons, no acheron.train.* (a plain
 * model file), an unknown optimizer type, an option of another type or
 * one nn_optim_new refuses, a state tensor missing, extra or of another
 * shape than its parameter, optim.* tensors with no acheron.optim.type.
 * The lr is the one saved (a schedule's last); an NnSchedule keeps no
 * state, so the caller goes on applying it from the step it stood at.
 * Errors: AC_EIO; AC_EFORMAT "PATH: tensor 'optim.0.weight.exp_avg' is
 *   [8,3], parameter '0.weight' is [8,4]", "PATH: no tensor
 *   'optim.2.bias.exp_avg_sq' (Adam's state)", "PATH: 5 optim.* tensors,
 *   Adam over this model has 4", a key missing or of another type (the
 *   getter's message); nn_optim_new's after the path ("PATH: SGD: lr -1,
 *   want >= 0"). On error *m and *opt are NULL.
 */
int nn_checkpoint_load(const char *path, NnModule **m, NnOptim **opt, NnCheckpointInfo *info,
                       char *arch, size_t archbytes, AcErr *err);

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

/*
 * Shared by the layers below:
 * - Input is batched, PyTorch's shapes with N first: [N, C, L] for the
 *   1-d layers, [N, C, H, W] for the 2-d ones (no unbatched [C, H, W]
 *   form: add the batch dimension with ml_view_unsqueeze). f32 or f64,
 *   the parameters' dtype (the pools take either), any strides.
 * - Per-dimension arguments are arrays of one int per spatial dimension,
 *   height first; NULL gives PyTorch's default (stride 1, or the kernel
 *   for the pools; padding 0; dilation 1; output_padding 0).
 * - Errors: constructors return NULL with AC_EINVAL naming the argument
 *   ("Conv2d: groups 3 do not divide in_channels 4"); a forward returns
 *   AC_ESHAPE with one line naming the layer and the shapes ("Conv2d 0:
 *   input [2,4,5,5] has 4 channels, want 3"), AC_EDTYPE for a dtype other
 *   than the parameters'.
 * - nn_forward keeps what backward needs (the pool's argmax, the norm's
 *   statistics), so nn_backward must follow the forward of the same input.
 */

/*
 * Conv1d / Conv2d: output = bias + the cross-correlation of input with
 * weight per group.
 * Shapes/dtypes: input [N, in_channels, *in]; weight [out_channels,
 *   in_channels/groups, *kernel_size]; bias [out_channels]; output [N,
 *   out_channels, *out], out = (in + 2*padding - dilation*(kernel-1) - 1)
 *   / stride + 1 (rounded down). Parameters f32 (nn_to_dtype for f64).
 * Init: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in =
 *   in_channels/groups * prod(kernel_size), from an MlRng seeded by seed.
 * Backward: grad_input is the transposed convolution of grad_output
 *   (ml's conv_transpose); grad_weight the correlation of input with
 *   grad_output, one gemm per image and group over im2col tiles.
 * Ownership: caller owns the module; free with nn_free.
 * Errors: NULL and AC_EINVAL for a size below 1, negative padding, groups
 *   not dividing both channel counts.
 * Follows: PyTorch torch.nn.Conv1d / Conv2d (padding_mode "zeros");
 *   Torch7 THNN SpatialConvolutionMM.
 */
NnModule *nn_conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride,
                    int64_t padding, int64_t dilation, int64_t groups, bool bias, uint64_t seed,
                    AcErr *err);
NnModule *nn_conv2d(int64_t in_channels, int64_t out_channels, const int64_t kernel_size[2],
                    const int64_t stride[2], const int64_t padding[2], const int64_t dilation[2],
                    int64_t groups, bool bias, uint64_t seed, AcErr *err);

/*
 * ConvTranspose1d / ConvTranspose2d: the adjoint of Conv with the same
 * arguments (the gradient of a convolution), plus the bias; arguments in
 * PyTorch's order.
 * Shapes/dtypes: input [N, in_channels, *in]; weight [in_channels,
 *   out_channels/groups, *kernel_size]; bias [out_channels]; output
 *   [N, out_channels, *out], out = (in-1)*stride - 2*padding +
 *   dilation*(kernel-1) + output_padding + 1.
 * Init: as Conv with fan_in = out_channels/groups * prod(kernel_size)
 *   (PyTorch's fan_in of weight.size(1)).
 * Errors: as Conv; AC_EINVAL for output_padding not below stride or
 *   dilation (PyTorch's rule).
 * Follows: PyTorch torch.nn.ConvTranspose1d / ConvTranspose2d; Torch7
 *   THNN SpatialFullConvolution.
 */
NnModule *nn_conv_transpose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                              int64_t stride, int64_t padding, int64_t output_padding,
                              int64_t groups, bool bias, int64_t dilation, uint64_t seed,
                              AcErr *err);
NnModule *nn_conv_transpose2d(int64_t in_channels, int64_t out_channels,
                              const int64_t kernel_size[2], const int64_t stride[2],
                              const int64_t padding[2], const int64_t output_padding[2],
                              int64_t groups, bool bias, const int64_t dilation[2], uint64_t seed,
                              AcErr *err);

/*
 * MaxPool1d / MaxPool2d: the max over each window; the gradient goes to
 * the window's argmax (the first maximum, NaN above every number).
 * Shapes/dtypes: input [N, C, *in] f32 or f64; output [N, C, *out], out
 *   = (in + 2*padding - dilation*(kernel-1) - 1) / stride + 1, rounded
 *   down or (ceil_mode) up, a last window starting in the right padding
 *   dropped. stride 0 (1-d) or NULL (2-d) is the kernel.
 * Errors: NULL and AC_EINVAL for a kernel, stride or dilation below 1 or
 *   padding above half the kernel (PyTorch's rule).
 * Follows: PyTorch torch.nn.MaxPool1d / MaxPool2d (return_indices kept
 *   inside); Torch7 THNN SpatialDilatedMaxPooling.
 */
NnModule *nn_max_pool1d(int64_t kernel_size, int64_t stride, int64_t padding, int64_t dilation,
                        bool ceil_mode, AcErr *err);
NnModule *nn_max_pool2d(const int64_t kernel_size[2], const int64_t stride[2],
                        const int64_t padding[2], const int64_t dilation[2], bool ceil_mode,
                        AcErr *err);

/*
 * AvgPool1d / AvgPool2d: the mean over each window, dividing by the taps
 * inside the input, or (count_include_pad, PyTorch's default true) inside
 * the padded input; the gradient is spread back with the same divisor.
 * Shapes/dtypes: as MaxPool with dilation 1.
 * Errors: as MaxPool.
 * Follows: PyTorch torch.nn.AvgPool1d / AvgPool2d (no divisor_override);
 *   Torch7 THNN SpatialAveragePooling.
 */
NnModule *nn_avg_pool1d(int64_t kernel_size, int64_t stride, int64_t padding, bool ceil_mode,
                        bool count_include_pad, AcErr *err);
NnModule *nn_avg_pool2d(const int64_t kernel_size[2], const int64_t stride[2],
                        const int64_t padding[2], bool ceil_mode, bool count_include_pad,
                        AcErr *err);

/*
 * AdaptiveAvgPool2d: output [N, C, oh, ow] for any input [N, C, H, W];
 * output i of n over an extent m averages [floor(i*m/n), ceil((i+1)*m/n)).
 * output_size {1, 1} is global average pooling.
 * Errors: NULL and AC_EINVAL for an output size below 1.
 * Follows: PyTorch torch.nn.AdaptiveAvgPool2d (no None entries).
 */
NnModule *nn_adaptive_avg_pool2d(const int64_t output_size[2], AcErr *err);

/*
 * BatchNorm1d (input [N, C] or [N, C, L]) / BatchNorm2d ([N, C, H, W]):
 * y = (x - mean) / sqrt(var + eps) * weight + bias per channel.
 * In training mode (or without track_running_stats) mean and var are the
 * batch's (biased variance), and running_mean / running_var move by
 * momentum towards the batch mean and unbiased variance:
 * r = (1 - momentum) * r + momentum * batch; backward goes through the
 * batch statistics. In evaluation mode with track_running_stats the
 * running statistics are used and backward is the affine map's.
 * Parameters: weight [C] (ones), bias [C] (zeros) when affine; buffers
 *   running_mean [C] (zeros), running_var [C] (ones) when
 *   track_running_stats. No num_batches_tracked: momentum is a number
 *   (PyTorch's momentum=None cumulative average is not offered).
 * Errors: NULL and AC_EINVAL for num_features < 1, eps < 0, momentum
 *   outside [0, 1]; forward AC_ESHAPE for the wrong channel count and, in
 *   training, for a single value per channel ("BatchNorm1d: expected
 *   more than 1 value per channel when training, got input [1,4]").
 * Follows: PyTorch torch.nn.BatchNorm1d / BatchNorm2d; Ioffe & Szegedy
 *   2015; Torch7 THNN BatchNormalization.
 */
NnModule *nn_batch_norm1d(int64_t num_features, double eps, double momentum, bool affine,
                          bool track_running_stats, AcErr *err);
NnModule *nn_batch_norm2d(int64_t num_features, double eps, double momentum, bool affine,
                          bool track_running_stats, AcErr *err);

/*
 * LayerNorm: normalises over the last ndim dimensions (normalized_shape,
 * ndim 1..NN_HPARAM_INTS), y = (x - mean) / sqrt(var + eps) * weight +
 * bias, var biased.
 * Shapes/dtypes: input [*, normalized_shape...]; weight, bias of
 *   normalized_shape (ones, zeros) when elementwise_affine.
 * Errors: NULL and AC_EINVAL for a size below 1 or eps < 0; forward
 *   AC_ESHAPE when the input does not end in normalized_shape.
 * Follows: PyTorch torch.nn.LayerNorm; Ba et al. 2016.
 */
NnModule *nn_layer_norm(int ndim, const int64_t *normalized_shape, double eps,
                        bool elementwise_affine, AcErr *err);

/*
 * RMSNorm: y = x / sqrt(mean(x^2) + eps) * weight over the last ndim
 * dimensions. eps < 0 stands for PyTorch's eps=None: the machine epsilon
 * of the input's dtype (FLT_EPSILON for f32, DBL_EPSILON for f64), taken
 * at each forward.
 * Shapes/dtypes: as LayerNorm; weight of normalized_shape (ones) when
 *   elementwise_affine, no bias.
 * Follows: PyTorch torch.nn.RMSNorm (2.4); Zhang & Sennrich 2019.
 */
NnModule *nn_rms_norm(int ndim, const int64_t *normalized_shape, double eps,
                      bool elementwise_affine, AcErr *err);

/*
 * GroupNorm: the channels of input [N, C, *] split into num_groups groups,
 * each normalised over its channels and positions, then weight and bias
 * per channel.
 * Shapes/dtypes: input [N, num_channels, *] (ndim >= 2); weight, bias
 *   [num_channels] (ones, zeros) when affine.
 * Errors: NULL and AC_EINVAL when num_groups does not divide
 *   num_channels; forward AC_ESHAPE for the wrong channel count.
 * Follows: PyTorch torch.nn.GroupNorm; Wu & He 2018.
 */
NnModule *nn_group_norm(int64_t num_groups, int64_t num_channels, double eps, bool affine,
                        AcErr *err);

/*
 * MultiheadAttention (attention.c): self-attention over a sequence, y =
 * out_proj(concat_h softmax(q_h k_h' / sqrt(d) + mask) v_h), with q, k, v
 * = x in_proj_weight' + in_proj_bias split in three, each split in
 * num_heads heads of d = embed_dim / num_heads columns; mask -inf above
 * the diagonal when causal (position i attends to j <= i), none otherwise.
 * No dropout, no key padding mask; query, key and value are the input.
 * Shapes/dtypes: input [N, L, embed_dim] (batch_first) or unbatched
 *   [L, embed_dim] -> output of its shape. Parameters as PyTorch names
 *   them: in_proj_weight [3E, E] (xavier_uniform), in_proj_bias [3E]
 *   (zeros), out_proj.weight [E, E] (U(-1/sqrt(E), 1/sqrt(E))),
 *   out_proj.bias [E] (zeros); the biases only when bias.
 * The backward uses q, k, v and the probabilities of the last forward
 * (f64 scratch, [N, H, L, L] for the probabilities), which must be of
 * the same input. Plain loops in double: sized for small models.
 * Errors: NULL and AC_EINVAL when num_heads does not divide embed_dim;
 *   forward AC_ESHAPE "MultiheadAttention: input [2,3,5] f64, want
 *   [N,L,4]".
 * Follows: PyTorch torch.nn.MultiheadAttention(E, H, bias,
 *   batch_first=True) called as mha(x, x, x, attn_mask=causal,
 *   need_weights=False); Vaswani et al. 2017.
 */
NnModule *nn_multihead_attention(int64_t embed_dim, int64_t num_heads, bool bias, bool causal,
                                 uint64_t seed, AcErr *err);

/*
 * SwiGLU (attention.c): the gated feed-forward of LLaMA, y = w2(silu(w1(x))
 * * w3(x)).
 * Shapes/dtypes: input [*, in_features] -> [*, in_features]. Parameters,
 *   LLaMA's names and order: w1.weight [H, D], w2.weight [D, H],
 *   w3.weight [H, D] (D in_features, H hidden_features), each followed by
 *   its bias ([H], [D], [H]) when bias; Linear's initialisation.
 * Errors: NULL and AC_EINVAL for a size below 1; forward AC_ESHAPE
 *   "SwiGLU: input [2,5] f64, want [*,4]".
 * Follows: Shazeer 2020, GLU Variants Improve Transformer; Meta's LLaMA
 *   model.py FeedForward.
 */
NnModule *nn_swiglu(int64_t in_features, int64_t hidden_features, bool bias, uint64_t seed,
                    AcErr *err);


/* ---- Losses (loss.c) ---- */

/*
 * Losses are Torch7 criterions: a small object holding the loss's
 * options, which computes the loss of an input against a target
 * (nn_loss_forward) and its gradient with respect to the input
 * (nn_loss_backward). Like a layer it owns its output and grad_input and
 * reuses them while the shape holds. The arithmetic is in double whatever
 * the dtype; input and target are f32 or f64 (class targets i64 or i32).
 *
 * Reductions are PyTorch's: NONE gives the per-element loss (the input's
 * shape; CrossEntropyLoss and NLLLoss: the target's [N, d1..]), MEAN and
 * SUM a 0-d scalar. BATCHMEAN (KLDivLoss only) is the sum over ne[0].
 *
 * Follows: Torch7 nn Criterion (forward / backward, sizeAverage);
 * PyTorch torch.nn loss classes and torch.nn.functional for the formulas
 * and reductions (1.13).
 */
typedef enum NnReduction {
	NN_REDUCTION_NONE = 0,
	NN_REDUCTION_MEAN = 1,
	NN_REDUCTION_SUM = 2,
	NN_REDUCTION_BATCHMEAN = 3,  /* KLDivLoss's: sum / input.size(0) */
} NnReduction;

typedef struct NnLoss NnLoss;

/*
 * Constructors. Each returns a new loss (free with nn_loss_free) or NULL
 * with AC_EINVAL for a bad option (a negative beta, label_smoothing
 * outside [0, 1], BATCHMEAN on another loss than KLDivLoss) or AC_ENOMEM.
 * weight and pos_weight are optional (NULL); the loss takes a reference
 * (the caller keeps its own) and converts them to the input's dtype.
 *
 *   MSELoss:         (x - y)^2
 *   L1Loss:          |x - y|
 *   SmoothL1Loss:    0.5 (x - y)^2 / beta where |x - y| < beta, else
 *                    |x - y| - 0.5 beta (beta 0 is L1Loss; PyTorch's default 1)
 *   BCELoss:         -weight (y max(log x, -100) + (1 - y) max(log(1 - x), -100))
 *                    with x probabilities; weight broadcasts to the input
 *   BCEWithLogitsLoss: the same on sigmoid(x), in the stable form
 *                    (1 - y) x + (1 + (pos_weight - 1) y) (log1p(exp(-|x|)) + max(-x, 0)),
 *                    times weight; pos_weight broadcasts to the input
 *                    (a [C] vector of per-class weights for input [N, C])
 *   KLDivLoss:       y (log y - x) (0 where y = 0), x log-probabilities;
 *                    log_target: exp(y) (y - x)
 *   NLLLoss:         -weight[t] x[n, t, d..] with t = target[n, d..]
 *   CrossEntropyLoss: NLLLoss of log_softmax(x, 1), or with probability
 *                    targets of x's shape -sum_c weight[c] y[n, c] log_softmax(x)[n, c];
 *                    label_smoothing mixes the target with the uniform
 *                    distribution as PyTorch does
 * For NLLLoss and CrossEntropyLoss the input is [N, C, d1..] (or [C] with a
 * 0-d target), class targets [N, d1..] i64 or i32 in 0..C-1 or
 * ignore_index (PyTorch's default is -100; those positions give 0 and are
 * left out of the mean), weight a [C] vector; MEAN divides by the sum of
 * the weights of the targets not ignored. They run ml's nll_loss and
 * cross_entropy ops.
 */
NnLoss *nn_mse_loss(NnReduction reduction, AcErr *err);
NnLoss *nn_l1_loss(NnReduction reduction, AcErr *err);
NnLoss *nn_smooth_l1_loss(NnReduction reduction, double beta, AcErr *err);
NnLoss *nn_bce_loss(NnReduction reduction, MlTensor *weight, AcErr *err);
NnLoss *nn_bce_with_logits_loss(NnReduction reduction, MlTensor *weight, MlTensor *pos_weight,
                                AcErr *err);
NnLoss *nn_kl_div_loss(NnReduction reduction, bool log_target, AcErr *err);
NnLoss *nn_nll_loss(NnReduction reduction, MlTensor *weight, int64_t ignore_index, AcErr *err);
NnLoss *nn_cross_entropy_loss(NnReduction reduction, MlTensor *weight, int64_t ignore_index,
                              double label_smoothing, AcErr *err);

/* PyTorch's class name: "MSELoss", "CrossEntropyLoss". */
const char *nn_loss_type(const NnLoss *loss);

/*
 * The loss of input against target. Returns the output (borrowed, valid
 * until the loss's next forward or nn_loss_free): a 0-d scalar for MEAN,
 * SUM and BATCHMEAN, the per-element losses for NONE; NULL on error.
 * *value (value may be NULL) is the scalar, or for NONE the sum of the
 * elements.
 * Shapes/dtypes: input f32 or f64, any shape and strides; target of the
 *   input's shape and dtype (class losses: as above).
 * Ownership: input and target borrowed.
 * Errors: AC_ESHAPE "MSELoss: input [2,3] and target [3,2] differ in
 *   shape" (class losses: "CrossEntropyLoss: target [4] does not match
 *   input [3,5]"); AC_EDTYPE "BCELoss: target is f64, input f32";
 *   AC_EINVAL for a class out of range (naming its position); AC_ENOMEM.
 */
MlTensor *nn_loss_forward(NnLoss *loss, MlTensor *input, MlTensor *target, double *value,
                          AcErr *err);

/*
 * grad_input = d loss / d input times grad_output, for the same input and
 * target as a forward (it need not have run: the gradient is computed
 * from input and target alone). grad_output NULL means 1 everywhere (for
 * NONE, the gradient of the sum). Returns grad_input (borrowed, the
 * input's shape and dtype, contiguous; valid until the next backward or
 * nn_loss_free), NULL on error.
 * Shapes/dtypes: grad_output NULL or the output's shape (0-d for the
 *   reductions), any float dtype.
 * Errors: those of nn_loss_forward; AC_ESHAPE "MSELoss: grad_output [3],
 *   want [2,3]".
 * Follows: PyTorch's backward formulas; BCELoss's is
 *   weight (x - y) / max(x (1 - x), 1e-12) (ATen binary_cross_entropy_backward).
 */
MlTensor *nn_loss_backward(NnLoss *loss, MlTensor *input, MlTensor *target, MlTensor *grad_output,
                           AcErr *err);

/* Frees the loss, its output, grad_input and its references to the weights.
 * NULL is a no-op. */
void nn_loss_free(NnLoss *loss);


/* ---- Optimizers, schedules and gradient clipping (optim.c, schedule.c) ---- */

/*
 * An optimizer updates a fixed list of parameters (one PyTorch param
 * group) from their gradients, with the update rules of PyTorch 1.13's
 * torch.optim (the _single_tensor_* functions, which the class docstrings'
 * pseudo-code describes), computed in double per element whatever the
 * dtype (f32 parameters are rounded once per step):
 *
 *   every kind:  g = maximize ? -grad : grad
 *   SGD:         g += weight_decay p;
 *                if momentum: b = step 1 ? g : momentum b + (1 - dampening) g,
 *                             g = nesterov ? g + momentum b : b;
 *                p -= lr g
 *   Adam:        g += weight_decay p; m = beta1 m + (1 - beta1) g;
 *                v = beta2 v + (1 - beta2) g^2; amsgrad: vmax = max(vmax, v), v = vmax;
 *                p -= lr / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *   AdamW:       p *= 1 - lr weight_decay, then Adam without weight decay
 *   RMSprop:     g += weight_decay p; s = alpha s + (1 - alpha) g^2;
 *                centered: a = alpha a + (1 - alpha) g, d = sqrt(s - a^2) + eps,
 *                else d = sqrt(s) + eps;
 *                momentum > 0: b = momentum b + g / d, p -= lr b; else p -= lr g / d
 *   Adagrad:     g += weight_decay p; sum += g^2;
 *                p -= lr / (1 + (t - 1) lr_decay) g / (sqrt(sum) + eps)
 *
 * (maximize negates the gradient before the weight decay, as the code
 * does; the docstrings put the sign on the final update instead.)
 *
 * State, per parameter, named as PyTorch's optimizer state_dict names it,
 * the parameter's shape and dtype, made on first use:
 *   SGD:     "momentum_buffer" (momentum != 0)
 *   Adam, AdamW: "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad)
 *   RMSprop: "square_avg", "momentum_buffer" (momentum > 0), "grad_avg" (centered)
 *   Adagrad: "sum" (starts at initial_accumulator_value)
 * and one step count t for all the parameters (PyTorch keeps one per
 * parameter; they agree when every step updates every parameter). To
 * checkpoint, save nn_optim_get_step and each nn_optim_state tensor; to
 * restore, build the optimizer with the same options, nn_optim_set_step,
 * and ml_copy into the tensors nn_optim_state returns. SGD's first step
 * (t == 0 before it) sets momentum_buffer to the gradient.
 *
 * Thread safety: one thread at a time per optimizer.
 * Follows: PyTorch 1.13 torch.optim SGD, Adam, AdamW, RMSprop, Adagrad.
 */
typedef enum NnOptimKind {
	NN_OPTIM_SGD,
	NN_OPTIM_ADAM,
	NN_OPTIM_ADAMW,
	NN_OPTIM_RMSPROP,
	NN_OPTIM_ADAGRAD,
} NnOptimKind;

/* The hyper-parameters, PyTorch's names; each kind reads its own. */
typedef struct NnOptimOptions {
	double lr;
	double weight_decay;               /* L2 penalty; AdamW's decoupled decay */
	bool maximize;
	double momentum;                   /* SGD, RMSprop */
	double dampening;                  /* SGD */
	bool nesterov;                     /* SGD: needs momentum > 0 and dampening 0 */
	double beta1, beta2;               /* Adam, AdamW: betas */
	double eps;                        /* Adam, AdamW, RMSprop, Adagrad */
	bool amsgrad;                      /* Adam, AdamW */
	double alpha;                      /* RMSprop */
	bool centered;                     /* RMSprop */
	double lr_decay;                   /* Adagrad */
	double initial_accumulator_value;  /* Adagrad */
} NnOptimOptions;

typedef struct NnOptim NnOptim;

/*
 * PyTorch's defaults for kind: SGD lr 0.01 (PyTorch has no default; it
 * is required there), momentum 0, dampening 0, weight_decay 0; Adam lr
 * 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0; AdamW the same with
 * weight_decay 0.01; RMSprop lr 0.01, alpha 0.99, eps 1e-8; Adagrad lr
 * 0.01, lr_decay 0, eps 1e-10, initial_accumulator_value 0.
 */
NnOptimOptions nn_optim_defaults(NnOptimKind kind);

/*
 * A new optimizer over the parameters of m (nn_named_parameters' order,
 * buffers excluded), or over params[0..nparams-1].
 * Shapes/dtypes: each parameter f32 or f64, value and grad contiguous.
 * Ownership: the parameters are borrowed and must outlive the optimizer;
 *   params (the array) is copied. Caller owns the result; free with
 *   nn_optim_free.
 * Errors: NULL with AC_EINVAL naming the option ("Adam: beta1 1 is
 *   outside [0, 1)", "SGD: nesterov needs momentum > 0 and dampening 0",
 *   a negative lr, eps, weight_decay, momentum, alpha, lr_decay or
 *   initial_accumulator_value), AC_EDTYPE for a parameter of another
 *   dtype, AC_ENOMEM.
 */
NnOptim *nn_optim_new(NnOptimKind kind, const NnOptimOptions *o, NnModule *m, AcErr *err);
NnOptim *nn_optim_new_params(NnOptimKind kind, const NnOptimOptions *o, NnParam *const *params,
                             int nparams, AcErr *err);

/* One update of every parameter from its gradient; the step count goes
 * up by one first. Errors: AC_ESHAPE if a parameter's value or grad was
 * replaced by one of another shape or layout, AC_ENOMEM for state. */
int nn_optim_step(NnOptim *opt, AcErr *err);
/* Sets every parameter's gradient to 0. */
void nn_optim_zero_grad(NnOptim *opt);
/* The learning rate (schedules set it). */
void nn_optim_set_lr(NnOptim *opt, double lr);
double nn_optim_get_lr(const NnOptim *opt);
/* The options in force; the caller may change them between steps (the
 * state an option needs is made when first used). Borrowed. */
NnOptimOptions *nn_optim_options(NnOptim *opt);
NnOptimKind nn_optim_kind(const NnOptim *opt);
/* PyTorch's class name: "SGD", "Adam", "AdamW", "RMSprop", "Adagrad". */
const char *nn_optim_type(const NnOptim *opt);

/* The parameters, in order; index 0..nparams-1 (borrowed; NULL outside). */
int nn_optim_nparams(const NnOptim *opt);
NnParam *nn_optim_param(NnOptim *opt, int index);
/* Steps taken (PyTorch's state["step"]); setting it restores a checkpoint. */
int64_t nn_optim_get_step(const NnOptim *opt);
void nn_optim_set_step(NnOptim *opt, int64_t step);
/*
 * The k-th state tensor (k = 0, 1, ..) of parameter index under the
 * current options, in the order of the list above, and its name in *name
 * (name may be NULL); NULL past the last one. Made (zeros, Adagrad's sum
 * initial_accumulator_value) if no step has made it yet, so a checkpoint
 * can be loaded into it. Borrowed; the caller may write the elements.
 * Errors: NULL with AC_ENOMEM, or index out of range (AC_ERANGE).
 */
MlTensor *nn_optim_state(NnOptim *opt, int index, int k, const char **name, AcErr *err);
/* Frees the optimizer and its state (not the parameters). NULL is a no-op. */
void nn_optim_free(NnOptim *opt);

/*
 * Every parameter of m (buffers excluded) in nn_named_parameters' order,
 * in a new array of *n pointers the caller frees with free() (the
 * parameters stay borrowed). NULL with AC_ENOMEM; a model with no
 * parameters gives a non-NULL array and *n = 0.
 */
NnParam **nn_parameters(NnModule *m, int *n, AcErr *err);

/*
 * Gradient clipping (clip.c).
 * Scales all the gradients of params[0..n-1] together so that their
 * norm_type norm (of all the gradients as one vector) is at most
 * max_norm: total = (sum |g|^p)^(1/p), or max |g| for norm_type
 * INFINITY; coef = max_norm / (total + 1e-6); every gradient is multiplied
 * by coef when coef < 1. *total_norm (total_norm may be NULL) is the norm
 * before clipping, as PyTorch returns it.
 * Errors: AC_EINVAL for norm_type <= 0 or a negative max_norm; AC_EDTYPE
 * for a gradient not f32 or f64.
 * Follows: PyTorch 1.13 torch.nn.utils.clip_grad_norm_ (error_if_nonfinite False).
 */
int nn_clip_grad_norm(NnParam *const *params, int n, double max_norm, double norm_type,
                      double *total_norm, AcErr *err);
/* Clamps every gradient element into [-clip_value, clip_value]
 * (torch.nn.utils.clip_grad_value_). Errors: AC_EINVAL for a negative
 * clip_value; AC_EDTYPE as above. */
int nn_clip_grad_value(NnParam *const *params, int n, double clip_value, AcErr *err);

/*
 * Learning-rate schedules: the lr for a step index as PyTorch's
 * torch.optim.lr_scheduler gives it, in closed form (the caller steps:
 * once per epoch or once per batch, as with PyTorch). step is PyTorch's
 * last_epoch: 0 when the scheduler is made, k after k calls of
 * scheduler.step(). An NnSchedule is a plain value: no allocation, no
 * free. base_lr is PyTorch's initial_lr, the optimizer's lr when the
 * schedule starts (nn_optim_get_lr).
 *
 *   StepLR:            base_lr gamma^floor(step / step_size)
 *   MultiStepLR:       base_lr gamma^(milestones <= step), milestones any order
 *   ExponentialLR:     base_lr gamma^step
 *   CosineAnnealingLR: eta_min + (base_lr - eta_min)(1 + cos(pi step / T_max)) / 2
 *                      (_get_closed_form_lr; PyTorch's recursive form differs by rounding)
 *   OneCycleLR:        from max_lr / div_factor up to max_lr over the first
 *                      pct_start total_steps - 1 steps, then down to
 *                      max_lr / div_factor / final_div_factor at total_steps - 1,
 *                      cosine (or linear) annealing; three_phase goes back
 *                      to the initial lr at 2 pct_start total_steps - 2 first.
 *                      Only the lr: PyTorch's cycle_momentum is not done.
 *                      step > total_steps is an error there; here the lr is NaN.
 *   LinearLR:          base_lr (start_factor + (end_factor - start_factor)
 *                      min(step, total_iters) / total_iters)
 *
 * Constructors fill *s and return AC_OK, or AC_EINVAL naming the argument
 * (step_size, T_max, total_steps or total_iters < 1; more than
 * NN_MAX_MILESTONES milestones; pct_start outside [0, 1]; start_factor
 * outside (0, 1] or end_factor outside [0, 1]; a negative lr).
 * Follows: PyTorch 1.13 torch.optim.lr_scheduler (StepLR, MultiStepLR,
 * ExponentialLR, CosineAnnealingLR, OneCycleLR, LinearLR).
 */
enum { NN_MAX_MILESTONES = 16 };

typedef enum NnScheduleKind {
	NN_SCHED_STEP_LR,
	NN_SCHED_MULTI_STEP_LR,
	NN_SCHED_EXPONENTIAL_LR,
	NN_SCHED_COSINE_ANNEALING_LR,
	NN_SCHED_ONE_CYCLE_LR,
	NN_SCHED_LINEAR_LR,
} NnScheduleKind;

typedef struct NnSchedule {
	NnScheduleKind kind;
	double base_lr;          /* PyTorch's initial_lr; OneCycleLR: max_lr / div_factor */
	double gamma;            /* StepLR, MultiStepLR, ExponentialLR */
	int64_t step_size;       /* StepLR */
	int nmilestones;         /* MultiStepLR */
	int64_t milestones[NN_MAX_MILESTONES];
	int64_t t_max;           /* CosineAnnealingLR */
	double eta_min;
	double max_lr;           /* OneCycleLR */
	int64_t total_steps;
	double pct_start;
	bool anneal_linear;      /* false: PyTorch's anneal_strategy 'cos' */
	double div_factor, final_div_factor;
	bool three_phase;
	double start_factor, end_factor;  /* LinearLR */
	int64_t total_iters;
} NnSchedule;

int nn_step_lr(NnSchedule *s, double base_lr, int64_t step_size, double gamma, AcErr *err);
int nn_multi_step_lr(NnSchedule *s, double base_lr, int nmilestones, const int64_t *milestones,
                     double gamma, AcErr *err);
int nn_exponential_lr(NnSchedule *s, double base_lr, double gamma, AcErr *err);
int nn_cosine_annealing_lr(NnSchedule *s, double base_lr, int64_t t_max, double eta_min, AcErr *err);
/* PyTorch's defaults: pct_start 0.3, anneal cos, div_factor 25,
 * final_div_factor 1e4, three_phase false. */
int nn_one_cycle_lr(NnSchedule *s, double max_lr, int64_t total_steps, double pct_start,
                    bool anneal_linear, double div_factor, double final_div_factor, bool three_phase,
                    AcErr *err);
/* PyTorch's defaults: start_factor 1/3, end_factor 1, total_iters 5. */
int nn_linear_lr(NnSchedule *s, double base_lr, double start_factor, double end_factor,
                 int64_t total_iters, AcErr *err);

/* The lr at step (>= 0; NaN for a negative step or OneCycleLR past total_steps). */
double nn_schedule_lr(const NnSchedule *s, int64_t step);
/* Sets opt's lr to nn_schedule_lr(s, step). Errors: AC_ERANGE when that
 * is NaN ("OneCycleLR: step 101 is past total_steps 100"). */
int nn_schedule_apply(const NnSchedule *s, NnOptim *opt, int64_t step, AcErr *err);


/* ---- Losses and optimizers by name (byname.c) ---- */

/*
 * A loss by PyTorch's class name (CrossEntropyLoss NLLLoss MSELoss L1Loss
 * SmoothL1Loss BCELoss BCEWithLogitsLoss KLDivLoss) with its keyword
 * arguments as `name=value` words: reduction=none|mean|sum|batchmean,
 * ignore_index, label_smoothing, beta, log_target (no class weights).
 * Errors: AC_EINVAL naming an unknown type or an option the type does not
 * take; the constructor's own.
 */
NnLoss *nn_loss_create(const char *type, const char *opts, AcErr *err);

/*
 * An optimizer by PyTorch's class name (SGD Adam AdamW RMSprop Adagrad)
 * over m's parameters, with its keyword arguments as `name=value` words
 * (lr, momentum, dampening, nesterov, weight_decay, betas=a,b, eps,
 * amsgrad, alpha, centered, lr_decay, initial_accumulator_value,
 * maximize; the rest PyTorch's defaults, SGD's lr 0.01).
 * Errors: AC_EINVAL naming an unknown type or option; nn_optim_new's.
 */
NnOptim *nn_optim_create(const char *type, NnModule *m, const char *opts, AcErr *err);


/* ---- Autograd: a reverse-mode tape over ml's ops (autograd.c, grad.c) ---- */

/*
 * A tape records the ml ops run through nn_var_op on variables, so that
 * nn_tape_backward can take the gradient of any result with respect to
 * every variable that requires one: a model no layer covers can be
 * trained on the leaves' gradients (PyTorch's requires_grad, backward,
 * no_grad, detach).
 *
 * - A variable (NnVar) is owned by its tape and lives until
 *   nn_tape_clear or nn_tape_free. It holds a reference to its value, a
 *   requires_grad flag and its gradient (same shape and dtype as the
 *   value, contiguous; NULL until a backward reaches it).
 * - Only floating-point values (f64 f32 f16 bf16) can require a gradient.
 *   An op's result requires one when any input does and the tape is not
 *   in no_grad mode; then the op is recorded as a node. Results of
 *   comparisons, argmax/argmin, isnan, sign/floor/ceil/round and the
 *   random fills never require one (their gradient is zero or undefined,
 *   PyTorch returns zeros for the rounding ones).
 * - The tape is a list in creation order, which is a topological order:
 *   backward walks it from the root's node to the first, calling each
 *   op's backward (nn/grad.c, one entry per op of ml/ops.def) and ADDING
 *   into its inputs' gradients. Leaves accumulate across backward calls
 *   (as PyTorch's .grad; nn_tape_zero_grad clears them); the gradients of
 *   intermediate results are reset at the start of each backward and left
 *   readable after it (PyTorch's retain_grad). The graph is kept after a
 *   backward (PyTorch's retain_graph=True), so backward may run again.
 * - Gradients are computed with the ml ops themselves in the values'
 *   dtype (add, mul, matmul, sum, ...); the element-wise derivatives of
 *   the unary and the other binary ops are taken in double and converted
 *   back.
 * - Ops with a gradient: add sub mul div pow remainder fmod maximum
 *   minimum (NumPy broadcasting: summed back to each input's shape; ties
 *   of maximum/minimum split the gradient evenly, as PyTorch); every
 *   float unary op; sum mean amax amin var std logsumexp norm1 norm2
 *   sumsq over any axes with or without keepdim; matmul (batched,
 *   broadcast batch dimensions, 1-d operands); linear; softmax,
 *   log_softmax; layer_norm, rms_norm; nll_loss and cross_entropy (the
 *   input's, and a probability target's; not the class weights': backward
 *   fails "autograd: no gradient for op 'nll_loss' input 3 (weight)").
 *   Others (prod, the index ops, conv and pooling, group_norm,
 *   batch_norm, rope, attention) fail in nn_var_op with AC_EINVAL
 *   "autograd: no gradient for op 'conv'" when a gradient would be needed
 *   through them (when no input requires one, or under no_grad, they run).
 * - Layers' parameters: nn_var_param makes a leaf over a parameter whose
 *   gradient IS the parameter's grad tensor, so an optimizer over the
 *   module sees what backward accumulated.
 * - Thread safety: one thread per tape.
 *
 * A training step:
 *   nn_tape_clear(t);
 *   w = nn_var_param(t, &m->param[0], err); x = nn_var(t, batch, false, err);
 *   y = nn_var_op(t, ML_OP_MATMUL, (NnVar *[]){x, w}, 2, NULL, err); ...
 *   nn_tape_backward(t, loss, NULL, err);   (then update from the grads)
 *
 * Follows: PyTorch autograd (torch.autograd.backward, the derivatives of
 * tools/autograd/derivatives.yaml, gradient accumulation into leaves);
 * Griewank & Walther, Evaluating Derivatives (reverse mode on a tape).
 */
typedef struct NnTape NnTape;
typedef struct NnVar NnVar;

/* A new empty tape, recording (not in no_grad mode). NULL on AC_ENOMEM. */
NnTape *nn_tape_new(AcErr *err);
/* Frees the tape, its variables and nodes (dropping the references to
 * values and gradients). NULL is a no-op. */
void nn_tape_free(NnTape *t);
/* Frees every variable and node, keeping the tape (and its no_grad mode)
 * for the next step: NnVar pointers from before are invalid after. */
void nn_tape_clear(NnTape *t);

/*
 * A leaf over value (a reference is taken; the tensor is not copied, so
 * changing it in place between steps, as an optimizer does, is seen by
 * the tape's next ops). requires_grad: its gradient is wanted.
 * Errors: NULL with AC_EINVAL for a NULL value, AC_EDTYPE "autograd:
 *   only floating-point values can require grad (i64)", AC_ENOMEM.
 */
NnVar *nn_var(NnTape *t, MlTensor *value, bool requires_grad, AcErr *err);

/* A leaf over a layer's parameter p (p->grad not NULL) that requires
 * grad and accumulates its gradient into p->grad (so nn_var_grad is
 * p->grad). Errors: as nn_var; AC_EINVAL for a buffer. */
NnVar *nn_var_param(NnTape *t, NnParam *p, AcErr *err);

/*
 * Runs op on the values of in[0..nin-1] (ml_op; optional inputs of the
 * NORM and LINEAR families may be NULL; nin <= ML_OP_MAX_INPUTS, missing
 * trailing ones NULL) with params (NULL: zeros) into a new variable, and
 * records it when it requires grad (see above). The inputs must belong to
 * t.
 * Errors: NULL with ml_op's error; AC_EINVAL for a variable of another
 *   tape or nin out of range; AC_EINVAL "autograd: no gradient for op
 *   'xxx'" when the op has none and an input requires grad.
 */
NnVar *nn_var_op(NnTape *t, MlOp op, NnVar *const *in, int nin, const MlOpParams *params,
                 AcErr *err);

/* v's value in shape ne[0..ndim-1] (one entry may be -1), a view when
 * the strides allow, else a copy (torch.reshape); the gradient flows back
 * reshaped. Errors: those of ml_tensor_reshape_copy (AC_ESHAPE). */
NnVar *nn_var_reshape(NnTape *t, NnVar *v, int ndim, const int64_t *ne, AcErr *err);

/* A new leaf sharing v's value that does not require grad: gradient does
 * not flow through it (torch.Tensor.detach). NULL on AC_ENOMEM. */
NnVar *nn_var_detach(NnTape *t, NnVar *v, AcErr *err);

/* The value and the gradient (NULL until computed), borrowed: valid until
 * nn_tape_clear/free (a gradient also until nn_tape_zero_grad). */
MlTensor *nn_var_value(const NnVar *v);
MlTensor *nn_var_grad(const NnVar *v);
bool nn_var_requires_grad(const NnVar *v);

/* Turns no_grad mode on or off (torch.no_grad): while on, nn_var_op
 * records nothing and its results do not require grad. Returns the
 * previous mode. */
bool nn_tape_no_grad(NnTape *t, bool on);

/*
 * Backpropagates from root: with g = grad_root (root's shape and dtype;
 * NULL means 1, for a root of one element), adds d(sum(g * root))/dv to
 * the gradient of every variable v that requires grad and that root
 * depends on.
 * Errors: AC_EINVAL "autograd: root does not require grad", a root of
 *   another tape, "autograd: grad_root is needed for a root of shape
 *   [3,4]"; AC_ESHAPE/AC_EDTYPE for a grad_root unlike root; the ml ops'
 *   errors (the leaves' gradients may then be partly updated).
 */
int nn_tape_backward(NnTape *t, NnVar *root, const MlTensor *grad_root, AcErr *err);

/* Zeroes the gradient of every leaf (those over parameters included) and
 * drops those of intermediate results (torch.optim's zero_grad). */
void nn_tape_zero_grad(NnTape *t);

/* Whether op has a gradient on the tape (false also for the ops whose
 * results never require grad). */
bool nn_op_has_grad(MlOp op);


/* ---- Data: datasets, the data loader and image transforms (data.c,
 * loader.c, transform.c) ---- */

/*
 * An in-memory data set of (input, target) pairs, sample i being row i of
 * x and of y along dimension 0 (PyTorch's TensorDataset). The fields are
 * read-only; nn_dataset_free frees it.
 */
typedef struct NnDataset {
	MlTensor *x;  /* inputs [N, ...], contiguous; owned by reference */
	MlTensor *y;  /* targets [N, ...], contiguous; owned by reference */
	int64_t n;    /* samples: N */
} NnDataset;

/*
 * A data set of x and y, sharing their storage when they are contiguous
 * (a copy otherwise), so writes to x show through.
 * Shapes/dtypes: x: [N, ...], y: [N, ...], any dtypes; N <= INT32_MAX.
 * Ownership: x and y borrowed (the data set takes its own references).
 *   Caller owns the result; free with nn_dataset_free.
 * Errors: NULL with AC_EINVAL for a nil or 0-d tensor, AC_ESHAPE "dataset:
 *   x [60000,784] and y [600] differ in dimension 0", AC_ERANGE past
 *   INT32_MAX samples, AC_ENOMEM.
 * Follows: torch.utils.data.TensorDataset.
 */
NnDataset *nn_dataset_tensors(MlTensor *x, MlTensor *y, AcErr *err);

/*
 * Images and labels from two IDX files (MNIST's format, gzip or plain,
 * read by ml_idx_load): x the images as f32, divided by 255 into [0, 1]
 * when scale is set (torchvision's ToTensor) and 0..255 otherwise; y the
 * labels as i64 class indices.
 * Shapes/dtypes: images [N, H, W] (or any [N, ...]) -> x [N, H, W] f32;
 *   labels [N] -> y [N] i64.
 * Errors: NULL with ml_idx_load's errors; AC_ESHAPE "LABELS: 600 labels
 *   for 60000 images" or labels not 1-d; AC_EFORMAT "LABELS: label 7 is
 *   -1, not a class index".
 * Follows: torchvision.datasets.MNIST / FashionMNIST.
 */
NnDataset *nn_dataset_idx(const char *images, const char *labels, bool scale, AcErr *err);

/*
 * x and y from two .npy files (ml_npy_load), dtypes as the files hold
 * them (float64 stays f64, int64 labels i64).
 * Errors: NULL with ml_npy_load's errors, or nn_dataset_tensors'.
 */
NnDataset *nn_dataset_npy(const char *x_path, const char *y_path, AcErr *err);

/*
 * A CSV file of numbers, one sample a line: column target (0-based; -1
 * for the last) is the integer class, y [N] i64; the other columns, in
 * order, are the features, x [N, F] f32. header skips the first line.
 * Fields are separated by commas and may be quoted; blank lines are
 * skipped; the parsing is libcsv's, in strict mode.
 * Errors: NULL with AC_EIO "PATH: strerror"; AC_EFORMAT naming the path
 *   and the line, and the column counted from 1:
 *   "PATH: line 3, column 2: 'abc' is not a number",
 *   "PATH: line 4, column 5: '2.5' is not a class index",
 *   "PATH: line 5: 3 columns, want 4" (the first line sets the width),
 *   "PATH: line 2: csv: error parsing data while strict checking enabled",
 *   "PATH: no rows", "PATH: target column 4 of 4 columns",
 *   "PATH: 1 column, want a target and at least one feature"; AC_ENOMEM.
 * Follows: RFC 4180 as libcsv reads it.
 */
NnDataset *nn_dataset_csv(const char *path, bool header, int target, AcErr *err);

/* Sample i as views: *x = x[i], *y = y[i] (caller owns both; unref).
 * Errors: AC_ERANGE "dataset: sample 10 of 10". */
int nn_dataset_get(const NnDataset *d, int64_t i, MlTensor **x, MlTensor **y, AcErr *err);

/* Frees d (its tensors when no one else holds them). NULL is a no-op. */
void nn_dataset_free(NnDataset *d);

/*
 * An image transform, applied to a whole batch x: [N, C, H, W] or
 * [N, H, W] f32 (C = 1), each image on its own random draws. Make one with
 * nn_transform_normalize / _random_crop / _random_horizontal_flip; the
 * fields are read-only.
 */
typedef enum NnTransformKind {
	NN_NORMALIZE,                /* x[n, c] = (x[n, c] - mean[c]) / std[c] */
	NN_RANDOM_CROP,              /* a random size[0] x size[1] window of x padded with zeros */
	NN_RANDOM_HORIZONTAL_FLIP,   /* x[n, .., w] = x[n, .., W-1-w] with probability p */
} NnTransformKind;

enum {
	NN_TRANSFORM_MAX_CHANNELS = 16,  /* channels Normalize takes */
	NN_LOADER_MAX_TRANSFORMS = 8,    /* transforms one loader runs */
	NN_LOADER_MAX_PREFETCH = 8,      /* batches a loader's thread prepares ahead */
};

typedef struct NnTransform {
	NnTransformKind kind;
	int channels;                              /* Normalize: entries of mean and std (1: all) */
	double mean[NN_TRANSFORM_MAX_CHANNELS];
	double std[NN_TRANSFORM_MAX_CHANNELS];
	int64_t size[2];                           /* RandomCrop: output height, width */
	int64_t padding;                           /* RandomCrop: zeros added on each side first */
	double p;                                  /* RandomHorizontalFlip: probability */
} NnTransform;

/*
 * Fill *t with a transform. Normalize: channels (1..16) means and
 * standard deviations, one for every channel when channels is 1.
 * RandomCrop: an h x w window at a uniform random offset of the image
 * padded by padding zeros on every side. RandomHorizontalFlip: mirrors
 * an image with probability p.
 * Errors: AC_EINVAL "Normalize: mean[1] 0, std[1] 0" (a std of 0 or a
 *   value not finite), "RandomCrop: size 0x32",
 *   "RandomCrop: padding -1", "RandomHorizontalFlip: p 1.5 outside [0, 1]".
 * Follows: torchvision.transforms Normalize, RandomCrop (padding_mode
 *   "constant", fill 0), RandomHorizontalFlip.
 */
int nn_transform_normalize(NnTransform *t, int channels, const double *mean, const double *std,
                           AcErr *err);
int nn_transform_random_crop(NnTransform *t, int64_t h, int64_t w, int64_t padding, AcErr *err);
int nn_transform_random_horizontal_flip(NnTransform *t, double p, AcErr *err);

/*
 * The shape of t's output for an input of shape ne[0..ndim-1], into
 * out_ne (ndim entries). Errors: AC_ESHAPE "RandomCrop: input [8,3,28,28]:
 * window 32x32 larger than 28x28 padded by 1", "Normalize: input
 * [8,3,4,4] has 3 channels, mean and std 2", or not 3-d or 4-d.
 */
int nn_transform_shape(const NnTransform *t, int ndim, const int64_t *ne, int64_t *out_ne,
                       AcErr *err);

/*
 * out = t(in), drawing from r: per image in order, RandomCrop takes
 * top = ml_rng_below(r, H + 2 padding - h + 1) then left =
 * ml_rng_below(r, W + 2 padding - w + 1); RandomHorizontalFlip flips when
 * ml_rng_uniform(r) < p; Normalize draws nothing.
 * Shapes/dtypes: in and out f32, contiguous, out of nn_transform_shape's
 *   shape; out may be in for Normalize and RandomHorizontalFlip, not for
 *   RandomCrop.
 * Errors: AC_EDTYPE, AC_EINVAL (a strided tensor, out == in for a crop),
 *   AC_ESHAPE as nn_transform_shape or for out's shape; nothing drawn or
 *   written then.
 */
int nn_transform_apply(const NnTransform *t, MlTensor *out, const MlTensor *in, MlRng *r,
                       AcErr *err);

/*
 * A data loader: the samples of a data set in mini-batches, reshuffled
 * every epoch, with transforms applied to the inputs.
 *
 * Epoch e's order is ml_perm(N, seed + e) when shuffle is set (0..N-1
 * otherwise), so a run is reproducible and a resumed run replays epoch e
 * by nn_loader_epoch(l, e). Batch b of the epoch holds samples order[b*B ..
 * b*B + B - 1] (the last one short unless drop_last). Its transforms draw
 * from an MlRng seeded from (seed, e, b) alone, so the batches are the
 * same byte for byte whether a thread prefetches them or not.
 *
 * With prefetch > 0 a thread gathers and transforms up to prefetch
 * batches ahead of the caller (a ring of prefetch + 1 buffers under a
 * mutex and condition variable), while the caller computes on the batch
 * it has.
 */
typedef struct NnLoader NnLoader;

typedef struct NnLoaderOptions {
	int64_t batch_size;  /* samples a batch, >= 1 */
	bool shuffle;        /* a new order every epoch */
	bool drop_last;      /* drop the last batch when it is short */
	uint64_t seed;       /* of the orders and the transforms' draws */
	int prefetch;        /* batches prepared ahead by a thread, 0..8; 0: no thread */
} NnLoaderOptions;

/*
 * A loader over d. No epoch is running until nn_loader_epoch (or the
 * first nn_loader_next, which starts epoch 0).
 * Ownership: d and opt borrowed; the loader references d's tensors, so d
 *   may be freed first. Caller owns the loader; free with nn_loader_free.
 * Errors: NULL with AC_EINVAL for batch_size < 1 or prefetch outside
 *   0..8, AC_ENOMEM, AC_ELIMIT when the thread cannot start.
 * Thread safety: one caller thread; the prefetch thread is the loader's.
 * Follows: torch.utils.data.DataLoader (batch_size, shuffle, drop_last;
 *   prefetch as its prefetch_factor with one worker).
 */
NnLoader *nn_loader_new(const NnDataset *d, const NnLoaderOptions *opt, AcErr *err);

/*
 * Appends a transform (copied) for the inputs of every batch, run in the
 * order added. Only before the first epoch starts.
 * Errors: AC_EINVAL once an epoch has started or past 8 transforms;
 *   nn_transform_shape's for the data set's input shape.
 */
int nn_loader_add_transform(NnLoader *l, const NnTransform *t, AcErr *err);

/* Starts epoch (>= 0): its order, batch 0 next. Ends the batch the
 * caller holds and drops any prepared for the epoch before.
 * Errors: AC_EINVAL for a negative epoch. */
int nn_loader_epoch(NnLoader *l, int64_t epoch);

/*
 * The next batch of the epoch: *x = the inputs [B, ...] after the
 * transforms, *y = the targets [B, ...] (B = batch_size, less for a short
 * last batch), both contiguous. Returns 1, or 0 at the end of the epoch
 * (*x and *y NULL), or a negative AC_E* when preparing this batch failed
 * (an error of the prefetch thread is reported here, by the call that
 * asks for its batch; the epoch then goes on with the next).
 * Ownership: *x and *y are borrowed from the loader, which reuses their
 *   memory: valid until the next nn_loader_next, nn_loader_epoch or
 *   nn_loader_free. ml_tensor_ref does not extend that: copy to keep.
 */
int nn_loader_next(NnLoader *l, MlTensor **x, MlTensor **y, AcErr *err);

/* Batches an epoch has: ceil(N / B), or floor with drop_last. */
int64_t nn_loader_len(const NnLoader *l);

/* Stops the prefetch thread (waiting for the batch it is preparing) and
 * frees l and its buffers. NULL is a no-op. */
void nn_loader_free(NnLoader *l);


#endif
