/*
 * GGUF reader: the file is mapped (private, copy-on-write), parsed once
 * with every count and length checked against the bytes left, and its
 * tensors are ml_tensor_wrap views of the mapping.  The mapping and the
 * parsed tables live in one MlGguf shared by reference count between the
 * file object and every tensor made from it.
 *
 * ggml's ne[] lists dimensions innermost first; MlTensor's outermost
 * first.  The reversal happens here (and in gguf_write.c), nowhere else.
 *
 * Follows: ggml docs/gguf.md (GGUF v3); ggml/src/gguf.cpp (the checks
 * its reader makes: unique keys and names, known types, whole blocks,
 * alignment a power of two).
 */
#include "ml/io/gguf_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "ml/io/gguf.c views little-endian GGUF data in place: a little-endian host is needed"
#endif

/* ggml's type traits, by enum ggml_type id: name, elements per block,
 * bytes per block, our dtype (-1 none).  Ids not listed (4, 5, 31..33,
 * 36..38: removed from ggml) are unknown. */
static const struct {
	const char *name;
	int blck, bytes, dt;
} ggml_types[] = {
	[0] = {"f32", 1, 4, ML_F32},       [1] = {"f16", 1, 2, ML_F16},
	[2] = {"q4_0", 32, 18, ML_Q4_0},   [3] = {"q4_1", 32, 20, -1},
	[6] = {"q5_0", 32, 22, -1},        [7] = {"q5_1", 32, 24, -1},
	[8] = {"q8_0", 32, 34, ML_Q8_0},   [9] = {"q8_1", 32, 36, -1},
	[10] = {"q2_K", 256, 84, -1},      [11] = {"q3_K", 256, 110, -1},
	[12] = {"q4_K", 256, 144, -1},     [13] = {"q5_K", 256, 176, -1},
	[14] = {"q6_K", 256, 210, -1},     [15] = {"q8_K", 256, 292, -1},
	[16] = {"iq2_xxs", 256, 66, -1},   [17] = {"iq2_xs", 256, 74, -1},
	[18] = {"iq3_xxs", 256, 98, -1},   [19] = {"iq1_s", 256, 50, -1},
	[20] = {"iq4_nl", 32, 18, -1},     [21] = {"iq3_s", 256, 110, -1},
	[22] = {"iq2_s", 256, 82, -1},     [23] = {"iq4_xs", 256, 136, -1},
	[24] = {"i8", 1, 1, ML_I8},        [25] = {"i16", 1, 2, -1},
	[26] = {"i32", 1, 4, ML_I32},      [27] = {"i64", 1, 8, ML_I64},
	[28] = {"f64", 1, 8, ML_F64},      [29] = {"iq1_m", 256, 56, -1},
	[30] = {"bf16", 1, 2, ML_BF16},    [34] = {"tq1_0", 256, 54, -1},
	[35] = {"tq2_0", 256, 66, -1},     [39] = {"mxfp4", 32, 17, -1},
};
enum { NGGML = sizeof ggml_types / sizeof ggml_types[0] };

const char *
ml_gguf_type_name(int type)
{
	static const char *names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
	                              "bool", "string", "array", "u64", "i64", "f64"};
	return type >= 0 && type <= ML_GGUF_F64 ? names[type] : "?";
}

