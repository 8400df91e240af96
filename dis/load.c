/*
 * Reading and validating .dis object files, section by section in the order
 * Inferno's libinterp/load.c (parsemod) reads them: header, code, types,
 * data, module name, links, imports (HASLDT), handlers (HASEXCEPT), source
 * path. Everything the interpreter will trust is checked here once.
 *
 * Follows: Dis VM specification (doc/dis.ms), shared/dis-facts.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dis/dis_impl.h"

enum {
	MAXCOUNT = 1024 * 1024, /* instructions, types, links: Inferno's plausibility bound */
	MAXDEPTH = 32,          /* nested array initialisers (Inferno DADEPTH) */
	KNOWNFLAGS = DIS_MUSTCOMPILE | DIS_DONTCOMPILE | DIS_SHAREMP | DIS_DYNMOD |
	             DIS_HASLDT0 | DIS_HASEXCEPT | DIS_HASLDT,
};

typedef struct Rd {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	const char *name;
	AcErr *err;
	int failed;
} Rd;

/* Records the first error, "NAME: WHERE: reason". Returns -1. */
static int
vfail(Rd *r, const char *where, const char *fmt, va_list ap)
{
	char msg[256];

	if (r->failed)
		return -1;
	vsnprintf(msg, sizeof msg, fmt, ap);
	ac_err_set(r->err, AC_EFORMAT, "%s: %s: %s", r->name, where, msg);
	r->failed = 1;
	return -1;
}

/* "NAME: offset 0xNN: reason". Returns -1. */
static int
bad(Rd *r, size_t off, const char *fmt, ...)
{
	char where[32];
	va_list ap;
	int rc;

	snprintf(where, sizeof where, "offset 0x%zx", off);
	va_start(ap, fmt);
	rc = vfail(r, where, fmt, ap);
	va_end(ap);
	return rc;
}

/* "NAME: section: reason". Returns -1. */
static int
badsect(Rd *r, const char *sect, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(r, sect, fmt, ap);
	va_end(ap);
	return rc;
}

static int
nomem(Rd *r, const char *what)
{
	if (!r->failed)
		ac_err_set(r->err, AC_ENOMEM, "%s: out of memory (%s)", r->name, what);
	r->failed = 1;
	return -1;
}

static size_t
left(const Rd *r)
{
	return r->len - r->pos;
}

/* One OP operand (1, 2 or 4 bytes, signed). */
static int
rdop(Rd *r, int32_t *v, const char *what)
{
	const uint8_t *p;
	uint32_t u;

	if (left(r) < 1)
		return bad(r, r->pos, "truncated %s", what);
	p = r->buf + r->pos;
	switch (p[0] & 0xC0) {
	case 0x00:
		*v = p[0];
		r->pos += 1;
		return 0;
	case 0x40:
		*v = (int32_t)p[0] - 0x80;
		r->pos += 1;
		return 0;
	case 0x80:
		if (left(r) < 2)
			return bad(r, r->pos, "truncated %s", what);
		u = (uint32_t)(p[0] & 0x3F) << 8 | p[1];
		*v = (p[0] & 0x20) ? (int32_t)u - (1 << 14) : (int32_t)u;
		r->pos += 2;
		return 0;
	default:
		if (left(r) < 4)
			return bad(r, r->pos, "truncated %s", what);
		u = (uint32_t)(p[0] & 0x3F) << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		*v = (p[0] & 0x20) ? (int32_t)((int64_t)u - (1 << 30)) : (int32_t)u;
		r->pos += 4;
		return 0;
	}
}

/* One 32-bit big-endian word. */
static int
rdw(Rd *r, uint32_t *v, const char *what)
{
	const uint8_t *p;

	if (left(r) < 4)
		return bad(r, r->pos, "truncated %s", what);
	p = r->buf + r->pos;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	r->pos += 4;
	return 0;
}

/* A NUL-terminated string, copied. */
static int
rdstr(Rd *r, char **s, const char *what)
{
	const uint8_t *p = r->buf + r->pos;
	const uint8_t *z = memchr(p, 0, left(r));
	size_t n;

	if (z == NULL)
		return bad(r, r->pos, "unterminated %s", what);
	n = (size_t)(z - p);
	*s = malloc(n + 1);
	if (*s == NULL)
		return nomem(r, what);
	memcpy(*s, p, n + 1);
	r->pos += n + 1;
	return 0;
}

/* Checks an mp offset: it must lie inside module data. */
static int
mpcheck(Rd *r, size_t off, int32_t ninst, int32_t a, int32_t data_size)
{
	if (a < 0 || a >= data_size)
		return bad(r, off, "instruction %d: mp operand %d out of range (data size %d)",
		           ninst, a, data_size);
	return 0;
}

