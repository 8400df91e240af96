implement Functions;

include "sys.m";
	sys: Sys;
include "draw.m";

Functions: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

fact(n: int): int
{
	if(n <= 1)
		return 1;
	return n * fact(n-1);
}

fib(n: int): int
{
	if(n < 2)
		return n;
	return fib(n-1) + fib(n-2);
}

gcd(a, b: int): int
{
	while(b != 0)
		(a, b) = (b, a % b);
	return a;
}

divmod(a, b: int): (int, int)
{
	return (a / b, a % b);
}

mix(i: int, s: string, r: real, b: big): string
{
	return sys->sprint("%d/%s/%g/%bd", i, s, r, b);
}

noresult(x: int)
{
	if(x < 0)
		return;
	sys->print("noresult %d\n", x);
}

iseven(n: int): int
{
	if(n == 0)
		return 1;
	return isodd(n-1);
}

isodd(n: int): int
{
	if(n == 0)
		return 0;
	return iseven(n-1);
}

swap(a, b: string): (string, string)
{
	return (b, a);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("fact %d %d\n", fact(5), fact(10));
	sys->print("fib %d\n", fib(20));
	sys->print("gcd %d\n", gcd(1071, 462));
	(q, r) := divmod(47, 5);
	sys->print("divmod %d %d\n", q, r);
	sys->print("mix %s\n", mix(1, "two", 3.5, big 4));
	noresult(-1);
	noresult(3);
	sys->print("even %d odd %d\n", iseven(10), isodd(7));
	(x, y) := swap("left", "right");
	sys->print("swap %s %s\n", x, y);
	t := divmod(100, 7);
	(a, nil) := t;
	sys->print("ignore %d\n", a);
	sys->print("nested %d\n", fact(gcd(fib(8), 6)));
}
