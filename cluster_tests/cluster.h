/*
 * A real cluster for a test: certificates and a signing key in a fresh
 * directory, a real `dis-sched serve` on 127.0.0.1 with an ephemeral port,
 * real `dis-node join` workers, and the client commands run as a user runs
 * them (tests/run.h). Everything started is stopped by cluster_stop, also
 * when an assertion fails (atexit). Header-only; include once per test.
 */
#ifndef CLUSTER_TESTS_CLUSTER_H
#define CLUSTER_TESTS_CLUSTER_H

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/run.h"

#define CLUSTER_MAX_NODES 8
/* Heartbeat settings of every test cluster: a dead node is noticed in
 * CLUSTER_HEARTBEAT_MS * CLUSTER_LIVENESS. */
#define CLUSTER_HEARTBEAT_MS 200
#define CLUSTER_LIVENESS 3

typedef struct Cluster {
	char dir[256];        /* absolute: .../build/cluster_tests/NAME */
	char endpoint[256];   /* where the scheduler serves */
	pid_t sched;
	pid_t nodes[CLUSTER_MAX_NODES];
	char node_ids[CLUSTER_MAX_NODES][64];
	int n_nodes;
	const char *sched_args[8]; /* more options for serve (NULL-terminated), e.g. --require-signed */
	const char *node_args[8];  /* more options for every join (NULL-terminated) */
} Cluster;

static Cluster *cluster_current;

static inline void
cluster_kill(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGCONT);
	kill(*pid, sig);
	for (int i = 0; i < 300; i++) {  /* 3 s, then SIGKILL */
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

static inline void
cluster_stop(Cluster *c)
{
	for (int i = 0; i < c->n_nodes; i++)
		cluster_kill(&c->nodes[i], SIGTERM);
	cluster_kill(&c->sched, SIGTERM);
}

static inline void
cluster_atexit(void)
{
	if (cluster_current != NULL)
		cluster_stop(cluster_current);
}

static inline void
cluster_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "# failed: %s\n", cmd);
		abort();
	}
}

/* A fresh directory with sched/client/node certificates, an allow list of
 * client and node, a signing key whose public half is the trust store, and
 * the test jobs signed (JOB.dis) and unsigned (JOB-unsigned.dis), and the
 * Fashion-MNIST example signed (train.dis). Sets the
 * client environment (ACHERON_SCHEDULER is set by cluster_start_sched). */
static inline void
cluster_init(Cluster *c, const char *name)
{
	char buf[512], cwd[200];

	memset(c, 0, sizeof *c);
	if (getcwd(cwd, sizeof cwd) == NULL)
		abort();
	snprintf(c->dir, sizeof c->dir, "%s/build/cluster_tests/%s", cwd, name);
	cluster_sh("rm -rf %s && mkdir -p %s/allow %s/trust %s/other", c->dir, c->dir, c->dir, c->dir);
	cluster_sh("for k in sched client node; do bin/dis-keygen --curve -o %s/$k >/dev/null; done", c->dir);
	cluster_sh("bin/dis-keygen --curve -o %s/other/stranger >/dev/null", c->dir);
	cluster_sh("cp %s/client.curve.pub %s/node.curve.pub %s/allow/", c->dir, c->dir, c->dir);
	cluster_sh("bin/dis-keygen -o %s/signer >/dev/null && cp %s/signer.pub %s/trust/", c->dir, c->dir, c->dir);
	cluster_sh("for j in sleep spin files hog; do cp cluster_tests/jobs/$j.dis %s/$j-unsigned.dis;"
		   " cp cluster_tests/jobs/$j.dis %s/$j.dis; bin/dis-sign -k %s/signer.key %s/$j.dis >/dev/null; done",
		   c->dir, c->dir, c->dir, c->dir);
	cluster_sh("cp examples/fashion/train.dis %s/ && bin/dis-sign -k %s/signer.key %s/train.dis >/dev/null", c->dir,
		   c->dir, c->dir);
	snprintf(buf, sizeof buf, "%s/sched.curve.pub", c->dir);
	setenv("ACHERON_SERVER_KEY", buf, 1);
	snprintf(buf, sizeof buf, "%s/client.curve", c->dir);
	setenv("ACHERON_CERT", buf, 1);
	cluster_current = c;
	atexit(cluster_atexit);
}

