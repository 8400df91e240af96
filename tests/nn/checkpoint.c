/*
 * Training checkpoints (nn/checkpoint.c): a run of K + N steps and a run
 * of K steps, a checkpoint, a fresh process's worth of objects loaded from
 * it and N more steps end with the same bits in every parameter, for each
 * optimizer; the info and the model round-trip; broken files, files for
 * another optimizer and failed saves are refused or leave the old file.
 */
#include "tests/nn/nntest.h"
#include "nn/nn_impl.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

enum { NB = 4, BATCH = 5, K = 5, N = 7 };

static char dir[64];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/nnckptXXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
path_of(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

/* Fixed synthetic data: NB batches of BATCH rows of 4 features, f32, and
 * a class in 0..2 each. */
typedef struct Data {
	MlTensor *x[NB], *y[NB];
} Data;

static void
data_init(Data *d)
{
	MlRng r;

	ml_rng_seed(&r, 0xda7a);
	for (int b = 0; b < NB; b++) {
		d->x[b] = ml_tensor_zeros(ML_F32, 2, (int64_t[]){BATCH, 4}, NULL);
		d->y[b] = ml_tensor_zeros(ML_I64, 1, (int64_t[]){BATCH}, NULL);
		assert_non_null(d->x[b]);
		assert_non_null(d->y[b]);
		for (int i = 0; i < BATCH * 4; i++)
			ML_F32(d->x[b])[i] = (float)(2 * ml_rng_uniform(&r) - 1);
		for (int i = 0; i < BATCH; i++)
			((int64_t *)(void *)d->y[b]->data)[i] = (int64_t)ml_rng_below(&r, 3);
	}
}

static void
data_free(Data *d)
{
	for (int b = 0; b < NB; b++) {
		ml_tensor_unref(d->x[b]);
		ml_tensor_unref(d->y[b]);
	}
}

/* Sequential(Linear(4, 8), ReLU, Linear(8, 3)). */
static NnModule *
make_model(uint64_t seed)
{
	AcErr err = {0};
	NnModule *m = nn_sequential(&err);

	assert_non_null(m);
	assert_int_equal(nn_add(m, nn_linear(4, 8, true, seed, &err), NULL, &err), AC_OK);
	assert_int_equal(nn_add(m, nn_relu(&err), NULL, &err), AC_OK);
	assert_int_equal(nn_add(m, nn_linear(8, 3, true, seed + 1, &err), NULL, &err), AC_OK);
	return m;
}

/* Steps from..to-1 of the training loop, step s on batch s % NB. */
static void
train(NnModule *m, NnOptim *opt, NnLoss *loss, const Data *d, int from, int to)
{
	AcErr err = {0};

	for (int s = from; s < to; s++) {
		MlTensor *x = d->x[s % NB], *y = d->y[s % NB], *out, *g;
		nn_optim_zero_grad(opt);
		if ((out = nn_forward(m, x, &err)) == NULL ||
		    nn_loss_forward(loss, out, y, NULL, &err) == NULL ||
		    (g = nn_loss_backward(loss, out, y, NULL, &err)) == NULL ||
		    nn_backward(m, x, g, 1.0, &err) == NULL || nn_optim_step(opt, &err) != AC_OK)
			fail_msg("step %d: %s", s, err.msg);
	}
}

/* Parameters and buffers in order, for comparing two models. */
typedef struct Plist {
	const char *name[16];
	NnParam *p[16];
	int n;
} Plist;

static int
plist_add(void *ctx, const char *name, NnParam *p)
{
	Plist *l = ctx;

	if (l->n == 16)
		return 1;
	l->name[l->n] = p->name;  /* the local name; the order gives the path */
	(void)name;
	l->p[l->n++] = p;
	return 0;
}

/* Whether a and b hold the same parameters, bit for bit. */
static bool
same_bits(NnModule *a, NnModule *b)
{
	Plist la = {0}, lb = {0};

	assert_int_equal(nn_named_parameters(a, true, plist_add, &la), 0);
	assert_int_equal(nn_named_parameters(b, true, plist_add, &lb), 0);
	assert_int_equal(la.n, lb.n);
	assert_true(la.n > 0);
	for (int i = 0; i < la.n; i++) {
		const MlTensor *x = la.p[i]->value, *y = lb.p[i]->value;
		assert_string_equal(la.name[i], lb.name[i]);
		assert_true(ml_same_shape(x, y));
		assert_int_equal(x->dtype, y->dtype);
		assert_true(ml_tensor_is_contiguous(x) && ml_tensor_is_contiguous(y));
		if (memcmp(x->data, y->data, ml_tensor_nbytes(x)) != 0)
			return false;
	}
	return true;
}

/* The whole file, in a malloc'd buffer of *n bytes. */
static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static void
spit(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* One message line, no newline, and the given text in it. */
static void
assert_one_line(const AcErr *err, const char *want)
{
	assert_true(err->msg[0] != 0);
	assert_null(strchr(err->msg, '\n'));
	if (strstr(err->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err->msg, want);
}

/*
 * The run interrupted at K and resumed from the checkpoint in new objects
 * ends where the uninterrupted run does, bit for bit; resuming with a
 * fresh optimizer (the state lost) does not, so the comparison can fail.
 */
static void
resume(NnOptimKind kind, const NnOptimOptions *o)
{
	const char *path = path_of("resume.gguf");
	NnCheckpointInfo info = {.epoch = 3, .seed = -42, .batch = K % NB, .extra = {0.875, -1, 1e300, 0}};
	NnCheckpointInfo got;
	NnModule *m = make_model(11), *m2 = NULL, *plain, *lost;
	NnOptim *opt, *opt2 = NULL, *fresh;
	NnLoss *loss = nn_cross_entropy_loss(NN_REDUCTION_MEAN, NULL, -100, 0, NULL);
	AcErr err = {0};
	char arch[16];
	Data d;

	data_init(&d);
	assert_non_null(loss);
	opt = nn_optim_new(kind, o, m, &err);
	assert_non_null(opt);
	train(m, opt, loss, &d, 0, K);
	nn_optim_set_lr(opt, o->lr * 0.5);  /* as a schedule would: the saved lr is the current one */
	if (nn_checkpoint_save(m, opt, &info, "tiny", path, &err) != AC_OK)
		fail_msg("save: %s", err.msg);
	train(m, opt, loss, &d, K, K + N);

	if (nn_checkpoint_load(path, &m2, &opt2, &got, arch, sizeof arch, &err) != AC_OK)
		fail_msg("load: %s", err.msg);
	assert_string_equal(arch, "tiny");
	assert_memory_equal(&got, &info, sizeof info);
	assert_int_equal(nn_optim_kind(opt2), kind);
	assert_int_equal(nn_optim_get_step(opt2), K);
	assert_true(nn_optim_get_lr(opt2) == o->lr * 0.5);
	{
		const NnOptimOptions *a = nn_optim_options(opt2), *b = nn_optim_options(opt);
		assert_true(a->weight_decay == b->weight_decay && a->maximize == b->maximize &&
		            a->momentum == b->momentum && a->dampening == b->dampening &&
		            a->nesterov == b->nesterov && a->beta1 == b->beta1 && a->beta2 == b->beta2 &&
		            a->eps == b->eps && a->amsgrad == b->amsgrad && a->alpha == b->alpha &&
		            a->centered == b->centered && a->lr_decay == b->lr_decay &&
		            a->initial_accumulator_value == b->initial_accumulator_value);
	}

	/* the same file is a model to nn_load, with the saved parameters */
	plain = nn_load(path, NULL, 0, &err);
	if (plain == NULL)
		fail_msg("nn_load: %s", err.msg);
	assert_true(same_bits(plain, m2));

	/* the state lost: a fresh optimizer over the same parameters */
	lost = nn_load(path, NULL, 0, &err);
	assert_non_null(lost);
	fresh = nn_optim_new(kind, nn_optim_options(opt2), lost, &err);
	assert_non_null(fresh);
	train(lost, fresh, loss, &d, K, K + N);

	train(m2, opt2, loss, &d, K, K + N);
	assert_true(same_bits(m, m2));
	assert_int_equal(nn_optim_get_step(opt2), nn_optim_get_step(opt));
	assert_false(same_bits(m, lost));

	nn_optim_free(fresh);
	nn_free(lost);
	nn_free(plain);
	nn_optim_free(opt2);
	nn_free(m2);
	nn_optim_free(opt);
	nn_free(m);
	nn_loss_free(loss);
	data_free(&d);
}

static void
test_resume_adam(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);

	(void)state;
	o.lr = 0.01;
	resume(NN_OPTIM_ADAM, &o);  /* f32 without amsgrad: optim.c's hoisted loop */
	o.amsgrad = true;
	o.weight_decay = 1e-2;
	o.beta1 = 0.8;
	resume(NN_OPTIM_ADAM, &o);
}

static void
test_resume_sgd(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_SGD);

	(void)state;
	o.lr = 0.05;
	o.momentum = 0.9;
	resume(NN_OPTIM_SGD, &o);
	o.nesterov = true;
	o.weight_decay = 1e-3;
	resume(NN_OPTIM_SGD, &o);
}

static void
test_resume_others(void **state)
{
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAMW);

	(void)state;
	o.amsgrad = true;
	resume(NN_OPTIM_ADAMW, &o);
	o = nn_optim_defaults(NN_OPTIM_RMSPROP);
	o.momentum = 0.5;
	o.centered = true;
	resume(NN_OPTIM_RMSPROP, &o);
	o = nn_optim_defaults(NN_OPTIM_ADAGRAD);
	o.initial_accumulator_value = 0.1;
	o.lr_decay = 0.01;
	resume(NN_OPTIM_ADAGRAD, &o);
}

