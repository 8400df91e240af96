#!/bin/bash
# Runs every benchmark binary in build/bench in turn (make bench builds them).
# Each prints its own table; ratios are against references timed in the same
# run.  Exits non-zero if a benchmark fails to run, never on a slow ratio.
set -u
cd "$(dirname "$0")/.." || exit 1
status=0
found=0
for b in build/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	found=1
	echo "== $b"
	"$b" || { echo "run.sh: $b exited with status $?" >&2; status=1; }
	echo
done
echo "== bench/train.sh"
bench/train.sh || { echo "run.sh: bench/train.sh failed" >&2; status=1; }
echo
echo "== bench/vm.sh"
bench/vm.sh || { echo "run.sh: bench/vm.sh failed" >&2; status=1; }
if [ "$found" = 0 ]; then
	echo "run.sh: no benchmarks in build/bench (run make bench)" >&2
	exit 1
fi
exit $status
