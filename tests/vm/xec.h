/*
 * Instruction tests for the Dis interpreter: each case is a small program
 * in Dis assembly, wrapped in a fixed module, assembled with bin/dis-as and
 * run with bin/dis-run; its standard output (and, for an uncaught
 * exception, the exact error line) is compared with the expected text.
 * Header-only; included once by each tests/vm/xec_*.c.
 *
 * The wrapper module (Xec):
 *   mp (1024 bytes): 0 $Sys, 4 "$Sys", 8 "%d\n", 12 "%bd\n", 16 "%g\n",
 *     20 "%s\n"; 24..124 more pointer words (strings, arrays, lists);
 *     128..1023 plain data (words, bigs, reals, case tables).
 *   init's frame (type 1, 1024 bytes): 32 ctxt, 36 argv, 40..92 pointer
 *     slots, 96 the frame being built for print, 100 print's result,
 *     104..1023 plain data.
 *   Types: 2 print(fmt, int), 3 print(fmt, big or real), 4 print(fmt,
 *     string); a case adds its own from $5 on.
 *   Code: pc 0 loads $Sys; the case's body follows from pc 1; then `ret`;
 *   then the case's other functions.
 * In the data text, {label} stands for the pc of a label in the code
 * (case tables and handler ranges need numbers).
 */
#ifndef TESTS_VM_XEC_H
#define TESTS_VM_XEC_H

#include "tests/test.h"
#include "tests/run.h"

#include <ctype.h>

#define DISAS "bin/dis-as"
#define DISRUN "bin/dis-run"
#define XEC_TIMEOUT_MS 10000

/* print("%d\n", X) for an int operand X, and its kin. */
#define PW(x) "\tframe $2,96(fp)\n\tmovp 8(mp),32(96(fp))\n\tmovw " x ",36(96(fp))\n" PCALL
#define PB(x) "\tframe $2,96(fp)\n\tmovp 8(mp),32(96(fp))\n\tcvtbw " x ",36(96(fp))\n" PCALL
#define PL(x) "\tframe $3,96(fp)\n\tmovp 12(mp),32(96(fp))\n\tmovl " x ",40(96(fp))\n" PCALL
#define PF(x) "\tframe $3,96(fp)\n\tmovp 16(mp),32(96(fp))\n\tmovf " x ",40(96(fp))\n" PCALL
#define PS(x) "\tframe $4,96(fp)\n\tmovp 20(mp),32(96(fp))\n\tmovp " x ",36(96(fp))\n" PCALL
#define PCALL "\tlea 100(fp),16(96(fp))\n\tmcall 96(fp),$0,0(mp)\n"

typedef struct XecCase {
	const char *body;   /* init's code, from pc 1 */
	const char *funcs;  /* code after init's ret */
	const char *data;   /* more directives; {label} is the label's pc */
	const char *out;    /* expected standard output */
	const char *exc;    /* expected uncaught exception, or NULL */
	const char *at;     /* label of the instruction that raises it */
	const char *err;    /* expected standard error otherwise ("%s": the .dis) */
	const char *args;   /* one dis-run option and its value, or NULL */
	const char *mpmap;  /* pointer map of module data, if not "ffffffff" */
	int status;         /* expected exit status when not 0 or 1 */
} XecCase;

#define XEC_MAXLAB 64

typedef struct XecLabels {
	int n;
	char name[XEC_MAXLAB][32];
	int pc[XEC_MAXLAB];
} XecLabels;

/* Records the labels of code text whose first instruction is at *pc. */
static inline void
xec_labels(XecLabels *L, const char *code, int *pc)
{
	const char *p = code;

	while (p != NULL && *p != 0) {
		const char *e = strchr(p, '\n'), *q = p, *h;
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		int ins = 0;

		h = memchr(p, '#', n);
		if (h != NULL)
			n = (size_t)(h - p);
		while (q < p + n && (*q == ' ' || *q == '\t'))
			q++;
		if (q < p + n && (isalpha((unsigned char)*q) || *q == '_')) {
			const char *r = q;
			while (r < p + n && (isalnum((unsigned char)*r) || *r == '_'))
				r++;
			if (r < p + n && *r == ':') {
				assert_true(L->n < XEC_MAXLAB && r - q < 32);
				memcpy(L->name[L->n], q, (size_t)(r - q));
				L->name[L->n][r - q] = 0;
				L->pc[L->n++] = *pc;
				q = r + 1;
			}
		}
		for (; q < p + n; q++)
			if (*q != ' ' && *q != '\t' && *q != '\r')
				ins = 1;
		*pc += ins;
		p = e != NULL ? e + 1 : NULL;
	}
}

static inline int
xec_label_pc(const XecLabels *L, const char *name, size_t len)
{
	for (int i = 0; i < L->n; i++)
		if (strlen(L->name[i]) == len && strncmp(L->name[i], name, len) == 0)
			return L->pc[i];
	print_error("undefined label %.*s in the test\n", (int)len, name);
	fail();
	return -1;
}

