#!/usr/bin/env bash
# Fills the disk under `shoreline tile`, `train` and `segment`, then resumes
# once space is freed.
#
# Each case writes into a small tmpfs filesystem that holds only part of a
# stage's output. The run must fail with one `error:` line and a non-zero
# exit (no crash), and every final-named file must equal an unconstrained
# run's. After the filesystem grows, a re-run (train with --resume) must
# complete with output identical to the unconstrained run's. Mounting
# tmpfs needs root or CAP_SYS_ADMIN. Without it the script limits the file
# size with `ulimit -f` instead, which fails the first larger file alike.
#
# Usage: scripts/crash/disk-full.sh [SCRATCH]
# Set SHORELINE to a built executable to skip `swift build`.
# Ends with "N passed, N failed" and exits 1 on any failure.

source "$(dirname "$0")/common.sh"

scratch=${1:-$(mktemp -d /tmp/shoreline-disk-full.XXXXXX)}
build_shoreline
inputs=$scratch/inputs
make_scenes "$inputs" 2 600 500
gdal_translate -q -srcwin 0 0 300 260 "$inputs/S2/scene0.tif" "$scratch/small.tif"

tile_arguments=(tile "$inputs" --bands B3,B8,B11 --label-codes worldfloods --size 128 --workers 2)
train_arguments=(train --method iic --input "$scratch/tiles-reference" --bands B3,B8,B11 --steps 12 --batch 2 --crop 32
                 --width 8 --checkpoint-every 3 --threads 1 --seed 7)
segment_arguments=(segment --model "$scratch/train-reference" --input "$scratch/small.tif" --bands B3,B8,B11 --window 128)

mount_point=$scratch/small
mkdir -p "$mount_point"
use_tmpfs=0
if mount -t tmpfs -o size=64k tmpfs "$mount_point" 2>/dev/null; then
    umount "$mount_point"
    use_tmpfs=1
else
    echo "cannot mount tmpfs (not root); limiting the file size with ulimit -f instead"
fi

# Runs one stage on a full disk, then resumes it.
# Usage: fill_and_resume STAGE COMPARE RESUME_FLAG ARGUMENTS...
fill_and_resume() {
    local stage=$1 compare=$2 resume_flag=$3
    shift 3
    local reference=$scratch/$stage-reference needed_kb largest_kb size_kb output status name extra

    "$shoreline" "$@" --output "$reference" >/dev/null 2>"$scratch/$stage-reference.err"
    check "$stage: unconstrained run"
    needed_kb=$(du -sk "$reference" | cut -f1)
    largest_kb=$(( $(find "$reference" -type f -printf '%s\n' | sort -n | tail -1) / 1024 ))
    echo "$stage: unconstrained output ${needed_kb} KB, largest file ${largest_kb} KB"

    # A few pages, then fractions of the whole output: the disk fills while
    # creating folders, early, midway and at the end.
    local sizes=(16 $((needed_kb / 10)) $((needed_kb / 3)) $((needed_kb * 2 / 3)) $((needed_kb - 20)))
    [ $use_tmpfs -eq 1 ] || sizes=(1 $((largest_kb / 2)))
    for size_kb in "${sizes[@]}"; do
        if [ $use_tmpfs -eq 1 ]; then
            name="$stage on a tmpfs of ${size_kb} KB"
            mount -t tmpfs -o size=${size_kb}k tmpfs "$mount_point" || { echo "error: cannot mount tmpfs" >&2; exit 1; }
            output=$mount_point/out
            "$shoreline" "$@" --output "$output" >/dev/null 2>"$scratch/errors"
            status=$?
        else
            name="$stage with a file size limit of ${size_kb} KB"
            output=$scratch/$stage-limited-$size_kb
            # SIGXFSZ is ignored so a write fails with EFBIG instead of killing the process.
            bash -c "trap '' XFSZ; ulimit -f $size_kb; exec \"\$@\"" limited "$shoreline" "$@" --output "$output" \
                >/dev/null 2>"$scratch/errors"
            status=$?
        fi

        [ $status -eq 1 ]
        check "$name: exits 1 ($status)"
        [ "$(grep -c '^error: ' "$scratch/errors")" -eq 1 ] && ! grep -q -i 'fatal error\|stack dump\|backtrace' "$scratch/errors"
        check "$name: one error line: $(grep '^error: ' "$scratch/errors" | head -1 | cut -c1-150)"
        $compare "$output" "$reference"
        check "$name: nothing corrupt under a final name"

        [ $use_tmpfs -eq 1 ] && mount -o remount,size=$((needed_kb * 2 + 1024))k "$mount_point"
        extra=()
        [ -n "$resume_flag" ] && [ -e "$output" ] && extra=("$resume_flag")
        "$shoreline" "$@" --output "$output" "${extra[@]}" >/dev/null 2>"$scratch/errors.resume"
        check "$name: the resume after freeing space exits 0"
        $compare "$output" "$reference" complete
        check "$name: the resumed output is identical"
        [ $use_tmpfs -eq 1 ] && umount "$mount_point"
        rm -rf "$output"
    done
}

fill_and_resume tiles same_as_reference "" "${tile_arguments[@]}"
fill_and_resume train same_run --resume "${train_arguments[@]}"
fill_and_resume segment same_as_reference "" "${segment_arguments[@]}"

[ -z "${1:-}" ] && [ $failed -eq 0 ] && rm -rf "$scratch"
finish
