implement Globals;

include "sys.m";
	sys: Sys;
include "draw.m";

Globals: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

counter := 10;
name := "global";
ratio := 0.5;
table := array[] of {"zero", "one", "two"};
lst: list of int;
total: int;
g: big;
init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("%d %s %g %s %d %bd\n", counter, name, ratio, table[2], total, g);
	for(i := 0; i < 5; i++)
		bump(i);
	sys->print("after %d %d\n", counter, total);
	lst = 3 :: 2 :: 1 :: nil;
	sys->print("list %d %d\n", len lst, hd lst);
	name += "!";
	table[0] = name;
	sys->print("%s %s\n", name, table[0]);
	show();
}

bump(n: int)
{
	counter++;
	total += n;
	g += big n;
}

show()
{
	sys->print("show %d %bd %d\n", counter, g, hd tl lst);
}
