/*
 * The node without a scheduler: the module cache keeps modules by SHA-256,
 * refuses bytes that do not match and drops a damaged file; the machine's
 * description and the memory rule; the output spool (a prefix of each
 * stream, bounded, read back in chunks with their offsets, removed); and
 * bin/dis-node's option errors.
 * (Registration, tasks and reconnects need a scheduler: cluster_tests/.)
 */
#include "tests/test.h"

#include <dirent.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/node.h"
#include "node/node_impl.h"
#include "tests/run.h"

#define DIR_ "build/tests/node/tmp"

static void
fresh_dir(void)
{
	assert_int_equal(system("rm -rf " DIR_ " && mkdir -p " DIR_), 0);
}

static void
test_cache_put_has(void **state)
{
	static const uint8_t mod[] = "not really a module, but bytes";
	uint8_t sha[32], other[32];
	char path[512], want[512], hex[65];
	NodeCache *c;
	AcErr err;
	uint8_t *buf;
	size_t len;

	(void)state;
	fresh_dir();
	crypto_hash_sha256(sha, mod, sizeof mod);
	c = node_cache_open(DIR_ "/cache", &err);
	assert_non_null(c);
	assert_int_equal(node_cache_has(c, sha, NULL, 0), 0);
	assert_int_equal(node_cache_put(c, sha, mod, sizeof mod, &err), AC_OK);
	assert_int_equal(node_cache_has(c, sha, path, sizeof path), 1);
	node_sha_hex(sha, hex);
	assert_int_equal(strlen(hex), 64);
	snprintf(want, sizeof want, DIR_ "/cache/%s.dis", hex);
	assert_string_equal(path, want);
	assert_int_equal(ac_file_read(path, &buf, &len, &err), AC_OK);
	assert_int_equal(len, sizeof mod);
	assert_memory_equal(buf, mod, len);
	free(buf);

	/* Bytes that do not hash to the name are refused and not written. */
	memset(other, 0x5a, sizeof other);
	assert_int_equal(node_cache_put(c, other, mod, sizeof mod, &err), AC_ESIG);
	assert_non_null(strstr(err.msg, "do not match their SHA-256"));
	assert_int_equal(node_cache_has(c, other, NULL, 0), 0);

	/* Verified marks are remembered per module. */
	assert_int_equal(node_cache_verified(c, sha), 0);
	node_cache_set_verified(c, sha);
	assert_int_equal(node_cache_verified(c, sha), 1);
	assert_int_equal(node_cache_verified(c, other), 0);
	node_cache_free(c);

	/* A new cache (a restarted node) finds the file and checks it. */
	c = node_cache_open(DIR_ "/cache", &err);
	assert_non_null(c);
	assert_int_equal(node_cache_has(c, sha, NULL, 0), 1);
	assert_int_equal(node_cache_verified(c, sha), 0);
	node_cache_free(c);
	node_cache_free(NULL);
}

