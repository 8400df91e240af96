/* The scheduler's SQLite store: jobs, modules, output chunks, result files.
 * WAL with synchronous=NORMAL: a commit survives kill -9 of the process
 * (not a power cut), and costs no fsync, so group commit stays cheap.
 * Checkpoints (which do fsync) run in a thread of their own on a second
 * connection, so the broker's commits never wait for one: SQLite's
 * automatic checkpoint inside COMMIT cost milliseconds at the 99th
 * percentile of dispatch latency. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/sched_impl.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS jobs("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" token BLOB NOT NULL UNIQUE,"
	" state INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" sha BLOB NOT NULL,"
	" args BLOB NOT NULL,"          /* each argument followed by a NUL */
	" priority INTEGER NOT NULL,"
	" strategy INTEGER NOT NULL,"
	" requires TEXT NOT NULL,"      /* comma-separated capability names */
	" retries INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" node TEXT NOT NULL DEFAULT '',"
	" exit_code INTEGER NOT NULL DEFAULT 0,"
	" error TEXT NOT NULL DEFAULT '',"
	" submit_ms INTEGER NOT NULL,"
	" start_ms INTEGER NOT NULL DEFAULT 0,"
	" end_ms INTEGER NOT NULL DEFAULT 0,"
	" mem_bytes INTEGER NOT NULL, cpu_ms INTEGER NOT NULL, max_files INTEGER NOT NULL,"
	" file_bytes INTEGER NOT NULL, timeout_ms INTEGER NOT NULL,"
	" wall_ms INTEGER NOT NULL DEFAULT 0, used_cpu_ms INTEGER NOT NULL DEFAULT 0,"
	" max_rss INTEGER NOT NULL DEFAULT 0,"
	" dispatch_us INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);"
	"CREATE TABLE IF NOT EXISTS modules(sha BLOB PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS output(job INTEGER NOT NULL, attempt INTEGER NOT NULL,"
	" stream INTEGER NOT NULL, off INTEGER NOT NULL, data BLOB NOT NULL,"
	" UNIQUE(job, attempt, stream, off));"
	"CREATE TABLE IF NOT EXISTS files(job INTEGER NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY(job, name));";

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_TOKEN,
	ST_INSERT,
	ST_MODULE_PUT,
	ST_MODULE_GET,
	ST_ASSIGN,
	ST_OUT_FORGET,
	ST_STARTED,
	ST_REQUEUE,
	ST_FINISH,
	ST_FILE_PUT,
	ST_OUT_ADD,
	ST_OUT_EACH,
	ST_OUT_BYTES,
	ST_OUT_ENDS,
	ST_ACTIVE,
	ST_INFO,
	ST_FILES,
	ST_NEWEST,
	ST_COUNT
};

static const char *const sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_TOKEN] = "SELECT id FROM jobs WHERE token = ?1",
	[ST_INSERT] = "INSERT INTO jobs(token, state, name, sha, args, priority, strategy, requires, retries,"
		      " submit_ms, mem_bytes, cpu_ms, max_files, file_bytes, timeout_ms)"
		      " VALUES(?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[ST_MODULE_PUT] = "INSERT OR IGNORE INTO modules(sha, data) VALUES(?1, ?2)",
	[ST_MODULE_GET] = "SELECT data FROM modules WHERE sha = ?1",
	[ST_ASSIGN] = "UPDATE jobs SET state = 2, attempts = ?2, node = ?3, start_ms = 0 WHERE id = ?1",
	[ST_OUT_FORGET] = "DELETE FROM output WHERE job = ?1 AND attempt < ?2",
	[ST_STARTED] = "UPDATE jobs SET start_ms = ?2, dispatch_us = ?3 WHERE id = ?1",
	[ST_REQUEUE] = "UPDATE jobs SET state = 1 WHERE id = ?1",
	[ST_FINISH] = "UPDATE jobs SET state = ?2, exit_code = ?3, error = ?4, end_ms = ?5, wall_ms = ?6,"
		      " used_cpu_ms = ?7, max_rss = ?8 WHERE id = ?1",
	[ST_FILE_PUT] = "INSERT OR REPLACE INTO files(job, name, data) VALUES(?1, ?2, ?3)",
	[ST_OUT_ADD] = "INSERT OR IGNORE INTO output(job, attempt, stream, off, data) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_OUT_EACH] = "SELECT stream, data FROM output WHERE job = ?1 AND attempt = ?2 ORDER BY rowid",
	[ST_OUT_BYTES] = "SELECT coalesce(sum(length(data)), 0) FROM output WHERE job = ?1 AND attempt = ?2",
	[ST_OUT_ENDS] = "SELECT stream, max(off + length(data)) FROM output WHERE job = ?1 AND attempt = ?2"
			" GROUP BY stream",
	[ST_ACTIVE] = "SELECT id, state, name, sha, args, priority, strategy, requires, retries, attempts, node,"
		      " mem_bytes, cpu_ms, max_files, file_bytes, timeout_ms FROM jobs WHERE state IN (1, 2)"
		      " ORDER BY id",
	[ST_INFO] = "SELECT id, state, name, sha, args, priority, strategy, requires, retries, attempts, node,"
		    " exit_code, error, submit_ms, start_ms, end_ms, mem_bytes, cpu_ms, max_files, file_bytes,"
		    " timeout_ms, dispatch_us FROM jobs WHERE id = ?1",
	[ST_FILES] = "SELECT name, data FROM files WHERE job = ?1 ORDER BY name",
	[ST_NEWEST] = "SELECT id FROM jobs ORDER BY id DESC LIMIT ?1",
};

