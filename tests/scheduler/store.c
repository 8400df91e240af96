/*
 * The scheduler's internals without sockets: the SQLite store keeps jobs,
 * tokens, output (deduplicated by offset, latest attempt only; each stream
 * kept contiguous by sched_output_new) and result files, and gives back the
 * active jobs and the end of their output after a reopen; the queue runs jobs
 * by priority then id, never lets a job no node can take block the ones
 * behind it, and honours backoff; the four strategies pick the node the
 * brief says.
 */
#include "tests/test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scheduler/sched_impl.h"

#define DIR_ "build/tests/scheduler/tmp"

static Acheron__SubmitRequest
request(uint8_t *token, char **req, size_t n_req, int32_t prio)
{
	static uint8_t module[] = "not really a module";
	static char *args[] = {"a", "", "b c"};
	Acheron__SubmitRequest r = ACHERON__SUBMIT_REQUEST__INIT;

	r.module.data = module;
	r.module.len = sizeof module;
	r.module_name = "m.dis";
	r.args = args;
	r.n_args = 3;
	r.priority = prio;
	r.requires = req;
	r.n_requires = n_req;
	r.retries = 2;
	r.token.data = token;
	r.token.len = 16;
	return r;
}

static int
collect(void *arg, SchedJob *j, AcErr *err)
{
	SchedJob **v = arg;

	(void)err;
	for (int i = 0; i < 8; i++)
		if (v[i] == NULL) {
			v[i] = j;
			return AC_OK;
		}
	sched_job_free(j);
	return AC_OK;
}

typedef struct Out {
	char text[256];
} Out;

static int
gather(void *arg, uint32_t stream, const uint8_t *data, size_t len)
{
	Out *o = arg;

	strncat(o->text, stream == 2 ? "E:" : "O:", 3);
	strncat(o->text, (const char *)data, len);
	return AC_OK;
}

