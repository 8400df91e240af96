/*
 * The node's connection to the scheduler and its poll loop: registration,
 * heartbeats both ways, liveness, reconnect with doubling backoff (the
 * ZeroMQ guide's Paranoid Pirate worker), and dispatch of what the
 * scheduler sends to task.c. One zmq_poll waits on the socket, the tasks'
 * output pipes and a signalfd that reports exited children, so the loop
 * never stalls on any of them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "node/node_impl.h"

#define POLL_CAP_MS 100   /* longest poll: how soon *stop is seen at worst */
#define MAX_POLL_ITEMS (2 + 2 * 4096)

/* ------------------------------------------------------------ sending */

int
node_send(Node *n, Acheron__Msg *m)
{
	AcErr err;

	if (n->state == NODE_DOWN || n->sock == NULL)
		return AC_EIO;
	if (proto_send(n->sock, NULL, 0, m, &err) != AC_OK) {
		ac_log(AC_LOG_DEBUG, "dis-node: send %s: %s", proto_body_name(m->body_case), err.msg);
		return err.code;
	}
	n->last_send_ms = ac_clock_ms();
	return AC_OK;
}

static void
send_register(Node *n)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__Register r = ACHERON__REGISTER__INIT;
	Acheron__TaskRef *refs = NULL, **held = NULL;
	size_t k = 0, cap = 0;

	for (NodeTask *t = n->tasks; t != NULL; t = t->next)
		cap++;
	if (cap > 0) {
		refs = calloc(cap, sizeof *refs);
		held = calloc(cap, sizeof *held);
	}
	for (NodeTask *t = n->tasks; t != NULL && refs != NULL && held != NULL; t = t->next) {
		if (t->state == TASK_DONE && !t->listed)
			continue;
		acheron__task_ref__init(&refs[k]);
		refs[k].job_id = t->job_id;
		refs[k].attempt = t->attempt;
		held[k] = &refs[k];
		k++;
	}
	r.node_id = n->id;
	r.hostname = n->hostname;
	r.capabilities = n->caps;
	r.n_capabilities = n->ncaps;
	r.cores = n->si.cores;
	r.memory_bytes = n->si.memory_bytes;
	r.gpus = n->si.gpus;
	r.slots = n->slots;
	r.version = NODE_VERSION;
	r.public_key.data = n->public_key;
	r.public_key.len = sizeof n->public_key;
	r.held = held;
	r.n_held = k;
	r.insecure = n->trust == NULL;
	m.body_case = ACHERON__MSG__BODY_REGISTER;
	m.register_ = &r;
	n->state = NODE_REGISTERING;
	n->register_ms = ac_clock_ms();
	node_send(n, &m);
	ac_log(AC_LOG_DEBUG, "dis-node: register sent to %s (%zu held)", n->o->endpoint, k);
	free(refs);
	free(held);
}

static void
send_heartbeat(Node *n)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__Heartbeat h = ACHERON__HEARTBEAT__INIT;
	double load[1];

	h.running = n->running;
	if (getloadavg(load, 1) == 1)
		h.load = load[0];
	m.body_case = ACHERON__MSG__BODY_HEARTBEAT;
	m.heartbeat = &h;
	node_send(n, &m);
}

/* ------------------------------------------------------------ the connection */

static int
connect_socket(Node *n, AcErr *err)
{
	n->sock = proto_client_socket(n->ctx, n->o->endpoint, &n->cert, n->server_pub, n->id, err);
	if (n->sock == NULL)
		return err->code;
	n->last_recv_ms = ac_clock_ms();
	send_register(n);
	return AC_OK;
}

static void
close_socket(Node *n)
{
	if (n->sock != NULL)
		zmq_close(n->sock);
	n->sock = NULL;
	n->state = NODE_DOWN;
}

/* Paranoid Pirate: a scheduler silent for liveness intervals is dead; the
 * node drops the socket and tries again after an interval that doubles up
 * to NODE_MAX_BACKOFF_MS. */
