/// A Float32 array of N x C x H x W (images), R x C (matrices), 1-D or a
/// scalar (shape `[]`), stored row-major, that records the operations made on
/// it so that `backward()` can compute gradients.
///
/// Shape legend used across the engine: `N` batch, `C` channels (input),
/// `K` output channels or clusters, `H` height, `W` width, `M` selected pixels.
public final class Tensor {
    /// The dimensions, outermost first.
    public let shape: [Int]

    /// The values in the layout `layout` describes (possibly blocked and
    /// padded, so `storage.count` may exceed `count`).
    let storage: Storage

    /// oneDNN's layout of `storage`, or nil for row-major. Activations keep
    /// the blocked layout their convolution chose until an op needs rows.
    let layout: MemoryDescriptor?

    /// A row-major copy of a blocked tensor, made on first use.
    private var plainCopy: Storage?

    /// Copies of a parameter in the layouts primitives asked for, valid until
    /// the parameter changes (`markModified()`).
    private var layoutCopies: [String: Storage] = [:]

    /// Whether gradients flow to this tensor. Set on parameters; ops set it on
    /// results whose inputs need a gradient while gradients are enabled.
    public internal(set) var requiresGradient: Bool

    /// The gradient of the last `backward()` root with respect to this tensor,
    /// for leaves (parameters, inputs) that require one. Gradients accumulate.
    var gradientStorage: Storage?

    /// The op that made this tensor, with its backward closure.
    var node: Node?

    /// Wraps a storage (no copy) in row-major order or in a oneDNN layout.
    init(shape: [Int], storage: Storage, layout: MemoryDescriptor? = nil, requiresGradient: Bool = false) {
        precondition(
            layout == nil ? shape.reduce(1, *) == storage.count : storage.count * 4 >= layout!.byteCount,
            "shape \(shape) holds \(shape.reduce(1, *)) values, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.layout = layout
        self.requiresGradient = requiresGradient
    }

    /// The layout of `storage` as a descriptor (row-major when `layout` is nil).
    var descriptor: MemoryDescriptor {
        layout ?? MemoryDescriptor(shape)
    }

    /// The values in row-major order: `storage` itself, or a reordered copy.
    var plain: Storage {
        guard let layout else { return storage }
        if let plainCopy { return plainCopy }
        let copy = Storage(uninitializedCount: count)
        Layouts.reorder(storage, from: layout, into: copy, MemoryDescriptor(shape))
        plainCopy = copy
        return copy
    }

    /// Creates a tensor of `values` in row-major order.
    /// - Parameters:
    ///   - shape: dimensions, outermost first; their product is `values.count`.
    ///   - requiresGradient: whether `backward()` computes a gradient for it.
    public convenience init(shape: [Int], values: [Float], requiresGradient: Bool = false) {
        precondition(
            shape.reduce(1, *) == values.count,
            "shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        self.init(shape: shape, storage: Storage(values), requiresGradient: requiresGradient)
    }

    /// Creates a tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGradient: Bool = false) -> Tensor {
        Tensor(shape: shape, storage: Storage(count: shape.reduce(1, *)), requiresGradient: requiresGradient)
    }

    /// Creates a tensor filled with one value.
    public static func full(_ shape: [Int], value: Float, requiresGradient: Bool = false) -> Tensor {
        let result = zeros(shape, requiresGradient: requiresGradient)
        result.storage.buffer.update(repeating: value)
        return result
    }

    /// Creates a scalar tensor (shape `[]`).
    public convenience init(scalar: Float) {
        self.init(shape: [], values: [scalar])
    }

    /// The number of values.
    public var count: Int { shape.reduce(1, *) }

    /// The values in row-major order.
    public var values: [Float] { plain.array }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar needs a one-element tensor, got shape \(shape)")
        return plain.pointer[0]
    }

    /// The accumulated gradient, or nil before any `backward()` reached it.
    public var gradient: Tensor? {
        gradientStorage.map { Tensor(shape: shape, storage: $0.copy(), layout: layout).detached() }
    }

    /// Resets the accumulated gradient to none.
    public func zeroGradient() {
        gradientStorage = nil
    }

    /// Copies the values into a new leaf without gradient history.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: plain.copy())
    }

    /// Overwrites the values in place (a parameter update or a load), leaving
    /// the graph alone.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assign needs \(count) values for shape \(shape), got \(values.count)")
        precondition(layout == nil, "assign needs a row-major tensor such as a parameter")
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
        markModified()
    }

    /// Returns the values in layout `target`: the storage itself when the
    /// layouts agree, else a reordered copy. Parameters (leaves that collect
    /// gradients) keep the copy until they change, so a weight is reordered
    /// once per optimiser step, however many passes use it.
    func storage(in target: MemoryDescriptor) -> Storage {
        let own = descriptor
        if own == target { return storage }
        guard node == nil && requiresGradient else { return Layouts.convert(storage, from: own, to: target) }
        let key = Layouts.descriptorKey(target)
        if let copy = layoutCopies[key] { return copy }
        let copy = Layouts.convert(storage, from: own, to: target)
        layoutCopies[key] = copy
        return copy
    }

    /// Forgets layout copies after the values changed in place.
    func markModified() {
        layoutCopies = [:]
        plainCopy = nil
    }

    /// Marks this tensor as a leaf that collects gradients.
    public func requireGradient() -> Tensor {
        requiresGradient = true
        return self
    }

    /// The name of the op that made this tensor, or nil for a leaf.
    public var operation: String? { node?.operation }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = values.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), values: [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}
