implement StrConv;

# int, big and real of a string at run time (cvtcw, cvtcl, cvtcf), by
# Inferno's rules: int saturates, big wraps, real is Gay's strtod.

include "sys.m";
	sys: Sys;
include "draw.m";

StrConv: module
{
	init: fn(nil: ref Draw->Context, nil: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	ints := array[] of {
		"  -123abc", " \t9", "+-5", "16rff", "0x1f", "",
		"2147483648", "-2147483649", "99999999999", "1€",
	};
	for(i := 0; i < len ints; i++)
		sys->print("int %q = %d\n", ints[i], int ints[i]);
	bigs := array[] of {
		"9223372036854775808", "99999999999999999999", "-99999999999999999999",
		"18446744073709551617", " 12x",
	};
	for(i = 0; i < len bigs; i++)
		sys->print("big %q = %bd\n", bigs[i], big bigs[i]);
	reals := array[] of {
		"3.25", "-", "-x", "inf", "Infinity", "-infinity", "nan", "0x1p3",
		"1e", "1e+", ".5", "5.", ".", "-0", "1e400", "-1e-400", "5e-324",
		"2.4703282292062327e-324", "9007199254740993", "1.7976931348623159e308",
	};
	for(i = 0; i < len reals; i++)
		sys->print("real %q = %g\n", reals[i], real reals[i]);
	s: string;
	sys->print("nil %d %bd %g\n", int s, big s, real s);
}
