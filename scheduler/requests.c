/* What clients ask the broker: Submit, Status, Wait, Logs, Cancel, Nodes,
 * Drain. Every answer echoes the request's request_id and goes to the
 * client's routing id (after the batch commits). */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "scheduler/sched_impl.h"

#define STATUS_MAX 100000 /* most jobs one Status lists */

static void
answer(Sched *s, ProtoIn *in, Acheron__Msg *m)
{
	m->request_id = in->msg->request_id;
	sched_out(s, in->id, in->idlen, m, 1);
}

static void
reply(Sched *s, ProtoIn *in, int ok, uint32_t code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
reply(Sched *s, ProtoIn *in, int ok, uint32_t code, const char *fmt, ...)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__Reply r = ACHERON__REPLY__INIT;
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	r.ok = ok;
	r.code = code;
	r.error = text;
	m.body_case = ACHERON__MSG__BODY_REPLY;
	m.reply = &r;
	answer(s, in, &m);
}

static void
not_found(Sched *s, ProtoIn *in, uint64_t id)
{
	reply(s, in, 0, 1, "job %llu not found", (unsigned long long)id);
}

static void
store_error(Sched *s, ProtoIn *in)
{
	ac_log(AC_LOG_ERROR, "%s", s->err.msg);
	reply(s, in, 0, 3, "scheduler database error");
}

/* ------------------------------------------------------------ submit */

static void
on_submit(Sched *s, ProtoIn *in)
{
	const Acheron__SubmitRequest *r = in->msg->submit;
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__SubmitReply sr = ACHERON__SUBMIT_REPLY__INIT;
	uint8_t sha[32];
	uint64_t id;
	int rc;
	SchedJob *j;
	char name[256];
	AcErr e;

	/* The client checked too, but a client is anyone with an allowed key:
	 * what is queued is checked here, with this scheduler's policy. */
	sched_reason_clean(r->module_name != NULL && r->module_name[0] ? r->module_name : "module", name, sizeof name);
	if (sched_module_check(r->module.data, r->module.len, name, s->o->require_signed ? s->trust : NULL, &e) !=
	    AC_OK) {
		ac_log(AC_LOG_INFO, "submit refused: %s", e.msg);
		return reply(s, in, 0, 3, "%s", e.msg);
	}
	if (sched_tx(s) != AC_OK)
		return store_error(s, in);
	if ((rc = sched_store_token_find(s->db, r->token.data, &id, &s->err)) < 0)
		return store_error(s, in);
	if (rc == 0) {
		crypto_hash_sha256(sha, r->module.data, r->module.len);
		if ((j = calloc(1, sizeof *j)) == NULL)
			goto nomem;
		j->state = ACHERON__JOB_STATE__JOB_PENDING;
		j->submit_ns = s->batch_ns;
		j->priority = r->priority;
		j->strategy = r->strategy;
		j->retries = r->retries;
		j->name = strdup(r->module_name != NULL ? r->module_name : "");
		j->args = sched_strv_dup(r->args, r->n_args);
		j->n_args = r->n_args;
		j->requires = sched_strv_dup(r->requires, r->n_requires);
		j->n_requires = r->n_requires;
		memcpy(j->sha, sha, 32);
		if (r->limits != NULL) {
			j->mem_bytes = r->limits->memory_bytes;
			j->cpu_ms = r->limits->cpu_ms;
			j->max_files = r->limits->max_files;
			j->file_bytes = r->limits->file_bytes;
			j->timeout_ms = r->limits->timeout_ms;
		}
		if (j->name == NULL || j->args == NULL || j->requires == NULL) {
			sched_job_free(j);
			goto nomem;
		}
		if (sched_store_job_insert(s->db, r, sha, sched_unix_ms(), &id, &s->err) != AC_OK) {
			sched_job_free(j);
			return store_error(s, in);
		}
		j->id = id;
		if (sched_queue_add(s->q, j, &s->err) != AC_OK) {
			sched_job_free(j);
			goto nomem;
		}
		if (sched_queue_push(s->q, j, 0, 0, &s->err) != AC_OK)
			goto nomem;
		s->dirty = 1;
		ac_log(AC_LOG_DEBUG, "job %llu submitted (%s, priority %d)", (unsigned long long)id, j->name,
		       j->priority);
	}
	sr.job_id = id;
	m.body_case = ACHERON__MSG__BODY_SUBMIT_REPLY;
	m.submit_reply = &sr;
	answer(s, in, &m);
	return;
nomem:
	/* The job row (if written) stays PENDING in the store and is queued at
	 * the next start; the client hears that this submit failed. */
	ac_log(AC_LOG_ERROR, "out of memory queueing a job");
	reply(s, in, 0, 3, "scheduler out of memory");
}

