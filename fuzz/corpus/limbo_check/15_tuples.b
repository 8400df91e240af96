implement Tuples;

include "sys.m";
	sys: Sys;
include "draw.m";

Tuples: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

minmax(a: array of int): (int, int)
{
	lo := a[0];
	hi := a[0];
	for(i := 1; i < len a; i++){
		if(a[i] < lo)
			lo = a[i];
		if(a[i] > hi)
			hi = a[i];
	}
	return (lo, hi);
}

split(s: string, c: int): (string, string)
{
	for(i := 0; i < len s; i++)
		if(s[i] == c)
			return (s[0:i], s[i+1:]);
	return (s, nil);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := 1;
	b := 2;
	(a, b) = (b, a);
	sys->print("swap %d %d\n", a, b);
	(x, y, z) := (1, "two", 3.0);
	sys->print("decl %d %s %g\n", x, y, z);
	t := (4, "four");
	(n, s) := t;
	sys->print("from var %d %s\n", n, s);
	(lo, hi) := minmax(array[] of {5, -2, 9, 0});
	sys->print("minmax %d %d\n", lo, hi);
	(k, v) := split("key=value", '=');
	sys->print("split %s %s\n", k, v);
	(k, v) = split("novalue", '=');
	sys->print("split %s %d\n", k, v == nil);
	nested := ((1, 2), "n");
	((p, q), r) := nested;
	sys->print("nested %d %d %s\n", p, q, r);
	(nil, second) := (10, 20);
	sys->print("ignore %d\n", second);
	arr := array[2] of (int, string);
	arr[0] = (1, "x");
	arr[1] = (2, "y");
	(i1, s1) := arr[1];
	sys->print("array %d %s\n", i1, s1);
	tl1: (int, big, real, string);
	tl1 = (1, big 2, 3.5, "four");
	(w1, w2, w3, w4) := tl1;
	sys->print("mixed %d %bd %g %s\n", w1, w2, w3, w4);
	(c1, c2, c3) := (0, 0, 0);
	(c1, c2, c3) = (c2 + 1, c1 + 2, c3 + 3);
	sys->print("multi %d %d %d\n", c1, c2, c3);
}
