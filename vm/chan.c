/*
 * Channels: newc*, send, recv, alt and nbalt (Dis spec "Channels";
 * Inferno libinterp/xec.c and alt.c). An unbuffered send meets a receiver
 * and the value moves straight from the sender's frame to the receiver's;
 * a buffered channel keeps values in a ring of its element type. A thread
 * that cannot proceed waits on the channel's queue and its quantum ends.
 */
#include "vm/vm_impl.h"

#include <stdlib.h>

/* A thread waiting on one channel (several for alt). */
struct VmWait {
	VmWait *next, *prev;   /* in the channel's send or receive queue */
	VmThread *t;
	VmChan *c;
	uint8_t *ptr;          /* the value to send, or where a received one goes */
	int32_t idx;           /* alt case index, or -1 for send/recv */
	int send;
	int32_t *aidx;         /* alt receive on an array of channels: where */
	int32_t ai;            /* this channel's index in the array goes */
};

/* A channel's record, in host memory: Dis code holds its VmHobj. */
struct VmChan {
	uint32_t word;         /* the VmHobj in the arena */
	VmWait *sendq, *recvq; /* waiting senders and receivers, oldest first */
	VmType *t;             /* element type: size and pointer map */
	uint8_t *buf;          /* ring of cap elements (arena), or NULL */
	int32_t cap, front, size;
};

static void
chan_destroy(Vm *vm, void *p)
{
	uint32_t w = VM_WORD(p);
	VmChan *c = vm_handle_get(vm, w, VM_HK_CHAN);

	if (c == NULL)
		return;  /* a forged header's: names no channel */
	vm_handle_free(vm, w, VM_HK_CHAN);
	/* Waiters keep a reference to the channel, so none can be left here
	 * (unless Dis code forged its count: then they keep the record). */
	if (c->sendq != NULL || c->recvq != NULL)
		return;
	if (c->buf != NULL) {
		for (int32_t i = 0; i < c->size; i++)
			vm_type_freeptrs(vm, c->t, c->buf + (size_t)((c->front + i) % c->cap) * (size_t)c->t->size);
		vm_arena_free(vm, c->buf, (size_t)c->cap * (size_t)c->t->size);
	}
	free(c);
}

void
vm_chan_init_type(Vm *vm)
{
	vm->t_chan = vm_type_new(vm, 0, 0, NULL);
	vm_type_set_destroy(vm, vm->t_chan, chan_destroy);
}

/* newc*: elem is the element type, cap the buffer length (0: unbuffered). */
void
vm_op_newc(VmThread *t, uint32_t *d, VmType *elem, int32_t cap)
{
	VmChan *c;
	VmHobj *o;

	if (cap < 0)
		vm_raise(t, VM_EX_NEGSIZE);
	c = calloc(1, sizeof *c);
	if (c == NULL)
		vm_raise(t, VM_EX_NOMEM);
	o = vm_heap_alloc(t->vm, t->vm->t_chan, sizeof(VmHobj));
	if (o == NULL || vm_handle_new(t->vm, c, VM_HK_CHAN, VM_WORD(o)) != AC_OK) {
		if (o != NULL)
			vm_destroy(t->vm, VM_WORD(o));
		free(c);
		vm_raise(t, VM_EX_NOMEM);
	}
	o->mp = 0;
	c->word = VM_WORD(o);
	c->t = elem;
	if (cap > 0) {
		size_t n = (size_t)cap * (size_t)elem->size;
		if (elem->size > 0 && n / (size_t)elem->size != (size_t)cap)
			n = SIZE_MAX;
		c->buf = n < ((size_t)1 << 31) ? vm_arena_zalloc(t->vm, n) : NULL;
		if (c->buf == NULL) {
			vm_destroy(t->vm, c->word);
			vm_raise(t, VM_EX_NOMEM);
		}
		c->cap = cap;
	}
	vm_ptr_set(t->vm, d, c->word);
}

/* Copies one value of type ty from src to dst, as movp/movmp do: the
 * destination's old pointers are dropped and the source's gain a reference. */
static void
move_value(Vm *vm, const VmType *ty, uint8_t *dst, const uint8_t *src)
{
	vm_type_incmem(ty, (void *)src);
	vm_type_freeptrs(vm, ty, dst);
	memmove(dst, src, (size_t)ty->size);
}

static void
unlink_wait(VmWait **q, VmWait *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		*q = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	w->next = w->prev = NULL;
}

static void
append_wait(VmWait **q, VmWait *w)
{
	VmWait **pp = q, *last = NULL;

	while (*pp != NULL) {
		last = *pp;
		pp = &(*pp)->next;
	}
	w->prev = last;
	w->next = NULL;
	*pp = w;
}

/* Removes every wait of a blocked thread (all alt cases but the one that
 * fired) and makes it runnable; idx is the case that fired. */