/* Reads one operand of mode `mode` (source/destination encoding). */
static int
rdaddr(Rd *r, int mode, DisAddr *a, int32_t pc, size_t ioff, const DisModule *m)
{
	switch (mode) {
	case DIS_AMP:
	case DIS_AFP:
	case DIS_AIMM:
		if (rdop(r, &a->a, "code section") < 0)
			return -1;
		if (mode == DIS_AMP)
			return mpcheck(r, ioff, pc, a->a, m->data_size);
		return 0;
	case DIS_AXXX:
		return 0;
	case DIS_AIND | DIS_AMP:
	case DIS_AIND | DIS_AFP:
		if (rdop(r, &a->a, "code section") < 0 || rdop(r, &a->b, "code section") < 0)
			return -1;
		if (a->b < 0 || a->b >= DIS_MAX_DISP)
			return bad(r, ioff, "instruction %d: indirect offset %d out of range (0 to %d)",
			           pc, a->b, DIS_MAX_DISP - 1);
		if (mode == (DIS_AIND | DIS_AMP))
			return mpcheck(r, ioff, pc, a->a, m->data_size);
		return 0;
	}
	return bad(r, ioff, "instruction %d: bad addressing mode %d", pc, mode);
}

/* Does op read its destination operand rather than write it? Branches,
 * call and spawn (a pc) and the ind ops (the index; they write the middle). */
static int
reads_dst(int op)
{
	switch (op) {
	case DIS_OP_INDX: case DIS_OP_INDB: case DIS_OP_INDW: case DIS_OP_INDF: case DIS_OP_INDL:
		return 1;
	}
	return dis_op_dst_is_pc(op);
}

/* Does op take its source as a pointer (a string, array, list, channel,
 * module, frame or alt block)? An immediate there would be a forged
 * heap reference, or the address of the instruction itself. */
static int
ptr_src(int op)
{
	switch (op) {
	case DIS_OP_ALT: case DIS_OP_NBALT: case DIS_OP_CALL: case DIS_OP_SPAWN:
	case DIS_OP_LOAD: case DIS_OP_MCALL: case DIS_OP_MSPAWN: case DIS_OP_MFRAME:
	case DIS_OP_RECV: case DIS_OP_CONSP: case DIS_OP_CONSMP:
	case DIS_OP_HEADB: case DIS_OP_HEADW: case DIS_OP_HEADP: case DIS_OP_HEADF:
	case DIS_OP_HEADM: case DIS_OP_HEADMP: case DIS_OP_HEADL: case DIS_OP_TAIL:
	case DIS_OP_MOVP: case DIS_OP_MOVMP: case DIS_OP_INDX: case DIS_OP_INDB:
	case DIS_OP_INDW: case DIS_OP_INDF: case DIS_OP_INDL: case DIS_OP_INDC:
	case DIS_OP_LENC: case DIS_OP_LENA: case DIS_OP_LENL: case DIS_OP_SLICELA:
	case DIS_OP_CVTCA: case DIS_OP_CVTAC: case DIS_OP_CVTCW: case DIS_OP_CVTCF:
	case DIS_OP_CVTCL: case DIS_OP_ADDC: case DIS_OP_RAISE:
	case DIS_OP_BEQC: case DIS_OP_BNEC: case DIS_OP_BLTC: case DIS_OP_BLEC:
	case DIS_OP_BGTC: case DIS_OP_BGEC: case DIS_OP_CASEC: case DIS_OP_TCMP:
	case DIS_OP_MOVM: case DIS_OP_CONSM:
		return 1;
	}
	return 0;
}

/* Addressing modes each operand position allows, beyond the form in
 * ops.def: an immediate is a value, never a place. An immediate
 * destination that is written (an 8-byte movl, or movm's n bytes) would
 * overwrite the interpreter's decoded instructions, and one read as a
 * pointer would forge a heap reference; movm from one would copy n bytes
 * of the interpreter's memory. Inferno's limbo never writes
 * either (every shipped module checked); its loader does not look. */
static const char *
mode_bad(const DisInst *in)
{
	if (DIS_UDST(in->add) == DIS_AIMM && !reads_dst(in->op))
		return "immediate destination operand";
	if (DIS_UMID(in->add) == DIS_AXIMM &&
	    (reads_dst(in->op) && !dis_op_dst_is_pc(in->op)))
		return "immediate middle operand (it is written)";
	if (DIS_USRC(in->add) == DIS_AIMM && ptr_src(in->op))
		return "immediate source operand where a pointer is read";
	if (DIS_USRC(in->add) == DIS_AIMM && in->op == DIS_OP_LEA)
		return "address of an immediate (it lives in the interpreter's memory)";
	if (DIS_UMID(in->add) == DIS_AXIMM && (in->op == DIS_OP_ADDC ||
	    (in->op >= DIS_OP_BEQC && in->op <= DIS_OP_BGEC)))
		return "immediate middle operand where a pointer is read";
	return NULL;
}

