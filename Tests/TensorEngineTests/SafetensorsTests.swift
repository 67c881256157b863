import Foundation
import Testing
import TestSupport
@testable import TensorEngine

/// The folder of the safetensors fixtures, written by
/// `scripts/reference/safetensors_fixtures.py` and by `swiftGoldenFile`.
private let fixtureFolder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    .appendingPathComponent("safetensors")

/// The fixture formula of `scripts/reference/safetensors_fixtures.py`: the
/// value of element `element` of the tensor at `tensor` in name order.
private func formulaValue(tensor: Int, element: Int) -> Float {
    Float(tensor) + 0.125 * Float(element) - 1
}

/// The shapes of the fixture model's `state_dict`, in name order.
private let fixtureShapes: [(name: String, shape: [Int])] = [
    ("head.bias", [2]),
    ("head.weight", [2, 4, 1, 1]),
    ("trunk.0.bias", [4]),
    ("trunk.0.weight", [4, 3, 3, 3]),
    ("trunk.1.bias", [4]),
    ("trunk.1.num_batches_tracked", []),
    ("trunk.1.running_mean", [4]),
    ("trunk.1.running_var", [4]),
    ("trunk.1.weight", [4]),
]

/// The fixture model's `state_dict` with the formula's values, as Shoreline
/// stores it: every tensor F32, `num_batches_tracked` too.
private func fixtureArrays() -> [NamedArray] {
    fixtureShapes.enumerated().map { index, entry in
        let count = entry.shape.reduce(1, *)
        let values = entry.name.hasSuffix("num_batches_tracked")
            ? [7]
            : (0..<count).map { formulaValue(tensor: index, element: $0) }
        return NamedArray(name: entry.name, shape: entry.shape, values: values)
    }
}

/// Returns a safetensors file made of `header` (padded with spaces to a
/// multiple of 8 bytes) and `data`, for hand-made corrupt files.
private func rawFile(header: String, data: [UInt8]) -> Data {
    var headerBytes = Array(header.utf8)
    headerBytes += Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
    var file = Data()
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: headerBytes)
    file.append(contentsOf: data)
    return file
}

/// Returns the message of the `CheckpointError` that `body` throws, or a
/// description of what happened instead.
private func errorMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch let error as CheckpointError {
        return error.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

// MARK: - Writing and reading back

@Test func safetensorsRoundTrip() throws {
    let arrays = [
        NamedArray(name: "trunk.0.weight", shape: [2, 1, 2, 2], values: [1, -2, 3.5, 0, -0.0, .infinity, 1e-30, 7]),
        NamedArray(name: "head.bias", shape: [3], values: [0.25, -1, 2]),
        NamedArray(name: "scale", shape: [], values: [42]),
        NamedArray(name: "empty", shape: [0, 3], values: []),
        NamedArray(name: "quoted \"name\" \\ é\n", shape: [1], values: [9]),
    ]
    let file = SafetensorsFile(arrays: arrays, metadata: ["method": "iic", "step": "100"])
    let decoded = try SafetensorsFile(data: file.encoded())

    // Read back in data order, which is sorted by name.
    #expect(decoded.arrays.map(\.name) == arrays.map(\.name).sorted())
    for array in arrays {
        let read = try #require(decoded[array.name])
        #expect(read.shape == array.shape)
        #expect(read.values.map(\.bitPattern) == array.values.map(\.bitPattern), "tensor '\(array.name)'")
    }
    #expect(decoded.metadata["method"] == "iic")
    #expect(decoded.metadata["step"] == "100")
    #expect(decoded.metadata[SafetensorsFile.checksumKey]?.count == 8)
}

@Test func safetensorsNaNRoundTrip() throws {
    let file = SafetensorsFile(arrays: [NamedArray(name: "x", shape: [2], values: [.nan, 1])])
    let decoded = try SafetensorsFile(data: file.encoded())
    #expect(decoded["x"]?.values[0].isNaN == true)
    #expect(decoded["x"]?.values[1] == 1)
}

@Test func safetensorsLayout() throws {
    let bytes = try SafetensorsFile(arrays: [
        NamedArray(name: "b", shape: [1], values: [1]),
        NamedArray(name: "a", shape: [2], values: [2, 3]),
    ]).encoded()
    let headerLength = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
    #expect((8 + headerLength) % 8 == 0)
    #expect(bytes.count == 8 + headerLength + 12)

    // Metadata first, then the tensors sorted by name, then space padding.
    let dataSection = bytes[(8 + headerLength)...]
    let checksum = SafetensorsFile.hexadecimal(dataSection.withUnsafeBytes { CRC32.checksum($0) })
    let header = try #require(String(data: bytes[8..<(8 + headerLength)], encoding: .utf8))
    let json = #"{"__metadata__":{"crc32":"\#(checksum)"},"#
        + #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
        + #""b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
    #expect(header.hasPrefix(json))
    #expect(header.dropFirst(json.count).allSatisfy { $0 == " " })
    #expect(Array(dataSection) == [0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 63])
}

@Test func safetensorsWritesFile() throws {
    let scratch = try ScratchFolder()
    let url = scratch.file("model.safetensors")
    let file = SafetensorsFile(arrays: fixtureArrays(), metadata: ["step": "3"])
    try file.write(to: url)
    // Writing again replaces the file, and no temporary file is left behind.
    try file.write(to: url)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["model.safetensors"])
    let read = try SafetensorsFile(contentsOf: url)
    #expect(read.arrays == fixtureArrays())
}

