implement Dialer;

# dial each argument and write "hello ADDR\n" on the connection, printing
# "ADDR: ok DIR" or "ADDR: error" (tests/vm/net: a listener of the test's
# own on 127.0.0.1, reached only where dis-run --allow-tcp granted it).

include "sys.m";
	sys: Sys;
include "draw.m";

Dialer: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	for(args = tl args; args != nil; args = tl args){
		addr := hd args;
		(ok, c) := sys->dial(addr, nil);
		if(ok < 0){
			sys->print("%s: %r\n", addr);
			continue;
		}
		if(c.cfd != nil)
			sys->print("%s: cfd not nil\n", addr);
		b := array of byte ("hello " + addr + "\n");
		if(sys->write(c.dfd, b, len b) != len b)
			sys->print("%s: write: %r\n", addr);
		else
			sys->print("%s: ok %s\n", addr, c.dir);
	}
}