static void
declare_dead(Node *n, int64_t now)
{
	/* A refused certificate looks like silence (ZAP closes the handshake),
	 * so say what to check when not even Register was answered. */
	ac_log(AC_LOG_WARN, "dis-node: scheduler %s silent for %lld ms: declared dead; reconnecting in %u ms%s",
	       n->o->endpoint, (long long)(now - n->last_recv_ms), n->backoff_ms,
	       n->state == NODE_READY ? ""
				      : " (no answer to Register: is the scheduler running there, with this --server-key,"
					" and this node's .curve.pub in its allow directory?)");
	close_socket(n);
	n->reconnect_at_ms = now + n->backoff_ms;
	n->backoff_ms = n->backoff_ms * 2 > NODE_MAX_BACKOFF_MS ? NODE_MAX_BACKOFF_MS : n->backoff_ms * 2;
}

static void
handle(Node *n, Acheron__Msg *m)
{
	switch (m->body_case) {
	case ACHERON__MSG__BODY_REGISTERED:
		n->heartbeat_ms = m->registered->heartbeat_ms;
		n->liveness = m->registered->liveness;
		if (n->state != NODE_READY) {
			n->state = NODE_READY;
			n->backoff_ms = n->heartbeat_ms;
			ac_log(AC_LOG_INFO, "dis-node: %s registered with %s", n->id, n->o->endpoint);
			node_task_resend(n);
		}
		break;
	case ACHERON__MSG__BODY_HEARTBEAT:
		break;
	case ACHERON__MSG__BODY_DISCONNECT:
		/* While registering, a Disconnect answers something sent before
		 * the Register (the scheduler handles messages in order): the
		 * Register itself is still on its way. */
		if (n->state == NODE_REGISTERING)
			break;
		ac_log(AC_LOG_INFO, "dis-node: scheduler says disconnect (%s); registering again",
		       m->disconnect->reason != NULL ? m->disconnect->reason : "");
		send_register(n);
		break;
	case ACHERON__MSG__BODY_TASK_ASSIGN:
		node_task_assign(n, m->task_assign);
		break;
	case ACHERON__MSG__BODY_TASK_CANCEL:
		node_task_cancel(n, m->task_cancel->job_id, m->task_cancel->attempt);
		break;
	case ACHERON__MSG__BODY_RESULT_ACK:
		node_task_ack(n, m->result_ack->job_id, m->result_ack->attempt);
		break;
	default:
		ac_log(AC_LOG_WARN, "dis-node: unexpected %s from the scheduler; dropped",
		       proto_body_name(m->body_case));
		break;
	}
}

static void
drain_socket(Node *n)
{
	/* Bounded so that pipes and children get their turn. */
	for (int i = 0; i < 1000 && n->sock != NULL; i++) {
		ProtoIn in;
		AcErr err;
		int rc = proto_recv(n->sock, 0, &in, &err);
		if (rc == AC_ETIMEOUT)
			return;
		n->last_recv_ms = ac_clock_ms();
		if (rc != AC_OK) {
			ac_log(AC_LOG_WARN, "dis-node: from the scheduler: %s; dropped", err.msg);
			continue;
		}
		handle(n, in.msg);
		proto_in_free(&in);
	}
}

/* ------------------------------------------------------------ setup */

