import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

@Suite struct CommandTests {
    let scratch = try! ScratchFolder(prefix: "cli")

    func contents(_ relativePath: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file(relativePath).path)) ?? []).sorted()
    }

    @Test func unknownCommandIsUsageError() {
        let result = runShoreline(["tiles"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: unknown command 'tiles'; run 'shoreline --help' for the list of commands"])
    }

    @Test func topLevelHelpListsCommands() {
        let result = runShoreline(["--help"])
        #expect(result.exitCode == 0)
        for command in ["info", "tile", "merge-manifests"] {
            #expect(result.output.contains { $0.hasPrefix("  \(command) ") }, "help lacks '\(command)'")
        }
    }

    @Test func versionNamesGDAL() {
        let result = runShoreline(["--version"])
        #expect(result.exitCode == 0)
        #expect(result.output.first?.hasPrefix("shoreline 0.1.0 (GDAL 3.") == true)
    }

    @Test(arguments: ["info", "tile", "merge-manifests"])
    func helpExitsZero(command: String) {
        let result = runShoreline([command, "--help"])
        #expect(result.exitCode == 0)
        #expect(result.output.first?.hasPrefix("USAGE: shoreline \(command)") == true)
    }

    @Test func infoOnMissingPath() {
        let result = runShoreline(["info", "/nonexistent/x.tif"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: scene '/nonexistent/x.tif' not found; check the path"])
        #expect(result.output.isEmpty)
    }

    @Test func infoOnTextFile() throws {
        let path = scratch.file("readme.tif")
        try "hello".write(to: path, atomically: true, encoding: .utf8)
        let result = runShoreline(["info", path.path])
        #expect(result.exitCode == 1)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.hasPrefix("error: file '\(path.path)' is not a raster GDAL can read") == true)
    }

    @Test func infoOnTruncatedTIFF() throws {
        let whole = try writeScene(scratch.file("whole.tif"), width: 400, height: 400, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(truncatingIfNeeded: band * 7919 + row * 37 + column * 11)
        }
        let bytes = try Data(contentsOf: whole)
        let truncated = scratch.file("truncated.tif")
        try bytes.prefix(bytes.count * 2 / 3).write(to: truncated)
        let result = runShoreline(["info", truncated.path])
        #expect(result.exitCode == 1)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.contains("'\(truncated.path)'") == true)
    }

    @Test func infoJSONHasEveryKey() throws {
        let scene = try writeScene(scratch.file("scene.tif"), width: 30, height: 20, bandNames: ["B3", "B8"], nodata: 0) { _, row, _ in
            UInt16(row < 5 ? 0 : 700)
        }
        let result = runShoreline(["info", scene.path, "--json"])
        #expect(result.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.joined().utf8)) as? [String: Any])
        for key in ["path", "driver", "width", "height", "bands", "crs", "epsg", "geotransform", "pixel_size", "bounds",
                    "block_size", "valid_fraction", "valid_fraction_sampled", "valid_fraction_method", "band_name_source",
                    "radiometric_offset", "radiometric_offset_source", "reflectance"] {
            #expect(object[key] != nil, "missing key '\(key)'")
        }
        #expect(object["width"] as? Int == 30)
        #expect(object["epsg"] as? Int == 32632)
        #expect(abs((object["valid_fraction"] as? Double ?? 0) - 0.75) < 1e-9)
        #expect(object["bounds"] as? [Double] == [600_000, 5_000_000 - 400, 600_600, 5_000_000])
        let bands = try #require(object["bands"] as? [[String: Any]])
        #expect(bands.map { $0["name"] as? String } == ["B3", "B8"])
        #expect(bands.first?["nodata"] as? Double == 0)
    }

    @Test func infoShowsDeclaredOffset() throws {
        let scene = try writeScene(scratch.file("l2a.tif"), width: 4, height: 4, bandNames: ["B3", "B8"]) { _, _, _ in 1500 }
        let plain = runShoreline(["info", scene.path])
        #expect(plain.output.contains("reflectance = DN / 10000.0"))
        #expect(plain.output.contains("radiometric offset: not in metadata (baseline 04.00 and later products add 1000: pass --offset 1000)"))
        let declared = runShoreline(["info", scene.path, "--offset", "1000"])
        #expect(declared.output.contains("reflectance = (DN - 1000.0) / 10000.0"))
    }

    @Test func tileUnnamedBandsNeedDeclaration() throws {
        let scene = try writeScene(scratch.file("rgb.tif"), width: 8, height: 8, bandNames: ["", "", ""]) { _, _, _ in 5 }
        let output = scratch.file("out")
        let result = runShoreline(["tile", scene.path, "--output", output.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: scene '\(scene.path)' has 3 bands without names, and only 13 (Level-1C) and 12 (Level-2A) bands have a preset; declare them in file order with --bands, e.g. --bands B1,B2,B3 (names: B1, B2, B3, B4, B5, B6, B7, B8, B8A, B9, B10, B11, B12)"])
        #expect(contents("out/images").isEmpty)

        let declared = runShoreline(["tile", scene.path, "--output", output.path, "--bands", "B4,B3,B2", "--size", "8"])
        #expect(declared.exitCode == 0, "\(declared.diagnostics)")
        #expect(contents("out/images") == ["rgb_r00000_c00000.tif"])
    }

    @Test func tileLabelOfOtherSize() throws {
        let scene = try writeScene(scratch.file("s.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let label = try writeScene(scratch.file("s_label.tif"), width: 16, height: 15, bandNames: ["label"]) { _, _, _ in 1 }
        let result = runShoreline(["tile", scene.path, "--labels", label.path, "--label-codes", "worldfloods",
                                   "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: label '\(label.path)' is 16 x 15 but scene '\(scene.path)' is 16 x 16; pair each scene with the label made on its pixel grid"])
        #expect(contents("out/images").isEmpty)
    }

    @Test func tileShiftedLabel() throws {
        let scene = try writeScene(scratch.file("s.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let label = try writeScene(scratch.file("s_label.tif"), width: 16, height: 16, bandNames: ["label"],
                                   originX: 600_000 + 10 * 20) { _, _, _ in 1 }
        let result = runShoreline(["tile", scene.path, "--labels", label.path, "--label-codes", "worldfloods",
                                   "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors.first?.contains("is shifted from scene '\(scene.path)' by 10.00 pixels in x") == true)
        #expect(contents("out/images").isEmpty)
        #expect(contents("out/labels").isEmpty)
    }

    @Test func tileAllInvalidScene() throws {
        let scene = try writeScene(scratch.file("blank.tif"), width: 16, height: 16, bandNames: ["B3", "B8"], nodata: 3) { _, _, _ in 3 }
        let result = runShoreline(["tile", scene.path, "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: no tiles written: every pixel of 'blank' is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value"])
        #expect(result.diagnostics.contains("warning: scene 'blank' has no valid pixel; it gave no tiles") == false,
                "the error says it once")
    }

    @Test func tileUnwritableOutput() throws {
        let scene = try writeScene(scratch.file("s.tif"), width: 16, height: 16, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let blocker = scratch.file("a-file")
        try Data().write(to: blocker)
        let result = runShoreline(["tile", scene.path, "--output", blocker.path + "/out"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(blocker.path)/out' cannot be created because '\(blocker.path)' is a file; choose a folder path for --output"])
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out").path))
    }

    @Test func tileCorruptSceneLeavesNoPartialFiles() throws {
        let whole = try writeScene(scratch.file("whole.tif"), width: 600, height: 600, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(truncatingIfNeeded: 1 + band * 7919 + row * 37 + column * 11)
        }
        let bytes = try Data(contentsOf: whole)
        let broken = scratch.file("broken.tif")
        try bytes.prefix(bytes.count / 2).write(to: broken)
        let result = runShoreline(["tile", broken.path, "--output", scratch.file("out").path, "--size", "128"])
        #expect(result.exitCode == 1)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.contains("'\(broken.path)'") == true)
        #expect(!contents("out/images").contains { $0.contains("partial") })
        #expect(contents("out/parts").isEmpty, "an unfinished scene has no manifest part")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/manifest.csv").path))
    }

    @Test func tileTextFileIsNotRaster() throws {
        let path = scratch.file("notes.tif")
        try "not an image".write(to: path, atomically: true, encoding: .utf8)
        let result = runShoreline(["tile", path.path, "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: file '\(path.path)' is not a raster GDAL can read; pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete"])
        #expect(contents("out/images").isEmpty)
    }

    @Test func tileMissingInput() {
        let result = runShoreline(["tile", "/nonexistent/scenes", "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: input '/nonexistent/scenes' not found; check the path"])
    }

    @Test func tileRequiresOutput() throws {
        let result = runShoreline(["tile", "x.tif"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--output DIR' is required; run 'shoreline tile --help' for the options"])
    }

    @Test func tileRejectsOverlapNotBelowSize() {
        let result = runShoreline(["tile", "x.tif", "--output", "o", "--size", "64", "--overlap", "64"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--overlap' must be smaller than --size 64, got '64'; run 'shoreline tile --help'"])
    }

    @Test func tileShardsThenMerge() throws {
        try FileManager.default.createDirectory(at: scratch.file("in"), withIntermediateDirectories: true)
        for index in 0..<3 {
            try writeScene(scratch.file("in/scene\(index).tif"), width: 40, height: 40, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        }
        let output = scratch.file("out").path
        for shard in ["0/2", "1/2"] {
            let result = runShoreline(["tile", scratch.file("in").path, "--output", output, "--size", "20", "--shard", shard])
            #expect(result.exitCode == 0, "\(result.diagnostics)")
        }
        #expect(contents("out").contains("manifest.shard-0-of-2.csv"))
        let merged = runShoreline(["merge-manifests", output])
        #expect(merged.exitCode == 0)
        #expect(merged.output == ["merged 12 tiles into \(output)/manifest.csv"])
    }

    @Test func tileRerunResumes() throws {
        let scene = try writeScene(scratch.file("s.tif"), width: 64, height: 64, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let arguments = ["tile", scene.path, "--output", scratch.file("out").path, "--size", "32"]
        #expect(runShoreline(arguments).output.contains("tiles in manifest: 4 (written 4, present from an earlier run 0)"))
        let again = runShoreline(arguments)
        #expect(again.exitCode == 0)
        #expect(again.output.contains("scenes: 1 (1 finished by an earlier run)"))
        #expect(again.output.contains("tiles in manifest: 4 (written 0, present from an earlier run 4)"))
    }
}

@Suite struct TileOptionValueTests {
    @Test func malformedLabelCodesIsUsageError() {
        let result = runShoreline(["tile", "x.tif", "--output", "o", "--label-codes", "sen1flood"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: unknown label codes 'sen1flood'; use one of worldfloods, worldfloods-v2, sen1floods11, binary255, or a map such as -1:invalid,0:land,1:water"])
    }

    @Test func malformedShardIsUsageError() {
        let result = runShoreline(["tile", "x.tif", "--output", "o", "--shard", "3/3"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: shard '3/3' is invalid; write it as I/N with 0 <= I < N, such as 0/4"])
    }

    @Test func unknownCompressionIsUsageError() {
        let result = runShoreline(["tile", "x.tif", "--output", "o", "--compression", "jpeg"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--compression' must be deflate, zstd, lzw or none, got 'jpeg'; run 'shoreline tile --help'"])
    }
}
