/* The active jobs, the pending queue in dispatch order, and the choice of a
 * node: capability matching and the four strategies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched_impl.h"

/* ------------------------------------------------------------ arena */

void *
sched_arena_alloc(SchedArena *a, size_t n)
{
	void *p;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 32;
		void **np = realloc(a->p, cap * sizeof *np);
		if (np == NULL)
			return a->failed = 1, NULL;
		a->p = np;
		a->cap = cap;
	}
	if ((p = calloc(1, n ? n : 1)) == NULL)
		return a->failed = 1, NULL;
	a->p[a->n++] = p;
	return p;
}

char *
sched_arena_strdup(SchedArena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = sched_arena_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
sched_arena_free(SchedArena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	a->n = 0;
	a->failed = 0;
}

/* ------------------------------------------------------------ jobs and nodes */

static void
free_vec(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
sched_job_free(SchedJob *j)
{
	if (j == NULL)
		return;
	free(j->name);
	free_vec(j->args, j->n_args);
	free_vec(j->requires, j->n_requires);
	free(j);
}

void
sched_node_free(SchedNode *n)
{
	if (n == NULL)
		return;
	free(n->hostname);
	free(n->version);
	free_vec(n->caps, n->n_caps);
	free(n->mods);
	free(n);
}

int
sched_node_has_module(const SchedNode *n, const uint8_t sha[32])
{
	for (size_t i = 0; i < n->n_mods; i++)
		if (memcmp(n->mods[i], sha, 32) == 0)
			return 1;
	return 0;
}

int
sched_node_add_module(SchedNode *n, const uint8_t sha[32])
{
	if (sched_node_has_module(n, sha))
		return AC_OK;
	if (n->n_mods == n->cap_mods) {
		size_t cap = n->cap_mods ? 2 * n->cap_mods : 4;
		void *p = realloc(n->mods, cap * sizeof *n->mods);
		if (p == NULL)
			return AC_ENOMEM;
		n->mods = p;
		n->cap_mods = cap;
	}
	memcpy(n->mods[n->n_mods++], sha, 32);
	return AC_OK;
}

int
sched_node_fits(const SchedNode *n, char *const *req, size_t n_req)
{
	for (size_t i = 0; i < n_req; i++) {
		size_t k = 0;
		while (k < n->n_caps && strcmp(n->caps[k], req[i]) != 0)
			k++;
		if (k == n->n_caps)
			return 0;
	}
	return 1;
}

int
sched_node_open(const SchedNode *n)
{
	return !n->dead && !n->draining && n->running < n->slots;
}

/* <0 if a is less loaded than b: running per slot (cross-multiplied, so no
 * rounding), then load average, then node id. */
static int
load_cmp(const SchedNode *a, const SchedNode *b)
{
	uint64_t x = (uint64_t)a->running * b->slots, y = (uint64_t)b->running * a->slots;

	if (x != y)
		return x < y ? -1 : 1;
	if (a->load != b->load)
		return a->load < b->load ? -1 : 1;
	return strcmp(a->id, b->id);
}

int
sched_pick(SchedNode *const *nodes, size_t n, char *const *req, size_t n_req, int strategy, size_t *rr,
	   unsigned *seed)
{
	int best = -1;
	size_t count = 0;

	switch (strategy) {
	case ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN:
		/* The first open node after the last one chosen. */
		for (size_t k = 1; k <= n; k++) {
			size_t i = (*rr + k) % n;
			if (sched_node_open(nodes[i]) && sched_node_fits(nodes[i], req, n_req)) {
				*rr = i;
				return (int)i;
			}
		}
		return -1;
	case ACHERON__STRATEGY__STRATEGY_RANDOM:
		/* Reservoir sampling: uniform over the fitting nodes in one pass. */
		for (size_t i = 0; i < n; i++)
			if (sched_node_open(nodes[i]) && sched_node_fits(nodes[i], req, n_req) &&
			    (size_t)rand_r(seed) % ++count == 0)
				best = (int)i;
		return best;
	case ACHERON__STRATEGY__STRATEGY_CAPABILITY:
		for (size_t i = 0; i < n; i++) {
			if (!sched_node_open(nodes[i]) || !sched_node_fits(nodes[i], req, n_req))
				continue;
			if (best < 0 || nodes[i]->n_caps < nodes[best]->n_caps ||
			    (nodes[i]->n_caps == nodes[best]->n_caps && load_cmp(nodes[i], nodes[best]) < 0))
				best = (int)i;
		}
		return best;
	default: /* least-loaded */
		for (size_t i = 0; i < n; i++)
			if (sched_node_open(nodes[i]) && sched_node_fits(nodes[i], req, n_req) &&
			    (best < 0 || load_cmp(nodes[i], nodes[best]) < 0))
				best = (int)i;
		return best;
	}
}

/* ------------------------------------------------------------ queue */

typedef struct Entry {
	int64_t key;      /* class heap: -priority; backoff heap: not-before ms */
	uint64_t id;
	SchedJob *job;
} Entry;

typedef struct Heap {
	Entry *e;
	size_t n, cap;
} Heap;

struct SchedClass {
	char **req;       /* sorted */
	size_t n_req;
	Heap heap;
};

struct SchedQueue {
	SchedJob **table;     /* chained by hnext */
	size_t table_size, count;
	SchedClass **cls;
	size_t n_cls, cap_cls;
	Heap backoff;
	size_t pending;       /* entries in all heaps that are live */
};

static int
entry_less(const Entry *a, const Entry *b)
{
	return a->key != b->key ? a->key < b->key : a->id < b->id;
}

static int
heap_push(Heap *h, Entry e)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		Entry *p = realloc(h->e, cap * sizeof *p);
		if (p == NULL)
			return AC_ENOMEM;
		h->e = p;
		h->cap = cap;
	}
	i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!entry_less(&e, &h->e[parent]))
			break;
		h->e[i] = h->e[parent];
		i = parent;
	}
	h->e[i] = e;
	return AC_OK;
}

