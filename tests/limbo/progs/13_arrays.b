implement Arrays;

include "sys.m";
	sys: Sys;
include "draw.m";

Arrays: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Point: adt {
	x, y: int;
};

pr(tag: string, a: array of int)
{
	sys->print("%s[%d]:", tag, len a);
	for(i := 0; i < len a; i++)
		sys->print(" %d", a[i]);
	sys->print("\n");
}

sum(a: array of int): int
{
	s := 0;
	for(i := 0; i < len a; i++)
		s += a[i];
	return s;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	a := array[5] of int;
	pr("zero", a);
	for(i := 0; i < len a; i++)
		a[i] = i * i;
	pr("squares", a);
	b := array[] of {3, 1, 4, 1, 5, 9, 2, 6};
	pr("lit", b);
	c := array[6] of {* => 7};
	pr("star", c);
	d := array[8] of {1 to 3 => 5, 6 => 9, * => -1};
	pr("ranges", d);
	e := array[] of {0 => 10, 4 => 40};
	pr("sparse", e);
	f := array[4] of {1, 2};
	pr("short", f);
	pr("slice", b[2:5]);
	pr("tail", b[5:]);
	pr("head", b[:2]);
	s := b[1:4];
	s[0] = 100;
	pr("aliased", b);
	g := array[10] of {* => 0};
	g[2:] = b[0:3];
	pr("sliceassign", g);
	g[7:] = array[] of {-7, -8, -9};
	pr("sliceassign2", g);
	sys->print("sum %d\n", sum(b));
	m := array[3] of array of int;
	for(i = 0; i < len m; i++){
		m[i] = array[i+1] of int;
		for(j := 0; j < len m[i]; j++)
			m[i][j] = i * 10 + j;
	}
	for(i = 0; i < len m; i++)
		pr("row", m[i]);
	grid := array[2] of {array[] of {1, 2}, array[] of {3, 4}};
	sys->print("grid %d\n", grid[0][1] * grid[1][0]);
	pts := array[3] of Point;
	for(i = 0; i < len pts; i++)
		pts[i] = Point(i, i * 2);
	pts[1].y = 99;
	sys->print("pts %d %d %d\n", pts[0].y, pts[1].y, pts[2].x + pts[2].y);
	rp := array[2] of ref Point;
	sys->print("nil ref %d\n", rp[0] == nil);
	rp[1] = ref Point(5, 6);
	sys->print("ref %d\n", rp[1].x);
	strs := array[] of {"a", "bb", "ccc"};
	t := 0;
	for(i = 0; i < len strs; i++)
		t += len strs[i];
	sys->print("strs %d %s\n", t, strs[2]);
	empty := array[0] of int;
	sys->print("empty %d\n", len empty);
	na: array of int;
	sys->print("nil array %d %d\n", len na, na == nil);
	bytes := array of byte "abc";
	sys->print("bytes %d %d\n", len bytes, int bytes[1]);
	cp := array[len b] of int;
	cp[0:] = b;
	cp[0] = -1;
	sys->print("copy %d %d\n", b[0], cp[0]);
	{
		x := b[len b];
		sys->print("no %d\n", x);
	} exception err {
	"array bounds error" =>
		sys->print("caught %s\n", err);
	}
}
