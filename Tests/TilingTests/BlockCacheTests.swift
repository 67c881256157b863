import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import Tiling

@Suite struct BlockCacheTests {
    let scratch = try! ScratchFolder(prefix: "blockcache")

    @Test func scanlineSceneSharesBlockRows() throws {
        // GDAL reads a PNG one scanline at a time: blocks of 300 x 1 pixels,
        // wider than a 128 px tile, so a tile row reads 128 + 1 rows of blocks.
        let path = scratch.file("rgb.png").path
        try RasterWriter.writePNG(rgb: [UInt8](repeating: 90, count: 300 * 200 * 3), width: 300, height: 200, to: path)
        var options = TilingOptions()
        options.tileSize = 128
        options.bandNames = ["B4", "B3", "B2"]
        let scene = try PreparedScene(pair: ScenePair(scene: .file(path), label: nil), options: options)
        #expect(scene.sharedBlockRowBytes == (128 + 1) * 300 * 3)
    }

    @Test(arguments: [(512, 0, 0), (256, 0, 0), (512, 64, (512 + 256) * 600 * 4), (300, 0, (300 + 256) * 600 * 4)])
    func tiledSceneSharesBlocksOnlyWhenUnaligned(tileSize: Int, overlap: Int, expected: Int) throws {
        // 256 x 256 blocks of a 2-band UInt16 scene: tile rows that start on
        // block rows share no blocks, overlapping or unaligned ones do.
        let path = try SceneFixtures.scene(scratch.file("tiled-\(tileSize)-\(overlap).tif"), width: 600, height: 300)
        var options = TilingOptions()
        options.tileSize = tileSize
        options.overlap = overlap
        let scene = try PreparedScene(pair: ScenePair(scene: .file(path.path), label: nil), options: options)
        #expect(scene.sharedBlockRowBytes == expected)
    }
}
