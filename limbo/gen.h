/*
 * The code generator's private declarations, shared by its files:
 *   gen.c       the module: globals, functions, links, imports, entry;
 *   gen_emit.c  instructions, operands, temporaries, type descriptors,
 *               module data (constants), constant folding;
 *   gen_exp.c   expressions: names, constants, arithmetic, conversions,
 *               conditions, calls, assignments;
 *   gen_data.c  adts, tuples, pick, ref, arrays, slices, lists, strings;
 *   gen_ctl.c   statements: blocks, if, loops, case, alt, spawn, channels,
 *               exceptions, return, exit;
 *   genout.c    writing the module as `limbo -S` assembly or a .dis file.
 *
 * Types come from the checker: every expression node's `ty`, every name's
 * `decl` (limbo/ast.h). Locals get their frame offsets here (decl->offset).
 *
 * Follows: the Dis VM specification (doc/dis.ms), the object file as
 * inferno-os libinterp/load.c reads it (shared/dis-facts.md), and the
 * instruction selection of inferno-os limbo/gen.b, ecom.b, com.b.
 */
#ifndef LIMBO_GEN_H
#define LIMBO_GEN_H

#include "limbo/check.h"

/* Operand modes, as the assembly writes them. */
enum {
	G_NONE, /* no operand */
	G_MP,   /* a(mp) */
	G_FP,   /* a(fp) */
	G_IMM,  /* $a */
	G_IMP,  /* b(a(mp)) */
	G_IFP,  /* b(a(fp)) */
};

typedef struct GOpd {
	int mode;
	int32_t a, b;
	int ldt;         /* $a is an import index, renumbered when the table is
	                    put in Inferno's order: G_LDT_MOD, G_LDT_FN (a
	                    function of import ldtmod), or 0 */
	int ldtmod;
} GOpd;

enum { G_LDT_MOD = 1, G_LDT_FN = 2 };

typedef struct GInst {
	int op;          /* DIS_OP_* */
	GOpd s, m, d;    /* branch targets: d = $pc */
} GInst;

/* A type descriptor: size in bytes and which words hold pointers. */
typedef struct GDesc {
	int size;
	int nmap;        /* bytes of map allocated */
	uint8_t *map;    /* bit per word, MSB first (malloc'd) */
} GDesc;

/* Module data initialisers, written in order. */
enum { GD_STRING, GD_WORDS, GD_REAL, GD_BIG, GD_BYTES, GD_ARRAY, GD_INDIR, GD_APOP };
typedef struct GData {
	int kind;
	int off;         /* mp offset (ARRAY INDIR: of the array pointer) */
	const char *s;   /* STRING: bytes (arena or static) */
	size_t len;      /* STRING: bytes; WORDS BYTES: count */
	int64_t *w;      /* WORDS BYTES: values (malloc'd) */
	double r;        /* REAL */
	int64_t v;       /* BIG; ARRAY: length; INDIR: index */
	int desc;        /* ARRAY: element descriptor */
	int nested;      /* inside an array: off is from its first element */
	int isvar;       /* a global's initial value, not a shared constant */
} GData;

typedef struct GLink {
	const char *name;
	int pc, desc;
	uint32_t sig;
} GLink;

typedef struct GImpFn {
	const char *name;
	uint32_t sig;
} GImpFn;

/* The functions imported from one module type (one ldt entry). */
typedef struct GImport {
	LimboType *mod;  /* module type */
	GImpFn *fn;
	int nfn, capfn;
} GImport;

/* An exception handler: pcs [pc1, pc2) are covered; the exception value
 * is stored at frame offset eoff. */
typedef struct GHandler {
	int pc1, pc2, eoff, desc, ne;
	int nlab;
	const char **lab; /* labels; "*" as a label is written quoted */
	int *labpc;
	int dflt;        /* pc of `* =>`, or -1 */
} GHandler;

typedef struct GMod {
	const char *name;    /* module implemented */
	const char *srcpath;
	GInst *inst;
	int ninst, capinst;
	GDesc *desc;
	int ndesc, capdesc;
	GData *data;
	int ndata, capdata;
	int mpsize;          /* bytes of module data */
	GLink *link;
	int nlink, caplink;
	GImport *imp;
	int nimp, capimp;
	GHandler *hand;
	int nhand, caphand;
	int entry_pc, entry_desc;
	struct {             /* where each function starts, for -S readers */
		int pc;
		const char *name;
	} *fnstart;
	int nfnstart, capfnstart;
} GMod;

