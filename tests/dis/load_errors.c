/*
 * The loader on broken input: every prefix of a real file, bit flips,
 * random bytes (never a crash, always NULL with one line naming the file),
 * and hand-broken modules with their exact messages.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "dis/dis.h"

/* A real module the build makes (any valid .dis will do: the loader is
 * what is under test, not the compiler that wrote it). */
#define REAL_DIS "examples/hello/hello.dis"

static uint8_t *
real_module(size_t *len)
{
	uint8_t *buf;
	AcErr err;

	if (ac_file_read(REAL_DIS, &buf, len, &err) != AC_OK) {
		print_error("%s (run make first)\n", err.msg);
		fail();
	}
	return buf;
}

/* A failed load: NULL, a format error, one line that starts with the name. */
static void
check_failed(DisModule *m, const AcErr *err)
{
	assert_null(m);
	assert_true(err->code == AC_EFORMAT || err->code == AC_ENOMEM);
	assert_true(strncmp(err->msg, "x.dis: ", 7) == 0);
	assert_null(strchr(err->msg, '\n'));
}

static void
test_truncations(void **state)
{
	size_t len, n;
	uint8_t *buf = real_module(&len);

	(void)state;
	for (n = 0; n < len; n++) {
		uint8_t *cp = malloc(n ? n : 1);   /* exact size, so ASan sees overreads */
		AcErr err;
		memcpy(cp, buf, n);
		check_failed(dis_module_read(cp, n, "x.dis", &err), &err);
		free(cp);
	}
	free(buf);
}

static void
test_bit_flips(void **state)
{
	size_t len, i;
	int bit, bad = 0;
	uint8_t *buf = real_module(&len);
	uint8_t *cp = malloc(len);

	(void)state;
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			AcErr err;
			DisModule *m;
			memcpy(cp, buf, len);
			cp[i] ^= (uint8_t)(1 << bit);
			m = dis_module_read(cp, len, "x.dis", &err);
			if (m == NULL) {
				check_failed(m, &err);
				bad++;
			}
			dis_module_free(m);
		}
	printf("# bit flips: %d of %zu rejected\n", bad, len * 8);
	free(cp);
	free(buf);
}

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_random(void **state)
{
	uint32_t seed = 12345;
	int i;
	size_t len;
	uint8_t *real = real_module(&len);

	(void)state;
	for (i = 0; i < 3000; i++) {
		size_t n = rnd(&seed) % 300, k;
		uint8_t *cp = malloc(n ? n : 1);
		AcErr err;
		DisModule *m;
		for (k = 0; k < n; k++)
			cp[k] = (uint8_t)rnd(&seed);
		/* Two in three start like a real module, to get past the header. */
		if (i % 3 != 0) {
			size_t keep = rnd(&seed) % (len < n ? len : n + 1);
			if (keep > n)
				keep = n;
			memcpy(cp, real, keep);
		}
		m = dis_module_read(cp, n, "x.dis", &err);
		if (m == NULL)
			check_failed(m, &err);
		dis_module_free(m);
		free(cp);
	}
	free(real);
}

/* A small valid module: data 8 bytes, one type, three instructions. */
static DisModule *
tiny(void)
{
	static uint8_t map0[1] = {0};
	static DisType types[2];
	static DisInst inst[3];
	static DisModule m;

	memset(&m, 0, sizeof m);
	memset(inst, 0, sizeof inst);
	types[0] = (DisType){0, 8, 1, map0};
	types[1] = (DisType){1, 40, 0, map0};
	inst[0].op = DIS_OP_MOVW;
	inst[0].add = DIS_AIMM << 3 | DIS_AMP;
	inst[0].s.a = 1;
	inst[0].d.a = 4;
	inst[1].op = DIS_OP_JMP;
	inst[1].add = DIS_AXXX << 3 | DIS_AIMM;
	inst[1].d.a = 2;
	inst[2].op = DIS_OP_RET;
	inst[2].add = DIS_AXXX << 3 | DIS_AXXX;
	m.magic = DIS_XMAGIC;
	m.ss = 400;
	m.ninst = 3;
	m.data_size = 8;
	m.ntype = 2;
	m.entry_pc = 0;
	m.entry_type = 1;
	m.inst = inst;
	m.type = types;
	m.name = "T";
	m.srcpath = "t.b";
	return &m;
}

