/*
 * $Tensor: the VM side of module/tensor.m.  A `ref Tensor->T` is a small
 * heap object (an opaque int, then a hidden slot number and generation
 * into the module's tensor table, its state in the runtime); the elements
 * live in ml/ outside the Dis heap and are released when the last Dis
 * reference goes (the type's destroy hook).  Every op of ml/ops.def runs
 * through one generic path (op, opinto: the name, the inputs, an option
 * string parsed into MlOpParams by one table).  Shape and dtype errors
 * raise "tensor: ..." Dis exceptions naming the op and the shapes.
 *
 * Limits reach the elements too.  A storage's bytes count against
 * --heap-max with the Dis heap's own objects (vm_heap_charge), charged
 * before it is allocated and given back when its last view goes (views
 * share one storage and charge nothing); tensors mapped from a GGUF file
 * are counted apart, as mapped bytes.  Work counts against
 * --max-instructions, one instruction per 64 units (TENSOR_WORK_SHIFT): an
 * op's units are the elements of its inputs and output, times K for a
 * matrix product; filling a new tensor, its bytes.  The work is charged
 * before it is done, so a spent budget ends the program (exit 3) without
 * running the kernel.
 */
#include "vm/vm_impl.h"
#include "gen/vm/tensormod.h"
#include "ml/ml.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct TensorRef {
	int32_t x;      /* Limbo-visible, opaque: the VM never reads it */
	uint32_t slot;  /* hidden: index into TensorState.slots */
	uint32_t gen;   /* hidden: the slot's generation when it was filled */
} TensorRef;

typedef struct TensorSlot {
	MlTensor *t;         /* owns one reference; NULL when free */
	uint32_t gen;        /* bumped each time the slot is emptied */
	uint32_t next_free;  /* next free slot + 1 */
} TensorSlot;

/* $Tensor's state in a runtime (vm_builtin_state): the tensors Dis
 * objects refer to. A TensorRef in the arena holds a slot number and
 * generation, never a host pointer, so a forged one can name at most a
 * live tensor of this runtime. */
typedef struct TensorState {
	VmType *t_tensor;       /* Tensor->T handle */
	TensorSlot *slots;
	uint32_t nslots, capslots;
	uint32_t tfree;         /* first free slot + 1; 0 when none */
	size_t mapped_bytes;    /* of GGUF files mapped now, counted apart */
} TensorState;

static TensorState *
tstate(const Vm *vm)
{
	return vm_builtin_state(vm, &vm_tensor_def);
}

/* One budget instruction per 2^6 multiply-adds or elements. */
#define TENSOR_WORK_SHIFT 6
/* Longest op name or option string an op call takes. */
enum { NAME_BYTES = 64, OPTS_BYTES = 1024, PATH_BYTES = PATH_MAX };

#define RET(fp) VM_BUILTIN_RET(fp)

#define AW(k) (*(int32_t *)vm_builtin_arg(fp, SPEC, (k)))
#define AF(k) (*(double *)vm_builtin_arg(fp, SPEC, (k)))
#define AP(k) (*(uint32_t *)vm_builtin_arg(fp, SPEC, (k)))
#define AT(k) tensor_of(t, AP(k), (k))

/* The tensor r names, or NULL if its slot and generation name none. */
static MlTensor *
slot_tensor(Vm *vm, const TensorRef *r)
{
	TensorState *ts = tstate(vm);
	if (r->slot >= ts->nslots || ts->slots[r->slot].gen != r->gen)
		return NULL;
	return ts->slots[r->slot].t;
}

/* The tensor Dis pointer w names; raises for nil (naming argument k+1, or
 * "element k" when what is an array's name) and for a dead handle. */
static MlTensor *
tensor_word(VmThread *t, uint32_t w, const char *what, int k)
{
	MlTensor *mt;

	if (w == VM_H)
		vm_raise(t, "tensor: %s %d is nil", what, k + 1);
	/* a T made by Dis code never gets here (the marshaller admits only
	 * this module's handles); a handle whose tensor is gone does */
	if (vm_ptr_bad(w) || !VM_IS(w, tstate(t->vm)->t_tensor) ||
	    (mt = slot_tensor(t->vm, VM_PTR(w))) == NULL)
		vm_raise(t, "tensor: %s %d is not a tensor", what, k + 1);
	return mt;
}

static MlTensor *
tensor_of(VmThread *t, uint32_t w, int k)
{
	return tensor_word(t, w, "argument", k);
}

/* Puts mt (taking its reference) in a free slot; -1 when out of memory. */
static int
slot_put(Vm *vm, MlTensor *mt, uint32_t *slot, uint32_t *gen)
{
	TensorState *ts = tstate(vm);
	uint32_t i;

	if (ts->tfree != 0) {
		i = ts->tfree - 1;
		ts->tfree = ts->slots[i].next_free;
	} else {
		if (ts->nslots == ts->capslots) {
			uint32_t cap = ts->capslots ? 2 * ts->capslots : 64;
			TensorSlot *p = realloc(ts->slots, cap * sizeof *p);
			if (p == NULL || cap <= ts->capslots)
				return -1;
			ts->slots = p;
			ts->capslots = cap;
		}
		i = ts->nslots++;
		ts->slots[i].gen = 0;
	}
	ts->slots[i].t = mt;
	ts->slots[i].next_free = 0;
	*slot = i;
	*gen = ts->slots[i].gen;
	return 0;
}

/* Drops a reference the runtime holds on mt; the last view of a storage
 * gives its bytes back to the heap quota (or to the mapped count). */
static void
drop_tensor(Vm *vm, MlTensor *mt)
{
	bool mapped;
	size_t bytes;

	if (mt == NULL)
		return;
	if (ml_tensor_storage_views(mt) == 1) {
		bytes = ml_tensor_storage_bytes(mt, &mapped);
		if (mapped) {
			TensorState *ts = tstate(vm);
			ts->mapped_bytes -= bytes < ts->mapped_bytes ? bytes : ts->mapped_bytes;
		} else
			vm_heap_uncharge(vm, bytes);
	}
	ml_tensor_unref(mt);
}

/* Releases every tensor still held (after a fault the heap's destroy
 * hooks never ran), the slot table and the state. */
static void
tensor_fini(Vm *vm, void *state)
{
	TensorState *ts = state;

	for (uint32_t i = 0; i < ts->nslots; i++)
		ml_tensor_unref(ts->slots[i].t);
	free(ts->slots);
	free(ts);
}

static void
check(VmThread *t, int rc, const AcErr *err)
{
	if (rc != AC_OK)
		vm_raise(t, "tensor: %s", err->msg);
}

