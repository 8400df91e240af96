/*
 * Programs of Inferno's tree that link to one another as Inferno's builds
 * do, compiled by bin/limbo and run with each other and with the shipped
 * .dis: a module built by one compiler must load and call a module built
 * by the other, which needs the same signatures, import tables and
 * module data layout.
 *
 * The root (build/tests/limbo/appl_run/root) mirrors the tree's dis/ by
 * symbolic links; a run puts ours or the shipped one at each path under
 * test. Needs Inferno's whole tree (the inferno-tree beside
 * $ACHERON_INFERNO, or $ACHERON_INFERNO_TREE).
 *
 *  - tcs with convcs and its converters (utf8, cp over an iso-8859-1
 *    codepage that our build of the tree's generator writes, utf16), all
 *    eight mixes of ours and shipped, converting text between charsets;
 *    the output is compared byte for byte with the expected bytes.
 *  - install/proto2list with install/proto (which loads its caller back
 *    as "$self") on a small proto file: all four mixes give the shipped
 *    pair's output, which is checked against stat(2) and a CRC-32.
 *  - module data (".mp"): a module exporting variables and one reading
 *    and writing them, each built by Inferno's limbo.dis and by
 *    bin/limbo, loaded by each other in the four combinations.
 */
#include "tests/test.h"
#include "tests/run.h"
#include "tests/limbo/corpus.h"
#include "tests/limbo/oracle.h"

#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#define OUT "build/tests/limbo/appl_run"
#define ROOT OUT "/root"
#define OURS OUT "/ours"
#define DISRUN "bin/dis-run"
#define RUN_TIMEOUT_MS 20000

static char tree[PATH_MAX];

/* The tree: $ACHERON_INFERNO_TREE, or the inferno-tree beside Inferno's
 * files; 0 if it is not there. */
static int
find_tree(void)
{
	const char *t = getenv("ACHERON_INFERNO_TREE");
	char rel[PATH_MAX], probe[PATH_MAX + 32];

	if (t != NULL && *t != 0)
		snprintf(rel, sizeof rel, "%s", t);
	else
		snprintf(rel, sizeof rel, "%s-tree", inferno_dir());
	snprintf(probe, sizeof probe, "%s/appl/cmd/tcs.b", rel);
	return access(probe, R_OK) == 0 && realpath(rel, tree) != NULL;
}

/* nftw callback: the tree's dis/ mirrored under ROOT/dis, a link a file. */
static int
mirror(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char dst[PATH_MAX + 64];
	size_t n = strlen(tree) + strlen("/dis");

	(void)st;
	(void)ftw;
	snprintf(dst, sizeof dst, ROOT "/dis%s", path + n);
	if (flag == FTW_D)
		mkdir(dst, 0777);
	else if (flag == FTW_F) {
		unlink(dst);
		if (symlink(path, dst) != 0)
			return -1;
	}
	return 0;
}

/* Makes the root once: 0 when the tree is missing (the test passes
 * with a note, as sigs_tree does). */
static int
root_ready(void)
{
	static int state; /* 0 not tried, 1 ready, -1 no tree */
	char d[PATH_MAX + 16];

	if (state != 0)
		return state > 0;
	state = -1;
	if (!find_tree()) {
		print_message("# no Inferno tree (%s-tree): nothing to run (set ACHERON_INFERNO_TREE)\n", inferno_dir());
		return 0;
	}
	corpus_dirs(OUT);
	mkdir(ROOT, 0777);
	mkdir(OURS, 0777);
	mkdir(ROOT "/tmp", 0777);
	mkdir(ROOT "/lib", 0777);
	mkdir(ROOT "/lib/convcs", 0777);
	snprintf(d, sizeof d, "%s/dis", tree);
	assert_int_equal(nftw(d, mirror, 16, FTW_PHYS), 0);
	snprintf(d, sizeof d, "%s/module", tree);
	oracle_link(ROOT, "module", d);
	state = 1;
	return 1;
}

