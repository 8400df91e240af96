/*
 * fuzz/gguf_load: the GGUF reader (ml_gguf_open_mem) on the input bytes.
 * A file it accepts has every metadata value readable through its typed
 * getter and every tensor either viewable in place or refused with an
 * error; each view's bytes are read (ASan sees any read outside the file).
 */
#include "fuzz/fuzz.h"
#include "ml/ml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AcErr err;
	MlGguf *g = ml_gguf_open_mem(data, size, "fuzz.gguf", &err);
	volatile uint8_t sink = 0;

	if (g == NULL)
		return 0;
	for (int64_t i = 0; i < ml_gguf_kv_count(g); i++) {
		const char *k = ml_gguf_key(g, i), *s;
		MlGgufType et;
		uint64_t n;
		const void *p;

		if (ml_gguf_kv_type(g, i) == ML_GGUF_STR && ml_gguf_get_str(g, k, &s, &n, &err) != AC_OK)
			fuzz_fail("key %s: get_str refused a string: %s", k, err.msg);
		if (ml_gguf_kv_type(g, i) == ML_GGUF_ARR &&
		    ml_gguf_get_arr(g, k, &et, &n, &p, &err) != AC_OK)
			fuzz_fail("key %s: get_arr refused an array: %s", k, err.msg);
	}
	for (int64_t i = 0; i < ml_gguf_tensor_count(g); i++) {
		MlGgufTensorInfo in;

		if (ml_gguf_tensor_info(g, i, &in, &err) != AC_OK)
			fuzz_fail("tensor_info %lld: %s", (long long)i, err.msg);
		if (in.offset > size || in.bytes > size - in.offset)
			fuzz_fail("tensor '%s': data [%llu, +%llu) outside the %zu-byte file", in.name,
			          (unsigned long long)in.offset, (unsigned long long)in.bytes, size);
		for (uint64_t j = 0; j < in.bytes; j++)
			sink ^= data[in.offset + j];
		MlTensor *t = ml_gguf_tensor(g, in.name, &err);
		ml_tensor_unref(t);
	}
	ml_gguf_close(g);
	(void)sink;
	return 0;
}
