import Tiling

/// A clusters x classes table of pixel counts, accumulated tile by tile.
///
/// Row `c` counts the pixels that the model put in cluster `c`, column `j` the
/// pixels whose label is `classes[j]`. A pixel is skipped when its label is
/// `invalid` or a class outside `classes` (for example `cloud` when cloud is
/// excluded from scoring), or when its prediction is the invalid marker.
///
/// Storage is `clusterCount x classes.count` counters, fixed at creation, so
/// memory does not grow with the number of tiles added.
public struct ConfusionMatrix: Equatable, Sendable {
    /// The number of clusters, the rows: cluster ids run `0..<clusterCount`.
    public let clusterCount: Int
    /// The classes counted, the columns, in column order.
    public let classes: [SurfaceClass]
    /// The counts, row-major: `counts[cluster * classes.count + column]`.
    public private(set) var counts: [Int64]

    /// A column index per `SurfaceClass` raw value, or -1 when not counted.
    private let columnByLabel: [Int]

    /// Creates an all-zero matrix.
    /// - Parameters:
    ///   - clusterCount: the number of clusters, 1 to 255 (cluster ids are
    ///     `UInt8`, and 255 is kept for the invalid marker).
    ///   - classes: the classes to count; `invalid` is never counted. Pass
    ///     `[.land, .water]` to exclude cloud from scoring.
    public init(clusterCount: Int, classes: [SurfaceClass] = SurfaceClass.scored) {
        precondition((1...255).contains(clusterCount), "cluster count must be 1 to 255, got \(clusterCount)")
        precondition(!classes.isEmpty, "at least one class must be counted")
        precondition(!classes.contains(.invalid), "the invalid class is never counted, got classes \(classes)")
        precondition(Set(classes).count == classes.count, "classes must be distinct, got \(classes)")
        self.clusterCount = clusterCount
        self.classes = classes
        self.counts = Array(repeating: 0, count: clusterCount * classes.count)
        var columnByLabel = Array(repeating: -1, count: SurfaceClass.allCases.count)
        for (column, surfaceClass) in classes.enumerated() {
            columnByLabel[Int(surfaceClass.rawValue)] = column
        }
        self.columnByLabel = columnByLabel
    }

    /// Creates a matrix from row-major counts, for tests and for matrices
    /// read back from a report.
    /// - Precondition: `counts.count == clusterCount * classes.count`, and no
    ///   count is negative.
    public init(clusterCount: Int, classes: [SurfaceClass] = SurfaceClass.scored, counts: [Int64]) {
        self.init(clusterCount: clusterCount, classes: classes)
        precondition(
            counts.count == clusterCount * classes.count,
            "expected \(clusterCount) x \(classes.count) = \(clusterCount * classes.count) counts, got \(counts.count)"
        )
        precondition(counts.allSatisfy { $0 >= 0 }, "counts must not be negative, got \(counts)")
        self.counts = counts
    }

    /// Returns the count of pixels in `cluster` whose label is `surfaceClass`, or 0
    /// when the class is not counted.
    public subscript(cluster: Int, surfaceClass: SurfaceClass) -> Int64 {
        let column = columnByLabel[Int(surfaceClass.rawValue)]
        guard column >= 0 else { return 0 }
        return counts[cluster * classes.count + column]
    }

    /// The total number of pixels counted.
    public var pixelCount: Int64 {
        counts.reduce(0, +)
    }

    /// Returns the number of pixels counted in `cluster`, over all classes.
    public func pixelCount(cluster: Int) -> Int64 {
        let start = cluster * classes.count
        return counts[start..<(start + classes.count)].reduce(0, +)
    }

    /// Returns the number of pixels counted with label `surfaceClass`.
    public func pixelCount(surfaceClass: SurfaceClass) -> Int64 {
        (0..<clusterCount).reduce(0) { $0 + self[$1, surfaceClass] }
    }

