/*
 * Dis threads (Inferno's progs) and the scheduler: a run queue served one
 * quantum (VM_QUANTUM instructions) at a time, so a busy thread never
 * starves the others; spawn and mspawn; and the end of a program, which is
 * the end of the thread that ran init (Inferno's behaviour: threads left
 * blocked on channels do not keep it alive).
 */
#include "vm/vm_impl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

VmThread *
vm_thread_new(Vm *vm, VmModlink *ml)
{
	VmThread *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->vm = vm;
	t->id = ++vm->nthreads_made;
	vm->nthreads_live++;
	t->ml = ml;
	t->m = ml->m;
	t->mp = ml->mp != VM_H ? VM_PTR(ml->mp) : NULL;
	vm_incref(ml->word);
	vm_modlink_hold(ml);
	t->held_fd = -1;
	t->anext = vm->threads;
	vm->threads = t;
	return t;
}

void
vm_thread_ready(VmThread *t)
{
	Vm *vm = t->vm;

	t->rnext = NULL;
	if (vm->runq_tail != NULL)
		vm->runq_tail->rnext = t;
	else
		vm->runq = t;
	vm->runq_tail = t;
}

static VmThread *
next_ready(Vm *vm)
{
	VmThread *t = vm->runq;

	if (t != NULL) {
		vm->runq = t->rnext;
		if (vm->runq == NULL)
			vm->runq_tail = NULL;
		t->rnext = NULL;
	}
	return t;
}

uint32_t
vm_rand(Vm *vm)
{
	/* xorshift32: alt's choice among ready cases needs spread, not secrecy. */
	uint32_t x = vm->rng != 0 ? vm->rng : 0x9E3779B9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	vm->rng = x;
	return x;
}

/* ---- threads waiting in a builtin: sleep, or an fd not yet ready ---- */

/* Could another thread run while t waits? If not, a host call may block. */
static int
others_could_run(VmThread *t)
{
	return t->vm->runq != NULL || t->vm->waiting != NULL;
}

/* Milliseconds before the deadline (at least 0), or -1 with none. */
static int64_t
left_ms(const Vm *vm)
{
	int64_t left;

	if (vm->deadline_ns == 0)
		return -1;
	left = (vm->deadline_ns - ac_clock_ns() + 999999) / 1000000;
	return left > 0 ? left : 0;
}

static int
past_deadline(const Vm *vm)
{
	return vm->deadline_ns != 0 && ac_clock_ns() >= vm->deadline_ns;
}

/* Have instructions and data-proportional work used up --max-instructions? */
static int
over_budget(const Vm *vm)
{
	return vm->opt.max_instructions != 0 && vm->ninstr + vm->nwork >= vm->opt.max_instructions;
}

int
vm_out_of_time(Vm *vm, uint64_t pending)
{
	return (vm->opt.max_instructions != 0 && vm->ninstr + vm->nwork + pending >= vm->opt.max_instructions) ||
	       past_deadline(vm);
}

/* Ends the running builtin at the deadline; the scheduler sees the
 * deadline passed before any handler could catch this. */
static _Noreturn void
timed_out(VmThread *t)
{
	vm_raise(t, "wall-clock limit exceeded");
}

int
vm_wait_fd(VmThread *t, int fd, int events)
{
	struct pollfd p = {fd, (short)events, 0};

	if (!others_could_run(t) && t->vm->deadline_ns != 0) {
		/* Alone, the call may block, but not past the deadline. */
		int r;
		while ((r = poll(&p, 1, (int)(left_ms(t->vm) > 1000000 ? 1000000 : left_ms(t->vm)))) < 0 &&
		       errno == EINTR)
			;
		if (r == 0 && past_deadline(t->vm))
			timed_out(t);
		if (r == 0)
			return vm_wait_fd(t, fd, events);
		return 1;
	}
	if (!others_could_run(t) || poll(&p, 1, 0) != 0)
		return 1;  /* ready, failed or hung up: the call itself tells */
	t->block = VM_BLOCK_RETRY;
	t->wfd = fd;
	t->wevents = events;
	t->wake_ns = 0;
	return 0;
}

int
vm_may_block(VmThread *t)
{
	return !others_could_run(t) && t->vm->deadline_ns == 0;
}

int
vm_wait_retry(VmThread *t, int64_t ms)
{
	if (!others_could_run(t)) {
		vm_sleep(t, ms);
		return 0;
	}
	t->block = VM_BLOCK_RETRY;
	t->wfd = -1;  /* no fd: poll_waiting wakes it at wake_ns */
	t->wevents = 0;
	t->wake_ns = ac_clock_ns() + ms * 1000000;
	return 1;
}

