implement Hang;

# Ways to never end, chosen by argument, for dis-run --timeout: a long
# sleep, a read of the program's own empty pipe, the same with another
# thread asleep (the scheduler's wait), a busy loop, catching the timeout
# (it must not be catchable), opening a FIFO for reading or for writing
# with nothing at its other end (alone, and with another thread asleep),
# writing or printing more than the program's own pipe holds, and
# $Tensor's readidx of a FIFO (refused at once).

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;

Hang: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	case hd tl args {
	"sleep" =>
		sys->sleep(100000000);
	"pipe" =>
		readpipe();
	"pipe2" =>
		spawn sleeper();
		readpipe();
	"spin" =>
		for(n := 0;; n++)
			;
	"fifo" =>
		sys->open(hd tl tl args, Sys->OREAD);
	"fifow" =>
		sys->open(hd tl tl args, Sys->OWRITE);
	"fifo2" =>
		spawn sleeper();
		sys->open(hd tl tl args, Sys->OREAD);
	"fifow2" =>
		spawn sleeper();
		sys->open(hd tl tl args, Sys->OWRITE);
	"pipefull" =>
		p := array[2] of ref Sys->FD;
		if(sys->pipe(p) < 0)
			raise "fail:pipe";
		buf := array[1024*1024] of byte;
		sys->write(p[1], buf, len buf);
	"printfull" =>
		p := array[2] of ref Sys->FD;
		if(sys->pipe(p) < 0)
			raise "fail:pipe";
		sys->dup(p[1].fd, 1);
		s := "0123456789abcdef";
		for(i := 0; i < 16; i++)
			s += s;
		sys->print("%s", s);
	"idx" =>
		tensor = load Tensor Tensor->PATH;
		(nil, err) := tensor->readidx(hd tl tl args);
		sys->print("%s\n", err);
	"catch" =>
		for(;;) {
			{
				sys->sleep(100000000);
			} exception {
			"*" =>
				sys->print("caught\n");
			}
		}
	}
	sys->print("ended\n");
}

readpipe()
{
	p := array[2] of ref Sys->FD;
	if(sys->pipe(p) < 0)
		raise "fail:pipe";
	buf := array[1] of byte;
	sys->read(p[0], buf, 1);
}

sleeper()
{
	sys->sleep(100000000);
}
