/*
 * ml private helpers shared by the kernel files: shape formatting for error
 * messages and the common argument checks.  Not installed; not for nn/ or vm/.
 */
#ifndef ML_ML_IMPL_H
#define ML_ML_IMPL_H

#include "ml/ml.h"

/* Room for "[2147483647,2147483647,2147483647,2147483647]" and a NUL. */
enum { ML_SHAPE_BYTES = 48 };

/* Writes t's shape as "[64,784]" into buf and returns buf ("nil" for NULL). */
char *ml_shape_fmt(const MlTensor *t, char buf[ML_SHAPE_BYTES]);

/* Whether a and b have the same matrix view (rows and cols). */
int ml_same_view(const MlTensor *a, const MlTensor *b);

/* Checks that x agrees with y (same matrix view); else AC_ESHAPE
 * "fn: x [..] and y [..] do not agree", using the names xn and yn. */
int ml_check_agree(const char *fn, const char *xn, const MlTensor *x, const char *yn,
                   const MlTensor *y, AcErr *err);

/* Checks the operands of gemm (and gemm_ref) and returns M, N, K. */
int ml_gemm_check(const char *fn, const MlTensor *c, const MlTensor *a, const MlTensor *b,
                  int transa, int transb, int64_t *m, int64_t *n, int64_t *k, AcErr *err);

/* Checks that labels is [N, 1] or [N] against logits [N, C] and that every
 * label is an integer class in 0..C-1. */
int ml_check_labels(const char *fn, const MlTensor *logits, const MlTensor *labels,
                    AcErr *err);

#endif