static void
test_cache_damaged(void **state)
{
	static const uint8_t mod[] = "module bytes";
	uint8_t sha[32];
	char path[512];
	NodeCache *c;
	AcErr err;

	(void)state;
	fresh_dir();
	crypto_hash_sha256(sha, mod, sizeof mod);
	c = node_cache_open(DIR_ "/cache", &err);
	assert_non_null(c);
	node_cache_path(c, sha, path, sizeof path);
	assert_int_equal(ac_file_write_atomic(path, "torn", 4, &err), AC_OK);
	/* Damaged: not used, and removed. */
	assert_int_equal(node_cache_has(c, sha, NULL, 0), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	/* The scheduler's bytes replace it. */
	assert_int_equal(ac_file_write_atomic(path, "torn", 4, &err), AC_OK);
	assert_int_equal(node_cache_put(c, sha, mod, sizeof mod, &err), AC_OK);
	assert_int_equal(node_cache_has(c, sha, NULL, 0), 1);
	node_cache_free(c);

	assert_null(node_cache_open(DIR_ "/no/such/dir", &err));
	assert_int_equal(err.code, AC_EIO);
	assert_non_null(strstr(err.msg, DIR_ "/no/such/dir"));
}

static void
test_sysinfo(void **state)
{
	NodeSysinfo si;
	uint32_t gpus = 0;
	DIR *d = opendir("/dev");
	struct dirent *e;

	(void)state;
	node_sysinfo_get(&si);
	assert_true(si.cores >= 1);
	assert_true(si.cores <= (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
	assert_true(si.memory_bytes >= ((uint64_t)64 << 20));
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		if (strncmp(s, "nvidia", 6) == 0 && s[6] >= '0' && s[6] <= '9' && strspn(s + 6, "0123456789") == strlen(s + 6))
			gpus++;
	}
	closedir(d);
	assert_int_equal(si.gpus, gpus);
	for (size_t i = 0; i < si.ncaps; i++)
		assert_true(node_capability_ok(si.caps[i]));
	if (gpus > 0)
		assert_string_equal(si.caps[0], "gpu");
}

static void
test_capability_names(void **state)
{
	char long_name[70];

	(void)state;
	assert_true(node_capability_ok("gpu"));
	assert_true(node_capability_ok("cuda-12.4_x"));
	assert_false(node_capability_ok(""));
	assert_false(node_capability_ok("GPU"));
	assert_false(node_capability_ok("a b"));
	assert_false(node_capability_ok("a/b"));
	assert_false(node_capability_ok(NULL));
	memset(long_name, 'a', 65);
	long_name[65] = 0;
	assert_false(node_capability_ok(long_name));
	long_name[64] = 0;
	assert_true(node_capability_ok(long_name));
}

static void
test_memory_rule(void **state)
{
	const uint64_t mib = 1u << 20;

	(void)state;
	assert_int_equal(node_task_as_bytes(0, 1), 0);
	assert_int_equal(node_task_as_bytes(64 * mib, 1), 768 * mib);  /* the floor */
	assert_int_equal(node_task_as_bytes(64 * mib, 2), 928 * mib);
	assert_int_equal(node_task_as_bytes(256 * mib, 1), 768 * mib);
	assert_int_equal(node_task_as_bytes(256 * mib, 3), 1088 * mib);
	assert_int_equal(node_task_as_bytes(UINT64_MAX / 2, 1), 0);
}

static void
test_cli(void **state)
{
	char *help[] = {"bin/dis-node", "--help", NULL};
	char *no_cmd[] = {"bin/dis-node", NULL};
	char *no_trust[] = {"bin/dis-node", "join", "tcp://127.0.0.1:1", "--cert", "x.curve", "--server-key", "y", NULL};
	char *bad_slots[] = {"bin/dis-node", "join", "--insecure", "--slots", "0", NULL};
	char *bad_cap[] = {"bin/dis-node", "join", "--insecure", "--capability", "GPU", NULL};
	char *bad_id[] = {"bin/dis-node", "join", "--insecure", "--node-id", "a/b", "--cert", "c", "--server-key", "k", NULL};
	char *unknown[] = {"bin/dis-node", "join", "--bogus", NULL};
	char *bad_cert[] = {"bin/dis-node", "join", "--insecure", "--cert", DIR_ "/none.curve", "--server-key",
			    DIR_ "/none.curve.pub", "--work", DIR_ "/work", NULL};
	RunResult r;

	(void)state;
	fresh_dir();
	r = run_cmd(help, NULL, 5000);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: dis-node join"));
	assert_non_null(strstr(r.out, "--insecure"));
	run_free(&r);

	r = run_cmd(no_cmd, NULL, 5000);
	assert_int_equal(r.status, 2);
	run_free(&r);

	r = run_cmd(no_trust, NULL, 5000);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "dis-node: no trust store: give --trust DIR"));
	assert_non_null(strstr(r.err, "--insecure"));
	run_free(&r);

	r = run_cmd(bad_slots, NULL, 5000);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "dis-node: --slots: '0' is not a number from 1 to 4096\n");
	run_free(&r);

	r = run_cmd(bad_cap, NULL, 5000);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "dis-node: --capability 'GPU': not 1-64 of [a-z0-9_.-]\n");
	run_free(&r);

	r = run_cmd(bad_id, NULL, 5000);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "dis-node: --node-id 'a/b': not 1-64 of [A-Za-z0-9._-]\n");
	run_free(&r);

	r = run_cmd(unknown, NULL, 5000);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "dis-node: unknown option --bogus (see dis-node --help)\n");
	run_free(&r);

	/* Usage is right; the certificate cannot be read: exit 1, naming it. */
	r = run_cmd(bad_cert, NULL, 5000);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "dis-node: " DIR_ "/none.curve"));
	run_free(&r);
}

