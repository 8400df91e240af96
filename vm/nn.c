/*
 * $Nn: the VM side of module/nn.m, over nn/ (layers, containers, model
 * files) and $Tensor's handles.
 *
 * A `ref Nn->Module` is a small heap object (an opaque int, then a hidden
 * slot number and generation), as $Tensor's T: the NnModule lives in host
 * memory and Dis code never sees its address. A model is a tree owned by
 * its root; every handle into the tree (the root's or a child's) counts
 * on the root's record, and the tree is freed when the last goes. add
 * moves a whole tree under a container of another, merging the records.
 *
 * Limits: the bytes a tree holds (parameters, gradients, outputs) are
 * charged to --heap-max, re-counted after each call that may change them;
 * forward and backward charge their work (elements in and out, and a
 * multiply-add per parameter per batch row) to --max-instructions before
 * they run. Results handed to Dis code are copies ($Tensor's), so a
 * layer reusing its output buffer never changes a tensor the program
 * holds.
 */
#include "vm/vm_impl.h"
#include "nn/nn.h"

#include "gen/vm/nnmod.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct NnRef {
	int32_t x;      /* Limbo-visible, opaque */
	uint32_t slot;  /* hidden: index into NnState.slots */
	uint32_t gen;   /* hidden: the slot's generation when it was filled */
} NnRef;

/* A model tree: its root and the handles that keep it. */
typedef struct NnRoot {
	NnModule *m;
	uint32_t handles;
	size_t charged;       /* bytes charged to the heap quota for the tree */
	int64_t nparams;      /* parameter elements of the tree, counted with its bytes */
} NnRoot;

typedef struct NnSlot {
	NnModule *m;          /* NULL when free */
	NnRoot *root;
	uint32_t gen;
	uint32_t next_free;   /* next free slot + 1 */
} NnSlot;

typedef struct NnState {
	VmType *t_module;
	NnSlot *slots;
	uint32_t nslots, capslots, nfree;
	/* losses, optimizers and tapes: objects of these types hold an NnRef
	 * whose slot indexes objs */
	VmType *t_loss, *t_optim, *t_tape;
	struct NnObj *objs;
	uint32_t nobjs, capobjs, objfree;
	/* a tape's variables: Var objects index vars */
	VmType *t_var;
	struct VarSlot *vars;
	uint32_t nvars, capvars, varfree;
} NnState;

/* A loss, an optimizer or a tape. An optimizer keeps its model's tree
 * alive; a tape, the trees of the parameters it made variables of. */
typedef struct NnObj {
	NnLoss *loss;
	NnOptim *optim;
	NnTape *tape;
	NnRoot *root;         /* the optimizer's model */
	NnRoot **roots;       /* the tape's parameters' models */
	int nroots;
	uint32_t epoch;       /* the tape: clears so far (older variables are dead) */
	size_t charged;       /* state, or the tape's values and gradients, in bytes */
	uint32_t gen;
	uint32_t next_free;
} NnObj;

/* A variable of a tape, valid while the tape's slot keeps its generation
 * and the tape has not been cleared since. */
typedef struct VarSlot {
	NnVar *v;             /* NULL when free */
	uint32_t tape, tgen, epoch;
	uint32_t gen;
	uint32_t next_free;
} VarSlot;

enum { NAME_BYTES = 64, OPTS_BYTES = 1024 };

#define RET(fp) VM_BUILTIN_RET(fp)
#define AW(k) (*(int32_t *)vm_builtin_arg(fp, SPEC, (k)))
#define AL(k) (*(int64_t *)vm_builtin_arg(fp, SPEC, (k)))
#define AP(k) (*(uint32_t *)vm_builtin_arg(fp, SPEC, (k)))

static NnState *
nstate(const Vm *vm)
{
	return vm_builtin_state(vm, &vm_nn_def);
}

/* Raises for a failed call: the heap's own exception when it ran out of
 * memory (the cap below), else "nn: " and the message. */
static void
check(VmThread *t, int rc, const AcErr *err)
{
	if (rc == AC_ENOMEM)
		vm_raise(t, VM_EX_NOMEM);
	if (rc != AC_OK)
		vm_raise(t, "nn: %s", err->msg);
}

/* Around each call into nn/ the tensors it makes may take at most what
 * the heap quota has left (ml_alloc_limit), so a hostile size fails
 * before it is allocated; the cap is lifted before anything raises. */
static size_t
heap_room(const Vm *vm)
{
	size_t used = vm->heap_used + vm->heap_ext_bytes;

	return used < vm->opt.heap_max_bytes ? vm->opt.heap_max_bytes - used : 0;
}

static void
cap_on(VmThread *t)
{
	ml_alloc_limit(heap_room(t->vm));
}

static void
cap_off(void)
{
	ml_alloc_limit(SIZE_MAX);
}

#define str_arg(t, w, buf, size, what) vm_str_arg((t), (w), (buf), (size), "nn", (what))

/* ---- the tree's bytes against the heap quota ---- */

static size_t
tensor_bytes(const MlTensor *t)
{
	return t != NULL ? ml_tensor_storage_bytes(t, NULL) : 0;
}

/* The tree's host bytes: its tensors, and each module's own record (a
 * program making millions of small layers pays for them too). */
static size_t
tree_bytes(const NnModule *m, int64_t *nparams)
{
	size_t n = sizeof *m + (size_t)m->nchildren * sizeof *m->children + tensor_bytes(m->output) +
	           tensor_bytes(m->grad_input);

	for (int i = 0; i < m->nparams; i++) {
		n += tensor_bytes(m->param[i].value) + tensor_bytes(m->param[i].grad);
		if (m->param[i].grad != NULL)
			*nparams += ml_tensor_numel(m->param[i].value);
	}
	for (int i = 0; i < m->nchildren; i++)
		n += tree_bytes(m->children[i], nparams);
	return n;
}

/* Re-counts r's bytes; raises when the quota is passed (the tree stays,
 * charged in full, and goes with its handles). */
