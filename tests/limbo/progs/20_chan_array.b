implement ChanArray;

include "sys.m";
	sys: Sys;
include "draw.m";

ChanArray: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

# Receiving from an array of channels: <-a is ready when any a[i] is,
# and gives (i, value).
init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	chans := array[3] of chan of int;
	for(i := 0; i < len chans; i++){
		chans[i] = chan[1] of int;
		chans[i] <-= 100 + i;
	}
	seen := 0;
	for(i = 0; i < len chans; i++){
		(k, v) := <-chans;
		seen |= 1 << k;
		sys->print("array recv %d\n", v - k);
	}
	sys->print("seen %d\n", seen);
}
