import CDNNL
import Foundation

// Every raw oneDNN call of the engine sits in this file. The rest of the
// engine uses `MemoryDescriptor`, `Primitive` and `Argument` values and
// never handles a C pointer.

/// The execution-argument numbers of oneDNN (`DNNL_ARG_*` in dnnl_types.h).
enum ArgumentKind: Int32 {
    case source = 1              // DNNL_ARG_SRC
    case source1 = 2             // DNNL_ARG_SRC_1
    case destination = 17        // DNNL_ARG_DST
    case weights = 33            // DNNL_ARG_WEIGHTS
    case bias = 41               // DNNL_ARG_BIAS
    case mean = 49               // DNNL_ARG_MEAN
    case variance = 50           // DNNL_ARG_VARIANCE
    case scale = 51              // DNNL_ARG_SCALE
    case shift = 52              // DNNL_ARG_SHIFT
    case workspace = 64          // DNNL_ARG_WORKSPACE
    case scratchpad = 80         // DNNL_ARG_SCRATCHPAD
    case sourceGradient = 129    // DNNL_ARG_DIFF_SRC
    case destinationGradient = 145 // DNNL_ARG_DIFF_DST
    case weightsGradient = 161   // DNNL_ARG_DIFF_WEIGHTS
    case biasGradient = 169      // DNNL_ARG_DIFF_BIAS
    case scaleGradient = 255     // DNNL_ARG_DIFF_SCALE
    case shiftGradient = 256     // DNNL_ARG_DIFF_SHIFT
    case multipleSource = 1024   // DNNL_ARG_MULTIPLE_SRC
}

/// Stops the program with oneDNN's status and the call that failed. Ops check
/// shapes before building descriptors, so a failure here is an engine bug.
@inline(__always)
func checkDNNL(_ status: dnnl_status_t, _ call: @autoclosure () -> String) {
    precondition(status == dnnl_success, "oneDNN \(call()) failed with status \(status.rawValue)")
}

/// The CPU engine and its stream, created once per process.
enum DNNLContext {
    static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        checkDNNL(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        return engine!
    }()

