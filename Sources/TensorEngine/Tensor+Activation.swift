import CDNNL
import Foundation

extension Tensor {
    /// Applies the rectified linear unit, `max(x, 0)`, elementwise.
    /// The gradient at exactly 0 is 0, as in PyTorch.
    public func relu() -> Tensor {
        eltwise(dnnl_eltwise_relu, "relu", alpha: 0, beta: 0,
                value: { max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }

    /// Applies the natural logarithm elementwise. Its gradient is `1 / x`.
    public func log() -> Tensor {
        eltwise(dnnl_eltwise_log, "log", alpha: 0, beta: 0,
                value: { Foundation.log($0) }, derivative: { x, _ in 1 / x })
    }

    /// Limits each value to `[minimum, maximum]`.
    ///
    /// NOTE: oneDNN passes the gradient where `minimum < x <= maximum`,
    /// PyTorch where `minimum <= x <= maximum`; they differ only for values
    /// exactly at the lower bound.
    public func clamped(minimum: Float, maximum: Float) -> Tensor {
        precondition(minimum <= maximum, "clamp bounds \(minimum) > \(maximum)")
        return eltwise(dnnl_eltwise_clip, "clamp", alpha: minimum, beta: maximum,
                       value: { Swift.min(Swift.max($0, minimum), maximum) },
                       derivative: { x, _ in x > minimum && x <= maximum ? 1 : 0 })
    }

    /// `alpha · x + beta`, elementwise, for constants alpha and beta.
    public func affine(scale alpha: Float, offset beta: Float = 0) -> Tensor {
        eltwise(dnnl_eltwise_linear, "scale", alpha: alpha, beta: beta,
                value: { alpha * $0 + beta }, derivative: { _, _ in alpha })
    }

    /// Runs a oneDNN eltwise primitive forward and records its backward,
    /// which reads the forward input.
    /// `value` and `derivative` (of the input value and output value) give the
    /// plain-loop path for small row-major tensors.
    fileprivate func eltwise(
        _ algorithm: dnnl_alg_kind_t, _ name: String, alpha: Float, beta: Float,
        value: @escaping (Float) -> Float, derivative: @escaping (Float, Float) -> Float
    ) -> Tensor {
        if layout == nil && Kernels.isSmall(count) {
            let output = Tensor.zeros(shape)
            let input = storage.pointer, result = output.storage.pointer
            for i in 0..<count { result[i] = value(input[i]) }
            let outputStorage = output.storage
            return output.recorded(name, inputs: [self]) { [self] gradient in
                let sourceGradient = Storage(uninitializedCount: self.count)
                let x = self.storage.pointer, y = outputStorage.pointer, g = gradient.pointer
                for i in 0..<self.count { sourceGradient.pointer[i] = g[i] * derivative(x[i], y[i]) }
                self.accumulateGradient(sourceGradient)
            }
        }
        let records = Tensor.recordsGradient([self])
        let data = descriptor
        let key = "\(name) \(Layouts.descriptorKey(data)) \(alpha) \(beta)"
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.eltwiseForward(algorithm, data: data, alpha: alpha, beta: beta, training: records)
        }
        let output = Tensor(shape: shape, storage: Layouts.allocate(data), layout: layout)
        forward.execute([Argument(.source, data, storage), Argument(.destination, data, output.storage)])
        return output.recorded(name, inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.eltwiseBackward(algorithm, data: data, alpha: alpha, beta: beta, hint: forward)
            }
            let sourceGradient = Layouts.allocate(data)
            backward.execute([
                Argument(.source, data, self.storage), Argument(.destinationGradient, data, gradient),
                Argument(.sourceGradient, data, sourceGradient),
            ])
            self.accumulateGradient(sourceGradient, layout: data)
        }
    }

    /// Applies the softmax over channels (axis 1), as `softmax(x, dim=1)`:
    /// ```
    /// y[n,k,i,j] = exp(x[n,k,i,j]) / Σ_c exp(x[n,c,i,j])
    /// ```
    /// - Returns: the input's shape; for a matrix `[R, C]`, a softmax per row.
    public func softmax() -> Tensor {
        precondition(shape.count >= 2, "softmax over channels needs at least 2 dimensions, got \(shape)")
        let records = Tensor.recordsGradient([self])
        let data = descriptor
        let key = "softmax \(Layouts.descriptorKey(data))"
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.softmaxForward(data: data, axis: 1, training: records)
        }
        let output = Tensor(shape: shape, storage: Layouts.allocate(data), layout: layout)
        forward.execute([Argument(.source, data, storage), Argument(.destination, data, output.storage)])
        let outputStorage = output.storage
        return output.recorded("softmax", inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.softmaxBackward(data: data, axis: 1, hint: forward)
            }
            let sourceGradient = Layouts.allocate(data)
            backward.execute([
                Argument(.destination, data, outputStorage), Argument(.destinationGradient, data, gradient),
                Argument(.sourceGradient, data, sourceGradient),
            ])
            self.accumulateGradient(sourceGradient, layout: data)
        }
    }
}

extension Tensor {
    /// `x^exponent`, elementwise (`dnnl_eltwise_pow`); `pow(-1)` is the reciprocal.
    public func pow(_ exponent: Float) -> Tensor {
        eltwise(dnnl_eltwise_pow, "power", alpha: 1, beta: exponent,
                value: { Foundation.pow($0, exponent) }, derivative: { x, _ in exponent * Foundation.pow(x, exponent - 1) })
    }
}
