implement Through;

# An exception value is caught by its type only in the frame that raised
# it and in that frame's caller; further up it is the string of its name
# (Inferno's handler()). mid2 is inlined (its body is `return thr();`), so
# thr's caller is init: caught. mid is not, so init sees a string: the
# program ends with an uncaught exception.
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