/* Compiles the tree's appl/SRC (with -I its directory) into OURS/NAME.dis. */
static void
compile_ours(const char *src, const char *name)
{
	char path[PATH_MAX + 64], dir[PATH_MAX + 64], mod[PATH_MAX + 16], out[512];
	const char *args[] = {"-I", mod, "-I", dir, "-o", out, path, NULL};
	RunResult r;

	snprintf(path, sizeof path, "%s/appl/%s", tree, src);
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = 0;
	snprintf(mod, sizeof mod, "%s/module", tree);
	snprintf(out, sizeof out, OURS "/%s.dis", name);
	unlink(out);
	r = limbo(args);
	if (r.status != 0 || r.errlen != 0)
		print_error("%s: bin/limbo status %d: %.1000s\n", src, r.status, r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.errlen, 0);
	run_free(&r);
}

/* Puts at /dis/DISPATH (e.g. "lib/convcs/convcs") ours, OURS/NAME.dis,
 * or the shipped one. */
static void
place(const char *dispath, const char *name, int ours)
{
	char dir[512], target[PATH_MAX + 600], file[256];
	const char *base = strrchr(dispath, '/');

	if (ours)
		snprintf(target, sizeof target, OURS "/%s.dis", name);
	else
		snprintf(target, sizeof target, "%s/dis/%s.dis", tree, dispath);
	snprintf(dir, sizeof dir, ROOT "/dis/%.*s", base != NULL ? (int)(base - dispath) : 0, dispath);
	snprintf(file, sizeof file, "%s.dis", base != NULL ? base + 1 : dispath);
	oracle_link(dir, file, target);
}

/* Runs /dis/... path with args (NULL-terminated) under ROOT. */
static RunResult
run_root(const char *path, const char *const *args)
{
	char *argv[16];
	int n = 0;

	argv[n++] = DISRUN;
	argv[n++] = "-r";
	argv[n++] = ROOT;
	argv[n++] = (char *)path;
	while (*args != NULL && n < 15)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	return run_cmd(argv, NULL, RUN_TIMEOUT_MS);
}

static void
write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* 1 if got is want (n bytes), else 0 with both printed in hex. */
static int
same_bytes(const char *what, const char *got, size_t gotlen, const char *want, size_t n)
{
	if (gotlen == n && memcmp(got, want, n) == 0)
		return 1;
	print_message("# %s: got %zu bytes, want %zu:\n#  got ", what, gotlen, n);
	for (size_t i = 0; i < gotlen && i < 64; i++)
		print_message(" %02x", (unsigned char)got[i]);
	print_message("\n#  want");
	for (size_t i = 0; i < n && i < 64; i++)
		print_message(" %02x", (unsigned char)want[i]);
	print_message("\n");
	return 0;
}

/* ---- tcs, convcs and its converters ---- */

static const char charsets[] =
	"# written by tests/limbo/appl_run.c (Inferno's /lib/convcs/charsets shape)\n"
	"utf-8\tdesc='Unicode UTF-8'\n"
	"\tbtos=/dis/lib/convcs/utf8_btos.dis\n"
	"\tstob=/dis/lib/convcs/utf8_stob.dis\n"
	"utf8=utf-8\n"
	"iso-8859-1\tdesc='Latin 1'\n"
	"\tbtos=/dis/lib/convcs/cp_btos.dis arg=/lib/convcs/iso-8859-1.cp\n"
	"\tstob=/dis/lib/convcs/cp_stob.dis arg=/lib/convcs/iso-8859-1.cp\n"
	"latin1=iso-8859-1\n"
	"utf-16\tdesc='Unicode UTF-16'\n"
	"\tbtos=/dis/lib/convcs/utf16_btos.dis\n"
	"\tstob=/dis/lib/convcs/utf16_stob.dis\n";

/* "héllo wörld ÿ €\nGrüße ½ ©\n": in UTF-8; in Latin 1 (€ has none: '?');
 * in UTF-16, big-endian after a byte-order mark, as utf16_stob writes. */
static const char text_utf8[] = "h\xc3\xa9llo w\xc3\xb6rld \xc3\xbf \xe2\x82\xac\nGr\xc3\xbc\xc3\x9f" "e \xc2\xbd \xc2\xa9\n";
static const char text_latin1[] = "h\xe9llo w\xf6rld \xff ?\nGr\xfc\xdf" "e \xbd \xa9\n";
static const char text_back[] = "h\xc3\xa9llo w\xc3\xb6rld \xc3\xbf ?\nGr\xc3\xbc\xc3\x9f" "e \xc2\xbd \xc2\xa9\n";
static const unsigned char text_utf16[] = {
	0xfe, 0xff, 0, 'h', 0, 0xe9, 0, 'l', 0, 'l', 0, 'o', 0, ' ', 0, 'w', 0, 0xf6, 0, 'r', 0, 'l', 0, 'd',
	0, ' ', 0, 0xff, 0, ' ', 0x20, 0xac, 0, '\n', 0, 'G', 0, 'r', 0, 0xfc, 0, 0xdf, 0, 'e', 0, ' ', 0, 0xbd,
	0, ' ', 0, 0xa9, 0, '\n'};