static int
rdheader(Rd *r, DisModule *m)
{
	int32_t v[8];
	int i;

	if (rdop(r, &m->magic, "header") < 0)
		return -1;
	if (m->magic != DIS_XMAGIC && m->magic != DIS_SMAGIC)
		return bad(r, 0, "bad magic 0x%x", (unsigned)m->magic);
	if (m->magic == DIS_SMAGIC) {
		size_t off = r->pos;
		if (rdop(r, &m->siglen, "signature") < 0)
			return -1;
		if (m->siglen < 0 || (size_t)m->siglen > left(r))
			return bad(r, off, "corrupt signature (length %d)", m->siglen);
		m->sig = malloc(m->siglen ? (size_t)m->siglen : 1);
		if (m->sig == NULL)
			return nomem(r, "signature");
		memcpy(m->sig, r->buf + r->pos, (size_t)m->siglen);
		r->pos += (size_t)m->siglen;
	}
	for (i = 0; i < 8; i++) {
		size_t off = r->pos;
		if (rdop(r, &v[i], "header") < 0)
			return -1;
		switch (i) {
		case 0:
			if (v[i] & DIS_HASLDT0)
				return bad(r, off, "obsolete dis (runtime flag HASLDT0)");
			if (v[i] & ~KNOWNFLAGS)
				return bad(r, off, "unknown runtime flags 0x%x", (unsigned)v[i]);
			break;
		case 1:
			if (v[i] < 0)
				return bad(r, off, "negative stack extent %d", v[i]);
			break;
		case 2: case 4: case 5:
			if (v[i] < 0 || v[i] > MAXCOUNT)
				return bad(r, off, "implausible %s %d",
				           i == 2 ? "code size" : i == 4 ? "type count" : "link count", v[i]);
			break;
		case 3:
			if (v[i] < 0)
				return bad(r, off, "negative data size %d", v[i]);
			break;
		}
	}
	m->rt = v[0];
	m->ss = v[1];
	m->ninst = v[2];
	m->data_size = v[3];
	m->ntype = v[4];
	m->nlink = v[5];
	m->entry_pc = v[6];
	m->entry_type = v[7];
	if (!(m->entry_pc == -1 && m->entry_type == -1)) {
		if (m->entry_pc < 0 || m->entry_pc >= m->ninst)
			return badsect(r, "header", "entry pc %d out of range (code size %d)",
			               m->entry_pc, m->ninst);
		if (m->entry_type < 0 || m->entry_type >= m->ntype)
			return badsect(r, "header", "entry type %d out of range (%d types)",
			               m->entry_type, m->ntype);
	}
	return 0;
}

static int
rdcode(Rd *r, DisModule *m)
{
	int32_t pc;

	/* Each instruction takes at least two bytes. */
	if ((size_t)m->ninst > left(r) / 2)
		return bad(r, r->pos, "truncated code section (%d instructions declared)", m->ninst);
	m->inst = calloc(m->ninst ? (size_t)m->ninst : 1, sizeof m->inst[0]);
	if (m->inst == NULL)
		return nomem(r, "code");
	for (pc = 0; pc < m->ninst; pc++) {
		DisInst *in = &m->inst[pc];
		size_t ioff = r->pos;
		int tyop, have;
		const char *why;

		if (left(r) < 2)
			return bad(r, ioff, "truncated code section");
		in->op = r->buf[r->pos];
		in->add = r->buf[r->pos + 1];
		r->pos += 2;
		if (in->op >= DIS_NOPS)
			return bad(r, ioff, "instruction %d: opcode %d out of range", pc, in->op);
		if (DIS_UMID(in->add) != DIS_AXNON) {
			if (rdop(r, &in->m.a, "code section") < 0)
				return -1;
			if (DIS_UMID(in->add) == DIS_AXINM &&
			    mpcheck(r, ioff, pc, in->m.a, m->data_size) < 0)
				return -1;
		}
		if (rdaddr(r, DIS_USRC(in->add), &in->s, pc, ioff, m) < 0 ||
		    rdaddr(r, DIS_UDST(in->add), &in->d, pc, ioff, m) < 0)
			return -1;
		have = (DIS_USRC(in->add) != DIS_AXXX ? DIS_SLOT_S : 0) |
		       (DIS_UMID(in->add) != DIS_AXNON ? DIS_SLOT_M : 0) |
		       (DIS_UDST(in->add) != DIS_AXXX ? DIS_SLOT_D : 0);
		if ((why = dis_op_operands_bad(in->op, have)) != NULL)
			return bad(r, ioff, "instruction %d: %s: %s", pc, dis_op_name(in->op), why);
		if (dis_op_dst_is_pc(in->op)) {
			if (DIS_UDST(in->add) != DIS_AIMM)
				return bad(r, ioff, "instruction %d: %s destination is not an immediate pc",
				           pc, dis_op_name(in->op));
			if (in->d.a < 0 || in->d.a >= m->ninst)
				return bad(r, ioff, "instruction %d: branch destination %d out of range (code size %d)",
				           pc, in->d.a, m->ninst);
		}
		if ((why = mode_bad(in)) != NULL)
			return bad(r, ioff, "instruction %d: %s: %s", pc, dis_op_name(in->op), why);
		tyop = dis_op_type_operand(in->op);
		if (tyop == 's' && DIS_USRC(in->add) == DIS_AIMM &&
		    (in->s.a < 0 || in->s.a >= m->ntype))
			return bad(r, ioff, "instruction %d: type index %d out of range (%d types)",
			           pc, in->s.a, m->ntype);
		if (tyop == 'm' && DIS_UMID(in->add) == DIS_AXIMM &&
		    (in->m.a < 0 || in->m.a >= m->ntype))
			return bad(r, ioff, "instruction %d: type index %d out of range (%d types)",
			           pc, in->m.a, m->ntype);
	}
	return 0;
}

