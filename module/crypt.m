# $Crypt: the part of Inferno's cryptography module that Acheron's VM
# provides: the md5 and sha1 digests and DigestState.copy, as Inferno's own
# programs (limbo among them) use them. Declarations and type signatures
# match Inferno's module/crypt.m, so modules compiled by Inferno's limbo
# link against it.
#
# md5(buf, n, digest, state) adds buf[0:n] to state (a fresh one when nil)
# and returns it; when digest is not nil it writes the final value there
# (MD5dlen or SHA1dlen bytes) and starts the state afresh.

Crypt: module
{
	PATH:	con "$Crypt";

	# state held while creating digests
	DigestState: adt
	{
		x:	int;	# stands in for the hidden state, as in Inferno

		copy:	fn(d: self ref DigestState): ref DigestState;
	};

	sha1:	fn(buf: array of byte, n: int, digest: array of byte, state: ref DigestState):
		ref DigestState;
	md5:	fn(buf: array of byte, n: int, digest: array of byte, state: ref DigestState):
		ref DigestState;

	SHA1dlen:	con 20;
	MD5dlen:	con 16;
};