/* A function of this module, by its declaration. */
typedef struct GFn {
	LimboDecl *decl;
	const LimboNode *def;  /* FNDEF, or NULL while undefined */
	int pc;                /* -1 until generated */
	int desc;              /* frame descriptor */
	int inl;               /* inlined at calls: 0 not known yet, 1 yes, -1 no */
	int asvalue;           /* used as a value somewhere: never inlined */
	const LimboNode *inl_c, *inl_e1, *inl_e2; /* inlined body (gen_inline.c) */
} GFn;

/* A parameter of a function being inlined: its argument expression, or
 * the temporary the argument was evaluated into. */
typedef struct GSubst {
	LimboDecl *d;          /* the parameter as the body names it */
	const LimboNode *arg;
	LimboType *t;
	GOpd tmp;
	int hastmp;
} GSubst;

enum { G_MAXSUBST = 256, G_MAXEXC = 64 };

/* A call or spawn whose target pc is not known yet. */
typedef struct GFix {
	int inst;
	GFn *fn;
} GFix;

/* A temporary frame slot. */
typedef struct GTmp {
	int off, size;
	uint32_t ptrs;       /* fingerprint of its pointer words */
	LimboType *t;        /* a type with that layout */
	int busy;
} GTmp;

/* A loop or labelled statement that break/continue may leave. */
typedef struct GJumps {
	int *at;
	int n, cap;
} GJumps;

typedef struct GLoop {
	const char *label;
	int iscase;          /* case/alt/pick: break only */
	GJumps brk, cont;
} GLoop;

enum { G_MAXLOOPS = 128 };

typedef struct G {
	LimboUnit *u;
	GMod *m;
	const LimboNode *root;
	LimboType *impl;     /* the module type implemented */
	GFn *fns;
	int nfns, capfns;
	GFix *fix;
	int nfix, capfix;
	/* the function being generated */
	GFn *cur;
	LimboType *fnty;
	int framedesc;
	int frameoff;        /* next free frame byte */
	GTmp *tmp;
	int ntmp, captmp;
	int *busy;           /* stack of busy temp indices */
	int nbusy, capbusy;
	GLoop loops[G_MAXLOOPS];
	int nloops;
	struct {             /* handler arms being generated, innermost last: a
	                        bare `raise` raises the exception of its arm */
		int eoff;        /* frame word holding the exception (a pointer) */
		LimboDecl *bound; /* the arm's name, when its value was copied */
	} exc[G_MAXEXC];
	int nexc;
	GSubst subst[G_MAXSUBST]; /* parameters of the calls being inlined */
	int nsubst;
	int nilmp;           /* mp offset of a nil word, or -1 */
	int failed;
	int nomem;
	int spawn;           /* limbo_cg_call: spawn the call (gen_ctl.c) */
} G;


extern const GOpd limbo_cg_none;