static void
recharge(VmThread *t, NnRoot *r)
{
	int64_t np = 0;
	size_t now = tree_bytes(r->m, &np);

	if (now > r->charged) {
		if (vm_heap_charge(t->vm, now - r->charged) != 0)
			vm_raise(t, VM_EX_NOMEM);
	} else
		vm_heap_uncharge(t->vm, r->charged - now);
	r->charged = now;
	r->nparams = np;
}

/* ---- handles ---- */

static NnSlot *
slot_of(Vm *vm, const NnRef *r)
{
	NnState *ns = nstate(vm);

	if (r->slot >= ns->nslots || ns->slots[r->slot].gen != r->gen || ns->slots[r->slot].m == NULL)
		return NULL;
	return &ns->slots[r->slot];
}

/* The slot argument k names; raises for nil or a dead handle. */
static NnSlot *
module_arg(VmThread *t, uint32_t w, int k)
{
	NnSlot *s;

	if (w == VM_H)
		vm_raise(t, "nn: argument %d is nil", k + 1);
	if (vm_ptr_bad(w) || !VM_IS(w, nstate(t->vm)->t_module) || (s = slot_of(t->vm, VM_PTR(w))) == NULL)
		vm_raise(t, "nn: argument %d is not a module", k + 1);
	return s;
}

static void
root_drop(Vm *vm, NnRoot *r)
{
	if (--r->handles > 0)
		return;
	vm_heap_uncharge(vm, r->charged);
	nn_free(r->m);
	free(r);
}

static void
module_destroy(Vm *vm, void *p)
{
	NnState *ns = nstate(vm);
	NnSlot *s = slot_of(vm, p);

	if (s == NULL)
		return;
	root_drop(vm, s->root);
	s->m = NULL;
	s->root = NULL;
	s->gen++;
	s->next_free = ns->nfree;
	ns->nfree = (uint32_t)(s - ns->slots) + 1;
}

/* A new handle to m (in the tree of root, which it counts on) at dst. */
static void
store_module(VmThread *t, uint8_t *dst, NnModule *m, NnRoot *root)
{
	NnState *ns = nstate(t->vm);
	NnRef *r;
	uint32_t i;

	if (dst == NULL)
		return;
	if (ns->nfree == 0 && ns->nslots == ns->capslots) {
		uint32_t cap = ns->capslots ? 2 * ns->capslots : 16;
		NnSlot *p = realloc(ns->slots, cap * sizeof *p);
		if (p == NULL)
			vm_raise(t, VM_EX_NOMEM);
		ns->slots = p;
		ns->capslots = cap;
	}
	r = vm_heap_alloc(t->vm, ns->t_module, sizeof(NnRef));
	if (r == NULL)
		vm_raise(t, VM_EX_NOMEM);
	if (ns->nfree != 0) {
		i = ns->nfree - 1;
		ns->nfree = ns->slots[i].next_free;
	} else {
		i = ns->nslots++;
		ns->slots[i].gen = 0;
	}
	ns->slots[i].m = m;
	ns->slots[i].root = root;
	ns->slots[i].next_free = 0;
	root->handles++;
	r->x = 0;
	r->slot = i;
	r->gen = ns->slots[i].gen;
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
}

/* A new tree for m (a module just made) with one handle at dst. */
static void
store_new_tree(VmThread *t, uint8_t *dst, NnModule *m)
{
	NnRoot *r = calloc(1, sizeof *r);

	if (r == NULL) {
		nn_free(m);
		vm_raise(t, VM_EX_NOMEM);
	}
	r->m = m;
	r->handles = 1;  /* held while the handle is made */
	if (dst != NULL)
		store_module(t, dst, m, r);
	recharge(t, r);
	root_drop(t->vm, r);
}

/* ---- Module ---- */

#define SPEC "ppl"
void
vm_Nn_layer(VmThread *t, uint8_t *fp)
{
	char type[NAME_BYTES], opts[OPTS_BYTES];
	NnHparams hp;
	NnModule *m;
	AcErr err;

	str_arg(t, AP(0), type, sizeof type, "type");
	str_arg(t, AP(1), opts, sizeof opts, "options");
	check(t, nn_hparams_parse(&hp, opts, &err), &err);
	cap_on(t);
	m = nn_create(type, &hp, (uint64_t)AL(2), &err);
	cap_off();
	if (m == NULL)
		check(t, err.code, &err);
	store_new_tree(t, RET(fp), m);
}
#undef SPEC

/* Levels below and including m (1 for a leaf). Trees are kept within
 * NN_MAX_DEPTH, so the recursion is bounded. */
static int
tree_depth(const NnModule *m)
{
	int d = 0;

	for (int i = 0; i < m->nchildren; i++) {
		int c = tree_depth(m->children[i]);
		d = c > d ? c : d;
	}
	return d + 1;
}

/* The level of target under root (root is 1), or 0 if it is not there. */
static int
depth_of(const NnModule *root, const NnModule *target, int level)
{
	if (root == target)
		return level + 1;
	for (int i = 0; i < root->nchildren; i++) {
		int d = depth_of(root->children[i], target, level + 1);
		if (d > 0)
			return d;
	}
	return 0;
}

#define SPEC "ppp"
void
vm_Nn_add(VmThread *t, uint8_t *fp)
{
	NnSlot *c = module_arg(t, AP(0), 0), *s = module_arg(t, AP(1), 1);
	NnRoot *rc = c->root, *rm = s->root;
	NnState *ns = nstate(t->vm);
	char name[NN_NAME_BYTES];
	AcErr err;

	str_arg(t, AP(2), name, sizeof name, "name");
	if (s->m != rm->m)
		vm_raise(t, "nn: add: the module is already inside a container");
	if (rc == rm)
		vm_raise(t, "nn: add: a module cannot contain itself");
	if (depth_of(rc->m, c->m, 0) + tree_depth(s->m) > NN_MAX_DEPTH)
		vm_raise(t, "nn: add: the model would nest deeper than %d", NN_MAX_DEPTH);
	check(t, nn_add(c->m, s->m, name[0] != 0 ? name : NULL, &err), &err);
	/* one tree now: its handles count on the container's root */
	for (uint32_t i = 0; i < ns->nslots; i++)
		if (ns->slots[i].m != NULL && ns->slots[i].root == rm)
			ns->slots[i].root = rc;
	rc->handles += rm->handles;
	rc->charged += rm->charged;
	rc->nparams += rm->nparams;
	free(rm);
}
#undef SPEC

