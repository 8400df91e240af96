implement Bytes;

include "sys.m";
	sys: Sys;
include "draw.m";

Bytes: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	b := byte 250;
	b += byte 10;
	sys->print("wrap %d\n", int b);
	c := byte 3;
	c -= byte 5;
	sys->print("under %d\n", int c);
	d := byte 300;
	sys->print("conv %d %d\n", int d, int byte -1);
	e := byte 16rf0;
	sys->print("ops %d %d %d %d %d\n", int (e & byte 16r3c), int (e | byte 1), int (e ^ byte 16rff), int (e >> 4), int (e << 1));
	sys->print("arith %d %d %d\n", int (byte 7 * byte 3), int (byte 200 / byte 3), int (byte 200 % byte 3));
	buf := array[8] of byte;
	for(i := 0; i < len buf; i++)
		buf[i] = byte (i * 40);
	sum := 0;
	for(i = 0; i < len buf; i++)
		sum += int buf[i];
	sys->print("sum %d last %d\n", sum, int buf[7]);
	s := string array[] of {byte 'o', byte 'k'};
	sys->print("str %s\n", s);
	x := byte 'A';
	x++;
	sys->print("inc %c\n", int x);
	sys->print("cmp %d %d\n", byte 255 > byte 1, byte 0 < byte 128);
	sys->print("real %g big %bd\n", real byte 9, big byte 77);
}
