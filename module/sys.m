# $Sys: the part of Inferno's system module that Acheron's VM provides.
# Declarations and type signatures match Inferno's module/sys.m, so modules
# compiled by Inferno's limbo link against it.

Sys: module
{
	PATH:	con "$Sys";

	FD: adt
	{
		fd:	int;
	};

	fildes:	fn(fd: int): ref FD;
	write:	fn(fd: ref FD, buf: array of byte, n: int): int;
	aprint:	fn(s: string, *): array of byte;
	fprint:	fn(fd: ref FD, s: string, *): int;
	millisec:	fn(): int;
	print:	fn(s: string, *): int;
	sprint:	fn(s: string, *): string;
};
