/*
 * node: the worker that `dis-node join` runs. It connects a DEALER to the
 * scheduler, registers, heartbeats both ways, runs each assigned task in a
 * child process running dis-run under the job's limits, streams the task's
 * output (spooled, to resend it after a scheduler restart) and reports its
 * result until the scheduler acknowledges it.
 *
 * Follows: proto/acheron.proto (the messages and who sends them); the ZeroMQ
 * guide's Paranoid Pirate worker (heartbeats, liveness, reconnect with
 * doubling backoff) and Majordomo (registration); Slurm's slurmd (one
 * process group per task, rlimits, a per-task working directory).
 */
#ifndef AC_NODE_H
#define AC_NODE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define NODE_VERSION "0.6"
#define NODE_MAX_CAPABILITIES 32
#define NODE_DEFAULT_HEARTBEAT_MS 1000
#define NODE_DEFAULT_LIVENESS 3
#define NODE_MAX_BACKOFF_MS 32000     /* reconnect interval cap (Paranoid Pirate) */
#define NODE_DEFAULT_MAX_FILES 256    /* RLIMIT_NOFILE when the job sets none */
/* The limits a task runs under when its job sets none, unless the node's
 * options (dis-node --default-*) say otherwise: no task runs unbounded. */
#define NODE_DEFAULT_MEMORY_BYTES ((uint64_t)2 << 30) /* Dis heap and tensors (--heap-max) */
#define NODE_DEFAULT_CPU_MS 3600000u      /* RLIMIT_CPU: 1 hour */
#define NODE_DEFAULT_TIMEOUT_MS 3600000u  /* wall clock: 1 hour */
#define NODE_DEFAULT_MAX_THREADS 1024u    /* dis-run --max-threads: spawned threads alive */
#define NODE_DEFAULT_MAX_OUTPUT_BYTES ((uint64_t)1 << 30) /* dis-run --max-output: stdout and stderr */
#define NODE_MAX_RESULT_BYTES (64u << 20) /* result files of one task, in all */
#define NODE_MAX_SPOOL_BYTES (64ull << 20) /* output of one task spooled for resend, both
					    * streams: what the scheduler keeps
					    * (SCHED_MAX_OUTPUT_BYTES) */

/* What a task's process may read besides its module and its directory
 * when no --data is given: Debian's datasets. */
#define NODE_DEFAULT_DATA "/usr/share/datasets"
enum { NODE_MAX_DATA = 16 };

typedef struct NodeOptions {
	const char *endpoint;       /* scheduler, e.g. "tcp://127.0.0.1:5555" */
	const char *server_key;     /* scheduler's public certificate file (.curve.pub) */
	const char *cert;           /* this node's certificate file (.curve, with secret) */
	const char *const *capabilities; /* ncapabilities names [a-z0-9_.-]{1,64}; detected
				     * ones (node_sysinfo_get) are added */
	size_t ncapabilities;
	uint32_t slots;             /* tasks at once; 0 = the number of cores */
	const char *trust;          /* trust store directory; required unless insecure */
	int insecure;               /* run unsigned modules (no verification) */
	const char *node_id;        /* routing id; NULL = HOSTNAME-PID */
	const char *work;           /* work directory (cache/, tasks/, spool/ under it);
				     * NULL = $TMPDIR/acheron-node-NODEID */
	uint32_t heartbeat_ms;      /* until Registered says otherwise; 0 = 1000 */
	uint32_t liveness;          /* likewise; 0 = 3 */
	const char *dis_run;        /* dis-run binary; NULL = the one beside this executable */
	const char *const *data;    /* ndata (at most NODE_MAX_DATA) directories tasks may
				     * read besides their own (dis-run --allow-read);
				     * none given = NODE_DEFAULT_DATA */
	size_t ndata;
	/* Limits of a task whose job leaves them 0 (proto Limits); 0 here =
	 * the NODE_DEFAULT_* above. */
	uint64_t default_memory_bytes;
	uint32_t default_cpu_ms;
	uint32_t default_timeout_ms;
	uint64_t default_max_instructions; /* dis-run --max-instructions; 0 = none */
	uint32_t default_max_threads;      /* dis-run --max-threads of every task */
	uint32_t default_max_files;        /* dis-run --max-files of a task whose job sets
					    * no max_files (which also sets RLIMIT_NOFILE) */
	uint64_t default_max_output_bytes; /* dis-run --max-output of every task */
} NodeOptions;

