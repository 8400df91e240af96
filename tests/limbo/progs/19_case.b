implement Cases;

include "sys.m";
	sys: Sys;
include "draw.m";

Cases: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

kind(n: int): string
{
	case n {
	0 =>
		return "zero";
	1 or 2 or 3 =>
		return "small";
	4 to 9 =>
		return "digit";
	10 to 99 or 1000 =>
		return "some";
	-5 to -1 =>
		return "negative";
	* =>
		return "other";
	}
}

word(s: string): int
{
	case s {
	"one" =>
		return 1;
	"two" or "deux" =>
		return 2;
	"g" to "k" =>
		return 16;
	"" =>
		return 0;
	* =>
		return -1;
	}
}

cls(c: int): string
{
	r: string;
	case c {
	'a' to 'z' =>
		r = "lower";
	'A' to 'Z' =>
		r = "upper";
	'0' to '9' =>
		r = "digit";
	' ' or '\t' or '\n' =>
		r = "space";
	* =>
		r = "punct";
	}
	return r;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	nums := array[] of {0, 2, 7, 42, 1000, -3, 500, -100};
	for(i := 0; i < len nums; i++)
		sys->print("%d:%s ", nums[i], kind(nums[i]));
	sys->print("\n");
	ws := array[] of {"one", "deux", "h", "k", "ka", "", "zzz"};
	for(i = 0; i < len ws; i++)
		sys->print("[%s]:%d ", ws[i], word(ws[i]));
	sys->print("\n");
	s := "aZ3 ,";
	for(i = 0; i < len s; i++)
		sys->print("%s ", cls(s[i]));
	sys->print("\n");
	b := byte 7;
	case int b {
	1 to 5 =>
		sys->print("byte low\n");
	7 =>
		sys->print("byte seven\n");
	}
	bg := big 1 << 40;
	for(k := 0; k < 3; k++){
		case bg {
		big 1 << 40 =>
			sys->print("big 2^40\n");
		big 32 or big 33 =>
			sys->print("big small %bd\n", bg);
		* =>
			sys->print("big other %bd\n", bg);
		}
		bg = (bg >> 35) + big k;
	}
	n := 3;
	case n {
	1 =>
		sys->print("no default, no match\n");
	}
	for(i = 0; i < 4; i++){
		case i {
		1 =>
			continue;
		3 =>
			break;
		* =>
			sys->print("i %d\n", i);
		}
		sys->print("after case %d\n", i);
	}
	big1 := big 1 << 40;
	case int (big1 >> 38) {
	4 =>
		sys->print("big shift ok\n");
	}
}
