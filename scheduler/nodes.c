/* What nodes say to the broker: Register (with restart recovery of the
 * tasks it holds), Heartbeat, Disconnect, TaskStarted, TaskOutput and
 * TaskResult (stored, then acked: exactly once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched_impl.h"

/* Peers told Disconnect lately (Sched.told). A node answers each Disconnect with a
 * Register listing what it holds at that moment; answering every message it
 * had queued (results, heartbeats sent while the scheduler was away) would
 * make it register many times, and a Register racing a TaskAssign still in
 * flight would requeue a task the node is about to run. So one Disconnect
 * per peer per heartbeat interval. */
static void
send_disconnect(Sched *s, const uint8_t *id, size_t idlen, const char *reason)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__Disconnect d = ACHERON__DISCONNECT__INIT;
	int64_t now = ac_clock_ms();

	SchedTold *t = s->told;

	for (size_t i = 0; i < SCHED_DISCONNECT_MEMORY; i++)
		if (t[i].idlen == idlen && memcmp(t[i].id, id, idlen) == 0 && now - t[i].at_ms < (int64_t)s->heartbeat_ms)
			return;
	t = &s->told[s->told_next];
	memcpy(t->id, id, idlen);
	t->idlen = idlen;
	t->at_ms = now;
	s->told_next = (s->told_next + 1) % SCHED_DISCONNECT_MEMORY;
	d.reason = (char *)reason;
	m.body_case = ACHERON__MSG__BODY_DISCONNECT;
	m.disconnect = &d;
	sched_out(s, id, idlen, &m, 0);
}

static void
send_cancel(Sched *s, SchedNode *n, uint64_t job_id, uint32_t attempt)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__TaskCancel c = ACHERON__TASK_CANCEL__INIT;

	c.job_id = job_id;
	c.attempt = attempt;
	m.body_case = ACHERON__MSG__BODY_TASK_CANCEL;
	m.task_cancel = &c;
	sched_out_node(s, n, &m);
}

static void
send_ack(Sched *s, SchedNode *n, uint64_t job_id, uint32_t attempt)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__ResultAck a = ACHERON__RESULT_ACK__INIT;

	a.job_id = job_id;
	a.attempt = attempt;
	m.body_case = ACHERON__MSG__BODY_RESULT_ACK;
	m.result_ack = &a;
	sched_out_node(s, n, &m);
}

/* ------------------------------------------------------------ register */

typedef struct RegArg {
	SchedNode *n;
	uint32_t stamp;
	int pass;              /* 0: detach from n; 1: collect the ones not held */
	SchedJobVec jobs;
} RegArg;

static void
reg_visit(SchedJob *j, void *arg)
{
	RegArg *a = arg;

	if (a->pass == 0) {
		if (j->node == a->n)
			j->node = NULL;
		return;
	}
	if (j->state != ACHERON__JOB_STATE__JOB_RUNNING || j->mark == a->stamp || strcmp(j->node_id, a->n->id) != 0)
		return;
	sched_jobvec_push(&a->jobs, j);
}

