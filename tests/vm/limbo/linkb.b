# The callee of linkuse.b: one function, inc.
implement LinkB;

LinkB: module
{
	inc:	fn(n: int): int;
};

inc(n: int): int
{
	return n + 1;
}
