#!/bin/sh
# Every man page formats without a troff warning (groff -ww, all of them)
# and holds no stray control character, such as the form feed a "\f"
# written through an unescaped string leaves behind.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
if ! command -v groff >/dev/null 2>&1; then
	echo "1..0 # SKIP groff is not installed"
	exit 0
fi
set -- man/*.1
echo "1..$#"
n=0
fail=0
for page; do
	n=$((n + 1))
	warn=$(groff -k -man -ww -z "$page" 2>&1)
	ctl=$(LC_ALL=C grep -n "$(printf '[\001-\010\013\014\016-\037\177]')" "$page" | cut -d: -f1 | tr '\n' ' ')
	if [ -z "$warn" ] && [ -z "$ctl" ]; then
		echo "ok $n - $page"
	else
		echo "not ok $n - $page"
		[ -n "$warn" ] && echo "$warn" | sed 's/^/# /'
		[ -n "$ctl" ] && echo "# control characters on lines $ctl"
		fail=1
	fi
done
exit $fail
