import GeoRaster

/// Full-width rows of a scene's reflectance, read top to bottom and kept
/// only while a window row needs them.
///
/// `load(rows:)` drops the rows above the range and reads the rows missing
/// below it, extended to the end of their block row in the file (or the
/// last row), so each block is decoded once however the windows overlap.
/// Memory: `bands x width x 4` bytes a row (plus 1 byte of validity), for
/// at most the window height plus one block height of rows.
struct SceneRowBuffer {
    let dataset: Dataset
    /// The bands held; `gather` copies the first `gatheredBandCount` of them.
    let bands: [String]
    let gatheredBandCount: Int
    let scale: ReflectanceScale?
    /// Rows are read in multiples of this count, from a multiple of it.
    let alignment: Int
    /// The scene rows held, `firstRow..<endRow`.
    private(set) var firstRow = 0
    private(set) var endRow = 0
    /// Reflectance per band, each `(endRow - firstRow, width)`.
    private var samples: [[Float]]
    /// Validity, `(endRow - firstRow, width)`.
    private var validity: [Bool] = []

    /// The largest block height the reads are aligned to. Files stored in
    /// taller blocks (a stripped file of one strip) are read as requested,
    /// so a window row never reads far beyond itself.
    static let maximumAlignment = 1024

    /// Creates an empty buffer of `bands`; `gather` copies the first
    /// `gatheredBandCount` of them (all by default).
    init(dataset: Dataset, bands: [String], gatheredBandCount: Int? = nil, scale: ReflectanceScale?) {
        precondition((gatheredBandCount ?? bands.count) <= bands.count,
                     "cannot gather \(gatheredBandCount ?? bands.count) of the \(bands.count) bands \(bands)")
        self.dataset = dataset
        self.bands = bands
        self.gatheredBandCount = gatheredBandCount ?? bands.count
        self.scale = scale
        let blockHeight = dataset.blockSize.height
        alignment = (1...Self.maximumAlignment).contains(blockHeight) ? blockHeight : 1
        samples = Array(repeating: [], count: bands.count)
    }

    /// Makes `rows` available to `gather`.
    /// - Precondition: `rows` lies inside the scene and does not start above
    ///   the rows of the previous call (windows move down the scene).
    /// - Throws: `GeoRasterError` for a failed read.
    mutating func load(rows: Range<Int>) throws {
        precondition(rows.lowerBound >= firstRow && rows.upperBound <= dataset.height,
                     "rows \(rows) must lie in \(firstRow)..<\(dataset.height)")
        let width = dataset.width

        // Drop the rows above the range.
        let dropped = min(rows.lowerBound, endRow) - firstRow
        if dropped > 0 {
            for band in samples.indices { samples[band].removeFirst(dropped * width) }
            validity.removeFirst(dropped * width)
        }
        firstRow = rows.lowerBound
        endRow = max(endRow, firstRow)

        // Read the missing rows below, to the end of their block row, a few
        // block rows at a time so the read's own buffer stays small.
        guard rows.upperBound > endRow else { return }
        let readEnd = min(dataset.height, (rows.upperBound + alignment - 1) / alignment * alignment)
        let chunkRows = alignment * max(1, Self.minimumReadRows / alignment)
        while endRow < readEnd {
            let window = Window(columnOffset: 0, rowOffset: endRow, width: width, height: min(chunkRows, readEnd - endRow))
            let block = try dataset.readReflectance(bands: bands, window: window, scale: scale)
            let count = window.pixelCount
            for band in samples.indices {
                samples[band].append(contentsOf: block.samples[(band * count)..<((band + 1) * count)])
            }
            validity.append(contentsOf: block.validity)
            endRow = window.rowEnd
        }
    }

    /// The minimum number of rows read at once (rounded up to whole block
    /// rows), so a file stored in single-row strips is not read one row per call.
    static let minimumReadRows = 128

    /// Copies `window` of the loaded rows into `input`, reflecting rows and
    /// columns past the scene's border from inside it (about the edge
    /// pixels, as `reflectedIndex` does).
    /// - Precondition: the window's rows, reflected, were loaded.
    func gather(_ window: Window, into input: inout WindowInput) {
        let width = dataset.width
        let pixelCount = window.pixelCount
        let rows = (0..<window.height).map { reflectedIndex(window.rowOffset + $0, count: dataset.height) - firstRow }
        let columns = (0..<window.width).map { reflectedIndex(window.columnOffset + $0, count: width) }
        precondition(rows.allSatisfy { $0 >= 0 && $0 < endRow - firstRow },
                     "window \(window) reaches rows outside the loaded \(firstRow)..<\(endRow)")
        if input.reflectance.count != gatheredBandCount * pixelCount {
            input.reflectance = [Float](repeating: 0, count: gatheredBandCount * pixelCount)
            input.valid = [Bool](repeating: false, count: pixelCount)
        }
        let firstColumn = columns[0]
        let isContiguous = columns.last! - firstColumn == window.width - 1
        input.reflectance.withUnsafeMutableBufferPointer { target in
            for band in 0..<gatheredBandCount {
                samples[band].withUnsafeBufferPointer { source in
                    for (row, sourceRow) in rows.enumerated() {
                        let from = sourceRow * width
                        let to = band * pixelCount + row * window.width
                        if isContiguous {
                            (target.baseAddress! + to).update(from: source.baseAddress! + from + firstColumn, count: window.width)
                        } else {
                            for (column, sourceColumn) in columns.enumerated() { target[to + column] = source[from + sourceColumn] }
                        }
                    }
                }
            }
        }
        validity.withUnsafeBufferPointer { source in
            input.valid.withUnsafeMutableBufferPointer { target in
                for (row, sourceRow) in rows.enumerated() {
                    let from = sourceRow * width
                    let to = row * window.width
                    for (column, sourceColumn) in columns.enumerated() { target[to + column] = source[from + sourceColumn] }
                }
            }
        }
    }

    /// Returns loaded full-width rows of some of the bands.
    /// - Precondition: the rows were loaded and every name is in `bands`.
    func strip(rows: Range<Int>, bands names: [String]) -> RasterBlock<Float> {
        precondition(rows.lowerBound >= firstRow && rows.upperBound <= endRow,
                     "rows \(rows) are outside the loaded \(firstRow)..<\(endRow)")
        let width = dataset.width
        let range = ((rows.lowerBound - firstRow) * width)..<((rows.upperBound - firstRow) * width)
        var values: [Float] = []
        values.reserveCapacity(names.count * range.count)
        for name in names {
            guard let band = bands.firstIndex(of: name) else { preconditionFailure("band \(name) is not among \(bands)") }
            values += samples[band][range]
        }
        return RasterBlock(window: Window(columnOffset: 0, rowOffset: rows.lowerBound, width: width, height: rows.count),
                           bandNames: names, samples: values, validity: Array(validity[range]))
    }
}
