#!/usr/bin/env bash
# The main job on the real scenes in DATA, writing into OUT: `shoreline run`
# (tile, train, segment, baselines, scores, report) on the labelled
# Sen1Floods11 chip, and with `ombria` or `all` also on the OMBRIA subset.
# Prints each run's table; the reports are OUT/<data set>/report.md, or
# OUT/<data set>-infoseg/report.md with METHOD=infoseg.
# Usage: scripts/demo.sh DATA OUT [sen1floods11|ombria|all]   (run by `make demo`)
# METHOD chooses the clustering method (iic, the default, or infoseg).
set -euo pipefail
data=${1:?usage: scripts/demo.sh DATA OUT [sen1floods11|ombria|all]}
out=${2:?usage: scripts/demo.sh DATA OUT [sen1floods11|ombria|all]}
which=${3:-sen1floods11}
shoreline=${SHORELINE:-.build/release/shoreline}
threads=${THREADS:-1}
method=${METHOD:-iic}

if [ ! -d "$data" ]; then
    echo "error: data folder '$data' not found; pass DATA=/path/to/data" >&2
    exit 1
fi
if [ ! -x "$shoreline" ]; then
    echo "error: '$shoreline' not found; run 'swift build -c release' first" >&2
    exit 1
fi
case "$which" in
    sen1floods11|ombria|all) ;;
    *) echo "error: data set '$which' is unknown; use sen1floods11, ombria or all" >&2; exit 2 ;;
esac
case "$method" in
    iic) suffix= ;;
    infoseg) suffix=-infoseg ;;
    *) echo "error: method '$method' is unknown; use METHOD=iic or METHOD=infoseg" >&2; exit 2 ;;
esac
"$shoreline" --version

# A run folder must be new, so each demo starts from an empty one.
if [ "$which" != ombria ]; then
    rm -rf "$out/sen1floods11$suffix"
    echo "== Sen1Floods11 chip (Spain_7370579, 512 x 512 px, 13 bands), $method"
    "$shoreline" run "$data/sen1floods11/Spain_7370579_S2Hand.tif" \
        --labels "$data/sen1floods11/Spain_7370579_LabelHand.tif" --label-codes sen1floods11 \
        --method "$method" --threads "$threads" --output "$out/sen1floods11$suffix"
fi
if [ "$which" != sen1floods11 ]; then
    rm -rf "$out/ombria$suffix"
    echo "== OMBRIA subset (78 chips, 256 x 256 px, bands B11, B8, B3), $method"
    "$shoreline" run "$data/ombria-train-subset" --bands B11,B8,B3 --label-codes binary255 \
        --method "$method" --threads "$threads" --output "$out/ombria$suffix"
fi
