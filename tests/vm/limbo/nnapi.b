implement NnApi;

# $Nn from Limbo: a model built by name, trained with a loss and an
# optimizer, saved and loaded, its parameters read and written by name,
# handles into the tree, and the errors, each one line.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;
include "nn.m";
	nn: Nn;
	Module: import nn;

NnApi: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	nn = load Nn Nn->PATH;
	dir := hd tl argv;

	net := nn->layer("Sequential", "", big 0);
	nn->add(net, nn->layer("Linear", "in_features=2 out_features=8", big 1), nil);
	nn->add(net, nn->layer("Tanh", "", big 0), nil);
	nn->add(net, nn->layer("Linear", "in_features=8 out_features=1", big 2), "out");
	sys->print("nparams %d\n", nn->nparams(net));
	sys->print("names");
	for(l := nn->names(net); l != nil; l = tl l)
		sys->print(" %s", hd l);
	sys->print("\n");

	# y = x0 xor x1 by regression
	x := tensor->fromreal(array[] of {0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0}, array[] of {4, 2}, "f32");
	y := tensor->fromreal(array[] of {0.0, 1.0, 1.0, 0.0}, array[] of {4, 1}, "f32");
	crit := nn->loss("MSELoss", "reduction=mean");
	opt := nn->optim("Adam", net, "lr=0.05 betas=0.9,0.999");
	first := 0.0;
	last := 0.0;
	for(i := 0; i < 300; i++){
		nn->zerograd(net);
		out := nn->forward(net, x);
		l := nn->lossforward(crit, out, y);
		if(i == 0)
			first = l;
		last = l;
		nn->backward(net, x, nn->lossbackward(crit, out, y));
		nn->step(opt);
	}
	sys->print("loss fell tenfold %d\n", last < first / 10.0);
	nn->setlr(opt, 0.25);
	sys->print("lr %g\n", nn->getlr(opt));

	path := dir + "/xor.gguf";
	nn->savemodel(net, "xor", path);
	(m2, arch) := nn->loadmodel(path);
	a := tensor->toreal(nn->forward(net, x));
	b := tensor->toreal(nn->forward(m2, x));
	same := 1;
	for(i = 0; i < len a; i++)
		if(a[i] != b[i])
			same = 0;
	sys->print("loaded %s, same outputs %d\n", arch, same);

	c := nn->child(net, "out");
	sys->print("out.weight %s\n", shape(nn->param(c, "weight")));
	nn->setparam(net, "out.bias", tensor->full(array[] of {1}, 0.5, "f32"));
	sys->print("out.bias %g\n", tensor->toreal(nn->param(net, "out.bias"))[0]);
	sys->print("no child %d, no param %d\n", nn->child(net, "nope") == nil, nn->param(net, "0.gamma") == nil);
	# the last handle on the root gone, the child's keeps the tree
	net = nil;
	m2 = nil;
	opt = nil;
	sys->print("child alone %s\n", shape(nn->forward(c, tensor->zeros(array[] of {3, 8}, "f32"))));
	sys->print("%s", nn->summary(c, array[] of {3, 8}));

	autograd();

	# a transformer block by name: causal attention, then SwiGLU
	blk := nn->layer("Sequential", "", big 0);
	nn->add(blk, nn->layer("MultiheadAttention", "embed_dim=8 num_heads=2 causal=true", big 4), "attn");
	nn->add(blk, nn->layer("SwiGLU", "in_features=8 hidden_features=16", big 5), "mlp");
	bx := tensor->full(array[] of {2, 5, 8}, 0.25, "f32");
	by := nn->forward(blk, bx);
	gx := nn->backward(blk, bx, tensor->full(array[] of {2, 5, 8}, 1.0, "f32"));
	sys->print("block %s %s, %d parameters\n", shape(by), shape(gx), nn->nparams(blk));

	# nesting is bounded (freeing and walking a model recurse)
	cur := nn->layer("Sequential", "", big 0);
	i = 0;
	{
		for(; i < 100; i++){
			nxt := nn->layer("Sequential", "", big 0);
			nn->add(cur, nxt, nil);
			cur = nxt;
		}
	}exception e{
	"nn:*" =>
		sys->print("depth %d: %s\n", i, e);
	}

	err(nil, "Lineer", "");
	err(nil, "Linear", "in_features=3");
	err(nil, "Linear", "in_features=3 out_features=x");
	err(c, "add", "");
	err(c, "forward", "");
	err(c, "loss", "");
	err(c, "optim", "");
	err(c, "loadmodel", dir + "/none.gguf");
	err(c, "badfile", dir + "/bad.gguf");
}

