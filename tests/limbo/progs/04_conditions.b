implement Conditions;

include "sys.m";
	sys: Sys;
include "draw.m";

Conditions: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

calls := 0;

t(v: int): int
{
	calls++;
	return v;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	for(a := 0; a < 2; a++)
		for(b := 0; b < 2; b++){
			calls = 0;
			andv := t(a) && t(b);
			orv := t(a) || t(b);
			sys->print("%d %d: and %d or %d not %d calls %d\n", a, b, andv, orv, !a, calls);
		}
	x := 5;
	if(x > 3 && x < 10)
		sys->print("in range\n");
	if(x < 3 || x == 5)
		sys->print("either\n");
	if(!(x == 4))
		sys->print("not four\n");
	if(x > 10)
		sys->print("big\n");
	else if(x > 4)
		sys->print("medium\n");
	else
		sys->print("small\n");
	s: string;
	if(s == nil && len s == 0)
		sys->print("nil string\n");
	l: list of int;
	if(l == nil || hd l == 0)
		sys->print("short circuit protects hd\n");
	v := !0 + !7 + (x > 1 && x < 9);
	sys->print("v %d\n", v);
	n := 0;
	while(n < 10 && !(n*n > 20))
		n++;
	sys->print("n %d\n", n);
}
