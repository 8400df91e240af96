#!/bin/sh
# Makes the generated part of each harness's seed corpus, from what the
# build makes, into build/fuzz/seeds/NAME/ (the committed part is
# fuzz/corpus/NAME/):
#   dis_load     every .dis the build made, and tests/limbo/progs compiled
#   dis_run      the same modules (run, not only loaded)
#   dis_asm      bench/vm/*.s, and `limbo -S` of tests/limbo/progs
#   limbo_check  every Limbo source in the tree (.b) and module/*.m
#   proto_msg    valid messages written by build/fuzz/proto_seeds
# and, where Inferno's tree is ($ACHERON_INFERNO, default ../shared/inferno),
# its smaller .dis files (and disassembly of the smallest) and Limbo sources.
# Run from the repository root after make (bin/limbo, bin/dis-dis).
set -u
out=build/fuzz/seeds
rm -rf "$out"
mkdir -p "$out/dis_load" "$out/dis_run" "$out/dis_asm" "$out/limbo_check" "$out/proto_msg" || exit 1
for f in examples/*/*.dis cluster_tests/jobs/*.dis bench/vm/*.dis; do
	[ -f "$f" ] && cp "$f" "$out/dis_load/$(echo "$f" | tr / _)"
done
for f in tests/limbo/progs/*.b; do
	n=$(basename "$f" .b)
	bin/limbo -I module -I tests/limbo/progs -o "$out/dis_load/$n.dis" "$f" >/dev/null 2>&1
	bin/limbo -I module -I tests/limbo/progs -S -o "$out/dis_asm/$n.s" "$f" >/dev/null 2>&1
done
inf=${ACHERON_INFERNO:-../shared/inferno}
if [ -d "$inf/dis" ]; then
	find "$inf/dis" -name '*.dis' -size -40k | while read -r f; do
		n=inferno_$(basename "$f" .dis)
		cp "$f" "$out/dis_load/$n.dis"
		# Large text inputs slow the assembler's harness ten times over.
		[ "$(wc -c <"$f")" -lt 8192 ] && bin/dis-dis -o "$out/dis_asm/$n.s" "$f" >/dev/null 2>&1
	done
fi
if [ -d "$inf/appl" ]; then
	find "$inf/appl" -name '*.b' -size -8k | while read -r f; do
		cp "$f" "$out/limbo_check/inferno_$(basename "$f")"
	done
fi
cp bench/vm/*.s "$out/dis_asm/" 2>/dev/null
for f in tests/limbo/progs/*.b examples/*/*.b cluster_tests/jobs/*.b bench/vm/*.b module/*.m; do
	[ -f "$f" ] && cp "$f" "$out/limbo_check/$(echo "$f" | tr / _)"
done
cp "$out"/dis_load/* "$out/dis_run/" 2>/dev/null
build/fuzz/proto_seeds "$out/proto_msg" || exit 1
exit 0
