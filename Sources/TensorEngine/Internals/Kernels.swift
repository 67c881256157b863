import CDNNL

/// Flat elementwise kernels on raw buffers, run by cached oneDNN primitives
/// so that backward passes never loop over large buffers in Swift.
enum Kernels {
    /// `destination = a + b`, elementwise over `count` values; `destination`
    /// may be `a` (oneDNN binary runs in place).
    static func add(
        into destination: Storage, _ a: Storage,
        _ b: Storage, count: Int
    ) {
        if isSmall(count) {
            let d = destination.pointer, x = a.pointer, y = b.pointer
            for i in 0..<count { d[i] = x[i] + y[i] }
            return
        }
        binary(dnnl_binary_add, "add", into: destination, a, b, count: count)
    }

    /// `destination = a * b`, elementwise over `count` values.
    static func multiply(
        into destination: Storage, _ a: Storage,
        _ b: Storage, count: Int
    ) {
        if isSmall(count) {
            let d = destination.pointer, x = a.pointer, y = b.pointer
            for i in 0..<count { d[i] = x[i] * y[i] }
            return
        }
        binary(dnnl_binary_mul, "multiply", into: destination, a, b, count: count)
    }

    private static func binary(
        _ algorithm: dnnl_alg_kind_t, _ name: String, into destination: Storage,
        _ a: Storage, _ b: Storage, count: Int
    ) {
        guard count > 0 else { return }
        let descriptor = MemoryDescriptor([count])
        let primitive = PrimitiveCache.primitive("flat-\(name) \(count)") {
            DNNLOperation.binary(algorithm, source0: descriptor, source1: descriptor, destination: descriptor)
        }
        primitive.execute([
            Argument(.source, descriptor, a), Argument(.source1, descriptor, b),
            Argument(.destination, descriptor, destination),
        ])
    }

    /// `destination = alpha * source + beta`, elementwise (`dnnl_eltwise_linear`).
    static func linear(
        into destination: Storage, _ source: Storage,
        alpha: Float, beta: Float, count: Int
    ) {
        guard count > 0 else { return }
        if isSmall(count) {
            let d = destination.pointer, x = source.pointer
            for i in 0..<count { d[i] = alpha * x[i] + beta }
            return
        }
        let descriptor = MemoryDescriptor([count])
        let primitive = PrimitiveCache.primitive("flat-linear \(count) \(alpha) \(beta)") {
            DNNLOperation.eltwiseForward(
                dnnl_eltwise_linear, data: descriptor, alpha: alpha, beta: beta, training: false)
        }
        primitive.execute([Argument(.source, descriptor, source), Argument(.destination, descriptor, destination)])
    }
}
