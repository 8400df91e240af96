/*
 * fuzz/npy_load: the NPY reader (ml_npy_load_mem) on the input bytes.  A
 * tensor it returns is contiguous and holds exactly the file's elements.
 */
#include "fuzz/fuzz.h"
#include "ml/ml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AcErr err;
	MlTensor *t;

	if (ml_npy_load_mem(data, size, "fuzz.npy", &t, &err) != AC_OK)
		return 0;
	if (!ml_tensor_is_contiguous(t))
		fuzz_fail("npy_load_mem returned a tensor that is not contiguous");
	if (ml_tensor_nbytes(t) > size)
		fuzz_fail("npy_load_mem returned %zu bytes from a %zu-byte file", ml_tensor_nbytes(t), size);
	ml_tensor_unref(t);
	return 0;
}
