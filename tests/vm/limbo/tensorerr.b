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
	a := tensor->randn(array[] of {2, 3}, 1.0, 7);
	b := tensor->zeros(array[] of {3, 4}, "f32");
	c := tensor->op("matmul", array[] of {a, b}, nil);
	s := tensor->shape(c);
	sys->print("c %d x %d\n", s[0], s[1]);
	bad := tensor->zeros(array[] of {5, 5}, "f32");
	tensor->op("matmul", array[] of {a, bad}, nil);
	sys->print("not reached\n");
}