static void
tensor_destroy(Vm *vm, void *p)
{
	TensorState *ts = tstate(vm);
	TensorRef *r = p;
	TensorSlot *s;

	if (slot_tensor(vm, r) == NULL)
		return;  /* a copy of a dead handle: nothing of its own to free */
	s = &ts->slots[r->slot];
	drop_tensor(vm, s->t);
	s->t = NULL;
	s->gen++;
	s->next_free = ts->tfree;
	ts->tfree = r->slot + 1;
}

/* Charges units of work (TENSOR_WORK_SHIFT) before it is done; a spent
 * budget or a passed deadline ends the instruction, and the scheduler the
 * program, before any handler runs. */
static void
work(VmThread *t, uint64_t units)
{
	t->vm->nwork += units >> TENSOR_WORK_SHIFT;
	if (vm_out_of_time(t->vm, 0))
		vm_raise(t, "tensor: instruction budget exhausted");
}

/* The elements of tensor mt, as a work count. */
static uint64_t
elems(const MlTensor *mt)
{
	return (uint64_t)ml_tensor_numel(mt);
}

/* Wraps mt (taking its reference, and the storage's charge with it) in a
 * new Dis object stored at *dst. */
static void
store_tensor(VmThread *t, uint8_t *dst, MlTensor *mt)
{
	TensorRef *r;

	if (dst == NULL) {
		drop_tensor(t->vm, mt);
		return;
	}
	r = vm_heap_alloc(t->vm, tstate(t->vm)->t_tensor, sizeof(TensorRef));
	if (r == NULL) {
		drop_tensor(t->vm, mt);
		vm_raise(t, VM_EX_NOMEM);
	}
	r->x = 0;
	if (slot_put(t->vm, mt, &r->slot, &r->gen) != 0) {
		/* The object is freed by its type's hook, which finds no slot. */
		r->slot = UINT32_MAX;
		drop_tensor(t->vm, mt);
		vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
		vm_raise(t, VM_EX_NOMEM);
	}
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
}

/* Bytes a new dtype tensor of shape ne takes, saturating. */
static size_t
shape_bytes(MlDtype dt, int ndim, const int64_t *ne)
{
	double n = 1;

	for (int i = 0; i < ndim; i++)
		n *= (double)ne[i];
	n = n / ml_dtype_block(dt) * ml_dtype_bytes(dt);
	return n >= (double)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)n;
}

/* A new tensor: charged to the heap quota before it is allocated. */
static MlTensor *
new_tensor(VmThread *t, const char *fn, MlDtype dt, int ndim, const int64_t *ne, bool zero)
{
	size_t bytes = shape_bytes(dt, ndim, ne);
	MlTensor *mt;
	AcErr err;

	if (vm_heap_charge(t->vm, bytes) != 0)
		vm_raise(t, VM_EX_NOMEM);
	mt = zero ? ml_tensor_zeros(dt, ndim, ne, &err) : ml_tensor_empty(dt, ndim, ne, &err);
	if (mt == NULL) {
		vm_heap_uncharge(t->vm, bytes);
		vm_raise(t, "tensor: %s: %s", fn, err.msg);
	}
	/* an empty tensor's storage is a line of padding, not charged */
	if (ml_tensor_storage_bytes(mt, NULL) != bytes) {
		vm_heap_uncharge(t->vm, bytes);
		if (vm_heap_charge(t->vm, ml_tensor_storage_bytes(mt, NULL)) != 0) {
			ml_tensor_unref(mt);
			vm_raise(t, VM_EX_NOMEM);
		}
	}
	return mt;
}

/* Charges a storage some ml/ call made (a copy): raises, dropping it,
 * when the quota is passed. */
static MlTensor *
charge_made(VmThread *t, MlTensor *mt)
{
	bool mapped;
	size_t bytes = ml_tensor_storage_bytes(mt, &mapped);

	if (!mapped && vm_heap_charge(t->vm, bytes) != 0) {
		ml_tensor_unref(mt);
		vm_raise(t, VM_EX_NOMEM);
	}
	return mt;
}

/* What the heap quota has left, in bytes. */
static size_t
heap_left(const Vm *vm)
{
	size_t used = vm->heap_used + vm->heap_ext_bytes;

	return used < vm->opt.heap_max_bytes ? vm->opt.heap_max_bytes - used : 0;
}

/* ---- Arguments ---- */

/* The string at w copied into buf (bufsize bytes), NUL-terminated; nil is
 * "".  Raises naming what when it does not fit. */
#define str_arg(t, w, buf, size, what) vm_str_arg((t), (w), (buf), (size), "tensor", (what))

static MlDtype
dtype_arg(VmThread *t, uint32_t w, const char *fn)
{
	char name[NAME_BYTES];
	int dt;

	str_arg(t, w, name, sizeof name, "dtype");
	if (name[0] == 0)
		return ML_F32;
	dt = ml_dtype_from_name(name);
	if (dt < 0)
		vm_raise(t, "tensor: %s: unknown dtype \"%s\"", fn, name);
	return (MlDtype)dt;
}

/* An array of int as a shape or index list (at most ML_MAX_DIMS). */
static int
ints_arg(VmThread *t, uint32_t w, int64_t out[ML_MAX_DIMS], const char *fn, const char *what)
{
	VmArray *a;
	const int32_t *v = (const int32_t *)vm_array_check(t, w, &a, 4);
	int n = a == NULL ? 0 : (int)a->len;

	if (n > ML_MAX_DIMS)
		vm_raise(t, "tensor: %s: %s has %d entries, at most %d", fn, what, n, ML_MAX_DIMS);
	for (int i = 0; i < n; i++)
		out[i] = v[i];
	return n;
}

static int
shape_arg(VmThread *t, uint32_t w, int64_t ne[ML_MAX_DIMS], const char *fn)
{
	int n = ints_arg(t, w, ne, fn, "shape");

	for (int i = 0; i < n; i++)
		if (ne[i] < 0)
			vm_raise(t, "tensor: %s: shape[%d] = %" PRId64 " is negative", fn, i, ne[i]);
	return n;
}

/* Stores a new array of n ints (or reals) at dst. */
static void
store_array(VmThread *t, uint8_t *dst, VmArray *a)
{
	if (dst == NULL) {
		vm_destroy(t->vm, VM_WORD(a));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(a));
}

static VmArray *
new_array(VmThread *t, VmType *et, int64_t n)
{
	VmArray *a;

	if (n > INT32_MAX)
		vm_raise(t, "tensor: %" PRId64 " elements do not fit a Limbo array", n);
	a = vm_array_new(t->vm, et, (int32_t)n, 1);
	if (a == NULL)
		vm_raise(t, VM_EX_NOMEM);
	return a;
}

/* ---- Options: "axis=-1 axes=0,2 keepdim eps=1e-5" into MlOpParams ---- */

