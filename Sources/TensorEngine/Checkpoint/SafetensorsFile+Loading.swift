extension SafetensorsFile {
    /// Returns the arrays keyed by name after checking them against the
    /// tensors a model expects.
    ///
    /// - Parameter expectedShapes: the shape of every tensor the model holds,
    ///   by `state_dict` name.
    /// - Throws: `CheckpointError.tensorsMismatch` listing, by name and in
    ///   sorted order, every missing, unexpected and mis-shaped tensor.
    public func arrays(matching expectedShapes: [String: [Int]]) throws -> [String: NamedArray] {
        let byName = Dictionary(arrays.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = expectedShapes.keys.filter { byName[$0] == nil }.sorted()
        let unexpected = byName.keys.filter { expectedShapes[$0] == nil }.sorted()
        let misshaped = expectedShapes.keys.sorted().compactMap { name -> CheckpointError.ShapeMismatch? in
            guard let stored = byName[name]?.shape, let expected = expectedShapes[name], stored != expected else { return nil }
            return CheckpointError.ShapeMismatch(tensor: name, stored: stored, expected: expected)
        }
        guard missing.isEmpty, unexpected.isEmpty, misshaped.isEmpty else {
            throw CheckpointError.tensorsMismatch(missing: missing, unexpected: unexpected, misshaped: misshaped)
        }
        return byName
    }
}
