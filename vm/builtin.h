/*
 * The one boundary between Dis code and the builtin modules ($Sys, $Math,
 * $Crypt, $Tensor). Each module's table is generated at build time from
 * its declaration in module/ by our own compiler (`limbo -t Sys
 * module/sys.m` writes build/gen/vm/sysmod.h, as Inferno's mkfiles make
 * libinterp/sysmod.h), so names, signature hashes and frame layouts are
 * the ones importers compute and are written by hand nowhere. The tables
 * also describe every argument's type, and vm_builtin_check, called at
 * the one place a builtin is invoked, validates each argument against it
 * before the builtin runs: a builtin sees only values of its declared
 * types (or nil).
 *
 * Private to vm/. Follows: inferno-os libinterp/runt.h and
 * limbo/stubs.c (Runtab: name, signature, function, frame size and map).
 */
#ifndef VM_BUILTIN_H
#define VM_BUILTIN_H

#include <stdint.h>

#include "base/base.h"
#include "vm/vm.h"

/* What a builtin's argument or result is, in Limbo's terms. */
enum {
	VM_BT_NONE,    /* no result */
	VM_BT_INT, VM_BT_BIG, VM_BT_BYTE, VM_BT_REAL, VM_BT_FIXED,
	VM_BT_STRING,
	VM_BT_ARRAY,   /* array of `of` */
	VM_BT_LIST,    /* list of `of` */
	VM_BT_CHAN,    /* chan of `of` */
	VM_BT_REF,     /* ref `of` (an adt) */
	VM_BT_MODULE,
	VM_BT_TUPLE,   /* by value: fields */
	VM_BT_ADT,     /* by value: fields; `name` the adt's */
	VM_BT_PICK,    /* an adt with pick cases: its common fields only */
	VM_BT_FN,
	VM_BT_ANY,     /* a type variable or exception: not checked */
};

typedef struct VmBuiltinType VmBuiltinType;

/* A field of an adt or tuple, or an argument of a function. */
typedef struct VmBuiltinField {
	const char *name;          /* "buf"; NULL for a tuple's elements */
	int32_t off;               /* bytes from the value's start (an argument: from fp) */
	const VmBuiltinType *type;
} VmBuiltinField;

struct VmBuiltinType {
	int kind;                  /* VM_BT_* */
	int32_t size;              /* bytes a value takes in a frame or field (a pointer: 4) */
	const VmBuiltinType *of;   /* ARRAY LIST CHAN: the element; REF: the adt */
	const char *name;          /* ADT PICK: the adt's name ("FD"); else NULL */
	const VmBuiltinField *fields; /* ADT PICK TUPLE: in order */
	int32_t nfields;
	int32_t np;                /* ADT PICK TUPLE: bytes of map */
	const uint8_t *map;        /* pointer words, MSB first, as a VmType's */
};

/* One function of a builtin module, as limbo -t writes it. */
typedef struct VmBuiltinFunc {
	const char *name;          /* "read", or "DigestState.copy" for an adt's */
	uint32_t sig;              /* signature hash an importer must match */
	VmBuiltinFn fn;            /* NULL: declared but not provided (importing it fails) */
	const char *sigstr;        /* the signature string hashed */
	int32_t size;              /* frame bytes; 0 when varargs (the caller's frame) */
	int32_t np;                /* bytes of map */
	const uint8_t *map;        /* the frame's pointer words */
	int varargs;               /* ends in `*` */
	int32_t argend;            /* end of the declared arguments, bytes from fp */
	int32_t nargs;
	int32_t ptrargs;           /* how many hold pointers (none: nothing to check in them) */
	const VmBuiltinField *args; /* offsets from fp (the first at MaxTemp) */
	const VmBuiltinType *ret;  /* the result (VM_BT_NONE when none), at *REGRET */
} VmBuiltinFunc;

/* A builtin module as it registers with a runtime: its generated table,
 * and the state it keeps there, which it makes and frees itself, so that
 * struct Vm knows no module's fields. */
