/*
 * A task on the node: from TaskAssign (module cache, signature check) to
 * its process (fork, own process group, rlimits, per-task directory, pipes,
 * exec dis-run), its output (TaskOutput chunks, also spooled: spool.c), its
 * end (wait4, result files) and its result, kept until the scheduler acks
 * it; after each registration its spooled output, then its result, again.
 *
 * The path from TaskAssign to fork is kept short (dispatch latency): a
 * cached, verified module is a lookup in memory; the process is set up
 * between fork and exec with system calls only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/node_impl.h"

/* Tasks accepted beyond the free slots wait here; more are refused. */
#define MAX_QUEUED 1024
#define MAX_RESULT_FILES 1024

/* ------------------------------------------------------------ bookkeeping */

static NodeTask *
task_find(Node *n, uint64_t job_id, uint32_t attempt)
{
	for (NodeTask *t = n->tasks; t != NULL; t = t->next)
		if (t->job_id == job_id && t->attempt == attempt)
			return t;
	return NULL;
}

static void
task_free(NodeTask *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nargs; i++)
		free(t->args[i]);
	free(t->args);
	for (size_t i = 0; i < t->result.n_files; i++) {
		free(t->result.files[i]->name);
		free(t->result.files[i]->data.data);
		free(t->result.files[i]);
	}
	free(t->result.files);
	free(t);
}

static void
task_unlink(Node *n, NodeTask *t)
{
	for (NodeTask **p = &n->tasks; *p != NULL; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			return;
		}
}

static size_t
count_state(Node *n, int state)
{
	size_t k = 0;

	for (NodeTask *t = n->tasks; t != NULL; t = t->next)
		k += t->state == state;
	return k;
}

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
node_rmtree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------ results */

static void
send_result(Node *n, NodeTask *t)
{
	Acheron__Msg m = ACHERON__MSG__INIT;

	m.body_case = ACHERON__MSG__BODY_TASK_RESULT;
	m.task_result = &t->result;
	node_send(n, &m);
}

/* Ends t with status and a one-line error (printf format), sends the result. */
static void
finish(Node *n, NodeTask *t, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finish(Node *n, NodeTask *t, int status, const char *fmt, ...)
{
	char line[1024] = "";

	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(line, sizeof line, fmt, ap);
		va_end(ap);
	}
	t->state = TASK_DONE;
	t->result.job_id = t->job_id;
	t->result.attempt = t->attempt;
	t->result.status = status;
	snprintf(t->error, sizeof t->error, "%s", line);
	t->result.error = t->error;
	/* A MODULE_MISSING answer asks for the bytes; the scheduler resends
	 * the same task, so it is neither held nor resent. */
	t->listed = status != ACHERON__TASK_STATUS__TASK_MODULE_MISSING;
	if (status != ACHERON__TASK_STATUS__TASK_EXITED && status != ACHERON__TASK_STATUS__TASK_CANCELLED)
		ac_log(AC_LOG_INFO, "dis-node: job %llu.%u: %s%s%s", (unsigned long long)t->job_id, t->attempt,
		       protobuf_c_enum_descriptor_get_value(&acheron__task_status__descriptor, status)->name,
		       line[0] ? ": " : "", line);
	send_result(n, t);
}

/* Plain files the task left in out/ (at most 64 MiB and 1024 files in all;
 * others are skipped with a warning). */