int
ml_gguf_scalar_bytes(int type)
{
	static const int b[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
	return type >= 0 && type <= ML_GGUF_F64 ? b[type] : 0;
}

int
ml_ggml_type_of(MlDtype dt)
{
	for (int i = 0; i < NGGML; i++)
		if (ggml_types[i].name != NULL && ggml_types[i].dt == (int)dt)
			return i;
	return -1;
}

/* One metadata pair. */
typedef struct Kv {
	const char *key;        /* in the arena */
	int type;               /* MlGgufType */
	int elem;               /* arrays: the element type */
	uint64_t n;             /* arrays: elements; strings: bytes */
	const void *data;       /* scalars and numeric arrays: in the map; strings: the arena;
	                         * string arrays: a const char *[n] in the arena */
} Kv;

typedef struct Ti {
	MlGgufTensorInfo info;
	uint64_t info_off;      /* where its entry starts, for messages */
} Ti;

struct MlGguf {
	atomic_int refs;        /* the file object + one per live tensor */
	char *name;             /* the path, for messages */
	uint8_t *map;           /* the file's bytes */
	size_t size;
	bool mmapped;           /* else heap (open_mem) */
	uint32_t version;
	uint64_t alignment;
	int64_t nkv, nti;
	Kv *kv;
	Ti *ti;
	char *arena;            /* keys, strings and string tables */
	size_t arena_used, arena_size;
};

static void
gguf_unref(void *ctx)
{
	MlGguf *g = ctx;

	if (g == NULL || atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (g->mmapped)
		munmap(g->map, g->size);
	else
		free(g->map);
	free(g->kv);
	free(g->ti);
	free(g->arena);
	free(g->name);
	free(g);
}

/* ---- the parser ---- */

typedef struct Rd {
	MlGguf *g;
	uint64_t pos;
	AcErr *err;
} Rd;

static uint64_t
left(const Rd *r)
{
	return r->g->size - r->pos;
}

static int
fail_at(Rd *r, uint64_t off, const char *fmt, const char *what, uint64_t a, uint64_t b)
{
	char msg[AC_ERR_MSG_BYTES];

	snprintf(msg, sizeof msg, fmt, what, a, b);
	return ac_err_set(r->err, AC_EFORMAT, "%s: offset %" PRIu64 ": %s", r->g->name, off, msg);
}

/* Reads n bytes into dst, or fails naming what. */
static int
get(Rd *r, void *dst, size_t n, const char *what)
{
	if (left(r) < n) {
		fail_at(r, r->pos, "%s: truncated: %" PRIu64 " of %" PRIu64 " bytes", what, left(r), n);
		return AC_EFORMAT;
	}
	memcpy(dst, r->g->map + r->pos, n);
	r->pos += n;
	return AC_OK;
}

static char *
arena_alloc(MlGguf *g, size_t n)
{
	char *p;

	n = (n + 7) & ~(size_t)7;
	if (n > g->arena_size - g->arena_used)
		return NULL;  /* sized at open from the file; cannot happen */
	p = g->arena + g->arena_used;
	g->arena_used += n;
	return p;
}

/* A GGUF string (u64 length, bytes) into the arena, NUL-terminated. */
static int
get_str(Rd *r, const char **out, uint64_t *len, const char *what)
{
	uint64_t n = 0, at = r->pos;
	char *p;

	if (get(r, &n, 8, what) != AC_OK)
		return AC_EFORMAT;
	if (n > left(r))
		return fail_at(r, at, "%s: string length %" PRIu64 " exceeds the %" PRIu64
		               " bytes left", what, n, left(r));
	if ((p = arena_alloc(r->g, n + 1)) == NULL)
		return ac_err_set(r->err, AC_ENOMEM, "%s: string arena exhausted", r->g->name);
	memcpy(p, r->g->map + r->pos, n);
	p[n] = 0;
	r->pos += n;
	*out = p;
	if (len != NULL)
		*len = n;
	return AC_OK;
}

static int
parse_value(Rd *r, Kv *kv, const char *key)
{
	uint32_t t;
	uint64_t at = r->pos;
	char what[96];

	snprintf(what, sizeof what, "key '%.60s'", key);
	if (get(r, &t, 4, what) != AC_OK)
		return AC_EFORMAT;
	if (t > ML_GGUF_F64)
		return fail_at(r, at, "%s: unknown value type %" PRIu64 "%.0" PRIu64, what, t, 0);
	kv->type = (int)t;
	if (t == ML_GGUF_STR)
		return get_str(r, (const char **)&kv->data, &kv->n, what);
	if (t != ML_GGUF_ARR) {
		int b = ml_gguf_scalar_bytes((int)t);
		if (left(r) < (uint64_t)b)
			return fail_at(r, r->pos, "%s: truncated: %" PRIu64 " of %" PRIu64 " bytes", what,
			               left(r), (uint64_t)b);
		kv->data = r->g->map + r->pos;
		if (t == ML_GGUF_BOOL && r->g->map[r->pos] > 1)
			return fail_at(r, r->pos, "%s: bool %" PRIu64 " is not 0 or 1%.0" PRIu64, what,
			               r->g->map[r->pos], 0);
		r->pos += (uint64_t)b;
		return AC_OK;
	}
	at = r->pos;
	if (get(r, &t, 4, what) != AC_OK || get(r, &kv->n, 8, what) != AC_OK)
		return AC_EFORMAT;
	if (t > ML_GGUF_F64 || t == ML_GGUF_ARR)
		return ac_err_set(r->err, AC_EFORMAT, "%s: offset %" PRIu64 ": %s: %s %" PRIu32,
		                  r->g->name, at, what, t == ML_GGUF_ARR ? "nested arrays are not"
		                  " supported: element type" : "unknown array element type", t);
	kv->elem = (int)t;
	if (t == ML_GGUF_STR) {
		const char **tab;
		if (kv->n > left(r) / 8)
			return fail_at(r, at + 4, "%s: array of %" PRIu64 " strings exceeds what %" PRIu64
			               " bytes can hold", what, kv->n, left(r));
		if ((tab = (const char **)arena_alloc(r->g, (size_t)kv->n * sizeof *tab)) == NULL)
			return ac_err_set(r->err, AC_ENOMEM, "%s: string arena exhausted", r->g->name);
		for (uint64_t i = 0; i < kv->n; i++)
			if (get_str(r, &tab[i], NULL, what) != AC_OK)
				return r->err ? r->err->code : AC_EFORMAT;
		kv->data = tab;
		return AC_OK;
	}
	if (kv->n > left(r) / (uint64_t)ml_gguf_scalar_bytes((int)t))
		return fail_at(r, at + 4, "%s: array of %" PRIu64 " elements exceeds the %" PRIu64
		               " bytes left", what, kv->n, left(r));
	kv->data = r->g->map + r->pos;
	if (t == ML_GGUF_BOOL)
		for (uint64_t i = 0; i < kv->n; i++)
			if (r->g->map[r->pos + i] > 1)
				return fail_at(r, r->pos + i, "%s: bool %" PRIu64 " is not 0 or 1%.0" PRIu64,
				               what, r->g->map[r->pos + i], 0);
	r->pos += kv->n * (uint64_t)ml_gguf_scalar_bytes((int)t);
	return AC_OK;
}

static int
cmp_offset(const void *a, const void *b)
{
	const Ti *x = *(Ti *const *)a, *y = *(Ti *const *)b;

	return x->info.offset < y->info.offset ? -1 : x->info.offset > y->info.offset;
}

static int
parse_tensor(Rd *r, Ti *ti)
{
	MlGgufTensorInfo *in = &ti->info;
	uint32_t nd, type;
	uint64_t ne[ML_MAX_DIMS], at, numel = 1, rel;
	char what[96];

	ti->info_off = r->pos;
	if (get_str(r, &in->name, NULL, "tensor name") != AC_OK)
		return r->err ? r->err->code : AC_EFORMAT;
	snprintf(what, sizeof what, "tensor '%.60s'", in->name);
	at = r->pos;
	if (get(r, &nd, 4, what) != AC_OK)
		return AC_EFORMAT;
	if (nd > ML_MAX_DIMS)
		return fail_at(r, at, "%s: %" PRIu64 " dimensions, most is %" PRIu64, what, nd,
		               ML_MAX_DIMS);
	in->ndim = (int)nd;
	for (uint32_t i = 0; i < nd; i++) {
		at = r->pos;
		if (get(r, &ne[i], 8, what) != AC_OK)
			return AC_EFORMAT;
		if (ne[i] > (uint64_t)INT64_MAX)
			return fail_at(r, at, "%s: dimension %" PRIu64 " is %" PRIu64, what, i, ne[i]);
		if (ne[i] != 0 && numel > (uint64_t)INT64_MAX / ne[i])
			return fail_at(r, at, "%s: %" PRIu64 " dimensions overflow at %" PRIu64, what, nd,
			               ne[i]);
		numel *= ne[i];
		in->ne[nd - 1 - i] = (int64_t)ne[i];  /* ggml innermost first; ours outermost first */
	}
	at = r->pos;
	if (get(r, &type, 4, what) != AC_OK)
		return AC_EFORMAT;
	if (type >= NGGML || ggml_types[type].name == NULL)
		return fail_at(r, at, "%s: unknown ggml type %" PRIu64 "%.0" PRIu64, what, type, 0);
	in->ggml_type = type;
	in->type_name = ggml_types[type].name;
	if (nd > 0 && ne[0] % (uint64_t)ggml_types[type].blck != 0)
		return fail_at(r, at, "%s: row of %" PRIu64 " elements is not whole blocks of %" PRIu64,
		               what, ne[0], (uint64_t)ggml_types[type].blck);
	if (nd == 0 && ggml_types[type].blck != 1)
		return fail_at(r, at, "%s: a scalar of a block type%.0" PRIu64 "%.0" PRIu64, what, 0, 0);
	if (numel / (uint64_t)ggml_types[type].blck > UINT64_MAX / 2 / (uint64_t)ggml_types[type].bytes)
		return fail_at(r, at, "%s: %" PRIu64 " elements overflow%.0" PRIu64, what, numel, 0);
	in->bytes = numel / (uint64_t)ggml_types[type].blck * (uint64_t)ggml_types[type].bytes;
	at = r->pos;
	if (get(r, &rel, 8, what) != AC_OK)
		return AC_EFORMAT;
	in->offset = rel;  /* relative until the data section is known */
	return AC_OK;
}

static MlGguf *
parse(MlGguf *g, AcErr *err)
{
	Rd r = {g, 0, err};
	uint32_t magic;
	uint64_t nti, nkv, at, data;
	Ti **order = NULL;

	if (get(&r, &magic, 4, "magic") != AC_OK)
		goto fail;
	if (magic != 0x46554747u) {  /* "GGUF" */
		fail_at(&r, 0, "%s: bad magic 0x%08" PRIx64 "%.0" PRIu64 " (not a GGUF file)", "magic",
		        magic, 0);
		goto fail;
	}
	if (get(&r, &g->version, 4, "version") != AC_OK)
		goto fail;
	if (g->version != 2 && g->version != 3) {
		fail_at(&r, 4, "%s %" PRIu64 ", want 2 or 3%.0" PRIu64, "version", g->version, 0);
		goto fail;
	}
	if (get(&r, &nti, 8, "tensor count") != AC_OK)
		goto fail;
	if (get(&r, &nkv, 8, "metadata count") != AC_OK)
		goto fail;
	/* A tensor entry takes at least 24 bytes, a pair at least 13. */
	if (nti > left(&r) / 24) {
		fail_at(&r, 8, "%s %" PRIu64 " exceeds what %" PRIu64 " bytes can hold", "tensor count",
		        nti, left(&r));
		goto fail;
	}
	if (nkv > left(&r) / 13) {
		fail_at(&r, 16, "%s %" PRIu64 " exceeds what %" PRIu64 " bytes can hold",
		        "metadata count", nkv, left(&r));
		goto fail;
	}
	g->kv = calloc(nkv ? nkv : 1, sizeof *g->kv);
	g->ti = calloc(nti ? nti : 1, sizeof *g->ti);
	/* Every string costs its 8-byte length in the file, so the arena needs
	 * at most the file's size plus one rounding (8 bytes) per string. */
	g->arena_size = g->size * 2 + 64;
	g->arena = malloc(g->arena_size);
	order = calloc(nti ? nti : 1, sizeof *order);
	if (g->kv == NULL || g->ti == NULL || g->arena == NULL || order == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", g->name);
		goto fail;
	}
	for (uint64_t i = 0; i < nkv; i++) {
		Kv *kv = &g->kv[i];
		at = r.pos;
		if (get_str(&r, &kv->key, NULL, "key") != AC_OK || parse_value(&r, kv, kv->key) != AC_OK)
			goto fail;
		g->nkv = (int64_t)i + 1;
		for (uint64_t j = 0; j < i; j++)
			if (strcmp(g->kv[j].key, kv->key) == 0) {
				ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64 ": key '%.60s': duplicate",
				           g->name, at, kv->key);
				goto fail;
			}
		if (strcmp(kv->key, "general.alignment") == 0) {
			uint32_t a;
			if (kv->type != ML_GGUF_U32) {
				ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64
				           ": general.alignment is %s, want u32", g->name, at,
				           ml_gguf_type_name(kv->type));
				goto fail;
			}
			memcpy(&a, kv->data, 4);
			if (a == 0 || (a & (a - 1)) != 0) {
				ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64
				           ": general.alignment %" PRIu32 " is not a power of two", g->name,
				           at, a);
				goto fail;
			}
			g->alignment = a;
		}
	}
	if (g->alignment == 0)
		g->alignment = 32;
	for (uint64_t i = 0; i < nti; i++) {
		if (parse_tensor(&r, &g->ti[i]) != AC_OK)
			goto fail;
		g->nti = (int64_t)i + 1;
		for (uint64_t j = 0; j < i; j++)
			if (strcmp(g->ti[j].info.name, g->ti[i].info.name) == 0) {
				ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64 ": tensor '%.60s': duplicate name",
				           g->name, g->ti[i].info_off, g->ti[i].info.name);
				goto fail;
			}
	}
	/* The data section starts at the next multiple of the alignment. */
	data = (r.pos + g->alignment - 1) / g->alignment * g->alignment;
	if (nti > 0 && data > g->size) {
		fail_at(&r, r.pos, "%s: starts at %" PRIu64 ", past the end at %" PRIu64, "tensor data",
		        data, g->size);
		goto fail;
	}
	for (uint64_t i = 0; i < nti; i++) {
		MlGgufTensorInfo *in = &g->ti[i].info;
		uint64_t off_at = g->ti[i].info_off;
		if (in->offset % g->alignment != 0) {
			ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64 ": tensor '%.60s': data offset %"
			           PRIu64 " is not a multiple of the alignment %" PRIu64, g->name, off_at,
			           in->name, in->offset, g->alignment);
			goto fail;
		}
		if (in->offset > g->size - data || in->bytes > g->size - data - in->offset) {
			ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64 ": tensor '%.60s': data [%" PRIu64
			           ", +%" PRIu64 ") is outside the file's %zu bytes", g->name, off_at,
			           in->name, in->offset, in->bytes, g->size);
			goto fail;
		}
		in->offset += data;
		order[i] = &g->ti[i];
	}
	qsort(order, nti, sizeof *order, cmp_offset);
	for (uint64_t i = 1; i < nti; i++) {
		const MlGgufTensorInfo *a = &order[i - 1]->info, *b = &order[i]->info;
		if (a->offset + a->bytes > b->offset && a->bytes > 0 && b->bytes > 0) {
			ac_err_set(err, AC_EFORMAT, "%s: offset %" PRIu64 ": tensor '%.60s': data [%" PRIu64
			           ", %" PRIu64 ") overlaps tensor '%.60s'", g->name, order[i]->info_off,
			           b->name, b->offset, b->offset + b->bytes, a->name);
			goto fail;
		}
	}
	free(order);
	return g;