#define WAL_CHECKPOINT_PAGES 8192   /* wake the checkpointer at this WAL size, pages */
#define WAL_CHECKPOINT_IDLE_MS 500  /* or after this long without a commit, ms */

struct SchedStore {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	/* The checkpointer: its connection, and what the broker tells it. */
	sqlite3 *ckdb;
	pthread_t ck;
	int ck_running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wal_pages;              /* pages in the WAL after the last commit */
	unsigned commits;           /* commits so far */
	int stopping;
};

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	SchedStore *s = arg;

	(void)db;
	(void)name;
	pthread_mutex_lock(&s->mu);
	s->wal_pages = pages;
	s->commits++;
	if (pages >= WAL_CHECKPOINT_PAGES)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return SQLITE_OK;
}

static void *
checkpointer(void *arg)
{
	SchedStore *s = arg;
	unsigned seen = 0;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WAL_CHECKPOINT_IDLE_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		if (s->wal_pages < WAL_CHECKPOINT_PAGES)
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
		/* Checkpoint when the WAL is big, or when the broker is idle: a
		 * checkpoint beside a busy writer slows its commits. */
		if (s->stopping || s->wal_pages == 0 || (s->wal_pages < WAL_CHECKPOINT_PAGES && s->commits != seen)) {
			seen = s->commits;
			continue;
		}
		seen = s->commits;
		s->wal_pages = 0;
		pthread_mutex_unlock(&s->mu);
		/* PASSIVE: copies what it can without blocking the writer. */
		sqlite3_wal_checkpoint_v2(s->ckdb, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static int
db_fail(SchedStore *s, int which, AcErr *err)
{
	return ac_err_set(err, AC_EIO, "%s: %s: %s", s->path, which >= 0 ? sql[which] : "open",
			  sqlite3_errmsg(s->db));
}

/* A prepared statement, reset and with its bindings cleared. */
static sqlite3_stmt *
stmt(SchedStore *s, int which)
{
	sqlite3_stmt *st = s->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Runs a statement that returns no rows. */
static int
run(SchedStore *s, int which, sqlite3_stmt *st, AcErr *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(s, which, err);
	return AC_OK;
}

SchedStore *
sched_store_open(const char *path, AcErr *err)
{
	SchedStore *s = ac_calloc(1, sizeof *s, "store", err);
	char *msg = NULL;

	if (s == NULL)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if ((s->path = ac_strdup(path, err)) == NULL)
		goto fail_quiet;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		db_fail(s, -1, err);
		goto fail_quiet;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
			 "PRAGMA cache_size=-65536; PRAGMA journal_size_limit=67108864;",
			 NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		ac_err_set(err, AC_EIO, "%s: %s", path, msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		goto fail_quiet;
	}
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			db_fail(s, i, err);
			goto fail_quiet;
		}
	/* The checkpointer's connection is set up before its thread exists
	 * (NOMUTEX: one thread per connection). Without the thread, SQLite's
	 * own checkpoints stay on. */
	if (sqlite3_open_v2(path, &s->ckdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(s->ckdb, 1000);
		/* A connection that has read nothing does not know the WAL is there. */
		sqlite3_exec(s->ckdb, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (pthread_create(&s->ck, NULL, checkpointer, s) == 0) {
			s->ck_running = 1;
			sqlite3_wal_autocheckpoint(s->db, 0);
			sqlite3_wal_hook(s->db, wal_hook, s);
		}
	}
	return s;
fail_quiet:
	sched_store_close(s);
	return NULL;
}

void
sched_store_close(SchedStore *s)
{
	if (s == NULL)
		return;
	if (s->ck_running) {
		pthread_mutex_lock(&s->mu);
		s->stopping = 1;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->ck, NULL);
	}
	if (s->ckdb != NULL)
		sqlite3_close(s->ckdb);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL)
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int
sched_store_begin(SchedStore *s, AcErr *err)
{
	return run(s, ST_BEGIN, stmt(s, ST_BEGIN), err);
}

int
sched_store_commit(SchedStore *s, AcErr *err)
{
	int rc = run(s, ST_COMMIT, stmt(s, ST_COMMIT), err);

	if (rc != AC_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
sched_store_token_find(SchedStore *s, const uint8_t *token, uint64_t *id, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_TOKEN);
	int rc;

	sqlite3_bind_blob(st, 1, token, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, ST_TOKEN, err);
}

/* Joins names with sep (and a trailing sep when term). Caller frees. */
static char *
join(char *const *v, size_t n, char sep, int term, size_t *len, AcErr *err)
{
	size_t total = 1;
	char *out, *p;

	for (size_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	if ((p = out = ac_malloc(total, "job text", err)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(v[i]);
		memcpy(p, v[i], k);
		p += k;
		if (term || i + 1 < n)
			*p++ = sep;
	}
	*p = 0;
	*len = (size_t)(p - out);
	return out;
}

int
sched_store_job_insert(SchedStore *s, const Acheron__SubmitRequest *r, const uint8_t sha[32], uint64_t now_unix_ms,
		       uint64_t *id, AcErr *err)
{
	sqlite3_stmt *st;
	char *args = NULL, *req = NULL;
	size_t alen, rlen;
	const Acheron__Limits *l = r->limits;
	int rc;

	st = stmt(s, ST_MODULE_PUT);
	sqlite3_bind_blob(st, 1, sha, 32, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, r->module.data, r->module.len, SQLITE_STATIC);
	if ((rc = run(s, ST_MODULE_PUT, st, err)) != AC_OK)
		return rc;
	if ((args = join(r->args, r->n_args, 0, 1, &alen, err)) == NULL ||
	    (req = join(r->requires, r->n_requires, ',', 0, &rlen, err)) == NULL) {
		free(args);
		return err->code;
	}
	st = stmt(s, ST_INSERT);
	sqlite3_bind_blob(st, 1, r->token.data, (int)r->token.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->module_name != NULL ? r->module_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, sha, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, args, (int)alen, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, r->priority);
	sqlite3_bind_int(st, 6, r->strategy);
	sqlite3_bind_text(st, 7, req, (int)rlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, r->retries);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)now_unix_ms);
	sqlite3_bind_int64(st, 10, l != NULL ? (sqlite3_int64)l->memory_bytes : 0);
	sqlite3_bind_int64(st, 11, l != NULL ? l->cpu_ms : 0);
	sqlite3_bind_int64(st, 12, l != NULL ? l->max_files : 0);
	sqlite3_bind_int64(st, 13, l != NULL ? (sqlite3_int64)l->file_bytes : 0);
	sqlite3_bind_int64(st, 14, l != NULL ? l->timeout_ms : 0);
	rc = run(s, ST_INSERT, st, err);
	free(args);
	free(req);
	if (rc == AC_OK)
		*id = (uint64_t)sqlite3_last_insert_rowid(s->db);
	return rc;
}

int
sched_store_module_get(SchedStore *s, const uint8_t sha[32], uint8_t **buf, size_t *len, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_MODULE_GET);
	int rc;

	sqlite3_bind_blob(st, 1, sha, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? ac_err_set(err, AC_EIO, "%s: module missing", s->path)
					 : db_fail(s, ST_MODULE_GET, err);
	}
	*len = (size_t)sqlite3_column_bytes(st, 0);
	if ((*buf = ac_malloc(*len + 1, "module", err)) == NULL) {
		sqlite3_reset(st);
		return err->code;
	}
	if (*len > 0)
		memcpy(*buf, sqlite3_column_blob(st, 0), *len);
	sqlite3_reset(st);
	return AC_OK;
}

int
sched_store_job_assign(SchedStore *s, uint64_t id, uint32_t attempt, const char *node, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_ASSIGN);
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	sqlite3_bind_text(st, 3, node, -1, SQLITE_STATIC);
	if ((rc = run(s, ST_ASSIGN, st, err)) != AC_OK || attempt <= 1)
		return rc;
	/* Only the latest attempt's output is kept. */
	st = stmt(s, ST_OUT_FORGET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	return run(s, ST_OUT_FORGET, st, err);
}

int
sched_store_job_started(SchedStore *s, uint64_t id, uint64_t start_unix_ms, uint64_t dispatch_us, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_STARTED);

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)start_unix_ms);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)dispatch_us);
	return run(s, ST_STARTED, st, err);
}