    /// Primitive attributes with a caller-owned scratchpad
    /// (`dnnl_scratchpad_mode_user`). oneDNN's default library-owned
    /// scratchpad belongs to the thread that created the primitive, and a
    /// cached primitive may run on any thread.
    static let attributes: dnnl_primitive_attr_t = {
        var attributes: dnnl_primitive_attr_t?
        checkDNNL(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create")
        checkDNNL(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
                  "dnnl_primitive_attr_set_scratchpad_mode")
        return attributes!
    }()

    /// Serialises primitive calls and cache updates across threads.
    static let lock = NSRecursiveLock()

    static let stream: dnnl_stream_t = {
        var stream: dnnl_stream_t?
        checkDNNL(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        return stream!
    }()
}

/// A oneDNN memory descriptor (`dnnl_memory_desc_t`): dimensions, data type
/// and layout of a buffer.
struct MemoryDescriptor {
    var raw: dnnl_memory_desc_t

    /// Creates a Float32 descriptor in a named layout (`dnnl_memory_desc_init_by_tag`).
    /// - Parameters:
    ///   - dimensions: logical dimensions, outermost first (N, C, H, W for images).
    ///   - layout: a plain tag such as `.plain` (row-major) or `.any`.
    init(_ dimensions: [Int], layout: Layout = .plain) {
        raw = dnnl_memory_desc_t()
        // A scalar (shape []) is a one-element vector to oneDNN.
        let dims = dimensions.isEmpty ? [1] : dimensions.map { Int64($0) }
        let tag = layout.tag(rank: dims.count)
        checkDNNL(
            dnnl_memory_desc_init_by_tag(&raw, Int32(dims.count), dims, dnnl_f32, tag),
            "dnnl_memory_desc_init_by_tag(\(dimensions))")
    }

    init(raw: dnnl_memory_desc_t) {
        self.raw = raw
    }

    /// The buffer size in bytes (`dnnl_memory_desc_get_size`).
    var byteCount: Int {
        withUnsafePointer(to: raw) { Int(dnnl_memory_desc_get_size($0)) }
    }

    /// Whether two descriptors describe the same layout (`dnnl_memory_desc_equal`).
    static func == (lhs: MemoryDescriptor, rhs: MemoryDescriptor) -> Bool {
        withUnsafePointer(to: lhs.raw) { l in
            withUnsafePointer(to: rhs.raw) { r in dnnl_memory_desc_equal(l, r) != 0 }
        }
    }

    /// Memory layouts the engine requests from oneDNN.
    enum Layout {
        /// Row-major, as PyTorch's contiguous tensors (`abcd` = NCHW).
        case plain
        /// Whatever the primitive prefers (`dnnl_format_tag_any`).
        case any
        /// Row-major with the first two dimensions swapped in memory (`ba`,
        /// `bacd`): a transposed matrix, or channels outermost (CNHW).
        case firstTwoSwapped

        func tag(rank: Int) -> dnnl_format_tag_t {
            switch self {
            case .any:
                return dnnl_format_tag_any
            case .firstTwoSwapped:
                switch rank {
                case 2: return dnnl_ba
                case 3: return dnnl_bac
                case 4: return dnnl_bacd
                default: preconditionFailure("rank \(rank) has no swapped layout; use 2 to 4 dimensions")
                }
            case .plain:
                switch rank {
                case 1: return dnnl_a
                case 2: return dnnl_ab
                case 3: return dnnl_abc
                case 4: return dnnl_abcd
                case 5: return dnnl_abcde
                default: preconditionFailure("rank \(rank) is not supported; use 1 to 5 dimensions")
                }
            }
        }
    }
}

/// A memory object (`dnnl_memory_t`) over a caller's buffer, alive for the
/// duration of one primitive call.
final class MemoryHandle {
    let raw: dnnl_memory_t

    init(_ descriptor: MemoryDescriptor, _ pointer: UnsafeMutableRawPointer) {
        var memory: dnnl_memory_t?
        var desc = descriptor.raw
        checkDNNL(dnnl_memory_create(&memory, &desc, DNNLContext.engine, pointer), "dnnl_memory_create")
        raw = memory!
    }

    deinit {
        dnnl_memory_destroy(raw)
    }
}

/// One argument of a primitive call: its kind, layout and buffer. It keeps a
/// reference to the buffer, so a temporary buffer lives until the call has run.
struct Argument {
    var kind: ArgumentKind
    var descriptor: MemoryDescriptor
    var storage: Storage

    init(_ kind: ArgumentKind, _ descriptor: MemoryDescriptor, _ storage: Storage) {
        self.kind = kind
        self.descriptor = descriptor
        self.storage = storage
    }
}

/// The memory queries of a primitive descriptor (`dnnl_query_*_md`).
enum DescriptorQuery {
    case source, sourceGradient, weights, weightsGradient, destination, destinationGradient, workspace, scratchpad

    var raw: dnnl_query_t {
        switch self {
        case .source: return dnnl_query_src_md
        case .sourceGradient: return dnnl_query_diff_src_md
        case .weights: return dnnl_query_weights_md
        case .weightsGradient: return dnnl_query_diff_weights_md
        case .destination: return dnnl_query_dst_md
        case .destinationGradient: return dnnl_query_diff_dst_md
        case .workspace: return dnnl_query_workspace_md
        case .scratchpad: return dnnl_query_scratchpad_md
        }
    }
}

/// A oneDNN primitive with its primitive descriptor, built once per shape
/// and kept in `PrimitiveCache`.
final class Primitive {
    let descriptor: dnnl_primitive_desc_t
    let raw: dnnl_primitive_t
    /// The primitive's kind (`convolution forward`, ...), for errors and the profiler.
    let name: String

    /// Creates the primitive descriptor (`dnnl_primitive_desc_create`) and the
    /// primitive (`dnnl_primitive_create`) for an initialised op descriptor.
    /// - Parameters:
    ///   - operation: a pointer to an initialised op descriptor.
    ///   - hint: the forward primitive, for a backward primitive.
    init(operation: UnsafeRawPointer, hint: Primitive? = nil, name: String) {
        var primitiveDescriptor: dnnl_primitive_desc_t?
        checkDNNL(
            dnnl_primitive_desc_create(&primitiveDescriptor, operation, DNNLContext.attributes, DNNLContext.engine, hint?.descriptor),
            "dnnl_primitive_desc_create for \(name)")
        descriptor = primitiveDescriptor!
        var primitive: dnnl_primitive_t?
        checkDNNL(dnnl_primitive_create(&primitive, descriptor), "dnnl_primitive_create for \(name)")
        raw = primitive!
        self.name = name
    }

    /// Creates the primitive, or returns nil when oneDNN has no implementation
    /// for this op descriptor (an unsupported algorithm or shape).
    init?(trying operation: UnsafeRawPointer, hint: Primitive? = nil, name: String) {
        var primitiveDescriptor: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&primitiveDescriptor, operation, DNNLContext.attributes, DNNLContext.engine, hint?.descriptor)
                == dnnl_success, let created = primitiveDescriptor else { return nil }
        descriptor = created
        var primitive: dnnl_primitive_t?
        checkDNNL(dnnl_primitive_create(&primitive, descriptor), "dnnl_primitive_create for \(name)")
        raw = primitive!
        self.name = name
    }

    /// Wraps a primitive descriptor made by a dedicated constructor (reorder, concat).
    init(primitiveDescriptor: dnnl_primitive_desc_t, name: String) {
        descriptor = primitiveDescriptor
        var primitive: dnnl_primitive_t?
        checkDNNL(dnnl_primitive_create(&primitive, descriptor), "dnnl_primitive_create for \(name)")
        raw = primitive!
        self.name = name
    }

    deinit {
        dnnl_primitive_destroy(raw)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// Returns the layout the primitive chose for one of its memories
    /// (`dnnl_primitive_desc_query_md`).
    func query(_ what: DescriptorQuery, index: Int = 0) -> MemoryDescriptor {
        MemoryDescriptor(raw: dnnl_primitive_desc_query_md(descriptor, what.raw, Int32(index))!.pointee)
    }

    /// The algorithm of a convolution forward primitive, which its backward
    /// primitives must share.
    var convolutionAlgorithm = dnnl_convolution_direct

    /// Runs the primitive on the engine's stream and waits for it
    /// (`dnnl_primitive_execute`, `dnnl_stream_wait`).
    func execute(_ arguments: [Argument]) {
        // One stream serves the process; calls from concurrent threads take turns.
        DNNLContext.lock.lock()
        defer { DNNLContext.lock.unlock() }
        // A scratchpad buffer for this call, when the primitive needs one.
        var arguments = arguments
        let scratchpad = query(.scratchpad)
        if scratchpad.byteCount > 0 {
            arguments.append(Argument(.scratchpad, scratchpad, Layouts.allocate(scratchpad)))
        }
        let handles = arguments.map { MemoryHandle($0.descriptor, UnsafeMutableRawPointer($0.storage.pointer)) }
        let list = zip(arguments, handles).map { dnnl_exec_arg_t(arg: $0.kind.rawValue, memory: $1.raw) }
        Profiler.timed(name) {
            checkDNNL(
                dnnl_primitive_execute(raw, DNNLContext.stream, Int32(list.count), list),
                "dnnl_primitive_execute for \(name)")
            checkDNNL(dnnl_stream_wait(DNNLContext.stream), "dnnl_stream_wait")
        }
        withExtendedLifetime((handles, arguments)) {}
    }
}

/// Primitives by a key that names the op and every shape it was built for,
/// so that a training step builds each primitive once.
enum PrimitiveCache {
    private static var primitives: [String: Primitive] = [:]

    /// Returns the cached primitive for `key`, built by `make` on first use.
    static func primitive(_ key: String, _ make: () -> Primitive) -> Primitive {
        DNNLContext.lock.lock()
        defer { DNNLContext.lock.unlock() }
        if let cached = primitives[key] { return cached }
        let primitive = make()
        primitives[key] = primitive
        return primitive
    }
}

// MARK: - Op descriptors

/// Builders of oneDNN op descriptors; each returns a primitive (forward) or
/// takes the forward primitive as hint (backward).
enum DNNLOperation {
    /// Builds the convolution forward primitive with Winograd's algorithm when
    /// `winograd` is set and oneDNN implements it for these shapes (3x3,
    /// stride 1, no dilation), else the direct algorithm.
    static func convolutionForward(
        source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
        destination: MemoryDescriptor, padding: Int, dilation: Int, training: Bool, winograd: Bool
    ) -> Primitive {
        if winograd, dilation == 1, let primitive = convolutionForward(
            algorithm: dnnl_convolution_winograd, source: source, weights: weights, bias: bias,
            destination: destination, padding: padding, dilation: dilation, training: training) {
            return primitive
        }
        return convolutionForward(
            algorithm: dnnl_convolution_direct, source: source, weights: weights, bias: bias,
            destination: destination, padding: padding, dilation: dilation, training: training)!
    }

    private static func convolutionForward(
        algorithm: dnnl_alg_kind_t, source: MemoryDescriptor, weights: MemoryDescriptor, bias: MemoryDescriptor?,
        destination: MemoryDescriptor, padding: Int, dilation: Int, training: Bool
    ) -> Primitive? {
        var op = dnnl_convolution_desc_t()
        var s = source.raw, w = weights.raw, d = destination.raw
        var b = bias?.raw ?? dnnl_memory_desc_t()
        let strides: [Int64] = [1, 1]
        let dilates: [Int64] = [Int64(dilation - 1), Int64(dilation - 1)]
        let pads: [Int64] = [Int64(padding), Int64(padding)]
        let status = withUnsafePointer(to: &b) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference, algorithm,
                &s, &w, bias == nil ? nil : biasPointer, &d, strides, dilates, pads, pads)
        }
        checkDNNL(status, "dnnl_dilated_convolution_forward_desc_init")
        let name = "convolution forward"
        let primitive = algorithm == dnnl_convolution_direct
            ? Primitive(operation: &op, name: name)
            : Primitive(trying: &op, name: name)
        primitive?.convolutionAlgorithm = algorithm
        return primitive
    }

