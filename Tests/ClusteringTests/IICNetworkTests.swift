import Testing
import TensorEngine
@testable import Clustering

/// Returns the pixels of the main head's output that change when the 2 x 2
/// block of input pixels from (row, column) changes, in a 4-band 24 x 24
/// input. Changing a whole pool block, not one pixel, makes the pooled value change.
private func changedOutputPixels(kernelSize: Int, row: Int, column: Int) -> Set<Int> {
    let (bands, side) = (4, 24)
    var generator = SeededGenerator(seed: 3)
    let network = IICNetwork(bands: bands, width: 4, clusterCounts: [3], kernelSize: kernelSize, generator: &generator)
    network.setTraining(false)
    var values = (0..<(bands * side * side)).map { Float(($0 * 37) % 101) / 50 - 1 }
    let before = withNoGradient { network(Tensor(shape: [1, bands, side, side], values: values)) }.values
    for band in 0..<bands {
        for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            values[(band * side + row + dy) * side + column + dx] += band % 2 == 0 ? 3 : -3
        }
    }
    let after = withNoGradient { network(Tensor(shape: [1, bands, side, side], values: values)) }.values

    var changed: Set<Int> = []
    for cluster in 0..<3 {
        for pixel in 0..<(side * side) where abs(before[cluster * side * side + pixel] - after[cluster * side * side + pixel]) > 1e-6 {
            changed.insert(pixel)
        }
    }
    return changed
}

@Test func pixelTrunkSeesOnlyNearbyPixels() {
    // The 1x1 trunk mixes pixels only in the 2 x 2 pool and the bilinear
    // upsampling: a change in the block from (12, 12) moves pooled pixel
    // (6, 6), which output rows and columns 11 to 14 interpolate from.
    let changed = changedOutputPixels(kernelSize: 1, row: 12, column: 12)
    #expect(changed.contains(12 * 24 + 12))
    for pixel in changed {
        #expect((11...14).contains(pixel / 24), "row \(pixel / 24) changed")
        #expect((11...14).contains(pixel % 24), "column \(pixel % 24) changed")
    }
}

@Test func spatialTrunkSeesDistantPixels() {
    // The 3x3 trunk's receptive field of 28 pixels reaches 10 pixels away.
    let changed = changedOutputPixels(kernelSize: 3, row: 12, column: 12)
    #expect(changed.contains(12 * 24 + 2))
    #expect(changed.contains(2 * 24 + 12))
}

@Test(arguments: [1, 3])
func trunkKernelSetsWeightShapes(kernelSize: Int) {
    var generator = SeededGenerator(seed: 1)
    let network = IICNetwork(bands: 6, width: 4, clusterCounts: [3, 5], kernelSize: kernelSize, generator: &generator)
    let shapes = Dictionary(uniqueKeysWithValues: network.stateDictionary.map { ($0.name, $0.tensor.shape) })
    #expect(shapes["trunk.0.weight"] == [4, 6, kernelSize, kernelSize])
    #expect(shapes["heads.0.weight"] == [3, 16, 1, 1])
    #expect(shapes["heads.1.weight"] == [5, 16, 1, 1])
}

