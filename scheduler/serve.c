/* The broker loop: one ROUTER and the ZAP handler in one zmq_poll; each
 * batch of ready messages is handled in one SQLite transaction and what it
 * answers is sent only after COMMIT (group commit with an outbox), so a
 * scheduler killed at any moment has told no peer anything it forgets.
 * Timers (heartbeats, dead nodes, requeue backoff, restart grace) run on the
 * monotonic clock and set the poll timeout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "scheduler/sched_impl.h"

uint64_t
sched_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
sched_tx(Sched *s)
{
	int rc;

	if (s->in_tx)
		return AC_OK;
	if ((rc = sched_store_begin(s->db, &s->err)) != AC_OK) {
		ac_log(AC_LOG_ERROR, "%s", s->err.msg);
		return rc;
	}
	s->in_tx = 1;
	return AC_OK;
}

/* ------------------------------------------------------------ outbox */

void
sched_out(Sched *s, const uint8_t *id, size_t idlen, Acheron__Msg *m, int client)
{
	SchedOut *o;
	size_t n;

	m->version = PROTO_VERSION;
	if (s->arena.failed) {
		ac_log(AC_LOG_ERROR, "out of memory building %s", proto_body_name(m->body_case));
		goto done;
	}
	if (s->n_out == s->cap_out) {
		size_t cap = s->cap_out ? 2 * s->cap_out : 256;
		SchedOut *p = realloc(s->out, cap * sizeof *p);
		if (p == NULL)
			goto nomem;
		s->out = p;
		s->cap_out = cap;
	}
	o = &s->out[s->n_out];
	n = acheron__msg__get_packed_size(m);
	if ((o->buf = malloc(n ? n : 1)) == NULL)
		goto nomem;
	o->len = acheron__msg__pack(m, o->buf);
	o->idlen = idlen > PROTO_MAX_ID ? PROTO_MAX_ID : idlen;
	memcpy(o->id, id, o->idlen);
	o->client = client;
	s->n_out++;
	goto done;
nomem:
	ac_log(AC_LOG_ERROR, "out of memory queueing %s", proto_body_name(m->body_case));
done:
	sched_arena_free(&s->arena);
}

void
sched_out_node(Sched *s, SchedNode *n, Acheron__Msg *m)
{
	n->last_sent_ms = ac_clock_ms();
	sched_out(s, (const uint8_t *)n->id, n->idlen, m, 0);
}

static void
zfree(void *data, void *hint)
{
	(void)hint;
	free(data);
}

/* Sends what the committed batch produced. A client that went away
 * (ROUTER_MANDATORY: EHOSTUNREACH) loses its waiters; a node that went away
 * is found by its heartbeats. */
