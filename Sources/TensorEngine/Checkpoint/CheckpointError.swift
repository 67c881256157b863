/// A checkpoint that cannot be read, written or loaded into a model.
///
/// Every message names the tensor or the byte offset (counted from the start
/// of the file) and tells the user what to do next. Read errors from a file are wrapped
/// in `inFile`, which adds the path.
public indirect enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file system rejected a read or write; `reason` is its message.
    case fileOperationFailed(path: String, operation: String, reason: String)
    /// A read error in the file at `path`.
    case inFile(path: String, CheckpointError)

    /// The file is shorter than the 8-byte header length.
    case missingHeaderLength(fileSize: Int)
    /// The header length points past the end of the file.
    case headerLengthPastEnd(headerLength: UInt64, fileSize: Int)
    /// The header length is above the format's 100 MB limit.
    case headerTooLarge(headerLength: UInt64)
    /// The header is not a JSON object of the expected form.
    case invalidHeader(reason: String)
    /// One tensor's header entry is malformed.
    case invalidTensorEntry(tensor: String, reason: String)
    /// A tensor's dtype is not one this reader converts.
    case unsupportedDType(tensor: String, dtype: String)
    /// A tensor's byte range does not match its shape and dtype.
    case byteCountMismatch(tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    /// A tensor's data ends past the end of the file.
    case tensorPastEnd(tensor: String, end: Int, fileSize: Int)
    /// A tensor's data starts inside the previous tensor's data.
    case overlappingTensors(tensor: String, start: Int, previous: String, previousEnd: Int)
    /// Unused bytes lie between two tensors.
    case gapBeforeTensor(tensor: String, start: Int, previousEnd: Int)
    /// Unused bytes follow the last tensor.
    case trailingBytes(start: Int, count: Int)
    /// The data section's CRC-32 differs from the one in the header.
    case checksumMismatch(dataStart: Int, recorded: String, computed: String)
    /// Two tensors to write have the same name.
    case duplicateTensor(name: String)
    /// The checkpoint's tensors differ from the ones the model expects.
    case tensorsMismatch(missing: [String], unexpected: [String], misshaped: [ShapeMismatch])

    /// A tensor whose stored shape differs from the expected one.
    public struct ShapeMismatch: Equatable, Sendable {
        public var tensor: String
        public var stored: [Int]
        public var expected: [Int]

        public init(tensor: String, stored: [Int], expected: [Int]) {
            self.tensor = tensor
            self.stored = stored
            self.expected = expected
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "checkpoint '\(path)' not found; check the path"
        case .fileOperationFailed(let path, let operation, let reason):
            return "cannot \(operation) checkpoint '\(path)': \(reason); check the path and its permissions"
        case .inFile(let path, let error):
            return "checkpoint '\(path)': \(error)"
        case .missingHeaderLength(let fileSize):
            return "file is \(fileSize) bytes, shorter than the 8-byte header length at byte 0; "
                + "the file is truncated, so load an earlier checkpoint or write this one again"
        case .headerLengthPastEnd(let headerLength, let fileSize):
            return "header length \(headerLength) at byte 0 runs past the end of the \(fileSize)-byte file; "
                + "the file is truncated or not safetensors, so load an earlier checkpoint or write this one again"
        case .headerTooLarge(let headerLength):
            return "header length \(headerLength) at byte 0 is above the 100000000-byte limit of safetensors; "
                + "the file is not safetensors or is corrupt"
        case .invalidHeader(let reason):
            return "invalid header at byte 8: \(reason); the file is not safetensors or is corrupt"
        case .invalidTensorEntry(let tensor, let reason):
            return "tensor '\(tensor)' has an invalid header entry: \(reason); the file is corrupt, so load an earlier checkpoint or write this one again"
        case .unsupportedDType(let tensor, let dtype):
            return "tensor '\(tensor)' has unsupported dtype '\(dtype)'; "
                + "convert it to F32 (also read: F64, F16, BF16, I64, I32) before saving"
        case .byteCountMismatch(let tensor, let shape, let dtype, let expected, let actual):
            return "tensor '\(tensor)' of shape \(shape) and dtype \(dtype) needs \(expected) bytes "
                + "but its data_offsets span \(actual); the header is corrupt, so load an earlier checkpoint or write this one again"
        case .tensorPastEnd(let tensor, let end, let fileSize):
            return "tensor '\(tensor)' ends at byte \(end), past the end of the \(fileSize)-byte file; "
                + "the file is truncated, so load an earlier checkpoint or write this one again"
        case .overlappingTensors(let tensor, let start, let previous, let previousEnd):
            return "tensor '\(tensor)' starts at byte \(start), inside tensor '\(previous)' which ends at byte \(previousEnd); "
                + "the header is corrupt, so load an earlier checkpoint or write this one again"
        case .gapBeforeTensor(let tensor, let start, let previousEnd):
            return "tensor '\(tensor)' starts at byte \(start) but the data before it ends at byte \(previousEnd); "
                + "the header is corrupt, so load an earlier checkpoint or write this one again"
        case .trailingBytes(let start, let count):
            return "\(count) unused bytes from byte \(start) follow the last tensor; the file is corrupt, so load an earlier checkpoint or write this one again"
        case .checksumMismatch(let dataStart, let recorded, let computed):
            return "the data from byte \(dataStart) has CRC-32 \(computed) but the header records \(recorded); "
                + "the file is corrupt, so restore it from a copy or save it again"
        case .duplicateTensor(let name):
            return "tensor '\(name)' appears twice; give every tensor a distinct name"
        case .tensorsMismatch(let missing, let unexpected, let misshaped):
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append("missing " + missing.map { "'\($0)'" }.joined(separator: ", "))
            }
            if !unexpected.isEmpty {
                parts.append("unexpected " + unexpected.map { "'\($0)'" }.joined(separator: ", "))
            }
            for mismatch in misshaped {
                parts.append("'\(mismatch.tensor)' has shape \(mismatch.stored) but the model expects \(mismatch.expected)")
            }
            return "checkpoint does not match the model: " + parts.joined(separator: "; ")
                + "; load it into a model built with the same configuration"
        }
    }
}
