implement Adts;

include "sys.m";
	sys: Sys;
include "draw.m";

Adts: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Vec: adt {
	x, y: int;
	Origin: con 0;
	Scale: con 10;

	add:	fn(a: self Vec, b: Vec): Vec;
	len2:	fn(v: self Vec): int;
	text:	fn(v: self Vec): string;
	new:	fn(x, y: int): Vec;
};

Counter: adt {
	name:	string;
	n:	int;
	inc:	fn(c: self ref Counter, by: int): int;
};

Rect: adt {
	min, max: Vec;
	area:	fn(r: self Rect): int;
};

Vec.add(a: self Vec, b: Vec): Vec
{
	return (a.x + b.x, a.y + b.y);
}

Vec.len2(v: self Vec): int
{
	return v.x * v.x + v.y * v.y;
}

Vec.text(v: self Vec): string
{
	return sys->sprint("(%d,%d)", v.x, v.y);
}

Vec.new(x, y: int): Vec
{
	return Vec(x * Vec.Scale, y * Vec.Scale);
}

Counter.inc(c: self ref Counter, by: int): int
{
	c.n += by;
	return c.n;
}

Rect.area(r: self Rect): int
{
	return (r.max.x - r.min.x) * (r.max.y - r.min.y);
}

bump(v: Vec): Vec
{
	v.x++;
	return v;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := Vec(1, 2);
	b: Vec;
	b.x = 3;
	b.y = 4;
	c := a.add(b);
	sys->print("add %s len2 %d\n", c.text(), c.len2());
	sys->print("new %s %d\n", Vec.new(1, 2).text(), Vec.Origin);
	d := a;
	d.x = 100;
	sys->print("copy %d %d\n", a.x, d.x);
	e := bump(a);
	sys->print("byval %d %d\n", a.x, e.x);
	cnt := ref Counter("clicks", 0);
	cnt.inc(2);
	cnt.inc(3);
	alias := cnt;
	alias.inc(10);
	sys->print("%s %d\n", cnt.name, cnt.n);
	r := Rect((1, 1), (4, 5));
	sys->print("area %d\n", r.area());
	r.max.x = 11;
	sys->print("area %d min %s\n", r.area(), r.min.text());
	rr := ref r;
	rr.min = Vec(0, 0);
	rc := *rr;
	sys->print("ref copy %d %d\n", r.area(), rc.area());
	(x, y) := a;
	sys->print("tuple %d %d\n", x, y);
	t: Vec = (7, 8);
	sys->print("from tuple %s\n", t.text());
	vs := array[] of {Vec(1, 1), Vec(2, 2)};
	sys->print("eq %d\n", vs[1].len2() == Vec(2, 2).len2());
}
