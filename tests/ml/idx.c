/* ml_idx_load: IDX files written here (plain and gzip) read back, every
 * element type, malformed headers and data with their exact messages,
 * random garbage, and the real Fashion-MNIST files when installed. */
#include "tests/ml/mltest.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static char dir[64];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/mlidxXXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes len bytes to dir/name, gzipped when gz is set; returns the path
 * in static storage (valid until the next call). */
static const char *
put(const char *name, const void *buf, size_t len, int gz)
{
	static char path[128];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (gz) {
		gzFile f = gzopen(path, "wb");

		assert_non_null(f);
		if (len > 0)
			assert_int_equal(gzwrite(f, buf, (unsigned)len), (int)len);
		assert_int_equal(gzclose(f), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
	}
	return path;
}

/* Loads path and asserts failure with code and the message "path: tail". */
static void
expect_fail(const char *path, int code, const char *tail)
{
	char want[256];
	MlTensor *t = (MlTensor *)1;
	AcErr err;

	snprintf(want, sizeof want, "%s: %s", path, tail);
	assert_err(ml_idx_load(path, &t, &err), err, code, want);
	assert_null(t);
}

static void
test_u8_plain_and_gz(void **state)
{
	const uint8_t f[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 128, 255};
	const float want[6] = {0, 1, 2, 3, 128, 255};

	for (int gz = 0; gz < 2; gz++) {
		MlTensor *t = NULL;
		AcErr err;
		int rc = ml_idx_load(put(gz ? "u8.idx.gz" : "u8.idx", f, sizeof f, gz), &t, &err);

		assert_int_equal(rc, AC_OK);
		assert_int_equal(t->ndim, 2);
		assert_int_equal(t->ne[0], 2);
		assert_int_equal(t->ne[1], 3);
		assert_all_close(t, want, 0, 0);
		ml_tensor_unref(t);
	}
}

static void
test_labels_and_3d(void **state)
{
	const uint8_t lab[] = {0, 0, 8, 1, 0, 0, 0, 4, 9, 0, 3, 7};
	const uint8_t img[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2,
	                       1, 2, 3, 4, 5, 6, 7, 8};
	const float want_lab[4] = {9, 0, 3, 7}, want_img[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	MlTensor *t = NULL;

	assert_int_equal(ml_idx_load(put("lab.gz", lab, sizeof lab, 1), &t, NULL), AC_OK);
	assert_int_equal(t->ndim, 1);
	assert_int_equal(ml_tensor_rows(t), 4);
	assert_int_equal(ml_tensor_cols(t), 1);
	assert_all_close(t, want_lab, 0, 0);
	ml_tensor_unref(t);
	assert_int_equal(ml_idx_load(put("img", img, sizeof img, 0), &t, NULL), AC_OK);
	assert_int_equal(t->ndim, 3);
	assert_int_equal(ml_tensor_rows(t), 2);
	assert_int_equal(ml_tensor_cols(t), 4);
	assert_all_close(t, want_img, 0, 0);
	ml_tensor_unref(t);
}

static void
test_other_types(void **state)
{
	/* i8 [3]: -1 127 -128 */
	const uint8_t i8[] = {0, 0, 9, 1, 0, 0, 0, 3, 0xff, 0x7f, 0x80};
	const float want_i8[3] = {-1, 127, -128};
	/* i16 [2]: -2 (0xfffe), 300 (0x012c) */
	const uint8_t i16[] = {0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x2c};
	const float want_i16[2] = {-2, 300};
	/* i32 [2]: -70000 (0xfffeee90), 16777216 */
	const uint8_t i32[] = {0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xfe, 0xee, 0x90, 1, 0, 0, 0};
	const float want_i32[2] = {-70000, 16777216};
	/* f32 [2]: 1.5 (0x3fc00000), -0.25 (0xbe800000) */
	const uint8_t f32[] = {0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xbe, 0x80, 0, 0};
	const float want_f32[2] = {1.5f, -0.25f};
	/* f64 [1, 1]: -3.0 (0xc008000000000000) */
	const uint8_t f64[] = {0, 0, 0x0e, 2, 0, 0, 0, 1, 0, 0, 0, 1,
	                       0xc0, 0x08, 0, 0, 0, 0, 0, 0};
	const float want_f64[1] = {-3};
	MlTensor *t = NULL;

	assert_int_equal(ml_idx_load(put("i8", i8, sizeof i8, 0), &t, NULL), AC_OK);
	assert_all_close(t, want_i8, 0, 0);
	ml_tensor_unref(t);
	assert_int_equal(ml_idx_load(put("i16", i16, sizeof i16, 1), &t, NULL), AC_OK);
	assert_all_close(t, want_i16, 0, 0);
	ml_tensor_unref(t);
	assert_int_equal(ml_idx_load(put("i32", i32, sizeof i32, 0), &t, NULL), AC_OK);
	assert_all_close(t, want_i32, 0, 0);
	ml_tensor_unref(t);
	assert_int_equal(ml_idx_load(put("f32", f32, sizeof f32, 1), &t, NULL), AC_OK);
	assert_all_close(t, want_f32, 0, 0);
	ml_tensor_unref(t);
	assert_int_equal(ml_idx_load(put("f64", f64, sizeof f64, 0), &t, NULL), AC_OK);
	assert_int_equal(t->ndim, 2);
	assert_all_close(t, want_f64, 0, 0);
	ml_tensor_unref(t);
}

static void
test_bad_headers(void **state)
{
	const uint8_t magic[] = {1, 2, 8, 1, 0, 0, 0, 1, 5};
	const uint8_t type[] = {0, 0, 7, 1, 0, 0, 0, 1, 5};
	const uint8_t nd0[] = {0, 0, 8, 0, 5};
	const uint8_t nd5[] = {0, 0, 8, 7, 0, 0, 0, 1};
	const uint8_t short_dims[] = {0, 0, 8, 2, 0, 0, 0, 1};
	const uint8_t short_magic[] = {0, 0, 8};
	const uint8_t zero[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 0};
	const uint8_t huge[] = {0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
	const uint8_t over[] = {0, 0, 0x0e, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0};
	const uint8_t cap[] = {0, 0, 8, 2, 0, 0, 0x40, 0, 0, 0, 0x40, 1};  /* 16384 x 16385 */
	char missing[128];

	expect_fail(put("magic", magic, sizeof magic, 0), AC_EFORMAT, "bad magic 0x01020801");
	expect_fail(put("magic.gz", magic, sizeof magic, 1), AC_EFORMAT, "bad magic 0x01020801");
	expect_fail(put("type", type, sizeof type, 0), AC_EFORMAT, "unknown element type 0x07");
	expect_fail(put("nd0", nd0, sizeof nd0, 0), AC_EFORMAT, "0 dimensions, want 1..6");
	expect_fail(put("nd5", nd5, sizeof nd5, 1), AC_EFORMAT, "7 dimensions, want 1..6");
	expect_fail(put("shortdims", short_dims, sizeof short_dims, 0), AC_EFORMAT,
	            "truncated header: 8 of 12 bytes");
	expect_fail(put("shortmagic", short_magic, sizeof short_magic, 1), AC_EFORMAT,
	            "truncated header: 3 of 4 bytes");
	expect_fail(put("empty", "", 0, 0), AC_EFORMAT, "truncated header: 0 of 4 bytes");
	expect_fail(put("empty.gz", "", 0, 1), AC_EFORMAT, "truncated header: 0 of 4 bytes");
	expect_fail(put("zero", zero, sizeof zero, 0), AC_EFORMAT, "dimension 1 is 0");
	expect_fail(put("huge", huge, sizeof huge, 0), AC_EFORMAT,
	            "shape [4294967295,4294967295] exceeds 268435456 elements");
	expect_fail(put("over", over, sizeof over, 1), AC_EFORMAT,
	            "shape [65536,65536,65536,65536] exceeds 268435456 elements");
	expect_fail(put("cap", cap, sizeof cap, 0), AC_EFORMAT,
	            "shape [16384,16385] exceeds 268435456 elements");
	snprintf(missing, sizeof missing, "%s/missing.idx", dir);
	expect_fail(missing, AC_EIO, "No such file or directory");
}

static void
test_bad_data(void **state)
{
	const uint8_t short_data[] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4};
	const uint8_t long_data[] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3};
	const uint8_t short_f32[] = {0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xbe};

	expect_fail(put("short", short_data, sizeof short_data, 0), AC_EFORMAT,
	            "truncated data: got 4 of 6 bytes");
	expect_fail(put("short.gz", short_data, sizeof short_data, 1), AC_EFORMAT,
	            "truncated data: got 4 of 6 bytes");
	expect_fail(put("shortf", short_f32, sizeof short_f32, 0), AC_EFORMAT,
	            "truncated data: got 5 of 8 bytes");
	expect_fail(put("long", long_data, sizeof long_data, 0), AC_EFORMAT,
	            "size mismatch: data continues past 2 bytes");
	expect_fail(put("long.gz", long_data, sizeof long_data, 1), AC_EFORMAT,
	            "size mismatch: data continues past 2 bytes");
}

/* A gzip stream cut short, and one with a corrupt body. */
static void
test_bad_gzip(void **state)
{
	enum { N = 20000 };
	uint8_t *raw = malloc(8 + N), *gzbuf = NULL;
	char want[160];
	const char *path;
	size_t len;
	MlTensor *t = NULL;
	AcErr err;
	MlRng r;

	assert_non_null(raw);
	memcpy(raw, (const uint8_t[]){0, 0, 8, 1, 0, 0, 0x4e, 0x20}, 8);  /* [20000] u8 */
	ml_rng_seed(&r, 1);
	for (int i = 0; i < N; i++)
		raw[8 + i] = (uint8_t)ml_rng_below(&r, 256);  /* incompressible */
	path = put("whole.gz", raw, 8 + N, 1);
	assert_int_equal(ml_idx_load(path, &t, &err), AC_OK);
	assert_int_equal(ml_tensor_numel(t), N);
	ml_tensor_unref(t);
	assert_int_equal(ac_file_read(path, &gzbuf, &len, &err), AC_OK);
	assert_true(len > N);

	path = put("cut.gz", gzbuf, len / 2, 0);
	assert_int_equal(ml_idx_load(path, &t, &err), AC_EFORMAT);
	snprintf(want, sizeof want, "%s: truncated data: got ", path);
	assert_true(strncmp(err.msg, want, strlen(want)) == 0);
	assert_null(t);

	/* Flip bits in the middle of the deflate body: a deflate error or a
	 * CRC mismatch ("gzip: incorrect data check"), a format error. */
	for (size_t i = len / 3; i < len / 3 + 64; i++)
		gzbuf[i] ^= 0x5a;
	path = put("corrupt.gz", gzbuf, len, 0);
	assert_int_equal(ml_idx_load(path, &t, &err), AC_EFORMAT);
	snprintf(want, sizeof want, "%s: gzip: ", path);
	assert_true(strncmp(err.msg, want, strlen(want)) == 0);
	assert_null(strstr(err.msg + strlen(want), path));  /* the path once */
	assert_null(strchr(err.msg, '\n'));
	assert_null(t);
	free(raw);
	free(gzbuf);
}

/* Random bytes, some behind a valid-looking header: never a crash, and
 * every failure is one line naming the file. */
static void
test_garbage(void **state)
{
	uint8_t buf[64];
	MlRng r;

	ml_rng_seed(&r, 2024);
	for (int i = 0; i < 300; i++) {
		size_t len = (size_t)ml_rng_below(&r, sizeof buf + 1);
		MlTensor *t = NULL;
		AcErr err;
		const char *path;
		int rc;

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)ml_rng_next(&r);
		if (i % 2 && len >= 4) {
			/* A plausible magic so the dimension and data checks run. */
			buf[0] = buf[1] = 0;
			buf[2] = (uint8_t[]){8, 9, 0x0b, 0x0c, 0x0d, 0x0e}[ml_rng_below(&r, 6)];
			buf[3] = (uint8_t)(1 + ml_rng_below(&r, 4));
			if (len >= 8 && i % 4 == 1) {
				buf[4] = buf[5] = buf[6] = 0;
				buf[7] = (uint8_t)ml_rng_below(&r, 16);
			}
		}
		if (i % 10 == 4 && len >= 3) {
			/* gzip's magic and deflate method before random bytes. */
			buf[0] = 0x1f;
			buf[1] = 0x8b;
			buf[2] = 8;
		}
		path = put(i % 3 ? "garbage" : "garbage.gz", buf, len, i % 3 == 0);
		rc = ml_idx_load(path, &t, &err);
		if (rc == AC_OK) {
			assert_non_null(t);
			ml_tensor_unref(t);
		} else {
			assert_null(t);
			assert_true(strncmp(err.msg, path, strlen(path)) == 0);
			assert_null(strchr(err.msg, '\n'));
		}
	}
}

