/*
 * Data sets held in memory: (input, target) rows from tensors, IDX, NPY
 * and CSV files (PyTorch's TensorDataset, torchvision's MNIST). The CSV
 * reader is libcsv's, so quoting follows RFC 4180; this file only turns
 * fields into numbers and names the line and column of a bad one.
 */
#include "nn/nn_impl.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

NnDataset *
nn_dataset_tensors(MlTensor *x, MlTensor *y, AcErr *err)
{
	char bx[ML_SHAPE_BYTES], by[ML_SHAPE_BYTES];
	NnDataset *d;

	if (x == NULL || y == NULL || x->ndim < 1 || y->ndim < 1) {
		ac_err_set(err, AC_EINVAL, "dataset: x and y must be tensors of at least 1 dimension");
		return NULL;
	}
	if (x->ne[0] != y->ne[0]) {
		ac_err_set(err, AC_ESHAPE, "dataset: x %s and y %s differ in dimension 0",
		           ml_shape_fmt(x, bx), ml_shape_fmt(y, by));
		return NULL;
	}
	if (x->ne[0] > INT32_MAX) {
		ac_err_set(err, AC_ERANGE, "dataset: %lld samples, at most %d", (long long)x->ne[0],
		           INT32_MAX);
		return NULL;
	}
	d = ac_calloc(1, sizeof *d, "dataset", err);
	if (d == NULL)
		return NULL;
	d->n = x->ne[0];
	if ((d->x = ml_tensor_contiguous(x, err)) == NULL || (d->y = ml_tensor_contiguous(y, err)) == NULL) {
		nn_dataset_free(d);
		return NULL;
	}
	return d;
}

void
nn_dataset_free(NnDataset *d)
{
	if (d == NULL)
		return;
	ml_tensor_unref(d->x);
	ml_tensor_unref(d->y);
	free(d);
}

int
nn_dataset_get(const NnDataset *d, int64_t i, MlTensor **x, MlTensor **y, AcErr *err)
{
	*x = *y = NULL;
	if (i < 0 || i >= d->n)
		return ac_err_set(err, AC_ERANGE, "dataset: sample %lld of %lld", (long long)i,
		                  (long long)d->n);
	*x = ml_view_slice(d->x, 0, i, i + 1, 1, err);
	if (*x != NULL)
		*y = ml_view_slice(d->y, 0, i, i + 1, 1, err);
	if (*y != NULL) {
		MlTensor *sx = ml_view_squeeze(*x, 0, err), *sy = sx != NULL ? ml_view_squeeze(*y, 0, err) : NULL;
		ml_tensor_unref(*x);
		ml_tensor_unref(*y);
		*x = sx;
		*y = sy;
	}
	if (*y == NULL) {
		ml_tensor_unref(*x);
		ml_tensor_unref(*y);
		*x = *y = NULL;
		return err != NULL ? err->code : AC_ENOMEM;
	}
	return AC_OK;
}

/* Labels read as f32 become i64 class indices; anything else is refused
 * here rather than by a loss later. */
static MlTensor *
class_labels(const MlTensor *lab, const char *path, AcErr *err)
{
	MlTensor *y = ml_tensor_empty(ML_I64, 1, lab->ne, err);

	if (y == NULL)
		return NULL;
	for (int64_t i = 0; i < lab->ne[0]; i++) {
		float v = ML_F32(lab)[i];
		if (!(v >= 0) || v != floorf(v)) {
			ac_err_set(err, AC_EFORMAT, "%s: label %lld is %g, not a class index", path,
			           (long long)i, (double)v);
			ml_tensor_unref(y);
			return NULL;
		}
		((int64_t *)(void *)y->data)[i] = (int64_t)v;
	}
	return y;
}

