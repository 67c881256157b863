import GeoRaster

/// The k-means baseline on a whole scene: `KMeans` on the standardised
/// reflectance of chosen bands, on the same input scale the clustering
/// networks can see.
///
/// The scene is read twice in full-width strips: once to sum each band's
/// moments and draw the fit sample (`PixelReservoir`), once to assign every
/// valid pixel. Memory keeps one strip and the sample
/// (`maximumFitPixels x bands x 4` bytes), whatever the scene's size.
public struct KMeansBaseline: Sendable {
    /// The bands clustered, in order.
    public var bands: [String]
    public var configuration: KMeansConfiguration
    /// The scale reflectance is put on before the standardisation, as
    /// `InputScale.apply` does for the networks.
    public var inputScale: InputScale

    public init(bands: [String], configuration: KMeansConfiguration, inputScale: InputScale = .linear) {
        self.bands = bands
        self.configuration = configuration
        self.inputScale = inputScale
    }

    /// Fits the centroids on a sample of the scene's valid pixels.
    /// - Parameter progress: called with (strips done, strips in all).
    /// - Throws: `GeoRasterError` for unknown bands or a failed read.
    public func fit(_ dataset: Dataset, scale: ReflectanceScale? = nil,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> KMeansModel {
        var moments = BandMoments(bandCount: bands.count)
        var reservoir = PixelReservoir(capacity: configuration.maximumFitPixels, bandCount: bands.count, seed: configuration.seed)
        let strips = SceneStrips.windows(of: dataset)
        for (number, window) in strips.enumerated() {
            let (samples, validity) = try read(dataset, window: window, scale: scale)
            let pixelCount = window.pixelCount
            samples.withUnsafeBufferPointer { samples in
                for pixel in 0..<pixelCount where validity[pixel] {
                    moments.add { samples[$0 * pixelCount + pixel] }
                    reservoir.offer { samples[$0 * pixelCount + pixel] }
                }
            }
            progress(number + 1, strips.count)
        }
        return KMeans.fit(sample: reservoir.points, moments: moments, configuration: configuration)
    }

    /// Assigns every valid pixel of a scene to its nearest centroid and
    /// hands the ids over one full-width strip at a time, top to bottom.
    /// - Parameter strip: called with each strip's window and its cluster
    ///   ids, `ClusterIDs.invalid` where invalid.
    /// - Throws: `GeoRasterError` for a failed read, and what `strip` throws.
    public func assign(_ dataset: Dataset, model: KMeansModel, scale: ReflectanceScale? = nil,
                       strip: (Window, [UInt8]) throws -> Void) throws {
        for window in SceneStrips.windows(of: dataset) {
            let (samples, validity) = try read(dataset, window: window, scale: scale)
            try strip(window, model.assign(samples: samples, validity: validity))
        }
    }

    /// Reads a strip on the input scale; a pixel with a non-finite value in
    /// any band is invalid.
    private func read(_ dataset: Dataset, window: Window, scale: ReflectanceScale?) throws -> ([Float], [Bool]) {
        var block = try dataset.readReflectance(bands: bands, window: window, scale: scale)
        inputScale.apply(&block.samples, bandCount: bands.count)
        let pixelCount = window.pixelCount
        var validity = block.validity
        for band in 0..<bands.count {
            for pixel in 0..<pixelCount where !block.samples[band * pixelCount + pixel].isFinite {
                validity[pixel] = false
            }
        }
        return (block.samples, validity)
    }
}
