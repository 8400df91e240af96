/*
 * vm internals: the arena, heap objects, types, modules, threads and the
 * interpreter registers. Private to vm/.
 *
 * Memory model (stated for users in vm/vm.h). Dis words and pointers are
 * 32 bits (dis-facts.md "Data layout"). A Dis pointer is an offset into
 * the running VM's arena, never a host address: VM_PTR(w) is vm_mem + w.
 * Everything Dis code can name or forge (module data, frames, heap
 * objects and their headers, array and list contents) lives in the arena
 * and holds only Dis words and numbers: the VM's own records (types,
 * module instances, channels' queues, stacks' bookkeeping, instructions,
 * tensors) live in host memory and are named from the arena by index,
 * each checked on use (vm_type_at, vm_handle_get). So a forged pointer
 * reaches at most the program's own arena: the interpreter checks a
 * pointer it dereferences against the arena's size (vm_ptr_bad: one
 * compare, the same as the nil test it replaces), an operand adds at most
 * DIS_MAX_DISP bytes to it, and a guard of VM_GUARD_BYTES after the arena
 * (and VM_ARENA_LOW bytes at its start, where H points) faults. Copies
 * whose length comes from the arena check the whole span (vm_span).
 * H (nil) is 0.
 */
#ifndef VM_VM_IMPL_H
#define VM_VM_IMPL_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "dis/dis.h"
#include "vm/vm.h"
#include "vm/builtin.h"

#define VM_H 0u                                       /* nil */
/* The arena of the runtime that runs (vm_enter): its base and its size in
 * bytes, offsets [VM_ARENA_LOW, vm_mem_bytes) being usable. One runtime
 * runs at a time in a process. */
extern uint8_t *vm_mem;
extern uint32_t vm_mem_bytes;
extern uint32_t vm_mem_lim;                           /* vm_mem_bytes - VM_ARENA_LOW: one operation less per check */
#define VM_ARENA_LOW 65536u                           /* unmapped: H and small offsets from it fault */
/* Unmapped after the arena: an operand's address is at most DIS_MAX_DISP
 * past a checked pointer, and a copy from it at most DIS_MAX_DISP long. */
#define VM_GUARD_BYTES (2 * (size_t)DIS_MAX_DISP + ((size_t)64 << 10))
#define VM_PTR(w) ((void *)(vm_mem + (uint32_t)(w)))  /* Dis pointer word -> host pointer */
#define VM_WORD(p) ((uint32_t)((uint8_t *)(p) - vm_mem)) /* arena pointer -> Dis word */
#define VM_WORDN(p) ((p) == NULL ? VM_H : VM_WORD(p)) /* the same, NULL -> H */
/* Is w no pointer into the arena (H, or a forged value below its first
 * object or past its end)? Below VM_ARENA_LOW is refused too: an
 * object's header lies before it, and from there down to the mapping's
 * start is unmapped guard, not host memory. */
static inline int
vm_ptr_bad(uint32_t w)
{
	return w - VM_ARENA_LOW >= vm_mem_lim;
}
/* Do the n bytes at Dis address w lie in the arena? For copies whose
 * length comes from arena data (an array's len, a string's). */
static inline int
vm_span_ok(uint32_t w, uint64_t n)
{
	return w >= VM_ARENA_LOW && (uint64_t)w + n <= vm_mem_bytes;
}
#define VM_QUANTUM 2048                               /* instructions per time slice (Inferno PQUANTA) */
#define VM_STACK_SEG_BYTES (32 * 1024)                /* default stack segment */

typedef int32_t VmWord;
typedef struct VmType VmType;
typedef struct VmHeap VmHeap;
typedef struct VmModule VmModule;
typedef struct VmModlink VmModlink;
typedef struct VmInst VmInst;
typedef struct VmBuiltinMod VmBuiltinMod;
typedef struct VmChan VmChan;
typedef struct VmWait VmWait;

/* ---- arena (arena.c) ---- */

/* Allocates n bytes (8-aligned, uninitialised) from the low arena.
 * Returns NULL when the arena is exhausted or the heap quota is hit. */
void *vm_arena_alloc(Vm *vm, size_t n);
void *vm_arena_zalloc(Vm *vm, size_t n);
void vm_arena_free(Vm *vm, void *p, size_t n);
int vm_arena_init(Vm *vm, size_t max_bytes, AcErr *err);
void vm_arena_fini(Vm *vm);

/* ---- types and heap (heap.c) ---- */

/* A type descriptor: size and pointer map, as in the Dis spec's type
 * section. In host memory, owned by the Vm's type table until vm_free;
 * the arena names it by id (frames' REGTYP, heap headers, arrays, lists),
 * and vm_type_at turns an id back into a descriptor, so a forged id is at
 * most another of the program's types. */