static void
flush(Sched *s)
{
	for (size_t i = 0; i < s->n_out; i++) {
		SchedOut *o = &s->out[i];
		zmq_msg_t m;
		int ok = zmq_send(s->router, o->id, o->idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0;
		if (ok) {
			zmq_msg_init_data(&m, o->buf, o->len, zfree, NULL);
			o->buf = NULL;
			ok = zmq_msg_send(&m, s->router, ZMQ_DONTWAIT) >= 0;
			if (!ok)
				zmq_msg_close(&m);
		}
		if (!ok) {
			char who[2 * PROTO_MAX_ID + 1];
			proto_id_str(o->id, o->idlen, who);
			ac_log(AC_LOG_DEBUG, "send to %s: %s", who, zmq_strerror(errno));
			if (o->client)
				sched_watch_drop_peer(s, o->id, o->idlen);
		}
		free(o->buf);
	}
	s->n_out = 0;
}

/* Commits the batch, then sends its answers. If the commit fails the
 * answers are dropped: peers resend (clients retry, nodes resend results). */
static int
commit_flush(Sched *s)
{
	if (s->in_tx) {
		s->in_tx = 0;
		if (sched_store_commit(s->db, &s->err) != AC_OK) {
			ac_log(AC_LOG_ERROR, "commit: %s", s->err.msg);
			for (size_t i = 0; i < s->n_out; i++)
				free(s->out[i].buf);
			s->n_out = 0;
			return AC_EIO;
		}
	}
	flush(s);
	return AC_OK;
}

/* ------------------------------------------------------------ watchers */

static void
watch_remove(Sched *s, size_t i)
{
	SchedJob *j = sched_queue_find(s->q, s->watch[i].job_id);

	if (j != NULL && j->watchers > 0)
		j->watchers--;
	s->watch[i] = s->watch[--s->n_watch];
}

void
sched_watch_drop_peer(Sched *s, const uint8_t *id, size_t idlen)
{
	for (size_t i = s->n_watch; i-- > 0;)
		if (s->watch[i].idlen == idlen && memcmp(s->watch[i].id, id, idlen) == 0)
			watch_remove(s, i);
}

void
sched_watch_output(Sched *s, SchedJob *j, uint32_t stream, const uint8_t *data, size_t len)
{
	if (j->watchers == 0)
		return;
	for (size_t i = 0; i < s->n_watch; i++) {
		SchedWatch *w = &s->watch[i];
		Acheron__Msg m = ACHERON__MSG__INIT;
		Acheron__LogChunk c = ACHERON__LOG_CHUNK__INIT;
		if (w->job_id != j->id || !w->follow)
			continue;
		c.job_id = j->id;
		c.attempt = j->attempts;
		c.stream = stream;
		c.data.data = (uint8_t *)data;
		c.data.len = len;
		m.request_id = w->request_id;
		m.body_case = ACHERON__MSG__BODY_LOG_CHUNK;
		m.log_chunk = &c;
		sched_out(s, w->id, w->idlen, &m, 1);
	}
}

void
sched_watch_final(Sched *s, uint64_t job_id)
{
	Acheron__JobInfo *info = NULL;

	for (size_t i = s->n_watch; i-- > 0;) {
		SchedWatch *w = &s->watch[i];
		Acheron__Msg m = ACHERON__MSG__INIT;
		Acheron__LogChunk c = ACHERON__LOG_CHUNK__INIT;
		Acheron__StatusReply r = ACHERON__STATUS_REPLY__INIT;
		if (w->job_id != job_id)
			continue;
		m.request_id = w->request_id;
		if (w->follow) {
			c.job_id = job_id;
			c.end = 1;
			m.body_case = ACHERON__MSG__BODY_LOG_CHUNK;
			m.log_chunk = &c;
		} else {
			if (sched_store_job_info(s->db, job_id, 0, &s->arena, &info, &s->err) != AC_OK || info == NULL) {
				ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)job_id, s->err.msg);
				sched_arena_free(&s->arena);
				continue;
			}
			r.n_jobs = 1;
			r.jobs = &info;
			m.body_case = ACHERON__MSG__BODY_STATUS_REPLY;
			m.status_reply = &r;
		}
		sched_out(s, w->id, w->idlen, &m, 1);
		watch_remove(s, i);
	}
}

/* ------------------------------------------------------------ jobs */

static const char *
state_name(int st)
{
	switch (st) {
	case ACHERON__JOB_STATE__JOB_PENDING: return "PENDING";
	case ACHERON__JOB_STATE__JOB_RUNNING: return "RUNNING";
	case ACHERON__JOB_STATE__JOB_COMPLETED: return "COMPLETED";
	case ACHERON__JOB_STATE__JOB_FAILED: return "FAILED";
	case ACHERON__JOB_STATE__JOB_CANCELLED: return "CANCELLED";
	case ACHERON__JOB_STATE__JOB_TIMED_OUT: return "TIMED_OUT";
	case ACHERON__JOB_STATE__JOB_NODE_FAIL: return "NODE_FAIL";
	default: return "?";
	}
}

static void
detach(Sched *s, SchedJob *j)
{
	if (j->node != NULL) {
		if (j->node->running > 0)
			j->node->running--;
		j->node = NULL;
		s->dirty = 1;
	}
}

