/*
 * nn internals shared by the layer files: making a module, registering
 * its parameters and hyper-parameters, sizing its outputs, errors that
 * name the layer. Private to nn/.
 */
#ifndef NN_NN_IMPL_H
#define NN_NN_IMPL_H

#include "nn/nn.h"

/* A new module of class cls with priv_bytes of zeroed private state (none
 * when 0), in training mode. */
NnModule *nn_module_new(const NnClass *cls, size_t priv_bytes, AcErr *err);

/* Registers value (ownership taken) as parameter name, with a zeroed
 * gradient when grad is set (a buffer otherwise). On error value is
 * freed. */
int nn_param_add(NnModule *m, const char *name, MlTensor *value, bool grad, AcErr *err);

/* Records a hyper-parameter: n ints (n >= 1), or a real. */
void nn_hparam_ints(NnModule *m, const char *name, int n, const int64_t *v);
void nn_hparam_int(NnModule *m, const char *name, int64_t v);
void nn_hparam_real(NnModule *m, const char *name, double v);
/* Looks a hyper-parameter up: the ints (and their count in *n) or the
 * real; NULL / def when absent. */
const NnHparam *nn_hparam_get(const NnHparams *hp, const char *name);
int64_t nn_hparam_geti(const NnHparams *hp, const char *name, int64_t def);
/* hp's per-dimension value name as nsp (1 or 2) entries in out: one
 * value stands for every dimension, as PyTorch's int arguments do. NULL
 * when absent; *bad set when it has another count. */
const int64_t *nn_hparam_spatial(const NnHparams *hp, const char *name, int nsp, int64_t out[2],
                                 bool *bad);
double nn_hparam_getf(const NnHparams *hp, const char *name, double def);

/* Makes *slot a contiguous tensor of dtype and shape, reusing the one
 * there when it already is (its contents are then unspecified), else
 * replacing it. */
int nn_ensure(MlTensor **slot, MlDtype dtype, int ndim, const int64_t *ne, AcErr *err);
/* The same shape and dtype as like. */
int nn_ensure_like(MlTensor **slot, const MlTensor *like, AcErr *err);

/* Fills t (f32 or f64, any shape) with U(-bound, bound) from r, in
 * row-major order. */
int nn_init_uniform(MlTensor *t, double bound, MlRng *r, AcErr *err);

/* Sets err to "Type path: " followed by the message and returns code. */
int nn_err(const NnModule *m, AcErr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checks input: f32 or f64 like m's first parameter (any float when it
 * has none), ndim within [min_ndim, max_ndim]. */
int nn_check_input(const NnModule *m, const MlTensor *input, int min_ndim, int max_ndim,
                   AcErr *err);

/* Element i of a contiguous f32 or f64 tensor, through double; and
 * storing one back, rounded to the tensor's dtype. */
static inline double
nn_ld(const MlTensor *t, int64_t i)
{
	return t->dtype == ML_F32 ? (double)((const float *)(const void *)t->data)[i]
	                          : ((const double *)(const void *)t->data)[i];
}

static inline void
nn_st(MlTensor *t, int64_t i, double v)
{
	if (t->dtype == ML_F32)
		((float *)(void *)t->data)[i] = (float)v;
	else
		((double *)(void *)t->data)[i] = v;
}

/* dst += scale * src, dst and src of one shape and dtype (f32 or f64),
 * any strides. */
int nn_axpy(MlTensor *dst, double scale, const MlTensor *src, AcErr *err);

/* ---- Autograd: the gradient of each op (grad.c), used by the tape
 * (autograd.c) ---- */

/* What the tape does with a result of op when an input requires grad:
 * record it (NN_GRAD_FN), leave it a constant (NN_GRAD_CONST: bool, index
 * or piecewise-constant outputs), or refuse (NN_GRAD_NONE). */
enum { NN_GRAD_NONE, NN_GRAD_CONST, NN_GRAD_FN };
int nn_grad_kind(MlOp op);

/*
 * The backward of op: with y = op(in[0..nin-1]; p) and gy the gradient
 * of y, sets gin[i] (a new reference, of in[i]'s shape or one that
 * broadcasts to it, in[i]'s dtype) for each i with needs[i], NULL for the
 * others. err is not NULL. On error every gin[i] is NULL.
 */
int nn_grad_backward(MlOp op, MlTensor *const *in, int nin, const MlOpParams *p, MlTensor *y,
                     MlTensor *gy, const bool *needs, MlTensor **gin, AcErr *err);

/* ---- Model files (model.c), shared with checkpoint files (checkpoint.c) ---- */

/* Adds what nn_save writes (the metadata, then every parameter and
 * buffer as a tensor) to w; the caller adds more and writes w. */
int nn_save_writer(MlGgufWriter *w, NnModule *m, const char *arch, AcErr *err);
/* nn_load on an open file (path names it in messages); g stays the
 * caller's and may be closed once this returns. */
NnModule *nn_load_gguf(MlGguf *g, const char *path, char *arch, size_t archbytes, AcErr *err);

#endif