fail:
	free(order);
	gguf_unref(g);
	return NULL;
}

static MlGguf *
gguf_new(const char *name, AcErr *err)
{
	MlGguf *g = calloc(1, sizeof *g);

	if (g == NULL || (g->name = strdup(name)) == NULL) {
		free(g);
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", name);
		return NULL;
	}
	atomic_init(&g->refs, 1);
	return g;
}

MlGguf *
ml_gguf_open(const char *path, AcErr *err)
{
	struct stat st;
	MlGguf *g;
	int fd, e;

	if (path == NULL) {
		ac_err_set(err, AC_EINVAL, "gguf_open: nil path");
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ac_err_set(err, AC_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		ac_err_set(err, AC_EIO, "%s: not a regular file", path);
		return NULL;
	}
	if ((g = gguf_new(path, err)) == NULL) {
		close(fd);
		return NULL;
	}
	g->size = (size_t)st.st_size;
	if (g->size > 0) {
		void *m = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			e = errno;
			close(fd);
			ac_err_set(err, AC_EIO, "%s: mmap: %s", path, strerror(e));
			gguf_unref(g);
			return NULL;
		}
		g->map = m;
		g->mmapped = true;
	}
	close(fd);
	return parse(g, err);
}

MlGguf *
ml_gguf_open_mem(const void *buf, size_t len, const char *name, AcErr *err)
{
	MlGguf *g;

	if (buf == NULL && len > 0) {
		ac_err_set(err, AC_EINVAL, "gguf_open: nil buffer");
		return NULL;
	}
	if ((g = gguf_new(name ? name : "gguf", err)) == NULL)
		return NULL;
	if ((g->map = malloc(len ? len : 1)) == NULL) {
		ac_err_set(err, AC_ENOMEM, "%s: out of memory", g->name);
		gguf_unref(g);
		return NULL;
	}
	if (len > 0)
		memcpy(g->map, buf, len);
	g->size = len;
	return parse(g, err);
}

