# $Nn: layers, losses and optimizers for training models, built into
# the Acheron VM on the tensor library ($Tensor): include "tensor.m"
# before this file.
#
# A Module is a layer or a container of modules, made by its PyTorch
# class name and hyper-parameters in a string of name=value words:
#	fc := nn->layer("Linear", "in_features=784 out_features=256", big 1);
#	net := nn->layer("Sequential", "", big 0);
#	nn->add(net, fc, nil);		# named "0"
# A module added to a container belongs to it from then on: its handle
# stays usable and keeps the whole model alive. Parameters are named as
# PyTorch's state_dict names them ("0.weight", "layers.3.bias").
#
# Training follows Torch7: forward(m, x) gives the output; backward(m,
# x, gy) the gradient with respect to x, and adds the parameters'
# gradients (zerograd clears them); an optimizer then steps. Results are
# new tensors the caller owns. Errors (a shape or type that does not
# fit, a bad option, a file that is not a model) raise an "nn: ..."
# exception naming the layer. Model memory counts against the program's
# heap limit, and model work against its instruction limit.

Nn: module
{
	PATH:	con "$Nn";

	Module: adt
	{
		mid:	int;	# opaque
	};
	Loss: adt
	{
		lid:	int;	# opaque
	};
	Optim: adt
	{
		oid:	int;	# opaque
	};
	Tape: adt
	{
		tid:	int;	# opaque
	};
	Var: adt
	{
		vid:	int;	# opaque
	};

	# A new module of type typ ("Linear", "Conv2d", "Sequential", ...)
	# with hyper-parameters opts, parameters initialised from seed.
	layer:	fn(typ, opts: string, seed: big): ref Module;
	# Moves m into container c under name (nil: its index).
	add:	fn(c, m: ref Module, name: string);
	# The child called name (a dotted path: "0", "layers.3"), or nil.
	child:	fn(m: ref Module, name: string): ref Module;

	forward:	fn(m: ref Module, x: ref Tensor->T): ref Tensor->T;
	backward:	fn(m: ref Module, x, gy: ref Tensor->T): ref Tensor->T;
	zerograd:	fn(m: ref Module);
	# Training (1) or evaluation (0) mode.
	train:	fn(m: ref Module, on: int);

	# Parameter elements; parameter and buffer names in state_dict order.
	nparams:	fn(m: ref Module): int;
	names:	fn(m: ref Module): list of string;
	# A copy of the parameter or buffer called name, or nil; set copies
	# t (converted, same shape) into it.
	param:	fn(m: ref Module, name: string): ref Tensor->T;
	setparam:	fn(m: ref Module, name: string, t: ref Tensor->T);
	# torchinfo-style table for an input of the given shape (f32).
	summary:	fn(m: ref Module, shape: array of int): string;

	# Model files (GGUF; see man nn): arch is a free-form name of the
	# model, returned by load with the model.
	savemodel:	fn(m: ref Module, arch, path: string);
	loadmodel:	fn(path: string): (ref Module, string);
	# Checkpoints: the model with its optimizer's state and step (o may
	# be nil), the epochs done, the data-order seed and four numbers of
	# the caller's; training resumed from one continues bit for bit as
	# if it had not stopped (at the same thread count). The write is
	# atomic: a crash leaves the previous file whole. loadcheckpoint
	# gives (model, optimizer or nil, arch, epoch, seed, extra).
	savecheckpoint:	fn(m: ref Module, o: ref Optim, arch, path: string, epoch, seed: int, extra: array of real);
	loadcheckpoint:	fn(path: string): (ref Module, ref Optim, string, int, int, array of real);

	# A loss ("CrossEntropyLoss", "MSELoss", ...) with its options
	# ("reduction=mean label_smoothing=0.1"): forward gives the value,
	# backward the gradient with respect to x.
	loss:	fn(typ, opts: string): ref Loss;
	lossforward:	fn(l: ref Loss, x, target: ref Tensor->T): real;
	lossbackward:	fn(l: ref Loss, x, target: ref Tensor->T): ref Tensor->T;

	# Autograd, for a model no layer covers (PyTorch's requires_grad): a
	# Tape records the ops run through it (any op of Tensor->ops, with
	# op's options) on its Vars, and tapebackward from a one-element Var
	# (or with its gradient gy) adds to the gradient of every leaf that
	# requires one. A Var made by paramvar is a module's parameter: its
	# gradient is the parameter's, so an optimizer over the module steps
	# it. clear drops the recorded Vars (their handles die) and keeps the
	# leaves' gradients; zerograd clears those.
	leaf:	fn(tp: ref Tape, t: ref Tensor->T, requiresgrad: int): ref Var;
	paramvar:	fn(tp: ref Tape, m: ref Module, name: string): ref Var;
	varop:	fn(tp: ref Tape, name: string, ins: array of ref Var, opts: string): ref Var;
	value:	fn(v: ref Var): ref Tensor->T;
	grad:	fn(v: ref Var): ref Tensor->T;
	tapebackward:	fn(tp: ref Tape, v: ref Var, gy: ref Tensor->T);
	tapeclear:	fn(tp: ref Tape);
	tapezerograd:	fn(tp: ref Tape);
	# No recording while on (torch.no_grad); returns the previous setting.
	nograd:	fn(tp: ref Tape, on: int): int;
	tape:	fn(): ref Tape;

	# An optimizer ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad") over
	# m's parameters, with its options ("lr=0.001 weight_decay=0.01").
	optim:	fn(typ: string, m: ref Module, opts: string): ref Optim;
	step:	fn(o: ref Optim);
	getlr:	fn(o: ref Optim): real;
	setlr:	fn(o: ref Optim, lr: real);
};
