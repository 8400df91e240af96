/*
 * The interpreter loop: decode the three operand addresses of an
 * instruction, then dispatch on its opcode (computed goto under GCC, a
 * switch otherwise), for at most one quantum. Instruction semantics follow
 * the Dis VM Specification (doc/dis.ms) and Inferno's libinterp/xec.c.
 *
 * Operands: for the middle operand, absence means "the destination", as in
 * Inferno (`addw $1, 36(fp)` adds to 36(fp)). Immediates are read in place
 * from the decoded instruction.
 */
#include "vm/vm_impl.h"

#include <math.h>
#include <stdio.h>

#include "vm/fmt.h"

#if defined(__GNUC__) && !defined(VM_USE_SWITCH)
#define VM_USE_GOTO 1
#endif

/* Operands are where the module says: hostile code can put a word at an
 * odd address. The types say so (the same moves on x86, and defined). */
typedef int32_t vm_w32 __attribute__((aligned(1), may_alias));
typedef uint32_t vm_uw32 __attribute__((aligned(1), may_alias));
typedef double vm_f64 __attribute__((aligned(1), may_alias));
typedef int64_t vm_w64 __attribute__((aligned(1), may_alias));
typedef uint64_t vm_uw64 __attribute__((aligned(1), may_alias));
#define B(p) (*(uint8_t *)(p))
#define W(p) (*(vm_w32 *)(p))
#define UW(p) (*(vm_uw32 *)(p))
#define F(p) (*(vm_f64 *)(p))
#define V(p) (*(vm_w64 *)(p))
#define UV(p) (*(vm_uw64 *)(p))
#define P(p) (*(vm_uw32 *)(p))

/* Raises for a pointer vm_ptr_bad refused: nil, or a value Dis code made
 * that names nothing in the arena. */
static _Noreturn void
bad_pointer(VmThread *t, uint32_t w)
{
	if (w == VM_H)
		vm_raise(t, VM_EX_NILREF);
	vm_raise(t, "dereference of invalid pointer 0x%x", (unsigned)w);
}

static inline uint8_t *
operand(VmThread *t, uint8_t mode, int32_t a, int32_t b, const int32_t *imm)
{
	uint32_t w;

	switch (mode) {
	case VM_OP_MP: return t->mp + a;
	case VM_OP_FP: return t->fp + a;
	case VM_OP_IMM: return (uint8_t *)imm;
	case VM_OP_IMP: w = P(t->mp + a); break;
	case VM_OP_IFP: w = P(t->fp + a); break;
	default: return NULL;
	}
	if (vm_ptr_bad(w))
		bad_pointer(t, w);
	return (uint8_t *)VM_PTR(w) + b;
}

/* n2(n1(fp)): the word at fp+n1 is a pointer; n2 bytes into what it names. */
static inline uint8_t *
indirect(VmThread *t, uint8_t *fp, uint32_t n1, int32_t n2)
{
	uint32_t w = P(fp + n1);

	if (vm_ptr_bad(w))
		bad_pointer(t, w);
	return (uint8_t *)VM_PTR(w) + n2;
}

/* Stores pointer value v (already referenced) in word *d, dropping the old. */
static inline void
setp(Vm *vm, uint8_t *d, uint32_t v)
{
	uint32_t old = P(d);

	P(d) = v;
	vm_destroy(vm, old);
}

static inline void
movp(Vm *vm, uint8_t *d, uint8_t *s)
{
	uint32_t v = P(s);

	vm_incref(v);
	setp(vm, d, v);
}

/* Drops the references held by the pointer words of t at p, leaving the
 * words as they are: the caller overwrites them next. Unlike
 * vm_type_freeptrs it does not set them to H, so a source that overlaps
 * the destination still reads its pointers (Inferno's freeptrs). */
static void
dropptrs(Vm *vm, const VmType *t, uint8_t *p)
{
	for (int32_t i = 0; i < t->np; i++)
		for (int j = 0; j < 8; j++)
			if (t->map[i] & (0x80 >> j))
				vm_destroy(vm, P(p + ((size_t)i * 8 + (size_t)j) * 4));
}

static int32_t
cvt_real_word(double f)
{
	/* Round half away from zero (dis-facts.md); saturate what C leaves undefined. */
	f = f < 0 ? f - .5 : f + .5;
	if (!(f > -2147483649.0 && f < 2147483648.0))
		return f > 0 ? INT32_MAX : INT32_MIN;
	return (int32_t)f;
}

static int64_t
cvt_real_big(double f)
{
	f = f < 0 ? f - .5 : f + .5;
	if (!(f > -9223372036854775808.0 && f < 9223372036854775808.0))
		return f > 0 ? INT64_MAX : INT64_MIN;
	return (int64_t)f;
}

/* x**n by squaring, wrapping as the hardware does (unsigned arithmetic). */
static int64_t
ipow(int64_t x, int32_t n)
{
	uint64_t r = 1, ux = (uint64_t)x;
	uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;

	for (;;) {
		if (un & 1)
			r *= ux;
		if ((un >>= 1) == 0)
			break;
		ux *= ux;
	}
	if (n < 0)
		return (int64_t)r == 0 ? 0 : 1 / (int64_t)r;
	return (int64_t)r;
}

static double
fpow(double x, int32_t n)
{
	double r = 1;
	int inv = n < 0;
	uint32_t un = inv ? 0u - (uint32_t)n : (uint32_t)n;

	for (;;) {
		if (un & 1)
			r *= x;
		if ((un >>= 1) == 0)
			break;
		x *= x;
	}
	return inv ? 1 / r : r;
}

/* The byte count of movm, consm and headm, an operand's value: at most
 * DIS_MAX_DISP, so the copy ends in the arena's guard at worst. */
static inline size_t
copy_len(VmThread *t, int32_t n)
{
	if ((uint32_t)n > DIS_MAX_DISP)
		vm_raise(t, "copy of %d bytes out of range", (int)n);
	return (size_t)n;
}

/* Copying n bytes into memory that exists (movm, headm, slicela, and
 * their pointer kin) is work, as filling an allocation is (vm_heap_alloc:
 * Vm.nwork, one unit per 64 bytes): else 2048 16 MB movm's, or slicela's
 * of big arrays, would run a quantum with one instruction counted each.
 * Once the budget is spent the instruction raises before copying, and the
 * scheduler ends the program for the budget before any handler runs. */
static inline size_t
copy_work(VmThread *t, size_t n)
{
	Vm *vm = t->vm;

	if (n >> 6 != 0) {
		vm->nwork += n >> 6;
		if (vm->opt.max_instructions != 0 && vm->ninstr + vm->nwork >= vm->opt.max_instructions)
			vm_raise(t, "instruction budget exhausted");
	}
	return n;
}

