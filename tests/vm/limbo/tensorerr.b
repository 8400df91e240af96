implement TensorErr;

# $Tensor from Limbo: compiled by Inferno's compiler against the project's
# module/tensor.m, so its type signatures must be the ones the VM declares.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;

TensorErr: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	if(tensor == nil)
		raise "fail:load Tensor: " + sys->sprint("%r");
	a := tensor->randn(2, 3, 1.0, 7);
	b := tensor->zeros(3, 4);
	c := tensor->zeros(2, 4);
	tensor->gemm(c, a, b, 0, 0, 1.0, 0.0);
	sys->print("c %d x %d\n", c.rows, c.cols);
	bad := tensor->zeros(5, 5);
	tensor->gemm(c, a, bad, 0, 0, 1.0, 0.0);
	sys->print("not reached\n");
}
