implement Train;

# Fashion-MNIST classifier: a multilayer perceptron 784-256-128-10 (ReLU)
# trained with mini-batch SGD (batch 64, momentum 0.9, lr 0.05 halved after
# every epoch, as PyTorch's StepLR(gamma=0.5)).
#
# The epoch and batch loops, the forward and backward passes and the updates
# are Limbo; each tensor operation is one call into the builtin module
# $Tensor (module/tensor.m), which does the arithmetic in host memory.
# `make` compiles it with bin/limbo. It replaced a hand-written Dis
# assembly version and prints the same figures: the same seeds, and the
# same training and evaluation calls in the same order.
#
# Usage: dis-run train.dis [-e EPOCHS] [-n LIMIT] [--lr LR] [--csv FILE]
#		[-h|--help] [DIR]
#   -e EPOCHS   epochs to train (default 5)
#   -n LIMIT    training images to use, 64 to 60,000 (default all 60,000)
#   --lr LR     learning rate of the first epoch (default 0.05)
#   --csv FILE  also write FILE: the header epoch,loss,train_acc,test_acc,
#               seconds, then one line per epoch, each written whole when
#               its epoch ends
#   -h, --help  the usage on standard output
#   DIR         the IDX files (default /usr/share/datasets/fashion-mnist)
# A value may also be attached (-e3, --lr=0.1); options may follow DIR, and
# -- ends them.
#
# Prints one line per epoch: the mean training loss, the accuracy on the
# training batches (measured before each batch's update), the accuracy on
# the 10,000 test images after the epoch, and the epoch's wall time.
#
# Every failure is one line on standard error, "train: " and what went
# wrong, naming the option or the file; after it comes the usage line for
# a bad argument.  The program then raises "fail:usage" (a bad argument,
# checked before any data is read), "fail:data" (an unreadable IDX file),
# "fail:diverged" (a loss that is NaN or infinite, checked after every
# batch, which stops training) or "fail:csv" (a failed write), which
# dis-run(1) reports and turns into exit status 1.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;

Train: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

USAGE:	con "usage: train.dis [-e EPOCHS] [-n LIMIT] [--lr LR] [--csv FILE] [-h|--help] [DIR]";
DATADIR:	con "/usr/share/datasets/fashion-mnist";
EPOCHS:	con 5;	# default number of epochs
NTRAIN:	con 60000;	# images in the training set, the largest LIMIT

NIN:	con 28*28;	# pixels of an image, the input width
NH1:	con 256;	# units of the first hidden layer
NH2:	con 128;	# units of the second
NCLASS:	con 10;	# output logits, one per class

BATCH:	con 64;
LR:	con 0.05;	# learning rate of the first epoch
LRDECAY:	con 0.5;	# applied after every epoch
MOMENTUM:	con 0.9;

# A fully connected layer y = x w + b, with the gradients and momentum
# buffers its SGD update needs.
Linear: adt
{
	w:	ref T;	# nin x nout
	b:	ref T;	# 1 x nout, added to every row
	gw:	ref T;	# d loss / d w, written by backward
	gb:	ref T;	# d loss / d b
	vw:	ref T;	# momentum (velocity) of w
	vb:	ref T;	# of b

	new:	fn(nin, nout: int, std: real, seed: int): ref Linear;
	forward:	fn(l: self ref Linear, y, x: ref T);
	backward:	fn(l: self ref Linear, dx, dy, x: ref T);
	step:	fn(l: self ref Linear, lr: real);
};

# What a forward pass over n rows leaves behind for the backward pass.
Acts: adt
{
	z1, a1:	ref T;	# n x NH1: x w1 + b1, and relu of it
	z2, a2:	ref T;	# n x NH2: a1 w2 + b2, and relu of it
	logits:	ref T;	# n x NCLASS: a2 w3 + b3

	new:	fn(n: int): ref Acts;
};

# The buffers of one training batch, allocated once and reused: the
# gathered images and labels, their activations, and the gradients of the
# loss with respect to those activations.
Batch: adt
{
	x:	ref T;	# BATCH x NIN
	y:	ref T;	# BATCH x 1, class indices
	a:	ref Acts;
	dlogits:	ref T;
	da2, dz2:	ref T;
	da1, dz1:	ref T;

	new:	fn(): ref Batch;
};

l1, l2, l3:	ref Linear;	# the network
stderr:	ref Sys->FD;

