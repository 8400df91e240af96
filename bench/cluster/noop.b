implement Noop;

# Does nothing: what a job costs the cluster itself (make bench-cluster).

include "sys.m";
include "draw.m";

Noop: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
}