enum OptKind { OPT_INT, OPT_I64, OPT_U64, OPT_REAL, OPT_BOOL, OPT_AXES, OPT_LIST, OPT_MODE };
static const struct {
	const char *name;
	enum OptKind kind;
	size_t off;
	int n;  /* OPT_LIST: most entries */
} opts_tab[] = {
	{"axis", OPT_INT, offsetof(MlOpParams, axis), 0},
	{"axes", OPT_AXES, offsetof(MlOpParams, axes), 0},
	{"keepdim", OPT_BOOL, offsetof(MlOpParams, keepdim), 0},
	{"correction", OPT_INT, offsetof(MlOpParams, correction), 0},
	{"eps", OPT_REAL, offsetof(MlOpParams, eps), 0},
	{"groups", OPT_INT, offsetof(MlOpParams, groups), 0},
	{"p0", OPT_REAL, offsetof(MlOpParams, p), 0},
	{"p1", OPT_REAL, offsetof(MlOpParams, p) + sizeof(double), 0},
	{"kernel", OPT_LIST, offsetof(MlOpParams, kernel), 3},
	{"stride", OPT_LIST, offsetof(MlOpParams, stride), 3},
	{"dilation", OPT_LIST, offsetof(MlOpParams, dilation), 3},
	{"output_padding", OPT_LIST, offsetof(MlOpParams, output_padding), 3},
	{"pad", OPT_LIST, offsetof(MlOpParams, pad), 6},
	{"ceil_mode", OPT_BOOL, offsetof(MlOpParams, ceil_mode), 0},
	{"count_include_pad", OPT_BOOL, offsetof(MlOpParams, count_include_pad), 0},
	{"k", OPT_I64, offsetof(MlOpParams, k), 0},
	{"largest", OPT_BOOL, offsetof(MlOpParams, largest), 0},
	{"sorted", OPT_BOOL, offsetof(MlOpParams, sorted), 0},
	{"causal", OPT_BOOL, offsetof(MlOpParams, causal), 0},
	{"mode", OPT_MODE, offsetof(MlOpParams, mode), 0},
	{"reduction", OPT_MODE, offsetof(MlOpParams, mode), 0},
	{"ignore_index", OPT_I64, offsetof(MlOpParams, ignore_index), 0},
	{"label_smoothing", OPT_REAL, offsetof(MlOpParams, label_smoothing), 0},
	{"scale", OPT_REAL, offsetof(MlOpParams, scale), 0},
	{"seed", OPT_U64, offsetof(MlOpParams, seed), 0},
};

/* The symbolic values of mode (MlOpParams: pad modes, scatter
 * reductions, loss reductions share the field). */
static int
mode_value(const char *v)
{
	static const struct { const char *name; int value; } modes[] = {
		{"constant", 0}, {"reflect", 1}, {"edge", 2}, {"replicate", 2}, {"wrap", 3},
		{"circular", 3}, {"add", 1}, {"mul", 2}, {"max", 3}, {"min", 4},
		{"none", 0}, {"mean", 1}, {"sum", 2},
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(modes[i].name, v) == 0)
			return modes[i].value;
	return -1;
}

/* Parses opts into p; the defaults are PyTorch's (stride, dilation and
 * groups 1, ignore_index -100, largest and sorted true).  0, or a message
 * naming the bad option in msg. */
static int
parse_opts(char *opts, MlOpParams *p, char *msg, size_t msgsize)
{
	char *save = NULL, *tok;

	memset(p, 0, sizeof *p);
	p->groups = 1;
	p->ignore_index = -100;
	p->has_ignore_index = true;
	p->largest = p->sorted = true;
	for (int i = 0; i < 3; i++)
		p->stride[i] = p->dilation[i] = 1;
	for (tok = strtok_r(opts, " \t\n", &save); tok != NULL; tok = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(tok, '='), *val = eq != NULL ? eq + 1 : "1", *end;
		size_t i;

		if (eq != NULL)
			*eq = 0;
		for (i = 0; i < sizeof opts_tab / sizeof opts_tab[0]; i++)
			if (strcmp(opts_tab[i].name, tok) == 0)
				break;
		if (i == sizeof opts_tab / sizeof opts_tab[0]) {
			snprintf(msg, msgsize, "unknown option \"%s\"", tok);
			return -1;
		}
		uint8_t *f = (uint8_t *)p + opts_tab[i].off;
		errno = 0;
		switch (opts_tab[i].kind) {
		case OPT_INT: case OPT_I64: case OPT_U64: case OPT_BOOL: {
			long long v = strtoll(val, &end, 0);
			if (*val == 0 || *end != 0 || errno != 0 ||
			    (opts_tab[i].kind == OPT_INT && (v < INT_MIN || v > INT_MAX)))
				goto bad;
			if (opts_tab[i].kind == OPT_INT)
				*(int *)(void *)f = (int)v;
			else if (opts_tab[i].kind == OPT_BOOL)
				*(bool *)(void *)f = v != 0;
			else if (opts_tab[i].kind == OPT_U64)
				*(uint64_t *)(void *)f = (uint64_t)v;
			else
				*(int64_t *)(void *)f = v;
			break;
		}
		case OPT_REAL: {
			double v = strtod(val, &end);
			if (*val == 0 || *end != 0)
				goto bad;
			*(double *)(void *)f = v;
			break;
		}
		case OPT_MODE: {
			int v = mode_value(val);
			if (v < 0)
				goto bad;
			*(int *)(void *)f = v;
			break;
		}
		case OPT_AXES: case OPT_LIST: {
			int n = 0;
			uint32_t axes = 0;
			for (char *q = val; *q != 0; n++) {
				long long v = strtoll(q, &end, 0);
				if (end == q || (*end != 0 && *end != ',') || errno != 0)
					goto bad;
				if (opts_tab[i].kind == OPT_AXES) {
					if (v < 0 || v >= ML_MAX_DIMS)
						goto bad; /* axes are 0..ndim-1 */
					axes |= 1u << v;
				} else {
					if (n >= opts_tab[i].n)
						goto bad;
					((int64_t *)(void *)f)[n] = v;
				}
				q = *end == ',' ? end + 1 : end;
			}
			if (opts_tab[i].kind == OPT_AXES)
				*(uint32_t *)(void *)f = axes;
			else if (n == 1 && opts_tab[i].n == 3)
				for (int k = 1; k < 3; k++) /* one value serves every spatial dimension */
					((int64_t *)(void *)f)[k] = ((int64_t *)(void *)f)[0];
			break;
		}
		}
		continue;
	bad:
		snprintf(msg, msgsize, "bad value \"%s\" for option %s", val, tok);
		return -1;
	}
	return 0;
}

/* ---- Shape, dtype, constructors, elements ---- */

