implement Fdforge;

# Rewrites the number of its own Sys->FD to a host descriptor the test
# left open (7) and writes through it (tests/vm/hostile): the bytes must
# reach the FD's own file, and fildes(7) must be nil, the program never
# having opened a seventh file, as must dup(7, 1), which once made the
# process's standard output the host's descriptor 7.

include "sys.m";
	sys: Sys;
include "draw.m";

Fdforge: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	fd := sys->create(hd tl args, Sys->OWRITE, 8r644);
	if(fd == nil){
		sys->print("create: %r\n");
		return;
	}
	own := fd.fd;
	fd.fd = 7;
	n := sys->write(fd, array of byte "mine\n", 5);
	sys->fprint(fd, "fprint\n");
	sys->print("write %d fd %d\n", n, fd.fd);
	if(sys->fildes(7) == nil)
		sys->print("fildes(7) nil: %r\n");
	else
		sys->print("fildes(7) open\n");
	sys->print("dup(7, 1) %d: %r\n", sys->dup(7, 1));
	n = sys->dup(own, -1);
	sys->print("dup(%d, -1) %d\n", own, n);
	sys->fprint(sys->fildes(n), "dup\n");
	out := sys->fildes(1);
	out.fd = 7;
	sys->fprint(out, "stdout %d\n", out.fd);
}
