import GeoRaster

/// The cluster ids of one head over a whole scene.
public struct SceneSegmentation: Sendable {
    /// Cluster ids, shape `(height, width)`, `invalidCluster` where the
    /// scene has no valid data.
    public var clusters: [UInt8]
    /// The number of clusters of the head.
    public var clusterCount: Int
    public var width: Int
    public var height: Int

    /// The cluster-id value of invalid pixels (the nodata of cluster rasters).
    public static let invalidCluster: UInt8 = 255
}

/// Segments whole scenes with any `SegmentationModel`, one window row at a
/// time, so memory holds one row of windows and the output ids, never the
/// scene's reflectance.
///
/// Each window reads the model's bands with a margin of context
/// (`SlidingWindowPlan`), reflects the pixels past the scene's border back
/// inside (reflection padding), runs the model and keeps the arg-max
/// cluster of the chosen head in the window's core.
public struct SceneSegmenter {
    public let model: any SegmentationModel
    /// The core side of each window in pixels, even; 512 by default.
    public var coreSize: Int
    /// The head whose clusters are kept, an index into `model.headNames`.
    public var head: Int

    /// Creates a segmenter.
    /// - Precondition: `head` is a head of `model` with at most 255 clusters,
    ///   and `coreSize` is even.
    public init(model: any SegmentationModel, coreSize: Int = 512, head: Int = 0) {
        precondition(model.headNames.indices.contains(head), "head \(head) is not one of \(model.headNames)")
        precondition(model.clusterCounts[head] <= 255, "head '\(model.headNames[head])' has \(model.clusterCounts[head]) clusters; cluster ids stop at 254")
        self.model = model
        self.coreSize = coreSize
        self.head = head
    }

    /// Returns the window plan for a scene of the given size.
    public func plan(width: Int, height: Int) -> SlidingWindowPlan {
        SlidingWindowPlan(sceneWidth: width, sceneHeight: height, coreSize: coreSize, receptiveField: model.receptiveField)
    }

    /// Segments a scene.
    /// - Parameters:
    ///   - dataset: the scene; it has every band of `model.bands`.
    ///   - scale: the reflectance conversion; nil takes the scene's.
    ///   - progress: called with (windows done, windows in all) after each window.
    /// - Throws: `ClusteringError.unknownBand` for a missing band, and
    ///   `GeoRasterError` for a failed read.
    public func segment(_ dataset: Dataset, scale: ReflectanceScale? = nil,
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> SceneSegmentation {
        for band in model.bands where !dataset.bandNames.contains(band) {
            throw ClusteringError.unknownBand(band, scene: dataset.path, available: dataset.bandNames)
        }
        let plan = plan(width: dataset.width, height: dataset.height)
        let clusterCount = model.clusterCounts[head]
        var clusters = [UInt8](repeating: SceneSegmentation.invalidCluster, count: dataset.width * dataset.height)
        let total = plan.rowCount * plan.columnCount
        var done = 0
        for row in 0..<plan.rowCount {
            for window in plan.windows(row: row) {
                let (reflectance, valid) = try readReflected(dataset, window: window.input, scale: scale)
                let probabilities = model.clusterProbabilities(reflectance: reflectance, valid: valid,
                                                               height: window.input.height, width: window.input.width)[head]
                keepCore(probabilities, valid: valid, window: window, clusterCount: clusterCount,
                         sceneWidth: dataset.width, into: &clusters)
                done += 1
                progress(done, total)
            }
        }
        return SceneSegmentation(clusters: clusters, clusterCount: clusterCount, width: dataset.width, height: dataset.height)
    }

    /// Reads `window` of the model's bands, reflecting pixels past the scene's
    /// border from inside it.
    /// - Returns: reflectance `bands x height x width` and validity `height x width`.
    func readReflected(_ dataset: Dataset, window: Window, scale: ReflectanceScale?) throws -> ([Float], [Bool]) {
        let rows = (0..<window.height).map { reflectedIndex(window.rowOffset + $0, count: dataset.height) }
        let columns = (0..<window.width).map { reflectedIndex(window.columnOffset + $0, count: dataset.width) }
        let source = Window(columnOffset: columns.min()!, rowOffset: rows.min()!,
                            width: columns.max()! - columns.min()! + 1, height: rows.max()! - rows.min()! + 1)
        let block = try dataset.readReflectance(bands: model.bands, window: source, scale: scale)
        if source == window { return (block.samples, block.validity) }

        let bandCount = model.bands.count
        let pixelCount = window.pixelCount
        let sourceCount = source.pixelCount
        var reflectance = [Float](repeating: 0, count: bandCount * pixelCount)
        var valid = [Bool](repeating: false, count: pixelCount)
        for (row, sourceRow) in rows.enumerated() {
            let sourceStart = (sourceRow - source.rowOffset) * source.width - source.columnOffset
            for (column, sourceColumn) in columns.enumerated() {
                let from = sourceStart + sourceColumn
                let to = row * window.width + column
                valid[to] = block.validity[from]
                for band in 0..<bandCount {
                    reflectance[band * pixelCount + to] = block.samples[band * sourceCount + from]
                }
            }
        }
        return (reflectance, valid)
    }

    /// Writes the arg-max cluster of each valid core pixel into the scene's ids.
    private func keepCore(_ probabilities: [Float], valid: [Bool], window: SlidingWindow, clusterCount: Int,
                          sceneWidth: Int, into clusters: inout [UInt8]) {
        let input = window.input
        let core = window.core
        precondition(probabilities.count == clusterCount * input.pixelCount,
                     "model gave \(probabilities.count) probabilities for \(clusterCount) clusters x \(input.height) x \(input.width)")
        let pixelCount = input.pixelCount
        for row in core.rowOffset..<core.rowEnd {
            let inputRow = row - input.rowOffset
            for column in core.columnOffset..<core.columnEnd {
                let pixel = inputRow * input.width + (column - input.columnOffset)
                guard valid[pixel] else { continue }
                var best = 0
                var bestProbability = probabilities[pixel]
                for cluster in 1..<max(clusterCount, 1) where probabilities[cluster * pixelCount + pixel] > bestProbability {
                    best = cluster
                    bestProbability = probabilities[cluster * pixelCount + pixel]
                }
                clusters[row * sceneWidth + column] = UInt8(best)
            }
        }
    }
}