static void
heap_pop(Heap *h)
{
	Entry last;
	size_t i = 0;

	if (h->n == 0)
		return;
	last = h->e[--h->n];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && entry_less(&h->e[c + 1], &h->e[c]))
			c++;
		if (!entry_less(&h->e[c], &last))
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (h->n > 0)
		h->e[i] = last;
}

SchedQueue *
sched_queue_new(AcErr *err)
{
	SchedQueue *q = ac_calloc(1, sizeof *q, "queue", err);

	if (q == NULL)
		return NULL;
	q->table_size = 1024;
	if ((q->table = ac_calloc(q->table_size, sizeof *q->table, "job table", err)) == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

void
sched_queue_free(SchedQueue *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->table_size; i++)
		for (SchedJob *j = q->table[i], *next; j != NULL; j = next) {
			next = j->hnext;
			sched_job_free(j);
		}
	for (size_t i = 0; i < q->n_cls; i++) {
		free_vec(q->cls[i]->req, q->cls[i]->n_req);
		free(q->cls[i]->heap.e);
		free(q->cls[i]);
	}
	free(q->cls);
	free(q->backoff.e);
	free(q->table);
	free(q);
}

static size_t
slot(const SchedQueue *q, uint64_t id)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 20) & (q->table_size - 1);
}

int
sched_queue_add(SchedQueue *q, SchedJob *j, AcErr *err)
{
	if (q->count >= q->table_size) {
		size_t size = 2 * q->table_size, old = q->table_size;
		SchedJob **t = ac_calloc(size, sizeof *t, "job table", err), **ot = q->table;
		if (t == NULL)
			return err->code;
		q->table = t;
		q->table_size = size;
		for (size_t i = 0; i < old; i++)
			for (SchedJob *x = ot[i], *next; x != NULL; x = next) {
				size_t k = slot(q, x->id);
				next = x->hnext;
				x->hnext = t[k];
				t[k] = x;
			}
		free(ot);
	}
	size_t k = slot(q, j->id);
	j->hnext = q->table[k];
	q->table[k] = j;
	q->count++;
	return AC_OK;
}

SchedJob *
sched_queue_find(SchedQueue *q, uint64_t id)
{
	for (SchedJob *j = q->table[slot(q, id)]; j != NULL; j = j->hnext)
		if (j->id == id)
			return j;
	return NULL;
}

/* Heap entries point at jobs; an entry is live only while its job is in
 * the table, queued and PENDING. A removed job's entries are purged from
 * its heaps so no entry ever points at freed memory. */
static void
purge(Heap *h, const SchedJob *j)
{
	size_t k = 0;

	for (size_t i = 0; i < h->n; i++)
		if (h->e[i].job != j)
			h->e[k++] = h->e[i];
	if (k == h->n)
		return;
	h->n = k;
	/* Rebuild the heap order (rare: cancelled pending jobs only). */
	for (size_t i = h->n / 2; i-- > 0;) {
		size_t p = i;
		Entry e = h->e[p];
		for (;;) {
			size_t c = 2 * p + 1;
			if (c >= h->n)
				break;
			if (c + 1 < h->n && entry_less(&h->e[c + 1], &h->e[c]))
				c++;
			if (!entry_less(&h->e[c], &e))
				break;
			h->e[p] = h->e[c];
			p = c;
		}
		h->e[p] = e;
	}
}

void
sched_queue_remove(SchedQueue *q, SchedJob *j)
{
	SchedJob **pp = &q->table[slot(q, j->id)];

	while (*pp != NULL && *pp != j)
		pp = &(*pp)->hnext;
	if (*pp == NULL)
		return;
	*pp = j->hnext;
	q->count--;
	if (j->queued) {
		if (j->cls != NULL)
			purge(&j->cls->heap, j);
		purge(&q->backoff, j);
		q->pending--;
	}
	sched_job_free(j);
}

size_t
sched_queue_count(const SchedQueue *q)
{
	return q->count;
}

size_t
sched_queue_pending(const SchedQueue *q)
{
	return q->pending;
}

