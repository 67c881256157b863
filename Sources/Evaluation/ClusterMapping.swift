import Tiling

/// A cluster -> class assignment: the class each cluster id stands for.
///
/// A cluster mapped to nil is unmapped: its pixels count as errors for their
/// labelled class and as a prediction of no class.
public struct ClusterMapping: Equatable, Sendable {
    /// The method that chose a mapping.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// One-to-one, maximising the matched pixels (Hungarian algorithm).
        case hungarian
        /// Each cluster to its most frequent class (for overclustering).
        case majority
        /// From each cluster's spectral statistics, with no labels.
        case labelFree = "label-free"
        /// Fixed by the producer of the predictions, such as a water mask.
        case fixed
    }

    /// The class given by the Hungarian mapping to the clusters left over
    /// when there are more clusters than classes.
    public enum UnmatchedClusters: Sendable {
        /// They stay unmapped, so their pixels all count as errors.
        case unmapped
        /// Each takes its most frequent class, as in the majority mapping.
        case majorityClass
    }

    /// The method that chose this mapping.
    public let method: Method
    /// The class of each cluster, indexed by cluster id; nil when unmapped.
    public let classes: [SurfaceClass?]

    /// Creates a mapping from a class per cluster id.
    public init(method: Method, classes: [SurfaceClass?]) {
        precondition(!classes.contains(.invalid), "a cluster cannot map to the invalid class, got \(classes)")
        self.method = method
        self.classes = classes
    }

    /// The number of clusters mapped or not.
    public var clusterCount: Int { classes.count }

    /// The mapping of a water-mask buffer: cluster 0 is land (not water), 1 is
    /// water. See `WaterMaskValue`.
    public static let waterMask = ClusterMapping(method: .fixed, classes: [.land, .water])

    /// Returns the one-to-one mapping that maximises the number of pixels whose
    /// cluster maps to their labelled class (the Hungarian algorithm on the
    /// counts).
    ///
    /// With fewer clusters than classes, some classes are never predicted. With
    /// more clusters than classes, `unmatchedClusters` decides the class of
    /// the clusters left over.
    public static func hungarian(
        _ matrix: ConfusionMatrix,
        unmatchedClusters: UnmatchedClusters = .unmapped
    ) -> ClusterMapping {
        let weights = (0..<matrix.clusterCount).map { cluster in
            matrix.classes.map { Double(matrix[cluster, $0]) }
        }
        let columnByCluster = HungarianAssignment.maximumWeightAssignment(weights: weights)
        let majority = majorityClasses(matrix)
        let classes = columnByCluster.enumerated().map { cluster, column -> SurfaceClass? in
            if let column {
                return matrix.classes[column]
            }
            switch unmatchedClusters {
            case .unmapped: return nil
            case .majorityClass: return majority[cluster]
            }
        }
        return ClusterMapping(method: .hungarian, classes: classes)
    }

    /// Returns the mapping of each cluster to its most frequent labelled class,
    /// so several clusters may share a class (for an overclustering head).
    ///
    /// A cluster with no counted pixels stays unmapped. A tie goes to the class
    /// that comes first in `matrix.classes`.
    public static func majority(_ matrix: ConfusionMatrix) -> ClusterMapping {
        ClusterMapping(method: .majority, classes: majorityClasses(matrix))
    }

    private static func majorityClasses(_ matrix: ConfusionMatrix) -> [SurfaceClass?] {
        (0..<matrix.clusterCount).map { cluster in
            var best: SurfaceClass?
            var bestCount: Int64 = 0
            for surfaceClass in matrix.classes where matrix[cluster, surfaceClass] > bestCount {
                best = surfaceClass
                bestCount = matrix[cluster, surfaceClass]
            }
            return best
        }
    }
}

extension ClusterMapping: Codable {
    private enum CodingKeys: String, CodingKey {
        case method
        case clusters
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let method = try container.decode(Method.self, forKey: .method)
        let names = try container.decode([String?].self, forKey: .clusters)
        let classes = try names.enumerated().map { cluster, name -> SurfaceClass? in
            guard let name else { return nil }
            guard let surfaceClass = SurfaceClass.scored.first(where: { $0.description == name }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .clusters,
                    in: container,
                    debugDescription: "cluster \(cluster) maps to unknown class '\(name)'; use land, water or cloud"
                )
            }
            return surfaceClass
        }
        self.init(method: method, classes: classes)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(method, forKey: .method)
        try container.encode(classes.map { $0?.description }, forKey: .clusters)
    }
}
