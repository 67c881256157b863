import TensorEngine

/// The segmentation network of IIC (Ji, Henriques and Vedaldi, ICCV 2019),
/// sized for a CPU: a VGG-style trunk and one or more sub-heads per
/// clustering.
///
/// With w the width, the trunk is (3x3 convolution, batch norm, ReLU) with
/// w, 2w channels, a 2x2 max pool, then 4w channels and two 4w convolutions
/// dilated by 2. With a kernel size of 1 every trunk convolution is 1x1 and
/// undilated, so that the trunk transforms each pixel's spectrum on its own;
/// the pool is then optional, and without it no step mixes neighbours. Each
/// sub-head is a 1x1 convolution, a softmax over its clusters, and bilinear
/// upsampling back to the input size after a pool:
/// ```
/// input [N, C, H, W] → trunk [N, 4w, H/2, W/2] → head k [N, K_k, H, W]
/// ```
/// Each head has `subHeads` sub-heads, independent 1x1 convolutions on the
/// same trunk, as in the IIC authors' code. Training scores them all, and
/// `headProbabilities` returns the first of each head, so the trainer moves
/// the sub-head it selects into that place in the final checkpoint.
/// State names follow PyTorch: `trunk.0.weight`, `heads.1.bias`, ..., with
/// head k's sub-head s at `heads.(k · subHeads + s)`.
public final class IICNetwork: Module {
    public let trunk: Sequential
    /// The 1x1 convolutions of the sub-heads, head by head in the order of
    /// `clusterCounts`, `subHeads` per head.
    public let heads: [Conv2d]
    public let clusterCounts: [Int]
    /// Sub-heads per head.
    public let subHeads: Int
    public var isTraining = true

    /// - Parameters:
    ///   - bands: input channels C.
    ///   - width: w, the channels of the first convolution.
    ///   - clusterCounts: K of each head.
    ///   - kernelSize: the side of the trunk's convolution kernels, 1 or 3.
    ///   - pool: whether a trunk of 1x1 kernels has the 2x2 max pool; a trunk
    ///     of 3x3 kernels always has it.
    ///   - subHeads: sub-heads per head, at least 1.
    public init(bands: Int, width: Int, clusterCounts: [Int], kernelSize: Int, pool: Bool = true, subHeads: Int = 1,
                generator: inout SeededGenerator) {
        precondition(bands >= 1 && width >= 1 && !clusterCounts.isEmpty && clusterCounts.allSatisfy { $0 >= 2 },
                     "IIC network needs bands, width >= 1 and heads of >= 2 clusters, got \(bands), \(width), \(clusterCounts)")
        precondition(IICConfiguration.kernelSizes.contains(kernelSize),
                     "IIC network needs a trunk kernel size of \(IICConfiguration.kernelSizes), got \(kernelSize)")
        precondition(subHeads >= 1, "IIC network needs at least one sub-head per head, got \(subHeads)")
        var layers: [Module] = []
        var channels = bands
        for (index, (outChannels, dilation)) in Self.trunkLayers(width: width).enumerated() {
            let layerDilation = kernelSize == 1 ? 1 : dilation
            layers += [Conv2d(inChannels: channels, outChannels: outChannels, kernelSize: kernelSize,
                              padding: kernelSize == 1 ? 0 : dilation,
                              dilation: layerDilation, bias: false, generator: &generator),
                       BatchNorm2d(channels: outChannels), ReLU()]
            if index == 1 && (pool || kernelSize != 1) { layers.append(MaxPool2d(window: 2)) }
            channels = outChannels
        }
        trunk = Sequential(layers)
        heads = clusterCounts.flatMap { clusters in
            (0..<subHeads).map { _ in Conv2d(inChannels: channels, outChannels: clusters, kernelSize: 1, generator: &generator) }
        }
        self.clusterCounts = clusterCounts
        self.subHeads = subHeads
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
    /// pool and the upsampling mix pixels. Output pixel x interpolates two
    /// pooled pixels, which cover input pixels x - 2 to x + 1 (x even) or
    /// x - 1 to x + 2 (x odd), so the side is 5, and 1 without the pool.
    public static func receptiveField(kernelSize: Int, pool: Bool = true) -> Int {
        guard kernelSize == 1 else { return receptiveField }
        return pool ? 5 : 1
    }

    /// Computes the cluster probabilities of the first sub-head of every
    /// head, `[N, K_k, H, W]` each. H and W must be even so that a pooled
    /// map upsamples back exactly.
    public func headProbabilities(_ input: Tensor) -> [Tensor] {
        subHeadProbabilities(input, all: false).map { $0[0] }
    }

    /// Computes the cluster probabilities of every sub-head, head by head:
    /// `result[k][s]` is `[N, K_k, H, W]`. With `all` false only the first
    /// sub-head of each head is computed.
    public func subHeadProbabilities(_ input: Tensor, all: Bool = true) -> [[Tensor]] {
        precondition(input.shape.count == 4, "IIC network needs [N, C, H, W] input, got \(input.shape)")
        let (height, width) = (input.shape[2], input.shape[3])
        let features = trunk(input)
        return clusterCounts.indices.map { head in
            (0..<(all ? subHeads : 1)).map { subHead in
                let probabilities = heads[head * subHeads + subHead](features).softmax()
                return probabilities.shape[2] == height && probabilities.shape[3] == width
                    ? probabilities : probabilities.resizedBilinear(height: height, width: width)
            }
        }
    }

    /// Swaps the weights of sub-head `subHead` of head `head` with those of
    /// its first sub-head, the one `headProbabilities` returns, and does the
    /// same with `optimizer`'s moments when given.
    public func moveSubHeadFirst(head: Int, subHead: Int, optimizer: Adam? = nil) {
        guard subHead != 0 else { return }
        heads[head * subHeads].swapParameters(with: heads[head * subHeads + subHead], optimizer: optimizer)
    }

    /// The main head's probabilities.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        headProbabilities(input)[0]
    }

    public var children: [(name: String, module: Module)] {
        [("trunk", trunk)] + heads.enumerated().map { ("heads.\($0.offset)", $0.element as Module) }
    }
}
