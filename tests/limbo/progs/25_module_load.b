implement ModLoad;

include "sys.m";
	sys: Sys;
include "draw.m";

ModLoad: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

include "bufio.m";
	bufio: Bufio;
	Iobuf: import bufio;
include "25_helper.m";
	helper: Helper;
	Pair: import helper;

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	helper = load Helper Helper->PATH;
	if(helper == nil){
		sys->print("cannot load helper: %r\n");
		return;
	}
	helper->init("corpus");
	sys->print("%s\n", helper->hello());
	tw := helper->twice(21);
	sys->print("twice %d calls %d\n", tw, helper->calls());
	p := ref Pair(3, 4);
	sys->print("pair %d\n", p.sum());
	h2 := load Helper Helper->PATH;
	sys->print("second instance calls %d\n", h2->calls());
	bad := load Helper "/no/such/module.dis";
	sys->print("missing nil %d\n", bad == nil);
	bufio = load Bufio Bufio->PATH;
	b := bufio->aopen(array of byte "line one\nline two\n");
	while((s := b.gets('\n')) != nil)
		sys->print("bufio: %s", s);
}
