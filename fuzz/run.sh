#!/bin/sh
# Runs each libFuzzer harness (build/fuzz/bin/NAME) for SECONDS on its
# corpus: the working corpus build/fuzz/corpus/NAME (new inputs go there),
# the committed seeds fuzz/corpus/NAME, the generated seeds
# build/fuzz/seeds/NAME and the regression inputs tests/data/fuzz/NAME.
# A crash, leak, timeout or out-of-memory leaves its input in
# build/fuzz/crashes/NAME-* and fails the run; every harness runs anyway.
#   fuzz/run.sh SECONDS [NAME...]    (default: every harness)
# Run from the repository root.
set -u
secs=${1:?usage: fuzz/run.sh SECONDS [NAME...]}
shift
[ $# -gt 0 ] || set -- $(cd build/fuzz/bin && ls)
mkdir -p build/fuzz/crashes build/fuzz/log
fail=0
for n; do
	mkdir -p "build/fuzz/corpus/$n"
	dirs="build/fuzz/corpus/$n"
	for d in "fuzz/corpus/$n" "build/fuzz/seeds/$n" "tests/data/fuzz/$n"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	log=build/fuzz/log/$n.log
	echo "fuzz: $n for ${secs}s (log $log)"
	# shellcheck disable=SC2086
	if "build/fuzz/bin/$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$n-" $dirs >"$log" 2>&1; then
		grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' "$log" |
			sed "s/^/fuzz: $n: /"
	else
		echo "fuzz: $n FAILED; input in build/fuzz/crashes/$n-*:"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:|.*runtime error)' "$log" | head -5 | sed "s/^/fuzz: $n: /"
		fail=1
	fi
done
exit $fail
