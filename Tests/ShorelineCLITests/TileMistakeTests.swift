import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

/// Mistakes a user makes with `tile`, `merge-manifests` and the top level:
/// each gets one error line with the right fix and the right exit code
/// (2 for the command line, 1 for the data, 3 for scenes skipped).
@Suite struct TileMistakeTests {
    let scratch = try! ScratchFolder(prefix: "cli-mistake")

    func scene(_ name: String, bands: [String] = ["B3", "B8"]) throws -> URL {
        try writeScene(scratch.file(name), width: 32, height: 32, bandNames: bands) { _, _, _ in 9 }
    }

    @Test func bareCommandPrintsHelpToStandardError() {
        let result = runShoreline([])
        #expect(result.exitCode == 2)
        #expect(result.output.isEmpty)
        #expect(result.diagnostics.first == "USAGE: shoreline <command> [options]")
        #expect(result.diagnostics.contains { $0.hasPrefix("  tile ") })
    }

    @Test func sameSceneTwiceIsUsageError() throws {
        let path = try scene("s.tif").path
        let label = try writeScene(scratch.file("l.tif"), width: 32, height: 32, bandNames: ["label"]) { _, _, _ in 1 }
        let output = scratch.file("out").path
        let twice = runShoreline(["tile", path, path, "--output", output])
        #expect(twice.exitCode == 2)
        #expect(twice.errors == ["error: input '\(path)' is given twice; give each scene once"])

        let paired = runShoreline(["tile", path, "--pair", "\(path)=\(label.path)", "--label-codes", "worldfloods",
                                   "--output", output])
        #expect(paired.exitCode == 2)
        #expect(paired.errors == ["error: input '\(path)' is given twice; give each scene once"])
    }