static void
on_register(Sched *s, ProtoIn *in, SchedNode *n)
{
	const Acheron__Register *r = in->msg->register_;
	static uint32_t stamp;
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__Registered reg = ACHERON__REGISTERED__INIT;
	RegArg a = {0};
	char **caps;
	char *host, *ver;
	int fresh = n == NULL;

	if (strlen(r->node_id) != in->idlen || memcmp(r->node_id, in->id, in->idlen) != 0) {
		char who[2 * PROTO_MAX_ID + 1];
		proto_id_str(in->id, in->idlen, who);
		ac_log(AC_LOG_WARN, "refused register from %s: node_id %s is not its routing id", who, r->node_id);
		return;
	}
	if (fresh) {
		SchedNode **p;
		if (s->n_nodes >= SCHED_MAX_NODES) {
			ac_log(AC_LOG_WARN, "refused register from %s: %d nodes already", r->node_id, SCHED_MAX_NODES);
			return;
		}
		if (s->n_nodes == s->cap_nodes) {
			size_t cap = s->cap_nodes ? 2 * s->cap_nodes : 16;
			if ((p = realloc(s->nodes, cap * sizeof *p)) == NULL)
				goto nomem;
			s->nodes = p;
			s->cap_nodes = cap;
		}
		if ((n = calloc(1, sizeof *n)) == NULL)
			goto nomem;
		memcpy(n->id, in->id, in->idlen);
		n->idlen = in->idlen;
		s->nodes[s->n_nodes++] = n;
	}
	caps = sched_strv_dup(r->capabilities, r->n_capabilities);
	host = strdup(r->hostname != NULL ? r->hostname : "");
	ver = strdup(r->version != NULL ? r->version : "");
	if (caps == NULL || host == NULL || ver == NULL) {
		free(host);
		free(ver);
		if (caps != NULL)
			for (size_t i = 0; i < r->n_capabilities; i++)
				free(caps[i]);
		free(caps);
		goto nomem;
	}
	for (size_t i = 0; i < n->n_caps; i++)
		free(n->caps[i]);
	free(n->caps);
	free(n->hostname);
	free(n->version);
	n->caps = caps;
	n->n_caps = r->n_capabilities;
	n->hostname = host;
	n->version = ver;
	n->cores = r->cores;
	n->memory_bytes = r->memory_bytes;
	n->gpus = r->gpus;
	n->slots = r->slots;
	n->has_key = r->public_key.len == 32;
	if (n->has_key)
		memcpy(n->public_key, r->public_key.data, 32);
	n->insecure = r->insecure;
	n->dead = 0;
	n->last_seen_ms = ac_clock_ms();
	n->n_mods = 0;  /* module bytes go again with the first task of each */

	reg.heartbeat_ms = s->heartbeat_ms;
	reg.liveness = s->liveness;
	m.body_case = ACHERON__MSG__BODY_REGISTERED;
	m.registered = &reg;
	sched_out_node(s, n, &m);
	ac_log(AC_LOG_INFO, "node %s registered (%s, %u slots, %zu capabilities, %zu held tasks%s)", n->id,
	       n->hostname, n->slots, n->n_caps, r->n_held, n->insecure ? ", INSECURE" : "");

	/* Which of its tasks are still its tasks. */
	a.n = n;
	a.stamp = ++stamp;
	a.pass = 0;
	sched_queue_each(s->q, reg_visit, &a);
	n->running = 0;
	for (size_t i = 0; i < r->n_held; i++) {
		SchedJob *j = sched_queue_find(s->q, r->held[i]->job_id);
		if (j != NULL && j->state == ACHERON__JOB_STATE__JOB_RUNNING && j->attempts == r->held[i]->attempt &&
		    strcmp(j->node_id, n->id) == 0 && j->mark != a.stamp) {
			j->node = n;
			j->grace_ms = 0;
			j->mark = a.stamp;
			n->running++;
		} else {
			ac_log(AC_LOG_DEBUG, "node %s holds job %llu attempt %u it should not: cancel", n->id,
			       (unsigned long long)r->held[i]->job_id, r->held[i]->attempt);
			send_cancel(s, n, r->held[i]->job_id, r->held[i]->attempt);
		}
	}
	a.pass = 1;
	sched_queue_each(s->q, reg_visit, &a);
	for (size_t i = 0; i < a.jobs.k; i++) {
		char why[128];
		snprintf(why, sizeof why, "node %s restarted without the task", n->id);
		sched_job_lost(s, a.jobs.v[i], why);
	}
	free(a.jobs.v);
	s->dirty = 1;
	return;
nomem:
	ac_log(AC_LOG_ERROR, "out of memory registering node %s", r->node_id);
}

/* ------------------------------------------------------------ tasks */

/* The job if (job_id, attempt) is the current attempt and runs on n. */
static SchedJob *
current(Sched *s, SchedNode *n, uint64_t job_id, uint32_t attempt)
{
	SchedJob *j = sched_queue_find(s->q, job_id);

	if (j == NULL || j->state != ACHERON__JOB_STATE__JOB_RUNNING || j->attempts != attempt || j->node != n)
		return NULL;
	return j;
}

static void
on_result(Sched *s, SchedNode *n, const Acheron__TaskResult *r)
{
	SchedJob *j = current(s, n, r->job_id, r->attempt);
	int state;
	char err[SCHED_MAX_REASON_BYTES];

	if (j == NULL) {
		/* Duplicate or stale (already final, requeued, cancelled): ack, ignore. */
		send_ack(s, n, r->job_id, r->attempt);
		return;
	}
	/* The node's words, bounded: the reason `status` shows. */
	sched_reason_clean(r->error, err, sizeof err);
	switch (r->status) {
	case ACHERON__TASK_STATUS__TASK_MODULE_MISSING:
		/* Not an attempt: send the task again, with the module's bytes. */
		send_ack(s, n, r->job_id, r->attempt);
		sched_assign_send(s, j, n, 1);
		return;
	case ACHERON__TASK_STATUS__TASK_EXITED:
		state = r->exit_code == 0 ? ACHERON__JOB_STATE__JOB_COMPLETED : ACHERON__JOB_STATE__JOB_FAILED;
		if (state == ACHERON__JOB_STATE__JOB_COMPLETED)
			err[0] = 0;
		else if (!err[0])
			snprintf(err, sizeof err, "exit status %d", (int)r->exit_code);
		break;
	case ACHERON__TASK_STATUS__TASK_TIMEOUT:
		state = ACHERON__JOB_STATE__JOB_TIMED_OUT;
		if (!err[0])
			snprintf(err, sizeof err, "timeout after %u ms", j->timeout_ms);
		break;
	case ACHERON__TASK_STATUS__TASK_CANCELLED:
		state = ACHERON__JOB_STATE__JOB_CANCELLED;
		break;
	case ACHERON__TASK_STATUS__TASK_KILLED:
		state = ACHERON__JOB_STATE__JOB_FAILED;
		if (!err[0])
			snprintf(err, sizeof err, "killed by signal %d", r->signal);
		break;
	case ACHERON__TASK_STATUS__TASK_REFUSED:
		state = ACHERON__JOB_STATE__JOB_FAILED;
		if (!err[0])
			snprintf(err, sizeof err, "refused by node %s", n->id);
		break;
	default: /* START_FAILED */
		state = ACHERON__JOB_STATE__JOB_FAILED;
		if (!err[0])
			snprintf(err, sizeof err, "could not start on node %s", n->id);
		break;
	}
	sched_job_finish(s, j, state, r->status == ACHERON__TASK_STATUS__TASK_KILLED ? 128 + r->signal : r->exit_code,
			 err, r);
	send_ack(s, n, r->job_id, r->attempt);
}