/* No optimizer and no info: the model alone, zeros for the info. */
static void
test_no_optim(void **state)
{
	const char *path = path_of("noopt.gguf");
	NnModule *m = make_model(3), *m2 = NULL;
	NnOptim *opt2 = (NnOptim *)&opt2;  /* must be set to NULL */
	NnCheckpointInfo got, zero = {0};
	AcErr err = {0};

	(void)state;
	memset(&got, 0xff, sizeof got);
	assert_int_equal(nn_checkpoint_save(m, NULL, NULL, NULL, path, &err), AC_OK);
	assert_int_equal(nn_checkpoint_load(path, &m2, &opt2, &got, NULL, 0, &err), AC_OK);
	assert_null(opt2);
	assert_memory_equal(&got, &zero, sizeof got);
	assert_true(same_bits(m, m2));
	nn_free(m2);
	/* opt NULL: the optimizer in the file is not built */
	{
		NnOptim *opt = nn_optim_new(NN_OPTIM_ADAM, &(NnOptimOptions){.lr = 1e-3, .beta1 = 0.9,
		                                                            .beta2 = 0.999, .eps = 1e-8},
		                            m, &err);
		assert_non_null(opt);
		assert_int_equal(nn_checkpoint_save(m, opt, NULL, NULL, path, &err), AC_OK);
		assert_int_equal(nn_checkpoint_load(path, &m2, NULL, NULL, NULL, 0, &err), AC_OK);
		assert_true(same_bits(m, m2));
		nn_free(m2);
		nn_optim_free(opt);
	}
	nn_free(m);
}