static void
test_fashion_mnist(void **state)
{
	MlTensor *img = NULL, *lab = NULL;
	AcErr err;
	int hist[10] = {0};

	if (access(FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) {
		print_message("# no " FASHION_DIR "; checked nothing\n");
		return;
	}
	assert_int_equal(ml_idx_load(FASHION_DIR "/train-images-idx3-ubyte.gz", &img, &err), AC_OK);
	assert_int_equal(img->ndim, 3);
	assert_int_equal(img->ne[0], 60000);
	assert_int_equal(img->ne[1], 28);
	assert_int_equal(img->ne[2], 28);
	assert_int_equal(ml_tensor_cols(img), 784);
	for (int64_t i = 0; i < ml_tensor_numel(img); i += 997)
		assert_true(ML_F32(img)[i] >= 0 && ML_F32(img)[i] <= 255);
	assert_int_equal(ml_idx_load(FASHION_DIR "/train-labels-idx1-ubyte.gz", &lab, &err), AC_OK);
	assert_int_equal(lab->ndim, 1);
	assert_int_equal(lab->ne[0], 60000);
	for (int i = 0; i < 60000; i++) {
		float y = ML_F32(lab)[i];

		assert_true(y >= 0 && y <= 9 && y == floorf(y));
		hist[(int)y]++;
	}
	for (int c = 0; c < 10; c++)  /* Fashion-MNIST is balanced: 6000 per class */
		assert_int_equal(hist[c], 6000);
	ml_tensor_unref(img);
	ml_tensor_unref(lab);
	assert_int_equal(ml_idx_load(FASHION_DIR "/t10k-labels-idx1-ubyte.gz", &lab, &err), AC_OK);
	assert_int_equal(lab->ne[0], 10000);
	ml_tensor_unref(lab);
}

/* A caller's element cap (the VM's heap quota) refuses a header whose
 * shape is larger before allocating: a tiny gzip file cannot unpack past
 * it. At the cap it loads. */
static void
test_load_max(void **state)
{
	const uint8_t img[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2,
	                       1, 2, 3, 4, 5, 6, 7, 8};
	MlTensor *t = NULL;
	AcErr err;
	const char *path = put("max.gz", img, sizeof img, 1);

	(void)state;
	assert_int_equal(ml_idx_load_max(path, 7, &t, &err), AC_ENOMEM);
	assert_null(t);
	assert_non_null(strstr(err.msg, ": shape [2,2,2] exceeds the limit of 7 elements"));
	assert_int_equal(ml_idx_load_max(path, 8, &t, &err), AC_OK);
	assert_int_equal(ml_tensor_numel(t), 8);
	ml_tensor_unref(t);
}

TEST_MAIN("ml/idx",
          cmocka_unit_test_setup_teardown(test_load_max, setup, teardown),
          cmocka_unit_test_setup_teardown(test_u8_plain_and_gz, setup, teardown),
          cmocka_unit_test_setup_teardown(test_labels_and_3d, setup, teardown),
          cmocka_unit_test_setup_teardown(test_other_types, setup, teardown),
          cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
          cmocka_unit_test_setup_teardown(test_bad_data, setup, teardown),
          cmocka_unit_test_setup_teardown(test_bad_gzip, setup, teardown),
          cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
          cmocka_unit_test(test_fashion_mnist))
