#!/usr/bin/env bash
# Trains InfoSeg with the settings in EXPERIMENTS, one run after another on
# one thread, then segments the training data with each run and scores it
# against the labels with 'shoreline segment' and 'shoreline evaluate', as a
# user would. The InfoSeg figures in docs/RESULTS.md come from this script.
# A run folder that exists is scored, not retrained.
#
# Usage: scripts/infoseg-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]
# Each line of EXPERIMENTS is: NAME then options added to 'shoreline train'.
# DATASET=chip (default) trains on the Sen1Floods11 chip; DATASET=ombria
# trains on the 78 OMBRIA chips with --bands B11,B8,B3.
#
# Writes OUTPUT_DIR/scores.tsv, a line per run with the columns: run,
# Hungarian water IoU, label-free water IoU, the share of labelled pixels
# predicted water (Hungarian), the mutual-information bound of the last step
# (nats), and the training time in seconds.
set -euo pipefail

output=${1:?usage: scripts/infoseg-chip-experiments.sh OUTPUT_DIR [SHORELINE_BINARY]}
shoreline=${2:-.build/release/shoreline}
data=${SHORELINE_DATA:-../shared/data}
case ${DATASET:-chip} in
chip)
    inputs=("$data/sen1floods11/Spain_7370579_S2Hand.tif")
    labels=("$data/sen1floods11")
    codes=sen1floods11
    bands=()
    ;;
ombria)
    inputs=("$data/ombria-train-subset/AFTER")
    labels=("$data/ombria-train-subset/MASK")
    codes=binary255
    bands=(--bands B11,B8,B3)
    ;;
*)
    echo "error: DATASET '$DATASET' is invalid; use chip or ombria" >&2
    exit 1
    ;;
esac
[ -e "${inputs[0]}" ] || { echo "error: input '${inputs[0]}' not found; set SHORELINE_DATA" >&2; exit 1; }
command -v jq > /dev/null || { echo "error: jq not found; install it (apt-get install jq)" >&2; exit 1; }
mkdir -p "$output"

EXPERIMENTS=${EXPERIMENTS:-"
default-s0 --seed 0
default-s1 --seed 1
default-s2 --seed 2
"}

while read -r name options; do
    [ -n "$name" ] || continue
    run=$output/$name
    if [ ! -d "$run" ]; then
        start=$(date +%s)
        # shellcheck disable=SC2086
        "$shoreline" train --method infoseg --input "${inputs[@]}" "${bands[@]}" --output "$run" --threads 1 \
            $options > "$run.out" 2>&1
        seconds=$(( $(date +%s) - start ))
        echo "$name $seconds s, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$output/times.txt"
        echo "$seconds" > "$run.seconds"
    fi
    rm -rf "$run.segments"
    "$shoreline" segment --model "$run" --output "$run.segments" "${bands[@]}" "${inputs[@]}" > /dev/null 2>&1
    "$shoreline" evaluate --predictions "$run.segments" --labels "${labels[@]}" --label-codes "$codes" \
        --json > "$run.hungarian.json"
    "$shoreline" evaluate --predictions "$run.segments" --labels "${labels[@]}" --label-codes "$codes" \
        --mapping label-free --json > "$run.label-free.json"
    hungarian=$(jq '.water_iou' "$run.hungarian.json")
    labelFree=$(jq '.water_iou' "$run.label-free.json")
    share=$(jq '.per_class.water.predicted_pixels / .pixel_count' "$run.hungarian.json")
    bound=$(tail -n 1 "$run/log.jsonl" | jq '.heads[0].mutual_information')
    printf '%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n' "$name" "$hungarian" "$labelFree" "$share" "$bound" \
        "$(cat "$run.seconds" 2> /dev/null || echo -)" | tee -a "$output/scores.tsv"
done <<< "$EXPERIMENTS"
