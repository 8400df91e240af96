/*
 * scheduler internals shared by the broker's files: the SQLite store
 * (store.c), the in-memory job table, pending queue and node choice
 * (dispatch.c), and the broker loop with its message handlers (serve.c,
 * nodes.c, requests.c). Not installed; nothing outside scheduler/ and its
 * tests includes it.
 *
 * Shape: one thread. Every batch of ready messages is handled inside one
 * SQLite transaction; what the handlers want to send goes to an outbox that
 * is flushed only after COMMIT, so nothing a peer is told can be lost by a
 * crash (group commit; Majordomo broker loop).
 */
#ifndef AC_SCHED_IMPL_H
#define AC_SCHED_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "scheduler/sched.h"

#define SCHED_MAX_NODES 4096                 /* registered (live or recently dead) nodes */
#define SCHED_MAX_WATCHERS 65536             /* Wait and Logs --follow clients, all jobs */
#define SCHED_MAX_OUTPUT_BYTES (64ull << 20) /* stored output per job attempt, bytes */
#define SCHED_DEAD_KEEP_MS (5 * 60 * 1000)   /* a dead node stays listed this long, ms */
#define SCHED_BATCH_MSGS 512                      /* messages handled per transaction */
#define SCHED_BACKOFF_BASE_MS 250            /* requeue backoff: base * 2^(losses-1) ... */
#define SCHED_BACKOFF_MAX_MS 10000           /* ... capped, ms */
#define SCHED_POLL_MAX_MS 200                /* longest poll, so *stop is seen */
#define SCHED_STATUS_LIMIT 1000              /* Status of all jobs: default newest N */

/* ------------------------------------------------------------ arena */

/* Scratch memory for building one outgoing message: everything allocated
 * here is freed at once by sched_arena_free. Allocation failures set failed
 * and return NULL (callers may check failed once at the end). */
typedef struct SchedArena {
	void **p;
	size_t n, cap;
	int failed;
} SchedArena;

void *sched_arena_alloc(SchedArena *a, size_t n);   /* zeroed */
char *sched_arena_strdup(SchedArena *a, const char *s);
void sched_arena_free(SchedArena *a);

/* ------------------------------------------------------------ jobs and nodes */

typedef struct SchedNode SchedNode;
typedef struct SchedClass SchedClass;

/* A job that is not final (PENDING or RUNNING). Final jobs live only in the
 * store. Owned by the SchedQueue's job table. */
typedef struct SchedJob {
	uint64_t id;
	int state;                /* ACHERON__JOB_STATE__JOB_PENDING or _RUNNING */
	int32_t priority;         /* higher first */
	int strategy;             /* ACHERON__STRATEGY__* */
	uint32_t retries;         /* node losses allowed */
	uint32_t attempts;        /* assignments so far (the current attempt's number) */
	char *name;               /* module name */
	char **args;
	size_t n_args;
	char **requires;          /* capabilities a node must have */
	size_t n_requires;
	uint8_t sha[32];          /* module SHA-256 */
	uint64_t mem_bytes, file_bytes;
	uint32_t cpu_ms, max_files, timeout_ms;
	char node_id[PROTO_MAX_ID + 1]; /* node of the current attempt; "" if none */
	SchedNode *node;          /* that node while it is registered and holds the task */
	int64_t grace_ms;         /* recovered at start-up: requeue then unless its node re-registers holding it; 0 none */
	uint64_t out_bytes;       /* output stored for the current attempt, bytes */
	uint64_t out_end[2];      /* stdout, stderr: bytes [0, out_end) of the stream are
				   * stored (a lost range, stored past, counts as had) */
	int out_warned;           /* logged that output was dropped */
	uint32_t watchers;        /* waiters and followers on this job */
	int queued;               /* in a class heap or the backoff heap */
	SchedClass *cls;          /* its requirement class */
	uint32_t mark;            /* scratch for node registration */
	int64_t submit_ns;        /* monotonic time the Submit arrived; 0 if before a restart */
	struct SchedJob *hnext;   /* job table chain */
} SchedJob;