static int
rdtypes(Rd *r, DisModule *m)
{
	int32_t i;

	if ((size_t)m->ntype > left(r) / 3)
		return bad(r, r->pos, "truncated type section (%d types declared)", m->ntype);
	m->type = calloc(m->ntype ? (size_t)m->ntype : 1, sizeof m->type[0]);
	if (m->type == NULL)
		return nomem(r, "types");
	for (i = 0; i < m->ntype; i++)
		m->type[i].id = -1;
	for (i = 0; i < m->ntype; i++) {
		size_t off = r->pos;
		int32_t id, size, nmap;
		DisType *t;

		if (rdop(r, &id, "type section") < 0 || rdop(r, &size, "type section") < 0 ||
		    rdop(r, &nmap, "type section") < 0)
			return -1;
		if (id < 0 || id >= m->ntype)
			return bad(r, off, "type id %d out of range (%d types)", id, m->ntype);
		t = &m->type[id];
		if (t->id != -1)
			return bad(r, off, "duplicate type id %d", id);
		if (size < 0 || nmap < 0 || size > DIS_MAX_DISP)
			return bad(r, off, "type %d: implausible size %d or map length %d", id, size, nmap);
		if ((int64_t)nmap * 8 * DIS_IBY2WD > (int64_t)size + 8 * DIS_IBY2WD - 1)
			return bad(r, off, "type %d: pointer map of %d bytes exceeds size %d", id, nmap, size);
		if ((size_t)nmap > left(r))
			return bad(r, r->pos, "truncated type section");
		/* A bit for a word that does not lie wholly inside the object
		 * would let the collector, initmem and destroy read and write
		 * past it: the heap word after it taken for a pointer. */
		for (int32_t b = 0; b < nmap * 8; b++)
			if ((r->buf[r->pos + (size_t)b / 8] & (0x80 >> (b % 8))) &&
			    (int64_t)(b + 1) * DIS_IBY2WD > size)
				return bad(r, off, "type %d: pointer map marks word %d, outside size %d",
				           id, b, size);
		t->id = id;
		t->size = size;
		t->nmap = nmap;
		t->map = malloc(nmap ? (size_t)nmap : 1);
		if (t->map == NULL)
			return nomem(r, "type map");
		memcpy(t->map, r->buf + r->pos, (size_t)nmap);
		r->pos += (size_t)nmap;
	}
	if (m->data_size != 0 && (m->ntype == 0 || m->type[0].size != m->data_size))
		return badsect(r, "types", "bad descriptor for mp: type 0 size %d, data size %d",
		               m->ntype ? m->type[0].size : -1, m->data_size);
	return 0;
}

/* Is the word at byte offset at of an object (or array of objects) of
 * type t one its map marks as a pointer? */
static int
ptrword(const DisType *t, int64_t at)
{
	int64_t w;

	if (t->size <= 0)
		return 0;
	at %= t->size;
	w = at / DIS_IBY2WD;
	return at % DIS_IBY2WD == 0 && w / 8 < t->nmap && (t->map[w / 8] & (0x80 >> (w % 8)));
}

/* Does [at, at+n) overlap a word t's map marks as a pointer? */
static int
overlapsptr(const DisType *t, int64_t at, int64_t n)
{
	for (int64_t o = at - at % DIS_IBY2WD; o < at + n; o += DIS_IBY2WD)
		if (ptrword(t, o))
			return 1;
	return 0;
}

/* Where data items land: mp, or an array element (after DIND). */
typedef struct Area {
	const DisType *t; /* type of the object, or of the array's elements */
	int id;          /* 0 = mp; n = the n-th array created */
	int64_t base;    /* bytes from the start of the area */
	int64_t limit;   /* area size in bytes */
} Area;

