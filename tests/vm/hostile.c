/*
 * Programs written to break the runtime rather than to compute: a garbage
 * chain long enough to overflow a recursive free, run with a 1 MB host
 * stack; and so on for each defect found (issue 14). Each must end the
 * way the runtime documents, never with a crash or a hang.
 */
#include "tests/vm/xec.h"
#include "tests/vm/limbo.h"

#include <fcntl.h>
#include <stdlib.h>

/* $5: an adt { next: ref adt; val: int }; $6: a pointer (array element) */
#define TYPES "\tdesc $5,8,\"80\"\n\tdesc $6,4,\"80\"\n"

/* Assembles case c as build/tests/vm/xec_NAME.dis and runs it with a host
 * stack of stack_kb (sh's ulimit, then exec), with dis-run option args. */
static RunResult
run_small_stack(const char *name, const XecCase *c, int stack_kb, const char *args)
{
	char src[256], obj[256], script[512];
	char *as[] = {DISAS, src, "-o", obj, NULL};
	char *sh[] = {"/bin/sh", "-c", script, "sh", obj, NULL};
	XecLabels L;
	RunResult r;

	snprintf(src, sizeof src, "build/tests/vm/xec_%s.s", name);
	snprintf(obj, sizeof obj, "build/tests/vm/xec_%s.dis", name);
	xec_write(src, c, &L);
	r = run_cmd(as, NULL, XEC_TIMEOUT_MS);
	if (r.status != 0)
		print_error("%s: dis-as status %d: %s", name, r.status, r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(script, sizeof script, "ulimit -s %d && exec " DISRUN " %s \"$1\"", stack_kb, args);
	return run_cmd(sh, NULL, 60000);
}

static void
expect(const char *what, RunResult r, int status, const char *out)
{
	if (r.status != status || strcmp(r.out, out) != 0) {
		print_error("%s: status %d (want %d)\n--- stdout:\n%s--- want:\n%s--- stderr:\n%s", what, r.status,
		            status, r.out, out, r.err);
		fail();
	}
	run_free(&r);
}

/* A million ref adts, each naming the previous, dropped at once: freeing
 * used to recurse once per node and overflowed the host stack. */
static void
test_long_adt_chain_frees(void **state)
{
	XecCase c = {
	    .body = "\tmovw $0,104(fp)\n"
	            "loop:\tbgew 104(fp),$1000000,$done\n"
	            "\tnew $5,44(fp)\n"
	            "\tmovp 40(fp),0(44(fp))\n"
	            "\tmovp 44(fp),40(fp)\n"
	            "\taddw $1,104(fp)\n"
	            "\tjmp $loop\n"
	            "done:\tnew $5,44(fp)\n"
	            "\tmovp 44(fp),40(fp)\n" /* the chain's last reference goes */
	            PW("104(fp)"),
	    .data = TYPES};

	expect("adt chain", run_small_stack(__func__, &c, 1024, "--heap-max 256m"), 0, "1000000\n");
}

/* The same through arrays: each one-element array holds the previous
 * (freed by the array type's clean-up hook, another recursion path). */
static void
test_long_array_chain_frees(void **state)
{
	XecCase c = {
	    .body = "\tmovw $0,104(fp)\n"
	            "loop:\tbgew 104(fp),$300000,$done\n"
	            "\tnewa $1,$6,44(fp)\n"
	            "\tindw 44(fp),200(fp),$0\n"
	            "\tmovp 40(fp),0(200(fp))\n"
	            "\tmovp 44(fp),40(fp)\n"
	            "\taddw $1,104(fp)\n"
	            "\tjmp $loop\n"
	            "done:\tnew $5,44(fp)\n"
	            "\tmovp 44(fp),40(fp)\n" PW("104(fp)"),
	    .data = TYPES};

	expect("array chain", run_small_stack(__func__, &c, 1024, "--heap-max 256m"), 0, "300000\n");
}

/* print's format is data: a format built at run time may say %s where the
 * caller passed an int (frame type $2 marks word 36 plain) or an array
 * (type $4 marks it a pointer, but not to a string). Both raise; neither
 * is dereferenced as a string. */
static void
test_print_s_of_non_string(void **state)
{
	XEC(.body = "\tframe $2,96(fp)\n\tmovp 20(mp),32(96(fp))\n\tmovw $42,36(96(fp))\n"
	            "\tlea 100(fp),16(96(fp))\n"
	            "bad:\tmcall 96(fp),$0,0(mp)\n",
	    .exc = "print: bad string pointer 0x2a at frame offset 36", .at = "bad");
	XEC(.body = "\tframe $2,96(fp)\n\tmovp 20(mp),32(96(fp))\n\tmovw $0x7ff000,36(96(fp))\n"
	            "\tlea 100(fp),16(96(fp))\n"
	            "bad:\tmcall 96(fp),$0,0(mp)\n",
	    .exc = "print: bad string pointer 0x7ff000 at frame offset 36", .at = "bad");
}

/* The same from Limbo (bin/limbo), the format built at run time: an int,
 * an array and a ref adt each raise an exception the program catches. */
static void
test_print_runtime_format(void **state)
{
	char *argv[] = {DISRUN, LIMBO_OURS "/fmtrt.dis", NULL};
	RunResult r;

	limbo_compile_ours("fmtrt");
	r = run_cmd(argv, NULL, XEC_TIMEOUT_MS);
	expect("fmtrt", r, 0,
	       "caught print: bad string pointer\ncaught print: bad string pointer\n"
	       "caught print: bad string pointer\n"
	       LIMBO_OURS "/fmtrt.dis|\n");
}

/* A spawn that finds no room for the new thread's stack raises "out of
 * memory: heap" in the spawner, whose handler catches it (the message used
 * to land in the new thread: an empty exception nothing could catch). */
static void
test_spawn_out_of_memory_is_caught(void **state)
{
	char *argv[] = {DISRUN, "--heap-max", "2m", LIMBO_OURS "/spawnoom.dis", NULL};

	limbo_compile_ours("spawnoom");
	expect("spawnoom", run_cmd(argv, NULL, XEC_TIMEOUT_MS), 0, "caught 'out of memory: heap' 1\n");
}

/* Hand-written code can point a list cell's tail at itself; lenl of that
 * walks forever unless the walk counts against the instruction budget. */
static void
test_lenl_of_cyclic_list_is_metered(void **state)
{
	XEC(.body = "\tconsw $7,40(fp)\n"
	            "\tmovp 40(fp),0(40(fp))\n" /* the cell's tail is itself */
	            "\tlenl 40(fp),104(fp)\n" PW("104(fp)"),
	    .args = "--max-instructions 1000",
	    .status = 3,
	    .err = "dis-run: %s: instruction budget of 1000 exhausted\n");
}

/* Two instructions a turn, each newa zeroing 4 MB: the bytes count, so a
 * budget of 100,000 ends it after a few turns (it took 50,000 turns,
 * 200 GB of memset, before). */
static void
test_allocation_is_metered(void **state)
{
	XEC(.body = "loop:\tnewa $1000000,$6,40(fp)\n"
	            "\tjmp $loop\n",
	    .data = TYPES,
	    .args = "--max-instructions 100000",
	    .status = 3,
	    .err = "dis-run: %s: instruction budget of 100000 exhausted\n");
}

/* Two 4 MB byte arrays copied one into the other, two instructions a
 * turn: the bytes copied count, so a budget of 300,000 ends it after a
 * few copies (it took 87,000 copies, 350 GB of memmove, before). movm of
 * 8 MB is metered the same way. */
static void
test_copies_are_metered(void **state)
{
	long t0 = run_now_ms();

	XEC(.body = "\tnewa $4000000,$7,40(fp)\n"
	            "\tnewa $4000000,$7,44(fp)\n"
	            "loop:\tslicela 40(fp),$0,44(fp)\n"
	            "\tjmp $loop\n",
	    .data = TYPES "\tdesc $7,1,\"\"\n",
	    .args = "--max-instructions 300000",
	    .status = 3,
	    .err = "dis-run: %s: instruction budget of 300000 exhausted\n");
	XEC(.body = "\tnewa $16000000,$7,40(fp)\n"
	            "\tmovp 40(fp),44(fp)\n"
	            "\tindb 40(fp),48(fp),$0\n" /* 48(fp): the data's first byte */
	            "loop:\tmovm 0(48(fp)),$8000000,0(48(fp))\n"
	            "\tjmp $loop\n",
	    .data = TYPES "\tdesc $7,1,\"\"\n",
	    .args = "--max-instructions 1000000",
	    .status = 3,
	    .err = "dis-run: %s: instruction budget of 1000000 exhausted\n");
	assert_true(run_now_ms() - t0 < 5000);
}

/* raise and catch forever: each exception leaves the interpreter loop,
 * whose count of the quantum went with it, so this never used to reach
 * the budget. */
static void
test_raise_loop_is_metered(void **state)
{
	char *argv[] = {DISRUN, "--max-instructions", "100000", LIMBO_OURS "/raiseloop.dis", NULL};
	RunResult r;

	limbo_compile_ours("raiseloop");
	r = run_cmd(argv, NULL, XEC_TIMEOUT_MS);
	expect("raiseloop", r, 3, "");
}

#define FIFO "build/tests/vm/hostile.fifo"

/* Runs hang.dis MODE (with the FIFO as its second argument) under
 * dis-run --timeout 300; returns the result and the wall time taken. */
static RunResult
run_hang(const char *mode, long *ms)
{
	char *argv[] = {DISRUN, "--timeout", "300", LIMBO_OURS "/hang.dis", (char *)mode, FIFO, NULL};
	long t0 = run_now_ms();
	RunResult r = run_cmd(argv, NULL, XEC_TIMEOUT_MS);

	*ms = run_now_ms() - t0;
	return r;
}

/* --timeout: a long sleep, a read of the program's own pipe (alone, and
 * with another thread asleep), a busy loop and a handler that tries to
 * catch it all end with exit 5 at the deadline (they never ended). */
static void
test_timeout_wakes_blocking_calls(void **state)
{
	static const char *const modes[] = {"sleep", "pipe", "pipe2", "spin", "catch"};
	const char *want = "dis-run: " LIMBO_OURS "/hang.dis: wall-clock limit of 300 ms exceeded\n";

	limbo_compile_ours("hang");
	for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
		long ms;
		RunResult r = run_hang(modes[k], &ms);
		if (r.status != 5 || strcmp(r.err, want) != 0 || ms > 5000) {
			print_error("%s: status %d after %ld ms: %s", modes[k], r.status, ms, r.err);
			fail();
		}
		run_free(&r);
	}
}

