implement Statprobe;

# stat of each argument, as "name: ok" or "name: error", or with -i first
# Tensor->readidx of each (tests/vm/sandbox: under dis-run --sandbox, they
# see only the allowed files).

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;

Statprobe: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	args = tl args;
	if(args != nil && hd args == "-i"){
		tensor = load Tensor Tensor->PATH;
		for(args = tl args; args != nil; args = tl args){
			(nil, err) := tensor->readidx(hd args);
			sys->print("%s: %s\n", hd args, err);
		}
		return;
	}
	for(; args != nil; args = tl args){
		(ok, nil) := sys->stat(hd args);
		if(ok >= 0)
			sys->print("%s: ok\n", hd args);
		else
			sys->print("%s: %r\n", hd args);
	}
}
