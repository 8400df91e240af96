implement Binarytrees;

# The benchmarks game binary-trees, depth 16: allocate and walk many
# short-lived trees while one long-lived tree stays reachable.

include "sys.m";
	sys: Sys;
include "draw.m";

Binarytrees: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Tree: adt {
	left, right: ref Tree;
};

DEPTH: con 16;

bottomup(depth: int): ref Tree
{
	if(depth > 0){
		depth--;
		return ref Tree(bottomup(depth), bottomup(depth));
	}
	return ref Tree(nil, nil);
}

check(t: ref Tree): int
{
	if(t.left != nil)
		return 1 + check(t.left) + check(t.right);
	return 1;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	mindepth := 4;
	maxdepth := mindepth + 2;
	if(maxdepth < DEPTH)
		maxdepth = DEPTH;

	stretch := maxdepth + 1;
	sys->print("stretch tree of depth %d\t check: %d\n", stretch, check(bottomup(stretch)));

	longlived := bottomup(maxdepth);
	for(depth := mindepth; depth <= maxdepth; depth += 2){
		iterations := 1 << (maxdepth - depth + mindepth);
		chk := 0;
		for(i := 0; i < iterations; i++)
			chk += check(bottomup(depth));
		sys->print("%d\t trees of depth %d\t check: %d\n", iterations, depth, chk);
	}
	sys->print("long lived tree of depth %d\t check: %d\n", maxdepth, check(longlived));
}
