import Foundation

/// The scale on which the network sees reflectance, before normalisation.
public enum InputScale: String, Codable, Equatable, Sendable, CaseIterable {
    /// Reflectance as it is.
    case linear
    /// The natural logarithm of reflectance, floored at `logarithmFloor`.
    /// Band ratios become differences, so a normalised-difference index such
    /// as MNDWI is a monotone function of one linear combination of inputs.
    case logarithm

    /// The smallest reflectance taken before the logarithm (dark water and
    /// shadow can reach 0, and L2A offsets can make samples negative).
    public static let logarithmFloor: Float = 1e-3

    /// Rescales reflectance in place; non-finite values stay as they are.
    public func apply(_ values: inout [Float]) {
        guard self == .logarithm else { return }
        for index in values.indices where values[index].isFinite {
            values[index] = Foundation.log(max(values[index], Self.logarithmFloor))
        }
    }
}