int
sched_store_job_requeue(SchedStore *s, uint64_t id, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_REQUEUE);

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	return run(s, ST_REQUEUE, st, err);
}

int
sched_store_job_finish(SchedStore *s, uint64_t id, int state, int32_t exit_code, const char *error,
		       uint64_t end_unix_ms, const Acheron__TaskResult *r, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_FINISH);
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int(st, 2, state);
	sqlite3_bind_int(st, 3, exit_code);
	sqlite3_bind_text(st, 4, error != NULL ? error : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)end_unix_ms);
	sqlite3_bind_int64(st, 6, r != NULL ? (sqlite3_int64)r->wall_ms : 0);
	sqlite3_bind_int64(st, 7, r != NULL ? (sqlite3_int64)r->cpu_ms : 0);
	sqlite3_bind_int64(st, 8, r != NULL ? (sqlite3_int64)r->max_rss_bytes : 0);
	if ((rc = run(s, ST_FINISH, st, err)) != AC_OK || r == NULL)
		return rc;
	for (size_t i = 0; i < r->n_files; i++) {
		st = stmt(s, ST_FILE_PUT);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
		sqlite3_bind_text(st, 2, r->files[i]->name, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(st, 3, r->files[i]->data.len ? r->files[i]->data.data : (const void *)"",
				    r->files[i]->data.len, SQLITE_STATIC);
		if ((rc = run(s, ST_FILE_PUT, st, err)) != AC_OK)
			return rc;
	}
	return AC_OK;
}

