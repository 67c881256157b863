/// Samples of a window of named bands, with a validity mask.
///
/// Samples are band-sequential: `samples[(band * height + row) * width + column]`,
/// shape `(bands, height, width)`. `validity[row * width + column]` is false
/// where the pixel lies outside the scene, contains a nodata value, is masked
/// by the file's mask, or is 0 in every band of an integer scene. Samples of
/// invalid pixels contain the fill value and carry no meaning.
public struct RasterBlock<Sample: RasterSample>: Sendable {
    /// The window read, in scene pixels; it may reach past the scene.
    public let window: Window
    public let bandNames: [String]
    public var samples: [Sample]
    public var validity: [Bool]

    public init(window: Window, bandNames: [String], samples: [Sample], validity: [Bool]) {
        precondition(samples.count == bandNames.count * window.pixelCount,
                     "samples \(samples.count) do not match \(bandNames.count) bands x \(window.width) x \(window.height)")
        precondition(validity.count == window.pixelCount,
                     "validity \(validity.count) does not match \(window.width) x \(window.height)")
        self.window = window
        self.bandNames = bandNames
        self.samples = samples
        self.validity = validity
    }

    public var width: Int { window.width }
    public var height: Int { window.height }

    /// Returns the sample of one band at `(row, column)` of the window.
    public subscript(band band: Int, row row: Int, column column: Int) -> Sample {
        samples[(band * height + row) * width + column]
    }

    /// Returns the samples of one band, shape `(height, width)`.
    public func band(_ index: Int) -> ArraySlice<Sample> {
        samples[(index * window.pixelCount)..<((index + 1) * window.pixelCount)]
    }

    /// The number of valid pixels.
    public var validCount: Int {
        // A `Bool` is one byte, 0 or 1, so the bytes' sum is the count. The
        // sum runs in 32-bit lanes, which vectorise, over chunks short
        // enough that a lane never overflows.
        validity.withUnsafeBytes { bytes in
            var count = 0
            for chunkStart in stride(from: 0, to: bytes.count, by: 1 << 24) {
                var chunkCount: UInt32 = 0
                for byte in bytes[chunkStart..<min(chunkStart + (1 << 24), bytes.count)] { chunkCount &+= UInt32(byte) }
                count += Int(chunkCount)
            }
            return count
        }
    }

    /// The fraction of pixels that are invalid, in [0, 1].
    public var invalidFraction: Double {
        window.pixelCount == 0 ? 1 : 1 - Double(validCount) / Double(window.pixelCount)
    }
}

/// Options that decide which pixels of a read count as valid.
public struct ValidityRule: Sendable {
    /// Whether a pixel that is 0 in every band read is invalid. Sentinel-2
    /// products reserve DN 0 for no data, and WorldFloods scenes mark their
    /// outside with 0 in all bands without declaring a nodata value. Applied
    /// to integer scenes only.
    public var zeroInAllBandsIsInvalid: Bool

    /// Whether a pixel holding its band's nodata value in any band read is
    /// invalid.
    ///
    /// NOTE: GDAL's own per-band masks mark such a pixel invalid in that band
    /// only; Shoreline drops the whole pixel, since a model needs every band.
    public var nodataInAnyBandIsInvalid: Bool

    /// Whether a pixel holding NaN or an infinity in any band read is
    /// invalid, whatever the nodata value. Such a sample has no reflectance
    /// and would turn every loss and statistic it touches into NaN.
    /// Applies when the samples are read as Float or Double.
    public var nonFiniteInAnyBandIsInvalid: Bool

    public init(zeroInAllBandsIsInvalid: Bool = true, nodataInAnyBandIsInvalid: Bool = true,
                nonFiniteInAnyBandIsInvalid: Bool = true) {
        self.zeroInAllBandsIsInvalid = zeroInAllBandsIsInvalid
        self.nodataInAnyBandIsInvalid = nodataInAnyBandIsInvalid
        self.nonFiniteInAnyBandIsInvalid = nonFiniteInAnyBandIsInvalid
    }

    public static let standard = ValidityRule()
}
