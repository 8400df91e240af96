implement Sieve;

# Sieve of Eratosthenes over a byte array: primes below 10,000,000,
# three times. Prints the total count over the three runs.

include "sys.m";
	sys: Sys;
include "draw.m";

Sieve: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

N: con 10000000;

sieve(n: int): int
{
	composite := array[n] of { * => byte 0 };
	for(i := 2; i*i < n; i++)
		if(composite[i] == byte 0)
			for(j := i*i; j < n; j += i)
				composite[j] = byte 1;
	count := 0;
	for(i = 2; i < n; i++)
		if(composite[i] == byte 0)
			count++;
	return count;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	total := 0;
	for(r := 0; r < 3; r++)
		total += sieve(N);
	sys->print("%d\n", total);
}
