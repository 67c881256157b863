import Foundation
import Testing
import TensorEngine
@testable import Clustering

/// Builds `[N, C, h, w]` features with `vector(image, position)` at every position.
private func featureMap(images: Int, channels: Int, height: Int, width: Int,
                        _ vector: (Int, Int) -> [Float]) -> Tensor {
    let plane = height * width
    var values = [Float](repeating: 0, count: images * channels * plane)
    for image in 0..<images {
        for position in 0..<plane {
            for (channel, value) in vector(image, position).enumerated() {
                values[(image * channels + channel) * plane + position] = value
            }
        }
    }
    return Tensor(shape: [images, channels, height, width], values: values)
}

private func allValid(images: Int, height: Int, width: Int) -> (mask: Tensor, flags: [Bool]) {
    (Tensor.full([images, 1, height, width], value: 1), [Bool](repeating: true, count: images * height * width))
}

@Test(arguments: [(1, 2), (2, 3), (4, 2)])
func identicalFeaturesGiveLogCandidates(images: Int, clusters: Int) {
    // Every local and class feature is one vector: all N·K candidates score alike.
    let (height, width, channels) = (3, 4, 5)
    let local = featureMap(images: images, channels: channels, height: height, width: width) { _, _ in [0.6, 0, 0.8, 0, 0] }
    var generator = SeededGenerator(seed: 3)
    let probabilities = Tensor.normal([images, clusters, height, width], using: &generator).softmax()
    let valid = allValid(images: images, height: height, width: width)
    let objective = InfoSegObjective(temperature: 0.2, marginalWeight: 0)
    let classFeatures = objective.classFeatures(localFeatures: local, probabilities: probabilities, valid: valid.mask)
    let terms = objective.terms(localFeatures: local, probabilities: probabilities, validFlags: valid.flags, classFeatures: classFeatures)
    #expect(abs(Double(terms.contrastive.scalar) - log(Double(images * clusters))) < 1e-5)
    #expect(abs(terms.mutualInformationBound) < 1e-5)
}

@Test(arguments: [(Float(0.5), true), (0.1, true), (0.05, true), (0.5, false), (0.1, false)])
func separatedFeaturesReachTheBound(temperature: Float, imageNegatives: Bool) {
    // Two images, two classes; class k of image n is the unit vector e_{2n+k},
    // the left half of each image is class 0, the right half class 1.
    let (images, clusters, height, width) = (2, 2, 2, 4)
    func classOf(_ position: Int) -> Int { position % width < width / 2 ? 0 : 1 }
    let local = featureMap(images: images, channels: 4, height: height, width: width) { image, position in
        (0..<4).map { $0 == 2 * image + classOf(position) ? 1 : 0 }
    }
    let probabilities = featureMap(images: images, channels: clusters, height: height, width: width) { _, position in
        (0..<clusters).map { $0 == classOf(position) ? 1 : 0 }
    }
    let valid = allValid(images: images, height: height, width: width)
    let objective = InfoSegObjective(temperature: temperature, marginalWeight: 1, imageNegatives: imageNegatives)
    let classFeatures = objective.classFeatures(localFeatures: local, probabilities: probabilities, valid: valid.mask)
    let identity = (0..<16).map { Float($0 / 4 == $0 % 4 ? 1 : 0) }
    #expect(zip(classFeatures.values, identity).allSatisfy { abs($0 - $1) < 1e-5 })

    // The positive scores 1/τ, the negatives (three, or one in the own image) 0.
    let terms = objective.terms(localFeatures: local, probabilities: probabilities, validFlags: valid.flags, classFeatures: classFeatures)
    let candidates = imageNegatives ? 4.0 : 2.0
    let expected = log(1 + (candidates - 1) * exp(-1 / Double(temperature)))
    #expect(abs(Double(terms.contrastive.scalar) - expected) < 1e-5)
    #expect(abs(Double(terms.mutualInformationBound) - (log(candidates) - expected)) < 1e-5)
    // Both classes hold half the pixels: the guard is -log 2.
    #expect(abs(Double(terms.negativeMarginalEntropy.scalar) + log(2)) < 1e-6)
    #expect(abs(Double(terms.loss.scalar) - (expected - log(2))) < 1e-5)
}

@Test func invalidPositionsAreLeftOut() {
    // The right half is invalid, and its features would change the result.
    let (height, width) = (2, 4)
    let local = featureMap(images: 1, channels: 2, height: height, width: width) { _, position in
        position % width < 2 ? [1, 0] : [0, 1]
    }
    let probabilities = featureMap(images: 1, channels: 2, height: height, width: width) { _, position in
        position % width < 2 ? [0.75, 0.25] : [0.1, 0.9]
    }
    let flags = (0..<(height * width)).map { $0 % width < 2 }
    let mask = Tensor(shape: [1, 1, height, width], values: flags.map { $0 ? 1 : 0 })
    let objective = InfoSegObjective(temperature: 1, marginalWeight: 1)
    let classFeatures = objective.classFeatures(localFeatures: local, probabilities: probabilities, valid: mask)
    // Only [1, 0] features are pooled, so both class features are [1, 0].
    #expect(zip(classFeatures.values, [1, 0, 1, 0]).allSatisfy { abs($0 - $1) < 1e-5 })
    let terms = objective.terms(localFeatures: local, probabilities: probabilities, validFlags: flags, classFeatures: classFeatures)
    #expect(abs(Double(terms.contrastive.scalar) - log(2)) < 1e-5)
    let marginalEntropy = -(0.75 * log(0.75) + 0.25 * log(0.25))
    #expect(abs(Double(terms.negativeMarginalEntropy.scalar) + marginalEntropy) < 1e-5)
}

