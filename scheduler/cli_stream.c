/*
 * dis-sched's requests: one-shot calls, and the two that the scheduler
 * answers over time (Wait, Logs). A held Wait gets no answer until its job
 * ends, so silence alone says nothing; after PROBE_MS of it we ask for the
 * job's Status (an ordinary Lazy Pirate call): no answer to that within the
 * request timeout means the scheduler is unreachable, and a final state in
 * it ends the wait even if the held request was lost (scheduler restart).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scheduler/cli.h"

#define PROBE_MS 2000   /* silence before a Status probe, ms */
#define SLICE_MS 1000   /* longest wait for one message (progress refresh), ms */

Acheron__Msg *
sched_cli_call(SchedClient *c, Acheron__Msg *req, int want, const char *prog, int *status)
{
	AcErr err;
	Acheron__Msg *m = sched_client_call(c, req, &err);

	if (m == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		*status = err.code == AC_ETIMEOUT ? SCHED_EXIT_UNREACHABLE : SCHED_EXIT_JOB;
		return NULL;
	}
	if (m->body_case == ACHERON__MSG__BODY_REPLY && !m->reply->ok) {
		const char *e = m->reply->error;
		if (e != NULL && e[0])
			fprintf(stderr, "%s: %s\n", prog, e);
		else
			fprintf(stderr, "%s: request refused (code %u)\n", prog, m->reply->code);
		*status = SCHED_EXIT_JOB;
	} else if ((int)m->body_case != want) {
		fprintf(stderr, "%s: unexpected answer %s to %s\n", prog, proto_body_name(m->body_case),
			proto_body_name(req->body_case));
		*status = SCHED_EXIT_JOB;
	} else {
		return m;
	}
	acheron__msg__free_unpacked(m, NULL);
	return NULL;
}

/* Asks for the job's state. Returns the answer holding exactly one job, or
 * NULL with *status set (message printed). */
static Acheron__Msg *
probe(SchedClient *c, uint64_t job, const char *prog, int *status)
{
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	Acheron__StatusRequest sr = ACHERON__STATUS_REQUEST__INIT;

	sr.job_id = job;
	req.body_case = ACHERON__MSG__BODY_STATUS;
	req.status = &sr;
	m = sched_cli_call(c, &req, ACHERON__MSG__BODY_STATUS_REPLY, prog, status);
	if (m != NULL && m->status_reply->n_jobs != 1) {
		fprintf(stderr, "%s: job %" PRIu64 " not found\n", prog, job);
		*status = SCHED_EXIT_JOB;
		acheron__msg__free_unpacked(m, NULL);
		return NULL;
	}
	return m;
}

/* ------------------------------------------------------------ wait */

/* Erases the progress line (stderr), if one is shown. */
static void
progress_clear(int *shown)
{
	if (*shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		*shown = 0;
	}
}

static void
progress_show(int *shown, uint64_t job, int state, const char *node, uint64_t start_ms, int64_t waited_ms)
{
	char t[32];

	if (state == 0) {
		sched_cli_duration((uint64_t)waited_ms, t, sizeof t);
		fprintf(stderr, "\r\033[Kjob %" PRIu64 ": waiting %s", job, t);
	} else if (start_ms != 0) {
		uint64_t now = sched_cli_unix_ms();
		sched_cli_duration(now > start_ms ? now - start_ms : 0, t, sizeof t);
		fprintf(stderr, "\r\033[Kjob %" PRIu64 ": %s on %s for %s", job, sched_cli_job_state(state),
			node[0] ? node : "?", t);
	} else {
		sched_cli_duration((uint64_t)waited_ms, t, sizeof t);
		fprintf(stderr, "\r\033[Kjob %" PRIu64 ": %s, waited %s", job, sched_cli_job_state(state), t);
	}
	fflush(stderr);
	*shown = 1;
}

/* The job is final: print it; the exit status. */
static int
finished(const Acheron__JobInfo *j, int json)
{
	if (json) {
		json_t *o = sched_cli_job_json(j);
		if (sched_cli_print_json(stdout, o) != 0)
			return SCHED_EXIT_JOB;
	} else {
		sched_cli_print_job_line(stdout, j);
	}
	fflush(stdout);
	return j->state == ACHERON__JOB_STATE__JOB_COMPLETED ? SCHED_EXIT_OK : SCHED_EXIT_JOB;
}