/* The descendant of m at dotted path, or NULL. */
static NnModule *
descend(NnModule *m, const char *path)
{
	while (*path != 0 && m != NULL) {
		size_t n = strcspn(path, ".");
		NnModule *next = NULL;
		for (int i = 0; i < m->nchildren && next == NULL; i++)
			if (strlen(m->children[i]->name) == n && strncmp(m->children[i]->name, path, n) == 0)
				next = m->children[i];
		m = next;
		path += n;
		if (*path == '.')
			path++;
	}
	return m;
}

#define SPEC "pp"
void
vm_Nn_child(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	char path[NN_PATH_BYTES];
	NnModule *c;

	str_arg(t, AP(1), path, sizeof path, "name");
	c = path[0] != 0 ? descend(s->m, path) : NULL;
	if (RET(fp) == NULL)
		return;
	if (c == NULL) {
		vm_ptr_set(t->vm, (uint32_t *)RET(fp), VM_H);
		return;
	}
	store_module(t, RET(fp), c, s->root);
}
#undef SPEC

/* Work of one pass of m over input x: elements in and out, and a
 * multiply-add per parameter per row of the batch. */
static uint64_t
pass_work(const NnSlot *s, const MlTensor *x)
{
	int64_t rows = x->ndim > 0 ? x->ne[0] : 1;
	int64_t np = s->m == s->root->m ? s->root->nparams : nn_num_parameters(s->m);

	return 2 * (uint64_t)ml_tensor_numel(x) + (uint64_t)np * (uint64_t)rows;
}

