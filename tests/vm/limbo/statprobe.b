implement Statprobe;

# stat of each argument, as "name: ok" or "name: error" (tests/vm/sandbox:
# under dis-run --sandbox, stat sees only the allowed files).

include "sys.m";
	sys: Sys;
include "draw.m";

Statprobe: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	for(args = tl args; args != nil; args = tl args){
		(ok, nil) := sys->stat(hd args);
		if(ok >= 0)
			sys->print("%s: ok\n", hd args);
		else
			sys->print("%s: %r\n", hd args);
	}
}
