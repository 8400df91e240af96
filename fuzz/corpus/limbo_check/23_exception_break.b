implement ExcBreak;

# break in a handler arm leaves the handler (Inferno makes the arms a break
# target); break in the protected block leaves the loop.
include "sys.m"; sys: Sys;
include "draw.m";
ExcBreak: module { init: fn(nil: ref Draw->Context, argv: list of string); };
init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	for(i := 0; i < 3; i++){
		{
			if(i == 1) break;
			raise "x";
		} exception {
		"x" =>
			break;
		}
		sys->print("after %d\n", i);
	}
	sys->print("done\n");
}
