/// The mean and standard deviation of the reflectance of each band over the
/// valid pixels of the training data, stored with a model so that training
/// and inference normalise alike:
/// ```
/// normalised = (reflectance - mean) / standardDeviation
/// ```
public struct BandStatistics: Codable, Equatable, Sendable {
    /// Band names, in input order.
    public var bands: [String]
    public var means: [Float]
    public var standardDeviations: [Float]
    /// The valid pixels the statistics were computed over.
    public var pixelCount: Int

    public init(bands: [String], means: [Float], standardDeviations: [Float], pixelCount: Int) {
        precondition(bands.count == means.count && bands.count == standardDeviations.count,
                     "band statistics need one mean and deviation per band, got \(bands.count) bands, \(means.count) means, \(standardDeviations.count) deviations")
        self.bands = bands
        self.means = means
        self.standardDeviations = standardDeviations
        self.pixelCount = pixelCount
    }

    /// Normalises `bands x pixels` reflectance in place; invalid pixels become
    /// 0, the band mean after normalisation.
    /// - Parameters:
    ///   - values: `bands.count x valid.count`, row-major.
    ///   - valid: one flag per pixel.
    public func normalise(_ values: inout [Float], valid: [Bool]) {
        let pixels = valid.count
        precondition(values.count == bands.count * pixels,
                     "normalise needs \(bands.count) x \(pixels) values, got \(values.count)")
        values.withUnsafeMutableBufferPointer { buffer in
            for band in 0..<bands.count {
                let mean = means[band], scale = 1 / standardDeviations[band]
                let base = band * pixels
                for pixel in 0..<pixels {
                    buffer[base + pixel] = valid[pixel] && buffer[base + pixel].isFinite
                        ? (buffer[base + pixel] - mean) * scale : 0
                }
            }
        }
    }
}

/// Running sums for `BandStatistics`, fed window by window (Chan et al.'s
/// pairwise update in Double, so that many windows lose no precision).
public struct BandStatisticsAccumulator {
    public let bands: [String]
    private var counts: [Double]
    private var means: [Double]
    private var squaredDeviations: [Double]

    public init(bands: [String]) {
        self.bands = bands
        counts = Array(repeating: 0, count: bands.count)
        means = Array(repeating: 0, count: bands.count)
        squaredDeviations = Array(repeating: 0, count: bands.count)
    }

    /// Adds the valid pixels of one window.
    /// - Parameters:
    ///   - reflectance: `bands.count x valid.count`, row-major.
    ///   - valid: one flag per pixel; non-finite values are skipped too.
    public mutating func add(reflectance: [Float], valid: [Bool]) {
        let pixels = valid.count
        precondition(reflectance.count == bands.count * pixels,
                     "statistics need \(bands.count) x \(pixels) values, got \(reflectance.count)")
        for band in 0..<bands.count {
            var count = 0.0, sum = 0.0
            let base = band * pixels
            for pixel in 0..<pixels where valid[pixel] && reflectance[base + pixel].isFinite {
                count += 1
                sum += Double(reflectance[base + pixel])
            }
            guard count > 0 else { continue }
            let mean = sum / count
            var squares = 0.0
            for pixel in 0..<pixels where valid[pixel] && reflectance[base + pixel].isFinite {
                let deviation = Double(reflectance[base + pixel]) - mean
                squares += deviation * deviation
            }
            let total = counts[band] + count
            let delta = mean - means[band]
            squaredDeviations[band] += squares + delta * delta * counts[band] * count / total
            means[band] += delta * count / total
            counts[band] = total
        }
    }

    /// The valid pixels seen so far (of the first band).
    public var pixelCount: Int { Int(counts.first ?? 0) }

    /// The statistics; a band with no spread gets deviation 1 so that it
    /// normalises to 0 instead of dividing by zero.
    public var statistics: BandStatistics {
        let deviations = zip(squaredDeviations, counts).map { squares, count -> Float in
            let deviation = count > 1 ? (squares / (count - 1)).squareRoot() : 0
            return deviation > 1e-8 ? Float(deviation) : 1
        }
        return BandStatistics(bands: bands, means: means.map(Float.init), standardDeviations: deviations, pixelCount: pixelCount)
    }
}