/* gen_emit.c: instructions and operands */
GOpd limbo_cg_opd(int mode, int32_t a, int32_t b);
int limbo_cg_emit(G *g, int op, GOpd s, GOpd m, GOpd d);
/* A branch to patch: returns the instruction index. */
int limbo_cg_branch(G *g, int op, GOpd s, GOpd m);
void limbo_cg_patch(G *g, int at, int pc);
void limbo_cg_jumps_add(G *g, GJumps *j, int at);
void limbo_cg_jumps_patch(G *g, GJumps *j, int pc);
int limbo_cg_pc(G *g);
/* "FILE:LINE: not implemented yet: what"; the generation fails. */
void limbo_cg_notimpl(G *g, const LimboNode *n, const char *what);
void limbo_cg_error(G *g, const LimboNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int limbo_cg_same(GOpd a, GOpd b);
/* The word off bytes into what the direct pointer word p points at. */
GOpd limbo_cg_ind(GOpd p, int off);
/* Types of one int word and one pointer word, for temporaries. */
extern LimboType limbo_cg_t_int, limbo_cg_t_ptr;
/* o moved on by off bytes (a field of the value at o). */
GOpd limbo_cg_offset(GOpd o, int off);
int limbo_cg_isind(GOpd o);

/* types */
int limbo_cg_isptr(const LimboType *t);
/* Strips NIL/ANY/ERROR to a pointer word; REF to pick: unchanged. */
int limbo_cg_movop(const LimboType *t);
int limbo_cg_size(LimboType *t);
/* Marks the pointer words of a value of type t at byte off in d. */
void limbo_cg_ptrmap(G *g, GDesc *d, LimboType *t, int off);
/* A descriptor for heap values of type t (deduplicated). */
int limbo_cg_tydesc(G *g, LimboType *t);
int limbo_cg_newdesc(G *g, int size);
/* The descriptor equal to d (size and map) that is not a frame's, or a new
 * one; takes d's map. */
int limbo_cg_desc_intern(G *g, GDesc *d);
/* Does a value of type t hold references (movmp rather than movm)? */
int limbo_cg_hasptrs(G *g, LimboType *t);
void limbo_cg_markptr(G *g, GDesc *d, int off);
int limbo_cg_typemaps_equal(const GDesc *a, const GDesc *b);
/* Copies a value of type t from s to d (movw, movp, movm, movmp...). */
void limbo_cg_move(G *g, LimboType *t, GOpd s, GOpd d);

/* frame slots */
GOpd limbo_cg_tmp(G *g, LimboType *t);
GOpd limbo_cg_tmpword(G *g, int ptr);
int limbo_cg_tmpmark(G *g);
/* Is o a temporary taken since mark (so the expression owns it)? */
int limbo_cg_tmp_since(G *g, int mark, GOpd o);
void limbo_cg_tmprelease(G *g, int mark);
/* A fresh frame slot for a local of type t (never reused). */
int limbo_cg_local(G *g, LimboType *t, const LimboNode *at);
/* A value usable as a middle operand (direct): copied to a temp if not. */
GOpd limbo_cg_direct(G *g, LimboType *t, GOpd o);
/* A pointer value usable as the base of an indirect operand. */
GOpd limbo_cg_base(G *g, GOpd o);

/* module data */
int limbo_cg_mpalloc(G *g, int size, int align);
GOpd limbo_cg_nil(G *g);
GOpd limbo_cg_mpstring(G *g, const char *s, size_t len);
GOpd limbo_cg_mpreal(G *g, double r);
GOpd limbo_cg_mpbig(G *g, int64_t v);
GOpd limbo_cg_mpword(G *g, int32_t w);
GOpd limbo_cg_mpwords(G *g, const int64_t *w, int n);
void limbo_cg_data(G *g, GData d);

/* gen_init.c: a global's constant initial value (arrays of constants,
 * tuples and adts of constants too) as module data; 0 if not constant. */
int limbo_cg_global_init(G *g, const LimboNode *e, LimboType *t, int off);

/* constants */
int limbo_cg_fold(G *g, const LimboNode *n, LimboConst *c);
/* A constant as an operand of type t. */
GOpd limbo_cg_constopd(G *g, const LimboConst *c, LimboType *t);

/* gen.c: sets the mp offsets of a module type's variables (in the order
 * declared), as its implementation lays them out first in its data. */
void limbo_cg_modvars(LimboType *mod);

/* gen_exp.c: expressions */
/* Evaluates n; the result is in *dst when dst is given (and returned),
 * else wherever it is: a variable, a constant, a temp. */
GOpd limbo_cg_exp(G *g, const LimboNode *n, const GOpd *dst);
/* v (of type t) moved to *dst when dst is given, else v itself. */
GOpd limbo_cg_deliver(G *g, LimboType *t, GOpd v, const GOpd *dst);
/* The same, converting a constant to type t (int 1 where big is wanted). */
GOpd limbo_cg_expt(G *g, const LimboNode *n, LimboType *t, const GOpd *dst);
/* The address of an lvalue. */
GOpd limbo_cg_lval(G *g, const LimboNode *n);
/* Branches to a patch list when n is (tf=1) true or (tf=0) false. */
void limbo_cg_cond(G *g, const LimboNode *n, int tf, GJumps *j);
/* Assigns the value of r (type t) to lvalue l, tuples of lvalues too. */
void limbo_cg_assign_to(G *g, const LimboNode *l, LimboType *t, GOpd r);
GOpd limbo_cg_call(G *g, const LimboNode *n, const GOpd *dst);
/* A call's result: the callee stores it through REGRET of the frame at fr
 * into a direct slot (a temp when rt has no value); limbo_cg_call_result
 * then delivers it to dst. */
GOpd limbo_cg_result_slot(G *g, LimboType *rt, const GOpd *dst, GOpd fr);
GOpd limbo_cg_call_result(G *g, LimboType *rt, GOpd r, const GOpd *dst);
/* Stores call n's arguments (from kid first) into the frame at fr. */
void limbo_cg_store_args(G *g, const LimboNode *n, int first, LimboType *fnty, const LimboNode *selfn, GOpd fr);
int limbo_cg_ldt(G *g, LimboType *mod, const char *fn, uint32_t sig, const LimboNode *at);
/* $i for import ldt, and $k for function k of import ldt: operands that
 * limbo_cg_ldt_order renumbers. */
GOpd limbo_cg_ldtmod(int ldt);
GOpd limbo_cg_ldtfn(int ldt, int k);
/* Puts the import table in the order Inferno's compiler writes it: the
 * modules sorted by name, each one's functions in its interface's order
 * (sorted by name), a module imported whole (u->linkall) with every
 * function; renumbers the operands that index it. */
void limbo_cg_ldt_order(G *g);
/* Puts the exports in Inferno's order: the implemented module's interface
 * (limbo_iface), then the functions exported because they are used as
 * values, sorted by name. */
void limbo_cg_link_order(G *g);
/* This module as `load` of "$self" gives it (import entry ldt): a module
 * data word, loaded the first time the code gets there. */
GOpd limbo_cg_self_module(G *g, int ldt);
/* The hidden (module, link index) arguments of polymorphic function fn of
 * type t for its constraints, after its arguments ending at end: marked in
 * its frame descriptor; returns where they end. */
int limbo_cg_hidden_args(G *g, LimboDecl *fn, LimboType *t, int end);
GFn *limbo_cg_fn(G *g, LimboDecl *d);
/* The function d when this file defines it, else NULL (another module's). */
GFn *limbo_cg_ours(G *g, LimboDecl *d);
uint32_t limbo_cg_sig(G *g, const char *module, const char *name, int exported, int *found);
/* Declares the locals on the left of := and stores r's parts in them. */
void limbo_cg_declare(G *g, const LimboNode *l, LimboType *t, GOpd r);

/* gen_inline.c: small functions inlined at their calls, as Inferno's
 * compiler does. prepare marks the functions used as values; inline_call
 * returns 1 with the call's value in *res when it inlined n (a call of d,
 * with selfn its self argument or NULL); subst_of finds a parameter of an
 * inlined call. */
void limbo_cg_inline_prepare(G *g);
int limbo_cg_inline_call(G *g, const LimboNode *n, LimboDecl *d, const LimboNode *selfn,
                         const GOpd *dst, GOpd *res);
const GSubst *limbo_cg_subst_of(G *g, LimboDecl *d);

/* gen_data.c: adts, tuples, pick, arrays, lists, strings */
GOpd limbo_cg_dot(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_dot_lval(G *g, const LimboNode *n);
GOpd limbo_cg_index(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_index_lval(G *g, const LimboNode *n);
/* s[i] = c for a string s. */
void limbo_cg_string_store(G *g, const LimboNode *l, GOpd c);
GOpd limbo_cg_slice(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_slice_assign(G *g, const LimboNode *l, const LimboNode *r);
GOpd limbo_cg_tuple(G *g, const LimboNode *n, LimboType *t, const GOpd *dst);
GOpd limbo_cg_construct(G *g, const LimboNode *n, const GOpd *dst); /* Adt(...), Tag(...) */
GOpd limbo_cg_ref(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_arraynew(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_listnew(G *g, const LimboNode *n, const GOpd *dst);
GOpd limbo_cg_cons(G *g, const LimboNode *n, const GOpd *dst);
void limbo_cg_pick(G *g, const LimboNode *n);

/* gen_stmt.c: statements */
void limbo_cg_stmt(G *g, const LimboNode *n);
/* A case, alt or pick (named by n's label): `break` leaves it; limbo_cg_loop_end
 * patches the breaks to the pc it is called at. */
void limbo_cg_loop_begin(G *g, const LimboNode *n);
void limbo_cg_loop_end(G *g);

/* gen_ctl.c: case, alt, spawn, channels, exceptions, function values */
GOpd limbo_cg_recv(G *g, const LimboNode *n, const GOpd *dst);
void limbo_cg_send(G *g, const LimboNode *n);
GOpd limbo_cg_channew(G *g, const LimboNode *n, const GOpd *dst);
void limbo_cg_spawn(G *g, const LimboNode *n);
void limbo_cg_alt(G *g, const LimboNode *n);
void limbo_cg_case(G *g, const LimboNode *n);
void limbo_cg_except(G *g, const LimboNode *n);
void limbo_cg_raise(G *g, const LimboNode *n);
GOpd limbo_cg_fnref(G *g, const LimboNode *n, const GOpd *dst);

/* genout.c */
int limbo_gen_asm(const GMod *m, FILE *out);
int limbo_gen_dis(const GMod *m, uint8_t **out, size_t *len, AcErr *err);

#endif
