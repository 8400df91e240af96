/*
 * nn_summary: a table of a model's layers after one forward pass on
 * zeros, in the manner of torchinfo's summary (path, type, output shape,
 * parameters) with the totals below.
 */
#include "nn/nn_impl.h"

#include <stdlib.h>
#include <string.h>

/* The widest path, type and shape in m's subtree (prefix is m's path). */
typedef struct Widths {
	int path, type, shape;
} Widths;

static void
join_path(char *dst, const char *prefix, const char *name)
{
	snprintf(dst, NN_PATH_BYTES, "%s%s%s", prefix, prefix[0] != 0 ? "." : "", name);
}

static int
count_modules(const NnModule *m)
{
	int n = 1;

	for (int i = 0; i < m->nchildren; i++)
		n += count_modules(m->children[i]);
	return n;
}

/* Saves (save) or restores every module's mode, depth first. */
static void
modes(NnModule *m, bool *mode, int *k, bool save)
{
	if (save)
		mode[*k] = m->training;
	else
		m->training = mode[*k];
	(*k)++;
	for (int i = 0; i < m->nchildren; i++)
		modes(m->children[i], mode, k, save);
}

static int
maxi(int a, int b)
{
	return a > b ? a : b;
}

static void
widths(const NnModule *m, const char *path, Widths *w)
{
	char buf[ML_SHAPE_BYTES];

	w->path = maxi(w->path, path[0] != 0 ? (int)strlen(path) : (int)strlen("(root)"));
	w->type = maxi(w->type, (int)strlen(m->cls->type));
	w->shape = maxi(w->shape, (int)strlen(ml_shape_fmt(m->output, buf)));
	for (int i = 0; i < m->nchildren; i++) {
		char sub[NN_PATH_BYTES];
		join_path(sub, path, m->children[i]->name);
		widths(m->children[i], sub, w);
	}
}

static void
rows(NnModule *m, const char *path, const Widths *w, FILE *out)
{
	char buf[ML_SHAPE_BYTES];

	fprintf(out, "%-*s  %-*s  %-*s  %lld\n", w->path, path[0] != 0 ? path : "(root)", w->type,
	        m->cls->type, w->shape, ml_shape_fmt(m->output, buf), (long long)nn_num_parameters(m));
	for (int i = 0; i < m->nchildren; i++) {
		char sub[NN_PATH_BYTES];
		join_path(sub, path, m->children[i]->name);
		rows(m->children[i], sub, w, out);
	}
}

static int
count_buffers(void *ctx, const char *name, NnParam *p)
{
	(void)name;
	if (p->grad == NULL)
		*(int64_t *)ctx += ml_tensor_numel(p->value);
	return 0;
}

int
nn_summary(NnModule *m, int ndim, const int64_t *ne, MlDtype dtype, FILE *out, AcErr *err)
{
	Widths w = {(int)strlen("Layer"), (int)strlen("Type"), (int)strlen("Output shape")};
	char buf[ML_SHAPE_BYTES];
	MlTensor *x = NULL;
	bool *mode = NULL;
	int n, k = 0, rc = AC_OK;
	int64_t nbuf = 0;

	if (m == NULL || out == NULL)
		return ac_err_set(err, AC_EINVAL, "summary: no module or no file");
	n = count_modules(m);
	if ((mode = malloc((size_t)n * sizeof *mode)) == NULL)
		return nn_err(m, err, AC_ENOMEM, "summary: out of memory");
	if ((x = ml_tensor_zeros(dtype, ndim, ne, err)) == NULL) {
		rc = err != NULL ? err->code : AC_EINVAL;
		goto done;
	}
	modes(m, mode, &k, true);
	nn_train(m, false);
	rc = m->cls->update_output(m, x, err);
	k = 0;
	modes(m, mode, &k, false);
	if (rc != AC_OK)
		goto done;
	widths(m, "", &w);
	fprintf(out, "%-*s  %-*s  %-*s  %s\n", w.path, "Layer", w.type, "Type", w.shape, "Output shape",
	        "Param #");
	rows(m, "", &w, out);
	nn_named_parameters(m, true, count_buffers, &nbuf);
	fprintf(out, "Input: %s %s\n", ml_shape_fmt(x, buf), ml_dtype_name(dtype));
	fprintf(out, "Total params: %lld\n", (long long)nn_num_parameters(m));
	fprintf(out, "Buffer elements: %lld\n", (long long)nbuf);
done:
	ml_tensor_unref(x);
	free(mode);
	return rc;
}
