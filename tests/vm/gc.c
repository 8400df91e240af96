/*
 * The cycle collector: reference cycles that reference counting alone
 * would never free are reclaimed while the program runs, so a loop that
 * makes 300,000 garbage cycles fits in a 4 MB heap; and a cycle still
 * reachable from a frame is kept.
 */
#include "tests/vm/xec.h"

/* $5: an adt { next: ref adt; val: int } */
#define NODE "\tdesc $5,8,\"80\"\n"

static void
test_garbage_cycles_are_freed(void **state)
{
	XEC(.body =
	    "\tmovw $0,104(fp)\n"
	    "loop:\n"
	    "\tbgew 104(fp),$300000,$done\n"
	    "\tnew $5,40(fp)\n"
	    "\tnew $5,44(fp)\n"
	    "\tmovp 44(fp),0(40(fp))\n"
	    "\tmovp 40(fp),0(44(fp))\n"
	    "\taddw $1,104(fp)\n"
	    "\tjmp $loop\n"
	    "done:\n" PW("104(fp)"),
	    .data = NODE,
	    .args = "--heap-max 4m",
	    .out = "300000\n");
}

/* A three-node ring kept alive by a frame slot survives collections
 * triggered by other garbage, with its values intact. */
static void
test_live_cycle_is_kept(void **state)
{
	XEC(.body =
	    "\tnew $5,40(fp)\n"
	    "\tnew $5,44(fp)\n"
	    "\tnew $5,48(fp)\n"
	    "\tmovw $1,4(40(fp))\n"
	    "\tmovw $2,4(44(fp))\n"
	    "\tmovw $3,4(48(fp))\n"
	    "\tmovp 44(fp),0(40(fp))\n"
	    "\tmovp 48(fp),0(44(fp))\n"
	    "\tmovp 40(fp),0(48(fp))\n"
	    "\tmovp 24(mp),44(fp)\n"
	    "\tmovp 24(mp),48(fp)\n"
	    "\tmovw $0,104(fp)\n"
	    "loop:\n"
	    "\tbgew 104(fp),$100000,$done\n"
	    "\tnew $5,52(fp)\n"
	    "\tnew $5,56(fp)\n"
	    "\tmovp 56(fp),0(52(fp))\n"
	    "\tmovp 52(fp),0(56(fp))\n"
	    /* touch the ring: each step drops and retakes a reference */
	    "\tmovp 0(40(fp)),60(fp)\n"
	    "\tmovp 60(fp),40(fp)\n"
	    "\taddw $1,104(fp)\n"
	    "\tjmp $loop\n"
	    "done:\n"
	    "\tmovw 4(40(fp)),108(fp)\n" PW("108(fp)")
	    "\tmovp 0(40(fp)),60(fp)\n"
	    "\tmovw 4(60(fp)),108(fp)\n" PW("108(fp)")
	    "\tmovp 0(60(fp)),60(fp)\n"
	    "\tmovw 4(60(fp)),108(fp)\n" PW("108(fp)")
	    "\tmovp 0(60(fp)),60(fp)\n"
	    "\tmovw 4(60(fp)),108(fp)\n" PW("108(fp)"),
	    .data = NODE,
	    .args = "--heap-max 4m",
	    .out = "2\n3\n1\n2\n");
}

TEST_MAIN("vm/gc",
          cmocka_unit_test(test_garbage_cycles_are_freed),
          cmocka_unit_test(test_live_cycle_is_kept))
