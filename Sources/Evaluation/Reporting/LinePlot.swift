import Foundation

/// A line chart rendered into RGB bytes: white background, axes with
/// labelled ticks, and one curve, such as a training loss per step.
///
/// Tick values are "nice" numbers (1, 2 or 5 times a power of ten) and are
/// printed with a built-in 3 x 5 pixel font, drawn at twice its size.
public struct LinePlot: Sendable {
    /// The plot's width and height in pixels.
    public var width: Int
    public var height: Int
    /// The axis captions, drawn in lowercase letters the font has.
    public var xCaption: String
    public var yCaption: String

    public init(width: Int = 640, height: Int = 360, xCaption: String = "step", yCaption: String = "loss") {
        precondition(width >= 160 && height >= 120, "a plot needs at least 160 x 120 pixels, got \(width) x \(height)")
        self.width = width
        self.height = height
        self.xCaption = xCaption
        self.yCaption = yCaption
    }

    /// Pixels between the image edge and the plotting area.
    private let left = 76, right = 16, top = 16, bottom = 44
    private static let background: [UInt8] = [255, 255, 255]
    private static let ink: [UInt8] = [0, 0, 0]
    private static let grid: [UInt8] = [225, 225, 225]
    private static let curve: [UInt8] = [0, 90, 200]

    /// Renders the points, joined in order.
    /// - Parameter points: `(x, y)` pairs; non-finite ones are skipped.
    /// - Returns: pixel-interleaved RGB bytes, shape `(height, width, 3)`.
    public func render(_ points: [(x: Double, y: Double)]) -> [UInt8] {
        var canvas = Canvas(width: width, height: height, colour: Self.background)
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x)
        let ys = finite.map(\.y)
        let xTicks = Self.ticks(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1)
        let yTicks = Self.ticks(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1)
        let plotRight = width - right
        let plotBottom = height - bottom
        func column(_ x: Double) -> Int {
            left + Int(((x - xTicks.first!) / (xTicks.last! - xTicks.first!) * Double(plotRight - left)).rounded())
        }
        func row(_ y: Double) -> Int {
            plotBottom - Int(((y - yTicks.first!) / (yTicks.last! - yTicks.first!) * Double(plotBottom - top)).rounded())
        }

        // Grid lines and ticks with their values.
        for value in yTicks {
            let y = row(value)
            canvas.line(from: (left, y), to: (plotRight, y), colour: Self.grid)
            canvas.line(from: (left - 5, y), to: (left, y), colour: Self.ink)
            let label = Self.format(value, step: yTicks[1] - yTicks[0])
            canvas.text(label, right: left - 9, centreRow: y, colour: Self.ink)
        }
        for value in xTicks {
            let x = column(value)
            canvas.line(from: (x, top), to: (x, plotBottom), colour: Self.grid)
            canvas.line(from: (x, plotBottom), to: (x, plotBottom + 5), colour: Self.ink)
            let label = Self.format(value, step: xTicks[1] - xTicks[0])
            canvas.text(label, right: x + Canvas.textWidth(label) / 2, centreRow: plotBottom + 14, colour: Self.ink)
        }

        // Axes, captions and the curve.
        canvas.line(from: (left, top), to: (left, plotBottom), colour: Self.ink)
        canvas.line(from: (left, plotBottom), to: (plotRight, plotBottom), colour: Self.ink)
        canvas.text(xCaption, right: (left + plotRight + Canvas.textWidth(xCaption)) / 2, centreRow: height - 10, colour: Self.ink)
        canvas.text(yCaption, right: 4 + Canvas.textWidth(yCaption), centreRow: top + 6, colour: Self.ink)
        for (start, end) in zip(finite, finite.dropFirst()) {
            canvas.line(from: (column(start.x), row(start.y)), to: (column(end.x), row(end.y)), colour: Self.curve)
        }
        if finite.count == 1 {
            canvas.line(from: (column(finite[0].x) - 2, row(finite[0].y)), to: (column(finite[0].x) + 2, row(finite[0].y)), colour: Self.curve)
        }
        return canvas.pixels
    }

    /// Returns 3 to 11 evenly spaced nice values whose range covers
    /// `minimum...maximum`.
    static func ticks(minimum: Double, maximum: Double) -> [Double] {
        var low = minimum
        var high = maximum
        if high - low < 1e-12 {
            let pad = max(abs(low) * 0.1, 1e-3)
            low -= pad
            high += pad
        }
        let rough = (high - low) / 5
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = (low / step).rounded(.down) * step
        let last = (high / step).rounded(.up) * step
        let count = Int(((last - first) / step).rounded()) + 1
        return (0..<count).map { first + Double($0) * step }
    }

    /// Formats a tick value with as many decimals as its step needs.
    static func format(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", value)
        return text == "-0" || text.hasPrefix("-0.") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}

/// An RGB pixel buffer with lines and text.
private struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]
    /// The pixel size of one font pixel.
    static let scale = 2

    init(width: Int, height: Int, colour: [UInt8]) {
        self.width = width
        self.height = height
        pixels = Array((0..<(width * height)).map { _ in colour }.joined())
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: [UInt8]) {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return }
        let index = (y * width + x) * 3
        pixels[index] = colour[0]
        pixels[index + 1] = colour[1]
        pixels[index + 2] = colour[2]
    }

    /// Draws a one-pixel line (Bresenham's algorithm).
    mutating func line(from start: (Int, Int), to end: (Int, Int), colour: [UInt8]) {
        var (x, y) = start
        let dx = abs(end.0 - x)
        let dy = -abs(end.1 - y)
        let stepX = x < end.0 ? 1 : -1
        let stepY = y < end.1 ? 1 : -1
        var error = dx + dy
        while true {
            set(x, y, colour)
            if x == end.0 && y == end.1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += stepX }
            if doubled <= dx { error += dx; y += stepY }
        }
    }

    /// The width in pixels of `text` when drawn.
    static func textWidth(_ text: String) -> Int {
        text.count * 4 * scale - scale
    }

    /// Draws `text` with its right edge at `right`, centred on `centreRow`.
    mutating func text(_ text: String, right: Int, centreRow: Int, colour: [UInt8]) {
        var x = right - Self.textWidth(text)
        let y = centreRow - 5 * Self.scale / 2
        for character in text {
            if let glyph = Self.glyphs[character] {
                for (row, bits) in glyph.enumerated() {
                    for (column, bit) in bits.enumerated() where bit == "#" {
                        for dy in 0..<Self.scale {
                            for dx in 0..<Self.scale { set(x + column * Self.scale + dx, y + row * Self.scale + dy, colour) }
                        }
                    }
                }
            }
            x += 4 * Self.scale
        }
    }

    /// A 3 x 5 font of the characters tick values and captions use.
    static let glyphs: [Character: [String]] = [
        "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
        "2": ["###", "..#", "###", "#..", "###"], "3": ["###", "..#", ".##", "..#", "###"],
        "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "###", "..#", "###"],
        "6": ["###", "#..", "###", "#.#", "###"], "7": ["###", "..#", ".#.", ".#.", ".#."],
        "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "###"],
        ".": ["...", "...", "...", "...", ".#."], "-": ["...", "...", "###", "...", "..."],
        "e": ["...", "###", "###", "#..", "###"], "s": ["...", "###", "##.", "..#", "###"],
        "t": [".#.", "###", ".#.", ".#.", ".##"], "p": ["...", "###", "#.#", "###", "#.."],
        "l": ["#..", "#..", "#..", "#..", ".##"], "o": ["...", "###", "#.#", "#.#", "###"],
        " ": ["...", "...", "...", "...", "..."],
    ]
}
