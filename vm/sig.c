/*
 * Limbo type-signature hashes. See vm/sig.h for the encoding; the builtin
 * modules' signatures are generated from module/ (vm/builtin.h).
 */
#include "vm/sig.h"
#include "base/base.h"

uint32_t
vm_sig_hash(const char *sigstr)
{
	return ac_sig_hash(sigstr);
}
