/*
 * Concurrent programs: producers and consumers over unbuffered and
 * buffered channels, alt fan-in, nbalt, alt mixing sends and receives,
 * mspawn into another module instance, a ring of 10,000 threads, quantum
 * preemption, the end of a program with threads still blocked, deadlock,
 * and a spawned thread's uncaught exception. Each run is bounded by
 * XEC_TIMEOUT_MS. Semantics: Dis spec, Inferno libinterp/xec.c, alt.c and
 * the scheduler in emu/port/dis.c.
 */
#include "tests/vm/xec.h"

/* prod(c, base, n): sends base+1 .. base+n on c. Frame type 5. */
#define PROD \
	"prod:\tmovw $0,44(fp)\n" \
	"pl:\tbgew 44(fp),40(fp),pr\n" \
	"\taddw $1,44(fp)\n" \
	"\taddw 44(fp),36(fp),48(fp)\n" \
	"\tsend 48(fp),32(fp)\n" \
	"\tjmp pl\n" \
	"pr:\tret\n"
#define PRODDESC "\tdesc $5,56,\"0080\"\n"
/* spawn prod(CHAN, BASE, N) */
#define SPAWNPROD(chan, base, n) \
	"\tframe $5,104(fp)\n\tmovp " chan ",32(104(fp))\n\tmovw $" base ",36(104(fp))\n" \
	"\tmovw $" n ",40(104(fp))\n\tspawn 104(fp),prod\n"

/* One producer, one consumer: 1000 values arrive in order over an
 * unbuffered channel, then over a buffered one (capacity 7), and with two
 * producers on one buffered channel each one's values stay in order. */
static void
test_producer_consumer(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n"
	    SPAWNPROD("40(fp)", "0", "1000")
	    "\tmovw $0,112(fp)\n\tmovw $0,116(fp)\n\tmovw $0,124(fp)\n"
	    "c1:\tbgew 112(fp),$1000,d1\n"
	    "\trecv 40(fp),120(fp)\n"
	    "\taddw $1,112(fp)\n\taddw 120(fp),116(fp)\n"
	    "\tbeqw 120(fp),112(fp),c1\n"
	    "\taddw $1,124(fp)\n\tjmp c1\n"
	    "d1:" PW("116(fp)") PW("124(fp)")
	    "\tnewcw $7,44(fp)\n"
	    SPAWNPROD("44(fp)", "0", "1000")
	    "\tmovw $0,112(fp)\n\tmovw $0,116(fp)\n\tmovw $0,124(fp)\n"
	    "c2:\tbgew 112(fp),$1000,d2\n"
	    "\trecv 44(fp),120(fp)\n"
	    "\taddw $1,112(fp)\n\taddw 120(fp),116(fp)\n"
	    "\tbeqw 120(fp),112(fp),c2\n"
	    "\taddw $1,124(fp)\n\tjmp c2\n"
	    "d2:" PW("116(fp)") PW("124(fp)")
	    /* two producers on one buffered channel: 1..500 and 1001..1500 */
	    "\tnewcw $3,48(fp)\n"
	    SPAWNPROD("48(fp)", "0", "500")
	    SPAWNPROD("48(fp)", "1000", "500")
	    "\tmovw $0,112(fp)\n\tmovw $0,116(fp)\n\tmovw $0,124(fp)\n"
	    "\tmovw $0,128(fp)\n\tmovw $1000,132(fp)\n"
	    "c3:\tbgew 112(fp),$1000,d3\n"
	    "\trecv 48(fp),120(fp)\n"
	    "\taddw $1,112(fp)\n\taddw 120(fp),116(fp)\n"
	    "\tbgtw 120(fp),$1000,hi\n"
	    "\taddw $1,128(fp)\n"
	    "\tbeqw 120(fp),128(fp),c3\n"
	    "\taddw $1,124(fp)\n\tjmp c3\n"
	    "hi:\taddw $1,132(fp)\n"
	    "\tbeqw 120(fp),132(fp),c3\n"
	    "\taddw $1,124(fp)\n\tjmp c3\n"
	    "d3:" PW("116(fp)") PW("124(fp)"),
	    .funcs = PROD,
	    .data = PRODDESC,
	    .out = "500500\n0\n500500\n0\n750500\n0\n");
}

/* Fan-in: three producers (1001..1200, 2001..2200, 3001..3200) on their
 * own unbuffered channels, one alt receiving from all three 600 times.
 * Every value arrives exactly once and in its producer's order: the
 * counts per case, the sum and the order errors show it. */
