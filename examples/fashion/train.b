implement Train;

# Trains a Fashion-MNIST classifier with $Nn (module/nn.m): a multilayer
# perceptron 784-256-128-10 (-m mlp, the default) or a small
# convolutional network (-m cnn: two 3x3 convolutions of 32 and 64
# channels, each followed by ReLU and 2x2 max pooling, then 3136-128-10),
# with cross-entropy loss and Adam, the learning rate following a cosine
# from --lr down to 0 over the run (PyTorch's CosineAnnealingLR, stepped
# once per epoch).
#
# Usage: dis-run train.dis [-m mlp|cnn] [-e EPOCHS] [-n LIMIT] [-b BATCH]
#		[--lr LR] [--seed N] [--csv FILE] [-o MODEL.gguf] [-c CKPT.gguf]
#		[-r CKPT.gguf] [-h|--help] [DIR]
#   -m MODEL    mlp or cnn (default mlp)
#   -e EPOCHS   epochs to train (default 10)
#   -n LIMIT    training images to use, BATCH to 60,000 (default all)
#   -b BATCH    images per step (default 64)
#   --lr LR     Adam's learning rate at the start (default 0.001)
#   --seed N    initialisation and shuffling seed (default 1)
#   --csv FILE  also write FILE: the header epoch,loss,train_acc,test_acc,
#               seconds, then one line per epoch, each written whole when
#               its epoch ends
#   -o FILE     save the trained model to FILE (GGUF: classify.dis reads it)
#   -c FILE     write a checkpoint to FILE after every epoch (the model, the
#               optimizer's state, the epoch and the seed; atomically)
#   -r FILE     resume from the checkpoint FILE: its model, optimizer, seed
#               and the epochs it had done; -e counts all epochs, so the
#               run continues to exactly the same numbers as one that had
#               not stopped (-m and --seed come from the file). With --csv
#               the lines are appended to FILE.
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
# batch, which stops training), "fail:resume" (a checkpoint that cannot
# be read) or "fail:csv" (a failed write), which
# dis-run(1) reports and turns into exit status 1.

include "sys.m";
	sys: Sys;
include "draw.m";
include "math.m";
	math: Math;
include "tensor.m";
	tensor: Tensor;
	T: import tensor;
include "nn.m";
	nn: Nn;
	Module, Optim: import nn;

Train: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

USAGE:	con "usage: train.dis [-m mlp|cnn] [-e EPOCHS] [-n LIMIT] [-b BATCH] [--lr LR] [--seed N] [--csv FILE] [-o MODEL.gguf] [-c CKPT.gguf] [-r CKPT.gguf] [-h|--help] [DIR]";
DATADIR:	con "/usr/share/datasets/fashion-mnist";
NTRAIN:	con 60000;	# images in the training set, the largest LIMIT
EVALCHUNK:	con 1000;	# test images per forward pass

stderr:	ref Sys->FD;

