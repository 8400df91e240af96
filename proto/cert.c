/* CurveZMQ certificates: key pairs in Z85 text files, and allow lists. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "proto/proto.h"

struct ProtoAllow {
	uint8_t (*keys)[32];
	size_t n;
};

int
proto_cert_generate(ProtoCert *c, AcErr *err)
{
	memset(c, 0, sizeof *c);
	if (zmq_curve_keypair(c->public_key, c->secret_key) != 0)
		return ac_err_set(err, AC_EINVAL, "cannot make a CURVE key pair: %s", zmq_strerror(errno));
	c->has_secret = 1;
	return AC_OK;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
proto_cert_save(const ProtoCert *c, const char *base, int overwrite, AcErr *err)
{
	char sec[4096], pub[4096], text[512];
	int n;

	if (!c->has_secret)
		return ac_err_set(err, AC_EINVAL, "%s: certificate has no secret key", base);
	if ((size_t)snprintf(sec, sizeof sec, "%s.curve", base) >= sizeof sec ||
	    (size_t)snprintf(pub, sizeof pub, "%s.curve.pub", base) >= sizeof pub)
		return ac_err_set(err, AC_EINVAL, "%s: name too long", base);
	if (!overwrite && (exists(sec) || exists(pub)))
		return ac_err_set(err, AC_EINVAL, "%s: exists (use -f to replace it)", exists(sec) ? sec : pub);
	n = snprintf(text, sizeof text,
		     "# Acheron CurveZMQ certificate: keep this file secret\n"
		     "public-key = \"%s\"\nsecret-key = \"%s\"\n",
		     c->public_key, c->secret_key);
	/* Exclusive unless replacing: a file that appeared since the check above
	 * is not overwritten either. */
	if ((overwrite ? ac_file_write_atomic_mode(sec, text, (size_t)n, 0600, err)
		       : ac_file_write_new_mode(sec, text, (size_t)n, 0600, err)) != AC_OK)
		return err->code;
	n = snprintf(text, sizeof text, "# Acheron CurveZMQ public certificate\npublic-key = \"%s\"\n", c->public_key);
	if ((overwrite ? ac_file_write_atomic_mode(pub, text, (size_t)n, 0644, err)
		       : ac_file_write_new_mode(pub, text, (size_t)n, 0644, err)) != AC_OK) {
		remove(sec);
		return err->code;
	}
	return AC_OK;
}

/* A Z85 key: 40 characters that decode to 32 bytes. */
static int
z85_ok(const char *s)
{
	uint8_t raw[32];

	return strlen(s) == PROTO_KEY_Z85 && zmq_z85_decode(raw, s) != NULL;
}

int
proto_cert_load(ProtoCert *c, const char *path, AcErr *err)
{
	uint8_t *buf;
	size_t len;
	char *line, *save = NULL;
	int lineno = 0, rc = AC_OK;

	memset(c, 0, sizeof *c);
	if (ac_file_read(path, &buf, &len, err) != AC_OK)
		return err->code;
	if (strlen((char *)buf) != len) {
		free(buf);
		return ac_err_set(err, AC_EFORMAT, "%s: not a text file", path);
	}
	for (line = strtok_r((char *)buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char key[32], val[64];
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == 0 || *line == '\r')
			continue;
		if (sscanf(line, "%31[a-z-] = \"%63[^\"]\"", key, val) != 2 || !z85_ok(val)) {
			rc = ac_err_set(err, AC_EFORMAT, "%s:%d: expected public-key = \"Z85 key\"", path, lineno);
			break;
		}
		if (strcmp(key, "public-key") == 0) {
			memcpy(c->public_key, val, PROTO_KEY_Z85 + 1);
		} else if (strcmp(key, "secret-key") == 0) {
			memcpy(c->secret_key, val, PROTO_KEY_Z85 + 1);
			c->has_secret = 1;
		} else {
			rc = ac_err_set(err, AC_EFORMAT, "%s:%d: unknown field %s", path, lineno, key);
			break;
		}
	}
	free(buf);
	if (rc == AC_OK && c->public_key[0] == 0)
		rc = ac_err_set(err, AC_EFORMAT, "%s: no public-key line", path);
	if (rc == AC_OK && c->has_secret) {
		char derived[PROTO_KEY_Z85 + 1];
		if (zmq_curve_public(derived, c->secret_key) != 0 || strcmp(derived, c->public_key) != 0)
			rc = ac_err_set(err, AC_EFORMAT, "%s: public and secret keys do not belong together", path);
	}
	if (rc != AC_OK)
		memset(c, 0, sizeof *c);
	return rc;
}

ProtoAllow *
proto_allow_load(const char *dir, AcErr *err)
{
	ProtoAllow *a = ac_calloc(1, sizeof *a, "allow list", err);
	DIR *d;
	struct dirent *e;

	if (a == NULL)
		return NULL;
	if ((d = opendir(dir)) == NULL) {
		ac_err_set(err, AC_EIO, "%s: %s", dir, strerror(errno));
		free(a);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char path[4096];
		ProtoCert c;
		void *p;
		if (n < 10 || strcmp(e->d_name + n - 10, ".curve.pub") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (proto_cert_load(&c, path, err) != AC_OK ||
		    (p = ac_realloc(a->keys, (a->n + 1) * sizeof a->keys[0], "allow list", err)) == NULL) {
			closedir(d);
			proto_allow_free(a);
			return NULL;
		}
		a->keys = p;
		zmq_z85_decode(a->keys[a->n++], c.public_key);
	}
	closedir(d);
	return a;
}

void
proto_allow_free(ProtoAllow *a)
{
	if (a == NULL)
		return;
	free(a->keys);
	free(a);
}

int
proto_allow_has(const ProtoAllow *a, const uint8_t key[32])
{
	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (memcmp(a->keys[i], key, 32) == 0)
			return 1;
	return 0;
}

size_t
proto_allow_count(const ProtoAllow *a)
{
	return a == NULL ? 0 : a->n;
}
