#!/bin/bash
# Regenerates the expected output of the corpus: every NAME.b here that is a
# program (not a helper module, which has a NAME.m beside it) is compiled by
# Inferno's own compiler, $ACHERON_INFERNO/dis/limbo.dis (default
# ../shared/inferno), running on our VM
# (bin/dis-run), and run with bin/dis-run; its standard output becomes
# NAME.out, and a non-zero exit status goes to NAME.status. limbo.dis is the
# reference for the language: if it rejects a program, fix the program.
# A run that faults the VM (or deadlocks) gets no .out: that is a bug of
# vm/ to fix, after which this script writes the .out.
# So does a program with a line "# vm-bug: WHAT", where our VM is known to
# give a wrong answer without faulting.
# Helpers are compiled first, into the same directory, so that a program can
# load them by relative path ("25_helper.dis").
#   tests/limbo/progs/regen.sh [NAME...]    (default: every program)
# Run from anywhere, after make.
set -u
cd "$(dirname "$0")/../../.." || exit 1
top=$PWD
inf=${ACHERON_INFERNO:-../shared/inferno}
if [ ! -r "$inf/dis/limbo.dis" ]; then
	echo "regen.sh: no $inf/dis/limbo.dis: set ACHERON_INFERNO to a copy of inferno-os (dis, module)" >&2
	exit 1
fi
inf=$(cd "$inf" && pwd) || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# limbo.dis sees paths under its root (-r): the shipped dis/ and module/,
# and this directory as /progs.
mkdir "$tmp/root" "$tmp/out"
ln -s "$inf/dis" "$inf/module" "$tmp/root/"
ln -s "$top/tests/limbo/progs" "$tmp/root/progs"

oracle() {
	(cd "$tmp/out" && "$top/bin/dis-run" -r "$tmp/root" /dis/limbo.dis -I/module -gw "/progs/$1.b")
}

status=0
for m in tests/limbo/progs/*.m; do
	[ -f "$m" ] || continue
	n=$(basename "$m" .m)
	oracle "$n" || { echo "regen: limbo.dis rejects $n.b" >&2; status=1; }
done
if [ $# -gt 0 ]; then names="$*"; else
	names=$(for b in tests/limbo/progs/*.b; do
		n=$(basename "$b" .b)
		[ -f "tests/limbo/progs/$n.m" ] || echo "$n"
	done)
fi
for n in $names; do
	rm -f "tests/limbo/progs/$n.out" "tests/limbo/progs/$n.status"
	if grep -q '^# vm-bug:' "tests/limbo/progs/$n.b"; then
		echo "regen: $n: marked vm-bug, no .out: $(grep '^# vm-bug:' "tests/limbo/progs/$n.b")" >&2
		continue
	fi
	if ! oracle "$n"; then
		echo "regen: limbo.dis rejects $n.b" >&2
		status=1
		continue
	fi
	timeout 60 bin/dis-run -r "$inf" "$tmp/out/$n.dis" </dev/null >"tests/limbo/progs/$n.out" 2>"$tmp/err"
	rc=$?
	# A VM fault is our VM's bug, not the program's behaviour: no .out
	# (the harness notes a program without one and moves on).
	if grep -q -e 'fault:' -e 'deadlock' "$tmp/err"; then
		echo "regen: $n: VM failure, no .out: $(head -c 300 "$tmp/err")" >&2
		rm -f "tests/limbo/progs/$n.out"
		status=1
		continue
	fi
	[ "$rc" = 0 ] || echo "$rc" >"tests/limbo/progs/$n.status"
	echo "$n: exit $rc, $(wc -l <"tests/limbo/progs/$n.out") lines"
done
exit $status
