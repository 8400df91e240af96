implement Confuselib;

# A harmless library: three int variables and functions that set and read
# them. tests/vm/limbo/confuse.b loads it through a module type that says
# the same variables are an array, a channel and a module (issue 14).

Confuselib: module
{
	a:	int;
	c:	int;
	m:	int;
	seta:	fn(v: int);
	geta:	fn(): int;
	setc:	fn(v: int);
	setm:	fn(v: int);
};

seta(v: int)
{
	a = v;
}

geta(): int
{
	return a;
}

setc(v: int)
{
	c = v;
}

setm(v: int)
{
	m = v;
}