struct VmType {
	int32_t size;          /* bytes, at most DIS_MAX_DISP */
	int32_t np;            /* bytes in map */
	uint32_t id;           /* index in vm->types; never 0 */
	uint32_t regtyp;       /* what a frame of it holds in REGTYP: id, | VM_REGTYP_PTRS if np > 0 */
	uint32_t hooked;       /* has a clean-up hook in the Vm (vm_type_set_destroy) */
	uint8_t map[];         /* np bytes, MSB first: bit set = pointer word */
};

/* Header in front of every heap object; a Dis pointer names the data after
 * it. Dis code can forge one: nothing here is trusted beyond the arena. */
struct VmHeap {
	uint32_t ref;          /* reference count */
	uint32_t size;         /* data bytes, for the allocator */
	uint32_t tid;          /* what the data is (vm_type_at); 0 for raw blocks */
	uint8_t color;         /* cycle collector: VM_GC_BLACK, GRAY, WHITE, PURPLE */
	uint8_t buffered;      /* in the collector's candidate buffer */
	uint8_t dead;          /* released while buffered: memory waits for the collector */
	uint8_t pad;
	uint32_t pending;      /* count reached 0: next object on vm->pending (heap.c) */
	uint32_t pad2;
};
_Static_assert(sizeof(VmHeap) % 8 == 0, "heap header keeps data 8-aligned");

enum { VM_GC_BLACK, VM_GC_GRAY, VM_GC_WHITE, VM_GC_PURPLE };

#define VM_D2H(p) ((VmHeap *)((uint8_t *)(p) - sizeof(VmHeap)))
/* Is the object at Dis address w (valid) of type t? */
#define VM_IS(w, ty) (VM_D2H(VM_PTR(w))->tid == (ty)->id)
#define VM_H2D(h) ((void *)((uint8_t *)(h) + sizeof(VmHeap)))

/* Strings: len >= 0 means len bytes of ASCII/Latin-1 in data; len < 0 means
 * -len runes (uint32) in data. max is the capacity in the same units. */
typedef struct VmString {
	int32_t len;
	int32_t max;
	uint8_t data[];        /* bytes or uint32 runes */
} VmString;

/* Arrays: len elements of type tid at Dis address data; a slice points
 * into root's data. */
typedef struct VmArray {
	uint32_t len;          /* elements */
	uint32_t root;         /* Dis pointer to the array this slices, or H */
	uint32_t tid;          /* element type */
	uint32_t data;         /* Dis address of element 0 */
} VmArray;

/* List cell: tail, element type (for pointer-bearing elements) and data. */
typedef struct VmList {
	uint32_t tail;         /* Dis pointer to the next cell, or H */
	uint32_t tid;          /* element type if it holds pointers, else 0 */
	uint8_t data[];
} VmList;

/* The type with id id, or NULL (0, or not a type of this runtime). */
static inline VmType *
vm_type_at(const Vm *vm, uint32_t id);
static inline VmType *vm_heap_type(const Vm *vm, const VmHeap *h);

/* A new type in vm's table (it lives until vm_free), or NULL with no
 * memory. vm_type_sized is the pointer-free type of size bytes, one per
 * size (newcm's element types). */
VmType *vm_type_new(Vm *vm, int32_t size, int32_t np, const uint8_t *map);
VmType *vm_type_sized(Vm *vm, int32_t size);
void vm_types_fini(Vm *vm);
/* Types live as long as the runtime: nothing to drop. */
static inline void vm_type_unref(Vm *vm, VmType *t) { (void)vm; (void)t; }
/* Allocates an object of type t with pointers set to H and the rest zero. */
void *vm_heap_new(Vm *vm, VmType *t);
/* Allocates n raw bytes with type t (t may be a shared builtin type). */
void *vm_heap_alloc(Vm *vm, VmType *t, size_t n);
/* Charges n bytes a builtin holds outside the arena (tensor elements) to
 * the same heap_max quota as Dis objects, and filling them to the work
 * count (Vm.nwork, one unit per 64 bytes). Returns -1, charging nothing,
 * when the quota would be passed or the budget is spent; the caller then
 * raises VM_EX_NOMEM. vm_heap_uncharge gives the bytes back when freed. */
int vm_heap_charge(Vm *vm, size_t n);
void vm_heap_uncharge(Vm *vm, size_t n);
/* Drops one reference to the object named by Dis pointer word w. */
void vm_destroy(Vm *vm, uint32_t w);
static inline void
vm_incref(uint32_t w)
{
	if (!vm_ptr_bad(w)) {
		VmHeap *h = VM_D2H(VM_PTR(w));
		h->ref++;
		h->color = VM_GC_BLACK;  /* live again: not a cycle candidate's garbage */
	}
}
/* Stores pointer v (whose reference the slot takes over) in *slot and drops
 * the value it replaces. */
