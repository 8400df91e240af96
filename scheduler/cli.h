/*
 * What the dis-sched command needs besides the client API: parsing of its
 * option values (cli_parse.c) and the tables and JSON it prints
 * (cli_format.c). Private to tools/dis-sched.c and its tests.
 *
 * Follows: Slurm's squeue and sinfo (fixed columns, one row per job or
 * node); JSON through jansson only.
 */
#ifndef AC_SCHED_CLI_H
#define AC_SCHED_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "proto/proto.h"
#include "scheduler/sched.h"

/* Exit statuses of the client commands (man/dis-sched.1). */
enum {
	SCHED_EXIT_OK = 0,          /* success; the job waited for COMPLETED */
	SCHED_EXIT_JOB = 1,         /* job not COMPLETED, not found, refused, or another error */
	SCHED_EXIT_USAGE = 2,
	SCHED_EXIT_UNREACHABLE = 3, /* no answer within the request timeout */
};

/* ------------------------------------------------------------ parsing */

/* A decimal integer in [min, max], nothing else. Returns 0 or -1. */
int sched_cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* A job id: a decimal number >= 1. Returns 0 or -1. */
int sched_cli_parse_job(const char *s, uint64_t *id);

/* A size in bytes: a number with an optional suffix k, m, g, t (powers of
 * 1024, either case, an optional trailing b/B): "512m", "2G", "4096".
 * Returns 0, or -1 if malformed, zero or above 2^62 bytes. */
int sched_cli_parse_size(const char *s, uint64_t *bytes);

/* A duration in seconds, as a user writes it: "30", "1.5", "90s", "10m",
 * "2h", "1d". *ms is in milliseconds, >= 1 and <= UINT32_MAX (49 days).
 * Returns 0 or -1. */
int sched_cli_parse_seconds(const char *s, uint32_t *ms);

/* "round-robin", "least-loaded", "random", "capability" to
 * ACHERON__STRATEGY__*. Returns 0 or -1. */
int sched_cli_parse_strategy(const char *s, int *strategy);

/* ------------------------------------------------------------ names */

/* JobState and NodeState without their prefix ("COMPLETED", "DRAINING"),
 * and the strategy's option spelling; "UNKNOWN" / "?" for anything else.
 * Static storage. */
const char *sched_cli_job_state(int state);
const char *sched_cli_node_state(int state);
const char *sched_cli_strategy(int strategy);

/* 1 if the job state is final (COMPLETED, FAILED, CANCELLED, TIMED_OUT,
 * NODE_FAIL). */
int sched_cli_job_final(int state);

/* ------------------------------------------------------------ formatting */

/* A duration for people: "0.4s", "12s", "3m05s", "2h07m", "3d04h". ms >= 0. */
void sched_cli_duration(uint64_t ms, char *buf, size_t size);

/* Unix time now, milliseconds. */
uint64_t sched_cli_unix_ms(void);

/* How long the job has run (or ran), ms: end (or now) - start; 0 if it
 * never started. */
uint64_t sched_cli_job_elapsed_ms(const Acheron__JobInfo *j, uint64_t now_unix_ms);

/* squeue-like table, a header and one row per job:
 * JOBID STATE NODE ATTEMPTS EXIT TIME NAME REASON (why a job failed, timed
 * out, was cancelled or lost its node; "-" when there is none). */
void sched_cli_print_jobs(FILE *f, Acheron__JobInfo *const *jobs, size_t n);

/* One line for a finished (or any) job, as `wait` prints it:
 * "42 COMPLETED exit 0 on n1 after 1.2s" plus ": error" when there is one. */
void sched_cli_print_job_line(FILE *f, const Acheron__JobInfo *j);

/* sinfo-like table: NODE STATE SLOTS RUNNING LOAD CAPABILITIES. */
void sched_cli_print_nodes(FILE *f, Acheron__NodeInfo *const *nodes, size_t n);

/* The job / node as a JSON object (new reference; NULL only when out of
 * memory). Keys are documented in man/dis-sched.1. */
json_t *sched_cli_job_json(const Acheron__JobInfo *j);
json_t *sched_cli_node_json(const Acheron__NodeInfo *n);

/* Prints j (indented, keys in insertion order) and a newline to f, then
 * releases j. Returns 0, or -1 if it could not be encoded. */
int sched_cli_print_json(FILE *f, json_t *j);

/* ------------------------------------------------------------ requests (cli_stream.c) */

/* Sends req with sched_client_call and returns the answer if its body is
 * want (free with acheron__msg__free_unpacked). Otherwise prints one line
 * "PROG: reason" on stderr (the scheduler's refusal, or no answer) and
 * returns NULL with *status the exit status (SCHED_EXIT_*). */
Acheron__Msg *sched_cli_call(SchedClient *c, Acheron__Msg *req, int want, const char *prog, int *status);

/* `wait`: blocks until the job is final, then prints its line (or, json,
 * its JSON object) on stdout. While nothing comes for 2 s it probes the
 * scheduler with a Status request: no answer to that within the request
 * timeout is SCHED_EXIT_UNREACHABLE. progress: keep a status line up to
 * date on stderr (for terminals). Returns the exit status: OK when
 * COMPLETED, JOB otherwise. */
int sched_cli_wait(SchedClient *c, uint64_t job, int json, int progress, const char *prog);

/* `logs`: writes the job's stored output, stdout chunks to stdout and
 * stderr chunks to stderr; with follow, then what comes until the job
 * ends. When the request has to be made again (reconnect), the bytes
 * already written are not written twice. Returns the exit status. */
int sched_cli_logs(SchedClient *c, uint64_t job, int follow, const char *prog);

#endif