# The files DIR must hold, training images and labels, then test ones.
IDX := array[] of {
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	stderr = sys->fildes(2);

	dir := DATADIR;
	ndir := 0;
	epochs := EPOCHS;
	limit := NTRAIN;
	lr := LR;
	csvpath: string;
	opts := 1;	# until "--"
	for(argv = tl argv; argv != nil; argv = tl argv){
		arg := hd argv;
		if(!opts || len arg < 2 || arg[0] != '-'){
			if(ndir++ > 0)
				usage(sys->sprint("extra argument \"%s\"", arg));
			dir = arg;
			continue;
		}
		if(arg == "--"){
			opts = 0;
			continue;
		}
		if(arg == "-h" || arg == "--help"){
			sys->print("%s\n%s", USAGE, HELP);
			return;
		}
		# The option's name and its value: attached (-e3, --lr=0.1)
		# or the next argument.
		(opt, val) := (arg, "");
		attached := 0;
		if(arg[1] != '-'){
			(opt, val) = (arg[0:2], arg[2:]);
			attached = len val > 0;
		}else
			for(i := 2; i < len arg; i++)
				if(arg[i] == '='){
					(opt, val) = (arg[0:i], arg[i+1:]);
					attached = 1;
					break;
				}
		if(opt == "-h" || opt == "--help")
			usage(opt + ": takes no value");
		if(opt != "-e" && opt != "-n" && opt != "--lr" && opt != "--csv")
			usage(opt + ": unknown option");
		if(!attached){
			if(tl argv == nil)
				usage(opt + ": missing value");
			argv = tl argv;
			val = hd argv;
		}
		case opt {
		"-e" =>
			epochs = count(val);
			if(epochs < 1)
				usage(sys->sprint("-e: bad epoch count \"%s\" (want 1 or more)", val));
		"-n" =>
			limit = count(val);
			if(limit < BATCH || limit > NTRAIN)
				usage(sys->sprint("-n: bad image count \"%s\" (want %d to %d)", val, BATCH, NTRAIN));
		"--lr" =>
			lr = posreal(val);
			if(lr <= 0.0)
				usage(sys->sprint("--lr: bad learning rate \"%s\" (want a number above 0)", val));
		"--csv" =>
			if(val == "")
				usage("--csv: empty file name");
			csvpath = val;
		}
	}
	checkdir(dir);
	csv: ref Sys->FD;
	if(csvpath != nil){
		csv = sys->create(csvpath, Sys->OWRITE, 8r666);
		if(csv == nil)
			usage(sys->sprint("--csv: cannot create \"%s\": %r", csvpath));
		csvline(csv, csvpath, "epoch,loss,train_acc,test_acc,seconds\n");
	}

	xtrain := readidx(dir + "/" + IDX[0]);
	ytrain := readidx(dir + "/" + IDX[1]);
	xtest := readidx(dir + "/" + IDX[2]);
	ytest := readidx(dir + "/" + IDX[3]);
	# Pixels 0..255 to 0..1.
	tensor->scale(xtrain, 1.0/255.0);
	tensor->scale(xtest, 1.0/255.0);

	if(limit > rows(xtrain))
		limit = rows(xtrain);
	nbatch := limit / BATCH;	# a last partial batch is dropped

	# He initialisation: weights Normal(0, sqrt(2/fan_in)), one seed per
	# layer so that a run is reproducible; biases start at zero.
	l1 = Linear.new(NIN, NH1, 0.050507627227610534, 1);	# sqrt(2/784)
	l2 = Linear.new(NH1, NH2, 0.08838834764831845, 2);	# sqrt(2/256)
	l3 = Linear.new(NH2, NCLASS, 0.125, 3);	# sqrt(2/128)

	batch := Batch.new();
	test := Acts.new(rows(xtest));

	for(epoch := 1; epoch <= epochs; epoch++){
		t0 := sys->millisec();
		(loss, right) := trainepoch(batch, xtrain, ytrain, nbatch, epoch, lr);
		trainacc := real right * 100.0 / real (nbatch*BATCH);
		testacc := evaluate(test, xtest, ytest);
		secs := real (sys->millisec() - t0) / 1000.0;
		sys->print("epoch %d  loss %.4f  train %.2f%%  test %.2f%%  %.2fs\n",
			epoch, loss, trainacc, testacc, secs);
		if(csv != nil)
			csvline(csv, csvpath, sys->sprint("%d,%.6f,%.2f,%.2f,%.3f\n",
				epoch, loss, trainacc, testacc, secs));
		lr *= LRDECAY;
	}
}

