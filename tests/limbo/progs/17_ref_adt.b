implement RefAdts;

include "sys.m";
	sys: Sys;
include "draw.m";

RefAdts: module
{
	init:	fn(ctxt: ref Draw->Context, argv: list of string);
};

Node: adt {
	val:	int;
	next:	cyclic ref Node;
};

Tree: adt {
	key:	string;
	left, right: cyclic ref Tree;
	count:	int;
};

push(l: ref Node, v: int): ref Node
{
	return ref Node(v, l);
}

length(l: ref Node): int
{
	n := 0;
	for(; l != nil; l = l.next)
		n++;
	return n;
}

reverse(l: ref Node): ref Node
{
	r: ref Node;
	while(l != nil){
		nx := l.next;
		l.next = r;
		r = l;
		l = nx;
	}
	return r;
}

insert(t: ref Tree, k: string): ref Tree
{
	if(t == nil)
		return ref Tree(k, nil, nil, 1);
	if(k < t.key)
		t.left = insert(t.left, k);
	else if(k > t.key)
		t.right = insert(t.right, k);
	else
		t.count++;
	return t;
}

walk(t: ref Tree)
{
	if(t == nil)
		return;
	walk(t.left);
	sys->print(" %s:%d", t.key, t.count);
	walk(t.right);
}

depth(t: ref Tree): int
{
	if(t == nil)
		return 0;
	l := depth(t.left);
	r := depth(t.right);
	if(l > r)
		return l + 1;
	return r + 1;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	l: ref Node;
	for(i := 0; i < 6; i++)
		l = push(l, i);
	sys->print("len %d head %d\n", length(l), l.val);
	l = reverse(l);
	sys->print("reversed:");
	for(p := l; p != nil; p = p.next)
		sys->print(" %d", p.val);
	sys->print("\n");
	a := ref Node(1, nil);
	b := ref Node(1, nil);
	c := a;
	sys->print("eq %d %d %d\n", a == b, a == c, a != b);
	ring := ref Node(0, nil);
	ring.next = ref Node(1, ring);
	sys->print("ring %d\n", ring.next.next.next.val);
	t: ref Tree;
	words := array[] of {"m", "c", "x", "a", "e", "c", "z", "m", "m"};
	for(i = 0; i < len words; i++)
		t = insert(t, words[i]);
	sys->print("tree:");
	walk(t);
	sys->print("\ndepth %d\n", depth(t));
	n: ref Node;
	{
		sys->print("%d\n", n.val);
	} exception e {
	"dereference of nil" =>
		sys->print("caught %s\n", e);
	}
}
