implement Hello;

# The smallest Limbo command: `limbo hello.b && dis-run hello.dis [NAME]`.

include "sys.m";
	sys: Sys;
include "draw.m";

Hello: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	who := "world";
	if(argv != nil && tl argv != nil)
		who = hd tl argv;
	sys->print("hello, %s\n", who);
}