/* Does a case table of n entries of `entry` bytes after a header of
 * `head` bytes, with a default after them, lie in the arena? Module
 * data holds it, which Dis code can rewrite. */
static int
table_ok(const uint8_t *tab, int32_t n, uint32_t head, uint32_t entry)
{
	return n >= 0 && vm_span_ok(VM_WORD(tab), head + (uint64_t)n * entry + 4);
}

/* A branch's target was checked against the code size when the module was
 * read (dis/load.c); dynamic targets (case tables, goto, returns) are not. */
#define GO(pc) (t->m->inst + (pc))

static inline const VmInst *
jump(VmThread *t, int32_t pc)
{
	if ((uint32_t)pc >= (uint32_t)t->m->ninst)
		vm_raise(t, "branch out of range: pc %d", (int)pc);
	return t->m->inst + pc;
}

static VmType *
mtype(VmThread *t, int32_t i)
{
	if ((uint32_t)i >= (uint32_t)t->m->ntype)
		vm_raise(t, "type index out of range: %d", (int)i);
	return t->m->type[i];
}

static VmArray *
index_check(VmThread *t, uint8_t *s, uint8_t *d)
{
	uint32_t w = P(s);
	VmArray *a = VM_PTR(w);

	if (vm_ptr_bad(w) || (uint32_t)W(d) >= a->len)
		vm_raise(t, VM_EX_BOUNDS);
	return a;
}

/* Element size of array a for indx: its type's. The element's address is
 * formed in 32 bits, a Dis word like any other; using it checks it. */
static uint32_t
elem_size(VmThread *t, const VmArray *a)
{
	VmType *et = vm_type_at(t->vm, a->tid);

	if (et == NULL)
		vm_raise(t, VM_EX_BOUNDS);
	return (uint32_t)et->size;
}

static VmList *
cons(VmThread *t, size_t n, uint8_t *d)
{
	VmList *l = vm_heap_alloc(t->vm, t->vm->t_list, sizeof(VmList) + n);

	if (l == NULL)
		vm_raise(t, VM_EX_NOMEM);
	l->tail = P(d);  /* takes over the reference held by d */
	l->tid = 0;
	P(d) = VM_WORD(l);
	return l;
}

static VmList *
head(VmThread *t, uint8_t *s)
{
	uint32_t w = P(s);

	if (vm_ptr_bad(w))
		bad_pointer(t, w);
	return VM_PTR(w);
}

static void
newarray(VmThread *t, uint8_t *d, int32_t len, VmType *et, int zero)
{
	VmArray *a;

	if (len < 0)
		vm_raise(t, VM_EX_NEGSIZE);
	a = vm_array_new(t->vm, et, len, zero);
	if (a == NULL)
		vm_raise(t, VM_EX_NOMEM);
	setp(t->vm, d, VM_WORD(a));
}

static void
newobj(VmThread *t, uint8_t *d, VmType *ty)
{
	void *p = vm_heap_new(t->vm, ty);

	if (p == NULL)
		vm_raise(t, VM_EX_NOMEM);
	setp(t->vm, d, VM_WORD(p));
}

static void
slicea(VmThread *t, uint8_t *d, int32_t start, int32_t end)
{
	VmArray *a = VM_PTR(P(d)), *ss;
	VmType *et;
	size_t nb;
	uint32_t root;

	if (vm_ptr_bad(P(d))) {
		if (P(d) == VM_H && end - start == 0)
			return;
		bad_pointer(t, P(d));
	}
	if (start < 0 || end < start || (uint32_t)end > a->len || vm_array_bytes(t->vm, a, &et, &nb) == NULL)
		vm_raise(t, VM_EX_BOUNDS);
	ss = vm_heap_alloc(t->vm, t->vm->t_array, sizeof(VmArray));
	if (ss == NULL)
		vm_raise(t, VM_EX_NOMEM);
	ss->len = (uint32_t)(end - start);
	ss->tid = et->id;
	ss->data = a->data + (uint32_t)start * (uint32_t)et->size;
	root = a->root != VM_H ? a->root : P(d);
	vm_incref(root);
	ss->root = root;
	setp(t->vm, d, VM_WORD(ss));
}

static void
slicela(VmThread *t, uint8_t *s, int32_t at, uint8_t *d)
{
	VmArray *src = VM_PTR(P(s)), *dst = VM_PTR(P(d));
	VmType *st, *dt;
	uint8_t *sd, *dd;
	size_t esz, n, dn;

	if (P(s) == VM_H)
		return;
	if (vm_ptr_bad(P(s)))
		bad_pointer(t, P(s));
	if (vm_ptr_bad(P(d)))
		bad_pointer(t, P(d));
	if (at < 0 || (uint64_t)at + src->len > dst->len ||
	    (sd = vm_array_bytes(t->vm, src, &st, &n)) == NULL ||
	    (dd = vm_array_bytes(t->vm, dst, &dt, &dn)) == NULL || st->size != dt->size)
		vm_raise(t, VM_EX_BOUNDS);
	esz = (size_t)dt->size;
	copy_work(t, n);
	if (dt->np > 0) {
		for (uint32_t i = 0; i < src->len; i++)
			vm_type_incmem(dt, sd + i * esz);
		for (uint32_t i = 0; i < src->len; i++)
			dropptrs(t->vm, dt, dd + ((size_t)at + i) * esz);
	}
	memmove(dd + (size_t)at * esz, sd, n);
}

/* case/casel: the table at d is n, then n (lo, hi, pc) entries with
 * lo <= v < hi, then the default pc; entries are sorted. */
static int32_t
case_word(const uint8_t *tab, int32_t v)
{
	const int32_t *tp = (const int32_t *)tab + 1;
	int32_t n = tp[-1], dflt;

	if (!table_ok(tab, n, 4, 12))
		return -1;
	dflt = tp[n * 3];

	while (n > 0) {
		int32_t n2 = n >> 1;
		const int32_t *l = tp + n2 * 3;
		if (v < l[0]) {
			n = n2;
		} else if (v >= l[1]) {
			tp = l + 3;
			n -= n2 + 1;
		} else {
			return l[2];
		}
	}
	return dflt;
}

static int32_t
case_big(const uint8_t *tab, int64_t v)
{
	const int32_t *tp = (const int32_t *)tab + 2;
	int32_t n = tp[-2], dflt;

	if (!table_ok(tab, n, 8, 24))
		return -1;
	dflt = tp[n * 6];

	while (n > 0) {
		int32_t n2 = n >> 1;
		const int32_t *l = tp + n2 * 6;
		int64_t lo, hi;
		memcpy(&lo, l, 8);
		memcpy(&hi, l + 2, 8);
		if (v < lo) {
			n = n2;
		} else if (v >= hi) {
			tp = l + 6;
			n -= n2 + 1;
		} else {
			return l[4];
		}
	}
	return dflt;
}

