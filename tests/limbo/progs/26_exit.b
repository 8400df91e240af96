implement Exits;

include "sys.m";
	sys: Sys;
include "draw.m";

Exits: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("before\n");
	c := chan of int;
	spawn quitter(c);
	<-c;
	sys->print("main continues\n");
	f();
	sys->print("not reached\n");
}

quitter(c: chan of int)
{
	sys->print("quitter\n");
	c <-= 1;
	exit;
}

f()
{
	sys->print("in f\n");
	exit;
}
