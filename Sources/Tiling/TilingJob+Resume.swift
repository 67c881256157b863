import Foundation
import GeoRaster

/// Resuming the work of an earlier run into the same folder: the checks of
/// finished scenes, and the hidden partial files that belong to this job.
extension TilingJob {
    /// Returns whether an earlier run finished a scene: its part exists and
    /// reads, and every tile it lists is intact.
    func partListsIntactTiles(_ scene: PreparedScene) -> Bool {
        guard FileManager.default.fileExists(atPath: partPath(scene.name)),
              let rows = try? Manifest.read(partPath(scene.name)) else { return false }
        return rows.allSatisfy { row in
            TileFile.isIntact((outputFolder as NSString).appendingPathComponent(row.imagePath),
                              window: row.window, bandCount: scene.bandCount)
                && (row.labelPath == nil) == (scene.pair.label == nil)
                && (row.labelPath.map {
                    TileFile.isIntact((outputFolder as NSString).appendingPathComponent($0), window: row.window, bandCount: 1)
                } ?? true)
        }
    }

    /// Removes the hidden partial files (`.<name>.partial-*`) of the named
    /// scenes' tiles and parts, and of this job's manifest.
    func removePartialFiles(of sceneNames: [String]) {
        let names = Set(sceneNames)
        let manifestName = options.shard?.manifestName ?? Manifest.fileName
        let fileManager = FileManager.default
        for folder in [imagesFolder, labelsFolder, partsFolder, outputFolder] {
            for file in (try? fileManager.contentsOfDirectory(atPath: folder)) ?? [] {
                guard let target = TilingJob.partialFileTarget(file) else { continue }
                let belongs = target == manifestName
                    || (target.hasSuffix(".csv") && names.contains(String(target.dropLast(4))))
                    || TilingJob.tileScene(fileName: target).map(names.contains) == true
                if belongs { try? fileManager.removeItem(atPath: (folder as NSString).appendingPathComponent(file)) }
            }
        }
    }

    /// Returns the final name of a hidden partial file, such as
    /// `s_r00000_c00000.tif` for `.s_r00000_c00000.tif.partial-1a2b3c4d`.
    static func partialFileTarget(_ file: String) -> String? {
        guard file.hasPrefix("."), let marker = file.range(of: ".partial-", options: .backwards) else { return nil }
        return String(file[file.index(after: file.startIndex)..<marker.lowerBound])
    }

    /// Returns the scene of a tile file name `<scene>_r<row>_c<column>.tif`.
    static func tileScene(fileName: String) -> String? {
        guard fileName.hasSuffix(".tif") else { return nil }
        let parts = fileName.dropLast(4).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count >= 3,
              let row = parts[parts.count - 2].first, row == "r", Int(parts[parts.count - 2].dropFirst()) != nil,
              let column = parts[parts.count - 1].first, column == "c", Int(parts[parts.count - 1].dropFirst()) != nil else {
            return nil
        }
        return parts.dropLast(2).joined(separator: "_")
    }

    /// Turns a stored label record into words: `without a label` or
    /// `with label 'x.tif'`.
    static func labelPhrase(_ record: String) -> String {
        record == "no label" ? "without a label" : "with label '\(record.dropFirst("label ".count))'"
    }
}
