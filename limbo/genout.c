/*
 * Writes a generated module as the assembly Inferno's `limbo -S` prints;
 * the .dis bytes come from that text through dis/'s assembler and object
 * writer, so the project has one encoder.
 *
 * Follows: shared/dis-facts.md "Object file"; the Dis VM specification.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis.h"
#include "limbo/gen.h"

static const char *const opnames[] = {
#define X(e, name, dstpc, form) name,
#include "dis/ops.def"
#undef X
};

static void
popd(FILE *f, const GOpd *o)
{
	switch (o->mode) {
	case G_MP: fprintf(f, "%d(mp)", o->a); break;
	case G_FP: fprintf(f, "%d(fp)", o->a); break;
	case G_IMM: fprintf(f, "$%d", o->a); break;
	case G_IMP: fprintf(f, "%d(%d(mp))", o->b, o->a); break;
	case G_IFP: fprintf(f, "%d(%d(fp))", o->b, o->a); break;
	default: break;
	}
}

static void
pquoted(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int
nmapbytes(const GDesc *d)
{
	int n = 0;

	for (int i = 0; i < d->nmap && i < (d->size + 31) / 32; i++)
		if (d->map[i] != 0)
			n = i + 1;
	return n;
}

/* The shortest form that reads back as the same double. */
static void
preal(FILE *f, int off, double r)
{
	char buf[64];

	if (r != r || r - r != 0) {
		/* the assembler's spellings, as Inferno's limbo -S writes them */
		fprintf(f, "\treal\t@mp+%d,%s\n", off, r != r ? "NaN" : r > 0 ? "Inf" : "-Inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, r);
		if (strtod(buf, NULL) == r)
			break;
	}
	fprintf(f, "\treal\t@mp+%d,%s\n", off, buf);
}

static void
pdata(FILE *f, const GData *d)
{
	switch (d->kind) {
	case GD_STRING:
		fprintf(f, "\tstring\t@mp+%d,", d->off);
		pquoted(f, d->s, d->len);
		fputc('\n', f);
		break;
	case GD_WORDS: case GD_BYTES:
		fprintf(f, "\t%s\t@mp+%d", d->kind == GD_WORDS ? "word" : "byte", d->off);
		for (size_t i = 0; i < d->len; i++)
			fprintf(f, "%c%lld", i == 0 ? ',' : ',', (long long)d->w[i]);
		fputc('\n', f);
		break;
	case GD_REAL:
		preal(f, d->off, d->r);
		break;
	case GD_BIG:
		fprintf(f, "\tlong\t@mp+%d,%lld\n", d->off, (long long)d->v);
		break;
	case GD_ARRAY:
		fprintf(f, "\tarray\t@mp+%d,$%d,%lld\n", d->off, d->desc, (long long)d->v);
		break;
	case GD_INDIR:
		fprintf(f, "\tindir\t@mp+%d,%lld\n", d->off, (long long)d->v);
		break;
	case GD_APOP:
		fputs("\tapop\n", f);
		break;
	}
}

static void
phandlers(FILE *f, const GMod *m)
{
	if (m->nhand == 0)
		return;
	fprintf(f, "\texceptions\t%d\n", m->nhand);
	for (int i = 0; i < m->nhand; i++) {
		const GHandler *h = &m->hand[i];
		fprintf(f, "\texception\t%d, %d, %d, %d, %d, %d\n", h->pc1, h->pc2, h->eoff, h->desc,
		        h->nlab, h->ne);
		for (int k = 0; k < h->nlab; k++) {
			fputs("\texctab\t", f);
			pquoted(f, h->lab[k], strlen(h->lab[k]));
			fprintf(f, ", %d\n", h->labpc[k]);
		}
		fprintf(f, "\texctab\t*, %d\n", h->dflt);
	}
}

int
limbo_gen_asm(const GMod *m, FILE *f)
{
	int off;

	for (int i = 0, fs = 0; i < m->ninst; i++) {
		const GInst *in = &m->inst[i];
		int first = 1;
		for (; fs < m->nfnstart && m->fnstart[fs].pc <= i; fs++)
			if (m->fnstart[fs].pc == i)
				fprintf(f, "# %s()\n", m->fnstart[fs].name);
		if (i % 10 == 0)
			fprintf(f, "#%d\n", i);
		fprintf(f, "\t%s\t", opnames[in->op]);
		const GOpd *ops[3] = {&in->s, &in->m, &in->d};
		for (int k = 0; k < 3; k++) {
			if (ops[k]->mode == G_NONE)
				continue;
			if (!first)
				fputc(',', f);
			popd(f, ops[k]);
			first = 0;
		}
		fputc('\n', f);
	}
	fprintf(f, "\tentry\t%d, %d\n", m->entry_pc, m->entry_desc);
	for (int i = 0; i < m->ndesc; i++) {
		const GDesc *d = &m->desc[i];
		int n = nmapbytes(d);
		fprintf(f, "\tdesc\t$%d,%d,\"", i, d->size);
		for (int k = 0; k < n; k++)
			fprintf(f, "%02x", d->map[k]);
		fputs("\"\n", f);
	}
	fprintf(f, "\tvar\t@mp,%d\n", m->desc[0].size);
	for (int i = 0; i < m->ndata; i++)
		pdata(f, &m->data[i]);
	fprintf(f, "\tmodule\t%s\n", m->name);
	for (int i = 0; i < m->nlink; i++)
		fprintf(f, "\tlink\t%d,%d,0x%x,\"%s\"\n", m->link[i].desc, m->link[i].pc,
		        (unsigned)m->link[i].sig, m->link[i].name);
	/* the section's size in bytes, as dis-dis and Inferno's limbo -S say */
	off = 0;
	for (int i = 0; i < m->nimp; i++) {
		off += 4;
		for (int k = 0; k < m->imp[i].nfn; k++)
			off += 4 + (((int)strlen(m->imp[i].fn[k].name) + 1 + 3) & ~3);
	}
	fprintf(f, "\tldts\t@ldt,%d\n", off);
	off = 0;
	for (int i = 0; i < m->nimp; i++) {
		fprintf(f, "\tword\t@ldt+%d,%d\n", off, m->imp[i].nfn);
		off += 4;
		for (int k = 0; k < m->imp[i].nfn; k++) {
			fprintf(f, "\text\t@ldt+%d,0x%x,\"%s\"\n", off, (unsigned)m->imp[i].fn[k].sig,
			        m->imp[i].fn[k].name);
			off += 4 + (((int)strlen(m->imp[i].fn[k].name) + 1 + 3) & ~3);
		}
	}
	phandlers(f, m);
	fputs("\tsource\t", f);
	pquoted(f, m->srcpath, strlen(m->srcpath));
	fputc('\n', f);
	return ferror(f) ? AC_EIO : AC_OK;
}

int
limbo_gen_dis(const GMod *m, uint8_t **out, size_t *len, AcErr *err)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	DisModule *dm;
	int rc;

	/* One object writer in the project: the module goes through its
	 * assembly text and dis/'s assembler and writer. */
	if (f == NULL)
		return ac_err_set(err, AC_ENOMEM, "out of memory writing the module");
	rc = limbo_gen_asm(m, f);
	if (fclose(f) != 0 || rc != 0) {
		free(text);
		return ac_err_set(err, AC_ENOMEM, "out of memory writing the module");
	}
	dm = dis_asm(text, n, m->srcpath, err);
	free(text);
	if (dm == NULL)
		return err->code;
	rc = dis_module_write(dm, out, len, err);
	dis_module_free(dm);
	return rc;
}
