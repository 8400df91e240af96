implement Fails;

include "sys.m";
	sys: Sys;
include "draw.m";

Fails: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("about to fail\n");
	raise "fail:deliberate";
}
