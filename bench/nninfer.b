implement NnInfer;

# Inference speed for make bench-nn: images per second through the MLP or
# the CNN of examples/fashion/train.b (freshly initialised: the arithmetic
# is the same as a trained model's), at batch 1 and batch 256, in
# evaluation mode. Prints "BATCH IMAGES_PER_SECOND" per batch size.
# Usage: dis-run nninfer.dis mlp|cnn SECONDS

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;
include "nn.m";
	nn: Nn;
	Module: import nn;

NnInfer: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	nn = load Nn Nn->PATH;
	argv = tl argv;
	if(len argv != 2){
		sys->fprint(sys->fildes(2), "usage: nninfer.dis mlp|cnn SECONDS\n");
		raise "fail:usage";
	}
	arch := hd argv;
	secs := int hd tl argv;
	net := model(arch);
	nn->train(net, 0);
	for(b := 1; b <= 256; b *= 256){
		shape := array[] of {b, 28, 28};
		if(arch == "cnn")
			shape = array[] of {b, 1, 28, 28};
		x := tensor->full(shape, 0.5, "f32");
		nn->forward(net, x);	# warm: buffers sized
		n := 0;
		t0 := sys->millisec();
		t := t0;
		while(t - t0 < secs * 1000){
			nn->forward(net, x);
			n += b;
			t = sys->millisec();
		}
		sys->print("%d %.1f\n", b, real n * 1000.0 / real (t - t0));
	}
}

model(arch: string): ref Module
{
	net := nn->layer("Sequential", "", big 0);
	if(arch == "cnn"){
		add(net, "Conv2d", "in_channels=1 out_channels=32 kernel_size=3 padding=1");
		add(net, "ReLU", "");
		add(net, "MaxPool2d", "kernel_size=2");
		add(net, "Conv2d", "in_channels=32 out_channels=64 kernel_size=3 padding=1");
		add(net, "ReLU", "");
		add(net, "MaxPool2d", "kernel_size=2");
		add(net, "Flatten", "");
		add(net, "Linear", "in_features=3136 out_features=128");
		add(net, "ReLU", "");
		add(net, "Linear", "in_features=128 out_features=10");
	}else{
		add(net, "Flatten", "");
		add(net, "Linear", "in_features=784 out_features=256");
		add(net, "ReLU", "");
		add(net, "Linear", "in_features=256 out_features=128");
		add(net, "ReLU", "");
		add(net, "Linear", "in_features=128 out_features=10");
	}
	return net;
}

add(net: ref Module, typ, opts: string)
{
	nn->add(net, nn->layer(typ, opts, big 1), nil);
}
