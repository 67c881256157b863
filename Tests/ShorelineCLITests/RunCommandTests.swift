import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import ShorelineCLI

/// `shoreline run` end to end on a small scene made here, trained for two steps.
@Suite struct RunCommandTests {
    let scratch = try! ScratchFolder(prefix: "cli-run")

    @Test(arguments: ["iic", "infoseg"])
    func runWritesReportAndTable(method: String) throws {
        let water: [UInt16] = [600, 800, 500, 200, 100, 80]
        let land: [UInt16] = [500, 700, 600, 3000, 2500, 1800]
        try FileManager.default.createDirectory(at: scratch.file("data"), withIntermediateDirectories: true)
        let scene = try writeScene(scratch.file("data/pond_S2Hand.tif"), width: 64, height: 48,
                                   bandNames: ["B2", "B3", "B4", "B8", "B11", "B12"]) { band, row, column in
            (column < 24 ? water[band] : land[band]) + UInt16((row * 5 + column * 3) % 17)
        }
        try writeScene(scratch.file("data/pond_LabelHand.tif"), width: 64, height: 48, bandNames: ["label"]) { _, _, column in
            column < 24 ? 1 : 0
        }
        let output = scratch.file("out-\(method)").path
        let result = runShoreline(["run", "--output", output, "--method", method, "--label-codes", "sen1floods11", "--steps", "2", "--batch", "1",
                                   "--crop", "32", "--tile-size", "32", "--overclusters", "0", scene.deletingLastPathComponent().path])
        #expect(result.exitCode == 0, "\(result.diagnostics)")
        let header = result.output.first ?? ""
        #expect(header.hasPrefix("method "), "\(result.output)")
        let methods = result.output.dropFirst().map { $0.components(separatedBy: "  ").first ?? "" }
        #expect(methods.contains(method))
        #expect(methods.contains("NDWI > 0"))
        #expect(methods.contains("MNDWI > Otsu"))
        #expect(methods.contains("k-means (k = 3)"))
        #expect(methods.contains("k-means (k = 3, spectral shape)"))
        let ndwi = try #require(result.output.first { $0.hasPrefix("NDWI > 0 ") })
        #expect(ndwi.split(separator: " ").contains("1.000"), "NDWI > 0 finds this pond exactly: \(ndwi)")
        #expect(result.output.last == "report: \(output)/report.md")

        let report = try String(contentsOfFile: output + "/report.md", encoding: .utf8)
        #expect(report.contains("| \(method) | label-free |"))
        #expect(report.contains("![training loss per step](loss.png)"))
        for path in ["loss.png", "run/config.json", "predictions/\(method)/pond_S2Hand_overlay.png", "predictions/kmeans/pond_S2Hand_clusters.tif",
                     "predictions/kmeans-spectral-shape/pond_S2Hand_water.tif"] {
            #expect(FileManager.default.fileExists(atPath: output + "/" + path), "\(path) is written")
        }
    }

    @Test func labelsWithoutCodesAreRejected() throws {
        try FileManager.default.createDirectory(at: scratch.file("data"), withIntermediateDirectories: true)
        let scene = try writeScene(scratch.file("data/a_S2Hand.tif"), width: 8, height: 8, bandNames: ["B3", "B8"]) { _, _, _ in 100 }
        let label = try writeScene(scratch.file("data/a_LabelHand.tif"), width: 8, height: 8, bandNames: ["label"]) { _, _, _ in 1 }
        let result = runShoreline(["run", "--output", scratch.file("out").path, scene.deletingLastPathComponent().path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: label '\(label.path)' needs --label-codes to convert its codes; pass one of worldfloods, worldfloods-v2, sen1floods11, binary255 or a map such as -1:invalid,0:land,1:water"])
    }

    @Test func unknownMethodIsAUsageError() {
        let result = runShoreline(["run", "--output", "OUT", "--method", "kmeans", "SCENE"])
        #expect(result.exitCode == 2)
        #expect(result.errors == ["error: option '--method' must be iic or infoseg, got 'kmeans'; run 'shoreline run --help'"])
    }
}
