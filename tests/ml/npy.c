/* ml_npy_load / ml_npy_save: round trips of every writable dtype
 * (strided sources, scalars, empty tensors), big-endian and Fortran-order
 * files and widened dtypes written by hand, bad files with their exact
 * messages, refused dtypes, and NumPy itself when python3 has it. */
#include "tests/ml/mltest.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/mlnpyXXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
path_of(const char *name)
{
	static char path[128];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static const char *
put(const char *name, const void *buf, size_t len)
{
	const char *path = path_of(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* An NPY 1.0 file: header text (padded here) then data. */
static const char *
put_npy(const char *name, int major, const char *dict, const void *data, size_t len)
{
	uint8_t buf[1024];
	size_t pre = major == 1 ? 10 : 12, n = strlen(dict), total;

	memcpy(buf, "\x93NUMPY", 6);
	buf[6] = (uint8_t)major;
	buf[7] = 0;
	memcpy(buf + pre, dict, n);
	while ((pre + n + 1) % 64 != 0)
		buf[pre + n++] = ' ';
	buf[pre + n++] = '\n';
	for (size_t i = 0; i < pre - 8; i++)
		buf[8 + i] = (uint8_t)(n >> (8 * i));
	total = pre + n;
	memcpy(buf + total, data, len);
	return put(name, buf, total + len);
}

static void
assert_same(const MlTensor *a, const MlTensor *b)
{
	int64_t idx[ML_MAX_DIMS] = {0}, n = ml_tensor_numel(a);

	assert_int_equal(a->dtype, b->dtype);
	assert_true(ml_same_shape(a, b));
	for (int64_t i = 0; i < n; i++) {
		int64_t r = i, x, y;
		for (int d = a->ndim - 1; d >= 0; d--) {
			idx[d] = r % a->ne[d];
			r /= a->ne[d];
		}
		assert_int_equal(ml_get_i64(a, idx, &x, NULL), AC_OK);
		assert_int_equal(ml_get_i64(b, idx, &y, NULL), AC_OK);
		if (ml_dtype_kind(a->dtype) == ML_KIND_FLOAT) {
			double u, v;
			ml_get(a, idx, &u, NULL);
			ml_get(b, idx, &v, NULL);
			assert_true(u == v || (u != u && v != v));
		} else {
			assert_int_equal(x, y);
		}
	}
}

/* Every writable dtype, from a transposed (strided) source, read back. */
static void
test_round_trip(void **state)
{
	static const MlDtype dts[] = {ML_F64, ML_F32, ML_F16, ML_I64, ML_I32, ML_I8, ML_U8, ML_BOOL};
	int64_t ne[2] = {3, 5};
	AcErr err;

	for (size_t k = 0; k < sizeof dts / sizeof dts[0]; k++) {
		MlTensor *a = ml_tensor_zeros(dts[k], 2, ne, &err), *tr, *back = NULL;
		int64_t idx[2];
		char name[32];

		assert_non_null(a);
		for (idx[0] = 0; idx[0] < 3; idx[0]++)
			for (idx[1] = 0; idx[1] < 5; idx[1]++)
				ml_set(a, idx, dts[k] == ML_BOOL ? (idx[1] & 1) : (idx[0] * 5 + idx[1]) - 4, NULL);
		tr = ml_view_transpose(a, 0, 1, &err);
		assert_non_null(tr);
		assert_false(ml_tensor_is_contiguous(tr));
		snprintf(name, sizeof name, "rt_%s.npy", ml_dtype_name(dts[k]));
		assert_int_equal(ml_npy_save(path_of(name), tr, &err), AC_OK);
		assert_int_equal(ml_npy_load(path_of(name), &back, &err), AC_OK);
		assert_true(ml_tensor_is_contiguous(back));
		assert_int_equal(back->ne[0], 5);
		assert_same(tr, back);
		ml_tensor_unref(back);
		ml_tensor_unref(tr);
		ml_tensor_unref(a);
	}
}

/* The header is byte-exact NumPy 1.0 (64-byte aligned), scalars and
 * empty tensors round trip, and a 1-d shape is written "(n,)". */
static void
test_header_scalar_empty(void **state)
{
	int64_t ne1[1] = {4}, ne0[3] = {2, 0, 3};
	MlTensor *v = ml_tensor_zeros(ML_F32, 1, ne1, NULL), *s = ml_tensor_zeros(ML_I64, 0, NULL, NULL);
	MlTensor *e = ml_tensor_zeros(ML_F32, 3, ne0, NULL), *back = NULL;
	uint8_t *buf;
	size_t len;
	const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";

	assert_int_equal(ml_npy_save(path_of("v.npy"), v, NULL), AC_OK);
	assert_int_equal(ac_file_read(path_of("v.npy"), &buf, &len, NULL), AC_OK);
	assert_int_equal(len, 128 + 16);
	assert_memory_equal(buf, "\x93NUMPY\x01\x00\x76\x00", 10);
	assert_memory_equal(buf + 10, want, strlen(want));
	assert_int_equal(buf[127], '\n');
	free(buf);

	assert_int_equal(ml_set_i64(s, NULL, -7, NULL), AC_OK);
	assert_int_equal(ml_npy_save(path_of("s.npy"), s, NULL), AC_OK);
	assert_int_equal(ml_npy_load(path_of("s.npy"), &back, NULL), AC_OK);
	assert_int_equal(back->ndim, 0);
	assert_same(s, back);
	ml_tensor_unref(back);

	assert_int_equal(ml_npy_save(path_of("e.npy"), e, NULL), AC_OK);
	assert_int_equal(ml_npy_load(path_of("e.npy"), &back, NULL), AC_OK);
	assert_int_equal(back->ndim, 3);
	assert_int_equal(back->ne[1], 0);
	assert_int_equal(ml_tensor_numel(back), 0);
	ml_tensor_unref(back);
	ml_tensor_unref(v);
	ml_tensor_unref(s);
	ml_tensor_unref(e);
}

/* Big-endian, Fortran order, version 2.0 and 3.0 and the widened types,
 * written by hand. */
static void
test_hand_written(void **state)
{
	const uint8_t be[] = {0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0};  /* 1.0, -2.0 as >f4 */
	const int32_t fo[6] = {1, 4, 2, 5, 3, 6};  /* [[1,2,3],[4,5,6]] in Fortran order */
	const int16_t i2[3] = {-300, 0, 32767};
	const uint16_t u2[2] = {65535, 1};
	const uint32_t u4[2] = {4294967295u, 7};
	const uint8_t b1[3] = {1, 0, 1};
	MlTensor *t = NULL;
	int64_t idx[2], v;
	double d;

	assert_int_equal(ml_npy_load(put_npy("be.npy", 1, "{'descr': '>f4', 'fortran_order': False, "
	                                     "'shape': (2,), }", be, 8), &t, NULL), AC_OK);
	assert_int_equal(t->dtype, ML_F32);
	assert_close(ML_F32(t)[0], 1.0, 0, 0);
	assert_close(ML_F32(t)[1], -2.0, 0, 0);
	ml_tensor_unref(t);

	assert_int_equal(ml_npy_load(put_npy("fo.npy", 2, "{\"shape\": (2, 3), \"fortran_order\": True,"
	                                     " \"descr\": \"<i4\"}", fo, sizeof fo), &t, NULL), AC_OK);
	assert_int_equal(t->ne[0], 2);
	assert_int_equal(t->ne[1], 3);
	assert_true(ml_tensor_is_contiguous(t));
	for (int k = 0; k < 6; k++)
		assert_int_equal(((int32_t *)(void *)t->data)[k], k + 1);
	ml_tensor_unref(t);

	assert_int_equal(ml_npy_load(put_npy("i2.npy", 3, "{'descr': '<i2', 'fortran_order': False, "
	                                     "'shape': (3,)}", i2, sizeof i2), &t, NULL), AC_OK);
	assert_int_equal(t->dtype, ML_I32);
	idx[0] = 0;
	ml_get_i64(t, idx, &v, NULL);
	assert_int_equal(v, -300);
	idx[0] = 2;
	ml_get_i64(t, idx, &v, NULL);
	assert_int_equal(v, 32767);
	ml_tensor_unref(t);

	assert_int_equal(ml_npy_load(put_npy("u2.npy", 1, "{'descr': '<u2', 'fortran_order': False, "
	                                     "'shape': (2,), }", u2, sizeof u2), &t, NULL), AC_OK);
	idx[0] = 0;
	ml_get_i64(t, idx, &v, NULL);
	assert_int_equal(v, 65535);
	ml_tensor_unref(t);

	assert_int_equal(ml_npy_load(put_npy("u4.npy", 1, "{'descr': '<u4', 'fortran_order': False, "
	                                     "'shape': (2,), }", u4, sizeof u4), &t, NULL), AC_OK);
	assert_int_equal(t->dtype, ML_I64);
	ml_get_i64(t, idx, &v, NULL);
	assert_int_equal(v, 4294967295);
	ml_tensor_unref(t);

	assert_int_equal(ml_npy_load(put_npy("b1.npy", 1, "{'descr': '|b1', 'fortran_order': False, "
	                                     "'shape': (3,), }", b1, 3), &t, NULL), AC_OK);
	assert_int_equal(t->dtype, ML_BOOL);
	idx[0] = 1;
	ml_get(t, idx, &d, NULL);
	assert_close(d, 0, 0, 0);
	ml_tensor_unref(t);
}

static void
expect_fail(const char *path, int code, const char *tail)
{
	MlTensor *t = (MlTensor *)1;
	AcErr err;
	char want[256];

	snprintf(want, sizeof want, "%s: %s", path, tail);
	assert_int_equal(ml_npy_load(path, &t, &err), code);
	assert_null(t);
	assert_err(code, err, code, want);
}

static void
test_bad_files(void **state)
{
	const uint8_t f4[8] = {0};
	const char *hdr_ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
	uint8_t junk[16] = "\x93NUMPX\x01\x00\x10\x00";
	uint8_t v4[16] = "\x93NUMPY\x04\x00\x10\x00";
	uint8_t longhdr[12] = "\x93NUMPY\x01\x00\xff\xff";
	MlTensor *bf;
	int64_t ne[1] = {2};
	AcErr err;

	expect_fail(put("short.npy", "\x93NUM", 4), AC_EFORMAT, "truncated header: 4 of 10 bytes");
	expect_fail(put("magic.npy", junk, 16), AC_EFORMAT, "offset 0: bad magic (not an NPY file)");
	expect_fail(put("v4.npy", v4, 16), AC_EFORMAT, "offset 6: version 4.0, want 1.0, 2.0 or 3.0");
	expect_fail(put("long.npy", longhdr, 12), AC_EFORMAT,
	            "offset 8: header length 65535 exceeds the file's 2 bytes or 1048576");
	expect_fail(put_npy("trunc.npy", 1, hdr_ok, f4, 7), AC_EFORMAT,
	            "truncated data: got 7 of 8 bytes");
	expect_fail(put_npy("extra.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
	                    f4, 8), AC_EFORMAT, "size mismatch: data continues past 4 bytes");
	expect_fail(put_npy("u8.npy", 1, "{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }",
	                    f4, 8), AC_EDTYPE, "dtype '<u8' has no ml dtype");
	expect_fail(put_npy("struct.npy", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, "
	                    "'shape': (1,), }", f4, 4), AC_EDTYPE,
	            "offset 20: structured dtypes are not supported");
	expect_fail(put_npy("nokey.npy", 1, "{'descr': '<f4', 'shape': (2,), }", f4, 8), AC_EFORMAT,
	            "offset 64: header: no 'fortran_order'");
	expect_fail(put_npy("dup.npy", 1, "{'descr': '<f4', 'descr': '<f4'}", f4, 8), AC_EFORMAT,
	            "offset 27: header: unknown or repeated key");
	expect_fail(put_npy("tuple.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }",
	                    f4, 8), AC_EFORMAT, "offset 62: header: shape: (n) is not a tuple, want (n,)");
	expect_fail(put_npy("dims.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
	                    "(1,1,1,1,1,1,1), }", f4, 4), AC_ESHAPE,
	            "offset 73: header: shape has more than 6 dimensions");
	expect_fail(put_npy("huge.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
	                    "(65536, 65536), }", f4, 4), AC_ERANGE, "shape exceeds 2147483647 elements");
	expect_fail(put_npy("neg.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
	                    f4, 4), AC_EFORMAT,
	            "offset 61: header: shape: expected a non-negative integer");

	bf = ml_tensor_zeros(ML_BF16, 1, ne, NULL);
	assert_int_equal(ml_npy_save(path_of("bf.npy"), bf, &err), AC_EDTYPE);
	snprintf((char *)junk, sizeof junk, "%s", "");
	assert_non_null(strstr(err.msg, ": bf16 has no NPY dtype (cast it first)"));
	assert_int_equal(access(path_of("bf.npy"), F_OK), -1);
	ml_tensor_unref(bf);
}

/* Random bytes after a valid prefix never crash (ASan in the fuzz build
 * checks harder). */
static void
test_garbage(void **state)
{
	uint8_t buf[200];
	MlTensor *t;
	uint32_t x = 12345;

	for (int round = 0; round < 2000; round++) {
		size_t n = 10 + round % 190;
		memcpy(buf, "\x93NUMPY\x01\x00", 8);
		for (size_t i = 8; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		buf[8] = (uint8_t)(n - 10);
		buf[9] = 0;
		if (ml_npy_load_mem(buf, n, "g", &t, NULL) == AC_OK)
			ml_tensor_unref(t);
	}
}

/* NumPy writes, we read; we write, NumPy reads. */
static void
test_numpy(void **state)
{
	char cmd[512];
	MlTensor *t = NULL;
	int64_t ne[2] = {2, 3};

	if (system("python3 -c 'import numpy' 2>/dev/null") != 0) {
		printf("# numpy is not installed (python3 -c 'import numpy' failed): skipping the NumPy checks\n");
		return;
	}
	snprintf(cmd, sizeof cmd, "python3 -c \"import numpy as np; np.save('%s/np.npy', "
	         "np.arange(6, dtype='>f8').reshape(2,3).T)\"", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ml_npy_load(path_of("np.npy"), &t, NULL), AC_OK);
	assert_int_equal(t->dtype, ML_F64);
	assert_int_equal(t->ne[0], 3);
	assert_close(((double *)(void *)t->data)[1], 3.0, 0, 0);
	ml_tensor_unref(t);
	t = ml_tensor_zeros(ML_I32, 2, ne, NULL);
	((int32_t *)(void *)t->data)[5] = 42;
	assert_int_equal(ml_npy_save(path_of("ours.npy"), t, NULL), AC_OK);
	ml_tensor_unref(t);
	snprintf(cmd, sizeof cmd, "python3 -c \"import numpy as np; a = np.load('%s/ours.npy'); "
	         "assert a.dtype == np.int32 and a.shape == (2, 3) and a[1, 2] == 42\"", dir);
	assert_int_equal(system(cmd), 0);
}

TEST_MAIN("ml/npy",
          cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
          cmocka_unit_test_setup_teardown(test_header_scalar_empty, setup, teardown),
          cmocka_unit_test_setup_teardown(test_hand_written, setup, teardown),
          cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
          cmocka_unit_test(test_garbage),
          cmocka_unit_test_setup_teardown(test_numpy, setup, teardown))
