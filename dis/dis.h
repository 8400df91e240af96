/*
 * dis: the Dis object file format. Reads and validates .dis files, writes
 * them back byte for byte, assembles the assembly language that Inferno's
 * `limbo -S` writes, and prints a module back as that assembly.
 *
 * Follows: Dis VM Specification (doc/dis.ms in inferno-os/inferno-os),
 * "Object file format"; the import, handler and source-path sections as
 * Inferno's libinterp/load.c parses them (shared/dis-facts.md).
 */
#ifndef DIS_DIS_H
#define DIS_DIS_H

#include <stdint.h>
#include <stdio.h>

#include "base/base.h"

/* Opcodes, in include/isa.h order. */
enum {
#define X(e, name, dstpc, form) DIS_OP_##e,
#include "dis/ops.def"
#undef X
	DIS_NOPS
};

enum {
	DIS_XMAGIC = 819248, /* ordinary module */
	DIS_SMAGIC = 923426, /* signed module: a signature block follows */
};

/* Runtime flags in the header. */
enum {
	DIS_MUSTCOMPILE = 1 << 0,
	DIS_DONTCOMPILE = 1 << 1,
	DIS_SHAREMP = 1 << 2,
	DIS_DYNMOD = 1 << 3,
	DIS_HASLDT0 = 1 << 4, /* obsolete; rejected */
	DIS_HASEXCEPT = 1 << 5,
	DIS_HASLDT = 1 << 6,
};

/* Operand addressing modes (the addrmode byte). Source and destination use
 * three bits each: DIS_AMP n(mp), DIS_AFP n(fp), DIS_AIMM $n, DIS_AXXX none,
 * DIS_AIND|DIS_AMP n1(n2(mp)), DIS_AIND|DIS_AFP n1(n2(fp)).
 * The middle operand uses bits 7-6: DIS_AXNON none, DIS_AXIMM $n,
 * DIS_AXINF n(fp), DIS_AXINM n(mp). */
enum {
	DIS_AMP = 0, DIS_AFP = 1, DIS_AIMM = 2, DIS_AXXX = 3, DIS_AIND = 4,
	DIS_AMASK = 7,
	DIS_AXNON = 0x00, DIS_AXIMM = 0x40, DIS_AXINF = 0x80, DIS_AXINM = 0xC0,
	DIS_ARM = 0xC0,
};

#define DIS_USRC(add) (((add) >> 3) & DIS_AMASK)  /* source mode of an addrmode byte */
#define DIS_UDST(add) ((add) & DIS_AMASK)         /* destination mode */
#define DIS_UMID(add) ((add) & DIS_ARM)           /* middle mode */

/* Data section item kinds. */
enum {
	DIS_DEFZ = 0, DIS_DEFB = 1, DIS_DEFW = 2, DIS_DEFS = 3, DIS_DEFF = 4,
	DIS_DEFA = 5, DIS_DIND = 6, DIS_DAPOP = 7, DIS_DEFL = 8,
};

/* Frame layout (words of 4 bytes; dis-facts.md "Data layout"). */
enum {
	DIS_REGLINK = 0, DIS_REGFRAME = 1, DIS_REGMOD = 2, DIS_REGTYP = 3, DIS_REGRET = 4,
	DIS_IBY2WD = 4,     /* bytes per word and per pointer */
	DIS_MAXTEMP = 32,   /* first argument/local byte offset in a frame */
};

/* Load-time bounds that keep every address an instruction forms within
 * a pointer's object plus a guard the VM leaves unmapped: the offset n1
 * an indirect operand adds to a pointer, and a type's size (movm, an
 * array element, a frame), each at most DIS_MAX_DISP bytes. Inferno's
 * compiler emits field offsets and sizes of a few kilobytes. */
#define DIS_MAX_DISP (16 << 20)

/* One operand. Direct n(fp)/n(mp): a = n. Immediate $n: a = n.
 * Indirect n1(n2(fp)) or n1(n2(mp)): a = n2 (offset of the pointer word in
 * fp/mp), b = n1 (offset added to the pointer). Unused fields are 0. */
typedef struct DisAddr {
	int32_t a;
	int32_t b;
} DisAddr;

/* One instruction as stored in the file: opcode, addrmode byte, operands.
 * Branch/call/spawn destinations are instruction indices in d.a. */
typedef struct DisInst {
	uint8_t op;   /* DIS_OP_* */
	uint8_t add;  /* addrmode byte */
	DisAddr s, m, d;
} DisInst;

/* A type descriptor: size in bytes and a pointer map, one bit per word,
 * MSB first (bit set = that word holds a pointer). */
