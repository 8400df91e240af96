implement Poly;

include "sys.m";
	sys: Sys;
include "draw.m";

Poly: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Stack: adt[T] {
	items:	list of T;
	n:	int;
};

reverse[T](l: list of T): list of T
{
	r: list of T;
	for(; l != nil; l = tl l)
		r = hd l :: r;
	return r;
}

count[T](l: list of T): int
{
	n := 0;
	for(; l != nil; l = tl l)
		n++;
	return n;
}

push[T](s: ref Stack[T], x: T)
{
	s.items = x :: s.items;
	s.n++;
}

pop[T](s: ref Stack[T]): T
{
	x := hd s.items;
	s.items = tl s.items;
	s.n--;
	return x;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	for(l := reverse(list of {"a", "b", "c"}); l != nil; l = tl l)
		sys->print("%s", hd l);
	sys->print(" %d\n", count(list of {"x", "y"}));
	s := ref Stack[string](nil, 0);
	push(s, "one");
	push(s, "two");
	p := pop(s);
	sys->print("%s %d\n", p, s.n);
	v := ref Stack[list of string](nil, 0);
	push(v, "p" :: "q" :: nil);
	q := hd tl pop(v);
	sys->print("%d %s\n", v.n, q);
}
