# $Tensor: f32 tensors for machine learning, built into the Acheron VM.
#
# A Tensor lives outside the Dis heap (its elements are in host memory,
# aligned for BLAS); a ref Tensor is a small heap object that refers to it,
# and the elements are freed when the last reference goes.  Tensors here are
# matrices: rows x cols, row-major (an IDX image file of N 28x28 images is
# read as N x 784).  Functions that write take the output tensor first, in
# the manner of Torch7's THNN; shape errors raise a "tensor: ..." exception
# that names the function and the shapes.

Tensor: module
{
	PATH:	con "$Tensor";

	T: adt
	{
		rows:	int;	# shape[0]
		cols:	int;	# product of the other dimensions
	};

	# Reads an IDX file (gzip or plain), as in the MNIST and Fashion-MNIST
	# distributions; u8 elements become reals 0..255.  The error string is
	# nil on success.
	readidx:	fn(path: string): (ref T, string);
	zeros:	fn(rows, cols: int): ref T;
	# Normal(0, std) elements from a seeded generator (same seed, same tensor).
	randn:	fn(rows, cols: int, std: real, seed: int): ref T;
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
