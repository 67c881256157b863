extension Tensor {
    /// Transposes the matrix, `[R, C]` to `[C, R]` (a oneDNN reorder).
    public func transposed() -> Tensor {
        precondition(shape.count == 2, "transpose needs a matrix, got \(shape)")
        return swappingFirstTwoAxes(name: "transpose")
    }

    /// Moves the channel axis outermost, `[N, C, H, W]` to `[C, N·H·W]`, so
    /// row c contains channel c of every pixel of every sample, in (sample, row,
    /// column) order. IIC's joint distribution is a product of two such matrices.
    public func channelsOutermost() -> Tensor {
        precondition(shape.count == 4, "channelsOutermost needs [N, C, H, W], got \(shape)")
        return swappingFirstTwoAxes(name: "channels outermost")
    }

    /// Swaps the first two axes in memory by a reorder primitive; the result
    /// is a matrix `[shape[1], rest]` for rank 4, `[shape[1], shape[0]]` for rank 2.
    private func swappingFirstTwoAxes(name: String) -> Tensor {
        let (outer, middle) = (shape[0], shape[1])
        let inner = count / (outer * middle)
        if layout == nil && Kernels.isSmall(count) {
            // result[m][o][i] = input[o][m][i]
            let result = Tensor.zeros(shape.count == 2 ? [middle, outer] : [middle, outer * inner])
            let x = storage.pointer, y = result.storage.pointer
            for o in 0..<outer { for m in 0..<middle { for i in 0..<inner {
                y[(m * outer + o) * inner + i] = x[(o * middle + m) * inner + i]
            } } }
            return result.recorded(name, inputs: [self]) { [self] gradient in
                let back = Storage(uninitializedCount: self.count)
                let g = gradient.pointer
                for o in 0..<outer { for m in 0..<middle { for i in 0..<inner {
                    back.pointer[(o * middle + m) * inner + i] = g[(m * outer + o) * inner + i]
                } } }
                self.accumulateGradient(back)
            }
        }
        let swapped = MemoryDescriptor(shape, layout: .firstTwoSwapped)
        let output = Tensor(
            shape: [shape[1], count / shape[1]],
            storage: Storage(uninitializedCount: count))
        Layouts.reorder(storage, from: descriptor, into: output.storage, swapped)
        let resultShape = shape.count == 2 ? [shape[1], shape[0]] : output.shape
        let result = Tensor(shape: resultShape, storage: output.storage)
        return result.recorded(name, inputs: [self]) { [self] gradient in
            self.accumulateGradient(gradient.copy(), layout: swapped)
        }
    }
}
