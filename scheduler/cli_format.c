/* dis-sched's output: state names, durations, squeue/sinfo tables, JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/cli.h"

static const char *const job_states[] = {
	[ACHERON__JOB_STATE__JOB_PENDING] = "PENDING",
	[ACHERON__JOB_STATE__JOB_RUNNING] = "RUNNING",
	[ACHERON__JOB_STATE__JOB_COMPLETED] = "COMPLETED",
	[ACHERON__JOB_STATE__JOB_FAILED] = "FAILED",
	[ACHERON__JOB_STATE__JOB_CANCELLED] = "CANCELLED",
	[ACHERON__JOB_STATE__JOB_TIMED_OUT] = "TIMED_OUT",
	[ACHERON__JOB_STATE__JOB_NODE_FAIL] = "NODE_FAIL",
};

static const char *const node_states[] = {
	[ACHERON__NODE_STATE__NODE_IDLE] = "IDLE",
	[ACHERON__NODE_STATE__NODE_BUSY] = "BUSY",
	[ACHERON__NODE_STATE__NODE_DRAINING] = "DRAINING",
	[ACHERON__NODE_STATE__NODE_DEAD] = "DEAD",
};

const char *
sched_cli_job_state(int state)
{
	if (state > 0 && state < (int)(sizeof job_states / sizeof job_states[0]))
		return job_states[state];
	return "UNKNOWN";
}

const char *
sched_cli_node_state(int state)
{
	if (state > 0 && state < (int)(sizeof node_states / sizeof node_states[0]))
		return node_states[state];
	return "UNKNOWN";
}

int
sched_cli_job_final(int state)
{
	return state >= ACHERON__JOB_STATE__JOB_COMPLETED && state <= ACHERON__JOB_STATE__JOB_NODE_FAIL;
}

void
sched_cli_duration(uint64_t ms, char *buf, size_t size)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (ms < 10000)
		snprintf(buf, size, "%.1fs", (double)ms / 1000);
	else if (s < 60)
		snprintf(buf, size, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
}

uint64_t
sched_cli_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
sched_cli_job_elapsed_ms(const Acheron__JobInfo *j, uint64_t now_unix_ms)
{
	uint64_t end = j->end_time_ms != 0 ? j->end_time_ms : now_unix_ms;

	if (j->start_time_ms == 0 || end < j->start_time_ms)
		return 0;
	return end - j->start_time_ms;
}

/* The exit column: the exit code of a finished job, "-" otherwise. */
static void
exit_str(const Acheron__JobInfo *j, char *buf, size_t size)
{
	if (sched_cli_job_final(j->state) && j->state != ACHERON__JOB_STATE__JOB_CANCELLED)
		snprintf(buf, size, "%d", (int)j->exit_code);
	else
		snprintf(buf, size, "-");
}

void
sched_cli_print_jobs(FILE *f, Acheron__JobInfo *const *jobs, size_t n)
{
	uint64_t now = sched_cli_unix_ms();

	/* REASON last, as squeue's NODELIST(REASON): it is the one long field. */
	fprintf(f, "%8s %-10s %-16s %8s %4s %8s  %-16s  %s\n", "JOBID", "STATE", "NODE", "ATTEMPTS", "EXIT", "TIME",
		"NAME", "REASON");
	for (size_t i = 0; i < n; i++) {
		const Acheron__JobInfo *j = jobs[i];
		char ex[16], t[32];

		exit_str(j, ex, sizeof ex);
		if (j->start_time_ms != 0)
			sched_cli_duration(sched_cli_job_elapsed_ms(j, now), t, sizeof t);
		else
			snprintf(t, sizeof t, "-");
		fprintf(f, "%8" PRIu64 " %-10s %-16.16s %8u %4s %8s  %-16s  %s\n", j->job_id,
			sched_cli_job_state(j->state), j->node_id != NULL && j->node_id[0] ? j->node_id : "-", j->attempts,
			ex, t, j->module_name != NULL && j->module_name[0] ? j->module_name : "-",
			j->error != NULL && j->error[0] ? j->error : "-");
	}
}

void
sched_cli_print_job_line(FILE *f, const Acheron__JobInfo *j)
{
	char t[32];

	fprintf(f, "%" PRIu64 " %s", j->job_id, sched_cli_job_state(j->state));
	/* A task that never ran (refused, could not start) or was killed has
	 * no exit status worth printing: its error says what happened. */
	if (sched_cli_job_final(j->state) && j->state != ACHERON__JOB_STATE__JOB_CANCELLED &&
	    (j->exit_code != 0 || j->error == NULL || j->error[0] == 0))
		fprintf(f, " exit %d", (int)j->exit_code);
	if (j->node_id != NULL && j->node_id[0])
		fprintf(f, " on %s", j->node_id);
	if (j->start_time_ms != 0) {
		sched_cli_duration(sched_cli_job_elapsed_ms(j, sched_cli_unix_ms()), t, sizeof t);
		fprintf(f, " after %s", t);
	}
	if (j->attempts > 1)
		fprintf(f, " (%u attempts)", j->attempts);
	if (j->error != NULL && j->error[0])
		fprintf(f, ": %s", j->error);
	fputc('\n', f);
}

