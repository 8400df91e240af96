/*
 * The module: forward and backward as Torch7's Module.lua composes them,
 * parameters by dotted name, modes, dtype conversion, and the helpers the
 * layer files share (nn_impl.h).
 */
#include "nn/nn_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

NnModule *
nn_module_new(const NnClass *cls, size_t priv_bytes, AcErr *err)
{
	NnModule *m = calloc(1, sizeof *m);

	if (m == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", cls->type);
		return NULL;
	}
	m->cls = cls;
	m->training = true;
	if (priv_bytes > 0 && (m->priv = calloc(1, priv_bytes)) == NULL) {
		free(m);
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", cls->type);
		return NULL;
	}
	return m;
}

int
nn_err(const NnModule *m, AcErr *err, int code, const char *fmt, ...)
{
	char msg[AC_ERR_MSG_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (m->name[0] != 0)
		return ac_err_set(err, code, "%s %s: %s", m->cls->type, m->name, msg);
	return ac_err_set(err, code, "%s: %s", m->cls->type, msg);
}

int
nn_param_add(NnModule *m, const char *name, MlTensor *value, bool grad, AcErr *err)
{
	NnParam *p;

	if (value == NULL)
		return nn_err(m, err, AC_ENOMEM, "no tensor for %s", name);
	if (m->nparams == NN_MAX_PARAMS || strlen(name) >= NN_NAME_BYTES) {
		ml_tensor_unref(value);
		return nn_err(m, err, AC_EINVAL, "cannot register parameter %s", name);
	}
	p = &m->param[m->nparams];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->value = value;
	if (grad) {
		p->grad = ml_tensor_zeros(value->dtype, value->ndim, value->ne, err);
		if (p->grad == NULL) {
			ml_tensor_unref(value);
			p->value = NULL;
			return AC_ENOMEM;
		}
	}
	m->nparams++;
	return AC_OK;
}

static NnHparam *
hparam_slot(NnModule *m, const char *name)
{
	NnHparam *h;

	if (m->hp.n == NN_MAX_HPARAMS)
		return NULL;  /* a layer type records a fixed few: its author's bug */
	h = &m->hp.h[m->hp.n++];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	return h;
}

void
nn_hparam_ints(NnModule *m, const char *name, int n, const int64_t *v)
{
	NnHparam *h = hparam_slot(m, name);

	if (h == NULL)
		return;
	if (n > NN_HPARAM_INTS)
		n = NN_HPARAM_INTS;
	h->n = n;
	memcpy(h->i, v, (size_t)n * sizeof *v);
}

void
nn_hparam_int(NnModule *m, const char *name, int64_t v)
{
	nn_hparam_ints(m, name, 1, &v);
}

void
nn_hparam_real(NnModule *m, const char *name, double v)
{
	NnHparam *h = hparam_slot(m, name);

	if (h != NULL)
		h->f = v;
}

const NnHparam *
nn_hparam_get(const NnHparams *hp, const char *name)
{
	for (int i = 0; i < hp->n; i++)
		if (strcmp(hp->h[i].name, name) == 0)
			return &hp->h[i];
	return NULL;
}

int64_t
nn_hparam_geti(const NnHparams *hp, const char *name, int64_t def)
{
	const NnHparam *h = nn_hparam_get(hp, name);

	return h != NULL && h->n > 0 ? h->i[0] : def;
}

double
nn_hparam_getf(const NnHparams *hp, const char *name, double def)
{
	const NnHparam *h = nn_hparam_get(hp, name);

	/* "eps=1" parses as an int */
	if (h == NULL)
		return def;
	return h->n == 0 ? h->f : (double)h->i[0];
}

const int64_t *
nn_hparam_spatial(const NnHparams *hp, const char *name, int nsp, int64_t out[2], bool *bad)
{
	const NnHparam *h = nn_hparam_get(hp, name);

	if (h == NULL)
		return NULL;
	if (h->n != 1 && h->n != nsp) {
		*bad = true;
		return NULL;
	}
	for (int i = 0; i < nsp; i++)
		out[i] = h->i[h->n == 1 ? 0 : i];
	return out;
}

int
nn_ensure(MlTensor **slot, MlDtype dtype, int ndim, const int64_t *ne, AcErr *err)
{
	MlTensor *t = *slot;

	if (t != NULL && t->dtype == dtype && t->ndim == ndim && ml_tensor_is_contiguous(t) &&
	    memcmp(t->ne, ne, (size_t)ndim * sizeof *ne) == 0 && ml_tensor_storage_views(t) == 1)
		return AC_OK;
	t = ml_tensor_empty(dtype, ndim, ne, err);
	if (t == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	ml_tensor_unref(*slot);
	*slot = t;
	return AC_OK;
}

int
nn_ensure_like(MlTensor **slot, const MlTensor *like, AcErr *err)
{
	return nn_ensure(slot, like->dtype, like->ndim, like->ne, err);
}

int
nn_init_uniform(MlTensor *t, double bound, MlRng *r, AcErr *err)
{
	int64_t n = ml_tensor_numel(t);

	if (!ml_tensor_is_contiguous(t) || (t->dtype != ML_F32 && t->dtype != ML_F64))
		return ac_err_set(err, AC_EINVAL, "init_uniform: want a contiguous f32 or f64 tensor");
	for (int64_t i = 0; i < n; i++) {
		double v = (2 * ml_rng_uniform(r) - 1) * bound;
		if (t->dtype == ML_F32)
			((float *)(void *)t->data)[i] = (float)v;
		else
			((double *)(void *)t->data)[i] = v;
	}
	return AC_OK;
}

int
nn_check_input(const NnModule *m, const MlTensor *input, int min_ndim, int max_ndim, AcErr *err)
{
	char buf[ML_SHAPE_BYTES];

	if (input == NULL)
		return nn_err(m, err, AC_EINVAL, "no input");
	if (input->dtype != ML_F32 && input->dtype != ML_F64)
		return nn_err(m, err, AC_EDTYPE, "input is %s, want f32 or f64", ml_dtype_name(input->dtype));
	if (m->nparams > 0 && m->param[0].value->dtype != input->dtype)
		return nn_err(m, err, AC_EDTYPE, "input is %s, parameters %s", ml_dtype_name(input->dtype),
		              ml_dtype_name(m->param[0].value->dtype));
	if (input->ndim < min_ndim || input->ndim > max_ndim)
		return nn_err(m, err, AC_ESHAPE, "input %s has %d dimensions, want %d to %d",
		              ml_shape_fmt(input, buf), input->ndim, min_ndim, max_ndim);
	return AC_OK;
}

/* dst += scale * src over contiguous runs; src copied when strided. */
int
nn_axpy(MlTensor *dst, double scale, const MlTensor *src, AcErr *err)
{
	MlTensor *c = NULL;
	int64_t n = ml_tensor_numel(dst);

	if (!ml_same_shape(dst, src) || dst->dtype != src->dtype || !ml_tensor_is_contiguous(dst) ||
	    (dst->dtype != ML_F32 && dst->dtype != ML_F64))
		return ac_err_set(err, AC_ESHAPE, "axpy: operands differ in shape or dtype");
	if (!ml_tensor_is_contiguous(src)) {
		if ((c = ml_tensor_contiguous(src, err)) == NULL)
			return err != NULL ? err->code : AC_ENOMEM;
		src = c;
	}
	if (dst->dtype == ML_F32) {
		float *d = (float *)(void *)dst->data, a = (float)scale;
		const float *s = (const float *)(const void *)src->data;
		for (int64_t i = 0; i < n; i++)
			d[i] += a * s[i];
	} else {
		double *d = (double *)(void *)dst->data;
		const double *s = (const double *)(const void *)src->data;
		for (int64_t i = 0; i < n; i++)
			d[i] += scale * s[i];
	}
	ml_tensor_unref(c);
	return AC_OK;
}

MlTensor *
nn_forward(NnModule *m, MlTensor *input, AcErr *err)
{
	if (m == NULL || input == NULL) {
		ac_err_set(err, AC_EINVAL, "forward: no module or no input");
		return NULL;
	}
	return m->cls->update_output(m, input, err) == AC_OK ? m->output : NULL;
}

MlTensor *
nn_backward(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];

	if (m == NULL || input == NULL || grad_output == NULL) {
		ac_err_set(err, AC_EINVAL, "backward: no module, input or grad_output");
		return NULL;
	}
	if (m->output == NULL) {
		nn_err(m, err, AC_EINVAL, "backward before forward");
		return NULL;
	}
	if (!ml_same_shape(grad_output, m->output) || grad_output->dtype != m->output->dtype) {
		nn_err(m, err, AC_ESHAPE, "grad_output %s %s, output %s %s", ml_shape_fmt(grad_output, a),
		       ml_dtype_name(grad_output->dtype), ml_shape_fmt(m->output, b),
		       ml_dtype_name(m->output->dtype));
		return NULL;
	}
	if (m->cls->update_grad_input(m, input, grad_output, err) != AC_OK)
		return NULL;
	if (m->cls->acc_grad_parameters != NULL &&
	    m->cls->acc_grad_parameters(m, input, grad_output, scale, err) != AC_OK)
		return NULL;
	return m->grad_input;
}

void
nn_zero_grad(NnModule *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nparams; i++)
		if (m->param[i].grad != NULL)
			ml_fill(m->param[i].grad, 0, NULL);
	for (int i = 0; i < m->nchildren; i++)
		nn_zero_grad(m->children[i]);
}

