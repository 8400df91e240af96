/*
 * bench-cluster's client: no-op jobs through a running scheduler.
 *   cluster ENDPOINT CERT SERVER_PUB MODULE JOBS SERIAL
 * Throughput: JOBS jobs submitted back to back, jobs/s from the first submit
 * to the last job finished. Latency: SERIAL jobs one at a time on the idle
 * cluster (submit, then Wait), each job's dispatch time (submit received to
 * task started, as the scheduler measures it) and the client's
 * submit-to-finished round trip.
 * Prints "name value" lines for bench/cluster.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scheduler/sched.h"

static SchedClient *cli;
static uint8_t *mod;
static size_t modlen;

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
submit(long i)
{
	Acheron__Msg m, *r;
	Acheron__SubmitRequest s;
	uint8_t token[16];
	int64_t now = ac_clock_ns();
	AcErr err;
	uint64_t id;

	acheron__msg__init(&m);
	acheron__submit_request__init(&s);
	m.body_case = ACHERON__MSG__BODY_SUBMIT;
	m.submit = &s;
	s.module.data = mod;
	s.module.len = modlen;
	s.module_name = "noop.dis";
	memcpy(token, &now, 8);
	memcpy(token + 8, &i, 8);
	s.token.data = token;
	s.token.len = 16;
	if ((r = sched_client_call(cli, &m, &err)) == NULL || r->body_case != ACHERON__MSG__BODY_SUBMIT_REPLY) {
		fprintf(stderr, "bench cluster: submit: %s\n", r == NULL ? err.msg : "unexpected answer");
		exit(1);
	}
	id = r->submit_reply->job_id;
	acheron__msg__free_unpacked(r, NULL);
	return id;
}

/* Status of one job (0: all); caller frees. */
static Acheron__Msg *
status(uint64_t job, uint32_t limit)
{
	Acheron__Msg m, *r;
	Acheron__StatusRequest s;
	AcErr err;

	acheron__msg__init(&m);
	acheron__status_request__init(&s);
	m.body_case = ACHERON__MSG__BODY_STATUS;
	m.status = &s;
	s.job_id = job;
	s.limit = limit;
	if ((r = sched_client_call(cli, &m, &err)) == NULL || r->body_case != ACHERON__MSG__BODY_STATUS_REPLY) {
		fprintf(stderr, "bench cluster: status: %s\n", r == NULL ? err.msg : "unexpected answer");
		exit(1);
	}
	return r;
}

int
main(int argc, char **argv)
{
	AcErr err;
	long jobs, serial;
	int64_t t0, t1;
	uint64_t *disp, *rtt, first;

	if (argc != 7) {
		fprintf(stderr, "usage: cluster ENDPOINT CERT SERVER_PUB MODULE JOBS SERIAL\n");
		return 2;
	}
	jobs = atol(argv[5]);
	serial = atol(argv[6]);
	if (ac_file_read(argv[4], &mod, &modlen, &err) != AC_OK ||
	    (cli = sched_client_open(argv[1], argv[2], argv[3], 10000, &err)) == NULL) {
		fprintf(stderr, "bench cluster: %s\n", err.msg);
		return 1;
	}
	/* Throughput. */
	t0 = ac_clock_ns();
	first = submit(0);
	for (long i = 1; i < jobs; i++)
		submit(i);
	for (int tries = 0;; tries++) {
		Acheron__Msg *r = status(0, (uint32_t)jobs + 10);
		long done = 0;
		for (size_t k = 0; k < r->status_reply->n_jobs; k++)
			done += r->status_reply->jobs[k]->job_id >= first &&
				r->status_reply->jobs[k]->state >= ACHERON__JOB_STATE__JOB_COMPLETED;
		acheron__msg__free_unpacked(r, NULL);
		if (done >= jobs)
			break;
		if (tries > 6000) {
			fprintf(stderr, "bench cluster: jobs did not finish\n");
			return 1;
		}
		/* Listing every job is work for the scheduler too: not too often. */
		usleep(20000);
	}
	t1 = ac_clock_ns();
	printf("throughput_jobs_per_s %.1f\n", jobs / ((t1 - t0) / 1e9));

	/* Latency, one job at a time; the client blocks in Wait rather than
	 * polling, so it takes no CPU from the scheduler and nodes meanwhile. */
	disp = calloc((size_t)serial, sizeof *disp);
	rtt = calloc((size_t)serial, sizeof *rtt);
	for (long i = 0; i < serial; i++) {
		int64_t s0 = ac_clock_ns();
		Acheron__Msg m, *r;
		Acheron__WaitRequest w;
		acheron__msg__init(&m);
		acheron__wait_request__init(&w);
		m.body_case = ACHERON__MSG__BODY_WAIT;
		m.wait = &w;
		w.job_id = submit(jobs + i);
		if ((r = sched_client_call(cli, &m, &err)) == NULL || r->body_case != ACHERON__MSG__BODY_STATUS_REPLY ||
		    r->status_reply->n_jobs != 1) {
			fprintf(stderr, "bench cluster: wait: %s\n", r == NULL ? err.msg : "unexpected answer");
			return 1;
		}
		rtt[i] = (uint64_t)(ac_clock_ns() - s0) / 1000;
		disp[i] = r->status_reply->jobs[0]->dispatch_us;
		acheron__msg__free_unpacked(r, NULL);
	}
	qsort(disp, (size_t)serial, sizeof *disp, cmp_u64);
	qsort(rtt, (size_t)serial, sizeof *rtt, cmp_u64);
	printf("dispatch_p50_us %llu\n", (unsigned long long)disp[serial / 2]);
	printf("dispatch_p99_us %llu\n", (unsigned long long)disp[serial * 99 / 100]);
	printf("roundtrip_p50_us %llu\n", (unsigned long long)rtt[serial / 2]);
	printf("roundtrip_p99_us %llu\n", (unsigned long long)rtt[serial * 99 / 100]);
	sched_client_close(cli);
	return 0;
}
