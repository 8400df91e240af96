/*
 * Expressions and positions in messages, as Inferno's compiler writes them
 * (its expconv, etconv and lineconv), so that our diagnostics read as its
 * do: constants folded (a named constant keeps its name), parentheses as
 * written, no spaces around binary operators, at most 10 characters of a
 * string.
 *
 * Follows: inferno-os limbo/nodes.b (expconv) and types.b (etconv).
 */
#include <stdio.h>
#include <string.h>

#include "limbo/check.h"

#define TS(t, b) limbo_ty_str((t), (b), sizeof(b))

typedef struct Buf {
	char *p;
	size_t n, len;   /* capacity, used (always < n, NUL ended) */
} Buf;

static void
put(Buf *b, const char *s, size_t len)
{
	while (len-- > 0 && b->len + 1 < b->n)
		b->p[b->len++] = *s++;
	b->p[b->len] = '\0';
}

static void
puts_(Buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_string(Buf *b, const char *s, size_t len)
{
	size_t runes = 0, i;

	puts_(b, "\"");
	for (i = 0; i < len && runes < 10; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\\': e = "\\\\"; break;
		case '"': e = "\\\""; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\a': e = "\\a"; break;
		case '\v': e = "\\v"; break;
		case '\0': e = "\\0"; break;
		}
		if (e != NULL)
			puts_(b, e);
		else
			put(b, s + i, 1);
		if (i + 1 == len || ((unsigned char)s[i + 1] & 0xc0) != 0x80)
			runes++;
	}
	if (i < len)
		puts_(b, "...");
	puts_(b, "\"");
}

static void put_exp(Buf *b, const LimboNode *n);

static void
put_list(Buf *b, const LimboNode *n, int from, const char *sep)
{
	for (int i = from; i < n->nkids; i++) {
		if (i > from)
			puts_(b, sep);
		put_exp(b, n->kids[i]);
	}
}

static int
isconname(const LimboNode *n)
{
	const LimboDecl *d = n->decl;

	if (d != NULL && d->store == LIMBO_D_IMPORT && d->imp != NULL)
		d = d->imp;
	/* a string constant shows its value */
	return (n->kind == LIMBO_N_NAME || n->kind == LIMBO_N_DOT || n->kind == LIMBO_N_MDOT) && d != NULL &&
	       d->store == LIMBO_D_CONST && (n->ty == NULL || n->ty->kind != LIMBO_TY_STRING);
}