/* Opening a FIFO with no other end blocked in open(2), and a write of
 * more than a pipe holds in write(2) after its first part, where only
 * dis-run's backstop ended them a second after the deadline: they wait
 * through the scheduler now, alone and with another thread asleep, and
 * end at the deadline with the runtime's own message. */
static void
test_timeout_ends_fifo_and_full_pipe(void **state)
{
	static const char *const modes[] = {"fifo", "fifow", "fifo2", "fifow2", "pipefull", "printfull"};
	const char *want = "dis-run: " LIMBO_OURS "/hang.dis: wall-clock limit of 300 ms exceeded\n";

	limbo_compile_ours("hang");
	for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
		long ms;
		RunResult r;
		unlink(FIFO);
		assert_int_equal(mkfifo(FIFO, 0600), 0);
		r = run_hang(modes[k], &ms);
		if (r.status != 5 || strcmp(r.err, want) != 0 || ms > 1000) {
			print_error("%s: status %d after %ld ms: %s", modes[k], r.status, ms, r.err);
			fail();
		}
		run_free(&r);
	}
	unlink(FIFO);
}

#define SILENT_FD 9

/* Runs silent.dis MODE ARG under dis-run --timeout 1000 with host
 * descriptor fd (the test holds its other end) as standard input; returns
 * the result and the wall time taken. */
