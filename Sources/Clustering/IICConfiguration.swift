/// The settings of IIC that shape its network and objective, saved in a
/// run's `config.json`.
public struct IICConfiguration: Codable, Equatable, Sendable {
    /// K of the main head.
    public var clusters: Int = 3
    /// K of the overclustering head; 0 for no overclustering head.
    public var overclusters: Int = 15
    /// w, the channels of the first convolution (see `IICNetwork`).
    public var width: Int = 16
    /// The side of the trunk's convolution kernels: 1 for a per-pixel trunk
    /// (see `IICNetwork`), or 3.
    public var kernelSize: Int = 1
    /// True when a per-pixel trunk has the 2x2 max pool of the 3x3 trunk. The
    /// pool mixes each pixel with its neighbours, and its maximum spreads
    /// the strongest feature over them. Without it each output depends on one
    /// input pixel.
    public var pool = false
    /// Sub-heads per head: independent 1x1 convolutions on the trunk, of
    /// which the one with the lowest loss is kept (see `IICMethod`).
    public var subHeads = 5
    /// T: the largest displacement in pixels between paired outputs. At 0
    /// each pixel is paired only with its counterpart in the other view.
    public var displacementRadius: Int = 0
    /// λ of the main head's loss. Above 1 it rewards using every cluster more
    /// than the mutual information alone does.
    public var mainMarginalWeight: Float = 1.5
    /// λ of the overclustering head's loss.
    public var overclusteringMarginalWeight: Float = 1
    /// The recipe for the second view, with a gain drawn per band from
    /// 1 ± 0.3, so that clusters stable between the views are coarser than
    /// band-to-band differences of calibration and atmosphere.
    public var augmentation = IICConfiguration.defaultAugmentation

    /// The trunk kernel sizes `IICNetwork` builds.
    public static let kernelSizes = [1, 3]

    /// `ViewAugmentation`'s defaults with a per-band gain range of 0.3.
    public static var defaultAugmentation: ViewAugmentation {
        var augmentation = ViewAugmentation()
        augmentation.gainRange = 0.3
        return augmentation
    }

    public init() {}

    /// Decodes the settings. A key that an older run lacks takes the value
    /// that run was trained with.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try container.decode(Int.self, forKey: .clusters)
        overclusters = try container.decode(Int.self, forKey: .overclusters)
        width = try container.decode(Int.self, forKey: .width)
        kernelSize = try container.decodeIfPresent(Int.self, forKey: .kernelSize) ?? 3
        pool = try container.decodeIfPresent(Bool.self, forKey: .pool) ?? true
        subHeads = try container.decodeIfPresent(Int.self, forKey: .subHeads) ?? 1
        displacementRadius = try container.decode(Int.self, forKey: .displacementRadius)
        mainMarginalWeight = try container.decode(Float.self, forKey: .mainMarginalWeight)
        overclusteringMarginalWeight = try container.decode(Float.self, forKey: .overclusteringMarginalWeight)
        augmentation = try container.decode(ViewAugmentation.self, forKey: .augmentation)
    }

    /// K of each head, main first.
    public var clusterCounts: [Int] { overclusters > 0 ? [clusters, overclusters] : [clusters] }

    /// The name of each head, main first.
    public var headNames: [String] { overclusters > 0 ? ["main", "overclustering"] : ["main"] }
}