    /// Builds the backward-data primitive with the algorithm of its forward `hint`.
    static func convolutionBackwardData(
        sourceGradient: MemoryDescriptor, weights: MemoryDescriptor, destinationGradient: MemoryDescriptor,
        padding: Int, dilation: Int, hint: Primitive
    ) -> Primitive {
        var op = dnnl_convolution_desc_t()
        var s = sourceGradient.raw, w = weights.raw, d = destinationGradient.raw
        let strides: [Int64] = [1, 1]
        let dilates: [Int64] = [Int64(dilation - 1), Int64(dilation - 1)]
        let pads: [Int64] = [Int64(padding), Int64(padding)]
        checkDNNL(
            dnnl_dilated_convolution_backward_data_desc_init(
                &op, hint.convolutionAlgorithm, &s, &w, &d, strides, dilates, pads, pads),
            "dnnl_dilated_convolution_backward_data_desc_init")
        return Primitive(operation: &op, hint: hint, name: "convolution backward data")
    }

    static func convolutionBackwardWeights(
        source: MemoryDescriptor, weightsGradient: MemoryDescriptor, biasGradient: MemoryDescriptor?,
        destinationGradient: MemoryDescriptor, padding: Int, dilation: Int, hint: Primitive
    ) -> Primitive {
        var op = dnnl_convolution_desc_t()
        var s = source.raw, w = weightsGradient.raw, d = destinationGradient.raw
        var b = biasGradient?.raw ?? dnnl_memory_desc_t()
        let strides: [Int64] = [1, 1]
        let dilates: [Int64] = [Int64(dilation - 1), Int64(dilation - 1)]
        let pads: [Int64] = [Int64(padding), Int64(padding)]
        let status = withUnsafePointer(to: &b) { biasPointer in
            dnnl_dilated_convolution_backward_weights_desc_init(
                &op, hint.convolutionAlgorithm, &s, &w, biasGradient == nil ? nil : biasPointer, &d,
                strides, dilates, pads, pads)
        }
        checkDNNL(status, "dnnl_dilated_convolution_backward_weights_desc_init")
        return Primitive(operation: &op, hint: hint, name: "convolution backward weights")
    }

