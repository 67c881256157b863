import Foundation
import Testing
import TensorEngine
@testable import Clustering

/// One-hot maps: pixel (n, i, j) in cluster `cluster(n, i, j)`.
func oneHot(_ shape: [Int], cluster: (Int, Int, Int) -> Int) -> Tensor {
    let (n, k, h, w) = (shape[0], shape[1], shape[2], shape[3])
    var values = [Float](repeating: 0, count: n * k * h * w)
    for s in 0..<n { for i in 0..<h { for j in 0..<w {
        values[((s * k + cluster(s, i, j)) * h + i) * w + j] = 1
    } } }
    return Tensor(shape: shape, values: values)
}

@Test(arguments: [(3, 0), (3, 2), (5, 1)])
func identicalConfidentViewsGiveMinusLogK(clusters: Int, radius: Int) {
    // Each image wholly in one cluster, clusters used equally: P = I / K.
    let shape = [clusters * 2, clusters, 6, 5]
    let view = oneHot(shape) { sample, _, _ in sample % clusters }
    let loss = IICLoss(displacementRadius: radius)(view, view).scalar
    #expect(abs(loss + Float(Foundation.log(Double(clusters)))) < 1e-4, "loss \(loss)")
}

@Test func independentViewsGiveZero() {
    // Second view uniform: P = P_i ⊗ P_j, so the mutual information is 0.
    let first = oneHot([2, 3, 4, 4]) { _, i, j in (i + 2 * j) % 3 }
    let second = Tensor.full([2, 3, 4, 4], value: 1 / 3)
    let loss = IICLoss(displacementRadius: 1)(first, second).scalar
    #expect(abs(loss) < 1e-5, "loss \(loss)")
}

@Test func invalidPixelsDoNotCount() {
    // Half of the second image disagrees, but it is masked out.
    let first = oneHot([2, 2, 4, 4]) { sample, _, _ in sample }
    let second = oneHot([2, 2, 4, 4]) { sample, i, _ in i < 2 ? sample : 1 - sample }
    let valid = Tensor(shape: [2, 1, 4, 4], values: (0..<32).map { ($0 % 16) / 4 < 2 ? 1 : 0 })
    let loss = IICLoss(displacementRadius: 0)(first, second, valid: valid).scalar
    #expect(abs(loss + Float(Foundation.log(2.0))) < 1e-4, "loss \(loss)")
}

/// Computes the loss with an explicit loop over displacements, in Float64.
func referenceIICLoss(_ a: [Double], _ b: [Double], shape: [Int], radius: Int, weight: Double) -> Double {
    let (n, k, h, w) = (shape[0], shape[1], shape[2], shape[3])
    var joint = [Double](repeating: 0, count: k * k)
    for s in 0..<n { for i in 0..<h { for j in 0..<w {
        for dy in -radius...radius { for dx in -radius...radius {
            let (i2, j2) = (i + dy, j + dx)
            guard i2 >= 0, i2 < h, j2 >= 0, j2 < w else { continue }
            for c1 in 0..<k { for c2 in 0..<k {
                joint[c1 * k + c2] += a[((s * k + c1) * h + i) * w + j] * b[((s * k + c2) * h + i2) * w + j2]
            } }
        } }
    } } }
    let total = joint.reduce(0, +)
    var symmetric = [Double](repeating: 0, count: k * k)
    for i in 0..<k { for j in 0..<k { symmetric[i * k + j] = (joint[i * k + j] + joint[j * k + i]) / 2 / total } }
    let epsilon = Double(Float.ulpOfOne)
    var loss = 0.0
    for i in 0..<k { for j in 0..<k {
        let row = max((0..<k).map { symmetric[i * k + $0] }.reduce(0, +), epsilon)
        let column = max((0..<k).map { symmetric[$0 * k + j] }.reduce(0, +), epsilon)
        let p = max(symmetric[i * k + j], epsilon)
        loss -= p * (Foundation.log(p) - weight * Foundation.log(row) - weight * Foundation.log(column))
    } }
    return loss
}

@Test func lossAndGradientMatchTheDisplacementLoop() {
    var generator = SeededGenerator(seed: 5)
    let shape = [2, 3, 5, 4]
    let logits1 = Tensor.normal(shape, standardDeviation: 3, using: &generator)
    let logits2 = Tensor.normal(shape, standardDeviation: 3, using: &generator)
    let first = withNoGradient { logits1.softmax() }.detached().requireGradient()
    let second = withNoGradient { logits2.softmax() }.detached().requireGradient()
    let (radius, weight): (Int, Float) = (2, 1.5)

    let loss = IICLoss(displacementRadius: radius, marginalWeight: weight)(first, second)
    let a = first.values.map(Double.init), b = second.values.map(Double.init)
    let expected = referenceIICLoss(a, b, shape: shape, radius: radius, weight: Double(weight))
    #expect(abs(Double(loss.scalar) - expected) < 1e-5, "loss \(loss.scalar) vs \(expected)")

    loss.backward()
    let step = 1e-6
    for (input, isFirst) in [(first, true), (second, false)] {
        let numeric = (0..<input.count).map { index -> Double in
            var plus = isFirst ? a : b, minus = plus
            plus[index] += step
            minus[index] -= step
            let up = isFirst ? referenceIICLoss(plus, b, shape: shape, radius: radius, weight: Double(weight))
                : referenceIICLoss(a, plus, shape: shape, radius: radius, weight: Double(weight))
            let down = isFirst ? referenceIICLoss(minus, b, shape: shape, radius: radius, weight: Double(weight))
                : referenceIICLoss(a, minus, shape: shape, radius: radius, weight: Double(weight))
            return (up - down) / (2 * step)
        }
        let analytic = input.gradient!.values.map(Double.init)
        let difference = zip(analytic, numeric).map { abs($0 - $1) }.max()!
        let largest = numeric.map(abs).max()!
        print("IIC loss gradient largest |difference| \(difference), largest |gradient| \(largest)")
        #expect(largest > 1e-4)
        #expect(difference < 1e-3 * largest)
    }
}

@Test func subHeadSelectionKeepsTheLowestLossFirst() throws {
    // Three main sub-heads on one trunk, scored on fixed batches: the kept
    // sub-head has the lowest mean loss, and after the move the first
    // sub-head scores exactly that loss.
    var configuration = IICConfiguration()
    configuration.width = 4
    configuration.overclusters = 0
    configuration.subHeads = 3
    let method = IICMethod(configuration: configuration)
    var generator = SeededGenerator(seed: 9)
    let network = method.makeNetwork(bands: 3, generator: &generator) as! IICNetwork
    let adam = Adam(parameters: network.parameters, learningRate: 1e-3)
    let batches = (0..<2).map { index in
        let first = Tensor(shape: [2, 3, 8, 8], values: (0..<384).map { Float(($0 * (7 + index)) % 23) / 11 - 1 })
        return ViewBatch(first: first, second: first, transform: GeometricTransform(),
                         valid: Tensor(shape: [2, 1, 8, 8], values: [Float](repeating: 1, count: 128)))
    }
    let selections = method.selectSubHeads(network: network, batches: batches, optimizer: adam)
    let selection = try #require(selections.first)
    #expect(selections.count == 1)
    #expect(selection.losses.count == 3)
    #expect(selection.losses[selection.chosen] == selection.losses.min())
    #expect(Set(selection.losses).count == 3)
    let after = batches.map { method.subHeadTerms(network: network, batch: $0)[0][0].loss.scalar }
    #expect(abs(after.reduce(0, +) / 2 - selection.losses[selection.chosen]) < 1e-5)
}
