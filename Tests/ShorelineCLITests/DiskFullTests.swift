import Foundation
import Testing
import TestSupport

/// The built `shoreline` executable beside the test bundle, or nil.
let shorelineExecutable: URL? = {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let url = folder.appendingPathComponent("shoreline")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

@Suite struct DiskFullTests {
    let scratch = try! ScratchFolder(prefix: "cli-full")

    /// Runs `shoreline` in a shell whose file-size limit is `limitKB`, with
    /// SIGXFSZ ignored so a write past it fails with EFBIG, as on a full disk.
    func run(_ arguments: [String], limitKB: Int?) throws -> (code: Int32, errors: String) {
        let executable = try #require(shorelineExecutable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let quoted = ([executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let limit = limitKB.map { "ulimit -f \($0); " } ?? ""
        process.arguments = ["-c", "trap '' XFSZ; \(limit)exec \(quoted)"]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: shorelineExecutable != nil, "needs the shoreline executable built beside the tests"))
    func writeFailureThenResume() throws {
        // A flat scene compresses to tiny tiles. A noisy one does not, so
        // its tiles exceed the 40 KB limit as on a disk that fills up.
        try FileManager.default.createDirectory(at: scratch.file("in"), withIntermediateDirectories: true)
        try writeScene(scratch.file("in/a_flat.tif"), width: 256, height: 256, bandNames: ["B3", "B8"]) { _, _, _ in 500 }
        var state: UInt32 = 12345
        try writeScene(scratch.file("in/b_noisy.tif"), width: 256, height: 256, bandNames: ["B3", "B8"]) { _, _, _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt16(truncatingIfNeeded: state >> 16) | 1
        }
        let output = scratch.file("out").path
        let arguments = ["tile", scratch.file("in").path, "--output", output, "--size", "128"]

        let full = try run(arguments, limitKB: 40)
        #expect(full.code == 1)
        #expect(full.errors.contains("error: cannot finish writing '\(output)/images/b_noisy_r00000_c00000.tif'")
            || full.errors.contains("error: cannot write '\(output)/images/b_noisy_r00000_c00000.tif'"), "\(full.errors)")
        let images = try FileManager.default.contentsOfDirectory(atPath: output + "/images").sorted()
        #expect(images.allSatisfy { $0.hasPrefix("a_flat_") }, "no noisy tile and no partial file: \(images)")
        #expect(!FileManager.default.fileExists(atPath: output + "/manifest.csv"))

        let resumed = try run(arguments, limitKB: nil)
        #expect(resumed.code == 0, "\(resumed.errors)")
        let manifest = try String(contentsOfFile: output + "/manifest.csv", encoding: .utf8)
        #expect(manifest.split(separator: "\n").count == 1 + 8)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output + "/images").count == 8)
    }
}
