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

/* ---- Layers: Linear, Bilinear, activations, Flatten, Reshape, Identity,
 * Dropout, Embedding (linear.c, activation.c, shape.c, embedding.c) ---- */


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


/* ---- Losses (loss.c) ---- */


/* ---- Optimizers, schedules and gradient clipping (optim.c, schedule.c) ---- */


#endif