#define SPEC "p"
void
vm_Tensor_shape(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	VmArray *a = new_array(t, t->vm->t_word, mt->ndim);

	for (int i = 0; i < mt->ndim; i++)
		((int32_t *)(void *)(a + 1))[i] = mt->ne[i] > INT32_MAX ? INT32_MAX : (int32_t)mt->ne[i];
	store_array(t, RET(fp), a);
}

static void
ret_string(VmThread *t, uint8_t *fp, const char *s)
{
	uint8_t *r = RET(fp);

	if (r != NULL)
		vm_string_store_utf8(t, (uint32_t *)r, s, strlen(s));
}

void vm_Tensor_dtype(VmThread *t, uint8_t *fp) { ret_string(t, fp, ml_dtype_name(AT(0)->dtype)); }
void vm_Tensor_device(VmThread *t, uint8_t *fp) { (void)AT(0); ret_string(t, fp, "cpu"); }
void
vm_Tensor_numel(VmThread *t, uint8_t *fp)
{
	int64_t n = ml_tensor_numel(AT(0));
	uint8_t *r = RET(fp);

	if (r != NULL)
		*(int32_t *)r = n > INT32_MAX ? INT32_MAX : (int32_t)n;
}
void
vm_Tensor_contiguous(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0), *c;
	AcErr e;

	if (ml_tensor_is_contiguous(mt)) {
		store_tensor(t, RET(fp), ml_tensor_ref(mt));
		return;
	}
	work(t, elems(mt));
	c = new_tensor(t, "contiguous", mt->dtype, mt->ndim, mt->ne, false);
	if (ml_copy(c, mt, &e) != AC_OK) {
		drop_tensor(t->vm, c);
		vm_raise(t, "tensor: %s", e.msg);
	}
	store_tensor(t, RET(fp), c);
}
#undef SPEC

#define SPEC "pp"
void
vm_Tensor_zeros(VmThread *t, uint8_t *fp)
{
	int64_t ne[ML_MAX_DIMS];
	int nd = shape_arg(t, AP(0), ne, "zeros");
	MlDtype dt = dtype_arg(t, AP(1), "zeros");

	work(t, shape_bytes(dt, nd, ne));
	store_tensor(t, RET(fp), new_tensor(t, "zeros", dt, nd, ne, true));
}
#undef SPEC

#define SPEC "pfp"
void
vm_Tensor_full(VmThread *t, uint8_t *fp)
{
	int64_t ne[ML_MAX_DIMS];
	int nd = shape_arg(t, AP(0), ne, "full");
	MlDtype dt = dtype_arg(t, AP(2), "full");
	MlTensor *mt;
	AcErr e;

	work(t, shape_bytes(dt, nd, ne));
	mt = new_tensor(t, "full", dt, nd, ne, false);
	if (ml_fill(mt, AF(1), &e) != AC_OK) {
		drop_tensor(t->vm, mt);
		vm_raise(t, "tensor: full: %s", e.msg);
	}
	store_tensor(t, RET(fp), mt);
}
#undef SPEC

/* fromreal and fromint: the Limbo values through an f64 or i64 tensor
 * wrapped around them, then cast. */
static void
from_limbo(VmThread *t, uint8_t *fp, uint32_t wa, uint32_t wshape, uint32_t wdt, bool real)
{
	const char *fn = real ? "fromreal" : "fromint";
	int64_t ne[ML_MAX_DIMS], numel = 1;
	int nd = shape_arg(t, wshape, ne, fn);
	MlDtype dt = dtype_arg(t, wdt, fn);
	VmArray *a;
	uint8_t *v = vm_array_check(t, wa, &a, real ? 8 : 4);
	int64_t len = a == NULL ? 0 : a->len;
	MlTensor *src, *mt;
	AcErr e;

	for (int i = 0; i < nd; i++)
		numel *= ne[i];
	if (numel != len)
		vm_raise(t, "tensor: %s: %" PRId64 " values for a shape of %" PRId64 " elements", fn,
		         len, numel);
	work(t, (uint64_t)numel * 8);
	src = ml_tensor_wrap(real ? ML_F64 : ML_I32, nd, ne, NULL, v != NULL ? v : (uint8_t *)fp,
	                     (size_t)len * (real ? 8 : 4), NULL, NULL, &e);
	if (src == NULL)
		vm_raise(t, "tensor: %s: %s", fn, e.msg);
	mt = new_tensor(t, fn, dt, nd, ne, false);
	if (ml_copy(mt, src, &e) != AC_OK) {
		ml_tensor_unref(src);
		drop_tensor(t->vm, mt);
		vm_raise(t, "tensor: %s: %s", fn, e.msg);
	}
	ml_tensor_unref(src);
	store_tensor(t, RET(fp), mt);
}

#define SPEC "ppp"
void vm_Tensor_fromreal(VmThread *t, uint8_t *fp) { from_limbo(t, fp, AP(0), AP(1), AP(2), true); }
void vm_Tensor_fromint(VmThread *t, uint8_t *fp) { from_limbo(t, fp, AP(0), AP(1), AP(2), false); }
#undef SPEC

static void
to_limbo(VmThread *t, uint8_t *fp, MlTensor *mt, bool real)
{
	int64_t n = ml_tensor_numel(mt);
	VmArray *a;
	MlTensor *dst;
	AcErr e;

	work(t, (uint64_t)n * 8);
	a = new_array(t, real ? t->vm->t_real : t->vm->t_word, n);
	dst = ml_tensor_wrap(real ? ML_F64 : ML_I32, mt->ndim, mt->ne, NULL, a + 1,
	                     (size_t)n * (real ? 8 : 4), NULL, NULL, &e);
	if (dst == NULL || ml_copy(dst, mt, &e) != AC_OK) {
		ml_tensor_unref(dst);
		vm_destroy(t->vm, VM_WORD(a));
		vm_raise(t, "tensor: %s: %s", real ? "toreal" : "toint", e.msg);
	}
	ml_tensor_unref(dst);
	store_array(t, RET(fp), a);
}

#define SPEC "p"
void vm_Tensor_toreal(VmThread *t, uint8_t *fp) { to_limbo(t, fp, AT(0), true); }
void vm_Tensor_toint(VmThread *t, uint8_t *fp) { to_limbo(t, fp, AT(0), false); }
#undef SPEC

/* An index array as long as t has dimensions. */
static void
index_arg(VmThread *t, MlTensor *mt, uint32_t w, int64_t idx[ML_MAX_DIMS], const char *fn)
{
	int n = ints_arg(t, w, idx, fn, "index");

	if (n != mt->ndim)
		vm_raise(t, "tensor: %s: %d indices for a %d-d tensor", fn, n, mt->ndim);
}

