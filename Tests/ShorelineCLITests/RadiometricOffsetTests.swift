import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

/// The radiometric offset of baseline 04.00 products, from `info` to the
/// tiles and back to reflectance.
@Suite struct RadiometricOffsetTests {
    let scratch = try! ScratchFolder(prefix: "cli-offset")

    func scene(metadata: [String: String] = [:]) throws -> URL {
        let path = scratch.file("l2a.tif")
        try RasterWriter.write(samples: [UInt16](repeating: 1500, count: 2 * 16 * 16), width: 16, height: 16,
                               bandNames: ["B3", "B8"], georeference: Georeference(geoTransform: nil, spatialReference: nil),
                               metadata: metadata, to: path.path)
        return path
    }

    @Test func infoShowsTheDeclaredOffset() throws {
        let path = try scene().path
        let text = runShoreline(["info", path, "--offset", "1000"])
        #expect(text.output.contains("radiometric offset: 1000 (declared with --offset)"))
        #expect(text.output.contains("reflectance = (DN - 1000.0) / 10000.0"))

        let json = runShoreline(["info", path, "--offset", "1000", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.joined().utf8)) as? [String: Any])
        #expect(object["radiometric_offset"] as? Double == 1000)
        #expect(object["radiometric_offset_source"] as? String == "declared")
        #expect(object["reflectance"] as? String == "(DN - 1000.0) / 10000.0")
    }

    @Test func infoShowsTheOffsetFromMetadata() throws {
        let path = try scene(metadata: ["BOA_ADD_OFFSET": "-1000"]).path
        let text = runShoreline(["info", path])
        #expect(text.output.contains("radiometric offset: 1000 (from metadata)"))
        let json = runShoreline(["info", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.joined().utf8)) as? [String: Any])
        #expect(object["radiometric_offset_source"] as? String == "metadata")
    }

    @Test func infoOnABandFolderNamesTheFolder() throws {
        let folder = scratch.file("T32UPU")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for band in ["B03", "B08"] {
            try writeScene(folder.appendingPathComponent("T32UPU_20230322_\(band)_10m.tif"), width: 8, height: 8,
                           bandNames: [band]) { _, _, _ in 700 }
        }
        let json = runShoreline(["info", folder.path, "--json"])
        #expect(json.exitCode == 0, "\(json.diagnostics)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.joined().utf8)) as? [String: Any])
        #expect(object["path"] as? String == folder.path)
    }

    @Test(arguments: [
        (["--offset", "1000"], [String: String]()),
        ([], ["BOA_ADD_OFFSET": "-1000"]),
        ([], ["PROCESSING_BASELINE": "05.09"]),
    ])
    func tilesCarryTheOffset(arguments: [String], metadata: [String: String]) throws {
        let path = try scene(metadata: metadata).path
        let output = scratch.file("out")
        let result = runShoreline(["tile", path, "--output", output.path, "--size", "16"] + arguments)
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let tile = try Dataset(path: output.appendingPathComponent("images/l2a_r00000_c00000.tif").path)
        #expect(tile.radiometricOffset == 1000)
        let reflectance = try tile.readReflectance(bands: ["B3"], window: tile.fullWindow)
        #expect(reflectance.samples.allSatisfy { abs($0 - 0.05) < 1e-6 }, "(1500 - 1000) / 10000")
    }

    @Test func tileWithoutAnyOffsetWritesNone() throws {
        let path = try scene().path
        let output = scratch.file("out")
        #expect(runShoreline(["tile", path, "--output", output.path, "--size", "16"]).exitCode == 0)
        let tile = try Dataset(path: output.appendingPathComponent("images/l2a_r00000_c00000.tif").path)
        #expect(tile.radiometricOffset == nil)
    }

    @Test func changedOffsetIsRejectedOnRerun() throws {
        let path = try scene().path
        let output = scratch.file("out").path
        #expect(runShoreline(["tile", path, "--output", output, "--size", "16"]).exitCode == 0)
        let result = runShoreline(["tile", path, "--output", output, "--size", "16", "--offset", "1000"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(output)' holds tiles made with '--size 16 --overlap 0 --max-invalid 0.5', not '--size 16 --overlap 0 --max-invalid 0.5 --offset 1000'; choose another --output or repeat the earlier options"])
    }
}
