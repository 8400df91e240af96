implement Confuse;

# The attack of issue 14 in plain Limbo: confuselib.dis loaded through a
# module type whose variables have other types than the library's own
# (the loader checks functions' signatures, not data). The library writes
# ints; this program reads them as an array, a channel and a module. Once
# the VM kept host addresses in the arena (an array's data pointer, a
# module's function table), which this reached; now a forged value is an
# offset into the program's own memory, checked where it is used.
# Prints what each step saw (tests/vm/hostile checks it).

include "sys.m";
	sys: Sys;
include "draw.m";

Confuse: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

Evil: module
{
	PATH:	con "confuselib.dis";
	a:	array of byte;
	c:	chan of int;
	m:	Sys;
	seta:	fn(v: int);
	geta:	fn(): int;
	setc:	fn(v: int);
	setm:	fn(v: int);
};

put32(b: array of byte, o: int, v: int)
{
	b[o] = byte v;
	b[o+1] = byte (v >> 8);
	b[o+2] = byte (v >> 16);
	b[o+3] = byte (v >> 24);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	evil := load Evil Evil->PATH;
	if(evil == nil){
		sys->print("load: %r\n");
		raise "fail:load";
	}

	# The address of a real array, read as an int: an offset into the
	# program's arena, not a host address.
	buf := array[64] of {* => byte 0};
	evil->a = buf;
	addr := evil->geta();
	sys->print("address %d\n", addr);

	# A forged array in buf's bytes: a heap header (count 1000, so
	# dropping it frees nothing) then len 16r7fffffff, data 0.
	put32(buf, 8, 1000);
	put32(buf, 32, 16r7fffffff);
	put32(buf, 44, 0);
	evil->a = nil;	# its reference goes before an int overwrites it
	evil->seta(addr + 16 + 32);
	x := evil->a;
	sys->print("len %d\n", len x);
	{
		x[16r7ffffff0] = byte 1;
		sys->print("wrote past the arena\n");
	} exception e {
	"*" =>
		sys->print("write: %s\n", e);
	}
	x = nil;
	evil->seta(0);

	# An int as a channel.
	evil->setc(addr);
	{
		evil->c <-= 1;
		sys->print("sent\n");
	} exception e {
	"*" =>
		sys->print("send: %s\n", e);
	}
	evil->setc(0);

	# An int as a module: its functions are not reachable.
	evil->setm(addr);
	{
		evil->m->print("called through a forged module\n");
	} exception e {
	"*" =>
		sys->print("call: %s\n", e);
	}
	evil->setm(0);
	sys->print("host carries on\n");
}
