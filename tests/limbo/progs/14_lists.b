implement Lists;

include "sys.m";
	sys: Sys;
include "draw.m";

Lists: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

prl(l: list of int)
{
	sys->print("[");
	for(; l != nil; l = tl l)
		sys->print(" %d", hd l);
	sys->print(" ]\n");
}

rev(l: list of int): list of int
{
	r: list of int;
	for(; l != nil; l = tl l)
		r = hd l :: r;
	return r;
}

append(a, b: list of int): list of int
{
	if(a == nil)
		return b;
	return hd a :: append(tl a, b);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	l: list of int;
	sys->print("empty %d %d\n", len l, l == nil);
	for(i := 1; i <= 5; i++)
		l = i :: l;
	prl(l);
	sys->print("len %d hd %d hd tl %d\n", len l, hd l, hd tl l);
	prl(rev(l));
	prl(append(l, 10 :: 20 :: nil));
	m := list of {7, 8, 9};
	prl(m);
	s := list of {"x", "y", "z"};
	for(; s != nil; s = tl s)
		sys->print("%s", hd s);
	sys->print("\n");
	pairs := list of {("a", 1), ("b", 2), ("c", 3)};
	tot := 0;
	for(p := pairs; p != nil; p = tl p){
		(name, v) := hd p;
		sys->print("%s=%d ", name, v);
		tot += v;
	}
	sys->print("tot %d\n", tot);
	ll := (1 :: 2 :: nil) :: (3 :: nil) :: nil;
	sys->print("nested %d %d\n", len ll, hd hd tl ll);
	shared := 100 :: l;
	sys->print("shared %d %d\n", len shared, len l);
	r := "s" :: nil;
	r = "t" :: r;
	sys->print("%s %s\n", hd r, hd tl r);
	big1 := big 1 :: big 2 :: nil;
	sys->print("big %bd\n", hd tl big1);
	reals := 1.5 :: nil;
	sys->print("real %g\n", hd reals);
	{
		e: list of int;
		sys->print("%d\n", hd e);
	} exception x {
	"*" =>
		sys->print("hd nil: %s\n", x);
	}
}
