implement Excepts;

include "sys.m";
	sys: Sys;
include "draw.m";

Excepts: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Err: exception(string, int);
Simple: exception;

thrower(k: int): int raises (Err, Simple)
{
	case k {
	0 =>
		raise "fail:zero";
	1 =>
		raise Err("custom", 42);
	2 =>
		raise Simple;
	3 =>
		a := array[2] of int;
		return a[k];
	4 =>
		return 10 / (k - 4);
	}
	return k * 100;
}

middle(k: int): int
{
	{
		return thrower(k);
	} exception e {
	"fail:*" =>
		sys->print("  middle re-raises %s\n", e);
		raise;
	}
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	for(k := 0; k < 6; k++){
		{
			{
				r: int;
				if(k == 1 || k == 2)
					r = thrower(k);
				else
					r = middle(k);
				sys->print("%d: result %d\n", k, r);
			} exception e {
			Err =>
				(s, n) := e;
				sys->print("%d: Err %s %d\n", k, s, n);
			Simple =>
				sys->print("%d: Simple\n", k);
			}
		} exception e {
		"fail:*" =>
			sys->print("%d: fail pattern %s\n", k, e);
		"array bounds*" =>
			sys->print("%d: bounds %s\n", k, e);
		"*" =>
			sys->print("%d: other %s\n", k, e);
		}
	}
	{
		{
			raise "inner";
		} exception {
		"outer" =>
			sys->print("wrong handler\n");
		}
	} exception x {
	"inner" =>
		sys->print("propagated %s\n", x);
	}
	{
		raise "exact";
	} exception y {
	"exac" =>
		sys->print("prefix matched wrongly\n");
	"exact" =>
		sys->print("exact %s\n", y);
	}
	n := 0;
	for(i := 0; i < 3; i++){
		{
			if(i == 1)
				raise "skip";
			n += 10;
		} exception {
		"skip" =>
			n += 1;
		}
	}
	sys->print("loop %d\n", n);
	s := "";
	{
		s += "a";
		raise "z";
	} exception {
	* =>
		s += "b";
	}
	sys->print("after %s\n", s);
}