void
ml_gguf_close(MlGguf *g)
{
	gguf_unref(g);
}

uint32_t
ml_gguf_version(const MlGguf *g)
{
	return g->version;
}

uint64_t
ml_gguf_alignment(const MlGguf *g)
{
	return g->alignment;
}

int64_t
ml_gguf_kv_count(const MlGguf *g)
{
	return g->nkv;
}

const char *
ml_gguf_key(const MlGguf *g, int64_t i)
{
	return i >= 0 && i < g->nkv ? g->kv[i].key : NULL;
}

int64_t
ml_gguf_find(const MlGguf *g, const char *key)
{
	for (int64_t i = 0; i < g->nkv; i++)
		if (strcmp(g->kv[i].key, key) == 0)
			return i;
	return -1;
}

int
ml_gguf_kv_type(const MlGguf *g, int64_t i)
{
	return i >= 0 && i < g->nkv ? g->kv[i].type : -1;
}

static const Kv *
lookup(const MlGguf *g, const char *key, int type, AcErr *err)
{
	int64_t i = ml_gguf_find(g, key);

	if (i < 0) {
		ac_err_set(err, AC_EINVAL, "%s: no key '%.200s'", g->name, key);
		return NULL;
	}
	if (g->kv[i].type != type) {
		ac_err_set(err, AC_EDTYPE, "%s: key '%.200s' is %s, not %s", g->name, key,
		           ml_gguf_type_name(g->kv[i].type), ml_gguf_type_name(type));
		return NULL;
	}
	return &g->kv[i];
}

