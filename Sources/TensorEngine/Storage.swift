/// A Float32 buffer aligned for oneDNN's vector kernels, owned by one tensor.
final class Storage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` floats set to zero.
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * 4)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit {
        pointer.deallocate()
    }

    var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    var array: [Float] {
        Array(buffer)
    }

    /// A new buffer with the same values.
    func copy() -> Storage {
        let result = Storage(count: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }
}
