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
    /// The tile's invalid pixels over all its pixels (`width x height`), in
    /// [0, 1]: padding past the scene edge, invalid scene pixels (nodata,
    /// fill, mask) and, for a labelled tile, pixels the label marks invalid.
    public var invalidFraction: Double
    /// Water and cloud pixels over the tile's valid pixels, those valid in
    /// both image and label, in [0, 1]; 0 when no pixel is valid, nil for a
    /// tile without a label. Padding never dilutes them.
    ///
    /// ```
    /// water_fraction = water pixels / valid pixels
    /// cloud_fraction = cloud pixels / valid pixels
    /// invalid_fraction = (width x height - valid pixels) / (width x height)
    /// ```
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

    init?(fields: [String]) {
        guard fields.count == ManifestRow.header.count,
              let column = Int(fields[2]), let row = Int(fields[3]), let width = Int(fields[4]), let height = Int(fields[5]),
              width >= 0, height >= 0,
              let validWidth = Int(fields[6]), let validHeight = Int(fields[7]), let invalid = Double(fields[8]) else {
            return nil
        }
        self.init(scene: fields[0], tileID: fields[1],
                  window: Window(columnOffset: column, rowOffset: row, width: width, height: height),
                  validWidth: validWidth, validHeight: validHeight, invalidFraction: invalid,
                  waterFraction: Double(fields[9]), cloudFraction: Double(fields[10]),
                  imagePath: fields[11], labelPath: fields[12].isEmpty ? nil : fields[12])
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

    /// Reads the rows of a manifest.
    /// - Throws: `TilingError.invalidManifest` naming the bad line.
    public static func read(_ path: String) throws -> [ManifestRow] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TilingError.invalidManifest(path, reason: "cannot be read")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, parseLine(header) == ManifestRow.header else {
            throw TilingError.invalidManifest(path, reason: "its header is not '\(ManifestRow.header.joined(separator: ","))'")
        }
        lines.removeFirst()
        return try lines.enumerated().map { number, line in
            guard let row = ManifestRow(fields: parseLine(line)) else {
                throw TilingError.invalidManifest(path, reason: "line \(number + 2) is malformed")
            }
            return row
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
            guard let shard = Shard(manifestName: name) else { continue }
            shards[shard.index] = (folder as NSString).appendingPathComponent(name)
            counts.insert(shard.count)
        }
        guard let count = counts.first else { throw TilingError.noShardManifests(folder) }
        guard counts.count == 1 else {
            let files = names.compactMap { name -> (count: Int, index: Int, name: String)? in
                guard let shard = Shard(manifestName: name) else { return nil }
                return (shard.count, shard.index, name)
            }.sorted { ($0.count, $0.index) < ($1.count, $1.index) }.map(\.name)
            throw TilingError.mixedShardCounts(folder: folder, files: files, counts: counts.sorted())
        }
        let missing = (0..<count).filter { shards[$0] == nil }
        guard missing.isEmpty else { throw TilingError.missingShards(folder: folder, missing: missing, count: count) }
        var rows: [ManifestRow] = []
        for index in 0..<count { rows += try read(shards[index]!) }
        rows.sort { ($0.scene, $0.tileID) < ($1.scene, $1.tileID) }
        try write(rows, to: (folder as NSString).appendingPathComponent(fileName))
        return rows.count
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits one CSV line into fields (RFC 4180 quoting: a field in
    /// double quotes may hold commas, and `""` inside it is one quote).
    static func parseLine(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" {
                        current.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
            index += 1
        }
        fields.append(current)
        return fields
    }
}