static void
test_alt_fan_in(void **state)
{
	#define ARM(k, v, cnt, next) \
		"k" k ":\taddw $1," cnt "(fp)\n\taddw " v "(fp),116(fp)\n\taddw $1," next "(fp)\n" \
		"\tbeqw " v "(fp)," next "(fp),al\n\taddw $1,124(fp)\n\tjmp al\n"
	XEC(.body =
	    "\tnewcw 40(fp)\n\tnewcw 44(fp)\n\tnewcw 48(fp)\n"
	    SPAWNPROD("40(fp)", "1000", "200")
	    SPAWNPROD("44(fp)", "2000", "200")
	    SPAWNPROD("48(fp)", "3000", "200")
	    /* alt table at 200: 0 sends, 3 receives into 240, 244, 248 */
	    "\tmovw $0,200(fp)\n\tmovw $3,204(fp)\n"
	    "\tmovw 40(fp),208(fp)\n\tlea 240(fp),212(fp)\n"
	    "\tmovw 44(fp),216(fp)\n\tlea 244(fp),220(fp)\n"
	    "\tmovw 48(fp),224(fp)\n\tlea 248(fp),228(fp)\n"
	    "\tmovw $1000,320(fp)\n\tmovw $2000,324(fp)\n\tmovw $3000,328(fp)\n"
	    "\tmovw $0,112(fp)\n"
	    "al:\tbgew 112(fp),$600,fin\n"
	    "\taddw $1,112(fp)\n"
	    "\talt 200(fp),252(fp)\n"
	    "\tbeqw 252(fp),$0,k0\n"
	    "\tbeqw 252(fp),$1,k1\n"
	    "\tbeqw 252(fp),$2,k2\n"
	    "\taddw $1,124(fp)\n\tjmp al\n"
	    ARM("0", "240", "300", "320")
	    ARM("1", "244", "304", "324")
	    ARM("2", "248", "308", "328")
	    "fin:" PW("300(fp)") PW("304(fp)") PW("308(fp)") PW("116(fp)") PW("124(fp)"),
	    .funcs = PROD,
	    .data = PRODDESC,
	    .out = "200\n200\n200\n1260300\n0\n");
	#undef ARM
}

/* With both cases always ready (two buffered channels kept full), alt
 * chooses each about half the time: over 1000 alts both are chosen more
 * than 300 times. */
static void
test_alt_random(void **state)
{
	XEC(.body =
	    "\tnewcw $1,40(fp)\n\tnewcw $1,44(fp)\n"
	    "\tsend $10,40(fp)\n\tsend $20,44(fp)\n"
	    "\tmovw $0,200(fp)\n\tmovw $2,204(fp)\n"
	    "\tmovw 40(fp),208(fp)\n\tlea 240(fp),212(fp)\n"
	    "\tmovw 44(fp),216(fp)\n\tlea 244(fp),220(fp)\n"
	    "\tmovw $0,112(fp)\n"
	    "al:\tbgew 112(fp),$1000,fin\n"
	    "\taddw $1,112(fp)\n"
	    "\talt 200(fp),252(fp)\n"
	    "\tbeqw 252(fp),$1,k1\n"
	    "\taddw $1,300(fp)\n\tsend 240(fp),40(fp)\n\tjmp al\n"
	    "k1:\taddw $1,304(fp)\n\tsend 244(fp),44(fp)\n\tjmp al\n"
	    "fin:\tmovw $0,108(fp)\n"
	    "\tblew 300(fp),$300,no\n\tblew 304(fp),$300,no\n"
	    "\taddw 300(fp),304(fp),108(fp)\n"
	    "no:" PW("108(fp)"),
	    .out = "1000\n");
}

/* nbalt with nothing ready answers nsend+nrecv and does not block; with
 * one case ready it takes that one. An alt on a nil channel raises
 * "dereference of nil" (Inferno altrdy). */
static void
test_nbalt(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n\tnewcw $1,44(fp)\n"
	    /* table: 1 send (40 <- 7), 2 receives (40, 44) */
	    "\tmovw $1,200(fp)\n\tmovw $2,204(fp)\n"
	    "\tmovw 40(fp),208(fp)\n\tlea 256(fp),212(fp)\n"
	    "\tmovw 40(fp),216(fp)\n\tlea 240(fp),220(fp)\n"
	    "\tmovw 44(fp),224(fp)\n\tlea 244(fp),228(fp)\n"
	    "\tmovw $7,256(fp)\n"
	    "\tnbalt 200(fp),252(fp)\n" PW("252(fp)")
	    "\tsend $5,44(fp)\n"
	    "\tnbalt 200(fp),252(fp)\n" PW("252(fp)") PW("244(fp)")
	    "\tnbalt 200(fp),252(fp)\n" PW("252(fp)"),
	    .out = "3\n2\n5\n3\n");
	XEC(.body =
	    "\tmovw $0,200(fp)\n\tmovw $1,204(fp)\n"
	    "\tmovw 40(fp),208(fp)\n\tlea 240(fp),212(fp)\n"
	    "bad:\tnbalt 200(fp),252(fp)\n",
	    .exc = "dereference of nil", .at = "bad");
}

