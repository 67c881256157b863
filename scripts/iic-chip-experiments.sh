#!/usr/bin/env bash
# Trains IIC on the Sen1Floods11 chip with the settings in EXPERIMENTS, one
# run after another on one thread, then scores every run with the
# ClusteringTests harness (scoreListedRuns). The figures in docs/RESULTS.md
# come from this script. A run folder that exists is scored, not retrained.
#
# Usage: scripts/iic-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]
# Each line of EXPERIMENTS is: NAME then options added to 'shoreline train'.
set -euo pipefail

output=${1:?usage: scripts/iic-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]}
shoreline=${2:-.build/release/shoreline}
chip=${SHORELINE_DATA:-../shared/data}/sen1floods11/Spain_7370579_S2Hand.tif
[ -f "$chip" ] || { echo "error: chip '$chip' not found; set SHORELINE_DATA" >&2; exit 1; }
mkdir -p "$output"

EXPERIMENTS=${EXPERIMENTS:-"
w16-s0 --seed 0
w16-s1 --seed 1
w16-s2 --seed 2
"}

runs=()
while read -r name options; do
    [ -n "$name" ] || continue
    [ -d "$output/$name" ] || {
        start=$(date +%s)
        # shellcheck disable=SC2086
        "$shoreline" train --method iic --input "$chip" --output "$output/$name" --threads 1 $options \
            > "$output/$name.out" 2>&1
        echo "$name $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$output/times.txt"
    }
    runs+=("$output/$name")
done <<< "$EXPERIMENTS"

# Columns: run, main-head Hungarian water IoU, last-head majority water IoU,
# main-head water share, then both IoUs with batch-norm batch statistics.
touch "$output/scores.tsv"
SHORELINE_SCORE_RUNS=$(IFS=:; echo "${runs[*]}") SHORELINE_SCORE_OUTPUT="$output/scores.tsv" \
    swift test --filter scoreListedRuns > "$output/score.log" 2>&1
cat "$output/scores.tsv"
