implement Matmul;

# Naive product of two 200x200 real matrices (arrays of rows), five
# times. The entries are small multiples of 1/16 and 1/8, so every sum is
# exact. Prints the sum of all entries of the five products.

include "sys.m";
	sys: Sys;
include "draw.m";

Matmul: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

N: con 200;
REPS: con 5;

matrix(n: int): array of array of real
{
	m := array[n] of array of real;
	for(i := 0; i < n; i++)
		m[i] = array[n] of { * => 0.0 };
	return m;
}

mul(a, b, c: array of array of real, n: int)
{
	for(i := 0; i < n; i++){
		ai := a[i];
		ci := c[i];
		for(j := 0; j < n; j++){
			s := 0.0;
			for(k := 0; k < n; k++)
				s += ai[k] * b[k][j];
			ci[j] = s;
		}
	}
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := matrix(N);
	b := matrix(N);
	c := matrix(N);
	i, j: int;
	for(i = 0; i < N; i++)
		for(j = 0; j < N; j++){
			a[i][j] = real ((i + 2*j) % 17) * 0.0625;
			b[i][j] = real ((3*i + j) % 13) * 0.125;
		}
	total := 0.0;
	for(r := 0; r < REPS; r++){
		mul(a, b, c, N);
		for(i = 0; i < N; i++)
			for(j = 0; j < N; j++)
				total += c[i][j];
	}
	sys->print("%.4f\n", total);
}
