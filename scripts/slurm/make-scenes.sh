#!/usr/bin/env bash
# Builds a set of 12 scenes of different sizes from the real Sen1Floods11 chip,
# by repeating it in mosaics and cropping windows out of them, for tests that
# need many scenes (the Slurm integration test splits them into shards).
#
# Usage: scripts/slurm/make-scenes.sh DATA OUT
#   DATA  the real data folder (the one holding sen1floods11/)
#   OUT   an empty or missing folder; receives OUT/S2/<scene>.tif (13 bands,
#         Int16, nodata 0) and, for 8 of the 12 scenes, OUT/gt/<scene>.tif
#         (1 band, Int16, Sen1Floods11 codes: -1 invalid, 0 land, 1 water)
#
# Each repeated copy of the chip gets its own place on the map (the chip's
# georeferencing shifted by whole chip widths), so every scene is a valid,
# georeferenced raster whose label matches it pixel for pixel. Only GDAL's
# command-line tools are used, and the output is the same on every run.
set -euo pipefail

data=${1:?usage: scripts/slurm/make-scenes.sh DATA OUT}
out=${2:?usage: scripts/slurm/make-scenes.sh DATA OUT}
chip_image="$data/sen1floods11/Spain_7370579_S2Hand.tif"
chip_label="$data/sen1floods11/Spain_7370579_LabelHand.tif"

for file in "$chip_image" "$chip_label"; do
    if [ ! -f "$file" ]; then
        echo "error: chip '$file' not found; pass the real data folder as DATA" >&2
        exit 1
    fi
done
for command in gdalinfo gdal_translate gdalbuildvrt; do
    command -v "$command" >/dev/null || {
        echo "error: '$command' not found; install gdal-bin" >&2
        exit 1
    }
done
if [ -d "$out/S2" ] && [ -n "$(ls -A "$out/S2")" ]; then
    echo "error: output folder '$out/S2' is not empty; pass a new folder" >&2
    exit 1
fi

work="$out/.work"
mkdir -p "$out/S2" "$out/gt" "$work"
quiet=(-q)

# The chip's size and georeferencing, from gdalinfo's "Size is W, H",
# "Origin = (x,y)" and "Pixel Size = (dx,dy)" lines.
info=$(gdalinfo -nomd -norat -noct "$chip_image")
read -r chip_width chip_height < <(sed -n 's/^Size is \([0-9]*\), \([0-9]*\)$/\1 \2/p' <<<"$info")
read -r origin_x origin_y < <(sed -n 's/^Origin = (\(.*\),\(.*\))$/\1 \2/p' <<<"$info")
read -r pixel_width pixel_height < <(sed -n 's/^Pixel Size = (\(.*\),\(.*\))$/\1 \2/p' <<<"$info")
if [ -z "${chip_width:-}" ] || [ -z "${origin_x:-}" ] || [ -z "${pixel_width:-}" ]; then
    echo "error: chip '$chip_image' has no size, origin or pixel size in gdalinfo's output; check that it is a georeferenced raster" >&2
    exit 1
fi

# Writes copies of the chip image and label for every cell of a grid of
# $1 columns by $2 rows, each copy placed one chip further east or south,
# and joins them into two mosaics named $3.vrt and $3_label.vrt.
make_mosaic() {
    local columns=$1 rows=$2 name=$3
    local images=() labels=()
    local row column
    for ((row = 0; row < rows; row++)); do
        for ((column = 0; column < columns; column++)); do
            local bounds
            bounds=$(awk -v x="$origin_x" -v y="$origin_y" -v dx="$pixel_width" -v dy="$pixel_height" \
                -v w="$chip_width" -v h="$chip_height" -v c="$column" -v r="$row" \
                'BEGIN { printf "%.15f %.15f %.15f %.15f", x + c*w*dx, y + r*h*dy, x + (c+1)*w*dx, y + (r+1)*h*dy }')
            # shellcheck disable=SC2086 # bounds is four numbers.
            gdal_translate "${quiet[@]}" -of VRT -a_ullr $bounds "$chip_image" "$work/${name}_${row}_${column}.vrt"
            # shellcheck disable=SC2086
            gdal_translate "${quiet[@]}" -of VRT -a_ullr $bounds "$chip_label" "$work/${name}_${row}_${column}_label.vrt"
            images+=("$work/${name}_${row}_${column}.vrt")
            labels+=("$work/${name}_${row}_${column}_label.vrt")
        done
    done
    gdalbuildvrt "${quiet[@]}" "$work/$name.vrt" "${images[@]}"
    gdalbuildvrt "${quiet[@]}" "$work/${name}_label.vrt" "${labels[@]}"
}

# Crops the window (column offset $3, row offset $4, width $5, height $6) of
# mosaic $2 into scene $1, with its label unless $7 is "unlabelled". Odd-
# numbered scenes are written with internal tiles, even-numbered with strips,
# so both GeoTIFF layouts are read.
make_scene() {
    local scene=$1 mosaic=$2 column=$3 row=$4 width=$5 height=$6 labelled=${7:-labelled}
    local layout=(-co COMPRESS=DEFLATE)
    if [ $((10#${scene#scene_} % 2)) -eq 1 ]; then
        layout+=(-co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256)
    fi
    gdal_translate "${quiet[@]}" "${layout[@]}" -srcwin "$column" "$row" "$width" "$height" \
        "$work/$mosaic.vrt" "$out/S2/$scene.tif"
    if [ "$labelled" = labelled ]; then
        gdal_translate "${quiet[@]}" -co COMPRESS=DEFLATE -srcwin "$column" "$row" "$width" "$height" \
            "$work/${mosaic}_label.vrt" "$out/gt/$scene.tif"
    fi
}

make_mosaic 1 1 single
make_mosaic 2 1 wide
make_mosaic 1 2 tall
make_mosaic 3 2 large

# Scene sizes cover one tile, tile edges (511, 513), non-square, tiny and
# multi-tile scenes; four scenes have no label.
make_scene scene_01 single 0 0 512 512
make_scene scene_02 wide 0 0 1024 512
make_scene scene_03 tall 0 0 512 1024
make_scene scene_04 large 0 0 1024 1024
make_scene scene_05 large 100 200 700 300 unlabelled
make_scene scene_06 single 200 150 37 53
make_scene scene_07 tall 1 1 513 511
make_scene scene_08 large 150 100 1300 900
make_scene scene_09 single 128 128 256 256 unlabelled
make_scene scene_10 large 700 0 600 1024
make_scene scene_11 wide 300 100 600 300 unlabelled
make_scene scene_12 tall 100 0 200 1000 unlabelled

rm -rf "$work"
echo "scenes: $(find "$out/S2" -name '*.tif' | wc -l) written to '$out/S2', $(find "$out/gt" -name '*.tif' | wc -l) labels to '$out/gt'" >&2
