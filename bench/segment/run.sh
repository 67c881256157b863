#!/usr/bin/env bash
# Segmentation benchmark: `shoreline segment` on a Sentinel-2-sized scene
# against PyTorch inference of the same network over the same windows, both
# measured in this run with the same thread count.
#
# Usage: bench/segment/run.sh [WORKDIR]   (default /tmp/bench-segment)
# SIZE sets the scene side in pixels (default 10980, a full MGRS tile). The
# scene repeats a real Sen1Floods11 chip (bench/tiling/make_scene.py), unless
# SCENE names an existing 13-band scene. THREADS sets the compute threads of
# both sides (default: the number of cores). The model is an IIC run trained
# for a few steps, because its weights do not change the time of a forward pass,
# with the 3x3 trunk of the IIC paper (the default per-pixel trunk costs less).
# Ends with the line
#   segment: mpx_per_s=N infer_ratio=R peak_rss_mb=N
# where mpx_per_s is scene megapixels per second of the whole `segment`
# command (read, normalise, forward, write the masks and quicklooks), and
# infer_ratio is that command's time over PyTorch's forward passes alone
# (below 1 means Shoreline is faster).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/bench-segment}
data=${SHORELINE_DATA:-../shared/data}
chip=$data/sen1floods11/Spain_7370579_S2Hand.tif
chip_label=$data/sen1floods11/Spain_7370579_LabelHand.tif
size=${SIZE:-10980}
threads=${THREADS:-$(nproc)}
shoreline=.build/release/shoreline
mkdir -p "$work"

swift build -c release --product shoreline >&2
python3 -c "import torch, safetensors" 2>/dev/null \
    || pip install -q /opt/wheels/torch-2.13.0+cpu*.whl safetensors >&2

# The scene and a model.
scene=${SCENE:-}
if [ -z "$scene" ]; then
    python3 bench/tiling/make_scene.py "$chip" "$chip_label" "$size" "$work/scene-$size" >&2
    scene=$work/scene-$size/scene_deflate.tif
fi
read -r width height < <(python3 -c "import rasterio, sys; d = rasterio.open(sys.argv[1]); print(d.width, d.height)" "$scene")
if [ ! -f "$work/run/checkpoints/final.safetensors" ]; then
    rm -rf "$work/run"
    "$shoreline" train --method iic --kernel-size 3 --input "$chip" --output "$work/run" --steps 2 --batch 2 --crop 64 --threads 1 >&2
fi

# Shoreline: the whole command, with GNU time's wall clock, CPU and peak RSS.
rm -rf "$work/out"
sync; cat "$scene" > /dev/null
log=$(mktemp)
/usr/bin/time -f "%e %U %S %M" -o "$log" "$shoreline" segment --model "$work/run" --output "$work/out" \
    --threads "$threads" "$scene" >/dev/null 2>"$work/segment.err" \
    || { echo "failed: shoreline segment" >&2; cat "$work/segment.err" "$log" >&2; exit 1; }
read -r seconds user system rss_kb < "$log"
rm -f "$log"

# PyTorch: the forward passes of the same windows.
torch_json=$(python3 bench/segment/pytorch_segment.py --run "$work/run" --width "$width" --height "$height" --threads "$threads")
read -r torch_seconds torch_cpu < <(python3 -c "import json, sys; r = json.loads(sys.argv[1]); print(r['seconds'], r['cpu_seconds'])" "$torch_json")
cpu=$(echo "$user + $system" | bc)

{
    echo "scene: $scene ($width x $height), threads $threads, load before PyTorch $(cut -d' ' -f1 /proc/loadavg)"
    printf "shoreline segment: %s s wall, %.1f s CPU, %d MB peak RSS\n" "$seconds" "$cpu" $((rss_kb / 1024))
    printf "pytorch forward:   %.2f s wall, %.1f s CPU (%s)\n" "$torch_seconds" "$torch_cpu" "$torch_json"
    printf "cpu-time ratio: infer_ratio=%.2f\n" "$(echo "$cpu / $torch_cpu" | bc -l)"
} >&2
python3 - "$width" "$height" "$seconds" "$torch_seconds" "$rss_kb" <<'PYTHON'
import sys
width, height, seconds, torch_seconds, rss_kb = (float(value) for value in sys.argv[1:])
megapixels = width * height / 1e6
print(f"segment: mpx_per_s={megapixels / seconds:.3f} infer_ratio={seconds / torch_seconds:.2f} peak_rss_mb={int(rss_kb / 1024)}")
PYTHON
