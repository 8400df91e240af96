#!/bin/bash
# Seconds per training epoch of examples/fashion/train.dis (the $Nn MLP and
# CNN, batch 64, Adam) with 1 and 2 threads (ml's pool and OpenBLAS), and
# the accuracy after it, against the same models in PyTorch (Debian's
# python3-torch) measured in the same run. Ratio = PyTorch seconds /
# Acheron seconds (above 1: Acheron is faster). Best of $BENCH_REPS runs
# (default 1); $BENCH_MODELS picks models (default "mlp cnn"). Exits
# non-zero if a run fails, never on a slow ratio.
set -u
cd "$(dirname "$0")/.." || exit 1
DIR=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
REPS=${BENCH_REPS:-1}
MODELS=${BENCH_MODELS:-mlp cnn}
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
status=0

# best: the line with the fewest seconds (first field) of those given.
best() { sort -g | head -1; }

echo "training epoch (Fashion-MNIST, batch 64, Adam lr 0.001), best of $REPS; OpenBLAS core $(
	/usr/bin/python3 -c 'import ctypes; l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())' 2>/dev/null || echo unknown)"
printf '%-6s %-8s %10s %10s %7s %10s %10s\n' model threads acheron_s pytorch_s ratio ach_test% torch_test%
for m in $MODELS; do
	for th in 1 2; do
		a=$(for r in $(seq "$REPS"); do
			ACHERON_THREADS=$th OPENBLAS_NUM_THREADS=$th bin/dis-run examples/fashion/train.dis -m "$m" -e 1 "$DIR" |
				sed -n 's/^epoch 1  loss [0-9.]*  train \([0-9.]*\)%  test \([0-9.]*\)%  \([0-9.]*\)s$/\3 \1 \2/p'
		done | best)
		if [ -z "$a" ]; then
			echo "nn.sh: train.dis -m $m failed" >&2
			status=1
			continue
		fi
		if [ "$have_torch" = 1 ]; then
			p=$(for r in $(seq "$REPS"); do
				OMP_NUM_THREADS=$th /usr/bin/python3 bench/nn_torch.py "$DIR" "$th" "$m"
			done | best)
			ratio=$(awk -v a="${a%% *}" -v p="${p%% *}" 'BEGIN { printf "%.2f", p / a }')
			ptest=${p##* }
		else
			p="-"; ratio="(no python3-torch)"; ptest="-"
		fi
		printf '%-6s %-8s %10s %10s %7s %10s %10s\n' "$m" "$th" "${a%% *}" "${p%% *}" "$ratio" "${a##* }" "$ptest"
	done
done

echo "inference, images/s (evaluation mode, ${BENCH_INFER_SECS:-2} s each); ratio = acheron / pytorch (above 1: Acheron is faster)"
printf '%-6s %-8s %-6s %12s %12s %7s\n' model threads batch acheron pytorch ratio
for m in $MODELS; do
	for th in 1 2; do
		a=$(ACHERON_THREADS=$th OPENBLAS_NUM_THREADS=$th bin/dis-run bench/nninfer.dis "$m" "${BENCH_INFER_SECS:-2}") ||
			{ echo "nn.sh: nninfer.dis $m failed" >&2; status=1; continue; }
		p=""
		[ "$have_torch" = 1 ] && p=$(OMP_NUM_THREADS=$th /usr/bin/python3 bench/nn_torch.py infer "$th" "$m" "${BENCH_INFER_SECS:-2}")
		for b in 1 256; do
			ai=$(echo "$a" | awk -v b="$b" '$1 == b { print $2 }')
			pi=$(echo "$p" | awk -v b="$b" '$1 == b { print $2 }')
			if [ -n "$pi" ]; then
				ratio=$(awk -v a="$ai" -v p="$pi" 'BEGIN { printf "%.2f", a / p }')
			else
				pi="-"; ratio="-"
			fi
			printf '%-6s %-8s %-6s %12s %12s %7s\n' "$m" "$th" "$b" "$ai" "$pi" "$ratio"
		done
	done
done
exit $status