typedef struct DisType {
	int32_t id;      /* index as written in the file */
	int32_t size;    /* bytes */
	int32_t nmap;    /* bytes in map */
	uint8_t *map;    /* nmap bytes; owned by the module */
} DisType;

/* One data-section item, kept in file order so the writer reproduces it. */
typedef struct DisData {
	uint8_t kind;    /* DIS_DEF* / DIS_DIND / DIS_DAPOP */
	int32_t count;   /* items (DEFB/DEFW/DEFF/DEFL), bytes (DEFS); for DEFA, DIND
	                  * and DAPOP the ignored count field as written (limbo: 1) */
	int32_t offset;  /* byte offset in mp, or in the current array (after DIND) */
	union {
		uint8_t *bytes;   /* DEFB: count bytes; DEFS: count UTF-8 bytes */
		int32_t *words;   /* DEFW: count words */
		double *reals;    /* DEFF: count reals */
		int64_t *bigs;    /* DEFL: count bigs */
		struct { int32_t type, len; } array; /* DEFA: element type index, length */
		int32_t index;    /* DIND: element index */
	} u;
} DisData;

/* An exported function (link section), or the module data (".mp", pc -1). */
typedef struct DisLink {
	int32_t pc;      /* entry instruction, or -1 */
	int32_t desc;    /* frame type index, or -1 */
	uint32_t sig;    /* type-signature hash */
	char *name;      /* "fn" or "Adt.fn"; owned */
} DisLink;

/* One imported function. */
typedef struct DisImport {
	uint32_t sig;
	char *name;      /* owned */
} DisImport;

/* The functions imported from one module, in the order the code indexes them. */
typedef struct DisImportModule {
	int32_t nfunc;
	DisImport *func; /* nfunc entries; owned */
} DisImportModule;

/* One label of an exception handler: the exception name and its pc. */
typedef struct DisExcLabel {
	char *name;      /* owned */
	int32_t pc;
} DisExcLabel;

/* An exception handler covering instructions [pc1, pc2). */
typedef struct DisHandler {
	int32_t eoff;    /* frame offset of the exception value */
	int32_t pc1, pc2;
	int32_t descid;  /* type of the exception value, or -1 */
	int32_t ne;      /* number of labels that name exceptions (vs strings) */
	int32_t nlab;
	DisExcLabel *lab; /* nlab entries; owned */
	int32_t wildpc;  /* "*" handler pc, or -1 */
} DisHandler;

/* A whole module. All arrays are owned; free with dis_module_free. */
typedef struct DisModule {
	int32_t magic;       /* DIS_XMAGIC or DIS_SMAGIC */
	int32_t siglen;      /* signature block bytes (SMAGIC only) */
	uint8_t *sig;        /* siglen bytes; owned */
	int32_t rt;          /* runtime flags DIS_* */
	int32_t ss;          /* stack extent, bytes */
	int32_t ninst;       /* code size, instructions */
	int32_t data_size;   /* module data (mp) size, bytes */
	int32_t ntype;
	int32_t nlink;
	int32_t entry_pc;    /* -1 if none */
	int32_t entry_type;  /* -1 if none */
	DisInst *inst;       /* ninst */
	DisType *type;       /* ntype, indexed by id */
	int32_t ndata;
	DisData *data;       /* ndata items in file order (no terminator) */
	char *name;          /* module name */
	DisLink *link;       /* nlink */
	int32_t nimport;     /* modules in the import section (HASLDT) */
	DisImportModule *import;
	int32_t nhandler;    /* handlers (HASEXCEPT) */
	DisHandler *handler;
	char *srcpath;       /* source path; may be "" */
} DisModule;

/* Parses and validates a module from len bytes at buf. `name` (a file name)
 * prefixes every error message: "wc.dis: offset 0x1c: bad magic 0x0".
 * Validation: every section complete and consistent with the header,
 * opcodes < DIS_NOPS, addressing modes legal, branch destinations < ninst,
 * n(mp) operands and data items inside data_size, type indices < ntype,
 * type 0 size == data_size, link pcs < ninst, an immediate load import
 * index < nimport, no bytes left over.
 * Returns a new module (caller owns; free with dis_module_free) or NULL with
 * AC_EFORMAT (or AC_ENOMEM) in err. Never reads outside buf. Thread safe. */
DisModule *dis_module_read(const uint8_t *buf, size_t len, const char *name, AcErr *err);

/* Reads and parses the file at path (errors name the path). */
DisModule *dis_module_load(const char *path, AcErr *err);

/* Encodes m with the shortest operand encodings (as Inferno's limbo does).
 * On success *out is a malloc'd buffer the caller frees and *outlen its
 * length in bytes. Returns AC_OK, AC_EINVAL for an unencodable module. */
