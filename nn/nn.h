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
/* Adds child to a container, taking ownership; name NULL gives the next
 * index. Errors: AC_EINVAL if m is not a container or the name is taken
 * (child is then freed). */
int nn_add(NnModule *m, NnModule *child, const char *name, AcErr *err);

/* ---- Building by name, and model files (model.c) ---- */

/* The class of every type in nn/layers.def. */
#define X(type) extern const NnClass nn_class_##type;
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


/* ---- Layers: convolution, pooling and normalisation (conv.c, pool.c,
 * norm.c) ---- */


/* ---- Losses (loss.c) ---- */


/* ---- Optimizers, schedules and gradient clipping (optim.c, schedule.c) ---- */


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


#endif
