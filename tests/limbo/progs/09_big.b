implement Bigs;

include "sys.m";
	sys: Sys;
include "draw.m";

Bigs: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := big 1 << 40;
	b := big 3;
	sys->print("%bd %bd %bd %bd %bd\n", a+b, a-b, a*b, a/b, a%b);
	sys->print("neg %bd %bd\n", -a, -a/b);
	c := big 16r7fffffffffffffff;
	c++;
	sys->print("wrap %bd\n", c);
	sys->print("bits %bd %bd %bd %bd\n", a & big 16rffff0000000, a | b, a ^ big -1, ~b);
	sys->print("shift %bd %bd\n", a >> 20, big -1024 >> 3);
	f := big 1;
	for(i := 1; i <= 20; i++)
		f *= big i;
	sys->print("20! %bd\n", f);
	sys->print("pow %bd\n", big 3 ** 30);
	sys->print("hex %bx\n", big 16rdeadbeefcafe);
	sys->print("int %d %d\n", int (big 1 << 33 | big 5), int big -7);
	sys->print("real %g\n", real (big 1 << 50));
	sys->print("from real %bd\n", big 1.0e15);
	sys->print("from string %bd\n", big "-9000000000");
	sys->print("cmp %d %d\n", big 1 << 35 > big 1 << 34, big -1 < big 0);
	x := big 100;
	x += big 5;
	x -= big 1;
	x *= big 1000000000;
	x /= big 7;
	x %= big 1000000;
	sys->print("ops %bd\n", x);
}
