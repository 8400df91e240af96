/* onnx: TensorProto and ModelProto files to ml tensors and a model. */
#include "onnx/onnx_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "onnx/model.c reads raw_data as little endian and assumes a little-endian host"
#endif

int
onnx_dtype(int64_t onnx_type)
{
	switch (onnx_type) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return ML_F32;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return ML_F64;
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: return ML_F16;
	case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: return ML_BF16;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return ML_I64;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return ML_I32;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return ML_I8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return ML_U8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return ML_BOOL;
	default: return -1;
	}
}

int
onnx_tensor_from_pb(const Onnx__TensorProto *tp, const char *what, MlTensor **t, AcErr *err)
{
	int64_t ne[ML_MAX_DIMS], numel = 1;
	int ndim = (int)tp->n_dims, dt = onnx_dtype(tp->data_type);
	size_t esize, n, have;
	MlTensor *x;
	uint8_t *p;

	*t = NULL;
	if (dt < 0)
		return ac_err_set(err, AC_EDTYPE, "%s: ONNX data type %d has no ml dtype", what,
		                  (int)tp->data_type);
	if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return ac_err_set(err, AC_EDTYPE, "%s: data kept outside the file", what);
	if (tp->n_dims > ML_MAX_DIMS)
		return ac_err_set(err, AC_ESHAPE, "%s: %zu dimensions, at most %d", what, tp->n_dims,
		                  ML_MAX_DIMS);
	for (int k = 0; k < ndim; k++) {
		if (tp->dims[k] < 0 || tp->dims[k] > ML_TENSOR_MAX_NUMEL)
			return ac_err_set(err, AC_EFORMAT, "%s: dims[%d] = %" PRId64, what, k, tp->dims[k]);
		ne[k] = tp->dims[k];
		numel *= ne[k];
		if (numel > ML_TENSOR_MAX_NUMEL)
			return ac_err_set(err, AC_ERANGE, "%s: more than %" PRId64 " elements", what,
			                  ML_TENSOR_MAX_NUMEL);
	}
	x = ml_tensor_empty((MlDtype)dt, ndim, ne, err);
	if (x == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	esize = (size_t)ml_dtype_bytes((MlDtype)dt);
	n = (size_t)numel;
	p = x->data;
	if (tp->has_raw_data) {
		if (tp->raw_data.len != n * esize) {
			ml_tensor_unref(x);
			return ac_err_set(err, AC_EFORMAT, "%s: raw_data holds %zu bytes, dims want %zu",
			                  what, tp->raw_data.len, n * esize);
		}
		if (n > 0)
			memcpy(p, tp->raw_data.data, n * esize);
		*t = x;
		return AC_OK;
	}
	switch (dt) {
	case ML_F32: have = tp->n_float_data; break;
	case ML_F64: have = tp->n_double_data; break;
	case ML_I64: have = tp->n_int64_data; break;
	default: have = tp->n_int32_data; break;
	}
	if (have != n) {
		ml_tensor_unref(x);
		return ac_err_set(err, AC_EFORMAT, "%s: %zu values in the typed field, dims want %zu",
		                  what, have, n);
	}
	for (size_t i = 0; i < n; i++) {
		switch (dt) {
		case ML_F32: ((float *)(void *)p)[i] = tp->float_data[i]; break;
		case ML_F64: ((double *)(void *)p)[i] = tp->double_data[i]; break;
		case ML_I64: ((int64_t *)(void *)p)[i] = tp->int64_data[i]; break;
		case ML_I32: ((int32_t *)(void *)p)[i] = tp->int32_data[i]; break;
		case ML_F16:
		case ML_BF16: ((uint16_t *)(void *)p)[i] = (uint16_t)tp->int32_data[i]; break;
		case ML_I8: ((int8_t *)(void *)p)[i] = (int8_t)tp->int32_data[i]; break;
		case ML_BOOL: p[i] = tp->int32_data[i] != 0; break;
		default: p[i] = (uint8_t)tp->int32_data[i]; break;
		}
	}
	*t = x;
	return AC_OK;
}

int
onnx_tensor_load(const char *path, MlTensor **t, AcErr *err)
{
	Onnx__TensorProto *tp;
	uint8_t *buf;
	size_t len;
	int rc;

	*t = NULL;
	rc = ac_file_read(path, &buf, &len, err);
	if (rc != AC_OK)
		return rc;
	tp = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	if (tp == NULL)
		return ac_err_set(err, AC_EFORMAT, "%s: not a TensorProto (%zu bytes)", path, len);
	rc = onnx_tensor_from_pb(tp, path, t, err);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return rc;
}

static int
is_initializer(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name != NULL && strcmp(g->initializer[i]->name, name) == 0)
			return 1;
	return 0;
}

