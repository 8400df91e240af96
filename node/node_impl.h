/*
 * node: what node.c (the connection: registration, heartbeats, reconnect,
 * the poll loop) and task.c (a task's process, output and result) share.
 * Private to node/.
 */
#ifndef AC_NODE_IMPL_H
/* The longest reason (TaskResult.error) a node sends, bytes with the NUL,
 * as the scheduler stores it (SCHED_MAX_REASON_BYTES). */
#define NODE_MAX_REASON_BYTES 201
#define AC_NODE_IMPL_H

#include <limits.h>
#include <sys/types.h>

#include "dis/dis.h"
#include "node/node.h"
#include "proto/proto.h"

enum {
	NODE_DOWN,         /* no socket; reconnect at reconnect_at_ms */
	NODE_REGISTERING,  /* Register sent, waiting for Registered */
	NODE_READY,        /* registered */
};

enum {
	TASK_QUEUED,       /* accepted, waiting for a free slot */
	TASK_RUNNING,      /* its process runs (or its pipes are still open) */
	TASK_DONE,         /* result built; kept until ResultAck */
};

typedef struct NodeTask {
	uint64_t job_id;
	uint32_t attempt;
	int state;               /* TASK_* */
	pid_t pid;               /* process (and process group) id; 0 when none */
	int fd[2];               /* read ends of stdout, stderr; -1 when closed */
	uint64_t off[2];         /* bytes of stdout, stderr sent so far */
	int spool_fd[2];         /* spool files of stdout, stderr (spool.c); -1 when closed */
	uint64_t spooled[2];     /* bytes in each spool file: a prefix of its stream */
	int64_t assign_ns;       /* monotonic, when the assignment arrived */
	int64_t start_ms;        /* monotonic, at fork */
	int64_t deadline_ms;     /* wall-clock limit, monotonic; 0 = none */
	int cancelled;           /* TaskCancel killed it */
	int timed_out;           /* the wall-clock limit killed it */
	char dir[PATH_MAX];      /* WORK/tasks/JOB.ATTEMPT */
	char module[PATH_MAX];   /* the cached module's path */
	char **args;             /* nargs strings; owned */
	size_t nargs;
	uint64_t memory_bytes, file_bytes; /* limits, as in Limits */
	uint32_t cpu_ms, max_files, timeout_ms;
	Acheron__TaskResult result; /* TASK_DONE: what is sent until acked; owns its files */
	char error[NODE_MAX_REASON_BYTES]; /* result.error points here */
	char err_tail[1024];     /* the last bytes of stderr: its last line says why a task failed */
	char name[128];          /* the module's name as submitted, for reasons */
	size_t err_tail_len;
	int listed;              /* 1: listed in Register.held and resent (not MODULE_MISSING) */
	struct NodeTask *next;
} NodeTask;

typedef struct Node {
	const NodeOptions *o;
	char id[PROTO_MAX_ID + 1];
	char hostname[256];
	ProtoCert cert;
	char server_pub[PROTO_KEY_Z85 + 1];
	uint8_t public_key[32];
	NodeSysinfo si;
	char *caps[NODE_MAX_CAPABILITIES];  /* point into o->capabilities or si.caps */
	size_t ncaps;
	uint32_t slots;
	uint32_t blas_threads;   /* OPENBLAS_NUM_THREADS of tasks (memory rule) */
	char work[PATH_MAX];
	char tasks_dir[PATH_MAX];
	char spool_dir[PATH_MAX]; /* WORK/spool: tasks' output, kept until ResultAck */
	char dis_run[PATH_MAX];
	char trust_dir[PATH_MAX];
	DisTrust *trust;         /* NULL when insecure */
	NodeCache *cache;
	void *ctx, *sock;
	int state;               /* NODE_* */
	uint32_t heartbeat_ms, liveness;
	uint32_t backoff_ms;     /* next reconnect interval */
	int64_t last_recv_ms, last_send_ms, reconnect_at_ms, register_ms;
	int sigfd;               /* signalfd for SIGCHLD */
	NodeTask *tasks;
	uint32_t running;        /* tasks with a live process */
} Node;

/* node.c: sends m to the scheduler; a no-op while DOWN (output sent then
 * is lost, and resent from the spool with the results after registering). */
int node_send(Node *n, Acheron__Msg *m);

/* task.c */
void node_task_assign(Node *n, const Acheron__TaskAssign *a);
void node_task_cancel(Node *n, uint64_t job_id, uint32_t attempt);
void node_task_ack(Node *n, uint64_t job_id, uint32_t attempt);
/* Reads what a task's pipe holds (stream 0 stdout, 1 stderr) and sends it. */
void node_task_read(Node *n, NodeTask *t, int stream);
/* Reaps every exited child (wait4, no blocking) and reports its result. */
void node_task_reap(Node *n);
/* Kills the tasks whose wall-clock limit has passed; returns the earliest
 * deadline still ahead (0 if none). */
int64_t node_task_timeouts(Node *n, int64_t now_ms);
/* Starts queued tasks while slots are free. */
void node_task_start_queued(Node *n);
/* After Registered: resends every held task's spooled output (from offset
 * 0), then, for a finished one, its unacked result. */
void node_task_resend(Node *n);
/* Kills every process group and waits (bounded) for them. */
void node_task_kill_all(Node *n);
/* Removes a directory tree (tasks' directories). */
void node_rmtree(const char *path);

/* spool.c: a task's output kept for a resend after the scheduler restarts.
 * Path of stream's (0 stdout, 1 stderr) spool file: SPOOL_DIR/JOB.ATTEMPT.1
 * or .2. */
void node_spool_path(const char *spool_dir, const NodeTask *t, int stream, char *path, size_t size);
/* Creates (truncating) both spool files of t and opens them for appending;
 * AC_EIO naming the file (none is left open). */
int node_spool_open(const char *spool_dir, NodeTask *t, AcErr *err);
/* Appends len bytes of stream's output, as far as both streams together
 * stay within max_bytes; past it, or after a failed write (logged), the
 * stream's spool stops, so a spool file is always a prefix of its stream. */
void node_spool_write(NodeTask *t, int stream, const uint8_t *buf, size_t len, uint64_t max_bytes);
/* Closes the spool files (the task's pipes are closed); keeps them. */
void node_spool_close(NodeTask *t);
/* Closes and deletes both spool files (the result is acked). */
void node_spool_remove(const char *spool_dir, NodeTask *t);
/* Calls f on the spooled bytes of stream in chunks of at most
 * PROTO_MAX_OUTPUT_CHUNK with their offsets in the stream, from 0; stops at
 * f's first non-AC_OK answer and returns it. AC_EIO naming the file. */
int node_spool_each(const char *spool_dir, const NodeTask *t, int stream,
		    int (*f)(void *arg, uint64_t offset, const uint8_t *data, size_t len), void *arg, AcErr *err);

#endif