typedef struct ArrayRec {
	int area;        /* area holding the array pointer */
	int64_t at;      /* its byte offset there */
	int64_t esize;   /* element size */
	int32_t type;    /* element type */
	int32_t len;
} ArrayRec;

static int
rddata(Rd *r, DisModule *m)
{
	Area stk[MAXDEPTH + 1];
	ArrayRec *arr = NULL;
	int narr = 0, aarr = 0, depth = 0;
	int32_t cap = 0;

	stk[0].id = 0;
	stk[0].base = 0;
	stk[0].limit = m->data_size;
	stk[0].t = m->ntype > 0 ? &m->type[0] : NULL;
	for (;;) {
		size_t off = r->pos;
		int kind;
		int32_t count, offset, j;
		int64_t ext, at;
		DisData *d;
		Area *cur = &stk[depth];
		uint32_t w;

		if (left(r) < 1) {
			bad(r, off, "truncated data section");
			goto fail;
		}
		kind = r->buf[r->pos] >> 4;
		count = r->buf[r->pos] & 0xF;
		r->pos++;
		if (kind == 0 && count == 0)
			break;
		if (count == 0 && rdop(r, &count, "data section") < 0)
			goto fail;
		if (rdop(r, &offset, "data section") < 0)
			goto fail;
		if (kind < DIS_DEFB || kind > DIS_DEFL) {
			bad(r, off, "bad data item kind %d", kind);
			goto fail;
		}
		if (count < 0) {
			bad(r, off, "negative data item count %d", count);
			goto fail;
		}
		if (m->ndata == cap) {
			int32_t ncap = cap ? cap * 2 : 16;
			DisData *nd = realloc(m->data, (size_t)ncap * sizeof *nd);
			if (nd == NULL) {
				nomem(r, "data");
				goto fail;
			}
			m->data = nd;
			cap = ncap;
		}
		d = &m->data[m->ndata];
		memset(d, 0, sizeof *d);
		d->kind = (uint8_t)kind;
		d->count = count;
		d->offset = offset;
		ext = dis_data_extent(kind, kind == DIS_DAPOP ? 0 : count);
		at = cur->base + offset;
		if (kind != DIS_DAPOP && (offset < 0 || at + ext > cur->limit)) {
			bad(r, off, "data item at offset %d out of range (%s of %lld bytes)", offset,
			    cur->id == 0 ? "data size" : "array", (long long)(cur->limit - cur->base));
			goto fail;
		}
		/* Pointers only where the type's map says, and only pointers
		 * there: a word item at a pointer slot forges a heap reference,
		 * a string or array at a plain word leaks it. */
		if (cur->t != NULL && kind != DIS_DAPOP &&
		    ((kind == DIS_DEFS || kind == DIS_DEFA || kind == DIS_DIND) ? !ptrword(cur->t, at)
		     : overlapsptr(cur->t, at, ext))) {
			bad(r, off, "data item at offset %d does not match the pointer map of type %d",
			    offset, (int)(cur->t - m->type));
			goto fail;
		}
		switch (kind) {
		case DIS_DEFB:
		case DIS_DEFS:
			if ((size_t)count > left(r)) {
				bad(r, r->pos, "truncated data section");
				goto fail;
			}
			d->u.bytes = malloc(count ? (size_t)count : 1);
			if (d->u.bytes == NULL) {
				nomem(r, "data");
				goto fail;
			}
			memcpy(d->u.bytes, r->buf + r->pos, (size_t)count);
			r->pos += (size_t)count;
			m->ndata++;
			break;
		case DIS_DEFW:
			if ((size_t)count > left(r) / 4) {
				bad(r, r->pos, "truncated data section");
				goto fail;
			}
			d->u.words = malloc(count ? (size_t)count * 4 : 1);
			if (d->u.words == NULL) {
				nomem(r, "data");
				goto fail;
			}
			m->ndata++;
			for (j = 0; j < count; j++) {
				rdw(r, &w, "data section");
				d->u.words[j] = (int32_t)w;
			}
			break;
		case DIS_DEFF:
		case DIS_DEFL:
			if ((size_t)count > left(r) / 8) {
				bad(r, r->pos, "truncated data section");
				goto fail;
			}
			d->u.bigs = malloc(count ? (size_t)count * 8 : 1);
			if (d->u.bigs == NULL) {
				nomem(r, "data");
				goto fail;
			}
			m->ndata++;
			for (j = 0; j < count; j++) {
				uint32_t hi, lo;
				uint64_t u;
				rdw(r, &hi, "data section");
				rdw(r, &lo, "data section");
				u = (uint64_t)hi << 32 | lo;
				if (kind == DIS_DEFF)
					memcpy(&d->u.reals[j], &u, 8);
				else
					d->u.bigs[j] = (int64_t)u;
			}
			break;
		case DIS_DEFA: {
			uint32_t ty, len;
			if (rdw(r, &ty, "data section") < 0 || rdw(r, &len, "data section") < 0)
				goto fail;
			if ((int32_t)ty < 0 || (int32_t)ty >= m->ntype) {
				bad(r, off, "array type index %d out of range (%d types)", (int32_t)ty, m->ntype);
				goto fail;
			}
			if ((int32_t)len < 0) {
				bad(r, off, "negative array length %d", (int32_t)len);
				goto fail;
			}
			d->u.array.type = (int32_t)ty;
			d->u.array.len = (int32_t)len;
			m->ndata++;
			if (narr == aarr) {
				int na = aarr ? aarr * 2 : 8;
				ArrayRec *nr = realloc(arr, (size_t)na * sizeof *nr);
				if (nr == NULL) {
					nomem(r, "data");
					goto fail;
				}
				arr = nr;
				aarr = na;
			}
			arr[narr].area = cur->id;
			arr[narr].at = at;
			arr[narr].esize = m->type[ty].size;
			arr[narr].type = (int32_t)ty;
			arr[narr].len = (int32_t)len;
			narr++;
			break;
		}
		case DIS_DIND: {
			uint32_t idx;
			int k;
			if (rdw(r, &idx, "data section") < 0)
				goto fail;
			d->u.index = (int32_t)idx;
			m->ndata++;
			for (k = narr - 1; k >= 0; k--)
				if (arr[k].area == cur->id && arr[k].at == at)
					break;
			if (k < 0) {
				bad(r, off, "indirection through offset %d, which holds no array", offset);
				goto fail;
			}
			if ((int32_t)idx < 0 || (int32_t)idx > arr[k].len || depth >= MAXDEPTH) {
				bad(r, off, "array initialiser index %d out of range (length %d)",
				    (int32_t)idx, arr[k].len);
				goto fail;
			}
			depth++;
			stk[depth].id = k + 1;
			stk[depth].t = &m->type[arr[k].type];
			stk[depth].base = (int64_t)(int32_t)idx * arr[k].esize;
			stk[depth].limit = (int64_t)arr[k].len * arr[k].esize;
			break;
		}
		case DIS_DAPOP:
			if (depth == 0) {
				bad(r, off, "array pop with no array");
				goto fail;
			}
			depth--;
			m->ndata++;
			break;
		}
	}
	if (depth != 0) {
		badsect(r, "data", "array initialiser not closed by apop");
		goto fail;
	}
	free(arr);
	return 0;
fail:
	free(arr);
	return -1;
}

