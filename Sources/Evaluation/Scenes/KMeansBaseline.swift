import GeoRaster

/// The k-means baseline on a whole scene: `KMeans` on the standardised
/// reflectance of chosen bands.
public struct KMeansBaseline: Sendable {
    /// The bands clustered, in order.
    public var bands: [String]
    public var configuration: KMeansConfiguration

    public init(bands: [String], configuration: KMeansConfiguration) {
        self.bands = bands
        self.configuration = configuration
    }

    /// Clusters the valid pixels of a scene.
    /// - Returns: the cluster id of every pixel, shape `(height, width)`,
    ///   `ClusterIDs.invalid` where invalid.
    /// - Throws: `GeoRasterError` for unknown bands or a failed read.
    ///
    /// TODO: the scene is read whole (`bands x pixels x 4` bytes); a scene
    /// larger than a few thousand pixels a side needs a fit on a strided
    /// sample and a strip-by-strip assignment.
    public func segment(_ dataset: Dataset, scale: ReflectanceScale? = nil) throws -> KMeansResult {
        let block = try dataset.readReflectance(bands: bands, window: dataset.fullWindow, scale: scale)
        let pixelCount = dataset.width * dataset.height
        let buffers = (0..<bands.count).map { Array(block.samples[($0 * pixelCount)..<(($0 + 1) * pixelCount)]) }
        return KMeans.cluster(bands: buffers, validity: block.validity, configuration: configuration)
    }
}
