# Loads linkb.dis (beside it) and $Sys through module types whose
# signatures do not match what they export: each load gives nil, and %r
# says why in Inferno's words. The calls after a nil check are there so
# that the functions enter the import tables (limbo imports only the
# functions a module calls).
implement LinkUse;

include "sys.m";
	sys: Sys;
include "draw.m";

LinkUse: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

# linkb.b's module, but inc takes a string
WrongSig: module
{
	PATH:	con "linkb.dis";
	inc:	fn(s: string): int;
};

# a function linkb.b does not have
Missing: module
{
	PATH:	con "linkb.dis";
	dec:	fn(n: int): int;
};

# $Sys with print's type wrong
BadSys: module
{
	PATH:	con "$Sys";
	print:	fn(n: int): int;
};

# linkb.b's module as it is
Right: module
{
	PATH:	con "linkb.dis";
	inc:	fn(n: int): int;
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	w := load WrongSig WrongSig->PATH;
	if(w == nil)
		sys->print("nil: %r\n");
	else
		w->inc("x");
	m := load Missing Missing->PATH;
	if(m == nil)
		sys->print("nil: %r\n");
	else
		m->dec(1);
	b := load BadSys BadSys->PATH;
	if(b == nil)
		sys->print("nil: %r\n");
	else
		b->print(1);
	r := load Right Right->PATH;
	if(r == nil)
		sys->print("nil: %r\n");
	else
		sys->print("%d\n", r->inc(41));
}