static int
rdlinks(Rd *r, DisModule *m)
{
	int32_t i;

	if ((size_t)m->nlink > left(r) / 7)
		return bad(r, r->pos, "truncated link section (%d links declared)", m->nlink);
	m->link = calloc(m->nlink ? (size_t)m->nlink : 1, sizeof m->link[0]);
	if (m->link == NULL)
		return nomem(r, "links");
	for (i = 0; i < m->nlink; i++) {
		DisLink *l = &m->link[i];
		size_t off = r->pos;
		uint32_t sig;

		if (rdop(r, &l->pc, "link section") < 0 || rdop(r, &l->desc, "link section") < 0 ||
		    rdw(r, &sig, "link section") < 0 || rdstr(r, &l->name, "link name") < 0)
			return -1;
		l->sig = sig;
		if (l->pc < -1 || l->pc >= m->ninst)
			return bad(r, off, "link %d (%s): pc %d out of range (code size %d)",
			           i, l->name, l->pc, m->ninst);
		if (l->desc < -1 || l->desc >= m->ntype)
			return bad(r, off, "link %d (%s): type index %d out of range (%d types)",
			           i, l->name, l->desc, m->ntype);
		/* mframe builds a function's frame from its link's type. */
		if (l->pc >= 0 && l->desc < 0)
			return bad(r, off, "link %d (%s): function at pc %d has no frame type",
			           i, l->name, l->pc);
	}
	return 0;
}

static int
rdimports(Rd *r, DisModule *m)
{
	int32_t i, j, n;
	size_t off = r->pos;

	if (rdop(r, &n, "import section") < 0)
		return -1;
	if (n < 0 || (size_t)n > left(r))
		return bad(r, off, "implausible import module count %d", n);
	m->import = calloc(n ? (size_t)n : 1, sizeof m->import[0]);
	if (m->import == NULL)
		return nomem(r, "imports");
	m->nimport = n;
	for (i = 0; i < n; i++) {
		DisImportModule *im = &m->import[i];
		int32_t nf;
		off = r->pos;
		if (rdop(r, &nf, "import section") < 0)
			return -1;
		if (nf < 0 || (size_t)nf > left(r) / 5)
			return bad(r, off, "implausible import function count %d", nf);
		im->func = calloc(nf ? (size_t)nf : 1, sizeof im->func[0]);
		if (im->func == NULL)
			return nomem(r, "imports");
		for (j = 0; j < nf; j++) {
			uint32_t sig;
			if (rdw(r, &sig, "import section") < 0 ||
			    rdstr(r, &im->func[j].name, "import name") < 0)
				return -1;
			im->func[j].sig = sig;
			im->nfunc++;
		}
	}
	if (left(r) < 1)
		return bad(r, r->pos, "truncated import section");
	if (r->buf[r->pos] != 0)
		return bad(r, r->pos, "import section not terminated by 0");
	r->pos++;
	return 0;
}