@Test(arguments: [(1, true), (1, false), (3, true)])
func windowMarginHidesTheWindowEdge(kernelSize: Int, pool: Bool) {
    // A window cut from a larger input at an even offset gives the larger
    // input's output everywhere at least the sliding-window margin from its
    // edge, and differs from it closer to the edge.
    let (bands, side, offset, windowSide) = (3, 80, 10, 48)
    var generator = SeededGenerator(seed: 5)
    let network = IICNetwork(bands: bands, width: 4, clusterCounts: [3], kernelSize: kernelSize, pool: pool, generator: &generator)
    network.setTraining(false)
    let values = (0..<(bands * side * side)).map { Float(($0 * 7919) % 211) / 100 - 1 }
    var window: [Float] = []
    for band in 0..<bands {
        for row in offset..<(offset + windowSide) {
            let start = (band * side + row) * side + offset
            window += values[start..<(start + windowSide)]
        }
    }
    let whole = withNoGradient { network(Tensor(shape: [1, bands, side, side], values: values)) }.values
    let part = withNoGradient { network(Tensor(shape: [1, bands, windowSide, windowSide], values: window)) }.values
    let margin = SlidingWindowPlan(sceneWidth: side, sceneHeight: side, coreSize: 2,
                                   receptiveField: IICNetwork.receptiveField(kernelSize: kernelSize, pool: pool)).margin

    var largestInside: Float = 0, largestAtEdge: Float = 0
    for cluster in 0..<3 {
        for row in 0..<windowSide {
            for column in 0..<windowSide {
                let difference = abs(part[(cluster * windowSide + row) * windowSide + column]
                    - whole[(cluster * side + row + offset) * side + column + offset])
                let distance = min(row, column, windowSide - 1 - row, windowSide - 1 - column)
                if distance >= margin {
                    largestInside = max(largestInside, difference)
                } else if distance == 0 {
                    largestAtEdge = max(largestAtEdge, difference)
                }
            }
        }
    }
    #expect(largestInside < 1e-5)
    // Without the pool each output depends on one pixel, so the edge matches too.
    if kernelSize == 1 && !pool {
        #expect(largestAtEdge < 1e-5)
    } else {
        #expect(largestAtEdge > 1e-4)
    }
}

@Test func pixelTrunkWithoutPoolSeesOnePixel() {
    let (bands, side) = (3, 12)
    var generator = SeededGenerator(seed: 4)
    let network = IICNetwork(bands: bands, width: 4, clusterCounts: [3], kernelSize: 1, pool: false, generator: &generator)
    network.setTraining(false)
    var values = (0..<(bands * side * side)).map { Float(($0 * 31) % 17) / 8 - 1 }
    let before = withNoGradient { network(Tensor(shape: [1, bands, side, side], values: values)) }.values
    for band in 0..<bands { values[(band * side + 5) * side + 7] += 2 }
    let after = withNoGradient { network(Tensor(shape: [1, bands, side, side], values: values)) }.values
    var changed: Set<Int> = []
    for cluster in 0..<3 {
        for pixel in 0..<(side * side) where abs(before[cluster * side * side + pixel] - after[cluster * side * side + pixel]) > 1e-6 {
            changed.insert(pixel)
        }
    }
    #expect(changed == [5 * side + 7])
}

@Test func subHeadsAreSeparateAndTheFirstIsReturned() {
    var generator = SeededGenerator(seed: 6)
    let network = IICNetwork(bands: 3, width: 4, clusterCounts: [3, 5], kernelSize: 1, pool: false, subHeads: 3,
                             generator: &generator)
    network.setTraining(false)
    #expect(network.stateDictionary.filter { $0.name.hasPrefix("heads.") }.map(\.name)
            == (0..<6).flatMap { ["heads.\($0).weight", "heads.\($0).bias"] })
    let input = Tensor(shape: [1, 3, 4, 4], values: (0..<48).map { Float($0 % 7) / 3 - 1 })
    let all = withNoGradient { network.subHeadProbabilities(input) }
    #expect(all.map(\.count) == [3, 3])
    #expect(all[0][0].values != all[0][2].values)
    let firsts = withNoGradient { network.headProbabilities(input) }
    #expect(firsts.map(\.values) == [all[0][0].values, all[1][0].values])

    // Moving sub-head 2 of the main head first swaps it with sub-head 0.
    network.moveSubHeadFirst(head: 0, subHead: 2)
    let moved = withNoGradient { network.subHeadProbabilities(input) }
    #expect(moved[0][0].values == all[0][2].values)
    #expect(moved[0][2].values == all[0][0].values)
    #expect(moved[1][0].values == all[1][0].values)
}