static void
test_store_round_trip(void **state)
{
	SchedStore *s;
	AcErr err;
	uint8_t tok1[16] = {1}, tok2[16] = {2}, sha[32] = {7};
	char *gpu[] = {"gpu", "cuda"};
	Acheron__SubmitRequest r1 = request(tok1, NULL, 0, 5), r2 = request(tok2, gpu, 2, 0);
	uint64_t id1, id2, found, ids[4], bytes;
	size_t n;
	SchedArena a = {0};
	Acheron__JobInfo *info;
	SchedJob *v[8] = {0};
	Out o = {""};
	Acheron__TaskResult res = ACHERON__TASK_RESULT__INIT;
	Acheron__ResultFile f = ACHERON__RESULT_FILE__INIT, *fs[1] = {&f};

	(void)state;
	assert_int_equal(system("rm -rf " DIR_ " && mkdir -p " DIR_), 0);
	s = sched_store_open(DIR_ "/a.db", &err);
	assert_non_null(s);
	assert_int_equal(sched_store_begin(s, &err), AC_OK);
	assert_int_equal(sched_store_token_find(s, tok1, &found, &err), 0);
	assert_int_equal(sched_store_job_insert(s, &r1, sha, 1000, &id1, &err), AC_OK);
	assert_int_equal(sched_store_job_insert(s, &r2, sha, 1001, &id2, &err), AC_OK);
	assert_true(id2 > id1);
	/* The same token again is refused by the UNIQUE constraint. */
	assert_int_equal(sched_store_job_insert(s, &r1, sha, 1002, &found, &err), AC_EIO);
	assert_int_equal(sched_store_token_find(s, tok1, &found, &err), 1);
	assert_int_equal(found, id1);
	assert_int_equal(sched_store_job_assign(s, id1, 1, "n1", &err), AC_OK);
	assert_int_equal(sched_store_output_add(s, id1, 1, 1, 0, (const uint8_t *)"old", 3, &err), 1);
	assert_int_equal(sched_store_job_assign(s, id1, 2, "n2", &err), AC_OK);
	assert_int_equal(sched_store_output_add(s, id1, 2, 1, 0, (const uint8_t *)"hello ", 6, &err), 1);
	assert_int_equal(sched_store_output_add(s, id1, 2, 2, 0, (const uint8_t *)"oops", 4, &err), 1);
	assert_int_equal(sched_store_output_add(s, id1, 2, 1, 0, (const uint8_t *)"hello ", 6, &err), 0);
	assert_int_equal(sched_store_output_add(s, id1, 2, 1, 6, (const uint8_t *)"world", 5, &err), 1);
	assert_int_equal(sched_store_commit(s, &err), AC_OK);
	assert_int_equal(sched_store_output_each(s, id1, 2, gather, &o, &err), AC_OK);
	assert_string_equal(o.text, "O:hello E:oopsO:world");
	o.text[0] = 0;
	/* Attempt 1's output was forgotten when attempt 2 was assigned. */
	assert_int_equal(sched_store_output_each(s, id1, 1, gather, &o, &err), AC_OK);
	assert_string_equal(o.text, "");
	assert_int_equal(sched_store_output_bytes(s, id1, 2, &bytes, &err), AC_OK);
	assert_int_equal(bytes, 15);
	sched_store_close(s);

	/* Reopened: both jobs are active, with what was stored. */
	s = sched_store_open(DIR_ "/a.db", &err);
	assert_non_null(s);
	assert_int_equal(sched_store_load_active(s, collect, v, &err), AC_OK);
	assert_non_null(v[0]);
	assert_non_null(v[1]);
	assert_null(v[2]);
	assert_int_equal(v[0]->id, id1);
	assert_int_equal(v[0]->state, ACHERON__JOB_STATE__JOB_RUNNING);
	assert_int_equal(v[0]->attempts, 2);
	assert_string_equal(v[0]->node_id, "n2");
	assert_int_equal(v[0]->n_args, 3);
	assert_string_equal(v[0]->args[1], "");
	assert_string_equal(v[0]->args[2], "b c");
	assert_int_equal(v[0]->priority, 5);
	assert_int_equal(v[1]->state, ACHERON__JOB_STATE__JOB_PENDING);
	assert_int_equal(v[1]->n_requires, 2);
	assert_string_equal(v[1]->requires[1], "cuda");
	assert_memory_equal(v[1]->sha, sha, 32);
	sched_job_free(v[0]);
	sched_job_free(v[1]);

	f.name = "out.txt";
	f.data.data = (uint8_t *)"result";
	f.data.len = 6;
	res.files = fs;
	res.n_files = 1;
	res.wall_ms = 12;
	assert_int_equal(sched_store_begin(s, &err), AC_OK);
	assert_int_equal(sched_store_job_started(s, id1, 5000, 250, &err), AC_OK);
	assert_int_equal(sched_store_job_finish(s, id1, ACHERON__JOB_STATE__JOB_COMPLETED, 0, "", 6000, &res, &err),
			 AC_OK);
	assert_int_equal(sched_store_commit(s, &err), AC_OK);
	assert_int_equal(sched_store_job_info(s, id1, 1, &a, &info, &err), AC_OK);
	assert_non_null(info);
	assert_int_equal(info->state, ACHERON__JOB_STATE__JOB_COMPLETED);
	assert_int_equal(info->attempts, 2);
	assert_int_equal(info->start_time_ms, 5000);
	assert_int_equal(info->end_time_ms, 6000);
	assert_int_equal(info->submit_time_ms, 1000);
	assert_int_equal(info->dispatch_us, 250);
	assert_string_equal(info->node_id, "n2");
	assert_int_equal(strlen(info->module_sha256), 64);
	assert_int_equal(info->n_files, 1);
	assert_string_equal(info->files[0]->name, "out.txt");
	assert_int_equal(info->files[0]->data.len, 6);
	sched_arena_free(&a);
	assert_int_equal(sched_store_job_info(s, id1, 0, &a, &info, &err), AC_OK);
	assert_int_equal(info->files[0]->data.len, 0);
	sched_arena_free(&a);
	assert_int_equal(sched_store_job_info(s, 999, 0, &a, &info, &err), AC_OK);
	assert_null(info);
	assert_int_equal(sched_store_job_newest(s, 4, ids, &n, &err), AC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], id2);
	{
		uint8_t *buf;
		size_t len;
		assert_int_equal(sched_store_module_get(s, sha, &buf, &len, &err), AC_OK);
		assert_int_equal(len, r1.module.len);
		free(buf);
	}
	/* Only the pending job is active now. */
	memset(v, 0, sizeof v);
	assert_int_equal(sched_store_load_active(s, collect, v, &err), AC_OK);
	assert_non_null(v[0]);
	assert_null(v[1]);
	assert_int_equal(v[0]->id, id2);
	sched_job_free(v[0]);
	free(a.p);
	sched_store_close(s);
}