static inline void
vm_ptr_set(Vm *vm, uint32_t *slot, uint32_t v)
{
	uint32_t old = *slot;

	*slot = v;
	vm_destroy(vm, old);
}
/* Sets the pointer words of t at p to H (initmem) / drops them (freeptrs) /
 * takes a reference on each (incmem). */
void vm_type_initmem(const VmType *t, void *p);
void vm_type_freeptrs(Vm *vm, const VmType *t, void *p);
void vm_type_incmem(const VmType *t, void *p);
VmArray *vm_array_new(Vm *vm, VmType *elem, int32_t len, int zero);
/* Array a's element type and its elements in host memory, or NULL when
 * what its header says does not lie in the arena (a forged header):
 * callers raise VM_EX_BOUNDS. *et and *nbytes (len times element size)
 * are set on success. */
uint8_t *vm_array_bytes(const Vm *vm, const VmArray *a, VmType **et, size_t *nbytes);
/* For builtins: the array at Dis address w (*ap) and its elements, after
 * vm_array_bytes's checks and that it is an array at all, of elements of
 * esize bytes (-1: any). NULL with *ap NULL for nil; raises for anything
 * else that is not such an array. */
uint8_t *vm_array_check(VmThread *t, uint32_t w, VmArray **ap, int32_t esize);
void vm_heap_init_types(Vm *vm);
/* Registers the clean-up for objects of builtin type t (arrays, module
 * instances, channels, Sys->FD, tensors). The hook lives in the Vm, not in
 * the descriptor: descriptors are in the arena, where a forged pointer
 * could reach them, and must hold no code address. */
typedef void (*VmDestroyFn)(Vm *vm, void *data);
void vm_type_set_destroy(Vm *vm, VmType *t, VmDestroyFn fn);
/* Calls fn on every pointer word an object holds (ADT fields, array
 * elements or a slice's root, a list's tail and element, a module
 * instance's data, values buffered in a channel). */
typedef void (*VmSlotFn)(Vm *vm, uint32_t *slot, void *ctx);
void vm_heap_slots(Vm *vm, VmHeap *h, VmSlotFn fn, void *ctx);
/* Frees an object whose count reached 0: resources, children, memory. */
void vm_heap_release(Vm *vm, VmHeap *h);
/* The cycle collector (gc.c, Bacon and Rajan's synchronous trial
 * deletion): objects whose count dropped but not to 0 are candidates;
 * vm_gc_collect frees the garbage cycles among them. Run between quanta. */
void vm_gc_candidate(Vm *vm, VmHeap *h);
void vm_gc_collect(Vm *vm);
/* Collects when enough candidates wait; call between quanta. */
void vm_gc_maybe(Vm *vm);
void vm_chan_slots(Vm *vm, void *chan, VmSlotFn fn, void *ctx);

/* ---- strings (string.c) ---- */
VmString *vm_string_new_utf8(Vm *vm, const char *s, size_t n);
/* UTF-8 of a Dis string into a malloc'd NUL-terminated buffer (caller frees). */
char *vm_string_utf8(uint32_t w, size_t *len);
/* For builtins: the string argument at w (nil is "") into buf, NUL
 * included; raises "MODULE: WHAT longer than N bytes" when it does not
 * fit, and on no memory. */
void vm_str_arg(VmThread *t, uint32_t w, char *buf, size_t bufsize, const char *module, const char *what);
/* The string at Dis address w, or NULL for nil and for a header whose
 * length does not fit in the arena (forged): both read as "". Inline:
 * every string instruction starts here. A negative len counts runes of 4
 * bytes; INT32_MIN's 2^33 bytes fit no arena. */
static inline VmString *
vm_string_at(uint32_t w)
{
	VmString *s;
	uint64_t n;

	if (vm_ptr_bad(w))
		return NULL;
	s = (VmString *)VM_PTR(w);
	n = s->len < 0 ? 4 * (uint64_t)-(int64_t)s->len : (uint64_t)s->len;
	return (uint64_t)w + sizeof(VmString) + n <= vm_mem_bytes ? s : NULL;
}
static inline int32_t
vm_string_len(const VmString *s)
{
	if (s == NULL)
		return 0;
	return s->len < 0 ? -s->len : s->len;
}
int vm_string_cmp(uint32_t a, uint32_t b);
/* Replaces the string at *d (dropping the old one); raise on no memory. */
void vm_string_store_utf8(VmThread *t, uint32_t *d, const char *p, size_t n);
/* int, big and real of a Dis string, by Inferno's rules (see string.c). */
int32_t vm_string_to_int(uint32_t ws);
int64_t vm_string_to_big(uint32_t ws);
double vm_string_to_real(uint32_t ws);
/* String instructions; d is the destination pointer word. */
void vm_op_addc(VmThread *t, uint32_t *d, uint32_t ws, uint32_t wm);
int32_t vm_op_indc(VmThread *t, uint32_t ws, int32_t i);
void vm_op_insc(VmThread *t, uint32_t *d, int32_t i, uint32_t c);
void vm_op_slicec(VmThread *t, uint32_t *d, int32_t start, int32_t end);
void vm_op_cvtca(VmThread *t, uint32_t *d, uint32_t ws);
void vm_op_cvtac(VmThread *t, uint32_t *d, uint32_t wa);