    /// Batch normalisation with separate scale and shift (`dnnl_use_scale`,
    /// `dnnl_use_shift`); `globalStatistics` normalises with given statistics.
    static func batchNormalizationForward(
        data: MemoryDescriptor, epsilon: Float, training: Bool, globalStatistics: Bool, fusedReLU: Bool
    ) -> Primitive {
        var op = dnnl_batch_normalization_desc_t()
        var d = data.raw
        var flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        if globalStatistics { flags |= dnnl_use_global_stats.rawValue }
        if fusedReLU { flags |= dnnl_fuse_norm_relu.rawValue }
        checkDNNL(
            dnnl_batch_normalization_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference, &d, epsilon, flags),
            "dnnl_batch_normalization_forward_desc_init")
        return Primitive(operation: &op, name: "batch normalisation forward")
    }

    static func batchNormalizationBackward(
        data: MemoryDescriptor, epsilon: Float, globalStatistics: Bool, fusedReLU: Bool, hint: Primitive
    ) -> Primitive {
        var op = dnnl_batch_normalization_desc_t()
        var d = data.raw, g = data.raw
        var flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        if globalStatistics { flags |= dnnl_use_global_stats.rawValue }
        if fusedReLU { flags |= dnnl_fuse_norm_relu.rawValue }
        checkDNNL(
            dnnl_batch_normalization_backward_desc_init(&op, dnnl_backward, &g, &d, epsilon, flags),
            "dnnl_batch_normalization_backward_desc_init")
        return Primitive(operation: &op, hint: hint, name: "batch normalisation backward")
    }

    static func eltwiseForward(
        _ algorithm: dnnl_alg_kind_t, data: MemoryDescriptor, alpha: Float, beta: Float, training: Bool
    ) -> Primitive {
        var op = dnnl_eltwise_desc_t()
        var d = data.raw
        checkDNNL(
            dnnl_eltwise_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference, algorithm, &d, alpha, beta),
            "dnnl_eltwise_forward_desc_init")
        return Primitive(operation: &op, name: "eltwise forward")
    }

    static func eltwiseBackward(
        _ algorithm: dnnl_alg_kind_t, data: MemoryDescriptor, alpha: Float, beta: Float, hint: Primitive
    ) -> Primitive {
        var op = dnnl_eltwise_desc_t()
        var d = data.raw, g = data.raw
        checkDNNL(
            dnnl_eltwise_backward_desc_init(&op, algorithm, &g, &d, alpha, beta),
            "dnnl_eltwise_backward_desc_init")
        return Primitive(operation: &op, hint: hint, name: "eltwise backward")
    }

    static func softmaxForward(data: MemoryDescriptor, axis: Int, training: Bool) -> Primitive {
        var op = dnnl_softmax_v2_desc_t()
        var s = data.raw, d = data.raw
        checkDNNL(
            dnnl_softmax_v2_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_softmax_accurate,
                &s, &d, Int32(axis)),
            "dnnl_softmax_v2_forward_desc_init")
        return Primitive(operation: &op, name: "softmax forward")
    }

    static func softmaxBackward(data: MemoryDescriptor, axis: Int, hint: Primitive) -> Primitive {
        var op = dnnl_softmax_v2_desc_t()
        var gs = data.raw, gd = data.raw, d = data.raw
        checkDNNL(
            dnnl_softmax_v2_backward_desc_init(&op, dnnl_softmax_accurate, &gs, &gd, &d, Int32(axis)),
            "dnnl_softmax_v2_backward_desc_init")
        return Primitive(operation: &op, hint: hint, name: "softmax backward")
    }

    /// Pooling with a `window` of (rows, columns), `stride` and `padding` of
    /// (rows, columns) on each side;
    /// `average` counts padded zeros (`dnnl_pooling_avg_include_padding`),
    /// otherwise it takes the maximum (`dnnl_pooling_max`).
    static func poolingForward(
        source: MemoryDescriptor, destination: MemoryDescriptor, average: Bool,
        window: (Int, Int), stride: Int, padding: (Int, Int), training: Bool
    ) -> Primitive {
        var op = dnnl_pooling_v2_desc_t()
        var s = source.raw, d = destination.raw
        let strides: [Int64] = [Int64(stride), Int64(stride)]
        let kernel: [Int64] = [Int64(window.0), Int64(window.1)]
        let dilation: [Int64] = [0, 0]
        let pads: [Int64] = [Int64(padding.0), Int64(padding.1)]
        checkDNNL(
            dnnl_pooling_v2_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference,
                average ? dnnl_pooling_avg_include_padding : dnnl_pooling_max,
                &s, &d, strides, kernel, dilation, pads, pads),
            "dnnl_pooling_v2_forward_desc_init")
        return Primitive(operation: &op, name: "pooling forward")
    }

    static func poolingBackward(
        sourceGradient: MemoryDescriptor, destinationGradient: MemoryDescriptor, average: Bool,
        window: (Int, Int), stride: Int, padding: (Int, Int), hint: Primitive
    ) -> Primitive {
        var op = dnnl_pooling_v2_desc_t()
        var s = sourceGradient.raw, d = destinationGradient.raw
        let strides: [Int64] = [Int64(stride), Int64(stride)]
        let kernel: [Int64] = [Int64(window.0), Int64(window.1)]
        let dilation: [Int64] = [0, 0]
        let pads: [Int64] = [Int64(padding.0), Int64(padding.1)]
        checkDNNL(
            dnnl_pooling_v2_backward_desc_init(
                &op, average ? dnnl_pooling_avg_include_padding : dnnl_pooling_max,
                &s, &d, strides, kernel, dilation, pads, pads),
            "dnnl_pooling_v2_backward_desc_init")
        return Primitive(operation: &op, hint: hint, name: "pooling backward")
    }

    static func linearResamplingForward(
        source: MemoryDescriptor, destination: MemoryDescriptor, training: Bool
    ) -> Primitive {
        var op = dnnl_resampling_desc_t()
        var s = source.raw, d = destination.raw
        checkDNNL(
            dnnl_resampling_forward_desc_init(
                &op, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_resampling_linear,
                nil, &s, &d),
            "dnnl_resampling_forward_desc_init")
        return Primitive(operation: &op, name: "linear resampling forward")
    }

    static func linearResamplingBackward(
        sourceGradient: MemoryDescriptor, destinationGradient: MemoryDescriptor, hint: Primitive
    ) -> Primitive {
        var op = dnnl_resampling_desc_t()
        var s = sourceGradient.raw, d = destinationGradient.raw
        checkDNNL(
            dnnl_resampling_backward_desc_init(&op, dnnl_resampling_linear, nil, &s, &d),
            "dnnl_resampling_backward_desc_init")
        return Primitive(operation: &op, hint: hint, name: "linear resampling backward")
    }

    static func binary(
        _ algorithm: dnnl_alg_kind_t, source0: MemoryDescriptor, source1: MemoryDescriptor,
        destination: MemoryDescriptor
    ) -> Primitive {
        var op = dnnl_binary_desc_t()
        var a = source0.raw, b = source1.raw, d = destination.raw
        checkDNNL(dnnl_binary_desc_init(&op, algorithm, &a, &b, &d), "dnnl_binary_desc_init")
        return Primitive(operation: &op, name: "binary")
    }

    static func sumReduction(source: MemoryDescriptor, destination: MemoryDescriptor) -> Primitive {
        var op = dnnl_reduction_desc_t()
        var s = source.raw, d = destination.raw
        checkDNNL(
            dnnl_reduction_desc_init(&op, dnnl_reduction_sum, &s, &d, 0, 0),
            "dnnl_reduction_desc_init")
        return Primitive(operation: &op, name: "sum reduction")
    }

    static func reorder(source: MemoryDescriptor, destination: MemoryDescriptor) -> Primitive {
        var primitiveDescriptor: dnnl_primitive_desc_t?
        var s = source.raw, d = destination.raw
        checkDNNL(
            dnnl_reorder_primitive_desc_create(
                &primitiveDescriptor, &s, DNNLContext.engine, &d, DNNLContext.engine, DNNLContext.attributes),
            "dnnl_reorder_primitive_desc_create")
        return Primitive(primitiveDescriptor: primitiveDescriptor!, name: "reorder")
    }
}

/// Row-major single-precision matrix multiply (`dnnl_sgemm`):
/// ```
/// C = alpha * op(A) * op(B) + beta * C,  op(X) = X or Xᵀ
/// ```
/// with op(A) of M x K, op(B) of K x N, C of M x N, all row-major.
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float, _ c: UnsafeMutablePointer<Float>
) {
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    Profiler.timed("matmul") {
    checkDNNL(
        dnnl_sgemm(
            transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
            a, Int64(lda), b, Int64(ldb), beta, c, Int64(n)),
        "dnnl_sgemm")
    }
}