/* ------------------------------------------------------------ status, wait */

static void
status_reply(Sched *s, ProtoIn *in, Acheron__JobInfo **jobs, size_t n)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__StatusReply r = ACHERON__STATUS_REPLY__INIT;

	r.jobs = jobs;
	r.n_jobs = n;
	m.body_case = ACHERON__MSG__BODY_STATUS_REPLY;
	m.status_reply = &r;
	answer(s, in, &m);
}

static void
on_status(Sched *s, ProtoIn *in)
{
	const Acheron__StatusRequest *r = in->msg->status;
	Acheron__JobInfo *one, **v;
	uint64_t *ids;
	size_t n = 0, k = 0;
	uint32_t limit = r->limit ? r->limit : SCHED_STATUS_LIMIT;

	if (r->job_id != 0) {
		if (sched_store_job_info(s->db, r->job_id, r->with_files, &s->arena, &one, &s->err) != AC_OK) {
			sched_arena_free(&s->arena);
			return store_error(s, in);
		}
		if (one == NULL) {
			sched_arena_free(&s->arena);
			return not_found(s, in, r->job_id);
		}
		return status_reply(s, in, &one, 1);
	}
	if (limit > STATUS_MAX)
		limit = STATUS_MAX;
	ids = malloc(limit * sizeof *ids);
	v = sched_arena_alloc(&s->arena, limit * sizeof *v);
	if (ids == NULL || v == NULL) {
		free(ids);
		sched_arena_free(&s->arena);
		return reply(s, in, 0, 3, "scheduler out of memory");
	}
	if (sched_store_job_newest(s->db, limit, ids, &n, &s->err) != AC_OK) {
		free(ids);
		sched_arena_free(&s->arena);
		return store_error(s, in);
	}
	for (size_t i = 0; i < n; i++)
		if (sched_store_job_info(s->db, ids[i], r->with_files, &s->arena, &v[k], &s->err) == AC_OK &&
		    v[k] != NULL)
			k++;
	free(ids);
	status_reply(s, in, v, k);
}

/* Finds (client, job, kind) among the watchers or adds it. */
static int
watch_add(Sched *s, ProtoIn *in, SchedJob *j, int follow)
{
	SchedWatch *w;

	for (size_t i = 0; i < s->n_watch; i++) {
		w = &s->watch[i];
		if (w->job_id == j->id && w->follow == follow && w->idlen == in->idlen &&
		    memcmp(w->id, in->id, in->idlen) == 0) {
			/* A resent Wait: answer the newest request. */
			w->request_id = in->msg->request_id;
			return AC_OK;
		}
	}
	if (s->n_watch >= SCHED_MAX_WATCHERS)
		return AC_ENOMEM;
	if (s->n_watch == s->cap_watch) {
		size_t cap = s->cap_watch ? 2 * s->cap_watch : 64;
		SchedWatch *p = realloc(s->watch, cap * sizeof *p);
		if (p == NULL)
			return AC_ENOMEM;
		s->watch = p;
		s->cap_watch = cap;
	}
	w = &s->watch[s->n_watch++];
	memcpy(w->id, in->id, in->idlen);
	w->idlen = in->idlen;
	w->job_id = j->id;
	w->request_id = in->msg->request_id;
	w->follow = follow;
	j->watchers++;
	return AC_OK;
}

