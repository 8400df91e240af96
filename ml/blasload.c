/*
 * OpenBLAS, loaded on first use. Linked in directly, its start-up creates
 * worker threads that spin for a while (sched_yield) in every process, and
 * most Dis programs never multiply a matrix: a `dis-run` of a small
 * program spent as much CPU on that as on the program.
 */
#include "ml/ml_impl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static MlBlas blas;
static char blas_error[256];
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void
blas_load(void)
{
	static const char *const names[] = {"libopenblas.so.0", "libopenblas.so"};
	void *h = NULL;

	/* After each call OpenBLAS's workers spin (sched_yield) for 2^28
	 * cycles by default before sleeping: between a training step's many
	 * small products that is most of two cores, taken from our own
	 * thread pool. 2^4 makes them sleep at once. Read when the library
	 * starts, so set before dlopen; a user's setting stands. */
	setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
	for (size_t i = 0; i < sizeof names / sizeof names[0] && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(blas_error, sizeof blas_error, "cannot load OpenBLAS: %s", dlerror());
		return;
	}
	/* The handle stays open for the life of the process. */
	*(void **)&blas.sgemm = dlsym(h, "cblas_sgemm");
	*(void **)&blas.dgemm = dlsym(h, "cblas_dgemm");
	*(void **)&blas.ddot = dlsym(h, "cblas_ddot");
	*(void **)&blas.dnrm2 = dlsym(h, "cblas_dnrm2");
	*(void **)&blas.corename = dlsym(h, "openblas_get_corename");
	if (blas.sgemm == NULL || blas.dgemm == NULL || blas.ddot == NULL || blas.dnrm2 == NULL) {
		snprintf(blas_error, sizeof blas_error, "OpenBLAS lacks a cblas function");
		blas.sgemm = NULL;
	}
}

const MlBlas *
ml_blas(AcErr *err)
{
	pthread_once(&blas_once, blas_load);
	if (blas.sgemm == NULL) {
		ac_err_set(err, AC_EDEVICE, "%s", blas_error);
		return NULL;
	}
	return &blas;
}
