implement Silent;

# Reads of streams that never deliver, for dis-run --timeout (tests/vm/
# hostile.c and net.c): standard input (a pipe whose writer the test holds open and
# silent), alone and while another thread ticks; Sys->stream from
# standard input; a FIFO whose writer wrote once and stays silent; a dial
# whose connect never completes (the listener's backlog full); a read of a
# connection whose peer never writes. Each prints what it got.

include "sys.m";
	sys: Sys;
include "draw.m";

Silent: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	args = tl args;
	mode := hd args;
	buf := array[16] of byte;
	case mode {
	"stdin" =>
		n := sys->read(sys->fildes(0), buf, len buf);
		sys->print("read %d\n", n);
	"stdin2" =>
		spawn ticker();
		n := sys->read(sys->fildes(0), buf, len buf);
		sys->print("read %d\n", n);
	"stream" =>
		n := sys->stream(sys->fildes(0), sys->fildes(1), 16);
		sys->print("stream %d\n", n);
	"fifo" =>
		fd := sys->open(hd tl args, Sys->OREAD);
		if(fd == nil)
			raise "fail:open";
		for(i := 0; i < 100; i++)
			sys->print("read %d\n", sys->read(fd, buf, len buf));
	"dial" =>
		(ok, nil) := sys->dial(hd tl args, nil);
		sys->print("dial %d: %r\n", ok);
	"dialread" =>
		(ok, c) := sys->dial(hd tl args, nil);
		if(ok < 0)
			raise "fail:dial";
		n := sys->read(c.dfd, buf, len buf);
		sys->print("read %d\n", n);
	}
}

# prints "tick" every 100 ms, at most 50 times: the read blocks only its
# own thread
ticker()
{
	for(i := 0; i < 50; i++) {
		sys->print("tick\n");
		sys->sleep(100);
	}
}
