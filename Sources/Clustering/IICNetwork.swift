import TensorEngine

/// The segmentation network of IIC (Ji, Henriques and Vedaldi, ICCV 2019),
/// sized for a CPU: a VGG-style trunk and one head per clustering.
///
/// With w the width, the trunk is (3x3 convolution, batch norm, ReLU) with
/// w, 2w channels, a 2x2 max pool, then 4w channels and two 4w convolutions
/// dilated by 2. With a kernel size of 1 every trunk convolution is 1x1 and
/// undilated, so that the trunk transforms each pixel's spectrum on its own
/// and only the pool and the upsampling mix neighbours. Each head is a 1x1
/// convolution, a softmax over its clusters, and bilinear upsampling back to
/// the input size:
/// ```
/// input [N, C, H, W] → trunk [N, 4w, H/2, W/2] → head k [N, K_k, H, W]
/// ```
/// State names follow PyTorch: `trunk.0.weight`, `heads.1.bias`, ...
public final class IICNetwork: Module {
    public let trunk: Sequential
    /// One 1x1 convolution per head, in the order of `clusterCounts`.
    public let heads: [Conv2d]
    public let clusterCounts: [Int]
    public var isTraining = true

    /// - Parameters:
    ///   - bands: input channels C.
    ///   - width: w, the channels of the first convolution.
    ///   - clusterCounts: K of each head.
    ///   - kernelSize: the side of the trunk's convolution kernels, 1 or 3.
    public init(bands: Int, width: Int, clusterCounts: [Int], kernelSize: Int, generator: inout SeededGenerator) {
        precondition(bands >= 1 && width >= 1 && !clusterCounts.isEmpty && clusterCounts.allSatisfy { $0 >= 2 },
                     "IIC network needs bands, width >= 1 and heads of >= 2 clusters, got \(bands), \(width), \(clusterCounts)")
        precondition(IICConfiguration.kernelSizes.contains(kernelSize),
                     "IIC network needs a trunk kernel size of \(IICConfiguration.kernelSizes), got \(kernelSize)")
        var layers: [Module] = []
        var channels = bands
        for (index, (outChannels, dilation)) in Self.trunkLayers(width: width).enumerated() {
            let layerDilation = kernelSize == 1 ? 1 : dilation
            layers += [Conv2d(inChannels: channels, outChannels: outChannels, kernelSize: kernelSize,
                              padding: kernelSize == 1 ? 0 : dilation,
                              dilation: layerDilation, bias: false, generator: &generator),
                       BatchNorm2d(channels: outChannels), ReLU()]
            if index == 1 { layers.append(MaxPool2d(window: 2)) }
            channels = outChannels
        }
        trunk = Sequential(layers)
        heads = clusterCounts.map { Conv2d(inChannels: channels, outChannels: $0, kernelSize: 1, generator: &generator) }
        self.clusterCounts = clusterCounts
    }

    /// Output channels and dilation of each trunk convolution.
    static func trunkLayers(width: Int) -> [(channels: Int, dilation: Int)] {
        [(width, 1), (2 * width, 1), (4 * width, 1), (4 * width, 2), (4 * width, 2)]
    }

    /// The side of the input square that one output pixel depends on with
    /// 3x3 trunk kernels: 3x3 convolutions add 2 and 2 pixels at full
    /// resolution, the pool 1, and after it each convolution adds
    /// 2 · dilation pooled pixels (4 · dilation input pixels):
    /// 1 + 2 + 2 + 1 + 4 + 8 + 8 = 26, plus 2 for the upsampling.
    public static let receptiveField = 28

    /// Returns the side of the input square that one output pixel depends
    /// on for a trunk of `kernelSize` kernels. With 1x1 kernels only the
    /// pool and the upsampling mix pixels: output pixel x interpolates two
    /// pooled pixels, which cover input pixels x - 2 to x + 1 (x even) or
    /// x - 1 to x + 2 (x odd), so the side is 5.
    public static func receptiveField(kernelSize: Int) -> Int {
        kernelSize == 1 ? 5 : receptiveField
    }

    /// Computes the cluster probabilities of every head, `[N, K_k, H, W]` each.
    /// H and W must be even so that the pooled map upsamples back exactly.
    public func headProbabilities(_ input: Tensor) -> [Tensor] {
        precondition(input.shape.count == 4, "IIC network needs [N, C, H, W] input, got \(input.shape)")
        let (height, width) = (input.shape[2], input.shape[3])
        let features = trunk(input)
        return heads.map { head in
            head(features).softmax().resizedBilinear(height: height, width: width)
        }
    }

    /// The main head's probabilities.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        headProbabilities(input)[0]
    }

    public var children: [(name: String, module: Module)] {
        [("trunk", trunk)] + heads.enumerated().map { ("heads.\($0.offset)", $0.element as Module) }
    }
}