NnDataset *
nn_dataset_idx(const char *images, const char *labels, bool scale, AcErr *err)
{
	MlTensor *img = NULL, *lab = NULL, *y = NULL;
	NnDataset *d = NULL;

	if (ml_idx_load(images, &img, err) != AC_OK || ml_idx_load(labels, &lab, err) != AC_OK)
		goto fail;
	if (lab->ndim != 1 || lab->ne[0] != img->ne[0]) {
		char b[ML_SHAPE_BYTES];
		if (lab->ndim != 1)
			ac_err_set(err, AC_ESHAPE, "%s: labels %s, want 1 dimension", labels, ml_shape_fmt(lab, b));
		else
			ac_err_set(err, AC_ESHAPE, "%s: %lld labels for %lld images", labels,
			           (long long)lab->ne[0], (long long)img->ne[0]);
		goto fail;
	}
	if ((y = class_labels(lab, labels, err)) == NULL)
		goto fail;
	if (scale) {
		int64_t n = ml_tensor_numel(img);
		float *p = ML_F32(img);
		for (int64_t i = 0; i < n; i++)
			p[i] /= 255.0f;
	}
	d = nn_dataset_tensors(img, y, err);
fail:
	ml_tensor_unref(img);
	ml_tensor_unref(lab);
	ml_tensor_unref(y);
	return d;
}

NnDataset *
nn_dataset_npy(const char *x_path, const char *y_path, AcErr *err)
{
	MlTensor *x = NULL, *y = NULL;
	NnDataset *d = NULL;

	if (ml_npy_load(x_path, &x, err) == AC_OK && ml_npy_load(y_path, &y, err) == AC_OK)
		d = nn_dataset_tensors(x, y, err);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	return d;
}

/* ---- CSV ---- */

enum { CSV_MAX_COLS = 1 << 20 };

/* What the libcsv callbacks fill. libcsv cannot be stopped from a
 * callback, so the first error is kept and later fields are ignored. */
typedef struct Csv {
	const char *path;
	bool header;       /* the first row is still to be skipped */
	int target;        /* as given: 0-based, -1 the last */
	int64_t line;      /* of the row being read, from 1 */
	bool after_cr;     /* the last row ended at a CR: an LF next ends nothing */
	int ncols;         /* width, from the first row (header included); 0 before */
	int col;           /* fields seen in this row */
	double *row;       /* the row's values, ncols of them once known */
	int rowcap;
	float *x;          /* features, row-major [rows, ncols - 1] */
	int64_t *y;        /* targets [rows] */
	int64_t rows, cap;
	AcErr *err;
	int rc;            /* AC_OK until the first error */
} Csv;

/* Keeps the first error: "PATH: line L" and what fmt says. */
static int __attribute__((format(printf, 3, 4)))
csv_fail(Csv *c, int code, const char *fmt, ...)
{
	char msg[AC_ERR_MSG_BYTES];
	va_list ap;

	if (c->rc != AC_OK)
		return c->rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->rc = ac_err_set(c->err, code, "%s: line %lld%s", c->path, (long long)c->line, msg);
	return c->rc;
}

static void
on_field(void *s, size_t len, void *ctx)
{
	Csv *c = ctx;
	const char *f = s != NULL ? s : "";
	char *end;
	double v;

	if (c->rc != AC_OK)
		return;
	if (c->col == c->rowcap) {
		int cap = c->rowcap == 0 ? 16 : 2 * c->rowcap;
		double *r = cap <= CSV_MAX_COLS ? realloc(c->row, (size_t)cap * sizeof *r) : NULL;
		if (r == NULL) {
			csv_fail(c, AC_ENOMEM, ": more than %d columns", c->rowcap);
			return;
		}
		c->row = r;
		c->rowcap = cap;
	}
	if (c->header) {
		c->col++;
		return;
	}
	/* CSV_APPEND_NULL makes f a string; strtod must take all of it */
	v = strtod(f, &end);
	if (end == f || *end != 0 || len != strlen(f)) {
		csv_fail(c, AC_EFORMAT, ", column %d: '%s' is not a number", c->col + 1, f);
		return;
	}
	c->row[c->col++] = v;
}

/* The target column of a row ncols wide. */
static int
target_col(const Csv *c)
{
	return c->target < 0 ? c->ncols - 1 : c->target;
}