static void
wake(VmThread *t, int32_t idx)
{
	for (int i = 0; i < t->nwait; i++) {
		VmWait *w = &t->wait[i];
		unlink_wait(w->send ? &w->c->sendq : &w->c->recvq, w);
		vm_destroy(t->vm, w->c->word);
	}
	t->nwait = 0;
	if (t->altresult != NULL) {
		*t->altresult = idx;
		t->altresult = NULL;
	}
	vm_thread_ready(t);
}

static int
can_send(const VmChan *c)
{
	return c->recvq != NULL || (c->buf != NULL && c->size < c->cap);
}

static int
can_recv(const VmChan *c)
{
	return c->sendq != NULL || (c->buf != NULL && c->size > 0);
}

static uint8_t *
slot(VmChan *c, int32_t i)
{
	return c->buf + (size_t)((c->front + i) % c->cap) * (size_t)c->t->size;
}

/* Sends the value at ptr; the channel must be ready (can_send). */
static void
do_send(Vm *vm, VmChan *c, uint8_t *ptr)
{
	if (c->recvq != NULL) {
		VmWait *w = c->recvq;
		move_value(vm, c->t, w->ptr, ptr);
		if (w->aidx != NULL)
			*w->aidx = w->ai;
		wake(w->t, w->idx);
		return;
	}
	uint8_t *s = slot(c, c->size++);
	vm_type_incmem(c->t, ptr);
	memmove(s, ptr, (size_t)c->t->size);
}

/* Receives into ptr; the channel must be ready (can_recv). */
static void
do_recv(Vm *vm, VmChan *c, uint8_t *ptr)
{
	if (c->buf != NULL && c->size > 0) {
		uint8_t *s = slot(c, 0);
		/* The buffered value's references move to the receiver. */
		vm_type_freeptrs(vm, c->t, ptr);
		memmove(ptr, s, (size_t)c->t->size);
		memset(s, 0, (size_t)c->t->size);
		c->front = (c->front + 1) % c->cap;
		c->size--;
		if (c->sendq != NULL) {
			VmWait *w = c->sendq;
			do_send(vm, c, w->ptr);
			wake(w->t, w->idx);
		}
		return;
	}
	VmWait *w = c->sendq;
	move_value(vm, c->t, ptr, w->ptr);
	wake(w->t, w->idx);
}

static void
block_on(VmThread *t, VmChan *c, uint8_t *ptr, int send, int32_t idx)
{
	VmWait *w = &t->wait[t->nwait++];

	w->t = t;
	w->c = c;
	w->ptr = ptr;
	w->idx = idx;
	w->send = send;
	w->aidx = NULL;
	vm_incref(c->word);
	append_wait(send ? &c->sendq : &c->recvq, w);
}

static int
ensure_waits(VmThread *t, int n)
{
	if (n <= t->waitcap)
		return 0;
	VmWait *nw = realloc(t->wait, (size_t)n * sizeof *nw);
	if (nw == NULL)
		return -1;
	t->wait = nw;
	t->waitcap = n;
	return 0;
}

/* send or recv of the value at ptr on channel wc: returns 1 when the
 * thread must wait (its quantum ends). */
static int
chan_op(VmThread *t, uint32_t wc, uint8_t *ptr, int send)
{
	VmChan *c = vm_handle_get(t->vm, wc, VM_HK_CHAN);

	if (c == NULL)
		vm_raise(t, wc == VM_H ? VM_EX_NILREF : "not a channel");
	if (send ? can_send(c) : can_recv(c)) {
		if (send)
			do_send(t->vm, c, ptr);
		else
			do_recv(t->vm, c, ptr);
		return 0;
	}
	if (ensure_waits(t, 1) < 0)
		vm_raise(t, VM_EX_NOMEM);
	block_on(t, c, ptr, send, -1);
	t->altresult = NULL;
	return 1;
}

int
vm_op_send(VmThread *t, uint32_t wc, uint8_t *ptr)
{
	return chan_op(t, wc, ptr, 1);
}

int
vm_op_recv(VmThread *t, uint32_t wc, uint8_t *ptr)
{
	return chan_op(t, wc, ptr, 0);
}

/* A receive case of alt may name an array of channels: each of its
 * channels is a case, and when one fires the value goes one word after
 * the case's pointer and its index in the array into that first word
 * (Inferno alt.c). The array, or NULL for a plain channel. */
static VmArray *
chan_array(Vm *vm, uint32_t w, int recv)
{
	VmArray *a = VM_PTR(w);
	VmType *et;
	size_t n;

	if (!recv || vm_ptr_bad(w) || VM_D2H(a)->tid != vm->t_array->id ||
	    vm_array_bytes(vm, a, &et, &n) == NULL || et->size != 4)
		return NULL;
	return a;
}

/* The j-th channel of case word w (a, if an array, from chan_array). */
static VmChan *
case_chan(Vm *vm, VmArray *a, uint32_t w, uint32_t j)
{
	return vm_handle_get(vm, a != NULL ? ((uint32_t *)VM_PTR(a->data))[j] : w, VM_HK_CHAN);
}

