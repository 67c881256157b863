/// A histogram of equal-width bins between two bounds.
public struct Histogram: Equatable, Sendable {
    /// The lower edge of bin 0.
    public let lowerBound: Float
    /// The upper edge of the last bin.
    public let upperBound: Float
    /// The number of values in each bin.
    public let counts: [Int64]

    /// Creates a histogram from its counts.
    /// - Precondition: at least one bin, `lowerBound < upperBound`, and no
    ///   count is negative.
    public init(lowerBound: Float, upperBound: Float, counts: [Int64]) {
        precondition(!counts.isEmpty, "a histogram needs at least one bin")
        precondition(lowerBound < upperBound, "lower bound \(lowerBound) must be below upper bound \(upperBound)")
        precondition(counts.allSatisfy { $0 >= 0 }, "bin counts must not be negative, got \(counts)")
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.counts = counts
    }

    /// Counts the valid, finite values of `values` into `binCount` bins
    /// spanning their minimum to their maximum; the maximum falls in the last
    /// bin.
    ///
    /// Returns nil when fewer than two distinct valid values exist, since no
    /// range can be binned then.
    public init?(_ values: MaskedValues, binCount: Int) {
        precondition(binCount >= 2, "a histogram for a threshold needs at least 2 bins, got \(binCount)")
        var minimum = Float.infinity
        var maximum = -Float.infinity
        for (value, isValid) in zip(values.values, values.validity) where isValid && value.isFinite {
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }
        guard minimum < maximum else { return nil }

        var counts = [Int64](repeating: 0, count: binCount)
        let scale = Double(binCount) / (Double(maximum) - Double(minimum))
        for (value, isValid) in zip(values.values, values.validity) where isValid && value.isFinite {
            let bin = min(Int((Double(value) - Double(minimum)) * scale), binCount - 1)
            counts[bin] += 1
        }
        self.init(lowerBound: minimum, upperBound: maximum, counts: counts)
    }

    /// The width of each bin.
    public var binWidth: Float {
        (upperBound - lowerBound) / Float(counts.count)
    }

    /// Returns the upper edge of `bin`.
    public func upperEdge(of bin: Int) -> Float {
        bin == counts.count - 1 ? upperBound : lowerBound + Float(bin + 1) * binWidth
    }
}

/// Otsu's threshold (Otsu, 1979): the split of a histogram into two classes
/// that maximises the between-class variance
///
/// ```
/// sigma_B^2(t) = w0(t) * w1(t) * (mu0(t) - mu1(t))^2
/// ```
///
/// where `w0`, `w1` are the fractions of values in bins `0...t` and above, and
/// `mu0`, `mu1` their means, taken at the bin centres.
public enum OtsuThreshold {
    /// Returns the threshold of `histogram`: the upper edge of the last bin of
    /// the lower class. Values strictly above it form the upper class.
    ///
    /// When several consecutive splits reach the same maximum (empty bins
    /// between two modes), the threshold is the middle of that run, halfway
    /// across the gap. Returns nil when fewer than two bins hold values.
    public static func threshold(of histogram: Histogram) -> Float? {
        let counts = histogram.counts.map(Double.init)
        let total = counts.reduce(0, +)
        guard counts.filter({ $0 > 0 }).count >= 2 else { return nil }
        let binWidth = Double(histogram.binWidth)
        let centres = counts.indices.map { Double(histogram.lowerBound) + (Double($0) + 0.5) * binWidth }
        let totalMoment = zip(counts, centres).reduce(0) { $0 + $1.0 * $1.1 }

        // Scan the splits after bin t = 0 ..< last, keeping the first and last
        // t of the leading run of maxima.
        var lowerCount = 0.0
        var lowerMoment = 0.0
        var bestVariance = -1.0
        var bestFirst = 0
        var bestLast = 0
        var runIsOpen = false
        for bin in 0..<(counts.count - 1) {
            lowerCount += counts[bin]
            lowerMoment += counts[bin] * centres[bin]
            let upperCount = total - lowerCount
            guard lowerCount > 0, upperCount > 0 else {
                runIsOpen = false
                continue
            }
            let lowerMean = lowerMoment / lowerCount
            let upperMean = (totalMoment - lowerMoment) / upperCount
            let variance = lowerCount * upperCount * (lowerMean - upperMean) * (lowerMean - upperMean) / (total * total)
            if variance > bestVariance {
                bestVariance = variance
                bestFirst = bin
                bestLast = bin
                runIsOpen = true
            } else if variance == bestVariance && runIsOpen {
                bestLast = bin
            } else {
                runIsOpen = false
            }
        }
        return (histogram.upperEdge(of: bestFirst) + histogram.upperEdge(of: bestLast)) / 2
    }
}
