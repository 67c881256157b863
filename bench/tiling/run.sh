#!/usr/bin/env bash
# Tiling benchmark: `shoreline tile` against gdal_translate and a plain
# rasterio tiler, all measured in this run on the same input. gdal_translate
# copies the scene once into a tiled GeoTIFF, which is the floor for any
# tiler. All three write DEFLATE at GDAL's default level, because that is
# what `shoreline tile` writes by default.
#
# Usage: bench/tiling/run.sh [WORKDIR]   (default /tmp/bench-tiling)
# Needs about 12 GB of free disk in WORKDIR. WORKERS sets `shoreline tile
# --workers` (default: the number of cores); gdal_translate and the
# rasterio tiler run as their plain single-threaded selves. Ends with the line
#   tiling: peak_rss_mb=N rss_ratio_small=R gdal_ratio=R rasterio_ratio=R
# where the two speed ratios are the other tool's wall time over Shoreline's
# (above 1 means Shoreline is faster) for the slowest of the three inputs, and
# rss_ratio_small is the peak RSS of the full scene over that of a scene 4 x
# smaller. The table before it also gives CPU seconds (user + system), which
# other jobs on the machine disturb less than wall time.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/bench-tiling}
data=${SHORELINE_DATA:-../shared/data}
chip=$data/sen1floods11/Spain_7370579_S2Hand.tif
chip_label=$data/sen1floods11/Spain_7370579_LabelHand.tif
shoreline=.build/release/shoreline
workers=${WORKERS:-$(nproc)}
mkdir -p "$work"

swift build -c release --product shoreline >&2
python3 -c "import rasterio" 2>/dev/null || pip install -q rasterio >&2

# The scenes: a full MGRS tile (10980 px) and one 4 x smaller in area.
python3 bench/tiling/make_scene.py "$chip" "$chip_label" 10980 "$work/full" >&2
python3 bench/tiling/make_scene.py "$chip" "$chip_label" 5490 "$work/quarter" >&2

# Runs a command and prints "WALL_SECONDS CPU_SECONDS PEAK_RSS_MB" (GNU
# time's wall clock, user + system time and maximum RSS).
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; cat "$log" >&2; exit 1; }
    awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$log"
    rm -f "$log"
}

# The 1-minute load average, to show what else ran on the machine.
load() { cut -d' ' -f1 /proc/loadavg; }

report=$work/report.tsv
printf "input\ttool\tseconds\tcpu_seconds\tpeak_rss_mb\tload_before\n" > "$report"
for input in deflate raw strip; do
    scene=$work/full/scene_$input.tif
    sync; cat "$scene" "$work/full/label.tif" > /dev/null   # the same warm page cache for every tool

    rm -rf "$work/out"
    before=$(load)
    read -r seconds cpu rss < <(measure gdal_translate -q -of GTiff -co TILED=YES -co COMPRESS=DEFLATE -co BIGTIFF=YES "$scene" "$work/gdal_copy.tif")
    printf "%s\tgdal_translate\t%s\t%s\t%s\t%s\n" "$input" "$seconds" "$cpu" "$rss" "$before" >> "$report"
    rm -f "$work/gdal_copy.tif"

    before=$(load)
    read -r seconds cpu rss < <(measure python3 bench/tiling/rasterio_tiler.py "$scene" "$work/full/label.tif" "$work/out")
    printf "%s\trasterio\t%s\t%s\t%s\t%s\n" "$input" "$seconds" "$cpu" "$rss" "$before" >> "$report"
    rm -rf "$work/out"

    before=$(load)
    read -r seconds cpu rss < <(measure "$shoreline" tile "$scene" --labels "$work/full/label.tif" --label-codes sen1floods11 --output "$work/out" --max-invalid 1 --workers "$workers")
    printf "%s\tshoreline\t%s\t%s\t%s\t%s\n" "$input" "$seconds" "$cpu" "$rss" "$before" >> "$report"
    rm -rf "$work/out"
done

read -r _ _ small_rss < <(measure "$shoreline" tile "$work/quarter/scene_deflate.tif" --labels "$work/quarter/label.tif" --label-codes sen1floods11 --output "$work/out" --max-invalid 1 --workers "$workers")
rm -rf "$work/out"

echo "shoreline tile --workers $workers; quarter scene peak RSS ${small_rss} MB" >&2
column -t -s $'\t' "$report" >&2
awk -v small_rss="$small_rss" -F'\t' '
    NR > 1 {
        time[$1, $2] = $3; cpu[$1, $2] = $4
        if ($2 == "shoreline" && $5 > peak) peak = $5
        if ($2 == "shoreline" && $1 == "deflate") full_rss = $5
    }
    END {
        # The weakest input decides each ratio.
        gdal = 1e9; rio = 1e9; gdal_cpu = 1e9; rio_cpu = 1e9
        split("deflate raw strip", inputs, " ")
        for (i = 1; i <= 3; i++) {
            g = time[inputs[i], "gdal_translate"] / time[inputs[i], "shoreline"]; if (g < gdal) gdal = g
            r = time[inputs[i], "rasterio"] / time[inputs[i], "shoreline"]; if (r < rio) rio = r
            g = cpu[inputs[i], "gdal_translate"] / cpu[inputs[i], "shoreline"]; if (g < gdal_cpu) gdal_cpu = g
            r = cpu[inputs[i], "rasterio"] / cpu[inputs[i], "shoreline"]; if (r < rio_cpu) rio_cpu = r
        }
        printf "cpu-time ratios: gdal_ratio=%.2f rasterio_ratio=%.2f\n", gdal_cpu, rio_cpu > "/dev/stderr"
        printf "tiling: peak_rss_mb=%d rss_ratio_small=%.2f gdal_ratio=%.2f rasterio_ratio=%.2f\n", peak, full_rss / small_rss, gdal, rio
    }' "$report"