#define GETTER(fn, ty, T)                                                           \
	int ml_gguf_get_##fn(const MlGguf *g, const char *key, ty *v, AcErr *err)   \
	{                                                                           \
		const Kv *kv = lookup(g, key, T, err);                              \
		if (kv == NULL)                                                     \
			return err ? err->code : AC_EINVAL;                         \
		memcpy(v, kv->data, sizeof *v);                                     \
		return AC_OK;                                                       \
	}
GETTER(u8, uint8_t, ML_GGUF_U8)
GETTER(i8, int8_t, ML_GGUF_I8)
GETTER(u16, uint16_t, ML_GGUF_U16)
GETTER(i16, int16_t, ML_GGUF_I16)
GETTER(u32, uint32_t, ML_GGUF_U32)
GETTER(i32, int32_t, ML_GGUF_I32)
GETTER(u64, uint64_t, ML_GGUF_U64)
GETTER(i64, int64_t, ML_GGUF_I64)
GETTER(f32, float, ML_GGUF_F32)
GETTER(f64, double, ML_GGUF_F64)
#undef GETTER

int
ml_gguf_get_bool(const MlGguf *g, const char *key, bool *v, AcErr *err)
{
	const Kv *kv = lookup(g, key, ML_GGUF_BOOL, err);

	if (kv == NULL)
		return err ? err->code : AC_EINVAL;
	*v = *(const uint8_t *)kv->data != 0;
	return AC_OK;
}