struct SchedNode {
	char id[PROTO_MAX_ID + 1];    /* node id = routing id */
	size_t idlen;
	char *hostname, *version;
	char **caps;
	size_t n_caps;
	uint32_t cores, gpus, slots;
	uint64_t memory_bytes;
	uint8_t public_key[32];
	int has_key, insecure;
	uint32_t running;             /* tasks assigned here and not finished */
	double load;                  /* from its heartbeats */
	int dead, draining;
	int64_t last_seen_ms;         /* monotonic: last message from it */
	int64_t last_sent_ms;         /* monotonic: last message to it */
	int64_t dead_since_ms;
	uint8_t (*mods)[32];          /* module SHA-256s sent to it since it registered */
	size_t n_mods, cap_mods;
};

void sched_job_free(SchedJob *j);

/* A NULL-terminated copy of n strings (malloc'd, each too); NULL when out of
 * memory. */
char **sched_strv_dup(char **v, size_t n);

/* A growable list of jobs, for collecting before changing the queue. */
typedef struct SchedJobVec {
	SchedJob **v;
	size_t k, cap;
} SchedJobVec;
/* Appends j; returns 0, or -1 when out of memory (j is not added). */
int sched_jobvec_push(SchedJobVec *v, SchedJob *j);
void sched_node_free(SchedNode *n);
/* Whether node n already has the module / remember that it has it now. */
int sched_node_has_module(const SchedNode *n, const uint8_t sha[32]);
int sched_node_add_module(SchedNode *n, const uint8_t sha[32]);

/* ------------------------------------------------------------ choice of node */

/* 1 if every one of req is among the node's capabilities. */
int sched_node_fits(const SchedNode *n, char *const *req, size_t n_req);
/* 1 if the node can take a task now: alive, not draining, a slot free. */
int sched_node_open(const SchedNode *n);
/* Index of the node (among nodes[0..n)) that strategy picks for a task
 * needing req, among open nodes that fit; -1 if none. rr is the round-robin
 * cursor (in/out), seed the random state. least-loaded: fewest running per
 * slot, ties by load then node id; capability: fewest capabilities beyond
 * req, ties least-loaded; random: uniform. */
int sched_pick(SchedNode *const *nodes, size_t n, char *const *req, size_t n_req, int strategy, size_t *rr,
	       unsigned *seed);

/* ------------------------------------------------------------ queue */

/* The active jobs (by id) and the pending ones in dispatch order: one heap
 * per distinct requirement set (priority high first, then id), so a job no
 * open node can take never blocks the jobs behind it; plus a heap of jobs
 * waiting out their requeue backoff. */
typedef struct SchedQueue SchedQueue;

SchedQueue *sched_queue_new(AcErr *err);
void sched_queue_free(SchedQueue *q);   /* frees the jobs too */
/* Takes ownership of j (adds it to the table). AC_ENOMEM. */
int sched_queue_add(SchedQueue *q, SchedJob *j, AcErr *err);
SchedJob *sched_queue_find(SchedQueue *q, uint64_t id);
/* Removes j from the table and frees it (its heap entries go stale). */
void sched_queue_remove(SchedQueue *q, SchedJob *j);
/* Number of jobs in the table. */
size_t sched_queue_count(const SchedQueue *q);
/* Calls f on every job in the table (f must not add or remove). */
void sched_queue_each(SchedQueue *q, void (*f)(SchedJob *, void *), void *arg);
/* Queues a PENDING job for dispatch now (not_before_ms <= now) or later. */
int sched_queue_push(SchedQueue *q, SchedJob *j, int64_t not_before_ms, int64_t now_ms, AcErr *err);
/* Moves jobs whose backoff ended by now into their class heaps; returns the
 * next backoff deadline (monotonic ms) or INT64_MAX. *moved counts them. */
int64_t sched_queue_due(SchedQueue *q, int64_t now_ms, int *moved);
/* Pops the first pending job (priority, then id) that some open node fits,
 * and picks its node; NULL when no pending job can run now. */
SchedJob *sched_queue_next(SchedQueue *q, SchedNode *const *nodes, size_t n, size_t *rr, unsigned *seed,
			   int *node_index);
/* Pending jobs (queued and deferred). */
size_t sched_queue_pending(const SchedQueue *q);