static void
put_exp(Buf *b, const LimboNode *n)
{
	char t[128];
	LimboConst v;

	if (n == NULL)
		return;
	if (n->flags & LIMBO_F_PARENS)
		puts_(b, "(");
	if (isconname(n)) {
		puts_(b, n->kind == LIMBO_N_NAME ? n->name : n->kids[1] != NULL && n->kids[1]->name != NULL ? n->kids[1]->name : "?");
	} else if (n->kind != LIMBO_N_SCONST && n->kind != LIMBO_N_ICONST && limbo_fold(NULL, n, &v)) {
		if (v.kind == LIMBO_C_STRING)
			put_string(b, v.s, v.len);
		else if (v.kind == LIMBO_C_INT)
			snprintf(t, sizeof t, "%lld", (long long)v.i), puts_(b, t);
		else
			snprintf(t, sizeof t, "%g", v.r), puts_(b, t);
	} else switch (n->kind) {
	case LIMBO_N_NAME:
		puts_(b, n->name != NULL ? n->name : "?");
		break;
	case LIMBO_N_NIL:
		puts_(b, "nil");
		break;
	case LIMBO_N_WILD:
		puts_(b, "*");
		break;
	case LIMBO_N_ICONST:
		snprintf(t, sizeof t, "%lld", (long long)n->ival);
		puts_(b, t);
		break;
	case LIMBO_N_SCONST:
		put_string(b, n->str, n->len);
		break;
	case LIMBO_N_RANGE:
		put_exp(b, n->kids[0]);
		puts_(b, " to ");
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_BINOP: case LIMBO_N_ASSIGN:
		put_exp(b, n->kids[0]);
		puts_(b, limbo_tok_text(n->op));
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_DECLAS: case LIMBO_N_SEND:
		put_exp(b, n->kids[0]);
		puts_(b, n->kind == LIMBO_N_DECLAS ? ":=" : "<-=");
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_UNOP:
		puts_(b, limbo_tok_text(n->op));
		if (n->op == LIMBO_T_REF || n->op == LIMBO_T_LEN || n->op == LIMBO_T_HD || n->op == LIMBO_T_TL ||
		    n->op == LIMBO_T_TAGOF)
			puts_(b, " ");
		put_exp(b, n->kids[0]);
		break;
	case LIMBO_N_POSTOP:
		put_exp(b, n->kids[0]);
		puts_(b, limbo_tok_text(n->op));
		break;
	case LIMBO_N_CALL:
		put_exp(b, n->kids[0]);
		puts_(b, "(");
		put_list(b, n, 1, ", ");
		puts_(b, ")");
		break;
	case LIMBO_N_DOT: case LIMBO_N_MDOT:
		put_exp(b, n->kids[0]);
		puts_(b, n->kind == LIMBO_N_DOT ? "." : "->");
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_INDEX:
		put_exp(b, n->kids[0]);
		puts_(b, "[");
		put_list(b, n, 1, ", ");
		puts_(b, "]");
		break;
	case LIMBO_N_SLICE:
		put_exp(b, n->kids[0]);
		puts_(b, "[");
		put_exp(b, n->kids[1]);
		puts_(b, ":");
		put_exp(b, n->kids[2]);
		puts_(b, "]");
		break;
	case LIMBO_N_TUPLE:
		puts_(b, "(");
		put_list(b, n, 0, ", ");
		puts_(b, ")");
		break;
	case LIMBO_N_CAST:
		puts_(b, n->ty != NULL ? TS(n->ty, t) : "?");
		puts_(b, " ");
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_LOAD:
		puts_(b, "load ");
		puts_(b, n->ty != NULL ? TS(n->ty, t) : "?");
		puts_(b, " ");
		put_exp(b, n->kids[1]);
		break;
	case LIMBO_N_SPAWN:
		puts_(b, "spawn ");
		put_exp(b, n->kids[0]);
		break;
	case LIMBO_N_RAISE:
		puts_(b, "raise ");
		put_exp(b, n->kids[0]);
		break;
	case LIMBO_N_BLOCK:
		/* an arm's body, as Inferno prints its scope node */
		puts_(b, "scope");
		for (int i = 0, k = 0; i < n->nkids; i++) {
			if (n->kids[i] == NULL || n->kids[i]->kind == LIMBO_N_EMPTY)
				continue;
			if (k++ > 0)
				puts_(b, ", ");
			put_exp(b, n->kids[i]);
		}
		break;
	default:
		break;
	}
	if (n->flags & LIMBO_F_PARENS)
		puts_(b, ")");
}

/* 'exp' into s. */
const char *
limbo_expstr(const LimboNode *n, char *s, size_t len)
{
	Buf b = {s, len, 0};

	puts_(&b, "'");
	put_exp(&b, n);
	puts_(&b, "'");
	return s;
}

/* The qualifiers of an arm joined by " or ", without quotes. */
const char *
limbo_qualstr(const LimboNode *quals, char *s, size_t len)
{
	Buf b = {s, len, 0};

	b.p[0] = '\0';
	if (quals != NULL)
		put_list(&b, quals, 0, " or ");
	return s;
}

/* "FILE:LINE" of n, as Inferno's lineconv writes a position. */
const char *
limbo_where(const LimboNode *n, char *s, size_t len)
{
	snprintf(s, len, "%s:%d", n->file, n->line);
	return s;
}

/* "'exp' of type t", Inferno's etconv. */
const char *
limbo_etstr(const LimboNode *n, const LimboType *t, char *s, size_t len)
{
	char tb[128];
	size_t k;

	limbo_expstr(n, s, len);
	k = strlen(s);
	snprintf(s + k, len - k, " of type %s", t != NULL ? TS(t, tb) : "nothing");
	return s;
}

const char *
limbo_armstr(const LimboNode *arm, char *s, size_t len)
{
	Buf b = {s, len, 0};

	if (len > 0)
		s[0] = 0;
	puts_(&b, "'");
	put_list(&b, arm->kids[0], 0, " or ");
	puts_(&b, " =>");
	put_exp(&b, arm->kids[1]);
	puts_(&b, "'");
	return s;
}