/* casec: n, then n (lo string, hi string or H, pc) entries, then default. */
static int32_t
case_string(const uint8_t *tab, uint32_t v)
{
	const uint32_t *tp = (const uint32_t *)tab + 1;
	int32_t n = (int32_t)tp[-1];

	if (!table_ok(tab, n, 4, 12))
		return -1;

	for (int32_t i = 0; i < n; i++, tp += 3) {
		if (tp[1] == VM_H) {
			if (vm_string_cmp(tp[0], v) == 0)
				return (int32_t)tp[2];
		} else if (vm_string_cmp(tp[0], v) <= 0 && vm_string_cmp(tp[1], v) >= 0) {
			return (int32_t)tp[2];
		}
	}
	return (int32_t)tp[0];
}

static void
cvtwc(VmThread *t, uint8_t *d, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", (long long)v);

	vm_string_store_utf8(t, (uint32_t *)d, buf, (size_t)n);
}

static void
cvtfc(VmThread *t, uint8_t *d, double r)
{
	char buf[64];

	vm_fmt_real(buf, sizeof buf, r);
	vm_string_store_utf8(t, (uint32_t *)d, buf, strlen(buf));
}


/* ---- fixed point (Inferno xec.c mulx..cvtxf) ----
 * Inferno computes in C's LONG with `r <<= p` / `r >>= -p`; here the
 * shifts are done on unsigned values with the count taken modulo 64 (as
 * the x86 shift instructions do), right shifts are arithmetic, sums wrap,
 * and the 64-bit divide raises "zero divide" and wraps INT64_MIN / -1. */
#define STMP(t) W((t)->fp + 20)   /* Inferno Stmp: the word after the registers */
#define DTMP(t) W((t)->fp + 28)   /* Inferno Dtmp: (NREG+2) words in */

static int64_t
asr64(int64_t x, uint32_t n)
{
	n &= 63;
	return x < 0 ? ~(~x >> n) : x >> n;
}

static int32_t
asr32(int32_t x, uint32_t n)
{
	n &= 31;
	return x < 0 ? ~(~x >> n) : x >> n;
}

/* r << p for p >= 0, r >> -p otherwise. */
static int64_t
xshift(int64_t r, int32_t p)
{
	if (p >= 0)
		return (int64_t)((uint64_t)r << ((uint32_t)p & 63));
	return asr64(r, 0u - (uint32_t)p);
}

static int64_t
xdiv(VmThread *t, int64_t a, int64_t b)
{
	if (b == 0)
		vm_raise(t, VM_EX_ZDIV);
	if (b == -1)
		return (int64_t)(0u - (uint64_t)a);
	return a / b;
}

static int64_t
xadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* (1 << -p) - 1: the rounding bias of the *1 forms. */
static int64_t
xbias(int32_t p)
{
	return (int64_t)(((uint64_t)1 << ((0u - (uint32_t)p) & 63)) - 1);
}

static int32_t
mulx0(VmThread *t, int32_t x, int32_t y)
{
	if (x == 0 || y == 0)
		return 0;
	return (int32_t)xdiv(t, xshift((int64_t)x * y, DTMP(t)), STMP(t));
}

static int32_t
divx0(VmThread *t, int32_t x, int32_t y)
{
	if (x == 0)
		return 0;
	return (int32_t)xdiv(t, xshift((int64_t)STMP(t) * x, DTMP(t)), y);
}

static int32_t
cvtxx0(VmThread *t, int32_t x, int32_t p)
{
	if (x == 0)
		return 0;
	return (int32_t)xdiv(t, xshift(x, p), STMP(t));
}

static int32_t
mulx1(VmThread *t, int32_t x, int32_t y)
{
	int32_t p = DTMP(t), a = STMP(t), v = 0;
	int vnz = p & 2, wnz = p & 1, neg = (x < 0) != (y < 0);
	int64_t w = 0, r;

	if (x == 0 || y == 0)
		return 0;
	p = asr32(p, 2);
	if (vnz) {
		v = (int32_t)((uint32_t)a - 1);
		if (neg)
			v = (int32_t)(0u - (uint32_t)v);
	}
	if (wnz && (vnz ? !neg : neg))
		w = xbias(p);
	r = xshift(xadd((int64_t)x * y, w), p);
	return (int32_t)xdiv(t, xadd(r, v), a);
}

static int32_t
divx1(VmThread *t, int32_t x, int32_t y)
{
	int32_t p = DTMP(t), b = STMP(t), v = 0;
	int vnz = p & 2, wnz = p & 1;
	int64_t w = 0, s;

	if (x == 0)
		return 0;
	p = asr32(p, 2);
	if (vnz)
		v = (x >= 0 && y < 0) || (x < 0 && y >= 0) ? -1 : 1;
	if (wnz && x <= 0)
		w = xbias(p);
	s = xshift(xadd((int64_t)b * x, w), p);
	return (int32_t)((uint32_t)(int32_t)xdiv(t, s, y) + (uint32_t)v);
}

static int32_t
cvtxx1(VmThread *t, int32_t x, int32_t p)
{
	int32_t a = STMP(t), v = 0;
	int vnz = p & 2, wnz = p & 1;
	int64_t w = 0, r;

	if (x == 0)
		return 0;
	p = asr32(p, 2);
	if (vnz) {
		v = (int32_t)((uint32_t)a - 1);
		if (x < 0)
			v = (int32_t)(0u - (uint32_t)v);
	}
	if (wnz && ((!vnz && x < 0) || (vnz && x > 0)))
		w = xbias(p);
	r = xshift(xadd(x, w), p);
	return (int32_t)xdiv(t, xadd(r, v), a);
}

/*
 * Hot instructions. Each body is written once and used twice: by the
 * generic case, after the general operand decode, and by handlers
 * specialised at load time to the operand shapes that loops use (fp
 * locals, immediates, mp constants), which compute their addresses with
 * no decoding at all (vm_fast_handler picks them). Shapes name source,
 * middle, destination: F n(fp), M n(mp), I $n, N absent (the destination).
 */
