import Testing
import Tiling
import Evaluation

/// A synthetic cluster: its pixels' water index and brightness.
private struct SyntheticCluster {
    var index: [Float]
    var brightness: [Float]
}

/// Builds statistics from clusters whose pixels are laid out one after the
/// other in a single tile, with one invalid pixel at the end.
private func statistics(of clusters: [SyntheticCluster], clusterCount: Int) -> ClusterSpectralStatistics {
    var ids: [UInt8] = []
    var index: [Float] = []
    var brightness: [Float] = []
    for (id, cluster) in clusters.enumerated() {
        ids += Array(repeating: UInt8(id), count: cluster.index.count)
        index += cluster.index
        brightness += cluster.brightness
    }
    ids.append(255)
    index.append(0.9)
    brightness.append(0.9)
    var statistics = ClusterSpectralStatistics(clusterCount: clusterCount)
    statistics.add(
        clusters: ids,
        waterIndex: MaskedValues(values: index, validity: Array(repeating: true, count: index.count)),
        brightness: brightness
    )
    return statistics
}

private let syntheticScene = [
    // Open water: dark, high index.
    SyntheticCluster(index: [0.5, 0.3, 0.4], brightness: [0.04, 0.06, 0.05]),
    // Vegetation: low index.
    SyntheticCluster(index: [-0.4, -0.2], brightness: [0.08, 0.1]),
    // Cloud: bright, index slightly above 0.
    SyntheticCluster(index: [0.1, 0.05], brightness: [0.5, 0.6]),
    // Shallow or turbid water: a second water cluster.
    SyntheticCluster(index: [0.1, 0.2], brightness: [0.12, 0.14]),
    // Bare soil: brighter, still a low index.
    SyntheticCluster(index: [-0.1, -0.3], brightness: [0.2, 0.25]),
]

@Test func labelFreeNamesSyntheticClusters() {
    let statistics = statistics(of: syntheticScene, clusterCount: 6)
    #expect(statistics.pixelCounts == [3, 2, 2, 2, 2, 0])
    #expect(abs(statistics.meanWaterIndex(cluster: 0)! - 0.4) < 1e-6)
    #expect(abs(statistics.meanBrightness(cluster: 2)! - 0.55) < 1e-6)
    #expect(statistics.meanWaterIndex(cluster: 5) == nil)

    let mapping = LabelFreeNaming().mapping(statistics)
    #expect(mapping.method == .labelFree)
    #expect(mapping.classes == [.water, .land, .cloud, .water, .land, nil])
}

@Test(arguments: [
    // A higher water threshold drops the turbid cluster (mean 0.15) to land.
    (0.2, 0.3, [SurfaceClass.water, .land, .cloud, .land, .land]),
    // A lower cloud threshold takes the bare soil (mean 0.225) as cloud.
    (0.0, 0.2, [SurfaceClass.water, .land, .cloud, .water, .cloud]),
    // No cloud threshold reachable: the cloud cluster's index makes it water.
    (0.0, 2.0, [SurfaceClass.water, .land, .water, .water, .land]),
])
func labelFreeThresholds(waterMinimumIndex: Double, cloudMinimumBrightness: Double, expected: [SurfaceClass]) {
    let naming = LabelFreeNaming(waterMinimumIndex: waterMinimumIndex, cloudMinimumBrightness: cloudMinimumBrightness)
    #expect(naming.mapping(statistics(of: syntheticScene, clusterCount: 5)).classes == expected)
}

@Test func labelFreeSkipsInvalidPixels() {
    var statistics = ClusterSpectralStatistics(clusterCount: 2)
    statistics.add(
        clusters: [0, 0, 1, 1],
        waterIndex: MaskedValues(values: [0.4, .nan, -0.3, 0.9], validity: [true, false, true, true]),
        brightness: [0.05, 0.05, 0.1, .nan]
    )
    #expect(statistics.pixelCounts == [1, 1])
    #expect(statistics.meanWaterIndex(cluster: 1) == Double(Float(-0.3)))

    var merged = statistics
    merged.merge(statistics)
    #expect(merged.pixelCounts == [2, 2])
    #expect(merged.meanWaterIndex(cluster: 0) == statistics.meanWaterIndex(cluster: 0))
}

@Test func brightnessIsBandMean() {
    let brightness = LabelFreeNaming.brightness(of: [[0.1, 0.3, 0.5], [0.2, 0.3, 0.5], [0.3, 0.3, 0.5]], validity: [true, true, false])
    #expect(abs(brightness[0] - 0.2) < 1e-6)
    #expect(abs(brightness[1] - 0.3) < 1e-6)
    #expect(brightness[2].isNaN)
}
