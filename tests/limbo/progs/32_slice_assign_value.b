# A slice assignment is an expression: its value is the array sliced
# (Inferno's growing idiom, appl/cmd/install/proto2list.b:
# l.as = (array[2*l.n] of Element)[0:] = l.as).
implement SliceAssignValue;

include "sys.m";
	sys: Sys;
include "draw.m";

SliceAssignValue: module
{
	init: fn(nil: ref Draw->Context, nil: list of string);
};

Element: type (string, int);

L: adt {
	as: array of Element;
	n: int;
};

add(l: ref L, e: Element)
{
	if(l.n == len l.as)
		l.as = (array[2*l.n] of Element)[0:] = l.as;
	l.as[l.n++] = e;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	l := ref L(array[1] of Element, 0);
	for(i := 0; i < 5; i++)
		add(l, ("e" + string i, i * i));
	sys->print("len %d n %d\n", len l.as, l.n);
	for(i = 0; i < l.n; i++)
		sys->print("%s=%d\n", l.as[i].t0, l.as[i].t1);

	b := array[2] of {1, 2};
	c := array[5] of {* => 9};
	d := c[1:] = b;
	sys->print("%d %d %d %d %d same %d\n", d[0], d[1], d[2], d[3], d[4], d == c);
	x := array[3] of byte;
	(x[0:] = array of byte "ab")[2] = byte 'c';
	sys->print("%s\n", string x);
}
