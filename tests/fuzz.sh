#!/bin/sh
# A short smoke run of each libFuzzer harness (fuzz/*.c, built by make into
# build/fuzz/bin/ where clang has libFuzzer): the committed seeds
# fuzz/corpus/NAME and every regression input tests/data/fuzz/NAME run
# once, then FUZZ_SMOKE_RUNS (default 2000) mutations of them. An input
# that fails is kept as build/fuzz/crashes/smoke-NAME-*. Without the harnesses (no clang
# with libFuzzer) this is a TAP skip, or a failure under
# ACHERON_REQUIRE_FUZZ=1. `make fuzz` is the long run.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
runs=${FUZZ_SMOKE_RUNS:-2000}
set --
for f in fuzz/*.c; do
	set -- "$@" "$(basename "$f" .c)"
done
for n; do
	if [ ! -x "build/fuzz/bin/$n" ]; then
		if [ "${ACHERON_REQUIRE_FUZZ:-0}" = 1 ]; then
			echo "1..1"
			echo "not ok 1 - build/fuzz/bin/$n is not built (clang with libFuzzer: make fuzz-build)"
			exit 1
		fi
		echo "1..0 # SKIP libFuzzer harnesses not built (clang with libFuzzer is not installed)"
		exit 0
	fi
done
tmp=$(mktemp -d /tmp/acheron-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
echo "1..$#"
i=0
fail=0
for n; do
	i=$((i + 1))
	mkdir -p "$tmp/$n"
	dirs="$tmp/$n"
	for d in "fuzz/corpus/$n" "tests/data/fuzz/$n"; do
		[ -d "$d" ] && dirs="$dirs $d"
	done
	nreg=$(find "tests/data/fuzz/$n" -type f 2>/dev/null | wc -l)
	mkdir -p build/fuzz/crashes
	# shellcheck disable=SC2086
	if "build/fuzz/bin/$n" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build/fuzz/crashes/smoke-$n-" $dirs >"$tmp/$n.log" 2>&1; then
		echo "ok $i - $n: $runs runs, $nreg regression inputs"
	else
		echo "not ok $i - $n"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:|.*runtime error|Test unit written)' "$tmp/$n.log" |
			head -8 | sed 's/^/# /'
		fail=1
	fi
done
exit $fail