int dis_module_write(const DisModule *m, uint8_t **out, size_t *outlen, AcErr *err);

/* Writes m to path atomically (nothing left behind on failure). */
int dis_module_save(const DisModule *m, const char *path, AcErr *err);

/* Frees m and everything it owns. Accepts NULL. */
void dis_module_free(DisModule *m);

/* Assembles `limbo -S` assembly (len bytes at src) into a module. Errors are
 * "FILE:LINE: message"; up to several are collected, the first in err.
 * Returns a new module (caller owns) or NULL with AC_EFORMAT. */
DisModule *dis_asm(const char *src, size_t len, const char *filename, AcErr *err);

/* As dis_asm, and also prints every error (up to 20), one "FILE:LINE: message"
 * line each, to diag when diag is not NULL (dis-as uses it). */
DisModule *dis_asm_report(const char *src, size_t len, const char *filename, FILE *diag,
                          AcErr *err);

/* Prints m as assembly that dis_asm turns back into the same bytes. */
int dis_disasm(const DisModule *m, FILE *out, AcErr *err);

/*
 * Signed modules (dis/sign.c). The Dis spec lets a module start with
 * SMAGIC and a signature block; Acheron's block (DIS_SIG_BYTES) is
 *   byte 0       version, 1
 *   bytes 1-7    "ed25519"
 *   bytes 8-15   key id: the first 8 bytes of SHA-256 of the public key
 *   bytes 16-79  Ed25519 signature (libsodium crypto_sign_detached)
 * and the signature covers the module written as an unsigned (XMAGIC)
 * module, so a change to any byte after the block fails verification.
 * Key files are one line of text: NAME.pub "ed25519 <64 hex digits>",
 * NAME.key "ed25519-secret <128 hex digits>" (mode 0600).
 */
enum {
	DIS_SIG_BYTES = 80,
	DIS_PUBKEY_BYTES = 32,
	DIS_SECKEY_BYTES = 64,
	DIS_KEYID_BYTES = 8,
};

typedef struct DisKey {
	uint8_t pub[DIS_PUBKEY_BYTES];
	uint8_t sec[DIS_SECKEY_BYTES];
	int has_sec;          /* loaded from a .key file (or generated) */
	char name[64];        /* file name without directory and extension */
} DisKey;

/* Makes a new Ed25519 key pair. Returns AC_OK or AC_EDEVICE (no entropy). */
int dis_key_generate(DisKey *k, AcErr *err);
/* Writes base.pub and base.key (0600), atomically. Returns AC_EINVAL if
 * either exists and !overwrite, AC_EIO naming the file. */
int dis_key_save(const DisKey *k, const char *base, int overwrite, AcErr *err);
/* Reads a .key (both halves) or .pub file. AC_EIO naming the file if it
 * cannot be read; AC_EFORMAT "FILE: not an Ed25519 key file" for anything
 * but one well-formed line (short, garbled, or a secret key whose public
 * half is not the one its seed makes). */
int dis_key_load(DisKey *k, const char *path, AcErr *err);
/* The key id as 16 hex digits (out: 17 bytes). */
void dis_key_id(const uint8_t pub[DIS_PUBKEY_BYTES], char *out);
/* Signs m in place with k (which must hold the secret half): m becomes
 * SMAGIC with a fresh signature block. */
int dis_module_sign(DisModule *m, const DisKey *k, AcErr *err);

/* Checks only that m carries a well-formed signature block (no key, no
 * cryptography) and writes its key id, 16 hex digits, into id (17 bytes).
 * AC_ESIG "NAME: not signed" or "NAME: unknown signature format". */
int dis_module_sig_id(const DisModule *m, const char *name, char *id, AcErr *err);

/* A trust store: the public keys (*.pub) in a directory. */
typedef struct DisTrust DisTrust;
DisTrust *dis_trust_load(const char *dir, AcErr *err);
void dis_trust_free(DisTrust *t);
/* Checks m's signature against the keys in trust. On success copies the
 * signer's name (the .pub file's name) into signer (64 bytes) and returns
 * AC_OK; otherwise AC_ESIG with "NAME: not signed", "NAME: signed by
 * unknown key ID" or "NAME: signature does not match its contents". */
int dis_module_verify(const DisModule *m, const DisTrust *trust, const char *name, char *signer, AcErr *err);

/* Mnemonic of an opcode ("movw"), or NULL if op >= DIS_NOPS. */
const char *dis_op_name(int op);
/* Opcode for a mnemonic, or -1. */
int dis_op_lookup(const char *name);
/* 1 if op's destination operand is an instruction index. */
int dis_op_dst_is_pc(int op);

#endif
