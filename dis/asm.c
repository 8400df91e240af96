/*
 * The assembler: `limbo -S` assembly (appl/cmd/limbo/asm.b) to a DisModule,
 * plus the directives dis-as(1) documents. One pass over the lines builds
 * the module; branch labels and range checks that need the whole file
 * (code size, data size, type count) are resolved at the end; finally the
 * module is encoded and read back through dis_module_read, so anything the
 * loader would reject is reported here too.
 *
 * Follows: appl/cmd/asm/asm.y (syntax), appl/cmd/limbo/asm.b and gen.b
 * (what limbo writes), shared/dis-facts.md.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis_impl.h"

enum {
	MAXERR = 20,      /* errors reported before giving up */
	MAXLINE = 1 << 20,
};

/* One operand as written. */
enum { ONONE, OIMM, ODIR, OIND, OLABEL };

typedef struct Opnd {
	int kind;
	int fp;          /* ODIR/OIND: 1 for fp, 0 for mp */
	int64_t a, b;    /* see DisAddr */
	char label[64];  /* OLABEL */
} Opnd;

typedef struct Label {
	char *name;
	int32_t pc;
	int line;
} Label;

typedef struct Fixup {
	int32_t pc;
	int slot;        /* 's', 'm', 'd' */
	char *name;
	int line;
} Fixup;

typedef struct Asm {
	const char *file;
	int line;
	AcErr *err;
	FILE *diag;
	int nerr;

	DisModule *m;
	int32_t ainst, atype, adata, alink, aimport, ahandler;
	int *iline;        /* source line of each instruction */
	int32_t ailine;
	int *dline;        /* source line of each data item */
	int32_t adline;
	int *tline;        /* source line of each desc, by id; 0 = undefined */
	int32_t atline;
	int32_t *hwant;    /* labels each exception announces */
	int *hline;        /* and its line */
	int32_t ahwant, ahline;
	int32_t maxtype;   /* highest desc id + 1 */

	Label *lab;
	int nlab, alab;
	Fixup *fix;
	int nfix, afix;

	int have_flags, have_stack, have_ldt, have_exc, have_module, have_entry, have_var;
	int split;         /* next data item must not merge */
	int depth;         /* array initialiser nesting */
	int ldtline;       /* line of the current `word @ldt` */
	int32_t ldtwant;   /* functions it announced */
	int excline;       /* line of the current `exception` */
} Asm;

/* The text of one line being parsed. */
typedef struct Lx {
	const char *p;
	const char *end;
} Lx;

static void
diag(Asm *A, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (A->nerr == 0)
		ac_err_set(A->err, AC_EFORMAT, "%s:%d: %s", A->file, A->line, msg);
	if (A->diag != NULL && A->nerr < MAXERR)
		fprintf(A->diag, "%s:%d: %s\n", A->file, A->line, msg);
	A->nerr++;
}

/* Same at a remembered line. */
static void
diagat(Asm *A, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	int save = A->line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	A->line = line;
	diag(A, "%s", msg);
	A->line = save;
}

/* Grows *p (n used, *cap allocated, elements of size sz) to hold one more. */
static int
more(Asm *A, void *pp, int32_t n, int32_t *cap, size_t sz)
{
	void **p = pp;
	int32_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(*p, (size_t)ncap * sz);
	if (np == NULL) {
		diag(A, "out of memory");
		return -1;
	}
	memset((char *)np + (size_t)*cap * sz, 0, (size_t)(ncap - *cap) * sz);
	*p = np;
	*cap = ncap;
	return 0;
}

static void
skipws(Lx *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\r'))
		l->p++;
}

static int
peek(Lx *l)
{
	skipws(l);
	return l->p < l->end ? (unsigned char)*l->p : -1;
}

static int
accept(Lx *l, int c)
{
	if (peek(l) == c) {
		l->p++;
		return 1;
	}
	return 0;
}

static int
isidstart(int c)
{
	return isalpha(c) || c == '_' || c == '.';
}

static int
isidchar(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$' || c == '/';
}

/* Reads an identifier into buf; 0 if there is none. */
static int
ident(Lx *l, char *buf, size_t n)
{
	size_t k = 0;

	if (!isidstart(peek(l)))
		return 0;
	while (l->p < l->end && isidchar((unsigned char)*l->p)) {
		if (k + 1 < n)
			buf[k++] = *l->p;
		l->p++;
	}
	buf[k] = 0;
	return 1;
}

static int
atend(Lx *l)
{
	return peek(l) == -1;
}

static int expr(Asm *A, Lx *l, int64_t *v);

static int
number(Asm *A, Lx *l, int64_t *v)
{
	const char *s = l->p;
	uint64_t u = 0;
	int base = 10, any = 0;

	if (l->end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < l->end; s++) {
		int c = (unsigned char)*s, d;
		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = tolower(c) - 'a' + 10;
		else
			break;
		if (u > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
			diag(A, "number too large");
			return -1;
		}
		u = u * (uint64_t)base + (uint64_t)d;
		any = 1;
	}
	if (!any || (s < l->end && (isalpha((unsigned char)*s) || *s == '_'))) {
		diag(A, "bad number");
		return -1;
	}
	l->p = s;
	*v = (int64_t)u;
	return 0;
}

static int
unary(Asm *A, Lx *l, int64_t *v)
{
	int c = peek(l);

	if (c == '-' || c == '+' || c == '~') {
		l->p++;
		if (unary(A, l, v) < 0)
			return -1;
		if (c == '-')
			*v = (int64_t)(0 - (uint64_t)*v);
		else if (c == '~')
			*v = ~*v;
		return 0;
	}
	if (c == '(') {
		l->p++;
		if (expr(A, l, v) < 0)
			return -1;
		if (!accept(l, ')')) {
			diag(A, "missing )");
			return -1;
		}
		return 0;
	}
	if (c >= 0 && isdigit(c))
		return number(A, l, v);
	diag(A, "expected a number");
	return -1;
}

