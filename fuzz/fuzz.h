/*
 * fuzz: libFuzzer harnesses, one file each, built by `make fuzz` with clang
 * (-fsanitize=fuzzer,address,undefined) into build/fuzz/bin/. Each defines
 * LLVMFuzzerTestOneInput over one parser of hostile input and must free
 * everything it makes (ASan's leak check is on) and write nothing outside
 * /tmp. An invariant the harness checks beyond "no crash" fails with
 * fuzz_fail, which aborts so libFuzzer keeps the input.
 *
 * Follows: LLVM's libFuzzer documentation (llvm.org/docs/LibFuzzer.html).
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point: one input, borrowed. Returns 0 (keep fuzzing). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken invariant on stderr and aborts (libFuzzer saves the input). */
#define fuzz_fail(...) \
	do { \
		fprintf(stderr, "fuzz: " __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} while (0)

#endif