int
vm_wait_fd_here(VmThread *t, int fd, int events, int64_t max_ms)
{
	struct pollfd p = {fd, (short)events, 0};
	int64_t until_ns = max_ms >= 0 ? ac_clock_ns() + max_ms * 1000000 : 0;

	for (;;) {
		int64_t left = left_ms(t->vm), mine;
		int r;
		if (max_ms >= 0) {
			mine = (until_ns - ac_clock_ns() + 999999) / 1000000;
			if (mine < 0)
				mine = 0;
			if (left < 0 || mine < left)
				left = mine;
		}
		r = poll(&p, 1, left < 0 ? -1 : (int)(left > 1000000 ? 1000000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0)
			return 1;  /* ready, failed or hung up: the call itself tells */
		if (past_deadline(t->vm))
			return 0;
		if (max_ms >= 0 && ac_clock_ns() >= until_ns)
			return -1;
	}
}

void
vm_sleep(VmThread *t, int64_t ms)
{
	if (!others_could_run(t)) {
		int64_t left = left_ms(t->vm);
		int cut = left >= 0 && left < ms;
		struct timespec ts;
		if (cut)
			ms = left;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		if (cut)
			timed_out(t);
		return;
	}
	t->block = VM_BLOCK_SLEEP;
	t->wfd = -1;
	t->wake_ns = ac_clock_ns() + ms * 1000000;
}

static void
unwait(VmThread *t)
{
	for (VmThread **pp = &t->vm->waiting; *pp != NULL; pp = &(*pp)->wnext) {
		if (*pp == t) {
			*pp = t->wnext;
			break;
		}
	}
	t->wnext = NULL;
	t->block = VM_BLOCK_NONE;
}

/* Moves waiting threads whose time came or whose fd is ready to the run
 * queue. With nothing else to run it blocks until one of them is. */
static void
poll_waiting(Vm *vm)
{
	struct pollfd fds[64];
	VmThread *who[64];
	int n = 0, timeout = vm->runq != NULL ? 0 : -1;
	int64_t now = ac_clock_ns(), left = left_ms(vm);

	for (VmThread *t = vm->waiting; t != NULL; t = t->wnext) {
		if (t->block == VM_BLOCK_SLEEP || t->wfd < 0) {
			int64_t left_ms = (t->wake_ns - now + 999999) / 1000000;
			if (left_ms < 0)
				left_ms = 0;
			if (timeout < 0 || left_ms < timeout)
				timeout = (int)(left_ms > 1000000 ? 1000000 : left_ms);
		} else if (n < 64) {
			fds[n].fd = t->wfd;
			fds[n].events = (short)t->wevents;
			fds[n].revents = 0;
			who[n++] = t;
		}
	}
	if (left >= 0 && (timeout < 0 || left < timeout))
		timeout = (int)(left > 1000000 ? 1000000 : left);  /* wake for the deadline */
	if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		timeout = 0;
	now = ac_clock_ns();
	for (int i = 0; i < n; i++) {
		if (fds[i].revents != 0) {
			unwait(who[i]);
			vm_thread_ready(who[i]);
		}
	}
	for (VmThread *t = vm->waiting, *next; t != NULL; t = next) {
		next = t->wnext;
		if ((t->block == VM_BLOCK_SLEEP || t->wfd < 0) && t->wake_ns <= now) {
			unwait(t);
			vm_thread_ready(t);
		}
	}
}

/* Pops every frame of t and releases its stack segments. */
static void
unwind(VmThread *t)
{
	while (t->fp != NULL)
		vm_frame_leave(t);
	while (t->stack != NULL) {
		VmStack *s = t->stack;
		t->stack = s->prev;
		vm_arena_free(t->vm, s->base, s->bytes);
		free(s);
	}
}

/* Releases everything t holds and forgets it. Unless the VM is poisoned,
 * this walks Dis memory, so callers run it under the fault handler. */
void
vm_thread_free(VmThread *t)
{
	Vm *vm = t->vm;

	for (VmThread **pp = &vm->threads; *pp != NULL; pp = &(*pp)->anext) {
		if (*pp == t) {
			*pp = t->anext;
			break;
		}
	}
	unwait(t);
	vm->nthreads_live--;
	if (t->held_fd >= 0)
		close(t->held_fd);
	if (!vm->poisoned) {
		vm_ptr_set(vm, &t->exval, VM_H);
		vm_chan_cancel(t);
		unwind(t);
		vm_destroy(vm, t->ml->word);
		vm_modlink_release(vm, t->ml);
	}
	free(t->wait);
	free(t);
}

/* spawn/mspawn: the frame f, built on t's stack by frame/mframe, moves to
 * a new thread that starts at pc of module instance ml. */
void
vm_op_spawn(VmThread *t, uint8_t *f, VmModlink *ml, int32_t pc)
{
	VmType *ft = vm_frame_type(t->vm, *(uint32_t *)(f + DIS_REGTYP * 4));
	VmThread *nt;
	uint8_t *nf;

	if (ml == NULL)
		vm_raise(t, VM_EX_MODULE);
	if (ft == NULL)
		vm_raise(t, "spawn: not a frame");
	if (ml->m->builtin != NULL)
		vm_raise(t, "spawn of a builtin function");
	if ((uint32_t)pc >= (uint32_t)ml->m->ninst)
		vm_raise(t, "spawn: bad pc %d", (int)pc);
	size_t fsize = ((size_t)ft->size + 7) & ~(size_t)7;
	if (fsize < DIS_MAXTEMP)
		fsize = DIS_MAXTEMP;
	if (f + fsize != t->sp)
		vm_raise(t, "spawn: frame is not the newest");
	if (t->vm->opt.max_threads != 0 && t->vm->nthreads_live > t->vm->opt.max_threads)
		vm_limit_raise(t, VM_LIMIT_THREADS);  /* init's thread plus max_threads spawned alive */
	nt = vm_thread_new(t->vm, ml);
	if (nt == NULL)
		vm_raise(t, VM_EX_NOMEM);
	/* Out of memory is the spawner's exception, so its handlers can catch
	 * it (a raise in nt would leave the message in nt: an empty one). */
	nf = vm_frame_alloc_first(nt, ft);
	if (nf == NULL) {
		vm_thread_free(nt);
		vm_raise(t, VM_EX_NOMEM);
	}
	/* The arguments' references move with the frame. */
	memcpy(nf + DIS_MAXTEMP, f + DIS_MAXTEMP, (size_t)ft->size > DIS_MAXTEMP ? (size_t)ft->size - DIS_MAXTEMP : 0);
	*(uint32_t *)(nf + DIS_REGLINK * 4) = 0;
	*(uint32_t *)(nf + DIS_REGFRAME * 4) = VM_H;
	*(uint32_t *)(nf + DIS_REGRET * 4) = VM_H;
	vm_type_initmem(ft, f);
	vm_frame_pop(t, f);
	nt->fp = nf;
	nt->ip = ml->m->inst + pc;
	vm_thread_ready(nt);
}

/* Protected by the fault handler: see run.c. */
static _Thread_local VmThread *volatile running;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	VmThread *t = running;

	(void)uc;
	if (t == NULL || t->ex == NULL) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	t->fault = 1;
	{
		/* In the arena or its guard: a Dis address, which is all the
		 * program and its user need (and no host address leaks). */
		const uint8_t *p = si->si_addr;
		const char *what = sig == SIGFPE ? "arithmetic fault" : sig == SIGILL ? "illegal instruction"
		                                                       : "segmentation violation";
		if (vm_mem != NULL && p >= vm_mem && (size_t)(p - vm_mem) < (size_t)vm_mem_bytes + VM_GUARD_BYTES)
			snprintf(t->exmsg, sizeof t->exmsg, "%s at Dis address 0x%zx", what, (size_t)(p - vm_mem));
		else
			snprintf(t->exmsg, sizeof t->exmsg, "%s in the runtime", what);
	}
	siglongjmp(*t->ex, 1);
}