/* Encodes m and loads it, expecting msg (NULL: expecting success). */
static void
expect(const DisModule *m, const char *msg)
{
	uint8_t *buf;
	size_t len;
	AcErr err;
	DisModule *back;

	assert_int_equal(dis_module_write(m, &buf, &len, &err), AC_OK);
	back = dis_module_read(buf, len, "t.dis", &err);
	free(buf);
	if (msg == NULL) {
		if (back == NULL)
			print_error("%s\n", err.msg);
		assert_non_null(back);
		dis_module_free(back);
		return;
	}
	assert_null(back);
	assert_int_equal(err.code, AC_EFORMAT);
	assert_string_equal(err.msg, msg);
}

static void
test_hand_broken(void **state)
{
	static const uint8_t badmagic[] = {0x00, 0x01, 0x02, 0x03};
	static const uint8_t shorthdr[] = {0xc0, 0x0c, 0x80, 0x30, 0x80};
	DisModule *m;
	AcErr err;

	(void)state;
	check_failed(dis_module_read(badmagic, sizeof badmagic, "x.dis", &err), &err);
	assert_string_equal(err.msg, "x.dis: offset 0x0: bad magic 0x0");
	check_failed(dis_module_read(shorthdr, sizeof shorthdr, "x.dis", &err), &err);
	assert_string_equal(err.msg, "x.dis: offset 0x4: truncated header");

	expect(tiny(), NULL);
	/* header: 4 magic + rt 1 + ss 2 + 6 one-byte fields = 13 bytes; inst 0 takes 4 */
	m = tiny();
	m->inst[1].op = 200;
	expect(m, "t.dis: offset 0x11: instruction 1: opcode 200 out of range");
	m = tiny();
	m->inst[1].d.a = 3;
	expect(m, "t.dis: offset 0x11: instruction 1: branch destination 3 out of range (code size 3)");
	m = tiny();
	m->inst[0].d.a = 8;
	expect(m, "t.dis: offset 0xd: instruction 0: mp operand 8 out of range (data size 8)");
	m = tiny();
	m->inst[0].op = DIS_OP_FRAME;
	m->inst[0].s.a = 2;
	m->inst[0].add = DIS_AIMM << 3 | DIS_AFP;
	m->inst[0].d.a = 32;
	expect(m, "t.dis: offset 0xd: instruction 0: type index 2 out of range (2 types)");
	{
		/* The writer refuses mode 6, so patch the addrmode byte in place. */
		uint8_t *buf;
		size_t len;
		assert_int_equal(dis_module_write(tiny(), &buf, &len, &err), AC_OK);
		assert_int_equal(buf[0xe], DIS_AIMM << 3 | DIS_AMP);
		buf[0xe] = 6 << 3 | DIS_AMP;
		assert_null(dis_module_read(buf, len, "t.dis", &err));
		assert_string_equal(err.msg, "t.dis: offset 0xd: instruction 0: bad addressing mode 6");
		free(buf);
	}
	m = tiny();
	m->type[0].size = 12;
	expect(m, "t.dis: types: bad descriptor for mp: type 0 size 12, data size 8");
	m = tiny();
	m->entry_pc = 7;
	expect(m, "t.dis: header: entry pc 7 out of range (code size 3)");
	m = tiny();
	m->rt = DIS_HASLDT0;
	expect(m, "t.dis: offset 0x4: obsolete dis (runtime flag HASLDT0)");
}

/* Operands against the opcode's form in ops.def, as the assembler checks them:
 * a mode byte that says "no operand" where the interpreter reads one. */
