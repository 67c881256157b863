#!/usr/bin/env bash
# Integration test of the Slurm job-array tiling in deploy/slurm, on a real
# single-node Slurm cluster that this script installs, starts and stops.
#
# Usage: scripts/slurm/integration-test.sh [--keep]
#   --keep  leave the scratch folder (scenes, outputs, logs) for inspection
#
# Environment:
#   SHORELINE       the shoreline binary to test; default: `swift build` it
#   SHORELINE_DATA  the real data folder; default: ../shared/data beside the
#                   repository. The test skips (exit 0) when it is missing.
#
# Checks:
#   1. array equals single process: 12 scenes tiled by a 4-task array and the
#      dependent merge job give a manifest.csv and tiles byte-identical to one
#      `shoreline tile` process.
#   2. cancelled task resubmitted: one array index cancelled while it runs
#      (scancel), then resubmitted alone with a new merge, gives the same bytes.
#   3. failed task names scene: a truncated scene makes exactly one task fail,
#      its log names the task index and the scene, and the merge never runs.
#
# Ends with "slurm: P passed, F failed" and exits non-zero when any check failed.
set -euo pipefail

repository=$(cd "$(dirname "$0")/../.." && pwd)
keep=false
if [ "${1:-}" = "--keep" ]; then
    keep=true
