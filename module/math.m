# $Math: Acheron's VM provides all of Inferno's math module, with the same
# declarations and type signatures, so modules compiled by Inferno's limbo
# (calc, units, limbo itself) link against it. Arrays of real are f64;
# gemm is column-major with Fortran leading dimensions and runs on
# OpenBLAS. Bad shapes raise "invalid math argument".

Math: module
{
	PATH:	con "$Math";

	Infinity:	con 1e400;
	NaN:	con 0./0.;
	MachEps:	con 2.2204460492503131e-16;
	Pi:	con 3.14159265358979323846;
	Degree:	con Pi/180.;

	# exception bits of FPstatus/FPcontrol, and rounding modes
	INVAL:	con (1<<0);
	ZDIV:	con (1<<1);
	OVFL:	con (1<<2);
	UNFL:	con (1<<3);
	INEX:	con (1<<4);
	RND_NR:	con (0<<8);
	RND_NINF:	con (1<<8);
	RND_PINF:	con (2<<8);
	RND_Z:	con (3<<8);
	RND_MASK:	con (3<<8);

	# elementary functions, as in C's libm
	acos, acosh, asin, asinh, atan, atanh, cbrt, ceil, cos, cosh:	fn(x: real): real;
	erf, erfc, exp, expm1, fabs, floor, j0, j1, log, log10, log1p:	fn(x: real): real;
	rint, sin, sinh, sqrt, tan, tanh, y0, y1:	fn(x: real): real;
	atan2:	fn(y, x: real): real;
	copysign:	fn(x, s: real): real;
	fdim, fmin, fmax, fmod, hypot, nextafter, pow:	fn(x, y: real): real;
	remainder:	fn(x, p: real): real;
	jn, yn:	fn(n: int, x: real): real;
	scalbn:	fn(x: real, n: int): real;
	pow10:	fn(p: int): real;
	finite, ilogb, isnan:	fn(x: real): int;
	lgamma:	fn(x: real): (int, real);	# (sign of gamma, log |gamma|)
	modf:	fn(x: real): (int, real);	# (integer part, fraction)

	# floating point control and status words (bits above);
	# only the rounding mode takes effect, traps stay off
	getFPcontrol, getFPstatus:	fn(): int;
	FPcontrol, FPstatus:	fn(r, mask: int): int;

	# vectors and matrices
	dot:	fn(x, y: array of real): real;
	norm1, norm2:	fn(x: array of real): real;
	iamax:	fn(x: array of real): int;
	gemm:	fn(transa, transb: int,	# 'N' or 'T'
		m, n, k: int, alpha: real,
		a: array of real, lda: int,
		b: array of real, ldb: int, beta: real,
		c: array of real, ldc: int);
	sort:	fn(x: array of real, pi: array of int);	# permutes pi so x[pi[i]] ascend

	# big-endian external forms: b must be exactly 4 or 8 bytes per element
	import_int:	fn(b: array of byte, x: array of int);
	import_real32:	fn(b: array of byte, x: array of real);
	import_real:	fn(b: array of byte, x: array of real);
	export_int:	fn(b: array of byte, x: array of int);
	export_real32:	fn(b: array of byte, x: array of real);
	export_real:	fn(b: array of byte, x: array of real);

	# IEEE bit patterns
	bits32real:	fn(b: int): real;
	bits64real:	fn(b: big): real;
	realbits32:	fn(x: real): int;
	realbits64:	fn(x: real): big;
};
