import Foundation

/// A seeded pseudo-random generator (SplitMix64, Steele, Lea and Flood
/// 2014): the same seed gives the same numbers on every machine.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Draws a uniform Float in `[low, high)` from the top 24 bits of one draw.
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    /// Draws a standard normal Float (Box–Muller transform).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

extension Tensor {
    /// Values drawn uniformly from `[-bound, bound)`.
    public static func uniform(
        _ shape: [Int], bound: Float, using generator: inout SeededGenerator, requiresGradient: Bool = false
    ) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ in generator.uniform(-bound, bound) }
        return Tensor(shape: shape, values: values, requiresGradient: requiresGradient)
    }

    /// Values drawn from a normal distribution with the given standard deviation.
    public static func normal(
        _ shape: [Int], standardDeviation: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in standardDeviation * generator.normal() })
    }
}
