import GeoRaster

/// The tiles that cover a scene: a regular grid of square windows, stepping
/// by `tileSize - overlap`, with as many rows and columns as it takes to
/// reach the right and bottom edges.
///
/// ```
/// count = 1                                     if length <= tileSize
/// count = 1 + ceil((length - tileSize) / step)  otherwise
/// ```
/// The last row and column reach past the scene; their outside is padding,
/// which reads as invalid. Tiles are never shifted inward or resampled, so
/// every tile keeps the scene's pixel grid. An overlap about the size of the
/// model's receptive field lets whole-scene inference drop each tile's
/// border without leaving gaps.
public struct TileGrid: Sendable, Equatable {
    public let sceneWidth: Int
    public let sceneHeight: Int
    /// The tile side in pixels.
    public let tileSize: Int
    /// The pixels shared by neighbouring tiles.
    public let overlap: Int

    public init(sceneWidth: Int, sceneHeight: Int, tileSize: Int, overlap: Int = 0) {
        precondition(tileSize > 0, "tile size must be positive, got \(tileSize)")
        precondition(overlap >= 0 && overlap < tileSize, "overlap must lie in 0..<\(tileSize), got \(overlap)")
        precondition(sceneWidth > 0 && sceneHeight > 0, "scene must not be empty: \(sceneWidth) x \(sceneHeight)")
        self.sceneWidth = sceneWidth
        self.sceneHeight = sceneHeight
        self.tileSize = tileSize
        self.overlap = overlap
    }

    /// The distance between neighbouring tiles' offsets.
    public var step: Int { tileSize - overlap }

    public var columnCount: Int { TileGrid.count(length: sceneWidth, tileSize: tileSize, step: step) }
    public var rowCount: Int { TileGrid.count(length: sceneHeight, tileSize: tileSize, step: step) }
    public var tileCount: Int { columnCount * rowCount }

    /// The tile windows, row by row.
    public var windows: [Window] {
        (0..<rowCount).flatMap { row in
            (0..<columnCount).map { column in
                Window(columnOffset: column * step, rowOffset: row * step, width: tileSize, height: tileSize)
            }
        }
    }

    static func count(length: Int, tileSize: Int, step: Int) -> Int {
        length <= tileSize ? 1 : 1 + (length - tileSize + step - 1) / step
    }

    /// Returns the identifier of a tile: its row and column offsets in
    /// pixels, such as `r00512_c01024`, which sorts in grid order for scenes
    /// up to 99999 pixels a side.
    public static func tileID(_ window: Window) -> String {
        "r" + padded(window.rowOffset) + "_c" + padded(window.columnOffset)
    }

    private static func padded(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
