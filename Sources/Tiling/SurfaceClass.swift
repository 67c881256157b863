/// The class set every label is converted to, whatever its source codes.
///
/// The raw values are the WorldFloods v1 label codes, so a converted label
/// raster can be read by tools that know that data set.
public enum SurfaceClass: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// No data, outside the scene or masked; never counted in metrics.
    case invalid = 0
    case land = 1
    case water = 2
    case cloud = 3

    /// The classes that metrics count: every class but `invalid`.
    public static let scored: [SurfaceClass] = [.land, .water, .cloud]

    public var description: String {
        switch self {
        case .invalid: "invalid"
        case .land: "land"
        case .water: "water"
        case .cloud: "cloud"
        }
    }
}
