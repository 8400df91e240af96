/*
 * The one checked boundary to the builtins (vm/builtin.h): hand-assembled
 * modules call $Sys with arguments of the wrong type, which Limbo's
 * compiler would never pass, and each call is stopped before the builtin
 * runs with "Sys->FN: argument N (NAME): not a TYPE" while dis-run carries
 * on to report it: an int or an array where print wants its format, an
 * array of int where read wants an array of byte, an FD the program built
 * itself, a frame smaller than the arguments, a result pointer outside the
 * program's memory. nil still reaches the builtin, which decides. Programs
 * calling $Crypt (DigestState.copy among them), compiled by our limbo and
 * by Inferno's limbo.dis, link and compute the right digests.
 */
#include "tests/vm/xec.h"
#include "tests/vm/limbo.h"

/* $Sys a second time, through import list 1: read, then fildes. */
#define IMPORTS \
	"\tword @ldt+12,2\n" \
	"\text @ldt+16,0x7cfef557,\"read\"\n" \
	"\text @ldt+28,0x1478f993,\"fildes\"\n"

/* 40(fp) = $Sys (list 1); 44(fp) = fildes(0) */
#define LOAD_FILDES \
	"\tload 4(mp),$1,40(fp)\n" \
	"\tmframe 40(fp),$1,104(fp)\n\tmovw $0,32(104(fp))\n" \
	"\tlea 44(fp),16(104(fp))\n\tmcall 104(fp),$1,40(fp)\n"

/* read(FD, BUF, N) into 112(fp), raising at label `bad` if it does */
#define READ(fd, buf, n) \
	"\tmframe 40(fp),$0,104(fp)\n\tmovp " fd ",32(104(fp))\n\tmovp " buf ",36(104(fp))\n" \
	"\tmovw $" n ",40(104(fp))\n\tlea 112(fp),16(104(fp))\n" \
	"bad:\tmcall 104(fp),$0,40(fp)\n"

/* Types past the wrapper's: $5 a print frame whose format word is not a
 * pointer, $6 an int, $7 a byte, $8 a 4-byte adt shaped as Sys->FD, $9 a
 * print frame too small for its format. */
#define TYPES \
	"\tdesc $5,40,\"\"\n" \
	"\tdesc $6,4,\"\"\n" \
	"\tdesc $7,1,\"\"\n" \
	"\tdesc $8,4,\"\"\n" \
	"\tdesc $9,32,\"\"\n"

static void
test_print_int_format(void **state)
{
	/* a frame of the caller's own type holding an int where the format
	 * goes: the int could be any address */
	XEC(.body = PW("$7")
	    "\tframe $5,96(fp)\n\tmovw $4096,32(96(fp))\n"
	    "\tlea 100(fp),16(96(fp))\n"
	    "bad:\tmcall 96(fp),$0,0(mp)\n",
	    .data = TYPES,
	    .out = "7\n",
	    .exc = "Sys->print: argument 1 (s): not a string", .at = "bad");
}

static void
test_print_array_format(void **state)
{
	XEC(.body = "\tnewa $3,$6,40(fp)\n"
	    "\tframe $4,96(fp)\n\tmovp 40(fp),32(96(fp))\n\tmovp 20(mp),36(96(fp))\n"
	    "\tlea 100(fp),16(96(fp))\n"
	    "bad:\tmcall 96(fp),$0,0(mp)\n",
	    .data = TYPES,
	    .exc = "Sys->print: argument 1 (s): not a string", .at = "bad");
}

static void
test_read_array_of_int(void **state)
{
	XEC(.body = LOAD_FILDES "\tnewa $4,$6,48(fp)\n" READ("44(fp)", "48(fp)", "4"),
	    .data = IMPORTS TYPES,
	    .exc = "Sys->read: argument 2 (buf): not an array of byte", .at = "bad");
}

