import Tiling

/// A predicted-class x labelled-class table of pixel counts: a
/// `ConfusionMatrix` after its clusters were mapped to classes.
///
/// Rows are `classes` in order plus one last row, "no class", for pixels whose
/// cluster is unmapped or maps to a class that is not scored (for example
/// `cloud` when cloud is excluded). Those pixels always count as errors.
public struct ClassConfusion: Equatable, Sendable {
    /// The scored classes, the columns and the first rows.
    public let classes: [SurfaceClass]
    /// The counts, row-major: `counts[predictedRow * classes.count + column]`.
    public private(set) var counts: [Int64]

    /// Creates the table by mapping the rows of `matrix`.
    /// - Precondition: `mapping` has one class per cluster of `matrix`.
    public init(_ matrix: ConfusionMatrix, mapping: ClusterMapping) {
        precondition(
            mapping.clusterCount == matrix.clusterCount,
            "the mapping covers \(mapping.clusterCount) clusters but the matrix has \(matrix.clusterCount)"
        )
        classes = matrix.classes
        let columnCount = classes.count
        counts = Array(repeating: 0, count: (columnCount + 1) * columnCount)
        for cluster in 0..<matrix.clusterCount {
            let row = mapping.classes[cluster].flatMap { classes.firstIndex(of: $0) } ?? columnCount
            for column in 0..<columnCount {
                counts[row * columnCount + column] += matrix.counts[cluster * columnCount + column]
            }
        }
    }

    /// Returns the number of pixels predicted as `predicted` (nil: no class) whose
    /// label is `labelled`.
    public func count(predicted: SurfaceClass?, labelled: SurfaceClass) -> Int64 {
        guard let column = classes.firstIndex(of: labelled) else { return 0 }
        let row: Int
        if let predicted {
            guard let index = classes.firstIndex(of: predicted) else { return 0 }
            row = index
        } else {
            row = classes.count
        }
        return counts[row * classes.count + column]
    }

    /// The total number of pixels counted.
    public var pixelCount: Int64 {
        counts.reduce(0, +)
    }

    /// Adds every count of `other`, for example to pool scenes that were
    /// mapped separately.
    /// - Precondition: both tables score the same classes.
    public mutating func merge(_ other: ClassConfusion) {
        precondition(other.classes == classes, "cannot merge a table of \(other.classes) into a table of \(classes)")
        for index in counts.indices {
            counts[index] += other.counts[index]
        }
    }
}
