#!/bin/bash
# Runs every benchmark in turn (make bench builds them), each the way it is
# meant to run. Each prints its own table; ratios are against references
# timed in the same run. Exits non-zero if a benchmark fails to run, never
# on a slow ratio. --list prints what would run, one command a line.
#
# build/bench/cluster is left to make bench-cluster: it needs a scheduler
# and nodes that bench/cluster.sh starts (started bare it exits 2), and
# that run takes minutes and, with python3-distributed, runs Dask too.
set -u
cd "$(dirname "$0")/.." || exit 1
list=0
[ "${1:-}" = "--list" ] && list=1

# How one binary of build/bench runs; empty: not from here.
how() {
	case "${1##*/}" in
	cluster) ;;
	*) echo "$1" ;;
	esac
}

cmds=()
found=0
for b in build/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	found=1
	c=$(how "$b")
	if [ -z "$c" ]; then
		[ "$list" = 1 ] || echo "== $b: skipped (make bench-cluster runs it through bench/cluster.sh)"
		continue
	fi
	cmds+=("$c")
done
cmds+=(bench/nn.sh bench/vm.sh)
if [ "$found" = 0 ]; then
	echo "run.sh: no benchmarks in build/bench (run make bench)" >&2
	exit 1
fi
if [ "$list" = 1 ]; then
	printf '%s\n' "${cmds[@]}"
	exit 0
fi
status=0
for c in "${cmds[@]}"; do
	echo "== $c"
	$c || { echo "run.sh: $c exited with status $?" >&2; status=1; }
	echo
done
exit $status