static RunResult
run_silent(int fd, const char *mode, const char *arg, long *ms)
{
	char script[512];
	char *sh[] = {"/bin/sh", "-c", script, "sh", (char *)mode, (char *)arg, NULL};
	long t0;
	RunResult r;

	assert_int_equal(dup2(fd, SILENT_FD), SILENT_FD);  /* without FD_CLOEXEC: the child's */
	snprintf(script, sizeof script,
	         "exec " DISRUN " --timeout 1000 " LIMBO_OURS "/silent.dis \"$1\" \"$2\" <&%d %d<&-", SILENT_FD,
	         SILENT_FD);
	t0 = run_now_ms();
	r = run_cmd(sh, NULL, XEC_TIMEOUT_MS);
	*ms = run_now_ms() - t0;
	close(SILENT_FD);
	return r;
}

/* Exit 5 with the runtime's own message (not the backstop's, a second
 * later), well before the 10 s run_cmd allows, and stdout as want. */
static void
expect_deadline(const char *what, RunResult r, long ms, const char *want_out)
{
	const char *want = "dis-run: " LIMBO_OURS "/silent.dis: wall-clock limit of 1000 ms exceeded\n";

	if (r.status != 5 || strcmp(r.err, want) != 0 || ms > 5000 ||
	    (want_out != NULL && strcmp(r.out, want_out) != 0)) {
		print_error("%s: status %d after %ld ms\n--- stdout:\n%s--- stderr:\n%s", what, r.status, ms, r.out,
		            r.err);
		fail();
	}
}

