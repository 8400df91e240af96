/*
 * Training checkpoints (nn.h "Building by name, and model files"): the
 * model file of model.c with the optimizer and the training loop's
 * position added, so that a run stopped and resumed takes the same steps
 * as one that never stopped. The layout is documented at
 * nn_checkpoint_save in nn.h.
 */
#include "nn/nn_impl.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {
	[NN_OPTIM_SGD] = "SGD", [NN_OPTIM_ADAM] = "Adam", [NN_OPTIM_ADAMW] = "AdamW",
	[NN_OPTIM_RMSPROP] = "RMSprop", [NN_OPTIM_ADAGRAD] = "Adagrad",
};

/* Every field of NnOptimOptions, so that options changed after the
 * optimizer was made (a schedule's lr) come back as they were. */
static const struct {
	const char *name;
	size_t off;
	bool isbool;
} fields[] = {
	{"lr", offsetof(NnOptimOptions, lr), false},
	{"weight_decay", offsetof(NnOptimOptions, weight_decay), false},
	{"maximize", offsetof(NnOptimOptions, maximize), true},
	{"momentum", offsetof(NnOptimOptions, momentum), false},
	{"dampening", offsetof(NnOptimOptions, dampening), false},
	{"nesterov", offsetof(NnOptimOptions, nesterov), true},
	{"beta1", offsetof(NnOptimOptions, beta1), false},
	{"beta2", offsetof(NnOptimOptions, beta2), false},
	{"eps", offsetof(NnOptimOptions, eps), false},
	{"amsgrad", offsetof(NnOptimOptions, amsgrad), true},
	{"alpha", offsetof(NnOptimOptions, alpha), false},
	{"centered", offsetof(NnOptimOptions, centered), true},
	{"lr_decay", offsetof(NnOptimOptions, lr_decay), false},
	{"initial_accumulator_value", offsetof(NnOptimOptions, initial_accumulator_value), false},
};
enum {
	NFIELDS = sizeof fields / sizeof fields[0],
	MAX_NAME = 63,  /* a GGUF tensor name's bytes: ggml's GGML_MAX_NAME less the NUL */
};

/* The dotted names of m's parameters (buffers excluded), in
 * nn_parameters' order, which is the optimizer's. */
typedef struct Names {
	char (*name)[NN_PATH_BYTES];
	NnParam **p;
	int n, cap;
} Names;

static int
add_name(void *ctx, const char *name, NnParam *p)
{
	Names *l = ctx;

	if (p->grad == NULL)
		return 0;
	if (l->n == l->cap) {
		int cap = l->cap > 0 ? 2 * l->cap : 16;
		char(*nn)[NN_PATH_BYTES] = realloc(l->name, (size_t)cap * sizeof *nn);
		NnParam **np;
		if (nn == NULL)
			return AC_ENOMEM;
		l->name = nn;
		if ((np = realloc(l->p, (size_t)cap * sizeof *np)) == NULL)
			return AC_ENOMEM;
		l->p = np;
		l->cap = cap;
	}
	snprintf(l->name[l->n], NN_PATH_BYTES, "%s", name);
	l->p[l->n++] = p;
	return 0;
}

static int
names_get(Names *l, NnModule *m, AcErr *err)
{
	memset(l, 0, sizeof *l);
	if (nn_named_parameters(m, false, add_name, l) != 0)
		return ac_err_set(err, AC_ENOMEM, "checkpoint: out of memory");
	return AC_OK;
}

static void
names_free(Names *l)
{
	free(l->name);
	free(l->p);
}

/* "optim.P.S" in buf; AC_EINVAL when GGUF cannot hold the name. */
static int
state_name(char *buf, size_t bytes, const char *param, const char *state, AcErr *err)
{
	int n = snprintf(buf, bytes, "optim.%s.%s", param, state);

	if (n < 0 || n > MAX_NAME || (size_t)n >= bytes)
		return ac_err_set(err, AC_EINVAL, "checkpoint: tensor name 'optim.%s.%s' is over %d bytes",
		                  param, state, MAX_NAME);
	return AC_OK;
}