/* expr: unary { (+|-|*) unary }, evaluated left to right in 64 bits. */
static int
expr(Asm *A, Lx *l, int64_t *v)
{
	int64_t w;
	int c;

	if (unary(A, l, v) < 0)
		return -1;
	for (;;) {
		c = peek(l);
		if (c != '+' && c != '-' && c != '*')
			return 0;
		l->p++;
		if (unary(A, l, &w) < 0)
			return -1;
		if (c == '+')
			*v = (int64_t)((uint64_t)*v + (uint64_t)w);
		else if (c == '-')
			*v = (int64_t)((uint64_t)*v - (uint64_t)w);
		else
			*v = (int64_t)((uint64_t)*v * (uint64_t)w);
	}
}

/* An expression that must fit in [lo, hi]. */
static int
rexpr(Asm *A, Lx *l, int64_t lo, int64_t hi, const char *what, int64_t *v)
{
	if (expr(A, l, v) < 0)
		return -1;
	if (*v < lo || *v > hi) {
		diag(A, "%s %lld out of range", what, (long long)*v);
		return -1;
	}
	return 0;
}

static int
comma(Asm *A, Lx *l)
{
	if (accept(l, ','))
		return 0;
	diag(A, "expected ,");
	return -1;
}

static int
endline(Asm *A, Lx *l)
{
	if (atend(l))
		return 0;
	diag(A, "unexpected text '%.*s'", (int)(l->end - l->p > 20 ? 20 : l->end - l->p), l->p);
	return -1;
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

/* A quoted string with escapes; *out is malloc'd and NUL-terminated, *n its
 * length (which may include NUL bytes from \z). */
static int
qstring(Asm *A, Lx *l, char **out, size_t *n)
{
	char *buf;
	size_t k = 0;

	if (!accept(l, '"')) {
		diag(A, "expected a quoted string");
		return -1;
	}
	buf = malloc((size_t)(l->end - l->p) + 1);
	if (buf == NULL) {
		diag(A, "out of memory");
		return -1;
	}
	for (;;) {
		int c;
		if (l->p >= l->end) {
			free(buf);
			diag(A, "unterminated string");
			return -1;
		}
		c = (unsigned char)*l->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (l->p >= l->end) {
				free(buf);
				diag(A, "unterminated string");
				return -1;
			}
			c = (unsigned char)*l->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'a': c = '\a'; break;
			case 'v': c = '\v'; break;
			case 'z': case '0': c = 0; break;
			case '\\': case '"': case '\'': break;
			case 'x':
				if (l->end - l->p < 2 || hexval(l->p[0]) < 0 || hexval(l->p[1]) < 0) {
					free(buf);
					diag(A, "bad \\x escape (two hex digits expected)");
					return -1;
				}
				c = hexval(l->p[0]) << 4 | hexval(l->p[1]);
				l->p += 2;
				break;
			default:
				free(buf);
				diag(A, "unknown escape \\%c", c);
				return -1;
			}
		}
		buf[k++] = (char)c;
	}
	buf[k] = 0;
	*out = buf;
	if (n)
		*n = k;
	return 0;
}

/* A string that must not hold NUL bytes (names). */
static int
name(Asm *A, Lx *l, char **out)
{
	size_t n;

	if (qstring(A, l, out, &n) < 0)
		return -1;
	if (strlen(*out) != n) {
		free(*out);
		*out = NULL;
		diag(A, "name contains a NUL byte");
		return -1;
	}
	return 0;
}

/* `@mp+expr` or `@ldt+expr` (the offset part optional). */
static int
segoff(Asm *A, Lx *l, const char *want, int64_t *off)
{
	char seg[16];

	*off = 0;
	if (!accept(l, '@') || !ident(l, seg, sizeof seg)) {
		diag(A, "expected @%s", want);
		return -1;
	}
	if (strcmp(seg, want) != 0) {
		diag(A, "expected @%s, not @%s", want, seg);
		return -1;
	}
	if (peek(l) == '+' || peek(l) == '-') {
		int neg = *l->p == '-';
		l->p++;
		if (rexpr(A, l, 0, neg ? -(int64_t)DIS_OPMIN : DIS_OPMAX, "offset", off) < 0)
			return -1;
		if (neg)
			*off = -*off;
	}
	return 0;
}

/* Which segment a `@seg` argument names, without consuming it. */
static int
peekseg(Lx *l, const char *seg)
{
	size_t n = strlen(seg);
	const char *p;

	skipws(l);
	p = l->p;
	if (p >= l->end || *p != '@' || (size_t)(l->end - p - 1) < n || strncmp(p + 1, seg, n) != 0)
		return 0;
	p += 1 + n;
	return p >= l->end || !isidchar((unsigned char)*p);
}