typedef struct VmBuiltinDef {
	const char *path;          /* "$Sys": the generated VM_SYS_PATH */
	const VmBuiltinFunc *funcs; /* the generated table (vm_Sys_tab) */
	int nfuncs;
	/* Makes the module's state for vm in *state (may stay NULL): its
	 * types, tables, host resources. AC_OK, or an error (the runtime is
	 * not made; fini still runs on what *state holds). NULL: none. */
	int (*init)(Vm *vm, void **state, AcErr *err);
	/* Drops what the state holds in the Dis heap (its types) when the
	 * runtime finishes, after every object is gone; not after a fault,
	 * when the arena is dropped whole. NULL: none. */
	void (*release)(Vm *vm, void *state);
	/* Frees the state and what it holds outside the Dis heap (host
	 * descriptors, tensors), at vm_free. NULL: none. */
	void (*fini)(Vm *vm, void *state);
} VmBuiltinDef;

/* The builtin modules of this VM, registered by vm_builtins_init. */
extern const VmBuiltinDef vm_sys_def, vm_math_def, vm_crypt_def, vm_tensor_def, vm_nn_def;

/* Registers builtin module def (borrowed; static, it outlives vm) and
 * runs its init. Entries of its table whose fn is NULL are left out of the
 * module. Returns AC_OK, AC_EINVAL when the registry is full, or init's
 * error. */
int vm_builtin_register(Vm *vm, const VmBuiltinDef *def, AcErr *err);

/* Registers every builtin module of this VM ($Sys, $Math, $Crypt,
 * $Tensor, $Nn), in order; the first error stops it. At vm_new. */
int vm_builtins_init(Vm *vm, AcErr *err);

/* The state def's init made in vm, or NULL if def is not registered
 * there. Borrowed; lives until vm_free. */
void *vm_builtin_state(const Vm *vm, const VmBuiltinDef *def);

/* Runs every module's release (in reverse order of registration), then,
 * vm_builtin_free, every fini. Each runs once. */
void vm_builtin_release(Vm *vm);
void vm_builtin_free(Vm *vm);

typedef struct VmType VmType;
typedef struct VmModlink VmModlink;
typedef struct VmLink VmLink;

/* Tells the marshaller that module `path`'s adt `adt` (the generated
 * VM_MODULE_ADT_Name) is made only by the module itself, as objects of VM
 * type t: an argument `ref adt` must then be one of them (nil aside), not
 * an object Dis code made with the same fields. Returns AC_OK, or
 * AC_EINVAL for an unknown module or a full table. */
int vm_builtin_adt(Vm *vm, const char *path, const VmBuiltinType *adt, VmType *t);

/* The marshaller, vm_builtin_check(t, ml, l, fp): called where a builtin
 * is invoked (vm_op_mcall), it checks the arguments of builtin l (in
 * module instance ml) in frame fp against its table entry before it runs,
 * and raises
 * "Module->fn: argument N (name): not a TYPE" for the first that is not a
 * value of its declared type. nil passes (whether a builtin takes nil is
 * its own decision); a string must be a string object, an array one whose
 * element type has the declared size and pointer words, a list a list cell
 * (the first) of such elements, a ref adt the module's registered type or
 * an object of the adt's size and pointer words (its fields checked in
 * turn), a chan or module one of those; adts and tuples by value are
 * checked field by field. Every object must lie in the arena, and the
 * frame, where the caller made it, must be large enough and hold pointers
 * where the arguments are; the result pointer (REGRET) must point into
 * the arena. Call only while the interpreter runs (it raises). Its common
 * case (a frame the VM made, no pointer among the arguments) is inline in
 * vm_impl.h, as it needs the link's and the runtime's fields; this is the
 * rest. */
void vm_builtin_check_slow(VmThread *t, const VmModlink *ml, const VmLink *l, uint8_t *fp);

/* The table registered for `path` ("$Sys") and its length in *n, every
 * entry (those not provided too); NULL and 0 when none is. Borrowed. */
const VmBuiltinFunc *vm_builtin_funcs(const Vm *vm, const char *path, int *n);

#endif
