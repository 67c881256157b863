import GeoRaster

/// Pictures of a scene and its water mask, at most `maximumSide` pixels a
/// side, read a row at a time so a large scene never sits in memory.
public enum SceneQuicklook {
    /// The colour water is painted with in overlays (RGB).
    public static let waterColour: (red: Float, green: Float, blue: Float) = (0, 140, 255)
    /// The opacity of the water colour over the quicklook, 0 to 1.
    public static let waterOpacity: Float = 0.6

    /// Returns the bands shown: B4, B3, B2 (true colour) when the scene has
    /// them, else its first three bands (false colour, such as OMBRIA's
    /// B11, B8, B3), else its first band three times.
    public static func displayBands(_ bandNames: [String]) -> [String] {
        if ["B4", "B3", "B2"].allSatisfy(bandNames.contains) { return ["B4", "B3", "B2"] }
        if bandNames.count >= 3 { return Array(bandNames.prefix(3)) }
        return Array(repeating: bandNames[0], count: 3)
    }

    /// Writes the quicklook PNG and, when `water` is given, the overlay PNG
    /// (the quicklook with water painted in `waterColour`).
    ///
    /// - Parameters:
    ///   - water: `WaterMaskValue` per pixel of the scene, or nil.
    ///   - maximumSide: the longest side of the pictures; a larger scene is
    ///     subsampled by taking every n-th pixel (nearest neighbour).
    /// - Throws: `GeoRasterError` for failed reads or writes.
    public static func write(_ dataset: Dataset, water: [UInt8]?, quicklookPath: String, overlayPath: String?,
                             maximumSide: Int = 1024) throws {
        if let water {
            precondition(water.count == dataset.width * dataset.height,
                         "the water mask has \(water.count) pixels but the scene is \(dataset.width) x \(dataset.height)")
        }
        let step = max(1, (max(dataset.width, dataset.height) + maximumSide - 1) / maximumSide)
        let width = (dataset.width + step - 1) / step
        let height = (dataset.height + step - 1) / step
        let bands = displayBands(dataset.bandNames)

        // Every step-th pixel of every step-th row, band-sequential.
        var samples = [Float](repeating: 0, count: 3 * width * height)
        var validity = [Bool](repeating: false, count: width * height)
        for row in 0..<height {
            let line = try dataset.read(bands: bands, window: Window(columnOffset: 0, rowOffset: row * step, width: dataset.width, height: 1), as: Float.self)
            for column in 0..<width {
                let source = column * step
                validity[row * width + column] = line.validity[source]
                for band in 0..<3 {
                    samples[band * width * height + row * width + column] = line.samples[band * dataset.width + source]
                }
            }
        }
        let block = RasterBlock(window: Window(columnOffset: 0, rowOffset: 0, width: width, height: height),
                                bandNames: bands, samples: samples, validity: validity)
        var rgb = Quicklook.rgb(block)
        try RasterWriter.writePNG(rgb: rgb, width: width, height: height, to: quicklookPath)

        guard let water, let overlayPath else { return }
        let colour = [waterColour.red, waterColour.green, waterColour.blue]
        for row in 0..<height {
            for column in 0..<width where water[row * step * dataset.width + column * step] == WaterMaskValue.water {
                for channel in 0..<3 {
                    let index = (row * width + column) * 3 + channel
                    rgb[index] = UInt8((Float(rgb[index]) * (1 - waterOpacity) + colour[channel] * waterOpacity).rounded())
                }
            }
        }
        try RasterWriter.writePNG(rgb: rgb, width: width, height: height, to: overlayPath)
    }
}