typedef struct Spooled {
	char text[64];
	uint64_t next;     /* offset the next chunk must have */
	int chunks;
} Spooled;

static int
spooled_chunk(void *arg, uint64_t offset, const uint8_t *data, size_t len)
{
	Spooled *sp = arg;

	assert_int_equal(offset, sp->next);
	assert_true(len <= PROTO_MAX_OUTPUT_CHUNK);
	strncat(sp->text, (const char *)data, len);
	sp->next += len;
	sp->chunks++;
	return AC_OK;
}

static void
test_spool(void **state)
{
	NodeTask t;
	AcErr err;
	Spooled sp = {"", 0, 0};
	char path[PATH_MAX];

	(void)state;
	fresh_dir();
	memset(&t, 0, sizeof t);
	t.job_id = 12;
	t.attempt = 3;
	t.spool_fd[0] = t.spool_fd[1] = -1;
	node_spool_path(DIR_, &t, 1, path, sizeof path);
	assert_string_equal(path, DIR_ "/12.3.2");
	assert_int_equal(node_spool_open(DIR_ "/none", &t, &err), AC_EIO);
	assert_non_null(strstr(err.msg, DIR_ "/none/12.3.1"));
	assert_int_equal(t.spool_fd[0], -1);

	assert_int_equal(node_spool_open(DIR_, &t, &err), AC_OK);
	/* Bounded over both streams: 16 bytes here, the rest is not kept. */
	node_spool_write(&t, 0, (const uint8_t *)"hello ", 6, 16);
	node_spool_write(&t, 1, (const uint8_t *)"oops", 4, 16);
	node_spool_write(&t, 0, (const uint8_t *)"world, and more", 15, 16);
	node_spool_write(&t, 1, (const uint8_t *)"more", 4, 16);
	assert_int_equal(t.spooled[0], 12);
	assert_int_equal(t.spooled[1], 4);
	node_spool_close(&t);
	assert_int_equal(node_spool_each(DIR_, &t, 0, spooled_chunk, &sp, &err), AC_OK);
	assert_string_equal(sp.text, "hello world,");
	sp = (Spooled){"", 0, 0};
	assert_int_equal(node_spool_each(DIR_, &t, 1, spooled_chunk, &sp, &err), AC_OK);
	assert_string_equal(sp.text, "oops");

	/* Removed with the task's ack. */
	node_spool_remove(DIR_, &t);
	assert_int_equal(access(DIR_ "/12.3.1", F_OK), -1);
	assert_int_equal(access(DIR_ "/12.3.2", F_OK), -1);
}

/* A long stream comes back in chunks of at most PROTO_MAX_OUTPUT_CHUNK,
 * offsets from 0. */
static void
test_spool_chunks(void **state)
{
	NodeTask t;
	AcErr err;
	Spooled sp = {"", 0, 0};
	static uint8_t buf[3 * PROTO_MAX_OUTPUT_CHUNK / 2];

	(void)state;
	fresh_dir();
	memset(&t, 0, sizeof t);
	t.job_id = 1;
	t.attempt = 1;
	memset(buf, 0, sizeof buf);
	assert_int_equal(node_spool_open(DIR_, &t, &err), AC_OK);
	node_spool_write(&t, 0, buf, sizeof buf, NODE_MAX_SPOOL_BYTES);
	node_spool_write(&t, 0, buf, sizeof buf, NODE_MAX_SPOOL_BYTES);
	assert_int_equal(node_spool_each(DIR_, &t, 0, spooled_chunk, &sp, &err), AC_OK);
	assert_int_equal(sp.next, 2 * sizeof buf);
	assert_int_equal(sp.chunks, 3);
	node_spool_remove(DIR_, &t);
}

TEST_MAIN("node", cmocka_unit_test(test_spool), cmocka_unit_test(test_spool_chunks), cmocka_unit_test(test_cache_put_has), cmocka_unit_test(test_cache_damaged),
	  cmocka_unit_test(test_sysinfo), cmocka_unit_test(test_capability_names), cmocka_unit_test(test_memory_rule),
	  cmocka_unit_test(test_cli))
