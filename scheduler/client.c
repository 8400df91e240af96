/*
 * The client side of dis-sched: a CurveZMQ DEALER to the scheduler with the
 * ZeroMQ guide's Lazy Pirate retries (ch. 4): a request unanswered within a
 * third of its timeout is resent on a fresh socket, three tries in all.
 * Answers are matched by request_id, so an answer to an earlier try or to an
 * abandoned request is dropped.
 *
 * Streams (Wait, Logs --follow) are held by the scheduler per connection: a
 * socket monitor tells us when the connection was lost and made again (a
 * scheduler restart, or our own Lazy Pirate reopen), and the stream's request
 * is then resent under a new request_id so the caller can tell that the
 * answers start over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "scheduler/sched.h"

#define CLIENT_TRIES 3

struct SchedClient {
	void *ctx;
	void *sock;                 /* DEALER, or NULL between a close and a reopen */
	void *mon;                  /* PAIR receiving sock's connection events */
	char *endpoint;
	ProtoCert mine;
	char server_key[PROTO_KEY_Z85 + 1];
	uint32_t timeout_ms;        /* per request, all tries together */
	unsigned generation;        /* sockets opened so far (names the monitor) */
	uint64_t next_id;           /* request ids: random start, never 0 */
	uint64_t call_id;           /* the request sched_client_call waits on, 0 none */
	uint64_t stream_id;         /* the last request from sched_client_send, 0 none */
	uint8_t *stream_buf;        /* that request, packed, for resending */
	size_t stream_len;
	int stream_lost;            /* disconnected since the stream was (re)sent */
	int auth_failed;            /* the scheduler refused our certificate (ZAP) */
	Acheron__Msg **stash;       /* stream answers that arrived during a call */
	size_t n_stash, cap_stash;
};

static uint64_t
new_id(SchedClient *c)
{
	if (++c->next_id == 0)
		c->next_id = 1;
	return c->next_id;
}

static void
close_socket(SchedClient *c)
{
	if (c->sock != NULL) {
		zmq_socket_monitor(c->sock, NULL, 0);
		zmq_close(c->sock);
	}
	if (c->mon != NULL)
		zmq_close(c->mon);
	c->sock = c->mon = NULL;
}

