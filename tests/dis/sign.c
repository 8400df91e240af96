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

/* A real module the build makes: signing covers any module's bytes. */
static DisModule *
hello_module(void)
{
	AcErr err;
	DisModule *m = dis_module_load("examples/hello/hello.dis", &err);

	if (m == NULL)
		print_error("%s (run make first)\n", err.msg);
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
	DisModule *m = hello_module(), *back;
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
	back = dis_module_read(buf, len, "hello.dis", &err);
	assert_non_null(back);
	trust = dis_trust_load(DIR_ "/t1", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_verify(back, trust, "hello.dis", signer, &err), AC_OK);
	assert_string_equal(signer, "alice");
	/* signing again replaces the block: with another key, alice's
	 * signature is gone and only the new signer verifies */
	{
		DisKey z;
		DisTrust *zt;
		char id[2 * DIS_KEYID_BYTES + 1], zid[2 * DIS_KEYID_BYTES + 1];
		assert_int_equal(dis_key_generate(&z, &err), AC_OK);
		fresh_dir(DIR_ "/t1z");
		assert_int_equal(dis_key_save(&z, DIR_ "/t1z/zed", 0, &err), AC_OK);
		zt = dis_trust_load(DIR_ "/t1z", &err);
		assert_non_null(zt);
		assert_int_equal(dis_module_sign(back, &z, &err), AC_OK);
		assert_int_equal(back->siglen, DIS_SIG_BYTES);
		assert_int_equal(dis_module_sig_id(back, "hello.dis", id, &err), AC_OK);
		dis_key_id(z.pub, zid);
		assert_string_equal(id, zid);
		assert_int_equal(dis_module_verify(back, zt, "hello.dis", signer, &err), AC_OK);
		assert_string_equal(signer, "zed");
		assert_int_equal(dis_module_verify(back, trust, "hello.dis", signer, &err), AC_ESIG);
		dis_trust_free(zt);
	}
	assert_int_equal(dis_module_sign(back, &loaded, &err), AC_OK);
	assert_int_equal(back->siglen, DIS_SIG_BYTES);
	assert_int_equal(dis_module_verify(back, trust, "hello.dis", signer, &err), AC_OK);
	assert_string_equal(signer, "alice");
	/* the secret key file is 0600, the public one is not secret */
	{
		struct stat st;
		assert_int_equal(stat(DIR_ "/t1/alice.key", &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(stat(DIR_ "/t1/alice.pub", &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
	}
	dis_module_free(back);
	dis_trust_free(trust);
	dis_module_free(m);
	free(buf);
}

/* Any single byte changed, magic and signature block included: refused
 * (by the reader, the block's format, the key id or the signature), never
 * accepted. Bounded: hello.dis is a few hundred bytes; each byte is tried
 * with two different flips. */
static void
test_every_changed_byte_fails(void **state)
{
	DisKey k;
	DisTrust *trust;
	DisModule *m = hello_module(), *back;
	AcErr err;
	uint8_t *buf;
	size_t len;
	int refused = 0, tried = 0;
	static const uint8_t flips[] = {0x01, 0x80};

	fresh_dir(DIR_ "/t2");
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	assert_int_equal(dis_key_save(&k, DIR_ "/t2/bob", 0, &err), AC_OK);
	trust = dis_trust_load(DIR_ "/t2", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_sign(m, &k, &err), AC_OK);
	assert_int_equal(dis_module_write(m, &buf, &len, &err), AC_OK);
	assert_true(len < 4096);
	for (size_t i = 0; i < len; i++) {
		for (size_t f = 0; f < sizeof flips; f++) {
			buf[i] ^= flips[f];
			back = dis_module_read(buf, len, "hello.dis", &err);
			if (back == NULL || dis_module_verify(back, trust, "hello.dis", NULL, &err) != AC_OK)
				refused++;
			dis_module_free(back);
			buf[i] ^= flips[f];
			tried++;
		}
	}
	assert_int_equal(refused, tried);
	/* and the untouched bytes still verify */
	back = dis_module_read(buf, len, "hello.dis", &err);
	assert_non_null(back);
	assert_int_equal(dis_module_verify(back, trust, "hello.dis", NULL, &err), AC_OK);
	/* a change in the module body reads as a mismatch, not a format error */
	buf[len - 1] ^= 0x01;
	dis_module_free(back);
	back = dis_module_read(buf, len, "hello.dis", &err);
	if (back != NULL) {
		assert_int_equal(dis_module_verify(back, trust, "hello.dis", NULL, &err), AC_ESIG);
		assert_string_equal(err.msg, "hello.dis: signature does not match its contents");
		dis_module_free(back);
	}
	dis_trust_free(trust);
	dis_module_free(m);
	free(buf);
}

static void
test_unknown_unsigned_garbled(void **state)
{
	DisKey k, other;
	DisTrust *trust;
	DisModule *m = hello_module();
	AcErr err;
	char id[2 * DIS_KEYID_BYTES + 1], want[200];
	FILE *f;

	fresh_dir(DIR_ "/t3");
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	assert_int_equal(dis_key_generate(&other, &err), AC_OK);
	assert_int_equal(dis_key_save(&other, DIR_ "/t3/carol", 0, &err), AC_OK);
	trust = dis_trust_load(DIR_ "/t3", &err);
	assert_non_null(trust);
	assert_int_equal(dis_module_verify(m, trust, "hello.dis", NULL, &err), AC_ESIG);
	assert_string_equal(err.msg, "hello.dis: not signed");
	assert_int_equal(dis_module_sign(m, &k, &err), AC_OK);
	assert_int_equal(dis_module_verify(m, trust, "hello.dis", NULL, &err), AC_ESIG);
	dis_key_id(k.pub, id);
	snprintf(want, sizeof want, "hello.dis: signed by unknown key %s", id);
	assert_string_equal(err.msg, want);
	dis_trust_free(trust);
	f = fopen(DIR_ "/t3/bad.pub", "w");
	assert_non_null(f);
	fputs("ed25519 0123\n", f);
	fclose(f);
	assert_null(dis_trust_load(DIR_ "/t3", &err));
	assert_string_equal(err.msg, DIR_ "/t3/bad.pub: not an Ed25519 key file");
	/* a well-formed block is reported without any trust store */
	assert_int_equal(dis_module_sig_id(m, "hello.dis", want, &err), AC_OK);
	assert_string_equal(want, id);
	dis_module_free(m);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Missing, empty, short, garbled and inconsistent key files: one line
 * naming the file, and nothing of the key left behind. */
static void
test_garbled_keys(void **state)
{
	static const char *bad[] = {
		"",
		"ed25519",
		"ed25519 \n",
		"ed25519 0011223344556677\n",
		"ed25519 zz00112233445566778899aabbccddeeff00112233445566778899aabbccddee\n",
		"ed25519 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\n",
		"ed25519 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nmore\n",
		"rsa 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"ed25519-secret 0011\n",
		"\x01\x02\x03 binary",
	};
	DisKey k, l;
	AcErr err;
	char line[300], hex[2 * DIS_SECKEY_BYTES + 1];

	fresh_dir(DIR_ "/t4");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put(DIR_ "/t4/k.pub", bad[i]);
		assert_int_equal(dis_key_load(&l, DIR_ "/t4/k.pub", &err), AC_EFORMAT);
		assert_string_equal(err.msg, DIR_ "/t4/k.pub: not an Ed25519 key file");
		assert_false(l.has_sec);
	}
	assert_int_equal(dis_key_load(&l, DIR_ "/t4/none.key", &err), AC_EIO);
	assert_non_null(strstr(err.msg, DIR_ "/t4/none.key: "));
	assert_null(strchr(err.msg, '\n'));
	/* a secret key whose public half is not its seed's */
	assert_int_equal(dis_key_generate(&k, &err), AC_OK);
	k.sec[DIS_SECKEY_BYTES - 1] ^= 1;
	for (int j = 0; j < DIS_SECKEY_BYTES; j++)
		snprintf(hex + 2 * j, 3, "%02x", k.sec[j]);
	snprintf(line, sizeof line, "ed25519-secret %s\n", hex);
	put(DIR_ "/t4/k.key", line);
	assert_int_equal(dis_key_load(&l, DIR_ "/t4/k.key", &err), AC_EFORMAT);
	assert_string_equal(err.msg, DIR_ "/t4/k.key: not an Ed25519 key file");
	/* the same file with the right half loads, with its name */
	k.sec[DIS_SECKEY_BYTES - 1] ^= 1;
	for (int j = 0; j < DIS_SECKEY_BYTES; j++)
		snprintf(hex + 2 * j, 3, "%02x", k.sec[j]);
	snprintf(line, sizeof line, "ed25519-secret %s\n", hex);
	put(DIR_ "/t4/k.key", line);
	assert_int_equal(dis_key_load(&l, DIR_ "/t4/k.key", &err), AC_OK);
	assert_true(l.has_sec);
	assert_memory_equal(l.pub, k.pub, DIS_PUBKEY_BYTES);
	assert_string_equal(l.name, "k");
	/* a public key cannot sign */
	{
		DisModule *m = hello_module();
		put(DIR_ "/t4/k.pub", "ed25519 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
		assert_int_equal(dis_key_load(&l, DIR_ "/t4/k.pub", &err), AC_OK);
		assert_false(l.has_sec);
		assert_int_equal(dis_module_sign(m, &l, &err), AC_EINVAL);
		assert_int_equal(m->magic, DIS_XMAGIC);
		dis_module_free(m);
	}
}

TEST_MAIN("dis/sign",
          cmocka_unit_test(test_sign_verify_round_trip),
          cmocka_unit_test(test_every_changed_byte_fails),
          cmocka_unit_test(test_unknown_unsigned_garbled),
          cmocka_unit_test(test_garbled_keys))