static int
keep_row(Csv *c)
{
	int t = target_col(c);
	double tv;

	if (c->ncols == 0) {
		c->ncols = c->col;
		if (c->ncols < 2)
			return c->rc = ac_err_set(c->err, AC_EFORMAT,
			                          "%s: %d column, want a target and at least one feature",
			                          c->path, c->ncols);
		if (c->target >= c->ncols || c->target < -1)
			return c->rc = ac_err_set(c->err, AC_EFORMAT, "%s: target column %d of %d columns",
			                          c->path, c->target, c->ncols);
		t = target_col(c);
	}
	if (c->col != c->ncols) {
		return csv_fail(c, AC_EFORMAT, ": %d columns, want %d", c->col, c->ncols);
	}
	if (c->header) {
		c->header = false;
		return AC_OK;
	}
	tv = c->row[t];
	if (!(tv >= 0 && tv < 9.2e18) || tv != floor(tv)) {
		return csv_fail(c, AC_EFORMAT, ", column %d: '%.15g' is not a class index", t + 1, tv);
	}
	if (c->rows == c->cap) {
		int64_t cap = c->cap == 0 ? 256 : 2 * c->cap;
		int64_t nf = c->ncols - 1;
		float *x;
		int64_t *y;
		if (cap * nf > ML_TENSOR_MAX_NUMEL)
			cap = ML_TENSOR_MAX_NUMEL / nf;
		if (cap <= c->rows)
			return csv_fail(c, AC_ERANGE, ": more than %lld rows", (long long)c->rows);
		x = realloc(c->x, (size_t)(cap * nf) * sizeof *x);
		if (x != NULL)
			c->x = x;
		y = x != NULL ? realloc(c->y, (size_t)cap * sizeof *y) : NULL;
		if (y == NULL)
			return csv_fail(c, AC_ENOMEM, ": out of memory");
		c->y = y;
		c->cap = cap;
	}
	for (int i = 0, k = 0; i < c->ncols; i++)
		if (i != t)
			c->x[c->rows * (c->ncols - 1) + k++] = (float)c->row[i];
	c->y[c->rows++] = (int64_t)tv;
	return AC_OK;
}

/* With CSV_REPALL_NL libcsv ends a row at every CR and LF, blank lines
 * included, which is what keeps the line count right. */
static void
on_row(int ch, void *ctx)
{
	Csv *c = ctx;

	if (c->rc != AC_OK)
		return;
	if (ch == '\n' && c->after_cr && c->col == 0) {
		c->after_cr = false;
		return;
	}
	if (c->col > 0)
		keep_row(c);
	c->col = 0;
	c->after_cr = ch == '\r';
	c->line++;
}

NnDataset *
nn_dataset_csv(const char *path, bool header, int target, AcErr *err)
{
	struct csv_parser p;
	Csv c = {.path = path, .header = header, .target = target, .line = 1, .err = err};
	NnDataset *d = NULL;
	MlTensor *x = NULL, *y = NULL;
	char buf[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (csv_init(&p, CSV_STRICT | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
		fclose(f);
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
		return NULL;
	}
	while (c.rc == AC_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &c) != n)
			csv_fail(&c, AC_EFORMAT, ": csv: %s", csv_strerror(csv_error(&p)));
	if (c.rc == AC_OK && ferror(f))
		c.rc = ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	if (c.rc == AC_OK && csv_fini(&p, on_field, on_row, &c) != 0)
		csv_fail(&c, AC_EFORMAT, ": csv: %s", csv_strerror(csv_error(&p)));
	csv_free(&p);
	fclose(f);
	if (c.rc == AC_OK && c.rows == 0)
		c.rc = ac_err_set(err, AC_EFORMAT, "%s: no rows", path);
	if (c.rc != AC_OK)
		goto fail;
	x = ml_tensor_empty(ML_F32, 2, (int64_t[]){c.rows, c.ncols - 1}, err);
	y = x != NULL ? ml_tensor_empty(ML_I64, 1, &c.rows, err) : NULL;
	if (y == NULL)
		goto fail;
	memcpy(x->data, c.x, ml_tensor_nbytes(x));
	memcpy(y->data, c.y, ml_tensor_nbytes(y));
	d = nn_dataset_tensors(x, y, err);
fail:
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	free(c.row);
	free(c.x);
	free(c.y);
	return d;
}
