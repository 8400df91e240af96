implement Classify;

# Evaluates a model train.dis saved (-o FILE.gguf) on the Fashion-MNIST
# test set, or classifies images.
#
# Usage: dis-run classify.dis [-d DIR] [-h|--help] MODEL.gguf [IMAGE.pgm ...]
#   -d DIR      the IDX files (default /usr/share/datasets/fashion-mnist)
#   MODEL.gguf  a model file (the architecture comes from the file)
#   IMAGE.pgm   28x28 8-bit greyscale images (binary PGM, P5), white
#               garment on black as in the dataset
# With no image: prints "accuracy NN.NN%" over the 10,000 test images,
# then the 10x10 confusion matrix (rows: true class, columns: predicted)
# with the class names. With images: one line each, the predicted class
# and the three most probable classes with their probabilities.
#
# A failure is one line on standard error naming the file, and the
# program raises "fail:usage", "fail:model", "fail:data" or "fail:image"
# (exit status 1 from dis-run).

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;
include "nn.m";
	nn: Nn;
	Module: import nn;

Classify: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

USAGE:	con "usage: classify.dis [-d DIR] [-h|--help] MODEL.gguf [IMAGE.pgm ...]";
DATADIR:	con "/usr/share/datasets/fashion-mnist";
CHUNK:	con 1000;	# test images per forward pass

