// Tiling: the tile grid, image/label pairing, label codes, the manifest,
// resume and sharding. Built on GeoRaster.
