implement TensorApi;

# The n-d $Tensor API from Limbo: constructors and dtypes, views sharing
# their elements, the generic op path with options, conversions to and from
# Limbo arrays, NPY and GGUF files, and the errors a program can catch.

include "sys.m";
	sys: Sys;
include "draw.m";
include "tensor.m";
	tensor: Tensor;
	T: import tensor;

TensorApi: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

reals(a: array of real): string
{
	s := "";
	for(i := 0; i < len a; i++){
		if(i > 0)
			s += " ";
		s += sys->sprint("%g", a[i]);
	}
	return s;
}

dims(t: ref T): string
{
	sh := tensor->shape(t);
	s := "[";
	for(i := 0; i < len sh; i++){
		if(i > 0)
			s += ",";
		s += string sh[i];
	}
	return s + "] " + tensor->dtype(t);
}

init(nil: ref Draw->Context, args: list of string)
{
	sys = load Sys Sys->PATH;
	tensor = load Tensor Tensor->PATH;
	dir := hd tl args;

	x := tensor->fromreal(array[] of {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, array[] of {2, 3}, "f32");
	sys->print("x %s %s\n", dims(x), reals(tensor->toreal(x)));
	# a transposed view shares the elements
	xt := tensor->transpose(x, 0, 1);
	tensor->set(xt, array[] of {2, 1}, 60.0);
	sys->print("xt %s %s; x[1,2] %g\n", dims(xt), reals(tensor->toreal(xt)), tensor->get(x, array[] of {1, 2}));
	# broadcasting, reductions with options, dtypes
	row := tensor->fromint(array[] of {10, 20, 30}, array[] of {3}, "f32");
	y := tensor->op("add", array[] of {x, row}, nil);
	sys->print("x+row %s\n", reals(tensor->toreal(y)));
	s := tensor->op("sum", array[] of {x}, "axes=1 keepdim");
	sys->print("sum %s %s\n", dims(s), reals(tensor->toreal(s)));
	sm := tensor->op("softmax", array[] of {tensor->fromreal(array[] of {0.0, 0.0}, array[] of {2}, "f64")}, "axis=-1");
	sys->print("softmax %s %s\n", dims(sm), reals(tensor->toreal(sm)));
	i := tensor->cast(x, "i32");
	am := tensor->op("argmax", array[] of {i}, "axes=1");
	sys->print("argmax %s %s\n", dims(am), reals(tensor->toreal(am)));
	# slices count from the end, as Python's
	sl := tensor->slice(x, 1, -1, -4, -1);
	sys->print("reversed %s %s\n", dims(sl), reals(tensor->toreal(sl)));
	v := tensor->view(x, array[] of {3, -1});
	sys->print("view %s\n", dims(v));
	q := tensor->cast(tensor->full(array[] of {2, 32}, 0.5, "f32"), "q8_0");
	sys->print("q %s numel %d [1,31] %g\n", dims(q), tensor->numel(q), tensor->get(q, array[] of {1, 31}));
	# files
	err := tensor->savenpy(x, dir + "/x.npy");
	(back, lerr) := tensor->loadnpy(dir + "/x.npy");
	sys->print("npy %s %s %s\n", err, lerr, reals(tensor->toreal(back)));
	err = tensor->savegguf(dir + "/m.gguf", array[] of {"w", "b"}, array[] of {x, row});
	(names, ts, gerr) := tensor->loadgguf(dir + "/m.gguf");
	sys->print("gguf %s %s %d %s %s %s\n", err, gerr, len names, names[1], dims(ts[1]), reals(tensor->toreal(ts[1])));
	(nil, nerr) := tensor->loadnpy(dir + "/missing.npy");
	sys->print("missing: %d\n", nerr != nil);
	# errors are exceptions a program catches
	{
		tensor->op("add", array[] of {x, tensor->zeros(array[] of {4}, "f32")}, nil);
	} exception e {
	"tensor:*" =>
		sys->print("caught %s\n", e);
	}
	{
		tensor->op("sum", array[] of {x}, "axis=x");
	} exception e {
	"tensor:*" =>
		sys->print("caught %s\n", e);
	}
	{
		tensor->op("nosuch", array[] of {x}, nil);
	} exception e {
	"tensor:*" =>
		sys->print("caught %s\n", e);
	}
	sys->print("%d ops\n", len tensor->ops() > 50);
}