/* alt with a send and a receive case. First neither is ready and init
 * blocks; the worker's receive takes init's send (case 0). Then the
 * worker sends and nothing receives from init: case 1 fires. */
static void
test_alt_send_recv(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n\tnewcw 44(fp)\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tmovp 44(fp),36(104(fp))\n"
	    "\tspawn 104(fp),worker\n"
	    "\tmovw $1,200(fp)\n\tmovw $1,204(fp)\n"
	    "\tmovw 40(fp),208(fp)\n\tlea 256(fp),212(fp)\n"
	    "\tmovw 44(fp),216(fp)\n\tlea 240(fp),220(fp)\n"
	    "\tmovw $5,256(fp)\n"
	    "\talt 200(fp),252(fp)\n" PW("252(fp)")
	    "\talt 200(fp),252(fp)\n" PW("252(fp)") PW("240(fp)"),
	    .funcs =
	    "worker:\trecv 32(fp),40(fp)\n"
	    PW("40(fp)")
	    "\taddw $2,40(fp)\n"
	    "\tsend 40(fp),36(fp)\n"
	    "\tret\n",
	    .data = "\tdesc $5,104,\"00c0\"\n",
	    .out = "5\n0\n1\n7\n");
}

/* mspawn runs a function of another module instance: loaded from the
 * module's own file it has its own data (init's global stays 0, the two
 * spawns share the instance's); through "$self" it shares init's. */
static void
test_mspawn(void **state)
{
	XEC(.body =
	    "\tload 24(mp),$1,44(fp)\n"
	    "\tnewcw 40(fp)\n"
	    "\tmframe 44(fp),$0,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tmspawn 104(fp),$0,44(fp)\n"
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    "\tmframe 44(fp),$0,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tmspawn 104(fp),$0,44(fp)\n"
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    PW("200(mp)")
	    "\tload 28(mp),$1,48(fp)\n"
	    "\tmframe 48(fp),$0,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tmspawn 104(fp),$0,48(fp)\n"
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    PW("200(mp)"),
	    .funcs =
	    "f:\taddw $5,200(mp)\n"
	    "\tsend 200(mp),32(fp)\n"
	    "\tret\n",
	    .data =
	    "\tdesc $5,40,\"0080\"\n"
	    "\tlink 5,{f},0x12345678,\"f\"\n"
	    "\tword @ldt+12,1\n"
	    "\text @ldt+16,0x12345678,\"f\"\n"
	    "\tstring @mp+24,\"build/tests/vm/xec_test_mspawn.dis\"\n"
	    "\tstring @mp+28,\"$self\"\n",
	    .out = "5\n10\n0\n5\n5\n");
}

/* 10,000 threads in a ring, each with its own channel of int: each adds 1
 * and passes the token on; init closes the ring and sends it round 5
 * times. init then returns with every worker blocked: the program ends. */
static void
test_ring(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n"
	    "\tmovp 40(fp),44(fp)\n"
	    "\tmovw $0,112(fp)\n"
	    "sl:\tbgew 112(fp),$10000,go\n"
	    "\tnewcw 48(fp)\n"
	    "\tframe $5,104(fp)\n"
	    "\tmovp 44(fp),32(104(fp))\n"
	    "\tmovp 48(fp),36(104(fp))\n"
	    "\tspawn 104(fp),worker\n"
	    "\tmovp 48(fp),44(fp)\n"
	    "\taddw $1,112(fp)\n"
	    "\tjmp sl\n"
	    "go:\tmovw $0,116(fp)\n"
	    "\tmovw $0,120(fp)\n"
	    "rl:\tbgew 120(fp),$5,fin\n"
	    "\tsend 116(fp),40(fp)\n"
	    "\trecv 44(fp),116(fp)\n"
	    "\taddw $1,120(fp)\n"
	    "\tjmp rl\n"
	    "fin:" PW("116(fp)"),
	    .funcs =
	    "worker:\trecv 32(fp),40(fp)\n"
	    "\taddw $1,40(fp)\n"
	    "\tsend 40(fp),36(fp)\n"
	    "\tjmp worker\n",
	    .data = "\tdesc $5,48,\"00c0\"\n",
	    .out = "50000\n");
}

/* A thread that never blocks is preempted at the end of its quantum: a
 * spinning thread does not stop a producer and init from talking, and
 * init spinning on a flag lets the thread that sets it run. The spinner
 * is still running when init returns: the program ends. */
