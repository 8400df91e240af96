/*
 * The Limbo syntax tree, shared by the parser and the passes after it (type
 * checker, code generator). Private to limbo/.
 *
 * Every node has a kind, the file and line it starts on, and an array of
 * children whose meaning depends on the kind (the table below). A child slot
 * that is optional holds NULL when absent, so positions never shift.
 * Operators keep the token that wrote them in `op`, so one BINOP kind covers
 * + - * ... and the tables of the passes index by token.
 * Nodes, names and strings live in the unit's arena and die with it.
 *
 * Follows: Inferno's limbo.y for the grammar; its Node/Op design, minus the
 * Oseq chains (children are arrays here, which the dumper and the passes
 * walk without rotating lists).
 */
#ifndef LIMBO_AST_H
#define LIMBO_AST_H

#include <stdint.h>

#include "limbo/limbo.h"

/*
 * Tokens: X(name, text). Literals and names first, then keywords (text is
 * the keyword), then operators. The lexer's keyword table is built from the
 * KW range, so adding a keyword is one line here.
 */
#define LIMBO_TOKENS(X) \
	X(EOF, "end of file") \
	X(ID, "identifier") \
	X(ICONST, "integer constant") \
	X(RCONST, "real constant") \
	X(SCONST, "string constant") \
	X(INCLUDE_DONE, "include") \
	/* keywords */ \
	X(ADT, "adt") X(ALT, "alt") X(ARRAY, "array") X(BIG, "big") \
	X(BREAK, "break") X(BYTE, "byte") X(CASE, "case") X(CHAN, "chan") \
	X(CON, "con") X(CONTINUE, "continue") X(CYCLIC, "cyclic") X(DO, "do") \
	X(DYNAMIC, "dynamic") X(ELSE, "else") X(EXCEPTION, "exception") \
	X(EXIT, "exit") X(FIXED, "fixed") X(FN, "fn") X(FOR, "for") X(HD, "hd") \
	X(IF, "if") X(IMPLEMENT, "implement") X(IMPORT, "import") \
	X(INCLUDE, "include") X(INT, "int") X(LEN, "len") X(LIST, "list") \
	X(LOAD, "load") X(MODULE, "module") X(NIL, "nil") X(OF, "of") X(OR, "or") \
	X(PICK, "pick") X(RAISE, "raise") X(RAISES, "raises") X(REAL, "real") \
	X(REF, "ref") X(RETURN, "return") X(SELF, "self") X(SPAWN, "spawn") \
	X(STRING, "string") X(TAGOF, "tagof") X(TL, "tl") X(TO, "to") \
	X(TYPE, "type") X(WHILE, "while") \
	/* operators and punctuation */ \
	X(LPAREN, "(") X(RPAREN, ")") X(LBRACK, "[") X(RBRACK, "]") \
	X(LBRACE, "{") X(RBRACE, "}") X(COMMA, ",") X(SEMI, ";") X(COLON, ":") \
	X(DOT, ".") X(TILDE, "~") X(NOT, "!") \
	X(ASSIGN, "=") X(ANDEQ, "&=") X(OREQ, "|=") X(XOREQ, "^=") \
	X(LSHEQ, "<<=") X(RSHEQ, ">>=") X(ADDEQ, "+=") X(SUBEQ, "-=") \
	X(MULEQ, "*=") X(DIVEQ, "/=") X(MODEQ, "%=") X(EXPEQ, "**=") \
	X(DECLAS, ":=") X(OROR, "||") X(ANDAND, "&&") X(CONS, "::") \
	X(OR1, "|") X(XOR, "^") X(AND, "&") X(EQ, "==") X(NEQ, "!=") \
	X(LT, "<") X(GT, ">") X(LEQ, "<=") X(GEQ, ">=") X(LSH, "<<") \
	X(RSH, ">>") X(ADD, "+") X(SUB, "-") X(MUL, "*") X(DIV, "/") \
	X(MOD, "%") X(EXP, "**") X(COMM, "<-") X(INC, "++") X(DEC, "--") \
	X(MDOT, "->") X(LABS, "=>")

typedef enum LimboTok {
#define X(n, s) LIMBO_T_##n,
	LIMBO_TOKENS(X)
#undef X
	LIMBO_NTOKENS
} LimboTok;

#define LIMBO_T_FIRSTKW LIMBO_T_ADT
#define LIMBO_T_LASTKW LIMBO_T_WHILE

/* The spelling of a token kind ("while", "<<=", "identifier"). Static. */
const char *limbo_tok_text(int tok);

/*
 * Node kinds: X(name, children). The children column documents the slots;
 * "..." means a variable tail; "?" marks an optional (NULL) slot.
 */
