/*
 * Data loading (nn/data.c, nn/loader.c, nn/transform.c): data sets from
 * tensors, IDX, NPY and CSV files with their exact errors; the loader's
 * orders, batch counts and short batches, and prefetched batches equal to
 * those made without a thread; the transforms' values and draws.
 */
#include "tests/nn/nntest.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fresh temporary directory for one test; files go under it. */
static char dir[128];

static void
dir_make(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/nndataXXXXXX", tmp != NULL && strlen(tmp) < 80 ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void
dir_remove(void)
{
	char cmd[200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static const char *
path_of(const char *name)
{
	static char path[2][256];
	static int k;

	k ^= 1;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

#define I64(t) ((int64_t *)(void *)(t)->data)

/* Asserts a failed call's status and its exact one-line message. */
#define assert_fails(call, e, want_code, want_msg)           \
	do {                                                 \
		ac_err_clear(&(e));                          \
		assert_null(call);                           \
		assert_int_equal((e).code, (want_code));     \
		assert_string_equal((e).msg, (want_msg));    \
	} while (0)

/* ---- Data sets ---- */

static void
test_tensors(void **state)
{
	AcErr err = {0};
	MlTensor *x = ml_tensor_zeros(ML_F32, 2, (int64_t[]){3, 5}, NULL);
	MlTensor *y = ml_tensor_zeros(ML_I64, 1, (int64_t[]){5}, NULL);
	MlTensor *xt = ml_view_transpose(x, 0, 1, NULL), *bad = ml_tensor_zeros(ML_I64, 1, (int64_t[]){4}, NULL);
	MlTensor *sx, *sy;
	NnDataset *d;

	for (int i = 0; i < 15; i++)
		ML_F32(x)[i] = (float)i;
	for (int i = 0; i < 5; i++)
		I64(y)[i] = 10 + i;
	/* xt is [5,3], strided: the data set copies it */
	d = nn_dataset_tensors(xt, y, &err);
	assert_non_null(d);
	assert_int_equal(d->n, 5);
	assert_true(ml_tensor_is_contiguous(d->x));
	assert_false(ml_tensor_same_storage(d->x, x));
	assert_true(ml_tensor_same_storage(d->y, y));
	assert_int_equal(nn_dataset_get(d, 2, &sx, &sy, &err), AC_OK);
	assert_int_equal(sx->ndim, 1);
	assert_int_equal(sx->ne[0], 3);
	assert_int_equal(sy->ndim, 0);
	/* xt[2] = x[:, 2] = 2, 7, 12 */
	for (int k = 0; k < 3; k++) {
		double v;
		assert_int_equal(ml_get(sx, (int64_t[]){k}, &v, NULL), AC_OK);
		assert_true(v == 2 + 5 * k);
	}
	assert_int_equal(I64(sy)[0], 12);
	ml_tensor_unref(sx);
	ml_tensor_unref(sy);
	assert_int_equal(nn_dataset_get(d, 5, &sx, &sy, &err), AC_ERANGE);
	assert_string_equal(err.msg, "dataset: sample 5 of 5");
	assert_null(sx);
	nn_dataset_free(d);

	assert_fails(nn_dataset_tensors(xt, bad, &err), err, AC_ESHAPE,
	             "dataset: x [5,3] and y [4] differ in dimension 0");
	assert_fails(nn_dataset_tensors(xt, NULL, &err), err, AC_EINVAL,
	             "dataset: x and y must be tensors of at least 1 dimension");
	nn_dataset_free(NULL);
	ml_tensor_unref(x);
	ml_tensor_unref(xt);
	ml_tensor_unref(y);
	ml_tensor_unref(bad);
}

/* An IDX file of u8: magic 0x0000 08 nd, big-endian dimensions, data. */
static void
write_idx(const char *path, int nd, const uint32_t *dims, const uint8_t *data)
{
	uint8_t buf[256];
	size_t len = 4, n = 1;

	buf[0] = buf[1] = 0;
	buf[2] = 0x08;
	buf[3] = (uint8_t)nd;
	for (int i = 0; i < nd; i++) {
		buf[len++] = (uint8_t)(dims[i] >> 24);
		buf[len++] = (uint8_t)(dims[i] >> 16);
		buf[len++] = (uint8_t)(dims[i] >> 8);
		buf[len++] = (uint8_t)dims[i];
		n *= dims[i];
	}
	assert_true(len + n <= sizeof buf);
	memcpy(buf + len, data, n);
	write_file(path, buf, len + n);
}

static void
test_idx_tiny(void **state)
{
	uint8_t pix[12] = {0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8}, lab[3] = {7, 0, 9};
	AcErr err = {0};
	NnDataset *d;
	char want[512];

	dir_make();
	write_idx(path_of("img"), 3, (uint32_t[]){3, 2, 2}, pix);
	write_idx(path_of("lab"), 1, (uint32_t[]){3}, lab);
	write_idx(path_of("lab2"), 1, (uint32_t[]){2}, lab);
	d = nn_dataset_idx(path_of("img"), path_of("lab"), true, &err);
	assert_non_null(d);
	assert_int_equal(d->x->dtype, ML_F32);
	assert_int_equal(d->x->ndim, 3);
	assert_int_equal(d->x->ne[2], 2);
	assert_int_equal(d->y->dtype, ML_I64);
	assert_close(ML_F32(d->x)[1], 0.2, 1e-7, 0);
	assert_true(ML_F32(d->x)[3] == 1.0f);
	assert_int_equal(I64(d->y)[0], 7);
	assert_int_equal(I64(d->y)[2], 9);
	nn_dataset_free(d);
	/* unscaled: the bytes' values */
	d = nn_dataset_idx(path_of("img"), path_of("lab"), false, &err);
	assert_non_null(d);
	assert_true(ML_F32(d->x)[3] == 255.0f);
	nn_dataset_free(d);

	snprintf(want, sizeof want, "%s: 2 labels for 3 images", path_of("lab2"));
	assert_fails(nn_dataset_idx(path_of("img"), path_of("lab2"), true, &err), err, AC_ESHAPE, want);
	snprintf(want, sizeof want, "%s: labels [3,2,2], want 1 dimension", path_of("img"));
	assert_fails(nn_dataset_idx(path_of("img"), path_of("img"), true, &err), err, AC_ESHAPE, want);
	snprintf(want, sizeof want, "%s: No such file or directory", path_of("none"));
	assert_fails(nn_dataset_idx(path_of("none"), path_of("lab"), true, &err), err, AC_EIO, want);
	dir_remove();
}

/* Fashion-MNIST's test set when the package dataset-fashion-mnist is
 * installed; nothing to check otherwise. */
static void
test_idx_fashion_mnist(void **state)
{
	const char *img = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
	const char *lab = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
	int64_t count[10] = {0};
	float lo = 1, hi = 0;
	AcErr err = {0};
	NnDataset *d;

	if (access(img, R_OK) != 0 || access(lab, R_OK) != 0) {
		print_message("# no %s: Fashion-MNIST case not run\n", img);
		return;
	}
	d = nn_dataset_idx(img, lab, true, &err);
	if (d == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(d);
	assert_int_equal(d->n, 10000);
	assert_int_equal(d->x->ne[1], 28);
	assert_int_equal(d->x->ne[2], 28);
	for (int64_t i = 0; i < d->n; i++) {
		assert_in_range(I64(d->y)[i], 0, 9);
		count[I64(d->y)[i]]++;
	}
	/* the test set is balanced: 1000 of each class */
	for (int c = 0; c < 10; c++)
		assert_int_equal(count[c], 1000);
	for (int64_t i = 0; i < ml_tensor_numel(d->x); i++) {
		float v = ML_F32(d->x)[i];
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(lo == 0.0f && hi == 1.0f);
	nn_dataset_free(d);
}

static void
test_npy(void **state)
{
	MlTensor *x = t64(2, (int64_t[]){4, 2}, (double[]){1, 2, 3, 4, 5, 6, 7, 8});
	MlTensor *y = ml_tensor_zeros(ML_I64, 1, (int64_t[]){4}, NULL);
	MlTensor *y3 = ml_tensor_zeros(ML_I64, 1, (int64_t[]){3}, NULL);
	AcErr err = {0};
	NnDataset *d;
	char want[512];

	dir_make();
	for (int i = 0; i < 4; i++)
		I64(y)[i] = 3 - i;
	assert_int_equal(ml_npy_save(path_of("x.npy"), x, &err), AC_OK);
	assert_int_equal(ml_npy_save(path_of("y.npy"), y, &err), AC_OK);
	assert_int_equal(ml_npy_save(path_of("y3.npy"), y3, &err), AC_OK);
	d = nn_dataset_npy(path_of("x.npy"), path_of("y.npy"), &err);
	assert_non_null(d);
	assert_int_equal(d->x->dtype, ML_F64);
	assert_int_equal(d->y->dtype, ML_I64);
	assert_int_equal(d->n, 4);
	assert_true(D64(d->x)[5] == 6);
	assert_int_equal(I64(d->y)[1], 2);
	nn_dataset_free(d);
	assert_fails(nn_dataset_npy(path_of("x.npy"), path_of("y3.npy"), &err), err, AC_ESHAPE,
	             "dataset: x [4,2] and y [3] differ in dimension 0");
	write_file(path_of("bad.npy"), "NOTNUMPY..", 10);
	snprintf(want, sizeof want, "%s: offset 0: bad magic (not an NPY file)", path_of("bad.npy"));
	ac_err_clear(&err);
	assert_null(nn_dataset_npy(path_of("bad.npy"), path_of("y.npy"), &err));
	assert_int_equal(err.code, AC_EFORMAT);
	assert_string_equal(err.msg, want);
	dir_remove();
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	ml_tensor_unref(y3);
}

/* ---- CSV ---- */

static NnDataset *
csv_of(const char *text, bool header, int target, AcErr *err)
{
	write_file(path_of("data.csv"), text, strlen(text));
	return nn_dataset_csv(path_of("data.csv"), header, target, err);
}

static void
test_csv(void **state)
{
	AcErr err = {0};
	NnDataset *d;

	dir_make();
	/* header, quoted fields, spaces, CRLF, a blank line, no final newline */
	d = csv_of("a,b,label\r\n1.5, -2,3\r\n\r\n\"4\",5e1,0\r\n7,8,\"1\"", true, -1, &err);
	if (d == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(d);
	assert_int_equal(d->n, 3);
	assert_int_equal(d->x->ndim, 2);
	assert_int_equal(d->x->ne[1], 2);
	assert_int_equal(d->x->dtype, ML_F32);
	assert_int_equal(d->y->dtype, ML_I64);
	assert_true(ML_F32(d->x)[0] == 1.5f && ML_F32(d->x)[1] == -2.0f);
	assert_true(ML_F32(d->x)[2] == 4.0f && ML_F32(d->x)[3] == 50.0f);
	assert_true(ML_F32(d->x)[4] == 7.0f && ML_F32(d->x)[5] == 8.0f);
	assert_int_equal(I64(d->y)[0], 3);
	assert_int_equal(I64(d->y)[1], 0);
	assert_int_equal(I64(d->y)[2], 1);
	nn_dataset_free(d);
	/* the target first, no header */
	d = csv_of("2,0.25,0.5\n0,1,2\n", false, 0, &err);
	assert_non_null(d);
	assert_int_equal(d->n, 2);
	assert_int_equal(I64(d->y)[0], 2);
	assert_true(ML_F32(d->x)[0] == 0.25f && ML_F32(d->x)[1] == 0.5f);
	assert_true(ML_F32(d->x)[2] == 1.0f && ML_F32(d->x)[3] == 2.0f);
	nn_dataset_free(d);
	dir_remove();
}

/* Each bad file fails with one exact line naming the file, line and column. */
static void
test_csv_errors(void **state)
{
	static const struct {
		const char *text;
		bool header;
		int target;
		int code;
		const char *msg;  /* after "PATH: " */
	} cases[] = {
		{"1,2,3\n4,5,6\n7,abc,1\n", false, -1, AC_EFORMAT, "line 3, column 2: 'abc' is not a number"},
		{"x,y\n1,2\n\n3,\n", true, -1, AC_EFORMAT, "line 4, column 2: '' is not a number"},
		{"1,2,3\r\n4,5,6\r\n7,8\r\n", false, -1, AC_EFORMAT, "line 3: 2 columns, want 3"},
		{"1,2,3\n4,5,6,7\n", false, -1, AC_EFORMAT, "line 2: 4 columns, want 3"},
		{"1,2,3\n4,5,2.5\n", false, -1, AC_EFORMAT, "line 2, column 3: '2.5' is not a class index"},
		{"-1,2,3\n", false, 0, AC_EFORMAT, "line 1, column 1: '-1' is not a class index"},
		{"1,2,3\n", false, 3, AC_EFORMAT, "target column 3 of 3 columns"},
		{"1\n2\n", false, -1, AC_EFORMAT, "1 column, want a target and at least one feature"},
		{"a,b\n", true, -1, AC_EFORMAT, "no rows"},
		{"", false, -1, AC_EFORMAT, "no rows"},
		{"1,2\n3,\"4\"5\n", false, -1, AC_EFORMAT,
		 "line 2: csv: error parsing data while strict checking enabled"},
	};
	char want[512];
	AcErr err = {0};

	dir_make();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(want, sizeof want, "%s: %s", path_of("data.csv"), cases[i].msg);
		ac_err_clear(&err);
		assert_null(csv_of(cases[i].text, cases[i].header, cases[i].target, &err));
		if (strcmp(err.msg, want) != 0)
			print_error("case %zu: got \"%s\"\n", i, err.msg);
		assert_int_equal(err.code, cases[i].code);
		assert_string_equal(err.msg, want);
	}
	snprintf(want, sizeof want, "%s: No such file or directory", path_of("none.csv"));
	assert_fails(nn_dataset_csv(path_of("none.csv"), false, -1, &err), err, AC_EIO, want);
	dir_remove();
}

/* ---- The loader ---- */

/* x[i] = (i, -i) f32, y[i] = i i64: a row says which sample it is. */
static NnDataset *
counting(int64_t n)
{
	MlTensor *x = ml_tensor_zeros(ML_F32, 2, (int64_t[]){n, 2}, NULL);
	MlTensor *y = ml_tensor_zeros(ML_I64, 1, &n, NULL);
	NnDataset *d;

	for (int64_t i = 0; i < n; i++) {
		ML_F32(x)[2 * i] = (float)i;
		ML_F32(x)[2 * i + 1] = (float)-i;
		I64(y)[i] = i;
	}
	d = nn_dataset_tensors(x, y, NULL);
	assert_non_null(d);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
	return d;
}

/* Runs one epoch: the samples in order into ids (at most 64), each batch's
 * size into sizes; returns the batch count. */
static int
epoch_ids(NnLoader *l, int64_t *ids, int64_t *sizes)
{
	AcErr err = {0};
	MlTensor *x, *y;
	int nb = 0, k = 0, rc;

	while (nb < 64 && (rc = nn_loader_next(l, &x, &y, &err)) == 1) {
		assert_true(ml_tensor_is_contiguous(x) && ml_tensor_is_contiguous(y));
		assert_int_equal(x->ne[0], y->ne[0]);
		sizes[nb++] = y->ne[0];
		for (int64_t i = 0; i < y->ne[0]; i++, k++) {
			assert_true(k < 64);
			ids[k] = I64(y)[i];
			assert_true(ML_F32(x)[2 * i] == (float)ids[k]);
			assert_true(ML_F32(x)[2 * i + 1] == (float)-ids[k]);
		}
	}
	assert_int_equal(rc, 0);
	assert_null(x);
	return nb;
}

static void
test_loader_order(void **state)
{
	NnDataset *d = counting(10);
	NnLoaderOptions o = {.batch_size = 3, .shuffle = true, .seed = 42, .prefetch = 1};
	NnLoader *a = nn_loader_new(d, &o, NULL), *b = nn_loader_new(d, &o, NULL), *c;
	int64_t e0[64], e0b[64], e1[64], again[64], sizes[64], seen[10] = {0};
	int32_t perm[10];
	MlTensor *x, *y;

	assert_non_null(a);
	assert_non_null(b);
	nn_dataset_free(d);  /* the loaders hold its tensors */
	assert_int_equal(nn_loader_len(a), 4);
	/* the first next starts epoch 0 */
	assert_int_equal(epoch_ids(a, e0, sizes), 4);
	assert_int_equal(sizes[0], 3);
	assert_int_equal(sizes[2], 3);
	assert_int_equal(sizes[3], 1);
	for (int i = 0; i < 10; i++)
		seen[e0[i]]++;
	for (int i = 0; i < 10; i++)
		assert_int_equal(seen[i], 1);
	/* the order is ml_perm(N, seed + epoch), as nn.h promises */
	assert_int_equal(ml_perm(10, 42, perm, NULL), AC_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(e0[i], perm[i]);
	/* the end stays the end */
	assert_int_equal(nn_loader_next(a, &x, &y, NULL), 0);

	assert_int_equal(nn_loader_epoch(b, 0), AC_OK);
	assert_int_equal(epoch_ids(b, e0b, sizes), 4);
	assert_memory_equal(e0, e0b, sizeof(int64_t) * 10);
	assert_int_equal(nn_loader_epoch(a, 1), AC_OK);
	assert_int_equal(epoch_ids(a, e1, sizes), 4);
	assert_true(memcmp(e0, e1, sizeof(int64_t) * 10) != 0);
	/* a resumed run replays epoch 1, even from the middle of epoch 0 */
	assert_int_equal(nn_loader_epoch(b, 0), AC_OK);
	assert_int_equal(nn_loader_next(b, &x, &y, NULL), 1);
	assert_int_equal(nn_loader_epoch(b, 1), AC_OK);
	assert_int_equal(epoch_ids(b, again, sizes), 4);
	assert_memory_equal(e1, again, sizeof(int64_t) * 10);
	assert_int_equal(nn_loader_epoch(b, -1), AC_EINVAL);
	nn_loader_free(a);
	nn_loader_free(b);

	/* without shuffle: 0..N-1 every epoch */
	d = counting(10);
	o.shuffle = false;
	c = nn_loader_new(d, &o, NULL);
	for (int e = 0; e < 2; e++) {
		assert_int_equal(nn_loader_epoch(c, e), AC_OK);
		assert_int_equal(epoch_ids(c, e0, sizes), 4);
		for (int i = 0; i < 10; i++)
			assert_int_equal(e0[i], i);
	}
	nn_loader_free(c);
	nn_dataset_free(d);
}

static void
test_loader_drop_last(void **state)
{
	static const struct {
		int64_t n, b;
		bool drop;
		int batches;
		int64_t last;
	} cases[] = {
		{10, 3, false, 4, 1}, {10, 3, true, 3, 3}, {9, 3, false, 3, 3}, {9, 3, true, 3, 3},
		{10, 16, false, 1, 10}, {10, 16, true, 0, 0}, {1, 1, false, 1, 1},
	};
	int64_t ids[64], sizes[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int prefetch = 0; prefetch <= 2; prefetch += 2) {
			NnDataset *d = counting(cases[i].n);
			NnLoaderOptions o = {.batch_size = cases[i].b, .shuffle = true, .seed = 7,
			                     .drop_last = cases[i].drop, .prefetch = prefetch};
			NnLoader *l = nn_loader_new(d, &o, NULL);
			int nb;
			assert_non_null(l);
			assert_int_equal(nn_loader_len(l), cases[i].batches);
			for (int e = 0; e < 2; e++) {
				assert_int_equal(nn_loader_epoch(l, e), AC_OK);
				nb = epoch_ids(l, ids, sizes);
				assert_int_equal(nb, cases[i].batches);
				for (int k = 0; k + 1 < nb; k++)
					assert_int_equal(sizes[k], cases[i].b);
				if (nb > 0)
					assert_int_equal(sizes[nb - 1], cases[i].last);
			}
			nn_loader_free(l);
			nn_dataset_free(d);
		}
	}
}

/* Images [13, 2, 6, 5] through crop, flip and normalize: the batches are
 * the same bytes with no thread and with threads 1 and 3 ahead, over 3
 * epochs, and the random transforms change from epoch to epoch. */
static void
test_loader_prefetch_same(void **state)
{
	MlTensor *x = ml_tensor_randn(4, (int64_t[]){13, 2, 6, 5}, 1.0, 99, NULL);
	MlTensor *y = ml_tensor_zeros(ML_I64, 1, (int64_t[]){13}, NULL);
	NnDataset *d = nn_dataset_tensors(x, y, NULL);
	NnTransform tf[3];
	NnLoader *l[3];
	int prefetch[3] = {0, 1, 3};
	float first[2][4 * 2 * 4 * 4];
	AcErr err = {0};

	assert_int_equal(nn_transform_random_crop(&tf[0], 4, 4, 2, &err), AC_OK);
	assert_int_equal(nn_transform_random_horizontal_flip(&tf[1], 0.5, &err), AC_OK);
	assert_int_equal(nn_transform_normalize(&tf[2], 2, (double[]){0.5, -0.5}, (double[]){2, 0.25},
	                                        &err), AC_OK);
	for (int i = 0; i < 13; i++)
		I64(y)[i] = i;
	for (int k = 0; k < 3; k++) {
		NnLoaderOptions o = {.batch_size = 4, .shuffle = true, .seed = 5, .prefetch = prefetch[k]};
		l[k] = nn_loader_new(d, &o, &err);
		assert_non_null(l[k]);
		for (int t = 0; t < 3; t++)
			assert_int_equal(nn_loader_add_transform(l[k], &tf[t], &err), AC_OK);
	}
	for (int e = 0; e < 3; e++) {
		for (int k = 0; k < 3; k++)
			assert_int_equal(nn_loader_epoch(l[k], e), AC_OK);
		for (int b = 0; b < 5; b++) {
			MlTensor *bx[3], *by[3];
			int rc[3];
			for (int k = 0; k < 3; k++)
				rc[k] = nn_loader_next(l[k], &bx[k], &by[k], &err);
			assert_int_equal(rc[0], b < 4 ? 1 : 0);
			assert_int_equal(rc[1], rc[0]);
			assert_int_equal(rc[2], rc[0]);
			if (rc[0] == 0)
				break;
			assert_int_equal(bx[0]->ndim, 4);
			assert_int_equal(bx[0]->ne[0], b < 3 ? 4 : 1);
			assert_int_equal(bx[0]->ne[1], 2);
			assert_int_equal(bx[0]->ne[2], 4);
			assert_int_equal(bx[0]->ne[3], 4);
			for (int k = 1; k < 3; k++) {
				assert_true(ml_same_shape(bx[k], bx[0]) && ml_same_shape(by[k], by[0]));
				assert_memory_equal(bx[k]->data, bx[0]->data, ml_tensor_nbytes(bx[0]));
				assert_memory_equal(by[k]->data, by[0]->data, ml_tensor_nbytes(by[0]));
			}
			if (b == 0 && e < 2)
				memcpy(first[e], bx[0]->data, sizeof first[e]);
		}
	}
	assert_true(memcmp(first[0], first[1], sizeof first[0]) != 0);
	/* transforms are fixed once an epoch has started */
	assert_int_equal(nn_loader_add_transform(l[0], &tf[1], &err), AC_EINVAL);
	for (int k = 0; k < 3; k++)
		nn_loader_free(l[k]);
	nn_dataset_free(d);
	ml_tensor_unref(x);
	ml_tensor_unref(y);
}

static void
test_loader_errors(void **state)
{
	NnDataset *d = counting(10);
	MlTensor *xi = ml_tensor_zeros(ML_I64, 3, (int64_t[]){2, 4, 4}, NULL), *y;
	NnLoaderOptions o = {.batch_size = 0};
	NnTransform crop;
	NnLoader *l;
	AcErr err = {0};

	assert_fails(nn_loader_new(d, &o, &err), err, AC_EINVAL,
	             "DataLoader: batch_size 0, prefetch 0: want >= 1 and 0..8");
	o.batch_size = 2;
	o.prefetch = 9;
	assert_fails(nn_loader_new(d, &o, &err), err, AC_EINVAL,
	             "DataLoader: batch_size 2, prefetch 9: want >= 1 and 0..8");
	o.prefetch = 1;
	l = nn_loader_new(d, &o, &err);
	assert_non_null(l);
	assert_int_equal(nn_transform_random_crop(&crop, 3, 3, 0, &err), AC_OK);
	/* the counting data set is [10,2]: no images */
	assert_int_equal(nn_loader_add_transform(l, &crop, &err), AC_ESHAPE);
	assert_string_equal(err.msg, "RandomCrop: input has 2 dimensions, want [N,C,H,W] or [N,H,W]");
	nn_loader_free(l);
	nn_dataset_free(d);

	y = ml_tensor_zeros(ML_I64, 1, (int64_t[]){2}, NULL);
	d = nn_dataset_tensors(xi, y, NULL);
	l = nn_loader_new(d, &o, &err);
	assert_int_equal(nn_loader_add_transform(l, &crop, &err), AC_EDTYPE);
	assert_string_equal(err.msg, "DataLoader: transforms want f32 inputs, not i64");
	nn_loader_free(l);
	nn_dataset_free(d);
	ml_tensor_unref(xi);
	ml_tensor_unref(y);
}

/* Peak address space of this process now, in bytes. */
static long
vm_size_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/*
 * A batch that cannot be made (its 32 MiB buffer is past an address-space
 * limit) fails in the call that asks for it, with or without the thread,
 * and the epoch goes on. Run in a child, whose limit the tests after
 * this one do not share; the child reports by its exit status.
 */
static void
test_loader_batch_error(void **state)
{
	for (int prefetch = 0; prefetch <= 1; prefetch++) {
		pid_t pid = fork();
		int status;
		assert_true(pid >= 0);
		if (pid == 0) {
			int64_t n = 2, cols = (int64_t)1 << 23;
			MlTensor *x = ml_tensor_zeros(ML_F32, 2, (int64_t[]){n, cols}, NULL);
			MlTensor *y = ml_tensor_zeros(ML_I64, 1, &n, NULL), *bx, *by;
			NnDataset *d = nn_dataset_tensors(x, y, NULL);
			NnLoaderOptions o = {.batch_size = 2, .prefetch = prefetch};
			NnLoader *l = d != NULL ? nn_loader_new(d, &o, NULL) : NULL;
			long vm = vm_size_bytes();
			struct rlimit rl;
			AcErr err = {0};
			int rc, end;
			if (l == NULL || vm < 0 || getrlimit(RLIMIT_AS, &rl) != 0)
				_exit(2);
			rl.rlim_cur = (rlim_t)vm + (8 << 20);
			if (setrlimit(RLIMIT_AS, &rl) != 0)
				_exit(3);
			rc = nn_loader_next(l, &bx, &by, &err);
			end = nn_loader_next(l, &bx, &by, NULL);
			if (rc != AC_ENOMEM || err.code != AC_ENOMEM || err.msg[0] == 0 || end != 0)
				_exit(4);
			nn_loader_free(l);
			nn_dataset_free(d);
			ml_tensor_unref(x);
			ml_tensor_unref(y);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* ---- Transforms ---- */

static MlTensor *
f32_of(int ndim, const int64_t *ne, const float *v)
{
	MlTensor *t = ml_tensor_zeros(ML_F32, ndim, ne, NULL);

	assert_non_null(t);
	if (v != NULL)
		memcpy(t->data, v, ml_tensor_nbytes(t));
	return t;
}

static void
test_normalize(void **state)
{
	MlTensor *x = f32_of(4, (int64_t[]){2, 2, 1, 2}, (float[]){1, 2, 3, 4, 5, 6, 7, 8});
	MlTensor *o = f32_of(4, x->ne, NULL), *x3 = f32_of(3, (int64_t[]){1, 1, 3}, (float[]){0, 1, 2});
	/* (x - mean[c]) / std[c], c = 0 for 1 2 5 6 and 1 for 3 4 7 8 */
	const float want[8] = {0, 0.5f, 0.25f, 0.5f, 2, 2.5f, 1.25f, 1.5f};
	NnTransform t;
	AcErr err = {0};

	assert_int_equal(nn_transform_normalize(&t, 2, (double[]){1, 2}, (double[]){2, 4}, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, o, x, NULL, &err), AC_OK);
	for (int i = 0; i < 8; i++)
		assert_close(ML_F32(o)[i], want[i], 1e-7, 0);
	/* in place gives the same */
	assert_int_equal(nn_transform_apply(&t, x, x, NULL, &err), AC_OK);
	assert_memory_equal(x->data, o->data, ml_tensor_nbytes(o));
	/* one mean and std for every channel; [N, H, W] is one channel */
	assert_int_equal(nn_transform_normalize(&t, 1, (double[]){1}, (double[]){0.5}, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, x3, x3, NULL, &err), AC_OK);
	assert_true(ML_F32(x3)[0] == -2 && ML_F32(x3)[1] == 0 && ML_F32(x3)[2] == 2);

	assert_int_equal(nn_transform_normalize(&t, 3, (double[]){0, 0, 0}, (double[]){1, 1, 1}, &err),
	                 AC_OK);
	assert_int_equal(nn_transform_apply(&t, o, x, NULL, &err), AC_ESHAPE);
	assert_string_equal(err.msg, "Normalize: input [2,2,1,2] has 2 channels, mean and std 3");
	assert_int_equal(nn_transform_normalize(&t, 2, (double[]){0, 0}, (double[]){1, 0}, &err), AC_EINVAL);
	assert_string_equal(err.msg, "Normalize: mean[1] 0, std[1] 0");
	ml_tensor_unref(x);
	ml_tensor_unref(o);
	ml_tensor_unref(x3);
}

static void
test_flip(void **state)
{
	MlTensor *x = f32_of(4, (int64_t[]){2, 1, 2, 3}, (float[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
	MlTensor *o = f32_of(4, x->ne, NULL);
	const float mirrored[12] = {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10};
	NnTransform t;
	MlRng r;
	AcErr err = {0};

	ml_rng_seed(&r, 1);
	assert_int_equal(nn_transform_random_horizontal_flip(&t, 1, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, o, x, &r, &err), AC_OK);
	assert_memory_equal(o->data, mirrored, sizeof mirrored);
	/* in place, and twice is the identity */
	assert_int_equal(nn_transform_apply(&t, o, o, &r, &err), AC_OK);
	assert_memory_equal(o->data, x->data, sizeof mirrored);
	assert_int_equal(nn_transform_random_horizontal_flip(&t, 0, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, o, x, &r, &err), AC_OK);
	assert_memory_equal(o->data, x->data, sizeof mirrored);
	/* p = 0.5 flips image i when its draw is below 0.5 */
	{
		MlRng a, b;
		assert_int_equal(nn_transform_random_horizontal_flip(&t, 0.5, &err), AC_OK);
		ml_rng_seed(&a, 3);
		ml_rng_seed(&b, 3);
		assert_int_equal(nn_transform_apply(&t, o, x, &a, &err), AC_OK);
		for (int i = 0; i < 2; i++) {
			const float *want = ml_rng_uniform(&b) < 0.5 ? mirrored : ML_F32(x);
			assert_memory_equal(ML_F32(o) + 6 * i, want + 6 * i, 6 * sizeof(float));
		}
	}
	assert_int_equal(nn_transform_random_horizontal_flip(&t, 1.5, &err), AC_EINVAL);
	assert_string_equal(err.msg, "RandomHorizontalFlip: p 1.5 outside [0, 1]");
	ml_tensor_unref(x);
	ml_tensor_unref(o);
}

/* RandomCrop(4, padding=4) of 4x4 images 1..16: each output is the window
 * at the drawn (top, left) of the image padded to 12x12 with zeros. */
static void
test_crop(void **state)
{
	enum { N = 6 };
	MlTensor *x = f32_of(4, (int64_t[]){N, 1, 4, 4}, NULL), *o = f32_of(4, x->ne, NULL);
	MlTensor *o2 = f32_of(4, x->ne, NULL), *big = f32_of(3, (int64_t[]){N, 4, 9}, NULL);
	NnTransform t;
	MlRng r, mirror;
	AcErr err = {0};

	for (int i = 0; i < N * 16; i++)
		ML_F32(x)[i] = (float)(1 + i % 16 + 100 * (i / 16));
	assert_int_equal(nn_transform_random_crop(&t, 4, 4, 4, &err), AC_OK);
	ml_rng_seed(&r, 2024);
	ml_rng_seed(&mirror, 2024);
	assert_int_equal(nn_transform_apply(&t, o, x, &r, &err), AC_OK);
	for (int i = 0; i < N; i++) {
		/* offsets into the padded image: 0..8 each, top drawn first */
		int64_t top = (int64_t)ml_rng_below(&mirror, 9), left = (int64_t)ml_rng_below(&mirror, 9);
		for (int yy = 0; yy < 4; yy++)
			for (int xx = 0; xx < 4; xx++) {
				int64_t sy = top + yy - 4, sx = left + xx - 4;
				float want = sy >= 0 && sy < 4 && sx >= 0 && sx < 4 ? ML_F32(x)[16 * i + 4 * sy + sx] : 0;
				assert_true(ML_F32(o)[16 * i + 4 * yy + xx] == want);
			}
	}
	/* the same generator state gives the same crops */
	ml_rng_seed(&r, 2024);
	assert_int_equal(nn_transform_apply(&t, o2, x, &r, &err), AC_OK);
	assert_memory_equal(o->data, o2->data, ml_tensor_nbytes(o));
	/* another seed gives others (6 images of 81 offsets each) */
	ml_rng_seed(&r, 2025);
	assert_int_equal(nn_transform_apply(&t, o2, x, &r, &err), AC_OK);
	assert_true(memcmp(o->data, o2->data, ml_tensor_nbytes(o)) != 0);

	/* a 9-wide window of a 4x9 [N, H, W] image with no padding: only
	 * the row offset is free */
	assert_int_equal(nn_transform_random_crop(&t, 2, 9, 0, &err), AC_OK);
	{
		MlTensor *ob = f32_of(3, (int64_t[]){N, 2, 9}, NULL);
		for (int i = 0; i < N * 36; i++)
			ML_F32(big)[i] = (float)i;
		ml_rng_seed(&r, 9);
		ml_rng_seed(&mirror, 9);
		assert_int_equal(nn_transform_apply(&t, ob, big, &r, &err), AC_OK);
		for (int i = 0; i < N; i++) {
			int64_t top = (int64_t)ml_rng_below(&mirror, 3);
			assert_int_equal(ml_rng_below(&mirror, 1), 0);
			assert_memory_equal(ML_F32(ob) + 18 * i, ML_F32(big) + 36 * i + 9 * top, 18 * sizeof(float));
		}
		ml_tensor_unref(ob);
	}

	assert_int_equal(nn_transform_random_crop(&t, 13, 4, 4, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, o, x, &r, &err), AC_ESHAPE);
	assert_string_equal(err.msg,
	                    "RandomCrop: input [6,1,4,4]: window 13x4 larger than 4x4 padded by 4");
	assert_int_equal(nn_transform_random_crop(&t, 4, 4, 0, &err), AC_OK);
	assert_int_equal(nn_transform_apply(&t, x, x, &r, &err), AC_EINVAL);
	assert_string_equal(err.msg, "RandomCrop: output is the input");
	assert_int_equal(nn_transform_apply(&t, o2, big, &r, &err), AC_ESHAPE);
	assert_string_equal(err.msg, "RandomCrop: output [6,1,4,4] for input [6,4,9], want [6,4,4]");
	assert_int_equal(nn_transform_random_crop(&t, 0, 32, 4, &err), AC_EINVAL);
	assert_string_equal(err.msg, "RandomCrop: size 0x32");
	ml_tensor_unref(x);
	ml_tensor_unref(o);
	ml_tensor_unref(o2);
	ml_tensor_unref(big);
}

TEST_MAIN("nn/data",
	cmocka_unit_test(test_tensors),
	cmocka_unit_test(test_idx_tiny),
	cmocka_unit_test(test_idx_fashion_mnist),
	cmocka_unit_test(test_npy),
	cmocka_unit_test(test_csv),
	cmocka_unit_test(test_csv_errors),
	cmocka_unit_test(test_loader_order),
	cmocka_unit_test(test_loader_drop_last),
	cmocka_unit_test(test_loader_prefetch_same),
	cmocka_unit_test(test_loader_errors),
	cmocka_unit_test(test_loader_batch_error),
	cmocka_unit_test(test_normalize),
	cmocka_unit_test(test_flip),
	cmocka_unit_test(test_crop))