#define FAST_ARITH(X) \
	X(ADDW, W(d) = (int32_t)((uint32_t)W(m) + (uint32_t)W(s))) \
	X(SUBW, W(d) = (int32_t)((uint32_t)W(m) - (uint32_t)W(s))) \
	X(MULW, W(d) = (int32_t)((uint32_t)W(m) * (uint32_t)W(s))) \
	X(ANDW, W(d) = W(m) & W(s)) \
	X(ORW, W(d) = W(m) | W(s)) \
	X(XORW, W(d) = W(m) ^ W(s)) \
	X(ADDL, V(d) = (int64_t)(UV(m) + UV(s))) \
	X(SUBL, V(d) = (int64_t)(UV(m) - UV(s))) \
	X(MULL, V(d) = (int64_t)(UV(m) * UV(s))) \
	X(ADDF, F(d) = F(m) + F(s)) \
	X(SUBF, F(d) = F(m) - F(s)) \
	X(MULF, F(d) = F(m) * F(s)) \
	X(DIVF, F(d) = F(m) / F(s))
#define SHAPES_ARITH(Y, op, body) Y(op, body, F, N, F) Y(op, body, I, N, F) Y(op, body, M, N, F) Y(op, body, F, F, F) \
	Y(op, body, P, N, F) Y(op, body, F, N, P) Y(op, body, I, F, P) Y(op, body, F, F, P) Y(op, body, I, F, F)

#define FAST_MOVE(X) \
	X(MOVB, B(d) = B(s)) \
	X(MOVW, W(d) = W(s)) \
	X(MOVF, F(d) = F(s)) \
	X(MOVL, V(d) = V(s)) \
	X(CVTBW, W(d) = B(s)) \
	X(CVTWB, B(d) = (uint8_t)W(s)) \
	X(CVTWL, V(d) = W(s)) \
	X(CVTLW, W(d) = (int32_t)V(s)) \
	X(CVTWF, F(d) = W(s)) \
	X(LEA, P(d) = VM_WORD(s)) \
	X(LENA, W(d) = vm_ptr_bad(P(s)) ? 0 : (int32_t)((VmArray *)VM_PTR(P(s)))->len)
#define SHAPES_MOVE(Y, op, body) Y(op, body, F, N, F) Y(op, body, I, N, F) Y(op, body, M, N, F) Y(op, body, F, N, M) \
	Y(op, body, P, N, F) Y(op, body, F, N, P) Y(op, body, I, N, P) Y(op, body, M, N, P)

/* ind*: s the array, d the index, m receives the element's address */
#define FAST_IND(X) \
	X(INDB, P(m) = index_check(t, s, d)->data + UW(d)) \
	X(INDW, P(m) = index_check(t, s, d)->data + UW(d) * 4) \
	X(INDF, P(m) = index_check(t, s, d)->data + UW(d) * 8) \
	X(INDL, P(m) = index_check(t, s, d)->data + UW(d) * 8) \
	X(INDX, { VmArray *a_ = index_check(t, s, d); P(m) = a_->data + UW(d) * elem_size(t, a_); })
#define SHAPES_IND(Y, op, body) Y(op, body, F, F, F) Y(op, body, F, F, I) Y(op, body, M, F, F) Y(op, body, M, F, I) \
	Y(op, body, P, F, F) Y(op, body, P, F, I)

/* if s op m goto d */
#define FAST_BRANCH(X) \
	X(BEQW, if (W(s) == W(m)) ip = GO(i->dimm)) X(BNEW, if (W(s) != W(m)) ip = GO(i->dimm)) \
	X(BLTW, if (W(s) < W(m)) ip = GO(i->dimm)) X(BLEW, if (W(s) <= W(m)) ip = GO(i->dimm)) \
	X(BGTW, if (W(s) > W(m)) ip = GO(i->dimm)) X(BGEW, if (W(s) >= W(m)) ip = GO(i->dimm)) \
	X(BEQL, if (V(s) == V(m)) ip = GO(i->dimm)) X(BNEL, if (V(s) != V(m)) ip = GO(i->dimm)) \
	X(BLTL, if (V(s) < V(m)) ip = GO(i->dimm)) X(BLEL, if (V(s) <= V(m)) ip = GO(i->dimm)) \
	X(BGTL, if (V(s) > V(m)) ip = GO(i->dimm)) X(BGEL, if (V(s) >= V(m)) ip = GO(i->dimm)) \
	X(BEQF, if (F(s) == F(m)) ip = GO(i->dimm)) X(BNEF, if (F(s) != F(m)) ip = GO(i->dimm)) \
	X(BLTF, if (F(s) < F(m)) ip = GO(i->dimm)) X(BLEF, if (F(s) <= F(m)) ip = GO(i->dimm)) \
	X(BGTF, if (F(s) > F(m)) ip = GO(i->dimm)) X(BGEF, if (F(s) >= F(m)) ip = GO(i->dimm)) \
	X(BEQB, if (B(s) == B(m)) ip = GO(i->dimm)) X(BNEB, if (B(s) != B(m)) ip = GO(i->dimm)) \
	X(BLTB, if (B(s) < B(m)) ip = GO(i->dimm)) X(BLEB, if (B(s) <= B(m)) ip = GO(i->dimm)) \
	X(BGTB, if (B(s) > B(m)) ip = GO(i->dimm)) X(BGEB, if (B(s) >= B(m)) ip = GO(i->dimm))
#define SHAPES_BRANCH(Y, op, body) Y(op, body, F, F, I) Y(op, body, F, I, I) Y(op, body, I, F, I) Y(op, body, F, M, I) Y(op, body, M, F, I) \
	Y(op, body, P, M, I) Y(op, body, P, I, I) Y(op, body, P, F, I)