OnnxModel *
onnx_model_load(const char *path, AcErr *err)
{
	OnnxModel *m;
	uint8_t *buf;
	size_t len;
	const Onnx__GraphProto *g;
	char what[256];
	AcErr local;

	if (err == NULL)
		err = &local;
	if (ac_file_read(path, &buf, &len, err) != AC_OK)
		return NULL;
	m = ac_calloc(1, sizeof *m, "onnx model", err);
	if (m == NULL) {
		free(buf);
		return NULL;
	}
	m->pb = onnx__model_proto__unpack(NULL, len, buf);
	free(buf);
	if (m->pb == NULL) {
		ac_err_set(err, AC_EFORMAT, "%s: not a ModelProto (%zu bytes)", path, len);
		goto fail;
	}
	g = m->g = m->pb->graph;
	if (g == NULL) {
		ac_err_set(err, AC_EFORMAT, "%s: model has no graph", path);
		goto fail;
	}
	m->opset = 1;
	for (size_t i = 0; i < m->pb->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = m->pb->opset_import[i];

		if (o->domain == NULL || o->domain[0] == 0 || strcmp(o->domain, "ai.onnx") == 0)
			m->opset = o->version;
	}
	m->input = ac_calloc(g->n_input + 1, sizeof *m->input, "onnx inputs", err);
	m->init = ac_calloc(g->n_initializer + 1, sizeof *m->init, "onnx initializers", err);
	if (m->input == NULL || m->init == NULL)
		goto fail;
	for (size_t i = 0; i < g->n_input; i++)
		if (g->input[i]->name != NULL && !is_initializer(g, g->input[i]->name))
			m->input[m->ninputs++] = g->input[i]->name;
	for (size_t i = 0; i < g->n_initializer; i++) {
		snprintf(what, sizeof what, "%s: initializer %s", path,
		         g->initializer[i]->name != NULL ? g->initializer[i]->name : "?");
		/* An initializer of a dtype without an ml dtype stays NULL, for
		 * onnx_model_check to name the op that needs it. */
		if (onnx_tensor_from_pb(g->initializer[i], what, &m->init[i], err) != AC_OK &&
		    (err == NULL || err->code != AC_EDTYPE))
			goto fail;
	}
	return m;
fail:
	onnx_model_free(m);
	return NULL;
}

void
onnx_model_free(OnnxModel *m)
{
	if (m == NULL)
		return;
	if (m->init != NULL && m->g != NULL)
		for (size_t i = 0; i < m->g->n_initializer; i++)
			ml_tensor_unref(m->init[i]);
	free(m->init);
	free(m->input);
	if (m->pb != NULL)
		onnx__model_proto__free_unpacked(m->pb, NULL);
	free(m);
}

int64_t
onnx_model_opset(const OnnxModel *m)
{
	return m->opset;
}

int
onnx_model_ninputs(const OnnxModel *m)
{
	return m->ninputs;
}

const char *
onnx_model_input_name(const OnnxModel *m, int i)
{
	return i >= 0 && i < m->ninputs ? m->input[i] : NULL;
}

int
onnx_model_noutputs(const OnnxModel *m)
{
	return (int)m->g->n_output;
}

const char *
onnx_model_output_name(const OnnxModel *m, int i)
{
	return i >= 0 && (size_t)i < m->g->n_output ? m->g->output[i]->name : NULL;
}

int
onnx_model_nnodes(const OnnxModel *m)
{
	return (int)m->g->n_node;
}

const char *
onnx_model_node_op(const OnnxModel *m, int i)
{
	return i >= 0 && (size_t)i < m->g->n_node ? m->g->node[i]->op_type : NULL;
}

/* The op of the first node that reads or writes name (else node 0's). */
static const char *
op_touching(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_node; i++) {
		for (size_t k = 0; k < g->node[i]->n_input; k++)
			if (strcmp(g->node[i]->input[k], name) == 0)
				return g->node[i]->op_type;
		for (size_t k = 0; k < g->node[i]->n_output; k++)
			if (strcmp(g->node[i]->output[k], name) == 0)
				return g->node[i]->op_type;
	}
	return g->n_node > 0 ? g->node[0]->op_type : "graph";
}

static int
check_value(const Onnx__GraphProto *g, const Onnx__ValueInfoProto *v, const char *kind,
            char *unsupported, AcErr *err)
{
	const Onnx__TypeProto *ty = v->type;
	const char *why = NULL;

	if (ty == NULL)
		return AC_OK;
	if (ty->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		why = "is not a tensor";
	else if (onnx_dtype(ty->tensor_type->elem_type) < 0)
		why = "has a data type without an ml dtype";
	else if (ty->tensor_type->shape != NULL && ty->tensor_type->shape->n_dim > ML_MAX_DIMS)
		why = "has more dimensions than ml's ML_MAX_DIMS";
	if (why == NULL)
		return AC_OK;
	if (unsupported != NULL)
		snprintf(unsupported, ONNX_NAME_BYTES, "%s", op_touching(g, v->name));
	return ac_err_set(err, AC_EDTYPE, "%s %s %s", kind, v->name, why);
}

int
onnx_model_check(const OnnxModel *m, char *unsupported, AcErr *err)
{
	const Onnx__GraphProto *g = m->g;

	if (unsupported != NULL)
		unsupported[0] = 0;
	for (size_t i = 0; i < g->n_initializer; i++)
		if (m->init[i] == NULL) {
			if (unsupported != NULL)
				snprintf(unsupported, ONNX_NAME_BYTES, "%s", op_touching(g, g->initializer[i]->name));
			return ac_err_set(err, AC_EDTYPE, "initializer %s has a data type without an ml dtype",
			                  g->initializer[i]->name);
		}
	for (size_t i = 0; i < g->n_input; i++)
		if (check_value(g, g->input[i], "input", unsupported, err) != AC_OK)
			return AC_EDTYPE;
	for (size_t i = 0; i < g->n_output; i++)
		if (check_value(g, g->output[i], "output", unsupported, err) != AC_OK)
			return AC_EDTYPE;
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *n = g->node[i];
		const char *dom = n->domain != NULL ? n->domain : "";

		if ((dom[0] != 0 && strcmp(dom, "ai.onnx") != 0) ||
		    !onnx_op_known(n->op_type, m->opset)) {
			if (unsupported != NULL)
				snprintf(unsupported, ONNX_NAME_BYTES, "%s", n->op_type);
			return ac_err_set(err, AC_EDTYPE, "node %zu (%s): op %s%s%s at opset %" PRId64
			                  " has no mapping", i, n->name != NULL ? n->name : "",
			                  dom, dom[0] != 0 ? "." : "", n->op_type, m->opset);
		}
	}
	return AC_OK;
}
