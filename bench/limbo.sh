#!/bin/bash
# The Limbo compiler's speed and its code's speed, in the same run.
# (a) Compile time of the whole corpus (tests/limbo/progs/*.b and
#     Inferno's appl/cmd, appl/lib .b) with bin/limbo against Inferno's
#     limbo.dis on our VM, counting only files both compile. Wall seconds.
# (b) Run time (CPU seconds, best of $BENCH_REPS, default 3) of each
#     bench/vm/*.b compiled by bin/limbo against bench/vm/*.s (Inferno's
#     limbo -S output) assembled by dis-as: ratio = limbo_s / asm_s, target
#     <= 1.1. A workload bin/limbo cannot compile yet prints n/a.
# Exits non-zero only if something that compiled fails to run.
set -u
cd "$(dirname "$0")/.." || exit 1
REPS=${BENCH_REPS:-3}
top=$PWD
inf=${ACHERON_INFERNO:-../shared/inferno}
if [ ! -r "$inf/dis/limbo.dis" ]; then
	echo "bench-limbo: skipped: Inferno's files not found: set ACHERON_INFERNO to a copy of inferno-os (dis, module, appl; default ../shared/inferno)"
	exit 0
fi
inf=$(cd "$inf" && pwd) || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/root" "$TMP/ours" "$TMP/theirs"
ln -s "$inf/dis" "$inf/module" "$inf/appl" "$TMP/root/"
ln -s "$top/tests/limbo/progs" "$TMP/root/progs"
now() { date +%s.%N; }

# (a) each file: Inferno path under the root, and host path
files=$(cd "$TMP/root" && ls progs/*.b appl/cmd/*.b appl/lib/*.b)
both=0 total=0 ours_s=0 theirs_s=0
for f in $files; do
	total=$((total + 1))
	t0=$(now)
	bin/limbo -I "$inf/module" -I module -o "$TMP/ours/x.dis" "$TMP/root/$f" >/dev/null 2>&1
	ok1=$?
	t1=$(now)
	(cd "$TMP/theirs" && "$top/bin/dis-run" -r "$TMP/root" /dis/limbo.dis -I/module -gw "/$f" >/dev/null 2>&1)
	ok2=$?
	t2=$(now)
	if [ $ok1 = 0 ] && [ $ok2 = 0 ]; then
		both=$((both + 1))
		ours_s=$(awk -v s="$ours_s" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", s + b - a }')
		theirs_s=$(awk -v s="$theirs_s" -v a="$t1" -v b="$t2" 'BEGIN { printf "%.4f", s + b - a }')
	fi
done
echo "Limbo compile time, wall seconds over the $both of $total corpus files both compilers compile"
printf '%-16s %10s %12s %8s\n' files bin/limbo limbo.dis ratio
printf '%-16s %10s %12s %8s\n' "$both" "$ours_s" "$theirs_s" \
	"$(awk -v a="$ours_s" -v b="$theirs_s" 'BEGIN { if (a > 0) printf "%.1f", b / a; else print "-" }')"
echo "(ratio = limbo.dis / bin/limbo: above 1, bin/limbo faster)"
echo

# (b)
status=0
best() {
	local r t all=""
	for r in $(seq "$REPS"); do
		{ TIMEFORMAT='%3U %3S'; time bin/dis-run "$1" >/dev/null 2>"$TMP/err"; } 2>"$TMP/time" || return 1
		t=$(awk '{ printf "%.3f", $1 + $2 }' "$TMP/time")
		all="$all $t"
	done
	echo $all | tr ' ' '\n' | sort -g | head -1
}
echo "bench/vm workloads: CPU seconds, best of $REPS; ratio = limbo_s / asm_s (target <= 1.1)"
printf '%-12s %10s %10s %8s %s\n' workload limbo_s asm_s ratio same_output
for b in bench/vm/*.b; do
	w=$(basename "$b" .b)
	[ -f "bench/vm/$w.s" ] || continue
	bin/dis-as "bench/vm/$w.s" -o "$TMP/$w-asm.dis" || { status=1; continue; }
	if ! bin/limbo -I "$inf/module" -I module -o "$TMP/$w.dis" "$b" >/dev/null 2>"$TMP/cerr"; then
		printf '%-12s %10s %10s %8s\n' "$w" n/a - n/a
		continue
	fi
	a=$(best "$TMP/$w-asm.dis") || a=FAIL
	l=$(best "$TMP/$w.dis") || l=FAIL
	bin/dis-run "$TMP/$w.dis" >"$TMP/o1" 2>/dev/null
	bin/dis-run "$TMP/$w-asm.dis" >"$TMP/o2" 2>/dev/null
	same=no
	cmp -s "$TMP/o1" "$TMP/o2" && same=yes
	ratio=-
	case "$a$l" in
	*FAIL*) status=1 ;;
	*) ratio=$(awk -v a="$a" -v l="$l" 'BEGIN { if (a > 0) printf "%.2f", l / a; else print "-" }') ;;
	esac
	[ "$same" = yes ] || status=1
	printf '%-12s %10s %10s %8s %s\n' "$w" "$l" "$a" "$ratio" "$same"
done
exit $status
