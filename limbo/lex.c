/*
 * The Limbo lexer: bytes to tokens, with a stack of included files so every
 * token (and so every diagnostic) names the file and line it came from.
 *
 * Follows: limbo.ms §"Lexical conventions" and Inferno's lex.b for what is
 * accepted (radix constants, the number state machine, escapes).
 */
#include <stdlib.h>
#include <string.h>

#include "limbo/limbo_impl.h"

static const char *const toktext[] = {
#define X(n, s) s,
	LIMBO_TOKENS(X)
#undef X
};

const char *
limbo_tok_text(int tok)
{
	if (tok < 0 || tok >= LIMBO_NTOKENS)
		return "?";
	return toktext[tok];
}

int
limbo_lex_open(LimboLexer *lx, LimboUnit *u, const LimboOptions *opt,
               const char *name, const char *src, size_t len)
{
	LimboSrc *f;

	memset(lx, 0, sizeof *lx);
	lx->u = u;
	lx->opt = opt;
	f = &lx->files[0];
	f->name = limbo_arena_strndup(&u->arena, name, strlen(name));
	f->buf = malloc(len + 1);
	if (f->name == NULL || f->buf == NULL)
		return AC_ENOMEM;
	memcpy(f->buf, src, len);
	f->buf[len] = 0;
	f->len = len;
	f->line = 1;
	return AC_OK;
}

void
limbo_lex_close(LimboLexer *lx)
{
	for (int i = 0; i <= lx->depth; i++) {
		free(lx->files[i].buf);
		lx->files[i].buf = NULL;
	}
	lx->depth = 0;
}

/* Character access on the current file; -1 at its end. */
static int
peekc(LimboLexer *lx, size_t ahead)
{
	LimboSrc *f = &lx->files[lx->depth];

	if (f->pos + ahead >= f->len)
		return -1;
	return (unsigned char)f->buf[f->pos + ahead];
}

static int
getch(LimboLexer *lx)
{
	LimboSrc *f = &lx->files[lx->depth];
	int c;

	if (f->pos >= f->len)
		return -1;
	c = (unsigned char)f->buf[f->pos++];
	if (c == '\n')
		f->line++;
	return c;
}

static void
err(LimboLexer *lx, int line, const char *msg, const char *arg)
{
	limbo_diag(lx->u, lx->files[lx->depth].name, line, msg, arg);
}