static inline pid_t
cluster_spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Reads a whole small file; "" if it cannot. Caller frees. */
static inline char *
cluster_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;

	if (f == NULL)
		return strdup("");
	s = malloc(1 << 20);
	n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = 0;
	fclose(f);
	return s;
}

/* Starts the scheduler on bind (e.g. "tcp://127.0.0.1:0", or the endpoint of
 * an earlier start to come back on the same port) and waits up to 5 s for it
 * to serve. Returns 0, or -1 if it did not. */
static inline int
cluster_start_sched(Cluster *c, const char *bind)
{
	char db[300], cert[300], allow[300], epf[300], log[300], hb[16], lv[16];
	char *argv[32];
	int na = 0;

	snprintf(db, sizeof db, "%s/sched.db", c->dir);
	snprintf(cert, sizeof cert, "%s/sched.curve", c->dir);
	snprintf(allow, sizeof allow, "%s/allow", c->dir);
	snprintf(epf, sizeof epf, "%s/endpoint", c->dir);
	snprintf(log, sizeof log, "%s/sched.log", c->dir);
	snprintf(hb, sizeof hb, "%d", CLUSTER_HEARTBEAT_MS);
	snprintf(lv, sizeof lv, "%d", CLUSTER_LIVENESS);
	unlink(epf);
	char *base[] = {"bin/dis-sched", "serve", "--bind", (char *)bind, "--db", db, "--cert", cert, "--allow",
			allow, "--endpoint-file", epf, "--heartbeat", hb, "--liveness", lv, NULL};
	for (int i = 0; base[i] != NULL; i++)
		argv[na++] = base[i];
	for (int i = 0; i < 7 && c->sched_args[i] != NULL; i++)
		argv[na++] = (char *)c->sched_args[i];
	argv[na] = NULL;
	c->sched = cluster_spawn(argv, log);
	for (int i = 0; i < 500; i++) {  /* 5 s */
		char *ep = cluster_slurp(epf);
		size_t n = strcspn(ep, "\n");
		if (n > 0) {
			ep[n] = 0;
			snprintf(c->endpoint, sizeof c->endpoint, "%s", ep);
			setenv("ACHERON_SCHEDULER", c->endpoint, 1);
			free(ep);
			return 0;
		}
		free(ep);
		if (waitpid(c->sched, NULL, WNOHANG) == c->sched) {
			c->sched = 0;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

/* Starts node ID with the given slots and capabilities (NULL-terminated
 * list, may be NULL). Returns its index. */
static inline int
cluster_start_node(Cluster *c, const char *id, int slots, const char *const *caps)
{
	char log[300], cert[300], key[300], trust[300], work[300], s[16];
	char *argv[40];
	int n = 0, k = c->n_nodes++;

	snprintf(log, sizeof log, "%s/%s.log", c->dir, id);
	snprintf(cert, sizeof cert, "%s/node.curve", c->dir);
	snprintf(key, sizeof key, "%s/sched.curve.pub", c->dir);
	snprintf(trust, sizeof trust, "%s/trust", c->dir);
	snprintf(work, sizeof work, "%s/%s", c->dir, id);
	snprintf(s, sizeof s, "%d", slots);
	snprintf(c->node_ids[k], sizeof c->node_ids[k], "%s", id);
	argv[n++] = "bin/dis-node";
	argv[n++] = "join";
	argv[n++] = c->endpoint;
	argv[n++] = "--server-key";
	argv[n++] = key;
	argv[n++] = "--cert";
	argv[n++] = cert;
	argv[n++] = "--trust";
	argv[n++] = trust;
	argv[n++] = "--node-id";
	argv[n++] = (char *)id;
	argv[n++] = "--work";
	argv[n++] = work;
	argv[n++] = "--slots";
	argv[n++] = s;
	for (int i = 0; caps != NULL && caps[i] != NULL && n < 36; i++) {
		argv[n++] = "--capability";
		argv[n++] = (char *)caps[i];
	}
	for (int i = 0; i < 8 && c->node_args[i] != NULL && n < 39; i++)
		argv[n++] = (char *)c->node_args[i];
	argv[n] = NULL;
	c->nodes[k] = cluster_spawn(argv, log);
	return k;
}

/* How many processes have all of the given words in their command line
 * (read from /proc, so nothing outside the test is needed). */
static inline int
cluster_count_procs(const char *word1, const char *word2)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[300], buf[4096];
		size_t len;
		FILE *f;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			if (buf[i] == 0)
				buf[i] = ' ';
		buf[len] = 0;
		n += strstr(buf, word1) != NULL && strstr(buf, word2) != NULL;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

/* Waits up to timeout_ms for path to contain text. Returns 1 if it did. */
static inline int
cluster_wait_file(const char *path, const char *text, long timeout_ms)
{
	long end = run_now_ms() + timeout_ms;

	do {
		char *s = cluster_slurp(path);
		int found = strstr(s, text) != NULL;
		free(s);
		if (found)
			return 1;
		usleep(20000);
	} while (run_now_ms() < end);
	return 0;
}

/* Waits for node k's log to say it registered. */
static inline int
cluster_node_ready(Cluster *c, int k, long timeout_ms)
{
	char log[sizeof c->dir + sizeof c->node_ids[0] + 8];

	snprintf(log, sizeof log, "%s/%s.log", c->dir, c->node_ids[k]);
	return cluster_wait_file(log, "registered", timeout_ms);
}

/* Runs `bin/dis-sched ARGS...` (NULL-terminated) with the cluster's
 * environment, bounded by timeout_ms. */
static inline RunResult
cluster_client(long timeout_ms, ...)
{
	char *argv[64];
	int n = 0;
	va_list ap;

	argv[n++] = "bin/dis-sched";
	va_start(ap, timeout_ms);
	while (n < 63 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_cmd(argv, NULL, timeout_ms);
}

/* Submits PATH (relative to the cluster dir) with extra options/args and
 * returns the job id, 0 on failure (printing why). */
static inline unsigned long
cluster_submit(Cluster *c, const char *job, ...)
{
	char *argv[64], path[300];
	int n = 0, placed = 0;
	va_list ap;
	RunResult r;
	unsigned long id = 0;

	snprintf(path, sizeof path, "%s/%s", c->dir, job);
	argv[n++] = "bin/dis-sched";
	argv[n++] = "submit";
	va_start(ap, job);
	while (n < 60) {
		char *a = va_arg(ap, char *);
		if (a == NULL)
			break;
		if (strcmp(a, "--") == 0) {  /* module path goes here; the rest are its args */
			argv[n++] = path;
			placed = 1;
			continue;
		}
		argv[n++] = a;
	}
	va_end(ap);
	if (!placed)
		argv[n++] = path;
	argv[n] = NULL;
	r = run_cmd(argv, NULL, 10000);
	if (r.status == 0)
		id = strtoul(r.out, NULL, 10);
	else
		fprintf(stderr, "# submit %s: exit %d: %s", job, r.status, r.err);
	run_free(&r);
	return id;
}

/* `status JOB --json` parsed; NULL on failure. Caller json_decref's. */
static inline json_t *
cluster_status(unsigned long job)
{
	char id[32];
	RunResult r;
	json_t *j;

	snprintf(id, sizeof id, "%lu", job);
	r = cluster_client(10000, "status", id, "--json", NULL);
	j = r.status == 0 ? json_loads(r.out, 0, NULL) : NULL;
	run_free(&r);
	return j;
}

/* The first job object of a status answer ({"jobs": [...]} or [...]). */
static inline json_t *
cluster_job(json_t *status)
{
	json_t *jobs = json_is_array(status) ? status : json_object_get(status, "jobs");

	return json_is_array(jobs) ? json_array_get(jobs, 0) : status;
}

/* The job's state name ("COMPLETED"), or "" (static buffer). */
static inline const char *
cluster_state(unsigned long job)
{
	static char st[32];
	json_t *j = cluster_status(job);
	const char *s = j != NULL ? json_string_value(json_object_get(cluster_job(j), "state")) : NULL;

	snprintf(st, sizeof st, "%s", s != NULL ? s : "");
	json_decref(j);
	return st;
}

/* Waits up to timeout_ms for the job to reach state. */
static inline int
cluster_wait_state(unsigned long job, const char *state, long timeout_ms)
{
	long end = run_now_ms() + timeout_ms;

	do {
		if (strcmp(cluster_state(job), state) == 0)
			return 1;
		usleep(50000);
	} while (run_now_ms() < end);
	return 0;
}

#endif
