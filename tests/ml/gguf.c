/* ml_gguf_*: files written by MlGgufWriter read back (every metadata type,
 * every tensor dtype with a ggml type, strided sources, scalars, empty
 * tensors), tensors outliving the file object, bad files with their exact
 * messages, and ggml's own gguf code (libggml-base.so, dlopened) reading
 * our files and writing files we read. */
#include "tests/ml/mltest.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#define GGML_DEFAULT_LIB "build/npm/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so"

static char dir[64];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/mlggufXXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
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

/* A writer with one pair of every type, and tensors a (f32 [2,3] from a
 * transposed view), q (q8_0 [2,64]), s (i32 scalar), e (f16 [0,4]). */
static void
write_sample(const char *path)
{
	MlGgufWriter *w = ml_gguf_writer_new(NULL);
	uint8_t u8 = 200;
	int8_t i8 = -100;
	uint16_t u16 = 60000;
	int16_t i16 = -30000;
	uint32_t u32 = 4000000000u;
	int32_t i32 = -2000000000;
	float f32 = 0.5f;
	bool b = true;
	uint64_t u64 = UINT64_MAX;
	int64_t i64 = INT64_MIN;
	double f64 = 1e300;
	const int32_t arr[3] = {1, -2, 3};
	const char *strs[3] = {"alpha", "", "gamma"};
	int64_t ne32[2] = {3, 2}, neq[2] = {2, 64}, ne0[2] = {0, 4};
	MlTensor *a0 = ml_tensor_zeros(ML_F32, 2, ne32, NULL), *a = ml_view_transpose(a0, 0, 1, NULL);
	MlTensor *q = ml_tensor_zeros(ML_Q8_0, 2, neq, NULL), *s = ml_tensor_zeros(ML_I32, 0, NULL, NULL);
	MlTensor *e = ml_tensor_zeros(ML_F16, 2, ne0, NULL), *qf = ml_tensor_zeros(ML_F32, 2, neq, NULL);

	assert_non_null(w);
	for (int i = 0; i < 6; i++)
		ML_F32(a0)[i] = (float)i;  /* a = [[0,2,4],[1,3,5]] */
	for (int i = 0; i < 128; i++)
		ML_F32(qf)[i] = (float)(i % 7) - 3;
	assert_int_equal(ml_copy(q, qf, NULL), AC_OK);
	ml_set_i64(s, NULL, 77, NULL);
	assert_int_equal(ml_gguf_writer_set(w, "general.name", ML_GGUF_STR, "sample", NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.u8", ML_GGUF_U8, &u8, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.i8", ML_GGUF_I8, &i8, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.u16", ML_GGUF_U16, &u16, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.i16", ML_GGUF_I16, &i16, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.u32", ML_GGUF_U32, &u32, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.i32", ML_GGUF_I32, &i32, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.f32", ML_GGUF_F32, &f32, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.bool", ML_GGUF_BOOL, &b, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.u64", ML_GGUF_U64, &u64, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.i64", ML_GGUF_I64, &i64, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "t.f64", ML_GGUF_F64, &f64, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set_arr(w, "t.arr", ML_GGUF_I32, arr, 3, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_set_arr(w, "t.strs", ML_GGUF_STR, strs, 3, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_add_tensor(w, "a", a, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_add_tensor(w, "q", q, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_add_tensor(w, "s", s, NULL), AC_OK);
	assert_int_equal(ml_gguf_writer_add_tensor(w, "e", e, NULL), AC_OK);
	ml_tensor_unref(a0);
	ml_tensor_unref(a);
	ml_tensor_unref(q);
	ml_tensor_unref(s);
	ml_tensor_unref(e);
	ml_tensor_unref(qf);
	assert_int_equal(ml_gguf_writer_write(w, path, NULL), AC_OK);
	ml_gguf_writer_free(w);
}

static void
test_round_trip(void **state)
{
	const char *path = path_of("s.gguf");
	MlGguf *g;
	AcErr err;
	uint8_t u8;
	int8_t i8;
	uint16_t u16;
	int16_t i16;
	uint32_t u32;
	int32_t i32, x;
	float f32;
	bool b;
	uint64_t u64, n;
	int64_t i64, idx[2] = {1, 2};
	double f64, v;
	const char *str;
	const void *data;
	MlGgufType et;
	MlTensor *a, *q, *s, *e;
	MlGgufTensorInfo info;

	write_sample(path);
	g = ml_gguf_open(path, &err);
	assert_non_null(g);
	assert_int_equal(ml_gguf_version(g), 3);
	assert_int_equal(ml_gguf_alignment(g), 32);
	assert_int_equal(ml_gguf_kv_count(g), 14);
	assert_string_equal(ml_gguf_key(g, 0), "general.name");
	assert_int_equal(ml_gguf_kv_type(g, 13), ML_GGUF_ARR);
	assert_int_equal(ml_gguf_find(g, "t.f64"), 11);
	assert_int_equal(ml_gguf_get_str(g, "general.name", &str, &n, &err), AC_OK);
	assert_string_equal(str, "sample");
	assert_int_equal(ml_gguf_get_u8(g, "t.u8", &u8, &err), AC_OK);
	assert_int_equal(u8, 200);
	assert_int_equal(ml_gguf_get_i8(g, "t.i8", &i8, &err), AC_OK);
	assert_int_equal(i8, -100);
	assert_int_equal(ml_gguf_get_u16(g, "t.u16", &u16, &err), AC_OK);
	assert_int_equal(u16, 60000);
	assert_int_equal(ml_gguf_get_i16(g, "t.i16", &i16, &err), AC_OK);
	assert_int_equal(i16, -30000);
	assert_int_equal(ml_gguf_get_u32(g, "t.u32", &u32, &err), AC_OK);
	assert_int_equal(u32, 4000000000u);
	assert_int_equal(ml_gguf_get_i32(g, "t.i32", &i32, &err), AC_OK);
	assert_int_equal(i32, -2000000000);
	assert_int_equal(ml_gguf_get_f32(g, "t.f32", &f32, &err), AC_OK);
	assert_close(f32, 0.5, 0, 0);
	assert_int_equal(ml_gguf_get_bool(g, "t.bool", &b, &err), AC_OK);
	assert_true(b);
	assert_int_equal(ml_gguf_get_u64(g, "t.u64", &u64, &err), AC_OK);
	assert_true(u64 == UINT64_MAX);
	assert_int_equal(ml_gguf_get_i64(g, "t.i64", &i64, &err), AC_OK);
	assert_true(i64 == INT64_MIN);
	assert_int_equal(ml_gguf_get_f64(g, "t.f64", &f64, &err), AC_OK);
	assert_close(f64, 1e300, 0, 0);
	assert_int_equal(ml_gguf_get_arr(g, "t.arr", &et, &n, &data, &err), AC_OK);
	assert_int_equal(et, ML_GGUF_I32);
	assert_int_equal(n, 3);
	memcpy(&x, (const uint8_t *)data + 4, 4);
	assert_int_equal(x, -2);
	assert_int_equal(ml_gguf_get_arr(g, "t.strs", &et, &n, &data, &err), AC_OK);
	assert_int_equal(et, ML_GGUF_STR);
	assert_string_equal(((const char *const *)data)[2], "gamma");
	assert_string_equal(((const char *const *)data)[1], "");
	/* typed getters refuse another type, and missing keys */
	assert_int_equal(ml_gguf_get_i64(g, "t.u32", &i64, &err), AC_EDTYPE);
	assert_non_null(strstr(err.msg, ": key 't.u32' is u32, not i64"));
	assert_int_equal(ml_gguf_get_u32(g, "nope", &u32, &err), AC_EINVAL);
	assert_non_null(strstr(err.msg, ": no key 'nope'"));

	assert_int_equal(ml_gguf_tensor_count(g), 4);
	assert_int_equal(ml_gguf_tensor_info(g, 1, &info, &err), AC_OK);
	assert_string_equal(info.name, "q");
	assert_int_equal(info.ggml_type, ML_GGML_Q8_0);
	assert_int_equal(info.ne[0], 2);
	assert_int_equal(info.ne[1], 64);
	assert_int_equal(info.bytes, 4 * 34);
	assert_int_equal(info.offset % 32, 0);
	a = ml_gguf_tensor(g, "a", &err);
	q = ml_gguf_tensor(g, "q", &err);
	s = ml_gguf_tensor(g, "s", &err);
	e = ml_gguf_tensor(g, "e", &err);
	assert_non_null(a);
	assert_non_null(q);
	assert_non_null(s);
	assert_non_null(e);
	assert_null(ml_gguf_tensor(g, "zz", &err));
	assert_non_null(strstr(err.msg, ": no tensor 'zz'"));
	ml_gguf_close(g);  /* the tensors keep the mapping */
	assert_int_equal(a->ndim, 2);
	assert_int_equal(a->ne[0], 2);
	assert_int_equal(a->ne[1], 3);
	ml_get(a, idx, &v, NULL);
	assert_close(v, 5, 0, 0);
	idx[0] = 1;
	idx[1] = 9;
	ml_get(q, idx, &v, NULL);
	assert_close(v, (73 % 7) - 3, 0.05, 0);
	assert_int_equal(s->ndim, 0);
	ml_get(s, NULL, &v, NULL);
	assert_close(v, 77, 0, 0);
	assert_int_equal(e->ne[0], 0);
	assert_int_equal(e->ne[1], 4);
	{
		bool mapped;
		ml_tensor_storage_bytes(a, &mapped);
		assert_true(mapped);
	}
	ml_tensor_unref(a);
	ml_tensor_unref(q);
	ml_tensor_unref(s);
	ml_tensor_unref(e);
}

static void
test_writer_refuses(void **state)
{
	MlGgufWriter *w = ml_gguf_writer_new(NULL);
	int64_t ne[1] = {4};
	MlTensor *u = ml_tensor_zeros(ML_U8, 1, ne, NULL);
	uint32_t three = 3;
	AcErr err;

	assert_int_equal(ml_gguf_writer_add_tensor(w, "u", u, &err), AC_EDTYPE);
	assert_string_equal(err.msg, "gguf: tensor 'u': u8 has no ggml type");
	assert_int_equal(ml_gguf_writer_set(w, "general.alignment", ML_GGUF_U32, &three, &err),
	                 AC_EINVAL);
	assert_int_equal(ml_gguf_writer_set(w, "k", ML_GGUF_STR, "x", &err), AC_OK);
	assert_int_equal(ml_gguf_writer_set(w, "k", ML_GGUF_STR, "y", &err), AC_EINVAL);
	assert_string_equal(err.msg, "gguf: key 'k' is already set");
	assert_int_equal(ml_gguf_writer_write(w, "/nonexistent-dir/x.gguf", &err), AC_EIO);
	ml_tensor_unref(u);
	ml_gguf_writer_free(w);
}

/* Bytes of a small file for the bad-file cases. */
typedef struct Buf {
	uint8_t b[512];
	size_t n;
} Buf;

static void
b_put(Buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
b_u32(Buf *b, uint32_t v)
{
	b_put(b, &v, 4);
}

static void
b_u64(Buf *b, uint64_t v)
{
	b_put(b, &v, 8);
}

static void
b_str(Buf *b, const char *s)
{
	b_u64(b, strlen(s));
	b_put(b, s, strlen(s));
}

static void
b_head(Buf *b, uint64_t nt, uint64_t nkv)
{
	b->n = 0;
	b_put(b, "GGUF", 4);
	b_u32(b, 3);
	b_u64(b, nt);
	b_u64(b, nkv);
}

/* A tensor entry: name, one dimension n of type, at rel. */
static void
b_tensor(Buf *b, const char *name, uint64_t n, uint32_t type, uint64_t rel)
{
	b_str(b, name);
	b_u32(b, 1);
	b_u64(b, n);
	b_u32(b, type);
	b_u64(b, rel);
}

static void
expect_bad(Buf *b, int code, const char *want)
{
	AcErr err;
	MlGguf *g = ml_gguf_open_mem(b->b, b->n, "bad.gguf", &err);

	assert_null(g);
	assert_int_equal(err.code, code);
	assert_string_equal(err.msg, want);
}

static void
test_bad_files(void **state)
{
	Buf b;
	uint8_t data[256] = {0};
	MlGguf *g;
	AcErr err;

	b.n = 0;
	b_put(&b, "GGU", 3);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 0: magic: truncated: 3 of 4 bytes");
	b_head(&b, 0, 0);
	memcpy(b.b, "GGML", 4);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 0: magic: bad magic 0x4c4d4747 (not a GGUF file)");
	b_head(&b, 0, 0);
	b.b[4] = 4;
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 4: version 4, want 2 or 3");
	b_head(&b, (uint64_t)1 << 40, 0);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 8: tensor count 1099511627776 exceeds what 0 bytes can hold");
	b_head(&b, 0, 1000);
	b_put(&b, data, 100);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 16: metadata count 1000 exceeds what 100 bytes can hold");
	b_head(&b, 0, 1);
	b_u64(&b, 1000);
	b_put(&b, data, 20);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 24: key: string length 1000 exceeds the 20 bytes left");
	b_head(&b, 0, 1);
	b_str(&b, "k");
	b_u32(&b, 13);
	b_put(&b, data, 8);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 33: key 'k': unknown value type 13");
	b_head(&b, 0, 1);
	b_str(&b, "k");
	b_u32(&b, ML_GGUF_ARR);
	b_u32(&b, ML_GGUF_U64);
	b_u64(&b, 1000000);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 41: key 'k': array of 1000000 elements exceeds the 0 bytes left");
	b_head(&b, 0, 1);
	b_str(&b, "k");
	b_u32(&b, ML_GGUF_ARR);
	b_u32(&b, ML_GGUF_ARR);
	b_u64(&b, 0);
	b_put(&b, data, 8);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 37: key 'k': nested arrays are not supported: element type 9");
	b_head(&b, 0, 2);
	b_str(&b, "k");
	b_u32(&b, ML_GGUF_U8);
	b_put(&b, "\1", 1);
	b_str(&b, "k");
	b_u32(&b, ML_GGUF_U8);
	b_put(&b, "\1", 1);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 38: key 'k': duplicate");
	b_head(&b, 0, 1);
	b_str(&b, "general.alignment");
	b_u32(&b, ML_GGUF_U32);
	b_u32(&b, 24);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 24: general.alignment 24 is not a power of two");
	b_head(&b, 1, 0);
	b_tensor(&b, "w", 30, ML_GGML_Q8_0, 0);
	expect_bad(&b, AC_EFORMAT,
	           "bad.gguf: offset 45: tensor 'w': row of 30 elements is not whole blocks of 32");
	b_head(&b, 1, 0);
	b_tensor(&b, "w", 4, 77, 0);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 45: tensor 'w': unknown ggml type 77");
	b_head(&b, 1, 0);
	b_tensor(&b, "w", 64, ML_GGML_F32, 0);
	while (b.n % 32)
		b.b[b.n++] = 0;
	b_put(&b, data, 100);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 24: tensor 'w': data [0, +256) is outside "
	           "the file's 164 bytes");
	b_head(&b, 1, 0);
	b_tensor(&b, "w", 4, ML_GGML_F32, 8);
	b_put(&b, data, 64);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 24: tensor 'w': data offset 8 is not a multiple "
	           "of the alignment 32");
	b_head(&b, 2, 0);
	b_tensor(&b, "v", 16, ML_GGML_F32, 0);
	b_tensor(&b, "w", 4, ML_GGML_F32, 32);
	while (b.n % 32)
		b.b[b.n++] = 0;
	b_put(&b, data, 64);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 57: tensor 'w': data [128, 144) overlaps "
	           "tensor 'v'");
	b_head(&b, 2, 0);
	b_tensor(&b, "v", 4, ML_GGML_F32, 0);
	b_tensor(&b, "v", 4, ML_GGML_F32, 32);
	b_put(&b, data, 64);
	expect_bad(&b, AC_EFORMAT, "bad.gguf: offset 57: tensor 'v': duplicate name");

	/* A type ml/ has no dtype for opens; the tensor is refused by name. */
	b_head(&b, 1, 0);
	b_tensor(&b, "k4", 256, 12, 0);
	while (b.n % 32)
		b.b[b.n++] = 0;
	b_put(&b, data, 144);
	g = ml_gguf_open_mem(b.b, b.n, "bad.gguf", &err);
	assert_non_null(g);
	assert_null(ml_gguf_tensor(g, "k4", &err));
	assert_int_equal(err.code, AC_EDTYPE);
	assert_string_equal(err.msg, "bad.gguf: tensor 'k4' is q4_K (ggml type 12), which ml/ has no "
	                    "dtype for");
	ml_gguf_close(g);
}

/* Every truncation and random byte flips of a valid file never crash. */
static void
test_garbage(void **state)
{
	const char *path = path_of("g.gguf");
	uint8_t *buf, *m;
	size_t len;
	uint32_t x = 99;

	write_sample(path);
	assert_int_equal(ac_file_read(path, &buf, &len, NULL), AC_OK);
	m = malloc(len);
	for (size_t n = 0; n < len; n++)
		ml_gguf_close(ml_gguf_open_mem(buf, n, "t", NULL));
	for (int round = 0; round < 3000; round++) {
		memcpy(m, buf, len);
		for (int k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			m[(x >> 8) % len] = (uint8_t)(x >> 20);
		}
		MlGguf *g = ml_gguf_open_mem(m, len, "t", NULL);
		if (g != NULL) {
			for (int64_t i = 0; i < ml_gguf_tensor_count(g); i++) {
				MlGgufTensorInfo in;
				ml_gguf_tensor_info(g, i, &in, NULL);
				ml_tensor_unref(ml_gguf_tensor(g, in.name, NULL));
			}
			ml_gguf_close(g);
		}
	}
	free(m);
	free(buf);
}

/* ---- ggml's own gguf code ---- */

struct gguf_init_params {
	bool no_alloc;
	void **ctx;
};
struct ggml_init_params {
	size_t mem_size;
	void *mem_buffer;
	bool no_alloc;
};

static void *
ggml_lib(void)
{
	const char *p = getenv("ACHERON_GGML_LIB");
	void *h;

	if (p == NULL || *p == 0)
		p = GGML_DEFAULT_LIB;
	h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *req = getenv("ACHERON_REQUIRE_GGML");
		if (req != NULL && strcmp(req, "1") == 0)
			fail_msg("ACHERON_REQUIRE_GGML=1 but %s does not load: %s", p, dlerror());
		printf("# %s is not there (%s): skipping the ggml checks (ACHERON_GGML_LIB names "
		       "another)\n", p, dlerror());
	}
	return h;
}

#define SYM(h, name) (*(void **)&name = dlsym(h, #name), assert_non_null(name))

static void
test_ggml_reads_ours(void **state)
{
	void *h = ggml_lib();
	void *(*gguf_init_from_file)(const char *, struct gguf_init_params);
	int64_t (*gguf_get_n_kv)(const void *), (*gguf_find_key)(const void *, const char *);
	int64_t (*gguf_get_n_tensors)(const void *);
	const char *(*gguf_get_tensor_name)(const void *, int64_t);
	const char *(*gguf_get_val_str)(const void *, int64_t);
	uint32_t (*gguf_get_val_u32)(const void *, int64_t);
	size_t (*gguf_get_tensor_offset)(const void *, int64_t), (*gguf_get_data_offset)(const void *);
	int (*gguf_get_tensor_type)(const void *, int64_t);
	void (*gguf_free)(void *);
	const char *path = path_of("ours.gguf");
	MlGgufWriter *w;
	MlGguf *g;
	MlGgufTensorInfo in;
	void *ctx;
	int64_t ne[2] = {3, 32}, neq[2] = {2, 64};
	uint32_t v = 7;

	if (h == NULL)
		return;
	SYM(h, gguf_init_from_file);
	SYM(h, gguf_get_n_kv);
	SYM(h, gguf_find_key);
	SYM(h, gguf_get_n_tensors);
	SYM(h, gguf_get_tensor_name);
	SYM(h, gguf_get_val_str);
	SYM(h, gguf_get_val_u32);
	SYM(h, gguf_get_tensor_offset);
	SYM(h, gguf_get_data_offset);
	SYM(h, gguf_get_tensor_type);
	SYM(h, gguf_free);
	w = ml_gguf_writer_new(NULL);
	{
		MlTensor *a = ml_tensor_zeros(ML_F32, 2, ne, NULL), *q = ml_tensor_zeros(ML_Q4_0, 2, neq, NULL);
		MlTensor *b = ml_tensor_zeros(ML_BF16, 1, ne, NULL);
		assert_int_equal(ml_gguf_writer_set(w, "general.architecture", ML_GGUF_STR, "acheron", NULL), AC_OK);
		assert_int_equal(ml_gguf_writer_set(w, "acheron.n", ML_GGUF_U32, &v, NULL), AC_OK);
		assert_int_equal(ml_gguf_writer_add_tensor(w, "a", a, NULL), AC_OK);
		assert_int_equal(ml_gguf_writer_add_tensor(w, "q", q, NULL), AC_OK);
		assert_int_equal(ml_gguf_writer_add_tensor(w, "b", b, NULL), AC_OK);
		ml_tensor_unref(a);
		ml_tensor_unref(q);
		ml_tensor_unref(b);
	}
	assert_int_equal(ml_gguf_writer_write(w, path, NULL), AC_OK);
	ml_gguf_writer_free(w);
	ctx = gguf_init_from_file(path, (struct gguf_init_params){true, NULL});
	assert_non_null(ctx);
	g = ml_gguf_open(path, NULL);
	assert_non_null(g);
	assert_int_equal(gguf_get_n_kv(ctx), 2);
	assert_string_equal(gguf_get_val_str(ctx, gguf_find_key(ctx, "general.architecture")), "acheron");
	assert_int_equal(gguf_get_val_u32(ctx, gguf_find_key(ctx, "acheron.n")), 7);
	assert_int_equal(gguf_get_n_tensors(ctx), 3);
	for (int64_t i = 0; i < 3; i++) {
		assert_int_equal(ml_gguf_tensor_info(g, i, &in, NULL), AC_OK);
		assert_string_equal(gguf_get_tensor_name(ctx, i), in.name);
		assert_int_equal(gguf_get_tensor_type(ctx, i), (int)in.ggml_type);
		assert_int_equal(gguf_get_data_offset(ctx) + gguf_get_tensor_offset(ctx, i), in.offset);
	}
	gguf_free(ctx);
	ml_gguf_close(g);
	dlclose(h);
}

static void
test_we_read_ggml(void **state)
{
	void *h = ggml_lib();
	void *(*gguf_init_empty)(void);
	void (*gguf_set_val_u32)(void *, const char *, uint32_t);
	void (*gguf_set_val_str)(void *, const char *, const char *);
	void (*gguf_set_arr_data)(void *, const char *, int, const void *, size_t);
	void (*gguf_set_arr_str)(void *, const char *, const char **, size_t);
	void (*gguf_add_tensor)(void *, const void *);
	bool (*gguf_write_to_file)(const void *, const char *, bool);
	void (*gguf_free)(void *);
	void *(*ggml_init)(struct ggml_init_params);
	void *(*ggml_new_tensor_2d)(void *, int, int64_t, int64_t);
	void *(*ggml_set_name)(void *, const char *);
	void *(*ggml_get_data)(const void *);
	void (*ggml_free)(void *);
	const char *path = path_of("theirs.gguf"), *names[2] = {"x", "yz"}, *s;
	const int16_t arr[2] = {-5, 6};
	void *gctx, *mctx, *t1, *t2;
	MlGguf *g;
	MlTensor *t;
	MlGgufType et;
	uint64_t n;
	const void *data;
	uint32_t v;
	int64_t idx[2] = {2, 3};
	double d;
	AcErr err;

	if (h == NULL)
		return;
	SYM(h, gguf_init_empty);
	SYM(h, gguf_set_val_u32);
	SYM(h, gguf_set_val_str);
	SYM(h, gguf_set_arr_data);
	SYM(h, gguf_set_arr_str);
	SYM(h, gguf_add_tensor);
	SYM(h, gguf_write_to_file);
	SYM(h, gguf_free);
	SYM(h, ggml_init);
	SYM(h, ggml_new_tensor_2d);
	SYM(h, ggml_set_name);
	SYM(h, ggml_get_data);
	SYM(h, ggml_free);
	mctx = ggml_init((struct ggml_init_params){1 << 20, NULL, false});
	assert_non_null(mctx);
	t1 = ggml_new_tensor_2d(mctx, ML_GGML_F32, 5, 3);  /* ggml ne [5, 3]: ours [3, 5] */
	t2 = ggml_new_tensor_2d(mctx, ML_GGML_I32, 7, 2);
	ggml_set_name(t1, "w");
	ggml_set_name(t2, "ids");
	for (int i = 0; i < 15; i++)
		((float *)ggml_get_data(t1))[i] = (float)i / 4;
	for (int i = 0; i < 14; i++)
		((int32_t *)ggml_get_data(t2))[i] = -i;
	gctx = gguf_init_empty();
	gguf_set_val_str(gctx, "general.name", "ggml-made");
	gguf_set_val_u32(gctx, "n", 42);
	gguf_set_arr_data(gctx, "arr", ML_GGUF_I16, arr, 2);
	gguf_set_arr_str(gctx, "names", names, 2);
	gguf_add_tensor(gctx, t1);
	gguf_add_tensor(gctx, t2);
	assert_true(gguf_write_to_file(gctx, path, false));
	gguf_free(gctx);
	ggml_free(mctx);

	g = ml_gguf_open(path, &err);
	if (g == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(ml_gguf_get_str(g, "general.name", &s, NULL, &err), AC_OK);
	assert_string_equal(s, "ggml-made");
	assert_int_equal(ml_gguf_get_u32(g, "n", &v, &err), AC_OK);
	assert_int_equal(v, 42);
	assert_int_equal(ml_gguf_get_arr(g, "arr", &et, &n, &data, &err), AC_OK);
	assert_int_equal(et, ML_GGUF_I16);
	assert_int_equal(n, 2);
	assert_int_equal(ml_gguf_get_arr(g, "names", &et, &n, &data, &err), AC_OK);
	assert_string_equal(((const char *const *)data)[1], "yz");
	t = ml_gguf_tensor(g, "w", &err);
	assert_non_null(t);
	assert_int_equal(t->ne[0], 3);
	assert_int_equal(t->ne[1], 5);
	idx[0] = 2;
	idx[1] = 3;
	ml_get(t, idx, &d, NULL);
	assert_close(d, 13.0 / 4, 0, 0);
	ml_tensor_unref(t);
	t = ml_gguf_tensor(g, "ids", &err);
	assert_non_null(t);
	idx[0] = 1;
	idx[1] = 6;
	ml_get(t, idx, &d, NULL);
	assert_close(d, -13, 0, 0);
	ml_tensor_unref(t);
	ml_gguf_close(g);
	dlclose(h);
}

TEST_MAIN("ml/gguf",
          cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
          cmocka_unit_test(test_writer_refuses),
          cmocka_unit_test(test_bad_files),
          cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
          cmocka_unit_test_setup_teardown(test_ggml_reads_ours, setup, teardown),
          cmocka_unit_test_setup_teardown(test_we_read_ggml, setup, teardown))
