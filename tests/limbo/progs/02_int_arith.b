implement IntArith;

include "sys.m";
	sys: Sys;
include "draw.m";

IntArith: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := 17;
	b := 5;
	sys->print("%d %d %d %d %d\n", a+b, a-b, a*b, a/b, a%b);
	sys->print("%d %d %d %d\n", -a/b, -a%b, a/-b, a%-b);
	sys->print("%d %d %d\n", a<<3, a>>2, -a>>1);
	sys->print("%d %d %d %d\n", a&b, a|b, a^b, ~a);
	sys->print("%d %d\n", -a, -(-a));
	sys->print("%d %d %d\n", 2**10, 3**0, (-2)**3);
	x := 16r7fffffff;
	x++;
	sys->print("wrap %d\n", x);
	y := -x;
	sys->print("neg min %d\n", y);
	z := 16r10000;
	sys->print("mul wrap %d\n", z*z);
	c := 10;
	c += 5;
	c -= 3;
	c *= 4;
	c /= 3;
	c %= 7;
	sys->print("assignops %d\n", c);
	c = 6;
	c <<= 4;
	c >>= 1;
	c &= 16rf8;
	c |= 3;
	c ^= 16r41;
	sys->print("bitops %d\n", c);
	c **= 2;
	sys->print("pow %d\n", c);
	i := 0;
	i++;
	i++;
	i--;
	sys->print("incdec %d\n", i);
	sys->print("radix %d %d %d %d\n", 8r17, 2r1011, 16rFF, 36rZZ);
	sys->print("char %d %d\n", 'a', '\n');
	sys->print("prec %d %d %d\n", 2+3*4, (2+3)*4, 1<<2+1);
	sys->print("fmt [%5d] [%-5d] [%x] [%X] [%o] [%05d]\n", 42, 42, 255, 255, 8, 42);
}