static const char *const converters[] = {"utf8_btos", "utf8_stob", "cp_btos", "cp_stob", "utf16_btos", "utf16_stob"};
#define NCONV (int)(sizeof converters / sizeof converters[0])

/* Runs tcs -f from -t to on the root file in; 1 if it printed want. */
static int
tcs(const char *combo, const char *from, const char *to, const char *in, const void *want, size_t n)
{
	const char *args[] = {"-C", "/lib/convcs/charsets", "-f", from, "-t", to, in, NULL};
	RunResult r = run_root("/dis/tcs.dis", args);
	char what[256];
	int ok;

	snprintf(what, sizeof what, "%s: tcs -f %s -t %s", combo, from, to);
	ok = r.status == 0 && r.errlen == 0;
	if (!ok)
		print_message("# %s: status %d: %.500s\n", what, r.status, r.err);
	ok &= same_bytes(what, r.out, r.outlen, want, n);
	run_free(&r);
	return ok;
}

static void
test_tcs(void **state)
{
	static const char *const gen_args[] = {NULL};
	char cp[384 + 1], got[1024];
	size_t ncp = 0, ngot;
	FILE *f;
	RunResult r;
	int failed = 0;

	(void)state;
	if (!root_ready())
		return;
	compile_ours("cmd/tcs.b", "tcs");
	compile_ours("lib/convcs/convcs.b", "convcs");
	for (int i = 0; i < NCONV; i++) {
		char src[64];
		snprintf(src, sizeof src, "lib/convcs/%s.b", converters[i]);
		compile_ours(src, converters[i]);
	}

	/* the codepage: our build of the tree's generator writes it (Inferno
	 * ships none); code points 0-255, each in UTF-8 */
	compile_ours("lib/convcs/iso8859-1.b", "iso8859-1");
	oracle_link(ROOT "/tmp", "gencp.dis", OURS "/iso8859-1.dis");
	unlink(ROOT "/lib/convcs/iso-8859-1.cp");
	r = run_root("/tmp/gencp.dis", gen_args);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen + r.errlen, 0);
	run_free(&r);
	for (int c = 0; c < 256; c++) {
		if (c < 0x80) {
			cp[ncp++] = (char)c;
		} else {
			cp[ncp++] = (char)(0xc0 | c >> 6);
			cp[ncp++] = (char)(0x80 | (c & 0x3f));
		}
	}
	f = fopen(ROOT "/lib/convcs/iso-8859-1.cp", "rb");
	assert_non_null(f);
	ngot = fread(got, 1, sizeof got, f);
	fclose(f);
	assert_true(same_bytes("iso-8859-1.cp", got, ngot, cp, ncp));

	write_file(ROOT "/lib/convcs/charsets", charsets);
	write_bytes(ROOT "/tmp/text.utf8", text_utf8, sizeof text_utf8 - 1);
	write_bytes(ROOT "/tmp/text.latin1", text_latin1, sizeof text_latin1 - 1);
	write_bytes(ROOT "/tmp/text.utf16", text_utf16, sizeof text_utf16);

	/* bit 0: our tcs, bit 1: our convcs, bit 2: our converters */
	for (int mix = 0; mix < 8; mix++) {
		char combo[96];
		int ok = 1;
		place("tcs", "tcs", mix & 1);
		place("lib/convcs/convcs", "convcs", mix & 2);
		for (int i = 0; i < NCONV; i++) {
			char p[64];
			snprintf(p, sizeof p, "lib/convcs/%s", converters[i]);
			place(p, converters[i], mix & 4);
		}
		snprintf(combo, sizeof combo, "tcs %s, convcs %s, converters %s", mix & 1 ? "ours" : "shipped",
		         mix & 2 ? "ours" : "shipped", mix & 4 ? "ours" : "shipped");
		ok &= tcs(combo, "utf8", "latin1", "/tmp/text.utf8", text_latin1, sizeof text_latin1 - 1);
		ok &= tcs(combo, "iso-8859-1", "utf-8", "/tmp/text.latin1", text_back, sizeof text_back - 1);
		ok &= tcs(combo, "utf8", "utf-16", "/tmp/text.utf8", text_utf16, sizeof text_utf16);
		ok &= tcs(combo, "utf-16", "utf8", "/tmp/text.utf16", text_utf8, sizeof text_utf8 - 1);
		if (!ok)
			failed++;
	}
	for (int i = 0; i < NCONV; i++) {
		char p[64];
		snprintf(p, sizeof p, "lib/convcs/%s", converters[i]);
		place(p, converters[i], 0);
	}
	place("tcs", "tcs", 0);
	place("lib/convcs/convcs", "convcs", 0);
	assert_int_equal(failed, 0);
}