#define SPEC "pp"
void
vm_Tensor_get(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int64_t idx[ML_MAX_DIMS];
	double v = 0;
	uint8_t *r = RET(fp);
	AcErr e;

	index_arg(t, mt, AP(1), idx, "get");
	check(t, ml_get(mt, idx, &v, &e), &e);
	if (r != NULL)
		*(double *)r = v;
}
#undef SPEC
#define SPEC "ppf"
void
vm_Tensor_set(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int64_t idx[ML_MAX_DIMS];
	AcErr e;

	index_arg(t, mt, AP(1), idx, "set");
	check(t, ml_set(mt, idx, AF(2), &e), &e);
}
#undef SPEC

/* ---- Views ---- */

static void
store_view(VmThread *t, uint8_t *fp, MlTensor *v, const AcErr *e)
{
	if (v == NULL)
		vm_raise(t, "tensor: %s", e->msg);
	store_tensor(t, RET(fp), v);
}

/* Python's slice.indices: negative bounds count from the end, then both
 * are clamped to the dimension. */
static void
py_slice(int64_t n, int64_t *start, int64_t *stop, int64_t step)
{
	int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? n : n - 1;

	if (*start < 0)
		*start += n;
	if (*stop < 0)
		*stop += n;
	*start = *start < lo ? lo : *start > hi ? hi : *start;
	*stop = *stop < lo ? lo : *stop > hi ? hi : *stop;
	if (step > 0 && *stop < *start)
		*stop = *start;
	if (step < 0 && *stop > *start)
		*stop = *start;
}

#define SPEC "pwwww"
void
vm_Tensor_slice(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int dim = AW(1);
	int64_t start = AW(2), stop = AW(3), step = AW(4);
	AcErr e;

	if (dim < -mt->ndim || dim >= mt->ndim)
		vm_raise(t, "tensor: slice: dimension %d of a %d-d tensor", dim, mt->ndim);
	if (step == 0)
		vm_raise(t, "tensor: slice: step 0");
	py_slice(mt->ne[dim < 0 ? dim + mt->ndim : dim], &start, &stop, step);
	store_view(t, fp, ml_view_slice(mt, dim, start, stop, step, &e), &e);
}
#undef SPEC
#define SPEC "pp"
void
vm_Tensor_permute(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int64_t p[ML_MAX_DIMS];
	int perm[ML_MAX_DIMS], n = ints_arg(t, AP(1), p, "permute", "perm");
	AcErr e;

	if (n != mt->ndim)
		vm_raise(t, "tensor: permute: %d entries for a %d-d tensor", n, mt->ndim);
	for (int i = 0; i < n; i++)
		perm[i] = (int)p[i];
	store_view(t, fp, ml_view_permute(mt, perm, &e), &e);
}
void
vm_Tensor_expand(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int64_t ne[ML_MAX_DIMS];
	int n = shape_arg(t, AP(1), ne, "expand");
	AcErr e;

	store_view(t, fp, ml_view_expand(mt, n, ne, &e), &e);
}
void
vm_Tensor_view(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	int64_t ne[ML_MAX_DIMS];
	int n = ints_arg(t, AP(1), ne, "view", "shape");
	AcErr e;

	store_view(t, fp, ml_view_reshape(mt, n, ne, &e), &e);
}
void
vm_Tensor_reshape(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0), *v;
	int64_t ne[ML_MAX_DIMS];
	int n = ints_arg(t, AP(1), ne, "reshape", "shape");
	AcErr e;

	v = ml_view_reshape(mt, n, ne, NULL);
	if (v == NULL) {
		/* a copy: charged before it is made */
		MlTensor *c;
		work(t, elems(mt));
		c = new_tensor(t, "reshape", mt->dtype, mt->ndim, mt->ne, false);
		if (ml_copy(c, mt, &e) != AC_OK || (v = ml_view_reshape(c, n, ne, &e)) == NULL) {
			drop_tensor(t->vm, c);
			vm_raise(t, "tensor: %s", e.msg);
		}
		ml_tensor_unref(c); /* v holds the storage and its charge */
	}
	store_tensor(t, RET(fp), v);
}
void
vm_Tensor_cast(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0), *c;
	MlDtype dt = dtype_arg(t, AP(1), "cast");
	AcErr e;

	work(t, elems(mt));
	c = new_tensor(t, "cast", dt, mt->ndim, mt->ne, false);
	if (ml_copy(c, mt, &e) != AC_OK) {
		drop_tensor(t->vm, c);
		vm_raise(t, "tensor: cast: %s", e.msg);
	}
	store_tensor(t, RET(fp), c);
}
void
vm_Tensor_copy(VmThread *t, uint8_t *fp)
{
	MlTensor *d = AT(0);
	AcErr e;

	work(t, elems(d));
	check(t, ml_copy(d, AT(1), &e), &e);
}
#undef SPEC
#define SPEC "pww"
void
vm_Tensor_transpose(VmThread *t, uint8_t *fp)
{
	AcErr e;

	store_view(t, fp, ml_view_transpose(AT(0), AW(1), AW(2), &e), &e);
}
#undef SPEC
#define SPEC "pw"
void
vm_Tensor_squeeze(VmThread *t, uint8_t *fp)
{
	AcErr e;

	store_view(t, fp, ml_view_squeeze(AT(0), AW(1), &e), &e);
}
void
vm_Tensor_unsqueeze(VmThread *t, uint8_t *fp)
{
	AcErr e;

	store_view(t, fp, ml_view_unsqueeze(AT(0), AW(1), &e), &e);
}
#undef SPEC

/* ---- The generic op path ---- */

/* The op, its inputs (nil elements are absent optional inputs) and its
 * parameters, from the arguments name, ins and opts. */
static MlOp
op_args(VmThread *t, uint32_t wname, uint32_t wins, uint32_t wopts, MlTensor *in[ML_OP_MAX_INPUTS],
        MlOpParams *p)
{
	char name[NAME_BYTES], opts[OPTS_BYTES], msg[128];
	VmArray *a;
	const uint32_t *w;
	int op, n;

	str_arg(t, wname, name, sizeof name, "op name");
	op = ml_op_from_name(name);
	if (op < 0)
		vm_raise(t, "tensor: op: no op named \"%s\"", name);
	w = (const uint32_t *)vm_array_check(t, wins, &a, 4);
	n = a == NULL ? 0 : (int)a->len;
	if (n > ml_op_arity(op) || n < 1)
		vm_raise(t, "tensor: %s: %d inputs, want %s%d", name, n,
		         n < 1 ? "1.." : "at most ", ml_op_arity(op));
	for (int i = 0; i < ML_OP_MAX_INPUTS; i++)
		in[i] = i < n && w[i] != VM_H ? tensor_word(t, w[i], "input", i) : NULL;
	str_arg(t, wopts, opts, sizeof opts, "options");
	if (parse_opts(opts, p, msg, sizeof msg) != 0)
		vm_raise(t, "tensor: %s: %s", name, msg);
	return (MlOp)op;
}

