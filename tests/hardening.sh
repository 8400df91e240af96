#!/bin/sh
# Every command is built hardened (Makefile HARDEN_*): a position-
# independent executable (ASLR moves its code too), full RELRO (the GOT is
# resolved at start, BIND_NOW, then made read-only, GNU_RELRO), so a write
# through a forged pointer cannot redirect a library call; and compiled
# with the stack protector and _FORTIFY_SOURCE, seen in the imports.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
n=0
fail=0
bins=$(ls bin/* 2>/dev/null)
echo "1..$(($(echo $bins | wc -w) * 3 + 2))"
check() {
	n=$((n + 1))
	if [ "$1" = yes ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
has() {
	if eval "$1" >/dev/null 2>&1; then echo yes; else echo no; fi
}
for b in $bins; do
	check "$(has "readelf -h $b | grep -q 'Type: *DYN'")" "$b is PIE (ELF type DYN)"
	check "$(has "readelf -d $b | grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW'")" "$b binds now"
	check "$(has "readelf -l $b | grep -q GNU_RELRO")" "$b has a GNU_RELRO segment"
done
check "$(has "readelf -W --dyn-syms bin/dis-run | grep -q __stack_chk_fail")" "bin/dis-run has the stack protector"
check "$(has "readelf -W --dyn-syms bin/dis-run | grep -Eq '__[a-z]+_chk'")" "bin/dis-run is built with _FORTIFY_SOURCE"
exit $fail
