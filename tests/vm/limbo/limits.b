implement Limits;

# Passing dis-run's --max-threads, --max-files and --max-output, each
# inside a handler that would catch anything (a limit must not be
# catchable), chosen by argument; "within" stays under all three.

include "sys.m";
	sys: Sys;
include "draw.m";

Limits: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	mode := hd tl args;
	{
		case mode {
		"threads" =>
			c := chan of int;
			for(i := 0; i < 100; i++)
				spawn waiter(c);
		"files" =>
			fds := array[100] of ref Sys->FD;
			for(i := 0; i < 100; i++)
				fds[i] = sys->open("/dev/null", Sys->OREAD);
		"pipes" =>
			ps := array[100] of array of ref Sys->FD;
			for(i := 0; i < 100; i++) {
				ps[i] = array[2] of ref Sys->FD;
				sys->pipe(ps[i]);
			}
		"output" =>
			for(;;)
				sys->print("0123456789\n");
		"outdup" =>
			sys->dup(2, 9);
			fd := sys->fildes(9);
			buf := array[1000] of { * => byte 'x' };
			for(;;)
				sys->write(fd, buf, len buf);
		"within" =>
			c := chan of int;
			for(i := 0; i < 3; i++)
				spawn waiter(c);
			fds := array[3] of ref Sys->FD;
			for(i = 0; i < 3; i++)
				fds[i] = sys->open("/dev/null", Sys->OREAD);
			sys->print("within\n");
		}
	} exception e {
	"*" =>
		sys->print("caught %s\n", e);
	}
}

waiter(c: chan of int)
{
	<-c;
}