int
ml_gguf_get_str(const MlGguf *g, const char *key, const char **v, uint64_t *len, AcErr *err)
{
	const Kv *kv = lookup(g, key, ML_GGUF_STR, err);

	if (kv == NULL)
		return err ? err->code : AC_EINVAL;
	*v = kv->data;
	if (len != NULL)
		*len = kv->n;
	return AC_OK;
}

int
ml_gguf_get_arr(const MlGguf *g, const char *key, MlGgufType *elem, uint64_t *n,
                const void **data, AcErr *err)
{
	const Kv *kv = lookup(g, key, ML_GGUF_ARR, err);

	if (kv == NULL)
		return err ? err->code : AC_EINVAL;
	*elem = (MlGgufType)kv->elem;
	*n = kv->n;
	*data = kv->data;
	return AC_OK;
}

int64_t
ml_gguf_tensor_count(const MlGguf *g)
{
	return g->nti;
}

int
ml_gguf_tensor_info(const MlGguf *g, int64_t i, MlGgufTensorInfo *info, AcErr *err)
{
	if (i < 0 || i >= g->nti)
		return ac_err_set(err, AC_ERANGE, "%s: tensor %" PRId64 " of %" PRId64, g->name, i,
		                  g->nti);
	*info = g->ti[i].info;
	return AC_OK;
}

