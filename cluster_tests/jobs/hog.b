implement Hog;

# Takes more than a node allows, chosen by argument: "threads" spawns 100
# threads that wait forever, "output" prints without end.

include "sys.m";
	sys: Sys;
include "draw.m";

Hog: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	case hd tl argv {
	"threads" =>
		c := chan of int;
		for(i := 0; i < 100; i++)
			spawn waiter(c);
		<-c;
	"output" =>
		line := "";
		for(i := 0; i < 999; i++)
			line[i] = 'x';
		line[999] = '\n';
		for(;;)
			sys->print("%s", line);
	}
}

waiter(c: chan of int)
{
	<-c;
}
