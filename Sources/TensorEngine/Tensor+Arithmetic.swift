import CDNNL

extension Tensor {
    /// `a + b`, elementwise; `b` may broadcast: each of its dimensions equals
    /// `a`'s or is 1. The result has `a`'s shape.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        a.binary(b, dnnl_binary_add, "add")
    }

    /// `a · b`, elementwise; `b` may broadcast as for `+`.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        a.binary(b, dnnl_binary_mul, "multiply")
    }

    /// `a - b`, elementwise; `b` may broadcast as for `+`.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        a + b.affine(scale: -1)
    }

    /// `a · s` for a constant s.
    public static func * (a: Tensor, s: Float) -> Tensor {
        a.affine(scale: s)
    }

    private func binary(_ other: Tensor, _ algorithm: dnnl_alg_kind_t, _ name: String) -> Tensor {
        precondition(
            other.shape.count == shape.count && zip(shape, other.shape).allSatisfy { $1 == $0 || $1 == 1 },
            "\(name) needs the second shape equal to the first or 1 where they differ, got \(shape) and \(other.shape)")
        let isMultiply = name == "multiply"
        if Kernels.isSmall(count) {
            return smallBinary(other, name: name, isMultiply: isMultiply)
        }
        let a = MemoryDescriptor(shape), b = MemoryDescriptor(other.shape)
        let forward = PrimitiveCache.primitive("\(name) \(shape) \(other.shape)") {
            DNNLOperation.binary(algorithm, source0: a, source1: b, destination: a)
        }
        let output = Tensor(shape: shape, storage: Storage(uninitializedCount: count))
        forward.execute([
            Argument(.source, a, plain), Argument(.source1, b, other.plain),
            Argument(.destination, a, output.storage),
        ])
        return output.recorded(name, inputs: [self, other]) { [self] gradient in
            // ∂/∂a: the gradient itself (add) or times b (multiply).
            if self.requiresGradient {
                if isMultiply {
                    let product = Storage(uninitializedCount: self.count)
                    forward.execute([
                        Argument(.source, a, gradient), Argument(.source1, b, other.plain),
                        Argument(.destination, a, product),
                    ])
                    self.accumulateGradient(product)
                } else {
                    self.accumulateGradient(gradient.copy())
                }
            }

            // ∂/∂b: the same, summed over the broadcast dimensions.
            if other.requiresGradient {
                var full = gradient.copy()
                if isMultiply {
                    Kernels.multiply(into: full, gradient, self.plain, count: self.count)
                }
                if other.shape != self.shape {
                    full = sumReduced(full, from: self.shape, to: other.shape)
                }
                other.accumulateGradient(full)
            }
        }
    }

    /// Computes `+` and `*` with plain loops, for small tensors.
    private func smallBinary(_ other: Tensor, name: String, isMultiply: Bool) -> Tensor {
        let positions = Kernels.broadcastPositions(shape, other.shape)
        let output = Tensor.zeros(shape)
        let x = plain.pointer, y = other.plain.pointer, result = output.storage.pointer
        for i in 0..<count { result[i] = isMultiply ? x[i] * y[positions[i]] : x[i] + y[positions[i]] }
        return output.recorded(name, inputs: [self, other]) { [self] gradient in
            let g = gradient.pointer
            if self.requiresGradient {
                let result = Storage(uninitializedCount: self.count)
                let y = other.plain.pointer
                for i in 0..<self.count { result.pointer[i] = isMultiply ? g[i] * y[positions[i]] : g[i] }
                self.accumulateGradient(result)
            }
            if other.requiresGradient {
                let result = Storage(count: other.count)
                let x = self.plain.pointer
                for i in 0..<self.count { result.pointer[positions[i]] += isMultiply ? g[i] * x[i] : g[i] }
                other.accumulateGradient(result)
            }
        }
    }

    /// Sums all values into a scalar.
    public func sum() -> Tensor {
        let reduced = summed(keepingShape: shape.map { _ in 1 }, name: "sum")
        return reduced.reshaped([])
    }

    /// Averages all values into a scalar.
    public func mean() -> Tensor {
        sum().affine(scale: 1 / Float(count))
    }

    /// Sums over the given axes, keeping them with size 1.
    /// - Parameter axes: dimensions to sum over, each in `0..<shape.count`.
    /// - Returns: the input's shape with 1 at each summed axis.
    public func sum(alongAxes axes: [Int]) -> Tensor {
        precondition(axes.allSatisfy { $0 >= 0 && $0 < shape.count }, "sum axes \(axes) out of range for shape \(shape)")
        let target = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        return summed(keepingShape: target, name: "sum")
    }

    private func summed(keepingShape target: [Int], name: String) -> Tensor {
        let output = Tensor(shape: target, storage: sumReduced(plain, from: shape, to: target))
        let fullShape = shape
        return output.recorded(name, inputs: [self]) { [self] gradient in
            if Kernels.isSmall(self.count) {
                self.accumulateGradient(Kernels.broadcastLoop(gradient, from: target, to: fullShape))
                return
            }
            // Broadcast back onto zeros.
            let full = MemoryDescriptor(fullShape), reduced = MemoryDescriptor(target)
            let add = PrimitiveCache.primitive("broadcast add \(fullShape) \(target)") {
                DNNLOperation.binary(dnnl_binary_add, source0: full, source1: reduced, destination: full)
            }
            let destination = Storage(count: self.count)
            add.execute([
                Argument(.source, full, destination), Argument(.source1, reduced, gradient),
                Argument(.destination, full, destination),
            ])
            self.accumulateGradient(destination)
        }
    }

    /// Views the same values under another shape with the same count, without copying.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) (\(count) values) to \(newShape)")
        let output = Tensor(shape: newShape, storage: plain)
        return output.recorded("reshape", inputs: [self]) { [self] gradient in
            self.accumulateGradient(gradient.copy())
        }
    }

    /// Multiplies matrices, `op(self) · op(other)` (`dnnl_sgemm`), where op
    /// transposes its matrix when requested.
    /// - Parameters:
    ///   - other: the right factor.
    ///   - transposeSelf: use `selfᵀ`; self is then `[K, M]`, else `[M, K]`.
    ///   - transposeOther: use `otherᵀ`; other is then `[N, K]`, else `[K, N]`.
    /// - Returns: `[M, N]`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(shape.count == 2 && other.shape.count == 2, "matmul needs matrices, got \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(k == k2, "matmul inner sizes differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        let output = Tensor.zeros([m, n])
        sgemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k, alpha: 1,
              plain.pointer, other.plain.pointer, beta: 0, output.storage.pointer)
        return output.recorded("matmul", inputs: [self, other]) { [self] gradient in
            // For C = A·B: ∂A = G·Bᵀ, ∂B = Aᵀ·G; transposed factors swap roles.
            if self.requiresGradient {
                let result = Storage(uninitializedCount: self.count)
                if transposeSelf {  // A is [K, M]: ∂A = op(B)·Gᵀ
                    sgemm(transposeA: transposeOther, transposeB: true, m: k, n: m, k: n, alpha: 1,
                          other.plain.pointer, gradient.pointer, beta: 0, result.pointer)
                } else {            // A is [M, K]: ∂A = G·op(B)ᵀ
                    sgemm(transposeA: false, transposeB: !transposeOther, m: m, n: k, k: n, alpha: 1,
                          gradient.pointer, other.plain.pointer, beta: 0, result.pointer)
                }
                self.accumulateGradient(result)
            }
            if other.requiresGradient {
                let result = Storage(uninitializedCount: other.count)
                if transposeOther {  // B is [N, K]: ∂B = Gᵀ·op(A)
                    sgemm(transposeA: true, transposeB: transposeSelf, m: n, n: k, k: m, alpha: 1,
                          gradient.pointer, self.plain.pointer, beta: 0, result.pointer)
                } else {             // B is [K, N]: ∂B = op(A)ᵀ·G
                    sgemm(transposeA: !transposeSelf, transposeB: false, m: k, n: n, k: m, alpha: 1,
                          self.plain.pointer, gradient.pointer, beta: 0, result.pointer)
                }
                other.accumulateGradient(result)
            }
        }
    }
}

/// `source` of `shape` summed down to `target` (1 where summed), by a
/// oneDNN reduction; a copy when nothing is summed.
func sumReduced(_ source: Storage, from shape: [Int], to target: [Int]) -> Storage {
    if shape == target { return source.copy() }
    if Kernels.isSmall(shape.reduce(1, *)) { return Kernels.sumLoop(source, from: shape, to: target) }
    // oneDNN reductions need a rank of at least 1.
    let fullShape = shape.isEmpty ? [1] : shape, reducedShape = target.isEmpty ? [1] : target
    let full = MemoryDescriptor(fullShape), reduced = MemoryDescriptor(reducedShape)
    let primitive = PrimitiveCache.primitive("sum reduction \(fullShape) \(reducedShape)") {
        DNNLOperation.sumReduction(source: full, destination: reduced)
    }
    let result = Storage(uninitializedCount: reducedShape.reduce(1, *))
    primitive.execute([Argument(.source, full, source), Argument(.destination, reduced, result)])
    return result
}
