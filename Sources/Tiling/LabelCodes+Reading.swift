import Foundation
import GeoRaster

extension LabelCodes {
    /// The classes a label with these codes can hold, without `invalid`, in
    /// `SurfaceClass` order: the columns an evaluation scores.
    public var classes: [SurfaceClass] {
        let present: Set<SurfaceClass>
        switch kind {
        case .table(let table): present = Set(table.values)
        case .cloudAndWaterBands: present = [.land, .water, .cloud]
        }
        return SurfaceClass.scored.filter { present.contains($0) }
    }

    /// Reads a window of a label raster as `SurfaceClass` raw values.
    ///
    /// Pixels outside the label, or masked by its nodata, are `invalid`.
    /// - Parameters:
    ///   - label: the label raster; it has `bandCount` bands.
    ///   - window: the pixels to read; it may reach past the label.
    /// - Throws: `TilingError.labelBandCount` for a label with another band
    ///   count, `TilingError.unknownLabelCode` for a code the map lacks, and
    ///   `GeoRasterError` for a failed read.
    public func readClasses(of label: Dataset, window: Window) throws -> [UInt8] {
        guard label.bands.count == bandCount else {
            throw TilingError.labelBandCount(label: label.path, bandCount: label.bands.count, codes: name, expected: bandCount)
        }
        let samples = try label.read(window: window, as: Int32.self, fill: 0, rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        switch classify(samples.samples, validity: samples.validity) {
        case .success(let classes):
            return classes.map(\.rawValue)
        case .failure(let unknown):
            throw TilingError.unknownLabelCode(label: label.path, code: unknown.code, codes: name, definedCodes: definedCodes)
        }
    }
}

extension PairingRule {
    /// Returns the label among `labelFiles` whose name (without extension)
    /// the first matching rule derives from `sceneName`: the user's `rules`
    /// first, then the built-in ones. Returns nil when none matches.
    public static func label(forScene sceneName: String, in labelFiles: [String], rules: [PairingRule] = []) -> String? {
        let byStem = Dictionary(labelFiles.map { (((($0 as NSString).lastPathComponent) as NSString).deletingPathExtension, $0) },
                                uniquingKeysWith: { first, _ in first })
        return (rules + builtIn).lazy.compactMap { $0.labelName(forScene: sceneName) }.compactMap { byStem[$0] }.first
    }
}
