implement Alts;

include "sys.m";
	sys: Sys;
include "draw.m";

Alts: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := chan of int;
	b := chan of string;
	spawn send(a, b);
	for(k := 0; k < 2; k++)
		alt {
		x := <-a =>
			sys->print("int %d\n", x);
		s := <-b =>
			sys->print("string %s\n", s);
		}
	e := chan of int;
	alt {
	<-e =>
		sys->print("impossible\n");
	* =>
		sys->print("default taken\n");
	}
	buf := chan[1] of int;
	alt {
	buf <-= 5 =>
		sys->print("sent to buffered\n");
	* =>
		sys->print("no room\n");
	}
	alt {
	buf <-= 6 =>
		sys->print("sent again\n");
	* =>
		sys->print("full\n");
	}
	alt {
	v := <-buf =>
		sys->print("got %d\n", v);
	* =>
		sys->print("empty\n");
	}
	r := chan of int;
	spawn recv(r, 3);
	n := 0;
	send3:
	for(;;) alt {
	r <-= n =>
		n++;
		if(n == 3){
			sys->print("sent %d\n", n);
			break send3;
		}
	}
	q := chan of int;
	spawn finish(q);
	cs := array[2] of chan of int;
	cs[0] = chan of int;
	cs[1] = chan of int;
	spawn one(cs[1]);
	alt {
	i := <-cs[0] =>
		sys->print("zero %d\n", i);
	j := <-cs[1] =>
		sys->print("one %d\n", j);
	}
	sys->print("finish %d\n", <-q);
}

send(a: chan of int, b: chan of string)
{
	a <-= 42;
	b <-= "hi";
}

recv(c: chan of int, n: int)
{
	for(i := 0; i < n; i++)
		<-c;
}

one(c: chan of int)
{
	c <-= 1;
}

finish(c: chan of int)
{
	c <-= 77;
}
