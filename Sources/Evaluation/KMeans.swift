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
    /// larger scene is fitted on a uniform random sample of this many valid
    /// pixels (`PixelReservoir`, seeded by `seed`), and then every valid
    /// pixel is assigned.
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

/// Fitted k-means centroids with the standardisation they were fitted in,
/// ready to assign pixels.
public struct KMeansModel: Equatable, Sendable {
    /// The mean of each band over the valid pixels.
    public var means: [Double]
    /// One over the standard deviation of each band (1 for a band with no spread).
    public var scales: [Double]
    /// The centroids in standardised units, `[cluster][band]`.
    public var centroids: [[Float]]
    /// The Lloyd iterations run.
    public var iterations: Int
    /// Whether the centroids moved less than the tolerance before the cap.
    public var converged: Bool

    /// Returns the nearest centroid of each pixel (the first one on a tie),
    /// or `ClusterIDs.invalid` for a pixel that is invalid or not finite in
    /// some band.
    /// - Parameters:
    ///   - samples: band-sequential values, shape `(bands, pixelCount)`.
    ///   - validity: one flag per pixel.
    public func assign(samples: [Float], validity: [Bool]) -> [UInt8] {
        let dimension = means.count
        let pixelCount = validity.count
        precondition(samples.count == dimension * pixelCount,
                     "\(samples.count) samples do not match \(dimension) bands x \(pixelCount) pixels")
        var assignments = [UInt8](repeating: ClusterIDs.invalid, count: pixelCount)
        guard !centroids.isEmpty else { return assignments }
        var vector = [Float](repeating: 0, count: dimension)
        samples.withUnsafeBufferPointer { samples in
            for pixel in 0..<pixelCount where validity[pixel] {
                var isFinite = true
                for band in 0..<dimension {
                    let value = samples[band * pixelCount + pixel]
                    isFinite = isFinite && value.isFinite
                    vector[band] = Float((Double(value) - means[band]) * scales[band])
                }
                guard isFinite else { continue }
                assignments[pixel] = UInt8(KMeans.nearestCentroid(vector, point: 0, dimension: dimension, centroids: centroids).index)
            }
        }
        return assignments
    }
}

/// A uniform random sample of at most `capacity` pixels from a stream of
/// unknown length (reservoir sampling), so a fit sample is drawn from a
/// scene of any size in fixed memory.
///
/// The first `capacity` pixels are kept in order, so a scene with fewer
/// valid pixels is fitted on all of them.
public struct PixelReservoir: Sendable {
    public let capacity: Int
    public let bandCount: Int
    /// The kept pixels' values, pixel-interleaved, shape `(kept, bandCount)`.
    public private(set) var points: [Float] = []
    /// The pixels offered so far.
    public private(set) var offered = 0
    private var generator: SplitMix64

    public init(capacity: Int, bandCount: Int, seed: UInt64) {
        precondition(capacity >= 1 && bandCount >= 1, "a reservoir needs a capacity and bands of at least 1, got \(capacity) and \(bandCount)")
        self.capacity = capacity
        self.bandCount = bandCount
        // A stream of its own, apart from the k-means++ draws of the same seed.
        generator = SplitMix64(seed: seed ^ 0x5EED_5A3F_1E00_0001)
    }

    /// Offers one pixel, given by its value in each band.
    public mutating func offer(_ value: (Int) -> Float) {
        defer { offered += 1 }
        if offered < capacity {
            for band in 0..<bandCount { points.append(value(band)) }
            return
        }
        let slot = Int(generator.next() % UInt64(offered + 1))
        guard slot < capacity else { return }
        for band in 0..<bandCount { points[slot * bandCount + band] = value(band) }
    }
}

/// Sums for the mean and standard deviation of each band, accumulated strip
/// by strip.
public struct BandMoments: Equatable, Sendable {
    public private(set) var sums: [Double]
    public private(set) var sumsOfSquares: [Double]
    public private(set) var count = 0

    public init(bandCount: Int) {
        sums = Array(repeating: 0, count: bandCount)
        sumsOfSquares = Array(repeating: 0, count: bandCount)
    }

    /// Adds one pixel's values.
    mutating func add(_ value: (Int) -> Float) {
        count += 1
        for band in sums.indices {
            let sample = Double(value(band))
            sums[band] += sample
            sumsOfSquares[band] += sample * sample
        }
    }

