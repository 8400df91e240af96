implement Spawns;

include "sys.m";
	sys: Sys;
include "draw.m";

Spawns: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

worker(id: int, inc: chan of int, out: chan of (int, int))
{
	for(;;){
		n := <-inc;
		if(n < 0)
			break;
		out <-= (id, n * n);
	}
	out <-= (id, -1);
}

counter(done: chan of int, lo, hi: int)
{
	s := 0;
	for(i := lo; i <= hi; i++)
		s += i;
	done <-= s;
}

pinger(ping, pong: chan of string, n: int)
{
	for(i := 0; i < n; i++){
		ping <-= "ping " + string i;
		sys->print("%s\n", <-pong);
	}
	ping <-= nil;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	done := chan of int;
	for(k := 0; k < 4; k++)
		spawn counter(done, k * 100 + 1, (k + 1) * 100);
	total := 0;
	for(k = 0; k < 4; k++)
		total += <-done;
	sys->print("total %d\n", total);
	inc := chan of int;
	out := chan of (int, int);
	spawn worker(1, inc, out);
	sum := 0;
	for(i := 1; i <= 10; i++){
		inc <-= i;
		(nil, sq) := <-out;
		sum += sq;
	}
	inc <-= -1;
	(id, last) := <-out;
	sys->print("squares %d worker %d last %d\n", sum, id, last);
	ping := chan of string;
	pong := chan of string;
	spawn pinger(ping, pong, 3);
	while((m := <-ping) != nil)
		pong <-= m + " pong";
	sync := chan of int;
	spawn fn_child(sync);
	<-sync;
	sys->print("child done\n");
	pid := chan of int;
	spawn getpid(pid);
	sys->print("pid positive %d\n", <-pid > 0);
}

fn_child(c: chan of int)
{
	sys->print("child runs\n");
	c <-= 1;
}

getpid(c: chan of int)
{
	c <-= sys->pctl(0, nil);
}