static void
test_operand_forms(void **state)
{
	DisModule *m;

	(void)state;
	m = tiny();
	m->inst[0].op = DIS_OP_LENL;
	m->inst[0].add = DIS_AXXX << 3 | DIS_AMP;
	expect(m, "t.dis: offset 0xd: instruction 0: lenl: missing source operand");
	m = tiny();
	m->inst[0].op = DIS_OP_LENL;
	m->inst[0].add = DIS_AIMM << 3 | DIS_AXXX;
	expect(m, "t.dis: offset 0xd: instruction 0: lenl: missing destination operand");
	m = tiny();
	m->inst[0].add |= DIS_AXIMM;
	expect(m, "t.dis: offset 0xd: instruction 0: movw: unexpected middle operand");
	m = tiny();
	m->inst[1].add = DIS_AIMM << 3 | DIS_AIMM;
	expect(m, "t.dis: offset 0x11: instruction 1: jmp: unexpected source operand");
	m = tiny();
	m->inst[1].op = DIS_OP_BEQW;
	m->inst[1].add = DIS_AIMM << 3 | DIS_AIMM;
	expect(m, "t.dis: offset 0x11: instruction 1: beqw: missing middle operand");
	m = tiny();
	m->inst[2].add = DIS_AXXX << 3 | DIS_AFP;
	expect(m, "t.dis: offset 0x14: instruction 2: ret: unexpected destination operand");
	/* An absent middle is the destination for arithmetic and channels. */
	m = tiny();
	m->inst[0].op = DIS_OP_ADDW;
	expect(m, NULL);
	m = tiny();
	m->inst[0].op = DIS_OP_NEWCW;
	m->inst[0].add = DIS_AXXX << 3 | DIS_AMP;
	expect(m, NULL);
}

/* A load instruction names an import table by its middle operand; an
 * immediate one must name a table the module has (Inferno's iload indexes
 * m->ldt with it unchecked). A non-immediate one is checked at run time. */
static void
test_load_import_index(void **state)
{
	static DisImport fn = {0x1001, "f"};
	static DisImportModule imp = {1, &fn};
	DisModule *m;

	(void)state;
	m = tiny();
	m->rt = DIS_HASLDT;
	m->nimport = 1;
	m->import = &imp;
	m->inst[0].op = DIS_OP_LOAD;
	m->inst[0].add = DIS_AXIMM | DIS_AMP << 3 | DIS_AMP;
	m->inst[0].s.a = 0;
	m->inst[0].m.a = 0;
	m->inst[0].d.a = 4;
	expect(m, NULL);
	m->inst[0].m.a = 1;
	expect(m, "t.dis: code: instruction 0: load: import table 1 out of range (1 import tables)");
	m->inst[0].m.a = -1;
	expect(m, "t.dis: code: instruction 0: load: import table -1 out of range (1 import tables)");
	m->rt = 0;
	m->nimport = 0;
	m->import = NULL;
	m->inst[0].m.a = 0;
	expect(m, "t.dis: code: instruction 0: load: import table 0 out of range (0 import tables)");
	/* From a register: the interpreter checks it when it runs. */
	m->inst[0].add = DIS_AXINM | DIS_AMP << 3 | DIS_AMP;
	m->inst[0].m.a = 0;
	expect(m, NULL);
}

/* Issue 14: everything the interpreter trusts is checked at load. Each
 * case is a module the loader took before, refused now with one line. */
