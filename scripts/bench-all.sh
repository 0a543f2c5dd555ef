#!/usr/bin/env bash
# Runs every benchmark one after another (never two at once) and keeps their output in .tmp/bench-all-DATE.txt: the figures the README's tables come from, mosh 1.4 beside mosh-ts in each.
# Usage: bash scripts/bench-all.sh [--quick]   (needs `npx tsup` first; --quick: fewer repetitions, no robustness suite)
set -uo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1-}" = --quick ] && quick=1
mkdir -p .tmp
out=".tmp/bench-all-$(date -u +%Y-%m-%dT%H%M).txt"
run() {
  echo "=== $* ($(date -u +%H:%M:%S))" | tee -a "$out"
  node bench/run.mjs "$@" 2>&1 | tee -a "$out"
}
if [ $quick = 1 ]; then
  run lifecycle --sessions 3 --rounds 2
  run session --reps 3
  run server --only seq,redraw,memory
  run keystroke-latency --rtt 0,250 --loss 0 --no-editor --keys 24
else
  run lifecycle --sessions 5 --rounds 4
  run session --reps 5
  run server --only seq,redraw,idle,memory,many
  run keystroke-latency --rtt 0,250 --loss 0 --predict adaptive,never --server mosh,mosh-ts --keys 40
  run keystroke-latency --rtt 100,250,500 --loss 0,10 --keys 24
  run key-path --keys 200
  run mux 10
  run mux 10 --flood
  run robust
fi
echo "=== done: $out" | tee -a "$out"
