#!/usr/bin/env bash
# Trains IIC on the Sen1Floods11 chip with the settings in EXPERIMENTS, each
# run on one thread and PARALLEL runs at a time (default 1), then scores
# every run with the ClusteringTests harness (scoreListedRuns). The figures
# in docs/RESULTS.md come from this script. A run folder that exists is
# scored, not retrained.
#
# Usage: scripts/iic-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]
# Each line of EXPERIMENTS is: NAME then options added to 'shoreline train'.
set -euo pipefail

output=${1:?usage: scripts/iic-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]}
shoreline=${2:-.build/release/shoreline}
parallel=${PARALLEL:-1}
chip=${SHORELINE_DATA:-../shared/data}/sen1floods11/Spain_7370579_S2Hand.tif
[ -f "$chip" ] || { echo "error: chip '$chip' not found; set SHORELINE_DATA" >&2; exit 1; }
[ -x "$shoreline" ] || { echo "error: shoreline binary '$shoreline' not found; run 'swift build -c release --product shoreline'" >&2; exit 1; }
mkdir -p "$output"

EXPERIMENTS=${EXPERIMENTS:-"
default-s0 --seed 0
default-s1 --seed 1
default-s2 --seed 2
"}

# Trains one run unless its folder exists, and records its time and the load.
train_one() {
    local name=$1
    shift
    [ -d "$output/$name" ] && return 0
    local start
    start=$(date +%s)
    "$shoreline" train --method iic --input "$chip" --output "$output/$name" --threads 1 "$@" \
        > "$output/$name.out" 2>&1 || echo "$name failed; see $output/$name.out" >&2
    echo "$name $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$output/times.txt"
}
export -f train_one
export output shoreline chip

runs=()
while read -r name _; do
    [ -n "$name" ] && runs+=("$output/$name")
done <<< "$EXPERIMENTS"
grep -v '^[[:space:]]*$' <<< "$EXPERIMENTS" | xargs -P "$parallel" -L 1 bash -c 'train_one "$@"' train_one

# Columns: run, main-head Hungarian water IoU, last-head majority water IoU,
# main-head water share, then both IoUs with batch-norm batch statistics.
touch "$output/scores.tsv"
SHORELINE_SCORE_RUNS=$(IFS=:; echo "${runs[*]}") SHORELINE_SCORE_OUTPUT="$output/scores.tsv" \
    swift test --filter scoreListedRuns > "$output/score.log" 2>&1
cat "$output/scores.tsv"
