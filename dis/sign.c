/*
 * Signed modules: Ed25519 keys through libsodium, the signature block of
 * an SMAGIC module (format in dis/dis.h), and trust stores.
 */
#include "dis/dis.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct DisTrust {
	int n;
	DisKey *key;
};

static int
sodium_ready(AcErr *err)
{
	if (sodium_init() < 0)
		return ac_err_set(err, AC_EDEVICE, "libsodium failed to initialise");
	return AC_OK;
}

int
dis_key_generate(DisKey *k, AcErr *err)
{
	int rc = sodium_ready(err);

	if (rc != AC_OK)
		return rc;
	memset(k, 0, sizeof *k);
	crypto_sign_keypair(k->pub, k->sec);
	k->has_sec = 1;
	return AC_OK;
}

void
dis_key_id(const uint8_t pub[DIS_PUBKEY_BYTES], char *out)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pub, DIS_PUBKEY_BYTES);
	sodium_bin2hex(out, 2 * DIS_KEYID_BYTES + 1, h, DIS_KEYID_BYTES);
}

/* Writes a key file atomically; a secret one is 0600 from the start.
 * Without overwrite an existing file, even one that appears meanwhile, is
 * left alone. */
static int
write_key_file(const char *path, const char *text, int secret, int overwrite, AcErr *err)
{
	unsigned mode = secret ? 0600 : 0644;
	int rc;

	if (overwrite)
		return ac_file_write_atomic_mode(path, text, strlen(text), mode, err);
	rc = ac_file_write_new_mode(path, text, strlen(text), mode, err);
	if (rc == AC_EINVAL)
		return ac_err_set(err, AC_EINVAL, "%s: exists (use -f to replace it)", path);
	return rc;
}

int
dis_key_save(const DisKey *k, const char *base, int overwrite, AcErr *err)
{
	char path[4096], line[300], hex[2 * DIS_SECKEY_BYTES + 1];
	int rc;

	if (!k->has_sec)
		return ac_err_set(err, AC_EINVAL, "%s: no secret key to save", base);
	snprintf(path, sizeof path, "%s.key", base);
	sodium_bin2hex(hex, sizeof hex, k->sec, DIS_SECKEY_BYTES);
	snprintf(line, sizeof line, "ed25519-secret %s\n", hex);
	rc = write_key_file(path, line, 1, overwrite, err);
	sodium_memzero(line, sizeof line);
	sodium_memzero(hex, sizeof hex);
	if (rc != AC_OK)
		return rc;
	snprintf(path, sizeof path, "%s.pub", base);
	sodium_bin2hex(hex, sizeof hex, k->pub, DIS_PUBKEY_BYTES);
	snprintf(line, sizeof line, "ed25519 %s\n", hex);
	return write_key_file(path, line, 0, overwrite, err);
}

int
dis_key_load(DisKey *k, const char *path, AcErr *err)
{
	uint8_t *buf;
	size_t len, binlen;
	const char *hex, *end;
	int rc = sodium_ready(err);
	const char *slash, *dot;

	if (rc != AC_OK)
		return rc;
	memset(k, 0, sizeof *k);
	rc = ac_file_read(path, &buf, &len, err);
	if (rc != AC_OK)
		return rc;
	if (len > 7 && memcmp(buf, "ed25519 ", 8) == 0) {
		hex = (const char *)buf + 8;
		rc = sodium_hex2bin(k->pub, DIS_PUBKEY_BYTES, hex, len - 8, "\n", &binlen, &end);
		if (rc != 0 || binlen != DIS_PUBKEY_BYTES || (*end != 0 && *end != '\n'))
			goto bad;
	} else if (len > 15 && memcmp(buf, "ed25519-secret ", 15) == 0) {
		hex = (const char *)buf + 15;
		rc = sodium_hex2bin(k->sec, DIS_SECKEY_BYTES, hex, len - 15, "\n", &binlen, &end);
		if (rc != 0 || binlen != DIS_SECKEY_BYTES || (*end != 0 && *end != '\n'))
			goto bad;
		/* The second half is the public key: it must be the one the
		 * seed (first half) makes, or signatures would never verify. */
		{
			uint8_t pk[DIS_PUBKEY_BYTES], sk[DIS_SECKEY_BYTES], seed[crypto_sign_SEEDBYTES];
			crypto_sign_ed25519_sk_to_seed(seed, k->sec);
			crypto_sign_seed_keypair(pk, sk, seed);
			rc = sodium_memcmp(pk, k->sec + crypto_sign_SEEDBYTES, DIS_PUBKEY_BYTES);
			sodium_memzero(sk, sizeof sk);
			sodium_memzero(seed, sizeof seed);
			if (rc != 0)
				goto bad;
			memcpy(k->pub, pk, DIS_PUBKEY_BYTES);
		}
		k->has_sec = 1;
	} else {
		goto bad;
	}
	sodium_memzero(buf, len);
	free(buf);
	slash = strrchr(path, '/');
	slash = slash != NULL ? slash + 1 : path;
	dot = strrchr(slash, '.');
	snprintf(k->name, sizeof k->name, "%.*s", (int)(dot != NULL ? dot - slash : (long)strlen(slash)), slash);
	return AC_OK;
bad:
	sodium_memzero(buf, len);
	free(buf);
	sodium_memzero(k, sizeof *k);
	return ac_err_set(err, AC_EFORMAT, "%s: not an Ed25519 key file", path);
}

