/*
 * Modules by name (the types of nn/layers.def, hyper-parameters as
 * `name=value` text), and model files: a model's architecture and
 * parameters in one GGUF file, so what trains on one node loads on
 * another. The key layout is documented at nn_save in nn.h.
 */
#include "nn/nn_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const NnClass *const classes[] = {
#define X(sym) &sym,
#include "nn/layers.def"
#undef X
	NULL,
};

const NnClass *
nn_class_find(const char *type)
{
	for (int i = 0; classes[i] != NULL; i++)
		if (strcmp(classes[i]->type, type) == 0)
			return classes[i];
	return NULL;
}

/* One word "name=value" of n bytes. */
static int
parse_word(NnHparams *hp, const char *w, size_t n, AcErr *err)
{
	char buf[256], *eq, *v, *end;
	NnHparam *h;

	if (n >= sizeof buf)
		return ac_err_set(err, AC_EINVAL, "hyper-parameters: '%.32s...' is too long", w);
	memcpy(buf, w, n);
	buf[n] = 0;
	if ((eq = strchr(buf, '=')) == NULL || eq == buf || eq[1] == 0)
		return ac_err_set(err, AC_EINVAL, "hyper-parameters: '%s' is not name=value", buf);
	*eq = 0;
	v = eq + 1;
	if ((size_t)(eq - buf) >= NN_NAME_BYTES)
		return ac_err_set(err, AC_EINVAL, "hyper-parameters: name '%s' is too long", buf);
	for (int i = 0; i < hp->n; i++)
		if (strcmp(hp->h[i].name, buf) == 0)
			return ac_err_set(err, AC_EINVAL, "hyper-parameters: '%s' given twice", buf);
	if (hp->n == NN_MAX_HPARAMS)
		return ac_err_set(err, AC_EINVAL, "hyper-parameters: more than %d", NN_MAX_HPARAMS);
	h = &hp->h[hp->n];
	memset(h, 0, sizeof *h);
	memcpy(h->name, buf, (size_t)(eq - buf) + 1);
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		h->n = 1;
		h->i[0] = v[0] == 't';
		hp->n++;
		return AC_OK;
	}
	/* ints: every comma-separated field an integer */
	for (char *p = v;;) {
		long long x;
		errno = 0;
		x = strtoll(p, &end, 10);
		if (end == p || errno != 0 || (*end != ',' && *end != 0))
			break;
		if (h->n == NN_HPARAM_INTS)
			return ac_err_set(err, AC_EINVAL, "hyper-parameters: %s has more than %d values", buf,
			                  NN_HPARAM_INTS);
		h->i[h->n++] = x;
		if (*end == 0) {
			hp->n++;
			return AC_OK;
		}
		p = end + 1;
	}
	h->n = 0;
	errno = 0;
	h->f = strtod(v, &end);
	if (end == v || *end != 0 || errno != 0)
		return ac_err_set(err, AC_EINVAL, "hyper-parameters: %s=%s is not a number", buf, v);
	hp->n++;
	return AC_OK;
}

int
nn_hparams_parse(NnHparams *hp, const char *opts, AcErr *err)
{
	memset(hp, 0, sizeof *hp);
	if (opts == NULL)
		return AC_OK;
	for (const char *p = opts; *p != 0;) {
		size_t n;
		int rc;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		n = strcspn(p, " \t\n");
		if (n == 0)
			break;
		if ((rc = parse_word(hp, p, n, err)) != AC_OK)
			return rc;
		p += n;
	}
	return AC_OK;
}

NnModule *
nn_create(const char *type, const NnHparams *hp, uint64_t seed, AcErr *err)
{
	const NnClass *c = nn_class_find(type);
	NnHparams none = {0};

	if (c == NULL || c->create == NULL) {
		ac_err_set(err, AC_EINVAL, "no type '%s'", type);
		return NULL;
	}
	return c->create(hp != NULL ? hp : &none, seed, err);
}