static void
collect_files(NodeTask *t)
{
	char dir[PATH_MAX + 8], path[2 * PATH_MAX];
	DIR *d;
	struct dirent *e;
	size_t total = 0;
	Acheron__ResultFile **v = NULL;
	size_t nv = 0;

	snprintf(dir, sizeof dir, "%s/out", t->dir);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		uint8_t *buf;
		size_t len;
		Acheron__ResultFile *f, **nvv;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (!proto_name_ok(e->d_name, 128) || nv >= MAX_RESULT_FILES ||
		    total + (uint64_t)st.st_size > NODE_MAX_RESULT_BYTES) {
			ac_log(AC_LOG_WARN, "dis-node: job %llu.%u: result file %s skipped (bad name or over %u files / %u bytes)",
			       (unsigned long long)t->job_id, t->attempt, e->d_name, MAX_RESULT_FILES,
			       NODE_MAX_RESULT_BYTES);
			continue;
		}
		if (ac_file_read(path, &buf, &len, NULL) != AC_OK)
			continue;
		if (total + len > NODE_MAX_RESULT_BYTES || (f = malloc(sizeof *f)) == NULL ||
		    (nvv = realloc(v, (nv + 1) * sizeof *v)) == NULL) {
			free(buf);
			continue;
		}
		acheron__result_file__init(f);
		f->name = strdup(e->d_name);
		if (f->name == NULL) {
			free(f);
			free(buf);
			v = nvv;
			continue;
		}
		f->data.data = buf;
		f->data.len = len;
		v = nvv;
		v[nv++] = f;
		total += len;
	}
	closedir(d);
	t->result.files = v;
	t->result.n_files = nv;
}

static const char *
signal_name(int sig)
{
	switch (sig) {
	case SIGKILL: return "SIGKILL";
	case SIGXCPU: return "SIGXCPU";
	case SIGXFSZ: return "SIGXFSZ";
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGABRT: return "SIGABRT";
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGPIPE: return "SIGPIPE";
	}
	return NULL;
}

/* ------------------------------------------------------------ output */

static void
send_output(Node *n, const NodeTask *t, int stream, uint64_t offset, const uint8_t *data, size_t len)
{
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__TaskOutput o = ACHERON__TASK_OUTPUT__INIT;

	o.job_id = t->job_id;
	o.attempt = t->attempt;
	o.stream = (uint32_t)stream + 1;
	o.offset = offset;
	o.data.data = (uint8_t *)data;
	o.data.len = len;
	m.body_case = ACHERON__MSG__BODY_TASK_OUTPUT;
	m.task_output = &o;
	node_send(n, &m);
}

typedef struct ResendArg {
	Node *n;
	const NodeTask *t;
	int stream;
} ResendArg;

static int
resend_chunk(void *arg, uint64_t offset, const uint8_t *data, size_t len)
{
	ResendArg *a = arg;

	send_output(a->n, a->t, a->stream, offset, data, len);
	return AC_OK;
}

/* Sends t's whole spooled output again, each stream from offset 0: what was
 * sent while the scheduler was away is lost, and the scheduler keeps only
 * the bytes it lacks. */
static void
resend_output(Node *n, const NodeTask *t)
{
	for (int s = 0; s < 2; s++) {
		ResendArg a = {n, t, s};
		AcErr err;
		if (node_spool_each(n->spool_dir, t, s, resend_chunk, &a, &err) != AC_OK)
			ac_log(AC_LOG_WARN, "dis-node: job %llu.%u: output not resent: %s",
			       (unsigned long long)t->job_id, t->attempt, err.msg);
	}
}

/* The stream's pipe is at its end (or abandoned): its spool is complete. */
static void
close_stream(NodeTask *t, int stream)
{
	close(t->fd[stream]);
	t->fd[stream] = -1;
	if (t->spool_fd[stream] >= 0)
		close(t->spool_fd[stream]);
	t->spool_fd[stream] = -1;
}

/* Keeps the last sizeof t->err_tail bytes of the task's stderr. */
static void
keep_tail(NodeTask *t, const uint8_t *data, size_t len)
{
	size_t cap = sizeof t->err_tail, keep;

	if (len >= cap) {
		memcpy(t->err_tail, data + len - cap, cap);
		t->err_tail_len = cap;
		return;
	}
	keep = t->err_tail_len + len > cap ? cap - len : t->err_tail_len;
	memmove(t->err_tail, t->err_tail + t->err_tail_len - keep, keep);
	memcpy(t->err_tail + keep, data, len);
	t->err_tail_len = keep + len;
}