static void
on_wait(Sched *s, ProtoIn *in)
{
	uint64_t id = in->msg->wait->job_id;
	SchedJob *j = sched_queue_find(s->q, id);
	Acheron__JobInfo *info;

	if (j != NULL) {
		if (watch_add(s, in, j, 0) != AC_OK)
			reply(s, in, 0, 3, "too many waiting clients (%d)", SCHED_MAX_WATCHERS);
		return;
	}
	if (sched_store_job_info(s->db, id, 0, &s->arena, &info, &s->err) != AC_OK) {
		sched_arena_free(&s->arena);
		return store_error(s, in);
	}
	if (info == NULL) {
		sched_arena_free(&s->arena);
		return not_found(s, in, id);
	}
	status_reply(s, in, &info, 1);
}

/* ------------------------------------------------------------ logs */

typedef struct ChunkArg {
	Sched *s;
	ProtoIn *in;
	uint64_t job_id;
	uint32_t attempt;
} ChunkArg;

static int
send_chunk(void *arg, uint32_t stream, const uint8_t *data, size_t len)
{
	ChunkArg *a = arg;
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__LogChunk c = ACHERON__LOG_CHUNK__INIT;

	c.job_id = a->job_id;
	c.attempt = a->attempt;
	c.stream = stream;
	c.data.data = (uint8_t *)data;
	c.data.len = len;
	m.body_case = ACHERON__MSG__BODY_LOG_CHUNK;
	m.log_chunk = &c;
	answer(a->s, a->in, &m);
	return AC_OK;
}

static void
on_logs(Sched *s, ProtoIn *in)
{
	const Acheron__LogsRequest *r = in->msg->logs;
	SchedJob *j = sched_queue_find(s->q, r->job_id);
	Acheron__JobInfo *info;
	uint32_t attempt;
	ChunkArg ca = {s, in, r->job_id, 0};
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__LogChunk end = ACHERON__LOG_CHUNK__INIT;

	if (j != NULL) {
		attempt = j->attempts;
	} else {
		if (sched_store_job_info(s->db, r->job_id, 0, &s->arena, &info, &s->err) != AC_OK) {
			sched_arena_free(&s->arena);
			return store_error(s, in);
		}
		if (info == NULL) {
			sched_arena_free(&s->arena);
			return not_found(s, in, r->job_id);
		}
		attempt = info->attempts;
		sched_arena_free(&s->arena);
	}
	ca.attempt = attempt;
	if (attempt > 0 && sched_store_output_each(s->db, r->job_id, attempt, send_chunk, &ca, &s->err) != AC_OK)
		return store_error(s, in);
	if (j != NULL && r->follow && watch_add(s, in, j, 1) == AC_OK)
		return;
	end.job_id = r->job_id;
	end.end = 1;
	m.body_case = ACHERON__MSG__BODY_LOG_CHUNK;
	m.log_chunk = &end;
	answer(s, in, &m);
}

/* ------------------------------------------------------------ cancel */

static const char *
final_name(int st)
{
	switch (st) {
	case ACHERON__JOB_STATE__JOB_COMPLETED: return "COMPLETED";
	case ACHERON__JOB_STATE__JOB_FAILED: return "FAILED";
	case ACHERON__JOB_STATE__JOB_CANCELLED: return "CANCELLED";
	case ACHERON__JOB_STATE__JOB_TIMED_OUT: return "TIMED_OUT";
	case ACHERON__JOB_STATE__JOB_NODE_FAIL: return "NODE_FAIL";
	default: return "finished";
	}
}

static void
on_cancel(Sched *s, ProtoIn *in)
{
	uint64_t id = in->msg->cancel->job_id;
	SchedJob *j = sched_queue_find(s->q, id);
	Acheron__JobInfo *info;

	if (j == NULL) {
		int st;
		if (sched_store_job_info(s->db, id, 0, &s->arena, &info, &s->err) != AC_OK) {
			sched_arena_free(&s->arena);
			return store_error(s, in);
		}
		if (info == NULL) {
			sched_arena_free(&s->arena);
			return not_found(s, in, id);
		}
		st = info->state;
		sched_arena_free(&s->arena);
		return reply(s, in, 0, 3, "job %llu already finished (%s)", (unsigned long long)id, final_name(st));
	}
	if (j->state == ACHERON__JOB_STATE__JOB_RUNNING && j->node != NULL) {
		Acheron__Msg m = ACHERON__MSG__INIT;
		Acheron__TaskCancel c = ACHERON__TASK_CANCEL__INIT;
		c.job_id = j->id;
		c.attempt = j->attempts;
		m.body_case = ACHERON__MSG__BODY_TASK_CANCEL;
		m.task_cancel = &c;
		sched_out_node(s, j->node, &m);
	}
	sched_job_finish(s, j, ACHERON__JOB_STATE__JOB_CANCELLED, 0, "cancelled", NULL);
	reply(s, in, 1, 0, "%s", "");
}

