/*
 * Signed modules: keys round-trip through their files; a signed module
 * verifies against a trust store holding its key; every single changed
 * byte, an unknown signer, no signature and a garbled key file fail with
 * one-line reasons naming the file.
 */
#include "tests/test.h"
#include "tests/run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dis/dis.h"

#define DIR_ "build/tests/dis/sign"

static DisModule *
echo_module(void)
{
	char path[512];
	AcErr err;
	DisModule *m;

	snprintf(path, sizeof path, "%s/dis/echo.dis", inferno_dir());
	m = dis_module_load(path, &err);
	assert_non_null(m);
	return m;
}

static void
fresh_dir(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", d, d);
	assert_int_equal(system(cmd), 0);
}

static void
test_sign_verify_round_trip(void **state)
{
	DisKey k, loaded;
	DisTrust *trust;
	DisModule *m = echo_module(), *back;
	AcErr err;
	uint8_t *buf;
	size_t len;
	char signer[64];

	fresh_dir(DIR_ "/t1");
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	assert_int_equal(dis_key_save(&k, DIR_ "/t1/alice", 0, &err), AC_OK);
	assert_int_equal(dis_key_save(&k, DIR_ "/t1/alice", 0, &err), AC_EINVAL);
	assert_string_equal(err.msg, DIR_ "/t1/alice.key: exists (use -f to replace it)");
	assert_int_equal(dis_key_load(&loaded, DIR_ "/t1/alice.key", &err), AC_OK);
	assert_true(loaded.has_sec);
	assert_memory_equal(loaded.pub, k.pub, DIS_PUBKEY_BYTES);
	assert_string_equal(loaded.name, "alice");
	assert_int_equal(dis_module_sign(m, &loaded, &err), AC_OK);
	assert_int_equal(m->magic, DIS_SMAGIC);
	assert_int_equal(m->siglen, DIS_SIG_BYTES);
	/* written and read back, it still verifies */
	assert_int_equal(dis_module_write(m, &buf, &len, &err), AC_OK);
	back = dis_module_read(buf, len, "echo.dis", &err);
	assert_non_null(back);
	trust = dis_trust_load(DIR_ "/t1", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_verify(back, trust, "echo.dis", signer, &err), AC_OK);
	assert_string_equal(signer, "alice");
	/* signing again replaces the block */
	assert_int_equal(dis_module_sign(back, &loaded, &err), AC_OK);
	assert_int_equal(back->siglen, DIS_SIG_BYTES);
	assert_int_equal(dis_module_verify(back, trust, "echo.dis", signer, &err), AC_OK);
	dis_module_free(back);
	dis_trust_free(trust);
	dis_module_free(m);
	free(buf);
}

/* Any single byte changed after the block: refused (by the reader or by
 * the signature), never accepted. */
static void
test_every_changed_byte_fails(void **state)
{
	DisKey k;
	DisTrust *trust;
	DisModule *m = echo_module(), *back;
	AcErr err;
	uint8_t *buf;
	size_t len, sigend;
	int refused = 0;

	fresh_dir(DIR_ "/t2");
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	assert_int_equal(dis_key_save(&k, DIR_ "/t2/bob", 0, &err), AC_OK);
	trust = dis_trust_load(DIR_ "/t2", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_sign(m, &k, &err), AC_OK);
	assert_int_equal(dis_module_write(m, &buf, &len, &err), AC_OK);
	sigend = 4 + 2 + DIS_SIG_BYTES;  /* magic, OP siglen, block */
	for (size_t i = sigend; i < len; i++) {
		buf[i] ^= 0x01;
		back = dis_module_read(buf, len, "echo.dis", &err);
		if (back == NULL || dis_module_verify(back, trust, "echo.dis", NULL, &err) != AC_OK)
			refused++;
		dis_module_free(back);
		buf[i] ^= 0x01;
	}
	assert_int_equal(refused, (int)(len - sigend));
	dis_trust_free(trust);
	dis_module_free(m);
	free(buf);
}

static void
test_unknown_unsigned_garbled(void **state)
{
	DisKey k, other;
	DisTrust *trust;
	DisModule *m = echo_module();
	AcErr err;
	char id[2 * DIS_KEYID_BYTES + 1], want[200];
	FILE *f;

	fresh_dir(DIR_ "/t3");
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	assert_int_equal(dis_key_generate(&other, &err), AC_OK);
	assert_int_equal(dis_key_save(&other, DIR_ "/t3/carol", 0, &err), AC_OK);
	trust = dis_trust_load(DIR_ "/t3", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_verify(m, trust, "echo.dis", NULL, &err), AC_ESIG);
	assert_string_equal(err.msg, "echo.dis: not signed");
	assert_int_equal(dis_module_sign(m, &k, &err), AC_OK);
	assert_int_equal(dis_module_verify(m, trust, "echo.dis", NULL, &err), AC_ESIG);
	dis_key_id(k.pub, id);
	snprintf(want, sizeof want, "echo.dis: signed by unknown key %s", id);
	assert_string_equal(err.msg, want);
	dis_trust_free(trust);
	f = fopen(DIR_ "/t3/bad.pub", "w");
	assert_non_null(f);
	fputs("ed25519 0123\n", f);
	fclose(f);
	assert_null(dis_trust_load(DIR_ "/t3", &err));
	assert_string_equal(err.msg, DIR_ "/t3/bad.pub: not an Ed25519 key file");
	dis_module_free(m);
}

TEST_MAIN("dis/sign",
          cmocka_unit_test(test_sign_verify_round_trip),
          cmocka_unit_test(test_every_changed_byte_fails),
          cmocka_unit_test(test_unknown_unsigned_garbled))