static int
operand(Asm *A, Lx *l, Opnd *o)
{
	char reg[16];
	int64_t e1, e2;
	int c;

	memset(o, 0, sizeof *o);
	c = peek(l);
	if (c == -1 || c == ',')
		return 0;
	if (c == '$') {
		l->p++;
		if (isidstart(peek(l))) {
			o->kind = OLABEL;
			ident(l, o->label, sizeof o->label);
			return 0;
		}
		o->kind = OIMM;
		return rexpr(A, l, DIS_OPMIN, DIS_OPMAX, "operand", &o->a);
	}
	if (c == '-' && l->end - l->p >= 2 && l->p[1] == '$') {
		/* limbo's -$n: a negated import offset, encoded as -(n+1). */
		l->p += 2;
		if (rexpr(A, l, 0, DIS_OPMAX, "operand", &e1) < 0)
			return -1;
		o->kind = OIMM;
		o->a = -(e1 + 1);
		return 0;
	}
	if (isidstart(c)) {
		o->kind = OLABEL;
		ident(l, o->label, sizeof o->label);
		return 0;
	}
	if (rexpr(A, l, DIS_OPMIN, DIS_OPMAX, "operand", &e1) < 0)
		return -1;
	if (!accept(l, '(')) {
		diag(A, "bad operand (expected $n, n(fp), n(mp), n(m(fp)) or n(m(mp)))");
		return -1;
	}
	if (ident(l, reg, sizeof reg)) {
		if (strcmp(reg, "fp") != 0 && strcmp(reg, "mp") != 0) {
			diag(A, "bad register '%s' (fp or mp)", reg);
			return -1;
		}
		if (!accept(l, ')')) {
			diag(A, "missing )");
			return -1;
		}
		o->kind = ODIR;
		o->fp = reg[0] == 'f';
		o->a = e1;
		return 0;
	}
	if (rexpr(A, l, DIS_OPMIN, DIS_OPMAX, "operand", &e2) < 0)
		return -1;
	if (!accept(l, '(') || !ident(l, reg, sizeof reg) ||
	    (strcmp(reg, "fp") != 0 && strcmp(reg, "mp") != 0) || !accept(l, ')') || !accept(l, ')')) {
		diag(A, "bad indirect operand (expected n(m(fp)) or n(m(mp)))");
		return -1;
	}
	o->kind = OIND;
	o->fp = reg[0] == 'f';
	o->a = e2;
	o->b = e1;
	return 0;
}

static int
addfix(Asm *A, int32_t pc, int slot, const char *label)
{
	Fixup *f;

	if (more(A, &A->fix, A->nfix, &A->afix, sizeof *A->fix) < 0)
		return -1;
	f = &A->fix[A->nfix];
	f->name = strdup(label);
	if (f->name == NULL) {
		diag(A, "out of memory");
		return -1;
	}
	f->pc = pc;
	f->slot = slot;
	f->line = A->line;
	A->nfix++;
	return 0;
}

/* Mode bits of a source/destination operand. */
static int
sdmode(const Opnd *o)
{
	switch (o->kind) {
	case OIMM: case OLABEL: return DIS_AIMM;
	case ODIR: return o->fp ? DIS_AFP : DIS_AMP;
	case OIND: return DIS_AIND | (o->fp ? DIS_AFP : DIS_AMP);
	}
	return DIS_AXXX;
}

static int
nslots(int set)
{
	return !!(set & DIS_SLOT_S) + !!(set & DIS_SLOT_M) + !!(set & DIS_SLOT_D);
}

static const char *
slotname(int bit)
{
	return bit == DIS_SLOT_S ? "source" : bit == DIS_SLOT_M ? "middle" : "destination";
}

static int
instruction(Asm *A, Lx *l, int op)
{
	Opnd o[3], none;
	Opnd *s = &none, *mid = &none, *d = &none;
	int n = 0, slots, bit, k, need, may, have, given;
	const char *why;
	DisInst *in;
	int32_t pc = A->m->ninst;

	memset(&none, 0, sizeof none);
	if (!atend(l)) {
		for (;;) {
			if (n == 3) {
				diag(A, "too many operands");
				return -1;
			}
			if (operand(A, l, &o[n]) < 0)
				return -1;
			n++;
			if (!accept(l, ','))
				break;
		}
		if (endline(A, l) < 0)
			return -1;
	}
	if (n < 3)
		for (k = 0; k < n; k++)
			if (o[k].kind == ONONE) {
				diag(A, "missing operand");
				return -1;
			}
	need = dis_op_need(op);
	may = dis_op_may(op);
	if (n < 3 && n < nslots(need)) {
		/* Operands are written in slot order, so the ones given
		 * are the first required ones and the next is missing. */
		for (k = 0, bit = DIS_SLOT_S; bit; bit >>= 1)
			if ((need & bit) && k++ == n)
				break;
		diag(A, "%s: missing %s operand", dis_op_name(op), slotname(bit));
		return -1;
	}
	for (k = given = 0; k < n; k++)
		given += o[k].kind != ONONE;
	if (given > nslots(may)) {
		diag(A, "%s: too many operands (takes %d)", dis_op_name(op), nslots(may));
		return -1;
	}
	slots = dis_text_slots(op, n);
	for (k = 0, bit = 4; bit; bit >>= 1) {
		if (!(slots & bit))
			continue;
		if (bit == 4) s = &o[k++];
		else if (bit == 2) mid = &o[k++];
		else d = &o[k++];
	}
	have = (s->kind != ONONE ? DIS_SLOT_S : 0) | (mid->kind != ONONE ? DIS_SLOT_M : 0) |
	       (d->kind != ONONE ? DIS_SLOT_D : 0);
	if ((why = dis_op_operands_bad(op, have)) != NULL) {
		diag(A, "%s: %s", dis_op_name(op), why);
		return -1;
	}
	if (mid->kind == OIND) {
		diag(A, "middle operand cannot be indirect");
		return -1;
	}
	if (more(A, &A->m->inst, A->m->ninst, &A->ainst, sizeof *A->m->inst) < 0 ||
	    more(A, &A->iline, A->m->ninst, &A->ailine, sizeof *A->iline) < 0)
		return -1;
	in = &A->m->inst[pc];
	memset(in, 0, sizeof *in);
	in->op = (uint8_t)op;
	in->add = (uint8_t)(sdmode(s) << 3 | sdmode(d));
	switch (mid->kind) {
	case OIMM: case OLABEL: in->add |= DIS_AXIMM; break;
	case ODIR: in->add |= mid->fp ? DIS_AXINF : DIS_AXINM; break;
	}
	in->s.a = (int32_t)s->a;
	in->s.b = (int32_t)s->b;
	in->m.a = (int32_t)mid->a;
	in->d.a = (int32_t)d->a;
	in->d.b = (int32_t)d->b;
	if ((s->kind == OLABEL && addfix(A, pc, 's', s->label) < 0) ||
	    (mid->kind == OLABEL && addfix(A, pc, 'm', mid->label) < 0) ||
	    (d->kind == OLABEL && addfix(A, pc, 'd', d->label) < 0))
		return -1;
	A->iline[pc] = A->line;
	A->m->ninst++;
	return 0;
}