/* A child named "optim" gives model tensors named optim.*: they are the
 * model's, not the optimizer's, to nn_load and to a checkpoint. */
static void
test_child_named_optim(void **state)
{
	const char *path = path_of("named.gguf");
	NnModule *m = nn_sequential(NULL), *m2 = NULL;
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);
	NnOptim *opt, *opt2 = NULL;
	AcErr err = {0};

	(void)state;
	assert_non_null(m);
	assert_int_equal(nn_add(m, nn_linear(2, 3, true, 1, NULL), "optim", &err), AC_OK);
	opt = nn_optim_new(NN_OPTIM_ADAM, &o, m, &err);
	assert_non_null(opt);
	nn_optim_set_step(opt, 3);
	ML_F32(nn_optim_state(opt, 0, 0, NULL, &err))[0] = 0.25f;
	assert_int_equal(nn_save(m, NULL, path, &err), AC_OK);
	m2 = nn_load(path, NULL, 0, &err);
	if (m2 == NULL)
		fail_msg("nn_load: %s", err.msg);
	assert_true(same_bits(m, m2));
	nn_free(m2);
	assert_int_equal(nn_checkpoint_save(m, opt, NULL, NULL, path, &err), AC_OK);
	if (nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err) != AC_OK)
		fail_msg("checkpoint: %s", err.msg);
	assert_true(same_bits(m, m2));
	assert_int_equal(nn_optim_get_step(opt2), 3);
	assert_true(ML_F32(nn_optim_state(opt2, 0, 0, NULL, &err))[0] == 0.25f);
	nn_optim_free(opt2);
	nn_free(m2);
	nn_optim_free(opt);
	nn_free(m);
}