@Test func safetensorsDuplicateNameRejected() {
    let file = SafetensorsFile(arrays: [NamedArray(name: "w", shape: [1], values: [1]), NamedArray(name: "w", shape: [1], values: [2])])
    #expect(errorMessage { _ = try file.encoded() } == "tensor 'w' appears twice; give every tensor a distinct name")
}

@Test func crc32CheckValue() {
    let bytes = Array("123456789".utf8)
    #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
    #expect(SafetensorsFile.hexadecimal(0xCBF4_3926) == "cbf43926")
    #expect(SafetensorsFile.hexadecimal(0x0000_00AB) == "000000ab")
}

// MARK: - Files written by PyTorch and by Shoreline

@Test func safetensorsReadsPyTorchStateDict() throws {
    let file = try SafetensorsFile(contentsOf: fixtureFolder.appendingPathComponent("pytorch_state_dict.safetensors"))
    #expect(file.metadata.isEmpty)
    #expect(Set(file.arrays.map(\.name)) == Set(fixtureShapes.map(\.name)))
    for (index, entry) in fixtureShapes.enumerated() {
        let array = try #require(file[entry.name])
        #expect(array.shape == entry.shape, "tensor '\(entry.name)'")
        if entry.name.hasSuffix("num_batches_tracked") {
            // Stored as I64 by PyTorch, converted to Float32.
            #expect(array.values == [7])
        } else {
            let expected = (0..<array.elementCount).map { formulaValue(tensor: index, element: $0) }
            #expect(array.values == expected, "tensor '\(entry.name)'")
        }
    }
}

@Test func safetensorsReadsPyTorchDTypes() throws {
    let file = try SafetensorsFile(contentsOf: fixtureFolder.appendingPathComponent("pytorch_dtypes.safetensors"))
    #expect(file.metadata == ["source": "pytorch"])
    #expect(file["extra.bfloat16"] == NamedArray(name: "extra.bfloat16", shape: [3], values: [-1, -0.875, -0.75]))
    #expect(file["extra.float16"] == NamedArray(name: "extra.float16", shape: [2, 2], values: [0, 0.125, 0.25, 0.375]))
    #expect(file["extra.float64"] == NamedArray(name: "extra.float64", shape: [2, 3], values: [1, 1.125, 1.25, 1.375, 1.5, 1.625]))
    #expect(file["extra.int32"] == NamedArray(name: "extra.int32", shape: [4], values: [-5, -2, 1, 4]))
}

/// The Swift-written file that `scripts/reference/safetensors_fixtures.py
/// verify` opened in PyTorch. Set `SHORELINE_WRITE_GOLDEN=1` to rewrite it
/// after a deliberate format change, then run the script's verify again.
@Test func safetensorsMatchesGoldenFile() throws {
    var url = fixtureFolder.appendingPathComponent("swift_state_dict.safetensors")
    let bytes = try SafetensorsFile(arrays: fixtureArrays()).encoded()
    if ProcessInfo.processInfo.environment["SHORELINE_WRITE_GOLDEN"] == "1" {
        // Write into the source tree; the bundle copy is refreshed on the next build.
        url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/safetensors/swift_state_dict.safetensors")
        try bytes.write(to: url)
    }
    let golden = try Data(contentsOf: url)
    #expect(bytes == golden, "the writer's bytes differ from the golden file that PyTorch opened")
}

// MARK: - Loading into a model's expected tensors