static const int fault_sigs[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};

static void
faults_catch(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(fault_sigs[i], &sa, &old[i]);
}

static void
faults_restore(const struct sigaction *old)
{
	for (int i = 0; i < 4; i++)
		sigaction(fault_sigs[i], &old[i], NULL);
}

/* Frees every thread, each under the fault handler. */
static void
free_all(Vm *vm, sigjmp_buf *jb)
{
	while (vm->threads != NULL) {
		VmThread *volatile t = vm->threads;
		running = t;
		t->ex = jb;
		if (sigsetjmp(*jb, 0) != 0) {
			vm->poisoned = 1;
			vm->threads = t->anext;
			while (t->stack != NULL) {  /* the records; the arena goes whole */
				VmStack *st = t->stack;
				t->stack = st->prev;
				free(st);
			}
			if (t->held_fd >= 0)
				close(t->held_fd);
			free(t->wait);
			free(t);
			continue;
		}
		vm_thread_free(t);
	}
	vm->runq = vm->runq_tail = NULL;
}

static const char *const limit_names[] = {"", "thread", "file", "output"};

_Noreturn void
vm_limit_raise(VmThread *t, int which)
{
	t->vm->limit_hit = which;
	vm_raise(t, "%s limit exceeded", limit_names[which]);
}

int
vm_limit_hit(const Vm *vm)
{
	return vm->limit_hit;
}