    /// The mean of each band, and one over its standard deviation (1 for a
    /// band with no spread, which is then only centred).
    var standardisation: (means: [Double], scales: [Double]) {
        let means = sums.map { $0 / Double(max(count, 1)) }
        let scales = sums.indices.map { band -> Double in
            let variance = max(0, sumsOfSquares[band] / Double(max(count, 1)) - means[band] * means[band])
            return variance > 0 ? 1 / variance.squareRoot() : 1
        }
        return (means, scales)
    }
}

/// The k-means baseline: Lloyd's algorithm on standardised pixel vectors with
/// k-means++ initialisation (Arthur and Vassilvitskii, 2007).
///
/// Each band is standardised over the valid pixels, `(x - mean) / std`, so
/// that no band dominates the distance by its scale. A band with zero spread
/// is only centred. The centroids are fitted on at most
/// `maximumFitPixels` pixels, then every valid pixel is assigned.
public enum KMeans {
    /// Clusters the valid pixels of a scene held in memory.
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
        let pixelCount = bands[0].count
        precondition(bands.allSatisfy { $0.count == pixelCount }, "bands have different pixel counts: \(bands.map(\.count))")
        if let validity {
            precondition(validity.count == pixelCount, "bands have \(pixelCount) pixels but the validity mask has \(validity.count)")
        }
        let isValid = (0..<pixelCount).map { pixel in
            (validity?[pixel] ?? true) && bands.allSatisfy { $0[pixel].isFinite }
        }
        var moments = BandMoments(bandCount: bands.count)
        var reservoir = PixelReservoir(capacity: configuration.maximumFitPixels, bandCount: bands.count, seed: configuration.seed)
        for pixel in 0..<pixelCount where isValid[pixel] {
            moments.add { bands[$0][pixel] }
            reservoir.offer { bands[$0][pixel] }
        }
        let sample = reservoir.points
        let model = fit(sample: sample, moments: moments, configuration: configuration)
        let samples = Array(bands.joined())
        let assignments = model.assign(samples: samples, validity: isValid)
        return KMeansResult(assignments: assignments, centroids: model.centroids, iterations: model.iterations,
                            converged: model.converged)
    }

    /// Fits centroids on a sample of pixels.
    /// - Parameters:
    ///   - sample: pixel-interleaved values, shape `(points, bands)`, all finite.
    ///   - moments: the band sums over every valid pixel, for the standardisation.
    /// - Returns: a model without centroids when the sample is empty.
    public static func fit(sample: [Float], moments: BandMoments, configuration: KMeansConfiguration) -> KMeansModel {
        precondition((1...254).contains(configuration.clusterCount), "k must be 1 to 254, got \(configuration.clusterCount)")
        precondition(configuration.maximumIterations >= 1, "the iteration cap must be at least 1, got \(configuration.maximumIterations)")
        precondition(configuration.maximumFitPixels >= 1, "the fit size must be at least 1, got \(configuration.maximumFitPixels)")
        let dimension = moments.sums.count
        precondition(dimension > 0 && sample.count % dimension == 0, "\(sample.count) sample values do not split into \(dimension) bands")
        let (means, scales) = moments.standardisation
        guard !sample.isEmpty else {
            return KMeansModel(means: means, scales: scales, centroids: [], iterations: 0, converged: true)
        }
        var points = sample
        for index in points.indices {
            let band = index % dimension
            points[index] = Float((Double(points[index]) - means[band]) * scales[band])
        }
        let indices = Array(0..<(points.count / dimension))

        // Lloyd iterations on the sample.
        var generator = SplitMix64(seed: configuration.seed)
        var centroids = initialCentroids(points, dimension: dimension, sample: indices, count: configuration.clusterCount, generator: &generator)
        var iterations = 0
        var converged = false
        var sampleAssignments = [Int](repeating: 0, count: indices.count)
        while iterations < configuration.maximumIterations {
            iterations += 1
            for point in indices {
                sampleAssignments[point] = nearestCentroid(points, point: point, dimension: dimension, centroids: centroids).index
            }
            let updated = updatedCentroids(points, dimension: dimension, sample: indices, assignments: sampleAssignments, previous: centroids)
            let shift = zip(updated, centroids).map { squaredDistance($0, $1) }.max() ?? 0
            centroids = updated
            if shift.squareRoot() <= configuration.tolerance {
                converged = true
                break
            }
        }
        return KMeansModel(means: means, scales: scales, centroids: centroids, iterations: iterations, converged: converged)
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
    static func nearestCentroid(
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