/* ---- modules (module.c) ---- */

/* A decoded operand: mode selects the base, a and b as in DisAddr. */
enum { VM_OP_NONE, VM_OP_MP, VM_OP_FP, VM_OP_IMM, VM_OP_IMP, VM_OP_IFP };

/* Decoded so that the common case costs no branch: an operand that is not
 * indirect is base[b] + offset, with base the module's first instruction
 * (VM_BASE_ABS, for immediates: the offset is where the value lies in the
 * decoded instruction), mp or fp. Instructions live in host memory, out
 * of Dis code's reach. */
struct VmInst {
	uint8_t op;            /* DIS_OP_* */
	uint8_t sm, mm, dm;    /* VM_OP_* for source, middle, destination */
	uint8_t sb, mb, db;    /* VM_BASE_*: base of each operand's address */
	uint8_t ind;           /* some operand is indirect: decode the slow way */
	uint16_t h;            /* handler: the opcode, or a specialised one (vm_fast_handler) */
	const VmInst *next;    /* what runs after it falls through: the next instruction, or
	                        * where the unconditional jmps that follow lead */
	uint32_t s, m, d;      /* offsets from the base (direct, immediate) or of the pointer word (indirect) */
	int32_t s2, d2;        /* indirect: offset added to the pointer */
	int32_t simm, mimm, dimm; /* immediate values; dimm is the target of a branch */
};
enum { VM_BASE_ABS, VM_BASE_MP, VM_BASE_FP };

/* One link in a module instance: a Dis function or a builtin. */
typedef struct VmLink {
	int32_t pc;                    /* entry instruction (Dis) */
	VmType *frame;                 /* frame type, NULL for varargs builtins */
	VmBuiltinFn fn;                /* builtin, or NULL */
	uint32_t sig;
	const char *name;
	const VmBuiltinFunc *bf;       /* builtin: its table entry, for vm_builtin_check */
} VmLink;

/* A loaded module: code and types, shared by every instance (load). */
struct VmModule {
	uint32_t ref;
	char *name;                    /* module name */
	char *path;                    /* file it came from */
	DisModule *dis;                /* the parsed file (owned) */
	int32_t ninst;
	VmInst *inst;
	int32_t ntype;
	VmType **type;
	int32_t nlink;
	VmLink *link;                  /* exports */
	VmBuiltinMod *builtin;         /* non-NULL for $Sys etc. */
	uint8_t *origmp;               /* initial module data (heap object), or NULL */
	VmModule *next;                /* in vm->modules */
};

/* What a module or channel value points at in the arena: a heap object
 * of type t_modlink or t_chan naming its host record by handle (handle.c).
 * A module's first word is its data, as Inferno's Modlink->MP: code
 * Inferno's compiler makes reads a loaded module's globals through it. */
typedef struct VmHobj {
	uint32_t mp;                   /* module data (a copy of VmModlink.mp), or 0 */
	uint32_t id;                   /* handle */
} VmHobj;

/* A module instance (host memory; its VmHobj in the arena). */
struct VmModlink {
	uint32_t word;                 /* its VmHobj: what Dis code holds */
	uint32_t id;                   /* its handle */
	uint32_t mp;                   /* module data (a heap object), VM_H if none */
	/* Threads running in it (t->ml). Its VmHobj's count is in the arena,
	 * where Dis code could forge it to 0: the record outlives that while
	 * a thread holds it, and is freed when both are gone. */
	uint32_t hold;
	int dead;                      /* its VmHobj was released */
	VmModule *m;
	int32_t nlinks;
	VmLink *links;                 /* in the importer's order (import table) */
	VmLink link0[];                /* storage for links */
};

/* ---- handles (handle.c): host records named from the arena ---- */
enum { VM_HK_FREE, VM_HK_MODLINK, VM_HK_CHAN };
/* Records p (of kind k) for the arena object at Dis address w, storing the
 * handle in the object's VmHobj.id. AC_OK, or -1 with no memory. */