@Test func noValidPositionGivesZeroLoss() {
    let local = featureMap(images: 1, channels: 2, height: 2, width: 2) { _, _ in [1, 0] }
    let probabilities = Tensor.full([1, 2, 2, 2], value: 0.5)
    let objective = InfoSegObjective(temperature: 1, marginalWeight: 1)
    let terms = objective.terms(localFeatures: local, probabilities: probabilities, validFlags: [false, false, false, false],
                                classFeatures: Tensor(shape: [2, 2], values: [1, 0, 0, 1]))
    #expect(terms.loss.scalar == 0)
}

@Test func imageWiseProductsMatchALoop() {
    var generator = SeededGenerator(seed: 11)
    let (n, k, c, h, w) = (3, 2, 4, 3, 5)
    let vectors = Tensor.normal([n * k, c], using: &generator)
    let features = Tensor.normal([n, c, h, w], using: &generator)
    let products = vectors.imageWiseProducts(with: features).values
    let (v, f) = (vectors.values, features.values)
    var largest: Float = 0
    for image in 0..<n { for cluster in 0..<k { for position in 0..<(h * w) {
        let expected = (0..<c).reduce(Float(0)) { $0 + v[(image * k + cluster) * c + $1] * f[(image * c + $1) * h * w + position] }
        largest = max(largest, abs(products[((image * k + cluster) * h * w) + position] - expected))
    } } }
    #expect(largest < 1e-5)
}

@Test(arguments: [
    // 2 x 4 input flags (row-major) → 1 x 2 half-resolution flags.
    ([1, 1, 1, 1, 1, 1, 1, 1] as [Float], [true, true]),
    ([1, 1, 1, 0, 1, 1, 1, 1], [true, false]),
    ([0, 1, 1, 1, 1, 1, 1, 1], [false, true]),
    ([0, 0, 0, 0, 0, 0, 0, 0], [false, false]),
])
func halfResolutionValidityNeedsAllFourPixels(input: [Float], expected: [Bool]) {
    let (mask, flags) = InfoSegObjective.halfResolutionValidity(Tensor(shape: [1, 1, 2, 4], values: input))
    #expect(flags == expected)
    #expect(mask.shape == [1, 1, 1, 2])
    #expect(mask.values == expected.map { $0 ? 1 : 0 })
}

/// Computes the whole objective of raw local features and raw class scores,
/// as the network does: normalisation, softmax, class features, InfoNCE, guard.
private func objectiveOfRawInputs(_ rawLocal: Tensor, _ scores: Tensor, flags: [Bool], mask: Tensor) -> Tensor {
    let objective = InfoSegObjective(temperature: 0.5, marginalWeight: 0.7)
    let local = rawLocal.normalisedAlongChannels()
    let probabilities = scores.softmax()
    let classFeatures = objective.classFeatures(localFeatures: local, probabilities: probabilities, valid: mask)
    return objective.terms(localFeatures: local, probabilities: probabilities, validFlags: flags, classFeatures: classFeatures).loss
}

@Test func gradientsMatchFiniteDifferences() {
    var generator = SeededGenerator(seed: 21)
    let (n, k, c, h, w) = (2, 3, 4, 2, 3)
    let rawLocal = Tensor.normal([n, c, h, w], using: &generator).requireGradient()
    let scores = Tensor.normal([n, k, h, w], standardDeviation: 2, using: &generator).requireGradient()
    let flags = (0..<(n * h * w)).map { $0 != 4 }
    let mask = Tensor(shape: [n, 1, h, w], values: flags.map { $0 ? 1 : 0 })
    objectiveOfRawInputs(rawLocal, scores, flags: flags, mask: mask).backward()

    let step: Float = 1e-2
    for input in [rawLocal, scores] {
        let values = input.values
        let numeric = (0..<input.count).map { index -> Float in
            var plus = values, minus = values
            plus[index] += step
            minus[index] -= step
            let other = input === rawLocal ? scores.detached() : rawLocal.detached()
            func loss(_ changed: [Float]) -> Float {
                let changedTensor = Tensor(shape: input.shape, values: changed)
                return withNoGradient {
                    input === rawLocal ? objectiveOfRawInputs(changedTensor, other, flags: flags, mask: mask).scalar
                        : objectiveOfRawInputs(other, changedTensor, flags: flags, mask: mask).scalar
                }
            }
            return (loss(plus) - loss(minus)) / (2 * step)
        }
        let analytic = input.gradient!.values
        let difference = zip(analytic, numeric).map { abs($0 - $1) }.max()!
        let largest = numeric.map(abs).max()!
        #expect(largest > 1e-3)
        #expect(difference < 2e-2 * largest, "largest |difference| \(difference), largest |gradient| \(largest)")
    }
}

@Test func localValidityWithoutThePoolIsTheMaskItself() {
    let valid = Tensor(shape: [1, 1, 2, 2], values: [1, 0, 1, 1])
    let (mask, flags) = InfoSegObjective.localValidity(valid, halved: false)
    #expect(mask.values == [1, 0, 1, 1])
    #expect(flags == [true, false, true, true])
    #expect(InfoSegObjective.localValidity(valid, halved: true).flags == [false])
}