/* The value pointer of an alt case. */
static uint8_t *
case_ptr(VmThread *t, uint32_t w)
{
	if (vm_ptr_bad(w))
		vm_raise(t, VM_EX_NILREF);
	return VM_PTR(w);
}

/* alt/nbalt. The table at tab is nsend, nrecv, then nsend+nrecv pairs
 * (channel, value pointer), sends first. A nil channel raises
 * "dereference of nil" (Inferno altrdy). Picks uniformly among ready
 * channels; with none ready, nbalt answers nsend+nrecv and alt waits on
 * all. Returns 1 when the thread must wait. */
int
vm_op_alt(VmThread *t, uint8_t *tab, int32_t *result, int block)
{
	const int32_t *hdr = (const int32_t *)tab;
	int32_t nsend = hdr[0], nrecv = hdr[1], n, ready = 0, pick = -1, total = 0;
	uint32_t pj = 0;
	const uint32_t *ac = (const uint32_t *)(tab + 8);
	Vm *vm = t->vm;

	if (nsend < 0 || nrecv < 0 || nsend > 65536 || nrecv > 65536)
		vm_raise(t, "alt: bad table");
	n = nsend + nrecv;
	for (int32_t i = 0; i < n; i++) {
		VmArray *a;
		uint32_t m;
		if (ac[2 * i] == VM_H)
			vm_raise(t, VM_EX_NILREF);  /* as Inferno's altrdy */
		a = chan_array(vm, ac[2 * i], i >= nsend);
		m = a != NULL ? a->len : 1;
		for (uint32_t j = 0; j < m; j++) {
			VmChan *c = case_chan(vm, a, ac[2 * i], j);
			if (c == NULL)
				continue;
			total++;
			if (i < nsend ? can_send(c) : can_recv(c)) {
				/* Reservoir sampling: each ready channel equally likely. */
				ready++;
				if (vm_rand(vm) % (uint32_t)ready == 0) {
					pick = i;
					pj = j;
				}
			}
		}
	}
	if (pick >= 0) {
		VmArray *a = chan_array(vm, ac[2 * pick], pick >= nsend);
		VmChan *c = case_chan(vm, a, ac[2 * pick], pj);
		uint8_t *ptr = case_ptr(t, ac[2 * pick + 1]);
		if (a != NULL) {
			*(int32_t *)ptr = (int32_t)pj;
			ptr += 4;
		}
		if (pick < nsend)
			do_send(vm, c, ptr);
		else
			do_recv(vm, c, ptr);
		*result = pick;
		return 0;
	}
	if (!block) {
		*result = n;
		return 0;
	}
	if (ensure_waits(t, total) < 0)
		vm_raise(t, VM_EX_NOMEM);
	if (total == 0)
		vm_raise(t, "alt: no channels");
	for (int32_t i = 0; i < n; i++) {
		VmArray *a = chan_array(vm, ac[2 * i], i >= nsend);
		uint32_t m = a != NULL ? a->len : 1;
		uint8_t *ptr = case_ptr(t, ac[2 * i + 1]);
		for (uint32_t j = 0; j < m; j++) {
			VmChan *c = case_chan(vm, a, ac[2 * i], j);
			if (c == NULL)
				continue;
			block_on(t, c, a != NULL ? ptr + 4 : ptr, i < nsend, i);
			if (a != NULL) {
				t->wait[t->nwait - 1].aidx = (int32_t *)ptr;
				t->wait[t->nwait - 1].ai = (int32_t)j;
			}
		}
	}
	t->altresult = result;
	return 1;
}

/* Drops a dying thread's waits (program end, uncaught exception). */
void
vm_chan_cancel(VmThread *t)
{
	for (int i = 0; i < t->nwait; i++) {
		VmWait *w = &t->wait[i];
		unlink_wait(w->send ? &w->c->sendq : &w->c->recvq, w);
		vm_destroy(t->vm, w->c->word);
	}
	t->nwait = 0;
	free(t->wait);
	t->wait = NULL;
	t->waitcap = 0;
}

/* The pointer words of the values waiting in c's buffer (for the cycle
 * collector). */
void
vm_chan_slots(Vm *vm, void *chan, VmSlotFn fn, void *ctx)
{
	VmChan *c = vm_handle_get(vm, VM_WORD(chan), VM_HK_CHAN);
	const VmType *t;

	if (c == NULL)
		return;
	t = c->t;
	if (c->buf == NULL || t->np == 0)
		return;
	for (int32_t i = 0; i < c->size; i++) {
		uint32_t *w = (uint32_t *)slot(c, i);
		for (int32_t k = 0; k < t->np; k++) {
			uint8_t b = t->map[k];
			for (int j = 0; b != 0; j++, b <<= 1)
				if (b & 0x80)
					fn(vm, &w[k * 8 + j], ctx);
		}
	}
}