int
sched_store_output_add(SchedStore *s, uint64_t id, uint32_t attempt, uint32_t stream, uint64_t offset,
		       const uint8_t *data, size_t len, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_OUT_ADD);
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	sqlite3_bind_int64(st, 3, stream);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)offset);
	sqlite3_bind_blob64(st, 5, len ? (const void *)data : (const void *)"", len, SQLITE_STATIC);
	if ((rc = run(s, ST_OUT_ADD, st, err)) != AC_OK)
		return rc;
	return sqlite3_changes(s->db) > 0;
}

int
sched_store_output_each(SchedStore *s, uint64_t id, uint32_t attempt,
			int (*f)(void *arg, uint32_t stream, const uint8_t *data, size_t len), void *arg, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_OUT_EACH);
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (f(arg, (uint32_t)sqlite3_column_int(st, 0), sqlite3_column_blob(st, 1),
		      (size_t)sqlite3_column_bytes(st, 1)) != AC_OK)
			break;
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? AC_OK : db_fail(s, ST_OUT_EACH, err);
}

int
sched_store_output_bytes(SchedStore *s, uint64_t id, uint32_t attempt, uint64_t *bytes, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_OUT_BYTES);
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	rc = sqlite3_step(st);
	*bytes = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? AC_OK : db_fail(s, ST_OUT_BYTES, err);
}

int
sched_store_output_ends(SchedStore *s, uint64_t id, uint32_t attempt, uint64_t end[2], AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_OUT_ENDS);
	int rc;

	end[0] = end[1] = 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, attempt);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stream = sqlite3_column_int(st, 0);
		if (stream == 1 || stream == 2)
			end[stream - 1] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? AC_OK : db_fail(s, ST_OUT_ENDS, err);
}