/* ------------------------------------------------------------ store */

/* The SQLite database (WAL): jobs, modules by SHA-256, output chunks,
 * result files. All writes happen between sched_store_begin and
 * sched_store_commit. Errors are AC_EIO naming the database and statement. */
typedef struct SchedStore SchedStore;

SchedStore *sched_store_open(const char *path, AcErr *err);
void sched_store_close(SchedStore *s);
int sched_store_begin(SchedStore *s, AcErr *err);
int sched_store_commit(SchedStore *s, AcErr *err);
/* 1 and *id if a job was submitted with token (16 bytes), 0 if not, <0 error. */
int sched_store_token_find(SchedStore *s, const uint8_t *token, uint64_t *id, AcErr *err);
/* Stores a new PENDING job (and its module, once per SHA-256). */
int sched_store_job_insert(SchedStore *s, const Acheron__SubmitRequest *r, const uint8_t sha[32], uint64_t now_unix_ms,
			   uint64_t *id, AcErr *err);
/* The module's bytes; caller frees *buf. AC_EIO if missing. */
int sched_store_module_get(SchedStore *s, const uint8_t sha[32], uint8_t **buf, size_t *len, AcErr *err);
/* RUNNING, attempt number, node; forgets older attempts' output. */
int sched_store_job_assign(SchedStore *s, uint64_t id, uint32_t attempt, const char *node, AcErr *err);
/* Start time; dispatch_us is submit -> TaskStarted on the monotonic clock
 * (0 unknown). */
int sched_store_job_started(SchedStore *s, uint64_t id, uint64_t start_unix_ms, uint64_t dispatch_us, AcErr *err);
int sched_store_job_requeue(SchedStore *s, uint64_t id, AcErr *err);
/* Final state; r (may be NULL) supplies exit code, usage and result files. */
int sched_store_job_finish(SchedStore *s, uint64_t id, int state, int32_t exit_code, const char *error,
			   uint64_t end_unix_ms, const Acheron__TaskResult *r, AcErr *err);
/* Stores an output chunk unless one with that (stream, offset) is there:
 * 1 stored, 0 duplicate, <0 error. Callers keep each stream contiguous
 * (sched_output_new), so that chunks resent with other boundaries are not
 * stored twice. */
int sched_store_output_add(SchedStore *s, uint64_t id, uint32_t attempt, uint32_t stream, uint64_t offset,
			   const uint8_t *data, size_t len, AcErr *err);
/* Calls f for each stored chunk of attempt, in arrival order. */
int sched_store_output_each(SchedStore *s, uint64_t id, uint32_t attempt,
			    int (*f)(void *arg, uint32_t stream, const uint8_t *data, size_t len), void *arg, AcErr *err);
/* Bytes stored for attempt. */
int sched_store_output_bytes(SchedStore *s, uint64_t id, uint32_t attempt, uint64_t *bytes, AcErr *err);
/* End of each stream's stored output for attempt (end[0] stdout, end[1]
 * stderr: the largest offset + length; 0 when none): SchedJob.out_end after
 * a restart. */
int sched_store_output_ends(SchedStore *s, uint64_t id, uint32_t attempt, uint64_t end[2], AcErr *err);
/* What of an output chunk of len bytes at offset is new, when the stream's
 * bytes [0, have) are stored: returns how many bytes are new, with *skip
 * set to the bytes to drop from the chunk's front (already stored) and *gap
 * to the bytes between have and the chunk (lost for good; 0 normally). A
 * node resends whole streams after a scheduler restart, with boundaries of
 * its own, so a chunk may lie below have, overlap it, or (lost output)
 * start beyond it. */
size_t sched_output_new(uint64_t have, uint64_t offset, size_t len, size_t *skip, uint64_t *gap);
/* Calls f with a fresh SchedJob (f takes ownership) for every PENDING or
 * RUNNING job, oldest first. */
int sched_store_load_active(SchedStore *s, int (*f)(void *arg, SchedJob *j, AcErr *err), void *arg, AcErr *err);
/* The job as JobInfo built in arena a; *info NULL if there is no such job.
 */
