/// Sentinel-2 band names and the band orders Shoreline recognises by count.
public enum Sentinel2Bands {
    /// The 13 bands of a Level-1C product, in the order WorldFloods and
    /// Sen1Floods11 store them.
    public static let level1C = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12"]

    /// The 12 bands of a Level-2A product: the Level-1C order without B10
    /// (the cirrus band, which atmospheric correction drops).
    public static let level2A = level1C.filter { $0 != "B10" }

    /// Returns the band order implied by a band count, or nil when the count
    /// has no preset (13 is Level-1C, 12 is Level-2A).
    public static func preset(bandCount: Int) -> [String]? {
        switch bandCount {
        case 13: level1C
        case 12: level2A
        default: nil
        }
    }

    /// Returns the canonical name of a band written in any common spelling:
    /// `B01`, `b1`, `B8a` and `B1` all become `B1`, `B8A`. Returns nil for
    /// names that are not Sentinel-2 bands.
    public static func canonicalName(_ name: String) -> String? {
        let upper = name.uppercased()
        guard upper.hasPrefix("B") else { return nil }
        let rest = upper.dropFirst()
        if rest == "8A" || rest == "08A" { return "B8A" }
        guard let number = Int(rest), (1...12).contains(number) else { return nil }
        return "B\(number)"
    }
}

/// The origin of a scene's band names, for `info` and error messages.
public enum BandNameSource: String, Sendable, Codable {
    /// The file's band descriptions.
    case descriptions
    /// The band count preset (13 = Level-1C order, 12 = Level-2A order).
    case bandCountPreset = "band-count preset"
    /// The names the user declared (`--bands`).
    case declared
    /// The file names of a scene stored one file per band.
    case fileNames = "file names"
    /// The band positions (`band1`, `band2`…), for rasters such as labels
    /// whose bands need no Sentinel-2 names.
    case bandIndex = "band index"
}

/// Resolves band names for a scene from, in order: the user's declaration,
/// the file's band descriptions, then the band count preset.
///
/// A declaration wins when given, because it is how a user corrects a file
/// whose descriptions are wrong; it must name every band.
/// - Throws: `GeoRasterError` with code `.unnamedBands` when nothing names the
///   bands, or when a declaration has the wrong count or repeats a name.
/// - Parameter isRedGreenBlue: whether GDAL's colour interpretation marks
///   the three bands red, green and blue, as RGB exports do. The error then
///   suggests the Sentinel-2 bands of those colours, B4,B3,B2.
func resolveBandNames(path: String, bandCount: Int, descriptions: [String],
                      declared: [String]?, isRedGreenBlue: Bool = false) throws -> (names: [String], source: BandNameSource) {
    if let declared {
        guard declared.count == bandCount else {
            throw GeoRasterError(.unnamedBands, path: path,
                                 message: "scene '\(path)' has \(bandCount) bands but --bands declares \(declared.count) ('\(declared.joined(separator: ","))')",
                                 fix: "declare one name per band, in file order")
        }
        guard Set(declared).count == declared.count, !declared.contains("") else {
            throw GeoRasterError(.unnamedBands, path: path,
                                 message: "band names '\(declared.joined(separator: ","))' for scene '\(path)' are empty or repeated",
                                 fix: "declare each band once, in file order")
        }
        return (declared.map { Sentinel2Bands.canonicalName($0) ?? $0 }, .declared)
    }
    let canonical = descriptions.map { Sentinel2Bands.canonicalName($0) ?? $0 }
    if !canonical.contains(""), Set(canonical).count == canonical.count {
        return (canonical, .descriptions)
    }
    if let preset = Sentinel2Bands.preset(bandCount: bandCount) {
        return (preset, .bandCountPreset)
    }
    let message = "scene '\(path)' has \(bandCount) bands without names, and only 13 (Level-1C) and 12 (Level-2A) bands have a preset"
    if isRedGreenBlue {
        throw GeoRasterError(.unnamedBands, path: path, message: message,
                             fix: "the file marks them red, green, blue: declare them with --bands B4,B3,B2")
    }
    let example = Array(Sentinel2Bands.level1C.prefix(bandCount)).joined(separator: ",")
    throw GeoRasterError(.unnamedBands, path: path, message: message,
                         fix: "declare them in file order with --bands, e.g. --bands \(example) (names: \(Sentinel2Bands.level1C.joined(separator: ", ")))")
}
