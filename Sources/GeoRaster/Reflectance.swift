import CGDAL
import Foundation

/// The conversion from stored samples to reflectance.
///
/// ```
/// reflectance = (sample - offset) / divisor
/// ```
/// Sentinel-2 stores reflectance x 10000 (divisor 10000). Products of
/// processing baseline 04.00 and later add 1000 to every sample (offset
/// 1000). 8-bit exports hold relative values only (divisor 255).
public struct ReflectanceScale: Sendable, Equatable, CustomStringConvertible {
    public var offset: Float
    public var divisor: Float

    public init(offset: Float = 0, divisor: Float = 10_000) {
        precondition(divisor != 0, "a reflectance divisor must not be 0")
        self.offset = offset
        self.divisor = divisor
    }

    /// Returns the scale for a scene. 8-bit scenes are relative (/ 255), and
    /// floating-point scenes are taken as reflectance already. Integer scenes
    /// are DN / 10000 after subtracting `offset`, which defaults to the one
    /// the scene's metadata states (see `Dataset.radiometricOffset`).
    public static func forScene(_ dataset: Dataset, offset: Float? = nil) -> ReflectanceScale {
        let types = Set(dataset.bands.map(\.dataType))
        if types == [.byte] { return ReflectanceScale(offset: offset ?? 0, divisor: 255) }
        if types.allSatisfy({ !$0.isInteger }) { return ReflectanceScale(offset: offset ?? 0, divisor: 1) }
        return ReflectanceScale(offset: offset ?? dataset.radiometricOffset ?? 0, divisor: 10_000)
    }

    /// Returns the reflectance of one sample.
    @inline(__always)
    public func reflectance(_ sample: Float) -> Float {
        (sample - offset) / divisor
    }

    public var description: String {
        offset == 0 ? "sample / \(divisor)" : "(sample - \(offset)) / \(divisor)"
    }
}

extension Dataset {
    /// The offset that the scene's metadata states was added to every
    /// sample, or nil when the metadata does not state one.
    ///
    /// Reads `BOA_ADD_OFFSET` (Level-2A) or `RADIO_ADD_OFFSET` (Level-1C),
    /// which hold the negated offset (-1000); else, a `PROCESSING_BASELINE`
    /// of 04.00 or later implies 1000 and an earlier one 0.
    public var radiometricOffset: Float? {
        for key in ["BOA_ADD_OFFSET", "RADIO_ADD_OFFSET"] {
            if let text = metadataItem(key) ?? bands.indices.lazy.compactMap({ self.bandMetadataItem(key, band: $0) }).first,
               let value = Float(text.trimmingCharacters(in: .whitespaces)) {
                return -value
            }
        }
        if let text = metadataItem("PROCESSING_BASELINE"), let baseline = Double(text.trimmingCharacters(in: .whitespaces)) {
            return baseline >= 4 ? 1000 : 0
        }
        return nil
    }

    /// Reads a window of named bands as reflectance, with a validity mask.
    ///
    /// Invalid pixels hold 0. See `read(bands:window:as:fill:rule:)` for the
    /// validity rules and boundless windows.
    /// - Parameters:
    ///   - bands: band names in the order wanted, such as `["B3", "B8", "B11"]`.
    ///   - window: the pixels to read; it may reach past the scene.
    ///   - scale: the DN-to-reflectance conversion; nil infers it with
    ///     `ReflectanceScale.forScene(_:)`.
    /// - Returns: samples of shape `(bands, height, width)`.
    public func readReflectance(bands names: [String], window: Window,
                                scale: ReflectanceScale? = nil) throws -> RasterBlock<Float> {
        let scale = scale ?? ReflectanceScale.forScene(self)
        var block = try read(bands: names, window: window, as: Float.self)
        let pixelCount = window.pixelCount
        block.samples.withUnsafeMutableBufferPointer { samples in
            for band in 0..<names.count {
                for pixel in 0..<pixelCount where block.validity[pixel] {
                    let index = band * pixelCount + pixel
                    samples[index] = scale.reflectance(samples[index])
                }
            }
        }
        return block
    }
}

extension Dataset {
    /// Returns a band metadata item (`GDALGetMetadataItem` on the band), or nil.
    func bandMetadataItem(_ key: String, band: Int) -> String? {
        GDALGetMetadataItem(GDALGetRasterBand(handle, Int32(band + 1)), key, nil).map { String(cString: $0) }
    }
}