/* The last non-empty line of the task's stderr (what dis-run says when a
 * module fails to load or raises), or "" when it wrote none, with the
 * module's path in the node's cache written as the name it was submitted
 * under; its first size - 1 bytes ("dis-run: x.dis: ..."). */
static void
last_err_line(const NodeTask *t, char *out, size_t size)
{
	size_t end = t->err_tail_len, start, k = 0, plen = strlen(t->module);
	const char *p, *e;

	/* A usage line is not the reason: a command prints what was wrong,
	 * then its usage (and raises fail:usage), so take the line before. */
	for (int skip = 0;; skip++) {
		while (end > 0 && (t->err_tail[end - 1] == '\n' || t->err_tail[end - 1] == '\r' ||
		                   t->err_tail[end - 1] == ' '))
			end--;
		start = end;
		while (start > 0 && t->err_tail[start - 1] != '\n')
			start--;
		if (skip == 4 || start == 0 || end - start < 6 || memcmp(t->err_tail + start, "usage:", 6) != 0)
			break;
		end = start;
	}
	p = t->err_tail + start;
	e = t->err_tail + end;
	while (p < e && k + 1 < size) {
		if (plen > 0 && (size_t)(e - p) >= plen && memcmp(p, t->module, plen) == 0) {
			k += (size_t)snprintf(out + k, size - k, "%s", t->name);
			if (k >= size)
				k = size - 1;
			p += plen;
		} else {
			out[k++] = *p++;
		}
	}
	out[k] = 0;
}

void
node_task_read(Node *n, NodeTask *t, int stream)
{
	static uint8_t buf[PROTO_MAX_OUTPUT_CHUNK];

	/* Bounded: a task writing without pause must not starve the others
	 * or the socket; poll comes back here. */
	for (int round = 0; round < 16 && t->fd[stream] >= 0; round++) {
		ssize_t k = read(t->fd[stream], buf, sizeof buf);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		if (k <= 0) {
			close_stream(t, stream);
			return;
		}
		if (stream == 1)
			keep_tail(t, buf, (size_t)k);
		/* Spooled first: a send now may be lost (scheduler down). */
		node_spool_write(t, stream, buf, (size_t)k, NODE_MAX_SPOOL_BYTES);
		send_output(n, t, stream, t->off[stream], buf, (size_t)k);
		t->off[stream] += (uint64_t)k;
		if ((size_t)k < sizeof buf)
			return;  /* the pipe is empty for now */
	}
}

/* ------------------------------------------------------------ the process */

static void
child_limit(int resource, uint64_t soft, uint64_t hard)
{
	struct rlimit rl = {(rlim_t)soft, (rlim_t)hard};

	setrlimit(resource, &rl);
}

static void
child_fail(const char *what)
{
	/* Async-signal-safe: we are between fork and exec. */
	const char *e = strerror(errno);
	ssize_t w = write(2, "dis-node: ", 10);
	w = write(2, what, strlen(what));
	w = write(2, ": ", 2);
	w = write(2, e, strlen(e));
	w = write(2, "\n", 1);
	(void)w;
	_exit(127);
}

