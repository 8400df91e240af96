#!/bin/sh
# `make install PREFIX=…` gives a tree that works on its own: the installed
# limbo compiles a program that includes sys.m and draw.m with no -I, the
# installed dis-run runs it, and the man pages are there.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..4"
# A make started by a test must not join the outer make's job server.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s install PREFIX="$tmp/usr" >"$tmp/log" 2>&1; then
	echo "ok 1 - make install PREFIX=$tmp/usr"
else
	echo "not ok 1 - make install failed: $(tail -1 "$tmp/log")"
	exit 1
fi
mkdir "$tmp/work" && cp examples/hello/hello.b "$tmp/work/"
if (cd "$tmp/work" && "$tmp/usr/bin/limbo" hello.b) >"$tmp/log" 2>&1 && [ -f "$tmp/work/hello.dis" ]; then
	echo "ok 2 - installed limbo compiles hello.b with no flags"
else
	echo "not ok 2 - installed limbo: $(head -1 "$tmp/log")"
fi
out=$(cd "$tmp/work" && "$tmp/usr/bin/dis-run" hello.dis there 2>&1)
if [ "$out" = "hello, there" ]; then
	echo "ok 3 - installed dis-run runs it"
else
	echo "not ok 3 - installed dis-run printed: $out"
fi
missing=""
for m in man/*.1; do
	[ -f "$tmp/usr/share/man/man1/${m#man/}" ] || missing="$missing ${m#man/}"
done
for m in module/*.m; do
	[ -f "$tmp/usr/share/acheron/module/${m#module/}" ] || missing="$missing ${m#module/}"
done
if [ -z "$missing" ] && ! grep -l "shared/inferno" "$tmp/usr/share/man/man1/"*.1 >/dev/null; then
	echo "ok 4 - man pages and module declarations installed, none pointing at ../shared"
else
	echo "not ok 4 - missing:$missing; pointing at ../shared: $(grep -l shared/inferno "$tmp/usr/share/man/man1/"*.1 | tr '\n' ' ')"
fi
