import Foundation

/// The scale of the reflectance given to a network or k-means, before normalisation.
public enum InputScale: String, Codable, Equatable, Sendable, CaseIterable {
    /// Reflectance as it is.
    case linear
    /// The natural logarithm of reflectance, floored at `logarithmFloor`.
    /// Band ratios become differences, so a normalised-difference index such
    /// as MNDWI is a monotone function of one linear combination of inputs.
    case logarithm
    /// Each pixel's reflectance divided by its Euclidean norm over the
    /// chosen bands: the direction of the spectrum, as the spectral angle
    /// mapper compares it, without its brightness.
    ///
    /// ```
    /// s_b = r_b / max(sqrt(sum_c r_c^2), shapeFloor)
    /// ```
    /// Illumination, haze and sensor gain scale a spectrum more than they
    /// change its shape, while water, vegetation and soil differ in shape
    /// (water falls off into NIR and SWIR). A pixel with a non-finite sample
    /// keeps its values, so the validity mask still catches it.
    case spectralShape = "spectral-shape"

    /// The smallest reflectance taken before the logarithm (dark water and
    /// shadow can reach 0, and L2A offsets can make samples negative).
    public static let logarithmFloor: Float = 1e-3

    /// The smallest spectrum norm divided by, so that a pixel dark in every
    /// band maps near 0 instead of to an arbitrary direction.
    public static let shapeFloor: Float = 1e-3

    /// The names accepted on the command line, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Rescales reflectance in place; non-finite values stay as they are.
    /// - Parameters:
    ///   - values: `bandCount x pixelCount` reflectance, band-major.
    ///   - bandCount: the number of bands, which divides `values.count`.
    public func apply(_ values: inout [Float], bandCount: Int) {
        precondition(bandCount > 0 && values.count % bandCount == 0,
                     "\(values.count) values do not split into \(bandCount) bands")
        switch self {
        case .linear:
            return
        case .logarithm:
            for index in values.indices where values[index].isFinite {
                values[index] = Foundation.log(max(values[index], Self.logarithmFloor))
            }
        case .spectralShape:
            let pixelCount = values.count / bandCount
            values.withUnsafeMutableBufferPointer { samples in
                for pixel in 0..<pixelCount {
                    var squareSum: Float = 0
                    for band in 0..<bandCount {
                        let value = samples[band * pixelCount + pixel]
                        squareSum += value * value
                    }
                    guard squareSum.isFinite else { continue }
                    let scale = 1 / max(squareSum.squareRoot(), Self.shapeFloor)
                    for band in 0..<bandCount { samples[band * pixelCount + pixel] *= scale }
                }
            }
        }
    }
}