static DisData *
newdata(Asm *A, int kind, int64_t off)
{
	DisData *d;

	if (more(A, &A->m->data, A->m->ndata, &A->adata, sizeof *A->m->data) < 0 ||
	    more(A, &A->dline, A->m->ndata, &A->adline, sizeof *A->dline) < 0)
		return NULL;
	d = &A->m->data[A->m->ndata];
	memset(d, 0, sizeof *d);
	d->kind = (uint8_t)kind;
	d->offset = (int32_t)off;
	d->count = DIS_DATA_MARKCOUNT;
	A->dline[A->m->ndata] = A->line;
	A->m->ndata++;
	A->split = 0;
	return d;
}

/* byte/word/long/real/realbits: a list of values, merged into the previous
 * item when it is of the same kind and ends where this one starts. */
static int
datalist(Asm *A, Lx *l, int kind, int bits)
{
	int64_t off, v;
	size_t esz = kind == DIS_DEFB ? 1 : kind == DIS_DEFW ? 4 : 8;
	size_t n = 0, cap = 0;
	uint8_t *vals = NULL;
	DisData *d, *prev;

	if (segoff(A, l, "mp", &off) < 0)
		return -1;
	while (accept(l, ',')) {
		uint8_t tmp[8];
		if (kind == DIS_DEFF && !bits) {
			char word[16];
			const char *p0 = l->p;
			double r;
			int neg = 0;
			if (peek(l) == '-' || peek(l) == '+')
				neg = *l->p++ == '-';
			if (isalpha(peek(l))) {
				ident(l, word, sizeof word);
				if (strcmp(word, "Inf") == 0 || strcmp(word, "Infinity") == 0)
					r = neg ? -INFINITY : INFINITY;
				else if (strcmp(word, "NaN") == 0 && !neg) {
					uint64_t u = 0x7FFFFFFFFFFFFFFFull;
					memcpy(&r, &u, 8);
				} else {
					diag(A, "bad value for real: %s", word);
					goto fail;
				}
			} else {
				char *e;
				l->p = p0;
				skipws(l);
				r = strtod(l->p, &e);
				if (e == l->p || e > l->end) {
					diag(A, "bad value for real");
					goto fail;
				}
				l->p = e;
			}
			memcpy(tmp, &r, 8);
		} else if (kind == DIS_DEFB) {
			if (rexpr(A, l, -128, 255, "byte", &v) < 0)
				goto fail;
			tmp[0] = (uint8_t)v;
		} else if (kind == DIS_DEFW) {
			if (rexpr(A, l, INT32_MIN, UINT32_MAX, "word", &v) < 0)
				goto fail;
			int32_t w = (int32_t)(uint32_t)v;
			memcpy(tmp, &w, 4);
		} else {
			if (expr(A, l, &v) < 0)
				goto fail;
			memcpy(tmp, &v, 8);
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			uint8_t *nv = realloc(vals, nc * esz);
			if (nv == NULL) {
				diag(A, "out of memory");
				goto fail;
			}
			vals = nv;
			cap = nc;
		}
		memcpy(vals + n * esz, tmp, esz);
		n++;
		if (n > (size_t)DIS_OPMAX / 8) {
			diag(A, "too many values");
			goto fail;
		}
	}
	if (endline(A, l) < 0)
		goto fail;
	prev = A->m->ndata ? &A->m->data[A->m->ndata - 1] : NULL;
	if (!A->split && prev && prev->kind == kind && prev->count > 0 && n > 0 &&
	    (int64_t)prev->offset + dis_data_extent(kind, prev->count) == off) {
		d = prev;
		A->split = 0;
	} else {
		d = newdata(A, kind, off);
		if (d == NULL)
			goto fail;
		d->count = 0;
	}
	if (d->count > 0 && (size_t)d->count + n > (size_t)DIS_OPMAX / 8) {
		diag(A, "too many values");
		goto fail;
	}
	{
		size_t total = (size_t)d->count + n;
		void *np = realloc(d->u.bytes, total ? total * esz : 1);
		if (np == NULL) {
			diag(A, "out of memory");
			goto fail;
		}
		d->u.bytes = np;
		if (n > 0)
			memcpy((uint8_t *)np + (size_t)d->count * esz, vals, n * esz);
		d->count = (int32_t)total;
	}
	if (A->depth == 0 && (off < 0 || off + (int64_t)(n * esz) > DIS_OPMAX)) {
		diag(A, "data offset %lld out of range", (long long)off);
		goto fail;
	}
	free(vals);
	return 0;
fail:
	free(vals);
	return -1;
}

static int
datastring(Asm *A, Lx *l)
{
	int64_t off;
	char *s;
	size_t n;
	DisData *d;

	if (segoff(A, l, "mp", &off) < 0 || comma(A, l) < 0 || qstring(A, l, &s, &n) < 0)
		return -1;
	if (endline(A, l) < 0 || (d = newdata(A, DIS_DEFS, off)) == NULL) {
		free(s);
		return -1;
	}
	d->count = (int32_t)n;
	d->u.bytes = (uint8_t *)s;
	return 0;
}

/* ldts @ldt,size / word @ldt+off,n / ext @ldt+off,sig,"name": the import section. */
static void
ldtcheck(Asm *A)
{
	DisImportModule *im;

	if (A->m->nimport == 0 || A->ldtline == 0)
		return;
	im = &A->m->import[A->m->nimport - 1];
	if (im->nfunc != A->ldtwant)
		diagat(A, A->ldtline, "import module announces %d functions but %d ext lines follow",
		       A->ldtwant, im->nfunc);
	A->ldtline = 0;
}