/* Runs the node until *stop becomes non-zero (set it from a SIGTERM/SIGINT
 * handler; node_run checks it at least every 100 ms), then kills every
 * running task's process group, tells the scheduler (Disconnect) and returns
 * AC_OK. Losing the scheduler is not an error: the node reconnects with
 * backoff for as long as it runs.
 * Signals: blocks SIGCHLD in the calling thread (it reaps through a
 * signalfd) and, while creating its ZeroMQ threads, SIGTERM and SIGINT, so
 * that those reach the calling thread and interrupt its poll at once.
 * Errors (returned at once, before connecting): AC_EINVAL for bad options
 * (no trust store without insecure, bad node id or capability, dis-run not
 * executable), AC_EIO/AC_EFORMAT for unreadable certificates or trust store,
 * each naming the file or option. Not thread safe: one node per process. */
int node_run(const NodeOptions *o, volatile sig_atomic_t *stop, AcErr *err);

/* ------------------------------------------------------------ the machine */

typedef struct NodeSysinfo {
	uint32_t cores;              /* online CPUs this process may use */
	uint64_t memory_bytes;       /* physical memory, bytes */
	uint32_t gpus;               /* /dev/nvidia[0-9]* device files */
	char caps[8][16];            /* detected capabilities: "gpu", "avx2", "avx512f" */
	size_t ncaps;
} NodeSysinfo;

/* Fills si from sysconf, sched_getaffinity, /dev and the CPU's feature
 * flags. Never fails (unknown values are 1 core, 0 bytes, 0 GPUs). */
void node_sysinfo_get(NodeSysinfo *si);

/* 1 if s is a capability name the protocol accepts: 1-64 of [a-z0-9_.-]. */
int node_capability_ok(const char *s);

/* The address-space limit (RLIMIT_AS, bytes) of a task whose job asks for
 * memory_bytes (its Dis heap quota, passed to dis-run as --heap-max) when
 * its BLAS library runs blas_threads threads. Measured (see man/dis-node.1):
 * dis-run maps its heap arena 64 MiB beyond the quota; code, libraries and
 * one OpenBLAS thread take about 150 MiB; each further BLAS thread about
 * 136 MiB (its stack and malloc arena); tensors live outside the Dis heap.
 * Rule: 2 * memory_bytes (heap + as much again for tensors) + 256 MiB, at
 * least 768 MiB (below about 512 MiB OpenBLAS spins retrying its buffer
 * allocation instead of failing), + 160 MiB per BLAS thread beyond the
 * first. 0 means no limit and gives 0. */
uint64_t node_task_as_bytes(uint64_t memory_bytes, uint32_t blas_threads);

/* ------------------------------------------------------------ the module cache */

/* The module cache: DIR/HEX.dis, where HEX is the SHA-256 of the file's
 * bytes (64 lowercase hex digits). Files are written atomically and checked
 * against their name when first used, so a torn or altered file is never
 * run. Entries found good are remembered in memory for the node's life. */
typedef struct NodeCache NodeCache;

/* Opens (creating it, mode 0755) the cache directory dir (copied). Returns
 * NULL with AC_EIO naming dir. Free with node_cache_free (accepts NULL). */
NodeCache *node_cache_open(const char *dir, AcErr *err);
void node_cache_free(NodeCache *c);

/* Adds len bytes at buf as the module whose SHA-256 is sha. Returns
 * AC_ESIG "module bytes do not match their SHA-256 ..." if they do not hash
 * to sha (nothing is written), AC_EIO naming the file if it cannot be
 * written. A module already present is not written again. */
int node_cache_put(NodeCache *c, const uint8_t sha[32], const uint8_t *buf, size_t len, AcErr *err);

/* 1 if the module is in the cache and its bytes match sha (checked once per
 * node life, then remembered); 0 if it is absent or damaged (a damaged file
 * is removed). Copies its path into path (size bytes) when path is not NULL. */
int node_cache_has(NodeCache *c, const uint8_t sha[32], char *path, size_t size);

/* Path of the module's file (whether or not it exists). */
void node_cache_path(const NodeCache *c, const uint8_t sha[32], char *path, size_t size);

/* Marks a cached module as verified against the trust store (1) and asks
 * whether it was (node_cache_verified), so a module is checked once. */
void node_cache_set_verified(NodeCache *c, const uint8_t sha[32]);
int node_cache_verified(const NodeCache *c, const uint8_t sha[32]);

/* 64 lowercase hex digits of sha into hex (65 bytes). */
void node_sha_hex(const uint8_t sha[32], char *hex);

#endif