int sched_store_job_info(SchedStore *s, uint64_t id, int with_files, SchedArena *a, Acheron__JobInfo **info,
			 AcErr *err);
/* Ids of the newest limit jobs, newest first, into ids (limit entries). */
int sched_store_job_newest(SchedStore *s, uint32_t limit, uint64_t *ids, size_t *n, AcErr *err);

/* ------------------------------------------------------------ the broker */

/* A message packed for sending after the transaction commits. */
typedef struct SchedOut {
	uint8_t id[PROTO_MAX_ID];
	size_t idlen;
	uint8_t *buf;
	size_t len;
	int client;               /* on failure, forget this peer's waiters */
} SchedOut;

/* A client waiting for a job to finish (Wait) or following its output (Logs). */
typedef struct SchedWatch {
	uint8_t id[PROTO_MAX_ID];
	size_t idlen;
	uint64_t job_id;
	uint64_t request_id;
	int follow;               /* 1 Logs --follow, 0 Wait */
} SchedWatch;

/* Peers told Disconnect lately (see send_disconnect in nodes.c). */
#define SCHED_DISCONNECT_MEMORY 64
typedef struct SchedTold {
	uint8_t id[PROTO_MAX_ID];
	size_t idlen;
	int64_t at_ms;
} SchedTold;

typedef struct Sched {
	const SchedOptions *o;
	uint32_t heartbeat_ms, liveness;
	void *router;
	SchedStore *db;
	int in_tx;                /* a transaction is open */
	SchedQueue *q;
	SchedNode **nodes;
	size_t n_nodes, cap_nodes;
	size_t rr;
	unsigned seed;
	SchedOut *out;
	size_t n_out, cap_out;
	SchedWatch *watch;
	size_t n_watch, cap_watch;
	int dirty;                /* something may be dispatchable */
	int64_t grace_ms;         /* recovered RUNNING jobs: deadline, 0 when none left */
	SchedArena arena;         /* for the message being built */
	int64_t batch_ns;         /* monotonic time the message being handled was received */
	AcErr err;                /* scratch for handlers */
	DisTrust *trust;          /* --require-signed: the keys submitted modules must be signed by */
	SchedTold told[SCHED_DISCONNECT_MEMORY];
	size_t told_next;
} Sched;

/* Unix time now, ms. */
uint64_t sched_unix_ms(void);
/* Opens the transaction if none is (handlers call it before writing);
 * returns AC_OK or the store's error. */
int sched_tx(Sched *s);
/* Packs m for peer id, to be sent after commit; frees the arena. */
void sched_out(Sched *s, const uint8_t *id, size_t idlen, Acheron__Msg *m, int client);
void sched_out_node(Sched *s, SchedNode *n, Acheron__Msg *m);
SchedNode *sched_node_find(Sched *s, const char *id, size_t idlen);
/* The job reached a final state: store it, answer its waiters and
 * followers, free its slot and drop it from memory. r may be NULL. */
void sched_job_finish(Sched *s, SchedJob *j, int state, int32_t exit_code, const char *error,
		      const Acheron__TaskResult *r);
/* Node loss for a RUNNING job: requeue with backoff, or NODE_FAIL past retries. */
void sched_job_lost(Sched *s, SchedJob *j, const char *why);
/* Sends TaskAssign for j's current attempt to n (with the module bytes if n
 * has not had them since it registered, or if force_module). */
void sched_assign_send(Sched *s, SchedJob *j, SchedNode *n, int force_module);
/* Node messages (nodes.c) and client requests (requests.c). */
void sched_on_node(Sched *s, ProtoIn *in);
void sched_on_client(Sched *s, ProtoIn *in);
/* Declares node n dead and requeues its tasks. */
void sched_node_dead(Sched *s, SchedNode *n, const char *why);
/* Forwards output to followers / answers watchers when the job is final. */
void sched_watch_output(Sched *s, SchedJob *j, uint32_t stream, const uint8_t *data, size_t len);
void sched_watch_final(Sched *s, uint64_t job_id);
/* Forgets every watcher of a client that went away. */
void sched_watch_drop_peer(Sched *s, const uint8_t *id, size_t idlen);

#endif