static SchedNode *
node(const char *id, uint32_t slots, uint32_t running, double load, const char *caps)
{
	SchedNode *n = calloc(1, sizeof *n);
	char buf[128], *save = NULL;

	snprintf(n->id, sizeof n->id, "%s", id);
	n->idlen = strlen(id);
	n->slots = slots;
	n->running = running;
	n->load = load;
	n->caps = calloc(8, sizeof *n->caps);
	snprintf(buf, sizeof buf, "%s", caps);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		n->caps[n->n_caps++] = strdup(t);
	return n;
}

static void
test_pick(void **state)
{
	SchedNode *v[4];
	size_t rr = 0;
	unsigned seed = 1;
	char *gpu[] = {"gpu"}, *tpu[] = {"tpu"};
	int seen[4] = {0};

	(void)state;
	v[0] = node("a", 4, 2, 0.1, "");
	v[1] = node("b", 2, 0, 0.9, "gpu,cuda,avx2");
	v[2] = node("c", 4, 0, 0.5, "gpu");
	v[3] = node("d", 1, 1, 0.0, "gpu");   /* full */
	/* least-loaded: running/slot 0 on b and c, then lower load: c. */
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_LEAST_LOADED, &rr, &seed), 2);
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_UNSPECIFIED, &rr, &seed), 2);
	/* capability best fit for gpu: c has no extra capability. */
	v[2]->running = 3;
	assert_int_equal(sched_pick(v, 4, gpu, 1, ACHERON__STRATEGY__STRATEGY_CAPABILITY, &rr, &seed), 2);
	assert_int_equal(sched_pick(v, 4, gpu, 1, ACHERON__STRATEGY__STRATEGY_LEAST_LOADED, &rr, &seed), 1);
	assert_int_equal(sched_pick(v, 4, tpu, 1, ACHERON__STRATEGY__STRATEGY_LEAST_LOADED, &rr, &seed), -1);
	/* round-robin walks the open nodes, skipping the full one. */
	rr = 0;
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN, &rr, &seed), 1);
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN, &rr, &seed), 2);
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN, &rr, &seed), 0);
	assert_int_equal(sched_pick(v, 4, NULL, 0, ACHERON__STRATEGY__STRATEGY_ROUND_ROBIN, &rr, &seed), 1);
	/* draining and dead nodes take nothing. */
	v[1]->draining = 1;
	v[2]->dead = 1;
	assert_int_equal(sched_pick(v, 4, gpu, 1, ACHERON__STRATEGY__STRATEGY_CAPABILITY, &rr, &seed), -1);
	v[1]->draining = 0;
	v[2]->dead = 0;
	/* random: only open, fitting nodes, and each of them now and then. */
	for (int i = 0; i < 200; i++) {
		int k = sched_pick(v, 4, gpu, 1, ACHERON__STRATEGY__STRATEGY_RANDOM, &rr, &seed);
		assert_true(k == 1 || k == 2);
		seen[k]++;
	}
	assert_true(seen[1] > 20 && seen[2] > 20);
	for (int i = 0; i < 4; i++)
		sched_node_free(v[i]);
}