/* ---- install/proto2list ---- */

static uint32_t
crc32_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint32_t crc = 0xffffffffu;
	int ch;

	assert_non_null(f);
	while ((ch = fgetc(f)) != EOF) {
		crc ^= (uint32_t)ch;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? crc >> 1 ^ 0xedb88320u : crc >> 1;
	}
	fclose(f);
	return ~crc;
}

/* proto2list's line for root path old listed as new ("-" when the same):
 * name, new name, length, mode (Inferno's: DMDIR 1<<31), mtime, CRC-32. */
static void
proto_line(char *buf, size_t cap, const char *old, const char *new)
{
	char path[512];
	struct stat st;
	int dir;
	uint32_t mode;

	snprintf(path, sizeof path, ROOT "%s", old);
	assert_int_equal(stat(path, &st), 0);
	dir = S_ISDIR(st.st_mode);
	mode = (uint32_t)(st.st_mode & 0777) | (dir ? 0x80000000u : 0);
	snprintf(buf + strlen(buf), cap - strlen(buf), "%s\t%s\t%d\t%d\t%d\t%d\t0\n", old, new,
	         dir ? 0 : (int)st.st_size, (int)mode, (int)st.st_mtime, dir ? 0 : (int)crc32_file(path));
}

static void
test_proto2list(void **state)
{
	static const char *const args[] = {"/tmp/proto", NULL};
	static const char proto[] =
		"# a small proto: a file, a directory taken whole (+), a file renamed\n"
		"data\n"
		"\ta.txt\n"
		"\tsub\n"
		"\t\t+\n"
		"\trenamed - - - /extra/e.txt\n"
		"\tagain - - - /data/a.txt\n";
	char want[2048] = "";
	RunResult oracle;
	int failed = 0;

	(void)state;
	if (!root_ready())
		return;
	compile_ours("cmd/install/proto2list.b", "proto2list");
	compile_ours("cmd/install/proto.b", "proto");
	mkdir(ROOT "/data", 0755);
	mkdir(ROOT "/data/sub", 0755);
	mkdir(ROOT "/data/sub/deep", 0755);
	mkdir(ROOT "/extra", 0755);
	write_file(ROOT "/data/a.txt", "alpha\n");
	write_file(ROOT "/data/sub/b.txt", "beta beta\n");
	write_file(ROOT "/data/sub/deep/c.txt", "gamma, a longer line of text\n");
	write_file(ROOT "/extra/e.txt", "epsilon\n");
	chmod(ROOT "/data", 0755);
	chmod(ROOT "/data/sub", 0755);
	chmod(ROOT "/data/sub/deep", 0750);
	chmod(ROOT "/data/a.txt", 0644);
	chmod(ROOT "/data/sub/b.txt", 0600);
	chmod(ROOT "/data/sub/deep/c.txt", 0444);
	chmod(ROOT "/extra/e.txt", 0640);
	write_file(ROOT "/tmp/proto", proto);

	/* sorted by the old name; /data/a.txt listed twice is warned of */
	proto_line(want, sizeof want, "/data", "-");
	proto_line(want, sizeof want, "/data/a.txt", "-");
	proto_line(want, sizeof want, "/data/sub", "-");
	proto_line(want, sizeof want, "/data/sub/b.txt", "-");
	proto_line(want, sizeof want, "/data/sub/deep", "-");
	proto_line(want, sizeof want, "/data/sub/deep/c.txt", "-");
	proto_line(want, sizeof want, "/extra/e.txt", "/data/renamed");

	place("install/proto2list", "proto2list", 0);
	place("install/proto", "proto", 0);
	oracle = run_root("/dis/install/proto2list.dis", args);
	assert_int_equal(oracle.status, 0);
	assert_string_equal(oracle.out, want);
	assert_string_equal(oracle.err, "/tmp/proto: duplicate /data/a.txt(- /data/again)\n");

	/* bit 0: our proto2list, bit 1: our proto */
	for (int mix = 1; mix < 4; mix++) {
		RunResult r;
		place("install/proto2list", "proto2list", mix & 1);
		place("install/proto", "proto", mix & 2);
		r = run_root("/dis/install/proto2list.dis", args);
		if (r.status != 0 || strcmp(r.out, oracle.out) != 0 || strcmp(r.err, oracle.err) != 0) {
			print_message("# proto2list %s, proto %s: status %d\n# stdout:\n%s# stderr:\n%s", mix & 1 ? "ours" : "shipped",
			              mix & 2 ? "ours" : "shipped", r.status, r.out, r.err);
			failed++;
		}
		run_free(&r);
	}
	place("install/proto2list", "proto2list", 0);
	place("install/proto", "proto", 0);
	run_free(&oracle);
	assert_int_equal(failed, 0);
}

