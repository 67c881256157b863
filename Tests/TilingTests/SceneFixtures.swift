import Foundation
import GeoRaster

/// Small scenes and labels that tiling tests write into a scratch folder.
enum SceneFixtures {
    /// A north-up transform with 10 m pixels and its origin at (500000, 4000000).
    static let transform = GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_000_000, pixelHeight: -10)

    static let utm31 = SpatialReference(epsg: 32631)!

    /// Writes a GeoTIFF whose sample at `(band, row, column)` is `value(band, row, column)`.
    @discardableResult
    static func write<Sample: RasterSample>(
        _ path: URL, width: Int, height: Int, bandNames: [String], nodata: Double? = nil,
        transform: GeoTransform? = SceneFixtures.transform, crs: SpatialReference? = SceneFixtures.utm31,
        value: (Int, Int, Int) -> Sample
    ) throws -> URL {
        var samples: [Sample] = []
        samples.reserveCapacity(bandNames.count * width * height)
        for band in bandNames.indices {
            for row in 0..<height {
                for column in 0..<width { samples.append(value(band, row, column)) }
            }
        }
        try RasterWriter.write(samples: samples, width: width, height: height, bandNames: bandNames,
                               georeference: Georeference(geoTransform: transform, spatialReference: crs),
                               nodata: nodata, to: path.path)
        return path
    }

    /// Writes a scene of two bands (B3, B8) whose samples are all 1000 + band.
    @discardableResult
    static func scene(_ path: URL, width: Int, height: Int, transform: GeoTransform? = SceneFixtures.transform) throws -> URL {
        try write(path, width: width, height: height, bandNames: ["B3", "B8"], transform: transform) { band, _, _ in
            UInt16(1000 + band)
        }
    }

    /// Writes a Sen1Floods11-style label: -1 no data, 0 land, 1 water, by `code(row, column)`.
    @discardableResult
    static func label(_ path: URL, width: Int, height: Int, transform: GeoTransform? = SceneFixtures.transform,
                      crs: SpatialReference? = SceneFixtures.utm31, code: (Int, Int) -> Int16) throws -> URL {
        try write(path, width: width, height: height, bandNames: [""], transform: transform, crs: crs) { _, row, column in
            code(row, column)
        }
    }
}