static SchedJob *
job(uint64_t id, int32_t prio, const char *req)
{
	SchedJob *j = calloc(1, sizeof *j);

	j->id = id;
	j->priority = prio;
	j->state = ACHERON__JOB_STATE__JOB_PENDING;
	j->requires = calloc(2, sizeof *j->requires);
	if (req != NULL)
		j->requires[j->n_requires++] = strdup(req);
	return j;
}

static void
test_queue_order(void **state)
{
	AcErr err;
	SchedQueue *q = sched_queue_new(&err);
	SchedNode *v[2];
	size_t rr = 0;
	unsigned seed = 1;
	int k, moved;
	SchedJob *j;
	uint64_t order[8];
	size_t n = 0;

	(void)state;
	v[0] = node("cpu", 8, 0, 0, "");
	/* 1: low; 2: high; 3: high but needs a gpu nobody has; 4: high, later. */
	SchedJob *jobs[] = {job(1, 0, NULL), job(2, 5, NULL), job(3, 9, "gpu"), job(4, 5, NULL), job(5, 1, NULL)};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(sched_queue_add(q, jobs[i], &err), AC_OK);
		assert_int_equal(sched_queue_push(q, jobs[i], i == 4 ? 1100 : 0, 1000, &err), AC_OK);
	}
	assert_int_equal(sched_queue_pending(q), 5);
	/* Job 5 waits out its backoff; job 3 no node fits, and it blocks nobody. */
	while ((j = sched_queue_next(q, v, 1, &rr, &seed, &k)) != NULL) {
		assert_int_equal(k, 0);
		order[n++] = j->id;
	}
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 4);
	assert_int_equal(order[2], 1);
	assert_int_equal(sched_queue_due(q, 1050, &moved), 1100);
	assert_int_equal(moved, 0);
	assert_int_equal(sched_queue_due(q, 1100, &moved), INT64_MAX);
	assert_int_equal(moved, 1);
	j = sched_queue_next(q, v, 1, &rr, &seed, &k);
	assert_non_null(j);
	assert_int_equal(j->id, 5);
	assert_null(sched_queue_next(q, v, 1, &rr, &seed, &k));
	/* A gpu node joins: job 3 runs there. */
	v[1] = node("g", 1, 0, 0, "gpu");
	j = sched_queue_next(q, v, 2, &rr, &seed, &k);
	assert_non_null(j);
	assert_int_equal(j->id, 3);
	assert_int_equal(k, 1);
	/* A cancelled pending job leaves the queue with it. */
	SchedJob *c = job(6, 0, NULL);
	assert_int_equal(sched_queue_add(q, c, &err), AC_OK);
	assert_int_equal(sched_queue_push(q, c, 0, 0, &err), AC_OK);
	assert_ptr_equal(sched_queue_find(q, 6), c);
	sched_queue_remove(q, c);
	assert_null(sched_queue_find(q, 6));
	assert_int_equal(sched_queue_pending(q), 0);
	assert_null(sched_queue_next(q, v, 2, &rr, &seed, &k));
	assert_int_equal(sched_queue_count(q), 5);
	sched_queue_free(q);
	sched_node_free(v[0]);
	sched_node_free(v[1]);
}

static void
test_queue_many(void **state)
{
	AcErr err;
	SchedQueue *q = sched_queue_new(&err);
	SchedNode *v[1] = {node("n", 100000, 0, 0, "")};
	size_t rr = 0;
	unsigned seed = 1;
	int k;
	SchedJob *j;
	int32_t last_prio = 1 << 30;
	uint64_t last_id = 0, count = 0;

	(void)state;
	/* Enough to grow the job table several times. */
	for (uint64_t id = 1; id <= 5000; id++) {
		j = job(id, (int32_t)(id * 7919 % 13), NULL);
		assert_int_equal(sched_queue_add(q, j, &err), AC_OK);
		assert_int_equal(sched_queue_push(q, j, 0, 0, &err), AC_OK);
	}
	for (uint64_t id = 1; id <= 5000; id += 97)
		assert_non_null(sched_queue_find(q, id));
	while ((j = sched_queue_next(q, v, 1, &rr, &seed, &k)) != NULL) {
		assert_true(j->priority < last_prio || (j->priority == last_prio && j->id > last_id));
		last_prio = j->priority;
		last_id = j->id;
		count++;
	}
	assert_int_equal(count, 5000);
	sched_queue_free(q);
	sched_node_free(v[0]);
}

