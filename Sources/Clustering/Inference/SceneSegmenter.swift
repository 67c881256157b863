import GeoRaster

/// The cluster ids of full-width rows of a scene: every column, and some or
/// all rows of one window row's cores.
public struct ClusterStrip: Sendable {
    /// The pixels covered, in scene coordinates: `columnOffset` 0 and the
    /// scene's width.
    public var window: Window
    /// Cluster ids, shape `(window.height, window.width)`, `invalidCluster`
    /// where the scene has no valid data.
    public var clusters: [UInt8]
    /// The reflectance of the strip's pixels in the bands the caller asked
    /// for (`stripBands`), read with the model's, so they need no second read.
    public var reflectance: RasterBlock<Float>

    /// The cluster-id value of invalid pixels (the nodata of cluster rasters).
    public static let invalidCluster: UInt8 = 255
}

/// Segments whole scenes with any `SegmentationModel`, one window row at a
/// time, so memory keeps the reflectance of about one window row and the
/// ids of one strip, never the scene.
///
/// Each window reads the model's bands with a margin of context
/// (`SlidingWindowPlan`), reflects the pixels past the scene's border back
/// inside (reflection padding), runs the model and keeps the arg-max
/// cluster of the chosen head in the window's core. The rows a window row
/// reads are read once, in full-width strips aligned to the file's blocks,
/// so no block is decoded twice (`SceneRowBuffer`).
public struct SceneSegmenter {
    public let model: any SegmentationModel
    /// The core side of each window in pixels, even; 512 by default.
    public var coreSize: Int
    /// The head whose clusters are kept, an index into `model.headNames`.
    public var head: Int
    /// The maximum number of rows in one strip handed over. A window row is
    /// handed over in several strips, so the copies of `stripBands` stay
    /// small (128 rows of a 10980 px scene in 4 bands are 22 MB).
    public var maximumStripHeight = 128

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

    /// Segments a scene and hands over its cluster ids one strip of at most
    /// `maximumStripHeight` rows at a time, top to bottom.
    /// - Parameters:
    ///   - dataset: the scene; it has every band of `model.bands`.
    ///   - scale: the reflectance conversion; nil takes the scene's.
    ///   - stripBands: bands whose reflectance each strip carries. They are
    ///     read with the model's bands, and a pixel with nodata in any band
    ///     read is invalid for the model too.
    ///   - progress: called with (windows done, windows in all) after each window.
    ///   - strip: called with the ids of each strip, in order, once its
    ///     window row is done; an error it throws stops the segmentation.
    /// - Throws: `ClusteringError.unknownBand` for a missing band,
    ///   `GeoRasterError` for a failed read, and what `strip` throws.
    public func segment(_ dataset: Dataset, scale: ReflectanceScale? = nil, stripBands: [String] = [],
                        progress: (Int, Int) -> Void = { _, _ in },
                        strip: (ClusterStrip) throws -> Void) throws {
        precondition(maximumStripHeight >= 1, "strips need at least 1 row, got \(maximumStripHeight)")
        for band in model.bands + stripBands where !dataset.bandNames.contains(band) {
            throw ClusteringError.unknownBand(band, scene: dataset.path, available: dataset.bandNames)
        }
        let plan = plan(width: dataset.width, height: dataset.height)
        let clusterCount = model.clusterCounts[head]
        let extraBands = stripBands.filter { !model.bands.contains($0) }
        var rows = SceneRowBuffer(dataset: dataset, bands: model.bands + extraBands,
                                  gatheredBandCount: model.bands.count, scale: scale)
        var input = WindowInput()
        let total = plan.rowCount * plan.columnCount
        var done = 0
        for row in 0..<plan.rowCount {
            let windows = plan.windows(row: row)
            let stripWindow = Window(columnOffset: 0, rowOffset: windows[0].core.rowOffset,
                                     width: dataset.width, height: windows[0].core.height)
            var clusters = [UInt8](repeating: ClusterStrip.invalidCluster, count: stripWindow.pixelCount)
            let sourceRows = (0..<windows[0].input.height).map {
                reflectedIndex(windows[0].input.rowOffset + $0, count: dataset.height)
            }
            try rows.load(rows: sourceRows.min()!..<(sourceRows.max()! + 1))
            for window in windows {
                rows.gather(window.input, into: &input)
                let probabilities = model.clusterProbabilities(reflectance: input.reflectance, valid: input.valid,
                                                               height: window.input.height, width: window.input.width, head: head)
                keepCore(probabilities, valid: input.valid, window: window, clusterCount: clusterCount,
                         strip: stripWindow, into: &clusters)
                done += 1
                progress(done, total)
            }
            for top in stride(from: stripWindow.rowOffset, to: stripWindow.rowEnd, by: maximumStripHeight) {
                let bottom = min(top + maximumStripHeight, stripWindow.rowEnd)
                let window = Window(columnOffset: 0, rowOffset: top, width: dataset.width, height: bottom - top)
                let start = (top - stripWindow.rowOffset) * dataset.width
                try strip(ClusterStrip(window: window, clusters: Array(clusters[start..<(start + window.pixelCount)]),
                                       reflectance: rows.strip(rows: top..<bottom, bands: stripBands)))
            }
        }
    }

    /// Writes the arg-max cluster of each valid core pixel into the strip's ids.
    private func keepCore(_ probabilities: [Float], valid: [Bool], window: SlidingWindow, clusterCount: Int,
                          strip: Window, into clusters: inout [UInt8]) {
        let input = window.input
        let core = window.core
        precondition(probabilities.count == clusterCount * input.pixelCount,
                     "model gave \(probabilities.count) probabilities for \(clusterCount) clusters x \(input.height) x \(input.width)")
        let pixelCount = input.pixelCount
        probabilities.withUnsafeBufferPointer { probabilities in
            clusters.withUnsafeMutableBufferPointer { clusters in
                for row in core.rowOffset..<core.rowEnd {
                    let inputRow = (row - input.rowOffset) * input.width - input.columnOffset
                    let stripRow = (row - strip.rowOffset) * strip.width
                    for column in core.columnOffset..<core.columnEnd {
                        let pixel = inputRow + column
                        guard valid[pixel] else { continue }
                        var best = 0
                        var bestProbability = probabilities[pixel]
                        for cluster in 1..<max(clusterCount, 1) where probabilities[cluster * pixelCount + pixel] > bestProbability {
                            best = cluster
                            bestProbability = probabilities[cluster * pixelCount + pixel]
                        }
                        clusters[stripRow + column] = UInt8(best)
                    }
                }
            }
        }
    }
}

/// The model input of one window, reused from window to window so that
/// each window does not allocate (and fault in) fresh buffers.
struct WindowInput {
    /// Reflectance, shape `(bands, height, width)`.
    var reflectance: [Float] = []
    /// Validity, shape `(height, width)`.
    var valid: [Bool] = []
}
