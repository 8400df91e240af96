implement TensorHog;

# Tensors kept alive in a loop: their elements count against --heap-max,
# so the program is stopped by the Dis heap's own "out of memory: heap",
# which it catches, instead of growing without bound.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;

TensorHog: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	l: list of ref T;
	{
		for(i := 0; i < 100; i++)
			l = tensor->randn(array[] of {1024, 1024}, 1.0, i) :: l;
		sys->print("not stopped\n");
	} exception e {
	"out of memory*" =>
		sys->print("caught %s after %d\n", e, len l);
	}
	l = nil;
	# Freed tensors give their bytes back to the quota.
	t := tensor->zeros(array[] of {1024, 1024}, "f32");
	s := tensor->shape(t);
	sys->print("again %d x %d\n", s[0], s[1]);
}
