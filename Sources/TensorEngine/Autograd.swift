/// One recorded op: its name, its inputs and the closure that turns the
/// gradient of its output into gradients of its inputs.
final class Node {
    let operation: String
    let inputs: [Tensor]
    /// Receives the gradient of the op's output (same count as the output)
    /// and accumulates into the inputs that require a gradient.
    let backward: (Storage) -> Void

    init(operation: String, inputs: [Tensor], backward: @escaping (Storage) -> Void) {
        self.operation = operation
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record themselves for `backward()`.
public enum GradientMode {
    /// True unless inside `withNoGradient` (per task, so concurrent tasks
    /// do not switch each other's mode).
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording ops, for inference: no graph is kept and no
/// backward buffers (workspaces) are made.
public func withNoGradient<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradientMode.$isEnabled.withValue(false) { try body() }
}

extension Tensor {
    /// Whether an op on `inputs` must record itself.
    static func recordsGradient(_ inputs: [Tensor]) -> Bool {
        GradientMode.isEnabled && inputs.contains { $0.requiresGradient }
    }

    /// Attaches a backward closure to `self`, the result of an op on `inputs`,
    /// when gradients are enabled and an input needs one. The closure must not
    /// capture `self` (that would be a reference cycle); capture storages.
    @discardableResult
    func recorded(_ operation: String, inputs: [Tensor], backward: @escaping (Storage) -> Void) -> Tensor {
        if Tensor.recordsGradient(inputs) {
            requiresGradient = true
            node = Node(operation: operation, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Adds `gradient`, laid out as `gradientLayout` (nil: row-major), to the
    /// accumulated gradient, which is kept in this tensor's own layout.
    /// Takes ownership of `gradient`: the caller must not write to it later.
    func accumulateGradient(_ gradient: Storage, layout gradientLayout: MemoryDescriptor? = nil) {
        let own = descriptor
        let converted = Layouts.convert(gradient, from: gradientLayout ?? MemoryDescriptor(shape), to: own)
        precondition(converted.count == storage.count, "gradient of \(converted.count) values for shape \(shape)")
        if let existing = gradientStorage {
            Kernels.add(into: existing, existing, converted, count: storage.count)
        } else {
            gradientStorage = converted
        }
    }

    /// Lists the tensors reachable from `self` through recorded ops, each after
    /// all of its inputs (topological order).
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, inputsDone) = stack.popLast() {
            if inputsDone {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Computes the gradient of this one-element tensor with respect to every
    /// leaf that requires a gradient, adding to their `gradient`.
    ///
    /// Gradients of intermediate results are freed once used, as PyTorch does.
    public func backward() {
        precondition(count == 1, "backward() needs a one-element tensor, got shape \(shape)")
        guard requiresGradient else { return }
        let order = topologicalOrder()
        accumulateGradient(Storage([1]), layout: descriptor)
        for tensor in order.reversed() {
            guard let node = tensor.node, let gradient = tensor.gradientStorage else { continue }
            node.backward(gradient)
            tensor.gradientStorage = nil
        }
    }
}

/// The location of the first non-finite value (NaN or infinity) of a computation.
public struct NonFiniteReport: Equatable, CustomStringConvertible {
    /// The op that produced it, or `input` for a leaf.
    public var operation: String
    /// The shape of the tensor that contains it.
    public var shape: [Int]
    /// Its row-major position in that tensor.
    public var index: Int
    /// The value itself (NaN, +inf or -inf).
    public var value: Float

    public static func == (lhs: NonFiniteReport, rhs: NonFiniteReport) -> Bool {
        lhs.operation == rhs.operation && lhs.shape == rhs.shape && lhs.index == rhs.index
            && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }

    public var description: String {
        "non-finite value \(value) at index \(index) of a \(shape) tensor made by '\(operation)'"
    }
}

extension Tensor {
    /// Finds the first non-finite value in the computation that made this
    /// tensor, in the order the ops ran, or returns nil when every value is finite.
    /// Call it when a loss turns NaN to find the op that made the NaN.
    public func firstNonFinite() -> NonFiniteReport? {
        for tensor in topologicalOrder() {
            let buffer = tensor.plain.buffer
            for index in 0..<buffer.count where !buffer[index].isFinite {
                return NonFiniteReport(
                    operation: tensor.node?.operation ?? "input", shape: tensor.shape,
                    index: index, value: buffer[index])
            }
        }
        return nil
    }
}