HELP:	con "Train a 784-256-128-10 perceptron on Fashion-MNIST; one line per epoch.\n" +
	"  -e EPOCHS   epochs to train (default 5)\n" +
	"  -n LIMIT    training images to use, 64 to 60000 (default all)\n" +
	"  --lr LR     learning rate of the first epoch, halved after each (default 0.05)\n" +
	"  --csv FILE  also write epoch,loss,train_acc,test_acc,seconds lines to FILE\n" +
	"  -h, --help  this text\n" +
	"  DIR         the IDX files (default /usr/share/datasets/fashion-mnist)\n";

# Reports a bad argument, and the usage, and ends the program.
usage(msg: string)
{
	sys->fprint(stderr, "train: %s\n%s\n", msg, USAGE);
	raise "fail:usage";
}

# Reports a failure during the run and ends the program with fail:why.
fail(why, msg: string)
{
	sys->fprint(stderr, "train: %s\n", msg);
	raise "fail:" + why;
}

# The value of s if it is one to nine decimal digits, else -1: int "12abc"
# would be 12 and int "abc" 0.
count(s: string): int
{
	if(len s < 1 || len s > 9)
		return -1;
	for(i := 0; i < len s; i++)
		if(s[i] < '0' || s[i] > '9')
			return -1;
	return int s;
}

# The value of s if it is a finite decimal number above zero (0.05, .5,
# 5e-2, 1E30), else -1.0.
posreal(s: string): real
{
	i := 0;
	ndig := 0;
	for(; i < len s && s[i] >= '0' && s[i] <= '9'; i++)
		ndig++;
	if(i < len s && s[i] == '.')
		for(i++; i < len s && s[i] >= '0' && s[i] <= '9'; i++)
			ndig++;
	if(ndig == 0)
		return -1.0;
	if(i < len s && (s[i] == 'e' || s[i] == 'E')){
		i++;
		if(i < len s && (s[i] == '+' || s[i] == '-'))
			i++;
		nexp := 0;
		for(; i < len s && s[i] >= '0' && s[i] <= '9'; i++)
			nexp++;
		if(nexp == 0)
			return -1.0;
	}
	if(i != len s)
		return -1.0;
	x := real s;
	if(x <= 0.0 || !finite(x))	# 1e-400 reads as 0, 1e400 as infinity
		return -1.0;
	return x;
}

# Whether x is neither NaN nor infinite: x-x is 0 for those alone.
finite(x: real): int
{
	return x - x == 0.0;
}

# Checks that dir is a directory with the four IDX files, before anything
# is read or trained.
checkdir(dir: string)
{
	(ok, d) := sys->stat(dir);
	if(ok < 0)
		usage(sys->sprint("DIR \"%s\": %r", dir));
	if((d.mode & Sys->DMDIR) == 0)
		usage(sys->sprint("DIR \"%s\": not a directory", dir));
	for(i := 0; i < len IDX; i++){
		(ok, nil) = sys->stat(dir + "/" + IDX[i]);
		if(ok < 0)
			usage(sys->sprint("DIR \"%s\": no %s: %r", dir, IDX[i]));
	}
}

# Appends line, a whole CSV line, to the file in one write: a run that
# fails later leaves only whole lines behind.
csvline(fd: ref Sys->FD, path, line: string)
{
	b := array of byte line;
	if(sys->write(fd, b, len b) != len b)
		fail("csv", sys->sprint("--csv: writing \"%s\": %r", path));
}

# Reads an IDX file (images [N, 28, 28], labels [N]); a missing or
# malformed file ends the program with readidx's message.
readidx(path: string): ref T
{
	(t, err) := tensor->readidx(path);
	if(err != nil)
		fail("data", err);
	return t;
}