static int
task_spawn(Node *n, NodeTask *t, char *errbuf, size_t errsize)
{
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	char heap[32], instr[32], threads[16], files[16], output[32], outdir[PATH_MAX + 8];
	char *argv[26 + 2 * NODE_MAX_DATA + 256 + 1];
	int k = 0;
	pid_t pid, parent;
	sigset_t none, all, saved;

	/* A stale directory (a node restarted with the same work directory and
	 * ids) is replaced. */
	if (mkdir(t->dir, 0755) != 0) {
		if (errno != EEXIST)
			return snprintf(errbuf, errsize, "%.400s: %s", t->dir, strerror(errno)), -1;
		node_rmtree(t->dir);
		if (mkdir(t->dir, 0755) != 0)
			return snprintf(errbuf, errsize, "%.400s: %s", t->dir, strerror(errno)), -1;
	}
	snprintf(outdir, sizeof outdir, "%s/out", t->dir);
	if (mkdir(outdir, 0755) != 0)
		return snprintf(errbuf, errsize, "%.400s: %s", outdir, strerror(errno)), -1;
	{
		AcErr err;
		if (node_spool_open(n->spool_dir, t, &err) != AC_OK)
			return snprintf(errbuf, errsize, "%s", err.msg), -1;
	}
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		snprintf(errbuf, errsize, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* Only our ends are non-blocking: the task writes as a program
	 * writes to a terminal, blocking when the pipe is full. */
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);

	argv[k++] = n->dis_run;
	/* seccomp: whatever escapes the VM still cannot exec, fork, open
	 * sockets or signal the node (vm_sandbox_enter). */
	argv[k++] = "--sandbox";
	/* Landlock: besides the module and the task's directory, only the
	 * data directories may be read */
	if (n->o->ndata == 0) {
		argv[k++] = "--allow-read";
		argv[k++] = NODE_DEFAULT_DATA;
	}
	for (size_t i = 0; i < n->o->ndata && i < NODE_MAX_DATA; i++) {
		argv[k++] = "--allow-read";
		argv[k++] = (char *)n->o->data[i];
	}
	if (n->trust != NULL) {
		argv[k++] = "--require-signed";
		argv[k++] = "--trust";
		argv[k++] = n->trust_dir;
	}
	if (t->memory_bytes != 0) {
		/* dis-run takes a heap quota of at most 3 GiB. */
		uint64_t h = t->memory_bytes < ((uint64_t)3 << 30) ? t->memory_bytes : ((uint64_t)3 << 30);
		snprintf(heap, sizeof heap, "%llu", (unsigned long long)h);
		argv[k++] = "--heap-max";
		argv[k++] = heap;
	}
	if (n->o->default_max_instructions != 0) {
		snprintf(instr, sizeof instr, "%llu", (unsigned long long)n->o->default_max_instructions);
		argv[k++] = "--max-instructions";
		argv[k++] = instr;
	}
	/* The program's own limits, always: no task runs without them. */
	snprintf(threads, sizeof threads, "%u",
	         n->o->default_max_threads ? n->o->default_max_threads : NODE_DEFAULT_MAX_THREADS);
	argv[k++] = "--max-threads";
	argv[k++] = threads;
	snprintf(files, sizeof files, "%u",
	         t->max_files         ? t->max_files
	         : n->o->default_max_files ? n->o->default_max_files
	                                   : NODE_DEFAULT_MAX_FILES);
	argv[k++] = "--max-files";
	argv[k++] = files;
	snprintf(output, sizeof output, "%llu",
	         (unsigned long long)(n->o->default_max_output_bytes ? n->o->default_max_output_bytes
	                                                             : NODE_DEFAULT_MAX_OUTPUT_BYTES));
	argv[k++] = "--max-output";
	argv[k++] = output;
	argv[k++] = "--";
	argv[k++] = t->module;
	for (size_t i = 0; i < t->nargs && i < 256; i++)
		argv[k++] = t->args[i];
	argv[k] = NULL;
	sigemptyset(&none);
	sigfillset(&all);

	/* vfork: the child borrows the node's memory until it execs, so no page
	 * tables are copied (fork was most of the dispatch latency). Until the
	 * child has reset them, no handler of the node's may run in it: every
	 * signal is blocked across the call. The child only makes system calls
	 * and writes nothing the node reads. */
	parent = getpid();
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	pid = vfork();
	if (pid != 0)
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (pid < 0) {
		snprintf(errbuf, errsize, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		struct sigaction dfl;
		int nul;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(SIGPIPE, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		/* A node that dies (even by SIGKILL) takes its tasks with it: the
		 * scheduler will run them elsewhere, so they must not run on. The
		 * check covers a node that died before the prctl. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (t->cpu_ms != 0) {
			uint64_t s = ((uint64_t)t->cpu_ms + 999) / 1000;
			/* SIGXCPU at the soft limit; SIGKILL a second later if ignored. */
			child_limit(RLIMIT_CPU, s, s + 1);
		}
		child_limit(RLIMIT_NOFILE, t->max_files ? t->max_files : NODE_DEFAULT_MAX_FILES,
			    t->max_files ? t->max_files : NODE_DEFAULT_MAX_FILES);
		if (t->file_bytes != 0)
			child_limit(RLIMIT_FSIZE, t->file_bytes, t->file_bytes);
		if (t->memory_bytes != 0) {
			uint64_t as = node_task_as_bytes(t->memory_bytes, n->blas_threads);
			if (as != 0)
				child_limit(RLIMIT_AS, as, as);
		}
		if (chdir(t->dir) != 0)
			child_fail("chdir");
		if ((nul = open("/dev/null", O_RDONLY)) < 0 || dup2(nul, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(errp[1], 2) < 0)
			child_fail("redirect");
		/* Nothing of the node's (its sockets, other tasks' pipes) leaks in. */
		syscall(SYS_close_range, 3u, ~0u, 0u);
		execv(n->dis_run, argv);
		child_fail(n->dis_run);
	}
	close(out[1]);
	close(errp[1]);
	t->pid = pid;
	t->fd[0] = out[0];
	t->fd[1] = errp[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	node_spool_remove(n->spool_dir, t);
	return -1;
}

static void
task_start(Node *n, NodeTask *t)
{
	char errbuf[512];
	Acheron__Msg m = ACHERON__MSG__INIT;
	Acheron__TaskStarted s = ACHERON__TASK_STARTED__INIT;

	if (task_spawn(n, t, errbuf, sizeof errbuf) != 0) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_START_FAILED, "%s", errbuf);
		return;
	}
	t->state = TASK_RUNNING;
	t->start_ms = ac_clock_ms();
	t->deadline_ms = t->timeout_ms ? t->start_ms + t->timeout_ms : 0;
	n->running++;
	s.job_id = t->job_id;
	s.attempt = t->attempt;
	m.body_case = ACHERON__MSG__BODY_TASK_STARTED;
	m.task_started = &s;
	node_send(n, &m);
	ac_log(AC_LOG_DEBUG, "dis-node: job %llu.%u: started, pid %d, %lld us after its assignment arrived",
	       (unsigned long long)t->job_id, t->attempt, (int)t->pid, (long long)(ac_clock_ns() - t->assign_ns) / 1000);
}

void
node_task_start_queued(Node *n)
{
	/* The list is newest first; start the oldest queued task first. */
	while (n->running < n->slots) {
		NodeTask *oldest = NULL;
		for (NodeTask *t = n->tasks; t != NULL; t = t->next)
			if (t->state == TASK_QUEUED)
				oldest = t;
		if (oldest == NULL)
			return;
		task_start(n, oldest);
	}
}

/* ------------------------------------------------------------ assignment */

/* Checks the module's signature once per module and node life. Returns 0,
 * or -1 with the reason in errbuf. */
static int
verify(Node *n, const Acheron__TaskAssign *a, const char *path, const char *name, char *errbuf, size_t errsize)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	const uint8_t *p;
	DisModule *m;
	AcErr err;
	char signer[64];

	if (n->trust == NULL || node_cache_verified(n->cache, a->module_sha256.data))
		return 0;
	ac_err_clear(&err);
	if (a->module.len != 0) {
		p = a->module.data;
		len = a->module.len;
	} else if (ac_file_read(path, &buf, &len, &err) == AC_OK) {
		p = buf;
	} else {
		snprintf(errbuf, errsize, "%s", err.msg);
		return -1;
	}
	m = dis_module_read(p, len, name, &err);
	if (m == NULL || dis_module_verify(m, n->trust, name, signer, &err) != AC_OK) {
		snprintf(errbuf, errsize, "%s", err.msg);
		dis_module_free(m);
		free(buf);
		return -1;
	}
	dis_module_free(m);
	free(buf);
	node_cache_set_verified(n->cache, a->module_sha256.data);
	return 0;
}

