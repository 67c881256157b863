extension Tensor {
    /// Multiplies matrices batch by batch, `op(self[b]) · op(other[b])` for
    /// every b (one `dnnl_sgemm` per batch), where op transposes its matrix
    /// when requested.
    /// - Parameters:
    ///   - other: the right factors, `[B, K, N]`, or `[B, N, K]` with `transposeOther`.
    ///   - transposeSelf: use each `self[b]ᵀ`; self is then `[B, K, M]`, else `[B, M, K]`.
    ///   - transposeOther: use each `other[b]ᵀ`.
    /// - Returns: `[B, M, N]`.
    public func batchedMatmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(shape.count == 3 && other.shape.count == 3 && shape[0] == other.shape[0],
                     "batchedMatmul needs [B, rows, columns] factors with one B, got \(shape) and \(other.shape)")
        let batches = shape[0]
        let (m, k) = transposeSelf ? (shape[2], shape[1]) : (shape[1], shape[2])
        let (k2, n) = transposeOther ? (other.shape[2], other.shape[1]) : (other.shape[1], other.shape[2])
        precondition(k == k2, "batchedMatmul inner sizes differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        let output = Tensor.zeros([batches, m, n])
        let (a, b, c) = (plain.pointer, other.plain.pointer, output.storage.pointer)
        for batch in 0..<batches {
            sgemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, alpha: 1,
                  a + batch * m * k, b + batch * k * n, beta: 0, c + batch * m * n)
        }
        return output.recorded("batchedMatmul", inputs: [self, other]) { [self] gradient in
            // Per batch, as `matmul`: ∂A = G·Bᵀ, ∂B = Aᵀ·G; transposed factors swap roles.
            let (a, b, g) = (self.plain.pointer, other.plain.pointer, gradient.pointer)
            if self.requiresGradient {
                let result = Storage(uninitializedCount: self.count)
                for batch in 0..<batches {
                    let (bb, gb, rb) = (b + batch * k * n, g + batch * m * n, result.pointer + batch * m * k)
                    if transposeSelf {
                        sgemm(transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, alpha: 1, bb, gb, beta: 0, rb)
                    } else {
                        sgemm(transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, alpha: 1, gb, bb, beta: 0, rb)
                    }
                }
                self.accumulateGradient(result)
            }
            if other.requiresGradient {
                let result = Storage(uninitializedCount: other.count)
                for batch in 0..<batches {
                    let (ab, gb, rb) = (a + batch * m * k, g + batch * m * n, result.pointer + batch * k * n)
                    if transposeOther {
                        sgemm(transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, alpha: 1, gb, ab, beta: 0, rb)
                    } else {
                        sgemm(transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, alpha: 1, ab, gb, beta: 0, rb)
                    }
                }
                other.accumulateGradient(result)
            }
        }
    }
}
