import TensorEngine

/// The network of InfoSeg (Harb and Knöbelreiter, GCPR 2021), sized for a
/// CPU: a convolutional trunk with a local branch (a feature per position)
/// and a global branch (K features per image, one per class).
///
/// With w the width, C the feature channels, K the classes and S the
/// sub-heads, the default per-pixel trunk is:
/// ```
/// input [N, B, H, W]
///   trunk:  1x1 conv w, 2w, 4w, 4w                           → [N, 4w, H, W]
///   local:  per sub-head, 1x1 conv to C                      → L [N, C, H, W]
///   global: max pool 2 twice, 3x3 conv 4w, 3x3 conv 4w dilated 2,
///           mean over positions, per sub-head 1x1 conv to K·C → H [N, K, C]
/// ```
/// With the pool (always with 3x3 trunk kernels, optional with 1x1), a 2x2
/// max pool follows the second convolution. The local features are then at
/// half resolution, `[N, C, H/2, W/2]`, and the global branch pools once, so
/// the global block always works at a quarter of the input's resolution.
/// Every convolution is followed by batch norm and ReLU. Both outputs are
/// scaled to unit length per vector, so every dot product below is a cosine
/// similarity.
///
/// The S sub-heads share the trunk and global block. Each has its own local
/// and global projections and so its own segmentation. `forward` returns the
/// first, and the trainer moves the sub-head it selects into that place.
///
/// State names follow PyTorch: `trunk.0.weight`, `globalBlock.3.running_mean`,
/// and `local.weight`, `globalProjection.bias` with one sub-head, or
/// `local.s.weight`, `globalProjection.s.bias` for sub-head s with several.
///
/// NOTE: the paper's backbone is deeper (a ResNet); this trunk matches the
/// IIC network's so that the two methods compare at one cost.
public final class InfoSegNetwork: Module {
    public let trunk: Sequential
    /// The local projection of each sub-head.
    public let locals: [Conv2d]
    public let globalBlock: Sequential
    /// The global projection of each sub-head.
    public let globalProjections: [Conv2d]
    public let clusters: Int
    public let featureChannels: Int
    /// Whether the trunk pools, which puts the local features at half the
    /// input's resolution.
    public let poolsTrunk: Bool
    /// β of the segmentation step.
    public let segmentationScale: Float
    public var isTraining = true

    /// The features and probabilities of one forward pass, at the local resolution.
    public struct Output {
        /// L̂: unit-length local features, `[N, C, H/2, W/2]` (`[N, C, H, W]`
        /// without the pool).
        public var localFeatures: Tensor
        /// Ĥ: unit-length global features, `[N·K, C]`, image-major.
        public var globalFeatures: Tensor
        /// P: class probabilities at the local features' resolution.
        public var probabilities: Tensor
    }

    /// - Parameters:
    ///   - bands: input channels B.
    ///   - configuration: width, trunk kernel size, feature channels, classes,
    ///     sub-heads and β.
    public init(bands: Int, configuration: InfoSegConfiguration, generator: inout SeededGenerator) {
        let (width, channels, clusters) = (configuration.width, configuration.featureChannels, configuration.clusters)
        let (kernelSize, subHeads) = (configuration.kernelSize, configuration.subHeads)
        precondition(bands >= 1 && width >= 1 && channels >= 1 && clusters >= 2 && subHeads >= 1,
                     "InfoSeg network needs bands, width, feature channels, sub-heads >= 1 and >= 2 classes, got \(bands), \(width), \(channels), \(subHeads), \(clusters)")
        precondition(InfoSegConfiguration.kernelSizes.contains(kernelSize),
                     "InfoSeg network needs a trunk kernel size of \(InfoSegConfiguration.kernelSizes), got \(kernelSize)")
        func block(_ input: Int, _ output: Int, kernelSize: Int = 3, dilation: Int = 1) -> [Module] {
            let dilation = kernelSize == 1 ? 1 : dilation
            return [Conv2d(inChannels: input, outChannels: output, kernelSize: kernelSize, padding: kernelSize == 1 ? 0 : dilation,
                           dilation: dilation, bias: false, generator: &generator),
                    BatchNorm2d(channels: output), ReLU()]
        }
        trunk = Sequential(block(bands, width, kernelSize: kernelSize) + block(width, 2 * width, kernelSize: kernelSize)
                           + (configuration.poolsTrunk ? [MaxPool2d(window: 2)] : [])
                           + block(2 * width, 4 * width, kernelSize: kernelSize)
                           + block(4 * width, 4 * width, kernelSize: kernelSize, dilation: 2))
        locals = (0..<subHeads).map { _ in Conv2d(inChannels: 4 * width, outChannels: channels, kernelSize: 1, generator: &generator) }
        globalBlock = Sequential(block(4 * width, 4 * width) + block(4 * width, 4 * width, dilation: 2))
        globalProjections = (0..<subHeads).map { _ in
            Conv2d(inChannels: 4 * width, outChannels: clusters * channels, kernelSize: 1, generator: &generator)
        }
        self.clusters = clusters
        poolsTrunk = configuration.poolsTrunk
        featureChannels = channels
        segmentationScale = configuration.segmentationScale
    }

