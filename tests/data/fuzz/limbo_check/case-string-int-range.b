implement T;
T: module { f: fn(s: string): int; };
f(s: string): int
{
	case s {
	4 to 9 =>
		return 1;
	"a" =>
		return 2;
	}
	return 0;
}
