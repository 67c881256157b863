import Foundation
import GeoRaster
import TestSupport

/// Small rasters that tests write into a scratch folder.
enum RasterFixtures {
    /// A north-up transform with 10 m pixels and its origin at (500000, 4000000).
    static let transform = GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_000_000, pixelHeight: -10)

    static let utm31 = SpatialReference(epsg: 32631)!

    /// Writes a GeoTIFF whose sample at `(band, row, column)` is `value(band, row, column)`.
    @discardableResult
    static func writeScene<Sample: RasterSample>(
        _ path: URL, width: Int, height: Int, bandNames: [String], nodata: Double? = nil,
        transform: GeoTransform? = RasterFixtures.transform, metadata: [String: String] = [:],
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
                               georeference: Georeference(geoTransform: transform, spatialReference: transform == nil ? nil : utm31),
                               nodata: nodata, metadata: metadata, to: path.path)
        return path
    }
}