/* The bytes a signature covers: m as an unsigned module. */
static int
signed_bytes(const DisModule *m, uint8_t **out, size_t *len, AcErr *err)
{
	DisModule u = *m;

	u.magic = DIS_XMAGIC;
	u.siglen = 0;
	u.sig = NULL;
	return dis_module_write(&u, out, len, err);
}

int
dis_module_sign(DisModule *m, const DisKey *k, AcErr *err)
{
	uint8_t *msg, *block;
	size_t len;
	int rc = sodium_ready(err);

	if (rc != AC_OK)
		return rc;
	if (!k->has_sec)
		return ac_err_set(err, AC_EINVAL, "%s: not a secret key", k->name);
	rc = signed_bytes(m, &msg, &len, err);
	if (rc != AC_OK)
		return rc;
	block = malloc(DIS_SIG_BYTES);
	if (block == NULL) {
		free(msg);
		return ac_err_set(err, AC_ENOMEM, "out of memory signing");
	}
	block[0] = 1;
	memcpy(block + 1, "ed25519", 7);
	{
		uint8_t h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, k->pub, DIS_PUBKEY_BYTES);
		memcpy(block + 8, h, DIS_KEYID_BYTES);
	}
	crypto_sign_detached(block + 16, NULL, msg, len, k->sec);
	free(msg);
	free(m->sig);
	m->sig = block;
	m->siglen = DIS_SIG_BYTES;
	m->magic = DIS_SMAGIC;
	return AC_OK;
}

DisTrust *
dis_trust_load(const char *dir, AcErr *err)
{
	DisTrust *t;
	DIR *d;
	struct dirent *e;

	if (sodium_ready(err) != AC_OK)
		return NULL;
	d = opendir(dir);
	if (d == NULL) {
		ac_err_set(err, AC_EIO, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (t == NULL)
		goto nomem;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char path[4096];
		DisKey *nk;
		if (n < 5 || strcmp(e->d_name + n - 4, ".pub") != 0)
			continue;
		nk = realloc(t->key, (size_t)(t->n + 1) * sizeof *nk);
		if (nk == NULL)
			goto nomem;
		t->key = nk;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (dis_key_load(&t->key[t->n], path, err) != AC_OK) {
			closedir(d);
			dis_trust_free(t);
			return NULL;
		}
		t->n++;
	}
	closedir(d);
	return t;
nomem:
	closedir(d);
	dis_trust_free(t);
	ac_err_set(err, AC_ENOMEM, "%s: out of memory", dir);
	return NULL;
}

void
dis_trust_free(DisTrust *t)
{
	if (t == NULL)
		return;
	free(t->key);
	free(t);
}

/* The block's format, shared by dis_module_sig_id and dis_module_verify. */
static int
sig_check_format(const DisModule *m, const char *name, AcErr *err)
{
	if (m->magic != DIS_SMAGIC || m->siglen == 0)
		return ac_err_set(err, AC_ESIG, "%s: not signed", name);
	if (m->siglen != DIS_SIG_BYTES || m->sig[0] != 1 || memcmp(m->sig + 1, "ed25519", 7) != 0)
		return ac_err_set(err, AC_ESIG, "%s: unknown signature format", name);
	return AC_OK;
}

int
dis_module_sig_id(const DisModule *m, const char *name, char *id, AcErr *err)
{
	int rc = sig_check_format(m, name, err);

	if (rc != AC_OK)
		return rc;
	sodium_bin2hex(id, 2 * DIS_KEYID_BYTES + 1, m->sig + 8, DIS_KEYID_BYTES);
	return AC_OK;
}

int
dis_module_verify(const DisModule *m, const DisTrust *trust, const char *name, char *signer, AcErr *err)
{
	const DisKey *k = NULL;
	char id[2 * DIS_KEYID_BYTES + 1];
	uint8_t *msg;
	size_t len;
	int rc = sodium_ready(err);

	if (rc != AC_OK)
		return rc;
	rc = dis_module_sig_id(m, name, id, err);
	if (rc != AC_OK)
		return rc;
	for (int i = 0; trust != NULL && i < trust->n && k == NULL; i++) {
		uint8_t h[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(h, trust->key[i].pub, DIS_PUBKEY_BYTES);
		if (memcmp(h, m->sig + 8, DIS_KEYID_BYTES) == 0)
			k = &trust->key[i];
	}
	if (k == NULL)
		return ac_err_set(err, AC_ESIG, "%s: signed by unknown key %s", name, id);
	rc = signed_bytes(m, &msg, &len, err);
	if (rc != AC_OK)
		return rc;
	rc = crypto_sign_verify_detached(m->sig + 16, msg, len, k->pub);
	free(msg);
	if (rc != 0)
		return ac_err_set(err, AC_ESIG, "%s: signature does not match its contents", name);
	if (signer != NULL)
		snprintf(signer, 64, "%s", k->name);
	return AC_OK;
}