/* The work of running op: its operands' elements, times the inner
 * dimension for the matrix products. */
static uint64_t
op_work(MlOp op, MlTensor *const *in, const MlTensor *out)
{
	uint64_t units = elems(out);

	for (int i = 0; i < ML_OP_MAX_INPUTS; i++)
		if (in[i] != NULL)
			units += elems(in[i]);
	if ((op == ML_OP_MATMUL || op == ML_OP_LINEAR) && in[0]->ndim > 0) {
		uint64_t k = (uint64_t)in[0]->ne[in[0]->ndim - 1];
		units = k != 0 && elems(out) > UINT64_MAX / k ? UINT64_MAX : units + elems(out) * k;
	}
	return units;
}

#define SPEC "ppp"
void
vm_Tensor_op(VmThread *t, uint8_t *fp)
{
	MlTensor *in[ML_OP_MAX_INPUTS], *out;
	MlOpParams p;
	MlOp op = op_args(t, AP(0), AP(1), AP(2), in, &p);
	int64_t ne[ML_MAX_DIMS];
	int nd;
	AcErr e;

	if (in[0] == NULL)
		vm_raise(t, "tensor: %s: input 1 is nil", ml_op_name(op));
	check(t, ml_op_shape(op, in, &p, &nd, ne, &e), &e);
	out = new_tensor(t, ml_op_name(op), ml_op_dtype(op, in, &p), nd, ne, false);
	work(t, op_work(op, in, out));
	if (ml_op_into(op, out, in, &p, &e) != AC_OK) {
		drop_tensor(t->vm, out);
		vm_raise(t, "tensor: %s", e.msg);
	}
	store_tensor(t, RET(fp), out);
}
#undef SPEC
#define SPEC "pppp"
void
vm_Tensor_opinto(VmThread *t, uint8_t *fp)
{
	MlTensor *in[ML_OP_MAX_INPUTS], *out = AT(1);
	MlOpParams p;
	MlOp op = op_args(t, AP(0), AP(2), AP(3), in, &p);
	AcErr e;

	if (in[0] == NULL)
		vm_raise(t, "tensor: %s: input 1 is nil", ml_op_name(op));
	work(t, op_work(op, in, out));
	check(t, ml_op_into(op, out, in, &p, &e), &e);
}
#undef SPEC
#define SPEC ""
void
vm_Tensor_ops(VmThread *t, uint8_t *fp)
{
	VmArray *a = new_array(t, t->vm->t_ptr, ML_OP_COUNT);
	uint32_t *w = (uint32_t *)(void *)(a + 1);

	for (int i = 0; i < ML_OP_COUNT; i++) {
		VmString *s = vm_string_new_utf8(t->vm, ml_op_name(i), strlen(ml_op_name(i)));
		if (s == NULL) {
			vm_destroy(t->vm, VM_WORD(a));
			vm_raise(t, VM_EX_NOMEM);
		}
		vm_ptr_set(t->vm, &w[i], VM_WORD(s));
	}
	store_array(t, RET(fp), a);
}
#undef SPEC

/* ---- Files ---- */

/* The host path of a Dis path argument, confined as $Sys's paths are
 * under --sandbox; a message in err (and 0) when it is not allowed. */
static int
file_path(VmThread *t, uint32_t w, char host[PATH_BYTES], bool write, AcErr *err)
{
	str_arg(t, w, host, PATH_BYTES, "path");
	if (!vm_path_confined(t->vm, host, PATH_BYTES, write, 1)) {
		ac_err_set(err, AC_EINVAL, "%s: permission denied", host);
		return 0;
	}
	return 1;
}

/* Only regular files are read: a FIFO or device would block the runtime. */
static int
regular(const char *path, AcErr *err)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		ac_err_set(err, AC_EINVAL, "%s: not a regular file", path);
		return 0;
	}
	return 1;
}

/* Stores the error string of a (..., string) result at r + off. */
static void
ret_err(VmThread *t, uint8_t *r, int off, const AcErr *e)
{
	if (r != NULL)
		vm_string_store_utf8(t, (uint32_t *)(r + off), e->msg, strlen(e->msg));
}

#define SPEC "p"
void
vm_Tensor_loadnpy(VmThread *t, uint8_t *fp)
{
	uint8_t *r = RET(fp);
	char path[PATH_BYTES];
	MlTensor *mt = NULL;
	struct stat st;
	AcErr e;

	if (!file_path(t, AP(0), path, false, &e) || !regular(path, &e)) {
		ret_err(t, r, 4, &e);
		return;
	}
	/* the file's size bounds what loading it allocates */
	if (stat(path, &st) == 0 && (size_t)st.st_size > heap_left(t->vm))
		vm_raise(t, VM_EX_NOMEM);
	if (ml_npy_load(path, &mt, &e) != AC_OK) {
		ret_err(t, r, 4, &e);
		return;
	}
	work(t, ml_tensor_nbytes(mt));
	store_tensor(t, r, charge_made(t, mt));
}
#undef SPEC
#define SPEC "pp"
void
vm_Tensor_savenpy(VmThread *t, uint8_t *fp)
{
	MlTensor *mt = AT(0);
	char path[PATH_BYTES];
	AcErr e;

	ac_err_clear(&e);
	work(t, ml_tensor_nbytes(mt));
	if (file_path(t, AP(1), path, true, &e))
		ml_npy_save(path, mt, &e);
	if (e.code != AC_OK)
		ret_string(t, fp, e.msg);
}
#undef SPEC