/* ---- module data: ".mp" ---- */

static const char mpdata_m[] =
	"Mpdata: module\n"
	"{\n"
	"\tcount:\tint;\n"
	"\tname:\tstring;\n"
	"\tvals:\tarray of int;\n"
	"\tpair:\t(int, string);\n"
	"\ttotal:\tbig;\n"
	"\tflag:\tbyte;\n"
	"\n"
	"\tinit:\tfn(n: string): int;\n"
	"\tbump:\tfn(k: int): int;\n"
	"};\n";

static const char mpdata_b[] =
	"implement Mpdata;\n"
	"\n"
	"include \"mpdata.m\";\n"
	"\n"
	"hidden := 7;\n"
	"\n"
	"init(n: string): int\n"
	"{\n"
	"\tname = n;\n"
	"\tvals = array[] of {3, 1, 4, 1, 5};\n"
	"\tpair = (len vals, \"pi\");\n"
	"\tcount = 10;\n"
	"\ttotal = big 1 << 40;\n"
	"\tflag = byte 200;\n"
	"\treturn len n + hidden;\n"
	"}\n"
	"\n"
	"bump(k: int): int\n"
	"{\n"
	"\tcount += k;\n"
	"\tvals[0] += k;\n"
	"\ttotal += big count;\n"
	"\treturn count;\n"
	"}\n";

static const char mpuse_b[] =
	"implement Mpuse;\n"
	"\n"
	"include \"sys.m\";\n"
	"\tsys: Sys;\n"
	"include \"draw.m\";\n"
	"include \"mpdata.m\";\n"
	"\td: Mpdata;\n"
	"\n"
	"Mpuse: module\n"
	"{\n"
	"\tinit:\tfn(nil: ref Draw->Context, args: list of string);\n"
	"};\n"
	"\n"
	"init(nil: ref Draw->Context, args: list of string)\n"
	"{\n"
	"\tsys = load Sys Sys->PATH;\n"
	"\tpath := hd tl args;\n"
	"\td = load Mpdata path;\n"
	"\tif(d == nil) {\n"
	"\t\tsys->fprint(sys->fildes(2), \"mpuse: cannot load %s: %r\\n\", path);\n"
	"\t\traise \"fail:load\";\n"
	"\t}\n"
	"\tsys->print(\"init %d\\n\", d->init(\"hello\"));\n"
	"\t(n, s) := d->pair;\n"
	"\tsys->print(\"name %s count %d vals %d pair %d %s total %bd flag %d\\n\",\n"
	"\t\td->name, d->count, len d->vals, n, s, d->total, int d->flag);\n"
	"\td->count = 100;\n"
	"\td->name += \" world\";\n"
	"\tsys->print(\"bump %d count %d vals[0] %d total %bd\\n\", d->bump(32), d->count, d->vals[0], d->total);\n"
	"\tv := 0;\n"
	"\tfor(i := 0; i < len d->vals; i++)\n"
	"\t\tv = v*10 + d->vals[i];\n"
	"\tsys->print(\"vals %d name %s\\n\", v, d->name);\n"
	"}\n";

