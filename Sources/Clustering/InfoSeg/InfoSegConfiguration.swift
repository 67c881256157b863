import GeoRaster

/// The settings of InfoSeg that shape its network and objective, saved in a
/// run's `config.json` (see `InfoSegNetwork` and `InfoSegObjective`).
///
/// The defaults are the setting that found water best on Sentinel-2 (see
/// `docs/METHODS.md`): a per-pixel trunk without the pool, five sub-heads,
/// positives weighted by the other view's class probabilities, negatives
/// from the position's own image only, and one jitter gain for all bands, on
/// the input scale `defaultInputScale`.
/// `reference` is the objective as the InfoSeg paper states it, with only the
/// departures that every setting keeps.
public struct InfoSegConfiguration: Codable, Equatable, Sendable {
    /// K: the classes, one global feature each.
    public var clusters: Int = 3
    /// w, the channels of the first convolution (see `InfoSegNetwork`).
    public var width: Int = 16
    /// The side of the trunk's convolution kernels: 1 transforms each
    /// pixel's spectrum on its own, 3 mixes neighbours.
    public var kernelSize: Int = 1
    /// Whether a trunk of 1x1 kernels has the 2x2 max pool of the 3x3 trunk.
    /// The pool puts the local features at half the input's resolution. A
    /// 3x3 trunk always has it.
    public var pool: Bool = false
    /// Sub-heads: pairs of local and global projections trained together on
    /// one trunk, of which training keeps one (see `InfoSegMethod`).
    public var subHeads: Int = 5
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
    public var imageNegatives: Bool = false
    /// Whether the positives of each view are weighted by the other view's
    /// class probabilities at the same pixel (true) or by its own (false).
    public var otherViewPositives: Bool = true
    /// The construction of the second view.
    public var augmentation = InfoSegConfiguration.defaultAugmentation

    public init() {}

    /// The input scale of InfoSeg runs that do not set one: each pixel's
    /// spectrum divided by its norm, so that classes follow the shape of the
    /// spectrum and not its brightness.
    public static let defaultInputScale = InputScale.spectralShape

    /// The second view by default: the trainer's jitter with one gain for all
    /// bands of a crop, which keeps the contrast between bands.
    public static var defaultAugmentation: ViewAugmentation {
        var augmentation = ViewAugmentation()
        augmentation.sharedGain = true
        return augmentation
    }

    /// The objective as the InfoSeg paper states it: positives weighted by a
    /// view's own class probabilities, negatives from every image of the
    /// batch, and the trainer's per-band jitter. Run with the linear input
    /// scale, it is the defaults of Shoreline before the departures for water.
    public static var reference: InfoSegConfiguration {
        var configuration = InfoSegConfiguration()
        configuration.imageNegatives = true
        configuration.otherViewPositives = false
        configuration.augmentation = ViewAugmentation()
        return configuration
    }

    /// The trunk kernel sizes `InfoSegNetwork` builds.
    public static let kernelSizes = [1, 3]

    /// Whether the trunk pools, so that the local features are at half the
    /// input's resolution.
    public var poolsTrunk: Bool { pool || kernelSize != 1 }

    /// InfoSeg has one head, the segmentation into K classes.
    public var headNames: [String] { ["main"] }
    public var clusterCounts: [Int] { [clusters] }
}

extension InfoSegConfiguration {
    private enum CodingKeys: String, CodingKey {
        case clusters, width, kernelSize, pool, subHeads, featureChannels, segmentationScale, temperature, marginalWeight, crossView, imageNegatives, otherViewPositives, augmentation
    }

    /// Reads the settings. A key that a run written by an earlier version
    /// lacks takes the value that version trained with: the `reference`
    /// value for the negatives, the positives and the second view, whose
    /// defaults changed, a 3x3 trunk with the pool and one sub-head, and the default for
    /// every other key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = InfoSegConfiguration()
        let reference = InfoSegConfiguration.reference
        clusters = try container.decodeIfPresent(Int.self, forKey: .clusters) ?? defaults.clusters
        width = try container.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
        kernelSize = try container.decodeIfPresent(Int.self, forKey: .kernelSize) ?? 3
        pool = try container.decodeIfPresent(Bool.self, forKey: .pool) ?? true
        subHeads = try container.decodeIfPresent(Int.self, forKey: .subHeads) ?? 1
        featureChannels = try container.decodeIfPresent(Int.self, forKey: .featureChannels) ?? defaults.featureChannels
        segmentationScale = try container.decodeIfPresent(Float.self, forKey: .segmentationScale) ?? defaults.segmentationScale
        temperature = try container.decodeIfPresent(Float.self, forKey: .temperature) ?? defaults.temperature
        marginalWeight = try container.decodeIfPresent(Float.self, forKey: .marginalWeight) ?? defaults.marginalWeight
        crossView = try container.decodeIfPresent(Bool.self, forKey: .crossView) ?? defaults.crossView
        imageNegatives = try container.decodeIfPresent(Bool.self, forKey: .imageNegatives) ?? reference.imageNegatives
        otherViewPositives = try container.decodeIfPresent(Bool.self, forKey: .otherViewPositives) ?? reference.otherViewPositives
        augmentation = try container.decodeIfPresent(ViewAugmentation.self, forKey: .augmentation) ?? reference.augmentation
    }
}
