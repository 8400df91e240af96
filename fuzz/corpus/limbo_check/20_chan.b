implement Chans;

include "sys.m";
	sys: Sys;
include "draw.m";

Chans: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	b := chan[4] of int;
	for(i := 0; i < 4; i++)
		b <-= i * i;
	s := 0;
	for(i = 0; i < 4; i++)
		s += <-b;
	sys->print("buffered sum %d\n", s);
	sc := chan[2] of string;
	sc <-= "first";
	sc <-= "second";
	sys->print("%s %s\n", <-sc, <-sc);
	tc := chan[1] of (int, string);
	tc <-= (7, "seven");
	(n, w) := <-tc;
	sys->print("tuple %d %s\n", n, w);
	rc := chan[1] of ref Sys->FD;
	rc <-= nil;
	sys->print("nil ref %d\n", <-rc == nil);
	u := chan of int;
	spawn producer(u, 5);
	t := 0;
	while((x := <-u) >= 0)
		t += x;
	sys->print("unbuffered total %d\n", t);
	cc := chan[1] of chan of int;
	inner := chan[1] of int;
	cc <-= inner;
	(<-cc) <-= 99;
	sys->print("chan of chan %d\n", <-inner);
	nc: chan of int;
	sys->print("nil chan %d\n", nc == nil);
	bc := chan[3] of byte;
	bc <-= byte 'a';
	rb := <-bc;
	sys->print("byte %c\n", int rb);
}

producer(c: chan of int, n: int)
{
	for(i := 1; i <= n; i++)
		c <-= i;
	c <-= -1;
}
