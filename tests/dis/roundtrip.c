/*
 * Every shipped Inferno .dis file (under $ACHERON_INFERNO, written by
 * Inferno's compiler) and every module the build makes survives read+write
 * and disasm+asm byte for byte.
 */
#include <dirent.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "tests/run.h"
#include "dis/dis.h"

enum { MAXFILES = 256 };

/* One set of files: Inferno's or ours. */
typedef struct Files {
	char *path[MAXFILES];
	int n;
} Files;

static Files inferno, ours;

static void
scan(Files *fs, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && fs->n < MAXFILES) {
		size_t n = strlen(e->d_name);
		char *p;
		if (n < 5 || strcmp(e->d_name + n - 4, ".dis") != 0)
			continue;
		p = malloc(strlen(dir) + n + 2);
		assert_non_null(p);
		sprintf(p, "%s/%s", dir, e->d_name);
		fs->path[fs->n++] = p;
	}
	closedir(d);
}

static Files *
inferno_files(void)
{
	char buf[1024];

	if (inferno.n == 0) {
		snprintf(buf, sizeof buf, "%s/dis", inferno_dir());
		scan(&inferno, buf);
		snprintf(buf, sizeof buf, "%s/dis/lib", inferno_dir());
		scan(&inferno, buf);
	}
	assert_true(inferno.n >= 1);
	return &inferno;
}

/* What make builds with bin/limbo (the examples), and what make check
 * adds (the cluster jobs) when it is there. */
static Files *
our_files(void)
{
	static const char *const pats[] = {"examples/*/*.dis", "cluster_tests/jobs/*.dis"};

	if (ours.n == 0)
		for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
			glob_t g;
			if (glob(pats[k], 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc && ours.n < MAXFILES; i++)
				ours.path[ours.n++] = strdup(g.gl_pathv[i]);
			globfree(&g);
		}
	if (ours.n < 1)
		print_error("no examples/*/*.dis: run make first\n");
	assert_true(ours.n >= 1);
	return &ours;
}

static void
read_write(const Files *fs)
{
	int i, same = 0;

	for (i = 0; i < fs->n; i++) {
		uint8_t *buf, *out;
		size_t len, olen;
		AcErr err;
		DisModule *m;

		assert_int_equal(ac_file_read(fs->path[i], &buf, &len, &err), AC_OK);
		m = dis_module_read(buf, len, fs->path[i], &err);
		if (m == NULL)
			print_error("%s\n", err.msg);
		assert_non_null(m);
		assert_int_equal(dis_module_write(m, &out, &olen, &err), AC_OK);
		if (olen == len && memcmp(out, buf, len) == 0)
			same++;
		else
			print_error("%s: written bytes differ\n", fs->path[i]);
		free(out);
		free(buf);
		dis_module_free(m);
	}
	printf("# read+write: %d of %d files identical\n", same, fs->n);
	assert_int_equal(same, fs->n);
}

static void
disasm_asm(const Files *fs)
{
	int i, same = 0;

	for (i = 0; i < fs->n; i++) {
		uint8_t *buf, *out;
		size_t len, olen, tlen;
		char *text;
		AcErr err;
		DisModule *m, *m2;
		FILE *f;

		assert_int_equal(ac_file_read(fs->path[i], &buf, &len, &err), AC_OK);
		m = dis_module_read(buf, len, fs->path[i], &err);
		assert_non_null(m);
		f = open_memstream(&text, &tlen);
		assert_non_null(f);
		assert_int_equal(dis_disasm(m, f, &err), AC_OK);
		fclose(f);
		m2 = dis_asm(text, tlen, fs->path[i], &err);
		if (m2 == NULL)
			print_error("%s\n", err.msg);
		assert_non_null(m2);
		assert_int_equal(dis_module_write(m2, &out, &olen, &err), AC_OK);
		if (olen == len && memcmp(out, buf, len) == 0)
			same++;
		else
			print_error("%s: reassembled bytes differ\n", fs->path[i]);
		free(out);
		free(text);
		free(buf);
		dis_module_free(m);
		dis_module_free(m2);
	}
	printf("# disasm+asm: %d of %d files identical\n", same, fs->n);
	assert_int_equal(same, fs->n);
}

static void
test_read_write(void **state)
{
	(void)state;
	read_write(inferno_files());
}

static void
test_disasm_asm(void **state)
{
	(void)state;
	disasm_asm(inferno_files());
}

static void
test_read_write_ours(void **state)
{
	(void)state;
	read_write(our_files());
}

static void
test_disasm_asm_ours(void **state)
{
	(void)state;
	disasm_asm(our_files());
}

