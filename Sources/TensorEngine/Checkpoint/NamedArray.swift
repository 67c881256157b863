/// A named Float32 array with a shape, the unit a checkpoint stores: one
/// parameter or buffer of a model, under its PyTorch `state_dict` name
/// (`trunk.0.weight`, `head.bias`).
public struct NamedArray: Equatable, Sendable {
    /// The tensor's name, kept exactly as given.
    public var name: String
    /// The dimensions, outermost first (N x C x H x W for activations,
    /// out x in x kH x kW for convolution weights). Empty for a scalar.
    public var shape: [Int]
    /// The values in row-major order: `shape.reduce(1, *)` of them.
    public var values: [Float]

    /// Creates a named array.
    /// - Precondition: no dimension is negative and `values` has one value
    ///   per element of `shape`.
    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor '\(name)' has a negative dimension in shape \(shape)")
        precondition(
            values.count == shape.reduce(1, *),
            "tensor '\(name)' has shape \(shape), \(shape.reduce(1, *)) elements, but \(values.count) values"
        )
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// The number of elements, the product of the shape.
    public var elementCount: Int {
        shape.reduce(1, *)
    }
}