/* ---- saving ---- */

typedef struct Saver {
	MlGgufWriter *w;
	uint32_t count;
	AcErr *err;
} Saver;

static int
set_str(Saver *s, const char *key, const char *v)
{
	return ml_gguf_writer_set(s->w, key, ML_GGUF_STR, v, s->err);
}

/* Writes module m as number s->count with parent's number, then its
 * children. */
static int
save_module(Saver *s, const NnModule *m, int32_t parent)
{
	char key[NN_PATH_BYTES];
	int32_t me = (int32_t)s->count++;
	int rc;

	snprintf(key, sizeof key, "acheron.module.%" PRId32 ".type", me);
	if ((rc = set_str(s, key, m->cls->type)) != AC_OK)
		return rc;
	snprintf(key, sizeof key, "acheron.module.%" PRId32 ".name", me);
	if ((rc = set_str(s, key, m->name)) != AC_OK)
		return rc;
	snprintf(key, sizeof key, "acheron.module.%" PRId32 ".parent", me);
	if ((rc = ml_gguf_writer_set(s->w, key, ML_GGUF_I32, &parent, s->err)) != AC_OK)
		return rc;
	for (int i = 0; i < m->hp.n; i++) {
		const NnHparam *h = &m->hp.h[i];
		snprintf(key, sizeof key, "acheron.module.%" PRId32 ".%s", me, h->name);
		rc = h->n > 0 ? ml_gguf_writer_set_arr(s->w, key, ML_GGUF_I64, h->i, (uint64_t)h->n, s->err)
		              : ml_gguf_writer_set(s->w, key, ML_GGUF_F64, &h->f, s->err);
		if (rc != AC_OK)
			return rc;
	}
	for (int i = 0; i < m->nchildren; i++)
		if ((rc = save_module(s, m->children[i], me)) != AC_OK)
			return rc;
	return AC_OK;
}

static int
add_tensor(void *ctx, const char *name, NnParam *p)
{
	Saver *s = ctx;

	return ml_gguf_writer_add_tensor(s->w, name, p->value, s->err);
}

static uint32_t
count_modules(const NnModule *m)
{
	uint32_t n = 1;

	for (int i = 0; i < m->nchildren; i++)
		n += count_modules(m->children[i]);
	return n;
}

int
nn_save_writer(MlGgufWriter *w, NnModule *m, const char *arch, AcErr *err)
{
	Saver s = {w, 0, err};
	uint32_t n = count_modules(m);
	int rc;

	if ((rc = set_str(&s, "general.architecture", "acheron")) != AC_OK ||
	    (rc = set_str(&s, "acheron.arch", arch != NULL ? arch : m->cls->type)) != AC_OK)
		return rc;
	/* the count goes first so a reader can size its table */
	if ((rc = ml_gguf_writer_set(w, "acheron.module_count", ML_GGUF_U32, &n, err)) != AC_OK ||
	    (rc = save_module(&s, m, -1)) != AC_OK)
		return rc;
	return nn_named_parameters(m, true, add_tensor, &s);
}