#define SPEC "p"
void
vm_Tensor_loadgguf(VmThread *t, uint8_t *fp)
{
	uint8_t *r = RET(fp);
	char path[PATH_BYTES];
	MlGguf *g;
	AcErr e;
	int64_t n;
	VmArray *names, *ts;
	TensorState *tst = tstate(t->vm);

	if (!file_path(t, AP(0), path, false, &e) || !regular(path, &e) ||
	    (g = ml_gguf_open(path, &e)) == NULL) {
		ret_err(t, r, 8, &e);
		return;
	}
	n = ml_gguf_tensor_count(g);
	names = vm_array_new(t->vm, t->vm->t_ptr, (int32_t)(n < INT32_MAX ? n : 0), 1);
	ts = vm_array_new(t->vm, t->vm->t_ptr, (int32_t)(n < INT32_MAX ? n : 0), 1);
	if (names == NULL || ts == NULL) {
		ml_gguf_close(g);
		if (names != NULL)
			vm_destroy(t->vm, VM_WORD(names));
		if (ts != NULL)
			vm_destroy(t->vm, VM_WORD(ts));
		vm_raise(t, VM_EX_NOMEM);
	}
	for (int64_t i = 0; i < n && e.code == AC_OK; i++) {
		MlGgufTensorInfo info;
		MlTensor *mt;
		VmString *s;
		if (ml_gguf_tensor_info(g, i, &info, &e) != AC_OK ||
		    (mt = ml_gguf_tensor(g, info.name, &e)) == NULL)
			break;
		/* each tensor is its own view of the mapping, counted apart from
		 * the heap until its last view goes (drop_tensor) */
		tst->mapped_bytes += ml_tensor_storage_bytes(mt, NULL);
		s = vm_string_new_utf8(t->vm, info.name, strlen(info.name));
		if (s == NULL) {
			ml_tensor_unref(mt);
			ac_err_set(&e, AC_ENOMEM, "out of memory");
			break;
		}
		vm_ptr_set(t->vm, &((uint32_t *)(void *)(names + 1))[i], VM_WORD(s));
		store_tensor(t, (uint8_t *)&((uint32_t *)(void *)(ts + 1))[i], mt);
	}
	ml_gguf_close(g);
	if (e.code != AC_OK) {
		vm_destroy(t->vm, VM_WORD(names));
		vm_destroy(t->vm, VM_WORD(ts));
		ret_err(t, r, 8, &e);
		return;
	}
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(names));
		vm_destroy(t->vm, VM_WORD(ts));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(names));
	vm_ptr_set(t->vm, (uint32_t *)(r + 4), VM_WORD(ts));
}
#undef SPEC
#define SPEC "ppp"
void
vm_Tensor_savegguf(VmThread *t, uint8_t *fp)
{
	char path[PATH_BYTES];
	VmArray *na, *ta;
	const uint32_t *nw = (const uint32_t *)vm_array_check(t, AP(1), &na, 4);
	const uint32_t *tw = (const uint32_t *)vm_array_check(t, AP(2), &ta, 4);
	int32_t n = na == NULL ? 0 : (int32_t)na->len;
	MlGgufWriter *g;
	AcErr e;

	ac_err_clear(&e);
	if (n != (ta == NULL ? 0 : (int32_t)ta->len))
		vm_raise(t, "tensor: savegguf: %d names for %d tensors", (int)n,
		         (int)(ta == NULL ? 0 : ta->len));
	/* every argument is checked before anything is written */
	for (int32_t i = 0; i < n; i++)
		(void)tensor_word(t, tw[i], "tensor", i);
	if (!file_path(t, AP(0), path, true, &e)) {
		ret_string(t, fp, e.msg);
		return;
	}
	if ((g = ml_gguf_writer_new(&e)) == NULL)
		vm_raise(t, VM_EX_NOMEM);
	for (int32_t i = 0; i < n && e.code == AC_OK; i++) {
		char *name = vm_string_utf8(nw[i], NULL);
		MlTensor *mt = tensor_word(t, tw[i], "tensor", i);
		if (name == NULL) {
			ml_gguf_writer_free(g);
			vm_raise(t, VM_EX_NOMEM);
		}
		work(t, ml_tensor_nbytes(mt));
		ml_gguf_writer_add_tensor(g, name, mt, &e);
		free(name);
	}
	if (e.code == AC_OK)
		ml_gguf_writer_write(g, path, &e);
	ml_gguf_writer_free(g);
	if (e.code != AC_OK)
		ret_string(t, fp, e.msg);
}
#undef SPEC

#define SPEC "p"
void
vm_Tensor_readidx(VmThread *t, uint8_t *fp)
{
	uint8_t *r = RET(fp);
	char path[PATH_BYTES];
	MlTensor *mt = NULL;
	AcErr e;

	/* Under --sandbox only the allowed files, as for $Sys's stat; a
	 * FIFO or device would block the whole runtime in open or read (and
	 * /dev/zero never ends): only regular files are data sets. */
	if (!file_path(t, AP(0), path, false, &e) || !regular(path, &e)) {
		ret_err(t, r, 4, &e);
		return;
	}
	if (ml_idx_load_max(path, (int64_t)(heap_left(t->vm) / sizeof(float)), &mt, &e) != AC_OK) {
		if (e.code == AC_ENOMEM)
			vm_raise(t, VM_EX_NOMEM);
		ret_err(t, r, 4, &e);
		return;
	}
	store_tensor(t, r, charge_made(t, mt));
}
#undef SPEC

