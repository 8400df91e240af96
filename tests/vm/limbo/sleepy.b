implement Sleepy;

include "sys.m";
	sys: Sys;
include "draw.m";

Sleepy: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	c := chan of int;
	spawn sleeper(c);
	spawn worker(c);
	a := <-c;
	b := <-c;
	sys->print("%d %d\n", a, b);
	p := array[2] of ref Sys->FD;
	if(sys->pipe(p) < 0)
		raise "fail:pipe";
	spawn reader(p[0], c);
	spawn writer(p[1]);
	n := <-c;
	sys->print("read %d\n", n);
}

sleeper(c: chan of int)
{
	sys->sleep(200);
	c <-= 1;
}

worker(c: chan of int)
{
	sys->print("worker\n");
	c <-= 2;
}

reader(fd: ref Sys->FD, c: chan of int)
{
	buf := array[10] of byte;
	n := sys->read(fd, buf, len buf);
	sys->print("reader got %s\n", string buf[0:n]);
	c <-= n;
}

writer(fd: ref Sys->FD)
{
	sys->print("writer\n");
	sys->write(fd, array of byte "hi", 2);
}
