import Foundation
import GeoRaster

/// One row of `manifest.csv`: a written tile and what it holds.
public struct ManifestRow: Sendable, Equatable {
    public var scene: String
    public var tileID: String
    /// The tile's window in scene pixels; it may reach past the scene.
    public var window: Window
    /// The width and height of the part of the tile inside the scene.
    public var validWidth: Int
    public var validHeight: Int
    /// Fractions of the tile's pixels, in [0, 1]. `invalidFraction` counts
    /// padding and invalid scene pixels; the water and cloud fractions are
    /// nil for tiles without a label.
    public var invalidFraction: Double
    public var waterFraction: Double?
    public var cloudFraction: Double?
    /// Paths relative to the output folder.
    public var imagePath: String
    public var labelPath: String?

    public static let header = [
        "scene", "tile_id", "column_offset", "row_offset", "width", "height", "valid_width", "valid_height",
        "invalid_fraction", "water_fraction", "cloud_fraction", "image_path", "label_path",
    ]

    var fields: [String] {
        [scene, tileID, String(window.columnOffset), String(window.rowOffset), String(window.width),
         String(window.height), String(validWidth), String(validHeight), Manifest.format(invalidFraction),
         waterFraction.map(Manifest.format) ?? "", cloudFraction.map(Manifest.format) ?? "",
         imagePath, labelPath ?? ""]
    }

    init(scene: String, tileID: String, window: Window, validWidth: Int, validHeight: Int,
         invalidFraction: Double, waterFraction: Double?, cloudFraction: Double?, imagePath: String, labelPath: String?) {
        self.scene = scene
        self.tileID = tileID
        self.window = window
        self.validWidth = validWidth
        self.validHeight = validHeight
        self.invalidFraction = invalidFraction
        self.waterFraction = waterFraction
        self.cloudFraction = cloudFraction
        self.imagePath = imagePath
        self.labelPath = labelPath
    }
}

/// Reading, writing and merging tile manifests (CSV with a header line).
public enum Manifest {
    public static let fileName = "manifest.csv"

    static func format(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    /// Returns CSV text: the header, then one line per row.
    public static func csv(_ rows: [ManifestRow]) -> String {
        var text = ManifestRow.header.joined(separator: ",") + "\n"
        for row in rows {
            text += row.fields.map(escape).joined(separator: ",") + "\n"
        }
        return text
    }

    /// Writes rows to `path` under a temporary name, then renames it.
    public static func write(_ rows: [ManifestRow], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(
            "." + (path as NSString).lastPathComponent + ".partial-\(UUID().uuidString.prefix(8))")
        do {
            try csv(rows).write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else {
                throw TilingError.unwritableOutput((path as NSString).deletingLastPathComponent,
                                                   reason: String(cString: strerror(errno)))
            }
        } catch let error as TilingError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw TilingError.unwritableOutput((path as NSString).deletingLastPathComponent,
                                               reason: error.localizedDescription)
        }
    }

    /// Joins the shard manifests in `folder` (`manifest.shard-I-of-N.csv`)
    /// into `folder/manifest.csv`, sorted by scene and tile.
    /// - Returns: the number of rows written.
    /// - Throws: `TilingError` when no shard manifests exist, shards are
    ///   missing, or the parts disagree on N.
    @discardableResult
    public static func mergeShards(in folder: String) throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var shards: [Int: String] = [:]
        var counts = Set<Int>()
        for name in names {
            let parts = name.split(separator: ".")
            guard parts.count == 3, parts[0] == "manifest", parts[2] == "csv" else { continue }
            let numbers = parts[1].split(separator: "-")
            guard numbers.count == 4, numbers[0] == "shard", numbers[2] == "of",
                  let index = Int(numbers[1]), let count = Int(numbers[3]) else { continue }
            shards[index] = (folder as NSString).appendingPathComponent(name)
            counts.insert(count)
        }
        guard let count = counts.first else { throw TilingError.noShardManifests(folder) }
        guard counts.count == 1 else {
            throw TilingError.invalidManifest(folder, reason: "shard manifests of different shard counts \(counts.sorted())")
        }
        // A corrupt name may claim billions of shards, so at most 20 missing
        // ones are listed.
        if let outside = shards.keys.first(where: { $0 >= count }) ?? (count < 1 ? count : nil) {
            throw TilingError.invalidManifest(folder, reason: "shard manifest index \(outside) is not below the shard count \(count)")
        }
        guard shards.count == count else {
            let missing = (0..<count).lazy.filter { shards[$0] == nil }.prefix(20)
            throw TilingError.missingShards(folder: folder, missing: Array(missing), count: count)
        }
        var rows: [ManifestRow] = []
        for index in 0..<count { rows += try read(shards[index]!) }
        rows.sort { ($0.scene, $0.tileID) < ($1.scene, $1.tileID) }
        try write(rows, to: (folder as NSString).appendingPathComponent(fileName))
        return rows.count
    }

    /// Quotes a field that holds a comma, a quote or a line break. The
    /// check runs on Unicode scalars because Swift reads "\r\n" as one
    /// `Character`, which equals neither "\r" nor "\n".
    private static func escape(_ field: String) -> String {
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