/* A resent stream, cut where the node likes: only new bytes are stored,
 * and a chunk beyond what is stored (lost output) is stored after its gap. */
static void
test_output_contiguous(void **state)
{
	size_t skip;
	uint64_t gap;

	(void)state;
	/* In order. */
	assert_int_equal(sched_output_new(0, 0, 10, &skip, &gap), 10);
	assert_int_equal(skip, 0);
	assert_int_equal(gap, 0);
	assert_int_equal(sched_output_new(10, 10, 5, &skip, &gap), 5);
	assert_int_equal(skip, 0);
	/* Entirely below the mark, ending at it or before. */
	assert_int_equal(sched_output_new(10, 0, 10, &skip, &gap), 0);
	assert_int_equal(skip, 10);
	assert_int_equal(sched_output_new(10, 3, 4, &skip, &gap), 0);
	/* Overlapping the mark: the front is trimmed. */
	assert_int_equal(sched_output_new(10, 4, 10, &skip, &gap), 4);
	assert_int_equal(skip, 6);
	assert_int_equal(gap, 0);
	/* Beyond the mark: all of it, and the gap. */
	assert_int_equal(sched_output_new(10, 16, 3, &skip, &gap), 3);
	assert_int_equal(skip, 0);
	assert_int_equal(gap, 6);
}

/* The end of each stream's stored output comes back from the store (a
 * restarted scheduler's out_end). */
static void
test_output_ends(void **state)
{
	SchedStore *s;
	AcErr err;
	uint8_t tok[16] = {9}, sha[32] = {7};
	Acheron__SubmitRequest r = request(tok, NULL, 0, 0);
	uint64_t id, end[2] = {1, 1};

	(void)state;
	assert_int_equal(system("mkdir -p " DIR_ " && rm -f " DIR_ "/ends.db*"), 0);
	s = sched_store_open(DIR_ "/ends.db", &err);
	assert_non_null(s);
	assert_int_equal(sched_store_begin(s, &err), AC_OK);
	assert_int_equal(sched_store_job_insert(s, &r, sha, 1000, &id, &err), AC_OK);
	assert_int_equal(sched_store_job_assign(s, id, 1, "n1", &err), AC_OK);
	assert_int_equal(sched_store_output_ends(s, id, 1, end, &err), AC_OK);
	assert_int_equal(end[0], 0);
	assert_int_equal(end[1], 0);
	assert_int_equal(sched_store_output_add(s, id, 1, 1, 0, (const uint8_t *)"abc", 3, &err), 1);
	assert_int_equal(sched_store_output_add(s, id, 1, 1, 3, (const uint8_t *)"defg", 4, &err), 1);
	assert_int_equal(sched_store_output_add(s, id, 1, 2, 0, (const uint8_t *)"e", 1, &err), 1);
	assert_int_equal(sched_store_commit(s, &err), AC_OK);
	assert_int_equal(sched_store_output_ends(s, id, 1, end, &err), AC_OK);
	assert_int_equal(end[0], 7);
	assert_int_equal(end[1], 1);
	sched_store_close(s);
}

TEST_MAIN("scheduler store and dispatch", cmocka_unit_test(test_output_contiguous),
	  cmocka_unit_test(test_output_ends), cmocka_unit_test(test_store_round_trip), cmocka_unit_test(test_pick),
	  cmocka_unit_test(test_queue_order), cmocka_unit_test(test_queue_many))
