#!/bin/sh
# Every symbol a component's archive exports carries that component's
# prefix (house style "Naming"), so components never collide.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
n=0
fail=0
# proto also exports what protoc-c generates from acheron.proto (acheron__);
# onnx's generated onnx__ symbols already carry its prefix.
echo "1..10"
for pair in base:ac_ dis:dis_ ml:ml_ nn:nn_ vm:vm_ "proto:proto_|acheron__" onnx:onnx_ scheduler:sched_ node:node_ limbo:limbo_; do
	lib=${pair%%:*}
	prefix=${pair#*:}
	n=$((n + 1))
	bad=$(nm -g --defined-only "build/lib$lib.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | grep -Ev "^($prefix)" | sort -u)
	if [ -z "$bad" ] && [ -f "build/lib$lib.a" ]; then
		echo "ok $n - lib$lib.a exports only $prefix* symbols"
	else
		echo "not ok $n - lib$lib.a exports symbols without $prefix: $(echo $bad | tr '\n' ' ')"
		fail=1
	fi
done
exit $fail