/* Files that are not whole checkpoints of this model are refused with
 * one line, and nothing is returned. */
static void
test_refused(void **state)
{
	const char *good = path_of("good.gguf"), *bad = path_of("bad.gguf");
	NnModule *m = make_model(5), *m2 = (NnModule *)&m2, *other;
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);
	NnOptim *opt = nn_optim_new(NN_OPTIM_ADAM, &o, m, NULL), *opt2 = (NnOptim *)&opt2;
	AcErr err = {0};
	size_t n;
	char *buf;

	(void)state;
	assert_non_null(opt);
	assert_int_equal(nn_checkpoint_save(m, opt, NULL, "x", good, &err), AC_OK);
	buf = slurp(good, &n);

	/* truncated: within the metadata, and within the last tensor's data
	 * (the 12 bytes of optim.2.bias.exp_avg_sq, padded to 32) */
	for (int cut = 0; cut < 2; cut++) {
		spit(bad, buf, cut == 0 ? n / 8 : n - 40);
		assert_int_not_equal(nn_checkpoint_load(bad, &m2, &opt2, NULL, NULL, 0, &err), AC_OK);
		assert_null(m2);
		assert_null(opt2);
		assert_one_line(&err, bad);
		assert_null(nn_load(bad, NULL, 0, &err));
	}
	free(buf);

	/* a plain model file is not a checkpoint (but is a model) */
	assert_int_equal(nn_save(m, NULL, bad, &err), AC_OK);
	assert_int_equal(nn_checkpoint_load(bad, &m2, &opt2, NULL, NULL, 0, &err), AC_EFORMAT);
	assert_one_line(&err, "no acheron.train.epoch");

	/* an optimizer over other parameters is not saved */
	other = make_model(5);
	nn_optim_free(opt);
	opt = nn_optim_new(NN_OPTIM_ADAM, &o, other, NULL);
	assert_int_equal(nn_checkpoint_save(m, opt, NULL, NULL, bad, &err), AC_EINVAL);
	assert_string_equal(err.msg, "checkpoint: the optimizer's parameter 0 is not the model's "
	                             "parameter 0 ('0.weight')");
	nn_optim_free(opt);
	nn_free(other);
	nn_free(m);
}

/*
 * A file made by hand: m's model with SGD(momentum) state, one state
 * tensor replaced by t (NULL: left out), plus one extra tensor when
 * extra is set; without acheron.optim.type unless typed; lr as given.
 */