static void
test_verified_at_load(void **state)
{
	static uint8_t badmap[1] = {0x20};   /* word 2 of an 8-byte type */
	static uint8_t ptr0[1] = {0x80};     /* word 0 a pointer */
	static int32_t one[1] = {7};
	static uint8_t hi[2] = {'h', 'i'};
	static DisData word0 = {DIS_DEFW, 1, 0, {.words = one}};
	static DisData str4 = {DIS_DEFS, 2, 4, {.bytes = hi}};
	static DisLink nodesc = {1, -1, 0x1234, "f"};
	static DisHandler h;
	DisModule *m;

	(void)state;
	/* Pointer map bits only for words inside the type. */
	m = tiny();
	m->type[0].map = badmap;
	expect(m, "t.dis: offset 0x16: type 0: pointer map marks word 2, outside size 8");
	/* An immediate is a value, never a place written or a pointer read. */
	m = tiny();
	m->inst[0].add = DIS_AIMM << 3 | DIS_AIMM;
	expect(m, "t.dis: offset 0xd: instruction 0: movw: immediate destination operand");
	m = tiny();
	m->inst[0].op = DIS_OP_MOVP;
	expect(m, "t.dis: offset 0xd: instruction 0: movp: immediate source operand where a pointer is read");
	m = tiny();
	m->inst[0].op = DIS_OP_INDW;
	m->inst[0].add = DIS_AXIMM | DIS_AMP << 3 | DIS_AIMM;
	expect(m, "t.dis: offset 0xd: instruction 0: indw: immediate middle operand (it is written)");
	m->inst[0].add = DIS_AXINF | DIS_AMP << 3 | DIS_AIMM;
	m->inst[0].m.a = 36;
	expect(m, NULL);   /* indw reads its destination, the index */
	/* fp operands inside the largest frame (type 1, 40 bytes). */
	m = tiny();
	m->inst[0].add = DIS_AIMM << 3 | DIS_AFP;
	m->inst[0].d.a = 36;
	expect(m, NULL);
	m->inst[0].d.a = 40;
	expect(m, "t.dis: code: instruction 0: destination fp operand 40 outside the largest frame (40 bytes)");
	m->inst[0].add = DIS_AFP << 3 | DIS_AFP;
	m->inst[0].s.a = -4;
	m->inst[0].d.a = 32;
	expect(m, "t.dis: code: instruction 0: source fp operand -4 outside the largest frame (40 bytes)");
	m->inst[0].add = (DIS_AIND | DIS_AFP) << 3 | DIS_AFP;
	m->inst[0].s.a = 400;
	expect(m, "t.dis: code: instruction 0: source fp operand 400 outside the largest frame (40 bytes)");
	/* Data items agree with the pointer map of module data. */
	m = tiny();
	m->type[0].map = ptr0;
	m->ndata = 1;
	m->data = &word0;
	expect(m, "t.dis: offset 0x1d: data item at offset 0 does not match the pointer map of type 0");
	m = tiny();
	m->ndata = 1;
	m->data = &str4;
	expect(m, "t.dis: offset 0x1d: data item at offset 4 does not match the pointer map of type 0");
	/* A function's link names its frame type. */
	m = tiny();
	m->nlink = 1;
	m->link = &nodesc;
	expect(m, "t.dis: offset 0x20: link 0 (f): function at pc 1 has no frame type");
	/* A handler's exception slot lies inside a frame. */
	m = tiny();
	m->rt = DIS_HASEXCEPT;
	memset(&h, 0, sizeof h);
	h.eoff = 40;
	h.pc2 = 1;
	h.descid = -1;
	h.wildpc = -1;
	m->nhandler = 1;
	m->handler = &h;
	expect(m, "t.dis: offset 0x21: handler 0: exception offset 40 outside the largest frame (40 bytes)");
	h.eoff = 36;
	expect(m, NULL);
}

static void
test_load_missing(void **state)
{
	AcErr err;

	(void)state;
	assert_null(dis_module_load("/nonexistent/x.dis", &err));
	assert_int_equal(err.code, AC_EIO);
	assert_null(strchr(err.msg, '\n'));
}

TEST_MAIN("dis/load_errors",
	cmocka_unit_test(test_truncations),
	cmocka_unit_test(test_bit_flips),
	cmocka_unit_test(test_random),
	cmocka_unit_test(test_hand_broken),
	cmocka_unit_test(test_operand_forms),
	cmocka_unit_test(test_load_import_index),
	cmocka_unit_test(test_verified_at_load),
	cmocka_unit_test(test_load_missing))
