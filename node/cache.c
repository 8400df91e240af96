/*
 * The node's module cache: modules by SHA-256 under DIR/HEX.dis. A module's
 * bytes come from the scheduler once per registration; every later task
 * names it by hash only, so the hot path (an assignment of a cached,
 * already verified module) is a lookup in memory, no file system access.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/node.h"

typedef struct CacheEntry {
	uint8_t sha[32];
	int verified;      /* signature checked against the trust store */
} CacheEntry;

struct NodeCache {
	char *dir;
	CacheEntry *v;     /* modules known good this node life */
	size_t n, cap;
};

void
node_sha_hex(const uint8_t sha[32], char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[sha[i] >> 4];
		hex[2 * i + 1] = digits[sha[i] & 15];
	}
	hex[64] = 0;
}

NodeCache *
node_cache_open(const char *dir, AcErr *err)
{
	NodeCache *c;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return ac_err_set(err, AC_EIO, "%s: %s", dir, strerror(errno)), NULL;
	if (access(dir, W_OK | X_OK) != 0)
		return ac_err_set(err, AC_EIO, "%s: %s", dir, strerror(errno)), NULL;
	if ((c = ac_calloc(1, sizeof *c, "module cache", err)) == NULL)
		return NULL;
	if ((c->dir = ac_strdup(dir, err)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
node_cache_free(NodeCache *c)
{
	if (c == NULL)
		return;
	free(c->dir);
	free(c->v);
	free(c);
}

void
node_cache_path(const NodeCache *c, const uint8_t sha[32], char *path, size_t size)
{
	char hex[65];

	node_sha_hex(sha, hex);
	snprintf(path, size, "%s/%s.dis", c->dir, hex);
}

static CacheEntry *
find(const NodeCache *c, const uint8_t sha[32])
{
	for (size_t i = 0; i < c->n; i++)
		if (memcmp(c->v[i].sha, sha, 32) == 0)
			return &c->v[i];
	return NULL;
}

static CacheEntry *
remember(NodeCache *c, const uint8_t sha[32])
{
	CacheEntry *e = find(c, sha);

	if (e != NULL)
		return e;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		CacheEntry *v = realloc(c->v, cap * sizeof *v);
		if (v == NULL)
			return NULL;  /* not remembering only costs a later re-check */
		c->v = v;
		c->cap = cap;
	}
	e = &c->v[c->n++];
	memcpy(e->sha, sha, 32);
	e->verified = 0;
	return e;
}

int
node_cache_put(NodeCache *c, const uint8_t sha[32], const uint8_t *buf, size_t len, AcErr *err)
{
	uint8_t got[32];
	char path[4200], a[65], b[65];

	crypto_hash_sha256(got, buf, len);
	if (memcmp(got, sha, 32) != 0) {
		node_sha_hex(sha, a);
		node_sha_hex(got, b);
		return ac_err_set(err, AC_ESIG, "module bytes do not match their SHA-256 (%.16s..., got %.16s...)", a,
				  b);
	}
	if (find(c, sha) != NULL)
		return AC_OK;
	node_cache_path(c, sha, path, sizeof path);
	/* Written even when a file exists: it may be a damaged one, and this
	 * happens once per module and node life. */
	if (ac_file_write_atomic(path, buf, len, err) != AC_OK)
		return AC_EIO;
	remember(c, sha);
	return AC_OK;
}

int
node_cache_has(NodeCache *c, const uint8_t sha[32], char *path, size_t size)
{
	char p[4200];
	uint8_t *buf = NULL, got[32];
	size_t len;

	node_cache_path(c, sha, p, sizeof p);
	if (path != NULL)
		snprintf(path, size, "%s", p);
	if (find(c, sha) != NULL)
		return 1;
	if (ac_file_read(p, &buf, &len, NULL) != AC_OK)
		return 0;
	crypto_hash_sha256(got, buf, len);
	free(buf);
	if (memcmp(got, sha, 32) != 0) {
		ac_log(AC_LOG_WARN, "dis-node: %s: damaged (bytes do not match the name); removed", p);
		unlink(p);
		return 0;
	}
	remember(c, sha);
	return 1;
}

void
node_cache_set_verified(NodeCache *c, const uint8_t sha[32])
{
	CacheEntry *e = remember(c, sha);

	if (e != NULL)
		e->verified = 1;
}

int
node_cache_verified(const NodeCache *c, const uint8_t sha[32])
{
	const CacheEntry *e = find(c, sha);

	return e != NULL && e->verified;
}