#define LIMBO_NODES(X) \
	/* declarations */ \
	X(PROGRAM, "decl...") \
	X(IMPLEMENT, "IDS (the modules implemented)") \
	X(INCLUDE, "none; name = path as written, str = path opened") \
	X(IDS, "NAME|NIL... (declared names)") \
	X(VARDECL, "IDS, type, init?") \
	X(CONDECL, "IDS, exp") \
	X(TYPEDECL, "IDS, type") \
	X(IMPORTDECL, "IDS, exp (the module value)") \
	X(EXCDECL, "IDS, TTUPLE? (exception values)") \
	X(MODDECL, "IDS, member...") \
	X(ADTDECL, "IDS, polys IDS?, constraints LIST?, field...") \
	X(FIELD, "IDS, type; flag CYCLIC") \
	X(PICKDECL, "PICKCASE...") \
	X(PICKCASE, "IDS (tags), FIELD...") \
	X(POLYCON, "IDS (type variables), FIELD... (their required members)") \
	X(FNDEF, "name (NAME f, or DOT(NAME Adt, NAME f); each NAME has one kid: the adt's polys IDS?, NULL for f, whose polys are in TFN), TFN, BLOCK") \
	X(LIST, "node... (a plain list)") \
	/* types */ \
	X(TBASIC, "none; op = INT BIG BYTE REAL STRING") \
	X(TNAME, "type args...; name") \
	X(TDOT, "type, type args...; name (type.name)") \
	X(TARROW, "type, type args...; name (type->name)") \
	X(TREF, "type") \
	X(TCHAN, "type") \
	X(TARRAY, "type") \
	X(TLIST, "type") \
	X(TTUPLE, "type...") \
	X(TFN, "params LIST of PARAM, result type?, polys IDS?, constraints LIST?, raises LIST?; flag VARARGS") \
	X(PARAM, "IDS, type; flag SELF (self argument)") \
	X(TFIXED, "scale exp, max exp?") \
	/* statements */ \
	X(BLOCK, "stmt...; ival = line of the closing } (braced blocks)") \
	X(EMPTY, "none (a lone ;)") \
	X(IF, "cond, then, else?") \
	X(FOR, "init?, cond?, step?, body; name = label") \
	X(WHILE, "cond?, body; name = label") \
	X(DO, "body, cond?; name = label") \
	X(BREAK, "none; name = label or NULL") \
	X(CONTINUE, "none; name = label or NULL") \
	X(RETURN, "exp?") \
	X(SPAWN, "call") \
	X(RAISE, "exp?") \
	X(EXIT, "none") \
	X(CASE, "exp, CLAUSE...; name = label") \
	X(ALT, "CLAUSE...; name = label") \
	X(PICK, "NAME, exp, CLAUSE...; name = label") \
	X(EXCEPT, "BLOCK, NAME?, CLAUSE... (block with its handler)") \
	X(CLAUSE, "LIST of qualifiers (exp, RANGE, WILD), BLOCK") \
	X(RANGE, "lo, hi (lo to hi)") \
	X(WILD, "none (*)") \
	/* expressions */ \
	X(NAME, "none; name (in an FNDEF name: one kid, polys IDS?)") \
	X(NIL, "none") \
	X(ICONST, "none; ival") \
	X(RCONST, "none; rval") \
	X(SCONST, "none; str, len (UTF-8, may hold NUL)") \
	X(BINOP, "left, right; op") \
	X(ASSIGN, "left, right; op = ASSIGN or an op= token") \
	X(DECLAS, "left, right (left := right)") \
	X(SEND, "chan, value (chan <-= value)") \
	X(UNOP, "exp; op = SUB NOT TILDE MUL INC DEC COMM HD TL LEN REF TAGOF") \
	X(POSTOP, "exp; op = INC DEC") \
	X(CALL, "fn, arg...") \
	X(DOT, "exp, NAME (exp.name)") \
	X(MDOT, "exp, member (module->member)") \
	X(INDEX, "exp, index... (several: type arguments)") \
	X(SLICE, "exp, lo?, hi?") \
	X(TUPLE, "exp...") \
	X(CAST, "type, exp") \
	X(LOAD, "type, path exp") \
	X(ARRAYNEW, "size?, elem type?, ELEM...; flag INITS when {...} given") \
	X(ELEM, "LIST of qualifiers?, exp (qual => exp, or exp)") \
	X(LISTNEW, "exp... (list of {...})") \
	X(CHANNEW, "size?, elem type") \
	X(TYPEEXP, "type (a type where an index is expected)") \
	X(FNEXP, "none (fn literal; rejected)")

typedef enum LimboNodeKind {
#define X(n, d) LIMBO_N_##n,
	LIMBO_NODES(X)
#undef X
	LIMBO_NNODES
} LimboNodeKind;

/* Node flags. */
enum {
	LIMBO_F_PARENS = 1 << 0,  /* expression was written in parentheses */
	LIMBO_F_CYCLIC = 1 << 1,  /* field or type marked cyclic */
	LIMBO_F_VARARGS = 1 << 2, /* fn type ends in * */
	LIMBO_F_SELF = 1 << 3,    /* parameter declared self */
	LIMBO_F_INITS = 1 << 4,   /* array has an initialiser list */
};

typedef struct LimboNode LimboNode;
struct LimboNode {
	uint16_t kind;        /* LimboNodeKind */
	uint16_t op;          /* LimboTok for operators and TBASIC, else 0 */
	uint32_t flags;       /* LIMBO_F_* */
	const char *file;     /* source file (the included one inside a .m) */
	int line;             /* 1-based line in file */
	int nkids;
	LimboNode **kids;     /* nkids slots, some may be NULL */
	const char *name;     /* identifier, label, include path; else NULL */
	const char *str;      /* SCONST bytes, INCLUDE resolved path */
	size_t len;           /* SCONST length in bytes */
	int64_t ival;         /* ICONST value */
	double rval;          /* RCONST value */
	/* Set by the checker for the code generator (the tree is otherwise
	 * read-only after parsing): */
	struct LimboType *ty;  /* an expression's type; FNDEF: the function's */
	struct LimboDecl *decl; /* NAME: what it denotes or declares; DOT, MDOT:
	                          the member; FNDEF: the function; CALL of a
	                          type or exception: kids[0] the type's decl;
	                          pick/exception arm BLOCK: the bound name */
};

/* The root (a PROGRAM node) of a parsed unit. Borrowed; never NULL. */
const LimboNode *limbo_unit_root(const LimboUnit *u);

/* Name of a node kind ("BINOP"). Static. */
const char *limbo_node_name(int kind);

#endif
