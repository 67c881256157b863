/// The settings of InfoSeg that shape its network and objective, saved in a
/// run's `config.json` (see `InfoSegNetwork` and `InfoSegObjective`).
public struct InfoSegConfiguration: Codable, Equatable, Sendable {
    /// K: the classes, one global feature each.
    public var clusters: Int = 3
    /// w, the channels of the first convolution (see `InfoSegNetwork`).
    public var width: Int = 16
    /// C: the channels of the local and global features.
    public var featureChannels: Int = 32
    /// β: the scale of the cosine similarities before the segmentation softmax.
    public var segmentationScale: Float = 10
    /// τ: the temperature of the InfoNCE softmax.
    public var temperature: Float = 0.1
    /// The weight of the marginal-entropy guard; 0 turns it off.
    public var marginalWeight: Float = 1
    /// Whether each view's local features are contrasted with the other
    /// view's class features (true) or with their own view's (false).
    public var crossView: Bool = true
    /// Whether the classes of the other images in the batch are negatives
    /// too (true) or only the other classes of the same image (false).
    public var imageNegatives: Bool = true
    /// Whether the positives of each view are weighted by the other view's
    /// class probabilities at the same pixel (true) or by its own (false).
    public var otherViewPositives: Bool = false
    /// The construction of the second view.
    public var augmentation = ViewAugmentation()

    public init() {}

    /// InfoSeg has one head, the segmentation into K classes.
    public var headNames: [String] { ["main"] }
    public var clusterCounts: [Int] { [clusters] }
}

extension InfoSegConfiguration {
    private enum CodingKeys: String, CodingKey {
        case clusters, width, featureChannels, segmentationScale, temperature, marginalWeight, crossView, imageNegatives, otherViewPositives, augmentation
    }

    /// Reads the settings, taking the default for any key a run written by
    /// an earlier version lacks.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = InfoSegConfiguration()
        clusters = try container.decodeIfPresent(Int.self, forKey: .clusters) ?? defaults.clusters
        width = try container.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
        featureChannels = try container.decodeIfPresent(Int.self, forKey: .featureChannels) ?? defaults.featureChannels
        segmentationScale = try container.decodeIfPresent(Float.self, forKey: .segmentationScale) ?? defaults.segmentationScale
        temperature = try container.decodeIfPresent(Float.self, forKey: .temperature) ?? defaults.temperature
        marginalWeight = try container.decodeIfPresent(Float.self, forKey: .marginalWeight) ?? defaults.marginalWeight
        crossView = try container.decodeIfPresent(Bool.self, forKey: .crossView) ?? defaults.crossView
        imageNegatives = try container.decodeIfPresent(Bool.self, forKey: .imageNegatives) ?? defaults.imageNegatives
        otherViewPositives = try container.decodeIfPresent(Bool.self, forKey: .otherViewPositives) ?? defaults.otherViewPositives
        augmentation = try container.decodeIfPresent(ViewAugmentation.self, forKey: .augmentation) ?? defaults.augmentation
    }
}
