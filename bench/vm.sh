#!/bin/bash
# Dis interpreter speed: each workload in bench/vm/ run as Dis (compiled by
# Inferno's limbo -S, assembled by dis-as) under bin/dis-run and as Lua 5.4
# in the same run. Times are CPU seconds (user+sys) of the child, best of
# $BENCH_REPS runs (default 3). Ratio = lua_s / acheron_s (above 1: Acheron
# is faster). Every run's output is checked against the expected checksum.
# With valgrind, `loop` also runs under callgrind at a reduced size to give
# host instructions per Dis instruction.
# With BASELINE=/path/to/an/older/dis-run, each workload also runs under it,
# alternating run by run with $DISRUN so that both see the same machine
# load, and base_s and speed (base_s / acheron_s, below 1: slower than
# the baseline) are printed: how a change to the interpreter is measured.
# Exits non-zero if a workload fails or prints a wrong checksum, never on a
# slow ratio.
#
# The .s files are generated, not hand-written. To regenerate one from its
# .b, run Inferno's compiler on our VM under a scratch root (inferno-os's
# dis/ and module/ are where ACHERON_INFERNO says, default ../shared/inferno):
#   inf=$(cd ${ACHERON_INFERNO:-../shared/inferno} && pwd)
#   mkdir /tmp/r && ln -s $inf/dis $inf/module $PWD/bench /tmp/r
#   cd bench/vm && ../../bin/dis-run -r /tmp/r /dis/limbo.dis -I/module -S -gw /bench/vm/X.b && rm X.sbl
set -u
cd "$(dirname "$0")/.." || exit 1
REPS=${BENCH_REPS:-3}
LUA=${LUA:-lua5.4}
DISRUN=${DISRUN:-bin/dis-run}
BASELINE=${BASELINE:-}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

WORKLOADS="fib loop sieve nbody strcat matmul binarytrees"

# Expected output of each workload, with runs of blanks, tabs and newlines
# squeezed to one space.
declare -A want=(
	[fib]="2178309"
	[loop]="4999999950000000"
	[sieve]="1993737"
	[nbody]="-0.169075164 -0.169086185"
	[strcat]="1000000 109499916"
	[matmul]="15000158.3203"
	[binarytrees]="stretch tree of depth 17 check: 262143 65536 trees of depth 4 check: 2031616 16384 trees of depth 6 check: 2080768 4096 trees of depth 8 check: 2093056 1024 trees of depth 10 check: 2096128 256 trees of depth 12 check: 2096896 64 trees of depth 14 check: 2097088 16 trees of depth 16 check: 2097136 long lived tree of depth 16 check: 131071"
)

squeeze() { tr -s ' \t\n' '   ' <"$1" | sed 's/^ //; s/ $//'; }

# timed NAME CMD...: runs CMD once; prints its CPU seconds (user+sys) on
# stdout, or nothing if it failed or printed the wrong checksum (the reason
# goes to stderr).
timed() {
	local name=$1 t rc
	shift
	local TIMEFORMAT='%3U %3S'
	{ time "$@" >"$TMP/out" 2>"$TMP/err"; } 2>"$TMP/time"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "vm.sh: $name: $* exited with status $rc: $(head -c 300 "$TMP/err")" >&2
		return 1
	fi
	local got
	got=$(squeeze "$TMP/out")
	if [ "$got" != "${want[$name]}" ]; then
		echo "vm.sh: $name: $*: wrong checksum: got '$got', want '${want[$name]}'" >&2
		return 1
	fi
	t=$(awk '{ printf "%.3f", $1 + $2 }' "$TMP/time")
	echo "$t"
}

# best NAME CMD...: the least CPU time of $REPS runs; nothing if any failed.
best() {
	local name=$1 r t all=""
	shift
	for r in $(seq "$REPS"); do
		t=$(timed "$name" "$@") || return 1
		all="$all $t"
	done
	echo $all | tr ' ' '\n' | sort -g | head -1
}

# best_ab NAME DIS: the least CPU time of $REPS runs of $DISRUN and of
# $BASELINE on DIS, alternating; prints "new base", nothing if any failed.
best_ab() {
	local name=$1 dis=$2 r t u an="" ab=""
	for r in $(seq "$REPS"); do
		t=$(timed "$name" "$DISRUN" "$dis") || return 1
		u=$(timed "$name" "$BASELINE" "$dis") || return 1
		an="$an $t"
		ab="$ab $u"
	done
	echo "$(echo $an | tr ' ' '\n' | sort -g | head -1) $(echo $ab | tr ' ' '\n' | sort -g | head -1)"
}

have_lua=0
command -v "$LUA" >/dev/null 2>&1 && have_lua=1
[ "$have_lua" = 1 ] || echo "vm.sh: $LUA not found: Lua times and ratios skipped (apt-get install lua5.4)"
if [ ! -x "$DISRUN" ]; then
	echo "vm.sh: $DISRUN missing (run make)" >&2
	exit 1
fi

