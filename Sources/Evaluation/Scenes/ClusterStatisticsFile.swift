import Foundation

/// The `<scene>_clusters.json` file written next to a cluster-id raster: the
/// scene's per-cluster spectral statistics, so that `shoreline evaluate`
/// can name the clusters label-free without reading the scene again.
///
/// ```
/// {"water_index": "mndwi", "statistics": {...}, "mapping": {"method": "label-free", "clusters": [...]}}
/// ```
public struct ClusterStatisticsFile: Codable, Equatable, Sendable {
    /// The index the statistics hold: `ndwi` or `mndwi`.
    public var waterIndex: String
    /// The per-cluster sums and means.
    public var statistics: ClusterSpectralStatistics
    /// The label-free mapping the water mask was made with.
    public var mapping: ClusterMapping

    private enum CodingKeys: String, CodingKey {
        case waterIndex = "water_index"
        case statistics
        case mapping
    }

    public init(waterIndex: WaterIndex, statistics: ClusterSpectralStatistics, mapping: ClusterMapping) {
        self.waterIndex = waterIndex.rawValue
        self.statistics = statistics
        self.mapping = mapping
    }

    /// Reads a statistics file.
    /// - Throws: `EvaluationError.invalidStatistics` naming the path and the cause.
    public init(contentsOf path: String) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw EvaluationError.invalidStatistics(path: path, reason: Self.describe(error))
        } catch {
            throw EvaluationError.invalidStatistics(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes the file under a temporary name, then renames it into place.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
