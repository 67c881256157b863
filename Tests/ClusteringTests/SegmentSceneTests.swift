import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import Clustering

/// A deterministic test double: water probability from the mean NDWI over a
/// `(2 radius + 1)` square around each pixel (clamped at the window's edge),
/// and a second head of three clusters by the pixel's own green reflectance.
final class BoxIndexModel: SegmentationModel {
    let radius: Int
    let bands = ["B3", "B8"]
    let headNames = ["main", "brightness"]
    let clusterCounts = [2, 3]
    var receptiveField: Int { 2 * radius + 1 }
    /// The window sizes the segmenter asked for, to check the plan was used.
    var windowSizes: [(height: Int, width: Int)] = []

    init(radius: Int) {
        self.radius = radius
    }

    func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int) -> [[Float]] {
        windowSizes.append((height, width))
        let pixelCount = height * width
        var water = [Float](repeating: 0, count: 2 * pixelCount)
        var brightness = [Float](repeating: 0, count: 3 * pixelCount)
        for row in 0..<height {
            for column in 0..<width {
                var sum: Float = 0
                for neighbourRow in max(0, row - radius)...min(height - 1, row + radius) {
                    for neighbourColumn in max(0, column - radius)...min(width - 1, column + radius) {
                        let pixel = neighbourRow * width + neighbourColumn
                        let green = reflectance[pixel]
                        let infrared = reflectance[pixelCount + pixel]
                        sum += (green - infrared) / max(green + infrared, 1e-6)
                    }
                }
                let pixel = row * width + column
                let probability = 1 / (1 + exp(-10 * sum))
                water[pixel] = 1 - probability
                water[pixelCount + pixel] = probability
                let level = min(2, Int(reflectance[pixel] * 20))
                brightness[level * pixelCount + pixel] = 1
            }
        }
        return [water, brightness]
    }
}

/// Writes a UInt16 scene of bands B3 and B8 with a wavy water body, some
/// texture and an invalid (all-zero) block.
func writeWavyScene(_ url: URL, width: Int, height: Int) throws -> Dataset {
    var samples = [UInt16](repeating: 0, count: 2 * width * height)
    for row in 0..<height {
        for column in 0..<width {
            if (3..<6).contains(row) && (width - 5..<width - 1).contains(column) { continue }
            let isWater = Double(column) < Double(width) / 2 + 6 * sin(Double(row) / 4)
            let texture = UInt16((row * 7 + column * 13) % 40)
            samples[row * width + column] = (isWater ? 700 : 600) + texture
            samples[width * height + row * width + column] = (isWater ? 300 : 2800) + texture * 3
        }
    }
    try RasterWriter.write(samples: samples, width: width, height: height, bandNames: ["B3", "B8"],
                           georeference: Georeference(geoTransform: GeoTransform(originX: 300_000, pixelWidth: 10, originY: 5_000_000, pixelHeight: -10),
                                                      spatialReference: SpatialReference(epsg: 32633)),
                           to: url.path)
    return try Dataset(path: url.path)
}

/// Segments a scene and joins its strips into ids of the whole scene,
/// checking that the strips arrive top to bottom and span the scene's width.
func segmentWhole(_ segmenter: SceneSegmenter, _ scene: Dataset,
                  progress: (Int, Int) -> Void = { _, _ in }) throws -> [UInt8] {
    var clusters: [UInt8] = []
    try segmenter.segment(scene, progress: progress) { strip in
        #expect(strip.window.rowOffset * scene.width == clusters.count, "strips arrive in order")
        #expect(strip.window.columnOffset == 0)
        #expect(strip.window.width == scene.width)
        #expect(strip.clusters.count == strip.window.pixelCount)
        clusters += strip.clusters
    }
    #expect(clusters.count == scene.width * scene.height)
    return clusters
}

@Suite struct SegmentSceneTests {
    let scratch = try! ScratchFolder(prefix: "segment-scene")