void
sched_cli_print_nodes(FILE *f, Acheron__NodeInfo *const *nodes, size_t n)
{
	fprintf(f, "%-16s %-8s %5s %7s %6s  %s\n", "NODE", "STATE", "SLOTS", "RUNNING", "LOAD", "CAPABILITIES");
	for (size_t i = 0; i < n; i++) {
		const Acheron__NodeInfo *d = nodes[i];
		fprintf(f, "%-16s %-8s %5u %7u %6.2f  ", d->node_id, sched_cli_node_state(d->state), d->slots, d->running,
			d->load);
		if (d->n_capabilities == 0)
			fputc('-', f);
		for (size_t k = 0; k < d->n_capabilities; k++)
			fprintf(f, "%s%s", k ? "," : "", d->capabilities[k]);
		fputc('\n', f);
	}
}

/* ------------------------------------------------------------ JSON */

/* A JSON string of s (NULL as ""); bytes that are not UTF-8 (protobuf-c does
 * not check) become '?' rather than losing the field. */
static json_t *
text(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");
	char *copy;

	if (j != NULL || (copy = strdup(s)) == NULL)
		return j;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *
strings(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, text(v[i]));
	return a;
}

/* A Unix time in ms, or null when 0 ("not yet"). */
static json_t *
time_or_null(uint64_t ms)
{
	return ms != 0 ? json_integer((json_int_t)ms) : json_null();
}

json_t *
sched_cli_job_json(const Acheron__JobInfo *j)
{
	json_t *o = json_object(), *files = json_array(), *lim = json_object();
	const Acheron__Limits *l = j->limits;

	if (o == NULL || files == NULL || lim == NULL) {
		json_decref(o);
		json_decref(files);
		json_decref(lim);
		return NULL;
	}
	json_object_set_new(o, "job_id", json_integer((json_int_t)j->job_id));
	json_object_set_new(o, "state", json_string(sched_cli_job_state(j->state)));
	json_object_set_new(o, "name", text(j->module_name));
	json_object_set_new(o, "module_sha256", text(j->module_sha256));
	json_object_set_new(o, "args", strings(j->args, j->n_args));
	json_object_set_new(o, "priority", json_integer(j->priority));
	json_object_set_new(o, "strategy", json_string(sched_cli_strategy(j->strategy)));
	json_object_set_new(o, "requires", strings(j->requires, j->n_requires));
	json_object_set_new(o, "retries", json_integer(j->retries));
	json_object_set_new(o, "attempts", json_integer(j->attempts));
	json_object_set_new(o, "node", j->node_id && j->node_id[0] ? text(j->node_id) : json_null());
	json_object_set_new(o, "exit_code", json_integer(j->exit_code));
	/* "reason" is what status shows; "error", the same text, stays for
	 * scripts written before it. */
	json_object_set_new(o, "reason", text(j->error));
	json_object_set_new(o, "error", text(j->error));
	json_object_set_new(o, "submit_time_ms", time_or_null(j->submit_time_ms));
	json_object_set_new(o, "start_time_ms", time_or_null(j->start_time_ms));
	json_object_set_new(o, "end_time_ms", time_or_null(j->end_time_ms));
	json_object_set_new(o, "elapsed_ms", json_integer((json_int_t)sched_cli_job_elapsed_ms(j, sched_cli_unix_ms())));
	json_object_set_new(o, "dispatch_us", j->dispatch_us ? json_integer((json_int_t)j->dispatch_us) : json_null());
	json_object_set_new(lim, "memory_bytes", json_integer(l ? (json_int_t)l->memory_bytes : 0));
	json_object_set_new(lim, "cpu_ms", json_integer(l ? l->cpu_ms : 0));
	json_object_set_new(lim, "max_files", json_integer(l ? l->max_files : 0));
	json_object_set_new(lim, "file_bytes", json_integer(l ? (json_int_t)l->file_bytes : 0));
	json_object_set_new(lim, "timeout_ms", json_integer(l ? l->timeout_ms : 0));
	json_object_set_new(o, "limits", lim);
	for (size_t i = 0; i < j->n_files; i++)
		json_array_append_new(files, text(j->files[i]->name));
	json_object_set_new(o, "files", files);
	return o;
}

json_t *
sched_cli_node_json(const Acheron__NodeInfo *n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "node", text(n->node_id));
	json_object_set_new(o, "hostname", text(n->hostname));
	json_object_set_new(o, "state", json_string(sched_cli_node_state(n->state)));
	json_object_set_new(o, "capabilities", strings(n->capabilities, n->n_capabilities));
	json_object_set_new(o, "cores", json_integer(n->cores));
	json_object_set_new(o, "memory_bytes", json_integer((json_int_t)n->memory_bytes));
	json_object_set_new(o, "gpus", json_integer(n->gpus));
	json_object_set_new(o, "slots", json_integer(n->slots));
	json_object_set_new(o, "running", json_integer(n->running));
	json_object_set_new(o, "load", json_real(n->load));
	json_object_set_new(o, "last_seen_ms_ago", json_integer((json_int_t)n->last_seen_ms_ago));
	json_object_set_new(o, "version", text(n->version));
	json_object_set_new(o, "public_key", text(n->public_key));
	json_object_set_new(o, "insecure", json_boolean(n->insecure));
	return o;
}

int
sched_cli_print_json(FILE *f, json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	if (s == NULL)
		return -1;
	fputs(s, f);
	fputc('\n', f);
	free(s);
	return 0;
}
