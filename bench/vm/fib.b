implement Fib;

# Recursive Fibonacci: calls and integer arithmetic. Prints fib(32).

include "sys.m";
	sys: Sys;
include "draw.m";

Fib: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

fib(n: int): int
{
	if(n < 2)
		return n;
	return fib(n-1) + fib(n-2);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("%d\n", fib(32));
}
