/*
 * The type checker's private declarations: types, declarations (named
 * things), scopes and the checker state. Shared by limbo/types.c (type
 * representation, equality, Dis sizes, signatures), limbo/decls.c (scopes,
 * file-scope declarations, resolving type syntax), limbo/expr.c and
 * limbo/stmt.c (expressions and statements) and limbo/check.c (the entry).
 *
 * Follows: inferno-os limbo/limbo.m's Type and Decl, reduced to what the
 * checker and the code generator need; types.b for equality and sign().
 */
#ifndef LIMBO_CHECK_H
#define LIMBO_CHECK_H

#include "limbo/limbo_impl.h"

/* Type kinds. ERROR is the type of an expression already reported: it is
 * compatible with everything, so one mistake gives one message. */
enum {
	LIMBO_TY_ERROR, LIMBO_TY_NONE, LIMBO_TY_INT, LIMBO_TY_BIG, LIMBO_TY_BYTE,
	LIMBO_TY_REAL, LIMBO_TY_STRING, LIMBO_TY_NIL, LIMBO_TY_ADT, LIMBO_TY_ADTPICK,
	LIMBO_TY_TUPLE, LIMBO_TY_MODULE, LIMBO_TY_FN, LIMBO_TY_REF, LIMBO_TY_ARRAY,
	LIMBO_TY_LIST, LIMBO_TY_CHAN, LIMBO_TY_POLY, LIMBO_TY_EXCEPTION, LIMBO_TY_FIXED,
	LIMBO_TY_ANY, /* a polymorphic value or builtin argument: matches anything */
};

/* Where a declaration lives (Inferno's Dtype, Dfn, ...). */
enum {
	LIMBO_D_TYPE, LIMBO_D_FN, LIMBO_D_GLOBAL, LIMBO_D_ARG, LIMBO_D_LOCAL,
	LIMBO_D_CONST, LIMBO_D_FIELD, LIMBO_D_TAG, LIMBO_D_IMPORT, LIMBO_D_EXC,
};

typedef struct LimboType LimboType;
typedef struct LimboDecl LimboDecl;

struct LimboType {
	int kind;            /* LIMBO_TY_* */
	int size, align;     /* bytes as Dis lays the value out; 0 until sized */
	LimboType *of;       /* REF ARRAY LIST CHAN: element; FN: result (NONE if
	                        none); ADTPICK: the parent adt */
	LimboDecl *ids;      /* ADT ADTPICK: fields and members; TUPLE: elements;
	                        FN: parameters; MODULE: members; EXCEPTION: values */
	LimboDecl *tags;     /* ADT: pick tags, in order (store TAG, ty ADTPICK) */
	LimboDecl *polys;    /* ADT FN: type variables */
	LimboDecl *decl;     /* ADT ADTPICK MODULE POLY EXCEPTION: its name */
	const LimboNode *raises; /* FN: LIST of exception names, or NULL */
	int varargs;         /* FN: ends in `*` */
	int tag;             /* ADTPICK: tag number (0, 1, ...) */
	int sizing;          /* being sized: a value cycle */
};

struct LimboDecl {
	const char *name;
	int store;           /* LIMBO_D_* */
	LimboType *ty;       /* type (for TYPE: the type named) */
	LimboDecl *next;     /* next in the list it belongs to */
	LimboDecl *dot;      /* adt or module this is a member of, or NULL */
	const LimboNode *node; /* declaring node, for lazy resolution */
	const char *file;
	int line;
	int self;            /* ARG: `self Adt` (signature letter S) */
	int cyc;             /* FIELD: cyclic (signature letter y) */
	int offset;          /* FIELD ARG LOCAL GLOBAL: byte offset */
	int state;           /* 0 unresolved, 1 resolving, 2 done */
	int isconst;         /* CONST: value known (ival/rval/sval) */
	int64_t ival;
	double rval;
	LimboDecl *imp;      /* IMPORT: the module member imported */
	LimboType *impmod;   /* IMPORT: the module type it comes from */
};

/* One scope entry; scopes are chains, the file scope a hash table. */
typedef struct LimboSym {
	const char *name;
	LimboDecl *d;
	struct LimboSym *next;
} LimboSym;

enum { LIMBO_GLOBAL_BUCKETS = 2048, LIMBO_MAX_SIGS = 4096, LIMBO_MAX_DEPTH = 256 };

typedef LimboSig LimboSigRec;

typedef struct LimboChecker {
	LimboUnit *u;
	LimboArena *a;
	LimboSym *global[LIMBO_GLOBAL_BUCKETS];
	LimboSym *local;     /* innermost first; scopes delimited by marks */
	LimboType *impl[8];  /* the modules implemented */
	int nimpl;
	LimboType *fnty;     /* function being checked (for return) */
	LimboDecl *fnadt;    /* its adt, for Adt.f bodies */
	int depth;           /* expression nesting, bounded */
	LimboDecl *ctx[LIMBO_MAX_DEPTH]; /* adts or modules whose names come first */
	int nctx;
	int iota;            /* in a con decl with iota: its value, else -1 */
	int callee;          /* the name being checked is called, not a value */
	int selfimport;      /* a function was used as a value: the module imports itself */
	struct {             /* statements break and continue may leave */
		const char *label;
		int loop;        /* 1 for, while, do; 2 an exception handler's
		                    arms; 0 case, alt, pick */
		const LimboNode *node; /* the statement, for its label's line */
	} targets[LIMBO_MAX_DEPTH];
	int ntargets;
	LimboType *t_error, *t_none, *t_int, *t_big, *t_byte, *t_real, *t_string,
		*t_nil, *t_any, *t_exception;
	LimboSigRec *sigs;   /* malloc'd */
	int nsigs, capsigs;
	LimboType **used;    /* types of other modules' functions used (malloc'd) */
	int nused, capused;
} LimboChecker;

