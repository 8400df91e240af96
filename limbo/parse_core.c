/*
 * Parser plumbing: the lookahead buffer, error reporting with cascade
 * suppression, the nesting guard and node construction.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "limbo/parse.h"

void
nv_push(NodeVec *v, LimboNode *n)
{
	if (v->n == v->cap) {
		int ncap = v->cap ? v->cap * 2 : 8;
		LimboNode **nv = realloc(v->v, (size_t)ncap * sizeof *nv);
		if (nv == NULL) {
			v->nomem = 1;
			return;
		}
		v->v = nv;
		v->cap = ncap;
	}
	v->v[v->n++] = n;
}

void
nv_free(NodeVec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/* Lexes until buf holds at least k+1 tokens from head. Tokens after the end
 * of input are all EOF, so this always succeeds unless memory runs out, in
 * which case the last token (EOF-like) is repeated. */
const LimboToken *
tok_at(Parser *p, size_t k)
{
	static const LimboToken eof = {LIMBO_T_EOF, "?", 0, NULL, 0, 0, 0, NULL};

	if (p->head == p->n && p->n > 0) {
		p->head = p->n = 0;
	}
	while (p->n - p->head <= k) {
		if (p->n == p->cap) {
			if (p->head > 0) {
				memmove(p->buf, p->buf + p->head, (p->n - p->head) * sizeof *p->buf);
				p->n -= p->head;
				p->head = 0;
				continue;
			}
			size_t ncap = p->cap ? p->cap * 2 : 64;
			LimboToken *nb = realloc(p->buf, ncap * sizeof *nb);
			if (nb == NULL) {
				p->a->nomem = 1;
				return p->n > 0 ? &p->buf[p->n - 1] : &eof;
			}
			p->buf = nb;
			p->cap = ncap;
		}
		if (p->n > 0 && p->buf[p->n - 1].kind == LIMBO_T_EOF) {
			p->buf[p->n] = p->buf[p->n - 1];
			p->n++;
			continue;
		}
		limbo_lex_next(p->lx, &p->buf[p->n]);
		p->n++;
	}
	return &p->buf[p->head + k];
}

int
peekk(Parser *p, size_t k)
{
	return tok_at(p, k)->kind;
}

void
advance(Parser *p)
{
	const LimboToken *t = TOK(p);

	p->prev = t->kind;
	if (t->kind == LIMBO_T_EOF)
		return;
	p->head++;
	p->consumed++;
}

int
accept(Parser *p, int kind)
{
	if (KIND(p) != kind)
		return 0;
	advance(p);
	return 1;
}

int
expect(Parser *p, int kind)
{
	char what[64];

	if (accept(p, kind))
		return 1;
	snprintf(what, sizeof what, "expected %s", limbo_tok_text(kind));
	synerr(p, what);
	return 0;
}

void
errat(Parser *p, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	p->nerr++;
	/* One error per line: what follows a syntax error on its line is
	 * usually the same mistake seen again. */
	if (p->errfile != NULL && p->errline == line && strcmp(p->errfile, file) == 0)
		return;
	p->errfile = file;
	p->errline = line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	limbo_diag(p->u, file, line, "%s", msg);
}

