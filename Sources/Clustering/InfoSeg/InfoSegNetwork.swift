import TensorEngine

/// The network of InfoSeg (Harb and Knöbelreiter, GCPR 2021), sized for a
/// CPU: a convolutional trunk with a local branch (a feature per position at
/// half resolution) and a global branch (K features per image, one per class).
///
/// With w the width, C the feature channels and K the classes:
/// ```
/// input [N, B, H, W]
///   trunk:  conv w, conv 2w, max pool 2, conv 4w, conv 4w dilated 2  → [N, 4w, H/2, W/2]
///   local:  1x1 conv to C                                           → L [N, C, H/2, W/2]
///   global: max pool 2, conv 4w, conv 4w dilated 2, mean over positions,
///           1x1 conv to K·C                                         → H [N, K, C]
/// ```
/// Each convolution but the two 1x1 projections is 3x3, then batch norm and
/// ReLU. Both outputs are scaled to unit length per vector, so every dot
/// product below is a cosine similarity. State names follow PyTorch:
/// `trunk.0.weight`, `local.weight`, `globalBlock.3.running_mean`, ...
///
/// NOTE: the paper's backbone is deeper (a ResNet); this trunk matches the
/// IIC network's so that the two methods compare at one cost.
public final class InfoSegNetwork: Module {
    public let trunk: Sequential
    public let local: Conv2d
    public let globalBlock: Sequential
    public let globalProjection: Conv2d
    public let clusters: Int
    public let featureChannels: Int
    /// β of the segmentation step.
    public let segmentationScale: Float
    public var isTraining = true

    /// The features and probabilities of one forward pass, at half the input resolution.
    public struct Output {
        /// L̂: unit-length local features, `[N, C, H/2, W/2]`.
        public var localFeatures: Tensor
        /// Ĥ: unit-length global features, `[N·K, C]`, image-major.
        public var globalFeatures: Tensor
        /// P: class probabilities, `[N, K, H/2, W/2]`.
        public var probabilities: Tensor
    }

    /// - Parameters:
    ///   - bands: input channels B.
    ///   - configuration: width, feature channels, classes and β.
    public init(bands: Int, configuration: InfoSegConfiguration, generator: inout SeededGenerator) {
        let (width, channels, clusters) = (configuration.width, configuration.featureChannels, configuration.clusters)
        precondition(bands >= 1 && width >= 1 && channels >= 1 && clusters >= 2,
                     "InfoSeg network needs bands, width, feature channels >= 1 and >= 2 classes, got \(bands), \(width), \(channels), \(clusters)")
        func block(_ input: Int, _ output: Int, dilation: Int = 1) -> [Module] {
            [Conv2d(inChannels: input, outChannels: output, kernelSize: 3, padding: dilation, dilation: dilation,
                    bias: false, generator: &generator),
             BatchNorm2d(channels: output), ReLU()]
        }
        trunk = Sequential(block(bands, width) + block(width, 2 * width) + [MaxPool2d(window: 2)]
                           + block(2 * width, 4 * width) + block(4 * width, 4 * width, dilation: 2))
        local = Conv2d(inChannels: 4 * width, outChannels: channels, kernelSize: 1, generator: &generator)
        globalBlock = Sequential(block(4 * width, 4 * width) + block(4 * width, 4 * width, dilation: 2))
        globalProjection = Conv2d(inChannels: 4 * width, outChannels: clusters * channels, kernelSize: 1, generator: &generator)
        self.clusters = clusters
        featureChannels = channels
        segmentationScale = configuration.segmentationScale
    }

    /// The side of the input square that one local feature depends on: 3x3
    /// convolutions add 2 and 2 pixels, the pool 1, the pooled 3x3
    /// convolution 4 and the dilated one 8 (1 + 2 + 2 + 1 + 4 + 8 = 18), plus
    /// 2 for the upsampling. The global features see the whole window, so
    /// outputs also depend on the rest of the window.
    public static let receptiveField = 20

    /// Runs the segmentation step: the local and global features and the
    /// class probabilities of each position,
    /// ```
    /// P[n,k,p] = softmax_k( β · ⟨Ĥ[n,k], L̂[n,p]⟩ )
    /// ```
    /// - Parameter input: `[N, B, H, W]`, H and W even.
    public func forward(_ input: Tensor) -> Output {
        precondition(input.shape.count == 4 && input.shape[2] % 2 == 0 && input.shape[3] % 2 == 0,
                     "InfoSeg network needs [N, B, H, W] input with even H and W, got \(input.shape)")
        let n = input.shape[0]
        let features = trunk(input)
        let localFeatures = local(features).normalisedToUnitLength()

        // Pool once more where the map allows, then average over positions.
        let pooled = features.shape[2] >= 2 && features.shape[3] >= 2 ? features.maxPooled(window: 2) : features
        let deep = globalBlock(pooled)
        let mean = deep.sum(alongAxes: [2, 3]).affine(scale: 1 / Float(deep.shape[2] * deep.shape[3]))
        let globalFeatures = globalProjection(mean).reshaped([n * clusters, featureChannels]).normalisedToUnitLength()

        let scores = globalFeatures.imageWiseProducts(with: localFeatures) * segmentationScale
        return Output(localFeatures: localFeatures, globalFeatures: globalFeatures, probabilities: scores.softmax())
    }

    /// Returns the class probabilities upsampled to the input, `[N, K, H, W]`.
    public func headProbabilities(_ input: Tensor) -> [Tensor] {
        [forward(input).probabilities.resizedBilinear(height: input.shape[2], width: input.shape[3])]
    }

    /// Returns the class probabilities at the input's size.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        headProbabilities(input)[0]
    }

    public var children: [(name: String, module: Module)] {
        [("trunk", trunk), ("local", local), ("globalBlock", globalBlock), ("globalProjection", globalProjection)]
    }
}

extension InfoSegNetwork: ClusteringNetwork {}
