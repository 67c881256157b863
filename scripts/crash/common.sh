# Shared helpers of the crash scripts; source it, do not run it.
# Needs bash, GDAL's command-line tools (gdal_translate) and cmp.

set -uo pipefail

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
passed=0
failed=0

# Records one check: pass NAME when the last command succeeded, else fail.
check() {
    local status=$? name=$1
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
    fi
}

# Prints the summary line and exits non-zero on any failure.
finish() {
    echo "$passed passed, $failed failed"
    [ $failed -eq 0 ]
    exit $?
}

# Builds shoreline (debug unless SHORELINE is set) and sets $shoreline.
build_shoreline() {
    if [ -n "${SHORELINE:-}" ]; then
        shoreline=$SHORELINE
        return
    fi
    (cd "$repository" && swift build --product shoreline >/dev/null) || { echo "error: swift build failed" >&2; exit 1; }
    shoreline="$(cd "$repository" && swift build --show-bin-path)/shoreline"
}

# Writes scenes with random samples and their WorldFloods labels into a
# folder: FOLDER/S2/scene<i>.tif (3 bands, UInt16) and FOLDER/gt/scene<i>.tif.
# Usage: make_scenes FOLDER COUNT WIDTH HEIGHT
make_scenes() {
    local folder=$1 count=$2 width=$3 height=$4 index
    mkdir -p "$folder/S2" "$folder/gt" "$folder/raw"
    for index in $(seq 0 $((count - 1))); do
        local raw=$folder/raw/scene$index
        head -c $((width * height * 3 * 2)) /dev/urandom >"$raw.bin"
        head -c $((width * height)) /dev/urandom >"$raw.label.bin"
        raw_vrt "$raw.bin" "$raw.vrt" "$width" "$height" 3 UInt16
        raw_vrt "$raw.label.bin" "$raw.label.vrt" "$width" "$height" 1 Byte
        # Random UInt16 samples are almost never 0 in all bands, so every
        # pixel is valid; labels are scaled from 0..255 onto the codes 0..3.
        gdal_translate -q -a_srs EPSG:32632 -a_ullr 600000 5000000 $((600000 + 20 * width)) $((5000000 - 20 * height)) \
            -co TILED=YES -co COMPRESS=DEFLATE "$raw.vrt" "$folder/S2/scene$index.tif"
        gdal_translate -q -a_srs EPSG:32632 -a_ullr 600000 5000000 $((600000 + 20 * width)) $((5000000 - 20 * height)) \
            -scale 0 255 0 3 -ot Byte "$raw.label.vrt" "$folder/gt/scene$index.tif"
    done
    rm -rf "$folder/raw"
}

# Writes a VRT that reads a raw band-sequential file.
# Usage: raw_vrt RAW VRT WIDTH HEIGHT BANDS TYPE
raw_vrt() {
    local raw=$1 vrt=$2 width=$3 height=$4 bands=$5 type=$6 size band
    size=$([ "$type" = UInt16 ] && echo 2 || echo 1)
    {
        echo "<VRTDataset rasterXSize=\"$width\" rasterYSize=\"$height\">"
        for band in $(seq 1 "$bands"); do
            echo "  <VRTRasterBand dataType=\"$type\" band=\"$band\" subClass=\"VRTRawRasterBand\">"
            echo "    <SourceFilename relativeToVRT=\"0\">$raw</SourceFilename>"
            echo "    <ImageOffset>$(((band - 1) * width * height * size))</ImageOffset>"
            echo "    <PixelOffset>$size</PixelOffset><LineOffset>$((width * size))</LineOffset><ByteOrder>LSB</ByteOrder>"
            echo "  </VRTRasterBand>"
        done
        echo "</VRTDataset>"
    } >"$vrt"
}

# Lists the files of a tile folder that carry a final name: no hidden
# partial files and no lock files.
final_files() {
    (cd "$1" && find . -type f ! -name '.*' | sort)
}

# Succeeds when every final-named file in OUTPUT is byte-identical to the
# file of the same name in REFERENCE, so nothing partial or wrong sits
# under a final name. With "complete", OUTPUT must also hold every file.
# Usage: same_as_reference OUTPUT REFERENCE [complete]
same_as_reference() {
    local output=$1 reference=$2 mode=${3:-} file
    [ -d "$output" ] || { [ "$mode" != complete ]; return; }
    while read -r file; do
        cmp -s "$output/$file" "$reference/$file" || { echo "  differs or unexpected: $file" >&2; return 1; }
    done < <(final_files "$output")
    if [ "$mode" = complete ]; then
        diff <(final_files "$output") <(final_files "$reference") >&2 || return 1
    fi
}

# Sleeps a random number of milliseconds in [0, MAX).
sleep_random_ms() {
    local milliseconds=$((RANDOM * 32768 + RANDOM))
    milliseconds=$((milliseconds % $1))
    sleep "$(printf '%d.%03d' $((milliseconds / 1000)) $((milliseconds % 1000)))"
}

# Prints the milliseconds since the epoch.
now_ms() {
    date +%s%3N
}
