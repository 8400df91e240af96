# $Sys: the part of Inferno's system module that Acheron's VM provides.
# Declarations and type signatures match Inferno's module/sys.m, so modules
# compiled by Inferno's limbo link against it. Files are the host's:
# absolute paths resolve under the runtime's root (dis-run -r), relative
# ones against the working directory.

Sys: module
{
	PATH:	con "$Sys";

	Maxint:	con 2147483647;

	# A file's unique identity: path is the host inode, vers its mtime.
	Qid: adt
	{
		path:	big;
		vers:	int;
		qtype:	int;
	};

	QTDIR:	con 16r80;
	QTAPPEND:	con 16r40;
	QTEXCL:	con 16r20;
	QTAUTH:	con 16r08;
	QTTMP:	con 16r04;
	QTFILE:	con 0;

	# What stat, fstat and dirread return; wstat and fwstat change the
	# fields that are not ~0 (or nil): name, mode, mtime, length.
	Dir: adt
	{
		name:	string;
		uid:	string;
		gid:	string;
		muid:	string;
		qid:	Qid;
		mode:	int;
		atime:	int;
		mtime:	int;
		length:	big;
		dtype:	int;
		dev:	int;
	};
	nulldir:	con Dir(nil, nil, nil, nil, (~big 0, ~0, ~0), ~0, ~0, ~0, ~big 0, ~0, ~0);
	zerodir:	con Dir(nil, nil, nil, nil, (big 0, 0, 0), 0, 0, 0, big 0, 0, 0);

	# An open file; closed when the last reference goes (never 0, 1, 2).
	FD: adt
	{
		fd:	int;
	};

	# Network connection returned by dial: dfd carries the data; cfd is
	# nil (there is no control file) and dir a name like /net/tcp/0.
	Connection: adt
	{
		dfd:	ref FD;
		cfd:	ref FD;
		dir:	string;
	};

	ATOMICIO:	con 8192;

	SEEKSTART:	con 0;
	SEEKRELA:	con 1;
	SEEKEND:	con 2;

	NAMEMAX:	con 256;
	ERRMAX:	con 128;

	OREAD:	con 0;
	OWRITE:	con 1;
	ORDWR:	con 2;
	OTRUNC:	con 16;
	ORCLOSE:	con 64;
	OEXCL:	con 16r1000;

	DMDIR:	con int 1<<31;
	DMAPPEND:	con int 1<<30;
	DMEXCL:	con int 1<<29;
	DMAUTH:	con int 1<<27;
	DMTMP:	con int 1<<26;

	# pctl flags: accepted; the VM's threads share one host process.
	NEWFD:	con (1<<0);
	FORKFD:	con (1<<1);
	NEWNS:	con (1<<2);
	FORKNS:	con (1<<3);
	NEWPGRP:	con (1<<4);
	NODEVS:	con (1<<5);
	NEWENV:	con (1<<6);
	FORKENV:	con (1<<7);

	UTFmax:	con 4;
	UTFerror:	con 16rFFFD;
	Runemax:	con 16r10FFFF;
	Runemask:	con 16r1FFFFF;

	aprint:	fn(s: string, *): array of byte;
	byte2char:	fn(buf: array of byte, n: int): (int, int, int);
	char2byte:	fn(c: int, buf: array of byte, n: int): int;
	chdir:	fn(path: string): int;
	create:	fn(s: string, mode, perm: int): ref FD;
	dial:	fn(addr, local: string): (int, Connection);
	dirread:	fn(fd: ref FD): (int, array of Dir);
	dup:	fn(old, new: int): int;
	fd2path:	fn(fd: ref FD): string;
	fildes:	fn(fd: int): ref FD;
	fprint:	fn(fd: ref FD, s: string, *): int;
	fstat:	fn(fd: ref FD): (int, Dir);
	fwstat:	fn(fd: ref FD, d: Dir): int;
	iounit:	fn(fd: ref FD): int;
	millisec:	fn(): int;
	open:	fn(s: string, mode: int): ref FD;
	pctl:	fn(flags: int, movefd: list of int): int;
	pipe:	fn(fds: array of ref FD): int;
	pread:	fn(fd: ref FD, buf: array of byte, n: int, off: big): int;
	print:	fn(s: string, *): int;
	pwrite:	fn(fd: ref FD, buf: array of byte, n: int, off: big): int;
	read:	fn(fd: ref FD, buf: array of byte, n: int): int;
	remove:	fn(s: string): int;
	seek:	fn(fd: ref FD, off: big, start: int): big;
	sleep:	fn(period: int): int;
	sprint:	fn(s: string, *): string;
	stat:	fn(s: string): (int, Dir);
	stream:	fn(src, dst: ref FD, bufsiz: int): int;
	tokenize:	fn(s, delim: string): (int, list of string);
	utfbytes:	fn(buf: array of byte, n: int): int;
	werrstr:	fn(s: string): int;
	write:	fn(fd: ref FD, buf: array of byte, n: int): int;
	wstat:	fn(s: string, d: Dir): int;
};
