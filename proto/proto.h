/*
 * proto: the cluster's messages (proto/acheron.proto, compiled by protoc-c
 * into build/proto/acheron.pb-c.h) and the ZeroMQ transport under them:
 * CurveZMQ certificates, sockets, one-frame send and receive with
 * validation, and the scheduler's ZAP handler.
 *
 * Follows: acheron.proto (its header says who sends what); ZeroMQ RFC 26
 * (CurveZMQ) and RFC 27 (ZAP); the ZeroMQ guide's Paranoid Pirate.
 */
#ifndef AC_PROTO_H
#define AC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "proto/acheron.pb-c.h"

#define PROTO_VERSION 1
#define PROTO_MAX_MSG_BYTES (80u << 20)   /* largest frame a socket accepts */
#define PROTO_MAX_MODULE_BYTES (64u << 20)
#define PROTO_MAX_OUTPUT_CHUNK (64u << 10)
#define PROTO_MAX_ID 64                   /* node id / routing id bytes */
#define PROTO_KEY_Z85 40                  /* a Curve25519 key in Z85, chars */

/* ------------------------------------------------------------ certificates */

/* A CurveZMQ key pair in Z85 text. has_secret is 0 for a public-only
 * certificate (a .curve.pub file). */
typedef struct ProtoCert {
	char public_key[PROTO_KEY_Z85 + 1];
	char secret_key[PROTO_KEY_Z85 + 1];
	int has_secret;
} ProtoCert;

/* Makes a fresh key pair (zmq_curve_keypair). Returns AC_OK or AC_EINVAL when
 * libzmq was built without CURVE. */
int proto_cert_generate(ProtoCert *c, AcErr *err);

/* Writes BASE.curve (both keys, mode 0600) and BASE.curve.pub (public key),
 * each atomically. Refuses (AC_EINVAL) to replace an existing file unless
 * overwrite. The format is text lines `public-key = "Z85"` and
 * `secret-key = "Z85"`; '#' starts a comment. */
int proto_cert_save(const ProtoCert *c, const char *base, int overwrite, AcErr *err);

/* Reads a certificate file (either kind). AC_EFORMAT names the file and line
 * of anything malformed; AC_EIO if it cannot be read. */
int proto_cert_load(ProtoCert *c, const char *path, AcErr *err);

/* The set of client public keys a scheduler allows: every *.curve.pub file in
 * a directory (read once; other files are ignored). Free with proto_allow_free. */
typedef struct ProtoAllow ProtoAllow;
ProtoAllow *proto_allow_load(const char *dir, AcErr *err);
void proto_allow_free(ProtoAllow *a);
/* 1 if the 32-byte public key is in the set. */
int proto_allow_has(const ProtoAllow *a, const uint8_t key[32]);
/* Number of keys in the set. */
size_t proto_allow_count(const ProtoAllow *a);

/* ------------------------------------------------------------ sockets */

/* The scheduler's ROUTER, bound to endpoint ("tcp://0.0.0.0:5555"; a port
 * of 0 or "*" picks an ephemeral one), as CurveZMQ server with the given
 * certificate (which must have its secret). ROUTER_HANDOVER is on, so a node
 * reconnecting under its id takes over its old connection; ROUTER_MANDATORY
 * is on, so a send to a peer that is gone fails (EHOSTUNREACH) rather than
 * vanishing. The endpoint actually bound is copied to bound (size bytes).
 * Open the ZAP handler (proto_zap_open) on the same context first. */
void *proto_server_socket(void *ctx, const char *endpoint, const ProtoCert *server, char *bound, size_t size,
			  AcErr *err);

/* A DEALER connected to endpoint as CurveZMQ client: mine must have its
 * secret; server_public is the scheduler's public key (Z85). routing_id may
 * be NULL (ZeroMQ picks one). Linger is 0: closing drops unsent messages. */
void *proto_client_socket(void *ctx, const char *endpoint, const ProtoCert *mine, const char *server_public,
			  const char *routing_id, AcErr *err);

/* The ZAP handler's REP socket (inproc://zeromq.zap.01) on ctx. Poll it with
 * the other sockets and call proto_zap_handle when readable. */
void *proto_zap_open(void *ctx, AcErr *err);

/* Answers one ZAP request: 200 for a CURVE client whose key is in allow,
 * 400 otherwise (logged at WARN with the peer address and key). Returns 1 if
 * it allowed, 0 if it denied, <0 on a malformed request (answered 500). */
int proto_zap_handle(void *zap, const ProtoAllow *allow);

/* ------------------------------------------------------------ messages */

/* Serializes m (its version is set to PROTO_VERSION) and sends it as one
 * frame; on a ROUTER, preceded by the routing id (id, idlen). Non-blocking
 * (ZMQ_DONTWAIT): returns AC_EIO when the peer's queue is full or the peer
 * is unknown (errno in the message). */
int proto_send(void *sock, const uint8_t *id, size_t idlen, Acheron__Msg *m, AcErr *err);

/* A received message: the sender's routing id (ROUTER only; idlen 0 on a
 * DEALER) and the unpacked, validated message. */
typedef struct ProtoIn {
	uint8_t id[PROTO_MAX_ID + 1];
	size_t idlen;
	Acheron__Msg *msg;
} ProtoIn;

/* Receives one message without blocking. Returns AC_OK with in->msg set;
 * AC_ETIMEOUT if none is waiting; AC_EPROTO if it was malformed (wrong frame
 * count, unparsable, failing proto_validate): the message names the field,
 * in->id says who sent it, and it has been consumed. Free with
 * proto_in_free. */
int proto_recv(void *sock, int router, ProtoIn *in, AcErr *err);
void proto_in_free(ProtoIn *in);

/* Checks what the .proto's comments promise: version, a body, ids and
 * capability names, hash and key lengths, sizes, enum ranges. AC_EPROTO names
 * the message and field. */
int proto_validate(const Acheron__Msg *m, AcErr *err);

/* Printable form of a routing id: itself if it is [A-Za-z0-9._-], else hex
 * (ZeroMQ's generated ids are binary). out must hold 2*PROTO_MAX_ID+1. */
void proto_id_str(const uint8_t *id, size_t idlen, char *out);

/* Name of a message body ("task_result"), static storage. */
const char *proto_body_name(int body_case);

/* 1 if s is 1..max bytes of [A-Za-z0-9._-] (node ids, capabilities, file
 * names). */
int proto_name_ok(const char *s, size_t max);

#endif
