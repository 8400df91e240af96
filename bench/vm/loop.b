implement Loop;

# A tight loop: sum of i for i in 0..99,999,999, accumulated as big.

include "sys.m";
	sys: Sys;
include "draw.m";

Loop: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

N: con 100000000;

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	n := N;
	if(argv != nil && tl argv != nil)
		n = int hd tl argv;
	s := big 0;
	for(i := 0; i < n; i++)
		s += big i;
	sys->print("%bd\n", s);
}
