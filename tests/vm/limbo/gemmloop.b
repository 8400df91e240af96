implement GemmLoop;

# A loop of n x n gemms: each counts n*n*n/64 instructions against
# --max-instructions, so few instructions cannot buy unbounded work.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;

GemmLoop: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	n := int hd tl args;
	a := tensor->zeros(array[] of {n, n}, "f32");
	b := tensor->zeros(array[] of {n, n}, "f32");
	c := tensor->zeros(array[] of {n, n}, "f32");
	for(i := 0; i < 1000000; i++) {
		tensor->gemm(c, a, b, 0, 0, 1.0, 0.0);
		sys->print("gemm %d\n", i);
	}
}
