/*
 * The data loader: mini-batches of a data set in a per-epoch order, with
 * transforms, and a thread that prepares the next batches while the
 * caller computes (torch.utils.data.DataLoader with one worker).
 *
 * A batch is made by one function, fill, whichever thread runs it, and
 * depends only on (seed, epoch, batch index): that is what makes the
 * prefetched batches byte-identical to those made without a thread.
 *
 * The slots form a small ring: EMPTY -> FILLING (the thread, unlocked)
 * -> READY -> HELD (the caller's, until its next call) -> EMPTY. Every
 * change is made under mu and announced on cv; both sides wait on cv,
 * never spin. Batches are filled and taken in order, so the batch the
 * caller wants is READY, FILLING, or next to be filled.
 */
#include "nn/nn_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_EMPTY, SLOT_FILLING, SLOT_READY, SLOT_HELD };
enum { MAX_STAGES = NN_LOADER_MAX_TRANSFORMS + 1 };

typedef struct Slot {
	int state;                  /* SLOT_* */
	int64_t batch;              /* index in the epoch, when not EMPTY */
	int rc;                     /* fill's status */
	AcErr err;                  /* fill's error, reported when the batch is taken */
	MlTensor *full[MAX_STAGES]; /* stage k's buffer, buf_rows rows */
	MlTensor *part[MAX_STAGES]; /* view of its first rows for the short last batch */
	MlTensor *yfull, *ypart;
	MlTensor *x, *y;            /* the batch: the last stage and the targets */
} Slot;

struct NnLoader {
	MlTensor *x, *y;            /* the data set's, by reference */
	int64_t n;                  /* samples */
	int64_t batch_size;
	int64_t nbatches;           /* per epoch */
	int64_t buf_rows;           /* rows of the batch buffers: min(batch_size, n) */
	bool shuffle;
	uint64_t seed;
	int ntf;
	NnTransform tf[NN_LOADER_MAX_TRANSFORMS];
	int tf_stage[NN_LOADER_MAX_TRANSFORMS]; /* stage transform k writes (its input's if in place) */
	int nstages;
	int ndim;                   /* of the inputs, every stage */
	int64_t stage_ne[MAX_STAGES][ML_MAX_DIMS]; /* stage shapes, ne[0] = buf_rows */
	int32_t *order;             /* [n]: the epoch's sample order */

	pthread_mutex_t mu;
	pthread_cond_t cv;          /* any slot or epoch change */
	pthread_t thread;
	bool threaded;              /* a prefetch thread runs */
	/* under mu: */
	bool started;               /* an epoch was started: transforms are fixed */
	bool active;                /* the thread may fill batches of this epoch */
	bool quit;
	int64_t epoch;              /* written only while no slot is FILLING */
	int64_t next_fill, next_take;
	int nslots;
	Slot slot[NN_LOADER_MAX_PREFETCH + 1];
	Slot *held;                 /* the caller's batch, or NULL */
};

/* splitmix64's finaliser: neighbouring (seed, epoch, batch) triples give
 * unrelated generator seeds. */
static uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The slot's buffers, made on first use; part views of `rows` rows when
 * the batch is short (only the last one is). */
