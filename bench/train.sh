#!/bin/bash
# Seconds per training epoch of examples/fashion/train.dis with 1 and 2
# OpenBLAS threads, against the same MLP in PyTorch (Debian python3-torch)
# measured in the same run. Ratio = PyTorch seconds / Acheron seconds
# (above 1: Acheron is faster). Best of $BENCH_REPS runs (default 3).
set -u
cd "$(dirname "$0")/.."
DIR=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
REPS=${BENCH_REPS:-3}
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1

best() { sort -g | head -1; }

echo "training epoch (Fashion-MNIST, MLP 784-256-128-10, batch 64, SGD momentum), best of $REPS"
printf '%-8s %12s %12s %8s\n' threads acheron_s pytorch_s ratio
for th in 1 2; do
	a=$(for r in $(seq "$REPS"); do
		OPENBLAS_NUM_THREADS=$th bin/dis-run examples/fashion/train.dis -e 1 "$DIR" |
			sed -n 's/.* \([0-9.]*\)s$/\1/p'
	done | best)
	if [ "$have_torch" = 1 ]; then
		p=$(for r in $(seq "$REPS"); do
			OMP_NUM_THREADS=$th /usr/bin/python3 bench/train_torch.py "$DIR" "$th" | cut -d' ' -f1
		done | best)
		ratio=$(awk -v a="$a" -v p="$p" 'BEGIN { printf "%.2f", p / a }')
	else
		p="-"; ratio="(no python3-torch)"
	fi
	printf '%-8s %12s %12s %8s\n' "$th" "$a" "$p" "$ratio"
done
