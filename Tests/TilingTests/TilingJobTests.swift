import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import Tiling

@Suite struct TilingJobTests {
    let scratch = try! ScratchFolder(prefix: "tiling")

    func job(_ pairs: [ScenePair], output: String = "out", configure: (inout TilingOptions) -> Void = { _ in }) -> TilingJob {
        var options = TilingOptions()
        configure(&options)
        return TilingJob(pairs: pairs, outputFolder: scratch.file(output).path, options: options)
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file(folder).path)) ?? []).sorted()
    }

    @Test func edgeTilesArePaddedAndMasked() throws {
        // 1312 x 1079 into 512 tiles: 3 x 3, the last row and column padded.
        let scene = try SceneFixtures.scene(scratch.file("wide.tif"), width: 1312, height: 1079)
        let summary = try job([ScenePair(scene: .file(scene.path), label: nil)]) { $0.maxInvalidFraction = 1 }.run()
        #expect(summary.tilesWritten == 9)
        #expect(files(in: "out/images").count == 9)

        let corner = try Dataset(path: scratch.file("out/images/wide_r01024_c01024.tif").path)
        #expect(corner.width == 512, "edge tiles keep the tile size, not stretched")
        #expect(corner.height == 512)
        #expect(corner.hasDatasetMask)
        let block = try corner.read(window: corner.fullWindow, as: UInt16.self)
        #expect(block.validCount == (1312 - 1024) * (1079 - 1024))
        #expect(block.validity[0])
        #expect(!block.validity[(1079 - 1024) * 512], "the first padded row is invalid")
        #expect(!block.validity[1312 - 1024], "the first padded column is invalid")
        #expect(block[band: 1, row: 0, column: 0] == 1001)

        // A tile inside the scene has no invalid pixel, so no mask band.
        let inner = try Dataset(path: scratch.file("out/images/wide_r00000_c00000.tif").path)
        #expect(!inner.hasDatasetMask)
        #expect(try inner.read(window: inner.fullWindow, as: UInt16.self).validCount == 512 * 512)

        let rows = try Manifest.read(summary.manifestPath)
        let cornerRow = try #require(rows.first { $0.tileID == "r01024_c01024" })
        #expect(cornerRow.validWidth == 288)
        #expect(cornerRow.validHeight == 55)
        #expect(abs(cornerRow.invalidFraction - (1 - 288.0 * 55 / (512 * 512))) < 1e-6)
    }

    @Test func tileOriginIsShiftedSceneOrigin() throws {
        // A 100 x 100 scene cut into 50 px tiles at step 45: the tile at
        // (90, 90) starts 90 pixels right of and below the scene origin.
        let scene = try SceneFixtures.scene(scratch.file("small.tif"), width: 100, height: 100)
        _ = try job([ScenePair(scene: .file(scene.path), label: nil)]) {
            $0.tileSize = 50
            $0.overlap = 5
            $0.maxInvalidFraction = 1
        }.run()
        let tile = try Dataset(path: scratch.file("out/images/small_r00090_c00090.tif").path)
        #expect(tile.geoTransform?.originX == 500_900.0)
        #expect(tile.geoTransform?.originY == 3_999_100.0)
        #expect(tile.spatialReference?.epsg == 32631)
        #expect(tile.bandNames == ["B3", "B8"])
    }

    @Test func labelTileHoldsSurfaceClasses() throws {
        let scene = try SceneFixtures.scene(scratch.file("s_S2Hand.tif"), width: 600, height: 300)
        let label = try SceneFixtures.label(scratch.file("s_LabelHand.tif"), width: 600, height: 300) { row, column in
            row < 10 ? -1 : (column < 300 ? 1 : 0)
        }
        let summary = try job([ScenePair(scene: .file(scene.path), label: label.path)]) {
            $0.labelCodes = try! LabelCodes(parsing: "sen1floods11")
            $0.maxInvalidFraction = 1
        }.run()
        #expect(summary.tilesWritten == 2)
        let labelTile = try Dataset(path: scratch.file("out/labels/s_S2Hand_r00000_c00512.tif").path, allowUnnamedBands: true)
        #expect(labelTile.bands[0].dataType == .byte)
        #expect(labelTile.bands[0].nodata == 0)
        let classes = try labelTile.read(window: labelTile.fullWindow, as: UInt8.self,
                                         rule: ValidityRule(zeroInAllBandsIsInvalid: false, nodataInAnyBandIsInvalid: false))
        #expect(classes[band: 0, row: 0, column: 0] == SurfaceClass.invalid.rawValue, "label code -1")
        #expect(classes[band: 0, row: 20, column: 0] == SurfaceClass.land.rawValue)
        #expect(classes[band: 0, row: 20, column: 100] == SurfaceClass.invalid.rawValue, "padding past column 600")
        #expect(classes[band: 0, row: 299, column: 50] == SurfaceClass.land.rawValue)
        #expect(classes[band: 0, row: 300, column: 50] == SurfaceClass.invalid.rawValue, "padding past row 300")

        let rows = try Manifest.read(summary.manifestPath)
        let first = try #require(rows.first)
        // Valid in both: rows 10-299 of 512 columns; water: their first 300 columns.
        #expect(abs(first.waterFraction! - 300.0 / 512) < 1e-6)
        #expect(abs(first.invalidFraction - (1 - 290.0 / 512)) < 1e-6, "label code -1 and padding")
        #expect(first.cloudFraction == 0)
        #expect(first.labelPath == "labels/s_S2Hand_r00000_c00000.tif")
    }

    @Test func shiftedLabelIsRejected() throws {
        let scene = try SceneFixtures.scene(scratch.file("a.tif"), width: 64, height: 64)
        var shifted = SceneFixtures.transform
        shifted.originX += 10 * 10
        let label = try SceneFixtures.label(scratch.file("a_label.tif"), width: 64, height: 64, transform: shifted) { _, _ in 0 }
        let error = #expect(throws: TilingError.self) {
            try job([ScenePair(scene: .file(scene.path), label: label.path)]) {
                $0.labelCodes = try! LabelCodes(parsing: "sen1floods11")
            }.run()
        }
        #expect(error?.description == "label '\(label.path)' is shifted from scene '\(scene.path)' by 10.00 pixels in x and 0.00 pixels in y at the origin; pair each scene with the label made on its pixel grid")
        #expect(files(in: "out/images").isEmpty)
        #expect(files(in: "out/labels").isEmpty)
    }

    @Test func labelOfOtherSizeIsRejected() throws {
        let scene = try SceneFixtures.scene(scratch.file("b.tif"), width: 64, height: 64)
        let label = try SceneFixtures.label(scratch.file("b_label.tif"), width: 64, height: 63) { _, _ in 0 }
        let error = #expect(throws: TilingError.self) {
            try job([ScenePair(scene: .file(scene.path), label: label.path)]) {
                $0.labelCodes = try! LabelCodes(parsing: "sen1floods11")
            }.run()
        }
        #expect(error?.description == "label '\(label.path)' is 64 x 63 but scene '\(scene.path)' is 64 x 64; pair each scene with the label made on its pixel grid")
    }

    @Test func labelOfOtherCRSIsRejected() throws {
        let scene = try SceneFixtures.scene(scratch.file("c.tif"), width: 64, height: 64)
        let label = try SceneFixtures.label(scratch.file("c_label.tif"), width: 64, height: 64,
                                            crs: SpatialReference(epsg: 32632)!) { _, _ in 0 }
        let error = #expect(throws: TilingError.self) {
            try job([ScenePair(scene: .file(scene.path), label: label.path)]) {
                $0.labelCodes = try! LabelCodes(parsing: "sen1floods11")
            }.run()
        }
        #expect(error?.description == "label '\(label.path)' has CRS 'EPSG:32632' but scene '\(scene.path)' has 'EPSG:32631'; reproject the label onto the scene's grid (gdalwarp)")
    }

    @Test func allInvalidSceneWritesNoTiles() throws {
        let scene = try SceneFixtures.write(scratch.file("empty.tif"), width: 40, height: 30, bandNames: ["B3", "B8"]) { _, _, _ in
            UInt16(0)
        }
        let error = #expect(throws: TilingError.self) {
            try job([ScenePair(scene: .file(scene.path), label: nil)]).run()
        }
        #expect(error?.description == "no tiles written: every pixel of 'empty' is invalid (nodata, 0 in all bands, or masked); check the scene and its nodata value")
        #expect(files(in: "out/images").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/manifest.csv").path))
    }

    @Test func rotatedFootprintCornersAreSkipped() throws {
        // A diamond of data in a 1024 x 1024 scene, 0 in all bands outside,
        // as a rotated footprint reprojected onto a north-up grid looks.
        let scene = try SceneFixtures.write(scratch.file("diamond.tif"), width: 1024, height: 1024,
                                            bandNames: ["B3", "B8"]) { band, row, column in
            abs(row - 512) + abs(column - 512) < 512 ? UInt16(500 + band) : 0
        }
        let summary = try job([ScenePair(scene: .file(scene.path), label: nil)]) {
            $0.tileSize = 256
            $0.maxInvalidFraction = 0.5
        }.run()
        // The 4 x 4 grid's corner tiles are wholly outside the diamond, and
        // the 8 tiles beside them are exactly half invalid minus the diagonal.
        let kept = try Manifest.read(summary.manifestPath).map(\.tileID)
        #expect(!kept.contains("r00000_c00000"))
        #expect(!kept.contains("r00768_c00768"))
        #expect(kept.contains("r00256_c00256"))
        #expect(summary.tilesWritten + summary.tilesSkippedInvalid == 16)
        #expect(summary.tilesSkippedInvalid >= 4)
        let tile = try Dataset(path: scratch.file("out/images/diamond_r00256_c00256.tif").path)
        let block = try tile.read(window: tile.fullWindow, as: UInt16.self)
        #expect(!block.validity[0], "the 0-valued pixel at scene (256, 256) is invalid")
        #expect(block.validity[255 * 256 + 255])
    }

    @Test func resumeSkipsFinishedWork() throws {
        let first = try SceneFixtures.scene(scratch.file("one.tif"), width: 300, height: 200)
        let second = try SceneFixtures.scene(scratch.file("two.tif"), width: 300, height: 200)
        let pairs = [ScenePair(scene: .file(first.path), label: nil), ScenePair(scene: .file(second.path), label: nil)]
        let configure: (inout TilingOptions) -> Void = { $0.tileSize = 128; $0.maxInvalidFraction = 1 }
        let initial = try job(pairs, configure: configure).run()
        #expect(initial.tilesWritten == 2 * 3 * 2)
        let manifest = try String(contentsOf: scratch.file("out/manifest.csv"), encoding: .utf8)

        // Simulate a run interrupted in scene "two": its part and one tile are gone.
        try FileManager.default.removeItem(at: scratch.file("out/parts/two.csv"))
        try FileManager.default.removeItem(at: scratch.file("out/images/two_r00128_c00256.tif"))
        let resumed = try job(pairs, configure: configure).run()
        #expect(resumed.scenesResumed == 1)
        #expect(resumed.tilesFromResumedScenes == 6)
        #expect(resumed.tilesAlreadyPresent == 5)
        #expect(resumed.tilesWritten == 1)
        #expect(try String(contentsOf: scratch.file("out/manifest.csv"), encoding: .utf8) == manifest)
        #expect(!files(in: "out/images").contains { $0.contains("partial") })
    }

    @Test func resumeWithOtherOptionsIsRejected() throws {
        let scene = try SceneFixtures.scene(scratch.file("opts.tif"), width: 64, height: 64)
        let pairs = [ScenePair(scene: .file(scene.path), label: nil)]
        _ = try job(pairs) { $0.tileSize = 32 }.run()
        let error = #expect(throws: TilingError.self) { try job(pairs) { $0.tileSize = 64 }.run() }
        #expect(error?.description.hasPrefix("output folder '\(scratch.file("out").path)' holds tiles made with '--size 32") == true)
    }

    @Test func workersWriteTheSameManifest() throws {
        let scene = try SceneFixtures.write(scratch.file("many.tif"), width: 300, height: 260, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(1 + band + row + column)
        }
        let pairs = [ScenePair(scene: .file(scene.path), label: nil)]
        let single = try job(pairs, output: "single") { $0.tileSize = 64; $0.maxInvalidFraction = 1 }.run()
        let parallel = try job(pairs, output: "parallel") { $0.tileSize = 64; $0.maxInvalidFraction = 1; $0.workers = 3 }.run()
        #expect(single.tilesWritten == 25)
        #expect(parallel.tilesWritten == 25)
        let singleText = try String(contentsOfFile: single.manifestPath, encoding: .utf8)
        let parallelText = try String(contentsOfFile: parallel.manifestPath, encoding: .utf8)
        #expect(singleText == parallelText)
    }

    @Test func unwritableOutputIsRejected() throws {
        let scene = try SceneFixtures.scene(scratch.file("w.tif"), width: 16, height: 16)
        let blocker = scratch.file("file-not-folder")
        try Data().write(to: blocker)
        let error = #expect(throws: TilingError.self) {
            try TilingJob(pairs: [ScenePair(scene: .file(scene.path), label: nil)],
                          outputFolder: blocker.appendingPathComponent("out").path, options: TilingOptions()).run()
        }
        #expect(error?.description == "output folder '\(blocker.path)/out' cannot be created because '\(blocker.path)' is a file; choose a folder path for --output")
    }

    @Test func shardsMergeIntoOneManifest() throws {
        let pairs = try (0..<5).map { index in
            ScenePair(scene: .file(try SceneFixtures.scene(scratch.file("s\(index).tif"), width: 40, height: 40).path), label: nil)
        }
        var whole = TilingOptions()
        whole.tileSize = 32
        whole.maxInvalidFraction = 1
        let reference = try TilingJob(pairs: pairs, outputFolder: scratch.file("whole").path, options: whole).run()
        for index in 0..<2 {
            var options = whole
            options.shard = Shard(index: index, count: 2)
            let summary = try TilingJob(pairs: pairs, outputFolder: scratch.file("sharded").path, options: options).run()
            #expect(summary.manifestPath.hasSuffix("manifest.shard-\(index)-of-2.csv"))
        }
        #expect(try Manifest.mergeShards(in: scratch.file("sharded").path) == 20)
        #expect(try String(contentsOf: scratch.file("sharded/manifest.csv"), encoding: .utf8)
            == String(contentsOfFile: reference.manifestPath, encoding: .utf8))
    }

    @Test func shardWithoutScenesWritesEmptyManifest() throws {
        let scene = try SceneFixtures.scene(scratch.file("only.tif"), width: 32, height: 32)
        let summary = try job([ScenePair(scene: .file(scene.path), label: nil)]) {
            $0.tileSize = 32
            $0.shard = Shard(index: 1, count: 2)
        }.run()
        #expect(summary.sceneCount == 0)
        #expect(try Manifest.read(summary.manifestPath).isEmpty)
    }

    @Test func noScenesIsAnError() {
        let error = #expect(throws: TilingError.self) { try job([]).run() }
        #expect(error == .noScenes)
    }

    @Test func mergeListsManyMissingShardsByNumber() throws {
        try FileManager.default.createDirectory(at: scratch.file("parts6"), withIntermediateDirectories: true)
        try Manifest.write([], to: scratch.file("parts6/manifest.shard-1-of-6.csv").path)
        let error = #expect(throws: TilingError.self) { try Manifest.mergeShards(in: scratch.file("parts6").path) }
        #expect(error?.description == "folder '\(scratch.file("parts6").path)' is missing the manifests of shards 0, 2, 3, 4, 5 of 6; run those shards first, then merge again")
    }

    @Test func mergeReportsMissingShards() throws {
        try FileManager.default.createDirectory(at: scratch.file("parts3"), withIntermediateDirectories: true)
        try Manifest.write([], to: scratch.file("parts3/manifest.shard-1-of-3.csv").path)
        let error = #expect(throws: TilingError.self) { try Manifest.mergeShards(in: scratch.file("parts3").path) }
        #expect(error?.description == "folder '\(scratch.file("parts3").path)' is missing the manifests of shards 0, 2 of 3 (manifest.shard-0-of-3.csv, manifest.shard-2-of-3.csv); run those shards first, then merge again")
    }

    @Test(arguments: [(1, 1), (511, 511), (512, 512), (513, 513), (700, 300)])
    func edgeSizesTileCompletely(width: Int, height: Int) throws {
        let scene = try SceneFixtures.scene(scratch.file("edge\(width)x\(height).tif"), width: width, height: height)
        let summary = try job([ScenePair(scene: .file(scene.path), label: nil)], output: "edge\(width)x\(height)") {
            $0.maxInvalidFraction = 1
        }.run()
        let grid = TileGrid(sceneWidth: width, sceneHeight: height, tileSize: 512)
        #expect(summary.tilesWritten == grid.tileCount)
        let rows = try Manifest.read(summary.manifestPath)
        let validPixels = rows.reduce(0) { $0 + $1.validWidth * $1.validHeight }
        #expect(validPixels == width * height, "each pixel lies in exactly one tile without overlap")
    }
}
