import GeoRaster

/// The spectral evidence of a scene that label-free naming and the index
/// baselines use: a water index and a brightness, per pixel.
///
/// The water index is MNDWI when the scene has B3 and B11, else NDWI when it
/// has B3 and B8. Brightness is the mean reflectance of the visible bands
/// B2, B3 and B4 that the scene has (at least B3).
public struct SceneSpectra: Sendable {
    /// The index used.
    public let waterIndex: WaterIndex
    /// The visible bands averaged for brightness.
    public let brightnessBands: [String]

    /// Chooses the index and brightness bands from the scene's band names.
    /// - Throws: `EvaluationError.missingBands` when the scene lacks B3, or
    ///   both B8 and B11.
    public init(bandNames: [String], scene: String) throws {
        guard bandNames.contains("B3") else {
            throw EvaluationError.missingBands(scene: scene, bands: bandNames, needed: "B3 with B11 or B8")
        }
        if bandNames.contains("B11") {
            waterIndex = .mndwi
        } else if bandNames.contains("B8") {
            waterIndex = .ndwi
        } else {
            throw EvaluationError.missingBands(scene: scene, bands: bandNames, needed: "B3 with B11 or B8")
        }
        brightnessBands = ["B2", "B3", "B4"].filter(bandNames.contains)
    }

    /// The bands read per strip: the index's two, then the brightness bands
    /// not already among them.
    var bandsRead: [String] {
        let (green, infrared) = waterIndex.bandNames
        return [green, infrared] + brightnessBands.filter { $0 != green && $0 != infrared }
    }

    /// Reads a window and returns its water index and brightness.
    func read(_ dataset: Dataset, window: Window, scale: ReflectanceScale?) throws -> (index: MaskedValues, brightness: [Float]) {
        measure(try dataset.readReflectance(bands: bandsRead, window: window, scale: scale))
    }

    /// Returns the water index and brightness of a reflectance block that
    /// holds at least the bands of `bandsRead`.
    func measure(_ block: RasterBlock<Float>) -> (index: MaskedValues, brightness: [Float]) {
        let pixelCount = block.window.pixelCount
        func band(_ name: String) -> [Float] {
            guard let position = block.bandNames.firstIndex(of: name) else {
                preconditionFailure("the block holds \(block.bandNames), not \(name)")
            }
            return Array(block.samples[(position * pixelCount)..<((position + 1) * pixelCount)])
        }
        let (green, infrared) = waterIndex.bandNames
        let index = waterIndex.compute(green: band(green), infrared: band(infrared), validity: block.validity)
        let brightness = LabelFreeNaming.brightness(of: brightnessBands.map(band), validity: block.validity)
        return (index, brightness)
    }
}

extension ClusterMapping {
    /// Returns the water mask of a cluster-id buffer: `WaterMaskValue.water`
    /// for clusters mapped to water, `notWater` for the other clusters, and
    /// `invalid` where the cluster id is invalid.
    public func waterMask(_ clusters: [UInt8]) -> [UInt8] {
        let lookup = (0..<256).map { value -> UInt8 in
            guard value < clusterCount, UInt8(value) != ClusterIDs.invalid else { return WaterMaskValue.invalid }
            return classes[value] == .water ? WaterMaskValue.water : WaterMaskValue.notWater
        }
        return clusters.map { lookup[Int($0)] }
    }
}