static int
setup_identity(Node *n, const NodeOptions *o, AcErr *err)
{
	ProtoCert pub;

	if (gethostname(n->hostname, sizeof n->hostname - 1) != 0)
		snprintf(n->hostname, sizeof n->hostname, "localhost");
	if (o->node_id != NULL) {
		if (!proto_name_ok(o->node_id, PROTO_MAX_ID))
			return ac_err_set(err, AC_EINVAL, "--node-id '%s': not 1-64 of [A-Za-z0-9._-]", o->node_id);
		snprintf(n->id, sizeof n->id, "%s", o->node_id);
	} else {
		/* HOSTNAME-PID, the host name cut to leave room for the pid and
		 * anything outside [A-Za-z0-9._-] made '-'. */
		char pid[24];
		size_t k = 0;
		int plen = snprintf(pid, sizeof pid, "-%ld", (long)getpid());
		for (const char *p = n->hostname; *p && k + (size_t)plen < PROTO_MAX_ID; p++)
			n->id[k++] = proto_name_ok((char[]){*p, 0}, 1) ? *p : '-';
		if (k == 0)
			k = (size_t)snprintf(n->id, sizeof n->id, "node");
		memcpy(n->id + k, pid, (size_t)plen + 1);
	}
	if (o->cert == NULL)
		return ac_err_set(err, AC_EINVAL, "no certificate: give --cert FILE.curve or set ACHERON_CERT");
	if (o->server_key == NULL)
		return ac_err_set(err, AC_EINVAL,
				  "no scheduler key: give --server-key FILE.curve.pub or set ACHERON_SERVER_KEY");
	if (proto_cert_load(&n->cert, o->cert, err) != AC_OK)
		return err->code;
	if (!n->cert.has_secret)
		return ac_err_set(err, AC_EINVAL, "%s: no secret key (give the .curve file, not .curve.pub)", o->cert);
	if (proto_cert_load(&pub, o->server_key, err) != AC_OK)
		return err->code;
	memcpy(n->server_pub, pub.public_key, sizeof n->server_pub);
	if (zmq_z85_decode(n->public_key, n->cert.public_key) == NULL)
		return ac_err_set(err, AC_EFORMAT, "%s: public key is not Z85", o->cert);
	return AC_OK;
}

static int
setup_caps(Node *n, const NodeOptions *o, AcErr *err)
{
	for (size_t i = 0; i < o->ncapabilities; i++)
		if (!node_capability_ok(o->capabilities[i]))
			return ac_err_set(err, AC_EINVAL, "--capability '%s': not 1-64 of [a-z0-9_.-]",
					  o->capabilities[i]);
	node_sysinfo_get(&n->si);
	for (size_t i = 0; i < o->ncapabilities + n->si.ncaps; i++) {
		char *c = i < o->ncapabilities ? (char *)o->capabilities[i] : n->si.caps[i - o->ncapabilities];
		int dup = 0;
		for (size_t j = 0; j < n->ncaps; j++)
			dup |= strcmp(n->caps[j], c) == 0;
		if (dup)
			continue;
		if (n->ncaps == NODE_MAX_CAPABILITIES)
			return ac_err_set(err, AC_EINVAL, "more than %d capabilities", NODE_MAX_CAPABILITIES);
		n->caps[n->ncaps++] = c;
	}
	return AC_OK;
}

static int
make_dir(const char *path, AcErr *err)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	return AC_OK;
}

static int
setup_files(Node *n, const NodeOptions *o, AcErr *err)
{
	char path[PATH_MAX + 16];

	if (o->work != NULL) {
		snprintf(path, sizeof path, "%s", o->work);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/acheron-node-%s", tmp != NULL && tmp[0] ? tmp : "/tmp", n->id);
	}
	if (make_dir(path, err) != AC_OK)
		return err->code;
	if (realpath(path, n->work) == NULL)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	/* A fresh node holds no task: what tasks/ and spool/ hold is left
	 * from an earlier run. The cache stays. */
	snprintf(n->tasks_dir, sizeof n->tasks_dir, "%.*s/tasks", PATH_MAX - 8, n->work);
	node_rmtree(n->tasks_dir);
	if (make_dir(n->tasks_dir, err) != AC_OK)
		return err->code;
	snprintf(n->spool_dir, sizeof n->spool_dir, "%.*s/spool", PATH_MAX - 8, n->work);
	node_rmtree(n->spool_dir);
	if (make_dir(n->spool_dir, err) != AC_OK)
		return err->code;
	snprintf(path, sizeof path, "%s/cache", n->work);
	if ((n->cache = node_cache_open(path, err)) == NULL)
		return err->code;

	if (o->dis_run != NULL) {
		snprintf(path, sizeof path, "%s", o->dis_run);
	} else {
		char self[PATH_MAX];
		ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
		char *slash;
		if (k <= 0)
			return ac_err_set(err, AC_EIO, "/proc/self/exe: %s (give --dis-run PATH)", strerror(errno));
		self[k] = 0;
		slash = strrchr(self, '/');
		*slash = 0;
		snprintf(path, sizeof path, "%s/dis-run", self);
	}
	if (realpath(path, n->dis_run) == NULL || access(n->dis_run, X_OK) != 0)
		return ac_err_set(err, AC_EINVAL, "dis-run '%s': %s", path, strerror(errno));

	if (o->trust != NULL && !o->insecure) {
		if ((n->trust = dis_trust_load(o->trust, err)) == NULL)
			return err->code;
		if (realpath(o->trust, n->trust_dir) == NULL)
			return ac_err_set(err, AC_EIO, "%s: %s", o->trust, strerror(errno));
	}
	return AC_OK;
}