void
sched_job_finish(Sched *s, SchedJob *j, int state, int32_t exit_code, const char *error,
		 const Acheron__TaskResult *r)
{
	uint64_t id = j->id;
	char reason[SCHED_MAX_REASON_BYTES];

	/* Every reason is stored bounded, whoever wrote it. */
	sched_reason_clean(error, reason, sizeof reason);
	error = reason;
	if (sched_tx(s) != AC_OK)
		return;
	if (sched_store_job_finish(s->db, id, state, exit_code, error, sched_unix_ms(), r, &s->err) != AC_OK) {
		ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)id, s->err.msg);
		return;
	}
	ac_log(AC_LOG_INFO, "job %llu finished: %s%s%s (node %s, attempt %u, exit %d)", (unsigned long long)id,
	       state_name(state), error != NULL && *error ? ": " : "", error != NULL ? error : "",
	       j->node_id[0] ? j->node_id : "-", j->attempts, exit_code);
	detach(s, j);
	if (j->grace_ms != 0)
		j->grace_ms = 0;
	sched_queue_remove(s->q, j);
	sched_watch_final(s, id);
}

void
sched_job_lost(Sched *s, SchedJob *j, const char *why)
{
	int64_t now = ac_clock_ms(), backoff;
	uint32_t losses = j->attempts;

	detach(s, j);
	j->grace_ms = 0;
	if (j->attempts >= j->retries + 1) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s (node lost %u times)", why, losses);
		sched_job_finish(s, j, ACHERON__JOB_STATE__JOB_NODE_FAIL, 0, msg, NULL);
		return;
	}
	if (sched_tx(s) != AC_OK)
		return;
	if (sched_store_job_requeue(s->db, j->id, &s->err) != AC_OK) {
		ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
		return;
	}
	j->state = ACHERON__JOB_STATE__JOB_PENDING;
	backoff = SCHED_BACKOFF_BASE_MS;
	for (uint32_t i = 1; i < losses && backoff < SCHED_BACKOFF_MAX_MS; i++)
		backoff *= 2;
	if (backoff > SCHED_BACKOFF_MAX_MS)
		backoff = SCHED_BACKOFF_MAX_MS;
	ac_log(AC_LOG_INFO, "job %llu requeued after attempt %u (%s), retry in %lld ms", (unsigned long long)j->id,
	       j->attempts, why, (long long)backoff);
	if (sched_queue_push(s->q, j, now + backoff, now, &s->err) != AC_OK)
		ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
}

void
sched_assign_send(Sched *s, SchedJob *j, SchedNode *n, int force_module)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__TaskAssign a = ACHERON__TASK_ASSIGN__INIT;
	Acheron__Limits l = ACHERON__LIMITS__INIT;
	uint8_t *mod = NULL;
	size_t len = 0;

	if (force_module || !sched_node_has_module(n, j->sha)) {
		if (sched_store_module_get(s->db, j->sha, &mod, &len, &s->err) != AC_OK) {
			ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
			return;
		}
		sched_node_add_module(n, j->sha);
	}
	a.job_id = j->id;
	a.attempt = j->attempts;
	a.module_sha256.data = j->sha;
	a.module_sha256.len = 32;
	a.module.data = mod;
	a.module.len = len;
	a.module_name = j->name;
	a.args = j->args;
	a.n_args = j->n_args;
	l.memory_bytes = j->mem_bytes;
	l.cpu_ms = j->cpu_ms;
	l.max_files = j->max_files;
	l.file_bytes = j->file_bytes;
	l.timeout_ms = j->timeout_ms;
	a.limits = &l;
	a.priority = j->priority;
	m.body_case = ACHERON__MSG__BODY_TASK_ASSIGN;
	m.task_assign = &a;
	sched_out_node(s, n, &m);
	free(mod);
}

