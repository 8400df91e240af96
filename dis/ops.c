/*
 * Opcode names and properties, all drawn from the X-macro list dis/ops.def.
 */
#include <string.h>

#include "dis/dis_impl.h"

static const char *const opname[] = {
#define X(e, name, dstpc, form) name,
#include "dis/ops.def"
#undef X
};

static const unsigned char opdstpc[] = {
#define X(e, name, dstpc, form) dstpc,
#include "dis/ops.def"
#undef X
};

/* A form packs the slots required in the low three bits and the slots
 * allowed in the next three; the letters are ops.def's. */
#define FORM(need, may) ((need) | (may) << 3)
enum {
	S = DIS_SLOT_S, M = DIS_SLOT_M, D = DIS_SLOT_D,
	F_N = FORM(0, 0),
	F_D = FORM(D, D),
	F_S = FORM(S, S),
	F_SD = FORM(S | D, S | D),
	F_SmD = FORM(S | D, S | M | D),
	F_SMD = FORM(S | M | D, S | M | D),
	F_mD = FORM(D, M | D),
};

static const unsigned char opform[] = {
#define X(e, name, dstpc, form) F_##form,
#include "dis/ops.def"
#undef X
};

_Static_assert(sizeof opform == DIS_NOPS, "opform out of step with ops.def");
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
dis_op_need(int op)
{
	if (op < 0 || op >= DIS_NOPS)
		return 0;
	return opform[op] & 7;
}

int
dis_op_may(int op)
{
	if (op < 0 || op >= DIS_NOPS)
		return 0;
	return opform[op] >> 3;
}

static int
nbits(int x)
{
	return (x >> 2 & 1) + (x >> 1 & 1) + (x & 1);
}

int
dis_text_slots(int op, int k)
{
	int need = dis_op_need(op), may = dis_op_may(op);

	/* The form decides when k fits it: newcb's two operands are the
	 * buffer size and the channel, raise's one is a source. */
	if (k == nbits(may))
		return may;
	if (k == nbits(need))
		return need;
	switch (k) {
	case 0:
		return 0;
	case 1:
		return D;
	case 2:
		return S | D;
	default:
		return S | M | D;
	}
}

const char *
dis_op_operands_bad(int op, int have)
{
	int need = dis_op_need(op), may = dis_op_may(op);

	if (need & ~have & S)
		return "missing source operand";
	if (need & ~have & M)
		return "missing middle operand";
	if (need & ~have & D)
		return "missing destination operand";
	if (have & ~may & S)
		return "unexpected source operand";
	if (have & ~may & M)
		return "unexpected middle operand";
	if (have & ~may & D)
		return "unexpected destination operand";
	return NULL;
}