MlTensor *
ml_gguf_tensor(MlGguf *g, const char *name, AcErr *err)
{
	const MlGgufTensorInfo *in = NULL;
	MlTensor *t;
	int dt, esize;

	for (int64_t i = 0; i < g->nti && in == NULL; i++)
		if (strcmp(g->ti[i].info.name, name) == 0)
			in = &g->ti[i].info;
	if (in == NULL) {
		ac_err_set(err, AC_EINVAL, "%s: no tensor '%.200s'", g->name, name);
		return NULL;
	}
	dt = ggml_types[in->ggml_type].dt;
	if (dt < 0) {
		ac_err_set(err, AC_EDTYPE, "%s: tensor '%.200s' is %s (ggml type %" PRIu32
		           "), which ml/ has no dtype for", g->name, name, in->type_name, in->ggml_type);
		return NULL;
	}
	esize = ml_dtype_block((MlDtype)dt) == 1 ? ml_dtype_bytes((MlDtype)dt) : 2;
	if ((uintptr_t)(g->map + in->offset) % (uintptr_t)esize != 0) {
		ac_err_set(err, AC_EFORMAT, "%s: tensor '%.200s': data at offset %" PRIu64
		           " is not aligned for %s", g->name, name, in->offset,
		           ml_dtype_name((MlDtype)dt));
		return NULL;
	}
	atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
	/* wrap runs gguf_unref on failure too. */
	t = ml_tensor_wrap((MlDtype)dt, in->ndim, in->ne, NULL, g->map + in->offset,
	                   (size_t)in->bytes, gguf_unref, g, err);
	return t;
}
