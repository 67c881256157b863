/// Moves buffers between the engine's row-major layout and the layouts
/// oneDNN primitives prefer (blocked layouts such as nChw16c), by reorder
/// primitives cached per pair of layouts.
enum Layouts {
    /// `storage` (row-major `plain`) in layout `target`: the same storage when
    /// the layouts agree, else a reordered copy.
    static func convert(_ storage: Storage, from plain: MemoryDescriptor, to target: MemoryDescriptor) -> Storage {
        if plain == target { return storage }
        let result = allocate(target)
        reorder(storage, from: plain, into: result, target)
        return result
    }

    /// Copies `source` (layout `sourceDescriptor`) into `destination` (layout
    /// `destinationDescriptor`) with a reorder primitive.
    static func reorder(
        _ source: Storage, from sourceDescriptor: MemoryDescriptor,
        into destination: Storage, _ destinationDescriptor: MemoryDescriptor
    ) {
        let key = "reorder \(descriptorKey(sourceDescriptor)) -> \(descriptorKey(destinationDescriptor))"
        let primitive = PrimitiveCache.primitive(key) {
            DNNLOperation.reorder(source: sourceDescriptor, destination: destinationDescriptor)
        }
        primitive.execute([
            Argument(.source, sourceDescriptor, source),
            Argument(.destination, destinationDescriptor, destination),
        ])
    }

    /// Allocates an uninitialised buffer sized for `descriptor`. The primitive
    /// that writes it also writes the zero padding of blocked layouts.
    static func allocate(_ descriptor: MemoryDescriptor) -> Storage {
        Storage(uninitializedCount: (descriptor.byteCount + 3) / 4)
    }

    /// Builds a cache key that distinguishes layouts from the descriptor's
    /// nonzero 8-byte words and their offsets.
    static func descriptorKey(_ descriptor: MemoryDescriptor) -> String {
        withUnsafeBytes(of: descriptor.raw) { bytes in
            var text = ""
            for offset in stride(from: 0, through: bytes.count - 8, by: 8) {
                let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                if word != 0 { text += "\(offset):\(word)," }
            }
            return text
        }
    }
}