static int
isalpha_l(int c)
{
	/* Bytes of multi-byte UTF-8 sequences count as letters, as runes above
	 * 0xA0 do in Inferno's lexer. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
isdigit_l(int c)
{
	return c >= '0' && c <= '9';
}

static int
isalnum_l(int c)
{
	return isalpha_l(c) || isdigit_l(c);
}

/* A growable byte buffer for literal text (malloc; copied to the arena). */
typedef struct Buf {
	char *p;
	size_t n, cap;
	int nomem;
} Buf;

static void
bput(Buf *b, int c)
{
	if (b->n + 1 >= b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		char *np = realloc(b->p, ncap);
		if (np == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	b->p[b->n++] = (char)c;
}

/* Appends rune r as UTF-8 (Limbo strings are runes; we keep them UTF-8). */
static void
bputrune(Buf *b, long r)
{
	if (r < 0x80) {
		bput(b, (int)r);
	} else if (r < 0x800) {
		bput(b, 0xC0 | (int)(r >> 6));
		bput(b, 0x80 | (int)(r & 0x3F));
	} else if (r < 0x10000) {
		bput(b, 0xE0 | (int)(r >> 12));
		bput(b, 0x80 | (int)((r >> 6) & 0x3F));
		bput(b, 0x80 | (int)(r & 0x3F));
	} else {
		bput(b, 0xF0 | (int)(r >> 18));
		bput(b, 0x80 | (int)((r >> 12) & 0x3F));
		bput(b, 0x80 | (int)((r >> 6) & 0x3F));
		bput(b, 0x80 | (int)(r & 0x3F));
	}
}

/* Reads the rest of a UTF-8 sequence whose first byte c was consumed;
 * a malformed sequence yields the byte itself (as Inferno's Runeerror would
 * be one rune too). */
static long
getrune(LimboLexer *lx, int c)
{
	int n, need;
	long r;

	if (c < 0xC0)
		return c;
	need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
	r = c & (0x3F >> need);
	for (n = 0; n < need; n++) {
		int d = peekc(lx, 0);
		if (d < 0x80 || d >= 0xC0)
			return 0xFFFD;
		getch(lx);
		r = (r << 6) | (d & 0x3F);
	}
	return r;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* After a backslash: the escaped rune, or -1 at end of file. */
static long
escape(LimboLexer *lx, int line)
{
	int c = getch(lx);
	long v = 0;
	char s[2];

	switch (c) {
	case -1: return -1;
	case '\'': return '\'';
	case '"': return '"';
	case '\\': return '\\';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	case '0': return 0;
	case 'u':
		for (int i = 0; i < 4; i++) {
			int h = hexval(peekc(lx, 0));
			if (h < 0) {
				err(lx, line, "malformed \\u escape sequence%s", "");
				return v;
			}
			getch(lx);
			v = v * 16 + h;
		}
		return v;
	}
	if (c == '\n') {
		err(lx, line, "newline in string constant%s", "");
		return '\n';
	}
	s[0] = (char)c;
	s[1] = 0;
	err(lx, line, "unrecognized escape \\%s", c >= 0x20 && c < 0x7F ? s : "?");
	return c >= 0x80 ? getrune(lx, c) : c;
}

static void
set_text(LimboLexer *lx, LimboToken *t, Buf *b)
{
	t->text = limbo_arena_strndup(&lx->u->arena, b->p != NULL ? b->p : "", b->n);
	t->len = b->n;
	if (b->nomem)
		lx->u->arena.nomem = 1;
	free(b->p);
}

static void
lex_string(LimboLexer *lx, LimboToken *t)
{
	Buf b = {0};

	for (;;) {
		int c = getch(lx);
		if (c == -1) {
			err(lx, t->line, "end of file in string constant%s", "");
			break;
		}
		if (c == '"')
			break;
		if (c == '\n') {
			err(lx, t->line, "newline in string constant%s", "");
			break;
		}
		if (c == '\\') {
			long r = escape(lx, t->line);
			if (r < 0) {
				err(lx, t->line, "end of file in string constant%s", "");
				break;
			}
			bputrune(&b, r);
		} else {
			bput(&b, c);
		}
	}
	set_text(lx, t, &b);
}

static void
lex_rawstring(LimboLexer *lx, LimboToken *t)
{
	Buf b = {0};

	for (;;) {
		int c = getch(lx);
		if (c == -1) {
			err(lx, t->line, "end of file in raw string constant%s", "");
			break;
		}
		if (c == '`')
			break;
		bput(&b, c);
	}
	set_text(lx, t, &b);
}

static void
lex_char(LimboLexer *lx, LimboToken *t)
{
	int c = getch(lx);
	long r;

	t->kind = LIMBO_T_ICONST;
	if (c == -1) {
		err(lx, t->line, "end of file in character constant%s", "");
		return;
	}
	if (c == '\n') {
		err(lx, t->line, "newline in character constant%s", "");
		return;
	}
	if (c == '\\') {
		r = escape(lx, t->line);
		if (r < 0) {
			err(lx, t->line, "end of file in character constant%s", "");
			return;
		}
	} else {
		r = getrune(lx, c);
	}
	t->ival = r;
	if (peekc(lx, 0) == '\'') {
		getch(lx);
		return;
	}
	/* 'ab': skip to the quote closing it on this line, so the rest of the
	 * line is not read as the start of another constant. */
	for (size_t k = 0; k < 16; k++) {
		int d = peekc(lx, k);
		if (d == -1 || d == '\n')
			break;
		if (d == '\'') {
			while (k-- > 0)
				getch(lx);
			getch(lx);
			err(lx, t->line, "more than one character in a character constant%s", "");
			return;
		}
	}
	err(lx, t->line, "missing closing '%s", "");
}

/* Digit value of c in any radix up to 36, or -1. */
static int
digitval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

/* Integer value of digits s[0..n) in base; reports a digit out of radix.
 * Overflow wraps, as Inferno's big arithmetic does. */
static uint64_t
strtoi(LimboLexer *lx, int line, const char *s, size_t n, int base)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = digitval((unsigned char)s[i]);
		if (d < 0 || d >= base) {
			char msg[64];
			snprintf(msg, sizeof msg, "digit '%c' is not radix %d", s[i], base);
			err(lx, line, "%s", msg);
			return 0;
		}
		v = v * (uint64_t)base + (uint64_t)d;
	}
	return v;
}

/* A real written in a radix: digits[.digits][e[+-]digits], all in base. */
static double
strtodb(const char *s, size_t n, int base)
{
	double num = 0, scale = 1;
	size_t i = 0;
	int frac = 0, eneg = 0;
	long ex = 0;

	for (; i < n; i++) {
		int d = digitval((unsigned char)s[i]);
		if (s[i] == '.') {
			frac = 1;
			continue;
		}
		if ((s[i] == 'e' || s[i] == 'E') && base <= 14)
			break;
		if (d < 0 || d >= base)
			break;
		num = num * base + d;
		if (frac)
			scale *= base;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < n && isdigit_l((unsigned char)s[i]); i++)
			if (ex < 10000)
				ex = ex * base + (s[i] - '0');
	}
	num /= scale;
	while (ex-- > 0)
		num = eneg ? num / base : num * base;
	return num;
}

enum { N_INT, N_RADIXSEEN, N_RADIX, N_FRAC, N_FRACB, N_EXPSEEN, N_EXPSIGN, N_EXP };

/* A number starting with c (a digit, or '.' before a digit). */
static void
lex_number(LimboLexer *lx, LimboToken *t, int c)
{
	Buf b = {0};
	size_t radixlen = 0;
	int state = c == '.' ? N_FRAC : N_INT;

	bput(&b, c);
	for (;;) {
		int d = peekc(lx, 0), go = 1;
		switch (state) {
		case N_INT:
			if (isdigit_l(d))
				break;
			if (d == 'e' || d == 'E')
				state = N_EXPSEEN;
			else if (d == 'r' || d == 'R') {
				radixlen = b.n;
				state = N_RADIXSEEN;
			} else if (d == '.')
				state = N_FRAC;
			else
				go = 0;
			break;
		case N_RADIXSEEN:
		case N_RADIX:
			if (d >= 0 && isalnum_l(d) && d < 0x80)
				state = N_RADIX;
			else if (d == '.')
				state = N_FRACB;
			else
				go = 0;
			break;
		case N_FRAC:
			if (isdigit_l(d))
				break;
			if (d == 'e' || d == 'E')
				state = N_EXPSEEN;
			else
				go = 0;
			break;
		case N_FRACB:
			if (!(d >= 0 && isalnum_l(d) && d < 0x80))
				go = 0;
			break;
		case N_EXPSEEN:
			if (d == '+' || d == '-')
				state = N_EXPSIGN;
			else if (isdigit_l(d))
				state = N_EXP;
			else
				go = 0;
			break;
		case N_EXPSIGN:
		case N_EXP:
			if (isdigit_l(d))
				state = N_EXP;
			else
				go = 0;
			break;
		}
		if (!go)
			break;
		bput(&b, getch(lx));
	}
	bput(&b, 0);
	if (b.nomem) {
		lx->u->arena.nomem = 1;
		free(b.p);
		t->kind = LIMBO_T_ICONST;
		return;
	}
	t->kind = LIMBO_T_ICONST;
	switch (state) {
	case N_INT:
		t->ival = (int64_t)strtoi(lx, t->line, b.p, b.n - 1, 10);
		break;
	case N_FRAC:
	case N_EXP:
		t->kind = LIMBO_T_RCONST;
		t->rval = strtod(b.p, NULL);
		break;
	case N_RADIX:
	case N_FRACB: {
		uint64_t base = strtoi(lx, t->line, b.p, radixlen, 10);
		if (base < 2 || base > 36) {
			char r[32];
			snprintf(r, sizeof r, "%.*s", (int)(radixlen < 20 ? radixlen : 20), b.p);
			err(lx, t->line, "radix '%s' is not between 2 and 36", r);
			break;
		}
		if (state == N_RADIX) {
			t->ival = (int64_t)strtoi(lx, t->line, b.p + radixlen + 1,
			                          b.n - 1 - radixlen - 1, (int)base);
		} else {
			t->kind = LIMBO_T_RCONST;
			t->rval = strtodb(b.p + radixlen + 1, b.n - 1 - radixlen - 1, (int)base);
		}
		break;
	}
	default:
		err(lx, t->line, "malformed numerical constant '%s'", b.p);
		break;
	}
	free(b.p);
}

static int
keyword(const char *s, size_t n)
{
	for (int k = LIMBO_T_FIRSTKW; k <= LIMBO_T_LASTKW; k++)
		if (strlen(toktext[k]) == n && memcmp(toktext[k], s, n) == 0)
			return k;
	return LIMBO_T_ID;
}

/* Pops finished include files; returns 0 when the main file is done too. */
static int
more_input(LimboLexer *lx)
{
	while (lx->files[lx->depth].pos >= lx->files[lx->depth].len) {
		if (lx->depth == 0)
			return 0;
		free(lx->files[lx->depth].buf);
		lx->files[lx->depth].buf = NULL;
		lx->depth--;
	}
	return 1;
}

/* Two-character operators: c, then what follows, gives tok. */
static int
op2(LimboLexer *lx, int c)
{
	int d = peekc(lx, 0), e = peekc(lx, 1);

#define TAKE(n, tok) do { for (int i_ = 0; i_ < (n); i_++) getch(lx); return (tok); } while (0)
	switch (c) {
	case '(': return LIMBO_T_LPAREN;
	case ')': return LIMBO_T_RPAREN;
	case '[': return LIMBO_T_LBRACK;
	case ']': return LIMBO_T_RBRACK;
	case '{': return LIMBO_T_LBRACE;
	case '}': return LIMBO_T_RBRACE;
	case ',': return LIMBO_T_COMMA;
	case ';': return LIMBO_T_SEMI;
	case '~': return LIMBO_T_TILDE;
	case '.': return LIMBO_T_DOT;
	case ':':
		if (d == ':') TAKE(1, LIMBO_T_CONS);
		if (d == '=') TAKE(1, LIMBO_T_DECLAS);
		return LIMBO_T_COLON;
	case '|':
		if (d == '=') TAKE(1, LIMBO_T_OREQ);
		if (d == '|') TAKE(1, LIMBO_T_OROR);
		return LIMBO_T_OR1;
	case '&':
		if (d == '=') TAKE(1, LIMBO_T_ANDEQ);
		if (d == '&') TAKE(1, LIMBO_T_ANDAND);
		return LIMBO_T_AND;
	case '^':
		if (d == '=') TAKE(1, LIMBO_T_XOREQ);
		return LIMBO_T_XOR;
	case '*':
		if (d == '=') TAKE(1, LIMBO_T_MULEQ);
		if (d == '*') {
			if (e == '=') TAKE(2, LIMBO_T_EXPEQ);
			TAKE(1, LIMBO_T_EXP);
		}
		return LIMBO_T_MUL;
	case '/':
		if (d == '=') TAKE(1, LIMBO_T_DIVEQ);
		return LIMBO_T_DIV;
	case '%':
		if (d == '=') TAKE(1, LIMBO_T_MODEQ);
		return LIMBO_T_MOD;
	case '=':
		if (d == '=') TAKE(1, LIMBO_T_EQ);
		if (d == '>') TAKE(1, LIMBO_T_LABS);
		return LIMBO_T_ASSIGN;
	case '!':
		if (d == '=') TAKE(1, LIMBO_T_NEQ);
		return LIMBO_T_NOT;
	case '>':
		if (d == '=') TAKE(1, LIMBO_T_GEQ);
		if (d == '>') {
			if (e == '=') TAKE(2, LIMBO_T_RSHEQ);
			TAKE(1, LIMBO_T_RSH);
		}
		return LIMBO_T_GT;
	case '<':
		if (d == '=') TAKE(1, LIMBO_T_LEQ);
		if (d == '-') TAKE(1, LIMBO_T_COMM);
		if (d == '<') {
			if (e == '=') TAKE(2, LIMBO_T_LSHEQ);
			TAKE(1, LIMBO_T_LSH);
		}
		return LIMBO_T_LT;
	case '+':
		if (d == '=') TAKE(1, LIMBO_T_ADDEQ);
		if (d == '+') TAKE(1, LIMBO_T_INC);
		return LIMBO_T_ADD;
	case '-':
		if (d == '=') TAKE(1, LIMBO_T_SUBEQ);
		if (d == '-') TAKE(1, LIMBO_T_DEC);
		if (d == '>') TAKE(1, LIMBO_T_MDOT);
		return LIMBO_T_SUB;
	}
#undef TAKE
	return -1;
}

/* One token, without include processing. */
static void
lex1(LimboLexer *lx, LimboToken *t)
{
	memset(t, 0, sizeof *t);
	for (;;) {
		LimboSrc *f;
		int c;

		if (lx->u->stopped || lx->u->arena.nomem || !more_input(lx)) {
			f = &lx->files[0];
			t->kind = LIMBO_T_EOF;
			t->file = f->name;
			t->line = f->line;
			return;
		}
		f = &lx->files[lx->depth];
		t->file = f->name;
		t->line = f->line;
		c = getch(lx);
		switch (c) {
		case ' ': case '\t': case '\r': case '\v': case '\f': case '\n':
			continue;
		case '#':
			while ((c = peekc(lx, 0)) != -1 && c != '\n')
				getch(lx);
			continue;
		case '"':
			t->kind = LIMBO_T_SCONST;
			lex_string(lx, t);
			return;
		case '`':
			t->kind = LIMBO_T_SCONST;
			lex_rawstring(lx, t);
			return;
		case '\'':
			lex_char(lx, t);
			return;
		}
		if (isdigit_l(c) || (c == '.' && isdigit_l(peekc(lx, 0)))) {
			lex_number(lx, t, c);
			return;
		}
		if (isalpha_l(c)) {
			size_t start = f->pos - 1;
			while (isalnum_l(peekc(lx, 0)))
				getch(lx);
			t->kind = keyword(f->buf + start, f->pos - start);
			if (t->kind == LIMBO_T_ID) {
				t->text = limbo_arena_strndup(&lx->u->arena, f->buf + start, f->pos - start);
				t->len = f->pos - start;
			}
			return;
		}
		t->kind = op2(lx, c);
		if (t->kind >= 0)
			return;
		{
			char s[8];
			if (c >= 0x20 && c < 0x7F)
				snprintf(s, sizeof s, "%c", c);
			else
				snprintf(s, sizeof s, "\\x%02x", c);
			err(lx, t->line, "unknown character '%s'", s);
		}
	}
}

/* Opens the include file `name` written at line of the current file:
 * absolute as is, else in the including file's directory, then the main
 * file's, then in each -I directory. Returns the path opened (arena) with *buf and *len, or NULL. */
static const char *
find_include(LimboLexer *lx, const char *name, char **buf, size_t *len)
{
	const char *cur = lx->files[lx->depth].name, *mainf = lx->files[0].name;
	const char *slash = strrchr(cur, '/'), *mslash = strrchr(mainf, '/');
	int curlen = slash != NULL ? (int)(slash - cur) : -1;
	int mainlen = mslash != NULL ? (int)(mslash - mainf) : -1;
	size_t nd = lx->opt != NULL ? lx->opt->nincdirs : 0;
	AcErr e;

	for (size_t i = 0; i < nd + 2; i++) {
		char path[4096];
		uint8_t *b;
		if (name[0] == '/') {
			if (i > 0)
				break;
			snprintf(path, sizeof path, "%s", name);
		} else if (i == 0) {
			if (curlen >= 0)
				snprintf(path, sizeof path, "%.*s/%s", curlen, cur, name);
			else
				snprintf(path, sizeof path, "%s", name);
		} else if (i == 1) {
			/* Then the main file's directory, where Inferno's compiler
			 * looks first; skipped when it is the same one. */
			if (curlen == mainlen && (curlen < 0 || strncmp(cur, mainf, (size_t)curlen) == 0))
				continue;
			if (mainlen >= 0)
				snprintf(path, sizeof path, "%.*s/%s", mainlen, mainf, name);
			else
				snprintf(path, sizeof path, "%s", name);
		} else {
			snprintf(path, sizeof path, "%s/%s", lx->opt->incdirs[i - 2], name);
		}
		if (ac_file_read(path, &b, len, &e) == AC_OK) {
			*buf = (char *)b;
			return limbo_arena_strndup(&lx->u->arena, path, strlen(path));
		}
	}
	return NULL;
}

void
limbo_lex_next(LimboLexer *lx, LimboToken *t)
{
	LimboToken s, semi;
	char *buf = NULL;
	size_t len = 0;
	const char *path;

	lex1(lx, t);
	if (t->kind != LIMBO_T_INCLUDE)
		return;
	/* include "file" ; — the file's tokens follow the INCLUDE_DONE token. */
	lex1(lx, &s);
	if (s.kind != LIMBO_T_SCONST) {
		limbo_diag(lx->u, s.file, s.line, "syntax error near `%s`: expected a file name after include",
		           s.kind == LIMBO_T_ID ? s.text : limbo_tok_text(s.kind));
		*t = s;
		return;
	}
	lex1(lx, &semi);
	t->kind = LIMBO_T_INCLUDE_DONE;
	t->text = s.text;
	t->len = s.len;
	if (semi.kind != LIMBO_T_SEMI) {
		limbo_diag(lx->u, semi.file, semi.line, "syntax error near `%s`: expected ; after include",
		           semi.kind == LIMBO_T_ID ? semi.text : limbo_tok_text(semi.kind));
		return;
	}
	if (strlen(s.text) != s.len || s.len == 0) {
		limbo_diag(lx->u, t->file, t->line, "can't include \"%s\": bad file name", s.text);
		return;
	}
	if (lx->depth >= LIMBO_MAX_INCLUDE) {
		limbo_diag(lx->u, t->file, t->line, "can't include \"%s\": includes nested too deeply", s.text);
		return;
	}
	path = find_include(lx, s.text, &buf, &len);
	if (path == NULL) {
		limbo_diag(lx->u, t->file, t->line, "can't include \"%s\": file not found", s.text);
		return;
	}
	t->path = path;
	lx->depth++;
	lx->files[lx->depth] = (LimboSrc){path, buf, len, 0, 1};
}