/* Tasks' BLAS threads: what the node's environment says, else the cores
 * one slot's share gives. The memory rule depends on it (node_task_as_bytes). */
static void
setup_blas(Node *n)
{
	const char *s = getenv("OPENBLAS_NUM_THREADS");
	char buf[16];

	if (s != NULL && atoi(s) > 0) {
		n->blas_threads = (uint32_t)atoi(s);
		return;
	}
	n->blas_threads = n->si.cores / n->slots > 0 ? n->si.cores / n->slots : 1;
	snprintf(buf, sizeof buf, "%u", n->blas_threads);
	setenv("OPENBLAS_NUM_THREADS", buf, 1);
}

/* ------------------------------------------------------------ the loop */

typedef struct PollRef {
	NodeTask *t;
	int stream;
} PollRef;

static int
poll_once(Node *n, zmq_pollitem_t *items, PollRef *refs, int timeout_ms)
{
	int k = 0, first_pipe, rc;

	if (n->sock != NULL)
		items[k++] = (zmq_pollitem_t){n->sock, 0, ZMQ_POLLIN, 0};
	items[k++] = (zmq_pollitem_t){NULL, n->sigfd, ZMQ_POLLIN, 0};
	first_pipe = k;
	for (NodeTask *t = n->tasks; t != NULL && k < MAX_POLL_ITEMS; t = t->next)
		for (int s = 0; s < 2 && k < MAX_POLL_ITEMS; s++)
			if (t->fd[s] >= 0) {
				refs[k] = (PollRef){t, s};
				items[k++] = (zmq_pollitem_t){NULL, t->fd[s], ZMQ_POLLIN, 0};
			}
	rc = zmq_poll(items, k, timeout_ms);
	if (rc <= 0)
		return rc;
	/* Output first, so that what a task wrote before it ended is sent
	 * before its result. */
	for (int i = first_pipe; i < k; i++)
		if (items[i].revents != 0 && refs[i].t->fd[refs[i].stream] == items[i].fd)
			node_task_read(n, refs[i].t, refs[i].stream);
	if (items[n->sock != NULL ? 1 : 0].revents != 0) {
		struct signalfd_siginfo si[16];
		while (read(n->sigfd, si, sizeof si) > 0)
			;
		node_task_reap(n);
	}
	if (n->sock != NULL && items[0].revents != 0)
		drain_socket(n);
	return rc;
}

static int
loop(Node *n, volatile sig_atomic_t *stop)
{
	static zmq_pollitem_t items[MAX_POLL_ITEMS];
	static PollRef refs[MAX_POLL_ITEMS];

	while (!*stop) {
		int64_t now = ac_clock_ms(), wake = now + POLL_CAP_MS, next;
		AcErr err;

		if (n->state == NODE_DOWN && now >= n->reconnect_at_ms) {
			if (connect_socket(n, &err) != AC_OK) {
				ac_log(AC_LOG_ERROR, "dis-node: %s", err.msg);
				n->reconnect_at_ms = now + n->backoff_ms;
			}
		}
		if (n->state != NODE_DOWN) {
			int64_t dead_at = n->last_recv_ms + (int64_t)n->heartbeat_ms * n->liveness;
			if (now >= dead_at) {
				declare_dead(n, now);
			} else {
				if (now - n->last_send_ms >= n->heartbeat_ms)
					send_heartbeat(n);
				if (n->last_send_ms + n->heartbeat_ms < wake)
					wake = n->last_send_ms + n->heartbeat_ms;
				if (dead_at < wake)
					wake = dead_at;
			}
		}
		if (n->state == NODE_DOWN && n->reconnect_at_ms < wake)
			wake = n->reconnect_at_ms;
		next = node_task_timeouts(n, now);
		if (next != 0 && next < wake)
			wake = next;
		if (poll_once(n, items, refs, wake > now ? (int)(wake - now) : 0) < 0 && errno != EINTR) {
			ac_log(AC_LOG_ERROR, "dis-node: poll: %s", zmq_strerror(errno));
			usleep(10000);
		}
	}
	return AC_OK;
}