/* The largest frame code of this module can run in: every frame is one
 * of its own types (frame $t, a link's or the entry's type, mframe of one
 * of its links), so no n(fp) operand can lie beyond the largest type.
 * Which type a given instruction runs under would take flow analysis
 * (Inferno's loader checks no fp offset at all); this bound is what a
 * frame-sized stack reservation can rely on. A module with no types has
 * no frame its code could run in (no entry, no link, no frame $t): no bound. */
static int32_t
maxframe(const DisModule *m)
{
	int32_t max = DIS_MAXTEMP;

	if (m->ntype == 0)
		return INT32_MAX;

	for (int32_t i = 0; i < m->ntype; i++)
		if (m->type[i].size > max)
			max = m->type[i].size;
	return max;
}

/* Like mp operands, the operand's first byte: its width (a byte, a word,
 * a big, movm's n) is the opcode's, which ops.def does not record. */
static int
fpone(Rd *r, int32_t pc, const char *which, int32_t off, int32_t max)
{
	if (off < 0 || off >= max)
		return badsect(r, "code", "instruction %d: %s fp operand %d outside the largest frame (%d bytes)",
		               pc, which, off, max);
	return 0;
}

/* n(fp), and the pointer word n2 of n1(n2(fp)), lie inside a frame. */
static int
fpcheck(Rd *r, int32_t pc, const DisInst *in, int32_t max)
{
	if ((DIS_USRC(in->add) & ~DIS_AIND) == DIS_AFP && fpone(r, pc, "source", in->s.a, max) < 0)
		return -1;
	if (DIS_UMID(in->add) == DIS_AXINF && fpone(r, pc, "middle", in->m.a, max) < 0)
		return -1;
	if ((DIS_UDST(in->add) & ~DIS_AIND) == DIS_AFP && fpone(r, pc, "destination", in->d.a, max) < 0)
		return -1;
	return 0;
}

/* Checks what the code says of the types and import tables, which follow
 * it in the file: fp operands inside the largest frame, and a load whose middle operand is an immediate names an import table
 * the module has. A load from a register is checked when it runs, as are
 * mcall/mframe/mspawn link indices: their modlink comes from a register,
 * built by any module's load from that module's own import table, so no
 * bound on an immediate link index is knowable here. */
static int
chkcode(Rd *r, const DisModule *m)
{
	int32_t max = maxframe(m);

	for (int32_t pc = 0; pc < m->ninst; pc++) {
		const DisInst *in = &m->inst[pc];
		if (fpcheck(r, pc, in, max) < 0)
			return -1;
		if (in->op == DIS_OP_LOAD && DIS_UMID(in->add) == DIS_AXIMM &&
		    (in->m.a < 0 || in->m.a >= m->nimport))
			return badsect(r, "code", "instruction %d: load: import table %d out of range (%d import tables)",
			               pc, in->m.a, m->nimport);
	}
	return 0;
}

static int
pccheck(Rd *r, size_t off, const char *what, int32_t pc, int32_t ninst, int allowneg)
{
	if ((allowneg && pc == -1) || (pc >= 0 && pc < ninst))
		return 0;
	return bad(r, off, "handler %s pc %d out of range (code size %d)", what, pc, ninst);
}

