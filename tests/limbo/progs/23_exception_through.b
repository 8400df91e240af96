implement Through;

# vm-bug: an exception of an exception type that passes through a frame
# whose handler has only string patterns is not caught further up by its
# type: dis-run says "uncaught exception: Through.0.Err" where Inferno
# prints "mid c 4".
include "sys.m";
	sys: Sys;
include "draw.m";
Through: module { init: fn(nil: ref Draw->Context, nil: list of string); };
Err: exception(string, int);
thr(): int raises Err
{
	raise Err("c", 4);
}
mid(): int raises Err
{
	{
		return thr();
	} exception e {
	"fail:*" =>
		sys->print("mid %s\n", e);
		raise;
	}
}
mid2(): int raises Err
{
	return thr();
}
init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	{
		raise Err("a", 1);
	} exception e {
	Err =>
		(s, n) := e;
		sys->print("direct %s %d\n", s, n);
	}
	{
		mid2();
	} exception e {
	Err =>
		(s, n) := e;
		sys->print("mid2 %s %d\n", s, n);
	}
	{
		mid();
	} exception e {
	Err =>
		(s, n) := e;
		sys->print("call %s %d\n", s, n);
	}
}