void
node_task_assign(Node *n, const Acheron__TaskAssign *a)
{
	NodeTask *t = task_find(n, a->job_id, a->attempt);
	const char *name = a->module_name != NULL && a->module_name[0] ? a->module_name : "module";
	char errbuf[1024];
	AcErr err;

	if (t != NULL) {
		if (t->state == TASK_DONE && !t->listed) {
			/* MODULE_MISSING answered: this is the resend with bytes. */
			task_unlink(n, t);
			task_free(t);
		} else {
			if (t->state == TASK_DONE)
				send_result(n, t);
			ac_log(AC_LOG_DEBUG, "dis-node: job %llu.%u: assigned again; already held",
			       (unsigned long long)a->job_id, a->attempt);
			return;
		}
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		ac_log(AC_LOG_ERROR, "dis-node: job %llu.%u: out of memory", (unsigned long long)a->job_id,
		       a->attempt);
		return;
	}
	acheron__task_result__init(&t->result);
	t->assign_ns = ac_clock_ns();
	t->job_id = a->job_id;
	t->attempt = a->attempt;
	t->fd[0] = t->fd[1] = -1;
	t->spool_fd[0] = t->spool_fd[1] = -1;
	t->state = TASK_QUEUED;
	t->next = n->tasks;
	n->tasks = t;
	snprintf(t->dir, sizeof t->dir, "%.4000s/%llu.%u", n->tasks_dir, (unsigned long long)a->job_id, a->attempt);
	snprintf(t->name, sizeof t->name, "%s", name);
	if (a->limits != NULL) {
		t->memory_bytes = a->limits->memory_bytes;
		t->cpu_ms = a->limits->cpu_ms;
		t->max_files = a->limits->max_files;
		t->file_bytes = a->limits->file_bytes;
		t->timeout_ms = a->limits->timeout_ms;
	}
	/* What the job leaves unset, the node bounds: no task runs without a
	 * memory, CPU and wall-clock limit. */
	if (t->memory_bytes == 0)
		t->memory_bytes = n->o->default_memory_bytes ? n->o->default_memory_bytes : NODE_DEFAULT_MEMORY_BYTES;
	if (t->cpu_ms == 0)
		t->cpu_ms = n->o->default_cpu_ms ? n->o->default_cpu_ms : NODE_DEFAULT_CPU_MS;
	if (t->timeout_ms == 0)
		t->timeout_ms = n->o->default_timeout_ms ? n->o->default_timeout_ms : NODE_DEFAULT_TIMEOUT_MS;

	ac_err_clear(&err);
	if (a->module.len != 0) {
		if (node_cache_put(n->cache, a->module_sha256.data, a->module.data, a->module.len, &err) != AC_OK) {
			finish(n, t, err.code == AC_ESIG ? ACHERON__TASK_STATUS__TASK_REFUSED
							 : ACHERON__TASK_STATUS__TASK_START_FAILED,
			       "%s: %s", name, err.msg);
			return;
		}
		node_cache_path(n->cache, a->module_sha256.data, t->module, sizeof t->module);
	} else if (!node_cache_has(n->cache, a->module_sha256.data, t->module, sizeof t->module)) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_MODULE_MISSING, "%s: module not cached on this node", name);
		return;
	}
	if (verify(n, a, t->module, name, errbuf, sizeof errbuf) != 0) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_REFUSED, "%s", errbuf);
		return;
	}
	if (a->n_args > 0) {
		if ((t->args = calloc(a->n_args, sizeof *t->args)) == NULL)
			goto nomem;
		for (; t->nargs < a->n_args; t->nargs++)
			if ((t->args[t->nargs] = strdup(a->args[t->nargs])) == NULL)
				goto nomem;
	}
	if (n->running >= n->slots && count_state(n, TASK_QUEUED) > MAX_QUEUED) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_START_FAILED, "no free slot (%u running, %d queued)", n->running,
		       MAX_QUEUED);
		return;
	}
	if (n->running < n->slots)
		task_start(n, t);
	else
		ac_log(AC_LOG_INFO, "dis-node: job %llu.%u: all %u slots busy; queued", (unsigned long long)t->job_id,
		       t->attempt, n->slots);
	return;