/* --timeout ends reads of streams that never deliver: a pipe whose writer
 * stays open and silent (the test's), read alone, with another thread
 * ticking meanwhile (it goes on: a read suspends only its own thread),
 * and by Sys->stream, before and after a first piece; a terminal with
 * no input; a FIFO whose writer wrote once and went silent. */
static void
test_timeout_ends_silent_reads(void **state)
{
	int p[2], m, s;
	long ms;
	RunResult r;

	limbo_compile_ours("silent");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	r = run_silent(p[0], "stdin", "", &ms);
	expect_deadline("stdin", r, ms, "");
	run_free(&r);
	r = run_silent(p[0], "stdin2", "", &ms);
	expect_deadline("stdin2", r, ms, NULL);
	if (strncmp(r.out, "tick\ntick\n", 10) != 0 || strstr(r.out, "read") != NULL) {
		print_error("stdin2: the ticker did not run while the read waited:\n%s", r.out);
		fail();
	}
	run_free(&r);
	r = run_silent(p[0], "stream", "", &ms);
	expect_deadline("stream", r, ms, "");
	run_free(&r);
	assert_int_equal(write(p[1], "abc\n", 4), 4);
	r = run_silent(p[0], "stream", "", &ms);
	expect_deadline("stream after a piece", r, ms, "abc\n");
	run_free(&r);
	close(p[0]);
	close(p[1]);

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(s >= 0);
	r = run_silent(s, "stdin", "", &ms);
	expect_deadline("terminal", r, ms, "");
	run_free(&r);
	close(s);
	close(m);

	unlink(FIFO);
	assert_int_equal(mkfifo(FIFO, 0600), 0);
	s = open(FIFO, O_RDWR | O_CLOEXEC);  /* a writer that stays, never blocking */
	assert_true(s >= 0);
	assert_int_equal(write(s, "x", 1), 1);
	r = run_silent(s, "fifo", FIFO, &ms);
	expect_deadline("fifo", r, ms, "read 1\n");
	run_free(&r);
	close(s);
	unlink(FIFO);
}

/* Runs limits.dis MODE under dis-run with limit options args. */
static RunResult
run_limits(const char *mode, const char *args)
{
	char script[512];
	char *sh[] = {"/bin/sh", "-c", script, NULL};

	snprintf(script, sizeof script, "exec " DISRUN " %s " LIMBO_OURS "/limits.dis %s", args, mode);
	return run_cmd(sh, NULL, XEC_TIMEOUT_MS);
}

/* --max-threads, --max-files, --max-output: passing one ends the program
 * with its own exit status and message, and the handler around it never
 * runs; under them all the program runs as usual. */
