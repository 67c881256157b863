import GeoRaster

/// The settings of InfoSeg that shape its network and objective, saved in a
/// run's `config.json` (see `InfoSegNetwork` and `InfoSegObjective`).
///
/// The defaults are the setting that found water best on Sentinel-2 (see
/// `docs/METHODS.md`). Positives are weighted by the other view's class
/// probabilities, negatives come from the position's own image only, and one
/// jitter gain serves all bands, on the input scale `defaultInputScale`.
/// `reference` is the objective as the InfoSeg paper states it, with only the
/// departures that every setting keeps.
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

    /// InfoSeg has one head, the segmentation into K classes.
    public var headNames: [String] { ["main"] }
    public var clusterCounts: [Int] { [clusters] }
}

extension InfoSegConfiguration {
    private enum CodingKeys: String, CodingKey {
        case clusters, width, featureChannels, segmentationScale, temperature, marginalWeight, crossView, imageNegatives, otherViewPositives, augmentation
    }

    /// Reads the settings. A key that a run written by an earlier version
    /// lacks takes the value that version trained with: the `reference`
    /// value for the negatives, the positives and the second view, whose
    /// defaults changed, and the default for every other key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = InfoSegConfiguration()
        let reference = InfoSegConfiguration.reference
        clusters = try container.decodeIfPresent(Int.self, forKey: .clusters) ?? defaults.clusters
        width = try container.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
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
