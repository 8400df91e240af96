/*
 * limbo internals: the arena, the unit, the lexer and the parser state.
 */
#ifndef LIMBO_LIMBO_IMPL_H
#define LIMBO_LIMBO_IMPL_H

#include <stdint.h>

#include "limbo/ast.h"

/* A bump allocator: the tree is built once and freed at once. */
typedef struct LimboChunk LimboChunk;
typedef struct LimboArena {
	LimboChunk *head;  /* newest chunk first */
	int nomem;         /* an allocation failed */
} LimboArena;

/* Zeroed memory from the arena, or NULL (and a->nomem set). */
void *limbo_arena_alloc(LimboArena *a, size_t n);
char *limbo_arena_strndup(LimboArena *a, const char *s, size_t n);
void limbo_arena_free(LimboArena *a);

struct LimboUnit {
	LimboArena arena;
	LimboNode *root;   /* PROGRAM */
	char **errs;       /* "FILE:LINE: message", malloc'd */
	int nerrs, caperrs;
	int max_errors;
	int stopped;       /* hit max_errors: "too many errors" was added */
	int nomem;         /* a diagnostic could not be stored */
	LimboSig *sigs;    /* limbo_check's signatures (malloc'd) */
	int nsigs;
	const char **linkall; /* modules imported whole (malloc'd; names in the arena) */
	int nlinkall;
	int checked;       /* limbo_check ran */
};

/* Adds "file:line: message" to u's diagnostics (up to its cap). */
void limbo_diag(LimboUnit *u, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A token. Text lives in the arena. */
typedef struct LimboToken {
	int kind;          /* LimboTok */
	const char *file;  /* file it came from */
	int line;
	const char *text;  /* ID name; SCONST bytes; INCLUDE_DONE path written */
	size_t len;        /* SCONST length */
	int64_t ival;      /* ICONST */
	double rval;       /* RCONST */
	const char *path;  /* INCLUDE_DONE: file opened, or NULL if not found */
} LimboToken;

/* One file being read. */
typedef struct LimboSrc {
	const char *name;  /* as diagnostics print it (arena) */
	char *buf;         /* owned copy of the bytes (malloc) */
	size_t len, pos;
	int line;
} LimboSrc;

typedef struct LimboLexer {
	LimboUnit *u;
	const LimboOptions *opt;
	LimboSrc files[LIMBO_MAX_INCLUDE + 1];
	int depth;         /* files[0..depth] are open; files[depth] is read */
	int eof;           /* the main file is done */
} LimboLexer;

/* Starts lexing src (copied) named name. Returns AC_OK or AC_ENOMEM. */
int limbo_lex_open(LimboLexer *lx, LimboUnit *u, const LimboOptions *opt,
                   const char *name, const char *src, size_t len);
/* The next token. At the end of an included file it goes on in the file that
 * included it; `include "f";` is handled here (the file is pushed) and comes
 * back as one INCLUDE_DONE token. Errors go to the unit's diagnostics. */
void limbo_lex_next(LimboLexer *lx, LimboToken *t);
void limbo_lex_close(LimboLexer *lx);

/* Parses a whole unit from an open lexer; sets u->root. */
void limbo_parse_unit(LimboLexer *lx, LimboUnit *u);

#endif
