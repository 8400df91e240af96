/*
 * Encoding a DisModule as a .dis object file. Every OP operand takes its
 * shortest encoding and data items use the 4-bit count when it is 1..15,
 * as Inferno's limbo (dis.b) writes them, so a module read from a file
 * limbo wrote encodes back to the same bytes.
 *
 * Follows: Dis VM specification (doc/dis.ms), shared/dis-facts.md.
 */
#include <stdlib.h>
#include <string.h>

#include "dis/dis_impl.h"

typedef struct Wr {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int failed;      /* 0, AC_ENOMEM or AC_EINVAL */
	AcErr *err;
} Wr;

static void
grow(Wr *w, size_t n)
{
	size_t ncap;
	uint8_t *nb;

	if (w->failed || w->len + n <= w->cap)
		return;
	ncap = w->cap ? w->cap : 1024;
	while (ncap < w->len + n)
		ncap *= 2;
	nb = realloc(w->buf, ncap);
	if (nb == NULL) {
		ac_err_set(w->err, AC_ENOMEM, "dis write: out of memory");
		w->failed = AC_ENOMEM;
		return;
	}
	w->buf = nb;
	w->cap = ncap;
}

static void
putb(Wr *w, const void *p, size_t n)
{
	grow(w, n);
	if (w->failed)
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
putbyte(Wr *w, int c)
{
	uint8_t b = (uint8_t)c;
	putb(w, &b, 1);
}

static void
putop(Wr *w, int32_t v, const char *what)
{
	uint8_t b[4];

	if (v >= -64 && v <= 63) {
		b[0] = (uint8_t)(v & 0x7F);
		putb(w, b, 1);
	} else if (v >= -8192 && v <= 8191) {
		b[0] = (uint8_t)(((v >> 8) & 0x3F) | 0x80);
		b[1] = (uint8_t)v;
		putb(w, b, 2);
	} else if (v >= DIS_OPMIN && v <= DIS_OPMAX) {
		b[0] = (uint8_t)(((v >> 24) & 0x3F) | 0xC0);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
		putb(w, b, 4);
	} else if (!w->failed) {
		ac_err_set(w->err, AC_EINVAL, "dis write: %s %d does not fit in 30 bits", what, v);
		w->failed = AC_EINVAL;
	}
}

static void
putword(Wr *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	putb(w, b, 4);
}

static void
putstr(Wr *w, const char *s)
{
	putb(w, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static void
putaddr(Wr *w, int mode, const DisAddr *a)
{
	switch (mode) {
	case DIS_AMP:
	case DIS_AFP:
	case DIS_AIMM:
		putop(w, a->a, "operand");
		break;
	case DIS_AIND | DIS_AMP:
	case DIS_AIND | DIS_AFP:
		putop(w, a->a, "operand");
		putop(w, a->b, "operand");
		break;
	case DIS_AXXX:
		break;
	default:
		if (!w->failed) {
			ac_err_set(w->err, AC_EINVAL, "dis write: bad addressing mode %d", mode);
			w->failed = AC_EINVAL;
		}
	}
}

static void
putdata(Wr *w, const DisData *d)
{
	int32_t j;

	if (d->count >= 1 && d->count <= 15)
		putbyte(w, d->kind << 4 | d->count);
	else {
		putbyte(w, d->kind << 4);
		putop(w, d->count, "data count");
	}
	putop(w, d->offset, "data offset");
	switch (d->kind) {
	case DIS_DEFB:
	case DIS_DEFS:
		putb(w, d->u.bytes, (size_t)d->count);
		break;
	case DIS_DEFW:
		for (j = 0; j < d->count; j++)
			putword(w, (uint32_t)d->u.words[j]);
		break;
	case DIS_DEFF:
	case DIS_DEFL:
		for (j = 0; j < d->count; j++) {
			uint64_t u;
			if (d->kind == DIS_DEFF)
				memcpy(&u, &d->u.reals[j], 8);
			else
				u = (uint64_t)d->u.bigs[j];
			putword(w, (uint32_t)(u >> 32));
			putword(w, (uint32_t)u);
		}
		break;
	case DIS_DEFA:
		putword(w, (uint32_t)d->u.array.type);
		putword(w, (uint32_t)d->u.array.len);
		break;
	case DIS_DIND:
		putword(w, (uint32_t)d->u.index);
		break;
	case DIS_DAPOP:
		break;
	default:
		if (!w->failed) {
			ac_err_set(w->err, AC_EINVAL, "dis write: bad data item kind %d", d->kind);
			w->failed = AC_EINVAL;
		}
	}
}

int
dis_module_write(const DisModule *m, uint8_t **out, size_t *outlen, AcErr *err)
{
	Wr w;
	int32_t i, j;

	memset(&w, 0, sizeof w);
	w.err = err;
	*out = NULL;
	*outlen = 0;
	if (m->nimport > 0 && !(m->rt & DIS_HASLDT))
		return ac_err_set(err, AC_EINVAL, "dis write: imports without the HASLDT flag");
	if (m->nhandler > 0 && !(m->rt & DIS_HASEXCEPT))
		return ac_err_set(err, AC_EINVAL, "dis write: handlers without the HASEXCEPT flag");

	putop(&w, m->magic, "magic");
	if (m->magic == DIS_SMAGIC) {
		putop(&w, m->siglen, "signature length");
		putb(&w, m->sig, (size_t)m->siglen);
	}
	putop(&w, m->rt, "runtime flags");
	putop(&w, m->ss, "stack extent");
	putop(&w, m->ninst, "code size");
	putop(&w, m->data_size, "data size");
	putop(&w, m->ntype, "type count");
	putop(&w, m->nlink, "link count");
	putop(&w, m->entry_pc, "entry pc");
	putop(&w, m->entry_type, "entry type");

	for (i = 0; i < m->ninst; i++) {
		const DisInst *in = &m->inst[i];
		putbyte(&w, in->op);
		putbyte(&w, in->add);
		if (DIS_UMID(in->add) != DIS_AXNON)
			putop(&w, in->m.a, "operand");
		putaddr(&w, DIS_USRC(in->add), &in->s);
		putaddr(&w, DIS_UDST(in->add), &in->d);
	}

	for (i = 0; i < m->ntype; i++) {
		const DisType *t = &m->type[i];
		putop(&w, t->id, "type id");
		putop(&w, t->size, "type size");
		putop(&w, t->nmap, "type map length");
		putb(&w, t->map, (size_t)t->nmap);
	}

	for (i = 0; i < m->ndata; i++)
		putdata(&w, &m->data[i]);
	putbyte(&w, 0);

	putstr(&w, m->name);

	for (i = 0; i < m->nlink; i++) {
		const DisLink *l = &m->link[i];
		putop(&w, l->pc, "link pc");
		putop(&w, l->desc, "link type");
		putword(&w, l->sig);
		putstr(&w, l->name);
	}

	if (m->rt & DIS_HASLDT) {
		putop(&w, m->nimport, "import count");
		for (i = 0; i < m->nimport; i++) {
			putop(&w, m->import[i].nfunc, "import count");
			for (j = 0; j < m->import[i].nfunc; j++) {
				putword(&w, m->import[i].func[j].sig);
				putstr(&w, m->import[i].func[j].name);
			}
		}
		putbyte(&w, 0);
	}

	if (m->rt & DIS_HASEXCEPT) {
		putop(&w, m->nhandler, "handler count");
		for (i = 0; i < m->nhandler; i++) {
			const DisHandler *h = &m->handler[i];
			putop(&w, h->eoff, "handler offset");
			putop(&w, h->pc1, "handler pc");
			putop(&w, h->pc2, "handler pc");
			putop(&w, h->descid, "handler type");
			putop(&w, (int32_t)((uint32_t)h->ne << 16 | ((uint32_t)h->nlab & 0xFFFF)),
			      "handler label count");
			for (j = 0; j < h->nlab; j++) {
				putstr(&w, h->lab[j].name);
				putop(&w, h->lab[j].pc, "handler pc");
			}
			putop(&w, h->wildpc, "handler pc");
		}
		putbyte(&w, 0);
	}

	putstr(&w, m->srcpath);

	if (w.failed) {
		free(w.buf);
		return w.failed;
	}
	if (w.buf == NULL)
		w.buf = malloc(1);
	*out = w.buf;
	*outlen = w.len;
	return AC_OK;
}

int
dis_module_save(const DisModule *m, const char *path, AcErr *err)
{
	uint8_t *buf;
	size_t len;
	int rc;

	rc = dis_module_write(m, &buf, &len, err);
	if (rc != AC_OK)
		return rc;
	rc = ac_file_write_atomic(path, buf, len, err);
	free(buf);
	return rc;
}
