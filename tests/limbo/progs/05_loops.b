implement Loops;

include "sys.m";
	sys: Sys;
include "draw.m";

Loops: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	s := 0;
	for(i := 1; i <= 10; i++)
		s += i;
	sys->print("for %d\n", s);
	n := 0;
	while(n < 5)
		n += 2;
	sys->print("while %d\n", n);
	k := 100;
	do {
		k++;
	} while(k < 50);
	sys->print("do %d\n", k);
	for(i = 0; i < 10; i++){
		if(i == 2)
			continue;
		if(i == 6)
			break;
		sys->print(" %d", i);
	}
	sys->print("\n");
	j := 0;
	for(;;){
		j++;
		if(j > 3)
			break;
	}
	sys->print("forever %d\n", j);
outer:
	for(a := 0; a < 4; a++){
		for(b := 0; b < 4; b++){
			if(b == 2)
				continue outer;
			if(a == 3)
				break outer;
			sys->print("(%d,%d)", a, b);
		}
	}
	sys->print("\n");
	cnt := 0;
loop:
	while(1){
		do {
			cnt++;
			if(cnt == 7)
				break loop;
		} while(cnt % 3 != 0);
		sys->print("cnt %d\n", cnt);
	}
	sys->print("end %d\n", cnt);
	m := 0;
	for(x := 10; x > 0; x -= 3)
		m = m*10 + x;
	sys->print("down %d\n", m);
}