static int
ldtword(Asm *A, Lx *l)
{
	int64_t off, n;

	if (segoff(A, l, "ldt", &off) < 0 || comma(A, l) < 0 ||
	    rexpr(A, l, 0, DIS_OPMAX, "function count", &n) < 0 || endline(A, l) < 0)
		return -1;
	ldtcheck(A);
	if (more(A, &A->m->import, A->m->nimport, &A->aimport, sizeof *A->m->import) < 0)
		return -1;
	memset(&A->m->import[A->m->nimport], 0, sizeof A->m->import[0]);
	A->m->nimport++;
	A->have_ldt = 1;
	A->ldtline = A->line;
	A->ldtwant = (int32_t)n;
	return 0;
}

static int
ldtext(Asm *A, Lx *l)
{
	int64_t off, sig;
	char *nm;
	DisImportModule *im;
	DisImport *f;

	if (segoff(A, l, "ldt", &off) < 0 || comma(A, l) < 0 ||
	    rexpr(A, l, INT32_MIN, UINT32_MAX, "signature", &sig) < 0 || comma(A, l) < 0 ||
	    name(A, l, &nm) < 0)
		return -1;
	if (endline(A, l) < 0) {
		free(nm);
		return -1;
	}
	if (A->m->nimport == 0) {
		free(nm);
		diag(A, "ext before any `word @ldt` naming its module");
		return -1;
	}
	im = &A->m->import[A->m->nimport - 1];
	f = realloc(im->func, (size_t)(im->nfunc + 1) * sizeof *f);
	if (f == NULL) {
		free(nm);
		diag(A, "out of memory");
		return -1;
	}
	im->func = f;
	f[im->nfunc].sig = (uint32_t)sig;
	f[im->nfunc].name = nm;
	im->nfunc++;
	return 0;
}

/* Checks that the last exception got the labels it announced. */
static void
exccheck(Asm *A)
{
	int32_t k = A->m->nhandler - 1;

	if (k < 0 || A->excline == 0)
		return;
	if (A->m->handler[k].nlab != A->hwant[k])
		diagat(A, A->hline[k], "exception announces %d labels but %d exctab lines name one",
		       A->hwant[k], A->m->handler[k].nlab);
	A->excline = 0;
}

static int
exception(Asm *A, Lx *l)
{
	int64_t v[6];
	int i;
	DisHandler *h;

	for (i = 0; i < 6; i++) {
		if (i > 0 && comma(A, l) < 0)
			return -1;
		if (rexpr(A, l, DIS_OPMIN, DIS_OPMAX, "value", &v[i]) < 0)
			return -1;
	}
	if (endline(A, l) < 0)
		return -1;
	if (v[4] < 0 || v[4] > 0xFFFF || v[5] < 0 || v[5] > v[4]) {
		diag(A, "bad label counts %lld, %lld", (long long)v[4], (long long)v[5]);
		return -1;
	}
	exccheck(A);
	if (more(A, &A->m->handler, A->m->nhandler, &A->ahandler, sizeof *A->m->handler) < 0 ||
	    more(A, &A->hwant, A->m->nhandler, &A->ahwant, sizeof *A->hwant) < 0 ||
	    more(A, &A->hline, A->m->nhandler, &A->ahline, sizeof *A->hline) < 0)
		return -1;
	h = &A->m->handler[A->m->nhandler];
	memset(h, 0, sizeof *h);
	h->pc1 = (int32_t)v[0];
	h->pc2 = (int32_t)v[1];
	h->eoff = (int32_t)v[2];
	h->descid = (int32_t)v[3];
	h->ne = (int32_t)v[5];
	h->wildpc = -1;
	h->lab = calloc((size_t)v[4] + 1, sizeof h->lab[0]);
	if (h->lab == NULL) {
		diag(A, "out of memory");
		return -1;
	}
	A->hwant[A->m->nhandler] = (int32_t)v[4];
	A->hline[A->m->nhandler] = A->line;
	A->m->nhandler++;
	A->excline = A->line;
	A->have_exc = 1;
	return 0;
}

static int
exctab(Asm *A, Lx *l)
{
	DisHandler *h;
	char *nm = NULL;
	int64_t pc;
	int32_t k = A->m->nhandler - 1;

	if (k < 0) {
		diag(A, "exctab outside an exception");
		return -1;
	}
	h = &A->m->handler[k];
	if (accept(l, '*')) {
		if (comma(A, l) < 0 || rexpr(A, l, -1, DIS_OPMAX, "pc", &pc) < 0 || endline(A, l) < 0)
			return -1;
		h->wildpc = (int32_t)pc;
		return 0;
	}
	if (name(A, l, &nm) < 0)
		return -1;
	if (comma(A, l) < 0 || rexpr(A, l, 0, DIS_OPMAX, "pc", &pc) < 0 || endline(A, l) < 0) {
		free(nm);
		return -1;
	}
	if (h->nlab >= A->hwant[k]) {
		free(nm);
		diag(A, "more exctab labels than the exception announces (%d)", A->hwant[k]);
		return -1;
	}
	h->lab[h->nlab].name = nm;
	h->lab[h->nlab].pc = (int32_t)pc;
	h->nlab++;
	return 0;
}

