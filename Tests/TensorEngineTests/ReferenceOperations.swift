import Foundation
import TensorEngine

// Plain-Swift Float64 references of the engine's ops, written from the
// formulas in the ops' doc comments. Arrays are row-major; shapes use the
// engine's legend (N batch, C channels, H height, W width, K output channels).

enum Reference {
    static func convolution(
        _ x: [Double], _ xShape: [Int], _ w: [Double], _ wShape: [Int], _ b: [Double]?,
        padding p: Int, dilation d: Int
    ) -> [Double] {
        let (n, c, h, width) = (xShape[0], xShape[1], xShape[2], xShape[3])
        let (k, kh, kw) = (wShape[0], wShape[2], wShape[3])
        let (oh, ow) = (h + 2 * p - d * (kh - 1), width + 2 * p - d * (kw - 1))
        var y = [Double](repeating: 0, count: n * k * oh * ow)
        for s in 0..<n { for o in 0..<k { for i in 0..<oh { for j in 0..<ow {
            var total = b?[o] ?? 0
            for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                let (r, col) = (i - p + d * u, j - p + d * v)
                guard r >= 0, r < h, col >= 0, col < width else { continue }
                total += w[((o * c + ch) * kh + u) * kw + v] * x[((s * c + ch) * h + r) * width + col]
            } } }
            y[((s * k + o) * oh + i) * ow + j] = total
        } } } }
        return y
    }

    static func batchNormalization(
        _ x: [Double], _ shape: [Int], scale: [Double], shift: [Double], epsilon: Double
    ) -> [Double] {
        let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
        var y = x
        for ch in 0..<c {
            var values: [Double] = []
            for s in 0..<n { for p in 0..<plane { values.append(x[(s * c + ch) * plane + p]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            for s in 0..<n { for p in 0..<plane {
                let index = (s * c + ch) * plane + p
                y[index] = (x[index] - mean) / (variance + epsilon).squareRoot() * scale[ch] + shift[ch]
            } }
        }
        return y
    }

    static func softmaxOverChannels(_ x: [Double], _ shape: [Int]) -> [Double] {
        let (n, c, plane) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
        var y = x
        for s in 0..<n { for p in 0..<plane {
            let indices = (0..<c).map { (s * c + $0) * plane + p }
            let largest = indices.map { x[$0] }.max()!
            let total = indices.map { exp(x[$0] - largest) }.reduce(0, +)
            for index in indices { y[index] = exp(x[index] - largest) / total }
        } }
        return y
    }

    static func maxPooling(_ x: [Double], _ shape: [Int], window: Int) -> [Double] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let (oh, ow) = (h / window, w / window)
        var y: [Double] = []
        for plane in 0..<planes { for i in 0..<oh { for j in 0..<ow {
            var best = -Double.infinity
            for u in 0..<window { for v in 0..<window {
                best = max(best, x[(plane * h + i * window + u) * w + j * window + v])
            } }
            y.append(best)
        } } }
        return y
    }

    /// PyTorch's `interpolate(mode="bilinear", align_corners=False)`.
    static func bilinear(_ x: [Double], _ shape: [Int], height: Int, width: Int) -> [Double] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        func source(_ index: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Double) {
            let position = max((Double(index) + 0.5) * Double(inSize) / Double(outSize) - 0.5, 0)
            let low = min(Int(position), inSize - 1)
            let high = min(low + 1, inSize - 1)
            return (low, high, position - Double(low))
        }
        var y: [Double] = []
        for plane in 0..<planes { for i in 0..<height { for j in 0..<width {
            let (r0, r1, fy) = source(i, h, height), (c0, c1, fx) = source(j, w, width)
            func at(_ r: Int, _ c: Int) -> Double { x[(plane * h + r) * w + c] }
            y.append((1 - fy) * ((1 - fx) * at(r0, c0) + fx * at(r0, c1)) + fy * ((1 - fx) * at(r1, c0) + fx * at(r1, c1)))
        } } }
        return y
    }

    /// `b` broadcast to `shape` (b's dimensions equal or 1).
    static func broadcast(_ b: [Double], _ bShape: [Int], to shape: [Int]) -> [Double] {
        let count = shape.reduce(1, *)
        return (0..<count).map { flat in
            var remainder = flat, index = 0, stride = 1
            var strides = [Int](repeating: 0, count: shape.count)
            for axis in (0..<shape.count).reversed() { strides[axis] = stride; stride *= bShape[axis] }
            for axis in (0..<shape.count).reversed() {
                let coordinate = remainder % shape[axis]
                remainder /= shape[axis]
                if bShape[axis] != 1 { index += coordinate * strides[axis] }
            }
            return b[index]
        }
    }

    static func sum(_ x: [Double], _ shape: [Int], axes: [Int]) -> [Double] {
        let target = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        var y = [Double](repeating: 0, count: target.reduce(1, *))
        for flat in 0..<x.count {
            var remainder = flat, index = 0, stride = 1
            for axis in (0..<shape.count).reversed() {
                let coordinate = remainder % shape[axis]
                remainder /= shape[axis]
                if target[axis] != 1 { index += coordinate * stride }
                stride *= target[axis]
            }
            y[index] += x[flat]
        }
        return y
    }

    static func matmul(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int],
                       transposeA: Bool, transposeB: Bool) -> [Double] {
        let (m, k) = transposeA ? (aShape[1], aShape[0]) : (aShape[0], aShape[1])
        let n = transposeB ? bShape[0] : bShape[1]
        func av(_ i: Int, _ j: Int) -> Double { transposeA ? a[j * m + i] : a[i * k + j] }
        func bv(_ i: Int, _ j: Int) -> Double { transposeB ? b[j * k + i] : b[i * n + j] }
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { c[i * n + j] += av(i, l) * bv(l, j) } } }
        return c
    }

    /// `matmul` of each batch of `[B, ...]` factors, concatenated.
    static func batchedMatmul(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int],
                              transposeA: Bool, transposeB: Bool) -> [Double] {
        let (aSize, bSize) = (aShape[1] * aShape[2], bShape[1] * bShape[2])
        return (0..<aShape[0]).flatMap { batch in
            matmul(Array(a[(batch * aSize)..<((batch + 1) * aSize)]), Array(aShape[1...]),
                   Array(b[(batch * bSize)..<((batch + 1) * bSize)]), Array(bShape[1...]),
                   transposeA: transposeA, transposeB: transposeB)
        }
    }

    /// Divides each vector along axis 1 of `[N, C, ...]` by sqrt(Σ x² + ε).
    static func normaliseAlongChannels(_ x: [Double], _ shape: [Int], epsilon: Double) -> [Double] {
        let (n, c) = (shape[0], shape[1]), plane = shape.dropFirst(2).reduce(1, *)
        var y = x
        for image in 0..<n {
            for position in 0..<plane {
                let indices = (0..<c).map { (image * c + $0) * plane + position }
                let length = (indices.reduce(0) { $0 + x[$1] * x[$1] } + epsilon).squareRoot()
                for index in indices { y[index] = x[index] / length }
            }
        }
        return y
    }

    static func concatenateChannels(_ parts: [([Double], [Int])]) -> [Double] {
        let n = parts[0].1[0], plane = parts[0].1[2...].reduce(1, *)
        var y: [Double] = []
        for s in 0..<n {
            for (values, shape) in parts {
                y += values[(s * shape[1] * plane)..<((s + 1) * shape[1] * plane)]
            }
        }
        return y
    }

    static func selectPixels(_ x: [Double], _ shape: [Int], valid: [Bool]) -> [Double] {
        let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
        var y: [Double] = []
        for s in 0..<n { for p in 0..<plane where valid[s * plane + p] {
            for ch in 0..<c { y.append(x[(s * c + ch) * plane + p]) }
        } }
        return y
    }

    /// Output pixel (i, j) = input pixel source(i, j), per plane.
    static func rearrange(_ x: [Double], _ shape: [Int], height: Int, width: Int,
                          source: (Int, Int) -> (Int, Int)) -> [Double] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        var y: [Double] = []
        for plane in 0..<planes { for i in 0..<height { for j in 0..<width {
            let (r, c) = source(i, j)
            y.append(x[(plane * h + r) * w + c])
        } } }
        return y
    }

    static func warp(_ x: [Double], _ shape: [Int], map: AffineMap) -> [Double] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        var y: [Double] = []
        for plane in 0..<planes { for i in 0..<h { for j in 0..<w {
            let (sx, sy) = map.apply(x: Double(j), y: Double(i))
            let (x0, y0) = (Int(floor(sx)), Int(floor(sy)))
            var total = 0.0
            for (r, c, weight) in [(y0, x0, (1 - (sy - floor(sy))) * (1 - (sx - floor(sx)))),
                                   (y0, x0 + 1, (1 - (sy - floor(sy))) * (sx - floor(sx))),
                                   (y0 + 1, x0, (sy - floor(sy)) * (1 - (sx - floor(sx)))),
                                   (y0 + 1, x0 + 1, (sy - floor(sy)) * (sx - floor(sx)))]
            where r >= 0 && r < h && c >= 0 && c < w {
                total += weight * x[(plane * h + r) * w + c]
            }
            y.append(total)
        } } }
        return y
    }

    static func boxSum(_ x: [Double], _ shape: [Int], radius r: Int) -> [Double] {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        var y: [Double] = []
        for plane in 0..<planes { for i in 0..<h { for j in 0..<w {
            var total = 0.0
            for u in -r...r { for v in -r...r where i + u >= 0 && i + u < h && j + v >= 0 && j + v < w {
                total += x[(plane * h + i + u) * w + j + v]
            } }
            y.append(total)
        } } }
        return y
    }
}
