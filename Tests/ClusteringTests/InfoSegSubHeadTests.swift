import Foundation
import Testing
import TensorEngine
@testable import Clustering

private func configuration(subHeads: Int, kernelSize: Int = 3) -> InfoSegConfiguration {
    var configuration = InfoSegConfiguration()
    configuration.width = 2
    configuration.featureChannels = 4
    configuration.subHeads = subHeads
    configuration.kernelSize = kernelSize
    return configuration
}

@Test(arguments: [1, 3])
func subHeadsShareOneTrunkAndDiffer(kernelSize: Int) {
    var generator = SeededGenerator(seed: 3)
    let network = InfoSegNetwork(bands: 3, configuration: configuration(subHeads: 3, kernelSize: kernelSize), generator: &generator)
    network.setTraining(false)
    let input = Tensor.normal([2, 3, 8, 8], using: &generator)
    let outputs = network.forwardSubHeads(input)
    #expect(outputs.count == 3)
    let side = kernelSize == 1 ? 8 : 4  // The 1x1 trunk has no pool by default.
    #expect(outputs.allSatisfy { $0.probabilities.shape == [2, 3, side, side] })
    #expect(outputs[0].probabilities.values != outputs[1].probabilities.values)
    #expect(network.forward(input).probabilities.values == outputs[0].probabilities.values)
    #expect(network.forwardSubHeads(input, all: false).count == 1)
}

@Test func movingASubHeadFirstMakesItTheOutput() {
    var generator = SeededGenerator(seed: 5)
    let network = InfoSegNetwork(bands: 3, configuration: configuration(subHeads: 3), generator: &generator)
    network.setTraining(false)
    let input = Tensor.normal([1, 3, 8, 8], using: &generator)
    let before = network.forwardSubHeads(input).map(\.probabilities.values)
    let optimizer = Adam(parameters: network.parameters)
    let firstMoment = optimizer.firstMoments[optimizer.parameters.firstIndex { $0 === network.locals[2].weight }!]
    firstMoment.assign([Float](repeating: 7, count: firstMoment.count))

    network.moveSubHeadFirst(2, optimizer: optimizer)
    let after = network.forwardSubHeads(input).map(\.probabilities.values)
    #expect(after[0] == before[2])
    #expect(after[2] == before[0])
    #expect(after[1] == before[1])
    // The moments moved with the weights.
    let moved = optimizer.firstMoments[optimizer.parameters.firstIndex { $0 === network.locals[0].weight }!]
    #expect(moved.values.allSatisfy { $0 == 7 })
}

@Test func severalSubHeadsAreNamedByIndex() {
    var generator = SeededGenerator(seed: 1)
    let names = InfoSegNetwork(bands: 3, configuration: configuration(subHeads: 2), generator: &generator)
        .stateDictionary.map(\.name)
    for name in ["local.0.weight", "local.1.bias", "globalProjection.0.weight", "globalProjection.1.bias"] {
        #expect(names.contains(name), "missing \(name)")
    }
    #expect(!names.contains("local.weight"))
}

@Test func oneSubHeadKeepsTheEarlierStateNames() {
    // Checkpoints written before sub-heads existed load into a network of one sub-head.
    var generator = SeededGenerator(seed: 9)
    let names = InfoSegNetwork(bands: 3, configuration: configuration(subHeads: 1), generator: &generator).stateDictionary.map(\.name)
    #expect(names.contains("local.weight"))
    #expect(names.contains("globalProjection.bias"))
    #expect(!names.contains("local.0.weight"))
}

@Test func olderConfigurationsReadAsOneSubHeadOnAThreeByThreeTrunk() throws {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let stored = try decoder.decode(InfoSegConfiguration.self, from: Data(#"{"clusters": 3}"#.utf8))
    #expect(stored.kernelSize == 3)
    #expect(stored.pool)
    #expect(stored.subHeads == 1)
}

@Test func crossViewInformationOfAgreeingAndIndependentViews() {
    // Two balanced classes, one-hot and equal in both views: I = log 2.
    let oneHot = Tensor(shape: [1, 2, 2, 2], values: [1, 0, 1, 0, 0, 1, 0, 1])
    let valid = Tensor.full([1, 1, 2, 2], value: 1)
    #expect(abs(InfoSegMethod.crossViewInformation(oneHot, oneHot, valid: valid) - Float(log(2.0))) < 1e-5)
    // A second view independent of the first: I = 0.
    let uniform = Tensor(shape: [1, 2, 2, 2], values: [Float](repeating: 0.5, count: 8))
    #expect(abs(InfoSegMethod.crossViewInformation(oneHot, uniform, valid: valid)) < 1e-6)
    // Masked positions do not count: only the first class is left, so I = 0.
    let firstTwo = Tensor(shape: [1, 1, 2, 2], values: [1, 0, 1, 0])
    #expect(abs(InfoSegMethod.crossViewInformation(oneHot, oneHot, valid: firstTwo)) < 1e-6)
}

@Test func selectionKeepsTheSubHeadWhoseViewsAgreeMost() throws {
    var generator = SeededGenerator(seed: 11)
    let settings = configuration(subHeads: 3)
    let method = InfoSegMethod(configuration: settings)
    let network = method.makeNetwork(bands: 3, generator: &generator) as! InfoSegNetwork
    let transform = GeometricTransform(horizontalFlip: true)
    let batches = (0..<2).map { _ in
        let first = Tensor.normal([2, 3, 8, 8], using: &generator)
        return ViewBatch(first: first, second: transform.apply(first), transform: transform, valid: Tensor.full([2, 1, 8, 8], value: 1))
    }
    let before = withNoGradient { network.forwardSubHeads(batches[0].first).map(\.probabilities.values) }
    let optimizer = Adam(parameters: network.parameters)

    let selections = method.selectSubHeads(network: network, batches: batches, optimizer: optimizer)
    let selection = try #require(selections.first)
    let agreements = try #require(selection.agreements)
    #expect(selections.count == 1)
    #expect(agreements.count == 3)
    #expect(agreements[selection.chosen] == agreements.max())
    #expect(selection.losses.count == 3)
    let after = withNoGradient { network.forwardSubHeads(batches[0].first).map(\.probabilities.values) }
    #expect(after[0] == before[selection.chosen])
}