size_t
sched_output_new(uint64_t have, uint64_t offset, size_t len, size_t *skip, uint64_t *gap)
{
	*skip = 0;
	*gap = 0;
	if (offset > have) {
		*gap = offset - have;
		return len;
	}
	if (have - offset >= len) {
		*skip = len;
		return 0;
	}
	*skip = (size_t)(have - offset);
	return len - *skip;
}

/* Splits blob (n bytes) at sep into a fresh NULL-terminated vector of
 * strings; a trailing piece after the last sep counts only when not term. */
static char **
split(const char *blob, size_t n, char sep, int term, size_t *count)
{
	size_t k = 0, cap = 1;
	char **v;
	const char *p = blob, *end = blob + n;

	*count = 0;
	for (size_t i = 0; i < n; i++)
		cap += blob[i] == sep;
	if ((v = calloc(cap + 1, sizeof *v)) == NULL)
		return NULL;
	while (p < end) {
		const char *q = memchr(p, sep, (size_t)(end - p));
		size_t len = q != NULL ? (size_t)(q - p) : (size_t)(end - p);
		if (q == NULL && term)
			break;
		if ((v[k] = malloc(len + 1)) == NULL)
			goto fail;
		memcpy(v[k], p, len);
		v[k++][len] = 0;
		p += len + (q != NULL);
	}
	*count = k;
	return v;
fail:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	return NULL;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

int
sched_store_load_active(SchedStore *s, int (*f)(void *arg, SchedJob *j, AcErr *err), void *arg, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_ACTIVE);
	int rc, ret = AC_OK;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		SchedJob *j = ac_calloc(1, sizeof *j, "job", err);
		if (j == NULL) {
			ret = err->code;
			break;
		}
		j->id = (uint64_t)sqlite3_column_int64(st, 0);
		j->state = sqlite3_column_int(st, 1);
		j->name = strdup(col_text(st, 2));
		if (sqlite3_column_bytes(st, 3) == 32)
			memcpy(j->sha, sqlite3_column_blob(st, 3), 32);
		j->args = split(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4), 0, 1, &j->n_args);
		j->priority = sqlite3_column_int(st, 5);
		j->strategy = sqlite3_column_int(st, 6);
		j->requires = split(col_text(st, 7), (size_t)sqlite3_column_bytes(st, 7), ',', 0, &j->n_requires);
		j->retries = (uint32_t)sqlite3_column_int64(st, 8);
		j->attempts = (uint32_t)sqlite3_column_int64(st, 9);
		snprintf(j->node_id, sizeof j->node_id, "%s", col_text(st, 10));
		j->mem_bytes = (uint64_t)sqlite3_column_int64(st, 11);
		j->cpu_ms = (uint32_t)sqlite3_column_int64(st, 12);
		j->max_files = (uint32_t)sqlite3_column_int64(st, 13);
		j->file_bytes = (uint64_t)sqlite3_column_int64(st, 14);
		j->timeout_ms = (uint32_t)sqlite3_column_int64(st, 15);
		if (j->name == NULL || j->args == NULL || j->requires == NULL) {
			sched_job_free(j);
			ret = ac_err_set(err, AC_ENOMEM, "out of memory loading job");
			break;
		}
		if ((ret = f(arg, j, err)) != AC_OK)
			break;
	}
	sqlite3_reset(st);
	if (ret == AC_OK && rc != SQLITE_DONE)
		ret = db_fail(s, ST_ACTIVE, err);
	return ret;
}

/* A vector of strings copied into the arena. */
static char **
arena_split(SchedArena *a, const char *blob, size_t n, char sep, int term, size_t *count)
{
	size_t k;
	char **tmp = split(blob, n, sep, term, &k), **v;

	*count = 0;
	if (tmp == NULL)
		return a->failed = 1, NULL;
	v = sched_arena_alloc(a, (k + 1) * sizeof *v);
	for (size_t i = 0; i < k; i++) {
		if (v != NULL)
			v[i] = sched_arena_strdup(a, tmp[i]);
		free(tmp[i]);
	}
	free(tmp);
	if (v != NULL)
		*count = k;
	return v;
}

