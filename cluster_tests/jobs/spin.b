implement Spin;

# Prints "spinning", then computes forever: a task only a timeout, a cancel
# or a CPU limit ends.

include "sys.m";
	sys: Sys;
include "draw.m";

Spin: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("spinning\n");
	n := 0;
	for(;;)
		n++;
}
