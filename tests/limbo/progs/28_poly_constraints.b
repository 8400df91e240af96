implement PolyConstraints;

# Polymorphic functions whose type variables must have functions
# (for { T => f: fn(...); }): T.f(...) and v.f(...) (a self parameter),
# a constrained function calling another with its own T, two type
# variables of which one is constrained (Inferno's Sort), a module value
# as the instantiation, and the instantiated result type (w.s).

include "sys.m";
	sys: Sys;
include "draw.m";

PolyConstraints: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
	lt:	fn(a, b: string): int;
};

Ord: module
{
	lt:	fn(a, b: string): int;
};

Word: adt {
	s:	string;
	n:	int;
	eq:	fn(a, b: ref Word): int;
	gt:	fn(a: self ref Word, b: ref Word): int;
};

Word.eq(a, b: ref Word): int
{
	return a.s == b.s;
}

Word.gt(a: self ref Word, b: ref Word): int
{
	return a.n > b.n;
}

Rev: adt {
	gt:	fn(r: self ref Rev, x, y: string): int;
};

Rev.gt(nil: self ref Rev, x, y: string): int
{
	return x < y;
}

lt(a, b: string): int
{
	return a < b;
}

member[T](x: T, l: list of T): int
	for { T => eq: fn(a, b: T): int; }
{
	for(; l != nil; l = tl l)
		if(T.eq(x, hd l))
			return 1;
	return 0;
}

uniq[T](l: list of T): list of T
	for { T => eq: fn(a, b: T): int; }
{
	r: list of T;
	for(; l != nil; l = tl l)
		if(!member(hd l, r))
			r = hd l :: r;
	return r;
}

max[T](l: list of T): T
	for { T => gt: fn(a: self T, b: T): int; }
{
	m := hd l;
	for(l = tl l; l != nil; l = tl l)
		if((hd l).gt(m))
			m = hd l;
	return m;
}

sort[S, T](s: S, a: array of T)
	for { S => gt: fn(s: self S, x, y: T): int; }
{
	for(i := 1; i < len a; i++)
		for(j := i; j > 0 && s.gt(a[j-1], a[j]); j--)
			(a[j-1], a[j]) = (a[j], a[j-1]);
}

least[M](nil: M, l: list of string): string
	for { M => lt: fn(a, b: string): int; }
{
	x := hd l;
	for(; l != nil; l = tl l)
		if(M.lt(hd l, x))
			x = hd l;
	return x;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	l := ref Word("b", 3) :: ref Word("a", 9) :: ref Word("b", 1) :: ref Word("c", 4) :: ref Word("a", 2) :: nil;
	sys->print("%d %d\n", member(ref Word("c", 0), l), member(ref Word("d", 0), l));
	for(u := uniq(l); u != nil; u = tl u)
		sys->print("%s%d ", (hd u).s, (hd u).n);
	sys->print("\n");
	w := max(l);
	sys->print("max %s %d\n", w.s, w.n);
	a := array[] of {"m", "z", "a", "q"};
	sort(ref Rev, a);
	for(i := 0; i < len a; i++)
		sys->print("%s ", a[i]);
	sys->print("\n");
	o := load Ord "$self";
	if(o == nil)
		sys->print("no self\n");
	else
		sys->print("least %s\n", least(o, "m" :: "d" :: "x" :: nil));
}