    /// The sub-heads on the trunk.
    public var subHeads: Int { locals.count }

    /// The side of the input square that one local feature depends on with
    /// a 3x3 trunk: 3x3 convolutions add 2 and 2 pixels, the pool 1, the
    /// pooled 3x3 convolution 4 and the dilated one 8
    /// (1 + 2 + 2 + 1 + 4 + 8 = 18), plus 2 for the upsampling. The global
    /// features see the whole window, so outputs also depend on the rest of
    /// the window.
    public static let receptiveField = 20

    /// Returns the side of the input square that one output pixel's local
    /// feature depends on for a trunk of `kernelSize` kernels. With 1x1
    /// kernels only the pool and the upsampling mix pixels, as in
    /// `IICNetwork.receptiveField(kernelSize:pool:)`: 5 with the pool, 1
    /// without.
    public static func receptiveField(kernelSize: Int, pool: Bool = true) -> Int {
        kernelSize == 1 ? IICNetwork.receptiveField(kernelSize: 1, pool: pool) : receptiveField
    }

    /// Runs the segmentation step: the local and global features and the
    /// class probabilities of each position,
    /// ```
    /// P[n,k,p] = softmax_k( β · ⟨Ĥ[n,k], L̂[n,p]⟩ )
    /// ```
    /// for the first sub-head.
    /// - Parameter input: `[N, B, H, W]`, H and W even.
    public func forward(_ input: Tensor) -> Output {
        forwardSubHeads(input, all: false)[0]
    }

    /// Runs the segmentation step of every sub-head on one pass of the trunk
    /// and global block, or of the first only when `all` is false.
    /// - Parameter input: `[N, B, H, W]`, H and W even.
    public func forwardSubHeads(_ input: Tensor, all: Bool = true) -> [Output] {
        precondition(input.shape.count == 4 && input.shape[2] % 2 == 0 && input.shape[3] % 2 == 0,
                     "InfoSeg network needs [N, B, H, W] input with even H and W, got \(input.shape)")
        let n = input.shape[0]
        let features = trunk(input)

        // Pool to a quarter of the input's resolution where the map allows,
        // then average over positions.
        var pooled = features
        for _ in 0..<(poolsTrunk ? 1 : 2) where pooled.shape[2] >= 2 && pooled.shape[3] >= 2 {
            pooled = pooled.maxPooled(window: 2)
        }
        let deep = globalBlock(pooled)
        let mean = deep.sum(alongAxes: [2, 3]).affine(scale: 1 / Float(deep.shape[2] * deep.shape[3]))

        return (0..<(all ? subHeads : 1)).map { subHead in
            let localFeatures = locals[subHead](features).normalisedAlongChannels()
            let globalFeatures = globalProjections[subHead](mean).reshaped([n * clusters, featureChannels]).normalisedAlongChannels()
            let scores = globalFeatures.imageWiseProducts(with: localFeatures) * segmentationScale
            return Output(localFeatures: localFeatures, globalFeatures: globalFeatures, probabilities: scores.softmax())
        }
    }

    /// Swaps the projections of sub-head `subHead` with those of the first
    /// sub-head, the one `forward` uses, and does the same with
    /// `optimizer`'s moments when given.
    public func moveSubHeadFirst(_ subHead: Int, optimizer: Adam? = nil) {
        guard subHead != 0 else { return }
        for layers in [locals, globalProjections] {
            layers[0].swapParameters(with: layers[subHead], optimizer: optimizer)
        }
    }

    /// Returns the class probabilities upsampled to the input, `[N, K, H, W]`.
    public func headProbabilities(_ input: Tensor) -> [Tensor] {
        [forward(input).probabilities.resized(height: input.shape[2], width: input.shape[3])]
    }

    /// Returns the class probabilities at the input's size.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        headProbabilities(input)[0]
    }

    public var children: [(name: String, module: Module)] {
        func named(_ name: String, _ layers: [Conv2d]) -> [(name: String, module: Module)] {
            layers.count == 1 ? [(name, layers[0])] : layers.enumerated().map { ("\(name).\($0.offset)", $0.element) }
        }
        return [("trunk", trunk)] + named("local", locals) + [("globalBlock", globalBlock)]
            + named("globalProjection", globalProjections)
    }
}

extension InfoSegNetwork: ClusteringNetwork {}
