import Testing
import GeoRaster
@testable import Tiling

@Suite struct TileGridTests {
    @Test(arguments: [
        (1, 1, 1, 1),
        (511, 511, 1, 1),
        (512, 512, 1, 1),
        (513, 513, 2, 2),
        (1312, 1079, 3, 3),
        (512, 856, 1, 2),
        (10980, 10980, 22, 22),
    ])
    func tileCountUsesCeil(width: Int, height: Int, columns: Int, rows: Int) {
        let grid = TileGrid(sceneWidth: width, sceneHeight: height, tileSize: 512)
        #expect(grid.columnCount == columns)
        #expect(grid.rowCount == rows)
        #expect(grid.windows.count == columns * rows)
        #expect(grid.windows.allSatisfy { $0.width == 512 }, "edge tiles are padded, not shrunk")
        #expect(grid.windows.allSatisfy { $0.height == 512 })
    }

    @Test(arguments: [(600, 256), (600, 0), (1000, 100), (513, 511), (2048, 128)])
    func overlapCoversEveryPixel(length: Int, overlap: Int) {
        let grid = TileGrid(sceneWidth: length, sceneHeight: 7, tileSize: 512, overlap: overlap)
        var covered = [Bool](repeating: false, count: length)
        for window in grid.windows {
            for column in max(0, window.columnOffset)..<min(length, window.columnEnd) { covered[column] = true }
        }
        #expect(covered.allSatisfy { $0 }, "uncovered columns: \(covered.indices.filter { !covered[$0] })")
        let offsets = Set(grid.windows.map(\.columnOffset)).sorted()
        #expect(offsets.dropFirst().allSatisfy { $0 < length }, "no tile lies wholly past the edge: \(offsets)")
    }

    @Test func sixHundredPixelsWithOverlap256() {
        let grid = TileGrid(sceneWidth: 600, sceneHeight: 600, tileSize: 512, overlap: 256)
        #expect(Set(grid.windows.map(\.columnOffset)) == [0, 256])
        #expect(grid.tileCount == 4)
    }

    @Test func tileIDsSortInGridOrder() {
        #expect(TileGrid.tileID(Window(columnOffset: 1024, rowOffset: 512, width: 512, height: 512)) == "r00512_c01024")
        let ids = TileGrid(sceneWidth: 1312, sceneHeight: 1079, tileSize: 512).windows.map(TileGrid.tileID)
        #expect(ids == ids.sorted())
    }
}

@Suite struct LabelCodesTests {
    @Test(arguments: [
        ("sen1floods11", [-1, 0, 1], [SurfaceClass.invalid, .land, .water]),
        ("worldfloods", [0, 1, 2, 3], [.invalid, .land, .water, .cloud]),
        ("binary255", [0, 255], [.land, .water]),
        ("-1:invalid,0:land,1:water,9:cloud", [9, 1, -1], [.cloud, .water, .invalid]),
    ])
    func singleBandCodes(name: String, codes: [Int32], classes: [SurfaceClass]) throws {
        let labelCodes = try LabelCodes(parsing: name)
        let result = try labelCodes.classify(codes, validity: codes.map { _ in true }).get()
        #expect(result == classes)
    }

    @Test func worldfloodsV2CloudWins() throws {
        let codes = try LabelCodes(parsing: "worldfloods-v2")
        #expect(codes.bandCount == 2)
        // Pixels: cloud over water, clear land, clear water, invalid cloud band, invalid water band.
        let cloudBand: [Int32] = [2, 1, 1, 0, 1]
        let waterBand: [Int32] = [2, 1, 2, 1, 0]
        let classes = try codes.classify(cloudBand + waterBand, validity: [Bool](repeating: true, count: 5)).get()
        #expect(classes == [.cloud, .land, .water, .invalid, .invalid])
    }

    @Test func invalidPixelsIgnoreTheirCode() throws {
        let codes = try LabelCodes(parsing: "sen1floods11")
        let classes = try codes.classify([1, 77], validity: [true, false]).get()
        #expect(classes == [.water, .invalid])
    }

    @Test func unknownCodeIsReported() throws {
        let codes = try LabelCodes(parsing: "binary255")
        guard case .failure(let unknown) = codes.classify([0, 128], validity: [true, true]) else {
            Issue.record("code 128 was accepted")
            return
        }
        #expect(unknown.code == 128)
    }

    @Test(arguments: ["0:sea", "x:land", "0:land,0:water", ""])
    func malformedMapIsRejected(text: String) {
        #expect(throws: TilingError.self) { try LabelCodes(parsing: text) }
    }

    @Test func malformedMapMessage() {
        let error = #expect(throws: TilingError.self) { try LabelCodes(parsing: "0:land,1:sea") }
        #expect(error?.description == "label codes '0:land,1:sea' are invalid at '1:sea'; use a preset (worldfloods, worldfloods-v2, sen1floods11, binary255) or CODE:CLASS pairs such as -1:invalid,0:land,1:water")
    }
}

@Suite struct ShardTests {
    @Test func shardsPartitionScenes() throws {
        let names = (0..<11).map { "scene\($0)" }.shuffled()
        var seen: [String] = []
        for index in 0..<4 {
            let part = try Shard(parsing: "\(index)/4").select(names, name: { $0 })
            #expect(part.count == 2 || part.count == 3)
            seen += part
        }
        #expect(seen.sorted() == names.sorted())
        let again = try Shard(parsing: "1/4").select(names.reversed(), name: { $0 })
        #expect(again == (try Shard(parsing: "1/4").select(names, name: { $0 })), "the split depends on names only")
    }

    @Test(arguments: ["4/4", "-1/2", "1", "a/b", "0/0"])
    func malformedShardIsRejected(text: String) {
        let error = #expect(throws: TilingError.self) { try Shard(parsing: text) }
        #expect(error == .invalidShard(text))
    }
}