void
nn_train(NnModule *m, bool training)
{
	if (m == NULL)
		return;
	m->training = training;
	for (int i = 0; i < m->nchildren; i++)
		nn_train(m->children[i], training);
}

void
nn_free(NnModule *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nchildren; i++)
		nn_free(m->children[i]);
	free(m->children);
	for (int i = 0; i < m->nparams; i++) {
		ml_tensor_unref(m->param[i].value);
		ml_tensor_unref(m->param[i].grad);
	}
	ml_tensor_unref(m->output);
	ml_tensor_unref(m->grad_input);
	if (m->cls->free_priv != NULL)
		m->cls->free_priv(m);
	else
		free(m->priv);
	free(m);
}

static int
cast_slot(MlTensor **slot, MlDtype dtype, AcErr *err)
{
	MlTensor *c;

	if (*slot == NULL || (*slot)->dtype == dtype)
		return AC_OK;
	if ((c = ml_cast(*slot, dtype, err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	ml_tensor_unref(*slot);
	*slot = c;
	return AC_OK;
}

int
nn_to_dtype(NnModule *m, MlDtype dtype, AcErr *err)
{
	if (dtype != ML_F32 && dtype != ML_F64)
		return nn_err(m, err, AC_EDTYPE, "cannot convert to %s: want f32 or f64", ml_dtype_name(dtype));
	for (int i = 0; i < m->nparams; i++)
		if (cast_slot(&m->param[i].value, dtype, err) != AC_OK ||
		    cast_slot(&m->param[i].grad, dtype, err) != AC_OK)
			return err != NULL ? err->code : AC_ENOMEM;
	ml_tensor_unref(m->output);
	ml_tensor_unref(m->grad_input);
	m->output = m->grad_input = NULL;
	for (int i = 0; i < m->nchildren; i++)
		if (nn_to_dtype(m->children[i], dtype, err) != AC_OK)
			return err != NULL ? err->code : AC_EINVAL;
	return AC_OK;
}

static int
walk(NnModule *m, char *path, size_t len, bool buffers,
     int (*fn)(void *ctx, const char *name, NnParam *p), void *ctx)
{
	int rc;

	for (int i = 0; i < m->nparams; i++) {
		if (m->param[i].grad == NULL && !buffers)
			continue;
		snprintf(path + len, NN_PATH_BYTES - len, "%s%s", len > 0 ? "." : "", m->param[i].name);
		if ((rc = fn(ctx, path, &m->param[i])) != 0)
			return rc;
	}
	for (int i = 0; i < m->nchildren; i++) {
		int n = snprintf(path + len, NN_PATH_BYTES - len, "%s%s", len > 0 ? "." : "",
		                 m->children[i]->name);
		if (n < 0 || len + (size_t)n >= NN_PATH_BYTES)
			continue;  /* deeper than any path a model file can name */
		if ((rc = walk(m->children[i], path, len + (size_t)n, buffers, fn, ctx)) != 0)
			return rc;
	}
	path[len] = 0;
	return 0;
}

int
nn_named_parameters(NnModule *m, bool buffers, int (*fn)(void *ctx, const char *name, NnParam *p),
                    void *ctx)
{
	char path[NN_PATH_BYTES] = "";

	return m == NULL ? 0 : walk(m, path, 0, buffers, fn, ctx);
}

typedef struct Find {
	const char *name;
	NnParam *p;
} Find;

static int
find_one(void *ctx, const char *name, NnParam *p)
{
	Find *f = ctx;

	if (strcmp(name, f->name) != 0)
		return 0;
	f->p = p;
	return 1;
}

NnParam *
nn_find_param(NnModule *m, const char *name)
{
	Find f = {name, NULL};

	nn_named_parameters(m, true, find_one, &f);
	return f.p;
}

static int
count_one(void *ctx, const char *name, NnParam *p)
{
	(void)name;
	*(int64_t *)ctx += ml_tensor_numel(p->value);
	return 0;
}

int64_t
nn_num_parameters(NnModule *m)
{
	int64_t n = 0;

	nn_named_parameters(m, false, count_one, &n);
	return n;
}
