/*
 * Parser state and helpers shared by parse.c (declarations, statements),
 * parse_exp.c (expressions) and parse_type.c (types). Private to limbo/.
 *
 * A hand-written recursive-descent parser for the grammar of Inferno's
 * limbo.y. Where yacc resolved a choice by LR state the parser looks ahead
 * in a token buffer: `a, b: int` against an expression, a case qualifier
 * `"x" or "y" =>` against a statement.
 */
#ifndef LIMBO_PARSE_H
#define LIMBO_PARSE_H

#include "limbo/limbo_impl.h"

/* Deepest nesting of expressions, types and statements; past it the parse
 * stops with an error rather than exhaust the C stack. */
#define LIMBO_MAX_NEST 1000
/* Longest chain of left-associative operators or postfix forms (a+b+c,
 * a.b.c, f(x)(y)): parsed in a loop, but the tree it makes is as deep, and
 * the passes after the parser walk it recursively. */
#define LIMBO_MAX_LINKS 10000
/* Furthest the parser looks ahead to classify a statement. */
#define LIMBO_MAX_LOOKAHEAD 4096

/* The helpers below are shared between the parser's files; these names
 * give them the component prefix in the archive (house style, Naming). */
#define nv_push limbo_p_nv_push
#define nv_free limbo_p_nv_free
#define tok_at limbo_p_tok_at
#define peekk limbo_p_peekk
#define advance limbo_p_advance
#define accept limbo_p_accept
#define expect limbo_p_expect
#define synerr limbo_p_synerr
#define errat limbo_p_errat
#define enter limbo_p_enter
#define leave limbo_p_leave
#define enter_link limbo_p_enter_link
#define mk limbo_p_mk
#define mkv limbo_p_mkv
#define mk1 limbo_p_mk1
#define mk2 limbo_p_mk2
#define mkname limbo_p_mkname
#define parse_exp limbo_p_parse_exp
#define parse_unary limbo_p_parse_unary
#define parse_qual limbo_p_parse_qual
#define parse_quals limbo_p_parse_quals
#define parse_type limbo_p_parse_type
#define parse_types_bracket limbo_p_parse_types_bracket
#define parse_fntype limbo_p_parse_fntype
#define parse_polydec limbo_p_parse_polydec
#define parse_ids limbo_p_parse_ids
#define parse_tpolys limbo_p_parse_tpolys
#define parse_block limbo_p_parse_block
#define starts_monexp limbo_p_starts_monexp

typedef struct Parser {
	LimboLexer *lx;
	LimboUnit *u;
	LimboArena *a;
	LimboToken *buf;      /* lookahead tokens; buf[head] is the current one */
	size_t head, n, cap;
	int prev;             /* kind of the token consumed last */
	long consumed;        /* tokens consumed so far (progress checks) */
	int depth;            /* current nesting, against LIMBO_MAX_NEST */
	int links;            /* open operator chains' length, against LIMBO_MAX_LINKS */
	int nerr;             /* syntax errors reported by the parser */
	const char *errfile;  /* where the last error was, to drop cascades */
	int errline;
	LimboNode dummy;      /* handed out when the arena is exhausted */
	LimboNode *dummykids[8];
} Parser;

/* A growable list of nodes, turned into a node's children at the end. */
typedef struct NodeVec {
	LimboNode **v;
	int n, cap;
	int nomem;
} NodeVec;

void nv_push(NodeVec *v, LimboNode *n);
void nv_free(NodeVec *v);

/* Token access. */
const LimboToken *tok_at(Parser *p, size_t k);  /* k tokens ahead */
int peekk(Parser *p, size_t k);                 /* kind k tokens ahead */
#define TOK(p) (tok_at((p), 0))
#define KIND(p) (peekk((p), 0))
void advance(Parser *p);
int accept(Parser *p, int kind);                /* consume if it is kind */
int expect(Parser *p, int kind);                /* consume or report */

/* Errors: "syntax error near `tok`: what" at the current token, once per
 * line. */
void synerr(Parser *p, const char *what);
void errat(Parser *p, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Nesting guard: 0 when too deep (the parse then stops). */
int enter(Parser *p);
void leave(Parser *p);
int enter_link(Parser *p);  /* one more link in a chain; 0 when too long */

/* Node construction; never NULL (the parser's dummy stands in when memory
 * runs out, and the unit is then discarded). */
LimboNode *mk(Parser *p, int kind, const LimboToken *at, int nkids);
LimboNode *mkv(Parser *p, int kind, const LimboToken *at, NodeVec *kids, int prefix);
LimboNode *mk1(Parser *p, int kind, const LimboToken *at, LimboNode *a);
LimboNode *mk2(Parser *p, int kind, const LimboToken *at, LimboNode *a, LimboNode *b);
LimboNode *mkname(Parser *p, const LimboToken *t);

/* Grammar pieces used across files. */
LimboNode *parse_exp(Parser *p);
LimboNode *parse_unary(Parser *p);
LimboNode *parse_qual(Parser *p);
LimboNode *parse_quals(Parser *p);
LimboNode *parse_type(Parser *p);
LimboNode *parse_types_bracket(Parser *p, LimboNode *t); /* [types] onto t */
LimboNode *parse_fntype(Parser *p, const LimboToken *at, int allow_for);
LimboNode *parse_polydec(Parser *p);                     /* [ids] or NULL */
LimboNode *parse_ids(Parser *p, int allow_nil);
LimboNode *parse_tpolys(Parser *p);                      /* after for { */
LimboNode *parse_block(Parser *p);
int starts_monexp(int kind);

#endif