/* expfmt.c: n as Inferno's messages quote it ('exp', into s, at most len
 * bytes); an arm's qualifiers joined by " or "; "FILE:LINE" of n; and
 * "'exp' of type t". Each returns s. */
const char *limbo_expstr(const LimboNode *n, char *s, size_t len);
const char *limbo_qualstr(const LimboNode *quals, char *s, size_t len);
const char *limbo_where(const LimboNode *n, char *s, size_t len);
const char *limbo_etstr(const LimboNode *n, const LimboType *t, char *s, size_t len);
/* An arm, quoted as "'quals =>body'". */
const char *limbo_armstr(const LimboNode *arm, char *s, size_t len);

/* What break and continue may leave (LimboChecker.targets[].loop). */
enum { LIMBO_TGT_SWITCH, LIMBO_TGT_LOOP, LIMBO_TGT_HANDLER };

/* fold.c: the value of constant expression n (a new string from + goes
 * in arena a; with a NULL, + of strings does not fold); 0 if n is not
 * constant. */
enum { LIMBO_C_NONE, LIMBO_C_INT, LIMBO_C_REAL, LIMBO_C_STRING };
typedef struct LimboConst {
	int kind;            /* LIMBO_C_* */
	int64_t i;
	double r;
	const char *s;       /* STRING: bytes (the tree's or the arena's), len */
	size_t len;
} LimboConst;
int limbo_fold(LimboArena *a, const LimboNode *n, LimboConst *v);

/* types.c */
LimboType *limbo_ty_new(LimboChecker *c, int kind, LimboType *of);
LimboDecl *limbo_decl_new(LimboChecker *c, const char *name, int store, LimboType *ty,
                          const LimboNode *at);
int limbo_ty_equal(const LimboType *a, const LimboType *b);
/* Can a value of type from be assigned where to is wanted (nil, error). */
int limbo_ty_assignable(const LimboType *to, const LimboType *from);
/* Writes the type as Limbo spells it ("array of byte") into buf. */
const char *limbo_ty_str(const LimboType *t, char *buf, size_t n);
/* Dis layout: sizes and alignment of t and its fields. */
void limbo_ty_size(LimboType *t);
/* Frame bytes 0..31 hold Dis's registers and temporaries; arguments start
 * at MaxTemp. */
enum { LIMBO_MAXTEMP = 32 };
/* Sets each parameter's frame offset; returns the end of the arguments. */
int limbo_fn_frame(LimboType *fn);
/* Signature string (arena); ac_sig_hash gives its 32-bit hash. */
const char *limbo_ty_sigstr(LimboChecker *c, const LimboType *t);
/* A module's interface as Inferno's compiler orders it (mkiface): with
 * store LIMBO_D_FN its functions, those of the adts it declares included
 * (where the adt is declared), sorted by name, equal names in that order;
 * with LIMBO_D_GLOBAL its variables, sorted. Fills out (up to max) and
 * returns how many. */
enum { LIMBO_MAX_IFACE = 1024 };
int limbo_iface(const LimboType *mod, int store, LimboDecl **out, int max);
/* The signature string of a module's data, its ".mp" link ("name:type;"
 * for each variable, sorted), or NULL if it has none. */
const char *limbo_mp_sigstr(LimboChecker *c, const LimboType *mod);
int limbo_ty_isptr(const LimboType *t);
int limbo_ty_isnum(const LimboType *t);

/* decls.c */
void limbo_scope_push(LimboChecker *c, LimboSym **mark);
void limbo_scope_pop(LimboChecker *c, LimboSym *mark);
void limbo_declare(LimboChecker *c, LimboDecl *d, int global);
LimboDecl *limbo_lookup(LimboChecker *c, const char *name);
LimboType *limbo_type_resolve(LimboChecker *c, const LimboNode *n);
LimboDecl *limbo_member(LimboType *t, const char *name);
void limbo_decl_resolve(LimboChecker *c, LimboDecl *d);
void limbo_check_decls(LimboChecker *c, const LimboNode *root);
void limbo_sig_add(LimboChecker *c, const char *module, const char *name, LimboType *fnty,
                   int exported);
/* The same with the signature string given (fnty unused when str is not
 * NULL): ".mp", a module's data, is signed as its variables. */
void limbo_sig_addstr(LimboChecker *c, const char *module, const char *name, LimboType *fnty,
                      const char *str, int exported);

/* expr.c */
LimboType *limbo_exp(LimboChecker *c, const LimboNode *n, int *isconst);
void limbo_exp_want(LimboChecker *c, const LimboNode *n, LimboType *want, const char *what);
int limbo_exp_islval(LimboChecker *c, const LimboNode *n);
/* Declares the names on the left of := with the types of right. */
void limbo_declas(LimboChecker *c, const LimboNode *left, LimboType *t);

/* stmt.c */
void limbo_check_fn(LimboChecker *c, const LimboNode *fndef);
/* After every body: functions with a result that run off their end. */
void limbo_check_returns(LimboChecker *c, const LimboNode *root);

#define CK_ERR(c, n, ...) limbo_diag((c)->u, (n)->file, (n)->line, __VA_ARGS__)

#endif
