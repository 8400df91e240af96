/*
 * $Tensor: the VM side of module/tensor.m. A `ref Tensor->T` is a small heap
 * object (rows, cols, then a hidden slot number and generation into the
 * module's tensor table, its state in the runtime); the f32 elements live
 * in ml/ outside the Dis heap and are released when the last Dis reference
 * goes (the type's destroy hook). Shape errors raise "tensor: ..." Dis
 * exceptions naming the function and the shapes.
 *
 * Limits reach the elements too. Their bytes (4 per element) count against
 * --heap-max with the Dis heap's own objects (vm_heap_charge), from the
 * allocation until the tensor is freed; passing it raises the Dis heap's
 * "out of memory: heap". Their work counts against --max-instructions, in
 * one instruction per 64 units (TENSOR_WORK_SHIFT): a gemm's units are its
 * M*N*K multiply-adds, an element-wise or row op's the elements of its
 * largest operand, filling a new tensor (zeros, randn, readidx) its bytes.
 * The work is charged before it is done, so a spent budget ends the
 * program (exit 3) without running the kernel.
 */
#include "vm/vm_impl.h"
#include "gen/vm/tensormod.h"
#include "ml/ml.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct TensorRef {
	int32_t rows;   /* Limbo-visible: shape[0] */
	int32_t cols;   /* Limbo-visible: product of the other dims */
	uint32_t slot;  /* hidden: index into TensorState.slots */
	uint32_t gen;   /* hidden: the slot's generation when it was filled */
} TensorRef;

typedef struct TensorSlot {
	MlTensor *t;         /* owns one reference; NULL when free */
	uint32_t gen;        /* bumped each time the slot is emptied */
	uint32_t next_free;  /* next free slot + 1 */
	size_t bytes;        /* charged to the heap quota for t */
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
} TensorState;

static TensorState *
tstate(const Vm *vm)
{
	return vm_builtin_state(vm, &vm_tensor_def);
}

/* One budget instruction per 2^6 multiply-adds or elements. */
#define TENSOR_WORK_SHIFT 6

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

static MlTensor *
tensor_of(VmThread *t, uint32_t w, int k)
{
	TensorRef *r = VM_PTR(w);
	MlTensor *mt;

	if (w == VM_H)
		vm_raise(t, "tensor: argument %d is nil", k + 1);
	/* a T made by Dis code never gets here (the marshaller admits only
	 * this module's handles); a handle whose tensor is gone does */
	if (vm_ptr_bad(w) || (mt = slot_tensor(t->vm, r)) == NULL)
		vm_raise(t, "tensor: argument %d is not a tensor", k + 1);
	return mt;
}

/* Puts mt (taking its reference) in a free slot; -1 when out of memory. */
static int
slot_put(Vm *vm, MlTensor *mt, size_t bytes, uint32_t *slot, uint32_t *gen)
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
	ts->slots[i].bytes = bytes;
	*slot = i;
	*gen = ts->slots[i].gen;
	return 0;
}

/* Releases every tensor still held (after a fault the heap's destroy
 * hooks never ran), the slot table and the state. */
