/*
 * A task's output spool: everything read from its stdout and stderr pipes
 * is also appended to WORK/spool/JOB.ATTEMPT.1 and .2, so that output sent
 * while the scheduler was down (and so lost) can be sent again, whole and
 * with its true offsets, after the node registers anew. The scheduler keeps
 * each stream contiguous and drops what it already has, so the resend makes
 * output exactly once, as ResultAck does for results.
 *
 * The spool lives outside the task's directory (its working directory) so
 * that no relative path of the task can meet it, and outside out/, whose
 * files are the task's results. A spool file always holds a prefix of its
 * stream: a failed write stops that stream's spool rather than leave a hole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/node_impl.h"

void
node_spool_path(const char *spool_dir, const NodeTask *t, int stream, char *path, size_t size)
{
	snprintf(path, size, "%.4000s/%llu.%u.%d", spool_dir, (unsigned long long)t->job_id, t->attempt, stream + 1);
}

int
node_spool_open(const char *spool_dir, NodeTask *t, AcErr *err)
{
	char path[PATH_MAX];

	for (int s = 0; s < 2; s++) {
		node_spool_path(spool_dir, t, s, path, sizeof path);
		/* O_TRUNC: a stale file (same ids, earlier node run) is not ours. */
		t->spool_fd[s] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
		t->spooled[s] = 0;
		if (t->spool_fd[s] < 0) {
			ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
			node_spool_close(t);
			return AC_EIO;
		}
	}
	return AC_OK;
}

void
node_spool_write(NodeTask *t, int stream, const uint8_t *buf, size_t len, uint64_t max_bytes)
{
	uint64_t total = t->spooled[0] + t->spooled[1];
	size_t k = len;

	if (t->spool_fd[stream] < 0 || total >= max_bytes)
		return;
	/* Beyond the bound the scheduler drops the output anyway. */
	if (k > max_bytes - total)
		k = (size_t)(max_bytes - total);
	while (k > 0) {
		ssize_t w = write(t->spool_fd[stream], buf, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ac_log(AC_LOG_WARN, "dis-node: job %llu.%u: spool of stream %d: %s; output sent from here on is "
			       "not kept for a resend", (unsigned long long)t->job_id, t->attempt, stream + 1,
			       w < 0 ? strerror(errno) : "short write");
			/* What was written stays a prefix; drop a partial tail. */
			if (ftruncate(t->spool_fd[stream], (off_t)t->spooled[stream]) != 0)
				ac_log(AC_LOG_DEBUG, "dis-node: spool truncate: %s", strerror(errno));
			close(t->spool_fd[stream]);
			t->spool_fd[stream] = -1;
			return;
		}
		buf += w;
		k -= (size_t)w;
		t->spooled[stream] += (uint64_t)w;
	}
}

void
node_spool_close(NodeTask *t)
{
	for (int s = 0; s < 2; s++) {
		if (t->spool_fd[s] >= 0)
			close(t->spool_fd[s]);
		t->spool_fd[s] = -1;
	}
}

void
node_spool_remove(const char *spool_dir, NodeTask *t)
{
	char path[PATH_MAX];

	node_spool_close(t);
	for (int s = 0; s < 2; s++) {
		node_spool_path(spool_dir, t, s, path, sizeof path);
		unlink(path);
	}
}

int
node_spool_each(const char *spool_dir, const NodeTask *t, int stream,
		int (*f)(void *arg, uint64_t offset, const uint8_t *data, size_t len), void *arg, AcErr *err)
{
	static uint8_t buf[PROTO_MAX_OUTPUT_CHUNK];
	char path[PATH_MAX];
	uint64_t off = 0;
	int fd, rc = AC_OK;

	if (t->spooled[stream] == 0)
		return AC_OK;
	node_spool_path(spool_dir, t, stream, path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
	/* Only what was counted: a write in progress cannot be half-seen here
	 * (one thread), but the count is the spool's definition of its end. */
	while (off < t->spooled[stream] && rc == AC_OK) {
		size_t want = t->spooled[stream] - off < sizeof buf ? (size_t)(t->spooled[stream] - off) : sizeof buf;
		ssize_t k = pread(fd, buf, want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = ac_err_set(err, AC_EIO, "%s: %s", path, k < 0 ? strerror(errno) : "shorter than spooled");
			break;
		}
		rc = f(arg, off, buf, (size_t)k);
		off += (uint64_t)k;
	}
	close(fd);
	return rc;
}
