implement Helper;

include "25_helper.m";

ncalls := 0;
name: string;

init(who: string)
{
	name = who;
	greeting = "hi " + who;
}

hello(): string
{
	ncalls++;
	return "hello from helper to " + name;
}

twice(x: int): int
{
	ncalls++;
	return 2 * x;
}

calls(): int
{
	return ncalls;
}

Pair.sum(p: self ref Pair): int
{
	return p.a + p.b;
}