/* Assigns every pending job that an open node can take. */
static void
dispatch(Sched *s)
{
	SchedJob *j;
	int k;

	s->dirty = 0;
	while ((j = sched_queue_next(s->q, s->nodes, s->n_nodes, &s->rr, &s->seed, &k)) != NULL) {
		SchedNode *n;
		if (k < 0) {
			/* Cannot happen (the class check and the pick agree); keep the job. */
			sched_queue_push(s->q, j, 0, 0, &s->err);
			break;
		}
		n = s->nodes[k];
		if (sched_tx(s) != AC_OK ||
		    sched_store_job_assign(s->db, j->id, j->attempts + 1, n->id, &s->err) != AC_OK) {
			ac_log(AC_LOG_ERROR, "job %llu: %s", (unsigned long long)j->id, s->err.msg);
			sched_queue_push(s->q, j, ac_clock_ms() + 1000, ac_clock_ms(), &s->err);
			break;
		}
		j->attempts++;
		j->state = ACHERON__JOB_STATE__JOB_RUNNING;
		snprintf(j->node_id, sizeof j->node_id, "%s", n->id);
		j->node = n;
		j->out_bytes = 0;
		j->out_end[0] = j->out_end[1] = 0;
		j->out_warned = 0;
		n->running++;
		sched_assign_send(s, j, n, 0);
	}
}

/* ------------------------------------------------------------ nodes */

SchedNode *
sched_node_find(Sched *s, const char *id, size_t idlen)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i]->idlen == idlen && memcmp(s->nodes[i]->id, id, idlen) == 0)
			return s->nodes[i];
	return NULL;
}

typedef struct LostArg {
	Sched *s;
	SchedNode *n;
	SchedJobVec jobs;
} LostArg;

static void
collect_on_node(SchedJob *j, void *arg)
{
	LostArg *a = arg;

	if (j->node != a->n || j->state != ACHERON__JOB_STATE__JOB_RUNNING)
		return;
	sched_jobvec_push(&a->jobs, j);
}

void
sched_node_dead(Sched *s, SchedNode *n, const char *why)
{
	LostArg a = {.s = s, .n = n};

	if (n->dead)
		return;
	n->dead = 1;
	n->dead_since_ms = ac_clock_ms();
	ac_log(AC_LOG_INFO, "node %s dead: %s", n->id, why);
	/* Collected first: requeueing may finish (and free) jobs. */
	sched_queue_each(s->q, collect_on_node, &a);
	for (size_t i = 0; i < a.jobs.k; i++)
		sched_job_lost(s, a.jobs.v[i], why);
	free(a.jobs.v);
	n->running = 0;
}

/* ------------------------------------------------------------ timers */

typedef struct GraceArg {
	int64_t now, next;
	SchedJob **v;
	size_t k, cap;
} GraceArg;

static void
collect_grace(SchedJob *j, void *arg)
{
	GraceArg *g = arg;

	if (j->grace_ms == 0)
		return;
	if (j->grace_ms > g->now) {
		if (j->grace_ms < g->next)
			g->next = j->grace_ms;
		return;
	}
	if (g->k == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		SchedJob **p = realloc(g->v, cap * sizeof *p);
		if (p == NULL)
			return;
		g->v = p;
		g->cap = cap;
	}
	g->v[g->k++] = j;
}

