/*
 * Opcode names and properties, all drawn from the X-macro list dis/ops.def.
 */
#include <string.h>

#include "dis/dis_impl.h"

static const char *const opname[] = {
#define X(e, name, dstpc) name,
#include "dis/ops.def"
#undef X
};

static const unsigned char opdstpc[] = {
#define X(e, name, dstpc) dstpc,
#include "dis/ops.def"
#undef X
};

_Static_assert(sizeof opname / sizeof opname[0] == DIS_NOPS, "opname out of step with ops.def");
_Static_assert(sizeof opdstpc == DIS_NOPS, "opdstpc out of step with ops.def");

const char *
dis_op_name(int op)
{
	if (op < 0 || op >= DIS_NOPS)
		return NULL;
	return opname[op];
}

int
dis_op_lookup(const char *name)
{
	int i;

	for (i = 0; i < DIS_NOPS; i++)
		if (strcmp(opname[i], name) == 0)
			return i;
	return -1;
}

int
dis_op_dst_is_pc(int op)
{
	if (op < 0 || op >= DIS_NOPS)
		return 0;
	return opdstpc[op];
}

int
dis_op_type_operand(int op)
{
	switch (op) {
	case DIS_OP_FRAME:
	case DIS_OP_NEW:
	case DIS_OP_NEWZ:
	case DIS_OP_NEWCMP:
		return 's';
	case DIS_OP_NEWA:
	case DIS_OP_NEWAZ:
	case DIS_OP_MOVMP:
	case DIS_OP_CONSMP:
	case DIS_OP_HEADMP:
		return 'm';
	}
	return 0;
}

int64_t
dis_data_extent(int kind, int32_t count)
{
	switch (kind) {
	case DIS_DEFB:
		return count;
	case DIS_DEFW:
		return (int64_t)count * 4;
	case DIS_DEFF:
	case DIS_DEFL:
		return (int64_t)count * 8;
	case DIS_DEFS:
	case DIS_DEFA:
	case DIS_DIND:
		return DIS_IBY2WD;
	}
	return 0;
}

int32_t
dis_default_rt(int has_ldt, int has_except)
{
	return (has_ldt ? DIS_HASLDT : 0) | (has_except ? DIS_HASEXCEPT : 0);
}

int32_t
dis_default_ss(const DisModule *m)
{
	int32_t max = DIS_MAXTEMP, i, t;

	for (i = 0; i < m->ninst; i++) {
		const DisInst *in = &m->inst[i];
		if (in->op == DIS_OP_FRAME && DIS_USRC(in->add) == DIS_AIMM) {
			t = in->s.a;
			if (t >= 0 && t < m->ntype && m->type[t].size > max)
				max = m->type[t].size;
		}
	}
	for (i = 0; i < m->nlink; i++) {
		t = m->link[i].desc;
		if (m->link[i].pc >= 0 && t >= 0 && t < m->ntype && m->type[t].size > max)
			max = m->type[t].size;
	}
	t = m->entry_type;
	if (t >= 0 && t < m->ntype && m->type[t].size > max)
		max = m->type[t].size;
	if (max > DIS_OPMAX / 10)
		return DIS_OPMAX;
	return max * 10;
}

int
dis_text_slots(int op, int k)
{
	switch (k) {
	case 0:
		return 0;
	case 1:
		return op == DIS_OP_RAISE ? 4 : 1;
	case 2:
		/* limbo always gives a channel a buffer size, as the middle
		 * operand, and a source only for newcm and newcmp. */
		switch (op) {
		case DIS_OP_NEWCB: case DIS_OP_NEWCW: case DIS_OP_NEWCF:
		case DIS_OP_NEWCP: case DIS_OP_NEWCL:
			return 2 | 1;
		}
		return 4 | 1;
	default:
		return 4 | 2 | 1;
	}
}
