/// The share of a scene's pixels that are valid, read in full or from a sample.
public struct ValidFractionEstimate: Sendable {
    /// Valid pixels over pixels read, in [0, 1].
    public let fraction: Double
    /// Whether only a sample of windows was read.
    public let isSampled: Bool
    /// The number of pixels read.
    public let pixelsRead: Int
    /// The pixel selection, such as `64 windows of 256 x 256 px`.
    public let method: String
}

extension Dataset {
    /// Measures the fraction of valid pixels (see `ValidityRule`), reading
    /// every band window by window so memory stays bounded.
    ///
    /// Scenes of at most `maximumPixels` pixels are read whole. Larger ones
    /// are sampled with an 8 x 8 grid of evenly spaced 256 x 256 windows.
    public func validFraction(maximumPixels: Int = 25_000_000) throws -> ValidFractionEstimate {
        var windows: [Window] = []
        let isSampled = width * height > maximumPixels
        if isSampled {
            let side = 256
            for row in 0..<8 {
                for column in 0..<8 {
                    let rowOffset = (height - side) * row / 7
                    let columnOffset = (width - side) * column / 7
                    windows.append(Window(columnOffset: columnOffset, rowOffset: rowOffset, width: side, height: side))
                }
            }
        } else {
            let side = 512
            for rowOffset in stride(from: 0, to: height, by: side) {
                for columnOffset in stride(from: 0, to: width, by: side) {
                    windows.append(Window(columnOffset: columnOffset, rowOffset: rowOffset,
                                          width: min(side, width - columnOffset), height: min(side, height - rowOffset)))
                }
            }
        }
        var valid = 0
        var read = 0
        for window in windows {
            let block = try self.read(window: window, as: Double.self)
            valid += block.validCount
            read += window.pixelCount
        }
        let method = isSampled ? "\(windows.count) windows of 256 x 256 px" : "all pixels"
        return ValidFractionEstimate(fraction: read == 0 ? 0 : Double(valid) / Double(read),
                                     isSampled: isSampled, pixelsRead: read, method: method)
    }
}