static void
test_preemption(void **state)
{
	XEC(.body =
	    "\tframe $6,104(fp)\n\tspawn 104(fp),spin\n"
	    "\tnewcw 40(fp)\n"
	    SPAWNPROD("40(fp)", "0", "100")
	    "\tmovw $0,112(fp)\n\tmovw $0,116(fp)\n"
	    "cl:\tbgew 112(fp),$100,cd\n"
	    "\trecv 40(fp),120(fp)\n\taddw 120(fp),116(fp)\n\taddw $1,112(fp)\n\tjmp cl\n"
	    "cd:" PW("116(fp)")
	    "\tframe $6,104(fp)\n\tspawn 104(fp),setter\n"
	    "wait:\tbeqw 200(mp),$0,wait\n"
	    PW("200(mp)"),
	    .funcs = PROD
	    "spin:\tjmp spin\n"
	    "setter:\tmovw $77,200(mp)\n\tret\n",
	    .data = PRODDESC "\tdesc $6,32,\"\"\n",
	    .out = "5050\n77\n");
}

/* init returns while other threads wait on channels (a receiver, a
 * sender, an alt): exit status 0, nothing on standard error. */
static void
test_exit_with_blocked(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tspawn 104(fp),rx\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tspawn 104(fp),tx\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tspawn 104(fp),rx\n"
	    PW("$1"),
	    .funcs =
	    "rx:\tnewcw 36(fp)\n\trecv 36(fp),40(fp)\n\tret\n"
	    "tx:\tnewcw 36(fp)\n\tsend $1,36(fp)\n\tret\n",
	    .data = "\tdesc $5,48,\"00c0\"\n",
	    .out = "1\n");
}

/* Every thread blocked (init on one channel, two workers on others): the
 * run ends with the deadlock error and status 1. */
static void
test_deadlock_all(void **state)
{
	XEC(.body =
	    "\tnewcw 40(fp)\n\tnewcw 44(fp)\n"
	    "\tframe $5,104(fp)\n\tmovp 44(fp),32(104(fp))\n\tspawn 104(fp),rx\n"
	    "\tframe $5,104(fp)\n\tmovp 44(fp),32(104(fp))\n\tspawn 104(fp),rx\n"
	    PW("$1")
	    "\trecv 40(fp),108(fp)\n"
	    PW("$2"),
	    .funcs = "rx:\trecv 32(fp),40(fp)\n\tret\n",
	    .data = "\tdesc $5,48,\"0080\"\n",
	    .out = "1\n",
	    .err = "dis-run: %s: deadlock: every thread is blocked on a channel\n");
}

/* A spawned thread's uncaught exception is reported on standard error and
 * ends that thread only: init goes on and the program exits 0. */
static void
test_thread_exception(void **state)
{
	const XecCase c = {
	    .body =
	    "\tnewcw 40(fp)\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tspawn 104(fp),bad\n"
	    "\tframe $5,104(fp)\n\tmovp 40(fp),32(104(fp))\n\tspawn 104(fp),good\n"
	    "\trecv 40(fp),108(fp)\n" PW("108(fp)")
	    PW("$2"),
	    .funcs =
	    "bad:\tmovw $0,36(fp)\n"
	    "oops:\tdivw 36(fp),$1,36(fp)\n"
	    "\tsend $1,32(fp)\n\tret\n"
	    "good:\tsend $9,32(fp)\n\tret\n",
	    .data = "\tdesc $5,40,\"0080\"\n",
	};
	char *as[] = {DISAS, "build/tests/vm/xec_thread_exc.s", "-o", "build/tests/vm/xec_thread_exc.dis", NULL};
	char *run[] = {DISRUN, "build/tests/vm/xec_thread_exc.dis", NULL};
	char want[256];
	XecLabels L;
	RunResult r;

	xec_write(as[1], &c, &L);
	r = run_cmd(as, NULL, XEC_TIMEOUT_MS);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd(run, NULL, XEC_TIMEOUT_MS);
	snprintf(want, sizeof want,
	         "[error] thread 2: uncaught exception: zero divide (module Xec, pc %d)\n",
	         xec_label_pc(&L, "oops", 4));
	if (r.status != 0 || strcmp(r.out, "9\n2\n") != 0 || strcmp(r.err, want) != 0) {
		print_error("status %d\n--- stdout:\n%s--- stderr:\n%s--- want:\n%s", r.status, r.out, r.err, want);
		fail();
	}
	run_free(&r);
}

TEST_MAIN("dis threads: concurrent programs",
          cmocka_unit_test(test_producer_consumer),
          cmocka_unit_test(test_alt_fan_in),
          cmocka_unit_test(test_alt_random),
          cmocka_unit_test(test_nbalt),
          cmocka_unit_test(test_alt_send_recv),
          cmocka_unit_test(test_mspawn),
          cmocka_unit_test(test_ring),
          cmocka_unit_test(test_preemption),
          cmocka_unit_test(test_exit_with_blocked),
          cmocka_unit_test(test_deadlock_all),
          cmocka_unit_test(test_thread_exception))
