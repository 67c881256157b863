/// An 8-bit RGB picture of three bands, stretched per band between
/// percentiles of the valid pixels.
///
/// ```
/// byte = clamp((value - low) / (high - low), 0, 1) * 255
/// ```
/// where `low` and `high` are the `lowPercentile` and `highPercentile`
/// values of the band's valid pixels. Invalid pixels are black.
public enum Quicklook {
    /// Returns pixel-interleaved RGB bytes, shape `(height, width, 3)`, of a
    /// three-band block (red, green, blue in that order).
    public static func rgb<Sample: RasterSample>(_ block: RasterBlock<Sample>, lowPercentile: Double = 2,
                                                 highPercentile: Double = 98) -> [UInt8] {
        precondition(block.bandNames.count == 3, "a quicklook needs 3 bands, got \(block.bandNames)")
        let pixelCount = block.window.pixelCount
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        for band in 0..<3 {
            let values = block.band(band)
            let valid = (0..<pixelCount).filter { block.validity[$0] }.map { values[values.startIndex + $0].doubleValue }
            guard !valid.isEmpty else { continue }
            let sorted = valid.sorted()
            let low = percentile(sorted, lowPercentile)
            let high = percentile(sorted, highPercentile)
            let range = high > low ? high - low : 1
            for pixel in 0..<pixelCount where block.validity[pixel] {
                let scaled = (values[values.startIndex + pixel].doubleValue - low) / range
                rgb[pixel * 3 + band] = UInt8(max(0, min(1, scaled)) * 255 + 0.5)
            }
        }
        return rgb
    }

    /// Returns the `p`-th percentile (0…100) of sorted values, by linear
    /// interpolation between the nearest ranks.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}

extension Dataset {
    /// Writes an RGB quicklook PNG of three named bands of the whole scene.
    ///
    /// NOTE: it reads the whole scene at once, so it suits scenes up to a few
    /// thousand pixels a side.
    /// - Parameter bands: the red, green and blue band names, such as `["B4", "B3", "B2"]`.
    public func writeQuicklook(bands: [String], to path: String) throws {
        let block = try read(bands: bands, window: fullWindow, as: Float.self)
        try RasterWriter.writePNG(rgb: Quicklook.rgb(block), width: width, height: height, to: path)
    }
}
