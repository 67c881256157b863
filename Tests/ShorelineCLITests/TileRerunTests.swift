import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

/// Re-runs of `tile` into a folder that an earlier run, finished or not, wrote.
@Suite struct TileRerunTests {
    let scratch = try! ScratchFolder(prefix: "cli-rerun")

    func contents(_ relativePath: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file(relativePath).path)) ?? []).sorted()
    }

    /// Writes a 64 x 64 scene whose samples vary, so its tiles compress to
    /// files large enough to truncate.
    func variedScene(_ name: String) throws -> URL {
        try writeScene(scratch.file(name), width: 64, height: 64, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(truncatingIfNeeded: 1 + band * 7919 + row * 977 + column * 131)
        }
    }

    @Test func newLabelsInAnEarlierFolderAreRejected() throws {
        let scene = try variedScene("s.tif")
        let label = try writeScene(scratch.file("s_label.tif"), width: 64, height: 64, bandNames: ["label"]) { _, _, _ in 2 }
        let output = scratch.file("out").path
        let first = runShoreline(["tile", scene.path, "--label-codes", "worldfloods", "--output", output, "--size", "32"])
        #expect(first.exitCode == 0, "\(first.diagnostics)")

        let labelled = runShoreline(["tile", scene.path, "--labels", label.path, "--label-codes", "worldfloods",
                                     "--output", output, "--size", "32"])
        #expect(labelled.exitCode == 1)
        #expect(labelled.errors == ["error: output folder '\(output)' holds tiles of scene 's' made without a label, not with label 's_label.tif'; choose another --output, or pair the scene as the earlier run did"])
        #expect(contents("out/labels").isEmpty)
    }

    @Test func labelledRerunOfLabelledFolderResumes() throws {
        let scene = try variedScene("s.tif")
        let label = try writeScene(scratch.file("s_label.tif"), width: 64, height: 64, bandNames: ["label"]) { _, _, _ in 2 }
        let arguments = ["tile", scene.path, "--labels", label.path, "--label-codes", "worldfloods",
                         "--output", scratch.file("out").path, "--size", "32"]
        #expect(runShoreline(arguments).exitCode == 0)
        let again = runShoreline(arguments)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        #expect(again.output.contains("scenes: 1 (1 finished by an earlier run)"))
    }

    @Test func missingAndTruncatedTilesAreRewritten() throws {
        let scene = try variedScene("s.tif")
        let output = scratch.file("out")
        let arguments = ["tile", scene.path, "--output", output.path, "--size", "32"]
        #expect(runShoreline(arguments).exitCode == 0)

        try FileManager.default.removeItem(at: output.appendingPathComponent("images/s_r00000_c00000.tif"))
        let truncated = output.appendingPathComponent("images/s_r00000_c00032.tif")
        let bytes = try Data(contentsOf: truncated)
        try bytes.prefix(bytes.count / 2).write(to: truncated)

        let again = runShoreline(arguments)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        #expect(again.output.contains("scenes: 1"))
        #expect(again.output.contains("tiles in manifest: 4 (written 2, present from an earlier run 2)"))
        for name in contents("out/images") {
            let tile = try Dataset(path: output.appendingPathComponent("images/\(name)").path)
            _ = try tile.read(window: tile.fullWindow, as: UInt16.self, fill: 0)
        }
    }

    @Test func truncatedTileOfAnUnfinishedSceneIsRewritten() throws {
        let scene = try variedScene("s.tif")
        let output = scratch.file("out")
        let arguments = ["tile", scene.path, "--output", output.path, "--size", "32"]
        #expect(runShoreline(arguments).exitCode == 0)
        try FileManager.default.removeItem(at: output.appendingPathComponent("parts/s.csv"))
        let truncated = output.appendingPathComponent("images/s_r00032_c00032.tif")
        let bytes = try Data(contentsOf: truncated)
        try bytes.prefix(bytes.count - 200).write(to: truncated)

        let again = runShoreline(arguments)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        #expect(again.output.contains("tiles in manifest: 4 (written 1, present from an earlier run 3)"))
    }

    @Test func staleHiddenFilesOfTheTiledScenesAreRemoved() throws {
        let scene = try variedScene("s.tif")
        let output = scratch.file("out")
        let arguments = ["tile", scene.path, "--output", output.path, "--size", "32"]
        #expect(runShoreline(arguments).exitCode == 0)
        let stale = ["images/.s_r00000_c00000.tif.partial-1a2b3c4d", "labels/.s_r00000_c00032.tif.partial-1a2b3c4d",
                     "parts/.s.csv.partial-1a2b3c4d"]
        // Another shard may be writing these scenes' files into the same folder.
        let others = ["images/.s_2_r00000_c00000.tif.partial-1a2b3c4d", "images/.t_r00000_c00000.tif.partial-1a2b3c4d",
                      "parts/.t.csv.partial-1a2b3c4d"]
        for path in stale + others {
            try Data([1, 2, 3]).write(to: output.appendingPathComponent(path))
        }

        let again = runShoreline(arguments)
        #expect(again.exitCode == 0, "\(again.diagnostics)")
        for path in stale {
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path), "'\(path)' is left")
        }
        for path in others {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(path).path), "'\(path)' is removed")
        }
    }

    @Test func failedValidationCreatesNoFolders() throws {
        let notes = scratch.file("notes.tif")
        try "not an image".write(to: notes, atomically: true, encoding: .utf8)
        let result = runShoreline(["tile", notes.path, "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out").path))
    }
}