static int
ensure_buffers(NnLoader *l, Slot *s, int64_t rows, AcErr *err)
{
	bool part = rows < l->buf_rows;
	int64_t yne[ML_MAX_DIMS];

	for (int k = 0; k < l->nstages; k++) {
		if (s->full[k] == NULL &&
		    (s->full[k] = ml_tensor_empty(l->x->dtype, l->ndim, l->stage_ne[k], err)) == NULL)
			return err != NULL ? err->code : AC_ENOMEM;
		if (part && s->part[k] == NULL &&
		    (s->part[k] = ml_view_slice(s->full[k], 0, 0, rows, 1, err)) == NULL)
			return err != NULL ? err->code : AC_ENOMEM;
	}
	memcpy(yne, l->y->ne, sizeof yne);
	yne[0] = l->buf_rows;
	if (s->yfull == NULL && (s->yfull = ml_tensor_empty(l->y->dtype, l->y->ndim, yne, err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	if (part && s->ypart == NULL &&
	    (s->ypart = ml_view_slice(s->yfull, 0, 0, rows, 1, err)) == NULL)
		return err != NULL ? err->code : AC_ENOMEM;
	return AC_OK;
}

/* Copies rows order[start..start+rows-1] of src into dst, both contiguous. */
static void
gather(MlTensor *dst, const MlTensor *src, int64_t n, const int32_t *order, int64_t rows)
{
	size_t rb = n > 0 ? ml_tensor_nbytes(src) / (size_t)n : 0;

	for (int64_t i = 0; i < rows; i++)
		memcpy(dst->data + (size_t)i * rb, src->data + (size_t)order[i] * rb, rb);
}

/* Makes batch b of the current epoch in s: gather, then the transforms
 * on an MlRng seeded from (seed, epoch, b). */
static int
fill(NnLoader *l, Slot *s, int64_t b, AcErr *err)
{
	int64_t start = b * l->batch_size, rows = l->n - start;
	MlTensor **stage;
	int rc, cur = 0;
	MlRng r;

	if (rows > l->batch_size)
		rows = l->batch_size;
	if ((rc = ensure_buffers(l, s, rows, err)) != AC_OK)
		return rc;
	stage = rows < l->buf_rows ? s->part : s->full;
	s->y = rows < l->buf_rows ? s->ypart : s->yfull;
	gather(stage[0], l->x, l->n, l->order + start, rows);
	gather(s->y, l->y, l->n, l->order + start, rows);
	ml_rng_seed(&r, mix(mix(mix(l->seed) + (uint64_t)l->epoch) + (uint64_t)b));
	for (int k = 0; k < l->ntf; k++) {
		int dst = l->tf_stage[k];
		if ((rc = nn_transform_apply(&l->tf[k], stage[dst], stage[cur], &r, err)) != AC_OK)
			return rc;
		cur = dst;
	}
	s->x = stage[cur];
	return AC_OK;
}

/* A slot the thread may fill now, or NULL. */
static Slot *
job(NnLoader *l)
{
	if (!l->active || l->next_fill >= l->nbatches)
		return NULL;
	for (int i = 0; i < l->nslots; i++)
		if (l->slot[i].state == SLOT_EMPTY)
			return &l->slot[i];
	return NULL;
}

static void *
worker(void *arg)
{
	NnLoader *l = arg;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		Slot *s;
		int rc;
		while (!l->quit && (s = job(l)) == NULL)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->quit)
			break;
		s->state = SLOT_FILLING;
		s->batch = l->next_fill++;
		ac_err_clear(&s->err);
		pthread_mutex_unlock(&l->mu);
		rc = fill(l, s, s->batch, &s->err);
		pthread_mutex_lock(&l->mu);
		s->rc = rc;
		s->state = SLOT_READY;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void
release_held(NnLoader *l)
{
	if (l->held == NULL)
		return;
	l->held->state = SLOT_EMPTY;
	l->held = NULL;
	pthread_cond_broadcast(&l->cv);
}

/* Under mu: waits out a batch in the making (its order and epoch are about
 * to change), then sets epoch's order and lets the thread go. */
static void
start_locked(NnLoader *l, int64_t epoch)
{
	bool filling;

	l->active = false;
	release_held(l);
	do {
		filling = false;
		for (int i = 0; i < l->nslots; i++)
			filling |= l->slot[i].state == SLOT_FILLING;
		if (filling)
			pthread_cond_wait(&l->cv, &l->mu);
	} while (filling);
	for (int i = 0; i < l->nslots; i++)
		l->slot[i].state = SLOT_EMPTY;
	if (l->shuffle)
		ml_perm((int32_t)l->n, l->seed + (uint64_t)epoch, l->order, NULL);
	else
		for (int64_t i = 0; i < l->n; i++)
			l->order[i] = (int32_t)i;
	l->epoch = epoch;
	l->next_fill = l->next_take = 0;
	l->started = l->active = true;
	pthread_cond_broadcast(&l->cv);
}

NnLoader *
nn_loader_new(const NnDataset *d, const NnLoaderOptions *opt, AcErr *err)
{
	NnLoader *l;

	if (d == NULL || opt == NULL || opt->batch_size < 1 || opt->prefetch < 0 ||
	    opt->prefetch > NN_LOADER_MAX_PREFETCH) {
		ac_err_set(err, AC_EINVAL, "DataLoader: batch_size %lld, prefetch %d: want >= 1 and 0..%d",
		           opt != NULL ? (long long)opt->batch_size : 0LL, opt != NULL ? opt->prefetch : 0,
		           NN_LOADER_MAX_PREFETCH);
		return NULL;
	}
	if ((l = ac_calloc(1, sizeof *l, "DataLoader", err)) == NULL)
		return NULL;
	l->x = ml_tensor_ref(d->x);
	l->y = ml_tensor_ref(d->y);
	l->n = d->n;
	l->batch_size = opt->batch_size;
	l->shuffle = opt->shuffle;
	l->seed = opt->seed;
	l->nbatches = opt->drop_last ? l->n / l->batch_size
	                             : (l->n + l->batch_size - 1) / l->batch_size;
	l->buf_rows = l->batch_size < l->n ? l->batch_size : l->n;
	l->ndim = l->x->ndim;
	l->nstages = 1;
	memcpy(l->stage_ne[0], l->x->ne, sizeof l->stage_ne[0]);
	l->stage_ne[0][0] = l->buf_rows;
	l->nslots = opt->prefetch + 1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->order = ac_calloc(l->n > 0 ? (size_t)l->n : 1, sizeof *l->order, "DataLoader", err);
	if (l->order == NULL)
		goto fail;
	if (opt->prefetch > 0) {
		int e = pthread_create(&l->thread, NULL, worker, l);
		if (e != 0) {
			ac_err_set(err, AC_ELIMIT, "DataLoader: cannot start the prefetch thread: %s",
			           strerror(e));
			goto fail;
		}
		l->threaded = true;
	}
	return l;
fail:
	nn_loader_free(l);
	return NULL;
}

int
nn_loader_add_transform(NnLoader *l, const NnTransform *t, AcErr *err)
{
	int64_t out[ML_MAX_DIMS];
	int cur, rc;
	bool started;

	pthread_mutex_lock(&l->mu);
	started = l->started;
	pthread_mutex_unlock(&l->mu);
	if (started || l->ntf == NN_LOADER_MAX_TRANSFORMS)
		return ac_err_set(err, AC_EINVAL, "DataLoader: transforms are added before the first epoch, "
		                  "at most %d", NN_LOADER_MAX_TRANSFORMS);
	cur = l->nstages - 1;
	if ((rc = nn_transform_shape(t, l->ndim, l->stage_ne[cur], out, err)) != AC_OK)
		return rc;
	if (l->x->dtype != ML_F32)
		return ac_err_set(err, AC_EDTYPE, "DataLoader: transforms want f32 inputs, not %s",
		                  ml_dtype_name(l->x->dtype));
	l->tf[l->ntf] = *t;
	/* a crop writes a new buffer; the others work in place */
	if (t->kind == NN_RANDOM_CROP) {
		memcpy(l->stage_ne[l->nstages], out, sizeof out);
		cur = l->nstages++;
	}
	l->tf_stage[l->ntf++] = cur;
	return AC_OK;
}

int
nn_loader_epoch(NnLoader *l, int64_t epoch)
{
	if (epoch < 0)
		return AC_EINVAL;
	pthread_mutex_lock(&l->mu);
	start_locked(l, epoch);
	pthread_mutex_unlock(&l->mu);
	return AC_OK;
}

int
nn_loader_next(NnLoader *l, MlTensor **x, MlTensor **y, AcErr *err)
{
	Slot *s = NULL;

	*x = *y = NULL;
	pthread_mutex_lock(&l->mu);
	release_held(l);
	if (!l->started)
		start_locked(l, 0);
	if (l->next_take >= l->nbatches) {
		pthread_mutex_unlock(&l->mu);
		return 0;
	}
	if (!l->threaded) {
		s = &l->slot[0];
		s->batch = l->next_take;
		ac_err_clear(&s->err);
		s->rc = fill(l, s, s->batch, &s->err);
	} else {
		for (;;) {
			for (int i = 0; i < l->nslots && s == NULL; i++)
				if (l->slot[i].state == SLOT_READY && l->slot[i].batch == l->next_take)
					s = &l->slot[i];
			if (s != NULL)
				break;
			pthread_cond_wait(&l->cv, &l->mu);
		}
	}
	l->next_take++;
	s->state = SLOT_HELD;
	l->held = s;
	pthread_mutex_unlock(&l->mu);
	if (s->rc != AC_OK) {
		if (err != NULL)
			*err = s->err;
		return s->rc;
	}
	*x = s->x;
	*y = s->y;
	return 1;
}

int64_t
nn_loader_len(const NnLoader *l)
{
	return l->nbatches;
}

void
nn_loader_free(NnLoader *l)
{
	if (l == NULL)
		return;
	if (l->threaded) {
		pthread_mutex_lock(&l->mu);
		l->quit = true;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
	}
	for (int i = 0; i < NN_LOADER_MAX_PREFETCH + 1; i++) {
		Slot *s = &l->slot[i];
		for (int k = 0; k < MAX_STAGES; k++) {
			ml_tensor_unref(s->part[k]);
			ml_tensor_unref(s->full[k]);
		}
		ml_tensor_unref(s->ypart);
		ml_tensor_unref(s->yfull);
	}
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	ml_tensor_unref(l->x);
	ml_tensor_unref(l->y);
	free(l->order);
	free(l);
}