/* How a token reads in a message. */
static void
toktext(const LimboToken *t, char *buf, size_t n)
{
	switch (t->kind) {
	case LIMBO_T_ID:
		snprintf(buf, n, "%s", t->text);
		break;
	case LIMBO_T_ICONST:
		snprintf(buf, n, "%lld", (long long)t->ival);
		break;
	case LIMBO_T_RCONST:
		snprintf(buf, n, "%g", t->rval);
		break;
	case LIMBO_T_SCONST:
		snprintf(buf, n, "\"%.20s%s\"", t->text, t->len > 20 ? "..." : "");
		for (char *c = buf; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		break;
	case LIMBO_T_INCLUDE_DONE:
		snprintf(buf, n, "include");
		break;
	default:
		snprintf(buf, n, "%s", limbo_tok_text(t->kind));
	}
}

void
synerr(Parser *p, const char *what)
{
	const LimboToken *t = TOK(p);
	char tt[64];

	toktext(t, tt, sizeof tt);
	if (what != NULL)
		errat(p, t->file, t->line, "syntax error near `%s`: %s", tt, what);
	else
		errat(p, t->file, t->line, "syntax error near `%s`", tt);
}

int
enter(Parser *p)
{
	if (p->u->stopped)
		return 0;
	if (++p->depth > LIMBO_MAX_NEST) {
		const LimboToken *t = TOK(p);
		limbo_diag(p->u, t->file, t->line, "program too deeply nested (more than %d levels)", LIMBO_MAX_NEST);
		/* Stop: the lexer now returns only EOF, so every loop ends. */
		p->u->stopped = 1;
		return 0;
	}
	return 1;
}

void
leave(Parser *p)
{
	p->depth--;
}

int
enter_link(Parser *p)
{
	if (p->u->stopped)
		return 0;
	if (++p->links > LIMBO_MAX_LINKS) {
		const LimboToken *t = TOK(p);
		p->links--;
		limbo_diag(p->u, t->file, t->line, "expression too long (more than %d operators in a chain)", LIMBO_MAX_LINKS);
		p->u->stopped = 1;
		return 0;
	}
	return 1;
}

static LimboNode *
dummy(Parser *p)
{
	memset(&p->dummy, 0, sizeof p->dummy);
	memset(p->dummykids, 0, sizeof p->dummykids);
	p->dummy.kids = p->dummykids;
	p->dummy.nkids = 8;
	return &p->dummy;
}

LimboNode *
mk(Parser *p, int kind, const LimboToken *at, int nkids)
{
	LimboNode *n = limbo_arena_alloc(p->a, sizeof *n);

	if (n == NULL || nkids > 8)
		return dummy(p);
	if (nkids > 0) {
		n->kids = limbo_arena_alloc(p->a, (size_t)nkids * sizeof *n->kids);
		if (n->kids == NULL)
			return dummy(p);
	}
	n->kind = (uint16_t)kind;
	n->nkids = nkids;
	n->file = at->file;
	n->line = at->line;
	return n;
}

/* A node whose children are prefix empty slots followed by kids's nodes;
 * frees kids. */
LimboNode *
mkv(Parser *p, int kind, const LimboToken *at, NodeVec *kids, int prefix)
{
	LimboNode *n = limbo_arena_alloc(p->a, sizeof *n);
	int total = prefix + kids->n;

	if (n == NULL || kids->nomem) {
		p->a->nomem = 1;
		nv_free(kids);
		return dummy(p);
	}
	if (total > 0) {
		n->kids = limbo_arena_alloc(p->a, (size_t)total * sizeof *n->kids);
		if (n->kids == NULL) {
			nv_free(kids);
			return dummy(p);
		}
		if (kids->n > 0)
			memcpy(n->kids + prefix, kids->v, (size_t)kids->n * sizeof *n->kids);
	}
	nv_free(kids);
	n->kind = (uint16_t)kind;
	n->nkids = total;
	n->file = at->file;
	n->line = at->line;
	return n;
}

LimboNode *
mk1(Parser *p, int kind, const LimboToken *at, LimboNode *a)
{
	LimboNode *n = mk(p, kind, at, 1);

	n->kids[0] = a;
	return n;
}

LimboNode *
mk2(Parser *p, int kind, const LimboToken *at, LimboNode *a, LimboNode *b)
{
	LimboNode *n = mk(p, kind, at, 2);

	n->kids[0] = a;
	n->kids[1] = b;
	return n;
}

LimboNode *
mkname(Parser *p, const LimboToken *t)
{
	LimboNode *n = mk(p, LIMBO_N_NAME, t, 0);

	n->name = t->text;
	return n;
}