static int
limit_passed(const Vm *vm, AcErr *err)
{
	unsigned long long n = vm->limit_hit == VM_LIMIT_THREADS ? vm->opt.max_threads
	                       : vm->limit_hit == VM_LIMIT_FILES ? vm->opt.max_files
	                                                         : vm->opt.max_output_bytes;

	return ac_err_set(err, AC_ELIMIT, "%s limit of %llu%s exceeded", limit_names[vm->limit_hit], n,
	                  vm->limit_hit == VM_LIMIT_OUTPUT ? " bytes" : "");
}

static int
deadline_passed(const Vm *vm, AcErr *err)
{
	return ac_err_set(err, AC_ETIMEOUT, "wall-clock limit of %lld ms exceeded", (long long)vm->opt.timeout_ms);
}

static int
budget_spent(const Vm *vm, AcErr *err)
{
	return ac_err_set(err, AC_EBUDGET, "instruction budget of %llu exhausted",
	                  (unsigned long long)vm->opt.max_instructions);
}

int
vm_sched_run(Vm *vm, VmThread *main, AcErr *err)
{
	sigjmp_buf jb;
	struct sigaction old[4];
	VmThread *volatile cur = NULL;
	volatile int rc = AC_OK;

	faults_catch(old);
	if (vm->opt.timeout_ms > 0 && vm->deadline_ns == 0)
		vm->deadline_ns = ac_clock_ns() + vm->opt.timeout_ms * 1000000;
	vm_thread_ready(main);
	if (sigsetjmp(jb, 0) != 0) {
		VmThread *t = cur;
		char where[160];
		snprintf(where, sizeof where, "module %s, pc %d", t->m != NULL ? t->m->name : "?",
		         t->ip != NULL && t->m != NULL ? (int)(t->ip - t->m->inst) : -1);
		if (t->fault) {
			vm->poisoned = 1;
			rc = ac_err_set(err, AC_EEXCEPT, "fault: %s (%s)", t->exmsg, where);
			goto done;
		}
		/* The quantum's count is lost with vm_xec's frame: charge the
		 * raising instruction at least, so a loop of raise and catch is
		 * bounded by the budget too. */
		vm->ninstr++;
		if (over_budget(vm)) {
			rc = budget_spent(vm, err);
			goto done;
		}
		if (past_deadline(vm)) {
			rc = deadline_passed(vm, err);
			goto done;
		}
		if (vm->limit_hit != VM_LIMIT_NONE) {
			rc = limit_passed(vm, err);
			goto done;
		}
		if (vm_handle_exception(t)) {
			vm_thread_ready(t);
		} else if (t == main) {
			rc = ac_err_set(err, AC_EEXCEPT, "uncaught exception: %s (%s)", t->exmsg, where);
			goto done;
		} else {
			/* Inferno reports a broken thread and lets the rest go on. */
			ac_log(AC_LOG_ERROR, "thread %d: uncaught exception: %s (%s)", t->id, t->exmsg, where);
			vm_thread_free(t);
		}
	}
	for (;;) {
		VmThread *t;
		int r;

		if (vm->waiting != NULL)
			poll_waiting(vm);
		if (past_deadline(vm)) {
			rc = deadline_passed(vm, err);
			break;
		}
		t = next_ready(vm);
		if (t == NULL) {
			rc = ac_err_set(err, AC_EEXCEPT, "deadlock: every thread is blocked on a channel");
			break;
		}
		cur = t;
		running = t;
		t->ex = &jb;
		r = vm_xec(t);
		t->ex = NULL;
		if (r == VM_XEC_QUANTUM) {
			vm_thread_ready(t);
		} else if (r == VM_XEC_DONE) {
			if (t == main)
				break;
			vm_thread_free(t);
		}
		if (r == VM_XEC_BLOCKED && t->block != VM_BLOCK_NONE) {
			t->wnext = vm->waiting;  /* in a builtin: sleep or an fd */
			vm->waiting = t;
		}
		/* Otherwise VM_XEC_BLOCKED: the thread waits on channel queues. */
		vm_gc_maybe(vm);
		if (over_budget(vm)) {
			rc = budget_spent(vm, err);
			break;
		}
		if (past_deadline(vm)) {
			rc = deadline_passed(vm, err);
			break;
		}
	}
done:
	cur = NULL;
	free_all(vm, &jb);
	running = NULL;
	faults_restore(old);
	/* Cycles the program left behind; a forged pointer may fault here too. */
	vm_guarded(vm, vm_gc_collect);
	return rc;
}

void
vm_guarded(Vm *vm, void (*fn)(Vm *vm))
{
	sigjmp_buf jb;
	struct sigaction old[4];
	VmThread g;

	if (vm->poisoned)
		return;
	memset(&g, 0, sizeof g);
	g.vm = vm;
	g.ex = &jb;
	faults_catch(old);
	running = &g;
	if (sigsetjmp(jb, 0) == 0)
		fn(vm);
	else
		vm->poisoned = 1;
	running = NULL;
	faults_restore(old);
}
