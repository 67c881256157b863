/// The settings of IIC that shape its network and objective, saved in a
/// run's `config.json`.
public struct IICConfiguration: Codable, Equatable, Sendable {
    /// K of the main head.
    public var clusters: Int = 3
    /// K of the overclustering head; 0 for no overclustering head.
    public var overclusters: Int = 15
    /// w, the channels of the first convolution (see `IICNetwork`).
    public var width: Int = 16
    /// T: the largest displacement in pixels between paired outputs.
    public var displacementRadius: Int = 1
    /// λ of the main head's loss.
    public var mainMarginalWeight: Float = 1
    /// λ of the overclustering head's loss.
    public var overclusteringMarginalWeight: Float = 1
    /// The recipe for the second view.
    public var augmentation = ViewAugmentation()

    public init() {}

    /// K of each head, main first.
    public var clusterCounts: [Int] { overclusters > 0 ? [clusters, overclusters] : [clusters] }

    /// The name of each head, main first.
    public var headNames: [String] { overclusters > 0 ? ["main", "overclustering"] : ["main"] }
}
