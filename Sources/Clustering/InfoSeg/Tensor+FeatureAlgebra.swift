import TensorEngine

// Shape legend: N images, K classes, C feature channels, h x w local positions.

extension Tensor {
    /// Multiplies each image's row vectors with the same image's feature
    /// map (dot products over C), one matrix product per image:
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
        return reshaped([n, k, c]).batchedMatmul(features.reshaped([n, c, h * w])).reshaped([n, k, h, w])
    }

    /// Returns `[N, K, height, width]` by bilinear resampling, or self when
    /// it already has that size.
    func resized(height: Int, width: Int) -> Tensor {
        shape[2] == height && shape[3] == width ? self : resizedBilinear(height: height, width: width)
    }
}
