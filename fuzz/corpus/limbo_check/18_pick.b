implement Picks;

include "sys.m";
	sys: Sys;
include "draw.m";

Picks: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Shape: adt {
	name:	string;
	pick {
	Circle =>
		r:	real;
	Rect =>
		w, h:	real;
	Square =>
		side:	real;
	Empty =>
	}
};

Expr: adt {
	pick {
	Num =>
		v:	int;
	Add or Mul =>
		l, r:	cyclic ref Expr;
	Neg =>
		e:	cyclic ref Expr;
	}
};

area(s: ref Shape): real
{
	pick x := s {
	Circle =>
		return 3.0 * x.r * x.r;
	Rect =>
		return x.w * x.h;
	Square =>
		return x.side * x.side;
	* =>
		return 0.0;
	}
}

eval(e: ref Expr): int
{
	pick x := e {
	Num =>
		return x.v;
	Add =>
		return eval(x.l) + eval(x.r);
	Mul =>
		return eval(x.l) * eval(x.r);
	Neg =>
		return -eval(x.e);
	}
	return 0;
}

show(e: ref Expr): string
{
	pick x := e {
	Num =>
		return string x.v;
	Add or Mul =>
		op := "+";
		if(tagof e == tagof Expr.Mul)
			op = "*";
		return "(" + show(x.l) + op + show(x.r) + ")";
	Neg =>
		return "-" + show(x.e);
	}
	return "?";
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	shapes := array[] of {
		ref Shape.Circle("c", 2.0),
		ref Shape.Rect("r", 2.0, 3.5),
		ref Shape.Square("s", 4.0),
		ref Shape.Empty("e"),
	};
	for(i := 0; i < len shapes; i++)
		sys->print("%s tag %d area %g\n", shapes[i].name, tagof shapes[i], area(shapes[i]));
	sys->print("tags %d %d\n", tagof Shape.Rect, tagof Expr.Neg);
	e := ref Expr.Add(ref Expr.Num(2), ref Expr.Mul(ref Expr.Num(3), ref Expr.Neg(ref Expr.Num(4))));
	sys->print("%s = %d\n", show(e), eval(e));
	c := ref Shape.Circle("c2", 1.0);
	c.r = 5.0;
	s: ref Shape = c;
	sys->print("%s %g\n", s.name, area(s));
}
