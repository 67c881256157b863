/// A value per pixel with a validity flag per pixel; values of invalid pixels
/// are meaningless (they are set to NaN).
public struct MaskedValues: Equatable, Sendable {
    /// One value per pixel, in the order of the input buffers.
    public var values: [Float]
    /// Whether each pixel has a defined value.
    public var validity: [Bool]

    /// Creates a buffer from values and their validity.
    /// - Precondition: both arrays have the same length.
    public init(values: [Float], validity: [Bool]) {
        precondition(values.count == validity.count, "\(values.count) values but \(validity.count) validity flags")
        self.values = values
        self.validity = validity
    }

    /// The number of valid pixels.
    public var validCount: Int {
        validity.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    /// The values of the valid pixels, in pixel order.
    public var validValues: [Float] {
        zip(values, validity).compactMap { $1 ? $0 : nil }
    }

    public static func == (left: MaskedValues, right: MaskedValues) -> Bool {
        guard left.validity == right.validity else { return false }
        return zip(zip(left.values, right.values), left.validity).allSatisfy { pair, isValid in
            !isValid || pair.0 == pair.1
        }
    }
}

/// A normalised-difference water index of Sentinel-2 reflectance.
///
/// ```
/// NDWI  = (B3 - B8)  / (B3 + B8)     green and near infrared (McFeeters, 1996)
/// MNDWI = (B3 - B11) / (B3 + B11)    green and shortwave infrared (Xu, 2006)
/// ```
///
/// Open water is above 0 on both; MNDWI separates water from built-up land
/// better, but B11 is a 20 m band, so the caller resamples it to the 10 m grid.
public enum WaterIndex: String, CaseIterable, Sendable {
    case ndwi
    case mndwi

    /// The band names the index is computed from: green first, then the
    /// infrared band.
    public var bandNames: (green: String, infrared: String) {
        switch self {
        case .ndwi: ("B3", "B8")
        case .mndwi: ("B3", "B11")
        }
    }

    /// Computes the index per pixel from reflectance.
    ///
    /// - Parameters:
    ///   - green: B3 reflectance, one value per pixel.
    ///   - infrared: B8 (NDWI) or B11 (MNDWI) reflectance, in the same order.
    ///   - validity: whether each pixel has data; nil when all do.
    /// - Returns: the index, invalid where the input is invalid or not finite,
    ///   or where `green + infrared` is 0.
    ///
    /// NOTE: negative reflectance (possible in L2A products after the 1000
    /// offset is removed) can push the index outside [-1, 1]; such values are
    /// kept, not clipped, so a threshold still orders them.
    public func compute(green: [Float], infrared: [Float], validity: [Bool]? = nil) -> MaskedValues {
        Self.normalizedDifference(green, infrared, validity: validity)
    }

    /// Computes `(first - second) / (first + second)` per pixel, invalid
    /// where the input is invalid or not finite, or where the sum is 0.
    public static func normalizedDifference(_ first: [Float], _ second: [Float], validity: [Bool]? = nil) -> MaskedValues {
        precondition(first.count == second.count, "band buffers have \(first.count) and \(second.count) pixels")
        if let validity {
            precondition(validity.count == first.count, "band buffers have \(first.count) pixels but the validity mask has \(validity.count)")
        }
        var values = [Float](repeating: .nan, count: first.count)
        var isValid = [Bool](repeating: false, count: first.count)
        for index in first.indices {
            guard validity?[index] ?? true else { continue }
            let sum = first[index] + second[index]
            let value = (first[index] - second[index]) / sum
            if sum != 0 && value.isFinite {
                values[index] = value
                isValid[index] = true
            }
        }
        return MaskedValues(values: values, validity: isValid)
    }
}

/// The values of a water-mask buffer, as the baselines write it.
public enum WaterMaskValue {
    /// A valid pixel that is not water (cluster 0 of `ClusterMapping.waterMask`).
    public static let notWater: UInt8 = 0
    /// A water pixel (cluster 1 of `ClusterMapping.waterMask`).
    public static let water: UInt8 = 1
    /// An invalid pixel, the same marker as in cluster-id buffers.
    public static let invalid: UInt8 = ClusterIDs.invalid
}

/// The threshold above which an index value is water.
public enum WaterIndexThreshold: Equatable, Sendable {
    /// A given value; 0 is the usual choice for NDWI and MNDWI.
    case fixed(Float)
    /// Otsu's threshold of the scene's own valid values, on a histogram of
    /// `binCount` bins.
    case otsu(binCount: Int)

    /// Otsu's threshold on 256 bins.
    public static let otsu = WaterIndexThreshold.otsu(binCount: 256)

    /// Returns the threshold value for `index`, or nil for Otsu when the
    /// valid values do not span a range (none, or all equal).
    public func value(for index: MaskedValues) -> Float? {
        switch self {
        case .fixed(let value):
            return value
        case .otsu(let binCount):
            guard let histogram = Histogram(index, binCount: binCount) else { return nil }
            return OtsuThreshold.threshold(of: histogram)
        }
    }
}

extension MaskedValues {
    /// Returns a water mask: `WaterMaskValue.water` where the value is strictly
    /// above `threshold`, `notWater` where it is not, `invalid` where the
    /// value is invalid.
    public func waterMask(threshold: Float) -> [UInt8] {
        zip(values, validity).map { value, isValid in
            guard isValid else { return WaterMaskValue.invalid }
            return value > threshold ? WaterMaskValue.water : WaterMaskValue.notWater
        }
    }
}