static void
test_read_forged_fd(void **state)
{
	/* an object with Sys->FD's fields made by the program: its number
	 * would name any slot of the file table */
	XEC(.body = LOAD_FILDES "\tnew $8,52(fp)\n\tmovw $0,0(52(fp))\n\tnewa $4,$7,48(fp)\n"
	    READ("52(fp)", "48(fp)", "4"),
	    .data = IMPORTS TYPES,
	    .exc = "Sys->read: argument 1 (fd): not a ref Sys->FD", .at = "bad");
}

static void
test_read_string_for_fd(void **state)
{
	XEC(.body = LOAD_FILDES "\tnewa $4,$7,48(fp)\n" READ("20(mp)", "48(fp)", "4"),
	    .data = IMPORTS TYPES,
	    .exc = "Sys->read: argument 1 (fd): not a ref Sys->FD", .at = "bad");
}

static void
test_nil_is_the_builtins_decision(void **state)
{
	/* read(nil, buf, 4): Inferno's read fails with -1, it does not raise */
	XEC(.body = LOAD_FILDES "\tnewa $4,$7,48(fp)\n" READ("56(fp)", "48(fp)", "4") PW("112(fp)")
	    "\tframe $4,96(fp)\n\tmovp 24(mp),32(96(fp))\n\tmovp 24(mp),36(96(fp))\n" PCALL,
	    .data = IMPORTS TYPES "\tstring @mp+24,\"%r\\n\"\n",
	    .out = "-1\nfd out of range or not open\n");
}

static void
test_frame_too_small(void **state)
{
	XEC(.body = "\tframe $9,96(fp)\n"
	    "\tlea 100(fp),16(96(fp))\n"
	    "bad:\tmcall 96(fp),$0,0(mp)\n",
	    .data = TYPES,
	    .exc = "Sys->print: frame of 32 bytes, the arguments need 36", .at = "bad");
}

static void
test_result_outside_memory(void **state)
{
	/* fildes(0) with the result pointer set to address 16 */
	XEC(.body = "\tload 4(mp),$1,40(fp)\n"
	    "\tmframe 40(fp),$1,104(fp)\n\tmovw $0,32(104(fp))\n"
	    "\tmovw $16,16(104(fp))\n"
	    "bad:\tmcall 104(fp),$1,40(fp)\n",
	    .data = IMPORTS TYPES,
	    .exc = "Sys->fildes: result outside the program's memory", .at = "bad");
}

static void
test_good_calls_pass(void **state)
{
	/* the same calls with the right types: read of 0 bytes from stdin */
	XEC(.body = LOAD_FILDES "\tnewa $4,$7,48(fp)\n" READ("44(fp)", "48(fp)", "0") PW("112(fp)"),
	    .data = IMPORTS TYPES,
	    .out = "0\n");
}

static void
expect_digests(const char *dis)
{
	char *argv[] = {DISRUN, (char *)dis, NULL};
	RunResult r = run_cmd(argv, NULL, 10000);

	if (r.status != 0 || strcmp(r.out, "md5 5d41402abc4b2a76b9719d911017c592\n"
	                                   "sha1 aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\n") != 0) {
		print_error("%s: status %d\n%s%s", dis, r.status, r.out, r.err);
		fail();
	}
	run_free(&r);
}

static void
test_crypt_ours(void **state)
{
	(void)state;
	limbo_compile_ours("digest");
	expect_digests(LIMBO_OURS "/digest.dis");
}

static void
test_crypt_inferno(void **state)
{
	(void)state;
	limbo_compile("digest");
	expect_digests(LIMBO_ROOT "/digest.dis");
}

TEST_MAIN("vm/builtin",
          cmocka_unit_test(test_print_int_format),
          cmocka_unit_test(test_print_array_format),
          cmocka_unit_test(test_read_array_of_int),
          cmocka_unit_test(test_read_forged_fd),
          cmocka_unit_test(test_read_string_for_fd),
          cmocka_unit_test(test_nil_is_the_builtins_decision),
          cmocka_unit_test(test_frame_too_small),
          cmocka_unit_test(test_result_outside_memory),
          cmocka_unit_test(test_good_calls_pass),
          cmocka_unit_test(test_crypt_ours),
          inferno_unit_test(test_crypt_inferno))
