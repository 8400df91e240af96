/*
 * Shared test scaffolding: every tests/<dir>/<name>.c is one cmocka group
 * printed as TAP, so `prove` can run it.
 */
#ifndef TESTS_TEST_H
#define TESTS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>

#define TEST_MAIN(name, ...)                                           \
	int main(void)                                                 \
	{                                                              \
		const struct CMUnitTest tests_[] = {__VA_ARGS__};      \
		cmocka_set_message_output(CM_OUTPUT_TAP);              \
		return cmocka_run_group_tests_name(name, tests_, NULL, NULL); \
	}

/* Compares doubles with a tolerance and prints decimals (cmocka prints hex). */
#define assert_close(got, want, atol, rtol)                                     \
	do {                                                                    \
		double g_ = (got), w_ = (want);                                 \
		if (!(fabs(g_ - w_) <= (atol) + (rtol) * fabs(w_))) {           \
			print_error("%s = %.9g, want %.9g (atol %g, rtol %g)\n", \
			            #got, g_, w_, (double)(atol), (double)(rtol)); \
			fail();                                                 \
		}                                                               \
	} while (0)

#endif
