import Foundation

/// A Float32 buffer aligned for oneDNN's vector kernels, owned by one tensor.
///
/// Buffers come from and return to `BufferPool`, so that a training step
/// reuses the memory of the last one instead of faulting in fresh pages.
final class Storage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` floats set to zero.
    convenience init(count: Int) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: 0, count: count)
    }

    /// Allocates `count` floats left as they are, for a primitive to overwrite.
    init(uninitializedCount count: Int) {
        self.count = count
        pointer = BufferPool.take(count: count)
    }

    /// Allocates a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit {
        BufferPool.give(pointer, count: count)
    }

    var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    var array: [Float] {
        Array(buffer)
    }

    /// Copies the values into a new buffer.
    func copy() -> Storage {
        let result = Storage(uninitializedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }
}

/// Freed buffers kept by size for reuse, up to `limitBytes` in all.
enum BufferPool {
    private static var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private static var heldBytes = 0
    private static let lock = NSLock()
    /// The maximum number of bytes kept for reuse.
    static let limitBytes = 1 << 30

    static func take(count: Int) -> UnsafeMutablePointer<Float> {
        let capacity = max(count, 1)
        lock.lock()
        if let pointer = free[capacity]?.popLast() {
            heldBytes -= capacity * 4
            lock.unlock()
            return pointer
        }
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: capacity)
    }

    static func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let capacity = max(count, 1)
        lock.lock()
        if heldBytes + capacity * 4 <= limitBytes {
            free[capacity, default: []].append(pointer)
            heldBytes += capacity * 4
            lock.unlock()
        } else {
            lock.unlock()
            pointer.deallocate()
        }
    }
}
