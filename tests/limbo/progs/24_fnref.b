implement FnRefs;

include "sys.m";
	sys: Sys;
include "draw.m";

FnRefs: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

double(x: int): int
{
	return 2 * x;
}

square(x: int): int
{
	return x * x;
}

map(f: ref fn(x: int): int, a: array of int): array of int
{
	r := array[len a] of int;
	for(i := 0; i < len a; i++)
		r[i] = f(a[i]);
	return r;
}

compose(fs: list of ref fn(x: int): int, x: int): int
{
	for(; fs != nil; fs = tl fs)
		x = (hd fs)(x);
	return x;
}

pick1(op: string): ref fn(x: int): int
{
	if(op == "double")
		return double;
	return square;
}

Op: adt {
	name:	string;
	f:	ref fn(a, b: int): int;
};

add(a, b: int): int
{
	return a + b;
}

sub(a, b: int): int
{
	return a - b;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	f := double;
	sys->print("call %d\n", f(21));
	r := map(square, array[] of {1, 2, 3, 4});
	sys->print("map %d %d %d %d\n", r[0], r[1], r[2], r[3]);
	sys->print("compose %d\n", compose(double :: square :: double :: nil, 3));
	sys->print("pick %d %d\n", pick1("double")(5), pick1("square")(5));
	ops := array[] of {Op("add", add), Op("sub", sub)};
	for(i := 0; i < len ops; i++)
		sys->print("%s %d\n", ops[i].name, ops[i].f(10, 3));
	g: ref fn(x: int): int;
	sys->print("nil %d\n", g == nil);
	g = square;
	sys->print("eq %d %d\n", g == square, g == f);
}