    /// Small windows give the same ids as one window over the whole scene,
    /// because each core keeps at least a receptive field of context.
    @Test(arguments: [(50, 37, 2, 8), (50, 37, 3, 16), (33, 64, 5, 12), (9, 9, 2, 4), (12, 600, 3, 64)])
    func slidingWindowsEqualOneWindow(width: Int, height: Int, radius: Int, coreSize: Int) throws {
        let scene = try writeWavyScene(scratch.file("wavy-\(width)x\(height).tif"), width: width, height: height)
        let model = BoxIndexModel(radius: radius)
        let single = try segmentWhole(SceneSegmenter(model: model, coreSize: 2 * max(width, height)), scene)
        #expect(model.windowSizes.count == 1, "the whole scene fits one window")
        model.windowSizes = []
        var reports: [Int] = []
        let sliding = try segmentWhole(SceneSegmenter(model: model, coreSize: coreSize), scene) { done, _ in reports.append(done) }
        #expect(model.windowSizes.count > 1)
        #expect(reports == Array(1...model.windowSizes.count))
        let differing = zip(single, sliding).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) pixels differ between one window and windows of \(coreSize)")
        #expect(Set(sliding) == [0, 1, ClusterStrip.invalidCluster], "water, land and the invalid block all appear")
    }

    /// Each strip carries the reflectance of the requested bands, read with
    /// the model's: here B3 (a model band) as the scene stores it.
    @Test func stripsCarryRequestedBands() throws {
        let scene = try writeWavyScene(scratch.file("strip-bands.tif"), width: 20, height: 30)
        var strips: [ClusterStrip] = []
        var segmenter = SceneSegmenter(model: BoxIndexModel(radius: 1), coreSize: 8)
        segmenter.maximumStripHeight = 3
        try segmenter.segment(scene, stripBands: ["B3"]) { strips.append($0) }
        #expect(strips.map(\.window.height) == [3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3], "window rows of 8, 8, 8 and 6 rows in strips of at most 3")
        for strip in strips {
            let expected = try scene.readReflectance(bands: ["B3"], window: strip.window)
            #expect(strip.reflectance.window == strip.window)
            #expect(strip.reflectance.bandNames == ["B3"])
            #expect(strip.reflectance.samples == expected.samples)
            #expect(strip.reflectance.validity == expected.validity)
        }
    }

    /// The row buffer holds one window's rows plus at most one block row,
    /// and reads whole block rows (256 rows in these files) or up to the
    /// last row.
    @Test func rowBufferHoldsAboutOneWindowRow() throws {
        let scene = try writeWavyScene(scratch.file("tall.tif"), width: 12, height: 1000)
        var buffer = SceneRowBuffer(dataset: scene, bands: ["B3", "B8"], scale: nil)
        #expect(buffer.alignment == 256)
        for start in stride(from: 0, through: 900, by: 60) {
            try buffer.load(rows: start..<(start + 100))
            #expect(buffer.firstRow == start)
            #expect(buffer.endRow >= start + 100)
            #expect(buffer.endRow - buffer.firstRow <= 100 + 255, "rows \(buffer.firstRow)..<\(buffer.endRow)")
            #expect(buffer.endRow % 256 == 0 || buffer.endRow == 1000, "reads end on a block row, got \(buffer.endRow)")
        }
    }

    @Test func stripErrorStopsSegmentation() throws {
        struct Stop: Error {}
        let scene = try writeWavyScene(scratch.file("stop.tif"), width: 20, height: 30)
        var calls = 0
        #expect(throws: Stop.self) {
            try SceneSegmenter(model: BoxIndexModel(radius: 1), coreSize: 8).segment(scene) { _ in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
    }

    @Test func invalidPixelsStayInvalid() throws {
        let scene = try writeWavyScene(scratch.file("invalid.tif"), width: 20, height: 10)
        let clusters = try segmentWhole(SceneSegmenter(model: BoxIndexModel(radius: 1), coreSize: 8), scene)
        let invalid = (0..<200).filter { clusters[$0] == ClusterStrip.invalidCluster }
        let expected = (0..<200).filter { (3..<6).contains($0 / 20) && (15..<19).contains($0 % 20) }
        #expect(invalid == expected)
    }

    @Test func secondHeadIsSelectable() throws {
        let scene = try writeWavyScene(scratch.file("heads.tif"), width: 12, height: 12)
        let clusters = try segmentWhole(SceneSegmenter(model: BoxIndexModel(radius: 1), coreSize: 8, head: 1), scene)
        #expect(Set(clusters).subtracting([ClusterStrip.invalidCluster]).allSatisfy { $0 < 3 })
        #expect(clusters[0] == 1, "green 0.07 falls in level 1 of 0.05-wide levels")
    }

    @Test func missingBandIsNamed() throws {
        let url = scratch.file("green-only.tif")
        try RasterWriter.write(samples: [UInt16](repeating: 500, count: 4), width: 2, height: 2, bandNames: ["B3"],
                               georeference: Georeference(geoTransform: nil, spatialReference: nil), to: url.path)
        let error = #expect(throws: ClusteringError.self) {
            try SceneSegmenter(model: BoxIndexModel(radius: 1)).segment(try Dataset(path: url.path)) { _ in }
        }
        #expect(error?.description == "band 'B8' is not in scene '\(url.path)'; choose from B3")
    }
}