int
sched_cli_wait(SchedClient *c, uint64_t job, int json, int progress, const char *prog)
{
	Acheron__Msg req = ACHERON__MSG__INIT, *m;
	Acheron__WaitRequest wr = ACHERON__WAIT_REQUEST__INIT;
	AcErr err;
	int64_t t0 = ac_clock_ms(), heard = t0;
	int shown = 0, state = 0, status = SCHED_EXIT_JOB;
	char node[PROTO_MAX_ID + 1] = "";
	uint64_t start_ms = 0;

	wr.job_id = job;
	req.body_case = ACHERON__MSG__BODY_WAIT;
	req.wait = &wr;
	if (sched_client_send(c, &req, &err) != AC_OK) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return SCHED_EXIT_JOB;
	}
	for (;;) {
		m = sched_client_next(c, SLICE_MS, &err);
		if (m != NULL) {
			heard = ac_clock_ms();
			if (m->body_case == ACHERON__MSG__BODY_REPLY && !m->reply->ok) {
				progress_clear(&shown);
				fprintf(stderr, "%s: %s\n", prog, m->reply->error[0] ? m->reply->error : "wait refused");
				acheron__msg__free_unpacked(m, NULL);
				return SCHED_EXIT_JOB;
			}
			if (m->body_case == ACHERON__MSG__BODY_STATUS_REPLY && m->status_reply->n_jobs == 1 &&
			    sched_cli_job_final(m->status_reply->jobs[0]->state)) {
				progress_clear(&shown);
				status = finished(m->status_reply->jobs[0], json);
				acheron__msg__free_unpacked(m, NULL);
				return status;
			}
			acheron__msg__free_unpacked(m, NULL);
			continue;
		}
		if (err.code != AC_ETIMEOUT) {
			progress_clear(&shown);
			fprintf(stderr, "%s: %s\n", prog, err.msg);
			return SCHED_EXIT_JOB;
		}
		if (ac_clock_ms() - heard >= PROBE_MS) {
			const Acheron__JobInfo *j;
			progress_clear(&shown);
			if ((m = probe(c, job, prog, &status)) == NULL)
				return status;
			heard = ac_clock_ms();
			j = m->status_reply->jobs[0];
			if (sched_cli_job_final(j->state)) {
				status = finished(j, json);
				acheron__msg__free_unpacked(m, NULL);
				return status;
			}
			state = j->state;
			start_ms = j->start_time_ms;
			snprintf(node, sizeof node, "%s", j->node_id != NULL ? j->node_id : "");
			acheron__msg__free_unpacked(m, NULL);
		}
		if (progress)
			progress_show(&shown, job, state, node, start_ms, ac_clock_ms() - t0);
	}
}

/* ------------------------------------------------------------ logs */

/* What a logs command has written of each stream (1 stdout, 2 stderr), so
 * that a request made again, which starts the output over, is not written
 * twice. */
typedef struct LogPos {
	uint32_t attempt;     /* the attempt whose output is being written */
	uint64_t request_id;  /* the request the current answers belong to */
	uint64_t got[3];      /* bytes received under that request, per stream */
	uint64_t written[3];  /* bytes written, per stream */
} LogPos;

static void
log_chunk(LogPos *p, uint64_t request_id, const Acheron__LogChunk *ch)
{
	uint32_t s = ch->stream;
	uint64_t off;
	size_t skip;

	if (request_id != p->request_id) {
		p->request_id = request_id;
		p->got[1] = p->got[2] = 0;
	}
	if (s != 1 && s != 2)
		return;
	if (ch->attempt > p->attempt) {
		/* The job was requeued: its output starts over. Say so rather than
		 * splice two runs' output together. */
		if (p->attempt != 0) {
			fflush(stdout);
			fprintf(stderr, "dis-sched: job %" PRIu64 ": attempt %u starts over\n", ch->job_id, ch->attempt);
		}
		p->attempt = ch->attempt;
		p->got[1] = p->got[2] = p->written[1] = p->written[2] = 0;
	}
	off = p->got[s];
	p->got[s] += ch->data.len;
	if (p->got[s] <= p->written[s])
		return;
	skip = p->written[s] > off ? (size_t)(p->written[s] - off) : 0;
	fwrite(ch->data.data + skip, 1, ch->data.len - skip, s == 1 ? stdout : stderr);
	fflush(s == 1 ? stdout : stderr);
	p->written[s] = p->got[s];
}

static int
logs_send(SchedClient *c, uint64_t job, int follow, const char *prog)
{
	Acheron__Msg req = ACHERON__MSG__INIT;
	Acheron__LogsRequest lr = ACHERON__LOGS_REQUEST__INIT;
	AcErr err;

	lr.job_id = job;
	lr.follow = follow;
	req.body_case = ACHERON__MSG__BODY_LOGS;
	req.logs = &lr;
	if (sched_client_send(c, &req, &err) != AC_OK) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return -1;
	}
	return 0;
}

int
sched_cli_logs(SchedClient *c, uint64_t job, int follow, const char *prog)
{
	LogPos pos;
	AcErr err;
	Acheron__Msg *m;
	int64_t heard = ac_clock_ms();
	int status;

	memset(&pos, 0, sizeof pos);
	if (logs_send(c, job, follow, prog) != 0)
		return SCHED_EXIT_JOB;
	for (;;) {
		m = sched_client_next(c, SLICE_MS, &err);
		if (m != NULL) {
			heard = ac_clock_ms();
			if (m->body_case == ACHERON__MSG__BODY_REPLY && !m->reply->ok) {
				fprintf(stderr, "%s: %s\n", prog, m->reply->error[0] ? m->reply->error : "logs refused");
				acheron__msg__free_unpacked(m, NULL);
				return SCHED_EXIT_JOB;
			}
			if (m->body_case == ACHERON__MSG__BODY_LOG_CHUNK) {
				int end = m->log_chunk->end;
				log_chunk(&pos, m->request_id, m->log_chunk);
				acheron__msg__free_unpacked(m, NULL);
				if (end)
					return SCHED_EXIT_OK;
				continue;
			}
			acheron__msg__free_unpacked(m, NULL);
			continue;
		}
		if (err.code != AC_ETIMEOUT) {
			fprintf(stderr, "%s: %s\n", prog, err.msg);
			return SCHED_EXIT_JOB;
		}
		if (ac_clock_ms() - heard < PROBE_MS)
			continue;
		if ((m = probe(c, job, prog, &status)) == NULL)
			return status;
		heard = ac_clock_ms();
		/* A finished job's output is all stored: if its end has not come
		 * (the held request was lost), ask again without following. A
		 * running job: keep following. */
		if (sched_cli_job_final(m->status_reply->jobs[0]->state) || !follow) {
			if (logs_send(c, job, 0, prog) != 0) {
				acheron__msg__free_unpacked(m, NULL);
				return SCHED_EXIT_JOB;
			}
		}
		acheron__msg__free_unpacked(m, NULL);
	}
}
