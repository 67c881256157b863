/// A pixel rectangle of a raster: offsets from the top-left pixel and a size.
///
/// Offsets may be negative and the rectangle may reach past the raster, so a
/// window can describe a padded edge tile. `intersection(with:)` returns the
/// part that contains data.
public struct Window: Hashable, Sendable, CustomStringConvertible {
    public var columnOffset: Int
    public var rowOffset: Int
    public var width: Int
    public var height: Int

    public init(columnOffset: Int, rowOffset: Int, width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "window size must not be negative: \(width) x \(height)")
        self.columnOffset = columnOffset
        self.rowOffset = rowOffset
        self.width = width
        self.height = height
    }

    /// Returns the window covering a whole raster of the given size.
    public static func full(width: Int, height: Int) -> Window {
        Window(columnOffset: 0, rowOffset: 0, width: width, height: height)
    }

    /// The number of pixels, `width * height`.
    public var pixelCount: Int { width * height }

    public var isEmpty: Bool { width == 0 || height == 0 }

    /// The column just past the right edge.
    public var columnEnd: Int { columnOffset + width }

    /// The row just past the bottom edge.
    public var rowEnd: Int { rowOffset + height }

    /// Returns the overlap of two windows, or nil when they do not overlap.
    public func intersection(with other: Window) -> Window? {
        let left = max(columnOffset, other.columnOffset)
        let top = max(rowOffset, other.rowOffset)
        let right = min(columnEnd, other.columnEnd)
        let bottom = min(rowEnd, other.rowEnd)
        guard right > left, bottom > top else { return nil }
        return Window(columnOffset: left, rowOffset: top, width: right - left, height: bottom - top)
    }

    /// Returns whether `other` lies wholly inside this window.
    public func contains(_ other: Window) -> Bool {
        other.columnOffset >= columnOffset && other.rowOffset >= rowOffset
            && other.columnEnd <= columnEnd && other.rowEnd <= rowEnd
    }

    public var description: String {
        "(column \(columnOffset), row \(rowOffset), \(width) x \(height))"
    }
}
