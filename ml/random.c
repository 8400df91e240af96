/* Seeded random numbers: xoshiro256** from splitmix64, normal tensors
 * (Box-Muller) and permutations (Fisher-Yates). */
#include "ml/ml_impl.h"

#include <math.h>

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
ml_rng_seed(MlRng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	/* splitmix64 is a bijection of distinct counters: the four outputs
	 * are never all zero. */
}

uint64_t
ml_rng_next(MlRng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
ml_rng_below(MlRng *r, uint64_t n)
{
	uint64_t x, lim;

	if (n == 0)
		return 0;
	/* Reject the lowest 2^64 mod n values so every residue is equally likely. */
	lim = (0 - n) % n;
	do
		x = ml_rng_next(r);
	while (x < lim);
	return x % n;
}

double
ml_rng_uniform(MlRng *r)
{
	return (double)(ml_rng_next(r) >> 11) * 0x1.0p-53;
}

MlTensor *
ml_tensor_randn(int ndim, const int64_t *shape, double std, uint64_t seed, AcErr *err)
{
	MlTensor *t;
	MlRng r;
	int64_t n;
	const double two_pi = 6.283185307179586476925286766559;

	if (!(std >= 0 && isfinite(std))) {
		ac_err_set(err, AC_EINVAL, "tensor_randn: std %g is not a finite value >= 0", std);
		return NULL;
	}
	t = ml_tensor_new(ndim, shape, err);
	if (t == NULL)
		return NULL;
	ml_rng_seed(&r, seed);
	n = ml_tensor_numel(t);
	for (int64_t i = 0; i < n; i += 2) {
		double u1 = 1.0 - ml_rng_uniform(&r);  /* (0, 1]: log is finite */
		double u2 = ml_rng_uniform(&r);
		double rad = sqrt(-2.0 * log(u1));

		ML_F32(t)[i] = (float)(std * rad * cos(two_pi * u2));
		if (i + 1 < n)
			ML_F32(t)[i + 1] = (float)(std * rad * sin(two_pi * u2));
	}
	return t;
}

int
ml_perm(int32_t n, uint64_t seed, int32_t *out, AcErr *err)
{
	MlRng r;

	if (n < 0)
		return ac_err_set(err, AC_EINVAL, "perm: n = %d is negative", (int)n);
	if (n > 0 && out == NULL)
		return ac_err_set(err, AC_EINVAL, "perm: nil output");
	for (int32_t i = 0; i < n; i++)
		out[i] = i;
	ml_rng_seed(&r, seed);
	for (int32_t i = n - 1; i > 0; i--) {
		int32_t j = (int32_t)ml_rng_below(&r, (uint64_t)i + 1);
		int32_t x = out[i];

		out[i] = out[j];
		out[j] = x;
	}
	return AC_OK;
}
