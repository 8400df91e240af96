# $Tensor: n-dimensional tensors for machine learning, built into the
# Acheron VM.
#
# A ref T is a handle: the elements live outside the Dis heap, in host
# memory, and are freed when the last reference goes.  T is opaque (x is
# not the tensor's data; writing it changes nothing), so a new dtype or
# dimension never changes a signature: read a tensor through shape, dtype
# and the functions below.
#
# Shapes are arrays of int, outermost dimension first (PyTorch's order).
# dtypes are named as PyTorch and ggml name them: "f64" "f32" "f16" "bf16"
# "i64" "i32" "i8" "u8" "bool" "q8_0" "q4_0".  Views (slice, permute,
# transpose, expand, view, squeeze, unsqueeze) share the elements of the
# tensor they come from; writing through one is seen through the other.
#
# Every operation of the library runs through op and opinto, by the name
# ml/ops.def gives it ("add", "matmul", "softmax", "layer_norm", ...; ops
# lists them), with NumPy broadcasting and options in a string:
#	y := tensor->op("softmax", array[] of {x}, "axis=-1");
# Errors (a shape or dtype that does not fit, a bad option) raise a
# "tensor: ..." exception naming the op and the shapes.  Tensor memory
# counts against the program's heap limit, and tensor work against its
# instruction limit.

Tensor: module
{
	PATH:	con "$Tensor";

	T: adt
	{
		x:	int;	# opaque
	};

	# The dimensions, outermost first (an empty array for a scalar).
	shape:	fn(t: ref T): array of int;
	# The dtype's name ("f32").
	dtype:	fn(t: ref T): string;
	# Where the elements live: "cpu".
	device:	fn(t: ref T): string;
	# The number of elements.
	numel:	fn(t: ref T): int;

	# A new tensor of zeros, or of v, of the given shape and dtype.
	zeros:	fn(shape: array of int, dtype: string): ref T;
	full:	fn(shape: array of int, v: real, dtype: string): ref T;
	# A new tensor from Limbo values, row-major, converted to dtype.
	fromreal:	fn(a: array of real, shape: array of int, dtype: string): ref T;
	fromint:	fn(a: array of int, shape: array of int, dtype: string): ref T;
	# The elements, row-major, converted to real or int (ints saturate;
	# NaN gives 0).
	toreal:	fn(t: ref T): array of real;
	toint:	fn(t: ref T): array of int;
	# One element, by index (q8_0 and q4_0 read their dequantized value
	# and cannot be written).
	get:	fn(t: ref T, idx: array of int): real;
	set:	fn(t: ref T, idx: array of int, v: real);

	# Views.  slice: indices start, start+step, ... before stop along dim
	# (negative start and stop count from the end, as Python's); permute:
	# dimension k of the result is perm[k] of t; expand: broadcast to shape;
	# view: the same elements in another shape without a copy (one entry
	# may be -1), or an exception when the strides do not allow it.
	slice:	fn(t: ref T, dim, start, stop, step: int): ref T;
	permute:	fn(t: ref T, perm: array of int): ref T;
	transpose:	fn(t: ref T, d0, d1: int): ref T;
	expand:	fn(t: ref T, shape: array of int): ref T;
	view:	fn(t: ref T, shape: array of int): ref T;
	squeeze:	fn(t: ref T, dim: int): ref T;
	unsqueeze:	fn(t: ref T, dim: int): ref T;
	# reshape: a view when the strides allow, else a copy (torch.reshape).
	reshape:	fn(t: ref T, shape: array of int): ref T;
	# t itself when contiguous, else a contiguous copy.
	contiguous:	fn(t: ref T): ref T;
	# A copy converted to dtype (to q8_0 or q4_0: ggml's quantizers).
	cast:	fn(t: ref T, dtype: string): ref T;
	# dst = src, converted to dst's dtype, src broadcast to dst's shape.
	copy:	fn(dst, src: ref T);

	# Runs the op called name on ins into a new tensor (op) or into out
	# (opinto, which allocates nothing).  opts: space-separated name=value
	# pairs, a bare name meaning 1: axis=-1 axes=0,2 keepdim eps=1e-5
	# correction=1 groups=2 p0=0.1 p1=6 (the op's scalar parameters, as
	# ml/ops.def documents them).
	op:	fn(name: string, ins: array of ref T, opts: string): ref T;
	opinto:	fn(name: string, out: ref T, ins: array of ref T, opts: string);
	# The names op accepts.
	ops:	fn(): array of string;

	# NumPy .npy files: loadnpy reads one (its dtype and shape); savenpy writes
	# t atomically (never a partial file).  The error string is nil on
	# success.
	loadnpy:	fn(path: string): (ref T, string);
	savenpy:	fn(t: ref T, path: string): string;
	# GGUF v3 files: every tensor by name (used in place, mapped from the
	# file), and writing named tensors.
	loadgguf:	fn(path: string): (array of string, array of ref T, string);
	savegguf:	fn(path: string, names: array of string, ts: array of ref T): string;
	# Reads an IDX file (gzip or plain), as in the MNIST and Fashion-MNIST
	# distributions, as f32 of the file's shape: [60000, 28, 28] for the
	# training images, [60000] for their labels.
	readidx:	fn(path: string): (ref T, string);

	# Normal(0, std) f32 elements from a seeded generator (same seed, same
	# tensor).
	randn:	fn(shape: array of int, std: real, seed: int): ref T;

	# The small network's training kernels, on contiguous f32 tensors seen
	# as matrices (rows = shape[0], cols = the product of the rest), in
	# the manner of Torch7's THNN: the output first.
	# t *= a
	scale:	fn(t: ref T, a: real);
	# c = alpha * op(a) * op(b) + beta * c, op(x) = x' when trans is nonzero.
	gemm:	fn(c, a, b: ref T, transa, transb: int, alpha, beta: real);
	# y[i][j] += b[0][j] for every row i (broadcast add of a 1 x cols row).
	addrow:	fn(y, b: ref T);
	# db[0][j] = sum over i of dy[i][j] + beta * db[0][j]
	sumrows:	fn(db, dy: ref T, beta: real);
	# y = max(x, 0)
	relu:	fn(y, x: ref T);
	# dx = dy where x > 0, else 0
	relugrad:	fn(dx, dy, x: ref T);
	# Mean softmax cross-entropy of logits (N x C) against labels (N x 1,
	# class indices); writes its gradient (softmax - onehot) / N to dlogits.
	xent:	fn(dlogits, logits, labels: ref T): real;
	# How many rows of logits have their largest element at the label.
	correct:	fn(logits, labels: ref T): int;
	# SGD with momentum (PyTorch's form): v = momentum*v + g; p -= lr*v.
	sgd:	fn(p, g, v: ref T, lr, momentum: real);
	# Adam (Kingma & Ba): m, v moments, step counts from 1.
	adam:	fn(p, g, m, v: ref T, step: int, lr, beta1, beta2, eps: real);
	# A random permutation of 0..n-1 from a seeded generator.
	perm:	fn(n, seed: int): array of int;
	# out[i] = src[idx[start+i]] for each row i of out (a shuffled mini-batch).
	gather:	fn(out, src: ref T, idx: array of int, start: int);
	# Draws a progress bar "label done/total" on standard error when it is a
	# terminal; does nothing otherwise.  done == total clears it.
	progress:	fn(label: string, done, total: int);
};