static const char mpuse_out[] =
	"init 12\n"
	"name hello count 10 vals 5 pair 5 pi total 1099511627776 flag 200\n"
	"bump 132 count 132 vals[0] 35 total 1099511627908\n"
	"vals 351415 name hello world\n";

/* The signature of the ".mp" entry of m's exports (found) or imports. */
static uint32_t
mp_sig(const DisModule *m, int exported, int *has)
{
	*has = 0;
	if (exported) {
		for (int32_t i = 0; i < m->nlink; i++)
			if (strcmp(m->link[i].name, ".mp") == 0) {
				*has = 1;
				return m->link[i].sig;
			}
		return 0;
	}
	for (int32_t i = 0; i < m->nimport; i++)
		for (int32_t j = 0; j < m->import[i].nfunc; j++)
			if (strcmp(m->import[i].func[j].name, ".mp") == 0) {
				*has = 1;
				return m->import[i].func[j].sig;
			}
	return 0;
}

static void
test_module_data(void **state)
{
	const char *const who[] = {"inf", "ours"};
	char mod[PATH_MAX + 16];
	uint32_t sigs[4];
	int failed = 0;

	(void)state;
	if (!root_ready())
		return;
	mkdir(ROOT "/mp", 0777);
	mkdir(ROOT "/mp/inf", 0777);
	mkdir(ROOT "/mp/ours", 0777);
	write_file(ROOT "/mp/mpdata.m", mpdata_m);
	write_file(ROOT "/mp/mpdata.b", mpdata_b);
	write_file(ROOT "/mp/mpuse.b", mpuse_b);
	snprintf(mod, sizeof mod, "%s/module", tree);
	for (int i = 0; i < 2; i++) {
		const char *name = i == 0 ? "mpdata" : "mpuse";
		char src[64], out[128], isrc[64];
		const char *args[] = {"-I", mod, "-I", ROOT "/mp", "-o", out, src, NULL};
		RunResult r;
		snprintf(src, sizeof src, ROOT "/mp/%s.b", name);
		snprintf(out, sizeof out, ROOT "/mp/ours/%s.dis", name);
		r = limbo(args);
		if (r.status != 0)
			print_error("%s: bin/limbo status %d: %s\n", src, r.status, r.err);
		assert_int_equal(r.status, 0);
		run_free(&r);
		snprintf(isrc, sizeof isrc, "/mp/%s.b", name);
		assert_int_equal(oracle_compile(ROOT, ROOT "/mp/inf", isrc, "-I/mp"), 0);
	}

	/* both builds export the data and import it, with one signature */
	for (int w = 0; w < 2; w++)
		for (int i = 0; i < 2; i++) {
			char path[128];
			AcErr err;
			DisModule *m;
			int has;
			snprintf(path, sizeof path, ROOT "/mp/%s/%s.dis", who[w], i == 0 ? "mpdata" : "mpuse");
			m = dis_module_load(path, &err);
			assert_non_null(m);
			sigs[w * 2 + i] = mp_sig(m, i == 0, &has);
			if (!has)
				print_message("# %s: no \".mp\" %s\n", path, i == 0 ? "export" : "import");
			assert_true(has);
			dis_module_free(m);
		}
	assert_int_equal(sigs[0], sigs[1]);
	assert_int_equal(sigs[0], sigs[2]);
	assert_int_equal(sigs[0], sigs[3]);

	for (int u = 0; u < 2; u++)
		for (int d = 0; d < 2; d++) {
			char use[64], data[64];
			const char *args[] = {data, NULL};
			RunResult r;
			snprintf(use, sizeof use, "/mp/%s/mpuse.dis", who[u]);
			snprintf(data, sizeof data, "/mp/%s/mpdata.dis", who[d]);
			r = run_root(use, args);
			if (r.status != 0 || r.errlen != 0 || strcmp(r.out, mpuse_out) != 0) {
				print_message("# %s loading %s: status %d\n# stdout:\n%s# stderr:\n%s", use, data, r.status, r.out,
				              r.err);
				failed++;
			}
			run_free(&r);
		}
	assert_int_equal(failed, 0);
}

TEST_MAIN("limbo/appl_run",
          inferno_unit_test(test_tcs),
          inferno_unit_test(test_proto2list),
          inferno_unit_test(test_module_data))
