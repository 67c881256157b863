import Foundation
import Testing
@testable import TensorEngine

/// Named tensors read from a fixture written by
/// `scripts/reference/engine_fixtures.py`.
struct Fixture {
    private struct File: Decodable {
        struct Entry: Decodable { var shape: [Int]; var values: [Float] }
        var tensors: [String: Entry]
    }

    private let entries: [String: File.Entry]

    init(_ name: String) throws {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/engine"),
            "fixture '\(name).json' is missing; run scripts/reference/engine_fixtures.py")
        entries = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).tensors
    }

    /// Reads the tensor stored under `name` as a new leaf.
    func tensor(_ name: String, requiresGradient: Bool = false) throws -> Tensor {
        let entry = try #require(entries[name], "fixture has no tensor '\(name)'")
        return Tensor(shape: entry.shape, values: entry.values, requiresGradient: requiresGradient)
    }

    var names: [String] { Array(entries.keys) }
}

/// Prints the largest absolute difference of `actual` from PyTorch's
/// `expected` and fails past `tolerance`.
func expectClose(_ label: String, _ actual: Tensor?, _ expected: Tensor, tolerance: Float) {
    guard let actual else {
        Issue.record("\(label): no value to compare")
        return
    }
    #expect(actual.shape == expected.shape, "\(label): shape")
    let difference = zip(actual.values, expected.values).map { abs($0 - $1) }.max() ?? 0
    print("\(label): largest |difference| from PyTorch \(difference)")
    #expect(difference <= tolerance, "\(label): largest difference \(difference) > \(tolerance)")
}

struct PyTorchCase: CustomTestStringConvertible, @unchecked Sendable {
    var fixture: String
    var inputs: [String]
    var engine: ([Tensor]) -> Tensor
    var testDescription: String { fixture }
}

let pyTorchCases: [PyTorchCase] = [
    PyTorchCase(fixture: "convolution", inputs: ["x", "weight", "bias"]) {
        $0[0].convolution(weight: $0[1], bias: $0[2], padding: 1)
    },
    PyTorchCase(fixture: "dilated_convolution", inputs: ["x", "weight"]) {
        $0[0].convolution(weight: $0[1], padding: 2, dilation: 2)
    },
    PyTorchCase(fixture: "batch_normalization", inputs: ["x", "weight", "bias"]) {
        $0[0].batchNormalization(scale: $0[1], shift: $0[2], runningMean: .zeros([3]),
                                 runningVariance: .full([3], value: 1), training: true)
    },
    PyTorchCase(fixture: "max_pooling", inputs: ["x"]) { $0[0].maxPooled() },
    PyTorchCase(fixture: "bilinear_upsampling", inputs: ["x"]) { $0[0].resizedBilinear(height: 16, width: 20) },
    PyTorchCase(fixture: "bilinear_resampling", inputs: ["x"]) { $0[0].resizedBilinear(height: 8, width: 3) },
    PyTorchCase(fixture: "softmax", inputs: ["x"]) { $0[0].softmax() },
    PyTorchCase(fixture: "log_of_clamp", inputs: ["x"]) { $0[0].clamped(minimum: 1e-3, maximum: 0.9).log() },
    PyTorchCase(fixture: "matmul", inputs: ["a", "b"]) { $0[0].matmul($0[1], transposeSelf: true) },
    PyTorchCase(fixture: "concatenation", inputs: ["a", "b"]) { Tensor.concatenatingChannels($0) },
    PyTorchCase(fixture: "flip_and_rotation", inputs: ["x"]) { $0[0].flippedHorizontally().rotated(quarterTurns: 1) },
]