    @Test func scenesSharingANameStillNeedSeparateFolders() throws {
        try FileManager.default.createDirectory(at: scratch.file("a"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("b"), withIntermediateDirectories: true)
        let first = try scene("a/s.tif").path
        let second = try scene("b/s.tif").path
        let result = runShoreline(["tile", first, second, "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: scenes '\(first)' and '\(second)' share the name 's', so their tiles would collide; tile them into separate output folders"])
    }

    @Test(arguments: [
        (["--pair", "nonsense"], "error: pair 'nonsense' is invalid; write it as SCENE=LABEL"),
        (["--bands", "B4,B4"], "error: option '--bands' names band 'B4' twice in 'B4,B4'; name each band once, in file order"),
        (["--bands", "B8,b08"], "error: option '--bands' names band 'B8' twice in 'B8,b08'; name each band once, in file order"),
        (["--on-error", "ignore"], "error: option '--on-error' must be stop or skip, got 'ignore'; run 'shoreline tile --help'"),
        (["--label-codes", "bogus"], "error: unknown label codes 'bogus'; use one of worldfloods, worldfloods-v2, sen1floods11, binary255, or a map such as -1:invalid,0:land,1:water"),
        (["--label-codes", "0:land,1:sea"], "error: label codes '0:land,1:sea' are invalid at '1:sea'; use a preset (worldfloods, worldfloods-v2, sen1floods11, binary255) or CODE:CLASS pairs such as -1:invalid,0:land,1:water"),
    ])
    func malformedValueIsUsageError(arguments: [String], error: String) throws {
        let path = try scene("s.tif").path
        let result = runShoreline(["tile", path, "--output", scratch.file("out").path] + arguments)
        #expect(result.exitCode == 2)
        #expect(result.errors == [error])
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out").path))
    }

    @Test func wrongBandCountIsUsageError() throws {
        let path = try scene("s.tif", bands: ["B4", "B3", "B2"]).path
        let info = runShoreline(["info", path, "--bands", "B1,B2"])
        #expect(info.exitCode == 2)
        #expect(info.errors == ["error: scene '\(path)' has 3 bands but --bands declares 2 ('B1,B2'); declare one name per band, in file order"])
        let tile = runShoreline(["tile", path, "--bands", "B1,B2", "--output", scratch.file("out").path])
        #expect(tile.exitCode == 2)
        #expect(tile.errors == info.errors)
    }

    @Test func outputThatIsAFile() throws {
        let path = try scene("s.tif").path
        let file = try scene("notafolder.tif").path
        let result = runShoreline(["tile", path, "--output", file])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output '\(file)' is a file, not a folder; choose a folder path for --output"])
    }

    @Test func missingLabelPath() throws {
        let path = try scene("s.tif").path
        let labels = scratch.file("nope").path + "/"
        let result = runShoreline(["tile", path, "--labels", labels, "--label-codes", "worldfloods",
                                   "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: label path '\(labels)' not found; check the --labels path"])
    }

    @Test func unreadableSceneIsSkippedOnRequest() throws {
        try FileManager.default.createDirectory(at: scratch.file("in"), withIntermediateDirectories: true)
        try writeScene(scratch.file("in/good.tif"), width: 32, height: 32, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let broken = scratch.file("in/broken.tif")
        try "not an image".write(to: broken, atomically: true, encoding: .utf8)
        let output = scratch.file("out")

        let stopped = runShoreline(["tile", scratch.file("in").path, "--output", output.path, "--size", "32"])
        #expect(stopped.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.csv").path))

        let skipped = runShoreline(["tile", scratch.file("in").path, "--output", output.path, "--size", "32",
                                    "--on-error", "skip"])
        #expect(skipped.exitCode == 3)
        let reason = "file '\(broken.path)' is not a raster GDAL can read; pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete"
        #expect(skipped.diagnostics.contains("warning: skipped scene '\(broken.path)': \(reason)"))
        #expect(skipped.errors == ["error: 1 of 2 scenes failed and were skipped; see '\(output.path)/failed-scenes.csv', fix them and run again"])
        #expect(skipped.output.contains("scenes: 2 (1 failed)"))
        #expect(skipped.output.contains("tiles in manifest: 1 (written 1, present from an earlier run 0)"))
        let failed = try String(contentsOf: output.appendingPathComponent("failed-scenes.csv"), encoding: .utf8)
        #expect(failed == "scene,error\n\(broken.path),\"\(reason)\"\n")
        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.csv"), encoding: .utf8)
        #expect(manifest.split(separator: "\n").count == 2)

        // Once the scene is fixed, the list of failures goes.
        try FileManager.default.removeItem(at: broken)
        let fixed = runShoreline(["tile", scratch.file("in").path, "--output", output.path, "--size", "32", "--on-error", "skip"])
        #expect(fixed.exitCode == 0, "\(fixed.diagnostics)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("failed-scenes.csv").path))
    }

    @Test func helpDocumentsExitCodes() {
        let result = runShoreline(["tile", "--help"])
        #expect(result.output.contains { $0.contains("3 when --on-error skip skipped a scene") })
    }

    @Test func mergeNamesShardFilesOfDifferentCounts() throws {
        let folder = scratch.file("shards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["manifest.shard-0-of-2.csv", "manifest.shard-1-of-2.csv", "manifest.shard-0-of-3.csv"] {
            try (ManifestHeader.line + "\n").write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let result = runShoreline(["merge-manifests", folder.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: folder '\(folder.path)' holds shard manifests of 2 and 3 shards (manifest.shard-0-of-2.csv, manifest.shard-1-of-2.csv, manifest.shard-0-of-3.csv); delete those of the shard count you no longer use, then merge again"])
    }

    @Test func mergeNamesTheMissingShard() throws {
        let folder = scratch.file("shards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (ManifestHeader.line + "\n").write(to: folder.appendingPathComponent("manifest.shard-0-of-2.csv"),
                                                atomically: true, encoding: .utf8)
        let result = runShoreline(["merge-manifests", folder.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: folder '\(folder.path)' is missing the manifest of shard 1 of 2 (manifest.shard-1-of-2.csv); run that shard first, then merge again"])
    }
}

/// The manifest header, written here so the tests do not depend on the
/// code under test to build their inputs.
enum ManifestHeader {
    static let line = "scene,tile_id,column_offset,row_offset,width,height,valid_width,valid_height,invalid_fraction,water_fraction,cloud_fraction,image_path,label_path"
}