/* State k of parameter i: NULL past the last one (*rc AC_OK) or on
 * error (*rc the code). */
static MlTensor *
state_at(NnOptim *opt, int i, int k, const char **sn, int *rc, AcErr *err)
{
	AcErr e = {0};
	MlTensor *t = nn_optim_state(opt, i, k, sn, &e);

	*rc = t == NULL ? e.code : AC_OK;
	if (*rc != AC_OK && err != NULL)
		*err = e;
	return t;
}

static int
save_optim(MlGgufWriter *w, NnModule *m, NnOptim *opt, AcErr *err)
{
	const NnOptimOptions *o = nn_optim_options(opt);
	int64_t step = nn_optim_get_step(opt);
	char key[NN_PATH_BYTES];
	Names l;
	int rc;

	if ((rc = ml_gguf_writer_set(w, "acheron.optim.type", ML_GGUF_STR, nn_optim_type(opt), err)) !=
	        AC_OK ||
	    (rc = ml_gguf_writer_set(w, "acheron.optim.step", ML_GGUF_I64, &step, err)) != AC_OK)
		return rc;
	for (int i = 0; i < NFIELDS; i++) {
		const char *v = (const char *)o + fields[i].off;
		snprintf(key, sizeof key, "acheron.optim.%s", fields[i].name);
		if ((rc = ml_gguf_writer_set(w, key, fields[i].isbool ? ML_GGUF_BOOL : ML_GGUF_F64, v,
		                             err)) != AC_OK)
			return rc;
	}
	if ((rc = names_get(&l, m, err)) != AC_OK)
		return rc;
	if (l.n != nn_optim_nparams(opt)) {
		rc = ac_err_set(err, AC_EINVAL, "checkpoint: the optimizer has %d parameters, the model %d",
		                nn_optim_nparams(opt), l.n);
		goto out;
	}
	for (int i = 0; i < l.n; i++) {
		if (nn_optim_param(opt, i) != l.p[i]) {
			rc = ac_err_set(err, AC_EINVAL,
			                "checkpoint: the optimizer's parameter %d is not the model's "
			                "parameter %d ('%s')", i, i, l.name[i]);
			goto out;
		}
		for (int k = 0;; k++) {
			const char *sn;
			MlTensor *t;
			if ((t = state_at(opt, i, k, &sn, &rc, err)) == NULL) {
				if (rc != AC_OK)
					goto out;
				break;
			}
			if ((rc = state_name(key, sizeof key, l.name[i], sn, err)) != AC_OK ||
			    (rc = ml_gguf_writer_add_tensor(w, key, t, err)) != AC_OK)
				goto out;
		}
	}
out:
	names_free(&l);
	return rc;
}

