implement Files;

# Writes its arguments, one per line, to out/result.txt: a task that leaves a
# result file.

include "sys.m";
	sys: Sys;
include "draw.m";

Files: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	fd := sys->create("out/result.txt", Sys->OWRITE, 8r644);
	if(fd == nil){
		sys->fprint(sys->fildes(2), "files: cannot create out/result.txt: %r\n");
		raise "fail:create";
	}
	for(argv = tl argv; argv != nil; argv = tl argv)
		sys->fprint(fd, "%s\n", hd argv);
	sys->print("wrote out/result.txt\n");
}
