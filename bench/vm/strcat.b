implement Strcat;

# Grow a string one character at a time with s[len s] = c, 1,000,000
# times. Prints the length and the sum of the characters.

include "sys.m";
	sys: Sys;
include "draw.m";

Strcat: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

N: con 1000000;

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	s := "";
	for(i := 0; i < N; i++)
		s[len s] = 'a' + i % 26;
	sum := 0;
	for(i = 0; i < len s; i++)
		sum += s[i];
	sys->print("%d %d\n", len s, sum);
}