# One pass of SGD over the first nbatch*BATCH images of a shuffle of the
# training set (a new one each epoch, seeded by the epoch number).  Returns
# the mean loss of the batches and how many images the network classified
# right before the update that saw them.  A batch whose loss is NaN or
# infinite (a learning rate too high) ends the program.
trainepoch(b: ref Batch, xs, ys: ref T, nbatch, epoch: int, lr: real): (real, int)
{
	perm := tensor->perm(rows(xs), epoch);
	loss := 0.0;
	right := 0;
	for(i := 0; i < nbatch; i++){
		tensor->gather(b.x, xs, perm, i*BATCH);
		tensor->gather(b.y, ys, perm, i*BATCH);
		forward(b.a, b.x);
		# xent writes d loss / d logits as it computes the loss.
		l := tensor->xent(b.dlogits, b.a.logits, b.y);
		if(!finite(l)){
			tensor->progress("training", nbatch, nbatch);	# clears the bar
			what := "infinite";
			if(l != l)
				what = "NaN";
			fail("diverged", sys->sprint("epoch %d batch %d: loss is %s", epoch, i+1, what));
		}
		loss += l;
		right += tensor->correct(b.a.logits, b.y);
		backward(b);
		l1.step(lr);
		l2.step(lr);
		l3.step(lr);
		tensor->progress("training", i+1, nbatch);
	}
	tensor->progress("training", nbatch, nbatch);	# clears the bar
	return (loss / real nbatch, right);
}

# The network's logits for the rows of x, in a.logits.
forward(a: ref Acts, x: ref T)
{
	l1.forward(a.z1, x);
	tensor->opinto("relu", a.a1, array[] of {a.z1}, nil);
	l2.forward(a.z2, a.a1);
	tensor->opinto("relu", a.a2, array[] of {a.z2}, nil);
	l3.forward(a.logits, a.a2);
}

# Backpropagation from b.dlogits: fills every layer's gw and gb.  The
# input's gradient is not needed, so the first layer computes none.
backward(b: ref Batch)
{
	a := b.a;
	l3.backward(b.da2, b.dlogits, a.a2);
	tensor->relugrad(b.dz2, b.da2, a.z2);
	l2.backward(b.da1, b.dz2, a.a1);
	tensor->relugrad(b.dz1, b.da1, a.z1);
	l1.backward(nil, b.dz1, b.x);
}

# The percentage of the images xs that the network classifies as ys says,
# in one forward pass over all of them (a holds the activations).
evaluate(a: ref Acts, xs, ys: ref T): real
{
	forward(a, xs);
	return real tensor->correct(a.logits, ys) * 100.0 / real rows(xs);
}

# An f32 matrix of zeros.
mat(rows, cols: int): ref T
{
	return tensor->zeros(array[] of {rows, cols}, "f32");
}

# The first dimension of t.
rows(t: ref T): int
{
	return tensor->shape(t)[0];
}

Linear.new(nin, nout: int, std: real, seed: int): ref Linear
{
	l := ref Linear;
	l.w = tensor->randn(array[] of {nin, nout}, std, seed);
	l.b = mat(1, nout);
	l.gw = mat(nin, nout);
	l.gb = mat(1, nout);
	l.vw = mat(nin, nout);
	l.vb = mat(1, nout);
	return l;
}

# y = x w + b
Linear.forward(l: self ref Linear, y, x: ref T)
{
	tensor->gemm(y, x, l.w, 0, 0, 1.0, 0.0);
	tensor->addrow(y, l.b);
}

# Given dy = d loss / d y and the layer's input x: gw = x' dy, gb = the sum
# of dy's rows, and dx = dy w' unless dx is nil.
Linear.backward(l: self ref Linear, dx, dy, x: ref T)
{
	tensor->gemm(l.gw, x, dy, 1, 0, 1.0, 0.0);
	tensor->sumrows(l.gb, dy, 0.0);
	if(dx != nil)
		tensor->gemm(dx, dy, l.w, 0, 1, 1.0, 0.0);
}

# One step of SGD with momentum on w and b.
Linear.step(l: self ref Linear, lr: real)
{
	tensor->sgd(l.w, l.gw, l.vw, lr, MOMENTUM);
	tensor->sgd(l.b, l.gb, l.vb, lr, MOMENTUM);
}

Acts.new(n: int): ref Acts
{
	return ref Acts(
		mat(n, NH1), mat(n, NH1),
		mat(n, NH2), mat(n, NH2),
		mat(n, NCLASS));
}

Batch.new(): ref Batch
{
	return ref Batch(
		mat(BATCH, NIN), mat(BATCH, 1),
		Acts.new(BATCH),
		mat(BATCH, NCLASS),
		mat(BATCH, NH2), mat(BATCH, NH2),
		mat(BATCH, NH1), mat(BATCH, NH1));
}
