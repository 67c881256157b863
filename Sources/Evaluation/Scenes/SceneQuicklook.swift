import GeoRaster

/// Pictures of a scene and its water mask, at most `maximumSide` pixels a
/// side, filled strip by strip so a large scene never sits in memory.
///
/// The pictures take every `step`-th pixel of every `step`-th row (nearest
/// neighbour). A strip is read whole, so a strip aligned to the file's
/// blocks decodes each block once.
public struct SceneQuicklook {
    /// The colour water is painted with in overlays (RGB).
    public static let waterColour: (red: Float, green: Float, blue: Float) = (0, 140, 255)
    /// The opacity of the water colour over the quicklook, 0 to 1.
    public static let waterOpacity: Float = 0.6

    public let dataset: Dataset
    /// The bands shown as red, green and blue.
    public let bands: [String]
    /// The scene pixels between two picture pixels, in each direction.
    public let step: Int
    /// The picture's side lengths in pixels.
    public let width: Int
    public let height: Int
    /// Band-sequential samples, shape `(3, height, width)`.
    private var samples: [Float]
    private var validity: [Bool]
    private var isWater: [Bool]

    /// Returns the bands shown: B4, B3, B2 (true colour) when the scene has
    /// them, else its first three bands (false colour, such as OMBRIA's
    /// B11, B8, B3), else its first band three times.
    public static func displayBands(_ bandNames: [String]) -> [String] {
        if ["B4", "B3", "B2"].allSatisfy(bandNames.contains) { return ["B4", "B3", "B2"] }
        if bandNames.count >= 3 { return Array(bandNames.prefix(3)) }
        return Array(repeating: bandNames[0], count: 3)
    }

    /// Creates empty pictures of `dataset`.
    /// - Parameter maximumSide: the longest side of the pictures; a larger
    ///   scene is subsampled.
    public init(dataset: Dataset, maximumSide: Int = 1024) {
        precondition(maximumSide >= 1, "a quicklook needs a side of at least 1 pixel, got \(maximumSide)")
        self.dataset = dataset
        bands = Self.displayBands(dataset.bandNames)
        step = max(1, (max(dataset.width, dataset.height) + maximumSide - 1) / maximumSide)
        width = (dataset.width + step - 1) / step
        height = (dataset.height + step - 1) / step
        samples = [Float](repeating: 0, count: 3 * width * height)
        validity = [Bool](repeating: false, count: width * height)
        isWater = [Bool](repeating: false, count: width * height)
    }

    /// Reads the display bands of a full-width strip of the scene and adds
    /// its picture rows.
    /// - Throws: `GeoRasterError` for a failed read.
    public mutating func addPicture(reading window: Window) throws {
        guard firstSampledRow(window) < window.rowEnd else { return }
        addPicture(try dataset.read(bands: bands, window: window, as: Float.self))
    }

    /// Adds the picture rows of a full-width strip already read. `block`
    /// contains at least the display bands, on any linear scale, because the
    /// picture is stretched between percentiles.
    public mutating func addPicture(_ block: RasterBlock<Float>) {
        let window = block.window
        checkStrip(window)
        let positions = bands.map { name -> Int in
            guard let position = block.bandNames.firstIndex(of: name) else {
                preconditionFailure("the strip holds \(block.bandNames), not the display band \(name)")
            }
            return position
        }
        let pixelCount = window.pixelCount
        let pictureCount = width * height
        for sceneRow in sampledRows(window) {
            let from = (sceneRow - window.rowOffset) * window.width
            let to = sceneRow / step * width
            for column in 0..<width {
                let source = from + column * step
                validity[to + column] = block.validity[source]
                for (band, position) in positions.enumerated() {
                    samples[band * pictureCount + to + column] = block.samples[position * pixelCount + source]
                }
            }
        }
    }

    /// Notes the water pixels of the picture rows in a full-width strip.
    /// - Parameter water: `WaterMaskValue` per pixel of the strip.
    public mutating func addWater(_ window: Window, water: [UInt8]) {
        checkStrip(window)
        precondition(water.count == window.pixelCount,
                     "the water strip has \(water.count) pixels but the window \(window) has \(window.pixelCount)")
        for sceneRow in sampledRows(window) {
            let from = (sceneRow - window.rowOffset) * window.width
            let to = sceneRow / step * width
            for column in 0..<width {
                isWater[to + column] = water[from + column * step] == WaterMaskValue.water
            }
        }
    }

    /// Returns the scene rows of `window` that are picture rows.
    private func sampledRows(_ window: Window) -> StrideTo<Int> {
        stride(from: firstSampledRow(window), to: window.rowEnd, by: step)
    }

    /// Returns the first picture row at or below the top of `window`.
    private func firstSampledRow(_ window: Window) -> Int {
        (window.rowOffset + step - 1) / step * step
    }

    private func checkStrip(_ window: Window) {
        precondition(window.columnOffset == 0 && window.width == dataset.width && window.rowOffset >= 0
                        && window.rowEnd <= dataset.height,
                     "a quicklook strip spans the \(dataset.width) x \(dataset.height) scene's width, got \(window)")
    }

    /// Writes the quicklook PNG and, when `overlayPath` is given, the
    /// overlay PNG: the quicklook with water painted in `waterColour`.
    /// - Throws: `GeoRasterError` for a failed write.
    public func write(quicklookPath: String, overlayPath: String?) throws {
        let block = RasterBlock(window: Window(columnOffset: 0, rowOffset: 0, width: width, height: height),
                                bandNames: bands, samples: samples, validity: validity)
        var rgb = Quicklook.rgb(block)
        try RasterWriter.writePNG(rgb: rgb, width: width, height: height, to: quicklookPath)

        guard let overlayPath else { return }
        let colour = [Self.waterColour.red, Self.waterColour.green, Self.waterColour.blue]
        for pixel in isWater.indices where isWater[pixel] {
            for channel in 0..<3 {
                let index = pixel * 3 + channel
                rgb[index] = UInt8((Float(rgb[index]) * (1 - Self.waterOpacity) + colour[channel] * Self.waterOpacity).rounded())
            }
        }
        try RasterWriter.writePNG(rgb: rgb, width: width, height: height, to: overlayPath)
    }
}