static int
desc(Asm *A, Lx *l)
{
	int64_t id, size;
	char *hex;
	size_t n, i;
	DisType *t;

	if (!accept(l, '$')) {
		diag(A, "expected $id");
		return -1;
	}
	if (rexpr(A, l, 0, 1 << 20, "type id", &id) < 0 || comma(A, l) < 0 ||
	    rexpr(A, l, 0, DIS_OPMAX, "type size", &size) < 0)
		return -1;
	hex = NULL;
	n = 0;
	if (accept(l, ',') && qstring(A, l, &hex, &n) < 0)
		return -1;
	if (endline(A, l) < 0 || n % 2 != 0) {
		if (n % 2 != 0)
			diag(A, "pointer map must be an even number of hex digits");
		free(hex);
		return -1;
	}
	while (A->atype <= id) {
		int32_t old = A->atype;
		if (more(A, &A->m->type, A->atype, &A->atype, sizeof *A->m->type) < 0 ||
		    more(A, &A->tline, old, &A->atline, sizeof *A->tline) < 0) {
			free(hex);
			return -1;
		}
	}
	if (A->tline[id] != 0) {
		free(hex);
		diag(A, "duplicate type $%lld (first at line %d)", (long long)id, A->tline[id]);
		return -1;
	}
	t = &A->m->type[id];
	t->id = (int32_t)id;
	t->size = (int32_t)size;
	t->nmap = (int32_t)(n / 2);
	t->map = malloc(n / 2 + 1);
	if (t->map == NULL) {
		free(hex);
		diag(A, "out of memory");
		return -1;
	}
	A->tline[id] = A->line;
	if (id + 1 > A->maxtype)
		A->maxtype = (int32_t)id + 1;   /* from here on dis_module_free frees map */
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(hex);
			diag(A, "bad hex digit in pointer map");
			return -1;
		}
		t->map[i] = (uint8_t)(hi << 4 | lo);
	}
	free(hex);
	return 0;
}

static int
linkdir(Asm *A, Lx *l)
{
	int64_t d, pc, sig;
	char *nm;
	DisLink *k;

	if (rexpr(A, l, -1, DIS_OPMAX, "type", &d) < 0 || comma(A, l) < 0 ||
	    rexpr(A, l, -1, DIS_OPMAX, "pc", &pc) < 0 || comma(A, l) < 0 ||
	    rexpr(A, l, INT32_MIN, UINT32_MAX, "signature", &sig) < 0 || comma(A, l) < 0 ||
	    name(A, l, &nm) < 0)
		return -1;
	if (endline(A, l) < 0 ||
	    more(A, &A->m->link, A->m->nlink, &A->alink, sizeof *A->m->link) < 0) {
		free(nm);
		return -1;
	}
	k = &A->m->link[A->m->nlink++];
	k->desc = (int32_t)d;
	k->pc = (int32_t)pc;
	k->sig = (uint32_t)sig;
	k->name = nm;
	return 0;
}

/* The optional ",count" after array, indir and apop (the ignored count field). */
static int
markcount(Asm *A, Lx *l, int64_t *c)
{
	*c = DIS_DATA_MARKCOUNT;
	if (accept(l, ',') && rexpr(A, l, 0, DIS_OPMAX, "count", c) < 0)
		return -1;
	return endline(A, l);
}

static int
setonce(Asm *A, int *flag, const char *what)
{
	if (*flag) {
		diag(A, "duplicate %s directive", what);
		return -1;
	}
	*flag = A->line;
	return 0;
}

