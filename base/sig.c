/* Dis type signatures as Inferno's compiler and loader compute them. */
#include <md5.h>
#include <string.h>

#include "base/base.h"

uint32_t
ac_sig_hash(const char *sigstr)
{
	MD5_CTX ctx;
	uint8_t d[MD5_DIGEST_LENGTH];
	uint32_t h = 0;

	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)sigstr, strlen(sigstr));
	MD5Final(d, &ctx);
	/* The digest's four little-endian words, exclusive-or'ed together. */
	for (int i = 0; i < MD5_DIGEST_LENGTH; i += 4)
		h ^= (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
	return h;
}