int vm_handle_new(Vm *vm, void *p, int kind, uint32_t w);
/* The record of kind k whose object is at w, or NULL when w is not such a
 * live object (H, forged, freed). Inline: mframe and mcall ask it. */
static inline void *vm_handle_get(const Vm *vm, uint32_t w, int kind);
/* Forgets the record of the object at w, if its handle names it. */
void vm_handle_free(Vm *vm, uint32_t w, int kind);
/* Frees the table and the records still in it (the runtime's end: their
 * modules went with it). */
void vm_handles_fini(Vm *vm);
#define vm_modlink_get(vm, w) ((VmModlink *)vm_handle_get((vm), (w), VM_HK_MODLINK))

/* Builtin module registry entry. */
struct VmBuiltinMod {
	const VmBuiltinDef *def;       /* what registered it */
	void *state;                   /* its init's, until vm_builtin_free */
	int released;                  /* its release ran */
	const char *path;              /* "$Sys" */
	const VmBuiltinFunc *funcs;
	int nfuncs;
	VmModule *mod;                 /* created on first use */
	struct {                       /* the module's own types for its adts (vm_builtin_adt) */
		const VmBuiltinType *bt;
		VmType *t;
	} adts[8];
	int nadts;
};

VmModule *vm_module_from_dis(Vm *vm, DisModule *dm, const char *path, AcErr *err);
void vm_module_unref(Vm *vm, VmModule *m);
/* Makes a module instance whose links follow the import list `imp`
 * (NULL: the module's own export order). Returns NULL and sets err (why)
 * on a missing function or signature mismatch. */
VmModlink *vm_modlink_new(Vm *vm, VmModule *m, const DisImportModule *imp, AcErr *err);
/* Sets ml's module data (its reference moves in), and the copy in its
 * arena object that Inferno-compiled code reads. */
void vm_modlink_set_mp(VmModlink *ml, uint32_t mp);
/* A thread starts / stops running in ml (VmModlink.hold). */
static inline void vm_modlink_hold(VmModlink *ml) { ml->hold++; }
void vm_modlink_release(Vm *vm, VmModlink *ml);
VmModule *vm_builtin_module(Vm *vm, const char *path, AcErr *err);
void vm_builtin_fini(Vm *vm);
/* Cleans a path name in place (Plan 9 cleanname): no "." or empty
 * elements, ".." resolved lexically, "/.." is "/". */
void vm_path_clean(char *p);
/* Under vm_confine: whether host name host (a buffer of size bytes) may be
 * reached, writing or only reading, and, when it may, replaces it with its
 * resolved name (realpath; of its directory when it does not exist yet or
 * follow is 0 and it is a symbolic link). 1 always when not confined. */
int vm_path_confined(Vm *vm, char *host, size_t size, int writing, int follow);
/* Loads a module by Dis path: "$Name" builtin, absolute under the root,
 * relative to the working directory or else beside `from`. Cached by file. */
VmModule *vm_module_load_path(Vm *vm, const char *path, const char *from, AcErr *err);
/* Loads the .dis file at host path `full` (cached). */
VmModule *vm_module_load_host(Vm *vm, const char *full, AcErr *err);
/* Address of argument k in a builtin's frame fp whose arguments are
 * described by spec (VmBuiltinFunc.args letters, plus 'D' for a Sys->Dir
 * passed by value: 64 bytes, aligned 8, its four strings first). */
uint8_t *vm_builtin_arg(uint8_t *fp, const char *spec, int k);
/* Where a builtin's result goes (REGRET), or NULL. */
#define VM_BUILTIN_RET(fp) vm_builtin_ret(fp)

static inline uint8_t *
vm_builtin_ret(uint8_t *fp)
{
	uint32_t w = *(uint32_t *)(fp + DIS_REGRET * 4);

	return vm_ptr_bad(w) ? NULL : (uint8_t *)VM_PTR(w);
}

/* Blocking builtins (sched.c). A builtin about to read or write fd calls
 * vm_wait_fd first: 1 means go ahead; 0 means the fd is not ready and other
 * threads could run, so the builtin must return at once without touching
 * its result: the thread waits until fd is ready and the call is made again.
 * vm_sleep suspends the thread for ms after the builtin returns. When no
 * other thread could run, both simply let the host call block. */
int vm_wait_fd(VmThread *t, int fd, int events);
void vm_sleep(VmThread *t, int64_t ms);
/* May a builtin's host call block the process? Only when no other thread
 * could run and there is no deadline; else it must wait through the
 * scheduler (vm_wait_fd, vm_wait_retry) so others run and the deadline
 * ends the wait. */
int vm_may_block(VmThread *t);
/* For a host call that cannot be polled for (opening a FIFO whose other
 * end is not open): 1 means the thread waits ms and the call is made
 * again, so the builtin must return at once; 0 means nothing else could
 * run, so it slept ms itself (raising the wall-clock exception at the
 * deadline) and the builtin tries again now. */