nomem:
	finish(n, t, ACHERON__TASK_STATUS__TASK_START_FAILED, "out of memory");
}

/* ------------------------------------------------------------ the end */

static void
task_ended(Node *n, NodeTask *t, int status, const struct rusage *ru)
{
	int64_t now = ac_clock_ms();

	/* What the pipes still hold comes before the result. */
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < 4096 && t->fd[s] >= 0; i++) {
			uint64_t before = t->off[s];
			node_task_read(n, t, s);
			if (t->fd[s] >= 0 && t->off[s] == before)
				close_stream(t, s);  /* empty but open: a leftover grandchild holds it */
		}
	}
	n->running--;
	t->pid = 0;
	t->result.wall_ms = (uint64_t)(now - t->start_ms);
	t->result.cpu_ms = (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000 +
			   (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
	t->result.max_rss_bytes = (uint64_t)ru->ru_maxrss * 1024;  /* Linux: KiB */
	collect_files(t);
	if (t->cancelled) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_CANCELLED, "cancelled");
	} else if (t->timed_out) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_TIMEOUT, "timeout after %u ms", t->timeout_ms);
	} else if (WIFEXITED(status)) {
		char line[NODE_MAX_REASON_BYTES] = "";
		t->result.exit_code = WEXITSTATUS(status);
		/* A failure says why in its last line of stderr (dis-run: "x.dis:
		 * offset 0x0: bad magic ..."), else by its status. */
		if (WEXITSTATUS(status) != 0)
			last_err_line(t, line, sizeof line);
		if (WEXITSTATUS(status) != 0 && line[0] == 0)
			snprintf(line, sizeof line, "exit status %d", WEXITSTATUS(status));
		finish(n, t, ACHERON__TASK_STATUS__TASK_EXITED, "%s", line);
		if (WEXITSTATUS(status) != 0)
			ac_log(AC_LOG_INFO, "dis-node: job %llu.%u: exit status %d", (unsigned long long)t->job_id,
			       t->attempt, WEXITSTATUS(status));
	} else {
		int sig = WTERMSIG(status);
		const char *sn = signal_name(sig), *why = "";
		char num[16];
		if (sn == NULL) {
			snprintf(num, sizeof num, "signal %d", sig);
			sn = num;
		}
		if (sig == SIGXCPU || (sig == SIGKILL && t->cpu_ms != 0 && t->result.cpu_ms + 5 >= t->cpu_ms))
			why = " (CPU time limit)";
		else if (sig == SIGXFSZ)
			why = " (file size limit)";
		else if (sig == SIGSEGV && t->memory_bytes != 0)
			why = " (memory limit?)";
		t->result.signal = sig;
		finish(n, t, ACHERON__TASK_STATUS__TASK_KILLED, "killed by %s%s", sn, why);
	}
}

