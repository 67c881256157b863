import Foundation

/// The element types this reader converts to Float32, by their safetensors
/// names. Integers convert exactly up to 2^24 in magnitude.
enum SafetensorsDType: String {
    case float64 = "F64"
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"
    case int32 = "I32"

    /// The size of one element in bytes.
    var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        }
    }

    /// Returns the element at byte `offset` of `bytes`, little-endian, as a
    /// Float.
    func value(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Float {
        switch self {
        case .float64:
            return Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        case .float16:
            return Float(Float16(bitPattern: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
        case .bfloat16:
            // BF16 is the upper half of a Float32's bits.
            let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            return Float(bitPattern: UInt32(bits) << 16)
        case .int64:
            return Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
        case .int32:
            return Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        }
    }
}

/// One tensor's header entry, checked against its shape and dtype.
private struct TensorEntry {
    var name: String
    var dtype: SafetensorsDType
    var shape: [Int]
    /// The byte range in the data section.
    var begin: Int
    var end: Int
}

extension SafetensorsFile {
    /// The largest header length accepted, as in the reference implementation
    /// of safetensors (100 MB), so a corrupt length cannot make the reader
    /// allocate gigabytes.
    static let maximumHeaderLength: UInt64 = 100_000_000

    /// Reads and checks the file at `url`.
    /// - Throws: `CheckpointError.fileNotFound`, `.fileOperationFailed`, or
    ///   any error of `init(data:)` wrapped in `.inFile` with the path.
    public init(contentsOf url: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw CheckpointError.fileNotFound(path: url.path)
        }
        guard !isFolder.boolValue else {
            throw CheckpointError.fileOperationFailed(path: url.path, operation: "read", reason: "it is a folder, not a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            // Foundation's message on Linux is a bare Cocoa error number, so
            // the file system's own reason is taken from open(2) when it fails.
            let descriptor = open(url.path, O_RDONLY)
            let reason = descriptor < 0 ? String(cString: strerror(errno)) : error.localizedDescription
            if descriptor >= 0 { close(descriptor) }
            throw CheckpointError.fileOperationFailed(path: url.path, operation: "read", reason: reason)
        }
        do {
            try self.init(data: data)
        } catch let error as CheckpointError {
            throw CheckpointError.inFile(path: url.path, error)
        }
    }

    /// Parses and checks a file's bytes.
    ///
    /// The checks: the header length against the file size, the JSON header,
    /// every dtype and shape, and every byte range (in range, contiguous, not
    /// overlapping, matching shape x dtype size). The data section's CRC-32 is
    /// checked when the metadata records one.
    ///
    /// Tensors of dtype F64, F16, BF16, I64 and I32 are converted to Float32.
    /// - Throws: a `CheckpointError` naming the tensor or byte offset at fault.
    public init(data: Data) throws {
        let (arrays, metadata) = try data.withUnsafeBytes { bytes in
            try Self.decode(bytes)
        }
        self.init(arrays: arrays, metadata: metadata)
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) throws -> ([NamedArray], [String: String]) {
        // The header length, then the header.
        guard bytes.count >= 8 else {
            throw CheckpointError.missingHeaderLength(fileSize: bytes.count)
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= maximumHeaderLength else {
            throw CheckpointError.headerTooLarge(headerLength: headerLength)
        }
        guard 8 + Int(headerLength) <= bytes.count else {
            throw CheckpointError.headerLengthPastEnd(headerLength: headerLength, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let (entries, metadata) = try parseHeader(Data(bytes[8..<dataStart]))

        // Byte ranges: in data order, each starting where the previous ends.
        let dataSection = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        var previous: TensorEntry?
        for entry in entries {
            let previousEnd = previous?.end ?? 0
            if let previous, entry.begin < previous.end {
                throw CheckpointError.overlappingTensors(
                    tensor: entry.name,
                    start: dataStart + entry.begin,
                    previous: previous.name,
                    previousEnd: dataStart + previous.end
                )
            }
            guard entry.begin == previousEnd else {
                throw CheckpointError.gapBeforeTensor(tensor: entry.name, start: dataStart + entry.begin, previousEnd: dataStart + previousEnd)
            }
            guard entry.end <= dataSection.count else {
                throw CheckpointError.tensorPastEnd(tensor: entry.name, end: dataStart + entry.end, fileSize: bytes.count)
            }
            previous = entry
        }
        let usedEnd = previous?.end ?? 0
        guard usedEnd == dataSection.count else {
            throw CheckpointError.trailingBytes(start: dataStart + usedEnd, count: dataSection.count - usedEnd)
        }

        // The checksum, when recorded.
        if let recorded = metadata[checksumKey] {
            let computed = hexadecimal(CRC32.checksum(dataSection))
            guard recorded.lowercased() == computed else {
                throw CheckpointError.checksumMismatch(dataStart: dataStart, recorded: recorded, computed: computed)
            }
        }

        // The values.
        let arrays = entries.map { entry in
            let tensorBytes = UnsafeRawBufferPointer(rebasing: dataSection[entry.begin..<entry.end])
            let count = entry.shape.reduce(1, *)
            let values: [Float]
            if entry.dtype == .float32 {
                values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count {
                        buffer[index] = entry.dtype.value(in: tensorBytes, at: index * 4)
                    }
                    initialized = count
                }
            } else {
                values = (0..<count).map { entry.dtype.value(in: tensorBytes, at: $0 * entry.dtype.byteCount) }
            }
            return NamedArray(name: entry.name, shape: entry.shape, values: values)
        }
        return (arrays, metadata)
    }

    /// Parses the JSON header into tensor entries sorted by data offset, and
    /// the metadata.
    private static func parseHeader(_ header: Data) throws -> ([TensorEntry], [String: String]) {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: header)
        } catch {
            throw CheckpointError.invalidHeader(reason: "it is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw CheckpointError.invalidHeader(reason: "it is not a JSON object")
        }

        var metadata: [String: String] = [:]
        if let rawMetadata = object["__metadata__"] {
            guard let strings = rawMetadata as? [String: String] else {
                throw CheckpointError.invalidHeader(reason: "__metadata__ is not a map of strings to strings")
            }
            metadata = strings
        }

        var entries: [TensorEntry] = []
        for (name, value) in object where name != "__metadata__" {
            entries.append(try parseEntry(name: name, value: value))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        return (entries, metadata)
    }

    /// Parses and checks one tensor's entry: dtype, shape and data_offsets.
    private static func parseEntry(name: String, value: Any) throws -> TensorEntry {
        guard let fields = value as? [String: Any] else {
            throw CheckpointError.invalidTensorEntry(tensor: name, reason: "it is not a JSON object")
        }
        guard let dtypeName = fields["dtype"] as? String else {
            throw CheckpointError.invalidTensorEntry(tensor: name, reason: "dtype is missing or not a string")
        }
        guard let shape = nonNegativeIntegers(fields["shape"]) else {
            throw CheckpointError.invalidTensorEntry(tensor: name, reason: "shape is missing or not a list of non-negative integers")
        }
        guard let offsets = nonNegativeIntegers(fields["data_offsets"]), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw CheckpointError.invalidTensorEntry(tensor: name, reason: "data_offsets is not two non-negative integers [begin, end] with begin <= end")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(tensor: name, dtype: dtypeName)
        }

        // The element count may overflow on a corrupt shape.
        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw CheckpointError.invalidTensorEntry(tensor: name, reason: "shape \(shape) has too many elements")
            }
            elementCount = product
        }
        let (expectedBytes, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, expectedBytes == offsets[1] - offsets[0] else {
            throw CheckpointError.byteCountMismatch(
                tensor: name,
                shape: shape,
                dtype: dtypeName,
                expected: overflow ? Int.max : expectedBytes,
                actual: offsets[1] - offsets[0]
            )
        }
        return TensorEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// Returns `value` as a list of non-negative integers, or nil when it is
    /// anything else (including fractions and booleans).
    private static func nonNegativeIntegers(_ value: Any?) -> [Int]? {
        guard let numbers = value as? [NSNumber] else { return nil }
        var integers: [Int] = []
        for number in numbers {
            // JSONSerialization tags JSON integers with the Objective-C type
            // codes of signed integers ("i", "l", "q"), or "Q" above Int64.max.
            // Fractions are tagged "d", and true and false "c".
            switch UInt8(bitPattern: number.objCType.pointee) {
            case UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "q"), UInt8(ascii: "s"):
                guard number.int64Value >= 0, number.int64Value <= Int64(Int.max) else { return nil }
                integers.append(Int(number.int64Value))
            default:
                return nil
            }
        }
        return integers
    }
}