static void
write_sgd(NnModule *m, const char *path, const char *which, MlTensor *t, bool extra, bool typed,
          double lr)
{
	static const char *const names[4] = {"0.weight", "0.bias", "2.weight", "2.bias"};
	MlGgufWriter *w = ml_gguf_writer_new(NULL);
	double zeros[NN_CHECKPOINT_EXTRA] = {0}, mom = 0.9;
	int64_t zero = 0, step = 1;
	AcErr err = {0};
	char name[64];

	assert_non_null(w);
	assert_int_equal(nn_save_writer(w, m, NULL, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.train.epoch", ML_GGUF_I64, &zero, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.train.seed", ML_GGUF_I64, &zero, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.train.batch", ML_GGUF_I64, &zero, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set_arr(w, "acheron.train.extra", ML_GGUF_F64, zeros,
	                                        NN_CHECKPOINT_EXTRA, &err), AC_OK);
	if (typed)
		assert_int_equal(ml_gguf_writer_set(w, "acheron.optim.type", ML_GGUF_STR, "SGD", &err),
		                 AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.optim.step", ML_GGUF_I64, &step, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.optim.momentum", ML_GGUF_F64, &mom, &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "acheron.optim.lr", ML_GGUF_F64, &lr, &err), AC_OK);
	for (int i = 0; i < 4; i++) {
		NnParam *p = nn_find_param(m, names[i]);
		assert_non_null(p);
		snprintf(name, sizeof name, "optim.%s.momentum_buffer", names[i]);
		if (strcmp(names[i], which) != 0)
			assert_int_equal(ml_gguf_writer_add_tensor(w, name, p->value, &err), AC_OK);
		else if (t != NULL)
			assert_int_equal(ml_gguf_writer_add_tensor(w, name, t, &err), AC_OK);
	}
	if (extra) {
		NnParam *p = nn_find_param(m, "0.bias");
		assert_int_equal(ml_gguf_writer_add_tensor(w, "optim.0.bias.exp_avg", p->value, &err), AC_OK);
	}
	assert_int_equal(ml_gguf_writer_write(w, path, &err), AC_OK);
	ml_gguf_writer_free(w);
}

static void
test_state_mismatch(void **state)
{
	const char *path = path_of("hand.gguf");
	NnModule *m = make_model(9), *m2 = NULL;
	NnOptim *opt2 = NULL;
	MlTensor *wrong = ml_tensor_zeros(ML_F32, 2, (int64_t[]){3, 4}, NULL);
	AcErr err = {0};

	(void)state;
	/* made right, it loads: the buffers hold the parameters' values */
	write_sgd(m, path, "", NULL, false, true, 0.1);
	if (nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err) != AC_OK)
		fail_msg("%s", err.msg);
	{
		const char *sn;
		MlTensor *b = nn_optim_state(opt2, 2, 0, &sn, &err);
		assert_non_null(b);
		assert_string_equal(sn, "momentum_buffer");
		assert_memory_equal(b->data, nn_find_param(m, "2.weight")->value->data, ml_tensor_nbytes(b));
		assert_true(nn_optim_get_lr(opt2) == 0.1);
		assert_true(nn_optim_options(opt2)->momentum == 0.9);
		assert_true(nn_optim_options(opt2)->dampening == 0);  /* absent: the default */
	}
	nn_optim_free(opt2);
	nn_free(m2);

	write_sgd(m, path, "2.weight", wrong, false, true, 0.1);
	assert_int_equal(nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err), AC_EFORMAT);
	assert_null(m2);
	assert_null(opt2);
	assert_one_line(&err, "tensor 'optim.2.weight.momentum_buffer' is [3,4], parameter '2.weight' "
	                      "is [3,8]");
	/* as a plain model the file still loads: the state is not the model's */
	m2 = nn_load(path, NULL, 0, &err);
	assert_non_null(m2);
	assert_true(same_bits(m, m2));
	nn_free(m2);

	write_sgd(m, path, "0.bias", NULL, false, true, 0.1);
	assert_int_equal(nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err), AC_EFORMAT);
	assert_one_line(&err, "no tensor 'optim.0.bias.momentum_buffer' (SGD's state)");

	write_sgd(m, path, "", NULL, true, true, 0.1);
	assert_int_equal(nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err), AC_EFORMAT);
	assert_one_line(&err, "5 optim.* tensors, SGD over this model has 4");

	/* options nn_optim_new refuses */
	write_sgd(m, path, "", NULL, false, true, -1);
	assert_int_equal(nn_checkpoint_load(path, &m2, &opt2, NULL, NULL, 0, &err), AC_EINVAL);
	assert_one_line(&err, "hand.gguf: SGD: lr -1, want >= 0");

	/* state with no optimizer to own it, even when none is asked for */
	write_sgd(m, path, "", NULL, false, false, 0.1);
	assert_int_equal(nn_checkpoint_load(path, &m2, NULL, NULL, NULL, 0, &err), AC_EFORMAT);
	assert_one_line(&err, "4 optim.* tensors, no acheron.optim.type");
	m2 = nn_load(path, NULL, 0, &err);
	assert_non_null(m2);
	nn_free(m2);

	ml_tensor_unref(wrong);
	nn_free(m);
}