int
nn_checkpoint_save(NnModule *m, NnOptim *opt, const NnCheckpointInfo *info, const char *arch,
                   const char *path, AcErr *err)
{
	NnCheckpointInfo zero = {0};
	MlGgufWriter *w;
	int rc;

	if (m == NULL || path == NULL)
		return ac_err_set(err, AC_EINVAL, "checkpoint: nil model or path");
	if (info == NULL)
		info = &zero;
	if ((w = ml_gguf_writer_new(err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	if ((rc = nn_save_writer(w, m, arch, err)) != AC_OK ||
	    (rc = ml_gguf_writer_set(w, "acheron.train.epoch", ML_GGUF_I64, &info->epoch, err)) != AC_OK ||
	    (rc = ml_gguf_writer_set(w, "acheron.train.seed", ML_GGUF_I64, &info->seed, err)) != AC_OK ||
	    (rc = ml_gguf_writer_set(w, "acheron.train.batch", ML_GGUF_I64, &info->batch, err)) != AC_OK ||
	    (rc = ml_gguf_writer_set_arr(w, "acheron.train.extra", ML_GGUF_F64, info->extra,
	                                 NN_CHECKPOINT_EXTRA, err)) != AC_OK)
		goto out;
	if (opt != NULL && (rc = save_optim(w, m, opt, err)) != AC_OK)
		goto out;
	rc = ml_gguf_writer_write(w, path, err);
out:
	ml_gguf_writer_free(w);
	return rc;
}

/* ---- loading ---- */

/* A getter's error (no key, another type) as a format error: the file,
 * not the caller, is wrong. The getter's message names the path. */
static int
malformed(AcErr *err)
{
	if (err != NULL)
		err->code = AC_EFORMAT;
	return AC_EFORMAT;
}

static int
load_info(MlGguf *g, const char *path, NnCheckpointInfo *info, AcErr *err)
{
	MlGgufType et;
	uint64_t n;
	const void *data;

	memset(info, 0, sizeof *info);
	if (ml_gguf_find(g, "acheron.train.epoch") < 0)
		return ac_err_set(err, AC_EFORMAT, "%s: no acheron.train.epoch: a model file, not a checkpoint",
		                  path);
	if (ml_gguf_get_i64(g, "acheron.train.epoch", &info->epoch, err) != AC_OK ||
	    ml_gguf_get_i64(g, "acheron.train.seed", &info->seed, err) != AC_OK ||
	    ml_gguf_get_i64(g, "acheron.train.batch", &info->batch, err) != AC_OK ||
	    ml_gguf_get_arr(g, "acheron.train.extra", &et, &n, &data, err) != AC_OK)
		return malformed(err);
	if (et != ML_GGUF_F64 || n != NN_CHECKPOINT_EXTRA)
		return ac_err_set(err, AC_EFORMAT, "%s: acheron.train.extra: want %d f64s", path,
		                  NN_CHECKPOINT_EXTRA);
	memcpy(info->extra, data, sizeof info->extra);  /* possibly unaligned */
	return AC_OK;
}

/* The options: nn_optim_defaults(kind) with each key present read over it
 * (a file from before an option existed gets its default). */
static int
load_options(MlGguf *g, NnOptimKind kind, NnOptimOptions *o, AcErr *err)
{
	char key[NN_PATH_BYTES];

	*o = nn_optim_defaults(kind);
	for (int i = 0; i < NFIELDS; i++) {
		char *v = (char *)o + fields[i].off;
		snprintf(key, sizeof key, "acheron.optim.%s", fields[i].name);
		if (ml_gguf_find(g, key) < 0)
			continue;
		if ((fields[i].isbool ? ml_gguf_get_bool(g, key, (bool *)(void *)v, err)
		                      : ml_gguf_get_f64(g, key, (double *)(void *)v, err)) != AC_OK)
			return malformed(err);
	}
	return AC_OK;
}

/* *n = the tensors named optim.* that are not m's (a child may be
 * named "optim"). */
static int
count_state(MlGguf *g, NnModule *m, int64_t *n, AcErr *err)
{
	*n = 0;
	for (int64_t i = 0; i < ml_gguf_tensor_count(g); i++) {
		MlGgufTensorInfo ti;
		int rc;
		if ((rc = ml_gguf_tensor_info(g, i, &ti, err)) != AC_OK)
			return rc;
		*n += strncmp(ti.name, "optim.", 6) == 0 && nn_find_param(m, ti.name) == NULL;
	}
	return AC_OK;
}

/* Copies each state tensor of the file into opt, which is over m. */
static int
load_state(MlGguf *g, const char *path, NnModule *m, NnOptim *opt, AcErr *err)
{
	char key[NN_PATH_BYTES], a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	int64_t want = 0, have = 0;
	Names l;
	int rc;

	if ((rc = names_get(&l, m, err)) != AC_OK)
		return rc;
	for (int i = 0; i < l.n; i++) {
		for (int k = 0;; k++) {
			const char *sn;
			MlTensor *st, *t;
			if ((st = state_at(opt, i, k, &sn, &rc, err)) == NULL) {
				if (rc != AC_OK)
					goto out;
				break;
			}
			want++;
			if ((rc = state_name(key, sizeof key, l.name[i], sn, err)) != AC_OK)
				goto out;
			if ((t = ml_gguf_tensor(g, key, NULL)) == NULL) {
				rc = ac_err_set(err, AC_EFORMAT, "%s: no tensor '%s' (%s's state)", path, key,
				                nn_optim_type(opt));
				goto out;
			}
			if (!ml_same_shape(t, st)) {
				rc = ac_err_set(err, AC_EFORMAT, "%s: tensor '%s' is %s, parameter '%s' is %s", path,
				                key, ml_shape_fmt(t, a), l.name[i], ml_shape_fmt(l.p[i]->value, b));
				ml_tensor_unref(t);
				goto out;
			}
			rc = ml_copy(st, t, err);
			ml_tensor_unref(t);
			if (rc != AC_OK)
				goto out;
		}
	}
	/* nothing else may be optimizer state: a file for other options */
	if ((rc = count_state(g, m, &have, err)) == AC_OK && have != want)
		rc = ac_err_set(err, AC_EFORMAT,
		                "%s: %" PRId64 " optim.* tensors, %s over this model has %" PRId64, path, have,
		                nn_optim_type(opt), want);
out:
	names_free(&l);
	return rc;
}

int
nn_checkpoint_load(const char *path, NnModule **m, NnOptim **opt, NnCheckpointInfo *info,
                   char *arch, size_t archbytes, AcErr *err)
{
	NnCheckpointInfo ci;
	MlGguf *g;
	NnModule *mod = NULL;
	NnOptim *o = NULL;
	const char *type;
	int rc = AC_EFORMAT;

	if (m == NULL || path == NULL)
		return ac_err_set(err, AC_EINVAL, "checkpoint: nil path or model");
	*m = NULL;
	if (opt != NULL)
		*opt = NULL;
	if ((g = ml_gguf_open(path, err)) == NULL)
		return err != NULL ? err->code : AC_EIO;
	if ((rc = load_info(g, path, &ci, err)) != AC_OK)
		goto fail;
	if ((mod = nn_load_gguf(g, path, arch, archbytes, err)) == NULL) {
		rc = err != NULL ? err->code : AC_EFORMAT;
		goto fail;
	}
	if (ml_gguf_find(g, "acheron.optim.type") < 0) {
		int64_t have;
		if ((rc = count_state(g, mod, &have, err)) != AC_OK)
			goto fail;
		if (have > 0) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: %" PRId64 " optim.* tensors, no acheron.optim.type",
			                path, have);
			goto fail;
		}
	} else if (opt != NULL) {
		NnOptimOptions oo;
		int kind = -1;
		int64_t step;
		if (ml_gguf_get_str(g, "acheron.optim.type", &type, NULL, err) != AC_OK) {
			rc = malformed(err);
			goto fail;
		}
		for (int k = 0; k < (int)(sizeof kinds / sizeof kinds[0]); k++)
			if (strcmp(kinds[k], type) == 0)
				kind = k;
		if (kind < 0) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: acheron.optim.type: no optimizer '%s'", path, type);
			goto fail;
		}
		if (ml_gguf_get_i64(g, "acheron.optim.step", &step, err) != AC_OK) {
			rc = malformed(err);
			goto fail;
		}
		if (step < 0) {
			rc = ac_err_set(err, AC_EFORMAT, "%s: acheron.optim.step %" PRId64 " is negative", path,
			                step);
			goto fail;
		}
		if ((rc = load_options(g, (NnOptimKind)kind, &oo, err)) != AC_OK)
			goto fail;
		if ((o = nn_optim_new((NnOptimKind)kind, &oo, mod, err)) == NULL) {
			char msg[AC_ERR_MSG_BYTES];
			snprintf(msg, sizeof msg, "%s", err != NULL ? err->msg : "");
			rc = ac_err_set(err, err != NULL ? err->code : AC_EINVAL, "%s: %s", path, msg);
			goto fail;
		}
		nn_optim_set_step(o, step);
		if ((rc = load_state(g, path, mod, o, err)) != AC_OK)
			goto fail;
	}
	ml_gguf_close(g);
	if (info != NULL)
		*info = ci;
	*m = mod;
	if (opt != NULL)
		*opt = o;
	return AC_OK;
fail:
	nn_optim_free(o);
	nn_free(mod);
	ml_gguf_close(g);
	return rc;
}
