import Foundation
import Testing
import TestSupport
import TensorEngine

/// A checkpoint damaged on disk, and the exact message reading it gives.
struct DamagedCheckpoint: CustomStringConvertible, Sendable {
    let description: String
    /// Returns the damaged bytes, given the intact file's bytes.
    let damage: @Sendable (Data) -> Data
    /// The message after `checkpoint '<path>': `.
    let message: String

    /// A small checkpoint: two F32 tensors and the CRC-32 in the metadata.
    /// Its header is 168 bytes, so the data section runs from byte 176 to 220.
    static func intactFile() throws -> Data {
        try SafetensorsFile(arrays: [
            NamedArray(name: "head.bias", shape: [3], values: [0.5, -1, 2]),
            NamedArray(name: "trunk.weight", shape: [2, 4], values: (0..<8).map { Float($0) / 8 }),
        ]).encoded()
    }

    static let cases: [DamagedCheckpoint] = [
        DamagedCheckpoint(description: "zero bytes", damage: { _ in Data() },
                          message: "file is 0 bytes, shorter than the 8-byte header length at byte 0; the file is truncated, so load an earlier checkpoint or write this one again"),
        DamagedCheckpoint(description: "cut inside the header length", damage: { $0.prefix(5) },
                          message: "file is 5 bytes, shorter than the 8-byte header length at byte 0; the file is truncated, so load an earlier checkpoint or write this one again"),
        DamagedCheckpoint(description: "cut inside the header", damage: { $0.prefix(100) },
                          message: "header length 168 at byte 0 runs past the end of the 100-byte file; the file is truncated or not safetensors, so load an earlier checkpoint or write this one again"),
        DamagedCheckpoint(description: "cut inside the data", damage: { $0.dropLast(1) },
                          message: "tensor 'trunk.weight' ends at byte 220, past the end of the 219-byte file; the file is truncated, so load an earlier checkpoint or write this one again"),
        DamagedCheckpoint(description: "flipped data byte", damage: { bytes in
            var flipped = bytes
            flipped[bytes.count - 3] ^= 0x40
            return flipped
        }, message: "the data from byte 176 has CRC-32 b347fac5 but the header records c3dd7705; the file is corrupt, so restore it from a copy or save it again"),
        DamagedCheckpoint(description: "flipped header byte", damage: { bytes in
            var flipped = bytes
            flipped[8] ^= 0x01
            return flipped
        }, message: "invalid header at byte 8: it is not valid JSON; the file is not safetensors or is corrupt"),
        DamagedCheckpoint(description: "flipped header length byte", damage: { bytes in
            var flipped = bytes
            flipped[5] ^= 0x80
            return flipped
        }, message: "header length 140737488355496 at byte 0 is above the 100000000-byte limit of safetensors; the file is not safetensors or is corrupt"),
        DamagedCheckpoint(description: "bytes appended", damage: { $0 + Data([1, 2, 3]) },
                          message: "3 unused bytes from byte 220 follow the last tensor; the file is corrupt, so load an earlier checkpoint or write this one again"),
        DamagedCheckpoint(description: "text file", damage: { _ in Data("step,loss\n1,0.5\n".utf8) },
                          message: "header length 8317985974896653427 at byte 0 is above the 100000000-byte limit of safetensors; the file is not safetensors or is corrupt"),
        DamagedCheckpoint(description: "header JSON is a list", damage: { bytes in
            var header = Data("[1, 2, 3]".utf8)
            header.append(Data(repeating: UInt8(ascii: " "), count: 168 - header.count))
            return bytes.prefix(8) + header + bytes.dropFirst(176)
        }, message: "invalid header at byte 8: it is not a JSON object; the file is not safetensors or is corrupt"),
    ]
}

@Suite struct HostileCheckpointTests {
    @Test func intactFileLayout() throws {
        let bytes = try DamagedCheckpoint.intactFile()
        #expect(bytes.count == 220)
        #expect(bytes.prefix(8) == Data([168, 0, 0, 0, 0, 0, 0, 0]))
    }

    @Test(arguments: DamagedCheckpoint.cases)
    func damagedCheckpoint(_ damaged: DamagedCheckpoint) throws {
        let scratch = try ScratchFolder(prefix: "checkpoint")
        let url = scratch.file("final.safetensors")
        try damaged.damage(try DamagedCheckpoint.intactFile()).write(to: url)
        do {
            _ = try SafetensorsFile(contentsOf: url)
            Issue.record("a damaged checkpoint was read")
        } catch let error as CheckpointError {
            #expect(error.description == "checkpoint '\(url.path)': " + damaged.message)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func folderInPlaceOfCheckpoint() throws {
        let scratch = try ScratchFolder(prefix: "checkpoint")
        let url = scratch.file("final.safetensors")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let error = #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: url) }
        #expect(error?.description == "cannot read checkpoint '\(url.path)': it is a folder, not a file; check the path and its permissions")
    }
}