status=0
echo "Dis VM workloads (CPU seconds, best of $REPS); ratio = lua_s / acheron_s, above 1: Acheron faster"
echo "dis_Mips: million Dis instructions per CPU second (dis-run --stats, one run)"
if [ -n "$BASELINE" ]; then
	echo "base_s: $BASELINE on the same workload, alternating; speed = base_s / acheron_s"
	printf '%-12s %10s %10s %8s %9s %10s %7s\n' workload acheron_s lua_s ratio dis_Mips base_s speed
else
	printf '%-12s %10s %10s %8s %9s\n' workload acheron_s lua_s ratio dis_Mips
fi
for w in $WORKLOADS; do
	dis=bench/vm/$w.dis
	if [ ! -f "$dis" ] || [ "bench/vm/$w.s" -nt "$dis" ]; then
		echo "vm.sh: $dis missing or older than bench/vm/$w.s (make $dis)" >&2
		printf '%-12s %10s\n' "$w" "FAIL"
		status=1
		continue
	fi
	b=
	if [ -n "$BASELINE" ]; then
		ab=$(best_ab "$w" "$dis") || { ab="FAIL FAIL"; status=1; }
		a=${ab% *}
		b=${ab#* }
	else
		a=$(best "$w" "$DISRUN" "$dis") || { a=FAIL; status=1; }
	fi
	if [ "$have_lua" = 1 ]; then
		l=$(best "$w" "$LUA" "bench/vm/$w.lua") || { l=FAIL; status=1; }
	else
		l=-
	fi
	ratio=-
	case "$a$l" in
	*FAIL*|*-) ;;
	*) ratio=$(awk -v a="$a" -v l="$l" 'BEGIN { if (a > 0) printf "%.2f", l / a; else print "-" }') ;;
	esac
	mips=$("$DISRUN" --stats "$dis" 2>&1 >/dev/null | sed -n 's/.* \([0-9]*\) million\/s$/\1/p')
	if [ -n "$BASELINE" ]; then
		speed=-
		case "$a$b" in
		*FAIL*) ;;
		*) speed=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "-" }') ;;
		esac
		printf '%-12s %10s %10s %8s %9s %10s %7s\n' "$w" "$a" "$l" "$ratio" "${mips:--}" "$b" "$speed"
	else
		printf '%-12s %10s %10s %8s %9s\n' "$w" "$a" "$l" "$ratio" "${mips:--}"
	fi
	if [ "$w" = loop ] && [ "$a" != FAIL ]; then
		loop_s=$a
	fi
done

# Dis instructions executed by loop.dis for N iterations: the loop body is
# the instructions from the target of the backward jmp up to the jmp, which
# itself never runs (the VM resolves fall-through into a jmp at load);
# the rest (prologue, the exit test, the print) is counted by running the
# size-0 case through callgrind below. Only loop's count is known exactly,
# so only loop gets a Dis instructions/s figure.
loop_body=$(awk '
	/^\t(entry|desc|var|module|link|ldts|source)([ \t]|$)/ { exit }
	/^\t/ { if ($1 == "jmp" && $2 ~ /^\$/) { t = substr($2, 2) + 0; if (t < n) body = n - t } n++ }
	END { print body + 0 }' bench/vm/loop.s)
if [ -n "${loop_s:-}" ] && [ "$loop_body" -gt 0 ]; then
	awk -v s="$loop_s" -v b="$loop_body" 'BEGIN {
		printf "loop: %d Dis instructions per iteration, %.0f million Dis instructions/s\n", b, b * 1e8 / s / 1e6 }'
fi

# Host instructions (callgrind Ir) per Dis instruction in loop's body: the
# difference between two sizes, so start-up and the print cancel out.
if command -v valgrind >/dev/null 2>&1 && [ "$loop_body" -gt 0 ] && [ -f bench/vm/loop.dis ]; then
	N1=${BENCH_CG_N1:-100000}
	N2=${BENCH_CG_N2:-1100000}
	ir() {
		valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$@" >/dev/null 2>"$TMP/cg.err" ||
			{ echo "vm.sh: callgrind: $* failed: $(tail -c 300 "$TMP/cg.err")" >&2; return 1; }
		sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$TMP/cg.err"
	}
	if a1=$(ir "$DISRUN" bench/vm/loop.dis "$N1") && a2=$(ir "$DISRUN" bench/vm/loop.dis "$N2"); then
		awk -v a1="$a1" -v a2="$a2" -v n="$((N2 - N1))" -v b="$loop_body" 'BEGIN {
			printf "callgrind loop (%d extra iterations): acheron %.1f host instructions per Dis instruction, %.1f per iteration\n",
				n, (a2 - a1) / (n * b), (a2 - a1) / n }'
		if [ "$have_lua" = 1 ] && l1=$(ir "$LUA" bench/vm/loop.lua "$N1") && l2=$(ir "$LUA" bench/vm/loop.lua "$N2"); then
			awk -v l1="$l1" -v l2="$l2" -v n="$((N2 - N1))" 'BEGIN {
				printf "callgrind loop: lua %.1f host instructions per iteration (2 Lua instructions: ADD, FORLOOP)\n", (l2 - l1) / n }'
		fi
	else
		status=1
	fi
else
	echo "vm.sh: valgrind not found: no host instructions per Dis instruction"
fi
exit $status
