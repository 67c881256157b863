import Tiling

/// Per-cluster sums of a water index and of brightness over a scene's pixels,
/// accumulated tile by tile in fixed memory.
public struct ClusterSpectralStatistics: Equatable, Sendable {
    /// The number of clusters: cluster ids run `0..<clusterCount`.
    public let clusterCount: Int
    /// The pixels counted per cluster.
    public private(set) var pixelCounts: [Int64]
    private var indexSums: [Double]
    private var brightnessSums: [Double]

    /// Creates empty statistics for `clusterCount` clusters (1 to 255).
    public init(clusterCount: Int) {
        precondition((1...255).contains(clusterCount), "cluster count must be 1 to 255, got \(clusterCount)")
        self.clusterCount = clusterCount
        pixelCounts = Array(repeating: 0, count: clusterCount)
        indexSums = Array(repeating: 0, count: clusterCount)
        brightnessSums = Array(repeating: 0, count: clusterCount)
    }

    /// Adds one tile's pixels. A pixel counts when its cluster id is valid,
    /// its index is valid and its brightness is finite.
    ///
    /// - Parameters:
    ///   - clusters: cluster ids, one per pixel, or `invalidCluster`.
    ///   - waterIndex: MNDWI, or NDWI when B11 is absent, per pixel.
    ///   - brightness: reflectance brightness per pixel, see
    ///     `LabelFreeNaming.brightness(of:validity:)`.
    ///   - invalidCluster: the cluster value that marks an invalid pixel.
    /// - Precondition: all buffers have the same length and every valid
    ///   cluster id is below `clusterCount`.
    public mutating func add(
        clusters: [UInt8],
        waterIndex: MaskedValues,
        brightness: [Float],
        invalidCluster: UInt8 = ClusterIDs.invalid
    ) {
        precondition(
            clusters.count == waterIndex.values.count && clusters.count == brightness.count,
            "clusters, water index and brightness have \(clusters.count), \(waterIndex.values.count) and \(brightness.count) pixels"
        )
        for index in clusters.indices {
            let cluster = clusters[index]
            guard cluster != invalidCluster, waterIndex.validity[index], brightness[index].isFinite else { continue }
            precondition(Int(cluster) < clusterCount, "cluster \(cluster) at pixel \(index) is not below \(clusterCount)")
            pixelCounts[Int(cluster)] += 1
            indexSums[Int(cluster)] += Double(waterIndex.values[index])
            brightnessSums[Int(cluster)] += Double(brightness[index])
        }
    }

    /// Adds the sums of `other`, for example of another part of the scene.
    public mutating func merge(_ other: ClusterSpectralStatistics) {
        precondition(other.clusterCount == clusterCount, "cannot merge \(other.clusterCount) clusters into \(clusterCount)")
        for cluster in 0..<clusterCount {
            pixelCounts[cluster] += other.pixelCounts[cluster]
            indexSums[cluster] += other.indexSums[cluster]
            brightnessSums[cluster] += other.brightnessSums[cluster]
        }
    }

    /// Returns the mean water index of `cluster`, or nil when it has no pixels.
    public func meanWaterIndex(cluster: Int) -> Double? {
        pixelCounts[cluster] == 0 ? nil : indexSums[cluster] / Double(pixelCounts[cluster])
    }

    /// Returns the mean brightness of `cluster`, or nil when it has no pixels.
    public func meanBrightness(cluster: Int) -> Double? {
        pixelCounts[cluster] == 0 ? nil : brightnessSums[cluster] / Double(pixelCounts[cluster])
    }
}

/// Names each cluster water, land or cloud from the scene's own spectra, so a
/// water mask needs no labels.
///
/// The rule, per cluster, on the means over its pixels:
///
/// ```
/// mean brightness >= cloudMinimumBrightness   -> cloud
/// else mean water index > waterMinimumIndex    -> water
/// else                                         -> land
/// cluster without pixels                       -> unmapped
/// ```
///
/// Several clusters may become water (or land, or cloud), which suits an
/// overclustering head. The water index is MNDWI when B11 is available, else
/// NDWI; both are above 0 over open water.
///
/// NOTE: brightness is tested before the index, not only for clusters with a
/// low index, because cloud tops reflect green more than shortwave infrared,
/// which can put their MNDWI above 0. Snow and ice are named cloud by this rule.
public struct LabelFreeNaming: Equatable, Sendable {
    /// The mean index above which a cluster is water; default 0.
    public var waterMinimumIndex: Double
    /// The mean brightness (reflectance, 0 to 1) from which a cluster is
    /// cloud; default 0.3. Open water stays below about 0.15 in the visible
    /// bands even when turbid, and most land stays below 0.3.
    public var cloudMinimumBrightness: Double

