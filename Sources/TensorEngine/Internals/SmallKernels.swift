/// Plain loops for small row-major tensors. A oneDNN call opens an OpenMP
/// parallel region, which costs far more than the arithmetic on a few
/// thousand values (and, on a loaded machine, up to a scheduler time slice),
/// so ops below `Kernels.smallCountLimit` values run here instead.
extension Kernels {
    /// Tensors with at most this many values take the plain-loop path. Task
    /// local, so tests can run both paths side by side.
    @TaskLocal static var smallCountLimit = 16384

    static func isSmall(_ count: Int) -> Bool {
        count <= smallCountLimit
    }

    /// For each row-major position of `shape`, the position of the value of
    /// `broadcastShape` (dimensions equal or 1) that lines up with it.
    static func broadcastPositions(_ shape: [Int], _ broadcastShape: [Int]) -> [Int] {
        let count = shape.reduce(1, *)
        var strides = [Int](repeating: 0, count: shape.count)
        var stride = 1
        for axis in (0..<shape.count).reversed() {
            strides[axis] = broadcastShape[axis] == 1 ? 0 : stride
            stride *= broadcastShape[axis]
        }
        var positions = [Int](repeating: 0, count: count)
        var coordinate = [Int](repeating: 0, count: shape.count)
        var position = 0
        for flat in 0..<count {
            positions[flat] = position
            // Advance the coordinate like an odometer, keeping `position` in step.
            var axis = shape.count - 1
            while axis >= 0 {
                coordinate[axis] += 1
                position += strides[axis]
                if coordinate[axis] < shape[axis] { break }
                position -= strides[axis] * coordinate[axis]
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return positions
    }

    /// `source` of `shape` summed into `target` (each dimension equal or 1).
    static func sumLoop(_ source: Storage, from shape: [Int], to target: [Int]) -> Storage {
        let result = Storage(count: max(target.reduce(1, *), 1))
        let positions = broadcastPositions(shape, target)
        let input = source.pointer, output = result.pointer
        for flat in 0..<positions.count { output[positions[flat]] += input[flat] }
        return result
    }

    /// `target`-shaped `source` added onto every position of `shape`.
    static func broadcastLoop(_ source: Storage, from target: [Int], to shape: [Int]) -> Storage {
        let positions = broadcastPositions(shape, target)
        let result = Storage(uninitializedCount: positions.count)
        let input = source.pointer, output = result.pointer
        for flat in 0..<positions.count { output[flat] = input[positions[flat]] }
        return result
    }
}
