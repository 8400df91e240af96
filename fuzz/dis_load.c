/*
 * fuzz/dis_load: the .dis reader and validator (dis_module_read) on the
 * input bytes. A module it accepts must also encode (dis_module_write), and
 * the bytes written must read back: the writer and the validator agree on
 * what a module is.
 */
#include "fuzz/fuzz.h"
#include "dis/dis.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AcErr err;
	DisModule *m, *again;
	uint8_t *out = NULL;
	size_t outlen = 0;

	m = dis_module_read(data, size, "fuzz.dis", &err);
	if (m == NULL)
		return 0;
	if (dis_module_write(m, &out, &outlen, &err) != AC_OK)
		fuzz_fail("dis_module_write refused a module dis_module_read accepted: %s", err.msg);
	again = dis_module_read(out, outlen, "rewritten.dis", &err);
	if (again == NULL)
		fuzz_fail("a rewritten module does not read back: %s", err.msg);
	dis_module_free(again);
	free(out);
	dis_module_free(m);
	return 0;
}
