/* ZeroMQ sockets with CurveZMQ, and the scheduler's ZAP handler (RFC 27). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "proto/proto.h"

static int
setopt_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof v);
}

static void *
socket_fail(void *s, AcErr *err, const char *what, const char *endpoint)
{
	ac_err_set(err, AC_EIO, "%s %s: %s", what, endpoint, zmq_strerror(errno));
	if (s != NULL)
		zmq_close(s);
	return NULL;
}

void *
proto_server_socket(void *ctx, const char *endpoint, const ProtoCert *server, char *bound, size_t size, AcErr *err)
{
	void *s;
	int64_t maxmsg = PROTO_MAX_MSG_BYTES;
	char ep[512];
	size_t n = size;
	const char *colon = strrchr(endpoint, ':');

	if (!server->has_secret)
		return ac_err_set(err, AC_EINVAL, "server certificate has no secret key"), NULL;
	/* "tcp://host:0" is the usual spelling of "any port"; ZeroMQ's is "*". */
	if (colon != NULL && strcmp(colon, ":0") == 0)
		snprintf(ep, sizeof ep, "%.*s:*", (int)(colon - endpoint), endpoint);
	else
		snprintf(ep, sizeof ep, "%s", endpoint);
	if ((s = zmq_socket(ctx, ZMQ_ROUTER)) == NULL)
		return socket_fail(NULL, err, "socket for", ep);
	if (setopt_int(s, ZMQ_CURVE_SERVER, 1) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server->secret_key, PROTO_KEY_Z85) != 0 ||
	    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "acheron", 7) != 0 ||
	    setopt_int(s, ZMQ_ROUTER_HANDOVER, 1) != 0 || setopt_int(s, ZMQ_ROUTER_MANDATORY, 1) != 0 ||
	    setopt_int(s, ZMQ_LINGER, 0) != 0 || setopt_int(s, ZMQ_SNDHWM, 100000) != 0 ||
	    setopt_int(s, ZMQ_RCVHWM, 100000) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0)
		return socket_fail(s, err, "options for", ep);
	if (zmq_bind(s, ep) != 0)
		return socket_fail(s, err, "bind", ep);
	if (bound != NULL && zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &n) != 0)
		return socket_fail(s, err, "endpoint of", ep);
	return s;
}

void *
proto_client_socket(void *ctx, const char *endpoint, const ProtoCert *mine, const char *server_public,
		    const char *routing_id, AcErr *err)
{
	void *s;
	int64_t maxmsg = PROTO_MAX_MSG_BYTES;

	if (!mine->has_secret)
		return ac_err_set(err, AC_EINVAL, "client certificate has no secret key"), NULL;
	if (server_public == NULL || strlen(server_public) != PROTO_KEY_Z85)
		return ac_err_set(err, AC_EINVAL, "scheduler public key is not a 40-character Z85 key"), NULL;
	if ((s = zmq_socket(ctx, ZMQ_DEALER)) == NULL)
		return socket_fail(NULL, err, "socket for", endpoint);
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_public, PROTO_KEY_Z85) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, mine->public_key, PROTO_KEY_Z85) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, mine->secret_key, PROTO_KEY_Z85) != 0 ||
	    (routing_id != NULL && zmq_setsockopt(s, ZMQ_ROUTING_ID, routing_id, strlen(routing_id)) != 0) ||
	    setopt_int(s, ZMQ_LINGER, 0) != 0 || setopt_int(s, ZMQ_SNDHWM, 100000) != 0 ||
	    setopt_int(s, ZMQ_RCVHWM, 100000) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0)
		return socket_fail(s, err, "options for", endpoint);
	if (zmq_connect(s, endpoint) != 0)
		return socket_fail(s, err, "connect", endpoint);
	return s;
}

void *
proto_zap_open(void *ctx, AcErr *err)
{
	void *s = zmq_socket(ctx, ZMQ_REP);

	if (s == NULL)
		return socket_fail(NULL, err, "socket for", "ZAP");
	setopt_int(s, ZMQ_LINGER, 0);
	if (zmq_bind(s, "inproc://zeromq.zap.01") != 0)
		return socket_fail(s, err, "bind", "inproc://zeromq.zap.01");
	return s;
}

/* The request's frames, RFC 27: version, request id, domain, address,
 * identity, mechanism, then the mechanism's credentials. */
enum { ZAP_VERSION, ZAP_REQID, ZAP_DOMAIN, ZAP_ADDRESS, ZAP_IDENTITY, ZAP_MECHANISM, ZAP_CRED, ZAP_FRAMES = 8 };

static void
zap_reply(void *zap, zmq_msg_t *reqid, const char *code, const char *text)
{
	zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(zap, zmq_msg_data(reqid), zmq_msg_size(reqid), ZMQ_SNDMORE);
	zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(zap, "", 0, ZMQ_SNDMORE);  /* user id */
	zmq_send(zap, "", 0, 0);            /* metadata */
}

int
proto_zap_handle(void *zap, const ProtoAllow *allow)
{
	zmq_msg_t f[ZAP_FRAMES];
	int n = 0, more = 1, rc;
	char addr[64] = "?", key[PROTO_KEY_Z85 + 1] = "";

	while (more) {
		zmq_msg_t part;
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, zap, 0) < 0) {
			zmq_msg_close(&part);
			break;
		}
		more = zmq_msg_more(&part);
		if (n < ZAP_FRAMES)
			f[n++] = part;
		else
			zmq_msg_close(&part);
	}
	if (n < ZAP_CRED) {
		/* A REP socket must answer before it can read again. */
		zmq_msg_t none;
		zmq_msg_init(&none);
		zap_reply(zap, n > ZAP_REQID ? &f[ZAP_REQID] : &none, "500", "malformed ZAP request");
		zmq_msg_close(&none);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
		ac_log(AC_LOG_WARN, "ZAP: malformed request (%d frames)", n);
		return -1;
	}
	snprintf(addr, sizeof addr, "%.*s", (int)zmq_msg_size(&f[ZAP_ADDRESS]), (char *)zmq_msg_data(&f[ZAP_ADDRESS]));
	if (zmq_msg_size(&f[ZAP_MECHANISM]) == 5 && memcmp(zmq_msg_data(&f[ZAP_MECHANISM]), "CURVE", 5) == 0 &&
	    n > ZAP_CRED && zmq_msg_size(&f[ZAP_CRED]) == 32) {
		const uint8_t *k = zmq_msg_data(&f[ZAP_CRED]);
		zmq_z85_encode(key, k, 32);
		rc = proto_allow_has(allow, k);
	} else {
		rc = 0;
	}
	if (rc) {
		zap_reply(zap, &f[ZAP_REQID], "200", "OK");
	} else {
		zap_reply(zap, &f[ZAP_REQID], "400", "key not allowed");
		ac_log(AC_LOG_WARN, "refused connection from %s: public key %s is not in the allow list", addr,
		       key[0] ? key : "(not CURVE)");
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return rc;
}