int vm_wait_retry(VmThread *t, int64_t ms);
/* Waits where it is, other threads not running meanwhile, until fd is
 * ready for events: for the rest of a call begun already (the pieces of
 * a write to a full pipe or of Sys->stream), which cannot be made again,
 * or a wait the call cannot leave (a TCP connect). max_ms bounds the wait
 * as well as the deadline does, the sooner winning; -1: the deadline
 * alone. 1 ready, failed or hung up; 0 the deadline passed (the caller
 * frees what it holds and raises "wall-clock limit exceeded"); -1
 * max_ms passed first. */
int vm_wait_fd_here(VmThread *t, int fd, int events, int64_t max_ms);
/* Raises the exception of limit which (VM_LIMIT_*), marked so that the
 * scheduler ends the program with AC_ELIMIT before any handler sees it. */
_Noreturn void vm_limit_raise(VmThread *t, int which);
/* Has the program used up --max-instructions (counting `pending`
 * instructions not yet added to ninstr) or passed its deadline? For
 * instructions whose work grows with data, checked every few thousand
 * steps. */
int vm_out_of_time(Vm *vm, uint64_t pending);
enum { VM_BLOCK_NONE, VM_BLOCK_RETRY, VM_BLOCK_SLEEP };

/* ---- threads and the interpreter (xec.c, stack.c) ---- */

/* A stack segment: the record in host memory, the frames in the arena. */
typedef struct VmStack {
	struct VmStack *prev;
	uint8_t *limit;                /* end of this segment */
	uint8_t *saved_sp;             /* sp in prev when this segment began */
	uint8_t *base;                 /* first frame byte (arena) */
	size_t bytes;                  /* whole segment, for freeing */
} VmStack;

struct VmThread {
	Vm *vm;
	const VmInst *ip;              /* instruction being executed */
	uint8_t *fp;
	uint8_t *sp;
	uint8_t *mp;
	VmModlink *ml;                 /* current module instance */
	VmModule *m;
	VmStack *stack;
	sigjmp_buf *ex;                /* where vm_raise and the fault handler land */
	int fault;                     /* a hardware fault ended the thread: no clean-up */
	char exmsg[256];               /* current exception text */
	uint32_t exval;                /* the value `raise` raised, or H */
	char errstr[AC_ERR_MSG_BYTES]; /* last error (%r) */
	int id;                        /* thread number, 1 for init's */
	VmThread *anext;               /* in vm->threads */
	VmThread *rnext;               /* in the run queue */
	VmWait *wait;                  /* channels waited on (send, recv, alt) */
	int nwait, waitcap;
	int32_t *altresult;            /* where a blocked alt's case index goes */
	uint8_t *bframe;               /* frame of the builtin being called, or NULL */
	int block;                     /* VM_BLOCK_*: why a builtin suspended the thread */
	int wfd, wevents;              /* the fd and poll events it waits for */
	int64_t wake_ns;               /* monotonic time a sleep ends, or a timed retry is made */
	int held_fd;                   /* opened by a builtin that waits on it before it returns it
	                                  (a FIFO's open), kept for the retry; -1: none */
	VmThread *wnext;               /* in vm->waiting */
	int exiting;
};

/* Raises a Dis exception with Inferno's text; does not return. Only valid
 * while the interpreter runs (inside vm_xec). */
