import Foundation
import Testing
@testable import TensorEngine

/// One op under test: its inputs, its Float64 reference and its engine call.
struct OperationCase: CustomTestStringConvertible, @unchecked Sendable {
    var name: String
    var inputShapes: [[Int]]
    /// The interval inputs are drawn from (log needs positive values).
    var inputRange: ClosedRange<Float> = -1...1
    var reference: ([[Double]]) -> [Double]
    var engine: ([Tensor]) -> Tensor

    var testDescription: String { name }
}

/// Largest absolute difference of two equally long arrays.
func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) and \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

let gradientCases: [OperationCase] = [
    OperationCase(name: "convolution 3x3 padding 1", inputShapes: [[2, 3, 5, 6], [4, 3, 3, 3], [4]],
                  reference: { Reference.convolution($0[0], [2, 3, 5, 6], $0[1], [4, 3, 3, 3], $0[2], padding: 1, dilation: 1) },
                  engine: { $0[0].convolution(weight: $0[1], bias: $0[2], padding: 1) }),
    OperationCase(name: "convolution 3x3 dilation 2", inputShapes: [[1, 2, 7, 7], [3, 2, 3, 3]],
                  reference: { Reference.convolution($0[0], [1, 2, 7, 7], $0[1], [3, 2, 3, 3], nil, padding: 2, dilation: 2) },
                  engine: { $0[0].convolution(weight: $0[1], padding: 2, dilation: 2) }),
    OperationCase(name: "convolution 1x1", inputShapes: [[2, 5, 3, 4], [3, 5, 1, 1], [3]],
                  reference: { Reference.convolution($0[0], [2, 5, 3, 4], $0[1], [3, 5, 1, 1], $0[2], padding: 0, dilation: 1) },
                  engine: { $0[0].convolution(weight: $0[1], bias: $0[2]) }),
    OperationCase(name: "batch normalisation", inputShapes: [[3, 2, 3, 4], [2], [2]],
                  reference: { Reference.batchNormalization($0[0], [3, 2, 3, 4], scale: $0[1], shift: $0[2], epsilon: 1e-5) },
                  engine: { $0[0].batchNormalization(scale: $0[1], shift: $0[2], runningMean: .zeros([2]),
                                                     runningVariance: .full([2], value: 1), training: true) }),
    OperationCase(name: "batch normalisation with running statistics", inputShapes: [[2, 3, 2, 3], [3], [3]],
                  reference: { x in
                      let (mean, variance): ([Double], [Double]) = ([0.2, -0.1, 0.5], [1.5, 0.7, 2.0])
                      return x[0].enumerated().map { index, value in
                          let channel = (index / 6) % 3
                          return (value - mean[channel]) / (variance[channel] + 1e-5).squareRoot() * x[1][channel] + x[2][channel]
                      }
                  },
                  engine: { $0[0].batchNormalization(scale: $0[1], shift: $0[2],
                                                     runningMean: Tensor(shape: [3], values: [0.2, -0.1, 0.5]),
                                                     runningVariance: Tensor(shape: [3], values: [1.5, 0.7, 2.0]),
                                                     training: false) }),
    OperationCase(name: "batch normalisation fused with relu", inputShapes: [[2, 16, 3, 3], [16], [16]],
                  reference: { Reference.batchNormalization($0[0], [2, 16, 3, 3], scale: $0[1], shift: $0[2], epsilon: 1e-5)
                      .map { max($0, 0) } },
                  engine: { $0[0].batchNormalization(scale: $0[1], shift: $0[2], runningMean: .zeros([16]),
                                                     runningVariance: .full([16], value: 1), training: true,
                                                     fusedReLU: true) }),
    OperationCase(name: "relu", inputShapes: [[2, 3, 4, 5]],
                  reference: { $0[0].map { max($0, 0) } }, engine: { $0[0].relu() }),
    OperationCase(name: "log", inputShapes: [[2, 3, 4]], inputRange: 0.2...2,
                  reference: { $0[0].map { Foundation.log($0) } }, engine: { $0[0].log() }),
    OperationCase(name: "clamp", inputShapes: [[3, 7]],
                  reference: { $0[0].map { min(max($0, -0.5), 0.4) } }, engine: { $0[0].clamped(minimum: -0.5, maximum: 0.4) }),
    OperationCase(name: "affine scale", inputShapes: [[3, 4]],
                  reference: { $0[0].map { 2.5 * $0 - 1 } }, engine: { $0[0].affine(scale: 2.5, offset: -1) }),
    OperationCase(name: "softmax over channels", inputShapes: [[2, 4, 3, 3]],
                  reference: { Reference.softmaxOverChannels($0[0], [2, 4, 3, 3]) }, engine: { $0[0].softmax() }),
    OperationCase(name: "softmax over matrix rows", inputShapes: [[5, 3]],
                  reference: { Reference.softmaxOverChannels($0[0], [5, 3]) }, engine: { $0[0].softmax() }),
    OperationCase(name: "max pooling 2x2", inputShapes: [[2, 3, 4, 6]],
                  reference: { Reference.maxPooling($0[0], [2, 3, 4, 6], window: 2) }, engine: { $0[0].maxPooled() }),
    OperationCase(name: "max pooling 2x2 odd size", inputShapes: [[1, 2, 5, 5]],
                  reference: { Reference.maxPooling($0[0], [1, 2, 5, 5], window: 2) }, engine: { $0[0].maxPooled() }),
    OperationCase(name: "bilinear upsampling x4", inputShapes: [[1, 2, 3, 4]],
                  reference: { Reference.bilinear($0[0], [1, 2, 3, 4], height: 12, width: 16) },
                  engine: { $0[0].resizedBilinear(height: 12, width: 16) }),
    OperationCase(name: "bilinear resampling 5x3 to 7x8", inputShapes: [[2, 1, 5, 3]],
                  reference: { Reference.bilinear($0[0], [2, 1, 5, 3], height: 7, width: 8) },
                  engine: { $0[0].resizedBilinear(height: 7, width: 8) }),
    OperationCase(name: "add", inputShapes: [[2, 3, 4], [2, 3, 4]],
                  reference: { zip($0[0], $0[1]).map { $0 + $1 } }, engine: { $0[0] + $0[1] }),
    OperationCase(name: "add broadcast", inputShapes: [[2, 3, 4], [1, 3, 1]],
                  reference: { zip($0[0], Reference.broadcast($0[1], [1, 3, 1], to: [2, 3, 4])).map { $0 + $1 } },
                  engine: { $0[0] + $0[1] }),
    OperationCase(name: "subtract", inputShapes: [[2, 5], [2, 5]],
                  reference: { zip($0[0], $0[1]).map { $0 - $1 } }, engine: { $0[0] - $0[1] }),
    OperationCase(name: "multiply", inputShapes: [[2, 3, 4], [2, 3, 4]],
                  reference: { zip($0[0], $0[1]).map { $0 * $1 } }, engine: { $0[0] * $0[1] }),
    OperationCase(name: "multiply broadcast", inputShapes: [[2, 3, 2, 2], [2, 1, 2, 2]],
                  reference: { zip($0[0], Reference.broadcast($0[1], [2, 1, 2, 2], to: [2, 3, 2, 2])).map { $0 * $1 } },
                  engine: { $0[0] * $0[1] }),
    OperationCase(name: "sum", inputShapes: [[3, 4, 5]],
                  reference: { [$0[0].reduce(0, +)] }, engine: { $0[0].sum() }),
    OperationCase(name: "mean", inputShapes: [[3, 4, 5]],
                  reference: { [$0[0].reduce(0, +) / 60] }, engine: { $0[0].mean() }),
    OperationCase(name: "sum along axes 0 and 2", inputShapes: [[3, 4, 5]],
                  reference: { Reference.sum($0[0], [3, 4, 5], axes: [0, 2]) }, engine: { $0[0].sum(alongAxes: [0, 2]) }),
    OperationCase(name: "matmul", inputShapes: [[3, 4], [4, 5]],
                  reference: { Reference.matmul($0[0], [3, 4], $0[1], [4, 5], transposeA: false, transposeB: false) },
                  engine: { $0[0].matmul($0[1]) }),
    OperationCase(name: "matmul transposed left", inputShapes: [[4, 3], [4, 5]],
                  reference: { Reference.matmul($0[0], [4, 3], $0[1], [4, 5], transposeA: true, transposeB: false) },
                  engine: { $0[0].matmul($0[1], transposeSelf: true) }),
    OperationCase(name: "matmul transposed right", inputShapes: [[3, 4], [5, 4]],
                  reference: { Reference.matmul($0[0], [3, 4], $0[1], [5, 4], transposeA: false, transposeB: true) },
                  engine: { $0[0].matmul($0[1], transposeOther: true) }),
    OperationCase(name: "matmul transposed both", inputShapes: [[4, 3], [5, 4]],
                  reference: { Reference.matmul($0[0], [4, 3], $0[1], [5, 4], transposeA: true, transposeB: true) },
                  engine: { $0[0].matmul($0[1], transposeSelf: true, transposeOther: true) }),
    OperationCase(name: "batched matmul", inputShapes: [[2, 3, 4], [2, 4, 5]],
                  reference: { Reference.batchedMatmul($0[0], [2, 3, 4], $0[1], [2, 4, 5], transposeA: false, transposeB: false) },
                  engine: { $0[0].batchedMatmul($0[1]) }),
    OperationCase(name: "batched matmul transposed left", inputShapes: [[3, 4, 2], [3, 4, 5]],
                  reference: { Reference.batchedMatmul($0[0], [3, 4, 2], $0[1], [3, 4, 5], transposeA: true, transposeB: false) },
                  engine: { $0[0].batchedMatmul($0[1], transposeSelf: true) }),
    OperationCase(name: "batched matmul transposed right", inputShapes: [[2, 3, 4], [2, 5, 4]],
                  reference: { Reference.batchedMatmul($0[0], [2, 3, 4], $0[1], [2, 5, 4], transposeA: false, transposeB: true) },
                  engine: { $0[0].batchedMatmul($0[1], transposeOther: true) }),
    OperationCase(name: "batched matmul transposed both", inputShapes: [[2, 4, 3], [2, 5, 4]],
                  reference: { Reference.batchedMatmul($0[0], [2, 4, 3], $0[1], [2, 5, 4], transposeA: true, transposeB: true) },
                  engine: { $0[0].batchedMatmul($0[1], transposeSelf: true, transposeOther: true) }),
    OperationCase(name: "unit length along channels", inputShapes: [[2, 3, 2, 2]],
                  reference: { Reference.normaliseAlongChannels($0[0], [2, 3, 2, 2], epsilon: 1e-8) },
                  engine: { $0[0].normalisedAlongChannels() }),
    OperationCase(name: "unit length along rows", inputShapes: [[4, 3]],
                  reference: { Reference.normaliseAlongChannels($0[0], [4, 3], epsilon: 1e-8) },
                  engine: { $0[0].normalisedAlongChannels() }),
    OperationCase(name: "reshape", inputShapes: [[2, 6]],
                  reference: { $0[0] }, engine: { $0[0].reshaped([3, 4]) }),
    OperationCase(name: "channel concatenation", inputShapes: [[2, 1, 3, 2], [2, 3, 3, 2]],
                  reference: { Reference.concatenateChannels([($0[0], [2, 1, 3, 2]), ($0[1], [2, 3, 3, 2])]) },
                  engine: { Tensor.concatenatingChannels([$0[0], $0[1]]) }),
    OperationCase(name: "pixel selection", inputShapes: [[2, 3, 2, 2]],
                  reference: { Reference.selectPixels($0[0], [2, 3, 2, 2], valid: checkerMask) },
                  engine: { $0[0].selectingPixels(where: checkerMask) }),
    OperationCase(name: "horizontal flip", inputShapes: [[1, 2, 3, 4]],
                  reference: { Reference.rearrange($0[0], [1, 2, 3, 4], height: 3, width: 4) { ($0, 3 - $1) } },
                  engine: { $0[0].flippedHorizontally() }),
    OperationCase(name: "vertical flip", inputShapes: [[1, 2, 3, 4]],
                  reference: { Reference.rearrange($0[0], [1, 2, 3, 4], height: 3, width: 4) { (2 - $0, $1) } },
                  engine: { $0[0].flippedVertically() }),
    OperationCase(name: "rotation by one quarter turn", inputShapes: [[2, 1, 3, 4]],
                  reference: { Reference.rearrange($0[0], [2, 1, 3, 4], height: 4, width: 3) { ($1, 3 - $0) } },
                  engine: { $0[0].rotated(quarterTurns: 1) }),
    OperationCase(name: "rotation by three quarter turns", inputShapes: [[1, 2, 3, 4]],
                  reference: { Reference.rearrange($0[0], [1, 2, 3, 4], height: 4, width: 3) { (2 - $1, $0) } },
                  engine: { $0[0].rotated(quarterTurns: 3) }),
    OperationCase(name: "crop", inputShapes: [[1, 2, 5, 6]],
                  reference: { Reference.rearrange($0[0], [1, 2, 5, 6], height: 2, width: 3) { ($0 + 1, $1 + 2) } },
                  engine: { $0[0].cropped(row: 1, column: 2, height: 2, width: 3) }),
    OperationCase(name: "affine warp", inputShapes: [[1, 2, 5, 6]],
                  reference: { Reference.warp($0[0], [1, 2, 5, 6], map: tiltedMap) },
                  engine: { $0[0].warped(by: tiltedMap) }),
    OperationCase(name: "box sum radius 1", inputShapes: [[1, 2, 4, 5]],
                  reference: { Reference.boxSum($0[0], [1, 2, 4, 5], radius: 1) }, engine: { $0[0].boxSum(radius: 1) }),
    OperationCase(name: "box sum radius 3 wider than image", inputShapes: [[2, 1, 3, 4]],
                  reference: { Reference.boxSum($0[0], [2, 1, 3, 4], radius: 3) }, engine: { $0[0].boxSum(radius: 3) }),
    OperationCase(name: "transpose", inputShapes: [[3, 5]],
                  reference: { x in (0..<15).map { x[0][($0 % 3) * 5 + $0 / 3] } }, engine: { $0[0].transposed() }),
    OperationCase(name: "channels outermost", inputShapes: [[2, 3, 2, 2]],
                  reference: { x in (0..<24).map { i in
                      let (c, rest) = (i / 8, i % 8)
                      return x[0][((rest / 4) * 3 + c) * 4 + rest % 4]
                  } },
                  engine: { $0[0].channelsOutermost() }),
    OperationCase(name: "power -1", inputShapes: [[2, 3]], inputRange: 0.5...2,
                  reference: { $0[0].map { 1 / $0 } }, engine: { $0[0].pow(-1) }),
    OperationCase(name: "16-channel chain in blocked layout", inputShapes: [[1, 16, 4, 4], [16, 16, 3, 3], [16], [16]],
                  reference: { x in
                      let convolved = Reference.convolution(x[0], [1, 16, 4, 4], x[1], [16, 16, 3, 3], nil, padding: 1, dilation: 1)
                      let normalised = Reference.batchNormalization(convolved, [1, 16, 4, 4], scale: x[2], shift: x[3], epsilon: 1e-5)
                      let pooled = Reference.maxPooling(normalised.map { max($0, 0) }, [1, 16, 4, 4], window: 2)
                      let resized = Reference.bilinear(pooled, [1, 16, 2, 2], height: 3, width: 3)
                      return Reference.softmaxOverChannels(resized, [1, 16, 3, 3])
                  },
                  engine: { x in
                      x[0].convolution(weight: x[1], padding: 1)
                          .batchNormalization(scale: x[2], shift: x[3], runningMean: .zeros([16]),
                                              runningVariance: .full([16], value: 1), training: true)
                          .relu().maxPooled().resizedBilinear(height: 3, width: 3).softmax()
                  }),
]

