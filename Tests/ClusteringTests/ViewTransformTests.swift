import Foundation
import Testing
import TensorEngine
@testable import Clustering

/// Makes a `[2, 3, side, side]` tensor whose every value differs.
func distinctMaps(side: Int) -> Tensor {
    Tensor(shape: [2, 3, side, side], values: (0..<(2 * 3 * side * side)).map(Float.init))
}

@Test(arguments: [false, true], [0, 1, 2, 3])
func flipsAndTurnsInvertExactly(flip: Bool, turns: Int) {
    let transform = GeometricTransform(horizontalFlip: flip, quarterTurns: turns)
    let maps = distinctMaps(side: 5)
    #expect(transform.invert(transform.apply(maps)).values == maps.values)
    #expect(transform.apply(transform.invert(maps)).values == maps.values)
}

@Test func transformMovesPixelsWhereTorchWouldPutThem() {
    // Flip, then one counter-clockwise turn (torch.rot90 with k = 1) is a
    // transpose: (row 0, column 2) of a 3 x 3 image ends at (row 2, column 0).
    let maps = Tensor(shape: [1, 1, 3, 3], values: (0..<9).map(Float.init))
    let moved = GeometricTransform(horizontalFlip: true, quarterTurns: 1).apply(maps).values
    #expect(moved == [0, 3, 6, 1, 4, 7, 2, 5, 8])
}

@Test func maskFollowsTheTransform() {
    // An invalid corner pixel of the crop stays on the same image content.
    let side = 6
    var mask = [Float](repeating: 1, count: side * side)
    mask[0] = 0
    let validity = Tensor(shape: [1, 1, side, side], values: mask)
    let image = Tensor(shape: [1, 1, side, side], values: mask.map { $0 * 7 })
    for turns in 0..<4 {
        let transform = GeometricTransform(horizontalFlip: turns % 2 == 0, quarterTurns: turns)
        #expect(transform.apply(validity).values.map { $0 * 7 } == transform.apply(image).values)
        #expect(transform.alignedValidity(validity).values == mask)
    }
}

@Test func gradientFlowsThroughTheInverse() {
    // d/dx Σ w · invert(x) = apply(w) for a permutation.
    let transform = GeometricTransform(horizontalFlip: true, quarterTurns: 3)
    let input = distinctMaps(side: 4).detached().requireGradient()
    let weights = Tensor(shape: input.shape, values: (0..<input.count).map { Float($0 % 7) - 3 })
    (transform.invert(input) * weights).sum().backward()
    #expect(input.gradient!.values == transform.apply(weights).values)
}

@Test func smallAffineWarpRealignsInterior() {
    // A smooth ramp survives warp and unwarp up to interpolation error, on
    // the pixels `alignedValidity` keeps; the edge pixels it drops are gone.
    let side = 32
    let ramp = Tensor(shape: [1, 1, side, side], values: (0..<(side * side)).map { Float($0 / side + $0 % side) })
    let transform = GeometricTransform(affine: .about(height: side, width: side, angle: 5 * .pi / 180, scale: 1.05))
    let restored = transform.invert(transform.apply(ramp)).values
    let kept = transform.alignedValidity(Tensor.full([1, 1, side, side], value: 1)).values
    let keptCount = kept.filter { $0 == 1 }.count
    #expect(keptCount > side * side / 2)
    #expect(keptCount < side * side)
    for index in 0..<(side * side) where kept[index] == 1 {
        #expect(abs(restored[index] - ramp.values[index]) < 1e-3, "pixel \(index): \(restored[index]) vs \(ramp.values[index])")
    }
}

@Test func jitterLeavesInvalidPixelsAtZero() {
    var augmentation = ViewAugmentation()
    augmentation.noiseStandardDeviation = 0.5
    var generator = SeededGenerator(seed: 4)
    var values = [Float](repeating: 1, count: 2 * 3 * 4)
    let valid = (0..<8).map { $0 % 3 != 0 }
    augmentation.jitter(&values, valid: valid, crops: 2, bands: 3, generator: &generator)
    for crop in 0..<2 { for band in 0..<3 { for pixel in 0..<4 {
        let value = values[(crop * 3 + band) * 4 + pixel]
        if valid[crop * 4 + pixel] { #expect(value != 1) } else { #expect(value == 0) }
    } } }
}

@Test func sharedGainKeepsBandRatios() {
    var augmentation = ViewAugmentation()
    augmentation.sharedGain = true
    augmentation.gainRange = 0.3
    augmentation.offsetRange = 0
    augmentation.noiseStandardDeviation = 0
    var generator = SeededGenerator(seed: 9)
    let original: [Float] = [1, 2, 3, 4, 5, 6]
    var values = original
    augmentation.jitter(&values, valid: [true, true, true], crops: 1, bands: 2, generator: &generator)
    #expect(values != original)
    for pixel in 0..<3 {
        #expect(abs(values[3 + pixel] / values[pixel] - original[3 + pixel] / original[pixel]) < 1e-6)
    }
}