_Noreturn void vm_raise(VmThread *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint8_t *vm_frame_alloc_slow(VmThread *t, VmType *ft, size_t n);
/* The first frame of a thread that is not running (spawn's new one): NULL
 * when the arena is full, where vm_frame_alloc would raise in a thread
 * with no handler of its own. */
uint8_t *vm_frame_alloc_first(VmThread *t, VmType *ft);

/* A frame of type ft on top of t's stack: registers zeroed where they must
 * be, pointers H. A new stack segment when this one is full. */
static inline uint8_t *
vm_frame_alloc(VmThread *t, VmType *ft)
{
	size_t n = ((size_t)ft->size + 7) & ~(size_t)7;
	uint8_t *f;

	if (n < DIS_MAXTEMP)
		n = DIS_MAXTEMP;
	if (t->stack == NULL || (size_t)(t->stack->limit - t->sp) < n)
		return vm_frame_alloc_slow(t, ft, n);
	f = t->sp;
	t->sp = f + n;
	*(uint32_t *)(f + DIS_REGTYP * 4) = ft->regtyp;
	*(uint32_t *)(f + DIS_REGMOD * 4) = VM_H;
	if (ft->np > 0)
		vm_type_initmem(ft, f);
	return f;
}
/* Call-related instructions (call.c); each leaves t->ip at the next one. */
void vm_op_load(VmThread *t, uint8_t *d, uint32_t path, int32_t ldt);
void vm_op_mcall(VmThread *t, uint8_t *f, int32_t o, uint8_t *d, const VmInst *next);
void vm_op_ret(VmThread *t);
_Noreturn void vm_op_raise(VmThread *t, uint32_t v);
/* Runs one quantum of t: VM_XEC_QUANTUM when it ran out, VM_XEC_DONE when
 * the thread finished, VM_XEC_BLOCKED when it waits on a channel. */
enum { VM_XEC_QUANTUM = 0, VM_XEC_DONE = 1, VM_XEC_BLOCKED = 2 };
int vm_xec(VmThread *t);
/* The handler for a decoded instruction: a version of its opcode
 * specialised to its operand shape where the interpreter has one. */
uint16_t vm_fast_handler(const VmInst *in);

/* ---- threads and channels (sched.c, chan.c) ---- */
VmThread *vm_thread_new(Vm *vm, VmModlink *ml);
void vm_thread_free(VmThread *t);
void vm_thread_ready(VmThread *t);
/* Runs fn(vm) with hardware faults caught: Dis code may have left the
 * arena in any state, and walking it (the runtime's end, freeing what
 * the program left) must not crash the host. A fault poisons vm. */
void vm_guarded(Vm *vm, void (*fn)(Vm *vm));
/* Runs threads from main until main finishes; frees every thread. */
int vm_sched_run(Vm *vm, VmThread *main, AcErr *err);
void vm_op_spawn(VmThread *t, uint8_t *f, VmModlink *ml, int32_t pc);
uint32_t vm_rand(Vm *vm);
void vm_chan_init_type(Vm *vm);
void vm_op_newc(VmThread *t, uint32_t *d, VmType *elem, int32_t cap);
/* Return 1 when the thread must wait (its quantum ends). */
int vm_op_send(VmThread *t, uint32_t c, uint8_t *ptr);
int vm_op_recv(VmThread *t, uint32_t c, uint8_t *ptr);
int vm_op_alt(VmThread *t, uint8_t *tab, int32_t *result, int block);
void vm_chan_cancel(VmThread *t);
/* Finds a handler for t->exmsg, unwinding frames: 1 found, 0 uncaught. */
int vm_handle_exception(VmThread *t);
void vm_frame_pop(VmThread *t, uint8_t *f);
/* Pops the top frame and goes back to its caller: fp (H when there is
 * none) and, after an mcall, the caller's module instance. */
void vm_frame_leave(VmThread *t);

/* Dis exception texts (Inferno libinterp/raise.c) */
#define VM_EX_BOUNDS "array bounds error"
#define VM_EX_NILREF "dereference of nil"
#define VM_EX_ZDIV "zero divide"
#define VM_EX_NEGSIZE "negative array size"
#define VM_EX_MODULE "module not loaded"
#define VM_EX_NOMEM "out of memory: heap"

/* ---- the runtime ---- */
struct Vm {
	VmOptions opt;
	uint8_t *arena;                /* base of the low mapping */
	size_t arena_bytes;
	uint8_t *bump;                 /* next unallocated arena byte */
	void *freelist[129];           /* small blocks by 16-byte class */
	void *bigfree;                 /* freed large blocks */
	size_t heap_used;              /* bytes */
	size_t heap_ext_bytes;         /* held outside the arena (vm_heap_charge) */
	/* Types (heap.c), by id; [0] is NULL. */
	VmType **types;
	uint32_t ntypes, captypes;
	struct VmSized {
		int32_t size;
		VmType *t;
	} *sized;                      /* vm_type_sized's, open addressing */
	uint32_t nsized, capsized;
	/* Handles (handle.c): host records named from the arena. */
	struct VmHandle {
		uint32_t word;         /* the arena object; next free handle when free */
		uint32_t kind;         /* VM_HK_* */
		void *p;
	} *handles;
	uint32_t nhandles, caphandles, hfree;
	VmBuiltinMod builtins[8];
	int nbuiltins;
	VmType *t_string, *t_array, *t_list, *t_modlink, *t_byte, *t_word, *t_big, *t_real, *t_ptr;
	/* Each builtin module's state (its files, tensors, types) is its own,
	 * registered here with it (vm_builtin_register, vm_builtin_state). */
	VmModule *modules;             /* loaded Dis modules, by path (cache) */
	uint64_t ninstr;               /* instructions executed */
	/* Work that grows with data rather than with instructions (list cells
	 * walked, 64-byte units allocated), counted against max_instructions
	 * with ninstr so no one instruction runs unmetered; --stats leaves it
	 * out. */
	uint64_t nwork;
	int64_t deadline_ns;           /* ac_clock_ns of opt.timeout_ms; 0: none */
	int poisoned;                  /* a fault may have corrupted the arena */
	int released;                  /* release_all ran: the runtime is finished */
	VmThread *threads;             /* every live thread */
	VmThread *runq, *runq_tail;    /* ready threads, in order */
	VmThread *waiting;             /* threads in sleep or waiting for an fd */
	int nthreads_made;
	uint32_t nthreads_live;        /* threads alive, init's included (max_threads) */
	int limit_hit;                 /* VM_LIMIT_*: a limit raised, the program ends */
	uint32_t rng;                  /* alt's random choice */
	VmType *t_chan;
	struct {
		const VmType *t;
		VmDestroyFn fn;
	} hooks[8];                    /* clean-up of builtin types (vm_type_set_destroy) */
	int nhooks;
	VmHeap **gc_roots;             /* cycle candidates */
	size_t gc_nroots, gc_cap;
	uint64_t gc_cycles_freed;      /* objects the collector freed */
	/* Objects whose count reached 0 and whose contents are still to be
	 * released, linked through VmHeap.pending; `freeing` is set while the
	 * outermost vm_destroy drains them (heap.c). */
	uint32_t pending;
	int freeing;
};

/* vm_builtin_check (builtin.h), its common case inline: a frame the VM
 * made from the table, no argument that holds a pointer, the result slot
 * (if any) in the arena; anything else is looked at out of line. */
static inline void
vm_builtin_check(VmThread *t, const VmModlink *ml, const VmLink *l, uint8_t *fp)
{
	const VmBuiltinFunc *f = l->bf;
	uint32_t ret = *(const uint32_t *)(fp + DIS_REGRET * 4);

	if (f == NULL)
		return;
	if (l->frame == NULL || *(const uint32_t *)(fp + DIS_REGTYP * 4) != l->frame->regtyp || f->ptrargs > 0 ||
	    (ret != VM_H && (ret % 4 != 0 || !vm_span_ok(ret, (uint64_t)f->ret->size))))
		vm_builtin_check_slow(t, ml, l, fp);
}

static inline VmType *
vm_type_at(const Vm *vm, uint32_t id)
{
	return id < vm->ntypes ? vm->types[id] : NULL;
}

/* A frame's REGTYP word: its type's id, with this bit when the type has
 * pointers, so the common return need not look the type up. */
#define VM_REGTYP_PTRS 0x80000000u
static inline VmType *
vm_frame_type(const Vm *vm, uint32_t regtyp)
{
	return vm_type_at(vm, regtyp & ~VM_REGTYP_PTRS);
}

static inline VmType *
vm_heap_type(const Vm *vm, const VmHeap *h)
{
	return vm_type_at(vm, h->tid);
}

/* $Tensor's handles for the other builtins (tensor.c). vm_tensor_arg:
 * the tensor argument k (0-based) names, borrowed; raises for nil and for
 * anything that is not a live handle. vm_tensor_store_copy: a contiguous
 * copy of src, charged to the heap quota, as a new handle at dst.
 * vm_tensor_work: charges units of work (elements, multiply-adds) to the
 * instruction budget, raising when it is spent. */
typedef struct MlTensor MlTensor;
MlTensor *vm_tensor_arg(VmThread *t, uint32_t w, int k);
void vm_tensor_store_copy(VmThread *t, uint8_t *dst, const MlTensor *src);
void vm_tensor_work(VmThread *t, uint64_t units);
/* The op called by the string at wname and its options (the string at
 * wopts) as $Tensor's op reads them; raises for an unknown op or option.
 * vm_tensor_op_work: the work $Tensor charges for running op. */
typedef struct MlOpParams MlOpParams;
int vm_tensor_op_parse(VmThread *t, uint32_t wname, uint32_t wopts, MlOpParams *p);
uint64_t vm_tensor_op_work(int op, MlTensor *const *in, const MlTensor *out);

/* Makes vm the runtime that runs: its arena is what Dis words name. */
static inline void
vm_enter(Vm *vm)
{
	vm_mem = vm->arena;
	vm_mem_bytes = (uint32_t)vm->arena_bytes;
	vm_mem_lim = vm_mem_bytes - VM_ARENA_LOW;
}

static inline void *
vm_handle_get(const Vm *vm, uint32_t w, int kind)
{
	const struct VmHandle *h;
	uint32_t id;

	if (vm_ptr_bad(w))
		return NULL;
	id = ((const VmHobj *)VM_PTR(w))->id;
	if (id >= vm->nhandles)
		return NULL;
	h = &vm->handles[id];
	return h->word == w && h->kind == (uint32_t)kind ? h->p : NULL;
}

#endif
