#!/bin/bash
# The README's cluster recipe, pasted as written into bash: it must wait for
# its three nodes, run the job to COMPLETED and leave no process behind.
# Only the port changes (a free one, for the clients through
# ACHERON_SCHEDULER), and it runs in a scratch directory
# that links to this tree's bin/ and examples/.
cd "$(dirname "$0")/../.." 2>/dev/null || exit 1
root=$PWD
echo "1..4"
recipe=$(awk '/^## A cluster on one machine/ { on = 1 } on && /^```sh$/ { grab = 1; next } grab && /^```$/ { exit } grab' README.md)
if [ -n "$recipe" ]; then
	echo "ok 1 - the README has a cluster recipe"
else
	echo "not ok 1 - no sh block under '## A cluster on one machine' in README.md"
	exit 1
fi
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
tmp=$(mktemp -d) || exit 1
trap 'pkill -KILL -f "tcp://127.0.0.1:$port" 2>/dev/null; rm -rf "$tmp"' EXIT
ln -s "$root/bin" "$tmp/bin"
ln -s "$root/examples" "$tmp/examples"
printf '%s\n' "${recipe//5555/$port}" >"$tmp/recipe.sh"
# Bounded: the recipe trains one small job; 180 s is ten times what it takes.
# The clients' default endpoint is port 5555 too: point them at the new one.
(cd "$tmp" && ACHERON_SCHEDULER=tcp://127.0.0.1:$port timeout -k 5 180 bash -e recipe.sh) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ]; then
	echo "ok 2 - the recipe ran to its end (exit 0)"
else
	echo "not ok 2 - the recipe exited $rc: $(tail -3 "$tmp/err" | tr '\n' ' ')"
fi
if [ "$(grep -c ' IDLE ' "$tmp/out")" -ge 3 ] && grep -q '^epoch 2 ' "$tmp/out" && grep -q COMPLETED "$tmp/out"; then
	echo "ok 3 - three nodes listed, two epochs logged, the job COMPLETED"
else
	echo "not ok 3 - output was: $(tr '\n' '|' <"$tmp/out" | cut -c1-600)"
fi
sleep 0.5
if pgrep -f "tcp://127.0.0.1:$port" >/dev/null; then
	echo "not ok 4 - processes left running: $(pgrep -af "tcp://127.0.0.1:$port" | tr '\n' '|')"
else
	echo "ok 4 - the recipe's last line stopped the scheduler and the nodes"
fi
