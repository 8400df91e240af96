implement Calc;

include "sys.m";
	sys: Sys;
include "draw.m";

Calc: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

# A small stack machine: tokenise, compile infix to postfix, evaluate,
# and sort the results with quicksort.

Tok: adt {
	pick {
	Num =>
		v:	int;
	Op =>
		c:	int;
	}
};

lex(s: string): list of ref Tok
{
	r: list of ref Tok;
	for(i := 0; i < len s; i++){
		c := s[i];
		case c {
		'0' to '9' =>
			v := 0;
			while(i < len s && s[i] >= '0' && s[i] <= '9')
				v = v * 10 + s[i++] - '0';
			i--;
			r = ref Tok.Num(v) :: r;
		'+' or '-' or '*' or '/' or '(' or ')' =>
			r = ref Tok.Op(c) :: r;
		' ' =>
			;
		* =>
			raise "bad char " + s[i:i+1];
		}
	}
	l: list of ref Tok;
	for(; r != nil; r = tl r)
		l = hd r :: l;
	return l;
}

prec(c: int): int
{
	case c {
	'+' or '-' =>
		return 1;
	'*' or '/' =>
		return 2;
	}
	return 0;
}

topostfix(l: list of ref Tok): array of ref Tok
{
	out := array[len l] of ref Tok;
	n := 0;
	ops: list of int;
	for(; l != nil; l = tl l){
		pick t := hd l {
		Num =>
			out[n++] = t;
		Op =>
			if(t.c == '(')
				ops = t.c :: ops;
			else if(t.c == ')'){
				while(hd ops != '('){
					out[n++] = ref Tok.Op(hd ops);
					ops = tl ops;
				}
				ops = tl ops;
			}else{
				while(ops != nil && prec(hd ops) >= prec(t.c)){
					out[n++] = ref Tok.Op(hd ops);
					ops = tl ops;
				}
				ops = t.c :: ops;
			}
		}
	}
	for(; ops != nil; ops = tl ops)
		out[n++] = ref Tok.Op(hd ops);
	return out[0:n];
}

eval(p: array of ref Tok): int
{
	st := array[len p] of int;
	sp := 0;
	for(i := 0; i < len p; i++)
		pick t := p[i] {
		Num =>
			st[sp++] = t.v;
		Op =>
			b := st[--sp];
			a := st[--sp];
			case t.c {
			'+' => a += b;
			'-' => a -= b;
			'*' => a *= b;
			'/' => a /= b;
			}
			st[sp++] = a;
		}
	return st[0];
}

qsort(a: array of int, lo, hi: int)
{
	if(lo >= hi)
		return;
	p := a[(lo + hi) / 2];
	i := lo;
	j := hi;
	while(i <= j){
		while(a[i] < p)
			i++;
		while(a[j] > p)
			j--;
		if(i <= j){
			(a[i], a[j]) = (a[j], a[i]);
			i++;
			j--;
		}
	}
	qsort(a, lo, j);
	qsort(a, i, hi);
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	exprs := array[] of {"1 + 2 * 3", "(1 + 2) * 3", "100 / 7 - 2", "2 * (3 + 4) * 5", "42", "8 / (3 - 3)", "9 $ 1"};
	res := array[len exprs] of int;
	n := 0;
	for(i := 0; i < len exprs; i++){
		{
			v := eval(topostfix(lex(exprs[i])));
			sys->print("%s = %d\n", exprs[i], v);
			res[n++] = v;
		} exception e {
		"*" =>
			sys->print("%s: error: %s\n", exprs[i], e);
		}
	}
	res = res[0:n];
	qsort(res, 0, n - 1);
	for(i = 0; i < n; i++)
		sys->print(" %d", res[i]);
	sys->print("\n");
}