static void
test_thread_file_output_limits(void **state)
{
	static const struct {
		const char *mode, *args;
		int status;
		const char *out, *err;
	} cases[] = {
	    {"threads", "--max-threads 4", 6, "", "thread limit of 4 exceeded"},
	    {"files", "--max-files 5", 7, "", "file limit of 5 exceeded"},
	    {"pipes", "--max-files 5", 7, "", "file limit of 5 exceeded"},
	    {"output", "--max-output 25", 8, "0123456789\n0123456789\n012", "output limit of 25 bytes exceeded"},
	    {"outdup", "--max-output 2k 2>&1", 8, NULL, "output limit of 2048 bytes exceeded"},
	    {"within", "--max-threads 3 --max-files 3 --max-output 7", 0, "within\n", NULL},
	};

	limbo_compile_ours("limits");
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		RunResult r = run_limits(cases[k].mode, cases[k].args);
		const char *errs = strstr(cases[k].args, "2>&1") != NULL ? r.out : r.err;
		int ok = r.status == cases[k].status && (cases[k].out == NULL || strcmp(r.out, cases[k].out) == 0) &&
		         (cases[k].err == NULL ? r.err[0] == 0 : strstr(errs, cases[k].err) != NULL) &&
		         strstr(r.out, "caught") == NULL;
		if (cases[k].out == NULL)  /* 2048 x's, then dis-run's line */
			ok = ok && strspn(r.out, "x") == 2048;
		if (!ok) {
			print_error("%s: status %d\n--- stdout:\n%.300s\n--- stderr:\n%s", cases[k].mode, r.status, r.out,
			            r.err);
			fail();
		}
		run_free(&r);
	}
}

/* $Tensor's readidx of a FIFO is refused at once (it blocked forever). */
static void
test_readidx_refuses_fifo(void **state)
{
	long ms;

	limbo_compile_ours("hang");
	unlink(FIFO);
	assert_int_equal(mkfifo(FIFO, 0600), 0);
	expect("idx", run_hang("idx", &ms), 0, FIFO ": not a regular file\nended\n");
	unlink(FIFO);
}

/* Slurps file path (at most 255 bytes) into a static buffer. */
static const char *
slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* fd.fd is the only field of a Sys->FD and Dis code may write it: it used
 * to be the host descriptor, so setting it reached any descriptor of the
 * process (a node's socket). tests/vm/limbo/fdforge.b sets it to 7, which
 * the test leaves open on a file of its own: the bytes must go to the
 * FD's own file (also through dup of its number 3, the program's number 4);
 * fildes(7) and dup(7, 1) must fail. */
static void
test_forged_fd_number_stays_in_program(void **state)
{
	const char *host = "build/tests/vm/fdforge-host.txt", *own = "build/tests/vm/fdforge-own.txt";
	char *argv[] = {DISRUN, LIMBO_OURS "/fdforge.dis", (char *)own, NULL};
	RunResult r;
	int fd;

	(void)state;
	limbo_compile_ours("fdforge");
	unlink(own);
	fd = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 7), 7);  /* inherited by dis-run */
	close(fd);
	r = run_cmd(argv, NULL, 10000);
	close(7);
	expect("fdforge", r, 0,
	       "write 5 fd 7\nfildes(7) nil: fd out of range or not open\n"
	       "dup(7, 1) -1: fd out of range or not open\ndup(3, -1) 4\nstdout 7\n");
	assert_string_equal(slurp(host), "");
	assert_string_equal(slurp(own), "mine\nfprint\ndup\n");
}

/* Links LIMBO_OURS/NAME.dis, which imports confuselib.dis through a module
 * type whose data differs from the library's, as an attacker would: the
 * import's .mp signature (the one dis-run's link error names) is patched
 * to the library's. */
static void
patch_mp_signature(const char *name)
{
	char path[256];
	char *argv[] = {DISRUN, path, NULL};
	unsigned have, want;
	const char *p;
	RunResult r;
	size_t n, hits = 0;
	uint8_t *d;
	FILE *f;

	snprintf(path, sizeof path, LIMBO_OURS "/%s.dis", name);
	r = run_cmd(argv, NULL, 10000);
	p = strstr(r.out, "link typecheck Confuselib->.mp() ");
	if (p == NULL)
		p = strstr(r.err, "link typecheck Confuselib->.mp() ");
	if (p == NULL || sscanf(p, "link typecheck Confuselib->.mp() %x/%x", &have, &want) != 2) {
		print_error("%s: no .mp typecheck: status %d\n%s%s", name, r.status, r.out, r.err);
		fail();
	}
	run_free(&r);
	f = fopen(path, "rb");
	assert_non_null(f);
	d = malloc(1 << 20);
	assert_non_null(d);
	n = fread(d, 1, 1 << 20, f);
	fclose(f);
	for (size_t i = 0; i + 4 <= n; i++) {
		if (d[i] == (uint8_t)(want >> 24) && d[i + 1] == (uint8_t)(want >> 16) &&
		    d[i + 2] == (uint8_t)(want >> 8) && d[i + 3] == (uint8_t)want) {
			d[i] = (uint8_t)(have >> 24), d[i + 1] = (uint8_t)(have >> 16);
			d[i + 2] = (uint8_t)(have >> 8), d[i + 3] = (uint8_t)have;
			hits++;
		}
	}
	assert_int_equal(hits, 1);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
	free(d);
}

