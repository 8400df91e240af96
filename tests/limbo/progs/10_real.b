implement Reals;

include "sys.m";
	sys: Sys;
include "draw.m";

Reals: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

include "math.m";
	math: Math;

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	math = load Math Math->PATH;
	a := 7.5;
	b := 2.0;
	sys->print("%g %g %g %g\n", a+b, a-b, a*b, a/b);
	sys->print("neg %g %g\n", -a, -(-b));
	sys->print("f %f %.2f %.0f %e\n", a, 3.14159, 2.5, 12345.678);
	sys->print("g %g %g %g %g\n", 0.1, 1e20, 1.0/3.0, 100000000.0);
	sys->print("int %d %d %d %d\n", int 2.5, int 3.5, int -2.5, int 2.4999);
	sys->print("from int %g %g\n", real 7, real -3 / 2.0);
	sys->print("from big %g\n", real (big 1 << 60));
	sys->print("cmp %d %d %d\n", a > b, a == 7.5, 0.1 + 0.2 == 0.3);
	x := 1.0;
	x += 0.5;
	x *= 4.0;
	x -= 1.0;
	x /= 2.0;
	sys->print("ops %g\n", x);
	sys->print("pow %g\n", 2.0 ** 10);
	s := 0.0;
	for(i := 1; i <= 100; i++)
		s += 1.0 / real i;
	sys->print("harmonic %.10f\n", s);
	sys->print("math %g %g %g %g\n", math->sqrt(2.0), math->floor(-2.5), math->fabs(-3.25), math->pow(2.0, 0.5));
	sys->print("width [%8.3f] [%-8.2f]\n", 3.14159, 2.5);
	sys->print("const %g %g\n", 1.5e-3, .25);
}
