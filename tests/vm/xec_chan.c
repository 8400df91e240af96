/*
 * Thread and channel instructions: spawn, newcw/newcp/newcb/newcf/newcl
 * (unbuffered and with a buffer length in the middle operand), send and
 * recv between threads, and a program whose every thread is blocked.
 * Semantics: Dis spec and Inferno libinterp/xec.c.
 */
#include "tests/vm/xec.h"

/* A spawned thread sends 1, 2, 3 on an unbuffered channel; init receives
 * them in order. A buffered channel takes two sends without a receiver. */
static void
test_send_recv(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n"
	    "\tframe $5,104(fp)\n"
	    "\tmovp 40(fp),32(104(fp))\n"
	    "\tspawn 104(fp),worker\n"
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    "\tnewcw $2,44(fp)\n"
	    "\tsend $7,44(fp)\n"
	    "\tsend $8,44(fp)\n"
	    "\trecv 44(fp),108(fp)\n" PW("108(fp)")
	    "\trecv 44(fp),108(fp)\n" PW("108(fp)")
	    "\tnewcp $1,48(fp)\n"
	    "\tsend 24(mp),48(fp)\n"
	    "\trecv 48(fp),52(fp)\n" PS("52(fp)")
	    "\tnewcb $1,56(fp)\n"
	    "\tsend 128(mp),56(fp)\n"
	    "\trecv 56(fp),112(fp)\n" PB("112(fp)")
	    "\tnewcf $1,60(fp)\n"
	    "\tsend 136(mp),60(fp)\n"
	    "\trecv 60(fp),120(fp)\n" PF("120(fp)")
	    "\tnewcl $1,64(fp)\n"
	    "\tsend 144(mp),64(fp)\n"
	    "\trecv 64(fp),128(fp)\n" PL("128(fp)"),
	    .funcs =
	    "worker:\tsend $1,32(fp)\n"
	    "\tsend $2,32(fp)\n"
	    "\tsend $3,32(fp)\n"
	    "\tret\n",
	    .data =
	    "\tdesc $5,40,\"0080\"\n"
	    "\tstring @mp+24,\"over the channel\"\n"
	    "\tbyte @mp+128,201\n"
	    "\treal @mp+136,-0.375\n"
	    "\tlong @mp+144,-8589934592\n",
	    .out = "1\n2\n3\n7\n8\nover the channel\n201\n-.375\n-8589934592\n");
}

/* A receive that no thread will ever match ends the run with an error. */
static void
test_deadlock(void **state)
{
	XEC(.body = "\tnewcw 40(fp)\n" PW("$1") "\trecv 40(fp),104(fp)\n" PW("$2"),
	    .out = "1\n",
	    .err = "dis-run: %s: deadlock: every thread is blocked on a channel\n");
}

TEST_MAIN("dis instructions: threads and channels",
          cmocka_unit_test(test_send_recv),
          cmocka_unit_test(test_deadlock))