/* ------------------------------------------------------------ nodes, drain */

static void
on_nodes(Sched *s, ProtoIn *in)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__NodesReply r = ACHERON__NODES_REPLY__INIT;
	int64_t now = ac_clock_ms();
	SchedArena *a = &s->arena;

	r.nodes = sched_arena_alloc(a, (s->n_nodes + 1) * sizeof *r.nodes);
	for (size_t i = 0; r.nodes != NULL && i < s->n_nodes; i++) {
		SchedNode *n = s->nodes[i];
		Acheron__NodeInfo *ni = sched_arena_alloc(a, sizeof *ni);
		if (ni == NULL)
			break;
		acheron__node_info__init(ni);
		ni->node_id = n->id;
		ni->hostname = n->hostname;
		ni->state = n->dead ? ACHERON__NODE_STATE__NODE_DEAD
			  : n->draining ? ACHERON__NODE_STATE__NODE_DRAINING
			  : n->running > 0 ? ACHERON__NODE_STATE__NODE_BUSY
					   : ACHERON__NODE_STATE__NODE_IDLE;
		ni->capabilities = n->caps;
		ni->n_capabilities = n->n_caps;
		ni->cores = n->cores;
		ni->memory_bytes = n->memory_bytes;
		ni->gpus = n->gpus;
		ni->slots = n->slots;
		ni->running = n->running;
		ni->load = n->load;
		ni->last_seen_ms_ago = (uint64_t)(now - n->last_seen_ms);
		ni->version = n->version;
		ni->insecure = n->insecure;
		if (n->has_key && (ni->public_key = sched_arena_alloc(a, PROTO_KEY_Z85 + 1)) != NULL)
			zmq_z85_encode(ni->public_key, n->public_key, 32);
		r.nodes[r.n_nodes++] = ni;
	}
	m.body_case = ACHERON__MSG__BODY_NODES_REPLY;
	m.nodes_reply = &r;
	answer(s, in, &m);
}

static void
on_drain(Sched *s, ProtoIn *in)
{
	const Acheron__DrainRequest *r = in->msg->drain;
	SchedNode *n = sched_node_find(s, r->node_id, strlen(r->node_id));

	if (n == NULL)
		return reply(s, in, 0, 1, "node %s not found", r->node_id);
	if (r->resume) {
		if (n->draining)
			ac_log(AC_LOG_INFO, "node %s resumed", n->id);
		n->draining = 0;
		s->dirty = 1;
	} else {
		if (!n->draining)
			ac_log(AC_LOG_INFO, "node %s drained (%u tasks still running)", n->id, n->running);
		n->draining = 1;
	}
	reply(s, in, 1, 0, "%s", "");
}

void
sched_on_client(Sched *s, ProtoIn *in)
{
	switch (in->msg->body_case) {
	case ACHERON__MSG__BODY_SUBMIT: on_submit(s, in); break;
	case ACHERON__MSG__BODY_STATUS: on_status(s, in); break;
	case ACHERON__MSG__BODY_WAIT: on_wait(s, in); break;
	case ACHERON__MSG__BODY_LOGS: on_logs(s, in); break;
	case ACHERON__MSG__BODY_CANCEL: on_cancel(s, in); break;
	case ACHERON__MSG__BODY_NODES: on_nodes(s, in); break;
	case ACHERON__MSG__BODY_DRAIN: on_drain(s, in); break;
	default: break;
	}
}
