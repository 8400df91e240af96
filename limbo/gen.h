/*
 * The code generator's private declarations: the module being built
 * (instructions, type descriptors, module data, links, imports), shared by
 * limbo/gen.c (statements and expressions to Dis instructions) and
 * limbo/genout.c (writing it as `limbo -S` assembly or as a .dis file).
 *
 * Follows: the Dis VM specification (doc/dis.ms), the object file as
 * inferno-os libinterp/load.c reads it (shared/dis-facts.md).
 */
#ifndef LIMBO_GEN_H
#define LIMBO_GEN_H

#include "limbo/limbo_impl.h"

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
} GOpd;

typedef struct GInst {
	int op;          /* DIS_OP_* */
	GOpd s, m, d;    /* branch targets: d = $pc */
} GInst;

enum { G_MAXWORDS = 4096 };

/* A type descriptor: size in bytes and which words hold pointers. */
typedef struct GDesc {
	int size;
	uint8_t ptr[G_MAXWORDS / 8]; /* bit per word, MSB first */
} GDesc;

/* Module data: a string constant at an mp offset. */
typedef struct GStr {
	const char *s;
	size_t len;
	int off;
} GStr;

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
	const char *module;
	GImpFn fn[64];
	int nfn;
} GImport;

typedef struct GMod {
	const char *name;    /* module implemented */
	const char *srcpath;
	GInst *inst;
	int ninst, capinst;
	GDesc *desc;
	int ndesc, capdesc;
	GStr str[256];
	int nstr;
	int mpsize;          /* bytes of module data */
	GLink link[64];
	int nlink;
	GImport imp[16];
	int nimp;
	int entry_pc, entry_desc;
} GMod;

/* genout.c */
int limbo_gen_asm(const GMod *m, FILE *out);
int limbo_gen_dis(const GMod *m, uint8_t **out, size_t *len, AcErr *err);

#endif
