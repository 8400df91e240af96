#!/bin/bash
# Cluster overhead: no-op jobs through one scheduler and two nodes on
# 127.0.0.1 (CurveZMQ, signed module, as a real cluster runs), and, when
# Debian's python3-distributed is installed, the same workload through a
# Dask scheduler with 2 worker processes in the same run.
#   throughput: jobs/s from the first submit to the last job finished;
#   dispatch:   one job at a time on the idle cluster, submit to task start
#               (Acheron: as the scheduler measures it; Dask: inside the task);
#   roundtrip:  one job at a time, submit to result seen by the client.
# BENCH_JOBS (default 2000) and BENCH_SERIAL (default 300) set the sizes.
# Exits non-zero only if a run fails, never on a slow figure.
set -u
cd "$(dirname "$0")/.." || exit 1
JOBS=${BENCH_JOBS:-2000}
SERIAL=${BENCH_SERIAL:-300}
TMP=$(mktemp -d) || exit 1
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

for k in sched client node; do bin/dis-keygen --curve -o "$TMP/$k" >/dev/null || exit 1; done
mkdir -p "$TMP/allow" "$TMP/trust"
cp "$TMP/client.curve.pub" "$TMP/node.curve.pub" "$TMP/allow/"
bin/dis-keygen -o "$TMP/signer" >/dev/null && cp "$TMP/signer.pub" "$TMP/trust/" || exit 1
bin/limbo -I module -o "$TMP/noop.dis" bench/cluster/noop.b && bin/dis-sign -k "$TMP/signer.key" "$TMP/noop.dis" >/dev/null || exit 1

bin/dis-sched serve --bind tcp://127.0.0.1:0 --db "$TMP/sched.db" --cert "$TMP/sched.curve" \
	--allow "$TMP/allow" --endpoint-file "$TMP/endpoint" 2>"$TMP/sched.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/endpoint" ] && break; sleep 0.05; done
EP=$(cat "$TMP/endpoint") || { echo "bench cluster: scheduler did not start"; cat "$TMP/sched.log"; exit 1; }
for n in b1 b2; do
	bin/dis-node join "$EP" --server-key "$TMP/sched.curve.pub" --cert "$TMP/node.curve" \
		--trust "$TMP/trust" --node-id $n --work "$TMP/$n" 2>"$TMP/$n.log" &
	PIDS+=($!)
done
for _ in $(seq 100); do grep -q registered "$TMP/b1.log" && grep -q registered "$TMP/b2.log" && break; sleep 0.05; done

echo "cluster: $JOBS no-op jobs, then $SERIAL one at a time; 2 nodes x $(nproc) slots, $(nproc) cores"
build/bench/cluster "$EP" "$TMP/client.curve" "$TMP/sched.curve.pub" "$TMP/noop.dis" "$JOBS" "$SERIAL" \
	>"$TMP/acheron.txt" || { echo "bench cluster: acheron run failed"; tail "$TMP"/*.log; exit 1; }
if /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
	/usr/bin/python3 bench/cluster_dask.py "$JOBS" "$SERIAL" >"$TMP/dask.txt" 2>"$TMP/dask.log" ||
		{ echo "bench cluster: dask run failed"; tail "$TMP/dask.log"; }
fi
val() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }
printf "%-22s %12s %12s %8s\n" metric acheron dask ratio
for m in throughput_jobs_per_s dispatch_p50_us dispatch_p99_us roundtrip_p50_us roundtrip_p99_us; do
	a=$(val "$TMP/acheron.txt" $m); d=$(val "$TMP/dask.txt" $m)
	r=-
	if [ -n "$a" ] && [ -n "$d" ]; then
		# ratio above 1: Acheron is better (more jobs/s, less time)
		case $m in
		throughput*) r=$(awk -v a="$a" -v d="$d" 'BEGIN { printf "%.2f", a / d }') ;;
		*) r=$(awk -v a="$a" -v d="$d" 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }') ;;
		esac
	fi
	printf "%-22s %12s %12s %8s\n" "$m" "$a" "${d:--}" "$r"
done
echo "targets: throughput ratio >= 20, dispatch_p99_us < 1000"
