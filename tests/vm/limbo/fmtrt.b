implement Fmtrt;

# print with a format built at run time, so no compiler can check it
# against the arguments: %s given an int, an array or a ref adt raises,
# and the handler sees it; %s given a string still prints.

include "sys.m";
	sys: Sys;
include "draw.m";

Fmtrt: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

Node: adt {
	v: int;
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	f := "%";
	f += "s|\n";
	try(f, 0);
	try(f, 1);
	try(f, 2);
	sys->print(f, hd args);
}

try(f: string, which: int)
{
	{
		case which {
		0 => sys->print(f, 42);
		1 => sys->print(f, array[3] of int);
		2 => sys->print(f, ref Node(7));
		}
	} exception e {
	"*" =>
		if(len e > 25)
			e = e[0:25];
		sys->print("caught %s\n", e);
	}
}
