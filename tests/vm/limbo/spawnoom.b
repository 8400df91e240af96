implement Spawnoom;

# Spawns threads that never end until the heap quota runs out: the spawn
# that finds no room for the new thread's stack raises "out of memory",
# which the spawner's handler catches.

include "sys.m";
	sys: Sys;
include "draw.m";

Spawnoom: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	c := chan of int;
	n := 0;
	{
		for(; n < 1000000; n++)
			spawn blocker(c);
	} exception e {
	"*" =>
		sys->print("caught '%s' %d\n", e, n > 10);
	}
}

blocker(c: chan of int)
{
	<-c;
}
