import TensorEngine

// Shape legend: N images, K classes, C feature channels, h x w local positions.

extension Tensor {
    /// Divides each vector along `axis` by its Euclidean length:
    /// ```
    /// y = x / sqrt(Σ_axis x² + ε)
    /// ```
    /// - Parameters:
    ///   - axis: 1 for the channels of `[N, C, h, w]` or the rows of `[R, C]`.
    ///   - epsilon: keeps the length of a zero vector finite.
    func normalisedToUnitLength(axis: Int = 1, epsilon: Float = 1e-8) -> Tensor {
        let squaredLength = (self * self).sum(alongAxes: [axis]).affine(scale: 1, offset: epsilon)
        return self * squaredLength.pow(-0.5)
    }

    /// Multiplies each image's row vectors with the same image's feature
    /// map (dot products over C): a batched matrix product made of one matrix product over
    /// all images and a block mask that keeps each image's own block.
    /// ```
    /// out[n,k,p] = Σ_c self[n·K + k, c] · features[n,c,p]
    /// ```
    /// - Parameters:
    ///   - self: `[N·K, C]`, K vectors per image, image-major.
    ///   - features: `[N, C, h, w]`.
    /// - Returns: `[N, K, h, w]`.
    func imageWiseProducts(with features: Tensor) -> Tensor {
        let (n, c, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3])
        precondition(shape.count == 2 && shape[1] == c && shape[0] % n == 0,
                     "image-wise products need [N·K, \(c)] vectors for features \(features.shape), got \(shape)")
        let k = shape[0] / n
        let all = matmul(features.channelsOutermost())  // [N·K, N·h·w]
        let own = all.reshaped([n, k, n, h * w]) * Tensor.sameImageMask(n)
        return own.sum(alongAxes: [2]).reshaped([n, k, h, w])
    }

    /// Returns `[N, 1, N, 1]`, 1 where the first and third indices are one image.
    static func sameImageMask(_ n: Int) -> Tensor {
        Tensor(shape: [n, 1, n, 1], values: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
    }
}
