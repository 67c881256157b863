#!/usr/bin/env bash
# Fills the disk under `shoreline tile` and resumes once space is freed.
#
# Each case tiles into a small tmpfs filesystem that holds only part of
# the output. The run must fail with one `error:` line and a non-zero exit,
# every final-named file must be identical to an unconstrained run's, and
# after the filesystem grows, a re-run must complete with byte-identical
# output. Mounting tmpfs needs root (or CAP_SYS_ADMIN); without it the
# script limits the file size with `ulimit -f` instead, which fails the
# first file larger than the limit in the same way.
#
# Usage: scripts/crash/disk-full.sh [SCRATCH]
# Set SHORELINE to a built executable to skip `swift build`.
# Ends with "N passed, N failed" and exits 1 on any failure.
#
# TODO: cover `train` and `segment` once those commands exist.

source "$(dirname "$0")/common.sh"

scratch=${1:-$(mktemp -d /tmp/shoreline-disk-full.XXXXXX)}
build_shoreline

inputs=$scratch/inputs
make_scenes "$inputs" 2 600 500
tile_arguments=("$inputs" --bands B3,B8,B11 --label-codes worldfloods --size 128 --workers 2)
"$shoreline" tile "${tile_arguments[@]}" --output "$scratch/reference" >/dev/null 2>&1
check "unconstrained tile run"
needed_kb=$(du -sk "$scratch/reference" | cut -f1)
echo "unconstrained output: ${needed_kb} KB"

# Checks a run that ran out of space, then the resume after freeing it.
# Usage: check_full_then_resume NAME OUTPUT STDERR STATUS GROW_COMMAND...
check_full_then_resume() {
    local name=$1 output=$2 errors=$3 status=$4
    shift 4
    [ "$status" -ne 0 ]
    check "$name: run on a full disk exits non-zero ($status)"
    [ "$(grep -c '^error: ' "$errors")" -eq 1 ] && ! grep -q -i 'fatal error\|stack dump' "$errors"
    check "$name: one error line: $(grep '^error: ' "$errors" | head -1 | cut -c1-160)"
    same_as_reference "$output" "$scratch/reference"
    check "$name: nothing corrupt under a final name"
    "$@"
    "$shoreline" tile "${tile_arguments[@]}" --output "$output" >/dev/null 2>"$errors.resume"
    check "$name: resume after freeing space exits 0"
    same_as_reference "$output" "$scratch/reference" complete
    check "$name: resumed output is byte-identical"
}

mount_point=$scratch/small
mkdir -p "$mount_point"
if mount -t tmpfs -o size=64k tmpfs "$mount_point" 2>/dev/null; then
    umount "$mount_point"
    # A few pages, then fractions of the whole output: the disk fills while
    # creating folders, in the first scene, and in the last one.
    for size_kb in 16 $((needed_kb / 10)) $((needed_kb / 3)) $((needed_kb * 2 / 3)) $((needed_kb - 20)); do
        mount -t tmpfs -o size=${size_kb}k tmpfs "$mount_point" || { echo "error: cannot mount tmpfs" >&2; exit 1; }
        "$shoreline" tile "${tile_arguments[@]}" --output "$mount_point/out" >/dev/null 2>"$scratch/errors"
        check_full_then_resume "tmpfs of ${size_kb} KB" "$mount_point/out" "$scratch/errors" $? \
            mount -o remount,size=$((needed_kb * 2 + 1024))k "$mount_point"
        umount "$mount_point"
    done
else
    echo "cannot mount tmpfs (not root); limiting the file size with ulimit -f instead"
    largest_kb=$(find "$scratch/reference" -type f -printf '%s\n' | sort -n | tail -1)
    largest_kb=$((largest_kb / 1024))
    for limit_kb in 1 $((largest_kb / 2)); do
        output=$scratch/limited-$limit_kb
        # SIGXFSZ is ignored so the write fails with EFBIG instead of killing the process.
        bash -c "trap '' XFSZ; ulimit -f $limit_kb; exec \"\$@\"" limited "$shoreline" tile "${tile_arguments[@]}" \
            --output "$output" >/dev/null 2>"$scratch/errors"
        check_full_then_resume "file size limit of ${limit_kb} KB" "$output" "$scratch/errors" $? true
    done
fi

[ -z "${1:-}" ] && [ $failed -eq 0 ] && rm -rf "$scratch"
finish