int
nn_save(NnModule *m, const char *arch, const char *path, AcErr *err)
{
	MlGgufWriter *w = ml_gguf_writer_new(err);
	int rc;

	if (w == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	if ((rc = nn_save_writer(w, m, arch, err)) == AC_OK)
		rc = ml_gguf_writer_write(w, path, err);
	ml_gguf_writer_free(w);
	return rc;
}

/* ---- loading ---- */

typedef struct Loader {
	MlGguf *g;
	const char *path;
	AcErr *err;
	int64_t used;   /* tensors the model took */
	int64_t oused;  /* of those, named optim.* */
} Loader;

/* The hyper-parameters stored under prefix "acheron.module.I.". */
static int
load_hparams(Loader *l, const char *prefix, NnHparams *hp)
{
	size_t pl = strlen(prefix);

	memset(hp, 0, sizeof *hp);
	for (int64_t k = 0; k < ml_gguf_kv_count(l->g); k++) {
		const char *key = ml_gguf_key(l->g, k), *name;
		NnHparam *h;
		if (strncmp(key, prefix, pl) != 0)
			continue;
		name = key + pl;
		if (strcmp(name, "type") == 0 || strcmp(name, "name") == 0 || strcmp(name, "parent") == 0)
			continue;
		if (hp->n == NN_MAX_HPARAMS || strlen(name) >= NN_NAME_BYTES)
			return ac_err_set(l->err, AC_EFORMAT, "%s: %s: too many or too long", l->path, key);
		h = &hp->h[hp->n++];
		memset(h, 0, sizeof *h);
		snprintf(h->name, sizeof h->name, "%s", name);
		if (ml_gguf_kv_type(l->g, k) == ML_GGUF_F64) {
			if (ml_gguf_get_f64(l->g, key, &h->f, l->err) != AC_OK)
				return AC_EFORMAT;
		} else {
			MlGgufType et;
			uint64_t n;
			const void *data;
			if (ml_gguf_get_arr(l->g, key, &et, &n, &data, NULL) != AC_OK || et != ML_GGUF_I64 ||
			    n == 0 || n > NN_HPARAM_INTS)
				return ac_err_set(l->err, AC_EFORMAT, "%s: %s: want an f64 or 1 to %d i64s", l->path,
				                  key, NN_HPARAM_INTS);
			memcpy(h->i, data, (size_t)n * sizeof(int64_t));
			h->n = (int)n;
		}
	}
	return AC_OK;
}

/* A checkpoint's optimizer state (checkpoint.c), which a model ignores. */
static bool
is_optim(const char *name)
{
	return strncmp(name, "optim.", 6) == 0;
}

static int
load_param(void *ctx, const char *name, NnParam *p)
{
	Loader *l = ctx;
	char a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor *t = ml_gguf_tensor(l->g, name, NULL);
	int rc;

	if (t == NULL)
		return ac_err_set(l->err, AC_EFORMAT, "%s: no tensor '%s'", l->path, name);
	if (!ml_same_shape(t, p->value)) {
		rc = ac_err_set(l->err, AC_EFORMAT, "%s: tensor '%s' is %s, the model wants %s", l->path, name,
		                ml_shape_fmt(t, a), ml_shape_fmt(p->value, b));
		ml_tensor_unref(t);
		return rc;
	}
	rc = ml_copy(p->value, t, l->err);
	ml_tensor_unref(t);
	l->used++;
	l->oused += is_optim(name);
	return rc;
}

NnModule *
nn_load_gguf(MlGguf *g, const char *path, char *arch, size_t archbytes, AcErr *err)
{
	Loader l = {g, path, err, 0, 0};
	NnModule **mods = NULL, *root = NULL;
	int *depth = NULL;
	uint32_t n = 0;
	int64_t nt = 0;
	const char *s;
	char key[NN_PATH_BYTES];

	if (ml_gguf_get_str(l.g, "general.architecture", &s, NULL, NULL) != AC_OK ||
	    strcmp(s, "acheron") != 0) {
		ac_err_set(err, AC_EFORMAT, "%s: general.architecture is not 'acheron': not an Acheron model",
		           path);
		goto fail;
	}
	/* a module is kilobytes of host memory before any tensor: a file's
	 * count is bounded so that a hostile one cannot ask for gigabytes */
	if (ml_gguf_get_u32(l.g, "acheron.module_count", &n, NULL) != AC_OK || n == 0 || n > NN_MAX_MODULES) {
		ac_err_set(err, AC_EFORMAT, "%s: acheron.module_count: missing or not 1 to %d", path,
		           NN_MAX_MODULES);
		goto fail;
	}
	if (arch != NULL && archbytes > 0) {
		if (ml_gguf_get_str(l.g, "acheron.arch", &s, NULL, NULL) != AC_OK)
			s = "";
		snprintf(arch, archbytes, "%s", s);
	}
	if ((mods = calloc(n, sizeof *mods)) == NULL || (depth = calloc(n, sizeof *depth)) == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *type, *name;
		int32_t parent;
		NnHparams hp;
		char prefix[64];
		snprintf(prefix, sizeof prefix, "acheron.module.%" PRIu32 ".", i);
		snprintf(key, sizeof key, "%stype", prefix);
		if (ml_gguf_get_str(l.g, key, &type, NULL, NULL) != AC_OK) {
			ac_err_set(err, AC_EFORMAT, "%s: %s: missing", path, key);
			goto fail;
		}
		snprintf(key, sizeof key, "%sname", prefix);
		if (ml_gguf_get_str(l.g, key, &name, NULL, NULL) != AC_OK || strlen(name) >= NN_NAME_BYTES) {
			ac_err_set(err, AC_EFORMAT, "%s: %s: missing or too long", path, key);
			goto fail;
		}
		snprintf(key, sizeof key, "%sparent", prefix);
		if (ml_gguf_get_i32(l.g, key, &parent, NULL) != AC_OK || parent >= (int32_t)i ||
		    (parent < 0) != (i == 0)) {
			ac_err_set(err, AC_EFORMAT, "%s: %s: missing, or not an earlier module", path, key);
			goto fail;
		}
		/* nesting bounded: freeing and walking a model recurse */
		depth[i] = i == 0 ? 1 : depth[parent] + 1;
		if (depth[i] > NN_MAX_DEPTH) {
			ac_err_set(err, AC_EFORMAT, "%s: module %" PRIu32 " nests deeper than %d", path, i,
			           NN_MAX_DEPTH);
			goto fail;
		}
		if (nn_class_find(type) == NULL) {
			ac_err_set(err, AC_EFORMAT, "%s: %stype: no type '%s'", path, prefix, type);
			goto fail;
		}
		if (load_hparams(&l, prefix, &hp) != AC_OK)
			goto fail;
		if ((mods[i] = nn_create(type, &hp, 0, err)) == NULL) {
			char msg[AC_ERR_MSG_BYTES];
			snprintf(msg, sizeof msg, "%s", err != NULL ? err->msg : "");
			ac_err_set(err, AC_EFORMAT, "%s: module %" PRIu32 ": %s", path, i, msg);
			goto fail;
		}
		if (i > 0 && nn_add(mods[parent], mods[i], name, err) != AC_OK) {
			nn_free(mods[i]);
			goto fail;
		}
	}
	root = mods[0];
	if (nn_named_parameters(root, true, load_param, &l) != 0)
		goto fail;
	/* the model's tensors: all but optim.*, save a parameter that a
	 * child named "optim" makes so */
	for (int64_t i = 0; i < ml_gguf_tensor_count(l.g); i++) {
		MlGgufTensorInfo ti;
		if (ml_gguf_tensor_info(l.g, i, &ti, err) != AC_OK)
			goto fail;
		nt += !is_optim(ti.name);
	}
	if (l.used - l.oused != nt) {
		ac_err_set(err, AC_EFORMAT, "%s: %" PRId64 " model tensors, the model has %" PRId64, path,
		           nt + l.oused, l.used);
		goto fail;
	}
	free(mods);
	free(depth);
	return root;
fail:
	if (mods != NULL)
		nn_free(mods[0]);  /* the children belong to it */
	free(mods);
	free(depth);
	return NULL;
}

NnModule *
nn_load(const char *path, char *arch, size_t archbytes, AcErr *err)
{
	MlGguf *g = ml_gguf_open(path, err);
	NnModule *m;

	if (g == NULL)
		return NULL;
	m = nn_load_gguf(g, path, arch, archbytes, err);
	ml_gguf_close(g);
	return m;
}