static int
rdhandlers(Rd *r, DisModule *m)
{
	int32_t i, j, n;
	size_t off = r->pos;

	if (rdop(r, &n, "handler section") < 0)
		return -1;
	if (n < 0 || (size_t)n > left(r) / 6)
		return bad(r, off, "implausible handler count %d", n);
	m->handler = calloc(n ? (size_t)n : 1, sizeof m->handler[0]);
	if (m->handler == NULL)
		return nomem(r, "handlers");
	for (i = 0; i < n; i++) {
		DisHandler *h = &m->handler[i];
		int32_t v;
		off = r->pos;
		if (rdop(r, &h->eoff, "handler section") < 0 || rdop(r, &h->pc1, "handler section") < 0 ||
		    rdop(r, &h->pc2, "handler section") < 0 || rdop(r, &h->descid, "handler section") < 0 ||
		    rdop(r, &v, "handler section") < 0)
			return -1;
		m->nhandler++;
		h->wildpc = -1;
		if (h->eoff < 0 || (int64_t)h->eoff + DIS_IBY2WD > maxframe(m))
			return bad(r, off, "handler %d: exception offset %d outside the largest frame (%d bytes)",
			           i, h->eoff, maxframe(m));
		if (h->pc1 < 0 || h->pc2 < h->pc1 || h->pc2 > m->ninst)
			return bad(r, off, "handler %d: pc range %d..%d out of range (code size %d)",
			           i, h->pc1, h->pc2, m->ninst);
		if (h->descid < -1 || h->descid >= m->ntype)
			return bad(r, off, "handler %d: type index %d out of range (%d types)",
			           i, h->descid, m->ntype);
		h->ne = v >> 16;
		h->nlab = v & 0xFFFF;
		if (h->ne < 0 || h->ne > h->nlab)
			return bad(r, off, "handler %d: %d exception labels of %d", i, h->ne, h->nlab);
		if ((size_t)h->nlab > left(r) / 2)
			return bad(r, off, "truncated handler section");
		h->lab = calloc(h->nlab ? (size_t)h->nlab : 1, sizeof h->lab[0]);
		if (h->lab == NULL)
			return nomem(r, "handlers");
		for (j = 0; j < h->nlab; j++) {
			off = r->pos;
			if (rdstr(r, &h->lab[j].name, "handler label") < 0 ||
			    rdop(r, &h->lab[j].pc, "handler section") < 0)
				return -1;
			if (pccheck(r, off, "label", h->lab[j].pc, m->ninst, 0) < 0)
				return -1;
		}
		off = r->pos;
		if (rdop(r, &h->wildpc, "handler section") < 0 ||
		    pccheck(r, off, "default", h->wildpc, m->ninst, 1) < 0)
			return -1;
	}
	if (left(r) < 1)
		return bad(r, r->pos, "truncated handler section");
	if (r->buf[r->pos] != 0)
		return bad(r, r->pos, "handler section not terminated by 0");
	r->pos++;
	return 0;
}

DisModule *
dis_module_read(const uint8_t *buf, size_t len, const char *name, AcErr *err)
{
	Rd rd, *r = &rd;
	DisModule *m;

	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->len = buf ? len : 0;
	r->name = name ? name : "dis";
	r->err = err;
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		nomem(r, "module");
		return NULL;
	}
	if (rdheader(r, m) < 0 || rdcode(r, m) < 0 || rdtypes(r, m) < 0 || rddata(r, m) < 0)
		goto fail;
	if (rdstr(r, &m->name, "module name") < 0 || rdlinks(r, m) < 0)
		goto fail;
	if ((m->rt & DIS_HASLDT) && rdimports(r, m) < 0)
		goto fail;
	if (chkcode(r, m) < 0)
		goto fail;
	if ((m->rt & DIS_HASEXCEPT) && rdhandlers(r, m) < 0)
		goto fail;
	if (rdstr(r, &m->srcpath, "source path") < 0)
		goto fail;
	if (left(r) != 0) {
		bad(r, r->pos, "%zu bytes left over after the source path", left(r));
		goto fail;
	}
	return m;
fail:
	dis_module_free(m);
	return NULL;
}

DisModule *
dis_module_load(const char *path, AcErr *err)
{
	uint8_t *buf;
	size_t len;
	DisModule *m;

	if (ac_file_read(path, &buf, &len, err) != AC_OK)
		return NULL;
	m = dis_module_read(buf, len, path, err);
	free(buf);
	return m;
}

void
dis_module_free(DisModule *m)
{
	int32_t i, j;

	if (m == NULL)
		return;
	free(m->sig);
	free(m->inst);
	if (m->type)
		for (i = 0; i < m->ntype; i++)
			free(m->type[i].map);
	free(m->type);
	for (i = 0; i < m->ndata; i++)
		switch (m->data[i].kind) {
		case DIS_DEFB: case DIS_DEFS: free(m->data[i].u.bytes); break;
		case DIS_DEFW: free(m->data[i].u.words); break;
		case DIS_DEFF: free(m->data[i].u.reals); break;
		case DIS_DEFL: free(m->data[i].u.bigs); break;
		}
	free(m->data);
	free(m->name);
	if (m->link)
		for (i = 0; i < m->nlink; i++)
			free(m->link[i].name);
	free(m->link);
	for (i = 0; i < m->nimport; i++) {
		for (j = 0; j < m->import[i].nfunc; j++)
			free(m->import[i].func[j].name);
		free(m->import[i].func);
	}
	free(m->import);
	for (i = 0; i < m->nhandler; i++) {
		if (m->handler[i].lab)
			for (j = 0; j < m->handler[i].nlab; j++)
				free(m->handler[i].lab[j].name);
		free(m->handler[i].lab);
	}
	free(m->handler);
	free(m->srcpath);
	free(m);
}
