import Foundation
import GeoRaster
import TestSupport

/// The georeference every synthetic scene of these tests shares.
let sceneGeoreference = Georeference(
    geoTransform: GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_200_000, pixelHeight: -10),
    spatialReference: SpatialReference(epsg: 32630))

/// Writes a UInt16 scene of bands B2, B3, B4, B8, B11 (reflectance x 10000):
/// water (B3 0.08, B8 0.02, B11 0.01) where `isWater(row, column)`, land
/// (B3 0.07, B8 0.30, B11 0.25) elsewhere, and all-zero (invalid) where
/// `isInvalid(row, column)`.
@discardableResult
func writeWaterScene(_ url: URL, width: Int, height: Int, isWater: (Int, Int) -> Bool,
                     isInvalid: (Int, Int) -> Bool = { _, _ in false }) throws -> URL {
    let water: [UInt16] = [600, 800, 500, 200, 100]
    let land: [UInt16] = [500, 700, 600, 3000, 2500]
    var samples = [UInt16](repeating: 0, count: 5 * width * height)
    for row in 0..<height {
        for column in 0..<width where !isInvalid(row, column) {
            let values = isWater(row, column) ? water : land
            for band in 0..<5 { samples[band * width * height + row * width + column] = values[band] }
        }
    }
    try RasterWriter.write(samples: samples, width: width, height: height, bandNames: ["B2", "B3", "B4", "B8", "B11"],
                           georeference: sceneGeoreference, to: url.path)
    return url
}

/// Writes a one-band Int16 label in Sen1Floods11 codes (-1 invalid, 0 land, 1 water).
@discardableResult
func writeLabel(_ url: URL, width: Int, height: Int, code: (Int, Int) -> Int16) throws -> URL {
    var samples: [Int16] = []
    for row in 0..<height {
        for column in 0..<width { samples.append(code(row, column)) }
    }
    try RasterWriter.write(samples: samples, width: width, height: height, bandNames: ["label"],
                           georeference: sceneGeoreference, to: url.path)
    return url
}
