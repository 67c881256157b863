import Foundation
import GeoRaster

/// The mapping from a label raster's codes to `SurfaceClass` values.
///
/// Presets:
/// - `worldfloods`: 0 invalid, 1 land, 2 water, 3 cloud (one band).
/// - `worldfloods-v2`: two bands, {0 invalid, 1 clear, 2 cloud} and
///   {0 invalid, 1 land, 2 water}; cloud wins over the water band.
/// - `sen1floods11`: -1 invalid, 0 land, 1 water.
/// - `binary255`: 0 land, 255 water.
/// - an explicit map such as `-1:invalid,0:land,1:water`.
public struct LabelCodes: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case table([Int: SurfaceClass])
        case cloudAndWaterBands
    }

    /// The preset name, or the explicit map as given.
    public let name: String
    let kind: Kind

    public static let presetNames = ["worldfloods", "worldfloods-v2", "sen1floods11", "binary255"]

    /// Returns the codes of a preset name or of an explicit map
    /// (`CODE:CLASS,...`, with classes invalid, land, water, cloud).
    /// - Throws: `TilingError.unknownLabelCodes` for a name that is no
    ///   preset and no map, `TilingError.invalidLabelCodes` naming the bad
    ///   part of a map.
    public init(parsing text: String) throws {
        name = text
        switch text {
        case "worldfloods":
            kind = .table([0: .invalid, 1: .land, 2: .water, 3: .cloud])
        case "worldfloods-v2":
            kind = .cloudAndWaterBands
        case "sen1floods11":
            kind = .table([-1: .invalid, 0: .land, 1: .water])
        case "binary255":
            kind = .table([0: .land, 255: .water])
        default:
            guard text.contains(":") else { throw TilingError.unknownLabelCodes(text) }
            var table: [Int: SurfaceClass] = [:]
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let code = Int(parts[0]),
                      let surface = SurfaceClass.allCases.first(where: { $0.description == parts[1] }),
                      table[code] == nil else {
                    throw TilingError.invalidLabelCodes(text, entry: String(entry))
                }
                table[code] = surface
            }
            guard !table.isEmpty else { throw TilingError.invalidLabelCodes(text, entry: text) }
            kind = .table(table)
        }
    }

    /// The number of label bands the codes read.
    public var bandCount: Int {
        kind == .cloudAndWaterBands ? 2 : 1
    }

    public var description: String { name }

    /// Converts label samples to classes.
    ///
    /// - Parameters:
    ///   - samples: band-sequential codes, shape `(bandCount, pixelCount)`.
    ///   - validity: false where the label has no data (outside, nodata);
    ///     those pixels become `.invalid` whatever their code.
    /// - Returns: one class per pixel, or the first code the map lacks.
    func classify(_ samples: [Int32], validity: [Bool]) -> Result<[SurfaceClass], UnknownCode> {
        let pixelCount = validity.count
        var classes = [SurfaceClass](repeating: .invalid, count: pixelCount)
        switch kind {
        case .table(let table):
            // A dense lookup for the usual small codes, the dictionary otherwise.
            var lookup = [SurfaceClass?](repeating: nil, count: 512)
            for (code, surface) in table where code >= -256 && code < 256 { lookup[code + 256] = surface }
            for pixel in 0..<pixelCount where validity[pixel] {
                let code = Int(samples[pixel])
                let surface = (code >= -256 && code < 256) ? lookup[code + 256] : table[code]
                guard let surface else { return .failure(UnknownCode(code: code)) }
                classes[pixel] = surface
            }
        case .cloudAndWaterBands:
            for pixel in 0..<pixelCount where validity[pixel] {
                let cloud = samples[pixel]
                let water = samples[pixelCount + pixel]
                guard (0...2).contains(cloud) else { return .failure(UnknownCode(code: Int(cloud))) }
                guard (0...2).contains(water) else { return .failure(UnknownCode(code: Int(water))) }
                if cloud == 2 {
                    classes[pixel] = .cloud
                } else if cloud == 0 || water == 0 {
                    classes[pixel] = .invalid
                } else {
                    classes[pixel] = water == 2 ? .water : .land
                }
            }
        }
        return .success(classes)
    }

    /// A code found in a label that the map does not define.
    struct UnknownCode: Error {
        let code: Int
    }

    /// The codes the map defines, for error messages.
    var definedCodes: String {
        switch kind {
        case .table(let table): table.keys.sorted().map(String.init).joined(separator: ", ")
        case .cloudAndWaterBands: "0, 1, 2 in each band"
        }
    }
}
