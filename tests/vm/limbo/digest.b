implement Digest;

# md5 and sha1 of "hello" fed in two parts, the second through a copy of
# the state (DigestState.copy): tests/vm/builtin checks the digests, and
# that a program calling copy links against $Crypt.

include "sys.m";
	sys: Sys;
include "draw.m";

# As module/crypt.m (and Inferno's crypt.m, which needs ipints.m too)
# declare it: the same signatures.
Crypt: module
{
	PATH:	con "$Crypt";
	DigestState: adt
	{
		x:	int;
		copy:	fn(d: self ref DigestState): ref DigestState;
	};
	sha1:	fn(buf: array of byte, n: int, digest: array of byte, state: ref DigestState):
		ref DigestState;
	md5:	fn(buf: array of byte, n: int, digest: array of byte, state: ref DigestState):
		ref DigestState;
	SHA1dlen:	con 20;
	MD5dlen:	con 16;
};
	crypt: Crypt;
	DigestState: import crypt;

Digest: module
{
	init:	fn(nil: ref Draw->Context, nil: list of string);
};

hex(d: array of byte): string
{
	s := "";
	for(i := 0; i < len d; i++)
		s += sys->sprint("%02x", int d[i]);
	return s;
}

init(nil: ref Draw->Context, nil: list of string)
{
	sys = load Sys Sys->PATH;
	crypt = load Crypt Crypt->PATH;
	if(crypt == nil){
		sys->print("load Crypt: %r\n");
		return;
	}
	a := array of byte "hel";
	b := array of byte "lo";
	s := crypt->md5(a, len a, nil, nil);
	c := s.copy();
	d := array[Crypt->MD5dlen] of byte;
	crypt->md5(b, len b, d, c);
	sys->print("md5 %s\n", hex(d));
	e := array[Crypt->SHA1dlen] of byte;
	s = crypt->sha1(a, len a, nil, nil);
	crypt->sha1(b, len b, e, s.copy());
	sys->print("sha1 %s\n", hex(e));
}