    /// Adds one tile's pixels.
    ///
    /// - Parameters:
    ///   - predictions: cluster ids, one per pixel, `0..<clusterCount`, or
    ///     `invalidPrediction` for pixels the model did not segment.
    ///   - labels: `SurfaceClass` raw values, one per pixel, in the same order.
    ///   - invalidPrediction: the prediction value that marks an invalid pixel.
    /// - Precondition: both buffers have the same length, every label is a
    ///   `SurfaceClass` raw value and every valid prediction is a cluster id.
    public mutating func add(
        predictions: UnsafeBufferPointer<UInt8>,
        labels: UnsafeBufferPointer<UInt8>,
        invalidPrediction: UInt8 = ClusterIDs.invalid
    ) {
        precondition(
            predictions.count == labels.count,
            "predictions have \(predictions.count) pixels but labels have \(labels.count)"
        )
        let columnCount = classes.count
        let clusterCount = self.clusterCount
        columnByLabel.withUnsafeBufferPointer { columnByLabel in
            counts.withUnsafeMutableBufferPointer { counts in
                for index in 0..<labels.count {
                    let label = Int(labels[index])
                    precondition(label < columnByLabel.count, "label \(label) at pixel \(index) is not a SurfaceClass raw value")
                    let column = columnByLabel[label]
                    let prediction = predictions[index]
                    if column < 0 || prediction == invalidPrediction {
                        continue
                    }
                    precondition(
                        Int(prediction) < clusterCount,
                        "prediction \(prediction) at pixel \(index) is not a cluster id below \(clusterCount)"
                    )
                    counts[Int(prediction) * columnCount + column] += 1
                }
            }
        }
    }

    /// Adds one tile's pixels from arrays; see
    /// `add(predictions:labels:invalidPrediction:)`.
    public mutating func add(
        predictions: [UInt8],
        labels: [UInt8],
        invalidPrediction: UInt8 = ClusterIDs.invalid
    ) {
        predictions.withUnsafeBufferPointer { predictions in
            labels.withUnsafeBufferPointer { labels in
                add(predictions: predictions, labels: labels, invalidPrediction: invalidPrediction)
            }
        }
    }

    /// Adds every count of `other`, for example to pool scenes.
    /// - Precondition: both matrices have the same clusters and classes.
    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(
            other.clusterCount == clusterCount && other.classes == classes,
            "cannot merge a \(other.clusterCount) x \(other.classes) matrix into a \(clusterCount) x \(classes) matrix"
        )
        for index in counts.indices {
            counts[index] += other.counts[index]
        }
    }

    /// Returns the sum of `matrices`, or nil when there are none.
    public static func pooled(_ matrices: [ConfusionMatrix]) -> ConfusionMatrix? {
        guard var total = matrices.first else { return nil }
        for matrix in matrices.dropFirst() {
            total.merge(matrix)
        }
        return total
    }

    /// Returns the matrix restricted to `classes`, for example to score
    /// without cloud after counting with it.
    /// - Precondition: this matrix counts every class in `classes`.
    public func restricted(to classes: [SurfaceClass]) -> ConfusionMatrix {
        for surfaceClass in classes {
            precondition(
                self.classes.contains(surfaceClass),
                "class \(surfaceClass) is not counted by this matrix, which counts \(self.classes)"
            )
        }
        var restricted = ConfusionMatrix(clusterCount: clusterCount, classes: classes)
        for cluster in 0..<clusterCount {
            for (column, surfaceClass) in classes.enumerated() {
                restricted.counts[cluster * classes.count + column] = self[cluster, surfaceClass]
            }
        }
        return restricted
    }
}

/// The values of a cluster-id buffer that are not cluster ids.
public enum ClusterIDs {
    /// The prediction value of a pixel the model did not segment (nodata in
    /// cluster-id rasters).
    public static let invalid: UInt8 = 255
}

extension ConfusionMatrix: Codable {
    private enum CodingKeys: String, CodingKey {
        case classes
        case counts
    }

    /// Decodes `{"classes": ["land", "water"], "counts": [[...], ...]}`, one
    /// row of counts per cluster, as `encode(to:)` writes it, for example to
    /// pool the matrices of scenes evaluated in separate jobs.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let names = try container.decode([String].self, forKey: .classes)
        var classes: [SurfaceClass] = []
        for name in names {
            guard let surfaceClass = SurfaceClass.scored.first(where: { $0.description == name }), !classes.contains(surfaceClass) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .classes,
                    in: container,
                    debugDescription: "class '\(name)' is unknown or repeated; use each of land, water and cloud at most once"
                )
            }
            classes.append(surfaceClass)
        }
        let rows = try container.decode([[Int64]].self, forKey: .counts)
        guard !classes.isEmpty, (1...255).contains(rows.count),
              rows.allSatisfy({ $0.count == classes.count && $0.allSatisfy { $0 >= 0 } }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .counts,
                in: container,
                debugDescription: "counts must be 1 to 255 rows of \(classes.count) non-negative integers, one per class"
            )
        }
        self.init(clusterCount: rows.count, classes: classes, counts: rows.flatMap { $0 })
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(classes.map(\.description), forKey: .classes)
        let rows = (0..<clusterCount).map { Array(counts[($0 * classes.count)..<(($0 + 1) * classes.count)]) }
        try container.encode(rows, forKey: .counts)
    }
}
