/*
 * Assembler diagnostics: each bad input gives NULL, AC_EFORMAT and the exact
 * "FILE:LINE: message".
 */
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "tests/run.h"
#include "dis/dis.h"

#define HEAD "\tmodule\tT\n\tdesc\t$0,8,\"\"\n\tvar\t@mp,8\n"   /* lines 1-3 */

static void
expect(const char *src, const char *msg)
{
	AcErr err;
	DisModule *m = dis_asm(src, strlen(src), "t.s", &err);

	if (m != NULL)
		dis_module_free(m);
	assert_null(m);
	assert_int_equal(err.code, AC_EFORMAT);
	assert_string_equal(err.msg, msg);
}

static void
test_unknown_mnemonic(void **state)
{
	(void)state;
	expect(HEAD "\tmovx\t$1,32(fp)\n", "t.s:4: unknown mnemonic or directive 'movx'");
}

static void
test_bad_operand(void **state)
{
	(void)state;
	expect(HEAD "\tmovw\t$1,32(xp)\n", "t.s:4: bad register 'xp' (fp or mp)");
	expect(HEAD "\tmovw\t$1,32\n",
	       "t.s:4: bad operand (expected $n, n(fp), n(mp), n(m(fp)) or n(m(mp)))");
	expect(HEAD "\tmovw\t$1,32(fp),4(fp),8(fp)\n", "t.s:4: too many operands");
	expect(HEAD "\tmovw\t$1,\n", "t.s:4: missing operand");
	expect(HEAD "\taddw\t$1,4(8(fp)),12(fp)\n", "t.s:4: middle operand cannot be indirect");
}

/* Operand counts come from the opcode's form in dis/ops.def. */
static void
test_operand_forms(void **state)
{
	(void)state;
	expect(HEAD "\tlenl\t36(fp)\n", "t.s:4: lenl: missing destination operand");
	expect(HEAD "\tlenl\t\n", "t.s:4: lenl: missing source operand");
	expect(HEAD "\tlenl\t36(fp),$1,40(fp)\n", "t.s:4: lenl: too many operands (takes 2)");
	expect(HEAD "\tret\t36(fp)\n", "t.s:4: ret: too many operands (takes 0)");
	expect(HEAD "\tjmp\n", "t.s:4: jmp: missing destination operand");
	expect(HEAD "\tbeqw\t$1,$0\n", "t.s:4: beqw: missing destination operand");
	expect(HEAD "\tmovm\t32(fp),40(fp)\n", "t.s:4: movm: missing destination operand");
	expect(HEAD "\traise\t32(fp),36(fp)\n", "t.s:4: raise: too many operands (takes 1)");
	expect(HEAD "\tmovw\t,$3,40(fp)\n", "t.s:4: movw: missing source operand");
	expect(HEAD "\tnewcw\t$1,$3,40(fp)\n", "t.s:4: newcw: too many operands (takes 2)");
	expect(HEAD "\tnewcw\t$1,,40(fp)\n", "t.s:4: newcw: unexpected source operand");
}

/* The command: one line per error, exit 1, and no module written. */
static void
test_dis_as_missing_operand(void **state)
{
	char dir[] = "/tmp/asm_errorsXXXXXX", src[64], out[64];
	char *argv[] = {"bin/dis-as", "-o", out, src, NULL};
	RunResult r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof src, "%s/t.s", dir);
	snprintf(out, sizeof out, "%s/t.dis", dir);
	f = fopen(src, "w");
	assert_non_null(f);
	fputs(HEAD "\tlenl\t36(fp)\n\tret\n", f);
	fclose(f);
	r = run_cmd(argv, NULL, 10000);
	assert_int_equal(r.status, 1);
	{
		char want[128];
		snprintf(want, sizeof want, "dis-as: %s:4: lenl: missing destination operand\n", src);
		assert_string_equal(r.err, want);
	}
	assert_int_equal(access(out, F_OK), -1);
	run_free(&r);
	unlink(src);
	rmdir(dir);
}

static void
test_out_of_range(void **state)
{
	(void)state;
	expect(HEAD "\tmovw\t$1073741824,32(fp)\n", "t.s:4: operand 1073741824 out of range");
	expect(HEAD "\tmovw\t$1,8(mp)\n", "t.s:4: mp operand 8 out of range (data size 8)");
	expect(HEAD "\tjmp\t$5\n", "t.s:4: branch destination 5 out of range (code size 1)");
	expect(HEAD "\tbyte\t@mp+0,256\n", "t.s:4: byte 256 out of range");
}

static void
test_types(void **state)
{
	(void)state;
	expect(HEAD "\tframe\t$3,32(fp)\n", "t.s:4: undefined type $3");
	expect(HEAD "\tdesc\t$0,8,\"\"\n", "t.s:4: duplicate type $0 (first at line 2)");
	expect(HEAD "\tdesc\t$2,8,\"\"\n", "t.s:4: type $1 is not defined (types must be numbered 0..2)");
	expect("\tmodule\tT\n\tdesc\t$0,4,\"\"\n\tvar\t@mp,8\n",
	       "t.s:3: data size 8 differs from the size of type $0 (4)");
}

static void
test_labels_and_structure(void **state)
{
	(void)state;
	expect(HEAD "\tjmp\tnowhere\n", "t.s:4: undefined label nowhere");
	expect(HEAD "x:\tret\nx:\tret\n", "t.s:5: label x redefined (first at line 4)");
	expect("\tret\n", "t.s:1: no module directive");
	expect(HEAD "\tmodule\tU\n", "t.s:4: duplicate module directive");
	expect(HEAD "\tstring\t@mp+0,\"abc\n", "t.s:4: unterminated string");
	expect(HEAD "\tword\t@ldt+0,2\n\text\t@ldt+4,0x1,\"f\"\n",
	       "t.s:4: import module announces 2 functions but 1 ext lines follow");
	expect(HEAD "\texception\t0, 1, 32, -1, 1, 0\n\texctab\t*, -1\n\tret\n",
	       "t.s:4: exception announces 1 labels but 0 exctab lines name one");
}

/* Several errors are collected; the first is in err, all go to the report. */
static void
test_several(void **state)
{
	static const char src[] = HEAD "\tmovx\t$1\n\tmovw\t$1,32(qp)\n\tfoo\n";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	AcErr err;
	DisModule *m;

	(void)state;
	assert_non_null(f);
	m = dis_asm_report(src, strlen(src), "t.s", f, &err);
	fclose(f);
	assert_null(m);
	assert_string_equal(err.msg, "t.s:4: unknown mnemonic or directive 'movx'");
	assert_string_equal(text,
		"t.s:4: unknown mnemonic or directive 'movx'\n"
		"t.s:5: bad register 'qp' (fp or mp)\n"
		"t.s:6: unknown mnemonic or directive 'foo'\n");
	free(text);
}

TEST_MAIN("dis/asm_errors",
	cmocka_unit_test(test_unknown_mnemonic),
	cmocka_unit_test(test_bad_operand),
	cmocka_unit_test(test_operand_forms),
	cmocka_unit_test(test_dis_as_missing_operand),
	cmocka_unit_test(test_out_of_range),
	cmocka_unit_test(test_types),
	cmocka_unit_test(test_labels_and_structure),
	cmocka_unit_test(test_several))