# y = 2x + 1 fitted through a tape on a Linear's parameters, the loss
# written as ops; a cleared tape's variable and an op without a gradient.
autograd()
{
	lin := nn->layer("Linear", "in_features=1 out_features=1", big 3);
	tp := nn->tape();
	sgd := nn->optim("SGD", lin, "lr=0.1");
	xs := tensor->fromreal(array[] of {0.0, 1.0, 2.0, 3.0}, array[] of {4, 1}, "f32");
	ys := tensor->fromreal(array[] of {1.0, 3.0, 5.0, 7.0}, array[] of {4, 1}, "f32");
	for(i := 0; i < 300; i++){
		nn->tapeclear(tp);
		nn->zerograd(lin);
		w := nn->paramvar(tp, lin, "weight");
		b := nn->paramvar(tp, lin, "bias");
		yhat := nn->varop(tp, "linear", array[] of {nn->leaf(tp, xs, 0), w, b}, "");
		d := nn->varop(tp, "sub", array[] of {yhat, nn->leaf(tp, ys, 0)}, "");
		l := nn->varop(tp, "mean", array[] of {nn->varop(tp, "mul", array[] of {d, d}, "")}, "");
		nn->tapebackward(tp, l, nil);
		nn->step(sgd);
	}
	sys->print("fit w %.2f b %.2f\n", tensor->toreal(nn->param(lin, "weight"))[0],
		tensor->toreal(nn->param(lin, "bias"))[0]);
	v := nn->leaf(tp, xs, 1);
	sq := nn->varop(tp, "mul", array[] of {v, v}, "");
	nn->tapebackward(tp, sq, tensor->full(array[] of {4, 1}, 1.0, "f32"));
	sys->print("d(x*x)/dx %g %g %g %g\n", tensor->toreal(nn->grad(v))[0], tensor->toreal(nn->grad(v))[1],
		tensor->toreal(nn->grad(v))[2], tensor->toreal(nn->grad(v))[3]);
	nn->tapeclear(tp);
	{
		nn->value(v);
	}exception e{
	"nn:*" =>
		sys->print("%s\n", e);
	}
	{
		nn->varop(tp, "prod", array[] of {nn->leaf(tp, xs, 1)}, "");
	}exception e{
	"nn:*" =>
		sys->print("%s\n", e);
	}
}

err(c: ref Module, what, arg: string)
{
	{
		case what {
		"add" =>
			nn->add(c, nn->layer("ReLU", "", big 0), nil);
		"forward" =>
			nn->forward(c, tensor->zeros(array[] of {2, 5}, "f32"));
		"loss" =>
			nn->loss("HingeLoss", "");
		"optim" =>
			nn->optim("Adam", c, "momentum=0.9");
		"loadmodel" =>
			nn->loadmodel(arg);
		"badfile" =>
			fd := sys->create(arg, Sys->OWRITE, 8r644);
			sys->fprint(fd, "GGUF but not really");
			fd = nil;
			nn->loadmodel(arg);
		* =>
			nn->layer(what, arg, big 0);
		}
		sys->print("no exception from %s\n", what);
	}exception e{
	"nn:*" =>
		sys->print("%s\n", e);
	}
}

shape(t: ref T): string
{
	s := "[";
	d := tensor->shape(t);
	for(i := 0; i < len d; i++){
		if(i > 0)
			s += ",";
		s += string d[i];
	}
	return s + "]";
}
