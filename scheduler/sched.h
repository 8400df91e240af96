/*
 * scheduler: the broker that dis-sched serve runs (a ZeroMQ ROUTER that
 * registers dis-node workers, heartbeats them, queues jobs in SQLite and
 * dispatches them), and the client side that the other dis-sched commands
 * use to talk to it.
 *
 * Follows: proto/acheron.proto (the messages and who sends them); the ZeroMQ
 * guide's Paranoid Pirate and Majordomo (heartbeats, liveness, node
 * registration) and Lazy Pirate (client retries); Slurm's job states and
 * squeue/scancel/sinfo conventions.
 */
#ifndef AC_SCHED_H
#define AC_SCHED_H

#include <signal.h>
#include <stdint.h>

#include "base/base.h"
#include "dis/dis.h"
#include "proto/proto.h"

/* ------------------------------------------------------------ the broker */

typedef struct SchedOptions {
	const char *bind;          /* endpoint, e.g. "tcp://0.0.0.0:5555"; port 0 = ephemeral */
	const char *db;            /* SQLite file (WAL); created if missing */
	const char *cert;          /* the scheduler's .curve certificate (with secret) */
	const char *allow;         /* directory of allowed *.curve.pub (nodes and clients) */
	const char *endpoint_file; /* if set, the bound endpoint is written here (atomically) once serving */
	uint32_t heartbeat_ms;     /* heartbeat interval, ms (default 1000) */
	uint32_t liveness;         /* missed intervals before a node is dead (default 3) */
	const char *trust;         /* directory of *.pub signing keys, or NULL */
	int require_signed;        /* refuse submitted modules not signed by a key in trust */
} SchedOptions;

/* Serves until *stop becomes non-zero (set it from a SIGTERM/SIGINT handler),
 * then commits and returns AC_OK. Returns an error at once if the database,
 * certificate, allow list or endpoint cannot be opened (the message names
 * which), or AC_EIO "DB: in use by another scheduler (pid N)" when another
 * sched_serve holds DB (a lock on DB.lock, taken before the database is
 * opened and held until return). Everything a peer sends that is malformed or unexpected is logged
 * (ac_log, with the sender) and dropped; it never ends the loop. */
int sched_serve(const SchedOptions *o, volatile sig_atomic_t *stop, AcErr *err);

/* ------------------------------------------------------------ modules and reasons */

/* The longest reason (JobInfo.error) a job ends with, bytes with the NUL:
 * whatever a node or a task says is cut to this before it is stored. */
#define SCHED_MAX_REASON_BYTES 201

/* Checks the len bytes at buf as dis-run loads a module (dis_module_read:
 * the same reader and validator) and, when trust is not NULL, that it is
 * signed by a key in trust (dis_module_verify). name (the file's name)
 * begins each message. Returns AC_OK; AC_EFORMAT "NAME: not a Dis module:
 * offset 0x0: bad magic 0x...", AC_ESIG "NAME: not signed" (or signed by an
 * unknown key, or altered), AC_ENOMEM. Thread safe. */
int sched_module_check(const uint8_t *buf, size_t len, const char *name, const DisTrust *trust, AcErr *err);

/* Copies in (NULL: "") into out (size bytes, >= 1) as one printable line:
 * control characters become spaces, trailing spaces go, and a text longer
 * than size - 1 is cut without splitting a UTF-8 sequence. */
void sched_reason_clean(const char *in, char *out, size_t size);

/* ------------------------------------------------------------ the client */

/* A client connection: a CurveZMQ DEALER to the scheduler. */
typedef struct SchedClient SchedClient;

/* Connects (lazily, as ZeroMQ does) to endpoint with the client's
 * certificate file (.curve, with secret) and the scheduler's public
 * certificate file (.curve.pub). timeout_ms bounds each request's wait for an
 * answer. Free with sched_client_close. */
SchedClient *sched_client_open(const char *endpoint, const char *cert, const char *server_pub, uint32_t timeout_ms,
			       AcErr *err);
void sched_client_close(SchedClient *c);

/* Sends req (its request_id is set here) and waits for the answer with the
 * same request_id, resending on the Lazy Pirate pattern (reconnect, up to 3
 * tries within the timeout). Returns the answer (free with
 * acheron__msg__free_unpacked) or NULL with AC_ETIMEOUT ("no answer from
 * ENDPOINT in N ms: is it running, and is this certificate allowed?"). */
Acheron__Msg *sched_client_call(SchedClient *c, Acheron__Msg *req, AcErr *err);

/* Sends req once and returns; answers then come from sched_client_next
 * (LogChunk streams, Wait). */
int sched_client_send(SchedClient *c, Acheron__Msg *req, AcErr *err);

/* Waits up to timeout_ms for the next message answering the last request
 * sent; NULL with AC_ETIMEOUT when none came. */
Acheron__Msg *sched_client_next(SchedClient *c, uint32_t timeout_ms, AcErr *err);

#endif