/// Forward and backward of one op against PyTorch 2.13 (Float32 both sides,
/// so the tolerance is a few units in the last place of the largest value).
@Test(arguments: pyTorchCases)
func opMatchesPyTorch(_ operation: PyTorchCase) throws {
    let fixture = try Fixture(operation.fixture)
    let inputs = try operation.inputs.map { try fixture.tensor($0, requiresGradient: true) }
    let output = operation.engine(inputs)
    expectClose("\(operation.fixture) output", output, try fixture.tensor("output"), tolerance: 1e-5)
    (output * (try fixture.tensor("weights"))).sum().backward()
    for (name, input) in zip(operation.inputs, inputs) {
        expectClose("\(operation.fixture) gradient of \(name)", input.gradient,
                    try fixture.tensor("gradient.\(name)"), tolerance: 1e-4)
    }
}

/// The miniature IIC network of the fixture script, built from engine layers.
final class SmallNetwork: Module {
    let trunk: Sequential
    let head: Conv2d
    var isTraining = true

    init() {
        var generator = SeededGenerator(seed: 0)
        trunk = Sequential([
            Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, generator: &generator),
            BatchNorm2d(channels: 8), ReLU(), MaxPool2d(),
            Conv2d(inChannels: 8, outChannels: 8, kernelSize: 3, padding: 2, dilation: 2, generator: &generator),
            BatchNorm2d(channels: 8), ReLU(),
        ])
        head = Conv2d(inChannels: 8, outChannels: 4, kernelSize: 1, generator: &generator)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        head(trunk(input)).resizedBilinear(height: input.shape[2], width: input.shape[3]).softmax()
    }

    var children: [(name: String, module: Module)] { [("trunk", trunk), ("head", head)] }
}

@Test func smallNetworkMatchesPyTorch() throws {
    let fixture = try Fixture("small_network")
    let network = SmallNetwork()
    for (name, tensor) in network.stateDictionary {
        tensor.assign(try fixture.tensor("state.\(name)").values)
    }
    let x = try fixture.tensor("x", requiresGradient: true)
    let output = network(x)
    expectClose("small network output", output, try fixture.tensor("output"), tolerance: 1e-5)
    (output * (try fixture.tensor("weights"))).sum().backward()
    expectClose("small network gradient of x", x.gradient, try fixture.tensor("gradient.x"), tolerance: 1e-4)
    for (name, parameter) in network.namedParameters {
        expectClose("small network gradient of \(name)", parameter.gradient,
                    try fixture.tensor("gradient.\(name)"), tolerance: 1e-4)
    }
    for (name, buffer) in network.stateDictionary where name.contains("running") {
        expectClose("small network updated \(name)", buffer, try fixture.tensor("updated.\(name)"), tolerance: 1e-5)
    }
}

/// Winograd and direct convolution on a shape oneDNN runs with Winograd's
/// algorithm (16 to 32 channels, 3x3): outputs and gradients agree to
/// Float32 rounding of the transforms.
@Test func winogradConvolutionMatchesDirect() {
    var generator = SeededGenerator(seed: 9)
    let input = Tensor.normal([2, 16, 12, 12], using: &generator)
    let weightValues = Tensor.normal([32, 16, 3, 3], standardDeviation: 0.1, using: &generator).values
    let weights = Tensor.normal([2, 32, 12, 12], using: &generator)

    func run(winograd: Bool) -> (output: [Float], inputGradient: [Float], weightGradient: [Float]) {
        ConvolutionSettings.$prefersWinograd.withValue(winograd) {
            let x = input.detached().requireGradient()
            let weight = Tensor(shape: [32, 16, 3, 3], values: weightValues, requiresGradient: true)
            let output = x.convolution(weight: weight, padding: 1)
            (output * weights).sum().backward()
            return (output.values, x.gradient!.values, weight.gradient!.values)
        }
    }
    let winograd = run(winograd: true), direct = run(winograd: false)
    for (label, a, b) in [("output", winograd.output, direct.output),
                          ("input gradient", winograd.inputGradient, direct.inputGradient),
                          ("weight gradient", winograd.weightGradient, direct.weightGradient)] {
        let difference = zip(a, b).map { abs($0 - $1) }.max()!
        let scale = b.map(abs).max()!
        print("winograd against direct, \(label): largest |difference| \(difference) of largest |value| \(scale)")
        #expect(difference < 1e-4 * scale, "\(label)")
    }
}