    public init(waterMinimumIndex: Double = 0, cloudMinimumBrightness: Double = 0.3) {
        self.waterMinimumIndex = waterMinimumIndex
        self.cloudMinimumBrightness = cloudMinimumBrightness
    }

    /// Returns the class of each cluster by the rule above.
    public func mapping(_ statistics: ClusterSpectralStatistics) -> ClusterMapping {
        let classes = (0..<statistics.clusterCount).map { cluster -> SurfaceClass? in
            guard let index = statistics.meanWaterIndex(cluster: cluster),
                  let brightness = statistics.meanBrightness(cluster: cluster) else {
                return nil
            }
            if brightness >= cloudMinimumBrightness {
                return .cloud
            }
            // TODO: a cluster mixing water with its land margins can average just above 0 and become water (Otsu here cost OMBRIA 0.04-0.07).
            return index > waterMinimumIndex ? .water : .land
        }
        return ClusterMapping(method: .labelFree, classes: classes)
    }

    /// Returns the brightness of each pixel: the mean of the given reflectance
    /// bands, best the visible B2, B3 and B4, or B3 alone when only it is
    /// available. Invalid pixels get NaN.
    /// - Precondition: at least one band, all with the same length as `validity`
    ///   when it is given.
    public static func brightness(of bands: [[Float]], validity: [Bool]? = nil) -> [Float] {
        precondition(!bands.isEmpty, "brightness needs at least one band")
        let pixelCount = bands[0].count
        precondition(bands.allSatisfy { $0.count == pixelCount }, "bands have different pixel counts: \(bands.map(\.count))")
        if let validity {
            precondition(validity.count == pixelCount, "bands have \(pixelCount) pixels but the validity mask has \(validity.count)")
        }
        return (0..<pixelCount).map { index in
            guard validity?[index] ?? true else { return .nan }
            return bands.reduce(0) { $0 + $1[index] } / Float(bands.count)
        }
    }
}

extension ClusterSpectralStatistics: Codable {
    private enum CodingKeys: String, CodingKey {
        case pixelCounts = "pixel_counts"
        case waterIndexSums = "water_index_sums"
        case brightnessSums = "brightness_sums"
        case meanWaterIndex = "mean_water_index"
        case meanBrightness = "mean_brightness"
    }

    /// Decodes the sums as `encode(to:)` writes them; the means are written
    /// for readers and ignored here.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let pixelCounts = try container.decode([Int64].self, forKey: .pixelCounts)
        let indexSums = try container.decode([Double].self, forKey: .waterIndexSums)
        let brightnessSums = try container.decode([Double].self, forKey: .brightnessSums)
        guard (1...255).contains(pixelCounts.count), indexSums.count == pixelCounts.count,
              brightnessSums.count == pixelCounts.count, pixelCounts.allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .pixelCounts, in: container,
                debugDescription: "pixel_counts, water_index_sums and brightness_sums must hold 1 to 255 entries each, counts not negative")
        }
        self.init(clusterCount: pixelCounts.count)
        self.pixelCounts = pixelCounts
        self.indexSums = indexSums
        self.brightnessSums = brightnessSums
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pixelCounts, forKey: .pixelCounts)
        try container.encode(indexSums, forKey: .waterIndexSums)
        try container.encode(brightnessSums, forKey: .brightnessSums)
        try container.encode((0..<clusterCount).map { meanWaterIndex(cluster: $0) }, forKey: .meanWaterIndex)
        try container.encode((0..<clusterCount).map { meanBrightness(cluster: $0) }, forKey: .meanBrightness)
    }
}