static int
open_socket(SchedClient *c, AcErr *err)
{
	char mon[64];
	int linger = 0;

	c->sock = proto_client_socket(c->ctx, c->endpoint, &c->mine, c->server_key, NULL, err);
	if (c->sock == NULL)
		return err->code;
	/* The monitor is best effort: without it a stream is not resent after a
	 * reconnect, and callers fall back on their Status probes. */
	snprintf(mon, sizeof mon, "inproc://sched-client-%p-%u", (void *)c, c->generation++);
	if (zmq_socket_monitor(c->sock, mon,
			       ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) ==
	    0) {
		c->mon = zmq_socket(c->ctx, ZMQ_PAIR);
		if (c->mon != NULL && (zmq_setsockopt(c->mon, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
				       zmq_connect(c->mon, mon) != 0)) {
			zmq_close(c->mon);
			c->mon = NULL;
		}
	}
	return AC_OK;
}

SchedClient *
sched_client_open(const char *endpoint, const char *cert, const char *server_pub, uint32_t timeout_ms, AcErr *err)
{
	SchedClient *c;
	ProtoCert server;
	AcErr tmp;

	if (err == NULL)
		err = &tmp;
	if (endpoint == NULL || endpoint[0] == 0)
		return ac_err_set(err, AC_EINVAL, "no scheduler endpoint"), NULL;
	if ((c = ac_calloc(1, sizeof *c, "client", err)) == NULL)
		return NULL;
	if (proto_cert_load(&c->mine, cert, err) != AC_OK)
		goto fail;
	if (!c->mine.has_secret) {
		ac_err_set(err, AC_EINVAL, "%s: no secret key (give the .curve file, not the .curve.pub)", cert);
		goto fail;
	}
	if (proto_cert_load(&server, server_pub, err) != AC_OK)
		goto fail;
	memcpy(c->server_key, server.public_key, sizeof c->server_key);
	c->timeout_ms = timeout_ms == 0 ? 1 : timeout_ms;
	if (getrandom(&c->next_id, sizeof c->next_id, 0) != (ssize_t)sizeof c->next_id)
		c->next_id = (uint64_t)ac_clock_ns();
	c->next_id >>= 1;  /* room to count up without wrapping */
	if ((c->endpoint = ac_strdup(endpoint, err)) == NULL)
		goto fail;
	if ((c->ctx = zmq_ctx_new()) == NULL) {
		ac_err_set(err, AC_EIO, "zmq_ctx_new: %s", zmq_strerror(errno));
		goto fail;
	}
	if (open_socket(c, err) != AC_OK)
		goto fail;
	return c;
fail:
	sched_client_close(c);
	return NULL;
}

void
sched_client_close(SchedClient *c)
{
	if (c == NULL)
		return;
	close_socket(c);
	if (c->ctx != NULL)
		zmq_ctx_term(c->ctx);
	for (size_t i = 0; i < c->n_stash; i++)
		acheron__msg__free_unpacked(c->stash[i], NULL);
	free(c->stash);
	free(c->stream_buf);
	free(c->endpoint);
	memset(c->mine.secret_key, 0, sizeof c->mine.secret_key);
	free(c);
}

/* Sends the stream's request again under a new id (the scheduler lost it
 * with the connection). */
static void
stream_resend(SchedClient *c)
{
	Acheron__Msg *m;
	AcErr err;

	if (c->stream_buf == NULL || c->sock == NULL)
		return;
	m = acheron__msg__unpack(NULL, c->stream_len, c->stream_buf);
	if (m == NULL)
		return;
	m->request_id = c->stream_id = new_id(c);
	if (proto_send(c->sock, NULL, 0, m, &err) != AC_OK)
		ac_log(AC_LOG_DEBUG, "%s: resend %s: %s", c->endpoint, proto_body_name(m->body_case), err.msg);
	else
		ac_log(AC_LOG_DEBUG, "%s: reconnected: resent %s", c->endpoint, proto_body_name(m->body_case));
	acheron__msg__free_unpacked(m, NULL);
	c->stream_lost = 0;
}

/* Reads every waiting connection event from the monitor. */
static void
monitor_drain(SchedClient *c)
{
	for (;;) {
		zmq_msg_t ev, addr;
		uint16_t event;
		int more;

		if (c->mon == NULL)
			return;
		zmq_msg_init(&ev);
		if (zmq_msg_recv(&ev, c->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			return;
		}
		more = zmq_msg_more(&ev);
		event = 0;
		if (zmq_msg_size(&ev) >= 2)
			memcpy(&event, zmq_msg_data(&ev), 2);
		zmq_msg_close(&ev);
		while (more) {  /* the endpoint frame */
			zmq_msg_init(&addr);
			if (zmq_msg_recv(&addr, c->mon, 0) < 0)
				more = 0;
			else
				more = zmq_msg_more(&addr);
			zmq_msg_close(&addr);
		}
		if (event == ZMQ_EVENT_DISCONNECTED && c->stream_id != 0)
			c->stream_lost = 1;
		else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED && c->stream_lost)
			stream_resend(c);
		else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			c->auth_failed = 1;
	}
}

/* Waits until deadline (monotonic ms) for a message on the socket that is
 * not stale: the answer to call_id when want_call, else one of the stream.
 * While a call waits, stream answers are stashed for sched_client_next. */
static Acheron__Msg *
receive(SchedClient *c, int64_t deadline, int want_call, AcErr *err)
{
	for (;;) {
		zmq_pollitem_t items[2] = {{c->sock, 0, ZMQ_POLLIN, 0}, {c->mon, 0, ZMQ_POLLIN, 0}};
		int64_t left = deadline - ac_clock_ms();
		ProtoIn in;
		AcErr rerr;
		int rc;

		if (left <= 0)
			return ac_err_set(err, AC_ETIMEOUT, "no answer"), NULL;
		rc = zmq_poll(items, c->mon != NULL ? 2 : 1, (long)left);
		if (rc < 0) {
			if (errno == EINTR)
				return ac_err_set(err, AC_ETIMEOUT, "interrupted"), NULL;
			return ac_err_set(err, AC_EIO, "%s: poll: %s", c->endpoint, zmq_strerror(errno)), NULL;
		}
		if (c->mon != NULL && (items[1].revents & ZMQ_POLLIN))
			monitor_drain(c);
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		rc = proto_recv(c->sock, 0, &in, &rerr);
		if (rc == AC_ETIMEOUT)
			continue;
		if (rc != AC_OK) {
			ac_log(AC_LOG_WARN, "%s: dropped a malformed answer: %s", c->endpoint, rerr.msg);
			continue;
		}
		if (want_call && in.msg->request_id == c->call_id)
			return in.msg;
		if (in.msg->request_id == c->stream_id && c->stream_id != 0) {
			if (!want_call)
				return in.msg;
			if (c->n_stash == c->cap_stash) {
				size_t cap = c->cap_stash ? 2 * c->cap_stash : 16;
				Acheron__Msg **p = realloc(c->stash, cap * sizeof *p);
				if (p == NULL) {
					proto_in_free(&in);
					continue;
				}
				c->stash = p;
				c->cap_stash = cap;
			}
			c->stash[c->n_stash++] = in.msg;
			continue;
		}
		ac_log(AC_LOG_DEBUG, "%s: dropped a stale %s (request %llu)", c->endpoint,
		       proto_body_name(in.msg->body_case), (unsigned long long)in.msg->request_id);
		proto_in_free(&in);
	}
}

static int
no_answer(SchedClient *c, AcErr *err)
{
	if (c->auth_failed)
		return ac_err_set(err, AC_ETIMEOUT,
				  "no answer from %s in %u ms: the scheduler refused this client's certificate "
				  "(put its .curve.pub in the scheduler's allow directory)",
				  c->endpoint, c->timeout_ms);
	return ac_err_set(err, AC_ETIMEOUT,
			  "no answer from %s in %u ms: is the scheduler running, and is this client's certificate "
			  "allowed?",
			  c->endpoint, c->timeout_ms);
}

Acheron__Msg *
sched_client_call(SchedClient *c, Acheron__Msg *req, AcErr *err)
{
	int64_t start = ac_clock_ms(), end = start + c->timeout_ms;
	Acheron__Msg *m;
	AcErr rerr, tmp;

	if (err == NULL)
		err = &tmp;
	req->request_id = c->call_id = new_id(c);
	for (int try = 1; try <= CLIENT_TRIES; try++) {
		int64_t deadline = try == CLIENT_TRIES ? end : start + (int64_t)c->timeout_ms * try / CLIENT_TRIES;

		if (c->sock == NULL) {
			if (open_socket(c, err) != AC_OK)
				goto fail;
			/* The scheduler forgot the stream with the old connection. */
			if (c->stream_id != 0)
				stream_resend(c);
		}
		if (proto_send(c->sock, NULL, 0, req, &rerr) != AC_OK)
			ac_log(AC_LOG_DEBUG, "%s: try %d: %s", c->endpoint, try, rerr.msg);
		m = receive(c, deadline, 1, &rerr);
		if (m != NULL) {
			c->call_id = 0;
			return m;
		}
		if (rerr.code != AC_ETIMEOUT) {
			*err = rerr;
			goto fail;
		}
		if (try < CLIENT_TRIES) {
			ac_log(AC_LOG_DEBUG, "%s: no answer to %s in %lld ms, reconnecting", c->endpoint,
			       proto_body_name(req->body_case), (long long)(ac_clock_ms() - start));
			close_socket(c);
		}
	}
	no_answer(c, err);
fail:
	c->call_id = 0;
	return NULL;
}

int
sched_client_send(SchedClient *c, Acheron__Msg *req, AcErr *err)
{
	size_t n;
	uint8_t *buf;
	AcErr tmp;

	if (err == NULL)
		err = &tmp;
	if (c->sock == NULL && open_socket(c, err) != AC_OK)
		return err->code;
	req->request_id = c->stream_id = new_id(c);
	req->version = PROTO_VERSION;
	n = acheron__msg__get_packed_size(req);
	if ((buf = ac_malloc(n ? n : 1, "request", err)) == NULL)
		return err->code;
	acheron__msg__pack(req, buf);
	free(c->stream_buf);
	c->stream_buf = buf;
	c->stream_len = n;
	c->stream_lost = 0;
	/* Answers to an earlier stream are stale now. */
	for (size_t i = 0; i < c->n_stash; i++)
		acheron__msg__free_unpacked(c->stash[i], NULL);
	c->n_stash = 0;
	return proto_send(c->sock, NULL, 0, req, err);
}

Acheron__Msg *
sched_client_next(SchedClient *c, uint32_t timeout_ms, AcErr *err)
{
	Acheron__Msg *m;
	AcErr tmp;

	if (err == NULL)
		err = &tmp;
	if (c->stream_id == 0)
		return ac_err_set(err, AC_EINVAL, "no request sent"), NULL;
	while (c->n_stash > 0) {
		m = c->stash[0];
		memmove(c->stash, c->stash + 1, --c->n_stash * sizeof *c->stash);
		if (m->request_id == c->stream_id)
			return m;
		acheron__msg__free_unpacked(m, NULL);  /* from before a resend */
	}
	if (c->sock == NULL) {
		if (open_socket(c, err) != AC_OK)
			return NULL;
		stream_resend(c);
	}
	m = receive(c, ac_clock_ms() + timeout_ms, 0, err);
	if (m == NULL && err->code == AC_ETIMEOUT)
		ac_err_set(err, AC_ETIMEOUT, "no answer from %s in %u ms", c->endpoint, timeout_ms);
	return m;
}
