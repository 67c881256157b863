/// Settings of the k-means baseline.
public struct KMeansConfiguration: Equatable, Sendable {
    /// The number of clusters k, 1 to 254.
    public var clusterCount: Int
    /// The maximum number of Lloyd iterations.
    public var maximumIterations: Int
    /// Lloyd iterations stop once no centroid moves more than this distance,
    /// in standardised units (standard deviations of the bands).
    public var tolerance: Float
    /// The seed of the generator that picks the initial centroids.
    public var seed: UInt64
    /// The maximum number of valid pixels the centroids are fitted on. A
    /// larger scene is subsampled at a regular stride for the fit, and then
    /// every valid pixel is assigned.
    public var maximumFitPixels: Int

    public init(
        clusterCount: Int = 3,
        maximumIterations: Int = 100,
        tolerance: Float = 1e-4,
        seed: UInt64 = 0,
        maximumFitPixels: Int = 200_000
    ) {
        self.clusterCount = clusterCount
        self.maximumIterations = maximumIterations
        self.tolerance = tolerance
        self.seed = seed
        self.maximumFitPixels = maximumFitPixels
    }
}

/// The outcome of k-means on a scene.
public struct KMeansResult: Equatable, Sendable {
    /// The cluster id of every pixel, or `ClusterIDs.invalid` for invalid ones.
    public var assignments: [UInt8]
    /// The centroids in standardised units, `[cluster][band]`.
    public var centroids: [[Float]]
    /// The Lloyd iterations run.
    public var iterations: Int
    /// Whether the centroids moved less than the tolerance before the cap.
    public var converged: Bool
}

/// The k-means baseline: Lloyd's algorithm on standardised pixel vectors with
/// k-means++ initialisation (Arthur and Vassilvitskii, 2007).
///
/// Each band is standardised over the valid pixels, `(x - mean) / std`, so
/// that no band dominates the distance by its scale. A band with zero spread
/// is only centred.
///
/// Memory: besides the output and a validity flag per pixel, only the fit
/// sample is stored (`maximumFitPixels x bands x 4` bytes), because every
/// pixel is standardised on the fly when it is assigned.
public enum KMeans {
    /// Clusters the valid pixels of a scene.
    ///
    /// - Parameters:
    ///   - bands: one buffer per band, each with one value per pixel.
    ///   - validity: whether each pixel has data; nil when all do. A pixel
    ///     with a non-finite value in any band is also invalid.
    ///   - configuration: k, iteration cap, tolerance, seed and fit size.
    /// - Returns: the same seed and input always give the same result. With
    ///   fewer valid pixels than k, the extra clusters stay empty.
    public static func cluster(
        bands: [[Float]],
        validity: [Bool]? = nil,
        configuration: KMeansConfiguration = KMeansConfiguration()
    ) -> KMeansResult {
        precondition(!bands.isEmpty, "k-means needs at least one band")
        precondition((1...254).contains(configuration.clusterCount), "k must be 1 to 254, got \(configuration.clusterCount)")
        precondition(configuration.maximumIterations >= 1, "the iteration cap must be at least 1, got \(configuration.maximumIterations)")
        precondition(configuration.maximumFitPixels >= 1, "the fit size must be at least 1, got \(configuration.maximumFitPixels)")
        let pixelCount = bands[0].count
        precondition(bands.allSatisfy { $0.count == pixelCount }, "bands have different pixel counts: \(bands.map(\.count))")
        if let validity {
            precondition(validity.count == pixelCount, "bands have \(pixelCount) pixels but the validity mask has \(validity.count)")
        }
        let isValid = (0..<pixelCount).map { pixel in
            (validity?[pixel] ?? true) && bands.allSatisfy { $0[pixel].isFinite }
        }

        // The mean and standard deviation of each band over the valid pixels.
        let dimension = bands.count
        var sums = [Double](repeating: 0, count: dimension)
        var sumsOfSquares = [Double](repeating: 0, count: dimension)
        var validCount = 0
        for pixel in 0..<pixelCount where isValid[pixel] {
            validCount += 1
            for band in 0..<dimension {
                let value = Double(bands[band][pixel])
                sums[band] += value
                sumsOfSquares[band] += value * value
            }
        }
        var assignments = [UInt8](repeating: ClusterIDs.invalid, count: pixelCount)
        guard validCount > 0 else {
            return KMeansResult(assignments: assignments, centroids: [], iterations: 0, converged: true)
        }
        let means = sums.map { $0 / Double(validCount) }
        let scales = (0..<dimension).map { band -> Double in
            let variance = max(0, sumsOfSquares[band] / Double(validCount) - means[band] * means[band])
            return variance > 0 ? 1 / variance.squareRoot() : 1
        }
        func standardise(_ pixel: Int, into vector: inout [Float], at start: Int) {
            for band in 0..<dimension {
                vector[start + band] = Float((Double(bands[band][pixel]) - means[band]) * scales[band])
            }
        }

        // The fit sample: every stride-th valid pixel, standardised.
        let stride = (validCount + configuration.maximumFitPixels - 1) / configuration.maximumFitPixels
        var points: [Float] = []
        points.reserveCapacity((validCount / stride + 1) * dimension)
        var validIndex = 0
        for pixel in 0..<pixelCount where isValid[pixel] {
            if validIndex % stride == 0 {
                points.append(contentsOf: repeatElement(0, count: dimension))
                standardise(pixel, into: &points, at: points.count - dimension)
            }
            validIndex += 1
        }
        let sample = Array(0..<(points.count / dimension))

        // Lloyd iterations on the sample.
        var generator = SplitMix64(seed: configuration.seed)
        var centroids = initialCentroids(points, dimension: dimension, sample: sample, count: configuration.clusterCount, generator: &generator)
        var iterations = 0
        var converged = false
        var sampleAssignments = [Int](repeating: 0, count: sample.count)
        while iterations < configuration.maximumIterations {
            iterations += 1
            for point in sample {
                sampleAssignments[point] = nearestCentroid(points, point: point, dimension: dimension, centroids: centroids).index
            }
            let updated = updatedCentroids(points, dimension: dimension, sample: sample, assignments: sampleAssignments, previous: centroids)
            let shift = zip(updated, centroids).map { squaredDistance($0, $1) }.max() ?? 0
            centroids = updated
            if shift.squareRoot() <= configuration.tolerance {
                converged = true
                break
            }
        }

        // Every valid pixel to its nearest centroid.
        var vector = [Float](repeating: 0, count: dimension)
        for pixel in 0..<pixelCount where isValid[pixel] {
            standardise(pixel, into: &vector, at: 0)
            assignments[pixel] = UInt8(nearestCentroid(vector, point: 0, dimension: dimension, centroids: centroids).index)
        }
        return KMeansResult(assignments: assignments, centroids: centroids, iterations: iterations, converged: converged)
    }

