#!/usr/bin/env bash
# Tiling benchmark: `shoreline tile` against gdal_translate (the floor: one
# copy of the scene into a tiled GeoTIFF with the same compression) and
# against a plain rasterio tiler, all measured in this run on the same input.
#
# Usage: bench/tiling/run.sh [WORKDIR]   (default /tmp/bench-tiling)
# Needs about 12 GB of free disk in WORKDIR. Ends with the line
#   tiling: peak_rss_mb=N rss_ratio_small=R gdal_ratio=R rasterio_ratio=R
# where the two speed ratios are the other tool's time over Shoreline's
# (above 1 means Shoreline is faster) and rss_ratio_small is the peak RSS of
# the full scene over that of a scene 4 x smaller.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/bench-tiling}
data=${SHORELINE_DATA:-../shared/data}
chip=$data/sen1floods11/Spain_7370579_S2Hand.tif
chip_label=$data/sen1floods11/Spain_7370579_LabelHand.tif
shoreline=.build/release/shoreline
mkdir -p "$work"

swift build -c release --product shoreline >&2
python3 -c "import rasterio" 2>/dev/null || pip install -q rasterio >&2

# The scenes: a full MGRS tile (10980 px) and one 4 x smaller in area.
python3 bench/tiling/make_scene.py "$chip" "$chip_label" 10980 "$work/full" >&2
python3 bench/tiling/make_scene.py "$chip" "$chip_label" 5490 "$work/quarter" >&2

# Runs a command, prints "SECONDS PEAK_RSS_MB" (GNU time's wall clock and max RSS).
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; cat "$log" >&2; exit 1; }
    awk '{ printf "%s %d\n", $1, $2 / 1024 }' "$log"
    rm -f "$log"
}

report=$work/report.tsv
printf "input\ttool\tseconds\tpeak_rss_mb\n" > "$report"
for input in deflate raw strip; do
    scene=$work/full/scene_$input.tif
    compress=DEFLATE
    [ "$input" = deflate ] || compress=NONE
    sync; cat "$scene" "$work/full/label.tif" > /dev/null   # the same warm page cache for every tool

    rm -rf "$work/out"
    read -r seconds rss < <(measure gdal_translate -q -of GTiff -co TILED=YES -co COMPRESS=$compress -co BIGTIFF=YES "$scene" "$work/gdal_copy.tif")
    printf "%s\tgdal_translate\t%s\t%s\n" "$input" "$seconds" "$rss" >> "$report"
    rm -f "$work/gdal_copy.tif"

    read -r seconds rss < <(measure python3 bench/tiling/rasterio_tiler.py "$scene" "$work/full/label.tif" "$work/out")
    printf "%s\trasterio\t%s\t%s\n" "$input" "$seconds" "$rss" >> "$report"
    rm -rf "$work/out"

    read -r seconds rss < <(measure "$shoreline" tile "$scene" --labels "$work/full/label.tif" --label-codes sen1floods11 --output "$work/out" --max-invalid 1)
    printf "%s\tshoreline\t%s\t%s\n" "$input" "$seconds" "$rss" >> "$report"
    rm -rf "$work/out"
done

read -r _ small_rss < <(measure "$shoreline" tile "$work/quarter/scene_deflate.tif" --labels "$work/quarter/label.tif" --label-codes sen1floods11 --output "$work/out" --max-invalid 1)
rm -rf "$work/out"

column -t -s $'\t' "$report" >&2
awk -v small_rss="$small_rss" -F'\t' '
    NR > 1 { time[$1, $2] = $3; if ($2 == "shoreline" && $4 > peak) peak = $4; if ($2 == "shoreline" && $1 == "deflate") full_rss = $4 }
    END {
        # The weakest input decides each ratio.
        gdal = 1e9; rio = 1e9
        split("deflate raw strip", inputs, " ")
        for (i = 1; i <= 3; i++) {
            g = time[inputs[i], "gdal_translate"] / time[inputs[i], "shoreline"]; if (g < gdal) gdal = g
            r = time[inputs[i], "rasterio"] / time[inputs[i], "shoreline"]; if (r < rio) rio = r
        }
        printf "tiling: peak_rss_mb=%d rss_ratio_small=%.2f gdal_ratio=%.2f rasterio_ratio=%.2f\n", peak, full_rss / small_rss, gdal, rio
    }' "$report"
