#!/usr/bin/env bash
# The main job on the real scenes in DATA, writing into OUT: `info` and
# `tile` on each data folder, then a one-line summary per folder.
# Usage: scripts/demo.sh DATA OUT   (run by `make demo` after a release build)
set -euo pipefail
data=${1:?usage: scripts/demo.sh DATA OUT}
out=${2:?usage: scripts/demo.sh DATA OUT}
shoreline=${SHORELINE:-.build/release/shoreline}

if [ ! -d "$data" ]; then
    echo "error: data folder '$data' not found; pass DATA=/path/to/data" >&2
    exit 1
fi
if [ ! -x "$shoreline" ]; then
    echo "error: '$shoreline' not found; run 'swift build -c release' first" >&2
    exit 1
fi
mkdir -p "$out"
"$shoreline" --version

summary=()

# Runs `info` on SCENE, then `tile` with the remaining arguments into
# OUT/NAME, and records the tile count.
run_scene() {
    local name=$1 scene=$2
    shift 2
    if [ ! -e "$scene" ]; then
        echo "warning: '$scene' not found; skipping $name" >&2
        summary+=("$name: skipped (not found)")
        return
    fi
    echo "== $name" >&2
    "$shoreline" info "$scene" "${info_options[@]}" > "$out/$name.info.txt"
    "$shoreline" tile "$@" --output "$out/$name" --workers 2 > "$out/$name.tile.txt"
    local tiles
    tiles=$(($(wc -l < "$out/$name/manifest.csv") - 1))
    local valid
    valid=$(grep '^valid fraction:' "$out/$name.info.txt" | cut -d' ' -f3)
    summary+=("$name: $tiles tiles, valid fraction $valid, manifest $out/$name/manifest.csv")
}

info_options=()
run_scene sen1floods11 "$data/sen1floods11/Spain_7370579_S2Hand.tif" \
    "$data/sen1floods11" --label-codes sen1floods11
info_options=(--bands B11,B8,B3)
first_ombria=$(find "$data/ombria-train-subset/AFTER" -name '*.png' 2>/dev/null | sort | head -n 1)
run_scene ombria "${first_ombria:-$data/ombria-train-subset/AFTER}" \
    "$data/ombria-train-subset" --bands B11,B8,B3 --label-codes binary255 --size 256
info_options=()
run_scene ammersee "$data/ammersee-l2a" "$data/ammersee-l2a" --max-invalid 0.9
info_options=(--bands B4,B3,B2)
run_scene betsiboka "$data/betsiboka-rgb/betsiboka_b123.tif" \
    "$data/betsiboka-rgb/betsiboka_b123.tif" --bands B4,B3,B2

echo
echo "demo summary (outputs in $out):"
for line in "${summary[@]}"; do
    echo "  $line"
done