    /// Picks `count` centroids by k-means++: the first uniformly, each next
    /// one with probability proportional to its squared distance to the
    /// nearest centroid so far.
    private static func initialCentroids(
        _ points: [Float],
        dimension: Int,
        sample: [Int],
        count: Int,
        generator: inout SplitMix64
    ) -> [[Float]] {
        func vector(_ point: Int) -> [Float] {
            Array(points[(point * dimension)..<((point + 1) * dimension)])
        }
        var centroids = [vector(sample[Int(generator.next() % UInt64(sample.count))])]
        var distances = sample.map { squaredDistance(vector($0), centroids[0]) }
        while centroids.count < count {
            let total = distances.reduce(0.0) { $0 + Double($1) }
            // All remaining points coincide with a centroid: repeat the first.
            guard total > 0 else {
                centroids.append(centroids[0])
                continue
            }
            var target = Double(generator.next() >> 11) / Double(1 << 53) * total
            var chosen = sample.count - 1
            for (position, distance) in distances.enumerated() {
                target -= Double(distance)
                if target < 0 {
                    chosen = position
                    break
                }
            }
            let centroid = vector(sample[chosen])
            centroids.append(centroid)
            for (position, point) in sample.enumerated() {
                distances[position] = min(distances[position], squaredDistance(vector(point), centroid))
            }
        }
        return centroids
    }

    /// Returns the index of the centroid nearest to `point` (the first one on
    /// a tie) and its squared distance.
    private static func nearestCentroid(
        _ points: [Float],
        point: Int,
        dimension: Int,
        centroids: [[Float]]
    ) -> (index: Int, distance: Float) {
        var best = (index: 0, distance: Float.infinity)
        let start = point * dimension
        for (index, centroid) in centroids.enumerated() {
            var distance: Float = 0
            for band in 0..<dimension {
                let difference = points[start + band] - centroid[band]
                distance += difference * difference
            }
            if distance < best.distance {
                best = (index, distance)
            }
        }
        return best
    }

    /// Returns the mean of each cluster's points; an empty cluster keeps its
    /// previous centroid.
    private static func updatedCentroids(
        _ points: [Float],
        dimension: Int,
        sample: [Int],
        assignments: [Int],
        previous: [[Float]]
    ) -> [[Float]] {
        var sums = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: previous.count)
        var counts = [Int](repeating: 0, count: previous.count)
        for (position, point) in sample.enumerated() {
            let cluster = assignments[position]
            counts[cluster] += 1
            for band in 0..<dimension {
                sums[cluster][band] += Double(points[point * dimension + band])
            }
        }
        return previous.indices.map { cluster in
            guard counts[cluster] > 0 else { return previous[cluster] }
            return sums[cluster].map { Float($0 / Double(counts[cluster])) }
        }
    }

    private static func squaredDistance(_ first: [Float], _ second: [Float]) -> Float {
        zip(first, second).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator whose
/// sequence is the same on every platform and Swift version.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE5_E9B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
