#!/usr/bin/env bash
# Kills `shoreline tile` with SIGKILL at random moments and resumes it.
#
# Each trial starts a fresh tiling run, kills it once or twice at a random
# moment within the length of an uninterrupted run, checks that every
# final-named file is identical to the uninterrupted run's, re-runs to the
# end and checks that tiles, parts and manifest are byte-identical to it.
# A last check starts two runs into one folder: the second must stop at
# once with an error naming the lock, and the first must finish unharmed.
#
# Usage: scripts/crash/kill-resume.sh [TRIALS] [SCRATCH]
#   TRIALS   default 20
#   SCRATCH  a folder for inputs and outputs (default: a new /tmp folder)
# Set SHORELINE to a built executable to skip `swift build`.
# Ends with "N passed, N failed" and exits 1 on any failure.
#
# TODO: cover `train` and `segment` once those commands exist.

source "$(dirname "$0")/common.sh"

trials=${1:-20}
scratch=${2:-$(mktemp -d /tmp/shoreline-kill-resume.XXXXXX)}
build_shoreline

inputs=$scratch/inputs
make_scenes "$inputs" 3 700 600
tile_arguments=("$inputs" --bands B3,B8,B11 --label-codes worldfloods --size 128 --overlap 16 --workers 2)

# The uninterrupted run, timed to place the kills.
start=$(now_ms)
"$shoreline" tile "${tile_arguments[@]}" --output "$scratch/reference" >/dev/null 2>&1
check "uninterrupted tile run"
duration=$(( $(now_ms) - start ))
echo "uninterrupted run: ${duration} ms, $(final_files "$scratch/reference" | wc -l) files"

for trial in $(seq 1 "$trials"); do
    output=$scratch/trial-$trial
    kills=$((1 + RANDOM % 2))
    for kill in $(seq 1 $kills); do
        "$shoreline" tile "${tile_arguments[@]}" --output "$output" >/dev/null 2>&1 &
        pid=$!
        sleep_random_ms "$duration"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        same_as_reference "$output" "$scratch/reference"
        check "trial $trial: after kill $kill, no file under a final name differs"
    done

    "$shoreline" tile "${tile_arguments[@]}" --output "$output" >"$scratch/resume-$trial.log" 2>&1
    check "trial $trial: resumed run exits 0"
    same_as_reference "$output" "$scratch/reference" complete
    check "trial $trial: resumed output is byte-identical"
    rm -rf "$output"
done

# Two runs into one folder.
output=$scratch/locked
"$shoreline" tile "${tile_arguments[@]}" --output "$output" >/dev/null 2>"$scratch/first.err" &
first=$!
for _ in $(seq 1 100); do
    [ -e "$output/.tile.lock" ] && break
    sleep 0.05
done
start=$(now_ms)
"$shoreline" tile "${tile_arguments[@]}" --output "$output" >/dev/null 2>"$scratch/second.err"
status=$?
waited=$(( $(now_ms) - start ))
[ $status -eq 1 ] && grep -q "^error: output folder '$output' is in use by another run (lock '$output/.tile.lock' held by process $first)" "$scratch/second.err"
check "second run into a busy folder stops with the lock named"
[ $waited -lt 5000 ]
check "second run stops at once (${waited} ms)"
wait "$first"
check "first run finishes"
same_as_reference "$output" "$scratch/reference" complete
check "first run's output is byte-identical"

[ -z "${2:-}" ] && [ $failed -eq 0 ] && rm -rf "$scratch"
finish
