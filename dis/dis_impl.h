/*
 * dis private: operand encoding helpers and checks shared by the reader,
 * writer, assembler and disassembler. Not part of the public interface.
 */
#ifndef DIS_DIS_IMPL_H
#define DIS_DIS_IMPL_H

#include "dis/dis.h"

/* Largest and smallest values an OP operand can hold (signed 30 bits). */
enum {
	DIS_OPMAX = (1 << 29) - 1,
	DIS_OPMIN = -(1 << 29),
};

/* Bytes of mp a data item of kind/count occupies at its offset
 * (DEFS, DEFA and DIND: one pointer word; DAPOP: 0). */
int64_t dis_data_extent(int kind, int32_t count);

/* Which operand of op, if immediate, is a type index in this module:
 * 's' source, 'm' middle, or 0 for none. */
int dis_op_type_operand(int op);

/* The (ignored) count field limbo writes for DEFA, DIND and DAPOP items. */
enum { DIS_DATA_MARKCOUNT = 1 };

/* Runtime flags the assembler assumes when no `flags` directive is given:
 * HASLDT when the module has an import section, HASEXCEPT when it has a
 * handler section. */
int32_t dis_default_rt(int has_ldt, int has_except);

/* Stack extent the assembler assumes when no `stack` directive is given:
 * ten times the largest frame (at least DIS_MAXTEMP), as limbo computes it;
 * frames are the types named by frame instructions, links and the entry. */
int32_t dis_default_ss(const DisModule *m);

/* Operand slots as bits, in the order the assembly language writes them. */
enum { DIS_SLOT_S = 4, DIS_SLOT_M = 2, DIS_SLOT_D = 1 };

/* Operand modes as parsed from text with k operands: for op with k of
 * (src, mid, dst) present, which are meant. Returns a bit set of DIS_SLOT_*.
 * Used by the assembler and by the disassembler to know when the short
 * form is ambiguous. */
int dis_text_slots(int op, int k);

/* The slots op must have and the slots it may have (the form in ops.def). */
int dis_op_need(int op);
int dis_op_may(int op);

/* Checks that an instruction of op with the slots `have` present has the
 * operands its form asks for: NULL if so, else a phrase such as "missing
 * destination operand" or "unexpected middle operand". */
const char *dis_op_operands_bad(int op, int have);

#endif