elif [ $# -gt 0 ]; then
    echo "error: unknown argument '$1'; usage: $0 [--keep]" >&2
    exit 2
fi

data=${SHORELINE_DATA:-$repository/../shared/data}
if [ ! -f "$data/sen1floods11/Spain_7370579_S2Hand.tif" ]; then
    echo "slurm: skipped: real data not found at '$data'; set SHORELINE_DATA or place ../shared/data beside the repository" >&2
    exit 0
fi

# Tiling options shared by every run. 256-pixel tiles give the small scenes
# several tiles each, including padded edge tiles.
tile_options=(--labels "@SCENES@/gt" --label-codes sen1floods11 --size 256)
shard_count=4
# How long one job may take before the test gives up on it.
job_timeout_seconds=300

log() {
    echo "slurm: $*" >&2
}

# Setup: packages, binary, scratch folder, scenes, cluster.
"$repository/scripts/slurm/local-cluster.sh" install
if [ -z "${SHORELINE:-}" ]; then
    log "building shoreline"
    (cd "$repository" && swift build --product shoreline >&2)
    SHORELINE="$(cd "$repository" && swift build --show-bin-path)/shoreline"
fi
[ -x "$SHORELINE" ] || { echo "error: shoreline binary '$SHORELINE' not found or not executable; build it or set SHORELINE" >&2; exit 1; }
export SHORELINE

scratch=$(mktemp -d "${TMPDIR:-/tmp}/shoreline-slurm.XXXXXX")
# munged needs every folder above its socket to be searchable by all.
chmod 0755 "$scratch"
cluster="$scratch/cluster"
cleanup() {
    if [ -s "$cluster/pids" ]; then
        "$repository/scripts/slurm/local-cluster.sh" stop "$cluster" || true
    fi
    if [ "$keep" = true ]; then
        log "kept scratch folder '$scratch'"
    else
        rm -rf "$scratch"
    fi
}
trap cleanup EXIT

"$repository/scripts/slurm/make-scenes.sh" "$data" "$scratch/scenes"
"$repository/scripts/slurm/local-cluster.sh" start "$cluster"
# shellcheck source=/dev/null
source "$cluster/environment"

# Every run writes into the same folder, $scratch/tiles, and is then moved
# aside, so that paths inside the manifest are the same in every run.
tiles="$scratch/tiles"

# Prints tile_options with the scene folder $1 in place of @SCENES@.
options_for() {
    local option
    for option in "${tile_options[@]}"; do
        printf '%s\n' "${option//@SCENES@/$1}"
    done
}

# Prints one "ARRAY_TASK_ID STATE EXIT_CODE" line for each job with id $1.
# An array gives one line per task, and a plain job has the task id N/A.
job_states() {
    scontrol --oneliner show job "$1" 2>/dev/null | while read -r record; do
        local task state exit_code
        task=$(grep -o 'ArrayTaskId=[^ ]*' <<<"$record" | cut -d= -f2)
        state=$(grep -o 'JobState=[^ ]*' <<<"$record" | cut -d= -f2)
        exit_code=$(grep -o ' ExitCode=[^ ]*' <<<"$record" | cut -d= -f2)
        echo "${task:-N/A} $state $exit_code"
    done
}

# Waits until no job with id $1 is pending or running; fails on timeout.
wait_for_job() {
    local job=$1
    local deadline=$((SECONDS + job_timeout_seconds))
    while job_states "$job" | grep -qE ' (PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|RESIZING)'; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "job $job still running after ${job_timeout_seconds} s: $(job_states "$job" | tr '\n' ';')"
            return 1
        fi
        sleep 1
    done
}

# Submits a tiling run of scene folder $1 into $tiles (extra submit.sh
# options follow) and prints "ARRAY_JOB_ID MERGE_JOB_ID". The scenes are
# $1/S2, unless the extra options start with --scene-list.
submit_run() {
    local scenes=$1
    shift
    local options inputs=("$scenes/S2")
    if [ "${1:-}" = --scene-list ]; then
        inputs=()
    fi
    mapfile -t options < <(options_for "$scenes")
    "$repository/deploy/slurm/submit.sh" --tasks "$shard_count" --output "$tiles" \
        --logs "$scratch/logs" "$@" -- "${inputs[@]}" "${options[@]}"
}

# Prints a reason and returns 1 when folder $1 and folder $2 differ in
# manifest.csv, in any tile, or in the set of files under images/ and labels/.
# Hidden temporary files (`.NAME.partial-*`) that a killed task left behind
# are not tiles, so they are left out of the comparison and only counted.
compare_outputs() {
    local expected=$1 actual=$2
    if ! cmp -s "$expected/manifest.csv" "$actual/manifest.csv"; then
        echo "manifest.csv differs: $(diff "$expected/manifest.csv" "$actual/manifest.csv" | head -n 4 | tr '\n' ' ')"
        return 1
    fi
    local folder differences
    for folder in images labels; do
        if [ ! -e "$expected/$folder" ] && [ ! -e "$actual/$folder" ]; then
            continue
        fi
        differences=$(diff -rq --exclude='.*.partial-*' "$expected/$folder" "$actual/$folder" 2>&1 | head -n 3 | tr '\n' ' ')
        if [ -n "$differences" ]; then
            echo "$folder/ differs: $differences"
            return 1
        fi
    done
    local leftovers
    leftovers=$(find "$actual" -name '.*.partial-*' | wc -l)
    if [ "$leftovers" -gt 0 ]; then
        log "note: $leftovers hidden temporary files left in '$actual' by a killed task"
    fi
}

passed=0
failed=0
record() {
    local name=$1 reason=$2
    if [ -z "$reason" ]; then
        passed=$((passed + 1))
        log "PASS $name"
    else
        failed=$((failed + 1))
        log "FAIL $name: $reason"
    fi
}

# The reference: one process, no shards.
log "tiling the reference in one process"
mapfile -t reference_options < <(options_for "$scratch/scenes")
"$SHORELINE" tile "$scratch/scenes/S2" "${reference_options[@]}" --output "$tiles" >"$scratch/reference-summary.txt"
mv "$tiles" "$scratch/reference"
reference_rows=$(($(wc -l <"$scratch/reference/manifest.csv") - 1))
reference_scenes=$(tail -n +2 "$scratch/reference/manifest.csv" | cut -d, -f1 | sort -u | wc -l)
reference_skipped=$(sed -n 's/^tiles skipped as more than .* invalid: \([0-9]*\)$/\1/p' "$scratch/reference-summary.txt")
reference_tiles=$(find "$scratch/reference/images" -type f | wc -l)
log "reference: $reference_tiles image tiles, $reference_rows manifest rows, ${reference_skipped:-?} tiles skipped"
if gdalinfo "$(find "$scratch/reference/images" -type f -name '*.tif' | sort | head -n 1)" | grep -q 'TIFFTAG_DATETIME'; then
    log "note: tiles carry TIFFTAG_DATETIME, so identical bytes across runs are not expected"
fi

# Check 1: array equals single process. This run reads its scenes from a
# scene list, with a comment and a blank line, and runs at most 2 tasks at
# a time.
check_array_equals_single_process() {
    local array_job merge_job reason
    {
        echo "# the 12 test scenes"
        find "$scratch/scenes/S2" -name '*.tif' | sort
        echo
    } >"$scratch/scenes.txt"
    read -r array_job merge_job < <(submit_run "$scratch/scenes" --scene-list "$scratch/scenes.txt" --max-running 2) ||
        { echo "submission failed"; return 1; }
    wait_for_job "$array_job" || return 1
    wait_for_job "$merge_job" || return 1
    if job_states "$array_job" | grep -qv ' COMPLETED '; then
        echo "array tasks did not all complete: $(job_states "$array_job" | tr '\n' ';')"
        return 1
    fi
    if ! job_states "$merge_job" | grep -q ' COMPLETED '; then
        echo "merge job $merge_job did not complete: $(job_states "$merge_job")"
        return 1
    fi
    reason=$(compare_outputs "$scratch/reference" "$tiles") || { echo "$reason"; return 1; }

    # The merge summary agrees with the manifest and the reference run.
    local summary="$tiles/summary.txt" expected
    for expected in \
        "tiles in manifest: $reference_rows" \
        "scenes with tiles: $reference_scenes" \
        "scenes without labels: 4 (scene_05, scene_09, scene_11, scene_12)" \
        "tiles skipped as more than 0.5 invalid: $reference_skipped"; do
        if ! grep -qxF "$expected" "$summary"; then
            echo "summary.txt lacks the line '$expected': $(tr '\n' ';' <"$summary")"
            return 1
        fi
    done
}
reason=$(check_array_equals_single_process) || true
record "array equals single process" "$reason"
[ -d "$tiles" ] && mv "$tiles" "$scratch/array"

# Check 2: cancel one index while it runs, resubmit it alone, merge again.
check_cancelled_task_resubmitted() {
    local cancelled_index=3
    local array_job merge_job deadline state
    read -r array_job merge_job < <(submit_run "$scratch/scenes") || { echo "submission failed"; return 1; }

    # Cancel the task half a second after it starts, before it can finish
    # its scenes. Index 3 contains scene_04, scene_08 and scene_12, the largest
    # shard under the tiler's round-robin split of the sorted names.
    deadline=$((SECONDS + job_timeout_seconds))
    until [ "$(squeue --noheader --jobs "${array_job}_$cancelled_index" --format=%T 2>/dev/null)" = RUNNING ]; do
        state=$(job_states "$array_job" | awk -v index_="$cancelled_index" '$1 == index_ { print $2 }')
        if [ -n "$state" ] && [ "$state" != PENDING ] && [ "$state" != RUNNING ]; then
            echo "task $cancelled_index ended as $state before it could be cancelled"
            return 1
        fi
        [ "$SECONDS" -lt "$deadline" ] || { echo "task $cancelled_index never started"; return 1; }
        sleep 0.1
    done
    sleep 0.5
    scancel "${array_job}_$cancelled_index"
    wait_for_job "$array_job" || return 1
    wait_for_job "$merge_job" || return 1

    state=$(job_states "$array_job" | awk -v index_="$cancelled_index" '$1 == index_ { print $2 }')
    if [ "$state" != CANCELLED ]; then
        echo "task $cancelled_index ended as '$state', not CANCELLED; it finished before scancel, so make its scenes larger"
        return 1
    fi
    if [ -f "$tiles/manifest.csv" ]; then
        echo "merge job $merge_job wrote manifest.csv although task $cancelled_index was cancelled"
        return 1
    fi
    if [ -f "$tiles/manifest.shard-$cancelled_index-of-$shard_count.csv" ]; then
        echo "task $cancelled_index wrote its manifest part although it was cancelled"
        return 1
    fi
    log "task $cancelled_index cancelled after writing $(find "$tiles/images" -name 'scene_04_*.tif' -o -name 'scene_08_*.tif' -o -name 'scene_12_*.tif' 2>/dev/null | wc -l) of its tiles"

    # Resubmit only the cancelled index, with a merge that waits for it.
    read -r array_job merge_job < <(submit_run "$scratch/scenes" --indices "$cancelled_index") ||
        { echo "resubmission failed"; return 1; }
    wait_for_job "$array_job" || return 1
    wait_for_job "$merge_job" || return 1
    if ! job_states "$merge_job" | grep -q ' COMPLETED '; then
        echo "merge job $merge_job after the resubmission did not complete: $(job_states "$merge_job")"
        return 1
    fi
    local reason
    reason=$(compare_outputs "$scratch/reference" "$tiles") || { echo "after resubmission: $reason"; return 1; }
}
reason=$(check_cancelled_task_resubmitted) || true
record "cancelled task resubmitted" "$reason"
[ -d "$tiles" ] && mv "$tiles" "$scratch/resubmitted"

# Check 3: a truncated scene fails its task, whose log names index and scene.
check_failed_task_names_scene() {
    local broken_scene=scene_07.tif
    mkdir -p "$scratch/broken/S2"
    cp -r "$scratch/scenes/gt" "$scratch/broken/gt"
    cp "$scratch/scenes/S2/"*.tif "$scratch/broken/S2/"
    head -c 4096 "$scratch/scenes/S2/$broken_scene" >"$scratch/broken/S2/$broken_scene"

    local array_job merge_job
    read -r array_job merge_job < <(submit_run "$scratch/broken") || { echo "submission failed"; return 1; }
    wait_for_job "$array_job" || return 1
    wait_for_job "$merge_job" || return 1

    local failed_tasks
    failed_tasks=$(job_states "$array_job" | awk '$2 == "FAILED" { print $1 }')
    if [ "$(wc -w <<<"$failed_tasks")" -ne 1 ]; then
        echo "expected one failed task, found '${failed_tasks}': $(job_states "$array_job" | tr '\n' ';')"
        return 1
    fi
    local task_log="$scratch/logs/tile-${array_job}_${failed_tasks}.log"
    local report
    report=$(grep "^error: tile task $failed_tasks of $shard_count" "$task_log" || true)
    if [ -z "$report" ]; then
        echo "log '$task_log' has no 'error: tile task $failed_tasks of $shard_count' line"
        return 1
    fi
    if ! grep -q "$broken_scene" <<<"$report"; then
        echo "failure report does not name the scene '$broken_scene': $report"
        return 1
    fi
    if job_states "$merge_job" | grep -q ' COMPLETED '; then
        echo "merge job $merge_job ran although task $failed_tasks failed"
        return 1
    fi
    log "reported: $report"
}
reason=$(check_failed_task_names_scene) || true
record "failed task names scene" "$reason"

echo "slurm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