int
sched_store_job_info(SchedStore *s, uint64_t id, int with_files, SchedArena *a, Acheron__JobInfo **info,
		     AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_INFO);
	Acheron__JobInfo *ji;
	Acheron__Limits *l;
	int rc;
	static const char hex[] = "0123456789abcdef";

	*info = NULL;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? AC_OK : db_fail(s, ST_INFO, err);
	}
	ji = sched_arena_alloc(a, sizeof *ji);
	l = sched_arena_alloc(a, sizeof *l);
	if (ji == NULL || l == NULL) {
		sqlite3_reset(st);
		return ac_err_set(err, AC_ENOMEM, "out of memory building job info");
	}
	acheron__job_info__init(ji);
	acheron__limits__init(l);
	ji->job_id = (uint64_t)sqlite3_column_int64(st, 0);
	ji->state = sqlite3_column_int(st, 1);
	ji->module_name = sched_arena_strdup(a, col_text(st, 2));
	if ((ji->module_sha256 = sched_arena_alloc(a, 65)) != NULL && sqlite3_column_bytes(st, 3) == 32) {
		const uint8_t *b = sqlite3_column_blob(st, 3);
		for (int i = 0; i < 32; i++) {
			ji->module_sha256[2 * i] = hex[b[i] >> 4];
			ji->module_sha256[2 * i + 1] = hex[b[i] & 15];
		}
	}
	ji->args = arena_split(a, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4), 0, 1, &ji->n_args);
	ji->priority = sqlite3_column_int(st, 5);
	ji->strategy = sqlite3_column_int(st, 6);
	ji->requires = arena_split(a, col_text(st, 7), (size_t)sqlite3_column_bytes(st, 7), ',', 0, &ji->n_requires);
	ji->retries = (uint32_t)sqlite3_column_int64(st, 8);
	ji->attempts = (uint32_t)sqlite3_column_int64(st, 9);
	ji->node_id = sched_arena_strdup(a, col_text(st, 10));
	ji->exit_code = sqlite3_column_int(st, 11);
	ji->error = sched_arena_strdup(a, col_text(st, 12));
	ji->submit_time_ms = (uint64_t)sqlite3_column_int64(st, 13);
	ji->start_time_ms = (uint64_t)sqlite3_column_int64(st, 14);
	ji->end_time_ms = (uint64_t)sqlite3_column_int64(st, 15);
	l->memory_bytes = (uint64_t)sqlite3_column_int64(st, 16);
	l->cpu_ms = (uint32_t)sqlite3_column_int64(st, 17);
	l->max_files = (uint32_t)sqlite3_column_int64(st, 18);
	l->file_bytes = (uint64_t)sqlite3_column_int64(st, 19);
	l->timeout_ms = (uint32_t)sqlite3_column_int64(st, 20);
	ji->dispatch_us = (uint64_t)sqlite3_column_int64(st, 21);
	ji->limits = l;
	sqlite3_reset(st);

	st = stmt(s, ST_FILES);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	{
		size_t cap = 0;
		Acheron__ResultFile **v = NULL;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			Acheron__ResultFile *f = sched_arena_alloc(a, sizeof *f);
			if (f == NULL)
				break;
			acheron__result_file__init(f);
			f->name = sched_arena_strdup(a, col_text(st, 0));
			if (with_files && sqlite3_column_bytes(st, 1) > 0) {
				size_t n = (size_t)sqlite3_column_bytes(st, 1);
				if ((f->data.data = sched_arena_alloc(a, n)) != NULL) {
					memcpy(f->data.data, sqlite3_column_blob(st, 1), n);
					f->data.len = n;
				}
			}
			if (ji->n_files == cap) {
				Acheron__ResultFile **nv;
				cap = cap ? 2 * cap : 8;
				if ((nv = sched_arena_alloc(a, cap * sizeof *nv)) == NULL)
					break;
				if (ji->n_files)
					memcpy(nv, v, ji->n_files * sizeof *nv);
				v = nv;
			}
			v[ji->n_files++] = f;
		}
		ji->files = v;
		sqlite3_reset(st);
	}
	if (a->failed || ji->module_name == NULL || ji->node_id == NULL || ji->error == NULL)
		return ac_err_set(err, AC_ENOMEM, "out of memory building job info");
	*info = ji;
	return AC_OK;
}

int
sched_store_job_newest(SchedStore *s, uint32_t limit, uint64_t *ids, size_t *n, AcErr *err)
{
	sqlite3_stmt *st = stmt(s, ST_NEWEST);
	int rc;

	*n = 0;
	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit)
		ids[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? AC_OK : db_fail(s, ST_NEWEST, err);
}
