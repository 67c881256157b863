#!/usr/bin/env bash
# Engine benchmark: the IIC-sized network on Shoreline's TensorEngine and on
# PyTorch 2.13 CPU (channels_last) with the same thread count, alternating
# runs so that both see the same machine load. Prints both results, then
#   engine: train_ratio=R infer_ratio=R
# (Shoreline's best time over PyTorch's best, over all rounds and steps; below
# 1 means Shoreline is faster). The best time is the least disturbed by other
# processes on a shared machine; the ratio of medians is printed too.
#
#   bench/engine/run.sh [--threads 2] [--steps 10] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/../.."

threads=2 steps=10 rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) threads="$2"; shift 2 ;;
        --steps) steps="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        *) echo "error: unknown option '$1'; use --threads, --steps or --rounds" >&2; exit 2 ;;
    esac
done

# PyTorch CPU wheel: the pinned version, from the local wheel folder if present.
if ! python3 -c 'import torch, sys; sys.exit(torch.__version__ != "2.13.0+cpu")' 2>/dev/null; then
    wheel=$(ls /opt/wheels/torch-2.13.0*.whl 2>/dev/null | head -n 1 || true)
    python3 -m pip install --quiet "${wheel:-torch==2.13.0+cpu}"
fi

swift build -c release --product shoreline-bench-engine >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for round in $(seq "$rounds"); do
    echo "round $round of $rounds" >&2
    OMP_NUM_THREADS="$threads" .build/release/shoreline-bench-engine --threads "$threads" --steps "$steps" \
        > "$out/shoreline.$round.json"
    OMP_NUM_THREADS="$threads" python3 bench/engine/pytorch_step.py --threads "$threads" --steps "$steps" \
        > "$out/pytorch.$round.json"
done

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
def load(name):
    return [json.load(open(f"{folder}/{name}.{r}.json")) for r in range(1, rounds + 1)]
ours, theirs = load("shoreline"), load("pytorch")
def median(runs, key):
    return statistics.median(run[key] for run in runs)
def best(runs, key):
    return min(run[key] for run in runs)
for label, runs in (("shoreline", ours), ("pytorch", theirs)):
    print(f"{label}: train_step median_ms={median(runs, 'train_step_ms'):.1f} best_ms={best(runs, 'train_step_min_ms'):.1f}; "
          f"inference median_ms={median(runs, 'infer_ms'):.1f} best_ms={best(runs, 'infer_min_ms'):.1f}; "
          f"peak_rss_mb={max(run['peak_rss_mb'] for run in runs):.0f}")
    # The profiled step of the least loaded round: the one with the best training step.
    calm = min(runs, key=lambda run: run["train_step_min_ms"])
    print(f"  per-op table of one profiled training step ({label}):")
    for row in calm["ops"][:16]:
        print(f"  {row['ms']:>9} ms {row['calls']:>5} x  {row['op']}")
print(f"ratio of medians: train={median(ours, 'train_step_ms') / median(theirs, 'train_step_ms'):.2f} "
      f"infer={median(ours, 'infer_ms') / median(theirs, 'infer_ms'):.2f}")
train = best(ours, "train_step_min_ms") / best(theirs, "train_step_min_ms")
infer = best(ours, "infer_min_ms") / best(theirs, "infer_min_ms")
print(f"engine: train_ratio={train:.2f} infer_ratio={infer:.2f}")
PY