/* No file named path.tmp* is left in dir. */
static void
assert_no_temp(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (strstr(e->d_name, ".tmp") != NULL)
			fail_msg("temporary '%s' left behind", e->d_name);
	closedir(dp);
}

/* A save that fails, before the file is made or while writing it, leaves
 * the file that was there as it was. */
static void
test_failed_save(void **state)
{
	const char *path = path_of("keep.gguf");
	NnModule *m = make_model(1);
	NnOptimOptions o = nn_optim_defaults(NN_OPTIM_ADAM);
	NnOptim *opt = nn_optim_new(NN_OPTIM_ADAM, &o, m, NULL);
	NnCheckpointInfo info = {.epoch = 1};
	struct rlimit old, lim;
	void (*oldsig)(int);
	AcErr err = {0};
	char nowhere[128], *before, *after;
	size_t nb, na;
	int rc;

	(void)state;
	assert_non_null(opt);
	assert_int_equal(nn_checkpoint_save(m, opt, &info, NULL, path, &err), AC_OK);
	before = slurp(path, &nb);

	snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/x.gguf", dir);
	assert_int_equal(nn_checkpoint_save(m, opt, &info, NULL, nowhere, &err), AC_EIO);
	assert_one_line(&err, nowhere);
	assert_int_equal(access(nowhere, F_OK), -1);

	/* the file system refuses the bytes past 256 (EFBIG) mid-write */
	info.epoch = 2;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 256;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = nn_checkpoint_save(m, opt, &info, NULL, path, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(rc, AC_EIO);
	assert_one_line(&err, path);
	after = slurp(path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	assert_no_temp();
	free(after);

	/* and the same save, allowed, replaces it */
	assert_int_equal(nn_checkpoint_save(m, opt, &info, NULL, path, &err), AC_OK);
	after = slurp(path, &na);
	assert_true(na != nb || memcmp(after, before, nb) != 0);
	free(after);
	free(before);
	nn_optim_free(opt);
	nn_free(m);
}

TEST_MAIN("nn checkpoints", cmocka_unit_test_setup_teardown(test_resume_adam, setup, teardown),
          cmocka_unit_test_setup_teardown(test_resume_sgd, setup, teardown),
          cmocka_unit_test_setup_teardown(test_resume_others, setup, teardown),
          cmocka_unit_test_setup_teardown(test_no_optim, setup, teardown),
          cmocka_unit_test_setup_teardown(test_child_named_optim, setup, teardown),
          cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
          cmocka_unit_test_setup_teardown(test_state_mismatch, setup, teardown),
          cmocka_unit_test_setup_teardown(test_failed_save, setup, teardown))