@Test func sixteenChannelConvolutionKeepsABlockedLayout() {
    let x = Tensor.zeros([1, 16, 4, 4]), weight = Tensor.zeros([16, 16, 3, 3])
    let output = x.convolution(weight: weight, padding: 1).relu()
    #expect(output.layout != nil)
    #expect(output.values.count == 256)
}

let checkerMask = (0..<8).map { $0 % 3 != 1 }
let tiltedMap = AffineMap.about(height: 5, width: 6, angle: 0.3, scale: 1.1, shiftX: 0.4, shiftY: -0.2)

/// Checks the op's forward against its reference and its backward against
/// central differences of the reference, for the loss `L = Σ r · op(x)` with
/// fixed random weights r. Each op runs twice: through oneDNN primitives and
/// through the plain loops that small tensors take.
@Test(arguments: gradientCases, [true, false])
func gradientMatchesFiniteDifferences(_ operation: OperationCase, smallTensorLoops: Bool) {
    Kernels.$smallCountLimit.withValue(smallTensorLoops ? Int.max : 0) {
        checkGradient(operation)
    }
}

func checkGradient(_ operation: OperationCase) {
    var generator = SeededGenerator(seed: 7)
    let inputs = operation.inputShapes.map { shape in
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in
            generator.uniform(operation.inputRange.lowerBound, operation.inputRange.upperBound)
        }, requiresGradient: true)
    }
    let doubles = inputs.map { $0.values.map(Double.init) }

    // Forward against the Float64 reference.
    let output = operation.engine(inputs)
    let expected = operation.reference(doubles)
    let forwardDifference = largestDifference(output.values.map(Double.init), expected)
    print("\(operation.name): forward largest |difference| \(forwardDifference)")
    #expect(forwardDifference < 1e-4 * (1 + expected.map(abs).max()!))

    // Backward of L = Σ r · op(x).
    let weights = (0..<output.count).map { _ in generator.uniform(-1, 1) }
    (output * Tensor(shape: output.shape, values: weights)).sum().backward()

    // Central differences of the reference, per input.
    let step = 1e-6
    func loss(_ values: [[Double]]) -> Double {
        zip(operation.reference(values), weights).map { $0 * Double($1) }.reduce(0, +)
    }
    for (index, input) in inputs.enumerated() {
        var numeric = [Double](repeating: 0, count: input.count)
        for element in 0..<input.count {
            var plus = doubles, minus = doubles
            plus[index][element] += step
            minus[index][element] -= step
            numeric[element] = (loss(plus) - loss(minus)) / (2 * step)
        }
        guard let gradient = input.gradient else {
            Issue.record("\(operation.name): input \(index) got no gradient")
            continue
        }
        let difference = largestDifference(gradient.values.map(Double.init), numeric)
        print("\(operation.name): input \(index) gradient largest |difference| \(difference)")
        #expect(difference < 1e-3 * (1 + numeric.map(abs).max()!), "input \(index)")
    }
}
