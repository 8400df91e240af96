/*
 * fuzz/dis_asm: the assembler (dis_asm) on the input as `limbo -S` text.
 * A module it assembles is encoded too (dis_module_write), which must not
 * crash; whether the loader then accepts it is not asked, since the
 * assembler takes what the author wrote (a branch past the end, say).
 */
#include "fuzz/fuzz.h"
#include "dis/dis.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AcErr err;
	DisModule *m;
	uint8_t *out = NULL;
	size_t outlen = 0;

	m = dis_asm((const char *)data, size, "fuzz.s", &err);
	if (m == NULL)
		return 0;
	if (dis_module_write(m, &out, &outlen, &err) == AC_OK)
		free(out);
	dis_module_free(m);
	return 0;
}