void
node_task_reap(Node *n)
{
	for (int guard = 0; guard < 4096; guard++) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		NodeTask *t;

		if (pid <= 0)
			break;
		for (t = n->tasks; t != NULL; t = t->next)
			if (t->state == TASK_RUNNING && t->pid == pid)
				break;
		if (t != NULL)
			task_ended(n, t, status, &ru);
	}
	node_task_start_queued(n);
}

static void
kill_group(NodeTask *t)
{
	/* The leader is not reaped yet, so its group id cannot be reused. */
	if (t->pid > 0)
		kill(-t->pid, SIGKILL);
}

int64_t
node_task_timeouts(Node *n, int64_t now_ms)
{
	int64_t next = 0;

	for (NodeTask *t = n->tasks; t != NULL; t = t->next) {
		if (t->state != TASK_RUNNING || t->deadline_ms == 0 || t->timed_out || t->cancelled)
			continue;
		if (now_ms >= t->deadline_ms) {
			t->timed_out = 1;
			kill_group(t);
		} else if (next == 0 || t->deadline_ms < next) {
			next = t->deadline_ms;
		}
	}
	return next;
}

void
node_task_cancel(Node *n, uint64_t job_id, uint32_t attempt)
{
	NodeTask *t = task_find(n, job_id, attempt);

	if (t == NULL) {
		ac_log(AC_LOG_DEBUG, "dis-node: cancel of job %llu.%u, which this node does not hold",
		       (unsigned long long)job_id, attempt);
		return;
	}
	ac_log(AC_LOG_INFO, "dis-node: job %llu.%u: cancelled", (unsigned long long)job_id, attempt);
	if (t->state == TASK_QUEUED) {
		finish(n, t, ACHERON__TASK_STATUS__TASK_CANCELLED, "cancelled before it started");
	} else if (t->state == TASK_RUNNING && !t->cancelled) {
		t->cancelled = 1;
		kill_group(t);
	}
	/* TASK_DONE: the result stands; the scheduler acks and ignores it. */
}

