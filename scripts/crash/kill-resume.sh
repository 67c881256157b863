#!/usr/bin/env bash
# Kills `shoreline tile`, `train` and `segment` with SIGKILL at random
# moments and resumes them.
#
# For each stage an uninterrupted run is the reference. Each trial starts a
# fresh run and kills it once or twice, each time at a random moment within
# the length of the uninterrupted run. After each kill, every final-named
# file must equal the reference's. The trial then re-runs to the end (train
# with --resume), and the output must be byte-identical to the reference:
# tiles, parts and manifest; checkpoints and the loss curve in log.jsonl;
# masks, statistics and quicklooks. Last, two runs of each stage share one output folder: the
# second must stop at once with an error naming the lock, and the first
# must finish with the reference's output.
#
# Usage: scripts/crash/kill-resume.sh [TRIALS] [SCRATCH]
#   TRIALS   per stage, default 20
#   SCRATCH  a folder for inputs and outputs (default: a new /tmp folder,
#            removed when every check passes)
# Set SHORELINE to a built executable to skip `swift build`.
# Ends with "N passed, N failed" and exits 1 on any failure.

source "$(dirname "$0")/common.sh"

trials=${1:-20}
scratch=${2:-$(mktemp -d /tmp/shoreline-kill-resume.XXXXXX)}
build_shoreline
inputs=$scratch/inputs
make_scenes "$inputs" 3 700 600
gdal_translate -q -srcwin 0 0 300 260 "$inputs/S2/scene0.tif" "$scratch/small.tif"

tile_arguments=(tile "$inputs" --bands B3,B8,B11 --label-codes worldfloods --size 128 --overlap 16 --workers 2)
train_arguments=(train --method iic --input "$scratch/tiles-reference" --bands B3,B8,B11 --steps 24 --batch 2 --crop 32
                 --width 8 --checkpoint-every 3 --threads 1 --seed 7)
segment_arguments=(segment --model "$scratch/train-reference" --input "$scratch/small.tif" --bands B3,B8,B11 --window 128)

# Runs one stage's trials.
# Usage: kill_and_resume STAGE COMPARE RESUME_FLAG ARGUMENTS...
#   COMPARE      same_as_reference or same_run
#   RESUME_FLAG  the flag a re-run adds when the output exists, or ""
kill_and_resume() {
    local stage=$1 compare=$2 resume_flag=$3
    shift 3
    local reference=$scratch/$stage-reference start duration trial kill kills output pid extra

    start=$(now_ms)
    "$shoreline" "$@" --output "$reference" >/dev/null 2>"$scratch/$stage-reference.err"
    check "$stage: uninterrupted run"
    duration=$(( $(now_ms) - start ))
    echo "$stage: uninterrupted run ${duration} ms"

    for trial in $(seq 1 "$trials"); do
        output=$scratch/$stage-trial-$trial
        kills=$((1 + RANDOM % 2))
        for kill in $(seq 1 $kills); do
            extra=()
            [ -n "$resume_flag" ] && [ -e "$output" ] && extra=("$resume_flag")
            "$shoreline" "$@" --output "$output" "${extra[@]}" >/dev/null 2>&1 &
            pid=$!
            sleep_random_ms "$duration"
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            $compare "$output" "$reference"
            check "$stage trial $trial: after kill $kill, every final-named file matches"
        done

        extra=()
        [ -n "$resume_flag" ] && [ -e "$output" ] && extra=("$resume_flag")
        "$shoreline" "$@" --output "$output" "${extra[@]}" >"$scratch/$stage-resume-$trial.log" 2>&1
        check "$stage trial $trial: re-run exits 0"
        $compare "$output" "$reference" complete
        check "$stage trial $trial: re-run output is identical"
        [ $failed -eq 0 ] && rm -rf "$output"
    done
}

# Starts a run, then a second one into the same folder once the first has
# taken its lock. The second must stop at once with an error naming the lock.
# Usage: two_runs STAGE LOCK_NAME COMPARE SECOND_FLAG ARGUMENTS...
two_runs() {
    local stage=$1 lock_name=$2 compare=$3 second_flag=$4
    shift 4
    local output=$scratch/$stage-locked first status start waited extra=()
    [ -n "$second_flag" ] && extra=("$second_flag")
    "$shoreline" "$@" --output "$output" >/dev/null 2>"$scratch/$stage-first.err" &
    first=$!
    for _ in $(seq 1 200); do
        [ -s "$output/$lock_name" ] && break
        sleep 0.02
    done
    start=$(now_ms)
    "$shoreline" "$@" --output "$output" "${extra[@]}" >/dev/null 2>"$scratch/$stage-second.err"
    status=$?
    waited=$(( $(now_ms) - start ))
    [ $status -eq 1 ] && grep -q "^error: output folder '$output' is in use by another run (lock '$output/$lock_name' held by process $first)" "$scratch/$stage-second.err"
    check "$stage: a second run into a busy folder stops naming the lock"
    [ $waited -lt 5000 ]
    check "$stage: the second run stops at once (${waited} ms)"
    wait "$first"
    check "$stage: the first run finishes"
    $compare "$output" "$scratch/$stage-reference" complete
    check "$stage: the first run's output is identical"
}

kill_and_resume tiles same_as_reference "" "${tile_arguments[@]}"
kill_and_resume train same_run --resume "${train_arguments[@]}"
kill_and_resume segment same_as_reference "" "${segment_arguments[@]}"

two_runs tiles .tile.lock same_as_reference "" "${tile_arguments[@]}"
two_runs train .train.lock same_run --resume "${train_arguments[@]}"
two_runs segment .segment.lock same_as_reference "" "${segment_arguments[@]}"

[ -z "${2:-}" ] && [ $failed -eq 0 ] && rm -rf "$scratch"
finish
