implement NnHog;

# A layer too big for --heap-max 16m: its parameters count against the
# heap like Dis objects, so making it raises "out of memory: heap", which
# the program catches, and a small model works after.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
include "nn.m";
	nn: Nn;

NnHog: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	nn = load Nn Nn->PATH;

	small();
	{
		# 4096 x 4096 f32 weights and as much gradient: 128 MiB
		huge := nn->layer("Linear", "in_features=4096 out_features=4096", big 1);
		sys->print("no exception: %d parameters\n", nn->nparams(huge));
	}exception e{
	"out of memory*" =>
		sys->print("caught %s\n", e);
	}
	small();
	{
		# 40000 x 40000: 6.4 GB of weights, refused before any is allocated
		huge := nn->layer("Linear", "in_features=40000 out_features=40000", big 1);
		sys->print("no exception: %d parameters\n", nn->nparams(huge));
	}exception e{
	"out of memory*" =>
		sys->print("caught %s\n", e);
	}
	{
		# a forward pass whose activations pass the quota
		m := nn->layer("Linear", "in_features=4 out_features=65536", big 1);
		y := nn->forward(m, tensor->zeros(array[] of {256, 4}, "f32"));
		sys->print("no exception: %d\n", tensor->numel(y));
	}exception e{
	"out of memory*" =>
		sys->print("caught %s\n", e);
	}
	small();
}

small()
{
	m := nn->layer("Linear", "in_features=4 out_features=2", big 1);
	y := nn->forward(m, tensor->zeros(array[] of {3, 4}, "f32"));
	if(tensor->shape(y)[1] == 2)
		sys->print("small ok\n");
}
