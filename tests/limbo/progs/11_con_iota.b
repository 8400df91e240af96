implement ConIota;

include "sys.m";
	sys: Sys;
include "draw.m";

ConIota: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Zero, One, Two, Three: con iota;
Bit0, Bit1, Bit2, Bit3: con 1 << iota;
Ten, Twenty, Thirty: con (iota + 1) * 10;
A, B, C: con iota + 'a';
Name: con "acheron";
Pi: con 3.25;
Max: con 16r7fffffff;
Big: con big 1 << 40;
Sum: con Two + Three * Ten;
Msg: con Name + "/limbo";
K1, K2: con 5;

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	sys->print("%d %d %d %d\n", Zero, One, Two, Three);
	sys->print("%d %d %d %d\n", Bit0, Bit1, Bit2, Bit3);
	sys->print("%d %d %d\n", Ten, Twenty, Thirty);
	sys->print("%c %c %c\n", A, B, C);
	sys->print("%s %d %g %d %bd\n", Name, len Name, Pi, Max, Big);
	sys->print("%d %s %d %d\n", Sum, Msg, K1, K2);
	sys->print("%d\n", Bit1 | Bit3);
	a := array[Three] of int;
	sys->print("len %d\n", len a);
	sys->print("%s\n", Name[0:3]);
	sys->print("sys con %d %d\n", Sys->OREAD, Sys->OWRITE);
}
