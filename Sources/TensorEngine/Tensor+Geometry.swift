import Foundation

/// A 2-D affine map of pixel coordinates, `(x, y) ↦ (xx·x + xy·y + tx,
/// yx·x + yy·y + ty)`, with x the column and y the row of a pixel centre
/// (pixel (row 0, column 0) has its centre at (0, 0)).
public struct AffineMap: Equatable {
    public var xx: Double, xy: Double, tx: Double
    public var yx: Double, yy: Double, ty: Double

    public init(xx: Double, xy: Double, tx: Double, yx: Double, yy: Double, ty: Double) {
        (self.xx, self.xy, self.tx, self.yx, self.yy, self.ty) = (xx, xy, tx, yx, yy, ty)
    }

    /// The map that changes nothing.
    public static let identity = AffineMap(xx: 1, xy: 0, tx: 0, yx: 0, yy: 1, ty: 0)

    /// Makes a rotation by `angle` radians (counter-clockwise on screen, y down) and
    /// a uniform `scale` about the centre of a `height` x `width` image, then
    /// a shift by `(shiftX, shiftY)` pixels.
    public static func about(
        height: Int, width: Int, angle: Double, scale: Double = 1, shiftX: Double = 0, shiftY: Double = 0
    ) -> AffineMap {
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        let c = scale * cos(angle), s = scale * sin(angle)
        return AffineMap(xx: c, xy: s, tx: cx - c * cx - s * cy + shiftX,
                         yx: -s, yy: c, ty: cy + s * cx - c * cy + shiftY)
    }

    /// Maps the point `(x, y)`.
    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        (xx * x + xy * y + tx, yx * x + yy * y + ty)
    }

    /// The inverse map; the map must be invertible.
    public var inverse: AffineMap {
        let determinant = xx * yy - xy * yx
        precondition(abs(determinant) > 1e-12, "affine map \(self) is not invertible")
        let ixx = yy / determinant, ixy = -xy / determinant
        let iyx = -yx / determinant, iyy = xx / determinant
        return AffineMap(xx: ixx, xy: ixy, tx: -(ixx * tx + ixy * ty),
                         yx: iyx, yy: iyy, ty: -(iyx * tx + iyy * ty))
    }
}




extension Tensor {
    /// Mirrors the feature maps left-right (along W), as `torch.flip(x, [3])`.
    public func flippedHorizontally() -> Tensor {
        let (h, w) = (shape[2], shape[3])
        return spatiallyRearranged("horizontal flip", height: h, width: w) { row, column in (row, w - 1 - column) }
    }

    /// Mirrors the feature maps top-bottom (along H), as `torch.flip(x, [2])`.
    public func flippedVertically() -> Tensor {
        let (h, w) = (shape[2], shape[3])
        return spatiallyRearranged("vertical flip", height: h, width: w) { row, column in (h - 1 - row, column) }
    }

    /// Turns the feature maps by `quarterTurns` · 90° counter-clockwise, as
    /// `torch.rot90(x, quarterTurns, dims=[2, 3])`.
    /// - Returns: `[N, C, W, H]` for odd turns, else the input's shape.
    public func rotated(quarterTurns: Int) -> Tensor {
        precondition(shape.count == 4, "rotation needs [N, C, H, W], got \(shape)")
        let (h, w) = (shape[2], shape[3])
        switch ((quarterTurns % 4) + 4) % 4 {
        case 1: return spatiallyRearranged("rotation", height: w, width: h) { row, column in (column, w - 1 - row) }
        case 2: return spatiallyRearranged("rotation", height: h, width: w) { row, column in (h - 1 - row, w - 1 - column) }
        case 3: return spatiallyRearranged("rotation", height: w, width: h) { row, column in (h - 1 - column, row) }
        default: return spatiallyRearranged("rotation", height: h, width: w) { row, column in (row, column) }
        }
    }

    /// Cuts the window of `height` x `width` pixels starting at (`row`, `column`).
    /// - Returns: `[N, C, height, width]`.
    public func cropped(row: Int, column: Int, height: Int, width: Int) -> Tensor {
        precondition(shape.count == 4, "crop needs [N, C, H, W], got \(shape)")
        precondition(row >= 0 && column >= 0 && height >= 1 && width >= 1
                     && row + height <= shape[2] && column + width <= shape[3],
                     "crop window (row \(row), column \(column), \(height) x \(width)) does not fit input \(shape)")
        return spatiallyRearranged("crop", height: height, width: width) { r, c in (row + r, column + c) }
    }

