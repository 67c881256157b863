import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import Evaluation

@Test func reservoirKeepsAllWhenFewerThanCapacity() {
    var reservoir = PixelReservoir(capacity: 5, bandCount: 2, seed: 3)
    for pixel in 0..<4 { reservoir.offer { Float(pixel * 10 + $0) } }
    #expect(reservoir.points == [0, 1, 10, 11, 20, 21, 30, 31], "all pixels, in order, pixel-interleaved")
    #expect(reservoir.offered == 4)
}

/// Offering 0 ..< 20,000 into 2,000 slots keeps 2,000 distinct pixels whose
/// mean is near the stream's 10,000 (the standard error is about 130), from
/// both halves of the stream.
@Test(arguments: [0, 1, 42] as [UInt64])
func reservoirSamplesUniformly(seed: UInt64) {
    var reservoir = PixelReservoir(capacity: 2_000, bandCount: 1, seed: seed)
    for pixel in 0..<20_000 { reservoir.offer { _ in Float(pixel) } }
    #expect(reservoir.points.count == 2_000)
    #expect(Set(reservoir.points).count == 2_000)
    let mean = reservoir.points.reduce(0, +) / 2_000
    #expect(abs(mean - 10_000) < 600, "mean \(mean)")
    #expect(reservoir.points.filter { $0 >= 10_000 }.count > 800)
}

@Suite struct KMeansBaselineTests {
    let scratch = try! ScratchFolder(prefix: "kmeans-baseline")

    /// Writes a textured scene of bands B3, B8, B11: a dark water body on the left,
    /// bright land on the right, and an invalid (all-zero) corner.
    func scene(width: Int, height: Int) throws -> Dataset {
        var samples = [UInt16](repeating: 0, count: 3 * width * height)
        for row in 0..<height {
            for column in 0..<width where !(row < 4 && column < 4) {
                let isWater = column * 3 < width
                let texture = UInt16((row * 31 + column * 17) % 97)
                let pixel = row * width + column
                samples[pixel] = (isWater ? 800 : 700) + texture
                samples[width * height + pixel] = (isWater ? 200 : 3000) + 2 * texture
                samples[2 * width * height + pixel] = (isWater ? 100 : 2500) + 3 * texture
            }
        }
        let url = scratch.file("scene-\(width)x\(height).tif")
        try RasterWriter.write(samples: samples, width: width, height: height, bandNames: ["B3", "B8", "B11"],
                               georeference: sceneGeoreference, to: url.path)
        return try Dataset(path: url.path)
    }

    /// Returns the ids of the whole scene, joined from the streamed strips.
    func streamed(_ baseline: KMeansBaseline, _ dataset: Dataset) throws -> (ids: [UInt8], model: KMeansModel) {
        let model = try baseline.fit(dataset)
        var ids: [UInt8] = []
        try baseline.assign(dataset, model: model) { window, strip in
            #expect(window.rowOffset * dataset.width == ids.count, "strips arrive in order")
            ids += strip
        }
        return (ids, model)
    }

    /// The streamed fit and assignment give what `KMeans.cluster` gives on
    /// the scene held whole. The fit takes every pixel, or a sample of 500
    /// of the 1,584 valid pixels, and the scene is taller than one strip.
    @Test(arguments: [200_000, 500])
    func streamingEqualsWholeScene(maximumFitPixels: Int) throws {
        let dataset = try scene(width: 4, height: 400)
        let configuration = KMeansConfiguration(clusterCount: 3, seed: 7, maximumFitPixels: maximumFitPixels)
        let baseline = KMeansBaseline(bands: ["B3", "B8", "B11"], configuration: configuration)
        let (ids, model) = try streamed(baseline, dataset)

        let block = try dataset.readReflectance(bands: baseline.bands, window: dataset.fullWindow)
        let pixelCount = dataset.width * dataset.height
        let bands = (0..<3).map { Array(block.samples[($0 * pixelCount)..<(($0 + 1) * pixelCount)]) }
        let whole = KMeans.cluster(bands: bands, validity: block.validity, configuration: configuration)
        #expect(ids == whole.assignments)
        #expect(model.centroids == whole.centroids)
        #expect(ids.filter { $0 == ClusterIDs.invalid }.count == 16, "the 4 x 4 invalid corner")
    }

    /// Water and land fall in different clusters on every input scale.
    @Test(arguments: InputScale.allCases)
    func waterAndLandSeparate(inputScale: InputScale) throws {
        let dataset = try scene(width: 30, height: 20)
        let baseline = KMeansBaseline(bands: ["B3", "B8", "B11"], configuration: KMeansConfiguration(clusterCount: 2),
                                      inputScale: inputScale)
        let (ids, _) = try streamed(baseline, dataset)
        let waterIDs = Set((0..<ids.count).filter { $0 % 30 < 10 && ids[$0] != ClusterIDs.invalid }.map { ids[$0] })
        let landIDs = Set((0..<ids.count).filter { $0 % 30 >= 10 }.map { ids[$0] })
        #expect(waterIDs.count == 1)
        #expect(landIDs.count == 1)
        #expect(waterIDs != landIDs)
    }

    /// The input scale is applied before the standardisation: spectral
    /// shape clusters the same as linear k-means on reflectance divided by
    /// each pixel's norm beforehand.
    @Test func spectralShapeScalesBeforeFitting() throws {
        let dataset = try scene(width: 30, height: 20)
        let configuration = KMeansConfiguration(clusterCount: 3, seed: 1)
        let bands = ["B3", "B8", "B11"]
        let (ids, model) = try streamed(KMeansBaseline(bands: bands, configuration: configuration, inputScale: .spectralShape), dataset)

        var block = try dataset.readReflectance(bands: bands, window: dataset.fullWindow)
        InputScale.spectralShape.apply(&block.samples, bandCount: 3)
        let pixelCount = dataset.width * dataset.height
        let shapes = (0..<3).map { Array(block.samples[($0 * pixelCount)..<(($0 + 1) * pixelCount)]) }
        let whole = KMeans.cluster(bands: shapes, validity: block.validity, configuration: configuration)
        #expect(ids == whole.assignments)
        #expect(model.centroids == whole.centroids)
    }
}