/* Hand-written assembly: labels, no flags/stack/var defaults. */
static void
test_handwritten(void **state)
{
	static const char src[] =
		"# count to ten\n"
		"\tmodule\tCount\n"
		"\tentry\t0, 1\n"
		"\tdesc\t$0,8,\"80\"\n"
		"\tdesc\t$1,40,\"\"\n"
		"\tvar\t@mp,8\n"
		"\tstring\t@mp+0,\"hi\\n\"\n"
		"\tword\t@mp+4,7\n"
		"\tlink\t1,0,0x12345678,\"init\"\n"
		"\tmovw\t$0,32(fp)\n"
		"loop:\taddw\t$1,32(fp)\n"
		"\tblew\t32(fp),$10,loop\n"
		"\tret\n"
		"\tsource\t\"count.s\"\n";
	AcErr err;
	DisModule *m = dis_asm(src, strlen(src), "count.s", &err);

	(void)state;
	if (m == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(m);
	assert_int_equal(m->ninst, 4);
	assert_int_equal(m->inst[2].op, DIS_OP_BLEW);
	assert_int_equal(m->inst[2].d.a, 1);
	assert_int_equal(m->rt, 0);
	assert_int_equal(m->ss, 400);
	assert_int_equal(m->ntype, 2);
	assert_int_equal(m->nlink, 1);
	assert_int_equal(m->data_size, 8);
	assert_string_equal(m->name, "Count");
	assert_int_equal(m->data[0].count, 3);
	dis_module_free(m);
}

/* Adjacent words merge into one item, as limbo writes them; `split` keeps them apart. */
static void
test_data_merge(void **state)
{
	static const char merged[] =
		"\tmodule\tM\n\tdesc\t$0,12,\"\"\n\tvar\t@mp,12\n"
		"\tword\t@mp+0,1\n\tword\t@mp+4,2,3\n";
	static const char split[] =
		"\tmodule\tM\n\tdesc\t$0,12,\"\"\n\tvar\t@mp,12\n"
		"\tword\t@mp+0,1\n\tsplit\n\tword\t@mp+4,2,3\n";
	AcErr err;
	DisModule *m;

	(void)state;
	m = dis_asm(merged, strlen(merged), "m.s", &err);
	assert_non_null(m);
	assert_int_equal(m->ndata, 1);
	assert_int_equal(m->data[0].count, 3);
	dis_module_free(m);
	m = dis_asm(split, strlen(split), "m.s", &err);
	assert_non_null(m);
	assert_int_equal(m->ndata, 2);
	dis_module_free(m);
}

/* Operand lists: limbo's `newcp $0,dst` is mid,dst; the three-slot form with
 * empty slots reads the same and prints short (ops.def forms leave no odd
 * sets to print in it). */
static void
test_operand_slots(void **state)
{
	static const char src[] =
		"\tmodule\tM\n"
		"\tnewcp\t$0,36(fp)\n"
		"\tnewcw\t,$3,40(fp)\n"
		"\traise\t32(fp)\n";
	AcErr err;
	DisModule *m = dis_asm(src, strlen(src), "s.s", &err);
	char *text;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(m);
	assert_int_equal(m->inst[0].add, DIS_AXIMM | DIS_AXXX << 3 | DIS_AFP);
	assert_int_equal(m->inst[1].add, DIS_AXIMM | DIS_AXXX << 3 | DIS_AFP);
	assert_int_equal(m->inst[2].add, DIS_AFP << 3 | DIS_AXXX);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(dis_disasm(m, f, &err), AC_OK);
	fclose(f);
	assert_non_null(strstr(text, "\tnewcp\t$0,36(fp)\n"));
	assert_non_null(strstr(text, "\tnewcw\t$3,40(fp)\n"));
	assert_non_null(strstr(text, "\traise\t32(fp)\n"));
	free(text);
	dis_module_free(m);
}

static void
test_op_names(void **state)
{
	int op;

	(void)state;
	for (op = 0; op < DIS_NOPS; op++)
		assert_int_equal(dis_op_lookup(dis_op_name(op)), op);
	assert_null(dis_op_name(DIS_NOPS));
	assert_int_equal(dis_op_lookup("movx"), -1);
	assert_true(dis_op_dst_is_pc(DIS_OP_JMP));
	assert_false(dis_op_dst_is_pc(DIS_OP_MOVW));
}

TEST_MAIN("dis/roundtrip",
	inferno_unit_test(test_read_write),
	inferno_unit_test(test_disasm_asm),
	cmocka_unit_test(test_read_write_ours),
	cmocka_unit_test(test_disasm_asm_ours),
	cmocka_unit_test(test_handwritten),
	cmocka_unit_test(test_data_merge),
	cmocka_unit_test(test_operand_slots),
	cmocka_unit_test(test_op_names))