# The files DIR must hold, training images and labels, then test ones.
IDX := array[] of {
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	math = load Math Math->PATH;
	tensor = load Tensor Tensor->PATH;
	nn = load Nn Nn->PATH;
	stderr = sys->fildes(2);

	dir := DATADIR;
	ndir := 0;
	arch := "mlp";
	epochs := 10;
	limit := NTRAIN;
	batch := 64;
	lr := 0.001;
	seed := 1;
	csvpath, outpath, ckpath, resume: string;
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
		if(opt != "-m" && opt != "-e" && opt != "-n" && opt != "-b" && opt != "--lr" &&
		   opt != "--seed" && opt != "--csv" && opt != "-o" && opt != "-c" && opt != "-r")
			usage(opt + ": unknown option");
		if(!attached){
			if(tl argv == nil)
				usage(opt + ": missing value");
			argv = tl argv;
			val = hd argv;
		}
		case opt {
		"-m" =>
			if(val != "mlp" && val != "cnn")
				usage(sys->sprint("-m: unknown model \"%s\" (want mlp or cnn)", val));
			arch = val;
		"-e" =>
			epochs = count(val);
			if(epochs < 1)
				usage(sys->sprint("-e: bad epoch count \"%s\" (want 1 or more)", val));
		"-n" =>
			limit = count(val);
			if(limit < 1 || limit > NTRAIN)
				usage(sys->sprint("-n: bad image count \"%s\" (want 1 to %d)", val, NTRAIN));
		"-b" =>
			batch = count(val);
			if(batch < 1 || batch > 4096)
				usage(sys->sprint("-b: bad batch size \"%s\" (want 1 to 4096)", val));
		"--lr" =>
			lr = posreal(val);
			if(lr <= 0.0)
				usage(sys->sprint("--lr: bad learning rate \"%s\" (want a number above 0)", val));
		"--seed" =>
			seed = count(val);
			if(seed < 0)
				usage(sys->sprint("--seed: bad seed \"%s\" (want 0 or more)", val));
		"--csv" =>
			if(val == "")
				usage("--csv: empty file name");
			csvpath = val;
		"-o" =>
			if(val == "")
				usage("-o: empty file name");
			outpath = val;
		"-c" =>
			if(val == "")
				usage("-c: empty file name");
			ckpath = val;
		"-r" =>
			if(val == "")
				usage("-r: empty file name");
			resume = val;
		}
	}
	if(limit < batch)
		usage(sys->sprint("-n: %d images make no batch of %d", limit, batch));
	checkdir(dir);
	# a checkpoint to resume from: its model, optimizer, arch, epochs done
	# and seed
	net: ref Module;
	opt: ref Optim;
	extra: array of real;
	done := 0;
	if(resume != nil){
		{
			(net, opt, arch, done, seed, extra) = nn->loadcheckpoint(resume);
		}exception e{
		"nn:*" =>
			fail("resume", "-r: " + e[4:]);
		}
		if(opt == nil)
			fail("resume", sys->sprint("-r: %s holds no optimizer", resume));
		if(done >= epochs)
			usage(sys->sprint("-e: %d epochs, the checkpoint has done %d", epochs, done));
	}
	csv: ref Sys->FD;
	if(csvpath != nil){
		if(resume != nil && (csv = sys->open(csvpath, Sys->OWRITE)) != nil)
			sys->seek(csv, big 0, Sys->SEEKEND);
		else{
			csv = sys->create(csvpath, Sys->OWRITE, 8r666);
			if(csv == nil)
				usage(sys->sprint("--csv: cannot create \"%s\": %r", csvpath));
			csvline(csv, csvpath, "epoch,loss,train_acc,test_acc,seconds\n");
		}
	}

	xtrain := readidx(dir + "/" + IDX[0]);
	ytrain := readidx(dir + "/" + IDX[1]);
	xtest := readidx(dir + "/" + IDX[2]);
	ytest := readidx(dir + "/" + IDX[3]);
	# Pixels 0..255 to 0..1.
	tensor->scale(xtrain, 1.0/255.0);
	tensor->scale(xtest, 1.0/255.0);
	if(arch == "cnn"){
		# one input channel
		xtrain = tensor->view(xtrain, array[] of {-1, 1, 28, 28});
		xtest = tensor->view(xtest, array[] of {-1, 1, 28, 28});
	}
	if(limit > rows(xtrain))
		limit = rows(xtrain);
	nbatch := limit / batch;	# a last partial batch is dropped

	if(net == nil){
		net = model(arch, big seed);
		opt = nn->optim("Adam", net, sys->sprint("lr=%g", lr));
	}else{
		# the first epoch's rate, and the cosine at the epochs done out
		# of this run's total
		lr = extra[1];
		nn->setlr(opt, lr * (1.0 + math->cos(Math->Pi * real done / real epochs)) / 2.0);
	}
	crit := nn->loss("CrossEntropyLoss", "");

	xshape := tensor->shape(xtrain);
	xshape[0] = batch;
	xb := tensor->zeros(xshape, "f32");
	yb := tensor->zeros(array[] of {batch}, "f32");
	for(epoch := done + 1; epoch <= epochs; epoch++){
		t0 := sys->millisec();
		nn->train(net, 1);
		perm := tensor->perm(rows(xtrain), seed*1000 + epoch);
		loss := 0.0;
		right := 0;
		for(i := 0; i < nbatch; i++){
			tensor->gather(xb, xtrain, perm, i*batch);
			tensor->gather(yb, ytrain, perm, i*batch);
			target := tensor->cast(yb, "i64");
			nn->zerograd(net);
			out := nn->forward(net, xb);
			l := nn->lossforward(crit, out, target);
			if(!finite(l)){
				tensor->progress("training", nbatch, nbatch);	# clears the bar
				what := "infinite";
				if(l != l)
					what = "NaN";
				fail("diverged", sys->sprint("epoch %d batch %d: loss is %s", epoch, i+1, what));
			}
			loss += l;
			right += tensor->correct(out, yb);
			nn->backward(net, xb, nn->lossbackward(crit, out, target));
			nn->step(opt);
			tensor->progress("training", i+1, nbatch);
		}
		tensor->progress("training", nbatch, nbatch);	# clears the bar
		# CosineAnnealingLR(T_max = epochs, eta_min = 0), stepped per epoch
		nn->setlr(opt, lr * (1.0 + math->cos(Math->Pi * real epoch / real epochs)) / 2.0);
		loss /= real nbatch;
		trainacc := real right * 100.0 / real (nbatch*batch);
		testacc := evaluate(net, xtest, ytest);
		secs := real (sys->millisec() - t0) / 1000.0;
		sys->print("epoch %d  loss %.4f  train %.2f%%  test %.2f%%  %.2fs\n",
			epoch, loss, trainacc, testacc, secs);
		if(csv != nil)
			csvline(csv, csvpath, sys->sprint("%d,%.6f,%.2f,%.2f,%.3f\n",
				epoch, loss, trainacc, testacc, secs));
		if(ckpath != nil)
			nn->savecheckpoint(net, opt, arch, ckpath, epoch, seed, array[] of {testacc, lr});
	}
	if(outpath != nil){
		nn->savemodel(net, arch, outpath);
		sys->print("model saved to %s\n", outpath);
	}
}

