implement Arenascan;

# Reads every word of its own arena through a forged array (confuselib.dis
# loaded through a module type that says its int is an array, as in
# confuse.b) and counts the 64-bit values that fall inside a mapping of
# the process (/proc/self/maps): a host address. The VM keeps none where
# Dis code can read (vm/vm.h), so the count must be 0 (tests/vm/hostile).

include "sys.m";
	sys: Sys;
include "draw.m";

Arenascan: module
{
	init:	fn(nil: ref Draw->Context, args: list of string);
};

Evil: module
{
	PATH:	con "confuselib.dis";
	a:	array of int;
	c:	chan of int;
	m:	Sys;
	seta:	fn(v: int);
	geta:	fn(): int;
	setc:	fn(v: int);
	setm:	fn(v: int);
};

hexval(s: string, i: int): (big, int)
{
	v := big 0;
	for(; i < len s; i++){
		c := s[i];
		d: int;
		if(c >= '0' && c <= '9')
			d = c - '0';
		else if(c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			break;
		v = (v << 4) | big d;
	}
	return (v, i);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	evil := load Evil Evil->PATH;
	if(evil == nil){
		sys->print("load: %r\n");
		raise "fail:load";
	}

	# The mappings, as (lo, hi) pairs of page numbers: stored as
	# addresses they would be host addresses in the arena themselves.
	# [vsyscall] (above 2^63) is left out.
	fd := sys->open("/proc/self/maps", Sys->OREAD);
	if(fd == nil){
		sys->print("maps: %r\n");
		raise "fail:maps";
	}
	text := "";
	buf := array[8192] of byte;
	while((n := sys->read(fd, buf, len buf)) > 0)
		text += string buf[0:n];
	lo := array[512] of big;
	hi := array[512] of big;
	nmap := 0;
	minlo := big -1;
	for(i := 0; i < len text && nmap < len lo; ){
		(l, j) := hexval(text, i);
		(h, k) := hexval(text, j + 1);
		if(l >= big 0){
			lo[nmap] = l >> 12;
			hi[nmap] = h >> 12;
			if(minlo < big 0 || lo[nmap] < minlo)
				minlo = lo[nmap];
			nmap++;
		}
		while(k < len text && text[k] != '\n')
			k++;
		i = k + 1;
	}

	# A forged array of int over the whole arena: header in fake's bytes.
	fake := array[16] of {* => 0};
	evil->a = fake;
	addr := evil->geta();
	fake[2] = 1000;          # heap header: count
	fake[8] = 16r3fffffff;   # len
	fake[11] = 0;            # data: Dis address 0
	evil->a = nil;	# its reference goes before an int overwrites it
	evil->seta(addr + 16 + 32);
	x := evil->a;
	words := 0;
	hits := 0;
	{
		for(w := 16384; ; w += 2){
			v := (big x[w] & big 16rffffffff) | (big x[w+1] << 32);
			words += 2;
			p := v >> 12;
			if(v >= big 0 && p >= minlo)
				for(m := 0; m < nmap; m++)
					if(p >= lo[m] && p < hi[m]){
						if(hits < 5)
							sys->print("host address 16r%bx at word %d\n", v, w);
						hits++;
						break;
					}
		}
	} exception {
	"*" =>
		;
	}
	x = nil;
	evil->seta(0);
	sys->print("mappings %d words %d hits %d\n", nmap, words, hits);
}
