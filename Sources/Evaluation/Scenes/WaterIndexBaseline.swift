import GeoRaster

/// A histogram with a fixed range, filled strip by strip in fixed memory.
///
/// Values below `lowerBound` count in the first bin and values above
/// `upperBound` in the last, so nothing is dropped.
public struct StreamingHistogram: Equatable, Sendable {
    public let lowerBound: Float
    public let upperBound: Float
    public private(set) var counts: [Int64]

    /// Creates an empty histogram of `binCount` equal bins.
    public init(lowerBound: Float, upperBound: Float, binCount: Int) {
        precondition(lowerBound < upperBound, "lower bound \(lowerBound) must be below upper bound \(upperBound)")
        precondition(binCount >= 2, "a histogram for a threshold needs at least 2 bins, got \(binCount)")
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        counts = Array(repeating: 0, count: binCount)
    }

    /// Adds the valid, finite values of `values`.
    public mutating func add(_ values: MaskedValues) {
        let scale = Float(counts.count) / (upperBound - lowerBound)
        let last = counts.count - 1
        for (value, isValid) in zip(values.values, values.validity) where isValid && value.isFinite {
            let bin = Int(((value - lowerBound) * scale).rounded(.down))
            counts[min(max(bin, 0), last)] += 1
        }
    }

    /// The histogram so far.
    public var histogram: Histogram {
        Histogram(lowerBound: lowerBound, upperBound: upperBound, counts: counts)
    }
}

/// The outcome of a water-index baseline on one scene; the mask itself
/// goes strip by strip to the caller.
public struct WaterIndexResult: Equatable, Sendable {
    /// The threshold applied; nil when Otsu found no split (too few
    /// distinct values), and then every valid pixel is not water.
    public var threshold: Float?
    /// The number of valid pixels.
    public var validCount: Int
}

/// The NDWI or MNDWI baseline: water where the index is above a threshold.
///
/// The scene is read in full-width strips. With Otsu's threshold it is
/// read twice: once to fill a histogram of the index over [-1, 1] (values
/// outside fall in the edge bins), once to threshold.
///
/// NOTE: Otsu here bins the fixed range [-1, 1], not the scene's own
/// minimum to maximum as `WaterIndexThreshold.otsu` does, so that a scene of
/// any size needs one pass and fixed memory for the histogram.
public struct WaterIndexBaseline: Sendable {
    public var index: WaterIndex
    public var threshold: WaterIndexThreshold

    public init(index: WaterIndex, threshold: WaterIndexThreshold) {
        self.index = index
        self.threshold = threshold
    }

    /// Computes the water mask of a scene and hands it over one full-width
    /// strip at a time, top to bottom.
    /// - Parameters:
    ///   - dataset: the scene; it has the index's two bands.
    ///   - scale: the reflectance conversion; nil takes the scene's.
    ///   - progress: called with (strips done, strips in all) after each strip.
    ///   - strip: called with each strip's window and its `WaterMaskValue`s.
    /// - Throws: `EvaluationError.missingBands`, `GeoRasterError` for a
    ///   failed read, and what `strip` throws.
    @discardableResult
    public func segment(_ dataset: Dataset, scale: ReflectanceScale? = nil,
                        progress: (Int, Int) -> Void = { _, _ in },
                        strip: (Window, [UInt8]) throws -> Void) throws -> WaterIndexResult {
        let (green, infrared) = index.bandNames
        guard dataset.bandNames.contains(green), dataset.bandNames.contains(infrared) else {
            throw EvaluationError.missingBands(scene: dataset.path, bands: dataset.bandNames, needed: "\(green) and \(infrared) for \(index.rawValue.uppercased())")
        }
        let strips = SceneStrips.windows(of: dataset)
        var passes = 1
        if case .otsu = threshold { passes = 2 }
        let total = strips.count * passes
        var done = 0
        func read(_ window: Window) throws -> MaskedValues {
            let block = try dataset.readReflectance(bands: [green, infrared], window: window, scale: scale)
            let pixelCount = window.pixelCount
            return index.compute(green: Array(block.samples[0..<pixelCount]),
                                 infrared: Array(block.samples[pixelCount..<(2 * pixelCount)]), validity: block.validity)
        }

        // Pass 1 (Otsu only): the histogram of the whole scene.
        let value: Float?
        switch threshold {
        case .fixed(let fixed):
            value = fixed
        case .otsu(let binCount):
            var histogram = StreamingHistogram(lowerBound: -1, upperBound: 1, binCount: binCount)
            for window in strips {
                histogram.add(try read(window))
                done += 1
                progress(done, total)
            }
            value = OtsuThreshold.threshold(of: histogram.histogram)
        }

        // Pass 2: the mask.
        var validCount = 0
        for window in strips {
            let index = try read(window)
            validCount += index.validCount
            try strip(window, index.waterMask(threshold: value ?? .infinity))
            done += 1
            progress(done, total)
        }
        return WaterIndexResult(threshold: value, validCount: validCount)
    }
}