HELP:	con "Train an MLP or a CNN on Fashion-MNIST with $Nn; one line per epoch.\n" +
	"  -m MODEL    mlp (784-256-128-10) or cnn (2 conv layers, 3136-128-10); default mlp\n" +
	"  -e EPOCHS   epochs to train (default 10)\n" +
	"  -n LIMIT    training images to use (default all 60000)\n" +
	"  -b BATCH    images per step (default 64)\n" +
	"  --lr LR     Adam's learning rate at the start, cosine-annealed to 0 (default 0.001)\n" +
	"  --seed N    initialisation and shuffling seed (default 1)\n" +
	"  --csv FILE  also write epoch,loss,train_acc,test_acc,seconds lines to FILE\n" +
	"  -o FILE     save the trained model to FILE (GGUF)\n" +
	"  -c FILE     write a checkpoint to FILE after every epoch\n" +
	"  -r FILE     resume from checkpoint FILE (-e counts all epochs)\n" +
	"  -h, --help  this text\n" +
	"  DIR         the IDX files (default /usr/share/datasets/fashion-mnist)\n";

# The network: a Sequential named as PyTorch would name it, so its
# parameters are "1.weight", "1.bias", ...
model(arch: string, seed: big): ref Module
{
	net := nn->layer("Sequential", "", big 0);
	if(arch == "cnn"){
		add(net, "Conv2d", "in_channels=1 out_channels=32 kernel_size=3,3 padding=1,1", seed);
		add(net, "ReLU", "", big 0);
		add(net, "MaxPool2d", "kernel_size=2,2", big 0);
		add(net, "Conv2d", "in_channels=32 out_channels=64 kernel_size=3,3 padding=1,1", seed + big 1);
		add(net, "ReLU", "", big 0);
		add(net, "MaxPool2d", "kernel_size=2,2", big 0);
		add(net, "Flatten", "", big 0);
		add(net, "Linear", "in_features=3136 out_features=128", seed + big 2);
		add(net, "ReLU", "", big 0);
		add(net, "Linear", "in_features=128 out_features=10", seed + big 3);
	}else{
		add(net, "Flatten", "", big 0);
		add(net, "Linear", "in_features=784 out_features=256", seed);
		add(net, "ReLU", "", big 0);
		add(net, "Linear", "in_features=256 out_features=128", seed + big 1);
		add(net, "ReLU", "", big 0);
		add(net, "Linear", "in_features=128 out_features=10", seed + big 2);
	}
	return net;
}

add(net: ref Module, typ, opts: string, seed: big)
{
	nn->add(net, nn->layer(typ, opts, seed), nil);
}

# The percentage of the images xs that the network classifies as ys says,
# in evaluation mode, EVALCHUNK images per forward pass.
evaluate(net: ref Module, xs, ys: ref T): real
{
	nn->train(net, 0);
	n := rows(xs);
	right := 0;
	for(s := 0; s < n; s += EVALCHUNK){
		e := s + EVALCHUNK;
		if(e > n)
			e = n;
		out := nn->forward(net, tensor->slice(xs, 0, s, e, 1));
		right += tensor->correct(out, tensor->contiguous(tensor->slice(ys, 0, s, e, 1)));
	}
	return real right * 100.0 / real n;
}

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

# The first dimension of t.
rows(t: ref T): int
{
	return tensor->shape(t)[0];
}
