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