    /// Copies input pixel `source(row, column)` to output pixel (row, column) for
    /// every sample and channel. The backward pass scatters the gradient back.
    private func spatiallyRearranged(
        _ name: String, height: Int, width: Int, source: (Int, Int) -> (Int, Int)
    ) -> Tensor {
        precondition(shape.count == 4, "\(name) needs [N, C, H, W], got \(shape)")
        let (planes, inputPlane, outputPlane) = (shape[0] * shape[1], shape[2] * shape[3], height * width)
        var table = [Int](repeating: 0, count: outputPlane)
        for row in 0..<height {
            for column in 0..<width {
                let (r, c) = source(row, column)
                table[row * width + column] = r * shape[3] + c
            }
        }
        let output = Tensor.zeros([shape[0], shape[1], height, width])
        let input = plain.pointer, result = output.storage.pointer
        table.withUnsafeBufferPointer { table in
            for plane in 0..<planes {
                let from = input + plane * inputPlane, to = result + plane * outputPlane
                for index in 0..<outputPlane { to[index] = from[table[index]] }
            }
        }
        return output.recorded(name, inputs: [self]) { [self] gradient in
            let scattered = Storage(count: self.count)
            table.withUnsafeBufferPointer { table in
                for plane in 0..<planes {
                    let from = gradient.pointer + plane * outputPlane, to = scattered.pointer + plane * inputPlane
                    for index in 0..<outputPlane { to[table[index]] += from[index] }
                }
            }
            self.accumulateGradient(scattered)
        }
    }

    /// Bilinear resampling through an affine map: output pixel (row i,
    /// column j) reads the input at `map.apply(x: j, y: i)`, interpolating the
    /// four nearest pixels and reading zero outside the image.
    ///
    /// To undo a warp by `map` (up to the pixels it pushed out of the image),
    /// warp by `map.inverse`.
    /// - Returns: `[N, C, height, width]` (the input's size unless given).
    public func warped(by map: AffineMap, height: Int? = nil, width: Int? = nil) -> Tensor {
        precondition(shape.count == 4, "affine warp needs [N, C, H, W], got \(shape)")
        let (inputHeight, inputWidth) = (shape[2], shape[3])
        let (outputHeight, outputWidth) = (height ?? inputHeight, width ?? inputWidth)

        // Per output pixel: four source offsets (-1 outside) and their weights.
        let outputPlane = outputHeight * outputWidth, inputPlane = inputHeight * inputWidth
        var offsets = [Int](repeating: -1, count: 4 * outputPlane)
        var weights = [Float](repeating: 0, count: 4 * outputPlane)
        for row in 0..<outputHeight {
            for column in 0..<outputWidth {
                let (x, y) = map.apply(x: Double(column), y: Double(row))
                let (x0, y0) = (Int(x.rounded(.down)), Int(y.rounded(.down)))
                let (fx, fy) = (x - Double(x0), y - Double(y0))
                let corners = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                               (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
                for (corner, (r, c, weight)) in corners.enumerated()
                where r >= 0 && r < inputHeight && c >= 0 && c < inputWidth {
                    let slot = 4 * (row * outputWidth + column) + corner
                    offsets[slot] = r * inputWidth + c
                    weights[slot] = Float(weight)
                }
            }
        }

        let planes = shape[0] * shape[1]
        let output = Tensor.zeros([shape[0], shape[1], outputHeight, outputWidth])
        for plane in 0..<planes {
            let from = plain.pointer + plane * inputPlane, to = output.storage.pointer + plane * outputPlane
            for slot in 0..<(4 * outputPlane) where offsets[slot] >= 0 {
                to[slot / 4] += weights[slot] * from[offsets[slot]]
            }
        }
        return output.recorded("affine warp", inputs: [self]) { [self] gradient in
            let scattered = Storage(count: self.count)
            for plane in 0..<planes {
                let from = gradient.pointer + plane * outputPlane, to = scattered.pointer + plane * inputPlane
                for slot in 0..<(4 * outputPlane) where offsets[slot] >= 0 {
                    to[offsets[slot]] += weights[slot] * from[slot / 4]
                }
            }
            self.accumulateGradient(scattered)
        }
    }
}
