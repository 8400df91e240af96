implement PolyAdtConstraints;

# A polymorphic adt whose type variable must have a function
# (Set: adt[T] for { T => eq: ... }): its member functions call T.eq
# and each other; the instance Set[ref Word] gives its fields and the
# results of its functions their instantiated types (w.s, (hd s.items).s).

include "sys.m";
	sys: Sys;
include "draw.m";

PolyAdtConstraints: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Word: adt {
	s:	string;
	eq:	fn(a, b: ref Word): int;
};

Word.eq(a, b: ref Word): int
{
	return a.s == b.s;
}

Set: adt[T]
	for { T => eq: fn(a, b: T): int; }
{
	items:	list of T;
	add:	fn(s: self ref Set[T], x: T);
	has:	fn(s: self ref Set[T], x: T): int;
	first:	fn(s: self ref Set[T]): T;
};

Set[T].has(s: self ref Set[T], x: T): int
{
	for(l := s.items; l != nil; l = tl l)
		if(T.eq(hd l, x))
			return 1;
	return 0;
}

Set[T].add(s: self ref Set[T], x: T)
{
	if(!s.has(x))
		s.items = x :: s.items;
}

Set[T].first(s: self ref Set[T]): T
{
	return hd s.items;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	s := ref Set[ref Word](nil);
	s.add(ref Word("a"));
	s.add(ref Word("b"));
	s.add(ref Word("a"));
	sys->print("%d %d %d\n", len s.items, s.has(ref Word("b")), s.has(ref Word("c")));
	w := s.first();
	sys->print("%s\n", w.s);
	sys->print("%s\n", (hd s.items).s);
	t := ref Set[ref Word](ref Word("x") :: nil);
	t.add(w);
	for(l := t.items; l != nil; l = tl l)
		sys->print("%s ", (hd l).s);
	sys->print("%d\n", t.has(ref Word("x")));
}
