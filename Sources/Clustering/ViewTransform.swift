import Foundation
import TensorEngine

/// A geometric transform of a view: a horizontal flip, then a turn by a
/// multiple of 90 degrees, then an optional small affine warp. Its inverse
/// undoes it on the network's output, so that the two views' cluster maps
/// line up pixel for pixel before the loss.
///
/// Flips and turns are permutations of pixels, undone exactly. A warp moves
/// some pixels out of the image and interpolates the rest; `alignedValidity`
/// marks the pixels that survive the round trip.
public struct GeometricTransform: Equatable {
    public var horizontalFlip: Bool
    /// Counter-clockwise turns by 90 degrees, 0 to 3.
    public var quarterTurns: Int
    /// Pixel coordinates of the output read the input at `affine.apply`;
    /// nil for no warp.
    public var affine: AffineMap?

    public init(horizontalFlip: Bool = false, quarterTurns: Int = 0, affine: AffineMap? = nil) {
        self.horizontalFlip = horizontalFlip
        self.quarterTurns = ((quarterTurns % 4) + 4) % 4
        self.affine = affine
    }

    /// The transform that changes nothing.
    public static let identity = GeometricTransform()

    /// Transforms `[N, C, S, S]` maps (square, so that turns keep the shape).
    public func apply(_ maps: Tensor) -> Tensor {
        var result = horizontalFlip ? maps.flippedHorizontally() : maps
        if quarterTurns != 0 { result = result.rotated(quarterTurns: quarterTurns) }
        if let affine { result = result.warped(by: affine) }
        return result
    }

    /// Undoes `apply` on `[N, C, S, S]` maps, differentiably.
    public func invert(_ maps: Tensor) -> Tensor {
        var result = affine.map { maps.warped(by: $0.inverse) } ?? maps
        if quarterTurns != 0 { result = result.rotated(quarterTurns: 4 - quarterTurns) }
        return horizontalFlip ? result.flippedHorizontally() : result
    }

    /// Returns the pixels of the first view whose counterpart in the second
    /// view exists and is valid: `invert(apply(valid))`, with pixels that a warp
    /// blended with the outside (by more than 1e-5 of their weight) set to 0.
    /// - Parameter valid: `[N, 1, S, S]`, 1 valid and 0 invalid.
    public func alignedValidity(_ valid: Tensor) -> Tensor {
        let aligned = withNoGradient { invert(apply(valid)) }
        guard affine != nil else { return aligned }
        return Tensor(shape: aligned.shape, values: aligned.values.map { $0 > 1 - 1e-5 ? 1 : 0 })
    }
}

/// The recipe for the second view of a crop: photometric jitter of the
/// normalised bands and a random geometric transform.
public struct ViewAugmentation: Codable, Equatable, Sendable {
    /// Each band of each crop is multiplied by a gain drawn uniformly from
    /// `1 ± gainRange`.
    public var gainRange: Float = 0.1
    /// Whether one gain serves all bands of a crop, as a change of
    /// illumination would, so that jitter keeps the contrast between bands.
    public var sharedGain: Bool = false
    /// ... then shifted by an offset drawn uniformly from `± offsetRange`
    /// (normalised units: standard deviations of the band).
    public var offsetRange: Float = 0.1
    /// ... then gets Gaussian noise of this standard deviation per pixel.
    public var noiseStandardDeviation: Float = 0.05
    /// Whether to flip horizontally half of the time.
    public var flips: Bool = true
    /// Whether to turn by a random multiple of 90 degrees.
    public var rotations: Bool = true
    /// The largest warp rotation in degrees; 0 for no affine warp.
    public var maximumAffineDegrees: Double = 0
    /// The largest relative scale change of the warp, such as 0.1 for ±10 %.
    public var maximumAffineScale: Double = 0

    public init() {}

    /// Decodes the recipe, taking the default for each key a file lacks.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        gainRange = try container.decodeIfPresent(Float.self, forKey: .gainRange) ?? gainRange
        sharedGain = try container.decodeIfPresent(Bool.self, forKey: .sharedGain) ?? sharedGain
        offsetRange = try container.decodeIfPresent(Float.self, forKey: .offsetRange) ?? offsetRange
        noiseStandardDeviation = try container.decodeIfPresent(Float.self, forKey: .noiseStandardDeviation) ?? noiseStandardDeviation
        flips = try container.decodeIfPresent(Bool.self, forKey: .flips) ?? flips
        rotations = try container.decodeIfPresent(Bool.self, forKey: .rotations) ?? rotations
        maximumAffineDegrees = try container.decodeIfPresent(Double.self, forKey: .maximumAffineDegrees) ?? maximumAffineDegrees
        maximumAffineScale = try container.decodeIfPresent(Double.self, forKey: .maximumAffineScale) ?? maximumAffineScale
    }

    /// Draws a geometric transform for square crops of side `size`.
    public func randomTransform(size: Int, generator: inout SeededGenerator) -> GeometricTransform {
        let flip = flips && generator.next() % 2 == 1
        let turns = rotations ? Int(generator.next() % 4) : 0
        var affine: AffineMap?
        if maximumAffineDegrees > 0 || maximumAffineScale > 0 {
            let angle = Double(generator.uniform(-1, 1)) * maximumAffineDegrees * .pi / 180
            let scale = 1 + Double(generator.uniform(-1, 1)) * maximumAffineScale
            affine = .about(height: size, width: size, angle: angle, scale: scale)
        }
        return GeometricTransform(horizontalFlip: flip, quarterTurns: turns, affine: affine)
    }

    /// Jitters normalised crops in place; invalid pixels stay 0.
    /// - Parameters:
    ///   - values: `crops x bands x pixels`, row-major.
    ///   - valid: `crops x pixels` flags.
    public func jitter(_ values: inout [Float], valid: [Bool], crops: Int, bands: Int, generator: inout SeededGenerator) {
        let pixels = valid.count / crops
        precondition(values.count == crops * bands * pixels,
                     "jitter needs \(crops) x \(bands) x \(pixels) values, got \(values.count)")
        for crop in 0..<crops {
            let cropGain = 1 + generator.uniform(-gainRange, gainRange)
            for band in 0..<bands {
                let gain = sharedGain ? cropGain : 1 + generator.uniform(-gainRange, gainRange)
                let offset = generator.uniform(-offsetRange, offsetRange)
                let base = (crop * bands + band) * pixels
                for pixel in 0..<pixels {
                    guard valid[crop * pixels + pixel] else { values[base + pixel] = 0; continue }
                    let noise = noiseStandardDeviation > 0 ? noiseStandardDeviation * generator.normal() : 0
                    values[base + pixel] = values[base + pixel] * gain + offset + noise
                }
            }
        }
    }
}