static int
directive(Asm *A, Lx *l, const char *kw)
{
	int64_t v, w;
	DisData *d;
	DisModule *m = A->m;

	if (strcmp(kw, "byte") == 0)
		return datalist(A, l, DIS_DEFB, 0);
	if (strcmp(kw, "word") == 0) {
		if (peekseg(l, "ldt"))
			return ldtword(A, l);
		return datalist(A, l, DIS_DEFW, 0);
	}
	if (strcmp(kw, "long") == 0)
		return datalist(A, l, DIS_DEFL, 0);
	if (strcmp(kw, "real") == 0)
		return datalist(A, l, DIS_DEFF, 0);
	if (strcmp(kw, "realbits") == 0)
		return datalist(A, l, DIS_DEFF, 1);
	if (strcmp(kw, "string") == 0)
		return datastring(A, l);
	if (strcmp(kw, "array") == 0) {
		int64_t t, n;
		if (segoff(A, l, "mp", &v) < 0 || comma(A, l) < 0 || !accept(l, '$')) {
			if (!A->nerr)
				diag(A, "expected $type");
			return -1;
		}
		if (rexpr(A, l, 0, INT32_MAX, "type", &t) < 0 || comma(A, l) < 0 ||
		    rexpr(A, l, 0, INT32_MAX, "array length", &n) < 0 || markcount(A, l, &w) < 0)
			return -1;
		if ((d = newdata(A, DIS_DEFA, v)) == NULL)
			return -1;
		d->u.array.type = (int32_t)t;
		d->u.array.len = (int32_t)n;
		d->count = (int32_t)w;
		return 0;
	}
	if (strcmp(kw, "indir") == 0) {
		int64_t c;
		if (segoff(A, l, "mp", &v) < 0 || comma(A, l) < 0 ||
		    rexpr(A, l, 0, INT32_MAX, "index", &w) < 0 || markcount(A, l, &c) < 0)
			return -1;
		if ((d = newdata(A, DIS_DIND, v)) == NULL)
			return -1;
		d->u.index = (int32_t)w;
		d->count = (int32_t)c;
		A->depth++;
		return 0;
	}
	if (strcmp(kw, "apop") == 0) {
		v = 0;
		w = DIS_DATA_MARKCOUNT;
		if (!atend(l) && (segoff(A, l, "mp", &v) < 0 || markcount(A, l, &w) < 0))
			return -1;
		if (endline(A, l) < 0)
			return -1;
		if (A->depth == 0) {
			diag(A, "apop without indir");
			return -1;
		}
		A->depth--;
		if ((d = newdata(A, DIS_DAPOP, v)) == NULL)
			return -1;
		d->count = (int32_t)w;
		return 0;
	}
	if (strcmp(kw, "split") == 0) {
		A->split = 1;
		return endline(A, l);
	}
	if (strcmp(kw, "var") == 0) {
		if (setonce(A, &A->have_var, "var") < 0 || segoff(A, l, "mp", &v) < 0 ||
		    comma(A, l) < 0 || rexpr(A, l, 0, DIS_OPMAX, "data size", &w) < 0)
			return -1;
		m->data_size = (int32_t)w;
		return endline(A, l);
	}
	if (strcmp(kw, "desc") == 0)
		return desc(A, l);
	if (strcmp(kw, "link") == 0)
		return linkdir(A, l);
	if (strcmp(kw, "entry") == 0) {
		if (setonce(A, &A->have_entry, "entry") < 0 ||
		    rexpr(A, l, -1, DIS_OPMAX, "entry pc", &v) < 0 || comma(A, l) < 0 ||
		    rexpr(A, l, -1, DIS_OPMAX, "entry type", &w) < 0)
			return -1;
		m->entry_pc = (int32_t)v;
		m->entry_type = (int32_t)w;
		return endline(A, l);
	}
	if (strcmp(kw, "module") == 0) {
		char buf[256];
		if (setonce(A, &A->have_module, "module") < 0)
			return -1;
		if (peek(l) == '"') {
			if (name(A, l, &m->name) < 0)
				return -1;
		} else if (ident(l, buf, sizeof buf)) {
			m->name = strdup(buf);
			if (m->name == NULL) {
				diag(A, "out of memory");
				return -1;
			}
		} else {
			diag(A, "expected a module name");
			return -1;
		}
		return endline(A, l);
	}
	if (strcmp(kw, "source") == 0) {
		if (m->srcpath != NULL) {
			diag(A, "duplicate source directive");
			return -1;
		}
		if (name(A, l, &m->srcpath) < 0)
			return -1;
		return endline(A, l);
	}
	if (strcmp(kw, "ldts") == 0) {
		if (segoff(A, l, "ldt", &v) < 0 || comma(A, l) < 0 ||
		    rexpr(A, l, 0, DIS_OPMAX, "size", &w) < 0)
			return -1;
		A->have_ldt = 1;
		return endline(A, l);
	}
	if (strcmp(kw, "ext") == 0)
		return ldtext(A, l);
	if (strcmp(kw, "exceptions") == 0) {
		if (rexpr(A, l, 0, DIS_OPMAX, "count", &v) < 0)
			return -1;
		A->have_exc = 1;
		return endline(A, l);
	}
	if (strcmp(kw, "exception") == 0)
		return exception(A, l);
	if (strcmp(kw, "exctab") == 0)
		return exctab(A, l);
	if (strcmp(kw, "flags") == 0) {
		if (setonce(A, &A->have_flags, "flags") < 0 ||
		    rexpr(A, l, 0, DIS_OPMAX, "flags", &v) < 0)
			return -1;
		if (v & DIS_HASLDT0) {
			diag(A, "flag HASLDT0 (16) is obsolete");
			return -1;
		}
		m->rt = (int32_t)v;
		return endline(A, l);
	}
	if (strcmp(kw, "stack") == 0) {
		if (setonce(A, &A->have_stack, "stack") < 0 ||
		    rexpr(A, l, 0, DIS_OPMAX, "stack extent", &v) < 0)
			return -1;
		m->ss = (int32_t)v;
		return endline(A, l);
	}
	if (strcmp(kw, "signed") == 0) {
		char *hex;
		size_t n, i;
		if (m->magic == DIS_SMAGIC) {
			diag(A, "duplicate signed directive");
			return -1;
		}
		if (qstring(A, l, &hex, &n) < 0)
			return -1;
		if (endline(A, l) < 0 || n % 2) {
			if (n % 2)
				diag(A, "signature must be an even number of hex digits");
			free(hex);
			return -1;
		}
		m->sig = malloc(n / 2 + 1);
		if (m->sig == NULL) {
			free(hex);
			diag(A, "out of memory");
			return -1;
		}
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				free(hex);
				free(m->sig);  /* not signed: a later directive would allocate again */
				m->sig = NULL;
				diag(A, "bad hex digit in signature");
				return -1;
			}
			m->sig[i] = (uint8_t)(hi << 4 | lo);
		}
		free(hex);
		m->siglen = (int32_t)(n / 2);
		m->magic = DIS_SMAGIC;
		return 0;
	}
	diag(A, "unknown mnemonic or directive '%s'", kw);
	return -1;
}

static int
deflabel(Asm *A, const char *nm)
{
	int i;
	Label *lb;

	for (i = 0; i < A->nlab; i++)
		if (strcmp(A->lab[i].name, nm) == 0) {
			diag(A, "label %s redefined (first at line %d)", nm, A->lab[i].line);
			return -1;
		}
	if (more(A, &A->lab, A->nlab, &A->alab, sizeof *A->lab) < 0)
		return -1;
	lb = &A->lab[A->nlab];
	lb->name = strdup(nm);
	if (lb->name == NULL) {
		diag(A, "out of memory");
		return -1;
	}
	lb->pc = A->m->ninst;
	lb->line = A->line;
	A->nlab++;
	return 0;
}

/* Strips a # comment (outside strings) from [p, end); returns the new end. */
static const char *
uncomment(const char *p, const char *end)
{
	int instr = 0;
	const char *q;

	for (q = p; q < end; q++) {
		if (instr) {
			if (*q == '\\' && q + 1 < end)
				q++;
			else if (*q == '"')
				instr = 0;
		} else if (*q == '"')
			instr = 1;
		else if (*q == '#')
			return q;
	}
	return end;
}

static void
statement(Asm *A, const char *p, const char *end)
{
	Lx lx, *l = &lx;
	char kw[64];
	int op;

	l->p = p;
	l->end = uncomment(p, end);
	if (atend(l))
		return;
	if (!ident(l, kw, sizeof kw)) {
		diag(A, "syntax error near '%.*s'", (int)(l->end - l->p > 20 ? 20 : l->end - l->p), l->p);
		return;
	}
	if (accept(l, ':')) {
		if (deflabel(A, kw) < 0 || atend(l))
			return;
		if (!ident(l, kw, sizeof kw)) {
			diag(A, "syntax error after label");
			return;
		}
	}
	op = dis_op_lookup(kw);
	if (op >= 0) {
		instruction(A, l, op);
		return;
	}
	directive(A, l, kw);
}

static int32_t
findlabel(Asm *A, const char *nm)
{
	int i;

	for (i = 0; i < A->nlab; i++)
		if (strcmp(A->lab[i].name, nm) == 0)
			return A->lab[i].pc;
	return -1;
}

