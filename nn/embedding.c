/*
 * Embedding (torch.nn.Embedding; Torch7 nn.LookupTable): rows of a
 * [num_embeddings, embedding_dim] table picked by integer indices. The
 * gather is ml's embedding op; the gradient scatters rows back here.
 */
#include "nn/nn_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct Emb {
	int64_t padding_idx;  /* row that gets no gradient, or -1 */
} Emb;

static int
code(AcErr *err, int fallback)
{
	return err != NULL && err->code != AC_OK ? err->code : fallback;
}

static int64_t
index_at(const MlTensor *idx, int64_t i)
{
	return idx->dtype == ML_I64 ? ((const int64_t *)(const void *)idx->data)[i]
	                            : ((const int32_t *)(const void *)idx->data)[i];
}

/* Checks input: i64 or i32 indices in [0, num_embeddings), the shape room
 * for one more dimension. *c is the indices made contiguous (caller
 * unrefs). */
static int
check_indices(NnModule *m, MlTensor *input, MlTensor **c, AcErr *err)
{
	int64_t v = m->param[0].value->ne[0], n;

	*c = NULL;
	if (input == NULL)
		return nn_err(m, err, AC_EINVAL, "no input");
	if (input->dtype != ML_I64 && input->dtype != ML_I32)
		return nn_err(m, err, AC_EDTYPE, "input is %s, want i64 or i32 indices",
		              ml_dtype_name(input->dtype));
	if (input->ndim >= ML_MAX_DIMS)
		return nn_err(m, err, AC_ESHAPE, "input has %d dimensions, want at most %d", input->ndim,
		              ML_MAX_DIMS - 1);
	if ((*c = ml_tensor_contiguous(input, err)) == NULL)
		return code(err, AC_ENOMEM);
	n = ml_tensor_numel(*c);
	for (int64_t i = 0; i < n; i++) {
		int64_t k = index_at(*c, i);
		if (k < 0 || k >= v) {
			ml_tensor_unref(*c);
			*c = NULL;
			return nn_err(m, err, AC_ERANGE, "index %lld at position %lld is outside [0, %lld)",
			              (long long)k, (long long)i, (long long)v);
		}
	}
	return AC_OK;
}

static int
embedding_output(NnModule *m, MlTensor *input, AcErr *err)
{
	MlTensor *w = m->param[0].value, *idx;
	int64_t ne[ML_MAX_DIMS];
	int rc;

	if ((rc = check_indices(m, input, &idx, err)) != AC_OK)
		return rc;
	memcpy(ne, input->ne, sizeof ne);
	ne[input->ndim] = w->ne[1];
	if ((rc = nn_ensure(&m->output, w->dtype, input->ndim + 1, ne, err)) == AC_OK)
		rc = ml_op_into(ML_OP_EMBEDDING, m->output, (MlTensor *[]){w, idx}, NULL, err);
	ml_tensor_unref(idx);
	return rc;
}

/* Indices have no gradient (PyTorch gives None): grad_input is zeros of
 * the input's shape in the table's dtype, so that a container can still
 * add and pass it. */
static int
embedding_grad_input(NnModule *m, MlTensor *input, MlTensor *grad_output, AcErr *err)
{
	if (input == NULL)
		return nn_err(m, err, AC_EINVAL, "no input");
	if (nn_ensure(&m->grad_input, m->param[0].value->dtype, input->ndim, input->ne, err) != AC_OK)
		return code(err, AC_ENOMEM);
	return ml_fill(m->grad_input, 0, err);
}

/* weight.grad[idx[k]] += scale * grad_output[k] for each index k not
 * padding_idx (torch.nn.functional.embedding's backward). */
static int
embedding_acc(NnModule *m, MlTensor *input, MlTensor *grad_output, double scale, AcErr *err)
{
	const Emb *e = m->priv;
	NnParam *w = &m->param[0];
	int64_t dim = w->value->ne[1], n;
	MlTensor *idx, *g = NULL;
	char a[ML_SHAPE_BYTES];
	int rc;

	if ((rc = check_indices(m, input, &idx, err)) != AC_OK)
		return rc;
	n = ml_tensor_numel(idx);
	if (ml_tensor_numel(grad_output) != n * dim || grad_output->dtype != w->grad->dtype) {
		rc = nn_err(m, err, AC_ESHAPE, "grad_output %s %s, want %lld rows of %lld %s",
		            ml_shape_fmt(grad_output, a), ml_dtype_name(grad_output->dtype), (long long)n,
		            (long long)dim, ml_dtype_name(w->grad->dtype));
		goto done;
	}
	if ((g = ml_tensor_contiguous(grad_output, err)) == NULL) {
		rc = code(err, AC_ENOMEM);
		goto done;
	}
	for (int64_t k = 0; k < n; k++) {
		int64_t row = index_at(idx, k);
		if (row == e->padding_idx)
			continue;
		if (g->dtype == ML_F32) {
			float *d = ML_F32(w->grad) + row * dim, s = (float)scale;
			const float *src = ML_F32(g) + k * dim;
			for (int64_t j = 0; j < dim; j++)
				d[j] += s * src[j];
		} else {
			double *d = (double *)(void *)w->grad->data + row * dim;
			const double *src = (const double *)(const void *)g->data + k * dim;
			for (int64_t j = 0; j < dim; j++)
				d[j] += scale * src[j];
		}
	}
done:
	ml_tensor_unref(idx);
	ml_tensor_unref(g);
	return rc;
}

static NnModule *embedding_create(const NnHparams *hp, uint64_t seed, AcErr *err);

const NnClass nn_embedding_class = {.type = "Embedding", .update_output = embedding_output,
                                    .update_grad_input = embedding_grad_input,
                                    .acc_grad_parameters = embedding_acc,
                                    .create = embedding_create};

NnModule *
nn_embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx, uint64_t seed,
             AcErr *err)
{
	NnModule *m;
	MlTensor *w;
	int64_t ne[2] = {num_embeddings, embedding_dim};

	if (num_embeddings < 0 || embedding_dim < 0 || padding_idx < -1 ||
	    (padding_idx >= 0 && padding_idx >= num_embeddings)) {
		ac_err_set(err, AC_EINVAL, "Embedding: num_embeddings %lld, embedding_dim %lld, padding_idx %lld",
		           (long long)num_embeddings, (long long)embedding_dim, (long long)padding_idx);
		return NULL;
	}
	if ((m = nn_module_new(&nn_embedding_class, sizeof(Emb), err)) == NULL)
		return NULL;
	((Emb *)m->priv)->padding_idx = padding_idx;
	nn_hparam_int(m, "num_embeddings", num_embeddings);
	nn_hparam_int(m, "embedding_dim", embedding_dim);
	nn_hparam_int(m, "padding_idx", padding_idx);
	/* N(0, 1) as PyTorch's default, the padding row zeroed */
	w = num_embeddings * embedding_dim > 0 ? ml_tensor_randn(2, ne, 1, seed, err)
	                                       : ml_tensor_zeros(ML_F32, 2, ne, err);
	if (nn_param_add(m, "weight", w, true, err) != AC_OK) {
		nn_free(m);
		return NULL;
	}
	if (padding_idx >= 0)
		memset(ML_F32(w) + padding_idx * embedding_dim, 0, (size_t)embedding_dim * sizeof(float));
	return m;
}

static NnModule *
embedding_create(const NnHparams *hp, uint64_t seed, AcErr *err)
{
	return nn_embedding(nn_hparam_geti(hp, "num_embeddings", -1), nn_hparam_geti(hp, "embedding_dim", -1),
	                    nn_hparam_geti(hp, "padding_idx", -1), seed, err);
}