@Test func safetensorsMatchesExpectedShapes() throws {
    let file = SafetensorsFile(arrays: fixtureArrays())
    let expected = Dictionary(uniqueKeysWithValues: fixtureShapes.map { ($0.name, $0.shape) })
    let arrays = try file.arrays(matching: expected)
    #expect(arrays.count == fixtureShapes.count)
    #expect(arrays["trunk.0.weight"]?.values.first == formulaValue(tensor: 3, element: 0))
}

@Test func safetensorsReportsMismatchedTensors() {
    var expected = Dictionary(uniqueKeysWithValues: fixtureShapes.map { ($0.name, $0.shape) })
    expected["trunk.0.weight"] = [4, 13, 3, 3]
    expected["head.weight"] = nil
    expected["trunk.3.weight"] = [8, 4, 3, 3]
    expected["trunk.3.bias"] = [8]
    let file = SafetensorsFile(arrays: fixtureArrays())
    #expect(errorMessage { _ = try file.arrays(matching: expected) } == """
        checkpoint does not match the model: missing 'trunk.3.bias', 'trunk.3.weight'; unexpected 'head.weight'; \
        'trunk.0.weight' has shape [4, 3, 3, 3] but the model expects [4, 13, 3, 3]; \
        load it into a model built with the same configuration
        """)
}

// MARK: - Corrupt and truncated files

@Test func safetensorsTruncatedFile() throws {
    let bytes = try SafetensorsFile(arrays: fixtureArrays()).encoded()
    let truncated = bytes.prefix(bytes.count - 10)
    #expect(errorMessage { _ = try SafetensorsFile(data: truncated) } == """
        tensor 'trunk.1.weight' ends at byte \(bytes.count), past the end of the \(bytes.count - 10)-byte file; \
        the file is truncated, so load an earlier checkpoint or write this one again
        """)
}

@Test(arguments: [0, 5, 7])
func safetensorsShorterThanHeaderLength(size: Int) {
    #expect(errorMessage { _ = try SafetensorsFile(data: Data(repeating: 0, count: size)) } == """
        file is \(size) bytes, shorter than the 8-byte header length at byte 0; \
        the file is truncated, so load an earlier checkpoint or write this one again
        """)
}

@Test func safetensorsFlippedDataByte() throws {
    var bytes = try SafetensorsFile(arrays: fixtureArrays()).encoded()
    let original = try SafetensorsFile(data: bytes)
    let recorded = try #require(original.metadata[SafetensorsFile.checksumKey])
    let dataStart = bytes.count - fixtureArrays().reduce(0) { $0 + $1.elementCount * 4 }
    bytes[bytes.count - 3] ^= 0x40
    let computed = SafetensorsFile.hexadecimal(bytes[dataStart...].withUnsafeBytes { CRC32.checksum($0) })
    #expect(errorMessage { _ = try SafetensorsFile(data: bytes) } == """
        the data from byte \(dataStart) has CRC-32 \(computed) but the header records \(recorded); \
        the file is corrupt, so restore it from a copy or save it again
        """)
}

@Test func safetensorsWithoutChecksumSkipsCheck() throws {
    // PyTorch-written files record no checksum: a flipped value is read as is.
    var bytes = try Data(contentsOf: fixtureFolder.appendingPathComponent("pytorch_dtypes.safetensors"))
    bytes[bytes.count - 1] ^= 0x01
    #expect(throws: Never.self) { _ = try SafetensorsFile(data: bytes) }
}

@Test func safetensorsHeaderLengthPastEnd() {
    var bytes = rawFile(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 128, 63])
    bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(5000).littleEndian) { Data($0) })
    #expect(errorMessage { _ = try SafetensorsFile(data: bytes) } == """
        header length 5000 at byte 0 runs past the end of the \(bytes.count)-byte file; \
        the file is truncated or not safetensors, so load an earlier checkpoint or write this one again
        """)
}

@Test func safetensorsHeaderTooLarge() {
    var bytes = Data(count: 16)
    bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64.max.littleEndian) { Data($0) })
    #expect(errorMessage { _ = try SafetensorsFile(data: bytes) } == """
        header length 18446744073709551615 at byte 0 is above the 100000000-byte limit of safetensors; \
        the file is not safetensors or is corrupt
        """)
}

/// A hand-made header and its expected error text.
struct CorruptHeaderCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var header: String
    var data: [UInt8]
    var message: String
}

private let eightBytes: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]

private let corruptHeaderCases: [CorruptHeaderCase] = [
    CorruptHeaderCase(
        testDescription: "overlapping offsets",
        header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
        data: eightBytes,
        message: "tensor 'b' starts at byte 124, inside tensor 'a' which ends at byte 128; the header is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "gap between tensors",
        header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' starts at byte 68 but the data before it ends at byte 64; the header is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "trailing bytes",
        header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        data: eightBytes,
        message: "4 unused bytes from byte 68 follow the last tensor; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "unknown dtype",
        header: #"{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has unsupported dtype 'Q4'; convert it to F32 (also read: F64, F16, BF16, I64, I32) before saving"
    ),
    CorruptHeaderCase(
        testDescription: "shape and offsets disagree",
        header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' of shape [3] and dtype F32 needs 12 bytes but its data_offsets span 8; the header is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "offsets past the end",
        header: #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#,
        data: eightBytes,
        message: "tensor 'a' ends at byte 80, past the end of the 72-byte file; the file is truncated, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "invalid JSON",
        header: #"{"a":{"dtype":"F32","#,
        data: eightBytes,
        message: "invalid header at byte 8: it is not valid JSON; the file is not safetensors or is corrupt"
    ),
    CorruptHeaderCase(
        testDescription: "header not an object",
        header: "[1, 2]",
        data: [],
        message: "invalid header at byte 8: it is not a JSON object; the file is not safetensors or is corrupt"
    ),
    CorruptHeaderCase(
        testDescription: "metadata not strings",
        header: #"{"__metadata__":{"step":3}}"#,
        data: [],
        message: "invalid header at byte 8: __metadata__ is not a map of strings to strings; the file is not safetensors or is corrupt"
    ),
    CorruptHeaderCase(
        testDescription: "negative dimension",
        header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: shape is missing or not a list of non-negative integers; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "fractional dimension",
        header: #"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: shape is missing or not a list of non-negative integers; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "boolean offset",
        header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[false,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: data_offsets is not two non-negative integers [begin, end] with begin <= end; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "reversed offsets",
        header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: data_offsets is not two non-negative integers [begin, end] with begin <= end; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "missing dtype",
        header: #"{"a":{"shape":[2],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: dtype is missing or not a string; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "entry not an object",
        header: #"{"a":[1]}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: it is not a JSON object; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
    CorruptHeaderCase(
        testDescription: "element count overflows",
        header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
        data: eightBytes,
        message: "tensor 'a' has an invalid header entry: shape [4294967296, 4294967296] has too many elements; the file is corrupt, so load an earlier checkpoint or write this one again"
    ),
]

@Test(arguments: corruptHeaderCases)
func safetensorsCorruptHeader(corrupt: CorruptHeaderCase) {
    let bytes = rawFile(header: corrupt.header, data: corrupt.data)
    #expect(errorMessage { _ = try SafetensorsFile(data: bytes) } == corrupt.message)
}

@Test func safetensorsReadsHandMadeFile() throws {
    // A zero-size tensor may share its offset with the next one.
    let bytes = rawFile(
        header: #"{"empty":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
        data: eightBytes
    )
    let file = try SafetensorsFile(data: bytes)
    #expect(file["a"]?.values == [1, 2])
    #expect(file["empty"]?.values == [])
}

// MARK: - Files on disk

@Test func safetensorsFileErrorsNamePath() throws {
    let scratch = try ScratchFolder()
    let missing = scratch.file("missing.safetensors")
    #expect(errorMessage { _ = try SafetensorsFile(contentsOf: missing) } == "checkpoint '\(missing.path)' not found; check the path")

    let short = scratch.file("short.safetensors")
    try Data([1, 2, 3]).write(to: short)
    #expect(errorMessage { _ = try SafetensorsFile(contentsOf: short) } == """
        checkpoint '\(short.path)': file is 3 bytes, shorter than the 8-byte header length at byte 0; \
        the file is truncated, so load an earlier checkpoint or write this one again
        """)

    let unwritable = scratch.file("no-such-folder/model.safetensors")
    let message = errorMessage { try SafetensorsFile(arrays: fixtureArrays()).write(to: unwritable) }
    #expect(message.hasPrefix("cannot write checkpoint '\(unwritable.path)': "))
    #expect(message.hasSuffix("; check the path and its permissions"))
}

@Test func namedArrayRejectsWrongValueCount() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = NamedArray(name: "trunk.0.weight", shape: [2, 3], values: [1, 2, 3])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("tensor 'trunk.0.weight' has shape [2, 3], 6 elements, but 3 values"))
}
