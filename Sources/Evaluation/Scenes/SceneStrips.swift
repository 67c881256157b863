import GeoRaster

/// Full-width row strips of a scene, read one after another so that memory
/// holds one strip, never the whole scene.
public enum SceneStrips {
    /// The default strip height in rows.
    public static let defaultHeight = 256

    /// Returns the strips that cover a `width x height` scene top to bottom,
    /// each `stripHeight` rows (the last may be shorter).
    ///
    /// `blockHeight` rounds the strip height up to a multiple of the file's
    /// block height, so no block is decoded twice.
    public static func windows(width: Int, height: Int, stripHeight: Int = defaultHeight, blockHeight: Int = 1) -> [Window] {
        precondition(stripHeight >= 1 && blockHeight >= 1, "strip height \(stripHeight) and block height \(blockHeight) must be at least 1")
        let rows = ((stripHeight + blockHeight - 1) / blockHeight) * blockHeight
        return stride(from: 0, to: height, by: rows).map { row in
            Window(columnOffset: 0, rowOffset: row, width: width, height: min(rows, height - row))
        }
    }

    /// Returns the strips of `dataset`, aligned to its block height.
    public static func windows(of dataset: Dataset, stripHeight: Int = defaultHeight) -> [Window] {
        windows(width: dataset.width, height: dataset.height, stripHeight: stripHeight,
                blockHeight: min(max(dataset.blockSize.height, 1), stripHeight))
    }
}
