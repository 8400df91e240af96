Helper: module
{
	PATH:	con "25_helper.dis";
	Pair: adt {
		a, b:	int;
		sum:	fn(p: self ref Pair): int;
	};
	greeting:	string;
	init:	fn(who: string);
	hello:	fn(): string;
	twice:	fn(x: int): int;
	calls:	fn(): int;
};
