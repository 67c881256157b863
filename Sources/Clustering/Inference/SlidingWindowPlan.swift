import GeoRaster

/// One step of a sliding-window segmentation: the window read (the core
/// plus a margin on every side, reaching past the scene at its border) and
/// the core whose outputs are kept.
public struct SlidingWindow: Equatable, Sendable {
    /// The pixels fed to the model, in scene coordinates; it may reach past
    /// the scene, where pixels are reflected from inside.
    public let input: Window
    /// The pixels whose outputs are kept; always inside the scene.
    public let core: Window
}

/// The windows that segment a `sceneWidth x sceneHeight` scene.
///
/// Cores of `coreSize x coreSize` tile the scene from its top-left corner
/// (the last row and column of cores are cut at the scene's edge). Each
/// input window adds `margin` pixels on every side, so every kept output
/// sees at least `margin` pixels of context and the outputs do not depend
/// on where the windows fall (centre-crop).
///
/// ```
/// margin = receptiveField / 2, rounded up to an even number
/// ```
/// An even margin and an even core keep every window's origin even, so a
/// network with a stride-2 pool sees the same pixel grid in every window.
/// A core of 512 also starts on the blocks of files tiled in 256 or 512.
public struct SlidingWindowPlan: Equatable, Sendable {
    public let sceneWidth: Int
    public let sceneHeight: Int
    public let coreSize: Int
    public let margin: Int

    /// Creates the plan.
    /// - Precondition: positive scene sides, an even `coreSize` of at least 2
    ///   and a receptive field of at least 1.
    public init(sceneWidth: Int, sceneHeight: Int, coreSize: Int, receptiveField: Int) {
        precondition(sceneWidth > 0 && sceneHeight > 0, "scene must have pixels, got \(sceneWidth) x \(sceneHeight)")
        precondition(coreSize >= 2 && coreSize % 2 == 0, "core size must be even and at least 2, got \(coreSize)")
        precondition(receptiveField >= 1, "receptive field must be at least 1, got \(receptiveField)")
        self.sceneWidth = sceneWidth
        self.sceneHeight = sceneHeight
        self.coreSize = coreSize
        let half = (receptiveField + 1) / 2
        margin = half + half % 2
    }

    /// The number of window rows, top to bottom.
    public var rowCount: Int { (sceneHeight + coreSize - 1) / coreSize }
    /// The number of windows in each row.
    public var columnCount: Int { (sceneWidth + coreSize - 1) / coreSize }

    /// Returns the windows of row `row` (0 at the top), left to right.
    public func windows(row: Int) -> [SlidingWindow] {
        precondition((0..<rowCount).contains(row), "window row \(row) is outside 0..<\(rowCount)")
        let rowOffset = row * coreSize
        let height = min(coreSize, sceneHeight - rowOffset)
        return (0..<columnCount).map { column in
            let columnOffset = column * coreSize
            let width = min(coreSize, sceneWidth - columnOffset)
            let core = Window(columnOffset: columnOffset, rowOffset: rowOffset, width: width, height: height)
            let input = Window(columnOffset: columnOffset - margin, rowOffset: rowOffset - margin,
                               width: width + 2 * margin, height: height + 2 * margin)
            return SlidingWindow(input: input, core: core)
        }
    }
}

/// Returns `index` reflected into `0..<count` about the edge pixels
/// (`-1` to `1`, `count` to `count - 2`), as NumPy's `reflect` padding does;
/// a reflection that lands outside again repeats until it is inside.
func reflectedIndex(_ index: Int, count: Int) -> Int {
    guard count > 1 else { return 0 }
    let period = 2 * (count - 1)
    var folded = index % period
    if folded < 0 { folded += period }
    return folded < count ? folded : period - folded
}