/* Runs what is due and returns the next deadline (monotonic ms). */
static int64_t
timers(Sched *s, int64_t now)
{
	int64_t next = INT64_MAX, dead_after = (int64_t)s->heartbeat_ms * s->liveness;
	int moved;

	for (size_t i = 0; i < s->n_nodes; i++) {
		SchedNode *n = s->nodes[i];
		if (n->dead) {
			if (now - n->dead_since_ms >= SCHED_DEAD_KEEP_MS) {
				sched_node_free(n);
				s->nodes[i--] = s->nodes[--s->n_nodes];
				continue;
			}
			if (n->dead_since_ms + SCHED_DEAD_KEEP_MS < next)
				next = n->dead_since_ms + SCHED_DEAD_KEEP_MS;
			continue;
		}
		if (now - n->last_seen_ms >= dead_after) {
			char why[160];
			snprintf(why, sizeof why, "node %s missed heartbeats (nothing heard for %lld ms)", n->id,
				 (long long)(now - n->last_seen_ms));
			sched_node_dead(s, n, why);
			continue;
		}
		if (n->last_seen_ms + dead_after < next)
			next = n->last_seen_ms + dead_after;
		if (now - n->last_sent_ms >= (int64_t)s->heartbeat_ms) {
			Acheron__Msg m = ACHERON__MSG__INIT;
			Acheron__Heartbeat hb = ACHERON__HEARTBEAT__INIT;
			m.body_case = ACHERON__MSG__BODY_HEARTBEAT;
			m.heartbeat = &hb;
			sched_out_node(s, n, &m);
		}
		if (n->last_sent_ms + (int64_t)s->heartbeat_ms < next)
			next = n->last_sent_ms + s->heartbeat_ms;
	}
	if (s->grace_ms != 0) {
		GraceArg g = {.now = now, .next = INT64_MAX};
		sched_queue_each(s->q, collect_grace, &g);
		for (size_t i = 0; i < g.k; i++) {
			ac_log(AC_LOG_INFO, "job %llu: node %s did not come back after the restart",
			       (unsigned long long)g.v[i]->id, g.v[i]->node_id);
			char why[160];
			snprintf(why, sizeof why, "node %s did not come back after a scheduler restart", g.v[i]->node_id);
			sched_job_lost(s, g.v[i], why);
		}
		free(g.v);
		s->grace_ms = g.next == INT64_MAX ? 0 : g.next;
		if (s->grace_ms != 0 && s->grace_ms < next)
			next = s->grace_ms;
	}
	{
		int64_t b = sched_queue_due(s->q, now, &moved);
		if (moved)
			s->dirty = 1;
		if (b < next)
			next = b;
	}
	return next;
}

/* ------------------------------------------------------------ start-up */

typedef struct LoadArg {
	Sched *s;
	int64_t grace;
	size_t pending, running;
} LoadArg;

static int
load_job(void *arg, SchedJob *j, AcErr *err)
{
	LoadArg *a = arg;
	int rc;

	if ((rc = sched_queue_add(a->s->q, j, err)) != AC_OK) {
		sched_job_free(j);
		return rc;
	}
	if (j->state == ACHERON__JOB_STATE__JOB_RUNNING) {
		/* Its node may still run it: wait for the node to re-register. */
		j->grace_ms = a->grace;
		a->s->grace_ms = a->grace;
		a->running++;
		/* Its node resends the whole output: what is stored is not again. */
		if ((rc = sched_store_output_bytes(a->s->db, j->id, j->attempts, &j->out_bytes, err)) != AC_OK)
			return rc;
		return sched_store_output_ends(a->s->db, j->id, j->attempts, j->out_end, err);
	}
	a->pending++;
	return sched_queue_push(a->s->q, j, 0, 0, err);
}

static void
sched_free(Sched *s)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		sched_node_free(s->nodes[i]);
	free(s->nodes);
	for (size_t i = 0; i < s->n_out; i++)
		free(s->out[i].buf);
	free(s->out);
	free(s->watch);
	sched_arena_free(&s->arena);
	free(s->arena.p);
	sched_queue_free(s->q);
	sched_store_close(s->db);
}

/* Writes the endpoint clients should use: a wildcard bind is reachable on
 * the loopback address. */
static int
publish_endpoint(const SchedOptions *o, const char *bound, AcErr *err)
{
	char ep[600], line[610];
	const char *any = strstr(bound, "0.0.0.0");

	if (any != NULL)
		snprintf(ep, sizeof ep, "%.*s127.0.0.1%s", (int)(any - bound), bound, any + 7);
	else
		snprintf(ep, sizeof ep, "%s", bound);
	fprintf(stderr, "dis-sched: serving on %s\n", ep);
	if (o->endpoint_file == NULL)
		return AC_OK;
	snprintf(line, sizeof line, "%s\n", ep);
	return ac_file_write_atomic(o->endpoint_file, line, strlen(line), err);
}

