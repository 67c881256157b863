import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

/// End-to-end runs on the real scenes; each skips when the data is absent.
@Suite struct RealDataTests {
    let scratch = try! ScratchFolder(prefix: "cli-real")

    func manifestLines(_ folder: URL) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("manifest.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: SharedData.file(SharedData.sen1floods11Scene) != nil, "needs the real data"))
    func sen1floods11ChipWithLabel() throws {
        let folder = try #require(SharedData.file("sen1floods11"))
        let output = scratch.file("s11")
        let result = runShoreline(["tile", folder.path, "--label-codes", "sen1floods11", "--output", output.path])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let lines = try manifestLines(output)
        #expect(lines.count == 2)
        let fields = lines[1].split(separator: ",").map(String.init)
        #expect(fields[0] == "Spain_7370579_S2Hand")
        let water = try #require(Double(fields[9]))
        #expect(abs(water - 0.267) < 0.005, "the label is 26.7 % water")

        let scene = try Dataset(path: try #require(SharedData.file(SharedData.sen1floods11Scene)).path)
        let tile = try Dataset(path: output.appendingPathComponent(fields[11]).path)
        #expect(tile.geoTransform == scene.geoTransform)
        #expect(tile.spatialReference?.epsg == 4326)
        #expect(tile.bandNames == Sentinel2Bands.level1C)
        #expect(tile.bands.allSatisfy { $0.dataType == .int16 })
        let label = try Dataset(path: output.appendingPathComponent(fields[12]).path, allowUnnamedBands: true)
        #expect(label.bands[0].dataType == .byte)
    }

    @Test(.enabled(if: SharedData.file(SharedData.ombriaFolder) != nil, "needs the real data"))
    func ombriaPNGsWithMasks() throws {
        let folder = try #require(SharedData.file(SharedData.ombriaFolder))
        let output = scratch.file("ombria")
        let result = runShoreline(["tile", folder.path, "--bands", "B11,B8,B3", "--label-codes", "binary255",
                                   "--size", "256", "--workers", "2", "--output", output.path])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let lines = try manifestLines(output)
        #expect(lines.count == 79, "78 scenes of one 256 px tile each")
        let tile = try Dataset(path: output.appendingPathComponent("images/S2_after_0001_r00000_c00000.tif").path)
        #expect(tile.bandNames == ["B11", "B8", "B3"])
        #expect(tile.bands[0].dataType == .byte)
    }

    @Test(.enabled(if: SharedData.file(SharedData.ammerseeFolder) != nil, "needs the real data"))
    func ammerseeBandFolder() throws {
        let folder = try #require(SharedData.file(SharedData.ammerseeFolder))
        let output = scratch.file("ammersee")
        let result = runShoreline(["tile", folder.path, "--output", output.path, "--max-invalid", "1"])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        #expect(try manifestLines(output).count == 1 + 4, "580 x 747 px gives 2 x 2 tiles")
        let tile = try Dataset(path: output.appendingPathComponent("images/T32UPU_20230322T101649_r00512_c00512.tif").path)
        #expect(tile.bandNames == Sentinel2Bands.level2A)
        #expect(tile.spatialReference?.epsg == 32632)
        #expect(tile.geoTransform?.originX == 675_360.0, "644640 + 512 px x 60 m")
        #expect(tile.geoTransform?.originY == 5_304_300.0, "5335020 - 512 px x 60 m")
        let block = try tile.read(window: tile.fullWindow, as: UInt16.self)
        #expect(block.validCount <= (580 - 512) * (747 - 512), "padding is invalid")
    }

    @Test(.enabled(if: SharedData.file(SharedData.betsibokaScene) != nil, "needs the real data"))
    func betsibokaNonSquareNeedsBands() throws {
        let scene = try #require(SharedData.file(SharedData.betsibokaScene))
        let output = scratch.file("betsiboka")
        let refused = runShoreline(["tile", scene.path, "--output", output.path])
        #expect(refused.exitCode == 1)
        #expect(refused.errors.first?.hasSuffix("the file marks them red, green, blue: declare them with --bands B4,B3,B2") == true)

        let result = runShoreline(["tile", scene.path, "--bands", "B4,B3,B2", "--output", output.path])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        #expect(try manifestLines(output).count == 1 + 2, "512 x 856 px gives 1 x 2 tiles")
        let source = try Dataset(path: scene.path, bandNames: ["B4", "B3", "B2"])
        let tile = try Dataset(path: output.appendingPathComponent("images/betsiboka_b123_r00512_c00000.tif").path)
        let expected = try #require(source.geoTransform?.shifted(by: Window(columnOffset: 0, rowOffset: 512, width: 512, height: 512)))
        #expect(abs((tile.geoTransform?.originY ?? 0) - expected.originY) < 1e-9)
        #expect(tile.spatialReference?.epsg == 4326)
    }

    @Test(.enabled(if: SharedData.isAvailable, "needs the real data"))
    func infoOnEveryDataFolder() throws {
        for relativePath in [SharedData.sen1floods11Scene, SharedData.ammerseeFolder, SharedData.betsibokaScene,
                             SharedData.ombriaFolder + "/AFTER/S2_after_0001.png"] {
            let path = try #require(SharedData.file(relativePath))
            let result = runShoreline(["info", path.path])
            #expect(result.exitCode == 0, "\(relativePath): \(result.diagnostics)")
            #expect(result.output.contains { $0.hasPrefix("valid fraction: ") }, "\(relativePath)")
        }
    }
}
