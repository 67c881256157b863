import Foundation
import Testing
@testable import TensorEngine

@Test func adamFirstStepMovesEachParameterByTheLearningRate() {
    // After one step m̂ = g and v̂ = g², so p moves by lr · g / (|g| + ε).
    let p = Tensor(shape: [3], values: [1, 1, 1], requiresGradient: true)
    (p * Tensor(shape: [3], values: [2, -0.5, 0])).sum().backward()
    let adam = Adam(parameters: [p], learningRate: 0.1)
    adam.step()
    let expected: [Float] = [0.9, 1.1, 1]
    #expect(zip(p.values, expected).allSatisfy { abs($0 - $1) < 1e-6 })
}

@Test func adamWeightDecayAddsToTheGradient() {
    // g = 0 + 0.5 · 2 = 1: the step is as for a gradient of 1.
    let p = Tensor(shape: [1], values: [2], requiresGradient: true)
    (p * Tensor(shape: [1], values: [0])).sum().backward()
    let adam = Adam(parameters: [p], learningRate: 0.01, weightDecay: 0.5)
    adam.step()
    #expect(abs(p.values[0] - 1.99) < 1e-6)
}

@Test func sgdMomentumFollowsPyTorchsUpdate() {
    // Gradient 1 each step: b = 1, then 0.9 + 1 = 1.9; p = 1 - 0.1 - 0.19.
    let p = Tensor(shape: [1], values: [1], requiresGradient: true)
    let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
    for _ in 0..<2 {
        sgd.zeroGradients()
        p.sum().backward()
        sgd.step()
    }
    #expect(abs(p.values[0] - 0.71) < 1e-6)
}

@Test func stateDictionaryNamesMatchPyTorch() {
    var generator = SeededGenerator(seed: 1)
    let network = Sequential([
        Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, generator: &generator),
        BatchNorm2d(channels: 4), ReLU(), MaxPool2d(),
        Conv2d(inChannels: 4, outChannels: 2, kernelSize: 1, bias: false, generator: &generator),
    ])
    #expect(network.stateDictionary.map(\.name) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked", "4.weight",
    ])
    #expect(network.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight"])
    #expect(network.stateDictionary.map(\.tensor.shape) == [[4, 3, 3, 3], [4], [4], [4], [4], [4], [], [2, 4, 1, 1]])
}

@Test func convolutionInitialisationStaysInKaimingBound() {
    var generator = SeededGenerator(seed: 3)
    let layer = Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, generator: &generator)
    let bound = 1 / Float(72).squareRoot()
    #expect(layer.weight.values.allSatisfy { abs($0) <= bound })
    #expect(layer.weight.values.map(abs).max()! > 0.9 * bound)
    #expect(layer.bias!.values.allSatisfy { abs($0) <= bound })
}

/// Images of stripes: class 0 horizontal, class 1 vertical, random phase,
/// period and noise.
func stripedImages(count: Int, size: Int, generator: inout SeededGenerator) -> (Tensor, [Int]) {
    var values: [Float] = [], labels: [Int] = []
    for _ in 0..<count {
        let label = Int(generator.next() % 2)
        let period = Float(2 + generator.next() % 3), phase = generator.uniform(0, 6.3)
        for row in 0..<size {
            for column in 0..<size {
                let position = Float(label == 0 ? row : column)
                values.append(sin(2 * .pi * position / period + phase) + 0.3 * generator.normal())
            }
        }
        labels.append(label)
    }
    return (Tensor(shape: [count, 1, size, size], values: values), labels)
}

@Test func tinyNetworkLearnsToSeparateStripeDirections() {
    var generator = SeededGenerator(seed: 11)
    let network = Sequential([
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 3, padding: 1, generator: &generator),
        BatchNorm2d(channels: 6), ReLU(), MaxPool2d(),
        Conv2d(inChannels: 6, outChannels: 2, kernelSize: 3, padding: 1, generator: &generator),
    ])
    let adam = Adam(parameters: network.parameters, learningRate: 0.02)

    /// Cross-entropy of the spatially averaged logits, and accuracy.
    func evaluate(_ images: Tensor, _ labels: [Int]) -> (loss: Tensor, accuracy: Double) {
        let n = labels.count
        let logits = network(images).spatialMean()
        let logProbabilities = logits.softmax().log()
        let oneHot = Tensor(shape: [n, 2], values: labels.flatMap { $0 == 0 ? [Float(1), 0] : [0, 1] })
        let loss = (logProbabilities * oneHot).sum() * (-1 / Float(n))
        let predictions = logits.values
        let correct = (0..<n).filter { (predictions[2 * $0 + 1] > predictions[2 * $0] ? 1 : 0) == labels[$0] }.count
        return (loss, Double(correct) / Double(n))
    }

    let (testImages, testLabels) = stripedImages(count: 64, size: 8, generator: &generator)
    network.setTraining(false)
    let before = withNoGradient { evaluate(testImages, testLabels) }
    network.setTraining(true)
    for _ in 0..<60 {
        let (images, labels) = stripedImages(count: 16, size: 8, generator: &generator)
        adam.zeroGradients()
        evaluate(images, labels).loss.backward()
        adam.step()
    }
    network.setTraining(false)
    let after = withNoGradient { evaluate(testImages, testLabels) }
    print("tiny training: loss \(before.loss.scalar) -> \(after.loss.scalar), accuracy \(before.accuracy) -> \(after.accuracy)")
    #expect(after.loss.scalar < 0.5 * before.loss.scalar)
    #expect(after.accuracy > 0.9)
    #expect(after.accuracy > before.accuracy)
}

extension Tensor {
    /// `[N, C, H, W]` averaged over H and W to `[N, C]`.
    func spatialMean() -> Tensor {
        sum(alongAxes: [2, 3]).reshaped([shape[0], shape[1]]) * (1 / Float(shape[2] * shape[3]))
    }
}
