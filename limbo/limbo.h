/*
 * limbo: the Limbo compiler. A lexer and a parser that turn a .b file (and
 * the .m files it includes) into a syntax tree (limbo/ast.h), with
 * "FILE:LINE: message" diagnostics; a type checker; and a code generator
 * for the whole language (limbo_gen), into .dis modules that link with
 * those Inferno's compiler makes.
 *
 * Follows: "The Limbo Programming Language" (doc/limbo/limbo.ms) and its
 * addendum (doc/limbo/addendum.ms) in inferno-os; the grammar accepted is that
 * of Inferno's compiler (appl/cmd/limbo/limbo.y).
 */
#ifndef LIMBO_LIMBO_H
#define LIMBO_LIMBO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"

/* Most diagnostics one parse collects; after that it stops and adds
 * "too many errors". */
#define LIMBO_MAX_ERRORS 50
/* Deepest include nesting; deeper (an include cycle, say) is an error. */
#define LIMBO_MAX_INCLUDE 32

/* What a parse needs besides the source. */
typedef struct LimboOptions {
	const char *const *incdirs; /* -I directories, searched in order after the
	                               including file's own directory and the main
	                               file's; borrowed */
	size_t nincdirs;
	int max_errors;             /* 0 means LIMBO_MAX_ERRORS */
} LimboOptions;

/* One parsed source file: the syntax tree (in an arena) and its diagnostics. */
typedef struct LimboUnit LimboUnit;

/* Parses the Limbo source file at path, following its includes.
 * Syntax and lexical errors do not fail the call: they are collected in the
 * unit (limbo_unit_nerrors), and the tree holds what could be parsed.
 * Ownership: caller owns the unit; free with limbo_unit_free.
 * Errors: returns NULL with AC_EIO if path cannot be read, AC_ENOMEM if
 * memory runs out. Thread safety: independent units may be parsed at once. */
LimboUnit *limbo_parse_file(const char *path, const LimboOptions *opt, AcErr *err);

/* The same for source already in memory; name is what diagnostics call the
 * file and whose directory includes are searched first. src is borrowed and
 * need not be NUL-terminated. */
LimboUnit *limbo_parse_buf(const char *name, const char *src, size_t len,
                           const LimboOptions *opt, AcErr *err);

/* Number of diagnostics, and the i-th as "FILE:LINE: message" (no newline).
 * The string is borrowed from the unit. */
int limbo_unit_nerrors(const LimboUnit *u);
const char *limbo_unit_error(const LimboUnit *u, int i);

/* Writes the tree in a stable text form, one node per line, indented by
 * depth: kind, attributes, then @line (and @file:line where the file
 * changes, as after an include). Returns AC_OK or AC_EIO. */
int limbo_unit_dump(const LimboUnit *u, FILE *out);

/* Type-checks a parsed unit: declarations at file scope, every function
 * body, and the type signatures of the functions the module exports and of
 * those it uses from other modules. Type errors are added to the unit's
 * diagnostics like syntax errors ("FILE:LINE: type mismatch: int and string
 * in +"); the call still succeeds. Check a unit only once.
 * Errors: AC_ENOMEM if memory runs out (diagnostics may be incomplete).
 * Follows: limbo.ms; inferno-os limbo/typecheck.b and types.b. */
int limbo_check(LimboUnit *u, AcErr *err);

/* A type signature computed by limbo_check: for a function the module
 * exports (exported 1; module is the implemented module) or one of another
 * module it uses (exported 0; module is that module's type name). */
typedef struct LimboSig {
	const char *module;   /* "Sys" */
	const char *name;     /* "print", or "Iobuf.gets" for an adt's function */
	const char *str;      /* signature string, "f*(s)i" (see vm/sig.h) */
	uint32_t sig;         /* MD5 of str folded to 32 bits, as in a .dis */
	int exported;
} LimboSig;

/* Number of signatures limbo_check computed, and the i-th. Borrowed from
 * the unit. */
int limbo_unit_nsigs(const LimboUnit *u);
const LimboSig *limbo_unit_sig(const LimboUnit *u, int i);

/* Generates Dis code for a checked unit without errors. Writes `limbo -S`
 * assembly to asmout when it is not NULL, and the .dis bytes to *dis
 * (malloc'd; caller frees) and *dislen when dis is not NULL. srcpath is the
 * source path recorded in the module. Type signatures, module data layout,
 * exception values and the hidden arguments of constrained polymorphic
 * functions are Inferno's, so modules link with those its compiler makes;
 * small functions are inlined where Inferno's compiler inlines them.
 * What the generator cannot compile (man/limbo.1, BUGS) adds
 * "FILE:LINE: not implemented yet: CONSTRUCT" to the unit's diagnostics,
 * and a global initialised with a non-constant value "FILE:LINE:
 * initializer of global x is not a constant expression"; it then fails
 * with AC_EFORMAT and writes nothing.
 * Errors: AC_EINVAL (unit not checked, or with errors), AC_EFORMAT,
 * AC_ENOMEM, AC_EIO (writing asmout).
 * Follows: the Dis VM specification (doc/dis.ms); shared/dis-facts.md for
 * the object file; inferno-os limbo/gen.b, ecom.b, com.b. */
int limbo_gen(LimboUnit *u, const char *srcpath, FILE *asmout, uint8_t **dis, size_t *dislen,
              AcErr *err);

/* Writes the runtime table of builtin module `module`, declared in the
 * checked unit u (its .m file), to out as a C header for the VM
 * (vm/builtin.h), as Inferno's `limbo -t` writes libinterp's runtabs: for
 * each function of the module, those of its adts included ("Adt.fn"), in
 * the interface order Inferno's runtab has (by name), its name, the
 * signature string and hash an importer computes, its frame size and
 * pointer map (0 and none when it is variadic: the caller builds the
 * frame), and the type of every argument (frame offset; kind; element or
 * target type; an adt's or tuple's size, fields and pointer map) and of
 * the result. The C function of each is vm_Module_fn, or vm_Adt_fn for an
 * adt's; the header also defines VM_MODULE_PATH (the module's PATH
 * constant), VM_MODULE_NFUNCS and VM_MODULE_ADT_Name for each adt the
 * module declares. srcname is the file named in the header's comment.
 * Errors: AC_EINVAL (unit not checked or with errors, no such module, too
 * many types), AC_ENOMEM, AC_EIO (writing out).
 * Follows: inferno-os limbo/stubs.c modtab(). */
int limbo_modtab(LimboUnit *u, const char *module, const char *srcname, FILE *out, AcErr *err);

/* Frees the unit, its tree and diagnostics. Accepts NULL. */
void limbo_unit_free(LimboUnit *u);

#endif