void
node_task_ack(Node *n, uint64_t job_id, uint32_t attempt)
{
	NodeTask *t = task_find(n, job_id, attempt);

	if (t == NULL || t->state != TASK_DONE) {
		ac_log(AC_LOG_DEBUG, "dis-node: ack of job %llu.%u, which has no result here",
		       (unsigned long long)job_id, attempt);
		return;
	}
	task_unlink(n, t);
	if (t->start_ms != 0)
		node_rmtree(t->dir);
	node_spool_remove(n->spool_dir, t);
	task_free(t);
}

void
node_task_resend(Node *n)
{
	/* A task's output strictly before its result, so the scheduler has the
	 * whole output when it makes the job final. Queued tasks have none. */
	for (NodeTask *t = n->tasks; t != NULL; t = t->next) {
		if (t->state == TASK_QUEUED || (t->state == TASK_DONE && !t->listed))
			continue;
		resend_output(n, t);
		if (t->state == TASK_DONE)
			send_result(n, t);
	}
}

void
node_task_kill_all(Node *n)
{
	int64_t end;

	for (NodeTask *t = n->tasks; t != NULL; t = t->next)
		if (t->state == TASK_RUNNING)
			kill_group(t);
	/* SIGKILL cannot be caught; 5 s is only a bound for a stuck kernel. */
	end = ac_clock_ms() + 5000;
	while (n->running > 0 && ac_clock_ms() < end) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		if (pid > 0) {
			for (NodeTask *t = n->tasks; t != NULL; t = t->next)
				if (t->state == TASK_RUNNING && t->pid == pid) {
					t->state = TASK_DONE;
					t->pid = 0;
					n->running--;
				}
		} else {
			usleep(2000);
		}
	}
	while (n->tasks != NULL) {
		NodeTask *t = n->tasks;
		n->tasks = t->next;
		for (int s = 0; s < 2; s++)
			if (t->fd[s] >= 0)
				close(t->fd[s]);
		if (t->start_ms != 0)
			node_rmtree(t->dir);
		node_spool_remove(n->spool_dir, t);
		task_free(t);
	}
}
