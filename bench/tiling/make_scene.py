#!/usr/bin/env python3
"""Build a large benchmark scene and its label by repeating a real chip.

Writes a VRT that tiles the chip (and its label) in a grid, then
gdal_translate turns it into GeoTIFFs of the requested size, data type and
layout. The georeferencing keeps the chip's origin and pixel size.

Usage: make_scene.py CHIP LABEL SIZE OUTDIR
Writes OUTDIR/scene_deflate.tif (tiled, DEFLATE), scene_raw.tif (tiled,
uncompressed), scene_strip.tif (stripped, uncompressed) and label.tif.
"""
import math
import os
import subprocess
import sys

import rasterio


def write_repeat_vrt(source: str, size: int, path: str, data_type: str) -> None:
    """Write a VRT of size x size pixels that repeats `source` in a grid."""
    with rasterio.open(source) as chip:
        width, height, count = chip.width, chip.height, chip.count
        transform = chip.transform
        crs_wkt = chip.crs.to_wkt()
        nodata = chip.nodata
    repeats = math.ceil(size / width), math.ceil(size / height)
    geotransform = f"{transform.c}, {transform.a}, {transform.b}, {transform.f}, {transform.d}, {transform.e}"
    lines = [f'<VRTDataset rasterXSize="{size}" rasterYSize="{size}">',
             f"  <SRS>{crs_wkt.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</SRS>",
             f"  <GeoTransform>{geotransform}</GeoTransform>"]
    for band in range(1, count + 1):
        lines.append(f'  <VRTRasterBand dataType="{data_type}" band="{band}">')
        if nodata is not None:
            lines.append(f"    <NoDataValue>{nodata}</NoDataValue>")
        for row in range(repeats[1]):
            for column in range(repeats[0]):
                lines += [
                    "    <SimpleSource>",
                    f'      <SourceFilename relativeToVRT="0">{os.path.abspath(source)}</SourceFilename>',
                    f"      <SourceBand>{band}</SourceBand>",
                    f'      <SrcRect xOff="0" yOff="0" xSize="{width}" ySize="{height}"/>',
                    f'      <DstRect xOff="{column * width}" yOff="{row * height}" xSize="{width}" ySize="{height}"/>',
                    "    </SimpleSource>",
                ]
        lines.append("  </VRTRasterBand>")
    lines.append("</VRTDataset>")
    with open(path, "w") as file:
        file.write("\n".join(lines))


def translate(vrt: str, output: str, options: list[str]) -> None:
    if os.path.exists(output):
        return
    temporary = output + ".part"
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", *options, vrt, temporary], check=True)
    os.replace(temporary, output)


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit("usage: make_scene.py CHIP LABEL SIZE OUTDIR")
    chip, label, size, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    scene_vrt = os.path.join(out, "scene.vrt")
    label_vrt = os.path.join(out, "label.vrt")
    write_repeat_vrt(chip, size, scene_vrt, "UInt16")
    write_repeat_vrt(label, size, label_vrt, "Int16")
    big = ["-co", "BIGTIFF=IF_SAFER", "-ot", "UInt16"]
    translate(scene_vrt, os.path.join(out, "scene_deflate.tif"),
              big + ["-co", "TILED=YES", "-co", "COMPRESS=DEFLATE"])
    translate(scene_vrt, os.path.join(out, "scene_raw.tif"), big + ["-co", "TILED=YES"])
    translate(scene_vrt, os.path.join(out, "scene_strip.tif"), big)
    translate(label_vrt, os.path.join(out, "label.tif"),
              ["-co", "TILED=YES", "-co", "COMPRESS=DEFLATE"])


if __name__ == "__main__":
    main()
