implement Compare;

include "sys.m";
	sys: Sys;
include "draw.m";

Compare: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

b2s(b: int): string
{
	if(b)
		return "T";
	return "F";
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	vals := array[] of {-3, 0, 2, 2, 7};
	for(i := 0; i < len vals - 1; i++){
		a := vals[i];
		b := vals[i+1];
		sys->print("%d %d: < %s <= %s > %s >= %s == %s != %s\n", a, b,
			b2s(a < b), b2s(a <= b), b2s(a > b), b2s(a >= b), b2s(a == b), b2s(a != b));
	}
	x := big 5;
	y := big -5;
	sys->print("big %s %s %s\n", b2s(x > y), b2s(x == -y), b2s(y >= x));
	r := 1.5;
	s := 2.25;
	sys->print("real %s %s %s\n", b2s(r < s), b2s(r == 1.5), b2s(s <= r));
	p := "apple";
	q := "banana";
	sys->print("string %s %s %s %s\n", b2s(p < q), b2s(p == "apple"), b2s(q >= p), b2s(p != q));
	sys->print("string prefix %s %s\n", b2s("ab" < "abc"), b2s("" < "a"));
	c := byte 200;
	d := byte 10;
	sys->print("byte %s %s\n", b2s(c > d), b2s(c == byte 200));
	sys->print("value %d %d\n", 3 < 4, 4 < 3);
}