#define SPEC "pfw"
void
vm_Tensor_randn(VmThread *t, uint8_t *fp)
{
	int64_t ne[ML_MAX_DIMS];
	int nd = shape_arg(t, AP(0), ne, "randn");
	size_t bytes = shape_bytes(ML_F32, nd, ne);
	MlTensor *mt;
	AcErr e;

	for (int i = 0; i < nd; i++)
		if (ne[i] == 0)
			vm_raise(t, "tensor: randn: shape[%d] is 0", i);
	work(t, bytes);
	if (vm_heap_charge(t->vm, bytes) != 0)
		vm_raise(t, VM_EX_NOMEM);
	mt = ml_tensor_randn(nd, ne, AF(1), (uint64_t)(uint32_t)AW(2), &e);
	if (mt == NULL) {
		vm_heap_uncharge(t->vm, bytes);
		vm_raise(t, "tensor: randn: %s", e.msg);
	}
	store_tensor(t, RET(fp), mt);
}
#undef SPEC
#define SPEC "pf"
void vm_Tensor_scale(VmThread *t, uint8_t *fp) { AcErr e; work(t, elems(AT(0))); check(t, ml_scale(AT(0), (float)AF(1), &e), &e); }
#undef SPEC
#define SPEC "pppwwff"
void
vm_Tensor_gemm(VmThread *t, uint8_t *fp)
{
	AcErr e;
	MlTensor *c = AT(0), *a = AT(1);
	/* M*N*K multiply-adds: C is M x N, K is A's inner dimension. */
	uint64_t mn = elems(c), k = (uint64_t)(AW(3) ? ml_tensor_rows(a) : ml_tensor_cols(a));

	work(t, k != 0 && mn > UINT64_MAX / k ? UINT64_MAX : mn * k);
	check(t, ml_gemm(c, a, AT(2), AW(3), AW(4), (float)AF(5), (float)AF(6), &e), &e);
}
#undef SPEC
#define SPEC "pp"
void vm_Tensor_addrow(VmThread *t, uint8_t *fp) { AcErr e; work(t, elems(AT(0))); check(t, ml_add_row(AT(0), AT(1), &e), &e); }
void vm_Tensor_relu(VmThread *t, uint8_t *fp) { AcErr e; work(t, elems(AT(1))); check(t, ml_relu(AT(0), AT(1), &e), &e); }
void
vm_Tensor_correct(VmThread *t, uint8_t *fp)
{
	AcErr e;
	int64_t n = 0;
	uint8_t *r = RET(fp);

	work(t, elems(AT(0)));
	check(t, ml_correct(AT(0), AT(1), &n, &e), &e);
	if (r != NULL)
		*(int32_t *)r = (int32_t)n;
}
#undef SPEC
#define SPEC "ppf"
void vm_Tensor_sumrows(VmThread *t, uint8_t *fp) { AcErr e; work(t, elems(AT(1))); check(t, ml_sum_rows(AT(0), AT(1), (float)AF(2), &e), &e); }
#undef SPEC
#define SPEC "ppp"
void vm_Tensor_relugrad(VmThread *t, uint8_t *fp) { AcErr e; work(t, elems(AT(0))); check(t, ml_relu_grad(AT(0), AT(1), AT(2), &e), &e); }
void
vm_Tensor_xent(VmThread *t, uint8_t *fp)
{
	AcErr e;
	double loss = 0;
	uint8_t *r = RET(fp);

	work(t, elems(AT(1)));
	check(t, ml_softmax_xent(AT(0), AT(1), AT(2), &loss, &e), &e);
	if (r != NULL)
		*(double *)r = loss;
}
#undef SPEC
#define SPEC "pppff"
void
vm_Tensor_sgd(VmThread *t, uint8_t *fp)
{
	AcErr e;
	work(t, elems(AT(0)));
	check(t, ml_sgd(AT(0), AT(1), AT(2), AF(3), AF(4), &e), &e);
}
#undef SPEC
#define SPEC "ppppwffff"
void
vm_Tensor_adam(VmThread *t, uint8_t *fp)
{
	AcErr e;
	work(t, elems(AT(0)));
	check(t, ml_adam(AT(0), AT(1), AT(2), AT(3), AW(4), AF(5), AF(6), AF(7),
	                 AF(8), &e), &e);
}
#undef SPEC
#define SPEC "ww"
void
vm_Tensor_perm(VmThread *t, uint8_t *fp)
{
	int32_t n = AW(0);
	uint8_t *r = RET(fp);
	VmArray *a;
	AcErr e;

	if (n < 0)
		vm_raise(t, "tensor: perm: negative length %d", (int)n);
	a = vm_array_new(t->vm, t->vm->t_word, n, 1);
	if (a == NULL)
		vm_raise(t, VM_EX_NOMEM);
	if (ml_perm(n, (uint64_t)(uint32_t)AW(1), (int32_t *)(a + 1), &e) != AC_OK) {
		vm_destroy(t->vm, VM_WORD(a));
		vm_raise(t, "tensor: %s", e.msg);
	}
	if (r == NULL) {
		vm_destroy(t->vm, VM_WORD(a));
		return;
	}
	vm_ptr_set(t->vm, (uint32_t *)r, VM_WORD(a));
}
#undef SPEC
#define SPEC "pppw"
void
vm_Tensor_gather(VmThread *t, uint8_t *fp)
{
	VmArray *idx;
	const int32_t *ix;
	AcErr e;

	if (AP(2) == VM_H)
		vm_raise(t, "tensor: gather: index array is nil");
	ix = (const int32_t *)vm_array_check(t, AP(2), &idx, 4);
	work(t, elems(AT(0)));
	check(t, ml_gather_rows(AT(0), AT(1), ix, idx->len, AW(3), &e), &e);
}
#undef SPEC
#define SPEC "pww"
void
vm_Tensor_progress(VmThread *t, uint8_t *fp)
{
	int32_t done = AW(1), total = AW(2);
	char *label;
	char bar[41];
	int n;

	if (!isatty(2))
		return;
	if (total <= 0 || done >= total) {
		fputs("\r\033[K", stderr);
		return;
	}
	label = vm_string_utf8(AP(0), NULL);
	n = (int)((int64_t)done * 40 / total);
	for (int i = 0; i < 40; i++)
		bar[i] = i < n ? '=' : (i == n ? '>' : ' ');
	bar[40] = 0;
	fprintf(stderr, "\r%s [%s] %d/%d", label != NULL ? label : "", bar, (int)done, (int)total);
	fflush(stderr);
	free(label);
	(void)t;
}
#undef SPEC

static int
tensor_init(Vm *vm, void **state, AcErr *err)
{
	TensorState *ts = ac_calloc(1, sizeof *ts, "$Tensor", err);

	*state = ts;
	if (ts == NULL)
		return AC_ENOMEM;
	ts->t_tensor = vm_type_new(vm, 4, 0, NULL);
	if (ts->t_tensor == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Tensor: out of memory");
	vm_type_set_destroy(vm, ts->t_tensor, tensor_destroy);
	/* a handle to a slot: only this module makes them */
	return vm_builtin_adt(vm, VM_TENSOR_PATH, VM_TENSOR_ADT_T, ts->t_tensor);
}

static void
tensor_release(Vm *vm, void *state)
{
	TensorState *ts = state;

	vm_type_unref(vm, ts->t_tensor);
	ts->t_tensor = NULL;
}

const VmBuiltinDef vm_tensor_def = {
	VM_TENSOR_PATH, vm_Tensor_tab, VM_TENSOR_NFUNCS, tensor_init, tensor_release, tensor_fini,
};

/* ---- For the other builtins ($Nn): vm_impl.h ---- */

MlTensor *
vm_tensor_arg(VmThread *t, uint32_t w, int k)
{
	return tensor_word(t, w, "argument", k);
}

void
vm_tensor_store_copy(VmThread *t, uint8_t *dst, const MlTensor *src)
{
	MlTensor *mt = new_tensor(t, "copy", src->dtype, src->ndim, src->ne, false);
	AcErr err;

	work(t, elems(src));
	if (ml_copy(mt, src, &err) != AC_OK) {
		drop_tensor(t->vm, mt);
		vm_raise(t, "tensor: %s", err.msg);
	}
	store_tensor(t, dst, mt);
}

void
vm_tensor_work(VmThread *t, uint64_t units)
{
	work(t, units);
}

int
vm_tensor_op_parse(VmThread *t, uint32_t wname, uint32_t wopts, MlOpParams *p)
{
	char name[NAME_BYTES], opts[OPTS_BYTES], msg[128];
	int op;

	str_arg(t, wname, name, sizeof name, "op name");
	if ((op = ml_op_from_name(name)) < 0)
		vm_raise(t, "tensor: op: no op named \"%s\"", name);
	str_arg(t, wopts, opts, sizeof opts, "options");
	if (parse_opts(opts, p, msg, sizeof msg) != 0)
		vm_raise(t, "tensor: %s: %s", name, msg);
	return op;
}

uint64_t
vm_tensor_op_work(int op, MlTensor *const *in, const MlTensor *out)
{
	return op_work((MlOp)op, in, out);
}
