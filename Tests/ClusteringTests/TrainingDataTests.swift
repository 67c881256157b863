import Foundation
import Testing
import TensorEngine
import TestSupport
import GeoRaster
import Tiling
@testable import Clustering

@Suite struct TrainingDataTests {
    let scratch = try! ScratchFolder(prefix: "training-data")

    @Test func tileFolderGivesItsTiles() throws {
        let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
        var options = TilingOptions()
        options.tileSize = 32
        let tiles = scratch.file("tiles")
        _ = try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: nil)], outputFolder: tiles.path, options: options).run { _ in }
        let data = try TrainingData(inputs: [tiles.path], bands: nil)
        #expect(data.rasterCount == 4)
        #expect(data.bands == ["B3", "B8", "B11"])
        // The tiles hold the scene's pixels, so the statistics agree.
        let fromTiles = try data.statistics(), fromScene = try TrainingData(inputs: [scene.path], bands: nil).statistics()
        #expect(fromTiles.pixelCount == fromScene.pixelCount)
        for band in 0..<3 {
            #expect(abs(fromTiles.means[band] - fromScene.means[band]) < 1e-6)
        }
    }

    @Test func cropsKeepMostlyValidPixels() throws {
        // Rows 0-3 are invalid; a 16-pixel crop is at most a quarter invalid.
        let data = try TrainingData(inputs: [try TrainingFixtures.scene(scratch.file("scene.tif")).path], bands: ["B11", "B3"])
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<10 {
            let crop = try data.randomCrop(size: 16, generator: &generator)
            #expect(crop.reflectance.count == 2 * 16 * 16)
            #expect(crop.valid.filter { $0 }.count >= 16 * 12)
        }
    }

    @Test func cropLargerThanSceneIsPadded() throws {
        let data = try TrainingData(inputs: [try TrainingFixtures.scene(scratch.file("scene.tif")).path], bands: nil)
        var generator = SeededGenerator(seed: 3)
        let crop = try data.randomCrop(size: 80, generator: &generator)
        #expect(crop.valid.filter { $0 }.count == 60 * 64)
    }

    @Test func manyBandsWithoutDefaultsNeedBands() throws {
        let path = scratch.file("five.tif").path
        let transform = GeoTransform(originX: 0, pixelWidth: 10, originY: 0, pixelHeight: -10)
        try RasterWriter.write(samples: [UInt16](repeating: 500, count: 5 * 16), width: 4, height: 4,
                               bandNames: ["B1", "B2", "B3", "B4", "B5"],
                               georeference: Georeference(geoTransform: transform, spatialReference: nil), nodata: nil, to: path)
        #expect(throws: ClusteringError.bandsNotChosen(scene: path, available: ["B1", "B2", "B3", "B4", "B5"])) {
            try TrainingData(inputs: [path], bands: nil)
        }
    }

    @Test func bandsNameUnnamedFileBands() throws {
        // An 8-bit RGB PNG names no bands; --bands names them in file order.
        let path = scratch.file("export.png").path
        try RasterWriter.writePNG(rgb: (0..<(3 * 16)).map { UInt8(10 + $0) }, width: 4, height: 4, to: path)
        let data = try TrainingData(inputs: [path], bands: ["B11", "B8", "B3"])
        #expect(data.bands == ["B11", "B8", "B3"])
        let statistics = try data.statistics()
        #expect(statistics.pixelCount == 16)
        // Pixel-interleaved RGB: the first band's samples are 10, 13, ..., 55, over 255.
        #expect(abs(statistics.means[0] - 32.5 / 255) < 1e-5)
    }

    @Test func unnamedFileBandsWithoutBandsNeedThem() throws {
        let path = scratch.file("export.png").path
        try RasterWriter.writePNG(rgb: [UInt8](repeating: 100, count: 3 * 16), width: 4, height: 4, to: path)
        #expect(throws: GeoRasterError.self) {
            try TrainingData(inputs: [path], bands: nil)
        }
    }

    @Test func emptyFolderHasNoScenes() throws {
        let folder = scratch.file("empty")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(throws: ClusteringError.noScenes(folder.path)) {
            try TrainingData(inputs: [folder.path], bands: nil)
        }
    }

    @Test func allInvalidSceneHasNoValidPixels() throws {
        let path = scratch.file("zeros.tif").path
        try RasterWriter.write(samples: [UInt16](repeating: 0, count: 3 * 64), width: 8, height: 8, bandNames: ["B3", "B8", "B11"],
                               georeference: Georeference(geoTransform: nil, spatialReference: nil), nodata: nil, to: path)
        #expect(throws: ClusteringError.noValidPixels) {
            try TrainingData(inputs: [path], bands: nil).statistics()
        }
    }
}