/* ------------------------------------------------------------ one scheduler per database */

/* Takes the lock on DB.lock (flock: the kernel drops it when the process
 * ends, however it ends) and writes this pid there for the message a second
 * scheduler prints. A separate file, so a refused scheduler never opens the
 * database itself (SQLite would let two writers in, one at a time, and
 * both would dispatch the same jobs). Returns the lock's descriptor or -1. */
static int
lock_db(const char *db, AcErr *err)
{
	char path[4200], buf[32], pid[32];
	int fd;
	ssize_t k;

	if ((size_t)snprintf(path, sizeof path, "%s.lock", db) >= sizeof path)
		return ac_err_set(err, AC_EINVAL, "%s: path too long", db), -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno)), -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		k = e == EWOULDBLOCK ? pread(fd, buf, sizeof buf - 1, 0) : -1;
		close(fd);
		if (e != EWOULDBLOCK)
			return ac_err_set(err, AC_EIO, "%s: lock: %s", path, strerror(e)), -1;
		buf[k > 0 ? k : 0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		return ac_err_set(err, AC_EIO, "%s: in use by another scheduler (pid %s)", db, buf[0] ? buf : "?"),
		       -1;
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		ac_log(AC_LOG_WARN, "%s: pid not written: %s", path, strerror(errno));
	return fd;
}

/* ------------------------------------------------------------ the loop */

static void
handle(Sched *s, ProtoIn *in)
{
	switch (in->msg->body_case) {
	case ACHERON__MSG__BODY_REGISTER:
	case ACHERON__MSG__BODY_HEARTBEAT:
	case ACHERON__MSG__BODY_DISCONNECT:
	case ACHERON__MSG__BODY_TASK_STARTED:
	case ACHERON__MSG__BODY_TASK_OUTPUT:
	case ACHERON__MSG__BODY_TASK_RESULT:
		sched_on_node(s, in);
		break;
	case ACHERON__MSG__BODY_SUBMIT:
	case ACHERON__MSG__BODY_STATUS:
	case ACHERON__MSG__BODY_WAIT:
	case ACHERON__MSG__BODY_LOGS:
	case ACHERON__MSG__BODY_CANCEL:
	case ACHERON__MSG__BODY_NODES:
	case ACHERON__MSG__BODY_DRAIN:
		sched_on_client(s, in);
		break;
	default: {
		char who[2 * PROTO_MAX_ID + 1];
		proto_id_str(in->id, in->idlen, who);
		ac_log(AC_LOG_WARN, "dropped unexpected %s from %s", proto_body_name(in->msg->body_case), who);
	}
	}
}

