/// The affine map from pixel to map coordinates, in GDAL's coefficient order.
///
/// ```
/// x = originX + column * pixelWidth + row * rowRotation
/// y = originY + column * columnRotation + row * pixelHeight
/// ```
/// `pixelHeight` is negative for north-up rasters. Coordinates are those of
/// the pixel's top-left corner; `(column + 0.5, row + 0.5)` is its centre.
public struct GeoTransform: Hashable, Sendable, CustomStringConvertible {
    public var originX: Double
    public var pixelWidth: Double
    public var rowRotation: Double
    public var originY: Double
    public var columnRotation: Double
    public var pixelHeight: Double

    public init(originX: Double, pixelWidth: Double, rowRotation: Double = 0,
                originY: Double, columnRotation: Double = 0, pixelHeight: Double) {
        self.originX = originX
        self.pixelWidth = pixelWidth
        self.rowRotation = rowRotation
        self.originY = originY
        self.columnRotation = columnRotation
        self.pixelHeight = pixelHeight
    }

    /// Creates a transform from GDAL's six coefficients
    /// `[originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]`.
    public init(coefficients c: [Double]) {
        precondition(c.count == 6, "a geotransform has 6 coefficients, got \(c.count)")
        self.init(originX: c[0], pixelWidth: c[1], rowRotation: c[2],
                  originY: c[3], columnRotation: c[4], pixelHeight: c[5])
    }

    /// GDAL's six coefficients, in `GDALGetGeoTransform` order.
    public var coefficients: [Double] {
        [originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]
    }

    /// The identity transform GDAL reports for rasters without georeferencing.
    public static let identity = GeoTransform(originX: 0, pixelWidth: 1, originY: 0, pixelHeight: 1)

    /// Returns the map coordinates of a pixel position (fractional allowed).
    public func mapPoint(column: Double, row: Double) -> (x: Double, y: Double) {
        (originX + column * pixelWidth + row * rowRotation,
         originY + column * columnRotation + row * pixelHeight)
    }

    /// Returns the transform of a window's raster: the same map with its
    /// origin moved to the window's top-left pixel. The window may start
    /// outside the raster (negative offsets).
    public func shifted(by window: Window) -> GeoTransform {
        let origin = mapPoint(column: Double(window.columnOffset), row: Double(window.rowOffset))
        var shifted = self
        shifted.originX = origin.x
        shifted.originY = origin.y
        return shifted
    }

    /// The pixel size in map units: `(|pixelWidth|, |pixelHeight|)` for
    /// north-up rasters, the lengths of the pixel's sides otherwise.
    public var pixelSize: (x: Double, y: Double) {
        ((pixelWidth * pixelWidth + columnRotation * columnRotation).squareRoot(),
         (rowRotation * rowRotation + pixelHeight * pixelHeight).squareRoot())
    }

    /// Returns the map bounds `(minX, minY, maxX, maxY)` of a raster of the
    /// given size: the box around its four corners.
    public func bounds(width: Int, height: Int) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let corners = [(0.0, 0.0), (Double(width), 0.0), (0.0, Double(height)), (Double(width), Double(height))]
            .map { mapPoint(column: $0.0, row: $0.1) }
        return (corners.map(\.x).min()!, corners.map(\.y).min()!,
                corners.map(\.x).max()!, corners.map(\.y).max()!)
    }

    /// Returns whether two transforms place every pixel of a raster of the
    /// given size within `tolerance` pixels of each other.
    public func isAligned(with other: GeoTransform, width: Int, height: Int, tolerance: Double = 0.01) -> Bool {
        let size = pixelSize
        let scaleX = max(size.x, .leastNormalMagnitude)
        let scaleY = max(size.y, .leastNormalMagnitude)
        for (column, row) in [(0.0, 0.0), (Double(width), 0.0), (0.0, Double(height)), (Double(width), Double(height))] {
            let a = mapPoint(column: column, row: row)
            let b = other.mapPoint(column: column, row: row)
            if abs(a.x - b.x) / scaleX > tolerance || abs(a.y - b.y) / scaleY > tolerance {
                return false
            }
        }
        return true
    }

    public var description: String {
        "[" + coefficients.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}