CLASSES := array[] of {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

stderr:	ref Sys->FD;
arch:	string;

init(nil: ref Draw->Context, argv: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	nn = load Nn Nn->PATH;
	stderr = sys->fildes(2);

	dir := DATADIR;
	args: list of string;
	for(argv = tl argv; argv != nil; argv = tl argv){
		a := hd argv;
		if(a == "-h" || a == "--help"){
			sys->print("%s\n", USAGE);
			return;
		}
		if(a == "-d"){
			if(tl argv == nil)
				usage("-d: missing value");
			argv = tl argv;
			dir = hd argv;
		}else if(len a > 1 && a[0] == '-')
			usage(a + ": unknown option");
		else
			args = a :: args;
	}
	if(args == nil)
		usage("no model file");
	# args is reversed: the model is its last element
	images: list of string;
	for(; tl args != nil; args = tl args)
		images = hd args :: images;
	path := hd args;
	net: ref Module;
	{
		(net, arch) = nn->loadmodel(path);
	}exception e{
	"nn:*" =>
		fail("model", e[4:]);
	}
	nn->train(net, 0);
	if(images == nil){
		test(net, dir);
		return;
	}
	for(; images != nil; images = tl images)
		classify(net, hd images);
}

# Accuracy and the confusion matrix over the test set.
test(net: ref Module, dir: string)
{
	xs := readidx(dir + "/t10k-images-idx3-ubyte.gz");
	ys := readidx(dir + "/t10k-labels-idx1-ubyte.gz");
	tensor->scale(xs, 1.0/255.0);
	xs = input(xs);
	n := tensor->shape(xs)[0];
	conf := array[10*10] of {* => 0};
	right := 0;
	for(s := 0; s < n; s += CHUNK){
		e := s + CHUNK;
		if(e > n)
			e = n;
		out := nn->forward(net, tensor->slice(xs, 0, s, e, 1));
		pred := tensor->toint(tensor->op("argmax", array[] of {out}, "axes=1"));
		want := tensor->toint(tensor->slice(ys, 0, s, e, 1));
		for(i := 0; i < len pred; i++){
			if(want[i] < 0 || want[i] > 9 || pred[i] < 0 || pred[i] > 9)
				fail("data", sys->sprint("test label %d out of range", want[i]));
			conf[want[i]*10 + pred[i]]++;
			if(pred[i] == want[i])
				right++;
		}
	}
	sys->print("accuracy %.2f%%\n", real right * 100.0 / real n);
	sys->print("%-12s", "true\\pred");
	for(j := 0; j < 10; j++)
		sys->print(" %5.5s", CLASSES[j]);
	sys->print("\n");
	for(i := 0; i < 10; i++){
		sys->print("%-12s", CLASSES[i]);
		for(j = 0; j < 10; j++)
			sys->print(" %5d", conf[i*10 + j]);
		sys->print("\n");
	}
}

# One image: its class and the top three probabilities.
classify(net: ref Module, path: string)
{
	px := readpgm(path);
	x := tensor->fromint(px, array[] of {1, 28, 28}, "f32");
	tensor->scale(x, 1.0/255.0);
	out := nn->forward(net, input(x));
	p := tensor->toreal(tensor->op("softmax", array[] of {out}, "axis=1"));
	sys->print("%s: %s", path, CLASSES[best(p, -1, -1)]);
	a := best(p, -1, -1);
	b := best(p, a, -1);
	c := best(p, a, b);
	sys->print(" (%s %.1f%%, %s %.1f%%, %s %.1f%%)\n", CLASSES[a], 100.0*p[a],
		CLASSES[b], 100.0*p[b], CLASSES[c], 100.0*p[c]);
}

# The index of the largest p[i] other than i = x and i = y.
best(p: array of real, x, y: int): int
{
	k := -1;
	for(i := 0; i < len p; i++)
		if(i != x && i != y && (k < 0 || p[i] > p[k]))
			k = i;
	return k;
}

# Images [N, 28, 28] as the model wants them: [N, 1, 28, 28] for a CNN.
input(x: ref T): ref T
{
	if(arch == "cnn")
		return tensor->view(x, array[] of {-1, 1, 28, 28});
	return x;
}

# The 784 pixels of a binary PGM (P5) image of 28x28, maxval 255.
readpgm(path: string): array of int
{
	fd := sys->open(path, Sys->OREAD);
	if(fd == nil)
		fail("image", sys->sprint("%s: %r", path));
	buf := array[4096] of byte;
	n := 0;
	while(n < len buf){
		m := sys->read(fd, buf[n:], len buf - n);
		if(m < 0)
			fail("image", sys->sprint("%s: %r", path));
		if(m == 0)
			break;
		n += m;
	}
	# the header: P5, width, height, maxval, each after white space or a
	# comment, then one white space byte
	if(n < 2 || buf[0] != byte 'P' || buf[1] != byte '5')
		fail("image", path + ": not a binary PGM (P5) file");
	o := 2;
	f := array[3] of int;
	for(k := 0; k < 3; k++){
		for(;;){
			while(o < n && (buf[o] == byte ' ' || buf[o] == byte '\t' || buf[o] == byte '\n' || buf[o] == byte '\r'))
				o++;
			if(o < n && buf[o] == byte '#'){
				while(o < n && buf[o] != byte '\n')
					o++;
				continue;
			}
			break;
		}
		s := o;
		while(o < n && buf[o] >= byte '0' && buf[o] <= byte '9')
			o++;
		if(o == s || o - s > 6)
			fail("image", sys->sprint("%s: offset %d: bad PGM header", path, s));
		f[k] = int string buf[s:o];
	}
	if(f[0] != 28 || f[1] != 28)
		fail("image", sys->sprint("%s: %dx%d, want 28x28", path, f[0], f[1]));
	if(f[2] != 255)
		fail("image", sys->sprint("%s: maxval %d, want 255", path, f[2]));
	o++;
	if(n - o < 28*28)
		fail("image", sys->sprint("%s: %d bytes of pixels, want 784", path, n - o));
	px := array[28*28] of int;
	for(i := 0; i < len px; i++)
		px[i] = int buf[o+i];
	return px;
}

readidx(path: string): ref T
{
	(t, err) := tensor->readidx(path);
	if(err != nil)
		fail("data", err);
	return t;
}

usage(msg: string)
{
	sys->fprint(stderr, "classify: %s\n%s\n", msg, USAGE);
	raise "fail:usage";
}

fail(why, msg: string)
{
	sys->fprint(stderr, "classify: %s\n", msg);
	raise "fail:" + why;
}
