import Foundation
import Testing
import TensorEngine
@testable import Clustering

/// A narrow pooled 3x3 trunk with one sub-head, whose local features are at half resolution.
private var tinyInfoSeg: InfoSegConfiguration {
    var configuration = InfoSegConfiguration()
    configuration.width = 2
    configuration.featureChannels = 4
    configuration.kernelSize = 3
    configuration.subHeads = 1
    return configuration
}

@Test func perPixelTrunkWithoutThePoolKeepsTheInputResolution() {
    var generator = SeededGenerator(seed: 1)
    var configuration = tinyInfoSeg
    configuration.kernelSize = 1
    configuration.pool = false
    let network = InfoSegNetwork(bands: 3, configuration: configuration, generator: &generator)
    let input = Tensor.normal([2, 3, 8, 6], using: &generator)
    let output = network.forward(input)
    #expect(output.localFeatures.shape == [2, 4, 8, 6])
    #expect(output.probabilities.shape == [2, 3, 8, 6])
    #expect(network.headProbabilities(input)[0].values == output.probabilities.values)
    #expect(InfoSegNetwork.receptiveField(kernelSize: 1, pool: false) == 1)
    #expect(InfoSegNetwork.receptiveField(kernelSize: 1, pool: true) == 5)
    #expect(InfoSegNetwork.receptiveField(kernelSize: 3) == 20)
}

@Test(arguments: [(1, 8, 8), (2, 12, 8), (3, 2, 4)])
func networkOutputsHaveTheDocumentedShapes(images: Int, height: Int, width: Int) {
    var generator = SeededGenerator(seed: 1)
    let network = InfoSegNetwork(bands: 3, configuration: tinyInfoSeg, generator: &generator)
    let input = Tensor.normal([images, 3, height, width], using: &generator)
    let output = network.forward(input)
    #expect(output.localFeatures.shape == [images, 4, height / 2, width / 2])
    #expect(output.globalFeatures.shape == [images * 3, 4])
    #expect(output.probabilities.shape == [images, 3, height / 2, width / 2])
    #expect(network.headProbabilities(input).map(\.shape) == [[images, 3, height, width]])

    // Unit-length features; probabilities summing to 1 at every position.
    let plane = height * width / 4
    let local = output.localFeatures.values, probabilities = output.probabilities.values
    for image in 0..<images {
        for position in 0..<plane {
            let length = (0..<4).reduce(Float(0)) { $0 + local[(image * 4 + $1) * plane + position] * local[(image * 4 + $1) * plane + position] }
            let total = (0..<3).reduce(Float(0)) { $0 + probabilities[(image * 3 + $1) * plane + position] }
            #expect(abs(length - 1) < 1e-4)
            #expect(abs(total - 1) < 1e-4)
        }
    }
    let global = output.globalFeatures.values
    for row in 0..<(images * 3) {
        #expect(abs((0..<4).reduce(Float(0)) { $0 + global[row * 4 + $1] * global[row * 4 + $1] } - 1) < 1e-4)
    }
}

@Test func identicalGlobalFeaturesGiveUniformProbabilities() {
    // Zero projection weights leave only the bias: every class gets one vector.
    var generator = SeededGenerator(seed: 2)
    let network = InfoSegNetwork(bands: 3, configuration: tinyInfoSeg, generator: &generator)
    network.globalProjections[0].weight.assign([Float](repeating: 0, count: network.globalProjections[0].weight.count))
    network.globalProjections[0].bias!.assign((0..<12).map { Float($0 % 4) + 1 })
    let probabilities = network.forward(Tensor.normal([2, 3, 8, 8], using: &generator)).probabilities.values
    #expect(probabilities.allSatisfy { abs($0 - 1.0 / 3) < 1e-5 })
}

@Test func stateNamesFollowPyTorch() {
    var generator = SeededGenerator(seed: 1)
    let names = InfoSegNetwork(bands: 3, configuration: tinyInfoSeg, generator: &generator).stateDictionary.map(\.name)
    #expect(names.prefix(3) == ["trunk.0.weight", "trunk.1.weight", "trunk.1.bias"])
    #expect(names.contains("local.weight"))
    #expect(names.contains("globalBlock.1.running_mean"))
    #expect(names.contains("globalProjection.bias"))
}

@Test func configurationWithoutNewerKeysTakesEarlierBehaviour() throws {
    // A run written before the positives, negatives and view keys existed trained as the reference does.
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let configuration = try decoder.decode(InfoSegConfiguration.self, from: Data(#"{"clusters": 4, "temperature": 0.2}"#.utf8))
    var expected = InfoSegConfiguration.reference
    expected.clusters = 4
    expected.temperature = 0.2
    (expected.kernelSize, expected.pool, expected.subHeads) = (3, true, 1)
    #expect(configuration == expected)
}

@Test func configurationRoundTripsThroughJSON() throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    for configuration in [InfoSegConfiguration(), InfoSegConfiguration.reference] {
        let decoded = try decoder.decode(InfoSegConfiguration.self, from: encoder.encode(configuration))
        #expect(decoded == configuration)
    }
}

@Test func defaultsDepartFromReferenceInThreeSettings() {
    let defaults = InfoSegConfiguration()
    let reference = InfoSegConfiguration.reference
    #expect(defaults.otherViewPositives)
    #expect(!reference.otherViewPositives)
    #expect(!defaults.imageNegatives)
    #expect(reference.imageNegatives)
    #expect(defaults.augmentation.sharedGain)
    #expect(!reference.augmentation.sharedGain)
    #expect(InfoSegConfiguration.defaultInputScale == .spectralShape)

    // Everything else is shared.
    var aligned = reference
    aligned.otherViewPositives = defaults.otherViewPositives
    aligned.imageNegatives = defaults.imageNegatives
    aligned.augmentation = defaults.augmentation
    #expect(aligned == defaults)
}

@Test(arguments: [GeometricTransform(horizontalFlip: true), GeometricTransform(quarterTurns: 1),
                  GeometricTransform(horizontalFlip: true, quarterTurns: 3)])
func otherViewProbabilitiesLineUpWithEachView(transform: GeometricTransform) {
    // A second view that is exactly the transformed first: each aligned map equals the other view's own.
    var generator = SeededGenerator(seed: 4)
    let first = Tensor.normal([2, 3, 4, 4], using: &generator).softmax()
    let second = transform.apply(first)
    let aligned = InfoSegMethod.alignedProbabilities([first, second], transform: transform, height: 8, width: 8)
    #expect(aligned[0]?.values == first.values)
    #expect(aligned[1]?.values == second.values)
}
