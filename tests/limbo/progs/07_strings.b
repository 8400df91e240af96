implement Strings;

include "sys.m";
	sys: Sys;
include "draw.m";

Strings: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	s := "hello";
	sys->print("%s len %d first %c last %c code %d\n", s, len s, s[0], s[len s - 1], s[1]);
	s[0] = 'H';
	sys->print("%s\n", s);
	s[len s] = '!';
	sys->print("%s len %d\n", s, len s);
	t := s + ", " + "world";
	sys->print("%s\n", t);
	sys->print("slice [%s] [%s] [%s] [%s]\n", t[0:5], t[7:], t[:3], t[3:3]);
	u := "";
	for(i := 0; i < 5; i++)
		u += string i;
	sys->print("built %s\n", u);
	sys->print("int %d %d %d\n", int "123", int "-45xyz", int "abc");
	sys->print("real %g %g\n", real "2.5", real "1e3");
	sys->print("big %bd\n", big "12345678901234");
	sys->print("to string [%s] [%s] [%s]\n", string 42, string -7, string 2.5);
	sys->print("big to string %s\n", string (big 1 << 40));
	uni := "\u00e9t\u00e9 \u4e16\u754c";
	sys->print("%s len %d chars:", uni, len uni);
	for(i = 0; i < len uni; i++)
		sys->print(" %d", uni[i]);
	sys->print("\n");
	a := array of byte uni;
	sys->print("utf-8 bytes %d:", len a);
	for(i = 0; i < len a; i++)
		sys->print(" %x", int a[i]);
	sys->print("\n");
	back := string a;
	sys->print("round trip %d\n", back == uni);
	w := "x";
	w[1] = 16r263a;
	sys->print("%s %d\n", w, len w);
	sys->print("cmp %d %d %d\n", "abc" < "abd", "b" > "abc", "\u00e9" > "z");
	sys->print("escapes [\t] [\\] [\"] ['] %d\n", len "\t\n\\");
	c := 'x';
	sys->print("char %c %d\n", c, c);
	sys->print("quoted %q %q\n", "plain", "with space");
	sys->print("width [%8s] [%-8s] [%.3s]\n", "abc", "abc", "abcdef");
	r := "";
	for(i = len s - 1; i >= 0; i--)
		r[len r] = s[i];
	sys->print("reversed %s\n", r);
	n := 0;
	for(i = 0; i < len t; i++)
		if(t[i] == 'o')
			n++;
	sys->print("count o %d\n", n);
	ns: string;
	sys->print("nil string [%s] %d %d\n", ns, len "", "" == ns);
}
