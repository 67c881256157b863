#!/usr/bin/env python3
"""A reference tiler with rasterio: windowed reads, one GeoTIFF per tile.

It does what `shoreline tile` does for one scene and its label, in the
plainest rasterio code: a ceil grid of 512 px tiles, boundless reads padded
with nodata, the shifted geotransform, DEFLATE tiles. It is the comparison
point for the tiling benchmark, not part of the product.

Usage: rasterio_tiler.py SCENE LABEL OUTDIR [SIZE]
"""
import math
import os
import sys

import numpy as np
import rasterio
from rasterio.windows import Window


def main() -> None:
    scene_path, label_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 512
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    os.makedirs(os.path.join(out, "labels"), exist_ok=True)
    with rasterio.open(scene_path) as scene, rasterio.open(label_path) as label:
        columns = math.ceil(scene.width / size)
        rows = math.ceil(scene.height / size)
        nodata = scene.nodata if scene.nodata is not None else 0
        profile = dict(driver="GTiff", width=size, height=size, count=scene.count,
                       dtype=scene.dtypes[0], crs=scene.crs, nodata=nodata,
                       tiled=True, blockxsize=256, blockysize=256, compress="deflate")
        label_profile = dict(profile, count=1, dtype="uint8", nodata=0)
        for row in range(rows):
            for column in range(columns):
                window = Window(column * size, row * size, size, size)
                transform = scene.window_transform(window)
                pixels = scene.read(window=window, boundless=True, fill_value=nodata)
                codes = label.read(1, window=window, boundless=True, fill_value=-1)
                classes = np.where(codes == 1, 2, np.where(codes == 0, 1, 0)).astype(np.uint8)
                name = f"r{row:04d}_c{column:04d}.tif"
                with rasterio.open(os.path.join(out, "images", name), "w",
                                   transform=transform, **profile) as tile:
                    tile.write(pixels)
                with rasterio.open(os.path.join(out, "labels", name), "w",
                                   transform=transform, **label_profile) as tile:
                    tile.write(classes, 1)


if __name__ == "__main__":
    main()