void
sched_queue_each(SchedQueue *q, void (*f)(SchedJob *, void *), void *arg)
{
	for (size_t i = 0; i < q->table_size; i++)
		for (SchedJob *j = q->table[i], *next; j != NULL; j = next) {
			next = j->hnext;
			f(j, arg);
		}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The class of jobs needing exactly req (a set: order and repeats do not matter). */
static SchedClass *
class_of(SchedQueue *q, char *const *req, size_t n_req, AcErr *err)
{
	char **sorted = calloc(n_req + 1, sizeof *sorted);
	size_t n = 0;
	SchedClass *c;

	if (sorted == NULL)
		return ac_err_set(err, AC_ENOMEM, "out of memory for a job class"), NULL;
	for (size_t i = 0; i < n_req; i++)
		sorted[n++] = req[i];
	qsort(sorted, n, sizeof *sorted, str_cmp);
	{
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (k == 0 || strcmp(sorted[k - 1], sorted[i]) != 0)
				sorted[k++] = sorted[i];
		n = k;
	}
	for (size_t i = 0; i < q->n_cls; i++) {
		c = q->cls[i];
		if (c->n_req != n)
			continue;
		size_t k = 0;
		while (k < n && strcmp(c->req[k], sorted[k]) == 0)
			k++;
		if (k == n) {
			free(sorted);
			return c;
		}
	}
	if (q->n_cls == q->cap_cls) {
		size_t cap = q->cap_cls ? 2 * q->cap_cls : 8;
		SchedClass **p = realloc(q->cls, cap * sizeof *p);
		if (p == NULL)
			goto nomem;
		q->cls = p;
		q->cap_cls = cap;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if ((sorted[i] = strdup(sorted[i])) == NULL) {
			free_vec(sorted, i);
			free(c);
			return ac_err_set(err, AC_ENOMEM, "out of memory for a job class"), NULL;
		}
	c->req = sorted;
	c->n_req = n;
	q->cls[q->n_cls++] = c;
	return c;
nomem:
	free(sorted);
	return ac_err_set(err, AC_ENOMEM, "out of memory for a job class"), NULL;
}

int
sched_queue_push(SchedQueue *q, SchedJob *j, int64_t not_before_ms, int64_t now_ms, AcErr *err)
{
	Entry e = {.id = j->id, .job = j};

	if (j->queued)
		return AC_OK;
	if (j->cls == NULL && (j->cls = class_of(q, j->requires, j->n_requires, err)) == NULL)
		return err->code;
	if (not_before_ms > now_ms) {
		e.key = not_before_ms;
		if (heap_push(&q->backoff, e) != AC_OK)
			return ac_err_set(err, AC_ENOMEM, "out of memory queueing job %llu", (unsigned long long)j->id);
	} else {
		e.key = -(int64_t)j->priority;
		if (heap_push(&j->cls->heap, e) != AC_OK)
			return ac_err_set(err, AC_ENOMEM, "out of memory queueing job %llu", (unsigned long long)j->id);
	}
	j->queued = 1;
	q->pending++;
	return AC_OK;
}

int64_t
sched_queue_due(SchedQueue *q, int64_t now_ms, int *moved)
{
	*moved = 0;
	while (q->backoff.n > 0 && q->backoff.e[0].key <= now_ms) {
		Entry e = q->backoff.e[0];
		heap_pop(&q->backoff);
		e.key = -(int64_t)e.job->priority;
		if (heap_push(&e.job->cls->heap, e) != AC_OK) {
			/* Keep it deferred a little longer rather than lose it. */
			e.key = now_ms + 10;
			heap_push(&q->backoff, e);
			break;
		}
		(*moved)++;
	}
	return q->backoff.n > 0 ? q->backoff.e[0].key : INT64_MAX;
}

/* 1 if some open node fits the class. */
static int
class_runnable(const SchedClass *c, SchedNode *const *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sched_node_open(nodes[i]) && sched_node_fits(nodes[i], c->req, c->n_req))
			return 1;
	return 0;
}

SchedJob *
sched_queue_next(SchedQueue *q, SchedNode *const *nodes, size_t n, size_t *rr, unsigned *seed, int *node_index)
{
	SchedClass *best = NULL;
	SchedJob *j;

	for (size_t i = 0; i < q->n_cls; i++) {
		SchedClass *c = q->cls[i];
		if (c->heap.n == 0 || !class_runnable(c, nodes, n))
			continue;
		if (best == NULL || entry_less(&c->heap.e[0], &best->heap.e[0]))
			best = c;
	}
	if (best == NULL)
		return NULL;
	j = best->heap.e[0].job;
	heap_pop(&best->heap);
	j->queued = 0;
	q->pending--;
	*node_index = sched_pick(nodes, n, j->requires, j->n_requires, j->strategy, rr, seed);
	return j;
}

char **
sched_strv_dup(char **v, size_t n)
{
	char **out = calloc(n + 1, sizeof *out);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((out[i] = strdup(v[i])) == NULL) {
			while (i-- > 0)
				free(out[i]);
			free(out);
			return NULL;
		}
	return out;
}

int
sched_jobvec_push(SchedJobVec *v, SchedJob *j)
{
	if (v->k == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		SchedJob **p = realloc(v->v, cap * sizeof *p);
		if (p == NULL)
			return -1;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->k++] = j;
	return 0;
}
