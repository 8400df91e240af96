/*
 * The unit: arena, diagnostics, the entry points and the tree dumper.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "limbo/limbo_impl.h"

struct LimboChunk {
	LimboChunk *next;
	size_t used, cap;    /* bytes of data[] */
	max_align_t data[];
};

enum { CHUNK_BYTES = 64 * 1024 };

void *
limbo_arena_alloc(LimboArena *a, size_t n)
{
	LimboChunk *c = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		c = malloc(sizeof *c + cap);
		if (c == NULL) {
			a->nomem = 1;
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
limbo_arena_strndup(LimboArena *a, const char *s, size_t n)
{
	char *p = limbo_arena_alloc(a, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

void
limbo_arena_free(LimboArena *a)
{
	while (a->head != NULL) {
		LimboChunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}

void
limbo_diag(LimboUnit *u, const char *file, int line, const char *fmt, ...)
{
	char msg[AC_ERR_MSG_BYTES];
	int n;
	va_list ap;

	if (u->stopped)
		return;
	if (u->nerrs >= u->max_errors) {
		u->stopped = 1;
		n = snprintf(msg, sizeof msg, "%s:%d: too many errors, stopping", file, line);
	} else {
		n = snprintf(msg, sizeof msg, "%s:%d: ", file, line);
		if (n < 0 || (size_t)n >= sizeof msg)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (u->nerrs == u->caperrs) {
		int ncap = u->caperrs ? u->caperrs * 2 : 16;
		char **ne = realloc(u->errs, (size_t)ncap * sizeof *ne);
		if (ne == NULL) {
			u->nomem = 1;
			return;
		}
		u->errs = ne;
		u->caperrs = ncap;
	}
	u->errs[u->nerrs] = strdup(msg);
	if (u->errs[u->nerrs] == NULL)
		u->nomem = 1;
	else
		u->nerrs++;
}

static LimboUnit *
unit_new(const LimboOptions *opt, AcErr *err)
{
	LimboUnit *u = ac_calloc(1, sizeof *u, "limbo unit", err);

	if (u == NULL)
		return NULL;
	u->max_errors = opt != NULL && opt->max_errors > 0 ? opt->max_errors : LIMBO_MAX_ERRORS;
	return u;
}

LimboUnit *
limbo_parse_buf(const char *name, const char *src, size_t len, const LimboOptions *opt, AcErr *err)
{
	LimboUnit *u = unit_new(opt, err);
	LimboLexer lx;

	if (u == NULL)
		return NULL;
	if (limbo_lex_open(&lx, u, opt, name, src, len) != AC_OK) {
		limbo_lex_close(&lx);
		goto nomem;
	}
	limbo_parse_unit(&lx, u);
	limbo_lex_close(&lx);
	if (u->arena.nomem || u->nomem || u->root == NULL)
		goto nomem;
	return u;
nomem:
	limbo_unit_free(u);
	ac_err_set(err, AC_ENOMEM, "%s: out of memory parsing", name);
	return NULL;
}

LimboUnit *
limbo_parse_file(const char *path, const LimboOptions *opt, AcErr *err)
{
	uint8_t *buf;
	size_t len;
	LimboUnit *u;

	if (ac_file_read(path, &buf, &len, err) != AC_OK)
		return NULL;
	u = limbo_parse_buf(path, (const char *)buf, len, opt, err);
	free(buf);
	return u;
}

int
limbo_unit_nerrors(const LimboUnit *u)
{
	return u->nerrs;
}

const char *
limbo_unit_error(const LimboUnit *u, int i)
{
	if (i < 0 || i >= u->nerrs)
		return NULL;
	return u->errs[i];
}

const LimboNode *
limbo_unit_root(const LimboUnit *u)
{
	return u->root;
}

void
limbo_unit_free(LimboUnit *u)
{
	if (u == NULL)
		return;
	free(u->sigs);
	free(u->linkall);
	for (int i = 0; i < u->nerrs; i++)
		free(u->errs[i]);
	free(u->errs);
	limbo_arena_free(&u->arena);
	free(u);
}

static const char *const nodenames[] = {
#define X(n, d) #n,
	LIMBO_NODES(X)
#undef X
};

const char *
limbo_node_name(int kind)
{
	if (kind < 0 || kind >= LIMBO_NNODES)
		return "?";
	return nodenames[kind];
}

/* Writes s[0..n) quoted, with the escapes Limbo reads back. */
static void
dump_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case 0: fputs("\\0", f); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void
dump(FILE *f, const LimboNode *n, int depth, const char **lastfile)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
	if (n == NULL) {
		fputs("-\n", f);
		return;
	}
	fputs(limbo_node_name(n->kind), f);
	if (n->op != 0)
		fprintf(f, " %s", limbo_tok_text(n->op));
	if (n->name != NULL)
		fprintf(f, " %s", n->name);
	switch (n->kind) {
	case LIMBO_N_ICONST:
		fprintf(f, " %lld", (long long)n->ival);
		break;
	case LIMBO_N_RCONST:
		fprintf(f, " %.17g", n->rval);
		break;
	case LIMBO_N_SCONST:
		fputc(' ', f);
		dump_str(f, n->str, n->len);
		break;
	case LIMBO_N_INCLUDE:
		fprintf(f, " -> %s", n->str != NULL ? n->str : "(not found)");
		break;
	}
	if (n->flags & LIMBO_F_PARENS) fputs(" parens", f);
	if (n->flags & LIMBO_F_CYCLIC) fputs(" cyclic", f);
	if (n->flags & LIMBO_F_VARARGS) fputs(" varargs", f);
	if (n->flags & LIMBO_F_SELF) fputs(" self", f);
	if (n->flags & LIMBO_F_INITS) fputs(" inits", f);
	if (n->file != NULL && (*lastfile == NULL || strcmp(*lastfile, n->file) != 0)) {
		fprintf(f, " @%s:%d\n", n->file, n->line);
		*lastfile = n->file;
	} else {
		fprintf(f, " @%d\n", n->line);
	}
	for (int i = 0; i < n->nkids; i++)
		dump(f, n->kids[i], depth + 1, lastfile);
}

int
limbo_unit_dump(const LimboUnit *u, FILE *out)
{
	const char *last = NULL;

	dump(out, u->root, 0, &last);
	return ferror(out) ? AC_EIO : AC_OK;
}