@Test(arguments: [
    (-3, 5, 3), (-1, 5, 1), (0, 5, 0), (4, 5, 4), (5, 5, 3), (6, 5, 2), (9, 5, 1), (-7, 3, 1), (2, 1, 0),
])
func reflectionPadding(index: Int, count: Int, expected: Int) {
    #expect(reflectedIndex(index, count: count) == expected)
}

/// Cores tile the scene exactly once; inputs add an even margin of at least
/// half the receptive field on every side.
@Test(arguments: [(1, 1, 2, 1), (511, 513, 512, 28), (1000, 300, 256, 7), (37, 50, 8, 5)])
func slidingWindowPlanCoversSceneOnce(width: Int, height: Int, coreSize: Int, receptiveField: Int) {
    let plan = SlidingWindowPlan(sceneWidth: width, sceneHeight: height, coreSize: coreSize, receptiveField: receptiveField)
    #expect(plan.margin % 2 == 0)
    #expect(2 * plan.margin >= receptiveField - 1)
    var covered = [Int](repeating: 0, count: width * height)
    for row in 0..<plan.rowCount {
        for window in plan.windows(row: row) {
            #expect(window.input.columnOffset == window.core.columnOffset - plan.margin)
            #expect(window.input.width == window.core.width + 2 * plan.margin)
            #expect(window.input.rowOffset % 2 == 0, "an even origin keeps a stride-2 pool on one grid")
            #expect(window.input.columnOffset % 2 == 0)
            for pixelRow in window.core.rowOffset..<window.core.rowEnd {
                for column in window.core.columnOffset..<window.core.columnEnd { covered[pixelRow * width + column] += 1 }
            }
        }
    }
    #expect(covered.allSatisfy { $0 == 1 })
}

/// A trained model's one-head probabilities equal that head of the
/// all-heads call, on an even and on an odd (padded) window.
@Test func trainedModelHeadProbabilities() throws {
    let scratch = try ScratchFolder(prefix: "segment-head")
    let scene = try TrainingFixtures.scene(scratch.file("scene.tif"))
    let options = TrainingFixtures.options(inputs: [scene], output: scratch.file("run"), steps: 2)
    _ = try ClusteringTrainer(method: IICMethod(configuration: TrainingFixtures.tinyIIC), options: options).run { _ in }
    let model = try TrainedModelLoader.load(run: scratch.file("run"))

    for (height, width) in [(8, 10), (7, 9)] {
        let reflectance = (0..<(3 * height * width)).map { Float($0 % 13) / 40 }
        let valid = [Bool](repeating: true, count: height * width)
        let all = model.clusterProbabilities(reflectance: reflectance, valid: valid, height: height, width: width)
        for head in model.headNames.indices {
            let one = model.clusterProbabilities(reflectance: reflectance, valid: valid, height: height, width: width, head: head)
            #expect(one == all[head], "head \(head) of a \(height) x \(width) window")
        }
    }
}
