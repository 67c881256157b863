#!/usr/bin/env bash
# Measures how much of the gap to the rasterio tiler is the DEFLATE library
# itself: the rasterio wheel ships its own libdeflate build, while GDAL on
# Debian 12 uses libdeflate 1.14. Runs `shoreline tile` and gdal_translate
# on one scene twice, with the system libdeflate and with the wheel's copy
# (through LD_LIBRARY_PATH, for this measurement only), and checks that
# both write byte-identical tiles, so the compression is the same.
#
# Usage: bench/tiling/compare_libdeflate.sh [SCENE LABEL]
# (default: the 5490 px uncompressed scene of bench/tiling/run.sh)
# Prints CPU seconds (user + system) per tool and library.
set -euo pipefail
cd "$(dirname "$0")/../.."
scene=${1:-/tmp/bench-tiling/quarter/scene_raw.tif}
label=${2:-/tmp/bench-tiling/quarter/label.tif}
shoreline=.build/release/shoreline
[ -x "$shoreline" ] || swift build -c release --product shoreline >&2

wheel_libs=$(python3 -c "import os, rasterio; print(os.path.join(os.path.dirname(os.path.dirname(rasterio.__file__)), 'rasterio.libs'))")
wheel_deflate=$(ls "$wheel_libs"/libdeflate-*.so.0 2>/dev/null | head -1)
[ -n "$wheel_deflate" ] || { echo "error: no libdeflate in '$wheel_libs'; install rasterio from its wheel" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/lib"
cp "$wheel_deflate" "$work/lib/libdeflate.so.0"

# Prints the CPU seconds (user + system) of a command.
cpu_seconds() {
    if ! /usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
        echo "error: '$*' failed:" >&2
        tail -3 "$work/stderr" >&2
        exit 1
    fi
    awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}

for library in system wheel; do
    path=""
    [ "$library" = wheel ] && path="$work/lib"
    tiles=$(cpu_seconds env LD_LIBRARY_PATH="$path" "$shoreline" tile "$scene" --labels "$label" \
        --label-codes sen1floods11 --output "$work/tiles-$library" --max-invalid 1 --workers 2)
    copy=$(cpu_seconds env LD_LIBRARY_PATH="$path" gdal_translate -q -of GTiff -co TILED=YES \
        -co COMPRESS=DEFLATE -co BIGTIFF=YES "$scene" "$work/copy-$library.tif")
    echo "libdeflate $library: shoreline tile ${tiles} s, gdal_translate ${copy} s"
done
if diff -rq "$work/tiles-system/images" "$work/tiles-wheel/images" >/dev/null \
    && diff -rq "$work/tiles-system/labels" "$work/tiles-wheel/labels" >/dev/null; then
    echo "tiles written with the two libraries are byte-identical"
else
    echo "tiles written with the two libraries differ" >&2
    exit 1
fi
