/*
 * The persistent thread pool the CPU kernels share (ml_pool_run in
 * quant.h).  Made once, on first use; its workers sleep on a condition
 * variable between jobs.  A job is a function and a task count; the tasks
 * are handed out by an atomic counter to the workers and the caller alike,
 * and the caller returns when every worker has left the job, so nothing
 * of the job is touched after ml_pool_run returns.  One job at a time:
 * run_mu is taken with trylock, and a call that finds it held (another
 * thread's job, or a call from inside a task) runs inline.
 */
#include "ml/cpu/quant_impl.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

enum { POOL_MAX_THREADS = 256 };

static struct {
	pthread_once_t once;
	pthread_mutex_t run_mu;  /* held by the caller whose job is on the pool */
	pthread_mutex_t mu;      /* guards the fields below */
	pthread_cond_t wake;     /* workers wait here for a new generation */
	pthread_cond_t done;     /* the caller waits here for active == 0 */
	int nworkers;            /* threads besides the caller's, 0..255 */
	uint64_t gen;            /* bumped once per job */
	int active;              /* workers not yet finished with this job */
	void (*fn)(void *ctx, int task, int nthreads);
	void *ctx;
	int ntasks;
	atomic_int next;         /* next task to hand out */
} pool = {
	.once = PTHREAD_ONCE_INIT,
	.run_mu = PTHREAD_MUTEX_INITIALIZER,
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

static void
run_tasks(void (*fn)(void *, int, int), void *ctx, int ntasks, int nthreads)
{
	for (int t; (t = atomic_fetch_add_explicit(&pool.next, 1, memory_order_relaxed)) < ntasks;)
		fn(ctx, t, nthreads);
}

static void *
worker(void *arg)
{
	uint64_t seen = 0;

	(void)arg;
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		while (pool.gen == seen)
			pthread_cond_wait(&pool.wake, &pool.mu);
		seen = pool.gen;
		void (*fn)(void *, int, int) = pool.fn;
		void *ctx = pool.ctx;
		int ntasks = pool.ntasks, nthreads = pool.nworkers + 1;

		pthread_mutex_unlock(&pool.mu);
		run_tasks(fn, ctx, ntasks, nthreads);
		pthread_mutex_lock(&pool.mu);
		if (--pool.active == 0)
			pthread_cond_signal(&pool.done);
	}
	return NULL;
}

/* Threads wanted in all: ACHERON_THREADS if 1..256, else the CPUs this
 * process may run on. */
static int
threads_wanted(void)
{
	const char *s = getenv("ACHERON_THREADS");
	cpu_set_t set;
	long n;

	if (s != NULL && *s != '\0') {
		char *end;

		n = strtol(s, &end, 10);
		if (*end == '\0' && n >= 1 && n <= POOL_MAX_THREADS)
			return (int)n;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < n)
		n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
}

static void
pool_init(void)
{
	int want = threads_wanted() - 1;
	sigset_t all, old;
	pthread_attr_t attr;

	/* Workers take no signals: they stay with the threads that handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < want; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, worker, NULL) != 0)
			break;
		pool.nworkers++;  /* before any job: no worker reads it yet */
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int
ml_pool_threads(void)
{
	pthread_once(&pool.once, pool_init);
	return pool.nworkers + 1;
}

void
ml_pool_run(int ntasks, void (*fn)(void *ctx, int task, int nthreads), void *ctx)
{
	if (ntasks <= 0)
		return;
	pthread_once(&pool.once, pool_init);
	if (pool.nworkers == 0 || ntasks == 1 || pthread_mutex_trylock(&pool.run_mu) != 0) {
		for (int t = 0; t < ntasks; t++)
			fn(ctx, t, 1);
		return;
	}
	pthread_mutex_lock(&pool.mu);
	pool.fn = fn;
	pool.ctx = ctx;
	pool.ntasks = ntasks;
	atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
	pool.active = pool.nworkers;
	pool.gen++;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);

	run_tasks(fn, ctx, ntasks, pool.nworkers + 1);

	pthread_mutex_lock(&pool.mu);
	while (pool.active > 0)
		pthread_cond_wait(&pool.done, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
	pthread_mutex_unlock(&pool.run_mu);
}
