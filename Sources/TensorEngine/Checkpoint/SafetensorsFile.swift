import Foundation

/// The contents of a safetensors file: named arrays and a string metadata map.
///
/// The layout, all integers little-endian:
///
/// ```
/// bytes 0..<8      header length n, UInt64
/// bytes 8..<8+n    JSON object: name -> {"dtype": "F32", "shape": [...],
///                  "data_offsets": [begin, end]}, plus an optional
///                  "__metadata__": {string: string}; padded with spaces
/// bytes 8+n..<end  the data section; a tensor's bytes are at
///                  8 + n + begin ..< 8 + n + end, row-major
/// ```
///
/// Files written here store F32 tensors sorted by name, contiguous in the
/// data section, with the data section's CRC-32 under the metadata key
/// `SafetensorsFile.checksumKey`. `safetensors.torch.load_file` opens them
/// (it ignores metadata).
public struct SafetensorsFile: Equatable, Sendable {
    /// The metadata key of the data section's CRC-32, as 8 lower-case hex
    /// digits.
    public static let checksumKey = "crc32"

    /// The tensors, in the order of their data in the file when read.
    public var arrays: [NamedArray]
    /// String metadata. On writing, `checksumKey` is set to the checksum.
    public var metadata: [String: String]

    public init(arrays: [NamedArray], metadata: [String: String] = [:]) {
        self.arrays = arrays
        self.metadata = metadata
    }

    /// Returns the array named `name`, or nil.
    public subscript(name: String) -> NamedArray? {
        arrays.first { $0.name == name }
    }

    /// Returns the file's bytes: tensors sorted by name, the checksum in the
    /// metadata.
    /// - Throws: `CheckpointError.duplicateTensor` when two arrays share a name.
    public func encoded() throws -> Data {
        let sorted = arrays.sorted { $0.name < $1.name }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.name == next.name {
            throw CheckpointError.duplicateTensor(name: next.name)
        }

        // The data section: each tensor's Float32 values, little-endian.
        var dataSection = Data(capacity: sorted.reduce(0) { $0 + $1.elementCount * 4 })
        var entries: [String] = []
        for array in sorted {
            let begin = dataSection.count
            #if _endian(little)
            array.values.withUnsafeBufferPointer { dataSection.append($0) }
            #else
            for value in array.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { dataSection.append(contentsOf: $0) }
            }
            #endif
            let shape = array.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(array.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(dataSection.count)]}")
        }

        // The header: metadata first, then the tensors, padded with spaces so
        // that the data section starts at a multiple of 8 bytes.
        var metadata = self.metadata
        metadata[Self.checksumKey] = Self.hexadecimal(dataSection.withUnsafeBytes { CRC32.checksum($0) })
        let metadataEntries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
        let header = "{\"__metadata__\":{\(metadataEntries.joined(separator: ","))}"
            + entries.map { "," + $0 }.joined() + "}"
        var headerBytes = Data(header.utf8)
        headerBytes.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        var file = Data(capacity: 8 + headerBytes.count + dataSection.count)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        file.append(dataSection)
        return file
    }

    /// Writes the file to `url` through a temporary file in the same folder,
    /// renamed into place, so `url` never contains a partial checkpoint.
    /// - Throws: `CheckpointError.duplicateTensor`, or
    ///   `CheckpointError.fileOperationFailed` with the file system's message.
    public func write(to url: URL) throws {
        let bytes = try encoded()
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).partial")
        do {
            try bytes.write(to: temporary)
        } catch {
            // A full disk leaves a partial temporary file that would keep the space.
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError.fileOperationFailed(path: url.path, operation: "write", reason: Self.fileSystemReason(error))
        }
        // rename(2) replaces an existing file atomically on one file system.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError.fileOperationFailed(path: url.path, operation: "write", reason: reason)
        }
    }

    /// Returns the file system's own message for a failed read or write,
    /// such as "No space left on device", in place of Foundation's
    /// "The operation could not be completed" wording.
    public static func fileSystemReason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch (error as? CocoaError)?.code {
        case .fileWriteOutOfSpace?: return String(cString: strerror(ENOSPC))
        case .fileNoSuchFile?, .fileReadNoSuchFile?: return String(cString: strerror(ENOENT))
        case .fileWriteNoPermission?, .fileReadNoPermission?: return String(cString: strerror(EACCES))
        case .fileWriteVolumeReadOnly?: return String(cString: strerror(EROFS))
        default: return error.localizedDescription
        }
    }

    /// Returns `value` as 8 lower-case hex digits.
    static func hexadecimal(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Returns `text` as a JSON string literal, quotes included.
private func jsonString(_ text: String) -> String {
    var literal = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": literal += "\\\""
        case "\\": literal += "\\\\"
        case "\n": literal += "\\n"
        case "\r": literal += "\\r"
        case "\t": literal += "\\t"
        case _ where scalar.value < 0x20:
            let digits = String(scalar.value, radix: 16)
            literal += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        default:
            literal.unicodeScalars.append(scalar)
        }
    }
    return literal + "\""
}