/* A library loaded through a module type that gives its int variables
 * other types (tests/vm/limbo/confuse.b). The address of an array read as
 * an int is an offset into the arena (below its size: 16 MB quota + 64 MB
 * + 64 KB), not a host address; a forged array, channel and module reach
 * nothing outside it. */
static void
test_confused_module_data_stays_in_arena(void **state)
{
	char *argv[] = {DISRUN, "--heap-max", "16m", LIMBO_OURS "/confuse.dis", NULL};
	long addr = -1;
	RunResult r;

	(void)state;
	limbo_compile_ours("confuselib");
	limbo_compile_ours("confuse");
	patch_mp_signature("confuse");
	r = run_cmd(argv, NULL, 10000);
	if (r.status != 0 || sscanf(r.out, "address %ld", &addr) != 1 || addr <= 0 ||
	    addr >= (16 << 20) + (64 << 20) + (64 << 10) ||
	    strstr(r.out, "len 2147483647\nwrite: dereference of invalid pointer 0x7ffffff0\n"
	                  "send: not a channel\ncall: module not loaded\nhost carries on\n") == NULL) {
		print_error("confuse: status %d\n--- stdout:\n%s--- stderr:\n%s", r.status, r.out, r.err);
		fail();
	}
	run_free(&r);
}

/* Dis code never observes a host address: tests/vm/limbo/arenascan.b
 * reads every word of its arena (all 80 MB of it under a 16 MB quota)
 * through a forged array and finds no 64-bit value inside any mapping of
 * the process. */
static void
test_arena_holds_no_host_address(void **state)
{
	char *argv[] = {DISRUN, "--heap-max", "16m", LIMBO_OURS "/arenascan.dis", NULL};
	long maps = 0, words = 0, hits = -1;
	RunResult r;

	(void)state;
	limbo_compile_ours("confuselib");
	limbo_compile_ours("arenascan");
	patch_mp_signature("arenascan");
	r = run_cmd(argv, NULL, 60000);
	if (r.status != 0 || sscanf(r.out, "mappings %ld words %ld hits %ld", &maps, &words, &hits) != 3 ||
	    maps < 5 || words * 4 < (16L << 20) + (64L << 20) - (64L << 10) || hits != 0) {
		print_error("arenascan: status %d\n--- stdout:\n%s--- stderr:\n%s", r.status, r.out, r.err);
		fail();
	}
	run_free(&r);
}

TEST_MAIN("vm/hostile",
          cmocka_unit_test(test_confused_module_data_stays_in_arena),
          cmocka_unit_test(test_arena_holds_no_host_address),
          cmocka_unit_test(test_forged_fd_number_stays_in_program),
          cmocka_unit_test(test_copies_are_metered),
          cmocka_unit_test(test_thread_file_output_limits),
          cmocka_unit_test(test_timeout_wakes_blocking_calls),
          cmocka_unit_test(test_timeout_ends_fifo_and_full_pipe),
          cmocka_unit_test(test_timeout_ends_silent_reads),
          cmocka_unit_test(test_readidx_refuses_fifo),
          cmocka_unit_test(test_raise_loop_is_metered),
          cmocka_unit_test(test_allocation_is_metered),
          cmocka_unit_test(test_lenl_of_cyclic_list_is_metered),
          cmocka_unit_test(test_spawn_out_of_memory_is_caught),
          cmocka_unit_test(test_print_s_of_non_string),
          cmocka_unit_test(test_print_runtime_format),
          cmocka_unit_test(test_long_adt_chain_frees),
          cmocka_unit_test(test_long_array_chain_frees))