int
sched_serve(const SchedOptions *o, volatile sig_atomic_t *stop, AcErr *err)
{
	Sched sc, *s = &sc;
	void *ctx = NULL, *zap = NULL;
	ProtoAllow *allow = NULL;
	ProtoCert cert;
	char bound[512];
	int rc = AC_OK, lock;
	int64_t now;
	LoadArg la = {.s = s};

	memset(s, 0, sizeof *s);
	s->o = o;
	s->heartbeat_ms = o->heartbeat_ms ? o->heartbeat_ms : 1000;
	s->liveness = o->liveness ? o->liveness : 3;
	s->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (proto_cert_load(&cert, o->cert, err) != AC_OK)
		return err->code;
	if (!cert.has_secret)
		return ac_err_set(err, AC_EINVAL, "%s: no secret key (use NAME.curve, not NAME.curve.pub)", o->cert);
	if (o->require_signed && o->trust == NULL)
		return ac_err_set(err, AC_EINVAL, "--require-signed needs --trust DIR");
	if ((lock = lock_db(o->db, err)) < 0)
		return err->code;
	if ((allow = proto_allow_load(o->allow, err)) == NULL) {
		close(lock);
		return err->code;
	}
	if (proto_allow_count(allow) == 0)
		ac_log(AC_LOG_WARN, "%s: no *.curve.pub keys: every node and client will be refused", o->allow);
	if (o->trust != NULL && (s->trust = dis_trust_load(o->trust, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	if ((s->db = sched_store_open(o->db, err)) == NULL || (s->q = sched_queue_new(err)) == NULL) {
		rc = err->code;
		goto done;
	}
	/* Start-up recovery: PENDING jobs are queued; RUNNING ones wait
	 * liveness * interval for their node to re-register holding them. */
	la.grace = ac_clock_ms() + (int64_t)s->heartbeat_ms * s->liveness;
	if ((rc = sched_store_load_active(s->db, load_job, &la, err)) != AC_OK)
		goto done;
	if (la.pending || la.running)
		ac_log(AC_LOG_INFO, "recovered %zu pending and %zu running jobs from %s", la.pending, la.running, o->db);
	if ((ctx = zmq_ctx_new()) == NULL) {
		rc = ac_err_set(err, AC_EIO, "zmq_ctx_new: %s", zmq_strerror(errno));
		goto done;
	}
	/* ZAP must be bound before the CURVE server socket exists. */
	if ((zap = proto_zap_open(ctx, err)) == NULL ||
	    (s->router = proto_server_socket(ctx, o->bind, &cert, bound, sizeof bound, err)) == NULL) {
		rc = err->code;
		goto done;
	}
	if ((rc = publish_endpoint(o, bound, err)) != AC_OK)
		goto done;
	s->dirty = 1;

	while (!*stop) {
		zmq_pollitem_t items[2] = {{zap, 0, ZMQ_POLLIN, 0}, {s->router, 0, ZMQ_POLLIN, 0}};
		int64_t next, timeout;
		int n;

		now = ac_clock_ms();
		next = timers(s, now);
		if (s->dirty)
			dispatch(s);
		if (commit_flush(s) != AC_OK) {
			/* The database refused: drop this batch's effects from memory by
			 * reloading is not possible here; stop rather than diverge. */
			rc = ac_err_set(err, AC_EIO, "%s", s->err.msg);
			break;
		}
		now = ac_clock_ms();
		timeout = next == INT64_MAX ? SCHED_POLL_MAX_MS : next - now;
		if (timeout < 0)
			timeout = 0;
		if (timeout > SCHED_POLL_MAX_MS)
			timeout = SCHED_POLL_MAX_MS;
		n = zmq_poll(items, 2, (long)timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ac_err_set(err, AC_EIO, "zmq_poll: %s", zmq_strerror(errno));
			break;
		}
		if (items[0].revents & ZMQ_POLLIN)
			for (int k = 0; k < 64; k++) {
				zmq_pollitem_t z = {zap, 0, ZMQ_POLLIN, 0};
				if (zmq_poll(&z, 1, 0) <= 0)
					break;
				proto_zap_handle(zap, allow);
			}
		if (!(items[1].revents & ZMQ_POLLIN))
			continue;
		for (int k = 0; k < SCHED_BATCH_MSGS; k++) {
			ProtoIn in;
			AcErr e;
			int r = proto_recv(s->router, 1, &in, &e);
			if (r == AC_ETIMEOUT)
				break;
			if (r != AC_OK) {
				char who[2 * PROTO_MAX_ID + 1];
				proto_id_str(in.id, in.idlen, who);
				ac_log(AC_LOG_WARN, "dropped malformed message from %s: %s", who, e.msg);
				continue;
			}
			s->batch_ns = ac_clock_ns();
			handle(s, &in);
			proto_in_free(&in);
		}
	}
	if (s->in_tx && commit_flush(s) != AC_OK && rc == AC_OK)
		rc = ac_err_set(err, AC_EIO, "%s", s->err.msg);
done:
	if (s->router != NULL)
		zmq_close(s->router);
	if (zap != NULL)
		zmq_close(zap);
	if (ctx != NULL)
		zmq_ctx_term(ctx);
	proto_allow_free(allow);
	dis_trust_free(s->trust);
	sched_free(s);
	/* Last: the database is closed (sched_free) before another may open it. */
	close(lock);
	return rc;
}
