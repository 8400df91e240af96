implement Sleep;

# Sleeps argv[1] milliseconds (default 0), then prints "slept N" and the rest
# of its arguments: the cluster tests' unit of work.

include "sys.m";
	sys: Sys;
include "draw.m";

Sleep: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	argv = tl argv;
	ms := 0;
	if(argv != nil){
		ms = int hd argv;
		argv = tl argv;
	}
	if(ms > 0)
		sys->sleep(ms);
	s := "";
	for(; argv != nil; argv = tl argv)
		s += " " + hd argv;
	sys->print("slept %d%s\n", ms, s);
}