#define FAST_ALL(X) \
	FAST_ARITH(X##_ARITH) FAST_MOVE(X##_MOVE) FAST_IND(X##_IND) FAST_BRANCH(X##_BRANCH)

/* Handler numbers after the opcodes: VM_FAST_ADDW_INF and so on. */
#define ENUM_ONE(op, body, a, b, c) VM_FAST_##op##_##a##b##c,
#define ENUM_ARITH(op, body) SHAPES_ARITH(ENUM_ONE, op, body)
#define ENUM_MOVE(op, body) SHAPES_MOVE(ENUM_ONE, op, body)
#define ENUM_IND(op, body) SHAPES_IND(ENUM_ONE, op, body)
#define ENUM_BRANCH(op, body) SHAPES_BRANCH(ENUM_ONE, op, body)
enum {
	VM_FAST_BEFORE = DIS_NOPS - 1,
	FAST_ALL(ENUM)
	VM_FAST_END
};

/* (opcode, shape) of each specialised handler, in handler order. */
typedef struct FastShape {
	uint8_t op;
	char shape[4];
} FastShape;
#define SHAPE_ONE(op, body, a, b, c) {DIS_OP_##op, #a #b #c},
#define SHAPE_ARITH(op, body) SHAPES_ARITH(SHAPE_ONE, op, body)
#define SHAPE_MOVE(op, body) SHAPES_MOVE(SHAPE_ONE, op, body)
#define SHAPE_IND(op, body) SHAPES_IND(SHAPE_ONE, op, body)
#define SHAPE_BRANCH(op, body) SHAPES_BRANCH(SHAPE_ONE, op, body)
static const FastShape fast_shapes[] = {FAST_ALL(SHAPE)};
_Static_assert(sizeof fast_shapes / sizeof fast_shapes[0] == VM_FAST_END - DIS_NOPS, "one shape per handler");

static char
shape_letter(uint8_t mode)
{
	switch (mode) {
	case VM_OP_FP: return 'F';
	case VM_OP_MP: return 'M';
	case VM_OP_IMM: return 'I';
	case VM_OP_NONE: return 'N';
	case VM_OP_IFP: return 'P';
	}
	return 'X';  /* mp-indirect: the generic decode */
}

uint16_t
vm_fast_handler(const VmInst *in)
{
	char sh[4] = {shape_letter(in->sm), shape_letter(in->mm), shape_letter(in->dm), 0};

	for (size_t k = 0; k < sizeof fast_shapes / sizeof fast_shapes[0]; k++)
		if (fast_shapes[k].op == in->op && memcmp(fast_shapes[k].shape, sh, 3) == 0)
			return (uint16_t)(DIS_NOPS + k);
	return in->op;
}

/* Runs t for at most one quantum. Returns 1 when the thread has finished,
 * 0 when the quantum ran out. Exceptions leave through vm_raise. */
int
vm_xec(VmThread *t)
{
	Vm *vm = t->vm;
	const VmInst *i, *ip = t->ip;
	uint8_t *s, *m, *d;
	int budget = VM_QUANTUM;
	/* Operand bases, indexed by VM_BASE_*; fp and mp change only in
	 * call, ret and mcall, which refresh them (t->fp, t->mp stay current
	 * for everything else: exceptions, builtins, the slow decode). */
	uint8_t *base[3] = {(uint8_t *)t->m->inst, t->mp, t->fp};

	uint8_t *fp = t->fp, *mp = t->mp;
#define REBASE() (base[VM_BASE_ABS] = (uint8_t *)t->m->inst, base[VM_BASE_MP] = mp = t->mp, base[VM_BASE_FP] = fp = t->fp)

	/* The general operand decode that generic cases begin with. */
#define DECODE()                                                                            \
	do {                                                                                \
		if (i->ind == 0) {                                                          \
			s = base[i->sb] + i->s;                                             \
			m = base[i->mb] + i->m;                                             \
			d = base[i->db] + i->d;                                             \
		} else {                                                                    \
			s = operand(t, i->sm, (int32_t)i->s, i->s2, &i->simm);             \
			d = operand(t, i->dm, (int32_t)i->d, i->d2, &i->dimm);             \
			m = i->mm == VM_OP_NONE ? d : operand(t, i->mm, (int32_t)i->m, 0, &i->mimm); \
		}                                                                           \
	} while (0)
	/* Operand addresses in a specialised handler. */
#define A_F(x) (fp + i->x)
#define A_M(x) (mp + i->x)
#define A_I(x) ((uint8_t *)&i->x##imm)
#define A_N(x) d
#define A_P(x) indirect(t, fp, i->x, i->x##2)

#ifdef VM_USE_GOTO
#define LABEL_ONE(op, body, a, b, c) &&LF_##op##_##a##b##c,
#define LABEL_ARITH(op, body) SHAPES_ARITH(LABEL_ONE, op, body)
#define LABEL_MOVE(op, body) SHAPES_MOVE(LABEL_ONE, op, body)
#define LABEL_IND(op, body) SHAPES_IND(LABEL_ONE, op, body)
#define LABEL_BRANCH(op, body) SHAPES_BRANCH(LABEL_ONE, op, body)
	static const void *const labels[] = {
#define X(e, name, dstpc, form) &&L_##e,
#include "dis/ops.def"
#undef X
		FAST_ALL(LABEL)
	};
	_Static_assert(sizeof labels / sizeof labels[0] == VM_FAST_END, "one label per opcode and handler");
#define CASE(e) L_##e: t->ip = i; DECODE();
#define FCASE(op, a, b, c) LF_##op##_##a##b##c:
/* Each handler ends in its own indirect jump (direct threading), so the
 * branch predictor sees one per handler instead of one for all. */
#define NEXT                                  \
	do {                                  \
		if (--budget == 0)            \
			goto quantum;         \
		i = ip;                       \
		ip = i->next;                 \
		goto *labels[i->h];           \
	} while (0)
#define DISPATCH(h) NEXT;
#else
#define CASE(e) case DIS_OP_##e: t->ip = i; DECODE();
#define FCASE(op, a, b, c) case VM_FAST_##op##_##a##b##c:
#define NEXT goto next
#define DISPATCH(h) next: if (--budget == 0) goto quantum; i = ip; ip = i->next; switch (h)
#endif

	DISPATCH(i->h) {
	/* generic cases of the hot instructions */
#define GENERIC(op, body) CASE(op) body; NEXT;
#define GENERIC_ARITH GENERIC
#define GENERIC_MOVE GENERIC
#define GENERIC_IND GENERIC
#define GENERIC_BRANCH GENERIC
	FAST_ALL(GENERIC)
	/* their specialised handlers */
#define SPEC_ARITH(op, body) SHAPES_ARITH(SPEC_ONE, op, body)
#define SPEC_MOVE(op, body) SHAPES_MOVE(SPEC_ONE, op, body)
#define SPEC_IND(op, body) SHAPES_IND(SPEC_RAISING, op, body)
#define SPEC_BRANCH(op, body) SHAPES_BRANCH(SPEC_ONE, op, body)
	/* t->ip is kept for exceptions only: a handler that cannot raise (no
	 * indirect operand, no bounds check) skips the store. */
#define RAISES_F 0
#define RAISES_M 0
#define RAISES_I 0
#define RAISES_N 0
#define RAISES_P 1
#define SPEC_ONE(op, body, a, b, c) FCASE(op, a, b, c) \
	if (RAISES_##a | RAISES_##b | RAISES_##c) t->ip = i; \
	d = A_##c(d); s = A_##a(s); m = A_##b(m); body; NEXT;
#define SPEC_RAISING(op, body, a, b, c) FCASE(op, a, b, c) \
	t->ip = i; d = A_##c(d); s = A_##a(s); m = A_##b(m); body; NEXT;
	FAST_ALL(SPEC)

	CASE(NOP)
		/* The zeroed instruction after the last one: code that falls off its end. */
		if (i == t->m->inst + t->m->ninst)
			vm_raise(t, "execution ran past the last instruction");
		NEXT;
	CASE(RUNT) NEXT;
	CASE(ECLR) NEXT;

	/* moves and conversions */
	CASE(MOVP) movp(vm, d, s); NEXT;
	CASE(MOVM) memmove(d, s, copy_work(t, copy_len(t, W(m)))); NEXT;
	CASE(MOVMP) {
		VmType *ty = mtype(t, W(m));
		copy_work(t, (size_t)ty->size);
		vm_type_incmem(ty, s);
		dropptrs(vm, ty, d);
		memmove(d, s, (size_t)ty->size);
		NEXT;
	}
	CASE(MOVPC) W(d) = W(s); NEXT;  /* a pc is an instruction index here */
	CASE(CVTFW) W(d) = cvt_real_word(F(s)); NEXT;
	CASE(CVTLF) F(d) = (double)V(s); NEXT;
	CASE(CVTFL) V(d) = cvt_real_big(F(s)); NEXT;
	CASE(CVTRF) { float f; memcpy(&f, s, 4); F(d) = f; NEXT; }
	CASE(CVTFR) { float f = (float)F(s); memcpy(d, &f, 4); NEXT; }
	CASE(CVTWS) { int16_t h = (int16_t)W(s); memcpy(d, &h, 2); NEXT; }
	CASE(CVTSW) { int16_t h; memcpy(&h, s, 2); W(d) = h; NEXT; }
	CASE(CVTWC) cvtwc(t, d, W(s)); NEXT;
	CASE(CVTLC) cvtwc(t, d, V(s)); NEXT;
	CASE(CVTFC) cvtfc(t, d, F(s)); NEXT;
	CASE(CVTCW) W(d) = vm_string_to_int(P(s)); NEXT;
	CASE(CVTCL) V(d) = vm_string_to_big(P(s)); NEXT;
	CASE(CVTCF) F(d) = vm_string_to_real(P(s)); NEXT;
	CASE(CVTCA) vm_op_cvtca(t, (uint32_t *)d, P(s)); NEXT;
	CASE(CVTAC) vm_op_cvtac(t, (uint32_t *)d, P(s)); NEXT;

	/* arithmetic: d = m op s */
	CASE(ADDB) B(d) = (uint8_t)(B(m) + B(s)); NEXT;
	CASE(SUBB) B(d) = (uint8_t)(B(m) - B(s)); NEXT;
	CASE(MULB) B(d) = (uint8_t)(B(m) * B(s)); NEXT;
	CASE(DIVB) if (B(s) == 0) vm_raise(t, VM_EX_ZDIV); B(d) = B(m) / B(s); NEXT;
	CASE(MODB) if (B(s) == 0) vm_raise(t, VM_EX_ZDIV); B(d) = B(m) % B(s); NEXT;
	CASE(DIVW) {
		int32_t x = W(m), y = W(s);
		if (y == 0)
			vm_raise(t, VM_EX_ZDIV);
		W(d) = y == -1 ? (int32_t)(0u - (uint32_t)x) : x / y;
		NEXT;
	}
	CASE(MODW) {
		int32_t x = W(m), y = W(s);
		if (y == 0)
			vm_raise(t, VM_EX_ZDIV);
		W(d) = y == -1 ? 0 : x % y;
		NEXT;
	}
	CASE(DIVL) {
		int64_t x = V(m), y = V(s);
		if (y == 0)
			vm_raise(t, VM_EX_ZDIV);
		V(d) = y == -1 ? (int64_t)(0u - (uint64_t)x) : x / y;
		NEXT;
	}
	CASE(MODL) {
		int64_t x = V(m), y = V(s);
		if (y == 0)
			vm_raise(t, VM_EX_ZDIV);
		V(d) = y == -1 ? 0 : x % y;
		NEXT;
	}
	CASE(NEGF) F(d) = -F(s); NEXT;
	CASE(ANDB) B(d) = B(m) & B(s); NEXT;
	CASE(ANDL) V(d) = V(m) & V(s); NEXT;
	CASE(ORB) B(d) = B(m) | B(s); NEXT;
	CASE(ORL) V(d) = V(m) | V(s); NEXT;
	CASE(XORB) B(d) = B(m) ^ B(s); NEXT;
	CASE(XORL) V(d) = V(m) ^ V(s); NEXT;
	/* Shift counts are taken modulo the width, as the x86 does for Inferno's C. */
	CASE(SHLB) B(d) = (uint8_t)((uint32_t)B(m) << (W(s) & 31)); NEXT;
	CASE(SHLW) W(d) = (int32_t)((uint32_t)W(m) << (W(s) & 31)); NEXT;
	CASE(SHLL) V(d) = (int64_t)(UV(m) << (W(s) & 63)); NEXT;
	CASE(SHRB) B(d) = (uint8_t)(B(m) >> (W(s) & 31)); NEXT;
	CASE(SHRW) W(d) = W(m) >> (W(s) & 31); NEXT;
	CASE(SHRL) V(d) = V(m) >> (W(s) & 63); NEXT;
	CASE(LSRW) W(d) = (int32_t)(UW(m) >> (W(s) & 31)); NEXT;
	CASE(LSRL) V(d) = (int64_t)(UV(m) >> (W(s) & 63)); NEXT;
	CASE(EXPW) W(d) = (int32_t)ipow(W(m), W(s)); NEXT;
	CASE(EXPL) V(d) = ipow(V(m), W(s)); NEXT;
	CASE(EXPF) F(d) = fpow(F(m), W(s)); NEXT;

	/* branches: if s op m goto d */
	CASE(BEQC) if (vm_string_cmp(P(s), P(m)) == 0) ip = GO(i->dimm); NEXT;
	CASE(BNEC) if (vm_string_cmp(P(s), P(m)) != 0) ip = GO(i->dimm); NEXT;
	CASE(BLTC) if (vm_string_cmp(P(s), P(m)) < 0) ip = GO(i->dimm); NEXT;
	CASE(BLEC) if (vm_string_cmp(P(s), P(m)) <= 0) ip = GO(i->dimm); NEXT;
	CASE(BGTC) if (vm_string_cmp(P(s), P(m)) > 0) ip = GO(i->dimm); NEXT;
	CASE(BGEC) if (vm_string_cmp(P(s), P(m)) >= 0) ip = GO(i->dimm); NEXT;
	CASE(JMP) ip = GO(i->dimm); NEXT;
	CASE(CASE) ip = jump(t, case_word(d, W(s))); NEXT;
	CASE(CASEL) ip = jump(t, case_big(d, V(s))); NEXT;
	CASE(CASEC) ip = jump(t, case_string(d, P(s))); NEXT;
	CASE(GOTO) {
		/* The table's length is not in the instruction: the entry must
		 * at least lie in the arena. */
		uint32_t e = VM_WORD(d) + UW(s) * 4;
		ip = jump(t, vm_span_ok(e, 4) ? W(VM_PTR(e)) : -1);
		NEXT;
	}

	/* strings */
	CASE(ADDC) vm_op_addc(t, (uint32_t *)d, P(s), P(m)); NEXT;
	/* A forged header's length is only a number: reading it is safe, so
	 * no span check (what reads the characters checks them). */
	CASE(LENC) {
		uint32_t w = P(s);
		int32_t n = vm_ptr_bad(w) ? 0 : ((VmString *)VM_PTR(w))->len;
		W(d) = n < 0 ? (int32_t)(0u - (uint32_t)n) : n;
		NEXT;
	}
	CASE(INDC) W(d) = vm_op_indc(t, P(s), W(m)); NEXT;
	CASE(INSC) vm_op_insc(t, (uint32_t *)d, W(m), (uint32_t)W(s)); NEXT;
	CASE(SLICEC) vm_op_slicec(t, (uint32_t *)d, W(s), W(m)); NEXT;

	/* arrays: ind* s=array, d=index, m receives the element address */
	CASE(NEWA) newarray(t, d, W(s), mtype(t, W(m)), 0); NEXT;
	CASE(NEWAZ) newarray(t, d, W(s), mtype(t, W(m)), 1); NEXT;
	CASE(SLICEA) slicea(t, d, W(s), W(m)); NEXT;
	CASE(SLICELA) slicela(t, s, W(m), d); NEXT;

	/* lists */
	CASE(CONSB) B(cons(t, 4, d)->data) = B(s); NEXT;
	CASE(CONSW) W(cons(t, 4, d)->data) = W(s); NEXT;
	CASE(CONSL) V(cons(t, 8, d)->data) = V(s); NEXT;
	CASE(CONSF) F(cons(t, 8, d)->data) = F(s); NEXT;
	CASE(CONSP) {
		uint32_t v = P(s);
		VmList *l = cons(t, 4, d);
		vm_incref(v);
		l->tid = vm->t_ptr->id;
		P(l->data) = v;
		NEXT;
	}
	CASE(CONSM) { size_t n = copy_len(t, W(m)); memmove(cons(t, n, d)->data, s, n); NEXT; }
	CASE(CONSMP) {
		VmType *ty = mtype(t, W(m));
		VmList *l = cons(t, (size_t)ty->size, d);
		vm_type_incmem(ty, s);
		memmove(l->data, s, (size_t)ty->size);
		l->tid = ty->id;
		NEXT;
	}
	CASE(HEADB) B(d) = B(head(t, s)->data); NEXT;
	CASE(HEADW) W(d) = W(head(t, s)->data); NEXT;
	CASE(HEADL) V(d) = V(head(t, s)->data); NEXT;
	CASE(HEADF) F(d) = F(head(t, s)->data); NEXT;
	CASE(HEADP) movp(vm, d, head(t, s)->data); NEXT;
	CASE(HEADM) memmove(d, head(t, s)->data, copy_work(t, copy_len(t, W(m)))); NEXT;
	CASE(HEADMP) {
		VmType *ty = mtype(t, W(m));
		uint8_t *src = head(t, s)->data;
		copy_work(t, (size_t)ty->size);
		vm_type_incmem(ty, src);
		dropptrs(vm, ty, d);
		memmove(d, src, (size_t)ty->size);
		NEXT;
	}
	CASE(TAIL) movp(vm, d, (uint8_t *)&head(t, s)->tail); NEXT;
	CASE(LENL) {
		/* Each cell walked counts as work: hand-written code can make a
		 * cyclic list, whose walk only the budget or deadline ends. */
		uint32_t n = 0;
		for (uint32_t l = P(s); !vm_ptr_bad(l); l = ((VmList *)VM_PTR(l))->tail) {
			if ((++n & 4095) == 0 && vm_out_of_time(vm, (uint64_t)(VM_QUANTUM - budget) + n)) {
				vm->nwork += n;
				goto spent;
			}
		}
		vm->nwork += n;
		W(d) = (int32_t)n;
		NEXT;
	}

	/* heap objects */
	CASE(NEW) newobj(t, d, mtype(t, W(s))); NEXT;
	CASE(NEWZ) newobj(t, d, mtype(t, W(s))); NEXT;
	CASE(MNEWZ) {
		VmModlink *ml = vm_modlink_get(vm, P(s));
		if (ml == NULL)
			vm_raise(t, VM_EX_MODULE);
		if ((uint32_t)W(m) >= (uint32_t)ml->m->ntype)
			vm_raise(t, "type index out of range: %d", (int)W(m));
		newobj(t, d, ml->m->type[W(m)]);
		NEXT;
	}
	CASE(TCMP) {
		uint32_t a = P(s), b = P(d);
		if (!vm_ptr_bad(a) && (vm_ptr_bad(b) || VM_D2H(VM_PTR(a))->tid != VM_D2H(VM_PTR(b))->tid))
			vm_raise(t, "type check");
		NEXT;
	}

	/* frames, calls, modules */
	CASE(FRAME) P(d) = VM_WORD(vm_frame_alloc(t, mtype(t, W(s)))); NEXT;
	CASE(CALL) {
		uint8_t *f = VM_PTR(P(s));
		if (vm_ptr_bad(P(s)))
			bad_pointer(t, P(s));
		W(f + DIS_REGLINK * 4) = (int32_t)(ip - t->m->inst);
		P(f + DIS_REGFRAME * 4) = VM_WORD(t->fp);
		t->fp = f;
		base[VM_BASE_FP] = fp = f;  /* same module: mp stays */
		ip = GO(i->dimm);
		NEXT;
	}
	CASE(RET) {
		/* The common return: to a caller in the same module and stack
		 * segment. Anything else goes the long way. */
		uint8_t *f = t->fp;
		uint32_t caller = P(f + DIS_REGFRAME * 4);
		int32_t lr = W(f + DIS_REGLINK * 4);
		/* The caller's frame lies below this one in its segment (Dis code
		 * can rewrite REGFRAME: anything else goes the long way). */
		if (!vm_ptr_bad(caller) && P(f + DIS_REGMOD * 4) == VM_H && f != t->stack->base &&
		    (uint8_t *)VM_PTR(caller) < f && (uint8_t *)VM_PTR(caller) >= t->stack->base &&
		    (uint32_t)lr < (uint32_t)t->m->ninst) {
			uint32_t rt = P(f + DIS_REGTYP * 4);
			t->fp = VM_PTR(caller);
			t->sp = f;
			if (rt & VM_REGTYP_PTRS) {
				VmType *ft = vm_frame_type(vm, rt);
				if (ft != NULL)
					vm_type_freeptrs(vm, ft, f);
			}
			ip = GO(lr);
			base[VM_BASE_FP] = fp = t->fp;  /* same module: mp stays */
			NEXT;
		}
		vm_op_ret(t);
		if (t->exiting) {
			vm->ninstr += (uint64_t)(VM_QUANTUM - budget);
			return VM_XEC_DONE;
		}
		ip = t->ip;
		REBASE();
		NEXT;
	}
	CASE(MFRAME) {
		VmModlink *ml = vm_modlink_get(vm, P(s));
		int32_t o = W(m);
		if (ml == NULL)
			vm_raise(t, VM_EX_MODULE);
		if ((uint32_t)o >= (uint32_t)ml->nlinks)
			vm_raise(t, "invalid mframe");  /* Inferno's text */
		if (ml->links[o].frame == NULL)
			vm_raise(t, "invalid mframe: %s is variadic", ml->links[o].name);
		P(d) = VM_WORD(vm_frame_alloc(t, ml->links[o].frame));
		NEXT;
	}
	CASE(MCALL) {
		if (vm_ptr_bad(P(s)))
			bad_pointer(t, P(s));
		vm_op_mcall(t, VM_PTR(P(s)), W(m), d, ip);
		ip = t->ip;
		REBASE();
		if (t->block != VM_BLOCK_NONE)
			goto blocked;
		NEXT;
	}
	CASE(LOAD) vm_op_load(t, d, P(s), W(m)); NEXT;
	CASE(SELF) vm_incref(t->ml->word); setp(vm, d, t->ml->word); NEXT;
	CASE(RAISE) vm_op_raise(t, P(s)); NEXT;
	CASE(EXIT) {
		t->exiting = 1;
		vm->ninstr += (uint64_t)(VM_QUANTUM - budget);
		return VM_XEC_DONE;
	}

	/* threads and channels; a newc* buffer length is the middle operand */
	CASE(SPAWN)
		if (vm_ptr_bad(P(s)))
			bad_pointer(t, P(s));
		vm_op_spawn(t, VM_PTR(P(s)), t->ml, i->dimm);
		NEXT;
	CASE(MSPAWN) {
		VmModlink *ml = vm_modlink_get(vm, P(d));
		int32_t o = W(m);
		if (ml == NULL)
			vm_raise(t, VM_EX_MODULE);
		if ((uint32_t)o >= (uint32_t)ml->nlinks)
			vm_raise(t, "invalid mspawn");
		if (vm_ptr_bad(P(s)))
			bad_pointer(t, P(s));
		vm_op_spawn(t, VM_PTR(P(s)), ml, ml->links[o].pc);
		NEXT;
	}
	CASE(NEWCB) vm_op_newc(t, (uint32_t *)d, vm->t_byte, i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(NEWCW) vm_op_newc(t, (uint32_t *)d, vm->t_word, i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(NEWCF) vm_op_newc(t, (uint32_t *)d, vm->t_real, i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(NEWCL) vm_op_newc(t, (uint32_t *)d, vm->t_big, i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(NEWCP) vm_op_newc(t, (uint32_t *)d, vm->t_ptr, i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(NEWCM) {
		/* newcm: s is the element size in bytes, and holds no pointers. */
		VmType *ty = W(s) < 0 || W(s) > DIS_MAX_DISP ? NULL : vm_type_sized(vm, W(s));
		if (ty == NULL)
			vm_raise(t, VM_EX_NOMEM);
		vm_op_newc(t, (uint32_t *)d, ty, i->mm == VM_OP_NONE ? 0 : W(m));
		NEXT;
	}
	CASE(NEWCMP) vm_op_newc(t, (uint32_t *)d, mtype(t, W(s)), i->mm == VM_OP_NONE ? 0 : W(m)); NEXT;
	CASE(SEND)
		if (vm_op_send(t, P(d), s))
			goto blocked;
		NEXT;
	CASE(RECV)
		if (vm_op_recv(t, P(s), d))
			goto blocked;
		NEXT;
	CASE(ALT)
		if (vm_op_alt(t, s, (int32_t *)d, 1))
			goto blocked;
		NEXT;
	CASE(NBALT) vm_op_alt(t, s, (int32_t *)d, 0); NEXT;

	/* Fixed point (Inferno xec.c): the scale shift p is Dtmp (fp+28) for
	 * mulx/divx, the middle operand for cvtxx; the *0 and *1 forms divide
	 * by the scale factor in Stmp (fp+20); the *1 forms take two rounding
	 * flags in p's low bits. */
	CASE(MULX) W(d) = (int32_t)xshift((int64_t)W(m) * W(s), DTMP(t)); NEXT;
	CASE(DIVX) {
		int64_t x = xshift(W(m), DTMP(t));
		W(d) = (int32_t)xdiv(t, x, W(s));
		NEXT;
	}
	CASE(CVTXX) W(d) = (int32_t)xshift(W(s), W(m)); NEXT;
	CASE(MULX0) W(d) = mulx0(t, W(m), W(s)); NEXT;
	CASE(DIVX0) W(d) = divx0(t, W(m), W(s)); NEXT;
	CASE(CVTXX0) W(d) = cvtxx0(t, W(s), W(m)); NEXT;
	CASE(MULX1) W(d) = mulx1(t, W(m), W(s)); NEXT;
	CASE(DIVX1) W(d) = divx1(t, W(m), W(s)); NEXT;
	CASE(CVTXX1) W(d) = cvtxx1(t, W(s), W(m)); NEXT;
	CASE(CVTFX) W(d) = cvt_real_word(F(s) * F(m)); NEXT;
	CASE(CVTXF) F(d) = (double)W(s) * F(m); NEXT;
#ifndef VM_USE_GOTO
	default:
		vm_raise(t, "illegal instruction %d", i->op);
#endif
	}
	NEXT;
quantum:
	t->ip = ip;
	vm->ninstr += VM_QUANTUM;
	return VM_XEC_QUANTUM;
blocked:
	t->ip = ip;
	vm->ninstr += (uint64_t)(VM_QUANTUM - budget);
	return VM_XEC_BLOCKED;
spent:
	/* The budget ran out inside instruction i: the scheduler stops the
	 * program before i could run again. */
	t->ip = i;
	vm->ninstr += (uint64_t)(VM_QUANTUM - budget);
	return VM_XEC_QUANTUM;
}
