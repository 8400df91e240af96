/*
 * Printing a module as assembly in the shape `limbo -S` writes it
 * (appl/cmd/limbo/asm.b, instconv/addrconv in gen.b), with the extra
 * directives dis-as(1) documents wherever a file holds something limbo's
 * syntax cannot say (non-default flags or stack extent, a signature block,
 * data item boundaries, NaN payloads, ambiguous operand lists).
 * dis_asm turns the output back into the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis_impl.h"

/* Prints n bytes as a quoted string with the escapes dis_asm reads. */
static void
putq(FILE *f, const uint8_t *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		int c = s[i];
		switch (c) {
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case 0: fputs("\\z", f); break;
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void
putqs(FILE *f, const char *s)
{
	putq(f, (const uint8_t *)(s ? s : ""), s ? strlen(s) : 0);
}

static int
isident(const char *s)
{
	const char *p;

	if (s == NULL || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static void
putaddr(FILE *f, int mode, const DisAddr *a)
{
	switch (mode) {
	case DIS_AMP: fprintf(f, "%d(mp)", a->a); break;
	case DIS_AFP: fprintf(f, "%d(fp)", a->a); break;
	case DIS_AIMM: fprintf(f, "$%d", a->a); break;
	case DIS_AIND | DIS_AMP: fprintf(f, "%d(%d(mp))", a->b, a->a); break;
	case DIS_AIND | DIS_AFP: fprintf(f, "%d(%d(fp))", a->b, a->a); break;
	}
}

static void
putmid(FILE *f, int mode, const DisAddr *a)
{
	switch (mode) {
	case DIS_AXIMM: fprintf(f, "$%d", a->a); break;
	case DIS_AXINF: fprintf(f, "%d(fp)", a->a); break;
	case DIS_AXINM: fprintf(f, "%d(mp)", a->a); break;
	}
}

static void
putinst(FILE *f, const DisInst *in)
{
	int have = 0, k = 0, explicit;

	if (DIS_USRC(in->add) != DIS_AXXX)
		have |= 4, k++;
	if (DIS_UMID(in->add) != DIS_AXNON)
		have |= 2, k++;
	if (DIS_UDST(in->add) != DIS_AXXX)
		have |= 1, k++;
	explicit = dis_text_slots(in->op, k) != have;
	fprintf(f, "\t%s", dis_op_name(in->op));
	if (k == 0)
		goto done;
	fputc('\t', f);
	if (explicit) {
		putaddr(f, DIS_USRC(in->add), &in->s);
		fputc(',', f);
		putmid(f, DIS_UMID(in->add), &in->m);
		fputc(',', f);
		putaddr(f, DIS_UDST(in->add), &in->d);
		goto done;
	}
	if (have & 4) {
		putaddr(f, DIS_USRC(in->add), &in->s);
		if (have & 3)
			fputc(',', f);
	}
	if (have & 2) {
		putmid(f, DIS_UMID(in->add), &in->m);
		if (have & 1)
			fputc(',', f);
	}
	if (have & 1)
		putaddr(f, DIS_UDST(in->add), &in->d);
done:
	fputc('\n', f);
}

/* Writes v so that strtod reads back the same bits; 0 if it cannot. */
static int
realtext(double v, char *buf, size_t n)
{
	int prec;
	uint64_t a, b;

	memcpy(&a, &v, 8);
	if (a == 0x7FFFFFFFFFFFFFFFull) {
		snprintf(buf, n, "NaN");   /* the NaN Inferno's asm writes */
		return 1;
	}
	if (isnan(v))
		return 0;
	if (isinf(v)) {
		snprintf(buf, n, v < 0 ? "-Inf" : "Inf");
		return 1;
	}
	for (prec = 15; prec <= 17; prec++) {
		double back;
		snprintf(buf, n, "%.*g", prec, v);
		back = strtod(buf, NULL);
		memcpy(&b, &back, 8);
		if (a == b)
			return 1;
	}
	return 0;
}

/* 1 if dis_asm would merge item d into the item before it. */
static int
merges(const DisData *prev, const DisData *d)
{
	if (prev == NULL || prev->kind != d->kind || prev->count <= 0 || d->count <= 0)
		return 0;
	switch (d->kind) {
	case DIS_DEFB: case DIS_DEFW: case DIS_DEFF: case DIS_DEFL:
		return (int64_t)prev->offset + dis_data_extent(prev->kind, prev->count) == d->offset;
	}
	return 0;
}

static void
putdata(FILE *f, const DisData *d)
{
	int32_t j;
	char buf[64];
	int bits = 0;

	switch (d->kind) {
	case DIS_DEFB:
		fprintf(f, "\tbyte\t@mp+%d", d->offset);
		for (j = 0; j < d->count; j++)
			fprintf(f, ",%u", d->u.bytes[j]);
		break;
	case DIS_DEFW:
		fprintf(f, "\tword\t@mp+%d", d->offset);
		for (j = 0; j < d->count; j++)
			fprintf(f, ",%d", d->u.words[j]);
		break;
	case DIS_DEFL:
		fprintf(f, "\tlong\t@mp+%d", d->offset);
		for (j = 0; j < d->count; j++)
			fprintf(f, ",%lld", (long long)d->u.bigs[j]);
		break;
	case DIS_DEFF:
		for (j = 0; j < d->count; j++)
			if (!realtext(d->u.reals[j], buf, sizeof buf))
				bits = 1;
		fprintf(f, bits ? "\trealbits\t@mp+%d" : "\treal\t@mp+%d", d->offset);
		for (j = 0; j < d->count; j++) {
			if (bits) {
				uint64_t u;
				memcpy(&u, &d->u.reals[j], 8);
				fprintf(f, ",0x%016llx", (unsigned long long)u);
			} else {
				realtext(d->u.reals[j], buf, sizeof buf);
				fprintf(f, ",%s", buf);
			}
		}
		break;
	case DIS_DEFS:
		fprintf(f, "\tstring\t@mp+%d,", d->offset);
		putq(f, d->u.bytes, (size_t)d->count);
		break;
	case DIS_DEFA:
		fprintf(f, "\tarray\t@mp+%d,$%d,%d", d->offset, d->u.array.type, d->u.array.len);
		break;
	case DIS_DIND:
		fprintf(f, "\tindir\t@mp+%d,%d", d->offset, d->u.index);
		break;
	case DIS_DAPOP:
		if (d->offset < 0)
			fprintf(f, "\tapop\t@mp-%lld", -(long long)d->offset);
		else if (d->offset != 0 || d->count != DIS_DATA_MARKCOUNT)
			fprintf(f, "\tapop\t@mp+%d", d->offset);
		else
			fputs("\tapop", f);
		break;
	}
	/* The count field these items carry is ignored; limbo writes 1. */
	if ((d->kind == DIS_DEFA || d->kind == DIS_DIND || d->kind == DIS_DAPOP) &&
	    d->count != DIS_DATA_MARKCOUNT)
		fprintf(f, ",%d", d->count);
	fputc('\n', f);
}

int
dis_disasm(const DisModule *m, FILE *f, AcErr *err)
{
	int32_t i, j, off;
	int32_t dflt;

	dflt = dis_default_rt(m->rt & DIS_HASLDT, m->rt & DIS_HASEXCEPT);
	if (m->rt != dflt)
		fprintf(f, "\tflags\t%d\n", m->rt);
	if (m->ss != dis_default_ss(m))
		fprintf(f, "\tstack\t%d\n", m->ss);
	if (m->magic == DIS_SMAGIC) {
		fputs("\tsigned\t\"", f);
		for (i = 0; i < m->siglen; i++)
			fprintf(f, "%02x", m->sig[i]);
		fputs("\"\n", f);
	}

	for (i = 0; i < m->ninst; i++) {
		const DisInst *in = &m->inst[i];
		if (i % 10 == 0)
			fprintf(f, "#%d\n", i);
		if (in->op >= DIS_NOPS)
			return ac_err_set(err, AC_EINVAL, "disasm: instruction %d: opcode %d out of range",
			                  i, in->op);
		putinst(f, in);
	}

	if (m->entry_pc != -1 || m->entry_type != -1)
		fprintf(f, "\tentry\t%d, %d\n", m->entry_pc, m->entry_type);

	for (i = 0; i < m->ntype; i++) {
		const DisType *t = &m->type[i];
		fprintf(f, "\tdesc\t$%d,%d,\"", t->id, t->size);
		for (j = 0; j < t->nmap; j++)
			fprintf(f, "%02x", t->map[j]);
		fputs("\"\n", f);
	}

	fprintf(f, "\tvar\t@mp,%d\n", m->data_size);
	for (i = 0; i < m->ndata; i++) {
		if (merges(i ? &m->data[i - 1] : NULL, &m->data[i]))
			fputs("\tsplit\n", f);
		putdata(f, &m->data[i]);
	}

	fputs("\tmodule\t", f);
	if (isident(m->name))
		fputs(m->name, f);
	else
		putqs(f, m->name);
	fputc('\n', f);
	for (i = 0; i < m->nlink; i++) {
		const DisLink *l = &m->link[i];
		fprintf(f, "\tlink\t%d,%d,0x%x,", l->desc, l->pc, (unsigned)l->sig);
		putqs(f, l->name);
		fputc('\n', f);
	}

	if (m->rt & DIS_HASLDT) {
		int32_t size = 0;
		off = 0;
		for (i = 0; i < m->nimport; i++) {
			off = (off + 3) & ~3;
			off += 4;
			for (j = 0; j < m->import[i].nfunc; j++) {
				off = (off + 3) & ~3;
				off += 4 + (int32_t)strlen(m->import[i].func[j].name) + 1;
			}
		}
		size = (off + 3) & ~3;
		fprintf(f, "\tldts\t@ldt,%d\n", size);
		off = 0;
		for (i = 0; i < m->nimport; i++) {
			off = (off + 3) & ~3;
			fprintf(f, "\tword\t@ldt+%d,%d\n", off, m->import[i].nfunc);
			off += 4;
			for (j = 0; j < m->import[i].nfunc; j++) {
				const DisImport *im = &m->import[i].func[j];
				off = (off + 3) & ~3;
				fprintf(f, "\text\t@ldt+%d,0x%x,", off, (unsigned)im->sig);
				putqs(f, im->name);
				fputc('\n', f);
				off += 4 + (int32_t)strlen(im->name) + 1;
			}
		}
	}

	if (m->rt & DIS_HASEXCEPT) {
		fprintf(f, "\texceptions\t%d\n", m->nhandler);
		for (i = 0; i < m->nhandler; i++) {
			const DisHandler *h = &m->handler[i];
			fprintf(f, "\texception\t%d, %d, %d, %d, %d, %d\n",
			        h->pc1, h->pc2, h->eoff, h->descid, h->nlab, h->ne);
			for (j = 0; j < h->nlab; j++) {
				fputs("\texctab\t", f);
				putqs(f, h->lab[j].name);
				fprintf(f, ", %d\n", h->lab[j].pc);
			}
			fprintf(f, "\texctab\t*, %d\n", h->wildpc);
		}
	}

	fputs("\tsource\t", f);
	putqs(f, m->srcpath);
	fputc('\n', f);
	if (ferror(f))
		return ac_err_set(err, AC_EIO, "disasm: write error");
	return AC_OK;
}
