implement ModVar;

include "sys.m";
	sys: Sys;
include "draw.m";
include "25_helper.m";
	helper: Helper;

ModVar: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

# A loaded module's global variable, read and written through the handle.
init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	helper = load Helper Helper->PATH;
	helper->init("vars");
	sys->print("var %s\n", helper->greeting);
	helper->greeting = "changed";
	sys->print("var %s\n", helper->greeting);
}
