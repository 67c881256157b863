import Testing
@testable import Evaluation

/// Two blobs in two bands, 200 pixels each, interleaved: even pixels near
/// (0.05, 0.02) like water, odd pixels near (0.3, 0.25) like land, with
/// uniform noise of +-0.02. Pixel 7 is invalid.
private func twoBlobs(seed: UInt64) -> (bands: [[Float]], validity: [Bool]) {
    var generator = SplitMix64(seed: seed)
    func noise() -> Float {
        Float(generator.next() >> 40) / Float(1 << 24) * 0.04 - 0.02
    }
    var first: [Float] = []
    var second: [Float] = []
    for pixel in 0..<400 {
        let isWater = pixel % 2 == 0
        first.append((isWater ? 0.05 : 0.3) + noise())
        second.append((isWater ? 0.02 : 0.25) + noise())
    }
    var validity = Array(repeating: true, count: 400)
    validity[7] = false
    return ([first, second], validity)
}

@Test(arguments: [0, 1, 2, 99] as [UInt64])
func kMeansSeparatesTwoBlobs(seed: UInt64) {
    let (bands, validity) = twoBlobs(seed: 5)
    let result = KMeans.cluster(bands: bands, validity: validity, configuration: KMeansConfiguration(clusterCount: 2, seed: seed))

    #expect(result.converged)
    #expect(result.centroids.count == 2)
    #expect(result.assignments[7] == ClusterIDs.invalid)
    let waterCluster = result.assignments[0]
    let landCluster = result.assignments[1]
    #expect(waterCluster != landCluster)
    for pixel in 0..<400 where pixel != 7 {
        #expect(result.assignments[pixel] == (pixel % 2 == 0 ? waterCluster : landCluster), "pixel \(pixel)")
    }
}

@Test func kMeansReproducibleForSeed() {
    let (bands, validity) = twoBlobs(seed: 6)
    let configuration = KMeansConfiguration(clusterCount: 5, seed: 1234)
    let first = KMeans.cluster(bands: bands, validity: validity, configuration: configuration)
    let second = KMeans.cluster(bands: bands, validity: validity, configuration: configuration)
    #expect(first == second)
    #expect(Set(first.assignments).subtracting([ClusterIDs.invalid]).count == 5)
}

@Test func kMeansSubsampledFit() {
    // Fitting on every 4th valid pixel still finds both blobs.
    let (bands, validity) = twoBlobs(seed: 7)
    let result = KMeans.cluster(bands: bands, validity: validity, configuration: KMeansConfiguration(clusterCount: 2, maximumFitPixels: 100))
    #expect(result.assignments[0] != result.assignments[1])
    #expect(result.assignments[2] == result.assignments[0])
    #expect(result.assignments[3] == result.assignments[1])
}

@Test func kMeansStopsAtIterationCap() {
    let (bands, validity) = twoBlobs(seed: 8)
    let result = KMeans.cluster(
        bands: bands,
        validity: validity,
        configuration: KMeansConfiguration(clusterCount: 3, maximumIterations: 1, tolerance: 0)
    )
    #expect(result.iterations == 1)
    #expect(!result.converged)
}

@Test func kMeansEdgeInputs() {
    let allInvalid = KMeans.cluster(bands: [[1, 2]], validity: [false, false])
    #expect(allInvalid.assignments == [255, 255])
    #expect(allInvalid.centroids.isEmpty)

    // Fewer distinct pixels than k: the extra centroids repeat, still valid ids.
    let constant = KMeans.cluster(bands: [[0.5, 0.5, 0.5], [1, 1, 1]], configuration: KMeansConfiguration(clusterCount: 3))
    #expect(constant.assignments == [0, 0, 0])

    // A non-finite value makes its pixel invalid.
    let withNaN = KMeans.cluster(bands: [[0, .nan, 1]], configuration: KMeansConfiguration(clusterCount: 2))
    #expect(withNaN.assignments[1] == 255)
    #expect(withNaN.assignments[0] != withNaN.assignments[2])
}
