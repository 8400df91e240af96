implement Ttyprobe;

# Says whether the process has a controlling terminal: /dev/tty opens
# only for one that has (tests/vm/sandbox: dis-run --sandbox leaves it).

include "sys.m";
	sys: Sys;
include "draw.m";

Ttyprobe: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	if(sys->open("/dev/tty", Sys->OREAD) != nil)
		sys->print("tty\n");
	else
		sys->print("notty: %r\n");
}
