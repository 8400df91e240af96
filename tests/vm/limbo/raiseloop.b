implement Raiseloop;

# Raises and catches forever: each exception leaves the interpreter loop,
# so the budget must count it there.

include "sys.m";
include "draw.m";

Raiseloop: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	for(;;) {
		{
			raise "again";
		} exception {
		"again" =>
			;
		}
	}
}