/* Each stream is stored contiguously from offset 0, and only what is new:
 * after a scheduler restart a node resends its tasks' whole output, cut into
 * chunks that need not match the ones stored before. */
static void
on_output(Sched *s, SchedNode *n, const Acheron__TaskOutput *o)
{
	SchedJob *j = current(s, n, o->job_id, o->attempt);
	uint64_t *have, gap;
	size_t skip, len;
	int rc;

	/* The protocol layer admits streams 1 and 2 only. */
	if (j == NULL || o->data.len == 0 || o->stream < 1 || o->stream > 2)
		return;
	have = &j->out_end[o->stream - 1];
	if ((len = sched_output_new(*have, o->offset, o->data.len, &skip, &gap)) == 0)
		return;
	if (j->out_warned)
		return;
	if (j->out_bytes + len > SCHED_MAX_OUTPUT_BYTES) {
		/* Kept up to the bound, then nothing more, so what is kept
		 * stays a prefix of each stream. */
		ac_log(AC_LOG_WARN, "job %llu: output beyond %llu bytes dropped", (unsigned long long)j->id,
		       (unsigned long long)SCHED_MAX_OUTPUT_BYTES);
		j->out_warned = 1;
		if ((len = (size_t)(SCHED_MAX_OUTPUT_BYTES - j->out_bytes)) == 0)
			return;
	}
	if (sched_tx(s) != AC_OK)
		return;
	rc = sched_store_output_add(s->db, j->id, o->attempt, o->stream, o->offset + skip, o->data.data + skip, len,
				    &s->err);
	if (rc < 0) {
		ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
		return;
	}
	if (rc == 1) {
		if (gap != 0)
			ac_log(AC_LOG_WARN, "job %llu: %llu bytes of %s lost before offset %llu",
			       (unsigned long long)j->id, (unsigned long long)gap, o->stream == 1 ? "stdout" : "stderr",
			       (unsigned long long)o->offset);
		*have = o->offset + skip + len;
		j->out_bytes += len;
		sched_watch_output(s, j, o->stream, o->data.data + skip, len);
	}
}

void
sched_on_node(Sched *s, ProtoIn *in)
{
	const Acheron__Msg *m = in->msg;
	SchedNode *n = sched_node_find(s, (const char *)in->id, in->idlen);

	if (m->body_case == ACHERON__MSG__BODY_REGISTER) {
		on_register(s, in, n);
		return;
	}
	if (n == NULL || n->dead) {
		char who[2 * PROTO_MAX_ID + 1];
		if (m->body_case == ACHERON__MSG__BODY_DISCONNECT)
			return;
		proto_id_str(in->id, in->idlen, who);
		ac_log(AC_LOG_DEBUG, "%s from unregistered %s: disconnect", proto_body_name(m->body_case), who);
		send_disconnect(s, in->id, in->idlen, "not registered");
		return;
	}
	n->last_seen_ms = ac_clock_ms();
	switch (m->body_case) {
	case ACHERON__MSG__BODY_HEARTBEAT:
		n->load = m->heartbeat->load;
		break;
	case ACHERON__MSG__BODY_DISCONNECT: {
		char why[160];
		char reason[64];
		sched_reason_clean(m->disconnect->reason, reason, sizeof reason);
		snprintf(why, sizeof why, "node %s disconnected (%s)", n->id, reason);
		sched_node_dead(s, n, why);
		break;
	}
	case ACHERON__MSG__BODY_TASK_STARTED: {
		SchedJob *j = current(s, n, m->task_started->job_id, m->task_started->attempt);
		/* 0 means unknown (submitted before a restart); a measured 0 reads 1. */
		uint64_t us = j != NULL && j->submit_ns != 0 ? (uint64_t)(ac_clock_ns() - j->submit_ns) / 1000u + 1 : 0;
		if (j != NULL && sched_tx(s) == AC_OK &&
		    sched_store_job_started(s->db, j->id, sched_unix_ms(), us, &s->err) != AC_OK)
			ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
		break;
	}
	case ACHERON__MSG__BODY_TASK_OUTPUT:
		on_output(s, n, m->task_output);
		break;
	case ACHERON__MSG__BODY_TASK_RESULT:
		on_result(s, n, m->task_result);
		break;
	default:
		break;
	}
}
