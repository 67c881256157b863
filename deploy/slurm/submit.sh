#!/usr/bin/env bash
# Submits a tiling run to Slurm: a job array of N tile tasks (tile.sbatch) and
# a merge job (merge.sbatch) that starts after every task succeeded.
#
# Usage:
#   deploy/slurm/submit.sh --tasks N --output DIR [OPTIONS] -- SCENE_OR_DIR... [TILE_OPTIONS]
#
# Options:
#   --tasks N          the number of shards, N array tasks (required)
#   --output DIR       the tile folder, on a filesystem every node mounts (required)
#   --scene-list FILE  add the scenes listed in FILE, one path per line
#                      ('#' starts a comment), to those after `--`
#   --indices LIST     submit only these array indexes, e.g. '2' or '1,3'
#                      (to rerun failed or cancelled tasks); default 0 to N-1
#   --max-running K    run at most K tasks at a time (sbatch --array=...%K)
#   --memory SIZE      memory per tile task (sbatch --mem), e.g. 4G
#   --cpus C           CPUs per tile task, also passed as `--workers C`
#   --time LIMIT       time limit per tile task (sbatch --time)
#   --partition NAME   partition for both jobs
#   --account NAME     account for both jobs
#   --logs DIR         folder for the job logs; default DIR/logs
#
# Everything after `--` goes to `shoreline tile` unchanged. Prints the array
# and merge job ids on stdout, as "ARRAY_JOB_ID MERGE_JOB_ID".
set -euo pipefail

script_folder=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 --tasks N --output DIR [OPTIONS] -- SCENE_OR_DIR... [TILE_OPTIONS]"

fail() {
    echo "error: $*" >&2
    exit 2
}

tasks=
output=
scene_list=
indices=
max_running=
logs=
tile_options=()
shared_options=()
tile_scenes=()

# Options before `--`.
while [ $# -gt 0 ]; do
    case "$1" in
    --)
        shift
        break
        ;;
    --tasks | --output | --scene-list | --indices | --max-running | --memory | --cpus | --time | --partition | --account | --logs)
        [ $# -ge 2 ] || fail "option '$1' needs a value; $usage"
        case "$1" in
        --tasks) tasks=$2 ;;
        --output) output=$2 ;;
        --scene-list) scene_list=$2 ;;
        --indices) indices=$2 ;;
        --max-running) max_running=$2 ;;
        --memory) tile_options+=("--mem=$2") ;;
        --cpus) tile_options+=("--cpus-per-task=$2") ;;
        --time) tile_options+=("--time=$2") ;;
        --partition) shared_options+=("--partition=$2") ;;
        --account) shared_options+=("--account=$2") ;;
        --logs) logs=$2 ;;
        esac
        shift 2
        ;;
    *)
        fail "unknown option '$1'; $usage"
        ;;
    esac
done

# Check the values before anything is submitted.
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || fail "--tasks '${tasks}' is not a positive integer; $usage"
[ -n "$output" ] || fail "--output is missing; $usage"
if [ -n "$max_running" ] && ! [[ "$max_running" =~ ^[1-9][0-9]*$ ]]; then
    fail "--max-running '$max_running' is not a positive integer"
fi
if [ -n "$indices" ]; then
    [[ "$indices" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] ||
        fail "--indices '$indices' is not a list such as '2' or '0,3' or '1-2'"
    for number in ${indices//[,-]/ }; do
        [ "$number" -lt "$tasks" ] || fail "--indices '$indices' names index $number, but the shards are 0 to $((tasks - 1))"
    done
fi
if [ -n "$scene_list" ]; then
    [ -f "$scene_list" ] || fail "scene list '$scene_list' not found; check the path"
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        line=$(echo "$line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
        [ -n "$line" ] && tile_scenes+=("$line")
    done <"$scene_list"
fi
[ $# -gt 0 ] || [ "${#tile_scenes[@]}" -gt 0 ] || fail "no scenes given; list them after '--' or with --scene-list"
command -v sbatch >/dev/null || fail "'sbatch' not found; run this on a Slurm login node"

# Absolute paths, because the jobs may start in another working directory.
mkdir -p "$output"
output=$(cd "$output" && pwd)
logs=${logs:-$output/logs}
mkdir -p "$logs"

# Submit the array, then the merge that waits for all of it.
array_range=${indices:-0-$((tasks - 1))}
if [ -n "$max_running" ]; then
    array_range+="%$max_running"
fi
array_job=$(sbatch --parsable \
    "${shared_options[@]}" "${tile_options[@]}" \
    --array="$array_range" \
    --chdir="$PWD" \
    --output="$logs/tile-%A_%a.log" \
    "$script_folder/tile.sbatch" "$tasks" "$output" "${tile_scenes[@]}" "$@")
array_job=${array_job%%;*}

merge_job=$(sbatch --parsable \
    "${shared_options[@]}" \
    --dependency="afterok:$array_job" \
    --kill-on-invalid-dep=yes \
    --chdir="$PWD" \
    --output="$logs/merge-%j.log" \
    "$script_folder/merge.sbatch" "$tasks" "$output")
merge_job=${merge_job%%;*}

echo "submitted tile array $array_job (indexes $array_range of $tasks shards) and merge job $merge_job; logs in '$logs'" >&2
echo "$array_job $merge_job"
