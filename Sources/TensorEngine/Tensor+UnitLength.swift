extension Tensor {
    /// Divides each vector along axis 1 by its Euclidean length, for `[N, C, ...]`:
    /// ```
    /// y[n,c,p] = x[n,c,p] / sqrt(Σ_c' x[n,c',p]² + ε)
    /// ```
    /// One pass over the values forward and one backward, where the gradient is
    /// ```
    /// ∂x[n,c,p] = (g[n,c,p] - y[n,c,p] · Σ_c' g[n,c',p] · y[n,c',p]) / sqrt(Σ_c' x[n,c',p]² + ε)
    /// ```
    /// - Parameter epsilon: keeps the length of a zero vector finite.
    /// - Returns: the input's shape, row-major.
    public func normalisedAlongChannels(epsilon: Float = 1e-8) -> Tensor {
        precondition(shape.count >= 2, "normalisedAlongChannels needs [N, C, ...], got \(shape)")
        let (images, channels) = (shape[0], shape[1])
        let plane = shape.dropFirst(2).reduce(1, *)
        let input = plain
        let output = Tensor.zeros(shape)
        let inverseLengths = Storage(uninitializedCount: images * plane)
        let (x, y, r) = (input.pointer, output.storage.pointer, inverseLengths.pointer)
        for image in 0..<images {
            let lengths = r + image * plane
            lengths.update(repeating: 0, count: plane)
            for channel in 0..<channels {
                let row = x + (image * channels + channel) * plane
                for position in 0..<plane { lengths[position] += row[position] * row[position] }
            }
            for position in 0..<plane { lengths[position] = 1 / (lengths[position] + epsilon).squareRoot() }
            for channel in 0..<channels {
                let offset = (image * channels + channel) * plane
                for position in 0..<plane { y[offset + position] = x[offset + position] * lengths[position] }
            }
        }
        let outputStorage = output.storage
        return output.recorded("normalisedAlongChannels", inputs: [self]) { [self] gradient in
            let result = Storage(uninitializedCount: self.count)
            let (g, y, r, d) = (gradient.pointer, outputStorage.pointer, inverseLengths.pointer, result.pointer)
            let projections = UnsafeMutablePointer<Float>.allocate(capacity: plane)
            defer { projections.deallocate() }
            for image in 0..<images {
                projections.update(repeating: 0, count: plane)
                for channel in 0..<channels {
                    let offset = (image * channels + channel) * plane
                    for position in 0..<plane { projections[position] += g[offset + position] * y[offset + position] }
                }
                let lengths = r + image * plane
                for channel in 0..<channels {
                    let offset = (image * channels + channel) * plane
                    for position in 0..<plane {
                        d[offset + position] = (g[offset + position] - y[offset + position] * projections[position]) * lengths[position]
                    }
                }
            }
            self.accumulateGradient(result)
        }
    }
}