/* Writes the module for c to path; returns the label table. */
static inline void
xec_write(const char *path, const XecCase *c, XecLabels *L)
{
	FILE *f = fopen(path, "w");
	int pc = 1;

	assert_non_null(f);
	L->n = 0;
	xec_labels(L, c->body, &pc);
	pc++;  /* init's ret */
	xec_labels(L, c->funcs, &pc);
	fprintf(f, "\tload\t4(mp),$0,0(mp)\n%s\tret\n%s", c->body, c->funcs != NULL ? c->funcs : "");
	fputs("\tentry\t0, 1\n"
	      "\tdesc\t$0,1024,\"", f);
	fputs(c->mpmap != NULL ? c->mpmap : "ffffffff", f);
	fputs("\"\n"
	      "\tdesc\t$1,1024,\"00ffff\"\n"
	      "\tdesc\t$2,40,\"0080\"\n"
	      "\tdesc\t$3,48,\"0080\"\n"
	      "\tdesc\t$4,40,\"00c0\"\n"
	      "\tvar\t@mp,1024\n"
	      "\tstring\t@mp+4,\"$Sys\"\n"
	      "\tstring\t@mp+8,\"%d\\n\"\n"
	      "\tstring\t@mp+12,\"%bd\\n\"\n"
	      "\tstring\t@mp+16,\"%g\\n\"\n"
	      "\tstring\t@mp+20,\"%s\\n\"\n"
	      "\tmodule\tXec\n"
	      "\tlink\t1,0,0x4244b354,\"init\"\n"
	      "\tldts\t@ldt,12\n"
	      "\tword\t@ldt+0,1\n"
	      "\text\t@ldt+4,0xac849033,\"print\"\n", f);
	for (const char *p = c->data != NULL ? c->data : ""; *p != 0; p++) {
		const char *e;
		if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			fprintf(f, "%d", xec_label_pc(L, p + 1, (size_t)(e - p - 1)));
			p = e;
		} else {
			fputc(*p, f);
		}
	}
	fputs("\tsource\t\"xec.s\"\n", f);
	assert_int_equal(fclose(f), 0);
}

/* Assembles and runs case c as build/tests/vm/xec_NAME and checks it. */
static inline void
xec_check(const char *name, const XecCase *c)
{
	char src[256], obj[256], want[1024];
	char *as[] = {DISAS, src, "-o", obj, NULL};
	char *argv[8];
	int k = 0;
	XecLabels L;
	RunResult r;

	snprintf(src, sizeof src, "build/tests/vm/xec_%s.s", name);
	snprintf(obj, sizeof obj, "build/tests/vm/xec_%s.dis", name);
	xec_write(src, c, &L);
	r = run_cmd(as, NULL, XEC_TIMEOUT_MS);
	if (r.status != 0) {
		print_error("%s: dis-as status %d: %s", name, r.status, r.err);
		fail();
	}
	run_free(&r);
	argv[k++] = DISRUN;
	if (c->args != NULL) {
		/* one option and its value */
		static char opt[64], val[64];
		assert_int_equal(sscanf(c->args, "%63s %63s", opt, val), 2);
		argv[k++] = opt;
		argv[k++] = val;
	}
	argv[k++] = obj;
	argv[k] = NULL;
	r = run_cmd(argv, NULL, XEC_TIMEOUT_MS);
	if (c->exc != NULL && strncmp(c->exc, "fail:", 5) == 0) {
		want[0] = 0;	/* a command's own failure: dis-run adds nothing */
	} else if (c->exc != NULL) {
		snprintf(want, sizeof want, "dis-run: %s: uncaught exception: %s (module Xec, pc %d)\n",
		         obj, c->exc, xec_label_pc(&L, c->at, strlen(c->at)));
	} else if (c->err != NULL) {
		snprintf(want, sizeof want, c->err, obj);
	} else {
		want[0] = 0;
	}
	if (strcmp(r.out, c->out != NULL ? c->out : "") != 0 ||
	    r.status != (c->status != 0 ? c->status : c->exc != NULL || c->err != NULL ? 1 : 0) ||
	    strcmp(r.err, want) != 0) {
		print_error("%s: status %d\n--- stdout:\n%s--- want:\n%s--- stderr:\n%s--- want:\n%s",
		            name, r.status, r.out, c->out != NULL ? c->out : "", r.err, want);
		fail();
	}
	run_free(&r);
}

/* ---- table-driven cases ---- */

typedef struct XecBuf {
	char *p;
	size_t n;
} XecBuf;

static inline void xec_printf(XecBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void
xec_printf(XecBuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof tmp);
	run_append(&b->p, &b->n, tmp, (size_t)k);
}

/* One operation of a table: `op s, m, d` with the operand values written
 * as data-directive text, and the expected printed result (or whether a
 * branch is taken, "1"/"0"). */
typedef struct XecOp {
	const char *op;
	const char *m, *s;
	const char *want;
} XecOp;

static inline const char *
xec_directive(int kind)
{
	switch (kind) {
	case 'b': return "byte";
	case 'w': return "word";
	case 'l': return "long";
	case 'f': return "real";
	default: fail(); return "";
	}
}