static void
tensor_fini(Vm *vm, void *state)
{
	TensorState *ts = state;

	for (uint32_t i = 0; i < ts->nslots; i++) {
		ml_tensor_unref(ts->slots[i].t);
		if (ts->slots[i].t != NULL)
			vm_heap_uncharge(vm, ts->slots[i].bytes);
	}
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
	ml_tensor_unref(s->t);
	vm_heap_uncharge(vm, s->bytes);
	s->t = NULL;
	s->bytes = 0;
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

static size_t
tensor_bytes(const MlTensor *mt)
{
	return (size_t)ml_tensor_numel(mt) * sizeof(float);
}

/* Wraps mt (taking its reference, and the bytes charged to the heap quota
 * for it) in a new Dis object stored at *dst. */
static void
store_tensor(VmThread *t, uint8_t *dst, MlTensor *mt, size_t bytes)
{
	TensorRef *r;

	if (dst == NULL) {
		ml_tensor_unref(mt);
		vm_heap_uncharge(t->vm, bytes);
		return;
	}
	r = vm_heap_alloc(t->vm, tstate(t->vm)->t_tensor, sizeof(TensorRef));
	if (r == NULL) {
		ml_tensor_unref(mt);
		vm_heap_uncharge(t->vm, bytes);
		vm_raise(t, VM_EX_NOMEM);
	}
	r->rows = (int32_t)ml_tensor_rows(mt);
	r->cols = (int32_t)ml_tensor_cols(mt);
	if (slot_put(t->vm, mt, bytes, &r->slot, &r->gen) != 0) {
		/* The object is freed by its type's hook, which finds no slot. */
		r->slot = UINT32_MAX;
		ml_tensor_unref(mt);
		vm_heap_uncharge(t->vm, bytes);
		vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
		vm_raise(t, VM_EX_NOMEM);
	}
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
}

static MlTensor *
new2(VmThread *t, int32_t rows, int32_t cols, int randn, double std, int32_t seed)
{
	int64_t shape[2] = {rows, cols};
	AcErr err;
	MlTensor *mt;

	if (rows < 0 || cols < 0)
		vm_raise(t, "tensor: %s: negative shape [%d,%d]", randn ? "randn" : "zeros", (int)rows, (int)cols);
	/* Charged before the allocation, so the quota bounds the memory. */
	if (vm_heap_charge(t->vm, (size_t)rows * (size_t)cols * sizeof(float)) != 0)
		vm_raise(t, VM_EX_NOMEM);
	mt = randn ? ml_tensor_randn(2, shape, std, (uint64_t)(uint32_t)seed, &err)
	           : ml_tensor_new(2, shape, &err);
	if (mt == NULL) {
		vm_heap_uncharge(t->vm, (size_t)rows * (size_t)cols * sizeof(float));
		vm_raise(t, "tensor: %s", err.msg);
	}
	return mt;
}

static void
store_new(VmThread *t, uint8_t *dst, MlTensor *mt)
{
	store_tensor(t, dst, mt, tensor_bytes(mt));
}

/* What the heap quota has left, in bytes. */
static size_t
heap_left(const Vm *vm)
{
	size_t used = vm->heap_used + vm->heap_ext_bytes;

	return used < vm->opt.heap_max_bytes ? vm->opt.heap_max_bytes - used : 0;
}

#define SPEC "p"
void
vm_Tensor_readidx(VmThread *t, uint8_t *fp)
{
	uint8_t *r = RET(fp);
	char *path = vm_string_utf8(AP(0), NULL), host[PATH_MAX];
	MlTensor *mt = NULL;
	struct stat st;
	AcErr err;
	int rc;

	if (path == NULL)
		vm_raise(t, VM_EX_NOMEM);
	/* Under --sandbox only the allowed files, as for $Sys's stat; a
	 * FIFO or device would block the whole runtime in open or read (and
	 * /dev/zero never ends): only regular files are data sets. */
	if (snprintf(host, sizeof host, "%s", path) >= (int)sizeof host ||
	    !vm_path_confined(t->vm, host, sizeof host, 0, 1))
		rc = ac_err_set(&err, AC_EINVAL, "%s: permission denied", path);
	else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		rc = ac_err_set(&err, AC_EINVAL, "%s: not a regular file", path);
	else
		rc = ml_idx_load_max(path, (int64_t)(heap_left(t->vm) / sizeof(float)), &mt, &err);
	free(path);
	if (rc == AC_ENOMEM)
		vm_raise(t, VM_EX_NOMEM);
	if (rc == AC_OK && vm_heap_charge(t->vm, tensor_bytes(mt)) != 0) {
		ml_tensor_unref(mt);
		vm_raise(t, VM_EX_NOMEM);
	}
	if (r == NULL) {
		if (mt != NULL)
			vm_heap_uncharge(t->vm, tensor_bytes(mt));
		ml_tensor_unref(mt);
		return;
	}
	if (rc != AC_OK) {
		vm_string_store_utf8(t, (uint32_t *)(r + 4), err.msg, strlen(err.msg));
		return;
	}
	if (mt->ndim != 2) {
		/* N images of HxW are read as N x (H*W), the matrix view. */
		int64_t shape[2] = {ml_tensor_rows(mt), ml_tensor_cols(mt)};
		ml_tensor_reshape(mt, 2, shape, NULL);
	}
	store_tensor(t, r, mt, tensor_bytes(mt));
}
#undef SPEC

#define SPEC "ww"
void vm_Tensor_zeros(VmThread *t, uint8_t *fp) { store_new(t, RET(fp), new2(t, AW(0), AW(1), 0, 0, 0)); }
#undef SPEC
#define SPEC "wwfw"
void vm_Tensor_randn(VmThread *t, uint8_t *fp) { store_new(t, RET(fp), new2(t, AW(0), AW(1), 1, AF(2), AW(3))); }
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
	ts->t_tensor = vm_type_new(vm, 8, 0, NULL);
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