/* Whole-file checks with line numbers. */
static void
finish(Asm *A)
{
	DisModule *m = A->m;
	int32_t i;

	ldtcheck(A);
	exccheck(A);
	for (i = 0; i < A->nfix; i++) {
		Fixup *f = &A->fix[i];
		int32_t pc = findlabel(A, f->name);
		DisInst *in = &m->inst[f->pc];
		if (pc < 0) {
			diagat(A, f->line, "undefined label %s", f->name);
			continue;
		}
		if (f->slot == 's')
			in->s.a = pc;
		else if (f->slot == 'm')
			in->m.a = pc;
		else
			in->d.a = pc;
	}
	for (i = 0; i < m->ntype; i++)
		if (A->tline[i] == 0)
			diagat(A, A->tline[m->ntype - 1], "type $%d is not defined (types must be numbered 0..%d)",
			       i, m->ntype - 1);
	if (m->data_size != 0 && (m->ntype == 0 || m->type[0].size != m->data_size))
		diagat(A, A->have_var, "data size %d differs from the size of type $0 (%d)",
		       m->data_size, m->ntype ? m->type[0].size : -1);
	for (i = 0; i < m->ninst; i++) {
		DisInst *in = &m->inst[i];
		int line = A->iline[i], ty;
		int sm = DIS_USRC(in->add), dm = DIS_UDST(in->add);
		if ((sm == DIS_AMP || sm == (DIS_AIND | DIS_AMP)) && (in->s.a < 0 || in->s.a >= m->data_size))
			diagat(A, line, "mp operand %d out of range (data size %d)", in->s.a, m->data_size);
		if (DIS_UMID(in->add) == DIS_AXINM && (in->m.a < 0 || in->m.a >= m->data_size))
			diagat(A, line, "mp operand %d out of range (data size %d)", in->m.a, m->data_size);
		if ((dm == DIS_AMP || dm == (DIS_AIND | DIS_AMP)) && (in->d.a < 0 || in->d.a >= m->data_size))
			diagat(A, line, "mp operand %d out of range (data size %d)", in->d.a, m->data_size);
		if (dis_op_dst_is_pc(in->op)) {
			if (dm != DIS_AIMM)
				diagat(A, line, "%s needs an immediate destination pc", dis_op_name(in->op));
			else if (in->d.a < 0 || in->d.a >= m->ninst)
				diagat(A, line, "branch destination %d out of range (code size %d)",
				       in->d.a, m->ninst);
		}
		ty = dis_op_type_operand(in->op);
		if (ty == 's' && sm == DIS_AIMM && (in->s.a < 0 || in->s.a >= m->ntype))
			diagat(A, line, "undefined type $%d", in->s.a);
		if (ty == 'm' && DIS_UMID(in->add) == DIS_AXIMM && (in->m.a < 0 || in->m.a >= m->ntype))
			diagat(A, line, "undefined type $%d", in->m.a);
	}
	if (A->depth != 0)
		diag(A, "indir without apop");
	if (!A->have_module)
		diag(A, "no module directive");
	if (!A->have_flags)
		m->rt = dis_default_rt(A->have_ldt || m->nimport, A->have_exc || m->nhandler);
	if (!A->have_stack)
		m->ss = dis_default_ss(m);
	if (!A->have_entry) {
		m->entry_pc = -1;
		m->entry_type = -1;
	}
	if (m->srcpath == NULL)
		m->srcpath = strdup("");
}

static void
freeasm(Asm *A)
{
	int i;

	for (i = 0; i < A->nlab; i++)
		free(A->lab[i].name);
	for (i = 0; i < A->nfix; i++)
		free(A->fix[i].name);
	free(A->lab);
	free(A->fix);
	free(A->iline);
	free(A->dline);
	free(A->tline);
	free(A->hwant);
	free(A->hline);
}

DisModule *
dis_asm_report(const char *src, size_t len, const char *filename, FILE *diagf, AcErr *err)
{
	Asm a, *A = &a;
	const char *p, *end, *nl;
	DisModule *m, *back;
	uint8_t *buf;
	size_t blen;
	AcErr e2;

	memset(A, 0, sizeof *A);
	A->file = filename ? filename : "asm";
	A->err = err;
	A->diag = diagf;
	m = A->m = calloc(1, sizeof *m);
	if (m == NULL)
		return (void)ac_err_set(err, AC_ENOMEM, "%s: out of memory", A->file), NULL;
	m->magic = DIS_XMAGIC;
	m->entry_pc = m->entry_type = -1;
	p = src ? src : "";
	end = p + (src ? len : 0);
	while (p < end && A->nerr < MAXERR) {
		A->line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p > MAXLINE)
			diag(A, "line too long");
		else
			statement(A, p, nl);
		p = nl + 1;
	}
	m->ntype = A->maxtype;   /* entries below maxtype are allocated (zeroed if undefined) */
	if (A->nerr == 0)
		finish(A);
	if (A->nerr == 0) {
		/* The loader's checks, once more, on the encoded bytes. */
		if (dis_module_write(m, &buf, &blen, &e2) != AC_OK) {
			diag(A, "%s", e2.msg + (strncmp(e2.msg, "dis write: ", 11) == 0 ? 11 : 0));
		} else {
			back = dis_module_read(buf, blen, A->file, &e2);
			free(buf);
			if (back == NULL) {
				if (A->nerr == 0)
					ac_err_set(err, AC_EFORMAT, "%s", e2.msg);
				if (diagf)
					fprintf(diagf, "%s\n", e2.msg);
				A->nerr++;
			}
			dis_module_free(back);
		}
	}
	freeasm(A);
	if (A->nerr) {
		dis_module_free(m);
		return NULL;
	}
	return m;
}

DisModule *
dis_asm(const char *src, size_t len, const char *filename, AcErr *err)
{
	return dis_asm_report(src, len, filename, NULL, err);
}