static inline const char *
xec_printer(int kind)
{
	switch (kind) {
	case 'b': return PB("104(fp)");
	case 'w': return PW("104(fp)");
	case 'l': return PL("104(fp)");
	case 'f': return PF("104(fp)");
	default: fail(); return "";
	}
}

/* Does op take a word count as its source whatever its type (shifts, exp)? */
static inline int
xec_countop(const char *op)
{
	return strncmp(op, "sh", 2) == 0 || strncmp(op, "lsr", 3) == 0 || strncmp(op, "exp", 3) == 0;
}

/* Runs `op s, m, 104(fp)` for each row (operands in module data, of type
 * kind: 'b' byte, 'w' word, 'l' big, 'f' real) and prints 104(fp). */
static inline void
xec_binops(const char *name, int kind, const XecOp *ops, int n)
{
	XecBuf body = {calloc(1, 1), 0}, data = {calloc(1, 1), 0}, out = {calloc(1, 1), 0};

	assert_true(n <= 56);
	for (int i = 0; i < n; i++) {
		int mo = 128 + 16 * i, so = mo + 8;
		xec_printf(&data, "\t%s\t@mp+%d,%s\n", xec_directive(kind), mo, ops[i].m);
		xec_printf(&data, "\t%s\t@mp+%d,%s\n", xec_countop(ops[i].op) ? "word" : xec_directive(kind), so, ops[i].s);
		xec_printf(&body, "\t%s\t%d(mp),%d(mp),104(fp)\n%s", ops[i].op, so, mo, xec_printer(kind));
		xec_printf(&out, "%s\n", ops[i].want);
	}
	xec_check(name, &(XecCase){.body = body.p, .data = data.p, .out = out.p});
	free(body.p);
	free(data.p);
	free(out.p);
}

/* Runs `op s, m, taken` for each row and prints 1 if it branched, else 0.
 * Here s is the row's first value and m its second ("if s op m"). Kind
 * 'c': the values are quoted strings, NULL for nil. */
static inline void
xec_branches(const char *name, int kind, const XecOp *ops, int n)
{
	XecBuf body = {calloc(1, 1), 0}, data = {calloc(1, 1), 0}, out = {calloc(1, 1), 0};

	assert_true(n <= (kind == 'c' ? 12 : 56));
	for (int i = 0; i < n; i++) {
		int so = kind == 'c' ? 24 + 8 * i : 128 + 16 * i, mo = so + (kind == 'c' ? 4 : 8);
		const char *dir = kind == 'c' ? "string" : xec_directive(kind);
		if (ops[i].m != NULL)
			xec_printf(&data, "\t%s\t@mp+%d,%s\n", dir, so, ops[i].m);
		if (ops[i].s != NULL)
			xec_printf(&data, "\t%s\t@mp+%d,%s\n", dir, mo, ops[i].s);
		xec_printf(&body, "\tmovw\t$1,104(fp)\n\t%s\t%d(mp),%d(mp),t%d\n\tmovw\t$0,104(fp)\nt%d:%s",
		           ops[i].op, so, mo, i, i, PW("104(fp)"));
		xec_printf(&out, "%s\n", ops[i].want);
	}
	xec_check(name, &(XecCase){.body = body.p, .data = data.p, .out = out.p});
	free(body.p);
	free(data.p);
	free(out.p);
}

/* Runs `op s, 104(fp)` (s of kind skind in module data) and prints 104(fp)
 * as dkind; dkind 'c' puts a string in 40(fp) and prints it. */
static inline void
xec_unops(const char *name, int skind, int dkind, const XecOp *ops, int n)
{
	XecBuf body = {calloc(1, 1), 0}, data = {calloc(1, 1), 0}, out = {calloc(1, 1), 0};

	assert_true(n <= 24);
	for (int i = 0; i < n; i++) {
		int so = skind == 'c' ? 28 + 4 * i : 128 + 8 * i;
		if (ops[i].s == NULL)
			;  /* nil */
		else if (skind == 'c')
			xec_printf(&data, "\tstring\t@mp+%d,%s\n", so, ops[i].s);
		else
			xec_printf(&data, "\t%s\t@mp+%d,%s\n", xec_directive(skind), so, ops[i].s);
		if (dkind == 'c')
			xec_printf(&body, "\t%s\t%d(mp),40(fp)\n%s", ops[i].op, so, PS("40(fp)"));
		else
			xec_printf(&body, "\t%s\t%d(mp),104(fp)\n%s", ops[i].op, so, xec_printer(dkind));
		xec_printf(&out, "%s\n", ops[i].want);
	}
	xec_check(name, &(XecCase){.body = body.p, .data = data.p, .out = out.p});
	free(body.p);
	free(data.p);
	free(out.p);
}

#define XEC_TABLE(fn, ...) fn(__func__, __VA_ARGS__)

#define XEC(...) xec_check(__func__, &(XecCase){__VA_ARGS__})

#endif
