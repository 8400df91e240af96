#!/bin/sh
# bench/run.sh runs each benchmark the way it is meant to run: nothing it
# lists is missing, and the cluster benchmark, which needs the scheduler
# and nodes bench/cluster.sh starts, is not started bare (it exits 2).
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
echo "1..3"
list=$(timeout 60 bench/run.sh --list 2>&1)
rc=$?
if [ $rc -eq 0 ]; then echo "ok 1 - bench/run.sh --list"; else echo "not ok 1 - bench/run.sh --list: status $rc"; fi
if echo "$list" | grep -q '^build/bench/cluster\( \|$\)'; then
	echo "not ok 2 - build/bench/cluster is run without its scheduler and nodes"
else
	echo "ok 2 - build/bench/cluster is left to bench/cluster.sh"
fi
missing=
for c in $list; do
	[ -x "$c" ] || missing="$missing $c"
done
if [ $rc -eq 0 ] && [ -z "$missing" ]; then echo "ok 3 - every listed benchmark exists"; else echo "not ok 3 - missing:$missing"; fi
[ $rc -eq 0 ] && [ -z "$missing" ] && ! echo "$list" | grep -q '^build/bench/cluster\( \|$\)'