int
node_run(const NodeOptions *o, volatile sig_atomic_t *stop, AcErr *err)
{
	Node *n;
	sigset_t chld, term;
	int rc;

	if (o->endpoint == NULL)
		return ac_err_set(err, AC_EINVAL, "no scheduler endpoint");
	if (o->trust == NULL && !o->insecure)
		return ac_err_set(err, AC_EINVAL,
				  "no trust store: give --trust DIR (public keys of module signers), or --insecure to "
				  "run unsigned modules");
	if ((n = ac_calloc(1, sizeof *n, "node", err)) == NULL)
		return AC_ENOMEM;
	n->o = o;
	n->sigfd = -1;
	n->heartbeat_ms = o->heartbeat_ms ? o->heartbeat_ms : NODE_DEFAULT_HEARTBEAT_MS;
	n->liveness = o->liveness ? o->liveness : NODE_DEFAULT_LIVENESS;
	n->backoff_ms = n->heartbeat_ms;
	if ((rc = setup_identity(n, o, err)) != AC_OK || (rc = setup_caps(n, o, err)) != AC_OK ||
	    (rc = setup_files(n, o, err)) != AC_OK)
		goto done;
	n->slots = o->slots ? o->slots : n->si.cores;
	if (n->slots > 4096)
		n->slots = 4096;
	setup_blas(n);
	if (n->trust == NULL)
		ac_log(AC_LOG_WARN, "dis-node: WARNING: --insecure: running unsigned modules without verification");

	/* SIGCHLD is read from a signalfd; SIGTERM/SIGINT stay blocked while
	 * ZeroMQ starts its threads (they inherit the mask), so that they
	 * reach this thread and interrupt its poll. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigprocmask(SIG_BLOCK, &term, NULL);
	if ((n->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		rc = ac_err_set(err, AC_EIO, "signalfd: %s", strerror(errno));
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		goto done;
	}
	if ((n->ctx = zmq_ctx_new()) == NULL) {
		rc = ac_err_set(err, AC_EIO, "zmq_ctx_new: %s", zmq_strerror(errno));
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		goto done;
	}
	rc = connect_socket(n, err);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	if (rc != AC_OK)
		goto done;
	ac_log(AC_LOG_INFO, "dis-node: %s joining %s: %u slots, %u cores, %u GPUs, dis-run %s, work %s", n->id,
	       o->endpoint, n->slots, n->si.cores, n->si.gpus, n->dis_run, n->work);
	rc = loop(n, stop);
	ac_log(AC_LOG_INFO, "dis-node: %s stopping: killing %u running tasks", n->id, n->running);
	node_task_kill_all(n);
	if (n->sock != NULL && n->state != NODE_DOWN) {
		Acheron__Msg m = ACHERON__MSG__INIT;
		Acheron__Disconnect d = ACHERON__DISCONNECT__INIT;
		int linger = 500;  /* ms: time for the goodbye to leave */
		d.reason = "node shutting down";
		m.body_case = ACHERON__MSG__BODY_DISCONNECT;
		m.disconnect = &d;
		node_send(n, &m);
		zmq_setsockopt(n->sock, ZMQ_LINGER, &linger, sizeof linger);
	}
done:
	node_task_kill_all(n);
	close_socket(n);
	if (n->ctx != NULL)
		zmq_ctx_term(n->ctx);
	if (n->sigfd >= 0)
		close(n->sigfd);
	dis_trust_free(n->trust);
	node_cache_free(n->cache);
	free(n);
	return rc;
}