#define SPEC "pp"
void
vm_Nn_forward(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	MlTensor *x = vm_tensor_arg(t, AP(1), 1), *y;
	AcErr err;

	vm_tensor_work(t, pass_work(s, x));
	cap_on(t);
	y = nn_forward(s->m, x, &err);
	cap_off();
	recharge(t, s->root);
	if (y == NULL)
		check(t, err.code, &err);
	vm_tensor_store_copy(t, RET(fp), y);
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_backward(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	MlTensor *x = vm_tensor_arg(t, AP(1), 1), *gy = vm_tensor_arg(t, AP(2), 2), *gx;
	AcErr err;

	vm_tensor_work(t, 2 * pass_work(s, x));
	cap_on(t);
	gx = nn_backward(s->m, x, gy, 1.0, &err);
	cap_off();
	recharge(t, s->root);
	if (gx == NULL)
		check(t, err.code, &err);
	vm_tensor_store_copy(t, RET(fp), gx);
}
#undef SPEC

#define SPEC "p"
void
vm_Nn_zerograd(VmThread *t, uint8_t *fp)
{
	nn_zero_grad(module_arg(t, AP(0), 0)->m);
}

void
vm_Nn_nparams(VmThread *t, uint8_t *fp)
{
	int64_t n = nn_num_parameters(module_arg(t, AP(0), 0)->m);

	if (RET(fp) != NULL)
		*(int32_t *)RET(fp) = n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

typedef struct Names {
	VmThread *t;
	uint32_t head, *tailp;
} Names;

static int
add_name(void *ctx, const char *name, NnParam *p)
{
	Names *n = ctx;
	VmList *l = vm_heap_alloc(n->t->vm, n->t->vm->t_list, sizeof(VmList) + 4);

	(void)p;
	if (l == NULL)
		return -1;
	l->tail = VM_H;
	l->tid = n->t->vm->t_ptr->id;
	*(uint32_t *)l->data = VM_H;
	*n->tailp = VM_WORD(l);
	n->tailp = &l->tail;
	vm_string_store_utf8(n->t, (uint32_t *)l->data, name, strlen(name));
	return 0;
}

void
vm_Nn_names(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	Names n = {t, VM_H, NULL};

	n.tailp = &n.head;
	if (nn_named_parameters(s->m, true, add_name, &n) != 0) {
		vm_destroy(t->vm, n.head);
		vm_raise(t, VM_EX_NOMEM);
	}
	if (RET(fp) != NULL)
		vm_ptr_set(t->vm, (uint32_t *)RET(fp), n.head);
	else
		vm_destroy(t->vm, n.head);
}
#undef SPEC

#define SPEC "pw"
void
vm_Nn_train(VmThread *t, uint8_t *fp)
{
	nn_train(module_arg(t, AP(0), 0)->m, AW(1) != 0);
}
#undef SPEC

#define SPEC "pp"
void
vm_Nn_param(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	char name[NN_PATH_BYTES];
	NnParam *p;

	str_arg(t, AP(1), name, sizeof name, "name");
	p = nn_find_param(s->m, name);
	if (RET(fp) == NULL)
		return;
	if (p == NULL) {
		vm_ptr_set(t->vm, (uint32_t *)RET(fp), VM_H);
		return;
	}
	vm_tensor_store_copy(t, RET(fp), p->value);
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_setparam(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	char name[NN_PATH_BYTES], a[ML_SHAPE_BYTES], b[ML_SHAPE_BYTES];
	MlTensor *v = vm_tensor_arg(t, AP(2), 2);
	NnParam *p;
	AcErr err;

	str_arg(t, AP(1), name, sizeof name, "name");
	if ((p = nn_find_param(s->m, name)) == NULL)
		vm_raise(t, "nn: setparam: no parameter '%s'", name);
	if (!ml_same_shape(p->value, v))
		vm_raise(t, "nn: setparam: '%s' is %s, the tensor %s", name, ml_shape_fmt(p->value, a),
		         ml_shape_fmt(v, b));
	vm_tensor_work(t, (uint64_t)ml_tensor_numel(v));
	check(t, ml_copy(p->value, v, &err), &err);
}
#undef SPEC

#define SPEC "pp"
void
vm_Nn_summary(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	VmArray *a;
	const int32_t *shape = (const int32_t *)vm_array_check(t, AP(1), &a, 4);
	int64_t ne[ML_MAX_DIMS];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	AcErr err;
	int rc;

	if (shape == NULL)
		vm_raise(t, "nn: summary: shape is nil");
	if (a->len < 1 || a->len > ML_MAX_DIMS)
		vm_raise(t, "nn: summary: shape has %d dimensions, want 1 to %d", (int)a->len, ML_MAX_DIMS);
	for (uint32_t i = 0; i < a->len; i++) {
		ne[i] = shape[i];
		if (ne[i] < 1)
			vm_raise(t, "nn: summary: dimension %d is %lld", (int)i, (long long)ne[i]);
	}
	if ((f = open_memstream(&buf, &len)) == NULL)
		vm_raise(t, VM_EX_NOMEM);
	vm_tensor_work(t, 4 * (uint64_t)nn_num_parameters(s->m));
	cap_on(t);
	rc = nn_summary(s->m, (int)a->len, ne, ML_F32, f, &err);
	cap_off();
	fclose(f);
	recharge(t, s->root);
	if (rc != AC_OK) {
		free(buf);
		vm_raise(t, "nn: %s", err.msg);
	}
	if (RET(fp) != NULL)
		vm_string_store_utf8(t, (uint32_t *)RET(fp), buf, len);
	free(buf);
}
#undef SPEC

/* ---- losses and optimizers ---- */

static NnObj *
obj_of(Vm *vm, uint32_t w, const VmType *ty)
{
	NnState *ns = nstate(vm);
	const NnRef *r;

	if (vm_ptr_bad(w) || !VM_IS(w, ty))
		return NULL;
	r = VM_PTR(w);
	if (r->slot >= ns->nobjs || ns->objs[r->slot].gen != r->gen ||
	    (ns->objs[r->slot].loss == NULL && ns->objs[r->slot].optim == NULL && ns->objs[r->slot].tape == NULL))
		return NULL;
	return &ns->objs[r->slot];
}

static NnObj *
obj_arg(VmThread *t, uint32_t w, int k, bool optim)
{
	NnState *ns = nstate(t->vm);
	NnObj *o;

	if (w == VM_H)
		vm_raise(t, "nn: argument %d is nil", k + 1);
	if ((o = obj_of(t->vm, w, optim ? ns->t_optim : ns->t_loss)) == NULL)
		vm_raise(t, "nn: argument %d is not %s", k + 1, optim ? "an optimizer" : "a loss");
	return o;
}

static NnObj *
tape_arg(VmThread *t, uint32_t w, int k)
{
	NnObj *o;

	if (w == VM_H)
		vm_raise(t, "nn: argument %d is nil", k + 1);
	if ((o = obj_of(t->vm, w, nstate(t->vm)->t_tape)) == NULL)
		vm_raise(t, "nn: argument %d is not a tape", k + 1);
	return o;
}

static void
obj_destroy(Vm *vm, void *p)
{
	NnState *ns = nstate(vm);
	const NnRef *r = p;
	NnObj *o;

	if (r->slot >= ns->nobjs || ns->objs[r->slot].gen != r->gen)
		return;
	o = &ns->objs[r->slot];
	if (o->loss == NULL && o->optim == NULL && o->tape == NULL)
		return;
	nn_loss_free(o->loss);
	nn_optim_free(o->optim);
	nn_tape_free(o->tape);
	vm_heap_uncharge(vm, o->charged);
	if (o->root != NULL)
		root_drop(vm, o->root);
	for (int i = 0; i < o->nroots; i++)
		root_drop(vm, o->roots[i]);
	free(o->roots);
	memset(o, 0, sizeof *o);
	o->gen = r->gen + 1;
	o->next_free = ns->objfree;
	ns->objfree = r->slot + 1;
}

/* A new handle of type ty at dst for *src (copied into a free slot). */
static NnObj *
store_obj(VmThread *t, uint8_t *dst, VmType *ty, const NnObj *src)
{
	NnState *ns = nstate(t->vm);
	NnRef *r;
	uint32_t i, gen;

	if (ns->objfree == 0 && ns->nobjs == ns->capobjs) {
		uint32_t cap = ns->capobjs ? 2 * ns->capobjs : 8;
		NnObj *p = realloc(ns->objs, cap * sizeof *p);
		if (p == NULL)
			return NULL;
		ns->objs = p;
		ns->capobjs = cap;
	}
	if ((r = vm_heap_alloc(t->vm, ty, sizeof(NnRef))) == NULL)
		return NULL;
	if (ns->objfree != 0) {
		i = ns->objfree - 1;
		ns->objfree = ns->objs[i].next_free;
		gen = ns->objs[i].gen;
	} else {
		i = ns->nobjs++;
		gen = 0;
	}
	ns->objs[i] = *src;
	ns->objs[i].gen = gen;
	ns->objs[i].next_free = 0;
	r->x = 0;
	r->slot = i;
	r->gen = gen;
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
	return &ns->objs[i];
}

#define SPEC "pp"
void
vm_Nn_loss(VmThread *t, uint8_t *fp)
{
	char type[NAME_BYTES], opts[OPTS_BYTES];
	NnObj o = {0};
	AcErr err;

	str_arg(t, AP(0), type, sizeof type, "type");
	str_arg(t, AP(1), opts, sizeof opts, "options");
	if ((o.loss = nn_loss_create(type, opts, &err)) == NULL)
		vm_raise(t, "nn: %s", err.msg);
	if (RET(fp) == NULL) {
		nn_loss_free(o.loss);
		return;
	}
	if (store_obj(t, RET(fp), nstate(t->vm)->t_loss, &o) == NULL) {
		nn_loss_free(o.loss);
		vm_raise(t, VM_EX_NOMEM);
	}
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_lossforward(VmThread *t, uint8_t *fp)
{
	NnObj *o = obj_arg(t, AP(0), 0, false);
	MlTensor *x = vm_tensor_arg(t, AP(1), 1), *y = vm_tensor_arg(t, AP(2), 2);
	double v;
	AcErr err;

	MlTensor *r;

	vm_tensor_work(t, 4 * (uint64_t)ml_tensor_numel(x));
	cap_on(t);
	r = nn_loss_forward(o->loss, x, y, &v, &err);
	cap_off();
	if (r == NULL)
		check(t, err.code, &err);
	if (RET(fp) != NULL)
		*(double *)RET(fp) = v;
}

void
vm_Nn_lossbackward(VmThread *t, uint8_t *fp)
{
	NnObj *o = obj_arg(t, AP(0), 0, false);
	MlTensor *x = vm_tensor_arg(t, AP(1), 1), *y = vm_tensor_arg(t, AP(2), 2), *gx;
	AcErr err;

	vm_tensor_work(t, 4 * (uint64_t)ml_tensor_numel(x));
	cap_on(t);
	gx = nn_loss_backward(o->loss, x, y, NULL, &err);
	cap_off();
	if (gx == NULL)
		check(t, err.code, &err);
	vm_tensor_store_copy(t, RET(fp), gx);
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_optim(VmThread *t, uint8_t *fp)
{
	char type[NAME_BYTES], opts[OPTS_BYTES];
	NnSlot *s = module_arg(t, AP(1), 1);
	NnObj o = {0}, *p;
	AcErr err;

	str_arg(t, AP(0), type, sizeof type, "type");
	str_arg(t, AP(2), opts, sizeof opts, "options");
	cap_on(t);
	o.optim = nn_optim_create(type, s->m, opts, &err);
	cap_off();
	if (o.optim == NULL)
		check(t, err.code, &err);
	if (RET(fp) == NULL) {
		nn_optim_free(o.optim);
		return;
	}
	o.root = s->root;
	if ((p = store_obj(t, RET(fp), nstate(t->vm)->t_optim, &o)) == NULL) {
		nn_optim_free(o.optim);
		vm_raise(t, VM_EX_NOMEM);
	}
	s->root->handles++;
}
#undef SPEC

/* The bytes of an optimizer's state tensors. */
static size_t
optim_bytes(NnOptim *opt)
{
	size_t n = 0;

	for (int i = 0; i < nn_optim_nparams(opt); i++)
		for (int k = 0;; k++) {
			const char *name;
			MlTensor *st = nn_optim_state(opt, i, k, &name, NULL);
			if (st == NULL)
				break;
			n += ml_tensor_storage_bytes(st, NULL);
		}
	return n;
}

#define SPEC "p"
void
vm_Nn_step(VmThread *t, uint8_t *fp)
{
	NnObj *o = obj_arg(t, AP(0), 0, true);
	AcErr err;
	size_t now;

	int rc;

	vm_tensor_work(t, 8 * (uint64_t)o->root->nparams);
	cap_on(t);
	rc = nn_optim_step(o->optim, &err);
	cap_off();
	check(t, rc, &err);
	now = optim_bytes(o->optim);
	if (now > o->charged && vm_heap_charge(t->vm, now - o->charged) != 0)
		vm_raise(t, VM_EX_NOMEM);
	if (now < o->charged)
		vm_heap_uncharge(t->vm, o->charged - now);
	o->charged = now;
}

void
vm_Nn_getlr(VmThread *t, uint8_t *fp)
{
	NnObj *o = obj_arg(t, AP(0), 0, true);

	if (RET(fp) != NULL)
		*(double *)RET(fp) = nn_optim_get_lr(o->optim);
}
#undef SPEC

#define SPEC "pf"
void
vm_Nn_setlr(VmThread *t, uint8_t *fp)
{
	NnObj *o = obj_arg(t, AP(0), 0, true);
	double lr = *(double *)vm_builtin_arg(fp, SPEC, 1);

	if (!(lr >= 0 && lr < 1e30))
		vm_raise(t, "nn: setlr: learning rate %g is not a number from 0", lr);
	nn_optim_set_lr(o->optim, lr);
}
#undef SPEC

/* ---- autograd ---- */

static void
var_destroy(Vm *vm, void *p)
{
	NnState *ns = nstate(vm);
	const NnRef *r = p;
	VarSlot *v;

	if (r->slot >= ns->nvars || ns->vars[r->slot].gen != r->gen || ns->vars[r->slot].v == NULL)
		return;
	v = &ns->vars[r->slot];
	v->v = NULL;  /* the tape owns the variable itself */
	v->gen++;
	v->next_free = ns->varfree;
	ns->varfree = r->slot + 1;
}

/* The variable argument k names, in the tape at tp (when not NULL, it
 * must be that tape); raises for nil, a dead handle or one from before
 * its tape was cleared. */
static NnVar *
var_arg(VmThread *t, uint32_t w, int k, NnObj **tp)
{
	NnState *ns = nstate(t->vm);
	const NnRef *r;
	VarSlot *v;
	NnObj *o;

	if (w == VM_H)
		vm_raise(t, "nn: argument %d is nil", k + 1);
	if (vm_ptr_bad(w) || !VM_IS(w, ns->t_var))
		vm_raise(t, "nn: argument %d is not a variable", k + 1);
	r = VM_PTR(w);
	if (r->slot >= ns->nvars || ns->vars[r->slot].gen != r->gen || ns->vars[r->slot].v == NULL)
		vm_raise(t, "nn: argument %d is not a variable", k + 1);
	v = &ns->vars[r->slot];
	o = v->tape < ns->nobjs ? &ns->objs[v->tape] : NULL;
	if (o == NULL || o->gen != v->tgen || o->tape == NULL || o->epoch != v->epoch)
		vm_raise(t, "nn: argument %d: its tape was cleared or is gone", k + 1);
	if (tp != NULL && *tp != NULL && *tp != o)
		vm_raise(t, "nn: argument %d belongs to another tape", k + 1);
	if (tp != NULL)
		*tp = o;
	return v->v;
}

static void
store_var(VmThread *t, uint8_t *dst, NnObj *tape, NnVar *var)
{
	NnState *ns = nstate(t->vm);
	NnRef *r;
	uint32_t i;

	if (dst == NULL)
		return;
	if (ns->varfree == 0 && ns->nvars == ns->capvars) {
		uint32_t cap = ns->capvars ? 2 * ns->capvars : 64;
		VarSlot *p = realloc(ns->vars, cap * sizeof *p);
		if (p == NULL)
			vm_raise(t, VM_EX_NOMEM);
		ns->vars = p;
		ns->capvars = cap;
	}
	if ((r = vm_heap_alloc(t->vm, ns->t_var, sizeof(NnRef))) == NULL)
		vm_raise(t, VM_EX_NOMEM);
	if (ns->varfree != 0) {
		i = ns->varfree - 1;
		ns->varfree = ns->vars[i].next_free;
	} else {
		i = ns->nvars++;
		ns->vars[i].gen = 0;
	}
	ns->vars[i].v = var;
	ns->vars[i].tape = (uint32_t)(tape - ns->objs);
	ns->vars[i].tgen = tape->gen;
	ns->vars[i].epoch = tape->epoch;
	ns->vars[i].next_free = 0;
	r->x = 0;
	r->slot = i;
	r->gen = ns->vars[i].gen;
	vm_ptr_set(t->vm, (uint32_t *)dst, VM_WORD(r));
}

/* Charges a variable's value and its gradient to come to the tape. */
static void
tape_charge(VmThread *t, NnObj *o, const MlTensor *value, int copies)
{
	size_t n = (size_t)copies * ml_tensor_storage_bytes(value, NULL);

	if (vm_heap_charge(t->vm, n) != 0)
		vm_raise(t, VM_EX_NOMEM);
	o->charged += n;
}

void
vm_Nn_tape(VmThread *t, uint8_t *fp)
{
	NnObj o = {0};
	AcErr err;

	if ((o.tape = nn_tape_new(&err)) == NULL)
		vm_raise(t, "nn: %s", err.msg);
	if (RET(fp) == NULL || store_obj(t, RET(fp), nstate(t->vm)->t_tape, &o) == NULL) {
		nn_tape_free(o.tape);
		if (RET(fp) != NULL)
			vm_raise(t, VM_EX_NOMEM);
	}
}

#define SPEC "ppw"
void
vm_Nn_leaf(VmThread *t, uint8_t *fp)
{
	NnObj *o = tape_arg(t, AP(0), 0);
	MlTensor *v = vm_tensor_arg(t, AP(1), 1);
	NnVar *var;
	AcErr err;

	tape_charge(t, o, v, AW(2) != 0);
	if ((var = nn_var(o->tape, v, AW(2) != 0, &err)) == NULL)
		vm_raise(t, "nn: %s", err.msg);
	store_var(t, RET(fp), o, var);
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_paramvar(VmThread *t, uint8_t *fp)
{
	NnObj *o = tape_arg(t, AP(0), 0);
	NnSlot *s = module_arg(t, AP(1), 1);
	char name[NN_PATH_BYTES];
	NnRoot **roots;
	NnParam *p;
	NnVar *var;
	AcErr err;
	int have = 0;

	str_arg(t, AP(2), name, sizeof name, "name");
	if ((p = nn_find_param(s->m, name)) == NULL || p->grad == NULL)
		vm_raise(t, "nn: paramvar: no parameter '%s'", name);
	if ((var = nn_var_param(o->tape, p, &err)) == NULL)
		vm_raise(t, "nn: %s", err.msg);
	/* the tape keeps the parameter's model */
	for (int i = 0; i < o->nroots; i++)
		have |= o->roots[i] == s->root;
	if (!have) {
		if ((roots = realloc(o->roots, (size_t)(o->nroots + 1) * sizeof *roots)) == NULL)
			vm_raise(t, VM_EX_NOMEM);
		o->roots = roots;
		o->roots[o->nroots++] = s->root;
		s->root->handles++;
	}
	store_var(t, RET(fp), o, var);
}

void
vm_Nn_varop(VmThread *t, uint8_t *fp)
{
	NnObj *o = tape_arg(t, AP(0), 0);
	MlOpParams p;
	int op = vm_tensor_op_parse(t, AP(1), AP(3), &p);
	NnVar *in[ML_OP_MAX_INPUTS], *var;
	MlTensor *vals[ML_OP_MAX_INPUTS] = {0};
	VmArray *a;
	const uint32_t *w = (const uint32_t *)vm_array_check(t, AP(2), &a, 4);
	int n = a == NULL ? 0 : (int)a->len;
	AcErr err;

	if (n < 1 || n > ml_op_arity((MlOp)op))
		vm_raise(t, "nn: varop: %s: %d inputs, want 1 to %d", ml_op_name((MlOp)op), n,
		         ml_op_arity((MlOp)op));
	for (int i = 0; i < n; i++) {
		NnObj *tp = o;
		in[i] = var_arg(t, w[i], 2, &tp);
		vals[i] = nn_var_value(in[i]);
	}
	vm_tensor_work(t, vm_tensor_op_work(op, vals, vals[0]));
	cap_on(t);
	var = nn_var_op(o->tape, (MlOp)op, in, n, &p, &err);
	cap_off();
	if (var == NULL)
		check(t, err.code, &err);
	tape_charge(t, o, nn_var_value(var), nn_var_requires_grad(var) ? 2 : 1);
	store_var(t, RET(fp), o, var);
}
#undef SPEC

#define SPEC "p"
void
vm_Nn_value(VmThread *t, uint8_t *fp)
{
	vm_tensor_store_copy(t, RET(fp), nn_var_value(var_arg(t, AP(0), 0, NULL)));
}

void
vm_Nn_grad(VmThread *t, uint8_t *fp)
{
	MlTensor *g = nn_var_grad(var_arg(t, AP(0), 0, NULL));

	if (RET(fp) == NULL)
		return;
	if (g == NULL)
		vm_ptr_set(t->vm, (uint32_t *)RET(fp), VM_H);
	else
		vm_tensor_store_copy(t, RET(fp), g);
}

void
vm_Nn_tapeclear(VmThread *t, uint8_t *fp)
{
	NnObj *o = tape_arg(t, AP(0), 0);

	nn_tape_clear(o->tape);
	o->epoch++;
	vm_heap_uncharge(t->vm, o->charged);
	o->charged = 0;
}

void
vm_Nn_tapezerograd(VmThread *t, uint8_t *fp)
{
	nn_tape_zero_grad(tape_arg(t, AP(0), 0)->tape);
}
#undef SPEC

#define SPEC "ppp"
void
vm_Nn_tapebackward(VmThread *t, uint8_t *fp)
{
	NnObj *o = tape_arg(t, AP(0), 0), *tp = o;
	NnVar *v = var_arg(t, AP(1), 1, &tp);
	MlTensor *gy = AP(2) != VM_H ? vm_tensor_arg(t, AP(2), 2) : NULL;
	AcErr err;

	int rc;

	vm_tensor_work(t, 4 * o->charged / sizeof(float));
	cap_on(t);
	rc = nn_tape_backward(o->tape, v, gy, &err);
	cap_off();
	check(t, rc, &err);
}
#undef SPEC

#define SPEC "pw"
void
vm_Nn_nograd(VmThread *t, uint8_t *fp)
{
	bool was = nn_tape_no_grad(tape_arg(t, AP(0), 0)->tape, AW(1) != 0);

	if (RET(fp) != NULL)
		*(int32_t *)RET(fp) = was;
}
#undef SPEC

/* ---- model files ---- */

/* The host path of a Dis path argument, confined as $Sys's are under
 * --sandbox; a file to read must be a regular one (a FIFO would block
 * the runtime) no larger than what the heap quota has left. */
static void
path_arg(VmThread *t, uint32_t w, char host[PATH_MAX], bool write)
{
	struct stat st;

	str_arg(t, w, host, PATH_MAX, "path");
	if (!vm_path_confined(t->vm, host, PATH_MAX, write, 1))
		vm_raise(t, "nn: %s: permission denied", host);
	if (write || stat(host, &st) != 0)
		return;  /* nn_load names the error */
	if (!S_ISREG(st.st_mode))
		vm_raise(t, "nn: %s: not a regular file", host);
	if ((size_t)st.st_size > heap_room(t->vm))
		vm_raise(t, VM_EX_NOMEM);
}

#define SPEC "ppp"
void
vm_Nn_savemodel(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	char arch[NAME_BYTES], path[PATH_MAX];
	AcErr err;

	str_arg(t, AP(1), arch, sizeof arch, "arch");
	path_arg(t, AP(2), path, true);
	vm_tensor_work(t, (uint64_t)nn_num_parameters(s->m));
	check(t, nn_save(s->m, arch, path, &err), &err);
}
#undef SPEC

#define SPEC "p"
void
vm_Nn_loadmodel(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX], arch[NAME_BYTES] = "";
	uint8_t *r = RET(fp);
	NnModule *m;
	AcErr err;

	path_arg(t, AP(0), path, false);
	cap_on(t);
	m = nn_load(path, arch, sizeof arch, &err);
	cap_off();
	if (m == NULL)
		check(t, err.code, &err);
	if (r == NULL) {
		nn_free(m);
		return;
	}
	store_new_tree(t, r, m);
	vm_string_store_utf8(t, (uint32_t *)(r + 4), arch, strlen(arch));
}
#undef SPEC

#define SPEC "ppppwwp"
void
vm_Nn_savecheckpoint(VmThread *t, uint8_t *fp)
{
	NnSlot *s = module_arg(t, AP(0), 0);
	NnObj *o = AP(1) != VM_H ? obj_arg(t, AP(1), 1, true) : NULL;
	char arch[NAME_BYTES], path[PATH_MAX];
	NnCheckpointInfo info = {AW(4), AW(5), 0, {0}};
	VmArray *a;
	const double *extra = (const double *)vm_array_check(t, AP(6), &a, 8);
	AcErr err;
	int rc;

	str_arg(t, AP(2), arch, sizeof arch, "arch");
	path_arg(t, AP(3), path, true);
	if (extra != NULL && a->len > NN_CHECKPOINT_EXTRA)
		vm_raise(t, "nn: savecheckpoint: %u extra numbers, at most %d", (unsigned)a->len,
		         NN_CHECKPOINT_EXTRA);
	for (uint32_t i = 0; extra != NULL && i < a->len; i++)
		info.extra[i] = extra[i];
	if (o != NULL && o->root != s->root)
		vm_raise(t, "nn: savecheckpoint: the optimizer is not over this model");
	vm_tensor_work(t, 4 * (uint64_t)nn_num_parameters(s->m));
	cap_on(t);
	rc = nn_checkpoint_save(s->m, o != NULL ? o->optim : NULL, &info, arch, path, &err);
	cap_off();
	check(t, rc, &err);
}
#undef SPEC

#define SPEC "p"
void
vm_Nn_loadcheckpoint(VmThread *t, uint8_t *fp)
{
	char path[PATH_MAX], arch[NAME_BYTES] = "";
	uint8_t *r = RET(fp);
	NnCheckpointInfo info;
	NnModule *m;
	NnOptim *opt;
	NnRoot *root;
	NnObj o = {0};
	VmArray *ea;
	AcErr err;
	int rc;

	path_arg(t, AP(0), path, false);
	cap_on(t);
	rc = nn_checkpoint_load(path, &m, &opt, &info, arch, sizeof arch, &err);
	cap_off();
	check(t, rc, &err);
	if (r == NULL) {
		nn_optim_free(opt);
		nn_free(m);
		return;
	}
	/* (ref Module, ref Optim, string, int, int, array of real): words at
	 * 0, 4, 8, 12, 16 and 20 */
	if (opt != NULL && r != NULL) {
		/* the optimizer first, so that a failure frees it with the model */
		o.optim = opt;
	}
	store_new_tree(t, r, m);
	root = module_arg(t, *(uint32_t *)r, 0)->root;
	if (o.optim != NULL) {
		o.root = root;
		if (store_obj(t, r + 4, nstate(t->vm)->t_optim, &o) == NULL) {
			nn_optim_free(o.optim);
			vm_raise(t, VM_EX_NOMEM);
		}
		root->handles++;
	} else
		vm_ptr_set(t->vm, (uint32_t *)(r + 4), VM_H);
	vm_string_store_utf8(t, (uint32_t *)(r + 8), arch, strlen(arch));
	*(int32_t *)(r + 12) = info.epoch > INT32_MAX ? INT32_MAX : (int32_t)info.epoch;
	*(int32_t *)(r + 16) = (int32_t)info.seed;
	ea = vm_array_new(t->vm, t->vm->t_real, NN_CHECKPOINT_EXTRA, 0);
	if (ea == NULL)
		vm_raise(t, VM_EX_NOMEM);
	memcpy(VM_PTR(ea->data), info.extra, sizeof info.extra);
	vm_ptr_set(t->vm, (uint32_t *)(r + 20), VM_WORD(ea));
}
#undef SPEC

/* ---- the module's state ---- */

static int
nn_init(Vm *vm, void **state, AcErr *err)
{
	NnState *ns = ac_calloc(1, sizeof *ns, "$Nn", err);

	*state = ns;
	if (ns == NULL)
		return AC_ENOMEM;
	ns->t_module = vm_type_new(vm, sizeof(NnRef), 0, NULL);
	if (ns->t_module == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Nn: out of memory");
	vm_type_set_destroy(vm, ns->t_module, module_destroy);
	ns->t_loss = vm_type_new(vm, sizeof(NnRef), 0, NULL);
	ns->t_optim = vm_type_new(vm, sizeof(NnRef), 0, NULL);
	if (ns->t_loss == NULL || ns->t_optim == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Nn: out of memory");
	ns->t_tape = vm_type_new(vm, sizeof(NnRef), 0, NULL);
	ns->t_var = vm_type_new(vm, sizeof(NnRef), 0, NULL);
	if (ns->t_tape == NULL || ns->t_var == NULL)
		return ac_err_set(err, AC_ENOMEM, "$Nn: out of memory");
	vm_type_set_destroy(vm, ns->t_loss, obj_destroy);
	vm_type_set_destroy(vm, ns->t_optim, obj_destroy);
	vm_type_set_destroy(vm, ns->t_tape, obj_destroy);
	vm_type_set_destroy(vm, ns->t_var, var_destroy);
	if (vm_builtin_adt(vm, VM_NN_PATH, VM_NN_ADT_Loss, ns->t_loss) != AC_OK ||
	    vm_builtin_adt(vm, VM_NN_PATH, VM_NN_ADT_Optim, ns->t_optim) != AC_OK ||
	    vm_builtin_adt(vm, VM_NN_PATH, VM_NN_ADT_Tape, ns->t_tape) != AC_OK ||
	    vm_builtin_adt(vm, VM_NN_PATH, VM_NN_ADT_Var, ns->t_var) != AC_OK ||
	    vm_builtin_adt(vm, VM_NN_PATH, VM_NN_ADT_Module, ns->t_module) != AC_OK)
		return ac_err_set(err, AC_EINVAL, "$Nn: cannot register its types");
	return AC_OK;
}

static void
nn_release(Vm *vm, void *state)
{
	NnState *ns = state;

	vm_type_unref(vm, ns->t_module);
	vm_type_unref(vm, ns->t_loss);
	vm_type_unref(vm, ns->t_optim);
	vm_type_unref(vm, ns->t_tape);
	vm_type_unref(vm, ns->t_var);
	ns->t_module = ns->t_loss = ns->t_optim = ns->t_tape = ns->t_var = NULL;
}

/* Forgets root r everywhere it is named (slots and optimizers). */
static void
forget_root(NnState *ns, const NnRoot *r)
{
	for (uint32_t j = 0; j < ns->nslots; j++)
		if (ns->slots[j].root == r)
			ns->slots[j].root = NULL;
	for (uint32_t j = 0; j < ns->nobjs; j++) {
		if (ns->objs[j].root == r)
			ns->objs[j].root = NULL;
		for (int k = 0; k < ns->objs[j].nroots; k++)
			if (ns->objs[j].roots[k] == r)
				ns->objs[j].roots[k] = NULL;
	}
}

/* Frees every loss, optimizer and tree still held (after a fault the
 * destroy hooks never ran): each root once, however many name it. */
static void
nn_fini(Vm *vm, void *state)
{
	NnState *ns = state;

	(void)vm;
	for (uint32_t i = 0; i < ns->nobjs; i++) {
		nn_loss_free(ns->objs[i].loss);
		nn_optim_free(ns->objs[i].optim);
		nn_tape_free(ns->objs[i].tape);
		ns->objs[i].loss = NULL;
		ns->objs[i].optim = NULL;
		ns->objs[i].tape = NULL;
	}
	/* a tape's roots, once each, with the rest */
	for (uint32_t i = 0; i < ns->nobjs; i++)
		for (int j = 0; j < ns->objs[i].nroots; j++) {
			NnRoot *r = ns->objs[i].roots[j];
			if (r == NULL)
				continue;
			forget_root(ns, r);
			nn_free(r->m);
			free(r);
		}
	for (uint32_t i = 0; i < ns->nobjs; i++)
		free(ns->objs[i].roots);
	free(ns->vars);
	for (uint32_t i = 0; i < ns->nobjs + ns->nslots; i++) {
		NnRoot *r = i < ns->nobjs ? ns->objs[i].root : ns->slots[i - ns->nobjs].root;
		if (r == NULL)
			continue;
		forget_root(ns, r);
		nn_free(r->m);
		free(r);
	}
	free(ns->objs);
	free(ns->slots);
	free(ns);
}

const VmBuiltinDef vm_nn_def = {
	VM_NN_PATH, vm_Nn_tab, VM_NN_NFUNCS, nn_init, nn_release, nn_fini,
};
