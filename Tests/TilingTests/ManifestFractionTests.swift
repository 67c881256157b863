import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import Tiling

/// The manifest's fraction columns: water and cloud over the pixels valid
/// in both image and label, invalid over all of the tile's pixels.
@Suite struct ManifestFractionTests {
    let scratch = try! ScratchFolder(prefix: "fractions")

    @Test func fractionsCountOnlyValidPixels() throws {
        // A 96 x 64 scene in 64 px tiles: the right tile is 32 px of scene
        // and 32 px of padding. Its label marks rows 0-7 invalid (code 0),
        // rows 8-15 of columns 64-79 cloud (3) and columns 80-95 water (2).
        let scene = try SceneFixtures.scene(scratch.file("edge.tif"), width: 96, height: 64)
        let label = try SceneFixtures.write(scratch.file("edge_label.tif"), width: 96, height: 64, bandNames: [""]) { _, row, column -> UInt8 in
            if row < 8 { return 0 }
            if column >= 80 { return 2 }
            if row < 16, column >= 64 { return 3 }
            return 1
        }
        var options = TilingOptions()
        options.tileSize = 64
        options.labelCodes = try LabelCodes(parsing: "worldfloods")
        let summary = try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: label.path)],
                                    outputFolder: scratch.file("out").path, options: options).run()
        let rows = try Manifest.read(summary.manifestPath)
        #expect(rows.map(\.tileID) == ["r00000_c00000", "r00000_c00064"])

        // Left tile: 4096 scene pixels, 512 of them label-invalid, no water or cloud.
        #expect(rows[0].invalidFraction == 512.0 / 4096)
        #expect(rows[0].waterFraction == 0)
        #expect(rows[0].cloudFraction == 0)

        // Right tile: 2048 scene pixels, 256 label-invalid, so 1792 valid;
        // water 16 x 56 = 896, cloud 16 x 8 = 128.
        let right = rows[1]
        #expect(right.invalidFraction == Double(4096 - 1792) / 4096)
        #expect(right.waterFraction == 896.0 / 1792)
        #expect(right.cloudFraction.map { abs($0 - 128.0 / 1792) < 1e-6 } == true, "written with 6 decimals")
    }

    @Test func tileWithoutLabelHasNoClassFractions() throws {
        let scene = try SceneFixtures.scene(scratch.file("plain.tif"), width: 96, height: 64)
        var options = TilingOptions()
        options.tileSize = 64
        let summary = try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: nil)],
                                    outputFolder: scratch.file("out").path, options: options).run()
        let rows = try Manifest.read(summary.manifestPath)
        #expect(rows.map(\.invalidFraction) == [0, 0.5])
        #expect(rows.allSatisfy { $0.waterFraction == nil && $0.cloudFraction == nil })
    }
}
